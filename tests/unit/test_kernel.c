// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel metadata, the derived fadump configuration and the crash info header. */
#include <criterion/criterion.h>
#include <string.h>

#include "builders.h"
#include "../../src/mpipl/crashinfo.h"
#include "../../src/mpipl/kernel_meta.h"
#include "../../src/util/bytes.h"

static bool has_finding(const struct findings *f, const char *code)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].code, code) == 0)
			return true;
	return false;
}

/* Three regions with gaps: [0, 256M), [512M, 640M), [768M, 832M). */
static const struct fadump_region three[3] = {
	{ 0x00000000, 0x40000000, 0x10000000 },
	{ 0x20000000, 0x50000000, 0x08000000 },
	{ 0x30000000, 0x58000000, 0x04000000 },
};

/* opal_fadump_mem_struct (mpipl.md 5.2) in either byte order. */
static void build_meta(uint8_t raw[KERNEL_META_SIZE], bool be, uint8_t version, uint16_t cnt,
		       uint16_t reg, uint64_t hdr, const struct fadump_region *r, unsigned n)
{
	memset(raw, 0, KERNEL_META_SIZE);
	raw[0] = version;
	put_u16(raw + 4, cnt, be);
	put_u16(raw + 6, reg, be);
	put_u64(raw + 8, hdr, be);
	for (unsigned i = 0; i < n; i++) {
		put_u64(raw + 16 + 24 * i, r[i].src, be);
		put_u64(raw + 24 + 24 * i, r[i].dest, be);
		put_u64(raw + 32 + 24 * i, r[i].size, be);
	}
}

static void check_three(const struct kernel_meta *m)
{
	cr_assert_eq(m->version, 1);
	cr_assert_eq(m->region_cnt, 3);
	cr_assert_eq(m->registered_regions, 3);
	cr_assert_eq(m->fadumphdr_addr, 0x5C000000ULL);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(m->rgn[i].src, three[i].src, "region %d", i);
		cr_assert_eq(m->rgn[i].dest, three[i].dest, "region %d", i);
		cr_assert_eq(m->rgn[i].size, three[i].size, "region %d", i);
	}
	cr_assert_eq(m->rgn[3].size, 0);
}

Test(kernel_meta, big_endian)
{
	static uint8_t raw[KERNEL_META_SIZE];
	struct kernel_meta m;
	struct findings f = { 0 };
	struct mp_err err = { 0 };

	build_meta(raw, true, 1, 3, 3, 0x5C000000, three, 3);
	/* Spot-check the builder against the spec layout: region 1 src at 16 + 24. */
	cr_assert_eq(raw[16 + 24 + 4], 0x20);
	cr_assert_eq(kernel_meta_decode(raw, 0x5C001000, &m, &f, &err), 0, "%s", err.msg);
	cr_assert_eq(m.addr, 0x5C001000ULL);
	cr_assert_not(m.native_le);
	check_three(&m);
	cr_assert_eq(f.n, 0);
}

Test(kernel_meta, pre_2022_little_endian)
{
	static uint8_t raw[KERNEL_META_SIZE];
	struct kernel_meta m;
	struct findings f = { 0 };
	struct mp_err err = { 0 };

	build_meta(raw, false, 1, 3, 3, 0x5C000000, three, 3);
	cr_assert_eq(kernel_meta_decode(raw, 0, &m, &f, &err), 0, "%s", err.msg);
	cr_assert(m.native_le);
	check_three(&m);
	cr_assert(has_finding(&f, "kernel-meta-native-le"));
	findings_free(&f);
}

