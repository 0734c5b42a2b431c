// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kdump-compressed vmcore. The sink is sequential and the page
 * descriptors, which come before the page data, need every compressed size:
 * pages are compressed first (descriptors and compressed bytes into a
 * temporary file), then header, bitmaps, descriptors and page data go out
 * in one forward pass.
 */
#include <stdlib.h>
#include <unistd.h>

#include "kdw_priv.h"
#include "kdump_writer.h"
#include "../../util/tempfile.h"

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
	fd = temp_file_create(NULL, "kdump", err);
	if (fd < 0 || kdw_spill_pages(gm, &l, o, fd, &spill_len, err))
		goto out;
	if (sink_write(out, hdr, hlen, err) || kdw_write_bitmaps(&l, out, err) ||
	    kdw_emit_tail(gm, &l, fd, spill_len, out, err))
		goto out;
	rc = sink_finish(out, err);
out:
	if (fd >= 0)
		close(fd);
	free(hdr);
	kdw_layout_free(&l);
	return rc;
}
