# SPDX-License-Identifier: GPL-2.0-or-later
"""What the crashed kernel left in RAM, read without a vmlinux: `mpiplctl dmesg`
against kexec-tools' vmcore-dmesg, the crash summary of `inspect` against the
kernel's own oops text and System.map, and the VMCOREINFO note, page size and
CPU note order of `vmcore --synthesize` against readelf, vmcore-dmesg and
libkdumpfile."""

import json
import os
import re
import shutil
import struct
import subprocess
import unittest

from common import GOLDEN, KDUMPCHECK, REPO, TempDirTest, mpiplctl, qemu_registers, run
from elfcheck import NIP, Core

FIXTURES = os.path.join(REPO, "fixtures")
VMCORE_DMESG = shutil.which("vmcore-dmesg") or "/usr/sbin/vmcore-dmesg"
HAVE_VMCORE_DMESG = os.path.exists(VMCORE_DMESG)
# The oops backtrace lines: "[stack pointer] [address] symbol+0xoff/0xsize".
BACKTRACE = re.compile(r"^\[c[0-9a-f]{15}\] \[(c[0-9a-f]{15})\] ([\w.]+\+0x[0-9a-f]+/0x[0-9a-f]+)",
                       re.M)


def vmcore_dmesg(path):
    p = subprocess.run([VMCORE_DMESG, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    return p.stdout


def our_dmesg(*args):
    p = subprocess.run([os.path.join(REPO, "build", "mpiplctl"), "dmesg"] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    return p.stdout


def vmcoreinfo_note(core):
    texts = [d for name, t, d in Core(core).notes() if name == b"VMCOREINFO"]
    assert len(texts) == 1, texts
    return texts[0].decode()


def inspect(*args):
    _, out, _ = mpiplctl("inspect", "--json", "-q", *args)
    return json.loads(out)["crashed_kernel"]


def system_map_symbol(path, addr):
    """The kernel's %pS of addr from System.map: the last symbol at or below it,
    sized to the next higher address (an independent model of kallsyms)."""
    syms = []
    with open(path) as f:
        for line in f:
            a, t, name = line.split()[:3]
            syms.append((int(a, 16), name))
    below = [s for s in syms if s[0] <= addr]
    base = max(s[0] for s in below)
    name = [s[1] for s in syms if s[0] == base][0]
    nxt = min(s[0] for s in syms if s[0] > base)
    return "%s+0x%x/0x%x" % (name, addr - base, nxt - base)


@unittest.skipUnless(os.path.isdir(GOLDEN), "golden data not present at " + GOLDEN)
@unittest.skipUnless(HAVE_VMCORE_DMESG, "vmcore-dmesg (kexec-tools) not installed")
class GoldenDmesg(TempDirTest):
    """The real capture kernel's /proc/vmcore and our vmcore of the same state."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.real = os.path.join(cls.tmp, "vmcore")
        run(["zstd", "-dq", "--sparse", os.path.join(GOLDEN, "vmcore.zst"), "-o", cls.real],
            check_rc=0)
        cls.real_log = vmcore_dmesg(cls.real)

    def test_dmesg_byte_identical_on_the_real_vmcore(self):
        self.assertGreater(self.real_log.count(b"\n"), 100)
        self.assertEqual(our_dmesg(self.real), self.real_log)
        self.assertEqual(our_dmesg(os.path.join(GOLDEN, "vmcore.zst")), self.real_log)

    def test_dmesg_byte_identical_on_our_vmcore(self):
        ours = os.path.join(self.tmp, "ours.vmcore")
        mpiplctl("vmcore", os.path.join(GOLDEN, "2-post-preserve.mig.zst"), "--profile=qemu",
                 "-o", ours, "-q")
        self.assertEqual(vmcore_dmesg(ours), self.real_log)
        self.assertEqual(our_dmesg(ours), self.real_log)
        # and straight from the saved state, without writing a vmcore
        self.assertEqual(our_dmesg(os.path.join(GOLDEN, "2-post-preserve.mig.zst")),
                         self.real_log)
        os.unlink(ours)

    def test_dmesg_after_the_mpipl_reads_the_preserved_copy(self):
        """A post-MPIPL image whose boot memory the capture kernel has reused
        (here: punched to zeros): the log comes from the fadump destination."""
        post = os.path.join(self.tmp, "post.raw")
        mpiplctl("preserve", "--profile=qemu", os.path.join(GOLDEN, "2-post-preserve.mig.zst"),
                 "-o", post, "-q")
        run(["fallocate", "--punch-hole", "--offset", "0", "--length", str(0x30000000), post],
            check_rc=0)
        self.assertEqual(our_dmesg("-q", post), self.real_log)
        k = inspect(post)
        self.assertEqual(k["vmcoreinfo"]["source"], "crash-info-header")
        self.assertEqual(k["panic"], "Kernel panic - not syncing: sysrq triggered crash")
        os.unlink(post)

    def test_json_one_record_per_line(self):
        lines = our_dmesg("--json", self.real).decode().splitlines()
        text = [json.loads(line) for line in lines]
        # vmcore-dmesg's format rebuilt from the records (bytes are Latin-1 code points)
        rebuilt = b""
        for r in text:
            rebuilt += b"[%5d.%06d] " % (r["ts_nsec"] // 10**9, r["ts_nsec"] % 10**9 // 1000)
            for c in r["text"].encode("latin-1"):
                keep = 0x20 <= c <= 0x7E or 9 <= c <= 13
                rebuilt += bytes([c]) if keep else b"\\x%02x" % c
            rebuilt += b"\n"
        self.assertEqual(rebuilt, self.real_log)
        panic = [r for r in text if r["text"].startswith("Kernel panic - not syncing")]
        self.assertEqual(panic[0]["text"], "Kernel panic - not syncing: sysrq triggered crash")
        self.assertEqual(panic[0]["level"], 0)  # KERN_EMERG
        seqs = [r["seq"] for r in text]
        self.assertEqual(seqs, sorted(seqs))

    def test_summary_agrees_with_system_map_and_console(self):
        smap = os.path.join(GOLDEN, "System.map-6.12.117-fadump")
        k = inspect(os.path.join(GOLDEN, "2-post-preserve.mig.zst"))
        self.assertEqual(k["vmcoreinfo"]["source"], "crash-info-header")
        self.assertTrue(k["vmcoreinfo"]["validated"])
        self.assertEqual(k["release"], "6.12.117")
        self.assertEqual(k["vmcoreinfo"]["size"],
                         len(vmcoreinfo_note(self.real).rstrip("\0")))
        self.assertEqual(k["panic"], "Kernel panic - not syncing: sysrq triggered crash")
        with open(os.path.join(GOLDEN, "console.log"), errors="replace") as f:
            console = f.read()
        cpu = int(re.search(r"Kernel panic - not syncing: sysrq.*\n.*CPU: (\d+) UID", console)
                  .group(1))
        self.assertEqual(k["panic_cpu"], cpu)
        regs = k["crash_regs"]
        self.assertEqual(regs["nip_symbol"], system_map_symbol(smap, int(regs["nip"], 16)))
        self.assertEqual(regs["lr_symbol"], system_map_symbol(smap, int(regs["lr"], 16)))
        self.assertTrue(regs["nip_symbol"].startswith("crash_fadump+"))
        for c in k["cpus"]:
            for key in ("nip", "lr"):
                if c[key + "_symbol"]:
                    self.assertEqual(c[key + "_symbol"],
                                     system_map_symbol(smap, int(c[key], 16)), c)
        # every frame of the kernel's own oops backtrace
        frames = BACKTRACE.findall(console)
        self.assertGreater(len(frames), 5)
        k = inspect(os.path.join(GOLDEN, "2-post-preserve.mig.zst"), "--symbolize",
                    ",".join("0x" + a for a, _ in frames))
        self.assertEqual([s["symbol"] for s in k["symbols"]], [s for _, s in frames])


class _FixtureCore:
    """A plain core (--synthesize) of a real fixture guest that panicked."""

    SET = None
    SYNTH = "--synthesize"
    STREAM = "stream.mig.zst"
    OTHER_INPUTS = ()  # the same guest in other formats

    @classmethod
    def fx(cls, name):
        return os.path.join(FIXTURES, cls.SET, name)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.core = os.path.join(cls.tmp, "plain.vmcore")
        mpiplctl("vmcore", cls.SYNTH, cls.fx(cls.STREAM), "-o", cls.core, "-q")
        with open(cls.fx("console.log"), errors="replace") as f:
            cls.console = f.read()

    def panic_cpu(self):
        return int(re.search(r"Kernel panic - not syncing: sysrq.*\n(?:.*\n)?CPU: (\d+) UID",
                             self.console).group(1))

    def test_vmcoreinfo_note_of_the_running_kernel(self):
        p = subprocess.run(["readelf", "-W", "-n", self.core], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=300)
        out = p.stdout.decode(errors="replace")
        self.assertEqual(p.returncode, 0, out)
        self.assertNotRegex(out.lower(), r"warning|error|corrupt")
        self.assertEqual(out.count("NT_PRSTATUS"), 2)
        self.assertEqual(out.count("VMCOREINFO"), 1)
        text = vmcoreinfo_note(self.core)
        release = re.search(r"Linux version (\S+)", self.console).group(1)
        self.assertTrue(text.startswith("OSRELEASE=%s\n" % release), text[:40])
        self.assertIn("\nPAGESIZE=65536\n", text)
        k = inspect(self.fx(self.STREAM))
        self.assertEqual(k["vmcoreinfo"]["size"], len(text))

    @unittest.skipUnless(HAVE_VMCORE_DMESG, "vmcore-dmesg (kexec-tools) not installed")
    def test_dmesg_equals_vmcore_dmesg_on_the_plain_core(self):
        theirs = vmcore_dmesg(self.core)
        self.assertIn(b"Kernel panic - not syncing: sysrq triggered crash\n", theirs)
        self.assertEqual(our_dmesg(self.fx(self.STREAM)), theirs)
        self.assertEqual(our_dmesg(self.core), theirs)
        for name in self.OTHER_INPUTS:
            self.assertEqual(our_dmesg(self.fx(name)), theirs, name)

    def test_panicking_cpu_note_first(self):
        """crash gives the notes, in order, to the online CPUs; after the panic only
        the panicking CPU is online, so its note must come first."""
        cpu = self.panic_cpu()
        want = qemu_registers(self.fx("registers.txt"))
        regs = Core(self.core).prstatus_regs()
        self.assertEqual(regs[0][NIP], want[cpu]["nip"])
        self.assertEqual(sorted(r[NIP] for r in regs), sorted(w["nip"] for w in want))
        k = inspect(self.fx(self.STREAM))
        self.assertEqual(k["panic_cpu"], cpu)
        self.assertEqual([c["cpu"] for c in k["cpus"] if c["online"]], [cpu])

    def test_symbols_match_the_oops_text(self):
        frames = BACKTRACE.findall(self.console)
        self.assertGreater(len(frames), 5)
        k = inspect(self.fx(self.STREAM), "--symbolize",
                    ",".join("0x" + a for a, _ in frames))
        self.assertEqual([s["symbol"] for s in k["symbols"]], [s for _, s in frames])


@unittest.skipUnless(os.path.isdir(os.path.join(FIXTURES, "qemu10.0-powernv9-dumpnode")),
                     "fixture set missing")
class DumpNodePlain(_FixtureCore, TempDirTest):
    """No fadump registration: a panic on CPU 0."""

    SET = "qemu10.0-powernv9-dumpnode"
    OTHER_INPUTS = ("dump.elf.zst", "dump.kdump-zlib.zst", "mapped-ram.mig.zst",
                    "savevm.qcow2.zst")


@unittest.skipUnless(os.path.isdir(os.path.join(FIXTURES, "qemu7.2-powernv9")),
                     "fixture set missing")
class Qemu72Plain(_FixtureCore, TempDirTest):
    """QEMU 7.2's formats of a guest that panicked without fadump."""

    SET = "qemu7.2-powernv9"
    OTHER_INPUTS = ("dump.elf.zst", "dump.kdump-zlib.zst", "savevm.qcow2.zst")


@unittest.skipUnless(os.path.isdir(os.path.join(FIXTURES, "qemu10.0-powernv9-offset")),
                     "fixture set missing")
class OffsetPlain(_FixtureCore, TempDirTest):
    """Streams written at a file offset (migrate file:PATH,offset=N)."""

    SET = "qemu10.0-powernv9-offset"
    STREAM = "stream-offset.mig.zst"
    OTHER_INPUTS = ("mapped-ram-offset.mig.zst",)


@unittest.skipUnless(os.path.isdir(os.path.join(FIXTURES, "qemu10.0-powernv9-fadump")),
                     "fixture set missing")
class FadumpStatePlain(_FixtureCore, TempDirTest):
    """The fadump guest as it was saved (--synthesize=always): a panic on CPU 1 (PIR 4)."""

    SET = "qemu10.0-powernv9-fadump"
    SYNTH = "--synthesize=always"

    def test_kdump_block_size_is_the_kernel_page_size(self):
        """libkdumpfile reads the kdump form with the kernel's 64 KiB pages, every
        page equal to the ELF core's."""
        kd = os.path.join(self.tmp, "plain.kdump")
        mpiplctl("vmcore", self.SYNTH, self.fx(self.STREAM), "--format=kdump", "-o", kd,
                 "-q")
        with open(kd, "rb") as f:
            hdr = f.read(4096)
        self.assertEqual(hdr[:8], b"KDUMP   ")
        # disk_dump_header: signature[8], header_version, utsname (6 x 65) padded
        # to 8 (408), timestamp (2 longs), status, block_size (makedumpfile's
        # diskdump_mgmt.h)
        block_size = struct.unpack_from("<i", hdr, 408 + 16 + 4)[0]
        self.assertEqual(block_size, 65536)
        _, out, err = run([KDUMPCHECK, kd, self.core], check_rc=0)
        self.assertIn("65536-byte pages", out + err)
        os.unlink(kd)


class BadVmcoreinfo(TempDirTest):
    """--vmcoreinfo that is not one, and one whose ring points outside RAM; the
    output rules for the log."""

    def test_log_output_rules(self):
        img = os.path.join(FIXTURES, "qemu10.0-powernv9-dumpnode", "stream.mig.zst")
        with open("/dev/full", "wb") as full:
            p = subprocess.run([os.path.join(REPO, "build", "mpiplctl"), "dmesg", "-q", img],
                               stdout=full, stderr=subprocess.PIPE, timeout=300)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"No space left", p.stderr)
        log = self.path("dmesg.txt")
        mpiplctl("dmesg", "-q", img, "-o", log)
        self.assertEqual(os.stat(log).st_mode & 0o777, 0o600)
        with open(log, "rb") as f:
            self.assertEqual(f.read(), our_dmesg("-q", img))
        _, _, err = mpiplctl("dmesg", "-q", img, "-o", img, rc=2)
        self.assertIn("refusing", err)

    def test_not_a_vmcoreinfo_file(self):
        bad = self.path("bad.txt")
        with open(bad, "w") as f:
            f.write("hello\n")
        img = os.path.join(FIXTURES, "qemu10.0-powernv9-dumpnode", "stream.mig.zst")
        _, _, err = mpiplctl("dmesg", img, "--vmcoreinfo=" + bad, rc=2)
        self.assertIn(bad, err)
        self.assertIn("OSRELEASE", err)

    def test_ring_outside_ram(self):
        img = os.path.join(FIXTURES, "qemu10.0-powernv9-dumpnode", "stream.mig.zst")
        core = self.path("c.vmcore")
        mpiplctl("vmcore", "--synthesize", img, "-o", core, "-q")
        text = vmcoreinfo_note(core).rstrip("\0")
        text = re.sub(r"SYMBOL\(prb\)=\w+", "SYMBOL(prb)=c00000fff0000000", text)
        text = re.sub(r"SYMBOL\(kallsyms_num_syms\)=\w+",
                      "SYMBOL(kallsyms_num_syms)=c00000fff0000000", text)
        vi = self.path("vmcoreinfo")
        with open(vi, "w") as f:
            f.write(text)
        _, _, err = mpiplctl("dmesg", img, "--vmcoreinfo=" + vi, rc=2)
        self.assertIn("not in guest RAM", err)
        k = inspect(img, "--vmcoreinfo=" + vi)  # a partial answer, exit 0
        self.assertEqual(k["vmcoreinfo"]["source"], "file")
        self.assertIn("not in guest RAM", k["log"]["error"])
        self.assertIn("not in guest RAM", k["kallsyms_error"])
        self.assertIsNone(k["panic"])
        os.unlink(core)


if __name__ == "__main__":
    unittest.main()
