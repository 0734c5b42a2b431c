/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writing the descriptors and page data of a kdump file. Internal to the kdump writer. */
#ifndef MPIPL_ELFCORE_KDW_EMIT_H
#define MPIPL_ELFCORE_KDW_EMIT_H

#include "kdw_layout.h"

/*
 * Everything from l->desc_off on: the descriptors and compressed bytes
 * kdw_spill_pages left in spill_fd, the shared zero page, and the pages
 * stored as they are, read from the guest again.
 */
int kdw_emit_tail(struct guest_mem *gm, const struct kdw_layout *l, int spill_fd,
		  uint64_t spill_len, struct sink *out, struct mp_err *err);

#endif
