# SPDX-License-Identifier: GPL-2.0-or-later
"""What every crash test module shares: the e2e helpers (binaries, golden data,
temporary folders) and the reason to skip when crash cannot run here."""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

from common import GOLDEN, REPO, TempDirTest, golden, mpiplctl  # noqa: E402,F401
from crashrun import crash_missing, run_crash  # noqa: E402

# None, or why the crash tests are skipped (printed by unittest)
CRASH_SKIP = crash_missing()

FADUMP_SET = os.path.join(REPO, "fixtures", "qemu10.0-powernv9-fadump")
# The lines of warning or complaint crash prints for the fadump fixture's
# /proc/vmcore (mpiplctl vmcore, the capture kernel's view): the two start-up
# warnings of a kernel without modules, and, for `bt -a`, CPU 0, which the
# panic took offline (crash finds no CPU note for its idle task).
FADUMP_SET_COMPLAINTS = {
    "WARNING: cannot determine how modules are linked",
    "WARNING: no kernel module access",
    "bt: cannot determine NT_PRSTATUS ELF note for active task: c000000000480280",
}
# The same for its kdump files: crash gives a kdump file's notes to the CPUs of
# the same index (the kernel's note order is CPU 0's first), so offline CPU 0
# gets its registers, stopped in nmi_stop_this_cpu off its task's stack.
FADUMP_SET_KDUMP_COMPLAINTS = {
    "WARNING: cannot determine how modules are linked",
    "WARNING: no kernel module access",
    "cannot find the stack info.",
}
COMPLAINT = re.compile(r"warning|cannot|invalid|error|fail|not found|unknown|bogus", re.I)
PANIC_LINE = "Kernel panic - not syncing: sysrq triggered crash"


def complaints(session):
    """crash's own warnings and errors in a session (not the kernel's log,
    whose lines are the guest's)."""
    text = session.startup + "".join(v for k, v in session.out.items() if k != "log")
    return {line.strip() for line in text.splitlines() if COMPLAINT.search(line)}


def crash_log_as_dmesg(log):
    """crash's `log` text as vmcore-dmesg prints it: crash indents the further
    lines of a record under its text (past the 15-character "[    0.000000] "
    prefix), vmcore-dmesg does not."""
    return [line[15:] if line.startswith(" " * 15) else line for line in log.splitlines()]


def unzstd(src, dest):
    subprocess.run(["zstd", "-q", "-d", "-f", src, "-o", dest], check=True)
    return dest


class FadumpSetCase(TempDirTest):
    """The fadump fixture: the guest panicked on CPU 1 (PIR 4), which went on
    alone; CPU 0 is offline. crash reads its dumps with vmlinux.debug."""

    COMMANDS = ["sys", "bt", "bt -a", "ps", "kmem -i", "log"]
    STREAM = os.path.join(FADUMP_SET, "stream.mig.zst")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vmlinux = unzstd(os.path.join(FADUMP_SET, "vmlinux.debug.zst"),
                             os.path.join(cls.tmp, "vmlinux"))

    def crash_on_vmcore(self, name, *opts):
        """mpiplctl vmcore OPTS of the fixture's stream, read by crash."""
        out = self.path(name)
        mpiplctl("vmcore", self.STREAM, "-o", out, "-q", *opts)
        try:
            return run_crash(self.vmlinux, out, self.COMMANDS)
        finally:
            os.unlink(out)

    def check_reads_the_panic(self, s):
        """What a developer looks for, in every dump of this guest."""
        sys_ = s.out["sys"]
        self.assertIn('PANIC: "%s"' % PANIC_LINE, sys_)
        self.assertRegex(sys_, r"TASKS: 38\n")
        self.assertRegex(sys_, r"CPUS: 2 \[OFFLINE: 1\]\n")
        self.assertRegex(sys_, r"RELEASE: 6\.12\.117\n")
        # the panic task's stack, from its CPU note up through the system call
        bt = s.out["bt"]
        self.assertRegex(bt, r'^PID: 1 +TASK: c000000001220000 +CPU: 1 +COMMAND: "sysrq-crash"')
        frames = re.findall(r"^ ?#\d+ \[[0-9a-f]+\] (\S+) at c0", bt, re.M)
        want = ["crash_fadump", "panic", "sysrq_handle_crash", "__handle_sysrq",
                "write_sysrq_trigger", "ksys_write", "system_call_exception"]
        self.assertEqual([f for f in frames if f in want], want, bt)
        # ps: all 38 tasks, the panic task marked active on CPU 1
        tasks = re.findall(r"^[> ] +\d+ +\d+ +\d+ +[0-9a-f]{16} ", s.out["ps"], re.M)
        self.assertEqual(len(tasks), 38, s.out["ps"])  # the idle tasks of both CPUs included
        self.assertRegex(s.out["ps"], r"(?m)^> +1 +0 +1 +c000000001220000 +RU .* sysrq-crash$")
        self.assertIn(PANIC_LINE, s.out["log"])
        self.assertRegex(s.out["kmem -i"], r"TOTAL MEM +18958 +1\.2 GB")
        self.assertRegex(s.out["kmem -i"], r"FREE +17839 ")
