// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The memory part of the preserve step (src/mpipl/preserve.c, mpipl.md 2.4),
 * both profiles, with every expected byte and MDRT entry computed by hand.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "builders.h"
#include "../../src/util/bytes.h"

#define RAM (64 * MiB)
#define PB (32 * MiB) /* skiboot base of the small guest */
#define CHUNK (32 * MiB)

static void fill(struct pv *v, uint64_t gpa, uint8_t *buf, size_t len, uint32_t seed)
{
	b_pattern(buf, len, seed);
	b_write(v->gm, gpa, buf, len);
}

static void expect_bytes(struct pv *v, uint64_t gpa, const uint8_t *want, size_t len)
{
	uint8_t *got = malloc(len);

	b_read(v->gm, gpa, got, len);
	cr_assert_arr_eq(got, want, len, "bytes at 0x%llx", (unsigned long long)gpa);
	free(got);
}

/* MDRT slot as hand-built bytes (mpipl.md 2.2): dump_type, reserved, padding 0. */
static void expect_mdrt(struct pv *v, unsigned slot, uint64_t src, uint64_t dest, uint8_t region,
			uint32_t size)
{
	uint8_t want[32];

	b_mdrt(want, src, dest, region, size);
	expect_bytes(v, v->l.mdrt.addr + 32 * slot, want, 32);
}

static void stale_mdrt(struct pv *v, unsigned from, unsigned to)
{
	uint8_t junk[32];

	memset(junk, 0xAB, sizeof(junk));
	for (unsigned s = from; s < to; s++)
		b_write(v->gm, v->l.mdrt.addr + 32 * s, junk, 32);
}

static uint8_t src0[0x3000], src1[0x1001];

/* Two good entries: OPAL-like 12 KiB and kernel 4 KiB + 1. */
static void two_entries(struct pv *v)
{
	pv_init(v, RAM, PB);
	fill(v, 0x100000, src0, sizeof(src0), 1);
	fill(v, 0x200000, src1, sizeof(src1), 2);
	pv_entry(v, 0, 0x100000, 0x400000, 0x03, sizeof(src0));
	pv_entry(v, 1, 0x200000, 0x800000, 0x80, sizeof(src1));
	stale_mdrt(v, 0, 4); /* an earlier crash's MDRT */
}

Test(preserve_qemu, two_entries)
{
	struct pv v;
	uint8_t junk[32];

	two_entries(&v);
	pv_run(&v, PROFILE_QEMU, NULL, 0);
	expect_bytes(&v, 0x400000, src0, sizeof(src0));
	expect_bytes(&v, 0x800000, src1, sizeof(src1));
	expect_bytes(&v, 0x100000, src0, sizeof(src0));
	cr_assert(b_is_zero(v.gm, 0x800000 + sizeof(src1), 0x1000), "nothing past the size");
	/* Addresses after the chunk loop: + 1 chunk of 32 MiB each (QEMU bug). */
	expect_mdrt(&v, 0, 0x100000 + CHUNK, 0x400000 + CHUNK, 0x03, 0x3000);
	expect_mdrt(&v, 1, 0x200000 + CHUNK, 0x800000 + CHUNK, 0x80, 0x1001);
	memset(junk, 0xAB, sizeof(junk));
	expect_bytes(&v, v.l.mdrt.addr + 64, junk, 32);
	expect_bytes(&v, v.l.mdrt.addr + 96, junk, 32);
	cr_assert(b_is_zero(v.gm, v.l.mdrt.addr + 128, 0x8000 - 128));
	cr_assert_eq(v.r->nentries, 2);
	cr_assert_eq(v.r->nmdrt, 2);
	cr_assert(v.r->mdrt_written);
	cr_assert_eq(v.r->entry[0].outcome, ENTRY_PRESERVED);
	cr_assert_eq(v.r->entry[1].copied, 0x1001);
	cr_assert_eq(v.r->mdrt[1].src, 0x200000 + CHUNK);
	cr_assert_eq(findings_count(&v.f, FINDING_WARNING), 0);
	pv_free(&v);
}

