/* contest.c - t-tests from summary statistics (see contest.h).
 *
 * Arm i has mean m_i, standard deviation s_i, size n_i; the difference is D = m1 - m0.
 * Welch (Welch 1947, Biometrika 34:28; Satterthwaite 1946): v_i = s_i^2 / n_i,
 *   se = sqrt(v0 + v1),  df = (v0 + v1)^2 / (v0^2/(n0-1) + v1^2/(n1-1)).
 * Student (pooled): s^2 = ((n0-1) s0^2 + (n1-1) s1^2) / (n0+n1-2),
 *   se = s sqrt(1/n0 + 1/n1),  df = n0 + n1 - 2.
 * Both: t = D / se, p = P(|T_df| > |t|), interval D -/+ q se with q the (1+conf)/2 quantile of
 * T_df, exactly as R's t.test computes them from raw data.
 *
 * The tail: P(|T_nu| > t) = I_x(nu/2, 1/2) with x = nu/(nu + t^2), and P(|T_nu| <= t) =
 * I_y(1/2, nu/2) with y = t^2/(nu + t^2) = 1 - x (Abramowitz & Stegun 26.7.1, 26.5.2), I the
 * regularised incomplete beta function (gsl_sf_beta_inc). The smaller of the two is computed
 * directly and the other as its complement, so p keeps its relative accuracy in the far tail
 * (R's pt does the same with TOMS 708). gsl_cdf_tdist_Q is not used: for df > 30 it is a
 * Cornish-Fisher approximation, off R by up to 2e-7 relative at t = 20, df = 58.
 */
#include "stats/contest.h"

#include <float.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_machine.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_result.h>
#include <math.h>

double tsim_t_two_sided_p(double t, double nu) {
  if (isnan(t) || !(nu > 0)) return NAN;
  t = fabs(t);
  if (isinf(t)) return 0.0;
  /* |t| <= 2/(10 DBL_EPSILON) < 1e15 after R's "essentially constant" rule (t_finish), so t^2
   * does not overflow. */
  double t2 = t * t, x = nu / (nu + t2), y = t2 / (nu + t2);
  /* gsl_sf_beta_inc forms the prefactor x^(nu/2) y^(1/2) / B(nu/2, 1/2), the same for both
   * tails, and reports its underflow (below e^GSL_LOG_DBL_MIN = DBL_MIN) through the GSL error
   * handler, which aborts by default. It underflows only for a large t, where p is below
   * 1e-300: return 0 then, with a margin of 1 in the logarithm for rounding. */
  if (y > 0.0 && x > 0.0 &&
      0.5 * nu * log(x) + 0.5 * log(y) - gsl_sf_lnbeta(0.5 * nu, 0.5) < GSL_LOG_DBL_MIN + 1.0)
    return 0.0;
  double inside = gsl_sf_beta_inc(0.5, 0.5 * nu, y); /* P(|T| <= t) */
  if (inside < 0.5) return 1.0 - inside;
  /* The upper tail through the _e form: near the bound above GSL may still report an
   * underflow (p below about 1e-300), which is a p of 0, never an error. */
  gsl_sf_result r;
  int status = gsl_sf_beta_inc_e(0.5 * nu, 0.5, x, &r);
  return status == GSL_EUNDRFLW ? 0.0 : r.val;
}

static double t_fail(tsim_t_fit *out) {
  if (out) out->p = out->stat = out->df = out->diff = out->lo = out->hi = NAN;
  return NAN;
}

/* Arguments a t-test can use: n >= 2 per arm, finite means, finite SDs >= 0, 0 < conf < 1. */
static int t_args_ok(tsim_arm_summary a0, tsim_arm_summary a1, double conf) {
  return a0.n >= 2 && a1.n >= 2 && isfinite(a0.mean) && isfinite(a1.mean) && isfinite(a0.sd) &&
         isfinite(a1.sd) && a0.sd >= 0.0 && a1.sd >= 0.0 && conf > 0.0 && conf < 1.0;
}

void tsim_mean_sd(const double *x, long long n, double *mean, double *sd) {
  double s = 0.0, q = 0.0;
  for (long long i = 0; i < n; i++) s += x[i];
  double m = n > 0 ? s / (double)n : NAN;
  for (long long i = 0; i < n; i++) q += (x[i] - m) * (x[i] - m);
  *mean = m;
  *sd = n > 1 ? sqrt(q / (double)(n - 1)) : 0.0;
}

int tsim_t_stat(int pooled, tsim_arm_summary a0, tsim_arm_summary a1, double *t, double *nu,
                double *se_out) {
  *t = *nu = NAN;
  if (se_out) *se_out = NAN;
  if (!t_args_ok(a0, a1, 0.5)) return 0;
  double mean0 = a0.mean, sd0 = a0.sd, mean1 = a1.mean, sd1 = a1.sd;
  long long n0 = a0.n, n1 = a1.n;
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
  /* R stops with "data are essentially constant" below 10 DBL_EPSILON max(|mean0|, |mean1|):
   * the difference of the means is then rounding noise. */
  if (!(se > 0.0) || se < 10.0 * DBL_EPSILON * fmax(fabs(mean0), fabs(mean1))) return 0;
  *t = (mean1 - mean0) / se;
  *nu = df;
  if (se_out) *se_out = se;
  return 1;
}

/* The part both tests share. */
static double t_test(int pooled, tsim_arm_summary a0, tsim_arm_summary a1, double conf,
                     tsim_t_fit *out) {
  double t, nu, se;
  if (!(conf > 0.0 && conf < 1.0) || !tsim_t_stat(pooled, a0, a1, &t, &nu, &se))
    return t_fail(out);
  double p = tsim_t_two_sided_p(t, nu);
  if (out) {
    double d = a1.mean - a0.mean, q = gsl_cdf_tdist_Qinv((1.0 - conf) / 2.0, nu);
    out->p = p;
    out->stat = t;
    out->df = nu;
    out->diff = d;
    out->lo = d - q * se;
    out->hi = d + q * se;
  }
  return p;
}

double tsim_welch_t(tsim_arm_summary a0, tsim_arm_summary a1, double conf, tsim_t_fit *out) {
  return t_test(0, a0, a1, conf, out);
}

double tsim_student_t(tsim_arm_summary a0, tsim_arm_summary a1, double conf, tsim_t_fit *out) {
  return t_test(1, a0, a1, conf, out);
}
