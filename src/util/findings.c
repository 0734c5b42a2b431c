// SPDX-License-Identifier: GPL-2.0-or-later
#include "findings.h"

#include <stdio.h>
#include <stdlib.h>

int findings_vadd(struct findings *f, enum finding_level level, const char *code,
		  const char *spec, const char *fmt, va_list ap)
{
	struct finding *x;
	char *msg;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct finding *v = reallocarray(f->v, cap, sizeof(*v));

		if (!v)
			return -1;
		f->v = v;
		f->cap = cap;
	}
	if (vasprintf(&msg, fmt, ap) < 0)
		return -1;
	x = &f->v[f->n++];
	x->level = level;
	snprintf(x->code, sizeof(x->code), "%s", code);
	snprintf(x->spec, sizeof(x->spec), "%s", spec);
	x->msg = msg;
	return 0;
}

int findings_add(struct findings *f, enum finding_level level, const char *code,
		 const char *spec, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = findings_vadd(f, level, code, spec, fmt, ap);
	va_end(ap);
	return rc;
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
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].msg);
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}
