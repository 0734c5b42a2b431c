// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Raw image outputs (extract, preserve): in one pass when the input was
 * decoded into a temporary file beside the output (the file becomes the
 * output), else copied from guest memory.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "../guestmem/export.h"
#include "../guestmem/inplace.h"

/*
 * For tests that compare the two paths: MPIPLCTL_PASSES=2 always copies,
 * MPIPLCTL_PASSES=1 fails when one pass is not possible.
 */
#define PASSES_ENV "MPIPLCTL_PASSES"

static bool passes_forced(const char *n)
{
	const char *v = getenv(PASSES_ENV);

	return v && strcmp(v, n) == 0;
}

void cli_decode_beside(const char *output)
{
	char dir[4096];
	char *slash;

	if (strcmp(output, "-") == 0)
		return;
	snprintf(dir, sizeof(dir), "%s", output);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	setenv("TMPDIR", dir, 1);
}

static bool one_pass_allowed(const char *path)
{
	struct stat st;

	if (strcmp(path, "-") == 0 || passes_forced("2"))
		return false;
	/* Devices and FIFOs are written through, never replaced by a link. */
	return stat(path, &st) < 0 || S_ISREG(st.st_mode);
}

/*
 * Give the finished temporary file (O_TMPFILE, mode 0600) the usual mode and
 * the output's name. Returns 1 when linked, 0 when it cannot be (another file
 * system): the caller then copies, which is always possible.
 */
static int link_into_place(int fd, const char *output)
{
	char proc[64], tmp[4096];
	mode_t mask = umask(0);

	umask(mask);
	fchmod(fd, 0666 & ~mask);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", output, (long)getpid());
	if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) < 0)
		return 0;
	if (rename(tmp, output) < 0) {
		unlink(tmp);
		return 0;
	}
	return 1;
}

static int write_raw(struct sink *out, void *gm, struct mp_err *err)
{
	return gm_export_raw(gm, out, err);
}

/* The finished image file copied to path (it could not be linked there). */
static int copy_image_file(const struct guest_mem *from, int fd, uint64_t size,
			   const char *path)
{
	struct gm_backing *b;
	struct guest_mem *img;
	struct mp_err err;
	int rc = -1;

	img = gm_new(from->path, from->format, &err);
	b = img ? gm_backing_fd_new(fd, false, 0, size, from->path, &err) : NULL;
	if (b && gm_add_range(img, 0, size, "image", b, 0, &err) == 0)
		rc = cli_write_atomically(path, write_raw, img);
	else
		cli_error("%s", err.msg);
	gm_backing_put(b);
	gm_free(img);
	return rc;
}

int cli_write_raw_image(struct guest_mem *gm, const char *path)
{
	struct mp_err err;
	uint64_t size;
	int fd, rc;

	if (one_pass_allowed(path)) {
		rc = gm_materialize_in_place(gm, &fd, &size, &err);
		if (rc < 0) {
			cli_error("%s", err.msg);
			return -1;
		}
		/* Once written in place, gm no longer reads as it did: the file is the image. */
		if (rc == 1)
			return link_into_place(fd, path) ? 0 : copy_image_file(gm, fd, size, path);
	}
	if (passes_forced("1")) {
		cli_error("%s: %s=1, and this input and output allow no single pass", path,
			  PASSES_ENV);
		return -1;
	}
	return cli_write_atomically(path, write_raw, gm);
}
