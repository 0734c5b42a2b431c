// SPDX-License-Identifier: GPL-2.0-or-later
/* The guest memory extent map and its backings (src/guestmem/guest_mem.c, backing.c). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builders.h"
#include "../../src/util/bitmap.h"
#include "../../src/util/bytes.h"

Test(guest_mem, ranges_sorted_and_checked)
{
	struct guest_mem *gm = b_gm();
	struct mp_err err = { 0 };
	uint8_t small[16] = { 0 };
	struct gm_backing *b = gm_backing_mem_new(small, sizeof(small), &err);

	b_add_zero(gm, 0x200000, MiB);
	b_add_zero(gm, 0, MiB);
	b_add_zero(gm, 0x100000, MiB); /* adjacent to both */
	cr_assert_eq(gm->nranges, 3);
	cr_assert_eq(gm->ranges[0].gpa, 0);
	cr_assert_eq(gm->ranges[1].gpa, 0x100000);
	cr_assert_eq(gm->ranges[2].gpa, 0x200000);
	cr_assert_eq(gm_lowest(gm), 0);
	cr_assert_eq(gm_end(gm), 0x300000);
	cr_assert_eq(gm_total_size(gm), 3 * MiB);

	cr_assert_eq(gm_add_range(gm, 0x2FFFFF, 2, "x", NULL, 0, &err), -1);
	assert_msg_has(err.msg, "overlaps");
	cr_assert_eq(gm_add_range(gm, 0x400000, 0, "x", NULL, 0, &err), -1);
	cr_assert_eq(gm_add_range(gm, UINT64_MAX - 10, 100, "x", NULL, 0, &err), -1);
	assert_msg_has(err.msg, "wraps");
	cr_assert_eq(gm_add_range(gm, 0x400000, 17, "x", b, 0, &err), -1);
	assert_msg_has(err.msg, "exceeds its data");
	cr_assert_eq(gm_add_range(gm, 0x400000, 8, "x", b, 9, &err), -1);
	cr_assert_eq(gm->nranges, 3, "refused ranges are not added");
	gm_backing_put(b);
	gm_free(gm);
}

Test(guest_mem, ram_run_and_contains)
{
	struct guest_mem *gm = b_gm();

	b_add_zero(gm, 0, MiB);
	b_add_zero(gm, MiB, 2 * MiB);
	b_add_zero(gm, 4 * MiB, MiB);
	cr_assert_eq(gm_ram_run(gm, 0), 3 * MiB, "adjacent ranges form one run");
	cr_assert_eq(gm_ram_run(gm, 2 * MiB), MiB);
	cr_assert_eq(gm_ram_run(gm, 3 * MiB), 0);
	cr_assert_eq(gm_ram_run(gm, 4 * MiB + 1), MiB - 1);
	cr_assert_eq(gm_ram_run(gm, 5 * MiB), 0);
	cr_assert(gm_contains(gm, 0, 3 * MiB));
	cr_assert_not(gm_contains(gm, 0, 3 * MiB + 1));
	cr_assert_not(gm_contains(gm, 3 * MiB - 1, MiB + 2), "across the gap");
	cr_assert_not(gm_contains(gm, UINT64_MAX - 1, 4));
	cr_assert_eq(gm_total_size(gm), 4 * MiB);
	gm_free(gm);
}

Test(guest_mem, read_outside_ram_names_address)
{
	struct guest_mem *gm = b_gm();
	struct mp_err err = { 0 };
	uint8_t buf[32];

	b_add_zero(gm, 0x100000, MiB);
	b_add_zero(gm, 0x300000, MiB);
	cr_assert_eq(gm_read(gm, 0x1FFFF8, buf, 16, &err), -1);
	cr_assert_eq(err.status, MP_EINPUT);
	assert_msg_has(err.msg, "test.img");
	assert_msg_has(err.msg, "0x1ffff8");
	cr_assert_eq(gm_read(gm, 0xFFFF0, buf, 32, &err), -1, "starts below RAM");
	assert_msg_has(err.msg, "0xffff0");
	cr_assert_eq(gm_read(gm, UINT64_MAX - 3, buf, 8, &err), -1, "wraps");
	cr_assert_eq(gm_write(gm, 0x2FFFF0, buf, 32, &err), -1);
	assert_msg_has(err.msg, "0x2ffff0");
	cr_assert_eq(gm_zero(gm, 0x400000, 1, &err), -1);
	cr_assert_eq(gm_read(gm, 0x3FFFE0, buf, 32, &err), 0, "%s", err.msg);
	gm_free(gm);
}

