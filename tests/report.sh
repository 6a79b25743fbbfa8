#!/bin/sh
# report.sh TRIALSIM PYTHON3 SRC
# `--report` writes DIR/report.html, a view of exactly the numbers of the result set. For a run
# of a scenario with markup in its description, at a path with & < and a quote, with --set; the
# default LUPIL-2 run; the single-arm, visits-and-subgroups and ANCOVA scenarios; a two-parameter
# sweep and a sample-size search, tests/py/check_report.py checks every number cell against
# summary.json / sweep.json / size.json, that the page stands alone (no scripts, no outside
# references), unique ids with several inline SVGs, the escaped text and the record (the
# scenario's SHA-256, the command line); without gnuplot the page names the plots' data and
# scripts instead. Without --report no page is written, and a page that cannot be written is an
# error (exit 1, named) that leaves no temporary file.
set -u
exe=$1; py=$2; src=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { # check WHAT REPORT JSON [options]: check_report.py on a page
  what=$1; shift
  if "$py" "$src/tests/py/check_report.py" "$@" >"$tmp/check" 2>&1; then ok "$what: $(tail -1 "$tmp/check")"
  else bad "$what:"; cat "$tmp/check"; fi
}
plots=""
command -v gnuplot >/dev/null 2>&1 && plots=yes

odd="$tmp/a<b&c'd.json"
cp "$src/tests/report/escape.json" "$odd"
"$exe" run "$odd" --trials 3000 --set sample_size=44 --out "$tmp/run" --report --quiet \
  || bad "run --report failed"
check "run, markup in the description" "$tmp/run/report.html" "$tmp/run/summary.json" --scenario "$odd" \
  --text "the markup <script>alert(\"x\")</script> & <b>not bold</b> 'q' must show literally" \
  --text "$odd" --text "--set sample_size=44" --text "sample_size=44"
grep -q "<script" "$tmp/run/report.html" && bad "a <script> reached the page" || ok "no <script> in the page"

"$exe" run "$src/scenarios/lupil2.json" --trials 1000 --out "$tmp/l2" --report --quiet || bad "run lupil2 failed"
check "run lupil2 (joint, multiplicity, continuous)" "$tmp/l2/report.html" "$tmp/l2/summary.json" \
  --scenario "$src/scenarios/lupil2.json" --text "Assumptions (not published):"

# An anomaly rule turned off shows as off in the scenario's table (its row had a blank forced
# value and "every binary end point", as if the rule still acted).
"$exe" run "$src/scenarios/lupil2.json" --set 'sites.anomalies[0].enabled=false' --trials 200 --out "$tmp/off" \
  --report --quiet 2>/dev/null || bad "run with an anomaly off failed"
row=$(grep '^<tr><td class="num">1</td><td>sites 0, 1</td>' "$tmp/off/report.html")
case $row in
  *"turned off"*) case $row in *"every binary"*|*"<td></td>"*) bad "rule turned off: $row" ;; *) ok "an anomaly rule turned off says so" ;; esac ;;
  *) bad "rule turned off not shown as off: $row" ;;
esac

# A dropout spread over three visits: its cumulative rates to 10 significant digits, not the
# sums' binary noise (0.1 showed as 0.10000000000000002).
"$exe" run "$src/tests/report/dropout_spread.json" --out "$tmp/spread" --report --quiet || bad "run dropout_spread failed"
row=$(grep -o '<td class="num">[^<]*0\.1</td>' "$tmp/spread/report.html" | head -1)
case $row in
  *"0.03333333333, 0.06666666667, 0.1</td>") ok "cumulative dropout to 10 significant digits" ;;
  *) bad "cumulative dropout of dropout_spread.json: '$row'" ;;
esac

# An analysis whose population is empty in every trial: its mean difference is null in the files,
# and the console shows "-" there, not "+nan".
"$exe" run "$src/tests/report/empty_population.json" --out "$tmp/empty" >"$tmp/empty.txt" 2>&1 || bad "run empty_population failed"
if grep -qi "nan" "$tmp/empty.txt"; then bad "a NaN in the console: $(grep -i nan "$tmp/empty.txt")"
else case $(grep '^pp ' "$tmp/empty.txt") in
  *" -") ok "an undefined mean difference shows as -" ;;
  *) bad "the empty analysis's row: $(grep '^pp ' "$tmp/empty.txt")" ;;
