// SPDX-License-Identifier: GPL-2.0-or-later
#include "instream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "../util/bytes.h"
#include "../util/progress.h"
#include "../util/tempfile.h"

#define IN_BUF (256u << 10)
#define OUT_BUF INSTREAM_PEEK_MAX

struct instream {
	char path[4096];
	int fd;
	uint64_t file_size;
	enum instream_codec codec;
	uint8_t *in;       /* compressed bytes */
	size_t in_len;     /* valid bytes in in[] */
	size_t in_pos;     /* consumed bytes of in[] */
	uint64_t in_off;   /* file offset of in[0] */
	bool in_eof;
	uint8_t *out;      /* decompressed (or plain) bytes */
	size_t out_len;
	size_t out_pos;
	uint64_t tell;     /* decompressed offset of out[out_pos] */
	z_stream z;
	bool z_live;
	bool z_member_done; /* a gzip member ended: another may follow */
	ZSTD_DCtx *zd;
	bool zstd_frame_open;
	bool regular;                 /* a regular file: pread and mmap work */
	struct progress prog;         /* "reading FILE" on a terminal, for long reads */
	instream_read_fn custom_read; /* custom streams: the byte source */
	void *custom_ctx;
	struct instream *outer;       /* nested streams: the compressed bytes' source */
	uint64_t max_size;            /* instream_to_tempfile gives up beyond this */
};

const char *instream_codec_name(enum instream_codec c)
{
	switch (c) {
	case CODEC_GZIP:
		return "gzip";
	case CODEC_ZSTD:
		return "zstd";
	default:
		return "none";
	}
}

const char *instream_compressed_suffix(const struct instream *s)
{
	switch (s->codec) {
	case CODEC_GZIP:
		return ", gzip-compressed";
	case CODEC_ZSTD:
		return ", zstd-compressed";
	default:
		return "";
	}
}

static int fill_in(struct instream *s, struct mp_err *err)
{
	ssize_t n;

	if (s->in_pos < s->in_len || s->in_eof)
		return 0;
	s->in_off += s->in_len;
	s->in_len = s->in_pos = 0;
	if (s->outer) {
		ptrdiff_t got = instream_read(s->outer, s->in, IN_BUF, err);

		if (got < 0)
			return -1;
		s->in_eof = got == 0;
		s->in_len = (size_t)got;
		return 0;
	}
	do
		n = read(s->fd, s->in, IN_BUF);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return mp_fail_errno(err, "%s: read at byte offset %llu", s->path,
				     (unsigned long long)s->in_off);
	if (n == 0)
		s->in_eof = true;
	s->in_len = (size_t)n;
	progress_update(&s->prog, s->in_off + s->in_len);
	return 0;
}

static int gzip_start(struct instream *s, struct mp_err *err)
{
	memset(&s->z, 0, sizeof(s->z));
	/* 16 + MAX_WBITS: expect a gzip wrapper. */
	if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
		return mp_fail(err, MP_ENOMEM, "%s: cannot start gzip decoder", s->path);
	s->z_live = true;
	return 0;
}

static int start_decoder(struct instream *s, struct mp_err *err)
{
	if (s->codec == CODEC_GZIP)
		return gzip_start(s, err);
	if (s->codec != CODEC_ZSTD)
		return 0;
	s->zd = ZSTD_createDCtx();
	if (!s->zd)
		return mp_fail(err, MP_ENOMEM, "%s: cannot start zstd decoder", s->path);
	/* Allow frames with windows up to 2 GiB (zstd --long=31). */
	ZSTD_DCtx_setParameter(s->zd, ZSTD_d_windowLogMax, 31);
	return 0;
}

/* The refill_* functions append decompressed bytes at out[out_len]. */
static int refill_gzip(struct instream *s, struct mp_err *err)
{
	size_t start = s->out_len;

	while (s->out_len == start) {
		int zr;

		if (fill_in(s, err))
			return -1;
		if (s->in_pos == s->in_len) {
			if (s->z_member_done)
				return 0; /* clean end after a whole member */
			return mp_fail(err, MP_EINPUT,
				       "%s: gzip data truncated at compressed byte offset %llu",
				       s->path, (unsigned long long)(s->in_off + s->in_pos));
		}
		if (s->z_member_done) {
			/* Concatenated members (gzip a; gzip b) form one stream. */
			inflateReset(&s->z);
			s->z_member_done = false;
		}
		s->z.next_in = s->in + s->in_pos;
		s->z.avail_in = (uInt)(s->in_len - s->in_pos);
		s->z.next_out = s->out + s->out_len;
		s->z.avail_out = (uInt)(OUT_BUF - s->out_len);
		zr = inflate(&s->z, Z_NO_FLUSH);
		s->in_pos = s->in_len - s->z.avail_in;
		s->out_len = OUT_BUF - s->z.avail_out;
		if (zr == Z_STREAM_END)
			s->z_member_done = true;
		else if (zr != Z_OK && !(zr == Z_BUF_ERROR && s->out_len > start))
			return mp_fail(err, MP_EINPUT,
				       "%s: corrupt gzip data near compressed byte offset %llu: %s",
				       s->path, (unsigned long long)(s->in_off + s->in_pos),
				       s->z.msg ? s->z.msg : "inflate failed");
	}
	return 0;
}

