/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scratch files for data too large for memory (decompressed inputs, decoded
 * RAM, compressed kdump pages): unlinked from birth, so nothing is left
 * behind whatever happens to the process.
 */
#ifndef MPIPL_UTIL_TEMPFILE_H
#define MPIPL_UTIL_TEMPFILE_H

#include "err.h"

/*
 * An unlinked temporary file in dir; dir NULL or empty: $TMPDIR, else
 * /var/tmp (large files). what names its use in the fallback file name.
 */
int temp_file_create(const char *dir, const char *what, struct mp_err *err);

#endif
