// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The OPAL core (opalcore.h). Layout, as Linux's create_opalcore builds it:
 *   ELF header (big-endian, e_flags 0), PT_NOTE, one PT_LOAD per OPAL region;
 *   the notes right after the program headers: the crashing thread's
 *   NT_PRSTATUS first, the other active threads in record order, then NT_AUXV;
 *   all of it zero-padded to a page, then the regions back to back.
 * PT_LOAD p_paddr counts from 0 across the regions, p_vaddr is the OPAL base
 * plus that, p_offset the running file offset, p_align 0, flags RWX.
 */
#include "opalcore.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "notes.h"
#include "vmcore.h"
#include "../util/bytes.h"

/* ELF constants of the header Linux writes (elf.h values). */
#define NT_AUXV_VALUE 6
#define AT_ENTRY_VALUE 9
#define PF_RWX 7u
/* The pid field carries PIR + 100 so that PIR 0 is not taken for "no pid" (opal-core.c). */
#define OPALCORE_PID_BIAS 100u
/* elf_prstatus offsets (mpipl.md 6.5): pr_cursig, pr_ppid. */
#define PRSTATUS_CURSIG_OFF 12u
#define PRSTATUS_PPID_OFF 36u
/* Copy unit for the PT_LOAD data. */
#define OPALCORE_IO_CHUNK (1u << 20)

static int collect_loads(const struct mpipl_analysis *a, struct opalcore_model *m,
			 struct findings *f, const char *path, struct mp_err *err)
{
	const struct mpipl_tables *t = a->tables;
	size_t count = 0;

	/* skiboot walks every MDRT slot (act_cnt is 1024 under QEMU) for region 0x03. */
	for (unsigned i = 0; t->mdrt_ok && i < t->mdrt_slots; i++) {
		const struct mdrt_entry *e = &t->mdrt[i];

		if (e->region != REGION_OPAL)
			continue;
		if (count++ >= OPALCORE_MAX_LOADS)
			continue;
		m->load[m->nload++] = (struct opalcore_load){
			.data = e->dest & ~HRMOR_BIT, .size = e->size, .src = e->src & ~HRMOR_BIT
		};
	}
	if (count > OPALCORE_MAX_LOADS)
		findings_add(f, FINDING_WARNING, "opal-regions-capped", "mpipl.md 5.1",
			     "%zu OPAL regions in the MDRT: Linux exports only the first %u", count,
			     OPALCORE_MAX_LOADS);
	if (m->nload == 0)
		return mp_fail(err, MP_EINPUT,
			       "%s: the MDRT lists no OPAL region (0x03): skiboot builds no OPAL "
			       "tag and Linux exports no OPAL core",
			       path);
	return 0;
}

static int check_loads(struct guest_mem *gm, const struct opalcore_model *m,
		       struct mp_err *err)
{
	for (size_t i = 0; i < m->nload; i++)
		if (!gm_contains(gm, m->load[i].data, m->load[i].size))
			return mp_fail(err, MP_EINPUT,
				       "%s: OPAL region %zu (0x%llx bytes at 0x%llx, from the MDRT) "
				       "is outside guest RAM",
				       gm->path, i, (unsigned long long)m->load[i].size,
				       (unsigned long long)m->load[i].data);
	return 0;
}

static void put_ehdr(uint8_t *e, uint16_t phnum)
{
	memcpy(e, "\177ELF", 4);
	e[4] = 2; /* ELFCLASS64 */
	e[5] = 2; /* ELFDATA2MSB: opal-core.c writes big-endian whatever the kernel */
	e[6] = 1; /* EV_CURRENT */
	put_be16(e + 16, 4); /* ET_CORE */
	put_be16(e + 18, EM_PPC64_VALUE);
	put_be32(e + 20, 1);
	put_be64(e + 32, ELF_EHDR_SIZE);
	put_be16(e + 52, ELF_EHDR_SIZE);
	put_be16(e + 54, ELF_PHDR_SIZE);
	put_be16(e + 56, phnum);
}

