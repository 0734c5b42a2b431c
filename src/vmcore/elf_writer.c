// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writing the ELF vmcore exactly as /proc/vmcore presents it (mpipl.md 6.6):
 * headers padded to a page, the merged notes padded to a page, then each
 * PT_LOAD's page-rounded physical chunk, zero blocks left as holes.
 */
#include <stdlib.h>
#include <string.h>

#include "elf_writer.h"
#include "../guestmem/export.h"
#include "../util/bytes.h"

int vmcore_layout(const struct vmcore_model *m, struct vmcore_layout *l, struct mp_err *err)
{
	uint64_t P = m->page_size, off;

	memset(l, 0, sizeof(*l));
	l->nchunks = 0;
	l->chunks = mp_calloc(m->nphdrs ? m->nphdrs : 1, sizeof(*l->chunks), err);
	l->file_offset = mp_calloc(m->nphdrs ? m->nphdrs : 1, sizeof(*l->file_offset), err);
	if (!l->chunks || !l->file_offset) {
		vmcore_layout_free(l);
		return -1;
	}
	l->phnum = 1 + m->nphdrs; /* the notes merge into one PT_NOTE, first */
	l->elfsz = round_up_u64(ELF_EHDR_SIZE + (uint64_t)l->phnum * ELF_PHDR_SIZE, P);
	l->notes_sz = round_up_u64(m->notes_len, P);
	off = l->elfsz + l->notes_sz;
	for (size_t i = 0; i < m->nphdrs; i++) {
		const struct vmcore_phdr *p = &m->phdrs[i];
		uint64_t s, e, end;

		if (p->type != PT_LOAD_VALUE)
			continue;
		if (!add_u64_ok(p->offset, p->size, &end) || end > UINT64_MAX - P) {
			vmcore_layout_free(l);
			return mp_fail(err, MP_EINPUT, "PT_LOAD 0x%llx+0x%llx overflows 64 bits",
				       (unsigned long long)p->offset, (unsigned long long)p->size);
		}
		s = round_down_u64(p->offset, P);
		e = round_up_u64(end, P);
		l->file_offset[i] = off + (p->offset - s);
		l->chunks[l->nchunks++] = (struct vmcore_chunk){ .phys = s, .len = e - s, .at = off };
		off += e - s;
	}
	l->total = off;
	return 0;
}

void vmcore_layout_free(struct vmcore_layout *l)
{
	free(l->chunks);
	free(l->file_offset);
	memset(l, 0, sizeof(*l));
}

static void put_ehdr(uint8_t *e, const struct vmcore_model *m, uint16_t phnum)
{
	bool be = m->big_endian;

	memset(e, 0, ELF_EHDR_SIZE);
	memcpy(e, "\177ELF", 4);
	e[4] = 2;          /* ELFCLASS64 */
	e[5] = be ? 2 : 1; /* ELFDATA2MSB / ELFDATA2LSB */
	e[6] = 1;          /* EV_CURRENT */
	put_u16(e + 16, 4, be); /* ET_CORE */
	put_u16(e + 18, EM_PPC64_VALUE, be);
	put_u32(e + 20, 1, be);
	put_u64(e + 32, ELF_EHDR_SIZE, be); /* e_phoff */
	put_u32(e + 48, m->e_flags, be);
	put_u16(e + 52, ELF_EHDR_SIZE, be);
	put_u16(e + 54, ELF_PHDR_SIZE, be);
	put_u16(e + 56, phnum, be);
}

static void put_phdr(uint8_t *p, bool be, uint32_t type, uint32_t flags, uint64_t offset,
		     uint64_t vaddr, uint64_t paddr, uint64_t size, uint64_t align)
{
	put_u32(p, type, be);
	put_u32(p + 4, flags, be);
	put_u64(p + 8, offset, be);
	put_u64(p + 16, vaddr, be);
	put_u64(p + 24, paddr, be);
	put_u64(p + 32, size, be);
	put_u64(p + 40, size, be);
	put_u64(p + 48, align, be);
}

int vmcore_headers(const struct vmcore_model *m, const struct vmcore_layout *l, uint8_t **out,
		   struct mp_err *err)
{
	uint8_t *h;
	bool be = m->big_endian;

	if (l->phnum >= 0xFFFF)
		return mp_fail(err, MP_EINPUT, "%zu program headers do not fit in e_phnum",
			       l->phnum);
	h = mp_calloc(1, l->elfsz, err);
	if (!h)
		return -1;
	put_ehdr(h, m, (uint16_t)l->phnum);
	put_phdr(h + ELF_EHDR_SIZE, be, PT_NOTE_VALUE, 0, l->elfsz, 0, 0, m->notes_len,
		 m->note_align);
	for (size_t i = 0; i < m->nphdrs; i++) {
		const struct vmcore_phdr *p = &m->phdrs[i];
		uint8_t *at = h + ELF_EHDR_SIZE + (i + 1) * ELF_PHDR_SIZE;

		if (p->type == PT_LOAD_VALUE)
			/* RWX, kernel linear-map address, no alignment: as Linux writes them. */
			put_phdr(at, be, PT_LOAD_VALUE, 7, l->file_offset[i],
				 PPC64_KERNEL_BASE + p->paddr, p->paddr, p->size, 0);
		else
			put_phdr(at, be, p->type, 0, 0, 0, 0, 0, 0);
	}
	*out = h;
	return 0;
}

int vmcore_write_elf(struct guest_mem *gm, const struct vmcore_model *m, struct sink *out,
		     struct mp_err *err)
{
	struct vmcore_layout l;
	struct progress prog;
	uint64_t done = 0, total = 0;
	uint8_t *hdr = NULL;
	int rc = -1;

	if (vmcore_layout(m, &l, err))
		return -1;
	if (vmcore_headers(m, &l, &hdr, err))
		goto out;
	if (sink_write(out, hdr, l.elfsz, err) || sink_write(out, m->notes, m->notes_len, err) ||
	    sink_skip(out, l.notes_sz - m->notes_len, err))
		goto out;
	for (size_t i = 0; i < l.nchunks; i++)
		total += l.chunks[i].len;
	progress_begin(&prog, "writing vmcore", total);
	for (size_t i = 0; i < l.nchunks; i++)
		if (gm_export_lenient(gm, l.chunks[i].phys, l.chunks[i].len, out, &prog, &done, err))
			goto out_progress;
	rc = sink_finish(out, err);
out_progress:
	progress_end(&prog);
out:
	free(hdr);
	vmcore_layout_free(&l);
	return rc;
}
