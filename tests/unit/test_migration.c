// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Migration stream reader: every record kind and every container, on small
 * streams built from the spec (mig_build.c, mig_std.c).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "mig_build.h"
#include "../../src/input/instream.h"

#define F_ZERO 0x002
#define F_MEM_SIZE 0x004
#define F_PAGE 0x008
#define F_EOS 0x010
#define F_CONT 0x020
#define F_XBZRLE 0x040
#define F_COMPRESS_PAGE 0x100

static struct guest_mem *open_std(const struct std_opts *o, int codec, struct mp_err *err)
{
	struct mb b;
	const char *path;

	mb_standard(&b, o);
	path = codec == 1 ? mb_write_gzip(&b, "std.gz")
	       : codec == 2 ? mb_write_zstd(&b, "std.zst")
			    : mb_write(&b, b.len, "std.mig");
	mb_free(&b);
	return mb_open(path, err);
}

Test(migration, standard_plain)
{
	struct std_opts o = { 0 };
	struct mp_err err;
	struct guest_mem *gm = open_std(&o, 0, &err);

	cr_assert_not_null(gm, "%s", err.msg);
	check_standard(gm);
	cr_assert_str_eq(gm->format, "QEMU migration stream (powernv9)");
	cr_assert(mb_has_note(gm, "6 by vmdesc length, 0 by the built-in size table, 0 by "
				  "footer scan"));
	gm_free(gm);
}

Test(migration, standard_gzip_and_zstd)
{
	struct std_opts o = { 0 };
	struct mp_err err;

	for (int codec = 1; codec <= 2; codec++) {
		struct guest_mem *gm = open_std(&o, codec, &err);

		cr_assert_not_null(gm, "%s", err.msg);
		check_standard(gm);
		cr_assert_not_null(strstr(gm->format, codec == 1 ? "gzip-compressed" :
								    "zstd-compressed"));
		cr_assert(mb_has_note(gm, "6 by vmdesc length"));
		gm_free(gm);
	}
}

Test(migration, no_vmdesc_uses_table_then_footer_scan)
{
	struct std_opts o = { .no_vmdesc = true };
	struct mp_err err;

	for (int codec = 0; codec <= 2; codec += 2) {
		struct guest_mem *gm = open_std(&o, codec, &err);

		cr_assert_not_null(gm, "%s", err.msg);
		check_standard(gm);
		/* cpu, cpu_common x2 by table; timer and serial (false footer inside) by scan. */
		cr_assert(mb_has_note(gm, "0 by vmdesc length, 4 by the built-in size table, 2 by "
					  "footer scan"));
		cr_assert(mb_has_note(gm, "sections skipped by footer scan: timer, serial"));
		cr_assert(mb_has_note(gm, "vmdesc not used"));
		gm_free(gm);
	}
}

Test(migration, invalid_vmdesc_is_ignored)
{
	struct std_opts o = { .vmdesc = "{\"devices\": [ {\"name\": 1 } ]" };
	struct mp_err err;
	struct guest_mem *gm = open_std(&o, 0, &err);

	cr_assert_not_null(gm, "%s", err.msg);
	check_standard(gm);
	cr_assert(mb_has_note(gm, "vmdesc not used: vmdesc at byte offset"));
	cr_assert(mb_has_note(gm, "0 by vmdesc length, 4 by the built-in size table"));
	gm_free(gm);
}

Test(migration, wrong_vmdesc_length_falls_back)
{
	/* timer described as 25 bytes instead of 24. */
	char *desc = strdup(std_vmdesc());
	char *at = strstr(desc, "\"cpu_ticks_offset\",\"type\":\"int64\",\"size\":8");
	struct std_opts o = { .vmdesc = desc };
	struct mp_err err;
	struct guest_mem *gm;

	cr_assert_not_null(at);
	memcpy(strstr(at, "\"size\":8") + 7, "9", 1);
	gm = open_std(&o, 0, &err);
	cr_assert_not_null(gm, "%s", err.msg);
	check_standard(gm);
	cr_assert(mb_has_note(gm, "vmdesc length of section 'timer' instance 0 (25 bytes) does "
				  "not end at its footer"));
	cr_assert(mb_has_note(gm, "5 by vmdesc length, 0 by the built-in size table, 1 by "
				  "footer scan"));
	gm_free(gm);
	free(desc);
}

