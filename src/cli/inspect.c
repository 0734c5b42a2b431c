// SPDX-License-Identifier: GPL-2.0-or-later
/* mpiplctl inspect: show and check what an image holds. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report.h"

enum { OPT_SYMBOLIZE = 0x300 };

static const struct argp_child inspect_children[];

/* --symbolize ADDR,ADDR,...: kernel addresses to resolve through kallsyms. */
static int parse_symbolize(char *arg, struct cli_opts *o)
{
	for (char *save = NULL, *tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->nsymbolize == SYMBOLIZE_MAX || cli_parse_u64(tok, &o->symbolize[o->nsymbolize]))
			return -1;
		o->nsymbolize++;
	}
	return 0;
}

static error_t parse_inspect(int key, char *arg, struct argp_state *state)
{
	if (key == OPT_SYMBOLIZE) {
		if (parse_symbolize(arg, state->input))
			argp_error(state, "--symbolize: expected up to %u addresses, comma-separated",
				   SYMBOLIZE_MAX);
		return 0;
	}
	return cli_parse_image_args(key, arg, state, state->input, inspect_children, false);
}

static const struct argp_option inspect_options[] = {
	{ "symbolize", OPT_SYMBOLIZE, "ADDR,...", 0,
	  "also resolve these kernel addresses to symbol+offset/size through the crashed "
	  "kernel's kallsyms",
	  0 },
	{ 0 },
};

static const struct argp_child inspect_children[] = {
	{ &input_argp, 0, NULL, 0 },
	{ &preserve_argp, 0, NULL, 0 },
	{ &vmcore_argp, 0, NULL, 0 },
	{ &report_argp, 0, NULL, 0 },
	{ 0 },
};

static const struct argp inspect_argp = {
	inspect_options, parse_inspect, "IMAGE",
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

struct vmcore_prediction {
	bool ok;
	struct vmcore_model m;
	struct mp_err err;
};

static void vmcore_section(const struct vmcore_prediction *p, const struct cli_opts *o,
			   struct json_out *j, bool pre)
{
	if (!p->ok) {
		if (j)
			jo_string(j, "vmcore_error", p->err.msg);
		else
			printf("\nvmcore     none: %s\n", p->err.msg);
		return;
	}
	if (j) {
		report_vmcore_json(j, &p->m);
	} else {
		printf("\nvmcore     as the capture kernel would expose it");
		if (pre)
			printf(" (after preserve, %s profile)", profile_name(o->profile));
		printf("\n");
		report_vmcore_text(stdout, &p->m);
	}
}

/*
 * The crashed kernel's memory: as the input holds it before the MPIPL (the
 * in-memory preserve step leaves the sources alone), moved back from the
 * fadump destinations after it.
 */
static int read_crash(struct guest_mem *gm, const struct cli_opts *o,
		      const struct mpipl_analysis *a, struct linux_crash *c, struct findings *notes)
{
	struct mp_err err;
	bool moved;

	if (linux_crashed_view(gm, a, &moved, &err) ||
	    linux_crash_read(gm, a->have_crash_info ? &a->ci : NULL, o->vmcoreinfo_file, c, notes,
			     &err)) {
		cli_error("%s", err.msg);
		return -1;
	}
	if (moved)
		findings_add(notes, FINDING_INFO, "crashed-view", "mpipl.md 6.2",
			     "post-MPIPL: the crashed kernel's boot memory read from its fadump "
			     "destination");
	return 0;
}

int cmd_inspect(int argc, char **argv)
{
	struct findings notes = { 0 };
	struct vmcore_prediction p = { 0 };
	struct linux_crash c;
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
	p.ok = predict_vmcore(gm, &o, &p.m, &p.err) == 0;
	if (read_crash(gm, &o, &a, &c, &notes)) {
		if (p.ok)
			vmcore_model_free(&p.m);
		mpipl_analysis_free(&a);
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
		report_linux_json(&j, &c, a.have_crash_info ? &a.ci : NULL, &notes, o.symbolize,
				  o.nsymbolize);
		vmcore_section(&p, &o, &j, !a.post_mpipl);
		jo_end_object(&j);
		jo_finish(&j);
	} else {
		report_input_text(stdout, gm);
		report_analysis_text(stdout, &a);
		report_linux_text(stdout, &c, a.have_crash_info ? &a.ci : NULL, &notes, o.symbolize,
				  o.nsymbolize);
		vmcore_section(&p, &o, NULL, !a.post_mpipl);
		report_findings_text(stdout, &a.findings);
	}
	rc = cli_exit_status(&o, &a.findings);
	if (p.ok)
		vmcore_model_free(&p.m);
	linux_crash_free(&c);
	findings_free(&notes);
	mpipl_analysis_free(&a);
	gm_free(gm);
	return rc;
}
