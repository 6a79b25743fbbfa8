#!/bin/sh
# precision.sh TRIALSIM JSON_EQUAL SCENARIO [MPIEXEC TRIALSIM_MPI]
# Searches and runs to a stated precision (SCENARIO: lupil2_planning.json; fixed seeds):
#  - size (sequential looks, the default), sweep --mcse and run --mcse give the same files with
#    1 and 2 threads (the stopping reads only exact integer counts);
#  - a size stopped early was told apart on the right side: a run 8 times longer of that size
#    (same seed) puts its power on the stated side of the target, within 3 of its SEs; and the
#    point's numbers are exactly those of `run` with as many trials (the looks merge exactly);
#  - run --mcse reaches the precision it claims (every MCSE of summary.json at most the target,
#    the largest one reported as precision.worst_mcse) before its cap, and its numbers are those
#    of a plain run of the trials it took; with a cap too small it says it was not reached;
#  - sweep --mcse: every point's largest MCSE at most the target, points far from 1/2 with
#    fewer trials;
#  - bad values of --mcse and --z, and options that do not combine, exit 2 naming the option
#    and write nothing;
#  - with MPIEXEC and TRIALSIM_MPI (when mpiexec runs): run --mcse and size on 2 processes give
#    one process's files (every process takes the same decisions from the merged counts).
# POSIX sh and awk only.
set -u
exe=$1; jeq=$2; scn=$3; mpiexec=${4:-}; mexe=${5:-}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

# json_num FILE KEY: the first number after "KEY": in FILE (cJSON's formatted output).
json_num() { sed -n "s/^[[:space:]]*\"$2\":[[:space:]]*\([-0-9.e+]*\),*\$/\1/p" "$1" | head -1; }

# ---- size: threads, sides, exactness ---------------------------------------------------------
T=16000
for th in 1 2; do
  "$exe" size "$scn" --analysis itt --power 0.8 --trials $T --seed 7 --threads $th --out "$tmp/size$th" \
    >"$tmp/size$th.txt" 2>/dev/null || bad "size --threads $th failed"
done
if "$jeq" "$tmp/size1/size.json" "$tmp/size2/size.json" run && cmp -s "$tmp/size1/size.csv" "$tmp/size2/size.csv"; then
  ok "size: the same size.json and size.csv with 1 and 2 threads"
else
  bad "size: 1 and 2 threads differ"
fi
# size.csv: sample_size($1) analysis power_favouring($7) ... trials($15) stopped($16) side($17)
# check_early DIR TARGET: every size of DIR/size.csv told apart early, against a run 8 times
# longer of that size (same seed: it holds the look's trials and 7 times as many more; on the
# stated side within 3 of its SEs) and a run of as many trials (the same numbers).
checked=0
check_early() {
  dir=$1; target=$2
  awk -F, 'NR > 1 && $16 == "told apart" { print $1, $7, $15, $17 }' "$dir/size.csv" >"$tmp/early.txt"
  while read -r n pw trials side; do
    long=$((8 * trials))
    "$exe" run "$scn" --set sample_size=$n --trials $long --seed 7 --out "$tmp/long" --quiet 2>/dev/null
    "$exe" run "$scn" --set sample_size=$n --trials $trials --seed 7 --out "$tmp/same" --quiet 2>/dev/null
    # analyses.csv: id($1) ... power_favouring($18); the itt row.
    lp=$(awk -F, '$1 == "itt" { print $18 }' "$tmp/long/analyses.csv")
    sp=$(awk -F, '$1 == "itt" { print $18 }' "$tmp/same/analyses.csv")
    if awk -v p="$lp" -v t="$target" -v side="$side" -v n=$long 'BEGIN { se = sqrt(t * (1 - t) / n)
         exit !(side == "above" ? p > t - 3 * se : p < t + 3 * se) }'; then
      ok "size N = $n told apart $side $target after $trials trials: $long trials give $lp"
    else
      bad "size N = $n told apart $side $target after $trials trials, but $long trials give $lp"
    fi
    awk -v a="$pw" -v b="$sp" 'BEGIN { exit !(a == b) }' \
      && ok "size N = $n: its numbers are run's with $trials trials ($pw)" \
      || bad "size N = $n: power $pw after $trials trials, run --trials $trials gives $sp"
    checked=$((checked + 1))
  done <"$tmp/early.txt"
}
check_early "$tmp/size1" 0.8
# A target the start lies below: sizes told apart above it on the way up.
"$exe" size "$scn" --analysis itt --power 0.7 --trials $T --seed 7 --out "$tmp/size07" --quiet 2>/dev/null
check_early "$tmp/size07" 0.7
n_above=$(awk -F, 'NR > 1 && $16 == "told apart" && $17 == "above"' "$tmp/size07/size.csv" | wc -l)
[ "$checked" -ge 6 ] && [ "$n_above" -ge 2 ] && ok "size: $checked sizes stopped early checked, $n_above of them above" \
  || bad "size: only $checked sizes stopped early ($n_above above)"
