/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rendering an analysis (and its input) as text or as JSON members. */
#ifndef MPIPL_CLI_REPORT_H
#define MPIPL_CLI_REPORT_H

#include <inttypes.h>
#include <stdio.h>

#include "../vmcore/vmcore.h"
#include "../linux/crash.h"
#include "../mpipl/analyze.h"
#include "../guestmem/guest_mem.h"
#include "../util/json_out.h"

/* A 64-bit address as the text reports print it. */
#define X64 "0x%016" PRIx64

void report_input_text(FILE *f, const struct guest_mem *gm);
void report_analysis_text(FILE *f, const struct mpipl_analysis *a);
void report_findings_text(FILE *f, const struct findings *fs);

/* Members of the enclosing JSON object. */
void report_input_json(struct json_out *j, const struct guest_mem *gm);
void report_analysis_json(struct json_out *j, const struct mpipl_analysis *a);
void report_findings_json(struct json_out *j, const struct findings *fs);
void report_header_json(struct json_out *j, const char *command);

/* The vmcore a capture kernel would expose: program headers, CPU notes, VMCOREINFO. */
void report_vmcore_text(FILE *f, const struct vmcore_model *m);
void report_vmcore_json(struct json_out *j, const struct vmcore_model *m);

/*
 * The crash summary (ci may be NULL); notes are the summary's own findings,
 * syms the addresses --symbolize asks for.
 */
void report_linux_text(FILE *f, const struct linux_crash *c, const struct crash_info *ci,
		       const struct findings *notes, const uint64_t *syms, size_t nsyms);
void report_linux_json(struct json_out *j, const struct linux_crash *c,
		       const struct crash_info *ci, const struct findings *notes,
		       const uint64_t *syms, size_t nsyms);

#endif
