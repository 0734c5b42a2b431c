// SPDX-License-Identifier: GPL-2.0-or-later
/* Decoders and encoders of the big-endian MPIPL table records. */
#include "hdat.h"

#include <stddef.h>
#include <string.h>

#include "../util/bytes.h"

const char *region_name(uint8_t region)
{
	switch (region) {
	case REGION_CONSOLE:
		return "console";
	case REGION_HBRT_LOG:
		return "hbrt-log";
	case REGION_OPAL:
		return "opal";
	case REGION_KERNEL:
		return "kernel";
	}
	if (region >= 0x01 && region <= 0x3F)
		return "opal-other";
	if (region >= 0x40 && region <= 0x7F)
		return "reserved";
	if (region >= 0x80)
		return "host-other";
	return "none";
}

/*
 * Each record's layout stated once, as a table of its fields; one decoder and
 * one encoder walk every table, so a decoder and its encoder cannot disagree
 * on an offset. A field is a big-endian integer of 1, 2, 4 or 8 bytes, or
 * (bytes) a run copied as it is.
 */
struct be_field {
	uint8_t pos;   /* byte offset in the record */
	uint8_t len;   /* bytes */
	bool bytes;    /* a byte array, not an integer */
	size_t member; /* offsetof the struct's field */
};

#define INT_FIELD(type, m, at) { (at), sizeof(((type *)0)->m), false, offsetof(type, m) }
#define BYTES_FIELD(type, m, at) { (at), sizeof(((type *)0)->m), true, offsetof(type, m) }
#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

static void fields_decode(const struct be_field *f, size_t n, const uint8_t *raw, void *obj)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t *m = (uint8_t *)obj + f[i].member;
		const uint8_t *r = raw + f[i].pos;
		uint16_t v16;
		uint32_t v32;
		uint64_t v64;

		if (f[i].bytes || f[i].len == 1) {
			memcpy(m, r, f[i].len);
		} else if (f[i].len == 2) {
			v16 = get_be16(r);
			memcpy(m, &v16, 2);
		} else if (f[i].len == 4) {
			v32 = get_be32(r);
			memcpy(m, &v32, 4);
		} else {
			v64 = get_be64(r);
			memcpy(m, &v64, 8);
		}
	}
}

static void fields_encode(const struct be_field *f, size_t n, const void *obj, uint8_t *raw)
{
	for (size_t i = 0; i < n; i++) {
		const uint8_t *m = (const uint8_t *)obj + f[i].member;
		uint8_t *r = raw + f[i].pos;
		uint16_t v16;
		uint32_t v32;
		uint64_t v64;

		if (f[i].bytes || f[i].len == 1) {
			memcpy(r, m, f[i].len);
		} else if (f[i].len == 2) {
			memcpy(&v16, m, 2);
			put_be16(r, v16);
		} else if (f[i].len == 4) {
			memcpy(&v32, m, 4);
			put_be32(r, v32);
		} else {
			memcpy(&v64, m, 8);
			put_be64(r, v64);
		}
	}
}

/* MDST/MDDT entry (mpipl.md 2.1); addr is derived, not stored. */
static const struct be_field mdst_fields[] = {
	INT_FIELD(struct mdst_entry, raw_addr, 0),
	INT_FIELD(struct mdst_entry, region, 8),
	INT_FIELD(struct mdst_entry, dump_type, 9),
	INT_FIELD(struct mdst_entry, reserved, 10),
	INT_FIELD(struct mdst_entry, size, 12),
};

static const struct be_field mdrt_fields[] = {
	INT_FIELD(struct mdrt_entry, src, 0),
	INT_FIELD(struct mdrt_entry, dest, 8),
	INT_FIELD(struct mdrt_entry, region, 16),
	INT_FIELD(struct mdrt_entry, dump_type, 17),
	INT_FIELD(struct mdrt_entry, reserved, 18),
	INT_FIELD(struct mdrt_entry, size, 20),
	INT_FIELD(struct mdrt_entry, padding, 24),
};

static const struct be_field proc_area_fields[] = {
	INT_FIELD(struct proc_dump_area, thread_size, 0),
	INT_FIELD(struct proc_dump_area, version, 4),
	BYTES_FIELD(struct proc_dump_area, reserved, 5),
	INT_FIELD(struct proc_dump_area, alloc_addr, 16),
	INT_FIELD(struct proc_dump_area, reserved2, 24),
	INT_FIELD(struct proc_dump_area, alloc_size, 28),
	INT_FIELD(struct proc_dump_area, dest_addr, 32),
	INT_FIELD(struct proc_dump_area, reserved3, 40),
	INT_FIELD(struct proc_dump_area, act_size, 44),
};

static const struct be_field thread_hdr_fields[] = {
	INT_FIELD(struct thread_hdr, pir, 0),
	INT_FIELD(struct thread_hdr, core_state, 4),
	BYTES_FIELD(struct thread_hdr, reserved, 5),
	INT_FIELD(struct thread_hdr, offset, THREAD_OFFSET_FIELD_POS),
	INT_FIELD(struct thread_hdr, ecnt, 12),
	INT_FIELD(struct thread_hdr, esize, 16),
	INT_FIELD(struct thread_hdr, eactsz, 20),
};

static const struct be_field reg_entry_fields[] = {
	INT_FIELD(struct reg_entry, type, 0),
	INT_FIELD(struct reg_entry, num, 4),
	INT_FIELD(struct reg_entry, val, 8),
};

void mdst_entry_decode(const uint8_t raw[MDST_ENTRY_SIZE], struct mdst_entry *e)
{
	fields_decode(mdst_fields, NFIELDS(mdst_fields), raw, e);
	e->addr = e->raw_addr & ~HRMOR_BIT;
}

/* QEMU's end of table: raw address and size both zero (region ignored). */
bool mdst_entry_is_terminator(const struct mdst_entry *e)
{
	return e->raw_addr == 0 && e->size == 0;
}

void mdrt_entry_decode(const uint8_t raw[MDRT_ENTRY_SIZE], struct mdrt_entry *e)
{
	fields_decode(mdrt_fields, NFIELDS(mdrt_fields), raw, e);
}

void mdrt_entry_encode(const struct mdrt_entry *e, uint8_t raw[MDRT_ENTRY_SIZE])
{
	fields_encode(mdrt_fields, NFIELDS(mdrt_fields), e, raw);
}

void proc_area_decode(const uint8_t raw[PROC_AREA_SIZE], struct proc_dump_area *p)
{
	fields_decode(proc_area_fields, NFIELDS(proc_area_fields), raw, p);
}

void proc_area_encode(const struct proc_dump_area *p, uint8_t raw[PROC_AREA_SIZE])
{
	fields_encode(proc_area_fields, NFIELDS(proc_area_fields), p, raw);
}

void thread_hdr_decode(const uint8_t raw[THREAD_HDR_SIZE], struct thread_hdr *h)
{
	fields_decode(thread_hdr_fields, NFIELDS(thread_hdr_fields), raw, h);
}

void thread_hdr_encode(const struct thread_hdr *h, uint8_t raw[THREAD_HDR_SIZE])
{
	fields_encode(thread_hdr_fields, NFIELDS(thread_hdr_fields), h, raw);
}

void reg_entry_decode(const uint8_t raw[REG_ENTRY_SIZE], struct reg_entry *e)
{
	fields_decode(reg_entry_fields, NFIELDS(reg_entry_fields), raw, e);
}

void reg_entry_encode(const struct reg_entry *e, uint8_t raw[REG_ENTRY_SIZE])
{
	fields_encode(reg_entry_fields, NFIELDS(reg_entry_fields), e, raw);
}
