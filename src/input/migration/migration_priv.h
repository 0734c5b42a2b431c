/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals of the migration stream reader, shared by its files:
 *   migration_src.c   the byte source (sequential instream, or pread on a file)
 *   migration.c       header, configuration, records, sections, skipping
 *   migration_ram.c   the `ram` section into a sparse temporary file
 *   migration_place.c where in that file (or a spill file) pages of main RAM go
 *   migration_cpu.c   `cpu` / `cpu_common` sections and their size table
 *   xbzrle.c          XBZRLE page decoding
 *   vmdesc.c          locating and measuring the vmdesc JSON
 *   mapped_ram.c      mapped-ram block headers and their bitmap backing
 */
#ifndef MPIPL_INPUT_MIGRATION_MIGRATION_PRIV_H
#define MPIPL_INPUT_MIGRATION_MIGRATION_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <zlib.h>

#include "../../guestmem/guest_mem.h"
#include "../../util/bitmap.h"
#include "../input.h"
#include "../instream.h"
#include "../../guestmem/vcpu.h"

/* ppc64 system emulation: TARGET_PAGE_BITS is 12 ([target/ppc/cpu-param.h]). */
#define MIG_PAGE_SIZE 4096u
/* Pieces of one pending RAM write: Linux's IOV_MAX (UIO_MAXIOV). */
#define MIG_WIOV_MAX 1024

/* Top-level record types, [migration/savevm.h] (spec 3). */
enum {
	MIG_EOF = 0x00,
	MIG_SECTION_START = 0x01,
	MIG_SECTION_PART = 0x02,
	MIG_SECTION_END = 0x03,
	MIG_SECTION_FULL = 0x04,
	MIG_SUBSECTION = 0x05,
	MIG_VMDESC = 0x06,
	MIG_CONFIGURATION = 0x07,
	MIG_COMMAND = 0x08,
	MIG_FOOTER = 0x7E,
};

/* ---- byte source (migration_src.c) ---- */

/*
 * Offsets are always those of the input as the reader sees it (after
 * gzip/zstd decompression), so messages and mapped-ram offsets agree.
 * Sequential mode reads the instream; seekable mode preads a file whose
 * byte 0 is stream offset `delta` (the input itself, or a temporary copy
 * of the rest of a compressed stream).
 */
struct mig_src {
	char name[512];
	struct instream *s; /* sequential mode; NULL once seekable */
	int fd;             /* seekable mode */
	bool own_fd;
	uint64_t delta;     /* stream offset of file byte 0 */
	const char *tmpdir; /* where ms_make_seekable's copy goes (NULL: $TMPDIR) */
	uint64_t end;       /* stream offset one past the last byte */
	uint8_t *buf;       /* seekable read-ahead */
	size_t len, pos;
	uint64_t buf_off;   /* stream offset of buf[0] */
	uint8_t peekbuf[64];
	/*
	 * Called before the read-ahead buffer's bytes are overwritten, so that
	 * whoever borrowed them (ms_borrow) can finish using them.
	 */
	int (*on_refill)(void *ctx, struct mp_err *err);
	void *refill_ctx;
};

/*
 * Seekable over a plain regular file, else sequential; positioned at start.
 * tmpdir: where ms_make_seekable puts its copy (NULL: $TMPDIR, else /var/tmp).
 */
int ms_open(struct mig_src *m, struct instream *s, uint64_t start, const char *tmpdir,
	    struct mp_err *err);
void ms_close(struct mig_src *m);
bool ms_seekable(const struct mig_src *m);
uint64_t ms_tell(const struct mig_src *m);
int ms_read(struct mig_src *m, void *buf, size_t len, const char *what, struct mp_err *err);
int ms_skip(struct mig_src *m, uint64_t len, const char *what, struct mp_err *err);
/* Up to len (<= 64) bytes ahead without consuming them; returns how many exist. */
ptrdiff_t ms_peek(struct mig_src *m, const uint8_t **p, size_t len, struct mp_err *err);
int ms_u8(struct mig_src *m, uint8_t *v, const char *what, struct mp_err *err);
int ms_be16(struct mig_src *m, uint16_t *v, const char *what, struct mp_err *err);
int ms_be32(struct mig_src *m, uint32_t *v, const char *what, struct mp_err *err);
int ms_be64(struct mig_src *m, uint64_t *v, const char *what, struct mp_err *err);
/*
 * Consume len bytes and point *p at them. Seekable sources lend their own
 * buffer (*lent true: valid until on_refill is called); others copy into
 * scratch (len bytes).
 */
int ms_borrow(struct mig_src *m, size_t len, uint8_t *scratch, const uint8_t **p, bool *lent,
	      const char *what, struct mp_err *err);
/* Seekable mode only. */
int ms_seek(struct mig_src *m, uint64_t off, struct mp_err *err);
/* Read len bytes at off; fewer at the end of data. Returns the count. */
ptrdiff_t ms_pread(struct mig_src *m, void *buf, size_t len, uint64_t off, struct mp_err *err);
/* Sequential mode: copy the rest into a sparse temporary file and become seekable. */
int ms_make_seekable(struct mig_src *m, struct mp_err *err);

