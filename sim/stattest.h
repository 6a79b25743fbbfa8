/* stattest.h - hypothesis tests on a 2x2 table of responders, and the decision rule.
 *
 * Table convention throughout: control x0 responders of n0, experimental x1 of n1.
 * Every p-value is two-sided and matches R (chisq.test(correct = FALSE), fisher.test) to a
 * relative 1e-9 or better; tests/test_stattest.c holds reference values computed with R.
 * A table with an empty row or column has no test: the p-value is NaN and the decision is
 * "not rejected".
 */
#ifndef TSIM_STATTEST_H
#define TSIM_STATTEST_H

#include "scenario.h"

/* Relative tolerance for "the same p-value by two floating-point routes": R's fisher.test
 * sums table probabilities <= the observed one times (1 + 1e-7), and our decision rule treats
 * p within that relative distance of alpha as equal to alpha (see tsim_reject). */
#define TSIM_REL_TIE 1e-7

/* Pearson's chi-square without continuity correction: X2 = N (x0 (n1-x1) - x1 (n0-x0))^2 /
 * (n0 n1 m (N-m)), m = x0 + x1, referred to chi-square(1). *stat gets X2 (NaN if undefined). */
double tsim_pearson_p(long long x0, long long n0, long long x1, long long n1, double *stat);

/* The 'N-1' chi-square (E. Pearson 1947; Campbell 2007, Stat Med 26:3661): X2 (N-1)/N. */
double tsim_n1_chisq_p(long long x0, long long n0, long long x1, long long n1, double *stat);

/* Fisher's exact test, two-sided as R: the sum of the hypergeometric probabilities of every
 * table with the observed margins that is no more probable than the observed one (within a
 * relative TSIM_REL_TIE). */
double tsim_fisher_p(long long x0, long long n0, long long x1, long long n1);

/* Dispatches on the test kind; *stat gets the statistic where there is one (NaN for Fisher). */
double tsim_test_p(tsim_test t, long long x0, long long n0, long long x1, long long n1,
                   double *stat);

/* The decision rule: reject when p < alpha, where a p equal to alpha up to a relative
 * TSIM_REL_TIE counts as equal (exact arithmetic would make it equal, e.g. Fisher's 1/20 on
 * 1/1 vs 0/19 at alpha 0.05: not rejected). NaN never rejects. */
static inline int tsim_reject(double p, double alpha) { return p < alpha * (1.0 - TSIM_REL_TIE); }

#endif
