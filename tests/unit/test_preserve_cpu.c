// SPDX-License-Identifier: GPL-2.0-or-later
/* The CPU part of the preserve step: thread records and the processor dump area (mpipl.md 4). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "builders.h"
#include "../../src/util/bytes.h"

#define RAM (64 * MiB)
#define PB (32 * MiB)
#define AREA 0x3000000ULL /* skiboot's arch register area (48 MiB) */

static struct vcpu_state *two_cpus(void)
{
	struct vcpu_state *c = calloc(2, sizeof(*c));

	for (int k = 0; k < 2; k++) {
		c[k].pir = k ? 4 : 0;
		c[k].core_state = 0xFF;
		for (int i = 0; i < 32; i++)
			c[k].gpr[i] = 0x1000ULL * (uint64_t)(k + 1) + (uint64_t)i;
		c[k].nip = 0xC000000000000100ULL + (uint64_t)k;
		c[k].msr = 0x9000000000001033ULL;
		c[k].spr[0x151] = 0x4848 + (uint64_t)k; /* HMEER: the last QEMU entry */
		c[k].cr = 0x2200 + (uint64_t)k;
	}
	return c;
}

/* Processor dump area as skiboot leaves it, reserved bytes non-zero. */
static void proc_area(struct pv *v, uint64_t alloc_addr, uint32_t alloc_size)
{
	uint8_t p[48];

	b_proc_area(p, 0x438, 1, alloc_addr, alloc_size, 0, 0);
	memset(p + 5, 0x5A, 11);
	put_be32(p + 24, 0xA5A5A5A5);
	put_be32(p + 40, 0xC3C3C3C3);
	b_write(v->gm, v->l.proc_area.addr, p, 48);
}

static void expect_area(struct pv *v, uint64_t at, uint32_t tsize, uint64_t alloc_addr,
			uint32_t alloc_size, uint32_t act)
{
	uint8_t want[48], got[48];

	b_proc_area(want, tsize, 1, alloc_addr, alloc_size, alloc_addr, act);
	memset(want + 5, 0x5A, 11);
	put_be32(want + 24, 0xA5A5A5A5);
	put_be32(want + 40, 0xC3C3C3C3);
	b_read(v->gm, at, got, 48);
	cr_assert_arr_eq(got, want, 48, "processor dump area at 0x%llx", (unsigned long long)at);
}

/* Header and two telling entries of record k at addr (mpipl.md 4.2, 4.4). */
static void expect_record(struct pv *v, uint64_t addr, const struct vcpu_state *c, bool qemu)
{
	uint8_t hdr[24], got[24];
	unsigned n = qemu ? 66 : 67;

	b_thread_hdr(hdr, c->pir, 0xFF, qemu ? 0 : 16, n, 16, 16);
	b_read(v->gm, addr, got, 24);
	cr_assert_arr_eq(got, hdr, 24, "header at 0x%llx", (unsigned long long)addr);
	cr_assert_eq(b_read_be32(v->gm, addr + 24 + 4), 0);            /* GPR0 number */
	cr_assert_eq(b_read_be64(v->gm, addr + 24 + 8), c->gpr[0]);
	cr_assert_eq(b_read_be32(v->gm, addr + 24 + 57 * 16 + 4), 0x7D0);
	cr_assert_eq(b_read_be64(v->gm, addr + 24 + 57 * 16 + 8), c->nip);
	cr_assert_eq(b_read_be32(v->gm, addr + 24 + 65 * 16 + 4), 0x151);
	cr_assert_eq(b_read_be64(v->gm, addr + 24 + 65 * 16 + 8), c->spr[0x151]);
	if (!qemu) {
		cr_assert_eq(b_read_be32(v->gm, addr + 24 + 66 * 16 + 4), 0x7D2);
		cr_assert_eq(b_read_be64(v->gm, addr + 24 + 66 * 16 + 8), c->cr);
	}
}

Test(preserve_cpu, qemu_two_threads)
{
	struct pv v;
	struct vcpu_state *c = two_cpus();

	pv_init(&v, RAM, PB);
	proc_area(&v, HRMOR | AREA, 0x80000);
	pv_run(&v, PROFILE_QEMU, c, 2);
	cr_assert(v.r->cpus_written, "%s", v.r->cpu_note);
	/* Record i at (alloc_addr & ~HRMOR) + i * 1080. */
	expect_record(&v, AREA, &c[0], true);
	expect_record(&v, AREA + 0x438, &c[1], true);
	cr_assert(b_is_zero(v.gm, AREA + 2 * 0x438, 0x1000), "nothing past the records");
	/* version 1, thread_size, dest_addr = alloc_addr raw, act_size = 2 x 1080. */
	expect_area(&v, PB + 0x10300, 0x438, HRMOR | AREA, 0x80000, 0x870);
	/* QEMU writes the area at the absolute offset too (no base added). */
	expect_area(&v, 0x10300, 0x438, HRMOR | AREA, 0x80000, 0x870);
	cr_assert_eq(v.r->thread_addr, AREA);
	cr_assert_eq(v.r->thread_size, 1080);
	cr_assert_eq(v.r->ncpus, 2);
	pv_free(&v);
	free(c);
}

Test(preserve_cpu, hdat_two_threads)
{
	struct pv v;
	struct vcpu_state *c = two_cpus();

	pv_init(&v, RAM, PB);
	proc_area(&v, HRMOR | AREA, 0x80000);
	pv_run(&v, PROFILE_HDAT, c, 2);
	cr_assert(v.r->cpus_written, "%s", v.r->cpu_note);
	expect_record(&v, AREA, &c[0], false);
	expect_record(&v, AREA + 0x448, &c[1], false);
	expect_area(&v, PB + 0x10300, 0x448, HRMOR | AREA, 0x80000, 2 * 0x448);
	cr_assert(b_is_zero(v.gm, 0x10300, 48), "hdat writes the area only at the base");
	pv_free(&v);
	free(c);
}

