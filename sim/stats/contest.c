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
#include <limits.h>
#include <math.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

double tsim_t_two_sided_p(double t, double nu) {
  /* A NaN, infinite or vanishing nu (0.5 nu = 0) would reach gsl_sf_lnbeta, which reports the
   * domain error through the GSL error handler (abort by default): refused here, so the library
   * never depends on how its caller set that handler (see sim/README.md). */
  if (isnan(t) || !(nu >= TSIM_T_MIN_DF) || !isfinite(nu)) return NAN;
  t = fabs(t);
  if (isinf(t)) return 0.0;
  /* Past df 1e10 the normal approximation R's pt uses beyond 4e5 (Abramowitz & Stegun 26.7.8)
   * is exact to ~1e-20 relative; gsl_sf_beta_inc's continued fraction stops converging (an
   * error through the handler, and a NaN p) at some t near 1.74 from df 1.1e11 (and everywhere
   * from about 1e19). */
  if (nu > 1e10) {
    double v = 1.0 / (4.0 * nu);
    return 2.0 * gsl_cdf_ugaussian_Q(t * (1.0 - v) / sqrt(1.0 + t * t * 2.0 * v));
  }
  double t2 = t * t;
  if (!isfinite(t2)) {
    /* |t| beyond ~1e154 (the t-tests stay below 1e15, but a caller may not): x = nu/(nu + t^2)
     * is below 1e-296, where I_x(a, 1/2) = x^a / (a B(a, 1/2)) to double precision, a = nu/2;
     * its logarithm, as log x = log nu - 2 log t, keeps a heavy tail's p (df 0.5: ~t^-0.5). */
    double a = 0.5 * nu, l = a * (log(nu) - 2.0 * log(t)) - gsl_sf_lnbeta(a, 0.5) - log(a);
    return l < GSL_LOG_DBL_MIN + 1.0 ? 0.0 : exp(l);
  }
  double x = nu / (nu + t2), y = t2 / (nu + t2);
  /* gsl_sf_beta_inc forms the prefactor x^(nu/2) y^(1/2) / B(nu/2, 1/2), the same for both
   * tails, and reports its underflow (below e^GSL_LOG_DBL_MIN = DBL_MIN) through the GSL error
   * handler, which aborts by default. It underflows only for a large t, where p is below
   * 1e-300: return 0 then, with a margin of 1 in the logarithm for rounding. */
  double lpre = 0.0;
  if (y > 0.0 && x > 0.0) {
    /* B(a, 1/2) falls as a grows, so for nu >= TSIM_T_MIN_DF (a >= 1/4) its logarithm is at most
     * ln B(1/4, 1/2) = 1.657107: where the prefactor's bound without it clears both guards (this
     * one and the upper tail's below), they pass, and the exact value is not needed. */
    double head = 0.5 * nu * log(x) + 0.5 * log(y), low = head - 1.6572;
    if (low >= GSL_LOG_DBL_MIN + 1.0 && low - log(0.5 * nu) >= GSL_LOG_DBL_MIN + 1.0)
      lpre = low;
    else
      lpre = head - gsl_sf_lnbeta(0.5 * nu, 0.5);
  }
  if (lpre < GSL_LOG_DBL_MIN + 1.0) return 0.0;
  /* P(|T| <= t), when it could be the smaller tail. From nu = 2 and t = 1 it is not: the t
   * distribution's upper quartile falls as nu grows (1 at nu = 1, sqrt(2/3) at nu = 2), so
   * P(|T| <= t) >= P(|T_2| <= 1) = 1/sqrt(3) = 0.577 there, and the upper tail is computed
   * without this second incomplete beta (the same p: this branch returns only below 0.5). */
  if (!(nu >= 2.0 && t >= 1.0)) {
    double inside = gsl_sf_beta_inc(0.5, 0.5 * nu, y);
    if (inside < 0.5) return 1.0 - inside;
  }
  /* The upper tail I_x(nu/2, 1/2) is the prefactor times its continued fraction (>= 1) over
   * nu/2; GSL reports a result below DBL_MIN as an underflow through the error handler too
   * (also from the _e form), so such a p (below 1e-300 as well) is 0 without asking GSL. */
  if (lpre - log(0.5 * nu) < GSL_LOG_DBL_MIN + 1.0) return 0.0;
  gsl_sf_result r;
  int status = gsl_sf_beta_inc_e(0.5 * nu, 0.5, x, &r);
  return status == GSL_EUNDRFLW ? 0.0 : status ? NAN : r.val;
}

