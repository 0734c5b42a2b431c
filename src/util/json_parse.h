/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small JSON parser (RFC 8259) for our inputs: --cpu-state files and
 * QEMU's vmdesc. Integers are kept exact as 64-bit values; nesting is
 * limited so hostile input cannot exhaust the stack.
 */
#ifndef MPIPL_UTIL_JSON_PARSE_H
#define MPIPL_UTIL_JSON_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define JSON_PARSE_MAX_DEPTH 64

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_value {
	enum json_type type;
	bool boolean;
	bool is_uint;      /* a non-negative integer that fits in 64 bits */
	uint64_t uint;
	double number;
	char *string;      /* NUL-terminated; may contain no NUL of its own */
	size_t count;      /* array items or object members */
	struct json_value *items;
	char **keys;       /* objects only */
	size_t offset;     /* byte offset in the text, for messages */
};

/* Parse text of len bytes; name labels messages ("cpu.json: byte 12: ..."). */
struct json_value *json_parse(const char *text, size_t len, const char *name,
			      struct mp_err *err);
void json_free(struct json_value *v);

/* Member of an object, or NULL. */
const struct json_value *json_get(const struct json_value *obj, const char *key);

/*
 * A 64-bit unsigned value from a JSON integer or a string "0x1f"/"31".
 * Returns -1 when v is neither.
 */
int json_to_u64(const struct json_value *v, uint64_t *out);

/* "31" (decimal) or "0x1f" (hex), nothing else: no sign, blanks or octal. */
int parse_uint_strict(const char *s, uint64_t *out);

#endif