Test(migration, unknown_cpu_subsection_found_by_footer_scan)
{
	struct std_opts o = { .no_vmdesc = true, .cpu_unknown_sub = true };
	struct mp_err err;
	struct guest_mem *gm = open_std(&o, 0, &err);

	cr_assert_not_null(gm, "%s", err.msg);
	check_standard(gm);
	cr_assert(mb_has_note(gm, "0 by vmdesc length, 3 by the built-in size table, 3 by footer "
				  "scan"));
	cr_assert(mb_has_note(gm, "footer scan: timer, cpu, serial"));
	gm_free(gm);
}

Test(migration, missing_configuration_is_accepted)
{
	struct std_opts o = { .no_config = true };
	struct mp_err err;
	struct guest_mem *gm = open_std(&o, 0, &err);

	cr_assert_not_null(gm, "%s", err.msg);
	cr_assert(mb_has_note(gm, "configuration section missing"));
	/* Without the machine type the HOMER address is unknown: left out. */
	cr_assert_eq(gm->nranges, 1);
	cr_assert(mb_has_note(gm, "'homer-chip0-memory' left out: HOMER address unknown"));
	cr_assert_eq(gm->ncpus, 2);
	gm_free(gm);
}

/* The whole file at path, then deleted. */
static void take_file(const char *path, struct mb *into)
{
	FILE *f = fopen(path, "rb");
	uint8_t buf[4096];
	size_t n;

	cr_assert_not_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		mb_bytes(into, buf, n);
	fclose(f);
	remove(path);
}

/*
 * libvirt header (spec 1.1): magic, version, data_len, was_running, format,
 * ... then the standard stream, gzip- (format 1) or zstd-compressed (5) as
 * libvirt pipes it through the compressor, else as it is.
 */
static const char *libvirt_file(bool big_endian, uint32_t version, uint32_t format,
				const char *magic)
{
	struct std_opts o = { 0 };
	struct mb b, w;
	const char *xml = "<domain type='qemu'><name>pnv</name></domain>\n";
	uint32_t fields[5] = { version, (uint32_t)strlen(xml) + 20, 0, format, 0 };
	const char *path;

	mb_init(&w);
	mb_bytes(&w, magic, 16);
	for (int i = 0; i < 5; i++) {
		uint8_t le[4] = { (uint8_t)fields[i], (uint8_t)(fields[i] >> 8),
				  (uint8_t)(fields[i] >> 16), (uint8_t)(fields[i] >> 24) };

		if (big_endian)
			mb_be32(&w, fields[i]);
		else
			mb_bytes(&w, le, 4);
	}
	mb_fill(&w, 0, 14 * 4);
	cr_assert_eq(w.len, 92);
	mb_bytes(&w, xml, strlen(xml));
	mb_fill(&w, 0, 20); /* padding libvirt leaves for XML edits */
	mb_standard(&b, &o);
	if (format == 1)
		take_file(mb_write_gzip(&b, "payload.gz"), &w);
	else if (format == 5)
		take_file(mb_write_zstd(&b, "payload.zst"), &w);
	else
		mb_bytes(&w, b.p, b.len);
	path = mb_write(&w, w.len, "save.img");
	mb_free(&b);
	mb_free(&w);
	return path;
}

Test(migration, libvirt_save_image_both_byte_orders)
{
	struct mp_err err;

	for (int be = 0; be <= 1; be++) {
		struct guest_mem *gm =
			mb_open(libvirt_file(be, 2, 0, "LibvirtQemudSave"), &err);

		cr_assert_not_null(gm, "%s", err.msg);
		check_standard(gm);
		cr_assert_not_null(strstr(gm->format, "in a libvirt save image"));
		gm_free(gm);
	}
}

Test(migration, libvirt_gzip_and_zstd_payloads)
{
	static const struct {
		uint32_t format;
		const char *name;
	} cases[] = { { 1, "gzip" }, { 5, "zstd" } };

	for (size_t i = 0; i < 2; i++) {
		struct mp_err err;
		struct guest_mem *gm =
			mb_open(libvirt_file(i, 2, cases[i].format, "LibvirtQemudSave"), &err);

		cr_assert_not_null(gm, "%s: %s", cases[i].name, err.msg);
		check_standard(gm);
		cr_assert_not_null(strstr(gm->format, "in a libvirt save image"), "%s",
				   gm->format);
		gm_free(gm);
	}
}

