#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""`make check-qemu`: mpiplctl capture on real QEMU guests (boots them: minutes).

Uses the cache of fixtures/make-qemu-fixtures (`--prepare` fills it): Debian's
QEMU 10.0 (bookworm-backports), the fixture fadump kernel and its busybox
initramfs, whose /init triggers sysrq-c one second after boot. The guest is the
fadump fixture's: powernv9, 2 GiB, 2 CPUs, fadump=on, and the device tree of
`mpiplctl dtb --no-mpipl-boot` on QEMU's own.

  live:      capture attached right after QEMU starts waits for the kernel's
             registration and crash, stops the guest and writes the vmcore; the
             guest is left paused (postmigrate); the vmcore holds the panic.
  same state: a reference guest is stopped by this script at skiboot's
             "Performing MPIPL" line and migrated by QEMU itself to a file; a
             second QEMU loads that file (paused, the same state); capture of
             that guest must equal `mpiplctl vmcore` of the file, byte for byte.
  7.2:       QEMU 7.2 ignores -dtb on powernv: capture says so (no registration).
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MPIPLCTL = os.environ.get("MPIPLCTL", os.path.join(REPO, "build", "mpiplctl"))
CACHE = os.environ.get("MPIPLFIX_CACHE", "/var/tmp/mpiplctl-fixtures")
QEMU10 = os.path.join(CACHE, "qemu-10", "usr", "bin", "qemu-system-ppc64")
FW10 = os.path.join(CACHE, "qemu-10", "usr", "share", "qemu")
QEMU72 = "/usr/bin/qemu-system-ppc64"
# The fadump fixture's guest (fixtures/make-qemu-fixtures, APPEND_FADUMP).
APPEND = "console=hvc0 init_on_free=1 panic=0 fadump=on mpiplfix.crash=1"
MACHINE = ["-M", "powernv9", "-m", "2G", "-smp", "2", "-display", "none"]
# The panic message of sysrq-c (drivers/tty/sysrq.c), in the kernel's log buffer.
PANIC = b"sysrq triggered crash"
BOOT_TIMEOUT = 600
VMCORE_DMESG = shutil.which("vmcore-dmesg") or "/usr/sbin/vmcore-dmesg"


# The fixture kernel with its symbols and DWARF, for crash: the script's
# vmlinux.debug when it keeps one, else the build tree's vmlinux.
DEBUG_VMLINUX = next((p for p in (os.path.join(CACHE, "vmlinux.debug"),
                                  os.path.join(CACHE, "linux", "vmlinux"))
                      if os.path.exists(p)), os.path.join(CACHE, "vmlinux.debug"))


