/* contest.h - tests on a continuous end point from summary statistics (mean, SD, n per arm).
 *
 * Convention: control arm 0, experimental arm 1; the difference is mean1 - mean0. Each test
 * returns the two-sided p-value and fills a tsim_t_fit: t, df, the difference and [lo, hi],
 * the two-sided `conf` interval of the difference (conf = 0.95 for 95%). Every output is NaN, and so is the return value, when the test is undefined: an arm
 * with n < 2, the standard error zero or negligible (R's "data are essentially constant":
 * below 10 DBL_EPSILON max(|mean0|, |mean1|); both SDs zero is the usual case), or an impossible
 * argument (a negative or non-finite SD, a non-finite mean, conf outside (0, 1)).
 * p-values match R's t.test to a relative 1e-9 for df up to 1e7 (tests/test_contest.c holds
 * reference values computed with R); a p-value below about 1e-300 is returned as 0.
 * Means and SDs may have any finite magnitude: they are scaled by a power of two first when
 * squares or fourth powers would over- or underflow, so t, df and p are those of the exact
 * arithmetic wherever they are representable (difference and interval are +-inf only when
 * beyond the double range); no call reaches the GSL error handler.
 */
#ifndef TSIM_CONTEST_H
#define TSIM_CONTEST_H

#include <float.h>
#include <math.h>
#include <stddef.h>

/* The smallest degrees of freedom the t functions below take (the t-tests have at least 1;
 * rounding may put Welch's a little below). */
#define TSIM_T_MIN_DF 0.5

/* P(|T_nu| > |t|) for Student's t with finite nu >= TSIM_T_MIN_DF degrees of freedom (NaN
 * otherwise), accurate in both tails (a p below about 1e-300 is returned as 0); the t-tests
 * here and ANCOVA (ancova.c) share it. */
double tsim_t_two_sided_p(double t, double nu);

/* The upper q quantile of Student's t with nu degrees of freedom (the t with P(T > t) = q), as
 * gsl_cdf_tdist_Qinv, for 0 < q < 1 and finite nu >= TSIM_T_MIN_DF; NaN otherwise,
 * never through the GSL error handler (GSL's own routine is called only where it is defined
 * and accurate: up to df 1e12, beyond which the normal quantile with its 1/nu term is). */
double tsim_t_upper_quantile(double q, double nu);

/* The mean and SD (divisor n - 1; 0 for a single value) of x[0..n), in two passes; the mean is
 * NaN when n < 1. The summaries the tests below take, from patient values. Finite values of
 * any magnitude: when the sums would over- or underflow they are taken again on the values
 * scaled by a power of two (the SD is then +inf only if it exceeds the double range). */
void tsim_mean_sd(const double *x, long long n, double *mean, double *sd);

/* The mean tsim_mean_sd gives, the same bits, without the SD: one pass where tsim_mean_sd keeps
 * its first sums (checked from the values' largest magnitude and the first value's squared
 * deviation), tsim_mean_sd itself elsewhere. */
double tsim_mean(const double *x, long long n);

/* One arm's summary statistics: mean, SD (divisor n - 1) and size; what the tests below take. */
typedef struct tsim_arm_summary {
  double mean, sd;
  long long n;
} tsim_arm_summary;

/* A t-test's outputs (all NaN when the test is undefined, as above). */
typedef struct tsim_t_fit {
  double p;      /* two-sided */
  double stat;   /* t = diff / se */
  double df;
  double diff;   /* mean1 - mean0 */
  double lo, hi; /* the two-sided `conf` interval of diff */
} tsim_t_fit;

/* The t statistic (mean1 - mean0) / se, its degrees of freedom and se, of Welch's test
 * (pooled = 0) or Student's (pooled = 1) of arm a0 (control) against a1, without the p-value:
 * 1 when the test is defined (as above), else 0 with NaN outputs. se_out may be NULL. The
 * tests below use it. */
int tsim_t_stat(int pooled, tsim_arm_summary a0, tsim_arm_summary a1, double *t, double *nu,
                double *se_out);

