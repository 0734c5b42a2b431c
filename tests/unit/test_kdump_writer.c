// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kdump writer: small guests built here, vmcore models written by hand,
 * and the output decoded by a reader written in this file from makedumpfile's
 * diskdump_mod.h (qemu-inputs.md 8): header and sub-header fields, both
 * bitmaps, one descriptor per page, page bytes after decompression equal to
 * the guest bytes each PT_LOAD names (zero where no PT_LOAD covers a page).
 * Expected layouts (pfns, block counts, offsets) are worked out by hand in
 * the comments.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "dumpgen.h"
#include "../../src/vmcore/kdump/kdump_writer.h"
#include "../../src/util/bytes.h"

/* ---- the reader: integers in the dump's byte order ---- */

struct kd {
	const uint8_t *f;
	size_t len;
	bool be;
};

static uint64_t rd(const struct kd *k, uint64_t off, unsigned n)
{
	uint64_t v = 0;

	cr_assert(off + n <= k->len, "read of %u bytes at %llu past the end (%zu)", n,
		  (unsigned long long)off, k->len);
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)k->f[off + i] << (8 * (k->be ? n - 1 - i : i));
	return v;
}

#define R32(k, off) ((uint32_t)rd(k, off, 4))
#define R64(k, off) rd(k, off, 8)

/* ---- guests and models ---- */

struct tload {
	uint32_t type;
	uint64_t paddr, size, offset;
};

struct tcase {
	uint32_t P;
	const struct tload *loads;
	size_t nloads;
	const uint64_t *pfns; /* pages expected in the dump, ascending */
	size_t npfns;
	uint64_t max_mapnr;
	uint32_t sub_blocks;    /* sub-header blocks */
	uint32_t bitmap_blocks; /* both bitmaps */
	const uint8_t *ram;     /* guest bytes from address 0 */
	size_t ram_size;
	uint8_t (*byte)(uint64_t gpa); /* instead of ram: guest byte at gpa */
	const char *vmcoreinfo;
	bool be;
	enum kdump_compress c;
	unsigned threads;
};

static uint64_t xs_state;

static uint8_t rnd(void)
{
	xs_state ^= xs_state << 13;
	xs_state ^= xs_state >> 7;
	xs_state ^= xs_state << 17;
	return (uint8_t)(xs_state >> 24);
}

enum kind { TEXT, RAND, ZERO, HALF };

/* Page i of a buffer: text (compresses), random (does not), zero, or half random. */
static void fill_page(uint8_t *p, size_t P, unsigned i, enum kind k)
{
	char line[80];
	size_t at = 0;

	memset(p, 0, P);
	switch (k) {
	case TEXT:
		while (at < P) {
			int n = snprintf(line, sizeof(line), "page %u: the quick brown fox jumps\n", i);

			memcpy(p + at, line, P - at < (size_t)n ? P - at : (size_t)n);
			at += (size_t)n;
		}
		break;
	case RAND:
	case HALF:
		for (size_t j = 0; j < (k == HALF ? P / 2 : P); j++)
			p[j] = rnd();
		break;
	case ZERO:
		break;
	}
}

/* The notes: two NT_PRSTATUS ("CORE", 504 bytes), then VMCOREINFO. */
static void build_notes(struct bb *b, const char *vmcoreinfo, size_t *vmci_off)
{
	size_t tlen = strlen(vmcoreinfo);

	for (int c = 0; c < 2; c++) {
		bb_u32(b, 5);
		bb_u32(b, 504);
		bb_u32(b, 1);
		bb_bytes(b, "CORE\0\0\0\0", 8);
		for (int j = 0; j < 504; j++)
			bb_u8(b, (uint8_t)(c * 7 + j));
	}
	*vmci_off = b->len;
	bb_u32(b, 11);
	bb_u32(b, (uint32_t)tlen);
	bb_u32(b, 0);
	bb_bytes(b, "VMCOREINFO\0\0", 12);
	bb_bytes(b, vmcoreinfo, tlen);
	bb_pad_to(b, (b->len + 3) / 4 * 4);
}

