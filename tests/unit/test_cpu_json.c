// SPDX-License-Identifier: GPL-2.0-or-later
/* --cpu-state JSON (src/input/cpu_json.c; format in cpu_json.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builders.h"
#include "../../src/input/cpu_json.h"

static int parse(const char *text, struct vcpu_state **cpus, size_t *n, struct mp_err *err)
{
	*cpus = NULL;
	*n = 0;
	return cpu_state_parse_json(text, strlen(text), "cpu.json", cpus, n, err);
}

Test(cpu_json, named_registers_and_spr_map)
{
	const char *text =
		"{\"threads\": [\n"
		" {\"pir\": 4, \"r0\": 1, \"r31\": \"0x1f\", \"gpr5\": 5,\n"
		"  \"r2\": 18446744073709551615, \"r3\": 9007199254740993,\n"
		"  \"r4\": \"0xfedcba9876543211\",\n"
		"  \"nip\": \"0xc000000000001234\", \"msr\": \"0x8000000000001033\",\n"
		"  \"cr\": 34, \"lr\": \"0xc0000000000a0000\", \"ctr\": 77, \"xer\": \"0xe00c0001\",\n"
		"  \"cfar\": 11, \"hmeer\": 12, \"srr0\": 13, \"dawrx1\": 14, \"core_state\": 15,\n"
		"  \"spr\": {\"0x150\": 9, \"1022\": 3, \"0x3f5\": \"0x8000000000000001\"}},\n"
		" {\"pir\": 0}\n"
		"]}";
	struct vcpu_state *c;
	struct mp_err err = { 0 };
	size_t n;

	cr_assert_eq(parse(text, &c, &n, &err), 0, "%s", err.msg);
	cr_assert_eq(n, 2);
	cr_assert_eq(c[0].pir, 4);
	cr_assert_eq(c[0].spr[0x3FE], 3, "spr map, decimal key");
	cr_assert_eq(c[0].gpr[0], 1);
	cr_assert_eq(c[0].gpr[31], 0x1F);
	cr_assert_eq(c[0].gpr[5], 5);
	cr_assert_eq(c[0].gpr[2], UINT64_MAX);
	cr_assert_eq(c[0].gpr[3], 9007199254740993ULL, "2^53 + 1 exact");
	cr_assert_eq(c[0].gpr[4], 0xFEDCBA9876543211ULL);
	cr_assert_eq(c[0].gpr[1], 0, "missing registers are 0");
	cr_assert_eq(c[0].nip, 0xC000000000001234ULL);
	cr_assert_eq(c[0].msr, 0x8000000000001033ULL);
	cr_assert_eq(c[0].cr, 34);
	cr_assert_eq(c[0].lr, 0xC0000000000A0000ULL);
	cr_assert_eq(c[0].ctr, 77);
	cr_assert_eq(c[0].xer, 0xE00C0001ULL, "architected XER kept whole");
	cr_assert_eq(c[0].spr[0x1C], 11, "cfar");
	cr_assert_eq(c[0].spr[0x151], 12, "hmeer");
	cr_assert_eq(c[0].spr[0x1A], 13, "srr0");
	cr_assert_eq(c[0].spr[0xBD], 14, "dawrx1");
	cr_assert_eq(c[0].spr[0x150], 9, "spr map, hex key");
	cr_assert_eq(c[0].spr[0x3F5], 0x8000000000000001ULL, "spr map, string value");
	cr_assert_eq(c[0].core_state, 0x0F);
	cr_assert_eq(c[1].pir, 0);
	cr_assert_eq(c[1].core_state, 0xFF, "threads are active unless told otherwise");
	cr_assert_eq(c[1].nip, 0);
	free(c);
}

Test(cpu_json, bare_array_root)
{
	struct vcpu_state *c;
	struct mp_err err = { 0 };
	size_t n;

	cr_assert_eq(parse("[{\"pir\": 8, \"r1\": 2}, {\"pir\": \"0xc\"}]", &c, &n, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(n, 2);
	cr_assert_eq(c[0].pir, 8);
	cr_assert_eq(c[0].gpr[1], 2);
	cr_assert_eq(c[1].pir, 12);
	free(c);
}

/* Must fail; the message must hold every needle. */
static void fails(const char *text, const char *n1, const char *n2)
{
	struct vcpu_state *c;
	struct mp_err err = { 0 };
	size_t n;

	cr_assert_eq(parse(text, &c, &n, &err), -1, "accepted: %s", text);
	cr_assert_eq(err.status, MP_EINPUT);
	cr_assert_null(c);
	assert_msg_has(err.msg, "cpu.json");
	assert_msg_has(err.msg, n1);
	if (n2)
		assert_msg_has(err.msg, n2);
}

