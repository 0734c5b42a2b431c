// SPDX-License-Identifier: GPL-2.0-or-later
/* mpiplctl opalcore: the capture kernel's /sys/firmware/opal/mpipl/core, offline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "../vmcore/opalcore.h"

static const struct argp_child opalcore_children[];

static error_t parse_opalcore_cmd(int key, char *arg, struct argp_state *state)
{
	return cli_parse_image_args(key, arg, state, state->input, opalcore_children, true);
}

static const struct argp_option opalcore_options[] = {
	{ "output", 'o', "CORE", 0, "the OPAL core to write ('-': standard output)", 0 },
	{ 0 },
};

static const struct argp_child opalcore_children[] = {
	{ &input_argp, 0, NULL, 0 },
	{ &preserve_argp, 0, NULL, 0 },
	{ &vmcore_argp, 0, NULL, 0 },
	{ &report_argp, 0, NULL, 0 },
	{ 0 },
};

static const struct argp opalcore_cmd_argp = {
	opalcore_options, parse_opalcore_cmd, "IMAGE -o CORE",
	"Write the ELF core of OPAL (skiboot) that Linux's capture kernel exports at "
	"/sys/firmware/opal/mpipl/core after an MPIPL boot: OPAL's memory as the MDRT's OPAL "
	"entries point at it, and one NT_PRSTATUS per thread record. A pre-MPIPL IMAGE goes "
	"through the preserve step in memory first (same options as preserve).",
	opalcore_children, NULL, NULL,
};

struct opalcore_job {
	struct guest_mem *gm;
	const struct opalcore_model *m;
};

static int write_core(struct sink *out, void *ctx, struct mp_err *err)
{
	const struct opalcore_job *job = ctx;

	return opalcore_write(job->gm, job->m, out, err);
}

static void report(const struct cli_opts *o, struct guest_mem *gm,
		   const struct opalcore_model *m, const struct findings *fs)
{
	FILE *f = strcmp(o->output, "-") == 0 ? stderr : stdout;

	if (o->json) {
		struct json_out j;

		jo_init(&j, stdout);
		jo_object(&j, NULL);
		report_header_json(&j, "opalcore");
		report_input_json(&j, gm);
		jo_string(&j, "output", o->output);
		jo_uint(&j, "size", m->total);
		jo_hex(&j, "opal_base", m->opal_base);
		jo_hex(&j, "opal_entry", m->opal_entry);
		jo_hex(&j, "crashing_pir", m->crashing_pir);
		jo_uint(&j, "cpu_notes", m->nnotes);
		jo_array(&j, "loads");
		for (size_t i = 0; i < m->nload; i++) {
			jo_object(&j, NULL);
			jo_hex(&j, "data", m->load[i].data);
			jo_hex(&j, "mdrt_src", m->load[i].src);
			jo_uint(&j, "size", m->load[i].size);
			jo_end_object(&j);
		}
		jo_end_array(&j);
		report_findings_json(&j, fs);
		jo_end_object(&j);
		jo_finish(&j);
		return;
	}
	if (o->quiet)
		return;
	fprintf(f, "OPAL core written to %s: %llu bytes, %zu CPU notes (crashing PIR 0x%x)\n",
		o->output, (unsigned long long)m->total, m->nnotes, m->crashing_pir);
	for (size_t i = 0; i < m->nload; i++)
		fprintf(f, "  LOAD  vaddr 0x%llx  size 0x%llx  data from 0x%llx (MDRT src 0x%llx)\n",
			(unsigned long long)m->opal_base, (unsigned long long)m->load[i].size,
			(unsigned long long)m->load[i].data, (unsigned long long)m->load[i].src);
}

int cmd_opalcore(int argc, char **argv)
{
	struct opalcore_model m = { 0 };
	struct mpipl_analysis a = { 0 };
	struct guest_mem *gm = NULL;
	struct outfile of = { .fd = -1 };
	struct opalcore_job job;
	struct analyze_opts ao;
	struct cli_opts o;
	struct mp_err err;
	int rc = EXIT_BAD;

	cli_opts_init(&o);
	argp_parse(&opalcore_cmd_argp, argc, argv, 0, NULL, &o);
	if (cli_open_output(&of, &o))
		return EXIT_BAD;
	gm = cli_open_input(&o);
	if (!gm)
		goto out;
	cli_analyze_opts(&o, &ao);
	if (mpipl_analyze(gm, &ao, &a, &err)) {
		cli_analysis_error(gm, &err);
		goto out;
	}
	if (cli_to_post_mpipl(gm, &o, &a, NULL, 0, &err) ||
	    opalcore_build(gm, &a, o.page_size, &m, &a.findings, &err)) {
		cli_error("%s", err.msg);
		goto out;
	}
	job = (struct opalcore_job){ gm, &m };
	if (cli_output_write(&of, write_core, &job))
		goto out;
	report(&o, gm, &m, &a.findings);
	rc = cli_exit_status(&o, &a.findings);
out:
	outfile_abort(&of);
	opalcore_free(&m);
	mpipl_analysis_free(&a);
	gm_free(gm);
	return rc;
}
