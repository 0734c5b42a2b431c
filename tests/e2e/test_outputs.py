# SPDX-License-Identifier: GPL-2.0-or-later
"""Output rules (issue 8): output = input refused, devices and FIFOs written
through, links followed, private modes, fsync order, checks before any work,
signal cleanup, standard output, bounded spooling of piped input.

Device nodes and FIFOs are made in the test's own folder with mknod/mkfifo,
never in /dev."""

import glob
import os
import resource
import signal
import stat
import subprocess
import threading
import time

from common import MPIPLCTL, TempDirTest, mkimage, mpiplctl, run, sha256_file

# Linux's memory devices (Documentation/admin-guide/devices.txt): 1,3 null, 1,7 full.
NULL_DEV = os.makedev(1, 3)
FULL_DEV = os.makedev(1, 7)


def error_line(test, err):
    lines = [l for l in err.splitlines() if l.strip()]
    test.assertEqual(len(lines), 1, "one-line error expected, got:\n" + err)
    test.assertTrue(lines[0].startswith("mpiplctl: "), lines[0])
    return lines[0]


def traced_env(**extra):
    """The environment for a run under strace: LeakSanitizer cannot work under ptrace."""
    env = dict(os.environ, **extra)
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "detect_leaks=0"]))
    return env


def temporaries(folder):
    return glob.glob(os.path.join(folder, ".mpiplctl-*")) + glob.glob(
        os.path.join(folder, "*.tmp.*"))


class OutputsTest(TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.img = os.path.join(cls.tmp, "s.raw")
        cls.m, cls.cpu = mkimage(cls.img, "--size", "64M")
        cls.img_sha = sha256_file(cls.img)

    def node(self, name, kind, dev=0):
        """A device node or FIFO in the test's folder."""
        p = self.path(name)
        if os.path.lexists(p):
            os.unlink(p)
        if kind == "fifo":
            os.mkfifo(p)
        else:
            try:
                os.mknod(p, kind | 0o666, dev)
            except PermissionError:
                self.skipTest("mknod needs root (CAP_MKNOD)")
        return p


class OutputIsInput(OutputsTest):
    def assert_refused(self, args, victim, sha):
        rc, _, err = run([MPIPLCTL] + args)
        self.assertEqual(rc, 2, args)
        self.assertIn("is the input", error_line(self, err))
        self.assertEqual(sha256_file(victim), sha, "the input must be untouched")
        self.assertEqual(temporaries(self.tmp), [])

    def test_image_under_any_spelling(self):
        hard = self.path("hard.raw")
        soft = self.path("soft.raw")
        if not os.path.exists(hard):
            os.link(self.img, hard)
            os.symlink("s.raw", soft)
        for out in (self.img, hard, soft, os.path.join(self.tmp, ".", "s.raw")):
            self.assert_refused(["preserve", self.img, "-q", "-o", out], self.img, self.img_sha)
            self.assert_refused(["extract", self.img, "-o", out], self.img, self.img_sha)
            self.assert_refused(["vmcore", "--synthesize", self.img, "-o", out], self.img,
                                self.img_sha)
            self.assert_refused(["opalcore", self.img, "-o", out], self.img, self.img_sha)

    def test_cpu_state_file(self):
        sha = sha256_file(self.cpu)
        self.assert_refused(["preserve", self.img, "--cpu-state", self.cpu, "-o", self.cpu],
                            self.cpu, sha)

    def test_dtb_input(self):
        dts = self.path("t.dts")
        dtb = self.path("t.dtb")
        with open(dts, "w") as f:
            f.write("/dts-v1/;\n/ { ibm,opal { }; };\n")
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, dts], check=True)
        self.assert_refused(["dtb", dtb, "-o", dtb], dtb, sha256_file(dtb))

    def test_standard_output_appending_to_the_input(self):
        with open(self.img, "ab") as out:
            p = subprocess.run([MPIPLCTL, "preserve", self.img, "-q", "-o", "-"], stdout=out,
                               stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 2)
        self.assertIn("is the input", p.stderr.decode())
        self.assertEqual(sha256_file(self.img), self.img_sha)


