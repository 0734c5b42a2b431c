// SPDX-License-Identifier: GPL-2.0-or-later
/* The QMP pieces that need no QEMU: `xp` output parsing and JSON string quoting (src/qmp). */
#include <criterion/criterion.h>
#include <string.h>

#include "../../src/qmp/physmem.h"
#include "../../src/qmp/qmp.h"

/* What QEMU 10.0's `xp /12bx 0x31c08000` printed for the fadump fixture guest. */
static const char xp_text[] =
	"0000000031c08000: 0x00 0x00 0x00 0x04 0x00 0x00 0x00 0x00\r\n"
	"0000000031c08008: 0x64 0xc3 0x01 0xb0\r\n";

Test(qmp, xp_bytes_in_order)
{
	static const uint8_t want[12] = { 0, 0, 0, 4, 0, 0, 0, 0, 0x64, 0xc3, 0x01, 0xb0 };
	uint8_t got[12];
	struct mp_err err;

	cr_assert_eq(physmem_parse_xp(xp_text, got, sizeof(got), 0x31c08000, &err), 0, "%s",
		     err.msg);
	cr_assert_arr_eq(got, want, sizeof(want));
}

Test(qmp, xp_count_must_match)
{
	uint8_t got[16];
	struct mp_err err;

	cr_assert_eq(physmem_parse_xp(xp_text, got, 13, 0x31c08000, &err), -1);
	cr_assert_str_eq(err.msg, "xp 0x31c08000: 12 bytes instead of 13");
	cr_assert_eq(physmem_parse_xp(xp_text, got, 11, 0x31c08000, &err), -1);
}

Test(qmp, xp_outside_ram_and_junk)
{
	uint8_t got[8];
	struct mp_err err;

	cr_assert_eq(physmem_parse_xp("0000000400000000: Cannot access memory\r\n", got, 8,
				      0x400000000ull, &err),
		     -1);
	cr_assert(strstr(err.msg, "0x400000000 (0x8 bytes) is not in guest RAM"), "%s", err.msg);
	cr_assert_eq(physmem_parse_xp("unknown command: 'xp'\r\n", got, 8, 0, &err), -1);
	cr_assert(strstr(err.msg, "unexpected monitor output"), "%s", err.msg);
	cr_assert_eq(physmem_parse_xp("0: 0x100\r\n", got, 1, 0, &err), -1);
}

Test(qmp, json_string_escapes)
{
	char buf[64];

	cr_assert_eq(qmp_json_string(buf, sizeof(buf), "xp /4bx \"a\\b\"\n"), 0);
	cr_assert_str_eq(buf, "\"xp /4bx \\\"a\\\\b\\\"\\u000a\"");
	cr_assert_eq(qmp_json_string(buf, 8, "0123456789"), -1);
}
