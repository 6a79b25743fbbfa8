#!/bin/sh
# vector.sh TRIALSIM JSON_EQUAL SCENARIO...
# How the engine computes must not change a number: every scenario given is run with the vector
# instructions the kernels use (sim/core/isa.h) forced to generic (the reference), avx2, avx512 and
# avx512popcnt; with the trial loop's block path forced on for the generic kernels (TSIM_BLOCK=1:
# it runs by itself only with AVX-512, sim/run/block.c); and with the site tree's tables left out
# for most site sizes (TSIM_SITE_TABLE_TAIL=0.2: those draws take the fallback,
# sim/model/cellsample.c). summary.json (outside "run") and analyses.csv must equal the reference's,
# and so must the patient rows of `cohort --trial 3` (whose printed probabilities come from the
# vector exp). A target the processor lacks falls back to the best it has; the script says which
# targets it could test (run.vector in summary.json), and exits 77 (skipped, tests/tests.cmake)
# when every comparison it could make passed but a forced target fell back: that target was not
# tested. Each run has VECTOR_TRIALS trials (default 5003; CI's sanitizer build uses fewer).
set -u
exe=$1; jeq=$2; shift 2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0; seen=""; missing=""
ok()   { echo "ok   $1"; pass=$((pass + 1)); }
bad()  { echo "FAIL $1"; fail=$((fail + 1)); }
i=0
for scn in "$@"; do
  i=$((i + 1))
  k=0
  for v in "TSIM_VECTOR=generic" "TSIM_VECTOR=avx2" "TSIM_VECTOR=avx512" "TSIM_VECTOR=avx512popcnt" \
           "TSIM_VECTOR=generic TSIM_BLOCK=1" "TSIM_SITE_TABLE_TAIL=0.2"; do
    k=$((k + 1))
    if env $v "$exe" run "$scn" --trials "${VECTOR_TRIALS:-5003}" --seed 5 --threads 2 --out "$tmp/$i.$k" --quiet &&
       env $v "$exe" cohort "$scn" --trial 3 > "$tmp/$i.$k.csv"; then
      got=$(sed -n 's/.*"vector":[[:space:]]*"\([a-z0-9]*\)".*/\1/p' "$tmp/$i.$k/summary.json")
      case " $seen " in *" $got "*) ;; *) seen="$seen $got" ;; esac
      case $v in
        TSIM_VECTOR=*" "*) ;;
        TSIM_VECTOR=*) want=${v#TSIM_VECTOR=}
          if [ "$got" != "$want" ]; then
            case " $missing " in *" $want "*) ;; *) missing="$missing $want" ;; esac
          fi ;;
      esac
    else
      bad "$scn with $v did not run"
      continue
    fi
    [ $k = 1 ] && continue
    if "$jeq" "$tmp/$i.1/summary.json" "$tmp/$i.$k/summary.json" run &&
       cmp -s "$tmp/$i.1/analyses.csv" "$tmp/$i.$k/analyses.csv" &&
       cmp -s "$tmp/$i.1.csv" "$tmp/$i.$k.csv"; then
      ok "$(basename "$scn"): $v (ran $got) equals generic"
    else
      bad "$(basename "$scn"): $v (ran $got) differs from generic"
    fi
  done
done
echo "vector targets this processor ran:$seen"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] || exit 1
if [ -n "$missing" ]; then
  echo "SKIPPED: vector.sh: this processor lacks$missing (each fell back to a target it has): not tested"
  exit 77
fi
exit 0
