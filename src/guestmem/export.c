// SPDX-License-Identifier: GPL-2.0-or-later
#include "export.h"

#include <stdlib.h>

#include "../util/bytes.h"

/* Read granule: large enough to amortise system calls, small for RSS. */
#define EXPORT_CHUNK (1u << 20)

/* Write buf (guest bytes from a block-aligned start) with zero blocks as holes. */
static int emit_blocks(struct sink *out, const uint8_t *buf, size_t len, struct mp_err *err)
{
	size_t at = 0;

	while (at < len) {
		size_t run = at;

		while (run < len) {
			size_t n = len - run < EXPORT_BLOCK ? len - run : EXPORT_BLOCK;

			if (mem_is_zero(buf + run, n))
				break;
			run += n;
		}
		if (run > at && sink_write(out, buf + at, run - at, err))
			return -1;
		at = run;
		while (run < len) {
			size_t n = len - run < EXPORT_BLOCK ? len - run : EXPORT_BLOCK;

			if (!mem_is_zero(buf + run, n))
				break;
			run += n;
		}
		if (run > at && sink_skip(out, run - at, err))
			return -1;
		at = run;
	}
	return 0;
}

int gm_export(struct guest_mem *gm, uint64_t gpa, uint64_t len, struct sink *out,
	      struct progress *prog, uint64_t *done, struct mp_err *err)
{
	uint64_t end = gpa + len, base = done ? *done : 0;
	uint8_t *buf;
	int rc = -1;

	if (!gm_contains(gm, gpa, len))
		return mp_fail(err, MP_EINPUT, "%s: 0x%llx bytes at 0x%llx are not guest RAM",
			       gm->path, (unsigned long long)len, (unsigned long long)gpa);
	buf = mp_malloc(EXPORT_CHUNK, err);
	if (!buf)
		return -1;
	while (gpa < end) {
		uint64_t data = gm_next_data(gm, gpa, end);
		size_t n;

		/* Holes of the input stay holes; keep block alignment for the rest. */
		data = gpa + round_down_u64(data - gpa, EXPORT_BLOCK);
		if (data > gpa) {
			if (sink_skip(out, data - gpa, err))
				goto out;
			gpa = data;
			continue;
		}
		/* Read only up to the next known hole: zero ranges cost no read. */
		data = round_up_u64(gm_data_run_end(gm, gpa, end) - gpa, EXPORT_BLOCK);
		if (data == 0)
			data = EXPORT_BLOCK; /* gpa was rounded down into a hole */
		n = data < EXPORT_CHUNK ? (size_t)data : EXPORT_CHUNK;
		if (n > end - gpa)
			n = (size_t)(end - gpa);
		if (gm_read(gm, gpa, buf, n, err) || emit_blocks(out, buf, n, err))
			goto out;
		gpa += n;
		if (prog)
			progress_update(prog, base + (gpa - (end - len)));
	}
	if (done)
		*done = base + len;
	rc = 0;
out:
	free(buf);
	return rc;
}

struct lenient_export {
	struct guest_mem *gm;
	struct sink *out;
	struct progress *prog;
	uint64_t *done;
};

static int export_piece(void *ctx, uint64_t gpa, uint64_t len, bool ram, struct mp_err *err)
{
	struct lenient_export *x = ctx;

	if (ram)
		return gm_export(x->gm, gpa, len, x->out, x->prog, x->done, err);
	if (sink_skip(x->out, len, err))
		return -1;
	*x->done += len;
	return 0;
}

int gm_export_lenient(struct guest_mem *gm, uint64_t gpa, uint64_t len, struct sink *out,
		      struct progress *prog, uint64_t *done, struct mp_err *err)
{
	struct lenient_export x = { gm, out, prog, done };

	return gm_for_each_piece(gm, gpa, len, export_piece, &x, err);
}

int gm_export_raw(struct guest_mem *gm, struct sink *out, struct mp_err *err)
{
	struct progress prog;
	uint64_t at = UINT64_MAX, total = 0, done = 0;
	int rc = 0;

	for (size_t i = 0; i < gm->nranges; i++) {
		if (gm->ranges[i].flags & GM_RANGE_AUX)
			continue;
		total += gm->ranges[i].size;
		if (at == UINT64_MAX)
			at = gm->ranges[i].gpa;
	}
	progress_begin(&prog, "writing image", total);
	for (size_t i = 0; i < gm->nranges && rc == 0; i++) {
		const struct gm_range *r = &gm->ranges[i];

		if (r->flags & GM_RANGE_AUX)
			continue;
		if (r->gpa > at)
			rc = sink_skip(out, r->gpa - at, err);
		if (rc == 0)
			rc = gm_export(gm, r->gpa, r->size, out, &prog, &done, err);
		at = r->gpa + r->size;
	}
	progress_end(&prog);
	if (rc == 0)
		rc = sink_finish(out, err);
	return rc;
}
