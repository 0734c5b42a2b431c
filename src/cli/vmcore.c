// SPDX-License-Identifier: GPL-2.0-or-later
/* mpiplctl vmcore: the capture kernel's /proc/vmcore, offline. */
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vmcore_cli.h"
#include "report.h"
#include "../vmcore/elf_inplace.h"
#include "../vmcore/elf_writer.h"
#include "../vmcore/kdump/kdump_writer.h"
#include "../linux/crash.h"

enum {
	OPT_POST = 0x200,
	OPT_SYNTHESIZE,
	OPT_FORMAT,
	OPT_COMPRESS,
	OPT_THREADS,
};


/* The vmcore_cli around the cli_opts every child parser is given. */
static struct vmcore_cli *vmcore_cli_of(struct cli_opts *o)
{
	return (struct vmcore_cli *)((char *)o - offsetof(struct vmcore_cli, o));
}

static error_t parse_vmcore_output(int key, char *arg, struct argp_state *state)
{
	struct vmcore_cli *v = vmcore_cli_of(state->input);

	switch (key) {
	case OPT_POST:
		v->post = true;
		return 0;
	case OPT_SYNTHESIZE:
		if (arg && strcmp(arg, "always"))
			argp_error(state, "--synthesize: '%s' is not 'always'", arg);
		v->synthesize = true;
		v->synthesize_always = arg != NULL;
		return 0;
	case OPT_FORMAT:
		if (strcmp(arg, "elf") && strcmp(arg, "kdump"))
			argp_error(state, "--format: '%s' is not elf or kdump", arg);
		v->kdump = strcmp(arg, "kdump") == 0;
		return 0;
	case OPT_COMPRESS:
		if (strcmp(arg, "zstd") == 0)
			v->kopts.compress = KDUMP_ZSTD;
		else if (strcmp(arg, "zlib") == 0)
			v->kopts.compress = KDUMP_ZLIB;
		else if (strcmp(arg, "none") == 0)
			v->kopts.compress = KDUMP_NONE;
		else
			argp_error(state, "--compress: '%s' is not zstd, zlib or none", arg);
		v->kdump_only = "--compress";
		return 0;
	case OPT_THREADS: {
		uint64_t n;

		if (cli_parse_u64(arg, &n) || n < 1 || n > KDUMP_THREADS_MAX)
			argp_error(state, "--threads: '%s' is not 1..%u", arg, KDUMP_THREADS_MAX);
		v->kopts.threads = (unsigned)n;
		v->kdump_only = "--threads";
		return 0;
	}
	case ARGP_KEY_END:
		if (v->kdump_only && !v->kdump)
			argp_error(state, "%s applies to --format=kdump only", v->kdump_only);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static error_t parse_vmcore_cmd(int key, char *arg, struct argp_state *state)
{
	struct vmcore_cli *v = state->input;

	return cli_parse_image_args(key, arg, state, &v->o, vmcore_cli_children, true);
}

static const struct argp_option vmcore_options[] = {
	{ "output", 'o', "VMCORE", 0, "the vmcore to write ('-': standard output)", 0 },
	{ 0 },
};

static const struct argp_option vmcore_output_options[] = {
	{ "post", OPT_POST, NULL, 0,
	  "IMAGE is already post-MPIPL: no preserve step (default: detected from the MDRT)", 0 },
	{ "synthesize", OPT_SYNTHESIZE, "always", OPTION_ARG_OPTIONAL,
	  "without a fadump registration, write a plain core of all RAM with the input's CPU "
	  "state and the VMCOREINFO found in RAM (always: even with one, the guest as it was "
	  "when saved)",
	  0 },
	{ "format", OPT_FORMAT, "elf|kdump", 0,
	  "elf (default): /proc/vmcore as it is; kdump: the kdump-compressed format "
	  "makedumpfile writes and crash reads",
	  0 },
	{ "compress", OPT_COMPRESS, "zstd|zlib|none", 0,
	  "kdump page compression (default zstd; crash reads all three)", 0 },
	{ "threads", OPT_THREADS, "N", 0,
	  "kdump compression threads beside the one that reads and writes (and compresses "
	  "when it would wait; default: one less than the usable cores, at least 1)", 0 },
	{ 0 },
};

const struct argp vmcore_output_argp = { vmcore_output_options, parse_vmcore_output, NULL, NULL,
					 NULL, NULL, NULL };

const struct argp_child vmcore_cli_children[] = {
	{ &vmcore_output_argp, 0, NULL, 0 },
	{ &input_argp, 0, NULL, 0 },
	{ &preserve_argp, 0, NULL, 0 },
	{ &vmcore_argp, 0, NULL, 0 },
	{ &output_argp, 0, NULL, 0 },
	{ &report_argp, 0, NULL, 0 },
	{ 0 },
};

static const struct argp vmcore_cmd_argp = {
	vmcore_options, parse_vmcore_cmd, "IMAGE -o VMCORE",
	"Write the ELF vmcore that Linux's capture kernel would expose as /proc/vmcore after "
	"an OPAL fadump (MPIPL) boot. A pre-MPIPL IMAGE goes through the preserve step in "
	"memory first (same options as preserve); a post-MPIPL one is read as it is.",
	vmcore_cli_children, NULL, NULL,
};

/*
 * Compression workers: one less than the cores this process may run on (the
 * calling thread, which reads, writes and compresses when it would wait, is
 * the last one), at least one. More threads than cores made 2 workers slower
 * than 1 on 2 cores.
 */
static unsigned default_threads(void)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	if (n <= 2)
		return 1;
	return n - 1 > (long)KDUMP_THREADS_MAX ? KDUMP_THREADS_MAX : (unsigned)(n - 1);
}

struct vmcore_job {
	struct guest_mem *gm;
	const struct vmcore_model *m;
	const struct vmcore_cli *v;
};

static int write_vmcore_to(struct sink *out, void *ctx, struct mp_err *err)
{
	const struct vmcore_job *job = ctx;

	return job->v->kdump ? vmcore_write_kdump(job->gm, job->m, &job->v->kopts, out, err)
			     : vmcore_write_elf(job->gm, job->m, out, err);
}

static int elf_in_place(struct guest_mem *gm, const void *ctx, int *fd, struct mp_err *err)
{
	const struct vmcore_job *job = ctx;

	return vmcore_elf_in_place(gm, job->m, job->v->o.tmpdir, fd, err);
}

/* The ELF vmcore is made of the decoded file itself (README, "Streams in one pass"). */
static bool elf_one_pass(const struct vmcore_cli *v)
{
	return !v->kdump && !cli_passes_forced("2");
}

static int write_vmcore(struct guest_mem *gm, const struct vmcore_model *m,
			const struct vmcore_cli *v, struct outfile *of)
{
	struct vmcore_job job = { gm, m, v };
	int rc = elf_one_pass(v) ? cli_one_pass(gm, of, elf_in_place, &job) : 0;

	if (rc)
		return rc < 0 ? -1 : 0;
	return cli_output_write(of, write_vmcore_to, &job);
}

/*
 * A plain core: the crashed kernel's VMCOREINFO (from RAM or --vmcoreinfo)
 * as a note, its page size, and the CPU notes in the order crash needs.
 */
static int synthesize(struct guest_mem *gm, const struct vmcore_cli *v, struct vmcore_opts *vo,
		      struct vmcore_model *m, struct findings *f, struct mp_err *err)
{
	struct linux_crash c;
	size_t *order = NULL;
	bool be = v->o.endian == KERNEL_ENDIAN_BE;
	int rc;

	if (linux_crash_read(gm, NULL, v->o.vmcoreinfo_file, &c, f, err))
		return -1;
	if (c.have_vi) {
		vo->vmcoreinfo = c.vi.text;
		vo->vmcoreinfo_len = c.vi.len;
		if (v->o.endian == KERNEL_ENDIAN_AUTO)
			be = c.vi.big_endian;
	} else {
		findings_add(f, FINDING_WARNING, "no-vmcoreinfo", "issue 11",
			     "%s: the core carries no VMCOREINFO note",
			     c.vi_error ? c.vi_error : "");
	}
	order = mp_calloc(c.ncpus ? c.ncpus : 1, sizeof(*order), err);
	rc = order ? 0 : -1;
	if (rc == 0) {
		linux_crash_note_order(&c, v->kdump, order);
		vo->cpu_order = order;
		vo->ncpu_order = c.ncpus;
		rc = vmcore_model_synthesize(gm, vo, be, m, f, err);
	}
	free(order);
	linux_crash_free(&c);
	return rc;
}

static int build_model(struct guest_mem *gm, struct vmcore_cli *v, struct mpipl_analysis *a,
		       bool analysed, struct vmcore_model *m, bool *synthesized, struct mp_err *err)
{
	struct vmcore_opts vo;

	cli_vmcore_opts(&v->o, &vo);
	*synthesized = false;
	if (analysed && a->have_kernel_meta && !v->synthesize_always)
		return vmcore_model_build(gm, a, &vo, m, &a->findings, err);
	if (!v->synthesize)
		return mp_fail(err, MP_EINPUT,
			       "%s: no fadump registration in this image (%s): pass --synthesize "
			       "for a plain core of all RAM",
			       gm->path, analysed ? "no KERNEL tag" : "no MPIPL tables");
	*synthesized = true;
	return synthesize(gm, v, &vo, m, &a->findings, err);
}

static void report(const struct vmcore_cli *v, struct guest_mem *gm,
		   const struct vmcore_model *m, const struct findings *fs, bool synthesized,
		   const struct vmcore_report_extra *extra)
{
	FILE *f = strcmp(v->o.output, "-") == 0 ? stderr : stdout;

	if (v->o.json) {
		struct json_out j;

		jo_init(&j, stdout);
		jo_object(&j, NULL);
		report_header_json(&j, extra ? extra->command : "vmcore");
		report_input_json(&j, gm);
		jo_string(&j, "output", v->o.output);
		jo_string(&j, "kind", synthesized ? "synthesized" : "fadump");
		jo_string(&j, "format", v->kdump ? "kdump" : "elf");
		if (extra && extra->json)
			extra->json(&j, extra->ctx);
		report_vmcore_json(&j, m);
		report_findings_json(&j, fs);
		jo_end_object(&j);
		jo_finish(&j);
		return;
	}
	if (v->o.quiet)
		return;
	fprintf(f, "vmcore written to %s (%s)%s\n", v->o.output,
		v->kdump ? "kdump-compressed" : "ELF",
		!synthesized		? ""
		: v->synthesize_always ? ", a plain core of all RAM (--synthesize=always)"
					: ", a plain core of all RAM: no fadump registration");
	report_vmcore_text(f, m);
}

void vmcore_cli_prepare_decode(struct vmcore_cli *v, const struct outfile *of)
{
	if (!elf_one_pass(v))
		return;
	cli_decode_beside(&v->o, of);
	v->o.ram_file_offset = VMCORE_ELF_HEAD_GUESS;
	/* A plain core keeps RAM in order: the usual places are its places. */
	if (v->synthesize_always)
		return;
	stream_place_init(&v->place);
	cli_analyze_opts(&v->o, &v->place.ao);
	cli_vmcore_opts(&v->o, &v->place.vo);
	v->place.profile = v->o.profile;
	v->place.post = v->post;
	v->place.head = VMCORE_ELF_HEAD_GUESS;
	v->o.placer = stream_place_fn;
	v->o.placer_ctx = &v->place;
}

void vmcore_cli_release(struct vmcore_cli *v)
{
	stream_place_free(&v->place);
}

void vmcore_cli_init(struct vmcore_cli *v)
{
	memset(v, 0, sizeof(*v));
	cli_opts_init(&v->o);
	v->kopts = (struct kdump_opts){ .compress = KDUMP_ZSTD, .threads = default_threads() };
}

int vmcore_cli_produce(struct vmcore_cli *v, struct guest_mem *gm, struct outfile *of,
		       const struct vmcore_report_extra *extra)
{
	struct mpipl_analysis a = { 0 };
	struct vmcore_model m = { 0 };
	struct analyze_opts ao;
	struct mp_err err;
	bool analysed, synthesized;
	char cpu_note[300] = "";
	int rc = EXIT_BAD;

	cli_analyze_opts(&v->o, &ao);
	analysed = mpipl_analyze(gm, &ao, &a, &err) == 0;
	if (!analysed && !v->synthesize) {
		cli_analysis_error(gm, &err);
		goto out;
	}
	/* A registration the capture kernel would reject needs no preserve step first. */
	if (analysed && a.kernel_tag && !v->synthesize_always &&
	    (!a.have_kernel_meta || !a.have_config || !a.have_crash_info)) {
		cli_error("%s: %s", gm->path,
			  a.kernel_meta_error ? a.kernel_meta_error
			  : a.crash_info_error ? a.crash_info_error
						  : "the fadump kernel metadata is invalid");
		goto out;
	}
	if (analysed && a.have_kernel_meta && !v->post && !v->synthesize_always &&
	    cli_to_post_mpipl(gm, &v->o, &a, cpu_note, sizeof(cpu_note), &err)) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (build_model(gm, v, &a, analysed, &m, &synthesized, &err)) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (write_vmcore(gm, &m, v, of))
		goto out;
	if (cpu_note[0] && !v->o.json)
		cli_note(&v->o, "%s", cpu_note);
	report(v, gm, &m, &a.findings, synthesized, extra);
	rc = cli_exit_status(&v->o, &a.findings);
out:
	vmcore_model_free(&m);
	mpipl_analysis_free(&a);
	return rc;
}

int cmd_vmcore(int argc, char **argv)
{
	struct vmcore_cli *v = calloc(1, sizeof(*v));
	struct outfile of = { .fd = -1 };
	struct guest_mem *gm = NULL;
	int rc = EXIT_BAD;

	if (!v)
		return EXIT_BAD;
	vmcore_cli_init(v);
	argp_parse(&vmcore_cmd_argp, argc, argv, 0, NULL, v);
	if (cli_open_output(&of, &v->o) == 0) {
		vmcore_cli_prepare_decode(v, &of);
		gm = cli_open_input(&v->o);
		if (gm)
			rc = vmcore_cli_produce(v, gm, &of, NULL);
	}
	outfile_abort(&of);
	gm_free(gm);
	vmcore_cli_release(v);
	free(v);
	return rc;
}