Test(kernel_meta, region_cnt_over_128_rejected)
{
	static uint8_t raw[KERNEL_META_SIZE];
	struct kernel_meta m;
	struct findings f = { 0 };
	struct mp_err err = { 0 };

	build_meta(raw, true, 1, 129, 129, 0, three, 3);
	cr_assert_eq(kernel_meta_decode(raw, 0x1000, &m, &f, &err), -1);
	cr_assert_eq(err.status, MP_EINPUT);
	assert_msg_has(err.msg, "region_cnt 129");
	assert_msg_has(err.msg, "0x1000");
	build_meta(raw, true, 1, 0xFFFF, 1, 0, three, 3);
	cr_assert_eq(kernel_meta_decode(raw, 0x1000, &m, &f, &err), -1);
	assert_msg_has(err.msg, "region_cnt 65535");
	build_meta(raw, true, 1, 128, 128, 0, three, 3);
	cr_assert_eq(kernel_meta_decode(raw, 0x1000, &m, &f, &err), 0, "128 is the maximum");
	findings_free(&f);
}

Test(kernel_meta, registration_findings)
{
	static uint8_t raw[KERNEL_META_SIZE];
	struct kernel_meta m;
	struct findings f = { 0 };
	struct mp_err err = { 0 };

	build_meta(raw, true, 1, 3, 0, 0, three, 3);
	cr_assert_eq(kernel_meta_decode(raw, 0, &m, &f, &err), 0);
	cr_assert_not(m.native_le);
	cr_assert(has_finding(&f, "kernel-not-registered"));
	cr_assert_not(has_finding(&f, "regions-not-all-saved"));
	findings_free(&f);

	build_meta(raw, true, 1, 3, 2, 0, three, 3);
	cr_assert_eq(kernel_meta_decode(raw, 0, &m, &f, &err), 0);
	cr_assert(has_finding(&f, "regions-not-all-saved"));
	cr_assert_not(has_finding(&f, "kernel-not-registered"));
	findings_free(&f);

	build_meta(raw, true, 2, 3, 3, 0, three, 3);
	cr_assert_eq(kernel_meta_decode(raw, 0, &m, &f, &err), 0);
	cr_assert(has_finding(&f, "kernel-meta-version"));
	cr_assert_eq(m.version, 2);
	findings_free(&f);
}

Test(fadump_config, three_regions_with_gaps)
{
	static uint8_t raw[KERNEL_META_SIZE];
	struct kernel_meta m;
	struct fadump_config c;
	struct findings f = { 0 };
	struct mp_err err = { 0 };

	build_meta(raw, true, 1, 3, 2, 0x5C000000, three, 3);
	cr_assert_eq(kernel_meta_decode(raw, 0, &m, &f, &err), 0);
	cr_assert_eq(fadump_config_derive(&m, &c, &err), 0, "%s", err.msg);
	/* By hand (mpipl.md 6.2), over all region_cnt regions, registered or not. */
	cr_assert_eq(c.dest_base, 0x40000000ULL);
	cr_assert_eq(c.boot_mem_size, 0x10000000ULL + 0x08000000 + 0x04000000);
	cr_assert_eq(c.hole, (0x20000000ULL - 0x10000000) + (0x30000000 - 0x28000000));
	cr_assert_eq(c.boot_mem_top, 0x34000000ULL);
	findings_free(&f);
}

Test(fadump_config, leading_hole_and_errors)
{
	struct kernel_meta m = { .region_cnt = 2 };
	struct fadump_config c;
	struct mp_err err = { 0 };

	m.rgn[0] = (struct fadump_region){ 0x1000000, 0x80000000, 0x1000000 };
	m.rgn[1] = (struct fadump_region){ 0x4000000, 0x81000000, 0x2000000 };
	cr_assert_eq(fadump_config_derive(&m, &c, &err), 0);
	cr_assert_eq(c.hole, 0x1000000ULL + 0x2000000);
	cr_assert_eq(c.boot_mem_size, 0x3000000ULL);
	cr_assert_eq(c.boot_mem_top, 0x6000000ULL);

	m.region_cnt = 0;
	cr_assert_eq(fadump_config_derive(&m, &c, &err), -1);
	assert_msg_has(err.msg, "no regions");
	m.region_cnt = 2;
	m.rgn[1].src = 0x1800000; /* starts inside region 0 */
	cr_assert_eq(fadump_config_derive(&m, &c, &err), -1);
	assert_msg_has(err.msg, "region 1");
	m.rgn[1] = (struct fadump_region){ 0xFFFFFFFFFFFFF000ULL, 0, 0x2000 };
	cr_assert_eq(fadump_config_derive(&m, &c, &err), -1);
	assert_msg_has(err.msg, "overflows");
}

