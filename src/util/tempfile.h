/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scratch files for data too large for memory (decompressed inputs, decoded
 * RAM, compressed kdump pages): unlinked from birth, so nothing is left
 * behind whatever happens to the process.
 */
#ifndef MPIPL_UTIL_TEMPFILE_H
#define MPIPL_UTIL_TEMPFILE_H

#include "err.h"

/* An unlinked temporary file in $TMPDIR (default /var/tmp: large files). */
int temp_file_create(const char *what, struct mp_err *err);

#endif
