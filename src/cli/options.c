// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Options shared by the subcommands, as argp children.
 *
 * `duplicates` pairs the option tables and parse switches of this file with
 * each other and with vmcore.c and capture.c by shape: each is argp's
 * declaration form (one { name, key, arg, flags, doc, group } row, one `case`
 * that checks and stores one option), and every row is a different option.
 * The same logic is not stated twice: the groups a command shares are argp
 * children (vmcore_cli_children), not copies.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../mpipl/hdat.h"
#include "../util/bytes.h"
#include "../util/progress.h"

enum {
	OPT_BASE = 0x100,
	OPT_LAYOUT,
	OPT_MEM_BASE,
	OPT_SNAPSHOT,
	OPT_STREAM_OFFSET,
	OPT_SALVAGE,
	OPT_PROFILE,
	OPT_CPU_STATE,
	OPT_ENDIAN,
	OPT_JSON,
	OPT_STRICT,
	OPT_PAGE_SIZE,
	OPT_RAM_RANGES,
	OPT_NR_CPUS,
	OPT_PTREGS_SIZE,
	OPT_NO_SYNC,
	OPT_MAX_SIZE,
	OPT_VMCOREINFO,
};


void cli_opts_init(struct cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->base = DEFAULT_SKIBOOT_BASE;
	o->layout = LAYOUT_AUTO;
	o->profile = PROFILE_HDAT;
	o->endian = KERNEL_ENDIAN_AUTO;
}

void cli_share_input(struct argp_state *state, const struct argp_child *children, void *input)
{
	/* state->child_inputs follows the order of this parser's children array. */
	for (int i = 0; children[i].argp; i++)
		state->child_inputs[i] = input;
}

