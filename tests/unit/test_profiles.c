// SPDX-License-Identifier: GPL-2.0-or-later
/* The QEMU patch versions as profiles (mpipl.md 2.4, 4.4, 9): qemu-v2 and qemu-chunk-carry. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "builders.h"
#include "../../src/mpipl/regsave.h"
#include "../../src/util/bytes.h"

#define RAM (256 * MiB)
#define PB (32 * MiB)
#define CHUNK (32 * MiB)
#define BIG_SRC (64 * MiB)  /* entry 1: two chunks from here ... */
#define BIG_DST (128 * MiB) /* ... to here */

static uint8_t mark[3][4096];

static void expect_at(struct pv *v, uint64_t gpa, const uint8_t *want, const char *what)
{
	uint8_t got[4096];

	b_read(v->gm, gpa, got, sizeof(got));
	cr_assert_arr_eq(got, want, sizeof(got), "%s at 0x%llx", what, (unsigned long long)gpa);
}

static void expect_mdrt(struct pv *v, unsigned slot, uint64_t src, uint64_t dest, uint32_t size)
{
	uint8_t want[32], got[32];

	b_mdrt(want, src, dest, 0x80, size);
	b_read(v->gm, v->l.mdrt.addr + 32 * slot, got, 32);
	cr_assert_arr_eq(got, want, 32, "MDRT %u", slot);
}

/* Entry 0: one chunk; entry 1: two chunks; entry 2: one chunk. */
static void three_entries(struct pv *v, enum mpipl_profile p)
{
	pv_init(v, RAM, PB);
	for (int i = 0; i < 3; i++)
		b_pattern(mark[i], sizeof(mark[i]), 40 + (uint32_t)i);
	b_write(v->gm, BIG_SRC, mark[0], 4096);
	b_write(v->gm, BIG_SRC + CHUNK, mark[1], 4096);
	b_write(v->gm, 0x300000, mark[2], 4096);
	pv_entry(v, 0, 0x100000, 0x200000, 0x80, 0x1000);
	pv_entry(v, 1, BIG_SRC, BIG_DST, 0x80, 2 * CHUNK);
	pv_entry(v, 2, 0x300000, 0x400000, 0x80, 0x1000);
	pv_run(v, p, NULL, 0);
}

Test(profiles, qemu_resets_the_chunk_counter_per_entry)
{
	struct pv v;

	three_entries(&v, PROFILE_QEMU);
	expect_at(&v, BIG_DST, mark[0], "chunk 0");
	expect_at(&v, BIG_DST + CHUNK, mark[1], "chunk 1");
	expect_at(&v, 0x400000, mark[2], "entry 2");
	expect_mdrt(&v, 1, BIG_SRC + 2 * CHUNK, BIG_DST + 2 * CHUNK, 2 * CHUNK);
	expect_mdrt(&v, 2, 0x300000 + CHUNK, 0x400000 + CHUNK, 0x1000);
	pv_free(&v);
}

Test(profiles, chunk_carry_starts_later_entries_where_the_last_stopped)
{
	static const uint8_t zero[4096];
	struct pv v;

	three_entries(&v, PROFILE_QEMU_CHUNK_CARRY);
	/* Entry 1 starts at chunk 1: one copy, from its unadvanced source. */
	expect_at(&v, BIG_DST, mark[0], "chunk 0 (copied from the source's start)");
	expect_at(&v, BIG_DST + CHUNK, zero, "chunk 1 (never copied)");
	expect_mdrt(&v, 1, BIG_SRC + CHUNK, BIG_DST + CHUNK, 2 * CHUNK);
	/* Entry 2: its one chunk is below the counter (2): nothing copied, addresses as given. */
	expect_at(&v, 0x400000, zero, "entry 2");
	expect_mdrt(&v, 2, 0x300000, 0x400000, 0x1000);
	cr_assert_eq(v.r->nmdrt, 3);
	pv_free(&v);
}

Test(profiles, v2_record_holds_gprs_nip_msr)
{
	struct vcpu_state *c = calloc(1, sizeof(*c));
	uint8_t rec[24 + 34 * 16 + 16];

	c->pir = 8;
	c->core_state = 0xFF;
	for (int i = 0; i < 32; i++)
		c->gpr[i] = 0x100 + (uint64_t)i;
	c->nip = 0xC0000000000ABCDEULL;
	c->msr = 0x9000000000001033ULL;
	c->lr = 0x1234;
	memset(rec, 0xEE, sizeof(rec));
	cr_assert_eq(regsave_count(PROFILE_QEMU_V2), 34);
	cr_assert_eq(regsave_thread_size(PROFILE_QEMU_V2), 568, "0x238 (mpipl.md 4.3)");
	regsave_build(c, PROFILE_QEMU_V2, rec);
	cr_assert_eq(get_be32(rec + 8), 0, "offset 0, as every QEMU version");
	cr_assert_eq(get_be32(rec + 12), 34);
	for (unsigned i = 0; i < 32; i++) {
		cr_assert_eq(get_be32(rec + 24 + 16 * i), 1);
		cr_assert_eq(get_be64(rec + 24 + 16 * i + 8), 0x100 + i);
	}
	cr_assert_eq(get_be32(rec + 24 + 16 * 32 + 4), 0x7D0);
	cr_assert_eq(get_be64(rec + 24 + 16 * 32 + 8), c->nip);
	cr_assert_eq(get_be32(rec + 24 + 16 * 33 + 4), 0x7D1);
	cr_assert_eq(get_be64(rec + 24 + 16 * 33 + 8), c->msr);
	cr_assert_eq(rec[568], 0xEE, "nothing past the record");
	free(c);
}

Test(profiles, names)
{
	enum mpipl_profile p;

	cr_assert_eq(profile_parse_name("qemu-v2", &p), 0);
	cr_assert_eq(p, PROFILE_QEMU_V2);
	cr_assert_eq(profile_parse_name("qemu-chunk-carry", &p), 0);
	cr_assert_eq(p, PROFILE_QEMU_CHUNK_CARRY);
	cr_assert(profile_is_qemu(PROFILE_QEMU_V2));
	cr_assert(!profile_is_qemu(PROFILE_HDAT));
	cr_assert_eq(profile_parse_name("qemu-v7", &p), -1);
}
