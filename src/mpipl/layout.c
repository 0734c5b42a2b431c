// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Locating the MPIPL tables: from skiboot's SPIRA-H HDIF structure (its
 * ntuples hold the MDST, MDDT, MDRT and processor dump area addresses), or
 * from a fixed offset set (mpipl.md 1 and 1.1).
 */
#include "layout.h"

/*
 * The constants below are skiboot's HDIF and SPIRA-H facts; they share only
 * the shape of an enum or #define list with hdat.h and vcpu.h (which declare
 * the MDST records and the SPR numbers), no value is stated in two places.
 */

#include <stdio.h>
#include <string.h>

#include "hdat.h"
#include "../util/bytes.h"

/* HDIF header (skiboot hdata/hdif.h): BE u16 magic 0xD1F0, then a 6-char id. */
#define HDIF_MAGIC 0xD1F0u
#define HDIF_HDR_SIZE 32u
/* Largest SPIRA-H we accept; the real one is 0x200 bytes. */
#define SPIRAH_MAX 0x1000u

/* ntuple indices in skiboot's struct spirah (hdata/spira.h). */
enum {
	NT_HS_DATA = 0,
	NT_PROC_INIT = 1,
	NT_CPU_CTRL = 2,
	NT_MDST = 3,
	NT_MDDT = 4,
	NT_MDRT = 5,
	NT_PROC_DUMP = 6,
	NT_NEEDED = 7,
};
#define NTUPLE_MIN_SIZE 0x14u

struct fixed_set {
	uint64_t spirah, proc_area, mdst, mddt;
};

/* Offsets from the base of the two generations (mpipl.md 1.1). */
static const struct fixed_set fixed_70 = { 0x10400, 0x10700, 0x11000, 0x11400 };
static const struct fixed_set fixed_71 = { 0x10000, 0x10300, 0x10C00, 0x11000 };

const char *layout_name(enum layout_kind kind)
{
	switch (kind) {
	case LAYOUT_70:
		return "7.0";
	case LAYOUT_71:
		return "7.1";
	default:
		return "auto";
	}
}

int layout_parse_name(const char *s, enum layout_kind *kind)
{
	if (strcmp(s, "auto") == 0)
		*kind = LAYOUT_AUTO;
	else if (strcmp(s, "7.0") == 0 || strcmp(s, "skiboot-7.0") == 0)
		*kind = LAYOUT_70;
	else if (strcmp(s, "7.1") == 0 || strcmp(s, "skiboot-7.1") == 0 || strcmp(s, "qemu") == 0)
		*kind = LAYOUT_71;
	else
		return -1;
	return 0;
}

static const struct fixed_set *fixed_for(enum layout_kind kind)
{
	return kind == LAYOUT_70 ? &fixed_70 : &fixed_71;
}

static void set_fixed(struct mpipl_layout *l, uint64_t base, enum layout_kind kind)
{
	const struct fixed_set *fs = fixed_for(kind);

	l->base = base;
	l->kind = kind;
	l->from_spirah = false;
	l->mdst = (struct table_loc){ base + fs->mdst, MDST_MAX_ENTRIES, 0, MDST_ENTRY_SIZE, 0 };
	l->mddt = (struct table_loc){ base + fs->mddt, MDST_MAX_ENTRIES, 0, MDST_ENTRY_SIZE, 0 };
	l->mdrt = (struct table_loc){ base + MDRT_OFF, MDRT_MAX_ENTRIES, 0, MDRT_ENTRY_SIZE, 0 };
	l->proc_area = (struct table_loc){ base + fs->proc_area, 1, 0, PROC_AREA_SIZE, 0 };
	l->metadata = base + METADATA_OFF;
}

/* ntuple addresses below the base are offsets from it (the image is linked at 0). */
static uint64_t ntuple_addr(uint64_t raw, uint64_t base)
{
	uint64_t a = raw & ~HRMOR_BIT;

	return a < base ? base + a : a;
}

static void read_ntuple(const uint8_t *p, uint64_t base, struct table_loc *t)
{
	t->addr = ntuple_addr(get_be64(p), base);
	t->alloc_cnt = get_be16(p + 8);
	t->act_cnt = get_be16(p + 10);
	t->alloc_len = get_be32(p + 12);
	t->act_len = get_be32(p + 16);
}

/* Check an ntuple's entry size and clamp its counts to what the format allows. */
static int check_ntuple(struct table_loc *t, const char *name, uint32_t entry_size,
			uint16_t max_cnt, uint64_t at, struct findings *f, struct mp_err *err)
{
	if (t->alloc_len != entry_size)
		return mp_fail(err, MP_EINPUT,
			       "SPIRA-H at 0x%llx: %s ntuple entry size is 0x%x, expected 0x%x",
			       (unsigned long long)at, name, t->alloc_len, entry_size);
	if (t->alloc_cnt > max_cnt) {
		findings_add(f, FINDING_WARNING, "spirah-count-clamped", "mpipl.md 1",
			     "SPIRA-H %s alloc_cnt %u exceeds the table size %u; using %u", name,
			     t->alloc_cnt, max_cnt, max_cnt);
		t->alloc_cnt = max_cnt;
	}
	if (t->act_cnt > t->alloc_cnt) {
		findings_add(f, FINDING_WARNING, "spirah-act-cnt", "mpipl.md 2.3",
			     "SPIRA-H %s act_cnt %u exceeds alloc_cnt %u; using %u", name,
			     t->act_cnt, t->alloc_cnt, t->alloc_cnt);
		t->act_cnt = t->alloc_cnt;
	}
	return 0;
}

