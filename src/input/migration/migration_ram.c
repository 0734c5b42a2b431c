// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The `ram` section (spec qemu-inputs.md 4): the block list, then page
 * records applied in stream order into one unlinked sparse temporary file
 * holding every kept block. Only non-zero pages are written (coalesced into
 * runs); a zero page over an earlier non-zero one punches a hole. Memory use
 * is a few buffers, whatever the guest size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migration_priv.h"
#include "../../format/powernv.h"
#include "../../util/bytes.h"
#include "../../util/tempfile.h"

/* Record flags, [migration/ram.h] (spec 4.1). */
#define RAM_FLAG_ZERO 0x002u
#define RAM_FLAG_MEM_SIZE 0x004u
#define RAM_FLAG_PAGE 0x008u
#define RAM_FLAG_EOS 0x010u
#define RAM_FLAG_CONTINUE 0x020u
#define RAM_FLAG_XBZRLE 0x040u
#define RAM_FLAG_HOOK 0x080u
#define RAM_FLAG_COMPRESS_PAGE 0x100u
#define RAM_FLAG_MULTIFD_FLUSH 0x200u

/* XBZRLE header byte, ENCODING_FLAG_XBZRLE in [migration/ram.c]. */
#define XBZRLE_ENCODING 0x01u
/* compressBound(4096) of zlib: the largest COMPRESS_PAGE payload QEMU accepts. */
#define COMPRESS_PAGE_MAX 4110u

/* A machine has a handful of RAM blocks; bounds memory on bad input. */
#define RAM_BLOCKS_MAX 1024u
/* Write coalescing buffer. */
#define WBUF_SIZE (1u << 20)

/* HOMER RAM blocks by machine type (src/format/powernv.h; spec 5.1). */
static const struct {
	const char *machine;
	uint64_t homer_base;
} homer_bases[] = {
	{ "powernv8", PNV8_HOMER_BASE },
	{ "powernv9", PNV9_HOMER_BASE },
	{ "powernv10", PNV10_HOMER_BASE },
	{ "powernv10-rainier", PNV10_HOMER_BASE },
	{ "powernv11", PNV10_HOMER_BASE },
};

/* ---- the temporary file ---- */

