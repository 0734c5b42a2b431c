/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The crashed kernel's own symbol table (kallsyms), read from RAM where
 * VMCOREINFO names its arrays (Linux 6.0+ exports kallsyms_names,
 * kallsyms_num_syms, kallsyms_token_table, kallsyms_token_index and
 * kallsyms_offsets + kallsyms_relative_base, or kallsyms_addresses).
 *
 * Layout facts (scripts/kallsyms.c output, kernel/kallsyms.c reader): each
 * name is a length (one byte, or two when the first has bit 7 set, Linux
 * 6.1+) then that many token bytes; each token expands through
 * token_index[] (u16 offsets) into token_table (NUL-terminated strings); the
 * first expanded character is the symbol type. Addresses are sorted; with
 * base-relative tables an address is relative_base + (u32)offsets[i].
 */
#ifndef MPIPL_LINUX_KALLSYMS_H
#define MPIPL_LINUX_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmem.h"
#include "vmcoreinfo.h"

/* More symbols than any kernel has (a distribution kernel has ~200k with modules' none). */
#define KALLSYMS_MAX_SYMS (4u << 20)
/* Longest expanded symbol name we keep (KSYM_NAME_LEN is 512 since Linux 6.1). */
#define KSYM_NAME_MAX 512u

struct kallsyms {
	uint32_t num;          /* symbols with both an address and a decoded name */
	uint32_t num_declared; /* kallsyms_num_syms */
	uint64_t *addr;        /* num addresses, ascending */
	uint32_t *name_off;    /* offset of each compressed name in names */
	uint8_t *names;
	size_t names_len;
	char *tokens;          /* token_table as read */
	size_t tokens_len;
	uint16_t token_index[256];
	bool cut;              /* tables cut short: num < num_declared */
};

/*
 * Load the tables. Fails (MP_ENOTFOUND) when VMCOREINFO names none,
 * (MP_EINPUT) when they are unreadable; a table cut short is loaded as far as
 * it goes, with cut set.
 */
int kallsyms_load(struct kallsyms *ks, const struct kmem *k, const struct vmcoreinfo *vi,
		  struct mp_err *err);
void kallsyms_free(struct kallsyms *ks);

/* The name (and type letter) of symbol i; -1 when it cannot be decoded. */
int kallsyms_name(const struct kallsyms *ks, uint32_t i, char *name, size_t len, char *type);

/* Address of the first symbol called name; -1 when absent. */
int kallsyms_lookup(const struct kallsyms *ks, const char *name, uint64_t *addr);

/*
 * "name+0xoff/0xsize" as the kernel prints %pS; -1 when addr is below the
 * first symbol or at or past the last one (no size is known there).
 */
int kallsyms_symbolize(const struct kallsyms *ks, uint64_t addr, char *out, size_t len);

#endif
