// SPDX-License-Identifier: GPL-2.0-or-later
/* mpipl_analyze (src/mpipl/analyze.c): one finding per case of mpipl.md 8. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "builders.h"
#include "../../src/mpipl/analyze.h"
#include "../../src/util/bytes.h"

/*
 * A consistent post-crash image, built byte by byte (RAM 64 MiB, base 32 MiB,
 * skiboot 7.1 offsets): OPAL entry PB+64K -> 61 MiB; kernel entry [0, 8M) ->
 * 16 MiB; KERNEL tag -> metadata at 62 MiB; crash info header (LE FADMPSIG) at
 * 24 MiB; two QEMU thread records (offset 0) at 48 MiB.
 */
#define RAM (64 * MiB)
#define PB (32 * MiB)
#define MDST (PB + 0x10C00)
#define MDDT (PB + 0x11000)
#define PROC (PB + 0x10300)
#define META (PB + 0x1C08000)
#define KMETA (62 * MiB)
#define FDH (24 * MiB)
#define THREADS (48 * MiB)

static void put_entry(struct guest_mem *gm, uint64_t table, unsigned i, uint64_t addr,
		      uint8_t region, uint32_t size)
{
	uint8_t e[16];

	b_mdst(e, addr, region, 0, size);
	b_write(gm, table + 16 * i, e, 16);
}

static void put_kmeta(struct guest_mem *gm, uint16_t cnt, uint16_t reg)
{
	uint8_t m[3088] = { 1 };

	put_be16(m + 4, cnt);
	put_be16(m + 6, reg);
	put_be64(m + 8, FDH);
	put_be64(m + 16, 0);          /* src */
	put_be64(m + 24, 16 * MiB);   /* dest */
	put_be64(m + 32, 8 * MiB);    /* size */
	b_write(gm, KMETA, m, sizeof(m));
}

static void put_fdh(struct guest_mem *gm, uint64_t vmci, uint64_t vmci_size)
{
	static const uint8_t magic[8] = { 0x47, 0x49, 0x53, 0x50, 0x4D, 0x44, 0x41, 0x46 };
	uint8_t h[40 + 384 + 8] = { 0 };

	memcpy(h, magic, 8);
	put_le32(h + 8, 1);
	put_le32(h + 12, 4);
	put_le64(h + 16, vmci);
	put_le64(h + 24, vmci_size);
	put_le32(h + 32, 384);
	put_le32(h + 36, 8);
	put_le64(h + 40 + 32 * 8, 0xC0000000000ABCDEULL); /* nip */
	b_write(gm, FDH, h, sizeof(h));
}

static void put_thread(struct guest_mem *gm, uint64_t at, uint32_t pir, uint8_t state)
{
	uint8_t rec[1080];

	b_thread_hdr(rec, pir, state, 0, 66, 16, 16);
	for (unsigned i = 0; i < 66; i++)
		b_reg(rec + 24 + 16 * i, i < 32 ? 1 : 2, i < 32 ? i : 0x151,
		      (uint64_t)pir << 32 | i);
	put_be32(rec + 24 + 57 * 16 + 4, 0x7D0); /* entry 57 is NIP */
	b_write(gm, at, rec, sizeof(rec));
}

static void put_proc(struct guest_mem *gm, uint32_t tsize, uint8_t version, uint64_t dest,
		     uint32_t act)
{
	uint8_t p[48];

	b_proc_area(p, tsize, version, HRMOR | THREADS, 0x80000, dest, act);
	b_write(gm, PROC, p, 48);
}

static struct guest_mem *good_image(void)
{
	struct guest_mem *gm = b_gm();
	uint8_t meta[20] = { 0 };

	b_add_zero(gm, 0, RAM);
	put_entry(gm, MDST, 0, HRMOR | PB, 0x03, 0x10000);
	put_entry(gm, MDDT, 0, HRMOR | (61 * MiB), 0x03, 0x10000);
	put_entry(gm, MDST, 1, HRMOR | 0, 0x80, 8 * MiB);
	put_entry(gm, MDDT, 1, HRMOR | (16 * MiB), 0x80, 8 * MiB);
	put_be32(meta, 4);
	put_be64(meta + 4, HRMOR | KMETA);
	put_be64(meta + 12, 8 * MiB);
	b_write(gm, META, meta, sizeof(meta));
	put_kmeta(gm, 1, 1);
	put_fdh(gm, 16 * MiB + 0x1000, 36 + 65536);
	put_proc(gm, 0x438, 1, HRMOR | THREADS, 0x870);
	put_thread(gm, THREADS, 0, 0xFF);
	put_thread(gm, THREADS + 0x438, 4, 0x0F);
	return gm;
}

