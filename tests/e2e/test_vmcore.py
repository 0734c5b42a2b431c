# SPDX-License-Identifier: GPL-2.0-or-later
"""vmcore: the ELF /proc/vmcore, checked with our own ELF reader, readelf,
eu-readelf, gdb-multiarch and drgn against the generator's manifest."""

import glob
import json
import os
import re
import shutil
import struct
import subprocess
import unittest

from common import (GOLDEN, KDUMPCHECK, MPIPLCTL, TempDirTest, mkimage, mpiplctl, read_at, run, sha256_file,
                    sha256_range)
from elfcheck import (CCR, CTR, DAR, DSISR, LINK, MSR, NIP, PT_LOAD, PT_NOTE, XER, Core,
                      expected_phdrs, page_align)

XER_SPLIT = 0xE00C0000


def cpu_threads(path):
    with open(path) as f:
        threads = json.load(f)["threads"]
    return [{k: (int(v, 0) if isinstance(v, str) else v) for k, v in t.items()} for t in threads]


def firmware_regs(cpu, profile):
    """pt_regs Linux builds from a thread record of our profiles (mpipl.md 4.4, 4.5)."""
    r = [0] * 48
    for i in range(32):
        r[i] = cpu.get("r%d" % i, 0)
    r[NIP], r[MSR], r[CTR], r[LINK] = cpu["nip"], cpu["msr"], cpu["ctr"], cpu["lr"]
    r[XER] = cpu["xer"] & ~XER_SPLIT if profile == "qemu" else cpu["xer"]
    r[CCR] = 0 if profile == "qemu" else cpu["cr"]  # QEMU never saves CR
    r[DAR], r[DSISR] = cpu.get("dar", 0), cpu.get("dsisr", 0)
    return r


def vmcoreinfo_note(img, m):
    """The VMCOREINFO note the generator wrote: its bytes as the kernel's walk keeps them."""
    e = ">" if m["big_endian"] else "<"
    head = read_at(img, m["vmcoreinfo"], 12)
    namesz, descsz, _ = struct.unpack(e + "III", head)
    return read_at(img, m["vmcoreinfo"], 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4)


def tool_ok(test, args):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    out = p.stdout.decode(errors="replace")
    test.assertEqual(p.returncode, 0, out)
    test.assertNotRegex(out.lower(), r"warning|error|corrupt", "%s:\n%s" % (args[0], out))
    return out