Test(migration, libvirt_payload_not_as_announced_or_cut_short)
{
	const char *path = libvirt_file(false, 2, 0, "LibvirtQemudSave");
	FILE *f = fopen(path, "r+b");
	struct mp_err err;
	long size;

	/* The header says gzip (format 1, little-endian), the stream is plain. */
	cr_assert_not_null(f);
	cr_assert_eq(fseek(f, 28, SEEK_SET), 0);
	cr_assert_eq(fputc(1, f), 1);
	cr_assert_eq(fclose(f), 0);
	cr_assert_null(mb_open(path, &err));
	cr_assert_eq(err.status, MP_EINPUT);
	cr_assert_not_null(strstr(err.msg, "should start gzip data, but does not"), "%s",
			   err.msg);
	/* A zstd payload missing its last 100 bytes. */
	path = libvirt_file(false, 2, 5, "LibvirtQemudSave");
	f = fopen(path, "rb");
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	fclose(f);
	cr_assert_eq(truncate(path, size - 100), 0);
	cr_assert_null(mb_open(path, &err));
	cr_assert_eq(err.status, MP_EINPUT);
	cr_assert_not_null(strstr(err.msg, "zstd data from byte offset"), "%s", err.msg);
}

Test(migration, libvirt_partial_image_noted)
{
	struct mp_err err;
	struct guest_mem *gm = mb_open(libvirt_file(false, 2, 0, "LibvirtQemudPart"), &err);

	cr_assert_not_null(gm, "%s", err.msg);
	cr_assert(mb_has_note(gm, "never marked this save image complete"));
	gm_free(gm);
}

Test(migration, libvirt_other_compressors_refused_by_name)
{
	static const char *const names[] = { NULL, NULL, "bzip2", "xz", "lzop" };
	struct mp_err err;

	for (uint32_t c = 2; c <= 4; c++) {
		cr_assert_null(mb_open(libvirt_file(false, 2, c, "LibvirtQemudSave"), &err));
		cr_assert_eq(err.status, MP_EUNSUPPORTED);
		cr_assert_not_null(strstr(err.msg, names[c]), "%s", err.msg);
		cr_assert_not_null(strstr(err.msg, "byte offset 28"), "%s", err.msg);
	}
	cr_assert_null(mb_open(libvirt_file(false, 7, 0, "LibvirtQemudSave"), &err));
	cr_assert_not_null(strstr(err.msg, "version"), "%s", err.msg);
}

Test(migration, commands_are_skipped_with_notes)
{
	struct mb b;
	struct mp_err err;
	struct guest_mem *gm;

	mb_small_begin(&b, NULL, 0);
	mb_be64(&b, F_EOS);
	mb_footer(&b, 1);
	mb_u8(&b, 0x08); /* PING, len 4 */
	mb_be16(&b, 2);
	mb_be16(&b, 4);
	mb_be32(&b, 0x12345678);
	mb_u8(&b, 0x08); /* PACKAGED: len 4 = be32 L, then L more bytes */
	mb_be16(&b, 7);
	mb_be16(&b, 4);
	mb_be32(&b, 10);
	mb_fill(&b, 0x04, 10);
	mb_u8(&b, 0x08); /* SWITCHOVER_START: expected, no note */
	mb_be16(&b, 11);
	mb_be16(&b, 0);
	mb_eof(&b, NULL);
	gm = mb_open(mb_write(&b, b.len, "cmd.mig"), &err);
	cr_assert_not_null(gm, "%s", err.msg);
	cr_assert(mb_has_note(gm, "command 2 (4 bytes) skipped"));
	cr_assert(mb_has_note(gm, "packaged (postcopy) command of 10 bytes skipped"));
	cr_assert(!mb_has_note(gm, "command 11"));
	cr_assert_eq(gm->ncpus, 0);
	gm_free(gm);
	mb_free(&b);
}

