// SPDX-License-Identifier: GPL-2.0-or-later
#include "json_parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	const char *name;
	struct mp_err *err;
};

static int fail_at(struct parser *p, const char *what)
{
	return mp_fail_at(p->err, MP_EINPUT, p->name, p->pos, "%s", what);
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
}

static bool literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
		return false;
	p->pos += n;
	return true;
}

static int hex4(struct parser *p, unsigned *out)
{
	*out = 0;
	if (p->len - p->pos < 4)
		return fail_at(p, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = p->s[p->pos++];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return fail_at(p, "bad hex digit in \\u escape");
		*out = *out << 4 | d;
	}
	return 0;
}

static size_t put_utf8(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static int escape(struct parser *p, char *out, size_t *n)
{
	char c = p->s[p->pos++];
	unsigned cp, lo;

	switch (c) {
	case '"': case '\\': case '/':
		out[(*n)++] = c;
		return 0;
	case 'b': out[(*n)++] = '\b'; return 0;
	case 'f': out[(*n)++] = '\f'; return 0;
	case 'n': out[(*n)++] = '\n'; return 0;
	case 'r': out[(*n)++] = '\r'; return 0;
	case 't': out[(*n)++] = '\t'; return 0;
	case 'u':
		if (hex4(p, &cp))
			return -1;
		if (cp >= 0xDC00 && cp < 0xE000)
			return fail_at(p, "unpaired low surrogate in string");
		if (cp >= 0xD800 && cp < 0xDC00) {
			/* A high surrogate must be followed by \u and a low one. */
			if (p->len - p->pos < 6 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
				return fail_at(p, "unpaired high surrogate in string");
			p->pos += 2;
			if (hex4(p, &lo))
				return -1;
			if (lo < 0xDC00 || lo >= 0xE000)
				return fail_at(p, "unpaired high surrogate in string");
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		}
		if (cp == 0)
			return fail_at(p, "\\u0000 is not allowed in strings here");
		*n += put_utf8(out + *n, cp);
		return 0;
	default:
		p->pos--;
		return fail_at(p, "bad escape in string");
	}
}

static int parse_string(struct parser *p, char **out)
{
	size_t start = ++p->pos, n = 0, full_len = p->len, end;
	char *buf;

	while (p->pos < p->len && p->s[p->pos] != '"')
		p->pos += p->s[p->pos] == '\\' ? 2 : 1;
	if (p->pos >= p->len)
		return fail_at(p, "unterminated string");
	end = p->pos;
	/* Decoding never produces more bytes than it consumes. */
	buf = malloc(end - start + 1);
	if (!buf)
		return mp_fail(p->err, MP_ENOMEM, "out of memory");
	/* Escapes must not read past the closing quote found above. */
	p->len = end;
	p->pos = start;
	while (p->pos < end) {
		unsigned char c = (unsigned char)p->s[p->pos];

		if (c < 0x20) {
			fail_at(p, "control character in string");
			goto fail;
		}
		if (c == '\\') {
			p->pos++;
			if (p->pos >= end) {
				fail_at(p, "unterminated escape");
				goto fail;
			}
			if (escape(p, buf, &n))
				goto fail;
			continue;
		}
		buf[n++] = (char)c;
		p->pos++;
	}
	p->len = full_len;
	p->pos = end + 1;
	buf[n] = '\0';
	*out = buf;
	return 0;
fail:
	p->len = full_len;
	free(buf);
	return -1;
}

static size_t digits(struct parser *p)
{
	size_t n = 0;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
		p->pos++;
		n++;
	}
	return n;
}

/* RFC 8259 number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int parse_number(struct parser *p, struct json_value *v)
{
	size_t start = p->pos, intstart;
	bool integer = true;
	char tmp[64];
	char *end;

	if (p->s[p->pos] == '-')
		p->pos++;
	intstart = p->pos;
	if (digits(p) == 0)
		return fail_at(p, "bad number (no digits)");
	if (p->s[intstart] == '0' && p->pos - intstart > 1) {
		p->pos = start;
		return fail_at(p, "bad number (leading zero)");
	}
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		integer = false;
		if (digits(p) == 0)
			return fail_at(p, "bad number (no digits after '.')");
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		integer = false;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (digits(p) == 0)
			return fail_at(p, "bad number (no exponent digits)");
	}
	if (p->pos - start >= sizeof(tmp))
		return fail_at(p, "number too long");
	memcpy(tmp, p->s + start, p->pos - start);
	tmp[p->pos - start] = '\0';
	v->type = JSON_NUMBER;
	v->number = strtod(tmp, &end);
	if (integer && tmp[0] != '-') {
		errno = 0;
		v->uint = strtoull(tmp, &end, 10);
		v->is_uint = errno == 0 && !*end;
	}
	return 0;
}

static int parse_value(struct parser *p, struct json_value *v, int depth);

static int grow(struct parser *p, struct json_value *v, size_t *cap, bool with_keys)
{
	if (v->count < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 8;
	{
		struct json_value *items = reallocarray(v->items, *cap, sizeof(*items));

		if (!items)
			return mp_fail(p->err, MP_ENOMEM, "out of memory");
		v->items = items;
	}
	if (with_keys) {
		char **keys = reallocarray(v->keys, *cap, sizeof(*keys));

		if (!keys)
			return mp_fail(p->err, MP_ENOMEM, "out of memory");
		v->keys = keys;
	}
	return 0;
}

static int parse_container(struct parser *p, struct json_value *v, int depth, bool object)
{
	char close = object ? '}' : ']';
	size_t cap = 0;

	v->type = object ? JSON_OBJECT : JSON_ARRAY;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		skip_ws(p);
		if (grow(p, v, &cap, object))
			return -1;
		memset(&v->items[v->count], 0, sizeof(v->items[0]));
		if (object) {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return fail_at(p, "expected a member name");
			v->keys[v->count] = NULL;
			if (parse_string(p, &v->keys[v->count]))
				return -1;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				free(v->keys[v->count]);
				return fail_at(p, "expected ':'");
			}
			p->pos++;
		}
		v->count++;
		if (parse_value(p, &v->items[v->count - 1], depth + 1))
			return -1;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			return 0;
		}
		return fail_at(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int parse_value(struct parser *p, struct json_value *v, int depth)
{
	char c;

	if (depth > JSON_PARSE_MAX_DEPTH)
		return fail_at(p, "nested too deeply");
	skip_ws(p);
	if (p->pos >= p->len)
		return fail_at(p, "unexpected end of data");
	v->offset = p->pos;
	c = p->s[p->pos];
	if (c == '{' || c == '[')
		return parse_container(p, v, depth, c == '{');
	if (c == '"') {
		v->type = JSON_STRING;
		return parse_string(p, &v->string);
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(p, v);
	if (literal(p, "true") || literal(p, "false")) {
		v->type = JSON_BOOL;
		v->boolean = c == 't';
		return 0;
	}
	if (literal(p, "null")) {
		v->type = JSON_NULL;
		return 0;
	}
	return fail_at(p, "unexpected character");
}

static void free_contents(struct json_value *v)
{
	for (size_t i = 0; i < v->count; i++) {
		free_contents(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->string);
}

void json_free(struct json_value *v)
{
	if (!v)
		return;
	free_contents(v);
	free(v);
}

struct json_value *json_parse(const char *text, size_t len, const char *name,
			      struct mp_err *err)
{
	struct parser p = { .s = text, .len = len, .name = name, .err = err };
	struct json_value *v = mp_calloc(1, sizeof(*v), err);

	if (!v)
		return NULL;
	if (parse_value(&p, v, 0))
		goto fail;
	skip_ws(&p);
	if (p.pos != p.len) {
		fail_at(&p, "trailing data after the JSON value");
		goto fail;
	}
	return v;
fail:
	json_free(v);
	return NULL;
}

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->count; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}

int parse_uint_strict(const char *s, uint64_t *out)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *digits = hex ? s + 2 : s;
	char *end;

	/* Only "31" or "0x1f": no sign, no blanks, no octal. */
	if (!*digits)
		return -1;
	for (const char *c = digits; *c; c++)
		if (hex ? !strchr("0123456789abcdefABCDEF", *c) : (*c < '0' || *c > '9'))
			return -1;
	errno = 0;
	*out = strtoull(digits, &end, hex ? 16 : 10);
	return errno || *end ? -1 : 0;
}

int json_to_u64(const struct json_value *v, uint64_t *out)
{
	if (!v)
		return -1;
	if (v->type == JSON_NUMBER && v->is_uint) {
		*out = v->uint;
		return 0;
	}
	if (v->type != JSON_STRING)
		return -1;
	return parse_uint_strict(v->string, out);
}
