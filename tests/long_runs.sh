#!/bin/sh
# long_runs.sh TRIALSIM JSON_EQUAL SOURCE_DIR
# Shards and checkpoints give the numbers of one run, bit for bit:
# - 'run --trials-from A --trials-to B' shards merged by 'merge' equal one run (summary.json
#   outside "run", analyses.csv, p_values.csv) for several splits - even, uneven, single-trial
#   shards, shards given in any order - on the patient-level lupil2, a per-cell scenario, the
#   latent model, the block path (TSIM_BLOCK=1), and a scenario with multiplicity procedures and
#   --p-values;
# - merge refuses (exit 2, nothing written) overlapping shards, a missing range, shards of
#   another seed, scenario, --set, --p-values or trialsim version, and a damaged file;
# - a run with --checkpoint killed (SIGKILL) at moments fixed as shares of its length and started
#   again each time ends with the uninterrupted run's results; a checkpoint of other arguments is refused (exit 2).
set -u
exe=$1; jeq=$2; src=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()   { echo "ok   $1"; pass=$((pass + 1)); }
now_ms() { date +%s%3N; }
bad()  { echo "FAIL $1"; fail=$((fail + 1)); }

# same_results A B: the result sets in folders A and B are identical outside "run".
same_results() {
  "$jeq" "$1/summary.json" "$2/summary.json" run && cmp -s "$1/analyses.csv" "$2/analyses.csv" &&
    { [ ! -e "$1/p_values.csv" ] || cmp -s "$1/p_values.csv" "$2/p_values.csv"; }
}

