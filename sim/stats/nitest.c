/* nitest.c - tests of a 2x2 table against a margin (see nitest.h).
 *
 * Notation: control x0 of n0, experimental x1 of n1, N = n0 + n1, m = x0 + x1, p_i = x_i/n_i,
 * q = 1 - p; p0~, p1~ the maximum-likelihood estimates of the rates restricted to the null
 * theta = theta0. Every score statistic has the form (observed - null) / sqrt(variance at the
 * restricted estimates):
 *   rd  z = (p1 - p0 - d) / sqrt(p1~ q1~ / n1 + p0~ q0~ / n0),        p1~ = p0~ + d
 *   rr  z = (p1 - f p0) / sqrt(p1~ q1~ / n1 + f^2 p0~ q0~ / n0),      p1~ = f p0~
 *   or  z = (x1 - n1 p1~) sqrt(1 / (n1 p1~ q1~) + 1 / (n0 p0~ q0~)),
 *                                                        p1~ = g p0~ / (1 - p0~ + g p0~)
 * Farrington & Manning (1990, Stat Med 9:1447, their "method 3") use it as it stands for rd and
 * rr; Miettinen & Nurminen (1985, Stat Med 4:213) multiply the variance by N / (N - 1), i.e.
 * z by sqrt((N - 1) / N), and also give the odds ratio. At theta0 = 0 (rd) the restricted
 * estimates are the pooled rate m / N and the FM z^2 is Pearson's X2.
 *
 * Restricted estimates.
 *   rd (MN 1985, Appendix; the same cubic as FM 1990 written for the control rate): p0~ is
 *   the root in [max(0, -d), min(1, 1 - d)] of L3 p^3 + L2 p^2 + L1 p + L0 with L3 = N,
 *   L2 = (n1 + 2 n0) d - N - m, L1 = (n0 d - N - 2 x0) d + m, L0 = x0 d (1 - d), given by the
 *   trigonometric solution: b = L2 / (3 L3), v = b^3 - b L1 / (2 L3) + L0 / (2 L3),
 *   u = sign(v) sqrt(b^2 - L1 / (3 L3)), w = (pi + acos(v / u^3)) / 3, p0~ = 2 u cos(w) - b;
 *   then Newton's method on the likelihood (mle_rd says why).
 *   rr: p0~ is the smaller root of N f p^2 - B p + m, B = f (n1 + x0) + x1 + n0 (MN 1985):
 *   p0~ = 2 m / (B + sqrt(D)) with the discriminant written as a sum of two squares,
 *   D = B^2 - 4 N f m = (f (n1 + x0) - (x1 + n0))^2 + 4 f (n1 - x1)(n0 - x0), so that no digits
 *   cancel when the two roots come together (all responders and f near 1).
 *   or: p0~ is the root in [0, 1] of n0 (g - 1) p^2 + B p - m, B = n1 g + n0 - m (g - 1) (MN
 *   1985), with D = B^2 + 4 n0 (g - 1) m = ((n1 - m) g - (n0 - m))^2 + 4 g n0 n1, again a sum
 *   of squares: p0~ = 2 m / (B + sqrt(D)) when B > 0, else (sqrt(D) - B) / (2 n0 (g - 1))
 *   (B <= 0 only when g > 1).
 *
 * Intervals. The MN interval is {theta: |z(theta)| < z_c}, z_c = the (1 + conf)/2 normal
 * quantile. z falls as theta grows, from +inf at the lower edge of the parameter space (unless
 * the data sit there) to -inf at the upper edge, through 0 at the estimate. Each bound is
 * found on t = atanh(d) (rd) or t = log(theta) (rr, or), which maps the parameter space to
 * the real line: a bracket from the estimate (or t = 0 when the estimate is at an edge),
 * stepping 1, 2, 4, ... outward, then Brent's method (Brent 1973, ch. 4, in the form of
 * Numerical Recipes' zbrent) to a tolerance of 2e-15 in t. Where z is 0/0 (the limit at the
 * estimate of a table without information) it counts as 0.
 *
 * Stratified MN (tsim_ni_strat_p, tsim_ni_strat_ci; nitest.h gives the formulas): strat_z adds
 * each stratum's score numerator and MN variance, from the same restricted estimates, with
 * Mantel-Haenszel weights (rd, rr) or unweighted (or's scores); the interval and or's estimate
 * come from the same bracketing and Brent's method, on a context that carries the strata.
 */
#include "stats/nitest.h"

#include <float.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>

#include "stats/stattest.h"

/* Not every C library defines M_PI and M_SQRT2 in strict C11. */
#define NI_PI 3.14159265358979323846
#define NI_SQRT2 1.41421356237309504880

static const char *const measure_names[TSIM_NI_NMEASURES] = {"rd", "rr", "or"};
static const char *const method_names[TSIM_NI_NMETHODS] = {"fm", "mn", "wald", "newcombe"};

const char *tsim_ni_measure_name(tsim_ni_measure m) {
  return (unsigned)m < TSIM_NI_NMEASURES ? measure_names[m] : "?";
}

const char *tsim_ni_method_name(tsim_ni_method m) {
  return (unsigned)m < TSIM_NI_NMETHODS ? method_names[m] : "?";
}

int tsim_ni_measure_of(const char *name) {
  for (int i = 0; name && i < TSIM_NI_NMEASURES; i++)
    if (strcmp(name, measure_names[i]) == 0) return i;
  return -1;
}

