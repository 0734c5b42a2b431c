// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * After the MPIPL the crashed kernel's boot memory lives at its fadump
 * destination, and the capture kernel boots in its place (mpipl.md 6.2).
 * Copying each registered region back from its destination, on the
 * in-memory overlay (gm_copy re-points extents; the input is not touched),
 * gives the memory as the crashed kernel saw it, so that its VMCOREINFO,
 * log and symbols are read, not the capture kernel's.
 */
#include "crash.h"

int linux_crashed_view(struct guest_mem *gm, const struct mpipl_analysis *a, bool *moved,
		       struct mp_err *err)
{
	*moved = false;
	if (!a->post_mpipl || !a->have_kernel_meta)
		return 0;
	for (unsigned i = 0; i < a->kmeta.region_cnt && i < FADUMP_MAX_REGIONS; i++) {
		const struct fadump_region *r = &a->kmeta.rgn[i];

		if (!r->size || r->src == r->dest || !gm_contains(gm, r->src, r->size) ||
		    !gm_contains(gm, r->dest, r->size))
			continue;
		if (gm_copy(gm, r->src, r->dest, r->size, err))
			return -1;
		*moved = true;
	}
	return 0;
}
