/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compressing one page for the kdump format: zlib as compress2 writes it
 * (zlib-wrapped, level Z_BEST_SPEED as makedumpfile uses), or a zstd frame.
 * One codec per thread. Internal to the kdump writer.
 */
#ifndef MPIPL_ELFCORE_KDW_CODEC_H
#define MPIPL_ELFCORE_KDW_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "kdump_writer.h"

struct kdw_codec;

struct kdw_codec *kdw_codec_new(enum kdump_compress c, struct mp_err *err);
void kdw_codec_free(struct kdw_codec *k);

/* The descriptor flag of compressed pages (0 for KDUMP_NONE). */
uint32_t kdw_codec_flag(enum kdump_compress c);

/*
 * Compress len bytes of src into dst when the result is shorter than len:
 * returns its size, or 0 when the page is to be stored as it is (always for
 * KDUMP_NONE). dst holds len - 1 bytes. -1 with err set on a library failure.
 */
ptrdiff_t kdw_codec_page(struct kdw_codec *k, const uint8_t *src, size_t len, uint8_t *dst,
			 struct mp_err *err);

#endif
