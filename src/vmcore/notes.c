// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ELF notes of the vmcore: NT_PRSTATUS for each CPU as Linux's
 * opal_fadump_build_cpu_notes builds them (mpipl.md 6.4, 6.5), and the note
 * walk /proc/vmcore does over each PT_NOTE (mpipl.md 6.6).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notes.h"
#include "../mpipl/hdat.h"
#include "../util/bytes.h"

void prstatus_note(uint8_t out[PRSTATUS_NOTE_SIZE], const uint64_t regs[48], uint32_t pid,
		   bool big_endian)
{
	uint8_t *desc = out + 20;

	memset(out, 0, PRSTATUS_NOTE_SIZE);
	put_u32(out, 5, big_endian); /* "CORE" plus its NUL */
	put_u32(out + 4, PRSTATUS_DESC_SIZE, big_endian);
	put_u32(out + 8, NT_PRSTATUS_VALUE, big_endian);
	memcpy(out + 12, "CORE", 4);
	/* elf_prstatus is all zero (times, signals) but for pr_pid and pr_reg. */
	put_u32(desc + 32, pid, big_endian);
	for (unsigned i = 0; i < 48; i++)
		put_u64(desc + PRSTATUS_PR_REG_OFF + 8 * i, regs[i], big_endian);
}

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~3ULL;
}

size_t notes_walk(const uint8_t *buf, size_t len, bool big_endian)
{
	size_t real = 0;

	while (len - real >= 12) {
		uint64_t namesz = get_u32(buf + real, big_endian);
		uint64_t descsz = get_u32(buf + real + 4, big_endian);
		uint64_t sz = 12 + align4(namesz) + align4(descsz);

		if (namesz == 0 || sz > len - real)
			break;
		real += (size_t)sz;
	}
	return real;
}

/* Append one note; notes holds room for n_max CPU notes. */
static void add_note(struct cpu_notes *cn, const uint64_t regs[48], uint32_t pir, bool from_hdr,
		     bool big_endian)
{
	/* fadump_regs_to_elf_notes leaves pr_pid 0 */
	prstatus_note(cn->buf + cn->count * PRSTATUS_NOTE_SIZE, regs, 0, big_endian);
	cn->pir[cn->count] = pir;
	cn->from_crash_header[cn->count] = from_hdr;
	cn->count++;
}

int cpu_notes_build(const struct mpipl_analysis *a, struct cpu_notes *cn, struct findings *f,
		    struct mp_err *err)
{
	const struct crash_info *ci = &a->ci;
	size_t n = a->cpu_data_valid ? a->nthreads : 0;

	memset(cn, 0, sizeof(*cn));
	/* One note per thread at most, or the crashing CPU alone. */
	cn->buf = mp_calloc(n + 1, PRSTATUS_NOTE_SIZE, err);
	cn->pir = mp_calloc(n + 1, sizeof(*cn->pir), err);
	cn->from_crash_header = mp_calloc(n + 1, sizeof(*cn->from_crash_header), err);
	if (!cn->buf || !cn->pir || !cn->from_crash_header)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		const struct thread_regs *t = &a->threads[i];

		/* Linux compares the header's crashing_cpu with each thread's PIR. */
		if (ci->crashing_cpu == t->pir) {
			add_note(cn, ci->regs, t->pir, true, ci->big_endian);
		} else if (t->core_state == CORE_STATE_INACTIVE) {
			continue;
		} else if (!t->parsed) {
			mp_fail(err, MP_EINPUT,
				"thread record %zu (PIR 0x%x): its register entries are outside guest "
				"RAM or implausible (ecnt %u, esize %u)",
				i, t->pir, a->first_thread.ecnt, a->first_thread.esize);
			goto fail;
		} else {
			add_note(cn, t->regs, t->pir, false, ci->big_endian);
		}
	}
	if (cn->count == 0) {
		if (ci->crashing_cpu == CRASHING_CPU_UNKNOWN) {
			mp_fail(err, MP_EINPUT,
				"no CPU notes: the firmware saved no usable thread and the crashing CPU "
				"is unknown (0xffffffff): the kernel invalidates the dump, no vmcore");
			goto fail;
		}
		add_note(cn, ci->regs, ci->crashing_cpu, true, ci->big_endian);
		findings_add(f, FINDING_WARNING, "crashing-cpu-only", "mpipl.md 6.4",
			     "no firmware register data: only the crashing CPU's note (from the "
			     "crash info header)");
	}
	return 0;
fail:
	cpu_notes_free(cn);
	return -1;
}

void cpu_notes_free(struct cpu_notes *cn)
{
	free(cn->buf);
	free(cn->pir);
	free(cn->from_crash_header);
	memset(cn, 0, sizeof(*cn));
}
