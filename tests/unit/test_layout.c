// SPDX-License-Identifier: GPL-2.0-or-later
/* SPIRA-H parsing, layout resolution and table reading (src/mpipl/layout.c, tables.c). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "builders.h"
#include "../../src/mpipl/layout.h"
#include "../../src/mpipl/tables.h"
#include "../../src/util/bytes.h"

#define B 0x30000000ULL

static bool has_finding(const struct findings *f, const char *code)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].code, code) == 0)
			return true;
	return false;
}

Test(spirah, real_skiboot_71)
{
	uint8_t sp[0x200];
	struct mpipl_layout l = { 0 };
	struct findings f = { 0 };
	struct mp_err err = { 0 };

	b_spirah_real(sp);
	cr_assert_eq(spirah_parse(sp, sizeof(sp), B + 0x10000, B, &l, &f, &err), 0, "%s", err.msg);
	cr_assert(l.from_spirah);
	cr_assert_eq(l.spirah_addr, B + 0x10000);
	cr_assert_eq(l.spirah_version, 0x50);
	/* Offsets below B are relative to it; MDRT is absolute (mpipl.md 1.1). */
	cr_assert_eq(l.mdst.addr, 0x30010C00ULL);
	cr_assert_eq(l.mdst.alloc_cnt, 64);
	cr_assert_eq(l.mdst.act_cnt, 2);
	cr_assert_eq(l.mdst.alloc_len, 0x10);
	cr_assert_eq(l.mdst.act_len, 0x10);
	cr_assert_eq(l.mddt.addr, 0x30011000ULL);
	cr_assert_eq(l.mddt.alloc_cnt, 64);
	cr_assert_eq(l.mddt.act_cnt, 2);
	cr_assert_eq(l.mdrt.addr, 0x31C00000ULL);
	cr_assert_eq(l.mdrt.alloc_cnt, 1024);
	cr_assert_eq(l.mdrt.act_cnt, 1024);
	cr_assert_eq(l.mdrt.alloc_len, 0x20);
	/* The seventh ntuple is read although the array header says 6. */
	cr_assert_eq(l.proc_area.addr, 0x30010300ULL);
	cr_assert_eq(l.proc_area.alloc_len, 0x30);
	cr_assert_eq(f.n, 0, "no findings on the real structure");
	findings_free(&f);
}

/* The builder against the real guest (the golden RAM image, when on this machine). */
Test(spirah, builder_matches_golden_guest)
{
	FILE *raw = t_golden_zstd("2a-pre-S0-derived.raw.zst");
	uint8_t sp[0x200], real[0x200];

	t_pipe_skip(raw, B + 0x10000);
	cr_assert_eq(fread(real, 1, sizeof(real), raw), sizeof(real));
	pclose(raw); /* zstd stops on the closed pipe: its status says nothing here */
	b_spirah_real(sp);
	cr_assert_arr_eq(sp, real, sizeof(sp));
}

/* spirah_parse must fail on the variant with a message holding needle. */
static void corrupt(uint8_t *sp, size_t len, const char *needle)
{
	struct mpipl_layout l = { 0 };
	struct findings f = { 0 };
	struct mp_err err = { 0 };

	cr_assert_eq(spirah_parse(sp, len, B + 0x10000, B, &l, &f, &err), -1,
		     "accepted (wanted \"%s\")", needle);
	cr_assert_eq(err.status, MP_EINPUT);
	assert_msg_has(err.msg, "0x30010000");
	assert_msg_has(err.msg, needle);
	cr_assert_not(l.from_spirah);
	findings_free(&f);
}

