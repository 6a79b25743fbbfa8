/* decide.c - cached test decisions (see decide.h). */
#include "analysis/decide.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/barnard.h"
#include "stats/contest.h"
#include "stats/stattest.h"

#define FISHER_CACHE_SUPPORT 128 /* cut points cost ~support^2 / 2 recurrence steps */

int tsim_decider_init(tsim_decider *d, const tsim_scenario *sc) {
  memset(d, 0, sizeof *d);
  for (int k = 0; k < sc->nanalyses; k++) {
    double z = gsl_cdf_ugaussian_Qinv(sc->analyses[k].alpha * (1.0 - TSIM_REL_TIE) / 2);
    d->crit[k] = z * z;
    d->zq[k] = z;
    d->tol[k] = 1e-9;
    d->n1[k] = sc->analyses[k].test == TSIM_TEST_N1_CHISQ;
  }
  d->table = calloc((size_t)1 << TSIM_FISHER_CACHE_BITS, sizeof *d->table);
  if (!d->table) return -1;
  for (int k = 0; k < sc->nanalyses; k++) {
    tsim_decide_rule rule = tsim_test_info_of(sc->analyses[k].test)->decide;
    if (rule == TSIM_DECIDE_BARNARD && !d->barnard) {
      d->barnard = calloc((size_t)1 << TSIM_BARNARD_CACHE_BITS, sizeof *d->barnard);
      if (!d->barnard) { tsim_decider_free(d); return -1; }
    }
    /* ANCOVA's t on n - 3 df is decided alike (ptanalysis.c). */
    if ((rule != TSIM_DECIDE_T && sc->analyses[k].test != TSIM_TEST_ANCOVA) || sc->analyses[k].sided != 2) continue;
    d->tq[k] = calloc(TSIM_T_CACHE_DF + 1, sizeof *d->tq[k]);
    if (!d->tq[k]) { tsim_decider_free(d); return -1; }
  }
  return 0;
}

void tsim_decider_free(tsim_decider *d) {
  if (!d) return;
  free(d->table);
  d->table = NULL;
  free(d->barnard);
  d->barnard = NULL;
  for (int k = 0; k < TSIM_MAX_ANALYSES; k++) {
    free(d->tq[k]);
    d->tq[k] = NULL;
  }
}

/* The cut points of Fisher's test at alpha for margins (n0, n1, m), by p-values. */
static void fisher_cuts(long long n0, long long n1, long long m, double alpha, int32_t *lo,
                        int32_t *hi) {
  long long xlo = m - n1 > 0 ? m - n1 : 0, xhi = m < n0 ? m : n0;
  *lo = (int32_t)(xlo - 1);
  *hi = (int32_t)(xhi + 1);
  for (long long x = xlo; x <= xhi && tsim_reject(tsim_fisher_p(x, n0, m - x, n1), alpha); x++)
    *lo = (int32_t)x;
  for (long long x = xhi; x > *lo && tsim_reject(tsim_fisher_p(x, n0, m - x, n1), alpha); x--)
    *hi = (int32_t)x;
}

/* The slot of `key` (never 0) in an open-addressing table of 2^bits entries of `size` bytes, each
 * starting with its uint64_t key (0: empty), *used of them taken. A key not there takes an empty
 * slot, the table cleared first when it is 3/4 full (so probing stays short and memory bounded),
 * and *fresh is set: the caller fills the entry. */
static inline size_t cache_slot(void *table, size_t size, int bits, int *used, uint64_t key,
                                int *fresh) {
  unsigned char *t = table;
  size_t mask = ((size_t)1 << bits) - 1;
  size_t i = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
  uint64_t k;
  for (;;) {
    memcpy(&k, t + i * size, sizeof k);
    if (!k || k == key) break;
    i = (i + 1) & mask;
  }
  *fresh = !k;
  if (k) return i;
  if (*used >= (int)(mask * 3 / 4)) { /* keep probing short: start afresh */
    memset(t, 0, (mask + 1) * size);
    *used = 0;
    i = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
  }
  memcpy(t + i * size, &key, sizeof key);
  (*used)++;
  return i;
}

