// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QMP over a unix socket: one JSON object per line each way (QEMU's
 * docs/interop/qmp-spec.rst). Replies are read line by line into a buffer
 * bounded by QMP_LINE_MAX, and every wait is bounded by the timeout.
 */
#include "qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct qmp {
	int fd;
	char path[256];
	int timeout_ms;
	char *buf;    /* bytes received, not yet parsed */
	size_t len;
	size_t cap;
	unsigned events;
	unsigned version[3];
};

static const struct {
	const char *name;
	enum qmp_event bit;
} known_events[] = {
	{ "STOP", QMP_EV_STOP },
	{ "RESUME", QMP_EV_RESUME },
	{ "SHUTDOWN", QMP_EV_SHUTDOWN },
	{ "RESET", QMP_EV_RESET },
	{ "GUEST_PANICKED", QMP_EV_GUEST_PANICKED },
};

int qmp_json_string(char *buf, size_t len, const char *s)
{
	size_t o = 0;

	if (len < 3)
		return -1;
	buf[o++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		size_t n;

		if (c == '"' || c == '\\')
			n = (size_t)snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x20)
			n = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", c);
		else
			n = (size_t)snprintf(esc, sizeof(esc), "%c", c);
		if (o + n + 2 > len)
			return -1;
		memcpy(buf + o, esc, n);
		o += n;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return 0;
}

/* Wait until the socket is readable; 0, or -1 on timeout or error. */
static int wait_readable(struct qmp *q, int timeout_ms, struct mp_err *err)
{
	struct pollfd p = { .fd = q->fd, .events = POLLIN };
	int n;

	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return mp_fail_errno(err, "%s: poll", q->path);
	if (n == 0)
		return mp_fail(err, MP_EIO, "%s: QEMU sent nothing for %d s", q->path,
			       timeout_ms / 1000);
	return 0;
}

