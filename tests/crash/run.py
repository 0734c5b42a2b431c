#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the tests through crash: python3 tests/crash/run.py [-j N] [-k PATTERN]

Skipped, with the reason, when crash is not in its cache
(tests/crash/setup-crash); MPIPL_CRASH_REQUIRED=1 (make check-crash) makes
that a failure instead. The modules run in parallel like the e2e ones."""

import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from crashrun import CACHE, crash_missing, crash_version  # noqa: E402


def main():
    why = crash_missing()
    if why:
        if os.environ.get("MPIPL_CRASH_REQUIRED") == "1":
            print("crash tests: cannot run: " + why)
            return 1
        print("crash tests SKIPPED: " + why)
        return 0
    print("crash tests: crash %s from %s" % (crash_version(), CACHE))
    t = time.monotonic()
    rc = subprocess.call([sys.executable, os.path.join(HERE, "..", "e2e", "run.py"), "--dir", HERE]
                         + sys.argv[1:])
    print("crash tests: %.0f s" % (time.monotonic() - t))
    return rc


if __name__ == "__main__":
    sys.exit(main())
