#!/bin/sh
# size_search_cli.sh TRIALSIM SCENARIO
# The size command as a user meets it (SCENARIO: lupil2_planning.json, analyses itt and pp; a
# fixed seed and 2000 trials per size, so it takes about a second):
#  - off a terminal, one progress line per evaluated size on stderr ("size: N = ..."), the same
#    sizes as size.csv holds; none with --quiet, which still says where it wrote (on stderr);
#    a sweep writes one line per grid point;
#  - default folders: size runs for other analyses or targets, and sweeps of other paths, write
#    into folders of their own under results/<name>/;
#  - two analyses at once: a size reaches the target exactly when every named analysis reaches
#    it at that size, and the answer is the smallest evaluated size that does (checked on the
#    per-size rows of size.csv and against size.json's "sample_size"); the share of trials in
#    which both were significant is at most either power; each analysis's numbers at a size
#    equal those of its own single-analysis search there (same trials);
#  - type I error by direction: favouring experimental + favouring control = the two-sided
#    rate, in size.csv and in the printed table;
#  - a size reaches the target by its power favouring the experimental arm: with the
#    experimental arm worse than control (response 0.30 vs 0.52), two-sided rejections pass 80%
#    below N = 200, but no size up to 200 is an answer.
# POSIX sh and awk only.
set -u
exe=$1; scn=$2
case $scn in /*) ;; *) scn=$(pwd)/$scn;; esac
case $exe in /*) ;; *) exe=$(pwd)/$exe;; esac
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
cd "$tmp" || exit 1
common="--power 0.8 --trials 2000 --seed 11 --threads 2"

# ---- progress off a terminal, and default folders -------------------------------------------
"$exe" size "$scn" --analysis itt $common >itt.out 2>itt.err </dev/null || bad "size --analysis itt failed"
d_itt=results/lupil2_planning/size/itt_power0.8
[ -f $d_itt/size.csv ] && ok "size writes into $d_itt by default" || bad "no $d_itt/size.csv: $(find results -name size.csv)"
grep -q "^written: $d_itt/size.json" itt.out && ok "it says where it wrote" || bad "no 'written: $d_itt/size.json' line"
awk -F, 'NR > 1 { print $1 }' $d_itt/size.csv | sort -n >csv.sizes
sed -n 's/^size: N = \([0-9]*\) .*/\1/p' itt.err | sort -n >err.sizes
if [ -s err.sizes ] && cmp -s csv.sizes err.sizes; then ok "one progress line per evaluated size ($(wc -l <err.sizes)) on stderr"
else bad "progress lines do not match the evaluated sizes:"; cat itt.err; fi
grep -q "^size: N = [0-9]* *power [0-9.]* (\(reaches\|misses\)) *bracket \[[0-9-]*, [0-9-]*\] *[0-9]* sizes\{0,1\}, [0-9.]* s" itt.err \
  && ok "a progress line gives N, power, the bracket, sizes done and time" || { bad "progress line format:"; head -2 itt.err; }

"$exe" size "$scn" --analysis pp $common --quiet >pp.out 2>pp.err </dev/null || bad "size --analysis pp failed"
d_pp=results/lupil2_planning/size/pp_power0.8
[ -f $d_pp/size.csv ] && [ -f $d_itt/size.csv ] && ok "another analysis gets its own folder ($d_pp)" || bad "no $d_pp/size.csv"
[ ! -s pp.out ] && ok "--quiet: nothing on stdout" || bad "--quiet printed on stdout"
grep -q "^size: N" pp.err && bad "--quiet still prints progress lines" || ok "--quiet: no progress lines"
grep -q "^trialsim: written: $d_pp/size.json" pp.err && ok "--quiet: says where it wrote, on stderr" || { bad "--quiet: no 'written' line:"; cat pp.err; }
grep -q "^trialsim: sample size [0-9]* (target power 0.8)$" pp.err && ok "--quiet: the answer on stderr" || { bad "--quiet: no answer line:"; cat pp.err; }
"$exe" size "$scn" --analysis pp --power 0.8 --max 20 --trials 200 --quiet --out short 2>short.err </dev/null
grep -q "^trialsim: the target power 0.8 was not reached up to N = 20$" short.err \
  && ok "--quiet: a target not reached is said on stderr" || { bad "--quiet, not reached:"; cat short.err; }
