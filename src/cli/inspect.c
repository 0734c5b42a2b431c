// SPDX-License-Identifier: GPL-2.0-or-later
/* mpiplctl inspect: show and check what an image holds. */
#include <stdio.h>

#include "cli.h"
#include "report.h"

static const struct argp_child inspect_children[];

static error_t parse_inspect(int key, char *arg, struct argp_state *state)
{
	return cli_parse_image_args(key, arg, state, state->input, inspect_children, false);
}

static const struct argp_child inspect_children[] = {
	{ &input_argp, 0, NULL, 0 },
	{ &preserve_argp, 0, NULL, 0 },
	{ &vmcore_argp, 0, NULL, 0 },
	{ &report_argp, 0, NULL, 0 },
	{ 0 },
};

static const struct argp inspect_argp = {
	NULL, parse_inspect, "IMAGE",
	"Show and check the MPIPL tables, the processor dump area and thread records, "
	"skiboot's tags, the kernel's fadump metadata and crash info header of IMAGE, with "
	"findings that cite the spec, and the vmcore a capture kernel would expose (for a "
	"pre-MPIPL image: after the preserve step of --profile, run in memory).",
	inspect_children, NULL, NULL,
};

/*
 * The vmcore prediction: on a pre-MPIPL image, the preserve step runs on the
 * in-memory overlay (the input is untouched), then the capture kernel's view
 * is built. Returns 0 with the model, or -1 with the reason in err.
 */
static int predict_vmcore(struct guest_mem *gm, const struct cli_opts *o, struct vmcore_model *m,
			  struct mp_err *err)
{
	struct mpipl_analysis a;
	struct analyze_opts ao;
	struct vmcore_opts vo;
	int rc;

	cli_analyze_opts(o, &ao);
	if (mpipl_analyze(gm, &ao, &a, err))
		return -1;
	cli_vmcore_opts(o, &vo);
	rc = a.have_kernel_meta ? 0 : mp_fail(err, MP_EINPUT, "no fadump registration");
	if (rc == 0)
		rc = cli_to_post_mpipl(gm, o, &a, NULL, 0, err);
	if (rc == 0)
		rc = vmcore_model_build(gm, &a, &vo, m, &a.findings, err);
	mpipl_analysis_free(&a);
	return rc;
}

static void vmcore_section(struct guest_mem *gm, const struct cli_opts *o, struct json_out *j,
			   bool pre)
{
	struct vmcore_model m;
	struct mp_err err;

	if (predict_vmcore(gm, o, &m, &err)) {
		if (j)
			jo_string(j, "vmcore_error", err.msg);
		else
			printf("\nvmcore     none: %s\n", err.msg);
		return;
	}
	if (j) {
		report_vmcore_json(j, &m);
	} else {
		printf("\nvmcore     as the capture kernel would expose it%s\n",
		       pre ? (o->profile == PROFILE_QEMU ? " (after preserve, qemu profile)"
							  : " (after preserve, hdat profile)")
			   : "");
		report_vmcore_text(stdout, &m);
	}
	vmcore_model_free(&m);
}

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
		cli_analysis_error(gm, &err);
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
		vmcore_section(gm, &o, &j, !a.post_mpipl);
		jo_end_object(&j);
		jo_finish(&j);
	} else {
		report_input_text(stdout, gm);
		report_analysis_text(stdout, &a);
		vmcore_section(gm, &o, NULL, !a.post_mpipl);
		report_findings_text(stdout, &a.findings);
	}
	rc = cli_exit_status(&o, &a.findings);
	mpipl_analysis_free(&a);
	gm_free(gm);
	return rc;
}
