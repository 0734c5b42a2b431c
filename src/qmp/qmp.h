/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small client for QEMU's machine protocol (QMP) over a unix socket: the
 * greeting, qmp_capabilities, one command at a time, asynchronous events
 * remembered by name, and descriptor passing (getfd) with SCM_RIGHTS.
 *
 * src/qmp/ is a folder of its own: the live side of mpiplctl (talking to a
 * running QEMU), which none of the target tree's input, guest memory or
 * vmcore folders covers.
 */
#ifndef MPIPL_QMP_QMP_H
#define MPIPL_QMP_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "../util/json_parse.h"

/* The longest reply line we accept: `info registers -a` of 64 threads fits. */
#define QMP_LINE_MAX (4u << 20)

/* Events a capture cares about, remembered as bits once seen. */
enum qmp_event {
	QMP_EV_STOP = 1u << 0,
	QMP_EV_RESUME = 1u << 1,
	QMP_EV_SHUTDOWN = 1u << 2,
	QMP_EV_RESET = 1u << 3,
	QMP_EV_GUEST_PANICKED = 1u << 4,
};

struct qmp;

/*
 * Connect to the QMP socket at path and negotiate capabilities; every read
 * waits at most timeout_ms for QEMU. Fails with one line naming path when
 * there is no socket, nobody listens, or what answers is not QMP.
 */
struct qmp *qmp_connect(const char *path, int timeout_ms, struct mp_err *err);
void qmp_close(struct qmp *q);

/* QEMU's version from the greeting: major, minor, micro. */
void qmp_version(const struct qmp *q, unsigned v[3]);

/*
 * Run cmd with args (a JSON object's text, or NULL). Returns the reply's
 * "return" value (json_free it), or NULL with err naming QEMU's error class
 * and description. fd >= 0 is passed along with the command (SCM_RIGHTS).
 */
struct json_value *qmp_call(struct qmp *q, const char *cmd, const char *args, int fd,
			    struct mp_err *err);

/* qmp_call with the result dropped: 0 or -1. */
int qmp_do(struct qmp *q, const char *cmd, const char *args, struct mp_err *err);

/* A human monitor command; *out gets its text (free it). */
int qmp_hmp(struct qmp *q, const char *cmdline, char **out, struct mp_err *err);

/* query-status: "running", "paused", "postmigrate", ... into buf. */
int qmp_status(struct qmp *q, char *buf, size_t len, struct mp_err *err);

/* Read any events QEMU sent meanwhile, without blocking. */
int qmp_poll_events(struct qmp *q, struct mp_err *err);

/* enum qmp_event bits seen since connecting. */
unsigned qmp_events_seen(const struct qmp *q);

/* JSON string text of s (quoted, escaped) into buf; truncated strings fail. */
int qmp_json_string(char *buf, size_t len, const char *s);

#endif
