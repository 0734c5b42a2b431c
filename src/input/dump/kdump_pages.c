// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The guest memory of a kdump-compressed image, page by page on demand:
 * bitmap -> descriptor -> (de)compressed page, with small caches for the
 * descriptors and the pages (qemu-inputs.md 8). Nothing is decompressed in
 * advance, so a 16 GiB guest costs no more memory than a small one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "../file_access.h"
#include "kdump.h"
#include "../../util/bytes.h"

/* Descriptors fetched per read, and the page cache's budget. */
#define DESC_BATCH 256u
#define PAGE_CACHE_BYTES (1u << 20)

struct kdesc {
	uint64_t offset;
	uint32_t size;
	uint32_t flags;
};

struct kdump_backing {
	struct gm_backing b;
	int fd;
	struct kdump_layout l;
	struct kbitmap dumped;
	uint64_t ndesc;
	uint64_t zero_off;     /* data of QEMU's shared zero page, UINT64_MAX: unknown */
	uint8_t *descs;        /* DESC_BATCH raw descriptors */
	uint64_t desc_first;   /* index of descs[0], UINT64_MAX: none */
	uint8_t *cbuf;         /* compressed bytes of one page */
	ZSTD_DCtx *zd;
	size_t nslots;
	uint8_t *pages;        /* nslots pages */
	uint64_t *slot_pfn;    /* pfn held by each slot, UINT64_MAX: empty */
};

static uint64_t desc_pos(const struct kdump_backing *kb, uint64_t idx)
{
	return kb->l.desc_off + idx * KDUMP_DESC_SIZE;
}

static int get_desc(struct kdump_backing *kb, uint64_t idx, struct kdesc *d, struct mp_err *err)
{
	const uint8_t *p;

	if (kb->desc_first == UINT64_MAX || idx < kb->desc_first ||
	    idx - kb->desc_first >= DESC_BATCH) {
		uint64_t n = kb->ndesc - idx < DESC_BATCH ? kb->ndesc - idx : DESC_BATCH;

		kb->desc_first = UINT64_MAX;
		if (pread_exact(kb->fd, kb->l.file_size, kb->descs, (size_t)n * KDUMP_DESC_SIZE,
				desc_pos(kb, idx), kb->l.label, "page descriptors", err))
			return -1;
		kb->desc_first = idx;
	}
	p = kb->descs + (idx - kb->desc_first) * KDUMP_DESC_SIZE;
	d->offset = get_u64(p, kb->l.be);
	d->size = get_u32(p + 8, kb->l.be);
	d->flags = get_u32(p + 12, kb->l.be);
	return 0;
}

static int bad_desc(const struct kdump_backing *kb, uint64_t pfn, uint64_t idx,
		    const char *what, struct mp_err *err)
{
	return mp_fail_at(err, MP_EINPUT, kb->l.label, desc_pos(kb, idx), "page descriptor of pfn "
			  "0x%llx: %s", (unsigned long long)pfn, what);
}

static int check_desc(const struct kdump_backing *kb, uint64_t pfn, uint64_t idx,
		      const struct kdesc *d, struct mp_err *err)
{
	char what[160];

	if (d->flags & (KDUMP_COMPRESSED_LZO | KDUMP_COMPRESSED_SNAPPY))
		return mp_fail_at(err, MP_EUNSUPPORTED, kb->l.label, desc_pos(kb, idx),
				  "page of pfn 0x%llx is %s-compressed: mpiplctl is built without "
				  "%s; re-dump with dump-guest-memory -z (kdump-zlib)",
				  (unsigned long long)pfn,
				  d->flags & KDUMP_COMPRESSED_LZO ? "lzo" : "snappy",
				  d->flags & KDUMP_COMPRESSED_LZO ? "liblzo2" : "libsnappy");
	if (d->flags != 0 && d->flags != KDUMP_COMPRESSED_ZLIB && d->flags != KDUMP_COMPRESSED_ZSTD) {
		snprintf(what, sizeof(what), "flags 0x%x are not one known compression", d->flags);
		return bad_desc(kb, pfn, idx, what, err);
	}
	/* Pages are stored compressed only when that makes them smaller. */
	if (d->size == 0 || d->size > kb->l.block_size ||
	    (d->flags == 0 && d->size != kb->l.block_size)) {
		snprintf(what, sizeof(what), "size %u does not fit a %u-byte page (flags 0x%x)",
			 d->size, kb->l.block_size, d->flags);
		return bad_desc(kb, pfn, idx, what, err);
	}
	if (d->offset > kb->l.file_size || d->size > kb->l.file_size - d->offset) {
		snprintf(what, sizeof(what), "data at byte offset %llu + %u runs past the end of "
			 "the file (%llu bytes)", (unsigned long long)d->offset, d->size,
			 (unsigned long long)kb->l.file_size);
		return bad_desc(kb, pfn, idx, what, err);
	}
	return 0;
}

