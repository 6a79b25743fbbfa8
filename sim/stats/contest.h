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

/* Welch's t-test (unequal variances, Welch-Satterthwaite df), as R t.test(var.equal = FALSE).
 * Returns the two-sided p-value and fills *out (may be NULL). */
double tsim_welch_t(tsim_arm_summary a0, tsim_arm_summary a1, double conf, tsim_t_fit *out);

/* Student's t-test (pooled variance, df = n0 + n1 - 2), as R t.test(var.equal = TRUE).
 * Returns the two-sided p-value and fills *out (may be NULL). */
double tsim_student_t(tsim_arm_summary a0, tsim_arm_summary a1, double conf, tsim_t_fit *out);

#endif
