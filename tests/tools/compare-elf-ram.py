#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Compare guest RAM read by mig-read with the PT_LOAD data of a QEMU ELF dump
(dump-guest-memory) of the same state.

usage: compare-elf-ram.py MIG-READ INPUT DUMP.ELF

For every PT_LOAD, `MIG-READ INPUT --range p_paddr p_filesz -` must produce
exactly the segment's bytes. Exit status 0 when all agree.
"""
import hashlib
import struct
import subprocess
import sys


def loads(path):
    with open(path, "rb") as f:
        e = f.read(64)
        assert e[:4] == b"\x7fELF" and e[4] == 2, "not an ELF64 file"
        end = "<" if e[5] == 1 else ">"
        phoff, = struct.unpack(end + "Q", e[32:40])
        phentsize, phnum = struct.unpack(end + "HH", e[54:58])
        f.seek(phoff)
        for _ in range(phnum):
            ph = f.read(phentsize)
            p_type, _, p_offset, _, p_paddr, p_filesz = struct.unpack(end + "IIQQQQ", ph[:40])
            if p_type == 1:
                yield p_paddr, p_offset, p_filesz


def sha_of_file_range(path, off, size):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        f.seek(off)
        while size:
            b = f.read(min(size, 1 << 22))
            assert b, "ELF segment beyond end of file"
            h.update(b)
            size -= len(b)
    return h.hexdigest()


def main():
    tool, inp, elf = sys.argv[1:4]
    bad = 0
    for paddr, off, size in loads(elf):
        h = hashlib.sha256()
        p = subprocess.Popen([tool, inp, "--range", hex(paddr), hex(size), "-"],
                             stdout=subprocess.PIPE)
        for b in iter(lambda: p.stdout.read(1 << 22), b""):
            h.update(b)
        if p.wait() != 0:
            print(f"PT_LOAD {paddr:#x}+{size:#x}: mig-read failed")
            bad += 1
            continue
        same = h.hexdigest() == sha_of_file_range(elf, off, size)
        print(f"PT_LOAD {paddr:#x}+{size:#x}: {'same' if same else 'DIFFERENT'}")
        bad += not same
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