Test(preserve_hdat, two_entries)
{
	struct pv v;

	two_entries(&v);
	pv_run(&v, PROFILE_HDAT, NULL, 0);
	expect_bytes(&v, 0x400000, src0, sizeof(src0));
	expect_bytes(&v, 0x800000, src1, sizeof(src1));
	/* Original addresses, HRMOR cleared; the rest of the 0x8000 bytes zeroed. */
	expect_mdrt(&v, 0, 0x100000, 0x400000, 0x03, 0x3000);
	expect_mdrt(&v, 1, 0x200000, 0x800000, 0x80, 0x1001);
	cr_assert(b_is_zero(v.gm, v.l.mdrt.addr + 64, 0x8000 - 64));
	cr_assert_eq(v.r->nmdrt, 2);
	pv_free(&v);
}

/* Entries 0-2 mismatched in size, region, or MDDT empty; entry 3 good. */
static void mismatches(struct pv *v)
{
	pv_init(v, RAM, PB);
	fill(v, 0x100000, src0, sizeof(src0), 3);
	pv_raw_entry(v, 0, HRMOR | 0x100000, 0x80, 0x1000, HRMOR | 0x400000, 0x80, 0x2000);
	pv_raw_entry(v, 1, HRMOR | 0x100000, 0x80, 0x1000, HRMOR | 0x500000, 0x03, 0x1000);
	pv_raw_entry(v, 2, HRMOR | 0x100000, 0x80, 0x1000, 0, 0, 0);
	pv_entry(v, 3, 0x100000, 0x600000, 0x80, 0x3000);
}

Test(preserve_qemu, mismatches_skipped_later_entries_kept)
{
	struct pv v;

	mismatches(&v);
	pv_run(&v, PROFILE_QEMU, NULL, 0);
	cr_assert(b_is_zero(v.gm, 0x400000, 0x2000));
	cr_assert(b_is_zero(v.gm, 0x500000, 0x1000));
	cr_assert(b_is_zero(v.gm, 0, 0x1000), "an empty MDDT entry copies nothing to 0");
	expect_bytes(&v, 0x600000, src0, 0x3000);
	cr_assert_eq(v.r->nentries, 4);
	cr_assert_eq(v.r->nmdrt, 1);
	expect_mdrt(&v, 0, 0x100000 + CHUNK, 0x600000 + CHUNK, 0x80, 0x3000);
	assert_msg_has(v.r->entry[0].reason, "size mismatch");
	assert_msg_has(v.r->entry[1].reason, "region mismatch");
	assert_msg_has(v.r->entry[2].reason, "size mismatch"); /* QEMU compares sizes first */
	for (int i = 0; i < 3; i++)
		cr_assert_eq(v.r->entry[i].outcome, ENTRY_SKIPPED, "entry %d", i);
	cr_assert(pv_has_finding(&v, "entry-skipped"));
	pv_free(&v);
}

Test(preserve_hdat, mismatches_skipped_later_entries_kept)
{
	struct pv v;

	mismatches(&v);
	pv_run(&v, PROFILE_HDAT, NULL, 0);
	cr_assert(b_is_zero(v.gm, 0x400000, 0x2000));
	cr_assert(b_is_zero(v.gm, 0x500000, 0x1000));
	expect_bytes(&v, 0x600000, src0, 0x3000);
	cr_assert_eq(v.r->nmdrt, 1);
	expect_mdrt(&v, 0, 0x100000, 0x600000, 0x80, 0x3000);
	assert_msg_has(v.r->entry[2].reason, "MDDT entry is empty");
	cr_assert_eq(v.r->entry[3].outcome, ENTRY_PRESERVED);
	pv_free(&v);
}

Test(preserve_qemu, size_zero_and_address_zero)
{
	struct pv v;
	uint8_t low[0x800];

	pv_init(&v, RAM, PB);
	fill(&v, 0, low, sizeof(low), 4);
	pv_entry(&v, 0, 0x100000, 0x400000, 0x80, 0);    /* size 0: MDRT entry, no copy */
	pv_raw_entry(&v, 1, 0, 0x80, 0x800, HRMOR | 0x500000, 0x80, 0x800); /* from physical 0 */
	pv_run(&v, PROFILE_QEMU, NULL, 0);
	cr_assert_eq(v.r->nmdrt, 2);
	expect_mdrt(&v, 0, 0x100000, 0x400000, 0x80, 0); /* 0 chunks: original addresses */
	expect_mdrt(&v, 1, CHUNK, 0x500000 + CHUNK, 0x80, 0x800);
	expect_bytes(&v, 0x500000, low, sizeof(low));
	pv_free(&v);
}

