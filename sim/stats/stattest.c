/* stattest.c - tests on responders (see stattest.h).
 *
 * Notation: control x0 responders of n0, experimental x1 of n1, N = n0 + n1 patients,
 * m = x0 + x1 responders, d = x0 (n1-x1) - x1 (n0-x0) the cross-product difference.
 *
 * Pearson: X2 = N d^2 / (n0 n1 m (N-m)) against chi-square(1). The 'N-1' chi-square:
 * X2 (N-1)/N (E. Pearson 1947; Campbell 2007, Stat Med 26:3661). Yates: every cell of a 2x2
 * table has |O - E| = |d|/N; R's chisq.test subtracts min(0.5, |O - E|), so
 * X2 = N (|d| - N/2)^2 / (n0 n1 m (N-m)) if |d| >= N/2, else 0 (Yates 1934, JRSS Suppl 1:217).
 * A chi-square(1) tail is P(|Z| > sqrt(X2)) = erfc(sqrt(X2/2)), accurate far into the tail.
 *
 * Fisher's exact test: with margins n0 (control row), n1, m (responders), the count x0 of
 * control responders is hypergeometric, P(x) = C(n0, x) C(n1, m - x) / C(N, m), on
 * max(0, m - n1) <= x <= min(n0, m). The two-sided p-value is the sum of P(x) over
 * P(x) <= P(x0) (1 + 1e-7), as in R's fisher.test (Agresti, Categorical Data Analysis, 3.5.1).
 * The terms are built by the ratio recurrence P(x+1)/P(x) = (n0-x)(m-x) / ((x+1)(n1-m+x+1))
 * outward from the mode, where the unnormalised weight is 1: weights only shrink away from
 * the mode, so nothing overflows and terms that underflow are below any p of interest.
 *
 * Cochran-Mantel-Haenszel (Mantel & Haenszel 1959, JNCI 22:719): in stratum j
 * with t_j patients, m_j responders, the experimental responders x1_j have, given the margins,
 * mean E_j = n1_j m_j / t_j and variance V_j = n0_j n1_j m_j (t_j - m_j) / (t_j^2 (t_j - 1));
 * CMH = (sum (x1_j - E_j))^2 / sum V_j against chi-square(1). x1_j - E_j is formed as the
 * exact integer (x1_j t_j - n1_j m_j) over t_j, so a near-zero sum keeps its digits.
 *
 * Exact binomial test: X ~ Bin(n, p0), P(i+1)/P(i) = (n-i) p0 / ((i+1)(1-p0)), weights built
 * outward from the mode as for Fisher. With mu = n p0 and d = P(x): for x < mu, p = P(X <= x)
 * + the sum of P(i) <= d (1 + 1e-7) over i >= ceil(mu); for x > mu, the mirror image; x = mu
 * gives 1, exactly as R's binom.test. Time O(n): the whole support is walked.
 *
 * Risk difference p1 - p0 (p_i = x_i/n_i), z = the (1+conf)/2 normal quantile. Wald:
 * est -/+ z sqrt(p0 (1-p0)/n0 + p1 (1-p1)/n1). Newcombe's hybrid score interval (Newcombe
 * 1998, Stat Med 17:873, method 10): with [l_i, u_i] the Wilson score interval of p_i (Wilson
 * 1927, JASA 22:209; as in R's prop.test without correction),
 *   lo = est - sqrt((p1 - l1)^2 + (u0 - p0)^2),  hi = est + sqrt((u1 - p1)^2 + (p0 - l0)^2).
 */
#include "stats/stattest.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

static int degenerate(long long x0, long long n0, long long x1, long long n1) {
  long long m = x0 + x1, n = n0 + n1;
  return n0 <= 0 || n1 <= 0 || m <= 0 || m >= n;
}

