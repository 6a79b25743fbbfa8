#!/bin/sh
# check_impute.sh TEST_EXE SOURCE_DIR
#
# Regenerates the references of tests/test_impute.c - tests/r/mi_pool_reference.R,
# mi_norm_reference.R (both with mice) and mi_rb_reference.R - into temporary files, compares
# each with the committed tests/r/mi_*_reference.csv (the same lines, the same text outside the
# numbers, every number within 1e-12 relative: R's libm may differ in the last digits between
# platforms), then runs TEST_EXE on the regenerated files. Without Rscript, or without the R
# package mice, it exits 77 (skipped): the committed files are still checked by the fast test.
set -u
if [ $# -ne 2 ]; then
  echo "usage: $0 TEST_EXE SOURCE_DIR" >&2
  exit 2
fi
exe=$1
src=$2
if ! command -v Rscript >/dev/null 2>&1; then
  echo "SKIPPED: check_impute.sh: Rscript not found on PATH (Debian: r-base-core)"
  exit 77
fi
if ! Rscript -e 'quit(status = if (requireNamespace("mice", quietly = TRUE)) 0 else 1)' >/dev/null 2>&1; then
  echo "SKIPPED: check_impute.sh: the R package mice is not installed (Debian: r-cran-mice)"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mi_reference.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM
status=0
for name in mi_pool mi_norm mi_rb; do
  if ! Rscript "$src/tests/r/${name}_reference.R" "$src" >"$tmp/$name.csv"; then
    echo "check_impute.sh: Rscript tests/r/${name}_reference.R failed" >&2
    exit 1
  fi
  Rscript - "$tmp/$name.csv" "$src/tests/r/${name}_reference.csv" <<'R' || status=1
args <- commandArgs(trailingOnly = TRUE)
new <- readLines(args[1]); old <- readLines(args[2])
if (length(new) != length(old) || new[1] != old[1]) {
  cat("FAIL:", args[2], "- the header or the number of lines changed: regenerate it\n")
  quit(status = 1)
}
bad <- 0
for (i in seq_along(new)[-1]) {
  a <- strsplit(new[i], ",")[[1]]; b <- strsplit(old[i], ",")[[1]]
  k <- length(a)
  same <- length(a) == length(b) && all(a[-k] == b[-k])
  if (same && a[k] != b[k]) {
    x <- suppressWarnings(as.numeric(a[k])); y <- suppressWarnings(as.numeric(b[k]))
    same <- !is.na(x) && !is.na(y) && is.finite(x) && is.finite(y) &&
      abs(x - y) <= 1e-12 * max(abs(y), .Machine$double.xmin)
  }
  if (!same) { cat("FAIL line", i, "\n  committed", old[i], "\n  now      ", new[i], "\n"); bad <- bad + 1 }
}
cat(if (bad == 0) paste("ok: R gives the committed", args[2], "\n") else
      paste("FAIL: regenerate", args[2], "\n"))
quit(status = if (bad == 0) 0 else 1)
R
done
"$exe" "$tmp/mi_pool.csv" "$tmp/mi_norm.csv" "$tmp/mi_rb.csv" "$src/tests/impute" || status=1
exit $status
