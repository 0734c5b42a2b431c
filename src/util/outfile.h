/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where a result goes, safely. The one place that decides how an output is
 * written:
 * - a regular file (or a name not yet taken) gets a temporary file beside it,
 *   mode 0600 when new or the old file's mode and owner, and only on success
 *   fsync of the data, rename onto the name, fsync of the folder;
 * - a symbolic link is followed: its target is what gets replaced;
 * - a character device or FIFO is written straight through (no temporary, no
 *   rename); block devices, directories and sockets are refused;
 * - "-" is standard output, refused when it is a terminal;
 * - an output that is one of the run's inputs (same device and inode) is
 *   refused before anything is written.
 * An interrupted run leaves nothing behind: SIGINT, SIGTERM, SIGHUP and
 * SIGPIPE remove the temporary file.
 */
#ifndef MPIPL_UTIL_OUTFILE_H
#define MPIPL_UTIL_OUTFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

enum outfile_kind {
	OUTFILE_REGULAR, /* temporary + rename */
	OUTFILE_STREAM,  /* character device or FIFO: written through */
	OUTFILE_STDOUT,
};

struct outfile_opts {
	bool no_sync;              /* skip both fsyncs (--no-sync) */
	const char *const *inputs; /* NULL-terminated; the output must be none of them */
};

struct outfile {
	char path[4096];   /* as the user gave it, for messages; "-" for stdout */
	char target[4096]; /* path with symbolic links followed: what is written */
	char dir[4096];    /* target's folder, where the temporary goes */
	char tmp[4096];    /* temporary name, empty when there is none */
	int fd;
	enum outfile_kind kind;
	bool is_stdout;
	bool sync;
	bool existed;      /* a regular target existed: keep its mode and owner */
	unsigned mode, uid, gid;
};

/*
 * Check the output and open what will be written (the temporary file, the
 * device, or stdout). Meant to run before any work, so that a wrong output
 * fails at once. o may be NULL (fsync on, no inputs to compare).
 */
int outfile_open(struct outfile *of, const char *path, const struct outfile_opts *o,
		 struct mp_err *err);

/*
 * Regular outputs only: make the unlinked file fd (O_TMPFILE, on the
 * target's filesystem) the temporary, cut to size bytes. Returns 0 when
 * adopted, -1 when not possible (the caller then writes the data itself).
 */
int outfile_adopt(struct outfile *of, int fd, uint64_t size);

/* Finish: fsync, rename into place, fsync the folder (regular files); close. */
int outfile_commit(struct outfile *of, struct mp_err *err);

/* Remove the temporary file (safe to call after commit or on a closed outfile). */
void outfile_abort(struct outfile *of);

#endif