Test(spirah, corrupt_variants)
{
	uint8_t sp[0x200];
	struct b_ntuple nt[7];

	b_spirah_real(sp);
	sp[0] = 0xD0;
	corrupt(sp, sizeof(sp), "no SPIRA-H HDIF header");
	b_spirah_real(sp);
	memcpy(sp + 2, "SPIRA ", 6); /* the legacy SPIRA */
	corrupt(sp, sizeof(sp), "no SPIRA-H HDIF header");
	b_spirah_real(sp);
	corrupt(sp, 0x100, "total length 0x200");
	corrupt(sp, 16, "no SPIRA-H HDIF header");
	put_be32(sp + 12, 0x10); /* shorter than its own header */
	corrupt(sp, sizeof(sp), "total length 0x10");

	b_spirah_real(sp);
	put_be32(sp + 20, 0x1FC); /* idata pointer needs 8 bytes */
	corrupt(sp, sizeof(sp), "idata pointer at 0x1fc");
	b_spirah_real(sp);
	put_be32(sp + 20, 0x400);
	corrupt(sp, sizeof(sp), "idata pointer at 0x400");
	b_spirah_real(sp);
	put_be16(sp + 24, 0); /* no idata pointer */
	corrupt(sp, sizeof(sp), "count 0");

	b_spirah_real_ntuples(nt);
	b_spirah(sp, nt, 7, 6, 0x1E0); /* 0x30 + 0x1E0 > 0x200 */
	corrupt(sp, sizeof(sp), "ntuple array 0x30+0x1e0");
	b_spirah(sp, nt, 7, 6, 0xF0);
	put_be32(sp + 0x20, 0x300);
	corrupt(sp, sizeof(sp), "ntuple array 0x300+0xf0");
	b_spirah(sp, nt, 7, 6, 0xF0);
	put_be32(sp + 0x38, 0x10); /* ntuples smaller than their fields */
	corrupt(sp, sizeof(sp), "ntuple array header {0x10, 0x10}");
	b_spirah(sp, nt, 7, 6, 0xB0); /* room for 5 ntuples only */
	corrupt(sp, sizeof(sp), "5 ntuples, the MDRT needs at least 6");

	nt[3].alloc_len = 0x18;
	b_spirah(sp, nt, 7, 6, 0xF0);
	corrupt(sp, sizeof(sp), "MDST ntuple entry size is 0x18, expected 0x10");
	b_spirah_real_ntuples(nt);
	nt[4].alloc_len = 0x20;
	b_spirah(sp, nt, 7, 6, 0xF0);
	corrupt(sp, sizeof(sp), "MDDT ntuple entry size is 0x20, expected 0x10");
	b_spirah_real_ntuples(nt);
	nt[5].alloc_len = 0x10;
	b_spirah(sp, nt, 7, 6, 0xF0);
	corrupt(sp, sizeof(sp), "MDRT ntuple entry size is 0x10, expected 0x20");
	b_spirah_real_ntuples(nt);
	nt[6].alloc_len = 0x28;
	b_spirah(sp, nt, 7, 6, 0xF0);
	corrupt(sp, sizeof(sp), "processor dump area ntuple entry size is 0x28, expected 0x30");
}

Test(spirah, six_ntuples_and_clamped_counts)
{
	uint8_t sp[0x200];
	struct b_ntuple nt[7];
	struct mpipl_layout l = { 0 };
	struct findings f = { 0 };
	struct mp_err err = { 0 };

	b_spirah_real_ntuples(nt);
	nt[3].alloc_cnt = 100; /* more than the 0x400-byte table holds */
	nt[4].act_cnt = 70;
	nt[3].addr = HRMOR | 0x10C00; /* HRMOR set on an offset */
	b_spirah(sp, nt, 6, 6, 0xD0); /* room for 6: no processor dump area ntuple */
	cr_assert_eq(spirah_parse(sp, sizeof(sp), B + 0x10000, B, &l, &f, &err), 0, "%s", err.msg);
	cr_assert_eq(l.mdst.addr, B + 0x10C00);
	cr_assert_eq(l.mdst.alloc_cnt, 64);
	cr_assert_eq(l.mddt.act_cnt, 64);
	cr_assert(has_finding(&f, "spirah-count-clamped"));
	cr_assert(has_finding(&f, "spirah-act-cnt"));
	/* Without the ntuple the area is 0x300 after SPIRA-H (both generations). */
	cr_assert_eq(l.proc_area.addr, B + 0x10300);
	cr_assert(has_finding(&f, "spirah-no-proc-ntuple"));
	findings_free(&f);
}

