// SPDX-License-Identifier: GPL-2.0-or-later
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

bool progress_allowed = true;

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_begin(struct progress *p, const char *what, uint64_t total)
{
	p->what = what;
	p->total = total;
	p->start = now_seconds();
	p->last = 0;
	p->shown = false;
	p->enabled = progress_allowed && isatty(STDERR_FILENO);
}

void progress_update(struct progress *p, uint64_t done)
{
	double t, mib;

	if (!p->enabled)
		return;
	t = now_seconds();
	if (t - p->start < 1.0 || t - p->last < 0.2)
		return;
	p->last = t;
	p->shown = true;
	mib = (double)done / (1 << 20);
	if (p->total)
		fprintf(stderr, "\r%s: %.0f / %.0f MiB (%.0f%%), %.0f MiB/s   ", p->what, mib,
			(double)p->total / (1 << 20), 100.0 * (double)done / (double)p->total,
			mib / (t - p->start));
	else
		fprintf(stderr, "\r%s: %.0f MiB, %.0f MiB/s   ", p->what, mib, mib / (t - p->start));
	fflush(stderr);
}

void progress_end(struct progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r\033[K");
	p->shown = false;
}
