/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One background pread at a time: a sequential reader asks for its next
 * block, works on the current one, then collects the next. On a machine
 * with two cores reading and writing a stream then overlap.
 */
#ifndef MPIPL_SNAPSHOT_PREFETCH_H
#define MPIPL_SNAPSHOT_PREFETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

struct prefetch;

/* A worker thread reading fd. */
struct prefetch *prefetch_new(int fd, struct mp_err *err);
/* Waits for a pending read, then ends the worker. NULL is ignored. */
void prefetch_free(struct prefetch *p);

/* Start reading len bytes at off into buf; no read may be pending. */
void prefetch_start(struct prefetch *p, void *buf, size_t len, uint64_t off);
/* Whether a read is pending, and for which offset. */
bool prefetch_pending(const struct prefetch *p, uint64_t *off);
/*
 * Wait for the pending read: the bytes read (fewer than asked only at the
 * end of the file), or -1 with the errno in *error.
 */
ptrdiff_t prefetch_wait(struct prefetch *p, int *error);

#endif