Test(preserve_hdat, size_zero_and_address_zero)
{
	struct pv v;
	uint8_t low[0x800];

	pv_init(&v, RAM, PB);
	fill(&v, 0, low, sizeof(low), 4);
	pv_entry(&v, 0, 0x100000, 0x400000, 0x80, 0);
	pv_raw_entry(&v, 1, 0, 0x80, 0x800, HRMOR | 0x500000, 0x80, 0x800);
	pv_run(&v, PROFILE_HDAT, NULL, 0);
	cr_assert_eq(v.r->nmdrt, 2);
	expect_mdrt(&v, 0, 0x100000, 0x400000, 0x80, 0);
	expect_mdrt(&v, 1, 0, 0x500000, 0x80, 0x800);
	expect_bytes(&v, 0x500000, low, sizeof(low));
	pv_free(&v);
}

/* Entry 0: source past RAM; 1: source with 0xC... high bits; 2: dest crossing the end; 3: good. */
static uint8_t tail_src[0x1000];

static void out_of_ram(struct pv *v)
{
	pv_init(v, RAM, PB);
	fill(v, RAM - 0x800, tail_src, 0x800, 5);
	fill(v, 0x100000, tail_src, sizeof(tail_src), 6);
	pv_entry(v, 0, RAM - 0x800, 0x400000, 0x80, 0x1000);
	pv_raw_entry(v, 1, 0xC000000000100000ULL, 0x80, 0x1000, HRMOR | 0x500000, 0x80, 0x1000);
	pv_entry(v, 2, 0x100000, RAM - 0x800, 0x80, 0x1000);
	pv_entry(v, 3, 0x100000, 0x600000, 0x80, 0x1000);
}

Test(preserve_qemu, out_of_ram)
{
	struct pv v;

	out_of_ram(&v);
	pv_run(&v, PROFILE_QEMU, NULL, 0);
	cr_assert(b_is_zero(v.gm, 0x400000, 0x1000), "a failed read writes nothing");
	cr_assert(b_is_zero(v.gm, 0x500000, 0x1000), "0xC... is not masked: outside RAM");
	/* The write crossing the end keeps its RAM part (mpipl.md 2.4 step 8). */
	expect_bytes(&v, RAM - 0x800, tail_src, 0x800);
	expect_bytes(&v, 0x600000, tail_src, 0x1000);
	cr_assert_eq(v.r->entry[0].outcome, ENTRY_FAILED);
	cr_assert_eq(v.r->entry[1].outcome, ENTRY_FAILED);
	cr_assert_eq(v.r->entry[2].outcome, ENTRY_FAILED);
	cr_assert_eq(v.r->entry[2].copied, 0x800);
	cr_assert_eq(v.r->entry[3].outcome, ENTRY_PRESERVED);
	cr_assert_eq(v.r->nmdrt, 1);
	expect_mdrt(&v, 0, 0x100000 + CHUNK, 0x600000 + CHUNK, 0x80, 0x1000);
	cr_assert(pv_has_finding(&v, "entry-copy-failed"));
	pv_free(&v);
}

Test(preserve_hdat, out_of_ram)
{
	struct pv v;
	uint8_t before[0x800];

	out_of_ram(&v);
	b_read(v.gm, RAM - 0x800, before, sizeof(before));
	pv_run(&v, PROFILE_HDAT, NULL, 0);
	cr_assert(b_is_zero(v.gm, 0x400000, 0x1000));
	cr_assert(b_is_zero(v.gm, 0x500000, 0x1000));
	expect_bytes(&v, RAM - 0x800, before, sizeof(before)); /* skipped: nothing written */
	expect_bytes(&v, 0x600000, tail_src, 0x1000);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(v.r->entry[i].outcome, ENTRY_SKIPPED, "entry %d", i);
	assert_msg_has(v.r->entry[0].reason, "source");
	assert_msg_has(v.r->entry[2].reason, "destination");
	cr_assert_eq(v.r->nmdrt, 1);
	expect_mdrt(&v, 0, 0x100000, 0x600000, 0x80, 0x1000);
	pv_free(&v);
}

/*
 * Destinations over several RAM ranges: [0, 64M) and adjacent [64M, 65M), then
 * a 64 KiB gap and [65M + 64K, 66M). QEMU writes every RAM part of a chunk.
 */
static void more_ranges(struct pv *v)
{
	b_add_zero(v->gm, RAM, MiB);
	b_add_zero(v->gm, RAM + MiB + 64 * KiB, MiB - 64 * KiB);
}

