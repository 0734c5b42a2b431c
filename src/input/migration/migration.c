// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QEMU migration stream v3 (spec qemu-inputs.md 3): the header, the
 * configuration section, and the top-level records; `ram` goes to
 * migration_ram.c, `cpu`/`cpu_common` to migration_cpu.c, and every other
 * section is skipped exactly: by its vmdesc length, else by the built-in
 * size table, else by scanning for its footer (spec 3.6).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migration.h"
#include "migration_priv.h"
#include "../../util/bytes.h"

#define QEVM_MAGIC 0x5145564Du /* "QEVM" */
#define QEVM_VERSION 3u

/* Command numbers, [migration/savevm.c] enum qemu_vm_cmd (spec 3.1). */
#define CMD_PACKAGED 7u
#define CMD_SWITCHOVER_START 11u
#define CMD_MAX 11u

/* `ram` section version, stable since 2012 (spec 4). */
#define RAM_VERSION 4u

/* Machine names are short ("powernv10-rainier"); more means a desync. */
#define MACHINE_NAME_MAX 63u
/* QEMU lists at most two capabilities here (spec 3.5); allow for growth. */
#define CAPS_MAX 64u
/* Sections of a machine: a few per vCPU and device; bounds memory on bad input. */
#define SECTIONS_MAX 16384u

/* Longest header that may follow a footer: type, id, str8 idstr, instance, version. */
#define NEXT_HDR_MAX (1 + 4 + 1 + 255 + 4 + 4)

static int read_header(struct mig *g, struct mp_err *err)
{
	uint64_t at = ms_tell(&g->src);
	const uint8_t *p;
	ptrdiff_t n = ms_peek(&g->src, &p, 8, err);
	uint32_t version;

	if (n < 0)
		return -1;
	if (n < 8 || get_be32(p) != QEVM_MAGIC)
		return mp_fail_at(err, MP_EINPUT, g->path, at, "not a QEMU migration stream (no "
				  "QEVM header)");
	version = get_be32(p + 4);
	if (version == 2)
		return mp_fail_at(err, MP_EUNSUPPORTED, g->path, at + 4, "migration stream version "
				  "2 is obsolete (QEMU itself refuses it)");
	if (version != QEVM_VERSION)
		return mp_fail_at(err, MP_EUNSUPPORTED, g->path, at + 4, "unsupported migration "
				  "stream version %u", version);
	return ms_skip(&g->src, 8, "stream header", err);
}

/*
 * The stream's next byte, left in the stream: 1 with *b set, 0 at its end,
 * -1 on a read error.
 */
static int peek_byte(struct mig *g, uint8_t *b, struct mp_err *err)
{
	const uint8_t *p;
	ptrdiff_t n = ms_peek(&g->src, &p, 1, err);

	if (n <= 0)
		return n < 0 ? -1 : 0;
	*b = p[0];
	return 1;
}

static int read_str8(struct mig *g, char *out, const char *what, struct mp_err *err)
{
	uint8_t len;

	if (ms_u8(&g->src, &len, what, err) || ms_read(&g->src, out, len, what, err))
		return -1;
	out[len] = '\0';
	return 0;
}

static int read_capabilities(struct mig *g, struct mp_err *err)
{
	uint64_t at = ms_tell(&g->src);
	uint32_t count;
	char name[256];

	if (ms_be32(&g->src, &count, "capability count", err))
		return -1;
	if (count > CAPS_MAX)
		return mp_fail_at(err, MP_EINPUT, g->path, at, "configuration lists an implausible "
				  "number of capabilities");
	for (uint32_t i = 0; i < count; i++) {
		if (read_str8(g, name, "capability name", err))
			return -1;
		if (strcmp(name, "mapped-ram") == 0)
			g->cap_mapped_ram = true;
		else if (strcmp(name, "x-ignore-shared") == 0)
			g->cap_ignore_shared = true;
		else if (gm_add_note(g->gm, err, "stream lists capability '%s' (not used here)",
				     name))
			return -1;
	}
	return 0;
}