static void analyze(struct guest_mem *gm, struct mpipl_analysis *a, enum kernel_endian e)
{
	struct analyze_opts o = { .base = PB, .base_given = true, .layout = LAYOUT_71, .endian = e };
	struct mp_err err = { 0 };

	cr_assert_eq(mpipl_analyze(gm, &o, a, &err), 0, "%s", err.msg);
}

static bool has(const struct mpipl_analysis *a, const char *code)
{
	for (size_t i = 0; i < a->findings.n; i++)
		if (strcmp(a->findings.v[i].code, code) == 0)
			return true;
	return false;
}

/* Analyse gm and require the finding code; frees everything. */
static void expect_finding(struct guest_mem *gm, const char *code)
{
	struct mpipl_analysis a;

	analyze(gm, &a, KERNEL_ENDIAN_AUTO);
	cr_assert(has(&a, code), "no \"%s\" finding", code);
	mpipl_analysis_free(&a);
	gm_free(gm);
}

Test(analyze, clean_image)
{
	struct guest_mem *gm = good_image();
	struct mpipl_analysis a;

	analyze(gm, &a, KERNEL_ENDIAN_AUTO);
	for (size_t i = 0; i < a.findings.n; i++)
		cr_assert_eq(a.findings.v[i].level, FINDING_INFO, "%s: %s", a.findings.v[i].code,
			     a.findings.v[i].msg);
	cr_assert(has(&a, "thread-offset"), "QEMU's offset 0 is worth a note");
	cr_assert_eq(a.tables->qemu_count, 2);
	cr_assert(a.cpu_tag);
	cr_assert(a.cpu_data_valid);
	cr_assert_eq(a.nthreads, 2);
	cr_assert_eq(a.threads[0].pir, 0);
	cr_assert_eq(a.threads[1].pir, 4);
	cr_assert_eq(a.threads[1].core_state, 0x0F);
	cr_assert(a.threads[1].parsed);
	/* Linux's shifted parse: GPRs from entries 0..31, NIP from 57; HMEER entry 65 unread. */
	cr_assert_eq(a.threads[1].regs[5], 4ULL << 32 | 5);
	cr_assert_eq(a.threads[1].regs[32], 4ULL << 32 | 57);
	cr_assert(a.have_kernel_meta);
	cr_assert(a.have_config);
	cr_assert_eq(a.config.dest_base, 16 * MiB);
	cr_assert_eq(a.config.boot_mem_size, 8 * MiB);
	cr_assert_eq(a.config.boot_mem_top, 8 * MiB);
	cr_assert(a.have_crash_info);
	cr_assert_eq(a.ci.crashing_cpu, 4);
	cr_assert_eq(a.ci.regs[32], 0xC0000000000ABCDEULL);
	mpipl_analysis_free(&a);
	gm_free(gm);
}

Test(analyze, no_tables)
{
	struct guest_mem *gm = b_gm();
	struct analyze_opts o = { .base = PB, .layout = LAYOUT_AUTO };
	struct mpipl_analysis a;
	struct mp_err err = { 0 };

	b_add_zero(gm, 0, RAM);
	cr_assert_eq(mpipl_analyze(gm, &o, &a, &err), -1);
	assert_msg_has(err.msg, "--base");
	cr_assert_null(a.tables);
	gm_free(gm);
}

Test(analyze, mdst_entries)
{
	struct guest_mem *gm = good_image();

	put_entry(gm, MDST, 0, 0, 0, 0);
	put_entry(gm, MDDT, 0, 0, 0, 0);
	expect_finding(gm, "mdst-empty");

	gm = good_image();
	put_entry(gm, MDDT, 1, HRMOR | (16 * MiB), 0x80, 4 * MiB);
	expect_finding(gm, "size-mismatch");
	gm = good_image();
	put_entry(gm, MDDT, 1, HRMOR | (16 * MiB), 0x81, 8 * MiB);
	expect_finding(gm, "region-mismatch");
	gm = good_image();
	put_entry(gm, MDDT, 1, HRMOR | (RAM - MiB), 0x80, 8 * MiB);
	expect_finding(gm, "entry-outside-ram");
	gm = good_image();
	put_entry(gm, MDST, 1, 0, 0x80, 8 * MiB);
	expect_finding(gm, "entry-no-hrmor");
	gm = good_image();
	put_entry(gm, MDST, 1, HRMOR, 0x80, 0x2000001);
	put_entry(gm, MDDT, 1, HRMOR | (16 * MiB), 0x80, 0x2000001);
	expect_finding(gm, "qemu-float-chunks");
	gm = good_image();
	put_entry(gm, MDST, 0, HRMOR | PB, 0x80, 0x10000);
	put_entry(gm, MDDT, 0, HRMOR | (61 * MiB), 0x80, 0x10000);
	expect_finding(gm, "mdst-no-opal-entry");
}