/* The expected page at pfn: bytes of the PT_LOADs over it, zero elsewhere. */
static void expected_page(const struct tcase *t, uint64_t pfn, uint8_t *out)
{
	uint64_t a = pfn * t->P;

	memset(out, 0, t->P);
	for (size_t i = 0; i < t->nloads; i++) {
		const struct tload *l = &t->loads[i];

		if (l->type != 1)
			continue;
		for (uint64_t x = a; x < a + t->P; x++)
			if (x >= l->paddr && x < l->paddr + l->size) {
				uint64_t g = l->offset + (x - l->paddr);

				out[x - a] = t->byte ? t->byte(g) : g < t->ram_size ? t->ram[g] : 0;
			}
	}
}

/* Run the writer on the case; the whole output file, malloc'd. */
static uint8_t *write_case(const struct tcase *t, struct guest_mem *gm, size_t *len,
			   struct mp_err *err, int *rc)
{
	struct vmcore_model m = { 0 };
	struct kdump_opts o = { t->c, t->threads };
	struct sink s;
	struct bb nb;
	FILE *tf = tmpfile();
	uint8_t *out;
	off_t size;

	cr_assert(tf);
	bb_init(&nb, t->be);
	build_notes(&nb, t->vmcoreinfo, &m.vmcoreinfo_off);
	m.big_endian = t->be;
	m.page_size = t->P;
	m.notes = nb.p;
	m.notes_len = nb.len;
	m.ncpu_notes = 2;
	m.phdrs = calloc(t->nloads, sizeof(*m.phdrs));
	cr_assert(m.phdrs);
	for (size_t i = 0; i < t->nloads; i++)
		m.phdrs[m.nphdrs++] = (struct vmcore_phdr){ t->loads[i].type, t->loads[i].paddr,
							    t->loads[i].size, t->loads[i].offset };
	sink_init(&s, fileno(tf), "test.kdump");
	*rc = vmcore_write_kdump(gm, &m, &o, &s, err);
	size = lseek(fileno(tf), 0, SEEK_END);
	out = malloc((size_t)size + 1);
	cr_assert(out && pread(fileno(tf), out, (size_t)size, 0) == size);
	*len = (size_t)size;
	fclose(tf);
	free(m.phdrs);
	bb_free(&nb);
	return out;
}

static struct guest_mem *guest(const struct tcase *t, uint64_t hole_gpa, uint64_t hole_size)
{
	struct mp_err err;
	struct guest_mem *gm = gm_new("test", "mem", &err);
	struct gm_backing *b = gm_backing_mem_new(t->ram, t->ram_size, &err);

	cr_assert(gm && b);
	cr_assert(gm_add_range(gm, 0, t->ram_size, "ram", b, 0, &err) == 0, "%s", err.msg);
	gm_backing_put(b);
	if (hole_size)
		cr_assert(gm_add_range(gm, hole_gpa, hole_size, "hole", NULL, 0, &err) == 0);
	return gm;
}

/* ---- checking a dump ---- */

static void check_header(const struct kd *k, const struct tcase *t, const char *release)
{
	uint32_t status = t->c == KDUMP_ZLIB ? 0x1 : t->c == KDUMP_ZSTD ? 0x20 : 0;

	cr_assert_arr_eq(k->f, "KDUMP   ", 8);
	cr_assert_eq(R32(k, 8), 6, "header_version");
	/* utsname: sysname at 12, release at 12 + 2 * 65, machine at 12 + 4 * 65. */
	cr_assert_str_eq((const char *)k->f + 12, "Linux");
	cr_assert_str_eq((const char *)k->f + 142, release);
	cr_assert_str_eq((const char *)k->f + 272, t->be ? "ppc64" : "ppc64le");
	cr_assert_eq(R32(k, 424), status, "status 0x%x", R32(k, 424));
	cr_assert_eq(R32(k, 428), t->P, "block_size");
	cr_assert_eq(R32(k, 432), t->sub_blocks, "sub_hdr_size %u", R32(k, 432));
	cr_assert_eq(R32(k, 436), t->bitmap_blocks, "bitmap_blocks %u", R32(k, 436));
	cr_assert_eq(R32(k, 440), t->max_mapnr, "max_mapnr");
	cr_assert_eq(R32(k, 460), 2, "nr_cpus");
}

