/* compare.h - one comparison of an analysis on a table of counts: the sites an analysis removes,
 * the test of the table (stratified or not), one-sided p-values, and the names and nominal
 * differences of comparisons. Used by the analyses of the cell table (analysis.c) and of the
 * patients (ptanalysis.c). */
#ifndef TSIM_COMPARE_H
#define TSIM_COMPARE_H

#include "analysis/workspace.h"

/* Internal, shared with ptanalysis.c: the outcomes of binary analysis k from its responders
 * x and analysed patients n per (site, arm) and their totals tx, tn per arm. */
void tsim__analysis_binary(tsim_analysis_ws *w, int k, const long long *x, const long long *n,
                           const long long *tx, const long long *tn, tsim_outcome *out);
/* Internal: the one-sided p-value from a two-sided p2 of a test whose statistic is symmetric
 * under the null, the observed direction `dir` (> 0: the experimental arm higher), the
 * alternative being the favourable direction: p2 / 2 in that direction, 1 - p2 / 2 against it. */
double tsim__one_sided(double p2, double dir, int higher_is_better);

/* x1/n1 - x0/n0 (n0, n1 > 0) as one rounding of the exact value: the cross-product difference
 * and the product of the arms' sizes are exact in doubles (sizes up to 10^7), so one division
 * gives the correctly rounded difference - and costs one division, not two. */
static inline double tsim__rate_diff(long long x0, long long n0, long long x1, long long n1) {
  return (double)(x1 * n0 - x0 * n1) / ((double)n0 * (double)n1);
}

/* Comparison o's counts and the difference in response rates (x1/n1 - p0 in a single arm). */
static inline void tsim__set_counts(const tsim_scenario *sc, const tsim_endpoint *ep, tsim_outcome *o,
                                    long long x0, long long n0, long long x1, long long n1, int dropped) {
  o->x0 = x0;
  o->n0 = n0;
  o->x1 = x1;
  o->n1 = n1;
  o->sites_dropped = dropped;
  if (sc->single_arm) {
    o->defined = n1 > 0;
    o->diff = o->defined ? (double)x1 / (double)n1 - ep->p0 : NAN;
  } else {
    o->defined = n0 > 0 && n1 > 0;
    o->diff = o->defined ? tsim__rate_diff(x0, n0, x1, n1) : NAN;
  }
}

/* The decision of analysis k's (unstratified) test on o's table, comparison j's, and its p-value
 * and statistic when someone reads them. */
void tsim__test_table(tsim_analysis_ws *w, int k, int j, tsim_outcome *o);

/* The decision of a comparison against analysis an's margin from its one-sided p-value p (the
 * larger of equivalence's two) at an->level (NaN: no rejection), or for Newcombe's test, which
 * has no p-value, from its interval [lo, hi] (two-sided 1 - 2 level) against the margins;
 * sets o's reject, favouring (= reject: H0 rejected concludes for the experimental arm), lo
 * and hi. Shared with the continuous analyses (ptanalysis.c). */
void tsim__margin_decide(const tsim_analysis *an, int higher_better, double p, double lo, double hi,
                         tsim_outcome *o);

/* Tests stratified by site, which need every kept site's counts (the general path). */
static inline int tsim__stratified(const tsim_analysis *an) {
  tsim_test_kind k = tsim_test_info_of(an->test)->kind;
  return k == TSIM_KIND_STRATIFIED || k == TSIM_KIND_MARGIN_STRATIFIED;
}

/* Analysis k's nominal difference for comparison j (experimental arm j, 0-based): the
 * difference in response probabilities (binary; single arm: the arm's minus p0) or in means
 * (continuous) at the analysis's visit, from the scenario's parameters. */
double tsim_analysis_nominal(const tsim_scenario *sc, int k, int j);
/* Analysis k's true value of its margin's measure for comparison j under the alternative (the
 * scenario's arms at the analysis's visit: rd, rr, or, mean difference or ratio), which its
 * intervals' coverage is judged against; NaN for a superiority analysis. */
double tsim_analysis_truth(const tsim_scenario *sc, int k, int j);
/* A bound B (a power of two) on |observed difference| of analysis k: 1 for rates; for means,
 * the spread of the scenario's means plus 64 SDs, so beyond it lies nothing a normal model
 * produces. */
double tsim_analysis_diff_bound(const tsim_scenario *sc, int k);

/* The experimental arm of comparison j (0-based), skipping the control. */
int tsim_comparison_arm(const tsim_scenario *sc, int j);

/* Comparison k (analysis-major: k = analysis * (narms - 1) + j) is named by its analysis id,
 * or "analysis:arm" when there are more than two arms. Writes the name to buf[n]. */
const char *tsim_comparison_id(const tsim_scenario *sc, int k, char *buf, size_t n);
/* The comparison named `id` (as above; a bare analysis id also names its first comparison
 * when there are two arms), or -1. */
int tsim_comparison_find(const tsim_scenario *sc, const char *id);

#endif