Test(spirah, wider_ntuples)
{
	/* An array of 0x28-byte ntuples: each is read at first + i * 0x28. */
	uint8_t sp[0x200];
	struct b_ntuple nt[7];
	struct mpipl_layout l = { 0 };
	struct findings f = { 0 };
	struct mp_err err = { 0 };
	uint8_t tmp[0x200];

	b_spirah_real_ntuples(nt);
	b_spirah(tmp, nt, 7, 7, 0xF0);
	memcpy(sp, tmp, 0x40);
	memset(sp + 0x40, 0, 0x1C0);
	put_be32(sp + 0x24, 0x10 + 7 * 0x28);
	put_be32(sp + 0x38, 0x28);
	for (int i = 0; i < 7; i++)
		memcpy(sp + 0x40 + 0x28 * i, tmp + 0x40 + 0x20 * i, 0x20);
	cr_assert_eq(spirah_parse(sp, sizeof(sp), B + 0x10000, B, &l, &f, &err), 0, "%s", err.msg);
	cr_assert_eq(l.mdst.addr, B + 0x10C00);
	cr_assert_eq(l.mddt.addr, B + 0x11000);
	cr_assert_eq(l.mdrt.addr, 0x31C00000ULL);
	cr_assert_eq(l.proc_area.addr, B + 0x10300);
	findings_free(&f);
}

/* RAM [B, B + 32 MiB), all zero. */
static struct guest_mem *base_guest(void)
{
	struct guest_mem *gm = b_gm();

	b_add_zero(gm, B, 32 * MiB);
	return gm;
}

static void resolve_ok(struct guest_mem *gm, enum layout_kind kind, struct mpipl_layout *l,
		       struct findings *f)
{
	struct mp_err err = { 0 };

	cr_assert_eq(layout_resolve(gm, B, kind, l, f, &err), 0, "%s", err.msg);
}

Test(layout, auto_skiboot_71)
{
	struct guest_mem *gm = base_guest();
	struct mpipl_layout l;
	struct findings f = { 0 };
	uint8_t sp[0x200];

	b_spirah_real(sp);
	b_write(gm, B + 0x10000, sp, sizeof(sp));
	resolve_ok(gm, LAYOUT_AUTO, &l, &f);
	cr_assert_eq(l.kind, LAYOUT_71);
	cr_assert(l.from_spirah);
	cr_assert_eq(l.base, B);
	cr_assert_eq(l.spirah_addr, B + 0x10000);
	cr_assert_eq(l.mdst.addr, B + 0x10C00);
	cr_assert_eq(l.mddt.addr, B + 0x11000);
	cr_assert_eq(l.mdrt.addr, 0x31C00000ULL);
	cr_assert_eq(l.proc_area.addr, B + 0x10300);
	cr_assert_eq(l.metadata, B + 0x1C08000);
	assert_msg_has(l.why, "SPIRA-H found at base+0x10000");
	gm_free(gm);
	findings_free(&f);
}

