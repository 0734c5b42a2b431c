// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The vmdesc: the JSON description QEMU writes after EOF (spec qemu-inputs.md
 * 3.3, 3.6). It is located by scanning the end of the stream backwards and
 * reduced to one body length per device section; the DOM is freed at once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migration_priv.h"
#include "../../util/bytes.h"
#include "../../util/json_parse.h"

/*
 * Largest vmdesc looked for: a powernv10 with 46 I2C buses writes about
 * 30 KiB (spec 13), each further vCPU about 1.7 KiB (cpu, cpu_common,
 * xive-tctx in the golden stream). 1 MiB covers some 500 vCPUs and keeps the text plus its DOM (up to ~36 bytes per byte of
 * hostile JSON) inside the memory budget; bigger ones are skipped by the
 * size table and footer scan instead.
 */
#define VMDESC_MAX (1u << 20)

/* 0x06 type, be32 length. */
#define VMDESC_HDR 5u

static uint64_t field_bytes(const struct json_value *f, bool *ok)
{
	const struct json_value *size = json_get(f, "size");
	const struct json_value *alen = json_get(f, "array_len");
	uint64_t total;

	if (f->type != JSON_OBJECT || !size || !size->is_uint ||
	    (alen && !alen->is_uint)) {
		*ok = false;
		return 0;
	}
	if (__builtin_mul_overflow(size->uint, alen ? alen->uint : 1, &total))
		*ok = false;
	return total;
}

/* Σ fields + Σ (subsection header + body), spec 3.6. */
static uint64_t vmsd_bytes(const struct json_value *v, bool *ok)
{
	const struct json_value *fields = json_get(v, "fields");
	const struct json_value *subs = json_get(v, "subsections");
	uint64_t total = 0;

	if (v->type != JSON_OBJECT || (fields && fields->type != JSON_ARRAY) ||
	    (subs && subs->type != JSON_ARRAY)) {
		*ok = false;
		return 0;
	}
	for (size_t i = 0; fields && i < fields->count && *ok; i++)
		if (!add_u64_ok(total, field_bytes(&fields->items[i], ok), &total))
			*ok = false;
	for (size_t i = 0; subs && i < subs->count && *ok; i++) {
		const struct json_value *s = &subs->items[i];
		const struct json_value *name = json_get(s, "vmsd_name");
		uint64_t hdr;

		if (!name || name->type != JSON_STRING || !name->string[0] ||
		    strlen(name->string) > 255) {
			*ok = false;
			break;
		}
		/* 0x05, str8 name, be32 version. */
		hdr = 1 + 1 + strlen(name->string) + 4;
		if (!add_u64_ok(total, hdr, &total) ||
		    !add_u64_ok(total, vmsd_bytes(s, ok), &total))
			*ok = false;
	}
	return total;
}

static int measure_device(const struct json_value *d, struct vmdesc_dev *out)
{
	const struct json_value *name = json_get(d, "name");
	const struct json_value *inst = json_get(d, "instance_id");
	bool ok = true;

	if (d->type != JSON_OBJECT || !name || name->type != JSON_STRING || !name->string[0] ||
	    strlen(name->string) > 255 || !inst || !inst->is_uint || inst->uint > UINT32_MAX)
		return -1;
	out->body_len = vmsd_bytes(d, &ok);
	if (!ok)
		return -1;
	out->name = strdup(name->string);
	out->instance = (uint32_t)inst->uint;
	return out->name ? 0 : -1;
}

void vmdesc_free(struct vmdesc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->ndevs; i++)
		free(d->devs[i].name);
	free(d->devs);
	free(d);
}

/* *why = the formatted reason, malloc'd (NULL when that fails too). */
static void set_why(char **why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_why(char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(why, fmt, ap) < 0)
		*why = NULL;
	va_end(ap);
}

struct vmdesc *vmdesc_from_json(const char *text, size_t len, char **why)
{
	struct mp_err jerr = { 0 };
	struct json_value *root = json_parse(text, len, "vmdesc", &jerr);
	const struct json_value *devs;
	struct vmdesc *d = NULL;

	if (!root) {
		set_why(why, "invalid JSON (%s)", jerr.msg);
		return NULL;
	}
	devs = json_get(root, "devices");
	if (!devs || devs->type != JSON_ARRAY) {
		set_why(why, "no \"devices\" array");
		goto out;
	}
	d = calloc(1, sizeof(*d));
	if (!d || !(d->devs = calloc(devs->count ? devs->count : 1, sizeof(*d->devs)))) {
		set_why(why, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < devs->count; i++, d->ndevs++) {
		if (measure_device(&devs->items[i], &d->devs[i])) {
			set_why(why, "device %zu (near JSON byte %zu) is malformed", i,
				devs->items[i].offset);
			goto fail;
		}
	}
	goto out;
fail:
	vmdesc_free(d);
	d = NULL;
out:
	json_free(root);
	return d;
}

const struct vmdesc_dev *vmdesc_find(struct vmdesc *d, const char *name, uint32_t instance)
{
	/* Sections appear in vmdesc order: look from the last match on, then wrap. */
	for (size_t k = 0; k < d->ndevs; k++) {
		size_t i = (d->cursor + k) % d->ndevs;

		if (d->devs[i].instance == instance && strcmp(d->devs[i].name, name) == 0) {
			d->cursor = i + 1;
			return &d->devs[i];
		}
	}
	return NULL;
}

/*
 * Spec 3.3: p with byte[p] = 0x06, be32(p+1) = N - (p+5), byte[p+5] = '{'
 * and byte[p-1] = 0x00 (the EOF record). Returns the index or -1.
 */
static long find_header(const uint8_t *t, size_t n, uint64_t tail_start, uint64_t end)
{
	for (size_t p = n >= VMDESC_HDR + 1 ? n - VMDESC_HDR - 1 : 0; p >= 1; p--) {
		if (t[p] == MIG_VMDESC && t[p - 1] == MIG_EOF && t[p + VMDESC_HDR] == '{' &&
		    get_be32(t + p + 1) == end - (tail_start + p + VMDESC_HDR))
			return (long)p;
	}
	return -1;
}

int vmdesc_locate(struct mig_src *m, struct vmdesc **out, char **why, struct mp_err *err)
{
	uint64_t lo = m->delta, span;
	uint8_t *tail;
	char *inner = NULL;
	ptrdiff_t got;
	long p;

	*out = NULL;
	span = m->end - lo;
	if (span > VMDESC_MAX + VMDESC_HDR + 1)
		span = VMDESC_MAX + VMDESC_HDR + 1;
	lo = m->end - span;
	tail = mp_malloc(span ? span : 1, err);
	if (!tail)
		return -1;
	got = ms_pread(m, tail, span, lo, err);
	if (got < 0) {
		free(tail);
		return -1;
	}
	p = find_header(tail, (size_t)got, lo, m->end);
	if (p < 0) {
		set_why(why, "no vmdesc after the EOF record in the last %llu bytes",
			(unsigned long long)span);
	} else {
		*out = vmdesc_from_json((const char *)tail + p + VMDESC_HDR,
					(size_t)got - (size_t)p - VMDESC_HDR, &inner);
		if (!*out) {
			set_why(why, "vmdesc at byte offset %llu ignored: %s",
				(unsigned long long)(lo + (uint64_t)p), inner ? inner : "?");
			free(inner);
		}
	}
	free(tail);
	return 0;
}
