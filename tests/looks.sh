#!/bin/sh
# looks.sh - interim looks against rpact, and one look against the fixed design.
#
# usage: sh tests/looks.sh TRIALSIM SOURCE_DIR
#
# 1. Every design of tests/looks/*.json and the shipped scenarios/gs_three_looks.json is run
#    (its trials and seed) and, per look and
#    hypothesis, the share of trials stopping for efficacy and for futility, and the overall
#    rejection rate, must equal rpact's (tests/r/looks_reference.csv, made by
#    tests/r/looks_reference.R with rpact 3.3.4) within 4 Monte Carlo standard errors of the
#    simulated share, plus an allowance for the normal approximation rpact makes: 0 for the
#    t tests of the means designs (6000, 4000 and 2742 patients, where Student's and Welch's t are
#    the z test to well within the Monte Carlo error; at 600 patients the first look's share was
#    7% below the z test's, 2.6 SE) and 0.005 for Pearson's chi-square at 800 patients
#    (rpact's rates approximation is the score z's limit; discreteness remains).
#    rpact is the reference because its boundaries and exit probabilities are computed by the
#    same recursive integration trialsim's boundaries are checked against (test_gsbound.c),
#    written and tested independently.
# 2. One look at information 1 is the fixed design: a scenario with accrual and
#    "looks": {"information": [1]} gives every number of analyses.csv's fixed-design columns
#    exactly as the same scenario without accrual and looks (accrual draws its own stream).
# 3. Looks by month keep the level with each trial's own boundaries; 4. a look by month that
#    some trials do not hold takes no other look's futility bound.
set -u
if [ $# -ne 2 ]; then
  echo "usage: sh $0 TRIALSIM SOURCE_DIR" >&2
  exit 2
fi
bin=$1
src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/looks.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
fail=0

for f in "$src"/tests/looks/*.json "$src"/scenarios/gs_three_looks.json; do
  name=$(basename "$f" .json)
  if ! "$bin" run "$f" --out "$tmp/$name" --quiet --threads 2 2>"$tmp/$name.err"; then
    echo "FAIL $name: run failed"; cat "$tmp/$name.err"; fail=1; continue
  fi
  python3 - "$tmp/$name/summary.json" "$src/tests/r/looks_reference.csv" "$name" <<'PY' || fail=1
import csv, json, math, sys
summary, ref, name = sys.argv[1], sys.argv[2], sys.argv[3]
allow = 0.005 if name.startswith("rates") else 0.0
a = json.load(open(summary))["analyses"][0]
n = json.load(open(summary))["trials"]
rows = [r for r in csv.DictReader(open(ref)) if r["scenario"] == name]
if not rows:
    print(f"FAIL {name}: no reference rows"); sys.exit(1)
bad = 0
def check(what, sim, want):
    global bad
    se = math.sqrt(max(want * (1 - want), 1e-12) / n)  # the binomial SE at the reference value
    tol = 4 * se + allow
    ok = abs(sim - want) <= tol
    print(f"{'ok  ' if ok else 'FAIL'} {name} {what}: trialsim {sim:.5f}, rpact {want:.5f}, "
          f"difference {(sim - want) / se:+.2f} SE (tolerance 4 SE{' + %g' % allow if allow else ''})")
    bad += not ok
for r in rows:
    h, k = r["hypothesis"], int(r["look"]) - 1
    lk = a[h]["looks"][k]
    check(f"{h} look {k + 1} stop for efficacy", lk["stop_efficacy"]["estimate"], float(r["stop_efficacy"]))
    if k + 1 < len(a[h]["looks"]):
        check(f"{h} look {k + 1} stop for futility", lk["stop_futility"]["estimate"], float(r["stop_futility"]))
    if k == 0:
        check(f"{h} rejection at any look", a[h]["reject"]["estimate"], float(r["power"]))
sys.exit(1 if bad else 0)
PY
done

# 3. Looks by month: each trial's boundaries at the information it reached keep the level. The
#    means_obf design with interims at months 8 and 16 (about 26% and 59% assessed, varying
#    from trial to trial): its type I error (the null twin's rejections at any look) must equal
#    alpha = 0.025 within 4 SE, every trial must have had its boundaries, and every trial must
#    have held both interims.
python3 - "$src/tests/looks/means_obf.json" "$tmp/months.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s.update(name="months", trials=20000)
s["looks"] = {"months": [8, 16], "efficacy": "obrien_fleming"}
json.dump(s, open(sys.argv[2], "w"))
PY
if "$bin" run "$tmp/months.json" --out "$tmp/months" --quiet --threads 2 2>"$tmp/months.err"; then
  python3 - "$tmp/months/summary.json" <<'PY' || fail=1
import json, math, sys
s = json.load(open(sys.argv[1]))
a, n = s["analyses"][0], s["trials"]
t1, se = a["type1_error"]["estimate"], math.sqrt(0.025 * 0.975 / n)
held = [l["mean_information"] for l in a["null"]["looks"]]
ok = abs(t1 - 0.025) <= 4 * se and a["trials_without_boundaries"] == 0
print(f"{'ok  ' if ok else 'FAIL'} looks by month: type I error {t1:.5f} vs alpha 0.025 ({(t1 - 0.025) / se:+.2f} SE, "
      f"tolerance 4 SE); mean information {', '.join('%.3f' % h for h in held)}; "
      f"{a['trials_without_boundaries']} trials without boundaries")
sys.exit(0 if ok else 1)
PY
else
  echo "FAIL looks by month: run failed"; cat "$tmp/months.err"; fail=1
fi

# 4. Looks by month held by some trials and not others, with a futility bound at the second
#    interim only ("z": [null, 1]): 20 patients at one site opening in months 0 to 8, interims
#    at months 4 and 8, so one trial holds only the first interim and another only the second,
#    with the same patients assessed. No trial may stop for futility at the first look (it has
#    no futility bound), under either hypothesis; each trial's boundaries are cached by the
#    looks it held as well as the patients assessed.
python3 - "$src/tests/looks/means_obf.json" "$tmp/held.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s.update(name="held", trials=20000, sample_size=20, visits=[4], sites={"count": 1})
s["accrual"] = {"per_site_per_month": 5, "site_open_window_months": [0, 8]}
s["looks"] = {"months": [4, 8], "futility": {"z": [None, 1.0]}}
json.dump(s, open(sys.argv[2], "w"))
PY
if "$bin" run "$tmp/held.json" --out "$tmp/held" --quiet --threads 1 2>"$tmp/held.err"; then
  python3 - "$tmp/held/summary.json" <<'PY' || fail=1
import json, sys
a = json.load(open(sys.argv[1]))["analyses"][0]
fut = [a[h]["looks"][0]["stop_futility"]["estimate"] for h in ("alternative", "null")]
later = [a[h]["looks"][1]["stop_futility"]["estimate"] for h in ("alternative", "null")]
ok = fut == [0, 0] and min(later) > 0
print(f"{'ok  ' if ok else 'FAIL'} looks by month held in some trials: futility stops at the first look "
      f"(no bound there) {fut[0]}, {fut[1]}; at the second {later[0]}, {later[1]}")
sys.exit(0 if ok else 1)
PY
else
  echo "FAIL looks by month held in some trials: run failed"; cat "$tmp/held.err"; fail=1
fi

# 2. One look at information 1 = the fixed design, number for number.
f=$src/tests/looks/rates_pocock.json
python3 - "$f" "$tmp" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["trials"] = 20000
s["looks"] = {"information": [1]}
json.dump(dict(s, name="one_look"), open(sys.argv[2] + "/one_look.json", "w"))
del s["looks"], s["accrual"]
json.dump(dict(s, name="fixed"), open(sys.argv[2] + "/fixed.json", "w"))
PY
"$bin" run "$tmp/one_look.json" --out "$tmp/one" --quiet 2>/dev/null &&
  "$bin" run "$tmp/fixed.json" --out "$tmp/fix" --quiet 2>/dev/null || { echo "FAIL one look: run failed"; fail=1; }
# analyses.csv's first 37 columns are the fixed design's; the last four are calendar time.
if cut -d, -f1-37 "$tmp/one/analyses.csv" | cmp -s - "$(cut -d, -f1-37 "$tmp/fix/analyses.csv" >"$tmp/fix37"; echo "$tmp/fix37")"; then
  echo "ok   one look at information 1 gives the fixed design's analyses.csv, column for column"
else
  echo "FAIL one look at information 1 differs from the fixed design:"
  cut -d, -f1-37 "$tmp/one/analyses.csv" | diff - "$tmp/fix37"
  fail=1
fi

# 3. looks.dat draws the shares stopped by each look as stairs (they change only at the looks):
#    per series the points, each after the first preceded by a corner at its x with the previous
#    point's y, lo and hi; looks.gp marks the points alone (every 2). Lines straight from look to
#    look drew stopping between them.
"$bin" run "$src/scenarios/gs_three_looks.json" --trials 2000 --out "$tmp/stairs" --quiet 2>/dev/null
if awk '/^# series/ { n = 0; next } NF == 4 { n++; row[n] = $0; x[n] = $1; y[n] = $2; lo[n] = $3; hi[n] = $4
          if (n % 2 == 1 && n > 1 && !(x[n - 1] == x[n] && y[n - 1] == y[n - 2] && lo[n - 1] == lo[n - 2] && hi[n - 1] == hi[n - 2])) bad = 1
          if (n % 2 == 1) pts++ }
        END { exit bad || pts != 4 * 3 }' "$tmp/stairs/looks.dat" && grep -q "every 2 using 1:2 with points" "$tmp/stairs/looks.gp"; then
  echo "ok   looks.dat: stairs, a corner before each look after the first; looks.gp marks the looks alone"
else
  echo "FAIL looks.dat or looks.gp: not stairs"; fail=1
fi

# 4. size over a design whose looks are given in patients: refused at once with a message that
#    says why and what to give instead (every size but the scenario's own was refused, blaming
#    the file), nothing written; with the looks as information fractions the search runs.
"$bin" size "$src/scenarios/gs_three_looks.json" --analysis itt --power 0.9 --out "$tmp/gsz" >/dev/null 2>"$tmp/gsz.err"
st=$?
if [ $st -eq 2 ] && [ ! -e "$tmp/gsz" ] && grep -q 'looks given in patients do not move with it.*give the looks as "information"' "$tmp/gsz.err"; then
  echo "ok   size refuses looks given in patients, saying to give information"
else
  echo "FAIL size with looks in patients: exit $st: $(cat "$tmp/gsz.err")"; fail=1
fi
python3 - "$src/scenarios/gs_three_looks.json" "$tmp/gs_info.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["looks"] = dict(s["looks"], information=[1 / 3, 2 / 3, 1])
del s["looks"]["patients"]
json.dump(s, open(sys.argv[2], "w"))
PY
if "$bin" size "$tmp/gs_info.json" --analysis itt --power 0.9 --trials 1000 --max 4000 --out "$tmp/gsi" --quiet 2>"$tmp/gsi.err" \
   && grep -q '"reached": true' "$tmp/gsi/size.json"; then
  echo "ok   size over the same design with its looks as information fractions"
else
  echo "FAIL size with looks as information: $(cat "$tmp/gsi.err")"; fail=1
fi
exit $fail
