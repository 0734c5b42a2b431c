// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verify: the processor dump area, the thread records (matched by PIR,
 * compared register by register by name) and the pt_regs Linux builds
 * from them (mpipl.md 4.1-4.5, 12).
 *
 * Under the qemu profiles the records must be QEMU's byte for byte (less the
 * fields of mpipl.md 12). Under hdat the firmware chooses which registers to
 * save and how big a record is; each register it saves must hold the vCPU's
 * value, the header must follow HDAT (offset 16, 16-byte entries), and Linux
 * must read back what the record holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regname.h"
#include "regsave.h"
#include "verify.h"
#include "../util/bytes.h"

/* The offset value HDAT specifies: entries right after the 24-byte header. */
#define HDAT_THREAD_OFFSET (THREAD_HDR_SIZE - THREAD_OFFSET_FIELD_POS)

struct record {
	const uint8_t *raw;
	size_t len;
	struct thread_hdr h;
	uint32_t first;  /* byte offset of entry 0 as the writer laid it out */
	uint32_t nentries;
};

struct area_view {
	struct proc_dump_area p;
	uint64_t at;
};

static void record_init(struct record *rec, const uint8_t *raw, size_t len)
{
	uint64_t n, first;

	rec->raw = raw;
	rec->len = len;
	thread_hdr_decode(raw, &rec->h);
	/* QEMU's offset 0 would overlap the header: its entries sit right after it. */
	first = rec->h.offset >= HDAT_THREAD_OFFSET
			? THREAD_OFFSET_FIELD_POS + (uint64_t)rec->h.offset : THREAD_HDR_SIZE;
	rec->first = first <= len ? (uint32_t)first : (uint32_t)len;
	n = rec->h.esize >= REG_ENTRY_SIZE && first <= len ? (len - first) / rec->h.esize : 0;
	if (n > rec->h.ecnt)
		n = rec->h.ecnt;
	rec->nentries = (uint32_t)n;
}

static void entry_at(const struct record *rec, uint32_t i, struct reg_entry *e)
{
	reg_entry_decode(rec->raw + rec->first + (size_t)i * rec->h.esize, e);
}

/* Index of the occ-th entry (type, num) in rec, or -1. */
static long find_entry(const struct record *rec, uint32_t type, uint32_t num, unsigned occ)
{
	for (uint32_t i = 0; i < rec->nentries; i++) {
		struct reg_entry e;

		entry_at(rec, i, &e);
		if (e.type == type && e.num == num && occ-- == 0)
			return i;
	}
	return -1;
}

static unsigned occurrences(const struct record *rec, uint32_t type, uint32_t num, uint32_t upto)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < upto && i < rec->nentries; i++) {
		struct reg_entry e;

		entry_at(rec, i, &e);
		n += e.type == type && e.num == num;
	}
	return n;
}

/* Slots QEMU fills from stale SPR array copies (mpipl.md 12): CFAR, and CTR before the live one. */
static bool stale_slot(const struct record *rec, const struct reg_entry *e, unsigned occ)
{
	if (e->type != REG_TYPE_SPR)
		return false;
	if (e->num == SPRN_CFAR)
		return true;
	return e->num == SPRN_CTR && occ == 0 && find_entry(rec, REG_TYPE_SPR, SPRN_CTR, 1) >= 0;
}

static void compare_value(struct verify_report *r, const char *where, const struct record *post,
			  const struct reg_entry *want, const struct reg_entry *got, unsigned occ)
{
	r->c.registers++;
	r->c.fields++;
	if (want->val == got->val)
		return;
	if (stale_slot(post, got, occ))
		vreport(r, VC_UNKNOWN, "stale-spr-slot", "mpipl.md 12", where,
			"QEMU saves a stale copy here (expected 0x%llx, found 0x%llx): no input "
			"determines it",
			(unsigned long long)want->val, (unsigned long long)got->val);
	else if (r->profile == PROFILE_HDAT && got->type == REG_TYPE_SPR && got->num == SPRN_XER &&
		 got->val == (want->val & ~XER_SPLIT_BITS))
		vreport(r, VC_DIFF, "qemu-xer-split-bits", "mpipl.md 12", where,
			"expected 0x%llx, found 0x%llx: QEMU saves env->xer without SO/OV/CA",
			(unsigned long long)want->val, (unsigned long long)got->val);
	else
		vreport(r, VC_DIFF, "thread-register-differs", "mpipl.md 4.4", where,
			"expected 0x%llx, found 0x%llx", (unsigned long long)want->val,
			(unsigned long long)got->val);
}

