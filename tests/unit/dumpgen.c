// SPDX-License-Identifier: GPL-2.0-or-later
#include "dumpgen.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "../../src/util/bytes.h"

void bb_init(struct bb *b, bool big_endian)
{
	memset(b, 0, sizeof(*b));
	b->be = big_endian;
}

void bb_free(struct bb *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void bb_grow(struct bb *b, size_t len)
{
	if (len <= b->cap)
		return;
	while (b->cap < len)
		b->cap = b->cap ? b->cap * 2 : 4096;
	b->p = realloc(b->p, b->cap);
	cr_assert_not_null(b->p);
}

void bb_set_bytes(struct bb *b, size_t off, const void *data, size_t n)
{
	bb_grow(b, off + n);
	if (off > b->len)
		memset(b->p + b->len, 0, off - b->len);
	memcpy(b->p + off, data, n);
	if (off + n > b->len)
		b->len = off + n;
}

void bb_bytes(struct bb *b, const void *data, size_t n)
{
	bb_set_bytes(b, b->len, data, n);
}

void bb_zeros(struct bb *b, size_t n)
{
	bb_grow(b, b->len + n);
	memset(b->p + b->len, 0, n);
	b->len += n;
}

void bb_pad_to(struct bb *b, size_t off)
{
	if (off > b->len)
		bb_zeros(b, off - b->len);
}

void bb_u8(struct bb *b, uint8_t v)
{
	bb_bytes(b, &v, 1);
}

void bb_u16(struct bb *b, uint16_t v)
{
	uint8_t x[2];

	put_u16(x, v, b->be);
	bb_bytes(b, x, 2);
}

void bb_u32(struct bb *b, uint32_t v)
{
	uint8_t x[4];

	put_u32(x, v, b->be);
	bb_bytes(b, x, 4);
}

void bb_u64(struct bb *b, uint64_t v)
{
	uint8_t x[8];

	put_u64(x, v, b->be);
	bb_bytes(b, x, 8);
}

void bb_set_u16(struct bb *b, size_t off, uint16_t v)
{
	uint8_t x[2];

	put_u16(x, v, b->be);
	bb_set_bytes(b, off, x, 2);
}

void bb_set_u32(struct bb *b, size_t off, uint32_t v)
{
	uint8_t x[4];

	put_u32(x, v, b->be);
	bb_set_bytes(b, off, x, 4);
}

void bb_set_u64(struct bb *b, size_t off, uint64_t v)
{
	uint8_t x[8];

	put_u64(x, v, b->be);
	bb_set_bytes(b, off, x, 8);
}

static char *new_path(const char *name)
{
	static unsigned serial;
	const char *dir = getenv("TMPDIR");
	char *path = malloc(512);

	cr_assert_not_null(path);
	snprintf(path, 512, "%s/mpipl-dumpgen-%d-%u-%s", dir && *dir ? dir : "/tmp", (int)getpid(),
		 serial++, name);
	return path;
}

char *dg_file(const void *data, size_t len, const char *name)
{
	char *path = new_path(name);
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	return path;
}

char *dg_file_gzip(const void *data, size_t len, const char *name)
{
	char *path = new_path(name);
	gzFile g = gzopen(path, "wb6");

	cr_assert_not_null(g);
	cr_assert_eq(gzwrite(g, data, (unsigned)len), (int)len);
	cr_assert_eq(gzclose(g), Z_OK);
	return path;
}

char *dg_file_zstd(const void *data, size_t len, const char *name)
{
	size_t cap = ZSTD_compressBound(len), n;
	void *out = malloc(cap);
	char *path;

	cr_assert_not_null(out);
	n = ZSTD_compress(out, cap, data, len, 3);
	cr_assert(!ZSTD_isError(n));
	path = dg_file(out, n, name);
	free(out);
	return path;
}

void dg_unlink(char *path)
{
	unlink(path);
	free(path);
}

uint8_t dg_pattern(uint32_t seed, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed << 32 | seed);

	x ^= x >> 29;
	return (uint8_t)(x | 1); /* never 0: a pattern page is never a zero page */
}

