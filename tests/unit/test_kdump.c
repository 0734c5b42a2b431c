// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kdump-compressed readers: images built here from qemu-inputs.md 8
 * (disk_dump_header, kdump_sub_header + CORE notes, two bitmaps, 24-byte
 * page descriptors, a shared zero page first in the data), raw and wrapped
 * in makedumpfile's flattened records, read back through input_open.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "dumpgen.h"
#include "../../src/input/input.h"
#include "../../src/util/bytes.h"

#define BS 4096u

enum kind { K_ZERO, K_RAW, K_ZLIB, K_ZSTD, K_EXCLUDED };

struct page {
	uint64_t pfn;
	enum kind kind;
};

struct kd_spec {
	bool be;
	uint64_t max_mapnr;
	const struct page *pages; /* ascending pfn */
	size_t npages;
	uint32_t status;          /* 0: zlib (0x1) */
	uint32_t version;         /* 0: 6 */
	uint32_t block_size;      /* 0: BS */
	uint32_t pids[2];
};

/* Where the builder put things, for tests that corrupt them. */
struct kd_layout {
	size_t bitmap_off, desc_off, data_off;
};

static void page_bytes(uint64_t pfn, uint8_t *out)
{
	for (uint32_t k = 0; k < BS; k++)
		out[k] = dg_pattern((uint32_t)pfn, k);
}

/* A page whose content compresses well: pattern only in its first 64 bytes. */
static void compressible_page(uint64_t pfn, uint8_t *out)
{
	memset(out, 0, BS);
	for (uint32_t k = 0; k < 64; k++)
		out[k] = dg_pattern((uint32_t)pfn, k);
}

static void expected_page(const struct page *p, uint8_t *out)
{
	if (p->kind == K_ZERO || p->kind == K_EXCLUDED)
		memset(out, 0, BS);
	else if (p->kind == K_RAW)
		page_bytes(p->pfn, out);
	else
		compressible_page(p->pfn, out);
}

static void set_bit(struct bb *b, size_t bitmap_off, uint64_t pfn)
{
	b->p[bitmap_off + pfn / 8] |= (uint8_t)(1u << (pfn % 8));
}

/* Compressed form of a page; returns its size (the page itself for K_RAW). */
static size_t page_data(const struct page *p, uint8_t *out, size_t cap)
{
	uint8_t page[BS];
	uLongf zn = cap;
	size_t n;

	expected_page(p, page);
	switch (p->kind) {
	case K_ZLIB:
		cr_assert_eq(compress2(out, &zn, page, BS, Z_BEST_SPEED), Z_OK);
		return zn;
	case K_ZSTD:
		n = ZSTD_compress(out, cap, page, BS, 1);
		cr_assert(!ZSTD_isError(n));
		return n;
	default:
		memcpy(out, page, BS);
		return BS;
	}
}

static void put_headers(struct bb *b, const struct kd_spec *s, uint32_t sub_blocks,
			uint32_t bitmap_blocks, size_t note_size)
{
	bb_bytes(b, "KDUMP   ", 8);
	bb_u32(b, s->version ? s->version : 6);
	bb_pad_to(b, 424);
	bb_u32(b, s->status ? s->status : 0x1);
	bb_u32(b, s->block_size ? s->block_size : BS);
	bb_u32(b, sub_blocks);
	bb_u32(b, bitmap_blocks);
	bb_u32(b, (uint32_t)s->max_mapnr);
	bb_pad_to(b, 460);
	bb_u32(b, 2); /* nr_cpus */
	bb_pad_to(b, BS);
	/* kdump_sub_header: dump_level @8, offset_note @48, note_size @56, max_mapnr_64 @96. */
	bb_u64(b, 0);
	bb_u32(b, 1);
	bb_pad_to(b, BS + 48);
	bb_u64(b, BS + 104);
	bb_u64(b, note_size);
	bb_pad_to(b, BS + 96);
	bb_u64(b, s->max_mapnr);
	dg_core_notes(b, 2, s->pids, 0);
}

