/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --cpu-state FILE.json: vCPU registers for inputs that carry none (raw
 * images). The format is in the man page: an object {"threads": [...]} (or
 * just the array), one object per hardware thread:
 *   {"pir": 4, "r1": "0xc000...", "nip": ..., "msr": ..., "lr": ..., "spr": {"0x1c": ...}}
 * Values are JSON integers or "0x..." strings; missing registers are 0.
 */
#ifndef MPIPL_INPUT_CPU_JSON_H
#define MPIPL_INPUT_CPU_JSON_H

#include <stddef.h>

#include "../guestmem/vcpu.h"
#include "../util/err.h"

/* 2048 threads x 8.5 KiB of state stay well inside the 64 MiB memory budget. */
#define CPU_JSON_MAX_THREADS 2048u

int cpu_state_load_json(const char *path, struct vcpu_state **cpus, size_t *ncpus,
			struct mp_err *err);

/* Parse from memory (name labels messages). */
int cpu_state_parse_json(const char *text, size_t len, const char *name,
			 struct vcpu_state **cpus, size_t *ncpus, struct mp_err *err);

/* SPR number of a register name of mpipl.md 4.4 ("cfar" -> 0x1C), or -1. */
int spr_number_of(const char *name);

#endif
