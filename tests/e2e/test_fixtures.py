# SPDX-License-Identifier: GPL-2.0-or-later
"""The real QEMU fixtures of fixtures/ (made by fixtures/make-qemu-fixtures,
described in fixtures/README.md).

Every reader yields the same RAM for the same paused state, equal to the
PT_LOAD segments of QEMU's ELF dump as tests/e2e/elfcheck.py reads them; the
vCPUs equal QEMU's `info registers -a` and the PIRs skiboot's console lists;
the MPIPL tables, the device tree and the kernel's fadump registration are
where skiboot's and Linux's console lines say they are."""

import gzip
import hashlib
import json
import os
import re
import struct
import subprocess
import unittest

from common import REPO, TempDirTest, mpiplctl, qemu_registers, run
from elfcheck import PT_LOAD, PT_NOTE, Core

FIXTURES = os.path.join(REPO, "fixtures")
GIB = 1 << 30
BLOCK = 1 << 20
ZERO_BLOCK = bytes(BLOCK)
HRMOR = 1 << 63
# skiboot include/mem-map.h: SKIBOOT_BASE (QEMU runs skiboot there, "opal-base-address"),
# the in-memory console and the HBRT log buffer after it (1 MiB each), the MDRT.
BASE = 0x30000000
INMEM_CON_START = BASE + 0x1000000
HBRT_CON_START = INMEM_CON_START + 0x100000
MDRT = BASE + 0x1C00000
SKIBOOT_SIZE = 0x1C10000
STACK_SIZE = 0x8000  # one per possible PIR, after SKIBOOT_SIZE

# Input files and the text `inspect` names their format with.
FORMATS = {
    "stream.mig.zst": "QEMU migration stream (powernv9)",
    "mapped-ram.mig.zst": "mapped-ram",
    "savevm.qcow2.zst": 'qcow2 snapshot "fixture" (id 1): QEMU migration stream (powernv9)',
    "dump.elf.zst": "dump-guest-memory ELF",
    "dump.kdump-zlib.zst": "kdump-compressed, flattened",
    "stream-offset.mig.zst": "QEMU migration stream (powernv9), in a file at byte offset ",
    "mapped-ram-offset.mig.zst": "mapped-ram, in a file at byte offset ",
}


def run_bytes(args):
    """A command's standard output as bytes (it must exit 0)."""
    return subprocess.run(args, stdout=subprocess.PIPE, check=True, timeout=600).stdout


def nonzero_blocks(path, start=0, length=None, base=0):
    """{address: SHA-256} of the 1 MiB blocks of bytes [start, start+length) of a
    (sparse) file that are not all zero, the address of byte start being base:
    a form of RAM that does not depend on holes versus written zeros. Holes are
    skipped, not read."""
    out = {}
    with open(path, "rb") as f:
        fd = f.fileno()
        end_all = os.fstat(fd).st_size if length is None else start + length
        pos = start
        while pos < end_all:
            try:
                data = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:  # ENXIO: only a hole is left
                break
            end = min(os.lseek(fd, data, os.SEEK_HOLE), end_all)
            # whole blocks, counted from start
            pos = max(pos, data - (data - start) % BLOCK)
            f.seek(pos)
            while pos < end:
                b = f.read(min(BLOCK, end_all - pos))
                if not b:
                    break
                if b != ZERO_BLOCK[:len(b)]:
                    out[base + pos - start] = hashlib.sha256(b).hexdigest()
                pos += len(b)
    return out


def assert_same_blocks(test, got, want, what):
    test.assertEqual(sorted(got), sorted(want), what + ": non-zero blocks differ")
    for addr in want:
        test.assertEqual(got[addr], want[addr], "%s: block at 0x%x differs" % (what, addr))


LIBVIRT_HEADER = 92  # libvirt's virQEMUSaveHeader (qemu-inputs.md 1.1)


def libvirt_prefix(fmt, length):
    """The first length bytes of a libvirt save image (little-endian host) whose
    stream, in format fmt, starts at byte length: header, domain XML, padding."""
    xml = b"<domain type='qemu'><name>pnv</name></domain>\n"
    header = b"LibvirtQemudSave" + struct.pack("<5I", 2, length - LIBVIRT_HEADER, 0, fmt, 0)
    return header + bytes(14 * 4) + xml + bytes(length - LIBVIRT_HEADER - len(xml))


