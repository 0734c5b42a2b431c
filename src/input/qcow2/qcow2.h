/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 internal snapshots ("savevm", qemu-inputs.md 6): the snapshot table,
 * and the chosen snapshot's vmstate (a migration stream) as a sequential
 * instream read through the snapshot's L1/L2 tables.
 */
#ifndef MPIPL_INPUT_QCOW2_QCOW2_H
#define MPIPL_INPUT_QCOW2_QCOW2_H

#include <stddef.h>
#include <stdint.h>

#include "../../guestmem/guest_mem.h"
#include "../input.h"
#include "../instream.h"

struct qcow2_snapshot_info {
	char *id;               /* id_str ("1", "2", ...) */
	char *tag;              /* name given to savevm */
	uint64_t vm_state_size; /* 0: disk-only snapshot */
	uint32_t date_sec, date_nsec;
	uint64_t vm_clock_nsec;
	uint64_t disk_size;
};

struct qcow2_image;

struct qcow2_vmstate {
	struct instream *stream; /* the vmstate: exactly vm_state_size bytes, then end */
	const struct qcow2_snapshot_info *snaps; /* every snapshot, in table order */
	size_t nsnaps;
	size_t chosen;           /* index of the snapshot stream reads */
	struct qcow2_image *img; /* what stream reads through (private) */
};

/*
 * Open the qcow2 image in (at byte 0; gzip/zstd input is decompressed to a
 * temporary file first) and the vmstate of the snapshot whose tag, else id,
 * equals snapshot; NULL picks the newest snapshot that has a VM state.
 * Release with qcow2_vmstate_close (also after a failure).
 */
int qcow2_open_vmstate(struct instream *in, const char *snapshot, const char *tmpdir,
		       struct qcow2_vmstate *v, struct mp_err *err);
void qcow2_vmstate_close(struct qcow2_vmstate *v);

#endif
