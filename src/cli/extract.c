// SPDX-License-Identifier: GPL-2.0-or-later
/* mpiplctl extract: the guest RAM of any input as a sparse raw image. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "../snapshot/export.h"
#include "../util/outfile.h"

static const struct argp_child extract_children[];

static error_t parse_extract(int key, char *arg, struct argp_state *state)
{
	struct cli_opts *o = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		cli_share_input(state, extract_children, o);
		break;
	case 'o':
		o->output = arg;
		break;
	case ARGP_KEY_ARG:
		if (o->image)
			argp_error(state, "one IMAGE only ('%s' is extra)", arg);
		o->image = arg;
		break;
	case ARGP_KEY_END:
		if (!o->image)
			argp_error(state, "IMAGE is missing");
		if (!o->output)
			argp_error(state, "-o OUT is missing (use -o - for standard output)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option extract_options[] = {
	{ "output", 'o', "OUT", 0, "the raw image to write ('-': standard output)", 0 },
	{ 0 },
};

static const struct argp_child extract_children[] = {
	{ &input_argp, 0, NULL, 0 },
	{ &report_argp, 0, NULL, 0 },
	{ 0 },
};

static const struct argp extract_argp = {
	extract_options, parse_extract, "IMAGE -o OUT",
	"Write the guest RAM of IMAGE (any input format) as a sparse raw image, unchanged: "
	"byte i is guest address (lowest main RAM address + i). HOMER and other non-main "
	"RAM blocks are left out.",
	extract_children, NULL, NULL,
};

int cmd_extract(int argc, char **argv)
{
	struct guest_mem *gm;
	struct outfile of;
	struct cli_opts o;
	struct sink out;
	struct mp_err err;
	int rc = EXIT_BAD;

	cli_opts_init(&o);
	argp_parse(&extract_argp, argc, argv, 0, NULL, &o);
	gm = cli_open_input(&o);
	if (!gm)
		return EXIT_BAD;
	if (outfile_open(&of, o.output, &err)) {
		cli_error("%s", err.msg);
		goto out;
	}
	sink_init(&out, of.fd, o.output);
	if (gm_export_raw(gm, &out, &err) || outfile_commit(&of, &err)) {
		outfile_abort(&of);
		cli_error("%s", err.msg);
		goto out;
	}
	if (o.json) {
		struct json_out j;

		jo_init(&j, stdout);
		jo_object(&j, NULL);
		report_header_json(&j, "extract");
		report_input_json(&j, gm);
		jo_string(&j, "output", o.output);
		jo_end_object(&j);
		jo_finish(&j);
	} else if (!o.quiet) {
		fprintf(strcmp(o.output, "-") == 0 ? stderr : stdout, "%s (%s): RAM written to %s\n",
			gm->path, gm->format, o.output);
	}
	rc = EXIT_OK;
out:
	gm_free(gm);
	return rc;
}
