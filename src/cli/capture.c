// SPDX-License-Identifier: GPL-2.0-or-later
/* mpiplctl capture: a running QEMU's crashed fadump guest to a vmcore, live. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vmcore_cli.h"
#include "../qmp/capture.h"
#include "../util/outfile.h"

enum {
	OPT_QMP = 0x300,
	OPT_TIMEOUT,
	OPT_CONSOLE,
	OPT_RESUME,
	OPT_QUIT,
	OPT_AT,
	OPT_INTERVAL,
	OPT_DMESG,
};

/*
 * Defaults: a TCG guest boots in about a minute; a look is one `xp` round trip
 * (well under a millisecond of QEMU's time), and skiboot runs into its machine
 * check about 25 ms after the MPIPL request, so looks come every 5 ms.
 */
#define DEFAULT_TIMEOUT_S 600u
#define DEFAULT_INTERVAL_MS 5u

struct capture_cli {
	struct vmcore_cli v; /* first: the vmcore options' parsers are given &v.o */
	struct capture_opts co;
	enum capture_after after;
	const char *dmesg; /* --dmesg FILE, or NULL */
};


static error_t parse_capture(int key, char *arg, struct argp_state *state)
{
	struct capture_cli *c = state->input;
	uint64_t n;

	switch (key) {
	case ARGP_KEY_INIT:
		cli_share_input(state, vmcore_cli_children, &c->v.o);
		return 0;
	case 'o':
		c->v.o.output = arg;
		return 0;
	case OPT_QMP:
		c->co.socket = arg;
		return 0;
	case OPT_TIMEOUT:
		if (cli_parse_u64(arg, &n) || n < 1 || n > 86400 * 7)
			argp_error(state, "--timeout: '%s' is not 1..604800 seconds", arg);
		c->co.timeout_s = (unsigned)n;
		return 0;
	case OPT_INTERVAL:
		if (cli_parse_u64(arg, &n) || n < 1 || n > 10000)
			argp_error(state, "--interval: '%s' is not 1..10000 ms", arg);
		c->co.poll_ms = (unsigned)n;
		return 0;
	case OPT_CONSOLE:
		c->co.console = arg;
		return 0;
	case OPT_DMESG:
		c->dmesg = arg;
		return 0;
	case OPT_RESUME:
	case OPT_QUIT:
		if (c->after != CAPTURE_PAUSE)
			argp_error(state, "--resume and --quit exclude each other");
		c->after = key == OPT_RESUME ? CAPTURE_RESUME : CAPTURE_QUIT;
		return 0;
	case OPT_AT:
		if (strcmp(arg, "mpipl") == 0)
			return 0;
		if (strcmp(arg, "s0") == 0)
			argp_error(state, "--at=s0: stopping at the S0 interrupt needs QEMU's MPIPL "
					  "emulation (the patches queued for QEMU 11.1); this version "
					  "stops at the MPIPL request only (--at=mpipl)");
		argp_error(state, "--at: '%s' is not mpipl or s0", arg);
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "no IMAGE: capture reads the guest through --qmp ('%s' is extra)",
			   arg);
		return 0;
	case ARGP_KEY_END:
		if (!c->co.socket)
			argp_error(state, "--qmp SOCKET is missing");
		if (!c->v.o.output)
			argp_error(state, "-o VMCORE is missing (use -o - for standard output)");
		/* standard output carries the vmcore or the --json report: no log beside them */
		if (c->dmesg && strcmp(c->dmesg, "-") == 0 &&
		    (strcmp(c->v.o.output, "-") == 0 || c->v.o.json))
			argp_error(state, "--dmesg -: standard output already carries %s",
				   c->v.o.json ? "the --json report" : "the vmcore");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* Shares argp's row shape with vmcore.c's table (duplicates pairs them); the options differ. */
static const struct argp_option capture_options[] = {
	{ "qmp", OPT_QMP, "SOCKET", 0,
	  "QEMU's QMP unix socket (-qmp unix:SOCKET,server=on,wait=off)", 0 },
	{ "output", 'o', "VMCORE", 0, "the vmcore to write ('-': standard output)", 0 },
	{ "timeout", OPT_TIMEOUT, "S", 0, "wait at most S seconds for the crash (default 600)",
	  0 },
	{ "console", OPT_CONSOLE, "FILE", 0,
	  "QEMU's serial console log (-serial file:FILE): skiboot's \"Performing MPIPL\" line "
	  "also counts as the crash (and Linux's panic line with --synthesize)",
	  0 },
	{ "dmesg", OPT_DMESG, "FILE", 0,
	  "also write the crashed kernel's log to FILE, as `mpiplctl dmesg` prints it", 0 },
	{ "interval", OPT_INTERVAL, "MS", 0,
	  "milliseconds between two looks at the guest (default 5)", 0 },
	{ "resume", OPT_RESUME, NULL, 0, "let the guest run again after the capture", 0 },
	{ "quit", OPT_QUIT, NULL, 0, "end QEMU after the capture (default: leave it paused)", 0 },
	{ "at", OPT_AT, "mpipl|s0", 0,
	  "where to stop: mpipl (default), right after the kernel asked skiboot for the MPIPL",
	  0 },
	{ 0 },
};

static const struct argp capture_cmd_argp = {
	capture_options, parse_capture, "--qmp SOCKET -o VMCORE",
	"Attach to a running QEMU PowerNV guest, wait until its fadump kernel has crashed and "
	"asked skiboot for the MPIPL, stop it, read its state through a pipe (QMP getfd and "
	"migrate fd:) and write the vmcore the capture kernel would expose, as `vmcore` does. "
	"The guest stays paused unless --resume or --quit.",
	vmcore_cli_children, NULL, NULL,
};

static const char *trigger_name(enum capture_trigger t)
{
	switch (t) {
	case TRIGGER_FADUMP:
		return "crash-info-header";
	case TRIGGER_CONSOLE:
		return "console";
	case TRIGGER_PAUSED:
		return "paused";
	default:
		return "none";
	}
}

static const char *after_name(enum capture_after a)
{
	return a == CAPTURE_RESUME ? "resumed" : a == CAPTURE_QUIT ? "quit" : "paused";
}

struct capture_report {
	const struct capture *cap;
	const struct capture_cli *cli;
};

static void capture_json(struct json_out *j, void *ctx)
{
	const struct capture_report *r = ctx;
	const struct capture *c = r->cap;
	unsigned v[3];
	char ver[32];

	qmp_version(c->q, v);
	snprintf(ver, sizeof(ver), "%u.%u.%u", v[0], v[1], v[2]);
	jo_object(j, "capture");
	jo_string(j, "qmp", r->cli->co.socket);
	jo_string(j, "qemu", ver);
	jo_string(j, "machine", c->machine);
	jo_string(j, "status_before", c->status_before);
	jo_string(j, "trigger", trigger_name(c->trigger));
	jo_string(j, "how", c->how ? c->how : "");
	if (c->trigger == TRIGGER_FADUMP) {
		jo_hex(j, "crashing_cpu", c->crashing_cpu);
		jo_bool(j, "skiboot_recorded_pir", c->skiboot_saw);
		jo_hex(j, "skiboot_crashing_pir", c->skiboot_pir);
	}
	jo_uint(j, "stop_latency_us", (uint64_t)(c->stop_latency_ms * 1000));
	jo_uint(j, "migrate_ms", (uint64_t)(c->migrate_s * 1000));
	jo_string(j, "guest_after", after_name(r->cli->after));
	jo_end_object(j);
}

static void note_capture(const struct capture_cli *cli, const struct capture *c)
{
	if (cli->v.o.json)
		return;
	cli_note(&cli->v.o, "capture: crash seen after %.1f s (%s); guest stopped %.1f ms later%s",
		 c->wait_s, c->how ? c->how : "", c->stop_latency_ms,
		 c->trigger != TRIGGER_FADUMP ? ""
		 : c->skiboot_saw	      ? ", after skiboot recorded the crashing PIR"
					      : ", before skiboot recorded a crashing PIR");
	cli_note(&cli->v.o, "capture: state read through a pipe in %.1f s", c->migrate_s);
}

/*
 * The crashed kernel's log into the --dmesg output, not yet committed: it is
 * read before the vmcore step brings the memory to its post-MPIPL state, and
 * committed only once the vmcore is.
 */
static int write_dmesg(struct capture_cli *cli, struct guest_mem *gm, struct outfile *dof)
{
	struct sink out;
	struct mp_err err;

	sink_init(&out, dof->fd, dof->path);
	if (cli_dmesg_write(gm, &cli->v.o, false, &out, &err)) {
		cli_error("%s", err.msg);
		return -1;
	}
	return 0;
}

static int run_capture(struct capture_cli *cli, struct capture *c, struct outfile *of,
		       struct outfile *dof)
{
	struct input_opts io = { .salvage = false };
	struct capture_report rep = { c, cli };
	struct vmcore_report_extra extra = { "capture", capture_json, &rep };
	struct guest_mem *gm;
	struct mp_err err;
	int rc;

	vmcore_cli_prepare_decode(&cli->v, of);
	io.tmpdir = cli->v.o.tmpdir;
	io.ram_file_offset = cli->v.o.ram_file_offset;
	io.placer = cli->v.o.placer;
	io.placer_ctx = cli->v.o.placer_ctx;
	if (capture_attach(c, &cli->co, &err) || capture_wait_and_stop(c, &cli->co, &err))
		goto fail;
	gm = capture_take(c, &cli->co, &io, &err);
	if (!gm)
		goto fail;
	note_capture(cli, c);
	rc = cli->dmesg && write_dmesg(cli, gm, dof) ? EXIT_BAD
		: vmcore_cli_produce(&cli->v, gm, of, &extra);
	gm_free(gm);
	if (rc != EXIT_BAD && cli->dmesg && outfile_commit(dof, &err)) {
		cli_error("the vmcore is written, but: %s", err.msg);
		rc = EXIT_BAD;
	}
	if (rc == EXIT_BAD) {
		/* the reason is printed; the guest goes back to how it was */
		capture_undo(c);
		return rc;
	}
	if (capture_finish(c, cli->after, &err)) {
		cli_error("the vmcore is written, but: %s", err.msg);
		return EXIT_BAD;
	}
	return rc;
fail:
	cli_error("%s", err.msg);
	capture_undo(c);
	return EXIT_BAD;
}

/*
 * -o and --dmesg are checked and opened before the guest is touched. The
 * console log is an input; neither output may be the other (an existing file
 * is caught as an input of --dmesg, a new one by its name).
 */
static int open_outputs(const struct capture_cli *cli, struct outfile *of, struct outfile *dof)
{
	const char *vmcore = cli->v.o.output;
	const char *inputs[3] = { cli->co.console, NULL, NULL };
	const char *dinputs[3] = { NULL, NULL, NULL };
	size_t n = 0;

	if (cli->co.console)
		dinputs[n++] = cli->co.console;
	if (strcmp(vmcore, "-") != 0) /* "-" in inputs means standard input */
		dinputs[n++] = vmcore;
	if (cli->dmesg && strcmp(cli->dmesg, vmcore) == 0) {
		cli_error("%s: --dmesg and -o name the same file", vmcore);
		return -1;
	}
	if (cli_output_open(of, vmcore, inputs, cli->v.o.no_sync))
		return -1;
	if (cli->dmesg && cli_output_open(dof, cli->dmesg, dinputs, cli->v.o.no_sync))
		return -1;
	return 0;
}

int cmd_capture(int argc, char **argv)
{
	struct capture_cli *cli = calloc(1, sizeof(*cli));
	struct outfile of = { .fd = -1 }, dof = { .fd = -1 };
	struct capture c = { 0 };
	int rc = EXIT_BAD;

	if (!cli)
		return EXIT_BAD;
	vmcore_cli_init(&cli->v);
	cli->co = (struct capture_opts){ .timeout_s = DEFAULT_TIMEOUT_S,
					 .poll_ms = DEFAULT_INTERVAL_MS };
	argp_parse(&capture_cmd_argp, argc, argv, 0, NULL, cli);
	cli->co.base = cli->v.o.base;
	cli->co.plain_ok = cli->v.synthesize;
	if (open_outputs(cli, &of, &dof) == 0)
		rc = run_capture(cli, &c, &of, &dof);
	outfile_abort(&dof);
	outfile_abort(&of);
	capture_close(&c);
	vmcore_cli_release(&cli->v);
	free(cli);
	return rc;
}
