// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The --json report (schema documented in mpiplctl(1), JSON OUTPUT).
 *
 * Each *_json function writes a different object of the schema; they share
 * json_out's shape (null when absent, then one jo_* call per member), which
 * `duplicates` pairs by shape. Members are not repeated across objects.
 */
#include "cli.h"
#include "report.h"
#include "../mpipl/hdat.h"

void report_header_json(struct json_out *j, const char *command)
{
	jo_string(j, "tool", "mpiplctl");
	jo_string(j, "version", MPIPLCTL_VERSION);
	jo_uint(j, "schema", JSON_SCHEMA_VERSION);
	jo_string(j, "command", command);
}

void report_input_json(struct json_out *j, const struct guest_mem *gm)
{
	jo_object(j, "input");
	jo_string(j, "path", gm->path);
	jo_string(j, "format", gm->format);
	jo_array(j, "ram");
	for (size_t i = 0; i < gm->nranges; i++) {
		jo_object(j, NULL);
		jo_hex(j, "gpa", gm->ranges[i].gpa);
		jo_uint(j, "size", gm->ranges[i].size);
		jo_string(j, "name", gm->ranges[i].name);
		jo_bool(j, "main", !(gm->ranges[i].flags & GM_RANGE_AUX));
		jo_end_object(j);
	}
	jo_end_array(j);
	jo_array(j, "vcpus");
	for (size_t i = 0; i < gm->ncpus; i++) {
		jo_object(j, NULL);
		jo_hex(j, "pir", gm->cpus[i].pir);
		jo_hex(j, "nip", gm->cpus[i].nip);
		jo_hex(j, "lr", gm->cpus[i].lr);
		jo_hex(j, "msr", gm->cpus[i].msr);
		jo_end_object(j);
	}
	jo_end_array(j);
	jo_array(j, "notes");
	for (size_t i = 0; i < gm->notes.n; i++)
		jo_string(j, NULL, gm->notes.v[i].msg);
	jo_end_array(j);
	jo_end_object(j);
}

static void table_json(struct json_out *j, const char *key, const struct table_loc *t)
{
	jo_object(j, key);
	jo_hex(j, "addr", t->addr);
	jo_uint(j, "slots", t->alloc_cnt);
	jo_uint(j, "act_cnt", t->act_cnt);
	jo_end_object(j);
}

static void layout_json(struct json_out *j, const struct mpipl_layout *l)
{
	jo_object(j, "layout");
	jo_hex(j, "base", l->base);
	jo_string(j, "kind", layout_name(l->kind));
	jo_string(j, "source", l->from_spirah ? "spirah" : "fixed");
	jo_string(j, "why", l->why);
	if (l->spirah_addr)
		jo_hex(j, "spirah", l->spirah_addr);
	else
		jo_null(j, "spirah");
	table_json(j, "mdst", &l->mdst);
	table_json(j, "mddt", &l->mddt);
	table_json(j, "mdrt", &l->mdrt);
	jo_hex(j, "proc_dump_area", l->proc_area.addr);
	jo_hex(j, "metadata", l->metadata);
	jo_end_object(j);
}

static void mdst_entry_json(struct json_out *j, const char *key, const struct mdst_entry *e)
{
	jo_object(j, key);
	jo_hex(j, "addr", e->addr);
	jo_hex(j, "raw_addr", e->raw_addr);
	jo_hex(j, "region", e->region);
	jo_string(j, "region_name", region_name(e->region));
	jo_hex(j, "dump_type", e->dump_type);
	jo_uint(j, "size", e->size);
	jo_end_object(j);
}

static void entries_json(struct json_out *j, const struct mpipl_tables *t)
{
	unsigned n = t->qemu_count > t->hdat_count ? t->qemu_count : t->hdat_count;

	jo_object(j, "counts");
	jo_uint(j, "hdat", t->hdat_count);
	jo_uint(j, "qemu", t->qemu_count);
	jo_end_object(j);
	jo_array(j, "entries");
	for (unsigned i = 0; i < n; i++) {
		const struct mdst_entry *s = &t->mdst[i], *d = &t->mddt[i];

		jo_object(j, NULL);
		jo_uint(j, "index", i);
		mdst_entry_json(j, "mdst", s);
		mdst_entry_json(j, "mddt", d);
		jo_string(j, "pairing", s->size != d->size     ? "size-mismatch"
					: s->region != d->region ? "region-mismatch"
								 : "ok");
		jo_end_object(j);
	}
	jo_end_array(j);
}

