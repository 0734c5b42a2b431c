// SPDX-License-Identifier: GPL-2.0-or-later
/* Reports of a vmcore model: its program headers, CPU notes and VMCOREINFO. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "../vmcore/elf_writer.h"
#include "../mpipl/crashinfo.h"
#include "../util/bytes.h"


/* pt_regs slot of CPU note i. */
static uint64_t note_reg(const struct vmcore_model *m, size_t i, unsigned slot)
{
	const uint8_t *n = m->notes + i * PRSTATUS_NOTE_SIZE + 20 + PRSTATUS_PR_REG_OFF;

	return get_u64(n + 8 * slot, m->big_endian);
}

static const char *type_name(uint32_t type)
{
	return type == PT_LOAD_VALUE ? "LOAD" : type == PT_NULL_VALUE ? "NULL" : "?";
}

void report_vmcore_text(FILE *f, const struct vmcore_model *m)
{
	static const char *const keys[] = { "OSRELEASE", "BUILD-ID", "PAGESIZE", "KERNELOFFSET",
					    "CRASHTIME" };
	struct vmcore_layout l;
	struct mp_err err;
	char value[256];

	if (vmcore_layout(m, &l, &err) == 0) {
		fprintf(f, "  %zu bytes, %s-endian, %" PRIu64 "-byte pages\n", (size_t)l.total,
			m->big_endian ? "big" : "little", m->page_size);
		fprintf(f, "  NOTE  offset 0x%" PRIx64 "  size 0x%zx\n", l.elfsz, m->notes_len);
		for (size_t i = 0; i < m->nphdrs; i++)
			fprintf(f, "  %-4s  offset 0x%" PRIx64 "  paddr " X64 "  size 0x%" PRIx64
				   "  data from " X64 "\n",
				type_name(m->phdrs[i].type), l.file_offset[i], m->phdrs[i].paddr,
				m->phdrs[i].size, m->phdrs[i].offset);
		vmcore_layout_free(&l);
	}
	for (size_t i = 0; i < m->ncpu_notes; i++)
		fprintf(f, "  CPU note %-2zu PIR 0x%-4x NIP " X64 "  LR " X64 "  MSR " X64 "%s\n", i,
			m->cpus[i].pir, note_reg(m, i, PTREG_NIP), note_reg(m, i, PTREG_LINK),
			note_reg(m, i, PTREG_MSR),
			m->cpus[i].from_crash_header ? "  (crash info header)" : "");
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (vmcoreinfo_get(m, keys[k], value, sizeof(value)) == 0)
			fprintf(f, "  VMCOREINFO %s=%s\n", keys[k], value);
}

void report_vmcore_json(struct json_out *j, const struct vmcore_model *m)
{
	struct vmcore_layout l;
	struct mp_err err;
	const char *text;
	size_t len;

	jo_object(j, "vmcore");
	jo_string(j, "byte_order", m->big_endian ? "big" : "little");
	jo_uint(j, "page_size", m->page_size);
	if (vmcore_layout(m, &l, &err) == 0) {
		jo_uint(j, "size", l.total);
		jo_array(j, "phdrs");
		jo_object(j, NULL);
		jo_string(j, "type", "NOTE");
		jo_hex(j, "offset", l.elfsz);
		jo_uint(j, "size", m->notes_len);
		jo_end_object(j);
		for (size_t i = 0; i < m->nphdrs; i++) {
			jo_object(j, NULL);
			jo_string(j, "type", type_name(m->phdrs[i].type));
			jo_hex(j, "offset", l.file_offset[i]);
			jo_hex(j, "paddr", m->phdrs[i].paddr);
			jo_uint(j, "size", m->phdrs[i].size);
			jo_hex(j, "source", m->phdrs[i].offset);
			jo_end_object(j);
		}
		jo_end_array(j);
		vmcore_layout_free(&l);
	}
	jo_array(j, "cpus");
	for (size_t i = 0; i < m->ncpu_notes; i++) {
		jo_object(j, NULL);
		jo_hex(j, "pir", m->cpus[i].pir);
		jo_string(j, "source", m->cpus[i].from_crash_header ? "crash-info-header"
								    : "firmware");
		jo_hex(j, "nip", note_reg(m, i, PTREG_NIP));
		jo_hex(j, "lr", note_reg(m, i, PTREG_LINK));
		jo_hex(j, "msr", note_reg(m, i, PTREG_MSR));
		jo_end_object(j);
	}
	jo_end_array(j);
	text = vmcoreinfo_text(m, &len);
	if (text) {
		char *copy = strndup(text, len);

		jo_string(j, "vmcoreinfo", copy ? copy : "");
		free(copy);
	} else {
		jo_null(j, "vmcoreinfo");
	}
	jo_end_object(j);
}
