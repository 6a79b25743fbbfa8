#!/usr/bin/env python3
"""barnard_reference.py - reference p-values of Barnard's exact test for tests/test_barnard.c.

usage: python3 tests/py/barnard_reference.py            prints the C rows embedded in the test
       python3 tests/py/barnard_reference.py --check F  compares against test_barnard's rows in F
Each row: x0, n0, x1, n1 (control x0 of n0, experimental x1 of n1), then SciPy's
barnard_exact (pooled=True, default n=32) two-sided, greater and less p-values, with the
table [[x1, x0], [n1 - x1, n0 - x0]] (experimental arm first: 'greater' = experimental higher).
Exit 77 (ctest SKIPPED) when SciPy is not importable.
"""
import sys
try:
    from scipy.stats import barnard_exact
except ImportError:
    print("SKIPPED: scipy not importable")
    sys.exit(77)

TABLES = [  # small, unbalanced, zero cells, larger
    (3, 10, 7, 10), (0, 5, 4, 6), (1, 12, 9, 15), (7, 60, 17, 55), (2, 3, 0, 8),
    (0, 1, 1, 1), (1, 2, 0, 3), (0, 10, 10, 10), (5, 5, 0, 20), (4, 20, 4, 20),
    (2, 30, 6, 7), (10, 40, 20, 41), (0, 25, 3, 25), (1, 4, 14, 16), (12, 100, 25, 100),
    (40, 200, 60, 180),
]

def rows():
    out = []
    for x0, n0, x1, n1 in TABLES:
        t = [[x1, x0], [n1 - x1, n0 - x0]]
        p = [barnard_exact(t, alternative=a).pvalue for a in ("two-sided", "greater", "less")]
        out.append((x0, n0, x1, n1, *p))
    return out

if __name__ == "__main__":
    r = rows()
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        import re
        text = open(sys.argv[2]).read()
        emb = re.findall(r"\{(\d+), (\d+), (\d+), (\d+), ([0-9.e+-]+), ([0-9.e+-]+), ([0-9.e+-]+)\}", text)
        emb = [(int(a), int(b), int(c), int(d), float(e), float(f), float(g)) for a, b, c, d, e, f, g in emb]
        bad = 0
        if len(emb) != len(r):
            print("test_barnard.c embeds %d rows, the script gives %d" % (len(emb), len(r)))
            sys.exit(1)
        for a, b in zip(emb, r):
            if a[:4] != b[:4] or any(abs(x - y) > 1e-12 * max(abs(y), 1e-300) for x, y in zip(a[4:], b[4:])):
                print("differs:", a, b)
                bad += 1
        print("%d rows, %d differ" % (len(r), bad))
        sys.exit(1 if bad else 0)
    for row in r:
        print("    {%d, %d, %d, %d, %.17g, %.17g, %.17g}," % row)
