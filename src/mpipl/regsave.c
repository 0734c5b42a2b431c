// SPDX-License-Identifier: GPL-2.0-or-later
#include "regsave.h"

#include <string.h>

#include "crashinfo.h"

/*
 * Spec notes (for mpipl.md 9 and 12; read off the stored sources and the golden cycle):
 *  - v2 (patchew-project/qemu 1a9a10cc, the v2 mails): 34 entries, GPR0-31 then NIP
 *    (0x7D0) and MSR (0x7D1), records of 568 bytes, offset 0; the chunk counter is the
 *    for-loop's own, so each entry starts at chunk 0.
 *  - adi-g15-ibm/qemu 075a2bb6: 66 entries; chunk_id is declared once per crash and the
 *    loop is a while(chunk_id < num_chunks), so it carries over to the next entry.
 *  - lygstate/qemu 70fda4c2 (and the golden run): 66 entries, counter reset per entry.
 *  - The v6 cover letter "[v6,00/10] Implement MPIPL for PowerNV" is dated 2026-04-24
 *    (patchwork series 501318); no v3-v6 code is stored, so which posted version had the
 *    carried counter is not known.
 */
const enum mpipl_profile mpipl_profiles[] = { PROFILE_HDAT, PROFILE_QEMU, PROFILE_QEMU_V2,
					       PROFILE_QEMU_CHUNK_CARRY };
const size_t mpipl_nprofiles = sizeof(mpipl_profiles) / sizeof(mpipl_profiles[0]);

static const char *const profile_names[] = {
	[PROFILE_HDAT] = "hdat",
	[PROFILE_QEMU] = "qemu",
	[PROFILE_QEMU_V2] = "qemu-v2",
	[PROFILE_QEMU_CHUNK_CARRY] = "qemu-chunk-carry",
};

const char *profile_name(enum mpipl_profile p)
{
	return (size_t)p < sizeof(profile_names) / sizeof(profile_names[0]) ? profile_names[p]
									     : "?";
}

bool profile_is_qemu(enum mpipl_profile p)
{
	return p != PROFILE_HDAT;
}

int profile_parse_name(const char *s, enum mpipl_profile *p)
{
	for (size_t i = 0; i < mpipl_nprofiles; i++)
		if (strcmp(s, profile_name(mpipl_profiles[i])) == 0) {
			*p = mpipl_profiles[i];
			return 0;
		}
	return -1;
}

uint32_t regsave_count(enum mpipl_profile p)
{
	switch (p) {
	case PROFILE_HDAT:
		return HDAT_REG_COUNT;
	case PROFILE_QEMU_V2:
		return QEMU_V2_REG_COUNT;
	default:
		return QEMU_REG_COUNT;
	}
}

uint32_t regsave_thread_size(enum mpipl_profile p)
{
	return THREAD_HDR_SIZE + regsave_count(p) * REG_ENTRY_SIZE;
}

/*
 * QEMU writes 0, which makes Linux start reading 8 bytes early (mpipl.md 4.2);
 * 16 puts the entries right after the 24-byte header, as HDAT intends.
 */
uint32_t regsave_offset_field(enum mpipl_profile p)
{
	return profile_is_qemu(p) ? 0 : THREAD_HDR_SIZE - THREAD_OFFSET_FIELD_POS;
}

/* Where a register value comes from. */
enum reg_source {
	SRC_GPR,      /* gpr[num] */
	SRC_SPR,      /* the SPR array slot (QEMU: possibly stale for CTR/CFAR) */
	SRC_LIVE_CTR,
	SRC_LIVE_LR,
	SRC_MSR,
	SRC_NIP,
	SRC_XER,
	SRC_CR,
};

struct reg_def {
	uint16_t num;
	uint8_t source;
};

/* QEMU's list after the 32 GPRs, in its order (mpipl.md 4.4, entries 32-65). */
static const struct reg_def spr_list[] = {
	{ SPRN_ACOP, SRC_SPR },	  { SPRN_AMR, SRC_SPR },       { SPRN_BESCR, SRC_SPR },
	{ SPRN_CFAR, SRC_SPR },	  { SPRN_CIABR, SRC_SPR },     { SPRN_CTR, SRC_SPR },
	{ SPRN_CTRL, SRC_SPR },	  { SPRN_DABR, SRC_SPR },      { SPRN_DABRX, SRC_SPR },
	{ SPRN_DAR, SRC_SPR },	  { SPRN_DAWR0, SRC_SPR },     { SPRN_DAWR1, SRC_SPR },
	{ SPRN_DAWRX0, SRC_SPR }, { SPRN_DAWRX1, SRC_SPR },    { SPRN_DPDES, SRC_SPR },
	{ SPRN_DSCR, SRC_SPR },	  { SPRN_DSISR, SRC_SPR },     { SPRN_EBBHR, SRC_SPR },
	{ SPRN_EBBRR, SRC_SPR },  { SPRN_FSCR, SRC_SPR },      { SPRN_CTR, SRC_LIVE_CTR },
	{ SPRN_DAR, SRC_SPR },	  { SPRN_DSISR, SRC_SPR },     { SPRN_LR, SRC_LIVE_LR },
	{ REG_ID_MSR, SRC_MSR },  { REG_ID_NIP, SRC_NIP },     { SPRN_XER, SRC_XER },
	{ SPRN_SRR0, SRC_SPR },	  { SPRN_SRR1, SRC_SPR },      { SPRN_HSRR0, SRC_SPR },
	{ SPRN_HSRR1, SRC_SPR },  { SPRN_CFAR, SRC_SPR },      { SPRN_HMER, SRC_SPR },
	{ SPRN_HMEER, SRC_SPR },
};

