/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest physical memory of a running QEMU, read through QMP with the human
 * monitor's `xp` command, which QEMU 7.2 and 10.x both have and which needs
 * no file shared with QEMU (pmemsave writes one where QEMU runs).
 */
#ifndef MPIPL_QMP_PHYSMEM_H
#define MPIPL_QMP_PHYSMEM_H

#include <stddef.h>
#include <stdint.h>

#include "qmp.h"

/* Bytes per `xp` command: about 20 KiB of monitor text each, one round trip. */
#define PHYSMEM_CHUNK 4096u

/* Read len bytes of guest physical memory at addr; -1 with err outside RAM. */
int physmem_read(struct qmp *q, uint64_t addr, void *buf, size_t len, struct mp_err *err);

/* Parse `xp /Nbx` output: exactly want bytes into out. Exposed for tests. */
int physmem_parse_xp(const char *text, uint8_t *out, size_t want, uint64_t addr,
		     struct mp_err *err);

#endif