def assert_libvirt_image_ram(test, image, ref, fmt):
    """extract reads image as a libvirt save image whose RAM is ref; both files go."""
    raw = image + ".raw"
    _, out, _ = mpiplctl("extract", image, "-o", raw)
    test.assertIn("in a libvirt save image", out)
    assert_same_blocks(test, nonzero_blocks(raw), ref, "libvirt format %d" % fmt)
    os.unlink(raw)
    os.unlink(image)


def fixture_set_present(name, files):
    return all(os.path.exists(os.path.join(FIXTURES, name, f)) for f in files)


class _Set:
    """Checks for every fixture set. SET names the folder, FILES its inputs
    (the migration stream first), MEM the guest's -m, DUMP_NODE whether the
    device tree QEMU gave skiboot had /ibm,opal/dump."""

    SET = None
    FILES = ()
    MEM = GIB
    DUMP_NODE = False

    @classmethod
    def fx(cls, name):
        return os.path.join(FIXTURES, cls.SET, name)

    @classmethod
    def console(cls, pattern):
        """Every match of pattern in the guest's console (skiboot's and Linux's)."""
        with open(cls.fx("console.log"), errors="replace") as f:
            return re.findall(pattern, f.read())

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ram = {}
        cls.reports = {}
        for name in cls.FILES:
            out = os.path.join(cls.tmp, name + ".raw")
            mpiplctl("extract", cls.fx(name), "-o", out, "-q")
            cls.ram[name] = out
            _, stdout, _ = mpiplctl("inspect", cls.fx(name), "--layout=auto", "--json", "-q")
            cls.reports[name] = json.loads(stdout)

    def test_inputs_named_and_sized(self):
        for name in self.FILES:
            inp = self.reports[name]["input"]
            self.assertIn(FORMATS[name], inp["format"], name)
            main = [(r["gpa"], r["size"]) for r in inp["ram"] if r["main"]]
            # -m: one main RAM block at guest address 0
            self.assertEqual(main, [("0x0", self.MEM)], name)
            self.assertEqual(os.path.getsize(self.ram[name]), self.MEM, name)

    def test_vcpus_equal_qemu_registers(self):
        want = qemu_registers(self.fx("registers.txt"))
        self.assertEqual(len(want), 2)  # -smp 2
        # skiboot lists the CPUs of QEMU's device tree in QEMU's CPU order;
        # the dumps carry no PIR, their readers derive it from the note order
        pirs = [int(p, 16) for p in self.console(r"CPU from DT PIR=0x([0-9a-f]+)")]
        self.assertEqual(len(pirs), 2)
        for name in self.FILES:
            cpus = self.reports[name]["input"]["vcpus"]
            self.assertEqual(len(cpus), len(want), name)
            for i, (got, w) in enumerate(zip(cpus, want)):
                what = "%s: CPU#%d" % (name, i)
                self.assertEqual(int(got["pir"], 16), pirs[i], what)
                self.assertEqual(int(got["nip"], 16), w["nip"], what)
                self.assertEqual(int(got["lr"], 16), w["lr"], what)
                self.assertEqual(int(got["msr"], 16), w["msr"], what)

    def test_device_tree_for_linux_found(self):
        """skiboot prints where it put Linux's device tree: 'fdt at ADDR SIZE bytes'."""
        fdt = self.console(r"Starting kernel at 0x[0-9a-f]+, fdt at 0x([0-9a-f]+) (\d+) bytes")
        self.assertEqual(len(fdt), 1)
        addr, size = int(fdt[0][0], 16), int(fdt[0][1])
        for name in self.FILES:
            dt = self.reports[name]["devtree"]
            self.assertEqual((int(dt["addr"], 16), dt["size"]), (addr, size), name)
            self.assertEqual(int(dt["opal_base"], 16), BASE, name)
            self.assertEqual(dt["dump_node"], self.DUMP_NODE, name)
            self.assertFalse(dt["mpipl_boot"], name)  # a first boot, no MPIPL yet
            self.assertEqual(dt["memory"], [{"start": "0x0", "end": hex(self.MEM)}], name)


