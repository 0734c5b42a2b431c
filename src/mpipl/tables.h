/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading the MPIPL tables, skiboot's metadata and the processor dump area. */
#ifndef MPIPL_MPIPL_TABLES_H
#define MPIPL_MPIPL_TABLES_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/findings.h"
#include "hdat.h"
#include "layout.h"

/* skiboot's struct mpipl_metadata at base + 0x1C08000 (packed, BE). */
struct skiboot_metadata {
	uint32_t crashing_pir;
	uint64_t kernel_tag;    /* address of the kernel's opal_fadump_mem_struct */
	uint64_t boot_mem_size; /* BOOT_MEM tag */
};
#define SKIBOOT_METADATA_SIZE 20u

struct mpipl_tables {
	struct mdst_entry mdst[MDST_MAX_ENTRIES];
	struct mdst_entry mddt[MDST_MAX_ENTRIES];
	unsigned mdst_slots;       /* entries read (alloc_cnt, at most 64) */
	unsigned qemu_count;       /* entries before QEMU's terminator (mpipl.md 2.3) */
	unsigned hdat_count;       /* SPIRA-H act_cnt, else qemu_count */
	bool mdrt_ok;              /* the MDRT area is in guest RAM */
	unsigned mdrt_slots;
	unsigned mdrt_used;        /* non-zero MDRT slots */
	struct mdrt_entry mdrt[MDRT_MAX_ENTRIES];
	bool proc_ok;
	struct proc_dump_area proc;
	bool meta_ok;
	struct skiboot_metadata meta;
};

void skiboot_metadata_decode(const uint8_t raw[SKIBOOT_METADATA_SIZE],
			     struct skiboot_metadata *m);

/*
 * Read everything the layout points at. MDST and MDDT outside guest RAM is
 * an error (nothing can be replayed); the rest becomes findings.
 */
int tables_read(struct guest_mem *gm, const struct mpipl_layout *l, struct mpipl_tables *t,
		struct findings *f, struct mp_err *err);

#endif
