/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Everything the tables, the register data and the kernel's fadump
 * structures say about an image, with the checks of mpipl.md 8 as findings.
 * inspect prints it; preserve and vmcore build on it.
 */
#ifndef MPIPL_MPIPL_ANALYZE_H
#define MPIPL_MPIPL_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>

#include "crashinfo.h"
#include "../util/findings.h"
#include "kernel_meta.h"
#include "layout.h"
#include "locate.h"
#include "tables.h"

/* Cap on threads parsed from a processor dump area (hostile act_size). */
#define ANALYZE_MAX_THREADS 65536u
/* Cap on one thread record's span (hostile ecnt/esize). */
#define ANALYZE_MAX_THREAD_SPAN (1u << 20)

struct thread_regs {
	uint32_t pir;
	uint8_t core_state;
	bool parsed;       /* entries read (false: outside RAM or implausible) */
	uint64_t regs[48]; /* pt_regs longs, as Linux builds them */
};

struct analyze_opts {
	uint64_t base;
	bool base_given; /* else found with locate_base() */
	enum layout_kind layout;
	enum kernel_endian endian;
	struct crash_info_legacy_sizes legacy;
};

struct mpipl_analysis {
	/* Texts below are malloc'd (freed by mpipl_analysis_free), NULL when unset. */
	char *base_how;            /* how the base was chosen */
	struct guest_devtree dt;   /* skiboot's device tree for Linux, if found */
	struct mpipl_layout layout;
	struct mpipl_tables *tables;
	/* The firmware step has run: the MDRT lists preserved regions. */
	bool post_mpipl;

	/* CPU data as skiboot's CPU tag and Linux's parser see it (mpipl.md 5.1, 6.4). */
	bool cpu_tag;           /* dest_addr != 0 and act_size != 0 */
	bool cpu_data_valid;    /* Linux accepts thread_size/act_size */
	char *cpu_data_note;       /* why Linux would not use the CPU data */
	struct thread_hdr first_thread;
	struct thread_regs *threads;
	size_t nthreads;

	bool kernel_tag;           /* skiboot's metadata holds a KERNEL tag */
	bool have_kernel_meta;
	struct kernel_meta kmeta;
	char *kernel_meta_error;
	bool have_config;
	struct fadump_config config;
	bool have_crash_info;
	struct crash_info ci;
	char *crash_info_error;

	struct findings findings;
};

/*
 * Analyse gm. Fails only when no tables can be located (the image says
 * nothing); everything else is reported in the findings.
 */
int mpipl_analyze(struct guest_mem *gm, const struct analyze_opts *o, struct mpipl_analysis *a,
		  struct mp_err *err);
void mpipl_analysis_free(struct mpipl_analysis *a);

#endif
