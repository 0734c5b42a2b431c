// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bad migration streams (spec qemu-inputs.md 11): each one fails with a
 * message that names the file and the byte offset, never a crash or a hang.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "mig_build.h"

#define F_FULL 0x001
#define F_ZERO 0x002
#define F_MEM_SIZE 0x004
#define F_PAGE 0x008
#define F_EOS 0x010
#define F_CONT 0x020
#define F_XBZRLE 0x040
#define F_HOOK 0x080
#define F_COMPRESS_PAGE 0x100

/* Open b[0..len) and require a failure whose message holds want and "byte offset". */
static void expect_fail_at(struct mb *b, size_t len, const char *want, const char *offset)
{
	struct mp_err err;
	struct guest_mem *gm = mb_open(mb_write(b, len, "bad.mig"), &err);

	cr_assert_null(gm, "accepted; expected \"%s\"", want);
	cr_assert_not_null(strstr(err.msg, want), "message \"%s\" lacks \"%s\"", err.msg, want);
	cr_assert_not_null(strstr(err.msg, offset ? offset : "byte offset"),
			   "message \"%s\" lacks \"%s\"", err.msg,
			   offset ? offset : "byte offset");
	cr_assert_not_null(strstr(err.msg, "mpipl-test-"), "message names the file: %s",
			   err.msg);
	mb_free(b);
}

static void expect_fail(struct mb *b, const char *want, const char *offset)
{
	expect_fail_at(b, b->len, want, offset);
}

Test(migration_bad, short_file_and_versions)
{
	struct mb b;

	mb_init(&b);
	mb_bytes(&b, "QEVM\0\0", 6);
	expect_fail(&b, "not a QEMU migration stream", "byte offset 0");
	mb_init(&b);
	mb_bytes(&b, "QEVM", 4);
	mb_be32(&b, 2);
	mb_u8(&b, 0);
	expect_fail(&b, "version 2 is obsolete", "byte offset 4");
	mb_init(&b);
	mb_bytes(&b, "QEVM", 4);
	mb_be32(&b, 4);
	mb_u8(&b, 0);
	expect_fail(&b, "unsupported migration stream version 4", "byte offset 4");
}

Test(migration_bad, no_configuration_and_no_record)
{
	struct mb b;

	mb_init(&b);
	mb_header(&b);
	mb_u8(&b, 0x42);
	expect_fail(&b, "no configuration section and no valid record", "byte offset 8");
}

Test(migration_bad, unknown_configuration_subsection)
{
	struct mb b;

	mb_init(&b);
	mb_header(&b);
	mb_config(&b, "powernv9", NULL, 0);
	mb_subsection(&b, "configuration/something-new", 1);
	mb_be32(&b, 0);
	expect_fail(&b, "unknown configuration subsection 'configuration/something-new'",
		    "byte offset 21"); /* header 8, 0x07, be32 len, "powernv9" */
}

Test(migration_bad, empty_section_idstr)
{
	struct mb b;

	mb_init(&b);
	mb_header(&b);
	mb_config(&b, "powernv9", NULL, 0);
	mb_section(&b, 0x04, 9, "", 0, 1);
	expect_fail(&b, "section id string of length 0", "byte offset 26");
}

Test(migration_bad, unknown_record_type)
{
	struct mb b;

	mb_small_begin(&b, NULL, 0);
	mb_be64(&b, F_EOS);
	mb_footer(&b, 1);
	size_t at = b.len;
	char off[64];

	mb_u8(&b, 0x09);
	snprintf(off, sizeof(off), "byte offset %zu", at);
	expect_fail(&b, "unknown record type 0x09", off);
}

Test(migration_bad, part_of_unannounced_section)
{
	struct mb b;

	mb_small_begin(&b, NULL, 0);
	mb_be64(&b, F_EOS);
	mb_footer(&b, 1);
	mb_part(&b, 0x02, 77);
	expect_fail(&b, "section part for id 77", NULL);
}

Test(migration_bad, footer_mismatch)
{
	struct mb b;

	mb_small_begin(&b, NULL, 0);
	mb_be64(&b, F_EOS);
	mb_footer(&b, 2); /* ram is section 1 */
	mb_eof(&b, NULL);
	expect_fail(&b, "section 'ram' (id 1) is not followed by its footer", NULL);
	mb_small_begin(&b, NULL, 0);
	mb_be64(&b, F_EOS);
	mb_u8(&b, 0x00); /* no footer at all: EOF and then anything */
	mb_be32(&b, 1);
	expect_fail(&b, "is not followed by its footer", NULL);
}

