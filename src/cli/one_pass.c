// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Outputs in one pass (extract, preserve, vmcore ELF): when the input was
 * decoded into a temporary file beside the output, that file is made the
 * output in place and linked to its name; else the output is copied from
 * guest memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "../guestmem/export.h"
#include "../guestmem/inplace.h"
#include "../vmcore/elf_inplace.h"

/*
 * For tests that compare the two paths: MPIPLCTL_PASSES=2 always copies,
 * MPIPLCTL_PASSES=1 fails when one pass is not possible.
 */
#define PASSES_ENV "MPIPLCTL_PASSES"

bool cli_passes_forced(const char *n)
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

	if (strcmp(path, "-") == 0 || cli_passes_forced("2"))
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

/* The finished file copied to path (it could not be linked there). */
static int copy_finished_file(const struct guest_mem *from, int fd, const char *path)
{
	struct gm_backing *b = NULL;
	struct guest_mem *img;
	struct mp_err err;
	struct stat st;
	int rc = -1;

	if (fstat(fd, &st) < 0) {
		cli_error("%s: cannot stat the finished output: %s", path, strerror(errno));
		return -1;
	}
	img = gm_new(from->path, from->format, &err);
	if (img && st.st_size > 0)
		b = gm_backing_fd_new(fd, false, 0, (uint64_t)st.st_size, from->path, &err);
	if (img && (st.st_size == 0 ||
		    (b && gm_add_range(img, 0, (uint64_t)st.st_size, "output", b, 0, &err) == 0)))
		rc = cli_write_atomically(path, write_raw, img);
	else
		cli_error("%s", err.msg);
	gm_backing_put(b);
	gm_free(img);
	return rc;
}

int cli_one_pass(struct guest_mem *gm, const char *path, cli_in_place make, const void *ctx)
{
	struct mp_err err;
	int fd, rc;

	if (!one_pass_allowed(path))
		return 0;
	rc = make(gm, ctx, &fd, &err);
	if (rc < 0) {
		cli_error("%s", err.msg);
		return -1;
	}
	if (rc == 0) {
		if (!cli_passes_forced("1"))
			return 0;
		cli_error("%s: %s=1, and this input and output allow no single pass", path,
			  PASSES_ENV);
		return -1;
	}
	/* Once made in place, gm no longer reads as it did: the file is the output. */
	if (link_into_place(fd, path))
		return 1;
	return copy_finished_file(gm, fd, path) ? -1 : 1;
}

static int raw_in_place(struct guest_mem *gm, const void *ctx, int *fd, struct mp_err *err)
{
	uint64_t size;

	(void)ctx;
	return gm_materialize_in_place(gm, fd, &size, err);
}

int cli_write_raw_image(struct guest_mem *gm, const char *path)
{
	int rc = cli_one_pass(gm, path, raw_in_place, NULL);

	if (rc)
		return rc < 0 ? -1 : 0;
	return cli_write_atomically(path, write_raw, gm);
}
