#!/bin/sh
# margins.sh - non-inferiority and equivalence analyses ("hypothesis", issue #21) in runs.
#
# usage: sh tests/margins.sh TRIALSIM SOURCE_DIR [PYTHON3]
#
# 1. A margin of 0 is superiority, one-sided: Farrington-Manning at risk difference 0 rejects in
#    exactly the trials one-sided Pearson does, Miettinen-Nurminen at difference 0 and at ratio 1
#    exactly those of the one-sided 'N-1' chi-square, under both hypotheses (margin0.json: 120
#    patients, unequal dropout, 20,000 trials): the same counts, not merely close.
# 2. Exact operating characteristics (t_exact.json; tests/py/margins_exact.py, SciPy): Student's
#    t against a difference margin, against a ratio-of-means margin and TOST equivalence, on
#    normal data - power, size at each margin and the coverage of their intervals, each within 4
#    SE of its closed form (with the exact values moved 10 SE every comparison fails).
# 3. Each comparison at its own null (passes.json: binary and continuous end points, margins on
#    rd, rr and or, two equivalence tests, superiority analyses of the same end points, a fixed
#    sequence; coupled.json: the same with dropout depending on the binary end point and
#    accrual, so the null twins are coupled passes and the trials timed): every analysis's
#    numbers equal those of a scenario holding that analysis alone (whose only null is its own)
#    - the passes give each comparison its own null twin and the same alternative - and the
#    fixed sequence's first member equals its analysis under both hypotheses.
# 4. Determinism with several passes: 1 and 2 threads, and two shards merged, give one run's
#    summary.json (outside "run") and analyses.csv.
# 5. A sweep over a margin runs, one point per margin.
# 6. `size` against a margin starts from the normal approximation on the margin (size_ni.json:
#    risk difference, Blackwelder 1982; risk ratio on the log scale with dropouts as
#    non-responders; equivalence on the odds ratio, the nearer margin), recomputed here from the
#    formulas with Python's NormalDist, and its answer (1000 trials a size) lies within 10% of it;
#    the same one-sided design written with "sided": 1 and alpha 0.025 is searched too.
# 8. `run --mcse` reaches its precision on an equivalence test's size at either margin.
# 9. On one site the stratified Miettinen-Nurminen test is the unstratified one: the same
#    coverage of their intervals (each counted by the test the interval inverts, through its own
#    code) and the same rejections under both hypotheses (mn_one_site.json: non-inferiority on the
#    risk difference, equivalence on the odds ratio). The unstratified coverage is checked
#    against exact enumeration in ni_exact.sh.
# 7. deviators_respond_as (deviators.json: control 0.4, new 0.7, 30% of new patients deviate and
#    respond as control): the mean ITT difference is 0.7 x 0.3, per protocol 0.3, the null
#    twins' 0 and 0.7 x margin, each within 4 MCSE; `trialsim cohort` shows the deviators' 0.4.
# Needs python3 (standard library); part 2 also SciPy (skipped, exit 77, when none is found and
# nothing failed).
set -u
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: sh $0 TRIALSIM SOURCE_DIR [PYTHON3]" >&2
  exit 2
