// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * src/linux/ on a tiny kernel laid out by hand from the kernel's documented
 * structures (VMCOREINFO text, new_utsname, the lockless printk ring,
 * kallsyms tables): the expected values are computed here, not by the code
 * under test.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builders.h"
#include "../../src/linux/crash.h"
#include "../../src/linux/dmesg.h"
#include "../../src/util/bytes.h"

#define KB 0xC000000000000000ULL
#define RAM (64u << 20)
#define UTS 0x100000u
#define PRB_VAR 0x200000u
#define RB 0x200100u
#define DESCS 0x210000u
#define INFOS 0x220000u
#define DATA 0x230000u
#define KS_NUM 0x300000u
#define KS_NAMES 0x300100u
#define KS_TOKENS 0x301000u
#define KS_INDEX 0x302000u
#define KS_OFFSETS 0x303000u
#define KS_BASE 0x304000u
#define VMCI_GOOD 0x1400000u
#define VMCI_DECOY 0x800000u

/* The golden 6.12 kernel's ring layout (its VMCOREINFO), shared by both texts. */
static const char layout[] =
	"SIZE(printk_ringbuffer)=88\nOFFSET(printk_ringbuffer.desc_ring)=0\n"
	"OFFSET(printk_ringbuffer.text_data_ring)=48\nOFFSET(prb_desc_ring.count_bits)=0\n"
	"OFFSET(prb_desc_ring.descs)=8\nOFFSET(prb_desc_ring.infos)=16\n"
	"OFFSET(prb_desc_ring.head_id)=24\nOFFSET(prb_desc_ring.tail_id)=32\n"
	"SIZE(prb_desc)=24\nOFFSET(prb_desc.state_var)=0\nOFFSET(prb_desc.text_blk_lpos)=8\n"
	"OFFSET(prb_data_blk_lpos.begin)=0\nOFFSET(prb_data_blk_lpos.next)=8\n"
	"SIZE(printk_info)=88\nOFFSET(printk_info.seq)=0\nOFFSET(printk_info.ts_nsec)=8\n"
	"OFFSET(printk_info.text_len)=16\nOFFSET(printk_info.caller_id)=20\n"
	"OFFSET(prb_data_ring.size_bits)=0\nOFFSET(prb_data_ring.data)=8\n"
	"OFFSET(atomic_long_t.counter)=0\n";

static void put_text(struct guest_mem *gm, uint64_t at, const char *release, bool kallsyms)
{
	char text[4096];
	int n = snprintf(text, sizeof(text),
			 "OSRELEASE=%s\nPAGESIZE=65536\nSYMBOL(init_uts_ns)=%llx\n"
			 "OFFSET(uts_namespace.name)=0\nSYMBOL(prb)=%llx\n%s",
			 release, KB + UTS, KB + PRB_VAR, layout);

	if (kallsyms)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "SYMBOL(kallsyms_num_syms)=%llx\nSYMBOL(kallsyms_names)=%llx\n"
			      "SYMBOL(kallsyms_token_table)=%llx\n"
			      "SYMBOL(kallsyms_token_index)=%llx\nSYMBOL(kallsyms_offsets)=%llx\n"
			      "SYMBOL(kallsyms_relative_base)=%llx\n",
			      KB + KS_NUM, KB + KS_NAMES, KB + KS_TOKENS, KB + KS_INDEX,
			      KB + KS_OFFSETS, KB + KS_BASE);
	b_write(gm, at, text, (size_t)n + 1);
}

static void put64(struct guest_mem *gm, uint64_t at, uint64_t v)
{
	uint8_t b[8];

	put_le64(b, v);
	b_write(gm, at, b, 8);
}

/* One record: descriptor id (state finalized unless state given), info, text block. */
static void put_record(struct guest_mem *gm, uint64_t id, unsigned state, uint64_t begin,
		       uint64_t next, const char *text, uint64_t ts)
{
	uint64_t d = DESCS + (id % 8) * 24, in = INFOS + (id % 8) * 88;
	uint8_t info[88] = { 0 };

	put64(gm, d, ((uint64_t)state << 62) | id);
	put64(gm, d + 8, begin);
	put64(gm, d + 16, next);
	put_le64(info, id + 100);  /* seq */
	put_le64(info + 8, ts);
	put_le16(info + 16, (uint16_t)strlen(text));
	info[19] = 4 << 5;         /* level 4 in the top three bits */
	put_le32(info + 20, 7);    /* task 7 */
	b_write(gm, in, info, sizeof(info));
	if (begin != next) { /* a block that would cross the ring's end starts it instead */
		uint64_t at = begin % 1024 > next % 1024 ? 0 : begin % 1024;

		put64(gm, DATA + at, id);
		b_write(gm, DATA + at + 8, text, strlen(text));
	}
}

