// SPDX-License-Identifier: GPL-2.0-or-later
/* mapped-ram files (spec qemu-inputs.md 4.5), laid out by hand. */
#include <criterion/criterion.h>
#include <string.h>

#include "mig_build.h"

#define F_MEM_SIZE 0x004
#define F_PAGE 0x008
#define F_EOS 0x010
#define MIB 0x100000u

struct mr_opts {
	uint32_t version;     /* 0: 1 */
	uint64_t page_size;   /* 0: 4096 */
	uint64_t pages_shift; /* added to pnv.ram's pages_offset */
	uint64_t bitmap_off;  /* 0: right after the header */
	bool ignore_shared;   /* capability x-ignore-shared, HOMER block without data */
	bool page_record;     /* a PAGE record after the block list (invalid) */
	size_t prefix;        /* migrate file:PATH,offset=prefix: the stream starts there */
};

static void pad_to(struct mb *b, size_t off)
{
	cr_assert(b->len <= off);
	mb_fill(b, 0, off - b->len);
}

static void put_at(struct mb *b, size_t off, const uint8_t *p, size_t n)
{
	if (b->len < off + n)
		pad_to(b, off + n);
	memcpy(b->p + off, p, n);
}

/* pnv.ram 64 KiB with pages 0, 2, 3, 15 present; homer 8 KiB with page 1. */
static void mr_build(struct mb *b, const struct mr_opts *o)
{
	const char *caps[2] = { "mapped-ram", "x-ignore-shared" };
	uint8_t page[4096];
	size_t bitmap, pages, next;

	mb_init(b);
	/* Every offset below is b->len at that point: a file offset, as QEMU writes it. */
	mb_fill(b, 'P', o->prefix);
	mb_header(b);
	mb_config(b, "powernv9", caps, o->ignore_shared ? 2 : 1);
	mb_section(b, 0x01, 1, "ram", 0, 4);
	mb_be64(b, (0x10000 + 0x2000) | F_MEM_SIZE);
	mb_str8(b, "pnv.ram");
	mb_be64(b, 0x10000);
	if (o->ignore_shared)
		mb_be64(b, 0); /* GPA */
	bitmap = o->bitmap_off ? o->bitmap_off : b->len + 28;
	pages = MIB + o->pages_shift; /* round_up(bitmap + 8, 1 MiB) */
	mb_be32(b, o->version ? o->version : 1);
	mb_be64(b, o->page_size ? o->page_size : 4096);
	mb_be64(b, bitmap);
	mb_be64(b, pages);
	/* Bits 0, 2, 3 in byte 0 (0x0D) and 15 in byte 1 (0x80), little-endian longs. */
	if (bitmap < MIB)
		put_at(b, bitmap, (const uint8_t[]){ 0x0D, 0x80, 0, 0, 0, 0, 0, 0 }, 8);
	mb_pattern(page, 1);
	put_at(b, pages + 0x0000, page, 4096);
	memset(page, 0xEE, sizeof(page)); /* present in the file, absent in the bitmap */
	put_at(b, pages + 0x1000, page, 4096);
	mb_pattern(page, 2);
	put_at(b, pages + 0x2000, page, 4096);
	mb_pattern(page, 3);
	put_at(b, pages + 0x3000, page, 4096);
	mb_pattern(page, 7);
	put_at(b, pages + 0xF000, page, 4096);
	pad_to(b, pages + 0x10000);
	mb_str8(b, "homer-chip0-memory");
	mb_be64(b, 0x2000);
	if (o->ignore_shared) {
		mb_be64(b, 0x203ffd800000ull);
		mb_be32(b, 1);
		mb_be64(b, 4096);
		mb_be64(b, 0); /* no data: the stream goes on right here */
		mb_be64(b, 0);
	} else {
		next = b->len + 28;
		mb_be32(b, 1);
		mb_be64(b, 4096);
		mb_be64(b, next);
		mb_be64(b, 2 * MIB);
		put_at(b, next, (const uint8_t[]){ 0x02, 0, 0, 0, 0, 0, 0, 0 }, 8);
		mb_pattern(page, 4);
		put_at(b, 2 * MIB + 0x1000, page, 4096);
		pad_to(b, 2 * MIB + 0x2000);
	}
	if (o->page_record) {
		mb_be64(b, 0x1000 | F_PAGE);
		mb_str8(b, "pnv.ram");
		mb_fill(b, 1, 4096);
	}
	mb_be64(b, F_EOS);
	mb_footer(b, 1);
	mb_eof(b, NULL);
}