double tsim_t_upper_quantile(double q, double nu) {
  if (!(q > 0.0 && q < 1.0) || !(nu >= TSIM_T_MIN_DF) || !isfinite(nu)) return NAN;
  /* gsl_cdf_tdist_Qinv's Cornish-Fisher start breaks down beyond df ~ 1e15 (1e16 gives
   * 784009 for the 0.025 quantile): past 1e12 the first term of the expansion in 1/nu,
   * z + (z^3 + z) / (4 nu), is exact to ~1e-24 relative. */
  if (nu > 1e12) {
    double z = gsl_cdf_ugaussian_Qinv(q);
    return z + (z * z * z + z) / (4.0 * nu);
  }
  return gsl_cdf_tdist_Qinv(q, nu);
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

/* The binary exponent e with 2^(e-1) <= max |x| < 2^e (0 when all are 0). */
static int max_exponent(const double *x, long long n) {
  double mx = 0.0;
  for (long long i = 0; i < n; i++) mx = fmax(mx, fabs(x[i]));
  int e = 0;
  frexp(mx, &e);
  return e;
}

/* Mean and sum of squares about it of x[i] * 2^-e, in two passes (e = 0: x itself). */
static void mean_ss(const double *x, long long n, int e, double *mean, double *ss) {
  double s = 0.0, q = 0.0;
  if (e == 0) {
    for (long long i = 0; i < n; i++) s += x[i];
  } else {
    for (long long i = 0; i < n; i++) s += ldexp(x[i], -e);
  }
  double m = s / (double)n;
  if (e == 0) {
    for (long long i = 0; i < n; i++) q += (x[i] - m) * (x[i] - m);
  } else {
    for (long long i = 0; i < n; i++) q += (ldexp(x[i], -e) - m) * (ldexp(x[i], -e) - m);
  }
  *mean = m;
  *ss = q;
}

void tsim_mean_sd(const double *x, long long n, double *mean, double *sd) {
  if (n < 1) {
    *mean = NAN;
    *sd = 0.0;
    return;
  }
  double m, q;
  mean_ss(x, n, 0, &m, &q);
  /* The sums as they are, unless they overflowed (values beyond ~1e154 square to infinity) or
   * the sum of squares fell where it loses digits to underflow: then again on the values
   * scaled by a power of two (exact), which gives the same bits whenever the first pass was
   * free of both, and the right answer where it was not. */
  if (!isfinite(m) || !isfinite(q) || q < 0x1p-900) {
    int e = max_exponent(x, n);
    if (e != 0) {
      mean_ss(x, n, e, &m, &q);
      *mean = ldexp(m, e);
      *sd = n > 1 ? ldexp(sqrt(q / (double)(n - 1)), e) : 0.0;
      return;
    }
  }
  *mean = m;
  *sd = n > 1 ? sqrt(q / (double)(n - 1)) : 0.0;
}

double tsim_mean(const double *x, long long n) {
  /* The sum one value at a time in mean_ss's order; the largest magnitude two at a time where
   * SSE2 is there. A NaN may be left out of the maximum or make it NaN; either way it makes
   * s NaN. */
  double s = 0.0, mx = 0.0;
  long long i = 0;
#ifdef __SSE2__
  __m128d m2 = _mm_setzero_pd(), mask = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffLL));
  for (; i + 2 <= n; i += 2) {
    s += x[i];
    s += x[i + 1];
    m2 = _mm_max_pd(m2, _mm_and_pd(_mm_loadu_pd(x + i), mask));
  }
  double lanes[2];
  _mm_storeu_pd(lanes, m2);
  mx = lanes[0] > lanes[1] ? lanes[0] : lanes[1];
#endif
  for (; i < n; i++) {
    double a = fabs(x[i]);
    s += x[i];
    mx = a > mx ? a : mx;
  }
  double m = s / (double)n;
  /* tsim_mean_sd returns this m unless m or its sum of squares q about m is not finite or q <
   * 0x1p-900. With every |x| <= 2^500, |m| <= 2^501 and each squared deviation <= 2^1004, so q
   * is finite for n <= 2^18; and q, a sum of non-negative terms (rounding is monotone: adding one never
   * lowers it), is at least its first term. Otherwise (and for n < 1) the mean is tsim_mean_sd's. */
  if (n >= 1 && n <= (1LL << 18) && isfinite(m) && mx <= 0x1p500 && (x[0] - m) * (x[0] - m) >= 0x1p-900)
    return m;
  double mean, sd;
  tsim_mean_sd(x, n, &mean, &sd);
  return mean;
}