Test(guest_mem, write_across_range_boundary)
{
	struct guest_mem *gm = b_gm();
	uint8_t data[8192], got[8192 + 2];
	static uint8_t pat[MiB];

	b_pattern(pat, sizeof(pat), 7);
	b_add_bytes(gm, 0, pat, sizeof(pat));
	b_add_zero(gm, MiB, MiB);
	b_pattern(data, sizeof(data), 99);
	b_write(gm, MiB - 4096, data, sizeof(data));
	b_read(gm, MiB - 4097, got, sizeof(got));
	cr_assert_eq(got[0], pat[MiB - 4097], "byte before the write is the old one");
	cr_assert_arr_eq(got + 1, data, sizeof(data));
	cr_assert_eq(got[8193], 0, "byte after the write is still zero");
	/* The backing is never written: the first range still reads its own bytes before. */
	b_read(gm, 0, got, 4096);
	cr_assert_arr_eq(got, pat, 4096);
	gm_free(gm);
}

Test(guest_mem, write_zeros_and_zero)
{
	struct guest_mem *gm = b_gm();
	uint8_t pat[64 * KiB], z[100] = { 0 };
	bool zero = false;
	struct mp_err err = { 0 };

	b_pattern(pat, sizeof(pat), 3);
	b_add_bytes(gm, 0x1000, pat, sizeof(pat));
	b_write(gm, 0x1000 + 50, z, sizeof(z));
	cr_assert(b_is_zero(gm, 0x1000 + 50, 100));
	cr_assert_eq(b_read8(gm, 0x1000 + 49), pat[49]);
	cr_assert_eq(b_read8(gm, 0x1000 + 150), pat[150]);
	cr_assert_eq(gm_zero(gm, 0x2000, 0x3000, &err), 0);
	cr_assert(b_is_zero(gm, 0x2000, 0x3000));
	cr_assert_eq(b_read8(gm, 0x1FFF), pat[0xFFF]);
	cr_assert_eq(b_read8(gm, 0x5000), pat[0x4000]);
	cr_assert_eq(gm_is_zero(gm, 0x2000, 0x3000, &zero, &err), 0);
	cr_assert(zero);
	cr_assert_eq(gm_is_zero(gm, 0x1FFF, 0x3000, &zero, &err), 0);
	cr_assert_not(zero);
	gm_free(gm);
}

/* dst/src overlapping copies must act like memmove, in both directions. */
static void check_copy(uint64_t dst, uint64_t src, uint64_t len)
{
	struct guest_mem *gm = b_gm();
	static uint8_t ref[256 * KiB], got[256 * KiB];
	struct mp_err err = { 0 };

	b_pattern(ref, sizeof(ref), 11);
	b_add_bytes(gm, 0, ref, sizeof(ref));
	memmove(ref + dst, ref + src, len);
	cr_assert_eq(gm_copy(gm, dst, src, len, &err), 0, "%s", err.msg);
	b_read(gm, 0, got, sizeof(got));
	cr_assert_arr_eq(got, ref, sizeof(ref), "copy 0x%llx <- 0x%llx (0x%llx)",
			 (unsigned long long)dst, (unsigned long long)src, (unsigned long long)len);
	gm_free(gm);
}

Test(guest_mem, copy_overlapping_both_directions)
{
	check_copy(0x1000, 0, 0x10000);      /* forward overlap */
	check_copy(0, 0x1000, 0x10000);      /* backward overlap */
	check_copy(0x123, 0x100, 0x3001);    /* odd sizes */
	check_copy(0x20000, 0x100, 0x1000);  /* disjoint */
	check_copy(0x500, 0x500, 0x100);     /* onto itself */
	check_copy(0x10, 0x20, 0);           /* nothing */
}

