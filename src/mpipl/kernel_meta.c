// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel_meta.h"

#include <string.h>

#include "../util/bytes.h"

static void decode_order(const uint8_t *raw, bool be, struct kernel_meta *m)
{
	m->version = raw[0];
	m->region_cnt = get_u16(raw + 4, be);
	m->registered_regions = get_u16(raw + 6, be);
	m->fadumphdr_addr = get_u64(raw + 8, be);
	for (unsigned i = 0; i < FADUMP_MAX_REGIONS; i++) {
		const uint8_t *r = raw + 16 + i * 24;

		m->rgn[i].src = get_u64(r, be);
		m->rgn[i].dest = get_u64(r + 8, be);
		m->rgn[i].size = get_u64(r + 16, be);
	}
}

static bool counts_plausible(const uint8_t *raw, bool be)
{
	uint16_t cnt = get_u16(raw + 4, be), reg = get_u16(raw + 6, be);

	return cnt >= 1 && cnt <= FADUMP_MAX_REGIONS && reg <= cnt;
}

int kernel_meta_decode(const uint8_t raw[KERNEL_META_SIZE], uint64_t addr, struct kernel_meta *m,
		       struct findings *f, struct mp_err *err)
{
	bool be = true;

	memset(m, 0, sizeof(*m));
	m->addr = addr;
	if (!counts_plausible(raw, true) && counts_plausible(raw, false)) {
		be = false;
		findings_add(f, FINDING_WARNING, "kernel-meta-native-le", "mpipl.md 5.2",
			     "kernel metadata at 0x%llx is little-endian: a kernel from before the "
			     "2022 cross-endian fix",
			     (unsigned long long)addr);
	}
	m->native_le = !be;
	decode_order(raw, be, m);
	if (m->version != KERNEL_META_VERSION)
		findings_add(f, FINDING_WARNING, "kernel-meta-version", "mpipl.md 8",
			     "kernel metadata version is %u, expected %u", m->version,
			     KERNEL_META_VERSION);
	if (m->region_cnt > FADUMP_MAX_REGIONS)
		return mp_fail(err, MP_EINPUT,
			       "kernel metadata at 0x%llx: region_cnt %u exceeds the kernel's %u "
			       "regions (its arrays would overflow)",
			       (unsigned long long)addr, m->region_cnt, FADUMP_MAX_REGIONS);
	if (m->registered_regions == 0)
		findings_add(f, FINDING_WARNING, "kernel-not-registered", "mpipl.md 8",
			     "kernel metadata has registered_regions = 0: fadump is not active");
	else if (m->region_cnt > m->registered_regions)
		findings_add(f, FINDING_WARNING, "regions-not-all-saved", "mpipl.md 8",
			     "region_cnt %u > registered_regions %u: not all memory regions were "
			     "saved (the kernel warns and still exports them)",
			     m->region_cnt, m->registered_regions);
	return 0;
}

int kernel_meta_read(struct guest_mem *gm, uint64_t addr, struct kernel_meta *m,
		     struct findings *f, struct mp_err *err)
{
	uint8_t raw[KERNEL_META_SIZE];

	if (gm_read(gm, addr, raw, sizeof(raw), err))
		return mp_wrap(err, "kernel metadata (KERNEL tag) at 0x%llx",
			       (unsigned long long)addr);
	return kernel_meta_decode(raw, addr, m, f, err);
}

int fadump_config_derive(const struct kernel_meta *m, struct fadump_config *c,
			 struct mp_err *err)
{
	uint64_t last_end = 0;

	memset(c, 0, sizeof(*c));
	if (m->region_cnt == 0)
		return mp_fail(err, MP_EINPUT, "kernel metadata lists no regions");
	c->dest_base = m->rgn[0].dest;
	for (unsigned i = 0; i < m->region_cnt; i++) {
		const struct fadump_region *r = &m->rgn[i];
		uint64_t end;

		if (!add_u64_ok(r->src, r->size, &end) ||
		    !add_u64_ok(c->boot_mem_size, r->size, &c->boot_mem_size))
			return mp_fail(err, MP_EINPUT,
				       "kernel metadata region %u (0x%llx+0x%llx) overflows 64 bits",
				       i, (unsigned long long)r->src, (unsigned long long)r->size);
		if (r->src < last_end)
			return mp_fail(err, MP_EINPUT,
				       "kernel metadata region %u starts at 0x%llx, below the end "
				       "0x%llx of the previous one",
				       i, (unsigned long long)r->src, (unsigned long long)last_end);
		c->hole += r->src - last_end;
		last_end = end;
	}
	if (!add_u64_ok(c->boot_mem_size, c->hole, &c->boot_mem_top))
		return mp_fail(err, MP_EINPUT, "kernel metadata: boot memory top overflows");
	return 0;
}
