/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A sequential output that leaves holes: skipped bytes become a hole on a
 * seekable file and zeros on a pipe.
 */
#ifndef MPIPL_UTIL_SINK_H
#define MPIPL_UTIL_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct sink {
	int fd;
	bool seekable;
	uint64_t base;   /* file offset where the output starts (seekable) */
	uint64_t pos;    /* bytes produced so far */
	uint64_t synced; /* pos the descriptor's file position corresponds to */
	const char *name;
};

void sink_init(struct sink *s, int fd, const char *name);
int sink_write(struct sink *s, const void *buf, size_t len, struct mp_err *err);
/* Advance by len zero bytes. */
int sink_skip(struct sink *s, uint64_t len, struct mp_err *err);
/* Give a seekable file its full length when it ends in a hole. */
int sink_finish(struct sink *s, struct mp_err *err);

#endif
