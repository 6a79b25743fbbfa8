#!/bin/sh
# shellcheck disable=SC2034,SC2154  # the helpers set variables by name through eval
# run.sh - the trialsim benchmark: one table comparing the engine with the random-number floor
# and with R baselines, and one for the patient-level path (scenarios/lupil2.json at N = 100,
# 1,000, 10,000 against its floor and its numpy and R peers; scenarios/pss2022.json), all
# measured in this run on this machine. See tests/bench/README.md.
#
# Usage: tests/bench/run.sh [BUILD_DIR]      (default BUILD_DIR: <repository>/build)
# Needs BUILD_DIR/trialsim and BUILD_DIR/bench_floor (it builds nothing). R rows need Rscript
# and, for Mediana and rpact, their packages; a missing one is skipped with a note.
# Environment: BENCH_SECONDS (default 1.5) - target length of each engine run and of each floor
# measurement (R runs are scaled from it); BENCH_REPEATS (default 3) - engine runs per row, the
# fastest counts; BENCH_SKIP_R=1 skips every R row; BENCH_MEMORY_TRIALS (default 100000000) -
# the long run of the memory row (LUPIL-2, 2 threads: about 20 s on a 2-core machine);
# BENCH_SKIP_LATENT=1 skips the patient-level section (scenarios/lupil2.json at N = 100, 1,000,
# 10,000, its floor, the numpy and R peers, scenarios/pss2022.json); BENCH_PYTHON - a python3
# with numpy and scipy for the numpy peer (default: the first that can import them).
#
# The targets at the end are reported, never asserted: the exit status is 0 whether they are
# met or not (1 only if a measurement itself failed, 2 for bad usage).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
secs=${BENCH_SECONDS:-1.5}
repeats=${BENCH_REPEATS:-3}
skip_r=${BENCH_SKIP_R:-0}

tsim=$build/trialsim
floor=$build/bench_floor
for exe in "$tsim" "$floor"; do
  if [ ! -x "$exe" ]; then
    echo "run.sh: $exe not found; build first (bench_floor comes from tests/bench/bench.cmake):" >&2
    echo "  cmake -S $root -B $build -DCMAKE_BUILD_TYPE=Release && cmake --build $build -j" >&2
    exit 2
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tsim-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
failed=0

# LUPIL-2 as the performance issue defines it (its four binary analyses; the shipped scenario
# adds continuous SLEDAI end points, which need the slower patient-level model).
lupil2=$here/lupil2_primary.json
simple=$here/simple.json

# ---------------------------------------------------------------------------------------------
# Helpers.

# json_number FILE KEY: the first number after "KEY": in FILE.
json_number() {
  sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\([-0-9.eE+]*\).*/\1/p" "$1" | head -n 1
}

# result_field TEXT NAME KEY: from lines "RESULT NAME k1 v1 k2 v2 ...", the value of KEY.
result_field() {
  printf '%s\n' "$1" | awk -v n="$2" -v k="$3" '
    $1 == "RESULT" && $2 == n { for (i = 3; i < NF; i += 2) if ($i == k) { print $(i + 1); exit } }'
}

# engine_field SCENARIO THREADS TRIALS KEY: the number KEY of summary.json's "run" after one
# run, or nothing if the run failed. engine_seconds: run.seconds (the simulation alone, as
# trialsim times it); engine_memory: run.peak_memory_mib (the process's peak resident memory).
engine_field() {
  rm -rf "$tmp/out"
  if "$tsim" run "$1" --trials "$3" --threads "$2" --out "$tmp/out" --quiet \
       >"$tmp/engine.log" 2>&1; then
    json_number "$tmp/out/summary.json" "$4"
  else
    sed 's/^/  trialsim: /' "$tmp/engine.log" >&2
  fi
}
engine_seconds() { engine_field "$1" "$2" "$3" seconds; }
engine_memory() { engine_field "$1" "$2" "$3" peak_memory_mib; }

