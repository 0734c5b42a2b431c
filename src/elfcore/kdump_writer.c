// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kdump-compressed vmcore. The sink is sequential and the page
 * descriptors, which come before the page data, need every compressed size:
 * pages are compressed first into a temporary file laid out as the file's
 * tail, then header, bitmaps and that tail go out in one forward pass.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "kdw_codec.h"
#include "kdw_layout.h"
#include "kdw_pipeline.h"
#include "kdump_writer.h"
#include "../snapshot/instream.h"

#define COPY_CHUNK (1u << 20)

static int copy_spill(int fd, uint64_t len, struct sink *out, struct mp_err *err)
{
	uint8_t *buf = mp_malloc(COPY_CHUNK, err);
	uint64_t at = 0;
	int rc = -1;

	if (!buf)
		return -1;
	while (at < len) {
		size_t want = len - at < COPY_CHUNK ? (size_t)(len - at) : COPY_CHUNK;
		ssize_t n = pread(fd, buf, want, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			mp_fail_errno(err, "kdump temporary file: read at byte offset %llu",
				      (unsigned long long)at);
			goto out;
		}
		if (sink_write(out, buf, (size_t)n, err))
			goto out;
		at += (uint64_t)n;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

int vmcore_write_kdump(struct guest_mem *gm, const struct vmcore_model *m,
		       const struct kdump_opts *o, struct sink *out, struct mp_err *err)
{
	struct kdw_layout l;
	uint8_t *hdr = NULL;
	size_t hlen;
	uint64_t spill_len;
	int fd = -1, rc = -1;

	if (kdw_layout_build(m, &l, err))
		return -1;
	if (kdw_headers(gm, m, &l, kdw_codec_flag(o->compress), &hdr, &hlen, err))
		goto out;
	fd = temp_file_create("kdump", err);
	if (fd < 0 || kdw_spill_pages(gm, &l, o, fd, &spill_len, err))
		goto out;
	if (sink_write(out, hdr, hlen, err) || kdw_write_bitmaps(&l, out, err) ||
	    copy_spill(fd, spill_len, out, err))
		goto out;
	rc = sink_finish(out, err);
out:
	if (fd >= 0)
		close(fd);
	free(hdr);
	kdw_layout_free(&l);
	return rc;
}
