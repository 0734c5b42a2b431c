// SPDX-License-Identifier: GPL-2.0-or-later
#include "input.h"
#include "migration.h"

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

struct guest_mem *input_open(const char *path, const struct input_opts *o, struct mp_err *err)
{
	struct instream *s = instream_open(path, err);
	struct guest_mem *gm = NULL;
	uint8_t head[64];
	ptrdiff_t n;

	if (!s)
		return NULL;
	n = instream_peek(s, head, sizeof(head), err);
	if (n < 0)
		goto out;
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		if (readers[i]->probe(head, (size_t)n)) {
			gm = readers[i]->open(s, o, err);
			break;
		}
	}
out:
	instream_close(s);
	return gm;
}
