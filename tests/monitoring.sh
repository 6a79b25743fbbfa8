#!/bin/sh
# monitoring.sh - site monitoring ("monitoring", issue #20) against exact probabilities, and
# monitoring changing no analysis that does not act on it.
#
# usage: sh tests/monitoring.sh TRIALSIM SOURCE_DIR [PYTHON3]
#
# Statistical comparisons: fixed seeds, |trialsim - exact| within 4 standard errors,
# SE = sqrt(p (1 - p) / n) at the exact p over the n trials counted. The exact values are
# computed by tests/py/monitoring_exact.py (numpy, SciPy) without trialsim's code; its header
# says how. With the exact values moved 10 SE (monitoring_exact.py --shift 10, and -10) every
# comparison failed; so did some of them with trialsim broken on purpose, one fault at a time:
# min_patients off by one, the site itself in the others' rate, level alpha x 1.5, a check read
# one patient early, a dropout read as assessed at its visit, the hypotheses' responses swapped,
# the threshold one responder short, the two-sided p-value doubled from one side.
# 1. Blinded binomial rules, false alarm at one check (monitoring/binomial.json: 4 sites of
#    weights 4:3:2:1 drawn at random, simple 1:1 randomisation, no site effects or anomalies,
#    dropout 5% and 15%, 40 patients read at one check; "higher", "lower" and "either" at
#    alpha 0.1 / 4 sites, min_patients 3, 200,000 trials): every site's false alarm under both
#    hypotheses equals its exact value by enumeration of the site's and the other sites'
#    assessed patients and responders; no p-value of the enumeration lies within 1e-6 of the
#    level (so the tie rule decides nothing); the "either" p-values equal scipy.stats.binomtest's;
#    the pooled honest_site_flagged is the sites' mean.
# 2. Threshold rules, detection (monitoring/threshold.json: every placebo patient of site 0
#    responds; checks at 20 and 40 patients; a site is flagged once 3 of its patients of the
#    arm are assessed and all responded; 100,000 trials): site 0's detection is
#    P(Bin(20 c, w_0 (1 - d) / 2) >= 3) at check c, the honest sites' false alarms, the trials'
#    any false alarm and the pooled rates by check, and the mean patients randomised at a
#    flag, their exact values; the same for the drug arm, whose rate differs between the
#    hypotheses.
# 3. Report only: the lupil2_interim design (scenarios/lupil2_interim.json: latent model,
#    visits, an interim look, accrual by site) and monitoring/threshold.json give, with and
#    without "monitoring", the same analyses.csv, looks.csv and summary.json outside "run" and
#    "monitoring". An analysis that excludes the sites a rule flagged, on a rule that can never
#    flag (min_patients above the sample size), gives the numbers of the same analysis without
#    it, column for column (the per-patient path against the cell statistics'): itt, pp,
#    pp_prespecified, pp_posthoc (binary) and itt_sledai_abs (continuous: its mean differences
#    to a relative 1e-12, the two paths adding in another order).
# 4. Determinism: the lupil2_interim design with four rules (blinded binomial, an unblinded
#    threshold on the anomalous placebo arm that an analysis acts on, dropout and deviation
#    rules) checked every 25 patients, and again at the interim look ("at_looks"): 1 and 2
#    threads, and two shards merged, give one run's summary.json (outside "run"),
#    analyses.csv, looks.csv, monitoring.csv and monitoring_checks.csv. Every rule flags in
#    these runs and the flags change the acting analysis, so there is something to differ
#    (a shard file leaving out one of the new counts made the merged files differ).
# 5. Odd designs run and write no NaN where a number is promised: a site with weight 0, one
#    site, every_patients 1, every patient dropping out, rules on dropout and deviation, a
#    check that no trial holds.
# Parts 3 to 5 need python3 (standard library), parts 1 and 2 also SciPy: when none can be found
# the script runs what it can and exits 77 (SKIPPED) unless something failed.
set -u
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: sh $0 TRIALSIM SOURCE_DIR [PYTHON3]" >&2
  exit 2