fi
bin=$1
src=$2
cmake_py=${3:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/margins.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
fail=0
skipped=
py=
for c in "$cmake_py" "${TSIM_PYTHON3:-}" python3 /usr/bin/python3; do
  if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1; then py=$c; break; fi
done
if [ -z "$py" ]; then
  echo "SKIPPED: no python3 found"
  exit 77
fi
d=$src/tests/margins
run() { # NAME SCENARIO [ARGS...]
  name=$1
  shift
  "$bin" run "$@" --quiet --out "$tmp/$name" 2>"$tmp/$name.err" || { echo "FAIL $name: trialsim run $*"; cat "$tmp/$name.err"; fail=1; return 1; }
}

# 1. Margin 0 against the one-sided superiority tests.
if run margin0 "$d/margin0.json" --threads 2; then
  "$py" - "$tmp/margin0/summary.json" <<'EOF' || fail=1
import json, sys
a = {x["analysis"]: x for x in json.load(open(sys.argv[1]))["analyses"]}
bad = 0
for margin, plain in (("fm_0", "pearson_1s"), ("mn_0", "n1_1s"), ("mn_rr1", "n1_1s")):
    for h in ("alternative", "null"):
        m, p = a[margin][h]["reject"]["estimate"], a[plain][h]["reject"]["estimate"]
        ok = m == p and m > 0
        bad += not ok
        print("%s %s vs %s (%s): %s vs %s" % ("ok  " if ok else "FAIL", margin, plain, h, m, p))
sys.exit(1 if bad else 0)
EOF
fi

# 2. Exact t tests against margins.
if run t_exact "$d/t_exact.json" --threads 2; then
  sh "$src/tests/py/with_scipy.sh" "$cmake_py" "$src/tests/py/margins_exact.py" "$d/t_exact.json" "$tmp/t_exact/summary.json"
  case $? in
    0) ;;
    77) echo "skip t_exact: no python3 that imports SciPy (apt-get install python3-scipy)"; skipped=1 ;;
    *) fail=1 ;;
  esac
fi

# 3. Each analysis alone gives its numbers in the scenario with every null; and a fixed
#    sequence's first member is significant exactly when its analysis rejects, under both
#    hypotheses.
for scen in passes coupled; do
  run "$scen" "$d/$scen.json" --threads 2 || continue
  for id in fm mn_eq mn_sites sup_resp t_ni t_eq sup_y; do
    "$py" - "$d/$scen.json" "$id" "$tmp/one_$id.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["analyses"] = [a for a in s["analyses"] if a["id"] == sys.argv[2]]
s.pop("multiplicity", None)
json.dump(s, open(sys.argv[3], "w"))
EOF
    run "one_$id" "$tmp/one_$id.json" --threads 2 || continue
    "$py" - "$tmp/$scen/summary.json" "$tmp/one_$id/summary.json" "$id" "$scen" <<'EOF' || fail=1
import json, sys
whole = {x["analysis"]: x for x in json.load(open(sys.argv[1]))["analyses"]}[sys.argv[3]]
alone = json.load(open(sys.argv[2]))["analyses"][0]
ok = whole == alone
print("%s %s, %s: the same numbers alone and among the others" % ("ok  " if ok else "FAIL", sys.argv[4], sys.argv[3]))
if not ok:
    for k in whole:
        if whole[k] != alone.get(k):
            print("  %s: %s vs %s" % (k, whole[k], alone.get(k)))
sys.exit(0 if ok else 1)
EOF
  done
  "$py" - "$tmp/$scen/summary.json" "$scen" <<'EOF' || fail=1
import json, sys
s = json.load(open(sys.argv[1]))
a = {x["analysis"]: x for x in s["analyses"]}
bad = 0
for p in s["multiplicity"]:
    m = p["analyses"][0]
    for key in ("power", "type1_error"):
        ok = m[key]["estimate"] == a[m["id"]][key]["estimate"]
        bad += not ok
        print("%s %s: %s's first member %s, %s: %s as its analysis's %s" % ("ok  " if ok else "FAIL", sys.argv[2], p["id"],
              m["id"], key, m[key]["estimate"], a[m["id"]][key]["estimate"]))
sys.exit(1 if bad else 0)
EOF
done

# 4. Threads and shards.
if run p1 "$d/passes.json" --threads 1 && run p2 "$d/passes.json" --threads 2; then
  ok=1
  for r in 0-1234 1234-3000; do
    "$bin" run "$d/passes.json" --threads 2 --trials-from "${r%-*}" --trials-to "${r#*-}" --out "$tmp/shards" \
      --quiet 2>>"$tmp/shards.err" || { echo "FAIL shard $r"; cat "$tmp/shards.err"; ok=0; fail=1; }
  done
  [ $ok = 1 ] && { "$bin" merge "$tmp/shards/shard_1234_3000.tsim" "$tmp/shards/shard_0_1234.tsim" --out "$tmp/merged" \
    --quiet 2>"$tmp/merge.err" || { echo "FAIL merge"; cat "$tmp/merge.err"; fail=1; ok=0; }; }
  [ $ok = 1 ] && "$py" - "$tmp/p1" "$tmp/p2" "$tmp/merged" <<'EOF' || fail=1
