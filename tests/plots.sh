#!/bin/sh
# plots.sh TRIALSIM SCENARIO
# Tables, CSV files and plots show rejections by direction and stay readable:
# - analyses.csv and sweep.csv: the rejections favouring the experimental arm and favouring
#   control add up to the two-sided power and type I error, and equal summary.json's counts;
#   alpha is written as 0.05;
# - the printed run and sweep tables keep every row aligned with a 40-character analysis id
#   and a long --set path (rows as long as the header, columns where the header puts them);
# - a run writes oc.dat and oc.gp (and oc.svg/png with gnuplot), one row per analysis;
# - a 2-D sweep's gnuplot scripts: colour given by the analysis alone, a distinct (colour,
#   dash) pair per curve, only explicit rgb colours, none of them yellow; a target power line.
# SCENARIO is teaching_small.json (its analysis itt_pearson is renamed to a 40-character id).
set -u
exe=$1; scn=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
long=itt_pearson_nonresponder_imputed_long_id
sed "s/itt_pearson/$long/g" "$scn" > "$tmp/long.json"

# ---- run: CSV, JSON, table, oc plot ----------------------------------------------------------
"$exe" run "$tmp/long.json" --trials 4000 --seed 3 --out "$tmp/run" > "$tmp/run.txt" 2>"$tmp/run.err" \
  && ok "run with a 40-character analysis id" || { bad "run failed"; cat "$tmp/run.err"; }
csv=$tmp/run/analyses.csv
if awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    {
      n++
      d1 = $c["power_favouring"] + $c["power_favouring_control"] - $c["power"]
      d2 = $c["type1_error_favouring"] + $c["type1_error_favouring_control"] - $c["type1_error"]
      if (d1 > 1e-12 || d1 < -1e-12 || d2 > 1e-12 || d2 < -1e-12) { print "  " $1 ": " d1 " " d2; bad = 1 }
      if ($c["alpha"] != "0.05") { print "  alpha written as " $c["alpha"]; bad = 1 }
      if ($c["type1_error_favouring_control_lo"] > $c["type1_error_favouring_control"] ||
          $c["type1_error_favouring_control_hi"] < $c["type1_error_favouring_control"]) { print "  interval"; bad = 1 }
    }
    END { exit bad || n != 4 }' "$csv"; then
  ok "analyses.csv: the two directions add up to the two-sided rates; alpha is 0.05"
else
  bad "analyses.csv: directions do not add up, or alpha is not written as 0.05"
fi
if command -v python3 >/dev/null 2>&1; then
  if python3 - "$tmp/run/summary.json" "$csv" <<'EOF'
import csv, json, sys
s = json.load(open(sys.argv[1]))
rows = {r["id"]: r for r in csv.DictReader(open(sys.argv[2]))}
bad = 0
for a in s["analyses"]:
    r = rows[a["id"]]
    for h, col in (("alternative", "power"), ("null", "type1_error")):
        fav, ctl = a[h]["reject_favouring"]["estimate"], a[h]["reject_favouring_control"]["estimate"]
        if abs(fav + ctl - a[h]["reject"]["estimate"]) > 1e-12: bad = 1
        if float(r[col + "_favouring_control"]) != ctl or float(r[col + "_favouring"]) != fav: bad = 1
sys.exit(bad)
EOF
  then ok "summary.json: reject_favouring + reject_favouring_control = reject, as in analyses.csv"
  else bad "summary.json's directions differ from analyses.csv or do not add up"; fi
else
  echo "skip summary.json comparison (no python3)"
fi
# The table: the header line, then one row per analysis up to the first blank line; every row
# as long as the header and the intervals where the header's titles start.
if awk -v long="$long" '
    /^analysis / { hdr = $0; p = index($0, "power [95% CI]"); t = index($0, "type I error [95% CI]"); next }
    hdr != "" && /^$/ { exit }
    hdr != "" {
      n++
      if (length($0) != length(hdr)) { print "  length " length($0) " != " length(hdr) ": " $0; bad = 1 }
      if (substr($0, p, 3) !~ /^[01]\.[0-9]/ || substr($0, t, 3) !~ /^[01]\.[0-9]/) { print "  column: " $0; bad = 1 }
      if (index($0, long) == 1) seen = 1
    }
    END { exit bad || n != 4 || !seen }' "$tmp/run.txt"; then
  ok "run table: every row aligned with a 40-character id"
