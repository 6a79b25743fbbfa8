#!/bin/sh
# size_cli.sh TRIALSIM THREE_ARM_SCENARIO
# `size --analysis` names a comparison. With more than two arms an analysis has one comparison
# per experimental arm: a bare analysis id is refused with exit 2, a message naming the
# comparisons it could mean, and nothing written; one of those names is accepted.
set -u
exe=$1; scn=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
"$exe" size "$scn" --analysis nri_p --power 0.5 --trials 100 --out "$tmp/o" --quiet 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && ok "a bare analysis id of a three-arm design: exit 2" || bad "exit status $rc, expected 2"
grep -q '"nri_p" has 2 comparisons (one per experimental arm): name one of nri_p:e1, nri_p:e2' "$tmp/err" \
  && ok "the message names the comparisons" || { bad "unexpected message:"; cat "$tmp/err"; }
[ ! -e "$tmp/o" ] && ok "nothing written" || bad "results written: $(ls -R "$tmp/o")"
"$exe" size "$scn" --analysis nri_p:e2 --power 0.5 --step 3 --max 60 --trials 100 --out "$tmp/o" --quiet \
  && [ -f "$tmp/o/size.json" ] && ok "a comparison's name is accepted" || bad "size --analysis nri_p:e2 failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