class DevicesAndFifos(OutputsTest):
    def test_character_device_written_through(self):
        null = self.node("null", stat.S_IFCHR, NULL_DEV)
        rc, _, err = run([MPIPLCTL, "extract", self.img, "-q", "-o", null])
        self.assertEqual(rc, 0, err)
        self.assertTrue(stat.S_ISCHR(os.lstat(null).st_mode), "replaced by a regular file")
        self.assertEqual(temporaries(self.tmp), [])

    def test_full_device_is_an_error(self):
        full = self.node("full", stat.S_IFCHR, FULL_DEV)
        rc, _, err = run([MPIPLCTL, "preserve", self.img, "-q", "-o", full])
        self.assertEqual(rc, 2)
        self.assertIn("No space left on device", error_line(self, err))
        self.assertTrue(stat.S_ISCHR(os.lstat(full).st_mode))

    def test_fifo_written_through(self):
        fifo = self.node("fifo", "fifo")
        got = []

        def reader():
            with open(fifo, "rb") as f:
                got.append(f.read())
        t = threading.Thread(target=reader)
        t.start()
        rc, _, err = run([MPIPLCTL, "extract", self.img, "-q", "-o", fifo])
        t.join(60)
        self.assertEqual(rc, 0, err)
        with open(self.img, "rb") as f:
            self.assertTrue(got and got[0] == f.read(), "the reader must get the image")
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))

    def test_dev_stdout_on_a_pipe(self):
        # /dev/stdout is a link to "pipe:[N]" under /proc: opened, not followed.
        p = subprocess.run([MPIPLCTL, "extract", self.img, "-q", "-o", "/dev/stdout"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(self.img, "rb") as f:
            self.assertTrue(p.stdout == f.read())

    def test_block_device_refused(self):
        blk = self.node("blk", stat.S_IFBLK, os.makedev(7, 0))  # loop0; never opened
        rc, _, err = run([MPIPLCTL, "extract", self.img, "-o", blk])
        self.assertEqual(rc, 2)
        self.assertIn("block device", error_line(self, err))
        self.assertTrue(stat.S_ISBLK(os.lstat(blk).st_mode))

    def test_decoded_ram_not_spooled_beside_a_device(self):
        devdir = self.path("devdir")
        os.makedirs(devdir, exist_ok=True)
        null = os.path.join(devdir, "null")
        if not os.path.exists(null):
            try:
                os.mknod(null, stat.S_IFCHR | 0o666, NULL_DEV)
            except PermissionError:
                self.skipTest("mknod needs root (CAP_MKNOD)")
        zst = self.path("s.raw.zst")
        subprocess.run(["zstd", "-q", "-f", "-1", self.img, "-o", zst], check=True)
        trace = self.path("open.trace")
        p = subprocess.run(["strace", "-f", "-e", "trace=open,openat", "-o", trace, MPIPLCTL,
                            "extract", zst, "-q", "-o", null],
                           env=traced_env(TMPDIR=self.tmp), stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(trace) as f:
            spools = [l for l in f if "O_TMPFILE" in l]
        self.assertTrue(spools, "the compressed input must be spooled somewhere")
        for line in spools:
            self.assertNotIn(devdir, line)


class LinksModesSync(OutputsTest):
    def test_symlink_followed(self):
        target = self.path("target.raw")
        link = self.path("link.raw")
        with open(target, "w") as f:
            f.write("old")
        if not os.path.lexists(link):
            os.symlink("target.raw", link)
        mpiplctl("extract", self.img, "-q", "-o", link)
        self.assertTrue(os.path.islink(link))
        self.assertEqual(sha256_file(target), self.img_sha)

    def test_new_output_private_existing_mode_kept(self):
        new = self.path("new.raw")
        old = self.path("old.raw")
        with open(old, "w") as f:
            f.write("old")
        os.chmod(old, 0o640)
        for out in (new, old):
            p = subprocess.run([MPIPLCTL, "extract", self.img, "-q", "-o", out],
                               preexec_fn=lambda: os.umask(0o022))
            self.assertEqual(p.returncode, 0)
        self.assertEqual(stat.S_IMODE(os.stat(new).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(old).st_mode), 0o640)
        self.assertEqual(sha256_file(old), self.img_sha)

    def syscalls(self, *args):
        trace = self.path("sync.trace")
        out = self.path("synced.raw")
        subprocess.run(["strace", "-f", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2",
                        "-o", trace, MPIPLCTL, "preserve", self.img, "-q", "-o", out] +
                       list(args), env=traced_env(), check=True)
        with open(trace) as f:
            return [l.split(None, 1)[1] for l in f if "(" in l and "resumed" not in l]

    def test_fsync_data_then_rename_then_folder(self):
        calls = self.syscalls()
        names = [c.split("(")[0] for c in calls]
        self.assertIn("rename", names, calls)
        at = names.index("rename")
        self.assertIn("fsync", names[:at], "data synced before the rename: %s" % calls)
        self.assertIn("fsync", names[at + 1:], "folder synced after the rename: %s" % calls)
        self.assertNotIn("fsync", self.syscalls("--no-sync"))

    def test_long_name(self):
        out = self.path("n" * 250)
        mpiplctl("extract", self.img, "-q", "-o", out)
        self.assertEqual(sha256_file(out), self.img_sha)
        os.unlink(out)


class CheckBeforeWork(OutputsTest):
    """A wrong output fails before the input is read: here the input never ends."""

    def refused_at_once(self, out, preexec_fn=None):
        with subprocess.Popen(["sleep", "60"], stdout=subprocess.PIPE) as never:
            try:
                p = subprocess.run([MPIPLCTL, "extract", "/dev/stdin", "-o", out],
                                   stdin=never.stdout, stderr=subprocess.PIPE, timeout=20,
                                   preexec_fn=preexec_fn)
            finally:
                never.kill()
        self.assertEqual(p.returncode, 2)
        return error_line(self, p.stderr.decode())

    def test_directory(self):
        self.assertIn("is a directory", self.refused_at_once(self.tmp))

    def test_empty_name(self):
        self.assertIn("empty", self.refused_at_once(""))

    def test_missing_folder(self):
        line = self.refused_at_once(self.path("nowhere/out.raw"))
        self.assertIn("folder " + self.path("nowhere"), line)
        self.assertIn("No such file or directory", line)


    def test_folder_not_writable(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to run as another user (root may write anywhere)")
        ro = self.path("readonly")
        os.makedirs(ro, exist_ok=True)
        os.chmod(ro, 0o555)
        os.chmod(self.tmp, 0o711)  # let the other user reach the folder
        line = self.refused_at_once(os.path.join(ro, "out.raw"),
                                    preexec_fn=lambda: os.setuid(65534))  # nobody
        self.assertIn("folder " + ro, line)
        self.assertIn("Permission denied", line)


class Signals(OutputsTest):
    def test_sigpipe_removes_the_temporary(self):
        folder = self.path("sig")
        os.makedirs(folder, exist_ok=True)
        r, w = os.pipe()
        p = subprocess.Popen([MPIPLCTL, "extract", "/dev/stdin", "-o",
                              os.path.join(folder, "out.raw")], stdin=r,
                             stderr=subprocess.DEVNULL)
        os.close(r)
        try:
            deadline = time.monotonic() + 20
            while not temporaries(folder) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertTrue(temporaries(folder), "a temporary while the input is read")
            p.send_signal(signal.SIGPIPE)
            self.assertEqual(p.wait(20), -signal.SIGPIPE)
        finally:
            os.close(w)
            if p.poll() is None:
                p.kill()
        self.assertEqual(os.listdir(folder), [])


class StandardOutput(OutputsTest):
    def test_json_with_binary_stdout_refused(self):
        for cmd in ("preserve", "extract"):
            p = subprocess.run([MPIPLCTL, cmd, self.img, "--json", "-o", "-"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.assertEqual(p.returncode, 2, cmd)
            self.assertIn(b"--json", p.stderr)
            self.assertEqual(p.stdout, b"")

    def test_write_error_on_stdout(self):
        full = self.node("stdout-full", stat.S_IFCHR, FULL_DEV)
        for args in (["inspect", "--json", self.img], ["inspect", self.img],
                     ["extract", self.img, "--json", "-o", self.path("x.raw")]):
            with open(full, "wb") as out:
                p = subprocess.run([MPIPLCTL] + args, stdout=out, stderr=subprocess.PIPE)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn("standard output", error_line(self, p.stderr.decode()))

    def test_dash_is_standard_input(self):
        out = self.path("from-stdin.raw")
        with open(self.img, "rb") as f:
            p = subprocess.run([MPIPLCTL, "extract", "-", "-q", "-o", out], stdin=f)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(sha256_file(out), self.img_sha)


class Spooling(OutputsTest):
    def test_endless_pipe_stops_at_max_size(self):
        with subprocess.Popen(["yes"], stdout=subprocess.PIPE) as endless:
            try:
                p = subprocess.run([MPIPLCTL, "inspect", "-", "--max-size", "1M"],
                                   stdin=endless.stdout, stderr=subprocess.PIPE, timeout=60)
            finally:
                endless.kill()
        self.assertEqual(p.returncode, 2)
        line = error_line(self, p.stderr.decode())
        self.assertIn("more than 1048576 bytes (--max-size)", line)

    def test_full_temporary_folder_says_why(self):
        zst = self.path("spool.raw.zst")
        subprocess.run(["zstd", "-q", "-f", "-1", self.img, "-o", zst], check=True)
        spool = self.path("spool")
        os.makedirs(spool, exist_ok=True)

        def small_files():
            # A file size limit stands in for a full disk: the write is cut short.
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
        p = subprocess.run([MPIPLCTL, "inspect", zst], stderr=subprocess.PIPE,
                           env=dict(os.environ, TMPDIR=spool), preexec_fn=small_files)
        self.assertEqual(p.returncode, 2)
        line = error_line(self, p.stderr.decode())
        self.assertIn("temporary file in " + spool, line)
        self.assertTrue(line.endswith(os.strerror(27)), line)  # EFBIG: the real reason
