/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ELF vmcore cut out of the decoded RAM file in place (one pass). */
#ifndef MPIPL_VMCORE_ELF_INPLACE_H
#define MPIPL_VMCORE_ELF_INPLACE_H

#include "vmcore.h"
#include "../guestmem/guest_mem.h"

/*
 * Best when the RAM was decoded this far into its file (input_opts.ram_file_offset):
 * the headers and notes of a vmcore of a guest with 64 KiB pages, one page
 * each (up to 1169 program headers, and 64 KiB of notes: about 120 CPUs).
 * Any other room still works, by moving more bytes.
 */
#define VMCORE_ELF_HEAD_GUESS (2u << 16)

/*
 * Turn the temporary file gm's RAM was decoded into into the ELF vmcore of
 * m, byte for byte what vmcore_write_elf writes. Returns 1 and the file's
 * descriptor when done; 0 when the input or the layout does not allow it
 * (nothing changed); -1 on an error (gm then no longer reads as it did: it
 * must only be freed, as after 1). tmpdir: where a scratch file for bytes
 * that must move twice goes (NULL: temp_file_create's default).
 */
int vmcore_elf_in_place(struct guest_mem *gm, const struct vmcore_model *m, const char *tmpdir,
			int *fd, struct mp_err *err);

#endif
