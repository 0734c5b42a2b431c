// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guest memory as a sorted extent map (see guest_mem.h). Extents cover the
 * RAM ranges exactly; a write or copy splits the extents at its ends and
 * replaces those in between.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_mem.h"
#include "../util/bytes.h"

struct guest_mem *gm_new(const char *path, const char *format, struct mp_err *err)
{
	struct guest_mem *gm = mp_calloc(1, sizeof(*gm), err);

	if (!gm)
		return NULL;
	snprintf(gm->path, sizeof(gm->path), "%s", path);
	snprintf(gm->format, sizeof(gm->format), "%s", format);
	return gm;
}

void gm_free(struct guest_mem *gm)
{
	if (!gm)
		return;
	for (size_t i = 0; i < gm->nextents; i++)
		gm_backing_put(gm->ext[i].backing);
	findings_free(&gm->notes);
	free(gm->ext);
	free(gm->ranges);
	free(gm->cpus);
	free(gm->salvaged_why);
	free(gm);
}

void gm_set_cpus(struct guest_mem *gm, struct vcpu_state *cpus, size_t ncpus)
{
	free(gm->cpus);
	gm->cpus = cpus;
	gm->ncpus = ncpus;
}

int gm_set_salvaged(struct guest_mem *gm, struct mp_err *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = mp_vset_str(&gm->salvaged_why, fmt, ap);
	va_end(ap);
	return rc ? mp_fail(err, MP_ENOMEM, "out of memory") : 0;
}

int gm_add_note(struct guest_mem *gm, struct mp_err *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	/* Every reader remark is about the input's format: qemu-inputs.md. */
	va_start(ap, fmt);
	rc = findings_vadd(&gm->notes, FINDING_INFO, "input-note", "qemu-inputs.md", fmt, ap);
	va_end(ap);
	return rc ? mp_fail(err, MP_ENOMEM, "out of memory") : 0;
}

/* Make room for n more extents at index at. */
static int ext_open_gap(struct guest_mem *gm, size_t at, size_t n, struct mp_err *err)
{
	if (gm->nextents + n > gm->ext_cap) {
		size_t cap = gm->ext_cap ? gm->ext_cap * 2 : 16;
		struct gm_extent *ext;

		while (cap < gm->nextents + n)
			cap *= 2;
		ext = mp_reallocarray(gm->ext, cap, sizeof(*ext), err);
		if (!ext)
			return -1;
		gm->ext = ext;
		gm->ext_cap = cap;
	}
	memmove(gm->ext + at + n, gm->ext + at, (gm->nextents - at) * sizeof(*gm->ext));
	gm->nextents += n;
	return 0;
}

static void ext_close_gap(struct guest_mem *gm, size_t at, size_t n)
{
	memmove(gm->ext + at, gm->ext + at + n, (gm->nextents - at - n) * sizeof(*gm->ext));
	gm->nextents -= n;
}

