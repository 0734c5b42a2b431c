/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kdump-compressed file layout of a vmcore model, its headers and its
 * bitmaps (makedumpfile's diskdump_mod.h; qemu-inputs.md 8). Internal to the
 * kdump writer.
 *
 *   block 0                      disk_dump_header
 *   block 1                      kdump_sub_header, then the ELF notes
 *   block 1 + sub_hdr_size       1st bitmap (pages in memory), 2nd bitmap
 *                                (pages dumped): identical here
 *   desc_off                     one page descriptor per set bit, by pfn
 *   data_off                     the shared zero page, then page data
 */
#ifndef MPIPL_ELFCORE_KDW_LAYOUT_H
#define MPIPL_ELFCORE_KDW_LAYOUT_H

#include "vmcore.h"
#include "../util/sink.h"

/* Sizes of the on-disk structures as 64-bit makedumpfile lays them out. */
#define KDW_HEADER_SIZE 464u
#define KDW_SUB_HEADER_SIZE 104u
#define KDW_DESC_SIZE 24u
/* Page descriptor flags and header status bits (diskdump_mod.h). */
#define KDW_DH_COMPRESSED_ZLIB 0x1u
#define KDW_DH_COMPRESSED_ZSTD 0x20u
/*
 * Largest block (page) size the writer takes: ppc64 kernels use 4 or 64 KiB
 * pages; the bound keeps the batches in flight under 20 MiB.
 */
#define KDW_PAGE_SIZE_MAX (256u << 10)

/* A PT_LOAD: guest physical [paddr, end), its bytes at guest address offset. */
struct kdw_load {
	uint64_t paddr;
	uint64_t end;
	uint64_t offset;
	uint64_t first_pfn; /* pages it touches: [first_pfn, end_pfn) */
	uint64_t end_pfn;
};

struct kdw_layout {
	bool big_endian;         /* byte order of every integer in the file */
	uint64_t page_size;
	struct kdw_load *loads; /* sorted by paddr, not overlapping */
	size_t nloads;
	uint64_t max_mapnr;      /* one past the highest pfn */
	uint64_t bitmap_len;     /* bytes of one bitmap, whole blocks */
	uint32_t bitmap_blocks;  /* blocks of both bitmaps */
	uint32_t sub_hdr_size;   /* blocks of sub-header + notes */
	uint64_t ndesc;          /* pages in the dump: set bits, descriptors */
	uint64_t desc_off;
	uint64_t data_off;       /* the shared zero page; page data follows */
	uint64_t vmcoreinfo_off; /* file offset of the VMCOREINFO text (0: none) */
	uint64_t vmcoreinfo_size;
};

/* Check the model and lay the file out (MP_EINPUT for an impossible model). */
int kdw_layout_build(const struct vmcore_model *m, struct kdw_layout *l, struct mp_err *err);
void kdw_layout_free(struct kdw_layout *l);

/*
 * Blocks 0 .. sub_hdr_size: the header (status = the compression flag), the
 * sub-header and the notes, zero-padded; *len = (1 + sub_hdr_size) blocks.
 * The kernel's utsname is read from the dumped memory when VMCOREINFO
 * locates it.
 */
int kdw_headers(struct guest_mem *gm, const struct vmcore_model *m,
		const struct kdw_layout *l, uint32_t status, uint8_t **out, size_t *len,
		struct mp_err *err);

/* Both bitmaps; all-zero stretches become sink holes. */
int kdw_write_bitmaps(const struct kdw_layout *l, struct sink *out, struct mp_err *err);

/*
 * Walking the dump's pages in pfn order. The cursor stands on the next page
 * that any PT_LOAD touches (done at the end).
 */
struct kdw_cursor {
	size_t load; /* first load that ends above this page's start */
	uint64_t pfn;
	bool done;
};

void kdw_cursor_start(const struct kdw_layout *l, struct kdw_cursor *c);
/* Move to the page after c->pfn (skip > 1: that many pages, all inside c->load). */
void kdw_cursor_advance(const struct kdw_layout *l, struct kdw_cursor *c, uint64_t skip);
/* Pages from c->pfn on that lie wholly inside load c->load (0: a partial page). */
uint64_t kdw_cursor_full_pages(const struct kdw_layout *l, const struct kdw_cursor *c);

#endif
