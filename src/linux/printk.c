// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lockless printk ring (Linux 5.10+, kernel/printk/printk_ringbuffer.h),
 * read as kexec-tools' vmcore-dmesg reads it, so that `mpiplctl dmesg`
 * prints the same text: every descriptor id from tail_id to head_id
 * (inclusive) whose state is committed or finalized, its text found through
 * text_blk_lpos in the data ring.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printk.h"
#include "../util/bytes.h"

/* The two top bits of a descriptor's state_var are its state; the rest is its id. */
#define DESC_STATE_SHIFT 62
#define DESC_ID_MASK ((1ULL << DESC_STATE_SHIFT) - 1)
#define DESC_COMMITTED 1u
#define DESC_FINALIZED 2u
/* Each data block starts with the id of its descriptor (an unsigned long). */
#define DATA_BLOCK_ID_SIZE 8u
/* Bounds on the ring sizes: log_buf_len tops out far below 2^31 bytes in practice. */
#define COUNT_BITS_MAX 24u
#define SIZE_BITS_MAX 31u
#define ARRAY_MAX (512ULL << 20)
#define STRUCT_MAX 4096u

struct prb_layout {
	int64_t rb_size, desc_ring, text_ring;
	int64_t count_bits, descs, infos, head_id, tail_id, counter;
	int64_t desc_size, state_var, text_lpos, lpos_begin, lpos_next;
	int64_t info_size, seq, ts_nsec, text_len, caller_id, dev_info, subsys, device;
	int64_t data_size_bits, data_data;
};

struct prb {
	const struct kmem *k;
	struct prb_layout l;
	uint64_t count, size;
	uint8_t *descs, *infos, *data;
};

static int need(const struct vmcoreinfo *vi, const char *key, int64_t *v, struct mp_err *err)
{
	if (vmci_number(vi, key, v) || *v < 0 || *v > STRUCT_MAX)
		return mp_fail(err, MP_EINPUT, "VMCOREINFO: %s is missing or absurd", key);
	return 0;
}

static int get_layout(const struct vmcoreinfo *vi, struct prb_layout *l, struct mp_err *err)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
#define K(key, field) { key, offsetof(struct prb_layout, field) }
		K("SIZE(printk_ringbuffer)", rb_size),
		K("OFFSET(printk_ringbuffer.desc_ring)", desc_ring),
		K("OFFSET(printk_ringbuffer.text_data_ring)", text_ring),
		K("OFFSET(prb_desc_ring.count_bits)", count_bits),
		K("OFFSET(prb_desc_ring.descs)", descs),
		K("OFFSET(prb_desc_ring.infos)", infos),
		K("OFFSET(prb_desc_ring.head_id)", head_id),
		K("OFFSET(prb_desc_ring.tail_id)", tail_id),
		K("OFFSET(atomic_long_t.counter)", counter),
		K("SIZE(prb_desc)", desc_size),
		K("OFFSET(prb_desc.state_var)", state_var),
		K("OFFSET(prb_desc.text_blk_lpos)", text_lpos),
		K("OFFSET(prb_data_blk_lpos.begin)", lpos_begin),
		K("OFFSET(prb_data_blk_lpos.next)", lpos_next),
		K("SIZE(printk_info)", info_size),
		K("OFFSET(printk_info.seq)", seq),
		K("OFFSET(printk_info.ts_nsec)", ts_nsec),
		K("OFFSET(printk_info.text_len)", text_len),
		K("OFFSET(printk_info.caller_id)", caller_id),
		K("OFFSET(prb_data_ring.size_bits)", data_size_bits),
		K("OFFSET(prb_data_ring.data)", data_data),
