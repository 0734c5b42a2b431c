// SPDX-License-Identifier: GPL-2.0-or-later
#include "cpu_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/json_parse.h"

#define CPU_JSON_MAX_BYTES (64u << 20)

static const struct {
	const char *name;
	int num;
} spr_names[] = {
	{ "acop", SPRN_ACOP },	   { "amr", SPRN_AMR },	    { "bescr", SPRN_BESCR },
	{ "cfar", SPRN_CFAR },	   { "ciabr", SPRN_CIABR }, { "ctrl", SPRN_CTRL },
	{ "dabr", SPRN_DABR },	   { "dabrx", SPRN_DABRX }, { "dar", SPRN_DAR },
	{ "dawr0", SPRN_DAWR0 },   { "dawr1", SPRN_DAWR1 }, { "dawrx0", SPRN_DAWRX0 },
	{ "dawrx1", SPRN_DAWRX1 }, { "dpdes", SPRN_DPDES }, { "dscr", SPRN_DSCR },
	{ "dsisr", SPRN_DSISR },   { "ebbhr", SPRN_EBBHR }, { "ebbrr", SPRN_EBBRR },
	{ "fscr", SPRN_FSCR },	   { "srr0", SPRN_SRR0 },   { "srr1", SPRN_SRR1 },
	{ "hsrr0", SPRN_HSRR0 },   { "hsrr1", SPRN_HSRR1 }, { "hmer", SPRN_HMER },
	{ "hmeer", SPRN_HMEER },
};

int spr_number_of(const char *name)
{
	for (size_t i = 0; i < sizeof(spr_names) / sizeof(spr_names[0]); i++)
		if (strcmp(spr_names[i].name, name) == 0)
			return spr_names[i].num;
	return -1;
}

/* rN or gprN, N in 0..31. */
static int gpr_index(const char *key)
{
	const char *digits = NULL;
	char *end;
	long n;

	if (key[0] == 'r')
		digits = key + 1;
	else if (strncmp(key, "gpr", 3) == 0)
		digits = key + 3;
	if (!digits || !*digits)
		return -1;
	n = strtol(digits, &end, 10);
	return *end || n < 0 || n > 31 ? -1 : (int)n;
}

static int bad_value(const char *name, size_t thread, const char *key,
		     const struct json_value *v, struct mp_err *err)
{
	return mp_fail_at(err, MP_EINPUT, name, v->offset, "thread %zu: \"%s\" must be an unsigned "
			  "integer or a \"0x...\" string", thread, key);
}

static int set_live(struct vcpu_state *c, const char *key, uint64_t v)
{
	if (strcmp(key, "nip") == 0)
		c->nip = v;
	else if (strcmp(key, "msr") == 0)
		c->msr = v;
	else if (strcmp(key, "cr") == 0)
		c->cr = v;
	else if (strcmp(key, "lr") == 0)
		c->lr = c->spr[SPRN_LR] = v;
	else if (strcmp(key, "ctr") == 0)
		c->ctr = c->spr[SPRN_CTR] = v;
	else if (strcmp(key, "xer") == 0)
		c->xer = c->spr[SPRN_XER] = v;
	else
		return -1;
	return 0;
}

static int parse_spr_map(const struct json_value *map, struct vcpu_state *c, const char *name,
			 size_t thread, struct mp_err *err)
{
	if (map->type != JSON_OBJECT)
		return mp_fail_at(err, MP_EINPUT, name, map->offset, "thread %zu: \"spr\" must be "
				  "an object of {\"number\": value}", thread);
	for (size_t i = 0; i < map->count; i++) {
		uint64_t num, val;

		if (parse_uint_strict(map->keys[i], &num) || num >= SPRN_COUNT)
			return mp_fail_at(err, MP_EINPUT, name, map->items[i].offset, "thread %zu: "
					  "SPR number \"%s\" is not 0..1023", thread, map->keys[i]);
		if (json_to_u64(&map->items[i], &val))
			return bad_value(name, thread, map->keys[i], &map->items[i], err);
		c->spr[num] = val;
	}
	return 0;
}

