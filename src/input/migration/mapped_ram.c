// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mapped-ram files (QEMU 9.0+ `file:` migration with capability mapped-ram,
 * spec qemu-inputs.md 4.5): each RAM block has a fixed region of the file,
 * page i at pages_offset + i * 4096, present iff bit i of the block's bitmap
 * is set. Guest memory reads those pages in place through a backing that
 * consults the bitmap; nothing is copied.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migration_priv.h"
#include "../../util/bytes.h"

/* MappedRamHeader: be32 version, be64 page_size, bitmap_offset, pages_offset (packed). */
#define MR_HDR_SIZE 28
/* MAPPED_RAM_HDR_VERSION; the loader refuses newer ones. */
#define MR_VERSION 1u

struct mr_backing {
	struct gm_backing b;
	int fd;
	uint64_t pages_foff; /* file offset of page 0 */
	uint64_t npages;
	uint8_t *bitmap;
};

/*
 * The bitmap is an array of host `unsigned long`s; the stream does not say
 * the host's byte order. Little-endian hosts (x86_64, ppc64le) are assumed
 * (spec 12.1): bit i is bit i % 8 of byte i / 8.
 */
static bool page_present(const struct mr_backing *m, uint64_t page)
{
	return page < m->npages && (m->bitmap[page / 8] >> (page % 8)) & 1;
}

static int mr_read(struct gm_backing *gb, uint64_t off, void *buf, size_t len,
		   struct mp_err *err)
{
	struct mr_backing *m = (struct mr_backing *)gb;
	uint8_t *p = buf;