/* 1 when a t test with standard error se and df degrees of freedom of arms with means mean0
 * and mean1 is defined: se positive and df finite. R stops with "data are essentially constant"
 * when se is below 10 DBL_EPSILON max(|mean0|, |mean1|): the difference of the means is then
 * rounding noise. */
static inline int tsim__t_defined(double se, double df, double mean0, double mean1) {
  double a0 = fabs(mean0), a1 = fabs(mean1);
  return se > 0.0 && !(se < 10.0 * DBL_EPSILON * (a0 > a1 ? a0 : a1)) && isfinite(df);
}

/* 1 when the summaries need no scaling for tsim__t_core: both arms of 2 or more, SDs not
 * negative, every mean and SD finite and the largest of their magnitudes in [2^-100, 2^100].
 * NaN fails a0 <= or s >= (so does +-inf, the upper bound): tsim_t_stat scales or refuses those. */
static inline int tsim__t_inline_range(double m0, double s0, long long n0, double m1, double s1, long long n1) {
  double a0 = fabs(m0), a1 = fabs(m1), ma = a0 > a1 ? a0 : a1, ms = s0 > s1 ? s0 : s1;
  double mx = ma > ms ? ma : ms;
  return n0 >= 2 && n1 >= 2 && s0 >= 0.0 && s1 >= 0.0 && a0 <= 0x1p100 && a1 <= 0x1p100 && mx >= 0x1p-100 &&
         mx <= 0x1p100;
}

/* One arm's summary from the count n, sum s and sum of squares q of its values less c: mean
 * c + s/n (NaN when n is 0); SD from the sum of squares about c less s (s/n), at least 0 (NaN
 * to 0), which loses nothing to cancellation while the mean stays near c (0 when n < 2). The
 * analyses' cells (analysis/ptanalysis.c) and the kernels' t_lanes compute it so. */
static inline tsim_arm_summary tsim_arm_from_sums(double n, double s, double q, double c) {
  double m = s / n, ss = q - s * m;
  tsim_arm_summary a;
  a.n = (long long)n;
  a.mean = n > 0 ? c + m : NAN;
  a.sd = n > 1 ? sqrt((ss > 0.0 ? ss : 0.0) / (n - 1)) : 0.0; /* fmax(ss, 0), NaN to 0 */
  return a;
}

/* The arithmetic of tsim_t_stat on arm summaries already in range (scaled by contest.c where
 * they are not): t, df and se, or 0 when se is not positive, negligible (R's "essentially
 * constant") or df not finite. One body for the inline form below and contest.c, so both give
 * the same bits. */
static inline int tsim__t_core(int pooled, double mean0, double sd0, long long n0, double mean1, double sd1,
                               long long n1, double *t, double *nu, double *se_out) {
  double se, df;
  if (pooled) {
    df = (double)(n0 + n1 - 2);
    double var = ((double)(n0 - 1) * sd0 * sd0 + (double)(n1 - 1) * sd1 * sd1) / df;
    se = sqrt(var * (1.0 / (double)n0 + 1.0 / (double)n1));
  } else {
    double v0 = sd0 * sd0 / (double)n0, v1 = sd1 * sd1 / (double)n1;
    df = (v0 + v1) * (v0 + v1) / (v0 * v0 / (double)(n0 - 1) + v1 * v1 / (double)(n1 - 1));
    se = sqrt(v0 + v1);
  }
  if (!tsim__t_defined(se, df, mean0, mean1)) return 0;
  *t = (mean1 - mean0) / se;
  *nu = df;
  *se_out = se;
  return 1;
}

/* tsim_t_stat(pooled, {m0, s0, n0}, {m1, s1, n1}, t, nu, NULL), inline where it needs no
 * scaling (every mean and SD finite, the largest of their magnitudes in [2^-100, 2^100]) - the
 * analyses' per-trial case, without a call that passes the summaries through memory - and
 * through tsim_t_stat otherwise: the same bits either way. */