/* ---- vmdesc (vmdesc.c) ---- */

struct vmdesc_dev {
	char *name;
	uint32_t instance;
	uint64_t body_len; /* bytes between the section header and its footer */
};

struct vmdesc {
	struct vmdesc_dev *devs;
	size_t ndevs;
	size_t cursor; /* devices come in section order: search from here first */
};

/*
 * Find the vmdesc at the end of a seekable source (spec 3.3) and measure its
 * devices. *out is NULL when there is none or it is unusable; *why then says
 * so (malloc'd; NULL when even that allocation failed).
 */
int vmdesc_locate(struct mig_src *m, struct vmdesc **out, char **why, struct mp_err *err);
/* Measure the devices of a vmdesc text; NULL with *why set (malloc'd) when unusable. */
struct vmdesc *vmdesc_from_json(const char *text, size_t len, char **why);
const struct vmdesc_dev *vmdesc_find(struct vmdesc *d, const char *name, uint32_t instance);
void vmdesc_free(struct vmdesc *d);

/* ---- XBZRLE (xbzrle.c) ---- */

/*
 * Apply an XBZRLE delta to page (plen bytes, holding the previous content).
 * Returns 0, or -1 when the encoding is malformed or overruns the page.
 */
int xbzrle_decode(const uint8_t *src, size_t slen, uint8_t *page, size_t plen);

/* ---- RAM blocks and the ram section (migration_ram.c, mapped_ram.c) ---- */

struct ram_block {
	char idstr[256];
	uint64_t length;      /* used_length from the block list */
	uint64_t stream_gpa;  /* x-ignore-shared: GPA the stream gives */
	bool have_stream_gpa;
	bool listed;          /* named by the block list (else: pages for an unknown block) */
	bool keep;            /* part of guest memory */
	unsigned flags;       /* GM_RANGE_AUX for HOMER */
	uint64_t gpa;         /* where it goes when kept */
	uint64_t toff;        /* offset in the RAM temporary file */
	uint64_t records;     /* page records received */
	/* mapped-ram (spec 4.5) */
	bool mr_empty;        /* bitmap_offset = pages_offset = 0: no data in the file */
	uint64_t mr_bitmap_off, mr_pages_off;
};

/* A run of pages a placer put at a file offset of its choice. */
struct ram_at_run {
	uint64_t addr, len; /* block offsets */
	uint64_t target;    /* file offset of addr */
};

/*
 * Placement of one block (main RAM) by input_opts.placer. Every page of the
 * block is undecided until its first record (undecided pages read as zero),
 * then stays where it was put: usual (ram_file_offset + block offset), at a
 * run's target, or spilled (the spill file, a sparse shadow of the block at
 * the same offsets). owned makes two pages never share a file page.
 */
struct ram_placing {
	struct mig *g;
	ram_placer_fn fn;
	void *ctx;
	long block;            /* the placed block, -1: none */
	struct bitmap decided; /* per page of the block */
	/* No page of [hint_from, hint_next) is decided, hint_next is (when valid). */
	uint64_t hint_from, hint_next;
	bool hint_valid;
	struct bitmap spilled; /* per page of the block */
	struct bitmap owned;   /* per page of the RAM file: some page's place */
	struct ram_at_run *at; /* sorted by addr, disjoint */
	size_t nat, cap;
	int sfd;               /* spill file, -1 until needed */
	struct bitmap swritten; /* per page of the spill file: data written */
};

/* Where a page's bytes go: a descriptor, an offset and the map of that file. */
struct ram_target {
	int fd;
	uint64_t off;
	struct bitmap *map;
	bool decided; /* false: an undecided page (reads as zero, nothing to write) */
};

/* Whether the page at t was written with data (not undecided, not a hole). */
static inline bool ram_target_has_data(const struct ram_target *t)
{
	return t->decided && bitmap_test(t->map, t->off / MIG_PAGE_SIZE);
}

struct mig_ram {
	struct ram_block *blocks;
	size_t nblocks;
	bool have_list;
	long last;            /* block of the last record with a block id, -1 none */
	int tfd;              /* RAM temporary file, -1 until needed */
	uint64_t tsize;
	struct bitmap written; /* per MIG_PAGE_SIZE page of tfd: data was written */
	struct ram_placing place;
	/*
	 * The pending write: wlen bytes for temp offset wstart, gathered from
	 * wniov pieces that point into the source's buffer (lent pages) or
	 * into wbuf (pages decoded here, wbuf_used bytes of it).
	 */
	struct iovec wiov[MIG_WIOV_MAX];
	int wfd; /* the file it goes to */
	int wniov;
	size_t wlen;
	uint64_t wstart;
	uint8_t *wbuf;
	size_t wbuf_used;
	uint8_t page[MIG_PAGE_SIZE];
	uint8_t xbuf[MIG_PAGE_SIZE + 16];
	z_stream z;
	bool z_live;
	uint64_t n_fill;      /* ZERO records with a non-zero fill byte */
	uint8_t fill_byte;
	uint64_t n_xbzrle, n_compressed, n_unknown_block;
	char unknown_block[64];
};

