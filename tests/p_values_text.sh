#!/bin/sh
# p_values_text.sh TRIALSIM SCENARIO
# p_values.csv (run --p-values) writes every number as the shortest text that reads back: the
# bins' bounds as 0, 0.001, ..., 1 (not 0.000) and the rejection rates with as many digits as
# reading them back needs (not 10 significant digits, which lose bits, nor 17 where 16 do).
set -u
exe=$1; scn=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$exe" run "$scn" --trials 3000 --p-values --out "$tmp/r" --quiet || { echo "FAIL run"; exit 1; }
bad=$(awk -F, 'NR > 1 { for (i = 3; i <= NF; i++) if (i != 5 && i != 6 && $i != "") {
    x = $i + 0; m = $i; sub(/^-/, "", m); sub(/e.*/, "", m); sub(/\./, "", m); sub(/^0+/, "", m); sub(/0+$/, "", m)
    for (p = 1; p <= 17; p++) if (sprintf("%." p "g", x) + 0 == x) break
    if (length(m) > p || (m == "" && $i != "0")) { print "line " NR ": " $i " (" p " digits read back)"; exit } } }' "$tmp/r/p_values.csv")
# A rate is cumulative_trials / trials exactly: 10 significant digits would not read back.
lossy=$(awk -F, 'NR > 1 && $7 != "" { if ($7 + 0 != $6 / 3000) { print "line " NR ": " $7 " is not " $6 "/3000"; exit } }' "$tmp/r/p_values.csv")
if [ -z "$bad" ] && [ -z "$lossy" ]; then echo "ok   p_values.csv: every number is the shortest text that reads back"; exit 0; fi
echo "FAIL p_values.csv: $bad $lossy"
exit 1
