// SPDX-License-Identifier: GPL-2.0-or-later
#include "tempfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *temp_file_dir(const char *dir)
{
	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	return dir && *dir ? dir : "/var/tmp";
}

int temp_file_create(const char *dir, const char *what, struct mp_err *err)
{
	char path[4096];
	int fd;

	dir = temp_file_dir(dir);
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/mpiplctl-%s.XXXXXX", dir, what);
	fd = mkstemp(path);
	if (fd < 0)
		return mp_fail_errno(err, "cannot create a temporary file in %s (set TMPDIR)", dir);
	unlink(path);
	return fd;
}

int temp_file_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}
