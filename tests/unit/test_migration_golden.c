// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The real QEMU 10.2.2 golden stream (../shared/golden/powernv9/README.md,
 * or $MPIPL_GOLDEN), read as it is stored (zstd-compressed): registers
 * against QEMU's own `info registers -a`, and RAM against the derived raw
 * image of the same state (decompressed by zstd), which differs only in the
 * MDDT destination ranges it zeroes.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/input/input.h"
#include "builders.h"

#define GOLDEN_MIG "2-post-preserve.mig.zst"
#define GOLDEN_RAW "2a-pre-S0-derived.raw.zst"
#define GOLDEN_REGS "2-post-preserve.registers.txt"

struct qemu_cpu {
	uint64_t nip, lr, ctr, xer, msr, cr, gpr[32];
};

/* Parse `info registers -a` blocks ("CPU#n", "NIP x LR x CTR x XER x", "GPRnn a b c d"). */
static size_t parse_registers(const char *path, struct qemu_cpu *cpus, size_t max)
{
	FILE *f = fopen(path, "r");
	char line[512];
	long n = -1;

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		struct qemu_cpu *c = n >= 0 ? &cpus[n] : NULL;
		uint64_t g[4];
		unsigned r;

		if (strncmp(line, "CPU#", 4) == 0 && strlen(line) < 10) {
			n++;
			cr_assert_lt((size_t)n, max);
			memset(&cpus[n], 0, sizeof(cpus[n]));
		} else if (c && sscanf(line, "NIP %" SCNx64 " LR %" SCNx64 " CTR %" SCNx64
					     " XER %" SCNx64,
				       &c->nip, &c->lr, &c->ctr, &c->xer) == 4) {
		} else if (c && sscanf(line, "MSR %" SCNx64, &c->msr) == 1) {
		} else if (c && sscanf(line, "CR %" SCNx64, &c->cr) == 1) {
		} else if (c && sscanf(line, "GPR%u %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64, &r,
				       &g[0], &g[1], &g[2], &g[3]) == 5) {
			cr_assert_lt(r, 29u);
			memcpy(&c->gpr[r], g, sizeof(g));
		}
	}
	fclose(f);
	return (size_t)(n + 1);
}

Test(migration_golden, qemu_10_2_2_powernv9, .timeout = 300)
{
	char *mig = t_golden(GOLDEN_MIG), *regs = t_golden(GOLDEN_REGS);
	FILE *raw = t_golden_zstd(GOLDEN_RAW);
	struct input_opts o = { 0 };
	struct mp_err err = { 0 };
	struct qemu_cpu want[4];
	struct guest_mem *gm;
	uint8_t *a, *b;
	size_t n;

	gm = t_input_open(mig, &o, &err);
	cr_assert_not_null(gm, "%s", err.msg);
	cr_assert_eq(gm->nranges, 2);
	cr_assert_eq(gm->ranges[0].size, 0x80000000ull);

	n = parse_registers(regs, want, 4);
	cr_assert_eq(n, 2);
	cr_assert_eq(gm->ncpus, 2);
	for (size_t i = 0; i < n; i++) {
		const struct vcpu_state *c = &gm->cpus[i];

		cr_assert_eq(c->pir, i ? 4u : 0u); /* README: PIR 0x0 and 0x4 */
		cr_assert_eq(c->nip, want[i].nip);
		cr_assert_eq(c->lr, want[i].lr);
		cr_assert_eq(c->ctr, want[i].ctr);
		cr_assert_eq(c->xer, want[i].xer);
		cr_assert_eq(c->msr, want[i].msr);
		cr_assert_eq(c->cr, want[i].cr);
		for (int r = 0; r < 32; r++)
			cr_assert_eq(c->gpr[r], want[i].gpr[r], "cpu %zu r%d", i, r);
	}

	/* Every 16th MiB, outside the MDDT destinations the derived image zeroes. */
	a = malloc(1 << 20);
	b = malloc(1 << 20);
	cr_assert(a && b);
	for (uint64_t gpa = 0; gpa < 0x80000000ull; gpa += 16ull << 20) {
		bool dest = (gpa + (1 << 20) > 0x31c38000 && gpa < 0x31c38000 + 0x1c38000) ||
			    (gpa + (1 << 20) > 0x34c30000 && gpa < 0x34c30000 + 0x30000000ull);

		cr_assert_eq(fread(b, 1, 1 << 20, raw), 1u << 20, "MiB at 0x%llx",
			     (unsigned long long)gpa);
		t_pipe_skip(raw, 15ull << 20);
		if (dest)
			continue;
		cr_assert_eq(gm_read(gm, gpa, a, 1 << 20, &err), 0, "%s", err.msg);
		cr_assert_arr_eq(a, b, 1 << 20, "MiB at 0x%llx", (unsigned long long)gpa);
	}
	cr_assert_eq(fgetc(raw), EOF, "the raw image is longer than 2 GiB");
	cr_assert_eq(pclose(raw), 0, "zstd failed");
	free(a);
	free(b);
	free(mig);
	free(regs);
	gm_free(gm);
}