Test(preserve_qemu, overlap_across_adjacent_ranges)
{
	struct pv v;
	static uint8_t area[0x4000], want[0x4000];

	pv_init(&v, RAM, PB);
	more_ranges(&v);
	fill(&v, RAM - 0x2000, area, sizeof(area), 12);
	memcpy(want, area, sizeof(want));
	/* src [RAM - 0x1000, +0x2000) to 0x100 higher: crosses into the second range. */
	memmove(want + 0x1100, want + 0x1000, 0x2000);
	pv_entry(&v, 0, RAM - 0x1000, RAM - 0xF00, 0x80, 0x2000);
	pv_run(&v, PROFILE_QEMU, NULL, 0);
	expect_bytes(&v, RAM - 0x2000, want, sizeof(want));
	cr_assert_eq(v.r->entry[0].outcome, ENTRY_PRESERVED);
	pv_free(&v);
}

Test(preserve_qemu, write_over_a_gap_keeps_both_ram_parts)
{
	struct pv v;
	static uint8_t src[0x20000];

	pv_init(&v, RAM, PB);
	more_ranges(&v);
	fill(&v, 0x100000, src, sizeof(src), 13);
	/* dst [65M - 32K, 65M + 96K): 32K in RAM, the 64K gap, 32K in RAM. */
	pv_entry(&v, 0, 0x100000, RAM + MiB - 0x8000, 0x80, sizeof(src));
	pv_run(&v, PROFILE_QEMU, NULL, 0);
	expect_bytes(&v, RAM + MiB - 0x8000, src, 0x8000);
	expect_bytes(&v, RAM + MiB + 0x10000, src + 0x18000, 0x8000);
	cr_assert_eq(v.r->entry[0].outcome, ENTRY_FAILED);
	cr_assert_eq(v.r->entry[0].copied, 0x10000);
	cr_assert_eq(v.r->nmdrt, 0);
	pv_free(&v);
}

Test(preserve_hdat, write_over_a_gap_skipped)
{
	struct pv v;
	static uint8_t src[0x20000];

	pv_init(&v, RAM, PB);
	more_ranges(&v);
	fill(&v, 0x100000, src, sizeof(src), 13);
	pv_entry(&v, 0, 0x100000, RAM + MiB - 0x8000, 0x80, sizeof(src));
	pv_run(&v, PROFILE_HDAT, NULL, 0);
	cr_assert(b_is_zero(v.gm, RAM + MiB - 0x8000, 0x8000));
	cr_assert_eq(v.r->entry[0].outcome, ENTRY_SKIPPED);
	pv_free(&v);
}

/* Overlap inside one chunk: memmove semantics in both profiles and both directions. */
static void overlap_in_chunk(enum mpipl_profile p, int64_t shift)
{
	struct pv v;
	static uint8_t area[0x20000], want[0x20000];

	pv_init(&v, RAM, PB);
	fill(&v, 0x100000, area, sizeof(area), 7);
	memcpy(want, area, sizeof(want));
	memmove(want + 0x4000 + shift, want + 0x4000, 0x10000);
	pv_entry(&v, 0, 0x104000, (uint64_t)(0x104000 + shift), 0x80, 0x10000);
	pv_run(&v, p, NULL, 0);
	expect_bytes(&v, 0x100000, want, sizeof(want));
	pv_free(&v);
}

Test(preserve_qemu, overlap_within_a_chunk)
{
	overlap_in_chunk(PROFILE_QEMU, 0x3000);
	overlap_in_chunk(PROFILE_QEMU, -0x3000);
}

Test(preserve_hdat, overlap_within_a_chunk)
{
	overlap_in_chunk(PROFILE_HDAT, 0x3000);
	overlap_in_chunk(PROFILE_HDAT, -0x3000);
}

static void chained(enum mpipl_profile p)
{
	struct pv v;

	pv_init(&v, RAM, PB);
	fill(&v, 0x100000, src0, sizeof(src0), 8);
	pv_entry(&v, 0, 0x100000, 0x300000, 0x03, 0x3000);
	pv_entry(&v, 1, 0x300000, 0x500000, 0x80, 0x3000); /* sees entry 0's copy */
	pv_run(&v, p, NULL, 0);
	expect_bytes(&v, 0x500000, src0, sizeof(src0));
	pv_free(&v);
}

Test(preserve_qemu, later_entries_see_earlier_copies)
{
	chained(PROFILE_QEMU);
}

Test(preserve_hdat, later_entries_see_earlier_copies)
{
	chained(PROFILE_HDAT);
}

