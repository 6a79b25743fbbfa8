#!/bin/sh
# output.sh TRIALSIM SCENARIO
# A run's results are written all or nothing: when one of its files cannot be replaced, no
# file of the set is replaced either, the exit status is 1, and no temporary file is left.
set -u
exe=$1; scn=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
"$exe" run "$scn" --trials 200 --seed 1 --out "$tmp/o" --quiet || bad "first run failed"
cp "$tmp/o/summary.json" "$tmp/before.json"
rm "$tmp/o/analyses.csv"; mkdir -p "$tmp/o/analyses.csv/blocker"
"$exe" run "$scn" --trials 300 --seed 2 --out "$tmp/o" --quiet 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && ok "exit status 1 when a result cannot be written" || bad "exit status $rc, expected 1"
grep -q "analyses.csv: cannot write results: exists and is not a regular file" "$tmp/err" \
  && ok "the message names the file" || { bad "unexpected message:"; cat "$tmp/err"; }
cmp -s "$tmp/before.json" "$tmp/o/summary.json" && ok "summary.json was not replaced" \
  || bad "summary.json was replaced although analyses.csv could not be"
[ -z "$(ls -A "$tmp/o" | grep -v '^\.trialsim\.lock$' | grep '^\.')" ] \
  && ok "no temporary file left" || bad "temporary files left: $(ls -a "$tmp/o")"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
