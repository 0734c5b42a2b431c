// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Finding the crashed kernel's VMCOREINFO in guest RAM.
 *
 * Linux keeps the text twice, in pages it allocates at boot
 * (crash_save_vmcoreinfo_init: vmcoreinfo_data, a bare page of text, and
 * vmcoreinfo_note, the same text inside an ELF note). Both are page-aligned
 * and early: on the real PowerNV guests they sit just above the kernel image
 * (0x1400000 and 0x1c00000 in the golden 6.12 cycle). So the scan walks RAM
 * upwards from its lowest address, looks only at 4 KiB boundaries (the
 * smallest ppc64 page), skips holes and zero extents without reading them,
 * reads 1 MiB at a time (bounded memory), and stops at the first candidate
 * that validates.
 */
#include <stdlib.h>
#include <string.h>

#include "vmcoreinfo.h"

#define SCAN_STEP 4096u       /* smallest page size the text can be aligned to */
#define SCAN_CHUNK (1u << 20) /* bytes read at a time */
#define NOTE_TEXT_OFF 24u     /* the text inside the ELF note form */

struct scan {
	struct guest_mem *gm;
	struct vmcoreinfo *best; /* first validated, else first candidate */
	uint8_t *buf;
};

/* Whether the page at p starts with the text or with its ELF note. */
static int candidate_kind(const uint8_t *p)
{
	if (memcmp(p, "OSRELEASE=", 10) == 0)
		return 1;
	if (memcmp(p + 12, "VMCOREINFO", 11) == 0 && memcmp(p + NOTE_TEXT_OFF, "OSRELEASE=", 10) == 0)
		return 2;
	return 0;
}

/* Read the candidate at pa; true when it validates (the scan can stop). */
static bool try_candidate(struct scan *s, uint64_t pa, bool note)
{
	uint64_t at = note ? pa + NOTE_TEXT_OFF : pa;
	uint64_t run = gm_ram_run(s->gm, at);
	size_t len = (size_t)(run < VMCI_TEXT_MAX ? run : VMCI_TEXT_MAX);
	struct vmcoreinfo vi;
	struct mp_err err;
	char *text = malloc(len ? len : 1);

	s->best->candidates++;
	if (!text || gm_read(s->gm, at, text, len, &err) ||
	    vmci_from_text(text, len, VMCI_RAM, at, &vi, &err)) {
		free(text);
		return false;
	}
	free(text);
	vi.note_form = note;
	vmci_validate(s->gm, &vi);
	if (s->best->text && (s->best->validated || !vi.validated)) {
		vmci_free(&vi);
		return false;
	}
	vi.candidates = s->best->candidates;
	vi.scanned = s->best->scanned;
	vmci_free(s->best);
	*s->best = vi;
	return vi.validated;
}

/* Scan [start, end) of possible data; true when a validated candidate was found. */
static bool scan_run(struct scan *s, uint64_t start, uint64_t end)
{
	for (uint64_t at = start; at < end;) {
		uint64_t n = end - at < SCAN_CHUNK ? end - at : SCAN_CHUNK;
		struct mp_err err;

		if (gm_read(s->gm, at, s->buf, (size_t)n, &err))
			return false;
		s->best->scanned += n;
		/* A page needs its first 34 bytes in the chunk; chunks are whole pages. */
		for (uint64_t off = 0; off + NOTE_TEXT_OFF + 10 <= n; off += SCAN_STEP) {
			int kind = candidate_kind(s->buf + off);

			if (kind && try_candidate(s, at + off, kind == 2))
				return true;
		}
		at += n;
	}
	return false;
}

int vmci_scan_ram(struct guest_mem *gm, struct vmcoreinfo *vi, struct mp_err *err)
{
	struct scan s = { gm, vi, NULL };

	memset(vi, 0, sizeof(*vi));
	s.buf = mp_malloc(SCAN_CHUNK, err);
	if (!s.buf)
		return -1;
	for (size_t r = 0; r < gm->nranges; r++) {
		const struct gm_range *g = &gm->ranges[r];
		/* Page-aligned starts only: the text is the start of a page. */
		uint64_t at = (g->gpa + SCAN_STEP - 1) & ~(uint64_t)(SCAN_STEP - 1);
		uint64_t end = g->gpa + g->size;
		bool done = false;

		if (g->flags & GM_RANGE_AUX)
			continue;
		while (at < end && !done) {
			uint64_t data = gm_next_data(gm, at, end), run_end, start;

			if (data >= end)
				break;
			run_end = gm_data_run_end(gm, data, end);
			start = data & ~(uint64_t)(SCAN_STEP - 1);
			if (start < at)
				start = at;
			done = scan_run(&s, start, run_end);
			/* Always move on by at least a page, whatever the run's end. */
			at = (run_end + SCAN_STEP - 1) & ~(uint64_t)(SCAN_STEP - 1);
			if (at < start + SCAN_STEP)
				at = start + SCAN_STEP;
		}
		if (done)
			break;
	}
	free(s.buf);
	if (!vi->text)
		return mp_fail(err, MP_ENOTFOUND,
			       "%s: no VMCOREINFO in guest RAM (%u page starts checked in 0x%llx "
			       "bytes of data): pass --vmcoreinfo=FILE",
			       gm->path, (unsigned)(vi->scanned / SCAN_STEP),
			       (unsigned long long)vi->scanned);
	return 0;
}

static void check_fields(const struct vmcoreinfo *vi, struct findings *f)
{
	char value[64];

	if (!vi->validated)
		findings_add(f, FINDING_WARNING, "vmcoreinfo-unvalidated", "issue 11",
			     "VMCOREINFO (%s at 0x%llx): init_uts_ns does not hold release '%s' "
			     "(a stale or foreign copy?)",
			     vmci_source_name(vi->source), (unsigned long long)vi->addr,
			     vi->release);
	if (!vi->page_size)
		findings_add(f, FINDING_WARNING, "vmcoreinfo-pagesize", "issue 11",
			     "VMCOREINFO PAGESIZE=%s is missing or absurd",
			     vmci_get(vi, "PAGESIZE", value, sizeof(value)) ? "(none)" : value);
}

int vmci_locate(struct guest_mem *gm, const struct crash_info *ci, const char *file,
		struct vmcoreinfo *vi, struct findings *f, struct mp_err *err)
{
	int rc;

	if (file) {
		rc = vmci_load_file(file, vi, err);
	} else if (ci && ci->kind == CRASH_HDR_SIG && ci->vmcoreinfo_size) {
		rc = vmci_read_note(gm, ci->vmcoreinfo_raddr, ci->vmcoreinfo_size, vi, err);
		/* Before the preserve step the header points into a copy not yet made. */
		if (rc) {
			findings_add(f, FINDING_INFO, "vmcoreinfo-crash-header", "mpipl.md 6.1",
				     "the crash info header's VMCOREINFO is not readable yet (%s): "
				     "found by a RAM scan instead",
				     err->msg);
			rc = vmci_scan_ram(gm, vi, err);
		}
	} else {
		rc = vmci_scan_ram(gm, vi, err);
	}
	if (rc)
		return rc;
	if (vi->source != VMCI_RAM)
		vmci_validate(gm, vi);
	check_fields(vi, f);
	return 0;
}
