// SPDX-License-Identifier: GPL-2.0-or-later
#include "post.h"

#include <stdlib.h>
#include <string.h>

/* Append the findings of f to into, as they are. */
static void merge_findings(struct findings *into, const struct findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		findings_add(into, f->v[i].level, f->v[i].code, f->v[i].spec, "%s", f->v[i].msg);
}

int mpipl_to_post(struct guest_mem *gm, const struct analyze_opts *ao,
		  enum mpipl_profile profile, struct mpipl_analysis *a, char **cpu_note,
		  struct mp_err *err)
{
	struct findings preserve_findings = { 0 };
	struct preserve_report *r;
	struct preserve_opts po = { .profile = profile, .cpus = gm->cpus, .ncpus = gm->ncpus };
	int rc;

	if (cpu_note)
		*cpu_note = NULL;
	if (a->post_mpipl)
		return 0;
	r = mp_calloc(1, sizeof(*r), err);
	if (!r)
		return -1;
	rc = mpipl_preserve(gm, &a->layout, a->tables, &po, r, &preserve_findings, err);
	if (rc == 0 && !r->cpus_written && cpu_note &&
	    !(*cpu_note = strdup(r->cpu_note ? r->cpu_note : "")))
		rc = mp_fail(err, MP_ENOMEM, "out of memory");
	preserve_report_release(r);
	free(r);
	if (rc == 0) {
		mpipl_analysis_free(a);
		rc = mpipl_analyze(gm, ao, a, err);
	}
	if (rc == 0)
		merge_findings(&a->findings, &preserve_findings);
	findings_free(&preserve_findings);
	if (rc && cpu_note) {
		free(*cpu_note);
		*cpu_note = NULL;
	}
	return rc;
}
