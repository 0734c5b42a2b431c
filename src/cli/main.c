// SPDX-License-Identifier: GPL-2.0-or-later
/* mpiplctl: dispatch to a subcommand. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char *argp_program_version = "mpiplctl " MPIPLCTL_VERSION;
const char *argp_program_bug_address = "the project's issue tracker";

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "inspect", cmd_inspect, "show and check the MPIPL tables, CPUs and fadump metadata" },
	{ "preserve", cmd_preserve, "write the post-MPIPL memory image (the firmware's copy step)" },
	{ "vmcore", cmd_vmcore, "write the ELF vmcore the capture kernel would expose" },
	{ "opalcore", cmd_opalcore, "write the OPAL core the capture kernel would export" },
	{ "verify", cmd_verify, "compare a real post-MPIPL state with what a profile predicts" },
	{ "extract", cmd_extract, "write the guest RAM of any input as a sparse raw image" },
	{ "dmesg", cmd_dmesg, "print the crashed kernel's log, as vmcore-dmesg does" },
	{ "capture", cmd_capture, "wait for a live QEMU guest's fadump crash and write its vmcore" },
	{ "dtb", cmd_dtb, "add /ibm,opal/dump to a device tree, for booting the capture kernel" },
};

#define COMMAND_NAMES "inspect|preserve|vmcore|extract|dtb"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mpiplctl COMMAND [OPTION...] ARGS\n"
		"Replay the PowerNV MPIPL (OPAL fadump) firmware step offline.\n\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'mpiplctl COMMAND --help' lists a command's options; see mpiplctl(1).\n"
		   "Exit status: 0 success, 1 findings with --strict, 2 bad input or usage.\n");
}

/*
 * A report nobody received is a failure: a full disk or a closed pipe
 * under --json must not exit 0 with an empty file.
 */
static int finish_stdout(int rc)
{
	bool failed = fflush(stdout) != 0 || ferror(stdout);
	int saved = errno;

	/* EBADF: stdout was closed (>&-) and nothing was written to it. */
	if (!failed && fclose(stdout) != 0 && errno != EBADF) {
		failed = true;
		saved = errno;
	}
	if (!failed)
		return rc;
	cli_error("standard output: write error: %s", strerror(saved));
	return EXIT_BAD;
}

static int run(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_BAD;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "-?") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--usage") == 0) {
		printf("Usage: mpiplctl {%s} [OPTION...] ARGS\n", COMMAND_NAMES);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("%s\n", argp_program_version);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			char name[64];

			/* argp names the program after argv[0]: "mpiplctl inspect". */
			snprintf(name, sizeof(name), "mpiplctl %s", commands[i].name);
			argv[1] = name;
			return commands[i].run(argc - 1, argv + 1);
		}
	}
	cli_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return EXIT_BAD;
}

int main(int argc, char **argv)
{
	argp_err_exit_status = EXIT_BAD;
	return finish_stdout(run(argc, argv));
}
