/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firmware's preserve step (mpipl.md 2.4 and 4.3): copy each MDST region
 * to its MDDT destination, write the MDRT, save the CPU registers at the
 * processor dump area's alloc_addr and update the area.
 */
#ifndef MPIPL_MPIPL_PRESERVE_H
#define MPIPL_MPIPL_PRESERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/findings.h"
#include "layout.h"
#include "regsave.h"
#include "tables.h"

/* QEMU copies through a 32 MiB bounce buffer (COPY_CHUNK_SIZE). */
#define QEMU_COPY_CHUNK (32ULL << 20)

struct preserve_opts {
	enum mpipl_profile profile;
	const struct vcpu_state *cpus; /* NULL: write no thread records */
	size_t ncpus;
};

enum entry_outcome {
	ENTRY_PRESERVED, /* copied, has an MDRT entry */
	ENTRY_SKIPPED,   /* not copied, no MDRT entry */
	ENTRY_FAILED,    /* qemu: copy stopped part-way (earlier chunks stay), no MDRT entry */
};

struct preserve_entry {
	unsigned index;
	struct mdst_entry src;
	struct mdst_entry dst;
	enum entry_outcome outcome;
	uint64_t copied; /* bytes written at the destination */
	char *reason;    /* malloc'd, NULL when there is nothing to say */
};

struct preserve_report {
	enum mpipl_profile profile;
	unsigned nentries; /* MDST entries examined */
	struct preserve_entry entry[MDST_MAX_ENTRIES];
	unsigned nmdrt;
	struct mdrt_entry mdrt[MDST_MAX_ENTRIES];
	bool mdrt_written;
	bool cpus_written;        /* thread records written and dump area updated */
	unsigned ncpus;
	uint64_t thread_addr;     /* where the records went */
	uint32_t thread_size;
	struct proc_dump_area proc; /* the area as written (when cpus_written) */
	char *cpu_note;           /* why no CPU data was written (malloc'd, or NULL) */
};

/* nchunks as QEMU computes it: ceil() of a single-precision quotient (mpipl.md 2.4). */
uint64_t qemu_chunk_count(uint32_t len);

const char *entry_outcome_name(enum entry_outcome o);

/* Free the texts a report holds (reason, cpu_note); the report itself is the caller's. */
void preserve_report_release(struct preserve_report *r);

/*
 * Run the preserve step on gm (which is modified through its overlay; the
 * input file never is). Per-entry problems are findings and skipped entries;
 * a failure return means the output would be meaningless.
 */
int mpipl_preserve(struct guest_mem *gm, const struct mpipl_layout *l,
		   const struct mpipl_tables *t, const struct preserve_opts *o,
		   struct preserve_report *r, struct findings *f, struct mp_err *err);

#endif
