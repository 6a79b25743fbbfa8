#!/bin/sh
# atomic_writers.sh TRIALSIM SHIM.so SCENARIO
# Two commands writing into one output folder at the same time never mix their result sets.
# Run A (--p-values, 300 trials) is slowed between its renames into the folder by an LD_PRELOAD
# shim for tests only (tests/shim/rename_slow.c); run B (200 trials, no --p-values) is started
# while A is asleep. Afterwards the folder holds one run's set whole: summary.json, analyses.csv
# and p_values.csv (present or absent) all of A or all of B, compared with each run written alone.
set -u
exe=$1; shim=$2; scn=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
# A sanitizer runtime refuses to come after a preloaded library: nothing to test then.
if ! LD_PRELOAD="$shim" "$exe" --version >/dev/null 2>&1; then echo "skip: LD_PRELOAD not usable"; exit 77; fi
trials() { grep -o '"trials": *[0-9]*' "$1" | head -n 1 | grep -o '[0-9]*$'; }

"$exe" run "$scn" --trials 300 --seed 1 --p-values --out "$tmp/a" --quiet 2>/dev/null || bad "run A alone failed"
"$exe" run "$scn" --trials 200 --seed 2 --out "$tmp/b" --quiet 2>/dev/null || bad "run B alone failed"

for slow in analyses.csv p_values.csv; do
  d="$tmp/both_$slow"
  "$exe" run "$scn" --trials 50 --seed 3 --p-values --out "$d" --quiet 2>/dev/null || bad "first run failed"
  rm -f "$tmp/mark"
  # A: slowed as it moves its $slow into the folder (not the renames inside a private folder).
  env LD_PRELOAD="$shim" TSIM_SHIM_RENAME_SUFFIX="$d/$slow" TSIM_SHIM_MARK="$tmp/mark" TSIM_SHIM_SECONDS=3 \
    "$exe" run "$scn" --trials 300 --seed 1 --p-values --out "$d" --quiet 2>"$tmp/errA" &
  pa=$!
  i=0; while [ ! -e "$tmp/mark" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
  [ -e "$tmp/mark" ] || bad "run A never reached its rename of $slow"
  "$exe" run "$scn" --trials 200 --seed 2 --out "$d" --quiet 2>"$tmp/errB"; rb=$?
  wait $pa; ra=$?
  [ $ra -eq 0 ] && [ $rb -eq 0 ] && ok "A slowed at $slow: both runs exit 0" \
    || { bad "A slowed at $slow: exits $ra and $rb"; cat "$tmp/errA" "$tmp/errB"; }
  n=$(trials "$d/summary.json")
  if [ "$n" = 300 ]; then w=a; elif [ "$n" = 200 ]; then w=b; else w=; fi
  if [ -z "$w" ]; then
    bad "A slowed at $slow: summary.json is neither run's (trials '$n')"
  else
    same=1
    cmp -s "$d/analyses.csv" "$tmp/$w/analyses.csv" || same=0
    if [ -e "$tmp/$w/p_values.csv" ]; then cmp -s "$d/p_values.csv" "$tmp/$w/p_values.csv" || same=0
    else [ ! -e "$d/p_values.csv" ] || same=0; fi
    [ $same -eq 1 ] && ok "A slowed at $slow: the folder holds run $w's set whole" \
      || bad "A slowed at $slow: summary.json is run $w's but analyses.csv/p_values.csv are not ($(ls "$d" | tr '\n' ' '))"
  fi
  ls -a "$d" | grep -q 'tmp' && bad "A slowed at $slow: temporaries left: $(ls -a "$d" | tr '\n' ' ')" \
    || ok "A slowed at $slow: no temporaries left"
done
# The same for sweep: A (--report, 300 trials) slowed as it moves sweep.csv in, B (200 trials,
# no --report) started meanwhile. The folder ends with one sweep's sweep.csv, its trials in
# sweep.json, and report.html only if that sweep wrote one.
sw() { "$exe" sweep "$scn" --set sample_size=20,40 --seed 4 --quiet "$@" 2>/dev/null; }
sw --trials 300 --report --out "$tmp/sa" || bad "sweep A alone failed"
sw --trials 200 --out "$tmp/sb" || bad "sweep B alone failed"
d="$tmp/sweep_both"; rm -f "$tmp/mark"
sw --trials 50 --report --out "$d" || bad "first sweep failed"
env LD_PRELOAD="$shim" TSIM_SHIM_RENAME_SUFFIX="$d/sweep.csv" TSIM_SHIM_MARK="$tmp/mark" TSIM_SHIM_SECONDS=3 \
  "$exe" sweep "$scn" --set sample_size=20,40 --seed 4 --quiet --trials 300 --report --out "$d" 2>"$tmp/errA" &
pa=$!
i=0; while [ ! -e "$tmp/mark" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
[ -e "$tmp/mark" ] || bad "sweep A never reached its rename of sweep.csv"
sw --trials 200 --out "$d"; rb=$?
wait $pa; ra=$?
[ $ra -eq 0 ] && [ $rb -eq 0 ] && ok "sweeps: both exit 0" || bad "sweeps: exits $ra and $rb"
if cmp -s "$d/sweep.csv" "$tmp/sb/sweep.csv"; then w=b; elif cmp -s "$d/sweep.csv" "$tmp/sa/sweep.csv"; then w=a; else w=; fi
n=$(trials "$d/sweep.json")
if [ "$w" = a ] && [ "$n" = 300 ] && [ -f "$d/report.html" ] && grep -q '300' "$d/report.html"; then
  ok "sweeps: the folder holds sweep A's set whole"
elif [ "$w" = b ] && [ "$n" = 200 ] && [ ! -e "$d/report.html" ]; then
  ok "sweeps: the folder holds sweep B's set whole"
else
  bad "sweeps: a mix: sweep.csv of '$w', trials $n in sweep.json, report.html $( [ -e "$d/report.html" ] && echo present || echo absent)"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
