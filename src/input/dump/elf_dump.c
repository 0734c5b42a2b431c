// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dump-guest-memory ELF cores (qemu-inputs.md 7): PT_LOADs become RAM ranges
 * read in place from the file (or from a decompressed temporary copy), the
 * CORE notes give the vCPU registers. Parsed by hand in either byte order:
 * QEMU's headers carry quirks (e_ehsize 8, a host-order .shstrtab header)
 * that a strict ELF library may object to, and only a few fields matter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump_common.h"
#include "../../format/elf64.h"
#include "../file_access.h"
#include "../input.h"
#include "../../util/bytes.h"

/* Beyond this many PT_LOADs the range list itself gets slow; QEMU writes a handful. */
#define MAX_LOADS 65536
/* Program headers read per pread. */
#define PHDR_BATCH 512u

struct elf_file {
	int fd;
	uint64_t size;
	const char *label;
	bool be;
	uint64_t phoff;
	uint64_t phnum;
};

struct load {
	uint64_t paddr, memsz, filesz, offset;
	uint64_t index; /* program header number, for messages */
};

static enum input_probe elf_probe(const uint8_t *head, size_t len, const char *path,
				   struct mp_err *err)
{
	return input_probe_magic(head, len, "\x7f" "ELF", 4, "ELF file", path, err);
}

/* Section header 0's sh_info holds the real e_phnum when it reads PN_XNUM. */
static int read_xnum(struct elf_file *f, const uint8_t *eh, struct mp_err *err)
{
	uint64_t shoff = get_u64(eh + 40, f->be);
	uint8_t sh[ELF_SHDR_SIZE];

	if (shoff == 0)
		return mp_fail_at(err, MP_EINPUT, f->label, 56, "e_phnum is PN_XNUM (0xffff) but "
				  "there is no section header to hold the count");
	if (pread_exact(f->fd, f->size, sh, sizeof(sh), shoff, f->label, "section header 0",
			err))
		return -1;
	f->phnum = get_u32(sh + 44, f->be);
	return 0;
}

static int read_ehdr(struct elf_file *f, struct mp_err *err)
{
	uint8_t eh[ELF_EHDR_SIZE];
	uint16_t type, machine, phentsize;

	if (pread_exact(f->fd, f->size, eh, sizeof(eh), 0, f->label, "the ELF header", err))
		return -1;
	if (eh[4] != ELFCLASS64_VALUE)
		return mp_fail_at(err, MP_EINPUT, f->label, 4, "ELF class %u, expected 2 (64-bit) "
				  "for a ppc64 dump", eh[4]);
	if (eh[5] != ELFDATA2LSB_VALUE && eh[5] != ELFDATA2MSB_VALUE)
		return mp_fail_at(err, MP_EINPUT, f->label, 5, "ELF data encoding %u is neither 1 "
				  "(LE) nor 2 (BE)", eh[5]);
	f->be = eh[5] == ELFDATA2MSB_VALUE;
	type = get_u16(eh + 16, f->be);
	machine = get_u16(eh + 18, f->be);
	if (type != ET_CORE_VALUE)
		return mp_fail_at(err, MP_EINPUT, f->label, 16, "ELF type %u is not ET_CORE (4): "
				  "not a dump-guest-memory file", type);
	if (machine != EM_PPC64_VALUE)
		return mp_fail_at(err, MP_EINPUT, f->label, 18, "ELF machine %u is not EM_PPC64 "
				  "(21): not a ppc64 guest", machine);
	phentsize = get_u16(eh + 54, f->be);
	if (phentsize != ELF_PHDR_SIZE)
		return mp_fail_at(err, MP_EINPUT, f->label, 54, "program header size %u, expected "
				  "56", phentsize);
	f->phoff = get_u64(eh + 32, f->be);
	f->phnum = get_u16(eh + 56, f->be);
	if (f->phnum == PN_XNUM_VALUE && read_xnum(f, eh, err))
		return -1;
	if (f->phoff > f->size || f->phnum > (f->size - f->phoff) / ELF_PHDR_SIZE)
		return mp_fail_at(err, MP_EINPUT, f->label, 32, "%llu program headers at byte "
				  "offset %llu run past the end of the file (%llu bytes)",
				  (unsigned long long)f->phnum, (unsigned long long)f->phoff,
				  (unsigned long long)f->size);
	return 0;
}

static uint64_t phdr_at(const struct elf_file *f, uint64_t i)
{
	return f->phoff + i * ELF_PHDR_SIZE;
}

