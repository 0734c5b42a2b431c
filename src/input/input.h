/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Opening an input: the first bytes (after gzip/zstd decompression) pick
 * the reader; every reader yields the same guest_mem.
 */
#ifndef MPIPL_INPUT_INPUT_H
#define MPIPL_INPUT_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "../guestmem/guest_mem.h"
#include "instream.h"

/*
 * Placement (vmcore in one pass, README "Streams in one pass"): while a
 * migration stream is read, a placer may say where in the decoded RAM file
 * each page of the main RAM block goes, so that most pages land where the
 * output needs them and are never moved again.
 */
enum ram_place_kind {
	RAM_PLACE_USUAL, /* file offset ram_file_offset + (gpa - block start) */
	RAM_PLACE_AT,    /* file offset at (the placer's choice) */
	RAM_PLACE_SPILL, /* a spill file beside: the page is needed, but not there */
};

struct ram_place {
	enum ram_place_kind kind;
	uint64_t len; /* bytes from gpa the answer holds for (a page at least) */
	uint64_t at;  /* RAM_PLACE_AT: the file offset of gpa */
};

/* The decoder as a placer sees it. */
struct ram_placing;
/*
 * Guest memory as decoded so far: pages not yet sent read as zero, the
 * vCPUs are not known yet. The caller frees it; it must not outlive the call.
 */
struct guest_mem *ram_placing_so_far(struct ram_placing *p, struct mp_err *err);
/* Whether the page of main RAM holding gpa has arrived with data (no read: the decoder knows). */
bool ram_placing_has_data(const struct ram_placing *p, uint64_t gpa);

/*
 * Asked once for each page of main RAM at gpa that arrives unplaced, [gpa,
 * end) being unplaced: fill *place. The decoder takes any answer as advice:
 * a target already taken goes to the spill file instead.
 */
typedef int (*ram_placer_fn)(void *ctx, struct ram_placing *p, uint64_t gpa, uint64_t end,
			     struct ram_place *place, struct mp_err *err);

struct input_opts {
	uint64_t mem_base;    /* raw images: guest address of the first byte */
	const char *snapshot; /* qcow2: snapshot tag or id (NULL: newest) */
	/* A migration stream at this byte offset (migrate file:PATH,offset=N). */
	uint64_t stream_offset;
	bool stream_offset_given;
	/* Migration streams: keep what was read before bad or missing data. */
	bool salvage;
	/*
	 * Where decoded RAM and decompressed copies go (NULL: $TMPDIR, else
	 * /var/tmp). extract puts them beside its output, so that a decoded
	 * image can become the output without a copy.
	 */
	const char *tmpdir;
	/*
	 * Migration streams: decoded RAM starts this many bytes into its file
	 * (a multiple of 64 KiB), leaving room for a vmcore's headers in front.
	 */
	uint64_t ram_file_offset;
	/* Migration streams: where pages of main RAM go (NULL: where usual). */
	ram_placer_fn placer;
	void *placer_ctx;
	/* Piped or compressed input copied to a temporary: the most it may hold (0: default). */
	uint64_t max_size;
};

/* A probe's answer (libkdumpfile's three: its format, another, or its own but damaged). */
enum input_probe {
	PROBE_NOT_MINE, /* another format: the next reader is asked */
	PROBE_MINE,     /* this reader opens the input */
	PROBE_BROKEN,   /* this format, but damaged (err says how): no other reader takes it */
};

struct input_reader {
	const char *name;
	/* Judge the first len bytes (up to 64, decompressed) of the input named path. */
	enum input_probe (*probe)(const uint8_t *head, size_t len, const char *path,
				  struct mp_err *err);
	/* Read the input; s is positioned at its first byte. */
	struct guest_mem *(*open)(struct instream *s, const struct input_opts *o,
				  struct mp_err *err);
};

struct guest_mem *input_open(const char *path, const struct input_opts *o, struct mp_err *err);
/* The same from a descriptor it takes over (a pipe), named name in messages. */
struct guest_mem *input_open_fd(int fd, const char *name, const struct input_opts *o,
				struct mp_err *err);

/*
 * The usual probe (probe.c): MINE when head starts with the magic_len bytes
 * of magic, BROKEN when the input ends inside them (its two or more bytes
 * match: "the input ends inside the signature of a <what>"), else NOT_MINE.
 */
enum input_probe input_probe_magic(const uint8_t *head, size_t len, const void *magic,
				   size_t magic_len, const char *what, const char *path,
				   struct mp_err *err);

/*
 * "no known format at byte 0 (tried migration, ...): read as a raw RAM
 * image": what a raw input is, said where an analysis of it fails.
 */
void input_raw_fallback_note(char *buf, size_t len);

/* The raw reader, also used by others for a decompressed copy. */
extern const struct input_reader raw_reader;

/* dump-guest-memory ELF (elf_dump.c), kdump raw and flattened (kdump.c, kdump_flat.c). */
extern const struct input_reader elf_dump_reader;
extern const struct input_reader kdump_reader;
extern const struct input_reader kdump_flat_reader;
/* qcow2 internal snapshots (qcow2_reader.c): the vmstate goes to migration_stream_open. */
extern const struct input_reader qcow2_reader;

#endif