/* One configuration subsection (spec 3.5); its 0x05 has been read. */
static int read_config_subsection(struct mig *g, uint64_t at, struct mp_err *err)
{
	char name[256];
	uint32_t version, bits;

	if (read_str8(g, name, "configuration subsection name", err) ||
	    ms_be32(&g->src, &version, "configuration subsection version", err))
		return -1;
	if (strcmp(name, "configuration/capabilities") == 0 && version == 1)
		return read_capabilities(g, err);
	if (strcmp(name, "configuration/uuid") == 0 && version == 1)
		return ms_skip(&g->src, 16, "configuration uuid", err);
	if (strcmp(name, "configuration/target-page-bits") == 0 && version == 1) {
		if (ms_be32(&g->src, &bits, "target page bits", err))
			return -1;
		if (bits != 12)
			return mp_fail_at(err, MP_EUNSUPPORTED, g->path, at, "target page size is "
					  "not 4 KiB: not a ppc64 stream");
		return 0;
	}
	return mp_fail_at(err, MP_EUNSUPPORTED, g->path, at,
			  "unknown configuration subsection '%s' version %u (newer QEMU?): "
			  "cannot read past it",
			  name, version);
}

static bool is_record_type(uint8_t t)
{
	return t == MIG_EOF || t == MIG_SECTION_START || t == MIG_SECTION_FULL ||
	       t == MIG_COMMAND;
}

static int read_configuration(struct mig *g, struct mp_err *err)
{
	uint64_t at = ms_tell(&g->src);
	int n;
	uint8_t b;
	uint32_t len;

	n = peek_byte(g, &b, err);
	if (n < 0)
		return -1;
	if (n == 0)
		return mp_fail_at(err, MP_EINPUT, g->path, at,
				  "stream ends right after its header");
	if (b != MIG_CONFIGURATION) {
		if (!is_record_type(b))
			return mp_fail_at(err, MP_EINPUT, g->path, at, "no configuration section "
					  "and no valid record after the header");
		return gm_add_note(g->gm, err,
				   "configuration section missing (send-configuration=off): "
				   "capabilities unknown, assumed none");
	}
	if (ms_skip(&g->src, 1, "configuration", err) ||
	    ms_be32(&g->src, &len, "machine name length", err))
		return -1;
	if (len == 0 || len > MACHINE_NAME_MAX)
		return mp_fail_at(err, MP_EINPUT, g->path, at + 1, "implausible machine name "
				  "length");
	if (ms_read(&g->src, g->machine, len, "machine name", err))
		return -1;
	g->machine[len] = '\0';
	g->have_config = true;
	for (;;) {
		uint64_t sub_at = ms_tell(&g->src);

		n = peek_byte(g, &b, err);
		if (n < 0)
			return -1;
		if (n == 0 || b != MIG_SUBSECTION)
			break;
		if (ms_skip(&g->src, 1, "subsection", err) ||
		    read_config_subsection(g, sub_at, err))
			return -1;
	}
	if (strncmp(g->machine, "powernv", 7) != 0)
		return gm_add_note(g->gm, err,
				   "machine type '%s' is not a PowerNV machine: RAM mapping guessed",
				   g->machine);
	return 0;
}

static struct mig_section *find_section(struct mig *g, uint32_t id)
{
	for (size_t i = 0; i < g->nsecs; i++)
		if (g->secs[i].id == id)
			return &g->secs[i];
	return NULL;
}