/* Check one PT_LOAD against the file and the address space. */
static int check_load(const struct elf_file *f, const struct load *l, struct mp_err *err)
{
	uint64_t end, at = phdr_at(f, l->index);

	if (l->filesz > l->memsz)
		return mp_fail_at(err, MP_EINPUT, f->label, at, "PT_LOAD %llu has p_filesz 0x%llx "
				  "larger than p_memsz 0x%llx", (unsigned long long)l->index,
				  (unsigned long long)l->filesz, (unsigned long long)l->memsz);
	if (!add_u64_ok(l->paddr, l->memsz, &end))
		return mp_fail_at(err, MP_EINPUT, f->label, at, "PT_LOAD %llu at 0x%llx + 0x%llx "
				  "wraps past 2^64", (unsigned long long)l->index,
				  (unsigned long long)l->paddr, (unsigned long long)l->memsz);
	if (l->filesz && (l->offset > f->size || l->filesz > f->size - l->offset))
		return mp_fail_at(err, MP_EINPUT, f->label, at, "PT_LOAD %llu data [%llu, +0x%llx) "
				  "runs past the end of the file (%llu bytes): truncated dump?",
				  (unsigned long long)l->index, (unsigned long long)l->offset,
				  (unsigned long long)l->filesz, (unsigned long long)f->size);
	return 0;
}