/* One line per thread: the registers the profile saves and POST does not. */
static void report_not_saved(struct verify_report *r, const char *who, const struct record *pred,
			     const struct record *post)
{
	char list[200] = "", name[32];
	bool ccr = false;
	size_t used = 0;

	for (uint32_t i = 0; i < pred->nentries; i++) {
		struct reg_entry e;

		entry_at(pred, i, &e);
		if (find_entry(post, e.type, e.num, 0) >= 0 || find_entry(pred, e.type, e.num, 0) < i)
			continue; /* saved, or already listed */
		ccr |= e.type == REG_TYPE_SPR && e.num == REG_ID_CCR;
		used += (size_t)snprintf(list + used, used < sizeof(list) ? sizeof(list) - used : 0,
					 "%s%s", used ? ", " : "",
					 reg_name(e.type, e.num, name, sizeof(name)));
	}
	if (!list[0])
		return;
	vreport(r, r->profile == PROFILE_HDAT ? VC_NOTE : VC_DIFF, "register-not-saved",
		"mpipl.md 4.4", who, "the %s profile saves %s; POST does not%s",
		profile_name(r->profile), list, ccr ? " (Linux's ccr stays 0)" : "");
}

/* Every register POST saved, against the same register (and occurrence) of the prediction. */
static void compare_registers(struct verify_report *r, const char *who, const struct record *pred,
			      const struct record *post)
{
	char where[96], name[32];

	for (uint32_t i = 0; i < post->nentries; i++) {
		struct reg_entry got, want;
		unsigned occ;
		long k;

		entry_at(post, i, &got);
		occ = occurrences(post, got.type, got.num, i);
		reg_name(got.type, got.num, name, sizeof(name));
		snprintf(where, sizeof(where), "%s %s (entry %u)", who, name, i);
		k = find_entry(pred, got.type, got.num, occ);
		if (k < 0 && occ > 0)
			k = find_entry(pred, got.type, got.num, 0);
		if (k < 0) {
			vreport(r, r->profile == PROFILE_HDAT ? VC_NOTE : VC_DIFF, "register-extra",
				"mpipl.md 4.4", where, "POST saves a register the %s profile does not",
				profile_name(r->profile));
			continue;
		}
		entry_at(pred, (uint32_t)k, &want);
		compare_value(r, where, post, &want, &got, occ);
	}
	report_not_saved(r, who, pred, post);
}

/* QEMU profiles: the same entries in the same order. */
static void compare_layout(struct verify_report *r, const char *who, const struct record *pred,
			   const struct record *post)
{
	char a[32], b[32];

	r->c.fields++;
	if (pred->nentries != post->nentries) {
		vreport(r, VC_DIFF, "thread-layout-differs", "mpipl.md 4.4", who,
			"%u register entries, the %s profile writes %u", post->nentries,
			profile_name(r->profile), pred->nentries);
		return;
	}
	for (uint32_t i = 0; i < post->nentries; i++) {
		struct reg_entry p, q;

		entry_at(pred, i, &p);
		entry_at(post, i, &q);
		if (p.type == q.type && p.num == q.num)
			continue;
		vreport(r, VC_DIFF, "thread-layout-differs", "mpipl.md 4.4", who,
			"entry %u is %s, the %s profile writes %s", i,
			reg_name(q.type, q.num, b, sizeof(b)), profile_name(r->profile),
			reg_name(p.type, p.num, a, sizeof(a)));
		return;
	}
}