int tsim_ni_method_of(const char *name) {
  for (int i = 0; name && i < TSIM_NI_NMETHODS; i++)
    if (strcmp(name, method_names[i]) == 0) return i;
  return -1;
}

int tsim_ni_has_test(tsim_ni_method method, tsim_ni_measure measure) {
  if ((unsigned)measure >= TSIM_NI_NMEASURES) return 0;
  switch (method) {
  case TSIM_NI_FM: return measure != TSIM_NI_OR;
  case TSIM_NI_MN: return 1;
  case TSIM_NI_WALD: return measure == TSIM_NI_RD;
  default: return 0;
  }
}

int tsim_ni_has_interval(tsim_ni_method method, tsim_ni_measure measure) {
  if ((unsigned)measure >= TSIM_NI_NMEASURES) return 0;
  switch (method) {
  case TSIM_NI_MN: return 1;
  case TSIM_NI_WALD:
  case TSIM_NI_NEWCOMBE: return measure == TSIM_NI_RD;
  default: return 0;
  }
}

static int counts_valid(long long x0, long long n0, long long x1, long long n1) {
  return n0 >= 1 && n1 >= 1 && x0 >= 0 && x0 <= n0 && x1 >= 0 && x1 <= n1;
}

/* theta0 strictly inside the measure's parameter space: on its edge the null fixes both rates
 * (rd -1: p1 = 0, p0 = 1) or one of them (rr, or 0: p1 = 0) and the score has no variance. */
static int theta_valid(tsim_ni_measure measure, double theta) {
  if (!isfinite(theta)) return 0;
  return measure == TSIM_NI_RD ? theta > -1.0 && theta < 1.0 : theta > 0.0;
}

static double clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* rd: the derivative of the log-likelihood along p1 = p + d, in the control rate p, and its
 * second derivative; a count of 0 contributes nothing (also where its rate is 0 or 1). */
static double rd_score(double x0, double n0, double x1, double n1, double d, double p,
                       double *curv) {
  double g = 0.0, h = 0.0, p1 = p + d;
  if (x1 > 0) g += x1 / p1, h -= x1 / (p1 * p1);
  if (n1 > x1) g -= (n1 - x1) / (1.0 - p1), h -= (n1 - x1) / ((1.0 - p1) * (1.0 - p1));
  if (x0 > 0) g += x0 / p, h -= x0 / (p * p);
  if (n0 > x0) g -= (n0 - x0) / (1.0 - p), h -= (n0 - x0) / ((1.0 - p) * (1.0 - p));
  *curv = h;
  return g;
}

/* rd: the root of MN's cubic (see the top of the file), then Newton's method on the
 * log-likelihood's derivative. The polish matters where the cubic is ill-conditioned: when a
 * count is 0 or n, the edge of the feasible range is itself a root of the cubic (its factor
 * multiplies every remaining term), and when the maximum sits at or next to that edge the two
 * roots nearly coincide and the closed form keeps only about 8 digits (28/28 vs 21/21 at
 * d = 1e-6: p0~ = 1 - d, whose 1 - p0~ is then wrong in the second digit). The derivative has
 * no such spurious root: the log-likelihood is concave in p, so the maximum is the edge when
 * the derivative there points outward, else the derivative's one zero, which safeguarded
 * Newton steps (bisection when a step leaves the bracket) reach in one or two steps from the
 * closed form. */
static double mle_rd(double x0, double n0, double x1, double n1, double d, double *q0) {
  double n = n0 + n1, m = x0 + x1, h;
  double lo = fmax(0.0, -d), hi = fmin(1.0, 1.0 - d);
  /* On an edge 1 - p0~ is known exactly (d or 0, 1 + d or 1): 1 - (1 - d) would keep only
   * the digits of d that survive the rounding of 1 - d. */
  if (rd_score(x0, n0, x1, n1, d, hi, &h) >= 0.0) {
    *q0 = d > 0.0 ? d : 0.0;
    return hi;
  }
  if (rd_score(x0, n0, x1, n1, d, lo, &h) <= 0.0) {
    *q0 = d < 0.0 ? 1.0 + d : 1.0;
    return lo;
  }
  double l3 = n, l2 = (n1 + 2.0 * n0) * d - n - m, l1 = (n0 * d - n - 2.0 * x0) * d + m;
  double l0 = x0 * d * (1.0 - d);
  double b = l2 / (3.0 * l3);
  double v = b * b * b - b * l1 / (2.0 * l3) + l0 / (2.0 * l3);
  double uu = b * b - l1 / (3.0 * l3), p;
  if (!(uu > 0.0)) {
    p = -b; /* a triple root (uu = 0 up to rounding) */
  } else {
    double u = v < 0.0 ? -sqrt(uu) : sqrt(uu); /* sign(0) = +1: then acos(0) = pi/2 */
    double w = (NI_PI + acos(clamp(v / (u * u * u), -1.0, 1.0))) / 3.0;
    p = 2.0 * u * cos(w) - b;
  }
  if (!(p > lo && p < hi)) p = 0.5 * (lo + hi);
  for (int iter = 0; iter < 100; iter++) {
    double g = rd_score(x0, n0, x1, n1, d, p, &h);
    if (g == 0.0) break;
    if (g > 0.0)
      lo = p;
    else
      hi = p;
    double next = p - g / h;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (next == p || fabs(next - p) <= 2.0 * DBL_EPSILON * p) {
      p = next;
      break;
    }
    p = next;
  }
  *q0 = 1.0 - p;
  return p;
}