static void build_kdump(struct bb *b, const struct kd_spec *s, struct kd_layout *lay)
{
	size_t note_size = 2 * 1808, bitmap_len, ndump = 0;
	uint32_t sub_blocks = (uint32_t)((104 + note_size + BS - 1) / BS), bitmap_blocks;
	uint8_t cbuf[2 * BS];
	size_t data_at;

	bitmap_len = ((s->max_mapnr + 7) / 8 + BS - 1) / BS * BS;
	bitmap_blocks = (uint32_t)(2 * bitmap_len / BS);
	bb_init(b, s->be);
	put_headers(b, s, sub_blocks, bitmap_blocks, note_size);
	lay->bitmap_off = (1 + sub_blocks) * BS;
	bb_pad_to(b, lay->bitmap_off + 2 * bitmap_len);
	for (size_t i = 0; i < s->npages; i++) {
		set_bit(b, lay->bitmap_off, s->pages[i].pfn);
		if (s->pages[i].kind != K_EXCLUDED) {
			set_bit(b, lay->bitmap_off + bitmap_len, s->pages[i].pfn);
			ndump++;
		}
	}
	lay->desc_off = b->len;
	lay->data_off = data_at = lay->desc_off + ndump * 24;
	bb_pad_to(b, data_at + BS); /* QEMU's shared zero page comes first */
	data_at += BS;
	for (size_t i = 0, d = 0; i < s->npages; i++) {
		const struct page *p = &s->pages[i];
		size_t n, at = lay->desc_off + 24 * d;
		uint32_t flags = p->kind == K_ZLIB ? 0x1 : p->kind == K_ZSTD ? 0x20 : 0;

		if (p->kind == K_EXCLUDED)
			continue;
		d++;
		if (p->kind == K_ZERO) {
			bb_set_u64(b, at, lay->data_off);
			bb_set_u32(b, at + 8, BS);
			continue;
		}
		n = page_data(p, cbuf, sizeof(cbuf));
		bb_set_bytes(b, data_at, cbuf, n);
		bb_set_u64(b, at, data_at);
		bb_set_u32(b, at + 8, (uint32_t)n);
		bb_set_u32(b, at + 12, flags);
		data_at += n;
	}
}

/* pfns 0-7 and 16-19: RAM; 3 and 17 zero pages; 5 only in the first bitmap (excluded). */
static const struct page std_pages[] = {
	{ 0, K_RAW }, { 1, K_ZLIB }, { 2, K_ZSTD }, { 3, K_ZERO }, { 4, K_ZLIB },
	{ 5, K_EXCLUDED }, { 6, K_RAW }, { 7, K_ZSTD }, { 16, K_ZERO }, { 17, K_ZERO },
	{ 18, K_RAW }, { 19, K_ZLIB },
};

static struct kd_spec std_spec(bool be)
{
	return (struct kd_spec){ .be = be, .max_mapnr = 20, .pages = std_pages,
				 .npages = sizeof(std_pages) / sizeof(std_pages[0]) };
}

static struct guest_mem *open_ok(const char *path)
{
	struct input_opts o = { 0 };
	struct mp_err err = { 0 };
	struct guest_mem *gm = t_input_open(path, &o, &err);

	cr_assert_not_null(gm, "%s", err.msg);
	return gm;
}

static void check_pages(struct guest_mem *gm, const struct kd_spec *s)
{
	uint8_t want[BS], got[BS];
	struct mp_err err = { 0 };

	for (size_t i = 0; i < s->npages; i++) {
		expected_page(&s->pages[i], want);
		cr_assert_eq(gm_read(gm, s->pages[i].pfn * BS, got, BS, &err), 0, "%s", err.msg);
		cr_assert_eq(memcmp(got, want, BS), 0, "pfn %llu differs",
			     (unsigned long long)s->pages[i].pfn);
	}
}

