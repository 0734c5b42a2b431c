// SPDX-License-Identifier: GPL-2.0-or-later
/* The vCPU caught in its S0 store (mpipl.md 12): found and rewound, or left alone. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "builders.h"
#include "../../src/mpipl/s0cpu.h"
#include "../../src/util/bytes.h"

/* stdcix r3,0,r4: 0x7C0000... = opcode 31, RS 3, RA 0, RB 4, XO 1013 (hand-encoded). */
#define STDCIX_R3_R4 (31u << 26 | 3u << 21 | 0u << 16 | 4u << 11 | 1013u << 1)
/* stdx r3,0,r4: same form, XO 149 (not a cache-inhibited store). */
#define STDX_R3_R4 (31u << 26 | 3u << 21 | 4u << 11 | 149u << 1)
#define CODE 0x30047E2CULL

struct s0_fixture {
	struct guest_mem *gm;
	struct mpipl_tables t;
	struct vcpu_state cpu[2];
};

static void setup(struct s0_fixture *x, uint32_t insn, uint64_t msr)
{
	uint8_t raw[4];

	memset(x, 0, sizeof(*x));
	x->gm = b_gm();
	b_add_zero(x->gm, 0, 0x40000000ULL);
	put_be32(raw, insn);
	b_write(x->gm, CODE, raw, 4);
	x->t.meta_ok = true;
	x->t.meta.crashing_pir = 4;
	x->t.meta.kernel_tag = 0x64C301B0;
	x->cpu[0].pir = 0;
	x->cpu[0].nip = CODE + 4;
	x->cpu[1].pir = 4;
	x->cpu[1].nip = CODE + 4;
	x->cpu[1].msr = msr;
	x->cpu[1].spr[SPRN_HMER] = 0x00C0070000000001ULL;
}

Test(s0cpu, the_crashing_pir_after_a_stdcix_is_rewound)
{
	struct s0_fixture x;
	long i;

	setup(&x, STDCIX_R3_R4, 0x9000000000001002ULL);
	i = s0_vcpu_find(x.gm, &x.t, x.cpu, 2);
	cr_assert_eq(i, 1);
	s0_vcpu_rewind(&x.cpu[i]);
	cr_assert_eq(x.cpu[1].nip, CODE);
	cr_assert_eq(x.cpu[1].spr[SPRN_HMER], 1);
	gm_free(x.gm);
}

Test(s0cpu, other_instructions_modes_or_no_registration_are_left_alone)
{
	struct s0_fixture x;

	setup(&x, STDX_R3_R4, 0x9000000000001002ULL);
	cr_assert_eq(s0_vcpu_find(x.gm, &x.t, x.cpu, 2), -1, "not a stdcix");
	gm_free(x.gm);
	setup(&x, STDCIX_R3_R4, 0x9000000000001032ULL);
	cr_assert_eq(s0_vcpu_find(x.gm, &x.t, x.cpu, 2), -1, "relocation on");
	gm_free(x.gm);
	setup(&x, STDCIX_R3_R4, 0x9000000000001002ULL);
	x.t.meta.kernel_tag = 0;
	cr_assert_eq(s0_vcpu_find(x.gm, &x.t, x.cpu, 2), -1, "no fadump registration");
	x.t.meta.kernel_tag = 1;
	x.t.meta.crashing_pir = 8;
	cr_assert_eq(s0_vcpu_find(x.gm, &x.t, x.cpu, 2), -1, "no thread with the crashing PIR");
	gm_free(x.gm);
}