void dg_expect_msg(const struct mp_err *err, const char *path, const char *want)
{
	cr_assert_neq(err->status, MP_OK);
	cr_assert_null(strchr(err->msg, '\n'), "message is not one line: %s", err->msg);
	cr_assert_not_null(strstr(err->msg, "offset"), "no offset in: %s", err->msg);
	if (path)
		cr_assert_not_null(strstr(err->msg, path), "file not named in: %s", err->msg);
	if (want)
		cr_assert_not_null(strstr(err->msg, want), "\"%s\" not in: %s", want, err->msg);
}

void dg_expect_open_fail(const char *path, const struct input_opts *o, const char *want)
{
	struct input_opts none = { 0 };
	struct mp_err err = { 0 };
	struct guest_mem *gm = t_input_open(path, o ? o : &none, &err);

	if (gm)
		gm_free(gm);
	cr_assert_null(gm, "%s opened, expected an error with \"%s\"", path, want ? want : "");
	dg_expect_msg(&err, path, want);
}

uint64_t dg_reg_value(int c, int i)
{
	return 0x1100000000000000ull * (uint64_t)(c + 1) + 0x10001ull * (uint64_t)i + 7;
}

static void put_note(struct bb *b, uint32_t type, uint32_t descsz, const uint8_t *desc)
{
	bb_u32(b, 5); /* "CORE" + NUL */
	bb_u32(b, descsz);
	bb_u32(b, type);
	bb_bytes(b, "CORE\0\0\0\0", 8);
	bb_bytes(b, desc, descsz);
}

void dg_core_notes(struct bb *b, int ncpu, const uint32_t *pids, uint32_t prstatus_size)
{
	/* NT_PRSTATUS, NT_PRFPREG, NT_PPC_VMX, NT_PPC_VSX, NT_PPC_SPE with QEMU's sizes. */
	static const uint32_t types[5] = { 1, 2, 0x100, 0x102, 0x101 };
	static const uint32_t sizes[5] = { 504, 264, 544, 256, 140 };
	static const uint8_t zeros[544];

	for (int c = 0; c < ncpu; c++) {
		struct bb d;

		bb_init(&d, b->be);
		bb_pad_to(&d, 32);
		bb_u32(&d, pids ? pids[c] : 0); /* pr_pid */
		bb_pad_to(&d, 112);             /* pr_reg: 44 u64 */
		for (int i = 0; i < 44; i++)
			bb_u64(&d, i == 34 || i > 38 ? 0 : dg_reg_value(c, i));
		bb_pad_to(&d, 504);
		/* A short note keeps only its first prstatus_size bytes. */
		put_note(b, types[0], prstatus_size ? prstatus_size : 504, d.p);
		bb_free(&d);
		for (int k = 1; k < 5; k++)
			put_note(b, types[k], sizes[k], zeros);
	}
}

void dg_check_cpu(const struct guest_mem *gm, size_t idx, int note, uint32_t pir)
{
	const struct vcpu_state *v;

	cr_assert_lt(idx, gm->ncpus);
	v = &gm->cpus[idx];
	cr_assert_eq(v->pir, pir, "vCPU %zu PIR 0x%x, expected 0x%x", idx, v->pir, pir);
	for (int i = 0; i < 32; i++)
		cr_assert_eq(v->gpr[i], dg_reg_value(note, i), "gpr%d", i);
	cr_assert_eq(v->nip, dg_reg_value(note, 32));
	cr_assert_eq(v->msr, dg_reg_value(note, 33));
	cr_assert_eq(v->ctr, dg_reg_value(note, 35));
	cr_assert_eq(v->lr, dg_reg_value(note, 36));
	cr_assert_eq(v->xer, dg_reg_value(note, 37));
	cr_assert_eq(v->cr, dg_reg_value(note, 38));
}
