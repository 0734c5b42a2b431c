# SPDX-License-Identifier: GPL-2.0-or-later
"""Command-line behaviour: bad inputs, exit codes, atomic output, help and man page."""

import glob
import json
import os
import pty
import re
import subprocess

from common import MPIPLCTL, REPO, TempDirTest, mkimage, mpiplctl, run, sha256_file


def write_text(path, text):
    with open(path, "w") as f:
        f.write(text)


def leftover_temporaries(out):
    """Temporary files of an output (hidden, beside it), by either naming scheme."""
    folder = os.path.dirname(out) or "."
    return glob.glob(out + ".tmp.*") + glob.glob(os.path.join(folder, ".mpiplctl-*"))


def one_line_error(test, err):
    lines = [l for l in err.splitlines() if l.strip()]
    test.assertEqual(len(lines), 1, "one-line error expected, got:\n" + err)
    test.assertTrue(lines[0].startswith("mpiplctl: "), lines[0])
    return lines[0]


class BadInputs(TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.img = os.path.join(cls.tmp, "ok.raw")
        cls.m, cls.cpu = mkimage(cls.img, "--size", "64M")

    def assert_no_output(self, out):
        self.assertFalse(os.path.exists(out))
        self.assertEqual(leftover_temporaries(out), [])

    def test_missing_file(self):
        rc, _, err = run([MPIPLCTL, "inspect", self.path("nope.raw")])
        self.assertEqual(rc, 2)
        self.assertIn("nope.raw", one_line_error(self, err))

    def test_empty_file(self):
        p = self.path("empty.raw")
        open(p, "wb").close()
        rc, _, err = run([MPIPLCTL, "inspect", p])
        self.assertEqual(rc, 2)
        self.assertIn("empty", one_line_error(self, err))

    def test_no_tables_at_base(self):
        out = self.path("out-notables.raw")
        rc, _, err = run([MPIPLCTL, "preserve", self.img, "--base", "0x2000000", "-o", out])
        self.assertEqual(rc, 2)
        line = one_line_error(self, err)
        self.assertIn("0x2000000", line)
        self.assertIn("--base", line)
        self.assert_no_output(out)

    def test_base_outside_ram(self):
        rc, _, err = run([MPIPLCTL, "inspect", self.img, "--base", "0x30000000"])  # > 64 MiB
        self.assertEqual(rc, 2)
        self.assertIn("0x30000000", one_line_error(self, err))

    def test_base_found_without_option(self):
        _, out, _ = mpiplctl("inspect", self.img, "--json")
        doc = json.loads(out)
        self.assertEqual(int(doc["layout"]["base"], 16), self.m["base"])
        self.assertIn("scan of MiB-aligned bases", doc["base_how"])

    def test_truncated_image(self):
        p = self.path("trunc.raw")
        with open(self.img, "rb") as f, open(p, "wb") as g:
            g.write(f.read(self.m["mddt"] + 0x100))  # MDDT cut off
        out = self.path("out-trunc.raw")
        rc, _, err = run([MPIPLCTL, "preserve", p, "--base", str(self.m["base"]), "--layout",
                          "7.1", "-o", out])
        self.assertEqual(rc, 2)
        self.assertIn("MDDT", one_line_error(self, err))
        self.assert_no_output(out)

    def test_corrupt_gzip(self):
        p = self.path("bad.raw.gz")
        os.system("gzip -c -1 %s | head -c 100000 > %s" % (self.img, p))
        out = self.path("out-gz.raw")
        rc, _, err = run([MPIPLCTL, "preserve", p, "-o", out])
        self.assertEqual(rc, 2)
        self.assertRegex(one_line_error(self, err), r"gzip data truncated at compressed byte offset \d+")
        self.assert_no_output(out)

    def test_corrupt_zstd(self):
        p = self.path("bad.raw.zst")
        data = bytearray(subprocess.run(["zstd", "-c", "-1", self.img], check=True,
                                        stdout=subprocess.PIPE).stdout)
        for i in range(2000, 2100):
            data[i] ^= 0x5A
        with open(p, "wb") as f:
            f.write(bytes(data))
        rc, _, err = run([MPIPLCTL, "inspect", p])
        self.assertEqual(rc, 2)
        self.assertRegex(one_line_error(self, err), r"zstd data .*offset \d+")

    def test_bad_cpu_state(self):
        p = self.path("bad.json")
        write_text(p, '{"threads": [{"pir": 0, "r1": "0x1", }]}')
        rc, _, err = run([MPIPLCTL, "inspect", self.img, "--base", str(self.m["base"]),
                          "--cpu-state", p])
        self.assertEqual(rc, 2)
        self.assertRegex(one_line_error(self, err), r"bad.json: byte offset \d+")
        write_text(p, '{"threads": [{"pir": 0, "r99": 1}]}')
        rc, _, err = run([MPIPLCTL, "inspect", self.img, "--base", str(self.m["base"]),
                          "--cpu-state", p])
        self.assertEqual(rc, 2)
        self.assertIn('unknown register "r99"', one_line_error(self, err))

    def test_usage_errors(self):
        for args in (["preserve", self.img], ["inspect"], ["frobnicate"],
                     ["inspect", self.img, "--layout", "6.0"],
                     ["preserve", self.img, "-o", "x", "--profile", "kvm"],
                     ["inspect", self.img, "--base", "zz"]):
            rc, _, err = run([MPIPLCTL] + args)
            self.assertEqual(rc, 2, args)
            self.assertTrue(err.strip(), args)

    def test_strict_exit_codes(self):
        img = self.path("mm.raw")
        m, _ = mkimage(img, "--size", "128M", "--mismatch")
        rc, _, _ = run([MPIPLCTL, "inspect", img, "--base", str(m["base"])])
        self.assertEqual(rc, 0)
        rc, _, _ = run([MPIPLCTL, "inspect", img, "--base", str(m["base"]), "--strict"])
        self.assertEqual(rc, 1)
        rc, _, _ = run([MPIPLCTL, "inspect", self.img, "--base", str(self.m["base"]), "--strict"])
        self.assertEqual(rc, 0)

    def test_input_never_modified_and_output_replaced_atomically(self):
        before = sha256_file(self.img)
        out = self.path("atomic.raw")
        write_text(out, "old")
        mpiplctl("preserve", self.img, "--base", self.m["base"], "-o", out, "-q")
        self.assertEqual(os.path.getsize(out), self.m["size"])
        self.assertEqual(sha256_file(self.img), before)
        # A failing run leaves the previous output as it was.
        rc, _, _ = run([MPIPLCTL, "preserve", self.img, "--base", "0x2000000", "-o", out])
        self.assertEqual(rc, 2)
        self.assertEqual(os.path.getsize(out), self.m["size"])
        self.assertEqual(leftover_temporaries(out), [])

    def test_stdout_output(self):
        p = subprocess.run([MPIPLCTL, "preserve", self.img, "--base", str(self.m["base"]),
                            "-o", "-", "-q"], stdout=subprocess.PIPE, check=True)
        ref = self.path("ref.raw")
        mpiplctl("preserve", self.img, "--base", self.m["base"], "-o", ref, "-q")
        with open(ref, "rb") as f:
            self.assertEqual(p.stdout, f.read())

    def test_refuses_binary_to_terminal(self):
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(MPIPLCTL, [MPIPLCTL, "preserve", self.img, "--base",
                                str(self.m["base"]), "-o", "-"])
        output = b""
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.WEXITSTATUS(status), 2)
        self.assertIn(b"terminal", output)
        self.assertLess(len(output), 1000)


