/* test_cohort.c TRIALSIM SCENARIO - `trialsim cohort --trial K` shows exactly the patients
 * `trialsim run` analysed as trial K.
 *
 * Runs `trialsim run SCENARIO --trials T --seed S`, then for every K < T and both hypotheses
 * `trialsim cohort SCENARIO --trial K --seed S [--null]`, and recomputes every analysis from
 * the patient rows with code written independently of the engine (cell tables, analysis.c,
 * ptanalysis.c): populations, visits, last observation carried forward, subgroups,
 * prespecified and data-driven site exclusion are applied here from the rules documented in
 * scenarios/README.md; only the statistical tests themselves are called from the library
 * (stattest.h, logistic.h, contest.h, ranktest.h, ancova.h; they have their own tests against
 * R). The counts in the run's summary.json - rejections, rejections favouring the
 * experimental arm, analysed N per arm, sites dropped, trials with a defined difference - and
 * the mean difference must then equal the recomputed ones, for every comparison. Any drift
 * between the streams the run uses and those the cohort command uses - a different seed
 * derivation, trial offset or draw order - or a population rule applied differently breaks
 * the equality.
 *
 * Two CSV formats are read, told apart by the header:
 *   cell-table model:  trial,hypothesis,patient,site,arm,dropout,deviation,(response_<ep>,p_<ep>)*
 *                      (a dropout's deviation and responses blank);
 *   latent model:      trial,hypothesis,patient,site,arm,dropout_before_week,deviation,
 *                      subgroup_<id>*,<ep>_baseline*,<ep>[_w<week>]*
 *                      (dropout_before_week blank when the patient never dropped out; a value
 *                      blank when not observed, i.e. at a visit from that week on).
 * The rows are also checked for consistency: blanks exactly where the dropout week says,
 * binary values 0/1, a derived end point agreeing with its source's threshold.
 *
 * Tolerances. Binary analyses are recomputed from exact counts, so everything must agree
 * exactly (the mean difference to 1e-12, far below its printed precision, while the run sums
 * differences in fixed point with a step of 2^-48). Continuous values are printed with %.10g,
 * so a recomputed mean is off by at most 5e-10 of the mean absolute value, and a test
 * statistic by a relative ~1e-9: a trial whose recomputed p lies within a relative 1e-6 of the
 * decision threshold alpha (1 - 1e-7) is counted as borderline (as is a Wilcoxon sample with a
 * tie, which rounding could have created), and only the borderline trials may decide
 * differently; their number is printed (with T = 40 there are normally none). The mean
 * difference of a continuous analysis must agree to 2e-9 times the mean over trials of the
 * data's scale (mean |value| of the patients compared, plus |slope| x mean |baseline| for
 * ANCOVA): twice the bound of the printing error.
 *
 * Site monitoring (scenario "monitoring"). From each cohort's rows - site, arm, randomised_month,
 * dropout_before_week, deviation, the rule's end point at its visit - every rule's flags are
 * recomputed per trial and hypothesis as scenarios/README.md and STATISTICS.md document them
 * (the section "Site monitoring, recomputed from the rows" below), the analyses'
 * exclude_flagged applied, and the counts behind summary.json "monitoring" compared exactly:
 * per check the trials holding it, patients and month; per rule and hypothesis detection,
 * every anomalous site flagged, any false alarm and the pooled shares, each by check, and per
 * site flagged when anomalous, false alarms and patients at the flag (anomalous sites: those
 * an enabled anomaly rule lists). With stop_enrolling, the stops the recomputed flags make
 * must be the trial's: nobody randomised at a site after the check that stopped it, and the
 * trial equal to `cohort --set 'monitoring.rules[R].stop_enrolling=false'` with those stops
 * applied (one rate: the same months, and the same site for every patient whose site had not
 * stopped; a rate per site: the same patients less the stopped sites' later ones).
 *
 * Usage: test_cohort TRIALSIM SCENARIO, or TRIALSIM --rules / --rules-single-arm /
 * --monitoring / --monitoring-at-looks for the built-in scenarios below. Registered on shipped
 * scenarios of the latent model, on one sampled per cell (whose patient rows are rebuilt from
 * the counts), on scenarios/lupil2_monitoring.json and on the built-ins.
 * Only decisions, counts and means reach summary.json, so a change that moves p-values a
 * little (a continuity correction, say) shows only when some p crosses an alpha: the
 * built-in scenario repeats one Wilcoxon analysis at alpha 0.3, 0.6 and 0.9 for that.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stats/ancova.h"
#include "check.h"
#include "stats/contest.h"
#include "stats/logistic.h"
#include "stats/ranktest.h"
#include "run/runner.h"
#include "stats/stattest.h"

#define T 40
#define SEED 99
#define MAXLINE 65536
#define BORDER_REL 1e-6 /* relative distance of p from the decision threshold: borderline */

/* One cohort, whichever format it came in. A value is addressed by (end point, own visit). */
typedef struct cohort {
  int n, cap;
  int *site, *arm, *dev;
  unsigned *sub;       /* subgroup membership bits */
  double *gone;        /* week of the first visit missed (dropout before it); INFINITY: none */
  double *val;         /* [n][nmeas], NaN = blank */
  double *base;        /* [n][nendpoints], NaN = none */
  double *month;       /* randomised_month (with accrual), else NaN */
} cohort;

static int nmeas, meas[TSIM_MAX_ENDPOINTS][TSIM_MAX_VISITS];
static cohort co;

/* Built-in scenarios (--rules, --rules-single-arm): the shipped ones use only some of the
 * population rules, so these two exercise every one of them on the latent model - LOCF over
 * four visits (the latest earlier assessment, not the first), per-protocol at an earlier visit,
 * subgroups, prespecified and data-driven site exclusion together, CMH and logistic stratified
 * by site, one-sided tests of every kind, ANCOVA, Wilcoxon, a derived end point, a harm,
 * outcome-dependent dropout (so the two hypotheses have different dropouts), an anomaly, three
 * arms, and a single arm against p0. Written to a temporary file for the run and the cohorts. */
static const char *const rules_json[] = {
    "{",
    " \"name\": \"cohort_rules\",",
    " \"description\": \"test_cohort.c: every population rule of the latent model, three arms\",",
    " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e1\"}, {\"id\": \"e2\", \"allocation\": 2}],",
    " \"sample_size\": 120,",
    " \"randomization\": {\"method\": \"block\", \"block_size\": 4, \"stratify_by_site\": true},",
    " \"sites\": {\"count\": 4, \"heterogeneity_sd\": 0.5,",
    "           \"anomalies\": [{\"sites\": [3], \"arm\": \"c\", \"response\": 0.95}]},",
    " \"visits\": [4, 8, 12, 16],",
    " \"visit_correlation\": 0.6,",
    " \"subgroups\": [{\"id\": \"g\", \"prevalence\": 0.4}, {\"id\": \"h\", \"prevalence\": 0.7}],",
    " \"endpoints\": [",
    "  {\"id\": \"r\", \"type\": \"binary\",",
    "   \"response\": {\"c\": [0.3, 0.35, 0.4, 0.4], \"e1\": [0.4, 0.5, 0.6, 0.65], \"e2\": [0.35, 0.45, 0.5, 0.55]}},",
    "  {\"id\": \"y\", \"type\": \"continuous\",",
    "   \"mean\": {\"c\": [0, -0.5, -1, -1], \"e1\": [-0.5, -1.5, -2.5, -3], \"e2\": [0, -1, -1.5, -2]},",
    "   \"sd\": {\"c\": 3, \"e1\": 3, \"e2\": 4}, \"higher_is_better\": false,",
    "   \"baseline\": {\"mean\": 10, \"sd\": 2, \"correlation\": 0.5}},",
    "  {\"id\": \"yr\", \"type\": \"binary\", \"from\": {\"endpoint\": \"y\", \"at_most\": -2}},",
    "  {\"id\": \"harm\", \"type\": \"binary\", \"response\": {\"c\": 0.2, \"e1\": 0.1, \"e2\": 0.3}, \"visits\": [8, 16],",
    "   \"higher_is_better\": false}",
    " ],",
    " \"correlation\": [{\"endpoints\": [\"r\", \"y\"], \"rho\": -0.5}],",
    " \"dropout\": {\"c\": [0.05, 0.1, 0.2, 0.3], \"e1\": [0.05, 0.15, 0.25, 0.3], \"e2\": 0.3},",
    " \"deviation\": {\"c\": 0.1, \"e1\": 0.15, \"e2\": 0.2},",
    " \"dropout_mnar\": {\"endpoint\": \"r\", \"ratio\": 2},",
    " \"analyses\": [",
    "  {\"id\": \"r_nri_pearson\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"non_responder\", \"test\": \"pearson\"},",
    "  {\"id\": \"r_locf_n1\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"locf\", \"test\": \"n1_chisq\"},",
    "  {\"id\": \"r_locf_w12_yates\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"locf\", \"visit\": 12, \"test\": \"yates\"},",
    "  {\"id\": \"r_exclude_w8_fisher1\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"exclude\", \"visit\": 8,",
    "   \"test\": \"fisher\", \"sided\": 1},",
    "  {\"id\": \"r_pp_cmh\", \"endpoint\": \"r\", \"population\": \"per_protocol\", \"test\": \"cmh\"},",
    "  {\"id\": \"r_pp_cmh1_excl\", \"endpoint\": \"r\", \"population\": \"per_protocol\", \"test\": \"cmh\", \"sided\": 1,",
    "   \"exclude_sites\": [0]},",
    "  {\"id\": \"r_exclude_logistic_g\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"exclude\",",
    "   \"test\": \"logistic\", \"subgroup\": \"g\"},",
    "  {\"id\": \"r_locf_logistic1\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"locf\", \"test\": \"logistic\",",
    "   \"sided\": 1},",
    "  {\"id\": \"r_pp_where\", \"endpoint\": \"r\", \"population\": \"per_protocol\", \"test\": \"pearson\",",
    "   \"exclude_sites_where\": {\"arm\": \"c\", \"response_at_least\": 0.5, \"min_patients\": 2}},",
    "  {\"id\": \"r_nri_where_excl\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"non_responder\",",
    "   \"test\": \"fisher\", \"exclude_sites\": [1],",
    "   \"exclude_sites_where\": {\"arm\": \"e1\", \"response_at_least\": 0.6, \"min_patients\": 3}},",
    "  {\"id\": \"yr_locf_fisher_h\", \"endpoint\": \"yr\", \"population\": \"itt\", \"missing\": \"locf\", \"test\": \"fisher\",",
    "   \"subgroup\": \"h\"},",
    "  {\"id\": \"yr_pp_w8_pearson1\", \"endpoint\": \"yr\", \"population\": \"per_protocol\", \"visit\": 8,",
    "   \"test\": \"pearson\", \"sided\": 1},",
    "  {\"id\": \"harm_nri_fisher\", \"endpoint\": \"harm\", \"population\": \"itt\", \"missing\": \"non_responder\",",
    "   \"test\": \"fisher\", \"alpha\": 0.1},",
    "  {\"id\": \"harm_locf_pearson1\", \"endpoint\": \"harm\", \"population\": \"itt\", \"missing\": \"locf\",",
    "   \"test\": \"pearson\", \"sided\": 1},",
    "  {\"id\": \"y_exclude_welch\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"welch_t\"},",
    "  {\"id\": \"y_locf_student\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"locf\", \"test\": \"student_t\"},",
    "  {\"id\": \"y_pp_w8_wilcoxon1\", \"endpoint\": \"y\", \"population\": \"per_protocol\", \"visit\": 8,",
    "   \"test\": \"wilcoxon\", \"sided\": 1},",
    "  {\"id\": \"y_locf_ancova1_g\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"locf\", \"test\": \"ancova\",",
    "   \"sided\": 1, \"subgroup\": \"g\"},",
    "  {\"id\": \"y_pp_ancova_excl\", \"endpoint\": \"y\", \"population\": \"per_protocol\", \"test\": \"ancova\",",
    "   \"exclude_sites\": [2]},",
    "  {\"id\": \"y_exclude_w4_wilcoxon\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"exclude\", \"visit\": 4,",
    "   \"test\": \"wilcoxon\"},",
    "  {\"id\": \"y_exclude_wilcoxon_a30\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"exclude\",",
    "   \"test\": \"wilcoxon\", \"alpha\": 0.3},",
    "  {\"id\": \"y_exclude_wilcoxon_a60\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"exclude\",",
    "   \"test\": \"wilcoxon\", \"alpha\": 0.6},",
    "  {\"id\": \"y_exclude_wilcoxon_a90\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"exclude\",",
    "   \"test\": \"wilcoxon\", \"alpha\": 0.9}",
    " ],",
    " \"alpha\": 0.05,",
    " \"trials\": 1000,",
    " \"seed\": 5",
    "}",
    NULL};

