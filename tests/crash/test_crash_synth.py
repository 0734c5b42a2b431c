# SPDX-License-Identifier: GPL-2.0-or-later
"""crash on `vmcore --synthesize=always` cores of the fadump fixture's guest,
which panicked on CPU 1 (PIR 4) and left CPU 0 offline: a plain core of all
RAM with the vCPUs' state as saved, as for a guest that never registered
fadump (plain --synthesize would take the fadump route, this guest having a
registration). crash must hand CPU 1 its own note (the panic task's registers
are in crash_fadump, where the vCPU was stopped), walk its stack, and print
nothing it does not print for the /proc/vmcore of the same guest (in the same
format: the fadump route gives it)."""

import unittest

from crashcase import (CRASH_SKIP, FADUMP_SET_COMPLAINTS, FADUMP_SET_KDUMP_COMPLAINTS,
                       FadumpSetCase, complaints)

# crash gives an ELF core's CPU notes in order to the online CPUs, but a kdump
# file's to the CPUs of the same index (the fadump route's kdump files show
# it: CPU 1 gets the second note). The plain-core writer follows each rule, so
# both formats are checked the same way.


@unittest.skipIf(CRASH_SKIP, CRASH_SKIP)
class CrashSynthesized(FadumpSetCase):

    def check_synthesized(self, name, *opts, allowed=FADUMP_SET_COMPLAINTS):
        s = self.crash_on_vmcore(name, "--synthesize=always", *opts)
        self.check_reads_the_panic(s)
        # CPU 1's own registers (not CPU 0's, stopped in nmi_stop_this_cpu)
        self.assertRegex(s.out["bt"], r"\[NIP  : crash_fadump\+\d+\]")
        # e.g. no "cannot find the stack info" for a CPU note handed to the wrong CPU
        self.assertLessEqual(complaints(s), allowed, s.out["bt -a"])

    def test_elf(self):
        self.check_synthesized("synth.elf")

    def test_kdump_zstd(self):
        self.check_synthesized("synth.zstd", "--format=kdump", "--compress=zstd",
                               allowed=FADUMP_SET_KDUMP_COMPLAINTS)

    def test_kdump_zlib(self):
        self.check_synthesized("synth.zlib", "--format=kdump", "--compress=zlib",
                               allowed=FADUMP_SET_KDUMP_COMPLAINTS)


if __name__ == "__main__":
    unittest.main()