static void check_sub_header(const struct kd *k, const struct tcase *t, const struct bb *notes,
			     size_t vmci_off)
{
	uint64_t S = t->P, tlen = strlen(t->vmcoreinfo);

	cr_assert_eq(R64(k, S + 0), 0, "phys_base");
	cr_assert_eq(R32(k, S + 8), 1, "dump_level");
	cr_assert_eq(R32(k, S + 12), 0, "split");
	/* Notes right after the 104-byte sub-header; the text after its 24-byte note header. */
	cr_assert_eq(R64(k, S + 48), S + 104, "offset_note");
	cr_assert_eq(R64(k, S + 56), notes->len, "size_note");
	cr_assert_arr_eq(k->f + S + 104, notes->p, notes->len);
	cr_assert_eq(R64(k, S + 32), S + 104 + vmci_off + 24, "offset_vmcoreinfo");
	cr_assert_eq(R64(k, S + 40), tlen, "size_vmcoreinfo");
	cr_assert_arr_eq(k->f + R64(k, S + 32), t->vmcoreinfo, tlen);
	cr_assert_eq(R64(k, S + 96), t->max_mapnr, "max_mapnr_64");
}

static void check_bitmaps(const struct kd *k, const struct tcase *t)
{
	uint64_t b1 = (uint64_t)t->P * (1 + t->sub_blocks);
	uint64_t len = (uint64_t)t->P * t->bitmap_blocks / 2;
	size_t j = 0;

	cr_assert_arr_eq(k->f + b1, k->f + b1 + len, len, "the two bitmaps differ");
	for (uint64_t pfn = 0; pfn < len * 8; pfn++) {
		bool set = k->f[b1 + pfn / 8] >> (pfn % 8) & 1;
		bool want = j < t->npfns && t->pfns[j] == pfn;

		cr_assert_eq(set, want, "bitmap bit of pfn 0x%llx", (unsigned long long)pfn);
		j += want;
	}
}

/* Page bytes of descriptor i after decompression; checks the stored form. */
static void decode_page(const struct kd *k, const struct tcase *t, uint64_t d, uint64_t zero_off,
			uint8_t *out)
{
	uint64_t off = R64(k, d);
	uint32_t size = R32(k, d + 8), flags = R32(k, d + 12);
	uLongf zlen = t->P;

	cr_assert_eq(R64(k, d + 16), 0, "page_flags");
	cr_assert(off >= zero_off && off + size <= k->len, "page data outside the file");
	if (flags == 0) {
		cr_assert_eq(size, t->P, "a stored page is a whole page");
		memcpy(out, k->f + off, t->P);
	} else if (flags == 0x1) {
		cr_assert_eq(t->c, KDUMP_ZLIB);
		cr_assert_lt(size, t->P, "compressed only when it shrinks");
		cr_assert_eq(uncompress(out, &zlen, k->f + off, size), Z_OK);
		cr_assert_eq(zlen, t->P);
	} else {
		cr_assert_eq(flags, 0x20, "descriptor flags 0x%x", flags);
		cr_assert_eq(t->c, KDUMP_ZSTD);
		cr_assert_lt(size, t->P, "compressed only when it shrinks");
		cr_assert_eq(ZSTD_decompress(out, t->P, k->f + off, size), t->P);
	}
}

