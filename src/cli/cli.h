/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared pieces of the command line: options, input opening, exit codes. */
#ifndef MPIPL_CLI_CLI_H
#define MPIPL_CLI_CLI_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

#include "../input/input.h"
#include "../vmcore/vmcore.h"
#include "../mpipl/analyze.h"
#include "../mpipl/regsave.h"
#include "../guestmem/guest_mem.h"
#include "../util/outfile.h"
#include "../util/sink.h"

#define MPIPLCTL_VERSION "0.1.0"
#define MAX_RAM_RANGES 256
/* Addresses inspect --symbolize takes at most. */
#define SYMBOLIZE_MAX 64
/* Bumped when a --json document changes incompatibly. */
#define JSON_SCHEMA_VERSION 1

enum exit_code {
	EXIT_OK = 0,
	EXIT_FINDINGS = 1, /* success, but --strict and there were findings */
	EXIT_BAD = 2,      /* bad input or usage */
};

/* Options several subcommands share; each parser fills what it knows. */
struct cli_opts {
	const char *image;
	const char *output;
	uint64_t base;
	bool base_given;
	enum layout_kind layout;
	uint64_t mem_base;
	const char *snapshot;
	uint64_t stream_offset;
	bool stream_offset_given;
	bool salvage;
	const char *tmpdir; /* input_opts.tmpdir (extract: beside the output) */
	uint64_t ram_file_offset; /* input_opts.ram_file_offset (vmcore in one pass) */
	ram_placer_fn placer;     /* input_opts.placer (vmcore in one pass) */
	void *placer_ctx;
	const char *cpu_state;
	enum mpipl_profile profile;
	enum kernel_endian endian;
	bool json;
	bool strict;
	bool quiet;
	bool no_sync;      /* --no-sync: no fsync of the output */
	uint64_t max_size; /* --max-size: bound on input spooled from a pipe (0: default) */
	/* What the image does not hold about the capture kernel (vmcore, inspect). */
	uint64_t page_size;
	struct ram_range ram[MAX_RAM_RANGES];
	size_t nram;
	struct crash_info_legacy_sizes legacy;
	const char *vmcoreinfo_file; /* --vmcoreinfo */
	uint64_t symbolize[SYMBOLIZE_MAX]; /* inspect --symbolize */
	size_t nsymbolize;
};

/* argp children: input selection, preserve behaviour, report format, output. */
extern const struct argp input_argp;
extern const struct argp preserve_argp;
extern const struct argp report_argp;
extern const struct argp vmcore_argp;
extern const struct argp output_argp;

void cli_opts_init(struct cli_opts *o);

/* At ARGP_KEY_INIT: every child parser of this command fills the same options. */
void cli_share_input(struct argp_state *state, const struct argp_child *children, void *input);

/*
 * The keys every IMAGE command parses the same way: shared input for the
 * children, -o OUT, one IMAGE, and the checks at the end. ARGP_ERR_UNKNOWN
 * for the others.
 */
error_t cli_parse_image_args(int key, char *arg, struct argp_state *state, struct cli_opts *o,
			     const struct argp_child *children, bool needs_output);

/* Parse 0x..., decimal or with a K/M/G/T suffix (binary units). */
int cli_parse_u64(const char *s, uint64_t *v);

/* "mpiplctl: message" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_note(const struct cli_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Open the image and apply --cpu-state; prints the error and returns NULL on failure. */
struct guest_mem *cli_open_input(const struct cli_opts *o);

/* An analysis of gm failed: print why, and for a raw image that no format was recognised. */
void cli_analysis_error(const struct guest_mem *gm, const struct mp_err *err);

/* Analysis options from the command line. */
void cli_analyze_opts(const struct cli_opts *o, struct analyze_opts *ao);

/* vmcore model options from the command line. */
void cli_vmcore_opts(const struct cli_opts *o, struct vmcore_opts *vo);

/*
 * Bring a pre-MPIPL guest to its post-MPIPL state in memory (the preserve
 * step with o->profile), then analyse it again as the capture kernel would
 * read it. Preserve findings are kept. No-op when already post-MPIPL.
 * cpu_note (may be NULL) receives why no CPU data was written, or "".
 */
int cli_to_post_mpipl(struct guest_mem *gm, const struct cli_opts *o, struct mpipl_analysis *a,
		      char *cpu_note, size_t cpu_note_len, struct mp_err *err);

/* Writes a whole output to the sink; 0 or -1 with err. */
typedef int (*cli_writer)(struct sink *out, void *ctx, struct mp_err *err);

/*
 * Check and open an output before any work (see util/outfile.h): inputs
 * (NULL-terminated) are the files it must not be. Prints the error.
 */
int cli_output_open(struct outfile *of, const char *path, const char *const *inputs,
		    bool no_sync);

/* cli_output_open for -o OUT of an IMAGE command (inputs: IMAGE, --cpu-state). */
int cli_open_output(struct outfile *of, const struct cli_opts *o);

/* Write the whole output and commit it; prints the error and aborts otherwise. */
int cli_output_write(struct outfile *of, cli_writer write, void *ctx);

/*
 * The crashed kernel's log in gm, as `mpiplctl dmesg` prints it (text, or
 * JSON records), written to out and finished; notes through o. 0 or -1 with err.
 */
int cli_dmesg_write(struct guest_mem *gm, const struct cli_opts *o, bool json,
		    struct sink *out, struct mp_err *err);

/*
 * Decode inputs into temporary files in the output's folder when it is a
 * regular file, so that the decoded file can become the output (one pass).
 */
void cli_decode_beside(struct cli_opts *o, const struct outfile *of);

/* Whether MPIPLCTL_PASSES is n ("1": one pass or fail, "2": always copy). */
bool cli_passes_forced(const char *n);

/*
 * Make the output in place in the file the input was decoded into: 1 when
 * done and *fd holds the output, 0 when not possible (nothing changed), -1 on
 * an error (err set).
 */
typedef int (*cli_in_place)(struct guest_mem *gm, const void *ctx, int *fd, struct mp_err *err);

/*
 * One pass for a regular output (unless MPIPLCTL_PASSES is 2): make() the
 * output in place, adopt that file as the output's temporary and commit it.
 * Returns 1 when written (gm must then only be freed), 0 when the caller must
 * write the output itself (with MPIPLCTL_PASSES=1: an error instead), -1 on
 * an error (printed).
 */
int cli_one_pass(struct guest_mem *gm, struct outfile *of, cli_in_place make, const void *ctx);

/*
 * gm's main RAM as a sparse raw image: in one pass when the input was
 * decoded into a temporary file that can become the output (gm must then
 * only be freed), else copied.
 */
int cli_write_raw_image(struct guest_mem *gm, struct outfile *of);

/* Exit status for a successful run with these findings. */
int cli_exit_status(const struct cli_opts *o, const struct findings *f);

/* Subcommands: argv[0] is the subcommand name. */
int cmd_inspect(int argc, char **argv);
int cmd_preserve(int argc, char **argv);
int cmd_vmcore(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_dtb(int argc, char **argv);
int cmd_opalcore(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_dmesg(int argc, char **argv);
int cmd_capture(int argc, char **argv);

#endif
