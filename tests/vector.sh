#!/bin/sh
# vector.sh TRIALSIM JSON_EQUAL SCENARIO...
# The vector instructions the kernels run (sim/isa.h) must not change a number: every scenario
# given is run with TSIM_VECTOR=generic, avx2, avx512 and avx512popcnt, and summary.json (outside
# "run") and analyses.csv must equal the generic run's, and so must the patient rows of
# `cohort --trial 3` (whose printed probabilities come from the vector exp). A target the
# processor lacks falls back to the best it has; the script says which targets it could test
# (run.vector in summary.json).
set -u
exe=$1; jeq=$2; shift 2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0; seen=""
ok()   { echo "ok   $1"; pass=$((pass + 1)); }
bad()  { echo "FAIL $1"; fail=$((fail + 1)); }
i=0
for scn in "$@"; do
  i=$((i + 1))
  for v in generic avx2 avx512 avx512popcnt; do
    if TSIM_VECTOR=$v "$exe" run "$scn" --trials 5003 --seed 5 --threads 2 --out "$tmp/$i.$v" --quiet &&
       TSIM_VECTOR=$v "$exe" cohort "$scn" --trial 3 > "$tmp/$i.$v.csv"; then
      got=$(sed -n 's/.*"vector":[[:space:]]*"\([a-z0-9]*\)".*/\1/p' "$tmp/$i.$v/summary.json")
      case " $seen " in *" $got "*) ;; *) seen="$seen $got" ;; esac
    else
      bad "$scn with TSIM_VECTOR=$v did not run"
      continue
    fi
    [ $v = generic ] && continue
    if "$jeq" "$tmp/$i.generic/summary.json" "$tmp/$i.$v/summary.json" run &&
       cmp -s "$tmp/$i.generic/analyses.csv" "$tmp/$i.$v/analyses.csv" &&
       cmp -s "$tmp/$i.generic.csv" "$tmp/$i.$v.csv"; then
      ok "$(basename "$scn"): TSIM_VECTOR=$v (ran $got) equals generic"
    else
      bad "$(basename "$scn"): TSIM_VECTOR=$v (ran $got) differs from generic"
    fi
  done
done
echo "vector targets this processor ran:$seen"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
