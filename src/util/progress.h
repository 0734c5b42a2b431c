/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A progress line on stderr for long work: shown only when stderr is a
 * terminal and the work has lasted over a second, redrawn at most 5 times
 * a second, erased when done.
 */
#ifndef MPIPL_UTIL_PROGRESS_H
#define MPIPL_UTIL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	const char *what;
	uint64_t total;
	double start;
	double last;
	bool enabled;
	bool shown;
};

void progress_begin(struct progress *p, const char *what, uint64_t total);
void progress_update(struct progress *p, uint64_t done);
void progress_end(struct progress *p);

/* Process-wide switch (--quiet turns it off). */
extern bool progress_allowed;

#endif
