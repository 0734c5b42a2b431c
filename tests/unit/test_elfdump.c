// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dump-guest-memory ELF reader: inputs built here from qemu-inputs.md 7
 * (layout Ehdr | 2 section headers | PT_NOTE + PT_LOADs | CORE notes |
 * memory | .shstrtab, with QEMU's e_ehsize 8 and host-order .shstrtab
 * header), read back through input_open.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dumpgen.h"
#include "../../src/input/input.h"

#define MAX_LOADS 4
#define MAX_CPUS 4

struct elf_spec {
	bool be;
	int ncpu;
	uint32_t pid[MAX_CPUS];
	int nloads;
	uint64_t paddr[MAX_LOADS], memsz[MAX_LOADS], filesz[MAX_LOADS];
	bool xnum;              /* e_phnum = PN_XNUM, count in section 0's sh_info */
	uint16_t machine;       /* 0: EM_PPC64 */
	uint8_t elf_class;      /* 0: ELFCLASS64 */
	uint16_t type;          /* 0: ET_CORE */
	uint32_t prstatus_size; /* 0: 504 */
};

static void put_phdr(struct bb *b, uint32_t type, uint64_t off, uint64_t paddr, uint64_t filesz,
		     uint64_t memsz)
{
	bb_u32(b, type);
	bb_u32(b, 0);
	bb_u64(b, off);
	bb_u64(b, paddr); /* p_vaddr = p_paddr */
	bb_u64(b, paddr);
	bb_u64(b, filesz);
	bb_u64(b, memsz);
	bb_u64(b, 0);
}

/* The .shstrtab section header, in little-endian whatever the dump's order (QEMU quirk). */
static void put_shstrtab_hdr(struct bb *b, uint64_t off)
{
	struct bb h;

	bb_init(&h, false);
	bb_u32(&h, 1);    /* sh_name */
	bb_u32(&h, 3);    /* SHT_STRTAB */
	bb_u64(&h, 0);
	bb_u64(&h, 0);
	bb_u64(&h, off);  /* sh_offset */
	bb_u64(&h, 11);   /* sh_size */
	bb_pad_to(&h, 64);
	bb_bytes(b, h.p, 64);
	bb_free(&h);
}

static void build_elf(struct bb *b, const struct elf_spec *s)
{
	uint64_t phnum = 1 + (uint64_t)s->nloads, phoff = 64 + 128;
	uint64_t prsz = s->prstatus_size ? s->prstatus_size : 504;
	/* 1808 bytes of notes per vCPU with QEMU's 504-byte NT_PRSTATUS. */
	uint64_t note_off = phoff + 56 * phnum, note_size = (uint64_t)s->ncpu * (1304 + prsz);
	uint64_t data = note_off + note_size, shstr;

	bb_init(b, s->be);
	bb_bytes(b, "\x7f" "ELF", 4);
	bb_u8(b, s->elf_class ? s->elf_class : 2);
	bb_u8(b, s->be ? 2 : 1);
	bb_u8(b, 1);
	bb_pad_to(b, 16);
	bb_u16(b, s->type ? s->type : 4);
	bb_u16(b, s->machine ? s->machine : 21);
	bb_u32(b, 1);
	bb_u64(b, 0);
	bb_u64(b, phoff);
	bb_u64(b, 64);    /* e_shoff */
	bb_u32(b, 0);
	bb_u16(b, 8);     /* e_ehsize: QEMU writes sizeof(pointer) */
	bb_u16(b, 56);
	bb_u16(b, s->xnum ? 0xFFFF : (uint16_t)phnum);
	bb_u16(b, 64);
	bb_u16(b, 2);
	bb_u16(b, 1);
	/* Section 0: zero but for sh_info (offset 44) = phnum with PN_XNUM. */
	bb_zeros(b, 44);
	bb_u32(b, s->xnum ? (uint32_t)phnum : 0);
	bb_zeros(b, 16);
	shstr = data;
	for (int i = 0; i < s->nloads; i++)
		shstr += s->filesz[i];
	put_shstrtab_hdr(b, shstr);
	put_phdr(b, 4, note_off, 0, note_size, note_size);
	for (int i = 0, at = 0; i < s->nloads; at += (int)s->filesz[i], i++)
		put_phdr(b, 1, data + (uint64_t)at, s->paddr[i], s->filesz[i], s->memsz[i]);
	dg_core_notes(b, s->ncpu, s->pid, s->prstatus_size);
	cr_assert_eq(b->len, data);
	for (int i = 0; i < s->nloads; i++)
		for (uint64_t k = 0; k < s->filesz[i]; k++)
			bb_u8(b, dg_pattern((uint32_t)i + 1, k));
	bb_bytes(b, "\0.shstrtab", 11);
}

static struct elf_spec basic(bool be)
{
	struct elf_spec s = { .be = be, .ncpu = 2, .nloads = 1 };

	s.paddr[0] = 0;
	s.memsz[0] = s.filesz[0] = 64 << 10;
	return s;
}

static struct guest_mem *open_ok(const char *path)
{
	struct input_opts o = { 0 };
	struct mp_err err = { 0 };
	struct guest_mem *gm = t_input_open(path, &o, &err);

