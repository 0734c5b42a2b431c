// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The crashed kernel's CPUs: which vCPU is which Linux CPU number, which
 * were online, and which one panicked.
 *
 * - CPU numbers: each vCPU's paca (Book3S-64 keeps it in r13 and in
 *   SPRG1/HSPRG0) starts with paca_index then lock_token, which is always
 *   0x8000 (arch/powerpc/include/asm/paca.h); before it only lppaca_ptr
 *   (pseries kernels). Without a paca, CPU numbers follow ascending PIR, the
 *   order the device tree lists threads in.
 * - Online CPUs: __cpu_online_mask through kallsyms (data symbols need
 *   CONFIG_KALLSYMS_ALL). Else, after a panic, only the panicking CPU: ppc64's
 *   stop_this_cpu() takes every other CPU offline.
 * - The panicking CPU: the crash info header's crashing PIR (fadump), else
 *   panic_cpu through kallsyms, else the "CPU: N" line that follows the panic
 *   line in the log.
 */
#include <stdlib.h>
#include <string.h>

#include "crash.h"
#include "../util/bytes.h"

#define LOCK_TOKEN 0x8000u
/* cpumask bits we read at most (NR_CPUS tops out at 8192 on ppc64). */
#define CPUMASK_BITS_MAX 8192u
/* SPR numbers that hold the paca on Book3S-64 (asm/reg.h SPRN_SPRG_PACA, SPRN_SPRG_HPACA). */
#define SPRN_SPRG1_NUM 0x111u
#define SPRN_HSPRG0_NUM 0x130u
/* panic_cpu holds this while no CPU panics (PANIC_CPU_INVALID). */
#define PANIC_CPU_NONE (-1)

/* The paca_index of a paca at va, checked by the lock_token after it. */
static int paca_index(const struct kmem *k, uint64_t va, int *idx)
{
	static const unsigned offsets[] = { 0, 8 }; /* without and with lppaca_ptr */
	uint8_t b[12];
	struct mp_err err;

	if (!kmem_is_kernel_ptr(va) || kmem_read(k, va, b, sizeof(b), &err))
		return -1;
	for (size_t i = 0; i < 2; i++) {
		unsigned o = offsets[i];

		if (get_u16(b + o + 2, k->big_endian) == LOCK_TOKEN &&
		    get_u16(b + o, k->big_endian) < CPUMASK_BITS_MAX) {
			*idx = get_u16(b + o, k->big_endian);
			return 0;
		}
	}
	return -1;
}

static bool map_by_paca(struct linux_crash *c)
{
	const struct guest_mem *gm = c->k.gm;

	for (size_t i = 0; i < c->ncpus; i++) {
		const struct vcpu_state *v = &gm->cpus[i];
		const uint64_t where[] = { v->gpr[13], v->spr[SPRN_SPRG1_NUM], v->spr[SPRN_HSPRG0_NUM] };
		int idx = -1;

		for (size_t w = 0; w < 3 && idx < 0; w++)
			if (paca_index(&c->k, where[w], &idx))
				idx = -1;
		if (idx < 0)
			return false;
		for (size_t j = 0; j < i; j++)
			if (c->cpus[j].logical == idx)
				return false;
		c->cpus[i].logical = idx;
	}
	return true;
}

static void map_by_pir(struct linux_crash *c)
{
	for (size_t i = 0; i < c->ncpus; i++) {
		int rank = 0;

		for (size_t j = 0; j < c->ncpus; j++)
			rank += c->cpus[j].pir < c->cpus[i].pir ||
				(c->cpus[j].pir == c->cpus[i].pir && j < i);
		c->cpus[i].logical = rank;
	}
}

static bool read_online_mask(struct linux_crash *c)
{
	uint64_t va, word;
	struct mp_err err;

	if (!c->have_ks || kallsyms_lookup(&c->ks, "__cpu_online_mask", &va))
		return false;
	for (size_t i = 0; i < c->ncpus; i++) {
		int n = c->cpus[i].logical;

		if (n < 0 || (unsigned)n >= CPUMASK_BITS_MAX ||
		    kmem_u64(&c->k, va + (uint64_t)(n / 64) * 8, &word, &err))
			return false;
		c->cpus[i].online = (word >> (n % 64)) & 1;
	}
	return true;
}

static int panic_cpu_from_header(const struct linux_crash *c, const struct crash_info *ci)
{
	if (!ci || ci->crashing_cpu == CRASHING_CPU_UNKNOWN)
		return -1;
	for (size_t i = 0; i < c->ncpus; i++)
		if (c->cpus[i].pir == ci->crashing_cpu)
			return c->cpus[i].logical;
	return -1;
}

static int panic_cpu_from_symbol(const struct linux_crash *c)
{
	uint64_t va;
	uint32_t v;
	struct mp_err err;

	if (!c->have_ks || kallsyms_lookup(&c->ks, "panic_cpu", &va) ||
	    kmem_u32(&c->k, va, &v, &err) || (int32_t)v == PANIC_CPU_NONE ||
	    v >= CPUMASK_BITS_MAX)
		return -1;
	return (int)v;
}

void linux_cpus_read(struct linux_crash *c, const struct crash_info *ci)
{
	int cpu;

	c->logical_source = map_by_paca(c) ? "paca" : "pir-order";
	if (strcmp(c->logical_source, "paca"))
		map_by_pir(c);
	if ((cpu = panic_cpu_from_header(c, ci)) >= 0) {
		c->panic_cpu = cpu;
		c->panic_cpu_source = "crash-info-header";
	} else if ((cpu = panic_cpu_from_symbol(c)) >= 0) {
		c->panic_cpu = cpu;
		c->panic_cpu_source = "panic_cpu";
	} else if (c->panic_cpu >= 0) {
		c->panic_cpu_source = "log";
	}
	if (read_online_mask(c)) {
		c->online_source = "__cpu_online_mask";
		return;
	}
	c->online_source = c->panic_cpu >= 0 ? "panic" : "all";
	for (size_t i = 0; i < c->ncpus; i++)
		c->cpus[i].online = c->panic_cpu < 0 || c->cpus[i].logical == c->panic_cpu;
}

void linux_crash_note_order(const struct linux_crash *c, bool by_cpu_number, size_t *order)
{
	size_t n = 0;

	/* Online first, then offline (or all at once); each group by CPU number (unknown last). */
	for (int pass = 0; pass < 2; pass++) {
		size_t start = n;

		for (size_t i = 0; i < c->ncpus; i++)
			if (by_cpu_number ? pass == 0 : c->cpus[i].online == (pass == 0))
				order[n++] = i;
		for (size_t a = start + 1; a < n; a++) { /* insertion sort: a handful of CPUs */
			size_t v = order[a], b = a;
			unsigned key = (unsigned)c->cpus[v].logical; /* -1 sorts last */

			while (b > start && (unsigned)c->cpus[order[b - 1]].logical > key) {
				order[b] = order[b - 1];
				b--;
			}
			order[b] = v;
		}
	}
}
