/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Findings: what the checks of the tables found, each with a severity, a
 * stable code for CI, the spec section that explains it, and a message.
 */
#ifndef MPIPL_MPIPL_FINDINGS_H
#define MPIPL_MPIPL_FINDINGS_H

#include <stddef.h>

enum finding_level {
	FINDING_INFO,
	FINDING_WARNING,
	FINDING_ERROR,
};

struct finding {
	enum finding_level level;
	char code[40];  /* e.g. "mdst-size-mismatch" */
	char spec[24];  /* e.g. "mpipl.md 2.4" */
	char msg[400];
};

struct findings {
	struct finding *v;
	size_t n;
	size_t cap;
};

void findings_add(struct findings *f, enum finding_level level, const char *code,
		  const char *spec, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
size_t findings_count(const struct findings *f, enum finding_level level);
const char *finding_level_name(enum finding_level level);
void findings_free(struct findings *f);

#endif