static int fisher_decide(tsim_decider *d, const tsim_scenario *sc, int k, long long x0,
                         long long n0, long long x1, long long n1) {
  long long m = x0 + x1;
  if (n0 <= 0 || n1 <= 0 || m <= 0 || m >= n0 + n1) return 0;
  /* Keys pack 20 bits each of n0, n1, m and 4 more of the analysis. Finding the cut points
   * costs O(support^2), so only small supports are cached; larger tables - whose margins
   * rarely repeat anyway - are decided by their p-value, O(support). */
  long long support = (m < n0 ? m : n0) - (m - n1 > 0 ? m - n1 : 0) + 1;
  if (n0 >= (1 << 20) || n1 >= (1 << 20) || m >= (1 << 20) || k >= 16 || support > FISHER_CACHE_SUPPORT)
    return tsim_reject(tsim_fisher_p(x0, n0, x1, n1), sc->analyses[k].alpha);
  uint64_t key = ((uint64_t)n0 << 44) | ((uint64_t)n1 << 24) | ((uint64_t)m << 4) | (uint64_t)k;
  key += 1; /* never 0, which marks an empty slot */
  int fresh;
  tsim_fisher_entry *e =
      &d->table[cache_slot(d->table, sizeof *d->table, TSIM_FISHER_CACHE_BITS, &d->used, key, &fresh)];
  if (fresh) fisher_cuts(n0, n1, m, sc->analyses[k].alpha, &e->lo, &e->hi);
  return x0 <= e->lo || x0 >= e->hi;
}

/* Barnard's p-value of one table: two-sided (sided 2), or one-sided towards `greater`. */
static double barnard_p(long long x0, long long n0, long long x1, long long n1, int sided,
                        int greater) {
  return sided == 2 ? tsim_barnard_p(x0, n0, x1, n1, NULL)
                    : tsim_barnard_one_sided_p(x0, n0, x1, n1, greater);
}

/* Barnard's decision on one table through the rejection region cached per (n0, n1, analysis,
 * direction): dir 0 two-sided, 1 one-sided greater (experimental higher), 2 one-sided less. The p-value only
 * grows as the table's key falls, so the tables rejected are those with a key >= some
 * critical key; the entry brackets it between the largest key seen not to reject (acc) and the
 * smallest seen to reject (rej). A key outside the bracket is decided at once; one inside is
 * decided by its p-value, which narrows the bracket. A trial never costs more than the
 * p-value, and the bracket closes on the keys that actually occur. */
static int barnard_decide(tsim_decider *d, const tsim_scenario *sc, int k, long long x0,
                          long long n0, long long x1, long long n1, int dir) {
  int sided = dir == 0 ? 2 : 1, greater = dir != 2;
  long long m = x0 + x1;
  if (n0 <= 0 || n1 <= 0 || m <= 0 || m >= n0 + n1) return 0;
  double alpha = sc->analyses[k].alpha;
  if (!d->barnard || n0 >= (1 << 20) || n1 >= (1 << 20) || k >= 16)
    return tsim_reject(barnard_p(x0, n0, x1, n1, sided, greater), alpha);
  /* 20 bits each of n0 and n1, then the direction and 4 bits of the analysis. */
  uint64_t key =
      ((uint64_t)n0 << 44) | ((uint64_t)n1 << 24) | ((uint64_t)dir << 4) | (uint64_t)k;
  key += 1; /* never 0, which marks an empty slot */
  int fresh;
  tsim_barnard_entry *e =
      &d->barnard[cache_slot(d->barnard, sizeof *d->barnard, TSIM_BARNARD_CACHE_BITS,
                             &d->barnard_used, key, &fresh)];
  if (fresh) {
    e->acc = -INFINITY;
    e->rej = INFINITY;
  }
  double t = tsim_barnard_key(x0, n0, x1, n1, sided, greater);
  if (t >= e->rej) return 1;
  if (t <= e->acc) return 0;
  int r = tsim_reject(barnard_p(x0, n0, x1, n1, sided, greater), alpha);
  if (r) e->rej = t;
  else e->acc = t;
  return r;
}

