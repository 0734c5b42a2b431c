/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device trees: the one skiboot hands to Linux, found in guest RAM (for
 * skiboot's relocated base and the RAM ranges), and the /ibm,opal/dump node
 * a user adds to boot the second kernel themselves (mpipl.md 7).
 */
#ifndef MPIPL_DEVTREE_DEVTREE_H
#define MPIPL_DEVTREE_DEVTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../guestmem/guest_mem.h"
#include "../util/err.h"

#define DT_MAX_MEMORY 64u
/* Largest blob we accept (skiboot's for a 2-chip guest is ~40 KiB). */
#define DT_MAX_SIZE (4u << 20)

struct guest_devtree {
	bool found;
	uint64_t addr; /* guest address of the blob */
	uint32_t size;
	bool have_opal_base; /* /ibm,opal/opal-base-address */
	uint64_t opal_base;
	bool have_opal_entry; /* /ibm,opal/opal-boot-address (the OPAL core's AT_ENTRY) */
	uint64_t opal_entry;
	struct ram_range memory[DT_MAX_MEMORY]; /* memory nodes' reg, in blob order */
	size_t nmemory;
	bool dump_node;  /* /ibm,opal/dump exists */
	bool mpipl_boot; /* ... with mpipl-boot */
};

/* Parse a blob of len bytes (its header checked by libfdt first). */
int devtree_parse(const void *fdt, size_t len, struct guest_devtree *dt, struct mp_err *err);

/*
 * Search guest RAM [from, to) at 8-byte steps for a flattened device tree
 * with an /ibm,opal node; dt->found tells whether one was.
 */
int devtree_find(struct guest_mem *gm, uint64_t from, uint64_t to, struct guest_devtree *dt,
		 struct mp_err *err);

/* fw-load-area of mpipl.md 7: kernel and initrd load addresses and sizes (QEMU's). */
#define FW_LOAD_KERNEL 0x20000000ULL
#define FW_LOAD_KERNEL_SIZE 0x08000000ULL
#define FW_LOAD_INITRD 0x28000000ULL
#define FW_LOAD_INITRD_SIZE 0x08000000ULL

/*
 * Copy blob (len bytes) into a new malloc'd blob with /ibm,opal/dump:
 * compatible "ibm,opal-dump", fw-load-area and, when mpipl_boot, the
 * mpipl-boot property QEMU adds after an S0 (8-byte value 1).
 */
int devtree_add_dump_node(const void *blob, size_t len, bool mpipl_boot, void **out,
			  size_t *outlen, struct mp_err *err);

#endif
