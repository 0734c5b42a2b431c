/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The page descriptors and page data of a kdump file. Internal to the kdump writer. */
#ifndef MPIPL_ELFCORE_KDW_PIPELINE_H
#define MPIPL_ELFCORE_KDW_PIPELINE_H

#include "kdw_layout.h"
#include "kdump_writer.h"

/*
 * Read every page of the dump from guest memory, compress it (o->threads
 * workers, output in pfn order) and write the file's tail into spill_fd as
 * it will stand from l->desc_off on: the descriptors at 0, the shared zero
 * page (left a hole) after them, then the page data. *spill_len is the
 * tail's length.
 */
int kdw_spill_pages(struct guest_mem *gm, const struct kdw_layout *l,
		      const struct kdump_opts *o, int spill_fd, uint64_t *spill_len,
		      struct mp_err *err);

#endif