int tsim_decide(tsim_decider *d, const tsim_scenario *sc, int k, long long x0, long long n0,
                long long x1, long long n1) {
  tsim_test t = sc->analyses[k].test;
  switch (tsim_test_info_of(t)->decide) {
    case TSIM_DECIDE_CHISQ: return tsim_decide_chisq(d, sc, k, x0, n0, x1, n1);
    case TSIM_DECIDE_FISHER: return fisher_decide(d, sc, k, x0, n0, x1, n1);
    case TSIM_DECIDE_BARNARD: return barnard_decide(d, sc, k, x0, n0, x1, n1, 0);
    case TSIM_DECIDE_PVALUE: /* no cached form: the p-value route */
      return tsim_reject(tsim_test_p(t, x0, n0, x1, n1, NULL), sc->analyses[k].alpha);
    case TSIM_DECIDE_T:
    case TSIM_DECIDE_GENERAL: break;
  }
  fprintf(stderr, "trialsim: internal error: test %d (\"%s\") has no decision on one 2x2 table\n",
          (int)t, tsim_test_names[t]);
  abort();
}

int tsim_decide_one_sided(tsim_decider *d, const tsim_scenario *sc, int k, long long x0,
                          long long n0, long long x1, long long n1) {
  const tsim_analysis *an = &sc->analyses[k];
  const tsim_test_info *ti = tsim_test_info_of(an->test);
  int greater = sc->endpoints[an->endpoint].higher_is_better;
  if (ti->kind == TSIM_KIND_TABLE && ti->one == TSIM_ONE_TAIL) {
    if (ti->decide == TSIM_DECIDE_BARNARD)
      return barnard_decide(d, sc, k, x0, n0, x1, n1, greater ? 1 : 2);
    return tsim_reject(ti->tail(x0, n0, x1, n1, greater), an->alpha);
  }
  fprintf(stderr, "trialsim: internal error: test %d (\"%s\") has no one-sided decision of its own\n",
          (int)an->test, tsim_test_names[an->test]);
  abort();
}

int tsim__decide_chisq_near(const tsim_scenario *sc, int k, long long x0, long long n0,
                            long long x1, long long n1) {
  return tsim_reject(tsim_test_p(sc->analyses[k].test, x0, n0, x1, n1, NULL), sc->analyses[k].alpha);
}

/* q(df) of analysis k at a whole df, computed once. */
static double t_quantile(tsim_decider *d, const tsim_scenario *sc, int k, long long df) {
  double *q = &d->tq[k][df];
  if (*q == 0) *q = gsl_cdf_tdist_Qinv(sc->analyses[k].alpha * (1.0 - TSIM_REL_TIE) / 2, (double)df);
  return *q;
}

int tsim_decide_t(tsim_decider *d, const tsim_scenario *sc, int k, double t, double nu) {
  double alpha = sc->analyses[k].alpha;
  if (isnan(t) || isnan(nu)) return 0;
  double at = fabs(t);
  if (d->tq[k] && nu >= 1 && nu < TSIM_T_CACHE_DF) {
    /* floor and ceil of nu >= 1 without libm's calls: truncation is the floor */
    long long lo = (long long)nu, hi = lo + ((double)lo < nu);
    double qlo = t_quantile(d, sc, k, lo), qhi = t_quantile(d, sc, k, hi);
    if (at > qlo * (1 + 1e-9)) return 1;
    if (at < qhi * (1 - 1e-9)) return 0;
  }
  return tsim_reject(tsim_t_two_sided_p(t, nu), alpha);
}

int tsim_decide_z(const tsim_decider *d, const tsim_scenario *sc, int k, double z) {
  /* 2 Q(|z|) falls as |z| grows: beyond the critical value by a relative 1e-9, p lies below
   * alpha (1 - TSIM_REL_TIE) by a relative |z| phi(z) / Q(z) 1e-9 (> 4e-10 for a critical
   * value >= 0.5), far above the error of GSL's Q and Qinv (~1e-15); within it, p decides. */
  double az = fabs(z), zc = d->zq[k];
  if (zc >= 0.5) {
    if (az > zc * (1 + 1e-9)) return 1;
    if (az < zc * (1 - 1e-9)) return 0;
  }
  return tsim_reject(2.0 * gsl_cdf_ugaussian_Q(az), sc->analyses[k].alpha);
}
