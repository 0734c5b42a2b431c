/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where skiboot relocated itself when --base is not given: its SPIRA-H at
 * the default base, else at a 1 MiB-aligned candidate base, else the
 * /ibm,opal/opal-base-address of the device tree it gave Linux; the default
 * with a warning when nothing tells. The device tree found on the way gives
 * the RAM ranges of the capture kernel.
 */
#ifndef MPIPL_MPIPL_LOCATE_H
#define MPIPL_MPIPL_LOCATE_H

#include "../util/findings.h"
#include "../devtree/devtree.h"

struct base_choice {
	uint64_t base;
	char *how; /* malloc'd, the caller's to free (NULL when memory ran out) */
	struct guest_devtree dt;
};

/* Fills c; only an I/O failure fails. */
int locate_base(struct guest_mem *gm, struct base_choice *c, struct findings *f,
		struct mp_err *err);

/* Look for skiboot's device tree in its area at base (for a given --base). */
int locate_devtree(struct guest_mem *gm, uint64_t base, struct guest_devtree *dt,
		   struct mp_err *err);

#endif