# engine_rates VAR1 VAR2 SCENARIO TRIALS: sets VAR1 and VAR2 to the trials per second (as
# trialsim counts them) with 1 thread (TRIALS trials) and 2 threads (2 x TRIALS): the fastest of
# $repeats runs each, alternating 1 and 2 threads so that a passing load hits both alike.
engine_rates() {
  best1=
  best2=
  r=0
  while [ "$r" -lt "$repeats" ]; do
    s1=$(engine_seconds "$3" 1 "$4")
    s2=$(engine_seconds "$3" 2 "$(($4 * 2))")
    if [ -z "$s1" ] || [ -z "$s2" ]; then failed=1; eval "$1=NA $2=NA"; return; fi
    best1=$(awk -v a="$s1" -v b="${best1:-0}" 'BEGIN { print (b == 0 || a < b) ? a : b }')
    best2=$(awk -v a="$s2" -v b="${best2:-0}" 'BEGIN { print (b == 0 || a < b) ? a : b }')
    r=$((r + 1))
  done
  rate1=$(awk -v n="$4" -v s="$best1" 'BEGIN { printf "%.6g\n", n / s }')
  rate2=$(awk -v n="$4" -v s="$best2" 'BEGIN { printf "%.6g\n", 2 * n / s }')
  eval "$1=\$rate1 $2=\$rate2"
}

# calibrated_trials VAR SCENARIO: sets VAR to a trial count lasting about $secs on one thread.
calibrated_trials() {
  s=$(engine_seconds "$2" 1 20000)
  if [ -z "$s" ]; then failed=1; eval "$1=20000"; return; fi
  count=$(awk -v s="$s" -v t="$secs" 'BEGIN { n = 20000 * t / s; n = int(n / 1000 + 1) * 1000;
    if (n < 20000) n = 20000; print n }')
  eval "$1=\$count"
}

# patient_variant SCENARIO COPY: writes SCENARIO with "sampling": "patient" to COPY; fails when
# this trialsim does not accept the key.
patient_variant() {
  if grep -q '"sampling"' "$1"; then
    sed 's/"sampling"[[:space:]]*:[[:space:]]*"[a-z]*"/"sampling": "patient"/' "$1" >"$2"
  else
    sed '1s/^[[:space:]]*{/{"sampling": "patient",/' "$1" >"$2"
  fi
  "$tsim" check "$2" >/dev/null 2>&1
}

# r_rate VAR NOTEVAR SCRIPT NAME SECONDS: sets VAR to the RESULT of an R script (NA when skipped
# or failed) and NOTEVAR to its INFO line or the reason it is missing.
r_rate() {
  rv=NA
  if [ "$skip_r" = 1 ]; then
    rn="skipped (BENCH_SKIP_R=1)"
  elif ! command -v Rscript >/dev/null 2>&1; then
    rn="skipped: Rscript not found (Debian: r-base-core)"
  else
    out=$(cd "$tmp" && Rscript "$here/$3" "$5" 2>"$tmp/r.err")
    v=$(result_field "$out" "$4" trials_per_second)
    if [ -n "$v" ]; then
      rv=$v
      rn=$(printf '%s\n' "$out" | sed -n "s/^INFO $4 //p")
    elif printf '%s\n' "$out" | grep -q "^SKIP $4 "; then
      rn="skipped: $(printf '%s\n' "$out" | sed -n "s/^SKIP $4 //p")"
    else
      rn="failed: $(tail -n 1 "$tmp/r.err")"
      failed=1
    fi
  fi
  eval "$1=\$rv"
  eval "$2=\$rn"
}

# calibrated_trials_from VAR SCENARIO T0: calibrated_trials from a first run of T0 trials (for
# scenarios whose trials cost far more than LUPIL-2's primary design; at least T0 / 10).
calibrated_trials_from() {
  s=$(engine_seconds "$2" 1 "$3")
  if [ -z "$s" ]; then failed=1; eval "$1=\$3"; return; fi
  count=$(awk -v s="$s" -v t="$secs" -v t0="$3" 'BEGIN { n = int(t0 * t / s);
    if (n < t0 / 10) n = int(t0 / 10); if (n < 20) n = 20; print n }')
  eval "$1=\$count"
}

# numpy_python: the first python3 that imports numpy and scipy ($BENCH_PYTHON first), or nothing.
numpy_python() {
  for py in "${BENCH_PYTHON:-}" $(which -a python3 2>/dev/null) /usr/bin/python3 /usr/local/bin/python3; do
    if [ -z "$py" ] || [ ! -x "$py" ]; then continue; fi
    if "$py" -c 'import numpy, scipy.special' >/dev/null 2>&1; then echo "$py"; return; fi
  done
}