Test(layout, auto_skiboot_70)
{
	struct guest_mem *gm = base_guest();
	struct mpipl_layout l;
	struct findings f = { 0 };
	uint8_t sp[0x200], legacy[16] = { 0xD1, 0xF0, 'S', 'P', 'I', 'R', 'A', ' ' };
	struct b_ntuple nt[7];

	/* skiboot 7.0: legacy SPIRA at +0x10000, SPIRA-H at +0x10400 (mpipl.md 1.1). */
	b_spirah_real_ntuples(nt);
	nt[3].addr = 0x11000;
	nt[4].addr = 0x11400;
	nt[6].addr = 0x10700;
	b_spirah(sp, nt, 7, 6, 0xF0);
	b_write(gm, B + 0x10000, legacy, sizeof(legacy));
	b_write(gm, B + 0x10400, sp, sizeof(sp));
	resolve_ok(gm, LAYOUT_AUTO, &l, &f);
	cr_assert_eq(l.kind, LAYOUT_70);
	cr_assert(l.from_spirah);
	cr_assert_eq(l.spirah_addr, B + 0x10400);
	cr_assert_eq(l.mdst.addr, B + 0x11000);
	cr_assert_eq(l.mddt.addr, B + 0x11400);
	cr_assert_eq(l.proc_area.addr, B + 0x10700);
	cr_assert_eq(l.mdrt.addr, 0x31C00000ULL);
	gm_free(gm);
	findings_free(&f);
}

Test(layout, auto_finds_spirah_elsewhere)
{
	struct guest_mem *gm = base_guest();
	struct mpipl_layout l;
	struct findings f = { 0 };
	uint8_t sp[0x200];

	b_spirah_real(sp);
	b_write(gm, B + 0x12340, sp, sizeof(sp));
	resolve_ok(gm, LAYOUT_AUTO, &l, &f);
	cr_assert(l.from_spirah);
	cr_assert_eq(l.spirah_addr, B + 0x12340);
	cr_assert_eq(l.mdst.addr, B + 0x10C00, "addresses still come from the ntuples");
	gm_free(gm);
	findings_free(&f);
}

/* A registered MDST/MDDT pair at the given offsets (mpipl.md 1.1 after opal_mpipl_init). */
static void plausible_tables(struct guest_mem *gm, uint64_t mdst_off, uint64_t mddt_off)
{
	uint8_t e[16];

	b_mdst(e, HRMOR | B, 0x03, 0, 0x1C38000);
	b_write(gm, B + mdst_off, e, 16);
	b_mdst(e, HRMOR | 0x31C38000ULL, 0x03, 0, 0x1C38000);
	b_write(gm, B + mddt_off, e, 16);
}

Test(layout, plausibility_fallback)
{
	struct guest_mem *gm = base_guest();
	struct mpipl_layout l;
	struct findings f = { 0 };

	plausible_tables(gm, 0x11000, 0x11400);
	resolve_ok(gm, LAYOUT_AUTO, &l, &f);
	cr_assert_eq(l.kind, LAYOUT_70);
	cr_assert_not(l.from_spirah);
	cr_assert_eq(l.mdst.addr, B + 0x11000);
	cr_assert_eq(l.mddt.addr, B + 0x11400);
	cr_assert_eq(l.proc_area.addr, B + 0x10700);
	cr_assert_eq(l.mdrt.addr, B + 0x1C00000);
	assert_msg_has(l.why, "7.0");
	gm_free(gm);
	findings_free(&f);

	gm = base_guest();
	plausible_tables(gm, 0x10C00, 0x11000);
	resolve_ok(gm, LAYOUT_AUTO, &l, &f);
	cr_assert_eq(l.kind, LAYOUT_71);
	cr_assert_not(l.from_spirah);
	cr_assert_eq(l.proc_area.addr, B + 0x10300);
	gm_free(gm);
	findings_free(&f);
}

Test(layout, implausible_tables_are_not_taken)
{
	struct guest_mem *gm = base_guest();
	struct mpipl_layout l;
	struct findings f = { 0 };
	struct mp_err err = { 0 };
	uint8_t e[16];

	/* 7.1: MDST entry 0 lacks HRMOR; 7.0: its MDDT disagrees on the size. */
	b_mdst(e, B, 0x03, 0, 0x1000);
	b_write(gm, B + 0x10C00, e, 16);
	b_mdst(e, HRMOR | B, 0x03, 0, 0x1000);
	b_write(gm, B + 0x11000, e, 16); /* 7.1 MDDT and 7.0 MDST */
	b_mdst(e, HRMOR | 0x31000000, 0x03, 0, 0x2000);
	b_write(gm, B + 0x11400, e, 16);
	cr_assert_eq(layout_resolve(gm, B, LAYOUT_AUTO, &l, &f, &err), -1);
	gm_free(gm);
	findings_free(&f);
}

