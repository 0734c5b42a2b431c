/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ELF64 facts mpiplctl reads (dump-guest-memory cores) and writes
 * (vmcores), declared once. Values are <elf.h>'s (System V gABI, Linux's
 * include/uapi/linux/elf.h), spelled out so that files that parse either byte
 * order by hand need not include <elf.h>, and so that a file that does include
 * it sees no clash.
 */
#ifndef MPIPL_FORMAT_ELF64_H
#define MPIPL_FORMAT_ELF64_H

/* Structure sizes: Elf64_Ehdr, Elf64_Phdr, Elf64_Shdr, Elf64_Nhdr (3 words). */
#define ELF_EHDR_SIZE 64u
#define ELF_PHDR_SIZE 56u
#define ELF_SHDR_SIZE 64u
#define ELF_NHDR_SIZE 12u

/* e_ident[EI_CLASS], e_ident[EI_DATA], e_type, e_machine. */
#define ELFCLASS64_VALUE 2
#define ELFDATA2LSB_VALUE 1
#define ELFDATA2MSB_VALUE 2
#define ET_CORE_VALUE 4
#define EM_PPC64_VALUE 21

/* p_type values, and e_phnum's escape to sh_info of section 0 (PN_XNUM). */
#define PT_NULL_VALUE 0
#define PT_LOAD_VALUE 1
#define PT_NOTE_VALUE 4
#define PN_XNUM_VALUE 0xFFFFu

/* Note type of a CORE note holding struct elf_prstatus. */
#define NT_PRSTATUS_VALUE 1

/*
 * ppc64 struct elf_prstatus (Linux, and QEMU's [target/ppc/arch_dump.c]):
 * 504 bytes, pr_pid at 32, pr_reg (ELF_NGREG = 48 u64 slots, of which QEMU's
 * PPCUserRegStruct fills 44) at 112. One note: 12-byte header, "CORE\0"
 * padded to 8, the descriptor.
 */
#define PRSTATUS_DESC_SIZE 504u
#define PRSTATUS_NOTE_SIZE (ELF_NHDR_SIZE + 8u + PRSTATUS_DESC_SIZE)
#define PRSTATUS_PID_OFF 32u
#define PRSTATUS_PR_REG_OFF 112u
#define PRSTATUS_NREG_QEMU 44u

/*
 * Linux maps all of physical memory at this kernel virtual address on ppc64
 * (PAGE_OFFSET, arch/powerpc/include/asm/page.h): the p_vaddr of a vmcore's
 * PT_LOADs, and what a kernel pointer is translated from.
 */
#define PPC64_KERNEL_BASE 0xC000000000000000ULL

#endif
