// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * util/outfile: what kind of target gets which treatment (links followed,
 * devices and FIFOs written through, modes, output = input, short names).
 * Device nodes are made with mknod in a private folder, never in /dev.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "builders.h"
#include "../../src/util/outfile.h"

/* Linux's memory devices: 1,3 is null and 1,7 is full (Documentation/admin-guide/devices.txt). */
#define MEM_MAJOR 1
#define NULL_MINOR 3

static void write_and_commit(struct outfile *of, const char *data)
{
	struct mp_err err = { 0 };

	cr_assert_eq(write(of->fd, data, strlen(data)), (ssize_t)strlen(data));
	cr_assert_eq(outfile_commit(of, &err), 0, "%s", err.msg);
}

static void assert_content(const char *path, const char *want)
{
	char buf[64] = { 0 };
	int fd = open(path, O_RDONLY);

	cr_assert(fd >= 0, "open %s", path);
	cr_assert_eq(read(fd, buf, sizeof(buf) - 1), (ssize_t)strlen(want));
	cr_assert_str_eq(buf, want);
	close(fd);
}

Test(outfile, symlink_target_replaced_link_kept)
{
	const char *dir = b_tmpdir();
	char *target = b_file(dir, "real.raw", "old", 3);
	char *link = b_path(dir, "link.raw");
	struct mp_err err = { 0 };
	struct outfile of;
	struct stat st;

	cr_assert_eq(symlink("real.raw", link), 0);
	cr_assert_eq(outfile_open(&of, link, NULL, &err), 0, "%s", err.msg);
	write_and_commit(&of, "new");
	cr_assert_eq(lstat(link, &st), 0);
	cr_assert(S_ISLNK(st.st_mode), "the link must stay a link");
	assert_content(target, "new");
	cr_assert_eq(b_dir_count(dir), 2);
	free(target);
	free(link);
}

Test(outfile, dangling_symlink_creates_its_target)
{
	const char *dir = b_tmpdir();
	char *link = b_path(dir, "link.raw");
	char *target = b_path(dir, "later.raw");
	struct mp_err err = { 0 };
	struct outfile of;

	cr_assert_eq(symlink(target, link), 0);
	cr_assert_eq(outfile_open(&of, link, NULL, &err), 0, "%s", err.msg);
	write_and_commit(&of, "made");
	assert_content(target, "made");
	free(target);
	free(link);
}

Test(outfile, rewrite_keeps_mode_and_owner)
{
	const char *dir = b_tmpdir();
	char *path = b_file(dir, "old.raw", "old", 3);
	struct mp_err err = { 0 };
	struct outfile of;
	struct stat st;

	cr_assert_eq(chmod(path, 0640), 0);
	if (geteuid() == 0)
		cr_assert_eq(chown(path, 1234, 5678), 0);
	umask(022);
	cr_assert_eq(outfile_open(&of, path, NULL, &err), 0, "%s", err.msg);
	write_and_commit(&of, "new");
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0640, "mode 0%o", st.st_mode & 07777);
	if (geteuid() == 0) {
		cr_assert_eq(st.st_uid, 1234);
		cr_assert_eq(st.st_gid, 5678);
	}
	free(path);
}

Test(outfile, long_name_that_fits_is_writable)
{
	const char *dir = b_tmpdir();
	char name[251];
	char *path;
	struct mp_err err = { 0 };
	struct outfile of;

	/* 250 bytes: the final name fits NAME_MAX (255), name + ".tmp.XXXXXX" would not. */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	path = b_path(dir, name);
	cr_assert_eq(outfile_open(&of, path, NULL, &err), 0, "%s", err.msg);
	write_and_commit(&of, "fits");
	assert_content(path, "fits");
	free(path);
}

