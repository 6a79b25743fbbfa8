#!/bin/sh
# smoke.sh HARNESS NAME SECONDS SRC WORK: runs the libFuzzer harness HARNESS (fuzz_NAME, built
# with -DTSIM_FUZZ=ON) for SECONDS from its seed corpus, with the scenario keys' dictionary; the
# ctest label `fuzz` runs each harness so. A crash, a leak, undefined behaviour, an input taking
# over 10 s or over 2 GB fails, and the input is saved as WORK/crashes/NAME-... (the message
# says how to reproduce it). New inputs found are kept in WORK/corpus/NAME, which later runs
# start from too.
#
# Seeds: scenario - scenarios/*.json and the test scenarios (tests/bad, analysis, latent, vector,
# anomaly); analyze - scenarios/published/*.json and tests/bad/analyze; set - tests/fuzz/set_seeds.
set -eu
harness=$1 name=$2 seconds=$3 src=$4 work=$5

case $name in
  scenario) seeds="$src/scenarios/*.json $src/tests/bad/*.json $src/tests/analysis/*.json
                   $src/tests/latent/*.json $src/tests/vector/*.json $src/tests/anomaly/*.json" ;;
  analyze)  seeds="$src/scenarios/published/*.json $src/tests/bad/analyze/*.json" ;;
  set)      seeds="$src/tests/fuzz/set_seeds/*" ;;
  *) echo "smoke.sh: unknown harness $name"; exit 2 ;;
esac

corpus=$work/corpus/$name
crashes=$work/crashes
mkdir -p "$corpus" "$crashes"
n=0
for f in $seeds; do
  [ -f "$f" ] || { echo "FAIL: seed $f not found"; exit 1; }
  cp "$f" "$corpus/seed_$(basename "$(dirname "$f")")_$(basename "$f")"
  n=$((n + 1))
done
echo "fuzz_$name: $n seeds, $(ls "$corpus" | wc -l) inputs in $corpus, $seconds s"

set +e
"$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -dict="$src/tests/fuzz/tsim.dict" -artifact_prefix="$crashes/$name-" "$corpus" 2>"$work/$name.log"
rc=$?
set -e
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done|fuzz:)|DONE' "$work/$name.log" || true
if [ "$rc" -ne 0 ]; then
  tail -n 60 "$work/$name.log"
  echo "FAIL: fuzz_$name exited $rc; the input is in $crashes (run: $harness FILE); log: $work/$name.log"
  exit 1
fi
echo "ok: fuzz_$name found nothing in $seconds s"
