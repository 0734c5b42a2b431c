/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A plain bit array with range set/clear and "next set / next clear bit"
 * searches a 64-bit word at a time. The decoded-RAM temporary file keeps one
 * bit per page it wrote, so hole searches cost no system call (SEEK_DATA on
 * a file still in the page cache walks it page by page).
 */
#ifndef MPIPL_UTIL_BITMAP_H
#define MPIPL_UTIL_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct bitmap {
	uint64_t *words;
	uint64_t nbits;
};

/* All nbits clear. */
int bitmap_init(struct bitmap *b, uint64_t nbits, struct mp_err *err);
void bitmap_free(struct bitmap *b);

/* Bits [from, to) set or cleared; clipped to nbits. */
void bitmap_set_range(struct bitmap *b, uint64_t from, uint64_t to);
void bitmap_clear_range(struct bitmap *b, uint64_t from, uint64_t to);

/* Bit i (clear past nbits): the per-page question, without a search. */
static inline bool bitmap_test(const struct bitmap *b, uint64_t i)
{
	return i < b->nbits && (b->words[i / 64] >> (i % 64) & 1);
}

/* First set (clear) bit in [from, to), or to; bits past nbits read clear. */
uint64_t bitmap_next_set(const struct bitmap *b, uint64_t from, uint64_t to);
uint64_t bitmap_next_clear(const struct bitmap *b, uint64_t from, uint64_t to);

#endif
