/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Linux's OPAL fadump registration, `struct opal_fadump_mem_struct`
 * (mpipl.md 5.2), and the configuration the capture kernel derives from it
 * (mpipl.md 6.2).
 */
#ifndef MPIPL_MPIPL_KERNEL_META_H
#define MPIPL_MPIPL_KERNEL_META_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/findings.h"
#include "../guestmem/guest_mem.h"

#define FADUMP_MAX_REGIONS 128u    /* FADUMP_MAX_MEM_REGS */
#define KERNEL_META_SIZE 3088u     /* 16 + 128 * 24 */
#define KERNEL_META_VERSION 1u     /* OPAL_FADUMP_VERSION */

struct fadump_region {
	uint64_t src;
	uint64_t dest;
	uint64_t size;
};

struct kernel_meta {
	uint64_t addr;                 /* where it was read (the KERNEL tag) */
	bool native_le;                /* pre-2022 kernel: fields in little-endian */
	uint8_t version;
	uint16_t region_cnt;
	uint16_t registered_regions;
	uint64_t fadumphdr_addr;
	struct fadump_region rgn[FADUMP_MAX_REGIONS];
};

/* What the capture kernel derives from the metadata (mpipl.md 6.2). */
struct fadump_config {
	uint64_t dest_base;        /* D = rgn[0].dest */
	uint64_t boot_mem_size;    /* sum of all region sizes */
	uint64_t hole;             /* sum of gaps between regions from 0 */
	uint64_t boot_mem_top;     /* T = boot_mem_size + hole */
};

/*
 * Decode a 3088-byte opal_fadump_mem_struct. Big-endian since the 2022
 * kernel fix; an older kernel's little-endian layout is recognised when the
 * big-endian reading is implausible. region_cnt > 128 is rejected.
 */
int kernel_meta_decode(const uint8_t raw[KERNEL_META_SIZE], uint64_t addr, struct kernel_meta *m,
		       struct findings *f, struct mp_err *err);

/* Read and decode the metadata at the KERNEL tag's address. */
int kernel_meta_read(struct guest_mem *gm, uint64_t addr, struct kernel_meta *m,
		     struct findings *f, struct mp_err *err);

/* Sum regions as the capture kernel does; fails on 64-bit overflow. */
int fadump_config_derive(const struct kernel_meta *m, struct fadump_config *c,
			 struct mp_err *err);

#endif