static void mdrt_json(struct json_out *j, const struct mpipl_tables *t)
{
	if (!t->mdrt_ok) {
		jo_null(j, "mdrt");
		return;
	}
	jo_object(j, "mdrt");
	jo_uint(j, "slots", t->mdrt_slots);
	jo_uint(j, "used", t->mdrt_used);
	jo_array(j, "entries");
	for (unsigned i = 0; i < t->mdrt_slots; i++) {
		const struct mdrt_entry *e = &t->mdrt[i];

		if (!e->src && !e->dest && !e->size && !e->region)
			continue;
		jo_object(j, NULL);
		jo_uint(j, "slot", i);
		jo_hex(j, "src", e->src);
		jo_hex(j, "dest", e->dest);
		jo_uint(j, "size", e->size);
		jo_hex(j, "region", e->region);
		jo_string(j, "region_name", region_name(e->region));
		jo_end_object(j);
	}
	jo_end_array(j);
	jo_end_object(j);
}

static void cpu_json(struct json_out *j, const struct mpipl_analysis *a)
{
	const struct proc_dump_area *p = &a->tables->proc;

	if (!a->tables->proc_ok) {
		jo_null(j, "proc_dump_area");
	} else {
		jo_object(j, "proc_dump_area");
		jo_uint(j, "thread_size", p->thread_size);
		jo_uint(j, "version", p->version);
		jo_hex(j, "alloc_addr", p->alloc_addr);
		jo_uint(j, "alloc_size", p->alloc_size);
		jo_hex(j, "dest_addr", p->dest_addr);
		jo_uint(j, "act_size", p->act_size);
		jo_end_object(j);
	}
	jo_object(j, "cpu_data");
	jo_bool(j, "tag", a->cpu_tag);
	jo_bool(j, "valid", a->cpu_data_valid);
	jo_string(j, "note", a->cpu_data_note ? a->cpu_data_note : "");
	jo_array(j, "threads");
	for (size_t i = 0; i < a->nthreads; i++) {
		const struct thread_regs *t = &a->threads[i];

		jo_object(j, NULL);
		jo_hex(j, "pir", t->pir);
		jo_hex(j, "core_state", t->core_state);
		jo_bool(j, "parsed", t->parsed);
		jo_hex(j, "nip", t->regs[PTREG_NIP]);
		jo_hex(j, "lr", t->regs[PTREG_LINK]);
		jo_hex(j, "msr", t->regs[PTREG_MSR]);
		jo_end_object(j);
	}
	jo_end_array(j);
	jo_end_object(j);
}

static void kernel_json(struct json_out *j, const struct mpipl_analysis *a)
{
	const struct mpipl_tables *t = a->tables;
	const struct kernel_meta *k = &a->kmeta;

	if (t->meta_ok) {
		jo_object(j, "skiboot_metadata");
		jo_hex(j, "crashing_pir", t->meta.crashing_pir);
		jo_hex(j, "kernel_tag", t->meta.kernel_tag);
		jo_hex(j, "boot_mem_size", t->meta.boot_mem_size);
		jo_end_object(j);
	} else {
		jo_null(j, "skiboot_metadata");
	}
	if (!a->have_kernel_meta) {
		jo_null(j, "kernel_metadata");
		return;
	}
	jo_object(j, "kernel_metadata");
	jo_hex(j, "addr", k->addr);
	jo_string(j, "byte_order", k->native_le ? "little" : "big");
	jo_uint(j, "version", k->version);
	jo_uint(j, "region_cnt", k->region_cnt);
	jo_uint(j, "registered_regions", k->registered_regions);
	jo_hex(j, "fadumphdr_addr", k->fadumphdr_addr);
	jo_array(j, "regions");
	for (unsigned i = 0; i < k->region_cnt && i < FADUMP_MAX_REGIONS; i++) {
		jo_object(j, NULL);
		jo_hex(j, "src", k->rgn[i].src);
		jo_hex(j, "dest", k->rgn[i].dest);
		jo_hex(j, "size", k->rgn[i].size);
		jo_end_object(j);
	}
	jo_end_array(j);
	if (a->have_config) {
		jo_hex(j, "boot_mem_size", a->config.boot_mem_size);
		jo_hex(j, "boot_mem_top", a->config.boot_mem_top);
		jo_hex(j, "dest_base", a->config.dest_base);
	}
	jo_end_object(j);
}