/* The binary exponent used to scale an arm pair's means and SDs: 0 (no scaling, the plain
 * arithmetic) when the largest of them lies in [2^-100, 2^100], where no square, fourth power
 * or sum of them under- or overflows; otherwise e with 2^(e-1) <= largest < 2^e. Scaling by a
 * power of two is exact, and t, df and p do not depend on the scale. */
/* The larger of two numbers neither of which is NaN (fmax without its NaN rule, which costs a
 * call); of +0 and -0 either. */
static inline double max_of(double a, double b) { return a > b ? a : b; }

/* x 2^-e, without a call when e = 0. */
static inline double scaled(double x, int e) { return e ? ldexp(x, -e) : x; }

static int t_scale(tsim_arm_summary a0, tsim_arm_summary a1) {
  /* finite values (t_args_ok), SDs >= 0 */
  double mx = max_of(max_of(fabs(a0.mean), fabs(a1.mean)), max_of(a0.sd, a1.sd));
  if (mx == 0.0 || (mx >= 0x1p-100 && mx <= 0x1p100)) return 0;
  int e;
  frexp(mx, &e);
  return e;
}

/* t, df and se (in units of 2^e) of the scaled arms. */
static int t_stat_scaled(int pooled, tsim_arm_summary a0, tsim_arm_summary a1, int e, double *t,
                         double *nu, double *se_out, double *diff_out) {
  double mean0 = scaled(a0.mean, e), sd0 = scaled(a0.sd, e);
  double mean1 = scaled(a1.mean, e), sd1 = scaled(a1.sd, e);
  if (!tsim__t_core(pooled, mean0, sd0, a0.n, mean1, sd1, a1.n, t, nu, se_out)) return 0;
  *diff_out = mean1 - mean0;
  return 1;
}

int tsim_t_stat(int pooled, tsim_arm_summary a0, tsim_arm_summary a1, double *t, double *nu,
                double *se_out) {
  *t = *nu = NAN;
  if (se_out) *se_out = NAN;
  if (!t_args_ok(a0, a1, 0.5)) return 0;
  int e = t_scale(a0, a1);
  double tv, nv, se, d;
  if (!t_stat_scaled(pooled, a0, a1, e, &tv, &nv, &se, &d)) return 0;
  *t = tv;
  *nu = nv;
  if (se_out) *se_out = scaled(se, -e);
  return 1;
}

/* A t test's fit (when wanted): p, t and df, and the difference d with its two-sided `conf`
 * interval d -+ q se, in the units of t_scale's exponent e and then back - exact unless a bound
 * is beyond the double range (then +-inf). */
static void t_fill(tsim_t_fit *out, double p, double t, double nu, double d, double se, int e, double conf) {
  if (!out) return;
  double q = tsim_t_upper_quantile((1.0 - conf) / 2.0, nu);
  out->p = p;
  out->stat = t;
  out->df = nu;
  out->diff = ldexp(d, e);
  out->lo = ldexp(d - q * se, e);
  out->hi = ldexp(d + q * se, e);
}

/* The part both tests share. */
static double t_test(int pooled, tsim_arm_summary a0, tsim_arm_summary a1, double conf,
                     tsim_t_fit *out) {
  double t, nu, se, d;
  if (!(conf > 0.0 && conf < 1.0) || !t_args_ok(a0, a1, conf)) return t_fail(out);
  int e = t_scale(a0, a1);
  if (!t_stat_scaled(pooled, a0, a1, e, &t, &nu, &se, &d)) return t_fail(out);
  double p = tsim_t_two_sided_p(t, nu);
  t_fill(out, p, t, nu, d, se, e, conf);
  return p;
}

int tsim_t_interval(int pooled, tsim_arm_summary a0, tsim_arm_summary a1, double conf, double *lo, double *hi) {
  double t, nu, se, d;
  tsim_t_fit f;
  *lo = *hi = NAN;
  if (!t_args_ok(a0, a1, conf)) return 0;
  int e = t_scale(a0, a1);
  if (!t_stat_scaled(pooled, a0, a1, e, &t, &nu, &se, &d)) return 0;
  t_fill(&f, NAN, t, nu, d, se, e, conf);
  *lo = f.lo, *hi = f.hi;
  return 1;
}

double tsim_welch_t(tsim_arm_summary a0, tsim_arm_summary a1, double conf, tsim_t_fit *out) {
  return t_test(0, a0, a1, conf, out);
}

double tsim_student_t(tsim_arm_summary a0, tsim_arm_summary a1, double conf, tsim_t_fit *out) {
  return t_test(1, a0, a1, conf, out);
}