/* START/FULL header after the type byte (spec 3). */
static int read_section_header(struct mig *g, struct mig_section *sec, struct mp_err *err)
{
	uint64_t at = ms_tell(&g->src);
	struct mig_section *known, *secs;

	if (ms_be32(&g->src, &sec->id, "section id", err) ||
	    read_str8(g, sec->idstr, "section id string", err) ||
	    ms_be32(&g->src, &sec->instance, "section instance id", err) ||
	    ms_be32(&g->src, &sec->version, "section version", err))
		return -1;
	if (!sec->idstr[0])
		return mp_fail_at(err, MP_EINPUT, g->path, at + 4, "section id string of length 0");
	known = find_section(g, sec->id);
	if (known) {
		*known = *sec;
		return 0;
	}
	if (g->nsecs >= SECTIONS_MAX)
		return mp_fail_at(err, MP_EINPUT, g->path, at, "too many sections");
	secs = mp_reallocarray(g->secs, g->nsecs + 1, sizeof(*secs), err);
	if (!secs)
		return -1;
	g->secs = secs;
	secs[g->nsecs++] = *sec;
	return 0;
}

static int read_footer(struct mig *g, const struct mig_section *sec, struct mp_err *err)
{
	uint64_t at = ms_tell(&g->src);
	uint8_t f[5];

	if (ms_read(&g->src, f, sizeof(f), "section footer", err))
		return -1;
	if (f[0] != MIG_FOOTER || get_be32(f + 1) != sec->id)
		return mp_fail_at(err, MP_EINPUT, g->path, at, "section '%s' (id %u) is not "
				  "followed by its footer (found %02x %08x): stream out of step",
				  sec->idstr, sec->id, f[0], get_be32(f + 1));
	return 0;
}

/* Whether a footer of section id sits at stream offset pos. */
static int footer_at(struct mig *g, uint64_t pos, uint32_t id, bool *yes, struct mp_err *err)
{
	uint8_t f[5];
	ptrdiff_t n = ms_pread(&g->src, f, sizeof(f), pos, err);

	if (n < 0)
		return -1;
	*yes = n == 5 && f[0] == MIG_FOOTER && get_be32(f + 1) == id;
	return 0;
}

static bool printable(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7E)
			return false;
	return true;
}

/* Whether the bytes h[0..n) at stream offset q can start a top-level record. */
static bool plausible_record(struct mig *g, const uint8_t *h, size_t n, uint64_t q)
{
	if (n == 0)
		return false;
	switch (h[0]) {
	case MIG_EOF:
		return q + 1 == g->src.end || (n >= 2 && h[1] == MIG_VMDESC);
	case MIG_SECTION_START:
	case MIG_SECTION_FULL:
		return n >= 6 && h[5] >= 1 && n >= 6u + h[5] + 8 && printable(h + 6, h[5]);
	case MIG_SECTION_PART:
	case MIG_SECTION_END:
		return n >= 5 && find_section(g, get_be32(h + 1)) != NULL;
	case MIG_COMMAND:
		return n >= 5 && get_be16(h + 1) >= 1 && get_be16(h + 1) <= CMD_MAX;
	default:
		return false;
	}
}

/*
 * Last resort (spec 3.6 step 3): the first 0x7E + be32(id) at or after from
 * that is followed by a plausible record. *pos = its offset, or end if none.
 */
static int footer_scan(struct mig *g, uint64_t from, uint32_t id, uint64_t *pos,
		       struct mp_err *err)
{
	enum { CHUNK = 64 << 10 };
	uint8_t *buf = mp_malloc(CHUNK, err);
	uint8_t next[5 + NEXT_HDR_MAX];
	int rc = -1;

