/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kdump-compressed file layout of a vmcore model, its headers and its
 * bitmaps (src/format/kdump_disk.h), and the writer's other parts, which
 * share this one header. Internal to the kdump writer.
 *
 *   block 0                      disk_dump_header
 *   block 1                      kdump_sub_header, then the ELF notes
 *   block 1 + sub_hdr_size       1st bitmap (pages in memory), 2nd bitmap
 *                                (pages dumped): identical here
 *   desc_off                     one page descriptor per set bit, by pfn
 *   data_off                     the shared zero page, then page data
 */
#ifndef MPIPL_VMCORE_KDUMP_KDW_PRIV_H
#define MPIPL_VMCORE_KDUMP_KDW_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "../../format/kdump_disk.h"
#include "../vmcore.h"
#include "kdump_writer.h"
#include "../../util/sink.h"

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

/* Reading the dump's pages from guest memory. Internal to the kdump writer. */
/* n whole pages from c->pfn on, all inside PT_LOAD c->load (n <= kdw_cursor_full_pages). */
int kdw_read_full_pages(struct guest_mem *gm, const struct kdw_layout *l,
			const struct kdw_cursor *c, uint64_t n, uint8_t *dst, struct mp_err *err);

/*
 * The dump's page at c->pfn: the bytes of every PT_LOAD over it, read from
 * guest memory where each PT_LOAD says its data is; zero elsewhere.
 */
int kdw_read_page(struct guest_mem *gm, const struct kdw_layout *l, const struct kdw_cursor *c,
		  uint8_t *dst, struct mp_err *err);

/*
 * Compressing one page for the kdump format: zlib as compress2 writes it
 * (zlib-wrapped, level Z_BEST_SPEED as makedumpfile uses), or a zstd frame.
 * One codec per thread. Internal to the kdump writer.
 */
struct kdw_codec;

struct kdw_codec *kdw_codec_new(enum kdump_compress c, struct mp_err *err);
void kdw_codec_free(struct kdw_codec *k);

/* The descriptor flag of compressed pages (0 for KDUMP_NONE). */
uint32_t kdw_codec_flag(enum kdump_compress c);

/*
 * Compress len bytes of src into dst when the result is shorter than len:
 * returns its size, or 0 when the page is to be stored as it is (always for
 * KDUMP_NONE). dst holds len - 1 bytes. -1 with err set on a library failure.
 */
ptrdiff_t kdw_codec_page(struct kdw_codec *k, const uint8_t *src, size_t len, uint8_t *dst,
			 struct mp_err *err);

/* The page descriptors and page data of a kdump file. Internal to the kdump writer. */
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

/* Writing the descriptors and page data of a kdump file. Internal to the kdump writer. */
/*
 * Everything from l->desc_off on: the descriptors and compressed bytes
 * kdw_spill_pages left in spill_fd, the shared zero page, and the pages
 * stored as they are, read from the guest again.
 */
int kdw_emit_tail(struct guest_mem *gm, const struct kdw_layout *l, int spill_fd,
		  uint64_t spill_len, struct sink *out, struct mp_err *err);

#endif