/* --- Against a margin (see contest.h) ------------------------------------------------------
 *
 * The difference: R's t.test(mu = theta0) computes (mx - my - mu) / stderr; here the same
 * expression in the units of t_scale (theta0 scaled by the same power of two, so that with no
 * scaling the arithmetic is R's). The ratio: H0 mu1 = theta0 mu0 is a difference hypothesis on
 * the arms {m1, u1} and {theta0 m0, theta0 w0} (u1, w0 the arms' own SDs for Welch, the pooled
 * SD for both for Student), whose Welch t is T and whose Welch df is Satterthwaite's; those
 * products are formed already scaled, so that theta0 and the summaries may have any finite
 * magnitude. */

double tsim_t_upper_p(double t, double nu) {
  double p2 = tsim_t_two_sided_p(t, nu);
  if (isnan(p2)) return NAN;
  return t > 0.0 ? 0.5 * p2 : 1.0 - 0.5 * p2;
}

/* P(T > t) for greater, else P(T < t) = P(T > -t). */
static double one_sided_p(double t, double nu, int greater) { return tsim_t_upper_p(greater ? t : -t, nu); }

double tsim_t_shifted_p(double est, double se, double df, double theta0, int greater) {
  if (!isfinite(est) || !isfinite(theta0) || !(se > 0.0) || !isfinite(se)) return NAN;
  return one_sided_p((est - theta0) / se, df, greater);
}

double tsim_t_margin_p(int welch, tsim_arm_summary c, tsim_arm_summary e, double theta0, int greater,
                       double conf, tsim_t_fit *fit) {
  double t, nu, se, d;
  if (!isfinite(theta0) || !(conf > 0.0 && conf < 1.0) || !t_args_ok(c, e, conf)) return t_fail(fit);
  int ex = t_scale(c, e);
  if (!t_stat_scaled(!welch, c, e, ex, &t, &nu, &se, &d)) return t_fail(fit);
  /* theta0 2^-ex is +-inf only when t is beyond the double range: t = -+inf, p 0 or 1 */
  double tm = (d - scaled(theta0, ex)) / se;
  double p = one_sided_p(tm, nu, greater);
  t_fill(fit, p, tm, nu, d, se, ex, conf);
  return p;
}

/* The binary exponent k of x != 0 (2^(k-1) <= |x| < 2^k); far below any other for 0, so that
 * a zero never sets a scale. */
static int exponent_of(double x) {
  if (x == 0.0) return INT_MIN / 4;
  int k;
  frexp(x, &k);
  return k;
}

/* a b 2^-k for finite a, b, without forming a b: their mantissas' product (the one rounding a
 * b itself would have) scaled once, so that it neither over- nor underflows on the way. */
static double product_scaled(double a, double b, int k) {
  int ea, eb;
  double fa = frexp(a, &ea), fb = frexp(b, &eb);
  return ldexp(fa * fb, ea + eb - k);
}

/* The pooled SD of two arms, scaled by the larger SD's power of two on the way (their squares
 * would under- or overflow beyond about 1e+-154). */
static double pooled_sd(tsim_arm_summary a0, tsim_arm_summary a1) {
  double mx = max_of(a0.sd, a1.sd);
  if (mx == 0.0) return 0.0;
  int k = exponent_of(mx);
  double s0 = ldexp(a0.sd, -k), s1 = ldexp(a1.sd, -k), df = (double)(a0.n + a1.n - 2);
  return ldexp(sqrt(((double)(a0.n - 1) * s0 * s0 + (double)(a1.n - 1) * s1 * s1) / df), k);
}

/* Welch's t and Satterthwaite df of arm 1 {m1, u1, n1} against {rho m0, rho w0, n0}, rho > 0, and
 * its se in units of 2^k (tsim__t_core on the pair scaled by 2^-k, k from the largest of |m1|,
 * u1, rho m0, rho w0); 0 when tsim__t_core refuses the pair. */
static int ratio_core(double rho, double m0, double w0, long long n0, double m1, double u1, long long n1,
                      double *t, double *nu, double *se) {
  int er = exponent_of(rho), k = exponent_of(m1);
  if (exponent_of(u1) > k) k = exponent_of(u1);
  if (er + exponent_of(m0) > k) k = er + exponent_of(m0);
  if (er + exponent_of(w0) > k) k = er + exponent_of(w0);
  return tsim__t_core(0, product_scaled(rho, m0, k), product_scaled(rho, w0, k), n0, ldexp(m1, -k),
                      ldexp(u1, -k), n1, t, nu, se);
}

