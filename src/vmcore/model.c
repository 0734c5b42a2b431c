// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The capture kernel's view of a post-MPIPL guest: its elfcorehdr (built as
 * fadump_populate_elfcorehdr does for FADMPSIG headers, mpipl.md 6.3, or
 * read from memory for legacy FADMPINF ones) and the /proc/vmcore note merge
 * (mpipl.md 6.6 steps 2-4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notes.h"
#include "vmcore.h"
#include "../mpipl/hdat.h"
#include "../util/bytes.h"

/* Largest note segment we read from guest memory (the real ones are <= 64 KiB + 36). */
#define NOTE_SEGMENT_MAX (16u << 20)
/* Default page size of ppc64le distribution kernels. */
#define DEFAULT_PAGE_SIZE 65536u
/* Largest legacy elfcorehdr program header count we accept. */
#define LEGACY_PHNUM_MAX 4096u

void vmcore_model_free(struct vmcore_model *m)
{
	free(m->notes);
	free(m->phdrs);
	free(m->cpus);
	memset(m, 0, sizeof(*m));
}

static int add_phdr(struct vmcore_model *m, uint32_t type, uint64_t paddr, uint64_t size,
		    uint64_t offset, struct mp_err *err)
{
	struct vmcore_phdr *p = mp_reallocarray(m->phdrs, m->nphdrs + 1, sizeof(*p), err);

	if (!p)
		return -1;
	m->phdrs = p;
	p[m->nphdrs++] = (struct vmcore_phdr){ type, paddr, size, offset };
	return 0;
}

static int append_notes(struct vmcore_model *m, const uint8_t *buf, size_t len,
			struct mp_err *err)
{
	uint8_t *n = realloc(m->notes, m->notes_len + len + 1);

	if (!n)
		return mp_fail(err, MP_ENOMEM, "out of memory for notes");
	m->notes = n;
	memcpy(n + m->notes_len, buf, len);
	m->notes_len += len;
	return 0;
}

/* Read a PT_NOTE segment from guest memory and keep what the kernel's walk keeps. */
static int merge_note_segment(struct guest_mem *gm, struct vmcore_model *m, uint64_t at,
			      uint64_t len, const char *what, struct findings *f,
			      struct mp_err *err)
{
	uint8_t *buf;
	size_t real;
	int rc;

	if (len > NOTE_SEGMENT_MAX || !gm_contains(gm, at, len)) {
		findings_add(f, FINDING_WARNING, "note-outside-ram", "mpipl.md 8",
			     "%s note segment 0x%llx+0x%llx is not readable guest RAM: the kernel "
			     "finds zero notes in it",
			     what, (unsigned long long)at, (unsigned long long)len);
		return 0;
	}
	buf = mp_malloc((size_t)len, err);
	if (!buf || gm_read(gm, at, buf, (size_t)len, err)) {
		free(buf);
		return -1;
	}
	real = notes_walk(buf, (size_t)len, m->big_endian);
	if (real == 0)
		findings_add(f, FINDING_WARNING, "note-empty", "mpipl.md 8",
			     "%s note segment at 0x%llx holds no note (\"Zero PT_NOTE entries "
			     "found\")",
			     what, (unsigned long long)at);
	rc = append_notes(m, buf, real, err);
	free(buf);
	return rc;
}

uint64_t vmcore_page_size(const struct vmcore_model *m, const struct vmcore_opts *o,
				     struct findings *f)
{
	char value[32];
	char *end;
	unsigned long long p;

	if (o->page_size)
		return o->page_size;
	if (vmcoreinfo_get(m, "PAGESIZE", value, sizeof(value)) == 0) {
		p = strtoull(value, &end, 10);
		if (!*end && p >= 4096 && p <= (1u << 24) && (p & (p - 1)) == 0)
			return p;
		findings_add(f, FINDING_WARNING, "vmcoreinfo-pagesize", "mpipl.md 0.1",
			     "VMCOREINFO PAGESIZE=%s is not a power of two: using 64 KiB", value);
		return DEFAULT_PAGE_SIZE;
	}
	findings_add(f, FINDING_WARNING, "page-size-default", "mpipl.md 0.1",
		     "no PAGESIZE in VMCOREINFO: assuming 64 KiB pages (pass --page-size)");
	return DEFAULT_PAGE_SIZE;
}

/*
 * The capture kernel's RAM: --ram-ranges, else the memory nodes of the device
 * tree skiboot gave Linux (one per chip), else the input's main RAM ranges.
 */
static int sorted_ram(struct guest_mem *gm, const struct mpipl_analysis *a,
		      const struct vmcore_opts *o, struct ram_range **out, size_t *n,
		      struct mp_err *err)
{
	const struct ram_range *given = o->ram;
	size_t ngiven = o->nram;
	struct ram_range *r;
	size_t k = 0;

	if (!given && a->dt.found && a->dt.nmemory) {
		given = a->dt.memory;
		ngiven = a->dt.nmemory;
	}
	r = mp_calloc(given ? ngiven : gm->nranges, sizeof(*r), err);
	if (!r)
		return -1;
	if (given) {
		memcpy(r, given, ngiven * sizeof(*r));
		k = ngiven;
	} else {
		for (size_t i = 0; i < gm->nranges; i++)
			if (!(gm->ranges[i].flags & GM_RANGE_AUX))
				r[k++] = (struct ram_range){ gm->ranges[i].gpa,
							     gm->ranges[i].gpa + gm->ranges[i].size };
	}
	/* Ascending order, as memblock keeps them (insertion sort: a handful of ranges). */
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && r[j].start < r[j - 1].start; j--) {
			struct ram_range t = r[j];

			r[j] = r[j - 1];
			r[j - 1] = t;
		}
	*out = r;
	*n = k;
	return 0;
}

