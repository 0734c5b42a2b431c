// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * elf2kdump: drive the kdump writer from an ELF vmcore (for the benchmark and
 * for trying the writer on real dumps).
 *
 *   elf2kdump [--compress=zstd|zlib|none] [--threads=N] VMCORE.elf OUT.kdump
 *
 * The ELF file itself serves as guest memory: "guest address" = file offset,
 * so each PT_LOAD's data address is its p_offset. Notes, byte order and page
 * size (VMCOREINFO PAGESIZE=, else 65536) come from the file.
 */
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/elfcore/kdump_writer.h"
#include "../../src/util/bytes.h"

static int die(const char *msg)
{
	fprintf(stderr, "elf2kdump: %s\n", msg);
	return 2;
}

/* Notes of the PT_NOTE segment: count NT_PRSTATUS, find VMCOREINFO. */
static void scan_notes(struct vmcore_model *m)
{
	size_t at = 0;

	m->vmcoreinfo_off = m->notes_len;
	while (at + 12 <= m->notes_len) {
		uint32_t namesz = get_u32(m->notes + at, m->big_endian);
		uint32_t descsz = get_u32(m->notes + at + 4, m->big_endian);
		uint32_t type = get_u32(m->notes + at + 8, m->big_endian);
		size_t len = 12 + round_up_u64(namesz, 4) + round_up_u64(descsz, 4);

		if (len > m->notes_len - at)
			break;
		if (type == NT_PRSTATUS_VALUE && namesz == 5)
			m->ncpu_notes++;
		if (namesz == 11 && memcmp(m->notes + at + 12, "VMCOREINFO", 11) == 0)
			m->vmcoreinfo_off = at;
		at += len;
	}
}

static int load_model(int fd, struct vmcore_model *m)
{
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	size_t phnum;
	int rc = -1;

	if (!e || elf_kind(e) != ELF_K_ELF || elf_getphdrnum(e, &phnum))
		goto out;
	m->big_endian = elf_getident(e, NULL)[EI_DATA] == ELFDATA2MSB;
	m->phdrs = calloc(phnum + 1, sizeof(*m->phdrs));
	if (!m->phdrs)
		goto out;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr p;

		if (!gelf_getphdr(e, (int)i, &p))
			goto out;
		if (p.p_type == PT_NOTE && !m->notes) {
			m->notes = malloc(p.p_filesz + 1);
			if (!m->notes || pread(fd, m->notes, p.p_filesz, (off_t)p.p_offset) !=
						 (ssize_t)p.p_filesz)
				goto out;
			m->notes_len = p.p_filesz;
		} else if (p.p_type == PT_LOAD) {
			m->phdrs[m->nphdrs++] = (struct vmcore_phdr){ PT_LOAD_VALUE, p.p_paddr,
								      p.p_filesz, p.p_offset };
		}
	}
	rc = 0;
out:
	elf_end(e);
	return rc;
}

int main(int argc, char **argv)
{
	struct kdump_opts o = { .compress = KDUMP_ZSTD, .threads = 1 };
	struct vmcore_model m = { 0 };
	struct guest_mem *gm = NULL;
	struct gm_backing *b = NULL;
	struct mp_err err;
	struct sink out;
	struct stat st;
	char ps[32];
	int i, fd, ofd, rc = 2;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--compress=zstd") == 0)
			o.compress = KDUMP_ZSTD;
		else if (strcmp(argv[i], "--compress=zlib") == 0)
			o.compress = KDUMP_ZLIB;
		else if (strcmp(argv[i], "--compress=none") == 0)
			o.compress = KDUMP_NONE;
		else if (strncmp(argv[i], "--threads=", 10) == 0)
			o.threads = (unsigned)atoi(argv[i] + 10);
		else
			return die("usage: elf2kdump [--compress=zstd|zlib|none] [--threads=N] "
				   "VMCORE.elf OUT.kdump");
	}
	if (argc - i != 2)
		return die("usage: elf2kdump [--compress=zstd|zlib|none] [--threads=N] "
			   "VMCORE.elf OUT.kdump");
	elf_version(EV_CURRENT);
	fd = open(argv[i], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || load_model(fd, &m))
		return die("cannot read the ELF vmcore");
	scan_notes(&m);
	m.page_size = vmcoreinfo_get(&m, "PAGESIZE", ps, sizeof(ps)) == 0 ? strtoull(ps, NULL, 10)
									   : 65536;
	ofd = open(argv[i + 1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (ofd < 0)
		return die("cannot create the output");
	sink_init(&out, ofd, argv[i + 1]);
	if (!(gm = gm_new(argv[i], "elf", &err)) ||
	    !(b = gm_backing_fd_new(fd, true, 0, (uint64_t)st.st_size, argv[i], &err)) ||
	    gm_add_range(gm, 0, (uint64_t)st.st_size, "file", b, 0, &err) ||
	    vmcore_write_kdump(gm, &m, &o, &out, &err))
		fprintf(stderr, "elf2kdump: %s\n", err.msg);
	else
		rc = 0;
	gm_backing_put(b);
	gm_free(gm);
	vmcore_model_free(&m);
	close(ofd);
	return rc;
}
