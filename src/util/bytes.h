/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Byte-order helpers: every on-disk or in-guest integer is read and written
 * through these, with an explicit width and byte order. Pointers need no
 * alignment.
 */
#ifndef MPIPL_UTIL_BYTES_H
#define MPIPL_UTIL_BYTES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t get_be16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t get_be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static inline uint64_t get_be64(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)get_be32(b) << 32 | get_be32(b + 4);
}

static inline uint16_t get_le16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[1] << 8 | b[0]);
}

static inline uint32_t get_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

static inline uint64_t get_le64(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)get_le32(b + 4) << 32 | get_le32(b);
}

static inline void put_be16(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void put_be32(void *p, uint32_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static inline void put_be64(void *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32((uint8_t *)p + 4, (uint32_t)v);
}

static inline void put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static inline void put_le64(void *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

/* Accessors for data whose byte order is only known at run time (ELF, kernel). */
static inline uint16_t get_u16(const void *p, bool big_endian)
{
	return big_endian ? get_be16(p) : get_le16(p);
}

static inline uint32_t get_u32(const void *p, bool big_endian)
{
	return big_endian ? get_be32(p) : get_le32(p);
}

static inline uint64_t get_u64(const void *p, bool big_endian)
{
	return big_endian ? get_be64(p) : get_le64(p);
}

static inline void put_u16(void *p, uint16_t v, bool big_endian)
{
	if (big_endian)
		put_be16(p, v);
	else
		put_le16(p, v);
}

static inline void put_u32(void *p, uint32_t v, bool big_endian)
{
	if (big_endian)
		put_be32(p, v);
	else
		put_le32(p, v);
}

static inline void put_u64(void *p, uint64_t v, bool big_endian)
{
	if (big_endian)
		put_be64(p, v);
	else
		put_le64(p, v);
}

/* a + b without wrapping past 2^64; false when it would. */
static inline bool add_u64_ok(uint64_t a, uint64_t b, uint64_t *sum)
{
	return !__builtin_add_overflow(a, b, sum);
}

/* 4 KiB of zeros: mem_is_zero compares against it with glibc's vectorised memcmp. */
extern const uint8_t zero_block[4096];

/* True when every byte of buf is zero. */
static inline bool mem_is_zero(const void *buf, size_t len)
{
	const uint8_t *b = buf;

	while (len) {
		size_t n = len < sizeof(zero_block) ? len : sizeof(zero_block);

		if (memcmp(b, zero_block, n) != 0)
			return false;
		b += n;
		len -= n;
	}
	return true;
}

static inline uint64_t round_up_u64(uint64_t v, uint64_t align)
{
	return (v + align - 1) / align * align;
}

static inline uint64_t round_down_u64(uint64_t v, uint64_t align)
{
	return v / align * align;
}

#endif
