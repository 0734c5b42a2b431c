// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qcow2 headers and the snapshot table (qemu-inputs.md 6.1, 6.2;
 * docs/interop/qcow2.rst), checked as QEMU's open path checks them
 * (section 11), and the choice of the snapshot whose vmstate is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../file_access.h"
#include "qcow2_priv.h"
#include "../../util/bytes.h"

/* Header field offsets (all big-endian). */
#define H_VERSION 4
#define H_CLUSTER_BITS 20
#define H_SIZE 24
#define H_CRYPT 32
#define H_NB_SNAPSHOTS 60
#define H_SNAPSHOTS_OFFSET 64
#define H_INCOMPAT 72
#define H_HEADER_LENGTH 100
#define H_COMPRESSION_TYPE 104
#define V2_HEADER_LEN 72
#define V3_MIN_HEADER_LEN 104
/* Incompatible feature bits. */
#define INCOMPAT_DIRTY 0x1ull
#define INCOMPAT_CORRUPT 0x2ull
#define INCOMPAT_DATA_FILE 0x4ull
#define INCOMPAT_COMPRESSION 0x8ull
#define INCOMPAT_EXTL2 0x10ull
#define INCOMPAT_KNOWN 0x1Full
/* [block/qcow2.h] QCOW_MAX_SNAPSHOTS, QCOW_MAX_SNAPSHOT_EXTRA_DATA, QCOW_MAX_SNAPSHOTS_SIZE. */
#define MAX_SNAPSHOTS 65536u
#define MAX_EXTRA 1024u
#define MAX_TABLE_SIZE (1024ull * MAX_SNAPSHOTS)
/* Snapshot entry: fixed part, then extra data (vm_state_size_large @40, disk_size @48). */
#define SN_FIXED 40

static int check_features(struct qcow2_image *img, const uint8_t *h, uint32_t hlen,
			  struct mp_err *err)
{
	uint64_t inc = get_be64(h + H_INCOMPAT);
	uint8_t ctype = hlen > H_COMPRESSION_TYPE ? h[H_COMPRESSION_TYPE] : 0;

	if (inc & ~INCOMPAT_KNOWN)
		return mp_fail_at(err, MP_EUNSUPPORTED, img->label, H_INCOMPAT, "unsupported qcow2 "
				  "incompatible feature bits 0x%llx",
				  (unsigned long long)(inc & ~INCOMPAT_KNOWN));
	if (inc & INCOMPAT_DATA_FILE)
		return mp_fail_at(err, MP_EUNSUPPORTED, img->label, H_INCOMPAT, "the image uses an "
				  "external data file: it has no internal snapshot data");
	if ((inc & INCOMPAT_EXTL2) && img->cluster_bits < 14)
		return mp_fail_at(err, MP_EINPUT, img->label, H_INCOMPAT, "extended L2 entries "
				  "need clusters of 16 KiB or more, cluster_bits is %u",
				  img->cluster_bits);
	if (ctype > 1)
		return mp_fail_at(err, MP_EUNSUPPORTED, img->label, H_COMPRESSION_TYPE,
				  "unknown compression type %u", ctype);
	if ((ctype != 0) != !!(inc & INCOMPAT_COMPRESSION))
		return mp_fail_at(err, MP_EINPUT, img->label, H_COMPRESSION_TYPE, "compression "
				  "type %u does not match the compression feature bit", ctype);
	img->ext_l2 = inc & INCOMPAT_EXTL2;
	img->zstd = ctype == 1;
	return 0;
}

static int read_header(struct qcow2_image *img, uint32_t *nsnap, uint64_t *snap_off,
		       struct mp_err *err)
{
	uint8_t h[V3_MIN_HEADER_LEN + 8] = { 0 };
	uint32_t hlen = V2_HEADER_LEN;