struct mig;

/* One START/PART/END body of `ram`, up to and including EOS. */
int ram_load_body(struct mig *g, struct mp_err *err);
/* Decide where kept blocks go and add them to gm. */
int ram_finish(struct mig *g, struct mp_err *err);
void ram_free(struct mig_ram *r);

/* Write out what is queued for the RAM file or the spill file. */
int ram_flush(struct mig *g, struct mp_err *err);
/* The kept blocks into gm, over main (the RAM file) and spill (NULL: none). */
int ram_add_ranges(struct mig *g, struct guest_mem *gm, struct gm_backing *main,
		   struct gm_backing *spill, struct mp_err *err);

/* ---- placement (migration_place.c) ---- */

/* Before the block list: placement off (every page where usual). */
void place_init(struct ram_placing *p, struct mig *g, const struct input_opts *o);
/* After the RAM file is made: place block index i with its placer, if any. */
int place_start(struct ram_placing *p, long block, struct mp_err *err);
/*
 * Where page addr of block b goes; with decide, an undecided page of the
 * placed block is placed now (its placer asked).
 */
int place_target(struct mig *g, const struct ram_block *b, uint64_t addr, bool decide,
		 struct ram_target *t, struct mp_err *err);
/* Point the placed block's runs in gm at main (the RAM file) and spill (the spill file). */
int place_map(const struct ram_placing *p, struct guest_mem *gm, struct gm_backing *main,
	      struct gm_backing *spill, struct mp_err *err);
/* The spill file as a backing for gm (NULL when nothing spilled), taking its fd and map. */
struct gm_backing *place_spill_backing(struct ram_placing *p, struct mp_err *err);
/* A reader note: how much was placed at chosen offsets and how much spilled. */
int place_note(const struct ram_placing *p, struct guest_mem *gm, struct mp_err *err);
void place_free(struct ram_placing *p);

/* mapped-ram: the 28-byte header after a block's list entry, and the jump past its pages. */
int mapped_ram_block_header(struct mig *g, struct ram_block *b, struct mp_err *err);
/* A bitmap-driven backing over a kept block's pages (read in place). */
int mapped_ram_add_range(struct mig *g, const struct ram_block *b, struct mp_err *err);

/* ---- the stream (migration.c) ---- */

struct mig_section {
	uint32_t id;
	char idstr[256];
	uint32_t instance;
	uint32_t version;
};

enum skip_method { SKIP_VMDESC, SKIP_TABLE, SKIP_SCAN, SKIP_METHODS };

struct mig {
	const char *path;
	const char *tmpdir;       /* input_opts.tmpdir: decoded RAM goes there */
	uint64_t ram_file_offset; /* input_opts.ram_file_offset: where in that file it starts */
	struct mig_src src;
	struct guest_mem *gm;
	char machine[64];
	bool have_config;
	bool cap_mapped_ram;
	bool cap_ignore_shared;
	struct mig_section *secs; /* announced by START/FULL */
	size_t nsecs;
	struct mig_ram ram;
	struct vcpu_state *cpus;  /* indexed by position; cpu_index in cpu_ids */
	uint32_t *cpu_ids;
	size_t ncpus;
	struct vmdesc *vmdesc;
	bool vmdesc_tried;
	char *vmdesc_why;         /* why the vmdesc is not used (malloc'd), or NULL */
	uint64_t skipped[SKIP_METHODS];
	char scanned[300];        /* names of sections found by footer scan */
	bool vmdesc_mismatch_noted;
	uint64_t commands_skipped;
};

/*
 * Skip what is left of a section body that began at start (spec 3.6 order).
 * described: a START/FULL section, which the vmdesc and the table may know.
 */
int mig_skip_rest(struct mig *g, const struct mig_section *sec, uint64_t start,
		  bool described, struct mp_err *err);

/* ---- vCPU sections (migration_cpu.c) ---- */

/* `cpu` version 5 main body: [target/ppc/machine.c], spec 5.3. */
#define CPU_MAIN_BODY 8528u

/*
 * The main body of a `cpu` / `cpu_common` section; the caller skips its
 * subsections (mig_skip_rest), which the size table describes.
 */
int cpu_section_load(struct mig *g, const struct mig_section *sec, struct mp_err *err);
int cpu_common_section_load(struct mig *g, struct mp_err *err);
/* Decode a `cpu` main body (CPU_MAIN_BODY bytes) into c. */
void cpu_decode_main(const uint8_t *body, struct vcpu_state *c);
/*
 * Built-in sizes: the byte count of the subsections from `at` to the footer
 * of a section we know (cpu, cpu_common). Returns 0, 1 when a subsection is
 * unknown, -1 on a read error.
 */
int cpu_table_subsections(struct mig *g, const struct mig_section *sec, uint64_t at,
			  uint64_t *len, struct mp_err *err);
bool cpu_table_knows(const char *idstr);
/* Hand the vCPUs to gm, in cpu_index order. */
int cpu_finish(struct mig *g, struct mp_err *err);

#endif