static int refill_zstd(struct instream *s, struct mp_err *err)
{
	size_t start = s->out_len;

	while (s->out_len == start) {
		ZSTD_inBuffer ib;
		ZSTD_outBuffer ob = { s->out + s->out_len, OUT_BUF - s->out_len, 0 };
		size_t zr;

		if (fill_in(s, err))
			return -1;
		if (s->in_pos == s->in_len) {
			if (!s->zstd_frame_open)
				return 0;
			return mp_fail(err, MP_EINPUT,
				       "%s: zstd data truncated at compressed byte offset %llu",
				       s->path, (unsigned long long)(s->in_off + s->in_pos));
		}
		ib = (ZSTD_inBuffer){ s->in + s->in_pos, s->in_len - s->in_pos, 0 };
		zr = ZSTD_decompressStream(s->zd, &ob, &ib);
		if (ZSTD_isError(zr))
			return mp_fail(err, MP_EINPUT,
				       "%s: corrupt zstd data near compressed byte offset %llu: %s",
				       s->path, (unsigned long long)(s->in_off + s->in_pos + ib.pos),
				       ZSTD_getErrorName(zr));
		s->in_pos += ib.pos;
		s->out_len += ob.pos;
		/* zr == 0: a frame is complete; another one may follow. */
		s->zstd_frame_open = zr != 0;
	}
	return 0;
}

static int refill_plain(struct instream *s, struct mp_err *err)
{
	ssize_t n;

	if (s->custom_read) {
		ptrdiff_t got = s->custom_read(s->custom_ctx, s->out + s->out_len,
					       OUT_BUF - s->out_len, err);

		if (got < 0)
			return -1;
		s->out_len += (size_t)got;
		return 0;
	}
	do
		n = read(s->fd, s->out + s->out_len, OUT_BUF - s->out_len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return mp_fail_errno(err, "%s: read at byte offset %llu", s->path,
				     (unsigned long long)(s->tell + s->out_len - s->out_pos));
	s->out_len += (size_t)n;
	progress_update(&s->prog, s->tell + s->out_len - s->out_pos);
	return 0;
}

static int append(struct instream *s, struct mp_err *err)
{
	switch (s->codec) {
	case CODEC_GZIP:
		return refill_gzip(s, err);
	case CODEC_ZSTD:
		return refill_zstd(s, err);
	default:
		return refill_plain(s, err);
	}
}

/* Make out[] hold unread bytes; leaves it empty only at end of data. */
static int refill(struct instream *s, struct mp_err *err)
{
	if (s->out_pos < s->out_len)
		return 0;
	s->out_pos = s->out_len = 0;
	return append(s, err);
}

static enum instream_codec detect_codec(const uint8_t *m, size_t n)
{
	static const uint8_t zstd_magic[4] = { 0x28, 0xB5, 0x2F, 0xFD };

	if (n >= 2 && m[0] == 0x1F && m[1] == 0x8B)
		return CODEC_GZIP;
	if (n >= 4 && memcmp(m, zstd_magic, 4) == 0)
		return CODEC_ZSTD;
	return CODEC_NONE;
}

static int refuse_other_compressors(struct instream *s, const uint8_t *m, size_t n,
				    struct mp_err *err)
{
	static const uint8_t xz_magic[6] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };

	if (n >= 6 && memcmp(m, xz_magic, 6) == 0)
		return mp_fail(err, MP_EUNSUPPORTED,
			       "%s: xz-compressed input is not supported: decompress it first "
			       "(xz -dk) or recompress with zstd",
			       s->path);
	if (n >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h')
		return mp_fail(err, MP_EUNSUPPORTED,
			       "%s: bzip2-compressed input is not supported: decompress it first",
			       s->path);
	return 0;
}

struct instream *instream_open(const char *path, struct mp_err *err)
{
	int fd = strcmp(path, "-") == 0 ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0)
					 : open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		mp_fail_errno(err, "%s: cannot open", path);
		return NULL;
	}
	return instream_open_fd(fd, path, err);
}

struct instream *instream_open_fd(int fd, const char *name, struct mp_err *err)
{
	struct instream *s = mp_calloc(1, sizeof(*s), err);
	const char *path = name;
	uint8_t magic[8];
	struct stat st;
	ssize_t n;