	if (!buf)
		return -1;
	*pos = g->src.end;
	for (uint64_t at = from; at < g->src.end; at += CHUNK) {
		ptrdiff_t n = ms_pread(&g->src, buf, CHUNK, at, err);
		const uint8_t *hit = buf;

		if (n < 0)
			goto out;
		while ((hit = memchr(hit, MIG_FOOTER, (size_t)(buf + n - hit)))) {
			uint64_t cand = at + (uint64_t)(hit - buf);
			ptrdiff_t m;

			/* Cheap test first: the id, when it is inside this chunk. */
			if (buf + n - hit >= 5 && get_be32(hit + 1) != id) {
				hit++;
				continue;
			}
			m = ms_pread(&g->src, next, sizeof(next), cand, err);

			if (m < 0)
				goto out;
			if (m >= 5 && get_be32(next + 1) == id &&
			    plausible_record(g, next + 5, (size_t)m - 5, cand + 5)) {
				*pos = cand;
				rc = 0;
				goto out;
			}
			hit++;
		}
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

static void note_scanned(struct mig *g, const char *idstr)
{
	size_t len = strlen(g->scanned), room = sizeof(g->scanned) - 5; /* for ", ..." */

	if (strstr(g->scanned, idstr) || strstr(g->scanned, ", ..."))
		return;
	if (len + 2 + strlen(idstr) >= room) {
		snprintf(g->scanned + len, sizeof(g->scanned) - len, ", ...");
		return;
	}
	snprintf(g->scanned + len, sizeof(g->scanned) - len, "%s%s", len ? ", " : "", idstr);
}

/* Try the vmdesc length of a FULL section; *done when it led to the footer. */
static int skip_by_vmdesc(struct mig *g, const struct mig_section *sec, uint64_t start,
			  bool *done, struct mp_err *err)
{
	const struct vmdesc_dev *d = vmdesc_find(g->vmdesc, sec->idstr, sec->instance);
	uint64_t here = ms_tell(&g->src), end;

	*done = false;
	if (!d)
		return 0;
	if (d->body_len >= here - start && add_u64_ok(start, d->body_len, &end)) {
		if (footer_at(g, end, sec->id, done, err))
			return -1;
		if (*done)
			return ms_seek(&g->src, end, err);
	}
	if (g->vmdesc_mismatch_noted)
		return 0;
	g->vmdesc_mismatch_noted = true;
	return gm_add_note(g->gm, err,
			   "vmdesc length of section '%s' instance %u (%llu bytes) does not end at "
			   "its footer: skipped by other means",
			   sec->idstr, sec->instance, (unsigned long long)d->body_len);
}

int mig_skip_rest(struct mig *g, const struct mig_section *sec, uint64_t start,
		  bool described, struct mp_err *err)
{
	uint64_t here = ms_tell(&g->src), len, pos;
	bool done = false;
	int rc;

	if (!g->vmdesc_tried) {
		g->vmdesc_tried = true;
		if (vmdesc_locate(&g->src, &g->vmdesc, &g->vmdesc_why, err))
			return -1;
	}
	if (described && g->vmdesc && skip_by_vmdesc(g, sec, start, &done, err))
		return -1;
	if (done) {
		g->skipped[SKIP_VMDESC]++;
		return 0;
	}
	if (described && cpu_table_knows(sec->idstr)) {
		rc = cpu_table_subsections(g, sec, here, &len, err);
		if (rc < 0)
			return -1;
		if (rc == 0 && footer_at(g, here + len, sec->id, &done, err))
			return -1;
		if (done) {
			g->skipped[SKIP_TABLE]++;
			return ms_seek(&g->src, here + len, err);
		}
	}
	if (footer_scan(g, here, sec->id, &pos, err))
		return -1;
	if (pos == g->src.end)
		return mp_fail_at(err, MP_EINPUT, g->path, here, "cannot find the end of section "
				  "'%s' instance %u (id %u): %s, and no footer found", sec->idstr,
				  sec->instance, sec->id,
				  g->vmdesc ? "not in the vmdesc" : "no usable vmdesc");
	g->skipped[SKIP_SCAN]++;
	note_scanned(g, sec->idstr);
	return ms_seek(&g->src, pos, err);
}

static bool is_ram(const struct mig_section *sec)
{
	return strcmp(sec->idstr, "ram") == 0;
}

static int section_body(struct mig *g, const struct mig_section *sec, bool full_or_start,
			struct mp_err *err)
{
	uint64_t start = ms_tell(&g->src);

	if (is_ram(sec)) {
		if (full_or_start && sec->version != RAM_VERSION) {
			return mp_fail_at(err, MP_EUNSUPPORTED, g->path, start - 4,
					  "ram section version %u (only %u exists)", sec->version,
					  RAM_VERSION);
		}
		return ram_load_body(g, err);
	}
	/* Device state needs look-ahead: from here on read a seekable copy. */
	if (ms_make_seekable(&g->src, err))
		return -1;
	if (full_or_start && strcmp(sec->idstr, "cpu") == 0)
		return cpu_section_load(g, sec, err) ? -1 : mig_skip_rest(g, sec, start, true, err);
	if (full_or_start && strcmp(sec->idstr, "cpu_common") == 0)
		return cpu_common_section_load(g, err) ? -1 : mig_skip_rest(g, sec, start, true, err);
	/* PART/END of another iterable section: the vmdesc does not describe them. */
	return mig_skip_rest(g, sec, start, full_or_start, err);
}

static int command(struct mig *g, uint64_t at, struct mp_err *err)
{
	uint16_t cmd, len;
	uint32_t packaged;

	if (ms_be16(&g->src, &cmd, "command number", err) ||
	    ms_be16(&g->src, &len, "command length", err))
		return -1;
	if (cmd == CMD_SWITCHOVER_START && len == 0)
		return 0; /* written by every 10.0+ `migrate` before ram END */
	g->commands_skipped++;
	if (cmd == CMD_PACKAGED && len == 4) {
		/* be32 L, then L bytes of a nested stream not counted in len. */
		if (ms_be32(&g->src, &packaged, "packaged length", err) ||
		    ms_skip(&g->src, packaged, "packaged data", err))
			return -1;
		return gm_add_note(g->gm, err,
				   "byte offset %llu: packaged (postcopy) command of %u bytes "
				   "skipped",
				   (unsigned long long)at, packaged);
	}
	if (ms_skip(&g->src, len, "command data", err))
		return -1;
	return gm_add_note(g->gm, err, "byte offset %llu: command %u (%u bytes) skipped",
			   (unsigned long long)at, cmd, len);
}

/* After EOF: the optional vmdesc, then nothing (spec 3.3). */
static int after_eof(struct mig *g, struct mp_err *err)
{
	uint64_t at = ms_tell(&g->src);
	uint8_t b;
	int n = peek_byte(g, &b, err);
	uint32_t len;

	if (n < 0)
		return -1;
	if (n == 0) {
		/* When sections were skipped, the summary says how instead. */
		return g->vmdesc_tried ? 0 : gm_add_note(g->gm, err, "no vmdesc after the EOF record");
	}
	if (b != MIG_VMDESC)
		return gm_add_note(g->gm, err,
				   "byte offset %llu: data after the EOF record is not a vmdesc: "
				   "ignored",
				   (unsigned long long)at);
	if (ms_skip(&g->src, 1, "vmdesc", err) || ms_be32(&g->src, &len, "vmdesc length", err) ||
	    ms_skip(&g->src, len, "vmdesc", err))
		return -1;
	n = peek_byte(g, &b, err);
	if (n < 0)
		return -1;
	if (n > 0)
		return gm_add_note(g->gm, err, "byte offset %llu: data after the vmdesc ignored",
				   (unsigned long long)ms_tell(&g->src));
	return 0;
}

static int read_records(struct mig *g, struct mp_err *err)
{
	for (;;) {
		uint64_t at = ms_tell(&g->src);
		struct mig_section sec, *known;
		uint8_t type;
		uint32_t id;
		if (ms_u8(&g->src, &type, "record type (the stream has no EOF record)", err))
			return -1;
		switch (type) {
		case MIG_EOF:
			return after_eof(g, err);
		case MIG_SECTION_START:
		case MIG_SECTION_FULL:
			memset(&sec, 0, sizeof(sec));
			if (read_section_header(g, &sec, err) || section_body(g, &sec, true, err) ||
			    read_footer(g, &sec, err))
				return -1;
			break;
		case MIG_SECTION_PART:
		case MIG_SECTION_END:
			if (ms_be32(&g->src, &id, "section id", err))
				return -1;
			known = find_section(g, id);
			if (!known) {
				return mp_fail_at(err, MP_EINPUT, g->path, at,
						  "section part for id %u, which no section start "
						  "announced",
						  id);
			}
			sec = *known;
			if (section_body(g, &sec, false, err) || read_footer(g, &sec, err))
				return -1;
			break;
		case MIG_COMMAND:
			if (command(g, at, err))
				return -1;
			break;
		default:
			return mp_fail_at(err, MP_EINPUT, g->path, at,
					  "unknown record type 0x%02x (stream out of step?)", type);
		}
	}
}

static int add_summary_notes(struct mig *g, struct mp_err *err)
{
	uint64_t total = g->skipped[SKIP_VMDESC] + g->skipped[SKIP_TABLE] + g->skipped[SKIP_SCAN];

	if (total == 0)
		return 0;
	if (!g->vmdesc &&
	    gm_add_note(g->gm, err, "vmdesc not used: %s",
			g->vmdesc_why ? g->vmdesc_why : "not found"))
		return -1;
	if (gm_add_note(g->gm, err,
			"device sections skipped: %llu by vmdesc length, %llu by the built-in "
			"size table, %llu by footer scan",
			(unsigned long long)g->skipped[SKIP_VMDESC],
			(unsigned long long)g->skipped[SKIP_TABLE],
			(unsigned long long)g->skipped[SKIP_SCAN]))
		return -1;
	if (g->scanned[0] && gm_add_note(g->gm, err, "sections skipped by footer scan: %s",
					 g->scanned))
		return -1;
	return 0;
}

static void set_format(struct mig *g, struct instream *s, const char *container)
{
	struct guest_mem *gm = g->gm;
	size_t n;

	snprintf(gm->format, sizeof(gm->format), "QEMU migration stream%s%s%s%s",
		 g->machine[0] ? " (" : "", g->machine, g->machine[0] ? ")" : "",
		 g->cap_mapped_ram ? ", mapped-ram" : "");
	n = strlen(gm->format);
	if (container)
		snprintf(gm->format + n, sizeof(gm->format) - n, ", in a %s", container);
	n = strlen(gm->format);
	snprintf(gm->format + n, sizeof(gm->format) - n, "%s", instream_compressed_suffix(s));
}

static void mig_cleanup(struct mig *g)
{
	ram_free(&g->ram);
	ms_close(&g->src);
	vmdesc_free(g->vmdesc);
	free(g->vmdesc_why);
	free(g->secs);
	free(g->cpus);
	free(g->cpu_ids);
	gm_free(g->gm);
}

/*
 * --salvage: reading stopped at a defect of the input itself, after the RAM
 * block list. Keep the pages and vCPUs read so far and say what was lost.
 */
static int salvage(struct mig *g, const struct mp_err *why, struct mp_err *err)
{
	if (why->status != MP_EINPUT || !g->ram.have_list)
		return -1;
	if (gm_set_salvaged(g->gm, err,
			    "%s; kept what came before: %zu vCPU(s), RAM pages not yet sent read "
			    "as zero",
			    why->msg, g->ncpus))
		return -1;
	return gm_add_note(g->gm, err, "salvaged: %s", g->gm->salvaged_why);
}

/* Without --salvage: a stream cut short after its block list says that it could be kept. */
static void hint_salvage(const struct mig *g, struct mp_err *err)
{
	size_t n = strlen(err->msg);

	if (err->status == MP_EINPUT && g->ram.have_list && strstr(err->msg, "truncated at"))
		snprintf(err->msg + n, sizeof(err->msg) - n,
			 "; --salvage keeps what was read before the cut");
}

struct guest_mem *migration_read(struct instream *s, uint64_t start, const char *container,
				 const struct input_opts *o, struct mp_err *err)
{
	struct mig g;
	struct guest_mem *gm = NULL;

	memset(&g, 0, sizeof(g));
	g.path = instream_path(s);
	g.tmpdir = o->tmpdir;
	g.ram_file_offset = o->ram_file_offset;
	g.ram.tfd = -1;
	g.ram.last = -1;
	place_init(&g.ram.place, &g, o);
	g.src.fd = -1;
	if (ms_open(&g.src, s, start, o->tmpdir, err))
		goto out;
	g.gm = gm_new(g.path, "QEMU migration stream", err);
	if (!g.gm || read_header(&g, err) || read_configuration(&g, err))
		goto out;
	/* mapped-ram offsets point anywhere in the file: read a seekable copy. */
	if (g.cap_mapped_ram && ms_make_seekable(&g.src, err))
		goto out;
	if (read_records(&g, err)) {
		if (!(o && o->salvage)) {
			hint_salvage(&g, err);
			goto out;
		}
		if (salvage(&g, err, err))
			goto out;
	}
	if (ram_finish(&g, err) || cpu_finish(&g, err) || add_summary_notes(&g, err))
		goto out;
	set_format(&g, s, container);
	gm = g.gm;
	g.gm = NULL;
out:
	mig_cleanup(&g);
	return gm;
}

static enum input_probe migration_probe(const uint8_t *head, size_t len, const char *path,
					 struct mp_err *err)
{
	static const uint8_t magic[4] = { 'Q', 'E', 'V', 'M' }; /* QEVM_MAGIC, big-endian */

	return input_probe_magic(head, len, magic, sizeof(magic), "QEMU migration stream", path,
				 err);
}

/* A whole file-stream header: magic, version 3 and the configuration section. */
static bool header_at(const uint8_t *p, size_t len)
{
	return len >= 9 && get_be32(p) == QEVM_MAGIC && get_be32(p + 4) == QEVM_VERSION &&
	       p[8] == MIG_CONFIGURATION;
}

int migration_find_offset(struct instream *s, uint64_t *off, struct mp_err *err)
{
	uint8_t *head = mp_malloc(INSTREAM_PEEK_MAX, err);
	ptrdiff_t n;
	int found = 0;

	if (!head)
		return -1;
	n = instream_peek(s, head, INSTREAM_PEEK_MAX, err);
	if (n < 0)
		found = -1;
	for (const uint8_t *p = head; n > 0 && p < head + n; p++) {
		p = memchr(p, 'Q', (size_t)(head + n - p));
		if (!p)
			break;
		if (header_at(p, (size_t)(head + n - p))) {
			*off = instream_tell(s) + (uint64_t)(p - head);
			found = 1;
			break;
		}
	}
	free(head);
	return found;
}

struct guest_mem *migration_read_at(struct instream *s, uint64_t start, bool found,
				    const struct input_opts *o, struct mp_err *err)
{
	char container[96];
	struct guest_mem *gm;

	snprintf(container, sizeof(container), "file at byte offset %llu",
		 (unsigned long long)start);
	gm = migration_read(s, start, start ? container : NULL, o, err);
	if (gm && found &&
	    gm_add_note(gm, err,
			"no format starts at byte 0, but a migration stream starts at byte "
			"offset %llu (QEMU's migrate file:PATH,offset=%llu); the bytes before "
			"it are not read",
			(unsigned long long)start, (unsigned long long)start)) {
		gm_free(gm);
		return NULL;
	}
	return gm;
}

struct guest_mem *migration_stream_open(struct instream *s, const struct input_opts *o,
					struct mp_err *err)
{
	return migration_read(s, instream_tell(s), NULL, o, err);
}

const struct input_reader migration_reader = {
	.name = "migration",
	.probe = migration_probe,
	.open = migration_stream_open,
};
