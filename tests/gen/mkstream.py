#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A QEMU migration stream of a raw image, written as QEMU's RAM saver writes
one (spec qemu-inputs.md 3-4): header, configuration, a `ram` section whose
start lists the RAM blocks, pages as 4 KiB records (RAM_SAVE_FLAG_PAGE with
the block name on the first, CONTINUE after; zero pages as
RAM_SAVE_FLAG_ZERO), section parts of at most --part pages each ending in
EOS and a footer, then EOF. No device sections: give mpiplctl --cpu-state.
Shares no code with mpiplctl's readers.

Page orders:
  ascending    QEMU's bulk pass of a stopped guest (what the real streams hold)
  descending   highest address first: the tables and kernel metadata early
  shuffle      a random permutation (--seed)
  adversarial  shuffled, and the pages of --late ADDR (repeatable) sent first
               with garbage and again, right, at the very end; every zero page
               first sent as a garbage data page and later as a zero record,
               as a running guest's re-sent (dirty) pages are

  mkstream.py RAW OUT.mig [--order O] [--seed N] [--late ADDR]... [--part N]"""

import argparse
import os
import random
import struct

PAGE = 4096
F_ZERO, F_MEM_SIZE, F_PAGE, F_EOS, F_CONTINUE = 0x2, 0x4, 0x8, 0x10, 0x20
SECTION_START, SECTION_PART, SECTION_END, EOF, FOOTER, CONFIG = 1, 2, 3, 0, 0x7E, 7
RAM_ID = 1
BLOCK = b"pnv.ram"
ZERO = bytes(PAGE)
GARBAGE = b"\xa5" * PAGE


class Writer:
    def __init__(self, f, part):
        self.f, self.part, self.buf, self.in_part, self.first = f, part, [], 0, True

    def flush(self):
        self.f.write(b"".join(self.buf))
        self.buf = []

    def begin_part(self):
        self.buf.append(struct.pack(">BI", SECTION_PART, RAM_ID))
        self.in_part, self.first = 0, True

    def end_part(self):
        self.buf.append(struct.pack(">Q", F_EOS) + struct.pack(">BI", FOOTER, RAM_ID))
        self.flush()

    def page(self, addr, data):
        if self.in_part == self.part:
            self.end_part()
            self.begin_part()
        flags = F_ZERO if data == ZERO else F_PAGE
        head = struct.pack(">Q", addr | flags | (0 if self.first else F_CONTINUE))
        if self.first:
            head += bytes([len(BLOCK)]) + BLOCK
        self.buf.append(head + (b"\0" if flags == F_ZERO else data))
        self.first = False
        self.in_part += 1


def header(f, size):
    machine = b"powernv9"
    f.write(b"QEVM" + struct.pack(">I", 3))
    f.write(struct.pack(">BI", CONFIG, len(machine)) + machine)
    f.write(struct.pack(">BI", SECTION_START, RAM_ID) + bytes([3]) + b"ram"
            + struct.pack(">II", 0, 4))
    f.write(struct.pack(">Q", size | F_MEM_SIZE) + bytes([len(BLOCK)]) + BLOCK
            + struct.pack(">Q", size))
    f.write(struct.pack(">Q", F_EOS) + struct.pack(">BI", FOOTER, RAM_ID))


def data_pages(raw, size):
    """Addresses of the pages that may hold data (the file's data extents)."""
    fd, pos = raw.fileno(), 0
    while pos < size:
        try:
            start = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError:
            return
        end = min(os.lseek(fd, start, os.SEEK_HOLE), size)
        yield from range(start // PAGE * PAGE, end, PAGE)
        pos = end


def read_page(raw, addr):
    raw.seek(addr)
    return raw.read(PAGE).ljust(PAGE, b"\0")


def ascending(raw, size, w):
    """Data extents read in 1 MiB runs; the holes as zero records."""
    fd, pos = raw.fileno(), 0
    while pos < size:
        n = min(1 << 20, size - pos)
        try:
            d = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError:
            d = size
        if d >= pos + n:
            for a in range(pos, pos + n, PAGE):
                w.page(a, ZERO)
        else:
            raw.seek(pos)
            chunk = raw.read(n).ljust(n, b"\0")
            for i in range(0, n, PAGE):
                w.page(pos + i, chunk[i:i + PAGE])
        pos += n


def reordered(raw, size, w, order, rng, late):
    pages = list(range(0, size, PAGE))
    if order == "descending":
        pages.reverse()
    else:
        rng.shuffle(pages)
    late_pages = sorted({a // PAGE * PAGE for a in late})
    if order == "adversarial":
        for a in late_pages:
            w.page(a, GARBAGE)
        pages = [a for a in pages if a not in set(late_pages)]
    resend = []
    for a in pages:
        data = read_page(raw, a)
        if order == "adversarial" and data == ZERO and rng.random() < 0.01:
            w.page(a, GARBAGE)
            resend.append(a)
        else:
            w.page(a, data)
    for a in resend + late_pages:
        w.page(a, read_page(raw, a))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("out")
    ap.add_argument("--order", default="ascending",
                    choices=("ascending", "descending", "shuffle", "adversarial"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--late", action="append", default=[], type=lambda s: int(s, 0))
    ap.add_argument("--part", type=int, default=16384, help="pages per section part")
    a = ap.parse_args()
    size = os.path.getsize(a.raw)
    with open(a.raw, "rb") as raw, open(a.out, "wb") as f:
        header(f, size)
        w = Writer(f, a.part)
        w.begin_part()
        if a.order == "ascending":
            ascending(raw, size, w)
        else:
            reordered(raw, size, w, a.order, random.Random(a.seed), a.late)
        w.end_part()
        f.write(struct.pack(">BI", SECTION_END, RAM_ID) + struct.pack(">Q", F_EOS)
                + struct.pack(">BI", FOOTER, RAM_ID) + bytes([EOF]))


if __name__ == "__main__":
    main()
