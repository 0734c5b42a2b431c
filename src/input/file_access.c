// SPDX-License-Identifier: GPL-2.0-or-later
#include "file_access.h"

#include <errno.h>
#include <unistd.h>

int input_random_access(struct instream *s, const char *tmpdir, int *fd, uint64_t *size,
			struct mp_err *err)
{
	if (!instream_random_access(s))
		return instream_to_tempfile(s, tmpdir, fd, size, err);
	/* pread ignores the position the instream's peek left behind. */
	*fd = dup(instream_fd(s));
	if (*fd < 0)
		return mp_fail_errno(err, "%s: dup", instream_path(s));
	*size = instream_file_size(s);
	return 0;
}

int pread_exact(int fd, uint64_t size, void *buf, size_t len, uint64_t off,
		const char *label, const char *what, struct mp_err *err)
{
	uint8_t *p = buf;

	if (off > size || len > size - off)
		return mp_fail(err, MP_EINPUT,
			       "%s: truncated at byte offset %llu: %s needs %zu bytes, the file "
			       "has %llu",
			       label, (unsigned long long)off, what, len,
			       (unsigned long long)(off < size ? size - off : 0));
	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mp_fail_errno(err, "%s: read at byte offset %llu", label,
					     (unsigned long long)off);
		if (n == 0)
			return mp_fail(err, MP_EINPUT,
				       "%s: unexpected end of file at byte offset %llu (%s)", label,
				       (unsigned long long)off, what);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}
