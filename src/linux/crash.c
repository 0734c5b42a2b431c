// SPDX-License-Identifier: GPL-2.0-or-later
/* The crash summary: VMCOREINFO, kallsyms, the log's panic line, CPUs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crash.h"

/* panic() prints this before its message (kernel/panic.c). */
#define PANIC_PREFIX "Kernel panic - not syncing: "
/* dump_stack() then names the CPU: "CPU: 1 UID: 0 PID: 1 Comm: ..." (lib/dump_stack.c). */
#define CPU_PREFIX "CPU: "

struct log_scan {
	char *panic;
	int cpu;
	bool after_panic; /* the next "CPU: N" line is the panicking CPU's */
};

static void copy_line(char *out, size_t outlen, const uint8_t *text, size_t len)
{
	size_t n = 0;

	while (n < len && n + 1 < outlen && text[n] != '\n') {
		out[n] = text[n] >= 0x20 && text[n] < 0x7f ? (char)text[n] : '?';
		n++;
	}
	out[n] = '\0';
}

static int scan_record(const struct printk_record *r, void *ctx)
{
	struct log_scan *s = ctx;
	size_t plen = strlen(PANIC_PREFIX), clen = strlen(CPU_PREFIX);

	/* The first panic is the crash; a later one (a machine check in firmware) is not. */
	if (!s->panic[0] && r->text_len >= plen && memcmp(r->text, PANIC_PREFIX, plen) == 0) {
		copy_line(s->panic, LINUX_PANIC_MAX, r->text, r->text_len);
		s->after_panic = true;
	} else if (s->after_panic && r->text_len > clen && memcmp(r->text, CPU_PREFIX, clen) == 0) {
		char line[32], *end;
		long cpu;

		copy_line(line, sizeof(line), r->text + clen, r->text_len - clen);
		cpu = strtol(line, &end, 10);
		if (end != line && (*end == ' ' || !*end) && cpu >= 0 && cpu < 65536)
			s->cpu = (int)cpu;
		s->after_panic = false;
	}
	return 0;
}

static void read_log(struct linux_crash *c, struct findings *f)
{
	struct log_scan s = { c->panic, -1, false };
	struct mp_err err;

	if (printk_walk(&c->k, &c->vi, scan_record, &s, &c->log, &err)) {
		mp_set_str(&c->log_error, "%s", err.msg);
		findings_add(f, FINDING_WARNING, "printk-unreadable", "issue 11", "kernel log: %s",
			     err.msg);
		return;
	}
	if (c->log.note[0])
		findings_add(f, FINDING_WARNING, "printk-damaged", "issue 11", "kernel log: %s",
			     c->log.note);
	c->panic_cpu = s.cpu;
}

static void symbolize_cpus(struct linux_crash *c)
{
	for (size_t i = 0; i < c->ncpus; i++) {
		struct linux_vcpu *v = &c->cpus[i];

		if (!c->have_ks)
			continue;
		if (kallsyms_symbolize(&c->ks, v->nip, v->nip_sym, sizeof(v->nip_sym)))
			v->nip_sym[0] = '\0';
		if (kallsyms_symbolize(&c->ks, v->lr, v->lr_sym, sizeof(v->lr_sym)))
			v->lr_sym[0] = '\0';
	}
}

static void read_kallsyms(struct linux_crash *c, struct findings *f)
{
	struct mp_err err;

	if (kallsyms_load(&c->ks, &c->k, &c->vi, &err)) {
		mp_set_str(&c->ks_error, "%s", err.msg);
		if (err.status != MP_ENOTFOUND)
			findings_add(f, FINDING_WARNING, "kallsyms-unreadable", "issue 11",
				     "kallsyms: %s", err.msg);
		return;
	}
	c->have_ks = true;
	if (c->ks.cut)
		findings_add(f, FINDING_WARNING, "kallsyms-cut", "issue 11",
			     "kallsyms: %u of %u symbols readable (the tables are cut short)",
			     c->ks.num, c->ks.num_declared);
}

int linux_crash_read(struct guest_mem *gm, const struct crash_info *ci, const char *vmci_file,
		     struct linux_crash *c, struct findings *f, struct mp_err *err)
{
	struct mp_err e;

	memset(c, 0, sizeof(*c));
	c->k.gm = gm;
	c->panic_cpu = -1;
	c->cpus = mp_calloc(gm->ncpus ? gm->ncpus : 1, sizeof(*c->cpus), err);
	if (!c->cpus)
		return -1;
	c->ncpus = gm->ncpus;
	for (size_t i = 0; i < gm->ncpus; i++)
		c->cpus[i] = (struct linux_vcpu){ .vcpu = i, .pir = gm->cpus[i].pir, .logical = -1,
						  .online = true, .nip = gm->cpus[i].nip,
						  .lr = gm->cpus[i].lr };
	if (vmci_locate(gm, ci, vmci_file, &c->vi, f, &e)) {
		if (e.status == MP_ENOMEM)
			return mp_fail(err, MP_ENOMEM, "%s", e.msg);
		mp_set_str(&c->vi_error, "%s", e.msg);
		linux_cpus_read(c, ci);
		return 0;
	}
	c->have_vi = true;
	c->k.big_endian = c->vi.big_endian;
	read_kallsyms(c, f);
	read_log(c, f);
	linux_cpus_read(c, ci);
	symbolize_cpus(c);
	return 0;
}

void linux_crash_free(struct linux_crash *c)
{
	vmci_free(&c->vi);
	kallsyms_free(&c->ks);
	free(c->cpus);
	free(c->vi_error);
	free(c->ks_error);
	free(c->log_error);
	memset(c, 0, sizeof(*c));
}
