// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The page part of a kdump file: guest pages read in pfn order by the
 * calling thread, in batches; batches compressed by worker threads; results
 * taken back in batch order, so descriptors and data come out in pfn order.
 * Pages in holes of guest memory (zero extents, sparse backing files, gaps
 * between RAM ranges) are known to be zero without reading them. Only
 * compressed bytes go to the spill file: pages stored as they are cost
 * nothing there and are read from the guest again when the file is written
 * (kdw_emit.c), so incompressible memory costs no temporary I/O at all.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kdw_priv.h"
#include "../../util/bytes.h"
#include "../../util/progress.h"

/* Guest bytes per batch: enough that handing a batch to a worker costs little. */
#define BATCH_BYTES (512u << 10)
/* Descriptors gathered before each write to the spill file. */
#define DESC_BUF_COUNT 4096u

struct kd_page {
	uint64_t zeros_before; /* pages known zero (holes) just before this one */
	uint32_t size;         /* its bytes in the batch's out buffer; 0: all zero */
	uint32_t flags;        /* descriptor flags: 0 stored, else the compression */
};

struct kd_batch {
	uint8_t *in;  /* npages pages read from the guest */
	uint8_t *out; /* the compressed ones, packed in order */
	struct kd_page *pg;
	size_t npages;
	uint64_t zeros_after; /* pages known zero after the last read one */
	size_t out_len;
	bool done; /* compressed (guarded by the run's mutex) */
	bool failed;
	struct mp_err err;
};

struct kd_run {
	struct guest_mem *gm;
	const struct kdw_layout *l;
	uint32_t flag; /* descriptor flag of compressed pages */
	size_t P;
	size_t max_pages;
	struct kd_batch *slots;
	size_t nslots;
	struct kdw_cursor cur;
	/* Workers take filled batches in order; the mutex guards filled, taken, stop, done. */
	pthread_mutex_t mu;
	pthread_cond_t work;
	pthread_cond_t finished;
	uint64_t filled, taken;
	bool stop;
	/* The spill file: descriptors from 0, compressed page data from data_pos. */
	int fd;
	uint64_t desc_pos, data_pos;
	uint64_t data_file_off; /* where the next page data lands in the final file */
	uint8_t *descbuf;
	size_t ndescbuf;
	uint64_t descs; /* descriptors produced */
	struct progress prog;
};

struct kd_worker {
	struct kd_run *r;
	struct kdw_codec *codec;
	pthread_t tid;
	bool started;
};

/*
 * Pages from the cursor on inside one PT_LOAD: a hole skips whole zero pages
 * (returns 0); else reads the run of data pages that starts here, up to room
 * pages (returns how many, >= 1).
 */
static ptrdiff_t read_full(struct kd_run *r, uint64_t full, size_t room, uint8_t *dst,
			   uint64_t *zeros, struct mp_err *err)
{
	const struct kdw_load *ld = &r->l->loads[r->cur.load];
	uint64_t phys = ld->offset + (r->cur.pfn * r->P - ld->paddr);
	uint64_t end = phys + full * r->P;
	uint64_t data = gm_next_data(r->gm, phys, end), run, n;

	if (data - phys >= r->P) {
		*zeros += (data - phys) / r->P;
		kdw_cursor_advance(r->l, &r->cur, (data - phys) / r->P);
		return 0;
	}
	run = gm_data_run_end(r->gm, data, end);
	n = round_up_u64(run - phys, r->P) / r->P;
	n = n < 1 ? 1 : n > room ? room : n;
	if (kdw_read_full_pages(r->gm, r->l, &r->cur, n, dst, err))
		return -1;
	kdw_cursor_advance(r->l, &r->cur, n);
	return (ptrdiff_t)n;
}

/* Read the next batch: up to max_pages pages that may hold data, and the zero pages around. */
static int fill_batch(struct kd_run *r, struct kd_batch *b, struct mp_err *err)
{
	uint64_t zeros = 0;

	b->npages = 0;
	b->out_len = 0;
	b->failed = false;
	while (!r->cur.done && b->npages < r->max_pages) {
		uint8_t *dst = b->in + b->npages * r->P;
		uint64_t full = kdw_cursor_full_pages(r->l, &r->cur);
		ptrdiff_t n = 1;

		if (full) {
			n = read_full(r, full, r->max_pages - b->npages, dst, &zeros, err);
			if (n < 0)
				return -1;
		} else {
			if (kdw_read_page(r->gm, r->l, &r->cur, dst, err))
				return -1;
			kdw_cursor_advance(r->l, &r->cur, 1);
		}
		for (ptrdiff_t k = 0; k < n; k++) {
			b->pg[b->npages++] = (struct kd_page){ .zeros_before = zeros };
			zeros = 0;
		}
	}
	b->zeros_after = zeros;
	return 0;
}

