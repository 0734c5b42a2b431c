// SPDX-License-Identifier: GPL-2.0-or-later
/* Backings of guest memory: a region of an open file, or a private buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest_mem.h"
#include "../util/bitmap.h"

struct gm_backing *gm_backing_get(struct gm_backing *b)
{
	if (b)
		b->refs++;
	return b;
}

void gm_backing_put(struct gm_backing *b)
{
	if (b && --b->refs == 0)
		b->ops->destroy(b);
}

struct fd_backing {
	struct gm_backing b;
	int fd;
	bool own_fd;
	uint64_t base;
	bool seek_data_works;
	/* When set: which granules of the file may hold data (no lseek needed). */
	struct bitmap map;
	const struct bitmap *borrowed; /* the same, the caller's (gm_backing_fd_borrow_map) */
	uint64_t granule;
};

/* The map in use: borrowed, else owned, else NULL. */
static const struct bitmap *map_of(const struct fd_backing *fb)
{
	return fb->borrowed ? fb->borrowed : fb->map.words ? &fb->map : NULL;
}

static int fd_read(struct gm_backing *gb, uint64_t off, void *buf, size_t len,
		   struct mp_err *err)
{
	struct fd_backing *fb = (struct fd_backing *)gb;
	uint8_t *p = buf;
	uint64_t pos = fb->base + off;