Test(analyze, overlaps)
{
	struct guest_mem *gm = good_image();

	/* Entry 1 copies [0, 8M) to [4M, 12M): overlaps its own source. */
	put_entry(gm, MDDT, 1, HRMOR | (4 * MiB), 0x80, 8 * MiB);
	expect_finding(gm, "dest-overlaps-source");
	/* Entry 0's destination is entry 1's source: entry 1 copies overwritten data. */
	gm = good_image();
	put_entry(gm, MDDT, 0, HRMOR | MiB, 0x03, 0x10000);
	expect_finding(gm, "dest-overlaps-later-source");
}

Test(analyze, cpu_data)
{
	struct guest_mem *gm = good_image();
	struct mpipl_analysis a;

	put_proc(gm, 0x438, 1, 0, 0x870); /* dest_addr 0: no CPU tag, no finding */
	analyze(gm, &a, KERNEL_ENDIAN_AUTO);
	cr_assert_not(a.cpu_tag);
	cr_assert_eq(a.nthreads, 0);
	assert_msg_has(a.cpu_data_note, "dest_addr");
	mpipl_analysis_free(&a);
	gm_free(gm);

	gm = good_image();
	put_proc(gm, 0, 1, HRMOR | THREADS, 0x870);
	expect_finding(gm, "cpu-data-invalid");
	gm = good_image();
	put_proc(gm, 0x871, 1, HRMOR | THREADS, 0x870);
	expect_finding(gm, "cpu-data-invalid");
	gm = good_image();
	put_proc(gm, 0x438, 2, HRMOR | THREADS, 0x870);
	expect_finding(gm, "cpu-data-version");
	gm = good_image();
	put_proc(gm, 0x438, 1, HRMOR | (RAM + MiB), 0x870);
	expect_finding(gm, "threads-outside-ram");

	gm = good_image();
	put_proc(gm, 0x438, 1, HRMOR | THREADS, 0x870 + 5);
	analyze(gm, &a, KERNEL_ENDIAN_AUTO);
	cr_assert(has(&a, "act-size-not-multiple"));
	cr_assert_eq(a.nthreads, 2, "rounded down");
	mpipl_analysis_free(&a);
	gm_free(gm);
}

Test(analyze, kernel_metadata)
{
	struct guest_mem *gm = good_image();
	uint8_t z[8] = { 0 };

	b_write(gm, META + 4, z, 8);
	expect_finding(gm, "no-kernel-tag");
	gm = good_image();
	put_kmeta(gm, 200, 200);
	expect_finding(gm, "kernel-meta-invalid");
	gm = good_image();
	put_kmeta(gm, 1, 0);
	expect_finding(gm, "kernel-not-registered");
	gm = good_image();
	put_kmeta(gm, 2, 1); /* region 1 is all zero: src 0 below region 0's end */
	expect_finding(gm, "regions-not-all-saved");
	gm = good_image();
	put_kmeta(gm, 2, 2);
	expect_finding(gm, "kernel-regions-invalid");
	gm = good_image();
	b_write(gm, KMETA, (const uint8_t[]){ 2 }, 1);
	expect_finding(gm, "kernel-meta-version");
	gm = good_image();
	b_write_be64(gm, META + 12, 9 * MiB);
	expect_finding(gm, "boot-mem-tag");
}

Test(analyze, crash_info)
{
	struct guest_mem *gm = good_image();
	struct mpipl_analysis a;

	b_write(gm, FDH, "XXXXXXXX", 8);
	analyze(gm, &a, KERNEL_ENDIAN_AUTO);
	cr_assert(has(&a, "crash-info-invalid"));
	cr_assert_not(a.have_crash_info);
	assert_msg_has(a.crash_info_error, "Fadump header is corrupted");
	mpipl_analysis_free(&a);
	gm_free(gm);

	gm = good_image();
	analyze(gm, &a, KERNEL_ENDIAN_BE);
	assert_msg_has(a.crash_info_error, "Endianness mismatch");
	mpipl_analysis_free(&a);
	gm_free(gm);

	gm = good_image();
	b_write(gm, FDH, "FNIPMDAF", 8);
	expect_finding(gm, "crash-info-legacy");
	gm = good_image();
	put_fdh(gm, 24 * MiB, 36 + 65536); /* one past the preserved copy */
	expect_finding(gm, "vmcoreinfo-outside-dest");
	gm = good_image();
	put_fdh(gm, 16 * MiB + 0x1000, 0x2000);
	expect_finding(gm, "vmcoreinfo-size");
}
