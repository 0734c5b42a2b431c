// SPDX-License-Identifier: GPL-2.0-or-later
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The one temporary file a run may have open, for the signal handler.
 * Written before the handlers are armed; read only by them.
 */
static char pending_tmp[4096];
static volatile sig_atomic_t pending_set;

static void remove_pending_and_die(int sig)
{
	if (pending_set)
		unlink(pending_tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void arm_cleanup(const char *tmp)
{
	struct sigaction sa;

	snprintf(pending_tmp, sizeof(pending_tmp), "%s", tmp);
	pending_set = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = remove_pending_and_die;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void disarm_cleanup(void)
{
	pending_set = 0;
}

/* An existing device or FIFO: renaming a file over it would replace the node. */
static int open_through(struct outfile *of, const char *path, const struct stat *st,
			struct mp_err *err)
{
	if (S_ISDIR(st->st_mode))
		return mp_fail(err, MP_EUSAGE, "%s: is a directory", path);
	of->fd = open(path, O_WRONLY | O_CLOEXEC);
	if (of->fd < 0)
		return mp_fail_errno(err, "%s: cannot open for writing", path);
	of->through = true;
	return 0;
}

int outfile_open(struct outfile *of, const char *path, struct mp_err *err)
{
	char real[PATH_MAX];
	struct stat st;
	int n;

	memset(of, 0, sizeof(*of));
	of->fd = -1;
	if (strcmp(path, "-") == 0) {
		if (isatty(STDOUT_FILENO))
			return mp_fail(err, MP_EUSAGE,
				       "refusing to write binary data to a terminal; "
				       "redirect standard output or use -o FILE");
		snprintf(of->path, sizeof(of->path), "-");
		of->fd = STDOUT_FILENO;
		of->is_stdout = true;
		return 0;
	}
	n = snprintf(of->path, sizeof(of->path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(of->path) - 16)
		return mp_fail(err, MP_EUSAGE, "output path too long: %s", path);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return open_through(of, path, &st, err);
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && realpath(path, real) &&
	    strlen(real) < sizeof(of->path) - 16)
		snprintf(of->path, sizeof(of->path), "%s", real);
	path = of->path;
	snprintf(of->tmp, sizeof(of->tmp), "%s.tmp.XXXXXX", path);
	of->fd = mkstemp(of->tmp);
	if (of->fd < 0) {
		of->tmp[0] = '\0';
		return mp_fail_errno(err, "%s: cannot create output", path);
	}
	/* mkstemp makes 0600; give the output the usual umask-based mode. */
	{
		mode_t mask = umask(0);

		umask(mask);
		fchmod(of->fd, 0666 & ~mask);
	}
	arm_cleanup(of->tmp);
	return 0;
}

int outfile_commit(struct outfile *of, struct mp_err *err)
{
	if (of->is_stdout)
		return 0;
	if (of->through) {
		int rc = close(of->fd);

		of->fd = -1;
		return rc < 0 ? mp_fail_errno(err, "%s: cannot finish writing", of->path) : 0;
	}
	if (close(of->fd) < 0) {
		of->fd = -1;
		mp_fail_errno(err, "%s: cannot finish writing", of->path);
		outfile_abort(of);
		return -1;
	}
	of->fd = -1;
	if (rename(of->tmp, of->path) < 0) {
		mp_fail_errno(err, "%s: cannot rename %s into place", of->path, of->tmp);
		outfile_abort(of);
		return -1;
	}
	of->tmp[0] = '\0';
	disarm_cleanup();
	return 0;
}

void outfile_abort(struct outfile *of)
{
	if (of->is_stdout)
		return;
	if (of->fd >= 0)
		close(of->fd);
	of->fd = -1;
	if (of->tmp[0])
		unlink(of->tmp);
	of->tmp[0] = '\0';
	disarm_cleanup();
}
