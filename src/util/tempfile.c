// SPDX-License-Identifier: GPL-2.0-or-later
#include "tempfile.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int temp_file_create(const char *what, struct mp_err *err)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/var/tmp";
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
