// SPDX-License-Identifier: GPL-2.0-or-later
#include "mig_build.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

void mb_init(struct mb *b)
{
	memset(b, 0, sizeof(*b));
}

void mb_free(struct mb *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void mb_mark(struct mb *b)
{
	if (b->nmarks < sizeof(b->marks) / sizeof(b->marks[0]))
		b->marks[b->nmarks++] = b->len;
}

void mb_bytes(struct mb *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
		cr_assert_not_null(b->p);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void mb_u8(struct mb *b, uint8_t v)
{
	mb_bytes(b, &v, 1);
}

void mb_be16(struct mb *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	mb_bytes(b, x, 2);
}

void mb_be32(struct mb *b, uint32_t v)
{
	mb_be16(b, (uint16_t)(v >> 16));
	mb_be16(b, (uint16_t)v);
}

void mb_be64(struct mb *b, uint64_t v)
{
	mb_be32(b, (uint32_t)(v >> 32));
	mb_be32(b, (uint32_t)v);
}

void mb_fill(struct mb *b, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mb_u8(b, v);
}

void mb_str8(struct mb *b, const char *s)
{
	mb_u8(b, (uint8_t)strlen(s));
	mb_bytes(b, s, strlen(s));
}

void mb_header(struct mb *b)
{
	mb_bytes(b, "QEVM", 4);
	mb_be32(b, 3);
}

void mb_config(struct mb *b, const char *machine, const char *const *caps, size_t ncaps)
{
	mb_mark(b);
	mb_u8(b, 0x07);
	mb_be32(b, (uint32_t)strlen(machine));
	mb_bytes(b, machine, strlen(machine));
	if (caps) {
		mb_subsection(b, "configuration/capabilities", 1);
		mb_be32(b, (uint32_t)ncaps);
		for (size_t i = 0; i < ncaps; i++)
			mb_str8(b, caps[i]);
	}
}

void mb_section(struct mb *b, uint8_t type, uint32_t id, const char *idstr, uint32_t instance,
		uint32_t version)
{
	mb_mark(b);
	mb_u8(b, type);
	mb_be32(b, id);
	mb_str8(b, idstr);
	mb_be32(b, instance);
	mb_be32(b, version);
}

void mb_part(struct mb *b, uint8_t type, uint32_t id)
{
	mb_mark(b);
	mb_u8(b, type);
	mb_be32(b, id);
}

void mb_footer(struct mb *b, uint32_t id)
{
	mb_u8(b, 0x7E);
	mb_be32(b, id);
}

void mb_ram(struct mb *b, uint64_t addr, uint32_t flags, const char *block)
{
	mb_be64(b, addr | flags);
	if (block)
		mb_str8(b, block);
}

void mb_subsection(struct mb *b, const char *name, uint32_t version)
{
	mb_u8(b, 0x05);
	mb_str8(b, name);
	mb_be32(b, version);
}

/* Spec 5.3: unused 8, GPR 32x8, crf 8x4, NIP, spr 1024x8, spe_acc, 8 zero, MSR, nmsr. */
void mb_cpu_body(struct mb *b, const struct vcpu_state *c, const uint32_t crf[8])
{
	size_t start = b->len;

	mb_be64(b, 0);
	for (int i = 0; i < 32; i++)
		mb_be64(b, c->gpr[i]);
	for (int i = 0; i < 8; i++)
		mb_be32(b, crf[i]);
	mb_be64(b, c->nip);
	for (int i = 0; i < 1024; i++)
		mb_be64(b, c->spr[i]);
	mb_be64(b, 0);
	mb_be64(b, 0);
	mb_be64(b, c->msr);
	mb_be64(b, 0);
	cr_assert_eq(b->len - start, 8528);
}

void mb_eof(struct mb *b, const char *json)
{
	mb_mark(b);
	mb_u8(b, 0x00);
	if (json) {
		mb_mark(b);
		mb_u8(b, 0x06);
		mb_be32(b, (uint32_t)strlen(json));
		mb_bytes(b, json, strlen(json));
	}
}

static const char *tmp_path(const char *name)
{
	static char paths[8][512];
	static int next;
	const char *dir = getenv("TMPDIR");
	char *p = paths[next++ % 8];

	snprintf(p, 512, "%s/mpipl-test-%d-%s", dir && *dir ? dir : "/tmp", (int)getpid(), name);
	return p;
}

static const char *write_bytes(const void *p, size_t len, const char *name)
{
	const char *path = tmp_path(name);
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(p, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	return path;
}

const char *mb_write(const struct mb *b, size_t len, const char *name)
{
	return write_bytes(b->p, len, name);
}

const char *mb_write_gzip(const struct mb *b, const char *name)
{
	z_stream z;
	size_t cap = b->len + b->len / 100 + 1024;
	uint8_t *out = malloc(cap);
	const char *path;

	memset(&z, 0, sizeof(z));
	cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = b->p;
	z.avail_in = (uInt)b->len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	path = write_bytes(out, cap - z.avail_out, name);
	deflateEnd(&z);
	free(out);
	return path;
}

const char *mb_write_zstd(const struct mb *b, const char *name)
{
	size_t cap = ZSTD_compressBound(b->len);
	uint8_t *out = malloc(cap);
	size_t n = ZSTD_compress(out, cap, b->p, b->len, 3);
	const char *path;

	cr_assert(!ZSTD_isError(n));
	path = write_bytes(out, n, name);
	free(out);
	return path;
}

void mb_pattern(uint8_t *page, uint8_t seed)
{
	for (int i = 0; i < 4096; i++)
		page[i] = (uint8_t)(seed + i * 7);
}

void mb_small_begin(struct mb *b, const char *const *caps, size_t ncaps)
{
	mb_init(b);
	mb_header(b);
	mb_config(b, "powernv9", caps, ncaps);
	mb_section(b, 0x01, 1, "ram", 0, 4);
	mb_be64(b, SMALL_RAM | 0x004); /* MEM_SIZE */
	mb_str8(b, "pnv.ram");
	mb_be64(b, SMALL_RAM);
}

void mb_small_end(struct mb *b)
{
	mb_be64(b, 0x010); /* EOS */
	mb_footer(b, 1);
	mb_eof(b, NULL);
}

struct guest_mem *mb_open(const char *path, struct mp_err *err)
{
	struct input_opts o = { 0 };
	struct guest_mem *gm;

	mp_err_clear(err);
	gm = t_input_open(path, &o, err);
	unlink(path);
	return gm;
}

bool mb_has_note(const struct guest_mem *gm, const char *text)
{
	for (size_t i = 0; i < gm->notes.n; i++)
		if (strstr(gm->notes.v[i].msg, text))
			return true;
	return false;
}

void mb_read_page(struct guest_mem *gm, uint64_t gpa, uint8_t *page)
{
	struct mp_err err = { 0 };

	cr_assert_eq(gm_read(gm, gpa, page, 4096, &err), 0, "%s", err.msg);
}