# --full: every size all its trials, as before the looks; the sequential answer agrees.
"$exe" size "$scn" --analysis itt --power 0.8 --trials $T --seed 7 --full --out "$tmp/full" --quiet 2>/dev/null
a_seq=$(json_num "$tmp/size1/size.json" sample_size)
a_full=$(json_num "$tmp/full/size.json" sample_size)
awk -F, -v T=$T 'NR > 1 && $15 != T { b = 1 } END { exit b }' "$tmp/full/size.csv" \
  && ok "size --full: every size got $T trials" || bad "size --full: a size got fewer trials"
[ -n "$a_seq" ] && [ "$a_seq" = "$a_full" ] && ok "size: sequential and --full answers agree ($a_seq)" \
  || bad "size: sequential answer $a_seq, --full $a_full"
t_seq=$(json_num "$tmp/size1/size.json" trials_total)
t_full=$(json_num "$tmp/full/size.json" trials_total)
awk -v a="$t_seq" -v b="$t_full" 'BEGIN { exit !(a + 0 < b + 0) }' \
  && ok "size: sequential simulated $t_seq trials, --full $t_full" || bad "size: sequential $t_seq trials, --full $t_full"
grep -q "^precision: N = $a_seq ([0-9]* trials)" "$tmp/size1.txt" && grep -q '^simulated: [0-9]* trials over' "$tmp/size1.txt" \
  && ok "size: the answer's precision and the trials simulated are printed" || bad "size: no precision lines"

# size --mcse: a size also stops once its power's MCSE is at most the target.
"$exe" size "$scn" --analysis itt --power 0.8 --trials $T --seed 7 --mcse 0.005 --out "$tmp/smcse" --quiet 2>/dev/null
awk -F, -v T=$T 'NR > 1 { n++; se = sqrt($7 * (1 - $7) / $15)
                   if ($16 == "mcse") { m++; if (se > 0.005 || $15 >= T) b = 1 }
                   else if ($16 != "told apart" && $16 != "maximum") b = 1 }
     END { exit b || !m }' "$tmp/smcse/size.csv" \
  && ok "size --mcse 0.005: sizes stopped by their MCSE have it at most 0.005" || bad "size --mcse: a size stopped by mcse above it"

# ---- run --mcse ------------------------------------------------------------------------------
for th in 1 2; do
  "$exe" run "$scn" --mcse 0.004 --trials 50000 --seed 3 --threads $th --out "$tmp/mcse$th" \
    >"$tmp/mcse$th.txt" 2>/dev/null || bad "run --mcse --threads $th failed"
done
"$jeq" "$tmp/mcse1/summary.json" "$tmp/mcse2/summary.json" run \
  && ok "run --mcse: the same summary.json with 1 and 2 threads" || bad "run --mcse: 1 and 2 threads differ"
tr=$(json_num "$tmp/mcse1/summary.json" trials)
worst=$(json_num "$tmp/mcse1/summary.json" worst_mcse)
grep -q '"reached":[[:space:]]*true' "$tmp/mcse1/summary.json" && [ "$tr" -lt 50000 ] \
  && ok "run --mcse 0.004: reached after $tr trials (cap 50000)" || bad "run --mcse 0.004: not reached ($tr trials)"
# Every MCSE in summary.json (every power, type I error and direction, every procedure) at most 0.004;
# the largest is precision.worst_mcse.
awk -v w="$worst" '/"mcse":/ { gsub(/[",]/, ""); v = $2 + 0; if (v > m) m = v }
     END { if (m > 0.004 || m != w + 0) { print "largest mcse " m ", worst_mcse " w; exit 1 } }' \
  "$tmp/mcse1/summary.json" && ok "run --mcse: every MCSE at most 0.004, the largest $worst" \
  || bad "run --mcse: an MCSE above the target, or worst_mcse not the largest"
grep -q "^--mcse 0.004: reached after $tr trials (at most 50000); largest MCSE" "$tmp/mcse1.txt" \
  && ok "run --mcse: the table says the precision reached" || bad "run --mcse: no precision line: $(sed -n 3p "$tmp/mcse1.txt")"
"$exe" run "$scn" --trials "$tr" --seed 3 --out "$tmp/plain" --quiet 2>/dev/null
"$jeq" "$tmp/mcse1/summary.json" "$tmp/plain/summary.json" run precision \
  && ok "run --mcse: its numbers are a plain run's of $tr trials" || bad "run --mcse differs from run --trials $tr"
