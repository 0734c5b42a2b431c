// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading the dump's pages from guest memory (kdump writer). */
#include <string.h>

#include "kdw_priv.h"

int kdw_read_full_pages(struct guest_mem *gm, const struct kdw_layout *l,
			const struct kdw_cursor *c, uint64_t n, uint8_t *dst, struct mp_err *err)
{
	const struct kdw_load *ld = &l->loads[c->load];

	return gm_read_lenient(gm, ld->offset + (c->pfn * l->page_size - ld->paddr), dst,
			       n * l->page_size, err);
}

int kdw_read_page(struct guest_mem *gm, const struct kdw_layout *l, const struct kdw_cursor *c,
		  uint8_t *dst, struct mp_err *err)
{
	uint64_t P = l->page_size, a = c->pfn * P, b = a + P;

	if (kdw_cursor_full_pages(l, c))
		return kdw_read_full_pages(gm, l, c, 1, dst, err);
	/* A page no single PT_LOAD covers whole: its covered parts, zeros elsewhere. */
	memset(dst, 0, P);
	for (size_t k = c->load; k < l->nloads && l->loads[k].paddr < b; k++) {
		const struct kdw_load *ld = &l->loads[k];
		uint64_t s = a > ld->paddr ? a : ld->paddr, e = b < ld->end ? b : ld->end;

		if (s < e &&
		    gm_read_lenient(gm, ld->offset + (s - ld->paddr), dst + (s - a), e - s, err))
			return -1;
	}
	return 0;
}
