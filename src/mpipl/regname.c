// SPDX-License-Identifier: GPL-2.0-or-later
#include "regname.h"

#include <stdio.h>

#include "hdat.h"
#include "../guestmem/vcpu.h"

struct spr_name {
	uint16_t num;
	const char *name;
};

/* Architected SPR numbers (Power ISA) and the firmware's pseudo-SPRs. */
static const struct spr_name spr_names[] = {
	{ SPRN_XER, "XER" },	   { SPRN_LR, "LR" },	       { SPRN_CTR, "CTR" },
	{ SPRN_DSCR, "DSCR" },	   { SPRN_DSISR, "DSISR" },    { SPRN_DAR, "DAR" },
	{ SPRN_SRR0, "SRR0" },	   { SPRN_SRR1, "SRR1" },      { SPRN_CFAR, "CFAR" },
	{ SPRN_AMR, "AMR" },	   { SPRN_ACOP, "ACOP" },      { SPRN_CTRL, "CTRL" },
	{ SPRN_FSCR, "FSCR" },	   { SPRN_DPDES, "DPDES" },    { SPRN_DAWR0, "DAWR0" },
	{ SPRN_DAWR1, "DAWR1" },   { SPRN_CIABR, "CIABR" },    { SPRN_DAWRX0, "DAWRX0" },
	{ SPRN_DAWRX1, "DAWRX1" }, { SPRN_HSRR0, "HSRR0" },    { SPRN_HSRR1, "HSRR1" },
	{ SPRN_HMER, "HMER" },	   { SPRN_HMEER, "HMEER" },    { SPRN_EBBHR, "EBBHR" },
	{ SPRN_EBBRR, "EBBRR" },   { SPRN_BESCR, "BESCR" },    { SPRN_DABR, "DABR" },
	{ SPRN_DABRX, "DABRX" },   { SPRN_PIR, "PIR" },	       { REG_ID_NIP, "NIP" },
	{ REG_ID_MSR, "MSR" },	   { REG_ID_CCR, "CR" },
};

const char *reg_name(uint32_t type, uint32_t num, char *buf, size_t len)
{
	if (type == REG_TYPE_GPR && num < 32) {
		snprintf(buf, len, "GPR%u", num);
		return buf;
	}
	if (type == REG_TYPE_SPR)
		for (size_t i = 0; i < sizeof(spr_names) / sizeof(spr_names[0]); i++)
			if (spr_names[i].num == num) {
				snprintf(buf, len, "%s", spr_names[i].name);
				return buf;
			}
	if (type == REG_TYPE_SPR)
		snprintf(buf, len, "SPR 0x%x", num);
	else
		snprintf(buf, len, "type %u num %u", type, num);
	return buf;
}

/* pt_regs after the 32 GPRs, in NT_PRSTATUS order (mpipl.md 6.5). */
static const char *const ptreg_names[] = {
	"nip",	 "msr",	   "orig_gpr3", "ctr", "link",	      "xer",  "ccr", "softe",
	"trap",	 "dar",	   "dsisr",	"result", "ppr", "exit_result", "kuap", "iamr",
};

const char *ptreg_name(unsigned slot, char *buf, size_t len)
{
	if (slot < 32)
		snprintf(buf, len, "gpr%u", slot);
	else if (slot - 32 < sizeof(ptreg_names) / sizeof(ptreg_names[0]))
		snprintf(buf, len, "%s", ptreg_names[slot - 32]);
	else
		snprintf(buf, len, "slot %u", slot);
	return buf;
}
