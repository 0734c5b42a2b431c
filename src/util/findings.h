/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Findings: the one way a warning travels. Every remark that is not an error
 * (a check of the tables, a reader's note on its input, what the crash
 * summary could not read) is a finding with a severity, a stable code for
 * CI, the spec section that explains it, and a message of any length.
 */
#ifndef MPIPL_UTIL_FINDINGS_H
#define MPIPL_UTIL_FINDINGS_H

#include <stdarg.h>
#include <stddef.h>

enum finding_level {
	FINDING_INFO,
	FINDING_WARNING,
	FINDING_ERROR,
};

struct finding {
	enum finding_level level;
	/* Identifiers, not messages: every code and spec name we use is short. */
	char code[40];  /* e.g. "mdst-size-mismatch" */
	char spec[24];  /* e.g. "mpipl.md 2.4" */
	char *msg;      /* malloc'd, never cut */
};

struct findings {
	struct finding *v;
	size_t n;
	size_t cap;
};

/*
 * Add a finding. Returns 0, or -1 when memory ran out (the finding is lost;
 * callers that can fail pass that on, the others go on without it).
 */
int findings_add(struct findings *f, enum finding_level level, const char *code,
		 const char *spec, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int findings_vadd(struct findings *f, enum finding_level level, const char *code,
		  const char *spec, const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
size_t findings_count(const struct findings *f, enum finding_level level);
const char *finding_level_name(enum finding_level level);
void findings_free(struct findings *f);

#endif
