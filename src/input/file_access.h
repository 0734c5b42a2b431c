/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Random access to an input for the readers that need it (ELF and kdump
 * dumps, qcow2): a plain file is read in place with pread; a gzip/zstd one
 * is decompressed once into a sparse temporary file.
 */
#ifndef MPIPL_INPUT_FILE_ACCESS_H
#define MPIPL_INPUT_FILE_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "instream.h"

/*
 * A descriptor of s's (decompressed) bytes, owned by the caller, and their
 * size. s must not have been read from (peek is fine). A compressed input is
 * decompressed into a temporary file in tmpdir (instream_to_tempfile).
 */
int input_random_access(struct instream *s, const char *tmpdir, int *fd, uint64_t *size,
			struct mp_err *err);

/*
 * Read exactly len bytes at byte offset off of fd (file size size, label for
 * messages): "label: truncated at byte offset N: WHAT needs L bytes" when
 * the file is too short, without reading.
 */
int pread_exact(int fd, uint64_t size, void *buf, size_t len, uint64_t off,
		const char *label, const char *what, struct mp_err *err);

#endif