	if (!s) {
		close(fd);
		return NULL;
	}
	snprintf(s->path, sizeof(s->path), "%s", name);
	s->max_size = INSTREAM_DEFAULT_MAX_SIZE;
	s->fd = fd;
	if (fstat(s->fd, &st) < 0) {
		mp_fail_errno(err, "%s: cannot stat", path);
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		mp_fail(err, MP_EINPUT, "%s: is a directory", path);
		goto fail;
	}
	s->file_size = (uint64_t)st.st_size;
	s->regular = S_ISREG(st.st_mode);
	/* Pipes cannot be re-read: what the magic check reads is kept as data. */
	do
		n = s->regular ? pread(s->fd, magic, sizeof(magic), 0)
			       : read(s->fd, magic, sizeof(magic));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		mp_fail_errno(err, "%s: read at byte offset 0", path);
		goto fail;
	}
	if (refuse_other_compressors(s, magic, (size_t)n, err))
		goto fail;
	s->codec = detect_codec(magic, (size_t)n);
	s->out = mp_malloc(OUT_BUF, err);
	if (!s->out)
		goto fail;
	if (s->codec != CODEC_NONE) {
		s->in = mp_malloc(IN_BUF, err);
		if (!s->in)
			goto fail;
	}
	if (!s->regular) {
		memcpy(s->codec == CODEC_NONE ? s->out : s->in, magic, (size_t)n);
		if (s->codec == CODEC_NONE)
			s->out_len = (size_t)n;
		else
			s->in_len = (size_t)n;
	}
	progress_begin(&s->prog, "reading input", s->regular ? s->file_size : 0);
	if (start_decoder(s, err))
		goto fail;
	return s;
fail:
	instream_close(s);
	return NULL;
}

struct instream *instream_open_nested(struct instream *outer, enum instream_codec codec,
				      const char *what, struct mp_err *err)
{
	uint64_t at = instream_tell(outer);
	struct instream *s;
	uint8_t magic[8];
	ptrdiff_t n = instream_peek(outer, magic, sizeof(magic), err);

	if (n < 0)
		return NULL;
	if (detect_codec(magic, (size_t)n) != codec || codec == CODEC_NONE) {
		mp_fail_at(err, MP_EINPUT, outer->path, at, "%s should start %s data, but does not",
			   what, instream_codec_name(codec));
		return NULL;
	}
	s = mp_calloc(1, sizeof(*s), err);
	if (!s)
		return NULL;
	snprintf(s->path, sizeof(s->path), "%s (%s data from byte offset %llu)", outer->path,
		 instream_codec_name(codec), (unsigned long long)at);
	s->fd = -1;
	s->codec = codec;
	s->outer = outer;
	s->max_size = outer->max_size;
	s->in_off = at;
	s->in = mp_malloc(IN_BUF, err);
	s->out = s->in ? mp_malloc(OUT_BUF, err) : NULL;
	if (!s->out || start_decoder(s, err)) {
		instream_close(s);
		return NULL;
	}
	return s;
}

struct instream *instream_open_custom(const char *name, instream_read_fn read, void *ctx,
				      struct mp_err *err)
{
	struct instream *s = mp_calloc(1, sizeof(*s), err);

	if (!s)
		return NULL;
	snprintf(s->path, sizeof(s->path), "%s", name);
	s->max_size = INSTREAM_DEFAULT_MAX_SIZE;
	s->fd = -1;
	s->codec = CODEC_NONE;
	s->custom_read = read;
	s->custom_ctx = ctx;
	s->out = mp_malloc(OUT_BUF, err);
	if (!s->out) {
		free(s);
		return NULL;
	}
	return s;
}

void instream_close(struct instream *s)
{
	if (!s)
		return;
	progress_end(&s->prog);
	if (s->z_live)
		inflateEnd(&s->z);
	ZSTD_freeDCtx(s->zd);
	if (s->fd >= 0)
		close(s->fd);
	free(s->in);
	free(s->out);
	free(s);
}

enum instream_codec instream_codec(const struct instream *s)
{
	return s->codec;
}

const char *instream_path(const struct instream *s)
{
	return s->path;
}

int instream_fd(const struct instream *s)
{
	return s->fd;
}

bool instream_random_access(const struct instream *s)
{
	return s->codec == CODEC_NONE && s->regular && !s->custom_read;
}

uint64_t instream_file_size(const struct instream *s)
{
	return s->file_size;
}

void instream_set_max_size(struct instream *s, uint64_t max)
{
	s->max_size = max;
}

uint64_t instream_tell(const struct instream *s)
{
	return s->tell;
}