Test(guest_mem, copies_of_copies)
{
	struct guest_mem *gm = b_gm();
	uint8_t a[4096], got[4096];
	struct mp_err err = { 0 };

	b_add_zero(gm, 0, MiB);
	b_pattern(a, sizeof(a), 5);
	b_write(gm, 0x1000, a, sizeof(a));
	cr_assert_eq(gm_copy(gm, 0x10000, 0x1000, 4096, &err), 0);
	cr_assert_eq(gm_copy(gm, 0x20000, 0x10000, 4096, &err), 0);
	/* Changing the original or the first copy must not change the second. */
	b_write(gm, 0x1000, "XXXX", 4);
	cr_assert_eq(gm_zero(gm, 0x10000, 4096, &err), 0);
	b_read(gm, 0x20000, got, sizeof(got));
	cr_assert_arr_eq(got, a, sizeof(a));
	cr_assert(b_is_zero(gm, 0x10000, 4096));
	b_read(gm, 0x1000, got, 8);
	cr_assert_eq(memcmp(got, "XXXX", 4), 0);
	cr_assert_eq(got[4], a[4]);
	gm_free(gm);
}

Test(guest_mem, copy_outside_ram_fails_unchanged)
{
	struct guest_mem *gm = b_gm();
	uint8_t a[64], got[64];
	struct mp_err err = { 0 };

	b_add_zero(gm, 0, 64 * KiB);
	b_pattern(a, sizeof(a), 1);
	b_write(gm, 0, a, sizeof(a));
	cr_assert_eq(gm_copy(gm, 0x100, 64 * KiB - 8, 16, &err), -1);
	assert_msg_has(err.msg, "copy source");
	assert_msg_has(err.msg, "0xfff8");
	cr_assert_eq(gm_copy(gm, 64 * KiB - 8, 0, 16, &err), -1);
	assert_msg_has(err.msg, "copy destination");
	b_read(gm, 0, got, sizeof(got));
	cr_assert_arr_eq(got, a, sizeof(a));
	cr_assert(b_is_zero(gm, 64 * KiB - 8, 8));
	gm_free(gm);
}

Test(guest_mem, map_points_ram_at_a_backing_and_checks_its_end)
{
	struct guest_mem *gm = b_gm();
	uint8_t a[8192], got[4096];
	struct gm_backing *bk;
	struct mp_err err = { 0 };

	b_add_zero(gm, 0, 64 * KiB);
	b_pattern(a, sizeof(a), 9);
	bk = gm_backing_mem_new(a, sizeof(a), &err);
	cr_assert(bk);
	/* The second 4 KiB of the backing at 0x3000: what a placed page reads. */
	cr_assert_eq(gm_map(gm, 0x3000, 4096, bk, 4096, &err), 0, "%s", err.msg);
	b_read(gm, 0x3000, got, sizeof(got));
	cr_assert_arr_eq(got, a + 4096, sizeof(got));
	cr_assert(b_is_zero(gm, 0x2000, 4096));
	cr_assert(b_is_zero(gm, 0x4000, 4096));
	/* Past the backing's end, or outside RAM: refused, nothing changed. */
	cr_assert_eq(gm_map(gm, 0x5000, 8192, bk, 4096, &err), -1);
	assert_msg_has(err.msg, "past its backing's end");
	cr_assert_eq(gm_map(gm, 64 * KiB - 4096, 8192, bk, 0, &err), -1);
	cr_assert(b_is_zero(gm, 0x5000, 8192));
	gm_backing_put(bk);
	b_read(gm, 0x3000, got, sizeof(got));
	cr_assert_arr_eq(got, a + 4096, sizeof(got), "the map holds its own reference");
	gm_free(gm);
}

/* A sparse file: data blocks at the given 4 KiB block numbers, holes elsewhere. */
static int sparse_file(const char *dir, uint64_t size, const unsigned *blocks, size_t n,
		       uint8_t fill_seed)
{
	char *path = b_path(dir, "sparse");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	uint8_t blk[4096];

	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, (off_t)size), 0);
	for (size_t i = 0; i < n; i++) {
		b_pattern(blk, sizeof(blk), fill_seed + blocks[i]);
		cr_assert_eq(pwrite(fd, blk, sizeof(blk), (off_t)blocks[i] * 4096), 4096);
	}
	free(path);
	return fd;
}

