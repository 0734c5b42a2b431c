// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ELF vmcore in one pass from a decoded input: the decoded RAM file
 * (made the raw image in place, src/guestmem/inplace.h) is cut into the
 * vmcore with extent operations instead of being copied. An ELF vmcore is
 * the raw image's PT_LOAD chunks in program header order after the headers
 * and notes; the chunks whose image offsets increase in that order (for
 * fadump: the preserved boot memory and the RAM above the reserved area)
 * stay where they are while what lies between them is collapsed away
 * (FALLOC_FL_COLLAPSE_RANGE); the others (for fadump: the RAM between boot
 * memory and the reserved area) are saved to a scratch file first and
 * written back into inserted holes (FALLOC_FL_INSERT_RANGE), and a hole for
 * the headers and notes is inserted at the front. ext4 and XFS do this by
 * moving extents, without touching data. Every offset is a multiple of the
 * page size, hence of the file system block; anything else (other file
 * systems, chunks outside RAM) is left to the copying writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_inplace.h"
#include "elf_writer.h"
#include "../guestmem/inplace.h"
#include "../util/bytes.h"
#include "../util/tempfile.h"

/* Bytes per read and write when a chunk is saved and put back. */
#define COPY_CHUNK (1u << 20)

struct cut {
	struct vmcore_layout l;
	uint64_t base, size; /* the main RAM range: image offset = phys - base */
	bool *kept;          /* per chunk: stays in the file (else saved and put back) */
	uint64_t *saved_at;  /* per put-back chunk: its offset in the scratch file */
	int fd, scratch;
};

/*
 * Whether the file system of the temporary files (the decoded RAM file's)
 * moves extents, probed on a scratch file; *block: its block size.
 */
static bool shifts_extents(const char *tmpdir, uint64_t *block)
{
	struct mp_err err;
	int fd = temp_file_create(tmpdir, "probe", &err);
	struct stat st;
	bool ok;

	if (fd < 0)
		return false;
	*block = fstat(fd, &st) == 0 && st.st_blksize > 0 ? (uint64_t)st.st_blksize : 4096;
	ok = ftruncate(fd, (off_t)(3 * *block)) == 0 &&
	     fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, (off_t)*block) == 0 &&
	     fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, (off_t)*block) == 0;
	close(fd);
	return ok;
}

/* Chunks inside RAM, everything block-aligned: else the copying writer. */
static bool layout_fits(const struct cut *c, uint64_t block)
{
	if ((c->l.elfsz + c->l.notes_sz) % block || c->base % block || c->l.nchunks == 0)
		return false;
	for (size_t i = 0; i < c->l.nchunks; i++) {
		const struct vmcore_chunk *k = &c->l.chunks[i];

		if (k->phys < c->base || k->phys - c->base > c->size ||
		    k->len > c->size - (k->phys - c->base) || k->phys % block || k->len % block)
			return false;
	}
	return true;
}

/*
 * Keep the heaviest run of chunks whose image offsets increase (without
 * overlap) in file order: those bytes never move. Chunks are a handful, so
 * the quadratic search costs nothing.
 */
static int choose_kept(struct cut *c, struct mp_err *err)
{
	size_t n = c->l.nchunks, best = 0;
	uint64_t *weight = mp_calloc(n, sizeof(*weight), err);
	size_t *prev = mp_calloc(n, sizeof(*prev), err);
	const struct vmcore_chunk *k = c->l.chunks;

	c->kept = mp_calloc(n, sizeof(*c->kept), err);
	c->saved_at = mp_calloc(n, sizeof(*c->saved_at), err);
	if (!weight || !prev || !c->kept || !c->saved_at) {
		free(weight);
		free(prev);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		weight[i] = k[i].len;
		prev[i] = SIZE_MAX;
		for (size_t j = 0; j < i; j++)
			if (k[j].phys + k[j].len <= k[i].phys && weight[j] + k[i].len > weight[i]) {
				weight[i] = weight[j] + k[i].len;
				prev[i] = j;
			}
		if (weight[i] > weight[best])
			best = i;
	}
	for (size_t i = best; i != SIZE_MAX; i = prev[i])
		c->kept[i] = true;
	free(weight);
	free(prev);
	return 0;
}

static int copy_range(int from, uint64_t src, int to, uint64_t dst, uint64_t len, uint8_t *buf,
		      struct mp_err *err)
{
	while (len) {
		size_t n = len < COPY_CHUNK ? (size_t)len : COPY_CHUNK;
		ssize_t got = pread(from, buf, n, (off_t)src);

		if (got != (ssize_t)n)
			return mp_fail_errno(err, "vmcore in place: reading %zu bytes at %llu", n,
					     (unsigned long long)src);
		/* Zero blocks stay holes, as the copying writer leaves them. */
		for (size_t at = 0; at < n; at += 4096) {
			size_t b = n - at < 4096 ? n - at : 4096;

			if (!mem_is_zero(buf + at, b) &&
			    pwrite(to, buf + at, b, (off_t)(dst + at)) != (ssize_t)b)
				return mp_fail_errno(err, "vmcore in place: writing at %llu",
						     (unsigned long long)(dst + at));
		}
		src += n;
		dst += n;
		len -= n;
	}
	return 0;
}

