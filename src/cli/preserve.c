// SPDX-License-Identifier: GPL-2.0-or-later
/* mpiplctl preserve: write the post-MPIPL memory image. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "../mpipl/preserve.h"

static const struct argp_child preserve_children[];

static error_t parse_preserve_cmd(int key, char *arg, struct argp_state *state)
{
	return cli_parse_image_args(key, arg, state, state->input, preserve_children, true);
}

static const struct argp_option preserve_cmd_options[] = {
	{ "output", 'o', "OUT", 0, "the post-MPIPL raw image to write ('-': standard output)", 0 },
	{ 0 },
};

static const struct argp_child preserve_children[] = {
	{ &input_argp, 0, NULL, 0 },
	{ &preserve_argp, 0, NULL, 0 },
	{ &output_argp, 0, NULL, 0 },
	{ &report_argp, 0, NULL, 0 },
	{ 0 },
};

static const struct argp preserve_cmd_argp = {
	preserve_cmd_options, parse_preserve_cmd, "IMAGE -o OUT",
	"Replay the firmware's preserve step on IMAGE and write the memory as the firmware "
	"leaves it: MDST regions copied to their MDDT destinations, MDRT written, CPU "
	"registers saved and the processor dump area updated. OUT is a sparse raw image "
	"whose byte i is guest address (lowest RAM address + i).",
	preserve_children, NULL, NULL,
};

static void summary_text(FILE *f, const struct preserve_report *r, const char *out)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < r->nentries; i++)
		kept += r->entry[i].outcome == ENTRY_PRESERVED;
	fprintf(f, "preserve (%s profile): %u of %u MDST entries preserved, %u MDRT entries%s\n",
		profile_name(r->profile), kept, r->nentries, r->nmdrt,
		r->mdrt_written ? "" : " (MDRT not written)");
	for (unsigned i = 0; i < r->nentries; i++) {
		const struct preserve_entry *e = &r->entry[i];

		fprintf(f, "  entry %-2u 0x%" PRIx64 " -> 0x%" PRIx64 " size 0x%x region 0x%02x: %s%s%s\n",
			e->index, e->src.addr, e->dst.addr, e->dst.size, e->src.region,
			entry_outcome_name(e->outcome), e->reason ? ": " : "", e->reason ? e->reason : "");
	}
	if (r->cpus_written)
		fprintf(f, "  CPU data: %u thread records of %u bytes at 0x%" PRIx64 "\n", r->ncpus,
			r->thread_size, r->thread_addr);
	else
		fprintf(f, "  CPU data: %s\n", r->cpu_note ? r->cpu_note : "");
	fprintf(f, "  output: %s\n", out);
}

static void summary_json(const struct preserve_report *r, const struct guest_mem *gm,
			 const struct findings *fs, const char *out)
{
	struct json_out j;

	jo_init(&j, stdout);
	jo_object(&j, NULL);
	report_header_json(&j, "preserve");
	report_input_json(&j, gm);
	jo_string(&j, "output", out);
	jo_string(&j, "profile", profile_name(r->profile));
	jo_array(&j, "entries");
	for (unsigned i = 0; i < r->nentries; i++) {
		const struct preserve_entry *e = &r->entry[i];

		jo_object(&j, NULL);
		jo_uint(&j, "index", e->index);
		jo_hex(&j, "src", e->src.addr);
		jo_hex(&j, "dest", e->dst.addr);
		jo_uint(&j, "size", e->dst.size);
		jo_hex(&j, "region", e->src.region);
		jo_string(&j, "outcome", entry_outcome_name(e->outcome));
		jo_uint(&j, "copied", e->copied);
		jo_string(&j, "reason", e->reason ? e->reason : "");
		jo_end_object(&j);
	}
	jo_end_array(&j);
	jo_array(&j, "mdrt");
	for (unsigned i = 0; i < r->nmdrt; i++) {
		jo_object(&j, NULL);
		jo_hex(&j, "src", r->mdrt[i].src);
		jo_hex(&j, "dest", r->mdrt[i].dest);
		jo_uint(&j, "size", r->mdrt[i].size);
		jo_hex(&j, "region", r->mdrt[i].region);
		jo_end_object(&j);
	}
	jo_end_array(&j);
	jo_bool(&j, "mdrt_written", r->mdrt_written);
	jo_object(&j, "cpu_data");
	jo_bool(&j, "written", r->cpus_written);
	jo_uint(&j, "threads", r->cpus_written ? r->ncpus : 0);
	jo_uint(&j, "thread_size", r->thread_size);
	jo_hex(&j, "addr", r->thread_addr);
	jo_string(&j, "note", r->cpu_note ? r->cpu_note : "");
	jo_end_object(&j);
	report_findings_json(&j, fs);
	jo_end_object(&j);
	jo_finish(&j);
}

int cmd_preserve(int argc, char **argv)
{
	struct preserve_report *r = NULL;
	struct mpipl_analysis a;
	struct analyze_opts ao;
	struct preserve_opts po;
	struct guest_mem *gm;
	struct outfile of;
	struct cli_opts o;
	struct mp_err err;
	int rc = EXIT_BAD;

	cli_opts_init(&o);
	argp_parse(&preserve_cmd_argp, argc, argv, 0, NULL, &o);
	if (cli_open_output(&of, &o))
		return EXIT_BAD;
	cli_decode_beside(&o, &of);
	gm = cli_open_input(&o);
	if (!gm) {
		outfile_abort(&of);
		return EXIT_BAD;
	}
	cli_analyze_opts(&o, &ao);
	if (mpipl_analyze(gm, &ao, &a, &err)) {
		cli_analysis_error(gm, &err);
		outfile_abort(&of);
		gm_free(gm);
		return EXIT_BAD;
	}
	r = mp_calloc(1, sizeof(*r), &err);
	po = (struct preserve_opts){ .profile = o.profile, .cpus = gm->cpus, .ncpus = gm->ncpus };
	if (!r || mpipl_preserve(gm, &a.layout, a.tables, &po, r, &a.findings, &err)) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (!r->cpus_written)
		cli_note(&o, "%s", r->cpu_note ? r->cpu_note : "");
	if (cli_write_raw_image(gm, &of))
		goto out;
	if (o.json)
		summary_json(r, gm, &a.findings, o.output);
	else if (!o.quiet)
		summary_text(strcmp(o.output, "-") == 0 ? stderr : stdout, r, o.output);
	rc = cli_exit_status(&o, &a.findings);
out:
	outfile_abort(&of);
	if (r)
		preserve_report_release(r);
	free(r);
	mpipl_analysis_free(&a);
	gm_free(gm);
	return rc;
}
