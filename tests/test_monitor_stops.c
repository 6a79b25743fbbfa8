/* test_monitor_stops.c - a site that site monitoring stopped must be flagged, in the run's
 * tally of the same trial and hypothesis, by a rule that stops enrolment.
 *
 * The stops are found first (run/sequential.c, find_closures) and the trial is then evaluated
 * with them (evaluate, monitor_trial): both must hold the same checks. The scenario checks at
 * every interim look by month, and its futility bounds are such that about a third of the
 * trials reach fractions at which their boundaries cannot be computed (the run then decides them
 * at the final analysis alone and counts them in looks_failed): the checks at the interim
 * dates are held all the same - the trial did reach those months - so the sites they stopped
 * are flagged there too. For each trial and hypothesis the trial as run (tsim_seq_sample_as_run)
 * gives the stopped sites; each must be in that trial's tally as flagged by a stopping rule.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "scenario_text.h"
#include "analysis/analysis.h"
#include "input/scenario.h"
#include "model/cohort.h"
#include "run/runner.h"
#include "run/sequential.h"

static const char *const json =
    "{\"name\": \"stops\", \"arms\": [{\"id\": \"placebo\", \"control\": true}, {\"id\": \"drug\"}],"
    " \"sample_size\": 200, \"randomization\": {\"method\": \"block\", \"block_size\": 4, \"stratify_by_site\": true},"
    " \"visits\": [12], \"accrual\": {\"patients_per_month\": 5},"
    " \"sites\": {\"count\": 12, \"heterogeneity_sd\": 0.3,"
    "  \"anomalies\": [{\"sites\": [0, 1], \"arm\": \"placebo\", \"response\": 1.0}]},"
    " \"endpoints\": [{\"id\": \"resp\", \"type\": \"binary\", \"response\": {\"placebo\": 0.517, \"drug\": 0.833}}],"
    " \"dropout\": {\"placebo\": 0.1, \"drug\": 0.1},"
    " \"looks\": {\"months\": [20, 38], \"efficacy\": \"obrien_fleming\","
    "  \"futility\": {\"z\": [0.3, 2.1], \"binding\": false}, \"information_from\": \"itt\"},"
    " \"monitoring\": {\"at_looks\": true, \"rules\": ["
    "  {\"id\": \"blinded\", \"endpoint\": \"resp\", \"test\": \"binomial\", \"alpha\": 0.3, \"adjust\": \"sites\","
    "   \"min_patients\": 4, \"stop_enrolling\": true},"
    "  {\"id\": \"dmc\", \"arm\": \"placebo\", \"endpoint\": \"resp\", \"test\": \"threshold\", \"rate_at_least\": 1.0,"
    "   \"min_patients\": 2, \"stop_enrolling\": true}]},"
    " \"analyses\": [{\"id\": \"itt\", \"endpoint\": \"resp\", \"population\": \"itt\", \"missing\": \"non_responder\","
    "  \"test\": \"pearson\", \"sided\": 1, \"alpha\": 0.025},"
    "  {\"id\": \"itt_without_flagged\", \"endpoint\": \"resp\", \"population\": \"itt\", \"missing\": \"non_responder\","
    "  \"test\": \"pearson\", \"sided\": 1, \"alpha\": 0.025, \"exclude_flagged\": [\"dmc\"]}],"
    " \"seed\": 2019}";

int main(void) {
  tsim_scenario *sc = tsim_test_scenario_text(json);
  CHECK(sc != NULL, "the scenario loads");
  if (!sc) return 1;
  tsim_cohort_plan plan;
  tsim_seq_plan seq;
  CHECK(tsim_cohort_plan_init(&plan, sc) == TSIM_OK && tsim__seq_plan_init(&seq, sc, NULL) == TSIM_OK, "plans");
  tsim_cohort *c = tsim_cohort_new(&plan), *as_run = tsim_cohort_new(&plan);
  tsim_seq_ws *sw = tsim__seq_ws_new(sc, &seq);
  tsim_analysis_ws *aw = tsim_analysis_ws_new(sc);
  tsim_outcome *out = malloc(4 * (size_t)sc->nanalyses * sizeof *out);
  CHECK(c && as_run && sw && aw && out, "memory");
  if (!(c && as_run && sw && aw && out)) return 1;
  aw->want_p = 1;
  const int S = sc->nsites, R = sc->monitoring.nrules;
  long long failed = 0, stops = 0, stops_failed = 0, unflagged = 0, unflagged_failed = 0;
  for (long long trial = 0; trial < 300; trial++) {
    tsim_tally *t = tsim_tally_new(sc, 0);
    CHECK(t != NULL, "memory");
    if (!t) break;
    tsim__seq_trial(&seq, sw, c, aw, sc->seed, trial, t, out);
    failed += t->looks_failed > 0;
    for (int h = 0; h < 2; h++) {
      CHECK(tsim_seq_sample_as_run(sc, as_run, sc->seed, trial, h) == TSIM_OK, "trial %lld as run", trial);
      for (int s = 0; s < S; s++) {
        if (!isfinite(as_run->close_at[s])) continue;
        int flagged = 0;
        for (int r = 0; r < R; r++) {
          size_t q = (size_t)(r * 2 + h) * (size_t)S + (size_t)s;
          if (sc->monitoring.rules[r].stop_enrolling) flagged |= t->mon_flag_anom[q] + t->mon_flag_norm[q] > 0;
        }
        stops++;
        stops_failed += t->looks_failed > 0;
        unflagged += !flagged;
        unflagged_failed += !flagged && t->looks_failed > 0;
      }
    }
    tsim_tally_free(t);
  }
  printf("%lld trials without boundaries of 300; %lld sites stopped (%lld in those trials), %lld of them not "
         "flagged in the tally (%lld in those trials)\n",
         failed, stops, stops_failed, unflagged, unflagged_failed);
  CHECK(failed > 0 && stops_failed > 0, "the scenario must have trials without boundaries that stop sites (the test "
                                        "would see nothing): %lld, %lld", failed, stops_failed);
  CHECK(stops - stops_failed > 0, "sites stopped in trials with boundaries: %lld", stops - stops_failed);
  CHECK(unflagged == 0, "%lld stopped sites not flagged by a stopping rule in the trial's tally", unflagged);
  free(out);
  tsim_analysis_ws_free(aw);
  tsim__seq_ws_free(sw);
  tsim_cohort_free(c);
  tsim_cohort_free(as_run);
  tsim_cohort_plan_free(&plan);
  tsim_scenario_free(sc);
  printf("%d passed, %d failed\n", check_passed, check_failed);
  return check_failed != 0;
}
