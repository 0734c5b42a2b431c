// SPDX-License-Identifier: GPL-2.0-or-later
/* Big-endian MPIPL records (src/mpipl/hdat.c) against hand-written bytes. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "builders.h"
#include "../../src/mpipl/hdat.h"
#include "../../src/mpipl/tables.h"


Test(hdat, mdst_entry_decode)
{
	/* mpipl.md 2.1: addr, region, dump_type, reserved, size. */
	static const uint8_t raw[16] = { 0x80, 0, 0, 0, 0x30, 0, 0, 0, 0x03, 0xF5, 0x12, 0x34,
					 0x01, 0xC3, 0x80, 0x00 };
	struct mdst_entry e;

	mdst_entry_decode(raw, &e);
	cr_assert_eq(e.raw_addr, 0x8000000030000000ULL);
	cr_assert_eq(e.addr, 0x30000000ULL, "HRMOR bit cleared");
	cr_assert_eq(e.region, 0x03);
	cr_assert_eq(e.dump_type, 0xF5);
	cr_assert_eq(e.reserved, 0x1234);
	cr_assert_eq(e.size, 0x1C38000u);
	cr_assert_not(mdst_entry_is_terminator(&e));
}

Test(hdat, terminator_rule)
{
	/* QEMU (mpipl.md 2.3): raw addr == 0 and size == 0; region ignored. */
	static const struct {
		uint64_t addr;
		uint8_t region;
		uint32_t size;
		bool end;
	} t[] = {
		{ 0, 0, 0, true },
		{ 0, 0x80, 0, true },
		{ 0, 0x80, 0x1000, false },    /* copies from physical 0 */
		{ 0x1000, 0x80, 0, false },    /* size 0, nonzero address */
		{ HRMOR, 0x03, 0, false },     /* only the HRMOR bit: raw value is not 0 */
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t raw[16];
		struct mdst_entry e;

		b_mdst(raw, t[i].addr, t[i].region, 0, t[i].size);
		mdst_entry_decode(raw, &e);
		cr_assert_eq(mdst_entry_is_terminator(&e), t[i].end, "case %zu", i);
	}
}

