// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vCPU state from the `cpu` sections (spec qemu-inputs.md 5.3), and the
 * built-in size table of `cpu` and `cpu_common` subsections used to skip them
 * when the stream has no usable vmdesc.
 */
#include <stdlib.h>
#include <string.h>

#include "migration_priv.h"
#include "../../util/bytes.h"

/* `cpu` main body offsets, [target/ppc/machine.c] vmstate_ppc_cpu (spec 5.3). */
#define CPU_OFF_GPR 8
#define CPU_OFF_CRF 264
#define CPU_OFF_NIP 296
#define CPU_OFF_SPR 304
#define CPU_OFF_MSR 8512

/* The only `cpu` vmstate version QEMU 7.2-10.2 writes and accepts (minimum 5). */
#define CPU_VERSION 5

/*
 * vCPUs kept (8.6 KiB each): a POWER9 chip has at most 96 threads and a
 * powernv machine a handful of chips; bounds memory on hostile input.
 */
#define CPUS_MAX 2048u

struct sub_size {
	const char *name;
	uint32_t version;
	uint32_t size;
};

/* Spec 5.3 table; sizes verified against real 10.2.2 vmdescs (spec 13). */
static const struct sub_size cpu_subs[] = {
	{ "cpu/fpu", 1, 264 },	       /* 32 FPR + FPSCR */
	{ "cpu/altivec", 1, 516 },     /* 32 VR + VSCR */
	{ "cpu/vsx", 1, 256 },	       /* 32 VSR doubleword 1 */
	{ "cpu/sr", 1, 256 },	       /* 32 segment registers */
	{ "cpu/tm", 1, 1356 },	       /* checkpointed state */
	{ "cpu/slb", 2, 1024 },	       /* 64 (ESID, VSID) */
	{ "cpu/bhrb", 1, 264 },	       /* offset + 32 entries (POWER10/11, 9.0+) */
	{ "cpu/compat", 1, 4 },	       /* compat_pvr */
	{ "cpu/reservation", 1, 32 },  /* record/replay only */
	{ "cpu/rtas_stopped", 1, 1 },  /* bool, 10.0+ */
	{ NULL, 0, 0 },
};

/* [hw/core/cpu-system.c] vmstate_cpu_common subsections. */
static const struct sub_size cpu_common_subs[] = {
	{ "cpu_common/exception_index", 1, 4 },
	{ "cpu_common/crash_occurred", 1, 1 },
	{ NULL, 0, 0 },
};

static const struct sub_size *table_for(const char *idstr)
{
	if (strcmp(idstr, "cpu") == 0)
		return cpu_subs;
	if (strcmp(idstr, "cpu_common") == 0)
		return cpu_common_subs;
	return NULL;
}

bool cpu_table_knows(const char *idstr)
{
	return table_for(idstr) != NULL;
}

static const struct sub_size *lookup(const struct sub_size *t, const uint8_t *name, size_t len,
				     uint32_t version)
{
	for (; t->name; t++)
		if (strlen(t->name) == len && memcmp(t->name, name, len) == 0 &&
		    t->version == version)
			return t;
	return NULL;
}

int cpu_table_subsections(struct mig *g, const struct mig_section *sec, uint64_t at,
			  uint64_t *len, struct mp_err *err)
{
	const struct sub_size *t = table_for(sec->idstr);
	uint64_t pos = at;

	if (!t)
		return 1;
	for (;;) {
		/* 0x05, str8 name, be32 version (spec 3.5). */
		uint8_t h[1 + 1 + 255 + 4];
		const struct sub_size *s;
		ptrdiff_t n = ms_pread(&g->src, h, sizeof(h), pos, err);
		size_t nl;

		if (n < 0)
			return -1;
		if (n >= 1 && h[0] == MIG_FOOTER) {
			*len = pos - at;
			return 0;
		}
		if (n < 2 || h[0] != MIG_SUBSECTION)
			return 1;
		nl = h[1];
		if ((size_t)n < 2 + nl + 4)
			return 1;
		s = lookup(t, h + 2, nl, get_be32(h + 2 + nl));
		if (!s)
			return 1;
		pos += 2 + nl + 4 + s->size;
	}
}

