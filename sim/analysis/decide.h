/* decide.h - fast reject/accept decisions, identical to "p < alpha" under the tie rule.
 *
 * A simulation needs only the decision, not the p-value, and the decision for a fixed test,
 * alpha and table margins can be worked out once:
 *  - Pearson and 'N-1' chi-square reject exactly when the statistic exceeds the chi-square(1)
 *    quantile at alpha (1 - 1e-7). Within a relative 1e-9 of that quantile, where the two
 *    floating-point routes could disagree, the p-value is computed and the rule applied to it.
 *  - Fisher's two-sided p-value falls monotonically as x0 moves away from the mode of its
 *    hypergeometric distribution (the set of tables "no more probable" shrinks), so for given
 *    margins (n0, n1, m) the rejected x0 form two tails: x0 <= lo or x0 >= hi. The cut points
 *    are found once per margins by evaluating tsim_fisher_p over the support, and kept in a
 *    per-thread table (open addressing; cleared when it fills, so memory stays bounded).
 *  - Welch's and Student's t-tests reject exactly when |t| exceeds the t quantile q(df) at
 *    alpha (1 - 1e-7) / 2. q falls as df grows, so q(ceil df) <= q(df) <= q(floor df): the
 *    quantiles at whole df are kept per analysis (computed when first needed), and only a t
 *    between the two bounds (or within a relative 1e-9 of them) needs its p-value.
 *  - Barnard's p-value, two-sided sup over pi of P_pi(|T| >= |t_obs|) or one-sided with the
 *    signed key of barnard.h, can only grow as the table's key falls, so for given arm sizes
 *    (n0, n1) the rejected tables are those whose key is at least a critical one. Per (n0, n1,
 *    analysis, direction) a per-thread table (like Fisher's) keeps a bracket of that critical
 *    key: the largest key seen not to reject and the smallest seen to reject. Keys outside it
 *    are decided at once; a key inside is decided by tsim_barnard_p (one-sided:
 *    tsim_barnard_one_sided_p) and narrows it. So no trial costs more than its p-value, and
 *    repeated arm sizes soon cost almost nothing (tsim_decide, tsim_decide_one_sided).
 * Yates is decided by its p-value. Which rule a test uses is the catalogue's decide column
 * (stats/catalogue.h); a test without a table rule aborts rather than being decided as another. The decisions are those of
 * tsim_reject(tsim_test_p(...), alpha) - tested table by table.
 */
#ifndef TSIM_DECIDE_H
#define TSIM_DECIDE_H

#include <math.h>
#include <stdint.h>

#include "input/scenario.h"
#include "stats/stattest.h"

#define TSIM_FISHER_CACHE_BITS 14 /* 16384 margins per thread, 256 KiB */

typedef struct tsim_fisher_entry {
  uint64_t key;   /* n0, n1, m and the analysis's alpha slot, packed; 0 = empty */
  int32_t lo, hi; /* reject when x0 <= lo or x0 >= hi */
} tsim_fisher_entry;

#define TSIM_BARNARD_CACHE_BITS 12 /* 4096 arm sizes and directions per thread, 96 KiB */

typedef struct tsim_barnard_entry {
  uint64_t key; /* n0, n1, the direction (two-sided, greater, less) and the analysis, packed;
                 * 0 = empty */
  double acc;   /* the largest table key (barnard.h) known not to reject (-inf: none) */
  double rej;   /* the smallest known to reject (+inf: none); acc < critical key <= rej */
} tsim_barnard_entry;

#define TSIM_T_CACHE_DF 4096 /* t quantiles cached for df 1 .. this */

typedef struct tsim_decider {
  double crit[TSIM_MAX_ANALYSES];  /* chi-square(1) critical value of each analysis */
  double tol[TSIM_MAX_ANALYSES];   /* 1e-9: relatively nearer than that, the p-value decides */
  double zq[TSIM_MAX_ANALYSES];    /* the normal critical value: 2 Q(zq) = alpha (1 - TSIM_REL_TIE) */
  unsigned char n1[TSIM_MAX_ANALYSES]; /* 1: the 'N-1' chi-square, X2 (N-1)/N */
  double *tq[TSIM_MAX_ANALYSES];   /* t-test and ANCOVA analyses: q(df) for whole df (0 = not yet); owned */
  tsim_fisher_entry *table;        /* [1 << TSIM_FISHER_CACHE_BITS] (owned) */
  int used;                        /* entries in use */
  tsim_barnard_entry *barnard;     /* [1 << TSIM_BARNARD_CACHE_BITS] when an analysis uses
                                    * Barnard's test, else NULL (owned) */
  int barnard_used;
} tsim_decider;