static const char *const rules_single_arm_json[] = {
    "{",
    " \"name\": \"cohort_rules_single_arm\",",
    " \"description\": \"test_cohort.c: every population rule of the latent model, one arm\",",
    " \"arms\": [{\"id\": \"t\"}],",
    " \"sample_size\": 50,",
    " \"randomization\": {\"method\": \"fixed\"},",
    " \"sites\": {\"count\": 3, \"heterogeneity_sd\": 0.4},",
    " \"visits\": [2, 4, 6, 8],",
    " \"visit_correlation\": 0.7,",
    " \"subgroups\": [{\"id\": \"g\", \"prevalence\": 0.5}],",
    " \"endpoints\": [",
    "  {\"id\": \"s\", \"type\": \"binary\", \"response\": {\"t\": [0.4, 0.5, 0.6, 0.7]}, \"p0\": 0.45},",
    "  {\"id\": \"a\", \"type\": \"binary\", \"response\": {\"t\": 0.15}, \"p0\": 0.05, \"visits\": [4, 8],",
    "   \"higher_is_better\": false}",
    " ],",
    " \"dropout\": {\"t\": [0.05, 0.15, 0.25, 0.35]},",
    " \"deviation\": {\"t\": 0.2},",
    " \"dropout_mnar\": {\"endpoint\": \"s\", \"ratio\": 1.5},",
    " \"analyses\": [",
    "  {\"id\": \"s_nri\", \"endpoint\": \"s\", \"population\": \"itt\", \"missing\": \"non_responder\", \"test\": \"binomial_exact\"},",
    "  {\"id\": \"s_locf\", \"endpoint\": \"s\", \"population\": \"itt\", \"missing\": \"locf\", \"test\": \"binomial_exact\"},",
    "  {\"id\": \"s_locf_w6_1\", \"endpoint\": \"s\", \"population\": \"itt\", \"missing\": \"locf\", \"visit\": 6,",
    "   \"test\": \"binomial_exact\", \"sided\": 1},",
    "  {\"id\": \"s_pp_w4_1\", \"endpoint\": \"s\", \"population\": \"per_protocol\", \"visit\": 4, \"test\": \"binomial_exact\",",
    "   \"sided\": 1},",
    "  {\"id\": \"s_exclude_g\", \"endpoint\": \"s\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"binomial_exact\",",
    "   \"subgroup\": \"g\"},",
    "  {\"id\": \"s_pp_where_excl\", \"endpoint\": \"s\", \"population\": \"per_protocol\", \"test\": \"binomial_exact\",",
    "   \"exclude_sites\": [2], \"exclude_sites_where\": {\"arm\": \"t\", \"response_at_least\": 0.8, \"min_patients\": 2}},",
    "  {\"id\": \"a_nri_1\", \"endpoint\": \"a\", \"population\": \"itt\", \"missing\": \"non_responder\", \"test\": \"binomial_exact\",",
    "   \"sided\": 1, \"alpha\": 0.1},",
    "  {\"id\": \"a_locf\", \"endpoint\": \"a\", \"population\": \"itt\", \"missing\": \"locf\", \"test\": \"binomial_exact\"}",
    " ],",
    " \"alpha\": 0.05,",
    " \"trials\": 1000,",
    " \"seed\": 6",
    "}",
    NULL};

/* --monitoring: site monitoring checked every 20 patients, one accrual rate with a ramp-up. Rules
 * of every kind: binomial blinded and in one arm, higher / lower / either, adjusted for none,
 * sites and sites x checks, read at the last visit and an earlier one; thresholds; response,
 * dropout (outcome-dependent, so the hypotheses differ) and deviation; a rule that stops
 * enrolment. Anomalies: control at site 0 responds, the experimental arm at site 4 does not, and
 * a disabled rule on site 5 (honest). Analyses remove flagged sites on ITT and per protocol,
 * with prespecified and data-driven exclusion, stratified tests and a continuous one. */
static const char *const monitoring_json[] = {
    "{",
    " \"name\": \"cohort_monitoring\",",
    " \"description\": \"test_cohort.c: site monitoring, every rule kind, flagged sites removed, stops\",",
    " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e\"}],",
    " \"sample_size\": 120,",
    " \"randomization\": {\"method\": \"block\", \"block_size\": 4, \"stratify_by_site\": true},",
    " \"accrual\": {\"patients_per_month\": 10, \"ramp_up_months\": 2},",
    " \"sites\": {\"count\": 6, \"weights\": [0.25, 0.2, 0.15, 0.15, 0.15, 0.1], \"heterogeneity_sd\": 0.3,",
    "           \"anomalies\": [{\"sites\": [0], \"arm\": \"c\", \"response\": 0.95},",
    "                         {\"sites\": [4], \"arm\": \"e\", \"response\": 0.05},",
    "                         {\"sites\": [5], \"arm\": \"c\", \"response\": 0.9, \"enabled\": false}]},",
    " \"visits\": [4, 12],",
    " \"endpoints\": [",
    "  {\"id\": \"r\", \"type\": \"binary\", \"response\": {\"c\": [0.3, 0.4], \"e\": [0.4, 0.6]}},",
    "  {\"id\": \"y\", \"type\": \"continuous\", \"mean\": {\"c\": 0, \"e\": -1}, \"sd\": {\"c\": 3, \"e\": 3},",
    "   \"higher_is_better\": false, \"visits\": [12]}",
    " ],",
    " \"dropout\": {\"c\": [0.05, 0.15], \"e\": [0.1, 0.2]},",
    " \"deviation\": {\"c\": 0.1, \"e\": 0.15},",
    " \"dropout_mnar\": {\"endpoint\": \"r\", \"ratio\": 2},",
    " \"monitoring\": {\"every_patients\": 20, \"rules\": [",
    "  {\"id\": \"blind_higher_sites\", \"measure\": \"response\", \"endpoint\": \"r\", \"test\": \"binomial\",",
    "   \"alpha\": 0.2, \"adjust\": \"sites\", \"direction\": \"higher\", \"min_patients\": 3},",
    "  {\"id\": \"c_either_w4\", \"arm\": \"c\", \"measure\": \"response\", \"endpoint\": \"r\", \"visit\": 4,",
    "   \"test\": \"binomial\", \"alpha\": 0.05, \"direction\": \"either\", \"min_patients\": 2},",
    "  {\"id\": \"e_lower_checks\", \"arm\": \"e\", \"measure\": \"response\", \"endpoint\": \"r\", \"test\": \"binomial\",",
    "   \"alpha\": 0.5, \"adjust\": \"sites_and_checks\", \"direction\": \"lower\", \"min_patients\": 3},",
    "  {\"id\": \"dropout_either\", \"measure\": \"dropout\", \"endpoint\": \"r\", \"test\": \"binomial\", \"alpha\": 0.2,",
    "   \"direction\": \"either\"},",
    "  {\"id\": \"e_deviation_higher\", \"arm\": \"e\", \"measure\": \"deviation\", \"endpoint\": \"y\",",
    "   \"test\": \"binomial\", \"alpha\": 0.1, \"adjust\": \"none\", \"min_patients\": 2},",
    "  {\"id\": \"dropout_w4_threshold\", \"measure\": \"dropout\", \"endpoint\": \"r\", \"visit\": 4,",
    "   \"test\": \"threshold\", \"rate_at_least\": 0.25, \"min_patients\": 4},",
    "  {\"id\": \"dmc_stop\", \"arm\": \"c\", \"measure\": \"response\", \"endpoint\": \"r\", \"test\": \"threshold\",",
    "   \"rate_at_least\": 0.75, \"min_patients\": 3, \"stop_enrolling\": true}",
    " ]},",
    " \"analyses\": [",
    "  {\"id\": \"itt\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"non_responder\", \"test\": \"pearson\"},",
    "  {\"id\": \"pp\", \"endpoint\": \"r\", \"population\": \"per_protocol\", \"test\": \"pearson\"},",
    "  {\"id\": \"itt_without_dmc\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"non_responder\",",
    "   \"test\": \"fisher\", \"exclude_flagged\": [\"dmc_stop\"]},",
    "  {\"id\": \"pp_without_three\", \"endpoint\": \"r\", \"population\": \"per_protocol\", \"test\": \"pearson\",",
    "   \"exclude_flagged\": [\"blind_higher_sites\", \"e_deviation_higher\", \"dropout_w4_threshold\"]},",
    "  {\"id\": \"pp_cmh_without_c\", \"endpoint\": \"r\", \"population\": \"per_protocol\", \"test\": \"cmh\",",
    "   \"exclude_flagged\": [\"c_either_w4\"]},",
    "  {\"id\": \"exclude_logistic_without\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"exclude\",",
    "   \"test\": \"logistic\", \"exclude_flagged\": [\"blind_higher_sites\", \"dmc_stop\"]},",
    "  {\"id\": \"pp_where_excl_without\", \"endpoint\": \"r\", \"population\": \"per_protocol\", \"test\": \"pearson\",",
    "   \"exclude_sites\": [1], \"exclude_sites_where\": {\"arm\": \"c\", \"response_at_least\": 0.7, \"min_patients\": 2},",
    "   \"exclude_flagged\": [\"dmc_stop\", \"e_lower_checks\"]},",
    "  {\"id\": \"locf_w4_without\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"locf\", \"visit\": 4,",
    "   \"test\": \"pearson\", \"sided\": 1, \"exclude_flagged\": [\"dropout_either\"]},",
    "  {\"id\": \"y_welch_without\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"exclude\",",
    "   \"test\": \"welch_t\", \"exclude_sites\": [2], \"exclude_flagged\": [\"dropout_either\", \"dmc_stop\"]}",
    " ],",
    " \"alpha\": 0.05,",
    " \"trials\": 1000,",
    " \"seed\": 7",
    "}",
    NULL};

