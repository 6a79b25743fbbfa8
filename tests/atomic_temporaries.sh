#!/bin/sh
# atomic_temporaries.sh TRIALSIM SHIM.so SCENARIO
# Temporary files: every file trialsim creates in an output folder is created exclusively
# (O_EXCL, never through a planted link; seen with strace when it is installed); a run stopped
# by SIGTERM while it writes its result set leaves the folder as it was, with no temporary; one
# killed (SIGKILL, no clean-up possible) leaves litter that the next run into the folder
# removes. The shim (tests/shim/rename_slow.c, for tests only) holds the run at one rename.
set -u
exe=$1; shim=$2; scn=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
if ! LD_PRELOAD="$shim" "$exe" --version >/dev/null 2>&1; then echo "skip: LD_PRELOAD not usable"; exit 77; fi
# What is in DIR besides the result set and the lock: temporaries, stages.
litter() { ls -A "$1" | grep -v '^\.trialsim\.lock$' | grep '^\.' | tr '\n' ' '; }

# 1. Exclusive creation, seen in the system calls of the main thread.
if command -v strace >/dev/null 2>&1 && strace -o /dev/null true 2>/dev/null; then
  strace -o "$tmp/trace" -e trace=open,openat,creat "$exe" run "$scn" --trials 200 --p-values --report \
    --out "$tmp/s" --quiet 2>/dev/null || bad "run under strace failed"
  grep "$tmp/s/" "$tmp/trace" | grep -E 'O_CREAT|creat\(' | grep -v '\.trialsim\.lock"' >"$tmp/creates"
  [ -s "$tmp/creates" ] || bad "strace saw no file created in the output folder"
  if grep -v 'O_EXCL' "$tmp/creates" >"$tmp/weak"; then bad "files created without O_EXCL: $(cat "$tmp/weak")"
  else ok "every file created in the output folder is created with O_EXCL ($(wc -l <"$tmp/creates") files)"; fi
  grep '\.trialsim\.lock"' "$tmp/trace" | grep -v O_NOFOLLOW | grep -q . && bad "the lock file is opened following links" \
    || ok "the lock file is opened without following links"
else
  echo "skip: strace not usable: exclusive creation not checked"
fi

# 2. SIGTERM while the set is written, 3. SIGKILL at the same point and a later run.
for sig in TERM KILL; do
  d="$tmp/o_$sig"
  "$exe" run "$scn" --trials 100 --seed 5 --p-values --out "$d" --quiet 2>/dev/null || bad "first run failed"
  mkdir "$tmp/before_$sig"; cp "$d"/*.json "$d"/*.csv "$tmp/before_$sig/"
  rm -f "$tmp/mark"
  env LD_PRELOAD="$shim" TSIM_SHIM_RENAME_SUFFIX="/p_values.csv" TSIM_SHIM_MARK="$tmp/mark" TSIM_SHIM_SECONDS=30 \
    "$exe" run "$scn" --trials 300 --seed 6 --p-values --out "$d" --quiet 2>/dev/null &
  pid=$!
  i=0; while [ ! -e "$tmp/mark" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
  [ -e "$tmp/mark" ] || bad "SIG$sig: the run never reached its write of p_values.csv"
  kill -s "$sig" $pid; wait $pid; rc=$?
  [ $rc -gt 128 ] && ok "SIG$sig: the run ended by the signal (exit $rc)" || bad "SIG$sig: exit $rc"
  same=1
  for f in "$tmp/before_$sig"/*; do cmp -s "$f" "$d/$(basename "$f")" || same=0; done
  [ $same -eq 1 ] && ok "SIG$sig: the earlier result set is untouched" \
    || bad "SIG$sig: the earlier result set was changed in part"
  if [ "$sig" = TERM ]; then
    [ -z "$(litter "$d")" ] && ok "SIGTERM: no temporary left" || bad "SIGTERM: left behind: $(litter "$d")"
  else
    "$exe" run "$scn" --trials 100 --seed 7 --out "$d" --quiet 2>/dev/null || bad "the run after SIGKILL failed"
    [ -z "$(litter "$d")" ] && ok "SIGKILL: the next run removed what the killed one left" \
      || bad "SIGKILL: still left after the next run: $(litter "$d")"
  fi
done

# A live writer's stage is not litter: a run held at its rename keeps its stage while another
# run commits, and both finish.
d="$tmp/live"; rm -f "$tmp/mark"
env LD_PRELOAD="$shim" TSIM_SHIM_RENAME_SUFFIX="/p_values.csv" TSIM_SHIM_RENAME_IN=".trialsim-tmp-" \
  TSIM_SHIM_MARK="$tmp/mark" TSIM_SHIM_SECONDS=2 "$exe" run "$scn" --trials 300 --p-values --out "$d" --quiet 2>"$tmp/errA" &
pid=$!
i=0; while [ ! -e "$tmp/mark" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
"$exe" run "$scn" --trials 100 --out "$d" --quiet 2>"$tmp/errB"; rb=$?
wait $pid; ra=$?
[ $ra -eq 0 ] && [ $rb -eq 0 ] && [ -f "$d/p_values.csv" ] && [ -z "$(litter "$d")" ] \
  && ok "a live writer's stage survives another run's commit" \
  || { bad "a live writer was disturbed: exits $ra, $rb; $(ls -A "$d" | tr '\n' ' ')"; cat "$tmp/errA"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