else
  bad "run table misaligned:"; cat "$tmp/run.txt"
fi
grep -q "fav ctl" "$tmp/run.txt" && ok "run table shows rejections favouring control" \
  || bad "run table has no fav ctl column"
[ -s "$tmp/run/oc.dat" ] && [ -s "$tmp/run/oc.gp" ] && ok "run wrote oc.dat and oc.gp" || bad "run wrote no oc.dat/oc.gp"
# Ids of up to 63 characters show whole in oc: the canvas widens so that the labels' margin holds
# 16 + 8.4 px a character (a fixed 40% of 960 cut them from about 48 characters on), and stays 960
# pixels for the 40-character id above.
id63=itt_pearson_dropouts_as_nonresponders_all_sites_v1_abcdefghijkl
sed "s/itt_pearson/$id63/g" "$scn" > "$tmp/id63.json"
"$exe" run "$tmp/id63.json" --trials 200 --out "$tmp/id63" --quiet 2>/dev/null
if awk '/set terminal svg size/ { split($5, s, ","); w = s[1] } /set lmargin at screen/ && !m { m = $5 }
        END { exit !(w > 960 && m * w >= 16 + 63 * 8.4 - 1) }' "$tmp/id63/oc.gp" &&
   grep -q "set terminal svg size 960," "$tmp/run/oc.gp"; then
  ok "oc.gp: a 63-character id's label fits (a wider canvas); 960 pixels otherwise"
else bad "oc.gp: the labels' margin for a 63-character id: $(grep -E 'svg size|lmargin' "$tmp/id63/oc.gp" | head -3 | tr '\n' ' ')"; fi
[ "$(grep -vc '^#' "$tmp/run/oc.dat")" -eq 4 ] && ok "oc.dat has one row per analysis" || bad "oc.dat rows: $(grep -vc '^#' "$tmp/run/oc.dat")"
if command -v gnuplot >/dev/null 2>&1; then
  [ -s "$tmp/run/oc.svg" ] && [ -s "$tmp/run/oc.png" ] && ok "run drew oc.svg and oc.png" || bad "no oc.svg/oc.png"
  grep -q "oc.svg" "$tmp/run.txt" && ok "the written: line names oc.svg" || bad "the written: line does not name oc.svg"
fi

# ---- sweep: table, CSV, scripts -----------------------------------------------------------------
path='endpoints[0].response.treatment'
"$exe" sweep "$tmp/long.json" --set "$path=0.5,0.7" --set sample_size=40,80,120 --power 0.9 \
  --trials 2000 --seed 4 --out "$tmp/sw" > "$tmp/sw.txt" 2>"$tmp/sw.err" \
  && ok "2-D sweep with a long --set path" || { bad "sweep failed"; cat "$tmp/sw.err"; }
if awk -v path="$path" -v long="$long" '
    index($0, path) == 1 { hdr = $0; a = index($0, "analysis"); next }
    hdr != "" && /^$/ { exit }
    hdr != "" {
      n++
      if (length($0) != length(hdr)) { print "  length " length($0) " != " length(hdr) ": " $0; bad = 1 }
      if (substr($0, a, 1) == " " || substr($0, a - 1, 1) != " ") { print "  analysis column: " $0; bad = 1 }
      if (index($0, long) == a) seen = 1
    }
    END { exit bad || n != 24 || !seen }' "$tmp/sw.txt"; then
  ok "sweep table: the whole path, every row aligned with a 40-character id"
else
  bad "sweep table misaligned or path cut:"; cat "$tmp/sw.txt"
fi
if awk -F, '
    NR == 1 { next }
    { v[$1 "," $(NF - 7) "," $(NF - 4)] = $(NF - 3) }
    END {
      for (k in v) {
        split(k, p, ",")
        if (p[3] != "power" && p[3] != "type1_error") continue
        key = p[1] "," p[2] ","
        d = v[key p[3] "_favouring"] + v[key p[3] "_favouring_control"] - v[k]
        if (d > 1e-12 || d < -1e-12) { print "  " k ": " d; bad = 1 }
        n++
      }
      exit bad || n != 48
    }' "$tmp/sw/sweep.csv"; then
  ok "sweep.csv: the two directions add up to power and type I error at every point"
else
  bad "sweep.csv: directions do not add up"
