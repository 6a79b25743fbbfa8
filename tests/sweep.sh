#!/bin/sh
# sweep.sh TRIALSIM JSON_EQUAL SCENARIO
# Common random numbers are exact: every grid point of a sweep must equal, number for number,
# `trialsim run --set` of that variant with the same seed and trial count. Checks a two-
# parameter full grid, a zipped grid and the scenario's own "sweep" block, the output files,
# and that the comparison can fail (a different seed differs).
set -u
exe=$1; jeq=$2; scn=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
T=3000

# Full grid: sample_size slowest, then the IL-2 response.
"$exe" sweep "$scn" --set sample_size=40,100 --set 'endpoints[0].response.il2=0.7,0.833' \
  --trials $T --seed 5 --threads 2 --out "$tmp/grid" --quiet && ok "sweep over a 2x2 grid" || bad "sweep over a 2x2 grid"
k=0
for n in 40 100; do
  for r in 0.7 0.833; do
    "$exe" run "$scn" --set sample_size=$n --set "endpoints[0].response.il2=$r" --trials $T \
      --seed 5 --threads 1 --out "$tmp/run$k" --quiet
    if "$jeq" "$tmp/grid/sweep.json#points[$k].analyses" "$tmp/run$k/summary.json#analyses"; then
      ok "grid point $k (sample_size=$n, il2=$r) equals run --set"
    else
      bad "grid point $k (sample_size=$n, il2=$r) differs from run --set"
    fi
    # ... and says how its trials were drawn, as the run's summary.json does.
    if "$jeq" "$tmp/grid/sweep.json#points[$k].sampling" "$tmp/run$k/summary.json#sampling"; then
      ok "grid point $k's sampling is the run's ($(sed -n 's/.*"sampling": *"\([a-z]*\)".*/\1/p' "$tmp/run$k/summary.json"))"
    else
      bad "grid point $k's sampling differs from the run's"
    fi
    k=$((k + 1))
  done
done
for f in sweep.json sweep.csv power.gp power.dat type1_error.gp type1_error.dat; do
  [ -s "$tmp/grid/$f" ] && ok "wrote $f" || bad "did not write $f"
done
rows=$(($(wc -l < "$tmp/grid/sweep.csv") - 1))
nan=$(($(wc -l < "$tmp/run0/analyses.csv") - 1)) # comparisons of the scenario, from a plain run
[ "$rows" -eq $((4 * nan * 10)) ] && ok "sweep.csv has 4 points x $nan analyses x 10 quantities" || bad "sweep.csv has $rows rows, not 4 x $nan x 10"

# Zip: points pair the lists element by element.
"$exe" sweep "$scn" --zip --set dropout.placebo=0,0.2 --set dropout.il2=0,0.2 --trials $T \
  --seed 5 --out "$tmp/zip" --quiet
"$exe" run "$scn" --set dropout.placebo=0.2 --set dropout.il2=0.2 --trials $T --seed 5 --out "$tmp/z1" --quiet
if "$jeq" "$tmp/zip/sweep.json#points[1].analyses" "$tmp/z1/summary.json#analyses"; then
  ok "zipped point 1 equals run --set"
else
  bad "zipped point 1 differs from run --set"
fi
if "$jeq" "$tmp/zip/sweep.json#points[0].analyses" "$tmp/z1/summary.json#analyses" >/dev/null; then
  bad "different variants compared equal: the check cannot fail"
else
  ok "different variants differ"
fi
# The scenario's own "sweep" block, used when no --set is given.
small=$(dirname "$scn")/teaching_small.json
"$exe" sweep "$small" --trials $T --seed 9 --out "$tmp/block" --quiet
"$exe" run "$small" --set sample_size=50 --trials $T --seed 9 --out "$tmp/b50" --quiet
if "$jeq" "$tmp/block/sweep.json#points[3].analyses" "$tmp/b50/summary.json#analyses"; then
  ok "the scenario's sweep block: point 3 (sample_size=50) equals run --set"
else
  bad "the scenario's sweep block: point 3 differs from run --set sample_size=50"
fi
# A swept seed is each point's seed (unless --seed is given), and a swept alpha each point's.
"$exe" sweep "$small" --set seed=1,2 --set 'analyses[0].alpha=0.01,0.05' --trials $T --out "$tmp/seed" --quiet
"$exe" run "$small" --set seed=2 --set 'analyses[0].alpha=0.01' --trials $T --out "$tmp/s2" --quiet
if "$jeq" "$tmp/seed/sweep.json#points[2].analyses" "$tmp/s2/summary.json#analyses"; then
  ok "a swept seed and alpha: point 2 (seed=2, alpha=0.01) equals run --set"
else
  bad "a swept seed and alpha: point 2 differs from run --set seed=2 alpha=0.01"
fi
# Six parameters make legend titles longer than their buffer: must be cut, not overflow
# (the sanitizer build of CI runs this too).
if "$exe" sweep "$scn" --set sample_size=40,60 --set 'endpoints[0].response.il2=0.7,0.8' \
    --set 'sites.anomalies[0].response=0.9,1' --set dropout.placebo=0.1,0.2 \
    --set dropout.il2=0.1,0.2 --set deviation.placebo=0.1,0.2 --trials 50 --out "$tmp/six" --quiet; then
  ok "a six-parameter sweep (long legend titles)"
else
  bad "a six-parameter sweep failed"
fi
# A swept trials or seed with --trials or --seed, which give every point the same: refused (exit 2,
# nothing written); the points were labelled trials=3 and trials=4000 and each ran --trials.
for par in "trials=3,4000 --trials 200" "seed=1,2 --seed 7"; do
  # shellcheck disable=SC2086 # $par: the --set value and the option
  "$exe" sweep "$scn" --set $par --out "$tmp/notswept" --quiet 2>"$tmp/err"
  st=$?
  if [ $st -eq 2 ] && grep -q "is swept, and --" "$tmp/err" && [ ! -e "$tmp/notswept" ]; then ok "sweep --set $par refused"
  else bad "sweep --set $par: exit $st, $(cat "$tmp/err")"; fi
done
# Points drawn per patient and per cell ("sampling": "auto": lupil2.json's 40 patients per patient,
# 100 per cell) share no random numbers: the table says which were drawn per patient and the
# report does not claim common random numbers; a grid drawn one way does.
"$exe" sweep "$scn" --set sample_size=40,100 --trials 200 --threads 1 --report --out "$tmp/mixed" >"$tmp/mixed.out" 2>/dev/null
if grep -q '^sampling: drawn per patient at sample_size=40, per cell at the other points' "$tmp/mixed.out" \
   && grep -q '1 of the 2 points were drawn per patient' "$tmp/mixed/report.html" \
   && ! grep -q 'Every point uses the same random numbers' "$tmp/mixed/report.html"; then
  ok "a grid drawn per patient and per cell says so (table, report)"
else bad "a grid drawn two ways: $(grep '^sampling' "$tmp/mixed.out")"; fi
"$exe" sweep "$scn" --set sample_size=100,120 --trials 200 --threads 1 --report --out "$tmp/one" >"$tmp/one.out" 2>/dev/null
if ! grep -q '^sampling:' "$tmp/one.out" && grep -q 'Every point uses the same random numbers' "$tmp/one/report.html"; then
  ok "a grid drawn one way: common random numbers"
else bad "a grid drawn one way: $(grep '^sampling' "$tmp/one.out")"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