static inline int tsim_t_stat_inline(int pooled, double m0, double s0, long long n0, double m1, double s1,
                                     long long n1, double *t, double *nu) {
  if (tsim__t_inline_range(m0, s0, n0, m1, s1, n1)) {
    double se;
    if (tsim__t_core(pooled, m0, s0, n0, m1, s1, n1, t, nu, &se)) return 1;
    *t = *nu = NAN;
    return 0;
  }
  return tsim_t_stat(pooled, (tsim_arm_summary){m0, s0, n0}, (tsim_arm_summary){m1, s1, n1}, t, nu, NULL);
}

/* Welch's t-test (unequal variances, Welch-Satterthwaite df), as R t.test(var.equal = FALSE).
 * Returns the two-sided p-value and fills *out (may be NULL). */
double tsim_welch_t(tsim_arm_summary a0, tsim_arm_summary a1, double conf, tsim_t_fit *out);

/* Student's t-test (pooled variance, df = n0 + n1 - 2), as R t.test(var.equal = TRUE).
 * Returns the two-sided p-value and fills *out (may be NULL). */
double tsim_student_t(tsim_arm_summary a0, tsim_arm_summary a1, double conf, tsim_t_fit *out);

/* The `conf` interval of those tests (pooled: Student's, else Welch's) alone, without the
 * p-value: the bits of their lo and hi. 1, or 0 with NaN bounds where the test is undefined. */
int tsim_t_interval(int pooled, tsim_arm_summary a0, tsim_arm_summary a1, double conf, double *lo, double *hi);

/* --- Against a margin: non-inferiority, and each side of equivalence ---------------------
 *
 * greater = 1 (any non-zero value) tests H0 theta <= theta0 against H1 theta > theta0, with
 * p = P(T_df > t); greater = 0 tests H0 theta >= theta0 against H1 theta < theta0, with
 * p = P(T_df < t). theta is mu1 - mu0 or mu1 / mu0 (below). Non-inferiority of the experimental
 * arm on an end point where higher is better: greater = 1, theta0 = -margin (difference) or
 * 1 - margin (ratio); where lower is better, greater = 0 and theta0 = +margin or 1 + margin.
 * Equivalence (two one-sided tests, TOST): the larger of the p-values at (theta_lo, greater = 1)
 * and (theta_hi, greater = 0). The functions return that one-sided p and fill a tsim_t_fit
 * whose p is the same one-sided p (not two-sided as above) and whose [lo, hi] is the two-sided
 * `conf` interval: conf = 1 - 2 alpha gives the one-sided 1 - alpha bound, so that lo > theta0
 * exactly when p < alpha (greater = 1), hi < theta0 when p < alpha (greater = 0); for the ratio
 * test only when its interval is bounded, and with Welch's df only nearly (see there).
 * Undefined (NaN everywhere, as above): the cases of the t-tests, and a NaN or infinite theta0.
 * tests/test_contest_margin.c checks t, df, p, estimate and interval against R
 * (tests/r/contest_margin_reference.R: t.test, the ratio test's formulas, lm) to 1e-9 relative
 * (measured: within 7e-12), and the ratio test against a published output of mratios. */

/* P(T_nu > t), the upper tail of Student's t with nu degrees of freedom, from
 * tsim_t_two_sided_p (half of it for t > 0, 1 less half of it otherwise: as accurate, and the
 * same refusals, NaN); t = +inf gives 0, -inf 1. As R's pt(t, nu, lower.tail = FALSE). */
double tsim_t_upper_p(double t, double nu);

/* The one-sided p-value of an estimate against theta0 from its standard error se and degrees of
 * freedom df: t = (est - theta0) / se, p = P(T_df > t) (greater) or P(T_df < t). NaN when est
 * or theta0 is not finite, se is not finite and positive, or df is refused as above. A t beyond
 * the double range is +-inf (p 0 or 1).
 * ANCOVA against a margin (sim/stats/ancova.h) is this on its fit:
 *   tsim_t_shifted_p(fit.diff, fit.se, fit.df, theta0, greater),
 * which is R's summary(lm(I(y - theta0 * g) ~ g + baseline)) row "g" made one-sided: shifting
 * y by theta0 g moves the arm coefficient by -theta0 and leaves the residuals, so se and df, as
 * they are (tests/r/contest_margin_reference.R checks it). From arm sums, tsim_ancova_from_sums
 * with conf = 0 gives fit.diff, fit.se and fit.df. */
