# SPDX-License-Identifier: GPL-2.0-or-later
"""One pass from a migration stream (the decoded RAM file becomes the raw
image, or is cut into the ELF vmcore with extent moves) against the copying
path (MPIPLCTL_PASSES=2): byte-identical outputs
on the real streams and on generated ones in QEMU's page order, reversed,
shuffled and adversarial (tables sent last after garbage, zero pages after
garbage); MPIPLCTL_PASSES=1 proves the single pass was taken, and the
reader's note that the vmcore's pages were placed while the stream was read."""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import unittest

from common import GOLDEN, MPIPLCTL, REPO, TempDirTest, mkimage

MKSTREAM = os.path.join(REPO, "tests", "gen", "mkstream.py")
FIXTURE_STREAMS = [os.path.join(REPO, "fixtures", d, "stream.mig.zst")
                   for d in ("qemu10.0-powernv9-fadump", "qemu10.0-powernv9-dumpnode",
                             "qemu7.2-powernv9")]
GOLDEN_STREAM = os.path.join(GOLDEN, "2-post-preserve.mig.zst")


def data_extents(path):
    """[start, end) of the file's data (holes read as zero: not compared)."""
    out, pos, size = [], 0, os.path.getsize(path)
    with open(path, "rb") as f:
        while pos < size:
            try:
                start = os.lseek(f.fileno(), pos, os.SEEK_DATA)
            except OSError:
                break
            end = os.lseek(f.fileno(), start, os.SEEK_HOLE)
            out.append((start, end))
            pos = end
    return out


def differ_at(a, b):
    """First byte offset where files a and b differ (None: equal), reading
    only where either has data: outside both files' data both read zero."""
    if os.path.getsize(a) != os.path.getsize(b):
        return min(os.path.getsize(a), os.path.getsize(b))
    with open(a, "rb") as fa, open(b, "rb") as fb:
        for start, end in sorted(data_extents(a) + data_extents(b)):
            fa.seek(start)
            fb.seek(start)
            while start < end:
                n = min(4 << 20, end - start)
                x, y = fa.read(n), fb.read(n)
                if x != y:
                    return start + next(i for i in range(n) if x[i] != y[i])
                start += n
    return None