static int decompress(struct kdump_backing *kb, uint64_t pfn, const struct kdesc *d,
		      uint8_t *out, struct mp_err *err)
{
	uint32_t bs = kb->l.block_size;
	const char *why = NULL;

	if (pread_exact(kb->fd, kb->l.file_size, kb->cbuf, d->size, d->offset, kb->l.label,
			"compressed page data", err))
		return -1;
	if (d->flags == KDUMP_COMPRESSED_ZLIB) {
		uLongf n = bs;
		int zr = uncompress(out, &n, kb->cbuf, d->size); /* zlib-wrapped (compress2) */

		if (zr != Z_OK || n != bs)
			why = zr != Z_OK ? zError(zr) : "short page";
	} else {
		size_t n = ZSTD_decompressDCtx(kb->zd, out, bs, kb->cbuf, d->size);

		if (ZSTD_isError(n) || n != bs)
			why = ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short page";
	}
	if (why)
		return mp_fail_at(err, MP_EINPUT, kb->l.label, d->offset, "%s data of pfn 0x%llx "
				  "(%u bytes) does not decompress to one page: %s",
				  d->flags == KDUMP_COMPRESSED_ZLIB ? "zlib" : "zstd",
				  (unsigned long long)pfn, d->size, why);
	return 0;
}

/* The page of pfn (< max_mapnr) into out (block_size bytes). */
static int load_page(struct kdump_backing *kb, uint64_t pfn, uint8_t *out, struct mp_err *err)
{
	struct kdesc d;
	uint64_t rank;
	bool set;

	if (kbm_lookup(&kb->dumped, pfn, &set, &rank, err))
		return -1;
	if (!set) {
		memset(out, 0, kb->l.block_size); /* not dumped (excluded): zeros */
		return 0;
	}
	if (get_desc(kb, rank, &d, err) || check_desc(kb, pfn, rank, &d, err))
		return -1;
	if (d.flags == 0)
		return pread_exact(kb->fd, kb->l.file_size, out, d.size, d.offset, kb->l.label,
				   "page data", err);
	return decompress(kb, pfn, &d, out, err);
}

static const uint8_t *cached_page(struct kdump_backing *kb, uint64_t pfn, struct mp_err *err)
{
	size_t slot = (size_t)(pfn % kb->nslots);
	uint8_t *page = kb->pages + slot * kb->l.block_size;

	if (kb->slot_pfn[slot] == pfn)
		return page;
	kb->slot_pfn[slot] = UINT64_MAX;
	if (load_page(kb, pfn, page, err))
		return NULL;
	kb->slot_pfn[slot] = pfn;
	return page;
}

static int kd_read(struct gm_backing *b, uint64_t off, void *buf, size_t len,
		   struct mp_err *err)
{
	struct kdump_backing *kb = (struct kdump_backing *)b;
	uint32_t bs = kb->l.block_size;
	uint8_t *p = buf;

