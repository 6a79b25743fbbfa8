#!/bin/sh
# accrual.sh - randomisation times against their exact expectations (scenarios/MODEL.md,
# "Calendar time").
#
# usage: sh tests/accrual.sh TRIALSIM
#
# Each check is an exact expectation of the accrual model, and the simulated mean must be within
# 4 Monte Carlo standard errors of it (fixed seeds):
# 1. One rate r = 10 a month with a 4-month ramp-up, N = 200, one visit at week 26: the trial
#    lasts from the first randomisation T_1 to T_N + 26 x 7 / 30.4375 months. With Gamma_j the
#    sum of j standard exponentials, T_j = sqrt(2 R Gamma_j / r) while Gamma_j <= r R / 2 = 20
#    and R / 2 + Gamma_j / r after, so E T_N = R / 2 + N / r = 22 (Gamma_200 < 20 has
#    probability below 1e-60) and E T_1 = sqrt(2 R / r) Gamma(3/2) (Gamma_1 > 20: e^-20).
# 2. Two sites at 2 patients a month each, the second opening at month 5, N = 100: K ~
#    Poisson(10) patients arrive before month 5, all at site 0, then 4 a month, so
#    E T_N = 5 + (100 - 10) / 4 = 27.5 and E T_1 = 0.5 (up to e^-10). From month 5 each arrival
#    goes to either site with probability 1/2, so site 1 expects (100 - 10) / 2 = 45 patients:
#    checked on 150 trials' cohorts (trialsim cohort), SE from their spread.
# 1b. The slowest accrual allowed (expected accrual 10^6 months), N = 2 at r = 2e-6 a month:
#    E T_2 = 2 / r, E T_1 = 1 / r, so the mean duration is 1 / r + the visit; the gap is
#    exponential, so long trials are common and must be counted at their length.
# 3. Adding accrual changes no other number: the same scenario without it, sampled per patient
#    as with accrual, has the same analyses.csv (its fixed-design columns) and the same
#    patients but for randomised_month.
set -u
bin=${1:?usage: accrual.sh TRIALSIM}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/accrual.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
fail=0

cat >"$tmp/rate.json" <<'JSON'
{"name": "rate", "arms": [{"id": "c", "control": true}, {"id": "e"}], "sample_size": 200,
 "visits": [26], "endpoints": [{"id": "y", "type": "continuous", "mean": {"c": 0, "e": 0.3}, "sd": 1}],
 "analyses": [{"id": "a", "endpoint": "y", "population": "itt", "missing": "exclude", "test": "welch_t"}],
 "accrual": {"patients_per_month": 10, "ramp_up_months": 4}, "trials": 20000, "seed": 7}
JSON
cat >"$tmp/sites.json" <<'JSON'
{"name": "sites", "arms": [{"id": "c", "control": true}, {"id": "e"}], "sample_size": 100,
 "visits": [4], "sites": {"count": 2},
 "endpoints": [{"id": "r", "type": "binary", "response": {"c": 0.3, "e": 0.5}}],
 "analyses": [{"id": "a", "endpoint": "r", "population": "itt", "missing": "non_responder", "test": "pearson"}],
 "accrual": {"per_site_per_month": 2, "site_open_months": [0, 5]}, "trials": 20000, "seed": 8}
JSON
cat >"$tmp/slow.json" <<'JSON'
{"name": "slow", "arms": [{"id": "c", "control": true}, {"id": "e"}], "sample_size": 2,
 "visits": [4], "endpoints": [{"id": "y", "type": "continuous", "mean": {"c": 0, "e": 0.3}, "sd": 1}],
 "analyses": [{"id": "a", "endpoint": "y", "population": "itt", "missing": "exclude", "test": "welch_t"}],
 "accrual": {"patients_per_month": 2e-6}, "trials": 400000, "seed": 9}
