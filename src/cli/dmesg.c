// SPDX-License-Identifier: GPL-2.0-or-later
/* mpiplctl dmesg: the crashed kernel's log, as vmcore-dmesg prints it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../linux/crash.h"
#include "../linux/dmesg.h"
#include "../linux/vmcoreinfo.h"

/* Output is gathered into blocks of this size before each write. */
#define OUT_BLOCK (256u << 10)

static const struct argp_child dmesg_children[];

static error_t parse_dmesg(int key, char *arg, struct argp_state *state)
{
	return cli_parse_image_args(key, arg, state, state->input, dmesg_children, false);
}

static const struct argp_option dmesg_options[] = {
	{ "output", 'o', "FILE", 0, "write the log to FILE (default: standard output)", 0 },
	{ 0 },
};

static const struct argp_child dmesg_children[] = {
	{ &input_argp, 0, NULL, 0 },
	{ &vmcore_argp, 0, NULL, 0 },
	{ &report_argp, 0, NULL, 0 },
	{ 0 },
};

static const struct argp dmesg_argp = {
	dmesg_options, parse_dmesg, "IMAGE",
	"Print the kernel log of the crashed kernel in IMAGE (any input: saved states, dumps, "
	"our vmcores, the capture kernel's /proc/vmcore) as kexec-tools' vmcore-dmesg prints "
	"it, or with --json one object per record. The log is read from the printk buffer "
	"that the kernel's VMCOREINFO describes (found in guest RAM when the input has none).",
	dmesg_children, NULL, NULL,
};

struct dmesg_job {
	const struct kmem *k;
	const struct vmcoreinfo *vi;
	bool json;
	struct printk_stats st;
	struct sink *out;
	char *block; /* OUT_BLOCK + DMESG_LINE_MAX bytes */
	size_t used;
	struct mp_err *err;
	bool sink_failed; /* the error is in err */
};

static int emit_record(const struct printk_record *r, void *ctx)
{
	struct dmesg_job *job = ctx;

	job->used += job->json ? dmesg_format_json(r, job->block + job->used)
			       : dmesg_format_text(r, job->block + job->used);
	if (job->used < OUT_BLOCK)
		return 0;
	if (sink_write(job->out, job->block, job->used, job->err)) {
		job->sink_failed = true;
		return -1;
	}
	job->used = 0;
	return 0;
}

static int write_log(struct sink *out, void *ctx, struct mp_err *err)
{
	struct dmesg_job *job = ctx;
	struct mp_err walk;
	int rc;

	job->out = out;
	job->err = err;
	job->used = 0;
	rc = printk_walk(job->k, job->vi, emit_record, job, &job->st, &walk);
	if (job->sink_failed)
		return -1;
	if (rc)
		return mp_fail(err, walk.status, "%s", walk.msg);
	if (job->used && sink_write(out, job->block, job->used, err))
		return -1;
	return sink_finish(out, err);
}

static int write_stdout(struct dmesg_job *job)
{
	struct sink out;
	struct mp_err err;

	sink_init(&out, STDOUT_FILENO, "standard output");
	if (write_log(&out, job, &err)) {
		cli_error("%s", err.msg);
		return -1;
	}
	return 0;
}

static void say_skipped(const struct cli_opts *o, const struct dmesg_job *job)
{
	if (job->st.damaged || job->st.note[0])
		cli_note(o, "%s: kernel log: %llu records printed, %llu cut to fit the ring%s%s",
			 o->image, (unsigned long long)job->st.records,
			 (unsigned long long)job->st.damaged, job->st.note[0] ? "; " : "",
			 job->st.note);
	if (job->st.skipped)
		cli_note(o, "%s: kernel log: %llu descriptor(s) skipped (not committed: being "
			    "written, or free)",
			 o->image, (unsigned long long)job->st.skipped);
}

/*
 * The VMCOREINFO of the crashed kernel; an MPIPL guest's crash info header
 * names it, and after the MPIPL its memory is moved back from the fadump
 * destinations first (the capture kernel's log is not the one wanted).
 */
static int crashed_kernel_vmcoreinfo(struct guest_mem *gm, const struct cli_opts *o,
				     struct vmcoreinfo *vi, struct findings *f,
				     struct mp_err *err)
{
	struct mpipl_analysis a;
	struct analyze_opts ao;
	bool analysed, moved;
	int rc;

	cli_analyze_opts(o, &ao);
	analysed = mpipl_analyze(gm, &ao, &a, err) == 0;
	rc = analysed ? linux_crashed_view(gm, &a, &moved, err) : 0;
	if (rc == 0)
		rc = vmci_locate(gm, analysed && a.have_crash_info ? &a.ci : NULL,
				 o->vmcoreinfo_file, vi, f, err);
	if (analysed)
		mpipl_analysis_free(&a);
	return rc;
}

int cmd_dmesg(int argc, char **argv)
{
	struct dmesg_job job = { 0 };
	struct findings f = { 0 };
	struct vmcoreinfo vi = { 0 };
	struct guest_mem *gm;
	struct cli_opts o;
	struct mp_err err;
	struct outfile of = { .fd = -1 };
	struct kmem k;
	int rc = EXIT_BAD;

	cli_opts_init(&o);
	argp_parse(&dmesg_argp, argc, argv, 0, NULL, &o);
	if (o.output) {
		const char *inputs[] = { o.image, o.cpu_state, o.vmcoreinfo_file, NULL };

		/* Checked and opened before any work (output rules in the manual). */
		if (cli_output_open(&of, o.output, inputs, o.no_sync))
			return EXIT_BAD;
	}
	gm = cli_open_input(&o);
	if (!gm)
		goto out;
	if (crashed_kernel_vmcoreinfo(gm, &o, &vi, &f, &err)) {
		cli_error("%s", err.msg);
		goto out;
	}
	k = (struct kmem){ gm, o.endian == KERNEL_ENDIAN_AUTO ? vi.big_endian
							       : o.endian == KERNEL_ENDIAN_BE };
	job = (struct dmesg_job){ .k = &k, .vi = &vi, .json = o.json };
	job.block = malloc(OUT_BLOCK + DMESG_LINE_MAX);
	if (!job.block) {
		cli_error("out of memory");
		goto out;
	}
	if (o.output ? cli_output_write(&of, write_log, &job) : write_stdout(&job))
		goto out;
	for (size_t i = 0; i < f.n; i++)
		cli_note(&o, "%s", f.v[i].msg);
	say_skipped(&o, &job);
	rc = EXIT_OK;
out:
	free(job.block);
	vmci_free(&vi);
	findings_free(&f);
	gm_free(gm);
	outfile_abort(&of);
	return rc;
}
