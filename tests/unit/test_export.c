// SPDX-License-Identifier: GPL-2.0-or-later
/* gm_export / gm_export_raw (src/guestmem/export.c): bytes and holes. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builders.h"
#include "../../src/guestmem/export.h"
#include "../../src/util/bytes.h"

/*
 * Guest: A = [1 MiB, 2 MiB) bytes with 4 KiB blocks 3..200 zero; gap;
 * B = [3 MiB, 4 MiB) zeros with 10 bytes at +0x5000; C = [4 MiB, 5 MiB) a
 * sparse file with one data block at +512 KiB; AUX = [5 MiB, +64 KiB) data.
 */
static uint8_t a_bytes[MiB];
static uint8_t c_block[4096];

static struct guest_mem *export_guest(const char *dir)
{
	struct guest_mem *gm = b_gm();
	struct mp_err err = { 0 };
	char *path = b_path(dir, "c.sparse");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct gm_backing *cb;
	static uint8_t aux[64 * KiB];

	b_pattern(a_bytes, sizeof(a_bytes), 31);
	memset(a_bytes + 3 * 4096, 0, 198 * 4096);
	a_bytes[MiB - 1] = 0; /* a block that is only partly zero is data */
	b_add_bytes(gm, MiB, a_bytes, sizeof(a_bytes));
	b_add_zero(gm, 3 * MiB, MiB);
	b_write(gm, 3 * MiB + 0x5000, "0123456789", 10);
	b_pattern(c_block, sizeof(c_block), 32);
	cr_assert_eq(ftruncate(fd, (off_t)MiB), 0);
	cr_assert_eq(pwrite(fd, c_block, 4096, 512 * KiB), 4096);
	cb = gm_backing_fd_new(fd, true, 0, MiB, "c.sparse", &err);
	cr_assert_eq(gm_add_range(gm, 4 * MiB, MiB, "c", cb, 0, &err), 0);
	gm_backing_put(cb);
	b_pattern(aux, sizeof(aux), 33);
	b_add_bytes(gm, 5 * MiB, aux, sizeof(aux));
	gm->ranges[gm->nranges - 1].flags |= GM_RANGE_AUX;
	free(path);
	return gm;
}

Test(export, raw_bytes_and_holes)
{
	const char *dir = b_tmpdir();
	struct guest_mem *gm = export_guest(dir);
	char *out = b_path(dir, "out.raw");
	int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	static uint8_t got[4 * MiB];
	struct mp_err err = { 0 };
	struct sink s;

	sink_init(&s, fd, "out.raw");
	cr_assert_eq(gm_export_raw(gm, &s, &err), 0, "%s", err.msg);
	/* Output byte i = guest byte 1 MiB + i, up to the end of C; AUX left out. */
	cr_assert_eq(lseek(fd, 0, SEEK_END), (off_t)(4 * MiB));
	cr_assert_eq(pread(fd, got, sizeof(got), 0), (ssize_t)sizeof(got));
	cr_assert_arr_eq(got, a_bytes, MiB);
	cr_assert(mem_is_zero(got + MiB, MiB), "the gap reads as zeros");
	cr_assert(mem_is_zero(got + 2 * MiB, 0x5000));
	cr_assert_eq(memcmp(got + 2 * MiB + 0x5000, "0123456789", 10), 0);
	cr_assert(mem_is_zero(got + 2 * MiB + 0x500A, MiB - 0x500A));
	cr_assert(mem_is_zero(got + 3 * MiB, 512 * KiB));
	cr_assert_arr_eq(got + 3 * MiB + 512 * KiB, c_block, 4096);
	cr_assert(mem_is_zero(got + 3 * MiB + 512 * KiB + 4096, 512 * KiB - 4096));

	/* Data blocks: A 3 + 55, B 1, C 1 = 60 x 4 KiB; the zero blocks are holes. */
	cr_assert_eq(lseek(fd, 3 * 4096, SEEK_DATA), 201 * 4096);
	cr_assert_eq(lseek(fd, MiB, SEEK_DATA), (off_t)(2 * MiB + 0x5000));
	cr_assert_eq(lseek(fd, 2 * MiB + 0x6000, SEEK_DATA), (off_t)(3 * MiB + 512 * KiB));
	errno = 0;
	cr_assert_eq(lseek(fd, 3 * MiB + 516 * KiB, SEEK_DATA), -1);
	cr_assert_eq(errno, ENXIO);
	cr_assert_leq(b_allocated(out), 60 * 4096 + 32 * KiB, "%llu bytes allocated",
		      (unsigned long long)b_allocated(out));
	close(fd);
	gm_free(gm);
	free(out);
}

Test(export, range_to_a_pipe)
{
	struct guest_mem *gm = b_gm();
	uint8_t got[16 * KiB + 1];
	struct mp_err err = { 0 };
	struct sink s;
	uint64_t done = 5;
	ssize_t n, total = 0;
	int p[2];

	b_add_zero(gm, 0x10000, 64 * KiB);
	b_write(gm, 0x10000 + 9000, "xy", 2);
	cr_assert_eq(pipe(p), 0);
	sink_init(&s, p[1], "pipe");
	cr_assert_eq(gm_export(gm, 0x10000 + 4096, 16 * KiB, &s, NULL, &done, &err), 0);
	cr_assert_eq(done, 5 + 16 * KiB, "the counter advances by the length");
	close(p[1]);
	while ((n = read(p[0], got + total, sizeof(got) - (size_t)total)) > 0)
		total += n;
	cr_assert_eq(total, 16 * KiB);
	cr_assert(mem_is_zero(got, 9000 - 4096));
	cr_assert_eq(memcmp(got + 9000 - 4096, "xy", 2), 0);
	cr_assert(mem_is_zero(got + 9002 - 4096, 16 * KiB - (9002 - 4096)));
	close(p[0]);
	gm_free(gm);
}

Test(export, outside_ram_is_an_error)
{
	struct guest_mem *gm = b_gm();
	struct mp_err err = { 0 };
	struct sink s;
	int p[2];

	b_add_zero(gm, 0, 64 * KiB);
	cr_assert_eq(pipe(p), 0);
	sink_init(&s, p[1], "pipe");
	cr_assert_eq(gm_export(gm, 60 * KiB, 8 * KiB, &s, NULL, NULL, &err), -1);
	assert_msg_has(err.msg, "0xf000");
	cr_assert_eq(s.pos, 0, "nothing written");
	close(p[0]);
	close(p[1]);
	gm_free(gm);
}
