// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Outputs in one pass (extract, preserve, vmcore ELF): when the input was
 * decoded into a temporary file beside the output, that file is made the
 * output in place and adopted as the output's temporary (then fsync'd and
 * renamed like any output); else the output is copied from guest memory.
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

/* Never into a device's folder: /dev is RAM-backed. */
void cli_decode_beside(struct cli_opts *o, const struct outfile *of)
{
	o->tmpdir = of->kind == OUTFILE_REGULAR ? of->dir : NULL;
}

static int write_raw(struct sink *out, void *gm, struct mp_err *err)
{
	return gm_export_raw(gm, out, err);
}

/* The finished file copied to the output (it could not be adopted). */
static int copy_finished_file(const struct guest_mem *from, int fd, struct outfile *of)
{
	struct gm_backing *b = NULL;
	struct guest_mem *img;
	struct mp_err err;
	struct stat st;
	int rc = -1;

	if (fstat(fd, &st) < 0) {
		cli_error("%s: cannot stat the finished output: %s", of->path, strerror(errno));
		return -1;
	}
	img = gm_new(from->path, from->format, &err);
	if (img && st.st_size > 0)
		b = gm_backing_fd_new(fd, false, 0, (uint64_t)st.st_size, from->path, &err);
	if (img && (st.st_size == 0 ||
		    (b && gm_add_range(img, 0, (uint64_t)st.st_size, "output", b, 0, &err) == 0)))
		rc = cli_output_write(of, write_raw, img);
	else
		cli_error("%s", err.msg);
	gm_backing_put(b);
	gm_free(img);
	return rc;
}

int cli_one_pass(struct guest_mem *gm, struct outfile *of, cli_in_place make, const void *ctx)
{
	struct mp_err err;
	struct stat st;
	int fd, rc = 0;

	if (of->kind == OUTFILE_REGULAR && !cli_passes_forced("2"))
		rc = make(gm, ctx, &fd, &err);
	if (rc < 0) {
		cli_error("%s", err.msg);
		return -1;
	}
	if (rc == 0) {
		if (!cli_passes_forced("1"))
			return 0;
		cli_error("%s: %s=1, and this input and output allow no single pass", of->path,
			  PASSES_ENV);
		return -1;
	}
	/* Once made in place, gm no longer reads as it did: the file is the output. */
	if (fstat(fd, &st) < 0 || outfile_adopt(of, fd, (uint64_t)st.st_size) < 0)
		return copy_finished_file(gm, fd, of) ? -1 : 1;
	if (outfile_commit(of, &err)) {
		cli_error("%s", err.msg);
		return -1;
	}
	return 1;
}

static int raw_in_place(struct guest_mem *gm, const void *ctx, int *fd, struct mp_err *err)
{
	uint64_t size;

	(void)ctx;
	return gm_materialize_in_place(gm, fd, &size, err);
}

int cli_write_raw_image(struct guest_mem *gm, struct outfile *of)
{
	int rc = cli_one_pass(gm, of, raw_in_place, NULL);

	if (rc)
		return rc < 0 ? -1 : 0;
	return cli_output_write(of, write_raw, gm);
}
