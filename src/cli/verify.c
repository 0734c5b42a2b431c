// SPDX-License-Identifier: GPL-2.0-or-later
/* mpiplctl verify: does a real post-MPIPL state follow a profile? */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "../mpipl/verify.h"
#include <errno.h>

#define MAX_POST_BYTES 16
/* Largest --post-bytes file: the MDRT area (0x8000) is the biggest table QEMU writes; allow more. */
#define POST_BYTES_MAX (64u << 20)

enum {
	OPT_POST_BYTES = 0x300,
	OPT_BEST,
};

struct post_bytes {
	const char *path;
	uint64_t addr;
};

struct verify_cli {
	struct cli_opts o;
	const char *pre, *post;
	struct post_bytes patch[MAX_POST_BYTES];
	size_t npatch;
	bool best;
};

static const struct argp_child verify_children[];

/* FILE@ADDR, or FILE whose name ends in its address ("...-0x31c00000.bin"). */
static int parse_post_bytes(char *arg, struct post_bytes *pb)
{
	char *at = strrchr(arg, '@');
	const char *hex;

	if (at) {
		*at = '\0';
		pb->path = arg;
		return cli_parse_u64(at + 1, &pb->addr);
	}
	pb->path = arg;
	hex = strrchr(arg, '-');
	if (!hex || strncmp(hex + 1, "0x", 2) != 0)
		return -1;
	pb->addr = strtoull(hex + 1, NULL, 16);
	return 0;
}

