# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the end-to-end tests: run the binaries, read images, decode
the firmware tables independently of mpiplctl (from the spec, in Python)."""

import hashlib
import json
import math
import os
import struct
import subprocess
import tempfile
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MPIPLCTL = os.environ.get("MPIPLCTL", os.path.join(REPO, "build", "mpiplctl"))
MKIMAGE = os.environ.get("MKIMAGE", os.path.join(REPO, "build", "mpipl-mkimage"))
# kdump-check KDUMP REFERENCE.elf: reads a kdump file through libkdumpfile and
# compares every page with the ELF vmcore's (tests/tools/kdump-check.c).
KDUMPCHECK = os.environ.get("KDUMPCHECK", os.path.join(REPO, "build", "kdump-check"))
# The real MPIPL cycle beside the repository (../shared/golden/powernv9), or where
# MPIPL_GOLDEN points; the tests that need it are skipped without it.
GOLDEN = os.environ.get("MPIPL_GOLDEN") or os.path.abspath(
    os.path.join(REPO, "..", "shared", "golden", "powernv9"))


def golden(name):
    """A file of the real MPIPL cycle."""
    return os.path.join(GOLDEN, name)

HRMOR = 1 << 63
CHUNK = 32 << 20  # QEMU's copy chunk


def run(args, check_rc=None, stdin=None):
    """Run a command; returns (rc, stdout, stderr) as text."""
    p = subprocess.run(args, stdin=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    out = p.stdout.decode(errors="replace")
    err = p.stderr.decode(errors="replace")
    if check_rc is not None and p.returncode != check_rc:
        raise AssertionError("%s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s"
                             % (" ".join(args), p.returncode, check_rc, out, err))
    return p.returncode, out, err


def mpiplctl(*args, rc=0):
    return run([MPIPLCTL] + [str(a) for a in args], check_rc=rc)


def mkimage(path, *args):
    """Generate a sample image; returns its manifest (dict) and cpu-state path."""
    manifest = path + ".manifest.json"
    cpu = path + ".cpu.json"
    run([MKIMAGE, "--manifest", manifest, "--cpu-json", cpu] + [str(a) for a in args]
        + [path], check_rc=0)
    with open(manifest) as f:
        return json.load(f), cpu


def read_at(path, offset, length):
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read(length)
    if len(data) != length:
        raise AssertionError("%s: short read at %d" % (path, offset))
    return data


def sha256_range(path, offset, length):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        f.seek(offset)
        left = length
        while left:
            b = f.read(min(left, 1 << 20))
            if not b:
                raise AssertionError("%s: short read" % path)
            h.update(b)
            left -= len(b)
    return h.hexdigest()


def sha256_file(path):
    return sha256_range(path, 0, os.path.getsize(path))


def qemu_chunks(length):
    """QEMU's ceil((float)len / 32 MiB) in single precision (mpipl.md 2.4)."""
    f32 = struct.unpack("<f", struct.pack("<f", float(length)))[0]
    return math.ceil(f32 / CHUNK)


def mdrt_entries(path, addr, count):
    """Decode count 32-byte big-endian MDRT entries (mpipl.md 2.2)."""
    raw = read_at(path, addr, 32 * count)
    out = []
    for i in range(count):
        src, dest, region, dtype, _res, size, pad = struct.unpack_from(">QQBBHIQ", raw, 32 * i)
        out.append({"src": src, "dest": dest, "region": region, "dump_type": dtype,
                    "size": size, "pad": pad})
    return out


def proc_area(path, addr):
    raw = read_at(path, addr, 48)
    thread_size, version = struct.unpack_from(">IB", raw, 0)
    alloc_addr, = struct.unpack_from(">Q", raw, 16)
    alloc_size, = struct.unpack_from(">I", raw, 28)
    dest_addr, = struct.unpack_from(">Q", raw, 32)
    act_size, = struct.unpack_from(">I", raw, 44)
    return {"thread_size": thread_size, "version": version, "alloc_addr": alloc_addr,
            "alloc_size": alloc_size, "dest_addr": dest_addr, "act_size": act_size}


def thread_record(path, addr, size):
    """A thread record: header and its register entries, read as written."""
    raw = read_at(path, addr, size)
    pir, core_state = struct.unpack_from(">IB", raw, 0)
    offset, ecnt, esize, eactsz = struct.unpack_from(">IIII", raw, 8)
    entries = [struct.unpack_from(">IIQ", raw, 24 + 16 * i) for i in range(ecnt)]
    return {"pir": pir, "core_state": core_state, "reserved": raw[5:8], "offset": offset,
            "ecnt": ecnt, "esize": esize, "eactsz": eactsz, "entries": entries}


def load_json(text):
    return json.loads(text)


class TempDirTest(unittest.TestCase):
    """A test class with a private temporary directory, removed afterwards."""

    @classmethod
    def setUpClass(cls):
        base = os.environ.get("TMPDIR", "/var/tmp")
        cls._tmp = tempfile.TemporaryDirectory(prefix="mpiplctl-e2e-", dir=base)
        cls.tmp = cls._tmp.name

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp, name)


def qemu_registers(path):
    """QEMU's `info registers -a` text: per CPU its NIP, LR, CTR, XER, MSR, CR and GPRs."""
    cpus = []
    with open(path) as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            if words[0].startswith("CPU#") and len(words) == 1:
                cpus.append({})
                continue
            if not cpus:
                continue
            cur = cpus[-1]
            if words[0] in ("NIP", "MSR", "CR"):
                for k in range(0, len(words) - 1, 2):
                    if words[k] in ("NIP", "LR", "CTR", "XER", "MSR", "CR"):
                        cur[words[k].lower()] = int(words[k + 1], 16)
            elif words[0].startswith("GPR") and words[0][3:].isdigit():
                first = int(words[0][3:])
                for k, v in enumerate(words[1:5]):
                    cur["r%d" % (first + k)] = int(v, 16)
    return cpus