Test(preserve_cpu, alloc_size_exact_and_too_small)
{
	struct pv v;
	struct vcpu_state *c = two_cpus();
	uint8_t before[48];

	pv_init(&v, RAM, PB);
	proc_area(&v, HRMOR | AREA, 0x870); /* exactly 2 x 1080 */
	pv_run(&v, PROFILE_QEMU, c, 2);
	cr_assert(v.r->cpus_written);
	pv_free(&v);

	pv_init(&v, RAM, PB);
	proc_area(&v, HRMOR | AREA, 0x86F);
	b_read(v.gm, PB + 0x10300, before, 48);
	pv_run(&v, PROFILE_QEMU, c, 2);
	cr_assert_not(v.r->cpus_written);
	cr_assert(b_is_zero(v.gm, AREA, 0x1000), "nothing written");
	{
		uint8_t after[48];

		b_read(v.gm, PB + 0x10300, after, 48);
		cr_assert_arr_eq(after, before, 48, "area not updated");
	}
	cr_assert(b_is_zero(v.gm, 0x10300, 48));
	cr_assert(pv_has_finding(&v, "alloc-size-too-small"));
	assert_msg_has(v.r->cpu_note, "alloc_size 0x86f");
	pv_free(&v);
	free(c);
}

Test(preserve_cpu, no_cpus_no_records)
{
	struct pv v;
	uint8_t before[48], after[48];

	pv_init(&v, RAM, PB);
	proc_area(&v, HRMOR | AREA, 0x80000);
	b_read(v.gm, PB + 0x10300, before, 48);
	pv_run(&v, PROFILE_QEMU, NULL, 0);
	cr_assert_not(v.r->cpus_written);
	cr_assert(b_is_zero(v.gm, AREA, 0x1000));
	b_read(v.gm, PB + 0x10300, after, 48);
	cr_assert_arr_eq(after, before, 48);
	assert_msg_has(v.r->cpu_note, "--cpu-state");
	pv_free(&v);
}

Test(preserve_cpu, records_outside_ram)
{
	struct pv v;
	struct vcpu_state *c = two_cpus();
	uint8_t before[48], after[48];

	pv_init(&v, RAM, PB);
	proc_area(&v, HRMOR | (RAM - 0x500), 0x80000); /* record 1 runs past RAM */
	b_read(v.gm, PB + 0x10300, before, 48);
	pv_run(&v, PROFILE_QEMU, c, 2);
	cr_assert_not(v.r->cpus_written);
	cr_assert(pv_has_finding(&v, "thread-write-failed"));
	b_read(v.gm, PB + 0x10300, after, 48);
	cr_assert_arr_eq(after, before, 48, "area not updated");
	pv_free(&v);
	free(c);
}

Test(preserve_cpu, alloc_addr_zero_and_no_hrmor)
{
	struct pv v;
	struct vcpu_state *c = two_cpus();

	/* alloc_addr 0: QEMU writes the records at physical 0 (mpipl.md 8). */
	pv_init(&v, RAM, PB);
	proc_area(&v, 0, 0x80000);
	pv_run(&v, PROFILE_QEMU, c, 2);
	cr_assert(v.r->cpus_written);
	expect_record(&v, 0, &c[0], true);
	cr_assert_eq(b_read_be64(v.gm, PB + 0x10300 + 32), 0, "dest_addr 0");
	pv_free(&v);

	pv_init(&v, RAM, PB);
	proc_area(&v, AREA, 0x80000);
	pv_run(&v, PROFILE_QEMU, c, 2);
	expect_record(&v, AREA + 0x438, &c[1], true);
	expect_area(&v, PB + 0x10300, 0x438, AREA, 0x80000, 0x870);
	pv_free(&v);
	free(c);
}

Test(preserve_cpu, area_read_after_the_copies)
{
	struct pv v;
	struct vcpu_state *c = two_cpus();
	uint8_t p[48];

	/* An MDST entry that copies a different area over the processor dump area. */
	pv_init(&v, RAM, PB);
	proc_area(&v, HRMOR | AREA, 0x80000);
	b_proc_area(p, 0, 0, HRMOR | (AREA + MiB), 0x80000, 0, 0);
	b_write(v.gm, 0x700000, p, 48);
	pv_entry(&v, 0, 0x700000, PB + 0x10300, 0x80, 48);
	pv_run(&v, PROFILE_HDAT, c, 2);
	cr_assert(v.r->cpus_written);
	cr_assert(b_is_zero(v.gm, AREA, 0x1000));
	expect_record(&v, AREA + MiB, &c[0], false);
	pv_free(&v);
	free(c);
}

Test(preserve_cpu, no_cpu_data_without_mdrt)
{
	struct pv v;
	struct vcpu_state *c = two_cpus();

	/* RAM ends at the MDRT: (as in QEMU) the CPU state is not written either. */
	pv_init(&v, PB + 0x1C00000, PB);
	proc_area(&v, HRMOR | AREA, 0x80000);
	pv_entry(&v, 0, 0x100000, 0x400000, 0x80, 0x1000); /* one MDRT entry to write */
	pv_run(&v, PROFILE_QEMU, c, 2);
	cr_assert_not(v.r->mdrt_written);
	cr_assert_not(v.r->cpus_written);
	cr_assert(b_is_zero(v.gm, AREA, 0x1000));
	assert_msg_has(v.r->cpu_note, "MDRT");
	pv_free(&v);
	free(c);
}
