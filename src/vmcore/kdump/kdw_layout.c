// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Layout, headers and bitmaps of the kdump-compressed file (field offsets:
 * makedumpfile's diskdump_mod.h compiled for a 64-bit target, as in
 * qemu-inputs.md 8).
 */
#include <stdlib.h>
#include <string.h>

#include "kdw_priv.h"
#include "../../util/bytes.h"

/* struct new_utsname: six strings in the header (src/format/kdump_disk.h). */
#define UTS_LEN KDUMP_DH_UTS_LEN
#define UTS_OFF(field) (KDUMP_DH_UTSNAME + (field) * UTS_LEN)
enum { UTS_SYSNAME, UTS_NODENAME, UTS_RELEASE, UTS_VERSION, UTS_MACHINE, UTS_DOMAINNAME };

static int cmp_load(const void *a, const void *b)
{
	const struct kdw_load *x = a, *y = b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

/* The PT_LOADs with bytes, checked and sorted by address. */
static int collect_loads(const struct vmcore_model *m, struct kdw_layout *l,
			 struct mp_err *err)
{
	uint64_t P = l->page_size;

	l->loads = mp_calloc(m->nphdrs ? m->nphdrs : 1, sizeof(*l->loads), err);
	if (!l->loads)
		return -1;
	for (size_t i = 0; i < m->nphdrs; i++) {
		const struct vmcore_phdr *p = &m->phdrs[i];
		uint64_t end, oend;

		if (p->type != PT_LOAD_VALUE || p->size == 0)
			continue;
		/* Keep page rounding and "page end" sums below 2^64. */
		if (!add_u64_ok(p->paddr, p->size, &end) || end > UINT64_MAX - P ||
		    !add_u64_ok(p->offset, p->size, &oend))
			return mp_fail(err, MP_EINPUT, "PT_LOAD 0x%llx+0x%llx (data at 0x%llx) "
				       "overflows 64 bits", (unsigned long long)p->paddr,
				       (unsigned long long)p->size, (unsigned long long)p->offset);
		l->loads[l->nloads++] = (struct kdw_load){
			.paddr = p->paddr, .end = end, .offset = p->offset,
			.first_pfn = p->paddr / P, .end_pfn = round_up_u64(end, P) / P };
	}
	if (l->nloads == 0)
		return mp_fail(err, MP_EINPUT, "the vmcore has no PT_LOAD with data: no page to dump");
	qsort(l->loads, l->nloads, sizeof(*l->loads), cmp_load);
	for (size_t i = 1; i < l->nloads; i++)
		if (l->loads[i].paddr < l->loads[i - 1].end)
			return mp_fail(err, MP_EINPUT, "PT_LOADs 0x%llx-0x%llx and 0x%llx-0x%llx "
				       "overlap: a page would have two contents",
				       (unsigned long long)l->loads[i - 1].paddr,
				       (unsigned long long)l->loads[i - 1].end,
				       (unsigned long long)l->loads[i].paddr,
				       (unsigned long long)l->loads[i].end);
	return 0;
}

/* Pages any PT_LOAD touches; two loads may share the page where they meet. */
static uint64_t count_pages(const struct kdw_layout *l)
{
	uint64_t n = 0, covered = 0;

	for (size_t i = 0; i < l->nloads; i++) {
		uint64_t from = l->loads[i].first_pfn > covered ? l->loads[i].first_pfn : covered;

		if (l->loads[i].end_pfn > from)
			n += l->loads[i].end_pfn - from;
		if (l->loads[i].end_pfn > covered)
			covered = l->loads[i].end_pfn;
	}
	return n;
}

/* Where the VMCOREINFO text (the note's descriptor) lands in the file. */
static void locate_vmcoreinfo(const struct vmcore_model *m, struct kdw_layout *l,
			      uint64_t offset_note)
{
	const uint8_t *n = m->notes + m->vmcoreinfo_off;
	uint64_t namesz, descsz, desc;

	if (m->vmcoreinfo_off > m->notes_len || m->notes_len - m->vmcoreinfo_off < 12)
		return;
	namesz = get_u32(n, m->big_endian);
	descsz = get_u32(n + 4, m->big_endian);
	desc = 12 + round_up_u64(namesz, 4);
	if (desc + descsz > m->notes_len - m->vmcoreinfo_off)
		return;
	l->vmcoreinfo_off = offset_note + m->vmcoreinfo_off + desc;
	l->vmcoreinfo_size = descsz;
}

int kdw_layout_build(const struct vmcore_model *m, struct kdw_layout *l, struct mp_err *err)
{
	uint64_t P = m->page_size, blocks, sub;

	memset(l, 0, sizeof(*l));
	if (P < 4096 || P > KDW_PAGE_SIZE_MAX || (P & (P - 1)))
		return mp_fail(err, MP_EINPUT, "page size %llu: the kdump writer takes a power of "
			       "two from 4 KiB to 256 KiB", (unsigned long long)P);
	l->page_size = P;
	l->big_endian = m->big_endian;
	if (collect_loads(m, l, err)) {
		kdw_layout_free(l);
		return -1;
	}
	l->max_mapnr = l->loads[l->nloads - 1].end_pfn;
	l->ndesc = count_pages(l);
	/* Each bitmap is whole blocks: crash checks bitmap_blocks against this. */
	l->bitmap_len = round_up_u64(round_up_u64(l->max_mapnr, 8) / 8, P);
	blocks = 2 * (l->bitmap_len / P);
	sub = round_up_u64(KDUMP_SUB_HEADER_SIZE + (uint64_t)m->notes_len, P) / P;
	if (blocks > UINT32_MAX || sub > UINT32_MAX) {
		kdw_layout_free(l);
		return mp_fail(err, MP_EUNSUPPORTED, "max pfn 0x%llx needs %llu bitmap blocks: more "
			       "than the kdump header's 32-bit field holds",
			       (unsigned long long)l->max_mapnr, (unsigned long long)blocks);
	}
	l->bitmap_blocks = (uint32_t)blocks;
	l->sub_hdr_size = (uint32_t)sub;
	l->desc_off = P * (1 + sub + blocks);
	l->data_off = l->desc_off + KDUMP_DESC_SIZE * l->ndesc;
	locate_vmcoreinfo(m, l, P + KDUMP_SUB_HEADER_SIZE);
	return 0;
}

void kdw_layout_free(struct kdw_layout *l)
{
	free(l->loads);
	memset(l, 0, sizeof(*l));
}

static void put_uts(uint8_t *h, unsigned field, const char *s)
{
	size_t n = strlen(s);

	memcpy(h + UTS_OFF(field), s, n < UTS_LEN - 1 ? n : UTS_LEN - 1);
}

/* Guest address of the dump's byte at physical pa, when one PT_LOAD holds n bytes from there. */
static bool dump_address(const struct kdw_layout *l, uint64_t pa, uint64_t n, uint64_t *ga)
{
	for (size_t i = 0; i < l->nloads; i++)
		if (pa >= l->loads[i].paddr && pa < l->loads[i].end && l->loads[i].end - pa >= n) {
			*ga = l->loads[i].offset + (pa - l->loads[i].paddr);
			return true;
		}
	return false;
}

/*
 * The kernel's own utsname, as makedumpfile copies it: the bytes at
 * SYMBOL(init_uts_ns) + OFFSET(uts_namespace.name) (4, the kref before it,
 * on kernels that do not say) in the dump. Kept only when it looks like one:
 * "Linux", every string terminated, the release equal to OSRELEASE.
 */
static bool kernel_uts(struct guest_mem *gm, const struct vmcore_model *m,
		       const struct kdw_layout *l, uint8_t uts[6 * UTS_LEN])
{
	char sym[32], off[32], release[UTS_LEN];
	uint64_t va, pa, ga, o = 4;
	struct mp_err err;
	char *end;

	if (vmcoreinfo_get(m, "SYMBOL(init_uts_ns)", sym, sizeof(sym)) ||
	    vmcoreinfo_get(m, "OSRELEASE", release, sizeof(release)))
		return false;
	va = strtoull(sym, &end, 16);
	if (*end || va < PPC64_KERNEL_BASE)
		return false;
	if (vmcoreinfo_get(m, "OFFSET(uts_namespace.name)", off, sizeof(off)) == 0) {
		o = strtoull(off, &end, 10);
		if (*end || o > 4096)
			return false;
	}
	/* The kernel's linear map: physical = virtual - PAGE_OFFSET. */
	pa = va - PPC64_KERNEL_BASE + o;
	if (!dump_address(l, pa, 6 * UTS_LEN, &ga) || !gm_contains(gm, ga, 6 * UTS_LEN) ||
	    gm_read(gm, ga, uts, 6 * UTS_LEN, &err))
		return false;
	for (unsigned i = 0; i < 6; i++)
		if (!memchr(uts + i * UTS_LEN, 0, UTS_LEN))
			return false;
	return strcmp((char *)uts, "Linux") == 0 &&
	       strcmp((char *)uts + UTS_RELEASE * UTS_LEN, release) == 0;
}

/* utsname: the kernel's own, else "Linux", OSRELEASE and the machine of the byte order. */
static void put_utsname(uint8_t *h, struct guest_mem *gm, const struct vmcore_model *m,
			const struct kdw_layout *l)
{
	char release[UTS_LEN] = "";

	if (kernel_uts(gm, m, l, h + UTS_OFF(0)))
		return;
	memset(h + UTS_OFF(0), 0, 6 * UTS_LEN);
	put_uts(h, UTS_SYSNAME, "Linux");
	if (vmcoreinfo_get(m, "OSRELEASE", release, sizeof(release)) == 0)
		put_uts(h, UTS_RELEASE, release);
	/* crash matches the "ppc64" prefix to pick its ppc64 support. */
	put_uts(h, UTS_MACHINE, m->big_endian ? "ppc64" : "ppc64le");
}

/* disk_dump_header: the fields makedumpfile fills; the rest stays zero. */
static void put_header(uint8_t *h, struct guest_mem *gm, const struct vmcore_model *m,
		       const struct kdw_layout *l, uint32_t status)
{
	bool be = m->big_endian;

	memcpy(h, KDUMP_SIGNATURE, KDUMP_SIGNATURE_LEN);
	put_u32(h + KDUMP_DH_VERSION, KDUMP_HEADER_VERSION, be);
	put_utsname(h, gm, m, l);
	/* 402..423: padding and struct timeval timestamp, zero as makedumpfile leaves it. */
	put_u32(h + KDUMP_DH_STATUS, status, be);
	put_u32(h + KDUMP_DH_BLOCK_SIZE, (uint32_t)l->page_size, be);
	put_u32(h + KDUMP_DH_SUB_HDR_SIZE, l->sub_hdr_size, be);
	put_u32(h + KDUMP_DH_BITMAP_BLOCKS, l->bitmap_blocks, be);
	/* max_mapnr: 32-bit and obsolete, the full value is in the sub-header. */
	put_u32(h + KDUMP_DH_MAX_MAPNR,
		l->max_mapnr > UINT32_MAX ? UINT32_MAX : (uint32_t)l->max_mapnr, be);
	put_u32(h + KDUMP_DH_NR_CPUS, (uint32_t)m->ncpu_notes, be);
}

/* kdump_sub_header (64-bit): no split, dump level 1, notes right after it. */
static void put_sub_header(uint8_t *s, const struct vmcore_model *m,
			   const struct kdw_layout *l)
{
	bool be = m->big_endian;

	/* phys_base 0: ppc64 kernels run where they are linked. */
	put_u64(s + KDUMP_KH_PHYS_BASE, 0, be);
	put_u32(s + KDUMP_KH_DUMP_LEVEL, 1, be); /* dump_level 1: zero pages excluded */
	put_u64(s + KDUMP_KH_OFFSET_VMCOREINFO, l->vmcoreinfo_off, be);
	put_u64(s + KDUMP_KH_SIZE_VMCOREINFO, l->vmcoreinfo_size, be);
	put_u64(s + KDUMP_KH_OFFSET_NOTE, l->page_size + KDUMP_SUB_HEADER_SIZE, be);
	put_u64(s + KDUMP_KH_NOTE_SIZE, m->notes_len, be);
	put_u64(s + KDUMP_KH_MAX_MAPNR_64, l->max_mapnr, be);
}

int kdw_headers(struct guest_mem *gm, const struct vmcore_model *m,
		const struct kdw_layout *l, uint32_t status, uint8_t **out, size_t *len,
		struct mp_err *err)
{
	size_t n = (size_t)((1 + (uint64_t)l->sub_hdr_size) * l->page_size);
	uint8_t *h = mp_calloc(1, n, err);

	if (!h)
		return -1;
	put_header(h, gm, m, l, status);
	put_sub_header(h + l->page_size, m, l);
	memcpy(h + l->page_size + KDUMP_SUB_HEADER_SIZE, m->notes, m->notes_len);
	*out = h;
	*len = n;
	return 0;
}

/* Set bits [from, to) of buf (bit b: byte b / 8, bit b % 8, LSB first). */
static void set_bits(uint8_t *buf, uint64_t from, uint64_t to)
{
	while (from < to && from % 8)
		buf[from / 8] |= (uint8_t)(1u << (from % 8)), from++;
	if (to - from >= 8) {
		memset(buf + from / 8, 0xFF, (size_t)((to - from) / 8));
		from += (to - from) / 8 * 8;
	}
	while (from < to)
		buf[from / 8] |= (uint8_t)(1u << (from % 8)), from++;
}

/* One bitmap, a chunk at a time; loads are sorted, so a cursor walks them. */
static int write_bitmap(const struct kdw_layout *l, uint8_t *buf, size_t bufsz,
			struct sink *out, struct mp_err *err)
{
	size_t k = 0;

	for (uint64_t at = 0; at < l->bitmap_len; at += bufsz) {
		size_t n = l->bitmap_len - at < bufsz ? (size_t)(l->bitmap_len - at) : bufsz;
		uint64_t lo = at * 8, hi = (at + n) * 8;
		bool any = false;

		while (k < l->nloads && l->loads[k].end_pfn <= lo)
			k++;
		memset(buf, 0, n);
		for (size_t j = k; j < l->nloads && l->loads[j].first_pfn < hi; j++) {
			uint64_t s = l->loads[j].first_pfn > lo ? l->loads[j].first_pfn : lo;
			uint64_t e = l->loads[j].end_pfn < hi ? l->loads[j].end_pfn : hi;

			set_bits(buf, s - lo, e - lo);
			any = true;
		}
		if (any ? sink_write(out, buf, n, err) : sink_skip(out, n, err))
			return -1;
	}
	return 0;
}

int kdw_write_bitmaps(const struct kdw_layout *l, struct sink *out, struct mp_err *err)
{
	const size_t bufsz = 1u << 16;
	uint8_t *buf = mp_malloc(bufsz, err);
	int rc = -1;

	if (!buf)
		return -1;
	/* Dump level 1 drops no page from the dump: the 2nd bitmap equals the 1st. */
	if (write_bitmap(l, buf, bufsz, out, err) == 0 && write_bitmap(l, buf, bufsz, out, err) == 0)
		rc = 0;
	free(buf);
	return rc;
}

void kdw_cursor_start(const struct kdw_layout *l, struct kdw_cursor *c)
{
	c->load = 0;
	c->pfn = l->loads[0].first_pfn;
	c->done = false;
}

void kdw_cursor_advance(const struct kdw_layout *l, struct kdw_cursor *c, uint64_t skip)
{
	c->pfn += skip;
	while (c->load < l->nloads && l->loads[c->load].end_pfn <= c->pfn)
		c->load++;
	if (c->load == l->nloads) {
		c->done = true;
		return;
	}
	if (l->loads[c->load].first_pfn > c->pfn)
		c->pfn = l->loads[c->load].first_pfn;
}

uint64_t kdw_cursor_full_pages(const struct kdw_layout *l, const struct kdw_cursor *c)
{
	const struct kdw_load *ld = &l->loads[c->load];
	uint64_t a = c->pfn * l->page_size;

	if (ld->paddr > a || ld->end - a < l->page_size)
		return 0;
	return (ld->end - a) / l->page_size;
}