Test(layout, corrupt_spirah_falls_back_with_warning)
{
	struct guest_mem *gm = base_guest();
	struct mpipl_layout l;
	struct findings f = { 0 };
	struct b_ntuple nt[7];
	uint8_t sp[0x200];

	b_spirah_real_ntuples(nt);
	nt[5].alloc_len = 0x18;
	b_spirah(sp, nt, 7, 6, 0xF0);
	b_write(gm, B + 0x10000, sp, sizeof(sp));
	plausible_tables(gm, 0x10C00, 0x11000);
	resolve_ok(gm, LAYOUT_AUTO, &l, &f);
	cr_assert_not(l.from_spirah);
	cr_assert_eq(l.kind, LAYOUT_71);
	cr_assert_eq(l.mdrt.addr, B + 0x1C00000);
	cr_assert_eq(l.mdrt.alloc_cnt, 1024);
	cr_assert(has_finding(&f, "spirah-invalid"));
	gm_free(gm);
	findings_free(&f);
}

Test(layout, no_tables_names_base)
{
	struct guest_mem *gm = base_guest();
	struct mpipl_layout l;
	struct findings f = { 0 };
	struct mp_err err = { 0 };

	cr_assert_eq(layout_resolve(gm, B, LAYOUT_AUTO, &l, &f, &err), -1);
	cr_assert_eq(err.status, MP_EINPUT);
	assert_msg_has(err.msg, "test.img");
	assert_msg_has(err.msg, "0x30000000");
	assert_msg_has(err.msg, "--base");
	cr_assert_eq(layout_resolve(gm, 0x10000000, LAYOUT_71, &l, &f, &err), -1);
	assert_msg_has(err.msg, "base 0x10000000 is not in guest RAM");
	assert_msg_has(err.msg, "--base");
	/* A fixed layout resolves; reading tables that run past RAM then fails. */
	cr_assert_eq(layout_resolve(gm, B + 32 * MiB - 0x11000, LAYOUT_71, &l, &f, &err), 0);
	{
		struct mpipl_tables *t = calloc(1, sizeof(*t));

		cr_assert_eq(tables_read(gm, &l, t, &f, &err), -1);
		assert_msg_has(err.msg, "MDDT");
		assert_msg_has(err.msg, "outside guest RAM");
		free(t);
	}
	gm_free(gm);
	findings_free(&f);
}

Test(layout, fixed_sets)
{
	struct guest_mem *gm = base_guest();
	struct mpipl_layout l;
	struct findings f = { 0 };
	enum layout_kind k;

	resolve_ok(gm, LAYOUT_70, &l, &f);
	cr_assert_eq(l.kind, LAYOUT_70);
	cr_assert_eq(l.mdst.addr, B + 0x11000);
	cr_assert_eq(l.mddt.addr, B + 0x11400);
	cr_assert_eq(l.proc_area.addr, B + 0x10700);
	cr_assert_eq(l.mdrt.addr, B + 0x1C00000);
	cr_assert_eq(l.metadata, B + 0x1C08000);
	cr_assert_eq(l.mdst.alloc_cnt, 64);
	cr_assert_eq(l.mdrt.alloc_cnt, 1024);
	resolve_ok(gm, LAYOUT_71, &l, &f);
	cr_assert_eq(l.mdst.addr, B + 0x10C00);
	cr_assert_eq(l.mddt.addr, B + 0x11000);
	cr_assert_eq(l.proc_area.addr, B + 0x10300);
	cr_assert_eq(layout_parse_name("auto", &k), 0);
	cr_assert_eq(k, LAYOUT_AUTO);
	cr_assert_eq(layout_parse_name("7.0", &k), 0);
	cr_assert_eq(k, LAYOUT_70);
	cr_assert_eq(layout_parse_name("qemu", &k), 0);
	cr_assert_eq(k, LAYOUT_71);
	cr_assert_eq(layout_parse_name("7.2", &k), -1);
	cr_assert_str_eq(layout_name(LAYOUT_70), "7.0");
	cr_assert_str_eq(layout_name(LAYOUT_71), "7.1");
	gm_free(gm);
	findings_free(&f);
}

