// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verify: the guest check, MDST regions, MDRT and the processor dump area.
 * Thread records and pt_regs are in verify_threads.c.
 */
#include "verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/bytes.h"

/* Compare unit for regions. */
#define VERIFY_IO_CHUNK (1u << 20)

void vreport(struct verify_report *r, enum vcheck_kind kind, const char *code, const char *spec,
	     const char *where, const char *fmt, ...)
{
	struct vcheck *c;
	va_list ap;

	char *msg;
	int n;

	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct vcheck *v = realloc(r->v, cap * sizeof(*v));

		if (!v) {
			r->oom = true;
			return;
		}
		r->v = v;
		r->cap = cap;
	}
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		r->oom = true;
		return;
	}
	c = &r->v[r->n++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	snprintf(c->code, sizeof(c->code), "%s", code);
	snprintf(c->spec, sizeof(c->spec), "%s", spec);
	snprintf(c->where, sizeof(c->where), "%s", where);
	c->msg = msg;
}

void verify_report_free(struct verify_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].msg);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

size_t verify_count(const struct verify_report *r, enum vcheck_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += r->v[i].kind == kind;
	return n;
}

const char *vcheck_kind_name(enum vcheck_kind kind)
{
	switch (kind) {
	case VC_DIFF:
		return "difference";
	case VC_UNKNOWN:
		return "unknown";
	default:
		return "note";
	}
}

static bool same_entry(const struct mdst_entry *a, const struct mdst_entry *b)
{
	return a->raw_addr == b->raw_addr && a->region == b->region &&
	       a->dump_type == b->dump_type && a->reserved == b->reserved && a->size == b->size;
}

/* End of main RAM (ranges that are not HOMER or ROM), which every input format carries. */
static uint64_t main_ram_end(const struct guest_mem *gm)
{
	uint64_t end = 0;

	for (size_t i = 0; i < gm->nranges; i++)
		if (!(gm->ranges[i].flags & GM_RANGE_AUX) &&
		    gm->ranges[i].gpa + gm->ranges[i].size > end)
			end = gm->ranges[i].gpa + gm->ranges[i].size;
	return end;
}

int verify_same_guest(const struct verify_inputs *in, struct mp_err *err)
{
	const struct mpipl_tables *a = in->pre_a->tables, *b = in->post_a->tables;
	const char *post = in->post->path;

	if (main_ram_end(in->pre) != main_ram_end(in->post))
		return mp_fail(err, MP_EINPUT,
			       "%s: not the same guest as %s: its main RAM ends at 0x%llx, PRE's "
			       "at 0x%llx",
			       post, in->pre->path, (unsigned long long)main_ram_end(in->post),
			       (unsigned long long)main_ram_end(in->pre));
	if (in->pre_a->layout.mdst.addr != in->post_a->layout.mdst.addr)
		return mp_fail(err, MP_EINPUT,
			       "%s: not the same guest as %s: its MDST is at 0x%llx, PRE's at 0x%llx",
			       post, in->pre->path, (unsigned long long)in->post_a->layout.mdst.addr,
			       (unsigned long long)in->pre_a->layout.mdst.addr);
	/* The firmware step reads MDST and MDDT and never writes them. */
	for (unsigned i = 0; i < a->mdst_slots && i < b->mdst_slots; i++)
		if (!same_entry(&a->mdst[i], &b->mdst[i]) || !same_entry(&a->mddt[i], &b->mddt[i]))
			return mp_fail(err, MP_EINPUT,
				       "%s: not the same guest as %s: %s entry %u differs (the "
				       "firmware step never writes it)",
				       post, in->pre->path,
				       same_entry(&a->mdst[i], &b->mdst[i]) ? "MDDT" : "MDST", i);
	return 0;
}

