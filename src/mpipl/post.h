/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The offline MPIPL itself: from the crashed kernel's image to what the
 * capture kernel finds after the firmware's preserve step (mpipl.md 2.4, 6),
 * as inspect and vmcore need it.
 */
#ifndef MPIPL_MPIPL_POST_H
#define MPIPL_MPIPL_POST_H

#include "analyze.h"
#include "preserve.h"

/*
 * When a describes a crashed kernel's image (not yet post-MPIPL): run the
 * preserve step on gm (profile, with gm's vCPUs), analyse gm again with ao
 * (the capture kernel sees memory after the firmware's writes) and add the
 * preserve step's findings to a->findings. Nothing to do for an image that
 * is already post-MPIPL. *cpu_note (cpu_note may be NULL) is set to why no
 * register data was written (malloc'd; the caller frees), or NULL.
 */
int mpipl_to_post(struct guest_mem *gm, const struct analyze_opts *ao,
		  enum mpipl_profile profile, struct mpipl_analysis *a, char **cpu_note,
		  struct mp_err *err);

#endif