Test(migration, zero_page_with_fill_byte)
{
	struct mb b;
	struct mp_err err;
	struct guest_mem *gm;
	uint8_t page[4096], want[4096];

	mb_small_begin(&b, NULL, 0);
	mb_ram(&b, 0x1000, F_ZERO, "pnv.ram");
	mb_u8(&b, 0x5A);
	mb_small_end(&b);
	gm = mb_open(mb_write(&b, b.len, "fill.mig"), &err);
	cr_assert_not_null(gm, "%s", err.msg);
	memset(want, 0x5A, sizeof(want));
	mb_read_page(gm, 0x1000, page);
	cr_assert_arr_eq(page, want, 4096);
	cr_assert(mb_has_note(gm, "non-zero fill byte (last 0x5a"));
	gm_free(gm);
	mb_free(&b);
}

Test(migration, compressed_page_inflates)
{
	struct mb b;
	struct mp_err err;
	struct guest_mem *gm;
	uint8_t page[4096], want[4096], z[4200];
	uLongf zlen = sizeof(z);

	mb_pattern(want, 9);
	cr_assert_eq(compress2(z, &zlen, want, sizeof(want), 6), Z_OK);
	mb_small_begin(&b, NULL, 0);
	mb_ram(&b, 0x3000, F_COMPRESS_PAGE, "pnv.ram");
	mb_be32(&b, (uint32_t)zlen);
	mb_bytes(&b, z, zlen);
	mb_small_end(&b);
	gm = mb_open(mb_write(&b, b.len, "comp.mig"), &err);
	cr_assert_not_null(gm, "%s", err.msg);
	mb_read_page(gm, 0x3000, page);
	cr_assert_arr_eq(page, want, 4096);
	cr_assert(mb_has_note(gm, "1 zlib-compressed pages inflated"));
	gm_free(gm);
	mb_free(&b);
}

Test(migration, xbzrle_against_previous_and_zero_pages)
{
	struct mb b;
	struct mp_err err;
	struct guest_mem *gm;
	uint8_t page[4096], want[4096];

	mb_small_begin(&b, NULL, 0);
	mb_pattern(want, 1);
	mb_ram(&b, 0x0, F_PAGE, "pnv.ram");
	mb_bytes(&b, want, 4096);
	/* zrun 0x10, nzrun 3 "abc", zrun 0x100 (ULEB 80 02), nzrun 1 "Z": 9 bytes. */
	mb_ram(&b, 0x0, F_XBZRLE | F_CONT, NULL);
	mb_u8(&b, 0x01);
	mb_be16(&b, 9);
	mb_bytes(&b, (const uint8_t[]){ 0x10, 3, 'a', 'b', 'c', 0x80, 0x02, 1, 'Z' }, 9);
	/* A page never sent before decodes against zeros: zrun 0 then "hi". */
	mb_ram(&b, 0x2000, F_XBZRLE | F_CONT, NULL);
	mb_u8(&b, 0x01);
	mb_be16(&b, 4);
	mb_bytes(&b, (const uint8_t[]){ 0, 2, 'h', 'i' }, 4);
	mb_small_end(&b);
	gm = mb_open(mb_write(&b, b.len, "xbz.mig"), &err);
	cr_assert_not_null(gm, "%s", err.msg);
	/* By hand: bytes 0x10..0x12 = "abc", then 0x100 unchanged, byte 0x113 = 'Z'. */
	want[0x10] = 'a';
	want[0x11] = 'b';
	want[0x12] = 'c';
	want[0x113] = 'Z';
	mb_read_page(gm, 0x0, page);
	cr_assert_arr_eq(page, want, 4096);
	memset(want, 0, sizeof(want));
	want[0] = 'h';
	want[1] = 'i';
	mb_read_page(gm, 0x2000, page);
	cr_assert_arr_eq(page, want, 4096);
	cr_assert(mb_has_note(gm, "2 XBZRLE pages decoded"));
	gm_free(gm);
	mb_free(&b);
}

Test(migration, pages_of_unknown_block_are_ignored)
{
	struct mb b;
	struct mp_err err;
	struct guest_mem *gm;
	uint8_t page[4096], zero[4096] = { 0 };

	mb_small_begin(&b, NULL, 0);
	mb_pattern(page, 3);
	mb_ram(&b, 0x0, F_PAGE, "vga.vram");
	mb_bytes(&b, page, 4096);
	mb_ram(&b, 0x7000000, F_PAGE | F_CONT, NULL); /* offset unknown to check: ignored */
	mb_bytes(&b, page, 4096);
	mb_small_end(&b);
	gm = mb_open(mb_write(&b, b.len, "unk.mig"), &err);
	cr_assert_not_null(gm, "%s", err.msg);
	cr_assert(mb_has_note(gm, "2 page records for RAM blocks missing from the block list "
				  "(e.g. 'vga.vram') ignored"));
	mb_read_page(gm, 0x0, page);
	cr_assert_arr_eq(page, zero, 4096);
	gm_free(gm);
	mb_free(&b);
}

