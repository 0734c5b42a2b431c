# SPDX-License-Identifier: GPL-2.0-or-later
"""crash on the real MPIPL cycle (../shared/golden/powernv9): our vmcore of the
state after QEMU's preserve step, in every format, reads in crash exactly like
the capture kernel's own /proc/vmcore."""

import os
import unittest

from crashcase import (CRASH_SKIP, GOLDEN, TempDirTest, crash_log_as_dmesg, golden, mpiplctl,
                       unzstd)
from crashrun import normalise, run_crash

COMMANDS = ["sys", "bt", "bt -a", "ps", "kmem -i", "log"]


@unittest.skipIf(CRASH_SKIP, CRASH_SKIP)
@unittest.skipUnless(os.path.isdir(GOLDEN), "golden data not present at " + GOLDEN)
class CrashGolden(TempDirTest):
    MIG = "2-post-preserve.mig.zst"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vmlinux = unzstd(golden("vmlinux-6.12.117-fadump.zst"),
                             os.path.join(cls.tmp, "vmlinux"))
        real = unzstd(golden("vmcore.zst"), os.path.join(cls.tmp, "vmcore"))
        cls.real = run_crash(cls.vmlinux, real, COMMANDS)
        os.unlink(real)  # 1.3 GB: only its crash output is needed from here on

    def test_real_vmcore_shows_the_panic(self):
        # what the rest compares against: crash's reading of the capture kernel's dump
        self.assertIn('PANIC: "Kernel panic - not syncing: sysrq triggered crash"',
                      self.real.out["sys"])
        self.assertIn("TASKS: 41", self.real.out["sys"])
        bt = self.real.out["bt"]
        for frame in ("crash_fadump", "panic", "sysrq_handle_crash", "write_sysrq_trigger"):
            self.assertRegex(bt, r"\] %s at c0" % frame)
        self.assertIn("Kernel panic - not syncing: sysrq triggered crash", self.real.out["log"])

    def test_dmesg_is_crash_log(self):
        # mpiplctl dmesg of the saved state, line for line what crash's `log`
        # prints for the capture kernel's /proc/vmcore (issue 11)
        ours = mpiplctl("dmesg", golden(self.MIG))[1].splitlines()
        self.assertGreater(len(ours), 400)
        self.assertEqual(ours, crash_log_as_dmesg(self.real.out["log"]))

    def check_same_as_real(self, fmt, *opts):
        ours = self.path("ours." + fmt)
        mpiplctl("vmcore", "--profile=qemu", golden(self.MIG), "-o", ours, "-q", *opts)
        got = run_crash(self.vmlinux, ours, COMMANDS)
        os.unlink(ours)
        self.assertEqual(got.startup, self.real.startup)
        for cmd in COMMANDS:
            with self.subTest(command=cmd):
                self.assertEqual(normalise(got.out[cmd]), normalise(self.real.out[cmd]))

    def test_elf_same_as_real(self):
        self.check_same_as_real("elf")

    def test_kdump_zstd_same_as_real(self):
        self.check_same_as_real("zstd", "--format=kdump", "--compress=zstd")

    def test_kdump_zlib_same_as_real(self):
        self.check_same_as_real("zlib", "--format=kdump", "--compress=zlib")


if __name__ == "__main__":
    unittest.main()
