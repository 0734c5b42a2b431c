// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every public header of src/ in one translation unit, with <elf.h>: no
 * macro, type or function is declared twice in two ways (the kdump flag
 * macros and the writer's enum once collided), and no on-disk constant
 * clashes with the system's. all_headers.h is made by the Makefile from the
 * headers present (PUBLIC_HDRS), so a new header joins by itself.
 */
#include <criterion/criterion.h>
#include <elf.h>

#include "all_headers.h"

/* The ELF facts of src/format/elf64.h against glibc's <elf.h>, a header we did not write. */
Test(headers, elf_facts_match_the_system)
{
	cr_assert_eq(ELF_EHDR_SIZE, sizeof(Elf64_Ehdr));
	cr_assert_eq(ELF_PHDR_SIZE, sizeof(Elf64_Phdr));
	cr_assert_eq(ELF_SHDR_SIZE, sizeof(Elf64_Shdr));
	cr_assert_eq(ELF_NHDR_SIZE, sizeof(Elf64_Nhdr));
	cr_assert_eq(ELFCLASS64_VALUE, ELFCLASS64);
	cr_assert_eq(ELFDATA2LSB_VALUE, ELFDATA2LSB);
	cr_assert_eq(ELFDATA2MSB_VALUE, ELFDATA2MSB);
	cr_assert_eq(ET_CORE_VALUE, ET_CORE);
	cr_assert_eq(EM_PPC64_VALUE, EM_PPC64);
	cr_assert_eq(PT_NULL_VALUE, PT_NULL);
	cr_assert_eq(PT_LOAD_VALUE, PT_LOAD);
	cr_assert_eq(PT_NOTE_VALUE, PT_NOTE);
	cr_assert_eq(PN_XNUM_VALUE, PN_XNUM);
	cr_assert_eq(NT_PRSTATUS_VALUE, NT_PRSTATUS);
}

/* The writer's compression choice and the on-disk flags are distinct names. */
Test(headers, kdump_choice_and_flags_coexist)
{
	cr_assert_eq(KDUMP_ZLIB, 1);
	cr_assert_eq(KDUMP_ZSTD, 2);
	cr_assert_eq(KDUMP_COMPRESSED_ZLIB, 0x1u); /* makedumpfile DUMP_DH_COMPRESSED_ZLIB */
	cr_assert_eq(KDUMP_COMPRESSED_ZSTD, 0x20u); /* DUMP_DH_COMPRESSED_ZSTD */
}
