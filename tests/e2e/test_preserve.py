# SPDX-License-Identifier: GPL-2.0-or-later
"""preserve and inspect on generated images, checked byte by byte in Python."""

import json
import os
import stat

from common import (HRMOR, TempDirTest, mdrt_entries, mkimage, mpiplctl, proc_area,
                    qemu_chunks, read_at, sha256_file, sha256_range, thread_record)

# QEMU's 66 register entries after the 32 GPRs (mpipl.md 4.4): (spr number, source)
# source: a JSON key of the --cpu-state file, "ctr"/"lr" the live values, "msr"/"nip"/"xer".
QEMU_SPRS = [
    (0x1F, "acop"), (0x1D, "amr"), (0x326, "bescr"), (0x1C, "cfar"), (0xBB, "ciabr"),
    (0x9, "ctr"), (0x98, "ctrl"), (0x3F5, "dabr"), (0x3F7, "dabrx"), (0x13, "dar"),
    (0xB4, "dawr0"), (0xB5, "dawr1"), (0xBC, "dawrx0"), (0xBD, "dawrx1"), (0xB0, "dpdes"),
    (0x11, "dscr"), (0x12, "dsisr"), (0x324, "ebbhr"), (0x325, "ebbrr"), (0x99, "fscr"),
    (0x9, "ctr"), (0x13, "dar"), (0x12, "dsisr"), (0x8, "lr"), (0x7D1, "msr"),
    (0x7D0, "nip"), (0x1, "xer"), (0x1A, "srr0"), (0x1B, "srr1"), (0x13A, "hsrr0"),
    (0x13B, "hsrr1"), (0x1C, "cfar"), (0x150, "hmer"), (0x151, "hmeer"),
]
XER_SPLIT = 0xE00C0000


def cpu_values(cpu_json):
    with open(cpu_json) as f:
        threads = json.load(f)["threads"]
    out = []
    for t in threads:
        out.append({k: (int(v, 0) if isinstance(v, str) else v) for k, v in t.items()})
    return out


def expected_entries(cpu, profile):
    """The register entries a thread record must hold, from the spec's list."""
    entries = [(1, i, cpu.get("r%d" % i, 0)) for i in range(32)]
    for num, key in QEMU_SPRS:
        val = cpu.get(key, 0)
        if key == "xer" and profile == "qemu":
            val &= ~XER_SPLIT
        entries.append((2, num, val))
    if profile == "hdat":
        entries.append((2, 0x7D2, cpu.get("cr", 0)))
    return entries


