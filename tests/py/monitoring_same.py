#!/usr/bin/env python3
"""monitoring_same.py - result sets that must be the same, for tests/monitoring.sh (standard library).

usage: python3 tests/py/monitoring_same.py sets WHAT DIR_A DIR_B [--without KEY] FILE...
         summary.json of both folders equal outside "run" (and the top-level KEY, if given),
         and each FILE byte for byte
       python3 tests/py/monitoring_same.py rows WHAT DIR ID_A=ID_B ... ID_A~ID_B ...
         in DIR/analyses.csv, the rows of analysis ID_A equal those of ID_B but for the id
         columns (id, analysis); with ~ (a continuous end point, whose sums two paths may add
         in another order) the mean differences need only agree to a relative 1e-12
Prints one line "ok   WHAT ..." or "FAIL WHAT ..." and exits 0 or 1.
"""
import csv
import json
import os
import sys


def summary(d, without):
    s = json.load(open(os.path.join(d, "summary.json")))
    for k in ("run", without):
        s.pop(k, None)
    return s


def first_difference(a, b, path="$"):
    if type(a) is not type(b):
        return path
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}"
            p = first_difference(a[k], b[k], f"{path}.{k}")
            if p:
                return p
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path} (length)"
        for i, (x, y) in enumerate(zip(a, b)):
            p = first_difference(x, y, f"{path}[{i}]")
            if p:
                return p
        return None
    return None if a == b else path


def sets(what, da, db, args):
    without = None
    if args[:1] == ["--without"]:
        without, args = args[1], args[2:]
    bad = []
    p = first_difference(summary(da, without), summary(db, without))
    if p:
        bad.append(f"summary.json differs at {p}")
    for f in args:
        a, b = os.path.join(da, f), os.path.join(db, f)
        if not os.path.exists(a) or not os.path.exists(b):
            bad.append(f"{f} missing")
        elif open(a, "rb").read() != open(b, "rb").read():
            bad.append(f"{f} differs")
    files = ", ".join(["summary.json" + (f' (outside "run" and "{without}")' if without else ' (outside "run")')] + args)
    print(f"ok   {what}: the same {files}" if not bad else f"FAIL {what}: {'; '.join(bad)}")
    return not bad


def rows(what, d, pairs):
    table = list(csv.reader(open(os.path.join(d, "analyses.csv"))))
    head, body = table[0], table[1:]
    ids = [i for i, h in enumerate(head) if h in ("id", "analysis")]
    if head[:2] != ["id", "analysis"]:
        print(f"FAIL {what}: analyses.csv starts with {head[:2]}, not id, analysis")
        return False
    bad, n = [], 0
    cols = [h for i, h in enumerate(head) if i not in ids]
    worst = 0.0
    for pair in pairs:
        close = "~" in pair
        a, b = pair.split("~" if close else "=")
        ra = [[v for i, v in enumerate(r) if i not in ids] for r in body if r[1] == a]
        rb = [[v for i, v in enumerate(r) if i not in ids] for r in body if r[1] == b]
        if not ra or len(ra) != len(rb):
            bad.append(f"{a}: {len(ra)} rows, {b}: {len(rb)}")
            continue
        for x, y in zip(ra, rb):
            for j, (u, v) in enumerate(zip(x, y)):
                if u == v:
                    continue
                if close and cols[j].startswith("mean_difference_"):
                    rel = abs(float(u) - float(v)) / max(abs(float(u)), 1e-300)
                    worst = max(worst, rel)
                    if rel <= 1e-12:
                        continue
                bad.append(f"{a} and {b} differ in column {cols[j]}: {u} and {v}")
        n += len(ra)
    print(f"ok   {what}: {n} rows ({len(cols)} columns each) equal (mean differences of ~ pairs within "
          f"{worst:.2g} relative)" if not bad
          else f"FAIL {what}: {'; '.join(bad[:3])}{' ...' if len(bad) > 3 else ''}")
    return not bad


def main():
    a = sys.argv[1:]
    if len(a) >= 4 and a[0] == "sets":
        ok = sets(a[1], a[2], a[3], a[4:])
    elif len(a) >= 4 and a[0] == "rows":
        ok = rows(a[1], a[2], a[3:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