static void check_std(struct guest_mem *gm, const struct kd_spec *s)
{
	uint8_t want[BS], got[BS];
	struct mp_err err = { 0 };

	cr_assert_eq(gm->nranges, 2);
	cr_assert_eq(gm->ranges[0].gpa, 0);
	cr_assert_eq(gm->ranges[0].size, 8 * BS);
	cr_assert_eq(gm->ranges[1].gpa, 16 * BS);
	cr_assert_eq(gm->ranges[1].size, 4 * BS);
	check_pages(gm, s);
	/* A read across two pages of different encodings (zlib, zstd). */
	cr_assert_eq(gm_read(gm, 1 * BS + 100, got, BS, &err), 0, "%s", err.msg);
	expected_page(&s->pages[1], want);
	cr_assert_eq(memcmp(got, want + 100, BS - 100), 0);
	expected_page(&s->pages[2], want);
	cr_assert_eq(memcmp(got + BS - 100, want, 100), 0);
	/* Zero and excluded pages hold no data: 3 (zero) and 5 (excluded) are skipped. */
	cr_assert_eq(gm_next_data(gm, 3 * BS, 8 * BS), 4 * BS);
	cr_assert_eq(gm_next_data(gm, 5 * BS, 8 * BS), 6 * BS);
	cr_assert_eq(gm_next_data(gm, 16 * BS, 20 * BS), 18 * BS);
	cr_assert_eq(gm->ncpus, 2);
	dg_check_cpu(gm, 0, 0, 0x0);
	dg_check_cpu(gm, 1, 1, 0x4);
}

static void raw_roundtrip(bool be)
{
	struct kd_spec s = std_spec(be);
	struct kd_layout lay;
	struct guest_mem *gm;
	struct bb b;
	char *path;

	build_kdump(&b, &s, &lay);
	path = dg_file(b.p, b.len, "raw.kdump");
	gm = open_ok(path);
	check_std(gm, &s);
	gm_free(gm);
	dg_unlink(path);
	bb_free(&b);
}

Test(kdump, raw_little_endian)
{
	raw_roundtrip(false);
}

Test(kdump, raw_big_endian)
{
	raw_roundtrip(true);
}

Test(kdump, pr_pid_orders_the_vcpus)
{
	struct kd_spec s = std_spec(false);
	struct kd_layout lay;
	struct guest_mem *gm;
	struct bb b;
	char *path;

	s.pids[0] = 2;
	s.pids[1] = 1;
	build_kdump(&b, &s, &lay);
	path = dg_file(b.p, b.len, "pid.kdump");
	gm = open_ok(path);
	dg_check_cpu(gm, 0, 1, 0x0);
	dg_check_cpu(gm, 1, 0, 0x4);
	gm_free(gm);
	dg_unlink(path);
	bb_free(&b);
}

/*
 * Wrap an image in flattened records: first a junk record over [junk_at,
 * +12 KiB) (put it over zeros of the image), then 1000-byte pieces backwards.
 */
static void flatten(const struct bb *img, size_t junk_at, struct bb *out)
{
	uint8_t junk[3 * BS];
	size_t n = img->len;

	bb_init(out, true);
	bb_bytes(out, "makedumpfile", 12);
	bb_pad_to(out, 16);
	bb_u64(out, 1); /* type */
	bb_u64(out, 1); /* version */
	bb_pad_to(out, 4096);
	/* Later records overwrite it, zeros included: replay must not keep it. */
	memset(junk, 0xAA, sizeof(junk));
	bb_u64(out, junk_at);
	bb_u64(out, sizeof(junk));
	bb_bytes(out, junk, sizeof(junk));
	for (size_t end = n; end > 0;) {
		size_t start = end > 1000 ? end - 1000 : 0;

		bb_u64(out, start);
		bb_u64(out, end - start);
		bb_bytes(out, img->p + start, end - start);
		end = start;
	}
	bb_u64(out, UINT64_MAX);
	bb_u64(out, UINT64_MAX);
}

Test(kdump, flattened_both_orders_plain_and_zstd)
{
	for (int be = 0; be < 2; be++) {
		struct kd_spec s = std_spec(be);
		struct kd_layout lay;
		struct bb img, flat;

		build_kdump(&img, &s, &lay);
		/* Junk over the shared zero page: the zeros replayed later must win. */
		flatten(&img, lay.data_off - BS, &flat);
		for (int z = 0; z < 2; z++) {
			char *path = z ? dg_file_zstd(flat.p, flat.len, "f.kdump.zst")
				       : dg_file(flat.p, flat.len, "f.kdump");
			struct guest_mem *gm = open_ok(path);

			cr_assert_not_null(strstr(gm->format, "flattened"), "%s", gm->format);
			check_std(gm, &s);
			gm_free(gm);
			dg_unlink(path);
		}
		bb_free(&img);
		bb_free(&flat);
	}
}

