/* analysis.h - one analysis of the plan applied to one simulated cohort.
 *
 * An analysis = end point + population + test + alpha. It reads only the cohort's cell table
 * (patients counted by site, arm and category), never individual patients:
 *   itt, missing "non_responder": everyone randomised; a dropout counts as a non-responder;
 *   itt, missing "exclude":       complete cases (everyone assessed);
 *   per_protocol:                 assessed and without a major protocol deviation.
 * Sites are removed first by `exclude_sites` (prespecified) and then by the data-driven rule
 * `exclude_sites_where` (after unblinding: a site goes when the rule's arm has at least
 * min_patients analysed patients in it and an observed response rate >= response_at_least).
 * Each experimental arm is then compared with the control arm on the remaining patients.
 */
#ifndef TSIM_ANALYSIS_H
#define TSIM_ANALYSIS_H

#include "analysis/compare.h"
#include "analysis/workspace.h"


/* A workspace for sc; NULL when out of memory. Free with tsim_analysis_ws_free (NULL ok). */
tsim_analysis_ws *tsim_analysis_ws_new(const tsim_scenario *sc);
void tsim_analysis_ws_free(tsim_analysis_ws *w);

/* Tabulates the populations of the cohort held by c (both hypotheses). */
void tsim_analysis_prepare(tsim_analysis_ws *w, const tsim_cohort *c);

/* Evaluates analysis `k` on the prepared cohort under hypothesis h, writing one outcome per
 * experimental arm (in arm order, skipping the control) to out[0 .. narms-2]. No allocation. */
void tsim_analysis_eval(tsim_analysis_ws *w, int k, tsim_hypothesis h, tsim_outcome *out);

/* Every analysis on the prepared cohort under hypothesis h: analysis k's outcomes to
 * out[k * ncmp .. k * ncmp + ncmp - 1] (ncmp = tsim_scenario_ncomparisons). The same outcomes as
 * tsim_analysis_eval for each k, in one call: the trial loop's way. No allocation. */
void tsim_analysis_eval_all(tsim_analysis_ws *w, tsim_hypothesis h, tsim_outcome *out);

/* Every analysis on the prepared cohort under both hypotheses: the alternative's outcomes as
 * tsim_analysis_eval_all writes them to out[0 .. nanalyses ncmp - 1], the null twin's after
 * them. The same outcomes; two-arm designs read each cell once for both. No allocation. */
void tsim_analysis_eval_trial(tsim_analysis_ws *w, tsim_outcome *out);

/* 1 when tsim_analysis_eval_block can evaluate this workspace's trials: a two-arm design on the
 * cell table whose analyses are all two-sided Pearson or 'N-1' chi-square tests, with nobody
 * reading p-values (want_p 0) or asking for the general path. */
int tsim_analysis_block_ok(const tsim_analysis_ws *w);
/* Prepares b for w's trials: its number of slots, and its empty slots. */
void tsim_analysis_block_init(const tsim_analysis_ws *w, tsim_outcome_block *b);
/* tsim_analysis_eval_trial into the arrays of b (when tsim_analysis_block_ok): the same
 * outcomes, the decisions and differences computed eight slots at a time. It is its two halves
 * in turn, which the trial loop calls apart (see runner.c): */
void tsim_analysis_eval_block(tsim_analysis_ws *w, tsim_outcome_block *b);
/* The prepared cohort's counts into b's slots (x0, n0, x1, n1, sites_dropped). */
void tsim_analysis_block_counts(tsim_analysis_ws *w, tsim_outcome_block *b);
/* The decisions, differences and flags of the counts in b's slots (which need not come from
 * the workspace's cohort: tests give tables of their own). */
void tsim_analysis_block_finish(const tsim_analysis_ws *w, tsim_outcome_block *b);


#endif