Test(migration, x_ignore_shared_addresses_from_stream)
{
	static const char *const caps[] = { "x-ignore-shared" };
	struct mb b;
	struct mp_err err;
	struct guest_mem *gm;
	uint8_t page[4096], want[4096];

	mb_init(&b);
	mb_header(&b);
	mb_config(&b, "powernv9", caps, 1);
	mb_section(&b, 0x01, 1, "ram", 0, 4);
	mb_be64(&b, (SMALL_RAM + 0x2000) | F_MEM_SIZE);
	mb_str8(&b, "pnv.ram");
	mb_be64(&b, SMALL_RAM);
	mb_be64(&b, 0); /* GPA */
	mb_str8(&b, "homer-chip0-memory");
	mb_be64(&b, 0x2000);
	mb_be64(&b, 0x123400000ull); /* GPA given by the stream */
	mb_pattern(want, 3);
	mb_ram(&b, 0x1000, F_PAGE, "homer-chip0-memory");
	mb_bytes(&b, want, 4096);
	mb_small_end(&b);
	gm = mb_open(mb_write(&b, b.len, "xis.mig"), &err);
	cr_assert_not_null(gm, "%s", err.msg);
	cr_assert_eq(gm->nranges, 2);
	cr_assert_eq(gm->ranges[0].gpa, 0);
	cr_assert_eq(gm->ranges[1].gpa, 0x123400000ull);
	mb_read_page(gm, 0x123401000ull, page);
	cr_assert_arr_eq(page, want, 4096);
	cr_assert(mb_has_note(gm, "RAM block 'pnv.ram' has no pages in the stream"));
	gm_free(gm);
	mb_free(&b);
}

Test(migration, postcopy_page_size_in_block_list)
{
	struct mb b;
	struct mp_err err;
	struct guest_mem *gm;
	uint8_t page[4096], want[4096];

	mb_init(&b);
	mb_header(&b);
	mb_config(&b, "powernv9", NULL, 0);
	mb_section(&b, 0x01, 1, "ram", 0, 4);
	mb_be64(&b, (SMALL_RAM + 0x2000) | F_MEM_SIZE);
	mb_str8(&b, "pnv.ram");
	mb_be64(&b, SMALL_RAM);
	mb_be64(&b, 0x200000); /* its page size (postcopy-ram, hugepage backend) */
	mb_str8(&b, "homer-chip0-memory");
	mb_be64(&b, 0x2000);
	mb_be64(&b, 0x10000); /* the last block's page size */
	mb_pattern(want, 8);
	mb_ram(&b, 0x3000, F_PAGE, "pnv.ram");
	mb_bytes(&b, want, 4096);
	mb_small_end(&b);
	gm = mb_open(mb_write(&b, b.len, "pcp.mig"), &err);
	cr_assert_not_null(gm, "%s", err.msg);
	cr_assert_eq(gm->nranges, 2);
	mb_read_page(gm, 0x3000, page);
	cr_assert_arr_eq(page, want, 4096);
	gm_free(gm);
	mb_free(&b);
}

Test(migration, probe_claims_qevm_only)
{
	struct mb b;
	struct mp_err err;
	struct guest_mem *gm;

	mb_init(&b);
	mb_bytes(&b, "QEVX", 4);
	mb_fill(&b, 0, 4092);
	gm = mb_open(mb_write(&b, b.len, "raw.bin"), &err);
	cr_assert_not_null(gm, "%s", err.msg);
	cr_assert_str_eq(gm->format, "raw");
	gm_free(gm);
	mb_free(&b);
}

/*
 * A file cut inside a known signature is that format, damaged (the
 * three-way probe): never a raw image. One byte tells nothing: raw.
 */