static void check_pages(const struct kd *k, const struct tcase *t)
{
	uint64_t desc = (uint64_t)t->P * (1 + t->sub_blocks + t->bitmap_blocks);
	uint64_t zero_off = desc + 24 * t->npfns, end = zero_off + t->P;
	uint8_t *want = malloc(t->P), *got = malloc(t->P);

	cr_assert(want && got);
	for (size_t i = 0; i < t->npfns; i++) {
		uint64_t d = desc + 24 * i;

		expected_page(t, t->pfns[i], want);
		decode_page(k, t, d, zero_off, got);
		cr_assert_arr_eq(got, want, t->P, "page of pfn 0x%llx", (unsigned long long)t->pfns[i]);
		if (mem_is_zero(want, t->P))
			cr_assert(R64(k, d) == zero_off && R32(k, d + 8) == t->P && R32(k, d + 12) == 0,
				  "zero page of pfn 0x%llx is not the shared one",
				  (unsigned long long)t->pfns[i]);
		if (R64(k, d) + R32(k, d + 8) > end)
			end = R64(k, d) + R32(k, d + 8);
	}
	cr_assert(mem_is_zero(k->f + zero_off, t->P), "the shared zero page");
	cr_assert_eq(k->len, end, "file length %zu, data ends at %llu", k->len,
		     (unsigned long long)end);
	free(want);
	free(got);
}

static struct kd check_dump(const uint8_t *f, size_t len, const struct tcase *t,
			    const char *release)
{
	struct kd k = { f, len, t->be };
	size_t vmci_off;
	struct bb nb;

	bb_init(&nb, t->be);
	build_notes(&nb, t->vmcoreinfo, &vmci_off);
	check_header(&k, t, release);
	check_sub_header(&k, t, &nb, vmci_off);
	check_bitmaps(&k, t);
	check_pages(&k, t);
	bb_free(&nb);
	return k;
}

/* ---- the small guest: every page shape a PT_LOAD list can make ---- */

#define SP 4096u
#define RAM0 0x40000u /* 64 pages of data at address 0 */
#define HOLE 0x80000u /* 16 pages of zero extent (a hole, not read) */

static uint8_t small_ram[RAM0];

/* Page i of small_ram is TEXT, RAND, ZERO, HALF by i % 4. */
static void small_fill(void)
{
	xs_state = 0x9E3779B97F4A7C15ull;
	for (unsigned i = 0; i < RAM0 / SP; i++)
		fill_page(small_ram + i * SP, SP, i, (enum kind)(i % 4));
}

/* Given out of order (the writer sorts), with a PT_NULL among them. */
static const struct tload small_loads[] = {
	{ 1, 0x300000, 0x8000, 0x8000 },  /* pfn 0x300-0x307 <- guest pages 8-15 */
	{ 1, 0x0, 0x3000, 0x20000 },      /* pfn 0-2 <- pages 32-34 (relocated boot memory) */
	{ 0, 0, 0, 0 },                   /* PT_NULL: ignored */
	{ 1, 0x3000, 0x5800, 0x3000 },    /* pfn 3-8, ends in the middle of pfn 8 */
	{ 1, 0x8800, 0x1800, 0x30800 },   /* the rest of pfn 8, and pfn 9 */
	{ 1, 0x1001b0, 0x1f50, 0x3f1b0 }, /* pfn 0x100-0x102: partial pages, data past RAM */
	{ 1, 0x200000, 0x4000, HOLE },    /* pfn 0x200-0x203: a hole */
};

static const uint64_t small_pfns[] = {
	0,     1,     2,     3,     4,     5,     6,     7,     8,     9,     0x100, 0x101, 0x102,
	0x200, 0x201, 0x202, 0x203, 0x300, 0x301, 0x302, 0x303, 0x304, 0x305, 0x306, 0x307,
};

static const char small_vmci[] = "OSRELEASE=6.12.0-test\nPAGESIZE=4096\n";