def crash_unavailable():
    """None when crash can read a vmcore here, else why not."""
    sys.path.insert(0, os.path.join(REPO, "tests", "crash"))
    try:
        import crashrun
    except ImportError:
        return "no crash harness (tests/crash/crashrun.py)"
    why = crashrun.crash_missing()
    if why:
        return why
    p = subprocess.run(["readelf", "-S", DEBUG_VMLINUX], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    if b".debug_info" not in p.stdout:
        return DEBUG_VMLINUX + " has no DWARF (build the kernel with KCFLAGS=-g)"
    return None


def qemu_env():
    env = dict(os.environ)
    env["QEMU_MODULE_DIR"] = "/nonexistent"  # 10.0 must not load 7.2's modules
    return env


class Qmp:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.f = self.s.makefile("rw")
        json.loads(self.f.readline())
        self.call("qmp_capabilities")

    def call(self, cmd, args=None):
        msg = {"execute": cmd}
        if args is not None:
            msg["arguments"] = args
        self.f.write(json.dumps(msg) + "\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "event" in r:
                continue
            if "error" in r:
                raise AssertionError("QMP %s: %s" % (cmd, r["error"]))
            return r["return"]

    def status(self):
        return self.call("query-status")["status"]

    def close(self):
        self.f.close()
        self.s.close()


class Guest:
    def __init__(self, d, name, qemu, args):
        self.sock = os.path.join(d, name + ".sock")
        self.console = os.path.join(d, name + ".console")
        self.log = os.path.join(d, name + ".log")
        fw = ["-L", FW10] if qemu == QEMU10 else []
        with open(self.log, "w") as log:
            self.p = subprocess.Popen([qemu] + fw + MACHINE + [
                "-serial", "file:" + self.console, "-monitor", "none",
                "-qmp", "unix:%s,server=on,wait=off" % self.sock] + args,
                stdout=log, stderr=subprocess.STDOUT, env=qemu_env())
        for _ in range(200):
            if os.path.exists(self.sock):
                return
            time.sleep(0.05)
        raise AssertionError("%s: no QMP socket" % name)

    def wait_console(self, regex, timeout=BOOT_TIMEOUT):
        t = time.monotonic()
        while time.monotonic() - t < timeout:
            if self.p.poll() is not None:
                raise AssertionError("QEMU exited: " + open(self.log).read())
            if os.path.exists(self.console):
                with open(self.console, errors="replace") as f:
                    if re.search(regex, f.read()):
                        return
            time.sleep(0.2)
        raise AssertionError("no %r on the console" % regex)

    def qmp(self):
        return Qmp(self.sock)

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()


def run(args, rc=0):
    p = subprocess.run([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != rc:
        raise AssertionError("%s: exit %d (want %d)\n%s%s" % (
            " ".join(map(str, args)), p.returncode, rc, p.stdout.decode(), p.stderr.decode()))
    return p.stdout.decode(), p.stderr.decode()


def contains(path, needle):
    with open(path, "rb") as f:
        tail = b""
        while True:
            b = f.read(8 << 20)
            if not b:
                return False
            if needle in tail + b:
                return True
            tail = b[-len(needle):]


class CaptureQemu(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for need in (QEMU10, os.path.join(CACHE, "vmlinux"), os.path.join(CACHE, "initrd.cpio.gz")):
            if not os.path.exists(need):
                raise unittest.SkipTest("%s missing: run fixtures/make-qemu-fixtures --prepare"
                                        % need)
        cls.d = tempfile.mkdtemp(prefix="check-qemu-")
        cls.boot = ["-kernel", os.path.join(CACHE, "vmlinux"),
                    "-initrd", os.path.join(CACHE, "initrd.cpio.gz")]
        qemu_dtb = os.path.join(cls.d, "qemu.dtb")
        p = subprocess.run([QEMU10, "-L", FW10] + MACHINE + cls.boot + [
            "-append", APPEND, "-S", "-monitor", "stdio", "-serial", "none"],
            input=b"dumpdtb %s\nquit\n" % qemu_dtb.encode(), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=qemu_env(), timeout=120)
        assert os.path.exists(qemu_dtb), "QEMU 10 wrote no device tree (%d)" % p.returncode
        cls.dtb = os.path.join(cls.d, "fadump.dtb")
        run([MPIPLCTL, "dtb", "--no-mpipl-boot", qemu_dtb, "-o", cls.dtb])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.d, ignore_errors=True)

    def guest(self, name, *extra, qemu=QEMU10):
        args = self.boot + (["-dtb", self.dtb] if qemu == QEMU10 else ["-append", APPEND])
        g = Guest(self.d, name, qemu, args + list(extra))
        self.addCleanup(g.stop)
        return g

    def test_live(self):
        g = self.guest("live")
        out = os.path.join(self.d, "live.vmcore")
        log = os.path.join(self.d, "live.dmesg")
        stdout, _ = run([MPIPLCTL, "capture", "--qmp", g.sock, "--console", g.console,
                         "--timeout", BOOT_TIMEOUT, "--interval", "1", "--json", "-o", out,
                         "--dmesg", log])
        doc = json.loads(stdout)
        c = doc["capture"]
        print("\nlive capture: %s" % json.dumps(c), file=sys.stderr)
        self.assertEqual((doc["kind"], c["status_before"]), ("fadump", "running"))
        self.assertIn(c["trigger"], ("crash-info-header", "console"))
        with open(g.console, errors="replace") as f:
            console = f.read()
        self.assertIn("opal fadump: Registration is successful", console)
        if c["trigger"] == "crash-info-header":
            # skiboot's record of the PIR (its console line may not be out yet)
            self.assertTrue(c["skiboot_recorded_pir"], c)
            self.assertEqual(c["skiboot_crashing_pir"], c["crashing_cpu"])
            pir = re.search(r"DUMP: Crashing PIR = (0x[0-9a-f]+)", console)
            if pir:
                self.assertEqual(int(pir.group(1), 16), int(c["crashing_cpu"], 16))
        # Stopped before the MPIPL reboot got anywhere: one kernel boot on the
        # console. Whether skiboot had begun its reset path ("RESET: Fast reboot
        # disabled", then flash access faults) is a race with the 1 ms polls on a
        # busy host (seen once in CI); the crashed kernel's memory is intact then.
        self.assertLessEqual(console.count("Linux version "), 1, "the guest booted again")
        if "RESET: Fast reboot disabled" in console:
            print("live capture: stopped after skiboot's reset began (busy host)",
                  file=sys.stderr)
        q = g.qmp()
        self.assertEqual(q.status(), "postmigrate")
        q.close()
        self.assertTrue(contains(out, PANIC), "no panic string in the vmcore")
        readelf = subprocess.run(["readelf", "-W", "-n", out], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
        self.assertEqual(readelf.stderr, b"")
        self.assertEqual(readelf.stdout.count(b"NT_PRSTATUS"), 2)
        with self.subTest("dmesg"):
            self.check_dmesg(log, out)
        with self.subTest("crash"):
            if "MCE: CPU" in console and int(c.get("crashing_cpu", "0"), 16) != 0:
                # A host too slow (2 busy cores) stops the guest after skiboot's
                # machine check, the fixture's later state (see the manual): then
                # crash finds no note for a panic off CPU 0 (seen 2 times in 7).
                self.skipTest("capture stopped after skiboot's machine check (MCE lines "
                              "on the console): host too slow; crash misreads a panic "
                              "off CPU 0 then")
            self.check_with_crash(out)

    def check_dmesg(self, log, vmcore):
        """--dmesg: the panic, and the same bytes as `mpiplctl dmesg` and
        kexec-tools' vmcore-dmesg of the vmcore."""
        with open(log, "rb") as f:
            got = f.read()
        self.assertIn(b"Kernel panic - not syncing: " + PANIC, got)
        self.assertIn(b"opal fadump: Registration is successful", got)
        ours = subprocess.run([MPIPLCTL, "dmesg", "-q", vmcore], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
        self.assertEqual((ours.returncode, ours.stdout), (0, got), ours.stderr)
        if not os.path.exists(VMCORE_DMESG):
            self.skipTest("vmcore-dmesg (kexec-tools) not installed")
        theirs = subprocess.run([VMCORE_DMESG, vmcore], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        self.assertEqual((theirs.returncode, theirs.stdout), (0, got), theirs.stderr)

    def check_with_crash(self, vmcore):
        """crash (tests/crash, issue 9's harness) on the live vmcore: the panic,
        two CPUs, the panic path. (Linux's panic() stops the other CPUs before
        its fadump notifier runs, so crash may list one offline, as on a real
        MPIPL.)"""
        why = crash_unavailable()
        if why:
            self.skipTest(why)
        import crashrun
        s = crashrun.run_crash(DEBUG_VMLINUX, vmcore, ["sys", "bt"])
        self.assertIn('PANIC: "Kernel panic - not syncing: sysrq triggered crash"', s.out["sys"])
        self.assertRegex(s.out["sys"], r"CPUS: 2\b")
        for frame in ("crash_fadump", "panic", "sysrq_handle_crash"):
            self.assertRegex(s.out["bt"], r"\] %s at " % frame)

    def test_same_paused_state(self):
        ref = self.guest("ref")
        ref.wait_console("Performing MPIPL")
        q = ref.qmp()
        q.call("stop")
        mig = os.path.join(self.d, "ref.mig")
        q.call("migrate", {"uri": "exec:cat > " + mig})
        while q.call("query-migrate")["status"] not in ("completed", "failed"):
            time.sleep(0.1)
        self.assertEqual(q.call("query-migrate")["status"], "completed")
        q.close()
        ref.stop()
        loaded = self.guest("loaded", "-incoming", "defer")
        q = loaded.qmp()
        q.call("migrate-incoming", {"uri": "exec:cat " + mig})
        for _ in range(600):
            if q.status() == "paused":
                break
            time.sleep(0.1)
        self.assertEqual(q.status(), "paused")
        q.close()
        cap = os.path.join(self.d, "loaded.vmcore")
        want = os.path.join(self.d, "ref.vmcore")
        run([MPIPLCTL, "capture", "-q", "--qmp", loaded.sock, "-o", cap, "--quit"])
        run([MPIPLCTL, "vmcore", "-q", mig, "-o", want])
        self.assertEqual(subprocess.run(["cmp", cap, want]).returncode, 0,
                         "capture differs from vmcore of the saved stream")
        self.assertTrue(contains(cap, PANIC))
        loaded.p.wait(timeout=30)  # --quit ended QEMU

    def test_qemu72_says_why(self):
        if not os.path.exists(QEMU72):
            self.skipTest("no QEMU 7.2 (" + QEMU72 + ")")
        g = self.guest("q72", qemu=QEMU72)
        _, err = run([MPIPLCTL, "capture", "--qmp", g.sock, "--timeout", 5, "-o",
                      os.path.join(self.d, "q72.vmcore")], rc=2)
        self.assertIn("no fadump registration", err)
        self.assertIn("older QEMU ignores -dtb on powernv", err)
        q = g.qmp()
        self.assertEqual(q.status(), "running")  # left as it was
        q.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