Test(migration_bad, ram_section_version)
{
	struct mb b;

	mb_init(&b);
	mb_header(&b);
	mb_config(&b, "powernv9", NULL, 0);
	mb_section(&b, 0x01, 1, "ram", 0, 5);
	expect_fail(&b, "ram section version 5", NULL);
}

Test(migration_bad, cpu_section_version)
{
	struct vcpu_state c = { 0 };
	uint32_t crf[8] = { 0 };
	struct mb b;

	mb_small_begin(&b, NULL, 0);
	mb_be64(&b, F_EOS);
	mb_footer(&b, 1);
	mb_section(&b, 0x04, 2, "cpu", 0, 6);
	mb_cpu_body(&b, &c, crf);
	mb_footer(&b, 2);
	mb_eof(&b, NULL);
	expect_fail(&b, "cpu section version 6 is not supported", NULL);
}

Test(migration_bad, device_section_without_end)
{
	struct mb b;

	mb_small_begin(&b, NULL, 0);
	mb_be64(&b, F_EOS);
	mb_footer(&b, 1);
	mb_section(&b, 0x04, 2, "serial", 0, 4);
	mb_fill(&b, 0x7E, 30); /* no footer follows, no vmdesc */
	mb_eof(&b, NULL);
	expect_fail(&b, "cannot find the end of section 'serial' instance 0 (id 2)", NULL);
}

Test(migration_bad, block_list_overshoot_and_duplicates)
{
	struct mb b;

	mb_init(&b);
	mb_header(&b);
	mb_config(&b, "powernv9", NULL, 0);
	mb_section(&b, 0x01, 1, "ram", 0, 4);
	mb_be64(&b, 0x4000 | F_MEM_SIZE);
	mb_str8(&b, "pnv.ram");
	mb_be64(&b, 0x8000);
	expect_fail(&b, "RAM block 'pnv.ram' length 0x8000 exceeds the 0x4000 bytes left", NULL);

	mb_init(&b);
	mb_header(&b);
	mb_config(&b, "powernv9", NULL, 0);
	mb_section(&b, 0x01, 1, "ram", 0, 4);
	mb_be64(&b, 0x4000 | F_MEM_SIZE);
	mb_str8(&b, "pnv.ram");
	mb_be64(&b, 0x2000);
	mb_str8(&b, "pnv.ram");
	mb_be64(&b, 0x2000);
	expect_fail(&b, "RAM block 'pnv.ram' listed twice", NULL);

	mb_init(&b);
	mb_header(&b);
	mb_config(&b, "powernv9", NULL, 0);
	mb_section(&b, 0x01, 1, "ram", 0, 4);
	mb_be64(&b, 0x4000 | F_MEM_SIZE);
	mb_str8(&b, "");
	mb_be64(&b, 0x4000);
	expect_fail(&b, "RAM block name of length 0", NULL);

	mb_small_begin(&b, NULL, 0);
	mb_be64(&b, 0x4000 | F_MEM_SIZE);
	expect_fail(&b, "second RAM block list", NULL);
}

Test(migration_bad, no_ram_and_no_guest_ram)
{
	struct mb b;

	mb_init(&b);
	mb_header(&b);
	mb_config(&b, "powernv9", NULL, 0);
	mb_eof(&b, NULL);
	{
		struct mp_err err;

		cr_assert_null(mb_open(mb_write(&b, b.len, "noram.mig"), &err));
		cr_assert_not_null(strstr(err.msg, "no RAM block list"), "%s", err.msg);
	}
	mb_free(&b);
}

Test(migration_bad, page_records)
{
	struct mb b;
	char off[64];
	size_t at;

	mb_small_begin(&b, NULL, 0);
	at = b.len;
	mb_ram(&b, SMALL_RAM, F_ZERO, "pnv.ram");
	mb_u8(&b, 0);
	snprintf(off, sizeof(off), "byte offset %zu", at);
	expect_fail(&b, "page offset 0x4000 is beyond RAM block 'pnv.ram' (0x4000 bytes)", off);

	mb_init(&b);
	mb_header(&b);
	mb_config(&b, "powernv9", NULL, 0);
	mb_section(&b, 0x01, 1, "ram", 0, 4);
	at = b.len;
	mb_ram(&b, 0, F_PAGE | F_CONT, NULL);
	snprintf(off, sizeof(off), "byte offset %zu", at);
	expect_fail(&b, "continues a RAM block before any was named", off);

	static const struct {
		uint32_t flags;
		const char *msg;
	} bad_flags[] = {
		{ F_FULL, "ram record flags 0x1 are not a known combination" },
		{ F_ZERO | F_PAGE, "ram record flags 0xa are not a known combination" },
		{ 0x401, "ram record flags 0x401 are not a known combination" },
		{ 0, "ram record flags 0x0 are not a known combination" },
		{ F_HOOK, "an RDMA hook" },
	};
	for (size_t i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		mb_small_begin(&b, NULL, 0);
		at = b.len;
		mb_ram(&b, 0x3000, bad_flags[i].flags, NULL);
		mb_fill(&b, 0, 4200);
		snprintf(off, sizeof(off), "byte offset %zu", at);
		expect_fail(&b, bad_flags[i].msg, off);
	}
}