/*
 * max_mapnr 0x308; one bitmap = 0x308 bits = 97 bytes: 1 block, so 2 in all;
 * 104-byte sub-header + 1048 bytes of CPU notes + 60 of VMCOREINFO: 1 block.
 */
static struct tcase small_case(bool be, enum kdump_compress c, unsigned threads)
{
	return (struct tcase){ SP, small_loads, 7, small_pfns, 25, 0x308, 1, 2, small_ram, RAM0,
			       NULL, small_vmci, be, c, threads };
}

static void run_small(bool be, enum kdump_compress c)
{
	struct tcase t0 = small_case(be, c, 0), t1 = small_case(be, c, 1), t3 = small_case(be, c, 3);
	struct guest_mem *gm;
	struct mp_err err;
	uint8_t *f0, *f1, *f3;
	size_t l0, l1, l3;
	int rc;

	small_fill();
	gm = guest(&t1, HOLE, 0x10000);
	f1 = write_case(&t1, gm, &l1, &err, &rc);
	cr_assert_eq(rc, 0, "%s", err.msg);
	f3 = write_case(&t3, gm, &l3, &err, &rc);
	cr_assert_eq(rc, 0, "%s", err.msg);
	f0 = write_case(&t0, gm, &l0, &err, &rc);
	cr_assert_eq(rc, 0, "%s", err.msg);
	check_dump(f1, l1, &t1, "6.12.0-test");
	cr_assert(l1 == l3 && memcmp(f1, f3, l1) == 0, "3 threads write another file than 1");
	cr_assert(l1 == l0 && memcmp(f1, f0, l1) == 0, "no worker thread: another file");
	if (c != KDUMP_NONE) {
		struct kd k = { f1, l1, be };
		uint64_t d = 4 * SP; /* descriptors: after header, sub-header, 2 bitmap blocks */

		/* pfn 0 <- page 32 (TEXT): compressed; pfn 1 <- page 33 (RAND): stored. */
		cr_assert_eq(R32(&k, d + 12), c == KDUMP_ZLIB ? 0x1 : 0x20);
		cr_assert_eq(R32(&k, d + 24 + 12), 0);
		cr_assert_eq(R32(&k, d + 24 + 8), SP);
	}
	free(f0);
	free(f1);
	free(f3);
	gm_free(gm);
}

Test(kdump_writer, small_le_none) { run_small(false, KDUMP_NONE); }
Test(kdump_writer, small_le_zlib) { run_small(false, KDUMP_ZLIB); }
Test(kdump_writer, small_le_zstd) { run_small(false, KDUMP_ZSTD); }
Test(kdump_writer, small_be_none) { run_small(true, KDUMP_NONE); }
Test(kdump_writer, small_be_zlib) { run_small(true, KDUMP_ZLIB); }
Test(kdump_writer, small_be_zstd) { run_small(true, KDUMP_ZSTD); }

/* ---- many pages: several batches in flight (0 to 3 workers: the same file) ---- */

#define BP 65536u
#define BIG (8u << 20) /* 128 pages of 64 KiB */

static uint8_t *big_ram;
static uint64_t big_pfns[BIG / BP];
static const struct tload big_loads[] = { { 1, 0, BIG, 0 } };