Test(kernel_meta, read_from_guest)
{
	static uint8_t raw[KERNEL_META_SIZE];
	struct guest_mem *gm = b_gm();
	struct kernel_meta m;
	struct findings f = { 0 };
	struct mp_err err = { 0 };

	b_add_zero(gm, 0, MiB);
	build_meta(raw, true, 1, 3, 3, 0x5C000000, three, 3);
	b_write(gm, 0x8000, raw, sizeof(raw));
	cr_assert_eq(kernel_meta_read(gm, 0x8000, &m, &f, &err), 0, "%s", err.msg);
	check_three(&m);
	cr_assert_eq(kernel_meta_read(gm, MiB - 3000, &m, &f, &err), -1);
	assert_msg_has(err.msg, "kernel metadata (KERNEL tag) at 0xff448");
	gm_free(gm);
	findings_free(&f);
}

/* FADMPSIG header (mpipl.md 6.1); magic bytes written as stored. */
static const uint8_t sig_le[8] = { 0x47, 0x49, 0x53, 0x50, 0x4D, 0x44, 0x41, 0x46 };
static const uint8_t sig_be[8] = { 'F', 'A', 'D', 'M', 'P', 'S', 'I', 'G' };
static const uint8_t inf_le[8] = { 'F', 'N', 'I', 'P', 'M', 'D', 'A', 'F' };

static size_t build_sig(uint8_t *buf, bool be, uint32_t ptregs, uint32_t mask)
{
	size_t len = 40 + ptregs + mask;

	memset(buf, 0, len);
	memcpy(buf, be ? sig_be : sig_le, 8);
	put_u32(buf + 8, 1, be);
	put_u32(buf + 12, 4, be);
	put_u64(buf + 16, 0x5BFF0000ULL, be);
	put_u64(buf + 24, 0x10024, be);
	put_u32(buf + 32, ptregs, be);
	put_u32(buf + 36, mask, be);
	for (uint32_t i = 0; i < ptregs / 8; i++)
		put_u64(buf + 40 + 8 * i, 0x1111000000000000ULL + i, be);
	buf[40 + ptregs] = 0x11; /* cpu mask: CPUs 0 and 4 */
	return len;
}

static void check_sig(const struct crash_info *ci, bool be)
{
	cr_assert_eq(ci->kind, CRASH_HDR_SIG);
	cr_assert_eq(ci->big_endian, be);
	cr_assert_eq(ci->version, 1);
	cr_assert_eq(ci->crashing_cpu, 4);
	cr_assert_eq(ci->vmcoreinfo_raddr, 0x5BFF0000ULL);
	cr_assert_eq(ci->vmcoreinfo_size, 0x10024);
	cr_assert_eq(ci->pt_regs_sz, 384);
	cr_assert_eq(ci->cpu_mask_sz, 8);
	cr_assert_eq(ci->regs_off, 40);
	cr_assert_eq(ci->header_size, 0x1B0, "as in the real 6.12 dump");
	for (unsigned i = 0; i < 48; i++)
		cr_assert_eq(ci->regs[i], 0x1111000000000000ULL + i, "reg %u", i);
}

