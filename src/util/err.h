/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One error currency for the whole tool: a status plus a message that names
 * the file, the byte offset (or guest address) and what was wrong.
 * Functions return 0 on success and -1 on failure after filling *err.
 */
#ifndef MPIPL_UTIL_ERR_H
#define MPIPL_UTIL_ERR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What went wrong, for callers that act on the kind of failure (the CLI
 * exits 2 for every one of them; the message says the rest).
 */
enum mp_status {
	/* MP_OK: success; the message is empty. */
	MP_OK = 0,
	/*
	 * MP_EINPUT: the input is malformed, cut short or inconsistent. The
	 * message names the file and the byte offset (mp_fail_at). Never
	 * retried; --salvage keeps what was read before it.
	 */
	MP_EINPUT,
	/*
	 * MP_EUNSUPPORTED: the input is well formed, but uses a feature we
	 * refuse (an unknown compression, a second PT_NOTE layout, ...).
	 */
	MP_EUNSUPPORTED,
	/*
	 * MP_EIO: a system call failed; the message ends with strerror(errno)
	 * (mp_fail_errno).
	 */
	MP_EIO,
	/* MP_ENOMEM: an allocation failed (mp_malloc, mp_calloc, ...). */
	MP_ENOMEM,
	/*
	 * MP_EUSAGE: what the user asked for cannot be done: bad arguments,
	 * an option that does not apply to this input, an output path that
	 * cannot be written.
	 */
	MP_EUSAGE,
	/*
	 * MP_ENOTFOUND: a search found nothing of its kind (no VMCOREINFO in
	 * RAM, no kallsyms tables, no QMP message ready yet). Not an error by
	 * itself: callers test for it and go on without what was sought.
	 */
	MP_ENOTFOUND,
	/*
	 * MP_EINTERNAL: a caller broke a function's contract (a peek larger
	 * than its buffer, a seek on a sequential stream): a bug of ours, not
	 * of the input or the user.
	 */
	MP_EINTERNAL,
};

struct mp_err {
	enum mp_status status;
	/* Room for two whole paths (PATH_MAX 4096) and the reason: nothing is cut here. */
	char msg[10240];
};

/* The longest line mp_msg_line makes of a message (bytes, before the NUL). */
#define MP_MSG_LINE_MAX 512

/* Fill err and return -1. */
int mp_fail(struct mp_err *err, enum mp_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The message of bad input: "FILE: byte offset OFFSET: <fmt...>", file naming
 * the input as the user gave it (or a part of it: "X (decoded RAM)").
 */
int mp_fail_at(struct mp_err *err, enum mp_status status, const char *file, uint64_t offset,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Like mp_fail, appending ": strerror(errno)". */
int mp_fail_errno(struct mp_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix an existing message with more context ("reading X: <old msg>"). */
int mp_wrap(struct mp_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * msg as one line for a terminal or a log: control characters escaped
 * ("\n", "\x1b"), and when longer than MP_MSG_LINE_MAX the longest parts
 * between ": " (the paths) cut in their middle ("..."), so the reason at the
 * end stays whole. out needs MP_MSG_LINE_MAX + 1 bytes.
 */
void mp_msg_line(const char *msg, char *out, size_t outlen);

/* Reset to MP_OK with an empty message. */
void mp_err_clear(struct mp_err *err);

/* malloc/calloc that record MP_ENOMEM in err and return NULL on failure. */
void *mp_malloc(size_t size, struct mp_err *err);
void *mp_calloc(size_t nmemb, size_t size, struct mp_err *err);
void *mp_reallocarray(void *ptr, size_t nmemb, size_t size, struct mp_err *err);

/*
 * Set *dst to a malloc'd formatted text, freeing what it held: the texts a
 * result carries (how a base was chosen, why no CPU data) have no fixed size.
 * Returns -1 when memory ran out (*dst unchanged).
 */
int mp_set_str(char **dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int mp_vset_str(char **dst, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