/* Append what the socket has to buf; 0, or -1 (closed, error, full). */
static int receive(struct qmp *q, struct mp_err *err)
{
	ssize_t n;

	if (q->len >= QMP_LINE_MAX)
		return mp_fail(err, MP_EINPUT, "%s: a QMP message longer than %u bytes", q->path,
			       QMP_LINE_MAX);
	if (q->cap - q->len < 4096) {
		size_t cap = q->cap ? q->cap * 2 : 65536;
		char *b;

		if (cap > QMP_LINE_MAX + 65536)
			cap = QMP_LINE_MAX + 65536;
		b = realloc(q->buf, cap);
		if (!b)
			return mp_fail(err, MP_ENOMEM, "%s: out of memory", q->path);
		q->buf = b;
		q->cap = cap;
	}
	do
		n = recv(q->fd, q->buf + q->len, q->cap - q->len - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return mp_fail_errno(err, "%s: reading from QEMU", q->path);
	if (n == 0)
		return mp_fail(err, MP_EIO, "%s: QEMU closed the connection", q->path);
	q->len += (size_t)n;
	return 0;
}

/*
 * The next message as parsed JSON, NULL with err. wait: block until one
 * comes (else return NULL with err->status MP_ENOTFOUND when none is ready).
 */
static struct json_value *next_message(struct qmp *q, bool wait, struct mp_err *err)
{
	struct json_value *v;
	char *nl;
	size_t n;

	while (!(nl = q->len ? memchr(q->buf, '\n', q->len) : NULL)) {
		if (!wait) {
			struct pollfd p = { .fd = q->fd, .events = POLLIN };

			if (poll(&p, 1, 0) <= 0) {
				mp_fail(err, MP_ENOTFOUND, "no message");
				return NULL;
			}
		} else if (wait_readable(q, q->timeout_ms, err)) {
			return NULL;
		}
		if (receive(q, err))
			return NULL;
	}
	n = (size_t)(nl - q->buf);
	v = json_parse(q->buf, n, q->path, err);
	memmove(q->buf, nl + 1, q->len - n - 1);
	q->len -= n + 1;
	if (v && v->type != JSON_OBJECT) {
		json_free(v);
		mp_fail(err, MP_EINPUT, "%s: a QMP message that is not a JSON object", q->path);
		return NULL;
	}
	return v;
}

static void note_event(struct qmp *q, const struct json_value *v)
{
	const struct json_value *e = json_get(v, "event");

	if (!e || e->type != JSON_STRING)
		return;
	for (size_t i = 0; i < sizeof(known_events) / sizeof(known_events[0]); i++)
		if (strcmp(e->string, known_events[i].name) == 0)
			q->events |= known_events[i].bit;
}

static int send_text(struct qmp *q, const char *text, int fd, struct mp_err *err)
{
	size_t len = strlen(text), off = 0;
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl;

	while (off < len) {
		struct iovec iov = { (char *)text + off, len - off };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (fd >= 0 && off == 0) {
			/* The descriptor rides on the command's first byte (SCM_RIGHTS). */
			memset(&ctl, 0, sizeof(ctl));
			m.msg_control = ctl.space;
			m.msg_controllen = sizeof(ctl.space);
			ctl.h.cmsg_level = SOL_SOCKET;
			ctl.h.cmsg_type = SCM_RIGHTS;
			ctl.h.cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(&ctl.h), &fd, sizeof(int));
		}
		n = sendmsg(q->fd, &m, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mp_fail_errno(err, "%s: writing to QEMU", q->path);
		off += (size_t)n;
	}
	return 0;
}

static int error_of(struct qmp *q, const char *cmd, const struct json_value *reply,
		    struct mp_err *err)
{
	const struct json_value *e = json_get(reply, "error");
	const struct json_value *cls = e ? json_get(e, "class") : NULL;
	const struct json_value *desc = e ? json_get(e, "desc") : NULL;

	return mp_fail(err, MP_EINPUT, "%s: QMP %s failed: %s (%s)", q->path, cmd,
		       desc && desc->type == JSON_STRING ? desc->string : "no description",
		       cls && cls->type == JSON_STRING ? cls->string : "no class");
}

struct json_value *qmp_call(struct qmp *q, const char *cmd, const char *args, int fd,
			    struct mp_err *err)
{
	char *text = NULL;
	int n = asprintf(&text, "{\"execute\":\"%s\"%s%s}\n", cmd, args ? ",\"arguments\":" : "",
			 args ? args : "");

	if (n < 0) {
		mp_fail(err, MP_ENOMEM, "%s: out of memory", q->path);
		return NULL;
	}
	n = send_text(q, text, fd, err);
	free(text);
	if (n)
		return NULL;
	for (;;) {
		struct json_value *v = next_message(q, true, err);

		if (!v)
			return NULL;
		if (json_get(v, "return"))
			return v;
		if (json_get(v, "error")) {
			error_of(q, cmd, v, err);
			json_free(v);
			return NULL;
		}
		note_event(q, v);
		json_free(v);
	}
}

int qmp_do(struct qmp *q, const char *cmd, const char *args, struct mp_err *err)
{
	struct json_value *v = qmp_call(q, cmd, args, -1, err);

	json_free(v);
	return v ? 0 : -1;
}

int qmp_hmp(struct qmp *q, const char *cmdline, char **out, struct mp_err *err)
{
	char args[600], quoted[512];
	struct json_value *v;
	const struct json_value *r;

	if (qmp_json_string(quoted, sizeof(quoted), cmdline))
		return mp_fail(err, MP_EINTERNAL, "monitor command too long");
	snprintf(args, sizeof(args), "{\"command-line\":%s}", quoted);
	v = qmp_call(q, "human-monitor-command", args, -1, err);
	if (!v)
		return -1;
	r = json_get(v, "return");
	*out = strdup(r->type == JSON_STRING ? r->string : "");
	json_free(v);
	if (!*out)
		return mp_fail(err, MP_ENOMEM, "out of memory");
	return 0;
}

int qmp_status(struct qmp *q, char *buf, size_t len, struct mp_err *err)
{
	struct json_value *v = qmp_call(q, "query-status", NULL, -1, err);
	const struct json_value *s;

	if (!v)
		return -1;
	s = json_get(json_get(v, "return"), "status");
	if (!s || s->type != JSON_STRING) {
		json_free(v);
		return mp_fail(err, MP_EINPUT, "%s: query-status has no status", q->path);
	}
	snprintf(buf, len, "%s", s->string);
	json_free(v);
	return 0;
}

int qmp_poll_events(struct qmp *q, struct mp_err *err)
{
	for (;;) {
		struct json_value *v = next_message(q, false, err);

		if (!v)
			return err->status == MP_ENOTFOUND ? 0 : -1;
		note_event(q, v);
		json_free(v);
	}
}

unsigned qmp_events_seen(const struct qmp *q)
{
	return q->events;
}

void qmp_version(const struct qmp *q, unsigned v[3])
{
	memcpy(v, q->version, sizeof(q->version));
}

static int open_socket(struct qmp *q, const char *path, struct mp_err *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(a.sun_path))
		return mp_fail(err, MP_EUSAGE, "%s: socket path too long", path);
	strcpy(a.sun_path, path);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0)
		return mp_fail_errno(err, "%s: socket", path);
	if (connect(q->fd, (struct sockaddr *)&a, sizeof(a)) == 0)
		return 0;
	if (errno == ENOENT)
		return mp_fail(err, MP_EIO,
			       "%s: no such socket: start QEMU with -qmp unix:%s,server=on,wait=off",
			       path, path);
	if (errno == ECONNREFUSED)
		return mp_fail(err, MP_EIO,
			       "%s: nobody listens on this socket (QEMU not running, or not a "
			       "socket)",
			       path);
	return mp_fail_errno(err, "%s: cannot connect", path);
}

/* The greeting: {"QMP": {"version": {"qemu": {"major": ..}}, "capabilities": []}}. */
static int read_greeting(struct qmp *q, struct mp_err *err)
{
	struct json_value *v = next_message(q, true, err);
	const struct json_value *ver;
	static const char *const parts[3] = { "major", "minor", "micro" };

	if (!v) {
		if (err->status == MP_EIO)
			return mp_wrap(err, "no QMP greeting (another client connected?)");
		return mp_fail(err, MP_EINPUT,
			       "%s: not a QMP socket (its first line is not QMP's greeting)",
			       q->path);
	}
	if (!json_get(v, "QMP")) {
		json_free(v);
		return mp_fail(err, MP_EINPUT, "%s: not a QMP socket (no \"QMP\" greeting)",
			       q->path);
	}
	ver = json_get(json_get(json_get(v, "QMP"), "version"), "qemu");
	for (int i = 0; i < 3; i++) {
		const struct json_value *p = ver ? json_get(ver, parts[i]) : NULL;

		q->version[i] = p && p->is_uint && p->uint < 1000 ? (unsigned)p->uint : 0;
	}
	json_free(v);
	return 0;
}

struct qmp *qmp_connect(const char *path, int timeout_ms, struct mp_err *err)
{
	struct qmp *q = mp_calloc(1, sizeof(*q), err);

	if (!q)
		return NULL;
	q->fd = -1;
	snprintf(q->path, sizeof(q->path), "%s", path);
	q->timeout_ms = timeout_ms;
	if (open_socket(q, path, err) || read_greeting(q, err) ||
	    qmp_do(q, "qmp_capabilities", NULL, err)) {
		qmp_close(q);
		return NULL;
	}
	return q;
}

void qmp_close(struct qmp *q)
{
	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	free(q->buf);
	free(q);
}
