// SPDX-License-Identifier: GPL-2.0-or-later
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mp_fail(struct mp_err *err, enum mp_status status, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int mp_fail_at(struct mp_err *err, enum mp_status status, const char *file, uint64_t offset,
	       const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return -1;
	err->status = status;
	n = snprintf(err->msg, sizeof(err->msg), "%s: byte offset %llu: ", file,
		     (unsigned long long)offset);
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

int mp_fail_errno(struct mp_err *err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	if (!err)
		return -1;
	err->status = saved == ENOMEM ? MP_ENOMEM : MP_EIO;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(saved));
	return -1;
}

int mp_wrap(struct mp_err *err, const char *fmt, ...)
{
	char prefix[sizeof(err->msg)];
	char old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
	return -1;
}

/* Control characters as C escapes: a file name must not break the line. */
static void escape_controls(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p && o + 5 < outlen; p++) {
		if (*p == '\n')
			o += (size_t)snprintf(out + o, outlen - o, "\\n");
		else if (*p == '\t')
			o += (size_t)snprintf(out + o, outlen - o, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", *p);
		else
			out[o++] = (char)*p;
	}
	out[o] = '\0';
}

/* The longest part of s between ": " separators: start and length. */
static size_t longest_part(const char *s, size_t *start)
{
	size_t best = 0, at = 0;

	*start = 0;
	for (;;) {
		const char *sep = strstr(s + at, ": ");
		size_t len = sep ? (size_t)(sep - (s + at)) : strlen(s + at);

		if (len > best) {
			best = len;
			*start = at;
		}
		if (!sep)
			return best;
		at += len + 2;
	}
}

/* Parts kept at each end of a cut part, so a path still says where it was. */
#define CUT_KEEP 16

void mp_msg_line(const char *msg, char *out, size_t outlen)
{
	static const char dots[] = "...";
	char *e = malloc(strlen(msg) * 4 + 1);
	size_t len;

	if (!e) {
		snprintf(out, outlen, "%s", msg);
		return;
	}
	escape_controls(msg, e, strlen(msg) * 4 + 1);
	len = strlen(e);
	while (len > MP_MSG_LINE_MAX) {
		size_t start, part = longest_part(e, &start);
		size_t cut = len - MP_MSG_LINE_MAX + (sizeof(dots) - 1);
		size_t head;

		if (part < 2 * CUT_KEEP + sizeof(dots))
			break; /* only short parts left: keep them whole */
		if (cut > part - 2 * CUT_KEEP)
			cut = part - 2 * CUT_KEEP;
		head = start + (part - cut) / 2;
		memcpy(e + head, dots, sizeof(dots) - 1);
		memmove(e + head + sizeof(dots) - 1, e + head + cut, len - head - cut + 1);
		len = strlen(e);
	}
	snprintf(out, outlen, "%s", e);
	free(e);
}

void mp_err_clear(struct mp_err *err)
{
	err->status = MP_OK;
	err->msg[0] = '\0';
}

void *mp_malloc(size_t size, struct mp_err *err)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		mp_fail(err, MP_ENOMEM, "out of memory (%zu bytes)", size);
	return p;
}

void *mp_calloc(size_t nmemb, size_t size, struct mp_err *err)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		mp_fail(err, MP_ENOMEM, "out of memory (%zu x %zu bytes)", nmemb, size);
	return p;
}

void *mp_reallocarray(void *ptr, size_t nmemb, size_t size, struct mp_err *err)
{
	void *p = reallocarray(ptr, nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		mp_fail(err, MP_ENOMEM, "out of memory (%zu x %zu bytes)", nmemb, size);
	return p;
}

int mp_vset_str(char **dst, const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

int mp_set_str(char **dst, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = mp_vset_str(dst, fmt, ap);
	va_end(ap);
	return rc;
}
