// SPDX-License-Identifier: GPL-2.0-or-later
/* kallsyms tables read from guest RAM; see kallsyms.h for the layout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"
#include "../util/bytes.h"

/* Most bytes we read for one table (the names of 4M symbols fit in far less). */
#define TABLE_MAX (64u << 20)
/* token_table: 256 short strings; 64 KiB is more than any kernel's. */
#define TOKENS_MAX 65536u

void kallsyms_free(struct kallsyms *ks)
{
	free(ks->addr);
	free(ks->name_off);
	free(ks->names);
	free(ks->tokens);
	memset(ks, 0, sizeof(*ks));
}

/*
 * Read up to want bytes at va, as far as RAM runs; *got is what was read.
 * Fails only when not even one byte is RAM.
 */
static int read_table(const struct kmem *k, uint64_t va, size_t want, uint8_t **out,
		      size_t *got, struct mp_err *err)
{
	uint64_t pa, run;

	*out = NULL;
	*got = 0;
	if (!kmem_to_phys(va, &pa) || (run = gm_ram_run(k->gm, pa)) == 0)
		return mp_fail(err, MP_EINPUT, "%s: kallsyms table at 0x%llx is not in guest RAM",
			       k->gm->path, (unsigned long long)va);
	if (run < want)
		want = (size_t)run;
	*out = mp_malloc(want ? want : 1, err);
	if (!*out || kmem_read(k, va, *out, want, err)) {
		free(*out);
		*out = NULL;
		return -1;
	}
	*got = want;
	return 0;
}

/* Addresses of the first n symbols (fewer when the table is cut). */
static int load_addresses(struct kallsyms *ks, const struct kmem *k,
			  const struct vmcoreinfo *vi, uint32_t n, uint32_t *have,
			  struct mp_err *err)
{
	uint64_t offsets_va, base_va, base = 0;
	bool relative = vmci_symbol(vi, "kallsyms_offsets", &offsets_va) == 0 &&
			vmci_symbol(vi, "kallsyms_relative_base", &base_va) == 0;
	size_t width = relative ? 4 : 8, got;
	uint8_t *raw;

	if (!relative && vmci_symbol(vi, "kallsyms_addresses", &offsets_va))
		return mp_fail(err, MP_ENOTFOUND, "VMCOREINFO names no kallsyms address table");
	if (relative && kmem_u64(k, base_va, &base, err))
		return -1;
	if (read_table(k, offsets_va, (size_t)n * width, &raw, &got, err))
		return -1;
	ks->addr = mp_calloc(n, sizeof(*ks->addr), err);
	if (!ks->addr) {
		free(raw);
		return -1;
	}
	*have = (uint32_t)(got / width);
	for (uint32_t i = 0; i < *have; i++) {
		/* Base-relative without absolute per-CPU symbols (all but x86_64). */
		ks->addr[i] = relative ? base + get_u32(raw + 4 * (size_t)i, k->big_endian)
				       : get_u64(raw + 8 * (size_t)i, k->big_endian);
		if (i && ks->addr[i] < ks->addr[i - 1]) { /* the kernel sorts them: damage */
			*have = i;
			break;
		}
	}
	free(raw);
	return 0;
}

static int load_tokens(struct kallsyms *ks, const struct kmem *k, const struct vmcoreinfo *vi,
		       struct mp_err *err)
{
	uint64_t table_va, index_va;
	uint8_t idx[512];

	if (vmci_symbol(vi, "kallsyms_token_table", &table_va) ||
	    vmci_symbol(vi, "kallsyms_token_index", &index_va))
		return mp_fail(err, MP_ENOTFOUND, "VMCOREINFO names no kallsyms token tables");
	if (kmem_read(k, index_va, idx, sizeof(idx), err))
		return -1;
	for (int i = 0; i < 256; i++)
		ks->token_index[i] = get_u16(idx + 2 * i, k->big_endian);
	return read_table(k, table_va, TOKENS_MAX, (uint8_t **)&ks->tokens, &ks->tokens_len, err);
}

/* Walk the compressed names: the offset of each of the first n; returns how many fit. */
static uint32_t index_names(struct kallsyms *ks, uint32_t n)
{
	size_t off = 0;
	uint32_t i;

	for (i = 0; i < n; i++) {
		size_t len;

		if (off >= ks->names_len)
			break;
		len = ks->names[off];
		ks->name_off[i] = (uint32_t)off;
		if (len & 0x80) { /* a "big" name: 7 low bits here, the rest in the next byte */
			if (off + 1 >= ks->names_len)
				break;
			len = (len & 0x7f) | ((size_t)ks->names[off + 1] << 7);
			off++;
		}
		if (len == 0 || len > ks->names_len - off - 1)
			break;
		off += 1 + len;
	}
	return i;
}