Test(outfile, character_device_written_through)
{
	const char *dir = b_tmpdir();
	char *node = b_path(dir, "null");
	struct mp_err err = { 0 };
	struct outfile of;
	struct stat st;

	if (mknod(node, S_IFCHR | 0666, makedev(MEM_MAJOR, NULL_MINOR)) < 0)
		cr_skip_test("mknod needs root (CAP_MKNOD): %s", strerror(errno));
	cr_assert_eq(outfile_open(&of, node, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(of.kind, OUTFILE_STREAM);
	cr_assert_str_eq(of.tmp, "", "no temporary for a device");
	write_and_commit(&of, "gone");
	cr_assert_eq(stat(node, &st), 0);
	cr_assert(S_ISCHR(st.st_mode), "the device node must stay a device node");
	cr_assert_eq(b_dir_count(dir), 1);
	free(node);
}

Test(outfile, block_device_and_directory_refused)
{
	const char *dir = b_tmpdir();
	char *node = b_path(dir, "blk");
	struct mp_err err = { 0 };
	struct outfile of;

	cr_assert_eq(outfile_open(&of, dir, NULL, &err), -1);
	cr_assert(strstr(err.msg, "is a directory"), "%s", err.msg);
	cr_assert_eq(outfile_open(&of, "", NULL, &err), -1);
	cr_assert(strstr(err.msg, "empty"), "%s", err.msg);
	/* 7,0 is loop0; the node is never opened. */
	if (mknod(node, S_IFBLK | 0600, makedev(7, 0)) < 0)
		cr_skip_test("mknod needs root (CAP_MKNOD): %s", strerror(errno));
	cr_assert_eq(outfile_open(&of, node, NULL, &err), -1);
	cr_assert(strstr(err.msg, "block device"), "%s", err.msg);
	cr_assert_eq(b_dir_count(dir), 1, "nothing created");
	free(node);
}

Test(outfile, output_that_is_an_input_refused)
{
	const char *dir = b_tmpdir();
	char *in = b_file(dir, "in.raw", "input", 5);
	char *hard = b_path(dir, "hard.raw");
	char *soft = b_path(dir, "soft.raw");
	char dotted[4200];
	const char *inputs[] = { "unrelated-missing-file", in, NULL };
	struct outfile_opts o = { .inputs = inputs };
	const char *spellings[] = { in, hard, soft, dotted };
	struct mp_err err = { 0 };
	struct outfile of;

	snprintf(dotted, sizeof(dotted), "%s/./in.raw", dir);
	cr_assert_eq(link(in, hard), 0);
	cr_assert_eq(symlink("in.raw", soft), 0);
	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		cr_assert_eq(outfile_open(&of, spellings[i], &o, &err), -1, "%s", spellings[i]);
		cr_assert(strstr(err.msg, "is the input"), "%s", err.msg);
	}
	cr_assert_eq(b_dir_count(dir), 3, "no temporary left");
	assert_content(in, "input");
	free(in);
	free(hard);
	free(soft);
}

/* A child writes into an output, then dies of sig: the cleanup removes the temporary. */
static void assert_signal_removes_temp(int sig)
{
	const char *dir = b_tmpdir();
	char *path = b_path(dir, "out.raw");
	int status;
	pid_t pid = fork();

	cr_assert(pid >= 0);
	if (pid == 0) {
		struct mp_err err;
		struct outfile of;

		if (outfile_open(&of, path, NULL, &err) || write(of.fd, "x", 1) != 1)
			_exit(3);
		raise(sig);
		_exit(4);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status), "child status 0x%x", status);
	cr_assert_eq(WTERMSIG(status), sig);
	cr_assert_eq(b_dir_count(dir), 0, "the temporary file must be gone");
	free(path);
}

Test(outfile, signal_removes_temp)
{
	assert_signal_removes_temp(SIGTERM);
}

Test(outfile, sigpipe_removes_temp)
{
	assert_signal_removes_temp(SIGPIPE);
}

Test(outfile, adopted_file_becomes_the_output)
{
	const char *dir = b_tmpdir();
	char *path = b_path(dir, "out.raw");
	struct mp_err err = { 0 };
	struct outfile of;
	struct stat st;
	int fd = open(dir, O_TMPFILE | O_RDWR, 0600);

	if (fd < 0)
		cr_skip_test("no O_TMPFILE on this file system: %s", strerror(errno));
	cr_assert_eq(write(fd, "decoded!", 8), 8);
	cr_assert_eq(outfile_open(&of, path, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(outfile_adopt(&of, fd, 7), 0);
	cr_assert_eq(outfile_commit(&of, &err), 0, "%s", err.msg);
	close(fd);
	assert_content(path, "decoded");
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(b_dir_count(dir), 1);
	free(path);
}