/* First offset where a and b differ in [addr, addr + len), or len. */
static int first_difference(struct guest_mem *a, struct guest_mem *b, uint64_t addr,
			    uint64_t len, uint8_t *ba, uint8_t *bb, uint64_t *at,
			    struct mp_err *err)
{
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < VERIFY_IO_CHUNK ? (size_t)(len - done) : VERIFY_IO_CHUNK;

		if (gm_read(a, addr + done, ba, n, err) || gm_read(b, addr + done, bb, n, err))
			return -1;
		if (memcmp(ba, bb, n) != 0) {
			size_t k = 0;

			while (ba[k] == bb[k])
				k++;
			*at = done + k;
			return 0;
		}
		done += n;
	}
	*at = len;
	return 0;
}

static int verify_region(const struct verify_inputs *in, const struct preserve_entry *e,
			 uint8_t *ba, uint8_t *bb, struct verify_report *r, struct mp_err *err)
{
	uint64_t dst = e->dst.addr, len = e->dst.size, at, untouched;
	char where[96];

	snprintf(where, sizeof(where), "MDST %u -> 0x%llx", e->index, (unsigned long long)dst);
	if (len == 0)
		return 0;
	r->c.regions++;
	r->c.fields++;
	if (!gm_contains(in->pre, dst, len) || !gm_contains(in->post, dst, len)) {
		vreport(r, VC_NOTE, "region-outside-ram", "mpipl.md 8", where,
			"destination 0x%llx+0x%llx is not wholly guest RAM: not compared",
			(unsigned long long)dst, (unsigned long long)len);
		return 0;
	}
	if (first_difference(in->pre, in->post, dst, len, ba, bb, &at, err))
		return -1;
	if (at == len) {
		r->c.regions_ok++;
		return 0;
	}
	if (first_difference(in->pre_orig, in->post, dst, len, ba, bb, &untouched, err))
		return -1;
	if (untouched == len)
		vreport(r, VC_DIFF, "region-not-copied", "mpipl.md 2.4", where,
			"the %s profile copies 0x%llx bytes from 0x%llx here (%s); POST still holds "
			"PRE's bytes",
			profile_name(r->profile), (unsigned long long)len,
			(unsigned long long)e->src.addr, entry_outcome_name(e->outcome));
	else
		vreport(r, VC_DIFF, "region-differs", "mpipl.md 2.4", where,
			"first difference at offset 0x%llx (guest address 0x%llx) of 0x%llx bytes",
			(unsigned long long)at, (unsigned long long)(dst + at),
			(unsigned long long)len);
	return 0;
}

static int verify_regions(const struct verify_inputs *in, struct verify_report *r,
			  struct mp_err *err)
{
	uint8_t *ba = mp_malloc(VERIFY_IO_CHUNK, err), *bb = mp_malloc(VERIFY_IO_CHUNK, err);
	int rc = 0;

	if (!ba || !bb)
		rc = -1;
	for (unsigned i = 0; rc == 0 && i < in->pr->nentries; i++)
		rc = verify_region(in, &in->pr->entry[i], ba, bb, r, err);
	free(ba);
	free(bb);
	return rc;
}

static void mdrt_u64(struct verify_report *r, const char *where, const char *field,
		     uint64_t want, uint64_t got, uint32_t size)
{
	char at[96];

	r->c.fields++;
	if (want == got)
		return;
	snprintf(at, sizeof(at), "%s %s", where, field);
	if (r->profile == PROFILE_HDAT && size &&
	    got == want + qemu_chunk_count(size) * QEMU_COPY_CHUNK)
		vreport(r, VC_DIFF, "qemu-mdrt-addr-advanced", "mpipl.md 2.4", at,
			"expected 0x%llx, found 0x%llx: the address after QEMU's copy loop (%llu x "
			"32 MiB chunks on), so skiboot and Linux read the wrong memory",
			(unsigned long long)want, (unsigned long long)got,
			(unsigned long long)qemu_chunk_count(size));
	else
		vreport(r, VC_DIFF, "mdrt-field-differs", "mpipl.md 2.2", at,
			"expected 0x%llx, found 0x%llx", (unsigned long long)want,
			(unsigned long long)got);
}