static int load_names(struct kallsyms *ks, const struct kmem *k, const struct vmcoreinfo *vi,
		      uint32_t n, uint32_t *have, struct mp_err *err)
{
	uint64_t names_va, tokens_va;
	size_t want = TABLE_MAX;

	if (vmci_symbol(vi, "kallsyms_names", &names_va))
		return mp_fail(err, MP_ENOTFOUND, "VMCOREINFO names no kallsyms_names");
	/* The names come before the token table in every layout since 2.6: read no further. */
	if (vmci_symbol(vi, "kallsyms_token_table", &tokens_va) == 0 && tokens_va > names_va &&
	    tokens_va - names_va < want)
		want = (size_t)(tokens_va - names_va);
	if (read_table(k, names_va, want, &ks->names, &ks->names_len, err))
		return -1;
	ks->name_off = mp_calloc(n, sizeof(*ks->name_off), err);
	if (!ks->name_off)
		return -1;
	*have = index_names(ks, n);
	return 0;
}

int kallsyms_load(struct kallsyms *ks, const struct kmem *k, const struct vmcoreinfo *vi,
		  struct mp_err *err)
{
	uint64_t num_va;
	uint32_t n, have_addr = 0, have_names = 0;

	memset(ks, 0, sizeof(*ks));
	if (vmci_symbol(vi, "kallsyms_num_syms", &num_va))
		return mp_fail(err, MP_ENOTFOUND,
			       "VMCOREINFO names no kallsyms tables (Linux before 6.0?)");
	if (kmem_u32(k, num_va, &n, err))
		return -1;
	if (n == 0 || n > KALLSYMS_MAX_SYMS)
		return mp_fail(err, MP_EINPUT, "%s: kallsyms_num_syms %u at 0x%llx is absurd",
			       k->gm->path, n, (unsigned long long)num_va);
	ks->num_declared = n;
	if (load_addresses(ks, k, vi, n, &have_addr, err) || load_tokens(ks, k, vi, err) ||
	    load_names(ks, k, vi, n, &have_names, err)) {
		kallsyms_free(ks);
		return -1;
	}
	ks->num = have_addr < have_names ? have_addr : have_names;
	ks->cut = ks->num < n;
	if (ks->num == 0) {
		kallsyms_free(ks);
		return mp_fail(err, MP_EINPUT, "%s: the kallsyms tables hold no readable symbol",
			       k->gm->path);
	}
	return 0;
}

int kallsyms_name(const struct kallsyms *ks, uint32_t i, char *name, size_t len, char *type)
{
	size_t off, n, w = 0;
	bool first = true;

	if (i >= ks->num || len == 0)
		return -1;
	off = ks->name_off[i];
	n = ks->names[off];
	if (n & 0x80)
		n = (n & 0x7f) | ((size_t)ks->names[++off] << 7);
	off++;
	for (size_t t = 0; t < n; t++) {
		size_t at = ks->token_index[ks->names[off + t]];

		for (; at < ks->tokens_len && ks->tokens[at]; at++) {
			if (first) {
				*type = ks->tokens[at];
				first = false;
			} else if (w + 1 < len) {
				name[w++] = ks->tokens[at];
			}
		}
	}
	name[w] = '\0';
	return first ? -1 : 0;
}

int kallsyms_lookup(const struct kallsyms *ks, const char *name, uint64_t *addr)
{
	char buf[KSYM_NAME_MAX], type;

	for (uint32_t i = 0; i < ks->num; i++) {
		if (kallsyms_name(ks, i, buf, sizeof(buf), &type) == 0 && strcmp(buf, name) == 0) {
			*addr = ks->addr[i];
			return 0;
		}
	}
	return -1;
}

int kallsyms_symbolize(const struct kallsyms *ks, uint64_t addr, char *out, size_t len)
{
	uint32_t lo = 0, hi = ks->num, i;
	uint64_t next = 0;
	char name[KSYM_NAME_MAX], type;

	if (ks->num == 0 || addr < ks->addr[0])
		return -1;
	while (hi - lo > 1) { /* last symbol at or below addr */
		uint32_t mid = lo + (hi - lo) / 2;

		if (ks->addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	i = lo;
	/* Aliases share an address: the kernel names the first of them. */
	while (i > 0 && ks->addr[i - 1] == ks->addr[lo])
		i--;
	for (uint32_t j = lo + 1; j < ks->num && !next; j++)
		if (ks->addr[j] > ks->addr[lo])
			next = ks->addr[j];
	if (!next || kallsyms_name(ks, i, name, sizeof(name), &type))
		return -1;
	snprintf(out, len, "%s+0x%llx/0x%llx", name, (unsigned long long)(addr - ks->addr[lo]),
		 (unsigned long long)(next - ks->addr[lo]));
	return 0;
}
