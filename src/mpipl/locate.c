// SPDX-License-Identifier: GPL-2.0-or-later
#include "locate.h"

#include <stdio.h>
#include <string.h>

#include "hdat.h"
#include "layout.h"
#include "../util/bytes.h"

/*
 * skiboot's image area, up to its fixed MDRT (include/mem-map.h): its heap,
 * with the device tree for Linux, is inside.
 */
#define SKIBOOT_AREA MDRT_OFF
/* Candidate bases are MiB-aligned: skiboot's base is a link-time constant. */
#define CANDIDATE_STEP (1ULL << 20)

int locate_devtree(struct guest_mem *gm, uint64_t base, struct guest_devtree *dt,
		   struct mp_err *err)
{
	uint64_t run = gm_ram_run(gm, base);

	memset(dt, 0, sizeof(*dt));
	if (run == 0)
		return 0;
	return devtree_find(gm, base, base + (run < SKIBOOT_AREA ? run : SKIBOOT_AREA), dt, err);
}

static bool scan_candidates(struct guest_mem *gm, uint64_t *found)
{
	for (size_t r = 0; r < gm->nranges; r++) {
		const struct gm_range *rg = &gm->ranges[r];

		if (rg->flags & GM_RANGE_AUX)
			continue;
		for (uint64_t b = round_up_u64(rg->gpa, CANDIDATE_STEP);
		     b < rg->gpa + rg->size; b += CANDIDATE_STEP)
			if (spirah_at(gm, b)) {
				*found = b;
				return true;
			}
	}
	return false;
}

int locate_base(struct guest_mem *gm, struct base_choice *c, struct findings *f,
		struct mp_err *err)
{
	uint64_t b = DEFAULT_SKIBOOT_BASE;

	memset(c, 0, sizeof(*c));
	if (spirah_at(gm, b)) {
		mp_set_str(&c->how, "skiboot's SPIRA-H is at the default base");
	} else if (scan_candidates(gm, &b)) {
		mp_set_str(&c->how,
			   "skiboot's SPIRA-H found at 0x%llx+0x10000 (scan of MiB-aligned bases)",
			   (unsigned long long)b);
	} else {
		b = DEFAULT_SKIBOOT_BASE;
		if (locate_devtree(gm, b, &c->dt, err))
			return -1;
		if (c->dt.found && c->dt.have_opal_base) {
			c->base = c->dt.opal_base;
			mp_set_str(&c->how,
				   "/ibm,opal/opal-base-address of the device tree at 0x%llx",
				   (unsigned long long)c->dt.addr);
			return 0;
		}
		c->base = b;
		mp_set_str(&c->how, "nothing found: default 0x%llx", (unsigned long long)b);
		findings_add(f, FINDING_WARNING, "base-default", "mpipl.md 0.1",
			     "no SPIRA-H at any MiB-aligned base and no device tree: assuming "
			     "skiboot's default base 0x%llx (pass --base)",
			     (unsigned long long)b);
		return 0;
	}
	c->base = b;
	if (locate_devtree(gm, b, &c->dt, err))
		return -1;
	if (c->dt.found && c->dt.have_opal_base && c->dt.opal_base != b)
		findings_add(f, FINDING_WARNING, "base-disagrees", "mpipl.md 3",
			     "the device tree at 0x%llx says opal-base-address 0x%llx, SPIRA-H is "
			     "at base 0x%llx",
			     (unsigned long long)c->dt.addr, (unsigned long long)c->dt.opal_base,
			     (unsigned long long)b);
	return 0;
}