def passes(n, *args, rc=0):
    """mpiplctl with MPIPLCTL_PASSES=n; returns (rc, stderr). --no-sync: the
    bytes are compared, durability is test_outputs' business."""
    env = dict(os.environ, MPIPLCTL_PASSES=str(n))
    p = subprocess.run([MPIPLCTL, args[0], "--no-sync"] + [str(a) for a in args[1:]], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    if rc is not None and p.returncode != rc:
        raise AssertionError("%s (PASSES=%s): exit %d, expected %d\n%s"
                             % (" ".join(map(str, args)), n, p.returncode, rc,
                                p.stderr.decode(errors="replace")))
    return p.returncode, p.stderr.decode(errors="replace")


class OnePass(TempDirTest):
    def both(self, cmd, stream, *extra):
        """The output of cmd in one pass and by copying: equal bytes, same
        mode; the one-pass file is kept (its path is returned) until the next."""
        one, two = self.path(cmd + ".one"), self.path(cmd + ".two")
        passes(1, cmd, "-q", stream, "-o", one, *extra)
        passes(2, cmd, "-q", stream, "-o", two, *extra)
        self.assertIsNone(differ_at(one, two), "%s %s" % (cmd, stream))
        self.assertEqual(stat.S_IMODE(os.stat(one).st_mode), stat.S_IMODE(os.stat(two).st_mode))
        os.unlink(two)
        return one

    def test_real_fixture_streams(self):
        found = [s for s in FIXTURE_STREAMS if os.path.exists(s)]
        if not found:
            self.skipTest("no fixture streams in fixtures/")
        for s in found:
            self.both("extract", s)
            self.both("preserve", s)
            # A plain core where the guest registered no fadump.
            self.both("vmcore", s, "--synthesize")

    @unittest.skipUnless(os.path.exists(GOLDEN_STREAM), "no golden stream at " + GOLDEN_STREAM)
    def test_real_golden_stream(self):
        self.both("extract", GOLDEN_STREAM)
        self.both("preserve", GOLDEN_STREAM)
        self.both("vmcore", GOLDEN_STREAM)

    def generated(self, name, order, *args):
        raw = self.path(name + ".raw")
        man, cpu = mkimage(raw, "--size", "256M", *args)
        late = [man[k] for k in ("spirah", "mdst", "mddt", "mdrt", "metadata", "fdh", "kmeta",
                                 "vmcoreinfo")]
        late += [e["src"] for e in man["entries"]] + [e["dest"] for e in man["entries"]]
        stream = self.path("%s.%s.mig" % (name, order))
        subprocess.run([sys.executable, MKSTREAM, raw, stream, "--order", order, "--part", "4096"]
                       + ["--late=%d" % a for a in late], check=True)
        return raw, stream, cpu

    def test_generated_streams_in_every_order(self):
        """Against the raw image the stream was made from (read by the
        copying path, as no file is decoded): extract gives it back, and
        preserve of the stream equals preserve of the image."""
        raw, _, cpu = self.generated("g", "ascending", "--regions", "2")
        ref, core = self.path("ref.preserved"), self.path("ref.vmcore")
        passes(2, "preserve", "-q", "--cpu-state", cpu, raw, "-o", ref)
        passes(2, "vmcore", "-q", "--cpu-state", cpu, raw, "-o", core)
        for order in ("ascending", "descending", "shuffle", "adversarial"):
            _, stream, _ = self.generated("g", order, "--regions", "2")
            self.assertIsNone(differ_at(self.both("extract", stream), raw), order)
            self.assertIsNone(differ_at(self.both("preserve", stream, "--cpu-state", cpu), ref),
                              order)
            self.assertIsNone(differ_at(self.both("vmcore", stream, "--cpu-state", cpu), core),
                              order)
            os.unlink(stream)

    def test_vmcore_other_page_size_and_no_copy_file_range(self):
        """The ELF vmcore in one pass when the room left for the headers is
        wrong (a 4 KiB-page kernel: every chunk moves down) and when the
        kernel refuses copy_file_range (strace injects ENOSYS: bytes are read
        and written by hand): the same bytes as the copying path."""
        _, stream, cpu = self.generated("p", "ascending", "--regions", "2",
                                        "--page-size", "4096")
        self.both("vmcore", stream, "--cpu-state", cpu)
        if not shutil.which("strace"):
            self.skipTest("strace is not installed (scripts/install-deps installs it)")
        _, stream, cpu = self.generated("n", "shuffle", "--regions", "2")
        one, two = self.path("n.one"), self.path("n.two")
        # LeakSanitizer cannot run under ptrace: leaks are checked by the other tests.
        asan = os.environ.get("ASAN_OPTIONS", "")
        env = dict(os.environ, MPIPLCTL_PASSES="1",
                   ASAN_OPTIONS=(asan + ":" if asan else "") + "detect_leaks=0")
        p = subprocess.run(["strace", "-f", "-o", self.path("n.strace"), "-e",
                            "inject=copy_file_range:error=ENOSYS", MPIPLCTL, "vmcore", "-q",
                            "--no-sync", "--cpu-state", cpu, stream, "-o", one], env=env,
                           stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        with open(self.path("n.strace")) as f:
            self.assertIn("copy_file_range", f.read(), "the fallback was not exercised")
        passes(2, "vmcore", "-q", "--cpu-state", cpu, stream, "-o", two)
        self.assertIsNone(differ_at(one, two))

    def placed(self, cmd, stream, cpu, out):
        """cmd --json of stream in one pass: (MiB placed at the output's
        offsets and MiB spilled while reading, per the reader's note; the report)."""
        p = subprocess.run([MPIPLCTL, cmd, "--json", "--no-sync", "--cpu-state", cpu, stream,
                            "-o", out], env=dict(os.environ, MPIPLCTL_PASSES="1"),
                           stdout=subprocess.PIPE, check=True)
        report = json.loads(p.stdout)
        notes = [re.match(r"placed while reading: (\d+) MiB .*, (\d+) MiB spilled", n)
                 for n in report["input"]["notes"]]
        notes = [m for m in notes if m]
        if not notes:
            return None, None, report
        return int(notes[0].group(1)), int(notes[0].group(2)), report

    def test_vmcore_pages_placed_while_reading(self):
        """In QEMU's order the RAM above the kernel's reserved area (the last
        PT_LOAD) goes to its vmcore offset as it arrives, not to be moved
        later: the reader's note counts at least 3/4 of it placed. In the
        reverse order the layout is known too late (nothing placed). Both
        give the copying path's bytes."""
        for order in ("ascending", "descending"):
            _, stream, cpu = self.generated("pl", order, "--regions", "2")
            one, two = self.path("pl.one"), self.path("pl.two")
            placed, _, report = self.placed("vmcore", stream, cpu, one)
            loads = [h for h in report["vmcore"]["phdrs"] if h["type"] == "LOAD"]
            passes(2, "vmcore", "-q", "--cpu-state", cpu, stream, "-o", two)
            self.assertIsNone(differ_at(one, two), order)
            if order == "ascending":
                self.assertGreaterEqual(placed, (loads[-1]["size"] >> 20) * 3 // 4)
            else:
                self.assertEqual(placed, 0)

    def test_chained_copies_fall_back_to_copying(self):
        """An MDST entry whose source overlaps another entry's destination:
        the copies' order would matter, so no single pass (PASSES=1 fails),
        and the default output equals the copying path's."""
        raw, stream, cpu = self.generated("o", "ascending", "--overlap")
        rc, err = passes(1, "preserve", "-q", "--cpu-state", cpu, stream, "-o",
                         self.path("o.one"), rc=None)
        self.assertNotEqual(rc, 0)
        self.assertIn("allow no single pass", err)
        self.assertFalse(os.path.exists(self.path("o.one")))
        default, two = self.path("o.default"), self.path("o.two")
        subprocess.run([MPIPLCTL, "preserve", "-q", "--cpu-state", cpu, stream, "-o", default],
                       check=False)
        passes(2, "preserve", "-q", "--cpu-state", cpu, stream, "-o", two, rc=None)
        self.assertIsNone(differ_at(default, two))

    def test_standard_output_is_copied(self):
        """'-' cannot become a file: the copying path, same bytes."""
        raw, stream, cpu = self.generated("s", "shuffle")
        out = self.path("s.stdout")
        with open(out, "wb") as f:
            subprocess.run([MPIPLCTL, "extract", "-q", stream, "-o", "-"], stdout=f, check=True)
        self.assertIsNone(differ_at(out, raw))


if __name__ == "__main__":
    unittest.main()
