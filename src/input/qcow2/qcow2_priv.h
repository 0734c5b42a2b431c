/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The qcow2 image state shared by qcow2.c (headers) and qcow2_map.c (reads). */
#ifndef MPIPL_INPUT_QCOW2_QCOW2_PRIV_H
#define MPIPL_INPUT_QCOW2_QCOW2_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <zstd.h>

#include "qcow2.h"

/* Where a snapshot's data is (its public part is in qcow2_image.info). */
struct qcow2_snap {
	uint64_t entry_off; /* byte offset of its table entry, for messages */
	uint64_t l1_off;
	uint32_t l1_size;
};

struct qcow2_image {
	int fd;
	uint64_t file_size;
	char label[300];     /* "disk.qcow2", or with the snapshot once one is open */
	uint32_t version;
	uint32_t cluster_bits;
	uint64_t cluster_size;
	uint64_t size;       /* virtual disk size in the header */
	bool ext_l2;         /* extended L2 entries (subclusters) */
	bool zstd;           /* compression type 1; else raw deflate */
	struct qcow2_snapshot_info *info; /* nsnaps, in table order */
	struct qcow2_snap *snaps;         /* nsnaps, same order */
	size_t nsnaps;
	/* The open snapshot's vmstate. */
	const struct qcow2_snap *cur;
	const struct qcow2_snapshot_info *cur_info;
	unsigned l2_bits;    /* log2 of L2 entries per table */
	uint64_t vm_start;   /* virtual offset of vmstate byte 0 */
	uint64_t pos;        /* next vmstate byte to read */
	uint8_t *l2;         /* one L2 table */
	uint64_t l2_off;     /* its host offset, UINT64_MAX: none */
	uint8_t *cbuf;       /* compressed bytes: up to 2 clusters */
	uint8_t *cluster;    /* one decompressed cluster */
	uint64_t cluster_key;/* L2 entry it came from, UINT64_MAX: none */
	ZSTD_DCtx *zd;
};

/* Read the headers and the snapshot table of the image in fd (taken over). */
struct qcow2_image *qcow2_image_open(int fd, uint64_t size, const char *label,
				     struct mp_err *err);
void qcow2_image_close(struct qcow2_image *img);

/* Prepare reading snapshot index's vmstate from its first byte (qcow2_map.c). */
int qcow2_map_start(struct qcow2_image *img, size_t index, struct mp_err *err);

/* instream_read_fn over the open vmstate (qcow2_map.c). */
ptrdiff_t qcow2_vmstate_read(void *ctx, void *buf, size_t len, struct mp_err *err);

#endif
