// SPDX-License-Identifier: GPL-2.0-or-later
#include "s0cpu.h"

#include "../util/bytes.h"

/* MSR bits: instruction and data relocation (real mode when both clear), little-endian. */
#define MSR_IR 0x20ULL
#define MSR_DR 0x10ULL
#define MSR_LE 0x1ULL
/* stdcix: X-form, primary opcode 31, extended opcode 1013 (Power ISA 3.0, 4.4.1). */
#define OPCD_X 31u
#define XO_STDCIX 1013u
/* In real mode the top nibble of the effective address is ignored. */
#define REAL_ADDR_MASK 0x0FFFFFFFFFFFFFFFULL

static bool is_stdcix(uint32_t insn)
{
	return insn >> 26 == OPCD_X && ((insn >> 1) & 0x3FF) == XO_STDCIX;
}

static bool stopped_after_stdcix(struct guest_mem *gm, const struct vcpu_state *c)
{
	uint8_t raw[4];
	uint64_t at;
	struct mp_err err;

	if (c->msr & (MSR_IR | MSR_DR) || c->nip < 4)
		return false;
	at = (c->nip - 4) & REAL_ADDR_MASK;
	if (gm_read(gm, at, raw, sizeof(raw), &err))
		return false;
	return is_stdcix(c->msr & MSR_LE ? get_le32(raw) : get_be32(raw));
}

long s0_vcpu_find(struct guest_mem *gm, const struct mpipl_tables *t,
		  const struct vcpu_state *cpus, size_t ncpus)
{
	if (!t->meta_ok || t->meta.kernel_tag == 0)
		return -1;
	for (size_t i = 0; i < ncpus; i++)
		if (cpus[i].pir == t->meta.crashing_pir)
			return stopped_after_stdcix(gm, &cpus[i]) ? (long)i : -1;
	return -1;
}

void s0_vcpu_rewind(struct vcpu_state *cpu)
{
	cpu->nip -= 4;
	cpu->spr[SPRN_HMER] &= ~HMER_XSCOM_DONE_BITS;
}
