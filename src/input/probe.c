// SPDX-License-Identifier: GPL-2.0-or-later
/* The signature test most readers' probes are made of (input.h). */
#include <string.h>

#include "input.h"

/*
 * Two matching bytes before the end of the input: a file cut inside the
 * signature, not a raw image that happens to start like one (one byte tells
 * nothing).
 */
#define CUT_SIGNATURE_MIN 2u

enum input_probe input_probe_magic(const uint8_t *head, size_t len, const void *magic,
				   size_t magic_len, const char *what, const char *path,
				   struct mp_err *err)
{
	if (len >= magic_len)
		return memcmp(head, magic, magic_len) == 0 ? PROBE_MINE : PROBE_NOT_MINE;
	if (len < CUT_SIGNATURE_MIN || memcmp(head, magic, len) != 0)
		return PROBE_NOT_MINE;
	mp_fail_at(err, MP_EINPUT, path, len,
		   "the input ends inside the %zu-byte signature of a %s: truncated?", magic_len,
		   what);
	return PROBE_BROKEN;
}
