/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The crashed kernel's log, read from its printk buffer as VMCOREINFO
 * describes it: the lockless ring of Linux 5.10+ (prb: a descriptor ring, an
 * info array and a text data ring) or the structured log_buf of Linux
 * 3.5-5.9 (records of struct printk_log). Records come out oldest first;
 * damaged ones are skipped and counted, and the walk is bounded by the ring
 * sizes, so a corrupt ring never loops.
 */
#ifndef MPIPL_LINUX_PRINTK_H
#define MPIPL_LINUX_PRINTK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmem.h"
#include "vmcoreinfo.h"

/* dev_printk_info: subsystem[16] and device[48] (include/linux/dev_printk.h). */
#define PRINTK_SUBSYS_LEN 16u
#define PRINTK_DEVICE_LEN 48u
#define PRINTK_LEVEL_UNKNOWN 0xFFu

struct printk_record {
	uint64_t seq;
	uint64_t ts_nsec;
	uint8_t level;      /* 0-7, PRINTK_LEVEL_UNKNOWN when the layout does not say */
	uint32_t caller_id; /* 0x80000000 | CPU, or a task's PID */
	bool has_caller;    /* the layout has caller_id */
	const uint8_t *text;
	size_t text_len;
	char subsystem[PRINTK_SUBSYS_LEN + 1];
	char device[PRINTK_DEVICE_LEN + 1];
};

struct printk_stats {
	const char *kind;      /* "lockless" or "log_buf" */
	uint64_t records;      /* handed to the callback */
	uint64_t skipped;      /* descriptors not committed (being written, or free) */
	uint64_t damaged;      /* records whose text lies outside the ring, cut to fit */
	char note[256];        /* why the walk stopped early, or "" */
};

/* Return non-zero to stop the walk (that value is returned). */
typedef int (*printk_fn)(const struct printk_record *r, void *ctx);

/*
 * Walk the log. Fails (MP_ENOTFOUND) when VMCOREINFO describes no printk
 * buffer, (MP_EINPUT) when the buffer is absurd or outside RAM.
 */
int printk_walk(const struct kmem *k, const struct vmcoreinfo *vi, printk_fn fn, void *ctx,
		struct printk_stats *st, struct mp_err *err);

/* The structured log_buf form (Linux 3.5-5.9); printk_walk picks it by itself. */
int printk_walk_logbuf(const struct kmem *k, const struct vmcoreinfo *vi, printk_fn fn,
		       void *ctx, struct printk_stats *st, struct mp_err *err);

/* Read a whole kernel array of n * size bytes (bounded); NULL with err when impossible. */
uint8_t *printk_read_array(const struct kmem *k, uint64_t va, uint64_t n, uint64_t size,
			   const char *what, struct mp_err *err);

#endif
