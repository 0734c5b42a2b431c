// SPDX-License-Identifier: GPL-2.0-or-later
/* The crash summary of inspect: what the crashed kernel left in memory. */
#include <inttypes.h>
#include <stdio.h>

#include "report.h"

static void symbol_text(FILE *f, const char *what, uint64_t addr, const char *sym)
{
	fprintf(f, "  %s 0x%016" PRIx64 "%s%s", what, addr, sym[0] ? " " : "", sym);
}

/* The crash info header's registers: where the crashing CPU was when it called fadump. */
static void crash_regs_text(FILE *f, const struct linux_crash *c, const struct crash_info *ci)
{
	char nip[LINUX_SYM_MAX] = "", lr[LINUX_SYM_MAX] = "";

	if (!ci || ci->crashing_cpu == CRASHING_CPU_UNKNOWN)
		return;
	if (c->have_ks) {
		if (kallsyms_symbolize(&c->ks, ci->regs[PTREG_NIP], nip, sizeof(nip)))
			nip[0] = '\0';
		if (kallsyms_symbolize(&c->ks, ci->regs[PTREG_LINK], lr, sizeof(lr)))
			lr[0] = '\0';
	}
	fprintf(f, "  crashing PIR 0x%x (crash info header):", ci->crashing_cpu);
	symbol_text(f, "NIP", ci->regs[PTREG_NIP], nip);
	symbol_text(f, "LR", ci->regs[PTREG_LINK], lr);
	fputc('\n', f);
}

/* sym gets "" when addr cannot be resolved. */
static void resolve(const struct linux_crash *c, uint64_t addr, char *sym, size_t len)
{
	if (!c->have_ks || kallsyms_symbolize(&c->ks, addr, sym, len))
		sym[0] = '\0';
}

void report_linux_text(FILE *f, const struct linux_crash *c, const struct crash_info *ci,
		       const struct findings *notes, const uint64_t *syms, size_t nsyms)
{
	char sym[LINUX_SYM_MAX];

	char value[80];

	fprintf(f, "\ncrashed kernel\n");
	if (!c->have_vi) {
		fprintf(f, "  no VMCOREINFO: %s\n", c->vi_error ? c->vi_error : "");
	} else {
		fprintf(f, "  VMCOREINFO %zu bytes, %s at 0x%" PRIx64 "%s%s\n", c->vi.len,
			vmci_source_name(c->vi.source), c->vi.addr,
			c->vi.note_form ? " (ELF note)" : "",
			c->vi.validated ? ", init_uts_ns agrees" : ", NOT validated by init_uts_ns");
		fprintf(f, "  release  %s  %s%s%s\n", c->vi.release, c->vi.version,
			c->vi.machine[0] ? "  " : "", c->vi.machine);
		if (vmci_get(&c->vi, "BUILD-ID", value, sizeof(value)) == 0)
			fprintf(f, "  build-id %s\n", value);
		fprintf(f, "  page size %" PRIu64 "  byte order %s\n", c->vi.page_size,
			c->vi.big_endian ? "big-endian" : "little-endian");
		if (c->log.kind && !c->log_error)
			fprintf(f, "  log      %" PRIu64 " records (%s ring), %" PRIu64 " skipped\n",
				c->log.records, c->log.kind, c->log.skipped);
		else
			fprintf(f, "  log      unreadable: %s\n",
				c->log_error ? c->log_error : "");
		fprintf(f, "  panic    %s\n", c->panic[0] ? c->panic : "(no panic line in the log)");
		if (!c->have_ks)
			fprintf(f, "  kallsyms none: %s\n", c->ks_error ? c->ks_error : "");
	}
	crash_regs_text(f, c, ci);
	if (c->panic_cpu >= 0)
		fprintf(f, "  panicking CPU %d (from %s)\n", c->panic_cpu, c->panic_cpu_source);
	fprintf(f, "  CPU numbers from %s, online CPUs from %s\n", c->logical_source,
		c->online_source);
	for (size_t i = 0; i < c->ncpus; i++) {
		const struct linux_vcpu *v = &c->cpus[i];

		fprintf(f, "  vCPU %-3zu PIR 0x%-4x CPU %-3d %-7s", v->vcpu, v->pir, v->logical,
			v->logical == c->panic_cpu && c->panic_cpu >= 0 ? "panic"
			: v->online				      ? "online"
								      : "offline");
		symbol_text(f, "NIP", v->nip, v->nip_sym);
		symbol_text(f, "LR", v->lr, v->lr_sym);
		fputc('\n', f);
	}
	for (size_t i = 0; i < nsyms; i++) {
		resolve(c, syms[i], sym, sizeof(sym));
		fprintf(f, "  symbol   0x%016" PRIx64 " %s\n", syms[i], sym[0] ? sym : "(unresolved)");
	}
	for (size_t i = 0; i < notes->n; i++)
		fprintf(f, "  note     %s\n", notes->v[i].msg);
}

