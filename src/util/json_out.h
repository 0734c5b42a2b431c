/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small streaming JSON writer for --json output. Addresses and register
 * values are written as "0x..." strings (exact in every JSON reader), counts
 * and sizes as integers.
 */
#ifndef MPIPL_UTIL_JSON_OUT_H
#define MPIPL_UTIL_JSON_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json_out {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];
};

void jo_init(struct json_out *j, FILE *f);
/* key is NULL for array elements and the top-level value. */
void jo_object(struct json_out *j, const char *key);
void jo_end_object(struct json_out *j);
void jo_array(struct json_out *j, const char *key);
void jo_end_array(struct json_out *j);
void jo_string(struct json_out *j, const char *key, const char *value);
void jo_uint(struct json_out *j, const char *key, uint64_t value);
void jo_hex(struct json_out *j, const char *key, uint64_t value);
void jo_bool(struct json_out *j, const char *key, bool value);
void jo_null(struct json_out *j, const char *key);
/* Finish the document with a newline. */
void jo_finish(struct json_out *j);

#endif