static void crash_info_json(struct json_out *j, const struct mpipl_analysis *a)
{
	const struct crash_info *ci = &a->ci;

	if (!a->have_crash_info) {
		jo_null(j, "crash_info");
		if (a->crash_info_error)
			jo_string(j, "crash_info_error", a->crash_info_error);
		return;
	}
	jo_object(j, "crash_info");
	jo_hex(j, "addr", ci->addr);
	jo_string(j, "magic", ci->kind == CRASH_HDR_SIG ? "FADMPSIG" : "FADMPINF");
	jo_string(j, "byte_order", ci->big_endian ? "big" : "little");
	jo_uint(j, "version", ci->version);
	jo_hex(j, "crashing_cpu", ci->crashing_cpu);
	jo_hex(j, "vmcoreinfo_addr", ci->vmcoreinfo_raddr);
	jo_uint(j, "vmcoreinfo_size", ci->vmcoreinfo_size);
	jo_hex(j, "elfcorehdr_addr", ci->elfcorehdr_addr);
	jo_uint(j, "pt_regs_size", ci->pt_regs_sz);
	jo_uint(j, "cpu_mask_size", ci->cpu_mask_sz);
	jo_hex(j, "nip", ci->regs[PTREG_NIP]);
	jo_hex(j, "lr", ci->regs[PTREG_LINK]);
	jo_hex(j, "msr", ci->regs[PTREG_MSR]);
	jo_end_object(j);
}

static void devtree_json(struct json_out *j, const struct guest_devtree *dt)
{
	if (!dt->found) {
		jo_null(j, "devtree");
		return;
	}
	jo_object(j, "devtree");
	jo_hex(j, "addr", dt->addr);
	jo_uint(j, "size", dt->size);
	if (dt->have_opal_base)
		jo_hex(j, "opal_base", dt->opal_base);
	else
		jo_null(j, "opal_base");
	jo_bool(j, "dump_node", dt->dump_node);
	jo_bool(j, "mpipl_boot", dt->mpipl_boot);
	jo_array(j, "memory");
	for (size_t i = 0; i < dt->nmemory; i++) {
		jo_object(j, NULL);
		jo_hex(j, "start", dt->memory[i].start);
		jo_hex(j, "end", dt->memory[i].end);
		jo_end_object(j);
	}
	jo_end_array(j);
	jo_end_object(j);
}

void report_analysis_json(struct json_out *j, const struct mpipl_analysis *a)
{
	jo_string(j, "base_how", a->base_how ? a->base_how : "");
	devtree_json(j, &a->dt);
	layout_json(j, &a->layout);
	jo_string(j, "state", a->post_mpipl ? "post-mpipl" : "pre-mpipl");
	entries_json(j, a->tables);
	mdrt_json(j, a->tables);
	cpu_json(j, a);
	kernel_json(j, a);
	crash_info_json(j, a);
}

void report_findings_json(struct json_out *j, const struct findings *fs)
{
	jo_array(j, "findings");
	for (size_t i = 0; i < fs->n; i++) {
		jo_object(j, NULL);
		jo_string(j, "level", finding_level_name(fs->v[i].level));
		jo_string(j, "code", fs->v[i].code);
		jo_string(j, "spec", fs->v[i].spec);
		jo_string(j, "message", fs->v[i].msg);
		jo_end_object(j);
	}
	jo_end_array(j);
	jo_object(j, "summary");
	jo_uint(j, "errors", findings_count(fs, FINDING_ERROR));
	jo_uint(j, "warnings", findings_count(fs, FINDING_WARNING));
	jo_uint(j, "notes", findings_count(fs, FINDING_INFO));
	jo_end_object(j);
}
