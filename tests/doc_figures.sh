#!/bin/sh
# doc_figures.sh TRIALSIM SOURCE_DIR
#
# The documentation quotes results of trialsim together with the command that gives them. This
# script runs each of those commands (from SOURCE_DIR, with the binary TRIALSIM in place of
# ./build/trialsim and an --out folder of its own added) and checks that every quoted number is
# printed where the page says. A run is a function of (scenario, seed, trials) alone, so the
# printed values are compared as text, at the precision they are printed with.
#
# When a check fails, either the page or the engine changed: rerun the command shown in the
# message, and update the page (and this script) if the change was intended.
#
# Pages checked: README.md ("A worked example: LUPIL-2", "Sample sizes", "Beyond the fixed
# design": the same runs as PROVENANCE.md's) and
# scenarios/PROVENANCE.md (one block per shipped scenario, and the ESTABLISH tables).
set -u

if [ $# -ne 2 ]; then
  echo "usage: $0 TRIALSIM SOURCE_DIR" >&2
  exit 2
fi
bin=$1
src=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$src" || exit 1
failed=0
checks=0

# run NAME ARGS...: trialsim ARGS --out TMP/NAME, its stdout kept in TMP/NAME.txt.
run() {
  name=$1
  shift
  if ! "$bin" "$@" --out "$tmp/$name" >"$tmp/$name.txt" 2>"$tmp/$name.err"; then
    echo "FAIL: trialsim $* exited with an error:" >&2
    cat "$tmp/$name.err" >&2
    failed=1
  fi
}

# expect NAME [--after MARKER] ROW VALUE...: in the output of run NAME (after the first line
# containing MARKER, if given), the first line that starts with ROW (leading blanks ignored,
# ROW followed by a blank) must contain every VALUE as one of its words. Brackets, commas and
# parentheses around a word are ignored, so "0.6052" matches "[0.6052,".
expect() {
  name=$1
  shift
  marker=
  if [ "$1" = "--after" ]; then
    marker=$2
    shift 2
  fi
  row=$1
  shift
  checks=$((checks + 1))
  if ! awk -v marker="$marker" -v row="$row" -v want="$*" '
      BEGIN { started = (marker == ""); nwant = split(want, w, " ") }
      !started { if (index($0, marker) > 0) started = 1; else next }
      {
        line = $0
        sub(/^[ \t]+/, "", line)
        if (index(line " ", row " ") != 1) next
        n = split(line, f, /[ \t]+/)
        for (i = 1; i <= n; i++) { g = f[i]; gsub(/[][(),]/, "", g); have[g] = 1 }
        for (j = 1; j <= nwant; j++)
          if (!(w[j] in have)) { print "  missing " w[j] " in: " $0; bad = 1 }
        found = 1
        exit
      }
      END {
        if (!found) { print "  no line starting with \"" row "\"" (marker == "" ? "" : " after \"" marker "\""); exit 1 }
        exit bad
      }' "$tmp/$name.txt"; then
    echo "FAIL: $name: row \"$row\" should show: $*" >&2
    failed=1
  fi
}

# ---- README.md: "A worked example: LUPIL-2" ---------------------------------------------------
# ./build/trialsim run   (scenarios/lupil2.json, 100,000 trials, seed 20221)
run readme_lupil2 run
expect readme_lupil2 itt 0.1536 0.1517 0.1980 0.0009 0.1971 100.0 +0.088
expect readme_lupil2 pp 0.1626 0.1610 0.1907 0.0007 0.1900 81.0 +0.098
expect readme_lupil2 pp_prespecified 0.7251 0.0508 0.0249 0.0258 56.7 +0.312
expect readme_lupil2 pp_posthoc 0.7842 0.0486 0.0384 0.0102 52.9 +0.346
expect readme_lupil2 --after hierarchy_itt "all of them" 0.0455 0.0669 0.0000
expect readme_lupil2 --after hierarchy_pp_prespecified "all of them" 0.4906 0.0079 0.0038
expect readme_lupil2 "itt / pp_prespecified" 0.1501 0.0036 0.5751 0.2713 0.0244 0.1736 0.0263 0.7756
# The README's table itself: each of its rows (the code block after "./build/trialsim run`
# prints") must be a line the run prints, blanks and all - the numbers above could be right
# while the page shows other rows.
checks=$((checks + 1))
awk '/\.\/build\/trialsim run` prints/ { on = 1; next } on && /^```/ { if (++fence == 2) exit; next }
     on && fence == 1 && $1 != "analysis" && $0 !~ /^ +-/ { print }' README.md >"$tmp/readme_rows.txt"
if [ ! -s "$tmp/readme_rows.txt" ]; then
  echo "FAIL: readme_lupil2: no table rows found in README.md's worked example" >&2
  failed=1
fi
while IFS= read -r line; do
  if ! grep -qxF -- "$line" "$tmp/readme_lupil2.txt"; then
    echo "FAIL: readme_lupil2: README.md shows a row the run does not print: $line" >&2
    failed=1
  fi
done <"$tmp/readme_rows.txt"

# ---- README.md: "Sample sizes" ----------------------------------------------------------------
run size_pp80 size scenarios/lupil2_planning.json --analysis itt --power 0.8
expect size_pp80 "sample size:" 94 0.8059
# "The first question takes 55,000 trials over 9 sizes; with --full ... 460,000 over 23 sizes"
expect size_pp80 "simulated:" 55000 9
run size_pp80_full size scenarios/lupil2_planning.json --analysis itt --power 0.8 --full
expect size_pp80_full "sample size:" 94 0.8059
expect size_pp80_full "simulated:" 460000 23
# "size scenarios/lupil2.json --analysis itt --power 0.8 --max 4000 answers 924 (power 0.8003,
# MCSE 0.0013) after 691,000 trials" (about a minute on 2 cores; the --full figure beside it,
# 3,000,000 trials, is 30 sizes x 100,000 and not rerun here: five times as long)
run size_lupil2 size scenarios/lupil2.json --analysis itt --power 0.8 --max 4000
expect size_lupil2 "sample size:" 924 0.8003 0.0013
expect size_lupil2 "simulated:" 691000 17
run size_pp90 size scenarios/lupil2_planning.json --analysis itt --power 0.9
expect size_pp90 "sample size:" 124 0.9044
run size_itt80 size scenarios/lupil2_planning.json --analysis itt --power 0.8 \
  --set 'endpoints[0].response.placebo=0.6444' --set 'endpoints[0].response.il2=0.7556'
expect size_itt80 "sample size:" 738 0.8010
# "740 to 746 fall just short (0.7966 to 0.7985) ... every evaluated size from 748 up reaches"
expect size_itt80 740 0.7971
expect size_itt80 742 0.7985
expect size_itt80 744 0.7966
expect size_itt80 746 0.7982
expect size_itt80 "every evaluated size from" 748
run size_both80 size scenarios/lupil2_planning.json --analysis itt,pp --power 0.8
expect size_both80 "sample size:" 94 0.8059 0.8482 0.7683

# ---- scenarios/PROVENANCE.md --------------------------------------------------------------------
# ./build/trialsim run scenarios/lupil2.json --trials 20000
run prov_lupil2 run scenarios/lupil2.json --trials 20000
expect prov_lupil2 itt 0.1536 0.1953
expect prov_lupil2 pp 0.1618 0.1882
expect prov_lupil2 pp_prespecified 0.7279 0.0516
expect prov_lupil2 pp_posthoc 0.7879 0.0474 0.0372
expect prov_lupil2 pp_prespecified_sledai_rel 0.5877
expect prov_lupil2 pp_prespecified_sledai_abs 0.7396
expect prov_lupil2 --after hierarchy_itt "all of them" 0.0456
expect prov_lupil2 --after hierarchy_pp_prespecified "all of them" 0.4896

# ./build/trialsim run scenarios/lupil2_planning.json --trials 20000
run prov_planning run scenarios/lupil2_planning.json --trials 20000
expect prov_planning itt 0.8385 0.0543
expect prov_planning itt_fisher 0.8000 0.0384
expect prov_planning pp 0.8697 0.0490

# ./build/trialsim run scenarios/he2019_sle.json --trials 20000
run prov_he run scenarios/he2019_sle.json --trials 20000
expect prov_he itt_n1 0.4920 0.0502
expect prov_he completers_n1 0.5010 0.0506
expect prov_he w24_completers_pearson 0.6119 0.0524
expect prov_he ln_remission_completers_pearson 0.5007 0.0408 24.4
expect prov_he ln_remission_completers_fisher 0.3832 0.0149

# ./build/trialsim run scenarios/pss2022.json --trials 20000
run prov_pss run scenarios/pss2022.json --trials 20000
expect prov_pss itt_fisher 0.7916 0.0254
expect prov_pss itt_pearson 0.8621 0.0490
expect prov_pss infection_pearson 0.8462
expect prov_pss essdai_change_welch 0.9731
expect prov_pss vas_dryness_welch 0.9426
expect prov_pss vas_pain_welch 0.6058
expect prov_pss vas_fatigue_welch 0.7180
expect prov_pss vas_pain_wilcoxon 0.5784
expect prov_pss vas_pain_ancova 0.6960

# ./build/trialsim run scenarios/nct02084238_single_arm.json --trials 20000
run prov_nct run scenarios/nct02084238_single_arm.json --trials 20000
expect prov_nct sri_w6_binomial 1.0000 0.0377
expect prov_nct sri_w10_binomial 1.0000 0.0386
expect prov_nct injection_site_binomial 0.5774 0.0000 0.0484

# ./build/trialsim run scenarios/lupil2_interim.json --trials 20000
run prov_interim run scenarios/lupil2_interim.json --trials 20000
expect prov_interim itt 0.1448
expect prov_interim pp_prespecified 0.7190
expect prov_interim pp_posthoc 0.0364
expect prov_interim --after "where each analysis's trials stopped" itt 0.2424
expect prov_interim --after "where each analysis's trials stopped" pp_prespecified 0.0997
expect prov_interim --after "where each analysis's trials stopped" expected 90.7 71.7

# ./build/trialsim run scenarios/lupil2_monitoring.json   (its own 20,000 trials)
run prov_monitoring run scenarios/lupil2_monitoring.json
expect prov_monitoring itt 0.3402
expect prov_monitoring itt_without_flagged 0.8038 0.0483 0.0398
expect prov_monitoring pp_posthoc 0.0376
expect prov_monitoring --after "site monitoring" blinded_response 0.0107 0.1247
expect prov_monitoring --after "site monitoring" dmc_placebo_all_respond 0.9997 0.9694 0.5676

# ./build/trialsim sweep scenarios/lupil2_monitoring.json
run prov_monitoring_sweep sweep scenarios/lupil2_monitoring.json
expect prov_monitoring_sweep --after "power    mcse" 0 0.1565
expect prov_monitoring_sweep --after "power    mcse" 1 0.3402

# ./build/trialsim run scenarios/lupil2_noninferiority.json   (its own 20,000 trials)
run prov_ni run scenarios/lupil2_noninferiority.json
expect prov_ni itt_nri 0.8219 0.1265
expect prov_ni itt_completers 0.8135 0.0625
expect prov_ni pp 0.7682 0.0260

# ./build/trialsim sweep scenarios/lupil2_noninferiority.json
run prov_ni_sweep sweep scenarios/lupil2_noninferiority.json
expect prov_ni_sweep --after "power    mcse" 0 itt_nri 0.0656
expect prov_ni_sweep --after "power    mcse" 0.25 itt_nri 0.1840
# ./build/trialsim run scenarios/lupil2_noninferiority.json --set deviation.new=0.25
run prov_ni_25 run scenarios/lupil2_noninferiority.json --set deviation.new=0.25
expect prov_ni_25 itt_nri 0.1840
expect prov_ni_25 pp 0.0268

# ./build/trialsim run scenarios/lupil2_estimands.json   (its own 20,000 trials; README.md
# "Estimands" and PROVENANCE.md)
run prov_estimands run scenarios/lupil2_estimands.json
expect prov_estimands --after "bias/SD" itt_treatment_policy +0.0888 +0.0804 -0.0084 0.0011 -0.09 0.9498
expect prov_estimands --after "bias/SD" itt_composite +0.0754 +0.0670 -0.09
expect prov_estimands --after "bias/SD" itt_rescue_failure +0.1027 +0.0923 -0.11
expect prov_estimands --after "bias/SD" hypothetical_completers +0.0982 +0.0877 -0.11
expect prov_estimands --after "bias/SD" pp +0.0888 +0.0895
expect prov_estimands --after "bias/SD" sledai_hypothetical -0.8533 -0.7866 +0.08

# ./build/trialsim run scenarios/pss2022_estimands.json   (its own 20,000 trials; PROVENANCE.md)
run prov_pss_est run scenarios/pss2022_estimands.json
expect prov_pss_est completers_welch 0.9215
expect prov_pss_est tp_mmrm 0.9401
expect prov_pss_est hyp_mmrm 0.9637
expect prov_pss_est tp_j2r_ancova 0.9208
expect prov_pss_est hyp_mar_ancova 0.9540
expect prov_pss_est itt_fisher 0.6854
expect prov_pss_est --after "bias/SD" completers_welch -3.7446 0.0082 +0.0009 0.0112
expect prov_pss_est --after "bias/SD" tp_mmrm -3.7446 +0.0032 0.0110
expect prov_pss_est --after "bias/SD" hyp_mmrm -4.2129 -4.1890 +0.0238
expect prov_pss_est --after "bias/SD" tp_j2r_ancova -3.5531 +0.1915 0.0109 +0.19
expect prov_pss_est --after "bias/SD" hyp_mar_ancova -4.1900 +0.0228
# The sweep's points 0 and 6 (./build/trialsim sweep scenarios/pss2022_estimands.json --trials
# 4000: README.md, PROVENANCE.md) are these runs' trials
run prov_pss_d0 run scenarios/pss2022_estimands.json --trials 4000
expect prov_pss_d0 tp_j2r_ancova 0.9190
run prov_pss_d6 run scenarios/pss2022_estimands.json --trials 4000 --set 'analyses[3].imputation.delta=6'
expect prov_pss_d6 tp_j2r_ancova 0.8145

# ./build/trialsim run scenarios/gs_three_looks.json   (its own 40,000 trials and seed)
run prov_gs run scenarios/gs_three_looks.json
expect prov_gs itt 0.9005 0.0250 2195.8
expect prov_gs --after "where each analysis's trials stopped" itt 3.7103 0.0350
expect prov_gs --after "where each analysis's trials stopped" 2 2.5114 0.5276
expect prov_gs --after "where each analysis's trials stopped" 3 1.9930 0.3379
expect prov_gs --after "where each analysis's trials stopped" expected 2320.1 21.4

# ./build/trialsim run scenarios/teaching_small.json --trials 20000
run prov_teaching run scenarios/teaching_small.json --trials 20000
expect prov_teaching itt_pearson 0.6264 0.0532 40.0 +0.361
expect prov_teaching itt_fisher 0.5046 0.0243
expect prov_teaching completers_pearson 0.7000 0.0512 36.0 +0.401
expect prov_teaching completers_fisher 0.6360 0.0306

# ./build/trialsim analyze scenarios/published/<trial>.json (no simulation: exact p-values)
run an_lupil2 analyze scenarios/published/lupil2.json
expect an_lupil2 lupil2_itt 0.300381
expect an_lupil2 lupil2_pp 0.0155752
run an_he analyze scenarios/published/he2019_sle.json
expect an_he he2019_sri4_w12 0.0504481
expect an_he --after he2019_sri4_w12 n1_chisq 0.0524409 yes
expect an_he he2019_sri4_w24 0.0266878 yes
expect an_he he2019_ln_remission 0.0530048
run an_pss analyze scenarios/published/pss2022.json
expect an_pss --after pss_essdai fisher 0.00402546 yes
expect an_pss --after pss_essdai yates 0.00441999 yes
expect an_pss pss_infection 0.00558362 yes
expect an_pss --after pss_infection n1_chisq 0.00599435 yes
expect an_pss --after pss_infection barnard 0.00623334 yes
# scenarios/PROVENANCE.md, ESTABLISH-1 and -2: the margin tests' 95% intervals and which
# reproduce the published one
run an_est2 analyze scenarios/published/establish2_tedizolid.json
expect an_est2 --after "non-inferiority, H1" miettinen_nurminen -0.03002 0.08228 non-inferior reproduces
expect an_est2 --after "non-inferiority, H1" wald -0.02967 0.08179 non-inferior reproduces
expect an_est2 --after "non-inferiority, H1" newcombe -0.02995 0.08196 non-inferior reproduces
run an_est1 analyze scenarios/published/establish1_tedizolid.json
expect an_est1 --after "non-inferiority, H1" miettinen_nurminen -0.06043 0.06268 non-inferior
expect an_est1 --after "non-inferiority, H1" wald -0.06017 0.06247 non-inferior
expect an_est1 --after "non-inferiority, H1" newcombe -0.06022 0.06245 non-inferior
expect an_est1 --after "(estimate -0.02663)" miettinen_nurminen -0.09569 0.04257 non-inferior
expect an_est1 --after "(estimate -0.02663)" wald -0.09575 0.04249 non-inferior reproduces
expect an_est1 --after "(estimate -0.02663)" newcombe -0.09537 0.0424 non-inferior
# scenarios/PROVENANCE.md, LMA Supreme vs air-Q: the t-tests' p and intervals, against the margin
run an_sup analyze scenarios/published/supreme_airq_2019.json
expect an_sup supreme_leak_pressure welch_t 0.00197116 0.002 yes
expect an_sup --after supreme_leak_pressure student_t 0.00173581 yes
expect an_sup --after supreme_leak_pressure welch_t_margin 4.21792e-10
expect an_sup --after supreme_leak_pressure student_t_margin 1.83655e-10
expect an_sup --after "non-inferiority, H1" welch_t_margin 0.9486 4.051 non-inferior
expect an_sup --after "non-inferiority, H1" student_t_margin 0.9643 4.036 non-inferior

if [ "$failed" -ne 0 ]; then
  echo "doc_figures: a documented number differs from what its command prints (see above)" >&2
  exit 1
fi
echo "doc_figures: $checks checks passed"