class _AllFormats(_Set):
    """Sets with every format QEMU writes: the same RAM from each."""

    def test_every_reader_same_ram(self):
        ref = nonzero_blocks(self.ram["stream.mig.zst"])
        # the guest ran Linux: far more than skiboot's few MiB are non-zero
        self.assertGreater(len(ref), 16)
        for name in self.FILES[1:]:
            assert_same_blocks(self, nonzero_blocks(self.ram[name]), ref, name)

    def test_ram_equals_elf_segments(self):
        """QEMU's ELF dump, decompressed by zstd and read by tests/e2e/elfcheck.py."""
        elf = os.path.join(self.tmp, "dump.elf")
        run(["zstd", "-q", "-d", "-f", "--sparse", self.fx("dump.elf.zst"), "-o", elf],
            check_rc=0)
        core = Core(elf)
        loads = [p for p in core.phdrs if p["type"] == PT_LOAD and p["paddr"] < self.MEM]
        self.assertEqual(sum(p["memsz"] for p in loads), self.MEM)
        # QEMU 10 also dumps the HOMER blocks: readers list them as non-main RAM
        aux = [(p["paddr"], p["memsz"]) for p in core.phdrs
               if p["type"] == PT_LOAD and p["paddr"] >= self.MEM]
        for name in self.FILES:
            self.assertEqual([(int(r["gpa"], 16), r["size"])
                              for r in self.reports[name]["input"]["ram"] if not r["main"]],
                             aux, name)
        got = {}
        for p in loads:
            self.assertEqual(p["filesz"], p["memsz"])
            self.assertEqual(p["paddr"] % BLOCK, 0)
            got.update(nonzero_blocks(elf, p["offset"], p["filesz"], p["paddr"]))
        assert_same_blocks(self, got, nonzero_blocks(self.ram["stream.mig.zst"]), "dump.elf")
        os.unlink(elf)

    def test_qcow2_snapshot_as_qemu_img_lists_it(self):
        with open(self.fx("qcow2-snapshots.txt")) as f:
            rows = [line.split() for line in f if re.match(r"^\d+\s", line)]
        self.assertEqual([(r[0], r[1]) for r in rows], [("1", "fixture")])
        notes = self.reports["savevm.qcow2.zst"]["input"]["notes"]
        self.assertTrue(any('snapshot id 1 tag "fixture"' in n for n in notes), notes)


class _Skiboot71(_Set):
    """skiboot 7.1 (QEMU 10.0) with the dump node: tables from SPIRA-H and the
    OPAL region skiboot registers at boot."""

    def test_layout_auto_finds_skiboot_71(self):
        # the console names the release (7.1 moved the tables, mpipl.md 1.1)
        self.assertTrue(self.console(r"OPAL v7\.1-\d+-g[0-9a-f]+ starting"))
        for name in self.FILES:
            lay = self.reports[name]["layout"]
            self.assertEqual((lay["source"], lay["kind"]), ("spirah", "7.1"), name)
            self.assertEqual(int(lay["base"], 16), BASE, name)
            self.assertEqual(int(lay["spirah"], 16), BASE + 0x10000, name)
            self.assertEqual(int(lay["mdst"]["addr"], 16), BASE + 0x10C00, name)
            self.assertEqual(int(lay["mddt"]["addr"], 16), BASE + 0x11000, name)
            self.assertEqual(int(lay["proc_dump_area"], 16), BASE + 0x10300, name)
            self.assertEqual(int(lay["mdrt"]["addr"], 16), MDRT, name)

    def test_opal_region_registered_as_skiboot_computes_it(self):
        """skiboot core/opal-dump.c: the OPAL region is SKIBOOT_SIZE plus one
        stack per PIR up to the highest, copied right above itself; the CPU
        register area follows the copy (mpipl.md 1)."""
        max_pir = int(self.console(r"New max PIR set to 0x([0-9a-f]+)")[-1], 16)
        size = SKIBOOT_SIZE + (max_pir + 1) * STACK_SIZE
        dest = BASE + size
        reg = self.console(r"Architected register dest addr : 0x([0-9a-f]+), size : 0x([0-9a-f]+)")
        self.assertEqual(len(reg), 1)
        reg_addr, reg_size = int(reg[0][0], 16), int(reg[0][1], 16)
        self.assertEqual(reg_addr, dest + size)
        for name in self.FILES:
            doc = self.reports[name]
            self.assertEqual(doc["state"], "pre-mpipl", name)
            e = doc["entries"][0]
            self.assertEqual((int(e["mdst"]["raw_addr"], 16), e["mdst"]["region"],
                              e["mdst"]["size"]), (HRMOR | BASE, "0x3", size), name)
            self.assertEqual((int(e["mddt"]["raw_addr"], 16), e["mddt"]["region"],
                              e["mddt"]["size"]), (HRMOR | dest, "0x3", size), name)
            self.assertEqual(e["pairing"], "ok", name)
            pda = doc["proc_dump_area"]
            self.assertEqual((int(pda["alloc_addr"], 16), pda["alloc_size"]),
                             (HRMOR | reg_addr, reg_size), name)
            self.assertEqual(doc["mdrt"]["used"], 0, name)  # no MPIPL has run