class VmcoreGenerated(TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.img = os.path.join(cls.tmp, "sample.raw")
        cls.m, cls.cpu = mkimage(cls.img, "--size", "256M", "--regions", "2")
        cls.base = str(cls.m["base"])
        cls.cores = {}
        cls.posts = {}
        for profile in ("hdat", "qemu"):
            core = os.path.join(cls.tmp, profile + ".vmcore")
            post = os.path.join(cls.tmp, profile + ".post")
            for cmd, out in (("vmcore", core), ("preserve", post)):
                run([MPIPLCTL, cmd, cls.img, "--base", cls.base, "--cpu-state", cls.cpu,
                     "--profile", profile, "-o", out, "-q"], check_rc=0)
            cls.cores[profile], cls.posts[profile] = core, post

    def test_headers_follow_the_capture_kernel(self):
        c = Core(self.cores["hdat"])
        P = self.m["page_size"]
        self.assertEqual((c.type, c.machine, c.version, c.flags, c.ehsize, c.phentsize),
                         (4, 21, 1, 2, 64, 56))
        self.assertFalse(c.be)
        want = expected_phdrs(self.m, self.m["size"])
        self.assertEqual(c.phnum, 1 + len(want))
        note = c.phdrs[0]
        elfsz = page_align(64 + 56 * c.phnum, P)
        self.assertEqual((note["type"], note["offset"], note["align"]), (PT_NOTE, elfsz, 4))
        off = elfsz + page_align(note["filesz"], P)
        for p, (paddr, size, src) in zip(c.phdrs[1:], want):
            self.assertEqual((p["type"], p["paddr"], p["filesz"], p["memsz"], p["flags"]),
                             (PT_LOAD, paddr, size, size, 7))
            self.assertEqual(p["vaddr"], 0xC000000000000000 + paddr)
            s = src // P * P
            self.assertEqual(p["offset"], off + src - s)  # /proc/vmcore placement (6.6)
            off += page_align(src + size, P) - s
        self.assertEqual(os.path.getsize(self.cores["hdat"]), off)

    def test_load_bytes_are_the_post_mpipl_memory(self):
        for profile in ("hdat", "qemu"):
            c = Core(self.cores[profile])
            for p, (paddr, size, src) in zip(c.loads(), expected_phdrs(self.m, self.m["size"])):
                self.assertEqual(sha256_range(self.cores[profile], p["offset"], size),
                                 sha256_range(self.posts[profile], src, size),
                                 "%s PT_LOAD at 0x%x" % (profile, paddr))
            # Boot memory is the preserved copy, i.e. the crashed kernel's own bytes.
            k = self.m["entries"][1]
            self.assertEqual(sha256_range(self.cores[profile], c.loads()[0]["offset"], k["size"]),
                             sha256_range(self.img, k["src"], k["size"]))

    def test_notes(self):
        cpus = cpu_threads(self.cpu)
        for profile in ("hdat", "qemu"):
            c = Core(self.cores[profile])
            notes = c.notes()
            self.assertEqual([(n, t) for n, t, _ in notes],
                             [(b"CORE", 1), (b"CORE", 1), (b"VMCOREINFO", 0)])
            regs = c.prstatus_regs()
            # crashing_cpu 0 matches the thread with PIR 0: the crash header's pt_regs.
            self.assertEqual(regs[0], self.m["crash_regs"])
            self.assertEqual(regs[1], firmware_regs(cpus[1], profile), profile)
            for _, _, desc in notes[:2]:
                self.assertEqual(desc[:112], bytes(112))  # no pid, no times
            raw = c.read(c.phdrs[0]["offset"] + 2 * 524, c.phdrs[0]["filesz"] - 2 * 524)
            self.assertEqual(raw, vmcoreinfo_note(self.img, self.m))

    def test_readelf_and_eu_readelf(self):
        for core in self.cores.values():
            out = tool_ok(self, ["readelf", "-h", "-l", "-n", core])
            self.assertIn("NT_PRSTATUS", out)
            self.assertIn("VMCOREINFO", out)
            tool_ok(self, ["eu-readelf", "-n", core])

    def test_gdb_sees_the_crashing_cpu(self):
        regs = self.m["crash_regs"]
        p = subprocess.run(["gdb-multiarch", "-batch", "-nx", "-ex",
                            "set architecture powerpc:common64", "-ex",
                            "core-file " + self.cores["qemu"], "-ex", "thread 2", "-ex",
                            "info registers pc lr msr r1 r31"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        out = p.stdout.decode()
        got = dict(re.findall(r"^(pc|lr|msr|r1|r31)\s+(0x[0-9a-f]+)", out, re.M))
        self.assertEqual({k: int(v, 16) for k, v in got.items()},
                         {"pc": regs[NIP], "lr": regs[LINK], "msr": regs[MSR], "r1": regs[1],
                          "r31": regs[31]}, out)

    def test_drgn_reads_physical_memory(self):
        code = ("import drgn,sys,json\n"
                "p=drgn.Program(); p.set_core_dump(sys.argv[1])\n"
                "out={}\n"
                "for a in json.loads(sys.argv[2]):\n"
                "    out[str(a)]=p.read(a,4096,True).hex()\n"
                "print(json.dumps(out))\n")
        c = Core(self.cores["hdat"])
        addrs = []
        for p in c.loads():
            addrs += [p["paddr"] // 4096 * 4096 + 4096, (p["paddr"] + p["filesz"]) // 4096 * 4096 - 4096]
        r = subprocess.run(["/usr/bin/python3", "-c", code, self.cores["hdat"], json.dumps(addrs)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        got = json.loads(r.stdout)
        for p, (paddr, size, src) in zip(c.loads(), expected_phdrs(self.m, self.m["size"])):
            for a in addrs:
                if paddr <= a < paddr + size:
                    want = read_at(self.posts["hdat"], src + a - paddr, 4096).hex()
                    self.assertEqual(got[str(a)], want, "drgn at 0x%x" % a)

    def test_post_image_gives_the_same_vmcore(self):
        out = self.path("from-post.vmcore")
        mpiplctl("vmcore", self.posts["qemu"], "--base", self.base, "-o", out, "-q")
        self.assertEqual(sha256_file(out), sha256_file(self.cores["qemu"]))
        out2 = self.path("from-post-forced.vmcore")
        mpiplctl("vmcore", self.posts["qemu"], "--post", "--base", self.base, "-o", out2, "-q")
        self.assertEqual(sha256_file(out2), sha256_file(self.cores["qemu"]))

    def test_inspect_predicts_the_vmcore(self):
        _, stdout, _ = mpiplctl("inspect", self.img, "--base", self.base, "--cpu-state",
                                self.cpu, "--json")
        v = json.loads(stdout)["vmcore"]
        c = Core(self.cores["hdat"])
        self.assertEqual(v["size"], os.path.getsize(self.cores["hdat"]))
        self.assertEqual([(int(p["offset"], 16), p["size"]) for p in v["phdrs"]],
                         [(p["offset"], p["filesz"]) for p in c.phdrs])
        self.assertEqual([int(x["pir"], 16) for x in v["cpus"]], [0, 4])
        self.assertEqual(v["cpus"][0]["source"], "crash-info-header")
        self.assertIn("OSRELEASE=6.12.0-mpiplctl-sample", v["vmcoreinfo"])

    def test_ram_ranges_option(self):
        out = self.path("ranges.vmcore")
        mpiplctl("vmcore", self.img, "--base", self.base, "-o", out, "-q",
                 "--ram-ranges", "0-0x8000000,0x8000000+0x8000000")
        c = Core(out)
        m = self.m
        # The second range starts inside the reserved area: [ra_end, 256M) only.
        self.assertEqual([(p["paddr"], p["filesz"]) for p in c.loads()][-2:],
                         [(p[0], p[1]) for p in expected_phdrs(m, m["size"])][-2:])
        self.assertEqual(len(c.loads()), len(expected_phdrs(m, m["size"])))

    def test_stdout_and_atomic(self):
        p = subprocess.run([MPIPLCTL, "vmcore", self.img, "--base", self.base, "--cpu-state",
                            self.cpu, "-o", "-", "-q"], stdout=subprocess.PIPE, check=True)
        with open(self.cores["hdat"], "rb") as f:
            self.assertEqual(p.stdout, f.read())


class VmcoreVariants(TempDirTest):
    def gen(self, name, *args):
        img = self.path(name)
        m, cpu = mkimage(img, "--size", "128M", *args)
        return img, m, cpu

    def test_legacy_elfcorehdr(self):
        img, m, cpu = self.gen("legacy.raw", "--legacy", "--regions", "2")
        out = self.path("legacy.vmcore")
        mpiplctl("vmcore", img, "--base", m["base"], "--cpu-state", cpu, "-o", out, "-q")
        c = Core(out)
        self.assertEqual([(p["paddr"], p["filesz"]) for p in c.loads()],
                         [(a, s) for a, s, _ in expected_phdrs(m, m["size"])])
        self.assertEqual(c.prstatus_regs()[0], m["crash_regs"])
        self.assertEqual([n for n, _, _ in c.notes()], [b"CORE", b"CORE", b"VMCOREINFO"])
        tool_ok(self, ["readelf", "-h", "-l", "-n", out])

    def test_big_endian_kernel(self):
        img, m, cpu = self.gen("be.raw", "--big-endian")
        out = self.path("be.vmcore")
        mpiplctl("vmcore", img, "--base", m["base"], "--cpu-state", cpu, "-o", out, "-q")
        c = Core(out)
        self.assertTrue(c.be)
        self.assertEqual(c.prstatus_regs()[0], m["crash_regs"])
        raw = c.read(c.phdrs[0]["offset"] + 2 * 524, c.phdrs[0]["filesz"] - 2 * 524)
        self.assertEqual(raw, vmcoreinfo_note(img, m))
        out_text = tool_ok(self, ["readelf", "-h", "-l", "-n", out])
        self.assertIn("big endian", out_text)
        rc, _, err = run([MPIPLCTL, "vmcore", img, "--base", str(m["base"]), "--endian", "le",
                          "-o", self.path("be-as-le.vmcore")])
        self.assertEqual(rc, 2)
        self.assertIn("Endianness mismatch", err)

    def test_synthesize_without_registration(self):
        img, m, cpu = self.gen("noreg.raw")
        with open(img, "r+b") as f:  # drop skiboot's KERNEL tag
            f.seek(m["metadata"] + 4)
            f.write(bytes(8))
        out = self.path("noreg.vmcore")
        rc, _, err = run([MPIPLCTL, "vmcore", img, "--base", str(m["base"]), "-o", out])
        self.assertEqual(rc, 2)
        self.assertIn("--synthesize", err)
        self.assertFalse(os.path.exists(out))
        mpiplctl("vmcore", img, "--base", m["base"], "--cpu-state", cpu, "--synthesize", "-o",
                 out, "-q")
        c = Core(out)
        self.assertEqual([(p["paddr"], p["filesz"], p["offset"] >= 0) for p in c.loads()],
                         [(0, m["size"], True)])
        cpus = cpu_threads(cpu)
        regs = c.prstatus_regs()
        self.assertEqual(len(regs), 2)
        self.assertEqual([(r[NIP], r[LINK], r[1], r[CCR], r[XER]) for r in regs],
                         [(t["nip"], t["lr"], t["r1"], t["cr"], t["xer"]) for t in cpus])
        self.assertEqual(sha256_range(out, c.loads()[0]["offset"], m["size"]), sha256_file(img))
        # One gdb thread per vCPU: pr_pid = index + 1, as QEMU's dump-guest-memory.
        pids = [struct.unpack_from("<I", d, 32)[0] for n, t, d in c.notes() if t == 1]
        self.assertEqual(pids, [1, 2])

    def corrupt(self, name, what, patches, *extra):
        """Patch bytes of a fresh image; vmcore must refuse with exit 2 and no output."""
        img, m, cpu = self.gen(name)
        with open(img, "r+b") as f:
            for addr_key, delta, data in patches(m):
                f.seek(m[addr_key] + delta)
                f.write(data)
        out = self.path(name + ".vmcore")
        rc, _, err = run([MPIPLCTL, "vmcore", img, "--base", str(m["base"]), "-o", out] +
                         list(extra))
        self.assertEqual(rc, 2, what)
        lines = [l for l in err.splitlines() if l.startswith("mpiplctl: ")]
        self.assertEqual(len(lines), 1, err)
        self.assertFalse(os.path.exists(out))
        self.assertEqual(glob.glob(out + ".tmp.*"), [])
        return lines[0]

    def test_invalid_headers_give_no_vmcore(self):
        line = self.corrupt("magic.raw", "wrong magic", lambda m: [("fdh", 0, b"GARBAGE!")])
        self.assertIn("corrupted", line)
        line = self.corrupt("swapped.raw", "byte-swapped", lambda m: [("fdh", 0, b"FADMPSIG")],
                            "--endian", "le")
        self.assertIn("Endianness mismatch", line)
        line = self.corrupt("ptregs0.raw", "pt_regs_sz 0", lambda m: [("fdh", 32, bytes(4))])
        self.assertIn("pt_regs_sz", line)
        line = self.corrupt("ptregs7.raw", "pt_regs_sz 7",
                            lambda m: [("fdh", 32, struct.pack("<I", 7))])
        self.assertIn("pt_regs_sz", line)
        line = self.corrupt("mask.raw", "cpu_mask_sz huge",
                            lambda m: [("fdh", 36, struct.pack("<I", 1 << 20))])
        self.assertIn("cpu_mask_sz", line)
        line = self.corrupt("rgn.raw", "region_cnt 129",
                            lambda m: [("kmeta", 4, struct.pack(">HH", 129, 129))])
        self.assertIn("region_cnt", line)
        # Unknown crashing CPU and no register data (no --cpu-state): no notes at all.
        line = self.corrupt("unknown.raw", "crashing cpu unknown",
                            lambda m: [("fdh", 12, b"\xff\xff\xff\xff")])
        self.assertIn("unknown", line)

    def test_legacy_without_elfcorehdr(self):
        img, m, cpu = self.gen("legacy0.raw", "--legacy")
        with open(img, "r+b") as f:
            f.seek(m["fdh"] + 8)
            f.write(bytes(8))
        rc, _, err = run([MPIPLCTL, "vmcore", img, "--base", str(m["base"]), "-o",
                          self.path("l0.vmcore")])
        self.assertEqual(rc, 2)
        self.assertIn("elfcorehdr_addr 0", err)


@unittest.skipUnless(os.path.isdir(GOLDEN) and shutil.which("zstd"), "golden data not present")
class VmcoreGolden(TempDirTest):
    """The real capture kernel's /proc/vmcore of shared/golden/powernv9."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.real = os.path.join(cls.tmp, "real.vmcore")
        subprocess.run(["zstd", "-q", "-d", os.path.join(GOLDEN, "vmcore.zst"), "-o", cls.real],
                       check=True)
        cls.ours = os.path.join(cls.tmp, "ours.vmcore")
        run([MPIPLCTL, "vmcore", "--profile=qemu", os.path.join(GOLDEN, "2a-pre-S0-derived.raw.zst"),
             "-o", cls.ours, "-q"], check_rc=0)

    def test_loads_and_boot_memory_match(self):
        real, ours = Core(self.real), Core(self.ours)
        self.assertEqual([(p["paddr"], p["filesz"], p["vaddr"]) for p in ours.loads()],
                         [(p["paddr"], p["filesz"], p["vaddr"]) for p in real.loads()])
        r0, o0 = real.loads()[0], ours.loads()[0]
        self.assertEqual(sha256_range(self.ours, o0["offset"], o0["filesz"]),
                         sha256_range(self.real, r0["offset"], r0["filesz"]))
        self.assertEqual(os.path.getsize(self.ours), os.path.getsize(self.real))

    def test_crashing_cpu_note_and_vmcoreinfo_match(self):
        real, ours = Core(self.real), Core(self.ours)
        rn, on = real.notes(), ours.notes()
        # The raw image carries no vCPU state: only the crashing CPU's note.
        self.assertEqual(on[0], rn[0])
        self.assertEqual(on[-1], rn[-1])
        self.assertEqual(on[-1][0], b"VMCOREINFO")


class VmcoreKdump(TempDirTest):
    """--format=kdump, read back by libkdumpfile (tests/tools/kdump-check, none of our code)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.img = os.path.join(cls.tmp, "k.raw")
        cls.m, cls.cpu = mkimage(cls.img, "--size", "256M", "--regions", "2")
        cls.elf = os.path.join(cls.tmp, "k.vmcore")
        mpiplctl("vmcore", cls.img, "--cpu-state", cls.cpu, "-o", cls.elf, "-q")

    def kdump(self, name, *args):
        out = self.path(name)
        mpiplctl("vmcore", self.img, "--cpu-state", self.cpu, "--format=kdump", "-o", out, "-q",
                 *args)
        return out

    def header(self, path):
        raw = read_at(path, 0, 464)
        version, = struct.unpack_from("<i", raw, 8)
        status, block, sub, bitmap_blocks, _, = struct.unpack_from("<iiiii", raw, 424)
        nr_cpus, = struct.unpack_from("<i", raw, 460)
        return {"magic": raw[:8], "version": version, "status": status, "block": block,
                "nr_cpus": nr_cpus, "machine": raw[12 + 4 * 65:12 + 5 * 65].rstrip(b"\0")}

    def test_every_compression_reads_back_through_libkdumpfile(self):
        for comp, flag in (("zstd", 0x20), ("zlib", 0x1), ("none", 0)):
            out = self.kdump("k-%s.kdump" % comp, "--compress", comp)
            h = self.header(out)
            self.assertEqual((h["magic"], h["version"], h["block"], h["nr_cpus"]),
                             (b"KDUMP   ", 6, self.m["page_size"], 2), comp)
            self.assertEqual(h["status"] & 0x27, flag, comp)
            self.assertTrue(h["machine"].startswith(b"ppc64"), h["machine"])
            run([KDUMPCHECK, out, self.elf], check_rc=0)

    def test_threads_do_not_change_the_bytes(self):
        one = self.kdump("t1.kdump", "--threads", "1")
        two = self.kdump("t2.kdump", "--threads", "2")
        self.assertEqual(sha256_file(one), sha256_file(two))
        p = subprocess.run([MPIPLCTL, "vmcore", self.img, "--cpu-state", self.cpu,
                            "--format=kdump", "--threads", "2", "-o", "-", "-q"],
                           stdout=subprocess.PIPE, check=True)
        with open(two, "rb") as f:
            self.assertEqual(p.stdout, f.read())

    def test_bad_options(self):
        for args in (["--format", "lkcd"], ["--compress", "lzo"], ["--threads", "0"]):
            rc, _, err = run([MPIPLCTL, "vmcore", self.img, "-o", self.path("never")] + args)
            self.assertEqual(rc, 2, args)
        self.assertFalse(os.path.exists(self.path("never")))