class PreserveGenerated(TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.img = os.path.join(cls.tmp, "sample.raw")
        cls.m, cls.cpu = mkimage(cls.img, "--size", "256M", "--regions", "2")
        cls.base = "0x%x" % cls.m["base"]
        cls.input_hash = sha256_file(cls.img)

    def preserve(self, profile, name, *extra):
        out = self.path(name)
        rc, stdout, err = mpiplctl("preserve", self.img, "--base", self.base, "--profile",
                                   profile, "--cpu-state", self.cpu, "-o", out, "--json",
                                   *extra)
        return out, json.loads(stdout)

    def check_copies(self, out, profile):
        for e in self.m["entries"]:
            self.assertEqual(sha256_range(self.img, e["src"], e["size"]),
                             sha256_range(out, e["dest"], e["size"]),
                             "destination 0x%x holds the source 0x%x" % (e["dest"], e["src"]))
            # A kernel source is left as it was (the OPAL one holds the MDRT,
            # which preserve writes after the copy; qemu also writes the
            # processor dump area at its base-less offset, in kernel memory).
            if e["what"] == "kernel" and profile == "hdat":
                self.assertEqual(sha256_range(self.img, e["src"], e["size"]),
                                 sha256_range(out, e["src"], e["size"]))

    def check_threads(self, out, profile):
        pa = proc_area(out, self.m["proc_area"])
        nregs = 67 if profile == "hdat" else 66
        tsize = 24 + 16 * nregs
        cpus = cpu_values(self.cpu)
        self.assertEqual(pa["thread_size"], tsize)
        self.assertEqual(pa["version"], 1)
        self.assertEqual(pa["alloc_addr"], self.m["cpu_area"] | HRMOR)
        self.assertEqual(pa["dest_addr"], self.m["cpu_area"] | HRMOR)
        self.assertEqual(pa["act_size"], len(cpus) * tsize)
        self.assertEqual(pa["alloc_size"], self.m["cpu_area_size"])
        for i, cpu in enumerate(cpus):
            rec = thread_record(out, self.m["cpu_area"] + i * tsize, tsize)
            self.assertEqual(rec["pir"], cpu["pir"])
            self.assertEqual(rec["core_state"], 0xFF)
            self.assertEqual(rec["reserved"], b"\0\0\0")
            self.assertEqual(rec["offset"], 16 if profile == "hdat" else 0)
            self.assertEqual((rec["ecnt"], rec["esize"], rec["eactsz"]), (nregs, 16, 16))
            self.assertEqual(rec["entries"], expected_entries(cpu, profile))
        return pa

    def test_hdat(self):
        out, rep = self.preserve("hdat", "hdat.raw")
        self.check_copies(out, "hdat")
        entries = self.m["entries"]
        mdrt = mdrt_entries(out, self.m["mdrt"], len(entries) + 1)
        for i, e in enumerate(entries):
            self.assertEqual((mdrt[i]["src"], mdrt[i]["dest"], mdrt[i]["size"],
                              mdrt[i]["region"]), (e["src"], e["dest"], e["size"], e["region"]))
        # hdat zeroes the rest of the 0x8000-byte MDRT area.
        tail = read_at(out, self.m["mdrt"] + 32 * len(entries), 0x8000 - 32 * len(entries))
        self.assertEqual(tail, bytes(len(tail)))
        self.check_threads(out, "hdat")
        self.assertEqual([e["outcome"] for e in rep["entries"]], ["preserved"] * len(entries))
        self.assertEqual(rep["cpu_data"]["threads"], 2)

    def test_qemu(self):
        out, rep = self.preserve("qemu", "qemu.raw")
        self.check_copies(out, "qemu")
        entries = self.m["entries"]
        mdrt = mdrt_entries(out, self.m["mdrt"], len(entries))
        for i, e in enumerate(entries):
            shift = qemu_chunks(e["size"]) * (32 << 20)
            # QEMU's MDRT holds the addresses as its chunk loop left them.
            self.assertEqual((mdrt[i]["src"], mdrt[i]["dest"], mdrt[i]["size"],
                              mdrt[i]["region"]),
                             (e["src"] + shift, e["dest"] + shift, e["size"], e["region"]))
        pa = self.check_threads(out, "qemu")
        # QEMU also writes the area at its base-less offset (mpipl.md 1).
        absolute = self.m["proc_area"] - self.m["base"]
        self.assertEqual(read_at(out, absolute, 48), read_at(out, self.m["proc_area"], 48))
        self.assertEqual(pa["version"], 1)

    def test_input_unchanged_and_output_sparse(self):
        out, _ = self.preserve("hdat", "sparse.raw")
        self.assertEqual(sha256_file(self.img), self.input_hash)
        st = os.stat(out)
        self.assertEqual(st.st_size, self.m["size"])
        # The generator fills ~30% of pages; the copies add ~30% of the boot memory.
        self.assertLess(st.st_blocks * 512, st.st_size * 0.6)
        self.assertEqual(stat.S_IMODE(st.st_mode) & 0o600, 0o600)

    def test_inspect_json_matches_manifest(self):
        _, stdout, _ = mpiplctl("inspect", self.img, "--base", self.base, "--json")
        doc = json.loads(stdout)
        m = self.m
        self.assertEqual(doc["layout"]["kind"], "7.1")
        self.assertEqual(doc["layout"]["source"], "spirah")
        self.assertEqual(int(doc["layout"]["mdst"]["addr"], 16), m["mdst"])
        self.assertEqual(int(doc["layout"]["mddt"]["addr"], 16), m["mddt"])
        self.assertEqual(int(doc["layout"]["mdrt"]["addr"], 16), m["mdrt"])
        self.assertEqual(int(doc["layout"]["proc_dump_area"], 16), m["proc_area"])
        self.assertEqual(len(doc["entries"]), len(m["entries"]))
        for got, want in zip(doc["entries"], m["entries"]):
            self.assertEqual(int(got["mdst"]["addr"], 16), want["src"])
            self.assertEqual(int(got["mddt"]["addr"], 16), want["dest"])
            self.assertEqual(got["mdst"]["size"], want["size"])
            self.assertEqual(int(got["mdst"]["region"], 16), want["region"])
            self.assertEqual(got["pairing"], "ok")
        km = doc["kernel_metadata"]
        self.assertEqual(int(km["addr"], 16), m["kmeta"])
        self.assertEqual(int(km["fadumphdr_addr"], 16), m["fdh"])
        self.assertEqual(km["region_cnt"], len(m["entries"]) - 1)
        ci = doc["crash_info"]
        self.assertEqual(ci["magic"], "FADMPSIG")
        self.assertEqual(int(ci["crashing_cpu"], 16), m["crashing_cpu"])
        self.assertEqual(ci["vmcoreinfo_size"], m["vmcoreinfo_size"])
        first = m["entries"][1]
        self.assertEqual(int(ci["vmcoreinfo_addr"], 16),
                         first["dest"] + m["vmcoreinfo"] - first["src"])
        self.assertEqual(doc["summary"], {"errors": 0, "warnings": 0, "notes": 0})

    def test_post_image_reads_back(self):
        out, _ = self.preserve("hdat", "readback.raw")
        _, stdout, _ = mpiplctl("inspect", out, "--base", self.base, "--json")
        doc = json.loads(stdout)
        self.assertEqual(doc["mdrt"]["used"], len(self.m["entries"]))
        self.assertTrue(doc["cpu_data"]["valid"])
        cpus = cpu_values(self.cpu)
        self.assertEqual([int(t["pir"], 16) for t in doc["cpu_data"]["threads"]],
                         [c["pir"] for c in cpus])
        self.assertEqual([int(t["nip"], 16) for t in doc["cpu_data"]["threads"]],
                         [c["nip"] for c in cpus])

    def test_compressed_inputs_give_the_same_output(self):
        ref, _ = self.preserve("qemu", "ref.raw")
        ref_hash = sha256_file(ref)
        for tool, ext in (("gzip", "gz"), ("zstd", "zst")):
            comp = self.path("sample.raw." + ext)
            os.system("%s -c -1 %s > %s" % (tool, self.img, comp))
            out = self.path("from-%s.raw" % ext)
            mpiplctl("preserve", comp, "--base", self.base, "--profile", "qemu",
                     "--cpu-state", self.cpu, "-o", out, "-q")
            self.assertEqual(sha256_file(out), ref_hash, tool)
            _, stdout, _ = mpiplctl("inspect", comp, "--base", self.base, "--json")
            self.assertIn(ext == "gz" and "gzip" or "zstd", json.loads(stdout)["input"]["format"])

    def test_without_cpu_state_no_threads(self):
        out = self.path("nocpu.raw")
        _, _, err = mpiplctl("preserve", self.img, "--base", self.base, "-o", out, "-q")
        pa = proc_area(out, self.m["proc_area"])
        self.assertEqual((pa["dest_addr"], pa["act_size"]), (0, 0))
        self.assertEqual(read_at(out, self.m["cpu_area"], 1096), bytes(1096))
        _, _, err = mpiplctl("preserve", self.img, "--base", self.base, "-o", out)
        self.assertIn("no CPU state", err)


class PreserveVariants(TempDirTest):
    """Images with bad MDST entries: per-entry findings, later entries still preserved."""

    def gen(self, name, *args):
        img = self.path(name)
        m, cpu = mkimage(img, "--size", "128M", *args)
        return img, m, cpu

    def run_both(self, img, m, strict_rc):
        results = {}
        for profile in ("hdat", "qemu"):
            out = self.path(os.path.basename(img) + "." + profile)
            _, stdout, _ = mpiplctl("preserve", img, "--base", m["base"], "--profile", profile,
                                    "-o", out, "--json", "--strict", rc=strict_rc)
            results[profile] = (out, json.loads(stdout))
        return results

    def test_mismatch_skipped(self):
        img, m, _ = self.gen("mismatch.raw", "--mismatch", "--regions", "2")
        for profile, (out, rep) in self.run_both(img, m, 1).items():
            bad = rep["entries"][-1]
            self.assertEqual(bad["outcome"], "skipped", profile)
            self.assertIn("size mismatch", bad["reason"])
            self.assertEqual(len(rep["mdrt"]), len(m["entries"]) - 1)
            e = m["entries"][-1]
            self.assertEqual(read_at(out, e["dest"], 0x20000), read_at(img, e["dest"], 0x20000))
            # The entries before it are preserved.
            self.assertEqual([x["outcome"] for x in rep["entries"][:-1]],
                             ["preserved"] * (len(m["entries"]) - 1))

    def test_overlap_is_memmove(self):
        img, m, _ = self.gen("overlap.raw", "--overlap")
        e = m["entries"][-1]
        src = read_at(img, e["src"], e["size"])
        for profile, (out, rep) in self.run_both(img, m, 1).items():
            self.assertEqual(rep["entries"][-1]["outcome"], "preserved")
            self.assertEqual(read_at(out, e["dest"], e["size"]), src, profile)

    def test_out_of_ram(self):
        img, m, _ = self.gen("oor.raw", "--out-of-ram")
        e = m["entries"][-1]
        inside = m["size"] - e["dest"]
        res = self.run_both(img, m, 1)
        out, rep = res["hdat"]
        self.assertEqual(rep["entries"][-1]["outcome"], "skipped")
        self.assertEqual(read_at(out, e["dest"], inside), read_at(img, e["dest"], inside))
        out, rep = res["qemu"]
        # QEMU writes the part inside RAM, then drops the entry (mpipl.md 2.4).
        self.assertEqual(rep["entries"][-1]["outcome"], "failed")
        self.assertEqual(rep["entries"][-1]["copied"], inside)
        self.assertEqual(read_at(out, e["dest"], inside), read_at(img, e["src"], inside))
        self.assertEqual(len(rep["mdrt"]), len(m["entries"]) - 1)

    def test_layout_70(self):
        img, m, _ = self.gen("l70.raw", "--layout", "7.0")
        _, stdout, _ = mpiplctl("inspect", img, "--base", m["base"], "--json")
        doc = json.loads(stdout)
        self.assertEqual(doc["layout"]["kind"], "7.0")
        self.assertEqual(int(doc["layout"]["mdst"]["addr"], 16), m["mdst"])
        self.assertEqual(int(doc["layout"]["spirah"], 16), m["spirah"])
        # Forcing the wrong fixed set reads garbage tables: no entries pair up.
        _, stdout, _ = mpiplctl("inspect", img, "--base", m["base"], "--layout", "7.1",
                                "--json")
        self.assertNotEqual(int(json.loads(stdout)["layout"]["mdst"]["addr"], 16), m["mdst"])


class BigImage(TempDirTest):
    """Guests over 4 GiB: a sparse 6 GiB image (64-bit offsets everywhere)."""

    def test_6gib(self):
        img = self.path("big.raw")
        m, cpu = mkimage(img, "--size", "6G", "--fill", "1")
        self.assertEqual(m["base"], 0x30000000)
        out = self.path("big.out")
        _, stdout, _ = mpiplctl("preserve", img, "--cpu-state", cpu, "-o", out, "--json")
        rep = json.loads(stdout)
        self.assertEqual([e["outcome"] for e in rep["entries"]], ["preserved"] * 2)
        self.assertEqual(os.path.getsize(out), 6 << 30)
        k = m["entries"][1]
        self.assertEqual(sha256_range(img, k["src"], k["size"]),
                         sha256_range(out, k["dest"], k["size"]))
        # Data past 4 GiB survives the copy through the output writer.
        self.assertEqual(sha256_range(img, 5 << 30, 64 << 20), sha256_range(out, 5 << 30, 64 << 20))
        self.assertLess(os.stat(out).st_blocks * 512, 1 << 30)