Test(kdump, sparse_bitmap_far_ram)
{
	/* 2^26 pfns (256 GiB of address space): 8 MiB per bitmap copy, RAM at both ends. */
	static const struct page far[] = {
		{ 0, K_RAW }, { 1, K_ZLIB }, { (1u << 26) - 2, K_ZSTD }, { (1u << 26) - 1, K_RAW },
	};
	struct kd_spec s = { .max_mapnr = 1u << 26, .pages = far, .npages = 4 };
	struct kd_layout lay;
	struct guest_mem *gm;
	struct bb b;
	char *path;

	build_kdump(&b, &s, &lay);
	path = dg_file_zstd(b.p, b.len, "far.kdump.zst");
	gm = open_ok(path);
	cr_assert_eq(gm->nranges, 2);
	cr_assert_eq(gm->ranges[1].gpa, ((1ull << 26) - 2) * BS);
	cr_assert_eq(gm->ranges[1].size, 2 * BS);
	check_pages(gm, &s);
	gm_free(gm);
	dg_unlink(path);
	bb_free(&b);
}

static void expect_bad(const struct bb *b, const char *want)
{
	char *path = dg_file(b->p, b->len, "bad.kdump");

	dg_expect_open_fail(path, NULL, want);
	dg_unlink(path);
}

Test(kdump, bad_headers)
{
	struct kd_spec s = std_spec(true);
	struct kd_layout lay;
	struct bb b;

	s.version = 5;
	build_kdump(&b, &s, &lay);
	expect_bad(&b, "header_version");
	bb_free(&b);

	s = std_spec(false);
	s.block_size = 3000;
	build_kdump(&b, &s, &lay);
	expect_bad(&b, "byte offset 428: block_size 3000");
	bb_free(&b);

	s = std_spec(false);
	build_kdump(&b, &s, &lay);
	bb_set_u32(&b, 436, 3); /* odd bitmap_blocks */
	expect_bad(&b, "bitmap_blocks 3");
	bb_set_u32(&b, 436, 200000); /* bitmaps past the end of the file */
	expect_bad(&b, "run past the end");
	bb_free(&b);

	s = std_spec(true);
	build_kdump(&b, &s, &lay);
	bb_set_u64(&b, BS + 96, 1u << 20); /* max_mapnr_64 beyond a one-block bitmap */
	expect_bad(&b, "max_mapnr_64");
	bb_free(&b);
}

Test(kdump, lzo_and_snappy_refused_with_the_library_named)
{
	struct kd_spec s = std_spec(false);
	struct kd_layout lay;
	struct guest_mem *gm;
	struct mp_err err = { 0 };
	uint8_t page[BS];
	struct bb b;
	char *path;

	s.status = 0x2;
	build_kdump(&b, &s, &lay);
	expect_bad(&b, "liblzo2");
	bb_free(&b);

	/* A snappy page in a zlib dump: refused when read. */
	s = std_spec(false);
	build_kdump(&b, &s, &lay);
	bb_set_u32(&b, lay.desc_off + 24 * 1 + 12, 0x4);
	path = dg_file(b.p, b.len, "snappy.kdump");
	gm = open_ok(path);
	cr_assert_eq(gm_read(gm, 1 * BS, page, BS, &err), -1);
	dg_expect_msg(&err, path, "libsnappy");
	gm_free(gm);
	dg_unlink(path);
	bb_free(&b);
}

/* Corrupt descriptor d (the page of pfn d here) and expect reading that page to fail. */
static void expect_bad_page(size_t field, uint64_t value, bool wide, const char *want)
{
	struct kd_spec s = std_spec(true);
	struct mp_err err = { 0 };
	struct kd_layout lay;
	struct guest_mem *gm;
	uint8_t page[BS];
	struct bb b;
	char *path;

	build_kdump(&b, &s, &lay);
	if (wide)
		bb_set_u64(&b, lay.desc_off + 24 * 1 + field, value);
	else
		bb_set_u32(&b, lay.desc_off + 24 * 1 + field, (uint32_t)value);
	path = dg_file(b.p, b.len, "desc.kdump");
	gm = open_ok(path);
	cr_assert_eq(gm_read(gm, 1 * BS, page, BS, &err), -1);
	dg_expect_msg(&err, path, want);
	/* Other pages still read. */
	cr_assert_eq(gm_read(gm, 0, page, BS, &err), 0, "%s", err.msg);
	gm_free(gm);
	dg_unlink(path);
	bb_free(&b);
}