/* --monitoring-at-looks: checks at the interim looks (by patients, counted at an earlier visit
 * than the rules read), a rate per site with fixed openings, two stop rules - one stopping every
 * site with 12 patients read, so that often only the last site still enrolling is left (it
 * never stops) and takes the rest of the sample. Haybittle-Peto
 * interims at z = 40 never stop a trial, so every analysis is decided at the final look, as the
 * comparison with summary.json needs. */
static const char *const monitoring_looks_json[] = {
    "{",
    " \"name\": \"cohort_monitoring_at_looks\",",
    " \"description\": \"test_cohort.c: site monitoring at interim looks, stops with a rate per site\",",
    " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e\"}],",
    " \"sample_size\": 100,",
    " \"randomization\": {\"method\": \"simple\"},",
    " \"accrual\": {\"per_site_per_month\": 1, \"site_open_months\": [0, 0, 1, 2, 3]},",
    " \"sites\": {\"count\": 5, \"weights\": [0.3, 0.2, 0.2, 0.15, 0.15], \"heterogeneity_sd\": 0.2,",
    "           \"anomalies\": [{\"sites\": [1, 3], \"arm\": \"c\", \"response\": 1.0}]},",
    " \"visits\": [2, 8],",
    " \"endpoints\": [{\"id\": \"r\", \"type\": \"binary\", \"response\": {\"c\": [0.3, 0.4], \"e\": [0.45, 0.6]}}],",
    " \"dropout\": {\"c\": [0.05, 0.1], \"e\": [0.05, 0.15]},",
    " \"deviation\": {\"c\": 0.1, \"e\": 0.1},",
    " \"looks\": {\"patients\": [25, 50, 75, 100], \"efficacy\": {\"spending\": \"haybittle_peto\", \"z\": 39},",
    "           \"information_from\": \"itt_w2\"},",
    " \"monitoring\": {\"at_looks\": true, \"rules\": [",
    "  {\"id\": \"blind_higher\", \"measure\": \"response\", \"test\": \"binomial\", \"alpha\": 0.3,",
    "   \"adjust\": \"sites_and_checks\", \"min_patients\": 3},",
    "  {\"id\": \"c_w2_either\", \"arm\": \"c\", \"measure\": \"response\", \"visit\": 2, \"test\": \"binomial\",",
    "   \"alpha\": 0.1, \"direction\": \"either\", \"adjust\": \"sites\"},",
    "  {\"id\": \"dmc_stop\", \"arm\": \"c\", \"measure\": \"response\", \"test\": \"threshold\", \"rate_at_least\": 0.8,",
    "   \"min_patients\": 3, \"stop_enrolling\": true},",
    "  {\"id\": \"full_stop\", \"measure\": \"deviation\", \"test\": \"threshold\", \"rate_at_least\": 0,",
    "   \"min_patients\": 12, \"stop_enrolling\": true}",
    " ]},",
    " \"analyses\": [",
    "  {\"id\": \"itt\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"non_responder\", \"test\": \"pearson\"},",
    "  {\"id\": \"itt_w2\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"exclude\", \"visit\": 2,",
    "   \"test\": \"pearson\"},",
    "  {\"id\": \"itt_without_flagged\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"non_responder\",",
    "   \"test\": \"pearson\", \"exclude_flagged\": [\"dmc_stop\", \"c_w2_either\"]},",
    "  {\"id\": \"pp_without_blinded\", \"endpoint\": \"r\", \"population\": \"per_protocol\", \"test\": \"fisher\",",
    "   \"exclude_flagged\": [\"blind_higher\"]}",
    " ],",
    " \"alpha\": 0.05,",
    " \"trials\": 1000,",
    " \"seed\": 8",
    "}",
    NULL};

static int arm_index(const tsim_scenario *sc, const char *id) {
  for (int a = 0; a < sc->narms; a++)
    if (strcmp(sc->arms[a].id, id) == 0) return a;
  return -1;
}

/* The week of own visit v of end point e (0 for a scenario without visits). */
static double week_of(const tsim_scenario *sc, int e, int v) {
  return sc->visit_week[sc->endpoints[e].visits[v]];
}

/* Was patient j assessed at own visit v of end point e? Patients who drop out before week W
 * are observed at every visit before W and at none from W on. */
static int observed(const tsim_scenario *sc, int j, int e, int v) {
  return week_of(sc, e, v) < co.gone[j];
}

static double *valp(int j, int e, int v) { return &co.val[(size_t)j * (size_t)nmeas + (size_t)meas[e][v]]; }

static int grow(const tsim_scenario *sc, int need) {
  if (need <= co.cap) return 0;
  int cap = need * 2;
  co.site = realloc(co.site, (size_t)cap * sizeof *co.site);
  co.arm = realloc(co.arm, (size_t)cap * sizeof *co.arm);
  co.dev = realloc(co.dev, (size_t)cap * sizeof *co.dev);
  co.sub = realloc(co.sub, (size_t)cap * sizeof *co.sub);
  co.gone = realloc(co.gone, (size_t)cap * sizeof *co.gone);
  co.val = realloc(co.val, (size_t)cap * (size_t)nmeas * sizeof *co.val);
  co.base = realloc(co.base, (size_t)cap * (size_t)sc->nendpoints * sizeof *co.base);
  co.month = realloc(co.month, (size_t)cap * sizeof *co.month);
  if (!co.site || !co.arm || !co.dev || !co.sub || !co.gone || !co.val || !co.base || !co.month) return -1;
  co.cap = cap;
  return 0;
}

/* Splits line (modified) at commas into at most max fields; returns how many. */
static int split(char *line, char **f, int max) {
  line[strcspn(line, "\r\n")] = '\0';
  int n = 0;
  for (char *p = line; n < max;) {
    f[n++] = p;
    char *c = strchr(p, ',');
    if (!c) break;
    *c = '\0';
    p = c + 1;
  }
  return n;
}

/* A numeric field: NaN when blank; 1 on success, 0 when not a number. */
static int num(const char *s, double *v) {
  if (!*s) { *v = NAN; return 1; }
  char *end;
  *v = strtod(s, &end);
  return *end == '\0' && isfinite(*v);
}

static int find_col(char **names, int ncol, const char *name) {
  for (int c = 0; c < ncol; c++)
    if (strcmp(names[c], name) == 0) return c;
  return -1;
}

enum { FMT_CELL = 0, FMT_LATENT = 1 };

/* Reads the CSV of one cohort into co; returns the number of patients or -1. *fmt gets the
 * format of the header. */
