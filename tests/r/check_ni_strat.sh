#!/bin/sh
# check_ni_strat.sh SOURCE_DIR - regenerates tests/r/ni_strat_reference.csv with
# tests/r/ni_strat_reference.R (the stratified MN reference) and compares it with the committed
# file: the same rows, the same text, NaN and Inf in the same places, every number within 1e-12
# relative (R's libm may differ in the last digits between platforms). The R script checks its
# formulas against published stratified intervals and R's mantelhaen.test; it fails if one does
# not hold. Without Rscript it exits 77 (skipped).
set -u
src=${1:?usage: check_ni_strat.sh SOURCE_DIR}
command -v Rscript >/dev/null 2>&1 || { echo "SKIPPED: Rscript not found (Debian: r-base-core)"; exit 77; }
tmp=$(mktemp "${TMPDIR:-/tmp}/ni_strat_reference.XXXXXX") || exit 2
trap 'rm -f "$tmp"' EXIT
Rscript "$src/tests/r/ni_strat_reference.R" >"$tmp" ||
  { echo "check_ni_strat.sh: tests/r/ni_strat_reference.R failed" >&2; exit 1; }
Rscript - "$tmp" "$src/tests/r/ni_strat_reference.csv" <<'R'
args <- commandArgs(trailingOnly = TRUE)
new <- readLines(args[1]); old <- readLines(args[2])
if (length(new) != length(old) || new[1] != old[1]) {
  cat("FAIL: the header or the number of rows changed: regenerate tests/r/ni_strat_reference.csv\n")
  quit(status = 1)
}
bad <- 0
for (i in seq_along(new)[-1]) {
  a <- strsplit(new[i], ",")[[1]]; b <- strsplit(old[i], ",")[[1]]
  same <- length(a) == length(b) && length(a) == 12 && all(a[1:7] == b[1:7])
  if (same) for (k in 8:12) {
    x <- suppressWarnings(as.numeric(a[k])); y <- suppressWarnings(as.numeric(b[k]))
    if (a[k] == b[k]) next
    if (is.na(x) || is.na(y) || is.infinite(x) || is.infinite(y) ||
        abs(x - y) > 1e-12 * max(abs(y), .Machine$double.xmin)) same <- FALSE
  }
  if (!same) { cat("FAIL line", i, "\n  committed", old[i], "\n  now      ", new[i], "\n"); bad <- bad + 1 }
}
cat(if (bad == 0) "ok: R gives the committed tests/r/ni_strat_reference.csv\n" else
      "FAIL: regenerate tests/r/ni_strat_reference.csv (Rscript tests/r/ni_strat_reference.R)\n")
quit(status = if (bad == 0) 0 else 1)
R
