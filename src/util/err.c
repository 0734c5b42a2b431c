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
	char prefix[512];
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
