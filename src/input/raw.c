// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Raw RAM images (pmemsave, memory-backend-file, our own preserve output):
 * no header, byte i is guest address mem_base + i. Compressed images are
 * decompressed once into a sparse temporary file.
 */
#include <stdio.h>
#include <unistd.h>

#include "file_access.h"
#include "input.h"
#include "../util/bytes.h"

static enum input_probe raw_probe(const uint8_t *head, size_t len, const char *path,
				   struct mp_err *err)
{
	(void)head;
	(void)len;
	(void)path;
	(void)err;
	return PROBE_MINE; /* the fallback: anything no other reader claims */
}

static struct guest_mem *raw_open(struct instream *s, const struct input_opts *o,
				  struct mp_err *err)
{
	enum instream_codec codec = instream_codec(s);
	struct gm_backing *b = NULL;
	struct guest_mem *gm = NULL;
	char format[64];
	uint64_t size, end;
	int fd = -1; /* ours to close until the backing owns it */
	/* In place (a duplicate descriptor), else a sparse decompressed copy. */
	bool in_place = instream_random_access(s);

	if (input_random_access(s, o->tmpdir, &fd, &size, err))
		return NULL;
	snprintf(format, sizeof(format), "raw%s%s",
		 !in_place && codec == CODEC_NONE ? ", from a pipe" : "",
		 instream_compressed_suffix(s));
	if (size == 0) {
		mp_fail(err, MP_EINPUT, "%s: empty file: no guest memory", instream_path(s));
		goto fail;
	}
	if (!add_u64_ok(o->mem_base, size, &end)) {
		mp_fail(err, MP_EINPUT, "%s: --mem-base 0x%llx plus the image size wraps past 2^64",
			instream_path(s), (unsigned long long)o->mem_base);
		goto fail;
	}
	b = gm_backing_fd_new(fd, true, 0, size, instream_path(s), err);
	if (!b)
		goto fail;
	b->temporary = !in_place;
	fd = -1;
	gm = gm_new(instream_path(s), format, err);
	if (!gm || gm_add_range(gm, o->mem_base, size, "raw", b, 0, err))
		goto fail;
	gm_backing_put(b);
	return gm;
fail:
	if (fd >= 0)
		close(fd);
	gm_backing_put(b);
	gm_free(gm);
	return NULL;
}

const struct input_reader raw_reader = {
	.name = "raw",
	.probe = raw_probe,
	.open = raw_open,
};
