/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small builders shared by the unit tests: guests made of zero or byte
 * ranges, hand-written big-endian firmware records, compressed buffers
 * (made with zlib/libzstd directly, not with the code under test) and
 * temporary files. Every helper fails the current test on error.
 */
#ifndef MPIPL_TESTS_BUILDERS_H
#define MPIPL_TESTS_BUILDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../src/mpipl/preserve.h"
#include "../../src/guestmem/guest_mem.h"
#include "../../src/input/input.h"

#define MiB (1ULL << 20)
#define KiB (1ULL << 10)
#define HRMOR 0x8000000000000000ULL

/* Substring check with the full message on failure. */
#define assert_msg_has(msg, needle)                                                        \
	cr_assert(strstr((msg), (needle)) != NULL, "message \"%s\" lacks \"%s\"", (msg), \
		  (needle))

/* Guests. */
struct guest_mem *b_gm(void);
void b_add_zero(struct guest_mem *gm, uint64_t gpa, uint64_t size);
void b_add_bytes(struct guest_mem *gm, uint64_t gpa, const void *data, size_t len);
void b_write(struct guest_mem *gm, uint64_t gpa, const void *data, size_t len);
void b_read(struct guest_mem *gm, uint64_t gpa, void *buf, size_t len);
uint8_t b_read8(struct guest_mem *gm, uint64_t gpa);
uint32_t b_read_be32(struct guest_mem *gm, uint64_t gpa);
uint64_t b_read_be64(struct guest_mem *gm, uint64_t gpa);
void b_write_be64(struct guest_mem *gm, uint64_t gpa, uint64_t v);
bool b_is_zero(struct guest_mem *gm, uint64_t gpa, uint64_t len);

/* Deterministic non-zero-ish pattern (xorshift). */
void b_pattern(uint8_t *buf, size_t len, uint32_t seed);

/* Firmware records, written byte by byte from mpipl.md 2.1, 2.2, 4.1, 4.2. */
void b_mdst(uint8_t out[16], uint64_t addr, uint8_t region, uint8_t type, uint32_t size);
void b_mdrt(uint8_t out[32], uint64_t src, uint64_t dest, uint8_t region, uint32_t size);
void b_proc_area(uint8_t out[48], uint32_t thread_size, uint8_t version, uint64_t alloc_addr,
		 uint32_t alloc_size, uint64_t dest_addr, uint32_t act_size);
void b_thread_hdr(uint8_t out[24], uint32_t pir, uint8_t core_state, uint32_t offset,
		  uint32_t ecnt, uint32_t esize, uint32_t eactsz);
void b_reg(uint8_t out[16], uint32_t type, uint32_t num, uint64_t val);

/* A SPIRA-H ntuple (skiboot hdata/spira.h; mpipl.md 1.1). */
struct b_ntuple {
	uint64_t addr;
	uint16_t alloc_cnt, act_cnt;
	uint32_t alloc_len, act_len;
};

/*
 * A 0x200-byte SPIRA-H: HDIF header, one idata pointer (0x30, arr_size),
 * array header {0x10, ecnt, 0x20, 0x18}, then n ntuples of 0x20 bytes.
 */
void b_spirah(uint8_t out[0x200], const struct b_ntuple *nt, unsigned n, uint32_t ecnt,
	      uint32_t arr_size);
/* The SPIRA-H of skiboot 7.1-106 exactly as mpipl.md 1.1 tabulates it. */
void b_spirah_real(uint8_t out[0x200]);
/* The same seven ntuples (for variants). */
void b_spirah_real_ntuples(struct b_ntuple nt[7]);

/* Compression with zlib / libzstd (independent of src/). Caller frees. */
uint8_t *b_gzip(const void *data, size_t len, size_t *out_len);
uint8_t *b_zstd(const void *data, size_t len, size_t *out_len);

/* A fresh directory under $TMPDIR or /tmp; b_path joins a name to it. */
const char *b_tmpdir(void);

/* Inputs larger than this are not kept as fuzzing seeds. */
#define FUZZ_SEED_MAX (256u << 10)
/* A copy of the file at path into $MPIPL_FUZZ_CORPUS, when set. */
void b_keep_for_fuzzing(const char *path);
/* input_open, keeping a copy of the input in $MPIPL_FUZZ_CORPUS when set. */
struct guest_mem *t_input_open(const char *path, const struct input_opts *o, struct mp_err *err);
char *b_path(const char *dir, const char *name);

/*
 * The real MPIPL cycle, found as the end-to-end tests find it: $MPIPL_GOLDEN,
 * else ../shared/golden/powernv9 from the repository (where make runs the
 * tests). t_golden gives the path of one of its files (caller frees);
 * t_golden_zstd a pipe of the decompressed bytes of one of its .zst files
 * (zstd -dc: a decompressor we did not write; pclose it). Both skip the test,
 * saying why, when the file is not there.
 */
char *t_golden(const char *name);
FILE *t_golden_zstd(const char *name);
/* Read and drop len bytes of a pipe (fails the test at its end). */
void t_pipe_skip(FILE *f, uint64_t len);
char *b_file(const char *dir, const char *name, const void *data, size_t len);
/* Number of entries in a directory, "." and ".." excluded. */
int b_dir_count(const char *dir);
/* Allocated bytes of a file (st_blocks * 512). */
uint64_t b_allocated(const char *path);
uint64_t b_allocated_fd(int fd);

#endif

/*
 * A preserve fixture: RAM [0, ram) all zero, skiboot base base, the fixed
 * 7.1 layout (MDST base+0x10C00, MDDT base+0x11000, proc area base+0x10300,
 * MDRT base+0x1C00000).
 */
struct pv {
	struct guest_mem *gm;
	uint64_t base;
	struct mpipl_layout l;
	struct mpipl_tables *t;
	struct findings f;
	struct preserve_report *r;
};

void pv_init(struct pv *v, uint64_t ram, uint64_t base);
/* MDST[i] = {src|HRMOR, region, size}, MDDT[i] = {dst|HRMOR, region, size}. */
void pv_entry(struct pv *v, unsigned i, uint64_t src, uint64_t dst, uint8_t region,
	      uint32_t size);
/* Raw MDST[i] and MDDT[i] (no HRMOR added). */
void pv_raw_entry(struct pv *v, unsigned i, uint64_t src, uint8_t src_region, uint32_t src_size,
		  uint64_t dst, uint8_t dst_region, uint32_t dst_size);
/* tables_read + mpipl_preserve; both must succeed. */
void pv_run(struct pv *v, enum mpipl_profile p, const struct vcpu_state *cpus, size_t ncpus);
bool pv_has_finding(const struct pv *v, const char *code);
void pv_free(struct pv *v);
