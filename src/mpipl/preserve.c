// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The preserve step, in two profiles:
 *  - hdat: what firmware is specified to do. Entries paired by index up to
 *    SPIRA-H's act_cnt, checked, copied whole with memmove semantics; MDRT
 *    with the original addresses, the rest of its area zeroed.
 *  - qemu: the QEMU patch's newest code (QM-L), bugs included: 32 MiB chunks
 *    counted in single precision, MDRT addresses advanced past the copy,
 *    MDRT tail untouched, thread offset 0. qemu-v2 copies the same way;
 *    qemu-chunk-carry keeps its chunk counter from one entry to the next.
 */
#include "preserve.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s0cpu.h"
#include "../util/bytes.h"

uint64_t qemu_chunk_count(uint32_t len)
{
	/* QEMU: ceil((data_len * 1.0f) / COPY_CHUNK_SIZE), all in float. */
	volatile float quotient = (float)len / (float)QEMU_COPY_CHUNK;

	return (uint64_t)ceil((double)quotient);
}

const char *entry_outcome_name(enum entry_outcome o)
{
	switch (o) {
	case ENTRY_PRESERVED:
		return "preserved";
	case ENTRY_FAILED:
		return "failed";
	default:
		return "skipped";
	}
}

static void outcome(struct preserve_entry *e, enum entry_outcome o, struct findings *f,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void outcome(struct preserve_entry *e, enum entry_outcome o, struct findings *f,
		    const char *fmt, ...)
{
	va_list ap;

	e->outcome = o;
	free(e->reason);
	va_start(ap, fmt);
	if (vasprintf(&e->reason, fmt, ap) < 0)
		e->reason = NULL;
	va_end(ap);
	if (o != ENTRY_PRESERVED)
		findings_add(f, FINDING_WARNING, o == ENTRY_FAILED ? "entry-copy-failed"
								   : "entry-skipped",
			     "mpipl.md 2.4", "MDST entry %u %s: %s", e->index,
			     entry_outcome_name(o), e->reason ? e->reason : "");
}

/* Pairing checks both profiles make (QEMU: size first, then region). */
static bool pair_mismatch(struct preserve_entry *e, struct findings *f)
{
	if (e->src.size != e->dst.size) {
		outcome(e, ENTRY_SKIPPED, f, "size mismatch: MDST 0x%x, MDDT 0x%x", e->src.size,
			e->dst.size);
		return true;
	}
	if (e->src.region != e->dst.region) {
		outcome(e, ENTRY_SKIPPED, f, "region mismatch: MDST 0x%02x, MDDT 0x%02x",
			e->src.region, e->dst.region);
		return true;
	}
	return false;
}

/*
 * Write the RAM parts of [dst, dst + len) from [src, src + len) as one
 * bounce-buffered chunk: pieces go in memmove order so that an overlapping
 * source is read before it is overwritten.
 */
static int copy_ram_parts(struct guest_mem *gm, uint64_t dst, uint64_t src, uint64_t len,
			  uint64_t *written, struct mp_err *err)
{
	bool backward = dst > src;

	*written = 0;
	for (size_t k = 0; k < gm->nranges; k++) {
		size_t i = backward ? gm->nranges - 1 - k : k;
		const struct gm_range *r = &gm->ranges[i];
		uint64_t lo = dst > r->gpa ? dst : r->gpa;
		uint64_t hi = dst + len < r->gpa + r->size ? dst + len : r->gpa + r->size;

		if (lo >= hi)
			continue;
		if (gm_copy(gm, lo, src + (lo - dst), hi - lo, err))
			return -1;
		*written += hi - lo;
	}
	return 0;
}

/*
 * QEMU's chunk loop for one entry, from chunk *chunk_id on. The counter
 * starts at 0 for each entry, except in the chunk-carry profile, whose QEMU
 * declared it once for all entries (mpipl.md 2.4 point 3): there a later
 * entry starts where the last one stopped, copying from its unadvanced
 * source and recording the addresses it advanced to.
 */
static int qemu_copy_entry(struct guest_mem *gm, struct preserve_entry *e, uint64_t *chunk_id,
			   uint64_t *src_after, uint64_t *dst_after, struct findings *f,
			   struct mp_err *err)
{
	uint64_t src = e->src.addr, dst = e->dst.addr, len = e->dst.size;
	uint64_t nchunks = qemu_chunk_count(e->dst.size);

	if (nchunks * QEMU_COPY_CHUNK < len)
		findings_add(f, FINDING_WARNING, "qemu-float-chunks", "mpipl.md 2.4",
			     "MDST entry %u: size 0x%llx rounds to %llu chunks in single precision: "
			     "QEMU leaves the last 0x%llx bytes uncopied",
			     e->index, (unsigned long long)len, (unsigned long long)nchunks,
			     (unsigned long long)(len - nchunks * QEMU_COPY_CHUNK));
	for (; *chunk_id < nchunks; ++*chunk_id) {
		/* As in QEMU, len - k * 32 MiB wraps when float rounding added a chunk. */
		uint64_t clen = len - *chunk_id * QEMU_COPY_CHUNK;
		uint64_t written;

		if (clen > QEMU_COPY_CHUNK)
			clen = QEMU_COPY_CHUNK;
		if (!gm_contains(gm, src, clen)) {
			outcome(e, ENTRY_FAILED, f,
				"read of 0x%llx bytes at 0x%llx (chunk %llu) is outside guest RAM",
				(unsigned long long)clen, (unsigned long long)src,
				(unsigned long long)*chunk_id);
			return 0;
		}
		if (copy_ram_parts(gm, dst, src, clen, &written, err))
			return -1;
		e->copied += written;
		if (written < clen) {
			outcome(e, ENTRY_FAILED, f,
				"write of 0x%llx bytes at 0x%llx (chunk %llu) runs outside guest RAM",
				(unsigned long long)clen, (unsigned long long)dst,
				(unsigned long long)*chunk_id);
			return 0;
		}
		src += QEMU_COPY_CHUNK;
		dst += QEMU_COPY_CHUNK;
	}
	*src_after = src;
	*dst_after = dst;
	e->outcome = ENTRY_PRESERVED;
	return 0;
}

static int preserve_mem_qemu(struct guest_mem *gm, const struct mpipl_tables *t,
			     struct preserve_report *r, struct findings *f, struct mp_err *err)
{
	uint64_t chunk_id = 0;

	for (unsigned i = 0; i < t->mdst_slots; i++) {
		struct preserve_entry *e = &r->entry[r->nentries];
		uint64_t src_after = 0, dst_after = 0;

		if (mdst_entry_is_terminator(&t->mdst[i]))
			break;
		*e = (struct preserve_entry){ .index = i, .src = t->mdst[i], .dst = t->mddt[i] };
		r->nentries++;
		if (pair_mismatch(e, f))
			continue;
		if (r->profile != PROFILE_QEMU_CHUNK_CARRY)
			chunk_id = 0;
		if (qemu_copy_entry(gm, e, &chunk_id, &src_after, &dst_after, f, err))
			return -1;
		if (e->outcome != ENTRY_PRESERVED)
			continue;
		/* QEMU records the addresses as they are after its chunk loop. */
		r->mdrt[r->nmdrt++] = (struct mdrt_entry){
			.src = src_after,
			.dest = dst_after,
			.region = e->src.region,
			.size = e->dst.size,
		};
	}
	return 0;
}

static bool hdat_checks_fail(struct guest_mem *gm, struct preserve_entry *e,
			     struct findings *f)
{
	uint64_t end;

	if (e->dst.raw_addr == 0 && e->dst.size == 0) {
		outcome(e, ENTRY_SKIPPED, f, "MDDT entry is empty");
		return true;
	}
	if (pair_mismatch(e, f))
		return true;
	if (!add_u64_ok(e->src.addr, e->src.size, &end) || !gm_contains(gm, e->src.addr, e->src.size)) {
		outcome(e, ENTRY_SKIPPED, f, "source 0x%llx+0x%x is not in guest RAM",
			(unsigned long long)e->src.addr, e->src.size);
		return true;
	}
	if (!add_u64_ok(e->dst.addr, e->dst.size, &end) || !gm_contains(gm, e->dst.addr, e->dst.size)) {
		outcome(e, ENTRY_SKIPPED, f, "destination 0x%llx+0x%x is not in guest RAM",
			(unsigned long long)e->dst.addr, e->dst.size);
		return true;
	}
	return false;
}

static int preserve_mem_hdat(struct guest_mem *gm, const struct mpipl_tables *t,
			     struct preserve_report *r, struct findings *f, struct mp_err *err)
{
	for (unsigned i = 0; i < t->hdat_count; i++) {
		struct preserve_entry *e = &r->entry[r->nentries++];

		*e = (struct preserve_entry){ .index = i, .src = t->mdst[i], .dst = t->mddt[i] };
		if (hdat_checks_fail(gm, e, f))
			continue;
		if (gm_copy(gm, e->dst.addr, e->src.addr, e->src.size, err))
			return -1;
		e->copied = e->src.size;
		e->outcome = ENTRY_PRESERVED;
		r->mdrt[r->nmdrt++] = (struct mdrt_entry){
			.src = e->src.addr,
			.dest = e->dst.addr,
			.region = e->src.region,
			.dump_type = e->src.dump_type,
			.size = e->src.size,
		};
	}
	return 0;
}

/* MDRT: n entries; hdat also zeroes the rest of the table's area. */
static int write_mdrt(struct guest_mem *gm, const struct mpipl_layout *l,
		      struct preserve_report *r, struct findings *f, struct mp_err *err)
{
	uint8_t raw[MDST_MAX_ENTRIES * MDRT_ENTRY_SIZE];
	uint64_t area = (uint64_t)(l->mdrt.alloc_cnt ? l->mdrt.alloc_cnt : MDRT_MAX_ENTRIES) *
			MDRT_ENTRY_SIZE;
	uint64_t used = (uint64_t)r->nmdrt * MDRT_ENTRY_SIZE;
	bool hdat = r->profile == PROFILE_HDAT;

	for (unsigned i = 0; i < r->nmdrt; i++)
		mdrt_entry_encode(&r->mdrt[i], raw + i * MDRT_ENTRY_SIZE);
	if (!gm_contains(gm, l->mdrt.addr, hdat ? area : used)) {
		findings_add(f, FINDING_ERROR, "mdrt-write-failed", "mpipl.md 2.4",
			     "MDRT at 0x%llx is outside guest RAM: no MDRT written, and (as in "
			     "QEMU) no CPU data either",
			     (unsigned long long)l->mdrt.addr);
		return 0;
	}
	if (gm_write(gm, l->mdrt.addr, raw, used, err))
		return -1;
	if (hdat && area > used && gm_zero(gm, l->mdrt.addr + used, area - used, err))
		return -1;
	r->mdrt_written = true;
	return 0;
}

static int cpu_area_fits(const struct proc_dump_area *p, struct preserve_report *r,
			 struct findings *f)
{
	uint64_t need = (uint64_t)r->ncpus * r->thread_size;

	if (p->alloc_size >= need)
		return 1;
	mp_set_str(&r->cpu_note,
		   "alloc_size 0x%x is smaller than the 0x%llx bytes %u threads need: no CPU "
		   "data written (Linux falls back to the crashing CPU alone)",
		   p->alloc_size, (unsigned long long)need, r->ncpus);
	findings_add(f, FINDING_WARNING, "alloc-size-too-small", "mpipl.md 4.3", "%s",
		     r->cpu_note ? r->cpu_note : "alloc_size too small");
	return 0;
}

static int write_threads(struct guest_mem *gm, const struct preserve_opts *o,
			 const struct vcpu_state *cpus, struct preserve_report *r,
			 struct findings *f, struct mp_err *err)
{
	uint8_t *rec = mp_malloc(r->thread_size, err);

	if (!rec)
		return -1;
	for (size_t i = 0; i < o->ncpus; i++) {
		uint64_t at = r->thread_addr + i * r->thread_size;

		if (!gm_contains(gm, at, r->thread_size)) {
			mp_set_str(&r->cpu_note,
				   "thread record %zu at 0x%llx is outside guest RAM: CPU data "
				   "incomplete, processor dump area not updated",
				   i, (unsigned long long)at);
			findings_add(f, FINDING_ERROR, "thread-write-failed", "mpipl.md 4.3", "%s",
				     r->cpu_note ? r->cpu_note : "thread record outside RAM");
			free(rec);
			return 1;
		}
		regsave_build(&cpus[i], o->profile, rec);
		if (gm_write(gm, at, rec, r->thread_size, err)) {
			free(rec);
			return -1;
		}
	}
	free(rec);
	return 0;
}

static int write_proc_area(struct guest_mem *gm, const struct mpipl_layout *l,
			   struct preserve_report *r, struct findings *f, struct mp_err *err)
{
	uint8_t raw[PROC_AREA_SIZE];
	uint64_t absolute = l->proc_area.addr - l->base;

	proc_area_encode(&r->proc, raw);
	if (gm_write(gm, l->proc_area.addr, raw, sizeof(raw), err))
		return -1;
	/*
	 * QEMU writes the area at its offset with no base added: the firmware
	 * image was just reloaded at 0, and skiboot carries the area to the base
	 * when it relocates. We write both places in the qemu profile.
	 */
	if (profile_is_qemu(r->profile) && absolute != l->proc_area.addr) {
		if (!gm_contains(gm, absolute, sizeof(raw)))
			findings_add(f, FINDING_WARNING, "proc-area-absolute", "mpipl.md 1",
				     "absolute processor dump area 0x%llx is not guest RAM",
				     (unsigned long long)absolute);
		else if (gm_write(gm, absolute, raw, sizeof(raw), err))
			return -1;
	}
	return 0;
}

/*
 * The vCPU states at S0: the input's, with the thread that raised S0 rewound
 * to the middle of its store when the input was saved after it (s0cpu.h).
 * Returns a malloc'd copy, or NULL with err.
 */
static struct vcpu_state *cpus_at_s0(struct guest_mem *gm, const struct mpipl_tables *t,
				     const struct preserve_opts *o, struct findings *f,
				     struct mp_err *err)
{
	struct vcpu_state *cpus = mp_malloc(o->ncpus * sizeof(*cpus), err);
	long s0;

	if (!cpus)
		return NULL;
	memcpy(cpus, o->cpus, o->ncpus * sizeof(*cpus));
	s0 = s0_vcpu_find(gm, t, cpus, o->ncpus);
	if (s0 >= 0) {
		s0_vcpu_rewind(&cpus[s0]);
		findings_add(f, FINDING_INFO, "s0-vcpu-rewound", "mpipl.md 12",
			     "vCPU PIR 0x%x (skiboot's crashing PIR) had just retired its stdcix "
			     "at 0x%llx when the input was saved: its registers are saved as at "
			     "S0 (NIP at the stdcix, HMER without the xscom completion bits)",
			     cpus[s0].pir, (unsigned long long)cpus[s0].nip);
	}
	return cpus;
}

static int preserve_cpus(struct guest_mem *gm, const struct mpipl_layout *l,
			 const struct mpipl_tables *t, const struct preserve_opts *o,
			 struct preserve_report *r, struct findings *f, struct mp_err *err)
{
	uint8_t raw[PROC_AREA_SIZE];
	struct vcpu_state *cpus;
	int rc;

	r->ncpus = (unsigned)o->ncpus;
	r->thread_size = regsave_thread_size(o->profile);
	if (!o->cpus || o->ncpus == 0) {
		mp_set_str(&r->cpu_note,
			   "no CPU state in the input: no thread records written (pass "
			   "--cpu-state FILE.json)");
		return 0;
	}
	if (!r->mdrt_written) {
		mp_set_str(&r->cpu_note,
			   "the MDRT write failed, so (as in QEMU) no CPU data was written");
		return 0;
	}
	/* Read now: the copies above may have changed the area. */
	if (gm_read(gm, l->proc_area.addr, raw, sizeof(raw), err))
		return mp_wrap(err, "processor dump area");
	proc_area_decode(raw, &r->proc);
	if (!cpu_area_fits(&r->proc, r, f))
		return 0;
	r->thread_addr = r->proc.alloc_addr & ~HRMOR_BIT;
	cpus = cpus_at_s0(gm, t, o, f, err);
	if (!cpus)
		return -1;
	rc = write_threads(gm, o, cpus, r, f, err);
	free(cpus);
	if (rc)
		return rc < 0 ? -1 : 0;
	r->proc.version = 1; /* PROC_DUMP_AREA_VERSION_P9 */
	r->proc.thread_size = r->thread_size;
	r->proc.dest_addr = r->proc.alloc_addr;
	r->proc.act_size = r->ncpus * r->thread_size;
	if (write_proc_area(gm, l, r, f, err))
		return -1;
	r->cpus_written = true;
	return 0;
}

void preserve_report_release(struct preserve_report *r)
{
	for (unsigned i = 0; i < MDST_MAX_ENTRIES; i++) {
		free(r->entry[i].reason);
		r->entry[i].reason = NULL;
	}
	free(r->cpu_note);
	r->cpu_note = NULL;
}

int mpipl_preserve(struct guest_mem *gm, const struct mpipl_layout *l,
		   const struct mpipl_tables *t, const struct preserve_opts *o,
		   struct preserve_report *r, struct findings *f, struct mp_err *err)
{
	preserve_report_release(r);
	memset(r, 0, sizeof(*r));
	r->profile = o->profile;
	if (profile_is_qemu(o->profile) ? preserve_mem_qemu(gm, t, r, f, err)
					: preserve_mem_hdat(gm, t, r, f, err))
		return -1;
	if (write_mdrt(gm, l, r, f, err))
		return -1;
	return preserve_cpus(gm, l, t, o, r, f, err);
}
