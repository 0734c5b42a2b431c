/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CPU notes of the vmcore (mpipl.md 6.4, 6.5) and the /proc/vmcore note walk. */
#ifndef MPIPL_VMCORE_NOTES_H
#define MPIPL_VMCORE_NOTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmcore.h"

struct cpu_notes {
	uint8_t *buf;            /* count notes of PRSTATUS_NOTE_SIZE bytes */
	size_t count;
	uint32_t *pir;           /* thread PIR each note stands for */
	bool *from_crash_header; /* the crashing CPU: registers from the crash info header */
};

/*
 * The notes opal_fadump_build_cpu_notes emits for a post-MPIPL analysis:
 * the thread whose PIR equals crashing_cpu gets the crash header's pt_regs,
 * threads in state 0x0F are skipped, the others are parsed from the register
 * data; with none, the crashing CPU alone (or no vmcore when it is unknown).
 */
int cpu_notes_build(const struct mpipl_analysis *a, struct cpu_notes *cn, struct findings *f,
		    struct mp_err *err);
void cpu_notes_free(struct cpu_notes *cn);

#endif