class HelpAndManPage(TempDirTest):
    def test_every_option_is_documented(self):
        with open(os.path.join(REPO, "man", "mpiplctl.1")) as f:
            man = f.read().replace("\\-", "-")
        for cmd in ("inspect", "preserve", "vmcore", "opalcore", "verify", "extract", "dtb"):
            _, out, _ = mpiplctl(cmd, "--help")
            opts = set(re.findall(r"--([a-z][a-z0-9-]+)", out)) - {"help", "usage", "version"}
            self.assertTrue(opts, cmd)
            for o in sorted(opts):
                self.assertTrue("--" + o in man, "%s --%s is not in man/mpiplctl.1" % (cmd, o))
            self.assertIn(cmd, man)

    def test_version_and_top_level_help(self):
        _, out, _ = mpiplctl("--version")
        self.assertRegex(out, r"^mpiplctl \d+\.\d+")
        _, out, _ = mpiplctl("--help")
        for cmd in ("inspect", "preserve", "vmcore", "opalcore", "verify", "extract", "dtb"):
            self.assertIn(cmd, out)


class ExtractAndDtb(TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.img = os.path.join(cls.tmp, "img.raw")
        cls.m, cls.cpu = mkimage(cls.img, "--size", "64M")

    def test_extract_is_the_identity_on_raw(self):
        out = self.path("x.raw")
        mpiplctl("extract", self.img, "-o", out, "-q")
        self.assertEqual(sha256_file(out), sha256_file(self.img))

    def test_extract_from_a_compressed_pipe(self):
        out = self.path("piped.raw")
        with subprocess.Popen(["zstd", "-c", "-1", self.img], stdout=subprocess.PIPE) as z:
            p = subprocess.run([MPIPLCTL, "extract", "/dev/stdin", "-o", out, "--json"],
                               stdin=z.stdout, stdout=subprocess.PIPE, check=True)
        self.assertEqual(z.returncode, 0)
        self.assertEqual(sha256_file(out), sha256_file(self.img))
        self.assertEqual(json.loads(p.stdout)["input"]["format"], "raw, zstd-compressed")

    def test_dtb_adds_the_dump_node(self):
        src = os.path.join(REPO, "..", "shared", "golden", "powernv9", "1-qemu-to-skiboot.dtb")
        if not os.path.exists(src):
            self.skipTest("no sample device tree")
        out = self.path("capture.dtb")
        mpiplctl("dtb", src, "-o", out)

        def fdtget(*args):
            return subprocess.run(["fdtget"] + list(args), stdout=subprocess.PIPE,
                                  check=True).stdout.decode().split()
        self.assertEqual(fdtget(out, "/ibm,opal/dump", "compatible"), ["ibm,opal-dump"])
        self.assertEqual(fdtget("-t", "x", out, "/ibm,opal/dump", "fw-load-area"),
                         ["0", "20000000", "0", "8000000", "0", "28000000", "0", "8000000"])
        self.assertEqual(fdtget("-t", "x", out, "/ibm,opal/dump", "mpipl-boot"), ["0", "1"])
        # The rest of the tree is kept: every node of the source is still there.
        nodes = lambda f: subprocess.run(["fdtget", "-l", f, "/"], stdout=subprocess.PIPE,
                                         check=True).stdout.decode().split()
        self.assertEqual(nodes(out), nodes(src))
        first = self.path("first.dtb")
        mpiplctl("dtb", "--no-mpipl-boot", out, "-o", first)
        self.assertNotIn("mpipl-boot", fdtget("-p", first, "/ibm,opal/dump"))

    def test_dtb_rejects_garbage(self):
        bad = self.path("bad.dtb")
        with open(bad, "wb") as f:
            f.write(b"\xd0\x0d\xfe\xed" + bytes(60))
        out = self.path("never.dtb")
        rc, _, err = run([MPIPLCTL, "dtb", bad, "-o", out])
        self.assertEqual(rc, 2)
        self.assertIn("bad.dtb", one_line_error(self, err))
        self.assertFalse(os.path.exists(out))
