// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `xp /Nbx ADDR` prints lines "ADDRESS: 0x12 0x34 ..." (QEMU's memory_dump
 * in monitor/hmp.c), or " Cannot access memory" where the address has no
 * RAM. Bytes, not words: words would come out in the target's byte order.
 */
#include "physmem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The bytes of one line after its "ADDRESS:"; count of bytes added, -1 on junk. */
static int parse_line(const char *line, const char *end, uint8_t *out, size_t room)
{
	const char *p = memchr(line, ':', (size_t)(end - line));
	size_t n = 0;

	if (!p)
		return -1;
	for (p++; p < end;) {
		char *e;
		unsigned long v;

		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p >= end)
			break;
		errno = 0;
		v = strtoul(p, &e, 16);
		if (e == p || e > end || errno || v > 0xff || n >= room)
			return -1;
		out[n++] = (uint8_t)v;
		p = e;
	}
	return (int)n;
}

int physmem_parse_xp(const char *text, uint8_t *out, size_t want, uint64_t addr,
		     struct mp_err *err)
{
	size_t got = 0;

	if (strstr(text, "Cannot access memory"))
		return mp_fail(err, MP_EINPUT,
			       "guest address 0x%llx (0x%zx bytes) is not in guest RAM",
			       (unsigned long long)addr, want);
	while (*text) {
		const char *end = strchr(text, '\n');
		int n;

		if (!end)
			end = text + strlen(text);
		if (end > text) {
			n = parse_line(text, end, out + got, want - got);
			if (n < 0)
				return mp_fail(err, MP_EINPUT,
					       "xp 0x%llx: unexpected monitor output '%.60s'",
					       (unsigned long long)addr, text);
			got += (size_t)n;
		}
		text = *end ? end + 1 : end;
	}
	if (got != want)
		return mp_fail(err, MP_EINPUT, "xp 0x%llx: %zu bytes instead of %zu",
			       (unsigned long long)addr, got, want);
	return 0;
}

int physmem_read(struct qmp *q, uint64_t addr, void *buf, size_t len, struct mp_err *err)
{
	uint8_t *out = buf;

	while (len) {
		size_t n = len < PHYSMEM_CHUNK ? len : PHYSMEM_CHUNK;
		char cmd[64], *text = NULL;
		int rc;

		snprintf(cmd, sizeof(cmd), "xp /%zubx 0x%llx", n, (unsigned long long)addr);
		if (qmp_hmp(q, cmd, &text, err))
			return -1;
		rc = physmem_parse_xp(text, out, n, addr, err);
		free(text);
		if (rc)
			return -1;
		out += n;
		addr += n;
		len -= n;
	}
	return 0;
}