/* mpipl.md 6.3: the loads for RAM above the boot memory top, around the reserved area. */
static int add_ram_loads(struct vmcore_model *m, const struct ram_range *ram, size_t nram,
			 uint64_t top, uint64_t ra_start, uint64_t ra_end, struct mp_err *err)
{
	for (size_t i = 0; i < nram; i++) {
		uint64_t ms = ram[i].start, me = ram[i].end;
		int rc = 0;

		if (me <= top)
			continue;
		if (ms < top)
			ms = top;
		if (ms < ra_end && ra_start < me) {
			if (ms < ra_start && me > ra_end) {
				rc = add_phdr(m, PT_LOAD_VALUE, ms, ra_start - ms, ms, err) ||
				     add_phdr(m, PT_LOAD_VALUE, ra_end, me - ra_end, ra_end, err);
			} else if (ms < ra_start) {
				rc = add_phdr(m, PT_LOAD_VALUE, ms, ra_start - ms, ms, err);
			} else if (ra_end < me) {
				rc = add_phdr(m, PT_LOAD_VALUE, ra_end, me - ra_end, ra_end, err);
			} else {
				/* Wholly inside the reserved area: the kernel still counts a phdr. */
				rc = add_phdr(m, PT_NULL_VALUE, 0, 0, 0, err);
			}
		} else {
			rc = add_phdr(m, PT_LOAD_VALUE, ms, me - ms, ms, err);
		}
		if (rc)
			return -1;
	}
	return 0;
}

static int build_sig_phdrs(struct guest_mem *gm, const struct mpipl_analysis *a,
			   const struct vmcore_opts *o, struct vmcore_model *m, struct mp_err *err)
{
	const struct kernel_meta *k = &a->kmeta;
	const struct fadump_config *c = &a->config;
	uint64_t off = c->dest_base, ra_end, meta = round_up_u64(KERNEL_META_SIZE, m->page_size);
	struct ram_range *ram;
	size_t nram;
	int rc;

	for (unsigned i = 0; i < k->region_cnt; i++) {
		/* p_offset is the running sum from D, not rgn[i].dest (mpipl.md 6.3). */
		if (add_phdr(m, PT_LOAD_VALUE, k->rgn[i].src, k->rgn[i].size, off, err))
			return -1;
		off += k->rgn[i].size;
	}
	if (!add_u64_ok(c->dest_base, c->boot_mem_size, &ra_end) ||
	    !add_u64_ok(ra_end, a->ci.header_size + meta, &ra_end))
		return mp_fail(err, MP_EINPUT, "reserved area end overflows 64 bits");
	if (sorted_ram(gm, a, o, &ram, &nram, err))
		return -1;
	rc = add_ram_loads(m, ram, nram, c->boot_mem_top, c->dest_base, ra_end, err);
	free(ram);
	return rc;
}

