/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fadump crash info header the crashing kernel writes at fadumphdr_addr
 * (mpipl.md 6.1), in the kernel's own byte order: FADMPSIG (Linux 6.10+,
 * self-describing sizes) or the legacy FADMPINF.
 */
#ifndef MPIPL_MPIPL_CRASHINFO_H
#define MPIPL_MPIPL_CRASHINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/findings.h"
#include "../guestmem/guest_mem.h"

/* "FADMPSIG" and "FADMPINF" as native u64 values. */
#define FADUMP_MAGIC_SIG 0x4641444D50534947ULL
#define FADUMP_MAGIC_INF 0x4641444D50494E46ULL

#define CRASHING_CPU_UNKNOWN 0xFFFFFFFFu
#define PT_REGS_MAX 4096u   /* largest plausible pt_regs */
#define CPU_MASK_MAX 8192u  /* largest plausible cpu mask */
#define PT_REGS_SLOTS 48u   /* longs of pt_regs that reach NT_PRSTATUS */
#define LEGACY_PT_REGS_SIZE 384u /* ppc64 sizeof(struct pt_regs), Linux 5.x-6.x */

enum crash_hdr_kind {
	CRASH_HDR_SIG, /* FADMPSIG: version field, sizes in the header */
	CRASH_HDR_INF, /* FADMPINF: legacy, elfcorehdr prepared by the first kernel */
};

/* Which byte order the caller expects the kernel to use. */
enum kernel_endian {
	KERNEL_ENDIAN_AUTO, /* from the magic */
	KERNEL_ENDIAN_LE,
	KERNEL_ENDIAN_BE,
};

struct crash_info {
	uint64_t addr;
	enum crash_hdr_kind kind;
	bool big_endian;
	uint32_t version;           /* FADMPSIG only */
	uint32_t crashing_cpu;
	uint64_t vmcoreinfo_raddr;  /* FADMPSIG only */
	uint64_t vmcoreinfo_size;   /* FADMPSIG only */
	uint64_t elfcorehdr_addr;   /* FADMPINF only */
	uint32_t pt_regs_sz;
	uint32_t cpu_mask_sz;
	uint32_t regs_off;          /* offset of pt_regs in the header */
	uint32_t header_size;       /* sizeof(fdh) for the reserved-area end */
	uint64_t regs[PT_REGS_SLOTS]; /* first min(R/8, 48) longs, rest zero */
};

/* Sizes the legacy header does not record (--ptregs-size, --nr-cpus). */
struct crash_info_legacy_sizes {
	uint32_t pt_regs_sz;
	uint32_t cpu_mask_sz;
};

/*
 * Decode the header from buf (len bytes read at addr). Fails, with the
 * capture kernel's reason, on a wrong or byte-swapped magic, or implausible
 * sizes: the cases where the kernel exports no vmcore.
 */
int crash_info_decode(const uint8_t *buf, size_t len, uint64_t addr, enum kernel_endian want,
		      const struct crash_info_legacy_sizes *legacy, struct crash_info *ci,
		      struct mp_err *err);

int crash_info_read(struct guest_mem *gm, uint64_t addr, enum kernel_endian want,
		    const struct crash_info_legacy_sizes *legacy, struct crash_info *ci,
		    struct mp_err *err);

/* pt_regs slot names in NT_PRSTATUS order (mpipl.md 6.5). */
enum {
	PTREG_NIP = 32,
	PTREG_MSR = 33,
	PTREG_ORIG_GPR3 = 34,
	PTREG_CTR = 35,
	PTREG_LINK = 36,
	PTREG_XER = 37,
	PTREG_CCR = 38,
	PTREG_SOFTE = 39,
	PTREG_TRAP = 40,
	PTREG_DAR = 41,
	PTREG_DSISR = 42,
};

#endif