QEMU72 = "qemu7.2-powernv9"
QEMU72_FILES = ("stream.mig.zst", "savevm.qcow2.zst", "dump.elf.zst", "dump.kdump-zlib.zst")
TEXT_FILES = ("registers.txt", "console.log")


@unittest.skipUnless(fixture_set_present(QEMU72, QEMU72_FILES + TEXT_FILES
                                         + ("qcow2-snapshots.txt",)),
                     "fixtures/%s incomplete" % QEMU72)
class Qemu72(_AllFormats, TempDirTest):
    SET = QEMU72
    FILES = QEMU72_FILES

    def test_layout_auto_finds_skiboot_70(self):
        """skiboot 7.0 still has the legacy SPIRA: its tables sit 0x400 higher
        (mpipl.md 1.1); without a dump node only its two static MDST entries
        (console and HBRT log, skiboot hdata/spira.c) are there."""
        self.assertTrue(self.console(r"OPAL v7\.0 starting"))
        for name in self.FILES:
            doc = self.reports[name]
            lay = doc["layout"]
            self.assertEqual((lay["source"], lay["kind"]), ("spirah", "7.0"), name)
            self.assertEqual(int(lay["base"], 16), BASE, name)
            self.assertEqual(int(lay["spirah"], 16), BASE + 0x10400, name)
            self.assertEqual(int(lay["mdst"]["addr"], 16), BASE + 0x11000, name)
            self.assertEqual(int(lay["mddt"]["addr"], 16), BASE + 0x11400, name)
            self.assertEqual(int(lay["proc_dump_area"], 16), BASE + 0x10700, name)
            self.assertEqual(int(lay["mdrt"]["addr"], 16), MDRT, name)
            self.assertEqual((lay["mdst"]["act_cnt"], lay["mddt"]["act_cnt"]), (2, 0), name)
            mdst = [(int(e["mdst"]["raw_addr"], 16), e["mdst"]["region"], e["mdst"]["dump_type"],
                     e["mdst"]["size"]) for e in doc["entries"]]
            # dump type 0xF5: DUMP_TYPE_SYSDUMP (skiboot include/opal-dump.h)
            self.assertEqual(mdst, [(HRMOR | INMEM_CON_START, "0x1", "0xf5", 1 << 20),
                                    (HRMOR | HBRT_CON_START, "0x2", "0xf5", 1 << 20)], name)
            self.assertEqual(doc["state"], "pre-mpipl", name)


DUMPNODE = "qemu10.0-powernv9-dumpnode"
DUMPNODE_FILES = ("stream.mig.zst", "mapped-ram.mig.zst", "savevm.qcow2.zst", "dump.elf.zst",
                  "dump.kdump-zlib.zst")


@unittest.skipUnless(fixture_set_present(DUMPNODE, DUMPNODE_FILES + TEXT_FILES
                                         + ("qcow2-snapshots.txt",)),
                     "fixtures/%s incomplete" % DUMPNODE)
