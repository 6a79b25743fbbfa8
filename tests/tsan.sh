#!/bin/sh
# tsan.sh [SRC [BUILD]]: ThreadSanitizer over the parallel trial loop (sim/run/runner.c).
#
# Builds trialsim with clang, -fsanitize=thread and LLVM's OpenMP runtime libomp (-DTSIM_TSAN=ON,
# in BUILD, default SRC/build-tsan) and runs every shipped scenario (and the test scenarios that
# hold every test of the catalogue) at 2 and 4 threads for TSIM_TSAN_TRIALS trials (default
# 4000), plus --p-values, the block path forced (TSIM_BLOCK=1) and a sweep. Any report fails.
#
# libgomp (gcc's runtime) is not instrumented: TSan cannot see its barriers and reports races
# that are not there. libomp is not instrumented either, but its OMPT tool archer (libarcher.so,
# shipped with libomp-14-dev and loaded by libomp on its own when the program runs under TSan)
# tells TSan about every barrier, reduction, critical section and atomic of OpenMP, and
# TSAN_OPTIONS=ignore_noninstrumented_modules=1 ignores accesses inside libomp itself. Before
# the runs two small OpenMP programs check that this holds here: a real race must be reported,
# and a correct program that relies on a barrier must not be.
#
# Exit 77 (skipped) when clang cannot build an OpenMP program under TSan (Debian: clang,
# libomp-14-dev, libclang-rt-14-dev).
set -eu
src=$(cd "${1:-$(dirname "$0")/..}" && pwd)
build=${2:-$src/build-tsan}
trials=${TSIM_TSAN_TRIALS:-4000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TSAN_OPTIONS="ignore_noninstrumented_modules=1 halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"

if ! command -v clang >/dev/null 2>&1; then
  echo "SKIPPED: no clang (Debian: clang libomp-14-dev libclang-rt-14-dev)"; exit 77
fi

# The probes: a race that must be found, and a barrier that must be understood.
cat >"$tmp/race.c" <<'C'
#include <stdio.h>
int main(void) {
  long shared = 0;
#pragma omp parallel for num_threads(2)
  for (int i = 0; i < 100000; i++) shared += i % 7;
  printf("%ld\n", shared);
  return 0;
}
C
cat >"$tmp/barrier.c" <<'C'
#include <omp.h>
#include <stdio.h>
int main(void) {
  long part[4] = {0}, sum = 0, red = 0;
#pragma omp parallel num_threads(4)
  {
    part[omp_get_thread_num()] = omp_get_thread_num() + 1;
#pragma omp barrier
#pragma omp single
    for (int t = 0; t < 4; t++) sum += part[t];
#pragma omp for reduction(+:red)
    for (int i = 0; i < 100000; i++) red += i % 7;
  }
  printf("%ld %ld\n", sum, red);
  return 0;
}
C
for p in race barrier; do
  if ! clang -g -O1 -fopenmp -fsanitize=thread "$tmp/$p.c" -o "$tmp/$p" 2>"$tmp/$p.log"; then
    cat "$tmp/$p.log"
    echo "SKIPPED: clang cannot build an OpenMP program with -fsanitize=thread (Debian: libomp-14-dev libclang-rt-14-dev)"
    exit 77
  fi
done
if "$tmp/race" >/dev/null 2>"$tmp/race.log"; then
  echo "FAIL: ThreadSanitizer did not report a data race between OpenMP threads"; exit 1
fi
if ! "$tmp/barrier" >/dev/null 2>"$tmp/barrier.log"; then
  cat "$tmp/barrier.log"
  echo "FAIL: ThreadSanitizer reports a race in a correct OpenMP program: the OpenMP runtime's"
  echo "      synchronisation is invisible to it (is libarcher.so beside libomp, and OMP_TOOL not"
  echo "      disabled? OMP_TOOL_VERBOSE_INIT=stderr shows which tool libomp loads)"
  exit 1
fi
echo "ok: the probes - a race is reported, OpenMP's barrier and reduction are understood"

echo "== build ($build)"
cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTSIM_TSAN=ON >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$build" --target trialsim -j "$(nproc)" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
ts=$build/trialsim
if ldd "$ts" | grep -q libgomp || ! ldd "$ts" | grep -q 'libomp\.so'; then
  ldd "$ts"
  echo "FAIL: $ts is not linked with LLVM's libomp"; exit 1
fi

n=0
check() { # LABEL COMMAND...: the command runs under TSan; a report or a failure fails
  label=$1; shift
  n=$((n + 1))
  if ! "$@" --out "$tmp/out$n" --quiet >"$tmp/run.log" 2>&1; then
    cat "$tmp/run.log"
    echo "FAIL: $label (exit status 66 is a ThreadSanitizer report)"; exit 1
  fi
  rm -rf "$tmp/out$n"
  echo "ok: $label"
}

for f in "$src"/scenarios/*.json "$src/tests/analysis/every_binary_test.json" \
         "$src/tests/analysis/barnard.json"; do
  for t in 2 4; do
    check "run $(basename "$f") --threads $t --trials $trials" \
      "$ts" run "$f" --threads "$t" --trials "$trials"
  done
done
for f in "$src/scenarios/lupil2.json" "$src/tests/analysis/every_binary_test.json"; do
  check "run $(basename "$f") --p-values --threads 4" \
    "$ts" run "$f" --p-values --threads 4 --trials "$trials"
done
check "TSIM_BLOCK=1 run lupil2.json --threads 4" \
  env TSIM_BLOCK=1 "$ts" run "$src/scenarios/lupil2.json" --threads 4 --trials "$trials"
check "sweep teaching_small.json --threads 4" \
  "$ts" sweep "$src/scenarios/teaching_small.json" --threads 4 --trials "$((trials / 4))"
echo "ok: $n runs under ThreadSanitizer, no report"