	while (len) {
		ssize_t n = pread(fb->fd, p, len, (off_t)pos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mp_fail_errno(err, "%s: read at byte offset %llu", gb->label,
					     (unsigned long long)pos);
		if (n == 0)
			return mp_fail(err, MP_EINPUT,
				       "%s: unexpected end of file at byte offset %llu "
				       "(file shrank while reading?)",
				       gb->label, (unsigned long long)pos);
		p += n;
		pos += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* The granule holding file offset x. */
static uint64_t granule_of(const struct fd_backing *fb, uint64_t x)
{
	return x / fb->granule;
}

/* Granules needed to cover file bytes [0, x). */
static uint64_t granules_to(const struct fd_backing *fb, uint64_t x)
{
	return x / fb->granule + (x % fb->granule != 0);
}

/* A found granule index back to a backing offset, kept inside [off, end]. */
static uint64_t offset_of(const struct fd_backing *fb, uint64_t g, uint64_t off, uint64_t end)
{
	uint64_t at = g >= granules_to(fb, fb->base + end) ? fb->base + end : g * fb->granule;

	at -= fb->base;
	return at < off ? off : at > end ? end : at;
}

static uint64_t map_next_data(const struct fd_backing *fb, uint64_t off, uint64_t end)
{
	return offset_of(fb,
			 bitmap_next_set(map_of(fb), granule_of(fb, fb->base + off),
					 granules_to(fb, fb->base + end)),
			 off, end);
}

static uint64_t map_next_hole(const struct fd_backing *fb, uint64_t off, uint64_t end)
{
	return offset_of(fb,
			 bitmap_next_clear(map_of(fb), granule_of(fb, fb->base + off),
					   granules_to(fb, fb->base + end)),
			 off, end);
}

static uint64_t fd_next_data(struct gm_backing *gb, uint64_t off, uint64_t end)
{
	struct fd_backing *fb = (struct fd_backing *)gb;
	off_t r;

	if (map_of(fb) && off < end)
		return map_next_data(fb, off, end);
	if (!fb->seek_data_works || off >= end)
		return off;
	r = lseek(fb->fd, (off_t)(fb->base + off), SEEK_DATA);
	if (r < 0) {
		/* ENXIO: no data after off; anything else: no hole support. */
		if (errno == ENXIO)
			return end;
		fb->seek_data_works = false;
		return off;
	}
	if ((uint64_t)r < fb->base + off)
		return off;
	if ((uint64_t)r - fb->base >= end)
		return end;
	return (uint64_t)r - fb->base;
}

static uint64_t fd_next_hole(struct gm_backing *gb, uint64_t off, uint64_t end)
{
	struct fd_backing *fb = (struct fd_backing *)gb;
	off_t r;

	if (map_of(fb) && off < end)
		return map_next_hole(fb, off, end);
	if (!fb->seek_data_works || off >= end)
		return end;
	r = lseek(fb->fd, (off_t)(fb->base + off), SEEK_HOLE);
	if (r < 0 || (uint64_t)r < fb->base + off || (uint64_t)r - fb->base >= end)
		return end;
	return (uint64_t)r - fb->base;
}

static void fd_destroy(struct gm_backing *gb)
{
	struct fd_backing *fb = (struct fd_backing *)gb;

	if (fb->own_fd)
		close(fb->fd);
	bitmap_free(&fb->map);
	free(fb);
}

static const struct gm_backing_ops fd_ops = {
	.read = fd_read,
	.next_data = fd_next_data,
	.next_hole = fd_next_hole,
	.destroy = fd_destroy,
};

struct gm_backing *gm_backing_fd_new(int fd, bool own_fd, uint64_t base, uint64_t size,
				     const char *label, struct mp_err *err)
{
	struct fd_backing *fb = mp_calloc(1, sizeof(*fb), err);

	if (!fb)
		return NULL;
	fb->b.ops = &fd_ops;
	fb->b.refs = 1;
	fb->b.size = size;
	snprintf(fb->b.label, sizeof(fb->b.label), "%s", label);
	fb->fd = fd;
	fb->own_fd = own_fd;
	fb->base = base;
	fb->seek_data_works = true;
	return &fb->b;
}

void gm_backing_fd_set_map(struct gm_backing *b, struct bitmap *map, uint64_t granule)
{
	struct fd_backing *fb = (struct fd_backing *)b;

	bitmap_free(&fb->map);
	fb->map = *map;
	fb->granule = granule;
	*map = (struct bitmap){ 0 };
}

void gm_backing_fd_borrow_map(struct gm_backing *b, const struct bitmap *map, uint64_t granule)
{
	struct fd_backing *fb = (struct fd_backing *)b;

	fb->borrowed = map;
	fb->granule = granule;
}

bool gm_backing_fd_has_map(const struct gm_backing *b)
{
	return b && b->ops == &fd_ops && map_of((const struct fd_backing *)b);
}

int gm_backing_fd(const struct gm_backing *b, uint64_t *base)
{
	const struct fd_backing *fb = (const struct fd_backing *)b;

	if (!b || b->ops != &fd_ops)
		return -1;
	*base = fb->base;
	return fb->fd;
}

struct mem_backing {
	struct gm_backing b;
	uint8_t data[];
};

static int mem_read(struct gm_backing *gb, uint64_t off, void *buf, size_t len,
		    struct mp_err *err)
{
	struct mem_backing *mb = (struct mem_backing *)gb;

	(void)err;
	memcpy(buf, mb->data + off, len);
	return 0;
}

static void mem_destroy(struct gm_backing *gb)
{
	free(gb);
}

static const struct gm_backing_ops mem_ops = {
	.read = mem_read,
	.next_data = NULL,
	.next_hole = NULL,
	.destroy = mem_destroy,
};

struct gm_backing *gm_backing_mem_new(const void *data, size_t len, struct mp_err *err)
{
	struct mem_backing *mb;

	if (len > SIZE_MAX - sizeof(*mb)) {
		mp_fail(err, MP_ENOMEM, "out of memory (%zu bytes)", len);
		return NULL;
	}
	mb = mp_malloc(sizeof(*mb) + len, err);
	if (!mb)
		return NULL;
	memset(&mb->b, 0, sizeof(mb->b));
	mb->b.ops = &mem_ops;
	mb->b.refs = 1;
	mb->b.size = len;
	snprintf(mb->b.label, sizeof(mb->b.label), "(written data)");
	memcpy(mb->data, data, len);
	return &mb->b;
}
