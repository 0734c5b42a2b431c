// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The byte source of the migration reader. A plain regular file is read with
 * pread (seekable: the vmdesc at its end can be read first, mapped-ram pages
 * stay in place). Anything else (gzip/zstd input, a qcow2 vmstate) is read
 * sequentially through the instream in one pass; when the reader needs to
 * look ahead (device sections, mapped-ram) the rest of the stream is copied
 * once into a sparse temporary file, which is then read with pread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migration_priv.h"
#include "../../util/bytes.h"

/*
 * Read-ahead of the seekable mode: large enough for a run of page records;
 * 1 MiB reads measured 2-5% faster than 256 KiB ones on the golden stream.
 */
#define MS_BUF (1u << 20)

static int seekable_init(struct mig_src *m, int fd, bool own, uint64_t delta, uint64_t end,
			 uint64_t at, struct mp_err *err)
{
	m->buf = mp_malloc(MS_BUF, err);
	if (!m->buf)
		return -1;
	m->fd = fd;
	m->own_fd = own;
	m->delta = delta;
	m->end = end;
	m->buf_off = at;
	m->len = m->pos = 0;
	m->s = NULL;
	return 0;
}

int ms_open(struct mig_src *m, struct instream *s, uint64_t start, const char *tmpdir,
	    struct mp_err *err)
{
	struct stat st;
	int fd = instream_fd(s);

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->tmpdir = tmpdir;
	snprintf(m->name, sizeof(m->name), "%s", instream_path(s));
	if (instream_codec(s) == CODEC_NONE && fd >= 0 && fstat(fd, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		if (start > (uint64_t)st.st_size)
			return mp_fail(err, MP_EINPUT, "%s: truncated at byte offset %llu",
				       m->name, (unsigned long long)st.st_size);
		return seekable_init(m, fd, false, 0, (uint64_t)st.st_size, start, err);
	}
	m->s = s;
	if (instream_tell(s) > start)
		return mp_fail(err, MP_EUSAGE, "%s: stream already read past byte offset %llu",
			       m->name, (unsigned long long)start);
	return instream_skip(s, start - instream_tell(s), "the container header", err);
}

void ms_close(struct mig_src *m)
{
	if (m->own_fd && m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	free(m->buf);
	m->buf = NULL;
}

bool ms_seekable(const struct mig_src *m)
{
	return m->s == NULL;
}

uint64_t ms_tell(const struct mig_src *m)
{
	return m->s ? instream_tell(m->s) : m->buf_off + m->pos;
}

static int truncated(struct mig_src *m, uint64_t at, const char *what, size_t need,
		     uint64_t left, struct mp_err *err)
{
	return mp_fail(err, MP_EINPUT,
		       "%s: truncated at byte offset %llu: %s needs %zu bytes, %llu left", m->name,
		       (unsigned long long)at, what, need, (unsigned long long)left);
}

ptrdiff_t ms_pread(struct mig_src *m, void *buf, size_t len, uint64_t off, struct mp_err *err)
{
	uint8_t *p = buf;
	size_t got = 0;

	if (off < m->delta)
		return mp_fail(err, MP_EINPUT, "%s: byte offset %llu lies before the data kept",
			       m->name, (unsigned long long)off);
	if (off >= m->end)
		return 0;
	if (len > m->end - off)
		len = (size_t)(m->end - off);
	while (got < len) {
		ssize_t n = pread(m->fd, p + got, len - got, (off_t)(off - m->delta + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mp_fail_errno(err, "%s: read at byte offset %llu", m->name,
					     (unsigned long long)(off + got));
		if (n == 0)
			return mp_fail(err, MP_EINPUT,
				       "%s: unexpected end of file at byte offset %llu "
				       "(file shrank while reading?)",
				       m->name, (unsigned long long)(off + got));
		got += (size_t)n;
	}
	return (ptrdiff_t)got;
}

/* Seekable: make buf hold at least want unread bytes (fewer at the end of data). */
static int fill(struct mig_src *m, size_t want, struct mp_err *err)
{
	size_t have = m->len - m->pos;
	ptrdiff_t n;

	if (have >= want || m->buf_off + m->len >= m->end)
		return 0;
	if (m->on_refill && m->on_refill(m->refill_ctx, err))
		return -1;
	memmove(m->buf, m->buf + m->pos, have);
	m->buf_off += m->pos;
	m->pos = 0;
	m->len = have;
	n = ms_pread(m, m->buf + have, MS_BUF - have, m->buf_off + have, err);
	if (n < 0)
		return -1;
	m->len += (size_t)n;
	return 0;
}

int ms_read(struct mig_src *m, void *buf, size_t len, const char *what, struct mp_err *err)
{
	uint64_t at = ms_tell(m);
	uint8_t *p = buf;

	if (m->s)
		return instream_read_exact(m->s, buf, len, what, err);
	if (len > m->end - at)
		return truncated(m, at, what, len, m->end - at, err);
	while (len) {
		size_t n;

		if (m->pos == m->len && len >= MS_BUF) {
			/* Large reads bypass the read-ahead. */
			if (ms_pread(m, p, len, at, err) < 0)
				return -1;
			m->buf_off = at + len;
			m->len = m->pos = 0;
			return 0;
		}
		if (fill(m, 1, err))
			return -1;
		n = m->len - m->pos;
		if (n > len)
			n = len;
		memcpy(p, m->buf + m->pos, n);
		m->pos += n;
		p += n;
		at += n;
		len -= n;
	}
	return 0;
}

int ms_borrow(struct mig_src *m, size_t len, uint8_t *scratch, const uint8_t **p, bool *lent,
	      const char *what, struct mp_err *err)
{
	uint64_t at = ms_tell(m);

	*lent = false;
	*p = scratch;
	if (m->s || len > MS_BUF)
		return ms_read(m, scratch, len, what, err);
	if (len > m->end - at)
		return truncated(m, at, what, len, m->end - at, err);
	if (fill(m, len, err))
		return -1;
	*p = m->buf + m->pos;
	*lent = true;
	m->pos += len;
	return 0;
}

int ms_seek(struct mig_src *m, uint64_t off, struct mp_err *err)
{
	if (m->s)
		return mp_fail(err, MP_EINTERNAL, "%s: cannot seek in a sequential stream", m->name);
	if (off < m->delta || off > m->end)
		return mp_fail(err, MP_EINPUT, "%s: byte offset %llu is outside the stream",
			       m->name, (unsigned long long)off);
	if (off >= m->buf_off && off <= m->buf_off + m->len) {
		m->pos = (size_t)(off - m->buf_off);
		return 0;
	}
	m->buf_off = off;
	m->len = m->pos = 0;
	return 0;
}

int ms_skip(struct mig_src *m, uint64_t len, const char *what, struct mp_err *err)
{
	uint64_t at = ms_tell(m);

	if (m->s)
		return instream_skip(m->s, len, what, err);
	if (len > m->end - at)
		return mp_fail(err, MP_EINPUT,
			       "%s: truncated at byte offset %llu while skipping %s (%llu bytes, "
			       "%llu left)",
			       m->name, (unsigned long long)at, what, (unsigned long long)len,
			       (unsigned long long)(m->end - at));
	return ms_seek(m, at + len, err);
}

ptrdiff_t ms_peek(struct mig_src *m, const uint8_t **p, size_t len, struct mp_err *err)
{
	ptrdiff_t n;

	if (len > sizeof(m->peekbuf))
		return mp_fail(err, MP_EINTERNAL, "ms_peek: %zu bytes is too many", len);
	if (m->s) {
		n = instream_peek(m->s, m->peekbuf, len, err);
		*p = m->peekbuf;
		return n;
	}
	if (fill(m, len, err))
		return -1;
	*p = m->buf + m->pos;
	n = (ptrdiff_t)(m->len - m->pos);
	return n < (ptrdiff_t)len ? n : (ptrdiff_t)len;
}

int ms_u8(struct mig_src *m, uint8_t *v, const char *what, struct mp_err *err)
{
	return ms_read(m, v, 1, what, err);
}

int ms_be16(struct mig_src *m, uint16_t *v, const char *what, struct mp_err *err)
{
	uint8_t b[2];

	if (ms_read(m, b, sizeof(b), what, err))
		return -1;
	*v = get_be16(b);
	return 0;
}

int ms_be32(struct mig_src *m, uint32_t *v, const char *what, struct mp_err *err)
{
	uint8_t b[4];

	if (ms_read(m, b, sizeof(b), what, err))
		return -1;
	*v = get_be32(b);
	return 0;
}

int ms_be64(struct mig_src *m, uint64_t *v, const char *what, struct mp_err *err)
{
	uint8_t b[8];

	if (ms_read(m, b, sizeof(b), what, err))
		return -1;
	*v = get_be64(b);
	return 0;
}

int ms_make_seekable(struct mig_src *m, struct mp_err *err)
{
	uint64_t at, size;
	int fd;

	if (!m->s)
		return 0;
	at = instream_tell(m->s);
	if (instream_to_tempfile(m->s, m->tmpdir, &fd, &size, err))
		return -1;
	if (seekable_init(m, fd, true, at, at + size, at, err)) {
		close(fd);
		return -1;
	}
	return 0;
}