static void run_big(bool be, enum kdump_compress c)
{
	/* max_mapnr 128: a 16-byte bitmap in a 64 KiB block; the notes fit block 1. */
	struct tcase t = { BP, big_loads, 1, big_pfns, BIG / BP, BIG / BP, 1, 2, NULL, BIG, NULL,
			   small_vmci, be, c, 1 };
	struct guest_mem *gm;
	struct mp_err err;
	uint8_t *ref = NULL;
	size_t rlen = 0;

	big_ram = malloc(BIG);
	cr_assert(big_ram);
	xs_state = 12345;
	for (unsigned i = 0; i < BIG / BP; i++) {
		big_pfns[i] = i;
		/* Runs of each kind, so batches differ in how much they shrink. */
		fill_page(big_ram + (size_t)i * BP, BP, i, (enum kind)(i / 3 % 4));
	}
	t.ram = big_ram;
	gm = guest(&t, 0, 0);
	for (unsigned th = 0; th <= 3; th++) {
		size_t len;
		int rc;
		uint8_t *f;

		t.threads = th;
		f = write_case(&t, gm, &len, &err, &rc);
		cr_assert_eq(rc, 0, "%s", err.msg);
		if (!ref) {
			check_dump(f, len, &t, "6.12.0-test");
			ref = f;
			rlen = len;
			continue;
		}
		cr_assert(len == rlen && memcmp(f, ref, len) == 0, "%u threads: another file", th);
		free(f);
	}
	free(ref);
	gm_free(gm);
	free(big_ram);
}

Test(kdump_writer, many_pages_le_zstd_threads) { run_big(false, KDUMP_ZSTD); }
Test(kdump_writer, many_pages_be_zlib_threads) { run_big(true, KDUMP_ZLIB); }
Test(kdump_writer, many_pages_le_none_threads) { run_big(false, KDUMP_NONE); }

/* ---- long runs: 170 MiB of hole, then 10 MiB that does not compress ---- */

#define LONG_HOLE (170ull << 20)
#define LONG_END (180ull << 20)

static uint8_t long_byte(uint64_t gpa)
{
	uint64_t x = (gpa >> 3) * 0x9E3779B97F4A7C15ull;

	x ^= x >> 31;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 29;
	return gpa < LONG_HOLE ? 0 : (uint8_t)(x >> (8 * (gpa & 7)));
}

static int long_read(struct gm_backing *b, uint64_t off, void *buf, size_t len,
		     struct mp_err *err)
{
	(void)b;
	(void)err;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = long_byte(LONG_HOLE + off + i);
	return 0;
}

static void long_destroy(struct gm_backing *b)
{
	free(b);
}

static const struct gm_backing_ops long_ops = { .read = long_read, .destroy = long_destroy };

/*
 * 46080 pages of 4 KiB: the descriptors span two windows of the writer's
 * read-back (1 MiB / 24 = 43690 each) inside the data, and runs of stored
 * pages exceed its 1 MiB output buffer. One bitmap: 46080 bits = 5760 bytes,
 * 2 blocks; 4 in all.
 */
Test(kdump_writer, long_runs_cross_buffers)
{
	static const struct tload l[] = { { 1, 0, LONG_END, 0 } };
	static uint64_t pfns[LONG_END / SP];
	struct tcase t = { SP, l, 1, pfns, LONG_END / SP, LONG_END / SP, 1, 4, NULL, LONG_END,
			   long_byte, small_vmci, true, KDUMP_ZSTD, 2 };
	struct gm_backing *b = calloc(1, sizeof(*b));
	struct guest_mem *gm;
	struct mp_err err;
	uint8_t *f;
	size_t len;
	int rc;

	cr_assert(b);
	for (size_t i = 0; i < LONG_END / SP; i++)
		pfns[i] = i;
	*b = (struct gm_backing){ .ops = &long_ops, .refs = 1, .size = LONG_END - LONG_HOLE };
	gm = gm_new("test", "mem", &err);
	cr_assert(gm);
	cr_assert(gm_add_range(gm, 0, LONG_HOLE, "hole", NULL, 0, &err) == 0);
	cr_assert(gm_add_range(gm, LONG_HOLE, LONG_END - LONG_HOLE, "data", b, 0, &err) == 0);
	gm_backing_put(b);
	f = write_case(&t, gm, &len, &err, &rc);
	cr_assert_eq(rc, 0, "%s", err.msg);
	check_dump(f, len, &t, "6.12.0-test");
	/* Every data page stored as it is: the file is the data plus the layout. */
	cr_assert_eq(len, 4096 * (1 + 1 + 4) + 24 * (LONG_END / SP) + 4096 + (LONG_END - LONG_HOLE));
	free(f);
	gm_free(gm);
}

