// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The decoded temporary file turned into the raw image in place: extents
 * that still point at their own bytes of the file (nearly all of RAM) cost
 * nothing; every other extent (a preserve copy, a table written from memory,
 * a zeroed range) is written into the file at its guest address. The order
 * of those writes: copies (extents reading other bytes of the file) first,
 * while the file holds the decoded bytes they read, then extents from memory
 * or zeros. When a copy reads bytes that another copy overwrites (a chain of
 * copies, or one overlapping itself), the caller takes the copying path.
 */
#include <stdlib.h>
#include <unistd.h>

#include "inplace.h"
#include "filecopy.h"
#include "../util/bytes.h"

/* Zero blocks of this size (the file system's) are not written over holes. */
#define INPLACE_BLOCK 4096u

struct inplace {
	struct guest_mem *gm;
	const struct gm_range *range;
	struct gm_backing *file; /* the decoded temporary file */
	int fd;
	const struct gm_extent **moved; /* extents not at their own file bytes */
	size_t nmoved;
	struct filecopy fc;
};

static bool in_range(const struct gm_range *r, const struct gm_extent *e)
{
	return e->gpa >= r->gpa && e->gpa - r->gpa < r->size;
}

/* An extent that reads the file's bytes at its own image offset. */
static bool at_own_bytes(const struct inplace *ip, const struct gm_extent *e)
{
	return e->backing == ip->file && e->boff == e->gpa - ip->range->gpa;
}

/* The temporary file: the backing of the range's first byte, when it is one. */
static int find_file(struct inplace *ip)
{
	uint64_t base;

	for (size_t i = 0; i < ip->gm->nextents; i++) {
		const struct gm_extent *e = &ip->gm->ext[i];

		if (!in_range(ip->range, e) || !e->backing || !e->backing->temporary)
			continue;
		ip->fd = gm_backing_fd(e->backing, &base);
		if (ip->fd < 0 || base != 0 || e->boff != e->gpa - ip->range->gpa)
			return 0;
		ip->file = e->backing;
		return 1;
	}
	return 0;
}

static int collect_moved(struct inplace *ip, struct mp_err *err)
{
	ip->moved = mp_calloc(ip->gm->nextents ? ip->gm->nextents : 1, sizeof(*ip->moved), err);
	if (!ip->moved)
		return -1;
	for (size_t i = 0; i < ip->gm->nextents; i++) {
		const struct gm_extent *e = &ip->gm->ext[i];

		if (in_range(ip->range, e) && !at_own_bytes(ip, e))
			ip->moved[ip->nmoved++] = e;
	}
	return 0;
}

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static bool reads_file(const struct inplace *ip, const struct gm_extent *e)
{
	return e->backing == ip->file;
}

/*
 * Whether a moved extent that reads the file reads bytes that another such
 * extent (or itself) overwrites: then the order of the copies would matter.
 * Extents that read memory buffers or zeros are written after all copies, so
 * they can overlap copy sources. Moved extents are few (one per table write
 * or copied piece), so all pairs are checked.
 */
static bool copies_feed_copies(const struct inplace *ip)
{
	for (size_t i = 0; i < ip->nmoved; i++) {
		const struct gm_extent *src = ip->moved[i];

		if (!reads_file(ip, src))
			continue;
		for (size_t j = 0; j < ip->nmoved; j++) {
			const struct gm_extent *dst = ip->moved[j];

			if (reads_file(ip, dst) &&
			    overlap(src->boff, src->len, dst->gpa - ip->range->gpa, dst->len))
				return true;
		}
	}
	return false;
}

/*
 * buf (read for [off, off + n) of the image) written: blocks of zeros are
 * skipped where the file holds none (the copying path leaves them holes).
 */
static int write_runs(struct inplace *ip, const uint8_t *buf, size_t n, uint64_t off,
		      struct mp_err *err)
{
	for (size_t at = 0; at < n;) {
		size_t len = n - at < INPLACE_BLOCK ? n - at : INPLACE_BLOCK;

		if (mem_is_zero(buf + at, len) ? filecopy_zero(&ip->fc, off + at, len, err)
					       : filecopy_write(ip->fd, buf + at, len, off + at, err))
			return -1;
		at += len;
	}
	return 0;
}

/* One moved extent's bytes written at its image offset. */
static int write_extent(struct inplace *ip, const struct gm_extent *e, struct mp_err *err)
{
	uint64_t off = e->gpa - ip->range->gpa;

	if (!e->backing)
		return filecopy_zero(&ip->fc, off, e->len, err);
	/* A copy within the file (preserve's): the kernel copies its data runs. */
	if (e->backing == ip->file)
		return filecopy_runs(&ip->fc, e->boff, e->len, ip->fd, e->boff, ip->fd, off,
				     UINT64_MAX, true, err);
	for (uint64_t done = 0; done < e->len;) {
		size_t n = e->len - done < FILECOPY_WINDOW ? (size_t)(e->len - done)
							    : FILECOPY_WINDOW;

		if (e->backing->ops->read(e->backing, e->boff + done, ip->fc.buf, n, err) ||
		    write_runs(ip, ip->fc.buf, n, off + done, err))
			return -1;
		done += n;
	}
	return 0;
}

int gm_materialize_in_place(struct guest_mem *gm, int *fd, uint64_t *size, struct mp_err *err)
{
	struct inplace ip = { .gm = gm, .fd = -1 };
	int rc = 0;

	ip.range = gm_only_main_range(gm);
	if (!ip.range || !find_file(&ip))
		return 0;
	if (collect_moved(&ip, err))
		return -1;
	if (copies_feed_copies(&ip))
		goto out;
	rc = filecopy_init(&ip.fc, ip.file, ip.fd, err) ? -1 : 1;
	/* Copies first, while the bytes they read are still the decoded ones. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; rc == 1 && i < ip.nmoved; i++)
			if (reads_file(&ip, ip.moved[i]) == (pass == 0) &&
			    write_extent(&ip, ip.moved[i], err))
				rc = -1;
	if (rc == 1 && ftruncate(ip.fd, (off_t)ip.range->size) < 0)
		rc = mp_fail_errno(err, "%s: sizing the image to %llu bytes", gm->path,
				   (unsigned long long)ip.range->size);
	*fd = ip.fd;
	*size = ip.range->size;
out:
	filecopy_free(&ip.fc);
	free(ip.moved);
	return rc;
}