ptrdiff_t instream_read(struct instream *s, void *buf, size_t len, struct mp_err *err)
{
	uint8_t *p = buf;
	size_t got = 0;

	while (got < len) {
		size_t n;

		if (refill(s, err))
			return -1;
		if (s->out_len == 0)
			break;
		n = s->out_len - s->out_pos;
		if (n > len - got)
			n = len - got;
		memcpy(p + got, s->out + s->out_pos, n);
		s->out_pos += n;
		s->tell += n;
		got += n;
	}
	return (ptrdiff_t)got;
}

int instream_read_exact(struct instream *s, void *buf, size_t len, const char *what,
			struct mp_err *err)
{
	uint64_t at = s->tell;
	ptrdiff_t n = instream_read(s, buf, len, err);

	if (n < 0)
		return -1;
	if ((size_t)n < len)
		return mp_fail(err, MP_EINPUT,
			       "%s: truncated at byte offset %llu: %s needs %zu bytes, %td left",
			       s->path, (unsigned long long)at, what, len, n);
	return 0;
}

int instream_skip(struct instream *s, uint64_t len, const char *what, struct mp_err *err)
{
	uint64_t at = s->tell;

	while (len) {
		size_t n;

		if (refill(s, err))
			return -1;
		if (s->out_len == 0)
			return mp_fail(err, MP_EINPUT,
				       "%s: truncated at byte offset %llu while skipping %s",
				       s->path, (unsigned long long)s->tell, what);
		n = s->out_len - s->out_pos;
		if (n > len)
			n = (size_t)len;
		s->out_pos += n;
		s->tell += n;
		len -= n;
	}
	(void)at;
	return 0;
}

ptrdiff_t instream_peek(struct instream *s, void *buf, size_t len, struct mp_err *err)
{
	size_t avail;

	if (len > INSTREAM_PEEK_MAX)
		return mp_fail(err, MP_EINTERNAL, "instream_peek: %zu bytes is too many", len);
	if (refill(s, err))
		return -1;
	avail = s->out_len - s->out_pos;
	if (avail < len && avail) {
		/* Slide the unread tail to the front and top it up. */
		memmove(s->out, s->out + s->out_pos, avail);
		s->out_pos = 0;
		s->out_len = avail;
		while (s->out_len < len) {
			size_t before = s->out_len;

			if (append(s, err))
				return -1;
			if (s->out_len == before)
				break;
		}
		avail = s->out_len;
	}
	if (avail > len)
		avail = len;
	memcpy(buf, s->out + s->out_pos, avail);
	return (ptrdiff_t)avail;
}

/* Bytes from output offset off to the next 4 KiB boundary, at most left. */
static size_t block_at(uint64_t off, size_t left)
{
	size_t to_boundary = 4096 - (size_t)(off % 4096);

	return to_boundary < left ? to_boundary : left;
}

int instream_to_tempfile(struct instream *s, const char *tmpdir, int *fdp, uint64_t *sizep,
			 struct mp_err *err)
{
	uint64_t start = s->tell, size;
	int fd = temp_file_create(tmpdir, "input", err);

	if (fd < 0)
		return -1;
	for (;;) {
		size_t n;

		if (refill(s, err))
			goto fail;
		n = s->out_len - s->out_pos;
		if (n == 0)
			break;
		if (s->tell - start + n > s->max_size) {
			mp_fail(err, MP_EINPUT,
				"%s: more than %llu bytes (--max-size) at byte offset %llu: stopped "
				"reading",
				s->path, (unsigned long long)s->max_size,
				(unsigned long long)s->tell);
			goto fail;
		}
		/*
		 * Write runs of non-zero 4 KiB blocks only, blocks aligned on the
		 * output offset, so that the temp file's holes fall on whole blocks.
		 */
		for (size_t at = 0; at < n;) {
			const uint8_t *p = s->out + s->out_pos;
			uint64_t off = s->tell - start;
			size_t run = at;

			while (run < n && !mem_is_zero(p + run, block_at(off + run, n - run)))
				run += block_at(off + run, n - run);
			if (run > at && temp_file_pwrite(fd, p + at, run - at, off + at) < 0) {
				mp_fail_errno(err, "%s: copying to a temporary file in %s",
					      s->path, temp_file_dir(tmpdir));
				goto fail;
			}
			at = run;
			while (at < n && mem_is_zero(p + at, block_at(off + at, n - at)))
				at += block_at(off + at, n - at);
		}
		s->tell += n;
		s->out_pos = s->out_len;
	}
	size = s->tell - start;
	if (ftruncate(fd, (off_t)size) < 0) {
		mp_fail_errno(err, "sizing the temporary copy of %s", s->path);
		goto fail;
	}
	*fdp = fd;
	*sizep = size;
	return 0;
fail:
	close(fd);
	return -1;
}
