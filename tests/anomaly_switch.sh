#!/bin/sh
# anomaly_switch.sh TRIALSIM JSON_EQUAL SWITCH_SCENARIO LUPIL2
# An anomaly rule turned off ("enabled": false, or --set ...enabled=false) makes its sites
# ordinary sites: everything else stays as it was. Exactly, bit for bit outside "run":
# - a rule on the control arm, without site heterogeneity, turned off equals the same rule with
#   its response set by hand to the control arm's rate, in cell sampling, per-patient sampling
#   and the patient-level model; the switch scenario's first rule picks its sites at random,
#   and a later random rule still gets the same sites (the rule keeps drawing them), which
#   dropping the rule from the file would change (checked: it differs);
# - a rule on the experimental arm turned off equals its response set to the arm's rate under
#   the alternative only: under the null twin the arm has the control's rate, which a forced
#   response would not follow (checked: the null twin differs);
# - a later rule turned off no longer overrides an earlier one that covers the same site;
# - enabled=true changes nothing; a sweep over enabled=true,false equals the two runs.
set -u
exe=$1; jeq=$2; scn=$3; lupil=$4
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
run() { out=$1; shift; "$exe" run "$@" --trials 3000 --threads 2 --out "$tmp/$out" --quiet || bad "run $out: exit $?"; }
# Equal JSON outside "run", and the text before "run" equal byte for byte: every number is
# written as the shortest text that reads back, so equal text is equal doubles, bit for bit
# (json_equal alone allows cJSON's relative DBL_EPSILON).
upto_run() { sed '/^  "run": {/,$d' "$tmp/$1/summary.json"; }
same() {
  "$jeq" "$tmp/$1/summary.json" "$tmp/$2/summary.json" run >/dev/null &&
    [ "$(upto_run "$1" | sed 's/"scenario_file": .*//')" = "$(upto_run "$2" | sed 's/"scenario_file": .*//')" ]
}

# The switch scenario in cell sampling (its default) and per patient.
sed 's/"alpha": 0.05,/"alpha": 0.05, "sampling": "patient",/' "$scn" > "$tmp/patient.json"
grep -q '"sampling": "patient"' "$tmp/patient.json" || bad "could not make the per-patient variant"
for v in cell patient; do
  f=$scn; [ $v = patient ] && f=$tmp/patient.json
  run $v.off "$f" --set 'sites.anomalies[0].enabled=false'
  run $v.hand "$f" --set 'sites.anomalies[0].response=0.3'
  run $v.on "$f" --set 'sites.anomalies[0].enabled=true'
  run $v.file "$f"
  grep -q "\"sampling\": \"$v\"" "$tmp/$v.off/summary.json" || bad "$v: not sampled per $v"
  same $v.off $v.hand && ok "$v: random control rule off = its response set to the control's 0.3" \
    || bad "$v: random control rule off differs from its response set to the control's 0.3"
  same $v.on $v.file && ok "$v: enabled=true changes nothing" || bad "$v: enabled=true changed the results"
  same $v.off $v.file && bad "$v: turning the rule off changed nothing" || ok "$v: turning the rule off changes the results"
  # The listed rule on site 3 wins over the first rule where that one picks site 3; turned
  # off, the first rule's 0.9 applies there. So compare with the first rule off in both.
  run $v.list "$f" --set 'sites.anomalies[0].enabled=false' --set 'sites.anomalies[2].enabled=false'
  run $v.listhand "$f" --set 'sites.anomalies[0].enabled=false' --set 'sites.anomalies[2].response=0.3'
  same $v.list $v.listhand && ok "$v: listed control rule off = its response set to 0.3" \
    || bad "$v: listed control rule off differs from its response set to 0.3"
  run $v.list0 "$f" --set 'sites.anomalies[2].enabled=false'
  run $v.listhand0 "$f" --set 'sites.anomalies[2].response=0.3'
  same $v.list0 $v.listhand0 && bad "$v: a later rule turned off still hid the earlier rule's 0.9" \
    || ok "$v: a later rule turned off lets the earlier rule's 0.9 apply where both pick a site"
