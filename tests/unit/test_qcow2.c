// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qcow2 snapshot vmstate: images built here from qemu-inputs.md 6 (header
 * v2/v3, snapshot table, the vmstate at round_up(disk_size, bytes per L2
 * table) through the snapshot's L1/L2, compressed clusters in raw deflate
 * or zstd, extended L2 subclusters), read back with qcow2_open_vmstate.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "dumpgen.h"
#include "../../src/input/qcow2/qcow2.h"
#include "../../src/util/bytes.h"

enum ckind { C_DATA, C_COMPRESSED, C_ZERO, C_UNALLOC, C_SUBMIX };

#define MAX_CL 8

struct q_spec {
	uint32_t version;
	uint32_t cluster_bits;
	bool ext_l2;
	bool zstd;
	uint64_t disk_size;
	uint64_t vm_size;
	int ncl;
	enum ckind kind[MAX_CL];
};

/* Byte offsets the builder chose, for tests that corrupt them. */
struct q_layout {
	size_t l1_off, l2_off, table_off, first_compressed;
};

static uint64_t csize_of(const struct q_spec *s)
{
	return 1ull << s->cluster_bits;
}

static uint64_t l2_bytes_mapped(const struct q_spec *s)
{
	return csize_of(s) * (csize_of(s) / (s->ext_l2 ? 16 : 8));
}

/* What vmstate byte i must read as. */
static uint8_t expected(const struct q_spec *s, uint64_t i)
{
	uint64_t c = i / csize_of(s), in = i % csize_of(s), sub = csize_of(s) / 32;

	switch (s->kind[c]) {
	case C_ZERO:
	case C_UNALLOC:
		return 0;
	case C_COMPRESSED:
		return (uint8_t)(in / 97 + c + 1); /* compressible */
	case C_SUBMIX:
		return (in / sub) % 3 == 0 ? dg_pattern(7, i) : 0; /* only k % 3 == 0 allocated */
	default:
		return dg_pattern(7, i);
	}
}

static void cluster_content(const struct q_spec *s, int c, uint8_t *out)
{
	for (uint64_t k = 0; k < csize_of(s); k++)
		out[k] = (uint64_t)c * csize_of(s) + k < s->vm_size
				 ? expected(s, (uint64_t)c * csize_of(s) + k)
				 : 0;
}

static size_t compress_cluster(const struct q_spec *s, const uint8_t *in, uint8_t *out,
			       size_t cap)
{
	z_stream z;
	size_t n;

	if (s->zstd) {
		n = ZSTD_compress(out, cap, in, csize_of(s), 3);
		cr_assert(!ZSTD_isError(n));
		return n;
	}
	memset(&z, 0, sizeof(z));
	/* qcow2's deflate: raw (no zlib header), 4 KiB window. */
	cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, -12, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (uint8_t *)in;
	z.avail_in = (uInt)csize_of(s);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	n = cap - z.avail_out;
	deflateEnd(&z);
	return n;
}

static void put_header(struct bb *b, const struct q_spec *s, uint64_t l1_off, uint32_t nsnap,
		       uint64_t table_off)
{
	uint64_t inc = (s->ext_l2 ? 0x10 : 0) | (s->zstd ? 0x8 : 0);

	bb_bytes(b, "QFI\xfb", 4);
	bb_u32(b, s->version);
	bb_u64(b, 0);           /* backing file */
	bb_u32(b, 0);
	bb_u32(b, s->cluster_bits);
	bb_u64(b, s->disk_size);
	bb_u32(b, 0);           /* crypt_method */
	bb_u32(b, 2);           /* active l1_size */
	bb_u64(b, l1_off);
	bb_u64(b, 0);           /* refcount table: not read */
	bb_u32(b, 0);
	bb_u32(b, nsnap);
	bb_u64(b, table_off);
	if (s->version == 3) {
		bb_u64(b, inc);
		bb_u64(b, 0);
		bb_u64(b, 0);
		bb_u32(b, 4);   /* refcount_order */
		bb_u32(b, s->zstd ? 112 : 104);
		if (s->zstd) {
			bb_u8(b, 1);
			bb_zeros(b, 7);
		}
	}
}

struct snap_def {
	const char *id, *tag;
	uint32_t date;
	uint64_t vm_size;
	uint32_t extra; /* 0 (old style: 32-bit size, header disk size) or 24 */
};

