// SPDX-License-Identifier: GPL-2.0-or-later
/* Finding and reading the device tree skiboot gave Linux, in guest RAM. */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "devtree.h"
#include "../util/bytes.h"

#define FDT_MAGIC_VALUE 0xd00dfeedu
#define SCAN_CHUNK (1u << 20)

static uint64_t read_cells(const uint8_t *p, int cells)
{
	return cells == 2 ? get_be64(p) : get_be32(p);
}

static void parse_memory(const void *fdt, struct guest_devtree *dt)
{
	int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0);
	int node;

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return;
	fdt_for_each_subnode(node, fdt, 0) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		const uint8_t *reg;
		int len, stride = 4 * (ac + sc);

		if (!type || strcmp(type, "memory") != 0)
			continue;
		reg = fdt_getprop(fdt, node, "reg", &len);
		for (int at = 0; reg && at + stride <= len && dt->nmemory < DT_MAX_MEMORY;
		     at += stride) {
			uint64_t start = read_cells(reg + at, ac);
			uint64_t size = read_cells(reg + at + 4 * ac, sc), end;

			if (size && add_u64_ok(start, size, &end))
				dt->memory[dt->nmemory++] = (struct ram_range){ start, end };
		}
	}
}

int devtree_parse(const void *fdt, size_t len, struct guest_devtree *dt, struct mp_err *err)
{
	const uint8_t *prop;
	int opal, dump, plen;

	if (len < sizeof(struct fdt_header) || fdt_check_header(fdt) != 0 ||
	    fdt_totalsize(fdt) > len)
		return mp_fail(err, MP_EINPUT, "not a valid flattened device tree");
	opal = fdt_path_offset(fdt, "/ibm,opal");
	if (opal >= 0) {
		prop = fdt_getprop(fdt, opal, "opal-base-address", &plen);
		if (prop && plen == 8) {
			dt->have_opal_base = true;
			dt->opal_base = get_be64(prop);
		}
		prop = fdt_getprop(fdt, opal, "opal-boot-address", &plen);
		if (prop && plen == 8) {
			dt->have_opal_entry = true;
			dt->opal_entry = get_be64(prop);
		}
		dump = fdt_subnode_offset(fdt, opal, "dump");
		dt->dump_node = dump >= 0;
		dt->mpipl_boot = dump >= 0 && fdt_getprop(fdt, dump, "mpipl-boot", NULL) != NULL;
	}
	parse_memory(fdt, dt);
	dt->size = fdt_totalsize(fdt);
	return 0;
}

/* A blob at gpa whose header is plausible and whose tree has /ibm,opal. */
static bool try_blob(struct guest_mem *gm, uint64_t gpa, struct guest_devtree *dt)
{
	uint8_t hdr[sizeof(struct fdt_header)];
	struct guest_devtree cand = { 0 };
	struct mp_err err;
	uint32_t size;
	void *blob;
	bool ok;

	if (gm_read(gm, gpa, hdr, sizeof(hdr), &err) || fdt_check_header(hdr) != 0)
		return false;
	size = fdt_totalsize(hdr);
	if (size > DT_MAX_SIZE || !gm_contains(gm, gpa, size))
		return false;
	blob = malloc(size);
	if (!blob)
		return false;
	ok = gm_read(gm, gpa, blob, size, &err) == 0 &&
	     devtree_parse(blob, size, &cand, &err) == 0 &&
	     fdt_path_offset(blob, "/ibm,opal") >= 0;
	free(blob);
	if (ok) {
		cand.found = true;
		cand.addr = gpa;
		*dt = cand;
	}
	return ok;
}

int devtree_find(struct guest_mem *gm, uint64_t from, uint64_t to, struct guest_devtree *dt,
		 struct mp_err *err)
{
	uint8_t *buf = mp_malloc(SCAN_CHUNK, err);
	uint64_t at = from & ~7ULL;

