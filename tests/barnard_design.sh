#!/bin/sh
# barnard_design.sh - Barnard's test in simulation keeps its level and beats Fisher's.
#
# usage: sh tests/barnard_design.sh /path/to/trialsim tests/analysis/barnard.json
#
# Runs the scenario (two arms of 25, response 0.2 vs 0.5; analyses barnard2: Barnard
# two-sided at 0.05, barnard1: one-sided at 0.025, fisher2: Fisher two-sided at 0.05) with a
# fixed seed, 20000 trials (well under a second: the arm sizes are fixed, so the cached
# decisions of analysis/decide.c do nearly all the work), and checks from analyses.csv:
#   - type I error (the null twin's rejection rate) of barnard2 and barnard1:
#     estimate - 3 MCSE <= alpha;
#   - power of barnard2 >= power of fisher2 within Monte Carlo error (difference >= -3 SE,
#     SE = sqrt(se_b^2 + se_f^2), conservative: the two share trials), and, because on this
#     design the gap is clear (0.609 vs 0.511 at seed 7, about 20 SE), strictly above it:
#     difference > 3 SE. Barnard's unconditional test is known to be more powerful than
#     Fisher's conditional one on 2x2 tables of this size.
# Prints one line per check and ends with "N passed, N failed"; exits 1 on any failure.
# POSIX sh and awk only.

if [ $# -ne 2 ]; then
  echo "usage: sh $0 /path/to/trialsim SCENARIO" >&2
  exit 2
fi
TRIALSIM=$1
SCENARIO=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tsim_barnard.XXXXXX") || { echo "FAIL: mktemp" >&2; exit 1; }
trap 'rm -rf "$tmp"' EXIT INT TERM

if ! "$TRIALSIM" run "$SCENARIO" --trials 20000 --seed 7 --threads 2 --quiet --out "$tmp/out" >"$tmp/log" 2>&1; then
  echo "FAIL: trialsim run exited non-zero:"; cat "$tmp/log"
  exit 1
fi

awk -F, '
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  {
    id = $col["id"]
    alpha[id] = $col["alpha"]; pw[id] = $col["power"]; pwse[id] = $col["power_mcse"]
    t1[id] = $col["type1_error"]; t1se[id] = $col["type1_error_mcse"]
  }
  function check(ok, what) {
    if (ok) { pass++; print "PASS: " what } else { fail++; print "FAIL: " what }
  }
  END {
    split("barnard2 barnard1", b, " ")
    for (j = 1; j <= 2; j++) {
      id = b[j]
      if (!(id in t1)) { check(0, id " missing from analyses.csv"); continue }
      check(t1[id] - 3 * t1se[id] <= alpha[id] + 0,
            sprintf("%s type I error %.4f (MCSE %.4f) - 3 MCSE <= alpha %g", id, t1[id], t1se[id], alpha[id]))
    }
    if (!("barnard2" in pw) || !("fisher2" in pw)) check(0, "barnard2 or fisher2 missing")
    else {
      d = pw["barnard2"] - pw["fisher2"]
      se = sqrt(pwse["barnard2"] ^ 2 + pwse["fisher2"] ^ 2)
      check(d >= -3 * se, sprintf("Barnard power %.4f >= Fisher %.4f within 3 SE (%.4f)", pw["barnard2"], pw["fisher2"], se))
      check(d > 3 * se, sprintf("Barnard power %.4f exceeds Fisher %.4f by more than 3 SE (%.4f): %.1f SE", pw["barnard2"], pw["fisher2"], se, d / se))
    }
    print pass + 0 " passed, " fail + 0 " failed"
    exit fail > 0
  }' "$tmp/out/analyses.csv"