static void put_phdr(uint8_t *p, uint32_t type, uint32_t flags, uint64_t offset, uint64_t vaddr,
		     uint64_t paddr, uint64_t size)
{
	put_be32(p, type);
	put_be32(p + 4, flags);
	put_be64(p + 8, offset);
	put_be64(p + 16, vaddr);
	put_be64(p + 24, paddr);
	put_be64(p + 32, size);
	put_be64(p + 40, size);
}

static void thread_note(uint8_t *at, const struct thread_regs *tr,
			const struct opalcore_model *m)
{
	uint8_t *desc = at + 20;

	prstatus_note(at, tr->regs, OPALCORE_PID_BIAS + tr->pir, true);
	put_be32(desc + PRSTATUS_PPID_OFF, 1);
	if (tr->pir == m->crashing_pir)
		put_be16(desc + PRSTATUS_CURSIG_OFF, m->kernel_initiated ? SIGUSR1 : SIGTERM);
}

/*
 * The CPU notes: slot 0 is kept for the crashing thread; the others follow
 * in record order. Threads in state 0x0F are skipped.
 */
static void cpu_notes(const struct mpipl_analysis *a, struct opalcore_model *m, uint8_t *notes,
		      struct findings *f)
{
	bool crashing_seen = false;
	size_t next = 1;

	for (size_t i = 0; i < m->ncpus; i++) {
		const struct thread_regs *tr = &a->threads[i];

		if (tr->core_state == CORE_STATE_INACTIVE)
			continue;
		if (tr->pir == m->crashing_pir) {
			thread_note(notes, tr, m);
			crashing_seen = true;
		} else {
			thread_note(notes + next++ * PRSTATUS_NOTE_SIZE, tr, m);
		}
	}
	m->nnotes = next;
	if (!crashing_seen) {
		/* Linux leaves its uninitialised prstatus there; we write the note header only. */
		prstatus_note(notes, (const uint64_t[48]){ 0 }, 0, true);
		findings_add(f, FINDING_WARNING, "opalcore-no-crashing-thread", "mpipl.md 5.1",
			     "no active thread record has the crashing PIR 0x%x: Linux's first "
			     "NT_PRSTATUS would hold uninitialised stack data (written as zeros)",
			     m->crashing_pir);
	}
}

static void auxv_note(uint8_t *at, uint64_t entry)
{
	put_be32(at, 5);
	put_be32(at + 4, OPALCORE_AUXV_DESC);
	put_be32(at + 8, NT_AUXV_VALUE);
	memcpy(at + 12, "CORE", 4);
	put_be64(at + 20, AT_ENTRY_VALUE);
	put_be64(at + 28, entry);
	/* AT_NULL: already zero. */
}

static int cpu_config(const struct mpipl_analysis *a, struct opalcore_model *m,
		      const char *path, struct mp_err *err)
{
	/* Linux's opalcore_config_init gives up without valid CPU data. */
	if (!a->cpu_tag || !a->cpu_data_valid)
		return mp_fail(err, MP_EINPUT,
			       "%s: no valid CPU data in the processor dump area (%s): Linux exports "
			       "no OPAL core",
			       path, a->cpu_data_note ? a->cpu_data_note : "no CPU tag");
	m->ncpus = a->nthreads;
	for (size_t i = 0; i < m->ncpus; i++)
		if (!a->threads[i].parsed && a->threads[i].core_state != CORE_STATE_INACTIVE)
			return mp_fail(err, MP_EINPUT,
				       "%s: thread record %zu (PIR 0x%x) runs outside guest RAM",
				       path, i, a->threads[i].pir);
	return 0;
}

static void dt_values(const struct mpipl_analysis *a, struct opalcore_model *m,
		      struct findings *f)
{
	m->opal_base = a->dt.have_opal_base ? a->dt.opal_base : 0;
	m->opal_entry = a->dt.have_opal_entry ? a->dt.opal_entry : 0;
	if (!a->dt.have_opal_base || !a->dt.have_opal_entry)
		findings_add(f, FINDING_WARNING, "opalcore-no-opal-address", "mpipl.md 7",
			     "skiboot's device tree gives no opal-base-address/opal-boot-address "
			     "(Linux warns and uses whatever its variables held): 0 written");
}

