// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libvirt save images (`virsh save`, spec qemu-inputs.md 1.1): a 92-byte
 * header in the host's byte order, data_len bytes of domain XML and cookie,
 * then the QEMU migration stream, compressed as the header announces.
 * Layout from libvirt src/qemu/qemu_saveimage.h (virQEMUSaveHeader).
 */
#include <stdio.h>
#include <string.h>

#include "migration.h"
#include "../../util/bytes.h"

#define LV_MAGIC_LEN 16
#define LV_HDR_SIZE 92 /* magic[16], 5 x u32, 14 x u32 unused */
#define LV_OFF_VERSION 16
#define LV_OFF_DATA_LEN 20
#define LV_OFF_FORMAT 28

static const char lv_magic[] = "LibvirtQemudSave";
/* Written first and replaced by lv_magic when the save completes. */
static const char lv_partial[] = "LibvirtQemudPart";

/* virQEMUSaveFormat: the on-disk values of the `compressed` (now `format`) field. */
enum {
	LV_FORMAT_RAW = 0,
	LV_FORMAT_GZIP = 1,
	LV_FORMAT_ZSTD = 5,
	LV_FORMAT_SPARSE = 6,
};
static const char *const lv_formats[] = {
	"raw", "gzip", "bzip2", "xz", "lzop", "zstd", "sparse (mapped-ram)",
};

static enum input_probe libvirt_probe(const uint8_t *head, size_t len, const char *path,
				       struct mp_err *err)
{
	enum input_probe p = input_probe_magic(head, len, lv_magic, LV_MAGIC_LEN,
					       "libvirt save image", path, err);

	/* Both magics share their first 12 bytes: a cut inside them is one answer. */
	if (p != PROBE_NOT_MINE)
		return p;
	return input_probe_magic(head, len, lv_partial, LV_MAGIC_LEN, "libvirt save image",
				 path, err);
}

/* QEMU_SAVE_VERSION is 2; version 1 has the same size (no cookie offset). */
static bool known_version(uint32_t v)
{
	return v == 1 || v == 2;
}

/* libvirt piped the stream at start through gzip or zstd. */
static struct guest_mem *read_compressed(struct instream *s, enum instream_codec codec,
					 uint64_t start, const struct input_opts *o,
					 struct mp_err *err)
{
	struct instream *nested;
	struct guest_mem *gm;

	if (instream_skip(s, start - instream_tell(s), "the libvirt domain XML", err))
		return NULL;
	nested = instream_open_nested(s, codec, "the libvirt save image's stream", err);
	if (!nested)
		return NULL;
	gm = migration_read(nested, 0, "libvirt save image", o, err);
	instream_close(nested);
	return gm;
}

/*
 * The stream at start, as the format field says: raw, gzip, zstd, or sparse
 * (QEMU's mapped-ram written at that offset, its offsets being file offsets).
 */
static struct guest_mem *read_payload(struct instream *s, uint32_t format, uint64_t start,
				      const struct input_opts *o, struct mp_err *err)
{
	switch (format) {
	case LV_FORMAT_RAW:
	case LV_FORMAT_SPARSE:
		return migration_read(s, start, "libvirt save image", o, err);
	case LV_FORMAT_GZIP:
		return read_compressed(s, CODEC_GZIP, start, o, err);
	case LV_FORMAT_ZSTD:
		return read_compressed(s, CODEC_ZSTD, start, o, err);
	default:
		mp_fail_at(err, MP_EUNSUPPORTED, instream_path(s), LV_OFF_FORMAT,
			   "the libvirt save image holds a %s-compressed stream; only raw, gzip, "
			   "zstd and sparse are supported (decompress the stream after byte %llu "
			   "with that tool)",
			   format < sizeof(lv_formats) / sizeof(lv_formats[0]) ? lv_formats[format]
									       : "unknown",
			   (unsigned long long)start);
		return NULL;
	}
}

static struct guest_mem *libvirt_open(struct instream *s, const struct input_opts *o,
				      struct mp_err *err)
{
	uint8_t h[LV_HDR_SIZE];
	bool be, partial;
	uint32_t format, data_len;
	struct guest_mem *gm;

	if (instream_read_exact(s, h, sizeof(h), "libvirt save header", err))
		return NULL;
	partial = memcmp(h, lv_partial, LV_MAGIC_LEN) == 0;
	/* Host byte order: whichever order makes the version a known one. */
	if (known_version(get_le32(h + LV_OFF_VERSION))) {
		be = false;
	} else if (known_version(get_be32(h + LV_OFF_VERSION))) {
		be = true;
	} else {
		mp_fail_at(err, MP_EUNSUPPORTED, instream_path(s), LV_OFF_VERSION, "libvirt save "
			   "image version 0x%08x is not supported", get_le32(h + LV_OFF_VERSION));
		return NULL;
	}
	data_len = get_u32(h + LV_OFF_DATA_LEN, be);
	format = get_u32(h + LV_OFF_FORMAT, be);
	gm = read_payload(s, format, (uint64_t)LV_HDR_SIZE + data_len, o, err);
	if (gm && partial &&
	    gm_add_note(gm, err, "libvirt never marked this save image complete (%s)",
			lv_partial)) {
		gm_free(gm);
		return NULL;
	}
	return gm;
}

const struct input_reader libvirt_save_reader = {
	.name = "libvirt-save",
	.probe = libvirt_probe,
	.open = libvirt_open,
};