# peer_rate VAR NAME CMD...: sets VAR to the trials per CPU-second of a peer (RESULT NAME): the
# best of $repeats runs, as for the engine; NA when a run failed.
peer_rate() {
  pv=$1 pn=$2
  shift 2
  best=
  r=0
  while [ "$r" -lt "$repeats" ]; do
    out=$("$@" 2>"$tmp/peer.err")
    v=$(result_field "$out" "$pn" trials_per_second)
    if [ -z "$v" ]; then
      best=NA
      failed=1
      echo "run.sh: $pn failed: $(tail -n 1 "$tmp/peer.err")" >&2
      break
    fi
    best=$(awk -v a="$v" -v b="${best:-0}" 'BEGIN { print (a > b) ? a : b }')
    r=$((r + 1))
  done
  eval "$pv=\$best"
}

# ---------------------------------------------------------------------------------------------
# Measurements (progress on stderr, the table on stdout).

started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
rev=$(git -C "$root" describe --always --dirty 2>/dev/null || echo "not a git checkout")
load=$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)  # before we add to it
pat_l=$(json_number "$lupil2" sample_size)
pat_s=$(json_number "$simple" sample_size)

echo "measuring the engine (best of $repeats runs per row, about ${secs}s each)..." >&2
calibrated_trials n_l "$lupil2"
calibrated_trials n_s "$simple"
engine_rates L1 L2 "$lupil2" "$n_l"
vector=$(sed -n 's/.*"vector"[[:space:]]*:[[:space:]]*"\([a-z0-9]*\)".*/\1/p' "$tmp/out/summary.json" 2>/dev/null)
engine_rates S1 S2 "$simple" "$n_s"

# LUPIL-2 with narrower vector targets than the processor's (sim/core/isa.h), when this trialsim has
# them (run.vector in summary.json): what the vector code contributes. The numbers are the same.
LA1=NA LA2=NA LG1=NA LG2=NA
if [ -n "$vector" ] && [ "$vector" != generic ]; then
  if [ "$vector" != avx2 ]; then
    export TSIM_VECTOR=avx2
    engine_rates LA1 LA2 "$lupil2" "$n_l"
  fi
  export TSIM_VECTOR=generic
  engine_rates LG1 LG2 "$lupil2" "$n_l"
  unset TSIM_VECTOR
fi

# The same designs forced to the per-patient sampler, when this trialsim has the "sampling"
# key (its default, "auto", samples counts per cell when cells are large enough).
pmode=no
LP1=NA LP2=NA SP1=NA SP2=NA
if patient_variant "$lupil2" "$tmp/lupil2_patient.json" &&
   patient_variant "$simple" "$tmp/simple_patient.json"; then
  pmode=yes
  calibrated_trials n_lp "$tmp/lupil2_patient.json"
  calibrated_trials n_sp "$tmp/simple_patient.json"
  engine_rates LP1 LP2 "$tmp/lupil2_patient.json" "$n_lp"
  engine_rates SP1 SP2 "$tmp/simple_patient.json" "$n_sp"
fi

# Cost per trial against patients per trial: the simple design at N = 100, 1,000 and 10,000, one
# thread, each sampler; ns per trial from the best of $repeats runs of about 2e7 / N patient-
# trials (cell sampler: 2e5 trials whatever N).
echo "measuring cost against patients per trial..." >&2
SCALE=
for n in 100 1000 10000; do
  sed "s/\"sample_size\"[[:space:]]*:[[:space:]]*[0-9]*/\"sample_size\": $n/" "$simple" >"$tmp/simple_$n.json"
  for mode in cell patient; do
    f=$tmp/simple_$n.json
    trials=200000
    if [ "$mode" = patient ]; then
      patient_variant "$f" "$tmp/simple_${n}_p.json" || continue
      f=$tmp/simple_${n}_p.json
      trials=$((20000000 / n))
    fi
    best=
    r=0
    while [ "$r" -lt "$repeats" ]; do
      s=$(engine_seconds "$f" 1 "$trials")
      [ -z "$s" ] && { failed=1; break; }
      best=$(awk -v a="$s" -v b="${best:-0}" 'BEGIN { print (b == 0 || a < b) ? a : b }')
      r=$((r + 1))
    done
    SCALE="$SCALE $mode:$n:$(awk -v s="${best:-0}" -v t="$trials" 'BEGIN { printf "%.0f", s * 1e9 / t }')"
  done