/* MDST entries 0..4 of tables_read tests; entry 3 is QEMU's terminator. */
static void write_mdst_set(struct guest_mem *gm, uint64_t mdst, uint64_t mddt)
{
	static const struct {
		uint64_t addr;
		uint8_t region;
		uint32_t size;
	} t[5] = {
		{ HRMOR | B, 0x03, 0x1000 },
		{ 0, 0x80, 0x1000 },         /* addr 0, size != 0: not the end */
		{ HRMOR | 0x5000, 0x80, 0 }, /* size 0, addr != 0: not the end */
		{ 0, 0x80, 0 },              /* the end, whatever the region */
		{ HRMOR | 0x6000, 0x80, 0x10 },
	};
	for (int i = 0; i < 5; i++) {
		uint8_t e[16];

		b_mdst(e, t[i].addr, t[i].region, 0, t[i].size);
		b_write(gm, mdst + 16 * i, e, 16);
		b_write(gm, mddt + 16 * i, e, 16);
	}
}

Test(tables, counts_fixed_layout)
{
	struct guest_mem *gm = base_guest();
	struct mpipl_layout l;
	struct mpipl_tables *t = calloc(1, sizeof(*t));
	struct findings f = { 0 };
	struct mp_err err = { 0 };
	uint8_t e[32], meta[20] = { 0, 0, 0, 4, 0, 0, 0, 0, 0x3F, 0xFF, 0, 0,
				    0, 0, 0, 0, 0x80, 0, 0, 0 };
	uint8_t proc[48];

	resolve_ok(gm, LAYOUT_71, &l, &f);
	write_mdst_set(gm, l.mdst.addr, l.mddt.addr);
	b_mdrt(e, 0x1000, 0x2000, 0x03, 0x100);
	b_write(gm, l.mdrt.addr, e, 32);
	b_mdrt(e, 0, 0, 0x80, 0); /* only the region byte set: still a used slot */
	b_write(gm, l.mdrt.addr + 32, e, 32);
	b_mdrt(e, 0x7000, 0x8000, 0x03, 0x10);
	b_write(gm, l.mdrt.addr + 5 * 32, e, 32);
	b_write(gm, l.metadata, meta, sizeof(meta));
	b_proc_area(proc, 0, 0, HRMOR | 0x33870000, 0x80000, 0, 0);
	b_write(gm, l.proc_area.addr, proc, sizeof(proc));

	cr_assert_eq(tables_read(gm, &l, t, &f, &err), 0, "%s", err.msg);
	cr_assert_eq(t->mdst_slots, 64);
	cr_assert_eq(t->qemu_count, 3);
	cr_assert_eq(t->hdat_count, 3, "no SPIRA-H: the terminator rule");
	cr_assert_eq(t->hdat_count, 3);
	cr_assert_eq(t->mdst[0].addr, B);
	cr_assert_eq(t->mddt[4].addr, 0x6000);
	cr_assert(t->mdrt_ok);
	cr_assert_eq(t->mdrt_slots, 1024);
	cr_assert_eq(t->mdrt_used, 3);
	cr_assert_eq(t->mdrt[5].src, 0x7000);
	cr_assert_eq(t->mdrt[5].size, 0x10);
	cr_assert(t->proc_ok);
	cr_assert_eq(t->proc.alloc_addr, HRMOR | 0x33870000);
	cr_assert_eq(t->proc.alloc_size, 0x80000);
	cr_assert(t->meta_ok);
	cr_assert_eq(t->meta.crashing_pir, 4);
	cr_assert_eq(t->meta.kernel_tag, 0x3FFF0000ULL);
	cr_assert_eq(t->meta.boot_mem_size, 0x80000000ULL);
	cr_assert_eq(f.n, 0);
	free(t);
	gm_free(gm);
	findings_free(&f);
}