/* Decide each page's stored form: zero, compressed, or as it is. */
static void compress_batch(struct kdw_codec *codec, uint32_t flag, size_t P, struct kd_batch *b)
{
	size_t out = 0;

	for (size_t i = 0; i < b->npages; i++) {
		const uint8_t *src = b->in + i * P;
		struct kd_page *pg = &b->pg[i];
		ptrdiff_t n;

		if (mem_is_zero(src, P)) {
			pg->size = 0;
			continue;
		}
		n = kdw_codec_page(codec, src, P, b->out + out, &b->err);
		if (n < 0) {
			b->failed = true;
			return;
		}
		pg->size = n ? (uint32_t)n : (uint32_t)P;
		pg->flags = n ? flag : 0;
		out += (size_t)n; /* stored pages are read again from the guest when emitted */
	}
	b->out_len = out;
}

static int spill_write(struct kd_run *r, const void *buf, size_t len, uint64_t off,
		       struct mp_err *err)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(r->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mp_fail_errno(err, "kdump temporary file (in $TMPDIR, else /var/tmp): "
					     "write at byte offset %llu", (unsigned long long)off);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int flush_descs(struct kd_run *r, struct mp_err *err)
{
	size_t n = r->ndescbuf * KDUMP_DESC_SIZE;

	if (n && spill_write(r, r->descbuf, n, r->desc_pos, err))
		return -1;
	r->desc_pos += n;
	r->ndescbuf = 0;
	return 0;
}

/* page_desc: u64 offset, u32 size, u32 flags, u64 page_flags (0). */
static int put_desc(struct kd_run *r, uint64_t off, uint32_t size, uint32_t flags,
		    struct mp_err *err)
{
	uint8_t *d = r->descbuf + r->ndescbuf * KDUMP_DESC_SIZE;

	put_u64(d, off, r->l->big_endian);
	put_u32(d + 8, size, r->l->big_endian);
	put_u32(d + 12, flags, r->l->big_endian);
	put_u64(d + 16, 0, r->l->big_endian);
	r->descs++;
	return ++r->ndescbuf == DESC_BUF_COUNT ? flush_descs(r, err) : 0;
}

/* Zero pages all point at the one zero page in front of the page data. */
static int put_zero_descs(struct kd_run *r, uint64_t n, struct mp_err *err)
{
	for (; n; n--)
		if (put_desc(r, r->l->data_off, (uint32_t)r->P, 0, err))
			return -1;
	return 0;
}

static int write_batch(struct kd_run *r, struct kd_batch *b, struct mp_err *err)
{
	if (b->failed) {
		*err = b->err;
		return -1;
	}
	for (size_t i = 0; i < b->npages; i++) {
		const struct kd_page *pg = &b->pg[i];

		if (put_zero_descs(r, pg->zeros_before + (pg->size == 0), err))
			return -1;
		if (pg->size == 0)
			continue;
		if (put_desc(r, r->data_file_off, pg->size, pg->flags, err))
			return -1;
		r->data_file_off += pg->size;
	}
	if (put_zero_descs(r, b->zeros_after, err) ||
	    spill_write(r, b->out, b->out_len, r->data_pos, err))
		return -1;
	r->data_pos += b->out_len;
	progress_update(&r->prog, r->descs * r->P);
	return 0;
}

static void *worker_main(void *arg)
{
	struct kd_worker *w = arg;
	struct kd_run *r = w->r;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		struct kd_batch *b;

		while (!r->stop && r->taken == r->filled)
			pthread_cond_wait(&r->work, &r->mu);
		if (r->stop)
			break;
		b = &r->slots[r->taken++ % r->nslots];
		pthread_mutex_unlock(&r->mu);
		compress_batch(w->codec, r->flag, r->P, b);
		pthread_mutex_lock(&r->mu);
		b->done = true;
		pthread_cond_signal(&r->finished);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/*
 * Wait until batch b is compressed. Rather than sleep, the calling thread
 * compresses the oldest batch no worker has taken: with as many threads as
 * cores, no core idles while a batch waits, and no more threads than cores
 * compete (a worker per core beside a busy reader was slower than one).
 */
static void wait_or_help(struct kd_run *r, struct kd_batch *b, struct kdw_codec *codec)
{
	pthread_mutex_lock(&r->mu);
	while (!b->done) {
		struct kd_batch *h;

		if (r->taken == r->filled) {
			pthread_cond_wait(&r->finished, &r->mu);
			continue;
		}
		h = &r->slots[r->taken++ % r->nslots];
		pthread_mutex_unlock(&r->mu);
		compress_batch(codec, r->flag, r->P, h);
		pthread_mutex_lock(&r->mu);
		h->done = true;
	}
	pthread_mutex_unlock(&r->mu);
}

/*
 * The calling thread reads and writes while the workers compress (even one
 * worker overlaps reading with compressing), and compresses too when it
 * would wait.
 */
static int run_threaded(struct kd_run *r, struct kdw_codec *codec, struct mp_err *err)
{
	uint64_t written = 0;

	for (;;) {
		struct kd_batch *b;

		while (!r->cur.done && r->filled - written < r->nslots) {
			b = &r->slots[r->filled % r->nslots];
			b->done = false;
			if (fill_batch(r, b, err))
				return -1;
			pthread_mutex_lock(&r->mu);
			r->filled++;
			pthread_cond_signal(&r->work);
			pthread_mutex_unlock(&r->mu);
		}
		if (written == r->filled)
			return 0;
		b = &r->slots[written % r->nslots];
		wait_or_help(r, b, codec);
		if (write_batch(r, b, err))
			return -1;
		written++;
	}
}

/* The calling thread does everything (threads 0). */
static int run_inline(struct kd_run *r, struct kdw_codec *codec, struct mp_err *err)
{
	while (!r->cur.done) {
		if (fill_batch(r, &r->slots[0], err))
			return -1;
		compress_batch(codec, r->flag, r->P, &r->slots[0]);
		if (write_batch(r, &r->slots[0], err))
			return -1;
	}
	return 0;
}

static void stop_workers(struct kd_run *r, struct kd_worker *w, size_t n)
{
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_broadcast(&r->work);
	pthread_mutex_unlock(&r->mu);
	for (size_t i = 0; i < n; i++)
		if (w[i].started)
			pthread_join(w[i].tid, NULL);
}

static int run_workers(struct kd_run *r, struct kd_worker *w, size_t n, struct mp_err *err)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		int e = pthread_create(&w[i].tid, NULL, worker_main, &w[i]);

		if (e) {
			errno = e;
			rc = mp_fail_errno(err, "cannot start a compression thread");
		}
		w[i].started = e == 0;
	}
	if (rc == 0)
		rc = run_threaded(r, w[n].codec, err);
	stop_workers(r, w, n);
	return rc;
}

