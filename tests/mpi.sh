#!/bin/sh
# mpi.sh MPIEXEC TRIALSIM TRIALSIM_MPI JSON_EQUAL BAD_SCENARIO SCENARIO...
# Runs split across processes (trialsim_mpi, sim/run/distributed.h) give one process's results:
# every scenario given runs with trialsim and with 2 and 3 processes of trialsim_mpi (uneven
# blocks of trials; also fewer trials than processes, and --p-values), and summary.json
# (outside "run"), analyses.csv and p_values.csv must be equal; run.processes must say how many
# ran. So must a sweep's and a sample-size search's files on the first scenario (whose
# analyses must include one with id "itt"). The default thread count follows OMP_NUM_THREADS,
# or takes every CPU when mpirun binds nothing. A bad scenario must stop every process with
# exit status 2, its problem said once, and nothing written, for run, sweep and size; so must a
# file that does not exist. Every job is given 5 minutes.
# Without MPIEXEC (not found by CMake, or not installed any more) it exits 77: skipped.
# MPI_SCENARIOS=K in the environment compares only the first K scenarios' runs.
set -u
mpiexec=$1; exe=$2; mexe=$3; jeq=$4; bad=$5; shift 5
if ! command -v "$mpiexec" >/dev/null 2>&1; then
  echo "SKIPPED: mpi.sh: mpiexec '$mpiexec' not found (Debian: openmpi-bin); runs across processes not tested"
  exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
no()  { echo "FAIL $1"; fail=$((fail + 1)); }
# Open MPI refuses root without these, and 2 cores may host 3 processes.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
flags=""
"$mpiexec" --version 2>&1 | grep -qi "open.\?mpi\|OpenRTE" && flags="--oversubscribe"
# Under AddressSanitizer, the MPI library's own allocations at exit read as leaks (every other
# test checks ours, test_runner the tally's packing): not checked for leaks here.
# A job that hangs (processes waiting for one another) fails after 5 minutes instead.
limit=""
command -v timeout >/dev/null 2>&1 && limit="timeout 300"
mrun() {
  np=$1; shift
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" $limit "$mpiexec" $flags $mflags -n "$np" "$mexe" "$@"
}
mflags=

i=0
for scn in "$@"; do
  i=$((i + 1))
  # MPI_SCENARIOS=K runs only the first K scenarios here (CI's sanitizer build: 1); the sweep,
  # size, thread and bad-input checks below run whatever K is.
  [ "$i" -gt "${MPI_SCENARIOS:-$#}" ] && break
  for args in "--trials 3001 --seed 17" "--trials 2 --seed 5" "--trials 1001 --seed 9 --p-values"; do
    ref=$tmp/ref.$i
    rm -rf "$ref"
    # shellcheck disable=SC2086  # args are words
    if ! "$exe" run "$scn" $args --threads 2 --out "$ref" --quiet; then
      no "$(basename "$scn") $args: trialsim did not run"; continue
    fi
    for np in 2 3; do
      out=$tmp/mpi.$i.$np
      rm -rf "$out"
      # shellcheck disable=SC2086
      if ! mrun "$np" run "$scn" $args --threads 1 --out "$out" --quiet >"$tmp/log" 2>&1; then
        cat "$tmp/log"; no "$(basename "$scn") $args: $np processes did not run"; continue
      fi
      same=1
      "$jeq" "$ref/summary.json" "$out/summary.json" run || same=0
      cmp -s "$ref/analyses.csv" "$out/analyses.csv" || same=0
      if [ -f "$ref/p_values.csv" ] || [ -f "$out/p_values.csv" ]; then
        cmp -s "$ref/p_values.csv" "$out/p_values.csv" || same=0
      fi
      grep -q "\"processes\":[[:space:]]*$np[,}[:space:]]" "$out/summary.json" || same=0
      if [ $same = 1 ]; then ok "$(basename "$scn") $args: $np processes equal one"
      else no "$(basename "$scn") $args: $np processes differ from one"; fi
    done
  done
done