/* The odds-ratio restricted estimate p0~ (Miettinen & Nurminen 1985): the root in [0, 1] of the
 * quadratic its score equation makes, in the form that does not cancel (by the sign of b). */
static double mle_or(double dx0, double dn0, double dx1, double dn1, double g) {
  double m = dx0 + dx1, b = dn1 * g + dn0 - m * (g - 1.0), s = (dn1 - m) * g - (dn0 - m);
  double disc = s * s + 4.0 * g * dn0 * dn1, p0;
  if (m <= 0.0)
    p0 = 0.0;
  else if (b > 0.0)
    p0 = 2.0 * m / (b + sqrt(disc));
  else
    p0 = (sqrt(disc) - b) / (2.0 * dn0 * (g - 1.0));
  return clamp(p0, 0.0, 1.0);
}

/* The restricted estimates p0~, p1~ and their complements q0~ = 1 - p0~, q1~ = 1 - p1~, each
 * formed where it keeps its digits (see mle_rd; or: q1~ from its own quotient). */
typedef struct {
  double p0, q0, p1, q1;
} ni_rates;

static int restricted(tsim_ni_measure measure, long long x0, long long n0, long long x1,
                      long long n1, double theta0, ni_rates *r) {
  r->p0 = r->q0 = r->p1 = r->q1 = NAN;
  if (!counts_valid(x0, n0, x1, n1) || (unsigned)measure >= TSIM_NI_NMEASURES ||
      !theta_valid(measure, theta0))
    return -1;
  double dx0 = (double)x0, dn0 = (double)n0, dx1 = (double)x1, dn1 = (double)n1;
  double n = dn0 + dn1, m = dx0 + dx1;
  if (theta0 == (measure == TSIM_NI_RD ? 0.0 : 1.0)) {
    r->p0 = r->p1 = m / n; /* no difference: the pooled rate, exactly */
    r->q0 = r->q1 = (n - m) / n;
  } else if (measure == TSIM_NI_RD) {
    r->p0 = mle_rd(dx0, dn0, dx1, dn1, theta0, &r->q0);
    r->p1 = clamp(r->p0 + theta0, 0.0, 1.0);
    r->q1 = clamp(r->q0 - theta0, 0.0, 1.0);
  } else if (measure == TSIM_NI_RR) {
    double f = theta0, s = f * (dn1 + dx0) - (dx1 + dn0);
    double b = f * (dn1 + dx0) + dx1 + dn0;
    double disc = s * s + 4.0 * f * (dn1 - dx1) * (dn0 - dx0);
    r->p0 = m > 0.0 ? fmin(2.0 * m / (b + sqrt(disc)), 1.0) : 0.0;
    r->p1 = fmin(f * r->p0, 1.0);
    r->q0 = 1.0 - r->p0;
    r->q1 = 1.0 - r->p1;
  } else {
    /* The non-responders' odds ratio is 1 / theta0, so q0~ is the same estimate of the other
     * outcome: each from its own quadratic keeps its digits where it is small (1 - p0~ would
     * be 0 once p0~ rounds to 1, as it does for a margin below about 1e-16). */
    double g = theta0;
    r->p0 = mle_or(dx0, dn0, dx1, dn1, g);
    r->q0 = mle_or(dn0 - dx0, dn0, dn1 - dx1, dn1, 1.0 / g);
    r->p1 = g * r->p0 / (r->q0 + g * r->p0);
    r->q1 = r->q0 / (r->q0 + g * r->p0);
  }
  return 0;
}

int tsim_ni_restricted_mle(tsim_ni_measure measure, long long x0, long long n0, long long x1,
                           long long n1, double theta0, double *p0t, double *p1t) {
  ni_rates r;
  int rc = restricted(measure, x0, n0, x1, n1, theta0, &r);
  *p0t = r.p0;
  *p1t = r.p1;
  return rc;
}

/* The FM (mn = 0) or MN (mn = 1) score statistic; NaN where it is 0/0 or undefined. */
static double score_z(tsim_ni_measure measure, long long x0, long long n0, long long x1,
                      long long n1, double theta, int mn) {
  ni_rates r;
  if (restricted(measure, x0, n0, x1, n1, theta, &r) != 0) return NAN;
  double dn0 = (double)n0, dn1 = (double)n1, num, var;
  if (measure == TSIM_NI_OR) {
    /* The score of the log odds ratio over its variance's square root; 0 * inf = NaN exactly
     * when there are no responders or only responders. */
    num = (double)x1 - dn1 * r.p1;
    double info = 1.0 / (dn1 * r.p1 * r.q1) + 1.0 / (dn0 * r.p0 * r.q0);
    double z = num * sqrt(info);
    return mn ? z * sqrt((dn0 + dn1 - 1.0) / (dn0 + dn1)) : z;
  }
  if (measure == TSIM_NI_RD) {
    /* The difference as one rounding of the exact value (as analysis/compare.h's). */
    num = (double)(x1 * n0 - x0 * n1) / (dn0 * dn1) - theta;
    var = r.p1 * r.q1 / dn1 + r.p0 * r.q0 / dn0;
  } else {
    num = (double)x1 / dn1 - theta * ((double)x0 / dn0);
    var = r.p1 * r.q1 / dn1 + theta * theta * r.p0 * r.q0 / dn0;
  }
  if (mn) var *= (dn0 + dn1) / (dn0 + dn1 - 1.0);
  if (!(var > 0.0)) return num == 0.0 ? NAN : copysign(INFINITY, num);
  return num / sqrt(var);
}