error_t cli_parse_image_args(int key, char *arg, struct argp_state *state, struct cli_opts *o,
			     const struct argp_child *children, bool needs_output)
{
	switch (key) {
	case ARGP_KEY_INIT:
		cli_share_input(state, children, o);
		break;
	case 'o':
		o->output = arg;
		break;
	case ARGP_KEY_ARG:
		if (o->image)
			argp_error(state, "one IMAGE only ('%s' is extra)", arg);
		o->image = arg;
		break;
	case ARGP_KEY_END:
		if (!o->image)
			argp_error(state, "IMAGE is missing");
		if (needs_output && !o->output)
			argp_error(state, "-o OUT is missing (use -o - for standard output)");
		/* The report would land inside (or after) the binary output. */
		if (o->json && o->output && strcmp(o->output, "-") == 0)
			argp_error(state, "--json cannot share standard output with -o -");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
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

/* One line on stderr: escaped, long paths cut in the middle (mp_msg_line). */
static void print_line(const char *fmt, va_list ap)
{
	char line[MP_MSG_LINE_MAX + 1];
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0) {
		fputs("mpiplctl: out of memory\n", stderr);
		return;
	}
	mp_msg_line(msg, line, sizeof(line));
	fprintf(stderr, "mpiplctl: %s\n", line);
	free(msg);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_line(fmt, ap);
	va_end(ap);
}

void cli_note(const struct cli_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (o->quiet)
		return;
	va_start(ap, fmt);
	print_line(fmt, ap);
	va_end(ap);
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
	case OPT_SNAPSHOT:
		o->snapshot = arg;
		break;
	case OPT_SALVAGE:
		o->salvage = true;
		break;
	case OPT_MAX_SIZE:
		if (cli_parse_u64(arg, &o->max_size) || o->max_size == 0)
			argp_error(state, "--max-size: '%s' is not a size in bytes", arg);
		break;
	case OPT_STREAM_OFFSET:
		if (cli_parse_u64(arg, &o->stream_offset))
			argp_error(state, "--stream-offset: '%s' is not a byte offset", arg);
		o->stream_offset_given = true;
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
	{ "snapshot", OPT_SNAPSHOT, "TAG|ID", 0,
	  "qcow2 images: the internal snapshot (savevm) to read (default: the newest with a "
	  "VM state; inspect lists them all)",
	  10 },
	{ "stream-offset", OPT_STREAM_OFFSET, "N", 0,
	  "read a QEMU migration stream that starts at byte N of the file (QEMU's migrate "
	  "file:PATH,offset=N; found by itself when N < 256 KiB)",
	  10 },
	{ "salvage", OPT_SALVAGE, NULL, 0,
	  "migration streams cut short or damaged after their RAM block list: keep the pages "
	  "and vCPUs read before the fault (a warning says where it was)",
	  10 },
	{ "max-size", OPT_MAX_SIZE, "BYTES", 0,
	  "piped or compressed input: give up when it holds more than BYTES (default 1T)", 10 },
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
		argp_error(state, "--profile: '%s' is not hdat, qemu, qemu-v2 or qemu-chunk-carry",
			   arg);
	return 0;
}

static const struct argp_option preserve_options[] = {
	{ NULL, 0, NULL, 0, "Preserve step:", 20 },
	{ "profile", OPT_PROFILE, "NAME", 0,
	  "hdat (default): what firmware is specified to do; qemu: bit-compatible with the "
	  "QEMU MPIPL patch, its bugs included; qemu-v2: its v2 mails (34 registers); "
	  "qemu-chunk-carry: the snapshot whose chunk counter runs on across entries",
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
	case 'h':
		argp_state_help(state, state->out_stream, ARGP_HELP_STD_HELP);
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
	/* -h is what most tools take for help; argp's own is -?. */
	{ NULL, 'h', NULL, OPTION_HIDDEN, "same as --help", 30 },
	{ 0 }
};

const struct argp report_argp = { report_options, parse_report, NULL, NULL, NULL, NULL, NULL };

static error_t parse_output(int key, char *arg, struct argp_state *state)
{
	struct cli_opts *o = state->input;

	(void)arg;
	if (key != OPT_NO_SYNC)
		return ARGP_ERR_UNKNOWN;
	o->no_sync = true;
	return 0;
}

static const struct argp_option output_options[] = {
	{ NULL, 0, NULL, 0, "Output:", 28 },
	{ "no-sync", OPT_NO_SYNC, NULL, 0,
	  "do not fsync the output and its folder (faster; a power cut may lose the output)",
	  28 },
	{ 0 }
};

const struct argp output_argp = { output_options, parse_output, NULL, NULL, NULL, NULL, NULL };

int cli_exit_status(const struct cli_opts *o, const struct findings *f)
{
	if (o->strict && (findings_count(f, FINDING_WARNING) || findings_count(f, FINDING_ERROR)))
		return EXIT_FINDINGS;
	return EXIT_OK;
}

/* "START-END,START+SIZE,..." with the usual number forms. */
static int parse_ram_ranges(char *arg, struct cli_opts *o)
{
	char *save = NULL;

	for (char *tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *sep = strpbrk(tok, "-+");
		uint64_t a, b;
		char c;

		if (!sep || o->nram == MAX_RAM_RANGES)
			return -1;
		c = *sep;
		*sep = '\0';
		if (cli_parse_u64(tok, &a) || cli_parse_u64(sep + 1, &b))
			return -1;
		if (c == '+' && !add_u64_ok(a, b, &b))
			return -1;
		if (b <= a)
			return -1;
		o->ram[o->nram++] = (struct ram_range){ a, b };
	}
	return o->nram ? 0 : -1;
}

static error_t parse_vmcore_opts(int key, char *arg, struct argp_state *state)
{
	struct cli_opts *o = state->input;
	uint64_t n;

	switch (key) {
	case OPT_PAGE_SIZE:
		if (cli_parse_u64(arg, &o->page_size) || o->page_size < 4096 ||
		    o->page_size > (1u << 24) || (o->page_size & (o->page_size - 1)))
			argp_error(state, "--page-size: '%s' is not a power of two from 4096", arg);
		break;
	case OPT_RAM_RANGES:
		if (parse_ram_ranges(arg, o))
			argp_error(state, "--ram-ranges: expected START-END or START+SIZE, "
					  "comma-separated");
		break;
	case OPT_NR_CPUS:
		if (cli_parse_u64(arg, &n) || n == 0 || n > 65536)
			argp_error(state, "--nr-cpus: '%s' is not 1..65536", arg);
		/* The legacy header's cpu mask: NR_CPUS bits in whole longs. */
		o->legacy.cpu_mask_sz = (uint32_t)((n + 63) / 64 * 8);
		break;
	case OPT_PTREGS_SIZE:
		if (cli_parse_u64(arg, &n) || n == 0 || n % 8 || n > PT_REGS_MAX)
			argp_error(state, "--ptregs-size: '%s' is not a multiple of 8 up to 4096", arg);
		o->legacy.pt_regs_sz = (uint32_t)n;
		break;
	case OPT_VMCOREINFO:
		o->vmcoreinfo_file = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option vmcore_opts_options[] = {
	{ NULL, 0, NULL, 0, "Capture kernel (what the image does not hold):", 25 },
	{ "page-size", OPT_PAGE_SIZE, "BYTES", 0,
	  "the kernel's page size (default: PAGESIZE= of the VMCOREINFO note, else 65536)", 25 },
	{ "ram-ranges", OPT_RAM_RANGES, "LIST", 0,
	  "the capture kernel's RAM, START-END or START+SIZE, comma-separated (default: the "
	  "input's main RAM ranges)",
	  25 },
	{ "nr-cpus", OPT_NR_CPUS, "N", 0,
	  "legacy FADMPINF headers only: the crashed kernel's NR_CPUS (cpu mask size)", 25 },
	{ "ptregs-size", OPT_PTREGS_SIZE, "BYTES", 0,
	  "legacy FADMPINF headers only: sizeof(struct pt_regs) (default 384)", 25 },
	{ "vmcoreinfo", OPT_VMCOREINFO, "FILE", 0,
	  "the crashed kernel's VMCOREINFO text (or its ELF note) (default: from the crash "
	  "info header, else found in guest RAM)",
	  25 },
	{ 0 }
};

const struct argp vmcore_argp = { vmcore_opts_options, parse_vmcore_opts, NULL, NULL, NULL, NULL,
				  NULL };