/* Write all of iov (consumed as it goes) at off of fd. */
static int pwritev_all(struct mig *g, int fd, struct iovec *iov, int n, uint64_t off,
		       struct mp_err *err)
{
	while (n > 0) {
		ssize_t w = pwritev(fd, iov, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return mp_fail_errno(err, "%s: writing decoded RAM to a temporary file",
					     g->path);
		off += (uint64_t)w;
		/* A short write: drop what went, resume mid-piece. */
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int wflush(struct mig *g, struct mp_err *err)
{
	struct mig_ram *r = &g->ram;

	if (r->wniov && pwritev_all(g, r->wfd, r->wiov, r->wniov, r->wstart, err))
		return -1;
	r->wniov = 0;
	r->wlen = 0;
	r->wbuf_used = 0;
	return 0;
}

int ram_flush(struct mig *g, struct mp_err *err)
{
	return wflush(g, err);
}

/* The source is about to reuse the buffer that lent pages point into. */
static int flush_before_refill(void *ctx, struct mp_err *err)
{
	return wflush(ctx, err);
}

static bool pending_overlaps(const struct mig_ram *r, int fd, uint64_t t, size_t n)
{
	return r->wlen && r->wfd == fd && t < r->wstart + r->wlen && r->wstart < t + n;
}

/*
 * Queue n bytes for offset t of file fd, gathering contiguous pages into one
 * write. Lent data (the source's buffer) is pointed at; other data (decoded
 * here, reused by the caller) is copied into wbuf.
 */
static int wput(struct mig *g, int fd, uint64_t t, const uint8_t *data, size_t n, bool lent,
		struct mp_err *err)
{
	struct mig_ram *r = &g->ram;

	if (r->wlen && (fd != r->wfd || t != r->wstart + r->wlen || r->wniov == MIG_WIOV_MAX ||
			(!lent && r->wbuf_used + n > WBUF_SIZE) || pending_overlaps(r, fd, t, n)) &&
	    wflush(g, err))
		return -1;
	if (!r->wlen) {
		r->wstart = t;
		r->wfd = fd;
	}
	if (!lent) {
		memcpy(r->wbuf + r->wbuf_used, data, n);
		data = r->wbuf + r->wbuf_used;
		r->wbuf_used += n;
	}
	r->wiov[r->wniov++] = (struct iovec){ (void *)data, n };
	r->wlen += n;
	return 0;
}

/* Make the n bytes at t->off of t's file read as zero. */
static int zero_out(struct mig *g, const struct ram_target *t, size_t n, struct mp_err *err)
{
	static const uint8_t zeros[MIG_PAGE_SIZE];
	uint64_t from = t->off / MIG_PAGE_SIZE, to = (t->off + n - 1) / MIG_PAGE_SIZE + 1;
	struct iovec iov = { (void *)zeros, n };

	/* Never written there: already zero (a page: one bit). */
	if (to == from + 1 ? !bitmap_test(t->map, from) : bitmap_next_set(t->map, from, to) == to)
		return 0;
	if (pending_overlaps(&g->ram, t->fd, t->off, n) && wflush(g, err))
		return -1;
	/* The page is the file's own (blocks start on pages): all of it reads zero. */
	bitmap_clear_range(t->map, from, to);
	if (fallocate(t->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)t->off,
		      (off_t)n) == 0)
		return 0;
	/* No hole punching on this file system: write the zeros (a pending write stays queued). */
	return pwritev_all(g, t->fd, &iov, 1, t->off, err);
}

static size_t page_bytes(const struct ram_block *b, uint64_t addr)
{
	return b->length - addr < MIG_PAGE_SIZE ? (size_t)(b->length - addr) : MIG_PAGE_SIZE;
}

/* Store one decoded page (last write wins). */
static int put_page(struct mig *g, struct ram_block *b, uint64_t addr, const uint8_t *data,
		    bool lent, struct mp_err *err)
{
	size_t n = page_bytes(b, addr);
	struct ram_target t;

	if (!b->keep)
		return 0;
	if (place_target(g, b, addr, true, &t, err))
		return -1;
	/*
	 * data == NULL: a ZERO record. Data records are written as they are:
	 * QEMU sends all-zero pages as ZERO records, and scanning every data page
	 * for zeros cost a third of the reading time.
	 */
	if (!data)
		return zero_out(g, &t, n, err);
	if (wput(g, t.fd, t.off, data, n, lent, err))
		return -1;
	bitmap_set_range(t.map, t.off / MIG_PAGE_SIZE, (t.off + n - 1) / MIG_PAGE_SIZE + 1);
	return 0;
}

/* The page's content so far (XBZRLE decodes against it). */
static int get_page(struct mig *g, struct ram_block *b, uint64_t addr, uint8_t *page,
		    struct mp_err *err)
{
	struct ram_target t;
	size_t n, got = 0;

	memset(page, 0, MIG_PAGE_SIZE);
	if (!b->keep)
		return 0;
	if (place_target(g, b, addr, false, &t, err))
		return -1;
	n = page_bytes(b, addr);
	if (!ram_target_has_data(&t))
		return 0;
	if (pending_overlaps(&g->ram, t.fd, t.off, n) && wflush(g, err))
		return -1;
	while (got < n) {
		ssize_t r = pread(t.fd, page + got, n - got, (off_t)(t.off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return mp_fail_errno(err, "%s: reading back decoded RAM", g->path);
		got += (size_t)r;
	}
	return 0;
}

/* ---- block list (spec 4.2) and where blocks go (spec 5.1) ---- */

/* "homer-chipN-memory", N = chip id in decimal ([hw/ppc/pnv_homer.c]). */
static bool is_homer(const char *idstr, unsigned *chip)
{
	static const char prefix[] = "homer-chip", suffix[] = "-memory";
	const char *p = idstr + sizeof(prefix) - 1;
	unsigned long n = 0;

	if (strncmp(idstr, prefix, sizeof(prefix) - 1) != 0 || *p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (unsigned long)(*p - '0');
		if (n > 0xFFFF)
			return false; /* chip ids are small */
	}
	*chip = (unsigned)n;
	return strcmp(p, suffix) == 0;
}

static long main_block(const struct mig_ram *r)
{
	long best = -1;
	unsigned chip;

	for (size_t i = 0; i < r->nblocks; i++)
		if (r->blocks[i].listed && strcmp(r->blocks[i].idstr, "pnv.ram") == 0)
			return (long)i;
	/* -machine memory-backend=ID renames it: the largest plain-named block. */
	for (size_t i = 0; i < r->nblocks; i++) {
		const struct ram_block *b = &r->blocks[i];

		if (!b->listed || strchr(b->idstr, '/') || is_homer(b->idstr, &chip))
			continue;
		if (best < 0 || b->length > r->blocks[best].length)
			best = (long)i;
	}
	return best;
}

static int place_homer(struct mig *g, struct ram_block *b, unsigned chip, struct mp_err *err)
{
	b->flags = GM_RANGE_AUX;
	if (b->have_stream_gpa) {
		b->gpa = b->stream_gpa;
		b->keep = true;
		return 0;
	}
	for (size_t i = 0; i < sizeof(homer_bases) / sizeof(homer_bases[0]); i++) {
		if (strcmp(g->machine, homer_bases[i].machine) == 0) {
			b->gpa = homer_bases[i].homer_base + chip * PNV_HOMER_SIZE;
			b->keep = true;
			return 0;
		}
	}
	return gm_add_note(g->gm, err, "RAM block '%s' left out: HOMER address unknown for "
				       "machine '%s'",
			   b->idstr, g->machine);
}

static int place_blocks(struct mig *g, struct mp_err *err)
{
	struct mig_ram *r = &g->ram;
	long main = main_block(r);
	unsigned chip;

	for (size_t i = 0; i < r->nblocks; i++) {
		struct ram_block *b = &r->blocks[i];

		if (b->length == 0)
			continue;
		if ((long)i == main) {
			b->keep = true;
			b->gpa = b->have_stream_gpa ? b->stream_gpa : 0; /* main RAM at GPA 0 */
		} else if (is_homer(b->idstr, &chip)) {
			if (place_homer(g, b, chip, err))
				return -1;
		} else if (gm_add_note(g->gm, err, "RAM block '%s' (%llu bytes) left out: %s",
				       b->idstr, (unsigned long long)b->length,
				       strchr(b->idstr, '/') ? "device memory" : "not guest RAM")) {
			return -1;
		}
	}
	return 0;
}

/* One temp file for all kept blocks, each at a page-aligned offset. */
static int open_temp(struct mig *g, struct mp_err *err)
{
	struct mig_ram *r = &g->ram;
	uint64_t size = round_up_u64(g->ram_file_offset, MIG_PAGE_SIZE);

	for (size_t i = 0; i < r->nblocks; i++) {
		struct ram_block *b = &r->blocks[i];

		if (!b->keep)
			continue;
		b->toff = size;
		if (!add_u64_ok(size, round_up_u64(b->length, MIG_PAGE_SIZE), &size))
			return mp_fail(err, MP_EINPUT, "%s: RAM blocks add up past 2^64", g->path);
	}
	if (size == round_up_u64(g->ram_file_offset, MIG_PAGE_SIZE))
		return 0;
	r->wbuf = mp_malloc(WBUF_SIZE, err);
	/* One bit per page: 2 MiB for a 64 GiB guest. */
	if (!r->wbuf || bitmap_init(&r->written, size / MIG_PAGE_SIZE, err))
		return -1;
	r->tfd = temp_file_create(g->tmpdir, "ram", err);
	if (r->tfd < 0)
		return -1;
	if (ftruncate(r->tfd, (off_t)size) < 0)
		return mp_fail_errno(err, "%s: sizing a %llu-byte temporary file for RAM", g->path,
				     (unsigned long long)size);
	r->tsize = size;
	g->src.on_refill = flush_before_refill;
	g->src.refill_ctx = g;
	return place_start(&r->place, main_block(r), err);
}

static struct ram_block *add_block(struct mig *g, const char *idstr, uint64_t at,
				   struct mp_err *err)
{
	struct mig_ram *r = &g->ram;
	struct ram_block *blocks;

	if (r->nblocks >= RAM_BLOCKS_MAX) {
		mp_fail_at(err, MP_EINPUT, g->path, at, "more than %u RAM blocks", RAM_BLOCKS_MAX);
		return NULL;
	}
	blocks = mp_reallocarray(r->blocks, r->nblocks + 1, sizeof(*blocks), err);
	if (!blocks)
		return NULL;
	r->blocks = blocks;
	memset(&blocks[r->nblocks], 0, sizeof(blocks[0]));
	snprintf(blocks[r->nblocks].idstr, sizeof(blocks[0].idstr), "%s", idstr);
	return &blocks[r->nblocks++];
}

static long find_block(const struct mig_ram *r, const char *idstr)
{
	for (size_t i = 0; i < r->nblocks; i++)
		if (strcmp(r->blocks[i].idstr, idstr) == 0)
			return (long)i;
	return -1;
}

static int read_idstr(struct mig *g, char *out, const char *what, struct mp_err *err)
{
	uint8_t len;

	if (ms_u8(&g->src, &len, what, err) || ms_read(&g->src, out, len, what, err))
		return -1;
	out[len] = '\0';
	return 0;
}

/*
 * The optional be64 host page size of postcopy-ram (spec 4.2) cannot be
 * predicted: a power of two in [4 KiB, 1 TiB] has a zero first byte, so it is
 * neither an idstr length nor (flags 0) a record header, and is consumed.
 * With x-ignore-shared or mapped-ram other be64s follow and no guess is made.
 */
static int maybe_page_size(struct mig *g, struct mp_err *err)
{
	const uint8_t *p;
	ptrdiff_t n;
	uint64_t v;

	if (g->cap_ignore_shared || g->cap_mapped_ram)
		return 0;
	n = ms_peek(&g->src, &p, 8, err);
	if (n < 0)
		return -1;
	if (n < 8)
		return 0;
	v = get_be64(p);
	if (v < 4096 || v > (1ull << 40) || (v & (v - 1)))
		return 0;
	return ms_skip(&g->src, 8, "block page size", err);
}

static int read_block_list(struct mig *g, uint64_t total, uint64_t at, struct mp_err *err)
{
	struct mig_ram *r = &g->ram;
	uint64_t left = total;

	if (r->have_list)
		return mp_fail_at(err, MP_EINPUT, g->path, at, "second RAM block list");
	while (left) {
		uint64_t bat = ms_tell(&g->src), len, gpa = 0;
		char idstr[256];
		struct ram_block *b;

		if (read_idstr(g, idstr, "RAM block name", err) ||
		    ms_be64(&g->src, &len, "RAM block length", err))
			return -1;
		if (!idstr[0])
			return mp_fail_at(err, MP_EINPUT, g->path, bat, "RAM block name of length "
					  "0");
		if (len > left)
			return mp_fail_at(err, MP_EINPUT, g->path, bat, "RAM block '%s' length "
					  "0x%llx exceeds the 0x%llx bytes left of the total "
					  "0x%llx", idstr, (unsigned long long)len,
					  (unsigned long long)left, (unsigned long long)total);
		if (find_block(r, idstr) >= 0)
			return mp_fail_at(err, MP_EINPUT, g->path, bat, "RAM block '%s' listed "
					  "twice", idstr);
		if (maybe_page_size(g, err))
			return -1;
		if (g->cap_ignore_shared && ms_be64(&g->src, &gpa, "RAM block address", err))
			return -1;
		b = add_block(g, idstr, bat, err);
		if (!b)
			return -1;
		b->listed = true;
		b->length = len;
		b->stream_gpa = gpa;
		b->have_stream_gpa = g->cap_ignore_shared;
		if (g->cap_mapped_ram && mapped_ram_block_header(g, b, err))
			return -1;
		left -= len;
	}
	r->have_list = true;
	if (place_blocks(g, err))
		return -1;
	return g->cap_mapped_ram ? 0 : open_temp(g, err);
}

/* ---- page records (spec 4.1, 4.3) ---- */

static int block_from_stream(struct mig *g, uint8_t flags, uint64_t at, struct ram_block **out,
			     struct mp_err *err)
{
	struct mig_ram *r = &g->ram;
	char idstr[256];
	long i;

	if (flags & RAM_FLAG_CONTINUE) {
		if (r->last < 0)
			return mp_fail_at(err, MP_EINPUT, g->path, at, "page record continues a "
					  "RAM block before any was named");
		*out = &r->blocks[r->last];
		return 0;
	}
	if (read_idstr(g, idstr, "RAM block name", err))
		return -1;
	i = find_block(r, idstr);
	if (i < 0) {
		/* QEMU refuses the stream; here its pages are read and dropped. */
		if (!add_block(g, idstr, at, err))
			return -1;
		i = (long)r->nblocks - 1;
		snprintf(r->unknown_block, sizeof(r->unknown_block), "%s", idstr);
	}
	r->last = i;
	*out = &r->blocks[i];
	return 0;
}

static int xbzrle_page(struct mig *g, struct ram_block *b, uint64_t addr, uint64_t at,
		       struct mp_err *err)
{
	struct mig_ram *r = &g->ram;
	uint8_t hdr;
	uint16_t len;

	if (ms_u8(&g->src, &hdr, "XBZRLE header", err) ||
	    ms_be16(&g->src, &len, "XBZRLE length", err))
		return -1;
	if (hdr != XBZRLE_ENCODING)
		return mp_fail_at(err, MP_EINPUT, g->path, at, "XBZRLE header byte 0x%02x is not "
				  "0x01", hdr);
	if (len > MIG_PAGE_SIZE)
		return mp_fail_at(err, MP_EINPUT, g->path, at, "XBZRLE length %u exceeds the page "
				  "size", len);
	if (ms_read(&g->src, r->xbuf, len, "XBZRLE data", err) ||
	    get_page(g, b, addr, r->page, err))
		return -1;
	if (xbzrle_decode(r->xbuf, len, r->page, MIG_PAGE_SIZE))
		return mp_fail_at(err, MP_EINPUT, g->path, at, "XBZRLE data of page 0x%llx of '%s' "
				  "does not decode", (unsigned long long)addr, b->idstr);
	r->n_xbzrle++;
	return put_page(g, b, addr, r->page, false, err);
}

static int compressed_page(struct mig *g, struct ram_block *b, uint64_t addr, uint64_t at,
			   struct mp_err *err)
{
	struct mig_ram *r = &g->ram;
	uint32_t len;
	int zr;

	if (ms_be32(&g->src, &len, "compressed page length", err))
		return -1;
	if (len == 0 || len > COMPRESS_PAGE_MAX)
		return mp_fail_at(err, MP_EINPUT, g->path, at, "compressed page length %u is not "
				  "in 1..%u", len, COMPRESS_PAGE_MAX);
	if (ms_read(&g->src, r->xbuf, len, "compressed page", err))
		return -1;
	if (!r->z_live) {
		if (inflateInit(&r->z) != Z_OK)
			return mp_fail(err, MP_ENOMEM, "%s: cannot start zlib", g->path);
		r->z_live = true;
	}
	/* Each page is its own zlib stream (compress threads reset per page). */
	inflateReset(&r->z);
	r->z.next_in = r->xbuf;
	r->z.avail_in = len;
	r->z.next_out = r->page;
	r->z.avail_out = MIG_PAGE_SIZE;
	zr = inflate(&r->z, Z_FINISH);
	if (zr != Z_STREAM_END || r->z.avail_out != 0)
		return mp_fail_at(err, MP_EINPUT, g->path, at, "compressed page 0x%llx of '%s' "
				  "does not inflate to one page", (unsigned long long)addr,
				  b->idstr);
	r->n_compressed++;
	return put_page(g, b, addr, r->page, false, err);
}

static int page_record(struct mig *g, unsigned kind, uint8_t flags, uint64_t addr,
		       uint64_t at, struct mp_err *err)
{
	struct mig_ram *r = &g->ram;
	struct ram_block *b;
	const uint8_t *data;
	uint8_t fill;
	bool lent;

	if (block_from_stream(g, flags, at, &b, err))
		return -1;
	if (b->listed && addr >= b->length)
		return mp_fail_at(err, MP_EINPUT, g->path, at, "page offset 0x%llx is beyond RAM "
				  "block '%s' (0x%llx bytes)", (unsigned long long)addr, b->idstr,
				  (unsigned long long)b->length);
	if (!b->listed)
		r->n_unknown_block++;
	b->records++;
	switch (kind) {
	case RAM_FLAG_ZERO:
		if (ms_u8(&g->src, &fill, "zero page fill byte", err))
			return -1;
		if (fill) {
			/* QEMU < 8.2 filled the page with it; 8.2+ refuses (spec 4.3). */
			r->n_fill++;
			r->fill_byte = fill;
		}
		if (!fill)
			return put_page(g, b, addr, NULL, false, err);
		memset(r->page, fill, MIG_PAGE_SIZE);
		return put_page(g, b, addr, r->page, false, err);
	case RAM_FLAG_PAGE:
		if (ms_borrow(&g->src, MIG_PAGE_SIZE, r->page, &data, &lent, "page data", err))
			return -1;
		return put_page(g, b, addr, data, lent, err);
	case RAM_FLAG_XBZRLE:
		return xbzrle_page(g, b, addr, at, err);
	default:
		return compressed_page(g, b, addr, at, err);
	}
}

int ram_load_body(struct mig *g, struct mp_err *err)
{
	for (;;) {
		uint64_t at = ms_tell(&g->src), w, addr;
		unsigned flags, kind;

		if (ms_be64(&g->src, &w, "ram record", err))
			return -1;
		flags = (unsigned)(w & (MIG_PAGE_SIZE - 1));
		addr = w & ~(uint64_t)(MIG_PAGE_SIZE - 1);
		kind = flags & ~RAM_FLAG_CONTINUE;
		if (g->cap_mapped_ram && kind != RAM_FLAG_EOS && kind != RAM_FLAG_MEM_SIZE)
			return mp_fail_at(err, MP_EINPUT, g->path, at, "ram record flags 0x%x are "
					  "not allowed with mapped-ram", flags);
		switch (kind) {
		case RAM_FLAG_EOS:
			return 0;
		case RAM_FLAG_MEM_SIZE:
			if (read_block_list(g, addr, at, err))
				return -1;
			break;
		case RAM_FLAG_MULTIFD_FLUSH:
			break; /* a multifd sync marker: no data (spec 4.4) */
		case RAM_FLAG_ZERO:
		case RAM_FLAG_PAGE:
		case RAM_FLAG_XBZRLE:
		case RAM_FLAG_COMPRESS_PAGE:
			if (page_record(g, kind, (uint8_t)flags, addr, at, err))
				return -1;
			break;
		case RAM_FLAG_HOOK:
			return mp_fail_at(err, MP_EINPUT, g->path, at, "ram record flags 0x%x: an "
					  "RDMA hook, impossible in a file", flags);
		default:
			return mp_fail_at(err, MP_EINPUT, g->path, at, "ram record flags 0x%x are "
					  "not a known combination", flags);
		}
	}
}

/* ---- into guest memory ---- */

int ram_add_ranges(struct mig *g, struct guest_mem *gm, struct gm_backing *main,
		   struct gm_backing *spill, struct mp_err *err)
{
	struct mig_ram *r = &g->ram;

	for (size_t i = 0; i < r->nblocks; i++) {
		const struct ram_block *b = &r->blocks[i];

		if (b->keep && gm_add_range_flags(gm, b->gpa, b->length, b->idstr, b->flags, main,
						  b->toff, err))
			return -1;
	}
	return place_map(&r->place, gm, main, spill, err);
}

static int add_temp_ranges(struct mig *g, struct mp_err *err)
{
	struct mig_ram *r = &g->ram;
	struct gm_backing *bk, *spill = NULL;
	char label[600];
	int rc;

	if (r->tfd < 0)
		return 0;
	if (wflush(g, err))
		return -1;
	snprintf(label, sizeof(label), "%s (decoded RAM)", g->path);
	bk = gm_backing_fd_new(r->tfd, true, 0, r->tsize, label, err);
	if (!bk)
		return -1;
	bk->temporary = true;
	gm_backing_fd_set_map(bk, &r->written, MIG_PAGE_SIZE);
	r->tfd = -1; /* the backing owns it */
	if (r->place.sfd >= 0) {
		spill = place_spill_backing(&r->place, err);
		if (!spill) {
			gm_backing_put(bk);
			return -1;
		}
	}
	rc = ram_add_ranges(g, g->gm, bk, spill, err);
	gm_backing_put(bk);
	if (spill)
		gm_backing_put(spill);
	return rc;
}

static int ram_notes(struct mig *g, struct mp_err *err)
{
	struct mig_ram *r = &g->ram;

	if (r->n_fill && gm_add_note(g->gm, err,
				     "%llu zero-page records carry a non-zero fill byte (last "
				     "0x%02x; QEMU 8.2+ refuses them): pages filled with it",
				     (unsigned long long)r->n_fill, r->fill_byte))
		return -1;
	if (r->n_unknown_block && gm_add_note(g->gm, err,
					      "%llu page records for RAM blocks missing from the "
					      "block list (e.g. '%s') ignored",
					      (unsigned long long)r->n_unknown_block,
					      r->unknown_block))
		return -1;
	if (r->n_xbzrle && gm_add_note(g->gm, err, "%llu XBZRLE pages decoded",
				       (unsigned long long)r->n_xbzrle))
		return -1;
	if (r->n_compressed && gm_add_note(g->gm, err, "%llu zlib-compressed pages inflated",
					   (unsigned long long)r->n_compressed))
		return -1;
	if (place_note(&r->place, g->gm, err))
		return -1;
	for (size_t i = 0; i < r->nblocks && g->cap_ignore_shared && !g->cap_mapped_ram; i++) {
		const struct ram_block *b = &r->blocks[i];

		if (b->keep && b->records == 0 &&
		    gm_add_note(g->gm, err,
				"RAM block '%s' has no pages in the stream: with x-ignore-shared "
				"its contents live in the shared memory-backend file",
				b->idstr))
			return -1;
	}
	return 0;
}

int ram_finish(struct mig *g, struct mp_err *err)
{
	struct mig_ram *r = &g->ram;
	size_t kept = 0;

	if (!r->have_list)
		return mp_fail(err, MP_EINPUT, "%s: the stream has no RAM block list (no ram "
					       "section)",
			       g->path);
	for (size_t i = 0; i < r->nblocks; i++) {
		const struct ram_block *b = &r->blocks[i];

		if (!b->keep)
			continue;
		kept++;
		if (g->cap_mapped_ram && mapped_ram_add_range(g, b, err))
			return -1;
	}
	if (!kept)
		return mp_fail(err, MP_EINPUT, "%s: no RAM block of the stream is guest RAM",
			       g->path);
	if (!g->cap_mapped_ram && add_temp_ranges(g, err))
		return -1;
	return ram_notes(g, err);
}

void ram_free(struct mig_ram *r)
{
	if (r->tfd >= 0)
		close(r->tfd);
	r->tfd = -1;
	if (r->z_live)
		inflateEnd(&r->z);
	r->z_live = false;
	free(r->wbuf);
	free(r->blocks);
	bitmap_free(&r->written);
	place_free(&r->place);
	r->wbuf = NULL;
	r->blocks = NULL;
}