static void header_field(struct verify_report *r, const char *who, const char *field,
			 uint32_t want, uint32_t got)
{
	char where[96];

	r->c.fields++;
	if (want == got)
		return;
	snprintf(where, sizeof(where), "%s %s", who, field);
	vreport(r, VC_DIFF, "thread-header-differs", "mpipl.md 4.2", where,
		"expected %u, found %u", want, got);
}

static void compare_header(struct verify_report *r, const char *who, const struct record *pred,
			   const struct record *post)
{
	bool hdat = r->profile == PROFILE_HDAT;
	char where[96], last[32];
	struct reg_entry e;

	header_field(r, who, "core_state", pred->h.core_state, post->h.core_state);
	r->c.fields++;
	if (memcmp(pred->h.reserved, post->h.reserved, 3) != 0) {
		snprintf(where, sizeof(where), "%s reserved", who);
		vreport(r, VC_UNKNOWN, "uninitialised-bytes", "mpipl.md 12", where,
			"QEMU leaves these 3 bytes uninitialised");
	}
	if (hdat && post->h.offset == 0 && post->nentries > 0) {
		entry_at(post, post->nentries - 1, &e);
		snprintf(where, sizeof(where), "%s offset", who);
		vreport(r, VC_DIFF, "qemu-thread-offset-zero", "mpipl.md 4.2", where,
			"offset 0, HDAT says %u: Linux reads the entries from header+8, sees a fake "
			"first entry and never reads the last one (%s)",
			HDAT_THREAD_OFFSET, reg_name(e.type, e.num, last, sizeof(last)));
		r->c.fields++;
	} else {
		header_field(r, who, "offset", hdat ? HDAT_THREAD_OFFSET : pred->h.offset,
			     post->h.offset);
	}
	header_field(r, who, "esize", hdat ? REG_ENTRY_SIZE : pred->h.esize, post->h.esize);
	header_field(r, who, "eactsz", hdat ? REG_ENTRY_SIZE : pred->h.eactsz, post->h.eactsz);
	if (!hdat)
		header_field(r, who, "ecnt", pred->h.ecnt, post->h.ecnt);
}

/*
 * What Linux makes of POST's record (through the first record's header, as
 * opal_fadump_build_cpu_notes does) against what it should: the prediction's
 * parse under qemu profiles, the record's own registers under hdat.
 */
static void compare_pt_regs(struct verify_report *r, const char *who, const struct record *pred,
			    const struct record *post, const struct thread_hdr *post_first,
			    const struct thread_hdr *pred_first)
{
	uint64_t linux_regs[48], want[48];
	char where[96], name[24];

	if (regsave_parse(post->raw, post->len, post_first, linux_regs)) {
		vreport(r, VC_DIFF, "linux-pt-regs-differ", "mpipl.md 4.5", who,
			"the first record's header makes Linux read past this record");
		return;
	}
	if (r->profile == PROFILE_HDAT) {
		memset(want, 0, sizeof(want));
		for (uint32_t i = 0; i < post->nentries; i++) {
			struct reg_entry e;

			entry_at(post, i, &e);
			regsave_apply(want, e.type, e.num, e.val);
		}
	} else if (regsave_parse(pred->raw, pred->len, pred_first, want)) {
		return;
	}
	for (unsigned s = 0; s < 48; s++) {
		r->c.fields++;
		if (want[s] == linux_regs[s])
			continue;
		snprintf(where, sizeof(where), "%s pt_regs.%s", who, ptreg_name(s, name, sizeof(name)));
		vreport(r, VC_DIFF, "linux-pt-regs-differ", "mpipl.md 4.5", where,
			"Linux builds 0x%llx, expected 0x%llx", (unsigned long long)linux_regs[s],
			(unsigned long long)want[s]);
	}
}

static void compare_thread(struct verify_report *r, const struct record *pred,
			   const struct record *post, const struct thread_hdr *pred_first,
			   const struct thread_hdr *post_first)
{
	char who[40];

	snprintf(who, sizeof(who), "thread PIR 0x%x", post->h.pir);
	compare_header(r, who, pred, post);
	if (r->profile != PROFILE_HDAT)
		compare_layout(r, who, pred, post);
	compare_registers(r, who, pred, post);
	compare_pt_regs(r, who, pred, post, post_first, pred_first);
}

