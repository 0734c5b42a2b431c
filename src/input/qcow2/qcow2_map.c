// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a qcow2 snapshot's vmstate (qemu-inputs.md 6.3): virtual offsets
 * from vm_start on, translated through the snapshot's L1 and L2 tables
 * (standard or extended entries), compressed clusters inflated (raw
 * deflate or zstd). One L2 table and one decompressed cluster are cached:
 * the stream is read front to back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../file_access.h"
#include "qcow2_priv.h"
#include "../../util/bytes.h"

/* [block/qcow2.h]: L1E_OFFSET_MASK, L2E_OFFSET_MASK, QCOW_OFLAG_COMPRESSED, QCOW_OFLAG_ZERO. */
#define OFFSET_MASK 0x00fffffffffffe00ull
#define OFLAG_COMPRESSED (1ull << 62)
#define OFLAG_ZERO 1ull
/* QCOW_MAX_L1_SIZE: 32 MiB of L1 entries. */
#define MAX_L1_BYTES (32u << 20)
/* Extended L2: 32 subclusters per cluster; bitmap bit k allocated, bit 32 + k zero. */
#define SUBCLUSTERS 32

/* Fail naming the vmstate byte, its virtual offset and what was wrong. */
__attribute__((format(printf, 4, 5))) static int map_fail(const struct qcow2_image *img,
							  uint64_t voff, struct mp_err *err,
							  const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return mp_fail(err, MP_EINPUT,
		       "%s: snapshot \"%s\": vmstate byte %llu (virtual offset 0x%llx): %s",
		       img->label, img->cur_info->tag,
		       (unsigned long long)(voff - img->vm_start), (unsigned long long)voff, what);
}

static int check_l1(const struct qcow2_image *img, const struct qcow2_snap *sn,
		    struct mp_err *err)
{
	uint64_t bytes = (uint64_t)sn->l1_size * 8;

	if (bytes > MAX_L1_BYTES || sn->l1_off % img->cluster_size ||
	    sn->l1_off > img->file_size || bytes > img->file_size - sn->l1_off)
		return mp_fail_at(err, MP_EINPUT, img->label, sn->entry_off, "snapshot \"%s\": L1 "
				  "table at %llu with %u entries is unaligned, too large or "
				  "outside the file (%llu bytes)", img->cur_info->tag,
				  (unsigned long long)sn->l1_off, sn->l1_size,
				  (unsigned long long)img->file_size);
	return 0;
}

int qcow2_map_start(struct qcow2_image *img, size_t index, struct mp_err *err)
{
	const struct qcow2_snapshot_info *info = &img->info[index];
	uint64_t align, end;
	unsigned shift;

	img->cur = &img->snaps[index];
	img->cur_info = info;
	img->l2_bits = img->cluster_bits - (img->ext_l2 ? 4 : 3);
	shift = img->cluster_bits + img->l2_bits; /* bytes one L2 table maps */
	align = 1ull << shift;
	/* The vmstate begins after the disk, at the next L1-entry boundary ([block/qcow2.h]). */
	if (info->disk_size > UINT64_MAX - align ||
	    !add_u64_ok(round_up_u64(info->disk_size, align), info->vm_state_size, &end))
		return mp_fail_at(err, MP_EINPUT, img->label, img->cur->entry_off,
				  "snapshot \"%s\": disk size %llu plus VM state %llu bytes pass "
				  "2^64", info->tag, (unsigned long long)info->disk_size,
				  (unsigned long long)info->vm_state_size);
	img->vm_start = round_up_u64(info->disk_size, align);
	img->pos = 0;
	if (check_l1(img, img->cur, err))
		return -1;
	img->l2 = mp_malloc(img->cluster_size, err);
	img->cbuf = mp_malloc(2 * img->cluster_size, err);
	img->cluster = mp_malloc(img->cluster_size, err);
	if (!img->l2 || !img->cbuf || !img->cluster)
		return -1;
	if (img->zstd && !(img->zd = ZSTD_createDCtx()))
		return mp_fail(err, MP_ENOMEM, "out of memory (zstd decoder)");
	return 0;
}

