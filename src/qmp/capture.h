/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capturing a crashed PowerNV guest live: attach to QEMU's QMP socket, wait
 * until the guest has crashed into fadump, stop it, and read its state as a
 * migration stream that QEMU writes into a pipe we hand it (getfd, then
 * migrate fd:NAME). Nothing is written to disk on the way.
 */
#ifndef MPIPL_QMP_CAPTURE_H
#define MPIPL_QMP_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "qmp.h"
#include "watch.h"
#include "../guestmem/guest_mem.h"
#include "../input/input.h"

/* What happens to the guest after a successful capture. */
enum capture_after { CAPTURE_PAUSE, CAPTURE_RESUME, CAPTURE_QUIT };

struct capture_opts {
	const char *socket;
	unsigned timeout_s;   /* how long to wait for the crash */
	unsigned poll_ms;     /* between two looks at guest RAM */
	const char *console;  /* QEMU's serial log (-serial file:PATH), or NULL */
	uint64_t base;        /* skiboot's base */
	bool plain_ok;        /* --synthesize: a guest without fadump is captured too */
};

enum capture_trigger {
	TRIGGER_NONE,
	TRIGGER_FADUMP,  /* the crash info header's crashing_cpu, read from RAM */
	TRIGGER_CONSOLE, /* a line of the console log */
	TRIGGER_PAUSED,  /* a guest without fadump that was already paused */
};

struct capture {
	struct qmp *q;
	struct fadump_watch w;
	char machine[64];       /* QOM type of /machine */
	char status_before[32]; /* query-status when we attached */
	bool stopped;           /* we stopped the guest */
	enum capture_trigger trigger;
	char *how;              /* how the crash was seen (malloc'd, NULL before) */
	uint32_t crashing_cpu;  /* from the crash info header (fadump trigger) */
	bool skiboot_saw;       /* skiboot had recorded the crashing PIR when we stopped */
	uint32_t skiboot_pir;
	double wait_s;          /* attach to stop */
	double stop_latency_ms; /* crash seen to guest stopped */
	double migrate_s;       /* stop to the whole stream read */
};

/* Connect and check that this is a powernv guest we can capture. */
int capture_attach(struct capture *c, const struct capture_opts *o, struct mp_err *err);

/* Wait for the crash (at most o->timeout_s), then stop the guest. */
int capture_wait_and_stop(struct capture *c, const struct capture_opts *o, struct mp_err *err);

/* Migrate the stopped guest through a pipe into guest memory. */
struct guest_mem *capture_take(struct capture *c, const struct capture_opts *o,
			       const struct input_opts *io, struct mp_err *err);

/* After a failure: run the guest again if it ran before we stopped it. */
void capture_undo(struct capture *c);

/* After success: leave it paused, resume it, or end QEMU. */
int capture_finish(struct capture *c, enum capture_after after, struct mp_err *err);

void capture_close(struct capture *c);

#endif
