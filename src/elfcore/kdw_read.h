/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading the dump's pages from guest memory. Internal to the kdump writer. */
#ifndef MPIPL_ELFCORE_KDW_READ_H
#define MPIPL_ELFCORE_KDW_READ_H

#include "kdw_layout.h"

/* Guest bytes [phys, phys + len) into dst; addresses that are not RAM read as zero. */
int kdw_read_lenient(struct guest_mem *gm, uint64_t phys, uint8_t *dst, uint64_t len,
		     struct mp_err *err);

/* n whole pages from c->pfn on, all inside PT_LOAD c->load (n <= kdw_cursor_full_pages). */
int kdw_read_full_pages(struct guest_mem *gm, const struct kdw_layout *l,
			const struct kdw_cursor *c, uint64_t n, uint8_t *dst, struct mp_err *err);

/*
 * The dump's page at c->pfn: the bytes of every PT_LOAD over it, read from
 * guest memory where each PT_LOAD says its data is; zero elsewhere.
 */
int kdw_read_page(struct guest_mem *gm, const struct kdw_layout *l, const struct kdw_cursor *c,
		  uint8_t *dst, struct mp_err *err);

#endif
