// SPDX-License-Identifier: GPL-2.0-or-later
/* mpiplctl inspect: show and check what an image holds. */
#include <stdio.h>

#include "cli.h"
#include "report.h"

static error_t parse_inspect(int key, char *arg, struct argp_state *state)
{
	struct cli_opts *o = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		for (int i = 0; state->root_argp->children[i].argp; i++)
			state->child_inputs[i] = o;
		break;
	case ARGP_KEY_ARG:
		if (o->image)
			argp_error(state, "one IMAGE only ('%s' is extra)", arg);
		o->image = arg;
		break;
	case ARGP_KEY_END:
		if (!o->image)
			argp_error(state, "IMAGE is missing");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child inspect_children[] = {
	{ &input_argp, 0, NULL, 0 },
	{ &report_argp, 0, NULL, 0 },
	{ 0 },
};

static const struct argp inspect_argp = {
	NULL, parse_inspect, "IMAGE",
	"Show and check the MPIPL tables, the processor dump area and thread records, "
	"skiboot's tags, the kernel's fadump metadata and crash info header of IMAGE, with "
	"findings that cite the spec.",
	inspect_children, NULL, NULL,
};

int cmd_inspect(int argc, char **argv)
{
	struct mpipl_analysis a;
	struct analyze_opts ao;
	struct guest_mem *gm;
	struct cli_opts o;
	struct mp_err err;
	int rc;

	cli_opts_init(&o);
	argp_parse(&inspect_argp, argc, argv, 0, NULL, &o);
	gm = cli_open_input(&o);
	if (!gm)
		return EXIT_BAD;
	cli_analyze_opts(&o, &ao);
	if (mpipl_analyze(gm, &ao, &a, &err)) {
		cli_error("%s", err.msg);
		gm_free(gm);
		return EXIT_BAD;
	}
	if (o.json) {
		struct json_out j;

		jo_init(&j, stdout);
		jo_object(&j, NULL);
		report_header_json(&j, "inspect");
		report_input_json(&j, gm);
		report_analysis_json(&j, &a);
		report_findings_json(&j, &a.findings);
		jo_end_object(&j);
		jo_finish(&j);
	} else {
		report_input_text(stdout, gm);
		report_analysis_text(stdout, &a);
		report_findings_text(stdout, &a.findings);
	}
	rc = cli_exit_status(&o, &a.findings);
	mpipl_analysis_free(&a);
	gm_free(gm);
	return rc;
}
