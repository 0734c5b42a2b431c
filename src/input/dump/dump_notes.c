// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vCPU registers from the CORE notes of a dump-guest-memory file (ELF
 * PT_NOTE or kdump offset_note): one NT_PRSTATUS per vCPU, in cpu_index
 * order ([target/ppc/arch_dump.c], qemu-inputs.md 7).
 */
#include <stdlib.h>
#include <string.h>

#include "dump_common.h"
#include "../../format/elf64.h"
#include "../../util/bytes.h"

/* A prstatus must reach past the pr_reg slots QEMU fills. */
#define PRSTATUS_MIN (PRSTATUS_PR_REG_OFF + PRSTATUS_NREG_QEMU * 8)

/* pr_reg slots ([target/ppc/arch_dump.c] struct PPCUserRegStruct). */
enum { REG_NIP = 32, REG_MSR = 33, REG_CTR = 35, REG_LR = 36, REG_XER = 37, REG_CCR = 38 };

struct note_cursor {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	bool be;
	uint64_t file_off;
	const char *label;
};

struct note {
	uint32_t type;
	const uint8_t *name; /* namesz bytes */
	uint32_t namesz;
	const uint8_t *desc;
	uint32_t descsz;
	size_t at; /* offset of the note header in the area */
};

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Next note; 1 when one was read, 0 at the end, -1 on a bad header. */
static int next_note(struct note_cursor *c, struct note *n, struct mp_err *err)
{
	size_t left = c->len - c->pos, name_room, desc_room;
	const uint8_t *h = c->buf + c->pos;

	if (left == 0)
		return 0;
	if (left < ELF_NHDR_SIZE)
		return mp_fail_at(err, MP_EINPUT, c->label, c->file_off + c->pos, "note header "
				  "truncated (%zu bytes left in the note area)", left);
	n->namesz = get_u32(h, c->be);
	n->descsz = get_u32(h + 4, c->be);
	n->type = get_u32(h + 8, c->be);
	n->at = c->pos;
	left -= ELF_NHDR_SIZE;
	name_room = pad4(n->namesz);
	if (n->namesz > left || name_room > left || n->descsz > left - name_room)
		return mp_fail_at(err, MP_EINPUT, c->label, c->file_off + c->pos,
				  "note sizes (name %u, desc %u) run past the note area", n->namesz,
				  n->descsz);
	desc_room = pad4(n->descsz);
	n->name = h + ELF_NHDR_SIZE;
	n->desc = n->name + name_room;
	/* The last note's padding may be cut off; nothing follows it then. */
	c->pos += ELF_NHDR_SIZE + name_room + (desc_room <= left - name_room ? desc_room : n->descsz);
	return 1;
}

static bool is_core_prstatus(const struct note *n)
{
	/* "CORE" with or without its NUL (QEMU: n_namesz 5). */
	return n->type == NT_PRSTATUS_VALUE && n->namesz >= 4 && n->namesz <= 5 &&
	       memcmp(n->name, "CORE", 4) == 0 && (n->namesz == 4 || n->name[4] == 0);
}

static void fill_regs(struct vcpu_state *v, const uint8_t *desc, bool be)
{
	const uint8_t *reg = desc + PRSTATUS_PR_REG_OFF;

	memset(v, 0, sizeof(*v));
	v->core_state = CORE_STATE_ACTIVE;
	for (int i = 0; i < 32; i++)
		v->gpr[i] = get_u64(reg + 8 * i, be);
	v->nip = get_u64(reg + 8 * REG_NIP, be);
	v->msr = get_u64(reg + 8 * REG_MSR, be);
	v->ctr = get_u64(reg + 8 * REG_CTR, be);
	v->lr = get_u64(reg + 8 * REG_LR, be);
	v->xer = get_u64(reg + 8 * REG_XER, be); /* cpu_read_xer: already architected */
	v->cr = get_u64(reg + 8 * REG_CCR, be);
	/* A dump knows only the live values; they are the best guess for the slots. */
	v->spr[SPRN_LR] = v->lr;
	v->spr[SPRN_CTR] = v->ctr;
	v->spr[SPRN_XER] = v->xer;
}

