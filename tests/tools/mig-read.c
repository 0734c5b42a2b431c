// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mig-read: open any input through input_open() and show what the reader
 * made of it; a test driver for real files (golden streams, QEMU fixtures).
 *
 *   mig-read FILE                 format, RAM ranges, vCPUs, notes
 *   mig-read FILE --raw OUT|-     also write the main RAM as a raw image
 *   mig-read FILE --range GPA LEN OUT|-   write one guest range
 *
 * Exit status: 0 ok, 2 bad input (the one-line error on stderr).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/snapshot/export.h"
#include "../../src/snapshot/input.h"

static void show(const struct guest_mem *gm)
{
	printf("format: %s\n", gm->format);
	for (size_t i = 0; i < gm->nranges; i++)
		printf("range: %s gpa 0x%" PRIx64 " size 0x%" PRIx64 "%s\n", gm->ranges[i].name,
		       gm->ranges[i].gpa, gm->ranges[i].size,
		       gm->ranges[i].flags & GM_RANGE_AUX ? " aux" : "");
	for (size_t i = 0; i < gm->ncpus; i++) {
		const struct vcpu_state *c = &gm->cpus[i];

		printf("cpu %zu: pir 0x%x nip 0x%016" PRIx64 " lr 0x%016" PRIx64
		       " ctr 0x%016" PRIx64 " xer 0x%016" PRIx64 " msr 0x%016" PRIx64
		       " cr 0x%08" PRIx64 "\n",
		       i, c->pir, c->nip, c->lr, c->ctr, c->xer, c->msr, c->cr);
		printf("cpu %zu: gpr", i);
		for (int r = 0; r < 32; r++)
			printf(" %016" PRIx64, c->gpr[r]);
		printf("\n");
		printf("cpu %zu: srr0 0x%016" PRIx64 " srr1 0x%016" PRIx64 " hsrr0 0x%016" PRIx64
		       " hsrr1 0x%016" PRIx64 " cfar 0x%016" PRIx64 " lpcr 0x%016" PRIx64
		       " dar 0x%016" PRIx64 " dsisr 0x%016" PRIx64 "\n",
		       i, c->spr[0x1A], c->spr[0x1B], c->spr[0x13A], c->spr[0x13B], c->spr[0x1C],
		       c->spr[0x13E], c->spr[0x13], c->spr[0x12]);
	}
	for (size_t i = 0; i < gm->nnotes; i++)
		printf("note: %s\n", gm->notes[i]);
}

static int open_out(const char *path)
{
	if (strcmp(path, "-") == 0)
		return STDOUT_FILENO;
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
}

int main(int argc, char **argv)
{
	struct input_opts opts = { 0 };
	struct mp_err err = { 0 };
	struct guest_mem *gm;
	struct sink out;
	int fd, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: mig-read FILE [--raw OUT | --range GPA LEN OUT]\n");
		return 1;
	}
	gm = input_open(argv[1], &opts, &err);
	if (!gm) {
		fprintf(stderr, "mig-read: %s\n", err.msg);
		return 2;
	}
	if (argc == 4 && strcmp(argv[2], "--raw") == 0) {
		fd = open_out(argv[3]);
		sink_init(&out, fd, argv[3]);
		rc = fd < 0 || gm_export_raw(gm, &out, &err) || sink_finish(&out, &err);
	} else if (argc == 6 && strcmp(argv[2], "--range") == 0) {
		uint64_t gpa = strtoull(argv[3], NULL, 0), len = strtoull(argv[4], NULL, 0), done = 0;

		fd = open_out(argv[5]);
		sink_init(&out, fd, argv[5]);
		rc = fd < 0 || gm_export(gm, gpa, len, &out, NULL, &done, &err) ||
		     sink_finish(&out, &err);
	} else {
		show(gm);
	}
	if (rc)
		fprintf(stderr, "mig-read: %s\n", err.msg[0] ? err.msg : "cannot open output");
	gm_free(gm);
	return rc ? 2 : 0;
}
