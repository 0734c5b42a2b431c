/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A sequential byte stream over an input file that may be gzip- or
 * zstd-compressed (detected by magic). Sequential readers (migration
 * streams) read through it in one pass; random-access readers ask for a
 * sparse decompressed temporary file instead (instream_to_tempfile).
 */
#ifndef MPIPL_INPUT_INSTREAM_H
#define MPIPL_INPUT_INSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

enum instream_codec { CODEC_NONE, CODEC_GZIP, CODEC_ZSTD };

struct instream;

/* Open path ("-": standard input) for reading; codec detected from its first bytes. */
struct instream *instream_open(const char *path, struct mp_err *err);
/*
 * The same over an open descriptor (a pipe QEMU writes a migration into),
 * which the stream owns from here on, even on failure. name labels messages.
 */
struct instream *instream_open_fd(int fd, const char *name, struct mp_err *err);

/*
 * A stream whose bytes come from a callback (e.g. a qcow2 snapshot's vmstate
 * read through its cluster tables). read returns bytes read, 0 at the end,
 * -1 with err set. name labels messages; no decompression is applied.
 */
typedef ptrdiff_t (*instream_read_fn)(void *ctx, void *buf, size_t len, struct mp_err *err);
struct instream *instream_open_custom(const char *name, instream_read_fn read, void *ctx,
				      struct mp_err *err);
/*
 * The rest of outer, which must start with codec's data (gzip or zstd),
 * decompressed: a container that announces its payload's compression (a
 * libvirt save image). what names that payload in errors. outer must stay
 * open, and be read only through the nested stream, until it is closed.
 */
struct instream *instream_open_nested(struct instream *outer, enum instream_codec codec,
				      const char *what, struct mp_err *err);
void instream_close(struct instream *s);

enum instream_codec instream_codec(const struct instream *s);
const char *instream_codec_name(enum instream_codec c);

/* ", gzip-compressed" or ", zstd-compressed" for format names, "" for plain input. */
const char *instream_compressed_suffix(const struct instream *s);
const char *instream_path(const struct instream *s);

/* The underlying descriptor (plain files: for pread and mmap; -1 for custom streams). */
int instream_fd(const struct instream *s);
/*
 * Whether the input can be read in place with pread on instream_fd(): a
 * plain regular file. Otherwise (compressed, a pipe, a callback), readers
 * that need random access use instream_to_tempfile.
 */
bool instream_random_access(const struct instream *s);

/* Size of the file on disk (compressed size for compressed input). */
uint64_t instream_file_size(const struct instream *s);

/* Read up to len bytes; returns bytes read (0 at end), -1 on error. */
ptrdiff_t instream_read(struct instream *s, void *buf, size_t len, struct mp_err *err);

/* Read exactly len bytes, failing with "truncated at offset N" otherwise. */
int instream_read_exact(struct instream *s, void *buf, size_t len, const char *what,
			struct mp_err *err);

/* Skip len bytes of (decompressed) data. */
int instream_skip(struct instream *s, uint64_t len, const char *what, struct mp_err *err);

/*
 * instream_to_tempfile refuses a stream longer than this (--max-size): a
 * pipe may never end. 1 TiB by default (INSTREAM_DEFAULT_MAX_SIZE).
 */
#define INSTREAM_DEFAULT_MAX_SIZE (1ull << 40)
void instream_set_max_size(struct instream *s, uint64_t max);

/* Offset in the decompressed data of the next byte to be read. */
uint64_t instream_tell(const struct instream *s);

/* The most instream_peek looks ahead: one decompression buffer. */
#define INSTREAM_PEEK_MAX (256u << 10)

/*
 * Peek at up to len bytes without consuming them (len <= INSTREAM_PEEK_MAX).
 * Returns bytes available (less at end of data).
 */
ptrdiff_t instream_peek(struct instream *s, void *buf, size_t len, struct mp_err *err);

/*
 * Decompress the rest of the stream into an unlinked sparse temporary file
 * in tmpdir (NULL: $TMPDIR, else /var/tmp), zero 4 KiB blocks left as holes.
 * Returns its descriptor and size.
 */
int instream_to_tempfile(struct instream *s, const char *tmpdir, int *fd, uint64_t *size,
			 struct mp_err *err);

#endif
