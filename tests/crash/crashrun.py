# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the crash utility (Debian's ppc64el build, through qemu-ppc64le-static)
on a vmlinux and a dump, one command file per session.

tests/crash/setup-crash puts crash in $MPIPL_CRASH_CACHE (default
/var/tmp/mpiplctl-crash); crash_missing() says why it cannot run. Each command's
output goes to a file of its own through crash's own `>` redirection (crash
needs a ppc64el /bin/sh for pipes, which the cache does not have), so the
sections never interleave: crash writes some lines unbuffered and others
through its buffered output file."""

import os
import re
import shutil
import subprocess
import tempfile

CACHE = os.environ.get("MPIPL_CRASH_CACHE", "/var/tmp/mpiplctl-crash")
ROOT = os.path.join(CACHE, "root")
CRASH = os.path.join(ROOT, "usr", "bin", "crash")
QEMU = "qemu-ppc64le-static"
# A session on a 2 GiB dump takes about 10-20 s under TCG; the margin is for a
# busy 2-core machine.
TIMEOUT = 900


def crash_missing():
    """None when crash can run here, else the reason it cannot."""
    if shutil.which(QEMU) is None:
        return QEMU + " is not installed (scripts/install-deps installs qemu-user-static)"
    if not os.access(CRASH, os.X_OK):
        return "no crash in %s (run tests/crash/setup-crash, or make check-crash)" % CACHE
    return None


def crash_env():
    env = dict(os.environ)
    env["QEMU_LD_PREFIX"] = ROOT
    # crash pages its output and reads ~/.crashrc: neither in tests
    env["PAGER"] = "cat"
    env["HOME"] = "/nonexistent"
    return env


def crash_version():
    p = subprocess.run([QEMU, CRASH, "--version"], env=crash_env(), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    m = re.search(r"crash (\S+)", p.stdout.decode(errors="replace"))
    return m.group(1) if m else "unknown"


class Session:
    """What one crash session printed: `startup` (its own stdout and stderr,
    which hold the start-up warnings and any error outside a command) and
    `out[command]` (each command's output)."""

    def __init__(self, startup, out):
        self.startup = startup
        self.out = out

    def all_text(self):
        return self.startup + "".join(self.out.values())


def run_crash(vmlinux, dump, commands):
    """Runs crash -s -i CMDFILE VMLINUX DUMP; returns a Session."""
    with tempfile.TemporaryDirectory(prefix="mpiplctl-crash-",
                                     dir=os.environ.get("TMPDIR", "/var/tmp")) as tmp:
        files = [os.path.join(tmp, "%02d.out" % i) for i in range(len(commands))]
        cmdfile = os.path.join(tmp, "commands")
        with open(cmdfile, "w") as f:
            for cmd, path in zip(commands, files):
                f.write("%s > %s\n" % (cmd, path))
            f.write("quit\n")
        # --no_scroll: no pager; stdin from /dev/null: never wait for a prompt
        p = subprocess.run([QEMU, CRASH, "-s", "--no_scroll", "-i", cmdfile, vmlinux, dump],
                           env=crash_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=TIMEOUT, cwd=tmp)
        startup = p.stdout.decode(errors="replace")
        if p.returncode != 0:
            raise AssertionError("crash %s %s: exit %d\n%s"
                                 % (vmlinux, dump, p.returncode, startup))
        out = {}
        for cmd, path in zip(commands, files):
            if not os.path.exists(path):
                raise AssertionError("crash ran no `%s` on %s:\n%s" % (cmd, dump, startup))
            with open(path, errors="replace") as f:
                out[cmd] = f.read()
        return Session(startup, out)


# The DUMPFILE line names the file, and crash adds "[PARTIAL DUMP]" to a kdump
# file that left out pages (ours leave out zero pages, as makedumpfile -d 1
# does): the one line of `sys` that differs legitimately between two dumps of
# the same memory.
DUMPFILE_LINE = re.compile(r"^( *DUMPFILE: ).*$", re.M)


def normalise(text):
    return DUMPFILE_LINE.sub(r"\1<dump>", text)
