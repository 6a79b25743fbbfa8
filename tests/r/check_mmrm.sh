#!/bin/sh
# check_mmrm.sh TEST_EXE SOURCE_DIR - recomputes tests/r/mmrm_reference.csv with R's nlme
# (tests/r/mmrm_reference.R, about 15 s) and runs TEST_EXE (test_mmrm) against the new values,
# through check_stattest.sh. Exits 77 (skipped) without Rscript or without the R package nlme
# (Debian: r-base-core r-cran-nlme); the committed values are still checked by the plain test.
set -u
if [ $# -ne 2 ]; then
  echo "usage: $0 TEST_EXE SOURCE_DIR" >&2
  exit 2
fi
if ! command -v Rscript >/dev/null 2>&1; then
  echo "SKIPPED: check_mmrm.sh: Rscript not found on PATH (Debian: r-base-core r-cran-nlme)"
  exit 77
fi
if ! Rscript -e 'quit(status = if (requireNamespace("nlme", quietly = TRUE)) 0 else 1)' >/dev/null 2>&1; then
  echo "SKIPPED: check_mmrm.sh: R has no package nlme (Debian: r-cran-nlme)"
  exit 77
fi
exec sh "$2/tests/r/check_stattest.sh" "$1" "$2" mmrm