static void put_snapshot(struct bb *b, const struct q_spec *s, const struct snap_def *d,
			 uint64_t l1_off)
{
	bb_pad_to(b, (b->len + 7) / 8 * 8);
	bb_u64(b, l1_off);
	bb_u32(b, 2);
	bb_u16(b, (uint16_t)strlen(d->id));
	bb_u16(b, (uint16_t)strlen(d->tag));
	bb_u32(b, d->date);
	bb_u32(b, 0);
	bb_u64(b, 123456789);
	bb_u32(b, d->extra ? 0xFFFFFFFF : (uint32_t)d->vm_size); /* the large field wins */
	bb_u32(b, d->extra);
	if (d->extra) {
		bb_u64(b, d->vm_size);
		bb_u64(b, s->disk_size);
		bb_u64(b, UINT64_MAX); /* icount */
	}
	bb_bytes(b, d->id, strlen(d->id));
	bb_bytes(b, d->tag, strlen(d->tag));
}

/* Snapshots: "older" (id 1, 5000 bytes), "fixture" (id 2, newest with VM state), "disk-only". */
static void put_table(struct bb *b, const struct q_spec *s, uint64_t l1_off)
{
	const struct snap_def defs[3] = {
		{ "1", "older", 100, 5000, 0 },
		{ "2", "fixture", 200, s->vm_size, 24 },
		{ "3", "disk-only", 300, 0, 24 },
	};

	for (int i = 0; i < 3; i++)
		put_snapshot(b, s, &defs[i], l1_off);
}

static void put_l2_entry(struct bb *b, const struct q_spec *s, size_t at, uint64_t e,
			 uint64_t bitmap)
{
	bb_set_u64(b, at, e);
	if (s->ext_l2)
		bb_set_u64(b, at + 8, bitmap);
}

static void put_cluster(struct bb *b, const struct q_spec *s, int c, size_t l2_entry,
			size_t *data_at, struct q_layout *lay)
{
	uint64_t cs = csize_of(s), e = 0, bitmap = 0;
	unsigned x = 62 - (s->cluster_bits - 8);
	uint8_t *in = malloc(cs), *out = malloc(2 * cs);
	size_t n;

	cr_assert(in && out);
	cluster_content(s, c, in);
	switch (s->kind[c]) {
	case C_DATA:
	case C_SUBMIX:
		*data_at = (*data_at + cs - 1) / cs * cs;
		/* Subclusters that are zero or unallocated hold junk the reader must skip. */
		for (uint64_t k = 0; s->kind[c] == C_SUBMIX && k < cs; k++)
			if (in[k] == 0)
				in[k] = 0xEE;
		bb_set_bytes(b, *data_at, in, cs);
		e = *data_at;
		bitmap = s->kind[c] == C_DATA ? 0xFFFFFFFFull : 0;
		for (int k = 0; s->kind[c] == C_SUBMIX && k < 32; k++)
			bitmap |= k % 3 == 0 ? 1ull << k : k % 3 == 1 ? 1ull << (32 + k) : 0;
		*data_at += cs;
		break;
	case C_COMPRESSED:
		*data_at += 100; /* compressed data need not be aligned */
		n = compress_cluster(s, in, out, 2 * cs);
		bb_set_bytes(b, *data_at, out, n);
		if (!lay->first_compressed)
			lay->first_compressed = *data_at;
		/* Sectors touched minus one above the offset bits (qemu-inputs.md 6.3). */
		e = 1ull << 62 | (uint64_t)((*data_at % 512 + n + 511) / 512 - 1) << x | *data_at;
		*data_at += n;
		break;
	case C_ZERO:
		/* A preallocated cluster full of junk that reads as zero: the v3 zero flag,
		 * or (extended L2) every subcluster's zero bit. */
		*data_at = (*data_at + cs - 1) / cs * cs;
		memset(out, 0xEE, cs);
		bb_set_bytes(b, *data_at, out, cs);
		e = *data_at | (s->ext_l2 ? 0 : 1);
		bitmap = 0xFFFFFFFF00000000ull;
		*data_at += cs;
		break;
	case C_UNALLOC:
		break;
	}
	put_l2_entry(b, s, l2_entry, e, bitmap);
	free(in);
	free(out);
}

