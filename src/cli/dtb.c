// SPDX-License-Identifier: GPL-2.0-or-later
/* mpiplctl dtb: add /ibm,opal/dump to a device tree (mpipl.md 7). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "../devtree/devtree.h"
#include "../util/sink.h"

enum { OPT_NO_MPIPL_BOOT = 0x300, OPT_NO_SYNC_DTB };

struct dtb_cli {
	const char *in;
	const char *out;
	bool mpipl_boot;
	bool no_sync;
};

static error_t parse_dtb(int key, char *arg, struct argp_state *state)
{
	struct dtb_cli *d = state->input;

	switch (key) {
	case 'o':
		d->out = arg;
		break;
	case OPT_NO_MPIPL_BOOT:
		d->mpipl_boot = false;
		break;
	case OPT_NO_SYNC_DTB:
		d->no_sync = true;
		break;
	case 'h':
		argp_state_help(state, state->out_stream, ARGP_HELP_STD_HELP);
		break;
	case ARGP_KEY_ARG:
		if (d->in)
			argp_error(state, "one IN.dtb only ('%s' is extra)", arg);
		d->in = arg;
		break;
	case ARGP_KEY_END:
		if (!d->in || !d->out)
			argp_error(state, "IN.dtb and -o OUT.dtb are needed");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option dtb_options[] = {
	{ "output", 'o', "OUT.dtb", 0, "the device tree to write ('-': standard output)", 0 },
	{ "no-mpipl-boot", OPT_NO_MPIPL_BOOT, NULL, 0,
	  "leave out mpipl-boot (for the first boot: the kernel may register fadump, no dump "
	  "to process)",
	  0 },
	{ "no-sync", OPT_NO_SYNC_DTB, NULL, 0,
	  "do not fsync the output (faster; a power cut may lose it)", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "same as --help", 0 },
	{ 0 },
};

static const struct argp dtb_argp = {
	dtb_options, parse_dtb, "IN.dtb -o OUT.dtb",
	"Add /ibm,opal/dump to a flattened device tree (e.g. QEMU's own, from the monitor's "
	"`dumpdtb FILE` on a guest held with -S): compatible \"ibm,opal-dump\", fw-load-area and mpipl-boot, as QEMU's "
	"MPIPL patch does, for booting the capture kernel yourself.",
	NULL, NULL, NULL,
};

/* Read a whole (small) file; messages leave the file name to the caller. */
static int read_whole(const char *path, void **buf, size_t *len, struct mp_err *err)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return mp_fail_errno(err, "cannot open");
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > DT_MAX_SIZE) {
		close(fd);
		return mp_fail(err, MP_EINPUT, "not a regular file of at most %u bytes",
			       DT_MAX_SIZE);
	}
	*buf = mp_malloc((size_t)st.st_size, err);
	n = *buf ? read(fd, *buf, (size_t)st.st_size) : -1;
	close(fd);
	if (n != st.st_size) {
		free(*buf);
		return *buf ? mp_fail_errno(err, "read") : -1;
	}
	*len = (size_t)n;
	return 0;
}

struct blob {
	const void *data;
	size_t len;
};

static int write_blob(struct sink *out, void *ctx, struct mp_err *err)
{
	const struct blob *b = ctx;

	return sink_write(out, b->data, b->len, err);
}

int cmd_dtb(int argc, char **argv)
{
	struct dtb_cli d = { .mpipl_boot = true };
	void *in = NULL, *out = NULL;
	size_t inlen = 0, outlen = 0;
	const char *inputs[2];
	struct outfile of;
	struct blob blob;
	struct mp_err err;
	int rc = EXIT_BAD;

	argp_parse(&dtb_argp, argc, argv, 0, NULL, &d);
	inputs[0] = d.in;
	inputs[1] = NULL;
	if (cli_output_open(&of, d.out, inputs, d.no_sync))
		return EXIT_BAD;
	if (read_whole(d.in, &in, &inlen, &err) ||
	    devtree_add_dump_node(in, inlen, d.mpipl_boot, &out, &outlen, &err)) {
		cli_error("%s: %s", d.in, err.msg);
		goto out;
	}
	blob.data = out;
	blob.len = outlen;
	if (cli_output_write(&of, write_blob, &blob))
		goto out;
	rc = EXIT_OK;
out:
	outfile_abort(&of);
	free(in);
	free(out);
	return rc;
}
