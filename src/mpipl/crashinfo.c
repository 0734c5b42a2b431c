// SPDX-License-Identifier: GPL-2.0-or-later
#include "crashinfo.h"

#include <string.h>

#include "../util/bytes.h"

/* Bytes we read: the fixed part plus the largest plausible pt_regs. */
#define CRASH_INFO_READ (40u + PT_REGS_MAX)
#define SIG_FIXED 40u /* FADMPSIG: magic..cpu_mask_sz */
#define INF_FIXED 24u /* FADMPINF: magic, elfcorehdr_addr, crashing_cpu, pad */

static int magic_order(uint64_t le_value, enum kernel_endian want, bool *big_endian,
		       enum crash_hdr_kind *kind, uint64_t addr, struct mp_err *err)
{
	uint64_t be_value = __builtin_bswap64(le_value);
	bool is_le = le_value == FADUMP_MAGIC_SIG || le_value == FADUMP_MAGIC_INF;
	bool is_be = be_value == FADUMP_MAGIC_SIG || be_value == FADUMP_MAGIC_INF;

	if (!is_le && !is_be)
		return mp_fail(err, MP_EINPUT,
			       "crash info header at 0x%llx: magic 0x%016llx is neither FADMPSIG nor "
			       "FADMPINF: \"Fadump header is corrupted\", no vmcore",
			       (unsigned long long)addr, (unsigned long long)be_value);
	if ((want == KERNEL_ENDIAN_LE && !is_le) || (want == KERNEL_ENDIAN_BE && !is_be))
		return mp_fail(err, MP_EINPUT,
			       "crash info header at 0x%llx: byte-swapped magic: \"Endianness "
			       "mismatch between the crashed and fadump kernels\", no vmcore",
			       (unsigned long long)addr);
	*big_endian = is_be;
	*kind = (is_be ? be_value : le_value) == FADUMP_MAGIC_SIG ? CRASH_HDR_SIG : CRASH_HDR_INF;
	return 0;
}

static int check_sizes(const struct crash_info *ci, struct mp_err *err)
{
	if (ci->pt_regs_sz == 0 || ci->pt_regs_sz % 8 || ci->pt_regs_sz > PT_REGS_MAX ||
	    ci->cpu_mask_sz == 0 || ci->cpu_mask_sz > CPU_MASK_MAX)
		return mp_fail(err, MP_EINPUT,
			       "crash info header at 0x%llx: pt_regs_sz %u / cpu_mask_sz %u are not "
			       "plausible: \"Fadump header size mismatch\", no vmcore",
			       (unsigned long long)ci->addr, ci->pt_regs_sz, ci->cpu_mask_sz);
	return 0;
}

static void decode_regs(const uint8_t *p, struct crash_info *ci)
{
	unsigned n = ci->pt_regs_sz / 8 < PT_REGS_SLOTS ? ci->pt_regs_sz / 8 : PT_REGS_SLOTS;

	memset(ci->regs, 0, sizeof(ci->regs));
	for (unsigned i = 0; i < n; i++)
		ci->regs[i] = get_u64(p + 8 * i, ci->big_endian);
}

int crash_info_decode(const uint8_t *buf, size_t len, uint64_t addr, enum kernel_endian want,
		      const struct crash_info_legacy_sizes *legacy, struct crash_info *ci,
		      struct mp_err *err)
{
	bool be;

	memset(ci, 0, sizeof(*ci));
	ci->addr = addr;
	if (len < SIG_FIXED)
		return mp_fail(err, MP_EINPUT, "crash info header at 0x%llx: only %zu bytes",
			       (unsigned long long)addr, len);
	if (magic_order(get_le64(buf), want, &ci->big_endian, &ci->kind, addr, err))
		return -1;
	be = ci->big_endian;
	if (ci->kind == CRASH_HDR_SIG) {
		ci->version = get_u32(buf + 8, be);
		ci->crashing_cpu = get_u32(buf + 12, be);
		ci->vmcoreinfo_raddr = get_u64(buf + 16, be);
		ci->vmcoreinfo_size = get_u64(buf + 24, be);
		ci->pt_regs_sz = get_u32(buf + 32, be);
		ci->cpu_mask_sz = get_u32(buf + 36, be);
		ci->regs_off = SIG_FIXED;
	} else {
		ci->elfcorehdr_addr = get_u64(buf + 8, be);
		ci->crashing_cpu = get_u32(buf + 16, be);
		ci->pt_regs_sz = legacy && legacy->pt_regs_sz ? legacy->pt_regs_sz
							      : LEGACY_PT_REGS_SIZE;
		ci->cpu_mask_sz = legacy && legacy->cpu_mask_sz ? legacy->cpu_mask_sz : 8;
		ci->regs_off = INF_FIXED;
	}
	if (check_sizes(ci, err))
		return -1;
	ci->header_size = ci->regs_off + ci->pt_regs_sz + ci->cpu_mask_sz;
	if (len < (size_t)ci->regs_off + ci->pt_regs_sz)
		return mp_fail(err, MP_EINPUT,
			       "crash info header at 0x%llx: pt_regs (%u bytes) run past the %zu "
			       "bytes available",
			       (unsigned long long)addr, ci->pt_regs_sz, len);
	decode_regs(buf + ci->regs_off, ci);
	return 0;
}

int crash_info_read(struct guest_mem *gm, uint64_t addr, enum kernel_endian want,
		    const struct crash_info_legacy_sizes *legacy, struct crash_info *ci,
		    struct mp_err *err)
{
	uint8_t buf[CRASH_INFO_READ];
	uint64_t run = gm_ram_run(gm, addr);
	size_t len = run < sizeof(buf) ? (size_t)run : sizeof(buf);

	if (len < SIG_FIXED)
		return mp_fail(err, MP_EINPUT,
			       "%s: crash info header at 0x%llx (fadumphdr_addr) is outside guest RAM",
			       gm->path, (unsigned long long)addr);
	if (gm_read(gm, addr, buf, len, err))
		return -1;
	return crash_info_decode(buf, len, addr, want, legacy, ci, err);
}