/* ---- utsname from the kernel's memory ---- */

static const char uts_fields[6][65] = { "Linux",   "node1",   "6.12.0-test",
					"#7 SMP", "ppc64le", "(none)" };

/* init_uts_ns at physical 0x2000 (pfn 2 <- guest 0x22000), name at +off. */
static void run_uts(const char *vmci, unsigned at, const char *want_release, const char *want_node)
{
	struct tcase t = small_case(false, KDUMP_NONE, 1);
	struct guest_mem *gm;
	struct mp_err err;
	uint8_t *f;
	size_t len;
	int rc;

	small_fill();
	memcpy(small_ram + 0x22000 + at, uts_fields, sizeof(uts_fields));
	t.vmcoreinfo = vmci;
	gm = guest(&t, HOLE, 0x10000);
	f = write_case(&t, gm, &len, &err, &rc);
	cr_assert_eq(rc, 0, "%s", err.msg);
	check_dump(f, len, &t, want_release);
	cr_assert_str_eq((const char *)f + 12 + 65, want_node, "nodename");
	if (*want_node)
		cr_assert_arr_eq(f + 12, uts_fields, sizeof(uts_fields));
	free(f);
	gm_free(gm);
}

Test(kdump_writer, utsname_from_init_uts_ns)
{
	run_uts("OSRELEASE=6.12.0-test\nSYMBOL(init_uts_ns)=c000000000002000\n"
		"OFFSET(uts_namespace.name)=0\n", 0, "6.12.0-test", "node1");
}

Test(kdump_writer, utsname_after_kref_without_offset)
{
	run_uts("OSRELEASE=6.12.0-test\nSYMBOL(init_uts_ns)=c000000000001ffc\n", 0, "6.12.0-test",
		"node1");
}

/* A utsname whose release is not OSRELEASE is not the kernel's: header from VMCOREINFO. */
Test(kdump_writer, utsname_with_another_release_is_not_used)
{
	run_uts("OSRELEASE=6.12.0-other\nSYMBOL(init_uts_ns)=c000000000002000\n"
		"OFFSET(uts_namespace.name)=0\n", 0, "6.12.0-other", "");
}

/* Not where SYMBOL points ("Linux" one byte further): not used. */
Test(kdump_writer, utsname_elsewhere_is_not_used)
{
	run_uts("OSRELEASE=6.12.0-test\nSYMBOL(init_uts_ns)=c000000000002000\n"
		"OFFSET(uts_namespace.name)=0\n", 1, "6.12.0-test", "");
}

/* ---- models the format cannot hold ---- */

static void expect_refused(uint32_t P, const struct tload *loads, size_t n, const char *want)
{
	struct tcase t = small_case(false, KDUMP_ZSTD, 1);
	struct guest_mem *gm;
	struct mp_err err;
	uint8_t *f;
	size_t len;
	int rc;

	small_fill();
	t.P = P;
	t.loads = loads;
	t.nloads = n;
	gm = guest(&t, HOLE, 0x10000);
	f = write_case(&t, gm, &len, &err, &rc);
	cr_assert_eq(rc, -1);
	cr_assert_eq(err.status, MP_EINPUT, "status %d: %s", err.status, err.msg);
	cr_assert(strstr(err.msg, want), "message: %s", err.msg);
	cr_assert(!strchr(err.msg, '\n'));
	cr_assert_eq(len, 0, "nothing written");
	free(f);
	gm_free(gm);
}

Test(kdump_writer, page_size_not_a_power_of_two)
{
	expect_refused(12288, small_loads, 2, "page size 12288");
}

Test(kdump_writer, overlapping_loads)
{
	static const struct tload l[] = { { 1, 0, 0x3000, 0 }, { 1, 0x2fff, 0x1000, 0x10000 } };

	expect_refused(SP, l, 2, "overlap");
}

