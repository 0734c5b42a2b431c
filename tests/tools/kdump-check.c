// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kdump-check: compare a kdump-compressed file, read through libkdumpfile
 * (an implementation we did not write), with an ELF vmcore of the same
 * memory, page by page.
 *
 *   kdump-check KDUMP REFERENCE.elf
 *
 * For every page any PT_LOAD of REFERENCE touches, the page read at that
 * physical address from KDUMP must equal the reference: PT_LOAD bytes from
 * the ELF file, zero where no PT_LOAD covers the page. The first page of
 * every gap between PT_LOADs must be absent from KDUMP. Also prints what
 * libkdumpfile makes of the file (format, arch, byte order, page size).
 * Exit status: 0 equal, 1 a difference, 2 a file cannot be read.
 */
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libkdumpfile/kdumpfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct load {
	uint64_t paddr, end, offset;
};

static int cmp_load(const void *a, const void *b)
{
	const struct load *x = a, *y = b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

static int read_loads(int fd, struct load **out, size_t *n)
{
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	size_t phnum;
	struct load *l = NULL;

	*n = 0;
	if (!e || elf_getphdrnum(e, &phnum) || !(l = calloc(phnum + 1, sizeof(*l)))) {
		elf_end(e);
		free(l);
		return -1;
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr p;

		if (gelf_getphdr(e, (int)i, &p) && p.p_type == PT_LOAD && p.p_filesz)
			l[(*n)++] = (struct load){ p.p_paddr, p.p_paddr + p.p_filesz, p.p_offset };
	}
	elf_end(e);
	qsort(l, *n, sizeof(*l), cmp_load);
	*out = l;
	return 0;
}

/* The reference page at a: bytes of every PT_LOAD overlapping it, zero elsewhere. */
static int expected_page(int fd, const struct load *l, size_t n, uint64_t a, uint64_t P,
			 uint8_t *buf)
{
	memset(buf, 0, P);
	for (size_t i = 0; i < n; i++) {
		uint64_t s = a > l[i].paddr ? a : l[i].paddr;
		uint64_t e = a + P < l[i].end ? a + P : l[i].end;

		if (s < e && pread(fd, buf + (s - a), e - s, (off_t)(l[i].offset + s - l[i].paddr)) !=
				     (ssize_t)(e - s))
			return -1;
	}
	return 0;
}

static void describe(kdump_ctx_t *k)
{
	const char *fmt = "?", *arch = "?";
	kdump_num_t order = 0, psz = 0;

	kdump_get_string_attr(k, KDUMP_ATTR_FILE_FORMAT, &fmt);
	kdump_get_string_attr(k, KDUMP_ATTR_ARCH_NAME, &arch);
	kdump_get_number_attr(k, KDUMP_ATTR_BYTE_ORDER, &order);
	kdump_get_number_attr(k, KDUMP_ATTR_PAGE_SIZE, &psz);
	printf("kdump-check: %s, arch %s, %s-endian, %" PRIu64 "-byte pages\n", fmt, arch,
	       order == KDUMP_BIG_ENDIAN ? "big" : "little", (uint64_t)psz);
}

/* Compare every page of the dump; count the pages and the absent gap pages. */
static int compare(kdump_ctx_t *k, int efd, const struct load *l, size_t n, uint64_t P)
{
	uint8_t *want = malloc(P), *got = malloc(P);
	uint64_t pages = 0, gaps = 0, next = 0;
	int rc = 1;

	if (!want || !got)
		goto out;
	for (size_t i = 0; i < n; i++) {
		uint64_t a = l[i].paddr / P * P;
		size_t len = P;

		if (a > next) {
			/* A page between two PT_LOADs: not in the dump. */
			if (kdump_read(k, KDUMP_MACHPHYSADDR, next, got, &len) == KDUMP_OK) {
				printf("kdump-check: page 0x%" PRIx64 " is outside every PT_LOAD but "
				       "reads from the dump\n", next);
				goto out;
			}
			gaps++;
		}
		for (a = a > next ? a : next; a < l[i].end; a += P, pages++) {
			len = P;
			if (expected_page(efd, l, n, a, P, want)) {
				printf("kdump-check: cannot read the reference at 0x%" PRIx64 "\n", a);
				rc = 2;
				goto out;
			}
			if (kdump_read(k, KDUMP_MACHPHYSADDR, a, got, &len) != KDUMP_OK) {
				printf("kdump-check: page 0x%" PRIx64 ": %s\n", a, kdump_get_err(k));
				goto out;
			}
			if (memcmp(want, got, P)) {
				printf("kdump-check: page 0x%" PRIx64 " differs from the reference\n", a);
				goto out;
			}
		}
		next = a;
	}
	printf("kdump-check: %" PRIu64 " pages equal to the reference, %" PRIu64
	       " gap pages absent\n", pages, gaps);
	rc = 0;
out:
	free(want);
	free(got);
	return rc;
}

int main(int argc, char **argv)
{
	kdump_ctx_t *k = NULL;
	struct load *l = NULL;
	kdump_num_t psz;
	size_t n;
	int kfd, efd, rc = 2;

	if (argc != 3) {
		fprintf(stderr, "usage: kdump-check KDUMP REFERENCE.elf\n");
		return 2;
	}
	elf_version(EV_CURRENT);
	kfd = open(argv[1], O_RDONLY);
	efd = open(argv[2], O_RDONLY);
	if (kfd < 0 || efd < 0 || read_loads(efd, &l, &n) || n == 0) {
		fprintf(stderr, "kdump-check: cannot read %s or %s\n", argv[1], argv[2]);
		goto out;
	}
	k = kdump_new();
	if (!k || kdump_open_fd(k, kfd) != KDUMP_OK ||
	    kdump_get_number_attr(k, KDUMP_ATTR_PAGE_SIZE, &psz) != KDUMP_OK) {
		fprintf(stderr, "kdump-check: libkdumpfile cannot open %s: %s\n", argv[1],
			k ? kdump_get_err(k) : "out of memory");
		goto out;
	}
	describe(k);
	rc = compare(k, efd, l, n, psz);
out:
	if (k)
		kdump_free(k);
	free(l);
	return rc;
}
