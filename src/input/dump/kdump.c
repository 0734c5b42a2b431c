// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kdump-compressed images ("KDUMP   ", qemu-inputs.md 8): the headers are
 * checked here once, the RAM ranges are the runs of the first bitmap, the
 * pages come from a kdump_backing, the vCPUs from the CORE notes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump_common.h"
#include "../file_access.h"
#include "../input.h"
#include "kdump.h"
#include "../../util/bytes.h"

/*
 * The kdump_sub_header is at byte offset block_size. KDUMP_HEADER_VERSION is
 * the only one QEMU writes (and makedumpfile since 2014).
 */
/* Page sizes we accept: 4 KiB (powernv) up to 64 KiB (ppc64 kernels) with margin. */
#define MIN_BLOCK 512u
#define MAX_BLOCK (1u << 20)
/* Beyond this many separate RAM runs the range list gets slow. */
#define MAX_RUNS 65536
/*
 * Largest bitmap copy: 2^42 pages. Its rank index (kdump_bitmap.c) then needs
 * chunks of at most 1 MiB; POWER10's HOMER at 0x300ffd800000 needs 1.6 GiB.
 */
#define MAX_BITMAP_BYTES (1ull << 39)

static enum input_probe kdump_probe(const uint8_t *head, size_t len, const char *path,
				     struct mp_err *err)
{
	return input_probe_magic(head, len, KDUMP_SIGNATURE, KDUMP_SIGNATURE_LEN,
				 "kdump-compressed dump", path, err);
}

static int read_main_header(int fd, struct kdump_layout *l, uint32_t *sub_blocks,
			    uint32_t *bitmap_blocks, struct mp_err *err)
{
	uint8_t dh[KDUMP_HEADER_SIZE];

	if (pread_exact(fd, l->file_size, dh, sizeof(dh), 0, l->label, "the kdump header", err))
		return -1;
	if (memcmp(dh, KDUMP_SIGNATURE, KDUMP_SIGNATURE_LEN) != 0)
		return mp_fail_at(err, MP_EINPUT, l->label, 0, "no \"KDUMP   \" signature");
	/* The header's byte order is the dump's: whichever reads version 6. */
	if (get_le32(dh + KDUMP_DH_VERSION) == KDUMP_HEADER_VERSION)
		l->be = false;
	else if (get_be32(dh + KDUMP_DH_VERSION) == KDUMP_HEADER_VERSION)
		l->be = true;
	else
		return mp_fail_at(err, MP_EUNSUPPORTED, l->label, KDUMP_DH_VERSION,
				  "header_version 0x%08x is not 6 in either byte order",
				  get_be32(dh + KDUMP_DH_VERSION));
	l->status = get_u32(dh + KDUMP_DH_STATUS, l->be);
	l->block_size = get_u32(dh + KDUMP_DH_BLOCK_SIZE, l->be);
	*sub_blocks = get_u32(dh + KDUMP_DH_SUB_HDR_SIZE, l->be);
	*bitmap_blocks = get_u32(dh + KDUMP_DH_BITMAP_BLOCKS, l->be);
	l->nr_cpus = get_u32(dh + KDUMP_DH_NR_CPUS, l->be);
	if (l->block_size < MIN_BLOCK || l->block_size > MAX_BLOCK ||
	    (l->block_size & (l->block_size - 1)))
		return mp_fail_at(err, MP_EINPUT, l->label, KDUMP_DH_BLOCK_SIZE, "block_size %u is "
				  "not a power of two in [%u, %u]", l->block_size, MIN_BLOCK,
				  MAX_BLOCK);
	if (l->status & (KDUMP_COMPRESSED_LZO | KDUMP_COMPRESSED_SNAPPY))
		return mp_fail_at(err, MP_EUNSUPPORTED, l->label, KDUMP_DH_STATUS, "the dump is "
				  "%s-compressed (status 0x%x): mpiplctl is built without %s; "
				  "re-dump with dump-guest-memory -z (kdump-zlib)",
				  l->status & KDUMP_COMPRESSED_LZO ? "lzo" : "snappy", l->status,
				  l->status & KDUMP_COMPRESSED_LZO ? "liblzo2" : "libsnappy");
	return 0;
}

