// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * XBZRLE page deltas (spec qemu-inputs.md 4.3, [migration/xbzrle.c]): pairs
 * of (zrun, nzrun), each a ULEB128 count of at most two bytes; zrun bytes
 * keep the page's previous content, nzrun literal bytes follow their count.
 * The checks mirror what QEMU's loader refuses, so a delta it would reject
 * is rejected here too.
 */
#include <string.h>

#include "migration_priv.h"

/* ULEB128 limited to 14 bits ([util/cutils.c] uleb128_decode_small). */
static int uleb_small(const uint8_t *p, size_t avail, uint32_t *v)
{
	if (avail < 1)
		return -1;
	if (!(p[0] & 0x80)) {
		*v = p[0];
		return 1;
	}
	if (avail < 2 || (p[1] & 0x80))
		return -1; /* a third byte would exceed 14 bits */
	*v = (uint32_t)(p[0] & 0x7F) | (uint32_t)p[1] << 7;
	return 2;
}

int xbzrle_decode(const uint8_t *src, size_t slen, uint8_t *page, size_t plen)
{
	size_t in = 0, out = 0;

	while (in < slen) {
		uint32_t zrun, nzrun;
		int n;

		/* A pair needs a count and at least one more byte. */
		if (slen - in < 2)
			return -1;
		n = uleb_small(src + in, slen - in, &zrun);
		/* Only the first pair may start with an empty unchanged run. */
		if (n < 0 || (in > 0 && zrun == 0))
			return -1;
		in += (size_t)n;
		if (zrun > plen - out)
			return -1;
		out += zrun;
		if (slen - in < 2)
			return -1;
		n = uleb_small(src + in, slen - in, &nzrun);
		if (n < 0 || nzrun == 0)
			return -1;
		in += (size_t)n;
		if (nzrun > plen - out || nzrun > slen - in)
			return -1;
		memcpy(page + out, src + in, nzrun);
		out += nzrun;
		in += nzrun;
	}
	return 0;
}
