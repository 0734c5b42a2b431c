// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The standard small migration stream of the tests, built field by field
 * from qemu-inputs.md 3-5, and what a correct reader must make of it
 * (expectations written by hand, not taken from the reader).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "mig_build.h"

/* Record flags, spec 4.1. */
#define F_ZERO 0x002
#define F_MEM_SIZE 0x004
#define F_PAGE 0x008
#define F_EOS 0x010
#define F_CONT 0x020
#define F_FLUSH 0x200

static const uint32_t std_crf[2][8] = {
	{ 4, 8, 0, 0, 4, 2, 8, 2 }, /* CR 0x48004282 */
	{ 2, 8, 0, 0, 0, 2, 2, 4 }, /* CR 0x28000224 */
};

void std_cpu(int i, struct vcpu_state *c)
{
	memset(c, 0, sizeof(*c));
	for (int r = 0; r < 32; r++)
		c->gpr[r] = 0x1000000000000000ull * (uint64_t)(i + 1) + (uint64_t)r;
	c->nip = i ? 0x300037c4 : 0x30047e30;
	c->msr = 0x9000000000001002ull;
	for (int s = 0; s < 1024; s++)
		c->spr[s] = 0xABC00000ull + (uint64_t)s + ((uint64_t)i << 32);
	c->spr[0x001] = i ? 0x4 : 0x20040006;		       /* XER */
	c->spr[0x008] = i ? 0xc000000000065080ull : 0x30047e28; /* LR */
	c->spr[0x009] = i ? 0xc00000000006c6dcull : 0x3005257c; /* CTR */
	c->spr[0x3FF] = i ? 4 : 0;			       /* PIR */
}

/* Each cpu subsection with its spec 5.3 body size, bodies filled with 0x7E. */
static const struct {
	const char *name;
	uint32_t version;
	size_t size;
} cpu_subs[] = {
	{ "cpu/fpu", 1, 264 }, { "cpu/altivec", 1, 516 },     { "cpu/vsx", 1, 256 },
	{ "cpu/slb", 2, 1024 }, { "cpu/rtas_stopped", 1, 1 },
};

static void cpu_section(struct mb *b, uint32_t id, int idx, bool unknown_sub)
{
	struct vcpu_state c;

	std_cpu(idx, &c);
	mb_section(b, 0x04, id, "cpu", (uint32_t)idx, 5);
	mb_cpu_body(b, &c, std_crf[idx]);
	for (size_t i = 0; i < sizeof(cpu_subs) / sizeof(cpu_subs[0]); i++) {
		mb_subsection(b, cpu_subs[i].name, cpu_subs[i].version);
		mb_fill(b, 0x7E, cpu_subs[i].size);
	}
	if (unknown_sub) {
		mb_subsection(b, "cpu/from-the-future", 1);
		mb_fill(b, 0x11, 40);
	}
	mb_footer(b, id);
}

static void cpu_common_section(struct mb *b, uint32_t id, int idx)
{
	mb_section(b, 0x04, id, "cpu_common", (uint32_t)idx, 1);
	mb_be32(b, 0); /* halted */
	mb_be32(b, 0); /* interrupt_request */
	mb_subsection(b, "cpu_common/crash_occurred", 1);
	mb_u8(b, 1);
	mb_footer(b, id);
}

#define CPU_FIELDS                                                                             \
	"[{\"name\":\"unused\",\"type\":\"buffer\",\"size\":8},"                               \
	"{\"name\":\"env.gpr\",\"type\":\"uint64\",\"size\":8,\"array_len\":32},"              \
	"{\"name\":\"env.crf\",\"type\":\"uint32\",\"size\":4,\"array_len\":8},"               \
	"{\"name\":\"env.nip\",\"type\":\"uint64\",\"size\":8},"                               \
	"{\"name\":\"env.spr\",\"type\":\"uint64\",\"size\":8,\"array_len\":1024},"            \
	"{\"name\":\"env.spe_acc\",\"type\":\"uint64\",\"size\":8},"                           \
	"{\"name\":\"unused\",\"type\":\"buffer\",\"size\":8},"                                \
	"{\"name\":\"env.msr\",\"type\":\"uint64\",\"size\":8},"                               \
	"{\"name\":\"env.hflags_compat_nmsr\",\"type\":\"uint64\",\"size\":8}]"
