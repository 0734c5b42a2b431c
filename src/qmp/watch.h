/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Knowing when a live PowerNV guest has crashed into fadump, from outside:
 * its fadump registration read from guest RAM through QMP, the crash info
 * header's crashing_cpu that the crashing kernel fills in, skiboot's record
 * of the crashing PIR, and (optionally) the serial console's log file.
 */
#ifndef MPIPL_QMP_WATCH_H
#define MPIPL_QMP_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "qmp.h"

struct fadump_watch {
	uint64_t base;          /* skiboot's base (0x30000000 on QEMU) */
	uint64_t metadata;      /* skiboot's mpipl_metadata */
	bool registered;
	uint64_t kernel_tag;    /* the kernel's opal_fadump_mem_struct */
	uint64_t hdr_addr;      /* the crash info header (fadumphdr_addr) */
	uint32_t cpu_off;       /* offset of crashing_cpu in that header */
	bool big_endian;        /* the kernel's byte order, from the magic */
	uint32_t pir_before;    /* skiboot's crashing_pir at registration */
};

/* Start watching a guest whose skiboot runs at base. */
void fadump_watch_init(struct fadump_watch *w, uint64_t base);

/*
 * Whether the kernel has registered fadump with skiboot: 1 (w filled in),
 * 0 not (yet), -1 error (e.g. no RAM at skiboot's metadata).
 */
int fadump_watch_registration(struct qmp *q, struct fadump_watch *w, struct mp_err *err);

/* 1 once the crashed kernel wrote its crashing CPU (*cpu), 0 before, -1 error. */
int fadump_watch_crashed(struct qmp *q, const struct fadump_watch *w, uint32_t *cpu,
			 struct mp_err *err);

/* 1 once skiboot recorded a crashing PIR other than the one at registration. */
int fadump_watch_skiboot_saw(struct qmp *q, const struct fadump_watch *w, uint32_t *pir,
			     struct mp_err *err);

/* A growing console log, searched for lines as they are appended. */
struct console_watch {
	const char *path;
	int fd;
	uint64_t off;     /* bytes searched so far */
	char tail[256];   /* the end of what was read, for lines split across reads */
	size_t tail_len;
};

int console_watch_open(struct console_watch *c, const char *path, struct mp_err *err);
void console_watch_close(struct console_watch *c);

/* Index of the first needle seen in the new text, -1 when none, -2 on error. */
int console_watch_poll(struct console_watch *c, const char *const *needles, int n,
		       struct mp_err *err);

#endif
