#!/bin/sh
# check_stattest.sh TEST_EXE SOURCE_DIR
#
# Regenerates the reference values of tests/r/stattest_reference.csv with R (the script
# tests/r/stattest_reference.R) into a temporary file and runs TEST_EXE (test_stattest) against
# it, so that a change in R or in the script is caught. Without Rscript on PATH it prints a
# notice and succeeds: the embedded table in tests/test_stattest.c is checked by the plain test.
set -u

if [ $# -ne 2 ]; then
  echo "usage: $0 TEST_EXE SOURCE_DIR" >&2
  exit 2
fi
exe=$1
src=$2
script=$src/tests/r/stattest_reference.R

if ! command -v Rscript >/dev/null 2>&1; then
  echo "check_stattest.sh: Rscript not found on PATH; skipping the comparison with R"
  exit 0
fi
if [ ! -f "$script" ]; then
  echo "check_stattest.sh: $script not found" >&2
  exit 2
fi

tmp=$(mktemp "${TMPDIR:-/tmp}/stattest_reference.XXXXXX") || exit 2
trap 'rm -f "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

if ! Rscript "$script" >"$tmp"; then
  echo "check_stattest.sh: Rscript $script failed" >&2
  exit 1
fi
if ! cmp -s "$tmp" "$src/tests/r/stattest_reference.csv"; then
  echo "check_stattest.sh: note: R's output differs from the committed tests/r/stattest_reference.csv"
fi
"$exe" "$tmp"
