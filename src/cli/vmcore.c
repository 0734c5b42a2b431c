// SPDX-License-Identifier: GPL-2.0-or-later
/* mpiplctl vmcore: the capture kernel's /proc/vmcore, offline. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "../elfcore/elf_writer.h"
#include "../elfcore/vmcore.h"
#include "../mdst/preserve.h"
#include "../util/bytes.h"
#include "../util/outfile.h"

#define MAX_RAM_RANGES 256

enum {
	OPT_POST = 0x200,
	OPT_PAGE_SIZE,
	OPT_RAM_RANGES,
	OPT_SYNTHESIZE,
	OPT_NR_CPUS,
	OPT_PTREGS_SIZE,
};

struct vmcore_cli {
	struct cli_opts o;
	bool post;
	bool synthesize;
	uint64_t page_size;
	struct ram_range ram[MAX_RAM_RANGES];
	size_t nram;
	uint32_t legacy_nr_cpus;
	uint32_t legacy_ptregs;
};

/* "START-END,START+SIZE,..." with the usual number forms. */
static int parse_ram_ranges(char *arg, struct vmcore_cli *v)
{
	for (char *tok = strtok(arg, ","); tok; tok = strtok(NULL, ",")) {
		char *sep = strpbrk(tok, "-+");
		uint64_t a, b;
		char c;

		if (!sep || v->nram == MAX_RAM_RANGES)
			return -1;
		c = *sep;
		*sep = '\0';
		if (cli_parse_u64(tok, &a) || cli_parse_u64(sep + 1, &b))
			return -1;
		if (c == '+' && !add_u64_ok(a, b, &b))
			return -1;
		if (b <= a)
			return -1;
		v->ram[v->nram++] = (struct ram_range){ a, b };
	}
	return v->nram ? 0 : -1;
}

