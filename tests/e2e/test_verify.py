# SPDX-License-Identifier: GPL-2.0-or-later
"""verify: a POST state against the profiles' prediction from PRE. The POST
states are written by preserve, then changed in one place each (through
--post-bytes, with bytes computed here from the spec's layouts); the golden
cycle gives the real QEMU run."""

import json
import os
import struct
import unittest

from common import GOLDEN, MPIPLCTL, TempDirTest, mkimage, read_at, run

G_PRE = "2a-pre-S0-derived.raw.zst"
G_POST = "2-post-preserve.mig.zst"
G_TABLES = ["3-post-reset.mdrt-0x31c00000.bin", "3-post-reset.cpu-area-0x33870000.bin",
            "3-post-reset.proc-area-0x10300.bin"]
QEMU_THREAD = 24 + 66 * 16


def checks(doc, kind="difference"):
    return [(c["code"], c["where"]) for c in doc["checks"] if c["kind"] == kind]


class VerifyGenerated(TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pre = os.path.join(cls.tmp, "pre.raw")
        cls.m, cls.cpu = mkimage(cls.pre, "--size", "256M", "--regions", "2")
        cls.base = str(cls.m["base"])
        cls.post = os.path.join(cls.tmp, "post.raw")
        run([MPIPLCTL, "preserve", cls.pre, "--base", cls.base, "--cpu-state", cls.cpu,
             "--profile=qemu", "-o", cls.post, "-q"], check_rc=0)

    def verify(self, *extra, profile="qemu", rc=None, post=None):
        code, out, err = run([MPIPLCTL, "verify", "--base", self.base, "--cpu-state", self.cpu,
                              "--profile=" + profile, "--json", self.pre, post or self.post]
                             + list(extra))
        if rc is not None:
            self.assertEqual(code, rc, out + err)
        return code, (json.loads(out) if out else None), err

    def patch(self, name, addr, data):
        path = self.path(name)
        with open(path, "wb") as f:
            f.write(data)
        return ["--post-bytes", "%s@0x%x" % (path, addr)]

    def test_unchanged_post_matches_qemu_only(self):
        _, doc, _ = self.verify(rc=0)
        self.assertTrue(doc["match"])
        self.assertEqual((doc["counts"]["regions"], doc["counts"]["regions_ok"]), (3, 3))
        self.assertEqual(doc["counts"]["threads_matched"], 2)
        _, doc, _ = self.verify(profile="hdat", rc=1)
        self.assertEqual({c for c, _ in checks(doc)},
                         {"qemu-mdrt-addr-advanced", "qemu-thread-offset-zero",
                          "qemu-xer-split-bits"})

    def test_region_not_copied(self):
        e = self.m["entries"][2]
        old = read_at(self.pre, e["dest"], e["size"])  # what PRE held there
        _, doc, _ = self.verify(*self.patch("region", e["dest"], old), rc=1)
        self.assertEqual(checks(doc), [("region-not-copied", "MDST 2 -> 0x%x" % e["dest"])])

    def test_region_differs_at_one_offset(self):
        e = self.m["entries"][1]
        at = e["dest"] + 0x12345
        byte = read_at(self.post, at, 1)
        _, doc, _ = self.verify(*self.patch("byte", at, bytes([byte[0] ^ 0xFF])), rc=1)
        self.assertEqual(checks(doc), [("region-differs", "MDST 1 -> 0x%x" % e["dest"])])
        self.assertIn("offset 0x12345 ", doc["checks"][0]["message"])

    def test_mdrt_field_changed(self):
        raw = bytearray(read_at(self.post, self.m["mdrt"], 3 * 32))
        struct.pack_into(">I", raw, 32 + 20, 0x1000)  # entry 1 size
        _, doc, _ = self.verify(*self.patch("mdrt", self.m["mdrt"], bytes(raw)), rc=1)
        self.assertEqual(checks(doc), [("mdrt-field-differs", "MDRT 1 size")])

    def test_register_changed(self):
        rec = self.m["cpu_area"] + QEMU_THREAD  # second thread record
        pir, = struct.unpack(">I", read_at(self.post, rec, 4))
        gpr5 = rec + 24 + 5 * 16 + 8
        val, = struct.unpack(">Q", read_at(self.post, gpr5, 8))
        _, doc, _ = self.verify(*self.patch("reg", gpr5, struct.pack(">Q", val ^ 1)), rc=1)
        self.assertEqual(checks(doc), [
            ("thread-register-differs", "thread PIR 0x%x GPR5 (entry 5)" % pir),
            ("linux-pt-regs-differ", "thread PIR 0x%x pt_regs.gpr5" % pir)])

    def test_thread_record_missing(self):
        area = bytearray(read_at(self.post, self.m["proc_area"], 48))
        struct.pack_into(">I", area, 44, QEMU_THREAD)  # act_size: one record
        pir, = struct.unpack(">I", read_at(self.post, self.m["cpu_area"] + QEMU_THREAD, 4))
        _, doc, _ = self.verify(*self.patch("area", self.m["proc_area"], bytes(area)), rc=1)
        self.assertEqual(checks(doc), [("proc-area-differs", "processor dump area act_size"),
                                       ("thread-missing", "thread PIR 0x%x" % pir)])

    def test_hostile_records_are_differences_not_crashes(self):
        # Record 0's header: offset near 2^32, ecnt 2^32-1, esize 0; act_size far past RAM.
        rec = bytearray(read_at(self.post, self.m["cpu_area"], 24))
        struct.pack_into(">IIII", rec, 8, 0xFFFFFFFC, 0xFFFFFFFF, 0, 16)
        _, doc, _ = self.verify(*self.patch("hdr", self.m["cpu_area"], bytes(rec)), rc=1)
        codes = {c for c, _ in checks(doc)}
        self.assertIn("thread-header-differs", codes)
        self.assertIn("linux-pt-regs-differ", codes)
        area = bytearray(read_at(self.post, self.m["proc_area"], 48))
        struct.pack_into(">I", area, 44, 0xFFFFFFF0)
        _, doc, _ = self.verify(*self.patch("big", self.m["proc_area"], bytes(area)), rc=1)
        self.assertIn(("threads-unreadable", "POST's thread records"), checks(doc))

    def test_best_profile(self):
        code, out, _ = run([MPIPLCTL, "verify", "--base", self.base, "--cpu-state", self.cpu,
                            "--best-profile", "--json", self.pre, self.post])
        doc = json.loads(out)
        self.assertEqual((code, doc["profile"]), (0, "qemu"))
        counts = {p["profile"]: p["differences"] for p in doc["profiles"]}
        self.assertEqual(counts["qemu"], 0)
        self.assertGreater(counts["hdat"], 0)

    def test_a_v2_post_matches_qemu_v2(self):
        post = self.path("v2.raw")
        run([MPIPLCTL, "preserve", self.pre, "--base", self.base, "--cpu-state", self.cpu,
             "--profile=qemu-v2", "-o", post, "-q"], check_rc=0)
        code, out, _ = run([MPIPLCTL, "verify", "--base", self.base, "--cpu-state", self.cpu,
                            "--best-profile", "--json", self.pre, post])
        doc = json.loads(out)
        self.assertEqual((code, doc["profile"]), (0, "qemu-v2"))
        self.assertEqual([p["profile"] for p in doc["profiles"]],
                         ["hdat", "qemu", "qemu-v2", "qemu-chunk-carry"])
        # Under hdat: 34 entries read from header+8 lose the last one, MSR (mpipl.md 4.2).
        _, doc, _ = self.verify(profile="hdat", rc=1, post=post)
        lost = [w for c, w in checks(doc) if c == "linux-pt-regs-differ"]
        with open(self.cpu) as f:
            pirs = [int(str(t["pir"]), 0) for t in json.load(f)["threads"]]
        self.assertEqual(lost, ["thread PIR 0x%x pt_regs.msr" % p for p in pirs])

    def test_another_guest_is_refused(self):
        other = self.path("other.raw")
        mkimage(other, "--size", "256M", "--regions", "3")
        code, doc, err = self.verify(post=other, rc=2)
        self.assertIsNone(doc)
        self.assertIn("not the same guest", err)
        self.assertEqual(err.count("\n"), 1, err)

    def test_post_bytes_outside_ram_are_refused(self):
        _, _, err = self.verify(*self.patch("far", 1 << 40, b"x"), rc=2)
        self.assertIn("outside POST's guest RAM", err)


@unittest.skipUnless(os.path.isdir(GOLDEN), "golden data not present at " + GOLDEN)
class VerifyGolden(TempDirTest):
    def verify(self, *args):
        g = lambda n: os.path.join(GOLDEN, n)
        extra = []
        for t in G_TABLES:
            extra += ["--post-bytes", g(t)]
        code, out, err = run([MPIPLCTL, "verify", "--json", g(G_PRE), g(G_POST)] + extra
                             + list(args))
        return code, json.loads(out), err

    def test_qemu_profile_predicts_the_real_run(self):
        code, doc, err = self.verify("--profile=qemu")
        self.assertEqual((code, doc["match"], doc["cpu_source"]), (0, True, "POST"), err)
        self.assertEqual((doc["counts"]["regions_ok"], doc["counts"]["threads_matched"]), (2, 2))
        # mpipl.md 12: 3 header bytes, CFAR twice and the stale CTR slot, per thread.
        self.assertEqual(len(checks(doc, "unknown")), 8)

    def test_hdat_profile_names_the_known_qemu_bugs(self):
        code, doc, _ = self.verify("--profile=hdat")
        self.assertEqual(code, 1)
        want = [("qemu-mdrt-addr-advanced", "MDRT %d %s" % (i, f)) for i in (0, 1)
                for f in ("src", "dest")]
        want += [("qemu-thread-offset-zero", "thread PIR 0x0 offset"),
                 ("qemu-xer-split-bits", "thread PIR 0x0 XER (entry 58)"),
                 ("qemu-thread-offset-zero", "thread PIR 0x4 offset")]
        self.assertEqual(checks(doc), want)
        specs = {c["code"]: c["spec"] for c in doc["checks"] if c["kind"] == "difference"}
        self.assertEqual(specs, {"qemu-mdrt-addr-advanced": "mpipl.md 2.4",
                                 "qemu-thread-offset-zero": "mpipl.md 4.2",
                                 "qemu-xer-split-bits": "mpipl.md 12"})

    def test_best_profile_is_qemu(self):
        code, doc, _ = self.verify("--best-profile")
        self.assertEqual((code, doc["profile"]), (0, "qemu"))
        counts = {p["profile"]: p["differences"] for p in doc["profiles"]}
        self.assertEqual(counts["qemu"], 0)
        # The chunk-carry snapshot would record the kernel entry 23 chunks on, not 24.
        self.assertEqual(counts["qemu-chunk-carry"], 2)
        self.assertGreater(counts["qemu-v2"], 60)
