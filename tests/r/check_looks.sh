#!/bin/sh
# check_looks.sh SOURCE_DIR - regenerates tests/r/looks_reference.csv with R and rpact and
# compares it with the committed file to 1e-6 (rpact's own integration error is below that).
# Without Rscript or rpact it exits 77 (skipped): the committed file is what tests/looks.sh uses.
set -u
src=${1:?usage: check_looks.sh SOURCE_DIR}
command -v Rscript >/dev/null 2>&1 || { echo "SKIPPED: Rscript not found (Debian: r-base-core)"; exit 77; }
Rscript -e 'quit(status = if (requireNamespace("rpact", quietly = TRUE)) 0 else 1)' >/dev/null 2>&1 ||
  { echo "SKIPPED: the R package rpact is not installed (Debian: r-cran-rpact)"; exit 77; }
tmp=$(mktemp "${TMPDIR:-/tmp}/looks_reference.XXXXXX") || exit 2
trap 'rm -f "$tmp"' EXIT
Rscript "$src/tests/r/looks_reference.R" >"$tmp" 2>/dev/null || { echo "check_looks.sh: the R script failed" >&2; exit 1; }
python3 - "$tmp" "$src/tests/r/looks_reference.csv" <<'PY'
import csv, sys
new = list(csv.DictReader(open(sys.argv[1])))
old = list(csv.DictReader(open(sys.argv[2])))
bad = len(new) != len(old)
for a, b in zip(new, old):
    for k in ("stop_efficacy", "stop_futility", "power"):
        if abs(float(a[k]) - float(b[k])) > 1e-6 or a["scenario"] != b["scenario"]:
            print("FAIL", b["scenario"], b["hypothesis"], b["look"], k, "committed", b[k], "now", a[k]); bad = 1
print("ok: rpact gives the committed reference" if not bad else "FAIL: regenerate tests/r/looks_reference.csv")
sys.exit(1 if bad else 0)
PY