static double wald_z(long long x0, long long n0, long long x1, long long n1, double theta) {
  double dn0 = (double)n0, dn1 = (double)n1, p0 = (double)x0 / dn0, p1 = (double)x1 / dn1;
  double num = (double)(x1 * n0 - x0 * n1) / (dn0 * dn1) - theta;
  double var = p0 * (1.0 - p0) / dn0 + p1 * (1.0 - p1) / dn1;
  if (!(var > 0.0)) return num == 0.0 ? NAN : copysign(INFINITY, num);
  return num / sqrt(var);
}

double tsim_ni_p(tsim_ni_method method, tsim_ni_measure measure, long long x0, long long n0,
                 long long x1, long long n1, double theta0, int greater, double *stat) {
  double z = NAN;
  if (tsim_ni_has_test(method, measure) && counts_valid(x0, n0, x1, n1) &&
      theta_valid(measure, theta0))
    z = method == TSIM_NI_WALD ? wald_z(x0, n0, x1, n1, theta0)
                               : score_z(measure, x0, n0, x1, n1, theta0, method == TSIM_NI_MN);
  if (stat) *stat = z;
  if (isnan(z)) return NAN;
  /* P(Z >= z) or P(Z <= z), each accurate far into its small tail. */
  return 0.5 * erfc((greater ? z : -z) / NI_SQRT2);
}

/* --- The stratified MN statistic ----------------------------------------------------------- */

typedef struct {
  const long long *x0, *n0, *x1, *n1; /* the k strata's tables, as tsim_ni_p's arguments */
  int k;                              /* number of strata */
  tsim_ni_measure measure;            /* tsim_ni_strat_covers' z (strat_zf) */
} ni_strata;

/* Every stratum's counts valid (n >= 0, 0 <= x <= n; an arm may be empty) and at least one
 * stratum with both arms. */
static int strata_valid(const ni_strata *s) {
  if (s->k < 1 || !s->x0 || !s->n0 || !s->x1 || !s->n1) return 0;
  int usable = 0;
  for (int i = 0; i < s->k; i++) {
    long long x0 = s->x0[i], n0 = s->n0[i], x1 = s->x1[i], n1 = s->n1[i];
    if (n0 < 0 || n1 < 0 || x0 < 0 || x0 > n0 || x1 < 0 || x1 > n1) return 0;
    if (n0 >= 1 && n1 >= 1) usable = 1;
  }
  return usable;
}

/* z = U / sqrt(V) over the strata with both arms (nitest.h gives U and V). A stratum whose
 * restricted variance is 0 has a score of exactly 0 too (no responders or all responders where
 * the null does not separate the rates), so it adds nothing to either; z is 0/0, NaN, when every
 * stratum is such. */
static double strat_z(tsim_ni_measure measure, const ni_strata *s, double theta) {
  double u = 0.0, v = 0.0;
  for (int i = 0; i < s->k; i++) {
    long long x0 = s->x0[i], n0 = s->n0[i], x1 = s->x1[i], n1 = s->n1[i];
    if (n0 < 1 || n1 < 1) continue;
    ni_rates r;
    restricted(measure, x0, n0, x1, n1, theta, &r);
    double dn0 = (double)n0, dn1 = (double)n1, n = dn0 + dn1, lam = n / (n - 1.0);
    if (measure == TSIM_NI_OR) {
      /* The score of the log odds ratio, unweighted, over its variance 1 / info. */
      double a = dn1 * r.p1 * r.q1, b = dn0 * r.p0 * r.q0;
      u += (double)x1 - dn1 * r.p1;
      if (a + b > 0.0) v += lam * (a * b / (a + b));
      continue;
    }
    double w = dn0 * dn1 / n, d, var; /* Mantel-Haenszel weight */
    if (measure == TSIM_NI_RD) {
      d = (double)(x1 * n0 - x0 * n1) / (dn0 * dn1) - theta;
      var = r.p1 * r.q1 / dn1 + r.p0 * r.q0 / dn0;
    } else {
      d = (double)x1 / dn1 - theta * ((double)x0 / dn0);
      var = r.p1 * r.q1 / dn1 + theta * theta * r.p0 * r.q0 / dn0;
    }
    u += w * d;
    v += w * w * var * lam;
  }
  if (!(v > 0.0)) return u == 0.0 ? NAN : copysign(INFINITY, u);
  return u / sqrt(v);
}

/* --- The MN interval ------------------------------------------------------------------- */

typedef struct {
  tsim_ni_measure measure;
  long long x0, n0, x1, n1;
  double target;            /* the z at the bound: +z_c (lower) or -z_c (upper) */
  const ni_strata *strata;  /* not NULL: the stratified statistic over these, not x0..n1 */
} mn_bound_ctx;

static double theta_of(tsim_ni_measure measure, double t) {
  return measure == TSIM_NI_RD ? tanh(t) : exp(t);
}

/* h(t) = z(theta(t)) - target, falling in t. At the edges of the parameter space (t beyond
 * about +-19 for rd, where tanh rounds to +-1) z takes its limits +-inf: the callers have
 * already answered the tables whose data sit at that edge. */
