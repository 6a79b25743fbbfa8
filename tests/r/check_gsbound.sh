#!/bin/sh
# check_gsbound.sh TEST_EXE SOURCE_DIR
#
# Regenerates the rpact reference of tests/test_gsbound.c (tests/r/gsbound_reference.R) into a
# temporary file and runs TEST_EXE on it, so that a change in rpact or in the script is caught.
# A regenerated file that differs from the committed tests/r/gsbound_reference.csv is noted (the
# test decides, within its tolerances). Without Rscript on PATH, or without the R package
# rpact, it exits 77 (skipped): the committed reference is still checked by the fast test.
set -u
if [ $# -ne 2 ]; then
  echo "usage: $0 TEST_EXE SOURCE_DIR" >&2
  exit 2
fi
exe=$1
src=$2
if ! command -v Rscript >/dev/null 2>&1; then
  echo "SKIPPED: check_gsbound.sh: Rscript not found on PATH (Debian: r-base-core)"
  exit 77
fi
if ! Rscript -e 'quit(status = if (requireNamespace("rpact", quietly = TRUE)) 0 else 1)' >/dev/null 2>&1; then
  echo "SKIPPED: check_gsbound.sh: the R package rpact is not installed (Debian: r-cran-rpact)"
  exit 77
fi
tmp=$(mktemp "${TMPDIR:-/tmp}/gsbound_reference.XXXXXX") || exit 2
trap 'rm -f "$tmp"' EXIT
trap 'exit 2' HUP INT TERM
if ! Rscript "$src/tests/r/gsbound_reference.R" >"$tmp"; then
  echo "check_gsbound.sh: Rscript $src/tests/r/gsbound_reference.R failed" >&2
  exit 1
fi
if ! cmp -s "$tmp" "$src/tests/r/gsbound_reference.csv"; then
  echo "check_gsbound.sh: note: R's output differs from the committed tests/r/gsbound_reference.csv"
fi
"$exe" "$tmp"
