/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scratch files for data too large for memory (decompressed inputs, decoded
 * RAM, compressed kdump pages): unlinked from birth, so nothing is left
 * behind whatever happens to the process.
 */
#ifndef MPIPL_UTIL_TEMPFILE_H
#define MPIPL_UTIL_TEMPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * An unlinked temporary file in dir; dir NULL or empty: $TMPDIR, else
 * /var/tmp (large files). what names its use in the fallback file name.
 */
int temp_file_create(const char *dir, const char *what, struct mp_err *err);

/* The folder temp_file_create(dir, ...) uses. */
const char *temp_file_dir(const char *dir);

/*
 * pwrite all of buf at off, or -1 with errno. A short count means the file
 * system filled up (or a size limit was hit): the call after it says why,
 * errno after the short one is stale.
 */
int temp_file_pwrite(int fd, const void *buf, size_t len, uint64_t off);

#endif