/*
 * A 128 MiB guest (zero ranges: no memory cost), base 96 MiB. Markers of
 * 4 KiB at 0 (A), 16 MiB (B), 31 MiB (E), 32 MiB (C) and 47 MiB (D); one
 * entry moves [0, 48 MiB) to 16 MiB.
 */
#define BIG (128 * MiB)
#define BIG_BASE (96 * MiB)
static uint8_t mk[5][4096];
static const uint64_t mk_at[5] = { 0, 16 * MiB, 31 * MiB, 32 * MiB, 47 * MiB };
enum { A, B, E, C, D };

static void big_move(struct pv *v, enum mpipl_profile p)
{
	pv_init(v, BIG, BIG_BASE);
	for (int i = 0; i < 5; i++)
		fill(v, mk_at[i], mk[i], 4096, 20 + (uint32_t)i);
	pv_entry(v, 0, 0, 16 * MiB, 0x80, 48 * MiB);
	pv_run(v, p, NULL, 0);
}

Test(preserve_qemu, forward_chunks_overwrite_later_source)
{
	struct pv v;

	big_move(&v, PROFILE_QEMU);
	/*
	 * Chunk 0 copies [0, 32M) to [16M, 48M); chunk 1 then reads [32M, 48M),
	 * which already holds the old [16M, 32M), and writes it to [48M, 64M).
	 */
	expect_bytes(&v, 0, mk[A], 4096);
	expect_bytes(&v, 16 * MiB, mk[A], 4096);
	expect_bytes(&v, 32 * MiB, mk[B], 4096);
	expect_bytes(&v, 47 * MiB, mk[E], 4096);
	expect_bytes(&v, 48 * MiB, mk[B], 4096); /* memmove would give C */
	expect_bytes(&v, 63 * MiB, mk[E], 4096); /* memmove would give D */
	expect_mdrt(&v, 0, 2 * CHUNK, 16 * MiB + 2 * CHUNK, 0x80, 48 * MiB);
	pv_free(&v);
}

Test(preserve_hdat, whole_memmove_across_chunks)
{
	struct pv v;

	big_move(&v, PROFILE_HDAT);
	expect_bytes(&v, 16 * MiB, mk[A], 4096);
	expect_bytes(&v, 32 * MiB, mk[B], 4096);
	expect_bytes(&v, 47 * MiB, mk[E], 4096);
	expect_bytes(&v, 48 * MiB, mk[C], 4096);
	expect_bytes(&v, 63 * MiB, mk[D], 4096);
	expect_mdrt(&v, 0, 0, 16 * MiB, 0x80, 48 * MiB);
	pv_free(&v);
}

/* 32 MiB + 1 rounds to one chunk in single precision: the last byte is lost. */
static void float_tail(struct pv *v, enum mpipl_profile p)
{
	pv_init(v, BIG, BIG_BASE);
	b_write(v->gm, 0, "first", 5);
	b_write(v->gm, 32 * MiB, "Z", 1);
	pv_entry(v, 0, 0, 40 * MiB, 0x80, 0x2000001);
	pv_run(v, p, NULL, 0);
}

Test(preserve_qemu, float_chunk_count_loses_tail)
{
	struct pv v;

	float_tail(&v, PROFILE_QEMU);
	expect_bytes(&v, 40 * MiB, (const uint8_t *)"first", 5);
	cr_assert_eq(b_read8(v.gm, 72 * MiB), 0, "QEMU never copies the last byte");
	expect_mdrt(&v, 0, CHUNK, 40 * MiB + CHUNK, 0x80, 0x2000001);
	cr_assert(pv_has_finding(&v, "qemu-float-chunks"));
	pv_free(&v);
}

Test(preserve_hdat, float_chunk_count_irrelevant)
{
	struct pv v;

	float_tail(&v, PROFILE_HDAT);
	cr_assert_eq(b_read8(v.gm, 72 * MiB), 'Z');
	pv_free(&v);
}

Test(preserve_qemu, second_chunk_source_outside_ram)
{
	struct pv v;

	/* 40 MiB from 90 MiB: chunk 0 is RAM, chunk 1 reads past 128 MiB. */
	pv_init(&v, BIG, BIG_BASE / 2);
	b_write(v.gm, 90 * MiB, "chunk0", 6);
	pv_entry(&v, 0, 90 * MiB, 0, 0x80, 40 * MiB);
	pv_run(&v, PROFILE_QEMU, NULL, 0);
	expect_bytes(&v, 0, (const uint8_t *)"chunk0", 6); /* chunk 0 stays written */
	cr_assert_eq(v.r->entry[0].outcome, ENTRY_FAILED);
	cr_assert_eq(v.r->entry[0].copied, CHUNK);
	cr_assert_eq(v.r->nmdrt, 0);
	pv_free(&v);
}

