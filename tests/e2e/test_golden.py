# SPDX-License-Identifier: GPL-2.0-or-later
"""The real MPIPL cycle in ../shared/golden/powernv9 (QEMU with the MPIPL patches)."""

import json
import os
import subprocess
import unittest

from common import GOLDEN, TempDirTest, mpiplctl, read_at, sha256_file


def golden(name):
    return os.path.join(GOLDEN, name)


def expected_hash(name):
    with open(golden("SHA256SUMS.uncompressed")) as f:
        for line in f:
            digest, fname = line.split()
            if fname == name:
                return digest
    raise KeyError(name)


def golden_bytes(name):
    with open(golden(name), "rb") as f:
        return f.read()


@unittest.skipUnless(os.path.isdir(GOLDEN), "golden data not present at " + GOLDEN)
class GoldenPreS0(TempDirTest):
    """2a-pre-S0-derived.raw.zst: RAM just before the S0 interrupt (no CPU state)."""

    RAW = "2a-pre-S0-derived.raw.zst"
    MDRT = 0x31C00000

    def preserve(self, profile):
        out = self.path(profile + ".raw")
        _, stdout, _ = mpiplctl("preserve", golden(self.RAW), "--profile", profile, "-o", out,
                                "--json")
        return out, json.loads(stdout)

    def test_layout_auto_finds_skiboot_71(self):
        _, stdout, _ = mpiplctl("inspect", golden(self.RAW), "--json")
        doc = json.loads(stdout)
        self.assertEqual(doc["layout"]["kind"], "7.1")
        self.assertEqual(doc["layout"]["source"], "spirah")
        self.assertEqual(doc["layout"]["spirah"], "0x30010000")
        self.assertEqual(doc["layout"]["mdst"]["addr"], "0x30010c00")
        self.assertEqual(doc["layout"]["mddt"]["addr"], "0x30011000")
        self.assertEqual(doc["layout"]["proc_dump_area"], "0x30010300")
        self.assertEqual(doc["counts"], {"hdat": 2, "qemu": 2})
        self.assertEqual(doc["kernel_metadata"]["fadumphdr_addr"], "0x64c30000")
        self.assertEqual(doc["crash_info"]["magic"], "FADMPSIG")

    def test_qemu_profile_matches_qemu(self):
        out, rep = self.preserve("qemu")
        self.assertEqual([e["outcome"] for e in rep["entries"]], ["preserved", "preserved"])
        mdrt = read_at(out, self.MDRT, 0x8000)
        self.assertEqual(mdrt, golden_bytes("3-post-reset.mdrt-0x31c00000.bin"))
        # With the MDRT cleared again, the image is QEMU's RAM right after its
        # preserve step (before the reset writes the MDRT): same SHA-256.
        with open(out, "r+b") as f:
            f.seek(self.MDRT)
            f.write(bytes(64))
        self.assertEqual(sha256_file(out), expected_hash("2-post-preserve.raw"))

    def test_hdat_profile_original_addresses(self):
        out, rep = self.preserve("hdat")
        self.assertEqual([(e["src"], e["dest"], e["size"]) for e in rep["mdrt"]],
                         [("0x30000000", "0x31c38000", 0x1C38000),
                          ("0x0", "0x34c30000", 0x30000000)])
        raw = read_at(out, self.MDRT, 0x8000)
        want = bytes.fromhex("0000000030000000" "0000000031c38000" "03000000" "01c38000"
                             "0000000000000000"
                             "0000000000000000" "0000000034c30000" "80000000" "30000000"
                             "0000000000000000")
        self.assertEqual(raw[:64], want)
        self.assertEqual(raw[64:], bytes(0x8000 - 64))
