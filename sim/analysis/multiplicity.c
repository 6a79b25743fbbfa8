/* multiplicity.c - fixed-sequence, Bonferroni and Holm procedures (see multiplicity.h).
 *
 * Holm: S. Holm, "A simple sequentially rejective multiple test procedure", Scand J Statist
 * 6:65-70, 1979. With m members, order the p-values p(1) <= ... <= p(m); p(r) is significant
 * when p(1) < alpha/m, p(2) < alpha/(m-1), ..., p(r) < alpha/(m-r+1), stopping at the first
 * failure. Fixed sequence (hierarchical) testing: Maurer, Hothorn & Lehmacher 1995.
 */
#include "analysis/multiplicity.h"

#include <math.h>

#include "stats/stattest.h"

/* Holm's step-down over the members' p-values (NaN counts as not significant). */
static void holm(const double *p, int m, double alpha, unsigned char *sig) {
  int order[TSIM_MAX_ANALYSES];
  for (int i = 0; i < m; i++) {
    int k = i; /* insertion sort by p, NaN last, ties in member order */
    while (k > 0 && (isnan(p[order[k - 1]]) ? !isnan(p[i]) : p[order[k - 1]] > p[i])) {
      order[k] = order[k - 1];
      k--;
    }
    order[k] = i;
    sig[i] = 0;
  }
  for (int r = 0; r < m; r++) {
    if (!tsim_reject(p[order[r]], alpha / (double)(m - r))) break;
    sig[order[r]] = 1;
  }
}

void tsim_procedure_apply(const tsim_scenario *sc, int q, int j, const tsim_outcome *out,
                          unsigned char *sig) {
  const tsim_procedure *pr = &sc->procedures[q];
  int ncmp = tsim_scenario_ncomparisons(sc), m = pr->nmembers;
  double p[TSIM_MAX_ANALYSES];
  int all_before = 1;
  for (int i = 0; i < m; i++) {
    const tsim_outcome *o = &out[pr->members[i] * ncmp + j];
    p[i] = o->p;
    if (pr->method == TSIM_MULT_FIXED_SEQUENCE) {
      all_before = all_before && o->reject;
      sig[i] = (unsigned char)all_before;
    } else if (pr->method == TSIM_MULT_BONFERRONI) {
      sig[i] = (unsigned char)tsim_reject(o->p, pr->alpha / (double)m);
    }
  }
  if (pr->method == TSIM_MULT_HOLM) holm(p, m, pr->alpha, sig);
}

