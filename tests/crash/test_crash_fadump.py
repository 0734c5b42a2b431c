# SPDX-License-Identifier: GPL-2.0-or-later
"""crash on the fadump fixture's vmcores (the preserve step replayed, then the
capture kernel's /proc/vmcore): the ELF file shows the panic, and the kdump
files read like it.

Only the CPU notes read differently, by crash's design: the kernel writes one
note per CPU of the register save area, CPU 0's first. crash hands an ELF
file's notes in order to the online CPUs (here only CPU 1, which so shows CPU
0's registers, as it would on the real /proc/vmcore), and a kdump file's to
the CPUs of the same index. So `bt` and `bt -a` are compared by the frames
crash walks, the rest line for line."""

import unittest

from crashcase import (CRASH_SKIP, FADUMP_SET_COMPLAINTS, FADUMP_SET_KDUMP_COMPLAINTS,
                       FadumpSetCase, PANIC_LINE, complaints, crash_log_as_dmesg, mpiplctl)
from crashrun import normalise


@unittest.skipIf(CRASH_SKIP, CRASH_SKIP)
class CrashFadumpVmcore(FadumpSetCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.elf = None

    def elf_session(self):
        if CrashFadumpVmcore.elf is None:
            CrashFadumpVmcore.elf = self.crash_on_vmcore("vmcore.elf")
        return CrashFadumpVmcore.elf

    def test_elf_shows_the_panic(self):
        s = self.elf_session()
        self.check_reads_the_panic(s)
        self.assertEqual(complaints(s), FADUMP_SET_COMPLAINTS)

    def test_dmesg_is_crash_log(self):
        # mpiplctl dmesg of the saved state: line for line crash's `log` of the vmcore
        ours = mpiplctl("dmesg", self.STREAM)[1].splitlines()
        self.assertGreater(len(ours), 100)
        self.assertIn(PANIC_LINE, "\n".join(ours))
        self.assertEqual(ours, crash_log_as_dmesg(self.elf_session().out["log"]))

    def check_kdump_reads_like_elf(self, compress):
        got = self.crash_on_vmcore("vmcore." + compress, "--format=kdump",
                                   "--compress=" + compress)
        self.check_reads_the_panic(got)
        self.assertEqual(complaints(got), FADUMP_SET_KDUMP_COMPLAINTS)
        want = self.elf_session()
        for cmd in ("sys", "ps", "kmem -i", "log"):
            with self.subTest(command=cmd):
                self.assertEqual(normalise(got.out[cmd]), normalise(want.out[cmd]))

    def test_kdump_zlib_reads_like_elf(self):
        self.check_kdump_reads_like_elf("zlib")

    def test_kdump_zstd_reads_like_elf(self):
        self.check_kdump_reads_like_elf("zstd")


if __name__ == "__main__":
    unittest.main()