static int build_head(struct opalcore_model *m, const struct mpipl_analysis *a,
		      struct findings *f, struct mp_err *err)
{
	uint64_t hdr_size = ELF_EHDR_SIZE + (m->nload + 1) * ELF_PHDR_SIZE;
	uint64_t notes_size = m->ncpus * PRSTATUS_NOTE_SIZE + OPALCORE_AUXV_NOTE;
	uint64_t off, paddr = 0;
	uint8_t *ph;

	/* Linux sizes the note buffer for every record, active or not. */
	m->head_len = round_up_u64(hdr_size + notes_size, m->page_size);
	m->head = mp_calloc(1, m->head_len, err);
	if (!m->head)
		return -1;
	put_ehdr(m->head, (uint16_t)(m->nload + 1));
	ph = m->head + ELF_EHDR_SIZE;
	put_phdr(ph, PT_NOTE_VALUE, 0, hdr_size, 0, 0, notes_size);
	off = m->head_len;
	for (size_t i = 0; i < m->nload; i++) {
		ph += ELF_PHDR_SIZE;
		put_phdr(ph, PT_LOAD_VALUE, PF_RWX, off, m->opal_base + paddr, paddr,
			 m->load[i].size);
		off += m->load[i].size;
		paddr += m->load[i].size;
	}
	m->total = off;
	cpu_notes(a, m, m->head + hdr_size, f);
	auxv_note(m->head + hdr_size + m->nnotes * PRSTATUS_NOTE_SIZE, m->opal_entry);
	return 0;
}

int opalcore_build(struct guest_mem *gm, const struct mpipl_analysis *a, uint64_t page_size,
		   struct opalcore_model *m, struct findings *f, struct mp_err *err)
{
	memset(m, 0, sizeof(*m));
	m->page_size = page_size ? page_size : 65536;
	if (!a->post_mpipl)
		return mp_fail(err, MP_EINPUT, "%s: not a post-MPIPL state (the MDRT is empty)",
			       gm->path);
	m->crashing_pir = a->tables->meta_ok ? a->tables->meta.crashing_pir : 0;
	m->kernel_initiated = a->have_crash_info && a->ci.crashing_cpu != CRASHING_CPU_UNKNOWN;
	if (collect_loads(a, m, f, gm->path, err) || check_loads(gm, m, err) ||
	    cpu_config(a, m, gm->path, err))
		return -1;
	dt_values(a, m, f);
	/* Notes plus headers must fit the buffer size Linux computes from ncpus. */
	if (m->ncpus > ANALYZE_MAX_THREADS)
		return mp_fail(err, MP_EINPUT, "%s: too many thread records", gm->path);
	return build_head(m, a, f, err);
}

void opalcore_free(struct opalcore_model *m)
{
	free(m->head);
	memset(m, 0, sizeof(*m));
}

static int write_load(struct guest_mem *gm, const struct opalcore_load *l, uint8_t *buf,
		      struct sink *out, struct mp_err *err)
{
	for (uint64_t done = 0; done < l->size;) {
		size_t n = l->size - done < OPALCORE_IO_CHUNK ? (size_t)(l->size - done)
							       : OPALCORE_IO_CHUNK;
		int rc;

		if (gm_read(gm, l->data + done, buf, n, err))
			return -1;
		rc = mem_is_zero(buf, n) ? sink_skip(out, n, err) : sink_write(out, buf, n, err);
		if (rc)
			return -1;
		done += n;
	}
	return 0;
}

int opalcore_write(struct guest_mem *gm, const struct opalcore_model *m, struct sink *out,
		   struct mp_err *err)
{
	uint8_t *buf;
	int rc = 0;

	if (sink_write(out, m->head, m->head_len, err))
		return -1;
	buf = mp_malloc(OPALCORE_IO_CHUNK, err);
	if (!buf)
		return -1;
	for (size_t i = 0; rc == 0 && i < m->nload; i++)
		rc = write_load(gm, &m->load[i], buf, out, err);
	free(buf);
	return rc ? -1 : sink_finish(out, err);
}