/* The L2 table for voff into img->l2; *none when unallocated. */
static int load_l2(struct qcow2_image *img, uint64_t voff, bool *none, struct mp_err *err)
{
	uint64_t l1_index = voff >> (img->cluster_bits + img->l2_bits), l2_off;
	uint8_t e[8];

	*none = l1_index >= img->cur->l1_size;
	if (*none)
		return 0; /* past the L1 table: reads as zero, as in QEMU */
	if (pread_exact(img->fd, img->file_size, e, 8, img->cur->l1_off + l1_index * 8,
			img->label, "an L1 entry", err))
		return -1;
	l2_off = get_be64(e) & OFFSET_MASK;
	*none = l2_off == 0;
	if (*none || l2_off == img->l2_off)
		return 0;
	if (l2_off % img->cluster_size || l2_off > img->file_size ||
	    img->cluster_size > img->file_size - l2_off)
		return map_fail(img, voff, err,
				"L2 table offset 0x%llx is unaligned or past the end of the file "
				"(%llu bytes)",
				(unsigned long long)l2_off, (unsigned long long)img->file_size);
	img->l2_off = UINT64_MAX;
	if (pread_exact(img->fd, img->file_size, img->l2, img->cluster_size, l2_off, img->label,
			"an L2 table", err))
		return -1;
	img->l2_off = l2_off;
	return 0;
}

static int inflate_cluster(struct qcow2_image *img, size_t csize)
{
	z_stream z;
	int zr;

	memset(&z, 0, sizeof(z));
	/* Raw deflate, 4 KiB window: what qcow2 writes ([block/qcow2-threads.c]). */
	if (inflateInit2(&z, -12) != Z_OK)
		return -1;
	z.next_in = img->cbuf;
	z.avail_in = (uInt)csize;
	z.next_out = img->cluster;
	z.avail_out = (uInt)img->cluster_size;
	zr = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	/* The data may run on into sector padding: a full cluster is success. */
	return (zr == Z_STREAM_END || zr == Z_BUF_ERROR) && z.avail_out == 0 ? 0 : -1;
}

static int unzstd_cluster(struct qcow2_image *img, size_t csize)
{
	ZSTD_inBuffer in = { img->cbuf, csize, 0 };
	ZSTD_outBuffer out = { img->cluster, img->cluster_size, 0 };
	size_t zr = 1;

	ZSTD_DCtx_reset(img->zd, ZSTD_reset_session_only);
	/* One or more frames, until the cluster is full ([block/qcow2-threads.c]). */
	while (out.pos < out.size) {
		size_t in_was = in.pos, out_was = out.pos;

		zr = ZSTD_decompressStream(img->zd, &out, &in);
		if (ZSTD_isError(zr) || (in.pos == in_was && out.pos == out_was))
			return -1;
	}
	return zr == 0 ? 0 : -1; /* a frame still open: more data than one cluster */
}

/* Decompress the cluster of compressed L2 entry e (for voff) into img->cluster. */
static int load_compressed(struct qcow2_image *img, uint64_t e, uint64_t voff,
			   struct mp_err *err)
{
	unsigned x = 62 - (img->cluster_bits - 8); /* offset bits; then the sector count */
	uint64_t host = e & ((1ull << x) - 1);
	uint64_t sectors = ((e & ~OFLAG_COMPRESSED & ~(1ull << 63)) >> x) + 1;
	uint64_t csize = sectors * 512 - (host & 511);

	if (img->cluster_key == (e & ~(1ull << 63)))
		return 0;
	/* At most 2^(cluster_bits - 8) sectors: two clusters, the size of cbuf. */
	if (csize > 2 * img->cluster_size)
		return map_fail(img, voff, err, "compressed cluster at 0x%llx claims %llu bytes",
				(unsigned long long)host, (unsigned long long)csize);
	img->cluster_key = UINT64_MAX;
	if (host >= img->file_size)
		return map_fail(img, voff, err,
				"compressed cluster at 0x%llx is past the end of the file (%llu "
				"bytes)",
				(unsigned long long)host, (unsigned long long)img->file_size);
	/* The last compressed cluster may end inside a sector the file does not have. */
	if (csize > img->file_size - host)
		csize = img->file_size - host;
	if (pread_exact(img->fd, img->file_size, img->cbuf, (size_t)csize, host, img->label,
			"a compressed cluster", err))
		return -1;
	if ((img->zstd ? unzstd_cluster(img, (size_t)csize) : inflate_cluster(img, (size_t)csize)))
		return map_fail(img, voff, err,
				"compressed cluster at 0x%llx (%llu bytes) does not decompress to "
				"one cluster",
				(unsigned long long)host, (unsigned long long)csize);
	img->cluster_key = e & ~(1ull << 63);
	return 0;
}

