#!/bin/sh
# ni_exact.sh - non-inferiority power and size against exact enumeration.
#
# usage: sh tests/ni_exact.sh TRIALSIM SOURCE_DIR [PYTHON3]
#
# Every design of tests/ni_exact/*.json (two arms of fixed size, one site, one binary end point,
# dropout per arm; Farrington-Manning and Wald tests of the risk difference against margins
# -0.10 and -0.15, in ITT with dropouts as non-responders and in completers) is run with its
# trials and seed. For every analysis, the rejection rate under the alternative (power) and under
# the null twin (the experimental arm at the control's rate + the margin: size) must equal the
# exact probability within 4 standard errors, SE = sqrt(p (1 - p) / trials) at the exact p.
# The exact values come from tests/py/ni_exact.py (numpy, SciPy), which enumerates every table
# and computes both tests from the papers without trialsim's code; it first checks itself
# (`ni_exact.py selftest`: arm distributions against every patient's outcome listed, its
# restricted MLE against the closed-form cubic, published Miettinen-Nurminen and Wald intervals,
# whole designs against a Monte Carlo of patients of its own). It also checks that no table of
# positive probability has a p-value within a relative 1e-6 of the level, where trialsim's tie
# rule (tsim_reject) would decide. Exits 77 (SKIPPED) when no python3 can import SciPy.
set -u
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: sh $0 TRIALSIM SOURCE_DIR [PYTHON3]" >&2
  exit 2
fi
bin=$1
src=$2
cmake_py=${3:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ni_exact.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
fail=0

exact() { # selftest | compare SCENARIO DIR
  sh "$src/tests/py/with_scipy.sh" "$cmake_py" "$src/tests/py/ni_exact.py" "$@"
  rc=$?
  case $rc in
    0) ;;
    77) exit 77 ;;
    *) fail=1 ;;
  esac
}

echo "== the enumerator checked alone"
exact selftest

# The plots are not compared: PATH without gnuplot spares each run its drawing. TRIALSIM must be
# a path, then.
nognuplot=$tmp/no_gnuplot
mkdir "$nognuplot"
for f in "$src"/tests/ni_exact/*.json; do
  name=$(basename "$f" .json)
  echo "== $name"
  if ! PATH=$nognuplot "$bin" run "$f" --out "$tmp/$name" --quiet --threads 2 2>"$tmp/$name.err"; then
    echo "FAIL $name: run failed"; cat "$tmp/$name.err"; fail=1; continue
  fi
  exact compare "$f" "$tmp/$name"
done
[ $fail -eq 0 ] && echo "every rate within 4 SE of its exact value"
exit $fail
