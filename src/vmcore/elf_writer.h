/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ELF vmcore file: /proc/vmcore's layout of a vmcore model (mpipl.md 6.6). */
#ifndef MPIPL_VMCORE_ELF_WRITER_H
#define MPIPL_VMCORE_ELF_WRITER_H

#include "vmcore.h"
#include "../util/sink.h"

/* One PT_LOAD's data: physical [phys, phys + len) at file offset at. */
struct vmcore_chunk {
	uint64_t phys;
	uint64_t len;
	uint64_t at;
};

struct vmcore_layout {
	size_t phnum;          /* merged PT_NOTE plus the model's headers */
	uint64_t elfsz;        /* ELF header + program headers, page-rounded */
	uint64_t notes_sz;     /* merged notes, page-rounded */
	uint64_t *file_offset; /* per model phdr: its p_offset in the file (PT_LOAD only) */
	struct vmcore_chunk *chunks;
	size_t nchunks;
	uint64_t total;        /* file size */
};

int vmcore_layout(const struct vmcore_model *m, struct vmcore_layout *l, struct mp_err *err);
void vmcore_layout_free(struct vmcore_layout *l);

/* ELF header and program headers, zero-padded to l->elfsz bytes (malloc'd). */
int vmcore_headers(const struct vmcore_model *m, const struct vmcore_layout *l, uint8_t **out,
		   struct mp_err *err);

/* Write the whole vmcore to the sink (a progress line on a terminal). */
int vmcore_write_elf(struct guest_mem *gm, const struct vmcore_model *m, struct sink *out,
		     struct mp_err *err);

#endif
