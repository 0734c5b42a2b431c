// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --synthesize: a plain ELF core of all guest RAM when the guest holds no
 * fadump registration, one NT_PRSTATUS per vCPU of the input (like QEMU's
 * dump-guest-memory, qemu-inputs.md 7).
 */
#include <stdlib.h>
#include <string.h>

#include "notes.h"
#include "vmcore.h"
#include "../mpipl/crashinfo.h"

/* pt_regs longs of a vCPU, in NT_PRSTATUS order (mpipl.md 6.5). */
static void vcpu_pt_regs(const struct vcpu_state *c, uint64_t regs[48])
{
	memset(regs, 0, 48 * sizeof(regs[0]));
	memcpy(regs, c->gpr, sizeof(c->gpr));
	regs[PTREG_NIP] = c->nip;
	regs[PTREG_MSR] = c->msr;
	regs[PTREG_CTR] = c->ctr;
	regs[PTREG_LINK] = c->lr;
	regs[PTREG_XER] = c->xer;
	regs[PTREG_CCR] = c->cr;
	/* QEMU leaves these 0; the SPR array has them, so we fill them in. */
	regs[PTREG_DAR] = c->spr[SPRN_DAR];
	regs[PTREG_DSISR] = c->spr[SPRN_DSISR];
}

int vmcore_model_synthesize(struct guest_mem *gm, const struct vmcore_opts *o, bool big_endian,
			    struct vmcore_model *m, struct mp_err *err)
{
	memset(m, 0, sizeof(*m));
	m->big_endian = big_endian;
	m->e_flags = big_endian ? 0 : 2;
	m->note_align = 4;
	m->page_size = o->page_size ? o->page_size : 4096;
	m->notes = mp_calloc(gm->ncpus ? gm->ncpus : 1, PRSTATUS_NOTE_SIZE, err);
	m->cpus = mp_calloc(gm->ncpus ? gm->ncpus : 1, sizeof(*m->cpus), err);
	if (!m->notes || !m->cpus) {
		vmcore_model_free(m);
		return -1;
	}
	for (size_t i = 0; i < gm->ncpus; i++) {
		uint64_t regs[48];

		vcpu_pt_regs(&gm->cpus[i], regs);
		/* pr_pid = vCPU index + 1, as QEMU's dump-guest-memory: one gdb thread each. */
		prstatus_note(m->notes + i * PRSTATUS_NOTE_SIZE, regs, (uint32_t)(i + 1),
			      big_endian);
		m->cpus[i] = (struct vmcore_cpu){ gm->cpus[i].pir, false };
	}
	m->ncpu_notes = gm->ncpus;
	m->notes_len = gm->ncpus * PRSTATUS_NOTE_SIZE;
	m->vmcoreinfo_off = m->notes_len;
	m->phdrs = mp_calloc(gm->nranges, sizeof(*m->phdrs), err);
	if (!m->phdrs) {
		vmcore_model_free(m);
		return -1;
	}
	for (size_t i = 0; i < gm->nranges; i++) {
		const struct gm_range *r = &gm->ranges[i];

		if (r->flags & GM_RANGE_AUX)
			continue;
		m->phdrs[m->nphdrs++] = (struct vmcore_phdr){ PT_LOAD_VALUE, r->gpa, r->size, r->gpa };
	}
	return 0;
}
