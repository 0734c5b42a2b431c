// SPDX-License-Identifier: GPL-2.0-or-later
/* VMCOREINFO text: parsing, the note form, --vmcoreinfo=FILE, validation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmem.h"
#include "vmcoreinfo.h"
#include "../util/bytes.h"

/* ELF note header (namesz, descsz, type) and "VMCOREINFO\0" padded to 12 bytes. */
#define NOTE_HDR_SIZE 12u
#define VMCI_NOTE_NAME "VMCOREINFO"
#define VMCI_NOTE_NAMESZ 11u
#define VMCI_NOTE_DESC_OFF 24u
/* Offsets of the fields in struct new_utsname (six 65-byte strings). */
#define UTS_RELEASE_OFF (2 * UTS_FIELD_LEN)
#define UTS_VERSION_OFF (3 * UTS_FIELD_LEN)
#define UTS_MACHINE_OFF (4 * UTS_FIELD_LEN)
/* Largest page size we believe (ppc64 has 4 KiB and 64 KiB; 16 MiB is absurd already). */
#define PAGE_SIZE_MAX (1u << 24)

void vmci_free(struct vmcoreinfo *vi)
{
	free(vi->text);
	memset(vi, 0, sizeof(*vi));
}

const char *vmci_source_name(enum vmci_source s)
{
	switch (s) {
	case VMCI_CRASH_HEADER:
		return "crash-info-header";
	case VMCI_RAM:
		return "ram-scan";
	case VMCI_FILE:
		return "file";
	default:
		return "none";
	}
}

int vmci_get(const struct vmcoreinfo *vi, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);
	const char *p = vi->text, *end = vi->text ? vi->text + vi->len : NULL;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;

		if ((size_t)(line_end - p) > klen && !memcmp(p, key, klen) && p[klen] == '=') {
			size_t vlen = (size_t)(line_end - p) - klen - 1;

			if (vlen + 1 > outlen)
				return -1;
			memcpy(out, p + klen + 1, vlen);
			out[vlen] = '\0';
			return 0;
		}
		p = nl ? nl + 1 : end;
	}
	return -1;
}

int vmci_symbol(const struct vmcoreinfo *vi, const char *name, uint64_t *va)
{
	char key[128], value[32], *end;

	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	if (vmci_get(vi, key, value, sizeof(value)) || !value[0])
		return -1;
	errno = 0;
	*va = strtoull(value, &end, 16);
	return errno || *end ? -1 : 0;
}

int vmci_number(const struct vmcoreinfo *vi, const char *key, int64_t *v)
{
	char value[32], *end;

	if (vmci_get(vi, key, value, sizeof(value)) || !value[0])
		return -1;
	errno = 0;
	/* Base 0: NUMBER() values are decimal, a few (VMALLOC_START) 0x-prefixed hex. */
	*v = strtoll(value, &end, 0);
	return errno || *end ? -1 : 0;
}

static bool text_is_plausible(const char *t, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c != '\n' && (c < 0x20 || c > 0x7e))
			return false;
	}
	return len >= 10 && memcmp(t, "OSRELEASE=", 10) == 0;
}

int vmci_from_text(const char *text, size_t len, enum vmci_source src, uint64_t addr,
		   struct vmcoreinfo *vi, struct mp_err *err)
{
	const char *nul = memchr(text, '\0', len);
	char value[32], *end;

	memset(vi, 0, sizeof(*vi));
	if (nul)
		len = (size_t)(nul - text);
	if (len > VMCI_TEXT_MAX || !text_is_plausible(text, len))
		return mp_fail(err, MP_EINPUT,
			       "VMCOREINFO text does not start with OSRELEASE= or holds "
			       "non-text bytes");
	vi->text = mp_malloc(len + 1, err);
	if (!vi->text)
		return -1;
	memcpy(vi->text, text, len);
	vi->text[len] = '\0';
	vi->len = len;
	vi->source = src;
	vi->addr = addr;
	if (vmci_get(vi, "OSRELEASE", vi->release, sizeof(vi->release)))
		vi->release[0] = '\0';
	if (vmci_get(vi, "PAGESIZE", value, sizeof(value)) == 0) {
		unsigned long long p = strtoull(value, &end, 10);

		if (!*end && p >= 4096 && p <= PAGE_SIZE_MAX && (p & (p - 1)) == 0)
			vi->page_size = p;
	}
	return 0;
}

/* The text of an ELF note named VMCOREINFO in buf (either byte order), or NULL. */
static const char *note_text(const uint8_t *buf, size_t len, size_t *text_len)
{
	for (int be = 0; be < 2; be++) {
		uint32_t namesz, descsz;

		if (len < VMCI_NOTE_DESC_OFF)
			return NULL;
		namesz = get_u32(buf, be);
		descsz = get_u32(buf + 4, be);
		if (namesz != VMCI_NOTE_NAMESZ || memcmp(buf + NOTE_HDR_SIZE, VMCI_NOTE_NAME, 11))
			continue;
		if (descsz > len - VMCI_NOTE_DESC_OFF)
			descsz = (uint32_t)(len - VMCI_NOTE_DESC_OFF);
		*text_len = descsz;
		return (const char *)buf + VMCI_NOTE_DESC_OFF;
	}
	return NULL;
}