double tsim_t_shifted_p(double est, double se, double df, double theta0, int greater);

/* Welch's (welch = 1) or Student's (welch = 0) t-test of the difference mu1 - mu0, control c
 * (arm 0) and experimental e (arm 1), against theta0: t = (mean1 - mean0 - theta0) / se with
 * the test's own se and df (tsim_welch_t, tsim_student_t), as R's
 *   t.test(x1, x0, mu = theta0, alternative = "greater" or "less", var.equal = !welch).
 * The fit: p one-sided, stat that t, df, diff = mean1 - mean0 and its two-sided `conf`
 * interval (the one tsim_welch_t / tsim_student_t give: it does not depend on theta0). R's
 * "essentially constant" rule as above (on the means, not theta0). theta0 = 0 with greater = 1
 * gives half the two-sided p for a positive t. */
double tsim_t_margin_p(int welch, tsim_arm_summary c, tsim_arm_summary e, double theta0, int greater,
                       double conf, tsim_t_fit *fit);

/* The test of the ratio of means mu1 / mu0 against theta0 > 0, for an end point whose control
 * mean is positive (Hauschke, Kieser & Hothorn 1999, Biometrical Journal 41:295; Kieser &
 * Hauschke 2000, Drug Information Journal 34:563): H0 mu1 <= theta0 mu0 is a hypothesis on the
 * difference mu1 - theta0 mu0, so
 *   Student (welch = 0): T = (m1 - theta0 m0) / (s sqrt(1/n1 + theta0^2/n0)), s the pooled SD,
 *                        df = n0 + n1 - 2;
 *   Welch (welch = 1):   T = (m1 - theta0 m0) / sqrt(s1^2/n1 + theta0^2 s0^2/n0), df
 *                        Satterthwaite's for those two variances (Tamhane & Logan 2004,
 *                        J Biopharm Stat 14:843),
 * p = P(T_df > T) (greater) or P(T_df < T), as R package mratios' ttestratio(x1, x0, rho =
 * theta0, var.equal = !welch). theta0 = 1 is the difference test at theta0 = 0.
 * The fit: p one-sided, stat T, df the test's df, diff = m1 / m0, and [lo, hi] Fieller's
 * two-sided `conf` interval for mu1 / mu0 (Fieller 1954, JRSS B 16:175): the ratios r with
 * (m1 - r m0)^2 <= q^2 (v1 + r^2 v0), v1 and v0 the variances of m1 and m0 (s^2/n_i pooled,
 * s_i^2/n_i Welch), q the (1 + conf)/2 quantile of T on df n0 + n1 - 2 (Student) or on
 * Satterthwaite's df at r = m1 / m0 (Welch: mratios' ttestratio does the same; the test's df,
 * at theta0, differ, so with Welch "lo > theta0" and "p < alpha" may disagree by a hair near
 * the boundary). The set is a bounded interval only when m0 is significantly non-zero at that
 * level, m0^2 > q^2 v0; otherwise it is the whole line or two rays, and lo = -inf, hi = +inf
 * (its hull; mratios gives NA): the test may still reject a theta0 in the gap between the
 * rays, so decide by p. lo and hi are NaN when m1 / m0 itself is beyond the double range.
 * Undefined (NaN everywhere): the t-tests' cases, m0 <= 0, theta0 not finite and positive, and
 * se below 10 DBL_EPSILON max(|m1|, theta0 m0) (R's "essentially constant" rule, here on the
 * two terms of the difference tested; mratios refuses an arm whose own SD is below 10
 * DBL_EPSILON |mean|, tsim only the pair, so one arm without spread is allowed as in the
 * t-tests). theta0 and the summaries of any finite magnitude: T and df are formed from
 * theta0 m0 and theta0 times an SD already scaled by a power of two. */
double tsim_t_ratio_p(int welch, tsim_arm_summary c, tsim_arm_summary e, double theta0, int greater,
                      double conf, tsim_t_fit *fit);

#endif
