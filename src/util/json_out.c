// SPDX-License-Identifier: GPL-2.0-or-later
#include "json_out.h"

#include <inttypes.h>

void jo_init(struct json_out *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
}

static void indent(struct json_out *j)
{
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp < 0xE000))
		return 0;
	return n;
}

static void write_escaped(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80) {
			size_t n = utf8_len(p);

			/* JSON text is UTF-8: keep valid sequences, replace stray bytes. */
			if (n == 0) {
				fputs("\\ufffd", f);
			} else {
				fwrite(p, 1, n, f);
				p += n - 1;
			}
			continue;
		}
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7F)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* Separator, indentation and key before a value. */
static void prefix(struct json_out *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth])
			fputc(',', j->f);
		indent(j);
	}
	j->first[j->depth] = false;
	if (key) {
		write_escaped(j->f, key);
		fputs(": ", j->f);
	}
}

static void open_container(struct json_out *j, const char *key, char c)
{
	prefix(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_container(struct json_out *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty)
		indent(j);
	fputc(c, j->f);
}

void jo_object(struct json_out *j, const char *key)
{
	open_container(j, key, '{');
}

void jo_end_object(struct json_out *j)
{
	close_container(j, '}');
}

void jo_array(struct json_out *j, const char *key)
{
	open_container(j, key, '[');
}

void jo_end_array(struct json_out *j)
{
	close_container(j, ']');
}

void jo_string(struct json_out *j, const char *key, const char *value)
{
	prefix(j, key);
	write_escaped(j->f, value ? value : "");
}

void jo_uint(struct json_out *j, const char *key, uint64_t value)
{
	prefix(j, key);
	fprintf(j->f, "%" PRIu64, value);
}

void jo_hex(struct json_out *j, const char *key, uint64_t value)
{
	prefix(j, key);
	fprintf(j->f, "\"0x%" PRIx64 "\"", value);
}

void jo_bool(struct json_out *j, const char *key, bool value)
{
	prefix(j, key);
	fputs(value ? "true" : "false", j->f);
}

void jo_null(struct json_out *j, const char *key)
{
	prefix(j, key);
	fputs("null", j->f);
}

void jo_finish(struct json_out *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}
