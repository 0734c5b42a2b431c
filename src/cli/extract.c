// SPDX-License-Identifier: GPL-2.0-or-later
/* mpiplctl extract: the guest RAM of any input as a sparse raw image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"

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

/*
 * When the reader already decoded the RAM into a private temporary file laid
 * out like the output (one main range, one extent at offset 0), that file
 * becomes the output's temporary instead of being copied: extract then costs
 * what decoding costs. Returns 1 when done, 0 when the copy path must be taken.
 */
static int adopt_decoded_ram(struct guest_mem *gm, struct outfile *of)
{
	const struct gm_range *main_range = NULL;
	const struct gm_extent *e;
	uint64_t base;
	int fd;

	for (size_t i = 0; i < gm->nranges; i++) {
		if (gm->ranges[i].flags & GM_RANGE_AUX)
			continue;
		if (main_range)
			return 0;
		main_range = &gm->ranges[i];
	}
	e = main_range ? gm_extent_at(gm, main_range->gpa) : NULL;
	if (!e || e->gpa != main_range->gpa || e->len != main_range->size || !e->backing ||
	    !e->backing->temporary || e->boff != 0)
		return 0;
	fd = gm_backing_fd(e->backing, &base);
	if (fd < 0 || base != 0)
		return 0;
	if (outfile_adopt(of, fd, main_range->size) < 0)
		return 0;
	return 1;
}

/*
 * Decoded RAM goes beside a regular output, so that it can become the output
 * (never into a device's folder: /dev is RAM-backed).
 */
static const char *temp_files_beside(const struct outfile *of)
{
	return of->kind == OUTFILE_REGULAR ? of->dir : NULL;
}

static int write_output(struct guest_mem *gm, struct outfile *of)
{
	struct mp_err err;

	if (!adopt_decoded_ram(gm, of))
		return cli_write_raw_image(gm, of);
	if (outfile_commit(of, &err)) {
		cli_error("%s", err.msg);
		return -1;
	}
	return 0;
}

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
	o.tmpdir = temp_files_beside(&of);
	gm = cli_open_input(&o);
	if (!gm) {
		outfile_abort(&of);
		return EXIT_BAD;
	}
	if (write_output(gm, &of))
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
