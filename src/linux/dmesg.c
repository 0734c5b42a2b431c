// SPDX-License-Identifier: GPL-2.0-or-later
/* Formatting log records as vmcore-dmesg does, and as JSON lines. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dmesg.h"

/* The caller id: bit 31 set for a CPU number (in interrupt context), else a task's PID. */
#define CALLER_CPU_FLAG 0x80000000u

/* isprint() || isspace() in the C locale, as vmcore-dmesg tests each byte. */
static int kept_as_is(unsigned char c)
{
	return (c >= 0x20 && c <= 0x7e) || (c >= '\t' && c <= '\r');
}

size_t dmesg_format_text(const struct printk_record *r, char *out)
{
	size_t n = (size_t)sprintf(out, "[%5" PRIu64 ".%06" PRIu64 "] ", r->ts_nsec / 1000000000u,
				   r->ts_nsec % 1000000000u / 1000u);

	for (size_t i = 0; i < r->text_len && i < 65536; i++) {
		unsigned char c = r->text[i];

		if (kept_as_is(c))
			out[n++] = (char)c;
		else
			n += (size_t)sprintf(out + n, "\\x%02x", c);
	}
	out[n++] = '\n';
	return n;
}

static size_t json_text(const uint8_t *t, size_t len, char *out)
{
	size_t n = 0;

	out[n++] = '"';
	for (size_t i = 0; i < len && i < 65536; i++) {
		unsigned char c = t[i];

		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c == '\n') {
			n += (size_t)sprintf(out + n, "\\n");
		} else if (c < 0x20 || c >= 0x7f) {
			n += (size_t)sprintf(out + n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n++] = '"';
	return n;
}

size_t dmesg_format_json(const struct printk_record *r, char *out)
{
	size_t n = (size_t)sprintf(out, "{\"seq\":%" PRIu64 ",\"ts_nsec\":%" PRIu64 ",\"level\":",
				   r->seq, r->ts_nsec);

	n += (size_t)(r->level == PRINTK_LEVEL_UNKNOWN ? sprintf(out + n, "null")
						       : sprintf(out + n, "%u", r->level));
	if (r->has_caller)
		n += (size_t)sprintf(out + n, ",\"caller\":\"%c%u\"",
				     r->caller_id & CALLER_CPU_FLAG ? 'C' : 'T',
				     r->caller_id & ~CALLER_CPU_FLAG);
	else
		n += (size_t)sprintf(out + n, ",\"caller\":null");
	n += (size_t)sprintf(out + n, ",\"text\":");
	n += json_text(r->text, r->text_len, out + n);
	if (r->subsystem[0] || r->device[0]) {
		n += (size_t)sprintf(out + n, ",\"subsystem\":");
		n += json_text((const uint8_t *)r->subsystem, strlen(r->subsystem), out + n);
		n += (size_t)sprintf(out + n, ",\"device\":");
		n += json_text((const uint8_t *)r->device, strlen(r->device), out + n);
	}
	out[n++] = '}';
	out[n++] = '\n';
	return n;
}