done
# Dropping the first rule instead would change the sites the second one draws.
sed 's/{"random_sites": 2, "arm": "ctl", "response": 0.9},//' "$scn" > "$tmp/dropped.json"
run dropped "$tmp/dropped.json"
same cell.off dropped && bad "dropping the rule gave the same results: the test cannot see the draw order" \
  || ok "dropping the rule differs (the later random rule's sites move): turning off is not dropping"
# In a file: "enabled": false as the --set does.
sed 's/{"random_sites": 2, "arm": "ctl", "response": 0.9}/{"random_sites": 2, "arm": "ctl", "response": 0.9, "enabled": false}/' "$scn" > "$tmp/file_off.json"
run file_off "$tmp/file_off.json"
same file_off cell.off && ok "\"enabled\": false in the file = --set enabled=false" || bad "\"enabled\": false in the file differs from --set"
run file_on "$tmp/file_off.json" --set 'sites.anomalies[0].enabled=1'
same file_on cell.file && ok "--set enabled=1 turns a rule of the file back on" || bad "--set enabled=1 on \"enabled\": false differs from the rule on"

# The patient-level model (LUPIL-2 without heterogeneity): the placebo rule exactly; the IL-2
# rule under the alternative only.
run lat.off "$lupil" --set sites.heterogeneity_sd=0 --set 'sites.anomalies[0].enabled=false'
run lat.hand "$lupil" --set sites.heterogeneity_sd=0 --set 'sites.anomalies[0].response=0.517'
same lat.off lat.hand && ok "patient-level: placebo rule off = its response set to placebo's 0.517" \
  || bad "patient-level: placebo rule off differs from its response set to 0.517"
run il2.off "$lupil" --set sites.heterogeneity_sd=0 --set 'sites.anomalies[1].enabled=false'
run il2.hand "$lupil" --set sites.heterogeneity_sd=0 --set 'sites.anomalies[1].response=0.833'
alt=1; null=1
for k in 0 1 2 3 4 5 6 7; do
  "$jeq" "$tmp/il2.off/summary.json#analyses[$k].alternative" "$tmp/il2.hand/summary.json#analyses[$k].alternative" >/dev/null || alt=0
  "$jeq" "$tmp/il2.off/summary.json#analyses[$k].null" "$tmp/il2.hand/summary.json#analyses[$k].null" >/dev/null || null=0
done
[ $alt = 1 ] && ok "patient-level: IL-2 rule off = its response set to 0.833 under the alternative" \
  || bad "patient-level: IL-2 rule off differs from its response set to 0.833 under the alternative"
[ $null = 0 ] && ok "patient-level: ... but not under the null twin (IL-2 has placebo's rate there)" \
  || bad "patient-level: IL-2 rule off equals the forced 0.833 under the null twin too"

# A sweep over the switch: each point equals its run.
"$exe" sweep "$scn" --set 'sites.anomalies[0].enabled=true,false' --trials 3000 --out "$tmp/sweep" --quiet \
  || bad "sweep over enabled=true,false: exit $?"
"$jeq" "$tmp/sweep/sweep.json#points[0].analyses" "$tmp/cell.on/summary.json#analyses" && \
"$jeq" "$tmp/sweep/sweep.json#points[1].analyses" "$tmp/cell.off/summary.json#analyses" \
  && ok "sweep over enabled=true,false: each point equals its run" || bad "sweep over enabled=true,false differs from the runs"

# The same from the scenario's own "sweep" block, written [true, false].
sed 's/"seed": 7/"seed": 7, "sweep": {"set": {"sites.anomalies[0].enabled": [true, false]}}/' "$scn" > "$tmp/block.json"
"$exe" sweep "$tmp/block.json" --trials 3000 --out "$tmp/block" --quiet || bad "sweep block [true, false]: exit $?"
"$jeq" "$tmp/sweep/sweep.json#points" "$tmp/block/sweep.json#points" \
  && ok "a sweep block [true, false] = --set enabled=true,false" || bad "a sweep block [true, false] differs from --set"

# Bad values: exit 2, the path named.
for v in 2 0.5 yes; do
  "$exe" check "$scn" --set "sites.anomalies[0].enabled=$v" 2>"$tmp/err" >/dev/null
  rc=$?
  if [ $rc -eq 2 ] && grep -q 'enabled' "$tmp/err"; then ok "enabled=$v: exit 2 naming the key"
  else bad "enabled=$v: exit $rc, $(cat "$tmp/err")"; fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