Test(cpu_json, bad_inputs)
{
	/* Offsets are those of the offending value. */
	fails("[{\"pir\": 1, \"r32\": 5}]", "byte offset 19", "unknown register \"r32\"");
	fails("[{\"pir\": 1, \"bogus\": 5}]", "byte offset 21", "unknown register \"bogus\"");
	fails("[{\"pir\": 1, \"r1\": -1}]", "byte offset 18", "\"r1\" must be an unsigned");
	fails("[{\"pir\": 1, \"r1\": 1.5}]", "byte offset 18", "\"r1\"");
	fails("[{\"pir\": 1, \"r1\": \"0xzz\"}]", "byte offset 18", "\"r1\"");
	fails("[{\"pir\": 1, \"r1\": true}]", "byte offset 18", "\"r1\"");
	fails("[{\"pir\": 4294967296}]", "\"pir\"", NULL);
	fails("[{\"pir\": 1, \"core_state\": 256}]", "\"core_state\"", NULL);
	fails("[{\"r1\": 1}]", "byte offset 1", "thread 0 has no \"pir\"");
	fails("[{\"pir\": 1}, 7]", "byte offset 13", "thread 1 is not an object");
	fails("[{\"pir\": 1, \"spr\": [1]}]", "\"spr\" must be an object", NULL);
	fails("[{\"pir\": 1, \"spr\": {\"1024\": 1}}]", "SPR number \"1024\"", "0..1023");
	fails("[{\"pir\": 1, \"spr\": {\"abc\": 1}}]", "SPR number \"abc\"", NULL);
	fails("[{\"pir\": 1, \"spr\": {\"\": 1}}]", "SPR number \"\"", NULL);
	fails("[{\"pir\": 1, \"spr\": {\"5\": -2}}]", "must be an unsigned", NULL);
	fails("[]", "at least one thread", NULL);
	fails("{}", "at least one thread", NULL);
	fails("{\"threads\": 3}", "at least one thread", NULL);
	fails("[{\"pir\": 1}", "byte offset 11", NULL);
}

Test(cpu_json, duplicate_pir)
{
	fails("{\"threads\": [{\"pir\": 4}, {\"pir\": 0}, {\"pir\": \"0x4\"}]}",
	      "threads 0 and 2 have the same pir 0x4", NULL);
}

Test(cpu_json, thread_limit)
{
	size_t cap = (CPU_JSON_MAX_THREADS + 1) * 24 + 16, len = 0;
	char *text = malloc(cap);
	struct vcpu_state *c;
	struct mp_err err = { 0 };
	size_t n;

	cr_assert_eq(CPU_JSON_MAX_THREADS, 2048);
	len += (size_t)snprintf(text + len, cap - len, "[");
	for (unsigned i = 0; i <= CPU_JSON_MAX_THREADS; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s{\"pir\": %u}", i ? "," : "", i);
	snprintf(text + len, cap - len, "]");
	cr_assert_eq(parse(text, &c, &n, &err), -1);
	assert_msg_has(err.msg, "2049 threads");
	/* Exactly the limit parses (17 MiB of vcpu_state). */
	len = (size_t)snprintf(text, cap, "[");
	for (unsigned i = 0; i < CPU_JSON_MAX_THREADS; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s{\"pir\": %u}", i ? "," : "", i);
	snprintf(text + len, cap - len, "]");
	cr_assert_eq(parse(text, &c, &n, &err), 0, "%s", err.msg);
	cr_assert_eq(n, CPU_JSON_MAX_THREADS);
	cr_assert_eq(c[CPU_JSON_MAX_THREADS - 1].pir, CPU_JSON_MAX_THREADS - 1);
	free(c);
	free(text);
}

Test(cpu_json, spr_names_match_spec)
{
	/* mpipl.md 4.4, numbers copied from the table by hand. */
	static const struct {
		const char *name;
		int num;
	} t[] = {
		{ "acop", 0x1F },   { "amr", 0x1D },    { "bescr", 0x326 }, { "cfar", 0x1C },
		{ "ciabr", 0xBB },  { "ctrl", 0x98 },   { "dabr", 0x3F5 },  { "dabrx", 0x3F7 },
		{ "dar", 0x13 },    { "dawr0", 0xB4 },  { "dawr1", 0xB5 },  { "dawrx0", 0xBC },
		{ "dawrx1", 0xBD }, { "dpdes", 0xB0 },  { "dscr", 0x11 },   { "dsisr", 0x12 },
		{ "ebbhr", 0x324 }, { "ebbrr", 0x325 }, { "fscr", 0x99 },   { "srr0", 0x1A },
		{ "srr1", 0x1B },   { "hsrr0", 0x13A }, { "hsrr1", 0x13B }, { "hmer", 0x150 },
		{ "hmeer", 0x151 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		cr_assert_eq(spr_number_of(t[i].name), t[i].num, "%s", t[i].name);
	cr_assert_eq(spr_number_of("bogus"), -1);
	cr_assert_eq(spr_number_of("CFAR"), -1, "names are lower case");
}

Test(cpu_json, load_from_file)
{
	const char *dir = b_tmpdir();
	const char *text = "{\"threads\": [{\"pir\": 2, \"nip\": 16}]}";
	char *path = b_file(dir, "cpu.json", text, strlen(text));
	struct vcpu_state *c = NULL;
	struct mp_err err = { 0 };
	size_t n = 0;

	cr_assert_eq(cpu_state_load_json(path, &c, &n, &err), 0, "%s", err.msg);
	cr_assert_eq(n, 1);
	cr_assert_eq(c[0].pir, 2);
	cr_assert_eq(c[0].nip, 16);
	free(c);
	cr_assert_eq(cpu_state_load_json("/nonexistent/cpu.json", &c, &n, &err), -1);
	assert_msg_has(err.msg, "/nonexistent/cpu.json");
	cr_assert_eq(cpu_state_load_json(dir, &c, &n, &err), -1);
	assert_msg_has(err.msg, "not a regular file");
	free(path);
}
