/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The crashed kernel's VMCOREINFO: the KEY=VALUE text (OSRELEASE=,
 * PAGESIZE=, SYMBOL(name)=, OFFSET(type.member)=, ...) that Linux keeps in
 * RAM for dump tools. Taken from the fadump crash info header when there is
 * one, else found by scanning guest RAM, or given by hand (--vmcoreinfo).
 */
#ifndef MPIPL_LINUX_VMCOREINFO_H
#define MPIPL_LINUX_VMCOREINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../mpipl/crashinfo.h"
#include "../util/findings.h"
#include "../guestmem/guest_mem.h"

/* Largest VMCOREINFO text we take: one page of the largest ppc64 page size (64 KiB). */
#define VMCI_TEXT_MAX 65536u
/* new_utsname: six fields of __NEW_UTS_LEN + 1 = 65 bytes (include/uapi/linux/utsname.h). */
#define UTS_FIELD_LEN 65u

enum vmci_source {
	VMCI_NONE,
	VMCI_CRASH_HEADER, /* the note at the fadump crash info header's vmcoreinfo_raddr */
	VMCI_RAM,          /* found by scanning guest RAM */
	VMCI_FILE,         /* --vmcoreinfo=FILE */
};

struct vmcoreinfo {
	char *text; /* NUL-terminated */
	size_t len;
	enum vmci_source source;
	uint64_t addr;    /* guest-physical address of the text (RAM, crash header) */
	bool note_form;   /* inside an ELF note (the kernel's vmcoreinfo_note) */
	bool validated;   /* init_uts_ns holds the same release as OSRELEASE= */
	bool big_endian;  /* the kernel's byte order, as far as memory tells */
	uint64_t page_size;                 /* PAGESIZE= when sane, else 0 */
	char release[UTS_FIELD_LEN + 1];    /* OSRELEASE= */
	char version[UTS_FIELD_LEN + 1];    /* init_uts_ns version ("#1 SMP ..."), when read */
	char machine[UTS_FIELD_LEN + 1];    /* init_uts_ns machine, when read */
	uint64_t candidates; /* RAM scan: pages that looked like VMCOREINFO */
	uint64_t scanned;    /* RAM scan: bytes read */
};

void vmci_free(struct vmcoreinfo *vi);

/* Take a copy of text (up to its first NUL) and parse OSRELEASE= and PAGESIZE=. */
int vmci_from_text(const char *text, size_t len, enum vmci_source src, uint64_t addr,
		   struct vmcoreinfo *vi, struct mp_err *err);

/* Value of KEY= (NUL-terminated into out); -1 when absent or longer than outlen - 1. */
int vmci_get(const struct vmcoreinfo *vi, const char *key, char *out, size_t outlen);

/* SYMBOL(name)= as an address (hex without 0x, as the kernel prints it). */
int vmci_symbol(const struct vmcoreinfo *vi, const char *name, uint64_t *va);

/* A decimal OFFSET(...)=, SIZE(...)=, LENGTH(...)= or NUMBER(...)= value (full key). */
int vmci_number(const struct vmcoreinfo *vi, const char *key, int64_t *v);

/* --vmcoreinfo=FILE: the text, or an ELF note named VMCOREINFO holding it. */
int vmci_load_file(const char *path, struct vmcoreinfo *vi, struct mp_err *err);

/* The ELF note at guest-physical pa (as the crash info header points to it). */
int vmci_read_note(struct guest_mem *gm, uint64_t pa, uint64_t size, struct vmcoreinfo *vi,
		   struct mp_err *err);

/*
 * Scan guest RAM, lowest addresses first, for the kernel's VMCOREINFO page
 * (bare text or its ELF note). The first candidate that validates wins, else
 * the first candidate. MP_ENOTFOUND when RAM holds none.
 */
int vmci_scan_ram(struct guest_mem *gm, struct vmcoreinfo *vi, struct mp_err *err);

/* Check init_uts_ns against OSRELEASE= and guess the byte order (sets validated). */
void vmci_validate(struct guest_mem *gm, struct vmcoreinfo *vi);

/*
 * The VMCOREINFO of the crashed kernel: file when given, else the crash info
 * header's note (ci may be NULL), else a RAM scan. MP_ENOTFOUND when none.
 * Findings say what was odd (a note that does not validate, absurd fields).
 */
int vmci_locate(struct guest_mem *gm, const struct crash_info *ci, const char *file,
		struct vmcoreinfo *vi, struct findings *f, struct mp_err *err);

const char *vmci_source_name(enum vmci_source s);

#endif