	if (pread_exact(img->fd, img->file_size, h, V2_HEADER_LEN, 0, img->label,
			"the qcow2 header", err))
		return -1;
	if (memcmp(h, "QFI\xfb", 4) != 0)
		return mp_fail_at(err, MP_EINPUT, img->label, 0, "not a qcow2 image");
	img->version = get_be32(h + H_VERSION);
	img->cluster_bits = get_be32(h + H_CLUSTER_BITS);
	img->size = get_be64(h + H_SIZE);
	if (img->version != 2 && img->version != 3)
		return mp_fail_at(err, MP_EUNSUPPORTED, img->label, H_VERSION, "qcow2 version %u "
				  "(2 and 3 are known)", img->version);
	if (img->cluster_bits < 9 || img->cluster_bits > 21)
		return mp_fail_at(err, MP_EINPUT, img->label, H_CLUSTER_BITS, "cluster_bits %u is "
				  "outside 9..21", img->cluster_bits);
	img->cluster_size = 1ull << img->cluster_bits;
	if (get_be32(h + H_CRYPT) != 0)
		return mp_fail_at(err, MP_EUNSUPPORTED, img->label, H_CRYPT, "the image is "
				  "encrypted (method %u): its vmstate cannot be read",
				  get_be32(h + H_CRYPT));
	if (img->version == 3) {
		if (pread_exact(img->fd, img->file_size, h, sizeof(h) - 8, 0, img->label,
				"the qcow2 v3 header", err))
			return -1;
		hlen = get_be32(h + H_HEADER_LENGTH);
		if (hlen < V3_MIN_HEADER_LEN || hlen > img->cluster_size)
			return mp_fail_at(err, MP_EINPUT, img->label, H_HEADER_LENGTH,
					  "header_length %u is outside [104, cluster size %llu]",
					  hlen, (unsigned long long)img->cluster_size);
		if (hlen > H_COMPRESSION_TYPE &&
		    pread_exact(img->fd, img->file_size, h + H_COMPRESSION_TYPE, 1,
				H_COMPRESSION_TYPE, img->label, "the compression type", err))
			return -1;
		if (check_features(img, h, hlen, err))
			return -1;
	}
	*nsnap = get_be32(h + H_NB_SNAPSHOTS);
	*snap_off = get_be64(h + H_SNAPSHOTS_OFFSET);
	return 0;
}

static int check_table(const struct qcow2_image *img, uint32_t n, uint64_t off,
		       struct mp_err *err)
{
	if (n > MAX_SNAPSHOTS)
		return mp_fail_at(err, MP_EINPUT, img->label, H_NB_SNAPSHOTS, "%u snapshots, more "
				  "than %u", n, MAX_SNAPSHOTS);
	if (n && (off % img->cluster_size || off >= img->file_size))
		return mp_fail_at(err, MP_EINPUT, img->label, H_SNAPSHOTS_OFFSET, "snapshot table "
				  "offset %llu is not cluster aligned or lies outside the file "
				  "(%llu bytes)", (unsigned long long)off,
				  (unsigned long long)img->file_size);
	return 0;
}

static char *read_string(const struct qcow2_image *img, uint64_t off, uint16_t len,
			 const char *what, struct mp_err *err)
{
	char *s = mp_malloc((size_t)len + 1, err);

	if (!s)
		return NULL;
	if (pread_exact(img->fd, img->file_size, s, len, off, img->label, what, err)) {
		free(s);
		return NULL;
	}
	s[len] = 0;
	/* Keep messages one line: control bytes in a tag are shown as '?'. */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = '?';
	return s;
}

/* Parse one entry at *off (8-byte aligned) and advance *off past it. */
static int read_entry(const struct qcow2_image *img, uint64_t *off, struct qcow2_snap *sn,
		      struct qcow2_snapshot_info *info, struct mp_err *err)
{
	uint8_t f[SN_FIXED], extra[16] = { 0 };
	uint32_t extra_size;
	uint16_t id_len, name_len;
	uint64_t at = *off;

	if (pread_exact(img->fd, img->file_size, f, sizeof(f), at, img->label,
			"a snapshot table entry", err))
		return -1;
	sn->entry_off = at;
	sn->l1_off = get_be64(f);
	sn->l1_size = get_be32(f + 8);
	id_len = get_be16(f + 12);
	name_len = get_be16(f + 14);
	info->date_sec = get_be32(f + 16);
	info->date_nsec = get_be32(f + 20);
	info->vm_clock_nsec = get_be64(f + 24);
	info->vm_state_size = get_be32(f + 32);
	extra_size = get_be32(f + 36);
	info->disk_size = img->size;
	if (extra_size > MAX_EXTRA)
		return mp_fail_at(err, MP_EINPUT, img->label, at + 36, "snapshot extra data of %u "
				  "bytes, more than %u", extra_size, MAX_EXTRA);
	if (pread_exact(img->fd, img->file_size, extra,
			extra_size < sizeof(extra) ? extra_size : sizeof(extra), at + SN_FIXED,
			img->label, "snapshot extra data", err))
		return -1;
	if (extra_size >= 8)
		info->vm_state_size = get_be64(extra);
	if (extra_size >= 16)
		info->disk_size = get_be64(extra + 8);
	at += SN_FIXED + extra_size;
	info->id = read_string(img, at, id_len, "a snapshot id", err);
	if (!info->id)
		return -1;
	info->tag = read_string(img, at + id_len, name_len, "a snapshot name", err);
	if (!info->tag)
		return -1;
	*off = round_up_u64(at + id_len + name_len, 8);
	return 0;
}

static int read_snapshots(struct qcow2_image *img, uint32_t n, uint64_t off,
			  struct mp_err *err)
{
	uint64_t start = off;

