#!/bin/sh
# estimands.sh - intercurrent events and estimand strategies (issue #22) in runs.
#
# usage: sh tests/estimands.sh TRIALSIM SOURCE_DIR [PYTHON3]
#
# 1. Valid analyses are unbiased and cover (estimands/coverage.json: no dropout, events
#    independent of the outcomes; 10,000 trials): every analysis - treatment policy (Welch,
#    Fisher with dropouts as non-responders), hypothetical (complete cases: valid because the
#    events are missing completely at random), composite (Pearson), while on treatment - has a
#    mean estimate within 4 SE of its estimand's exact true value and an interval (Welch's,
#    Student's, Newcombe's) covering it at 0.95 within 4 binomial SE, under both hypotheses.
# 2. An invalid one is shown as such (estimands/dependent.json at 300 patients: an event three
#    times as likely for non-responders): the complete-case hypothetical analysis is biased
#    downwards by more than 4 SE (its complete cases lose more non-responders in the arm with
#    more events, placebo), while the treatment-policy analysis stays within 4 SE.
# 3. 1 and 2 threads give the same summary.json (outside "run").
# 4. Events that never happen change no number: pss2022.json with two events of probability 0
#    (the treatment-policy analyses read the cells, as without events; vas_pain_welch, made
#    hypothetical, reads its view of the patients one by one) rejects in exactly the trials the
#    plain scenario does, under both hypotheses, with the same mean differences (to 1e-9:
#    per-patient sums against per-cell ones).
# 5. Multiple imputation (estimands/mi.json: dropout completely at random, discontinuation; 4,000
#    trials): MI under MAR of the hypothetical estimand (Welch, ANCOVA) and of the treatment-policy
#    one, pooled by Rubin's rules, and the MMRM of every observed value (the hypothetical
#    estimand at week 12; one-sided, the treatment-policy one at week 8, a 90% interval), within 4
#    SE of the exact true values, their intervals covering at their level within 4 SE; and delta (a tipping-point shift of the experimental arm's imputed
#    values) moves every trial's pooled estimate by delta times the arm's share of imputed values
#    (the same imputations: 0.3625 of the drug arm is missing at week 12 in expectation) - the
#    mean difference within 4 SE of that share's binomial error. analyses.csv's true values,
#    bias and imputation columns equal summary.json's.
# 6. Regressions found by review: a hypothetical event before a while-on-treatment one
#    (estimands/hyp_then_wot.json) is unbiased within 4 SE and covers within 4 SE; each
#    imputation or MMRM analysis of estimands/mi_visits.json (weeks 4, 8, 12) gives, beside the
#    others, what it gives alone, with 1 and 2 threads.
# Needs python3 (standard library; skipped, exit 77, without one).
set -u
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: sh $0 TRIALSIM SOURCE_DIR [PYTHON3]" >&2
  exit 2
