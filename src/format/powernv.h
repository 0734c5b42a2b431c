/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PowerNV guest-physical addresses QEMU fixes, declared once for the readers
 * that place or recognise them.
 */
#ifndef MPIPL_FORMAT_POWERNV_H
#define MPIPL_FORMAT_POWERNV_H

/*
 * HOMER RAM blocks, QEMU 10.0+: one 4 MiB block per chip from the machine's
 * base ([include/hw/ppc/pnv.h] PNV*_HOMER_BASE and PNV_HOMER_SIZE;
 * qemu-inputs.md 5.1). POWER11 reuses the POWER10 chip model and its base.
 */
#define PNV_HOMER_SIZE 0x400000ull
#define PNV8_HOMER_BASE 0x7ffd800000ull
#define PNV9_HOMER_BASE 0x203ffd800000ull
#define PNV10_HOMER_BASE 0x300ffd800000ull

#endif
