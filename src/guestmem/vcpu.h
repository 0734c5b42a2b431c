/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state of one hardware thread (vCPU) as the inputs can tell it: from a
 * QEMU `cpu` vmstate, from an ELF NT_PRSTATUS note, or from --cpu-state JSON.
 */
#ifndef MPIPL_GUESTMEM_VCPU_H
#define MPIPL_GUESTMEM_VCPU_H

#include <stdbool.h>
#include <stdint.h>

/* Architected SPR numbers used by the register save area (mpipl.md 4.4). */
enum {
	SPRN_XER = 0x001,
	SPRN_LR = 0x008,
	SPRN_CTR = 0x009,
	SPRN_DSCR = 0x011,
	SPRN_DSISR = 0x012,
	SPRN_DAR = 0x013,
	SPRN_SRR0 = 0x01A,
	SPRN_SRR1 = 0x01B,
	SPRN_CFAR = 0x01C,
	SPRN_AMR = 0x01D,
	SPRN_ACOP = 0x01F,
	SPRN_CTRL = 0x098,
	SPRN_FSCR = 0x099,
	SPRN_DPDES = 0x0B0,
	SPRN_DAWR0 = 0x0B4,
	SPRN_DAWR1 = 0x0B5,
	SPRN_CIABR = 0x0BB,
	SPRN_DAWRX0 = 0x0BC,
	SPRN_DAWRX1 = 0x0BD,
	SPRN_HSRR0 = 0x13A,
	SPRN_HSRR1 = 0x13B,
	SPRN_HMER = 0x150,
	SPRN_HMEER = 0x151,
	SPRN_EBBHR = 0x324,
	SPRN_EBBRR = 0x325,
	SPRN_BESCR = 0x326,
	SPRN_DABR = 0x3F5,
	SPRN_DABRX = 0x3F7,
	SPRN_PIR = 0x3FF,
	SPRN_COUNT = 1024,
};

/* XER bits QEMU keeps outside env->xer: SO, OV, CA, OV32, CA32 (mpipl.md 12). */
#define XER_SPLIT_BITS 0xE00C0000ULL

/* Thread states of the HDAT register save header (Linux skips 0x0F). */
#define CORE_STATE_ACTIVE 0xFF
#define CORE_STATE_INACTIVE 0x0F

struct vcpu_state {
	uint32_t pir;
	uint8_t core_state;
	uint64_t gpr[32];
	uint64_t nip;
	uint64_t msr;
	uint64_t cr;
	uint64_t lr;  /* live values ...                                  */
	uint64_t ctr;
	uint64_t xer; /* architected XER, with SO/OV/CA folded in         */
	/*
	 * The SPR array as QEMU keeps it: slots for LR, CTR, XER and CFAR hold
	 * the value of the last migration save, not the live one (mpipl.md 12).
	 */
	uint64_t spr[SPRN_COUNT];
};

#endif
