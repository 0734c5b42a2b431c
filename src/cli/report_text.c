// SPDX-License-Identifier: GPL-2.0-or-later
/* The human-readable report of inspect. */
#include <inttypes.h>

#include "report.h"
#include "../mpipl/hdat.h"


void report_input_text(FILE *f, const struct guest_mem *gm)
{
	fprintf(f, "input      %s (%s)\n", gm->path, gm->format);
	for (size_t i = 0; i < gm->nranges; i++) {
		const struct gm_range *r = &gm->ranges[i];

		fprintf(f, "  RAM      " X64 "-" X64 "  %8" PRIu64 " MiB  %s%s\n", r->gpa,
			r->gpa + r->size, r->size >> 20, r->name,
			r->flags & GM_RANGE_AUX ? " (not main RAM: left out)" : "");
	}
	if (gm->ncpus == 0)
		fprintf(f, "  vCPUs    none in the input\n");
	for (size_t i = 0; i < gm->ncpus; i++) {
		const struct vcpu_state *c = &gm->cpus[i];

		fprintf(f, "  vCPU %-3zu PIR 0x%-4x NIP " X64 "  LR " X64 "  MSR " X64 "\n", i,
			c->pir, c->nip, c->lr, c->msr);
	}
	for (size_t i = 0; i < gm->notes.n; i++)
		fprintf(f, "  note     %s\n", gm->notes.v[i].msg);
}

static void table_line(FILE *f, const char *name, const struct table_loc *t, bool counts)
{
	fprintf(f, "  %-8s " X64, name, t->addr);
	if (counts)
		fprintf(f, "  %u slots, act_cnt %u", t->alloc_cnt, t->act_cnt);
	fputc('\n', f);
}

static void devtree_text(FILE *f, const struct guest_devtree *dt)
{
	if (!dt->found) {
		fprintf(f, "devtree    none found in skiboot's area\n");
		return;
	}
	fprintf(f, "devtree    " X64 " (%u bytes): opal-base-address %s, /ibm,opal/dump %s%s\n",
		dt->addr, dt->size, dt->have_opal_base ? "present" : "absent",
		dt->dump_node ? "present" : "absent", dt->mpipl_boot ? " with mpipl-boot" : "");
	for (size_t i = 0; i < dt->nmemory; i++)
		fprintf(f, "  memory   " X64 "-" X64 "\n", dt->memory[i].start, dt->memory[i].end);
}

static void layout_text(FILE *f, const struct mpipl_analysis *a)
{
	const struct mpipl_layout *l = &a->layout;

	fprintf(f, "\nbase       0x%" PRIx64 ": %s\n", l->base, a->base_how ? a->base_how : "");
	devtree_text(f, &a->dt);
	fprintf(f, "layout     %s: %s\n", layout_name(l->kind), l->why);
	if (l->spirah_addr)
		fprintf(f, "  SPIRA-H  " X64 "  version 0x%x\n", l->spirah_addr, l->spirah_version);
	table_line(f, "MDST", &l->mdst, l->from_spirah);
	table_line(f, "MDDT", &l->mddt, l->from_spirah);
	table_line(f, "MDRT", &l->mdrt, l->from_spirah);
	table_line(f, "procarea", &l->proc_area, false);
	fprintf(f, "  metadata " X64 "\n", l->metadata);
}

static const char *pair_check(const struct mdst_entry *s, const struct mdst_entry *d)
{
	if (s->size != d->size)
		return "size mismatch";
	if (s->region != d->region)
		return "region mismatch";
	return "ok";
}

static void entries_text(FILE *f, const struct mpipl_tables *t)
{
	unsigned n = t->qemu_count > t->hdat_count ? t->qemu_count : t->hdat_count;

	fprintf(f, "\nMDST/MDDT  %u entr%s (hdat profile pairs %u, qemu profile %u)\n", n,
		n == 1 ? "y" : "ies", t->hdat_count, t->qemu_count);
	if (n)
		fprintf(f, "  %-3s %-18s %-18s %-10s %-13s %s\n", "#", "source", "destination",
			"size", "region", "pairing");
	for (unsigned i = 0; i < n; i++) {
		const struct mdst_entry *s = &t->mdst[i], *d = &t->mddt[i];

		fprintf(f, "  %-3u 0x%016" PRIx64 " 0x%016" PRIx64 " 0x%08x 0x%02x %-8s %s\n", i,
			s->addr, d->addr, s->size, s->region, region_name(s->region),
			pair_check(s, d));
	}
}

static void mdrt_text(FILE *f, const struct mpipl_tables *t)
{
	if (!t->mdrt_ok) {
		fprintf(f, "\nMDRT       not readable\n");
		return;
	}
	fprintf(f, "\nMDRT       %u of %u slots in use\n", t->mdrt_used, t->mdrt_slots);
	for (unsigned i = 0; i < t->mdrt_slots; i++) {
		const struct mdrt_entry *e = &t->mdrt[i];

		if (!e->src && !e->dest && !e->size && !e->region)
			continue;
		fprintf(f, "  %-4u src " X64 "  dest " X64 "  size 0x%08x  region 0x%02x %s\n", i,
			e->src, e->dest, e->size, e->region, region_name(e->region));
	}
}

