// SPDX-License-Identifier: GPL-2.0-or-later
/* mpiplctl extract: the guest RAM of any input as a sparse raw image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"

/*
 * extract's argp declaration (parse, options, children) reads like preserve's,
 * which `duplicates` pairs: each command states its own option groups; the
 * parse is one call to the shared cli_parse_image_args.
 */
static const struct argp_child extract_children[];

static error_t parse_extract(int key, char *arg, struct argp_state *state)
{
	return cli_parse_image_args(key, arg, state, state->input, extract_children, true);
}

static const struct argp_option extract_options[] = {
	{ "output", 'o', "OUT", 0, "the raw image to write ('-': standard output)", 0 },
	{ 0 },
};

static const struct argp_child extract_children[] = {
	{ &input_argp, 0, NULL, 0 },
	{ &output_argp, 0, NULL, 0 },
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
	int rc = EXIT_BAD;

	cli_opts_init(&o);
	argp_parse(&extract_argp, argc, argv, 0, NULL, &o);
	if (cli_open_output(&of, &o))
		return EXIT_BAD;
	cli_decode_beside(&o, &of);
	gm = cli_open_input(&o);
	if (!gm) {
		outfile_abort(&of);
		return EXIT_BAD;
	}
	if (cli_write_raw_image(gm, &of))
		goto out;
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
	outfile_abort(&of);
	gm_free(gm);
	return rc;
}
