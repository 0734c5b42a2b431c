/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Byte builders for migration streams in tests, written from the spec
 * (qemu-inputs.md 3-5), not from the reader: every field is spelled out.
 */
#ifndef MPIPL_TESTS_MIG_BUILD_H
#define MPIPL_TESTS_MIG_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../src/guestmem/guest_mem.h"
#include "../../src/input/input.h"
#include "builders.h"

struct mb {
	uint8_t *p;
	size_t len, cap;
	/* Offsets where a top-level record (or the vmdesc) starts, for truncation tests. */
	size_t marks[256];
	size_t nmarks;
};

void mb_init(struct mb *b);
void mb_free(struct mb *b);
void mb_mark(struct mb *b);
void mb_u8(struct mb *b, uint8_t v);
void mb_be16(struct mb *b, uint16_t v);
void mb_be32(struct mb *b, uint32_t v);
void mb_be64(struct mb *b, uint64_t v);
void mb_bytes(struct mb *b, const void *p, size_t n);
void mb_fill(struct mb *b, uint8_t v, size_t n);
void mb_str8(struct mb *b, const char *s);

/* "QEVM", be32 3. */
void mb_header(struct mb *b);
/* 0x07, be32 len, name, optional capabilities subsection (caps NULL: none). */
void mb_config(struct mb *b, const char *machine, const char *const *caps, size_t ncaps);
/* 0x01/0x04 be32 id str8 idstr be32 instance be32 version. */
void mb_section(struct mb *b, uint8_t type, uint32_t id, const char *idstr, uint32_t instance,
		uint32_t version);
/* 0x02/0x03 be32 id. */
void mb_part(struct mb *b, uint8_t type, uint32_t id);
void mb_footer(struct mb *b, uint32_t id);
/* ram record header be64(addr | flags), then [str8 block] when name != NULL. */
void mb_ram(struct mb *b, uint64_t addr, uint32_t flags, const char *block);
/* 0x05 str8 name be32 version. */
void mb_subsection(struct mb *b, const char *name, uint32_t version);
/* A `cpu` v5 main body (8528 bytes) from the register values given. */
void mb_cpu_body(struct mb *b, const struct vcpu_state *c, const uint32_t crf[8]);
/* 0x00 EOF; then 0x06 be32 len json when json != NULL. */
void mb_eof(struct mb *b, const char *json);

/* Write to a new file under the test temp dir; returns its path (static buffer per call). */
const char *mb_write(const struct mb *b, size_t len, const char *name);
/* Same, gzip- or zstd-compressed. */
const char *mb_write_gzip(const struct mb *b, const char *name);
const char *mb_write_zstd(const struct mb *b, const char *name);

/* A 4096-byte page whose bytes are (seed + i * 7) & 0xFF. */
void mb_pattern(uint8_t *page, uint8_t seed);


/* ---- the standard small stream of the tests (mig_std.c) ---- */

struct std_opts {
	bool no_vmdesc;          /* end with EOF only */
	const char *vmdesc;      /* replace the vmdesc text */
	bool cpu_unknown_sub;    /* cpu 0 gets a subsection no table knows */
	bool no_config;          /* omit the configuration section */
};

/* Block list: pnv.ram 64 KiB, homer-chip0-memory 8 KiB, a device ROM 4 KiB. */
#define STD_RAM 0x10000u
#define STD_HOMER 0x2000u
#define STD_HOMER_GPA 0x203ffd800000ull /* POWER9, spec 5.1 */

void mb_standard(struct mb *b, const struct std_opts *o);
/* The vmdesc mb_standard writes (spec 3.6 layout), for tests that alter it. */
const char *std_vmdesc(void);
/* Assert what any reader must make of mb_standard's stream. */
void check_standard(struct guest_mem *gm);
/* The vCPU register values mb_standard writes for cpu_index i (0 or 1). */
void std_cpu(int i, struct vcpu_state *c);

/* ---- small streams: header, config, ram START with pnv.ram of SMALL_RAM ---- */

#define SMALL_RAM 0x4000u

/* Up to and including the block list; the test appends ram records. */
void mb_small_begin(struct mb *b, const char *const *caps, size_t ncaps);
/* EOS, footer, EOF (no vmdesc). */
void mb_small_end(struct mb *b);

/* input_open() the file, then delete it. */
struct guest_mem *mb_open(const char *path, struct mp_err *err);
bool mb_has_note(const struct guest_mem *gm, const char *text);
void mb_read_page(struct guest_mem *gm, uint64_t gpa, uint8_t *page);

#endif