Test(guest_mem, next_data_and_is_zero_over_holes)
{
	const char *dir = b_tmpdir();
	static const unsigned blocks[] = { 0, 768 }; /* 0 and 3 MiB */
	int fd = sparse_file(dir, 4 * MiB, blocks, 2, 40);
	struct mp_err err = { 0 };
	struct gm_backing *b = gm_backing_fd_new(fd, true, 0, 4 * MiB, "sparse", &err);
	struct guest_mem *gm = b_gm();
	const uint64_t g = 0x10000000;
	uint8_t blk[4096], got[4096];
	bool zero;

	cr_assert_not_null(b);
	b_add_zero(gm, 0, MiB);
	b_add_zero(gm, MiB, MiB);
	cr_assert_eq(gm_add_range(gm, g, 4 * MiB, "file", b, 0, &err), 0, "%s", err.msg);
	gm_backing_put(b);

	cr_assert_eq(gm_next_data(gm, 0, 2 * MiB), 2 * MiB, "all-zero ranges: none");
	cr_assert_eq(gm_next_data(gm, 0, g + 4 * MiB), g, "across the gap to the file");
	cr_assert_eq(gm_next_data(gm, g + 4096, g + 4 * MiB), g + 3 * MiB, "over the hole");
	cr_assert_eq(gm_next_data(gm, g + 4096, g + 2 * MiB), g + 2 * MiB, "bounded by end");
	cr_assert_eq(gm_next_data(gm, g + 3 * MiB + 4096, g + 4 * MiB), g + 4 * MiB);
	b_write(gm, 0x5000, "d", 1);
	cr_assert_eq(gm_next_data(gm, 0, 2 * MiB), 0x5000);
	cr_assert_eq(gm_next_data(gm, 0x5001, g + 4 * MiB), g);

	cr_assert_eq(gm_is_zero(gm, g + 4096, 3 * MiB - 4096, &zero, &err), 0);
	cr_assert(zero);
	cr_assert_eq(gm_is_zero(gm, g + 4096, 3 * MiB - 4095, &zero, &err), 0);
	cr_assert_not(zero, "includes the first byte of the data block");
	cr_assert_eq(gm_is_zero(gm, 2 * MiB - 8, 16, &zero, &err), -1, "not RAM");
	/* Bytes come from the file where it has data. */
	b_pattern(blk, sizeof(blk), 40 + 768);
	b_read(gm, g + 3 * MiB, got, sizeof(got));
	cr_assert_arr_eq(got, blk, sizeof(blk));
	cr_assert(b_is_zero(gm, g + 4096, 4096));
	gm_free(gm);
}

Test(guest_mem, fd_backing_base_and_short_file)
{
	const char *dir = b_tmpdir();
	uint8_t pat[8192], got[4096];
	char *path;
	int fd;
	struct mp_err err = { 0 };
	struct gm_backing *b;
	struct guest_mem *gm = b_gm();

	b_pattern(pat, sizeof(pat), 21);
	path = b_file(dir, "f", pat, sizeof(pat));
	fd = open(path, O_RDONLY);
	/* Backing = file bytes [4096, 4096 + 8192): the second half lies past EOF. */
	b = gm_backing_fd_new(fd, true, 4096, 8192, "f.img", &err);
	cr_assert_not_null(b);
	cr_assert_eq(gm_add_range(gm, 0x1000, 8192, "f", b, 0, &err), 0);
	gm_backing_put(b);
	b_read(gm, 0x1000, got, 4096);
	cr_assert_arr_eq(got, pat + 4096, 4096);
	cr_assert_eq(gm_read(gm, 0x2000, got, 16, &err), -1);
	assert_msg_has(err.msg, "f.img");
	assert_msg_has(err.msg, "byte offset 8192");
	gm_free(gm);
	free(path);
}

/* A backing that counts its destruction, to check the reference counting. */
static int destroyed;

static int count_read(struct gm_backing *b, uint64_t off, void *buf, size_t len,
		      struct mp_err *err)
{
	(void)b;
	(void)err;
	memset(buf, (int)(0x40 + off % 7), len);
	return 0;
}

static void count_destroy(struct gm_backing *b)
{
	destroyed++;
	free(b);
}

static const struct gm_backing_ops count_ops = {
	.read = count_read,
	.destroy = count_destroy,
};

Test(guest_mem, backing_refcount)
{
	struct gm_backing *b = calloc(1, sizeof(*b));
	struct guest_mem *gm = b_gm();
	struct mp_err err = { 0 };

	b->ops = &count_ops;
	b->refs = 1;
	b->size = MiB;
	b_add_zero(gm, 0, MiB);
	cr_assert_eq(gm_add_range(gm, MiB, MiB, "c", b, 0, &err), 0);
	cr_assert_eq(b->refs, 2);
	gm_backing_put(b);
	cr_assert_eq(b_read8(gm, MiB + 9), 0x40 + 2, "custom read gets the backing offset");
	cr_assert_eq(gm_copy(gm, 0x100, MiB + 0x100, 0x1000, &err), 0);
	cr_assert_eq(gm_copy(gm, 0x8000, MiB + 0x200, 0x1000, &err), 0);
	cr_assert_eq(gm_zero(gm, MiB, MiB, &err), 0);
	cr_assert_eq(destroyed, 0, "copies still use the backing");
	cr_assert_eq(b_read8(gm, 0x100), 0x40 + 0x100 % 7);
	cr_assert_eq(gm_zero(gm, 0, MiB, &err), 0);
	cr_assert_eq(destroyed, 1, "last reference dropped");
	gm_free(gm);
	cr_assert_eq(destroyed, 1);
}

