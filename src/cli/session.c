// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the commands do with an input: open it (with --cpu-state), analyse it
 * with the command-line options, and bring it to its post-MPIPL state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../mpipl/preserve.h"
#include "../input/cpu_json.h"
#include "../guestmem/export.h"
#include "../input/input.h"
#include "../util/outfile.h"

struct guest_mem *cli_open_input(const struct cli_opts *o)
{
	struct input_opts io = { .mem_base = o->mem_base,
				 .snapshot = o->snapshot,
				 .stream_offset = o->stream_offset,
				 .stream_offset_given = o->stream_offset_given,
				 .salvage = o->salvage };
	struct guest_mem *gm;
	struct mp_err err;

	gm = input_open(o->image, &io, &err);
	if (!gm) {
		cli_error("%s", err.msg);
		return NULL;
	}
	/* Lost data is worth a line even with -q. */
	if (gm->salvaged[0])
		cli_error("warning: salvaged: %s", gm->salvaged);
	if (o->cpu_state) {
		struct vcpu_state *cpus;
		size_t n;

		if (cpu_state_load_json(o->cpu_state, &cpus, &n, &err)) {
			cli_error("%s", err.msg);
			gm_free(gm);
			return NULL;
		}
		gm_set_cpus(gm, cpus, n);
	}
	return gm;
}

void cli_analyze_opts(const struct cli_opts *o, struct analyze_opts *ao)
{
	memset(ao, 0, sizeof(*ao));
	ao->base = o->base;
	ao->base_given = o->base_given;
	ao->layout = o->layout;
	ao->endian = o->endian;
	ao->legacy = o->legacy;
}

void cli_vmcore_opts(const struct cli_opts *o, struct vmcore_opts *vo)
{
	*vo = (struct vmcore_opts){ .page_size = o->page_size,
				    .ram = o->nram ? o->ram : NULL,
				    .nram = o->nram };
}

int cli_to_post_mpipl(struct guest_mem *gm, const struct cli_opts *o, struct mpipl_analysis *a,
		      char *cpu_note, size_t cpu_note_len, struct mp_err *err)
{
	struct findings preserve_findings = { 0 };
	struct preserve_report *r;
	struct preserve_opts po;
	struct analyze_opts ao;
	int rc;

	if (cpu_note && cpu_note_len)
		cpu_note[0] = '\0';
	if (a->post_mpipl)
		return 0;
	r = mp_calloc(1, sizeof(*r), err);
	if (!r)
		return -1;
	po = (struct preserve_opts){ .profile = o->profile, .cpus = gm->cpus, .ncpus = gm->ncpus };
	rc = mpipl_preserve(gm, &a->layout, a->tables, &po, r, &preserve_findings, err);
	if (rc == 0 && !r->cpus_written && cpu_note)
		snprintf(cpu_note, cpu_note_len, "%s", r->cpu_note);
	free(r);
	if (rc == 0) {
		/* The capture kernel sees memory after the firmware's writes. */
		mpipl_analysis_free(a);
		cli_analyze_opts(o, &ao);
		rc = mpipl_analyze(gm, &ao, a, err);
	}
	for (size_t i = 0; rc == 0 && i < preserve_findings.n; i++)
		findings_add(&a->findings, preserve_findings.v[i].level, preserve_findings.v[i].code,
			     preserve_findings.v[i].spec, "%s", preserve_findings.v[i].msg);
	findings_free(&preserve_findings);
	return rc;
}

int cli_write_atomically(const char *path, cli_writer write, void *ctx)
{
	struct outfile of;
	struct sink out;
	struct mp_err err;

	if (outfile_open(&of, path, &err)) {
		cli_error("%s", err.msg);
		return -1;
	}
	sink_init(&out, of.fd, path);
	if (write(&out, ctx, &err) || outfile_commit(&of, &err)) {
		outfile_abort(&of);
		cli_error("%s", err.msg);
		return -1;
	}
	return 0;
}

