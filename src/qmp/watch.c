// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The crash, seen from guest RAM (mpipl.md 5 and 6): skiboot's metadata
 * holds the KERNEL tag once Linux registered; the tag points to the
 * kernel's opal_fadump_mem_struct, whose fadumphdr_addr is the crash info
 * header. Linux writes the magic at registration with crashing_cpu =
 * 0xffffffff, and the crashing CPU's id there in crash_fadump() just before
 * it asks skiboot for the MPIPL (arch/powerpc/kernel/fadump.c).
 */
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "physmem.h"
#include "../mpipl/crashinfo.h"
#include "../mpipl/hdat.h"
#include "../mpipl/kernel_meta.h"
#include "../mpipl/tables.h"
#include "../util/bytes.h"

/* crashing_cpu's offset: FADMPSIG after magic and version, FADMPINF after elfcorehdr_addr. */
#define SIG_CPU_OFF 12u
#define INF_CPU_OFF 16u
/* The header's fixed part plus 4 KiB of pt_regs: what crash_info_decode may need. */
#define HDR_READ (40u + PT_REGS_MAX)

void fadump_watch_init(struct fadump_watch *w, uint64_t base)
{
	memset(w, 0, sizeof(*w));
	w->base = base;
	w->metadata = base + METADATA_OFF;
}

static int read_metadata(struct qmp *q, const struct fadump_watch *w,
			 struct skiboot_metadata *m, struct mp_err *err)
{
	uint8_t raw[SKIBOOT_METADATA_SIZE];

	if (physmem_read(q, w->metadata, raw, sizeof(raw), err))
		return mp_wrap(err, "skiboot's MPIPL metadata");
	skiboot_metadata_decode(raw, m);
	return 0;
}

static int read_header(struct qmp *q, struct fadump_watch *w, struct mp_err *err)
{
	uint8_t raw[HDR_READ];
	struct crash_info ci;

	if (physmem_read(q, w->hdr_addr, raw, sizeof(raw), err) ||
	    crash_info_decode(raw, sizeof(raw), w->hdr_addr, KERNEL_ENDIAN_AUTO, NULL, &ci, err))
		return -1;
	w->big_endian = ci.big_endian;
	w->cpu_off = ci.kind == CRASH_HDR_SIG ? SIG_CPU_OFF : INF_CPU_OFF;
	return 0;
}

int fadump_watch_registration(struct qmp *q, struct fadump_watch *w, struct mp_err *err)
{
	uint8_t raw[KERNEL_META_SIZE];
	struct skiboot_metadata m;
	struct findings f = { 0 };
	struct kernel_meta km;
	int rc;

	if (read_metadata(q, w, &m, err))
		return -1;
	if (!m.kernel_tag)
		return 0;
	if (physmem_read(q, m.kernel_tag, raw, sizeof(raw), err))
		return mp_wrap(err, "the kernel's fadump metadata (KERNEL tag)");
	rc = kernel_meta_decode(raw, m.kernel_tag, &km, &f, err);
	findings_free(&f);
	if (rc)
		return -1;
	/* Registered regions drop to 0 when the kernel unregisters. */
	if (!km.registered_regions || !km.fadumphdr_addr)
		return 0;
	w->kernel_tag = m.kernel_tag;
	w->hdr_addr = km.fadumphdr_addr;
	w->pir_before = m.crashing_pir;
	if (read_header(q, w, err))
		return -1;
	w->registered = true;
	return 1;
}

int fadump_watch_crashed(struct qmp *q, const struct fadump_watch *w, uint32_t *cpu,
			 struct mp_err *err)
{
	uint8_t raw[4];

	if (physmem_read(q, w->hdr_addr + w->cpu_off, raw, sizeof(raw), err))
		return -1;
	*cpu = get_u32(raw, w->big_endian);
	return *cpu != CRASHING_CPU_UNKNOWN;
}

int fadump_watch_skiboot_saw(struct qmp *q, const struct fadump_watch *w, uint32_t *pir,
			     struct mp_err *err)
{
	struct skiboot_metadata m;

	if (read_metadata(q, w, &m, err))
		return -1;
	*pir = m.crashing_pir;
	return m.crashing_pir != w->pir_before;
}

int console_watch_open(struct console_watch *c, const char *path, struct mp_err *err)
{
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0)
		return mp_fail_errno(err, "%s: cannot open the console log", path);
	return 0;
}

void console_watch_close(struct console_watch *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Index of the first needle in text, -1 when none. */
static int find_needle(const char *text, size_t len, const char *const *needles, int n)
{
	for (int i = 0; i < n; i++)
		if (memmem(text, len, needles[i], strlen(needles[i])))
			return i;
	return -1;
}

int console_watch_poll(struct console_watch *c, const char *const *needles, int n,
		       struct mp_err *err)
{
	char buf[65536];
	size_t keep;

	for (;;) {
		ssize_t r = pread(c->fd, buf + c->tail_len, sizeof(buf) - c->tail_len,
				  (off_t)c->off);
		int hit;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			mp_fail_errno(err, "%s: reading the console log", c->path);
			return -2;
		}
		if (r == 0)
			return -1;
		memcpy(buf, c->tail, c->tail_len);
		c->off += (uint64_t)r;
		hit = find_needle(buf, c->tail_len + (size_t)r, needles, n);
		if (hit >= 0)
			return hit;
		/* Keep the end: a needle may be split between two reads. */
		keep = c->tail_len + (size_t)r;
		if (keep > sizeof(c->tail))
			keep = sizeof(c->tail);
		memcpy(c->tail, buf + c->tail_len + (size_t)r - keep, keep);
		c->tail_len = keep;
	}
}