Test(hdat, mdrt_entry_round_trip)
{
	/* The first MDRT entry QEMU wrote in the golden run (README). */
	static const uint8_t raw[32] = {
		0, 0, 0, 0, 0x32, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0x33, 0xC3, 0x80, 0x00,
		0x03, 0x00, 0x00, 0x00, 0x01, 0xC3, 0x80, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct mdrt_entry e, f = { .src = 0x1122334455667788ULL,
				   .dest = 0x8000000031C38000ULL,
				   .region = 0x80,
				   .dump_type = 0xF5,
				   .reserved = 0xABCD,
				   .size = 0xDEADBEEF,
				   .padding = 0x0102030405060708ULL };
	uint8_t out[32];
	static const uint8_t want_f[32] = {
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x80, 0, 0, 0, 0x31, 0xC3, 0x80, 0,
		0x80, 0xF5, 0xAB, 0xCD, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4, 5, 6, 7, 8,
	};

	mdrt_entry_decode(raw, &e);
	cr_assert_eq(e.src, 0x32000000ULL);
	cr_assert_eq(e.dest, 0x33C38000ULL);
	cr_assert_eq(e.region, 3);
	cr_assert_eq(e.dump_type, 0);
	cr_assert_eq(e.size, 0x1C38000u);
	cr_assert_eq(e.padding, 0);
	mdrt_entry_encode(&e, out);
	cr_assert_arr_eq(out, raw, 32);
	mdrt_entry_encode(&f, out);
	cr_assert_arr_eq(out, want_f, 32);
	mdrt_entry_decode(want_f, &e);
	cr_assert_eq(e.reserved, 0xABCD);
	cr_assert_eq(e.padding, 0x0102030405060708ULL);
	cr_assert_eq(e.dump_type, 0xF5);
}

Test(hdat, proc_area_round_trip)
{
	/* mpipl.md 4.1 as QEMU wrote it in the golden run (2 threads of 0x438). */
	static const uint8_t raw[48] = {
		0x00, 0x00, 0x04, 0x38, 0x01, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
		0xA8, 0xA9, 0xAA, 0xAB, 0x80, 0x00, 0x00, 0x00, 0x33, 0x87, 0x00, 0x00,
		0xB0, 0xB1, 0xB2, 0xB3, 0x00, 0x08, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
		0x33, 0x87, 0x00, 0x00, 0xC0, 0xC1, 0xC2, 0xC3, 0x00, 0x00, 0x08, 0x70,
	};
	struct proc_dump_area p;
	uint8_t out[48];

	proc_area_decode(raw, &p);
	cr_assert_eq(p.thread_size, 0x438);
	cr_assert_eq(p.version, 1);
	cr_assert_eq(p.reserved[0], 0xA1);
	cr_assert_eq(p.reserved[10], 0xAB);
	cr_assert_eq(p.alloc_addr, 0x8000000033870000ULL, "raw, HRMOR kept");
	cr_assert_eq(p.reserved2, 0xB0B1B2B3u);
	cr_assert_eq(p.alloc_size, 0x80000);
	cr_assert_eq(p.dest_addr, 0x8000000033870000ULL);
	cr_assert_eq(p.reserved3, 0xC0C1C2C3u);
	cr_assert_eq(p.act_size, 0x870);
	proc_area_encode(&p, out);
	cr_assert_arr_eq(out, raw, 48, "every byte, reserved ones included");
}

Test(hdat, thread_hdr_and_reg_entry)
{
	/* The golden record's header: PIR 0, core_state 0xFF, junk 7f 00 00, offset 0, 66 x 16. */
	static const uint8_t hdr[24] = { 0, 0, 0, 0, 0xFF, 0x7F, 0, 0, 0, 0, 0, 0,
					 0, 0, 0, 0x42, 0, 0, 0, 0x10, 0, 0, 0, 0x10 };
	static const uint8_t reg[16] = { 0, 0, 0, 2, 0, 0, 0x07, 0xD1,
					 0x80, 0, 0, 0, 0, 0, 0x10, 0x33 };
	struct thread_hdr h;
	struct reg_entry r;
	uint8_t out[24];

	thread_hdr_decode(hdr, &h);
	cr_assert_eq(h.pir, 0);
	cr_assert_eq(h.core_state, 0xFF);
	cr_assert_eq(h.reserved[0], 0x7F);
	cr_assert_eq(h.offset, 0);
	cr_assert_eq(h.ecnt, 66);
	cr_assert_eq(h.esize, 16);
	cr_assert_eq(h.eactsz, 16);
	thread_hdr_encode(&h, out);
	cr_assert_arr_eq(out, hdr, 24);
	h = (struct thread_hdr){ 0x01020304, 0x0F, { 9, 8, 7 }, 16, 67, 24, 20 };
	thread_hdr_encode(&h, out);
	cr_assert_arr_eq(out, ((uint8_t[]){ 1, 2, 3, 4, 0x0F, 9, 8, 7, 0, 0, 0, 16, 0, 0, 0, 67,
					    0, 0, 0, 24, 0, 0, 0, 20 }),
			 24);

	reg_entry_decode(reg, &r);
	cr_assert_eq(r.type, REG_TYPE_SPR);
	cr_assert_eq(r.num, REG_ID_MSR);
	cr_assert_eq(r.val, 0x8000000000001033ULL);
	reg_entry_encode(&r, out);
	cr_assert_arr_eq(out, reg, 16);
}

Test(hdat, skiboot_metadata)
{
	/* mpipl.md 5.1: packed, kernel_tag unaligned at 4. */
	static const uint8_t raw[20] = { 0, 0, 0, 4, 0, 0, 0, 0, 0x7F, 0xFF, 0x00, 0x10,
					 0, 0, 0, 0, 0x80, 0, 0, 0 };
	struct skiboot_metadata m;

	skiboot_metadata_decode(raw, &m);
	cr_assert_eq(m.crashing_pir, 4);
	cr_assert_eq(m.kernel_tag, 0x7FFF0010ULL);
	cr_assert_eq(m.boot_mem_size, 0x80000000ULL);
}

Test(hdat, region_names)
{
	cr_assert_str_eq(region_name(0x01), "console");
	cr_assert_str_eq(region_name(0x02), "hbrt-log");
	cr_assert_str_eq(region_name(0x03), "opal");
	cr_assert_str_eq(region_name(0x80), "kernel");
	cr_assert_str_eq(region_name(0x3F), "opal-other");
	cr_assert_str_eq(region_name(0x40), "reserved");
	cr_assert_str_eq(region_name(0x7F), "reserved");
	cr_assert_str_eq(region_name(0xFF), "host-other");
	cr_assert_str_eq(region_name(0x00), "none");
}

/* Real bytes, when the golden run is on this machine. */
static size_t golden(const char *name, uint8_t *buf, size_t len)
{
	char *path = t_golden(name);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	cr_assert_geq(fd, 0, "open %s", path);
	free(path);
	n = read(fd, buf, len);
	close(fd);
	cr_assert_eq(n, (ssize_t)len);
	return (size_t)n;
}

Test(hdat, golden_mdrt_and_proc_area)
{
	uint8_t mdrt[64], proc[48];
	struct mdrt_entry e;
	struct proc_dump_area p;

	golden("3-post-reset.mdrt-0x31c00000.bin", mdrt, sizeof(mdrt));
	golden("3-post-reset.proc-area-0x10300.bin", proc, sizeof(proc));
	/* Values from the README of the golden run. */
	mdrt_entry_decode(mdrt, &e);
	cr_assert_eq(e.src, 0x32000000ULL);
	cr_assert_eq(e.dest, 0x33C38000ULL);
	cr_assert_eq(e.region, 3);
	cr_assert_eq(e.size, 0x1C38000u);
	mdrt_entry_decode(mdrt + 32, &e);
	cr_assert_eq(e.src, 0x30000000ULL);
	cr_assert_eq(e.dest, 0x64C30000ULL);
	cr_assert_eq(e.region, 0x80);
	cr_assert_eq(e.size, 0x30000000u);
	proc_area_decode(proc, &p);
	cr_assert_eq(p.thread_size, 1080);
	cr_assert_eq(p.version, 1);
	cr_assert_eq(p.dest_addr, p.alloc_addr);
	cr_assert_eq(p.act_size, 2 * 1080);
}
