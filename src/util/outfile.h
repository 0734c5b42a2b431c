/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Atomic output: data goes to a temporary file beside the target, renamed
 * into place only on success. An interrupted or failed run leaves nothing
 * behind (SIGINT/SIGTERM/SIGHUP remove the temporary file too).
 * "-" means standard output, which is refused when it is a terminal. An
 * existing device or FIFO is written through (nothing to rename), and a
 * symlink is followed: its target is replaced, not the link.
 */
#ifndef MPIPL_UTIL_OUTFILE_H
#define MPIPL_UTIL_OUTFILE_H

#include <stdbool.h>

#include "err.h"

struct outfile {
	char path[4096]; /* final name, "-" for stdout */
	char tmp[4096];  /* temporary name, empty for stdout */
	int fd;
	bool is_stdout;
	bool through;    /* an existing device or FIFO, written in place */
};

/* Open the temporary file (or stdout). Refuses binary data to a terminal. */
int outfile_open(struct outfile *of, const char *path, struct mp_err *err);

/* fsync-free commit: rename the temporary file to the final name. */
int outfile_commit(struct outfile *of, struct mp_err *err);

/* Remove the temporary file (safe to call after commit or on a closed outfile). */
void outfile_abort(struct outfile *of);

#endif
