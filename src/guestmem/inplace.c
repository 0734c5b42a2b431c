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
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inplace.h"
#include "../util/bytes.h"

/* Bytes moved per read and write: bounded memory whatever the extent size. */
#define INPLACE_CHUNK (1u << 20)
/* Zero runs of at least this size become holes (the file system's block). */
#define INPLACE_BLOCK 4096u

struct inplace {
	struct guest_mem *gm;
	const struct gm_range *range;
	struct gm_backing *file; /* the decoded temporary file */
	int fd;
	const struct gm_extent **moved; /* extents not at their own file bytes */
	size_t nmoved;
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

static int write_all(int fd, const uint8_t *p, size_t len, uint64_t off, const char *label,
		     struct mp_err *err)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return mp_fail_errno(err, "%s: writing the image at byte offset %llu", label,
					     (unsigned long long)off);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_zeros(int fd, uint64_t off, uint64_t len, const char *label,
		       struct mp_err *err)
{
	while (len) {
		size_t n = len < sizeof(zero_block) ? (size_t)len : sizeof(zero_block);

		if (write_all(fd, zero_block, n, off, label, err))
			return -1;
		off += n;
		len -= n;
	}
	return 0;
}

/* Zeros at [off, off + len): whole blocks become a hole, the edges are written. */
static int zero_file_range(struct inplace *ip, uint64_t off, uint64_t len, struct mp_err *err)
{
	uint64_t lo = round_up_u64(off, INPLACE_BLOCK), hi = round_down_u64(off + len, INPLACE_BLOCK);

	if (hi > lo && fallocate(ip->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)lo,
				 (off_t)(hi - lo)) == 0)
		return write_zeros(ip->fd, off, lo - off, ip->gm->path, err) ||
		       write_zeros(ip->fd, hi, off + len - hi, ip->gm->path, err) ? -1 : 0;
	return write_zeros(ip->fd, off, len, ip->gm->path, err);
}

/*
 * buf (read for [off, off + n) of the image) written as runs: zero blocks
 * become holes, as the copying path leaves them, and the rest is written.
 */
static int write_runs(struct inplace *ip, const uint8_t *buf, size_t n, uint64_t off,
		      struct mp_err *err)
{
	size_t at = 0;

	while (at < n) {
		size_t len = n - at < INPLACE_BLOCK ? n - at : INPLACE_BLOCK;
		bool zero = mem_is_zero(buf + at, len);
		size_t end = at + len;

		while (end < n) {
			size_t more = n - end < INPLACE_BLOCK ? n - end : INPLACE_BLOCK;

			if (mem_is_zero(buf + end, more) != zero)
				break;
			end += more;
		}
		if (zero ? zero_file_range(ip, off + at, end - at, err)
			 : write_all(ip->fd, buf + at, end - at, off + at, ip->gm->path, err))
			return -1;
		at = end;
	}
	return 0;
}

/* One moved extent's bytes written at its image offset, a chunk at a time. */
static int write_extent(struct inplace *ip, const struct gm_extent *e, uint8_t *buf,
			struct mp_err *err)
{
	const struct gm_backing_ops *ops = e->backing ? e->backing->ops : NULL;
	uint64_t done = 0, off = e->gpa - ip->range->gpa;

	if (!e->backing)
		return zero_file_range(ip, off, e->len, err);
	while (done < e->len) {
		uint64_t data = ops->next_data ? ops->next_data(e->backing, e->boff + done,
								 e->boff + e->len) - e->boff
					       : done;
		size_t n;

		/* A hole of the source is a hole of the image. */
		if (data > done) {
			if (zero_file_range(ip, off + done, data - done, err))
				return -1;
			done = data;
			continue;
		}
		n = e->len - done < INPLACE_CHUNK ? (size_t)(e->len - done) : INPLACE_CHUNK;
		if (ops->read(e->backing, e->boff + done, buf, n, err) ||
		    write_runs(ip, buf, n, off + done, err))
			return -1;
		done += n;
	}
	return 0;
}

int gm_materialize_in_place(struct guest_mem *gm, int *fd, uint64_t *size, struct mp_err *err)
{
	struct inplace ip = { .gm = gm, .fd = -1 };
	uint8_t *buf = NULL;
	int rc = 0;

	ip.range = gm_only_main_range(gm);
	if (!ip.range || !find_file(&ip))
		return 0;
	if (collect_moved(&ip, err))
		return -1;
	if (copies_feed_copies(&ip))
		goto out;
	buf = mp_malloc(INPLACE_CHUNK, err);
	rc = buf ? 1 : -1;
	/* Copies first, while the bytes they read are still the decoded ones. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; rc == 1 && i < ip.nmoved; i++)
			if (reads_file(&ip, ip.moved[i]) == (pass == 0) &&
			    write_extent(&ip, ip.moved[i], buf, err))
				rc = -1;
	if (rc == 1 && ftruncate(ip.fd, (off_t)ip.range->size) < 0)
		rc = mp_fail_errno(err, "%s: sizing the image to %llu bytes", gm->path,
				   (unsigned long long)ip.range->size);
	*fd = ip.fd;
	*size = ip.range->size;
out:
	free(buf);
	free(ip.moved);
	return rc;
}