/* After the CPU notes of a FADMPSIG registration: VMCOREINFO, the page size, the loads. */
static int build_sig_rest(struct guest_mem *gm, const struct mpipl_analysis *a,
			  const struct vmcore_opts *o, struct vmcore_model *m, struct findings *f,
			  struct mp_err *err)
{
	if (merge_note_segment(gm, m, a->ci.vmcoreinfo_raddr, a->ci.vmcoreinfo_size, "VMCOREINFO",
			       f, err))
		return -1;
	m->page_size = vmcore_page_size(m, o, f);
	return build_sig_phdrs(gm, a, o, m, err);
}

/* Validate a legacy elfcorehdr as /proc/vmcore does (mpipl.md 6.6 step 1). */
static int legacy_check_ehdr(const uint8_t *e, bool be, uint64_t at, struct mp_err *err)
{
	static const uint8_t magic[4] = { 0x7F, 'E', 'L', 'F' };

	if (memcmp(e, magic, 4) || e[4] != 2 || e[6] != 1 || get_u16(e + 16, be) != 4 ||
	    get_u16(e + 18, be) != EM_PPC64_VALUE || get_u32(e + 20, be) != 1 ||
	    get_u16(e + 52, be) != ELF_EHDR_SIZE || get_u16(e + 54, be) != ELF_PHDR_SIZE ||
	    get_u16(e + 56, be) == 0)
		return mp_fail(err, MP_EINPUT,
			       "legacy elfcorehdr at 0x%llx is not a valid ppc64 ELF core header: "
			       "the kernel exports no vmcore",
			       (unsigned long long)at);
	return 0;
}

static int build_legacy(struct guest_mem *gm, const struct mpipl_analysis *a,
			struct vmcore_model *m, struct findings *f, struct mp_err *err)
{
	uint64_t at = a->ci.elfcorehdr_addr;
	bool be = m->big_endian;
	uint8_t e[ELF_EHDR_SIZE], ph[ELF_PHDR_SIZE];
	uint16_t phnum;
	uint64_t phoff;

	if (at == 0)
		return mp_fail(err, MP_EINPUT,
			       "legacy FADMPINF header with elfcorehdr_addr 0: no vmcore");
	if (gm_read(gm, at, e, sizeof(e), err) || legacy_check_ehdr(e, be, at, err))
		return -1;
	phnum = get_u16(e + 56, be);
	phoff = get_u64(e + 32, be);
	if (phnum > LEGACY_PHNUM_MAX)
		return mp_fail(err, MP_EINPUT, "legacy elfcorehdr at 0x%llx: %u program headers",
			       (unsigned long long)at, phnum);
	/* phdr[0] is the CPU notes placeholder the capture kernel fills: skip it. */
	for (uint16_t i = 1; i < phnum; i++) {
		uint64_t pa = at + phoff + (uint64_t)i * ELF_PHDR_SIZE;
		uint32_t type;

		if (gm_read(gm, pa, ph, sizeof(ph), err))
			return mp_wrap(err, "legacy elfcorehdr program header %u", i);
		type = get_u32(ph, be);
		if (type == PT_NOTE_VALUE) {
			if (merge_note_segment(gm, m, get_u64(ph + 8, be), get_u64(ph + 40, be),
					       "legacy", f, err))
				return -1;
		} else if (add_phdr(m, type, get_u64(ph + 24, be), get_u64(ph + 40, be),
				    get_u64(ph + 8, be), err)) {
			return -1;
		}
	}
	return 0;
}

int vmcore_model_build(struct guest_mem *gm, const struct mpipl_analysis *a,
		       const struct vmcore_opts *o, struct vmcore_model *m, struct findings *f,
		       struct mp_err *err)
{
	struct cpu_notes cn;

