/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU migration streams (spec qemu-inputs.md sections 3-5): the reader
 * registered in input.c, and the entry point other readers use for a stream
 * they found inside their own container (libvirt save images, qcow2 vmstate).
 */
#ifndef MPIPL_INPUT_MIGRATION_MIGRATION_H
#define MPIPL_INPUT_MIGRATION_MIGRATION_H

#include <stdbool.h>
#include <stdint.h>

#include "../../guestmem/guest_mem.h"
#include "../input.h"
#include "../instream.h"

/*
 * Read the migration stream that starts at (decompressed) offset start of s.
 * s must not have been read past start. container names what wraps the
 * stream in gm->format ("libvirt save image"), or NULL. With o->salvage, a
 * stream that turns bad after its RAM block list still yields what was read
 * before (gm->salvaged_why says where and why it stopped).
 */
struct guest_mem *migration_read(struct instream *s, uint64_t start, const char *container,
				 const struct input_opts *o, struct mp_err *err);

/*
 * QEMU's `migrate file:PATH,offset=N` writes the stream at byte N and leaves
 * the bytes before it as they were. Look for a stream header (magic, version
 * 3, configuration section) in the first INSTREAM_PEEK_MAX bytes of s:
 * 1 with *off set when found, 0 when not, -1 on a read error.
 */
int migration_find_offset(struct instream *s, uint64_t *off, struct mp_err *err);

/*
 * The stream at byte offset start of a file (--stream-offset, or what
 * migration_find_offset found: then a note says so).
 */
struct guest_mem *migration_read_at(struct instream *s, uint64_t start, bool found,
				    const struct input_opts *o, struct mp_err *err);

/* A stream at the current position of s (the qcow2 reader's vmstate). */
struct guest_mem *migration_stream_open(struct instream *s, const struct input_opts *o,
					struct mp_err *err);

extern const struct input_reader migration_reader;
extern const struct input_reader libvirt_save_reader;

#endif