static void verify_mdrt_slot(struct verify_report *r, unsigned i, const uint8_t *praw,
			     const uint8_t *qraw)
{
	struct mdrt_entry p, q;
	char where[32];

	snprintf(where, sizeof(where), "MDRT %u", i);
	if (memcmp(praw, qraw, MDRT_ENTRY_SIZE) == 0) {
		r->c.fields += 7; /* src, dest, region, dump_type, reserved, size, padding */
		return;
	}
	r->c.fields++;
	if (mem_is_zero(qraw, MDRT_ENTRY_SIZE)) {
		vreport(r, VC_DIFF, "mdrt-entry-missing", "mpipl.md 2.4", where,
			"the profile writes an entry here; POST's slot is empty");
		return;
	}
	mdrt_entry_decode(praw, &p);
	mdrt_entry_decode(qraw, &q);
	if (mem_is_zero(praw, MDRT_ENTRY_SIZE)) {
		vreport(r, VC_DIFF, "mdrt-entry-extra", "mpipl.md 2.4", where,
			"POST has {src 0x%llx, dest 0x%llx, region 0x%02x, size 0x%x}; the profile "
			"leaves the slot empty",
			(unsigned long long)q.src, (unsigned long long)q.dest, q.region, q.size);
		return;
	}
	mdrt_u64(r, where, "src", p.src, q.src, p.size);
	mdrt_u64(r, where, "dest", p.dest, q.dest, p.size);
	mdrt_u64(r, where, "data_region", p.region, q.region, 0);
	mdrt_u64(r, where, "dump_type", p.dump_type, q.dump_type, 0);
	mdrt_u64(r, where, "reserved", p.reserved, q.reserved, 0);
	mdrt_u64(r, where, "size", p.size, q.size, 0);
	mdrt_u64(r, where, "padding", p.padding, q.padding, 0);
}

static int verify_mdrt(const struct verify_inputs *in, struct verify_report *r,
		       struct mp_err *err)
{
	const struct table_loc *loc = &in->pre_a->layout.mdrt;
	unsigned slots = loc->alloc_cnt && loc->alloc_cnt < MDRT_MAX_ENTRIES ? loc->alloc_cnt
									     : MDRT_MAX_ENTRIES;
	size_t len = (size_t)slots * MDRT_ENTRY_SIZE;
	uint8_t *p = mp_malloc(len, err), *q = mp_malloc(len, err);
	int rc = -1;

	if (!p || !q)
		goto out;
	if (!gm_contains(in->pre, loc->addr, len) || !gm_contains(in->post, loc->addr, len)) {
		vreport(r, VC_NOTE, "mdrt-outside-ram", "mpipl.md 8", "MDRT",
			"the MDRT area 0x%llx+0x%zx is not guest RAM: not compared",
			(unsigned long long)loc->addr, len);
		rc = 0;
		goto out;
	}
	if (gm_read(in->pre, loc->addr, p, len, err) || gm_read(in->post, loc->addr, q, len, err))
		goto out;
	for (unsigned i = 0; i < slots; i++) {
		r->c.mdrt_entries += !mem_is_zero(q + i * MDRT_ENTRY_SIZE, MDRT_ENTRY_SIZE);
		verify_mdrt_slot(r, i, p + i * MDRT_ENTRY_SIZE, q + i * MDRT_ENTRY_SIZE);
	}
	rc = 0;
out:
	free(p);
	free(q);
	return rc;
}

int verify_compare(const struct verify_inputs *in, struct verify_report *r, struct mp_err *err)
{
	memset(r, 0, sizeof(*r));
	r->profile = in->pr->profile;
	if (verify_regions(in, r, err) || verify_mdrt(in, r, err) || verify_threads(in, r, err))
		return -1;
	if (r->oom)
		return mp_fail(err, MP_ENOMEM, "out of memory recording the comparison");
	return 0;
}
