/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helpers for the dump and qcow2 reader tests: a byte builder that
 * writes integers in a chosen byte order (inputs are built from the spec,
 * never with the readers' code), temporary input files (plain, gzip, zstd)
 * and checks for the one-line error messages.
 */
#ifndef MPIPL_TESTS_DUMPGEN_H
#define MPIPL_TESTS_DUMPGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../src/input/input.h"
#include "builders.h"

struct bb {
	uint8_t *p;
	size_t len;
	size_t cap;
	bool be;
};

void bb_init(struct bb *b, bool big_endian);
void bb_free(struct bb *b);
void bb_bytes(struct bb *b, const void *data, size_t n);
void bb_zeros(struct bb *b, size_t n);
void bb_u8(struct bb *b, uint8_t v);
void bb_u16(struct bb *b, uint16_t v);
void bb_u32(struct bb *b, uint32_t v);
void bb_u64(struct bb *b, uint64_t v);
/* Zero-fill up to offset off (no-op when already there). */
void bb_pad_to(struct bb *b, size_t off);
/* Overwrite at an earlier offset, growing the buffer when needed. */
void bb_set_u16(struct bb *b, size_t off, uint16_t v);
void bb_set_u32(struct bb *b, size_t off, uint32_t v);
void bb_set_u64(struct bb *b, size_t off, uint64_t v);
void bb_set_bytes(struct bb *b, size_t off, const void *data, size_t n);

/* Write data to a fresh file in the test's temporary directory; returns its path (free it). */
char *dg_file(const void *data, size_t len, const char *name);
char *dg_file_gzip(const void *data, size_t len, const char *name);
char *dg_file_zstd(const void *data, size_t len, const char *name);
void dg_unlink(char *path);

/*
 * QEMU's five CORE notes per vCPU (qemu-inputs.md 7) in b's byte order:
 * NT_PRSTATUS (prstatus_size bytes, 0 = 504; pr_pid = pids[c]; pr_reg from
 * dg_reg_value), then FPREG, VMX, VSX, SPE zero-filled.
 */
void dg_core_notes(struct bb *b, int ncpu, const uint32_t *pids, uint32_t prstatus_size);
/* pr_reg slot i of vCPU c (0-31 GPR, 32 NIP, 33 MSR, 35 CTR, 36 LR, 37 XER, 38 CCR). */
uint64_t dg_reg_value(int c, int i);
/* gm's vCPU idx holds the registers of note set note and this PIR. */
void dg_check_cpu(const struct guest_mem *gm, size_t idx, int note, uint32_t pir);

/* A deterministic non-zero byte pattern: byte i of stream seed. */
uint8_t dg_pattern(uint32_t seed, uint64_t i);

/*
 * input_open(path) must fail with a single-line message that names the
 * file, says "offset" and contains want (when not NULL).
 */
void dg_expect_open_fail(const char *path, const struct input_opts *o, const char *want);
/* err must hold a single-line message containing "offset" and want. */
void dg_expect_msg(const struct mp_err *err, const char *path, const char *want);

#endif