fi
for plot in power type1_error; do
  gp=$tmp/sw/$plot.gp; dat=$tmp/sw/$plot.dat
  # Each curve: "index N using 1:2 with linespoints lc rgb 'C' dt D"; its .dat comment names
  # the analysis ("# series N: ID (sample_size=40)...").
  if awk -v datfile="$dat" '
      BEGIN {
        while ((getline l < datfile) > 0)
          if (l ~ /^# series /) { split(l, w, " "); s = w[3]; sub(/:$/, "", s); an[s] = w[4]; pn[s] = (l ~ /favouring control/) }
      }
      /using 1:2 with linespoints/ {
        match($0, /index [0-9]+/); s = substr($0, RSTART + 6, RLENGTH - 6)
        match($0, /rgb .#[0-9A-Fa-f]+/); c = substr($0, RSTART + 5, RLENGTH - 5)
        match($0, /dt [^ ]+/); d = substr($0, RSTART + 3, RLENGTH - 3)
        n++
        if ((an[s] in colour) && colour[an[s]] != c) { print "  " an[s] " has two colours"; bad = 1 }
        colour[an[s]] = c
        if ((pn[s] SUBSEP c SUBSEP d) in pair) { print "  colour " c " dash " d " twice"; bad = 1 }
        pair[pn[s], c, d] = 1
      }
      END {
        for (a in colour) for (b in colour) if (a < b && colour[a] == colour[b]) { print "  " a " and " b " share a colour"; bad = 1 }
        exit bad || n == 0
      }' "$gp"; then
    ok "$plot.gp: colour by analysis, a distinct (colour, dash) pair per curve"
  else
    bad "$plot.gp: curves not told apart by colour and dash"
  fi
  if [ ! -s "$gp" ]; then
    bad "$plot.gp not written"
  elif grep -Eq "(lc|linecolor) [0-9]" "$gp"; then
    bad "$plot.gp uses gnuplot's numbered default colours (yellow among them)"
  elif grep -o "#[0-9A-Fa-f]\{6\}" "$gp" | awk '
      function h(x) { return index("0123456789abcdef", tolower(x)) - 1 }
      { r = h(substr($0, 2, 1)) * 16 + h(substr($0, 3, 1)); g = h(substr($0, 4, 1)) * 16 + h(substr($0, 5, 1))
        b = h(substr($0, 6, 1)) * 16 + h(substr($0, 7, 1))
        if (r > 192 && g > 192 && b < 128) { print "  yellow " $0; bad = 1 } }
      END { exit bad }'; then
    ok "$plot.gp: explicit colours, no yellow"
  else
    bad "$plot.gp has a yellow colour"
  fi
done
# With gnuplot: every legend entry of the script is drawn in the SVG (the SVG's font is larger
# than the PNG's; a legend area too low for its rows made gnuplot drop the last entries).
if command -v gnuplot >/dev/null 2>&1; then
  for plot in power type1_error; do
    missing=$(grep -o 'keyentry .* title "[^"]*"' "$tmp/sw/$plot.gp" | sed 's/.*title "//; s/"$//; s/\\\\_/_/g' |
      while IFS= read -r t; do [ -z "$t" ] || grep -qF ">$t</tspan>" "$tmp/sw/$plot.svg" || echo "$t"; done)
    [ -z "$missing" ] && [ -s "$tmp/sw/$plot.svg" ] && ok "$plot.svg: every legend entry drawn" \
      || bad "$plot.svg: legend entries missing: $missing"
  done
  # Nothing cut at the canvas's edges: the rotated y label's baseline at least 12 pixels from
  # the left edge (its letters extend left of it; tick labels like 0.005 pushed it to 5.5), and
  # no line drawn beyond x = 958 of 960 (a legend wider than the canvas ran off the right).
  "$exe" size "$tmp/long.json" --analysis "$long" --power 0.8 --trials 2000 --seed 5 --quiet \
    --out "$tmp/size" 2>"$tmp/size.err" || { bad "size failed"; cat "$tmp/size.err"; }
  for svg in "$tmp/run/oc.svg" "$tmp/sw/power.svg" "$tmp/sw/type1_error.svg" "$tmp/size/size_power.svg" \
             "$tmp/size/size_type1_error.svg"; do
    if [ -s "$svg" ] && awk '
        /rotate\(270\)/ { match($0, /translate\([0-9.]+/); x = substr($0, RSTART + 10, RLENGTH - 10) + 0
                          if (x > 0 && x < 12) { print "  y label at x = " x; bad = 1 } }
        { s = $0
          while (match(s, /[ML][0-9.]+,/)) {
            x = substr(s, RSTART + 1, RLENGTH - 2) + 0
            if (x > 958) { print "  drawn at x = " x; bad = 1; break }
            s = substr(s, RSTART + RLENGTH) } }
        END { exit bad }' "$svg"; then
      ok "$(basename "$svg"): y label and legend inside the canvas"
    else
      bad "$(basename "$svg"): cut at the canvas's edge"
    fi
  done
fi
grep -q "target power 0.9" "$tmp/sw/power.gp" && ok "power.gp: a line at the target power (--power 0.9)" \
  || bad "power.gp has no target power line"
grep -q "nominal rate per direction: alpha/2 = 0.025" "$tmp/sw/type1_error.gp" \
  && ok "type1_error.gp: a line at alpha/2 per direction" || bad "type1_error.gp has no alpha/2 line"
# A margin test's nominal rate is its one-sided level, not "alpha/2 per direction" (a two-sided
# analysis's alpha 0.05 gives its margin tests the one-sided level 0.025).
if command -v python3 >/dev/null 2>&1; then
python3 - "$scn" "$tmp/ni.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for a in d["analyses"]:
    a["test"] = "farrington_manning"
    a["hypothesis"] = {"type": "non_inferiority", "measure": "risk_difference", "margin": -0.1}
d.pop("multiplicity", None)
json.dump(d, open(sys.argv[2], "w"))
EOF
"$exe" run "$tmp/ni.json" --trials 500 --seed 3 --out "$tmp/ni" --quiet 2>"$tmp/ni.err" || { bad "run of margin tests failed"; cat "$tmp/ni.err"; }
grep -q "nominal rate: one-sided level = 0.025" "$tmp/ni/oc.gp" && ok "oc.gp of margin tests: the one-sided level" \
  || bad "oc.gp of margin tests: $(grep -o "nominal rate[^']*" "$tmp/ni/oc.gp")"
else
  echo "skip the margin tests' oc.gp (no python3)"
fi
# A switch swept (false, true) is drawn as two labelled states, and a whole-number setting over a
# short range with a tic at each whole number, not at 2.5 patients.
"$exe" sweep "$(dirname "$scn")/lupil2.json" --set 'sites.anomalies[0].enabled=false,true' --trials 200 \
  --out "$tmp/swb" --quiet 2>"$tmp/swb.err" || { bad "sweep of a switch failed"; cat "$tmp/swb.err"; }
grep -q 'set xtics ("false" 0, "true" 1)' "$tmp/swb/power.gp" && ok "power.gp of a switch: false and true" \
  || bad "power.gp of a switch has no false/true tics"
"$exe" sweep "$scn" --set 'sample_size=40,44,48' --trials 200 --out "$tmp/swn" --quiet 2>"$tmp/swn.err" \
  || { bad "sweep of sample_size failed"; cat "$tmp/swn.err"; }
grep -q 'set xtics 40,1,48' "$tmp/swn/power.gp" && ok "power.gp of whole numbers 40-48: a tic at each" \
  || bad "power.gp of whole numbers: $(grep 'set xtics' "$tmp/swn/power.gp" | tr '\n' ' ')"
# The axis names an end point's id, and takes its unit from the path alone: an id with a unit's
# word in it ("..._response") must not make an SD a probability.
sed 's/"sledai_rel"/"sledai_rel_response"/g' "$(dirname "$scn")/lupil2.json" > "$tmp/rn.json"
"$exe" sweep "$tmp/rn.json" --set 'endpoints[1].sd=20,30' --trials 200 --out "$tmp/swr" --quiet 2>"$tmp/swr.err" \
  || { bad "sweep of a renamed end point's sd failed"; cat "$tmp/swr.err"; }
xl=$(grep -m1 'set xlabel' "$tmp/swr/power.gp")
case $xl in
  *"endpoints[1] (sledai\\\\_rel\\\\_response).sd\"") ok "axis: the end point's id, no unit from it" ;;
  *) bad "axis label of a renamed end point's sd: $xl" ;;
esac
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
