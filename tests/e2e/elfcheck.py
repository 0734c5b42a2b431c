# SPDX-License-Identifier: GPL-2.0-or-later
"""An ELF core reader for the tests, written from the ELF specification (not
from mpiplctl), plus the expectations of mpipl.md 6.3-6.6 computed from a
generator manifest."""

import struct

PT_NULL, PT_LOAD, PT_NOTE = 0, 1, 4
# pt_regs slots (mpipl.md 6.5)
NIP, MSR, CTR, LINK, XER, CCR, DAR, DSISR = 32, 33, 35, 36, 37, 38, 41, 42


def page_align(v, p):
    return (v + p - 1) // p * p


class Core:
    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            ident = f.read(16)
            assert ident[:4] == b"\x7fELF", "not ELF"
            self.be = ident[5] == 2
            e = "<>"[self.be]
            f.seek(0)
            hdr = f.read(64)
            (self.type, self.machine, self.version, self.entry, self.phoff, self.shoff,
             self.flags, self.ehsize, self.phentsize, self.phnum) = struct.unpack_from(
                 e + "HHIQQQIHHH", hdr, 16)
            self.phdrs = []
            for i in range(self.phnum):
                f.seek(self.phoff + 56 * i)
                t, fl, off, va, pa, fs, ms, al = struct.unpack(e + "IIQQQQQQ", f.read(56))
                self.phdrs.append({"type": t, "flags": fl, "offset": off, "vaddr": va,
                                   "paddr": pa, "filesz": fs, "memsz": ms, "align": al})
        self.e = e

    def read(self, offset, length):
        with open(self.path, "rb") as f:
            f.seek(offset)
            return f.read(length)

    def notes(self):
        """[(name, type, desc)] of every PT_NOTE."""
        out = []
        for p in self.phdrs:
            if p["type"] != PT_NOTE:
                continue
            buf = self.read(p["offset"], p["filesz"])
            at = 0
            while at + 12 <= len(buf):
                namesz, descsz, ntype = struct.unpack_from(self.e + "III", buf, at)
                if namesz == 0:
                    break
                name = buf[at + 12:at + 12 + namesz].rstrip(b"\0")
                dstart = at + 12 + (namesz + 3) // 4 * 4
                out.append((name, ntype, buf[dstart:dstart + descsz]))
                at = dstart + (descsz + 3) // 4 * 4
        return out

    def prstatus_regs(self):
        return [list(struct.unpack_from(self.e + "48Q", d, 112))
                for name, t, d in self.notes() if name == b"CORE" and t == 1]

    def loads(self):
        return [p for p in self.phdrs if p["type"] == PT_LOAD]


def expected_phdrs(m, ram_end):
    """The capture kernel's loads for a generator image (mpipl.md 6.2, 6.3):
    [(paddr, size, source)], PT_NULL as (None, 0, 0)."""
    kernel = [e for e in m["entries"] if e["what"] == "kernel"]
    out = []
    off = kernel[0]["dest"]
    for e in kernel:
        out.append((e["src"], e["size"], off))
        off += e["size"]
    if m["legacy"]:
        ra_end = m["legacy_ra_end"]
    else:
        fdh_size = 40 + 384 + 8
        ra_end = m["dest_base"] + m["boot_mem"] + fdh_size + page_align(3088, m["page_size"])
    top = kernel[-1]["src"] + kernel[-1]["size"]
    ra_start = m["dest_base"]
    ms, me = top, ram_end
    if ms < ra_start:
        out.append((ms, ra_start - ms, ms))
    if ra_end < me:
        out.append((ra_end, me - ra_end, ra_end))
    return out
