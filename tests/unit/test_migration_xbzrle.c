// SPDX-License-Identifier: GPL-2.0-or-later
/* XBZRLE decoding (spec qemu-inputs.md 4.3), with pages computed by hand. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../src/input/migration/migration_priv.h"

static uint8_t page[4096], want[4096];

static void base(void)
{
	for (int i = 0; i < 4096; i++)
		page[i] = want[i] = (uint8_t)(0xC0 ^ i);
}

Test(xbzrle, two_runs)
{
	/* unchanged 4, literal "XY", unchanged 0x81 (ULEB 81 01), literal "Q". */
	static const uint8_t d[] = { 4, 2, 'X', 'Y', 0x81, 0x01, 1, 'Q' };

	base();
	want[4] = 'X';
	want[5] = 'Y';
	want[4 + 2 + 0x81] = 'Q'; /* byte 0x87 */
	cr_assert_eq(xbzrle_decode(d, sizeof(d), page, 4096), 0);
	cr_assert_arr_eq(page, want, 4096);
}

Test(xbzrle, literal_up_to_the_last_byte)
{
	/* unchanged 4094 (ULEB FE 1F), literal of 2 reaching the end exactly. */
	static const uint8_t d[] = { 0xFE, 0x1F, 2, 0xAB, 0xCD };

	base();
	want[4094] = 0xAB;
	want[4095] = 0xCD;
	cr_assert_eq(xbzrle_decode(d, sizeof(d), page, 4096), 0);
	cr_assert_arr_eq(page, want, 4096);
}

Test(xbzrle, empty_delta_changes_nothing)
{
	base();
	cr_assert_eq(xbzrle_decode(NULL, 0, page, 4096), 0);
	cr_assert_arr_eq(page, want, 4096);
}

Test(xbzrle, malformed_deltas_are_refused)
{
	static const struct {
		const char *why;
		uint8_t d[8];
		size_t len;
	} bad[] = {
		{ "one byte cannot hold a pair", { 4 }, 1 },
		{ "count missing after zrun", { 4, 2, 'X', 'Y', 5 }, 5 },
		{ "zero literal run", { 4, 0, 'X' }, 3 },
		{ "zero unchanged run after the first pair", { 1, 1, 'X', 0, 1, 'Y' }, 6 },
		{ "three-byte ULEB", { 0x80, 0x80, 0x01, 1, 'X' }, 5 },
		{ "unchanged run past the page", { 0x81, 0x20, 1, 'X' }, 4 }, /* 4097 */
		{ "literal past the page", { 0xFF, 0x1F, 2, 'X', 'Y' }, 5 },  /* 4095 + 2 */
		{ "literal longer than the data", { 0, 4, 'X', 'Y' }, 4 },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		base();
		cr_assert_eq(xbzrle_decode(bad[i].d, bad[i].len, page, 4096), -1, "%s",
			     bad[i].why);
	}
}
