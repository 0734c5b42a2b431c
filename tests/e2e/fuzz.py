#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Randomised bad inputs: mutate the firmware tables, kernel metadata and crash
info header of a generated image and check that inspect and preserve never
crash or hang, and that a failure is a one-line error with exit status 2.

  fuzz.py [--long] [--seed N] [--iterations N]
make check runs a short round (test_fuzz.py); make fuzz runs --long."""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import MKIMAGE, MPIPLCTL  # noqa: E402


def targets(m):
    """(address, length) of every structure worth corrupting."""
    return [(m["spirah"], 0x200), (m["mdst"], 0x40), (m["mddt"], 0x40),
            (m["proc_area"], 48), (m["metadata"], 20), (m["kmeta"], 64),
            (m["fdh"], 48), (m["vmcoreinfo"], 64)]


def mutate(pristine, m, rng):
    """Corrupt one structure: returns (address, new bytes) of the changed window."""
    addr, length = rng.choice(targets(m))
    window = bytearray(pristine[addr:addr + length + 4])
    for _ in range(rng.randint(1, 8)):
        off = rng.randrange(length)
        kind = rng.random()
        if kind < 0.5:
            window[off] = rng.randrange(256)
        elif kind < 0.8:
            window[off] ^= 1 << rng.randrange(8)
        else:  # an extreme 32-bit value
            window[off:off + 4] = rng.choice([b"\xff\xff\xff\xff", b"\0\0\0\0",
                                              b"\x7f\xff\xff\xff", b"\x80\0\0\0"])
    return addr, bytes(window[:length + 4])


def check_run(args, what):
    """Run; fail on a signal, a hang, or an exit 2 without a one-line error."""
    try:
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    except subprocess.TimeoutExpired:
        return "hang: %s" % what
    if p.returncode < 0:
        return "killed by %s: %s" % (signal.Signals(-p.returncode).name, what)
    if p.returncode not in (0, 1, 2):
        return "exit %d: %s\n%s" % (p.returncode, what, p.stderr.decode(errors="replace"))
    err = [l for l in p.stderr.decode(errors="replace").splitlines() if l.strip()]
    if p.returncode == 2 and (len(err) != 1 or not err[0].startswith("mpiplctl: ")):
        return "exit 2 without a one-line error: %s\n%s" % (what, "\n".join(err))
    if p.returncode in (0, 1) and "--json" in args:
        json.loads(p.stdout)  # the document must stay valid JSON
    return None


def fuzz(iterations, seed, tmpdir):
    rng = random.Random(seed)
    img = os.path.join(tmpdir, "base.raw")
    man = img + ".json"
    cpu = img + ".cpu.json"
    subprocess.run([MKIMAGE, "--size", "64M", "--fill", "5", "--manifest", man,
                    "--cpu-json", cpu, img], check=True)
    with open(man) as f:
        m = json.load(f)
    with open(img, "rb") as f:
        pristine = f.read()
    bad = os.path.join(tmpdir, "bad.raw")
    out = os.path.join(tmpdir, "out.raw")
    shutil.copyfile(img, bad)
    failures = []
    for i in range(iterations):
        addr, window = mutate(pristine, m, rng)
        with open(bad, "r+b") as f:
            f.seek(addr)
            f.write(window)
        what = "iteration %d (seed %d), mutation near 0x%x" % (i, seed, addr)
        base = str(m["base"])
        for args in ([MPIPLCTL, "inspect", bad, "--base", base, "--json"],
                     [MPIPLCTL, "preserve", bad, "--base", base, "--cpu-state", cpu,
                      "--profile", rng.choice(["hdat", "qemu"]), "-o", out, "-q"],
                     [MPIPLCTL, "vmcore", bad, "--base", base, "--cpu-state", cpu, "-o",
                      out, "-q"]):
            problem = check_run(args, what + ": " + " ".join(args[1:3]))
            if problem:
                failures.append(problem)
                keep = os.path.join(tmpdir, "failure-%d.raw" % i)
                shutil.copyfile(bad, keep)
                failures.append("  input kept at " + keep)
                break
        if os.path.exists(out):
            os.unlink(out)
        with open(bad, "r+b") as f:
            f.seek(addr)
            f.write(pristine[addr:addr + len(window)])
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--long", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--iterations", type=int)
    a = ap.parse_args()
    n = a.iterations or (2000 if a.long else 40)
    tmpdir = tempfile.mkdtemp(prefix="mpiplctl-fuzz-", dir=os.environ.get("TMPDIR", "/var/tmp"))
    failures = fuzz(n, a.seed, tmpdir)
    for f in failures:
        print(f)
    if failures:
        print("%d iterations, %d failure(s); inputs kept in %s" % (n, len(failures) // 2, tmpdir))
        return 1
    shutil.rmtree(tmpdir)
    print("%d iterations, no failure" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