	if (check_table(img, n, off, err))
		return -1;
	img->snaps = mp_calloc(n ? n : 1, sizeof(*img->snaps), err);
	img->info = mp_calloc(n ? n : 1, sizeof(*img->info), err);
	if (!img->snaps || !img->info)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		img->nsnaps = i + 1; /* so that close frees a half-read entry */
		if (read_entry(img, &off, &img->snaps[i], &img->info[i], err))
			return -1;
		if (off - start > MAX_TABLE_SIZE)
			return mp_fail_at(err, MP_EINPUT, img->label, start, "the snapshot table "
					  "exceeds %llu bytes", (unsigned long long)MAX_TABLE_SIZE);
	}
	return 0;
}

struct qcow2_image *qcow2_image_open(int fd, uint64_t size, const char *label,
				     struct mp_err *err)
{
	struct qcow2_image *img = mp_calloc(1, sizeof(*img), err);
	uint64_t snap_off = 0;
	uint32_t nsnap = 0;

	if (!img) {
		close(fd);
		return NULL;
	}
	img->fd = fd;
	img->file_size = size;
	img->l2_off = img->cluster_key = UINT64_MAX;
	snprintf(img->label, sizeof(img->label), "%s", label);
	if (read_header(img, &nsnap, &snap_off, err) ||
	    read_snapshots(img, nsnap, snap_off, err)) {
		qcow2_image_close(img);
		return NULL;
	}
	return img;
}

void qcow2_image_close(struct qcow2_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->nsnaps; i++) {
		free(img->info[i].id);
		free(img->info[i].tag);
	}
	free(img->info);
	free(img->snaps);
	free(img->l2);
	free(img->cbuf);
	free(img->cluster);
	ZSTD_freeDCtx(img->zd);
	close(img->fd);
	free(img);
}

static bool newer(const struct qcow2_snapshot_info *a, const struct qcow2_snapshot_info *b)
{
	return a->date_sec != b->date_sec ? a->date_sec > b->date_sec
					  : a->date_nsec >= b->date_nsec;
}

/* Tag first, then id (savevm tags are what users type); NULL: newest with a VM state. */
static int choose(const struct qcow2_image *img, const char *want, size_t *chosen,
		  struct mp_err *err)
{
	size_t best = img->nsnaps;

	for (size_t i = 0; want && i < img->nsnaps && best == img->nsnaps; i++)
		if (strcmp(img->info[i].tag, want) == 0)
			best = i;
	for (size_t i = 0; want && i < img->nsnaps && best == img->nsnaps; i++)
		if (strcmp(img->info[i].id, want) == 0)
			best = i;
	for (size_t i = 0; !want && i < img->nsnaps; i++)
		if (img->info[i].vm_state_size &&
		    (best == img->nsnaps || newer(&img->info[i], &img->info[best])))
			best = i;
	if (best == img->nsnaps && want)
		return mp_fail(err, MP_EINPUT, "%s: no snapshot with tag or id \"%s\" (%zu "
					       "snapshots; qemu-img snapshot -l lists them)",
			       img->label, want, img->nsnaps);
	if (best == img->nsnaps)
		return mp_fail(err, MP_EINPUT, "%s: no snapshot with a VM state (%zu snapshots)",
			       img->label, img->nsnaps);
	if (img->info[best].vm_state_size == 0)
		return mp_fail_at(err, MP_EINPUT, img->label, img->snaps[best].entry_off,
				  "snapshot \"%s\" (id %s) is disk-only: vm_state_size is 0",
				  img->info[best].tag, img->info[best].id);
	*chosen = best;
	return 0;
}

int qcow2_open_vmstate(struct instream *in, const char *snapshot, const char *tmpdir,
		       struct qcow2_vmstate *v, struct mp_err *err)
{
	char name[400];
	uint64_t size;
	int fd;

	memset(v, 0, sizeof(*v));
	if (input_random_access(in, tmpdir, &fd, &size, err))
		return -1;
	v->img = qcow2_image_open(fd, size, instream_path(in), err);
	if (!v->img)
		return -1;
	v->snaps = v->img->info;
	v->nsnaps = v->img->nsnaps;
	if (choose(v->img, snapshot, &v->chosen, err) || qcow2_map_start(v->img, v->chosen, err))
		return -1;
	snprintf(name, sizeof(name), "%s (snapshot \"%s\" vmstate)", instream_path(in),
		 v->img->info[v->chosen].tag);
	v->stream = instream_open_custom(name, qcow2_vmstate_read, v->img, err);
	return v->stream ? 0 : -1;
}

void qcow2_vmstate_close(struct qcow2_vmstate *v)
{
	instream_close(v->stream);
	qcow2_image_close(v->img);
	memset(v, 0, sizeof(*v));
}