#undef K
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (need(vi, keys[i].key, (int64_t *)((char *)l + keys[i].off), err))
			return -1;
	/* dev_info is optional (exported since 5.10.x); -1: absent. */
	l->dev_info = l->subsys = l->device = -1;
	if (vmci_number(vi, "OFFSET(printk_info.dev_info)", &l->dev_info) == 0 &&
	    (vmci_number(vi, "OFFSET(dev_printk_info.subsystem)", &l->subsys) ||
	     vmci_number(vi, "OFFSET(dev_printk_info.device)", &l->device)))
		l->dev_info = -1;
	/* Every field must lie inside its structure (8 bytes wide at most). */
	if (l->desc_ring + l->tail_id + l->counter + 8 > l->rb_size ||
	    l->text_ring + l->data_data + 8 > l->rb_size ||
	    l->state_var + l->counter + 8 > l->desc_size ||
	    l->text_lpos + l->lpos_next + 8 > l->desc_size ||
	    l->caller_id + 4 > l->info_size || l->ts_nsec + 8 > l->info_size ||
	    l->seq + 8 > l->info_size || l->text_len + 4 > l->info_size ||
	    (l->dev_info >= 0 &&
	     l->dev_info + l->device + (int64_t)PRINTK_DEVICE_LEN > l->info_size))
		return mp_fail(err, MP_EINPUT,
			       "VMCOREINFO: the printk ring layout has fields outside their "
			       "structures");
	return 0;
}

uint8_t *printk_read_array(const struct kmem *k, uint64_t va, uint64_t n, uint64_t size,
			   const char *what, struct mp_err *err)
{
	uint8_t *buf;

	if (n == 0 || size == 0 || n > ARRAY_MAX / size) {
		mp_fail(err, MP_EINPUT, "%s: printk %s of %llu x %llu bytes is absurd",
			k->gm->path, what, (unsigned long long)n, (unsigned long long)size);
		return NULL;
	}
	buf = mp_malloc((size_t)(n * size), err);
	if (buf && kmem_read(k, va, buf, (size_t)(n * size), err)) {
		mp_wrap(err, "printk %s", what);
		free(buf);
		return NULL;
	}
	return buf;
}

static uint64_t field(const struct prb *p, const uint8_t *base, int64_t off)
{
	return get_u64(base + off, p->k->big_endian);
}

static int map_ring(struct prb *p, const struct vmcoreinfo *vi, uint64_t *head,
		    uint64_t *tail, struct mp_err *err)
{
	const struct prb_layout *l = &p->l;
	uint8_t rb[STRUCT_MAX];
	uint64_t prb_sym, prb_va;
	uint32_t count_bits, size_bits;

	if (vmci_symbol(vi, "prb", &prb_sym))
		return mp_fail(err, MP_ENOTFOUND, "no SYMBOL(prb)");
	if (get_layout(vi, &p->l, err) || kmem_u64(p->k, prb_sym, &prb_va, err) ||
	    kmem_read(p->k, prb_va, rb, (size_t)l->rb_size, err))
		return -1;
	count_bits = get_u32(rb + l->desc_ring + l->count_bits, p->k->big_endian);
	size_bits = get_u32(rb + l->text_ring + l->data_size_bits, p->k->big_endian);
	if (count_bits > COUNT_BITS_MAX || size_bits > SIZE_BITS_MAX || size_bits < 3)
		return mp_fail(err, MP_EINPUT,
			       "%s: printk ring at 0x%llx: count_bits %u or size_bits %u is absurd",
			       p->k->gm->path, (unsigned long long)prb_va, count_bits, size_bits);
	p->count = 1ULL << count_bits;
	p->size = 1ULL << size_bits;
	*head = field(p, rb, l->desc_ring + l->head_id + l->counter) & DESC_ID_MASK;
	*tail = field(p, rb, l->desc_ring + l->tail_id + l->counter) & DESC_ID_MASK;
	p->descs = printk_read_array(p->k, field(p, rb, l->desc_ring + l->descs), p->count,
				     (uint64_t)l->desc_size, "descriptor ring", err);
	p->infos = p->descs ? printk_read_array(p->k, field(p, rb, l->desc_ring + l->infos),
						p->count, (uint64_t)l->info_size, "info array",
						err)
			    : NULL;
	p->data = p->infos ? printk_read_array(p->k, field(p, rb, l->text_ring + l->data_data), 1,
					       p->size, "text data ring", err)
			   : NULL;
	return p->data ? 0 : -1;
}

