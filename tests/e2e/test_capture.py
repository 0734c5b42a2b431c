# SPDX-License-Identifier: GPL-2.0-or-later
"""mpiplctl capture against a fake QMP server (fakeqmp.py) that serves the
real fadump fixture: its RAM through `xp`, and its migration stream through
the descriptor capture passes with getfd. The real-QEMU run is tests/qemu/
(make check-qemu).

The crash is simulated by hiding the crash info header's crashing_cpu
(0xffffffff, as Linux writes it at registration) until --crash-after seconds.
The header's address is found here from the fixture's RAM by an independent
model of the structures (skiboot metadata -> KERNEL tag -> fadumphdr_addr)."""

import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time
import unittest

from common import MPIPLCTL, REPO, run

FIXTURE = os.path.join(REPO, "fixtures", "qemu10.0-powernv9-fadump", "stream.mig.zst")
FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fakeqmp.py")
METADATA = 0x30000000 + 0x1C08000  # skiboot base + its mpipl_metadata offset (mpipl.md)

_shared = {}


def setUpModule():
    d = tempfile.mkdtemp(prefix="capture-")
    _shared["dir"] = d
    stream = os.path.join(d, "stream.mig")
    run(["zstd", "-dqf", FIXTURE, "-o", stream], check_rc=0)
    ram = os.path.join(d, "ram.raw")
    run([MPIPLCTL, "extract", "-q", stream, "-o", ram], check_rc=0)
    ref = os.path.join(d, "ref.vmcore")
    run([MPIPLCTL, "vmcore", "-q", stream, "-o", ref], check_rc=0)
    _shared.update(stream=stream, ram=ram, ref=ref, hdr=crash_header_addr(ram))


def tearDownModule():
    shutil.rmtree(_shared["dir"], ignore_errors=True)


def crash_header_addr(ram):
    """fadumphdr_addr, read as the structures say (big-endian OPAL side)."""
    with open(ram, "rb") as f:
        f.seek(METADATA)
        _pir, kernel_tag = struct.unpack(">IQ", f.read(12))
        f.seek(kernel_tag + 8)  # version, reserved[3], region_cnt, registered_regions
        (hdr,) = struct.unpack(">Q", f.read(8))
        f.seek(hdr)
        assert f.read(8) == b"GISPMDAF", "the fixture's header is FADMPSIG, little-endian"
    return hdr


class Fake:
    """One fakeqmp.py process; .log() returns the commands it received."""

    def __init__(self, d, *args):
        self.sock = os.path.join(d, "qmp.sock")
        self.logf = os.path.join(d, "qmp.log")
        for p in (self.sock, self.logf):
            if os.path.exists(p):
                os.unlink(p)
        self.p = subprocess.Popen([sys.executable, FAKE, self.sock, "--ram", _shared["ram"],
                                   "--stream", _shared["stream"], "--log", self.logf]
                                  + [str(a) for a in args], stdout=subprocess.PIPE)
        assert self.p.stdout.readline().strip() == b"ready"

    def log(self):
        with open(self.logf) as f:
            return [json.loads(line) for line in f]

    def commands(self):
        return [e["cmd"] for e in self.log() if "cmd" in e
                and e["cmd"] not in ("human-monitor-command", "query-status")]

    def close(self):
        self.p.kill()
        self.p.wait()
        self.p.stdout.close()


