/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mpiplctl verify: compare a real post-MPIPL state (POST) with what a
 * profile's preserve step makes of the pre-MPIPL state (PRE). Every MDST
 * region, the MDRT field by field, the processor dump area, each thread
 * record register by register, and the pt_regs Linux builds from them.
 * Each difference carries a stable code and its spec section; fields no
 * input can determine (mpipl.md 12) are "unknown", never differences.
 */
#ifndef MPIPL_MDST_VERIFY_H
#define MPIPL_MDST_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "preserve.h"

enum vcheck_kind {
	VC_DIFF,    /* POST departs from the profile */
	VC_UNKNOWN, /* the inputs cannot determine this field */
	VC_NOTE,    /* what POST does differently where the profile leaves a choice */
};

struct vcheck {
	enum vcheck_kind kind;
	char code[40];  /* stable, e.g. "qemu-mdrt-addr-advanced" */
	char spec[24];  /* e.g. "mpipl.md 2.4" */
	char where[96]; /* e.g. "MDRT 0 src", "thread PIR 0x4 GPR5" */
	char *msg;      /* malloc'd, never cut */
};

struct verify_counts {
	unsigned regions, regions_ok;
	unsigned mdrt_entries;
	unsigned threads, threads_matched;
	unsigned registers;
	unsigned fields; /* every field compared */
};

struct verify_report {
	enum mpipl_profile profile;
	struct vcheck *v;
	size_t n, cap;
	bool oom; /* a check could not be recorded */
	struct verify_counts c;
};

/* PRE replayed (pre, after preserve), PRE as given, and POST, each analysed. */
struct verify_inputs {
	struct guest_mem *pre;
	struct guest_mem *pre_orig;
	struct guest_mem *post;
	const struct mpipl_analysis *pre_a; /* PRE before preserve (layout, tables) */
	const struct mpipl_analysis *post_a;
	const struct preserve_report *pr;   /* the replay */
	bool have_cpus;                     /* the replay had vCPU states */
};

/*
 * POST must be the same guest as PRE: same RAM ranges, same MDST and MDDT
 * (the firmware step never writes them) and the same KERNEL tag.
 * MP_EINPUT naming what differs.
 */
int verify_same_guest(const struct verify_inputs *in, struct mp_err *err);

/* Run every comparison. Only an I/O failure fails. */
int verify_compare(const struct verify_inputs *in, struct verify_report *r, struct mp_err *err);
void verify_report_free(struct verify_report *r);

size_t verify_count(const struct verify_report *r, enum vcheck_kind kind);
const char *vcheck_kind_name(enum vcheck_kind kind);

/* For the comparison files (verify.c, verify_threads.c). */
void vreport(struct verify_report *r, enum vcheck_kind kind, const char *code, const char *spec,
	     const char *where, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int verify_threads(const struct verify_inputs *in, struct verify_report *r, struct mp_err *err);

#endif