static void check(struct guest_mem *gm, bool homer_data)
{
	static const int seeds[16] = { 1, -1, 2, 3, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 7 };
	uint8_t page[4096], want[4096];

	cr_assert_eq(gm->nranges, 2);
	for (int i = 0; i < 16; i++) {
		if (seeds[i] < 0)
			memset(want, 0, sizeof(want));
		else
			mb_pattern(want, (uint8_t)seeds[i]);
		mb_read_page(gm, (uint64_t)i * 4096, page);
		cr_assert_arr_eq(page, want, 4096, "page %d", i);
	}
	/* Holes come from the bitmap: exact page boundaries. */
	cr_assert_eq(gm_next_data(gm, 0x1000, 0x10000), 0x2000);
	cr_assert_eq(gm_next_data(gm, 0x4000, 0x10000), 0xF000);
	cr_assert_eq(gm_next_data(gm, 0x2800, 0x10000), 0x2800);
	cr_assert_eq(gm_data_run_end(gm, 0x0, 0x10000), 0x1000);
	cr_assert_eq(gm_data_run_end(gm, 0x2000, 0x10000), 0x4000);
	cr_assert_eq(gm_data_run_end(gm, 0xF000, 0x10000), 0x10000);
	if (homer_data)
		mb_pattern(want, 4);
	else
		memset(want, 0, sizeof(want));
	mb_read_page(gm, 0x203ffd801000ull, page);
	cr_assert_arr_eq(page, want, 4096);
	cr_assert_neq(gm->ranges[1].flags & GM_RANGE_AUX, 0);
}

Test(mapped_ram, plain_and_zstd)
{
	struct mr_opts o = { 0 };
	struct mb b;
	struct mp_err err;

	mr_build(&b, &o);
	for (int z = 0; z <= 1; z++) {
		struct guest_mem *gm = mb_open(z ? mb_write_zstd(&b, "mr.zst") :
						   mb_write(&b, b.len, "mr.mig"),
					       &err);

		cr_assert_not_null(gm, "%s", err.msg);
		check(gm, true);
		cr_assert_not_null(strstr(gm->format, "mapped-ram"));
		gm_free(gm);
	}
	mb_free(&b);
}

Test(mapped_ram, at_a_file_offset_with_file_offsets)
{
	struct mr_opts o = { .prefix = 69632 };
	struct mb b;
	struct mp_err err;

	mr_build(&b, &o);
	for (int z = 0; z <= 1; z++) {
		struct guest_mem *gm = mb_open(z ? mb_write_zstd(&b, "mr-at.zst") :
						   mb_write(&b, b.len, "mr-at.mig"),
					       &err);

		cr_assert_not_null(gm, "%s", err.msg);
		check(gm, true);
		cr_assert_not_null(strstr(gm->format, "mapped-ram, in a file at byte offset 69632"),
				   "%s", gm->format);
		cr_assert(mb_has_note(gm, "starts at byte offset 69632"));
		gm_free(gm);
	}
	mb_free(&b);
}

Test(mapped_ram, ignore_shared_block_without_data)
{
	struct mr_opts o = { .ignore_shared = true };
	struct mb b;
	struct mp_err err;
	struct guest_mem *gm;

	mr_build(&b, &o);
	gm = mb_open(mb_write(&b, b.len, "mr.mig"), &err);
	cr_assert_not_null(gm, "%s", err.msg);
	check(gm, false);
	cr_assert(mb_has_note(gm, "'homer-chip0-memory' has no pages in the file"));
	gm_free(gm);
	mb_free(&b);
}

static void expect_fail(const struct mr_opts *o, size_t cut, const char *want)
{
	struct mb b;
	struct mp_err err;

	mr_build(&b, o);
	cr_assert_null(mb_open(mb_write(&b, cut ? cut : b.len, "mr.mig"), &err), "%s", want);
	cr_assert_not_null(strstr(err.msg, want), "\"%s\" lacks \"%s\"", err.msg, want);
	cr_assert_not_null(strstr(err.msg, "byte offset"), "%s", err.msg);
	mb_free(&b);
}

Test(mapped_ram, bad_headers)
{
	expect_fail(&(struct mr_opts){ .version = 2 }, 0, "header version 2 is newer than 1");
	expect_fail(&(struct mr_opts){ .page_size = 65536 }, 0, "page size 65536 is not 4096");
	expect_fail(&(struct mr_opts){ .pages_shift = 0x800 }, 0,
		    "pages offset is not page-aligned");
	expect_fail(&(struct mr_opts){ .bitmap_off = 0x7FFFFFFFFFFFFFFCull }, 0,
		    "bitmap lies beyond the end of the file");
	expect_fail(&(struct mr_opts){ .bitmap_off = 0xFFFFFFFFFFFFFFFCull }, 0,
		    "bitmap lies beyond the end of the file");
	/* Cut inside pnv.ram's pages: the header points past the end. */
	expect_fail(&(struct mr_opts){ 0 }, MIB + 0x8000, "pages lie beyond the end of the file");
	expect_fail(&(struct mr_opts){ .page_record = true }, 0,
		    "ram record flags 0x8 are not allowed with mapped-ram");
}