class CaptureTest(unittest.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp(dir=_shared["dir"])
        self.out = os.path.join(self.d, "vmcore")
        self.fake = None

    def tearDown(self):
        if self.fake:
            self.fake.close()
        shutil.rmtree(self.d, ignore_errors=True)

    def start(self, *args):
        self.fake = Fake(self.d, *args)
        return self.fake.sock

    def crashing(self, after=1.0, *args):
        return self.start("--crash-after", str(after), "--hide", "%#x:4" % (_shared["hdr"] + 12),
                          *args)

    def capture(self, *args, rc=0):
        p = run([MPIPLCTL, "capture", "-o", self.out] + [str(a) for a in args])
        if p[0] != rc:
            self.fail("capture exit %d, expected %d\n%s%s" % (p[0], rc, p[1], p[2]))
        return p

    def assert_failed_cleanly(self, err, *words):
        lines = [l for l in err.splitlines() if l]
        self.assertEqual(len(lines), 1, err)
        for w in words:
            self.assertIn(w, lines[0])
        self.assertFalse(os.path.exists(self.out))
        self.assertEqual([f for f in os.listdir(self.d) if f.startswith(".")
                          or "vmcore" in f], [])

    def test_live_crash_gives_the_vmcore_of_the_saved_stream(self):
        sock = self.crashing(1.0)
        t = time.monotonic()
        _, out, err = self.capture("--qmp", sock, "--timeout", 30)
        self.assertGreaterEqual(time.monotonic() - t, 1.0, "it waited for the crash")
        with open(self.out, "rb") as a, open(_shared["ref"], "rb") as b:
            self.assertTrue(a.read() == b.read(), "capture and vmcore of the stream differ")
        self.assertIn("crashing_cpu 0x4", err)
        # stopped before the migration, never resumed, left paused
        self.assertEqual(self.fake.commands(),
                         ["qmp_capabilities", "qom-get", "stop", "getfd", "migrate",
                          "query-migrate"])
        self.fake.close()
        self.assertEqual(self.fake.log()[-1], {"final": "postmigrate"})

    def test_resume_and_quit(self):
        for flag, last in (("--resume", "cont"), ("--quit", "quit")):
            sock = self.crashing(0.2)
            self.capture("--qmp", sock, flag, "-q")
            self.assertEqual(self.fake.commands()[-1], last)
            self.fake.close()
            os.unlink(self.out)

    def test_json_report(self):
        sock = self.crashing(0.2)
        _, out, _ = self.capture("--qmp", sock, "--json", "--format", "kdump")
        doc = json.loads(out)
        self.assertEqual(doc["command"], "capture")
        self.assertEqual(doc["format"], "kdump")
        c = doc["capture"]
        self.assertEqual((c["machine"], c["qemu"], c["trigger"], c["crashing_cpu"]),
                         ("powernv9-machine", "10.0.2", "crash-info-header", "0x4"))
        self.assertEqual((c["status_before"], c["guest_after"]), ("running", "paused"))
        with open(self.out, "rb") as f:
            self.assertEqual(f.read(8), b"KDUMP   ")

    def test_console_line_is_a_trigger(self):
        console = os.path.join(self.d, "console.log")
        with open(console, "w") as f:
            f.write("[   14.498415305,5] Reboot: OS reported error. Performing MPIPL\n")
        # RAM never shows the crash here: only the console can trigger
        sock = self.crashing(3600)
        _, _, err = self.capture("--qmp", sock, "--console", console, "--timeout", 30)
        self.assertIn('console line "Performing MPIPL"', err)

    def test_missing_socket(self):
        _, _, err = self.capture("--qmp", os.path.join(self.d, "none.sock"), rc=2)
        self.assert_failed_cleanly(err, "no such socket", "-qmp unix:")

    def test_not_qmp(self):
        sock = self.start("--not-qmp")
        _, _, err = self.capture("--qmp", sock, rc=2)
        self.assert_failed_cleanly(err, "not a QMP socket")

    def test_not_powernv(self):
        sock = self.start("--machine", "pseries-10.0-machine")
        _, _, err = self.capture("--qmp", sock, rc=2)
        self.assert_failed_cleanly(err, "pseries-10.0-machine", "not powernv")
        self.assertNotIn("stop", self.fake.commands())

    def test_never_crashes(self):
        sock = self.crashing(3600)
        _, _, err = self.capture("--qmp", sock, "--timeout", 1, rc=2)
        self.assert_failed_cleanly(err, "no crash within 1 s", "crashing_cpu 0xffffffff")
        self.assertNotIn("stop", self.fake.commands())

    def test_not_registered(self):
        sock = self.start("--no-registration")
        _, _, err = self.capture("--qmp", sock, "--timeout", 1, rc=2)
        self.assert_failed_cleanly(err, "no fadump registration", "--synthesize")
        self.assertNotIn("stop", self.fake.commands())

    def test_not_registered_and_paused_with_synthesize(self):
        # (the registration is hidden from RAM reads only: the stream still has it)
        sock = self.start("--no-registration", "--status", "paused")
        _, out, _ = self.capture("--qmp", sock, "--synthesize", "--json")
        doc = json.loads(out)
        self.assertEqual(doc["capture"]["trigger"], "paused")
        self.assertEqual(doc["capture"]["status_before"], "paused")
        # paused before: capture did not stop it, and leaves it as QEMU leaves it
        self.assertNotIn("stop", self.fake.commands())

    def test_migration_fails_midway(self):
        sock = self.crashing(0.2, "--fail-after", 5 << 20)
        _, _, err = self.capture("--qmp", sock, rc=2)
        self.assert_failed_cleanly(err, "migration failed", "fake cut")
        # the guest ran before: it runs again
        self.assertEqual(self.fake.commands()[-1], "cont")

    def test_disk_full(self):
        if not os.path.exists("/dev/full"):
            self.skipTest("no /dev/full")
        sock = self.crashing(0.2)
        p = run([MPIPLCTL, "capture", "-q", "--qmp", sock, "-o", "/dev/full"])
        self.assertEqual(p[0], 2, p[2])
        self.assertIn("No space left on device", p[2])
        self.assertEqual(len(p[2].splitlines()), 1, p[2])
        self.assertEqual(self.fake.commands()[-1], "cont")

    def test_no_image_argument(self):
        _, _, err = self.capture("--qmp", "x.sock", "stream.mig", rc=2)
        self.assertIn("no IMAGE", err)


if __name__ == "__main__":
    unittest.main()
