// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --synthesize: a plain ELF core of all guest RAM when the guest holds no
 * fadump registration, one NT_PRSTATUS per vCPU of the input (like QEMU's
 * dump-guest-memory, qemu-inputs.md 7), and the crashed kernel's VMCOREINFO
 * note when it was found, so that crash, drgn, makedumpfile and
 * vmcore-dmesg need nothing else.
 */
#include <stdlib.h>
#include <string.h>

#include "notes.h"
#include "vmcore.h"
#include "../mpipl/crashinfo.h"
#include "../util/bytes.h"

/* "VMCOREINFO" and its NUL: the note name the kernel uses (crash_core.c). */
#define VMCOREINFO_NAME "VMCOREINFO"
#define VMCOREINFO_NAMESZ 11u

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

/* The VMCOREINFO note: 12-byte header, name padded to 12, text padded to 4. */
static size_t vmcoreinfo_note_size(size_t text_len)
{
	return 12 + 12 + ((text_len + 3) & ~(size_t)3);
}

static void vmcoreinfo_note(uint8_t *out, const char *text, size_t len, bool be)
{
	memset(out, 0, vmcoreinfo_note_size(len));
	put_u32(out, VMCOREINFO_NAMESZ, be);
	put_u32(out + 4, (uint32_t)len, be);
	put_u32(out + 8, 0, be); /* the kernel gives the note type 0 */
	memcpy(out + 12, VMCOREINFO_NAME, VMCOREINFO_NAMESZ);
	memcpy(out + 24, text, len);
}

/* CPU notes in o->cpu_order (every vCPU in input order without one). */
static int add_cpu_notes(struct guest_mem *gm, const struct vmcore_opts *o, bool be,
			 struct vmcore_model *m, struct mp_err *err)
{
	size_t n = o->cpu_order ? o->ncpu_order : gm->ncpus;

	m->cpus = mp_calloc(n ? n : 1, sizeof(*m->cpus), err);
	if (!m->cpus)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t v = o->cpu_order ? o->cpu_order[i] : i;
		uint64_t regs[48];

		if (v >= gm->ncpus)
			return mp_fail(err, MP_EINPUT, "CPU note order names vCPU %zu of %zu", v,
				       gm->ncpus);
		vcpu_pt_regs(&gm->cpus[v], regs);
		/* pr_pid = vCPU index + 1, as QEMU's dump-guest-memory: one gdb thread each. */
		prstatus_note(m->notes + i * PRSTATUS_NOTE_SIZE, regs, (uint32_t)(v + 1), be);
		m->cpus[i] = (struct vmcore_cpu){ gm->cpus[v].pir, false };
	}
	m->ncpu_notes = n;
	m->notes_len = n * PRSTATUS_NOTE_SIZE;
	return 0;
}

static int add_ram(struct guest_mem *gm, struct vmcore_model *m, struct mp_err *err)
{
	m->phdrs = mp_calloc(gm->nranges ? gm->nranges : 1, sizeof(*m->phdrs), err);
	if (!m->phdrs)
		return -1;
	for (size_t i = 0; i < gm->nranges; i++) {
		const struct gm_range *r = &gm->ranges[i];

		if (r->flags & GM_RANGE_AUX)
			continue;
		m->phdrs[m->nphdrs++] = (struct vmcore_phdr){ PT_LOAD_VALUE, r->gpa, r->size, r->gpa };
	}
	return 0;
}

int vmcore_model_synthesize(struct guest_mem *gm, const struct vmcore_opts *o, bool big_endian,
			    struct vmcore_model *m, struct findings *f, struct mp_err *err)
{
	size_t ncpu = o->cpu_order ? o->ncpu_order : gm->ncpus;
	size_t vi_size = o->vmcoreinfo ? vmcoreinfo_note_size(o->vmcoreinfo_len) : 0;

	memset(m, 0, sizeof(*m));
	m->big_endian = big_endian;
	m->e_flags = big_endian ? 0 : 2;
	m->note_align = 4;
	m->notes = mp_calloc(1, ncpu * PRSTATUS_NOTE_SIZE + vi_size + 1, err);
	if (!m->notes || add_cpu_notes(gm, o, big_endian, m, err) || add_ram(gm, m, err)) {
		vmcore_model_free(m);
		return -1;
	}
	m->vmcoreinfo_off = m->notes_len;
	if (o->vmcoreinfo) {
		vmcoreinfo_note(m->notes + m->notes_len, o->vmcoreinfo, o->vmcoreinfo_len,
				big_endian);
		m->notes_len += vi_size;
	}
	m->page_size = vmcore_page_size(m, o, f);
	return 0;
}
