// SPDX-License-Identifier: GPL-2.0-or-later
#include "builders.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "../../src/util/bytes.h"

struct guest_mem *b_gm(void)
{
	struct mp_err err = { 0 };
	struct guest_mem *gm = gm_new("test.img", "test", &err);

	cr_assert_not_null(gm, "gm_new: %s", err.msg);
	return gm;
}

void b_add_zero(struct guest_mem *gm, uint64_t gpa, uint64_t size)
{
	struct mp_err err = { 0 };

	cr_assert_eq(gm_add_range(gm, gpa, size, "zero", NULL, 0, &err), 0, "add_range: %s",
		     err.msg);
}

void b_add_bytes(struct guest_mem *gm, uint64_t gpa, const void *data, size_t len)
{
	struct mp_err err = { 0 };
	struct gm_backing *b = gm_backing_mem_new(data, len, &err);

	cr_assert_not_null(b, "backing: %s", err.msg);
	cr_assert_eq(gm_add_range(gm, gpa, len, "bytes", b, 0, &err), 0, "add_range: %s",
		     err.msg);
	gm_backing_put(b);
}

void b_write(struct guest_mem *gm, uint64_t gpa, const void *data, size_t len)
{
	struct mp_err err = { 0 };

	cr_assert_eq(gm_write(gm, gpa, data, len, &err), 0, "gm_write 0x%llx: %s",
		     (unsigned long long)gpa, err.msg);
}

void b_read(struct guest_mem *gm, uint64_t gpa, void *buf, size_t len)
{
	struct mp_err err = { 0 };

	cr_assert_eq(gm_read(gm, gpa, buf, len, &err), 0, "gm_read 0x%llx: %s",
		     (unsigned long long)gpa, err.msg);
}

uint8_t b_read8(struct guest_mem *gm, uint64_t gpa)
{
	uint8_t v;

	b_read(gm, gpa, &v, 1);
	return v;
}

uint32_t b_read_be32(struct guest_mem *gm, uint64_t gpa)
{
	uint8_t v[4];

	b_read(gm, gpa, v, 4);
	return get_be32(v);
}

uint64_t b_read_be64(struct guest_mem *gm, uint64_t gpa)
{
	uint8_t v[8];

	b_read(gm, gpa, v, 8);
	return get_be64(v);
}

void b_write_be64(struct guest_mem *gm, uint64_t gpa, uint64_t v)
{
	uint8_t b[8];

	put_be64(b, v);
	b_write(gm, gpa, b, 8);
}

/* Byte by byte through gm_read, so the check does not rely on gm_is_zero. */
bool b_is_zero(struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	static uint8_t buf[1 << 16];

	while (len) {
		size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);

		b_read(gm, gpa, buf, n);
		for (size_t i = 0; i < n; i++)
			if (buf[i])
				return false;
		gpa += n;
		len -= n;
	}
	return true;
}

void b_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
	uint32_t x = seed ? seed : 0x9E3779B9u;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)(x >> 7) | 1; /* never zero: zero blocks are special */
	}
}

void b_mdst(uint8_t out[16], uint64_t addr, uint8_t region, uint8_t type, uint32_t size)
{
	memset(out, 0, 16);
	put_be64(out, addr);
	out[8] = region;
	out[9] = type;
	put_be32(out + 12, size);
}

void b_mdrt(uint8_t out[32], uint64_t src, uint64_t dest, uint8_t region, uint32_t size)
{
	memset(out, 0, 32);
	put_be64(out, src);
	put_be64(out + 8, dest);
	out[16] = region;
	put_be32(out + 20, size);
}

void b_proc_area(uint8_t out[48], uint32_t thread_size, uint8_t version, uint64_t alloc_addr,
		 uint32_t alloc_size, uint64_t dest_addr, uint32_t act_size)
{
	memset(out, 0, 48);
	put_be32(out, thread_size);
	out[4] = version;
	put_be64(out + 16, alloc_addr);
	put_be32(out + 28, alloc_size);
	put_be64(out + 32, dest_addr);
	put_be32(out + 44, act_size);
}

void b_thread_hdr(uint8_t out[24], uint32_t pir, uint8_t core_state, uint32_t offset,
		  uint32_t ecnt, uint32_t esize, uint32_t eactsz)
{
	memset(out, 0, 24);
	put_be32(out, pir);
	out[4] = core_state;
	put_be32(out + 8, offset);
	put_be32(out + 12, ecnt);
	put_be32(out + 16, esize);
	put_be32(out + 20, eactsz);
}

void b_reg(uint8_t out[16], uint32_t type, uint32_t num, uint64_t val)
{
	put_be32(out, type);
	put_be32(out + 4, num);
	put_be64(out + 8, val);
}