int vmci_read_note(struct guest_mem *gm, uint64_t pa, uint64_t size, struct vmcoreinfo *vi,
		   struct mp_err *err)
{
	uint8_t *buf;
	const char *text;
	size_t text_len;
	int rc;

	if (size < VMCI_NOTE_DESC_OFF || size > VMCI_TEXT_MAX + VMCI_NOTE_DESC_OFF + 12 ||
	    !gm_contains(gm, pa, size))
		return mp_fail(err, MP_EINPUT,
			       "%s: VMCOREINFO note 0x%llx+0x%llx is not in guest RAM or has an "
			       "absurd size",
			       gm->path, (unsigned long long)pa, (unsigned long long)size);
	buf = mp_malloc((size_t)size, err);
	if (!buf || gm_read(gm, pa, buf, (size_t)size, err)) {
		free(buf);
		return -1;
	}
	text = note_text(buf, (size_t)size, &text_len);
	rc = text ? vmci_from_text(text, text_len, VMCI_CRASH_HEADER, pa + VMCI_NOTE_DESC_OFF, vi,
				   err)
		  : mp_fail(err, MP_EINPUT, "%s: no VMCOREINFO note at 0x%llx", gm->path,
			    (unsigned long long)pa);
	if (rc == 0)
		vi->note_form = true;
	free(buf);
	return rc;
}

int vmci_load_file(const char *path, struct vmcoreinfo *vi, struct mp_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	const char *text;
	size_t len, text_len;
	int rc;

	if (!f)
		return mp_fail_errno(err, "%s", path);
	buf = mp_malloc(VMCI_TEXT_MAX + VMCI_NOTE_DESC_OFF + 1, err);
	if (!buf) {
		fclose(f);
		return -1;
	}
	len = fread(buf, 1, VMCI_TEXT_MAX + VMCI_NOTE_DESC_OFF + 1, f);
	rc = ferror(f) ? mp_fail_errno(err, "%s", path) : 0;
	fclose(f);
	if (rc == 0 && len > VMCI_TEXT_MAX + VMCI_NOTE_DESC_OFF)
		rc = mp_fail(err, MP_EINPUT, "%s: larger than a VMCOREINFO (%u bytes)", path,
			     VMCI_TEXT_MAX);
	if (rc == 0) {
		text = note_text((const uint8_t *)buf, len, &text_len);
		if (!text) {
			text = buf;
			text_len = len;
		}
		rc = vmci_from_text(text, text_len, VMCI_FILE, 0, vi, err);
		if (rc)
			mp_wrap(err, "%s (offset 0)", path);
	}
	free(buf);
	return rc;
}

/* Copy a NUL-terminated field of at most UTS_FIELD_LEN bytes. */
static void uts_field(const uint8_t *uts, size_t off, char out[UTS_FIELD_LEN + 1])
{
	memcpy(out, uts + off, UTS_FIELD_LEN);
	out[UTS_FIELD_LEN] = '\0';
}

/* Byte order from a pointer the kernel stores: the order in which it is a kernel address. */
static void guess_byte_order(struct guest_mem *gm, struct vmcoreinfo *vi)
{
	static const char *const ptr_syms[] = { "prb", "kallsyms_relative_base", "mem_map",
						"mem_section" };
	struct kmem k = { gm, false };
	struct mp_err err;

	for (size_t i = 0; i < sizeof(ptr_syms) / sizeof(ptr_syms[0]); i++) {
		uint64_t va, v;
		uint8_t b[8];

		if (vmci_symbol(vi, ptr_syms[i], &va) || kmem_read(&k, va, b, 8, &err))
			continue;
		v = get_le64(b);
		if (kmem_is_kernel_ptr(v) != kmem_is_kernel_ptr(get_be64(b))) {
			vi->big_endian = !kmem_is_kernel_ptr(v);
			return;
		}
	}
}

void vmci_validate(struct guest_mem *gm, struct vmcoreinfo *vi)
{
	struct kmem k = { gm, false };
	uint8_t uts[6 * UTS_FIELD_LEN];
	int64_t name_off = 0;
	uint64_t va;
	struct mp_err err;
	char release[UTS_FIELD_LEN + 1];

	vi->validated = false;
	guess_byte_order(gm, vi);
	if (vmci_symbol(vi, "init_uts_ns", &va))
		return;
	/* uts_namespace.name is first in every kernel that exports the offset. */
	if (vmci_number(vi, "OFFSET(uts_namespace.name)", &name_off) || name_off < 0 ||
	    name_off > 4096)
		name_off = 0;
	if (kmem_read(&k, va + (uint64_t)name_off, uts, sizeof(uts), &err))
		return;
	uts_field(uts, UTS_RELEASE_OFF, release);
	if (!vi->release[0] || strcmp(release, vi->release))
		return;
	vi->validated = true;
	uts_field(uts, UTS_VERSION_OFF, vi->version);
	uts_field(uts, UTS_MACHINE_OFF, vi->machine);
}