"$exe" size "$scn" --analysis itt --power 0.9 --trials 500 --seed 11 --quiet 2>/dev/null
[ -f results/lupil2_planning/size/itt_power0.9/size.json ] && ok "another target gets its own folder" || bad "no itt_power0.9 folder"

"$exe" sweep "$scn" --set sample_size=40,60,80 --trials 200 --quiet 2>sweep.err </dev/null || bad "sweep failed"
"$exe" sweep "$scn" --set 'dropout.placebo=0.1,0.2' --trials 200 --quiet 2>/dev/null </dev/null || bad "sweep failed"
[ -f results/lupil2_planning/sweep/sample_size/sweep.csv ] && [ -f results/lupil2_planning/sweep/dropout.placebo/sweep.csv ] \
  && ok "sweeps of other paths get their own folders" || bad "sweep folders: $(find results -name sweep.csv)"
"$exe" sweep "$scn" --set sample_size=40,60,80 --trials 200 >/dev/null 2>sweep.err </dev/null
[ "$(grep -c '^sweep: grid point [0-9] / 3 done' sweep.err)" = 3 ] && ok "a sweep: one line per grid point off a terminal" \
  || { bad "sweep progress lines:"; cat sweep.err; }

# ---- two analyses ---------------------------------------------------------------------------
"$exe" size "$scn" --analysis itt,pp $common >both.out 2>both.err </dev/null || bad "size --analysis itt,pp failed"
d_both=results/lupil2_planning/size/itt+pp_power0.8
[ -f $d_both/size.csv ] && ok "two analyses: folder $d_both" || bad "no $d_both/size.csv"
# The start line says where on the lattice the search starts when the formula's N is off it.
grep -q "^start: N = 91 (.*); on the lattice of step 2 the search starts at 92$" both.out \
  && ok "the start line: the formula's N and the lattice's first size" || bad "start line: $(grep '^start' both.out | cut -c1-80)"
# The joint curve, like the analyses', counts rejections favouring the experimental arm.
grep -q 'title "all significant together"' $d_both/size_power.gp \
  && grep -q '^ *set ylabel "power favouring the experimental arm"' $d_both/size_power.gp \
  && ok "size_power.gp: the joint curve's legend, the axis says favouring the experimental arm" \
  || bad "size_power.gp: the joint curve's legend or the axis label"
# The "all" rows: every one significant favouring the experimental arm (power_favouring, column 7;
# type I, column 12) is at most every one in either direction (columns 3, 8) and at most each
# analysis's own power favouring it.
awk -F, 'NR > 1 && $2 != "all" { if (!($1 in f) || $7 < f[$1]) f[$1] = $7; next }
         NR > 1 { n++; if ($7 == "" || $7 > $3 + 1e-12 || $12 > $8 + 1e-12 || $7 > f[$1] + 1e-12) { print; b = 1 } }
         END { exit b || !n }' $d_both/size.csv \
  && ok "size.csv: all favouring <= all in either direction, <= each analysis's power favouring" \
  || bad "size.csv: the all rows' favouring columns"
"$exe" size "$scn" --analysis itt --analysis pp $common --out repeated --quiet 2>/dev/null
cmp -s $d_both/size.csv repeated/size.csv && ok "--analysis repeated = a comma-separated list" || bad "--analysis repeated differs"
# Per size: every analysis reaches (power favouring the experimental arm, column 7) <=> the "all"
# row reaches; the answer is the first such size.
answer=$(sed -n 's/^[[:space:]]*"sample_size":[[:space:]]*\([0-9]*\),$/\1/p' $d_both/size.json | head -1)
awk -F, -v want="$answer" '
  NR == 1 { next }
  $2 != "all" { n[$1] = $1; if ($7 >= 0.8) r[$1]++; else if (!($1 in r)) r[$1] += 0; p[$1, $2] = $3; next }
  { all[$1] = $14; joint[$1] = $3 }
  END {
    bad = 0; first = ""
    for (s in n) {
      both = (r[s] == 2)
      if (both != all[s]) { print "size " s ": analyses reach " r[s] " of 2 but all = " all[s]; bad = 1 }
      if (joint[s] > p[s, "itt"] || joint[s] > p[s, "pp"]) { print "size " s ": joint above a power"; bad = 1 }
      if (both && (first == "" || s + 0 < first + 0)) first = s
    }
    if (first != want) { print "smallest size where both reach " first ", size.json says " want; bad = 1 }
    exit bad
  }' $d_both/size.csv && ok "two analyses: N = $answer, the smallest evaluated size at which both reach 0.8" \
  || bad "two analyses: the answer does not follow the per-size rows"