import json, sys
def load(d):
    s = json.load(open(d + "/summary.json"))
    s.pop("run", None)
    return s, open(d + "/analyses.csv").read()
ref = load(sys.argv[1])
bad = 0
for d, what in ((sys.argv[2], "2 threads"), (sys.argv[3], "shards merged")):
    same = load(d) == ref
    bad += not same
    print("%s %s equal 1 thread" % ("ok  " if same else "FAIL", what))
sys.exit(1 if bad else 0)
EOF
fi

# 5. A sweep over a margin.
if "$bin" sweep "$d/margin0.json" --set 'analyses[1].hypothesis.margin=-0.1:0:0.05' --trials 500 --quiet \
     --out "$tmp/sweep" 2>"$tmp/sweep.err"; then
  n=$(grep -c '^' "$tmp/sweep/sweep.csv")
  if grep -q 'fm_0' "$tmp/sweep/sweep.csv" && [ "$n" -gt 3 ]; then echo "ok   sweep over a margin: $n lines"
  else echo "FAIL sweep over a margin: sweep.csv"; cat "$tmp/sweep/sweep.csv"; fail=1; fi
else
  echo "FAIL sweep over a margin"; cat "$tmp/sweep.err"; fail=1
fi

# 6. The size search's start against a margin.
for a in wald_rd wald_rd_1s mn_rr mn_eq; do
  if "$bin" size "$d/size_ni.json" --analysis "$a" --power 0.8 --trials 1000 --quiet --out "$tmp/size_$a" \
       2>"$tmp/size_$a.err"; then
    "$py" - "$tmp/size_$a/size.json" "$a" <<'EOF' || fail=1
import json, math, sys
from statistics import NormalDist
r = json.load(open(sys.argv[1]))
z = NormalDist().inv_cdf
za, zb = z(1 - 0.025), z(0.8)
p0, p1, d = 0.7, 0.72, 0.15
a = sys.argv[2]
if a.startswith("wald_rd"):  # complete cases: each arm's share 0.5 x 0.85 of N; _1s: "sided": 1, alpha 0.025
    v = 0.5 * (1 - d)
    var, eff = p0 * (1 - p0) / v + p1 * (1 - p1) / v, p1 - p0 + 0.1
elif a == "mn_rr":    # dropouts as non-responders: rates x 0.85, shares 0.5
    q0, q1, v = p0 * (1 - d), p1 * (1 - d), 0.5
    var, eff = (1 - q0) / (q0 * v) + (1 - q1) / (q1 * v), math.log(q1 / q0) - math.log(0.85)
else:                 # equivalence on the odds ratio [0.6, 1.6]: the nearer margin
    v = 0.5 * (1 - d)
    lor = math.log(p1 / (1 - p1) * (1 - p0) / p0)
    var = 1 / (p0 * (1 - p0) * v) + 1 / (p1 * (1 - p1) * v)
    eff = min(lor - math.log(0.6), math.log(1.6) - lor)
want = math.ceil((za + zb) ** 2 * var / eff ** 2)
got, answer = r["start"]["sample_size"], r["sample_size"]
ok = got == want and abs(answer - want) <= 0.1 * want
print("%s size %s: start %d (formula %d), answer %d" % ("ok  " if ok else "FAIL", a, got, want, answer))
sys.exit(0 if ok else 1)
EOF
  else
    echo "FAIL size $a"; cat "$tmp/size_$a.err"; fail=1
  fi
done