double tsim_pearson_p(long long x0, long long n0, long long x1, long long n1, double *stat) {
  double x2 = tsim_chisq_stat(x0, n0, x1, n1);
  if (stat) *stat = x2;
  return isnan(x2) ? NAN : erfc(sqrt(0.5 * x2)); /* P(chi2_1 > x2) = P(|Z| > sqrt(x2)) */
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

double tsim_fisher_one_sided_p(long long x0, long long n0, long long x1, long long n1, int greater) {
  if (degenerate(x0, n0, x1, n1)) return NAN;
  long long m = x0 + x1, lo = m - n1 > 0 ? m - n1 : 0, hi = m < n0 ? m : n0;
  /* X1 >= x1 is X0 <= x0: sum the weights of x0' in [lo, x0] (or [x0, hi]) relative to the
   * mode's, as tsim_fisher_p does. */
  long long mode = (long long)floor((double)(m + 1) * (double)(n0 + 1) / (double)(n0 + n1 + 2));
  if (mode < lo) mode = lo;
  if (mode > hi) mode = hi;
  double w = 1.0, total = 1.0, tail = (greater ? mode <= x0 : mode >= x0) ? 1.0 : 0.0;
  for (long long x = mode; x < hi; x++) {
    w *= (double)(n0 - x) * (double)(m - x) / ((double)(x + 1) * (double)(n1 - m + x + 1));
    total += w;
    if (greater ? x + 1 <= x0 : x + 1 >= x0) tail += w;
  }
  w = 1.0;
  for (long long x = mode; x > lo; x--) {
    w *= (double)x * (double)(n1 - m + x) / ((double)(n0 - x + 1) * (double)(m - x + 1));
    total += w;
    if (greater ? x - 1 <= x0 : x - 1 >= x0) tail += w;
  }
  double p = tail / total;
  return p > 1 ? 1 : p;
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

double tsim_yates_p(long long x0, long long n0, long long x1, long long n1, double *stat) {
  if (degenerate(x0, n0, x1, n1)) {
    if (stat) *stat = NAN;
    return NAN;
  }
  long long m = x0 + x1, n = n0 + n1;
  long long d = x0 * (n1 - x1) - x1 * (n0 - x0);
  /* 2 (|d| - N/2), an exact integer: the corrected deviation, or <= 0 when R's correction
   * min(0.5, |O - E|) cancels the whole deviation. */
  long long e = 2 * (d < 0 ? -d : d) - n;
  double x2 = 0.0;
  if (e > 0)
    x2 = (double)n * (double)e * (double)e /
         (4.0 * (double)n0 * (double)n1 * (double)m * (double)(n - m));
  if (stat) *stat = x2;
  return erfc(sqrt(0.5 * x2));
}

double tsim_cmh_p(const long long *x0, const long long *n0, const long long *x1,
                  const long long *n1, int k, double *stat) {
  if (stat) *stat = NAN;
  if (k < 1 || !x0 || !n0 || !x1 || !n1) return NAN;
  double dev = 0.0, var = 0.0;
  for (int j = 0; j < k; j++) {
    long long t = n0[j] + n1[j], m = x0[j] + x1[j];
    if (n0[j] < 0 || n1[j] < 0 || x0[j] < 0 || x1[j] < 0 || x0[j] > n0[j] || x1[j] > n1[j])
      return NAN;
    if (t < 2) continue; /* no variance: a lone patient is his own expectation */
    dev += (double)(x1[j] * t - n1[j] * m) / (double)t;
    var += (double)n0[j] * (double)n1[j] * (double)m * (double)(t - m) /
           ((double)t * (double)t * (double)(t - 1));
  }
  if (!(var > 0.0)) return NAN;
  double x2 = dev * dev / var;
  if (stat) *stat = x2;
  return erfc(sqrt(0.5 * x2));
}

/* Sum of the binomial weights w(i), i in [a, b], that are <= cut, where w(mode) = 1 and
 * w(i+1)/w(i) = (n-i)/(i+1) * odds, odds = p0/(1-p0). Weights are built outward from the mode
 * over the whole support, so those in [a, b] get the same values on every call. */
static double binom_weights(long long n, double odds, long long mode, long long a, long long b,
                            double cut) {
  double w = 1.0, sum = (a <= mode && mode <= b && 1.0 <= cut) ? 1.0 : 0.0;
  for (long long i = mode; i < n && i < b; i++) {
    w *= (double)(n - i) / (double)(i + 1) * odds;
    if (i + 1 >= a && w <= cut) sum += w;
  }
  w = 1.0;
  for (long long i = mode; i > 0 && i > a; i--) {
    w /= (double)(n - i + 1) / (double)i * odds;
    if (i - 1 <= b && w <= cut) sum += w;
  }
  return sum;
}

double tsim_binomial_exact_p(long long x, long long n, double p0) {
  if (n < 1 || x < 0 || x > n || !(p0 >= 0.0 && p0 <= 1.0)) return NAN;
  if (p0 == 0.0) return x == 0 ? 1.0 : 0.0;
  if (p0 == 1.0) return x == n ? 1.0 : 0.0;
  double mu = (double)n * p0, odds = p0 / (1.0 - p0);
  if ((double)x == mu) return 1.0;
  /* Mode of Bin(n, p0): floor((n+1) p0), clamped to the support. */
  long long mode = (long long)floor((double)(n + 1) * p0);
  if (mode > n) mode = n;
  double total = binom_weights(n, odds, mode, 0, n, INFINITY);
  double cut = binom_weights(n, odds, mode, x, x, INFINITY) * (1.0 + TSIM_REL_TIE), sum;
  if ((double)x < mu)
    sum = binom_weights(n, odds, mode, 0, x, INFINITY) +
          binom_weights(n, odds, mode, (long long)ceil(mu), n, cut);
  else
    sum = binom_weights(n, odds, mode, 0, (long long)floor(mu), cut) +
          binom_weights(n, odds, mode, x, n, INFINITY);
  double p = sum / total;
  return p > 1.0 ? 1.0 : p;
}

static int rd_fail(double *est, double *lo, double *hi) {
  if (est) *est = NAN;
  if (lo) *lo = NAN;
  if (hi) *hi = NAN;
  return -1;
}

static int rd_defined(long long x0, long long n0, long long x1, long long n1, double conf) {
  return n0 > 0 && n1 > 0 && x0 >= 0 && x0 <= n0 && x1 >= 0 && x1 <= n1 && conf > 0.0 &&
         conf < 1.0;
}

int tsim_rd_wald(long long x0, long long n0, long long x1, long long n1, double conf,
                 double *est, double *lo, double *hi) {
  if (!rd_defined(x0, n0, x1, n1, conf)) return rd_fail(est, lo, hi);
  double p0 = (double)x0 / (double)n0, p1 = (double)x1 / (double)n1;
  double z = gsl_cdf_ugaussian_Pinv((1.0 + conf) / 2.0);
  double se = sqrt(p0 * (1.0 - p0) / (double)n0 + p1 * (1.0 - p1) / (double)n1);
  if (est) *est = p1 - p0;
  if (lo) *lo = p1 - p0 - z * se;
  if (hi) *hi = p1 - p0 + z * se;
  return 0;
}

/* Wilson's score interval for x of n, written as R's prop.test (correct = FALSE) writes it,
 * including its rule that the interval reaches 0 (1) exactly when x = 0 (x = n). */
static void wilson(long long x, long long n, double z, double *lo, double *hi) {
  double p = (double)x / (double)n, z22n = z * z / (2.0 * (double)n);
  double root = z * sqrt(p * (1.0 - p) / (double)n + z22n / (2.0 * (double)n));
  *lo = p <= 0.0 ? 0.0 : (p + z22n - root) / (1.0 + 2.0 * z22n);
  *hi = p >= 1.0 ? 1.0 : (p + z22n + root) / (1.0 + 2.0 * z22n);
}

int tsim_rd_newcombe(long long x0, long long n0, long long x1, long long n1, double conf,
                     double *est, double *lo, double *hi) {
  if (!rd_defined(x0, n0, x1, n1, conf)) return rd_fail(est, lo, hi);
  double p0 = (double)x0 / (double)n0, p1 = (double)x1 / (double)n1, l0, u0, l1, u1;
  double z = gsl_cdf_ugaussian_Pinv((1.0 + conf) / 2.0);
  wilson(x0, n0, z, &l0, &u0);
  wilson(x1, n1, z, &l1, &u1);
  if (est) *est = p1 - p0;
  if (lo) *lo = p1 - p0 - sqrt((p1 - l1) * (p1 - l1) + (u0 - p0) * (u0 - p0));
  if (hi) *hi = p1 - p0 + sqrt((u1 - p1) * (u1 - p1) + (p0 - l0) * (p0 - l0));
  return 0;
}

double tsim_binomial_one_sided_p(long long x, long long n, double p0, int greater) {
  if (n < 1 || x < 0 || x > n || !(p0 >= 0 && p0 <= 1)) return NAN;
  if (greater) return x == 0 ? 1.0 : gsl_cdf_binomial_Q((unsigned)(x - 1), p0, (unsigned)n);
  return gsl_cdf_binomial_P((unsigned)x, p0, (unsigned)n);
}