Test(guest_mem, notes_and_cpus)
{
	struct guest_mem *gm = b_gm();
	struct mp_err err = { 0 };
	struct vcpu_state *c = calloc(2, sizeof(*c));

	cr_assert_eq(gm_add_note(gm, &err, "vmdesc missing: %d sections", 3), 0);
	cr_assert_eq(gm->notes.n, 1);
	cr_assert_str_eq(gm->notes.v[0].msg, "vmdesc missing: 3 sections");
	cr_assert_eq(gm->notes.v[0].level, FINDING_INFO);
	cr_assert_str_eq(gm->notes.v[0].code, "input-note");
	/* A reader note is never cut (it was cut at 511 bytes once). */
	cr_assert_eq(gm_add_note(gm, &err, "%0900d", 7), 0);
	cr_assert_eq(strlen(gm->notes.v[1].msg), 900);
	cr_assert_eq(gm->notes.v[1].msg[899], '7');
	c[1].pir = 4;
	gm_set_cpus(gm, c, 2);
	cr_assert_eq(gm->ncpus, 2);
	cr_assert_eq(gm->cpus[1].pir, 4);
	gm_set_cpus(gm, calloc(1, sizeof(*c)), 1); /* replaces (and frees) the first list */
	cr_assert_eq(gm->ncpus, 1);
	gm_free(gm);
}

/* xorshift64 for the model test. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Random writes, zeroings and (often overlapping) copies over a guest mixing
 * a memory backing, zero ranges and a sparse file, checked against a flat
 * array where the same operations are done with memmove/memset.
 */
Test(guest_mem, model_check_random_operations)
{
	enum { SIZE = 1 << 20 };
	static uint8_t model[SIZE], got[SIZE], data[20000];
	static const unsigned blocks[] = { 1, 5, 6, 100 };
	const char *dir = b_tmpdir();
	int fd = sparse_file(dir, SIZE / 2, blocks, 4, 60);
	struct mp_err err = { 0 };
	struct gm_backing *fb = gm_backing_fd_new(fd, true, 0, SIZE / 2, "s", &err);
	struct guest_mem *gm = b_gm();
	uint64_t seed = 0x1234567887654321ULL;

	b_pattern(model, SIZE / 4, 77);
	b_add_bytes(gm, 0, model, SIZE / 4);
	b_add_zero(gm, SIZE / 4, SIZE / 4);
	cr_assert_eq(gm_add_range(gm, SIZE / 2, SIZE / 2, "s", fb, 0, &err), 0);
	gm_backing_put(fb);
	cr_assert_eq(pread(fd, model + SIZE / 2, SIZE / 2, 0), SIZE / 2);

	for (int op = 0; op < 3000; op++) {
		uint64_t len = rnd(&seed) % 20000 + 1;
		uint64_t dst = rnd(&seed) % (SIZE - len);
		uint64_t kind = rnd(&seed) % 4;

		if (kind == 0) {
			b_pattern(data, len, (uint32_t)op);
			if (rnd(&seed) % 5 == 0)
				memset(data, 0, len);
			b_write(gm, dst, data, len);
			memcpy(model + dst, data, len);
		} else if (kind == 1) {
			cr_assert_eq(gm_zero(gm, dst, len, &err), 0);
			memset(model + dst, 0, len);
		} else {
			/* Half of the copies overlap their source. */
			uint64_t src = kind == 2 ? rnd(&seed) % (SIZE - len)
						 : dst + rnd(&seed) % (2 * len) - len;

			if (src > SIZE - len)
				src = dst;
			cr_assert_eq(gm_copy(gm, dst, src, len, &err), 0, "%s", err.msg);
			memmove(model + dst, model + src, len);
		}
		if (op % 250 == 249) {
			b_read(gm, 0, got, SIZE);
			cr_assert_arr_eq(got, model, SIZE, "after operation %d", op);
		}
	}
	gm_free(gm);
}