void b_spirah(uint8_t out[0x200], const struct b_ntuple *nt, unsigned n, uint32_t ecnt,
	      uint32_t arr_size)
{
	memset(out, 0, 0x200);
	/* HDIF header (mpipl.md 1.1). */
	put_be16(out, 0xD1F0);
	memcpy(out + 2, "SPIRAH", 6);
	put_be16(out + 8, 0);     /* instance */
	put_be16(out + 10, 0x50); /* version */
	put_be32(out + 12, 0x200);
	put_be32(out + 16, 0x20); /* header length */
	put_be32(out + 20, 0x20); /* idata pointer array */
	put_be16(out + 24, 1);
	put_be16(out + 26, 0);
	put_be32(out + 28, 0);
	/* The one idata pointer: the ntuple array at 0x30. */
	put_be32(out + 0x20, 0x30);
	put_be32(out + 0x24, arr_size);
	put_be32(out + 0x30, 0x10);
	put_be32(out + 0x34, ecnt);
	put_be32(out + 0x38, 0x20);
	put_be32(out + 0x3C, 0x18);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = out + 0x40 + i * 0x20;

		put_be64(p, nt[i].addr);
		put_be16(p + 8, nt[i].alloc_cnt);
		put_be16(p + 10, nt[i].act_cnt);
		put_be32(p + 12, nt[i].alloc_len);
		put_be32(p + 16, nt[i].act_len);
	}
}

void b_spirah_real_ntuples(struct b_ntuple nt[7])
{
	static const struct b_ntuple real[7] = {
		{ 0x31200000, 1, 0, 0x800000, 0 }, /* SPIRA heap, absolute */
		{ 0x10400, 1, 1, 0x50, 0 },        /* PROCIN */
		{ 0x11400, 1, 1, 0x130, 0 },       /* CPU_CTL */
		{ 0x10C00, 64, 2, 0x10, 0x10 },    /* MDST */
		{ 0x11000, 64, 2, 0x10, 0x10 },    /* MDDT */
		{ 0x31C00000, 1024, 1024, 0x20, 0x20 }, /* MDRT, absolute */
		{ 0x10300, 1, 1, 0x30, 0x30 },     /* processor dump area */
	};

	memcpy(nt, real, sizeof(real));
}

void b_spirah_real(uint8_t out[0x200])
{
	struct b_ntuple nt[7];

	b_spirah_real_ntuples(nt);
	b_spirah(out, nt, 7, 6, 0xF0);
}