Test(migration_bad, xbzrle_records)
{
	struct mb b;

	mb_small_begin(&b, NULL, 0);
	mb_ram(&b, 0, F_XBZRLE, "pnv.ram");
	mb_u8(&b, 0x02);
	mb_be16(&b, 2);
	mb_bytes(&b, "\x01\x01", 2);
	expect_fail(&b, "XBZRLE header byte 0x02 is not 0x01", NULL);

	mb_small_begin(&b, NULL, 0);
	mb_ram(&b, 0, F_XBZRLE, "pnv.ram");
	mb_u8(&b, 0x01);
	mb_be16(&b, 4097);
	mb_fill(&b, 1, 4097);
	expect_fail(&b, "XBZRLE length 4097 exceeds the page size", NULL);

	mb_small_begin(&b, NULL, 0);
	mb_ram(&b, 0, F_XBZRLE, "pnv.ram");
	mb_u8(&b, 0x01);
	mb_be16(&b, 4);
	mb_bytes(&b, "\x81\x20\x01X", 4); /* unchanged run of 4097 */
	mb_small_end(&b);
	expect_fail(&b, "XBZRLE data of page 0x0 of 'pnv.ram' does not decode", NULL);
}

Test(migration_bad, compressed_page_records)
{
	struct mb b;
	uint8_t junk[64];

	mb_small_begin(&b, NULL, 0);
	mb_ram(&b, 0, F_COMPRESS_PAGE, "pnv.ram");
	mb_be32(&b, 4111);
	mb_fill(&b, 0, 4111);
	expect_fail(&b, "compressed page length 4111 is not in 1..4110", NULL);

	memset(junk, 0xEE, sizeof(junk));
	mb_small_begin(&b, NULL, 0);
	mb_ram(&b, 0, F_COMPRESS_PAGE, "pnv.ram");
	mb_be32(&b, sizeof(junk));
	mb_bytes(&b, junk, sizeof(junk));
	mb_small_end(&b);
	expect_fail(&b, "compressed page 0x0 of 'pnv.ram' does not inflate to one page", NULL);

	/* A valid zlib stream of half a page is not a page either. */
	{
		uint8_t half[2048], z[2200];
		uLongf zlen = sizeof(z);

		memset(half, 3, sizeof(half));
		cr_assert_eq(compress2(z, &zlen, half, sizeof(half), 6), Z_OK);
		mb_small_begin(&b, NULL, 0);
		mb_ram(&b, 0, F_COMPRESS_PAGE, "pnv.ram");
		mb_be32(&b, (uint32_t)zlen);
		mb_bytes(&b, z, zlen);
		mb_small_end(&b);
		expect_fail(&b, "does not inflate to one page", NULL);
	}
}

Test(migration_bad, missing_eos_and_eof)
{
	struct mb b;

	mb_small_begin(&b, NULL, 0);
	expect_fail(&b, "truncated at byte offset", NULL);
	mb_small_begin(&b, NULL, 0);
	mb_be64(&b, F_EOS);
	mb_footer(&b, 1);
	expect_fail(&b, "record type (the stream has no EOF record)", NULL);
}

/*
 * Truncation at every record boundary of the standard stream, and a few
 * bytes into each record, plain and zstd-compressed: always an error naming
 * the byte offset. Cutting right after EOF only drops the optional vmdesc.
 */
