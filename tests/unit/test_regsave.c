// SPDX-License-Identifier: GPL-2.0-or-later
/* Thread register records (src/mpipl/regsave.c) against mpipl.md 4.2-4.5. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builders.h"
#include "../../src/mpipl/crashinfo.h"
#include "../../src/mpipl/regname.h"
#include "../../src/mpipl/regsave.h"
#include "../../src/util/bytes.h"

/* Where an expected value comes from. */
enum { V_GPR, V_SPR, V_CTR, V_LR, V_MSR, V_NIP, V_XER, V_CR };

struct want {
	uint32_t type, num;
	int src;
};

/* mpipl.md 4.4, entries 32..65, typed in from the table. */
static const struct want qemu_tail[34] = {
	{ 2, 0x1F, V_SPR },  { 2, 0x1D, V_SPR },  { 2, 0x326, V_SPR }, { 2, 0x1C, V_SPR },
	{ 2, 0xBB, V_SPR },  { 2, 0x9, V_SPR },   { 2, 0x98, V_SPR },  { 2, 0x3F5, V_SPR },
	{ 2, 0x3F7, V_SPR }, { 2, 0x13, V_SPR },  { 2, 0xB4, V_SPR },  { 2, 0xB5, V_SPR },
	{ 2, 0xBC, V_SPR },  { 2, 0xBD, V_SPR },  { 2, 0xB0, V_SPR },  { 2, 0x11, V_SPR },
	{ 2, 0x12, V_SPR },  { 2, 0x324, V_SPR }, { 2, 0x325, V_SPR }, { 2, 0x99, V_SPR },
	{ 2, 0x9, V_CTR },   { 2, 0x13, V_SPR },  { 2, 0x12, V_SPR },  { 2, 0x8, V_LR },
	{ 2, 0x7D1, V_MSR }, { 2, 0x7D0, V_NIP }, { 2, 0x1, V_XER },   { 2, 0x1A, V_SPR },
	{ 2, 0x1B, V_SPR },  { 2, 0x13A, V_SPR }, { 2, 0x13B, V_SPR }, { 2, 0x1C, V_SPR },
	{ 2, 0x150, V_SPR }, { 2, 0x151, V_SPR },
};

/* Entry i of the spec list (i < 66), or the hdat CCR entry (i == 66). */
static struct want want_at(unsigned i)
{
	if (i < 32)
		return (struct want){ 1, i, V_GPR };
	if (i < 66)
		return qemu_tail[i - 32];
	return (struct want){ 2, 0x7D2, V_CR };
}

/* A vCPU whose every register holds a different value. */
static void make_cpu(struct vcpu_state *c)
{
	memset(c, 0, sizeof(*c));
	c->pir = 0x24;
	c->core_state = 0xFF;
	for (unsigned i = 0; i < 32; i++)
		c->gpr[i] = 0xA000000000000000ULL | (uint64_t)i << 32 | (0x100 + i);
	for (unsigned n = 0; n < 1024; n++)
		c->spr[n] = 0x5000000000000000ULL | (uint64_t)n << 16 | 0x55;
	c->ctr = 0xC7C7C7C7C7C7C7C7ULL; /* differs from the stale spr[CTR] slot */
	c->lr = 0x1818181818181818ULL;
	c->msr = 0x8000000000001033ULL;
	c->nip = 0xC000000000012340ULL;
	c->xer = 0xFFFFFFFFULL; /* every XER bit, SO/OV/CA/OV32/CA32 included */
	c->cr = 0x24004288ULL;
}

static uint64_t value_of(const struct vcpu_state *c, struct want w, uint32_t num, bool qemu)
{
	switch (w.src) {
	case V_GPR:
		return c->gpr[num];
	case V_SPR:
		return c->spr[num];
	case V_CTR:
		return c->ctr;
	case V_LR:
		return c->lr;
	case V_MSR:
		return c->msr;
	case V_NIP:
		return c->nip;
	case V_XER:
		/* mpipl.md 12: QEMU's env->xer lacks SO, OV, CA, OV32, CA32. */
		return qemu ? 0x1FF3FFFFULL : 0xFFFFFFFFULL;
	default:
		return c->cr;
	}
}