static void copy_field(char *out, const uint8_t *in, size_t len)
{
	memcpy(out, in, len);
	out[len] = '\0';
}

/* Fill r from descriptor id; false when it is not committed (vmcore-dmesg skips it). */
static bool read_record(struct prb *p, uint64_t id, struct printk_record *r,
			struct printk_stats *st)
{
	const struct prb_layout *l = &p->l;
	const uint8_t *d = p->descs + (id % p->count) * (uint64_t)l->desc_size;
	const uint8_t *info = p->infos + (id % p->count) * (uint64_t)l->info_size;
	uint64_t sv = field(p, d, l->state_var + l->counter);
	uint64_t begin, next, len;
	unsigned state = (unsigned)(sv >> DESC_STATE_SHIFT);

	if ((sv & DESC_ID_MASK) != id || (state != DESC_COMMITTED && state != DESC_FINALIZED))
		return false;
	memset(r, 0, sizeof(*r));
	r->seq = field(p, info, l->seq);
	r->ts_nsec = field(p, info, l->ts_nsec);
	/* printk_info: u16 text_len, u8 facility, then the flags:5/level:3 byte. */
	r->level = p->k->big_endian ? info[l->text_len + 3] & 7 : info[l->text_len + 3] >> 5;
	r->caller_id = get_u32(info + l->caller_id, p->k->big_endian);
	r->has_caller = true;
	if (l->dev_info >= 0) {
		copy_field(r->subsystem, info + l->dev_info + l->subsys, PRINTK_SUBSYS_LEN);
		copy_field(r->device, info + l->dev_info + l->device, PRINTK_DEVICE_LEN);
	}
	begin = field(p, d, l->text_lpos + l->lpos_begin) % p->size;
	next = field(p, d, l->text_lpos + l->lpos_next) % p->size;
	if (begin == next) /* a record without text */
		return true;
	len = get_u16(info + l->text_len, p->k->big_endian);
	if (begin > next) /* the block wrapped: its text starts the ring */
		begin = 0;
	begin += DATA_BLOCK_ID_SIZE;
	if (next >= begin && next - begin < len) /* a truncated record */
		len = next - begin;
	if (begin > p->size || len > p->size - begin) {
		st->damaged++;
		len = begin > p->size ? 0 : p->size - begin;
	}
	r->text = p->data + (begin > p->size ? 0 : begin);
	r->text_len = (size_t)len;
	return true;
}

int printk_walk(const struct kmem *k, const struct vmcoreinfo *vi, printk_fn fn, void *ctx,
		struct printk_stats *st, struct mp_err *err)
{
	struct prb p = { k };
	uint64_t head, tail, span;
	int rc;

	memset(st, 0, sizeof(*st));
	st->kind = "lockless";
	if (vmci_symbol(vi, "prb", &head) && vmci_symbol(vi, "log_buf", &tail) == 0)
		return printk_walk_logbuf(k, vi, fn, ctx, st, err);
	rc = map_ring(&p, vi, &head, &tail, err);
	if (rc == 0) {
		span = (head - tail) & DESC_ID_MASK;
		/* More ids than descriptors: the ids are damaged; keep the newest count. */
		if (span >= p.count) {
			snprintf(st->note, sizeof(st->note),
				 "tail_id 0x%llx is %llu ids behind head_id 0x%llx in a ring of %llu "
				 "descriptors: only the newest %llu read",
				 (unsigned long long)tail, (unsigned long long)span,
				 (unsigned long long)head, (unsigned long long)p.count,
				 (unsigned long long)p.count);
			span = p.count - 1;
		}
		for (uint64_t i = 0; i <= span && rc == 0; i++) {
			struct printk_record r;

			if (!read_record(&p, (head - span + i) & DESC_ID_MASK, &r, st)) {
				st->skipped++;
				continue;
			}
			st->records++;
			rc = fn(&r, ctx);
		}
	}
	free(p.descs);
	free(p.infos);
	free(p.data);
	return rc;
}