Test(preserve, chunk_count_float_rounding)
{
	/* ceil(float(len) / 32 MiB): float has a 24-bit significand (mpipl.md 2.4). */
	cr_assert_eq(qemu_chunk_count(0), 0);
	cr_assert_eq(qemu_chunk_count(1), 1);
	cr_assert_eq(qemu_chunk_count(0x2000000), 1);
	cr_assert_eq(qemu_chunk_count(0x2000001), 1, "2^25 + 1 rounds to 2^25");
	cr_assert_eq(qemu_chunk_count(0x2000002), 1, "tie to even: 2^25");
	cr_assert_eq(qemu_chunk_count(0x2000003), 2, "rounds to 2^25 + 4");
	cr_assert_eq(qemu_chunk_count(0x3FFFFFF), 2, "rounds up to 2^26");
	cr_assert_eq(qemu_chunk_count(0x4000000), 2);
	cr_assert_eq(qemu_chunk_count(0x6000001), 3, "ulp 8 above 2^26");
	cr_assert_eq(qemu_chunk_count(0x1C38000), 1);
	cr_assert_eq(qemu_chunk_count(0x30000000), 24);
	cr_assert_eq(qemu_chunk_count(0xFFFFFFFF), 128);
	/* Page multiples below 4 GiB are exact in float: the true ceiling. */
	for (uint64_t len = 0; len < (1ULL << 32); len += 4096)
		cr_assert_eq(qemu_chunk_count((uint32_t)len), (len + CHUNK - 1) / CHUNK,
			     "len 0x%llx", (unsigned long long)len);
}

Test(preserve, mdrt_outside_ram)
{
	struct pv v;

	/* RAM ends at the MDRT: nothing to write it to, and (as in QEMU) no CPU data. */
	pv_init(&v, PB + 0x1C00000, PB);
	fill(&v, 0x100000, src0, sizeof(src0), 9);
	pv_entry(&v, 0, 0x100000, 0x400000, 0x80, 0x3000);
	pv_run(&v, PROFILE_QEMU, NULL, 0);
	cr_assert_not(v.r->mdrt_written);
	cr_assert(pv_has_finding(&v, "mdrt-write-failed"));
	expect_bytes(&v, 0x400000, src0, sizeof(src0)); /* the copies happened */
	pv_free(&v);
}

Test(preserve, outcome_names)
{
	cr_assert_str_eq(entry_outcome_name(ENTRY_PRESERVED), "preserved");
	cr_assert_str_eq(entry_outcome_name(ENTRY_SKIPPED), "skipped");
	cr_assert_str_eq(entry_outcome_name(ENTRY_FAILED), "failed");
}

/*
 * BUG (minor, for the lead to judge): with a SPIRA-H whose MDST alloc_cnt is
 * below 64, tables_read reads only alloc_cnt slots and the qemu profile stops
 * there, while QEMU always reads the 0x400 bytes (64 slots) and stops only at
 * its terminator (mpipl.md 2.3; QM-L pnv_mpipl_preserve_mem). Expected for
 * --profile=qemu: entries 2 and 3 below are copied too (4 MDRT entries).
 * Fix: in tables_read, read 64 slots whenever they are in RAM and compute
 * qemu_count over all 64; keep alloc_cnt/act_cnt for the hdat count only.
 */
Test(preserve_qemu, reads_64_slots_whatever_spirah_says)
{
	struct pv v;

	pv_init(&v, RAM, PB);
	v.l.from_spirah = true;
	v.l.mdst.alloc_cnt = v.l.mddt.alloc_cnt = 2;
	v.l.mdst.act_cnt = v.l.mddt.act_cnt = 2;
	for (unsigned i = 0; i < 4; i++)
		pv_entry(&v, i, 0x100000 + i * 0x1000, 0x400000 + i * 0x1000, 0x80, 0x1000);
	pv_run(&v, PROFILE_QEMU, NULL, 0);
	cr_assert_eq(v.r->nmdrt, 4);
	expect_mdrt(&v, 3, 0x103000 + CHUNK, 0x403000 + CHUNK, 0x80, 0x1000);
	pv_free(&v);
}