Test(migration, cut_inside_a_signature_is_not_raw)
{
	static const struct {
		const char *bytes;
		size_t len;
		const char *format;
	} cut[] = {
		{ "QEV", 3, "QEMU migration stream" },
		{ "QE", 2, "QEMU migration stream" },
		{ "\x7f" "EL", 3, "ELF file" },
		{ "KDUMP  ", 7, "kdump-compressed dump" },
		{ "makedump", 8, "flattened kdump dump" },
		{ "QFI", 3, "qcow2 image" },
		{ "LibvirtQemud", 12, "libvirt save image" },
		{ "LibvirtQemudPar", 15, "libvirt save image" },
	};
	struct mp_err err;
	struct guest_mem *gm;
	char want[160];
	struct mb b;

	for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		mb_init(&b);
		mb_bytes(&b, cut[i].bytes, cut[i].len);
		gm = mb_open(mb_write(&b, b.len, "cut.bin"), &err);
		cr_assert_null(gm, "%s read as %s", cut[i].bytes, gm ? gm->format : "");
		cr_assert_eq(err.status, MP_EINPUT);
		snprintf(want, sizeof(want), "byte offset %zu: the input ends inside the", cut[i].len);
		assert_msg_has(err.msg, want);
		assert_msg_has(err.msg, cut[i].format);
		mb_free(&b);
	}
	mb_init(&b);
	mb_bytes(&b, "Q", 1);
	gm = mb_open(mb_write(&b, b.len, "one.bin"), &err);
	cr_assert_not_null(gm, "%s", err.msg);
	cr_assert_str_eq(gm->format, "raw");
	gm_free(gm);
	mb_free(&b);
}

/* The standard stream behind prefix bytes of 'P' (migrate file:PATH,offset=N). */
static const char *std_at_offset(size_t prefix, const char *name)
{
	struct std_opts o = { 0 };
	struct mb b, s;
	const char *path;

	mb_standard(&s, &o);
	mb_init(&b);
	mb_fill(&b, 'P', prefix);
	mb_bytes(&b, s.p, s.len);
	path = mb_write(&b, b.len, name);
	mb_free(&b);
	mb_free(&s);
	return path;
}

Test(migration, stream_at_an_offset_is_found_below_the_peek_limit)
{
	/* The last offset whose 9-byte header (magic, version, 0x07) still fits. */
	static const size_t offsets[] = { 1, 4096, INSTREAM_PEEK_MAX - 9 };
	struct mp_err err;
	struct guest_mem *gm;
	char note[160];

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		gm = mb_open(std_at_offset(offsets[i], "std-at.mig"), &err);
		cr_assert_not_null(gm, "%s", err.msg);
		check_standard(gm);
		snprintf(note, sizeof(note), "starts at byte offset %zu (QEMU's migrate "
					     "file:PATH,offset=%zu)",
			 offsets[i], offsets[i]);
		cr_assert(mb_has_note(gm, note), "offset %zu", offsets[i]);
		snprintf(note, sizeof(note), "in a file at byte offset %zu", offsets[i]);
		cr_assert_not_null(strstr(gm->format, note), "%s", gm->format);
		gm_free(gm);
	}
	/* One byte further, the header no longer fits: read as raw. */
	gm = mb_open(std_at_offset(INSTREAM_PEEK_MAX - 8, "std-far.mig"), &err);
	cr_assert_not_null(gm, "%s", err.msg);
	cr_assert_str_eq(gm->format, "raw");
	gm_free(gm);
}

Test(migration, stream_offset_given)
{
	struct input_opts o = { .stream_offset = 300000, .stream_offset_given = true };
	struct mp_err err;
	struct guest_mem *gm;
	const char *path = std_at_offset(300000, "std-given.mig");

	gm = t_input_open(path, &o, &err);
	cr_assert_not_null(gm, "%s", err.msg);
	check_standard(gm);
	cr_assert_not_null(strstr(gm->format, "in a file at byte offset 300000"));
	cr_assert_not(mb_has_note(gm, "migrate file:PATH"), "no guess to report");
	gm_free(gm);
	o.stream_offset = 299999;
	cr_assert_null(t_input_open(path, &o, &err));
	cr_assert_not_null(strstr(err.msg, "byte offset 299999: not a QEMU migration stream"),
			   "%s", err.msg);
	o.stream_offset = 1u << 30; /* past the end */
	cr_assert_null(t_input_open(path, &o, &err));
	cr_assert_not_null(strstr(err.msg, "truncated"), "%s", err.msg);
	remove(path);
}

