// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where pages of main RAM go while a stream is decoded (input_opts.placer;
 * README "Streams in one pass"). A page is placed at its first record, for
 * good: a later record of the same page (a second precopy iteration)
 * overwrites it where it is. The placer decides runs of pages, so a stream
 * sent in address order makes a handful of runs; in any order, every answer
 * is checked here: a page never takes a file page another page holds, and a
 * page that cannot go where it was told goes to the spill file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migration_priv.h"
#include "../../util/bytes.h"
#include "../../util/tempfile.h"

/*
 * Runs placed at a chosen offset: a vmcore has a few PT_LOADs; past this
 * many (a stream in a strange order) the placer is no longer asked.
 */
#define AT_RUNS_MAX 4096u

static uint64_t pages(uint64_t bytes)
{
	return (bytes + MIG_PAGE_SIZE - 1) / MIG_PAGE_SIZE;
}

/* The spill file: a sparse shadow of the block, whole pages. */
static uint64_t spill_size(const struct ram_block *b)
{
	return round_up_u64(b->length, MIG_PAGE_SIZE);
}

void place_init(struct ram_placing *p, struct mig *g, const struct input_opts *o)
{
	memset(p, 0, sizeof(*p));
	p->g = g;
	p->fn = o ? o->placer : NULL;
	p->ctx = o ? o->placer_ctx : NULL;
	p->block = -1;
	p->sfd = -1;
}

int place_start(struct ram_placing *p, long block, struct mp_err *err)
{
	const struct mig_ram *r = &p->g->ram;
	const struct ram_block *b;

	if (!p->fn || block < 0 || r->tfd < 0 || !r->blocks[block].keep)
		return 0;
	b = &r->blocks[block];
	if (bitmap_init(&p->decided, pages(b->length), err) ||
	    bitmap_init(&p->spilled, pages(b->length), err) ||
	    bitmap_init(&p->owned, r->tsize / MIG_PAGE_SIZE, err))
		return -1;
	/* Every file page but the block's own usual places belongs to someone else. */
	bitmap_set_range(&p->owned, 0, b->toff / MIG_PAGE_SIZE);
	bitmap_set_range(&p->owned, (b->toff + round_up_u64(b->length, MIG_PAGE_SIZE)) /
					    MIG_PAGE_SIZE,
			 r->tsize / MIG_PAGE_SIZE);
	p->block = block;
	return 0;
}

void place_free(struct ram_placing *p)
{
	bitmap_free(&p->decided);
	bitmap_free(&p->spilled);
	bitmap_free(&p->owned);
	bitmap_free(&p->swritten);
	free(p->at);
	p->at = NULL;
	if (p->sfd >= 0)
		close(p->sfd);
	p->sfd = -1;
}

/* ---- the runs placed at a chosen offset ---- */

