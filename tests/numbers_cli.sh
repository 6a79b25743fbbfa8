#!/bin/sh
# numbers_cli.sh TRIALSIM SCENARIO
# Numbers on the command line are digits (and a sign or a decimal point where the option takes
# them), with no space around them: " 5" was a seed while "5 " was refused, and an index
# "[ +0]" was taken as 0. Each case must exit 2 with the option and the value on stderr and write
# nothing. Also size --max below the smallest size: the message names the limit asked for (it
# said "the search limit 0" for --max 1).
set -u
exe=$1; scn=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

# refused NAME FRAGMENT ARGS...
refused() {
  name=$1; frag=$2; shift 2
  "$exe" "$@" --out "$tmp/out" >/dev/null 2>"$tmp/err"
  rc=$?
  if [ $rc -eq 2 ] && grep -qF -e "$frag" "$tmp/err" && [ ! -e "$tmp/out" ]; then ok "$name"
  else bad "$name: exit $rc, stderr:"; cat "$tmp/err"; fi
  rm -rf "$tmp/out"
}

for v in " 5" "5 " "+5" " "; do
  refused "--seed '$v'" "--seed: expected a whole number from 0 to 2^53-1, got '$v'" \
    run "$scn" --trials 10 --quiet --seed "$v"
done
refused "--trials ' 10'" "--trials: expected a whole number" run "$scn" --quiet --trials " 10"
refused "--set 'sample_size= 40'" "got \" 40\"" run "$scn" --trials 10 --quiet --set "sample_size= 40"
# strtod's other numbers: hexadecimal (0x10 was 16 patients), inf, nan, a leading '+'.
for v in 0x10 0x1p-5 inf nan +40; do
  refused "--set 'sample_size=$v'" "got \"$v\"" run "$scn" --trials 10 --quiet --set "sample_size=$v"
done
refused "sweep --set 'sample_size=0x10:0x20:0x8'" "sample_size" sweep "$scn" --trials 10 --quiet --set "sample_size=0x10:0x20:0x8"
# ... while every decimal spelling is taken: an exponent, a leading or trailing point, zeros.
for v in 1e-3 5E-2 .05 0.050 5e-2; do
  if "$exe" check "$scn" --set "alpha=$v" >/dev/null 2>&1; then ok "--set 'alpha=$v' taken"
  else bad "--set 'alpha=$v' refused"; fi
done
if "$exe" check "$scn" --set "sample_size=40." >/dev/null 2>&1; then ok "--set 'sample_size=40.' taken"
else bad "--set 'sample_size=40.' refused"; fi
# One value per path, as a sweep's grid has it (the last of two was taken silently); "[00]" is "[0]".
refused "run --set arms[0] and arms[00]" "is set twice" run "$scn" --trials 10 --quiet --set 'arms[0].allocation=1' --set 'arms[00].allocation=2'
refused "run --set sample_size twice" "\"sample_size\" is set twice" run "$scn" --trials 10 --quiet --set sample_size=40 --set sample_size=50
refused "--set 'sample_size=40 '" "got \"40 \"" run "$scn" --trials 10 --quiet --set "sample_size=40 "
refused "--set 'endpoints[ +0]...'" "expected [INDEX] with a whole number" \
  run "$scn" --trials 10 --quiet --set "endpoints[ +0].response.treatment=0.5"
refused "--set 'endpoints[+0]...'" "expected [INDEX] with a whole number" \
  run "$scn" --trials 10 --quiet --set "endpoints[+0].response.treatment=0.5"
analysis=$(sed -n 's/.*"id": *"\([a-z_]*pearson\)".*/\1/p' "$scn" | head -n 1)
refused "size --max 1" "above the largest allowed, 1 (--max)" \
  size "$scn" --analysis "$analysis" --power 0.8 --trials 10 --quiet --max 1
# the same numbers without the spaces are fine
if "$exe" run "$scn" --trials 10 --quiet --seed 5 --set "endpoints[0].response.treatment=0.5" \
     --out "$tmp/good" >/dev/null 2>"$tmp/err"; then ok "--seed 5 --set 'endpoints[0]...' run"
else bad "--seed 5 --set 'endpoints[0]...' refused:"; cat "$tmp/err"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
