// SPDX-License-Identifier: GPL-2.0-or-later
/* Finding a device tree blob in guest RAM (src/devtree/devtree.c). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builders.h"
#include "../../src/devtree/devtree.h"
#include "../../src/util/bitmap.h"

#define PAGE 4096u
#define NPAGES 1024u /* 4 MiB: the scan's 1 MiB chunks cross holes and runs */

/*
 * A sparse file of NPAGES pages: a page of 0xAB at page 0, a hole, a run of
 * three data pages at 300 whose middle one starts with an FDT magic that is no
 * blob, a hole, and a real blob at page 700 + 0x30 (right after a hole, in
 * the middle of a scan chunk). map: the pages written.
 */
static int file_with_blob(const char *dir, struct bitmap *map, uint64_t *blob_at)
{
	char *path = b_path(dir, "dt-sparse");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	uint8_t page[PAGE], blob[512];
	struct mp_err err = { 0 };

	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, (off_t)NPAGES * PAGE), 0);
	cr_assert_eq(bitmap_init(map, NPAGES, &err), 0);
	memset(page, 0xAB, sizeof(page));
	cr_assert_eq(pwrite(fd, page, PAGE, 0), PAGE);
	bitmap_set_range(map, 0, 1);
	memset(page, 0x11, sizeof(page));
	for (unsigned p = 300; p < 303; p++) {
		if (p == 301)
			memcpy(page, "\xd0\x0d\xfe\xed", 4); /* a magic with a garbage header */
		cr_assert_eq(pwrite(fd, page, PAGE, (off_t)p * PAGE), PAGE);
	}
	bitmap_set_range(map, 300, 303);
	/* What skiboot gives Linux has /ibm,opal (the scan's test of a real blob). */
	cr_assert_eq(fdt_create_empty_tree(blob, sizeof(blob)), 0);
	cr_assert_geq(fdt_add_subnode(blob, 0, "ibm,opal"), 0);
	cr_assert_eq(fdt_pack(blob), 0);
	*blob_at = 700u * PAGE + 0x30;
	cr_assert_eq(pwrite(fd, blob, fdt_totalsize(blob), (off_t)*blob_at), fdt_totalsize(blob));
	bitmap_set_range(map, 700, 701);
	free(path);
	return fd;
}

static void find_in(struct gm_backing *b, uint64_t want)
{
	struct guest_mem *gm = b_gm();
	struct guest_devtree dt;
	struct mp_err err = { 0 };

	cr_assert_eq(gm_add_range(gm, 0, (uint64_t)NPAGES * PAGE, "ram", b, 0, &err), 0);
	cr_assert_eq(devtree_find(gm, 0, (uint64_t)NPAGES * PAGE, &dt, &err), 0, "%s", err.msg);
	cr_assert(dt.found);
	cr_assert_eq(dt.addr, want, "found at 0x%llx", (unsigned long long)dt.addr);
	gm_free(gm);
}

/* Holes skipped (not read), the false magic passed over, the blob after a hole found. */
Test(devtree, found_after_holes_with_an_owned_or_a_borrowed_map)
{
	const char *dir = b_tmpdir();
	struct bitmap map, kept;
	uint64_t at;
	int fd = file_with_blob(dir, &map, &at);
	struct mp_err err = { 0 };
	struct gm_backing *owned = gm_backing_fd_new(dup(fd), true, 0, (uint64_t)NPAGES * PAGE,
						     "owned", &err);
	struct gm_backing *borrowing = gm_backing_fd_new(fd, true, 0, (uint64_t)NPAGES * PAGE,
							 "borrowing", &err);

	cr_assert(owned && borrowing);
	cr_assert_eq(bitmap_init(&kept, NPAGES, &err), 0);
	bitmap_set_range(&kept, 0, 1);
	bitmap_set_range(&kept, 300, 303);
	bitmap_set_range(&kept, 700, 701);
	gm_backing_fd_set_map(owned, &map, PAGE);
	gm_backing_fd_borrow_map(borrowing, &kept, PAGE);
	cr_assert(gm_backing_fd_has_map(borrowing));
	find_in(owned, at);
	find_in(borrowing, at);
	/* The borrowed map is read as it is now: the blob's page unmarked is a hole. */
	bitmap_clear_range(&kept, 700, 701);
	cr_assert_eq(borrowing->ops->next_data(borrowing, 303u * PAGE, (uint64_t)NPAGES * PAGE),
		     (uint64_t)NPAGES * PAGE);
	gm_backing_put(owned);
	gm_backing_put(borrowing);
	bitmap_free(&kept);
}
