/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ELF vmcore's placer (input_opts.placer; README "Streams in one
 * pass"): while a migration stream is decoded, pages of main RAM go straight
 * to their offset in the vmcore the decoded file becomes (elf_inplace.c), as
 * far as the stream's order lets the layout be known in time.
 */
#ifndef MPIPL_VMCORE_PLACE_H
#define MPIPL_VMCORE_PLACE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmcore.h"
#include "../input/input.h"
#include "../mpipl/analyze.h"
#include "../mpipl/regsave.h"

/* Where a source range of guest RAM goes in the vmcore. */
struct place_target {
	uint64_t gpa, len;
	uint64_t at; /* the vmcore's file offset of gpa */
};

struct stream_place {
	/* Set by the caller before decoding. */
	struct analyze_opts ao;
	enum mpipl_profile profile;
	bool post;              /* --post: the stream is post-MPIPL, no preserve step */
	struct vmcore_opts vo;
	uint64_t head;          /* input_opts.ram_file_offset: the vmcore's head, guessed */
	/* The placer's own. */
	int phase;
	uint64_t next_try;      /* guest address at which to look again */
	uint64_t scanned_to;    /* MiB-aligned bases below this were looked at */
	uint64_t base;          /* skiboot's base, once found (or given) */
	bool have_base;
	unsigned tries;
	uint64_t spill_from;    /* waiting for the kernel's metadata: spill from here */
	struct place_target *map;
	size_t nmap;
};

/* Ready to place (the caller then sets ao, profile, post, vo and head). */
void stream_place_init(struct stream_place *sp);
void stream_place_free(struct stream_place *sp);

/* The placer: ctx is a struct stream_place. */
int stream_place_fn(void *ctx, struct ram_placing *p, uint64_t gpa, uint64_t end,
		    struct ram_place *place, struct mp_err *err);

#endif