static void symbol_json(struct json_out *j, const char *key, const char *sym_key, uint64_t addr,
			const char *sym)
{
	jo_hex(j, key, addr);
	if (sym[0])
		jo_string(j, sym_key, sym);
	else
		jo_null(j, sym_key);
}

static void vmcoreinfo_json(struct json_out *j, const struct linux_crash *c)
{
	char value[80];

	jo_object(j, "vmcoreinfo");
	jo_string(j, "source", vmci_source_name(c->vi.source));
	jo_hex(j, "addr", c->vi.addr);
	jo_bool(j, "note_form", c->vi.note_form);
	jo_bool(j, "validated", c->vi.validated);
	jo_uint(j, "size", c->vi.len);
	jo_end_object(j);
	jo_string(j, "release", c->vi.release);
	jo_string(j, "version", c->vi.version);
	jo_string(j, "machine", c->vi.machine);
	if (vmci_get(&c->vi, "BUILD-ID", value, sizeof(value)) == 0)
		jo_string(j, "build_id", value);
	else
		jo_null(j, "build_id");
	jo_uint(j, "page_size", c->vi.page_size);
	jo_string(j, "byte_order", c->vi.big_endian ? "big-endian" : "little-endian");
}

static void log_json(struct json_out *j, const struct linux_crash *c)
{
	jo_object(j, "log");
	if (c->log_error) {
		jo_string(j, "error", c->log_error);
	} else {
		jo_string(j, "kind", c->log.kind);
		jo_uint(j, "records", c->log.records);
		jo_uint(j, "skipped", c->log.skipped);
		jo_uint(j, "damaged", c->log.damaged);
	}
	jo_end_object(j);
	if (c->panic[0])
		jo_string(j, "panic", c->panic);
	else
		jo_null(j, "panic");
}

static void cpus_json(struct json_out *j, const struct linux_crash *c, const struct crash_info *ci)
{
	char nip[LINUX_SYM_MAX] = "", lr[LINUX_SYM_MAX] = "";

	if (c->panic_cpu >= 0)
		jo_uint(j, "panic_cpu", (uint64_t)c->panic_cpu);
	else
		jo_null(j, "panic_cpu");
	jo_string(j, "panic_cpu_source", c->panic_cpu_source ? c->panic_cpu_source : "");
	jo_string(j, "cpu_numbers_source", c->logical_source);
	jo_string(j, "online_source", c->online_source);
	if (ci && ci->crashing_cpu != CRASHING_CPU_UNKNOWN) {
		if (c->have_ks && kallsyms_symbolize(&c->ks, ci->regs[PTREG_NIP], nip, sizeof(nip)))
			nip[0] = '\0';
		if (c->have_ks && kallsyms_symbolize(&c->ks, ci->regs[PTREG_LINK], lr, sizeof(lr)))
			lr[0] = '\0';
		jo_object(j, "crash_regs");
		jo_hex(j, "pir", ci->crashing_cpu);
		symbol_json(j, "nip", "nip_symbol", ci->regs[PTREG_NIP], nip);
		symbol_json(j, "lr", "lr_symbol", ci->regs[PTREG_LINK], lr);
		jo_end_object(j);
	}
	jo_array(j, "cpus");
	for (size_t i = 0; i < c->ncpus; i++) {
		const struct linux_vcpu *v = &c->cpus[i];

		jo_object(j, NULL);
		jo_uint(j, "vcpu", v->vcpu);
		jo_hex(j, "pir", v->pir);
		if (v->logical >= 0)
			jo_uint(j, "cpu", (uint64_t)v->logical);
		else
			jo_null(j, "cpu");
		jo_bool(j, "online", v->online);
		jo_bool(j, "panicking", c->panic_cpu >= 0 && v->logical == c->panic_cpu);
		symbol_json(j, "nip", "nip_symbol", v->nip, v->nip_sym);
		symbol_json(j, "lr", "lr_symbol", v->lr, v->lr_sym);
		jo_end_object(j);
	}
	jo_end_array(j);
}

void report_linux_json(struct json_out *j, const struct linux_crash *c,
		       const struct crash_info *ci, const struct findings *notes,
		       const uint64_t *syms, size_t nsyms)
{
	char sym[LINUX_SYM_MAX];

	jo_object(j, "crashed_kernel");
	if (c->have_vi) {
		vmcoreinfo_json(j, c);
		log_json(j, c);
		if (!c->have_ks)
			jo_string(j, "kallsyms_error", c->ks_error ? c->ks_error : "");
	} else {
		jo_string(j, "vmcoreinfo_error", c->vi_error ? c->vi_error : "");
	}
	cpus_json(j, c, ci);
	jo_array(j, "symbols");
	for (size_t i = 0; i < nsyms; i++) {
		resolve(c, syms[i], sym, sizeof(sym));
		jo_object(j, NULL);
		symbol_json(j, "addr", "symbol", syms[i], sym);
		jo_end_object(j);
	}
	jo_end_array(j);
	jo_array(j, "notes");
	for (size_t i = 0; i < notes->n; i++)
		jo_string(j, NULL, notes->v[i].msg);
	jo_end_array(j);
	jo_end_object(j);
}
