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

#include "cohort.h"
#include "scenario.h"

/* The result of one comparison (one experimental arm vs control) of one analysis. */
typedef struct tsim_outcome {
  long long x0, n0;   /* control: responders, analysed patients */
  long long x1, n1;   /* experimental arm: responders, analysed patients */
  double p;           /* two-sided p-value; NaN when the table has no test */
  double stat;        /* test statistic (NaN for Fisher or when undefined) */
  int reject;         /* p < alpha under the tie rule of stattest.h */
  int favouring;      /* rejected, and the observed difference favours the experimental arm */
  int defined;        /* both arms have analysed patients, so diff is defined */
  double diff;        /* x1/n1 - x0/n0, difference in response rates (NaN if undefined) */
  int sites_dropped;  /* sites removed by exclude_sites and exclude_sites_where together */
} tsim_outcome;

/* Evaluates analysis `k` of `sc` on the cohort held by `c`, writing one outcome per
 * experimental arm (in arm order, skipping the control) to out[0 .. narms-2]. `mask` is
 * caller-provided scratch of sc->nsites bytes. No allocation. */
void tsim_analysis_eval(const tsim_scenario *sc, int k, const tsim_cohort *c, unsigned char *mask,
                        tsim_outcome *out);

/* The experimental arm of comparison j (0-based), skipping the control. */
int tsim_comparison_arm(const tsim_scenario *sc, int j);

/* Comparison k (analysis-major: k = analysis * (narms - 1) + j) is named by its analysis id,
 * or "analysis:arm" when there are more than two arms. Writes the name to buf[n]. */
const char *tsim_comparison_id(const tsim_scenario *sc, int k, char *buf, size_t n);
/* The comparison named `id` (as above; a bare analysis id also names its first comparison
 * when there are two arms), or -1. */
int tsim_comparison_find(const tsim_scenario *sc, const char *id);

#endif
