// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the readers of src/linux (make fuzz): the bytes up
 * to the first NUL are a VMCOREINFO text, the rest is guest RAM at address
 * 0 (kernel virtual 0xc000000000000000). Whatever the fields say (absurd
 * sizes, rings and tables outside RAM, cut kallsyms), the readers must fail
 * with a message or give a partial answer: no crash, leak, overflow or hang.
 * The RAM is also scanned for a VMCOREINFO page of its own. The unit tests'
 * tiny kernel is the seed (MPIPL_FUZZ_LINUX_CORPUS, tests/unit/test_linux.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/linux/crash.h"
#include "../../src/linux/dmesg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The RAM: the input's bytes, then zeros up to this size. */
#define RAM_SIZE (4u << 20)

static char line[DMESG_LINE_MAX];
static uint8_t ram[RAM_SIZE];

static int format(const struct printk_record *r, void *ctx)
{
	(void)ctx;
	dmesg_format_text(r, line);
	dmesg_format_json(r, line);
	return 0;
}

static void read_everything(struct guest_mem *gm, const struct vmcoreinfo *vi)
{
	struct kmem k = { gm, vi->big_endian };
	struct printk_stats st;
	struct kallsyms ks;
	struct mp_err err;
	char sym[LINUX_SYM_MAX];

	if (printk_walk(&k, vi, format, NULL, &st, &err) && !err.msg[0])
		abort();
	if (kallsyms_load(&ks, &k, vi, &err) == 0) {
		for (uint64_t a = KMEM_LINEAR_BASE; a < KMEM_LINEAR_BASE + 0x10000; a += 0x1111)
			kallsyms_symbolize(&ks, a, sym, sizeof(sym));
		kallsyms_lookup(&ks, "panic_cpu", &(uint64_t){ 0 });
		kallsyms_free(&ks);
	} else if (!err.msg[0]) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t text_len = nul ? (size_t)(nul - data) : size;
	size_t ram_len = nul ? size - text_len - 1 : 0;
	struct guest_mem *gm;
	struct gm_backing *b;
	struct vmcoreinfo vi;
	struct mp_err err;

	if (ram_len > RAM_SIZE)
		return 0;
	memset(ram, 0, sizeof(ram));
	if (ram_len)
		memcpy(ram, nul + 1, ram_len);
	gm = gm_new("fuzz", "fuzz", &err);
	b = gm ? gm_backing_mem_new(ram, sizeof(ram), &err) : NULL;
	if (!b || gm_add_range(gm, 0, sizeof(ram), "ram", b, 0, &err))
		abort();
	gm_backing_put(b);
	if (vmci_from_text((const char *)data, text_len, VMCI_FILE, 0, &vi, &err) == 0) {
		vmci_validate(gm, &vi);
		read_everything(gm, &vi);
		vmci_free(&vi);
	}
	if (vmci_scan_ram(gm, &vi, &err) == 0) {
		read_everything(gm, &vi);
		vmci_free(&vi);
	}
	gm_free(gm);
	return 0;
}