Test(crashinfo, fadmpsig_le_and_be)
{
	uint8_t buf[512];
	struct crash_info ci;
	struct mp_err err = { 0 };
	size_t len = build_sig(buf, false, 384, 8);

	cr_assert_eq(crash_info_decode(buf, len, 0x5C000000, KERNEL_ENDIAN_AUTO, NULL, &ci, &err),
		     0, "%s", err.msg);
	check_sig(&ci, false);
	cr_assert_eq(ci.addr, 0x5C000000ULL);
	cr_assert_eq(crash_info_decode(buf, len, 0, KERNEL_ENDIAN_LE, NULL, &ci, &err), 0);
	len = build_sig(buf, true, 384, 8);
	cr_assert_eq(crash_info_decode(buf, len, 0, KERNEL_ENDIAN_AUTO, NULL, &ci, &err), 0);
	check_sig(&ci, true);
	cr_assert_eq(crash_info_decode(buf, len, 0, KERNEL_ENDIAN_BE, NULL, &ci, &err), 0);
}

Test(crashinfo, kernel_messages)
{
	uint8_t buf[512];
	struct crash_info ci;
	struct mp_err err = { 0 };
	size_t len = build_sig(buf, true, 384, 8);

	/* A big-endian header when a little-endian kernel is expected: swapped magic. */
	cr_assert_eq(crash_info_decode(buf, len, 0x5C000000, KERNEL_ENDIAN_LE, NULL, &ci, &err),
		     -1);
	assert_msg_has(err.msg, "Endianness mismatch between the crashed and fadump kernels");
	assert_msg_has(err.msg, "0x5c000000");
	len = build_sig(buf, false, 384, 8);
	cr_assert_eq(crash_info_decode(buf, len, 0, KERNEL_ENDIAN_BE, NULL, &ci, &err), -1);
	assert_msg_has(err.msg, "Endianness mismatch");
	buf[3] ^= 0x20;
	cr_assert_eq(crash_info_decode(buf, len, 0, KERNEL_ENDIAN_AUTO, NULL, &ci, &err), -1);
	assert_msg_has(err.msg, "Fadump header is corrupted");
	memset(buf, 0, 8);
	cr_assert_eq(crash_info_decode(buf, len, 0, KERNEL_ENDIAN_AUTO, NULL, &ci, &err), -1);
	assert_msg_has(err.msg, "Fadump header is corrupted");
}

Test(crashinfo, implausible_sizes)
{
	static const struct {
		uint32_t ptregs, mask;
	} bad[] = { { 0, 8 }, { 388, 8 }, { 4104, 8 }, { 384, 0 }, { 384, 8200 } };
	static uint8_t buf[40 + 4104 + 8200];
	struct crash_info ci;
	struct mp_err err = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = build_sig(buf, false, bad[i].ptregs, bad[i].mask);

		cr_assert_eq(crash_info_decode(buf, len, 0, KERNEL_ENDIAN_AUTO, NULL, &ci, &err), -1,
			     "pt_regs_sz %u cpu_mask_sz %u", bad[i].ptregs, bad[i].mask);
		assert_msg_has(err.msg, "Fadump header size mismatch");
	}
	/* The largest plausible sizes, and a future 416-byte pt_regs. */
	cr_assert_eq(crash_info_decode(buf, build_sig(buf, false, 4096, 8192), 0,
				       KERNEL_ENDIAN_AUTO, NULL, &ci, &err),
		     0, "%s", err.msg);
	cr_assert_eq(ci.header_size, 40 + 4096 + 8192);
	cr_assert_eq(ci.regs[47], 0x1111000000000000ULL + 47);
	cr_assert_eq(crash_info_decode(buf, build_sig(buf, false, 416, 8), 0, KERNEL_ENDIAN_AUTO,
				       NULL, &ci, &err),
		     0);
	cr_assert_eq(ci.header_size, 40 + 416 + 8);
}

Test(crashinfo, short_buffers)
{
	uint8_t buf[512];
	struct crash_info ci;
	struct mp_err err = { 0 };

	build_sig(buf, false, 384, 8);
	cr_assert_eq(crash_info_decode(buf, 39, 0, KERNEL_ENDIAN_AUTO, NULL, &ci, &err), -1);
	assert_msg_has(err.msg, "only 39 bytes");
	cr_assert_eq(crash_info_decode(buf, 40 + 383, 0, KERNEL_ENDIAN_AUTO, NULL, &ci, &err), -1);
	assert_msg_has(err.msg, "pt_regs (384 bytes) run past the 423 bytes");
	cr_assert_eq(crash_info_decode(buf, 40 + 384, 0, KERNEL_ENDIAN_AUTO, NULL, &ci, &err), 0,
		     "the cpu mask is not needed to decode");
}