void cpu_decode_main(const uint8_t *body, struct vcpu_state *c)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < 32; i++)
		c->gpr[i] = get_be64(body + CPU_OFF_GPR + 8 * i);
	/* CR = crf[0] in the top nibble ... crf[7] in the lowest (spec 5.3). */
	for (int i = 0; i < 8; i++)
		c->cr |= (uint64_t)(get_be32(body + CPU_OFF_CRF + 4 * i) & 0xF) << (4 * (7 - i));
	c->nip = get_be64(body + CPU_OFF_NIP);
	for (int i = 0; i < SPRN_COUNT; i++)
		c->spr[i] = get_be64(body + CPU_OFF_SPR + 8 * i);
	c->msr = get_be64(body + CPU_OFF_MSR);
	/* cpu_pre_save copied the live LR, CTR and composed XER into the array. */
	c->lr = c->spr[SPRN_LR];
	c->ctr = c->spr[SPRN_CTR];
	c->xer = c->spr[SPRN_XER];
	c->pir = (uint32_t)c->spr[SPRN_PIR];
	c->core_state = CORE_STATE_ACTIVE;
}

int cpu_section_load(struct mig *g, const struct mig_section *sec, struct mp_err *err)
{
	uint64_t start = ms_tell(&g->src);
	struct vcpu_state *cpus;
	uint32_t *ids;
	uint8_t *body;

	if (sec->version != CPU_VERSION)
		return mp_fail_at(err, MP_EUNSUPPORTED, g->path, start, "cpu section version %u is "
				  "not supported (QEMU 7.2-10.x write version %u)", sec->version,
				  CPU_VERSION);
	if (g->ncpus >= CPUS_MAX)
		return mp_fail_at(err, MP_EINPUT, g->path, start, "more than %u cpu sections",
				  CPUS_MAX);
	for (size_t i = 0; i < g->ncpus; i++)
		if (g->cpu_ids[i] == sec->instance)
			return mp_fail_at(err, MP_EINPUT, g->path, start, "second cpu section for "
					  "cpu_index %u", sec->instance);
	cpus = mp_reallocarray(g->cpus, g->ncpus + 1, sizeof(*cpus), err);
	if (!cpus)
		return -1;
	g->cpus = cpus;
	ids = mp_reallocarray(g->cpu_ids, g->ncpus + 1, sizeof(*ids), err);
	if (!ids)
		return -1;
	g->cpu_ids = ids;
	body = mp_malloc(CPU_MAIN_BODY, err);
	if (!body)
		return -1;
	if (ms_read(&g->src, body, CPU_MAIN_BODY, "cpu section body", err)) {
		free(body);
		return -1;
	}
	cpu_decode_main(body, &cpus[g->ncpus]);
	free(body);
	ids[g->ncpus++] = sec->instance;
	return 0;
}

int cpu_common_section_load(struct mig *g, struct mp_err *err)
{
	/* be32 halted, be32 interrupt_request: nothing the MPIPL replay needs. */
	return ms_skip(&g->src, 8, "cpu_common section body", err);
}

struct cpu_order {
	uint32_t id;
	size_t at;
};

static int by_index(const void *a, const void *b)
{
	const struct cpu_order *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int cpu_finish(struct mig *g, struct mp_err *err)
{
	struct vcpu_state *sorted;
	struct cpu_order *order;

	if (g->ncpus == 0)
		return 0;
	sorted = mp_malloc(g->ncpus * sizeof(*sorted), err);
	order = mp_malloc(g->ncpus * sizeof(*order), err);
	if (!sorted || !order) {
		free(sorted);
		free(order);
		return -1;
	}
	for (size_t i = 0; i < g->ncpus; i++)
		order[i] = (struct cpu_order){ g->cpu_ids[i], i };
	qsort(order, g->ncpus, sizeof(*order), by_index);
	for (size_t i = 0; i < g->ncpus; i++)
		sorted[i] = g->cpus[order[i].at];
	free(order);
	gm_set_cpus(g->gm, sorted, g->ncpus);
	return 0;
}