/* bitmap.h against a bool-per-bit model, over random ranges (fixed seed). */
Test(bitmap, matches_a_bool_model)
{
	enum { NBITS = 300 };
	bool model[NBITS] = { 0 };
	struct bitmap bm;
	struct mp_err err = { 0 };
	unsigned seed = 7;

	cr_assert_eq(bitmap_init(&bm, NBITS, &err), 0);
	for (int round = 0; round < 2000; round++) {
		uint64_t a = (uint64_t)rand_r(&seed) % (NBITS + 1), b = (uint64_t)rand_r(&seed) % (NBITS + 1);
		uint64_t lo = a < b ? a : b, hi = a < b ? b : a;
		uint64_t want_set = hi, want_clear = hi;

		if (round % 3 == 2) {
			for (uint64_t i = lo; i < hi; i++) {
				if (model[i] && want_set == hi)
					want_set = i;
				if (!model[i] && want_clear == hi)
					want_clear = i;
			}
			cr_assert_eq(bitmap_next_set(&bm, lo, hi), want_set, "set in [%llu, %llu)",
				     (unsigned long long)lo, (unsigned long long)hi);
			cr_assert_eq(bitmap_next_clear(&bm, lo, hi), want_clear,
				     "clear in [%llu, %llu)", (unsigned long long)lo,
				     (unsigned long long)hi);
			if (lo < NBITS)
				cr_assert_eq(bitmap_test(&bm, lo), model[lo], "bit %llu",
					     (unsigned long long)lo);
			continue;
		}
		for (uint64_t i = lo; i < hi; i++)
			model[i] = round % 3 == 0;
		if (round % 3 == 0)
			bitmap_set_range(&bm, lo, hi);
		else
			bitmap_clear_range(&bm, lo, hi);
	}
	/* Past nbits every bit reads clear, and nothing is set there. */
	cr_assert_eq(bitmap_next_clear(&bm, NBITS, NBITS + 64), NBITS);
	cr_assert_eq(bitmap_next_set(&bm, NBITS, NBITS + 64), NBITS + 64);
	cr_assert(!bitmap_test(&bm, NBITS));
	bitmap_free(&bm);
}

/*
 * A backing given the map of its written pages answers next_data/next_hole
 * as SEEK_DATA/SEEK_HOLE do on the same file (the kernel is the reference),
 * at page-aligned and unaligned offsets, with a non-zero base.
 */
Test(guest_mem, written_map_answers_like_seek_data)
{
	const char *dir = b_tmpdir();
	static const unsigned blocks[] = { 1, 2, 3, 64, 65, 130, 200, 255 };
	const uint64_t base = 4096, size = 256 * 4096 - base;
	int fd = sparse_file(dir, 256 * 4096, blocks, sizeof(blocks) / sizeof(blocks[0]), 9);
	int probe = dup(fd);
	struct mp_err err = { 0 };
	struct gm_backing *b = gm_backing_fd_new(fd, true, base, size, "mapped", &err);
	struct bitmap bm;
	unsigned seed = 3;

	cr_assert_not_null(b);
	cr_assert_eq(bitmap_init(&bm, 256, &err), 0);
	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		bitmap_set_range(&bm, blocks[i], blocks[i] + 1);
	gm_backing_fd_set_map(b, &bm, 4096);
	cr_assert_null(bm.words, "the backing took the map");
	for (int round = 0; round < 500; round++) {
		uint64_t off = (uint64_t)rand_r(&seed) % size;
		uint64_t end = off + 1 + (uint64_t)rand_r(&seed) % (size - off);
		off_t d = lseek(probe, (off_t)(base + off), SEEK_DATA);
		off_t h = lseek(probe, (off_t)(base + off), SEEK_HOLE);
		uint64_t want_d = d < 0 || (uint64_t)d - base >= end ? end : (uint64_t)d - base;
		uint64_t want_h = h < 0 || (uint64_t)h - base >= end ? end : (uint64_t)h - base;

		cr_assert_eq(b->ops->next_data(b, off, end), want_d, "data from %llu to %llu",
			     (unsigned long long)off, (unsigned long long)end);
		cr_assert_eq(b->ops->next_hole(b, off, end), want_h, "hole from %llu to %llu",
			     (unsigned long long)off, (unsigned long long)end);
	}
	close(probe);
	gm_backing_put(b);
}
