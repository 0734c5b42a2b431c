// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Placing a migration stream's pages where the ELF vmcore needs them.
 *
 * QEMU sends RAM in address order. The vmcore's layout is known once the
 * MPIPL tables (skiboot, at 0x30000000 + 0x1c08000 by default) and the
 * kernel's fadump metadata (at the end of its reserved area) have arrived:
 *   1. until skiboot's metadata page: pages go where usual (RAM at the
 *      head guess, which is where the vmcore keeps RAM below the reserved
 *      area: its first PT_LOADs, the boot memory the MDST copies);
 *   2. from there: the tables say where the kernel's reserved area starts
 *      and where its metadata is; pages below the area still go where
 *      usual, pages of the area (the copy destination, not in the vmcore)
 *      go to the spill file;
 *   3. once the metadata page is in: the preserve step runs on what has
 *      arrived, the PT_LOADs are laid out (vmcore_model_loads), and every
 *      later page goes to its vmcore offset (the RAM above the area moves
 *      down by the area's size) or, if no PT_LOAD holds it, to the spill
 *      file.
 * Every answer is advice: what the stream holds in the end decides the
 * vmcore, and elf_inplace.c moves whatever is not where it belongs.
 */
#include <stdlib.h>
#include <string.h>

#include "place.h"
#include "elf_writer.h"
#include "../mpipl/kernel_meta.h"
#include "../mpipl/layout.h"
#include "../mpipl/post.h"
#include "../mpipl/tables.h"
#include "../util/bytes.h"

enum {
	WAIT_TABLES, /* 1. */
	WAIT_KERNEL, /* 2. */
	PLACING,     /* 3. */
	DONE,        /* no registration, or given up: where usual */
};

/*
 * Looking for the tables: every SCAN_STEP of the stream, the MiB-aligned
 * bases (skiboot's base is a link-time constant; QEMU's PowerNV skiboot is
 * at 0x30000000) whose SPIRA-H page has arrived are each looked at once; at
 * a SPIRA-H, the tables are analysed once skiboot's metadata page is in.
 * Waiting for the kernel's metadata: tries every RETRY_STEP past where it
 * should be. At most TRIES_MAX analyses in all.
 */
#define SCAN_STEP (32ull << 20)
#define CANDIDATE_STEP (1ull << 20)
/*
 * SPIRA-H at base + 0x10000 (skiboot 7.1) or + 0x10400 (7.0; spirah_at,
 * mpipl.md 1.1): both in the stream page at + 0x10000, seen once the stream
 * is past it.
 */
#define SPIRAH_PAGE 0x10000u
#define SPIRAH_SEEN (SPIRAH_PAGE + 0x1000u)
#define RETRY_STEP (64ull << 20)
#define TRIES_MAX 24u
/* The largest page size of a ppc64 kernel: metadata ends are rounded to it. */
#define KERNEL_PAGE_MAX (64u << 10)

void stream_place_init(struct stream_place *ep)
{
	memset(ep, 0, sizeof(*ep));
	ep->phase = WAIT_TABLES;
}

void stream_place_free(struct stream_place *ep)
{
	free(ep->map);
	ep->map = NULL;
	ep->nmap = 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Where skiboot's metadata ends for the base found. */
static uint64_t skiboot_meta_end(const struct stream_place *ep)
{
	return round_up_u64(ep->base + METADATA_OFF + SKIBOOT_METADATA_SIZE, KERNEL_PAGE_MAX);
}

static int add_target(struct stream_place *ep, uint64_t gpa, uint64_t len, uint64_t at,
		      struct mp_err *err)
{
	struct place_target *m = mp_reallocarray(ep->map, ep->nmap + 1, sizeof(*m), err);

	if (!m)
		return -1;
	ep->map = m;
	m[ep->nmap++] = (struct place_target){ gpa, len, at };
	return 0;
}

/* The preserved region whose copy holds pos, or NULL. */
static const struct mdrt_entry *copy_at(const struct mpipl_tables *t, uint64_t pos,
					uint64_t *next_dest)
{
	*next_dest = UINT64_MAX;
	for (unsigned i = 0; i < t->mdrt_slots; i++) {
		const struct mdrt_entry *e = &t->mdrt[i];

		if (!e->size)
			continue;
		if (e->dest <= pos && pos - e->dest < e->size)
			return e;
		if (e->dest > pos && e->dest < *next_dest)
			*next_dest = e->dest;
	}
	return NULL;
}

/* A chunk's bytes by where they come from: a preserved copy reads its source. */
static int map_chunk(struct stream_place *ep, const struct mpipl_tables *t, uint64_t phys,
		     uint64_t len, uint64_t at, struct mp_err *err)
{
	for (uint64_t pos = phys, end = phys + len; pos < end;) {
		uint64_t next, run;
		const struct mdrt_entry *e = copy_at(t, pos, &next);

		run = e ? min_u64(end, e->dest + e->size) - pos : min_u64(end, next) - pos;
		if (add_target(ep, e ? e->src + (pos - e->dest) : pos, run, at + (pos - phys), err))
			return -1;
		pos += run;
	}
	return 0;
}

/* The vmcore's layout from what has arrived (after the preserve step, as the capture kernel sees it). */
static int build_map(struct stream_place *ep, struct guest_mem *gm, struct mpipl_analysis *a,
		     struct mp_err *err)
{
	struct findings f = { 0 };
	struct vmcore_model m;
	struct vmcore_layout l;
	int rc = -1;

	if (!ep->post && mpipl_to_post(gm, &ep->ao, ep->profile, a, NULL, err))
		return -1;
	if (!a->tables || vmcore_model_loads(gm, a, &ep->vo, &m, &f, err)) {
		findings_free(&f);
		return -1;
	}
	if (vmcore_layout(&m, &l, err) == 0) {
		/* Offsets as if the head took the room left for it (as the usual places assume). */
		uint64_t shift = ep->head - (l.elfsz + l.notes_sz);

		rc = 0;
		for (size_t i = 0; i < l.nchunks && rc == 0; i++)
			rc = map_chunk(ep, a->tables, l.chunks[i].phys, l.chunks[i].len,
				       l.chunks[i].at + shift, err);
		vmcore_layout_free(&l);
	}
	vmcore_model_free(&m);
	findings_free(&f);
	return rc;
}

/* Where the kernel's reserved area starts: the lowest destination of a kernel region. */
static uint64_t reserved_start(const struct mpipl_tables *t)
{
	uint64_t lo = UINT64_MAX;

	for (unsigned i = 0; i < t->mdst_slots; i++)
		if (t->mdst[i].region >= REGION_KERNEL && t->mdst[i].size && t->mddt[i].addr < lo)
			lo = t->mddt[i].addr;
	return lo;
}

/* What an analysis of the stream so far says: the next phase. */
static void judge(struct stream_place *ep, struct guest_mem *gm, uint64_t gpa)
{
	struct mpipl_analysis a = { 0 };
	struct mp_err ignored;
	struct analyze_opts ao = ep->ao;
	uint64_t meta_end;

	ao.base = ep->base;
	ao.base_given = true;
	ep->next_try = gpa + (ep->phase == WAIT_TABLES ? SCAN_STEP : RETRY_STEP);
	if (mpipl_analyze(gm, &ao, &a, &ignored)) {
		ep->have_base = ep->ao.base_given; /* not skiboot after all: scan on */
		return;
	}
	if (!a.kernel_tag) {
		ep->phase = DONE; /* no registration: nothing for a vmcore to move */
	} else if (a.have_kernel_meta && a.have_config && a.have_crash_info) {
		/* Layout errors are the final analysis's to report: just stop placing. */
		ep->phase = build_map(ep, gm, &a, &ignored) == 0 ? PLACING : DONE;
	} else {
		meta_end = round_up_u64(a.tables->meta.kernel_tag + KERNEL_META_SIZE, KERNEL_PAGE_MAX);
		if (meta_end > gpa)
			ep->next_try = meta_end;
		if (ep->phase == WAIT_TABLES)
			ep->spill_from = reserved_start(a.tables) > gpa ? reserved_start(a.tables) : gpa;
		ep->phase = WAIT_KERNEL;
	}
	mpipl_analysis_free(&a);
}

/*
 * Phase 1: each MiB-aligned base whose SPIRA-H page has arrived, once, read
 * only when that page holds data (*gm: what has arrived, made when first needed).
 */
static int scan_bases(struct stream_place *ep, struct ram_placing *p, uint64_t gpa,
		      struct guest_mem **gm, struct mp_err *err)
{
	for (uint64_t b = ep->scanned_to; b + SPIRAH_SEEN <= gpa && !ep->have_base;
	     b += CANDIDATE_STEP) {
		ep->scanned_to = b + CANDIDATE_STEP;
		if (!ram_placing_has_data(p, b + SPIRAH_PAGE))
			continue;
		if (!*gm && !(*gm = ram_placing_so_far(p, err)))
			return -1;
		if (spirah_at(*gm, b)) {
			ep->base = b;
			ep->have_base = true;
		}
	}
	return 0;
}

static int attempt(struct stream_place *ep, struct ram_placing *p, uint64_t gpa, struct mp_err *err)
{
	struct guest_mem *gm = NULL;
	int rc = 0;

	if (ep->phase == WAIT_TABLES) {
		if (scan_bases(ep, p, gpa, &gm, err))
			return -1;
		if (!ep->have_base)
			ep->next_try = gpa + SCAN_STEP;
		else if (skiboot_meta_end(ep) > gpa)
			ep->next_try = skiboot_meta_end(ep);
	}
	if (ep->next_try <= gpa) {
		if (++ep->tries > TRIES_MAX)
			ep->phase = DONE;
		else if (gm || (gm = ram_placing_so_far(p, err)))
			judge(ep, gm, gpa);
		else
			rc = -1;
	}
	gm_free(gm);
	return rc;
}

/* The first target holding gpa (vmcore order), or NULL and *next: where the next one starts. */
static const struct place_target *target_at(const struct stream_place *ep, uint64_t gpa,
					    uint64_t *next)
{
	for (size_t i = 0; i < ep->nmap; i++) {
		const struct place_target *t = &ep->map[i];

		if (t->gpa <= gpa && gpa - t->gpa < t->len)
			return t;
		if (t->gpa > gpa && t->gpa < *next)
			*next = t->gpa;
	}
	return NULL;
}

/* Phase 3, the vmcore: a target's page goes to its offset, others spill up to the next target. */
static void place_in_vmcore(const struct stream_place *ep, uint64_t gpa, uint64_t end,
			    struct ram_place *pl)
{
	uint64_t next = end;
	const struct place_target *t = target_at(ep, gpa, &next);

	if (t)
		*pl = (struct ram_place){ RAM_PLACE_AT, min_u64(end, t->gpa + t->len) - gpa,
					  t->at + (gpa - t->gpa) };
	else
		*pl = (struct ram_place){ RAM_PLACE_SPILL, next - gpa, 0 };
}

int stream_place_fn(void *ctx, struct ram_placing *p, uint64_t gpa, uint64_t end,
		 struct ram_place *pl, struct mp_err *err)
{
	struct stream_place *ep = ctx;

	if (ep->phase == WAIT_TABLES && !ep->next_try) {
		/* A base given with --base is not looked for. */
		ep->base = ep->ao.base;
		ep->have_base = ep->ao.base_given;
		ep->next_try = SCAN_STEP;
	}
	for (;;) {
		if (ep->phase == DONE) {
			*pl = (struct ram_place){ RAM_PLACE_USUAL, end - gpa, 0 };
			return 0;
		}
		if (ep->phase == PLACING) {
			place_in_vmcore(ep, gpa, end, pl);
			return 0;
		}
		if (gpa < ep->next_try)
			break;
		if (attempt(ep, p, gpa, err))
			return -1;
	}
	if (ep->phase == WAIT_KERNEL && gpa >= ep->spill_from)
		*pl = (struct ram_place){ RAM_PLACE_SPILL, min_u64(end, ep->next_try) - gpa, 0 };
	else if (ep->phase == WAIT_KERNEL)
		*pl = (struct ram_place){ RAM_PLACE_USUAL,
					  min_u64(min_u64(end, ep->next_try), ep->spill_from) - gpa, 0 };
	else
		*pl = (struct ram_place){ RAM_PLACE_USUAL, min_u64(end, ep->next_try) - gpa, 0 };
	return 0;
}