Test(crashinfo, legacy_fadmpinf)
{
	uint8_t buf[24 + 416 + 16];
	struct crash_info ci;
	struct crash_info_legacy_sizes ls = { 416, 16 };
	struct mp_err err = { 0 };

	/* FADMPINF (before 6.10): magic, elfcorehdr_addr, crashing_cpu, pad, regs at 24. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, inf_le, 8);
	put_le64(buf + 8, 0x5D000000ULL);
	put_le32(buf + 16, 0xFFFFFFFF);
	for (int i = 0; i < 52; i++)
		put_le64(buf + 24 + 8 * i, 0x2222000000000000ULL + (uint64_t)i);
	cr_assert_eq(crash_info_decode(buf, sizeof(buf), 0, KERNEL_ENDIAN_AUTO, NULL, &ci, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(ci.kind, CRASH_HDR_INF);
	cr_assert_not(ci.big_endian);
	cr_assert_eq(ci.elfcorehdr_addr, 0x5D000000ULL);
	cr_assert_eq(ci.crashing_cpu, CRASHING_CPU_UNKNOWN);
	cr_assert_eq(ci.pt_regs_sz, 384, "default without --ptregs-size");
	cr_assert_eq(ci.cpu_mask_sz, 8);
	cr_assert_eq(ci.regs_off, 24);
	cr_assert_eq(ci.header_size, 24 + 384 + 8);
	cr_assert_eq(ci.regs[0], 0x2222000000000000ULL);
	cr_assert_eq(ci.regs[37], 0x2222000000000000ULL + 37);
	cr_assert_eq(crash_info_decode(buf, sizeof(buf), 0, KERNEL_ENDIAN_AUTO, &ls, &ci, &err), 0);
	cr_assert_eq(ci.pt_regs_sz, 416);
	cr_assert_eq(ci.header_size, 24 + 416 + 16);
	cr_assert_eq(ci.regs[47], 0x2222000000000000ULL + 47, "only 48 slots are kept");
}

Test(crashinfo, read_from_guest)
{
	uint8_t buf[512];
	struct guest_mem *gm = b_gm();
	struct crash_info ci;
	struct mp_err err = { 0 };
	size_t len = build_sig(buf, false, 384, 8);

	b_add_zero(gm, 0x10000, 64 * KiB);
	b_write(gm, 0x10000 + 64 * KiB - 424, buf, 424); /* the mask lies past RAM */
	cr_assert_eq(crash_info_read(gm, 0x10000 + 64 * KiB - 424, KERNEL_ENDIAN_AUTO, NULL, &ci,
				     &err),
		     0, "%s", err.msg);
	check_sig(&ci, false);
	b_write(gm, 0x10000, buf, len);
	cr_assert_eq(crash_info_read(gm, 0x10000, KERNEL_ENDIAN_AUTO, NULL, &ci, &err), 0);
	cr_assert_eq(crash_info_read(gm, 0x30000, KERNEL_ENDIAN_AUTO, NULL, &ci, &err), -1);
	assert_msg_has(err.msg, "test.img");
	assert_msg_has(err.msg, "0x30000");
	assert_msg_has(err.msg, "outside guest RAM");
	b_write(gm, 0x10000 + 64 * KiB - 100, buf, 100);
	cr_assert_eq(crash_info_read(gm, 0x10000 + 64 * KiB - 100, KERNEL_ENDIAN_AUTO, NULL, &ci,
				     &err),
		     -1);
	assert_msg_has(err.msg, "run past the 100 bytes");
	gm_free(gm);
}