/*
 * POST's processor dump area where skiboot will find it: at the layout
 * address, or, in a state from between QEMU's reset and skiboot's
 * relocation, at the absolute offset QEMU writes it to (mpipl.md 1).
 */
static int post_area(const struct verify_inputs *in, struct area_view *v, struct verify_report *r,
		     struct mp_err *err)
{
	const struct mpipl_layout *l = &in->post_a->layout;
	uint64_t absolute = l->proc_area.addr - l->base;
	uint8_t raw[PROC_AREA_SIZE];
	struct proc_dump_area abs_area;

	v->at = l->proc_area.addr;
	if (gm_read(in->post, v->at, raw, sizeof(raw), err))
		return -1;
	proc_area_decode(raw, &v->p);
	if (v->p.dest_addr != 0 || v->p.act_size != 0 || absolute == v->at ||
	    !gm_contains(in->post, absolute, sizeof(raw)))
		return 0;
	if (gm_read(in->post, absolute, raw, sizeof(raw), err))
		return -1;
	proc_area_decode(raw, &abs_area);
	if (abs_area.dest_addr == 0)
		return 0;
	v->p = abs_area;
	v->at = absolute;
	vreport(r, VC_NOTE, "proc-area-absolute", "mpipl.md 1", "processor dump area",
		"read at 0x%llx, where QEMU writes it before skiboot relocates it: POST is from "
		"before the second boot's relocation",
		(unsigned long long)absolute);
	return 0;
}

static void area_field(struct verify_report *r, const char *field, uint64_t want, uint64_t got,
		       enum vcheck_kind kind, const char *code)
{
	char where[64];

	r->c.fields++;
	if (want == got)
		return;
	snprintf(where, sizeof(where), "processor dump area %s", field);
	vreport(r, kind, code, kind == VC_UNKNOWN ? "mpipl.md 1" : "mpipl.md 4.1", where,
		"expected 0x%llx, found 0x%llx", (unsigned long long)want, (unsigned long long)got);
}

static void compare_area(struct verify_report *r, const struct proc_dump_area *p,
			 const struct proc_dump_area *q, size_t npred)
{
	bool hdat = r->profile == PROFILE_HDAT;

	area_field(r, "version", p->version, q->version, VC_DIFF, "proc-area-differs");
	area_field(r, "alloc_addr", p->alloc_addr, q->alloc_addr, VC_DIFF, "proc-area-differs");
	area_field(r, "alloc_size", p->alloc_size, q->alloc_size, VC_DIFF, "proc-area-differs");
	area_field(r, "dest_addr", p->dest_addr, q->dest_addr, VC_DIFF, "proc-area-differs");
	if (hdat && p->thread_size != q->thread_size) {
		vreport(r, VC_NOTE, "thread-size-choice", "mpipl.md 4.1",
			"processor dump area thread_size",
			"%u bytes per record (the hdat profile writes %u; HDAT leaves it to the "
			"firmware)",
			q->thread_size, p->thread_size);
		area_field(r, "act_size", (uint64_t)q->thread_size * npred, q->act_size, VC_DIFF,
			   "proc-area-differs");
	} else {
		area_field(r, "thread_size", p->thread_size, q->thread_size, VC_DIFF,
			   "proc-area-differs");
		area_field(r, "act_size", p->act_size, q->act_size, VC_DIFF, "proc-area-differs");
	}
	/* QEMU's first write of the area leaves the reserved bytes uninitialised. */
	area_field(r, "reserved", memcmp(p->reserved, q->reserved, sizeof(p->reserved)) != 0, 0,
		   VC_UNKNOWN, "uninitialised-bytes");
	area_field(r, "reserved2", p->reserved2, q->reserved2, VC_UNKNOWN, "uninitialised-bytes");
	area_field(r, "reserved3", p->reserved3, q->reserved3, VC_UNKNOWN, "uninitialised-bytes");
}