	while (len) {
		uint64_t page = off / MIG_PAGE_SIZE, last = page + 1;
		bool present = page_present(m, page);
		size_t n;

		/* One pread (or memset) per run of pages with the same bit. */
		while ((last - page) * MIG_PAGE_SIZE < len + off % MIG_PAGE_SIZE &&
		       page_present(m, last) == present)
			last++;
		n = last * MIG_PAGE_SIZE - off < len ? (size_t)(last * MIG_PAGE_SIZE - off) : len;
		if (!present) {
			memset(p, 0, n);
		} else {
			size_t got = 0;

			while (got < n) {
				ssize_t r = pread(m->fd, p + got, n - got,
						  (off_t)(m->pages_foff + off + got));

				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0)
					return mp_fail_errno(err, "%s: read at byte offset %llu",
							     gb->label,
							     (unsigned long long)(m->pages_foff +
										  off + got));
				if (r == 0)
					return mp_fail(err, MP_EINPUT,
						       "%s: unexpected end of file at byte offset "
						       "%llu (file shrank while reading?)",
						       gb->label,
						       (unsigned long long)(m->pages_foff + off +
									    got));
				got += (size_t)r;
			}
		}
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static uint64_t mr_next_data(struct gm_backing *gb, uint64_t off, uint64_t end)
{
	struct mr_backing *m = (struct mr_backing *)gb;
	uint64_t page = off / MIG_PAGE_SIZE;

	while (page < m->npages && page * MIG_PAGE_SIZE < end) {
		/* Whole zero bytes of the bitmap: 8 absent pages at a time. */
		if (page % 8 == 0 && m->bitmap[page / 8] == 0) {
			page += 8;
			continue;
		}
		if (page_present(m, page))
			return page * MIG_PAGE_SIZE > off ? page * MIG_PAGE_SIZE : off;
		page++;
	}
	return end;
}

static uint64_t mr_next_hole(struct gm_backing *gb, uint64_t off, uint64_t end)
{
	struct mr_backing *m = (struct mr_backing *)gb;
	uint64_t page = off / MIG_PAGE_SIZE;

	while (page * MIG_PAGE_SIZE < end) {
		/* Whole 0xFF bytes of the bitmap: 8 present pages at a time. */
		if (page % 8 == 0 && page + 8 <= m->npages && m->bitmap[page / 8] == 0xFF) {
			page += 8;
			continue;
		}
		if (!page_present(m, page))
			return page * MIG_PAGE_SIZE > off ? page * MIG_PAGE_SIZE : off;
		page++;
	}
	return end;
}

static void mr_destroy(struct gm_backing *gb)
{
	struct mr_backing *m = (struct mr_backing *)gb;

	close(m->fd);
	free(m->bitmap);
	free(m);
}

static const struct gm_backing_ops mr_ops = {
	.read = mr_read,
	.next_data = mr_next_data,
	.next_hole = mr_next_hole,
	.destroy = mr_destroy,
};

/* QEMU: BITS_TO_LONGS(pages) * sizeof(unsigned long), 8-byte longs on 64-bit hosts. */
static uint64_t bitmap_bytes(uint64_t length)
{
	return (length / MIG_PAGE_SIZE + 63) / 64 * 8;
}

/* Whether [off, off + len) lies inside the data the source holds. */
static bool in_file(const struct mig *g, uint64_t off, uint64_t len)
{
	uint64_t end;

	return off >= g->src.delta && add_u64_ok(off, len, &end) && end <= g->src.end;
}

int mapped_ram_block_header(struct mig *g, struct ram_block *b, struct mp_err *err)
{
	uint64_t at = ms_tell(&g->src), page_size;
	uint8_t h[MR_HDR_SIZE];
	uint32_t version;

	if (ms_read(&g->src, h, sizeof(h), "mapped-ram header", err))
		return -1;
	version = get_be32(h);
	page_size = get_be64(h + 4);
	b->mr_bitmap_off = get_be64(h + 12);
	b->mr_pages_off = get_be64(h + 20);
	if (version > MR_VERSION) {
		return mp_fail_at(err, MP_EINPUT, g->path, at,
				  "mapped-ram block '%s': header version %u is newer than %u",
				  b->idstr, version, MR_VERSION);
	}
	/* Both 0: an x-ignore-shared block with no data; the stream goes on here. */
	if (b->mr_bitmap_off == 0 && b->mr_pages_off == 0) {
		b->mr_empty = true;
		return 0;
	}
	if (page_size != MIG_PAGE_SIZE) {
		return mp_fail_at(err, MP_EINPUT, g->path, at,
				  "mapped-ram block '%s': page size %llu is not 4096", b->idstr,
				  (unsigned long long)page_size);
	}
	if (b->mr_pages_off % MIG_PAGE_SIZE)
		return mp_fail_at(err, MP_EINPUT, g->path, at, "mapped-ram block '%s': pages "
				  "offset is not page-aligned", b->idstr);
	if (!in_file(g, b->mr_bitmap_off, bitmap_bytes(b->length)))
		return mp_fail_at(err, MP_EINPUT, g->path, at, "mapped-ram block '%s': bitmap lies "
				  "beyond the end of the file", b->idstr);
	if (!in_file(g, b->mr_pages_off, b->length))
		return mp_fail_at(err, MP_EINPUT, g->path, at, "mapped-ram block '%s': pages lie "
				  "beyond the end of the file", b->idstr);
	/* The stream resumes after the block's page region. */
	return ms_seek(&g->src, b->mr_pages_off + b->length, err);
}

int mapped_ram_add_range(struct mig *g, const struct ram_block *b, struct mp_err *err)
{
	uint64_t nbytes = bitmap_bytes(b->length);
	struct mr_backing *m;
	int rc;

	if (b->mr_empty) {
		if (gm_add_note(g->gm, err,
				"RAM block '%s' has no pages in the file (x-ignore-shared): its "
				"contents live in the shared memory-backend file; read as zeros",
				b->idstr))
			return -1;
		return gm_add_range_flags(g->gm, b->gpa, b->length, b->idstr, b->flags, NULL, 0,
					  err);
	}
	m = mp_calloc(1, sizeof(*m), err);
	if (!m)
		return -1;
	m->b.ops = &mr_ops;
	m->b.refs = 1;
	m->b.size = b->length;
	snprintf(m->b.label, sizeof(m->b.label), "%s", g->path);
	m->npages = b->length / MIG_PAGE_SIZE;
	m->pages_foff = b->mr_pages_off - g->src.delta;
	m->fd = dup(g->src.fd);
	m->bitmap = mp_malloc(nbytes ? (size_t)nbytes : 1, err);
	if (m->fd < 0 || !m->bitmap) {
		if (m->fd < 0)
			mp_fail_errno(err, "%s: dup", g->path);
		if (m->fd >= 0)
			close(m->fd);
		free(m->bitmap);
		free(m);
		return -1;
	}
	if (ms_pread(&g->src, m->bitmap, (size_t)nbytes, b->mr_bitmap_off, err) < 0) {
		gm_backing_put(&m->b);
		return -1;
	}
	rc = gm_add_range_flags(g->gm, b->gpa, b->length, b->idstr, b->flags, &m->b, 0, err);
	gm_backing_put(&m->b);
	return rc;
}
