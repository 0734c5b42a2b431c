// SPDX-License-Identifier: GPL-2.0-or-later
/* Reads of ppc64 kernel virtual addresses through the linear map. */
#include "kmem.h"
#include "../util/bytes.h"

bool kmem_to_phys(uint64_t va, uint64_t *pa)
{
	if (va < KMEM_LINEAR_BASE || va - KMEM_LINEAR_BASE >= KMEM_LINEAR_SPAN)
		return false;
	*pa = va - KMEM_LINEAR_BASE;
	return true;
}

bool kmem_is_kernel_ptr(uint64_t v)
{
	uint64_t pa;

	return kmem_to_phys(v, &pa);
}

int kmem_read(const struct kmem *k, uint64_t va, void *buf, size_t len, struct mp_err *err)
{
	uint64_t pa;

	if (!kmem_to_phys(va, &pa) || !gm_contains(k->gm, pa, len))
		return mp_fail(err, MP_EINPUT,
			       "%s: kernel address 0x%llx+0x%zx is not in guest RAM", k->gm->path,
			       (unsigned long long)va, len);
	return gm_read(k->gm, pa, buf, len, err);
}

int kmem_u16(const struct kmem *k, uint64_t va, uint16_t *v, struct mp_err *err)
{
	uint8_t b[2];

	if (kmem_read(k, va, b, sizeof(b), err))
		return -1;
	*v = get_u16(b, k->big_endian);
	return 0;
}

int kmem_u32(const struct kmem *k, uint64_t va, uint32_t *v, struct mp_err *err)
{
	uint8_t b[4];

	if (kmem_read(k, va, b, sizeof(b), err))
		return -1;
	*v = get_u32(b, k->big_endian);
	return 0;
}

int kmem_u64(const struct kmem *k, uint64_t va, uint64_t *v, struct mp_err *err)
{
	uint8_t b[8];

	if (kmem_read(k, va, b, sizeof(b), err))
		return -1;
	*v = get_u64(b, k->big_endian);
	return 0;
}
