// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The qcow2 input: the chosen snapshot's vmstate is a migration stream,
 * handed to the migration-stream reader; the snapshot list becomes notes
 * that inspect shows.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../migration/migration.h"
#include "qcow2.h"

static enum input_probe qcow2_probe(const uint8_t *head, size_t len, const char *path,
				     struct mp_err *err)
{
	return input_probe_magic(head, len, "QFI\xfb", 4, "qcow2 image", path, err);
}

static int note_snapshots(struct guest_mem *gm, const struct qcow2_vmstate *v,
			  struct mp_err *err)
{
	for (size_t i = 0; i < v->nsnaps; i++) {
		const struct qcow2_snapshot_info *sn = &v->snaps[i];
		time_t t = (time_t)sn->date_sec;
		char date[32] = "?";
		struct tm tm;

		if (gmtime_r(&t, &tm))
			strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm);
		if (gm_add_note(gm, err, "qcow2 snapshot id %s tag \"%s\": VM state %llu bytes, "
					 "taken %s%s",
				sn->id, sn->tag, (unsigned long long)sn->vm_state_size, date,
				i == v->chosen ? " (read)" : ""))
			return -1;
	}
	return 0;
}

static struct guest_mem *qcow2_open(struct instream *s, const struct input_opts *o,
				    struct mp_err *err)
{
	struct guest_mem *gm = NULL;
	struct qcow2_vmstate v;
	char format[sizeof(gm->format)];

	if (qcow2_open_vmstate(s, o->snapshot, o->tmpdir, &v, err))
		goto out;
	gm = migration_stream_open(v.stream, o, err);
	if (!gm)
		goto out;
	snprintf(format, sizeof(format), "qcow2 snapshot \"%s\" (id %s): %s",
		 v.snaps[v.chosen].tag, v.snaps[v.chosen].id, gm->format);
	snprintf(gm->format, sizeof(gm->format), "%s", format);
	snprintf(gm->path, sizeof(gm->path), "%s", instream_path(s));
	if (note_snapshots(gm, &v, err)) {
		gm_free(gm);
		gm = NULL;
	}
out:
	qcow2_vmstate_close(&v);
	return gm;
}

const struct input_reader qcow2_reader = {
	.name = "qcow2",
	.probe = qcow2_probe,
	.open = qcow2_open,
};