/* Sets up the decisions of every analysis in sc; -1 when out of memory (nothing to free). */
int tsim_decider_init(tsim_decider *d, const tsim_scenario *sc);
void tsim_decider_free(tsim_decider *d);

/* 1 when analysis k (test and alpha from sc) rejects on the table x0/n0 vs x1/n1. */
int tsim_decide(tsim_decider *d, const tsim_scenario *sc, int k, long long x0, long long n0,
                long long x1, long long n1);

/* 1 when one-sided analysis k rejects on the table x0/n0 vs x1/n1, its direction that of its
 * end point (higher_is_better: the experimental arm higher); for tests with a one-sided
 * p-value of their own (the catalogue's TAIL rule: Fisher, Barnard) the same decision as
 * tsim_reject(tail p-value, alpha) - Barnard's through the cached bracket, others by
 * the p-value. Any other test aborts. */
int tsim_decide_one_sided(tsim_decider *d, const tsim_scenario *sc, int k, long long x0,
                          long long n0, long long x1, long long n1);

/* tsim_decide for a Pearson or 'N-1' chi-square analysis k, inline: X2 = N d^2 / D > crit (with
 * N - 1 for N under 'N-1'; d the cross-product difference, D the product of the margins), decided
 * as N d^2 > crit D without a division, and by the p-value (tsim__decide_chisq_near) where the
 * two sides are within a relative 1e-9 of each other - far above the rounding of either side. */
int tsim__decide_chisq_near(const tsim_scenario *sc, int k, long long x0, long long n0,
                            long long x1, long long n1);
static inline int tsim_decide_chisq(const tsim_decider *d, const tsim_scenario *sc, int k,
                                    long long x0, long long n0, long long x1, long long n1) {
  long long m = x0 + x1, n = n0 + n1;
  if (n0 <= 0 || n1 <= 0 || m <= 0 || m >= n) return 0; /* no test: the statistic is NaN */
  /* The cross-product difference is exact in 64 bits for any table we can simulate. */
  double dd = (double)(x0 * (n1 - x1) - x1 * (n0 - x0));
  double lhs = (double)(n - d->n1[k]) * dd * dd;
  double rhs = d->crit[k] * ((double)n0 * (double)n1 * (double)m * (double)(n - m));
  if (fabs(lhs - rhs) > d->tol[k] * rhs) return lhs > rhs;
  return tsim__decide_chisq_near(sc, k, x0, n0, x1, n1);
}

/* 1 when two-sided t-test analysis k rejects with statistic t on nu degrees of freedom (NaN t:
 * not rejected); the same decision as tsim_reject(tsim_t_two_sided_p(t, nu), alpha). */
int tsim_decide_t(tsim_decider *d, const tsim_scenario *sc, int k, double t, double nu);

/* tsim_decide_t, inline where both cached quantiles around nu are already there and t is
 * clear of them (the same comparisons as decide.c's); tsim_decide_t otherwise (NaN t or nu
 * among them). The same decision either way, without a call in the common case. */
static inline int tsim_decide_t_inline(tsim_decider *d, const tsim_scenario *sc, int k, double t, double nu) {
  const double *q = d->tq[k];
  if (q && nu >= 1 && nu < TSIM_T_CACHE_DF) {
    long long lo = (long long)nu, hi = lo + ((double)lo < nu);
    double qlo = q[lo], qhi = q[hi], at = fabs(t);
    if (qlo != 0 && qhi != 0) {
      if (at > qlo * (1 + 1e-9)) return 1;
      if (at < qhi * (1 - 1e-9)) return 0;
    }
  }
  return tsim_decide_t(d, sc, k, t, nu);
}

/* 1 when two-sided analysis k rejects with a normal statistic z (NaN: not rejected); the same
 * decision as tsim_reject(2 Q(|z|), alpha) with gsl_cdf_ugaussian_Q, which it computes only
 * where |z| is within a relative 1e-9 of the critical value (or that value is below 0.5, where
 * so narrow a band would not be safe). The rank-sum test's decision. */
int tsim_decide_z(const tsim_decider *d, const tsim_scenario *sc, int k, double z);

#endif
