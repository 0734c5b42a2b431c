/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vmcore a capture kernel would expose, as a model both writers (ELF and
 * kdump-compressed) consume: the merged notes, the program headers in order,
 * and where each PT_LOAD's bytes are in guest memory (mpipl.md 6).
 */
#ifndef MPIPL_VMCORE_VMCORE_H
#define MPIPL_VMCORE_VMCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../format/elf64.h"
#include "../mpipl/analyze.h"
#include "../guestmem/guest_mem.h"

struct vmcore_phdr {
	uint32_t type;   /* PT_LOAD or PT_NULL (the merged PT_NOTE is implicit, first) */
	uint64_t paddr;
	uint64_t size;   /* p_filesz = p_memsz */
	uint64_t offset; /* the elfcorehdr's p_offset: the physical address of the data */
};

/* Whom a CPU note stands for (for reports). */
struct vmcore_cpu {
	uint32_t pir;
	bool from_crash_header; /* the crashing CPU: pt_regs from the crash info header */
};

struct vmcore_model {
	bool big_endian;
	uint32_t e_flags;
	uint64_t page_size;
	uint32_t note_align; /* p_align of the merged PT_NOTE (4; 0 on kernels before 2023) */
	uint8_t *notes;      /* merged notes: CPU notes then VMCOREINFO, no terminator */
	size_t notes_len;
	size_t ncpu_notes;
	struct vmcore_cpu *cpus; /* ncpu_notes entries, in note order */
	size_t vmcoreinfo_off; /* offset of the VMCOREINFO note in notes (notes_len: none) */
	struct vmcore_phdr *phdrs;
	size_t nphdrs;
};

void vmcore_model_free(struct vmcore_model *m);

struct vmcore_opts {
	uint64_t page_size;          /* 0: from VMCOREINFO PAGESIZE=, else 64 KiB */
	const struct ram_range *ram; /* NULL: the input's main RAM ranges */
	size_t nram;
	/* --synthesize: the VMCOREINFO text found for the crashed kernel (NULL: none). */
	const char *vmcoreinfo;
	size_t vmcoreinfo_len;
	/*
	 * --synthesize: which vCPUs (indexes into the input's list) get notes, in
	 * note order (NULL: every vCPU in input order).
	 */
	const size_t *cpu_order;
	size_t ncpu_order;
};

/*
 * Build the model of /proc/vmcore for a post-MPIPL guest, from its
 * analysis: the capture kernel's elfcorehdr (FADMPSIG: built as
 * fadump_populate_elfcorehdr does; FADMPINF: read from memory), CPU notes
 * as opal_fadump_build_cpu_notes builds them, then the /proc/vmcore merge.
 * Fails (MP_EINPUT) in every case where the kernel exports no vmcore.
 */
int vmcore_model_build(struct guest_mem *gm, const struct mpipl_analysis *a,
		       const struct vmcore_opts *o, struct vmcore_model *m, struct findings *f,
		       struct mp_err *err);

/*
 * Only what places the PT_LOADs of a FADMPSIG registration: the VMCOREINFO
 * note (for the page size) and the program headers, no CPU notes (placing a
 * stream's pages before its vCPUs are read). Fails where vmcore_model_build
 * would, and for a legacy FADMPINF header.
 */
int vmcore_model_loads(struct guest_mem *gm, const struct mpipl_analysis *a,
		       const struct vmcore_opts *o, struct vmcore_model *m, struct findings *f,
		       struct mp_err *err);
/*
 * A plain core of all guest RAM (no fadump registration): one NT_PRSTATUS
 * per vCPU of the input (in o->cpu_order when given), the VMCOREINFO note
 * when o has one, one PT_LOAD per main RAM range, like QEMU's
 * dump-guest-memory. The page size is o->page_size, else PAGESIZE= of the
 * VMCOREINFO, else 64 KiB with a finding.
 */
int vmcore_model_synthesize(struct guest_mem *gm, const struct vmcore_opts *o, bool big_endian,
			    struct vmcore_model *m, struct findings *f, struct mp_err *err);

/*
 * The page size of the model: o->page_size, else PAGESIZE= of its VMCOREINFO
 * note, else 64 KiB (the ppc64le distribution default) with a finding.
 */
uint64_t vmcore_page_size(const struct vmcore_model *m, const struct vmcore_opts *o,
			  struct findings *f);

/* One NT_PRSTATUS note holding regs (48 pt_regs longs) and pr_pid. */
void prstatus_note(uint8_t out[PRSTATUS_NOTE_SIZE], const uint64_t regs[48], uint32_t pid,
		   bool big_endian);

/*
 * Walk an ELF note buffer as /proc/vmcore does: sum whole notes until a zero
 * namesz, the end, or a note that does not fit. Returns the bytes kept.
 */
size_t notes_walk(const uint8_t *buf, size_t len, bool big_endian);

/* The VMCOREINFO note's text (not NUL-terminated) and its length, or NULL. */
const char *vmcoreinfo_text(const struct vmcore_model *m, size_t *len);

/* Value of KEY=... in the VMCOREINFO text (NUL-terminated copy into out), or -1. */
int vmcoreinfo_get(const struct vmcore_model *m, const char *key, char *out, size_t outlen);

#endif