/* Read n bytes at voff from a data cluster at host (n stays within the cluster). */
static int read_data(struct qcow2_image *img, uint64_t host, uint64_t voff, void *buf,
		     size_t n, struct mp_err *err)
{
	uint64_t in = voff & (img->cluster_size - 1);

	if (host % img->cluster_size || host > img->file_size ||
	    in + n > img->file_size - host)
		return map_fail(img, voff, err,
				"data cluster at 0x%llx is unaligned or past the end of the file "
				"(%llu bytes)",
				(unsigned long long)host, (unsigned long long)img->file_size);
	return pread_exact(img->fd, img->file_size, buf, n, host + in, img->label,
			   "a data cluster", err);
}

/* Extended L2: the subcluster's own state decides (n stays within it). */
static int read_sub(struct qcow2_image *img, uint64_t e, uint64_t bitmap, uint64_t voff,
		    void *buf, size_t n, struct mp_err *err)
{
	unsigned k = (unsigned)((voff & (img->cluster_size - 1)) / (img->cluster_size / SUBCLUSTERS));
	bool alloc = bitmap >> k & 1, zero = bitmap >> (32 + k) & 1;

	if (alloc && zero)
		return map_fail(img, voff, err,
				"extended L2 bitmap 0x%llx marks subcluster %u both allocated and "
				"zero",
				(unsigned long long)bitmap, k);
	if (!alloc) {
		memset(buf, 0, n); /* zero, or unallocated (no backing file past the disk) */
		return 0;
	}
	return read_data(img, e & OFFSET_MASK, voff, buf, n, err);
}

/* Bytes from voff to the end of its cluster (subcluster with extended L2). */
static uint64_t unit_left(const struct qcow2_image *img, uint64_t voff)
{
	uint64_t unit = img->ext_l2 ? img->cluster_size / SUBCLUSTERS : img->cluster_size;

	return unit - (voff & (unit - 1));
}

/* Read n bytes at voff, n <= unit_left(voff). */
static int read_unit(struct qcow2_image *img, uint64_t voff, void *buf, size_t n,
		     struct mp_err *err)
{
	uint64_t idx = (voff >> img->cluster_bits) & ((1ull << img->l2_bits) - 1), e;
	const uint8_t *p;
	bool none;

	if (load_l2(img, voff, &none, err))
		return -1;
	if (none) {
		memset(buf, 0, n);
		return 0;
	}
	p = img->l2 + idx * (img->ext_l2 ? 16 : 8);
	e = get_be64(p);
	if (e & OFLAG_COMPRESSED) {
		if (load_compressed(img, e, voff, err))
			return -1;
		memcpy(buf, img->cluster + (voff & (img->cluster_size - 1)), n);
		return 0;
	}
	if (img->ext_l2)
		return read_sub(img, e, get_be64(p + 8), voff, buf, n, err);
	if ((img->version >= 3 && (e & OFLAG_ZERO)) || (e & OFFSET_MASK) == 0) {
		memset(buf, 0, n);
		return 0;
	}
	return read_data(img, e & OFFSET_MASK, voff, buf, n, err);
}

ptrdiff_t qcow2_vmstate_read(void *ctx, void *buf, size_t len, struct mp_err *err)
{
	struct qcow2_image *img = ctx;
	uint64_t left = img->cur_info->vm_state_size - img->pos;
	uint8_t *p = buf;
	size_t got = 0;

	/* Never past vm_state_size: QEMU would read zeros there, not an end of stream. */
	if (len > left)
		len = (size_t)left;
	while (got < len) {
		uint64_t voff = img->vm_start + img->pos;
		size_t n = len - got;

		if (n > unit_left(img, voff))
			n = (size_t)unit_left(img, voff);
		if (read_unit(img, voff, p + got, n, err))
			return -1;
		got += n;
		img->pos += n;
	}
	return (ptrdiff_t)got;
}