/* Index of the first run ending after addr. */
static size_t at_lower_bound(const struct ram_placing *p, uint64_t addr)
{
	size_t lo = 0, hi = p->nat;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->at[mid].addr + p->at[mid].len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct ram_at_run *at_find(const struct ram_placing *p, uint64_t addr)
{
	size_t i = at_lower_bound(p, addr);

	return i < p->nat && p->at[i].addr <= addr ? &p->at[i] : NULL;
}

/* Add a run (disjoint from the others), merged with a neighbour it continues. */
static int at_add(struct ram_placing *p, struct ram_at_run run, struct mp_err *err)
{
	size_t i = at_lower_bound(p, run.addr);
	struct ram_at_run *prev = i ? &p->at[i - 1] : NULL, *next = i < p->nat ? &p->at[i] : NULL;

	if (prev && prev->addr + prev->len == run.addr && prev->target + prev->len == run.target) {
		prev->len += run.len;
		return 0;
	}
	if (next && run.addr + run.len == next->addr && run.target + run.len == next->target) {
		next->addr = run.addr;
		next->target = run.target;
		next->len += run.len;
		return 0;
	}
	if (p->nat == p->cap) {
		size_t more = p->cap ? 2 * p->cap : 16;
		struct ram_at_run *grown = mp_reallocarray(p->at, more, sizeof(*grown), err);

		if (!grown)
			return -1;
		p->at = grown;
		p->cap = more;
	}
	memmove(p->at + i + 1, p->at + i, (p->nat - i) * sizeof(*p->at));
	p->at[i] = run;
	p->nat++;
	return 0;
}

/* ---- deciding ---- */

/*
 * The first run of len bytes at file offset off that is all free or all
 * held by other pages (*is_free says which): its length. A place that is
 * no place (not page-aligned, past the file's end) is held.
 */
static uint64_t first_run(const struct ram_placing *p, uint64_t off, uint64_t len, bool *is_free)
{
	uint64_t from = off / MIG_PAGE_SIZE, to, end;

	*is_free = false;
	if (off % MIG_PAGE_SIZE || off + len < off || off + len > p->owned.nbits * MIG_PAGE_SIZE)
		return len;
	to = pages(off + len);
	end = bitmap_next_set(&p->owned, from, to);
	*is_free = end > from;
	if (!*is_free)
		end = bitmap_next_clear(&p->owned, from, to);
	return end * MIG_PAGE_SIZE - off < len ? end * MIG_PAGE_SIZE - off : len;
}

static bool file_free(const struct ram_placing *p, uint64_t off, uint64_t len)
{
	bool is_free;

	return first_run(p, off, len, &is_free) == len && is_free;
}

static int open_spill(struct ram_placing *p, const struct ram_block *b, struct mp_err *err)
{
	if (p->sfd >= 0)
		return 0;
	if (bitmap_init(&p->swritten, pages(b->length), err))
		return -1;
	p->sfd = temp_file_create(p->g->tmpdir, "spill", err);
	if (p->sfd < 0)
		return -1;
	if (ftruncate(p->sfd, (off_t)spill_size(b)) < 0)
		return mp_fail_errno(err, "%s: sizing a spill file for RAM", p->g->path);
	return 0;
}

/* Undecided pages of [from, to) (page indexes) become decided, and spilled with spill. */
static void decide_undecided(struct ram_placing *p, uint64_t from, uint64_t to, bool spill)
{
	while (from < to) {
		uint64_t s = bitmap_next_clear(&p->decided, from, to);
		uint64_t e = bitmap_next_set(&p->decided, s, to);

		bitmap_set_range(&p->decided, s, e);
		p->hint_valid = false;
		if (spill)
			bitmap_set_range(&p->spilled, s, e);
		from = e;
	}
}

/*
 * A run at a chosen offset takes file pages that are the usual places of
 * other pages of the block: those still undecided can no longer go there.
 */
static int shadow_spill(struct ram_placing *p, const struct ram_block *b, uint64_t target,
			uint64_t len, struct mp_err *err)
{
	uint64_t lo, hi;

	if (target + len <= b->toff || target >= b->toff + b->length)
		return 0;
	lo = target > b->toff ? target - b->toff : 0;
	hi = target + len - b->toff < b->length ? target + len - b->toff : b->length;
	if (open_spill(p, b, err))
		return -1;
	decide_undecided(p, lo / MIG_PAGE_SIZE, pages(hi), true);
	return 0;
}

static int place_at(struct ram_placing *p, const struct ram_block *b, uint64_t addr,
		    uint64_t len, uint64_t target, struct mp_err *err)
{
	uint64_t from = target / MIG_PAGE_SIZE;

	bitmap_set_range(&p->owned, from, pages(target + len));
	bitmap_set_range(&p->decided, addr / MIG_PAGE_SIZE, pages(addr + len));
	if (at_add(p, (struct ram_at_run){ addr, len, target }, err))
		return -1;
	return shadow_spill(p, b, target, len, err);
}

/* Ask the placer about [addr, end) of the block, addr undecided. */
static int ask(struct ram_placing *p, const struct ram_block *b, uint64_t addr, uint64_t end,
	       struct ram_place *pl, struct mp_err *err)
{
	*pl = (struct ram_place){ .kind = RAM_PLACE_USUAL, .len = end - addr };
	if (p->nat >= AT_RUNS_MAX)
		return 0;
	if (p->fn(p->ctx, p, b->gpa + addr, b->gpa + end, pl, err))
		return -1;
	/* Whole pages, at least one, within the undecided run. */
	pl->len = round_up_u64(pl->len ? pl->len : 1, MIG_PAGE_SIZE);
	if (pl->len > end - addr)
		pl->len = end - addr;
	return 0;
}

/*
 * The first decided page at or after page (undecided). Kept between calls: a
 * stream in address order asks page after page, and each decision ends before
 * it, so one search serves all of an undecided stretch.
 */
static uint64_t next_decided(struct ram_placing *p, uint64_t page, uint64_t npages)
{
	if (!p->hint_valid || page < p->hint_from || page >= p->hint_next)
		p->hint_next = bitmap_next_set(&p->decided, page, npages);
	p->hint_from = page;
	p->hint_valid = true;
	return p->hint_next;
}

static int decide(struct ram_placing *p, const struct ram_block *b, uint64_t addr,
		  struct mp_err *err)
{
	uint64_t page = addr / MIG_PAGE_SIZE, npages = pages(b->length);
	uint64_t end = next_decided(p, page, npages) * MIG_PAGE_SIZE;
	struct ram_place pl;

	if (end > b->length)
		end = b->length;
	if (ask(p, b, addr, end, &pl, err))
		return -1;
	/* [page, the decision's end) becomes decided below: the rest still has no decided page. */
	p->hint_from = pages(addr + pl.len);
	if (pl.kind == RAM_PLACE_AT) {
		bool is_free;

		/* Where the place is free up to a held page: that far, the rest is asked again. */
		pl.len = first_run(p, pl.at, pl.len, &is_free);
		if (is_free)
			return place_at(p, b, addr, pl.len, pl.at, err);
		/*
		 * The start of the place is held (the usual places of pages that
		 * arrived before the layout was known run into it): that part goes
		 * where usual if it can, to be moved once, as without a placer.
		 */
		pl.kind = RAM_PLACE_USUAL;
	}
	if (pl.kind == RAM_PLACE_USUAL && file_free(p, b->toff + addr, pl.len)) {
		bitmap_set_range(&p->owned, (b->toff + addr) / MIG_PAGE_SIZE,
				 pages(b->toff + addr + pl.len));
		bitmap_set_range(&p->decided, page, pages(addr + pl.len));
		return 0;
	}
	/* Spilled, or its place is taken. */
	if (open_spill(p, b, err))
		return -1;
	bitmap_set_range(&p->decided, page, pages(addr + pl.len));
	bitmap_set_range(&p->spilled, page, pages(addr + pl.len));
	return 0;
}

int place_target(struct mig *g, const struct ram_block *b, uint64_t addr, bool decide_now,
		 struct ram_target *t, struct mp_err *err)
{
	struct mig_ram *r = &g->ram;
	struct ram_placing *p = &r->place;
	const struct ram_at_run *run;
	uint64_t page = addr / MIG_PAGE_SIZE;

	*t = (struct ram_target){ r->tfd, b->toff + addr, &r->written, true };
	if (p->block < 0 || b != &r->blocks[p->block])
		return 0;
	if (!bitmap_test(&p->decided, page)) {
		if (!decide_now) {
			t->decided = false;
			return 0;
		}
		if (decide(p, b, addr, err))
			return -1;
	}
	if (bitmap_test(&p->spilled, page)) {
		*t = (struct ram_target){ p->sfd, addr, &p->swritten, true };
		return 0;
	}
	run = at_find(p, addr);
	if (run)
		t->off = run->target + (addr - run->addr);
	return 0;
}

/* ---- into guest memory ---- */

int place_note(const struct ram_placing *p, struct guest_mem *gm, struct mp_err *err)
{
	uint64_t at = 0, spilled = 0, n = p->spilled.nbits;

	if (p->block < 0)
		return 0;
	for (size_t i = 0; i < p->nat; i++)
		at += p->at[i].len;
	for (uint64_t i = bitmap_next_set(&p->spilled, 0, n); i < n;
	     i = bitmap_next_set(&p->spilled, i, n)) {
		uint64_t e = bitmap_next_clear(&p->spilled, i, n);

		spilled += (e - i) * MIG_PAGE_SIZE;
		i = e;
	}
	return gm_add_note(gm, err,
			   "placed while reading: %llu MiB of RAM at the output's offsets, %llu "
			   "MiB spilled beside",
			   (unsigned long long)(at >> 20), (unsigned long long)(spilled >> 20));
}

int place_map(const struct ram_placing *p, struct guest_mem *gm, struct gm_backing *main,
	      struct gm_backing *spill, struct mp_err *err)
{
	const struct ram_block *b;
	uint64_t npages, i = 0;

	if (p->block < 0)
		return 0;
	b = &p->g->ram.blocks[p->block];
	for (size_t k = 0; k < p->nat; k++)
		if (gm_map(gm, b->gpa + p->at[k].addr, p->at[k].len, main, p->at[k].target, err))
			return -1;
	npages = pages(b->length);
	while (spill && i < npages) {
		uint64_t s = bitmap_next_set(&p->spilled, i, npages);
		uint64_t e = bitmap_next_clear(&p->spilled, s, npages);
		uint64_t lo = s * MIG_PAGE_SIZE, hi = e * MIG_PAGE_SIZE;

		if (hi > b->length)
			hi = b->length;
		if (s < npages && gm_map(gm, b->gpa + lo, hi - lo, spill, lo, err))
			return -1;
		i = e;
	}
	return 0;
}

struct gm_backing *place_spill_backing(struct ram_placing *p, struct mp_err *err)
{
	const struct ram_block *b;
	struct gm_backing *bk;
	char label[600];

	if (p->block < 0 || p->sfd < 0)
		return NULL;
	b = &p->g->ram.blocks[p->block];
	snprintf(label, sizeof(label), "%s (decoded RAM, spilled)", p->g->path);
	bk = gm_backing_fd_new(p->sfd, true, 0, spill_size(b), label, err);
	if (!bk)
		return NULL;
	gm_backing_fd_set_map(bk, &p->swritten, MIG_PAGE_SIZE);
	p->sfd = -1; /* the backing owns it */
	return bk;
}

bool ram_placing_has_data(const struct ram_placing *p, uint64_t gpa)
{
	const struct ram_block *b = &p->g->ram.blocks[p->block];
	struct ram_target t;
	struct mp_err err;

	/* Not deciding, place_target cannot fail. */
	return gpa >= b->gpa && gpa - b->gpa < b->length &&
	       place_target(p->g, b, gpa - b->gpa, false, &t, &err) == 0 &&
	       ram_target_has_data(&t);
}

struct guest_mem *ram_placing_so_far(struct ram_placing *p, struct mp_err *err)
{
	struct mig *g = p->g;
	const struct ram_block *b = &g->ram.blocks[p->block];
	struct gm_backing *main = NULL, *spill = NULL;
	struct guest_mem *gm = NULL;
	int rc = -1;

	if (ram_flush(g, err))
		return NULL;
	gm = gm_new(g->path, "QEMU migration stream, decoded so far", err);
	main = gm ? gm_backing_fd_new(g->ram.tfd, false, 0, g->ram.tsize, g->path, err) : NULL;
	if (main && p->sfd >= 0)
		spill = gm_backing_fd_new(p->sfd, false, 0, spill_size(b), g->path, err);
	/* Holes from the decoder's maps: SEEK_DATA walks a file still in the page cache. */
	if (main)
		gm_backing_fd_borrow_map(main, &g->ram.written, MIG_PAGE_SIZE);
	if (spill)
		gm_backing_fd_borrow_map(spill, &p->swritten, MIG_PAGE_SIZE);
	if (main && (p->sfd < 0 || spill) && ram_add_ranges(g, gm, main, spill, err) == 0)
		rc = 0;
	/* Not sent yet: zero, whatever the file holds there. */
	for (uint64_t i = 0, n = pages(b->length); rc == 0 && i < n;) {
		uint64_t s = bitmap_next_clear(&p->decided, i, n), e = bitmap_next_set(&p->decided, s, n);
		uint64_t hi = e * MIG_PAGE_SIZE < b->length ? e * MIG_PAGE_SIZE : b->length;

		if (s < n && gm_zero(gm, b->gpa + s * MIG_PAGE_SIZE, hi - s * MIG_PAGE_SIZE, err))
			rc = -1;
		i = e;
	}
	if (main)
		gm_backing_put(main);
	if (spill)
		gm_backing_put(spill);
	if (rc) {
		gm_free(gm);
		return NULL;
	}
	return gm;
}
