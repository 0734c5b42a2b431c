// SPDX-License-Identifier: GPL-2.0-or-later
#include "sink.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

void sink_init(struct sink *s, int fd, const char *name)
{
	struct stat st;
	off_t cur = lseek(fd, 0, SEEK_CUR);

	s->fd = fd;
	s->name = name;
	s->pos = 0;
	s->seekable = cur >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	/* A shell may hand us a file already written to: start where it is. */
	s->base = s->seekable ? (uint64_t)cur : 0;
	s->synced = 0;
}

static int write_all(struct sink *s, const void *buf, size_t len, struct mp_err *err)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(s->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mp_fail_errno(err, "%s: write at byte offset %llu", s->name,
					     (unsigned long long)s->pos);
		p += n;
		len -= (size_t)n;
		s->pos += (uint64_t)n;
	}
	return 0;
}

int sink_write(struct sink *s, const void *buf, size_t len, struct mp_err *err)
{
	if (s->seekable && s->synced != s->pos) {
		if (lseek(s->fd, (off_t)(s->base + s->pos), SEEK_SET) < 0)
			return mp_fail_errno(err, "%s: seek to %llu", s->name,
					     (unsigned long long)s->pos);
	}
	if (write_all(s, buf, len, err))
		return -1;
	s->synced = s->pos;
	return 0;
}

int sink_skip(struct sink *s, uint64_t len, struct mp_err *err)
{
	static const char zeros[1 << 16];

	if (s->seekable) {
		s->pos += len;
		return 0;
	}
	while (len) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);

		if (write_all(s, zeros, n, err))
			return -1;
		len -= n;
	}
	return 0;
}

int sink_finish(struct sink *s, struct mp_err *err)
{
	if (s->seekable && s->synced != s->pos &&
	    ftruncate(s->fd, (off_t)(s->base + s->pos)) < 0)
		return mp_fail_errno(err, "%s: cannot extend to %llu bytes", s->name,
				     (unsigned long long)s->pos);
	return 0;
}
