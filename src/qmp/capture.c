// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The live capture: detection (watch.c), `stop`, then the state through a
 * pipe. The pipe's write end goes to QEMU with `getfd` (SCM_RIGHTS) and
 * `migrate {"uri": "fd:NAME"}`, which QEMU 7.2 and 10.x both accept; the
 * read end goes straight into the migration stream reader.
 */
#include "capture.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How long QMP commands may take (a migration's end is polled separately). */
#define QMP_TIMEOUT_MS 30000
/*
 * After the kernel's crashing_cpu appears: how long to wait for skiboot's PIR
 * record. skiboot reaches its machine check about 25 ms after the record in
 * the test guest (console timestamps), so waiting longer risks passing it.
 */
#define SETTLE_MS 20
/* How often the wait asks query-status when no event says the state changed. */
#define STATUS_EVERY_S 0.2
/* The name the pipe gets in QEMU's descriptor table. */
#define FD_NAME "mpiplctl-capture"
/* A bigger pipe: fewer wake-ups per GiB (F_SETPIPE_SZ; 1 MiB is the unprivileged limit). */
#define PIPE_SIZE (1 << 20)
/* The longest wait for QEMU to report the migration's end once the stream was read. */
#define MIGRATE_END_TIMEOUT_S 60

/* skiboot's line once Linux asked for the MPIPL (core/platform.c), and Linux's panic. */
static const char *const console_fadump[] = { "Performing MPIPL" };
static const char *const console_plain[] = { "Performing MPIPL", "Kernel panic - not syncing" };
/* skiboot's line once it recorded the crashing PIR (core/opal-dump.c). */
static const char *const console_pir[] = { "DUMP: Crashing PIR" };

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_ms(unsigned ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

static int machine_type(struct capture *c, const char *sock, struct mp_err *err)
{
	struct json_value *v = qmp_call(c->q, "qom-get",
					"{\"path\":\"/machine\",\"property\":\"type\"}", -1, err);
	const struct json_value *r = v ? json_get(v, "return") : NULL;

	if (!v)
		return -1;
	snprintf(c->machine, sizeof(c->machine), "%s",
		 r->type == JSON_STRING ? r->string : "unknown");
	json_free(v);
	/* QOM type names are "powernv9-machine", "powernv10-machine", ... */
	if (strncmp(c->machine, "powernv", 7))
		return mp_fail(err, MP_EUNSUPPORTED,
			       "%s: QEMU's machine is %s, not powernv: capture reads PowerNV guests "
			       "(-M powernv9, powernv10)",
			       sock, c->machine);
	return 0;
}

int capture_attach(struct capture *c, const struct capture_opts *o, struct mp_err *err)
{
	memset(c, 0, sizeof(*c));
	fadump_watch_init(&c->w, o->base);
	c->q = qmp_connect(o->socket, QMP_TIMEOUT_MS, err);
	if (!c->q)
		return -1;
	if (machine_type(c, o->socket, err) ||
	    qmp_status(c->q, c->status_before, sizeof(c->status_before), err))
		return -1;
	if (strcmp(c->status_before, "postmigrate") == 0)
		return mp_fail(err, MP_EUNSUPPORTED,
			       "%s: the guest was already migrated (status postmigrate) and QEMU "
			       "refuses a second migration: capture a guest that has not been "
			       "migrated",
			       o->socket);
	if (strcmp(c->status_before, "prelaunch") == 0 || strcmp(c->status_before, "inmigrate") == 0)
		return mp_fail(err, MP_EUNSUPPORTED,
			       "%s: the guest has not started (status %s)", o->socket,
			       c->status_before);
	return 0;
}

static int no_registration(const struct capture *c, const struct capture_opts *o,
			   struct mp_err *err, const char *why)
{
	unsigned v[3];

	qmp_version(c->q, v);
	return mp_fail(err, MP_EINPUT,
		       "%s: %s: no fadump registration (skiboot's metadata at 0x%llx has no "
		       "KERNEL tag; boot with the device tree of `mpiplctl dtb` and fadump=on%s); "
		       "pass --synthesize for a plain core of all RAM",
		       o->socket, why, (unsigned long long)c->w.metadata,
		       v[0] && v[0] < 10 ? ", which needs QEMU 10.0 or later: older QEMU ignores "
					   "-dtb on powernv"
					 : "");
}

/*
 * Having seen crashing_cpu: give skiboot a moment to record the PIR, then
 * stop. A crash on PIR 0 leaves skiboot's zeroed field as it was; then only
 * its console line (with --console) or the time limit ends the wait.
 */
static int settle_and_stop(struct capture *c, struct console_watch *cw, double seen,
			   struct mp_err *err)
{
	for (;;) {
		int saw = fadump_watch_skiboot_saw(c->q, &c->w, &c->skiboot_pir, err);

		if (saw < 0)
			return -1;
		if (!saw && cw) {
			saw = console_watch_poll(cw, console_pir, 1, err);
			if (saw == -2)
				return -1;
			saw = saw == 0;
		}
		c->skiboot_saw = saw;
		if (saw || (now_s() - seen) * 1000 >= SETTLE_MS)
			break;
	}
	if (qmp_do(c->q, "stop", NULL, err))
		return -1;
	c->stopped = true;
	/* What the stopped guest holds, for the report (the console may have been first). */
	return fadump_watch_skiboot_saw(c->q, &c->w, &c->skiboot_pir, err) < 0 ? -1 : 0;
}

/* One look: 1 crashed (c->trigger set), 0 not yet, -1 error. */
static int look(struct capture *c, const struct capture_opts *o, struct console_watch *cw,
		const char *status, struct mp_err *err)
{
	int r;

	if (!c->w.registered) {
		r = fadump_watch_registration(c->q, &c->w, err);
		if (r < 0)
			return -1;
	}
	if (c->w.registered) {
		r = fadump_watch_crashed(c->q, &c->w, &c->crashing_cpu, err);
		if (r)
			return r < 0 ? -1 : (c->trigger = TRIGGER_FADUMP, 1);
	}
	if (cw) {
		bool plain = o->plain_ok && !c->w.registered;

		r = console_watch_poll(cw, plain ? console_plain : console_fadump, plain ? 2 : 1,
				       err);
		if (r == -2)
			return -1;
		if (r >= 0) {
			mp_set_str(&c->how, "console line \"%s\" in %s",
				   plain ? console_plain[r] : console_fadump[r], o->console);
			c->trigger = TRIGGER_CONSOLE;
			return 1;
		}
	}
	if (strcmp(status, "running") == 0)
		return 0;
	/* A guest that does not run will not crash any more. */
	if (!c->w.registered && o->plain_ok) {
		mp_set_str(&c->how, "the guest was already paused (status %s)", status);
		c->trigger = TRIGGER_PAUSED;
		return 1;
	}
	if (!c->w.registered)
		return no_registration(c, o, err, "the guest is not running");
	return mp_fail(err, MP_EINPUT,
		       "%s: the guest is not running (status %s) and has not crashed: its crash "
		       "info header at 0x%llx still says crashing_cpu 0xffffffff",
		       o->socket, status, (unsigned long long)c->w.hdr_addr);
}

/*
 * Events as they come; query-status when an event came or STATUS_EVERY_S
 * passed: one look costs a single `xp` round trip most of the time.
 */
static int check_alive(struct capture *c, const struct capture_opts *o, char *status,
		       size_t len, double *last, unsigned *events, struct mp_err *err)
{
	if (qmp_poll_events(c->q, err))
		return -1;
	if (*last == 0 || qmp_events_seen(c->q) != *events || now_s() - *last >= STATUS_EVERY_S) {
		if (qmp_status(c->q, status, len, err))
			return -1;
		*last = now_s();
		*events = qmp_events_seen(c->q);
	}
	if (strcmp(status, "shutdown") == 0 || (qmp_events_seen(c->q) & QMP_EV_SHUTDOWN))
		return mp_fail(err, MP_EINPUT, "%s: the guest shut down before it crashed",
			       o->socket);
	return 0;
}

int capture_wait_and_stop(struct capture *c, const struct capture_opts *o, struct mp_err *err)
{
	struct console_watch cw, *cwp = NULL;
	double start = now_s(), seen, last_status = 0;
	unsigned events = 0;
	char status[32];
	int r = 0;

	if (o->console) {
		if (console_watch_open(&cw, o->console, err))
			return -1;
		cwp = &cw;
	}
	for (;;) {
		r = check_alive(c, o, status, sizeof(status), &last_status, &events, err);
		if (r == 0)
			r = look(c, o, cwp, status, err);
		if (r)
			break;
		if (now_s() - start >= o->timeout_s) {
			r = c->w.registered
				    ? mp_fail(err, MP_EINPUT,
					      "%s: no crash within %u s (fadump is registered; the "
					      "crash info header at 0x%llx still says crashing_cpu "
					      "0xffffffff)",
					      o->socket, o->timeout_s,
					      (unsigned long long)c->w.hdr_addr)
				    : no_registration(c, o, err, "no crash seen");
			break;
		}
		sleep_ms(o->poll_ms);
	}
	if (r < 0) {
		if (cwp)
			console_watch_close(cwp);
		return -1;
	}
	r = 0;
	seen = now_s();
	c->wait_s = seen - start;
	if (c->trigger == TRIGGER_FADUMP)
		mp_set_str(&c->how,
			   "crash info header at 0x%llx: crashing_cpu 0x%x (fadump registered at "
			   "0x%llx)",
			   (unsigned long long)c->w.hdr_addr, c->crashing_cpu,
			   (unsigned long long)c->w.kernel_tag);
	/* A guest that is not running has nothing left to settle, and stays as it is. */
	if (strcmp(status, "running") == 0) {
		if (c->trigger == TRIGGER_FADUMP)
			r = settle_and_stop(c, cwp, seen, err);
		else if ((r = qmp_do(c->q, "stop", NULL, err)) == 0)
			c->stopped = true;
		c->stop_latency_ms = (now_s() - seen) * 1000;
	}
	if (cwp)
		console_watch_close(cwp);
	return r;
}

/* Poll query-migrate until the migration ends; its status and error into the buffers. */
static int migration_end(struct capture *c, char *status, size_t slen, char *desc, size_t dlen,
			 struct mp_err *err)
{
	double start = now_s();

	for (;;) {
		struct json_value *v = qmp_call(c->q, "query-migrate", NULL, -1, err);
		const struct json_value *r = v ? json_get(v, "return") : NULL;
		const struct json_value *s = r ? json_get(r, "status") : NULL;
		const struct json_value *e = r ? json_get(r, "error-desc") : NULL;

		if (!v)
			return -1;
		snprintf(status, slen, "%s", s && s->type == JSON_STRING ? s->string : "none");
		snprintf(desc, dlen, "%s", e && e->type == JSON_STRING ? e->string : "");
		json_free(v);
		if (!strcmp(status, "completed") || !strcmp(status, "failed") ||
		    !strcmp(status, "cancelled"))
			return 0;
		if (now_s() - start > MIGRATE_END_TIMEOUT_S)
			return mp_fail(err, MP_EIO, "QEMU's migration did not end (status %s)",
				       status);
		sleep_ms(20);
	}
}

/* Hand QEMU the pipe's write end and start the migration into it. */
static int start_migration(struct capture *c, int wfd, struct mp_err *err)
{
	struct json_value *v = qmp_call(c->q, "getfd", "{\"fdname\":\"" FD_NAME "\"}", wfd, err);

	if (!v)
		return -1;
	json_free(v);
	if (qmp_do(c->q, "migrate", "{\"uri\":\"fd:" FD_NAME "\"}", err)) {
		struct mp_err ignored;

		qmp_do(c->q, "closefd", "{\"fdname\":\"" FD_NAME "\"}", &ignored);
		return -1;
	}
	return 0;
}

struct guest_mem *capture_take(struct capture *c, const struct capture_opts *o,
			       const struct input_opts *io, struct mp_err *err)
{
	char name[600], status[32], desc[512];
	struct guest_mem *gm;
	struct mp_err merr;
	double start = now_s();
	int p[2];

	if (pipe2(p, O_CLOEXEC)) {
		mp_fail_errno(err, "pipe");
		return NULL;
	}
	(void)fcntl(p[0], F_SETPIPE_SZ, PIPE_SIZE); /* a smaller pipe only costs speed */
	if (start_migration(c, p[1], err)) {
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	/* QEMU holds its own copy now: our write end must go for the reader to see the end. */
	close(p[1]);
	snprintf(name, sizeof(name), "%s: migration stream", o->socket);
	gm = input_open_fd(p[0], name, io, err);
	if (migration_end(c, status, sizeof(status), desc, sizeof(desc), &merr)) {
		gm_free(gm);
		*err = merr;
		return NULL;
	}
	if (strcmp(status, "completed")) {
		gm_free(gm);
		mp_fail(err, MP_EIO, "%s: QEMU's migration %s%s%s", o->socket, status,
			desc[0] ? ": " : "", desc);
		return NULL;
	}
	c->migrate_s = now_s() - start;
	return gm;
}

void capture_undo(struct capture *c)
{
	struct mp_err ignored;

	if (c->q && c->stopped && strcmp(c->status_before, "running") == 0)
		qmp_do(c->q, "cont", NULL, &ignored);
}

int capture_finish(struct capture *c, enum capture_after after, struct mp_err *err)
{
	if (after == CAPTURE_RESUME)
		return qmp_do(c->q, "cont", NULL, err);
	if (after == CAPTURE_QUIT)
		return qmp_do(c->q, "quit", NULL, err);
	return 0;
}

void capture_close(struct capture *c)
{
	qmp_close(c->q);
	c->q = NULL;
	free(c->how);
	c->how = NULL;
}
