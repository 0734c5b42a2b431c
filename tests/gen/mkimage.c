// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mpipl-mkimage: a deterministic sample "crashed guest" raw RAM image, as
 * skiboot and Linux leave it after a `fadump=on` registration and a crash,
 * just before the firmware's preserve step (the S0 interrupt):
 *
 *   - skiboot's image at the base B with SPIRA-H, the MDST/MDDT (OPAL region
 *     plus the kernel's boot-memory regions), the processor dump area
 *     (alloc_addr/alloc_size set), an empty MDRT and skiboot's metadata
 *     with the KERNEL tag (mpipl.md 1.1, 2.1, 4.1, 5.1);
 *   - the kernel's opal_fadump_mem_struct, its FADMPSIG crash info header
 *     with pt_regs and a VMCOREINFO note in boot memory (mpipl.md 5.2, 6.1);
 *   - pseudo-random and zero pages elsewhere; destinations all zero.
 *
 * It writes bytes with its own code (no mpiplctl library code), so tests
 * can check mpiplctl against it, and a manifest (JSON) of where it put
 * everything plus a --cpu-state file for the vCPUs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define HRMOR 0x8000000000000000ULL
#define SKIBOOT_AREA 0x1C10000ULL   /* SKIBOOT_SIZE */
#define STACK_SIZE 0x8000ULL        /* per possible PIR */
#define CPU_AREA_PER_CHIP 0x80000ULL
#define MDRT_OFF 0x1C00000ULL
#define METADATA_OFF 0x1C08000ULL
#define KMETA_SIZE 3088u
#define PT_REGS_SIZE 384u
#define CPU_MASK_SIZE 8u
#define FDH_SIZE (40u + PT_REGS_SIZE + CPU_MASK_SIZE)
/* FADMPINF: magic, elfcorehdr_addr, crashing_cpu + pad, pt_regs, cpu mask. */
#define LEGACY_FDH_SIZE (24u + PT_REGS_SIZE + CPU_MASK_SIZE)
#define MAX_REGIONS 8

struct region {
	uint64_t src, dest, size;
};

struct params {
	uint64_t size;
	uint64_t base;
	uint64_t seed;
	unsigned fill_percent; /* share of non-table pages that hold data */
	bool compressible; /* data pages like kernel memory (structures, pointers, text) */
	unsigned nregions;
	bool layout70;
	bool mismatch;   /* add an entry whose MDDT size differs */
	bool overlap;    /* add an entry whose destination overlaps its source */
	bool out_of_ram; /* add an entry whose destination runs past the end of RAM */
	bool big_endian; /* crashed kernel is big-endian */
	bool legacy;     /* a pre-6.10 kernel: FADMPINF header, elfcorehdr in memory */
	uint32_t page_size;
	const char *manifest;
	const char *cpu_json;
	const char *out;
};

struct layout {
	uint64_t spirah, proc_area, mdst, mddt, mdrt, metadata;
	uint64_t opal_size, opal_dest, cpu_area, cpu_area_size;
	uint64_t boot_mem, boot_top, dest_base, fdh, kmeta, vmcoreinfo, vmcoreinfo_size;
	uint64_t elfcorehdr, legacy_ra_end; /* legacy only */
	struct region rgn[MAX_REGIONS];
	unsigned nrgn;
	/* extra MDST entries of the bad-input variants (index, src, dest, sizes, region) */
	struct {
		uint64_t src, dest;
		uint32_t src_size, dest_size;
		uint8_t region;
		const char *what;
	} extra[3];
	unsigned nextra;
};

/* The sample guest's two vCPUs, as on a 2-thread powernv9: PIR 0 and 4. */
static const uint32_t cpu_pirs[2] = { 0x0, 0x4 };
#define MAX_PIR 0x4u /* the highest PIR (two vCPUs: 0 and 4); it sizes skiboot's stacks */
#define CRASHING_CPU 0x0u /* crash_fadump's crashing_cpu: logical CPU 0 = PIR 0 here */