static int cmp_load(const void *a, const void *b)
{
	const struct load *x = a, *y = b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

static int check_overlaps(const struct elf_file *f, const struct load *l, size_t n,
			  struct mp_err *err)
{
	for (size_t i = 1; i < n; i++)
		if (l[i].paddr < l[i - 1].paddr + l[i - 1].memsz)
			return mp_fail_at(err, MP_EINPUT, f->label, phdr_at(f, l[i].index),
					  "PT_LOAD %llu (0x%llx+0x%llx) overlaps PT_LOAD %llu "
					  "(0x%llx+0x%llx)", (unsigned long long)l[i].index,
					  (unsigned long long)l[i].paddr,
					  (unsigned long long)l[i].memsz,
					  (unsigned long long)l[i - 1].index,
					  (unsigned long long)l[i - 1].paddr,
					  (unsigned long long)l[i - 1].memsz);
	return 0;
}

/* Parse the program headers: the PT_LOADs (checked, sorted) and the first PT_NOTE. */
static int read_phdrs(const struct elf_file *f, struct load **loads, size_t *nloads,
		      uint64_t *note_off, uint64_t *note_size, uint64_t *nnotes,
		      struct mp_err *err)
{
	uint8_t batch[PHDR_BATCH * ELF_PHDR_SIZE];
	struct load *l = NULL;
	size_t n = 0;

	*nnotes = 0;
	for (uint64_t i = 0; i < f->phnum; i++) {
		const uint8_t *ph = batch + (i % PHDR_BATCH) * ELF_PHDR_SIZE;
		uint32_t type;

		if (i % PHDR_BATCH == 0 &&
		    pread_exact(f->fd, f->size, batch,
				(size_t)(f->phnum - i < PHDR_BATCH ? f->phnum - i : PHDR_BATCH) *
					ELF_PHDR_SIZE,
				phdr_at(f, i), f->label, "the program headers", err))
			goto fail;
		type = get_u32(ph, f->be);
		if (type == PT_NOTE_VALUE && (*nnotes)++ == 0) {
			*note_off = get_u64(ph + 8, f->be);
			*note_size = get_u64(ph + 32, f->be);
		}
		if (type != PT_LOAD_VALUE || get_u64(ph + 40, f->be) == 0)
			continue; /* p_memsz 0: nothing to map */
		if (n == MAX_LOADS) {
			mp_fail_at(err, MP_EUNSUPPORTED, f->label, phdr_at(f, i), "more than %u "
				   "PT_LOADs", MAX_LOADS);
			goto fail;
		}
		if (n % 64 == 0) {
			struct load *grown = mp_reallocarray(l, n + 64, sizeof(*l), err);

			if (!grown)
				goto fail;
			l = grown;
		}
		l[n] = (struct load){ .offset = get_u64(ph + 8, f->be),
				      .paddr = get_u64(ph + 24, f->be),
				      .filesz = get_u64(ph + 32, f->be),
				      .memsz = get_u64(ph + 40, f->be),
				      .index = i };
		if (check_load(f, &l[n], err))
			goto fail;
		n++;
	}
	if (n) /* qsort wants a non-NULL array even for zero elements */
		qsort(l, n, sizeof(*l), cmp_load);
	if (check_overlaps(f, l, n, err))
		goto fail;
	*loads = l;
	*nloads = n;
	return 0;
fail:
	free(l);
	return -1;
}

/* One backing over the file; tails beyond p_filesz are zeroed afterwards. */
static int add_loads(struct guest_mem *gm, const struct elf_file *f, const struct load *l,
		     size_t n, int *fd, struct mp_err *err)
{
	uint64_t bsize = f->size;
	struct gm_backing *b;
	int ret = -1;

	for (size_t i = 0; i < n; i++) {
		/* A load without file bytes may carry p_offset -1 (QEMU's filter): back it at 0. */
		uint64_t off = l[i].filesz ? l[i].offset : 0, end;

		if (!add_u64_ok(off, l[i].memsz, &end))
			return mp_fail_at(err, MP_EINPUT, f->label, phdr_at(f, l[i].index),
					  "PT_LOAD %llu: p_offset + p_memsz wraps past 2^64",
					  (unsigned long long)l[i].index);
		if (end > bsize)
			bsize = end; /* never read there: the tail is zeroed below */
	}
	b = gm_backing_fd_new(*fd, true, 0, bsize, f->label, err);
	if (!b)
		return -1;
	*fd = -1;
	for (size_t i = 0; i < n; i++) {
		uint64_t off = l[i].filesz ? l[i].offset : 0;

		if (dump_add_ram(gm, l[i].paddr, l[i].memsz, b, off, err))
			goto out;
		if (l[i].filesz < l[i].memsz &&
		    gm_zero(gm, l[i].paddr + l[i].filesz, l[i].memsz - l[i].filesz, err))
			goto out;
	}
	ret = 0;
out:
	gm_backing_put(b);
	return ret;
}

static int read_notes(struct guest_mem *gm, const struct elf_file *f, uint64_t off,
		      uint64_t size, struct mp_err *err)
{
	uint8_t *buf;
	int ret;

	if (size > DUMP_NOTES_MAX)
		return mp_fail_at(err, MP_EUNSUPPORTED, f->label, off, "PT_NOTE of %llu bytes, "
				  "more than the %u mpiplctl reads", (unsigned long long)size,
				  DUMP_NOTES_MAX);
	buf = mp_malloc(size ? size : 1, err);
	if (!buf)
		return -1;
	ret = pread_exact(f->fd, f->size, buf, size, off, f->label, "the PT_NOTE data", err);
	if (!ret)
		ret = dump_parse_notes(gm, buf, size, f->be, off, f->label, err);
	free(buf);
	return ret;
}

static struct guest_mem *elf_open(struct instream *s, const struct input_opts *o,
				  struct mp_err *err)
{
	struct elf_file f = { .fd = -1, .label = instream_path(s) };
	uint64_t note_off = 0, note_size = 0, nnotes = 0;
	struct load *loads = NULL;
	struct guest_mem *gm = NULL;
	char format[96];
	size_t nloads = 0;
	int fd = -1;

	if (input_random_access(s, o->tmpdir, &fd, &f.size, err))
		return NULL;
	f.fd = fd;
	if (read_ehdr(&f, err) ||
	    read_phdrs(&f, &loads, &nloads, &note_off, &note_size, &nnotes, err))
		goto fail;
	if (nloads == 0) {
		mp_fail_at(err, MP_EINPUT, f.label, f.phoff, "no PT_LOAD: the dump holds no guest "
			   "memory");
		goto fail;
	}
	snprintf(format, sizeof(format), "dump-guest-memory ELF (%s-endian)%s",
		 f.be ? "big" : "little", instream_compressed_suffix(s));
	gm = gm_new(f.label, format, err);
	if (!gm || add_loads(gm, &f, loads, nloads, &fd, err))
		goto fail;
	/* The backing owns the descriptor now; f.fd stays valid while gm lives. */
	if (nnotes == 0 && gm_add_note(gm, err, "no PT_NOTE: the dump carries no vCPU registers"))
		goto fail;
	if (nnotes && read_notes(gm, &f, note_off, note_size, err))
		goto fail;
	if (nnotes > 1 && gm_add_note(gm, err, "%llu PT_NOTE headers: only the first was read",
				      (unsigned long long)nnotes))
		goto fail;
	free(loads);
	return gm;
fail:
	if (fd >= 0)
		close(fd);
	free(loads);
	gm_free(gm);
	return NULL;
}

const struct input_reader elf_dump_reader = {
	.name = "elf-dump",
	.probe = elf_probe,
	.open = elf_open,
};
