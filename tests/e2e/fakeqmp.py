#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in for a QEMU PowerNV guest's QMP socket, for `mpiplctl capture` tests.

It speaks the part of QMP that capture uses (greeting, qmp_capabilities,
query-status, qom-get, human-monitor-command `xp /Nbx`, getfd with
SCM_RIGHTS, migrate fd:NAME, query-migrate, stop, cont, quit, closefd) and
sends STOP/RESUME/SHUTDOWN events. Guest RAM comes from a raw image (file
offset = guest address, as `mpiplctl extract` writes it); `migrate` writes
a real QEMU migration stream file into the passed descriptor.

  fakeqmp.py SOCKET --ram RAW --stream STREAM [--crash-after S --hide ADDR:LEN]
             [--machine TYPE] [--status S] [--no-registration] [--fail-after BYTES]
             [--not-qmp] [--log FILE]

--hide makes the bytes at ADDR read 0xff until --crash-after seconds after the
first client connected (a crash info header's crashing_cpu before the crash).
Every command received, and the final status, go to --log as JSON lines.
"""

import argparse
import array
import json
import os
import socket
import sys
import threading
import time

HMP_XP = "xp /"
METADATA = 0x30000000 + 0x1C08000  # skiboot's mpipl_metadata (base + METADATA_OFF)
METADATA_SIZE = 20


class Guest:
    def __init__(self, a):
        self.a = a
        self.status = a.status
        self.ram = open(a.ram, "rb")
        self.ram_size = os.fstat(self.ram.fileno()).st_size
        self.t0 = None
        self.fds = []        # received with SCM_RIGHTS, not yet named
        self.named = {}      # getfd name -> fd
        self.mig = {"status": "none"}
        self.hide = None
        if a.hide:
            addr, length = a.hide.split(":")
            self.hide = (int(addr, 0), int(length, 0))
        self.log = open(a.log, "a") if a.log else None

    def note(self, what):
        if self.log:
            self.log.write(json.dumps(what) + "\n")
            self.log.flush()

    def read(self, addr, n):
        if addr + n > self.ram_size:
            return None
        self.ram.seek(addr)
        data = bytearray(self.ram.read(n))
        crashed = self.a.crash_after is not None and time.monotonic() - self.t0 >= self.a.crash_after
        if self.hide and not crashed:
            lo, ln = self.hide
            for i in range(max(addr, lo), min(addr + n, lo + ln)):
                data[i - addr] = 0xFF
        if self.a.no_registration:
            for i in range(max(addr, METADATA), min(addr + n, METADATA + METADATA_SIZE)):
                data[i - addr] = 0
        return bytes(data)

    def xp(self, line):
        # "xp /Nbx ADDR"
        fmt, addr = line[len(HMP_XP):].split()
        n = int(fmt[:-2])
        addr = int(addr, 0)
        data = self.read(addr, n)
        if data is None:
            return "%016x: Cannot access memory\r\n" % addr
        out = []
        for i in range(0, n, 8):
            out.append("%016x: " % (addr + i) + " ".join("0x%02x" % b for b in data[i:i + 8]))
        return "\r\n".join(out) + "\r\n"

    def migrate(self, fd):
        self.mig = {"status": "active"}
        limit = self.a.fail_after
        sent = 0
        try:
            with open(self.a.stream, "rb") as f:
                while True:
                    chunk = f.read(1 << 20)
                    if not chunk:
                        break
                    if limit is not None and sent + len(chunk) > limit:
                        chunk = chunk[:limit - sent]
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(fd, view):]
                    sent += len(chunk)
                    if limit is not None and sent >= limit:
                        raise OSError("Unable to write to file: Broken pipe (fake cut)")
            self.mig = {"status": "completed"}
            self.status = "postmigrate"
        except OSError as e:
            self.mig = {"status": "failed", "error-desc": str(e)}
        finally:
            os.close(fd)


def reply(conn, obj):
    conn.sendall((json.dumps(obj) + "\r\n").encode())


def event(conn, name):
    reply(conn, {"event": name, "data": {}, "timestamp": {"seconds": 0, "microseconds": 0}})


def handle(g, conn, msg):
    cmd = msg.get("execute")
    args = msg.get("arguments", {})
    g.note({"cmd": cmd, "args": args, "status": g.status})
    if cmd == "qmp_capabilities":
        return reply(conn, {"return": {}})
    if cmd == "query-status":
        return reply(conn, {"return": {"status": g.status, "running": g.status == "running"}})
    if cmd == "qom-get":
        if args == {"path": "/machine", "property": "type"}:
            return reply(conn, {"return": g.a.machine})
        return reply(conn, {"error": {"class": "GenericError", "desc": "no such property"}})
    if cmd == "human-monitor-command":
        line = args["command-line"]
        if line.startswith(HMP_XP):
            return reply(conn, {"return": g.xp(line)})
        return reply(conn, {"return": "unknown command: '%s'\r\n" % line})
    if cmd == "stop":
        if g.status == "running":
            g.status = "paused"
            event(conn, "STOP")
        return reply(conn, {"return": {}})
    if cmd == "cont":
        g.status = "running"
        reply(conn, {"return": {}})
        return event(conn, "RESUME")
    if cmd == "getfd":
        if not g.fds:
            return reply(conn, {"error": {"class": "GenericError",
                                          "desc": "No file descriptor supplied via SCM_RIGHTS"}})
        g.named[args["fdname"]] = g.fds.pop(0)
        return reply(conn, {"return": {}})
    if cmd == "closefd":
        fd = g.named.pop(args["fdname"], None)
        if fd is not None:
            os.close(fd)
        return reply(conn, {"return": {}})
    if cmd == "migrate":
        uri = args.get("uri", "")
        if g.status == "postmigrate":
            return reply(conn, {"error": {"class": "GenericError", "desc":
                                          "Can't migrate the vm that was paused due to previous migration"}})
        if not uri.startswith("fd:") or uri[3:] not in g.named:
            return reply(conn, {"error": {"class": "GenericError",
                                          "desc": "File descriptor named '%s' has not been found" % uri}})
        fd = g.named.pop(uri[3:])
        threading.Thread(target=g.migrate, args=(fd,), daemon=True).start()
        return reply(conn, {"return": {}})
    if cmd == "query-migrate":
        return reply(conn, {"return": dict(g.mig)})
    if cmd == "quit":
        g.status = "quit"
        reply(conn, {"return": {}})
        event(conn, "SHUTDOWN")
        return "quit"
    return reply(conn, {"error": {"class": "CommandNotFound",
                                  "desc": "The command %s has not been found" % cmd}})


def serve(g, conn):
    if g.a.not_qmp:
        conn.sendall(b"QEMU 10.0.2 monitor - type 'help' for more information\r\n(qemu) ")
        time.sleep(0.5)
        return
    reply(conn, {"QMP": {"version": {"qemu": {"major": 10, "minor": 0, "micro": 2},
                                     "package": "fake"}, "capabilities": []}})
    buf = b""
    while True:
        data, fds, _, _ = socket.recv_fds(conn, 65536, 4)
        g.fds.extend(fds)
        if not data:
            return
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.strip() and handle(g, conn, json.loads(line)) == "quit":
                return "quit"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("--ram", required=True)
    ap.add_argument("--stream", required=True)
    ap.add_argument("--crash-after", type=float)
    ap.add_argument("--hide")
    ap.add_argument("--machine", default="powernv9-machine")
    ap.add_argument("--status", default="running")
    ap.add_argument("--no-registration", action="store_true")
    ap.add_argument("--fail-after", type=int)
    ap.add_argument("--not-qmp", action="store_true")
    ap.add_argument("--log")
    a = ap.parse_args()
    g = Guest(a)
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(a.socket)
    srv.listen(1)
    print("ready", flush=True)
    while True:
        conn, _ = srv.accept()
        if g.t0 is None:
            g.t0 = time.monotonic()
        try:
            r = serve(g, conn)
        except (BrokenPipeError, ConnectionResetError):
            r = None
        conn.close()
        g.note({"final": g.status})
        if r == "quit":
            return 0


if __name__ == "__main__":
    sys.exit(main())