static int read_cohort(const tsim_scenario *sc, const char *exe, int k, int null_twin, int *fmt) {
  static char header[MAXLINE], line[MAXLINE];
  static char *names[1024], *f[1024];
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' cohort '%s' --trial %d --seed %d %s", exe, sc->file, k, SEED,
           null_twin ? "--null" : "");
  FILE *pf = popen(cmd, "r");
  if (!pf) return -1;
  int n = 0, bad = 0;
  if (!fgets(header, sizeof header, pf)) { pclose(pf); return -1; }
  int ncol = split(header, names, 1024);
  /* Column of every (end point, own visit) value, baseline and subgroup. */
  int col_val[TSIM_MAX_ENDPOINTS][TSIM_MAX_VISITS], col_base[TSIM_MAX_ENDPOINTS];
  int col_sub[TSIM_MAX_SUBGROUPS];
  char name[2 * TSIM_ID_MAX + 32];
  *fmt = ncol > 5 && strcmp(names[5], "dropout_before_week") == 0 ? FMT_LATENT : FMT_CELL;
  static const char *const fixed[] = {"trial", "hypothesis", "patient", "site", "arm", NULL, "deviation"};
  for (int c = 0; c < 7; c++)
    if (c == 5 ? strcmp(names[5], *fmt ? "dropout_before_week" : "dropout") != 0
               : c >= ncol || strcmp(names[c], fixed[c]) != 0) {
      fprintf(stderr, "cohort --trial %d: unexpected header column %d '%s'\n", k, c, c < ncol ? names[c] : "");
      bad = 1;
    }
  for (int e = 0; e < sc->nendpoints; e++) {
    const tsim_endpoint *ep = &sc->endpoints[e];
    col_base[e] = -1;
    if (*fmt == FMT_LATENT && ep->has_baseline) {
      snprintf(name, sizeof name, "%s_baseline", ep->id);
      if ((col_base[e] = find_col(names, ncol, name)) < 0) bad = 1;
    }
    for (int v = 0; v < ep->nvisits; v++) {
      if (*fmt == FMT_CELL) snprintf(name, sizeof name, "response_%s", ep->id);
      else if (sc->visit_week[0] > 0) snprintf(name, sizeof name, "%s_w%g", ep->id, week_of(sc, e, v));
      else snprintf(name, sizeof name, "%s", ep->id);
      if ((col_val[e][v] = find_col(names, ncol, name)) < 0) {
        fprintf(stderr, "cohort --trial %d: no column %s\n", k, name);
        bad = 1;
      }
    }
  }
  for (int g = 0; g < sc->nsubgroups; g++) {
    snprintf(name, sizeof name, "subgroup_%s", sc->subgroups[g].id);
    if ((col_sub[g] = find_col(names, ncol, name)) < 0) bad = 1;
  }
  int col_month = find_col(names, ncol, "randomised_month");
  if ((col_month >= 0) != (sc->accrual.mode != TSIM_ACCRUAL_NONE)) {
    fprintf(stderr, "cohort --trial %d: a randomised_month column %s accrual\n", k,
            col_month >= 0 ? "without" : "missing, with");
    bad = 1;
  }
  if (bad) { pclose(pf); return -1; }
  const char *hyp = null_twin ? "null" : "alternative";
  while (!bad && fgets(line, sizeof line, pf)) {
    if (grow(sc, n + 1) != 0) { bad = 1; break; }
    int nf = split(line, f, 1024);
    double x;
    if (nf != ncol || atoi(f[0]) != k || strcmp(f[1], hyp) != 0 || atoi(f[2]) != n) {
      fprintf(stderr, "cohort --trial %d: row %d has %d fields or the wrong trial/hypothesis/patient\n", k, n, nf);
      bad = 1;
      break;
    }
    co.site[n] = atoi(f[3]);
    co.arm[n] = arm_index(sc, f[4]);
    if (co.site[n] < 0 || co.site[n] >= sc->nsites || co.arm[n] < 0) {
      fprintf(stderr, "cohort --trial %d: row %d has site %s, arm %s\n", k, n, f[3], f[4]);
      bad = 1;
      break;
    }
    /* Dropout. */
    if (!num(f[5], &x)) bad = 1;
    if (*fmt == FMT_CELL) {
      if (x != 0 && x != 1) bad = 1;
      co.gone[n] = x == 1 ? -INFINITY : INFINITY; /* a dropout is assessed at no visit */
    } else {
      int known = isnan(x);
      for (int v = 0; v < sc->nvisits; v++) known |= x == sc->visit_week[v];
      if (!known) bad = 1;
      co.gone[n] = isnan(x) ? INFINITY : x;
    }
    /* Deviation: blank for a dropout in the cell format. */
    if (!num(f[6], &x)) bad = 1;
    if (*fmt == FMT_CELL && co.gone[n] < 0 && !isnan(x)) {
      fprintf(stderr, "cohort --trial %d: dropout %d has a deviation\n", k, n);
      bad = 1;
    }
    if (isnan(x)) x = 0;
    if (x != 0 && x != 1) bad = 1;
    co.dev[n] = x == 1;
    /* With accrual, patients are in the order they were randomised. */
    co.month[n] = NAN;
    if (col_month >= 0 && (!num(f[col_month], &co.month[n]) || isnan(co.month[n]) ||
                           (n > 0 && co.month[n] < co.month[n - 1]))) {
      fprintf(stderr, "cohort --trial %d: patient %d randomised at '%s'\n", k, n, f[col_month]);
      bad = 1;
    }
    co.sub[n] = 0;
    for (int g = 0; g < sc->nsubgroups; g++) {
      if (!num(f[col_sub[g]], &x) || (x != 0 && x != 1)) bad = 1;
      co.sub[n] |= (unsigned)(x == 1) << g;
    }
    for (int e = 0; e < sc->nendpoints; e++) {
      const tsim_endpoint *ep = &sc->endpoints[e];
      double *b = &co.base[(size_t)n * (size_t)sc->nendpoints + (size_t)e];
      *b = NAN;
      if (col_base[e] >= 0 && (!num(f[col_base[e]], b) || isnan(*b))) {
        fprintf(stderr, "cohort --trial %d: patient %d has no baseline %s\n", k, n, ep->id);
        bad = 1;
      }
      for (int v = 0; v < ep->nvisits; v++) {
        double *y = valp(n, e, v);
        if (!num(f[col_val[e][v]], y)) bad = 1;
        if (isnan(*y) == observed(sc, n, e, v)) {
          fprintf(stderr, "cohort --trial %d: patient %d, %s visit %d: %s, but %s\n", k, n, ep->id,
                  v, isnan(*y) ? "blank" : "a value", observed(sc, n, e, v) ? "observed" : "not observed");
          bad = 1;
        }
        if (ep->type == TSIM_EP_BINARY && !isnan(*y) && *y != 0 && *y != 1) bad = 1;
      }
    }
    /* A derived end point follows its source's threshold, patient by patient. */
    for (int e = 0; e < sc->nendpoints; e++) {
      const tsim_endpoint *ep = &sc->endpoints[e];
      for (int v = 0; ep->source >= 0 && v < ep->nvisits; v++) {
        double y = *valp(n, e, v), s = *valp(n, ep->source, v);
        if (isnan(y) || isnan(s) || fabs(s - ep->threshold) < 1e-8 * (1 + fabs(ep->threshold))) continue;
        if (y != (double)(ep->at_least ? s >= ep->threshold : s <= ep->threshold)) {
          fprintf(stderr, "cohort --trial %d: patient %d: %s = %g but %s = %.10g\n", k, n, ep->id, y,
                  sc->endpoints[ep->source].id, s);
          bad = 1;
        }
      }
    }
    if (bad) fprintf(stderr, "cohort --trial %d: bad row %d\n", k, n);
    n++;
  }
  int rc = pclose(pf);
  co.n = n;
  return rc == 0 && !bad ? n : -1;
}

/* The value patient j contributes to analysis an (1, *v set), or 0 when it is not analysed -
 * the populations of scenarios/README.md:
 *   per_protocol          assessed at the analysis's visit and without a major deviation;
 *   itt + exclude         assessed at the visit;
 *   itt + non_responder   everyone; not assessed counts as 0 (non-responder / no event);
 *   itt + locf            assessed at the visit, or else the end point's latest earlier
 *                         assessment; never assessed before: left out;
 * and a subgroup keeps only its members. */
static int value_of(const tsim_scenario *sc, const tsim_analysis *an, int j, double *v) {
  int e = an->endpoint;
  if (an->subgroup >= 0 && !((co.sub[j] >> an->subgroup) & 1u)) return 0;
  if (an->population == TSIM_POP_PER_PROTOCOL) {
    if (co.dev[j] || !observed(sc, j, e, an->visit)) return 0;
    *v = *valp(j, e, an->visit);
    return 1;
  }
  if (observed(sc, j, e, an->visit)) {
    *v = *valp(j, e, an->visit);
    return 1;
  }
  if (an->missing == TSIM_MISSING_NON_RESPONDER) {
    *v = 0;
    return 1;
  }
  if (an->missing == TSIM_MISSING_LOCF) {
    int last = -1;
    for (int u = 0; u < an->visit; u++)
      if (observed(sc, j, e, u)) last = u;
    if (last >= 0) {
      *v = *valp(j, e, last);
      return 1;
    }
  }
  return 0;
}

typedef struct sums {
  long long reject, favour, n0, n1, dropped, defined, border;
  double diff, scale; /* scale: sum over defined trials of the data's scale (continuous) */
} sums;

static int ncmp;
static int cmp_arm[TSIM_MAX_ARMS];
/* The level each analysis decides at: its alpha, or with interim looks the final look's nominal
 * level from summary.json (the looks of the built-in scenario never stop a trial early). */
static double level_of[TSIM_MAX_ANALYSES];
static long long *sx, *sn;                   /* [nsites][narms] */
static long long *s0x, *s0n, *s1x, *s1n;     /* kept strata */
static unsigned char *gone_site;
static tsim_logit_ws *lws;
static tsim_rank_ws *rws;
static tsim_ancova_ws *aws;
static double *ys0, *ys1, *bs0, *bs1; /* the two arms' values and baselines */

static double one_sided(double p2, double dir, int higher_is_better) {
  if (isnan(p2) || isnan(dir)) return NAN;
  return (higher_is_better ? dir > 0 : dir < 0) ? p2 / 2 : 1 - p2 / 2;
}

static int borderline(double p, double alpha) {
  return !isnan(p) && fabs(p - alpha * (1 - TSIM_REL_TIE)) <= BORDER_REL * alpha;
}

/* One comparison of one trial into its sums: the decision on p at alpha, whether a rejection
 * favours the experimental arm (diff in the end point's better direction), the patients and
 * sites, and the difference where the comparison is defined. */
static void tally(sums *a, double p, double alpha, double diff, int higher_is_better,
                  int defined, long long n0, long long n1, int dropped) {
  int reject = tsim_reject(p, alpha);
  a->reject += reject;
  a->favour += reject && (higher_is_better ? diff > 0 : diff < 0);
  a->n0 += n0;
  a->n1 += n1;
  a->dropped += dropped;
  if (defined) {
    a->defined++;
    a->diff += diff;
  }
}

/* ---- Site monitoring, recomputed from the rows ----------------------------------------------
 * As scenarios/README.md ("monitoring: sites during the trial") and STATISTICS.md ("Site
 * monitoring") document it; no engine code is called but stattest.h's binomial p-values:
 *   checks      every_patients k: at the randomisation month of patient k, 2k, ... (1-based),
 *               sample_size / k of them; at_looks: at each interim look, dated when the look's
 *               count of patients has reached the visit of information_from (looks by patients
 *               or information; not by months);
 *   reading     at a check dated T, rule r reads the patients with randomised_month + week x 7 /
 *               30.4375 <= T (week: the rule's visit), of its arm or of every arm;
 *   counts      per site x of n: response - responders among the assessed at that visit;
 *               dropout - dropped out before it among everyone read; deviation - major
 *               deviations among the assessed;
 *   tests       threshold: n >= min_patients and x >= rate n - 1e-9 n; binomial: n >= min and
 *               N - n > 0, p0 = (X - x) / (N - n) (X, N: every site's), p of Bin(n, p0) upper
 *               tail (higher), lower tail (lower) or two-sided as R's binom.test (either; the
 *               p-values are stattest.h's, tested against R), flagged when p < level (1 - 1e-7),
 *               level = alpha, alpha / sites, alpha / (sites x planned checks);
 *   a site stays flagged: its first flagging check is kept.
 * Then analyses: exclude_flagged removes the sites flagged at checks dated no later than the
 * final analysis (the last patient's last visit). */
static int mon_ck;                  /* planned checks */
static double *ck_date;             /* [mon_ck] this trial's check months */
static long long *ck_rand;          /* [mon_ck] patients randomised by each */
static int *mflag;                  /* [r S + s] check at which rule r first flagged site s, -1 */
static long long *site_x, *site_n;  /* [S] one rule's counts at one check */
static double *close_at;            /* [S] month a site stopped enrolling (INFINITY: never) */
static unsigned char *anomalous;    /* [S] a listed site of an enabled anomaly rule */
static int anom_known, anom_any;    /* every enabled anomaly rule lists its sites; some site is anomalous */
static double end_month;            /* the final analysis: the last patient's last visit */
/* Tallies over trials for summary.json "monitoring" (r rule, h hypothesis, s site, c check):
 * [(r 2 + h) S + s] flagged when anomalous / when honest / patients randomised at the flag;
 * [(r 2 + h) C + c] by check c: trials with an anomalous site flagged, with every anomalous site
 * flagged, with an honest site flagged; anomalous and honest (trial, site) pairs flagged. */
static long long *mt_flag_anom, *mt_flag_norm, *mt_flag_rand;
static long long *mt_det, *mt_all, *mt_fa, *mt_pair_anom, *mt_pair_norm;
static long long *mt_held, *mt_rand, mt_stops, mt_moved, mt_kept;
static double *mt_month;

static double months_after(double week) { return week * 7 / 30.4375; }

static double rule_level(const tsim_scenario *sc, const tsim_monitor_rule *m) {
  switch (m->adjust) {
    case TSIM_MON_ADJ_SITES: return m->alpha / sc->nsites;
    case TSIM_MON_ADJ_SITES_CHECKS: return m->alpha / ((double)sc->nsites * mon_ck);
    default: return m->alpha;
  }
}

