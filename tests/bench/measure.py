# SPDX-License-Identifier: GPL-2.0-or-later
"""One measured run for the benchmarks: wall time and the command's own max
RSS. The RSS comes from GNU time (package `time`, installed by
scripts/install-deps --bench): a child that Python forks keeps Python's
high-water mark across exec (Linux carries the larger one over), so
getrusage(RUSAGE_CHILDREN) read Python's ~13 MiB, never the command's."""

import os
import subprocess
import tempfile
import time

GNU_TIME = "/usr/bin/time"


def measure(cmd, stdout=None):
    """(wall seconds, max RSS in KiB) of cmd; its standard output to the file
    named stdout, else discarded. GNU time's fork and exec are inside the
    time, for the baseline as for the command measured against it."""
    fd, rss_file = tempfile.mkstemp(prefix="bench-rss-")
    os.close(fd)
    try:
        with open(stdout, "wb") if stdout else open(os.devnull, "wb") as out:
            t = time.monotonic()
            subprocess.run([GNU_TIME, "-f", "%M", "-o", rss_file] + cmd, check=True, stdout=out)
            wall = time.monotonic() - t
        with open(rss_file) as f:
            return wall, int(f.read().split()[-1])
    finally:
        os.unlink(rss_file)
