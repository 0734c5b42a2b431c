// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kdump file after its bitmaps, in one forward pass: the descriptors
 * (copied from the spill file), the shared zero page, then each page's data
 * in pfn order: compressed bytes from the spill file, stored pages read from
 * the guest again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kdw_priv.h"
#include "../../util/bytes.h"
#include "../../util/progress.h"

/* Read and write buffer size. */
#define CHUNK (1u << 20)

/* Sequential reading of [pos, end) of the spill file. */
struct spill_in {
	int fd;
	uint64_t pos, end;
	uint8_t *buf;
	size_t have, at;
};

static int in_fill(struct spill_in *in, struct mp_err *err)
{
	size_t want = in->end - in->pos < CHUNK ? (size_t)(in->end - in->pos) : CHUNK;
	ssize_t n;

	do
		n = pread(in->fd, in->buf, want, (off_t)in->pos);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		if (n == 0)
			errno = EIO;
		return mp_fail_errno(err, "kdump temporary file: read at byte offset %llu",
				     (unsigned long long)in->pos);
	}
	in->pos += (uint64_t)n;
	in->have = (size_t)n;
	in->at = 0;
	return 0;
}

static int in_read(struct spill_in *in, uint8_t *dst, size_t n, struct mp_err *err)
{
	while (n) {
		size_t k;

		if (in->at == in->have) {
			if (in->pos == in->end)
				return mp_fail(err, MP_EIO, "kdump temporary file: ends early at "
					       "byte offset %llu", (unsigned long long)in->pos);
			if (in_fill(in, err))
				return -1;
		}
		k = in->have - in->at < n ? in->have - in->at : n;
		memcpy(dst, in->buf + in->at, k);
		in->at += k;
		dst += k;
		n -= k;
	}
	return 0;
}

/* The output, written in CHUNK pieces. */
struct out_buf {
	struct sink *s;
	uint8_t *buf;
	size_t len;
};

static int ob_flush(struct out_buf *o, struct mp_err *err)
{
	if (o->len && sink_write(o->s, o->buf, o->len, err))
		return -1;
	o->len = 0;
	return 0;
}

/* Room for n <= CHUNK more bytes; the caller fills them and adds n to len. */
static uint8_t *ob_room(struct out_buf *o, size_t n, struct mp_err *err)
{
	if (o->len + n > CHUNK && ob_flush(o, err))
		return NULL;
	return o->buf + o->len;
}

/* The descriptors, read back by index through a window of the spill file. */
struct desc_win {
	int fd;
	uint64_t n;     /* descriptors in all */
	uint64_t first; /* index of the first one in buf */
	size_t count;   /* how many buf holds */
	uint8_t *buf;
};

#define WIN_DESCS (CHUNK / KDUMP_DESC_SIZE)

/* Descriptor i (< n), loading the window that starts at i when it is not in view. */
static const uint8_t *desc_at(struct desc_win *w, uint64_t i, struct mp_err *err)
{
	struct spill_in in = { .fd = w->fd, .pos = i * KDUMP_DESC_SIZE, .buf = w->buf };

	if (i >= w->first && i - w->first < w->count)
		return w->buf + (i - w->first) * KDUMP_DESC_SIZE;
	w->first = i;
	w->count = w->n - i < WIN_DESCS ? (size_t)(w->n - i) : WIN_DESCS;
	in.end = in.pos + w->count * KDUMP_DESC_SIZE;
	while (in.pos < in.end)
		if (in_fill(&in, err))
			return NULL;
		else if (in.pos < in.end)
			in.buf += in.have; /* a short read: the rest goes after it */
	return w->buf;
}

static bool stored_whole(const uint8_t *d, const struct kdw_layout *l)
{
	return get_u64(d, l->big_endian) != l->data_off && get_u32(d + 12, l->big_endian) == 0;
}

/*
 * Stored pages from descriptor i on: as many as follow each other inside one
 * PT_LOAD (and fit the output buffer) in one read. Returns how many.
 */