/* Does rule m flag a site with x of n, every site together having X of N? */
static int judge(const tsim_scenario *sc, const tsim_monitor_rule *m, long long x, long long n, long long X,
                 long long N) {
  if (n < m->min_n) return 0;
  if (m->test == TSIM_MON_THRESHOLD) return (double)x >= m->rate * (double)n - 1e-9 * (double)n;
  if (N - n <= 0) return 0;
  double p0 = (double)(X - x) / (double)(N - n), p;
  switch (m->direction) {
    case TSIM_MON_HIGHER: p = tsim_binomial_one_sided_p(x, n, p0, 1); break;
    case TSIM_MON_LOWER: p = tsim_binomial_one_sided_p(x, n, p0, 0); break;
    default: p = tsim_binomial_exact_p(x, n, p0);
  }
  return p < rule_level(sc, m) * (1 - 1e-7);
}

/* This trial's check dates and patients randomised by each. */
static void check_dates(const tsim_scenario *sc) {
  const tsim_monitoring *mo = &sc->monitoring;
  for (int c = 0; c < mon_ck; c++) {
    if (!mo->at_looks) {
      ck_rand[c] = (c + 1) * mo->every;
      ck_date[c] = co.month[ck_rand[c] - 1];
      continue;
    }
    const tsim_gs_looks *lk = &sc->looks;
    const tsim_analysis *ia = &sc->analyses[lk->info_analysis];
    double N = (double)sc->sample_size;
    long long m = lk->kind == TSIM_LOOK_PATIENTS ? (long long)lk->at[c] : (long long)ceil(lk->at[c] * N - 1e-9 * N);
    ck_date[c] = co.month[m - 1] + months_after(week_of(sc, ia->endpoint, ia->visit));
    ck_rand[c] = 0;
    for (int j = 0; j < co.n; j++) ck_rand[c] += co.month[j] <= ck_date[c];
  }
}

/* Every rule's flags in this trial (co, one hypothesis). */
static void monitor(const tsim_scenario *sc) {
  const tsim_monitoring *mo = &sc->monitoring;
  int S = sc->nsites;
  check_dates(sc);
  for (int r = 0; r < mo->nrules; r++) {
    const tsim_monitor_rule *m = &mo->rules[r];
    double week = week_of(sc, m->endpoint, m->visit), lag = months_after(week);
    for (int s = 0; s < S; s++) mflag[r * S + s] = -1;
    for (int c = 0; c < mon_ck; c++) {
      long long X = 0, N = 0;
      memset(site_x, 0, (size_t)S * sizeof *site_x);
      memset(site_n, 0, (size_t)S * sizeof *site_n);
      for (int j = 0; j < co.n; j++) {
        if (!(co.month[j] + lag <= ck_date[c]) || (m->arm >= 0 && co.arm[j] != m->arm)) continue;
        int assessed = week < co.gone[j], hit;
        if (m->measure == TSIM_MON_DROPOUT) hit = !assessed;
        else if (!assessed) continue;
        else hit = m->measure == TSIM_MON_RESPONSE ? *valp(j, m->endpoint, m->visit) == 1 : co.dev[j];
        site_x[co.site[j]] += hit, site_n[co.site[j]]++;
        X += hit, N++;
      }
      for (int s = 0; s < S; s++)
        if (mflag[r * S + s] < 0 && judge(sc, m, site_x[s], site_n[s], X, N)) mflag[r * S + s] = c;
    }
  }
  double last = 0;
  for (int v = 0; v < sc->nvisits; v++) last = fmax(last, sc->visit_week[v]);
  end_month = co.month[co.n - 1] + months_after(last);
}

/* 1 when analysis an removes site s for a flag of the rules it names (exclude_flagged). */
static int flag_removes(const tsim_scenario *sc, const tsim_analysis *an, int s) {
  for (int r = 0; r < sc->monitoring.nrules; r++) {
    int c = mflag[r * sc->nsites + s];
    if (((an->exclude_flagged >> r) & 1u) && c >= 0 && ck_date[c] <= end_month) return 1;
  }
  return 0;
}

/* The trial's flags into the tallies (checks and their dates from the alternative's trial). */
static void monitor_tally(const tsim_scenario *sc, int h) {
  const tsim_monitoring *mo = &sc->monitoring;
  int S = sc->nsites, C = mon_ck;
  size_t uS = (size_t)S, uC = (size_t)C;
  if (h == 0)
    for (int c = 0; c < C; c++) mt_held[c]++, mt_rand[c] += ck_rand[c], mt_month[c] += ck_date[c] - co.month[0];
  for (int r = 0; r < mo->nrules; r++) {
    size_t o = (size_t)(r * 2 + h);
    for (int s = 0; s < S; s++) {
      int c = mflag[r * S + s];
      if (c < 0) continue;
      (anomalous[s] ? mt_flag_anom : mt_flag_norm)[o * uS + (size_t)s]++;
      mt_flag_rand[o * uS + (size_t)s] += ck_rand[c];
    }
    for (int c = 0; c < C; c++) { /* flagged by check c */
      int det = 0, all = anom_any, fa = 0;
      for (int s = 0; s < S; s++) {
        int f = mflag[r * S + s] >= 0 && mflag[r * S + s] <= c;
        if (anomalous[s]) det |= f, all &= f, mt_pair_anom[o * uC + (size_t)c] += f;
        else fa |= f, mt_pair_norm[o * uC + (size_t)c] += f;
      }
      mt_det[o * uC + (size_t)c] += det, mt_all[o * uC + (size_t)c] += all, mt_fa[o * uC + (size_t)c] += fa;
    }
  }
}

/* With stop_enrolling: when each site stopped (close_at), from the flags recomputed - at each
 * check in order, a site first flagged then by a rule with stop_enrolling stops at the check's
 * month, unless it is the last site still enrolling (sites taken in index order; a site without
 * enrollment weight does not count as enrolling). Returns the sites stopped. */
static int stop_dates(const tsim_scenario *sc) {
  const tsim_monitoring *mo = &sc->monitoring;
  int S = sc->nsites, stops = 0;
  for (int s = 0; s < S; s++) close_at[s] = INFINITY;
  for (int c = 0; c < mon_ck; c++) {
    int open = 0;
    for (int s = 0; s < S; s++) open += close_at[s] == INFINITY && sc->site_weights[s] > 0;
    for (int s = 0; s < S; s++) {
      int stop = 0;
      for (int r = 0; r < mo->nrules; r++) stop |= mo->rules[r].stop_enrolling && mflag[r * S + s] == c;
      if (close_at[s] != INFINITY || !stop) continue;
      if (open <= 1) { /* the last site still enrolling */
        mt_kept++;
        continue;
      }
      close_at[s] = ck_date[c];
      open -= sc->site_weights[s] > 0;
      stops++;
    }
  }
  return stops;
}

/* Sites and randomisation months of trial k without the stops (every stop_enrolling rule set to
 * false); returns the patients, or -1. */
static int read_unstopped(const tsim_scenario *sc, const char *exe, int k, int null_twin, int *site, double *month) {
  static char line[MAXLINE];
  static char *f[1024];
  char cmd[8192];
  int len = snprintf(cmd, sizeof cmd, "'%s' cohort '%s' --trial %d --seed %d %s", exe, sc->file, k, SEED,
                     null_twin ? "--null" : "");
  for (int r = 0; r < sc->monitoring.nrules; r++)
    if (sc->monitoring.rules[r].stop_enrolling && len < (int)sizeof cmd)
      len += snprintf(cmd + len, sizeof cmd - (size_t)len, " --set 'monitoring.rules[%d].stop_enrolling=false'", r);
  FILE *pf = popen(cmd, "r");
  if (!pf) return -1;
  int n = 0, cs = -1, cm = -1, bad = !fgets(line, sizeof line, pf);
  if (!bad) {
    int ncol = split(line, f, 1024);
    cs = find_col(f, ncol, "site"), cm = find_col(f, ncol, "randomised_month");
    bad = cs < 0 || cm < 0;
  }
  while (!bad && fgets(line, sizeof line, pf)) {
    int nf = split(line, f, 1024);
    if (n >= sc->sample_size || nf <= cs || nf <= cm || !num(f[cm], &month[n])) { bad = 1; break; }
    site[n++] = atoi(f[cs]);
  }
  int rc = pclose(pf);
  return rc == 0 && !bad ? n : -1;
}

static int *un_site;
static double *un_month;

/* The stops in this trial (co, hypothesis h) as the flags recomputed say: nobody is randomised at
 * a site after the check that stopped it, and the trial is the one without stops with exactly
 * these stops applied - with one accrual rate the same months, and the same site for every
 * patient whose site had not stopped by then (the others went to a site still enrolling); with
 * a rate per site the same patients, less those of each stopped site after its stop, and then
 * more. A stop the engine made at another check than the first flag, or missed, shows as a
 * patient where there should be none or a patient moved that should not have been. */
static void check_stops(const tsim_scenario *sc, const char *exe, int t, int h) {
  const char *hyp = h ? "null" : "alternative";
  int stops = stop_dates(sc), bad = -1;
  mt_stops += stops;
  for (int j = 0; j < co.n && bad < 0; j++)
    if (co.month[j] > close_at[co.site[j]]) bad = j;
  CHECK(bad < 0, "trial %d %s: patient %d randomised at site %d at month %.17g, after the check (month %.17g) "
                 "that stopped it", t, hyp, bad, bad < 0 ? -1 : co.site[bad], bad < 0 ? NAN : co.month[bad],
        bad < 0 ? NAN : close_at[co.site[bad]]);
  int n0 = read_unstopped(sc, exe, t, h, un_site, un_month);
  CHECK(n0 == sc->sample_size, "trial %d %s without stops: read %d patients", t, hyp, n0);
  if (n0 != sc->sample_size) return;
  int bu = -1; /* the first row that differs: bad in this trial, bu in the trial without stops */
  bad = -1;
  if (sc->accrual.mode == TSIM_ACCRUAL_RATE) {
    for (int j = 0; j < co.n && bad < 0; j++) {
      int moved = un_month[j] > close_at[un_site[j]];
      mt_moved += moved;
      if (un_month[j] != co.month[j] || (!moved && un_site[j] != co.site[j])) bad = bu = j;
    }
  } else {
    for (int j = 0, k = 0; j < n0 && k < co.n && bad < 0; j++) {
      if (un_month[j] > close_at[un_site[j]]) { mt_moved++; continue; }
      if (un_month[j] != co.month[k] || un_site[j] != co.site[k]) bad = k, bu = j;
      k++;
    }
  }
  CHECK(bad < 0, "trial %d %s: patient %d (site %d, month %.17g) is not patient %d of the trial without stops "
                 "(site %d, month %.17g) with the %d stop(s) the flags make", t, hyp, bad,
        bad < 0 ? -1 : co.site[bad], bad < 0 ? NAN : co.month[bad], bu, bu < 0 ? -1 : un_site[bu],
        bu < 0 ? NAN : un_month[bu], stops);
}