fi
bin=$1
src=$2
cmake_py=${3:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/estimands.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
fail=0
py=
for c in "$cmake_py" "${TSIM_PYTHON3:-}" python3 /usr/bin/python3; do
  if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1; then py=$c; break; fi
done
if [ -z "$py" ]; then
  echo "SKIPPED: no python3 found"
  exit 77
fi
d=$src/tests/estimands
run() { # NAME SCENARIO [ARGS...]
  name=$1
  shift
  "$bin" run "$@" --quiet --out "$tmp/$name" 2>"$tmp/$name.err" || { echo "FAIL $name: trialsim run $*"; cat "$tmp/$name.err"; fail=1; return 1; }
}

# 1. Valid analyses: unbiased, nominal coverage.
if run coverage "$d/coverage.json" --threads 2; then
  "$py" - "$tmp/coverage/summary.json" <<'EOF' || fail=1
import json, math, sys
bad = 0
for a in json.load(open(sys.argv[1]))["analyses"]:
    e = a["estimand"]
    for h in ("alternative", "null"):
        x = e[h]
        z = x["bias"] / x["bias_se"]
        cov, n = x["coverage"]["estimate"], x["trials_with_interval"]
        lvl = e["interval_level"]
        zc = (cov - lvl) / math.sqrt(lvl * (1 - lvl) / n)
        ok = abs(z) <= 4 and abs(zc) <= 4 and n > 0.99 * 10000 and x["true_value_se"] == 0
        # The estimates' SD: with an exact true value, bias_se is its MCSE, SD / sqrt(trials with
        # an estimate) - here every trial has one; and standardised_bias is the bias in SDs.
        sd, sb = x["estimate_sd"], x["standardised_bias"]
        sd_ok = abs(sd / math.sqrt(10000) - x["bias_se"]) <= 1e-12 * sd and abs(sb - x["bias"] / sd) <= 1e-12
        if not sd_ok:
            print("FAIL %s %s: estimate_sd %.17g, standardised_bias %.17g against bias %.17g, bias_se %.17g"
                  % (a["analysis"], h, sd, sb, x["bias"], x["bias_se"]))
        ok = ok and sd_ok
        bad += not ok
        print("%s %s %s: true %.5g, mean %.5g (%.1f SE), coverage %.4f (%.1f SE of %g)"
              % ("ok  " if ok else "FAIL", a["analysis"], h, x["true_value"], x["mean_estimate"], z, cov, zc, lvl))
sys.exit(1 if bad else 0)
EOF
fi

# 2. An analysis that does not estimate its estimand.
if run dependent "$d/dependent.json" --set sample_size=300 --trials 4000; then
  "$py" - "$tmp/dependent/summary.json" <<'EOF' || fail=1
import json, sys
a = {x["analysis"]: x["estimand"]["alternative"] for x in json.load(open(sys.argv[1]))["analyses"]}
z = {k: v["bias"] / v["bias_se"] for k, v in a.items()}
ok = z["hyp"] < -4 and abs(z["tp"]) <= 4 and a["hyp"]["true_value_se"] > 0
print("%s complete-case hypothetical bias %.1f SE (must be < -4), treatment policy %.1f SE (within 4)"
      % ("ok  " if ok else "FAIL", z["hyp"], z["tp"]))
sys.exit(0 if ok else 1)
EOF
fi

# 3. Thread count.
if run t1 "$d/coverage.json" --trials 1500 --threads 1 && run t2 "$d/coverage.json" --trials 1500 --threads 2; then
  "$py" - "$tmp/t1/summary.json" "$tmp/t2/summary.json" <<'EOF' || fail=1
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for x in (a, b): x.pop("run", None)
ok = a == b
print("%s 1 and 2 threads give the same summary.json" % ("ok  " if ok else "FAIL"))
sys.exit(0 if ok else 1)
EOF
  cmp -s "$tmp/t1/analyses.csv" "$tmp/t2/analyses.csv" || { echo "FAIL 1 and 2 threads: analyses.csv differ"; fail=1; }
fi

# 4. Events that never happen.
"$py" - "$src/scenarios/pss2022.json" "$tmp/zero.json" <<'EOF' || fail=1
import json, sys
s = json.load(open(sys.argv[1]))
s["name"] = "pss2022_zero_events"
s["intercurrent_events"] = [{"id": "discontinuation", "probability": {"placebo": 0, "il2": 0}, "after": "control"},
                            {"id": "rescue", "probability": {"placebo": 0, "il2": 0}, "shift": {"vas_pain": -5}}]
for a in s["analyses"]:
    a["strategy"] = "hypothetical" if a["id"] == "vas_pain_welch" else "treatment_policy"
json.dump(s, open(sys.argv[2], "w"))
EOF
if run plain "$src/scenarios/pss2022.json" --trials 3000 && run zero "$tmp/zero.json" --trials 3000; then
  "$py" - "$tmp/plain/summary.json" "$tmp/zero/summary.json" <<'EOF' || fail=1
import json, sys
p, z = ({x["id"]: x for x in json.load(open(f))["analyses"]} for f in sys.argv[1:3])
bad = 0
for k in p:
    for h in ("alternative", "null"):
        a, b = p[k][h], z[k][h]
        da, db = a["difference"]["mean"], b["difference"]["mean"]
        ok = a["reject"] == b["reject"] and a["reject_favouring"] == b["reject_favouring"] and abs(da - db) <= 1e-9 * max(1, abs(da))
        bad += not ok
        if not ok: print("FAIL %s %s: %s vs %s, diff %r vs %r" % (k, h, a["reject"]["estimate"], b["reject"]["estimate"], da, db))
print("%s events of probability 0 change no rejection or mean difference (%d analyses)" % ("ok  " if not bad else "FAIL", len(p)))
sys.exit(1 if bad else 0)
EOF
fi
# 5. Multiple imputation.
if run mi "$d/mi.json" --threads 2 && run mi_delta "$d/mi.json" --threads 2 --set 'analyses[1].imputation.delta=-4'; then
  "$py" - "$tmp/mi/summary.json" "$tmp/mi_delta/summary.json" <<'EOF' || fail=1
import json, math, sys
a, b = ({x["analysis"]: x for x in json.load(open(f))["analyses"]} for f in sys.argv[1:3])
bad = 0
for k in ("hyp_mi", "hyp_mi_ancova", "tp_mar", "hyp_mmrm", "tp_mmrm_w8"):
    for h in ("alternative", "null"):
        x = a[k]["estimand"][h]
        z = x["bias"] / x["bias_se"]
        cov, n = x["coverage"]["estimate"], x["trials_with_interval"]
        lvl = a[k]["estimand"]["interval_level"]
        zc = (cov - lvl) / math.sqrt(lvl * (1 - lvl) / n)
        ok = abs(z) <= 4 and abs(zc) <= 4 and n == 4000
        bad += not ok
        print("%s %s %s: mean %.4f vs %.4f (%.1f SE), coverage %.4f (%.1f SE)" % ("ok  " if ok else "FAIL", k, h, x["mean_estimate"], x["true_value"], z, cov, zc))
share = 1 - (1 - 0.15) * (1 - 0.25)
shift = b["hyp_mi"]["alternative"]["difference"]["mean"] - a["hyp_mi"]["alternative"]["difference"]["mean"]
se = 4 * math.sqrt(share * (1 - share) / 100 / 4000)
ok = abs(shift - (-4 * share)) <= 4 * se and all(a[k] == b[k] for k in a if k != "hyp_mi")
bad += not ok
print("%s delta -4 moves hyp_mi by %.5f (expected %.5f +- %.5f); the other analyses unchanged" % ("ok  " if ok else "FAIL", shift, -4 * share, 4 * se))
sys.exit(1 if bad else 0)
EOF
  # analyses.csv repeats summary.json's estimand (true values, bias and its SE) and imputation.
  "$py" - "$tmp/mi/summary.json" "$tmp/mi_delta/analyses.csv" "$tmp/mi_delta/summary.json" <<'EOF' || fail=1
import csv, json, math, sys
bad = 0
for js, cs in ((sys.argv[1], sys.argv[1].replace("summary.json", "analyses.csv")), (sys.argv[3], sys.argv[2])):
    a = {x["analysis"]: x for x in json.load(open(js))["analyses"]}
    for r in csv.DictReader(open(cs)):
        x, e = a[r["analysis"]], a[r["analysis"]]["estimand"]
        want = [e["null"]["true_value"], e["null"]["true_value_se"]]
        for h in ("alternative", "null"):
            want += [e[h]["bias"], e[h]["bias_se"]]
        got = [float(r[c]) for c in ("true_value_null", "true_value_null_se", "bias_alternative",
                                      "bias_se_alternative", "bias_null", "bias_se_null")]
        im = x.get("imputation")
        wim = [im["method"], str(im["imputations"]), im["reference"], im["delta"]] if im else ["", "", "", ""]
        gim = [r["imputation"], r["imputations"], r["imputation_reference"],
               float(r["imputation_delta"]) if r["imputation_delta"] else ""]
        ok = all(math.isclose(g, w, rel_tol=1e-12, abs_tol=1e-15) for g, w in zip(got, want)) and gim == wim
        bad += not ok
        if not ok:
            print("FAIL analyses.csv %s: %s %s against summary.json %s %s" % (r["analysis"], got, gim, want, wim))
print("%s analyses.csv's true values, bias and imputation columns equal summary.json's" % ("ok  " if not bad else "FAIL"))
sys.exit(1 if bad else 0)
EOF
fi
# 6. Regressions.
if run hw "$d/hyp_then_wot.json" --threads 2; then
  "$py" - "$tmp/hw/summary.json" <<'EOF' || fail=1
import json, math, sys
bad = 0
for a in json.load(open(sys.argv[1]))["analyses"]:
    x = a["estimand"]["alternative"]
    z = x["bias"] / x["bias_se"]
    cov, n = x["coverage"]["estimate"], x["trials_with_interval"]
    zc = (cov - 0.95) / math.sqrt(0.95 * 0.05 / n)
    ok = abs(z) <= 4 and abs(zc) <= 4
    bad += not ok
    print("%s %s: true %.4f, mean %.4f (%.1f SE), coverage %.4f (%.1f SE)" % ("ok  " if ok else "FAIL", a["analysis"], x["true_value"], x["mean_estimate"], z, cov, zc))
sys.exit(1 if bad else 0)
EOF
fi
"$py" - "$d/mi_visits.json" "$tmp" <<'EOF' || fail=1
import json, sys
s = json.load(open(sys.argv[1]))
for a in s["analyses"]:
    t = dict(s, name="alone_" + a["id"], analyses=[a])
    json.dump(t, open("%s/alone_%s.json" % (sys.argv[2], a["id"]), "w"))
EOF
if run together1 "$d/mi_visits.json" --threads 1 && run together2 "$d/mi_visits.json" --threads 2; then
  for a in mi4 mi12 mi8 mm12; do
    run "alone_$a" "$tmp/alone_$a.json" --threads 2 || continue
    "$py" - "$tmp/together1/summary.json" "$tmp/together2/summary.json" "$tmp/alone_$a/summary.json" "$a" <<'EOF' || fail=1
import json, sys
k = sys.argv[4]
t1, t2, al = ({x["analysis"]: x for x in json.load(open(f))["analyses"]} for f in sys.argv[1:4])
ok = t1[k] == t2[k] == al[k] and t1[k]["alternative"]["difference"]["trials_defined"] == 300
print("%s %s beside the others = alone, 1 and 2 threads (defined in %d of 300 trials)" % ("ok  " if ok else "FAIL", k, t1[k]["alternative"]["difference"]["trials_defined"]))
sys.exit(0 if ok else 1)
EOF
  done
fi
exit $fail
