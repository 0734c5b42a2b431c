// SPDX-License-Identifier: GPL-2.0-or-later
#include "bitmap.h"

#include <stdlib.h>

int bitmap_init(struct bitmap *b, uint64_t nbits, struct mp_err *err)
{
	uint64_t nwords = nbits / 64 + 1;

	b->nbits = nbits;
	b->words = mp_calloc(nwords, sizeof(*b->words), err);
	return b->words ? 0 : -1;
}

void bitmap_free(struct bitmap *b)
{
	free(b->words);
	b->words = NULL;
	b->nbits = 0;
}

/* The bits of word w that lie in [from, to). */
static uint64_t word_mask(uint64_t w, uint64_t from, uint64_t to)
{
	uint64_t lo = w * 64, mask = ~0ull;

	if (from > lo)
		mask &= ~0ull << (from - lo);
	if (to < lo + 64)
		mask &= (1ull << (to - lo)) - 1;
	return mask;
}

static void change_range(struct bitmap *b, uint64_t from, uint64_t to, int set)
{
	if (to > b->nbits)
		to = b->nbits;
	for (uint64_t w = from / 64; from < to && w <= (to - 1) / 64; w++) {
		uint64_t m = word_mask(w, from, to);

		b->words[w] = set ? b->words[w] | m : b->words[w] & ~m;
	}
}

void bitmap_set_range(struct bitmap *b, uint64_t from, uint64_t to)
{
	change_range(b, from, to, 1);
}

void bitmap_clear_range(struct bitmap *b, uint64_t from, uint64_t to)
{
	change_range(b, from, to, 0);
}

/* First bit in [from, to) equal to want, or to. */
static uint64_t next_equal(const struct bitmap *b, uint64_t from, uint64_t to, int want)
{
	uint64_t end = to < b->nbits ? to : b->nbits;

	for (uint64_t w = from / 64; from < end && w <= (end - 1) / 64; w++) {
		uint64_t bits = (want ? b->words[w] : ~b->words[w]) & word_mask(w, from, end);

		if (bits)
			return w * 64 + (uint64_t)__builtin_ctzll(bits);
	}
	/* Past nbits every bit reads clear. */
	return !want && from < to && end < to ? (from > end ? from : end) : to;
}

uint64_t bitmap_next_set(const struct bitmap *b, uint64_t from, uint64_t to)
{
	return next_equal(b, from, to, 1);
}

uint64_t bitmap_next_clear(const struct bitmap *b, uint64_t from, uint64_t to)
{
	return next_equal(b, from, to, 0);
}