static error_t parse_vmcore_cmd(int key, char *arg, struct argp_state *state)
{
	struct vmcore_cli *v = state->input;
	uint64_t n;

	switch (key) {
	case ARGP_KEY_INIT:
		for (int i = 0; state->root_argp->children[i].argp; i++)
			state->child_inputs[i] = &v->o;
		break;
	case 'o':
		v->o.output = arg;
		break;
	case OPT_POST:
		v->post = true;
		break;
	case OPT_SYNTHESIZE:
		v->synthesize = true;
		break;
	case OPT_PAGE_SIZE:
		if (cli_parse_u64(arg, &v->page_size) || v->page_size < 4096 ||
		    (v->page_size & (v->page_size - 1)))
			argp_error(state, "--page-size: '%s' is not a power of two >= 4096", arg);
		break;
	case OPT_RAM_RANGES:
		if (parse_ram_ranges(arg, v))
			argp_error(state, "--ram-ranges: expected START-END or START+SIZE, "
					  "comma-separated");
		break;
	case OPT_NR_CPUS:
		if (cli_parse_u64(arg, &n) || n == 0 || n > 65536)
			argp_error(state, "--nr-cpus: '%s' is not 1..65536", arg);
		/* The legacy header's cpu mask: NR_CPUS bits rounded to longs. */
		v->legacy_nr_cpus = (uint32_t)((n + 63) / 64 * 8);
		break;
	case OPT_PTREGS_SIZE:
		if (cli_parse_u64(arg, &n) || n == 0 || n % 8 || n > 4096)
			argp_error(state, "--ptregs-size: '%s' is not a multiple of 8 up to 4096", arg);
		v->legacy_ptregs = (uint32_t)n;
		break;
	case ARGP_KEY_ARG:
		if (v->o.image)
			argp_error(state, "one IMAGE only ('%s' is extra)", arg);
		v->o.image = arg;
		break;
	case ARGP_KEY_END:
		if (!v->o.image)
			argp_error(state, "IMAGE is missing");
		if (!v->o.output)
			argp_error(state, "-o VMCORE is missing (use -o - for standard output)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option vmcore_options[] = {
	{ "output", 'o', "VMCORE", 0, "the vmcore to write ('-': standard output)", 0 },
	{ "post", OPT_POST, NULL, 0,
	  "IMAGE is already post-MPIPL (default: detected from the MDRT)", 0 },
	{ "page-size", OPT_PAGE_SIZE, "BYTES", 0,
	  "the kernel's page size (default: PAGESIZE= of the VMCOREINFO note, else 65536)", 0 },
	{ "ram-ranges", OPT_RAM_RANGES, "LIST", 0,
	  "the capture kernel's RAM, START-END or START+SIZE, comma-separated (default: the "
	  "input's main RAM ranges)",
	  0 },
	{ "synthesize", OPT_SYNTHESIZE, NULL, 0,
	  "without a fadump registration, write a plain core of all RAM with the input's CPU "
	  "state",
	  0 },
	{ "nr-cpus", OPT_NR_CPUS, "N", 0,
	  "legacy FADMPINF headers only: the crashed kernel's NR_CPUS (cpu mask size)", 0 },
	{ "ptregs-size", OPT_PTREGS_SIZE, "BYTES", 0,
	  "legacy FADMPINF headers only: sizeof(struct pt_regs) (default 384)", 0 },
	{ 0 },
};

static const struct argp_child vmcore_children[] = {
	{ &input_argp, 0, NULL, 0 },
	{ &preserve_argp, 0, NULL, 0 },
	{ &report_argp, 0, NULL, 0 },
	{ 0 },
};

static const struct argp vmcore_cmd_argp = {
	vmcore_options, parse_vmcore_cmd, "IMAGE -o VMCORE",
	"Write the ELF vmcore that Linux's capture kernel would expose as /proc/vmcore after "
	"an OPAL fadump (MPIPL) boot. A pre-crash IMAGE goes through the preserve step in "
	"memory first (same options as preserve); a post-MPIPL one is read as it is.",
	vmcore_children, NULL, NULL,
};

/* Run the firmware step in memory when the image is still pre-MPIPL, then read it back. */
static int bring_to_post(struct guest_mem *gm, struct vmcore_cli *v, struct mpipl_analysis *a,
			 struct mp_err *err)
{
	struct findings preserve_findings = { 0 };
	struct preserve_report *r;
	struct preserve_opts po;
	struct analyze_opts ao;
	int rc;

	if (v->post || a->post_mpipl)
		return 0;
	r = mp_calloc(1, sizeof(*r), err);
	if (!r)
		return -1;
	po = (struct preserve_opts){ .profile = v->o.profile, .cpus = gm->cpus, .ncpus = gm->ncpus };
	rc = mpipl_preserve(gm, &a->layout, a->tables, &po, r, &preserve_findings, err);
	if (rc == 0 && !r->cpus_written)
		cli_note(&v->o, "%s", r->cpu_note);
	free(r);
	if (rc == 0) {
		/* The capture kernel sees memory after the firmware's writes. */
		mpipl_analysis_free(a);
		cli_analyze_opts(&v->o, &ao);
		ao.legacy = (struct crash_info_legacy_sizes){ v->legacy_ptregs, v->legacy_nr_cpus };
		rc = mpipl_analyze(gm, &ao, a, err);
	}
	for (size_t i = 0; rc == 0 && i < preserve_findings.n; i++)
		findings_add(&a->findings, preserve_findings.v[i].level, preserve_findings.v[i].code,
			     preserve_findings.v[i].spec, "%s", preserve_findings.v[i].msg);
	findings_free(&preserve_findings);
	return rc;
}

static void summary(FILE *f, const struct vmcore_model *m, const struct vmcore_cli *v,
		    bool synthesized)
{
	char rel[128] = "?";

	vmcoreinfo_get(m, "OSRELEASE", rel, sizeof(rel));
	fprintf(f, "vmcore: %s%s, %zu CPU note(s), %zu program header(s) after the note, %" PRIu64
		   "-byte pages, kernel %s\n",
		synthesized ? "plain core of all RAM (no fadump registration)" : "ELF",
		synthesized ? "" : " as /proc/vmcore", m->ncpu_notes, m->nphdrs, m->page_size,
		rel);
	fprintf(f, "  output: %s\n", v->o.output);
}

static int write_vmcore(struct guest_mem *gm, const struct vmcore_model *m,
			const struct vmcore_cli *v)
{
	struct outfile of;
	struct sink out;
	struct mp_err err;

	if (outfile_open(&of, v->o.output, &err)) {
		cli_error("%s", err.msg);
		return -1;
	}
	sink_init(&out, of.fd, v->o.output);
	if (vmcore_write_elf(gm, m, &out, &err) || outfile_commit(&of, &err)) {
		outfile_abort(&of);
		cli_error("%s", err.msg);
		return -1;
	}
	return 0;
}

static int build_model(struct guest_mem *gm, struct vmcore_cli *v, struct mpipl_analysis *a,
		       bool analysed, struct vmcore_model *m, bool *synthesized, struct mp_err *err)
{
	struct vmcore_opts vo = { .page_size = v->page_size,
				  .ram = v->nram ? v->ram : NULL,
				  .nram = v->nram };

	*synthesized = false;
	if (analysed && a->have_kernel_meta)
		return vmcore_model_build(gm, a, &vo, m, &a->findings, err);
	if (!v->synthesize)
		return mp_fail(err, MP_EINPUT,
			       "%s: no fadump registration in this image (%s): pass --synthesize "
			       "for a plain core of all RAM",
			       gm->path, analysed ? "no KERNEL tag" : "no MPIPL tables");
	*synthesized = true;
	return vmcore_model_synthesize(gm, &vo, v->o.endian == KERNEL_ENDIAN_BE, m, err);
}

int cmd_vmcore(int argc, char **argv)
{
	struct vmcore_cli *v = calloc(1, sizeof(*v));
	struct mpipl_analysis a = { 0 };
	struct vmcore_model m = { 0 };
	struct guest_mem *gm = NULL;
	struct analyze_opts ao;
	struct mp_err err;
	bool analysed, synthesized;
	int rc = EXIT_BAD;

	if (!v)
		return EXIT_BAD;
	cli_opts_init(&v->o);
	argp_parse(&vmcore_cmd_argp, argc, argv, 0, NULL, v);
	gm = cli_open_input(&v->o);
	if (!gm)
		goto out;
	cli_analyze_opts(&v->o, &ao);
	ao.legacy = (struct crash_info_legacy_sizes){ v->legacy_ptregs, v->legacy_nr_cpus };
	analysed = mpipl_analyze(gm, &ao, &a, &err) == 0;
	if (!analysed && !v->synthesize) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (analysed && a.have_kernel_meta && bring_to_post(gm, v, &a, &err)) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (build_model(gm, v, &a, analysed, &m, &synthesized, &err)) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (synthesized)
		cli_note(&v->o, "no fadump registration: writing a plain core of all guest RAM");
	if (write_vmcore(gm, &m, v))
		goto out;
	if (!v->o.quiet && !v->o.json)
		summary(strcmp(v->o.output, "-") == 0 ? stderr : stdout, &m, v, synthesized);
	rc = cli_exit_status(&v->o, &a.findings);
out:
	vmcore_model_free(&m);
	mpipl_analysis_free(&a);
	gm_free(gm);
	free(v);
	return rc;
}
