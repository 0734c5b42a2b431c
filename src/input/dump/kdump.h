/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kdump-compressed dumps (qemu-inputs.md 8; makedumpfile's diskdump_mod.h):
 * the image layout, shared by the raw reader (kdump.c), the flattened one
 * (kdump_flat.c) and the page backing (kdump_pages.c).
 */
#ifndef MPIPL_INPUT_DUMP_KDUMP_H
#define MPIPL_INPUT_DUMP_KDUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "../../guestmem/guest_mem.h"
#include "kdump_bitmap.h"
#include "../../format/kdump_disk.h"

struct kdump_layout {
	const char *label;    /* file name for messages */
	uint64_t file_size;
	bool be;              /* byte order of every header and descriptor integer */
	uint32_t block_size;  /* = page size */
	uint32_t status;
	uint64_t max_mapnr;   /* pfns covered by the bitmaps */
	uint64_t bitmap_off;  /* first bitmap; the second follows at + bitmap_len */
	uint64_t bitmap_len;  /* bytes per bitmap copy */
	uint64_t desc_off;    /* page descriptor table */
	uint64_t note_off, note_size;
	uint32_t nr_cpus;
};

/*
 * A backing whose offset o is guest address o (pfn o / block_size): pages
 * are decompressed on demand, pfns absent from the dumped bitmap read as
 * zero and are skipped by next_data. Takes fd and *dumped (the second
 * bitmap, with its rank index) over.
 */
struct gm_backing *kdump_backing_new(int fd, const struct kdump_layout *l,
				     struct kbitmap *dumped, struct mp_err *err);

/*
 * Read the kdump image in fd (size bytes; fd is taken over, closed on
 * error too) into guest memory. path is the input as the user named it,
 * label names the image in messages, format describes it for inspect.
 */
struct guest_mem *kdump_open_image(int fd, uint64_t size, const char *path, const char *label,
				   const char *format, struct mp_err *err);

#endif
