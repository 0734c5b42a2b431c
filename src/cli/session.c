// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the commands do with an input: open it (with --cpu-state), analyse it
 * with the command-line options, and bring it to its post-MPIPL state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../mpipl/post.h"
#include "../input/cpu_json.h"
#include "../guestmem/export.h"
#include "../input/input.h"
#include "../util/outfile.h"

/* --ram-ranges beyond the guest's RAM describe memory the dump cannot hold. */
static void warn_ram_ranges(const struct cli_opts *o, const struct guest_mem *gm)
{
	for (size_t i = 0; i < o->nram; i++)
		if (!gm_contains(gm, o->ram[i].start, o->ram[i].end - o->ram[i].start))
			cli_note(o, "warning: --ram-ranges 0x%llx-0x%llx goes beyond the guest RAM "
				    "(0x%llx-0x%llx)",
				 (unsigned long long)o->ram[i].start,
				 (unsigned long long)o->ram[i].end,
				 (unsigned long long)gm_lowest(gm), (unsigned long long)gm_end(gm));
}

struct guest_mem *cli_open_input(const struct cli_opts *o)
{
	struct input_opts io = { .mem_base = o->mem_base,
				 .snapshot = o->snapshot,
				 .stream_offset = o->stream_offset,
				 .stream_offset_given = o->stream_offset_given,
				 .salvage = o->salvage,
				 .tmpdir = o->tmpdir,
				 .ram_file_offset = o->ram_file_offset,
				 .placer = o->placer,
				 .placer_ctx = o->placer_ctx,
				 .max_size = o->max_size };
	struct guest_mem *gm;
	struct mp_err err;

	gm = input_open(o->image, &io, &err);
	if (!gm) {
		cli_error("%s", err.msg);
		return NULL;
	}
	/* Lost data is worth a line even with -q. */
	if (gm->salvaged_why)
		cli_error("warning: salvaged: %s", gm->salvaged_why);
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
	warn_ram_ranges(o, gm);
	return gm;
}

void cli_analysis_error(const struct guest_mem *gm, const struct mp_err *err)
{
	char note[256];

	if (strncmp(gm->format, "raw", 3) != 0) {
		cli_error("%s", err->msg);
		return;
	}
	input_raw_fallback_note(note, sizeof(note));
	cli_error("%s (%s)", err->msg, note);
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
	struct analyze_opts ao;
	char *note = NULL;
	int rc;

	cli_analyze_opts(o, &ao);
	rc = mpipl_to_post(gm, &ao, o->profile, a, cpu_note ? &note : NULL, err);
	if (cpu_note && cpu_note_len)
		snprintf(cpu_note, cpu_note_len, "%s", note ? note : "");
	free(note);
	return rc;
}

int cli_output_open(struct outfile *of, const char *path, const char *const *inputs,
		    bool no_sync)
{
	struct outfile_opts oo = { .no_sync = no_sync, .inputs = inputs };
	struct mp_err err;

	if (outfile_open(of, path, &oo, &err)) {
		cli_error("%s", err.msg);
		return -1;
	}
	return 0;
}

int cli_open_output(struct outfile *of, const struct cli_opts *o)
{
	const char *inputs[] = { o->image, o->cpu_state, NULL };

	return cli_output_open(of, o->output, inputs, o->no_sync);
}

int cli_output_write(struct outfile *of, cli_writer write, void *ctx)
{
	struct sink out;
	struct mp_err err;

	sink_init(&out, of->fd, of->path);
	if (write(&out, ctx, &err) || outfile_commit(of, &err)) {
		outfile_abort(of);
		cli_error("%s", err.msg);
		return -1;
	}
	return 0;
}

