# SPDX-License-Identifier: GPL-2.0-or-later
"""Messages (issue 8): long and odd file names keep errors whole and on one
line, truncated device trees and unknown formats say what is wrong, options
that do not apply are errors, and help works as the man page says."""

import io
import os
import random
import struct
import subprocess
import tarfile

from common import MPIPLCTL, TempDirTest, mkimage, mpiplctl, run


def error_line(test, err):
    lines = [l for l in err.splitlines() if l.strip()]
    test.assertEqual(len(lines), 1, "one-line error expected, got:\n" + err)
    test.assertTrue(lines[0].startswith("mpiplctl: "), lines[0])
    return lines[0]


class FileNames(TempDirTest):
    def test_long_path_keeps_the_reason(self):
        # 15 folders of 250 bytes: a 3.8 KB path, within PATH_MAX (4096).
        path = os.path.join(self.tmp, *(["d" * 250] * 15), "nope.raw")
        rc, _, err = run([MPIPLCTL, "inspect", path])
        self.assertEqual(rc, 2)
        line = error_line(self, err)
        self.assertTrue(line.endswith("nope.raw: cannot open: No such file or directory"), line)
        self.assertLessEqual(len(line), 600)
        self.assertIn("...", line)
        self.assertTrue(line.startswith("mpiplctl: " + self.tmp), line)

    def test_control_characters_escaped(self):
        path = self.path("bad\nname\x1b.raw")
        rc, _, err = run([MPIPLCTL, "inspect", path])
        self.assertEqual(rc, 2)
        self.assertIn("bad\\nname\\x1b.raw: cannot open", error_line(self, err))


class Formats(TempDirTest):
    def dtb(self):
        dts, dtb = self.path("t.dts"), self.path("t.dtb")
        with open(dts, "w") as f:
            f.write("/dts-v1/;\n/ { ibm,opal { }; };\n")
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, dts], check=True)
        with open(dtb, "rb") as f:
            return f.read()

    def test_truncated_device_tree(self):
        blob = self.dtb()
        for keep, want in ((len(blob) - 8, "the header says %d bytes" % len(blob)),
                           (20, "header needs 40 bytes")):
            cut = self.path("cut.dtb")
            with open(cut, "wb") as f:
                f.write(blob[:keep])
            rc, _, err = run([MPIPLCTL, "dtb", cut, "-o", self.path("out.dtb")])
            self.assertEqual(rc, 2)
            line = error_line(self, err)
            self.assertIn("truncated at byte offset %d" % keep, line)
            self.assertIn(want, line)
            self.assertIn("FDT_ERR_TRUNCATED", line)
            self.assertNotIn("no error", line)
            self.assertFalse(os.path.exists(self.path("out.dtb")))

    def unknown_inputs(self):
        rnd = random.Random(8)
        tar = io.BytesIO()
        with tarfile.open(fileobj=tar, mode="w") as t:
            data = bytes(rnd.getrandbits(8) for _ in range(100000))
            info = tarfile.TarInfo("payload")
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        # An LZ4 frame (magic 0x184D2204, lz4_Frame_format.md) we do not read.
        lz4 = struct.pack("<I", 0x184D2204) + bytes(rnd.getrandbits(8) for _ in range(70000))
        return {"random.bin": bytes(rnd.getrandbits(8) for _ in range(3 << 20)),
                "archive.tar": tar.getvalue(), "image.lz4": lz4}

    def test_unknown_format_says_raw_was_assumed(self):
        for name, data in self.unknown_inputs().items():
            p = self.path(name)
            with open(p, "wb") as f:
                f.write(data)
            rc, _, err = run([MPIPLCTL, "inspect", p])
            self.assertEqual(rc, 2, name)
            line = error_line(self, err)
            self.assertIn("not in guest RAM", line)
            self.assertIn("no known format at byte 0 (tried migration, libvirt-save, elf-dump, "
                          "kdump, kdump-flattened, qcow2): read as a raw RAM image", line)


class OptionsThatDoNotApply(TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.img = os.path.join(cls.tmp, "s.raw")
        cls.m, _ = mkimage(cls.img, "--size", "64M", "--regions", "2")

    def test_kdump_options_without_kdump(self):
        for opt in (["--compress", "zlib"], ["--threads", "2"]):
            rc, _, err = run([MPIPLCTL, "vmcore", self.img, "-o", self.path("v")] + opt)
            self.assertEqual(rc, 2, opt)
            self.assertIn("%s applies to --format=kdump only" % opt[0], err)
            self.assertFalse(os.path.exists(self.path("v")))

    def test_snapshot_on_a_raw_image(self):
        rc, _, err = run([MPIPLCTL, "inspect", self.img, "--snapshot", "s1"])
        self.assertEqual(rc, 2)
        self.assertIn("--snapshot applies to qcow2 images only, this is raw",
                      error_line(self, err))

    def test_ram_ranges_beyond_guest_ram_warn(self):
        rc, _, err = run([MPIPLCTL, "inspect", self.img, "--ram-ranges", "0-0x8000000"])
        self.assertEqual(rc, 0)
        self.assertIn("warning: --ram-ranges 0x0-0x8000000 goes beyond the guest RAM "
                      "(0x0-0x4000000)", err)
        _, _, err = mpiplctl("inspect", self.img, "--ram-ranges", "0-0x4000000")
        self.assertNotIn("--ram-ranges", err)


class Help(TempDirTest):
    def test_usage_question_mark_and_h(self):
        _, out, _ = mpiplctl("--usage")
        self.assertTrue(out.startswith("Usage: mpiplctl {inspect|preserve|vmcore|extract|dtb}"),
                        out)
        _, out, _ = mpiplctl("-?")
        self.assertIn("Commands:", out)
        for cmd in ("inspect", "dtb"):
            _, out, _ = mpiplctl(cmd, "-h")
            _, ref, _ = mpiplctl(cmd, "--help")
            self.assertEqual(out, ref, cmd)
