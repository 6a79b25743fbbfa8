#!/bin/sh
# determinism.sh TRIALSIM JSON_EQUAL SCENARIO [TRIALS]
# Everything outside "run" in summary.json must be bit-identical for any thread count. Runs the
# scenario with 1, 2, 3 and 4 threads (a trial count that is not a multiple of the work chunk,
# so threads end on ragged chunks) and compares each with the 1-thread result, and checks the
# CSV too, the p-value distribution of --p-values, and a default from OMP_NUM_THREADS beyond
# the bound. Also checks that a different seed does change the numbers (the test can fail).
set -u
exe=$1; jeq=$2; scn=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()   { echo "ok   $1"; pass=$((pass + 1)); }
bad()  { echo "FAIL $1"; fail=$((fail + 1)); }
trials=${4:-30011} # a 4th argument: fewer, for a slow scenario
for t in 1 2 3 4; do
  if "$exe" run "$scn" --trials $trials --seed 7 --threads $t --out "$tmp/t$t" --quiet; then
    ok "run with $t threads"
  else
    bad "run with $t threads exited $?"
  fi
done
for t in 2 3 4; do
  if "$jeq" "$tmp/t1/summary.json" "$tmp/t$t/summary.json" run; then
    ok "summary.json with $t threads equals 1 thread (outside \"run\")"
  else
    bad "summary.json with $t threads differs from 1 thread"
  fi
  if cmp -s "$tmp/t1/analyses.csv" "$tmp/t$t/analyses.csv"; then
    ok "analyses.csv with $t threads equals 1 thread"
  else
    bad "analyses.csv with $t threads differs from 1 thread"
  fi
done
# The default thread count from the environment is held to --threads' bound (1024):
# OMP_NUM_THREADS=100000 crashed in the OpenMP runtime (SIGSEGV).
if OMP_NUM_THREADS=100000 "$exe" run "$scn" --trials 2000 --seed 7 --out "$tmp/env" --quiet &&
   "$exe" run "$scn" --trials 2000 --seed 7 --threads 1 --out "$tmp/env1" --quiet &&
   "$jeq" "$tmp/env1/summary.json" "$tmp/env/summary.json" run; then
  ok "OMP_NUM_THREADS=100000: runs (at most 1024 threads) and equals 1 thread"
else
  bad "OMP_NUM_THREADS=100000: run failed or differs from 1 thread"
fi
# The p-value distribution too (every p-value computed exactly, then binned): 1 and 3 threads.
for t in 1 3; do
  "$exe" run "$scn" --trials $trials --seed 7 --threads $t --out "$tmp/p$t" --quiet --p-values || bad "run --p-values with $t threads"
done
if [ -s "$tmp/p1/p_values.csv" ] && cmp -s "$tmp/p1/p_values.csv" "$tmp/p3/p_values.csv" &&
   "$jeq" "$tmp/p1/summary.json" "$tmp/p3/summary.json" run; then
  ok "p_values.csv and summary.json with --p-values: 3 threads equal 1 thread"
else
  bad "the p-value distribution depends on the thread count (or was not written)"
fi
# A later run without --p-values into the same folder leaves no stale p_values.csv behind.
"$exe" run "$scn" --trials 1000 --seed 7 --threads 2 --out "$tmp/p1" --quiet
if [ -f "$tmp/p1/summary.json" ] && [ ! -e "$tmp/p1/p_values.csv" ]; then
  ok "a run without --p-values removes an earlier run's p_values.csv"
else
  bad "an earlier run's p_values.csv survived a run without --p-values"
fi
"$exe" run "$scn" --trials $trials --seed 8 --threads 2 --out "$tmp/s8" --quiet
if "$jeq" "$tmp/t1/summary.json" "$tmp/s8/summary.json" run seed >/dev/null; then
  bad "seeds 7 and 8 gave the same summary: the comparison cannot detect a difference"
else
  ok "a different seed gives different numbers"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