static void build_qcow2(struct bb *b, const struct q_spec *s, struct q_layout *lay)
{
	uint64_t cs = csize_of(s), v = (s->disk_size + l2_bytes_mapped(s) - 1) /
				       l2_bytes_mapped(s) * l2_bytes_mapped(s);
	size_t data_at = 3 * cs;

	memset(lay, 0, sizeof(*lay));
	cr_assert_eq(v / l2_bytes_mapped(s), 1, "the test layout puts the vmstate in L1 entry 1");
	lay->l1_off = cs;
	lay->l2_off = 2 * cs;
	bb_init(b, true);
	bb_pad_to(b, 3 * cs);
	bb_set_u64(b, lay->l1_off + 8, lay->l2_off); /* L1[1]; bit 63 (copied) left clear */
	for (int c = 0; c < s->ncl; c++)
		put_cluster(b, s, c, lay->l2_off + (size_t)c * (s->ext_l2 ? 16 : 8), &data_at, lay);
	lay->table_off = (b->len + cs - 1) / cs * cs;
	bb_pad_to(b, lay->table_off);
	put_table(b, s, lay->l1_off);
	/* The header last: it needs the table offset. */
	{
		struct bb h;

		bb_init(&h, true);
		put_header(&h, s, lay->l1_off, 3, lay->table_off);
		bb_set_bytes(b, 0, h.p, h.len);
		bb_free(&h);
	}
}

static struct q_spec v3_spec(void)
{
	struct q_spec s = { .version = 3, .cluster_bits = 12, .disk_size = 1 << 20, .ncl = 5,
			    .kind = { C_DATA, C_COMPRESSED, C_ZERO, C_UNALLOC, C_DATA } };

	s.vm_size = 4 * 4096 + 1234; /* the last cluster partly used */
	return s;
}

static int open_vm(const char *path, const char *snap, struct qcow2_vmstate *v,
		   struct mp_err *err)
{
	struct instream *in;
	int r;

	b_keep_for_fuzzing(path);
	in = instream_open(path, err);
	cr_assert_not_null(in, "%s", err->msg);
	r = qcow2_open_vmstate(in, snap, NULL, v, err);
	instream_close(in);
	return r;
}

/* Read the whole stream; -1 with err on failure. */
static ptrdiff_t read_all(struct instream *s, uint8_t *buf, size_t cap, struct mp_err *err)
{
	size_t got = 0;

	for (;;) {
		ptrdiff_t n = instream_read(s, buf + got, cap - got, err);

		if (n < 0)
			return -1;
		if (n == 0 || got + (size_t)n == cap)
			return (ptrdiff_t)(got + (size_t)n);
		got += (size_t)n;
	}
}

static void check_stream(const struct q_spec *s, const char *path, const char *snap,
			 uint64_t want_len)
{
	struct qcow2_vmstate v;
	struct mp_err err = { 0 };
	uint8_t *buf = malloc(want_len + 4096);
	ptrdiff_t n;

	cr_assert_not_null(buf);
	cr_assert_eq(open_vm(path, snap, &v, &err), 0, "%s", err.msg);
	n = read_all(v.stream, buf, want_len + 4096, &err);
	cr_assert_eq(n, (ptrdiff_t)want_len, "read %td bytes: %s", n, err.msg);
	for (uint64_t i = 0; i < want_len; i++)
		if (buf[i] != expected(s, i))
			cr_assert_fail("vmstate byte %llu: 0x%02x, expected 0x%02x",
				       (unsigned long long)i, buf[i], expected(s, i));
	qcow2_vmstate_close(&v);
	free(buf);
}

static void roundtrip(const struct q_spec *s, const char *name)
{
	struct q_layout lay;
	struct bb b;
	char *path;

	build_qcow2(&b, s, &lay);
	path = dg_file(b.p, b.len, name);
	check_stream(s, path, NULL, s->vm_size);
	dg_unlink(path);
	bb_free(&b);
}

Test(qcow2, v3_deflate_data_compressed_zero_unallocated)
{
	struct q_spec s = v3_spec();

	roundtrip(&s, "v3.qcow2");
}

Test(qcow2, v2_image)
{
	struct q_spec s = v3_spec();

	s.version = 2;
	s.kind[2] = C_UNALLOC; /* v2 has no zero flag */
	roundtrip(&s, "v2.qcow2");
}

Test(qcow2, zstd_compression_type)
{
	struct q_spec s = v3_spec();

	s.zstd = true;
	s.kind[3] = C_COMPRESSED;
	roundtrip(&s, "zstd.qcow2");
}

