/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kdump-compressed ("diskdump") file, declared once for its reader
 * (src/input/dump/) and its writer (src/vmcore/kdump/): makedumpfile's
 * diskdump_mod.h as compiled for a 64-bit target (qemu-inputs.md 8). Every
 * integer is in the dumped machine's byte order.
 *
 *   block 0      struct disk_dump_header (464 bytes)
 *   block 1      struct kdump_sub_header (104 bytes), then the ELF notes
 *   ...          the two page bitmaps, the page descriptors, the page data
 */
#ifndef MPIPL_FORMAT_KDUMP_DISK_H
#define MPIPL_FORMAT_KDUMP_DISK_H

/* Sizes of the header, the sub-header and one page_desc (u64 offset, u32 size,
 * u32 flags, u64 page_flags). */
#define KDUMP_HEADER_SIZE 464u
#define KDUMP_SUB_HEADER_SIZE 104u
#define KDUMP_DESC_SIZE 24u

/* disk_dump_header.signature: eight bytes, no NUL. */
#define KDUMP_SIGNATURE "KDUMP   "
#define KDUMP_SIGNATURE_LEN 8u

/* header_version 6 is the first with the 64-bit pfn fields of the sub-header. */
#define KDUMP_HEADER_VERSION 6u

/* disk_dump_header field offsets. new_utsname is six 65-byte strings from 12. */
#define KDUMP_DH_VERSION 8u
#define KDUMP_DH_UTSNAME 12u
#define KDUMP_DH_UTS_LEN 65u
#define KDUMP_DH_STATUS 424u
#define KDUMP_DH_BLOCK_SIZE 428u
#define KDUMP_DH_SUB_HDR_SIZE 432u
#define KDUMP_DH_BITMAP_BLOCKS 436u
#define KDUMP_DH_MAX_MAPNR 440u
#define KDUMP_DH_NR_CPUS 460u

/* kdump_sub_header field offsets. */
#define KDUMP_KH_PHYS_BASE 0u
#define KDUMP_KH_DUMP_LEVEL 8u
#define KDUMP_KH_OFFSET_VMCOREINFO 32u
#define KDUMP_KH_SIZE_VMCOREINFO 40u
#define KDUMP_KH_OFFSET_NOTE 48u
#define KDUMP_KH_NOTE_SIZE 56u
#define KDUMP_KH_MAX_MAPNR_64 96u

/*
 * disk_dump_header status bits and page_desc flags (DUMP_DH_COMPRESSED_*):
 * the compression of the pages, and a dump cut short.
 */
#define KDUMP_COMPRESSED_ZLIB 0x1u
#define KDUMP_COMPRESSED_LZO 0x2u
#define KDUMP_COMPRESSED_SNAPPY 0x4u
#define KDUMP_COMPRESSED_INCOMPLETE 0x8u
#define KDUMP_COMPRESSED_ZSTD 0x20u

#endif