static void binary(const tsim_scenario *sc, const tsim_analysis *an, sums *acc) {
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  int ns = sc->nsites, na = sc->narms;
  memset(sx, 0, (size_t)ns * (size_t)na * sizeof *sx);
  memset(sn, 0, (size_t)ns * (size_t)na * sizeof *sn);
  for (int j = 0; j < co.n; j++) {
    double v;
    if (!value_of(sc, an, j, &v)) continue;
    sn[co.site[j] * na + co.arm[j]]++;
    sx[co.site[j] * na + co.arm[j]] += v == 1;
  }
  /* Sites removed: prespecified, flagged by a monitoring rule the analysis names, then the
   * data-driven rule on the rule's arm in this analysis's own population (x >= rate n - 1e-9 n,
   * n >= min_patients). */
  int dropped = 0;
  for (int s = 0; s < ns; s++) {
    gone_site[s] = (an->exclude && an->exclude[s]) || (an->exclude_flagged && flag_removes(sc, an, s));
    if (!gone_site[s] && an->has_where) {
      long long x = sx[s * na + an->where_arm], n = sn[s * na + an->where_arm];
      gone_site[s] = n >= an->where_min && (double)x >= an->where_rate * (double)n - 1e-9 * (double)n;
    }
    dropped += gone_site[s];
  }
  for (int c = 0; c < ncmp; c++) {
    int arm = cmp_arm[c];
    long long x0 = 0, n0 = 0, x1 = 0, n1 = 0;
    int k = 0;
    for (int s = 0; s < ns; s++) {
      if (gone_site[s]) continue;
      if (!sc->single_arm) {
        x0 += s0x[k] = sx[s * na + sc->control];
        n0 += s0n[k] = sn[s * na + sc->control];
      }
      x1 += s1x[k] = sx[s * na + arm];
      n1 += s1n[k] = sn[s * na + arm];
      k++;
    }
    int hib = ep->higher_is_better, defined;
    double diff, p = NAN, dir;
    if (sc->single_arm) {
      defined = n1 > 0;
      diff = defined ? (double)x1 / (double)n1 - ep->p0 : NAN;
    } else {
      defined = n0 > 0 && n1 > 0;
      diff = defined ? (double)x1 / (double)n1 - (double)x0 / (double)n0 : NAN;
    }
    dir = diff;
    switch (an->test) {
      case TSIM_TEST_BINOMIAL_EXACT:
        p = an->sided == 1 ? tsim_binomial_one_sided_p(x1, n1, ep->p0, hib) : tsim_binomial_exact_p(x1, n1, ep->p0);
        break;
      case TSIM_TEST_CMH:
        if (k) p = tsim_cmh_p(s0x, s0n, s1x, s1n, k, NULL);
        dir = 0; /* observed - expected experimental responders, summed over strata */
        for (int i = 0; i < k; i++)
          if (s0n[i] + s1n[i] > 0)
            dir += (double)s1x[i] - (double)s1n[i] * (double)(s0x[i] + s1x[i]) / (double)(s0n[i] + s1n[i]);
        if (an->sided == 1) p = one_sided(p, dir, hib);
        break;
      case TSIM_TEST_LOGISTIC: {
        tsim_logit_fit fit;
        fit.est = NAN;
        if (k) p = tsim_logistic(lws, s0x, s0n, s1x, s1n, k, 0.95, &fit);
        if (an->sided == 1) p = one_sided(p, fit.est, hib);
        break;
      }
      default: { /* a test on one 2x2 table: the catalogue's p and one-sided rule */
        const tsim_test_info *ti = tsim_test_info_of(an->test);
        if (an->sided == 1 && ti->one == TSIM_ONE_TAIL) {
          p = ti->tail(x0, n0, x1, n1, hib);
        } else {
          p = ti->p(x0, n0, x1, n1, NULL);
          if (an->sided == 1) p = one_sided(p, diff, hib);
        }
      }
    }
    tally(&acc[c], p, level_of[an - sc->analyses], diff, hib, defined, n0, n1, dropped);
  }
}

static void mean_sd(const double *x, long long n, double *mean, double *sd, double *mabs) {
  double s = 0, ss = 0, sa = 0;
  for (long long i = 0; i < n; i++) s += x[i], sa += fabs(x[i]);
  *mean = n > 0 ? s / (double)n : NAN;
  *mabs = n > 0 ? sa / (double)n : 0;
  for (long long i = 0; i < n; i++) ss += (x[i] - *mean) * (x[i] - *mean);
  *sd = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Two equal values among the samples compared (rounding to 10 digits could have tied them). */
static int has_tie(long long n0, long long n1) {
  long long n = n0 + n1;
  double *all = malloc((size_t)(n > 0 ? n : 1) * sizeof *all);
  if (!all) return 1;
  memcpy(all, ys0, (size_t)n0 * sizeof *all);
  memcpy(all + n0, ys1, (size_t)n1 * sizeof *all);
  qsort(all, (size_t)n, sizeof *all, cmp_double);
  int tie = 0;
  for (long long i = 1; i < n; i++) tie |= all[i] == all[i - 1];
  free(all);
  return tie;
}

static void continuous(const tsim_scenario *sc, const tsim_analysis *an, sums *acc) {
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  int dropped = 0, hib = ep->higher_is_better;
  for (int s = 0; s < sc->nsites; s++) {
    gone_site[s] = (an->exclude && an->exclude[s]) || (an->exclude_flagged && flag_removes(sc, an, s));
    dropped += gone_site[s];
  }
  for (int c = 0; c < ncmp; c++) {
    int arm = cmp_arm[c];
    long long n0 = 0, n1 = 0;
    for (int j = 0; j < co.n; j++) {
      double v;
      if (gone_site[co.site[j]] || !value_of(sc, an, j, &v)) continue;
      double b = co.base[(size_t)j * (size_t)sc->nendpoints + (size_t)an->endpoint];
      if (co.arm[j] == sc->control) ys0[n0] = v, bs0[n0++] = b;
      else if (co.arm[j] == arm) ys1[n1] = v, bs1[n1++] = b;
    }
    double m0, sd0, a0, m1, sd1, a1, p = NAN, stat = NAN, slope = 0;
    mean_sd(ys0, n0, &m0, &sd0, &a0);
    mean_sd(ys1, n1, &m1, &sd1, &a1);
    double diff = m1 - m0, dir = diff;
    int border = 0;
    switch (an->test) {
      case TSIM_TEST_WELCH_T:
        p = tsim_welch_t((tsim_arm_summary){m0, sd0, n0}, (tsim_arm_summary){m1, sd1, n1}, 0.95, NULL);
        break;
      case TSIM_TEST_STUDENT_T:
        p = tsim_student_t((tsim_arm_summary){m0, sd0, n0}, (tsim_arm_summary){m1, sd1, n1}, 0.95, NULL);
        break;
      case TSIM_TEST_WILCOXON:
        p = tsim_wilcoxon(rws, ys0, (size_t)n0, ys1, (size_t)n1, 1, &stat, NULL);
        dir = stat - (double)n0 * (double)n1 / 2;
        border = has_tie(n0, n1);
        break;
      case TSIM_TEST_ANCOVA: {
        tsim_ancova_fit fit;
        p = tsim_ancova(aws, (tsim_ancova_arm){ys0, bs0, (size_t)n0},
                        (tsim_ancova_arm){ys1, bs1, (size_t)n1}, 0.95, &fit);
        if (!isnan(fit.diff)) {
          dir = diff = fit.diff;
          double bm0, bsd0, ba0, bm1, bsd1, ba1;
          mean_sd(bs0, n0, &bm0, &bsd0, &ba0);
          mean_sd(bs1, n1, &bm1, &bsd1, &ba1);
          slope = fabs(fit.slope) * (ba0 + ba1) / 2;
        }
        break;
      }
      default: break;
    }
    if (an->sided == 1) p = one_sided(p, dir, hib);
    border = border || borderline(p, level_of[an - sc->analyses]);
    int defined = n0 > 0 && n1 > 0;
    sums *a = &acc[c];
    tally(a, p, level_of[an - sc->analyses], diff, hib, defined, n0, n1, dropped);
    a->border += border;
    if (defined) a->scale += (a0 + a1) / 2 + slope;
  }
}

static int setup(const tsim_scenario *sc) {
  ncmp = 0;
  for (int a = 0; a < sc->narms; a++)
    if (sc->single_arm || a != sc->control) cmp_arm[ncmp++] = a;
  size_t cells = (size_t)sc->nsites * (size_t)sc->narms, n = (size_t)sc->sample_size;
  sx = calloc(cells, sizeof *sx);
  sn = calloc(cells, sizeof *sn);
  s0x = calloc((size_t)sc->nsites, sizeof *s0x);
  s0n = calloc((size_t)sc->nsites, sizeof *s0n);
  s1x = calloc((size_t)sc->nsites, sizeof *s1x);
  s1n = calloc((size_t)sc->nsites, sizeof *s1n);
  gone_site = calloc((size_t)sc->nsites, 1);
  ys0 = calloc(n, sizeof *ys0);
  ys1 = calloc(n, sizeof *ys1);
  bs0 = calloc(n, sizeof *bs0);
  bs1 = calloc(n, sizeof *bs1);
  lws = tsim_logit_ws_new(sc->nsites);
  rws = tsim_rank_ws_new(n);
  aws = tsim_ancova_ws_new(n < 4 ? 4 : n);
  nmeas = 0;
  for (int e = 0; e < sc->nendpoints; e++)
    for (int v = 0; v < sc->endpoints[e].nvisits; v++) meas[e][v] = nmeas++;
  return sx && sn && s0x && s0n && s1x && s1n && gone_site && ys0 && ys1 && bs0 && bs1 && lws && rws && aws ? 0 : -1;
}

/* The monitoring arrays; anomalous sites from the anomaly rules. -1 when out of memory or when
 * the checks are at looks by month (not recomputed here). */
static int mon_setup(const tsim_scenario *sc) {
  const tsim_monitoring *mo = &sc->monitoring;
  if (mo->at_looks && sc->looks.kind == TSIM_LOOK_MONTHS) {
    fprintf(stderr, "checks at looks by month are not recomputed by this test\n");
    return -1;
  }
  mon_ck = mo->at_looks ? sc->looks.n - 1 : (int)(sc->sample_size / mo->every);
  size_t S = (size_t)sc->nsites, C = (size_t)mon_ck, R2 = 2 * (size_t)mo->nrules;
  ck_date = calloc(C, sizeof *ck_date);
  ck_rand = calloc(C, sizeof *ck_rand);
  mflag = calloc((size_t)mo->nrules * S, sizeof *mflag);
  site_x = calloc(S, sizeof *site_x);
  site_n = calloc(S, sizeof *site_n);
  close_at = calloc(S, sizeof *close_at);
  anomalous = calloc(S, 1);
  mt_flag_anom = calloc(R2 * S, sizeof *mt_flag_anom);
  mt_flag_norm = calloc(R2 * S, sizeof *mt_flag_norm);
  mt_flag_rand = calloc(R2 * S, sizeof *mt_flag_rand);
  mt_det = calloc(R2 * C, sizeof *mt_det);
  mt_all = calloc(R2 * C, sizeof *mt_all);
  mt_fa = calloc(R2 * C, sizeof *mt_fa);
  mt_pair_anom = calloc(R2 * C, sizeof *mt_pair_anom);
  mt_pair_norm = calloc(R2 * C, sizeof *mt_pair_norm);
  mt_held = calloc(C, sizeof *mt_held);
  mt_rand = calloc(C, sizeof *mt_rand);
  mt_month = calloc(C, sizeof *mt_month);
  un_site = calloc((size_t)sc->sample_size, sizeof *un_site);
  un_month = calloc((size_t)sc->sample_size, sizeof *un_month);
  if (!ck_date || !ck_rand || !mflag || !site_x || !site_n || !close_at || !anomalous || !mt_flag_anom ||
      !mt_flag_norm || !mt_flag_rand || !mt_det || !mt_all || !mt_fa || !mt_pair_anom || !mt_pair_norm || !mt_held ||
      !mt_rand || !mt_month || !un_site || !un_month)
    return -1;
  /* Anomalous: the sites an enabled anomaly rule lists ("enabled": false picks its sites but
   * forces nothing: they are honest); rules that draw their sites per trial leave them unknown. */
  anom_known = 1;
  for (int k = 0; k < sc->nanomalies; k++) {
    const tsim_anomaly *a = &sc->anomalies[k];
    if (!a->enabled) continue;
    if (a->mode != TSIM_ANOM_LISTED) anom_known = 0;
    else
      for (int i = 0; i < a->nsites; i++) anomalous[a->sites[i]] = 1, anom_any = 1;
  }
  return 0;
}

static void mon_teardown(void) {
  free(ck_date), free(ck_rand), free(mflag), free(site_x), free(site_n), free(close_at), free(anomalous);
  free(mt_flag_anom), free(mt_flag_norm), free(mt_flag_rand), free(mt_det), free(mt_all), free(mt_fa);
  free(mt_pair_anom), free(mt_pair_norm), free(mt_held), free(mt_rand), free(mt_month), free(un_site), free(un_month);
}

static void teardown(void) {
  free(sx), free(sn), free(s0x), free(s0n), free(s1x), free(s1n), free(gone_site);
  free(ys0), free(ys1), free(bs0), free(bs1);
  tsim_logit_ws_free(lws);
  tsim_rank_ws_free(rws);
  tsim_ancova_ws_free(aws);
  free(co.site), free(co.arm), free(co.dev), free(co.sub), free(co.gone), free(co.val), free(co.base);
  free(co.month);
}

static const cJSON *item(const cJSON *o, const char *a, const char *b, const char *c) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
  if (b) v = cJSON_GetObjectItemCaseSensitive(v, b);
  if (c) v = cJSON_GetObjectItemCaseSensitive(v, c);
  return v;
}