fi
bin=$1
src=$2
cmake_py=${3:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/monitoring.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
fail=0
skipped=

# A python3 for the comparisons (standard library), and one that imports SciPy for the exact
# values (tests/py/with_scipy.sh's search; it exits 77 when it finds none).
py=
for c in "$cmake_py" "${TSIM_PYTHON3:-}" python3 /usr/bin/python3; do
  if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1; then py=$c; break; fi
done
if [ -z "$py" ]; then
  echo "SKIPPED: no python3 found"
  exit 77
fi
same() { "$py" "$src/tests/py/monitoring_same.py" "$@"; }
exact() { # binomial|threshold SCENARIO DIR
  sh "$src/tests/py/with_scipy.sh" "$cmake_py" "$src/tests/py/monitoring_exact.py" "$@"
  rc=$?
  case $rc in
    0) ;;
    77) echo "skip $1: no python3 that imports SciPy (apt-get install python3-scipy)"; skipped=1 ;;
    *) fail=1 ;;
  esac
}
# trialsim's plots are not compared here: PATH without gnuplot spares each run its drawing (a
# quarter of a second). TRIALSIM must be a path, then.
nognuplot=$tmp/no_gnuplot
mkdir "$nognuplot"
tsim() { PATH=$nognuplot "$bin" "$@"; }
run() { # NAME SCENARIO [options]: trialsim run into $tmp/NAME
  name=$1; scn=$2; shift 2
  if ! tsim run "$scn" --out "$tmp/$name" --quiet "$@" 2>"$tmp/$name.err"; then
    echo "FAIL $name: run failed"; cat "$tmp/$name.err"; fail=1; return 1
  fi
}

# 1, 2. Exact probabilities.
for t in binomial threshold; do
  run "$t" "$src/tests/monitoring/$t.json" --threads 2 && exact "$t" "$src/tests/monitoring/$t.json" "$tmp/$t"
done

# Designs derived from scenarios/lupil2_interim.json (into $tmp):
#   plain.json     the design as shipped
#   report.json    + "monitoring" (four rules, a check every 25 patients), no analysis acting on it
#   never.json     + a rule that can never flag and five analyses excluding its flags
#   acting.json    + an analysis excluding the sites the "dmc" rule flagged
#   at_looks.json  acting.json with a check at the interim look instead
#   thr_plain.json monitoring/threshold.json without "monitoring"
"$py" - "$src" "$tmp" <<'PY' || { echo "FAIL: the derived designs could not be written"; exit 1; }
import copy, json, sys
src, tmp = sys.argv[1], sys.argv[2]
def save(name, s):
    s = dict(s, trials=3001)
    json.dump(s, open(f"{tmp}/{name}.json", "w"), indent=1)
base = json.load(open(f"{src}/scenarios/lupil2_interim.json"))
save("plain", base)
rules = [
    {"id": "blinded", "measure": "response", "endpoint": "sri4", "test": "binomial", "alpha": 0.2,
     "adjust": "sites_and_checks", "direction": "either", "min_patients": 3},
    {"id": "dmc", "arm": "placebo", "measure": "response", "endpoint": "sri4", "test": "threshold",
     "rate_at_least": 1.0, "min_patients": 3},
    {"id": "dropouts", "measure": "dropout", "endpoint": "sledai_abs", "test": "binomial", "alpha": 0.1,
     "min_patients": 2},
    {"id": "deviations", "arm": "il2", "measure": "deviation", "endpoint": "sri4", "test": "threshold",
     "rate_at_least": 0.5, "min_patients": 2}]
s = copy.deepcopy(base)
s["monitoring"] = {"every_patients": 25, "rules": rules}
save("report", s)
n = copy.deepcopy(s)
n["monitoring"]["rules"] = rules + [{"id": "never", "measure": "response", "endpoint": "sri4", "test": "threshold",
                                     "rate_at_least": 0.0, "min_patients": base["sample_size"] + 1}]
for a in ("itt", "pp", "pp_prespecified", "pp_posthoc", "itt_sledai_abs"):
    an = next(x for x in base["analyses"] if x["id"] == a)
    n["analyses"].append(dict(copy.deepcopy(an), id=a + "_never", exclude_flagged=["never"]))
