// SPDX-License-Identifier: GPL-2.0-or-later
/* Decoders and encoders of the big-endian MPIPL table records. */
#include "hdat.h"

#include <string.h>

#include "../util/bytes.h"

const char *region_name(uint8_t region)
{
	switch (region) {
	case REGION_CONSOLE:
		return "console";
	case REGION_HBRT_LOG:
		return "hbrt-log";
	case REGION_OPAL:
		return "opal";
	case REGION_KERNEL:
		return "kernel";
	}
	if (region >= 0x01 && region <= 0x3F)
		return "opal-other";
	if (region >= 0x40 && region <= 0x7F)
		return "reserved";
	if (region >= 0x80)
		return "host-other";
	return "none";
}

void mdst_entry_decode(const uint8_t raw[MDST_ENTRY_SIZE], struct mdst_entry *e)
{
	e->raw_addr = get_be64(raw);
	e->addr = e->raw_addr & ~HRMOR_BIT;
	e->region = raw[8];
	e->dump_type = raw[9];
	e->reserved = get_be16(raw + 10);
	e->size = get_be32(raw + 12);
}

/* QEMU's end of table: raw address and size both zero (region ignored). */
bool mdst_entry_is_terminator(const struct mdst_entry *e)
{
	return e->raw_addr == 0 && e->size == 0;
}

void mdrt_entry_decode(const uint8_t raw[MDRT_ENTRY_SIZE], struct mdrt_entry *e)
{
	e->src = get_be64(raw);
	e->dest = get_be64(raw + 8);
	e->region = raw[16];
	e->dump_type = raw[17];
	e->reserved = get_be16(raw + 18);
	e->size = get_be32(raw + 20);
	e->padding = get_be64(raw + 24);
}

void mdrt_entry_encode(const struct mdrt_entry *e, uint8_t raw[MDRT_ENTRY_SIZE])
{
	put_be64(raw, e->src);
	put_be64(raw + 8, e->dest);
	raw[16] = e->region;
	raw[17] = e->dump_type;
	put_be16(raw + 18, e->reserved);
	put_be32(raw + 20, e->size);
	put_be64(raw + 24, e->padding);
}

void proc_area_decode(const uint8_t raw[PROC_AREA_SIZE], struct proc_dump_area *p)
{
	p->thread_size = get_be32(raw);
	p->version = raw[4];
	memcpy(p->reserved, raw + 5, sizeof(p->reserved));
	p->alloc_addr = get_be64(raw + 16);
	p->reserved2 = get_be32(raw + 24);
	p->alloc_size = get_be32(raw + 28);
	p->dest_addr = get_be64(raw + 32);
	p->reserved3 = get_be32(raw + 40);
	p->act_size = get_be32(raw + 44);
}

void proc_area_encode(const struct proc_dump_area *p, uint8_t raw[PROC_AREA_SIZE])
{
	put_be32(raw, p->thread_size);
	raw[4] = p->version;
	memcpy(raw + 5, p->reserved, sizeof(p->reserved));
	put_be64(raw + 16, p->alloc_addr);
	put_be32(raw + 24, p->reserved2);
	put_be32(raw + 28, p->alloc_size);
	put_be64(raw + 32, p->dest_addr);
	put_be32(raw + 40, p->reserved3);
	put_be32(raw + 44, p->act_size);
}

void thread_hdr_decode(const uint8_t raw[THREAD_HDR_SIZE], struct thread_hdr *h)
{
	h->pir = get_be32(raw);
	h->core_state = raw[4];
	memcpy(h->reserved, raw + 5, sizeof(h->reserved));
	h->offset = get_be32(raw + 8);
	h->ecnt = get_be32(raw + 12);
	h->esize = get_be32(raw + 16);
	h->eactsz = get_be32(raw + 20);
}

void thread_hdr_encode(const struct thread_hdr *h, uint8_t raw[THREAD_HDR_SIZE])
{
	put_be32(raw, h->pir);
	raw[4] = h->core_state;
	memcpy(raw + 5, h->reserved, sizeof(h->reserved));
	put_be32(raw + 8, h->offset);
	put_be32(raw + 12, h->ecnt);
	put_be32(raw + 16, h->esize);
	put_be32(raw + 20, h->eactsz);
}

void reg_entry_decode(const uint8_t raw[REG_ENTRY_SIZE], struct reg_entry *e)
{
	e->type = get_be32(raw);
	e->num = get_be32(raw + 4);
	e->val = get_be64(raw + 8);
}

void reg_entry_encode(const struct reg_entry *e, uint8_t raw[REG_ENTRY_SIZE])
{
	put_be32(raw, e->type);
	put_be32(raw + 4, e->num);
	put_be64(raw + 8, e->val);
}
