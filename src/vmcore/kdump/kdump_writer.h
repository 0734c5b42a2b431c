/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kdump-compressed ("diskdump", KDUMP signature, header version 6) form
 * of a vmcore model: the format makedumpfile writes and crash reads
 * (makedumpfile's diskdump_mod.h, qemu-inputs.md 8).
 */
#ifndef MPIPL_VMCORE_KDUMP_KDUMP_WRITER_H
#define MPIPL_VMCORE_KDUMP_KDUMP_WRITER_H

#include "../vmcore.h"
#include "../../util/sink.h"

/* Most compression workers used, whatever is asked (memory stays bounded). */
#define KDUMP_THREADS_MAX 8u

struct kdump_opts {
	enum kdump_compress { KDUMP_NONE, KDUMP_ZLIB, KDUMP_ZSTD } compress;
	/*
	 * Compression worker threads; the calling thread reads and writes
	 * meanwhile, and compresses when it would wait. 0: everything in the
	 * calling thread. Use one less than the cores: then every core works and
	 * no thread waits for one (a worker per core beside the busy reader
	 * measured slower than one worker on 2 cores).
	 */
	unsigned threads;
};

/*
 * Write the kdump-compressed dump of m to the sink in one forward pass:
 * header, sub-header with the ELF notes (and the VMCOREINFO text inside
 * them), both page bitmaps, page descriptors, page data. Block size = the
 * model's page size. A page is in the dump when a PT_LOAD covers any byte of
 * it; bytes no PT_LOAD covers, and guest addresses that are not RAM, read as
 * zero. All-zero pages share one zero page (makedumpfile's dump level 1);
 * the others are compressed one by one, or stored when that does not shrink
 * them. Compressed data waits in an unlinked temporary file ($TMPDIR, else
 * /var/tmp) until every descriptor is known.
 */
int vmcore_write_kdump(struct guest_mem *gm, const struct vmcore_model *m,
		       const struct kdump_opts *o, struct sink *out, struct mp_err *err);

#endif