#define CPU_SUBS                                                                               \
	"[{\"vmsd_name\":\"cpu/fpu\",\"version\":1,\"fields\":["                                \
	"{\"name\":\"fpr\",\"type\":\"fpr\",\"size\":8,\"array_len\":32},"                     \
	"{\"name\":\"fpscr\",\"type\":\"uint64\",\"size\":8}]},"                               \
	"{\"vmsd_name\":\"cpu/altivec\",\"version\":1,\"fields\":["                            \
	"{\"name\":\"avr\",\"type\":\"avr\",\"size\":16,\"array_len\":32},"                    \
	"{\"name\":\"vscr\",\"type\":\"uint32\",\"size\":4}]},"                                \
	"{\"vmsd_name\":\"cpu/vsx\",\"version\":1,\"fields\":["                                \
	"{\"name\":\"vsr\",\"type\":\"vsr\",\"size\":8,\"array_len\":32}]},"                   \
	"{\"vmsd_name\":\"cpu/slb\",\"version\":2,\"fields\":["                                \
	"{\"name\":\"slb\",\"type\":\"slbe\",\"size\":16,\"array_len\":64}]},"                 \
	"{\"vmsd_name\":\"cpu/rtas_stopped\",\"version\":1,\"fields\":["                       \
	"{\"name\":\"rtas_stopped\",\"type\":\"bool\",\"size\":1}]}]"
#define CPU_COMMON(i)                                                                          \
	"{\"name\":\"cpu_common\",\"instance_id\":" i ",\"vmsd_name\":\"cpu_common\","         \
	"\"version\":1,\"fields\":[{\"name\":\"halted\",\"type\":\"uint32\",\"size\":4},"      \
	"{\"name\":\"interrupt_request\",\"type\":\"uint32\",\"size\":4}],"                    \
	"\"subsections\":[{\"vmsd_name\":\"cpu_common/crash_occurred\",\"version\":1,"         \
	"\"fields\":[{\"name\":\"crash_occurred\",\"type\":\"bool\",\"size\":1}]}]}"
#define CPU(i)                                                                                 \
	"{\"name\":\"cpu\",\"instance_id\":" i ",\"vmsd_name\":\"cpu\",\"version\":5,"         \
	"\"fields\":" CPU_FIELDS ",\"subsections\":" CPU_SUBS "}"

const char *std_vmdesc(void)
{
	return "{\"page_size\":4096,\"devices\":["
	       "{\"name\":\"timer\",\"instance_id\":0,\"vmsd_name\":\"timer\",\"version\":2,"
	       "\"fields\":[{\"name\":\"cpu_ticks_offset\",\"type\":\"int64\",\"size\":8},"
	       "{\"name\":\"unused\",\"type\":\"buffer\",\"size\":8},"
	       "{\"name\":\"cpu_clock_offset\",\"type\":\"int64\",\"size\":8}]}," CPU_COMMON("1")
	       "," CPU("1") "," CPU_COMMON("0") "," CPU("0") ","
	       "{\"name\":\"serial\",\"instance_id\":0,\"size\":11,"
	       "\"fields\":[{\"name\":\"data\",\"type\":\"buffer\",\"size\":11}]}]}";
}

static void ram_start(struct mb *b)
{
	uint8_t page[4096];

	mb_section(b, 0x01, 1, "ram", 0, 4);
	mb_ram(b, 0x13000, F_MEM_SIZE, NULL); /* total of the three blocks */
	mb_str8(b, "pnv.ram");
	mb_be64(b, STD_RAM);
	mb_str8(b, "homer-chip0-memory");
	mb_be64(b, STD_HOMER);
	mb_str8(b, "0000:00:01.0/e1000.rom");
	mb_be64(b, 0x1000);
	mb_pattern(page, 1);
	mb_ram(b, 0x0, F_PAGE, "pnv.ram");
	mb_bytes(b, page, 4096);
	mb_ram(b, 0x1000, F_ZERO | F_CONT, NULL);
	mb_u8(b, 0);
	mb_pattern(page, 2);
	mb_ram(b, 0x2000, F_PAGE | F_CONT, NULL);
	mb_bytes(b, page, 4096);
	mb_pattern(page, 3);
	mb_ram(b, 0x3000, F_PAGE | F_CONT, NULL);
	mb_bytes(b, page, 4096);
	mb_pattern(page, 4);
	mb_ram(b, 0x1000, F_PAGE, "homer-chip0-memory");
	mb_bytes(b, page, 4096);
	mb_pattern(page, 5);
	mb_ram(b, 0x0, F_PAGE, "0000:00:01.0/e1000.rom");
	mb_bytes(b, page, 4096);
	mb_ram(b, 0, F_FLUSH, NULL);
	mb_ram(b, 0, F_EOS, NULL);
	mb_footer(b, 1);
}