Test(kdump_writer, no_load)
{
	static const struct tload l[] = { { 0, 0, 0, 0 }, { 1, 0x1000, 0, 0 } };

	expect_refused(SP, l, 2, "no PT_LOAD");
}

Test(kdump_writer, load_past_2_64)
{
	static const struct tload l[] = { { 1, 0xFFFFFFFFFFFFF000ull, 0x2000, 0 } };

	expect_refused(SP, l, 1, "overflows 64 bits");
}

/* ---- failures on the way ---- */

static int failing_read(struct gm_backing *b, uint64_t off, void *buf, size_t len,
			struct mp_err *err)
{
	(void)b;
	(void)buf;
	(void)len;
	return mp_fail(err, MP_EIO, "bad.img: read at byte offset %llu: Input/output error",
		       (unsigned long long)off);
}

static void failing_destroy(struct gm_backing *b)
{
	free(b);
}

static const struct gm_backing_ops failing_ops = { .read = failing_read,
						   .destroy = failing_destroy };

/* A read error past the first batches stops every worker and reaches the caller. */
Test(kdump_writer, read_error_with_workers)
{
	struct tcase t = { BP, big_loads, 1, big_pfns, BIG / BP, BIG / BP, 1, 2, NULL, BIG, NULL,
			   small_vmci, false, KDUMP_ZSTD, 3 };
	struct gm_backing *bad = calloc(1, sizeof(*bad));
	struct guest_mem *gm;
	struct mp_err err;
	uint8_t *f;
	size_t len;
	int rc;

	cr_assert(bad);
	*bad = (struct gm_backing){ .ops = &failing_ops, .refs = 1, .size = BIG / 2 };
	big_ram = calloc(1, BIG / 2);
	cr_assert(big_ram);
	memset(big_ram, 0x5A, BIG / 2);
	t.ram = big_ram;
	t.ram_size = BIG / 2;
	gm = guest(&t, 0, 0);
	cr_assert(gm_add_range(gm, BIG / 2, BIG / 2, "bad", bad, 0, &err) == 0);
	gm_backing_put(bad);
	f = write_case(&t, gm, &len, &err, &rc);
	cr_assert_eq(rc, -1);
	cr_assert_eq(err.status, MP_EIO);
	cr_assert(strstr(err.msg, "bad.img: read at byte offset 0"), "%s", err.msg);
	free(f);
	gm_free(gm);
	free(big_ram);
}

/* An output that cannot be written: the sink's error, naming it. */
Test(kdump_writer, output_write_error)
{
	struct tcase t = small_case(false, KDUMP_ZLIB, 2);
	struct vmcore_model m = { 0 };
	struct kdump_opts o = { KDUMP_ZLIB, 2 };
	struct guest_mem *gm;
	struct mp_err err;
	struct sink s;
	struct bb nb;
	int fd = open("/dev/full", O_WRONLY);

	cr_assert(fd >= 0);
	small_fill();
	gm = guest(&t, HOLE, 0x10000);
	bb_init(&nb, false);
	build_notes(&nb, small_vmci, &m.vmcoreinfo_off);
	m = (struct vmcore_model){ .page_size = SP, .notes = nb.p, .notes_len = nb.len,
				   .ncpu_notes = 2, .vmcoreinfo_off = m.vmcoreinfo_off,
				   .phdrs = (struct vmcore_phdr[]){ { 1, 0, 0x3000, 0 } },
				   .nphdrs = 1 };
	sink_init(&s, fd, "out.kdump");
	cr_assert_eq(vmcore_write_kdump(gm, &m, &o, &s, &err), -1);
	cr_assert_eq(err.status, MP_EIO);
	cr_assert(strstr(err.msg, "out.kdump: write at byte offset 0"), "%s", err.msg);
	close(fd);
	bb_free(&nb);
	gm_free(gm);
}
