/* ptanalysis.h - analyses of a latent-model cohort, on its patients (ptanalysis.c). Internal to
 * the analysis layer. */
#ifndef TSIM_PTANALYSIS_H
#define TSIM_PTANALYSIS_H

#include "analysis/workspace.h"

/* Internal (ptanalysis.c): the cell statistics of the cohort w->cohort (a latent-model trial),
 * both hypotheses, in one pass over its patients; tsim_analysis_prepare calls it. */
void tsim__ptanalysis_prepare(tsim_analysis_ws *w);
/* Analysis k on the prepared cohort: from its cell statistics, or patient by patient (the
 * rank-sum test; w->general). */
void tsim__ptanalysis_eval(tsim_analysis_ws *w, int k, tsim_hypothesis h, tsim_outcome *out);
/* Every analysis on the prepared cohort under both hypotheses, out as tsim_analysis_eval_trial
 * lays it out: the outcomes tsim__ptanalysis_eval gives, the t tests on cells several at once. */
void tsim__ptanalysis_eval_trial(tsim_analysis_ws *w, tsim_outcome *out);
/* 1 when analysis k is evaluated from the cell statistics (not w->general, not the rank-sum
 * test, sums that keep their digits); tests ask. */
int tsim__ptanalysis_from_cells(const tsim_analysis_ws *w, int k);
/* 1 when tsim__ptanalysis_eval_trial decides analysis k in vector lanes (a two-sided t test on
 * the cells, only the decision wanted); tests ask. */
int tsim__ptanalysis_in_lanes(const tsim_analysis_ws *w, int k);
int tsim__ptanalysis_ws_init(tsim_analysis_ws *w);
void tsim__ptanalysis_ws_free(tsim_analysis_ws *w);

#endif