Test(migration, offset_search_wants_version_3_and_configuration)
{
	struct mb b;
	struct mp_err err;
	struct guest_mem *gm;

	mb_init(&b);
	mb_fill(&b, 0, 100);
	mb_bytes(&b, "QEVM\0\0\0\2\x07", 9); /* version 2 */
	mb_bytes(&b, "QEVM\0\0\0\3\x01", 9); /* no configuration section */
	mb_fill(&b, 0, 4000);
	gm = mb_open(mb_write(&b, b.len, "not-at.bin"), &err);
	cr_assert_not_null(gm, "%s", err.msg);
	cr_assert_str_eq(gm->format, "raw");
	gm_free(gm);
	mb_free(&b);
}

Test(migration, renamed_main_ram_and_homer_of_chip_1_on_power10)
{
	struct mb b;
	struct mp_err err;
	struct guest_mem *gm;

	mb_init(&b);
	mb_header(&b);
	mb_config(&b, "powernv10", NULL, 0);
	mb_section(&b, 0x01, 1, "ram", 0, 4);
	mb_be64(&b, (0x1000 + 0x4000 + 0x2000 + 0x3000) | F_MEM_SIZE);
	mb_str8(&b, "small"); /* plain name, but not the largest */
	mb_be64(&b, 0x1000);
	mb_str8(&b, "mem0"); /* -machine memory-backend=mem0 */
	mb_be64(&b, 0x4000);
	mb_str8(&b, "homer-chip1-memory");
	mb_be64(&b, 0x2000);
	mb_str8(&b, "/rom@etc/table-loader"); /* device-owned, larger than mem0 would be */
	mb_be64(&b, 0x3000);
	mb_small_end(&b);
	gm = mb_open(mb_write(&b, b.len, "p10.mig"), &err);
	cr_assert_not_null(gm, "%s", err.msg);
	cr_assert_eq(gm->nranges, 2);
	cr_assert_str_eq(gm->ranges[0].name, "mem0");
	cr_assert_eq(gm->ranges[0].gpa, 0);
	/* POWER10 HOMER base 0x300ffd800000 + chip 1 x 4 MiB (spec 5.1). */
	cr_assert_eq(gm->ranges[1].gpa, 0x300ffdc00000ull);
	cr_assert(mb_has_note(gm, "'small' (4096 bytes) left out: not guest RAM"));
	cr_assert(mb_has_note(gm, "'/rom@etc/table-loader' (12288 bytes) left out: device memory"));
	cr_assert_str_eq(gm->format, "QEMU migration stream (powernv10)");
	gm_free(gm);
	mb_free(&b);
}

/* 64-bit offsets: a 16 GiB guest with pages past 4 GiB and at the very end. */
Test(migration, sixteen_gib_guest)
{
	const uint64_t size = 16ull << 30;
	static const uint64_t at[] = { 0x0, 0x100000000ull, 0x2FFFFF000ull, (16ull << 30) - 4096 };
	struct mb b;
	struct mp_err err;
	struct guest_mem *gm;
	uint8_t page[4096], want[4096];

	mb_init(&b);
	mb_header(&b);
	mb_config(&b, "powernv9", NULL, 0);
	mb_section(&b, 0x01, 1, "ram", 0, 4);
	mb_be64(&b, size | F_MEM_SIZE);
	mb_str8(&b, "pnv.ram");
	mb_be64(&b, size);
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		mb_pattern(page, (uint8_t)(20 + i));
		mb_ram(&b, at[i], F_PAGE, "pnv.ram");
		mb_bytes(&b, page, 4096);
	}
	mb_small_end(&b);
	gm = mb_open(mb_write(&b, b.len, "big.mig"), &err);
	cr_assert_not_null(gm, "%s", err.msg);
	cr_assert_eq(gm->ranges[0].size, size);
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		mb_pattern(want, (uint8_t)(20 + i));
		mb_read_page(gm, at[i], page);
		cr_assert_arr_eq(page, want, 4096, "page at 0x%llx", (unsigned long long)at[i]);
	}
	memset(want, 0, sizeof(want));
	mb_read_page(gm, 0x200000000ull, page);
	cr_assert_arr_eq(page, want, 4096);
	gm_free(gm);
	mb_free(&b);
}
