/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What vmcore and capture share: the vmcore's options and the path from a guest to the file. */
#ifndef MPIPL_CLI_VMCORE_CLI_H
#define MPIPL_CLI_VMCORE_CLI_H

#include <stdbool.h>

#include "cli.h"
#include "../vmcore/place.h"
#include "../vmcore/kdump/kdump_writer.h"
#include "../util/json_out.h"
#include "../util/outfile.h"

struct vmcore_cli {
	struct cli_opts o;        /* first: the child parsers are given &o */
	bool post;
	bool synthesize;
	bool synthesize_always;   /* --synthesize=always: plain even with a registration */
	bool kdump;               /* --format=kdump */
	struct kdump_opts kopts;  /* --compress, --threads */
	const char *kdump_only;   /* the last of --compress, --threads given */
	struct stream_place place;   /* where a stream's pages go (vmcore_cli_prepare_decode) */
};

/* --post, --synthesize, --format, --compress, --threads, for a vmcore_cli's o. */
extern const struct argp vmcore_output_argp;
/*
 * The option groups of `vmcore` (vmcore_output_argp, input, preserve, vmcore,
 * output, report), for every command that writes a vmcore (vmcore, capture).
 */
extern const struct argp_child vmcore_cli_children[];

/* What another command adds to the vmcore report. */
struct vmcore_report_extra {
	const char *command;                            /* "command" of the JSON report */
	void (*json)(struct json_out *j, void *ctx);    /* members added to it, or NULL */
	void *ctx;
};

void vmcore_cli_init(struct vmcore_cli *v);

/*
 * Before the input is read: an ELF vmcore into a regular file is made of the
 * decoded RAM file itself, so a stream is decoded beside of, with room for the
 * headers in front (v->o.tmpdir and v->o.ram_file_offset), its pages placed
 * where the vmcore needs them (v->o.placer).
 */
void vmcore_cli_prepare_decode(struct vmcore_cli *v, const struct outfile *of);
/* What vmcore_cli_init and vmcore_cli_prepare_decode took. */
void vmcore_cli_release(struct vmcore_cli *v);

/*
 * Analyse gm, run the preserve step when it is pre-MPIPL, write the vmcore
 * into of (opened by the caller before any work) and commit it, then report.
 * Returns the exit status; errors are printed.
 */
int vmcore_cli_produce(struct vmcore_cli *v, struct guest_mem *gm, struct outfile *of,
		       const struct vmcore_report_extra *extra);

#endif
