/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest memory: the one interface every input reader produces and every
 * consumer (MPIPL tables, preserve, vmcore) uses.
 *
 * Guest RAM is a set of guest-physical ranges. Each byte of a range is backed
 * by an extent: a run of bytes in a backing (an input file, a decompressed
 * temporary file, a memory buffer) or zeros. Writes and copies never touch a
 * backing: they replace extents (a copy re-points the destination at the
 * source's extents), so the input stays unmodified and a multi-GiB copy costs
 * nothing until the result is written out.
 */
#ifndef MPIPL_GUESTMEM_GUEST_MEM_H
#define MPIPL_GUESTMEM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "../util/findings.h"
#include "vcpu.h"

struct gm_backing;

struct gm_backing_ops {
	/* Read len bytes at offset off; off + len <= size is guaranteed. */
	int (*read)(struct gm_backing *b, uint64_t off, void *buf, size_t len,
		    struct mp_err *err);
	/*
	 * First offset in [off, end) that may hold non-zero bytes, or end.
	 * NULL means "no hole knowledge": every byte may be data.
	 */
	uint64_t (*next_data)(struct gm_backing *b, uint64_t off, uint64_t end);
	/*
	 * First offset in [off, end) known to start a hole (all zero), or end.
	 * NULL: no hole knowledge.
	 */
	uint64_t (*next_hole)(struct gm_backing *b, uint64_t off, uint64_t end);
	void (*destroy)(struct gm_backing *b);
};

struct gm_backing {
	const struct gm_backing_ops *ops;
	unsigned refs;
	uint64_t size;
	bool temporary;  /* a private temporary file: it may be linked into place */
	char label[256]; /* file name for messages */
};

/* Take and drop references; the backing is destroyed with its last one. */
struct gm_backing *gm_backing_get(struct gm_backing *b);
void gm_backing_put(struct gm_backing *b);

/*
 * A backing over bytes [base, base + size) of an open file. With own_fd the
 * descriptor is closed with the backing. Holes are found with SEEK_DATA.
 */
struct gm_backing *gm_backing_fd_new(int fd, bool own_fd, uint64_t base, uint64_t size,
				     const char *label, struct mp_err *err);
/*
 * Hand an fd backing the map of its file's granule-sized pieces that may hold
 * data (bit i: file bytes [i * granule, (i + 1) * granule)), taken over and
 * left empty: holes are then found without SEEK_DATA. The map must stay true:
 * only for a file nobody writes behind the backing's back.
 */
struct bitmap;
void gm_backing_fd_set_map(struct gm_backing *b, struct bitmap *map, uint64_t granule);
/*
 * The same with a map that stays the caller's, read as it changes (a decoder
 * still writing the file): it must outlive the backing.
 */
void gm_backing_fd_borrow_map(struct gm_backing *b, const struct bitmap *map, uint64_t granule);
/* Whether b is an fd backing that was given such a map. */
bool gm_backing_fd_has_map(const struct gm_backing *b);

/* The descriptor of a backing made by gm_backing_fd_new, else -1. */
int gm_backing_fd(const struct gm_backing *b, uint64_t *base);

/* A backing holding a private copy of len bytes. */
struct gm_backing *gm_backing_mem_new(const void *data, size_t len, struct mp_err *err);

#define GM_RANGE_NAME_MAX 64

/* A range that is not main RAM (HOMER, option ROM): left out unless asked. */
#define GM_RANGE_AUX 0x1u

struct gm_range {
	uint64_t gpa;
	uint64_t size;
	unsigned flags;
	char name[GM_RANGE_NAME_MAX]; /* RAM block name, e.g. "pnv.ram" */
};

/* A span of guest-physical addresses [start, end). */
struct ram_range {
	uint64_t start;
	uint64_t end;
};

struct gm_extent {
	uint64_t gpa;
	uint64_t len;
	struct gm_backing *backing; /* NULL: zeros */
	uint64_t boff;              /* offset of gpa's byte in backing */
};

struct guest_mem {
	char path[512];   /* the input as the user named it */
	char format[128]; /* "raw", "raw, zstd-compressed", ... */
	struct gm_range *ranges;
	size_t nranges;
	struct gm_extent *ext;
	size_t nextents; /* extents in use, sorted by gpa */
	size_t ext_cap;
	struct vcpu_state *cpus; /* vCPU registers, when the input carries them */
	size_t ncpus;
	/* Reader remarks for inspect ("vmdesc missing: ..."), level info. */
	struct findings notes;
	/* --salvage: why reading ended early (malloc'd; NULL: read whole). */
	char *salvaged_why;
};

struct guest_mem *gm_new(const char *path, const char *format, struct mp_err *err);
void gm_free(struct guest_mem *gm);

/*
 * Add a RAM range backed by backing at boff (NULL backing: all zero). Ranges
 * must not overlap; they are kept sorted by address. Takes a reference.
 */
int gm_add_range(struct guest_mem *gm, uint64_t gpa, uint64_t size, const char *name,
		 struct gm_backing *backing, uint64_t boff, struct mp_err *err);
/* The same with range flags (GM_RANGE_AUX). */
int gm_add_range_flags(struct guest_mem *gm, uint64_t gpa, uint64_t size, const char *name,
		       unsigned flags, struct gm_backing *backing, uint64_t boff,
		       struct mp_err *err);

/* --salvage: record why reading ended early (gm->salvaged_why). */
int gm_set_salvaged(struct guest_mem *gm, struct mp_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record a reader remark (shown by inspect): an info finding, code "input-note". */
int gm_add_note(struct guest_mem *gm, struct mp_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Number of bytes of contiguous RAM from gpa on (0 when gpa is not RAM). */
uint64_t gm_ram_run(const struct guest_mem *gm, uint64_t gpa);

/* The one main (non-AUX) range, or NULL when there is none or more than one. */
const struct gm_range *gm_only_main_range(const struct guest_mem *gm);

/* True when [gpa, gpa + len) is RAM, without wrapping past 2^64. */
bool gm_contains(const struct guest_mem *gm, uint64_t gpa, uint64_t len);

/* Lowest and one past the highest RAM address; 0/0 without RAM. */
uint64_t gm_lowest(const struct guest_mem *gm);
uint64_t gm_end(const struct guest_mem *gm);
uint64_t gm_total_size(const struct guest_mem *gm);

int gm_read(struct guest_mem *gm, uint64_t gpa, void *buf, size_t len, struct mp_err *err);
/* gm_read where addresses that are not RAM read as zero (a vmcore's view). */
int gm_read_lenient(struct guest_mem *gm, uint64_t gpa, void *buf, size_t len,
		    struct mp_err *err);

/*
 * Cut [gpa, gpa + len) (which must not wrap) at the edges of the RAM ranges
 * and call fn on each non-empty piece in address order, ram telling whether
 * it is RAM. Stops at, and returns, the first non-zero result.
 */
typedef int (*gm_piece_fn)(void *ctx, uint64_t gpa, uint64_t len, bool ram,
			   struct mp_err *err);
int gm_for_each_piece(const struct guest_mem *gm, uint64_t gpa, uint64_t len, gm_piece_fn fn,
		      void *ctx, struct mp_err *err);

/*
 * The extent that holds gpa (its bytes run from e->gpa for e->len), or NULL
 * when gpa is not RAM. Valid until guest memory next changes.
 */
const struct gm_extent *gm_extent_at(const struct guest_mem *gm, uint64_t gpa);
int gm_write(struct guest_mem *gm, uint64_t gpa, const void *buf, size_t len,
	     struct mp_err *err);
int gm_zero(struct guest_mem *gm, uint64_t gpa, uint64_t len, struct mp_err *err);
/* Point [gpa, gpa + len) of RAM at backing's bytes from boff (a reader placing pages). */
int gm_map(struct guest_mem *gm, uint64_t gpa, uint64_t len, struct gm_backing *backing,
	   uint64_t boff, struct mp_err *err);

/* memmove(dst, src, len) in guest memory: dst sees src as it was before the call. */
int gm_copy(struct guest_mem *gm, uint64_t dst, uint64_t src, uint64_t len,
	    struct mp_err *err);

/*
 * First address in [gpa, end) that may hold non-zero bytes (end if none):
 * skips zero extents and holes of the backings. Content is not examined.
 */
uint64_t gm_next_data(struct guest_mem *gm, uint64_t gpa, uint64_t end);

/*
 * End of the run of possible data that starts at gpa: the first address in
 * (gpa, end) where a zero extent or a backing hole begins, else end.
 */
uint64_t gm_data_run_end(struct guest_mem *gm, uint64_t gpa, uint64_t end);

/* Whether [gpa, gpa + len) reads as all zero. */
int gm_is_zero(struct guest_mem *gm, uint64_t gpa, uint64_t len, bool *zero,
	       struct mp_err *err);

/* Replace the vCPU list (takes ownership of cpus, an array from malloc). */
void gm_set_cpus(struct guest_mem *gm, struct vcpu_state *cpus, size_t ncpus);

#endif