Test(regsave, sizes_and_names)
{
	enum mpipl_profile p;

	cr_assert_eq(regsave_count(PROFILE_QEMU), 66);
	cr_assert_eq(regsave_thread_size(PROFILE_QEMU), 1080, "0x438 (mpipl.md 4.3)");
	cr_assert_eq(regsave_offset_field(PROFILE_QEMU), 0);
	cr_assert_eq(regsave_count(PROFILE_HDAT), 67);
	cr_assert_eq(regsave_thread_size(PROFILE_HDAT), 24 + 67 * 16);
	cr_assert_eq(regsave_offset_field(PROFILE_HDAT), 16);
	cr_assert_eq(profile_parse_name("qemu", &p), 0);
	cr_assert_eq(p, PROFILE_QEMU);
	cr_assert_eq(profile_parse_name("hdat", &p), 0);
	cr_assert_eq(p, PROFILE_HDAT);
	cr_assert_eq(profile_parse_name("QEMU", &p), -1);
	cr_assert_str_eq(profile_name(PROFILE_QEMU), "qemu");
	cr_assert_str_eq(profile_name(PROFILE_HDAT), "hdat");
}

static void check_record(enum mpipl_profile p)
{
	bool qemu = p == PROFILE_QEMU;
	unsigned n = qemu ? 66 : 67;
	uint8_t *rec = malloc(24 + n * 16 + 16);
	struct vcpu_state *c = malloc(sizeof(*c));

	make_cpu(c);
	memset(rec, 0xEE, 24 + n * 16 + 16);
	regsave_build(c, p, rec);
	/* Header (mpipl.md 4.2); QEMU's reserved bytes are junk, ours zero. */
	cr_assert_eq(get_be32(rec), 0x24);
	cr_assert_eq(rec[4], 0xFF);
	cr_assert_eq(rec[5] | rec[6] | rec[7], 0);
	cr_assert_eq(get_be32(rec + 8), qemu ? 0 : 16);
	cr_assert_eq(get_be32(rec + 12), n);
	cr_assert_eq(get_be32(rec + 16), 16);
	cr_assert_eq(get_be32(rec + 20), 16);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = rec + 24 + 16 * i;
		struct want w = want_at(i);
		uint64_t v = value_of(c, w, w.num, qemu);

		/* hdat reads the live CTR for the CTR slot too (regsave.c). */
		if (!qemu && i == 37)
			v = c->ctr;
		cr_assert_eq(get_be32(e), w.type, "entry %u type", i);
		cr_assert_eq(get_be32(e + 4), w.num, "entry %u num", i);
		cr_assert_eq(get_be64(e + 8), v, "entry %u value 0x%llx", i,
			     (unsigned long long)get_be64(e + 8));
	}
	cr_assert_eq(rec[24 + n * 16], 0xEE, "nothing written past the record");
	free(rec);
	free(c);
}

Test(regsave, qemu_record_every_entry)
{
	check_record(PROFILE_QEMU);
}

Test(regsave, hdat_record_every_entry)
{
	check_record(PROFILE_HDAT);
}

Test(regsave, core_state_copied)
{
	struct vcpu_state *c = malloc(sizeof(*c));
	uint8_t rec[1096];

	make_cpu(c);
	c->core_state = 0x0F;
	regsave_build(c, PROFILE_QEMU, rec);
	cr_assert_eq(rec[4], 0x0F);
	free(c);
}

/* Types and numbers of a real QEMU record (golden run), when present. */
Test(regsave, same_layout_as_real_qemu)
{
	uint8_t real[1080], ours[1080];
	struct vcpu_state *c = malloc(sizeof(*c));
	char *path = t_golden("3-post-reset.cpu-area-0x33870000.bin");
	int fd = open(path, O_RDONLY);

	cr_assert_geq(fd, 0, "open %s", path);
	free(path);
	cr_assert_eq(read(fd, real, sizeof(real)), (ssize_t)sizeof(real));
	close(fd);
	make_cpu(c);
	c->pir = 0;
	regsave_build(c, PROFILE_QEMU, ours);
	cr_assert_arr_eq(ours, real, 5, "pir and core_state");
	cr_assert_arr_eq(ours + 8, real + 8, 16, "offset, ecnt, esize, eactsz");
	for (unsigned i = 0; i < 66; i++)
		cr_assert_arr_eq(ours + 24 + 16 * i, real + 24 + 16 * i, 8, "entry %u type/num", i);
	free(c);
}

