/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OPAL core: the ELF file the capture kernel exports at
 * /sys/firmware/opal/mpipl/core (Linux arch/powerpc/platforms/powernv/
 * opal-core.c), built offline from a post-MPIPL analysis. Big-endian
 * throughout (OPAL runs big-endian), whatever the kernel's byte order.
 */
#ifndef MPIPL_ELFCORE_OPALCORE_H
#define MPIPL_ELFCORE_OPALCORE_H

#include <stdbool.h>
#include <stdint.h>

#include "../mpipl/analyze.h"
#include "../util/sink.h"

/* Linux's opal-core.c exports at most 8 OPAL regions (MAX_PT_LOAD_CNT). */
#define OPALCORE_MAX_LOADS 8u
/* NT_AUXV with one AT_ENTRY pair and AT_NULL: 3 x 8 bytes (AUXV_DESC_SZ). */
#define OPALCORE_AUXV_DESC 24u
#define OPALCORE_AUXV_NOTE (12u + 8u + OPALCORE_AUXV_DESC)

struct opalcore_load {
	uint64_t data;  /* physical address the bytes are read from (the MDRT dest) */
	uint64_t size;
	uint64_t src;   /* the MDRT's src, for reports */
};

struct opalcore_model {
	uint64_t page_size;
	uint64_t opal_base;   /* /ibm,opal/opal-base-address: PT_LOAD vaddr base */
	uint64_t opal_entry;  /* /ibm,opal/opal-boot-address: AT_ENTRY */
	uint32_t crashing_pir;
	bool kernel_initiated; /* crash info header names a CPU: SIGUSR1, else SIGTERM */
	size_t nload;
	struct opalcore_load load[OPALCORE_MAX_LOADS];
	size_t ncpus;          /* thread records Linux walks */
	size_t nnotes;         /* NT_PRSTATUS notes written */
	uint8_t *head;         /* ELF header, program headers and notes, page-padded */
	uint64_t head_len;
	uint64_t total;        /* file size */
};

/*
 * Build the OPAL core of a post-MPIPL analysis as the capture kernel would:
 * one PT_LOAD per MDRT entry of region 0x03 (data from its dest), one
 * NT_PRSTATUS per active thread record (the crashing PIR's first), NT_AUXV.
 * page_size 0 means 65536. Fails (MP_EINPUT) when Linux would export no core.
 */
int opalcore_build(struct guest_mem *gm, const struct mpipl_analysis *a, uint64_t page_size,
		   struct opalcore_model *m, struct findings *f, struct mp_err *err);
void opalcore_free(struct opalcore_model *m);

/* Write the whole core to the sink (zero blocks become holes). */
int opalcore_write(struct guest_mem *gm, const struct opalcore_model *m, struct sink *out,
		   struct mp_err *err);

#endif