static double mn_h(const mn_bound_ctx *c, double t) {
  double theta = theta_of(c->measure, t), z;
  if (c->measure == TSIM_NI_RD && fabs(theta) >= 1.0)
    z = theta < 0 ? INFINITY : -INFINITY;
  else
    z = c->strata ? strat_z(c->measure, c->strata, theta)
                  : score_z(c->measure, c->x0, c->n0, c->x1, c->n1, theta, 1);
  if (isnan(z)) z = 0.0; /* 0/0 at the estimate of a table without information */
  return z - c->target;
}

/* Brent's method on [a, b] with h(a), h(b) of opposite signs (Brent 1973, ch. 4; the form of
 * Numerical Recipes' zbrent): inverse quadratic interpolation, falling back to bisection
 * whenever the step would not shrink the bracket fast enough. At most 200 evaluations. */
static double brent(const mn_bound_ctx *c, double a, double b, double fa, double fb, double tol) {
  double cc = b, fc = fb, d = b - a, e = d;
  for (int iter = 0; iter < 200; iter++) {
    if ((fb > 0.0 && fc > 0.0) || (fb < 0.0 && fc < 0.0)) {
      cc = a;
      fc = fa;
      e = d = b - a;
    }
    if (fabs(fc) < fabs(fb)) {
      a = b, b = cc, cc = a;
      fa = fb, fb = fc, fc = fa;
    }
    double tol1 = 2.0 * DBL_EPSILON * fabs(b) + 0.5 * tol, xm = 0.5 * (cc - b);
    if (fabs(xm) <= tol1 || fb == 0.0) return b;
    if (fabs(e) >= tol1 && fabs(fa) > fabs(fb) && isfinite(fa) && isfinite(fc)) {
      double s = fb / fa, p, q;
      if (a == cc) {
        p = 2.0 * xm * s;
        q = 1.0 - s;
      } else {
        double r = fb / fc;
        q = fa / fc;
        p = s * (2.0 * xm * q * (q - r) - (b - a) * (r - 1.0));
        q = (q - 1.0) * (r - 1.0) * (s - 1.0);
      }
      if (p > 0.0) q = -q;
      p = fabs(p);
      if (2.0 * p < fmin(3.0 * xm * q - fabs(tol1 * q), fabs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = xm;
        e = d;
      }
    } else {
      d = xm;
      e = d;
    }
    a = b;
    fa = fb;
    b += fabs(d) > tol1 ? d : copysign(tol1, xm);
    fb = mn_h(c, b);
  }
  return b;
}

/* One bound: the t where h crosses 0, from the start s (the estimate's t, where z = 0, or 0
 * when the estimate is at an edge). Steps of 1, 2, 4, ... reach |t| = 300 (rr, or: theta
 * from 1e-130 to 1e130, far beyond any table's bound) in 9 steps; beyond it, the edge. */
static double mn_bound(const mn_bound_ctx *c, double that) {
  const double tmax = 300.0;
  double s = isfinite(that) ? that : 0.0, hs = isfinite(that) ? -c->target : mn_h(c, s);
  double in = s, hin = hs, out = s, hout = hs; /* in: h > 0 (inside the interval's side) */
  int up = hs > 0.0;
  for (double step = 1.0;; step *= 2.0) {
    double t = up ? s + step : s - step;
    if (fabs(t) > tmax) return up ? INFINITY : -INFINITY;
    double ht = mn_h(c, t);
    if (up ? ht <= 0.0 : ht > 0.0) {
      if (up)
        out = t, hout = ht;
      else
        in = t, hin = ht;
      break;
    }
    if (up)
      in = t, hin = ht;
    else
      out = t, hout = ht;
  }
  return brent(c, in, out, hin, hout, 2e-15);
}

/* The MN interval from the bound search's context c (its target z = z_{(1+conf)/2}) around the
 * estimate e (`that` on the search's scale): each bound the root of the score at -+z, or the
 * parameter space's edge where the data give no limit (and both when z rounds to inf, conf so
 * close to 1); *est, *lo, *hi as tsim_ni_ci (any may be NULL). */
static void mn_interval(mn_bound_ctx *c, double that, double e, int lo_edge, int hi_edge, double *est, double *lo,
                        double *hi) {
  double z = c->target;
  if (!isfinite(z)) lo_edge = hi_edge = 1;
  double tlo = lo_edge ? -INFINITY : mn_bound(c, that);
  c->target = -z;
  double thi = hi_edge ? INFINITY : mn_bound(c, that);
  if (est) *est = e;
  if (lo) *lo = theta_of(c->measure, tlo);
  if (hi) *hi = theta_of(c->measure, thi);
}

/* Where the data sit at an edge, z never reaches the bound's value on that side. */
static void mn_edges(tsim_ni_measure measure, long long x0, long long n0, long long x1, long long n1, int *lo_edge,
                     int *hi_edge) {
  if (measure == TSIM_NI_RD) {
    *lo_edge = x1 == 0 && x0 == n0;
    *hi_edge = x1 == n1 && x0 == 0;
  } else if (measure == TSIM_NI_RR) {
    *lo_edge = x1 == 0;
    *hi_edge = x0 == 0;
  } else {
    *lo_edge = x1 == 0 || x0 == n0;
    *hi_edge = x1 == n1 || x0 == 0;
  }
}

static int mn_ci(tsim_ni_measure measure, long long x0, long long n0, long long x1, long long n1,
                 double conf, double *est, double *lo, double *hi) {
  double z = gsl_cdf_ugaussian_Pinv((1.0 + conf) / 2.0), e, that;
  if (measure == TSIM_NI_RD) {
    e = (double)(x1 * n0 - x0 * n1) / ((double)n0 * (double)n1);
    that = atanh(e);
  } else {
    double num = measure == TSIM_NI_RR ? (double)x1 * (double)n0 : (double)x1 * (double)(n0 - x0);
    double den = measure == TSIM_NI_RR ? (double)x0 * (double)n1 : (double)x0 * (double)(n1 - x1);
    e = den > 0.0 ? num / den : num > 0.0 ? INFINITY : NAN;
    that = log(e);
  }
  int lo_edge, hi_edge;
  mn_edges(measure, x0, n0, x1, n1, &lo_edge, &hi_edge);
  mn_bound_ctx c = {measure, x0, n0, x1, n1, z, NULL};
  mn_interval(&c, that, e, lo_edge, hi_edge, est, lo, hi);
  return 0;
}

int tsim_ni_ci(tsim_ni_method method, tsim_ni_measure measure, long long x0, long long n0,
               long long x1, long long n1, double conf, double *est, double *lo, double *hi) {
  if (!tsim_ni_has_interval(method, measure) || !counts_valid(x0, n0, x1, n1) ||
      !(conf > 0.0 && conf < 1.0)) {
    if (est) *est = NAN;
    if (lo) *lo = NAN;
    if (hi) *hi = NAN;
    return -1;
  }
  if (method == TSIM_NI_WALD) return tsim_rd_wald(x0, n0, x1, n1, conf, est, lo, hi);
  if (method == TSIM_NI_NEWCOMBE) return tsim_rd_newcombe(x0, n0, x1, n1, conf, est, lo, hi);
  return mn_ci(measure, x0, n0, x1, n1, conf, est, lo, hi);
}

/* --- Stratified MN ---------------------------------------------------------------------- */

double tsim_ni_strat_p(tsim_ni_measure measure, const long long *x0, const long long *n0,
                       const long long *x1, const long long *n1, int k, double theta0,
                       int greater, double *stat) {
  ni_strata s = {x0, n0, x1, n1, k, measure};
  double z = NAN;
  if ((unsigned)measure < TSIM_NI_NMEASURES && strata_valid(&s) && theta_valid(measure, theta0))
    z = strat_z(measure, &s, theta0);
  if (stat) *stat = z;
  if (isnan(z)) return NAN;
  return 0.5 * erfc((greater ? z : -z) / NI_SQRT2);
}

/* Whether the data sit at the lower or upper edge of the parameter space (z never reaches +z_c
 * below, or -z_c above, the estimate); unless a_out is NULL (tsim_ni_strat_covers, per trial),
 * the sums of rd's and rr's Mantel-Haenszel estimates into a / b too. */
static void strat_edges(tsim_ni_measure measure, const ni_strata *s, int *lo_edge, int *hi_edge,
                        double *a_out, double *b_out) {
  double a = 0.0, b = 0.0;
  int sums = a_out != NULL;
  *lo_edge = *hi_edge = 1;
  for (int i = 0; i < s->k; i++) {
    long long x0 = s->x0[i], n0 = s->n0[i], x1 = s->x1[i], n1 = s->n1[i];
    if (n0 < 1 || n1 < 1) continue;
    double n = (double)(n0 + n1);
    if (measure == TSIM_NI_RD) {
      if (sums) {
        a += (double)(x1 * n0 - x0 * n1) / n; /* w (p1 - p0) */
        b += (double)n0 * (double)n1 / n;     /* w */
      }
      *lo_edge &= x1 == 0 && x0 == n0;
      *hi_edge &= x1 == n1 && x0 == 0;
    } else if (measure == TSIM_NI_RR) {
      if (sums) {
        a += (double)x1 * (double)n0 / n;
        b += (double)x0 * (double)n1 / n;
      }
      *lo_edge &= x1 == 0;
      *hi_edge &= x0 == 0;
    } else {
      *lo_edge &= x1 == 0 || x0 == n0;
      *hi_edge &= x1 == n1 || x0 == 0;
    }
  }
  if (sums) *a_out = a, *b_out = b;
}

/* The weighted estimate and the edges (strat_edges): rd and rr the Mantel-Haenszel estimates,
 * the roots of U; or the root of U found as a bound with target 0. */
static double strat_estimate(tsim_ni_measure measure, const ni_strata *s, int *lo_edge,
                             int *hi_edge) {
  double a, b;
  strat_edges(measure, s, lo_edge, hi_edge, &a, &b);
  if (measure == TSIM_NI_RD) return a / b;
  if (measure == TSIM_NI_RR) return b > 0.0 ? a / b : a > 0.0 ? INFINITY : NAN;
  if (*lo_edge || *hi_edge) return *lo_edge ? (*hi_edge ? NAN : 0.0) : INFINITY;
  mn_bound_ctx c = {measure, 0, 0, 0, 0, 0.0, s};
  return theta_of(measure, mn_bound(&c, NAN));
}

int tsim_ni_strat_ci(tsim_ni_measure measure, const long long *x0, const long long *n0,
                     const long long *x1, const long long *n1, int k, double conf, double *est,
                     double *lo, double *hi) {
  ni_strata s = {x0, n0, x1, n1, k, measure};
  if ((unsigned)measure >= TSIM_NI_NMEASURES || !strata_valid(&s) ||
      !(conf > 0.0 && conf < 1.0)) {
    if (est) *est = NAN;
    if (lo) *lo = NAN;
    if (hi) *hi = NAN;
    return -1;
  }
  int lo_edge, hi_edge;
  double e = strat_estimate(measure, &s, &lo_edge, &hi_edge);
  double that = measure == TSIM_NI_RD ? atanh(e) : log(e);
  double z = gsl_cdf_ugaussian_Pinv((1.0 + conf) / 2.0);
  mn_bound_ctx c = {measure, 0, 0, 0, 0, z, &s};
  mn_interval(&c, that, e, lo_edge, hi_edge, est, lo, hi);
  return 0;
}

/* Whether the MN interval with the given edges (mn_ci's or strat_estimate's lo_edge, hi_edge) at
 * `conf` holds each theta[i] (nitest.h, tsim_ni_strat_covers): z(theta) from zf(ctx, theta), or
 * z_at[i] where `known` says so. */
typedef double (*ni_zfun)(const void *ctx, double theta);

static void covers_core(tsim_ni_measure measure, int lo_edge, int hi_edge, double z, ni_zfun zf, const void *ctx,
                        const double *theta, const double *z_at, unsigned known, int nt, unsigned *in) {
  if (!isfinite(z)) lo_edge = hi_edge = 1; /* as mn_interval */
  /* The edges' values, theta_of(-+inf), which bound every interval. */
  double lo_space = measure == TSIM_NI_RD ? -1.0 : 0.0, hi_space = measure == TSIM_NI_RD ? 1.0 : INFINITY;
  for (int i = 0; i < nt && i < 32; i++) {
    double t = theta[i];
    if (!(t >= lo_space && t <= hi_space)) continue; /* NaN, or outside every interval */
    int held;
    if (lo_edge && hi_edge) {
      held = 1;
    } else {
      /* z at theta as mn_h counts it: 0/0 as 0; at the space's edges, where z is not defined,
       * +inf at the lower one and -inf at the upper one. */
      double zt;
      if (t == lo_space || t == hi_space)
        zt = t == lo_space ? INFINITY : -INFINITY;
      else if (isnan(zt = z_at && (known >> i & 1) ? z_at[i] : zf(ctx, t)))
        zt = 0.0;
      held = (lo_edge || zt <= z) && (hi_edge || zt >= -z);
    }
    *in |= (unsigned)held << i;
  }
}

static double strat_zf(const void *ctx, double theta) {
  const ni_strata *s = ctx;
  return strat_z(s->measure, s, theta);
}

/* A ratio so far from 1 (below 1e-8, above 1e8) that z at it has lost digits (the restricted
 * estimates' quotients): its answer is taken from the bounds instead. */
static int far_ratio(tsim_ni_measure measure, double t) {
  return measure != TSIM_NI_RD && t > 0.0 && isfinite(t) && (t < 1e-8 || t > 1e8);
}

/* The bits of *in for the far ratios among theta[0 .. nt) from the interval [lo, hi]. */
static void far_from_bounds(tsim_ni_measure measure, const double *theta, int nt, double lo, double hi, unsigned *in) {
  for (int i = 0; i < nt && i < 32; i++)
    if (far_ratio(measure, theta[i])) *in = (*in & ~(1u << i)) | (unsigned)(lo <= theta[i] && theta[i] <= hi) << i;
}

static int any_far(tsim_ni_measure measure, const double *theta, int nt) {
  for (int i = 0; i < nt && i < 32; i++)
    if (far_ratio(measure, theta[i])) return 1;
  return 0;
}

int tsim_ni_strat_covers(tsim_ni_measure measure, const long long *x0, const long long *n0,
                         const long long *x1, const long long *n1, int k, double conf,
                         const double *theta, const double *z_at, unsigned known, int nt, unsigned *in) {
  ni_strata s = {x0, n0, x1, n1, k, measure};
  *in = 0;
  if ((unsigned)measure >= TSIM_NI_NMEASURES || !strata_valid(&s) || !(conf > 0.0 && conf < 1.0))
    return -1;
  int lo_edge, hi_edge;
  strat_edges(measure, &s, &lo_edge, &hi_edge, NULL, NULL);
  covers_core(measure, lo_edge, hi_edge, gsl_cdf_ugaussian_Pinv((1.0 + conf) / 2.0), strat_zf, &s, theta, z_at,
              known, nt, in);
  double lo, hi;
  if (any_far(measure, theta, nt) && tsim_ni_strat_ci(measure, x0, n0, x1, n1, k, conf, NULL, &lo, &hi) == 0)
    far_from_bounds(measure, theta, nt, lo, hi, in);
  return 0;
}

/* --- The stratified confidence set where it is not an interval ---------------------------- */

#define NI_SET_FINE 1e-3   /* tsim_ni_strat_set's steps between the search's bounds, */
#define NI_SET_COARSE 1e-2 /* beyond them (atanh or log of theta), at the least; */
#define NI_SET_BUDGET 8e6  /* the strata's statistics a scan may compute (wider steps beyond) */
#define NI_SET_SAME 1e-9   /* how near a bound its crossing is the bound's own */

/* Whether the stratified test does not reject theta(t) (t on the search's scale), as
 * tsim_ni_strat_covers counts it at the critical value zc. */
static int strat_held(tsim_ni_measure measure, const ni_strata *s, int lo_edge, int hi_edge, double zc, double t) {
  double th = theta_of(measure, t);
  unsigned in = 0;
  covers_core(measure, lo_edge, hi_edge, zc, strat_zf, s, &th, NULL, 0, 1, &in);
  return (int)(in & 1u);
}

/* Where strat_held changes between a (held) and b (not), by bisection to adjacent doubles of
 * the search's scale: the held side's last value. */
static double strat_cross(tsim_ni_measure measure, const ni_strata *s, int lo_edge, int hi_edge, double zc,
                          double a, double b) {
  for (int it = 0; it < 200; it++) {
    double m = 0.5 * (a + b);
    if (!(m > fmin(a, b) && m < fmax(a, b))) break; /* a and b adjacent doubles */
    if (strat_held(measure, s, lo_edge, hi_edge, zc, m)) a = m;
    else b = m;
  }
  return a;
}

int tsim_ni_strat_set(tsim_ni_measure measure, const long long *x0, const long long *n0, const long long *x1,
                      const long long *n1, int k, double conf, double *est_out, double *lo, double *hi,
                      double (*gap)[2], int maxgap, int *ngap) {
  *ngap = 0;
  double est, blo, bhi;
  int rc = tsim_ni_strat_ci(measure, x0, n0, x1, n1, k, conf, &est, &blo, &bhi);
  if (est_out) *est_out = est;
  *lo = blo, *hi = bhi;
  if (rc != 0) return -1;
  ni_strata s = {x0, n0, x1, n1, k, measure};
  int lo_edge, hi_edge;
  strat_edges(measure, &s, &lo_edge, &hi_edge, NULL, NULL);
  double z = gsl_cdf_ugaussian_Pinv((1.0 + conf) / 2.0);
  if (!isfinite(z) || (lo_edge && hi_edge) || isnan(est)) return 0; /* the whole space, or no information */
  /* The scan on the search's scale: rd's atanh out to where tanh rounds to -+1, the ratios' log
   * out to the far ratios (1e-8, 1e8), where z has lost digits and the bounds answer. Steps of
   * NI_SET_FINE between the search's bounds, NI_SET_COARSE beyond them. */
  const double ulim = measure == TSIM_NI_RD ? 19.0 : log(1e8);
  const double slo = lo_edge ? -INFINITY : measure == TSIM_NI_RD ? atanh(blo) : log(blo);
  const double shi = hi_edge ? INFINITY : measure == TSIM_NI_RD ? atanh(bhi) : log(bhi);
  /* At most NI_SET_BUDGET / k points, half between the bounds and half beyond. */
  double half = fmax(100.0, 0.5 * NI_SET_BUDGET / (double)k);
  double win = fmin(shi, ulim) - fmax(slo, -ulim), wout = 2.0 * ulim - win;
  double fine = fmax(NI_SET_FINE, win / half), coarse = fmax(NI_SET_COARSE, wout / half);
  double u = -ulim, prev_u = NAN, first = NAN, last = NAN, run_end = NAN;
  int prev = -1, runs = 0, held0 = 0;
  for (;;) {
    int h = strat_held(measure, &s, lo_edge, hi_edge, z, u);
    if (prev < 0) {
      held0 = h;
      if (h) runs = 1;
    } else if (h != prev) {
      double c = h ? strat_cross(measure, &s, lo_edge, hi_edge, z, u, prev_u)
                   : strat_cross(measure, &s, lo_edge, hi_edge, z, prev_u, u);
      if (!h) {
        run_end = c; /* a held run ends at c */
      } else if (runs++ == 0) {
        first = c;   /* the first held run begins at c */
      } else {       /* a later one: the values between the runs are rejected */
        if (*ngap < maxgap) gap[*ngap][0] = theta_of(measure, run_end), gap[*ngap][1] = theta_of(measure, c);
        ++*ngap;
      }
    }
    prev = h;
    prev_u = u;
    if (u >= ulim) break;
    u = fmin(ulim, u + (u >= slo && u < shi ? fine : coarse));
  }
  last = prev ? NAN : run_end; /* NaN: held up to the scan's end */
  /* The hull: the search's bounds where the scan's outermost crossings are theirs (or the scan
   * starts or ends held: the space's edge, or a far ratio the bounds answer); else the scan's. */
  if (runs > 0) {
    if (!held0 && !(fabs(first - slo) <= NI_SET_SAME)) *lo = theta_of(measure, first);
    if (!isnan(last) && !(fabs(last - shi) <= NI_SET_SAME)) *hi = theta_of(measure, last);
  }
  return 0;
}

static double mn_zf(const void *ctx, double theta) {
  const mn_bound_ctx *c = ctx;
  return score_z(c->measure, c->x0, c->n0, c->x1, c->n1, theta, 1);
}

int tsim_ni_mn_covers(tsim_ni_measure measure, long long x0, long long n0, long long x1, long long n1, double conf,
                      const double *theta, const double *z_at, unsigned known, int nt, unsigned *in) {
  *in = 0;
  if ((unsigned)measure >= TSIM_NI_NMEASURES || !counts_valid(x0, n0, x1, n1) || !(conf > 0.0 && conf < 1.0))
    return -1;
  int lo_edge, hi_edge;
  mn_edges(measure, x0, n0, x1, n1, &lo_edge, &hi_edge);
  mn_bound_ctx c = {measure, x0, n0, x1, n1, 0.0, NULL};
  covers_core(measure, lo_edge, hi_edge, gsl_cdf_ugaussian_Pinv((1.0 + conf) / 2.0), mn_zf, &c, theta, z_at,
              known, nt, in);
  double lo, hi;
  if (any_far(measure, theta, nt) && mn_ci(measure, x0, n0, x1, n1, conf, NULL, &lo, &hi) == 0)
    far_from_bounds(measure, theta, nt, lo, hi, in);
  return 0;
}