/* The chunks that move are copied out of the image before it is cut. */
static int save_moving(struct cut *c, const char *tmpdir, uint8_t *buf, struct mp_err *err)
{
	uint64_t at = 0;

	for (size_t i = 0; i < c->l.nchunks; i++) {
		const struct vmcore_chunk *k = &c->l.chunks[i];

		if (c->kept[i])
			continue;
		if (c->scratch < 0 && (c->scratch = temp_file_create(tmpdir, "vmcore", err)) < 0)
			return -1;
		c->saved_at[i] = at;
		if (copy_range(c->fd, k->phys - c->base, c->scratch, at, k->len, buf, err))
			return -1;
		at += k->len;
	}
	/* Zero blocks were skipped: the scratch file's size covers them. */
	if (c->scratch >= 0 && ftruncate(c->scratch, (off_t)at) < 0)
		return mp_fail_errno(err, "vmcore in place: sizing the scratch file");
	return 0;
}

static int shift(int fd, int mode, uint64_t off, uint64_t len, struct mp_err *err)
{
	if (len && fallocate(fd, mode, (off_t)off, (off_t)len) < 0)
		return mp_fail_errno(err, "vmcore in place: %s of %llu bytes at %llu",
				     mode == FALLOC_FL_COLLAPSE_RANGE ? "collapse" : "insert",
				     (unsigned long long)len, (unsigned long long)off);
	return 0;
}

/* Leave only the kept chunks, back to back, in file order. */
static int cut_to_kept(struct cut *c, struct mp_err *err)
{
	uint64_t end = 0;
	size_t last = SIZE_MAX;

	for (size_t i = 0; i < c->l.nchunks; i++)
		if (c->kept[i])
			last = i;
	end = c->l.chunks[last].phys - c->base + c->l.chunks[last].len;
	if (ftruncate(c->fd, (off_t)end) < 0)
		return mp_fail_errno(err, "vmcore in place: truncating to %llu",
				     (unsigned long long)end);
	/* From the last gap to the first: earlier offsets stay valid. */
	for (size_t i = last + 1; i-- > 0;) {
		uint64_t start, gap_from = 0;

		if (!c->kept[i])
			continue;
		start = c->l.chunks[i].phys - c->base;
		for (size_t j = i; j-- > 0;)
			if (c->kept[j]) {
				gap_from = c->l.chunks[j].phys - c->base + c->l.chunks[j].len;
				break;
			}
		if (shift(c->fd, FALLOC_FL_COLLAPSE_RANGE, gap_from, start - gap_from, err))
			return -1;
	}
	return 0;
}

/* Put the saved chunks back between the kept ones, then make room for the headers. */
static int put_back(struct cut *c, uint8_t *buf, struct mp_err *err)
{
	uint64_t pos = 0, head = c->l.elfsz + c->l.notes_sz;

	for (size_t i = 0; i < c->l.nchunks; i++) {
		const struct vmcore_chunk *k = &c->l.chunks[i];
		struct stat st;

		if (!c->kept[i]) {
			if (fstat(c->fd, &st) < 0)
				return mp_fail_errno(err, "vmcore in place: fstat");
			/* Inserting at or past the end is not allowed: extend instead. */
			if ((uint64_t)st.st_size > pos) {
				if (shift(c->fd, FALLOC_FL_INSERT_RANGE, pos, k->len, err))
					return -1;
			} else if (ftruncate(c->fd, (off_t)(pos + k->len)) < 0) {
				return mp_fail_errno(err, "vmcore in place: extending");
			}
			if (copy_range(c->scratch, c->saved_at[i], c->fd, pos, k->len, buf, err))
				return -1;
		}
		pos += k->len;
	}
	return shift(c->fd, FALLOC_FL_INSERT_RANGE, 0, head, err);
}

static int write_head(struct cut *c, const struct vmcore_model *m, struct mp_err *err)
{
	uint8_t *hdr = NULL;
	int rc;

	if (vmcore_headers(m, &c->l, &hdr, err))
		return -1;
	rc = pwrite(c->fd, hdr, c->l.elfsz, 0) != (ssize_t)c->l.elfsz ||
	     pwrite(c->fd, m->notes, m->notes_len, (off_t)c->l.elfsz) != (ssize_t)m->notes_len
		     ? mp_fail_errno(err, "vmcore in place: writing the headers")
		     : 0;
	free(hdr);
	if (rc == 0 && ftruncate(c->fd, (off_t)c->l.total) < 0)
		rc = mp_fail_errno(err, "vmcore in place: sizing to %llu",
				   (unsigned long long)c->l.total);
	return rc;
}

int vmcore_elf_in_place(struct guest_mem *gm, const struct vmcore_model *m, const char *tmpdir,
			int *fd, struct mp_err *err)
{
	const struct gm_range *r = gm_only_main_range(gm);
	struct cut c = { .fd = -1, .scratch = -1 };
	uint64_t block, size;
	uint8_t *buf = NULL;
	int rc = 0;

	if (!r || vmcore_layout(m, &c.l, err))
		return r ? -1 : 0;
	c.base = r->gpa;
	c.size = r->size;
	if (!shifts_extents(tmpdir, &block) || !layout_fits(&c, block))
		goto out;
	rc = gm_materialize_in_place(gm, &c.fd, &size, err);
	if (rc != 1)
		goto out;
	buf = mp_malloc(COPY_CHUNK, err);
	if (!buf || choose_kept(&c, err) || save_moving(&c, tmpdir, buf, err) || cut_to_kept(&c, err) ||
	    put_back(&c, buf, err) || write_head(&c, m, err))
		rc = -1;
	*fd = c.fd;
out:
	free(buf);
	free(c.kept);
	free(c.saved_at);
	if (c.scratch >= 0)
		close(c.scratch);
	vmcore_layout_free(&c.l);
	return rc;
}