/* A hand-written QEMU record (offset 0) of the spec list with values from make_cpu. */
static void hand_record(uint8_t rec[1080], const struct vcpu_state *c)
{
	b_thread_hdr(rec, c->pir, 0xFF, 0, 66, 16, 16);
	for (unsigned i = 0; i < 66; i++) {
		struct want w = want_at(i);

		b_reg(rec + 24 + 16 * i, w.type, w.num, value_of(c, w, w.num, true));
	}
}

Test(regsave, linux_parse_offset_0)
{
	uint8_t rec[1080];
	uint64_t regs[48];
	struct vcpu_state *c = malloc(sizeof(*c));
	struct thread_hdr h;

	make_cpu(c);
	hand_record(rec, c);
	thread_hdr_decode(rec, &h);
	cr_assert_eq(regsave_span(&h), 8 + 65 * 16 + 16);
	cr_assert_eq(regsave_parse(rec, sizeof(rec), &h, regs), 0);
	/*
	 * Linux starts at header + 8: entry 0 is {0, 66, 16 << 32 | 16}, an
	 * unknown SPR 66; then QEMU's entries 0..64; HMEER (65) is never read.
	 */
	for (unsigned i = 0; i < 32; i++)
		cr_assert_eq(regs[i], c->gpr[i], "gpr %u", i);
	cr_assert_eq(regs[PTREG_NIP], c->nip);
	cr_assert_eq(regs[PTREG_MSR], c->msr);
	cr_assert_eq(regs[PTREG_CTR], c->ctr, "the live CTR (entry 52) comes last");
	cr_assert_eq(regs[PTREG_LINK], c->lr);
	cr_assert_eq(regs[PTREG_XER], 0x1FF3FFFFULL);
	cr_assert_eq(regs[PTREG_CCR], 0, "QEMU saves no CR");
	cr_assert_eq(regs[PTREG_DAR], c->spr[0x13]);
	cr_assert_eq(regs[PTREG_DSISR], c->spr[0x12]);
	cr_assert_eq(regs[PTREG_ORIG_GPR3], 0);
	cr_assert_eq(regs[PTREG_SOFTE], 0);
	cr_assert_eq(regs[PTREG_TRAP], 0);
	cr_assert_eq(regs[47], 0);

	/* Make the last entry one Linux would use: it must still be ignored. */
	b_reg(rec + 24 + 65 * 16, 1, 7, 0xDEAD);
	cr_assert_eq(regsave_parse(rec, sizeof(rec), &h, regs), 0);
	cr_assert_eq(regs[7], c->gpr[7], "the last entry is never read");
	/* With offset 16 it is read, and wins as the last occurrence. */
	put_be32(rec + 8, 16);
	thread_hdr_decode(rec, &h);
	cr_assert_eq(regsave_parse(rec, sizeof(rec), &h, regs), 0);
	cr_assert_eq(regs[7], 0xDEAD);
	free(c);
}

Test(regsave, linux_parse_shifted_header_entry)
{
	/* ecnt 9 = SPR CTR: Linux's bogus entry 0 {0, 9, 16 << 32 | 16} sets ctr. */
	uint8_t rec[24 + 9 * 16];
	uint64_t regs[48];
	struct thread_hdr h;

	b_thread_hdr(rec, 0, 0xFF, 0, 9, 16, 16);
	for (unsigned i = 0; i < 9; i++)
		b_reg(rec + 24 + 16 * i, 1, i, 0x100 + i);
	thread_hdr_decode(rec, &h);
	cr_assert_eq(regsave_parse(rec, sizeof(rec), &h, regs), 0);
	cr_assert_eq(regs[PTREG_CTR], 0x0000001000000010ULL);
	for (unsigned i = 0; i < 8; i++)
		cr_assert_eq(regs[i], 0x100 + i, "gpr %u", i);
	cr_assert_eq(regs[8], 0, "the ninth entry is past what Linux reads");
}