static void put_ring(struct guest_mem *gm, uint64_t tail, uint64_t head)
{
	uint8_t rb[88] = { 0 };

	put64(gm, PRB_VAR, KB + RB);
	put_le32(rb, 3); /* 8 descriptors */
	put_le64(rb + 8, KB + DESCS);
	put_le64(rb + 16, KB + INFOS);
	put_le64(rb + 24, head);
	put_le64(rb + 32, tail);
	put_le32(rb + 48, 10); /* 1 KiB of text */
	put_le64(rb + 56, KB + DATA);
	b_write(gm, RB, rb, sizeof(rb));
	put_record(gm, 0, 2, 100, 124, "hello", 1500000000ULL);
	put_record(gm, 1, 2, 124, 148, "bad\x01\xff", 2000001000ULL);
	put_record(gm, 2, 0, 148, 172, "reserved", 3);        /* skipped: not committed */
	put_record(gm, 3, 1, 172, 172, "", 4000000000ULL);    /* no text */
	put_record(gm, 4, 2, 1000, 1024 + 24, "wrap", 5000000000ULL); /* wraps to 0 */
}

/* kallsyms with one-character tokens: token c is "c" (token_index[c] = 2 * c). */
static void put_kallsyms(struct guest_mem *gm, size_t names_room)
{
	static const char *const names[] = { "Tstart", "tfoo", "tfoo_alias", "Tbar", "Tend" };
	static const uint32_t offs[] = { 0x1000, 0x1030, 0x1030, 0x1100, 0x2000 };
	uint8_t tokens[512] = { 0 }, index[512], buf[256];
	size_t n = 0;

	for (int c = 0; c < 256; c++) {
		tokens[2 * c] = (uint8_t)c;
		put_le16(index + 2 * c, (uint16_t)(2 * c));
	}
	for (int i = 0; i < 5; i++) {
		buf[n++] = (uint8_t)strlen(names[i]);
		memcpy(buf + n, names[i], strlen(names[i]));
		n += strlen(names[i]);
	}
	cr_assert_leq(n, names_room);
	b_write(gm, KS_NAMES, buf, n);
	b_write(gm, KS_TOKENS, tokens, sizeof(tokens));
	b_write(gm, KS_INDEX, index, sizeof(index));
	for (int i = 0; i < 5; i++) {
		uint8_t o[4];

		put_le32(o, offs[i]);
		b_write(gm, KS_OFFSETS + 4 * (uint64_t)i, o, 4);
	}
	put64(gm, KS_BASE, KB);
	put64(gm, KS_NUM, 5);
}

static struct guest_mem *tiny_kernel(void)
{
	struct guest_mem *gm = b_gm();
	char uts[390] = { 0 };

	b_add_zero(gm, 0, RAM);
	strcpy(uts + 130, "6.12.0-test");
	strcpy(uts + 195, "#1 SMP test");
	strcpy(uts + 260, "ppc64le");
	b_write(gm, UTS, uts, sizeof(uts));
	put_text(gm, VMCI_DECOY, "5.0-stale", false); /* found first, but does not validate */
	put_text(gm, VMCI_GOOD, "6.12.0-test", true);
	put_ring(gm, 0, 4);
	put_kallsyms(gm, 256);
	return gm;
}

/* Bytes of the tiny kernel's RAM that hold all its structures but the VMCOREINFO pages. */
#define SEED_RAM 0x310000u

/*
 * MPIPL_FUZZ_LINUX_CORPUS=DIR (make fuzz): the seed of tests/fuzz/fuzz_linux,
 * the VMCOREINFO text, a NUL, then the RAM.
 */
static void keep_seed(struct guest_mem *gm, const struct vmcoreinfo *vi)
{
	const char *dir = getenv("MPIPL_FUZZ_LINUX_CORPUS");
	static uint8_t ram[SEED_RAM];
	char path[4096];
	FILE *f;

	if (!dir || !*dir)
		return;
	snprintf(path, sizeof(path), "%s/tiny-kernel", dir);
	b_read(gm, 0, ram, sizeof(ram));
	f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	fwrite(vi->text, 1, vi->len + 1, f);
	fwrite(ram, 1, sizeof(ram), f);
	fclose(f);
}

Test(vmcoreinfo, scan_prefers_the_copy_that_validates)
{
	struct guest_mem *gm = tiny_kernel();
	struct vmcoreinfo vi;
	struct mp_err err;
	uint64_t va;

	cr_assert_eq(vmci_scan_ram(gm, &vi, &err), 0, "%s", err.msg);
	cr_assert_eq(vi.addr, VMCI_GOOD);
	cr_assert(vi.validated);
	cr_assert_eq(vi.candidates, 2);
	cr_assert_eq(vi.page_size, 65536);
	cr_assert_str_eq(vi.version, "#1 SMP test");
	cr_assert_eq(vmci_symbol(&vi, "prb", &va), 0);
	cr_assert_eq(va, KB + PRB_VAR);
	keep_seed(gm, &vi);
	vmci_free(&vi);
	gm_free(gm);
}

Test(vmcoreinfo, absent_is_not_found)
{
	struct guest_mem *gm = b_gm();
	struct vmcoreinfo vi;
	struct mp_err err;

	b_add_zero(gm, 0, RAM);
	cr_assert_eq(vmci_scan_ram(gm, &vi, &err), -1);
	cr_assert_eq(err.status, MP_ENOTFOUND);
	gm_free(gm);
}

