/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names of register save entries (mpipl.md 4.4) and of pt_regs slots (mpipl.md 6.5). */
#ifndef MPIPL_MDST_REGNAME_H
#define MPIPL_MDST_REGNAME_H

#include <stddef.h>
#include <stdint.h>

/* "GPR5", "NIP", "CTR", "SPR 0x123", "type 0 num 66" into buf. */
const char *reg_name(uint32_t type, uint32_t num, char *buf, size_t len);

/* "gpr5", "nip", "msr", ... for a pt_regs slot 0..47. */
const char *ptreg_name(unsigned slot, char *buf, size_t len);

#endif