static int read_sub_header(int fd, struct kdump_layout *l, struct mp_err *err)
{
	uint8_t kh[KDUMP_SUB_HEADER_SIZE];

	if (pread_exact(fd, l->file_size, kh, sizeof(kh), l->block_size, l->label,
			"the kdump sub-header", err))
		return -1;
	l->note_off = get_u64(kh + KDUMP_KH_OFFSET_NOTE, l->be);
	l->note_size = get_u64(kh + KDUMP_KH_NOTE_SIZE, l->be);
	l->max_mapnr = get_u64(kh + KDUMP_KH_MAX_MAPNR_64, l->be);
	return 0;
}

/* Place bitmaps and descriptors: blocks 1 + sub_hdr_size and + bitmap_blocks. */
static int locate_tables(struct kdump_layout *l, uint32_t sub_blocks, uint32_t bitmap_blocks,
			 struct mp_err *err)
{
	uint64_t bs = l->block_size, bitmap_end;

	if (bitmap_blocks == 0 || bitmap_blocks % 2)
		return mp_fail_at(err, MP_EINPUT, l->label, KDUMP_DH_BITMAP_BLOCKS, "bitmap_blocks "
				  "%u is not a positive even count (two bitmap copies)",
				  bitmap_blocks);
	l->bitmap_off = (1 + (uint64_t)sub_blocks) * bs;
	l->bitmap_len = (uint64_t)(bitmap_blocks / 2) * bs;
	if (l->bitmap_len > MAX_BITMAP_BYTES)
		return mp_fail_at(err, MP_EUNSUPPORTED, l->label, KDUMP_DH_BITMAP_BLOCKS,
				  "bitmaps of %llu bytes each, more than the %llu mpiplctl handles",
				  (unsigned long long)l->bitmap_len, MAX_BITMAP_BYTES);
	bitmap_end = l->bitmap_off + 2 * l->bitmap_len; /* < 2^32 blocks of <= 2^20 bytes */
	if (bitmap_end > l->file_size)
		return mp_fail_at(err, MP_EINPUT, l->label, KDUMP_DH_BITMAP_BLOCKS, "the bitmaps "
				  "[%llu, %llu) run past the end of the file (%llu bytes)",
				  (unsigned long long)l->bitmap_off, (unsigned long long)bitmap_end,
				  (unsigned long long)l->file_size);
	if (l->max_mapnr == 0 || l->max_mapnr > l->bitmap_len * 8)
		return mp_fail_at(err, MP_EINPUT, l->label, bs + KDUMP_KH_MAX_MAPNR_64,
				  "max_mapnr_64 %llu pages does not fit the %llu-byte bitmap",
				  (unsigned long long)l->max_mapnr,
				  (unsigned long long)l->bitmap_len);
	if (l->max_mapnr > UINT64_MAX / bs)
		return mp_fail_at(err, MP_EINPUT, l->label, bs + KDUMP_KH_MAX_MAPNR_64,
				  "max_mapnr_64 %llu pages of %llu bytes pass 2^64",
				  (unsigned long long)l->max_mapnr, (unsigned long long)bs);
	l->desc_off = bitmap_end;
	return 0;
}

static int check_desc_table(const struct kdump_layout *l, uint64_t ndesc, struct mp_err *err)
{
	/* ndesc < 2^(32 + 20 + 3): the product fits in 64 bits. */
	uint64_t len = ndesc * KDUMP_DESC_SIZE;

	if (len > l->file_size - l->desc_off)
		return mp_fail_at(err, MP_EINPUT, l->label, l->desc_off, "%llu page descriptors "
				  "(%llu bytes) run past the end of the file (%llu bytes): "
				  "truncated dump?", (unsigned long long)ndesc,
				  (unsigned long long)len, (unsigned long long)l->file_size);
	return 0;
}

/* Every run of set bits of the first bitmap (memory that exists) is a RAM range. */
static int add_runs(struct guest_mem *gm, const struct kdump_layout *l, struct kbitmap *ram,
		    struct gm_backing *b, struct mp_err *err)
{
	uint64_t pfn = 0, bs = l->block_size;
	size_t runs = 0;

	for (;;) {
		uint64_t start, stop;

		if (kbm_find(ram, pfn, l->max_mapnr, true, &start, err))
			return -1;
		if (start == l->max_mapnr)
			break;
		if (kbm_find(ram, start, l->max_mapnr, false, &stop, err))
			return -1;
		if (++runs > MAX_RUNS)
			return mp_fail_at(err, MP_EUNSUPPORTED, l->label, l->bitmap_off,
					  "the memory bitmap has more than %u separate RAM runs",
					  MAX_RUNS);
		if (dump_add_ram(gm, start * bs, (stop - start) * bs, b, start * bs, err))
			return -1;
		pfn = stop;
	}
	if (runs == 0)
		return mp_fail_at(err, MP_EINPUT, l->label, l->bitmap_off, "the memory bitmap is "
				  "empty: no guest memory");
	return 0;
}