struct lines {
	char text[4096];
	size_t len;
};

static int collect(const struct printk_record *r, void *ctx)
{
	struct lines *l = ctx;
	char line[DMESG_LINE_MAX];
	size_t n = dmesg_format_text(r, line);

	cr_assert_lt(l->len + n, sizeof(l->text));
	memcpy(l->text + l->len, line, n);
	l->len += n;
	return 0;
}

static void walk(struct guest_mem *gm, struct lines *l, struct printk_stats *st, int want_rc)
{
	struct vmcoreinfo vi;
	struct mp_err err;
	struct kmem k = { gm, false };

	cr_assert_eq(vmci_scan_ram(gm, &vi, &err), 0, "%s", err.msg);
	memset(l, 0, sizeof(*l));
	cr_assert_eq(printk_walk(&k, &vi, collect, l, st, &err), want_rc, "%s", err.msg);
	vmci_free(&vi);
}

Test(printk, lockless_ring_as_vmcore_dmesg_prints_it)
{
	struct guest_mem *gm = tiny_kernel();
	struct printk_stats st;
	struct lines l;

	walk(gm, &l, &st, 0);
	cr_assert_str_eq(l.text, "[    1.500000] hello\n"
				 "[    2.000001] bad\\x01\\xff\n"
				 "[    4.000000] \n"
				 "[    5.000000] wrap\n");
	cr_assert_eq(st.records, 4);
	cr_assert_eq(st.skipped, 1);
	gm_free(gm);
}

Test(printk, ids_far_apart_read_one_ring_only)
{
	struct guest_mem *gm = tiny_kernel();
	struct printk_stats st;
	struct lines l;
	uint8_t b[8];

	put_le64(b, 4 + (1ULL << 40)); /* head_id far ahead of tail_id */
	b_write(gm, RB + 24, b, 8);
	walk(gm, &l, &st, 0);
	cr_assert_leq(st.records + st.skipped, 8);
	cr_assert_neq(st.note[0], '\0');
	gm_free(gm);
}

Test(printk, ring_outside_ram_fails_cleanly)
{
	struct guest_mem *gm = tiny_kernel();
	struct printk_stats st;
	struct lines l;
	uint8_t b[8];

	put_le64(b, KB + (1ULL << 40)); /* descs far beyond the 64 MiB of RAM */
	b_write(gm, RB + 8, b, 8);
	walk(gm, &l, &st, -1);
	cr_assert_eq(st.records, 0);
	gm_free(gm);
}

static void load_kallsyms(struct guest_mem *gm, struct kallsyms *ks)
{
	struct vmcoreinfo vi;
	struct mp_err err;
	struct kmem k = { gm, false };

	cr_assert_eq(vmci_scan_ram(gm, &vi, &err), 0, "%s", err.msg);
	cr_assert_eq(kallsyms_load(ks, &k, &vi, &err), 0, "%s", err.msg);
	vmci_free(&vi);
}

Test(kallsyms, symbol_plus_offset_slash_size)
{
	struct guest_mem *gm = tiny_kernel();
	struct kallsyms ks;
	char out[128];
	uint64_t a;

	load_kallsyms(gm, &ks);
	cr_assert_eq(ks.num, 5);
	cr_assert_eq(kallsyms_symbolize(&ks, KB + 0x1038, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "foo+0x8/0xd0"); /* the first of two aliases; size to bar */
	cr_assert_eq(kallsyms_symbolize(&ks, KB + 0x1000, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "start+0x0/0x30");
	cr_assert_eq(kallsyms_symbolize(&ks, KB + 0xfff, out, sizeof(out)), -1);
	cr_assert_eq(kallsyms_symbolize(&ks, KB + 0x2000, out, sizeof(out)), -1);
	cr_assert_eq(kallsyms_lookup(&ks, "bar", &a), 0);
	cr_assert_eq(a, KB + 0x1100);
	kallsyms_free(&ks);
	gm_free(gm);
}

Test(kallsyms, cut_names_give_a_partial_table)
{
	struct guest_mem *gm = tiny_kernel();
	struct kallsyms ks;
	char out[128];

	b_write(gm, KS_NAMES + 12, "\0\0\0\0", 4); /* a zero length ends the names after two */
	load_kallsyms(gm, &ks);
	cr_assert(ks.cut);
	cr_assert_eq(ks.num, 2);
	cr_assert_eq(kallsyms_symbolize(&ks, KB + 0x1000, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "start+0x0/0x30");
	kallsyms_free(&ks);
	gm_free(gm);
}

Test(kallsyms, absurd_count_is_refused)
{
	struct guest_mem *gm = tiny_kernel();
	struct vmcoreinfo vi;
	struct kallsyms ks;
	struct mp_err err;
	struct kmem k = { gm, false };

	put64(gm, KS_NUM, 0xFFFFFFFFu);
	cr_assert_eq(vmci_scan_ram(gm, &vi, &err), 0);
	cr_assert_eq(kallsyms_load(&ks, &k, &vi, &err), -1);
	cr_assert_eq(err.status, MP_EINPUT);
	vmci_free(&vi);
	gm_free(gm);
}
