/* stattest.c - 2x2 tests (see stattest.h).
 *
 * Fisher's exact test: with margins n0 (control row), n1, m (responders), the count x0 of
 * control responders is hypergeometric, P(x) = C(n0, x) C(n1, m - x) / C(N, m), on
 * max(0, m - n1) <= x <= min(n0, m). The two-sided p-value is the sum of P(x) over
 * P(x) <= P(x0) (1 + 1e-7), as in R's fisher.test (Agresti, Categorical Data Analysis, 3.5.1).
 * The terms are built by the ratio recurrence P(x+1)/P(x) = (n0-x)(m-x) / ((x+1)(n1-m+x+1))
 * outward from the mode, where the unnormalised weight is 1: weights only shrink away from
 * the mode, so nothing overflows and terms that underflow are below any p of interest.
 */
#include "stattest.h"

#include <math.h>

static int degenerate(long long x0, long long n0, long long x1, long long n1) {
  long long m = x0 + x1, n = n0 + n1;
  return n0 <= 0 || n1 <= 0 || m <= 0 || m >= n;
}

double tsim_pearson_p(long long x0, long long n0, long long x1, long long n1, double *stat) {
  if (degenerate(x0, n0, x1, n1)) {
    if (stat) *stat = NAN;
    return NAN;
  }
  long long m = x0 + x1, n = n0 + n1;
  /* The cross-product difference is exact in 64 bits for any table we can simulate. */
  double d = (double)(x0 * (n1 - x1) - x1 * (n0 - x0));
  double x2 = (double)n * d * d / ((double)n0 * (double)n1 * (double)m * (double)(n - m));
  if (stat) *stat = x2;
  return erfc(sqrt(0.5 * x2)); /* P(chi2_1 > x2) = P(|Z| > sqrt(x2)) */
}

double tsim_n1_chisq_p(long long x0, long long n0, long long x1, long long n1, double *stat) {
  double x2;
  if (isnan(tsim_pearson_p(x0, n0, x1, n1, &x2))) {
    if (stat) *stat = NAN;
    return NAN;
  }
  long long n = n0 + n1;
  x2 *= (double)(n - 1) / (double)n;
  if (stat) *stat = x2;
  return erfc(sqrt(0.5 * x2));
}

double tsim_fisher_p(long long x0, long long n0, long long x1, long long n1) {
  if (degenerate(x0, n0, x1, n1)) return NAN;
  long long m = x0 + x1;
  long long lo = m - n1 > 0 ? m - n1 : 0, hi = m < n0 ? m : n0;
  /* Mode of the hypergeometric: floor((m+1)(n0+1)/(N+2)), clamped to the support. */
  long long mode = (long long)floor((double)(m + 1) * (double)(n0 + 1) / (double)(n0 + n1 + 2));
  if (mode < lo) mode = lo;
  if (mode > hi) mode = hi;
  /* First pass: the weight of the observed table and the total. */
  double w = 1.0, total = 1.0, w_obs = (x0 == mode) ? 1.0 : 0.0;
  for (long long x = mode; x < hi; x++) {
    w *= (double)(n0 - x) * (double)(m - x) / ((double)(x + 1) * (double)(n1 - m + x + 1));
    total += w;
    if (x + 1 == x0) w_obs = w;
  }
  w = 1.0;
  for (long long x = mode; x > lo; x--) {
    w *= (double)x * (double)(n1 - m + x) / ((double)(n0 - x + 1) * (double)(m - x + 1));
    total += w;
    if (x - 1 == x0) w_obs = w;
  }
  /* Second pass: sum the weights no larger than the observed one. */
  double cut = w_obs * (1.0 + TSIM_REL_TIE), sum = (1.0 <= cut) ? 1.0 : 0.0;
  w = 1.0;
  for (long long x = mode; x < hi; x++) {
    w *= (double)(n0 - x) * (double)(m - x) / ((double)(x + 1) * (double)(n1 - m + x + 1));
    if (w <= cut) sum += w;
  }
  w = 1.0;
  for (long long x = mode; x > lo; x--) {
    w *= (double)x * (double)(n1 - m + x) / ((double)(n0 - x + 1) * (double)(m - x + 1));
    if (w <= cut) sum += w;
  }
  double p = sum / total;
  return p > 1.0 ? 1.0 : p;
}

double tsim_test_p(tsim_test t, long long x0, long long n0, long long x1, long long n1,
                   double *stat) {
  switch (t) {
    case TSIM_TEST_PEARSON: return tsim_pearson_p(x0, n0, x1, n1, stat);
    case TSIM_TEST_N1_CHISQ: return tsim_n1_chisq_p(x0, n0, x1, n1, stat);
    case TSIM_TEST_FISHER:
      if (stat) *stat = NAN;
      return tsim_fisher_p(x0, n0, x1, n1);
  }
  return NAN;
}