done

echo "measuring memory against trials..." >&2
mem_trials=${BENCH_MEMORY_TRIALS:-100000000}
M_small=$(engine_memory "$lupil2" 2 10000)
M_big=$(engine_memory "$lupil2" 2 "$mem_trials")
{ [ -n "$M_small" ] && [ -n "$M_big" ]; } || failed=1

echo "measuring the random-number floor..." >&2
fl=$("$floor" "$secs" "$pat_s" 2>"$tmp/floor.err") || { failed=1; cat "$tmp/floor.err" >&2; }
FX_num=$(result_field "$fl" floor_xoshiro ns_per_number)
FX_seed=$(result_field "$fl" floor_xoshiro ns_per_seed)
FX_trial=$(result_field "$fl" floor_xoshiro ns_per_trial)
FM_num=$(result_field "$fl" floor_mt19937 ns_per_number)
FM_seed=$(result_field "$fl" floor_mt19937 ns_per_seed)
FM_trial=$(result_field "$fl" floor_mt19937 ns_per_trial)
FPT=$(result_field "$fl" floor_xoshiro numbers_per_trial)

echo "measuring the R baselines..." >&2
r_rate RV RV_note r_vectorised.R r_vectorised "$(awk -v t="$secs" 'BEGIN { print 2 * t }')"
r_rate RM RM_note r_mediana.R r_mediana "$(awk -v t="$secs" 'BEGIN { print 5 * t }')"
r_rate RP RP_note r_rpact.R r_rpact "$(awk -v t="$secs" 'BEGIN { print 2 * t }')"

# The patient-level ("latent") path: the shipped scenarios/lupil2.json at N = 100, 1,000 and
# 10,000 (temporary copies with sample_size changed), 1 and 2 threads; its random-number floor at
# each N; the numpy and R peers of the same design at each N (one process = one core, rates per
# CPU-second, best of $repeats runs of $secs; a peer's trial is the alternative and its null
# twin, as trialsim's is); and
# scenarios/pss2022.json with its floor. LAT collects "key=value" pairs for table.awk.
LAT=
lat_note=
if [ "${BENCH_SKIP_LATENT:-0}" != 1 ]; then
  echo "measuring the patient-level path (lupil2.json at N = 100, 1000, 10000; pss2022.json)..." >&2
  py=$(numpy_python)
  [ -z "$py" ] && lat_note="numpy peer skipped: no python3 that imports numpy and scipy (BENCH_PYTHON)"
  for n in 100 1000 10000; do
    f=$tmp/lupil2_latent_$n.json
    sed "s/\"sample_size\"[[:space:]]*:[[:space:]]*[0-9]*/\"sample_size\": $n/" "$root/scenarios/lupil2.json" >"$f"
    calibrated_trials_from nt "$f" $((2000000 / n))
    engine_rates a1 a2 "$f" "$nt"
    fl=$("$floor" "$secs" "$n" lupil2 2>"$tmp/floor.err") || { failed=1; cat "$tmp/floor.err" >&2; }
    fn=$(result_field "$fl" floor_lupil2 ns_per_trial)
    np=NA rp=NA
    if [ -n "$py" ]; then
      peer_rate np np_lupil2 "$py" "$here/np_lupil2.py" --n "$n" --seconds "$secs" --quiet
    fi
    if [ "$skip_r" != 1 ] && command -v Rscript >/dev/null 2>&1; then
      peer_rate rp r_lupil2 Rscript "$here/r_lupil2.R" --n "$n" --seconds "$secs" --quiet
    fi
    LAT="$LAT l1_$n=$a1 l2_$n=$a2 fl_$n=${fn:-NA} np_$n=$np r_$n=$rp"
    [ "$n" = 100 ] && LAT="$LAT fl_counts=$(result_field "$fl" floor_lupil2 normals_per_trial)/$(result_field "$fl" floor_lupil2 uniforms_per_trial)/$(result_field "$fl" floor_lupil2 bounded_per_trial)/$(result_field "$fl" floor_lupil2 seeds_per_trial)"
  done
  pss=$root/scenarios/pss2022.json
  pat_p=$(json_number "$pss" sample_size)
  calibrated_trials_from nt "$pss" 20000
  engine_rates p1 p2 "$pss" "$nt"
  fl=$("$floor" "$secs" "$pat_p" pss2022 2>"$tmp/floor.err") || { failed=1; cat "$tmp/floor.err" >&2; }
  LAT="$LAT p1=$p1 p2=$p2 pn=$pat_p fp=$(result_field "$fl" floor_pss2022 ns_per_trial)"
  # Time: interim looks with accrual (gs_three_looks.json) and site monitoring
  # every 25 patients (lupil2_monitoring.json), as shipped; no peer and no target, the engine's own rate.
  for t in gs_three_looks lupil2_monitoring; do
    f=$root/scenarios/$t.json
    calibrated_trials_from nt "$f" 2000
    engine_rates t1 t2 "$f" "$nt"
    LAT="$LAT ${t}_1=$t1 ${t}_2=$t2 ${t}_n=$(json_number "$f" sample_size)"
  done
  [ "$skip_r" = 1 ] && lat_note="${lat_note:+$lat_note; }R peer skipped (BENCH_SKIP_R=1)"