Test(qcow2, extended_l2_subclusters)
{
	struct q_spec s = { .version = 3, .cluster_bits = 14, .ext_l2 = true, .disk_size = 3 << 20,
			    .ncl = 4, .kind = { C_DATA, C_SUBMIX, C_COMPRESSED, C_ZERO } };

	s.vm_size = 3 * 16384 + 999;
	roundtrip(&s, "extl2.qcow2");
}

Test(qcow2, snapshot_list_and_choice)
{
	struct q_spec s = v3_spec();
	struct qcow2_vmstate v;
	struct mp_err err = { 0 };
	struct q_layout lay;
	struct bb b;
	char *path;

	build_qcow2(&b, &s, &lay);
	path = dg_file_gzip(b.p, b.len, "list.qcow2.gz");
	cr_assert_eq(open_vm(path, NULL, &v, &err), 0, "%s", err.msg);
	cr_assert_eq(v.nsnaps, 3);
	cr_assert_str_eq(v.snaps[0].id, "1");
	cr_assert_str_eq(v.snaps[0].tag, "older");
	cr_assert_eq(v.snaps[0].vm_state_size, 5000);     /* from the 32-bit field */
	cr_assert_eq(v.snaps[0].disk_size, 1 << 20);      /* from the header */
	cr_assert_eq(v.snaps[1].vm_state_size, s.vm_size); /* vm_state_size_large */
	cr_assert_eq(v.snaps[1].date_sec, 200);
	cr_assert_eq(v.snaps[2].vm_state_size, 0);
	cr_assert_eq(v.chosen, 1, "newest snapshot with a VM state is \"fixture\"");
	qcow2_vmstate_close(&v);
	check_stream(&s, path, "older", 5000);
	check_stream(&s, path, "1", 5000);
	check_stream(&s, path, "fixture", s.vm_size);
	cr_assert_eq(open_vm(path, "disk-only", &v, &err), -1);
	dg_expect_msg(&err, path, "disk-only");
	qcow2_vmstate_close(&v);
	cr_assert_eq(open_vm(path, "nope", &v, &err), -1);
	cr_assert_not_null(strstr(err.msg, "no snapshot with tag or id \"nope\""), "%s", err.msg);
	qcow2_vmstate_close(&v);
	dg_unlink(path);
	bb_free(&b);
}

static void expect_open_fail(const struct bb *b, const char *want)
{
	struct qcow2_vmstate v;
	struct mp_err err = { 0 };
	char *path = dg_file(b->p, b->len, "bad.qcow2");

	cr_assert_eq(open_vm(path, NULL, &v, &err), -1, "opened; expected \"%s\"", want);
	dg_expect_msg(&err, path, want);
	qcow2_vmstate_close(&v);
	dg_unlink(path);
}

/* The image opens but reading the vmstate fails with want. */
static void expect_read_fail(const struct bb *b, uint64_t vm_size, const char *want)
{
	struct qcow2_vmstate v;
	struct mp_err err = { 0 };
	char *path = dg_file(b->p, b->len, "badread.qcow2");
	uint8_t *buf = malloc(vm_size + 1);

	cr_assert_not_null(buf);
	cr_assert_eq(open_vm(path, NULL, &v, &err), 0, "%s", err.msg);
	cr_assert_eq(read_all(v.stream, buf, vm_size + 1, &err), -1);
	dg_expect_msg(&err, path, want);
	qcow2_vmstate_close(&v);
	free(buf);
	dg_unlink(path);
}

static void with_header_change(size_t off, int width, uint64_t value, const char *want)
{
	struct q_spec s = v3_spec();
	struct q_layout lay;
	struct bb b;

	build_qcow2(&b, &s, &lay);
	if (width == 4)
		bb_set_u32(&b, off, (uint32_t)value);
	else if (width == 8)
		bb_set_u64(&b, off, value);
	else
		b.p[off] = (uint8_t)value;
	expect_open_fail(&b, want);
	bb_free(&b);
}

Test(qcow2, bad_headers)
{
	with_header_change(0, 4, 0x51464900, "not a qcow2 image");
	with_header_change(4, 4, 4, "qcow2 version 4");
	with_header_change(20, 4, 8, "cluster_bits 8");
	with_header_change(20, 4, 22, "cluster_bits 22");
	with_header_change(32, 4, 1, "encrypted");
	with_header_change(100, 4, 100, "header_length 100");
	with_header_change(100, 4, 8192, "header_length 8192");
	with_header_change(72, 8, 0x20, "incompatible feature bits 0x20");
	with_header_change(72, 8, 0x4, "external data file");
	with_header_change(72, 8, 0x8, "compression type 0");      /* bit without the type */
	with_header_change(72, 8, 0x10, "extended L2 entries need"); /* 4 KiB clusters */
}

