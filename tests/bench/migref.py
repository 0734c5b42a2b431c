#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A reference migration-stream RAM extractor, for `make bench` only: it walks
the records the way QEMU's scripts/analyze-migration.py does (vmdesc first,
then every section in order, RAM pages written at their block offset in a
sparse file), written from spec qemu-inputs.md 3-4. Not used by mpiplctl.

  migref.py STREAM OUT.raw"""

import json
import struct
import sys

PAGE = 4096
F_ZERO, F_MEM_SIZE, F_PAGE, F_EOS, F_CONTINUE = 0x2, 0x4, 0x8, 0x10, 0x20
F_MULTIFD_FLUSH = 0x200


class Stream:
    def __init__(self, f):
        self.f = f

    def u8(self):
        return self.f.read(1)[0]

    def be16(self):
        return struct.unpack(">H", self.f.read(2))[0]

    def be32(self):
        return struct.unpack(">I", self.f.read(4))[0]

    def be64(self):
        return struct.unpack(">Q", self.f.read(8))[0]

    def str8(self):
        return self.f.read(self.u8()).decode()


def find_vmdesc(f):
    """The JSON after EOF: scan backwards as qemu-inputs.md 3.3 says."""
    f.seek(0, 2)
    end = f.tell()
    start = max(0, end - (10 << 20))
    f.seek(start)
    tail = f.read()
    for p in range(len(tail) - 6, 0, -1):
        if tail[p] == 0x06 and tail[p + 5:p + 6] == b"{" and tail[p - 1] == 0:
            n = struct.unpack(">I", tail[p + 1:p + 5])[0]
            if n == len(tail) - (p + 5):
                return json.loads(tail[p + 5:])
    raise SystemExit("no vmdesc")


def vmsd_size(desc):
    size = 0
    for fld in desc.get("fields", []):
        size += fld["size"] * fld.get("array_len", 1)
    for sub in desc.get("subsections", []):
        size += 1 + 1 + len(sub["vmsd_name"]) + 4 + vmsd_size(sub)
    return size


def skip_configuration(s):
    s.f.read(s.be32())  # machine type
    while True:
        pos = s.f.tell()
        if s.f.read(1) != b"\x05":
            s.f.seek(pos)
            return
        name = s.str8()
        s.be32()
        if name == "configuration/target-page-bits":
            s.be32()
        elif name == "configuration/capabilities":
            for _ in range(s.be32()):
                s.str8()
        elif name == "configuration/uuid":
            s.f.read(16)


def ram_body(s, out, blocks, state):
    while True:
        w = s.be64()
        flags, addr = w & (PAGE - 1), w & ~(PAGE - 1)
        if flags & F_EOS:
            return
        if flags & F_MEM_SIZE:
            total = 0
            while total < addr:
                name = s.str8()
                length = s.be64()
                blocks[name] = 0 if name == "pnv.ram" else None
                if name == "pnv.ram":
                    state["ram_size"] = length
                total += length
            continue
        if flags & F_MULTIFD_FLUSH:
            continue
        if not flags & F_CONTINUE:
            state["block"] = s.str8()
        base = blocks.get(state["block"])
        if flags & F_PAGE:
            data = s.f.read(PAGE)
            if base is not None:
                out.seek(base + addr)
                out.write(data)
        elif flags & F_ZERO:
            if s.u8() and base is not None:
                raise SystemExit("non-zero fill")
        else:
            raise SystemExit("unsupported ram flags 0x%x" % flags)


def extract(path, out_path):
    with open(path, "rb") as f, open(out_path, "wb") as out:
        desc = find_vmdesc(f)
        sizes = {(d["name"], d["instance_id"]): vmsd_size(d) for d in desc["devices"]}
        f.seek(0)
        s = Stream(f)
        if s.f.read(8) != b"QEVM\0\0\0\3":
            raise SystemExit("not a v3 stream")
        blocks, state, ids = {}, {}, {}
        while True:
            t = s.u8()
            if t == 0x00:
                break
            if t == 0x07:
                skip_configuration(s)
            elif t in (0x01, 0x04):
                sid = s.be32()
                name = s.str8()
                inst = s.be32()
                s.be32()
                ids[sid] = name
                if name == "ram":
                    ram_body(s, out, blocks, state)
                else:
                    s.f.seek(sizes[(name, inst)], 1)
                s.f.read(5)  # footer
            elif t in (0x02, 0x03):
                sid = s.be32()
                ram_body(s, out, blocks, state)
                s.f.read(5)
            elif t == 0x08:
                s.be16()
                s.f.read(s.be16())
            else:
                raise SystemExit("unknown record 0x%x at %d" % (t, s.f.tell() - 1))
        out.truncate(state.get("ram_size", 0))


if __name__ == "__main__":
    extract(sys.argv[1], sys.argv[2])
