// SPDX-License-Identifier: GPL-2.0-or-later
#include "tables.h"

#include <string.h>

#include "../util/bytes.h"

void skiboot_metadata_decode(const uint8_t raw[SKIBOOT_METADATA_SIZE],
			     struct skiboot_metadata *m)
{
	m->crashing_pir = get_be32(raw);
	m->kernel_tag = get_be64(raw + 4); /* unaligned in the packed struct */
	m->boot_mem_size = get_be64(raw + 12);
}

static int read_entries(struct guest_mem *gm, const struct table_loc *loc, const char *name,
			struct mdst_entry *out, unsigned slots, struct mp_err *err)
{
	uint8_t raw[MDST_MAX_ENTRIES * MDST_ENTRY_SIZE];
	size_t len = (size_t)slots * MDST_ENTRY_SIZE;

	if (!gm_contains(gm, loc->addr, len))
		return mp_fail(err, MP_EINPUT,
			       "%s: %s (0x%zx bytes at guest address 0x%llx) is outside guest RAM "
			       "(0x%llx-0x%llx): truncated image, or wrong --base/--layout",
			       gm->path, name, len, (unsigned long long)loc->addr,
			       (unsigned long long)gm_lowest(gm), (unsigned long long)gm_end(gm));
	if (gm_read(gm, loc->addr, raw, len, err))
		return -1;
	for (unsigned i = 0; i < slots; i++)
		mdst_entry_decode(raw + i * MDST_ENTRY_SIZE, &out[i]);
	return 0;
}

static void read_mdrt(struct guest_mem *gm, const struct mpipl_layout *l, struct mpipl_tables *t,
		      struct findings *f)
{
	uint8_t raw[MDRT_MAX_ENTRIES * MDRT_ENTRY_SIZE];
	unsigned slots = l->mdrt.alloc_cnt ? l->mdrt.alloc_cnt : MDRT_MAX_ENTRIES;
	struct mp_err err;

	if (gm_read(gm, l->mdrt.addr, raw, (size_t)slots * MDRT_ENTRY_SIZE, &err)) {
		findings_add(f, FINDING_ERROR, "mdrt-outside-ram", "mpipl.md 8",
			     "MDRT at 0x%llx (%u slots) is outside guest RAM",
			     (unsigned long long)l->mdrt.addr, slots);
		return;
	}
	t->mdrt_ok = true;
	t->mdrt_slots = slots;
	for (unsigned i = 0; i < slots; i++) {
		mdrt_entry_decode(raw + i * MDRT_ENTRY_SIZE, &t->mdrt[i]);
		t->mdrt_used += !mem_is_zero(raw + i * MDRT_ENTRY_SIZE, MDRT_ENTRY_SIZE);
	}
}

static void read_proc_area(struct guest_mem *gm, const struct mpipl_layout *l,
			   struct mpipl_tables *t, struct findings *f)
{
	uint8_t raw[PROC_AREA_SIZE];
	struct mp_err err;

	if (gm_read(gm, l->proc_area.addr, raw, sizeof(raw), &err)) {
		findings_add(f, FINDING_ERROR, "proc-area-outside-ram", "mpipl.md 8",
			     "processor dump area at 0x%llx is outside guest RAM",
			     (unsigned long long)l->proc_area.addr);
		return;
	}
	proc_area_decode(raw, &t->proc);
	t->proc_ok = true;
}

static void read_metadata(struct guest_mem *gm, const struct mpipl_layout *l,
			  struct mpipl_tables *t, struct findings *f)
{
	uint8_t raw[SKIBOOT_METADATA_SIZE];
	struct mp_err err;

	if (gm_read(gm, l->metadata, raw, sizeof(raw), &err)) {
		findings_add(f, FINDING_WARNING, "metadata-outside-ram", "mpipl.md 5.1",
			     "skiboot metadata at 0x%llx is outside guest RAM",
			     (unsigned long long)l->metadata);
		return;
	}
	skiboot_metadata_decode(raw, &t->meta);
	t->meta_ok = true;
}

static unsigned terminator_count(const struct mpipl_tables *t)
{
	unsigned i;

	for (i = 0; i < t->mdst_slots; i++)
		if (mdst_entry_is_terminator(&t->mdst[i]))
			break;
	return i;
}

int tables_read(struct guest_mem *gm, const struct mpipl_layout *l, struct mpipl_tables *t,
		struct findings *f, struct mp_err *err)
{
	memset(t, 0, sizeof(*t));
	/* QEMU always reads all 64 slots, whatever SPIRA-H announces (mpipl.md 2.3). */
	t->mdst_slots = MDST_MAX_ENTRIES;
	if (read_entries(gm, &l->mdst, "MDST", t->mdst, t->mdst_slots, err) ||
	    read_entries(gm, &l->mddt, "MDDT", t->mddt, t->mdst_slots, err))
		return -1;
	t->qemu_count = terminator_count(t);
	t->hdat_count = t->qemu_count;
	if (l->from_spirah) {
		uint16_t slots = l->mdst.alloc_cnt < MDST_MAX_ENTRIES ? l->mdst.alloc_cnt
								      : MDST_MAX_ENTRIES;

		t->hdat_count = l->mdst.act_cnt < slots ? l->mdst.act_cnt : slots;
		if (l->mddt.act_cnt != l->mdst.act_cnt)
			findings_add(f, FINDING_WARNING, "count-mismatch", "mpipl.md 2.1",
				     "SPIRA-H act_cnt differs: MDST %u, MDDT %u (skiboot keeps "
				     "them equal)",
				     l->mdst.act_cnt, l->mddt.act_cnt);
		if (t->hdat_count != t->qemu_count)
			findings_add(f, FINDING_WARNING, "count-vs-terminator", "mpipl.md 2.3",
				     "SPIRA-H says %u MDST entries, QEMU's terminator rule finds %u: "
				     "the profiles will disagree",
				     t->hdat_count, t->qemu_count);
	}
	read_mdrt(gm, l, t, f);
	read_proc_area(gm, l, t, f);
	read_metadata(gm, l, t, f);
	return 0;
}