static int fd_out = -1;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("mpipl-mkimage: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void be16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
static void be32(uint8_t *p, uint32_t v) { be16(p, v >> 16); be16(p + 2, (uint16_t)v); }
static void be64(uint8_t *p, uint64_t v) { be32(p, v >> 32); be32(p + 4, (uint32_t)v); }
static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

static void k32(const struct params *P, uint8_t *p, uint32_t v)
{
	if (P->big_endian)
		be32(p, v);
	else
		le32(p, v);
}

static void k64(const struct params *P, uint8_t *p, uint64_t v)
{
	if (P->big_endian)
		be64(p, v);
	else
		le64(p, v);
}

static void put(uint64_t at, const void *buf, size_t len)
{
	if (pwrite(fd_out, buf, len, (off_t)at) != (ssize_t)len)
		die("write at %" PRIu64 ": %s", at, strerror(errno));
}

/* splitmix64: page contents depend only on (seed, address), not on order. */
static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

static void plan(const struct params *P, struct layout *L)
{
	uint64_t B = P->base, opal_dump_size, per, at;

	memset(L, 0, sizeof(*L));
	/* skiboot 7.1 moved everything below CPU_CTL down by 0x400 (mpipl.md 1.1). */
	L->spirah = B + (P->layout70 ? 0x10400 : 0x10000);
	L->proc_area = B + (P->layout70 ? 0x10700 : 0x10300);
	L->mdst = B + (P->layout70 ? 0x11000 : 0x10C00);
	L->mddt = B + (P->layout70 ? 0x11400 : 0x11000);
	L->mdrt = B + MDRT_OFF;
	L->metadata = B + METADATA_OFF;
	/* opal_dump_size = SKIBOOT_SIZE + (max PIR + 1) stacks; MAX_PIR. */
	opal_dump_size = SKIBOOT_AREA + (MAX_PIR + 1) * STACK_SIZE;
	L->opal_size = P->size >= 256 * MiB ? opal_dump_size : MiB;
	L->opal_dest = B + opal_dump_size;
	L->cpu_area = L->opal_dest + L->opal_size;
	L->cpu_area_size = CPU_AREA_PER_CHIP; /* one chip */
	L->boot_mem = B;
	L->dest_base = align_up(L->cpu_area + L->cpu_area_size, MiB);
	/* Kernel boot memory [0, B) in nregions pieces with 1 MiB holes between. */
	per = align_up(B / P->nregions, MiB);
	at = 0;
	for (unsigned i = 0; i < P->nregions; i++) {
		uint64_t sz = i + 1 == P->nregions ? B - at : per - (P->nregions > 1 ? MiB : 0);

		L->rgn[i].src = at;
		L->rgn[i].size = sz;
		at += i + 1 == P->nregions ? sz : per;
	}
	L->nrgn = P->nregions;
	L->boot_top = at; /* Linux registers the top of boot memory as the BOOT_MEM tag */
	at = L->dest_base;
	L->boot_mem = 0;
	for (unsigned i = 0; i < L->nrgn; i++) {
		L->rgn[i].dest = at;
		at += L->rgn[i].size;
		L->boot_mem += L->rgn[i].size;
	}
	L->fdh = at;
	L->kmeta = L->fdh + FDH_SIZE; /* right after the header, as Linux 6.12 does */
	if (P->legacy) {
		/* Old kernels put the elfcorehdr right after the header, metadata after it. */
		L->elfcorehdr = L->fdh + LEGACY_FDH_SIZE;
		L->kmeta = L->elfcorehdr + 0x400;
	}
	/* VMCOREINFO buffer: a page inside boot memory region 0, 1 MiB below its end. */
	L->vmcoreinfo = L->rgn[0].src + L->rgn[0].size - MiB;
	L->vmcoreinfo_size = 36 + P->page_size;
	if (L->kmeta + KMETA_SIZE + 64 * 1024 > P->size)
		die("image size %" PRIu64 " MiB is too small for base 0x%" PRIx64, P->size >> 20, B);
}

static void plan_variants(const struct params *P, struct layout *L)
{
	uint64_t spare = align_up(L->kmeta + KMETA_SIZE, MiB) + MiB; /* free RAM after the area */

	if ((P->mismatch || P->overlap || P->out_of_ram) && spare + 4 * MiB > P->size)
		die("--size is too small for the bad-entry variants (try 128M)");
	if (P->mismatch)
		L->extra[L->nextra++] = (typeof(L->extra[0])){ spare, spare + 2 * MiB, 0x10000,
							       0x20000, 0x80, "size-mismatch" };
	if (P->overlap)
		L->extra[L->nextra++] = (typeof(L->extra[0])){ spare, spare + 0x8000, 0x20000,
							       0x20000, 0x80, "overlap" };
	if (P->out_of_ram)
		L->extra[L->nextra++] = (typeof(L->extra[0])){ spare, P->size - 0x10000, 0x20000,
							       0x20000, 0x80, "out-of-ram" };
}

static bool in_tables(const struct layout *L, uint64_t page, uint64_t psz)
{
	/* Pages holding firmware tables or reserved-area structures stay as written. */
	return (page < L->mddt + 0x400 && page + psz > L->spirah - 0x400) ||
	       (page < L->metadata + 0x8000 && page + psz > L->mdrt) ||
	       (page < L->kmeta + KMETA_SIZE && page + psz > L->dest_base) ||
	       (page < L->cpu_area + L->cpu_area_size && page + psz > L->opal_dest) ||
	       (page < L->vmcoreinfo + 0x10000 + 64 && page + psz > L->vmcoreinfo);
}

/* The bad-entry variants copy from here: always give them data. */
static bool extra_source(const struct layout *L, uint64_t page, uint64_t psz)
{
	for (unsigned i = 0; i < L->nextra; i++)
		if (page < L->extra[i].src + L->extra[i].src_size && page + psz > L->extra[i].src)
			return true;
	return false;
}

/*
 * Page contents that compress about as a kernel's memory does (zstd -1 about
 * 3:1): 64-byte records of kernel pointers sharing their high bits, small
 * counters and flags, zero padding, and now and then a run of text.
 */
static void kernel_like(uint64_t *buf, uint64_t psz, uint64_t h)
{
	static const char words[] = "kworker/0:1 systemd-journal ext4_inode_cache dentry ";

	for (uint64_t i = 0; i < psz / 8; i++) {
		uint64_t r = mix(h + i / 8), slot = i % 8;

		if (r % 5 == 0)
			memcpy(&buf[i], words + (r >> 8) % (sizeof(words) - 9), 8);
		else if (slot < 2)
			buf[i] = 0xc000000000000000ULL | ((r >> 16) & 0xffffff) << 6;
		else if (slot < 4)
			buf[i] = mix(r + slot) & 0xffffffff;
		else if (slot == 4)
			buf[i] = mix(r ^ h);
		else
			buf[i] = slot == 5 ? r & 0x3 : 0;
	}
}

/* Fill data pages: deterministic pseudo-random content, fill_percent of them. */
static void fill_pages(const struct params *P, const struct layout *L)
{
	const uint64_t psz = 64 * 1024;
	uint64_t *buf = malloc(psz);

	if (!buf)
		die("out of memory");
	for (uint64_t page = 0; page < P->size; page += psz) {
		uint64_t h = mix(P->seed ^ page);

		if (in_tables(L, page, psz))
			continue;
		if (h % 100 >= P->fill_percent && !extra_source(L, page, psz))
			continue;
		if (P->compressible)
			kernel_like(buf, psz, h);
		else
			for (uint64_t i = 0; i < psz / 8; i++)
				buf[i] = mix(h + i);
		/* Some pages are half zero, as real memory often is. */
		if ((h & 0x100) && !extra_source(L, page, psz))
			memset(buf, 0, psz / 2);
		put(page, buf, psz);
	}
	free(buf);
}

static void write_spirah(const struct params *P, const struct layout *L, unsigned nentries)
{
	uint8_t s[0x200] = { 0 };
	uint64_t B = P->base;
	uint8_t *nt;

	/* HDIF header: magic, id, instance, version 0x50, length, header length, idata. */
	be16(s, 0xD1F0);
	memcpy(s + 2, "SPIRAH", 6);
	be16(s + 10, 0x50);
	be32(s + 12, 0x200);
	be32(s + 16, 0x20);
	be32(s + 20, 0x20);
	be16(s + 24, 1);
	be32(s + 0x20, 0x30); /* idata pointer: the ntuple array */
	be32(s + 0x24, 0xF0);
	be32(s + 0x30, 0x10);
	be32(s + 0x34, 6); /* real skiboot says 6 and fills 7 */
	be32(s + 0x38, 0x20);
	be32(s + 0x3C, 0x18);
	nt = s + 0x40;
	/* {addr, alloc_cnt, act_cnt, alloc_len, act_len}; base-relative offsets below B. */
	struct {
		uint64_t addr;
		uint16_t alloc, act;
		uint32_t alen, actlen;
	} t[7] = {
		{ B + 0x1200000, 1, 0, 0x800000, 0 },
		{ L->spirah - B + 0x400, 1, 1, 0x50, 0 },
		{ L->spirah - B + 0x1400, 1, 1, 0x130, 0 },
		{ L->mdst - B, 64, (uint16_t)nentries, 0x10, 0x10 },
		{ L->mddt - B, 64, (uint16_t)nentries, 0x10, 0x10 },
		{ L->mdrt, 1024, 1024, 0x20, 0x20 },
		{ L->proc_area - B, 1, 1, 0x30, 0x30 },
	};
	for (int i = 0; i < 7; i++) {
		be64(nt + i * 0x20, t[i].addr);
		be16(nt + i * 0x20 + 8, t[i].alloc);
		be16(nt + i * 0x20 + 10, t[i].act);
		be32(nt + i * 0x20 + 12, t[i].alen);
		be32(nt + i * 0x20 + 16, t[i].actlen);
	}
	put(L->spirah, s, sizeof(s));
	if (P->layout70) {
		uint8_t legacy[8] = { 0xD1, 0xF0, 'S', 'P', 'I', 'R', 'A', ' ' };

		put(P->base + 0x10000, legacy, sizeof(legacy));
	}
}

static void entry16(uint8_t *e, uint64_t addr, uint8_t region, uint32_t size)
{
	be64(e, addr | HRMOR);
	e[8] = region;
	be32(e + 12, size);
}

static unsigned write_tables(const struct params *P, const struct layout *L)
{
	uint8_t mdst[0x400] = { 0 }, mddt[0x400] = { 0 }, proc[48] = { 0 }, meta[20] = { 0 };
	unsigned n = 0;

	entry16(mdst, P->base, 0x03, (uint32_t)L->opal_size);
	entry16(mddt, L->opal_dest, 0x03, (uint32_t)L->opal_size);
	n++;
	for (unsigned i = 0; i < L->nrgn; i++, n++) {
		entry16(mdst + 16 * n, L->rgn[i].src, 0x80, (uint32_t)L->rgn[i].size);
		entry16(mddt + 16 * n, L->rgn[i].dest, 0x80, (uint32_t)L->rgn[i].size);
	}
	for (unsigned i = 0; i < L->nextra; i++, n++) {
		entry16(mdst + 16 * n, L->extra[i].src, L->extra[i].region, L->extra[i].src_size);
		entry16(mddt + 16 * n, L->extra[i].dest, L->extra[i].region, L->extra[i].dest_size);
	}
	put(L->mdst, mdst, sizeof(mdst));
	put(L->mddt, mddt, sizeof(mddt));
	/* QEMU's reset-time init (thread_size 1080, version 1) plus skiboot's allocation. */
	be32(proc, 1080);
	proc[4] = 1;
	be64(proc + 16, L->cpu_area | HRMOR);
	be32(proc + 28, (uint32_t)L->cpu_area_size);
	put(L->proc_area, proc, sizeof(proc));
	be32(meta, 0); /* crashing PIR is saved only at terminate time */
	be64(meta + 4, L->kmeta);
	be64(meta + 12, L->boot_top);
	put(L->metadata, meta, sizeof(meta));
	return n;
}

static void write_kernel_meta(const struct layout *L)
{
	uint8_t m[KMETA_SIZE] = { 0 };

	m[0] = 1;
	be16(m + 4, (uint16_t)L->nrgn);
	be16(m + 6, (uint16_t)L->nrgn);
	be64(m + 8, L->fdh);
	for (unsigned i = 0; i < L->nrgn; i++) {
		be64(m + 16 + 24 * i, L->rgn[i].src);
		be64(m + 24 + 24 * i, L->rgn[i].dest);
		be64(m + 32 + 24 * i, L->rgn[i].size);
	}
	put(L->kmeta, m, sizeof(m));
}

/* pt_regs slot i of the crashing CPU: recognisable values. */
static uint64_t crash_reg(unsigned i)
{
	switch (i) {
	case 32: return 0xC000000000032050ULL; /* nip */
	case 33: return 0x9000000000001033ULL; /* msr */
	case 35: return 0xC0000000000ABC00ULL; /* ctr */
	case 36: return 0xC00000000001D244ULL; /* link */
	case 37: return 0x20000000ULL;         /* xer */
	case 38: return 0x28004282ULL;         /* ccr */
	default: return 0xC0DE000000000000ULL | (uint64_t)i << 8 | CRASHING_CPU;
	}
}

static void write_crash_info(const struct params *P, const struct layout *L)
{
	uint8_t h[FDH_SIZE] = { 0 };
	uint64_t raddr = L->rgn[0].dest + (L->vmcoreinfo - L->rgn[0].src);

	k64(P, h, 0x4641444D50534947ULL); /* "FADMPSIG" as a native u64 */
	k32(P, h + 8, 1);
	/* Linux stores the logical CPU number (0 here), and OPAL matches it against PIRs. */
	k32(P, h + 12, CRASHING_CPU);
	k64(P, h + 16, raddr);
	k64(P, h + 24, L->vmcoreinfo_size);
	k32(P, h + 32, PT_REGS_SIZE);
	k32(P, h + 36, CPU_MASK_SIZE);
	for (unsigned i = 0; i < PT_REGS_SIZE / 8; i++)
		k64(P, h + 40 + 8 * i, crash_reg(i));
	k64(P, h + 40 + PT_REGS_SIZE, 0x3); /* logical CPUs 0 and 1 online */
	put(L->fdh, h, sizeof(h));
}

static void legacy_phdr(const struct params *P, uint8_t *p, uint32_t type, uint64_t off,
			uint64_t paddr, uint64_t size)
{
	k32(P, p, type);
	k32(P, p + 4, type == 1 ? 7 : 0);
	k64(P, p + 8, off);
	k64(P, p + 16, type == 1 ? 0xC000000000000000ULL + paddr : 0);
	k64(P, p + 24, paddr);
	k64(P, p + 32, size);
	k64(P, p + 40, size);
}

/* The elfcorehdr a pre-6.10 kernel prepared at registration (FADMPINF header). */
static void write_legacy(const struct params *P, struct layout *L)
{
	uint8_t h[LEGACY_FDH_SIZE] = { 0 }, e[64 + 56 * 16] = { 0 };
	uint64_t raddr = L->rgn[0].dest + (L->vmcoreinfo - L->rgn[0].src);
	/* The reserved area, as that kernel excluded it from its RAM loads. */
	uint64_t ra_end = L->kmeta + KMETA_SIZE, n = 0;

	k64(P, h, 0x4641444D50494E46ULL); /* "FADMPINF" */
	k64(P, h + 8, L->elfcorehdr);
	k32(P, h + 16, CRASHING_CPU);
	for (unsigned i = 0; i < PT_REGS_SIZE / 8; i++)
		k64(P, h + 24 + 8 * i, crash_reg(i));
	k64(P, h + 24 + PT_REGS_SIZE, 0x3);
	put(L->fdh, h, sizeof(h));
	memcpy(e, "\177ELF", 4);
	e[4] = 2;
	e[5] = P->big_endian ? 2 : 1;
	e[6] = 1;
	legacy_phdr(P, e + 64 + 56 * n++, 4, 0, 0, 0); /* CPU notes: filled by the capture kernel */
	legacy_phdr(P, e + 64 + 56 * n++, 4, raddr, raddr, L->vmcoreinfo_size);
	for (unsigned i = 0; i < L->nrgn; i++)
		legacy_phdr(P, e + 64 + 56 * n++, 1, L->rgn[i].dest, L->rgn[i].src, L->rgn[i].size);
	legacy_phdr(P, e + 64 + 56 * n++, 1, L->boot_top, L->boot_top, L->dest_base - L->boot_top);
	legacy_phdr(P, e + 64 + 56 * n++, 1, ra_end, ra_end, P->size - ra_end);
	L->legacy_ra_end = ra_end;
	if (P->big_endian) {
		be16(e + 16, 4); be16(e + 18, 21); be32(e + 20, 1); be64(e + 32, 64);
		be32(e + 48, 0); be16(e + 52, 64); be16(e + 54, 56); be16(e + 56, (uint16_t)n);
	} else {
		e[16] = 4; e[18] = 21; e[20] = 1; e[32] = 64; e[48] = 2;
		e[52] = 64; e[54] = 56; e[56] = (uint8_t)n;
	}
	put(L->elfcorehdr, e, 64 + 56 * n);
}

static void write_vmcoreinfo(const struct params *P, const struct layout *L)
{
	char text[512];
	uint8_t *note = calloc(1, L->vmcoreinfo_size);
	int n;

	if (!note)
		die("out of memory");
	n = snprintf(text, sizeof(text),
		     "OSRELEASE=6.12.0-mpiplctl-sample\nBUILD-ID=0123456789abcdef\n"
		     "PAGESIZE=%u\nSYMBOL(init_uts_ns)=c000000002627d28\n"
		     "SYMBOL(swapper_pg_dir)=c000000002690000\nSYMBOL(_stext)=c000000000000000\n"
		     "OFFSET(list_head.next)=0\nNUMBER(RADIX_MMU)=0\nKERNELOFFSET=0\n"
		     "CRASHTIME=1764000000\n",
		     P->page_size);
	/* An ELF note: namesz 11 ("VMCOREINFO\0", padded to 12), descsz, type 0. */
	k32(P, note, 11);
	k32(P, note + 4, (uint32_t)n);
	k32(P, note + 8, 0);
	memcpy(note + 12, "VMCOREINFO", 10);
	memcpy(note + 24, text, (size_t)n);
	put(L->vmcoreinfo, note, L->vmcoreinfo_size);
	free(note);
}

static void write_cpu_json(const struct params *P)
{
	FILE *f = fopen(P->cpu_json, "w");

	if (!f)
		die("%s: %s", P->cpu_json, strerror(errno));
	fprintf(f, "{\"threads\": [\n");
	for (unsigned c = 0; c < 2; c++) {
		uint32_t pir = cpu_pirs[c];

		fprintf(f, "  {\"pir\": %u", pir);
		for (unsigned r = 0; r < 32; r++)
			fprintf(f, ", \"r%u\": \"0x%016" PRIx64 "\"", r,
				(uint64_t)(0x1000000000000000ULL * (c + 1) + r));
		fprintf(f, ",\n   \"nip\": \"0x%" PRIx64 "\", \"msr\": \"0x9000000000001033\", "
			   "\"cr\": \"0x%x\", \"lr\": \"0x%" PRIx64 "\", \"ctr\": \"0x%" PRIx64
			   "\", \"xer\": \"0x%x\",\n",
			(uint64_t)(0xC000000000100000ULL + pir * 0x100), 0x24000400 + pir,
			(uint64_t)(0xC000000000200000ULL + pir * 0x100),
			(uint64_t)(0xC000000000300000ULL + pir),
			0xE00C0000u | pir);
		fprintf(f, "   \"srr0\": \"0x%x\", \"srr1\": \"0x%x\", \"cfar\": \"0x%x\", "
			   "\"hmer\": \"0x%x\", \"dar\": \"0x%x\", \"dsisr\": \"0x%x\"}%s\n",
			0x5000 + pir, 0x5100 + pir, 0x5200 + pir, 0x5300 + pir, 0x5400 + pir,
			0x5500 + pir, c == 1 ? "" : ",");
	}
	fprintf(f, "]}\n");
	if (fclose(f))
		die("%s: %s", P->cpu_json, strerror(errno));
}

static void write_manifest(const struct params *P, const struct layout *L, unsigned nentries)
{
	FILE *f = fopen(P->manifest, "w");

	if (!f)
		die("%s: %s", P->manifest, strerror(errno));
	fprintf(f, "{\"size\": %" PRIu64 ", \"base\": %" PRIu64 ", \"layout\": \"%s\",\n",
		P->size, P->base, P->layout70 ? "7.0" : "7.1");
	fprintf(f, " \"spirah\": %" PRIu64 ", \"mdst\": %" PRIu64 ", \"mddt\": %" PRIu64
		   ", \"mdrt\": %" PRIu64 ", \"proc_area\": %" PRIu64 ", \"metadata\": %" PRIu64
		   ",\n",
		L->spirah, L->mdst, L->mddt, L->mdrt, L->proc_area, L->metadata);
	fprintf(f, " \"cpu_area\": %" PRIu64 ", \"cpu_area_size\": %" PRIu64
		   ", \"dest_base\": %" PRIu64 ", \"boot_mem\": %" PRIu64 ", \"fdh\": %" PRIu64
		   ", \"kmeta\": %" PRIu64 ", \"vmcoreinfo\": %" PRIu64 ", \"vmcoreinfo_size\": %" PRIu64
		   ", \"page_size\": %u, \"big_endian\": %s, \"crashing_cpu\": %u, \"nentries\": %u,\n",
		L->cpu_area, L->cpu_area_size, L->dest_base, L->boot_mem, L->fdh, L->kmeta,
		L->vmcoreinfo, L->vmcoreinfo_size, P->page_size, P->big_endian ? "true" : "false",
		CRASHING_CPU, nentries);
	fprintf(f, " \"legacy\": %s, \"elfcorehdr\": %" PRIu64 ", \"legacy_ra_end\": %" PRIu64 ",\n",
		P->legacy ? "true" : "false", L->elfcorehdr, L->legacy_ra_end);
	fprintf(f, " \"crash_regs\": [");
	for (unsigned i = 0; i < PT_REGS_SIZE / 8; i++)
		fprintf(f, "%s%" PRIu64, i ? ", " : "", crash_reg(i));
	fprintf(f, "],\n");
	fprintf(f, " \"entries\": [\n  {\"src\": %" PRIu64 ", \"dest\": %" PRIu64
		   ", \"size\": %" PRIu64 ", \"dest_size\": %" PRIu64 ", \"region\": 3, \"what\": \"opal\"}",
		P->base, L->opal_dest, L->opal_size, L->opal_size);
	for (unsigned i = 0; i < L->nrgn; i++)
		fprintf(f, ",\n  {\"src\": %" PRIu64 ", \"dest\": %" PRIu64 ", \"size\": %" PRIu64
			   ", \"dest_size\": %" PRIu64 ", \"region\": 128, \"what\": \"kernel\"}",
			L->rgn[i].src, L->rgn[i].dest, L->rgn[i].size, L->rgn[i].size);
	for (unsigned i = 0; i < L->nextra; i++)
		fprintf(f, ",\n  {\"src\": %" PRIu64 ", \"dest\": %" PRIu64 ", \"size\": %u"
			   ", \"dest_size\": %u, \"region\": %u, \"what\": \"%s\"}",
			L->extra[i].src, L->extra[i].dest, L->extra[i].src_size,
			L->extra[i].dest_size, L->extra[i].region, L->extra[i].what);
	fprintf(f, "\n ]}\n");
	if (fclose(f))
		die("%s: %s", P->manifest, strerror(errno));
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		die("bad number '%s'", s);
	switch (*end) {
	case 'K': v <<= 10; break;
	case 'M': v <<= 20; break;
	case 'G': v <<= 30; break;
	case '\0': break;
	default: die("bad size suffix in '%s'", s);
	}
	return v;
}

static void usage(void)
{
	fputs("Usage: mpipl-mkimage [OPTIONS] OUT.raw\n"
	      "  --size SIZE        RAM size, 64M..16G and more (default 256M)\n"
	      "  --base ADDR        skiboot base (default 0x30000000 from 2 GiB, else size/4)\n"
	      "  --seed N           content seed (default 1)\n"
	      "  --fill PERCENT     share of data pages (default 30)\n"
	      "  --compressible     data pages like kernel memory (zstd -1 about 3:1)\n"
	      "  --regions N        kernel boot-memory regions, 1..8 (default 1)\n"
	      "  --layout 7.0|7.1   skiboot table generation (default 7.1)\n"
	      "  --page-size N      kernel page size for VMCOREINFO (default 65536)\n"
	      "  --big-endian       a big-endian crashed kernel\n"
	      "  --legacy           a pre-6.10 kernel: FADMPINF header and its elfcorehdr\n"
	      "  --mismatch --overlap --out-of-ram   add a bad MDST entry of that kind\n"
	      "  --manifest FILE    write where everything is (JSON)\n"
	      "  --cpu-json FILE    write a --cpu-state file for the two vCPUs\n",
	      stderr);
	exit(2);
}

static void parse_args(int argc, char **argv, struct params *P)
{
	static const struct option opts[] = {
		{ "size", 1, NULL, 's' },	  { "base", 1, NULL, 'b' },
		{ "seed", 1, NULL, 'S' },	  { "fill", 1, NULL, 'f' },
		{ "regions", 1, NULL, 'r' },	  { "layout", 1, NULL, 'l' },
		{ "page-size", 1, NULL, 'p' },	  { "big-endian", 0, NULL, 'E' },
		{ "mismatch", 0, NULL, 'M' },	  { "overlap", 0, NULL, 'O' },
		{ "out-of-ram", 0, NULL, 'R' },	  { "manifest", 1, NULL, 'm' },
		{ "cpu-json", 1, NULL, 'c' },	  { "help", 0, NULL, 'h' },
		{ "legacy", 0, NULL, 'L' },	  { "compressible", 0, NULL, 'C' },
		{ 0 },
	};
	bool base_given = false;
	int c;

	*P = (struct params){ .size = 256 * MiB, .seed = 1, .fill_percent = 30, .nregions = 1,
			      .page_size = 65536 };
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': P->size = parse_size(optarg); break;
		case 'b': P->base = parse_size(optarg); base_given = true; break;
		case 'S': P->seed = parse_size(optarg); break;
		case 'f': P->fill_percent = (unsigned)parse_size(optarg); break;
		case 'C': P->compressible = true; break;
		case 'r': P->nregions = (unsigned)parse_size(optarg); break;
		case 'l':
			if (strcmp(optarg, "7.0") && strcmp(optarg, "7.1"))
				die("--layout: 7.0 or 7.1");
			P->layout70 = strcmp(optarg, "7.0") == 0;
			break;
		case 'p': P->page_size = (uint32_t)parse_size(optarg); break;
		case 'E': P->big_endian = true; break;
		case 'L': P->legacy = true; break;
		case 'M': P->mismatch = true; break;
		case 'O': P->overlap = true; break;
		case 'R': P->out_of_ram = true; break;
		case 'm': P->manifest = optarg; break;
		case 'c': P->cpu_json = optarg; break;
		default: usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	P->out = argv[optind];
	if (P->size < 64 * MiB || P->size % MiB)
		die("--size must be a multiple of 1 MiB, at least 64 MiB");
	if (P->nregions < 1 || P->nregions > MAX_REGIONS)
		die("--regions must be 1..%d", MAX_REGIONS);
	if (P->fill_percent > 100 || (P->page_size != 4096 && P->page_size != 65536))
		die("--fill 0..100, --page-size 4096 or 65536");
	if (!base_given)
		P->base = P->size >= 2 * GiB ? 0x30000000ULL : (P->size / 4) & ~(16 * MiB - 1);
	if (P->base < 16 * MiB)
		P->base = 16 * MiB;
}

int main(int argc, char **argv)
{
	struct params P;
	struct layout L;
	unsigned n;

	parse_args(argc, argv, &P);
	plan(&P, &L);
	plan_variants(&P, &L);
	fd_out = open(P.out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd_out < 0)
		die("%s: %s", P.out, strerror(errno));
	if (ftruncate(fd_out, (off_t)P.size) < 0)
		die("%s: %s", P.out, strerror(errno));
	fill_pages(&P, &L);
	write_spirah(&P, &L, 1 + L.nrgn + L.nextra);
	n = write_tables(&P, &L);
	write_kernel_meta(&L);
	if (P.legacy)
		write_legacy(&P, &L);
	else
		write_crash_info(&P, &L);
	write_vmcoreinfo(&P, &L);
	if (close(fd_out) < 0)
		die("%s: %s", P.out, strerror(errno));
	if (P.manifest)
		write_manifest(&P, &L, n);
	if (P.cpu_json)
		write_cpu_json(&P);
	return 0;
}
