/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The page descriptors and page data of a kdump file. Internal to the kdump writer. */
#ifndef MPIPL_ELFCORE_KDW_PIPELINE_H
#define MPIPL_ELFCORE_KDW_PIPELINE_H

#include "kdw_layout.h"
#include "kdump_writer.h"

/*
 * Read every page of the dump from guest memory, compress it (o->threads
 * workers, output in pfn order) and write into spill_fd the descriptors
 * (at 0, final file offsets, as they will stand from l->desc_off on) and,
 * after them, the bytes of the compressed pages in pfn order. *spill_len
 * is the bytes written. Pages stored as they are have a descriptor only.
 */
int kdw_spill_pages(struct guest_mem *gm, const struct kdw_layout *l,
		    const struct kdump_opts *o, int spill_fd, uint64_t *spill_len,
		    struct mp_err *err);

#endif
