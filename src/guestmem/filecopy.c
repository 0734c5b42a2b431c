// SPDX-License-Identifier: GPL-2.0-or-later
#include "filecopy.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* Bytes per copy_file_range call: bounded latency for signals. */
#define COPY_MAX (64u << 20)

int filecopy_init(struct filecopy *fc, struct gm_backing *file, int fd, struct mp_err *err)
{
	*fc = (struct filecopy){ .file = file, .fd = fd };
	fc->buf = mp_malloc(FILECOPY_WINDOW, err);
	fc->zeros = fc->buf ? mp_calloc(1, FILECOPY_WINDOW, err) : NULL;
	return fc->zeros ? 0 : -1;
}

void filecopy_free(struct filecopy *fc)
{
	free(fc->buf);
	free(fc->zeros);
	fc->buf = fc->zeros = NULL;
}

int filecopy_write(int fd, const void *buf, size_t len, uint64_t off, struct mp_err *err)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return mp_fail_errno(err, "writing a temporary file at byte offset %llu",
					     (unsigned long long)off);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_whole(int fd, uint8_t *p, size_t len, uint64_t off, struct mp_err *err)
{
	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return mp_fail(err, MP_EINTERNAL,
				       "a temporary file ends before byte offset %llu",
				       (unsigned long long)off);
		if (n < 0)
			return mp_fail_errno(err, "reading a temporary file at byte offset %llu",
					     (unsigned long long)off);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int filecopy_zero(struct filecopy *fc, uint64_t off, uint64_t len, struct mp_err *err)
{
	uint64_t end = off + len;

	while (off < end) {
		uint64_t data = fc->file->ops->next_data(fc->file, off, end), hole;

		if (data >= end)
			break;
		hole = fc->file->ops->next_hole(fc->file, data, end);
		if (hole - data > FILECOPY_WINDOW)
			hole = data + FILECOPY_WINDOW;
		if (filecopy_write(fc->fd, fc->zeros, (size_t)(hole - data), data, err))
			return -1;
		off = hole;
	}
	return 0;
}

/* len bytes from src of in_fd to dst of out_fd; the two ranges do not overlap. */
static int copy_bytes(struct filecopy *fc, int in_fd, uint64_t src, int out_fd, uint64_t dst,
		      uint64_t len, struct mp_err *err)
{
	while (len) {
		size_t n = len < COPY_MAX ? (size_t)len : COPY_MAX;
		loff_t in = (loff_t)src, out = (loff_t)dst;
		ssize_t got = -1;

		if (!fc->no_copy_range)
			got = copy_file_range(in_fd, &in, out_fd, &out, n, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			/* Not offered here (older kernels, some file systems): copy by hand. */
			fc->no_copy_range = true;
			got = n < FILECOPY_WINDOW ? (ssize_t)n : FILECOPY_WINDOW;
			if (read_whole(in_fd, fc->buf, (size_t)got, src, err) ||
			    filecopy_write(out_fd, fc->buf, (size_t)got, dst, err))
				return -1;
		}
		src += (uint64_t)got;
		dst += (uint64_t)got;
		len -= (uint64_t)got;
	}
	return 0;
}

int filecopy_runs(struct filecopy *fc, uint64_t src, uint64_t len, int in_fd, uint64_t in_base,
		  int out_fd, uint64_t dst, uint64_t step, bool zero_holes, struct mp_err *err)
{
	uint64_t at = src, end = src + len;

	while (at < end) {
		uint64_t data = fc->file->ops->next_data(fc->file, at, end), n;

		if (data > at) {
			if (zero_holes && filecopy_zero(fc, dst + (at - src), data - at, err))
				return -1;
			at = data;
			continue;
		}
		n = fc->file->ops->next_hole(fc->file, at, end) - at;
		n = n < step ? n : step;
		if (copy_bytes(fc, in_fd, in_base + (at - src), out_fd, dst + (at - src), n, err))
			return -1;
		at += n;
	}
	return 0;
}