static ptrdiff_t emit_stored(struct guest_mem *gm, const struct kdw_layout *l,
			     struct desc_win *w, uint64_t i, const struct kdw_cursor *c,
			     struct out_buf *ob, struct mp_err *err)
{
	uint64_t P = l->page_size, full = kdw_cursor_full_pages(l, c), n = 1;
	uint8_t *p;

	if (full > CHUNK / P)
		full = CHUNK / P;
	/* Only descriptors already in the window: no reload while looking ahead. */
	while (n < full && i + n - w->first < w->count &&
	       stored_whole(w->buf + (i + n - w->first) * KDUMP_DESC_SIZE, l))
		n++;
	if (!(p = ob_room(ob, n * P, err)))
		return -1;
	if (full ? kdw_read_full_pages(gm, l, c, n, p, err) : kdw_read_page(gm, l, c, p, err))
		return -1;
	ob->len += n * P;
	return (ptrdiff_t)n;
}

/* Each page's data, as its descriptor says: none (zero), compressed, or stored. */
static int emit_pages(struct guest_mem *gm, const struct kdw_layout *l, struct desc_win *w,
		      struct spill_in *data, struct out_buf *ob, struct mp_err *err)
{
	struct kdw_cursor c;
	struct progress prog;
	uint64_t i = 0;
	int rc = -1;

	kdw_cursor_start(l, &c);
	progress_begin(&prog, "writing kdump", l->ndesc * l->page_size);
	while (i < l->ndesc) {
		const uint8_t *d = desc_at(w, i, err);
		uint32_t size;
		ptrdiff_t n = 1;
		uint8_t *p;

		if (!d)
			goto out;
		size = get_u32(d + 8, l->big_endian);
		if (stored_whole(d, l)) {
			n = emit_stored(gm, l, w, i, &c, ob, err);
			if (n < 0)
				goto out;
		} else if (get_u64(d, l->big_endian) != l->data_off) {
			if (!(p = ob_room(ob, size, err)) || in_read(data, p, size, err))
				goto out;
			ob->len += size;
		}
		i += (uint64_t)n;
		kdw_cursor_advance(l, &c, (uint64_t)n);
		progress_update(&prog, i * l->page_size);
	}
	if (data->pos != data->end || data->at != data->have)
		mp_fail(err, MP_EIO, "kdump temporary file: %llu bytes of page data unused",
			(unsigned long long)(data->end - data->pos + data->have - data->at));
	else
		rc = ob_flush(ob, err);
out:
	progress_end(&prog);
	return rc;
}

int kdw_emit_tail(struct guest_mem *gm, const struct kdw_layout *l, int spill_fd,
		  uint64_t spill_len, struct sink *out, struct mp_err *err)
{
	uint64_t dlen = KDUMP_DESC_SIZE * l->ndesc;
	struct spill_in descs = { .fd = spill_fd, .end = dlen };
	struct spill_in data = { .fd = spill_fd, .pos = dlen, .end = spill_len };
	struct desc_win w = { .fd = spill_fd, .n = l->ndesc };
	struct out_buf ob = { .s = out };
	int rc = -1;

	descs.buf = mp_malloc(CHUNK, err);
	data.buf = mp_malloc(CHUNK, err);
	ob.buf = mp_malloc(CHUNK, err);
	w.buf = descs.buf;
	if (!descs.buf || !data.buf || !ob.buf)
		goto out;
	/* The descriptors as they are, then the zero page: a hole in a file. */
	while (descs.pos < dlen)
		if (in_fill(&descs, err) || sink_write(out, descs.buf, descs.have, err))
			goto out;
	if (sink_skip(out, l->page_size, err) || emit_pages(gm, l, &w, &data, &ob, err))
		goto out;
	rc = 0;
out:
	free(descs.buf);
	free(data.buf);
	free(ob.buf);
	return rc;
}