/* Index of the first extent ending after gpa (gm->nextents when none). */
static size_t ext_lower_bound(const struct guest_mem *gm, uint64_t gpa)
{
	size_t lo = 0, hi = gm->nextents;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gm_extent *e = &gm->ext[mid];

		if (e->gpa + e->len <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Ensure an extent boundary at gpa; returns the index of the extent starting there. */
static int ext_split_at(struct guest_mem *gm, uint64_t gpa, size_t *index, struct mp_err *err)
{
	size_t i = ext_lower_bound(gm, gpa);
	struct gm_extent *e;
	uint64_t head;

	if (i == gm->nextents || gm->ext[i].gpa >= gpa) {
		*index = i;
		return 0;
	}
	if (ext_open_gap(gm, i + 1, 1, err))
		return -1;
	e = &gm->ext[i];
	head = gpa - e->gpa;
	gm->ext[i + 1] = (struct gm_extent){
		.gpa = gpa,
		.len = e->len - head,
		.backing = gm_backing_get(e->backing),
		.boff = e->backing ? e->boff + head : 0,
	};
	e->len = head;
	*index = i + 1;
	return 0;
}

/* Replace the extents covering [gpa, gpa + len), all RAM, by n new ones. */
static int ext_replace(struct guest_mem *gm, uint64_t gpa, uint64_t len,
		       const struct gm_extent *repl, size_t n, struct mp_err *err)
{
	size_t first, last;

	if (ext_split_at(gm, gpa, &first, err) || ext_split_at(gm, gpa + len, &last, err))
		return -1;
	/* The second split may have shifted nothing before first: it is at or after. */
	for (size_t i = first; i < last; i++)
		gm_backing_put(gm->ext[i].backing);
	if (n > last - first) {
		size_t grow = n - (last - first);

		if (ext_open_gap(gm, last, grow, err)) {
			/* Keep the map consistent: the dropped extents become zeros. */
			for (size_t i = first; i < last; i++)
				gm->ext[i].backing = NULL;
			return -1;
		}
	} else if (n < last - first) {
		ext_close_gap(gm, first + n, (last - first) - n);
	}
	for (size_t i = 0; i < n; i++) {
		gm->ext[first + i] = repl[i];
		gm_backing_get(repl[i].backing);
	}
	return 0;
}

int gm_add_range(struct guest_mem *gm, uint64_t gpa, uint64_t size, const char *name,
		 struct gm_backing *backing, uint64_t boff, struct mp_err *err)
{
	return gm_add_range_flags(gm, gpa, size, name, 0, backing, boff, err);
}

int gm_add_range_flags(struct guest_mem *gm, uint64_t gpa, uint64_t size, const char *name,
		       unsigned flags, struct gm_backing *backing, uint64_t boff,
		       struct mp_err *err)
{
	struct gm_range *ranges;
	uint64_t end;
	size_t at = 0, ei;

	if (size == 0 || !add_u64_ok(gpa, size, &end))
		return mp_fail(err, MP_EINPUT, "%s: RAM range 0x%llx+0x%llx is empty or wraps",
			       gm->path, (unsigned long long)gpa, (unsigned long long)size);
	if (backing && (boff > backing->size || size > backing->size - boff))
		return mp_fail(err, MP_EINPUT, "%s: RAM range 0x%llx+0x%llx exceeds its data",
			       gm->path, (unsigned long long)gpa, (unsigned long long)size);
	for (size_t i = 0; i < gm->nranges; i++) {
		const struct gm_range *r = &gm->ranges[i];

		if (gpa < r->gpa + r->size && r->gpa < end)
			return mp_fail(err, MP_EINPUT,
				       "%s: RAM range 0x%llx+0x%llx overlaps range %s",
				       gm->path, (unsigned long long)gpa,
				       (unsigned long long)size, r->name);
		if (r->gpa < gpa)
			at = i + 1;
	}
	ranges = mp_reallocarray(gm->ranges, gm->nranges + 1, sizeof(*ranges), err);
	if (!ranges)
		return -1;
	gm->ranges = ranges;
	memmove(ranges + at + 1, ranges + at, (gm->nranges - at) * sizeof(*ranges));
	ranges[at] = (struct gm_range){ .gpa = gpa, .size = size, .flags = flags };
	snprintf(ranges[at].name, sizeof(ranges[at].name), "%s", name ? name : "ram");
	gm->nranges++;

	ei = ext_lower_bound(gm, gpa);
	if (ext_open_gap(gm, ei, 1, err))
		return -1;
	gm->ext[ei] = (struct gm_extent){
		.gpa = gpa,
		.len = size,
		.backing = gm_backing_get(backing),
		.boff = backing ? boff : 0,
	};
	return 0;
}

const struct gm_range *gm_only_main_range(const struct guest_mem *gm)
{
	const struct gm_range *found = NULL;

	for (size_t i = 0; i < gm->nranges; i++) {
		if (gm->ranges[i].flags & GM_RANGE_AUX)
			continue;
		if (found)
			return NULL;
		found = &gm->ranges[i];
	}
	return found;
}

uint64_t gm_ram_run(const struct guest_mem *gm, uint64_t gpa)
{
	uint64_t run = 0, at = gpa;

	for (size_t i = 0; i < gm->nranges; i++) {
		const struct gm_range *r = &gm->ranges[i];

		if (at >= r->gpa && at - r->gpa < r->size) {
			run += r->size - (at - r->gpa);
			at = r->gpa + r->size;
		}
	}
	return run;
}

bool gm_contains(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	uint64_t end;

	if (!add_u64_ok(gpa, len, &end))
		return false;
	return len == 0 || gm_ram_run(gm, gpa) >= len;
}

uint64_t gm_lowest(const struct guest_mem *gm)
{
	return gm->nranges ? gm->ranges[0].gpa : 0;
}

uint64_t gm_end(const struct guest_mem *gm)
{
	const struct gm_range *r;

	if (!gm->nranges)
		return 0;
	r = &gm->ranges[gm->nranges - 1];
	return r->gpa + r->size;
}

uint64_t gm_total_size(const struct guest_mem *gm)
{
	uint64_t total = 0;

	for (size_t i = 0; i < gm->nranges; i++)
		total += gm->ranges[i].size;
	return total;
}

static int check_ram(const struct guest_mem *gm, uint64_t gpa, uint64_t len,
		     const char *what, struct mp_err *err)
{
	if (gm_contains(gm, gpa, len))
		return 0;
	return mp_fail(err, MP_EINPUT,
		       "%s: %s of 0x%llx bytes at guest address 0x%llx is outside guest RAM",
		       gm->path, what, (unsigned long long)len, (unsigned long long)gpa);
}

int gm_read(struct guest_mem *gm, uint64_t gpa, void *buf, size_t len, struct mp_err *err)
{
	uint8_t *p = buf;
	size_t i;

	if (check_ram(gm, gpa, len, "read", err))
		return -1;
	for (i = ext_lower_bound(gm, gpa); len; i++) {
		const struct gm_extent *e = &gm->ext[i];
		uint64_t skip = gpa - e->gpa;
		size_t n = (size_t)(e->len - skip < len ? e->len - skip : len);

		if (!e->backing)
			memset(p, 0, n);
		else if (e->backing->ops->read(e->backing, e->boff + skip, p, n, err))
			return -1;
		p += n;
		gpa += n;
		len -= n;
	}
	return 0;
}

int gm_for_each_piece(const struct guest_mem *gm, uint64_t gpa, uint64_t len, gm_piece_fn fn,
		      void *ctx, struct mp_err *err)
{
	uint64_t end = gpa + len, at = gpa;

	for (size_t i = 0; i < gm->nranges && at < end; i++) {
		const struct gm_range *r = &gm->ranges[i];
		uint64_t lo = at > r->gpa ? at : r->gpa;
		uint64_t hi = end < r->gpa + r->size ? end : r->gpa + r->size;

		if (lo >= hi)
			continue;
		if (lo > at && fn(ctx, at, lo - at, false, err))
			return -1;
		if (fn(ctx, lo, hi - lo, true, err))
			return -1;
		at = hi;
	}
	if (at < end && fn(ctx, at, end - at, false, err))
		return -1;
	return 0;
}

struct lenient_read {
	struct guest_mem *gm;
	uint64_t gpa; /* address of buf[0] */
	uint8_t *buf;
};

static int read_piece(void *ctx, uint64_t gpa, uint64_t len, bool ram, struct mp_err *err)
{
	struct lenient_read *r = ctx;
	uint8_t *to = r->buf + (gpa - r->gpa);

	if (!ram) {
		memset(to, 0, (size_t)len);
		return 0;
	}
	return gm_read(r->gm, gpa, to, (size_t)len, err);
}

int gm_read_lenient(struct guest_mem *gm, uint64_t gpa, void *buf, size_t len,
		    struct mp_err *err)
{
	struct lenient_read r = { gm, gpa, buf };

	return gm_for_each_piece(gm, gpa, len, read_piece, &r, err);
}

const struct gm_extent *gm_extent_at(const struct guest_mem *gm, uint64_t gpa)
{
	size_t i = ext_lower_bound(gm, gpa);

	if (i == gm->nextents || gm->ext[i].gpa > gpa)
		return NULL;
	return &gm->ext[i];
}

int gm_write(struct guest_mem *gm, uint64_t gpa, const void *buf, size_t len,
	     struct mp_err *err)
{
	struct gm_extent e = { .gpa = gpa, .len = len };
	int rc;

	if (len == 0)
		return 0;
	if (check_ram(gm, gpa, len, "write", err))
		return -1;
	if (mem_is_zero(buf, len))
		return gm_zero(gm, gpa, len, err);
	e.backing = gm_backing_mem_new(buf, len, err);
	if (!e.backing)
		return -1;
	rc = ext_replace(gm, gpa, len, &e, 1, err);
	gm_backing_put(e.backing);
	return rc;
}

int gm_zero(struct guest_mem *gm, uint64_t gpa, uint64_t len, struct mp_err *err)
{
	struct gm_extent e = { .gpa = gpa, .len = len };

	if (len == 0)
		return 0;
	if (check_ram(gm, gpa, len, "write", err))
		return -1;
	return ext_replace(gm, gpa, len, &e, 1, err);
}

int gm_map(struct guest_mem *gm, uint64_t gpa, uint64_t len, struct gm_backing *backing,
	   uint64_t boff, struct mp_err *err)
{
	struct gm_extent e = { .gpa = gpa, .len = len, .backing = backing, .boff = boff };

	if (len == 0)
		return 0;
	if (check_ram(gm, gpa, len, "map", err))
		return -1;
	if (boff > backing->size || len > backing->size - boff)
		return mp_fail(err, MP_EINTERNAL, "%s: 0x%llx+0x%llx mapped past its backing's end",
			       gm->path, (unsigned long long)gpa, (unsigned long long)len);
	return ext_replace(gm, gpa, len, &e, 1, err);
}

/* Copies of the extents covering [src, src + len), moved to start at dst. */
static struct gm_extent *ext_snapshot(struct guest_mem *gm, uint64_t src, uint64_t len,
				      uint64_t dst, size_t *count, struct mp_err *err)
{
	size_t first = ext_lower_bound(gm, src), n = 0;
	struct gm_extent *out;
	uint64_t at = src, end = src + len;

	for (size_t i = first; i < gm->nextents && gm->ext[i].gpa < end; i++)
		n++;
	out = mp_calloc(n, sizeof(*out), err);
	if (!out)
		return NULL;
	for (size_t k = 0; k < n; k++) {
		const struct gm_extent *e = &gm->ext[first + k];
		uint64_t skip = at - e->gpa;
		uint64_t take = e->len - skip < end - at ? e->len - skip : end - at;

		out[k] = (struct gm_extent){
			.gpa = dst + (at - src),
			.len = take,
			.backing = e->backing,
			.boff = e->backing ? e->boff + skip : 0,
		};
		at += take;
	}
	*count = n;
	return out;
}

int gm_copy(struct guest_mem *gm, uint64_t dst, uint64_t src, uint64_t len,
	    struct mp_err *err)
{
	struct gm_extent *moved;
	size_t n;
	int rc;

	if (check_ram(gm, src, len, "copy source", err) ||
	    check_ram(gm, dst, len, "copy destination", err))
		return -1;
	if (len == 0 || dst == src)
		return 0;
	/* The snapshot borrows backings; ext_replace takes its own references. */
	moved = ext_snapshot(gm, src, len, dst, &n, err);
	if (!moved)
		return -1;
	for (size_t i = 0; i < n; i++)
		gm_backing_get(moved[i].backing);
	rc = ext_replace(gm, dst, len, moved, n, err);
	for (size_t i = 0; i < n; i++)
		gm_backing_put(moved[i].backing);
	free(moved);
	return rc;
}

uint64_t gm_next_data(struct guest_mem *gm, uint64_t gpa, uint64_t end)
{
	for (size_t i = ext_lower_bound(gm, gpa); i < gm->nextents && gpa < end; i++) {
		const struct gm_extent *e = &gm->ext[i];
		uint64_t from = gpa > e->gpa ? gpa : e->gpa;
		uint64_t stop = e->gpa + e->len < end ? e->gpa + e->len : end;
		uint64_t boff, found;

		if (from >= end)
			return end;
		if (!e->backing)
			continue;
		if (!e->backing->ops->next_data)
			return from;
		boff = e->boff + (from - e->gpa);
		found = e->backing->ops->next_data(e->backing, boff, boff + (stop - from));
		if (found < boff + (stop - from))
			return from + (found - boff);
	}
	return end;
}

uint64_t gm_data_run_end(struct guest_mem *gm, uint64_t gpa, uint64_t end)
{
	uint64_t at = gpa;

	for (size_t i = ext_lower_bound(gm, gpa); i < gm->nextents && at < end; i++) {
		const struct gm_extent *e = &gm->ext[i];
		uint64_t stop = e->gpa + e->len < end ? e->gpa + e->len : end;

		/* A gap between RAM ranges or a zero extent ends the run. */
		if (e->gpa > at || !e->backing)
			break;
		if (e->backing->ops->next_hole) {
			uint64_t boff = e->boff + (at - e->gpa);
			uint64_t hole = e->backing->ops->next_hole(e->backing, boff,
								    boff + (stop - at));

			if (hole < boff + (stop - at))
				return at + (hole - boff);
		}
		at = stop;
	}
	return at;
}

int gm_is_zero(struct guest_mem *gm, uint64_t gpa, uint64_t len, bool *zero,
	       struct mp_err *err)
{
	uint8_t buf[1 << 14];
	uint64_t end = gpa + len;

	if (check_ram(gm, gpa, len, "read", err))
		return -1;
	*zero = true;
	while ((gpa = gm_next_data(gm, gpa, end)) < end) {
		size_t n = end - gpa < sizeof(buf) ? (size_t)(end - gpa) : sizeof(buf);

		if (gm_read(gm, gpa, buf, n, err))
			return -1;
		if (!mem_is_zero(buf, n)) {
			*zero = false;
			return 0;
		}
		gpa += n;
	}
	return 0;
}
