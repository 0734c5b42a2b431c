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

/* The reader whose probe claims these first bytes (raw claims anything). */
static const struct input_reader *probe_readers(const uint8_t *head, size_t len)
{
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (readers[i]->probe(head, len))
			return readers[i];
	return &raw_reader;
}

struct guest_mem *input_open(const char *path, const struct input_opts *o, struct mp_err *err)
{
	struct instream *s = instream_open(path, err);
	const struct input_reader *r;
	struct guest_mem *gm = NULL;
	uint64_t off;
	uint8_t head[64];
	ptrdiff_t n;
	int found;

	if (!s)
		return NULL;
	if (o->stream_offset_given) {
		gm = migration_read_at(s, o->stream_offset, false, o, err);
		goto out;
	}
	n = instream_peek(s, head, sizeof(head), err);
	if (n < 0)
		goto out;
	r = probe_readers(head, (size_t)n);
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
out:
	instream_close(s);
	return gm;
}