JSON
lag26=$(awk 'BEGIN { printf "%.17g", 26 * 7 / 30.4375 }')
lag4=$(awk 'BEGIN { printf "%.17g", 4 * 7 / 30.4375 }')
for case in "rate 22 $lag26 sqrt(0.8)*0.886226925452758" "sites 27.5 $lag4 0.5" "slow 1e6 $lag4 5e5"; do
  set -- $case
  name=$1
  if ! "$bin" run "$tmp/$name.json" --out "$tmp/$name" --quiet 2>"$tmp/$name.err"; then
    echo "FAIL $name: run failed"; cat "$tmp/$name.err"; fail=1; continue
  fi
  python3 - "$tmp/$name/summary.json" "$2" "$3" "$4" "$name" <<'PY' || fail=1
import json, math, sys
s = json.load(open(sys.argv[1]))
tn, lag, t1, name = float(sys.argv[2]), float(sys.argv[3]), eval(sys.argv[4], {"sqrt": math.sqrt}), sys.argv[5]
want = tn + lag - t1
m = s["analyses"][0]["null"]["expected_months"]
ok = abs(m["estimate"] - want) <= 4 * m["mcse"]
print(f"{'ok  ' if ok else 'FAIL'} {name}: mean duration {m['estimate']:.4f} months, exact {want:.4f} "
      f"({(m['estimate'] - want) / m['mcse']:+.2f} SE, tolerance 4 SE)")
sys.exit(0 if ok else 1)
PY
done

# 2b. Site 1's patients over 150 trials.
i=0
: >"$tmp/site1"
while [ $i -lt 150 ]; do
  "$bin" cohort "$tmp/sites.json" --trial $i | awk -F, 'NR > 1 && $4 == 1 { n++ } END { print n + 0 }' >>"$tmp/site1"
  i=$((i + 1))
done
python3 - "$tmp/site1" <<'PY' || fail=1
import math, sys
x = [float(v) for v in open(sys.argv[1])]
n = len(x); m = sum(x) / n; sd = math.sqrt(sum((v - m) ** 2 for v in x) / (n - 1)); se = sd / math.sqrt(n)
ok = abs(m - 45) <= 4 * se
print(f"{'ok  ' if ok else 'FAIL'} sites: site 1 (opening at month 5) enrols {m:.2f} of 100 patients on average, "
      f"exact 45 ({(m - 45) / se:+.2f} SE over {n} trials, tolerance 4 SE)")
sys.exit(0 if ok else 1)
PY

# 3. Accrual draws its own stream.
python3 - "$tmp/rate.json" "$tmp/plain.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); del s["accrual"]; s["name"] = "plain"; s["trials"] = 3000
s["sampling"] = "patient"  # as with accrual (without it the design could be drawn per cell)
json.dump(s, open(sys.argv[2], "w"))
PY
python3 - "$tmp/rate.json" "$tmp/rate3.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s["trials"] = 3000
json.dump(s, open(sys.argv[2], "w"))
PY
"$bin" run "$tmp/plain.json" --out "$tmp/plain" --quiet 2>/dev/null
"$bin" run "$tmp/rate3.json" --out "$tmp/rate3" --quiet 2>/dev/null
"$bin" cohort "$tmp/plain.json" --trial 5 >"$tmp/c_plain.csv"
"$bin" cohort "$tmp/rate3.json" --trial 5 | cut -d, -f1-7,9- >"$tmp/c_rate.csv"
if cut -d, -f2-37 "$tmp/plain/analyses.csv" | cmp -s - "$(cut -d, -f2-37 "$tmp/rate3/analyses.csv" >"$tmp/r37"; echo "$tmp/r37")" &&
   cmp -s "$tmp/c_plain.csv" "$tmp/c_rate.csv"; then
  echo "ok   accrual changes no other number: the same analyses.csv and patients without it"
else
  echo "FAIL accrual changed numbers of the fixed design or its patients"; fail=1
fi
exit $fail