	if (!buf)
		return -1;
	memset(dt, 0, sizeof(*dt));
	while (at < to) {
		uint64_t data = gm_next_data(gm, at, to), run;
		size_t n;

		at = data & ~7ULL;
		if (at >= to || !gm_contains(gm, at, 8))
			break;
		n = to - at < SCAN_CHUNK ? (size_t)(to - at) : SCAN_CHUNK;
		/*
		 * Up to the next hole only: reading a file's hole fills the page
		 * cache with zeroed pages (4 of the 6 ms of an analysis of a stream
		 * decoded so far). A run too short to scan is read through.
		 */
		run = gm_data_run_end(gm, at, at + n) - at;
		if (run >= 8)
			n = (size_t)run;
		if (gm_ram_run(gm, at) < n)
			n = (size_t)gm_ram_run(gm, at) & ~(size_t)7;
		if (n < 8 || gm_read(gm, at, buf, n, err)) {
			free(buf);
			return n < 8 ? 0 : -1;
		}
		for (size_t k = 0; k + 8 <= n; k += 8)
			if (get_be32(buf + k) == FDT_MAGIC_VALUE && try_blob(gm, at + k, dt)) {
				free(buf);
				return 0;
			}
		at += n;
	}
	free(buf);
	return 0;
}

/* The header is whole and the blob as long as it says (libfdt reads no further than that). */
static int check_blob(const void *blob, size_t len, struct mp_err *err)
{
	int rc;

	if (len < sizeof(struct fdt_header))
		return mp_fail(err, MP_EINPUT,
			       "truncated at byte offset %zu: a flattened device tree header "
			       "needs %zu bytes (%s)",
			       len, sizeof(struct fdt_header), fdt_strerror(-FDT_ERR_TRUNCATED));
	rc = fdt_check_header(blob);
	if (rc)
		return mp_fail(err, MP_EINPUT,
			       "byte offset 0: not a valid flattened device tree (%s)",
			       fdt_strerror(rc));
	if (fdt_totalsize(blob) > len)
		return mp_fail(err, MP_EINPUT,
			       "truncated at byte offset %zu: the header says %u bytes (%s)", len,
			       fdt_totalsize(blob), fdt_strerror(-FDT_ERR_TRUNCATED));
	return 0;
}

int devtree_add_dump_node(const void *blob, size_t len, bool mpipl_boot, void **out,
			  size_t *outlen, struct mp_err *err)
{
	uint8_t area[32];
	size_t size;
	void *fdt;
	int opal, dump, rc;

	if (check_blob(blob, len, err))
		return -1;
	size = fdt_totalsize(blob) + 4096; /* room for one node and three properties */
	fdt = mp_malloc(size, err);
	if (!fdt)
		return -1;
	put_be64(area, FW_LOAD_KERNEL);
	put_be64(area + 8, FW_LOAD_KERNEL_SIZE);
	put_be64(area + 16, FW_LOAD_INITRD);
	put_be64(area + 24, FW_LOAD_INITRD_SIZE);
	rc = fdt_open_into(blob, fdt, (int)size);
	opal = rc ? rc : fdt_path_offset(fdt, "/ibm,opal");
	if (opal == -FDT_ERR_NOTFOUND)
		opal = fdt_add_subnode(fdt, 0, "ibm,opal");
	dump = opal < 0 ? opal : fdt_subnode_offset(fdt, opal, "dump");
	if (dump == -FDT_ERR_NOTFOUND)
		dump = fdt_add_subnode(fdt, opal, "dump");
	rc = dump < 0 ? dump : fdt_setprop_string(fdt, dump, "compatible", "ibm,opal-dump");
	if (rc == 0)
		rc = fdt_setprop(fdt, dump, "fw-load-area", area, sizeof(area));
	if (rc == 0)
		rc = mpipl_boot ? fdt_setprop_u64(fdt, dump, "mpipl-boot", 1)
				: fdt_delprop(fdt, dump, "mpipl-boot");
	if (rc == -FDT_ERR_NOTFOUND)
		rc = 0; /* no mpipl-boot to remove */
	if (rc == 0)
		rc = fdt_pack(fdt);
	if (rc) {
		free(fdt);
		return mp_fail(err, MP_EINPUT, "device tree: %s", fdt_strerror(rc));
	}
	*out = fdt;
	*outlen = fdt_totalsize(fdt);
	return 0;
}