save("never", n)
a = copy.deepcopy(s)
a["analyses"].append({"id": "pp_dmc", "endpoint": "sri4", "population": "per_protocol", "test": "pearson",
                      "alpha": 0.025, "sided": 1, "exclude_flagged": ["dmc"]})
save("acting", a)
a["monitoring"] = {"at_looks": True, "rules": rules}
save("at_looks", a)
t = json.load(open(f"{src}/tests/monitoring/threshold.json"))
del t["monitoring"]
json.dump(dict(t, trials=20000), open(f"{tmp}/thr_plain.json", "w"))
t = json.load(open(f"{src}/tests/monitoring/threshold.json"))
json.dump(dict(t, trials=20000), open(f"{tmp}/thr_report.json", "w"))
PY

# 3. Report only.
run plain "$tmp/plain.json" --threads 2 && run report "$tmp/report.json" --threads 2 &&
  { same sets "monitoring reported only (lupil2_interim design)" "$tmp/plain" "$tmp/report" --without monitoring \
      analyses.csv looks.csv || fail=1; }
run thr_plain "$tmp/thr_plain.json" --threads 2 && run thr_report "$tmp/thr_report.json" --threads 2 &&
  { same sets "monitoring reported only (monitoring/threshold.json)" "$tmp/thr_plain" "$tmp/thr_report" \
      --without monitoring analyses.csv || fail=1; }
for d in report thr_report; do
  if [ ! -s "$tmp/$d/monitoring.csv" ] || [ ! -s "$tmp/$d/monitoring_checks.csv" ]; then
    echo "FAIL $d: no monitoring.csv or monitoring_checks.csv"; fail=1
  fi
done
run never "$tmp/never.json" --threads 2 &&
  { same rows "an analysis excluding the flags of a rule that never flags equals it without" "$tmp/never" \
      itt=itt_never pp=pp_never pp_prespecified=pp_prespecified_never pp_posthoc=pp_posthoc_never \
      itt_sledai_abs~itt_sledai_abs_never || fail=1; }

# 4. Determinism: 1 and 2 threads, and shards merged, for both schedules.
files="analyses.csv looks.csv monitoring.csv monitoring_checks.csv"
# shellcheck disable=SC2086 # $files: one argument a file
for d in acting at_looks; do
  run "$d.1" "$tmp/$d.json" --threads 1 && run "$d.2" "$tmp/$d.json" --threads 2 &&
    { same sets "$d: 2 threads equal 1" "$tmp/$d.1" "$tmp/$d.2" $files || fail=1; }
  for r in 0-1234 1234-3001; do
    tsim run "$tmp/$d.json" --threads 2 --trials-from "${r%-*}" --trials-to "${r#*-}" --out "$tmp/$d.shards" \
      --quiet 2>>"$tmp/$d.err" || { echo "FAIL $d: shard $r"; cat "$tmp/$d.err"; fail=1; }
  done
  if tsim merge "$tmp/$d.shards/shard_1234_3001.tsim" "$tmp/$d.shards/shard_0_1234.tsim" --out "$tmp/$d.merged" \
       --quiet 2>>"$tmp/$d.err"; then
    same sets "$d: shards 0-1234 and 1234-3001 merged equal one run" "$tmp/$d.1" "$tmp/$d.merged" $files || fail=1
  else
    echo "FAIL $d: merge failed"; cat "$tmp/$d.err"; fail=1
  fi
done
# The comparisons can fail: the rules flag sites in these runs and the flags change an analysis.
"$py" - "$tmp/acting.1" "$tmp/at_looks.1" <<'PY' || fail=1
import csv, json, sys
bad = 0
for d in sys.argv[1:]:
    m = json.load(open(d + "/summary.json"))["monitoring"]
    det = [r["alternative"]["detection"]["estimate"] for r in m["rules"]]
    a = {r["analysis"]: r for r in csv.DictReader(open(d + "/analyses.csv"))}
    dropped = float(a["pp_dmc"]["mean_sites_dropped_alternative"])
    ok = min(det) > 0 and dropped > 0 and a["pp_dmc"]["power"] != a["pp"]["power"]
    print(f"{'ok  ' if ok else 'FAIL'} {d.rsplit('/', 1)[1]}: every rule detects (detection "
          f"{', '.join('%.3f' % x for x in det)}), pp_dmc drops {dropped:.3f} sites on average and its power "
          f"differs from pp's")
    bad += not ok
