/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vCPU that raised S0, as QEMU recorded it (mpipl.md 12): QEMU saves the
 * registers while that thread is still inside its stdcix to the SBE control
 * register, so its record holds NIP - 4 and an HMER without the bits the
 * xscom completion sets later. A state saved after S0 (a migration stream)
 * has the store retired; this rewinds it to the moment of S0.
 */
#ifndef MPIPL_MDST_S0CPU_H
#define MPIPL_MDST_S0CPU_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/findings.h"
#include "tables.h"

/* HMER bits QEMU's xscom completion sets after the S0 store (seen in the golden run). */
#define HMER_XSCOM_DONE_BITS 0x00C0070000000000ULL

/*
 * Index of the vCPU stopped just after its S0 store, or -1: the thread whose
 * PIR is skiboot's crashing_pir (skiboot's terminate path writes S0 from that
 * thread), in real mode, with a stdcix at NIP - 4, in a guest whose kernel
 * registered fadump (metadata KERNEL tag set).
 */
long s0_vcpu_find(struct guest_mem *gm, const struct mpipl_tables *t,
		  const struct vcpu_state *cpus, size_t ncpus);

/* cpu's state at the S0 interrupt (NIP - 4, HMER without the completion bits). */
void s0_vcpu_rewind(struct vcpu_state *cpu);

#endif
