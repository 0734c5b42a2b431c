/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * src/linux/: what the crashed Linux kernel left in guest memory, read
 * without a vmlinux (its VMCOREINFO note, kallsyms tables, printk ring, CPU
 * masks). No existing folder fits: guestmem/ is format-neutral and mpipl/ is
 * about the firmware's tables.
 *
 * kmem: reads of kernel virtual addresses of a ppc64 kernel. Only the linear
 * map is translated (virtual = physical + 0xc000000000000000, which is also
 * where the kernel image and its static data live on Book3S-64), so no page
 * table walk is needed for anything this folder reads.
 */
#ifndef MPIPL_LINUX_KMEM_H
#define MPIPL_LINUX_KMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../format/elf64.h"
#include "../guestmem/guest_mem.h"

/* Start of the ppc64 linear map (src/format/elf64.h). */
#define KMEM_LINEAR_BASE PPC64_KERNEL_BASE
/* Linear-map addresses stay below 2^60 above the base (4 PiB of RAM at most). */
#define KMEM_LINEAR_SPAN (1ULL << 60)

struct kmem {
	struct guest_mem *gm;
	bool big_endian;
};

/* Physical address of a linear-map virtual address; false when va is not one. */
bool kmem_to_phys(uint64_t va, uint64_t *pa);

/* Read len bytes at kernel virtual va; fails (MP_EINPUT) outside guest RAM. */
int kmem_read(const struct kmem *k, uint64_t va, void *buf, size_t len, struct mp_err *err);
int kmem_u16(const struct kmem *k, uint64_t va, uint16_t *v, struct mp_err *err);
int kmem_u32(const struct kmem *k, uint64_t va, uint32_t *v, struct mp_err *err);
int kmem_u64(const struct kmem *k, uint64_t va, uint64_t *v, struct mp_err *err);

/* Whether v looks like a pointer into the linear map (for byte-order guesses). */
bool kmem_is_kernel_ptr(uint64_t v);

#endif