static void ram_part_end(struct mb *b)
{
	uint8_t page[4096];

	mb_part(b, 0x02, 1);
	mb_pattern(page, 6);
	mb_ram(b, 0x2000, F_PAGE, "pnv.ram"); /* replaces pattern 2 */
	mb_bytes(b, page, 4096);
	mb_ram(b, 0x0, F_ZERO | F_CONT, NULL); /* zero over pattern 1 */
	mb_u8(b, 0);
	mb_pattern(page, 7);
	mb_ram(b, 0xF000, F_PAGE | F_CONT, NULL);
	mb_bytes(b, page, 4096);
	mb_ram(b, 0, F_EOS, NULL);
	mb_footer(b, 1);
	mb_part(b, 0x03, 1);
	mb_ram(b, 0, F_EOS, NULL);
	mb_footer(b, 1);
}

void mb_standard(struct mb *b, const struct std_opts *o)
{
	mb_init(b);
	mb_header(b);
	if (!o->no_config)
		mb_config(b, "powernv9", (const char *const[]){ "x" }, 0);
	ram_start(b);
	mb_mark(b);
	mb_u8(b, 0x08); /* command SWITCHOVER_START, len 0 */
	mb_be16(b, 11);
	mb_be16(b, 0);
	ram_part_end(b);
	mb_section(b, 0x04, 2, "timer", 0, 2);
	mb_fill(b, 0xAA, 24);
	mb_footer(b, 2);
	/* cpu_index 1 first: the reader must order vCPUs by cpu_index. */
	cpu_common_section(b, 3, 1);
	cpu_section(b, 4, 1, false);
	cpu_common_section(b, 5, 0);
	cpu_section(b, 6, 0, o->cpu_unknown_sub);
	/* An 11-byte body holding a false footer (7E + id 7, then a non-record byte). */
	mb_section(b, 0x04, 7, "serial", 0, 4);
	mb_bytes(b, (const uint8_t[]){ 1, 2, 0x7E, 0, 0, 0, 7, 0x55, 3, 4, 5 }, 11);
	mb_footer(b, 7);
	mb_eof(b, o->no_vmdesc ? NULL : o->vmdesc ? o->vmdesc : std_vmdesc());
}

static void expect_bytes(struct guest_mem *gm, uint64_t gpa, int seed)
{
	uint8_t want[4096], got[4096];
	struct mp_err err = { 0 };

	if (seed < 0)
		memset(want, 0, sizeof(want));
	else
		mb_pattern(want, (uint8_t)seed);
	cr_assert_eq(gm_read(gm, gpa, got, sizeof(got), &err), 0, "%s", err.msg);
	cr_assert_arr_eq(got, want, sizeof(got), "guest page 0x%llx", (unsigned long long)gpa);
}

void check_standard(struct guest_mem *gm)
{
	static const int ram_pages[16] = { -1, -1, 6, 3, -1, -1, -1, -1,
					   -1, -1, -1, -1, -1, -1, -1, 7 };
	bool rom_noted = false;

	cr_assert_eq(gm->nranges, 2);
	cr_assert_eq(gm->ranges[0].gpa, 0);
	cr_assert_eq(gm->ranges[0].size, STD_RAM);
	cr_assert_str_eq(gm->ranges[0].name, "pnv.ram");
	cr_assert_eq(gm->ranges[0].flags & GM_RANGE_AUX, 0);
	cr_assert_eq(gm->ranges[1].gpa, STD_HOMER_GPA);
	cr_assert_eq(gm->ranges[1].size, STD_HOMER);
	cr_assert_neq(gm->ranges[1].flags & GM_RANGE_AUX, 0);
	for (int i = 0; i < 16; i++)
		expect_bytes(gm, (uint64_t)i * 4096, ram_pages[i]);
	expect_bytes(gm, STD_HOMER_GPA, -1);
	expect_bytes(gm, STD_HOMER_GPA + 0x1000, 4);
	for (size_t i = 0; i < gm->notes.n; i++)
		rom_noted |= strstr(gm->notes.v[i].msg, "e1000.rom") != NULL;
	cr_assert(rom_noted, "the device ROM block is left out with a note");

	cr_assert_eq(gm->ncpus, 2);
	for (int i = 0; i < 2; i++) {
		struct vcpu_state want;
		const struct vcpu_state *c = &gm->cpus[i];

		std_cpu(i, &want);
		cr_assert_eq(c->pir, i ? 4u : 0u);
		cr_assert_eq(c->core_state, 0xFF);
		cr_assert_eq(c->nip, want.nip);
		cr_assert_eq(c->msr, want.msr);
		cr_assert_eq(c->cr, i ? 0x28000224u : 0x48004282u);
		cr_assert_eq(c->lr, want.spr[8]);
		cr_assert_eq(c->ctr, want.spr[9]);
		cr_assert_eq(c->xer, i ? 0x4u : 0x20040006u);
		cr_assert_arr_eq(c->gpr, want.gpr, sizeof(want.gpr));
		cr_assert_arr_eq(c->spr, want.spr, sizeof(want.spr));
	}
}
