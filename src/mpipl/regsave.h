/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CPU register save data (mpipl.md 4): building the per-thread records the
 * firmware writes at the processor dump area's alloc_addr, and parsing them
 * back exactly as Linux's opal_fadump_build_cpu_notes does.
 */
#ifndef MPIPL_MPIPL_REGSAVE_H
#define MPIPL_MPIPL_REGSAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hdat.h"
#include "../guestmem/vcpu.h"

/*
 * How the preserve step is done (mpipl.md 9 has what differs between the
 * QEMU patch versions).
 */
enum mpipl_profile {
	PROFILE_HDAT,           /* what firmware is specified to do */
	PROFILE_QEMU,           /* the QEMU patch the golden cycle ran (QM-L): 66 registers */
	PROFILE_QEMU_V2,        /* the v2 mails (2025-12-06): 34 registers, GPRs, NIP, MSR */
	PROFILE_QEMU_CHUNK_CARRY, /* snapshot 075a2bb6 (QM): 66 registers, chunk counter kept
				   * across MDST entries */
};

/* Every profile, in the order reports list them. */
extern const enum mpipl_profile mpipl_profiles[];
extern const size_t mpipl_nprofiles;

const char *profile_name(enum mpipl_profile p);
/* Every profile but hdat reproduces a QEMU patch version. */
bool profile_is_qemu(enum mpipl_profile p);
int profile_parse_name(const char *s, enum mpipl_profile *p);

/* QEMU saves 66 registers per thread (mpipl.md 4.4); the v2 mails saved 34. */
#define QEMU_REG_COUNT 66u
#define QEMU_V2_REG_COUNT 34u
/* The hdat profile adds CR as pseudo-SPR 0x7D2, which Linux maps to ccr. */
#define HDAT_REG_COUNT 67u

/* Register entries per thread, thread_size, and the header's offset field. */
uint32_t regsave_count(enum mpipl_profile p);
uint32_t regsave_thread_size(enum mpipl_profile p);
uint32_t regsave_offset_field(enum mpipl_profile p);

/* Write one thread record (regsave_thread_size(p) bytes) for cpu. */
void regsave_build(const struct vcpu_state *cpu, enum mpipl_profile p, uint8_t *out);

/*
 * Apply one register entry to pt_regs longs (NT_PRSTATUS slot order), as
 * Linux does: GPR type with num < 32, otherwise the SPR numbers it knows.
 */
void regsave_apply(uint64_t regs[48], uint32_t type, uint32_t num, uint64_t val);

/*
 * Parse one thread record the way Linux does: entries start at
 * 8 + first->offset from the record and follow the first thread's ecnt and
 * esize. rec holds len bytes; returns -1 when the entries run past len.
 */
int regsave_parse(const uint8_t *rec, size_t len, const struct thread_hdr *first,
		  uint64_t regs[48]);

/* Bytes a record spans under first's header (for bounds checks). */
uint64_t regsave_span(const struct thread_hdr *first);

#endif
