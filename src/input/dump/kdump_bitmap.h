/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A kdump page bitmap (qemu-inputs.md 8: bit p = byte p/8, bit p%8, LSB
 * first) read from the file on demand. A rank index (set bits before each
 * chunk) turns a pfn into its page-descriptor number without holding the
 * bitmap, which reaches 1 GiB per copy once HOMER blocks sit at 2^45.
 */
#ifndef MPIPL_INPUT_DUMP_KDUMP_BITMAP_H
#define MPIPL_INPUT_DUMP_KDUMP_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "../../util/err.h"

struct kbitmap {
	int fd;
	uint64_t off;         /* byte offset of the bitmap in the file */
	uint64_t nbits;       /* pfns covered */
	const char *label;
	uint64_t chunk_bytes; /* bitmap bytes per rank entry (power of two) */
	uint64_t nchunks;
	uint64_t *rank;       /* nchunks + 1 entries: set bits before chunk i */
	uint8_t *cache;       /* one chunk */
	uint64_t cache_chunk; /* chunk in cache, UINT64_MAX: none */
};

/*
 * Scan the bitmap of nbits bits at byte offset off (the caller has checked
 * that its ceil(nbits / 8) bytes, at most 2^39, lie in the file) and build
 * the rank index (at most 4 MiB, plus a chunk of at most 1 MiB).
 */
int kbm_init(struct kbitmap *bm, int fd, uint64_t off, uint64_t nbits, const char *label,
	     struct mp_err *err);
void kbm_fini(struct kbitmap *bm);

/* Number of set bits in the whole bitmap. */
uint64_t kbm_count(const struct kbitmap *bm);

/* Whether bit pfn (< nbits) is set, and how many set bits precede it. */
int kbm_lookup(struct kbitmap *bm, uint64_t pfn, bool *set, uint64_t *rank,
	       struct mp_err *err);

/* First pfn in [pfn, end) whose bit equals want (end when none). end <= nbits. */
int kbm_find(struct kbitmap *bm, uint64_t pfn, uint64_t end, bool want, uint64_t *found,
	     struct mp_err *err);

#endif