/* Count NT_PRSTATUS notes and check each is long enough. */
static int count_prstatus(struct note_cursor c, size_t *count, struct mp_err *err)
{
	struct note n;
	int r;

	*count = 0;
	while ((r = next_note(&c, &n, err)) == 1) {
		if (!is_core_prstatus(&n))
			continue;
		if (n.descsz < PRSTATUS_MIN)
			return mp_fail_at(err, MP_EINPUT, c.label, c.file_off + n.at, "NT_PRSTATUS "
					  "note of %u bytes, needs at least %u", n.descsz,
					  PRSTATUS_MIN);
		(*count)++;
	}
	return r;
}

/* True when pids[] is a permutation of 1..n (QEMU >= 9.1 writes cpu_index + 1). */
static bool pids_usable(const uint32_t *pids, size_t n)
{
	bool ok = true;
	uint8_t *seen = calloc(n ? n : 1, 1);

	if (!seen)
		return false;
	for (size_t i = 0; i < n && ok; i++) {
		ok = pids[i] >= 1 && pids[i] <= n && !seen[pids[i] - 1];
		if (ok)
			seen[pids[i] - 1] = 1;
	}
	free(seen);
	return ok;
}

/* Pass 2: the pr_pid of every NT_PRSTATUS, in note order. */
static void collect_pids(struct note_cursor c, uint32_t *pids, struct mp_err *err)
{
	struct note n;
	size_t k = 0;

	while (next_note(&c, &n, err) == 1)
		if (is_core_prstatus(&n))
			pids[k++] = get_u32(n.desc + PRSTATUS_PID_OFF, c.be);
}

/* Pass 3: registers into cpus[cpu_index]. */
static void fill_cpus(struct note_cursor c, struct vcpu_state *cpus, const uint32_t *pids,
		      bool by_pid, enum pnv_family fam, struct mp_err *err)
{
	struct note n;
	size_t k = 0;

	while (next_note(&c, &n, err) == 1) {
		size_t index;

		if (!is_core_prstatus(&n))
			continue;
		index = by_pid ? pids[k] - 1 : k;
		k++;
		fill_regs(&cpus[index], n.desc, c.be);
		cpus[index].pir = pnv_default_pir(index, fam);
		cpus[index].spr[SPRN_PIR] = cpus[index].pir;
	}
}

static const char *family_name(enum pnv_family fam)
{
	switch (fam) {
	case PNV_POWER8:
		return "POWER8";
	case PNV_POWER10:
		return "POWER10";
	default:
		return "POWER9";
	}
}

int dump_parse_notes(struct guest_mem *gm, const uint8_t *buf, size_t len, bool big_endian,
		     uint64_t file_off, const char *label, struct mp_err *err)
{
	struct note_cursor c = { buf, len, 0, big_endian, file_off, label };
	enum pnv_family fam = dump_family(gm);
	struct vcpu_state *cpus = NULL;
	uint32_t *pids = NULL;
	size_t count;
	bool by_pid;
	int ret = -1;

	if (count_prstatus(c, &count, err))
		return -1;
	if (count == 0)
		return gm_add_note(gm, err, "no NT_PRSTATUS notes: the dump carries no vCPU "
					    "registers");
	if (count > DUMP_CPUS_MAX)
		return mp_fail_at(err, MP_EUNSUPPORTED, label, file_off, "%zu NT_PRSTATUS notes, "
				  "more than the %u vCPUs mpiplctl handles", count, DUMP_CPUS_MAX);
	pids = mp_calloc(count, sizeof(*pids), err);
	cpus = mp_calloc(count, sizeof(*cpus), err);
	if (!cpus || !pids)
		goto out;
	collect_pids(c, pids, err);
	by_pid = pids_usable(pids, count);
	fill_cpus(c, cpus, pids, by_pid, fam, err);
	if (gm_add_note(gm, err,
			"vCPU PIRs derived from %s assuming QEMU's default %s topology (one chip, "
			"one thread per core): %zu vCPUs, PIR 0x%x..0x%x; pass --cpu-state for "
			"another topology",
			by_pid ? "the NT_PRSTATUS pr_pid (cpu_index + 1)" : "the note order",
			family_name(fam), count, cpus[0].pir, cpus[count - 1].pir))
		goto out;
	gm_set_cpus(gm, cpus, count);
	cpus = NULL;
	ret = 0;
out:
	free(cpus);
	free(pids);
	return ret;
}