Test(tables, counts_from_spirah)
{
	struct guest_mem *gm = base_guest();
	struct mpipl_layout l;
	struct mpipl_tables *t = calloc(1, sizeof(*t));
	struct findings f = { 0 };
	struct mp_err err = { 0 };
	struct b_ntuple nt[7];
	uint8_t sp[0x200];

	b_spirah_real_ntuples(nt);
	nt[3].act_cnt = 5;
	nt[4].act_cnt = 4;
	b_spirah(sp, nt, 7, 6, 0xF0);
	b_write(gm, B + 0x10000, sp, sizeof(sp));
	resolve_ok(gm, LAYOUT_AUTO, &l, &f);
	write_mdst_set(gm, l.mdst.addr, l.mddt.addr);
	cr_assert_eq(tables_read(gm, &l, t, &f, &err), 0, "%s", err.msg);
	cr_assert_eq(t->qemu_count, 3);
	cr_assert_eq(t->hdat_count, 5, "act_cnt for the hdat profile");
	cr_assert(has_finding(&f, "count-mismatch"));
	cr_assert(has_finding(&f, "count-vs-terminator"));
	findings_free(&f);

	/* alloc_cnt 2: hdat pairs two entries; QEMU still reads 64 slots (mpipl.md 2.3). */
	nt[3].alloc_cnt = nt[4].alloc_cnt = 2;
	nt[3].act_cnt = nt[4].act_cnt = 2;
	b_spirah(sp, nt, 7, 6, 0xF0);
	b_write(gm, B + 0x10000, sp, sizeof(sp));
	resolve_ok(gm, LAYOUT_AUTO, &l, &f);
	cr_assert_eq(tables_read(gm, &l, t, &f, &err), 0, "%s", err.msg);
	cr_assert_eq(t->mdst_slots, 64);
	cr_assert_eq(t->qemu_count, 3);
	cr_assert_eq(t->hdat_count, 2);
	free(t);
	gm_free(gm);
	findings_free(&f);
}

Test(tables, outside_ram)
{
	struct guest_mem *gm = b_gm();
	struct mpipl_layout l;
	struct mpipl_tables *t = calloc(1, sizeof(*t));
	struct findings f = { 0 };
	struct mp_err err = { 0 };

	/* RAM ends before the MDRT and the metadata. */
	b_add_zero(gm, B, 0x1C00000);
	resolve_ok(gm, LAYOUT_71, &l, &f);
	cr_assert_eq(tables_read(gm, &l, t, &f, &err), 0, "%s", err.msg);
	cr_assert_not(t->mdrt_ok);
	cr_assert(has_finding(&f, "mdrt-outside-ram"));
	cr_assert(has_finding(&f, "metadata-outside-ram"));
	cr_assert(t->proc_ok);
	findings_free(&f);

	l.mdst.addr = B + 0x1C00000 - 0x200; /* 64 entries need 0x400 bytes */
	cr_assert_eq(tables_read(gm, &l, t, &f, &err), -1);
	assert_msg_has(err.msg, "MDST (0x400 bytes at guest address 0x31bffe00)");
	l.mdst.addr = B + 0x10C00;
	l.proc_area.addr = B + 0x1C00000 - 0x10;
	cr_assert_eq(tables_read(gm, &l, t, &f, &err), 0);
	cr_assert_not(t->proc_ok);
	cr_assert(has_finding(&f, "proc-area-outside-ram"));
	free(t);
	gm_free(gm);
	findings_free(&f);
}
