#!/usr/bin/env python3
"""validate_peers.py - do the benchmark's peers simulate what trialsim simulates? (tests/bench)

Runs trialsim on scenarios/lupil2.json (sample_size set with --set) and each peer,
np_lupil2.py (numpy) and r_lupil2.R (base R), at the same N, and checks that every power, type I
error and hierarchy rate agrees within 4 combined standard errors, sqrt(se1^2 + se2^2); also the
rates that favour the experimental arm and the mean observed differences (alternative and
null twin), which catch a wrong effect size or site shift that a power near 0 or 1 would hide.
The runs are independent (different generators), so the comparison is statistical; the seeds
are fixed, so a run's verdict is reproducible.

Usage: validate_peers.py [--build DIR] [--n 100,1000] [--trials 40000,10000] [--seed S]
                         [--peers numpy,r] [--threads T]
Prints one table per N and peer, and the CPU time of each run. Exit status: 0 when every
check passes, 1 when one fails (or a run fails), 77 (ctest's SKIPPED) when every check that
could run passed but a peer could not run (no python3 with numpy and scipy, or no Rscript).
Only the Python standard library is needed here; the numpy peer runs under the first python3
that can import numpy and scipy ($TSIM_PYTHON3, every python3 on PATH, /usr/bin/python3).
"""
import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def numpy_python():
    cands = [os.environ.get("TSIM_PYTHON3", "")]
    for d in os.environ.get("PATH", "").split(os.pathsep):
        cands.append(os.path.join(d, "python3"))
    cands += ["/usr/bin/python3", "/usr/local/bin/python3"]
    seen = set()
    for py in cands:
        if not py or py in seen or not os.access(py, os.X_OK):
            continue
        seen.add(py)
        if subprocess.run([py, "-c", "import numpy, scipy.special"], capture_output=True).returncode == 0:
            return py
    return None


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd):
    """Runs cmd; (stdout, CPU-seconds of the child) or raises."""
    c0 = children_cpu()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return p.stdout, children_cpu() - c0


def trialsim_rates(build, n, trials, seed, threads):
    out = tempfile.mkdtemp(prefix="tsim-validate.")
    try:
        _, cpu = run([os.path.join(build, "trialsim"), "run", os.path.join(ROOT, "scenarios", "lupil2.json"),
                      "--set", f"sample_size={n}", "--trials", str(trials), "--seed", str(seed),
                      "--threads", str(threads), "--out", out, "--quiet"])
        with open(os.path.join(out, "summary.json")) as f:
            s = json.load(f)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    rates = {}
    for a in s["analyses"]:
        for key, hyp in (("power", "alternative"), ("type1", "null")):
            h = a[hyp]
            rates[a["id"], key] = (h["reject"]["estimate"], h["reject"]["mcse"])
            rates[a["id"], key + "_favouring"] = (h["reject_favouring"]["estimate"], h["reject_favouring"]["mcse"])
            d = h["difference"]
            rates[a["id"], "diff_" + hyp] = (d["mean"], d["mcse"])
    for q in s["multiplicity"]:
        for m in q["analyses"][1:]:  # the first member is its analysis
            for key, src in (("power", "power"), ("type1", "type1_error")):
                rates[q["id"] + "/" + m["id"], key] = (m[src]["estimate"], m[src]["mcse"])
    return rates, cpu


def peer_rates(cmd):
    text, cpu = run(cmd)
    rates = {}
    for line in text.splitlines():
        f = line.split()
        if f[:1] == ["RATE"]:
            rates[f[1], f[2]] = (float(f[3]), float(f[4]))
        elif f[:1] == ["DIFF"]:
            rates[f[1], "diff_" + f[2]] = (float(f[3]), float(f[4]))
    return rates, cpu


def compare(ref, peer, label):
    """Prints the table; returns the number of checks that failed."""
    print(f"{'quantity':62s} {'trialsim':>9s} {label:>9s} {'z':>6s}")
    bad = 0
    for key in sorted(ref, key=lambda k: (k[0].count("/"), list(ref).index(k))):
        if key not in peer:
            print(f"{key[0] + ' ' + key[1]:62s} {ref[key][0]:9.4f} {'missing':>9s}   FAIL")
            bad += 1
            continue
        (a, sa), (b, sb) = ref[key], peer[key]
        se = math.hypot(sa, sb)
        z = (b - a) / se if se > 0 else (0.0 if a == b else math.inf)
        ok = abs(z) <= 4
        bad += not ok
        print(f"{key[0] + ' ' + key[1]:62s} {a:9.4f} {b:9.4f} {z:6.2f}{'' if ok else '   FAIL'}")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--n", default="100,1000")
    ap.add_argument("--trials", default="40000,10000", help="trials per N, one per --n value")
    ap.add_argument("--seed", type=int, default=20221)
    ap.add_argument("--peers", default="numpy,r")
    ap.add_argument("--threads", type=int, default=2, help="trialsim's threads")
    a = ap.parse_args()
    ns = [int(x) for x in a.n.split(",")]
    trials = [int(x) for x in a.trials.split(",")]
    if len(trials) == 1:
        trials *= len(ns)
    if len(trials) != len(ns):
        ap.error("--trials needs one count per --n value (or one for all)")
    if not os.access(os.path.join(a.build, "trialsim"), os.X_OK):
        print(f"validate_peers: {a.build}/trialsim not found (--build)", file=sys.stderr)
        return 2
    peers, skipped = [], []
    for p in a.peers.split(","):
        if p == "numpy":
            py = numpy_python()
            if py:
                peers.append(("numpy", [py, os.path.join(HERE, "np_lupil2.py")]))
            else:
                skipped.append("numpy (no python3 that imports numpy and scipy)")
        elif p == "r":
            rs = shutil.which("Rscript")
            if rs:
                peers.append(("R", [rs, os.path.join(HERE, "r_lupil2.R")]))
            else:
                skipped.append("R (Rscript not found)")
        else:
            ap.error(f"--peers: unknown peer '{p}' (numpy, r)")
    bad = 0
    w0 = time.perf_counter()
    cpu_total = 0.0
    for n, t in zip(ns, trials):
        ref, cpu = trialsim_rates(a.build, n, t, a.seed, a.threads)
        cpu_total += cpu
        print(f"\n== N = {n}: trialsim, {t} trials, seed {a.seed}: {cpu:.1f} CPU-s")
        for name, cmd in peers:
            peer, pcpu = peer_rates(cmd + ["--n", str(n), "--trials", str(t), "--seed", str(a.seed + 1)])
            cpu_total += pcpu
            print(f"-- {name} peer, {t} trials, seed {a.seed + 1}: {pcpu:.1f} CPU-s")
            nb = compare(ref, peer, name)
            print(f"   {len(ref) - nb} of {len(ref)} within 4 SE" + (f", {nb} FAILED" if nb else ""))
            bad += nb
    print(f"\nvalidate_peers: {time.perf_counter() - w0:.1f} s elapsed, {cpu_total:.1f} CPU-s in all")
    for s in skipped:
        print(f"SKIPPED peer: {s}")
    if bad:
        print(f"validate_peers: {bad} checks FAILED")
        return 1
    return 77 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