static error_t parse_verify_cmd(int key, char *arg, struct argp_state *state)
{
	struct verify_cli *v = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		cli_share_input(state, verify_children, &v->o);
		return 0;
	case OPT_POST_BYTES:
		if (v->npatch == MAX_POST_BYTES)
			argp_error(state, "--post-bytes: at most %d", MAX_POST_BYTES);
		if (parse_post_bytes(arg, &v->patch[v->npatch]))
			argp_error(state, "--post-bytes: expected FILE@ADDR, or a FILE named "
					  "...-0xADDR.bin");
		v->npatch++;
		return 0;
	case OPT_BEST:
		v->best = true;
		return 0;
	case ARGP_KEY_ARG:
		if (!v->pre)
			v->pre = arg;
		else if (!v->post)
			v->post = arg;
		else
			argp_error(state, "PRE and POST only ('%s' is extra)", arg);
		return 0;
	case ARGP_KEY_END:
		if (!v->post)
			argp_error(state, "PRE and POST are both needed");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp_option verify_options[] = {
	{ "post-bytes", OPT_POST_BYTES, "FILE[@ADDR]", 0,
	  "bytes of the POST state saved apart (QEMU's MDRT, thread records or processor dump "
	  "area after the reset), laid over POST at guest address ADDR (default: the 0x... at "
	  "the end of FILE's name); repeatable",
	  0 },
	{ "best-profile", OPT_BEST, NULL, 0,
	  "compare with every profile, list how many differences each leaves, and report on "
	  "the one POST matches best",
	  0 },
	{ 0 },
};

static const struct argp_child verify_children[] = {
	{ &input_argp, 0, NULL, 0 },
	{ &preserve_argp, 0, NULL, 0 },
	{ &report_argp, 0, NULL, 0 },
	{ 0 },
};

static const struct argp verify_cmd_argp = {
	verify_options, parse_verify_cmd, "PRE POST",
	"Replay the firmware's preserve step on PRE (the guest at the S0 interrupt) with the "
	"chosen profile and compare the result with POST (the state a real firmware step "
	"left): every MDST region, the MDRT field by field, the processor dump area, each "
	"thread record register by register, and the pt_regs Linux builds from them. Exit "
	"status 0: POST is what the profile predicts; 1: differences; 2: bad input.",
	verify_children, NULL, NULL,
};

struct verify_session {
	struct guest_mem *post;
	struct guest_mem *pre_orig;
	struct mpipl_analysis post_a;
	bool post_analysed;
	const char *cpu_source; /* "PRE", "POST" or "none" */
};

static int read_small_file(const char *path, uint8_t **buf, size_t *len, struct mp_err *err)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (!f)
		return mp_fail(err, MP_EINPUT, "%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return mp_fail(err, MP_EINPUT, "%s: cannot size the file", path);
	}
	if (size == 0 || (unsigned long)size > POST_BYTES_MAX) {
		fclose(f);
		return mp_fail(err, MP_EINPUT, "%s: %ld bytes (expected 1 to %u)", path, size,
			       POST_BYTES_MAX);
	}
	*buf = mp_malloc((size_t)size, err);
	if (!*buf || fread(*buf, 1, (size_t)size, f) != (size_t)size) {
		if (*buf)
			mp_fail(err, MP_EINPUT, "%s: short read", path);
		free(*buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*len = (size_t)size;
	return 0;
}

static int apply_post_bytes(const struct verify_cli *v, struct guest_mem *post,
			    struct mp_err *err)
{
	for (size_t i = 0; i < v->npatch; i++) {
		const struct post_bytes *pb = &v->patch[i];
		uint8_t *buf = NULL;
		size_t len = 0;
		int rc;

		if (read_small_file(pb->path, &buf, &len, err))
			return -1;
		if (!gm_contains(post, pb->addr, len)) {
			free(buf);
			return mp_fail(err, MP_EINPUT,
				       "%s: its 0x%zx bytes at 0x%llx fall outside POST's guest RAM",
				       pb->path, len, (unsigned long long)pb->addr);
		}
		rc = gm_write(post, pb->addr, buf, len, err);
		free(buf);
		if (rc)
			return -1;
	}
	return 0;
}

static struct guest_mem *open_named(struct verify_cli *v, const char *path)
{
	v->o.image = path;
	return cli_open_input(&v->o);
}

/* vCPU states for the replay: PRE's, else POST's (a stream saved at S0 has them). */
static int borrow_cpus(struct verify_session *s, struct guest_mem *pre, struct mp_err *err)
{
	struct vcpu_state *copy;

	if (pre->ncpus) {
		s->cpu_source = "PRE";
		return 0;
	}
	if (!s->post->ncpus) {
		s->cpu_source = "none";
		return 0;
	}
	copy = mp_malloc(s->post->ncpus * sizeof(*copy), err);
	if (!copy)
		return -1;
	memcpy(copy, s->post->cpus, s->post->ncpus * sizeof(*copy));
	gm_set_cpus(pre, copy, s->post->ncpus);
	s->cpu_source = "POST";
	return 0;
}

static int open_post(struct verify_cli *v, struct verify_session *s, struct mp_err *err)
{
	struct analyze_opts ao;

	s->post = open_named(v, v->post);
	if (!s->post)
		return -2;
	if (apply_post_bytes(v, s->post, err))
		return -1;
	cli_analyze_opts(&v->o, &ao);
	if (mpipl_analyze(s->post, &ao, &s->post_a, err))
		return -1;
	s->post_analysed = true;
	s->pre_orig = open_named(v, v->pre);
	return s->pre_orig ? 0 : -2;
}

/* Replay PRE with profile p and compare it with POST. -2: message already printed. */
static int run_profile(struct verify_cli *v, struct verify_session *s, enum mpipl_profile p,
		       struct verify_report *r, struct mp_err *err)
{
	struct preserve_report *pr = NULL;
	struct mpipl_analysis a = { 0 };
	struct findings pf = { 0 };
	struct verify_inputs in;
	struct analyze_opts ao;
	struct preserve_opts po;
	struct guest_mem *pre;
	int rc = -1;

	pre = open_named(v, v->pre);
	if (!pre)
		return -2;
	cli_analyze_opts(&v->o, &ao);
	pr = mp_calloc(1, sizeof(*pr), err);
	if (!pr || borrow_cpus(s, pre, err) || mpipl_analyze(pre, &ao, &a, err))
		goto out;
	po = (struct preserve_opts){ .profile = p, .cpus = pre->cpus, .ncpus = pre->ncpus };
	if (mpipl_preserve(pre, &a.layout, a.tables, &po, pr, &pf, err))
		goto out;
	in = (struct verify_inputs){ .pre = pre, .pre_orig = s->pre_orig, .post = s->post,
				     .pre_a = &a, .post_a = &s->post_a, .pr = pr,
				     .have_cpus = pre->ncpus > 0 };
	rc = verify_same_guest(&in, err) || verify_compare(&in, r, err) ? -1 : 0;
out:
	findings_free(&pf);
	if (pr)
		preserve_report_release(pr);
	free(pr);
	mpipl_analysis_free(&a);
	gm_free(pre);
	return rc;
}

static void text_report(const struct verify_cli *v, const struct verify_session *s,
			const struct verify_report *r, const size_t *ndiff)
{
	const struct verify_counts *c = &r->c;

	printf("verify: PRE %s, POST %s%s, %s profile (vCPU states from %s)\n", v->pre, v->post,
	       v->npatch ? " with --post-bytes" : "", profile_name(r->profile), s->cpu_source);
	if (ndiff)
		for (size_t i = 0; i < mpipl_nprofiles; i++)
			printf("  profile %-12s %zu difference(s)%s\n",
			       profile_name(mpipl_profiles[i]), ndiff[i],
			       mpipl_profiles[i] == r->profile ? "  <- best match" : "");
	printf("  regions  %u of %u as predicted\n", c->regions_ok, c->regions);
	printf("  MDRT     %u entries in POST\n", c->mdrt_entries);
	printf("  threads  %u of %u matched by PIR, %u registers compared\n", c->threads_matched,
	       c->threads, c->registers);
	printf("  fields   %u compared, %zu differ, %zu unknown\n", c->fields,
	       verify_count(r, VC_DIFF), verify_count(r, VC_UNKNOWN));
	for (size_t i = 0; i < r->n; i++) {
		const struct vcheck *k = &r->v[i];

		if (k->kind == VC_UNKNOWN && v->o.quiet)
			continue;
		printf("%-7s %s [%s] %s: %s\n",
		       k->kind == VC_DIFF ? "DIFF" : k->kind == VC_UNKNOWN ? "unknown" : "note",
		       k->code, k->spec, k->where, k->msg);
	}
	printf("result: %s\n", verify_count(r, VC_DIFF) ? "POST departs from the profile"
							: "POST is what the profile predicts");
}

static void json_report(const struct verify_cli *v, const struct verify_session *s,
			const struct verify_report *r, const size_t *ndiff)
{
	struct json_out j;

	jo_init(&j, stdout);
	jo_object(&j, NULL);
	report_header_json(&j, "verify");
	jo_string(&j, "pre", v->pre);
	jo_string(&j, "post", v->post);
	jo_string(&j, "profile", profile_name(r->profile));
	jo_string(&j, "cpu_source", s->cpu_source);
	jo_bool(&j, "match", verify_count(r, VC_DIFF) == 0);
	if (ndiff) {
		jo_array(&j, "profiles");
		for (size_t i = 0; i < mpipl_nprofiles; i++) {
			jo_object(&j, NULL);
			jo_string(&j, "profile", profile_name(mpipl_profiles[i]));
			jo_uint(&j, "differences", ndiff[i]);
			jo_end_object(&j);
		}
		jo_end_array(&j);
	}
	jo_object(&j, "counts");
	jo_uint(&j, "regions", r->c.regions);
	jo_uint(&j, "regions_ok", r->c.regions_ok);
	jo_uint(&j, "mdrt_entries", r->c.mdrt_entries);
	jo_uint(&j, "threads", r->c.threads);
	jo_uint(&j, "threads_matched", r->c.threads_matched);
	jo_uint(&j, "registers", r->c.registers);
	jo_uint(&j, "fields", r->c.fields);
	jo_end_object(&j);
	jo_array(&j, "checks");
	for (size_t i = 0; i < r->n; i++) {
		jo_object(&j, NULL);
		jo_string(&j, "kind", vcheck_kind_name(r->v[i].kind));
		jo_string(&j, "code", r->v[i].code);
		jo_string(&j, "spec", r->v[i].spec);
		jo_string(&j, "where", r->v[i].where);
		jo_string(&j, "message", r->v[i].msg);
		jo_end_object(&j);
	}
	jo_end_array(&j);
	jo_end_object(&j);
	jo_finish(&j);
}

/* --best-profile: every profile's difference count; r keeps the best one's report. */
static int best_profile(struct verify_cli *v, struct verify_session *s, struct verify_report *r,
			size_t *ndiff, struct mp_err *err)
{
	size_t best = SIZE_MAX;

	for (size_t i = 0; i < mpipl_nprofiles; i++) {
		struct verify_report one;
		int rc = run_profile(v, s, mpipl_profiles[i], &one, err);

		if (rc)
			return rc;
		ndiff[i] = verify_count(&one, VC_DIFF);
		if (ndiff[i] < best) {
			best = ndiff[i];
			verify_report_free(r);
			*r = one;
		} else {
			verify_report_free(&one);
		}
	}
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	struct verify_cli *v = calloc(1, sizeof(*v));
	struct verify_session s = { .cpu_source = "none" };
	struct verify_report r = { 0 };
	size_t ndiff[8];
	struct mp_err err;
	int rc = EXIT_BAD, step;

	_Static_assert(sizeof(ndiff) / sizeof(ndiff[0]) >= 4, "room for every profile");
	if (!v)
		return EXIT_BAD;
	cli_opts_init(&v->o);
	argp_parse(&verify_cmd_argp, argc, argv, 0, NULL, v);
	step = open_post(v, &s, &err);
	if (step == 0)
		step = v->best ? best_profile(v, &s, &r, ndiff, &err)
			       : run_profile(v, &s, v->o.profile, &r, &err);
	if (step == -1)
		cli_error("%s", err.msg);
	if (step == 0) {
		if (v->o.json)
			json_report(v, &s, &r, v->best ? ndiff : NULL);
		else
			text_report(v, &s, &r, v->best ? ndiff : NULL);
		rc = verify_count(&r, VC_DIFF) ? EXIT_FINDINGS : EXIT_OK;
	}
	verify_report_free(&r);
	if (s.post_analysed)
		mpipl_analysis_free(&s.post_a);
	gm_free(s.post);
	gm_free(s.pre_orig);
	free(v);
	return rc;
}
