/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the MPIPL tables are. skiboot moved them between 7.0 and 7.1
 * (mpipl.md 1.1), so the default reads their addresses from skiboot's own
 * SPIRA-H structure; the two fixed offset sets remain as options.
 */
#ifndef MPIPL_MPIPL_LAYOUT_H
#define MPIPL_MPIPL_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/findings.h"
#include "../guestmem/guest_mem.h"

enum layout_kind {
	LAYOUT_AUTO,
	LAYOUT_70, /* skiboot up to 7.0: legacy SPIRA at +0x10000, SPIRA-H at +0x10400 */
	LAYOUT_71, /* skiboot 7.1 on, and the QEMU patch: SPIRA-H at +0x10000 */
};

struct table_loc {
	uint64_t addr;      /* absolute guest address */
	uint16_t alloc_cnt; /* entries the table has room for */
	uint16_t act_cnt;   /* entries in use (SPIRA-H only) */
	uint32_t alloc_len; /* bytes per entry */
	uint32_t act_len;
};

struct mpipl_layout {
	uint64_t base;
	enum layout_kind kind;   /* the offset set in use (never AUTO once resolved) */
	bool from_spirah;        /* addresses and counts read from SPIRA-H */
	uint64_t spirah_addr;    /* 0 when none was found */
	uint16_t spirah_version;
	char why[300];           /* how the layout was chosen, for inspect */
	struct table_loc mdst, mddt, mdrt, proc_area;
	uint64_t metadata;       /* skiboot's mpipl_metadata (fixed offset) */
};

const char *layout_name(enum layout_kind kind);
int layout_parse_name(const char *s, enum layout_kind *kind);

/*
 * Resolve the table locations at base. Fails (MP_EINPUT) when AUTO finds
 * neither SPIRA-H nor plausible tables at either fixed offset set.
 */
int layout_resolve(struct guest_mem *gm, uint64_t base, enum layout_kind kind,
		   struct mpipl_layout *l, struct findings *f, struct mp_err *err);

/*
 * Address of skiboot's SPIRA-H HDIF header where skiboot 7.1 (base+0x10000)
 * or 7.0 (base+0x10400) keeps it, or 0 (mpipl.md 1.1).
 */
uint64_t spirah_at(struct guest_mem *gm, uint64_t base);

/* Decode a SPIRA-H structure read from guest address at (exposed for tests). */
int spirah_parse(const uint8_t *buf, size_t len, uint64_t at, uint64_t base,
		 struct mpipl_layout *l, struct findings *f, struct mp_err *err);

#endif
