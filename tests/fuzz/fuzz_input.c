// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the input readers (make fuzz): every byte string is
 * an input file. input_open either fails with a message, or yields guest
 * memory whose ranges read back (inputs it calls malformed are tried again
 * with --salvage); under AddressSanitizer
 * and UndefinedBehaviorSanitizer nothing may crash, leak or overflow.
 *
 * The bytes go into one file that each run rewrites, because the readers take
 * a path (and pread, mmap or re-open it as the real tool does).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/input/input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];
static int fd = -1;

static void remove_file(void)
{
	unlink(path);
}

static void make_file(void)
{
	const char *dir = getenv("TMPDIR");

	snprintf(path, sizeof(path), "%s/mpiplctl-fuzz-%d.bin", dir && *dir ? dir : "/tmp",
		 (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror(path);
		abort();
	}
	atexit(remove_file);
}

/* The first and last page of every range, as preserve and vmcore would read them. */
static void read_back(struct guest_mem *gm)
{
	uint8_t page[4096];
	struct mp_err err;

	for (size_t i = 0; i < gm->nranges; i++) {
		const struct gm_range *r = &gm->ranges[i];
		size_t n = r->size < sizeof(page) ? (size_t)r->size : sizeof(page);

		if (gm_read(gm, r->gpa, page, n, &err) == 0)
			gm_read(gm, r->gpa + r->size - n, page, n, &err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input_opts o = { 0 };
	struct guest_mem *gm;
	struct mp_err err;

	if (fd < 0)
		make_file();
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	gm = input_open(path, &o, &err);
	if (!gm && err.status == MP_EINPUT) {
		/* A damaged stream: what --salvage keeps of it must read back too. */
		o.salvage = true;
		gm = input_open(path, &o, &err);
	}
	if (!gm) {
		/* Every failure says what went wrong. */
		if (!err.msg[0])
			abort();
		return 0;
	}
	read_back(gm);
	gm_free(gm);
	return 0;
}