esac; fi
# analyze on tables whose tests are undefined (every value alike): "-" and "undefined" in the text
# table, as the JSON's null, not "nan"
printf '{"tables": [{"id": "t", "control": "c", "arms": {"c": {"mean": 5, "sd": 0, "n": 4}, "e": {"mean": 5, "sd": 0, "n": 4}}}]}\n' >"$tmp/flat.json"
"$exe" analyze "$tmp/flat.json" --out "$tmp/flat" >"$tmp/flat.txt" 2>&1
if ! grep -qi "nan" "$tmp/flat.txt" && grep -q "welch_t .* - .*undefined" "$tmp/flat.txt"; then ok "analyze: an undefined p shows as - (undefined)"
else bad "analyze, undefined p: $(cat "$tmp/flat.txt")"; fi
# ... and a note says that it gave no result in every trial, which count as not significant, on the
# console and in the report.
grep -q "^note: pp gave no result in 1000 of 1000 trials under the alternative and 1000 under the null twin" "$tmp/empty.txt" \
  && ok "a note on the trials without a result" || bad "no note on the trials without a result: $(cat "$tmp/empty.txt")"
"$exe" sweep "$src/tests/report/empty_population.json" --set sample_size=20,40 --trials 200 --report --out "$tmp/empty_s" >"$tmp/empty_s.txt" 2>&1
check "sweep empty_population (no result in any trial)" "$tmp/empty_s/report.html" "$tmp/empty_s/sweep.json" \
  --text "No result at sample_size = 40 for pp in 200 of 200 trials under the scenario and 200 under the null twin"
grep -q "^note: at sample_size=40, pp gave no result in 200 of 200 trials under the alternative and 200 under the null twin" "$tmp/empty_s.txt" \
  && ok "a sweep's note on the trials without a result" || bad "sweep, no note: $(cat "$tmp/empty_s.txt")"
"$exe" run "$src/tests/report/empty_population.json" --report --quiet --out "$tmp/empty_r" 2>/dev/null || bad "run empty_population --report failed"
check "run empty_population (no result in any trial)" "$tmp/empty_r/report.html" "$tmp/empty_r/summary.json" \
  --text "No result for pp in 1000 of 1000 trials under the scenario and 1000 under the null twin"

for scn in nct02084238_single_arm he2019_sle pss2022 lupil2_interim lupil2_monitoring lupil2_estimands; do # a single arm; visits and subgroups; ANCOVA; looks; site monitoring; estimands
  "$exe" run "$src/scenarios/$scn.json" --trials 500 --out "$tmp/$scn" --report --quiet || bad "run $scn failed"
  check "run $scn" "$tmp/$scn/report.html" "$tmp/$scn/summary.json" --scenario "$src/scenarios/$scn.json"
done

set -- "$tmp/sw/report.html" "$tmp/sw/sweep.json" --scenario "$src/scenarios/teaching_small.json"
if [ -n "$plots" ]; then set -- "$@" --plot power --plot type1_error; fi
"$exe" sweep "$src/scenarios/teaching_small.json" --set sample_size=20,40 --set 'endpoints[0].response.treatment=0.5,0.7' \
  --trials 500 --out "$tmp/sw" --report --quiet || bad "sweep --report failed"
check "sweep of two parameters${plots:+ (two inline SVGs)}" "$@"

set -- "$tmp/sz/report.html" "$tmp/sz/size.json" --scenario "$src/scenarios/teaching_small.json"
if [ -n "$plots" ]; then set -- "$@" --plot size_power; fi
"$exe" size "$src/scenarios/teaching_small.json" --analysis itt_pearson --power 0.8 --window 2 --trials 500 \
  --out "$tmp/sz" --report --quiet || bad "size --report failed"
check "size" "$@"

# No gnuplot on PATH: the page says which data and script draw the missing plots.
env PATH=/nonexistent "$exe" sweep "$src/scenarios/teaching_small.json" --set sample_size=20,40 --trials 200 \
  --out "$tmp/nognu" --report --quiet 2>/dev/null || bad "sweep without gnuplot failed"
check "sweep without gnuplot" "$tmp/nognu/report.html" "$tmp/nognu/sweep.json" --no-plot power --no-plot type1_error

"$exe" run "$odd" --trials 100 --out "$tmp/plain" --quiet || bad "run without --report failed"
[ ! -e "$tmp/plain/report.html" ] && ok "no report.html without --report" || bad "report.html written without --report"
"$exe" run "$odd" --trials 100 --out "$tmp/plain" --report --quiet && [ -f "$tmp/plain/report.html" ] \
  && "$exe" run "$odd" --trials 200 --out "$tmp/plain" --quiet && [ ! -e "$tmp/plain/report.html" ] \
  && ok "a later run without --report removes the earlier page" || bad "an earlier run's report.html is left beside new results"

mkdir -p "$tmp/blocked/report.html/x"
"$exe" run "$odd" --trials 100 --out "$tmp/blocked" --report --quiet 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q "report.html" "$tmp/err" && ok "an unwritable report.html: exit 1, named" \
  || { bad "an unwritable report.html: exit $rc"; cat "$tmp/err"; }
ls -A "$tmp/blocked" | grep -v '^\.trialsim\.lock$' | grep -q '^\.' && bad "temporary file left: $(ls -a "$tmp/blocked")" || ok "no temporary file left"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
