/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the dump-guest-memory readers (ELF and kdump): the RAM
 * ranges they find (HOMER blocks told apart from main RAM) and the vCPU
 * registers of their CORE notes (qemu-inputs.md sections 5.1 and 7).
 */
#ifndef MPIPL_INPUT_DUMP_DUMP_COMMON_H
#define MPIPL_INPUT_DUMP_DUMP_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../guestmem/guest_mem.h"

/* The processor generation, as far as a dump tells it (only HOMER blocks do). */
enum pnv_family { PNV_FAMILY_UNKNOWN, PNV_POWER8, PNV_POWER9, PNV_POWER10 };

/*
 * Add guest RAM [gpa, gpa + size) backed by b at boff. Parts inside a HOMER
 * window (qemu-inputs.md 5.1) become separate GM_RANGE_AUX ranges named
 * "homer-chipN-memory"; the rest is named "ram".
 */
int dump_add_ram(struct guest_mem *gm, uint64_t gpa, uint64_t size, struct gm_backing *b,
		 uint64_t boff, struct mp_err *err);

/* The family whose HOMER window holds one of gm's ranges, else UNKNOWN. */
enum pnv_family dump_family(const struct guest_mem *gm);

/*
 * PIR of the vCPU with this cpu_index on QEMU's default powernv topology for
 * `-smp N` (one chip, one thread per core; [hw/ppc/pnv.c] core masks and
 * core_pir): POWER8 cores 1-6, 9-14 at core << 3 (past 12 vCPUs: i << 3);
 * POWER9/10 (and UNKNOWN, taken as POWER9) core i at i << 2. Other
 * topologies (threads=, chips=) need --cpu-state.
 */
uint32_t pnv_default_pir(size_t cpu_index, enum pnv_family family);

/*
 * Parse an ELF note area (len bytes read from byte offset file_off of label)
 * in the given byte order and store one vcpu_state per CORE NT_PRSTATUS note
 * with gm_set_cpus. PIRs follow pnv_default_pir from each note's cpu_index:
 * pr_pid - 1 when every pr_pid is a distinct 1..n (QEMU >= 9.1), else the
 * note order (QEMU writes the vCPUs in cpu_index order). Call after the RAM
 * ranges are added (they tell the family). No NT_PRSTATUS: no vCPUs, a note.
 */
int dump_parse_notes(struct guest_mem *gm, const uint8_t *buf, size_t len, bool big_endian,
		     uint64_t file_off, const char *label, struct mp_err *err);

/*
 * Limits that keep memory small: vCPUs (8.5 KiB of state each; a POWER10
 * powernv tops out near 500) and the note area (1808 bytes per vCPU, section 7).
 */
#define DUMP_CPUS_MAX 2048u
#define DUMP_NOTES_MAX (4u << 20)

#endif
