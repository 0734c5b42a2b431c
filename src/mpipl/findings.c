// SPDX-License-Identifier: GPL-2.0-or-later
#include "findings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void findings_add(struct findings *f, enum finding_level level, const char *code,
		  const char *spec, const char *fmt, ...)
{
	struct finding *x;
	va_list ap;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct finding *v = reallocarray(f->v, cap, sizeof(*v));

		/* Out of memory: a finding is lost, the run goes on. */
		if (!v)
			return;
		f->v = v;
		f->cap = cap;
	}
	x = &f->v[f->n++];
	x->level = level;
	snprintf(x->code, sizeof(x->code), "%s", code);
	snprintf(x->spec, sizeof(x->spec), "%s", spec);
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	va_end(ap);
}

size_t findings_count(const struct findings *f, enum finding_level level)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += f->v[i].level == level;
	return n;
}

const char *finding_level_name(enum finding_level level)
{
	switch (level) {
	case FINDING_ERROR:
		return "error";
	case FINDING_WARNING:
		return "warning";
	default:
		return "info";
	}
}

void findings_free(struct findings *f)
{
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}
