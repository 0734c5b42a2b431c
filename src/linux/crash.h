/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What crashed, read from the crashed kernel's memory without a vmlinux:
 * its VMCOREINFO, release and build, the panic line of its log, the
 * panicking CPU, which CPUs were online, and each vCPU's NIP/LR resolved
 * through the kernel's kallsyms. Every part is optional: what cannot be read
 * is said (the *_error strings and findings), the rest is still answered.
 */
#ifndef MPIPL_LINUX_CRASH_H
#define MPIPL_LINUX_CRASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kallsyms.h"
#include "../mpipl/analyze.h"
#include "kmem.h"
#include "printk.h"
#include "vmcoreinfo.h"

#define LINUX_SYM_MAX 192
#define LINUX_PANIC_MAX 512

struct linux_vcpu {
	size_t vcpu;   /* index in the input's vCPU list */
	uint32_t pir;
	int logical;   /* Linux CPU number, -1 when unknown */
	bool online;
	uint64_t nip, lr;
	char nip_sym[LINUX_SYM_MAX]; /* "name+0xoff/0xsize", "" when unresolved */
	char lr_sym[LINUX_SYM_MAX];
};

struct linux_crash {
	struct kmem k;
	struct vmcoreinfo vi;
	bool have_vi;
	struct kallsyms ks;
	bool have_ks;
	/* Why each part is missing: malloc'd texts, NULL when it was read. */
	char *vi_error, *ks_error, *log_error;
	struct printk_stats log;
	char panic[LINUX_PANIC_MAX]; /* the panic line of the log, "" when none */
	int panic_cpu;               /* Linux CPU number, -1 when unknown */
	const char *panic_cpu_source;  /* crash-info-header, panic_cpu, log */
	const char *online_source;     /* __cpu_online_mask, panic, all */
	const char *logical_source;    /* paca, pir-order */
	struct linux_vcpu *cpus;       /* one per vCPU of the input */
	size_t ncpus;
};

/*
 * Read it all. ci (may be NULL) is the fadump crash info header. Fails only
 * on allocation failure; a missing VMCOREINFO leaves have_vi false with the
 * reason in vi_error.
 */
int linux_crash_read(struct guest_mem *gm, const struct crash_info *ci, const char *vmci_file,
		     struct linux_crash *c, struct findings *f, struct mp_err *err);
void linux_crash_free(struct linux_crash *c);

/*
 * The order in which a plain core's NT_PRSTATUS notes let crash put each on
 * its CPU. In an ELF core crash gives the notes, in order, to the online CPUs
 * in ascending number, so the online CPUs' notes come first, by CPU number,
 * then the others (kept for gdb and drgn, ignored by crash). In a kdump file
 * that carries a note for every CPU crash gives note i to CPU i (seen with
 * crash 9.0.2 on the fadump fixture's kdump cores), so there the notes go by
 * CPU number alone (by_cpu_number). order has ncpus slots.
 */
void linux_crash_note_order(const struct linux_crash *c, bool by_cpu_number, size_t *order);

/*
 * A post-MPIPL guest (a's MDRT is filled): copy the registered boot memory
 * back from its destinations on the overlay, so that reads see the crashed
 * kernel's memory rather than the capture kernel's. moved: anything copied.
 */
int linux_crashed_view(struct guest_mem *gm, const struct mpipl_analysis *a, bool *moved,
		       struct mp_err *err);

/* Map logical CPUs, online flags and the panicking CPU (cpus.c). */
void linux_cpus_read(struct linux_crash *c, const struct crash_info *ci);

#endif
