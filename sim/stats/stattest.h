/* stattest.h - tests on responders: a 2x2 table, strata of 2x2 tables, a single arm against a
 * fixed rate; the risk difference with its intervals; and the decision rule.
 *
 * Table convention throughout: control x0 responders of n0, experimental x1 of n1.
 * Every p-value is two-sided and matches R (chisq.test with and without correction,
 * fisher.test, mantelhaen.test, binom.test) to a relative 1e-9 or better; tests/test_stattest.c
 * holds reference values computed with R (the scripts and their output are in tests/r/).
 * A table with an empty row or column has no test: the p-value is NaN and the decision is
 * "not rejected".
 */
#ifndef TSIM_STATTEST_H
#define TSIM_STATTEST_H

#include <math.h>

#include "stats/catalogue.h"

/* Relative tolerance for "the same p-value by two floating-point routes": R's fisher.test
 * sums table probabilities <= the observed one times (1 + 1e-7), and our decision rule treats
 * p within that relative distance of alpha as equal to alpha (see tsim_reject). */
#define TSIM_REL_TIE 1e-7

/* Pearson's X2 of the table without the p-value: NaN for an empty row or column. The tests
 * below and the cached decisions (decide.h) share it; inline, as the simulation's commonest
 * decision needs nothing else. */
static inline double tsim_chisq_stat(long long x0, long long n0, long long x1, long long n1) {
  long long m = x0 + x1, n = n0 + n1;
  if (n0 <= 0 || n1 <= 0 || m <= 0 || m >= n) return NAN;
  /* The cross-product difference is exact in 64 bits for any table we can simulate. */
  double d = (double)(x0 * (n1 - x1) - x1 * (n0 - x0));
  return (double)n * d * d / ((double)n0 * (double)n1 * (double)m * (double)(n - m));
}

/* Pearson's chi-square without continuity correction: X2 = N (x0 (n1-x1) - x1 (n0-x0))^2 /
 * (n0 n1 m (N-m)), m = x0 + x1, referred to chi-square(1). *stat gets X2 (NaN if undefined). */
double tsim_pearson_p(long long x0, long long n0, long long x1, long long n1, double *stat);

/* The 'N-1' chi-square (E. Pearson 1947; Campbell 2007, Stat Med 26:3661): X2 (N-1)/N. */
double tsim_n1_chisq_p(long long x0, long long n0, long long x1, long long n1, double *stat);

/* Fisher's exact test, two-sided as R: the sum of the hypergeometric probabilities of every
 * table with the observed margins that is no more probable than the observed one (within a
 * relative TSIM_REL_TIE). */
double tsim_fisher_p(long long x0, long long n0, long long x1, long long n1);

/* One-sided Fisher exact test, as R fisher.test(alternative = "greater" / "less") with the
 * experimental arm as the first row: greater = P(X1 >= x1) (the experimental arm's responders
 * at least as many, given the margins), less = P(X1 <= x1). NaN for an empty row or column. */
double tsim_fisher_one_sided_p(long long x0, long long n0, long long x1, long long n1, int greater);

/* Pearson's chi-square with Yates' continuity correction, as R chisq.test(correct = TRUE) on
 * the 2x2 table. Every cell has the same |O - E| = |d| / N, d = x0 (n1-x1) - x1 (n0-x0), and R
 * subtracts min(0.5, |O - E|), so X2 = N (|d| - N/2)^2 / (n0 n1 m (N-m)) when |d| >= N/2 and
 * X2 = 0 (p = 1) otherwise. *stat gets X2 (NaN if undefined). */
double tsim_yates_p(long long x0, long long n0, long long x1, long long n1, double *stat);

/* Cochran-Mantel-Haenszel test of K strata of 2x2 tables (stratum j: control x0[j] of n0[j],
 * experimental x1[j] of n1[j]) without continuity correction, as R mantelhaen.test(correct =
 * FALSE) on a 2x2xK array and SAS PROC FREQ (CMH general association, 1 df). A stratum with
 * fewer than two patients contributes nothing (R refuses such strata; its term would be 0/0).
 * NaN when no stratum contributes variance (every stratum has an empty row or column), when
 * k < 1 or a count is impossible. *stat gets the statistic (NaN if undefined). */
double tsim_cmh_p(const long long *x0, const long long *n0, const long long *x1,
                  const long long *n1, int k, double *stat);

/* Exact binomial test of x successes in n trials against p0, two-sided as R binom.test: the
 * probability of every outcome no more probable than x (within a relative TSIM_REL_TIE) on
 * the far side of n p0, plus the whole tail on x's side. p0 = 0 or 1: 1 if x is the only
 * possible outcome, else 0. NaN when n < 1, x outside [0, n] or p0 outside [0, 1]. */
double tsim_binomial_exact_p(long long x, long long n, double p0);
/* One-sided, as binom.test(alternative = "greater" / "less"): P(X >= x) or P(X <= x). */
double tsim_binomial_one_sided_p(long long x, long long n, double p0, int greater);

/* Risk difference est = x1/n1 - x0/n0 (experimental minus control) and its two-sided `conf`
 * interval [lo, hi] (conf = 0.95 for 95%). Wald: est -/+ z se, se^2 = p0 (1-p0)/n0 +
 * p1 (1-p1)/n1, z = the (1+conf)/2 normal quantile; not clipped to [-1, 1]. Newcombe: the
 * hybrid score interval (Newcombe 1998, method 10) built from the two Wilson score intervals
 * of R prop.test(x, n, correct = FALSE). Each returns 0, or -1 with NaN outputs when the
 * difference is undefined (n0 or n1 == 0) or an argument is impossible (x outside [0, n],
 * conf outside (0, 1)). Any output pointer may be NULL. */
int tsim_rd_wald(long long x0, long long n0, long long x1, long long n1, double conf,
                 double *est, double *lo, double *hi);
int tsim_rd_newcombe(long long x0, long long n0, long long x1, long long n1, double conf,
                     double *est, double *lo, double *hi);

/* The catalogue's p-value of the table (catalogue.h, column p); *stat gets the statistic where
 * there is one (NaN for Fisher). CMH on a single table treats it as one stratum (analyses
 * stratify by site themselves). NaN for tests that are not on one 2x2 table. */
double tsim_test_p(tsim_test t, long long x0, long long n0, long long x1, long long n1,
                   double *stat);

/* The decision rule: reject when p < alpha, where a p equal to alpha up to a relative
 * TSIM_REL_TIE counts as equal (exact arithmetic would make it equal, e.g. Fisher's 1/20 on
 * 1/1 vs 0/19 at alpha 0.05: not rejected). NaN never rejects. */
static inline int tsim_reject(double p, double alpha) { return p < alpha * (1.0 - TSIM_REL_TIE); }

#endif