/* Satterthwaite's df of the variances (rho w0)^2/n0 and u1^2/n1, rho >= 0, on the values
 * scaled by 2^-k (k from the larger of rho w0 and u1); n0 - 1 when both are 0 (m1 = 0 without
 * spread: the limit as the second vanishes first, and the interval is then [0, 0] whatever q). */
static double satterthwaite_df(double rho, double w0, long long n0, double u1, long long n1) {
  int k = exponent_of(u1), kw = exponent_of(rho) + exponent_of(w0);
  if (kw > k) k = kw;
  double w = rho == 0.0 || w0 == 0.0 ? 0.0 : product_scaled(rho, w0, k), u = ldexp(u1, -k);
  double v0 = w * w / (double)n0, v1 = u * u / (double)n1;
  double den = v0 * v0 / (double)(n0 - 1) + v1 * v1 / (double)(n1 - 1);
  return den > 0.0 ? (v0 + v1) * (v0 + v1) / den : (double)(n0 - 1);
}

/* Fieller's interval for the ratio r = m1 / m0 from a0 = q se(m0) / m0 and e1 = q se(m1) / m0:
 * the roots of (1 - g) rho^2 - 2 r rho + r^2 - e1^2 = 0, g = a0^2, which is (m1 - rho m0)^2 =
 * q^2 (v1 + rho^2 v0) over m0^2, namely (r -/+ h) / (1 - g) with h = sqrt(r^2 a0^2 + (1 - g)
 * e1^2). The root nearer 0, where r and h cancel, is taken as the other form of the same
 * number, a (r - e1)(r + e1) / (a (r +- h)) (the product of the roots is (r^2 - e1^2)/(1 - g)):
 * its cancellation, r - e1, is that of m1 - q se(m1), the problem's own. g >= 1: unbounded. */
static void fieller(double r, double a0, double e1, double *lo, double *hi) {
  double g = a0 * a0;
  if (!(g < 1.0)) {
    *lo = -INFINITY;
    *hi = INFINITY;
    return;
  }
  double a = 1.0 - g, h = hypot(r * a0, sqrt(a) * e1);
  if (!isfinite(h)) { /* se(m1) / m0 beyond the double range */
    *lo = -INFINITY;
    *hi = INFINITY;
    return;
  }
  if (r == 0.0 && h == 0.0) { /* both roots 0 (m1 = 0 without spread) */
    *lo = *hi = 0.0;
    return;
  }
  if (r >= 0.0) {
    *hi = (r + h) / a;
    *lo = (r - e1) * ((r + e1) / (r + h));
  } else {
    *lo = (r - h) / a;
    *hi = (r + e1) * ((r - e1) / (r - h));
  }
}

double tsim_t_ratio_p(int welch, tsim_arm_summary c, tsim_arm_summary e, double theta0, int greater,
                      double conf, tsim_t_fit *fit) {
  if (!(theta0 > 0.0) || !isfinite(theta0) || !(conf > 0.0 && conf < 1.0) || !t_args_ok(c, e, conf) ||
      !(c.mean > 0.0))
    return t_fail(fit);
  /* Welch: each arm's own SD; Student: the pooled SD for both (then the "Welch" se below is
   * s sqrt(1/n1 + theta0^2/n0), and only its df is replaced) */
  double u1 = e.sd, w0 = c.sd;
  if (!welch) u1 = w0 = pooled_sd(c, e);
  double t, nu, se;
  if (!ratio_core(theta0, c.mean, w0, c.n, e.mean, u1, e.n, &t, &nu, &se)) return t_fail(fit);
  double student_df = (double)(c.n + e.n - 2);
  if (!welch) nu = student_df;
  double p = one_sided_p(t, nu, greater);
  if (fit) {
    double r = e.mean / c.mean, lo = NAN, hi = NAN;
    if (isfinite(r)) {
      /* Welch: Satterthwaite's df at rho = |r| (only r^2 enters) */
      double nu_ci = welch ? satterthwaite_df(fabs(r), w0, c.n, u1, e.n) : student_df;
      double q = tsim_t_upper_quantile((1.0 - conf) / 2.0, nu_ci);
      /* q se(m0) / m0 and q se(m1) / m0 (w0 / m0 and u1 / m0 are +inf only when the interval
       * is unbounded) */
      double a0 = q * (w0 / c.mean) / sqrt((double)c.n), e1 = q * (u1 / c.mean) / sqrt((double)e.n);
      fieller(r, a0, e1, &lo, &hi);
    }
    fit->p = p;
    fit->stat = t;
    fit->df = nu;
    fit->diff = r;
    fit->lo = lo;
    fit->hi = hi;
  }
  return p;
}
