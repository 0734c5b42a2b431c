// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The structured log_buf of Linux 3.5-5.9 (kernel/printk/printk.c of those
 * releases): records of struct printk_log (ts_nsec, len, text_len, ...)
 * followed by their text, from log_first_idx to log_next_idx; a record with
 * len 0 marks the wrap to the start of the buffer. Read as vmcore-dmesg does.
 * The older unstructured log_buf (before 3.5) is not supported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printk.h"
#include "../util/bytes.h"

/* log_buf_len is an int: at most 2 GiB; the kernel caps it far lower. */
#define LOG_BUF_MAX (1ULL << 31)

struct logbuf_layout {
	int64_t size, ts_nsec, len, text_len;
};

static int logbuf_layout(const struct vmcoreinfo *vi, struct logbuf_layout *l,
			 struct mp_err *err)
{
	/* Linux 3.11 renamed struct log to struct printk_log. */
	const char *name = vmci_number(vi, "SIZE(printk_log)", &l->size) == 0 ? "printk_log"
											 : "log";
	char key[64];

	if (strcmp(name, "log") == 0 && vmci_number(vi, "SIZE(log)", &l->size))
		return mp_fail(err, MP_ENOTFOUND, "VMCOREINFO describes no printk buffer");
	snprintf(key, sizeof(key), "OFFSET(%s.ts_nsec)", name);
	if (vmci_number(vi, key, &l->ts_nsec))
		return mp_fail(err, MP_EINPUT, "VMCOREINFO: %s missing", key);
	snprintf(key, sizeof(key), "OFFSET(%s.len)", name);
	if (vmci_number(vi, key, &l->len))
		return mp_fail(err, MP_EINPUT, "VMCOREINFO: %s missing", key);
	snprintf(key, sizeof(key), "OFFSET(%s.text_len)", name);
	if (vmci_number(vi, key, &l->text_len))
		return mp_fail(err, MP_EINPUT, "VMCOREINFO: %s missing", key);
	if (l->size < 16 || l->size > 4096 || l->ts_nsec < 0 || l->ts_nsec + 8 > l->size ||
	    l->len < 0 || l->len + 2 > l->size || l->text_len < 0 || l->text_len + 2 > l->size)
		return mp_fail(err, MP_EINPUT, "VMCOREINFO: struct %s layout is absurd", name);
	return 0;
}

static int read_vars(const struct kmem *k, const struct vmcoreinfo *vi, uint64_t *buf_va,
		     uint32_t *buf_len, uint32_t *first, uint32_t *next, struct mp_err *err)
{
	uint64_t va_buf, va_len, va_first, va_next;

	if (vmci_symbol(vi, "log_buf", &va_buf) || vmci_symbol(vi, "log_buf_len", &va_len) ||
	    vmci_symbol(vi, "log_first_idx", &va_first) ||
	    vmci_symbol(vi, "log_next_idx", &va_next))
		return mp_fail(err, MP_ENOTFOUND,
			       "VMCOREINFO lacks log_buf, log_buf_len, log_first_idx or "
			       "log_next_idx");
	return kmem_u64(k, va_buf, buf_va, err) || kmem_u32(k, va_len, buf_len, err) ||
	       kmem_u32(k, va_first, first, err) || kmem_u32(k, va_next, next, err);
}

int printk_walk_logbuf(const struct kmem *k, const struct vmcoreinfo *vi, printk_fn fn,
		       void *ctx, struct printk_stats *st, struct mp_err *err)
{
	struct logbuf_layout l;
	uint64_t buf_va;
	uint32_t len, idx, next;
	uint8_t *buf;
	bool wrapped = false;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	st->kind = "log_buf";
	if (logbuf_layout(vi, &l, err) || read_vars(k, vi, &buf_va, &len, &idx, &next, err))
		return -1;
	if (len < (uint64_t)l.size || len > LOG_BUF_MAX)
		return mp_fail(err, MP_EINPUT, "%s: log_buf_len %u is absurd", k->gm->path, len);
	buf = printk_read_array(k, buf_va, 1, len, "log_buf", err);
	if (!buf)
		return -1;
	/* Each step moves forward by a record of at least one header, or wraps once. */
	for (uint64_t steps = 0; idx != next && rc == 0; steps++) {
		struct printk_record r = { 0 };
		uint16_t rec_len, text_len;

		if (idx > len - (uint64_t)l.size || steps > len / (uint64_t)l.size + 1) {
			snprintf(st->note, sizeof(st->note),
				 "record index 0x%x is outside log_buf (0x%x bytes): stopped", idx,
				 len);
			break;
		}
		rec_len = get_u16(buf + idx + l.len, k->big_endian);
		text_len = get_u16(buf + idx + l.text_len, k->big_endian);
		r.ts_nsec = get_u64(buf + idx + l.ts_nsec, k->big_endian);
		r.level = PRINTK_LEVEL_UNKNOWN;
		r.seq = steps;
		r.text = buf + idx + l.size;
		r.text_len = text_len;
		if (text_len > len - idx - (uint64_t)l.size) {
			st->damaged++;
			r.text_len = len - idx - (size_t)l.size;
		}
		/* vmcore-dmesg prints the end-of-buffer marker too (an empty line). */
		st->records++;
		rc = fn(&r, ctx);
		if (rec_len == 0) { /* end-of-buffer marker: wrap to the start, once */
			if (wrapped) {
				snprintf(st->note, sizeof(st->note),
					 "log_buf wraps twice (a cycle at 0x%x): stopped", idx);
				break;
			}
			wrapped = true;
			idx = 0;
			continue;
		}
		idx += rec_len;
	}
	free(buf);
	return rc;
}