Test(kdump, bad_descriptors)
{
	expect_bad_page(0, 1ull << 40, true, "runs past the end of the file");
	expect_bad_page(8, BS + 1, false, "does not fit");
	expect_bad_page(12, 0x41, false, "not one known compression");
}

Test(kdump, compressed_page_that_does_not_inflate)
{
	struct kd_spec s = std_spec(false);
	struct mp_err err = { 0 };
	struct kd_layout lay;
	struct guest_mem *gm;
	uint8_t page[BS];
	uint64_t off;
	struct bb b;
	char *path;

	build_kdump(&b, &s, &lay);
	off = get_le64(b.p + lay.desc_off + 24 * 1); /* pfn 1: zlib */
	memset(b.p + off, 0x5A, 8);
	path = dg_file(b.p, b.len, "zlib.kdump");
	gm = open_ok(path);
	cr_assert_eq(gm_read(gm, 1 * BS, page, BS, &err), -1);
	dg_expect_msg(&err, path, "does not decompress to one page");
	gm_free(gm);
	dg_unlink(path);
	bb_free(&b);
}

Test(kdump, bad_flattened_records)
{
	struct kd_spec s = std_spec(false);
	struct kd_layout lay;
	struct bb img, flat;
	char *path;

	build_kdump(&img, &s, &lay);
	flatten(&img, lay.data_off - BS, &flat);
	/* First record at 4096: size -5. */
	put_be64(flat.p + 4096 + 8, (uint64_t)-5);
	path = dg_file(flat.p, flat.len, "neg.kdump");
	dg_expect_open_fail(path, NULL, "byte offset 4096: flattened record");
	dg_unlink(path);
	bb_free(&flat);
	flatten(&img, lay.data_off - BS, &flat);
	/* No end marker. */
	path = dg_file(flat.p, flat.len - 16, "noend.kdump");
	dg_expect_open_fail(path, NULL, "no end marker");
	dg_unlink(path);
	bb_free(&flat);
	flatten(&img, lay.data_off - BS, &flat);
	put_be64(flat.p + 16, 2); /* header type */
	path = dg_file(flat.p, flat.len, "type.kdump");
	dg_expect_open_fail(path, NULL, "byte offset 16");
	dg_unlink(path);
	bb_free(&flat);
	bb_free(&img);
}

/* Every cut must fail: at open, or when some page is read. */
static void expect_cut_fails(const uint8_t *data, size_t cut, const char *name)
{
	struct input_opts o = { 0 };
	struct mp_err err = { 0 };
	char *path = dg_file(data, cut, name);
	struct guest_mem *gm = t_input_open(path, &o, &err);

	if (gm) {
		int failed = 0;

		for (size_t r = 0; r < gm->nranges && !failed; r++) {
			uint8_t *buf = malloc(gm->ranges[r].size);

			cr_assert_not_null(buf);
			failed = gm_read(gm, gm->ranges[r].gpa, buf, gm->ranges[r].size, &err) != 0;
			free(buf);
		}
		gm_free(gm);
		cr_assert(failed, "%s cut at %zu read without error", name, cut);
	}
	dg_expect_msg(&err, NULL, NULL);
	dg_unlink(path);
}

Test(kdump, every_truncation_fails_cleanly)
{
	struct kd_spec s = std_spec(true);
	struct kd_layout lay;
	struct bb img, flat;

	build_kdump(&img, &s, &lay);
	/* The last page (pfn 19) is zlib data ending at the end of the image. */
	for (size_t cut = 8; cut < img.len; cut += cut < 600 ? 8 : 97)
		expect_cut_fails(img.p, cut, "cut.kdump");
	flatten(&img, lay.data_off - BS, &flat);
	for (size_t cut = 12; cut < flat.len; cut += cut < 4200 ? 16 : 211)
		expect_cut_fails(flat.p, cut, "cut-flat.kdump");
	bb_free(&flat);
	bb_free(&img);
}