"$exe" run "$scn" --mcse 0.001 --trials 3000 --seed 3 --out "$tmp/short" >"$tmp/short.txt" 2>/dev/null
grep -q '"reached":[[:space:]]*false' "$tmp/short/summary.json" && [ "$(json_num "$tmp/short/summary.json" trials)" = 3000 ] \
  && grep -q "NOT reached after 3000 trials" "$tmp/short.txt" \
  && ok "run --mcse with too small a cap: not reached, says so" || bad "run --mcse with too small a cap"

# ---- sweep --mcse ----------------------------------------------------------------------------
for th in 1 2; do
  "$exe" sweep "$scn" --set sample_size=20,60,200 --mcse 0.006 --trials 40000 --seed 3 --threads $th \
    --out "$tmp/sw$th" --quiet 2>/dev/null || bad "sweep --mcse --threads $th failed"
done
"$jeq" "$tmp/sw1/sweep.json" "$tmp/sw2/sweep.json" run && ok "sweep --mcse: the same sweep.json with 1 and 2 threads" \
  || bad "sweep --mcse: 1 and 2 threads differ"
awk '/"worst_mcse":/ { gsub(/[",]/, ""); n++; if ($2 + 0 > 0.006) b = 1 }
     /"reached":/ { if ($0 !~ /true/) b = 1 }
     /^[[:space:]]*"trials":/ { gsub(/[",]/, ""); t[$2] = 1 }
     END { k = 0; for (x in t) k++; exit b || n != 3 || k < 2 }' "$tmp/sw1/sweep.json" \
  && ok "sweep --mcse: every point's largest MCSE at most 0.006, with trials of its own" \
  || bad "sweep --mcse: a point above the target, or every point with the same trials"

# ---- bad values ------------------------------------------------------------------------------
refuse() { # refuse OPTION_NAME ARGS...: exit 2, the option named on stderr, nothing written
  name=$1; shift
  rm -rf "$tmp/bad"
  "$exe" "$@" --out "$tmp/bad" >/dev/null 2>"$tmp/bad.err"
  st=$?
  if [ $st -eq 2 ] && grep -q -- "$name" "$tmp/bad.err" && [ ! -e "$tmp/bad" ]; then ok "refused: $*"
  else bad "not refused with exit 2 naming $name: $* (exit $st: $(head -1 "$tmp/bad.err"))"; fi
}
refuse --mcse run "$scn" --mcse 0
refuse --mcse run "$scn" --mcse -0.01
refuse --mcse run "$scn" --mcse 0.6
refuse --mcse run "$scn" --mcse abc
refuse --mcse run "$scn" --mcse ' 0.01'
refuse --mcse run "$scn" --mcse 0.01 --trials-from 0 --trials-to 100
refuse --mcse run "$scn" --mcse 0.01 --checkpoint "$tmp/ck"
refuse --mcse sweep "$scn" --set sample_size=20,40 --mcse nan
refuse --mcse size "$scn" --analysis itt --power 0.8 --mcse 1
refuse --z size "$scn" --analysis itt --power 0.8 --z 0.5
refuse --z size "$scn" --analysis itt --power 0.8 --z 11
refuse --z size "$scn" --analysis itt --power 0.8 --z x
refuse --full size "$scn" --analysis itt --power 0.8 --full --mcse 0.01
refuse --full size "$scn" --analysis itt --power 0.8 --full --z 2
refuse --z run "$scn" --z 3

# ---- across processes --------------------------------------------------------------------------
if [ -n "$mexe" ] && command -v "$mpiexec" >/dev/null 2>&1; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  flags=""
  "$mpiexec" --version 2>&1 | grep -qi "open.\?mpi\|OpenRTE" && flags="--oversubscribe"
  limit=""
  command -v timeout >/dev/null 2>&1 && limit="timeout 300"
  # shellcheck disable=SC2086
  $limit "$mpiexec" $flags -n 2 "$mexe" run "$scn" --mcse 0.004 --trials 50000 --seed 3 --threads 1 \
    --out "$tmp/mpirun" --quiet >/dev/null 2>&1
  "$jeq" "$tmp/mcse1/summary.json" "$tmp/mpirun/summary.json" run \
    && ok "run --mcse on 2 processes: one process's summary.json" || bad "run --mcse on 2 processes differs"
  # shellcheck disable=SC2086
  $limit "$mpiexec" $flags -n 2 "$mexe" size "$scn" --analysis itt --power 0.8 --trials $T --seed 7 --threads 1 \
    --out "$tmp/mpisize" --quiet >/dev/null 2>&1
  "$jeq" "$tmp/size1/size.json" "$tmp/mpisize/size.json" run && cmp -s "$tmp/size1/size.csv" "$tmp/mpisize/size.csv" \
    && ok "size on 2 processes: one process's size.json and size.csv" || bad "size on 2 processes differs"
else
  echo "(not across processes: no trialsim_mpi or mpiexec)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