fi

# ---------------------------------------------------------------------------------------------
# The table.

awk -v date="$started" -v nproc="$(nproc 2>/dev/null || echo '?')" \
    -v cpu="${cpu:-unknown}" -v rev="$rev" -v load="$load" -v build="$build" -v root="$root" \
    -v pl="${pat_l:-100}" -v ps="${pat_s:-100}" \
    -v L1="$L1" -v L2="$L2" -v S1="$S1" -v S2="$S2" -v pmode="$pmode" -v vector="${vector:-?}" \
    -v LA1="$LA1" -v LA2="$LA2" -v LG1="$LG1" -v LG2="$LG2" \
    -v LP1="$LP1" -v LP2="$LP2" -v SP1="$SP1" -v SP2="$SP2" \
    -v FXn="${FX_num:-NA}" -v FXs="${FX_seed:-NA}" -v FXt="${FX_trial:-NA}" \
    -v FMn="${FM_num:-NA}" -v FMs="${FM_seed:-NA}" -v FMt="${FM_trial:-NA}" -v FPT="${FPT:-NA}" \
    -v RV="$RV" -v RM="$RM" -v RP="$RP" \
    -v RVn="$RV_note" -v RMn="$RM_note" -v RPn="$RP_note" -v LAT="$LAT" -v LATn="$lat_note" \
    -f "$here/table.awk"

# Cost against patients: ns per trialsim trial (alternative + null twin), one thread.
printf '%s\n' "$SCALE" | awk '{
  for (i = 1; i <= NF; i++) { split($i, f, ":"); ns[f[1], f[2]] = f[3] }
  printf "\ncost per trial against patients per trial (simple design, 1 thread, ns per trialsim trial):\n"
  for (m = 1; m <= 2; m++) {
    mode = m == 1 ? "cell" : "patient"
    if (!((mode, 100) in ns)) continue
    line = sprintf("  %-17s N=100 %s ns", mode == "cell" ? "default sampler" : "sampling=patient", ns[mode, 100])
    for (k = 1000; k <= 10000; k *= 10)
      line = line sprintf(", N=%d %s ns (%.2fx)", k, ns[mode, k], ns[mode, k] / ns[mode, 100])
    print line
  }
}'

# Memory against trials: the streaming tally keeps it constant.
awk -v a="${M_small:-NA}" -v b="${M_big:-NA}" -v n="$mem_trials" 'BEGIN {
  printf "\nmemory against trials (LUPIL-2, 2 threads, the process'"'"'s peak resident memory):\n"
  if (a == "NA" || b == "NA") { print "  not measured (a run failed)"; exit }
  printf "  10000 trials %.1f MiB, %.0f trials %.1f MiB (%+.2f MiB) -> %s\n", a, n, b, b - a,
    (b - a < 1) ? "constant (MET)" : "GROWS"
}'

exit "$failed"