sys.exit(1 if bad else 0)
PY

# 5. Odd designs: each must run and write numbers or blanks (CSV) / null (JSON), never NaN.
"$py" - "$src/tests/monitoring/threshold.json" "$tmp" <<'PY' || fail=1
import copy, json, sys
base = json.load(open(sys.argv[1]))
base["trials"] = 500
base["deviation"] = {"placebo": 0.1, "drug": 0.2}
base["monitoring"]["rules"] += [
    {"id": "blind", "measure": "response", "test": "binomial", "alpha": 0.1, "adjust": "sites", "direction": "either"},
    {"id": "low", "measure": "response", "test": "binomial", "alpha": 0.6, "direction": "lower"},
    {"id": "drop", "measure": "dropout", "test": "binomial", "alpha": 0.2},
    {"id": "dropt", "measure": "dropout", "test": "threshold", "rate_at_least": 0.5, "min_patients": 2},
    {"id": "dev", "arm": "drug", "measure": "deviation", "test": "threshold", "rate_at_least": 0.3}]
base["analyses"].append({"id": "excl", "endpoint": "resp", "population": "per_protocol", "test": "fisher",
                         "exclude_flagged": ["placebo_all", "blind", "dev"]})
def odd(name, f):
    s = copy.deepcopy(base)
    f(s)
    json.dump(dict(s, name=name), open(f"{sys.argv[2]}/odd_{name}.json", "w"))
odd("empty_site", lambda s: s["sites"].update(weights=[4, 0, 2, 1]))
odd("one_site", lambda s: s["sites"].update(count=1, weights=[1], anomalies=[]))
odd("every_patient", lambda s: s["monitoring"].update(every_patients=1))
odd("all_drop_out", lambda s: s.update(dropout={"placebo": 1.0, "drug": 1.0}))
def never_held(s):
    s["visits"] = [4]
    s["looks"] = {"months": [1, 200], "efficacy": "pocock"}
    s["monitoring"] = {"at_looks": True, "rules": s["monitoring"]["rules"]}
odd("check_never_held", never_held)
PY
for f in "$tmp"/odd_*.json; do
  name=$(basename "$f" .json)
  run "$name" "$f" --threads 2 || continue
  if grep -E -i -l '(^|[^a-z_])(nan|-?inf|infinity)([^a-z_]|$)' "$tmp/$name"/*.csv "$tmp/$name/summary.json" >"$tmp/$name.nan"; then
    echo "FAIL $name: NaN or infinity written in $(tr '\n' ' ' <"$tmp/$name.nan")"; fail=1
  elif [ ! -s "$tmp/$name/monitoring.csv" ] || [ ! -s "$tmp/$name/monitoring_checks.csv" ]; then
    echo "FAIL $name: no monitoring.csv or monitoring_checks.csv"; fail=1
  else
    echo "ok   $name: runs, monitoring.csv and monitoring_checks.csv written without NaN"
  fi
done
# One site: the binomial rules have no other site to compare with and never flag.
if [ -s "$tmp/odd_one_site/monitoring.csv" ]; then
  if awk -F, '$1 ~ /^(blind|low|drop)$/ && $8 != 0 { bad = 1 } END { exit bad }' "$tmp/odd_one_site/monitoring.csv"; then
    echo "ok   odd_one_site: the binomial rules never flag a single site"
  else
    echo "FAIL odd_one_site: a binomial rule flagged the only site"; fail=1
  fi
fi

if [ "$fail" -ne 0 ]; then exit 1; fi
if [ -n "$skipped" ]; then echo "SKIPPED: parts 1 and 2 need SciPy"; exit 77; fi
exit 0
