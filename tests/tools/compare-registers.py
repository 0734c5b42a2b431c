#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Compare the vCPU registers mig-read printed with QEMU's `info registers -a`.

usage: compare-registers.py REGISTERS.TXT MIG-READ-OUTPUT [PIR,PIR,...]

Both list vCPUs in cpu_index order. Checks NIP, LR, CTR, XER, MSR, CR, the 32
GPRs, SRR0/1, HSRR0/1, CFAR, LPCR, DAR and DSISR; PIRs when given (QEMU's
dump does not print PIR). Exit status 0 when all agree, 1 otherwise.
"""
import re
import sys


def parse_qemu(text):
    cpus = []
    for block in re.split(r"^CPU#\d+\s*$", text, flags=re.M)[1:]:
        regs = {}
        for name in ("NIP", "LR", "CTR", "XER", "MSR", "CR", "SRR0", "SRR1", "HSRR0",
                     "HSRR1", "CFAR", "LPCR", "DAR", "DSISR"):
            m = re.search(r"(?<![A-Z])" + name + r"\s+([0-9a-f]+)", block)
            regs[name.lower()] = int(m.group(1), 16)
        gprs = []
        for m in re.finditer(r"^GPR(\d\d)((?:\s+[0-9a-f]{16}){4})", block, flags=re.M):
            gprs += [int(v, 16) for v in m.group(2).split()]
        regs["gpr"] = gprs
        cpus.append(regs)
    return cpus


def parse_ours(text):
    cpus = {}
    for line in text.splitlines():
        m = re.match(r"cpu (\d+): (.*)", line)
        if not m:
            continue
        c = cpus.setdefault(int(m.group(1)), {})
        rest = m.group(2)
        if rest.startswith("gpr "):
            c["gpr"] = [int(v, 16) for v in rest.split()[1:]]
        else:
            for k, v in re.findall(r"(\w+) 0x([0-9a-f]+)", rest):
                c[k] = int(v, 16)
    return [cpus[i] for i in sorted(cpus)]


def main():
    qemu = parse_qemu(open(sys.argv[1]).read())
    ours = parse_ours(open(sys.argv[2]).read())
    pirs = [int(p, 0) for p in sys.argv[3].split(",")] if len(sys.argv) > 3 else None
    bad = 0
    if len(qemu) != len(ours):
        print(f"vCPU count: QEMU {len(qemu)}, ours {len(ours)}")
        return 1
    checked = 0
    for i, (q, o) in enumerate(zip(qemu, ours)):
        for k, v in q.items():
            checked += len(v) if k == "gpr" else 1
            if o.get(k) != v:
                print(f"cpu {i} {k}: QEMU {v!r} ours {o.get(k)!r}")
                bad += 1
        if pirs is not None:
            checked += 1
            if o.get("pir") != pirs[i]:
                print(f"cpu {i} pir: expected {pirs[i]:#x} ours {o.get('pir')!r}")
                bad += 1
    print(f"{len(qemu)} vCPUs, {checked} values compared, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