# 7. deviators_respond_as: the new arm's deviators respond as control patients.
if run deviators "$d/deviators.json" --threads 2; then
  "$bin" cohort "$d/deviators.json" --trial 3 >"$tmp/dev_cohort.csv" 2>"$tmp/dev_cohort.err" || { echo "FAIL cohort"; fail=1; }
  "$py" - "$tmp/deviators/summary.json" "$tmp/dev_cohort.csv" <<'EOF' || fail=1
import csv, json, sys
a = {x["analysis"]: x for x in json.load(open(sys.argv[1]))["analyses"]}
bad = 0
def near(what, d, want):
    global bad
    z = (d["mean"] - want) / d["mcse"]
    ok = abs(z) <= 4
    bad += not ok
    print("%s %s: mean difference %.5f, expected %.5f (z %+.2f)" % ("ok  " if ok else "FAIL", what, d["mean"], want, z))
# control 0.4, new 0.7, 30% of new patients deviate and respond at 0.4:
near("itt, alternative", a["itt"]["alternative"]["difference"], 0.7 * 0.3)
near("pp, alternative", a["pp"]["alternative"]["difference"], 0.3)
near("itt, null twin", a["itt"]["null"]["difference"], 0.0)
near("ni_itt, null twin at -0.2", a["ni_itt"]["null"]["difference"], 0.7 * -0.2)
rows = list(csv.DictReader(open(sys.argv[2])))
dev = [r for r in rows if r["arm"] == "new" and r["deviation"] == "1"]
other = [r for r in rows if r["arm"] == "new" and r["deviation"] == "0"]
ok = dev and other and all(r["p_resp"] == "0.4" for r in dev) and all(r["p_resp"] == "0.7" for r in other)
bad += not ok
print("%s cohort: %d deviating new patients shown at p 0.4, %d others at 0.7" % ("ok  " if ok else "FAIL", len(dev), len(other)))
sys.exit(1 if bad else 0)
EOF
fi

# 8. --mcse and equivalence's two sizes.
if run eq_mcse "$d/eq_mcse.json" --threads 2 --mcse 0.004; then
  "$py" - "$tmp/eq_mcse/summary.json" <<'EOF' || fail=1
import json, sys
s = json.load(open(sys.argv[1]))
a = s["analyses"][0]
m = max(a["type1_error_lower_margin"]["mcse"], a["type1_error_upper_margin"]["mcse"])
ok = s["precision"]["reached"] and m <= 0.004
print("%s --mcse 0.004: reached %s after %d trials, equivalence sizes' MCSE %.5f" % ("ok  " if ok else "FAIL",
      s["precision"]["reached"], s["trials"], m))
sys.exit(0 if ok else 1)
EOF
fi

# 9. One site: the stratified MN's coverage and rejections are the unstratified MN's.
if run mn_one_site "$d/mn_one_site.json" --threads 2; then
  "$py" - "$tmp/mn_one_site/summary.json" <<'EOF' || fail=1
import json, sys
a = {x["analysis"]: x for x in json.load(open(sys.argv[1]))["analyses"]}
bad = 0
for plain, strat in (("mn_rd", "mns_rd"), ("mn_or_eq", "mns_or_eq")):
    for h in ("alternative", "null"):
        p, s = a[plain][h]["interval"], a[strat][h]["interval"]
        ok = p["trials_with_interval"] > 0 and p["coverage"] == s["coverage"] and p["trials_with_interval"] == s["trials_with_interval"]
        bad += not ok
        print("%s %s %s: coverage %s of %d trials, stratified %s of %d" % ("ok  " if ok else "FAIL", plain, h,
              p["coverage"]["estimate"], p["trials_with_interval"], s["coverage"]["estimate"], s["trials_with_interval"]))
    for k in ("power", "type1_error"):
        ok = a[plain][k] == a[strat][k]
        bad += not ok
        print("%s %s %s: %s, stratified %s" % ("ok  " if ok else "FAIL", plain, k, a[plain][k]["estimate"], a[strat][k]["estimate"]))
sys.exit(1 if bad else 0)
EOF
fi

[ $fail = 0 ] || exit 1
[ -z "$skipped" ] || exit 77
exit 0