# Experiments: a sweep and a sample-size search, every run of them split across processes.
scn=$1
for cmd in "sweep|--set sample_size=40:100:20 --trials 2001 --seed 3|sweep.json sweep.csv" \
           "size|--analysis itt --power 0.6 --trials 1001 --seed 4|size.json size.csv"; do
  name=${cmd%%|*}; rest=${cmd#*|}; args=${rest%%|*}; files=${rest#*|}
  ref=$tmp/ref.$name
  # shellcheck disable=SC2086
  if ! "$exe" $name "$scn" $args --threads 2 --out "$ref" --quiet; then
    no "$name: trialsim did not run"; continue
  fi
  for np in 2 3; do
    out=$tmp/mpi.$name.$np
    # shellcheck disable=SC2086
    if ! mrun "$np" $name "$scn" $args --threads 1 --out "$out" --quiet >"$tmp/log" 2>&1; then
      cat "$tmp/log"; no "$name: $np processes did not run"; continue
    fi
    same=1
    for f in $files; do
      case $f in
        *.json) "$jeq" "$ref/$f" "$out/$f" run || same=0 ;;
        *) cmp -s "$ref/$f" "$out/$f" || same=0 ;;
      esac
    done
    if [ $same = 1 ]; then ok "$(basename "$scn") $name $args: $np processes equal one"
    else no "$(basename "$scn") $name $args: $np processes differ from one"; fi
  done
  # The printed header says how many processes ran (the size search's said only its threads).
  # shellcheck disable=SC2086
  mrun 2 $name "$scn" $args --threads 1 --out "$tmp/hdr.$name" >"$tmp/hdr.txt" 2>/dev/null
  if head -1 "$tmp/hdr.txt" | grep -q "2 processes x 1 thread"; then ok "$name: the header says 2 processes x 1 thread"
  else no "$name: the header does not say 2 processes: $(head -1 "$tmp/hdr.txt")"; fi
done

# Default threads: OMP_NUM_THREADS when set, else with --bind-to none (Open MPI) one process
# takes every CPU of the machine.
cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
for case in "unset|$cpus" "1|1"; do
  omp=${case%%|*}; want=${case#*|}
  [ -n "$flags" ] || break
  rm -rf "$tmp/thr"
  if [ "$omp" = unset ]; then (unset OMP_NUM_THREADS; mflags="--bind-to none"; mrun 1 run "$scn" --trials 100 --out "$tmp/thr" --quiet)
  else OMP_NUM_THREADS=$omp mrun 1 run "$scn" --trials 100 --out "$tmp/thr" --quiet; fi
  if grep -q "\"threads\":[[:space:]]*$want[,}[:space:]]" "$tmp/thr/summary.json" 2>/dev/null; then
    ok "default threads with OMP_NUM_THREADS $omp: $want"
  else no "default threads with OMP_NUM_THREADS $omp: want $want, got $(grep -o '"threads":[^,]*' "$tmp/thr/summary.json" 2>&1)"; fi
done

# Bad input: status 2 from every process, the problem said once, nothing written; for run, a
# sweep and a sample-size search.
for c in "run|$bad" "run|$tmp/no_such_file.json" "sweep|$bad" "size|$bad"; do
  cmd=${c%%|*}; f=${c#*|}
  case $cmd in
    run) extra="--trials 10" ;;
    sweep) extra="--set sample_size=40,60 --trials 10" ;;
    size) extra="--analysis itt --power 0.6 --trials 10" ;;
  esac
  # shellcheck disable=SC2086
  mrun 3 $cmd "$f" --out "$tmp/bad_out" $extra >"$tmp/out.txt" 2>"$tmp/err.txt"
  st=$?
  n=$(grep -c "^trialsim: error: $f" "$tmp/err.txt")
  if [ $st -eq 2 ] && [ "$n" -ge 1 ] && [ ! -e "$tmp/bad_out" ] &&
     [ "$(grep -c "^trialsim: error:" "$tmp/err.txt")" -eq "$n" ] &&
     [ "$(sort "$tmp/err.txt" | grep "^trialsim: error:" | uniq -d | wc -l)" -eq 0 ]; then
    ok "$cmd $(basename "$f"): exit 2 from 3 processes, said once, nothing written"
  else
    cat "$tmp/err.txt"; no "$cmd $(basename "$f"): status $st, $n message(s), output $(ls "$tmp/bad_out" 2>&1 | head -1)"
  fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