	while (len) {
		uint64_t in = off % bs;
		size_t n = bs - in < len ? (size_t)(bs - in) : len;
		const uint8_t *page = cached_page(kb, off / bs, err);

		if (!page)
			return -1;
		memcpy(p, page + in, n);
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* Whether the dumped pfn's descriptor is QEMU's shared zero page; errors say "no". */
static bool is_zero_page(struct kdump_backing *kb, uint64_t pfn)
{
	struct mp_err err;
	struct kdesc d;
	uint64_t rank;
	bool set;

	if (kb->zero_off == UINT64_MAX || kbm_lookup(&kb->dumped, pfn, &set, &rank, &err) ||
	    !set || get_desc(kb, rank, &d, &err))
		return false;
	return d.flags == 0 && d.offset == kb->zero_off && d.size == kb->l.block_size;
}

static uint64_t kd_next_data(struct gm_backing *b, uint64_t off, uint64_t end)
{
	struct kdump_backing *kb = (struct kdump_backing *)b;
	uint32_t bs = kb->l.block_size;
	uint64_t pfn = off / bs, end_pfn = end / bs + (end % bs != 0);
	struct mp_err err;

	while (pfn < end_pfn) {
		uint64_t found;

		if (kbm_find(&kb->dumped, pfn, end_pfn, true, &found, &err))
			return pfn * bs > off ? pfn * bs : off; /* unknown: may be data */
		if (found >= end_pfn)
			return end;
		if (!is_zero_page(kb, found))
			return found * bs > off ? found * bs : off;
		pfn = found + 1;
	}
	return end;
}

static void kd_destroy(struct gm_backing *b)
{
	struct kdump_backing *kb = (struct kdump_backing *)b;

	close(kb->fd);
	kbm_fini(&kb->dumped);
	ZSTD_freeDCtx(kb->zd);
	free(kb->descs);
	free(kb->cbuf);
	free(kb->pages);
	free(kb->slot_pfn);
	free(kb);
}

static const struct gm_backing_ops kdump_ops = {
	.read = kd_read,
	.next_data = kd_next_data,
	.destroy = kd_destroy,
};

/* QEMU stores the shared zero page first in the data area, right after the descriptors. */
static void find_zero_page(struct kdump_backing *kb)
{
	uint64_t at = desc_pos(kb, kb->ndesc);
	struct mp_err err;

	kb->zero_off = UINT64_MAX;
	if (kb->ndesc == 0 || at > kb->l.file_size || kb->l.block_size > kb->l.file_size - at)
		return;
	if (pread_exact(kb->fd, kb->l.file_size, kb->pages, kb->l.block_size, at, kb->l.label,
			"the zero page", &err) == 0 &&
	    mem_is_zero(kb->pages, kb->l.block_size))
		kb->zero_off = at;
}

struct gm_backing *kdump_backing_new(int fd, const struct kdump_layout *l,
				     struct kbitmap *dumped, struct mp_err *err)
{
	struct kdump_backing *kb = mp_calloc(1, sizeof(*kb), err);

	if (!kb) {
		close(fd);
		kbm_fini(dumped);
		return NULL;
	}
	kb->b.ops = &kdump_ops;
	kb->b.refs = 1;
	kb->b.size = l->max_mapnr * l->block_size;
	snprintf(kb->b.label, sizeof(kb->b.label), "%s", l->label);
	kb->fd = fd;
	kb->l = *l;
	kb->l.label = kb->b.label;
	kb->dumped = *dumped;
	*dumped = (struct kbitmap){ 0 }; /* ours now */
	kb->ndesc = kbm_count(&kb->dumped);
	kb->desc_first = UINT64_MAX;
	kb->nslots = PAGE_CACHE_BYTES / l->block_size ? PAGE_CACHE_BYTES / l->block_size : 1;
	kb->descs = mp_malloc(DESC_BATCH * KDUMP_DESC_SIZE, err);
	kb->cbuf = mp_malloc(l->block_size, err);
	kb->pages = mp_malloc(kb->nslots * l->block_size, err);
	kb->slot_pfn = mp_malloc(kb->nslots * sizeof(*kb->slot_pfn), err);
	kb->zd = ZSTD_createDCtx();
	if (!kb->descs || !kb->cbuf || !kb->pages || !kb->slot_pfn || !kb->zd) {
		if (!kb->zd)
			mp_fail(err, MP_ENOMEM, "out of memory (zstd decoder)");
		kd_destroy(&kb->b);
		return NULL;
	}
	memset(kb->slot_pfn, 0xFF, kb->nslots * sizeof(*kb->slot_pfn));
	find_zero_page(kb);
	return &kb->b;
}