	memset(m, 0, sizeof(*m));
	if (!a->have_kernel_meta)
		return mp_fail(err, MP_EINPUT,
			       "%s: no fadump registration (no KERNEL tag in skiboot's metadata): "
			       "nothing for a capture kernel to export; --synthesize writes a plain "
			       "core of all RAM instead",
			       gm->path);
	if (!a->have_config || !a->have_crash_info)
		return mp_fail(err, MP_EINPUT, "%s: %s", gm->path,
			       a->crash_info_error ? a->crash_info_error
						      : "fadump kernel metadata is invalid");
	m->big_endian = a->ci.big_endian;
	/* ELF_CORE_EFLAGS: 2 for the ELFv2 ABI of little-endian kernels. */
	m->e_flags = m->big_endian ? 0 : 2;
	m->note_align = 4;
	if (cpu_notes_build(a, &cn, f, err))
		return -1;
	m->ncpu_notes = cn.count;
	m->cpus = mp_calloc(cn.count, sizeof(*m->cpus), err);
	if (!m->cpus || append_notes(m, cn.buf, cn.count * PRSTATUS_NOTE_SIZE, err)) {
		cpu_notes_free(&cn);
		goto fail;
	}
	for (size_t i = 0; i < cn.count; i++)
		m->cpus[i] = (struct vmcore_cpu){ cn.pir[i], cn.from_crash_header[i] };
	cpu_notes_free(&cn);
	m->vmcoreinfo_off = m->notes_len;
	if (a->ci.kind == CRASH_HDR_INF) {
		if (build_legacy(gm, a, m, f, err))
			goto fail;
		m->page_size = vmcore_page_size(m, o, f);
		return 0;
	}
	if (build_sig_rest(gm, a, o, m, f, err))
		goto fail;
	return 0;
fail:
	vmcore_model_free(m);
	return -1;
}

int vmcore_model_loads(struct guest_mem *gm, const struct mpipl_analysis *a,
		       const struct vmcore_opts *o, struct vmcore_model *m, struct findings *f,
		       struct mp_err *err)
{
	memset(m, 0, sizeof(*m));
	if (!a->have_kernel_meta || !a->have_config || !a->have_crash_info ||
	    a->ci.kind == CRASH_HDR_INF)
		return mp_fail(err, MP_EINPUT, "%s: no FADMPSIG registration to lay out", gm->path);
	m->big_endian = a->ci.big_endian;
	if (build_sig_rest(gm, a, o, m, f, err)) {
		vmcore_model_free(m);
		return -1;
	}
	return 0;
}

const char *vmcoreinfo_text(const struct vmcore_model *m, size_t *len)
{
	const uint8_t *n = m->notes + m->vmcoreinfo_off;
	size_t left = m->notes_len - m->vmcoreinfo_off;
	uint32_t descsz;

	/* namesz 11: "VMCOREINFO" and its NUL, padded to 12; the text follows. */
	if (left < 24 || get_u32(n, m->big_endian) != 11 || memcmp(n + 12, "VMCOREINFO", 10))
		return NULL;
	descsz = get_u32(n + 4, m->big_endian);
	if (24 + (uint64_t)descsz > left)
		return NULL;
	*len = descsz;
	return (const char *)n + 24;
}

int vmcoreinfo_get(const struct vmcore_model *m, const char *key, char *out, size_t outlen)
{
	size_t len, klen = strlen(key);
	const char *text = vmcoreinfo_text(m, &len), *end;

	if (!text)
		return -1;
	end = text + len;
	for (const char *line = text; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *stop = nl ? nl : end;

		if ((size_t)(stop - line) > klen && memcmp(line, key, klen) == 0 && line[klen] == '=') {
			size_t vlen = (size_t)(stop - line) - klen - 1;

			if (vlen >= outlen)
				vlen = outlen - 1;
			memcpy(out, line + klen + 1, vlen);
			out[vlen] = '\0';
			return 0;
		}
		line = stop + 1;
	}
	return -1;
}
