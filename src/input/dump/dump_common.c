// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RAM ranges of a dump-guest-memory file and the PowerNV default PIRs: a dump
 * names no RAM block and records no PIR, so both are derived here from
 * addresses and vCPU order (qemu-inputs.md 5.1, 7).
 */
#include <stdio.h>

#include "dump_common.h"
#include "../../format/powernv.h"

/* HOMER blocks (src/format/powernv.h). */
#define HOMER_CHIP_SIZE PNV_HOMER_SIZE
/* Chips we look for: QEMU's -machine chips= is far below this. */
#define HOMER_MAX_CHIPS 64

static const struct {
	enum pnv_family family;
	uint64_t base;
} homer_windows[] = {
	{ PNV_POWER8, PNV8_HOMER_BASE },
	{ PNV_POWER9, PNV9_HOMER_BASE },
	{ PNV_POWER10, PNV10_HOMER_BASE },
};

#define N_WINDOWS (sizeof(homer_windows) / sizeof(homer_windows[0]))

/* Index of the window holding gpa, or -1. */
static int homer_window_of(uint64_t gpa)
{
	for (size_t i = 0; i < N_WINDOWS; i++) {
		uint64_t base = homer_windows[i].base;

		if (gpa >= base && gpa - base < HOMER_CHIP_SIZE * HOMER_MAX_CHIPS)
			return (int)i;
	}
	return -1;
}

/* Start of the first window above gpa, or UINT64_MAX. */
static uint64_t next_window_start(uint64_t gpa)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < N_WINDOWS; i++)
		if (homer_windows[i].base > gpa && homer_windows[i].base < next)
			next = homer_windows[i].base;
	return next;
}

int dump_add_ram(struct guest_mem *gm, uint64_t gpa, uint64_t size, struct gm_backing *b,
		 uint64_t boff, struct mp_err *err)
{
	while (size) {
		int w = homer_window_of(gpa);
		char name[GM_RANGE_NAME_MAX];
		unsigned flags = 0;
		uint64_t len, stop;

		if (w >= 0) {
			uint64_t rel = gpa - homer_windows[w].base;

			/* One range per chip's 4 MiB block, as QEMU has one RAM block each. */
			stop = homer_windows[w].base + (rel / HOMER_CHIP_SIZE + 1) * HOMER_CHIP_SIZE;
			snprintf(name, sizeof(name), "homer-chip%llu-memory",
				 (unsigned long long)(rel / HOMER_CHIP_SIZE));
			flags = GM_RANGE_AUX;
		} else {
			stop = next_window_start(gpa);
			snprintf(name, sizeof(name), "ram");
		}
		len = stop - gpa < size ? stop - gpa : size;
		if (gm_add_range_flags(gm, gpa, len, name, flags, b, boff, err))
			return -1;
		gpa += len;
		boff += len;
		size -= len;
	}
	return 0;
}

enum pnv_family dump_family(const struct guest_mem *gm)
{
	for (size_t i = 0; i < gm->nranges; i++) {
		int w = homer_window_of(gm->ranges[i].gpa);

		if (w >= 0)
			return homer_windows[w].family;
	}
	return PNV_FAMILY_UNKNOWN;
}

/* [hw/ppc/pnv.c] POWER8_CORE_MASK: the core ids a POWER8 chip enables, lowest first. */
#define POWER8_CORE_MASK 0x7e7eull

uint32_t pnv_default_pir(size_t cpu_index, enum pnv_family family)
{
	if (family == PNV_POWER8) {
		size_t seen = 0;

		/* PIR = (chip_id << 7) | (core_id << 3) | thread, chip 0. */
		for (unsigned core = 0; core < 16; core++)
			if ((POWER8_CORE_MASK >> core & 1) && seen++ == cpu_index)
				return core << 3;
		return (uint32_t)(cpu_index << 3);
	}
	/* POWER9/10: (chip_id << 8) | (core_id << 2) | thread, chip 0, cores from 0. */
	return (uint32_t)(cpu_index << 2);
}
