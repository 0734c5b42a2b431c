/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One pass from a decoded input to a raw image: when a reader decoded the
 * RAM into a private temporary file laid out like the raw output (byte i of
 * the file is guest address lowest + i), the image is that file with the
 * changes made since (preserve's copies, table writes, zeroed ranges) written
 * into it, instead of every byte copied to a new file.
 */
#ifndef MPIPL_GUESTMEM_INPLACE_H
#define MPIPL_GUESTMEM_INPLACE_H

#include <stdint.h>

#include "guest_mem.h"

/*
 * Make the decoded temporary file hold the raw image of gm's main RAM (what
 * gm_export_raw writes). Returns 1 and the file's descriptor and image size
 * when done; 0 when the layout does not allow it (no such file, more than one
 * main range, or a change that reads bytes another change overwrites), with
 * nothing written; -1 on a write error. After 1, gm must only be freed: its
 * extents that pointed into the file no longer describe it.
 */
int gm_materialize_in_place(struct guest_mem *gm, int *fd, uint64_t *size, struct mp_err *err);

#endif