Test(qcow2, bad_snapshot_tables)
{
	struct q_spec s = v3_spec();
	struct q_layout lay;
	struct bb b;

	with_header_change(60, 4, 70000, "70000 snapshots");
	with_header_change(64, 8, 4096 + 8, "not cluster aligned");
	/* The table offset outside the file. */
	with_header_change(64, 8, 1ull << 30, "outside the file");
	build_qcow2(&b, &s, &lay);
	bb_set_u32(&b, lay.table_off + 36, 2000); /* first entry's extra_data_size */
	expect_open_fail(&b, "extra data of 2000 bytes");
	bb_free(&b);
	build_qcow2(&b, &s, &lay);
	bb_set_u16(&b, lay.table_off + 14, 60000); /* name runs past the end of the file */
	expect_open_fail(&b, "a snapshot name");
	bb_free(&b);
	build_qcow2(&b, &s, &lay);
	/* "fixture"'s L1 table outside the file: its entry starts 8-aligned after "older"'s. */
	bb_set_u64(&b, lay.table_off + (40 + 1 + 5 + 7) / 8 * 8, 1ull << 40);
	expect_open_fail(&b, "L1 table");
	bb_free(&b);
}

Test(qcow2, bad_mappings)
{
	struct q_spec s = v3_spec();
	struct q_layout lay;
	struct bb b;

	build_qcow2(&b, &s, &lay);
	bb_set_u64(&b, lay.l1_off + 8, 1ull << 40); /* L2 table past the end */
	expect_read_fail(&b, s.vm_size, "L2 table offset");
	bb_free(&b);

	build_qcow2(&b, &s, &lay);
	bb_set_u64(&b, lay.l2_off, 1ull << 40); /* data cluster past the end */
	expect_read_fail(&b, s.vm_size, "vmstate byte 0 (virtual offset 0x200000)");
	bb_free(&b);

	build_qcow2(&b, &s, &lay);
	/* Cluster 1's compressed data starting past the end (one sector, 4 KiB clusters). */
	bb_set_u64(&b, lay.l2_off + 8, 1ull << 62 | (uint64_t)(b.len + 512));
	expect_read_fail(&b, s.vm_size, "compressed cluster at");
	bb_free(&b);

	build_qcow2(&b, &s, &lay);
	memset(b.p + lay.first_compressed, 0xFF, 16); /* does not inflate */
	expect_read_fail(&b, s.vm_size, "does not decompress to one cluster");
	bb_free(&b);
}

Test(qcow2, extended_l2_bad_bitmap)
{
	struct q_spec s = { .version = 3, .cluster_bits = 14, .ext_l2 = true, .disk_size = 1 << 20,
			    .ncl = 1, .kind = { C_DATA }, .vm_size = 1000 };
	struct q_layout lay;
	struct bb b;

	build_qcow2(&b, &s, &lay);
	bb_set_u64(&b, lay.l2_off + 8, 0x0000000100000001ull); /* subcluster 0 allocated and zero */
	expect_read_fail(&b, s.vm_size, "both allocated and zero");
	bb_free(&b);
}

Test(qcow2, every_truncation_fails_cleanly)
{
	struct q_spec s = v3_spec();
	struct q_layout lay;
	struct bb b;

	build_qcow2(&b, &s, &lay);
	for (size_t cut = 0; cut < b.len; cut += cut < 200 ? 8 : 173) {
		struct qcow2_vmstate v;
		struct mp_err err = { 0 };
		char *path = dg_file(b.p, cut, "cut.qcow2");
		uint8_t *buf = malloc(s.vm_size + 1);

		cr_assert_not_null(buf);
		if (open_vm(path, NULL, &v, &err) == 0)
			cr_assert_eq(read_all(v.stream, buf, s.vm_size + 1, &err), -1,
				     "cut at %zu read without error", cut);
		dg_expect_msg(&err, path, NULL);
		qcow2_vmstate_close(&v);
		free(buf);
		dg_unlink(path);
	}
	bb_free(&b);
}
