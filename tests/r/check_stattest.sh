#!/bin/sh
# check_stattest.sh TEST_EXE SOURCE_DIR [NAME ...]
#
# Regenerates reference values with R - for each NAME, the script tests/r/NAME_reference.R -
# into temporary files and runs TEST_EXE against them, so that a change in R or in a script is
# caught. NAME defaults to the sets of test_stattest: stattest cmh binomial riskdiff; for
# test_contest pass NAME contest, for test_ranktest, test_ancova and test_logistic their own
# names (ranktest, ancova, logistic). A regenerated file that differs from the committed
# tests/r/NAME_reference.csv is noted (the test decides, within its tolerances). Without Rscript
# on PATH it exits 77, which ctest reports as skipped (SKIP_RETURN_CODE 77, tests/tests.cmake):
# the tables embedded in the test are still checked by the plain test.
set -u

if [ $# -lt 2 ]; then
  echo "usage: $0 TEST_EXE SOURCE_DIR [NAME ...]" >&2
  exit 2
fi
exe=$1
src=$2
shift 2
[ $# -eq 0 ] && set -- stattest cmh binomial riskdiff

if ! command -v Rscript >/dev/null 2>&1; then
  echo "SKIPPED: check_stattest.sh: Rscript not found on PATH (Debian: r-base-core); the comparison with R did not run"
  exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stattest_reference.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

files=
for name in "$@"; do
  script=$src/tests/r/${name}_reference.R
  if [ ! -f "$script" ]; then
    echo "check_stattest.sh: $script not found" >&2
    exit 2
  fi
  if ! Rscript "$script" >"$tmp/$name.csv"; then
    echo "check_stattest.sh: Rscript $script failed" >&2
    exit 1
  fi
  if ! cmp -s "$tmp/$name.csv" "$src/tests/r/${name}_reference.csv"; then
    echo "check_stattest.sh: note: R's output differs from the committed tests/r/${name}_reference.csv"
  fi
  files="$files $tmp/$name.csv"
done
# shellcheck disable=SC2086 # the temporary paths hold no spaces unless TMPDIR does
"$exe" $files