static int alloc_slots(struct kd_run *r, struct mp_err *err)
{
	r->slots = mp_calloc(r->nslots, sizeof(*r->slots), err);
	if (!r->slots)
		return -1;
	for (size_t i = 0; i < r->nslots; i++) {
		struct kd_batch *b = &r->slots[i];

		b->in = mp_malloc(r->max_pages * r->P, err);
		b->out = mp_malloc(r->max_pages * r->P, err);
		b->pg = mp_calloc(r->max_pages, sizeof(*b->pg), err);
		if (!b->in || !b->out || !b->pg)
			return -1;
	}
	r->descbuf = mp_malloc(DESC_BUF_COUNT * KDUMP_DESC_SIZE, err);
	return r->descbuf ? 0 : -1;
}

static void free_run(struct kd_run *r, struct kd_worker *w, size_t nw)
{
	for (size_t i = 0; r->slots && i < r->nslots; i++) {
		free(r->slots[i].in);
		free(r->slots[i].out);
		free(r->slots[i].pg);
	}
	free(r->slots);
	free(r->descbuf);
	for (size_t i = 0; w && i <= nw; i++)
		kdw_codec_free(w[i].codec);
	free(w);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->work);
	pthread_cond_destroy(&r->finished);
}

/* Workers (at most the maximum); threads 0: none, this thread does everything. */
static size_t workers_wanted(const struct kdump_opts *o)
{
	return o->threads < KDUMP_THREADS_MAX ? o->threads : KDUMP_THREADS_MAX;
}

int kdw_spill_pages(struct guest_mem *gm, const struct kdw_layout *l,
		    const struct kdump_opts *o, int spill_fd, uint64_t *spill_len,
		    struct mp_err *err)
{
	size_t nw = workers_wanted(o);
	struct kd_run r = {
		.gm = gm, .l = l, .flag = kdw_codec_flag(o->compress), .P = (size_t)l->page_size,
		.fd = spill_fd, .mu = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER,
		.finished = PTHREAD_COND_INITIALIZER,
	};
	struct kd_worker *w;
	int rc = -1;

	r.max_pages = BATCH_BYTES > r.P ? BATCH_BYTES / r.P : 1;
	/* Enough batches in flight to keep every worker busy while one is read and one written. */
	r.nslots = o->threads ? 2 * nw + 2 : 1;
	r.desc_pos = 0;
	r.data_pos = KDUMP_DESC_SIZE * l->ndesc;
	r.data_file_off = l->data_off + l->page_size;
	/* One codec per worker, and w[nw]'s for this thread. */
	w = mp_calloc(nw + 1, sizeof(*w), err);
	if (!w || alloc_slots(&r, err))
		goto out;
	for (size_t i = 0; i <= nw; i++) {
		w[i].r = &r;
		if (!(w[i].codec = kdw_codec_new(o->compress, err)))
			goto out;
	}
	kdw_cursor_start(l, &r.cur);
	progress_begin(&r.prog, "compressing pages", l->ndesc * l->page_size);
	rc = nw ? run_workers(&r, w, nw, err) : run_inline(&r, w[0].codec, err);
	progress_end(&r.prog);
	if (rc == 0)
		rc = flush_descs(&r, err);
	if (rc == 0 && r.descs != l->ndesc)
		rc = mp_fail(err, MP_EINPUT, "kdump: %llu page descriptors written for %llu pages",
			     (unsigned long long)r.descs, (unsigned long long)l->ndesc);
	*spill_len = r.data_pos;
out:
	free_run(&r, w, nw);
	return rc;
}
