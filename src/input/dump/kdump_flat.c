// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * makedumpfile's flattened format (what dump-guest-memory -z writes by
 * default, qemu-inputs.md 8): a 4 KiB header, then records "be64 offset,
 * be64 size, size bytes" that place bytes in the real image, ended by
 * offset = size = -1. The records are replayed in order into a sparse
 * temporary file, which is then read as a raw kdump image.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../input.h"
#include "kdump.h"
#include "../../util/bytes.h"
#include "../../util/tempfile.h"

/* makedumpfile.h: MAX_SIZE_MDF_HEADER, TYPE_FLAT_HEADER, VERSION_FLAT_HEADER. */
#define FLAT_HEADER_SIZE 4096
#define FLAT_TYPE 1
#define FLAT_VERSION 1
#define FLAT_SIG "makedumpfile"
/* Record bytes handled per step; zero 4 KiB pieces are not written (sparse file). */
#define COPY_BUF (256u << 10)
#define PIECE 4096u

struct replay {
	struct instream *s;
	const char *label;
	const char *tmpdir;   /* input_opts.tmpdir, where the image is reassembled */
	int fd;
	uint64_t written_end; /* past the last non-zero byte written so far */
	uint64_t image_end;   /* past the last byte of any record */
	uint8_t *buf;
};

static enum input_probe flat_probe(const uint8_t *head, size_t len, const char *path,
				    struct mp_err *err)
{
	return input_probe_magic(head, len, FLAT_SIG, strlen(FLAT_SIG),
				 "flattened kdump dump (makedumpfile -F)", path, err);
}

static int check_header(struct replay *r, struct mp_err *err)
{
	if (instream_read_exact(r->s, r->buf, FLAT_HEADER_SIZE, "the flattened-format header",
				err))
		return -1;
	/* The signature field is 16 bytes, NUL padded. */
	if (memcmp(r->buf, FLAT_SIG, strlen(FLAT_SIG)) != 0 ||
	    !mem_is_zero(r->buf + strlen(FLAT_SIG), 16 - strlen(FLAT_SIG)))
		return mp_fail_at(err, MP_EINPUT, r->label, 0, "bad makedumpfile signature");
	if (get_be64(r->buf + 16) != FLAT_TYPE || get_be64(r->buf + 24) != FLAT_VERSION)
		return mp_fail_at(err, MP_EUNSUPPORTED, r->label, 16, "flattened header type %llu "
				  "version %llu, expected 1 and 1",
				  (unsigned long long)get_be64(r->buf + 16),
				  (unsigned long long)get_be64(r->buf + 24));
	return 0;
}

/* Zero bytes at [off, off + len): nothing to do above all written data, else a hole. */
static int zero_range(struct replay *r, uint64_t off, uint64_t len, struct mp_err *err)
{
	static const uint8_t zeros[PIECE];

	if (off >= r->written_end)
		return 0;
	if (fallocate(r->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
		      (off_t)len) == 0)
		return 0;
	/* No hole punching here: write the zeros (len <= PIECE). */
	if (temp_file_pwrite(r->fd, zeros, (size_t)len, off) < 0)
		return mp_fail_errno(err, "%s: writing the reassembled image at byte offset %llu "
				     "to a temporary file in %s",
				     r->label, (unsigned long long)off, temp_file_dir(r->tmpdir));
	return 0;
}

/* Place len bytes of buf at image offset off, leaving zero pieces as holes. */
static int place(struct replay *r, const uint8_t *buf, size_t len, uint64_t off,
		 struct mp_err *err)
{
	for (size_t at = 0; at < len; at += PIECE) {
		size_t n = len - at < PIECE ? len - at : PIECE;

		if (mem_is_zero(buf + at, n)) {
			if (zero_range(r, off + at, n, err))
				return -1;
			continue;
		}
		if (temp_file_pwrite(r->fd, buf + at, n, off + at) < 0)
			return mp_fail_errno(err,
					     "%s: writing the reassembled image at byte offset %llu "
					     "to a temporary file in %s",
					     r->label, (unsigned long long)(off + at), temp_file_dir(r->tmpdir));
		if (off + at + n > r->written_end)
			r->written_end = off + at + n;
	}
	return 0;
}

static int copy_record(struct replay *r, uint64_t off, uint64_t size, struct mp_err *err)
{
	while (size) {
		size_t n = size < COPY_BUF ? (size_t)size : COPY_BUF;

		if (instream_read_exact(r->s, r->buf, n, "flattened record data", err) ||
		    place(r, r->buf, n, off, err))
			return -1;
		off += n;
		size -= n;
	}
	return 0;
}

/* Replay records until the end marker. */
static int replay_records(struct replay *r, struct mp_err *err)
{
	for (;;) {
		uint64_t at = instream_tell(r->s), off, size, end;
		uint8_t h[16];

		if (instream_read_exact(r->s, h, sizeof(h), "a flattened record header (no end "
							    "marker)", err))
			return -1;
		off = get_be64(h);
		size = get_be64(h + 8);
		if (off == UINT64_MAX && size == UINT64_MAX)
			return 0;
		/* Both fields are signed 64-bit in makedumpfile: only the end marker is negative. */
		if ((int64_t)off < 0 || (int64_t)size < 0 || !add_u64_ok(off, size, &end) ||
		    (int64_t)end < 0)
			return mp_fail_at(err, MP_EINPUT, r->label, at, "flattened record offset "
					  "%lld size %lld is negative or overflows", (long long)off,
					  (long long)size);
		if (copy_record(r, off, size, err))
			return -1;
		if (end > r->image_end)
			r->image_end = end;
	}
}

static struct guest_mem *flat_open(struct instream *s, const struct input_opts *o,
				   struct mp_err *err)
{
	struct replay r = { .s = s, .label = instream_path(s), .tmpdir = o->tmpdir, .fd = -1 };
	struct guest_mem *gm = NULL;
	char format[96], label[256];

	r.buf = mp_malloc(COPY_BUF, err);
	if (!r.buf)
		return NULL;
	if (check_header(&r, err))
		goto out;
	r.fd = temp_file_create(r.tmpdir, "kdump", err);
	if (r.fd < 0 || replay_records(&r, err))
		goto out;
	if (ftruncate(r.fd, (off_t)r.image_end) < 0) {
		mp_fail_errno(err, "%s: sizing the reassembled image", r.label);
		goto out;
	}
	snprintf(format, sizeof(format), "kdump-compressed, flattened%s",
		 instream_compressed_suffix(s));
	/* Image offsets in messages are not offsets of the user's file: say so. */
	snprintf(label, sizeof(label), "%s (reassembled image)", r.label);
	gm = kdump_open_image(r.fd, r.image_end, r.label, label, format, err);
	r.fd = -1; /* taken over */
out:
	if (r.fd >= 0)
		close(r.fd);
	free(r.buf);
	return gm;
}

const struct input_reader kdump_flat_reader = {
	.name = "kdump-flattened",
	.probe = flat_probe,
	.open = flat_open,
};