Test(migration_bad, truncation_everywhere, .timeout = 120)
{
	struct std_opts o = { 0 };
	struct mb b, cut;
	size_t eof_end;

	mb_standard(&b, &o);
	eof_end = b.marks[b.nmarks - 1]; /* the vmdesc record starts right after EOF */
	cr_assert_eq(b.p[eof_end - 1], 0x00);
	cr_assert_eq(b.p[eof_end], 0x06);
	for (size_t i = 0; i < b.nmarks; i++) {
		for (size_t d = 0; d < 6; d += 1 + d) {
			size_t len = b.marks[i] + d;
			struct mp_err err;
			struct guest_mem *gm;

			if (len >= b.len)
				continue;
			for (int z = 0; z <= 1; z++) {
				mb_init(&cut);
				mb_bytes(&cut, b.p, len);
				gm = mb_open(z ? mb_write_zstd(&cut, "cut.zst") :
						 mb_write(&cut, len, "cut.mig"),
					     &err);
				mb_free(&cut);
				if (len == eof_end) {
					cr_assert_not_null(gm, "%s", err.msg);
					gm_free(gm);
					continue;
				}
				cr_assert_null(gm, "cut at %zu accepted", len);
				cr_assert_not_null(strstr(err.msg, "byte offset"),
						   "cut at %zu: %s", len, err.msg);
				cr_assert_eq(err.status, MP_EINPUT, "cut at %zu: %s", len,
					     err.msg);
			}
		}
	}
	mb_free(&b);
}

/* Every cut inside the header, configuration and block list. */
Test(migration_bad, truncation_in_the_first_bytes)
{
	struct std_opts o = { 0 };
	struct mb b;

	mb_standard(&b, &o);
	for (size_t len = 8; len < 120; len++) {
		struct mp_err err;
		struct guest_mem *gm = mb_open(mb_write(&b, len, "cut.mig"), &err);

		cr_assert_null(gm, "cut at %zu accepted", len);
		cr_assert_not_null(strstr(err.msg, "byte offset"), "cut at %zu: %s", len, err.msg);
	}
	mb_free(&b);
}

/* Open the first len bytes of b with --salvage. */
static struct guest_mem *open_salvaged(const struct mb *b, size_t len, struct mp_err *err)
{
	struct input_opts o = { .salvage = true };
	const char *path = mb_write(b, len, "salvage.mig");
	struct guest_mem *gm;

	mp_err_clear(err);
	gm = t_input_open(path, &o, err);
	remove(path);
	return gm;
}

static size_t find_bytes(const struct mb *b, const void *what, size_t n)
{
	const uint8_t *p = memmem(b->p, b->len, what, n);

	cr_assert_not_null(p);
	return (size_t)(p - b->p);
}

/*
 * --salvage (spec 11): a stream cut short after its RAM block list keeps the
 * pages and vCPUs before the cut, and says where it stopped; before the
 * block list there is nothing to keep; other failures are not salvaged.
 */
Test(migration_bad, salvage_keeps_what_came_before)
{
	static const uint8_t serial[] = { 0x04, 0, 0, 0, 7, 6, 's', 'e', 'r', 'i', 'a', 'l' };
	static const uint8_t cpu0[] = { 0x04, 0, 0, 0, 6, 3, 'c', 'p', 'u', 0, 0, 0, 0 };
	struct std_opts o = { 0 };
	struct mp_err err;
	struct guest_mem *gm;
	struct mb b;
	size_t at;

	mb_standard(&b, &o);
	/* Everything but the last device section: the whole RAM and both vCPUs. */
	at = find_bytes(&b, serial, sizeof(serial));
	gm = open_salvaged(&b, at + 5, &err);
	cr_assert_not_null(gm, "%s", err.msg);
	check_standard(gm);
	cr_assert_not_null(strstr(gm->salvaged_why, "byte offset"), "%s", gm->salvaged_why);
	cr_assert_not_null(strstr(gm->salvaged_why, "2 vCPU(s)"), "%s", gm->salvaged_why);
	cr_assert(mb_has_note(gm, "salvaged: "));
	gm_free(gm);
	/* Cut inside the second cpu section: one vCPU. */
	at = find_bytes(&b, cpu0, sizeof(cpu0));
	gm = open_salvaged(&b, at + 100, &err);
	cr_assert_not_null(gm, "%s", err.msg);
	cr_assert_eq(gm->ncpus, 1);
	cr_assert_not_null(strstr(gm->salvaged_why, "truncated at byte offset"), "%s", gm->salvaged_why);
	gm_free(gm);
	/* Cut inside the block list: nothing to keep. */
	at = find_bytes(&b, "pnv.ram", 7);
	cr_assert_null(open_salvaged(&b, at + 3, &err));
	cr_assert_not_null(strstr(err.msg, "truncated at byte offset"), "%s", err.msg);
	/* Without --salvage the same cut fails. */
	at = find_bytes(&b, serial, sizeof(serial));
	/* ... and says that --salvage would keep what came before. */
	expect_fail_at(&b, at + 5, "; --salvage keeps what was read before the cut",
		       "truncated at byte offset");
}