int spirah_parse(const uint8_t *buf, size_t len, uint64_t at, uint64_t base,
		 struct mpipl_layout *l, struct findings *f, struct mp_err *err)
{
	uint32_t total, idata_off, arr_off, arr_size, first, esize;
	uint16_t idata_cnt;
	size_t avail;
	const uint8_t *arr;

	if (len < HDIF_HDR_SIZE || get_be16(buf) != HDIF_MAGIC || memcmp(buf + 2, "SPIRAH", 6))
		return mp_fail(err, MP_EINPUT, "no SPIRA-H HDIF header at 0x%llx",
			       (unsigned long long)at);
	total = get_be32(buf + 12);
	idata_off = get_be32(buf + 20);
	idata_cnt = get_be16(buf + 24);
	if (total > len || total < HDIF_HDR_SIZE)
		return mp_fail(err, MP_EINPUT, "SPIRA-H at 0x%llx: total length 0x%x is implausible",
			       (unsigned long long)at, total);
	if (idata_cnt < 1 || idata_off > total || total - idata_off < 8)
		return mp_fail(err, MP_EINPUT,
			       "SPIRA-H at 0x%llx: idata pointer at 0x%x (count %u) is outside its "
			       "0x%x bytes",
			       (unsigned long long)at, idata_off, idata_cnt, total);
	arr_off = get_be32(buf + idata_off);
	arr_size = get_be32(buf + idata_off + 4);
	if (arr_off > total || arr_size > total - arr_off || arr_size < 16)
		return mp_fail(err, MP_EINPUT,
			       "SPIRA-H at 0x%llx: ntuple array 0x%x+0x%x is outside its 0x%x bytes",
			       (unsigned long long)at, arr_off, arr_size, total);
	arr = buf + arr_off;
	first = get_be32(arr);
	esize = get_be32(arr + 8);
	if (esize < NTUPLE_MIN_SIZE || first > arr_size)
		return mp_fail(err, MP_EINPUT,
			       "SPIRA-H at 0x%llx: ntuple array header {0x%x, 0x%x} is implausible",
			       (unsigned long long)at, first, esize);
	/* The array's ecnt undercounts (6 with 7 filled): trust the size instead. */
	avail = (arr_size - first) / esize;
	if (avail < NT_MDRT + 1)
		return mp_fail(err, MP_EINPUT,
			       "SPIRA-H at 0x%llx: %zu ntuples, the MDRT needs at least %u",
			       (unsigned long long)at, avail, NT_MDRT + 1);
	read_ntuple(arr + first + NT_MDST * esize, base, &l->mdst);
	read_ntuple(arr + first + NT_MDDT * esize, base, &l->mddt);
	read_ntuple(arr + first + NT_MDRT * esize, base, &l->mdrt);
	if (check_ntuple(&l->mdst, "MDST", MDST_ENTRY_SIZE, MDST_MAX_ENTRIES, at, f, err) ||
	    check_ntuple(&l->mddt, "MDDT", MDST_ENTRY_SIZE, MDST_MAX_ENTRIES, at, f, err) ||
	    check_ntuple(&l->mdrt, "MDRT", MDRT_ENTRY_SIZE, MDRT_MAX_ENTRIES, at, f, err))
		return -1;
	if (avail >= NT_NEEDED) {
		read_ntuple(arr + first + NT_PROC_DUMP * esize, base, &l->proc_area);
		if (check_ntuple(&l->proc_area, "processor dump area", PROC_AREA_SIZE, 1, at, f,
				 err))
			return -1;
	} else {
		/* Older SPIRA-H without the ntuple: the area sits 0x300 after it. */
		l->proc_area = (struct table_loc){ at + 0x300, 1, 0, PROC_AREA_SIZE, 0 };
		findings_add(f, FINDING_INFO, "spirah-no-proc-ntuple", "mpipl.md 1.1",
			     "SPIRA-H has no processor dump area ntuple; using 0x%llx",
			     (unsigned long long)l->proc_area.addr);
	}
	l->spirah_addr = at;
	l->spirah_version = get_be16(buf + 10);
	l->from_spirah = true;
	return 0;
}

uint64_t spirah_at(struct guest_mem *gm, uint64_t base)
{
	static const uint64_t likely[] = { 0x10000, 0x10400 };
	struct mp_err err;

	for (size_t i = 0; i < sizeof(likely) / sizeof(likely[0]); i++) {
		uint8_t hdr[8];

		if (gm_contains(gm, base + likely[i], sizeof(hdr)) &&
		    gm_read(gm, base + likely[i], hdr, sizeof(hdr), &err) == 0 &&
		    get_be16(hdr) == HDIF_MAGIC && memcmp(hdr + 2, "SPIRAH", 6) == 0)
			return base + likely[i];
	}
	return 0;
}