Test(regsave, linux_parse_esize_24)
{
	/* Entries at a 24-byte stride, each followed by 8 bytes Linux skips. */
	uint8_t rec[24 + 3 * 24];
	uint64_t regs[48];
	struct thread_hdr h;

	memset(rec, 0xFF, sizeof(rec));
	b_thread_hdr(rec, 0, 0xFF, 16, 3, 24, 16);
	b_reg(rec + 24, 2, 0x7D0, 0x1111);
	b_reg(rec + 48, 2, 0x8, 0x2222);
	b_reg(rec + 72, 1, 3, 0x3333);
	thread_hdr_decode(rec, &h);
	cr_assert_eq(regsave_span(&h), 8 + 16 + 2 * 24 + 16);
	cr_assert_eq(regsave_parse(rec, 24 + 2 * 24 + 16, &h, regs), 0);
	cr_assert_eq(regs[PTREG_NIP], 0x1111);
	cr_assert_eq(regs[PTREG_LINK], 0x2222);
	cr_assert_eq(regs[3], 0x3333);
	cr_assert_eq(regsave_parse(rec, 24 + 2 * 24 + 15, &h, regs), -1, "one byte short");
	h.ecnt = 0;
	cr_assert_eq(regsave_span(&h), 24);
}

Test(regsave, apply_mapping)
{
	uint64_t regs[48] = { 0 };

	/* mpipl.md 4.5: type 1 and num < 32 is a GPR; any other type is an SPR. */
	regsave_apply(regs, 1, 31, 0x31);
	regsave_apply(regs, 1, 32, 0xBAD);
	regsave_apply(regs, 3, 9, 0x99);    /* TIMA type: read as SPR CTR */
	regsave_apply(regs, 0, 0x13, 0xDA); /* type 0 too */
	regsave_apply(regs, 2, 0x12, 0xD5);
	regsave_apply(regs, 2, 0x1, 0xE0);
	regsave_apply(regs, 2, 0x7D2, 0xCC);
	regsave_apply(regs, 2, 0x1C, 0xCF); /* CFAR: ignored */
	regsave_apply(regs, 2, 0x7D1, 0x1);
	regsave_apply(regs, 2, 0x7D1, 0x2); /* the last occurrence wins */
	cr_assert_eq(regs[31], 0x31);
	cr_assert_eq(regs[PTREG_CTR], 0x99);
	cr_assert_eq(regs[PTREG_DAR], 0xDA);
	cr_assert_eq(regs[PTREG_DSISR], 0xD5);
	cr_assert_eq(regs[PTREG_XER], 0xE0);
	cr_assert_eq(regs[PTREG_CCR], 0xCC);
	cr_assert_eq(regs[PTREG_MSR], 0x2);
	for (unsigned i = 32; i < 48; i++)
		if (i != PTREG_CTR && i != PTREG_DAR && i != PTREG_DSISR && i != PTREG_XER &&
		    i != PTREG_CCR && i != PTREG_MSR)
			cr_assert_eq(regs[i], 0, "slot %u", i);
}

Test(regsave, pt_regs_slots_are_linux_uapi)
{
	/* arch/powerpc/include/uapi/asm/ptrace.h: PT_NIP 32 ... PT_DSISR 42. */
	cr_assert_eq(PTREG_NIP, 32);
	cr_assert_eq(PTREG_MSR, 33);
	cr_assert_eq(PTREG_ORIG_GPR3, 34);
	cr_assert_eq(PTREG_CTR, 35);
	cr_assert_eq(PTREG_LINK, 36);
	cr_assert_eq(PTREG_XER, 37);
	cr_assert_eq(PTREG_CCR, 38);
	cr_assert_eq(PTREG_SOFTE, 39);
	cr_assert_eq(PTREG_TRAP, 40);
	cr_assert_eq(PTREG_DAR, 41);
	cr_assert_eq(PTREG_DSISR, 42);
}

Test(regname, entries_and_pt_regs_slots_by_name)
{
	char b[32];

	cr_assert_str_eq(reg_name(REG_TYPE_GPR, 5, b, sizeof(b)), "GPR5");
	cr_assert_str_eq(reg_name(REG_TYPE_SPR, 0x7D0, b, sizeof(b)), "NIP");
	cr_assert_str_eq(reg_name(REG_TYPE_SPR, 0x151, b, sizeof(b)), "HMEER");
	cr_assert_str_eq(reg_name(REG_TYPE_SPR, 0x123, b, sizeof(b)), "SPR 0x123");
	cr_assert_str_eq(reg_name(0, 66, b, sizeof(b)), "type 0 num 66");
	cr_assert_str_eq(ptreg_name(31, b, sizeof(b)), "gpr31");
	cr_assert_str_eq(ptreg_name(33, b, sizeof(b)), "msr");
	cr_assert_str_eq(ptreg_name(38, b, sizeof(b)), "ccr");
	cr_assert_str_eq(ptreg_name(47, b, sizeof(b)), "iamr");
}
