// SPDX-License-Identifier: GPL-2.0-or-later
#include "kdump_bitmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../file_access.h"

/* Rank entries kept at most (8 bytes each); chunks grow past 4 KiB to stay under. */
#define MAX_CHUNKS (1u << 19)
#define MIN_CHUNK 4096u

static uint64_t chunk_len(const struct kbitmap *bm, uint64_t c)
{
	uint64_t bytes = (bm->nbits + 7) / 8, start = c * bm->chunk_bytes;

	return bytes - start < bm->chunk_bytes ? bytes - start : bm->chunk_bytes;
}

static int load_chunk(struct kbitmap *bm, uint64_t c, struct mp_err *err)
{
	uint64_t len = chunk_len(bm, c), at = bm->off + c * bm->chunk_bytes;
	uint64_t tail = bm->nbits - c * bm->chunk_bytes * 8; /* bits from this chunk on */

	if (bm->cache_chunk == c)
		return 0;
	bm->cache_chunk = UINT64_MAX;
	if (pread_exact(bm->fd, UINT64_MAX, bm->cache, (size_t)len, at, bm->label,
			"the kdump bitmap", err))
		return -1;
	/* Bits past nbits in the last byte are not pages: clear them. */
	if (tail < len * 8)
		bm->cache[tail / 8] &= (uint8_t)((1u << (tail % 8)) - 1);
	memset(bm->cache + len, 0, (size_t)(bm->chunk_bytes - len));
	bm->cache_chunk = c;
	return 0;
}

static uint64_t popcount_bytes(const uint8_t *p, uint64_t n)
{
	uint64_t count = 0, i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		count += (uint64_t)__builtin_popcountll(w);
	}
	for (; i < n; i++)
		count += (uint64_t)__builtin_popcount(p[i]);
	return count;
}

/*
 * First offset >= at holding data (SEEK_DATA), or UINT64_MAX when the
 * descriptor cannot tell holes (then every chunk is read).
 */
static uint64_t next_data_off(int fd, uint64_t at)
{
	off_t r = lseek(fd, (off_t)at, SEEK_DATA);

	if (r >= 0)
		return (uint64_t)r;
	return errno == ENXIO ? UINT64_MAX - 1 : UINT64_MAX;
}

static int build_rank(struct kbitmap *bm, struct mp_err *err)
{
	uint64_t total = 0, data_at = 0;
	bool holes = true;

	for (uint64_t c = 0; c < bm->nchunks; c++) {
		uint64_t start = bm->off + c * bm->chunk_bytes;

		bm->rank[c] = total;
		if (holes && data_at < start + chunk_len(bm, c)) {
			data_at = next_data_off(bm->fd, start);
			holes = data_at != UINT64_MAX;
		}
		if (holes && data_at >= start + chunk_len(bm, c))
			continue; /* a hole of the (sparse) file: all zero */
		if (load_chunk(bm, c, err))
			return -1;
		total += popcount_bytes(bm->cache, bm->chunk_bytes);
	}
	bm->rank[bm->nchunks] = total;
	return 0;
}

int kbm_init(struct kbitmap *bm, int fd, uint64_t off, uint64_t nbits, const char *label,
	     struct mp_err *err)
{
	uint64_t bytes = (nbits + 7) / 8;

	memset(bm, 0, sizeof(*bm));
	bm->fd = fd;
	bm->off = off;
	bm->nbits = nbits;
	bm->label = label;
	bm->cache_chunk = UINT64_MAX;
	bm->chunk_bytes = MIN_CHUNK;
	while (bytes / bm->chunk_bytes >= MAX_CHUNKS)
		bm->chunk_bytes *= 2;
	bm->nchunks = (bytes + bm->chunk_bytes - 1) / bm->chunk_bytes;
	bm->rank = mp_calloc((size_t)bm->nchunks + 1, sizeof(*bm->rank), err);
	bm->cache = mp_malloc((size_t)bm->chunk_bytes, err);
	if (!bm->rank || !bm->cache || build_rank(bm, err)) {
		kbm_fini(bm);
		return -1;
	}
	return 0;
}

void kbm_fini(struct kbitmap *bm)
{
	free(bm->rank);
	free(bm->cache);
	bm->rank = NULL;
	bm->cache = NULL;
}

uint64_t kbm_count(const struct kbitmap *bm)
{
	return bm->rank[bm->nchunks];
}

int kbm_lookup(struct kbitmap *bm, uint64_t pfn, bool *set, uint64_t *rank,
	       struct mp_err *err)
{
	uint64_t c = pfn / 8 / bm->chunk_bytes, bit = pfn - c * bm->chunk_bytes * 8;

	if (bm->rank[c] == bm->rank[c + 1]) {
		*set = false; /* an all-zero chunk needs no read */
		*rank = bm->rank[c];
		return 0;
	}
	if (load_chunk(bm, c, err))
		return -1;
	*set = bm->cache[bit / 8] >> (bit % 8) & 1;
	*rank = bm->rank[c] + popcount_bytes(bm->cache, bit / 8) +
		(uint64_t)__builtin_popcount(bm->cache[bit / 8] & ((1u << (bit % 8)) - 1));
	return 0;
}

int kbm_find(struct kbitmap *bm, uint64_t pfn, uint64_t end, bool want, uint64_t *found,
	     struct mp_err *err)
{
	uint64_t bits_per_chunk = bm->chunk_bytes * 8;

	while (pfn < end) {
		uint64_t c = pfn / bits_per_chunk, set = bm->rank[c + 1] - bm->rank[c];
		uint64_t chunk_end = (c + 1) * bits_per_chunk;

		/* A chunk that is all zero (or all one) cannot hold what we look for. */
		if ((want && set == 0) || (!want && set == chunk_len(bm, c) * 8)) {
			pfn = chunk_end;
			continue;
		}
		if (load_chunk(bm, c, err))
			return -1;
		while (pfn < end && pfn < chunk_end) {
			uint64_t bit = pfn - c * bits_per_chunk;
			uint8_t byte = bm->cache[bit / 8];

			if (bit % 8 == 0 && byte == (want ? 0x00 : 0xFF)) {
				pfn += 8; /* a whole byte without a match */
				continue;
			}
			if ((byte >> (bit % 8) & 1) == want) {
				*found = pfn;
				return 0;
			}
			pfn++;
		}
	}
	*found = end;
	return 0;
}
