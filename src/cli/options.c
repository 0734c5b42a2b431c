// SPDX-License-Identifier: GPL-2.0-or-later
/* Options shared by the subcommands, as argp children. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../mdst/hdat.h"
#include "../snapshot/cpu_json.h"
#include "../snapshot/input.h"
#include "../util/progress.h"

enum {
	OPT_BASE = 0x100,
	OPT_LAYOUT,
	OPT_MEM_BASE,
	OPT_SNAPSHOT,
	OPT_PROFILE,
	OPT_CPU_STATE,
	OPT_ENDIAN,
	OPT_JSON,
	OPT_STRICT,
};

void cli_opts_init(struct cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->base = DEFAULT_SKIBOOT_BASE;
	o->layout = LAYOUT_AUTO;
	o->profile = PROFILE_HDAT;
	o->endian = KERNEL_ENDIAN_AUTO;
}

int cli_parse_u64(const char *s, uint64_t *v)
{
	unsigned shift = 0;
	char *end;
	uint64_t x;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	default: break;
	}
	if (*end == 'i' && shift) /* accept KiB/MiB spelled "Ki", "Mi" */
		end++;
	if (*end == 'B' && shift)
		end++;
	if (*end || (shift && x > (UINT64_MAX >> shift)))
		return -1;
	*v = x << shift;
	return 0;
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mpiplctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_note(const struct cli_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (o->quiet)
		return;
	fputs("mpiplctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static error_t parse_input(int key, char *arg, struct argp_state *state)
{
	struct cli_opts *o = state->input;

	switch (key) {
	case OPT_BASE:
		if (cli_parse_u64(arg, &o->base))
			argp_error(state, "--base: '%s' is not an address", arg);
		o->base_given = true;
		break;
	case OPT_LAYOUT:
		if (layout_parse_name(arg, &o->layout))
			argp_error(state, "--layout: '%s' is not auto, 7.0 or 7.1", arg);
		break;
	case OPT_MEM_BASE:
		if (cli_parse_u64(arg, &o->mem_base))
			argp_error(state, "--mem-base: '%s' is not an address", arg);
		break;
	case OPT_ENDIAN:
		if (strcmp(arg, "auto") == 0)
			o->endian = KERNEL_ENDIAN_AUTO;
		else if (strcmp(arg, "le") == 0 || strcmp(arg, "little") == 0)
			o->endian = KERNEL_ENDIAN_LE;
		else if (strcmp(arg, "be") == 0 || strcmp(arg, "big") == 0)
			o->endian = KERNEL_ENDIAN_BE;
		else
			argp_error(state, "--endian: '%s' is not auto, le or be", arg);
		break;
	case OPT_CPU_STATE:
		o->cpu_state = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option input_options[] = {
	{ NULL, 0, NULL, 0, "Input:", 10 },
	{ "base", OPT_BASE, "ADDR", 0,
	  "skiboot's relocated base (default 0x30000000, skiboot's SKIBOOT_BASE)", 10 },
	{ "layout", OPT_LAYOUT, "auto|7.0|7.1", 0,
	  "where the tables are: auto (default) reads them from SPIRA-H; 7.0 and 7.1 are "
	  "the fixed offsets of skiboot up to 7.0 and from 7.1 on (7.1 is also QEMU's)",
	  10 },
	{ "mem-base", OPT_MEM_BASE, "ADDR", 0,
	  "raw images: guest address of the file's first byte (default 0)", 10 },
	{ "cpu-state", OPT_CPU_STATE, "FILE.json", 0,
	  "vCPU registers for inputs that carry none (format in mpiplctl(1))", 10 },
	{ "endian", OPT_ENDIAN, "auto|le|be", 0,
	  "byte order of the crashed kernel (default auto: from the crash info header's "
	  "magic)",
	  10 },
	{ 0 }
};

const struct argp input_argp = { input_options, parse_input, NULL, NULL, NULL, NULL, NULL };

static error_t parse_preserve(int key, char *arg, struct argp_state *state)
{
	struct cli_opts *o = state->input;

	if (key != OPT_PROFILE)
		return ARGP_ERR_UNKNOWN;
	if (profile_parse_name(arg, &o->profile))
		argp_error(state, "--profile: '%s' is not hdat or qemu", arg);
	return 0;
}

static const struct argp_option preserve_options[] = {
	{ NULL, 0, NULL, 0, "Preserve step:", 20 },
	{ "profile", OPT_PROFILE, "hdat|qemu", 0,
	  "hdat (default): what firmware is specified to do; qemu: bit-compatible with the "
	  "QEMU MPIPL patch, its bugs included",
	  20 },
	{ 0 }
};

const struct argp preserve_argp = { preserve_options, parse_preserve, NULL, NULL, NULL, NULL,
				    NULL };

static error_t parse_report(int key, char *arg, struct argp_state *state)
{
	struct cli_opts *o = state->input;

	(void)arg;
	switch (key) {
	case OPT_JSON:
		o->json = true;
		break;
	case OPT_STRICT:
		o->strict = true;
		break;
	case 'q':
		o->quiet = true;
		progress_allowed = false;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option report_options[] = {
	{ NULL, 0, NULL, 0, "Report:", 30 },
	{ "json", OPT_JSON, NULL, 0, "print the report as one JSON document on stdout", 30 },
	{ "strict", OPT_STRICT, NULL, 0,
	  "exit with status 1 when there are findings (warnings or errors)", 30 },
	{ "quiet", 'q', NULL, 0, "no progress line and no notes on stderr", 30 },
	{ 0 }
};

const struct argp report_argp = { report_options, parse_report, NULL, NULL, NULL, NULL, NULL };

struct guest_mem *cli_open_input(const struct cli_opts *o)
{
	struct input_opts io = { .mem_base = o->mem_base, .snapshot = o->snapshot };
	struct guest_mem *gm;
	struct mp_err err;

	gm = input_open(o->image, &io, &err);
	if (!gm) {
		cli_error("%s", err.msg);
		return NULL;
	}
	if (o->cpu_state) {
		struct vcpu_state *cpus;
		size_t n;

		if (cpu_state_load_json(o->cpu_state, &cpus, &n, &err)) {
			cli_error("%s", err.msg);
			gm_free(gm);
			return NULL;
		}
		gm_set_cpus(gm, cpus, n);
	}
	return gm;
}

void cli_analyze_opts(const struct cli_opts *o, struct analyze_opts *ao)
{
	memset(ao, 0, sizeof(*ao));
	ao->base = o->base;
	ao->layout = o->layout;
	ao->endian = o->endian;
}

int cli_exit_status(const struct cli_opts *o, const struct findings *f)
{
	if (o->strict && (findings_count(f, FINDING_WARNING) || findings_count(f, FINDING_ERROR)))
		return EXIT_FINDINGS;
	return EXIT_OK;
}