_Static_assert(32 + sizeof(spr_list) / sizeof(spr_list[0]) == QEMU_REG_COUNT,
	       "QEMU's register list has 66 entries");

static uint64_t reg_value(const struct vcpu_state *c, const struct reg_def *d,
			  enum mpipl_profile p)
{
	switch (d->source) {
	case SRC_LIVE_CTR:
		return c->ctr;
	case SRC_LIVE_LR:
		return c->lr;
	case SRC_MSR:
		return c->msr;
	case SRC_NIP:
		return c->nip;
	case SRC_CR:
		return c->cr;
	case SRC_XER:
		/* QEMU's env->xer lacks the bits it keeps in separate fields. */
		return profile_is_qemu(p) ? c->xer & ~XER_SPLIT_BITS : c->xer;
	default:
		/* Firmware reads the live CTR; only QEMU's SPR array slot can be stale. */
		if (p == PROFILE_HDAT && d->num == SPRN_CTR)
			return c->ctr;
		return c->spr[d->num];
	}
}

static void put_entry(uint8_t **at, uint32_t type, uint32_t num, uint64_t val)
{
	struct reg_entry e = { .type = type, .num = num, .val = val };

	reg_entry_encode(&e, *at);
	*at += REG_ENTRY_SIZE;
}

void regsave_build(const struct vcpu_state *cpu, enum mpipl_profile p, uint8_t *out)
{
	struct thread_hdr h = {
		.pir = cpu->pir,
		.core_state = cpu->core_state,
		.offset = regsave_offset_field(p),
		.ecnt = regsave_count(p),
		.esize = REG_ENTRY_SIZE,
		.eactsz = REG_ENTRY_SIZE,
	};
	uint8_t *at = out + THREAD_HDR_SIZE;

	/* QEMU leaves the 3 reserved bytes uninitialised; we write zeros. */
	thread_hdr_encode(&h, out);
	for (uint32_t i = 0; i < 32; i++)
		put_entry(&at, REG_TYPE_GPR, i, cpu->gpr[i]);
	if (p == PROFILE_QEMU_V2) {
		/* v2 saved NIP and MSR after the GPRs, nothing else (mpipl.md 4.4). */
		put_entry(&at, REG_TYPE_SPR, REG_ID_NIP, cpu->nip);
		put_entry(&at, REG_TYPE_SPR, REG_ID_MSR, cpu->msr);
		return;
	}
	for (size_t i = 0; i < sizeof(spr_list) / sizeof(spr_list[0]); i++)
		put_entry(&at, REG_TYPE_SPR, spr_list[i].num, reg_value(cpu, &spr_list[i], p));
	if (p == PROFILE_HDAT) {
		static const struct reg_def ccr = { REG_ID_CCR, SRC_CR };

		put_entry(&at, REG_TYPE_SPR, ccr.num, reg_value(cpu, &ccr, p));
	}
}

void regsave_apply(uint64_t regs[48], uint32_t type, uint32_t num, uint64_t val)
{
	if (type == REG_TYPE_GPR) {
		if (num < 32)
			regs[num] = val;
		return;
	}
	switch (num) {
	case SPRN_CTR:
		regs[PTREG_CTR] = val;
		break;
	case SPRN_LR:
		regs[PTREG_LINK] = val;
		break;
	case SPRN_XER:
		regs[PTREG_XER] = val;
		break;
	case SPRN_DAR:
		regs[PTREG_DAR] = val;
		break;
	case SPRN_DSISR:
		regs[PTREG_DSISR] = val;
		break;
	case REG_ID_NIP:
		regs[PTREG_NIP] = val;
		break;
	case REG_ID_MSR:
		regs[PTREG_MSR] = val;
		break;
	case REG_ID_CCR:
		regs[PTREG_CCR] = val;
		break;
	default:
		break; /* Linux ignores every other register */
	}
}

uint64_t regsave_span(const struct thread_hdr *first)
{
	uint64_t start = THREAD_OFFSET_FIELD_POS + (uint64_t)first->offset;

	/* Entries are read 16 bytes at a time at a stride of esize (which may be smaller). */
	if (first->ecnt == 0)
		return start;
	return start + (uint64_t)(first->ecnt - 1) * first->esize + REG_ENTRY_SIZE;
}

int regsave_parse(const uint8_t *rec, size_t len, const struct thread_hdr *first,
		  uint64_t regs[48])
{
	uint64_t start = THREAD_OFFSET_FIELD_POS + (uint64_t)first->offset;

	memset(regs, 0, 48 * sizeof(regs[0]));
	if (regsave_span(first) > len)
		return -1;
	for (uint32_t i = 0; i < first->ecnt; i++) {
		struct reg_entry e;

		reg_entry_decode(rec + start + (uint64_t)i * first->esize, &e);
		regsave_apply(regs, e.type, e.num, e.val);
	}
	return 0;
}