static void cpu_text(FILE *f, const struct mpipl_analysis *a)
{
	const struct proc_dump_area *p = &a->tables->proc;

	if (!a->tables->proc_ok) {
		fprintf(f, "\nprocessor dump area  not readable\n");
		return;
	}
	fprintf(f, "\nprocessor dump area  " X64 "\n", a->layout.proc_area.addr);
	fprintf(f, "  thread_size %u  version %u  alloc_addr " X64 "  alloc_size 0x%x\n",
		p->thread_size, p->version, p->alloc_addr, p->alloc_size);
	fprintf(f, "  dest_addr " X64 "  act_size 0x%x\n", p->dest_addr, p->act_size);
	if (a->cpu_data_note)
		fprintf(f, "  %s\n", a->cpu_data_note);
	if (a->nthreads)
		fprintf(f, "  threads (offset %u, %u entries of %u bytes; parsed as Linux does):\n",
			a->first_thread.offset, a->first_thread.ecnt, a->first_thread.esize);
	for (size_t i = 0; i < a->nthreads; i++) {
		const struct thread_regs *t = &a->threads[i];

		fprintf(f, "  %-3zu PIR 0x%-4x core_state 0x%02x", i, t->pir, t->core_state);
		if (t->parsed)
			fprintf(f, "  NIP " X64 "  LR " X64 "  MSR " X64 "\n", t->regs[PTREG_NIP],
				t->regs[PTREG_LINK], t->regs[PTREG_MSR]);
		else
			fprintf(f, "  (entries not readable)\n");
	}
}

static void kernel_text(FILE *f, const struct mpipl_analysis *a)
{
	const struct mpipl_tables *t = a->tables;
	const struct kernel_meta *k = &a->kmeta;

	if (t->meta_ok)
		fprintf(f, "\nskiboot metadata  " X64 "  crashing_pir 0x%x  kernel_tag 0x%" PRIx64
			   "  boot_mem_size 0x%" PRIx64 "\n",
			a->layout.metadata, t->meta.crashing_pir, t->meta.kernel_tag,
			t->meta.boot_mem_size);
	if (!a->have_kernel_meta)
		return;
	fprintf(f, "\nkernel metadata  " X64 " (opal_fadump_mem_struct, %s)\n", k->addr,
		k->native_le ? "little-endian: pre-2022 kernel" : "big-endian");
	fprintf(f, "  version %u  region_cnt %u  registered_regions %u  fadumphdr_addr 0x%" PRIx64
		   "\n",
		k->version, k->region_cnt, k->registered_regions, k->fadumphdr_addr);
	for (unsigned i = 0; i < k->region_cnt && i < FADUMP_MAX_REGIONS; i++)
		fprintf(f, "  region %-3u src " X64 "  dest " X64 "  size 0x%" PRIx64 "\n", i,
			k->rgn[i].src, k->rgn[i].dest, k->rgn[i].size);
	if (a->have_config)
		fprintf(f, "  boot memory size 0x%" PRIx64 ", top 0x%" PRIx64
			   ", preserved copy at 0x%" PRIx64 "\n",
			a->config.boot_mem_size, a->config.boot_mem_top, a->config.dest_base);
}

static void crash_info_text(FILE *f, const struct mpipl_analysis *a)
{
	const struct crash_info *ci = &a->ci;

	if (!a->have_kernel_meta)
		return;
	if (!a->have_crash_info) {
		fprintf(f, "\ncrash info header  invalid: %s\n",
			a->crash_info_error ? a->crash_info_error : "");
		return;
	}
	fprintf(f, "\ncrash info header  " X64 " (%s, %s-endian)\n", ci->addr,
		ci->kind == CRASH_HDR_SIG ? "FADMPSIG" : "FADMPINF legacy",
		ci->big_endian ? "big" : "little");
	if (ci->kind == CRASH_HDR_SIG)
		fprintf(f, "  version %u  crashing_cpu 0x%x  vmcoreinfo 0x%" PRIx64 "+0x%" PRIx64
			   "  pt_regs %u B  cpu_mask %u B\n",
			ci->version, ci->crashing_cpu, ci->vmcoreinfo_raddr, ci->vmcoreinfo_size,
			ci->pt_regs_sz, ci->cpu_mask_sz);
	else
		fprintf(f, "  crashing_cpu 0x%x  elfcorehdr_addr 0x%" PRIx64 "\n", ci->crashing_cpu,
			ci->elfcorehdr_addr);
	fprintf(f, "  crashing CPU regs  NIP " X64 "  LR " X64 "  MSR " X64 "\n",
		ci->regs[PTREG_NIP], ci->regs[PTREG_LINK], ci->regs[PTREG_MSR]);
}

void report_analysis_text(FILE *f, const struct mpipl_analysis *a)
{
	layout_text(f, a);
	fprintf(f, "state      %s\n",
		a->post_mpipl ? "post-MPIPL: the MDRT lists preserved regions"
			      : "pre-MPIPL: the MDRT is empty (preserve has not run)");
	entries_text(f, a->tables);
	mdrt_text(f, a->tables);
	cpu_text(f, a);
	kernel_text(f, a);
	crash_info_text(f, a);
}

void report_findings_text(FILE *f, const struct findings *fs)
{
	fprintf(f, "\nfindings   %zu error(s), %zu warning(s), %zu note(s)\n",
		findings_count(fs, FINDING_ERROR), findings_count(fs, FINDING_WARNING),
		findings_count(fs, FINDING_INFO));
	for (size_t i = 0; i < fs->n; i++)
		fprintf(f, "  %-7s %-28s [%s] %s\n", finding_level_name(fs->v[i].level),
			fs->v[i].code, fs->v[i].spec, fs->v[i].msg);
}