static int parse_thread(const struct json_value *o, struct vcpu_state *c, const char *name,
			size_t thread, struct mp_err *err)
{
	const struct json_value *spr_map = NULL;
	bool have_pir = false;

	if (o->type != JSON_OBJECT)
		return mp_fail_at(err, MP_EINPUT, name, o->offset, "thread %zu is not an object",
				  thread);
	memset(c, 0, sizeof(*c));
	c->core_state = CORE_STATE_ACTIVE;
	for (size_t i = 0; i < o->count; i++) {
		const char *key = o->keys[i];
		const struct json_value *v = &o->items[i];
		uint64_t val;
		int idx;

		if (strcmp(key, "spr") == 0) {
			spr_map = v;
			continue;
		}
		if (json_to_u64(v, &val))
			return bad_value(name, thread, key, v, err);
		if (strcmp(key, "pir") == 0) {
			if (val > UINT32_MAX)
				return bad_value(name, thread, key, v, err);
			c->pir = (uint32_t)val;
			c->spr[SPRN_PIR] = val;
			have_pir = true;
		} else if (strcmp(key, "core_state") == 0) {
			if (val > 0xFF)
				return bad_value(name, thread, key, v, err);
			c->core_state = (uint8_t)val;
		} else if ((idx = gpr_index(key)) >= 0) {
			c->gpr[idx] = val;
		} else if ((idx = spr_number_of(key)) >= 0) {
			c->spr[idx] = val;
		} else if (set_live(c, key, val)) {
			return mp_fail_at(err, MP_EINPUT, name, v->offset, "thread %zu: unknown "
					  "register \"%s\" (see mpiplctl(1), CPU STATE FILE)",
					  thread, key);
		}
	}
	if (!have_pir)
		return mp_fail_at(err, MP_EINPUT, name, o->offset, "thread %zu has no \"pir\"",
				  thread);
	return spr_map ? parse_spr_map(spr_map, c, name, thread, err) : 0;
}

int cpu_state_parse_json(const char *text, size_t len, const char *name,
			 struct vcpu_state **cpus, size_t *ncpus, struct mp_err *err)
{
	struct json_value *root = json_parse(text, len, name, err);
	const struct json_value *list;
	struct vcpu_state *out = NULL;
	int rc = -1;

	if (!root)
		return -1;
	list = root->type == JSON_ARRAY ? root : json_get(root, "threads");
	if (!list || list->type != JSON_ARRAY || list->count == 0) {
		mp_fail(err, MP_EINPUT, "%s: expected {\"threads\": [ ... ]} with at least one thread",
			name);
		goto out;
	}
	if (list->count > CPU_JSON_MAX_THREADS) {
		mp_fail(err, MP_EINPUT, "%s: %zu threads is more than the %u supported", name,
			list->count, CPU_JSON_MAX_THREADS);
		goto out;
	}
	out = mp_calloc(list->count, sizeof(*out), err);
	if (!out)
		goto out;
	for (size_t i = 0; i < list->count; i++) {
		if (parse_thread(&list->items[i], &out[i], name, i, err))
			goto out;
		for (size_t k = 0; k < i; k++)
			if (out[k].pir == out[i].pir) {
				mp_fail(err, MP_EINPUT, "%s: threads %zu and %zu have the same pir 0x%x",
					name, k, i, out[i].pir);
				goto out;
			}
	}
	*cpus = out;
	*ncpus = list->count;
	out = NULL;
	rc = 0;
out:
	free(out);
	json_free(root);
	return rc;
}

int cpu_state_load_json(const char *path, struct vcpu_state **cpus, size_t *ncpus,
			struct mp_err *err)
{
	struct stat st;
	char *text = NULL;
	ssize_t n;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mp_fail_errno(err, "%s: cannot open CPU state file", path);
	if (fstat(fd, &st) < 0) {
		mp_fail_errno(err, "%s: cannot stat", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CPU_JSON_MAX_BYTES) {
		mp_fail(err, MP_EINPUT, "%s: not a regular file of at most %u bytes", path,
			CPU_JSON_MAX_BYTES);
		goto out;
	}
	text = mp_malloc((size_t)st.st_size + 1, err);
	if (!text)
		goto out;
	n = pread(fd, text, (size_t)st.st_size, 0);
	if (n != st.st_size) {
		mp_fail_errno(err, "%s: read", path);
		goto out;
	}
	rc = cpu_state_parse_json(text, (size_t)n, path, cpus, ncpus, err);
out:
	free(text);
	close(fd);
	return rc;
}