	cr_assert_not_null(gm, "%s", err.msg);
	return gm;
}

static void check_load_bytes(struct guest_mem *gm, const struct elf_spec *s, int i)
{
	uint8_t *buf = malloc(s->memsz[i]);
	struct mp_err err = { 0 };

	cr_assert_not_null(buf);
	cr_assert_eq(gm_read(gm, s->paddr[i], buf, s->memsz[i], &err), 0, "%s", err.msg);
	for (uint64_t k = 0; k < s->memsz[i]; k++) {
		uint8_t want = k < s->filesz[i] ? dg_pattern((uint32_t)i + 1, k) : 0;

		if (buf[k] != want)
			cr_assert_fail("load %d byte %llu: 0x%02x, expected 0x%02x", i,
				       (unsigned long long)k, buf[k], want);
	}
	free(buf);
}

static void roundtrip(bool be)
{
	struct elf_spec s = basic(be);
	struct guest_mem *gm;
	struct bb b;
	char *path;

	build_elf(&b, &s);
	path = dg_file(b.p, b.len, be ? "be.elf" : "le.elf");
	gm = open_ok(path);
	cr_assert_eq(gm->nranges, 1);
	cr_assert_eq(gm->ranges[0].gpa, 0);
	cr_assert_eq(gm->ranges[0].size, 64 << 10);
	cr_assert_eq(gm->ranges[0].flags, 0);
	check_load_bytes(gm, &s, 0);
	cr_assert_eq(gm->ncpus, 2);
	dg_check_cpu(gm, 0, 0, 0x0);
	dg_check_cpu(gm, 1, 1, 0x4);
	gm_free(gm);
	dg_unlink(path);
	bb_free(&b);
}

Test(elfdump, little_endian)
{
	roundtrip(false);
}

Test(elfdump, big_endian)
{
	roundtrip(true);
}

Test(elfdump, pr_pid_orders_the_vcpus)
{
	struct elf_spec s = basic(true);
	struct guest_mem *gm;
	struct bb b;
	char *path;

	/* QEMU >= 9.1: pid = cpu_index + 1; here the notes come in reverse order. */
	s.pid[0] = 2;
	s.pid[1] = 1;
	build_elf(&b, &s);
	path = dg_file(b.p, b.len, "pid.elf");
	gm = open_ok(path);
	cr_assert_eq(gm->ncpus, 2);
	dg_check_cpu(gm, 0, 1, 0x0);
	dg_check_cpu(gm, 1, 0, 0x4);
	gm_free(gm);
	dg_unlink(path);
	bb_free(&b);
}

Test(elfdump, homer_ranges_are_aux_and_tail_reads_zero)
{
	struct elf_spec s = basic(false);
	struct guest_mem *gm;
	struct bb b;
	char *path;

	/* POWER9 chip 0 HOMER at 0x203ffd800000, 4 MiB, only 8 KiB in the file. */
	s.nloads = 2;
	s.paddr[1] = 0x203ffd800000ull;
	s.memsz[1] = 4 << 20;
	s.filesz[1] = 8 << 10;
	build_elf(&b, &s);
	path = dg_file(b.p, b.len, "homer.elf");
	gm = open_ok(path);
	cr_assert_eq(gm->nranges, 2);
	cr_assert_eq(gm->ranges[1].gpa, 0x203ffd800000ull);
	cr_assert_eq(gm->ranges[1].size, 4 << 20);
	cr_assert(gm->ranges[1].flags & GM_RANGE_AUX);
	cr_assert_str_eq(gm->ranges[1].name, "homer-chip0-memory");
	cr_assert_eq(gm->ranges[0].flags & GM_RANGE_AUX, 0);
	check_load_bytes(gm, &s, 1);
	/* The zero tail holds no data. */
	cr_assert_eq(gm_next_data(gm, 0x203ffd800000ull + (8 << 10), 0x203ffdc00000ull),
		     0x203ffdc00000ull);
	dg_check_cpu(gm, 1, 1, 0x4);
	gm_free(gm);
	dg_unlink(path);
	bb_free(&b);
}

Test(elfdump, power8_homer_gives_power8_pirs)
{
	struct elf_spec s = basic(true);
	struct guest_mem *gm;
	struct bb b;
	char *path;

	s.nloads = 2;
	s.paddr[1] = 0x7ffd800000ull; /* POWER8 HOMER window */
	s.memsz[1] = s.filesz[1] = 4096;
	build_elf(&b, &s);
	path = dg_file(b.p, b.len, "p8.elf");
	gm = open_ok(path);
	/* POWER8_CORE_MASK 0x7e7e: cores 1 and 2, PIR = core << 3. */
	dg_check_cpu(gm, 0, 0, 0x8);
	dg_check_cpu(gm, 1, 1, 0x10);
	gm_free(gm);
	dg_unlink(path);
	bb_free(&b);
}

