#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the end-to-end tests: python3 tests/e2e/run.py [-j N] [-k PATTERN] [--dir DIR]

Each test_*.py module (of tests/e2e, or of DIR: tests/crash uses this runner) runs in its own process, N at a time (default: the
number of cores), slowest first. MPIPLCTL and MKIMAGE name the binaries under
test (default: build/)."""

import argparse
import concurrent.futures
import glob
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Modules that take longest go first so the pool finishes evenly.
SLOW_FIRST = ["test_golden", "test_vmcore", "test_fixtures", "test_preserve"]


def run_module(name, patterns, folder):
    args = [sys.executable, "-m", "unittest", "-v", name]
    for p in patterns:
        args += ["-k", p]
    t = time.monotonic()
    p = subprocess.run(args, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return name, p.returncode, p.stdout.decode(errors="replace"), time.monotonic() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-j", type=int, default=os.cpu_count() or 1)
    ap.add_argument("-k", action="append", default=[])
    ap.add_argument("--dir", default=HERE)
    a = ap.parse_args()
    names = [os.path.basename(p)[:-3] for p in glob.glob(os.path.join(a.dir, "test_*.py"))]
    names.sort(key=lambda n: (SLOW_FIRST.index(n) if n in SLOW_FIRST else len(SLOW_FIRST), n))
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.j) as pool:
        for name, rc, out, secs in pool.map(lambda n: run_module(n, a.k, a.dir), names):
            print("==== %s (%.0f s) ====" % (name, secs))
            print(out.rstrip())
            if rc != 0 and "NO TESTS RAN" not in out:
                failed.append(name)
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 1
    print("all end-to-end test modules passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