/* n records of size bytes at addr (HRMOR stripped), or NULL with a difference reported. */
static uint8_t *read_records(struct guest_mem *gm, uint64_t addr, uint32_t size, size_t n,
			     const char *whose, struct verify_report *r, struct mp_err *err)
{
	uint64_t len = (uint64_t)size * n;
	uint8_t *buf;

	addr &= ~HRMOR_BIT;
	if (n == 0 || size < THREAD_HDR_SIZE || size > ANALYZE_MAX_THREAD_SPAN ||
	    n > ANALYZE_MAX_THREADS || !gm_contains(gm, addr, len)) {
		vreport(r, VC_DIFF, "threads-unreadable", "mpipl.md 4.3", whose,
			"%zu records of %u bytes at 0x%llx are not readable guest RAM", n, size,
			(unsigned long long)addr);
		return NULL;
	}
	buf = mp_malloc(len, err);
	if (buf && gm_read(gm, addr, buf, len, err)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static long find_pir(const uint8_t *recs, uint32_t size, size_t n, uint32_t pir)
{
	for (size_t i = 0; i < n; i++)
		if (get_be32(recs + i * size) == pir)
			return (long)i;
	return -1;
}

static void compare_records(struct verify_report *r, const uint8_t *pred, uint32_t psize,
			    size_t np, const uint8_t *post, uint32_t qsize, size_t nq)
{
	struct thread_hdr pfirst, qfirst;
	char who[40];

	thread_hdr_decode(pred, &pfirst);
	thread_hdr_decode(post, &qfirst);
	r->c.threads = (unsigned)np;
	for (size_t i = 0; i < np; i++) {
		struct record a, b;
		uint32_t pir = get_be32(pred + i * psize);
		long k = find_pir(post, qsize, nq, pir);

		snprintf(who, sizeof(who), "thread PIR 0x%x", pir);
		if (k < 0) {
			vreport(r, VC_DIFF, "thread-missing", "mpipl.md 4.3", who,
				"no record for this vCPU in POST's %zu records", nq);
			continue;
		}
		r->c.threads_matched++;
		record_init(&a, pred + i * psize, psize);
		record_init(&b, post + (size_t)k * qsize, qsize);
		compare_thread(r, &a, &b, &pfirst, &qfirst);
	}
	for (size_t k = 0; k < nq; k++) {
		uint32_t pir = get_be32(post + k * qsize);

		if (find_pir(pred, psize, np, pir) >= 0)
			continue;
		snprintf(who, sizeof(who), "thread PIR 0x%x", pir);
		vreport(r, VC_DIFF, "thread-extra", "mpipl.md 4.3", who,
			"POST has a record for a vCPU the input does not have");
	}
}

int verify_threads(const struct verify_inputs *in, struct verify_report *r, struct mp_err *err)
{
	const struct preserve_report *pr = in->pr;
	uint8_t raw[PROC_AREA_SIZE], *pred = NULL, *post = NULL;
	struct proc_dump_area p;
	struct area_view q;
	size_t nq;
	int rc = -1;

	if (!pr->cpus_written) {
		vreport(r, VC_UNKNOWN, "no-cpu-state", "mpipl.md 4.4", "threads",
			"%s: thread records and the processor dump area are not compared",
			pr->cpu_note ? pr->cpu_note : "");
		return 0;
	}
	if (gm_read(in->pre, in->pre_a->layout.proc_area.addr, raw, sizeof(raw), err) ||
	    post_area(in, &q, r, err))
		return -1;
	proc_area_decode(raw, &p);
	compare_area(r, &p, &q.p, pr->ncpus);
	nq = q.p.thread_size ? q.p.act_size / q.p.thread_size : 0;
	err->status = MP_OK; /* read_records reports unreadable records itself, I/O in err */
	pred = read_records(in->pre, pr->thread_addr, pr->thread_size, pr->ncpus, "threads", r,
			    err);
	if (pred)
		post = read_records(in->post, q.p.dest_addr, q.p.thread_size, nq,
				    "POST's thread records", r, err);
	if (pred && post)
		compare_records(r, pred, pr->thread_size, pr->ncpus, post, q.p.thread_size, nq);
	rc = err->status != MP_OK ? -1 : 0;
	free(pred);
	free(post);
	return rc;
}