# split NAME SCENARIO TRIALS "RANGES" [run options]: shards over RANGES ("A-B A-B ...") merged
# (in the reverse order of RANGES) against one run in $tmp/NAME.one.
split() {
  name=$1; scn=$2; n=$3; ranges=$4; shift 4
  [ -d "$tmp/$name.one" ] || "$exe" run "$scn" --trials "$n" --seed 11 --threads 2 --out "$tmp/$name.one" --quiet "$@" ||
    bad "$name: the whole run"
  files=
  for r in $ranges; do
    a=${r%-*}; b=${r#*-}
    "$exe" run "$scn" --trials "$n" --seed 11 --threads 2 --trials-from "$a" --trials-to "$b" \
      --out "$tmp/$name.shards" --quiet "$@" || bad "$name: shard $a-$b"
    files="$tmp/$name.shards/shard_${a}_${b}.tsim $files"
  done
  # shellcheck disable=SC2086
  if "$exe" merge $files --out "$tmp/$name.merged" --quiet && same_results "$tmp/$name.one" "$tmp/$name.merged"; then
    ok "$name: shards $ranges merged equal one run"
  else
    bad "$name: shards $ranges merged differ from one run"
  fi
  rm -rf "$tmp/$name.shards" "$tmp/$name.merged"
}

lupil2=$src/scenarios/lupil2.json
split lupil2 "$lupil2" 5003 "0-2500 2500-5003"
split lupil2 "$lupil2" 5003 "0-1 1-2 2-1777 1777-5002 5002-5003"
split lupil2 "$lupil2" 5003 "0-5003"
split cell "$src/scenarios/pss2022.json" 3001 "0-1000 1000-1001 1001-3001"
split latent "$src/tests/latent/continuous.json" 201 "0-99 99-201"
TSIM_BLOCK=1 split block "$src/tests/analysis/block_chisq.json" 3001 "0-300 300-3001"
split pvalues "$src/tests/analysis/every_binary_test.json" 1001 "0-400 400-401 401-1001" --p-values
if [ -s "$tmp/pvalues.one/p_values.csv" ] && grep -q '"multiplicity"' "$tmp/pvalues.one/summary.json"; then
  ok "the --p-values case has p-values and multiplicity procedures"
else
  bad "the --p-values case lacks p_values.csv or procedures"
fi

# Refusals: each exit 2 with a message, and nothing written.
sh=$tmp/sh
run_shard() { # A B [options]
  a=$1; b=$2; shift 2
  "$exe" run "$lupil2" --trials 1000 --seed 11 --threads 2 --trials-from "$a" --trials-to "$b" --out "$sh" --quiet "$@"
}
run_shard 0 500 >"$tmp/shard.out" 2>"$tmp/shard.err"; run_shard 500 1000; run_shard 400 1000; run_shard 600 1000
# --quiet: nothing on stdout, where the shard went on stderr (as run --quiet says it; it said nothing)
if [ ! -s "$tmp/shard.out" ] && grep -q "^trialsim: written: $sh/shard_0_500.tsim$" "$tmp/shard.err"; then
  ok "a shard with --quiet: where it went, on stderr"
else bad "a shard with --quiet: stdout $(wc -c <"$tmp/shard.out") bytes, stderr: $(cat "$tmp/shard.err")"; fi
mkdir -p "$sh/other"
run_shard 500 1000 --seed 12 --out "$sh/other/seed"
run_shard 500 1000 --set sample_size=120 --out "$sh/other/set"
run_shard 500 1000 --p-values --out "$sh/other/pv"
cp "$lupil2" "$tmp/lupil2_copy.json" && echo " " >> "$tmp/lupil2_copy.json"
"$exe" run "$tmp/lupil2_copy.json" --trials 1000 --seed 11 --trials-from 500 --out "$sh/other/scenario" --quiet
# Another version: the version line changed and the file's digest made right again.
v=$sh/other/version; mkdir -p "$v"
sed 's/^version .*/version 0.0.0-other/' "$sh/shard_500_1000.tsim" | grep -v '^sha256 ' > "$v/body"
{ cat "$v/body"; echo "sha256 $(sha256sum "$v/body" | cut -c1-64)"; } > "$v/shard_500_1000.tsim"
head -c 2000 "$sh/shard_0_500.tsim" > "$sh/other/damaged.tsim"
# An edited count: the first analysis's rejections (the word after the trials) set to 501 of its
# 500 trials, and the digest made right again - a file of the right shape whose numbers no run gives.
e=$sh/other/edited; mkdir -p "$e"
awk '/^words64 /{w = NR} w && NR == w + 2 {$0 = "501"} {print}' "$sh/shard_500_1000.tsim" | grep -v '^sha256 ' > "$e/body"
{ cat "$e/body"; echo "sha256 $(sha256sum "$e/body" | cut -c1-64)"; } > "$e/shard_500_1000.tsim"
# An edited scenario text (the name's last letter, so its length stays), the file's digest made right
# again but not the scenario's: the merge would have used a scenario its digest does not name.
x=$sh/other/text; mkdir -p "$x"
sed 's/"name": "lupil2"/"name": "lupil3"/' "$sh/shard_500_1000.tsim" | grep -v '^sha256 ' > "$x/body"
{ cat "$x/body"; echo "sha256 $(sha256sum "$x/body" | cut -c1-64)"; } > "$x/shard_500_1000.tsim"
refuse() { # WHAT EXPECTED-MESSAGE FILE...
  what=$1; msg=$2; shift 2
  "$exe" merge "$@" --out "$tmp/refused" > "$tmp/out" 2> "$tmp/err"
  st=$?
  if [ $st -eq 2 ] && grep -q "$msg" "$tmp/err" && [ ! -e "$tmp/refused" ]; then
    ok "merge refuses $what: $(head -1 "$tmp/err")"
  else
    bad "merge of $what: exit $st, '$(cat "$tmp/err")', expected 2 and '$msg'"
  fi
}
refuse "overlapping shards" "both hold trials 400 to 499" "$sh/shard_0_500.tsim" "$sh/shard_400_1000.tsim"
refuse "a missing range" "no shard holds trials 500 to 599" "$sh/shard_0_500.tsim" "$sh/shard_600_1000.tsim"
refuse "a missing end" "no shard holds trials 500 to 999" "$sh/shard_0_500.tsim"
refuse "another seed" "differ in seed" "$sh/shard_0_500.tsim" "$sh/other/seed/shard_500_1000.tsim"
refuse "another --set" "differ in --set" "$sh/shard_0_500.tsim" "$sh/other/set/shard_500_1000.tsim"
refuse "another --p-values" "differ in --p-values" "$sh/shard_0_500.tsim" "$sh/other/pv/shard_500_1000.tsim"
refuse "another scenario" "differ in scenario file" "$sh/shard_0_500.tsim" "$sh/other/scenario/shard_500_1000.tsim"
refuse "another version" "differ in trialsim version" "$sh/shard_0_500.tsim" "$v/shard_500_1000.tsim"
refuse "a damaged shard" "incomplete or damaged" "$sh/shard_0_500.tsim" "$sh/other/damaged.tsim"
refuse "an edited count" "counts more trials with an event than trials" "$sh/shard_0_500.tsim" "$e/shard_500_1000.tsim"
refuse "a file that is no shard" "not a partial result" "$sh/shard_0_500.tsim" "$lupil2"
refuse "an edited scenario text" "does not match scenario_sha256" "$sh/shard_0_500.tsim" "$x/shard_500_1000.tsim"
if "$exe" merge "$sh/shard_0_500.tsim" "$sh/shard_500_1000.tsim" --out "$tmp/m1000" > "$tmp/merged.txt"; then
  ok "the same shards that cover the trials merge"
else
  bad "the shards 0-500 and 500-1000 do not merge"
fi
# The merge's header names the shards, not a thread count or time of its own; so does run.
if sed -n 2p "$tmp/merged.txt" | grep -q "seed [0-9]*, merged from 2 shards$" &&
   grep -q '"merged_shards": *2' "$tmp/m1000/summary.json"; then
  ok "merge says it merged 2 shards (header, run.merged_shards)"
else
  bad "merge header '$(sed -n 2p "$tmp/merged.txt")' or run.merged_shards missing"
fi
"$exe" run "$lupil2" --trials 1000 --trials-from 700 --trials-to 700 --out "$tmp/r" --quiet 2> /dev/null
st=$?; if [ $st -eq 2 ] && [ ! -e "$tmp/r" ]; then ok "an empty range is refused"; else bad "an empty range: exit $st"; fi
"$exe" run "$lupil2" --trials 1000 --trials-to 1001 --out "$tmp/r" --quiet 2> /dev/null
st=$?; if [ $st -eq 2 ] && [ ! -e "$tmp/r" ]; then ok "a range past the trials is refused"; else bad "a range past the trials: exit $st"; fi

# Checkpoints: killed four times mid-run and resumed each time, the same results as one run.
# The run is first made long enough (at least about 2 s here, whatever the engine's speed or a
# sanitizer's slowdown). Each kill comes once the checkpoint holds another eighth of the trials
# (read from the checkpoint file itself, every 20 ms), so the kills land mid-run however busy
# the machine is (timed kills did not: a run timed on a loaded machine and killed on a quieter
# one could finish before its kills), and the killed runs together never finish it.
n=20000
while :; do
  t0=$(now_ms)
  rm -rf "$tmp/ck.one"
  "$exe" run "$lupil2" --trials $n --seed 5 --threads 2 --out "$tmp/ck.one" --quiet || bad "the uninterrupted run"
  ms=$(($(now_ms) - t0))
  [ $ms -ge 2000 ] || [ $n -ge 20000000 ] || { n=$((n * 4)); continue; }
  break
done
ck=$tmp/ck.tsim
resumed=0
ck_done() { d=$(sed -n 's/^trials_done //p' "$ck" 2> /dev/null); echo "${d:-0}"; }
for kill in 1 2 3 4; do
  want=$(($(ck_done) + n / 8))
  "$exe" run "$lupil2" --trials $n --seed 5 --threads 2 --out "$tmp/ck.run" --checkpoint "$ck" \
    --checkpoint-every 0.05 > /dev/null 2> "$tmp/ck.err" &
  pid=$!
  t0=$(now_ms)
  while kill -0 $pid 2> /dev/null && [ "$(ck_done)" -lt $want ] && [ $(($(now_ms) - t0)) -lt 120000 ]; do
    sleep 0.02
  done
  kill -KILL $pid 2> /dev/null
  wait $pid 2> /dev/null
  grep -q "resuming from" "$tmp/ck.err" && resumed=$((resumed + 1))
done
done=$(sed -n 's/^trials_done //p' "$ck" 2> /dev/null)
if [ -n "$done" ] && [ "$done" -gt 0 ]; then
  ok "after the kills the checkpoint holds $done of $n trials (resumed $resumed times)"
else
  bad "no checkpoint with trials after the kills ('$done')"
fi
# Another run's arguments are refused, and the checkpoint is kept.
"$exe" run "$lupil2" --trials $n --seed 6 --out "$tmp/ck.other" --checkpoint "$ck" --quiet 2> "$tmp/ck.err"
st=$?
if [ $st -eq 2 ] && grep -q "checkpoint of another run: its seed differs" "$tmp/ck.err" && [ -e "$ck" ] && [ ! -e "$tmp/ck.other" ]; then
  ok "a checkpoint of another seed is refused"
else
  bad "a checkpoint of another seed: exit $st, $(cat "$tmp/ck.err")"
fi
if "$exe" run "$lupil2" --trials $n --seed 5 --threads 2 --out "$tmp/ck.run" --checkpoint "$ck" \
     --checkpoint-every 0.05 --quiet && same_results "$tmp/ck.one" "$tmp/ck.run"; then
  ok "killed and resumed equals the uninterrupted run"
else
  bad "killed and resumed differs from the uninterrupted run"
fi
# The resumed run's rate counts only the trials it simulated: trials_per_second x seconds =
# trials - resumed_trials (it divided every trial by the resumed part's seconds).
if awk -v n=$n '/"seconds":/ { gsub(/[",]/, ""); s = $2 } /"trials_per_second":/ { gsub(/[",]/, ""); r = $2 }
                /"resumed_trials":/ { gsub(/[",]/, ""); d = $2 }
                END { exit !(d > 0 && d < n && (r * s - (n - d)) ^ 2 < 1e-6 * n * n) }' "$tmp/ck.run/summary.json"; then
  ok "the resumed run's trials per second count its own trials"
else
  bad "trials_per_second after a resume: $(grep -E '"(seconds|trials_per_second|resumed_trials)"' "$tmp/ck.run/summary.json" | tr -d '\n')"
fi
if [ ! -e "$ck" ] && [ -z "$(ls -A "$tmp" | grep "^ck.tsim.tmp-")" ]; then
  ok "the checkpoint is removed once the results are written"
else
  bad "a checkpoint or temporary file is left behind"
fi
# run --checkpoint FILE given a folder: bad input (exit 2, said so), nothing written.
mkdir -p "$tmp/ck.folder"
"$exe" run "$lupil2" --trials 100 --out "$tmp/ck.folder.out" --checkpoint "$tmp/ck.folder" --quiet 2> "$tmp/ck.err"
st=$?
if [ $st -eq 2 ] && grep -q "not a file (a folder)" "$tmp/ck.err" && [ ! -e "$tmp/ck.folder.out" ]; then
  ok "run --checkpoint on a folder: exit 2, nothing written"
else
  bad "run --checkpoint on a folder: exit $st, $(cat "$tmp/ck.err")"
fi
# A message naming files in a folder named with an escape character shows it as \u001b, never
# the byte itself (which a terminal would obey): merge of shards of two seeds.
esc=$(printf '\033')
mkdir -p "$tmp/sh.${esc}[31m"
"$exe" run "$lupil2" --trials 200 --trials-from 0 --trials-to 100 --seed 1 --out "$tmp/sh.${esc}[31m" --quiet
"$exe" run "$lupil2" --trials 200 --trials-from 100 --trials-to 200 --seed 2 --out "$tmp/sh.${esc}[31m" --quiet
"$exe" merge "$tmp/sh.${esc}[31m"/shard_0_100.tsim "$tmp/sh.${esc}[31m"/shard_100_200.tsim --out "$tmp/sh.out" 2> "$tmp/ck.err"
st=$?
if [ $st -eq 2 ] && grep -qF 'sh.\u001b[31m/shard_0_100.tsim' "$tmp/ck.err" && ! grep -q "$esc" "$tmp/ck.err"; then
  ok "a shard's path with an escape character is shown escaped"
else
  bad "a shard's path with an escape character: exit $st, $(od -c "$tmp/ck.err" | head -3)"
fi
# sweep and size --checkpoint DIR: killed and resumed equal the uninterrupted command.
# kill_resume NAME FILE.json ARGS...: killed after 30% and 25% of the uninterrupted command's
# length, then run to the end.
kill_resume() {
  name=$1; shift
  t0=$(now_ms)
  "$exe" "$@" --out "$tmp/$name.one" --quiet 2> /dev/null || bad "$name: the uninterrupted command"
  ms=$(($(now_ms) - t0))
  for share in 30 25; do
    delay=$(awk -v ms=$ms -v s=$share 'BEGIN { printf "%.3f", ms * s / 100000 }')
    "$exe" "$@" --out "$tmp/$name.run" --checkpoint "$tmp/$name.ck" --checkpoint-every 0.05 --quiet > /dev/null 2>&1 &
    pid=$!
    sleep $delay
    kill -KILL $pid 2> /dev/null
    wait $pid 2> /dev/null
  done
  kept=$(ls "$tmp/$name.ck" 2> /dev/null | grep -c '^run_.*\.tsim$')
  if "$exe" "$@" --out "$tmp/$name.run" --checkpoint "$tmp/$name.ck" --checkpoint-every 0.05 --quiet 2> /dev/null &&
     "$jeq" "$tmp/$name.one/$name.json" "$tmp/$name.run/$name.json" run &&
     cmp -s "$tmp/$name.one/$name.csv" "$tmp/$name.run/$name.csv" && [ ! -e "$tmp/$name.ck" ]; then
    ok "$name killed twice and resumed ($kept runs kept) equals the uninterrupted one; its checkpoints removed"
  else
    bad "$name killed and resumed differs from the uninterrupted one, or left its checkpoints"
  fi
}
kill_resume sweep sweep "$lupil2" --set sample_size=40:200:40 --trials 8000 --threads 2
kill_resume size size "$src/scenarios/lupil2_planning.json" --analysis itt,pp --power 0.8 --trials 3000 --threads 2
# A folder holding another command's checkpoint (here a shard of a run) is refused.
mkdir -p "$tmp/swx.ck" && cp "$sh/shard_0_500.tsim" "$tmp/swx.ck/run_0.tsim"
"$exe" sweep "$lupil2" --set sample_size=40:80:40 --trials 1000 --seed 11 --out "$tmp/swx" --checkpoint "$tmp/swx.ck" --quiet 2> "$tmp/err"
st=$?
if [ $st -eq 2 ] && grep -q "a checkpoint of another command" "$tmp/err" && [ ! -e "$tmp/swx" ] &&
   [ -e "$tmp/swx.ck/run_0.tsim" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]; then
  ok "sweep refuses a checkpoint folder of another command, in one line: $(head -1 "$tmp/err")"
else
  bad "sweep with another command's checkpoint: exit $st, $(cat "$tmp/err")"
fi

# The test can fail: another seed's results differ.
"$exe" run "$lupil2" --trials $n --seed 6 --threads 2 --out "$tmp/ck.six" --quiet
if same_results "$tmp/ck.one" "$tmp/ck.six"; then bad "another seed gives the same results"; else ok "another seed differs"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
