// SPDX-License-Identifier: GPL-2.0-or-later
#include "input.h"
#include "migration/migration.h"

#include <stdio.h>

/* Tried in order; raw claims anything and comes last. */
static const struct input_reader *const readers[] = {
	&migration_reader,
	&libvirt_save_reader,
	&elf_dump_reader,
	&kdump_reader,
	&kdump_flat_reader,
	&qcow2_reader,
	&raw_reader,
};

/*
 * The reader whose probe claims these first bytes (raw claims anything), or
 * NULL with err set when one finds its format damaged.
 */
static const struct input_reader *probe_readers(const uint8_t *head, size_t len,
						const char *path, struct mp_err *err)
{
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		switch (readers[i]->probe(head, len, path, err)) {
		case PROBE_MINE:
			return readers[i];
		case PROBE_BROKEN:
			return NULL;
		case PROBE_NOT_MINE:
			break;
		}
	}
	return &raw_reader;
}

void input_raw_fallback_note(char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "no known format at byte 0 (tried");

	for (size_t i = 0; readers[i] != &raw_reader && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s %s", i ? "," : "", readers[i]->name);
	if (n < len)
		snprintf(buf + n, len - n, "): read as a raw RAM image");
}

/* A raw image says so: a file of an unknown format is read as raw. */
static int note_raw_fallback(struct guest_mem *gm, struct mp_err *err)
{
	char note[256];

	input_raw_fallback_note(note, sizeof(note));
	return gm_add_note(gm, err, "%s", note);
}

/* --snapshot names a qcow2 internal snapshot: elsewhere it is a mistake, not a no-op. */
static int refuse_snapshot(struct instream *s, const struct input_opts *o, const char *what,
			   struct mp_err *err)
{
	if (!o->snapshot)
		return 0;
	return mp_fail(err, MP_EUSAGE, "%s: --snapshot applies to qcow2 images only, this is %s",
		       instream_path(s), what);
}

/* Read the input of s with the reader its first bytes pick; closes s. */
static struct guest_mem *open_stream(struct instream *s, const struct input_opts *o,
				     struct mp_err *err)
{
	const struct input_reader *r;
	struct guest_mem *gm = NULL;
	uint64_t off;
	uint8_t head[64];
	ptrdiff_t n;
	int found;

	if (!s)
		return NULL;
	if (o->max_size)
		instream_set_max_size(s, o->max_size);
	if (o->stream_offset_given) {
		if (!refuse_snapshot(s, o, "a migration stream (--stream-offset)", err))
			gm = migration_read_at(s, o->stream_offset, false, o, err);
		goto out;
	}
	n = instream_peek(s, head, sizeof(head), err);
	if (n < 0)
		goto out;
	r = probe_readers(head, (size_t)n, instream_path(s), err);
	if (!r || (r != &qcow2_reader && refuse_snapshot(s, o, r->name, err)))
		goto out;
	if (r == &raw_reader) {
		/* No format at byte 0: maybe a stream written at an offset. */
		found = migration_find_offset(s, &off, err);
		if (found < 0)
			goto out;
		if (found) {
			gm = migration_read_at(s, off, true, o, err);
			goto out;
		}
	}
	gm = r->open(s, o, err);
	if (gm && r == &raw_reader && note_raw_fallback(gm, err)) {
		gm_free(gm);
		gm = NULL;
	}
out:
	instream_close(s);
	return gm;
}

struct guest_mem *input_open(const char *path, const struct input_opts *o, struct mp_err *err)
{
	return open_stream(instream_open(path, err), o, err);
}

struct guest_mem *input_open_fd(int fd, const char *name, const struct input_opts *o,
				struct mp_err *err)
{
	return open_stream(instream_open_fd(fd, name, err), o, err);
}