/* The note bytes (read before the backing takes the descriptor over); NULL when none. */
static int load_notes(int fd, const struct kdump_layout *l, uint8_t **buf, struct mp_err *err)
{
	*buf = NULL;
	if (l->note_size == 0)
		return 0;
	if (l->note_size > DUMP_NOTES_MAX)
		return mp_fail_at(err, MP_EUNSUPPORTED, l->label,
				  l->block_size + KDUMP_KH_NOTE_SIZE, "note_size %llu is more than "
				  "the %u bytes mpiplctl reads", (unsigned long long)l->note_size,
				  DUMP_NOTES_MAX);
	*buf = mp_malloc((size_t)l->note_size, err);
	if (!*buf)
		return -1;
	if (pread_exact(fd, l->file_size, *buf, (size_t)l->note_size, l->note_off, l->label,
			"the notes", err)) {
		free(*buf);
		*buf = NULL;
		return -1;
	}
	return 0;
}

static int parse_notes(struct guest_mem *gm, const uint8_t *buf, const struct kdump_layout *l,
		       struct mp_err *err)
{
	if (!buf)
		return gm_add_note(gm, err, "no notes (note_size 0): the dump carries no vCPU "
					    "registers");
	if (dump_parse_notes(gm, buf, (size_t)l->note_size, l->be, l->note_off, l->label, err))
		return -1;
	if (gm->ncpus && l->nr_cpus != gm->ncpus)
		return gm_add_note(gm, err, "header nr_cpus %u but %zu NT_PRSTATUS notes",
				   l->nr_cpus, gm->ncpus);
	return 0;
}

static int read_layout(int fd, struct kdump_layout *l, struct mp_err *err)
{
	uint32_t sub_blocks = 0, bitmap_blocks = 0;

	if (read_main_header(fd, l, &sub_blocks, &bitmap_blocks, err) ||
	    read_sub_header(fd, l, err))
		return -1;
	return locate_tables(l, sub_blocks, bitmap_blocks, err);
}

struct guest_mem *kdump_open_image(int fd, uint64_t size, const char *path, const char *label,
				   const char *format, struct mp_err *err)
{
	struct kdump_layout l = { .label = label, .file_size = size };
	struct kbitmap ram = { 0 }, dumped = { 0 };
	struct gm_backing *b = NULL;
	struct guest_mem *gm = NULL;
	uint8_t *notes = NULL;

	if (read_layout(fd, &l, err) ||
	    kbm_init(&ram, fd, l.bitmap_off, l.max_mapnr, label, err) ||
	    kbm_init(&dumped, fd, l.bitmap_off + l.bitmap_len, l.max_mapnr, label, err) ||
	    check_desc_table(&l, kbm_count(&dumped), err) || load_notes(fd, &l, &notes, err))
		goto fail;
	gm = gm_new(path, format, err);
	if (!gm)
		goto fail;
	b = kdump_backing_new(fd, &l, &dumped, err);
	fd = -1; /* the backing's now, even when it failed */
	if (!b || add_runs(gm, &l, &ram, b, err) || parse_notes(gm, notes, &l, err))
		goto fail;
	if ((l.status & KDUMP_COMPRESSED_INCOMPLETE) &&
	    gm_add_note(gm, err, "the dump is marked incomplete (status 0x%x): missing pages "
				 "read as zero", l.status))
		goto fail;
	free(notes);
	kbm_fini(&ram);
	gm_backing_put(b);
	return gm;
fail:
	if (fd >= 0)
		close(fd);
	free(notes);
	kbm_fini(&ram);
	kbm_fini(&dumped);
	gm_backing_put(b);
	gm_free(gm);
	return NULL;
}

static struct guest_mem *kdump_open(struct instream *s, const struct input_opts *o,
				    struct mp_err *err)
{
	char format[96];
	uint64_t size;
	int fd;

	if (input_random_access(s, o->tmpdir, &fd, &size, err))
		return NULL;
	snprintf(format, sizeof(format), "kdump-compressed%s", instream_compressed_suffix(s));
	return kdump_open_image(fd, size, instream_path(s), instream_path(s), format, err);
}

const struct input_reader kdump_reader = {
	.name = "kdump",
	.probe = kdump_probe,
	.open = kdump_open,
};