class Qemu100DumpNode(_AllFormats, _Skiboot71, TempDirTest):
    SET = DUMPNODE
    FILES = DUMPNODE_FILES
    DUMP_NODE = True

    def test_stream_at_a_file_offset(self):
        """migrate file:PATH,offset=N writes the same bytes at N and leaves the
        bytes before N as they were: found by itself below 256 KiB, else
        named with --stream-offset, and the same RAM either way."""
        stream = os.path.join(self.tmp, "stream.mig")
        run(["zstd", "-q", "-d", "-f", self.fx("stream.mig.zst"), "-o", stream], check_rc=0)
        ref = nonzero_blocks(self.ram["stream.mig.zst"])
        for n in (69632, 300 * 1024):
            shifted = os.path.join(self.tmp, "at-%d.mig" % n)
            with open(shifted, "wb") as out, open(stream, "rb") as f:
                out.write(b"HDR!" * (n // 4))
                out.write(f.read())
            raw = os.path.join(self.tmp, "at.raw")
            args = ("--stream-offset", str(n)) if n >= 256 * 1024 else ()
            _, out, _ = mpiplctl("extract", shifted, "-o", raw, *args)
            self.assertIn("in a file at byte offset %d" % n, out)
            assert_same_blocks(self, nonzero_blocks(raw), ref, "stream at %d" % n)
            os.unlink(raw)
            doc = json.loads(mpiplctl("inspect", "--json", shifted, *args)[1])
            found = [x for x in doc["input"]["notes"] if "offset=%d" % n in x]
            self.assertEqual(len(found), 0 if args else 1, doc["input"]["notes"])
            # one byte off: an error naming that offset, and no output
            _, _, err = mpiplctl("extract", shifted, "-o", raw, "--stream-offset",
                                 str(n - 1), rc=2)
            self.assertIn("byte offset %d: not a QEMU migration stream" % (n - 1), err)
            self.assertFalse(os.path.exists(raw))
            os.unlink(shifted)
        os.unlink(stream)

    def test_libvirt_save_image_of_each_format(self):
        """virsh save: a 92-byte header (host byte order), the domain XML, then
        the stream as libvirt's save_image_format made it: raw, gzip (here by
        Python's gzip) or zstd (the zstd tool)."""
        stream = os.path.join(self.tmp, "lv-stream.mig")
        run(["zstd", "-q", "-d", "-f", self.fx("stream.mig.zst"), "-o", stream], check_rc=0)
        with open(stream, "rb") as f:
            plain = f.read()
        payloads = {0: plain, 1: gzip.compress(plain, 1),
                    5: run_bytes(["zstd", "-q", "-1", "-c", stream])}
        ref = nonzero_blocks(self.ram["stream.mig.zst"])
        for fmt, payload in payloads.items():
            image = os.path.join(self.tmp, "save-%d.img" % fmt)
            with open(image, "wb") as f:
                f.write(libvirt_prefix(fmt, LIBVIRT_HEADER + 200) + payload)
            assert_libvirt_image_ram(self, image, ref, fmt)
        os.unlink(stream)

    def test_salvage_a_stream_cut_short(self):
        """A stream cut in the middle of its RAM: an error without --salvage;
        with it, the pages sent before the cut (QEMU sends them in address
        order, so every 1 MiB block but the one cut through equals QEMU's),
        a warning naming the offset, and inspect --strict says it."""
        stream = os.path.join(self.tmp, "cut.mig")
        data = run_bytes(["zstd", "-q", "-d", "-c", self.fx("stream.mig.zst")])
        cut = len(data) * 3 // 5
        with open(stream, "wb") as f:
            f.write(data[:cut])
        raw = os.path.join(self.tmp, "cut.raw")
        _, _, err = mpiplctl("extract", stream, "-o", raw, rc=2)
        self.assertIn("truncated at byte offset", err)
        self.assertFalse(os.path.exists(raw))
        _, _, err = mpiplctl("extract", "-q", "--salvage", stream, "-o", raw)
        self.assertRegex(err, r"^mpiplctl: warning: salvaged: .*cut\.mig: truncated at byte "
                              r"offset \d+: page data")
        got, ref = nonzero_blocks(raw), nonzero_blocks(self.ram["stream.mig.zst"])
        self.assertLessEqual(set(got), set(ref), "no data where QEMU's RAM is zero")
        differ = [a for a in got if got[a] != ref[a]]
        self.assertLessEqual(len(differ), 1, "only the block the cut went through")
        self.assertGreater(len(got), 16)
        self.assertLess(len(got), len(ref), "the pages after the cut are missing")
        doc = json.loads(mpiplctl("inspect", "--json", "--salvage", stream, rc=None)[1])
        codes = [f["code"] for f in doc["findings"]]
        self.assertIn("input-salvaged", codes)
        mpiplctl("inspect", "-q", "--salvage", "--strict", stream, rc=1)
        os.unlink(raw)
        os.unlink(stream)

    def test_no_kernel_registration(self):
        for name in self.FILES:
            doc = self.reports[name]
            self.assertEqual(doc["counts"], {"hdat": 1, "qemu": 1}, name)  # OPAL only
            self.assertEqual(int(doc["skiboot_metadata"]["kernel_tag"], 16), 0, name)
            self.assertIsNone(doc["kernel_metadata"], name)


OFFSET = "qemu10.0-powernv9-offset"
OFFSET_FILES = ("stream-offset.mig.zst", "mapped-ram-offset.mig.zst")


@unittest.skipUnless(fixture_set_present(OFFSET, OFFSET_FILES + TEXT_FILES + ("offset.txt",)),
                     "fixtures/%s incomplete" % OFFSET)
class Qemu100Offset(_Skiboot71, TempDirTest):
    """QEMU's migrate file:PATH,offset=N, plain and mapped-ram, after N bytes
    of 'HDR!' written before QEMU ran; QEMU itself loaded both files back
    (fixtures/README.md). mapped-ram's offsets are file offsets."""
    SET = OFFSET
    FILES = OFFSET_FILES
    DUMP_NODE = True

    @classmethod
    def offset(cls):
        with open(cls.fx("offset.txt")) as f:
            return int(f.read())

    def test_both_at_the_offset_same_ram(self):
        n = self.offset()
        head = run_bytes(["sh", "-c", "zstd -q -d -c '%s' | head -c %d"
                          % (self.fx("stream-offset.mig.zst"), n + 8)])
        self.assertEqual(head[:n], b"HDR!" * (n // 4), "the bytes before N are QEMU's to keep")
        self.assertEqual(head[n:], b"QEVM\0\0\0\3")
        ref = nonzero_blocks(self.ram["stream-offset.mig.zst"])
        self.assertGreater(len(ref), 16)
        assert_same_blocks(self, nonzero_blocks(self.ram["mapped-ram-offset.mig.zst"]), ref,
                           "mapped-ram at the offset")
        for name in self.FILES:
            inp = self.reports[name]["input"]
            self.assertIn("byte offset %d" % n, inp["format"], name)
            self.assertTrue(any("offset=%d" % n in x for x in inp["notes"]), name)

    def test_as_libvirt_sparse_and_raw_images(self):
        """libvirt's "sparse" save format is QEMU's mapped-ram written after
        libvirt's header: put a header (format 6, or 0 for the plain stream)
        and domain XML over the N bytes QEMU left alone."""
        n = self.offset()
        ref = nonzero_blocks(self.ram["stream-offset.mig.zst"])
        for name, fmt in (("mapped-ram-offset.mig.zst", 6), ("stream-offset.mig.zst", 0)):
            image = os.path.join(self.tmp, "libvirt-%d.img" % fmt)
            run(["zstd", "-q", "-d", "-f", "--sparse", self.fx(name), "-o", image], check_rc=0)
            with open(image, "r+b") as f:
                f.write(libvirt_prefix(fmt, n))
            assert_libvirt_image_ram(self, image, ref, fmt)

    def test_offset_given(self):
        n = self.offset()
        raw = os.path.join(self.tmp, "given.raw")
        mpiplctl("extract", "-q", "--stream-offset", n, self.fx("mapped-ram-offset.mig.zst"),
                 "-o", raw)
        assert_same_blocks(self, nonzero_blocks(raw),
                           nonzero_blocks(self.ram["stream-offset.mig.zst"]), "given offset")
        os.unlink(raw)


FADUMP = "qemu10.0-powernv9-fadump"
FADUMP_FILES = ("stream.mig.zst",)


@unittest.skipUnless(fixture_set_present(FADUMP, FADUMP_FILES + TEXT_FILES),
                     "fixtures/%s incomplete" % FADUMP)
class Qemu100Fadump(_Skiboot71, TempDirTest):
    """A real fadump registration (fadump=on) and crash: the state just after
    skiboot's "Performing MPIPL", before any S0 (QEMU 10.0 has no MPIPL)."""

    SET = FADUMP
    FILES = FADUMP_FILES
    MEM = 2 * GIB
    DUMP_NODE = True

    def test_registration_as_the_console_reports_it(self):
        tag = int(self.console(r"DUMP: Payload sent metadata tag : 0x([0-9a-f]+)")[0], 16)
        self.assertEqual(int(self.console(r"opal fadump: Kernel metadata addr: ([0-9a-f]+)")[0],
                             16), tag)
        boot_mem = int(self.console(r"DUMP: Boot mem size : 0x([0-9a-f]+)")[0], 16)
        reserved = int(self.console(r"fadump: Reserved \d+MB of memory at 0x([0-9a-f]+)")[0], 16)
        crashing = int(self.console(r"DUMP: Crashing PIR = 0x([0-9a-f]+)")[0], 16)
        self.assertTrue(self.console(r"opal fadump: Registration is successful"))
        doc = self.reports["stream.mig.zst"]
        self.assertEqual(doc["state"], "pre-mpipl")
        self.assertEqual(doc["findings"], [])
        meta = doc["skiboot_metadata"]
        self.assertEqual((int(meta["kernel_tag"], 16), int(meta["crashing_pir"], 16),
                          int(meta["boot_mem_size"], 16)), (tag, crashing, boot_mem))
        km = doc["kernel_metadata"]
        self.assertEqual(int(km["addr"], 16), tag)
        self.assertEqual(km["regions"], [{"src": "0x0", "dest": hex(reserved),
                                          "size": hex(boot_mem)}])
        # MDST/MDDT: OPAL's region, then the kernel's (region 0x80, opal-dump.h)
        self.assertEqual(doc["counts"], {"hdat": 2, "qemu": 2})
        k = doc["entries"][1]
        self.assertEqual((int(k["mdst"]["raw_addr"], 16), k["mdst"]["region"], k["mdst"]["size"]),
                         (HRMOR, "0x80", boot_mem))
        self.assertEqual(int(k["mddt"]["raw_addr"], 16), HRMOR | reserved)
        ci = doc["crash_info"]
        self.assertEqual(ci["magic"], "FADMPSIG")
        self.assertEqual(int(ci["crashing_cpu"], 16), crashing)

    def test_vmcore_reads_cleanly(self):
        """`mpiplctl vmcore` on the real registration: readelf reads the core
        without a warning; the boot memory segment holds the RAM the crashed
        kernel had (the preserve step copied it to the reserved area)."""
        vmcore = os.path.join(self.tmp, "vmcore")
        mpiplctl("vmcore", self.fx("stream.mig.zst"), "-o", vmcore, "-q")
        p = subprocess.run(["readelf", "-W", "-h", "-l", "-n", vmcore], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=300)
        out = p.stdout.decode(errors="replace")
        self.assertEqual(p.returncode, 0, out)
        self.assertNotRegex(out.lower(), r"warning|error|corrupt", out)
        self.assertEqual(out.count("NT_PRSTATUS"), 2, out)  # -smp 2
        self.assertIn("VMCOREINFO", out)
        core = Core(vmcore)
        self.assertEqual([p["type"] for p in core.phdrs][0], PT_NOTE)
        boot_mem = int(self.console(r"DUMP: Boot mem size : 0x([0-9a-f]+)")[0], 16)
        first = [p for p in core.phdrs if p["type"] == PT_LOAD][0]
        self.assertEqual((first["paddr"], first["filesz"]), (0, boot_mem))
        assert_same_blocks(self, nonzero_blocks(vmcore, first["offset"], boot_mem),
                           nonzero_blocks(self.ram["stream.mig.zst"], 0, boot_mem), "vmcore")
        os.unlink(vmcore)


if __name__ == "__main__":
    unittest.main()
