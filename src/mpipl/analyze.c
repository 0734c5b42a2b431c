// SPDX-License-Identifier: GPL-2.0-or-later
#include "analyze.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "preserve.h"
#include "regsave.h"
#include "../util/bytes.h"

static void check_address(struct guest_mem *gm, struct findings *f, unsigned i,
			  const char *table, const struct mdst_entry *e)
{
	/* addr < 2^63 and size < 2^32: the sum cannot wrap. */
	if (!(e->raw_addr & HRMOR_BIT))
		findings_add(f, FINDING_INFO, "entry-no-hrmor", "mpipl.md 8",
			     "%s entry %u: address 0x%llx lacks the HRMOR bit skiboot sets "
			     "(masked either way)",
			     table, i, (unsigned long long)e->raw_addr);
	if (!gm_contains(gm, e->addr, e->size))
		findings_add(f, FINDING_WARNING, "entry-outside-ram", "mpipl.md 8",
			     "%s entry %u: 0x%llx+0x%x is not (wholly) in guest RAM: the entry "
			     "is skipped (hdat) or copied part-way and dropped (qemu)",
			     table, i, (unsigned long long)e->addr, e->size);
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static void check_overlaps(const struct mpipl_tables *t, unsigned n, struct findings *f)
{
	for (unsigned i = 0; i < n; i++) {
		const struct mdst_entry *d = &t->mddt[i];

		for (unsigned k = 0; k < n; k++) {
			const struct mdst_entry *s = &t->mdst[k];

			if (!ranges_overlap(d->addr, d->size, s->addr, s->size))
				continue;
			findings_add(f, FINDING_WARNING,
				     k > i ? "dest-overlaps-later-source" : "dest-overlaps-source",
				     "mpipl.md 2.4",
				     "MDDT entry %u (0x%llx+0x%x) overlaps the source of MDST entry %u: "
				     "%s",
				     i, (unsigned long long)d->addr, d->size, k,
				     k > i ? "that entry copies data already overwritten"
				     : k == i ? "copied with memmove semantics (qemu: forward 32 MiB "
						"chunks)"
					      : "the earlier source is overwritten after its copy");
		}
	}
}

static void check_entries(struct guest_mem *gm, struct mpipl_analysis *a)
{
	const struct mpipl_tables *t = a->tables;
	struct findings *f = &a->findings;
	unsigned n = t->qemu_count > t->hdat_count ? t->qemu_count : t->hdat_count;

	if (n == 0)
		findings_add(f, FINDING_WARNING, "mdst-empty", "mpipl.md 8",
			     "MDST has no entries: nothing would be preserved");
	for (unsigned i = 0; i < n; i++) {
		const struct mdst_entry *s = &t->mdst[i], *d = &t->mddt[i];
		uint64_t chunks = qemu_chunk_count(d->size);

		if (s->size != d->size)
			findings_add(f, FINDING_WARNING, "size-mismatch", "mpipl.md 2.4",
				     "entry %u: MDST size 0x%x != MDDT size 0x%x: skipped", i,
				     s->size, d->size);
		else if (s->region != d->region)
			findings_add(f, FINDING_WARNING, "region-mismatch", "mpipl.md 2.4",
				     "entry %u: MDST region 0x%02x != MDDT region 0x%02x: skipped", i,
				     s->region, d->region);
		check_address(gm, f, i, "MDST", s);
		check_address(gm, f, i, "MDDT", d);
		if (chunks * QEMU_COPY_CHUNK < d->size)
			findings_add(f, FINDING_WARNING, "qemu-float-chunks", "mpipl.md 2.4",
				     "entry %u: size 0x%x rounds to %llu chunks in single precision: "
				     "the qemu profile loses the tail",
				     i, d->size, (unsigned long long)chunks);
	}
	check_overlaps(t, n, f);
	if (t->mdst[0].region != REGION_OPAL && n > 0)
		findings_add(f, FINDING_INFO, "mdst-no-opal-entry", "mpipl.md 2.1",
			     "MDST entry 0 is region 0x%02x, not OPAL (0x03): no dump node at boot, "
			     "or the tables are not skiboot's",
			     t->mdst[0].region);
}

static int read_thread(struct guest_mem *gm, uint64_t at, const struct thread_hdr *first,
		       struct thread_regs *tr)
{
	uint64_t span = regsave_span(first);
	uint8_t hdr[THREAD_HDR_SIZE];
	struct thread_hdr h;
	struct mp_err err;
	uint8_t *rec;

	if (gm_read(gm, at, hdr, sizeof(hdr), &err))
		return -1;
	thread_hdr_decode(hdr, &h);
	tr->pir = h.pir;
	tr->core_state = h.core_state;
	if (span > ANALYZE_MAX_THREAD_SPAN || !gm_contains(gm, at, span))
		return 0;
	rec = malloc(span);
	if (!rec)
		return 0;
	if (gm_read(gm, at, rec, span, &err) == 0)
		tr->parsed = regsave_parse(rec, span, first, tr->regs) == 0;
	free(rec);
	return 0;
}

/* The CPU tag and thread parse as skiboot and opal_fadump_build_cpu_notes do. */
static void analyze_cpu_data(struct guest_mem *gm, struct mpipl_analysis *a)
{
	const struct proc_dump_area *p = &a->tables->proc;
	struct findings *f = &a->findings;
	uint64_t dest = p->dest_addr & ~HRMOR_BIT, n;
	uint8_t hdr[THREAD_HDR_SIZE];
	struct mp_err err;

	if (!a->tables->proc_ok)
		return;
	a->cpu_tag = p->dest_addr != 0 && p->act_size != 0;
	if (!a->cpu_tag) {
		mp_set_str(&a->cpu_data_note,
			   "no CPU data: processor dump area dest_addr/act_size are 0 "
			   "(pre-MPIPL image, or firmware saved no registers)");
		return;
	}
	if (p->thread_size == 0 || p->thread_size > p->act_size) {
		mp_set_str(&a->cpu_data_note,
			   "thread_size %u with act_size %u: Linux ignores the CPU data and uses "
			   "the crashing CPU's registers alone",
			   p->thread_size, p->act_size);
		findings_add(f, FINDING_WARNING, "cpu-data-invalid", "mpipl.md 6.4", "%s",
			     a->cpu_data_note ? a->cpu_data_note : "thread_size/act_size invalid");
		return;
	}
	if (p->version != 1)
		findings_add(f, FINDING_WARNING, "cpu-data-version", "mpipl.md 6.4",
			     "processor dump area version %u, Linux expects 1 (warning only)",
			     p->version);
	if (p->act_size % p->thread_size)
		findings_add(f, FINDING_INFO, "act-size-not-multiple", "mpipl.md 8",
			     "act_size %u is not a multiple of thread_size %u: rounded down",
			     p->act_size, p->thread_size);
	n = p->act_size / p->thread_size;
	if (n > ANALYZE_MAX_THREADS) {
		findings_add(f, FINDING_WARNING, "too-many-threads", "mpipl.md 6.4",
			     "%llu thread records; only the first %u are read",
			     (unsigned long long)n, ANALYZE_MAX_THREADS);
		n = ANALYZE_MAX_THREADS;
	}
	if (gm_read(gm, dest, hdr, sizeof(hdr), &err)) {
		findings_add(f, FINDING_ERROR, "threads-outside-ram", "mpipl.md 6.4",
			     "thread records at 0x%llx are outside guest RAM",
			     (unsigned long long)dest);
		return;
	}
	thread_hdr_decode(hdr, &a->first_thread);
	if (a->first_thread.offset != THREAD_HDR_SIZE - THREAD_OFFSET_FIELD_POS)
		findings_add(f, FINDING_INFO, "thread-offset", "mpipl.md 4.2",
			     "thread header offset is %u, not 16: Linux reads the entries from "
			     "header+%u, so %s",
			     a->first_thread.offset, 8 + a->first_thread.offset,
			     a->first_thread.offset == 0
				     ? "it sees a bogus entry first and never reads the last one "
				       "(QEMU's value)"
				     : "the entries are shifted");
	a->threads = calloc(n, sizeof(*a->threads));
	if (!a->threads)
		return;
	a->cpu_data_valid = true;
	for (uint64_t i = 0; i < n; i++) {
		if (read_thread(gm, dest + i * p->thread_size, &a->first_thread, &a->threads[i]))
			break;
		a->nthreads++;
	}
}

static void analyze_crash_info(struct guest_mem *gm, const struct analyze_opts *o,
			       struct mpipl_analysis *a)
{
	struct findings *f = &a->findings;
	struct mp_err err;
	uint64_t d = a->config.dest_base, end;

	if (crash_info_read(gm, a->kmeta.fadumphdr_addr, o->endian, &o->legacy, &a->ci, &err)) {
		mp_set_str(&a->crash_info_error, "%s", err.msg);
		findings_add(f, FINDING_ERROR, "crash-info-invalid", "mpipl.md 6.1", "%s", err.msg);
		return;
	}
	a->have_crash_info = true;
	if (a->ci.kind == CRASH_HDR_INF) {
		findings_add(f, FINDING_INFO, "crash-info-legacy", "mpipl.md 6.1",
			     "legacy FADMPINF header (kernel before 6.10): the first kernel built "
			     "the elfcorehdr at 0x%llx",
			     (unsigned long long)a->ci.elfcorehdr_addr);
		return;
	}
	if (a->have_config && add_u64_ok(d, a->config.boot_mem_size, &end) &&
	    (a->ci.vmcoreinfo_raddr < d || a->ci.vmcoreinfo_raddr >= end))
		findings_add(f, FINDING_WARNING, "vmcoreinfo-outside-dest", "mpipl.md 6.1",
			     "vmcoreinfo_raddr 0x%llx is outside the preserved copy 0x%llx-0x%llx",
			     (unsigned long long)a->ci.vmcoreinfo_raddr, (unsigned long long)d,
			     (unsigned long long)end);
	if (a->ci.vmcoreinfo_size != 36 + 4096 && a->ci.vmcoreinfo_size != 36 + 65536)
		findings_add(f, FINDING_INFO, "vmcoreinfo-size", "mpipl.md 11",
			     "vmcoreinfo_size 0x%llx is not 36 + a page size (kernels with an "
			     "8 KiB buffer differ; warning only)",
			     (unsigned long long)a->ci.vmcoreinfo_size);
}

static void analyze_kernel(struct guest_mem *gm, const struct analyze_opts *o,
			   struct mpipl_analysis *a)
{
	const struct mpipl_tables *t = a->tables;
	struct findings *f = &a->findings;
	struct mp_err err;

	if (!t->meta_ok)
		return;
	if (t->meta.kernel_tag == 0) {
		findings_add(f, FINDING_WARNING, "no-kernel-tag", "mpipl.md 8",
			     "skiboot metadata holds no KERNEL tag: the kernel has not registered "
			     "fadump (or the tables are not at this base)");
		return;
	}
	a->kernel_tag = true;
	if (kernel_meta_read(gm, t->meta.kernel_tag & ~HRMOR_BIT, &a->kmeta, f, &err)) {
		mp_set_str(&a->kernel_meta_error, "%s", err.msg);
		findings_add(f, FINDING_ERROR, "kernel-meta-invalid", "mpipl.md 5.2", "%s", err.msg);
		return;
	}
	a->have_kernel_meta = true;
	if (fadump_config_derive(&a->kmeta, &a->config, &err) == 0)
		a->have_config = true;
	else {
		mp_set_str(&a->kernel_meta_error, "%s", err.msg);
		findings_add(f, FINDING_ERROR, "kernel-regions-invalid", "mpipl.md 6.2", "%s",
			     err.msg);
	}
	if (t->meta.boot_mem_size && a->have_config &&
	    t->meta.boot_mem_size != a->config.boot_mem_top)
		findings_add(f, FINDING_INFO, "boot-mem-tag", "mpipl.md 5.1",
			     "BOOT_MEM tag 0x%llx differs from the regions' boot memory top 0x%llx",
			     (unsigned long long)t->meta.boot_mem_size,
			     (unsigned long long)a->config.boot_mem_top);
	analyze_crash_info(gm, o, a);
}

int mpipl_analyze(struct guest_mem *gm, const struct analyze_opts *o, struct mpipl_analysis *a,
		  struct mp_err *err)
{
	uint64_t base = o->base;

	memset(a, 0, sizeof(*a));
	if (gm->salvaged_why)
		findings_add(&a->findings, FINDING_WARNING, "input-salvaged", "qemu-inputs.md 11",
			     "%s", gm->salvaged_why);
	if (o->base_given) {
		mp_set_str(&a->base_how, "given with --base");
		if (locate_devtree(gm, base, &a->dt, err))
			goto fail;
	} else {
		struct base_choice c;

		if (locate_base(gm, &c, &a->findings, err))
			goto fail;
		base = c.base;
		a->dt = c.dt;
		free(a->base_how);
		a->base_how = c.how; /* taken over */
	}
	if (layout_resolve(gm, base, o->layout, &a->layout, &a->findings, err))
		goto fail;
	a->tables = mp_calloc(1, sizeof(*a->tables), err);
	if (!a->tables || tables_read(gm, &a->layout, a->tables, &a->findings, err))
		goto fail;
	a->post_mpipl = a->tables->mdrt_ok && a->tables->mdrt_used > 0;
	check_entries(gm, a);
	analyze_cpu_data(gm, a);
	analyze_kernel(gm, o, a);
	return 0;
fail:
	mpipl_analysis_free(a);
	return -1;
}

void mpipl_analysis_free(struct mpipl_analysis *a)
{
	free(a->tables);
	free(a->threads);
	findings_free(&a->findings);
	free(a->base_how);
	free(a->cpu_data_note);
	free(a->kernel_meta_error);
	free(a->crash_info_error);
	a->tables = NULL;
	a->threads = NULL;
	a->base_how = a->cpu_data_note = a->kernel_meta_error = a->crash_info_error = NULL;
}