grep -q "^sample size: $answer (the smallest evaluated N at which every analysis reaches 0.8: itt power" both.out \
  && ok "the printed answer names every analysis" || bad "printed answer: $(grep '^sample size' both.out)"
# The same trials: a size both searches evaluated with as many trials (column 15; sizes stop
# once told apart, for itt alone or for both) has the same numbers for itt.
awk -F, 'NR == FNR { if (FNR > 1) { v[$1] = $0; t[$1] = $15 } next }
         FNR > 1 && $2 == "itt" && ($1 in v) && t[$1] == $15 { m++; if (v[$1] != $0) { print "differs at " $1; b = 1 } }
         END { if (!m) { print "no common size"; b = 1 } exit b }' $d_itt/size.csv $d_both/size.csv \
  && ok "itt's numbers in the joint search equal its own search's at common sizes" || bad "itt's numbers differ between searches"

# ---- direction ------------------------------------------------------------------------------
awk -F, 'NR > 1 && $2 != "all" { d = $12 + $13 - $8; if (d > 1e-12 || d < -1e-12) { print $0; b = 1 } n++ }
         END { exit b || !n }' $d_both/size.csv && ok "size.csv: type I favouring E + favouring C = type I error" \
  || bad "size.csv: the directions do not add up"
awk '/^sample size  / { t = 1; next } t && NF == 0 { exit b }
     t { ty = $6; e = $9; c = $10; n++   # N, power [lo, hi], fav exp, type I [lo, hi], fav exp, fav ctl
         d = e + c - ty; if (d > 1.5e-4 || d < -1.5e-4) { print; b = 1 } }
     END { exit b || !n }' itt.out \
  && ok "printed table: fav exp + fav ctl = type I (4 decimals)" || bad "printed table: directions do not add up"
grep -q "^sample size  power \[95% CI\] *fav exp  type I \[95% CI\] *fav exp  fav ctl" itt.out \
  && ok "the table has both directions" || bad "table header: $(grep '^sample size' itt.out | head -1)"

# ---- the criterion counts rejections favouring the experimental arm only -------------------
"$exe" size "$scn" --analysis itt $common --max 200 --set 'endpoints[0].response.il2=0.3' \
  --out worse >worse.out 2>worse.err </dev/null || bad "size with a harmful arm failed"
awk -F, 'NR > 1 && $3 >= 0.8 { two++ } NR > 1 && $7 >= 0.8 { fav++ }
         END { exit !(two > 0 && fav == 0) }' worse/size.csv \
  && grep -q '"reached":[[:space:]]*false' worse/size.json \
  && ok "a harmful arm: two-sided power passes 0.8, but no size is an answer" \
  || { bad "a harmful arm's rejections counted as power:"; grep -m1 '"sample_size"' worse/size.json; }

# A scenario that refuses the larger sizes (Barnard's test enumerates at most about 1,000
# patients an arm): the search's maximum becomes the largest size the scenario allows, found
# without simulating, and a target beyond it is "not reached up to" that size with the reason,
# exit 0 - not an error at the first size beyond it.
cat > barnard.json <<'EOF'
{"name": "barnard_limit", "arms": [{"id": "c", "control": true}, {"id": "e"}], "sample_size": 100,
 "endpoints": [{"id": "b", "type": "binary", "response": {"c": 0.30, "e": 0.34}}],
 "analyses": [{"id": "bar", "population": "itt", "test": "barnard"}], "seed": 1}
EOF
"$exe" size barnard.json --analysis bar --power 0.8 --trials 100 --out barn >barn.txt 2>barn.err
rc=$?
[ $rc -eq 0 ] && ok "a target beyond Barnard's limit: exit 0" || { bad "exit status $rc:"; cat barn.err; }
grep -q "^the target power 0.8 was not reached up to N = 1998$" barn.txt \
  && grep -q '^N = 1998 is the largest sample size the scenario allows; at 2000: .*"barnard" computes' barn.txt \
  && ok "not reached up to 1998, the largest size allowed, and why" || { bad "unexpected output:"; cat barn.txt; }
lim=$(grep -A3 '"limit"' barn/size.json | tr -d ' \n')
case $lim in
  *'"limit":{"sample_size":1998,"refused":2000,"reason":"'*barnard*) ok "size.json has the limit" ;;
  *) bad "size.json's limit: $lim" ;;
esac
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