uint8_t *b_gzip(const void *data, size_t len, size_t *out_len)
{
	uLong cap = compressBound((uLong)len) + 64;
	uint8_t *out = malloc(cap);
	z_stream z = { 0 };

	cr_assert_not_null(out);
	/* 16 + 15 window bits: a gzip wrapper. */
	cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

uint8_t *b_zstd(const void *data, size_t len, size_t *out_len)
{
	size_t cap = ZSTD_compressBound(len);
	uint8_t *out = malloc(cap);

	cr_assert_not_null(out);
	*out_len = ZSTD_compress(out, cap, data, len, 3);
	cr_assert(!ZSTD_isError(*out_len), "zstd: %s", ZSTD_getErrorName(*out_len));
	return out;
}

static char tmp_dirs[8][4096];
static int ntmp_dirs;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Each test runs in its own process: its directories go when it exits. */
static void remove_tmp_dirs(void)
{
	for (int i = 0; i < ntmp_dirs; i++)
		nftw(tmp_dirs[i], remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

const char *b_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	char *dir;

	cr_assert_lt(ntmp_dirs, 8);
	dir = tmp_dirs[ntmp_dirs];
	snprintf(dir, sizeof(tmp_dirs[0]), "%s/mpipl-unit.XXXXXX", t && *t ? t : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp %s", dir);
	if (ntmp_dirs++ == 0)
		atexit(remove_tmp_dirs);
	return dir;
}

char *b_path(const char *dir, const char *name)
{
	char *p = NULL;

	cr_assert(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

char *b_file(const char *dir, const char *name, const void *data, size_t len)
{
	char *p = b_path(dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	cr_assert(fd >= 0, "create %s", p);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	return p;
}

int b_dir_count(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

uint64_t b_allocated(const char *path)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0, "stat %s", path);
	return (uint64_t)st.st_blocks * 512;
}

uint64_t b_allocated_fd(int fd)
{
	struct stat st;

	cr_assert_eq(fstat(fd, &st), 0);
	return (uint64_t)st.st_blocks * 512;
}

void pv_init(struct pv *v, uint64_t ram, uint64_t base)
{
	struct mp_err err = { 0 };

	memset(v, 0, sizeof(*v));
	v->gm = b_gm();
	v->base = base;
	b_add_zero(v->gm, 0, ram);
	cr_assert_eq(layout_resolve(v->gm, base, LAYOUT_71, &v->l, &v->f, &err), 0, "%s",
		     err.msg);
	v->t = calloc(1, sizeof(*v->t));
	v->r = calloc(1, sizeof(*v->r));
	cr_assert(v->t && v->r);
}

void pv_raw_entry(struct pv *v, unsigned i, uint64_t src, uint8_t src_region, uint32_t src_size,
		  uint64_t dst, uint8_t dst_region, uint32_t dst_size)
{
	uint8_t e[16];

	b_mdst(e, src, src_region, 0, src_size);
	b_write(v->gm, v->l.mdst.addr + 16 * i, e, 16);
	b_mdst(e, dst, dst_region, 0, dst_size);
	b_write(v->gm, v->l.mddt.addr + 16 * i, e, 16);
}

void pv_entry(struct pv *v, unsigned i, uint64_t src, uint64_t dst, uint8_t region,
	      uint32_t size)
{
	pv_raw_entry(v, i, src | HRMOR, region, size, dst | HRMOR, region, size);
}

void pv_run(struct pv *v, enum mpipl_profile p, const struct vcpu_state *cpus, size_t ncpus)
{
	struct preserve_opts o = { .profile = p, .cpus = cpus, .ncpus = ncpus };
	struct mp_err err = { 0 };

	cr_assert_eq(tables_read(v->gm, &v->l, v->t, &v->f, &err), 0, "%s", err.msg);
	cr_assert_eq(mpipl_preserve(v->gm, &v->l, v->t, &o, v->r, &v->f, &err), 0, "%s", err.msg);
}

bool pv_has_finding(const struct pv *v, const char *code)
{
	for (size_t i = 0; i < v->f.n; i++)
		if (strcmp(v->f.v[i].code, code) == 0)
			return true;
	return false;
}

void pv_free(struct pv *v)
{
	gm_free(v->gm);
	free(v->t);
	if (v->r)
		preserve_report_release(v->r);
	free(v->r);
	findings_free(&v->f);
}

/*
 * MPIPL_FUZZ_CORPUS=DIR (make fuzz): keep a copy of every input a test opens
 * that is small enough to mutate, as the seed corpus of tests/fuzz.
 */
void b_keep_for_fuzzing(const char *path)
{
	const char *dir = getenv("MPIPL_FUZZ_CORPUS");
	uint8_t buf[1 << 16];
	uint64_t hash = 1469598103934665603ull; /* FNV-1a: names by content */
	char *copy;
	FILE *in, *out;
	size_t n, total = 0;

	if (!dir || !*dir || !(in = fopen(path, "rb")))
		return;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0 && total <= FUZZ_SEED_MAX) {
		for (size_t i = 0; i < n; i++)
			hash = (hash ^ buf[i]) * 1099511628211ull;
		total += n;
	}
	if (total == 0 || total > FUZZ_SEED_MAX || asprintf(&copy, "%s/%016llx", dir,
							      (unsigned long long)hash) < 0) {
		fclose(in);
		return;
	}
	out = fopen(copy, "wb");
	rewind(in);
	while (out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	if (out)
		fclose(out);
	fclose(in);
	free(copy);
}

struct guest_mem *t_input_open(const char *path, const struct input_opts *o, struct mp_err *err)
{
	b_keep_for_fuzzing(path);
	return input_open(path, o, err);
}

char *t_golden(const char *name)
{
	const char *dir = getenv("MPIPL_GOLDEN");
	char *path;

	if (!dir || !*dir)
		dir = "../shared/golden/powernv9";
	path = b_path(dir, name);
	if (access(path, R_OK) != 0) {
		free(path);
		cr_skip_test("the golden MPIPL cycle is not on this machine: no readable %s/%s "
			     "(set MPIPL_GOLDEN)", dir, name);
	}
	return path;
}

FILE *t_golden_zstd(const char *name)
{
	char *path = t_golden(name), cmd[4200];
	FILE *f;

	if (access("/usr/bin/zstd", X_OK) != 0) {
		free(path);
		cr_skip_test("no /usr/bin/zstd to decompress the golden %s", name);
	}
	cr_assert_null(strchr(path, '\''), "a quote in %s", path);
	snprintf(cmd, sizeof(cmd), "/usr/bin/zstd -q -d -c -- '%s'", path);
	free(path);
	f = popen(cmd, "r");
	cr_assert_not_null(f, "popen zstd");
	return f;
}

void t_pipe_skip(FILE *f, uint64_t len)
{
	static uint8_t buf[1 << 16];

	while (len) {
		size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);

		cr_assert_eq(fread(buf, 1, n, f), n, "the golden image ends early");
		len -= n;
	}
}

/*
 * Criterion reports a skipped test only when verbose: say which one and why
 * on every run, so that a test that never runs cannot pass unnoticed.
 */
ReportHook(POST_TEST)(struct criterion_test_stats *st)
{
	/*
	 * Tests --filter leaves out are skips with criterion's own message "Test is
	 * disabled": no news. (The disabled flag is not set for them.)
	 */
	if (st->test_status == CR_STATUS_SKIPPED && !st->test->data->disabled &&
	    !(st->message && strcmp(st->message, "Test is disabled") == 0))
		fprintf(stderr, "[SKIP] %s::%s: %s\n", st->test->category, st->test->name,
			st->message && *st->message ? st->message : "(no reason given)");
}
