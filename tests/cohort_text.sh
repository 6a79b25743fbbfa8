#!/bin/sh
# cohort_text.sh TRIALSIM SCENARIOS_DIR
# `trialsim cohort`'s text: every column its CSV header has is named in `cohort --help` (an
# end point's or subgroup's id as ID, a visit's week as WEEK), for binary trials sampled per cell
# (lupil2_planning) and per patient (teaching_small made "patient"), and for the patient-level
# model (lupil2 per cell and made "patient"; he2019_sle with visits and a subgroup; pss2022 with a
# baseline); and every
# number in the rows is written as the shortest text that reads back (0.5099790273736396, not
# 0.50997902737363961; 17 digits are never needed where 16 read back).
set -u
exe=$1; scn=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

"$exe" cohort --help > "$tmp/help" || bad "cohort --help failed"
sed 's/"seed":/"sampling": "patient", "seed":/' "$scn/teaching_small.json" > "$tmp/teaching_patient.json"
sed 's/"seed":/"sampling": "patient", "seed":/' "$scn/lupil2.json" > "$tmp/lupil2_patient.json"
for case in lupil2_planning:cell teaching_patient:patient lupil2:cell lupil2_patient:patient he2019_sle:patient pss2022:patient; do
  name=${case%:*}; want=${case#*:}
  f=$scn/$name.json; [ -f "$f" ] || f=$tmp/$name.json
  "$exe" run "$f" --trials 10 --out "$tmp/run_$name" --quiet || bad "$name: run failed"
  grep -Eq "\"sampling\":[[:space:]]*\"$want\"" "$tmp/run_$name/summary.json" && ok "$name: sampled per $want" \
    || bad "$name: not sampled per $want"
  "$exe" cohort "$f" --trial 2 > "$tmp/$name.csv" || bad "$name: cohort failed"
  # The ids of arms, end points and subgroups, longest first, to map columns to their names.
  ids=$(sed -n 's/.*"id": *"\([A-Za-z0-9_.-]*\)".*/\1/p' "$f" | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2)
  for col in $(head -1 "$tmp/$name.csv" | tr ',' ' '); do
    generic=$(echo "$col" | sed 's/_w[0-9.]*$/_wWEEK/')
    for id in $ids; do
      g2=$(echo "$generic" | awk -v id="$id" '{
        if ($0 == id) { print "ID"; exit }
        if (index($0, id "_") == 1) { print "ID" substr($0, length(id) + 1); exit }
        n = length($0) - length(id); if (n > 0 && substr($0, n) == "_" id) { print substr($0, 1, n) "ID"; exit }
        print $0 }')
      [ "$g2" != "$generic" ] && { generic=$g2; break; }
    done
    if grep -Eq "(^|[ (,])$generic([ ,.:)]|$)" "$tmp/help"; then ok "$name: column $col is named in --help ($generic)"
    else bad "$name: column $col ($generic) is not named in cohort --help"; fi
  done
  # Numbers: the fewest significant digits that read back.
  long=$(awk -F, 'NR > 1 { for (i = 6; i <= NF; i++) if ($i ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) {
      x = $i + 0; m = $i; sub(/^-/, "", m); sub(/e.*/, "", m); sub(/\./, "", m); sub(/^0+/, "", m); sub(/0+$/, "", m)
      for (p = 1; p <= 17; p++) if (sprintf("%." p "g", x) + 0 == x) break
      if (length(m) > p) { print $i " (" p " digits read back)"; exit } } }' "$tmp/$name.csv")
  [ -z "$long" ] && ok "$name: every number as the shortest text that reads back" || bad "$name: $long"
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
