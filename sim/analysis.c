/* analysis.c - populations, site exclusion and the test of one analysis (see analysis.h). */
#include "analysis.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stattest.h"

int tsim_comparison_arm(const tsim_scenario *sc, int j) { return j < sc->control ? j : j + 1; }

const char *tsim_comparison_id(const tsim_scenario *sc, int k, char *buf, size_t n) {
  int ncmp = tsim_scenario_ncomparisons(sc);
  const tsim_analysis *an = &sc->analyses[k / ncmp];
  if (ncmp == 1) snprintf(buf, n, "%s", an->id);
  else snprintf(buf, n, "%s:%s", an->id, sc->arms[tsim_comparison_arm(sc, k % ncmp)].id);
  return buf;
}

int tsim_comparison_find(const tsim_scenario *sc, const char *id) {
  int ncomp = sc->nanalyses * tsim_scenario_ncomparisons(sc);
  char buf[2 * TSIM_ID_MAX + 2];
  for (int k = 0; k < ncomp; k++)
    if (strcmp(tsim_comparison_id(sc, k, buf, sizeof buf), id) == 0) return k;
  return -1;
}

/* Analysed patients and responders of (end point, site, arm) in the analysis's population. */
static void population_counts(const tsim_analysis *an, const tsim_cohort *c, int s, int a,
                              long long *x, long long *n) {
  int e = an->endpoint;
  /* Category = dropout<<2 | deviation<<1 | response; see cohort.h. */
  long long assessed_resp = tsim_cohort_cell(c, e, s, a, TSIM_CAT_RESP) +
                            tsim_cohort_cell(c, e, s, a, TSIM_CAT_RESP | TSIM_CAT_DEV);
  long long assessed = assessed_resp + tsim_cohort_cell(c, e, s, a, 0) +
                       tsim_cohort_cell(c, e, s, a, TSIM_CAT_DEV);
  if (an->population == TSIM_POP_PER_PROTOCOL) {
    *x = tsim_cohort_cell(c, e, s, a, TSIM_CAT_RESP);
    *n = *x + tsim_cohort_cell(c, e, s, a, 0);
  } else if (an->missing == TSIM_MISSING_EXCLUDE) {
    *x = assessed_resp;
    *n = assessed;
  } else {
    long long dropped = 0;
    for (unsigned cat = TSIM_CAT_DROP; cat < TSIM_NCAT; cat++) dropped += tsim_cohort_cell(c, e, s, a, cat);
    *x = assessed_resp; /* non-responder imputation: dropouts count in n, never in x */
    *n = assessed + dropped;
  }
}

/* Marks the sites this analysis removes in mask; returns how many. */
static int site_mask(const tsim_scenario *sc, const tsim_analysis *an, const tsim_cohort *c,
                     unsigned char *mask) {
  int dropped = 0;
  for (int s = 0; s < sc->nsites; s++) {
    mask[s] = an->exclude ? an->exclude[s] : 0;
    if (!mask[s] && an->has_where) {
      long long x, n;
      population_counts(an, c, s, an->where_arm, &x, &n);
      /* x/n >= rate, compared as x >= rate n with a tolerance for the rounding of rate n. */
      mask[s] = n >= an->where_min && (double)x >= an->where_rate * (double)n - 1e-9 * (double)n;
    }
    dropped += mask[s];
  }
  return dropped;
}

void tsim_analysis_eval(const tsim_scenario *sc, int k, const tsim_cohort *c, unsigned char *mask,
                        tsim_outcome *out) {
  const tsim_analysis *an = &sc->analyses[k];
  int dropped = site_mask(sc, an, c, mask);
  int higher_better = sc->endpoints[an->endpoint].higher_is_better;
  for (int j = 0; j < sc->narms - 1; j++) {
    int arm = tsim_comparison_arm(sc, j);
    tsim_outcome *o = &out[j];
    o->x0 = o->n0 = o->x1 = o->n1 = 0;
    for (int s = 0; s < sc->nsites; s++) {
      if (mask[s]) continue;
      long long x, n;
      population_counts(an, c, s, sc->control, &x, &n);
      o->x0 += x;
      o->n0 += n;
      population_counts(an, c, s, arm, &x, &n);
      o->x1 += x;
      o->n1 += n;
    }
    o->p = tsim_test_p(an->test, o->x0, o->n0, o->x1, o->n1, &o->stat);
    o->reject = tsim_reject(o->p, an->alpha);
    o->defined = o->n0 > 0 && o->n1 > 0;
    o->diff = o->defined ? (double)o->x1 / (double)o->n1 - (double)o->x0 / (double)o->n0 : NAN;
    o->favouring = o->reject && (higher_better ? o->diff > 0 : o->diff < 0);
    o->sites_dropped = dropped;
  }
}