static double get_num(const cJSON *o, const char *a, const char *b, const char *c) {
  const cJSON *v = item(o, a, b, c);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static cJSON *run_summary(const tsim_scenario *sc, const char *exe) {
  char cmd[4096];
  char dir[64];
  snprintf(dir, sizeof dir, "/tmp/tsim_test_cohort_%d", (int)getpid());
  snprintf(cmd, sizeof cmd, "'%s' run '%s' --trials %d --seed %d --out %s --quiet", exe, sc->file,
           T, SEED, dir);
  if (system(cmd) != 0) return NULL;
  snprintf(cmd, sizeof cmd, "%s/summary.json", dir);
  cJSON *s = check_load_json(cmd);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  return s;
}

/* Compares comparison c of analysis k under hypothesis h with the run's summary entry a. */
static void compare(const tsim_scenario *sc, const cJSON *a, int k, int c, int h, const sums *s) {
  const tsim_analysis *an = &sc->analyses[k];
  const char *hyp = h ? "null" : "alternative";
  char id[2 * TSIM_ID_MAX + 2];
  if (ncmp > 1) snprintf(id, sizeof id, "%s:%s", an->id, sc->arms[cmp_arm[c]].id);
  else snprintf(id, sizeof id, "%s", an->id);
  int cont = sc->endpoints[an->endpoint].type == TSIM_EP_CONTINUOUS;
  const cJSON *name = item(a, "analysis", NULL, NULL);
  const cJSON *arm = item(a, "arm", NULL, NULL);
  CHECK(cJSON_IsString(name) && strcmp(name->valuestring, an->id) == 0 && cJSON_IsString(arm) &&
            strcmp(arm->valuestring, sc->arms[cmp_arm[c]].id) == 0,
        "summary entry for %s is %s:%s", id, cJSON_IsString(name) ? name->valuestring : "?",
        cJSON_IsString(arm) ? arm->valuestring : "?");
  double got = get_num(a, hyp, "reject", "estimate") * T;
  double fav = get_num(a, hyp, "reject_favouring", "estimate") * T;
  /* Only borderline trials (continuous values rounded in the CSV) may decide differently. */
  CHECK(fabs(got - (double)s->reject) <= (double)s->border + 1e-9,
        "%s %s: run rejected %g times, cohorts %lld (%lld borderline)", id, hyp, got, s->reject, s->border);
  CHECK(fabs(fav - (double)s->favour) <= (double)s->border + 1e-9,
        "%s %s: run rejected favouring the arm %g times, cohorts %lld (%lld borderline)", id, hyp, fav,
        s->favour, s->border);
  double mn = get_num(a, hyp, "mean_n", NULL), m0 = get_num(a, hyp, "mean_n_control", NULL);
  double m1 = get_num(a, hyp, "mean_n_arm", NULL), sd = get_num(a, hyp, "mean_sites_dropped", NULL);
  CHECK(fabs(mn - (double)(s->n0 + s->n1) / T) < 1e-9, "%s %s: run mean N %.12g, cohorts %.12g", id,
        hyp, mn, (double)(s->n0 + s->n1) / T);
  CHECK(fabs(m0 - (double)s->n0 / T) < 1e-9 && fabs(m1 - (double)s->n1 / T) < 1e-9,
        "%s %s: run mean N per arm %.12g + %.12g, cohorts %.12g + %.12g", id, hyp, m0, m1,
        (double)s->n0 / T, (double)s->n1 / T);
  CHECK(fabs(sd - (double)s->dropped / T) < 1e-9, "%s %s: run mean sites dropped %.12g, cohorts %.12g",
        id, hyp, sd, (double)s->dropped / T);
  double def = get_num(a, hyp, "difference", "trials_defined");
  CHECK(def == (double)s->defined, "%s %s: run has %g trials with a difference, cohorts %lld", id, hyp,
        def, s->defined);
  if (s->defined == 0) return;
  double md = get_num(a, hyp, "difference", "mean");
  double want = s->diff / (double)s->defined;
  double tol = cont ? 2e-9 * s->scale / (double)s->defined : 1e-12;
  CHECK(fabs(md - want) <= tol, "%s %s: run mean difference %.15g, cohorts %.15g (tolerance %.3g)", id,
        hyp, md, want, tol);
  if (cont)
    printf("  %-30s %-11s mean difference %.10g, |run - cohorts| %.2g (tolerance %.2g), %lld borderline\n",
           id, hyp, md, fabs(md - want), tol, s->border);
}

/* A share k of n in the run's summary (a number, or an estimate object when est): null when n is
 * 0 (no trial or pair to count). */
static void check_share(const cJSON *v, int est, long long k, long long n, const char *label) {
  if (est && cJSON_IsObject(v)) v = cJSON_GetObjectItemCaseSensitive(v, "estimate");
  if (n == 0) {
    CHECK(cJSON_IsNull(v), "%s: run has a number, cohorts nothing to count", label);
    return;
  }
  CHECK(cJSON_IsNumber(v) && fabs(v->valuedouble * (double)n - (double)k) < 1e-6,
        "%s: run %.10g of %lld, cohorts %lld of %lld", label, cJSON_IsNumber(v) ? v->valuedouble * (double)n : NAN,
        n, k, n);
}

/* summary.json "monitoring" against the tallies of the flags recomputed. */
static void compare_monitoring(const tsim_scenario *sc, const cJSON *summary, int builtin) {
  const tsim_monitoring *mo = &sc->monitoring;
  const cJSON *mj = item(summary, "monitoring", NULL, NULL);
  int S = sc->nsites, C = mon_ck;
  char label[256];
  CHECK(cJSON_IsObject(mj), "summary.json has no \"monitoring\"");
  if (!cJSON_IsObject(mj)) return;
  const cJSON *checks = item(mj, "checks", NULL, NULL), *rules = item(mj, "rules", NULL, NULL);
  CHECK(cJSON_GetArraySize(checks) == C && cJSON_GetArraySize(rules) == mo->nrules,
        "summary has %d checks and %d rules, want %d and %d", cJSON_GetArraySize(checks), cJSON_GetArraySize(rules),
        C, mo->nrules);
  for (int c = 0; c < C && c < cJSON_GetArraySize(checks); c++) {
    const cJSON *e = cJSON_GetArrayItem(checks, c);
    double held = get_num(e, "held", NULL, NULL), mp = get_num(e, "mean_patients", NULL, NULL);
    double mm = get_num(e, "mean_month", NULL, NULL), want = mt_month[c] / (double)mt_held[c];
    CHECK(held * T == (double)mt_held[c] && fabs(mp * (double)mt_held[c] - (double)mt_rand[c]) < 1e-6,
          "check %d: run held in %g trials after %.10g patients, cohorts %lld after %lld / %lld", c + 1, held * T, mp,
          mt_held[c], mt_rand[c], mt_held[c]);
    /* The run sums months in a fixed point of 2^-20 month, rounded per trial. */
    CHECK(fabs(mm - want) < 1e-6, "check %d: run mean month %.12g, cohorts %.12g", c + 1, mm, want);
  }
  if (!anom_known) {
    printf("anomaly rules draw their sites per trial: detection and false alarms not compared\n");
    return;
  }
  long long A = 0; /* anomalous (trial, site) pairs */
  for (int s = 0; s < S; s++) A += anomalous[s] ? T : 0;
  double ta = get_num(mj, "trials_with_anomalous_site", NULL, NULL);
  CHECK(ta == (anom_any ? T : 0), "run has %g trials with an anomalous site, cohorts %d", ta, anom_any ? T : 0);
  long long flags_all = 0;
  size_t uS = (size_t)S, uC = (size_t)C;
  for (int r = 0; r < mo->nrules && r < cJSON_GetArraySize(rules); r++) {
    const tsim_monitor_rule *m = &mo->rules[r];
    const cJSON *rj = cJSON_GetArrayItem(rules, r), *id = item(rj, "id", NULL, NULL);
    CHECK(cJSON_IsString(id) && strcmp(id->valuestring, m->id) == 0, "summary rule %d is %s, want %s", r,
          cJSON_IsString(id) ? id->valuestring : "?", m->id);
    if (m->test == TSIM_MON_BINOMIAL) {
      double lv = get_num(rj, "level", NULL, NULL), want = rule_level(sc, m);
      CHECK(fabs(lv - want) <= 1e-14 * want, "%s: run level %.17g, want %.17g", m->id, lv, want);
    }
    long long flags_rule = 0;
    for (int h = 0; h < 2; h++) {
      const char *hyp = h ? "null" : "alternative";
      const cJSON *hj = item(rj, hyp, NULL, NULL);
      size_t o = (size_t)(r * 2 + h);
      size_t last = o * uC + uC - 1;
      long long fa = 0, fn = 0;
#define SHARE(v, est, k, n, what)                                    \
  do {                                                               \
    snprintf(label, sizeof label, "%s %s %s", m->id, hyp, what);     \
    check_share(v, est, k, n, label);                                \
  } while (0)
      SHARE(item(hj, "detection", NULL, NULL), 1, mt_det[last], anom_any ? T : 0, "detection");
      SHARE(item(hj, "all_anomalous_flagged", NULL, NULL), 1, mt_all[last], anom_any ? T : 0, "all_anomalous_flagged");
      SHARE(item(hj, "any_false_alarm", NULL, NULL), 1, mt_fa[last], T, "any_false_alarm");
      SHARE(item(hj, "anomalous_site_flagged", NULL, NULL), 0, mt_pair_anom[last], A, "anomalous_site_flagged");
      SHARE(item(hj, "honest_site_flagged", NULL, NULL), 0, mt_pair_norm[last], (long long)T * S - A,
            "honest_site_flagged");
      const cJSON *bc = item(hj, "by_check", NULL, NULL), *sj = item(hj, "sites", NULL, NULL);
      CHECK(cJSON_GetArraySize(bc) == C && cJSON_GetArraySize(sj) == S, "%s %s: %d checks and %d sites", m->id, hyp,
            cJSON_GetArraySize(bc), cJSON_GetArraySize(sj));
      for (int c = 0; c < C && c < cJSON_GetArraySize(bc); c++) {
        const cJSON *e = cJSON_GetArrayItem(bc, c);
        size_t i = o * uC + (size_t)c;
        char what[64];
        snprintf(what, sizeof what, "check %d detection", c + 1);
        SHARE(item(e, "detection", NULL, NULL), 0, mt_det[i], anom_any ? T : 0, what);
        snprintf(what, sizeof what, "check %d all_anomalous_flagged", c + 1);
        SHARE(item(e, "all_anomalous_flagged", NULL, NULL), 0, mt_all[i], anom_any ? T : 0, what);
        snprintf(what, sizeof what, "check %d any_false_alarm", c + 1);
        SHARE(item(e, "any_false_alarm", NULL, NULL), 0, mt_fa[i], T, what);
        snprintf(what, sizeof what, "check %d anomalous_site_flagged", c + 1);
        SHARE(item(e, "anomalous_site_flagged", NULL, NULL), 0, mt_pair_anom[i], A, what);
        snprintf(what, sizeof what, "check %d honest_site_flagged", c + 1);
        SHARE(item(e, "honest_site_flagged", NULL, NULL), 0, mt_pair_norm[i], (long long)T * S - A, what);
      }
      for (int s = 0; s < S && s < cJSON_GetArraySize(sj); s++) {
        const cJSON *e = cJSON_GetArrayItem(sj, s);
        size_t i = o * uS + (size_t)s;
        long long As = anomalous[s] ? T : 0, nf = mt_flag_anom[i] + mt_flag_norm[i];
        char what[64];
        CHECK(get_num(e, "site", NULL, NULL) == s && get_num(e, "anomalous_trials", NULL, NULL) == (double)As,
              "%s %s site %d: run says site %g anomalous in %g trials, cohorts %lld", m->id, hyp, s,
              get_num(e, "site", NULL, NULL), get_num(e, "anomalous_trials", NULL, NULL), As);
        snprintf(what, sizeof what, "site %d flagged_when_anomalous", s);
        SHARE(item(e, "flagged_when_anomalous", NULL, NULL), 1, mt_flag_anom[i], As, what);
        snprintf(what, sizeof what, "site %d false_alarm", s);
        SHARE(item(e, "false_alarm", NULL, NULL), 1, mt_flag_norm[i], T - As, what);
        snprintf(what, sizeof what, "site %d mean_patients_at_flag (x flags)", s);
        SHARE(item(e, "mean_patients_at_flag", NULL, NULL), 0, mt_flag_rand[i], nf, what);
        fa += mt_flag_anom[i], fn += mt_flag_norm[i];
      }
#undef SHARE
      printf("  %-24s %-11s flags: %lld of anomalous sites, %lld of honest ones; detection %lld/%d, any false "
             "alarm %lld/%d\n", m->id, hyp, fa, fn, mt_det[last], anom_any ? T : 0, mt_fa[last], T);
      flags_rule += fa + fn;
    }
    /* A built-in scenario is there to exercise every rule: each must flag something. */
    if (builtin) CHECK(flags_rule > 0, "%s flagged no site in %d trials x 2 hypotheses: it tests nothing", m->id, T);
    flags_all += flags_rule;
  }
  CHECK(flags_all > 0, "no rule flagged any site in %d trials x 2 hypotheses: the recomputation tests nothing", T);
}

/* Writes a built-in scenario to a temporary file; returns its name or NULL. */
static const char *write_builtin(const char *const *text) {
  static char path[64];
  snprintf(path, sizeof path, "/tmp/tsim_test_cohort_%d.json", (int)getpid());
  FILE *f = fopen(path, "w");
  if (!f) return NULL;
  for (int i = 0; text[i]; i++) fprintf(f, "%s\n", text[i]);
  return fclose(f) == 0 ? path : NULL;
}

int main(int argc, char **argv) {
  static const struct {
    const char *flag;
    const char *const *text;
  } builtins[] = {{"--rules", rules_json},
                  {"--rules-single-arm", rules_single_arm_json},
                  {"--monitoring", monitoring_json},
                  {"--monitoring-at-looks", monitoring_looks_json}};
  if (argc != 3) {
    fprintf(stderr, "usage: test_cohort TRIALSIM SCENARIO|--rules|--rules-single-arm|--monitoring|"
                    "--monitoring-at-looks\n");
    return 2;
  }
  const char *file = argv[2], *tmp = NULL;
  for (size_t b = 0; b < sizeof builtins / sizeof *builtins; b++)
    if (strcmp(argv[2], builtins[b].flag) == 0) {
      file = tmp = write_builtin(builtins[b].text);
      if (!tmp) { fprintf(stderr, "cannot write a temporary scenario\n"); return 2; }
    }
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  tsim_status st = tsim_scenario_load(file, &sc, &d);
  if (st != TSIM_OK) {
    tsim_diag_print(&d, "", stderr);
    tsim_diag_clear(&d);
    if (tmp) remove(tmp);
    return 2;
  }
  int mon = sc->monitoring.nrules > 0;
  if (setup(sc) != 0 || (mon && mon_setup(sc) != 0)) {
    fprintf(stderr, "out of memory, or a scenario this test cannot recompute\n");
    return 2;
  }
  printf("%s: %s model, sampled per %s\n", tmp ? argv[2] : file, sc->latent ? "latent" : "cell-table",
         tsim_cohort_cell_mode(sc) ? "cell" : "patient");
  cJSON *summary = run_summary(sc, argv[1]);
  CHECK(summary != NULL, "trialsim run failed or wrote no readable summary.json");
  static sums acc[2][TSIM_MAX_ANALYSES * TSIM_MAX_ARMS];
  const cJSON *arr = cJSON_GetObjectItemCaseSensitive(summary, "analyses");
  for (int k = 0; k < sc->nanalyses; k++) {
    const cJSON *looks = item(cJSON_GetArrayItem(arr, k * ncmp), "looks", NULL, NULL);
    level_of[k] = sc->analyses[k].alpha;
    if (sc->looks.n > 1) {
      level_of[k] = get_num(cJSON_GetArrayItem(looks, cJSON_GetArraySize(looks) - 1), "nominal_alpha", NULL, NULL);
      CHECK(fabs(level_of[k] - sc->analyses[k].alpha) < 1e-6, "%s: final nominal level %.17g", sc->analyses[k].id,
            level_of[k]);
      for (int c = 0; c < ncmp; c++)
        for (int h = 0; h < 2; h++) {
          const cJSON *hl = item(cJSON_GetArrayItem(arr, k * ncmp + c), h ? "null" : "alternative", "looks", NULL);
          double early = get_num(cJSON_GetArrayItem(hl, sc->looks.n - 2), "stopped_by_now", "estimate", NULL);
          CHECK(early == 0, "%s %s: %g of trials stopped at an interim look (the recomputation decides at the final)",
                sc->analyses[k].id, h ? "null" : "alternative", early);
        }
    }
  }
  for (int h = 0; h < 2 && summary; h++)
    for (int t = 0; t < T; t++) {
      int fmt = -1, npat = read_cohort(sc, argv[1], t, h, &fmt);
      CHECK(npat == sc->sample_size, "cohort --trial %d: read %d patients", t, npat);
      if (npat != sc->sample_size) continue;
      CHECK(fmt == (sc->latent ? FMT_LATENT : FMT_CELL), "cohort --trial %d: a %s header for a %s scenario",
            t, fmt == FMT_LATENT ? "latent" : "cell-table", sc->latent ? "latent" : "cell-table");
      if (mon) {
        monitor(sc);
        if (sc->monitoring.stop) check_stops(sc, argv[1], t, h);
        monitor_tally(sc, h);
      }
      for (int k = 0; k < sc->nanalyses; k++) {
        if (sc->endpoints[sc->analyses[k].endpoint].type == TSIM_EP_CONTINUOUS)
          continuous(sc, &sc->analyses[k], &acc[h][k * ncmp]);
        else
          binary(sc, &sc->analyses[k], &acc[h][k * ncmp]);
      }
    }
  CHECK(!summary || cJSON_GetArraySize(arr) == sc->nanalyses * ncmp, "summary has %d comparisons, want %d",
        cJSON_GetArraySize(arr), sc->nanalyses * ncmp);
  long long border = 0;
  for (int k = 0; summary && k < sc->nanalyses; k++)
    for (int c = 0; c < ncmp; c++)
      for (int h = 0; h < 2; h++) {
        compare(sc, cJSON_GetArrayItem(arr, k * ncmp + c), k, c, h, &acc[h][k * ncmp + c]);
        border += acc[h][k * ncmp + c].border;
      }
  printf("%lld borderline trial(s) of %d x 2 hypotheses x %d comparisons\n", border, T, sc->nanalyses * ncmp);
  if (mon && summary) {
    printf("site monitoring, %d checks a trial:\n", mon_ck);
    compare_monitoring(sc, summary, tmp != NULL);
  }
  if (sc->monitoring.stop) {
    printf("%lld site(s) stopped enrolling in %d trials x 2 hypotheses, %lld kept enrolling as the last one; "
           "%lld patient(s) of the trials without stops moved or not randomised\n", mt_stops, T, mt_kept, mt_moved);
    CHECK(mt_stops > 0, "no site stopped enrolling: the stops are not tested");
  }
  cJSON_Delete(summary);
  if (mon) mon_teardown();
  teardown();
  tsim_scenario_free(sc);
  if (tmp) remove(tmp);
  return tsim_check_done();
}