Test(elfdump, pn_xnum_count_in_section_zero)
{
	struct elf_spec s = basic(false);
	struct guest_mem *gm;
	struct bb b;
	char *path;

	s.xnum = true;
	s.nloads = 3;
	s.paddr[1] = 0x100000;
	s.paddr[2] = 0x200000;
	s.memsz[1] = s.filesz[1] = s.memsz[2] = s.filesz[2] = 4096;
	build_elf(&b, &s);
	path = dg_file(b.p, b.len, "xnum.elf");
	gm = open_ok(path);
	cr_assert_eq(gm->nranges, 3);
	check_load_bytes(gm, &s, 2);
	gm_free(gm);
	dg_unlink(path);
	bb_free(&b);
}

Test(elfdump, compressed_inputs)
{
	struct elf_spec s = basic(true);
	struct bb b;

	build_elf(&b, &s);
	for (int z = 0; z < 2; z++) {
		char *path = z ? dg_file_zstd(b.p, b.len, "c.elf.zst")
			       : dg_file_gzip(b.p, b.len, "c.elf.gz");
		struct guest_mem *gm = open_ok(path);

		cr_assert_not_null(strstr(gm->format, z ? "zstd" : "gzip"), "%s", gm->format);
		check_load_bytes(gm, &s, 0);
		dg_check_cpu(gm, 1, 1, 0x4);
		gm_free(gm);
		dg_unlink(path);
	}
	bb_free(&b);
}

static void expect_bad(const struct elf_spec *s, const char *want)
{
	struct bb b;
	char *path;

	build_elf(&b, s);
	path = dg_file(b.p, b.len, "bad.elf");
	dg_expect_open_fail(path, NULL, want);
	dg_unlink(path);
	bb_free(&b);
}

Test(elfdump, bad_headers)
{
	struct elf_spec s = basic(false);

	s.elf_class = 1;
	expect_bad(&s, "byte offset 4: ELF class 1");
	s = basic(true);
	s.machine = 20;
	expect_bad(&s, "byte offset 18: ELF machine 20");
	s = basic(false);
	s.type = 2;
	expect_bad(&s, "byte offset 16: ELF type 2");
}

/* Found by make fuzz: no PT_LOAD at all must be an error, not qsort(NULL, 0). */
Test(elfdump, no_loads)
{
	struct elf_spec s = basic(false);

	s.nloads = 0;
	expect_bad(&s, "no PT_LOAD: the dump holds no");
}

Test(elfdump, overlapping_loads)
{
	struct elf_spec s = basic(false);

	s.nloads = 2;
	s.paddr[1] = 60 << 10; /* inside load 0's [0, 64 KiB) */
	s.memsz[1] = s.filesz[1] = 8 << 10;
	expect_bad(&s, "overlaps");
}

Test(elfdump, filesz_larger_than_memsz)
{
	struct elf_spec s = basic(true);

	s.memsz[0] = 4096;
	expect_bad(&s, "larger than p_memsz");
}

Test(elfdump, short_prstatus)
{
	struct elf_spec s = basic(false);

	s.prstatus_size = 400; /* pr_reg needs 112 + 44 * 8 = 464 */
	expect_bad(&s, "NT_PRSTATUS note of 400 bytes");
}

Test(elfdump, load_past_end_of_file)
{
	struct elf_spec s = basic(false);
	struct bb b;
	char *path;

	build_elf(&b, &s);
	/* Phdr 1 (the PT_LOAD) at 192 + 56: p_filesz at +32, p_memsz at +40. */
	bb_set_u64(&b, 192 + 56 + 32, 1 << 20);
	bb_set_u64(&b, 192 + 56 + 40, 1 << 20);
	path = dg_file(b.p, b.len, "past.elf");
	dg_expect_open_fail(path, NULL, "byte offset 248: PT_LOAD 1 data");
	dg_unlink(path);
	bb_free(&b);
}

Test(elfdump, bogus_note_and_phdr_sizes)
{
	struct elf_spec s = basic(true);
	struct bb b;
	char *path;

	build_elf(&b, &s);
	bb_set_u32(&b, 192 + 2 * 56 + 4, 0x7fffffff); /* first note's n_descsz */
	path = dg_file(b.p, b.len, "note.elf");
	dg_expect_open_fail(path, NULL, "note sizes");
	dg_unlink(path);
	bb_free(&b);

	build_elf(&b, &s);
	b.p[56] = 0xF0; /* e_phnum = 0x00F0 (BE: low byte at 57) -> 0xF002 */
	path = dg_file(b.p, b.len, "phnum.elf");
	dg_expect_open_fail(path, NULL, "program headers");
	dg_unlink(path);
	bb_free(&b);
}

Test(elfdump, every_truncation_fails_cleanly)
{
	struct elf_spec s = basic(false);
	size_t data_end;
	struct bb b;

	s.memsz[0] = s.filesz[0] = 4096;
	build_elf(&b, &s);
	data_end = b.len - 11; /* what follows the memory (.shstrtab) is not needed */
	/* Below 4 bytes the ELF magic is gone (and raw would claim the file). */
	for (size_t cut = 4; cut < data_end; cut += cut < 1024 ? 4 : 61) {
		char *path = dg_file(b.p, cut, "cut.elf");

		dg_expect_open_fail(path, NULL, NULL);
		dg_unlink(path);
	}
	bb_free(&b);
}
