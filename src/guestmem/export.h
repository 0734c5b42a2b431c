/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Streaming guest memory out: zero blocks become holes in the output. */
#ifndef MPIPL_GUESTMEM_EXPORT_H
#define MPIPL_GUESTMEM_EXPORT_H

#include "guest_mem.h"
#include "../util/progress.h"
#include "../util/sink.h"

/* Granule of hole detection: a 4 KiB block that is all zero is not written. */
#define EXPORT_BLOCK 4096u

/*
 * Write guest bytes [gpa, gpa + len) to the sink. prog may be NULL; its
 * counter advances by len.
 */
int gm_export(struct guest_mem *gm, uint64_t gpa, uint64_t len, struct sink *out,
	      struct progress *prog, uint64_t *done, struct mp_err *err);

/* gm_export where addresses that are not RAM become holes (a vmcore's view). */
int gm_export_lenient(struct guest_mem *gm, uint64_t gpa, uint64_t len, struct sink *out,
		      struct progress *prog, uint64_t *done, struct mp_err *err);

/*
 * Write the main RAM ranges (not GM_RANGE_AUX ones) as one raw image: output
 * byte i is guest address (lowest main RAM address + i); gaps between ranges
 * are holes.
 */
int gm_export_raw(struct guest_mem *gm, struct sink *out, struct mp_err *err);

#endif