/* Look for the "SPIRAH" HDIF header in the first 128 KiB of the image at base. */
static uint64_t find_spirah(struct guest_mem *gm, uint64_t base, uint8_t *page,
			    size_t page_len, struct mp_err *err)
{
	const uint64_t scan_end = 0x20000;
	uint64_t at = spirah_at(gm, base);

	if (at)
		return at;
	for (uint64_t off = 0; off < scan_end; off += page_len) {
		if (!gm_contains(gm, base + off, page_len) ||
		    gm_read(gm, base + off, page, page_len, err))
			break;
		for (size_t k = 0; k + 8 <= page_len; k += 16)
			if (get_be16(page + k) == HDIF_MAGIC && memcmp(page + k + 2, "SPIRAH", 6) == 0)
				return base + off + k;
	}
	return 0;
}

/* mpipl.md 1: a registered MDST starts with the OPAL region, HRMOR set, and MDDT agrees. */
static bool tables_plausible(struct guest_mem *gm, uint64_t base, enum layout_kind kind)
{
	const struct fixed_set *fs = fixed_for(kind);
	uint8_t a[MDST_ENTRY_SIZE], b[MDST_ENTRY_SIZE];
	struct mdst_entry s, d;
	struct mp_err ignored;

	if (gm_read(gm, base + fs->mdst, a, sizeof(a), &ignored) ||
	    gm_read(gm, base + fs->mddt, b, sizeof(b), &ignored))
		return false;
	mdst_entry_decode(a, &s);
	mdst_entry_decode(b, &d);
	return (s.raw_addr & HRMOR_BIT) && s.region == REGION_OPAL && d.region == s.region &&
	       d.size == s.size && s.size != 0;
}

static void generation_of(struct mpipl_layout *l)
{
	uint64_t off = l->spirah_addr - l->base;

	if (off == fixed_71.spirah)
		l->kind = LAYOUT_71;
	else
		l->kind = off == fixed_70.spirah ? LAYOUT_70 : LAYOUT_71;
}

static int resolve_auto(struct guest_mem *gm, uint64_t base, struct mpipl_layout *l,
			struct findings *f, struct mp_err *err)
{
	uint8_t buf[SPIRAH_MAX];
	uint64_t at = find_spirah(gm, base, buf, sizeof(buf), err);

	if (at) {
		size_t len = (size_t)(gm_ram_run(gm, at) < sizeof(buf) ? gm_ram_run(gm, at)
									 : sizeof(buf));
		struct mp_err perr;

		if (gm_read(gm, at, buf, len, err))
			return -1;
		set_fixed(l, base, LAYOUT_71);
		if (spirah_parse(buf, len, at, base, l, f, &perr) == 0) {
			generation_of(l);
			snprintf(l->why, sizeof(l->why),
				 "SPIRA-H found at base+0x%llx (skiboot %s generation); table "
				 "addresses and counts read from its ntuples",
				 (unsigned long long)(at - base), layout_name(l->kind));
			return 0;
		}
		findings_add(f, FINDING_WARNING, "spirah-invalid", "mpipl.md 1.1",
			     "%s; falling back to the fixed offset sets", perr.msg);
	}
	for (enum layout_kind k = LAYOUT_71; k >= LAYOUT_70; k--) {
		if (tables_plausible(gm, base, k)) {
			set_fixed(l, base, k);
			snprintf(l->why, sizeof(l->why),
				 "no usable SPIRA-H at base 0x%llx; the skiboot %s offsets hold a "
				 "plausible MDST (entry 0: OPAL region with HRMOR, MDDT agrees)",
				 (unsigned long long)base, layout_name(k));
			return 0;
		}
	}
	return mp_fail(err, MP_EINPUT,
		       "%s: no MPIPL tables at base 0x%llx: no SPIRA-H in the skiboot image there "
		       "and no plausible MDST at the 7.0 or 7.1 offsets; pass --base, or "
		       "--layout=7.0/7.1",
		       gm->path, (unsigned long long)base);
}

int layout_resolve(struct guest_mem *gm, uint64_t base, enum layout_kind kind,
		   struct mpipl_layout *l, struct findings *f, struct mp_err *err)
{
	memset(l, 0, sizeof(*l));
	if (!gm_contains(gm, base, 1))
		return mp_fail(err, MP_EINPUT,
			       "%s: base 0x%llx is not in guest RAM (RAM is 0x%llx-0x%llx): pass "
			       "--base, or --mem-base for a raw image that does not start at 0",
			       gm->path, (unsigned long long)base,
			       (unsigned long long)gm_lowest(gm), (unsigned long long)gm_end(gm));
	if (kind == LAYOUT_AUTO)
		return resolve_auto(gm, base, l, f, err);
	set_fixed(l, base, kind);
	snprintf(l->why, sizeof(l->why), "fixed skiboot %s offsets (--layout=%s)",
		 layout_name(kind), layout_name(kind));
	return 0;
}
