/* test_nitest.c - the tests against a margin (sim/stats/nitest.h): published worked examples,
 * an independent reference when it is there, and the properties that tie the tests together.
 *
 * Usage: test_nitest EXAMPLES.csv [REFERENCE.csv]
 *   EXAMPLES.csv (tests/nitest_examples.csv): the papers' and book's worked examples, each
 *   checked to half a unit of its last printed digit (its abs_tol column).
 *   REFERENCE.csv (tests/r/ni_reference.csv, written by tests/r/ni_reference.R from the
 *   published formulas): every row to a relative REL_TOL, absolutely ABS_TOL below NEAR_0.
 *   It is part of the repository: a missing or empty file fails the test.
 * Both have the columns case,method,measure,x1,n1,x0,n0,theta0,conf,p_value,lower,upper
 * (p_value: one-sided, H0 theta <= theta0; lower, upper: the two-sided conf interval; NA where
 * the method has none, matched by NaN).
 *
 * The properties, checked without a reference:
 *   - margin 0 is superiority: FM's rd test at theta0 = 0 (and its rr test at 1) gives the
 *     one-sided Pearson chi-square p-value of stattest.h as a run computes it today
 *     (analysis/compare.h's halving), MN's the 'N-1' chi-square's, to SAME_TOL;
 *   - the MN interval's bounds are where the MN test's two-sided p-value is 1 - conf, and
 *     tsim_ni_mn_covers holds a value exactly when they do (away from their last digits);
 *   - FM and MN p-values rise with theta0; the two directions' p-values add up to 1;
 *   - the documented decision rules: MN and Wald reject exactly when the 1 - 2 alpha interval's
 *     lower bound is above theta0;
 *   - the restricted estimates satisfy the null and maximise the likelihood;
 *   - every table with arms up to 10 gives an ordered interval around the estimate, and the
 *     documented NaN or limit at every edge (n = 0, x = 0 or n, theta0 on the edge).
 * Output: a line per failed check, "N passed, N failed"; exit status 1 if any failed.
 */
#include "refcheck.h"
#include "analysis/compare.h"
#include "stats/nitest.h"
#include "stats/stattest.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tests hold methods and measures as ints (loops over them, -1 for none); the library takes
 * its enums. */
static inline double ni_p(int method, int measure, long long x0, long long n0, long long x1, long long n1,
                          double theta0, int greater, double *stat) {
  return tsim_ni_p((tsim_ni_method)method, (tsim_ni_measure)measure, x0, n0, x1, n1, theta0, greater, stat);
}
static inline int ni_ci(int method, int measure, long long x0, long long n0, long long x1, long long n1,
                        double conf, double *est, double *lo, double *hi) {
  return tsim_ni_ci((tsim_ni_method)method, (tsim_ni_measure)measure, x0, n0, x1, n1, conf, est, lo, hi);
}
static inline int ni_has_test(int method, int measure) {
  return tsim_ni_has_test((tsim_ni_method)method, (tsim_ni_measure)measure);
}
static inline const char *ni_measure_name(int m) { return tsim_ni_measure_name((tsim_ni_measure)m); }
static inline const char *ni_method_name(int m) { return tsim_ni_method_name((tsim_ni_method)m); }
static inline int ni_mle(int measure, long long x0, long long n0, long long x1, long long n1, double theta0,
                         double *p0t, double *p1t) {
  return tsim_ni_restricted_mle((tsim_ni_measure)measure, x0, n0, x1, n1, theta0, p0t, p1t);
}

#define REL_TOL 1e-9   /* against the reference, relative ... */
#define ABS_TOL 1e-12  /* ... and absolute for values below NEAR_0 */
#define NEAR_0 1e-3
#define SAME_TOL 1e-12 /* two routes to the same p-value (margin 0) */
#define BOUND_TOL 1e-9 /* the MN test's two-sided p at the interval's bounds, relative */

static double worst_ref = 0.0; /* the largest error against the reference (relative above NEAR_0) */
static int examples_file;      /* 1 while reading EXAMPLES.csv (the abs_tol column) */

/* --- Reference rows ------------------------------------------------------------------------ */

static void check_value(const char *what, const char *ctx, double obs, double exp, double tol) {
  if (tol > 0)
    check_num(what, ctx, obs, exp, 0, tol);
  else
    refcheck_against(what, ctx, obs, exp, NEAR_0, REL_TOL, &worst_ref);
}

static int check_line(char *line, const char *where) {
  char *f[14], ctx[4400];
  int k = refcheck_split(line, ',', f, 13);
  long long x1, n1, x0, n0;
  double theta0, conf, p, lo, hi, tol = 0.0;
  int method = k >= 12 ? tsim_ni_method_of(f[1]) : -1;
  int measure = k >= 12 ? tsim_ni_measure_of(f[2]) : -1;
  if (k != (examples_file ? 13 : 12) || method < 0 || measure < 0 || !parse_ll(f[3], &x1) ||
      !parse_ll(f[4], &n1) || !parse_ll(f[5], &x0) || !parse_ll(f[6], &n0) ||
      !parse_double(f[7], &theta0) || !parse_double(f[8], &conf) || !parse_double(f[9], &p) ||
      !parse_double(f[10], &lo) || !parse_double(f[11], &hi) ||
      (examples_file && !parse_double(f[12], &tol))) {
    printf("FAIL %s: not a reference line\n", where);
    n_fail++;
    return 0;
  }
  snprintf(ctx, sizeof ctx, "%s (%s, %s %s, %lld/%lld vs %lld/%lld, theta0 %g, conf %g)", f[0],
           where, f[1], f[2], x1, n1, x0, n0, theta0, conf);
  if (!isnan(theta0)) {
    double z, obs = ni_p(method, measure, x0, n0, x1, n1, theta0, 1, &z);
    check_value("p_value", ctx, obs, p, tol);
  } else if (!isnan(p)) {
    printf("FAIL %s: a p-value without theta0\n", where);
    n_fail++;
  }
  if (!isnan(conf)) {
    double e, l, h;
    ni_ci(method, measure, x0, n0, x1, n1, conf, &e, &l, &h);
    check_value("lower", ctx, l, lo, tol);
    check_value("upper", ctx, h, hi, tol);
  }
  return 1;
}

static void check_files(int argc, char **argv) {
  examples_file = 1;
  int rows = refcheck_csv(argv[1], "case,", check_line);
  printf("examples: %d published cases from %s\n", rows, argv[1]);
  examples_file = 0;
  if (argc < 3) return;
  FILE *fp = fopen(argv[2], "r");
  check_true(fp != NULL, "the reference tests/r/ni_reference.csv can be read");
  if (!fp) return;
  fclose(fp);
  rows = refcheck_csv(argv[2], "case,", check_line);
  check_true(rows >= 100, "the reference has its 161 cases");
  printf("reference: %d cases from %s, worst error %.3g (relative above %g)\n", rows, argv[2],
         worst_ref, NEAR_0);
}

/* --- Margin 0 is superiority ---------------------------------------------------------------- */

static void check_margin_zero_table(long long x0, long long n0, long long x1, long long n1) {
  char ctx[128];
  snprintf(ctx, sizeof ctx, "%lld/%lld vs %lld/%lld at margin 0", x1, n1, x0, n0);
  double x2, x2n1, diff = (double)x1 / (double)n1 - (double)x0 / (double)n0;
  double pearson = tsim_pearson_p(x0, n0, x1, n1, &x2);
  double n1chisq = tsim_n1_chisq_p(x0, n0, x1, n1, &x2n1);
  for (int greater = 0; greater <= 1; greater++) {
    /* The one-sided p-value a run computes today: half the two-sided one (compare.h). */
    double today = tsim__one_sided(pearson, diff, greater);
    double today_n1 = tsim__one_sided(n1chisq, diff, greater), z;
    double fm = ni_p(TSIM_NI_FM, TSIM_NI_RD, x0, n0, x1, n1, 0.0, greater, &z);
    check_num("FM rd = one-sided Pearson", ctx, fm, today, SAME_TOL, 0);
    if (greater) check_num("FM z^2 = Pearson X2", ctx, z * z, x2, SAME_TOL, 0);
    check_num("FM rr at 1 = one-sided Pearson", ctx,
              ni_p(TSIM_NI_FM, TSIM_NI_RR, x0, n0, x1, n1, 1.0, greater, NULL), today,
              SAME_TOL, 0);
    for (int m = TSIM_NI_RD; m <= TSIM_NI_OR; m++) {
      double null = m == TSIM_NI_RD ? 0.0 : 1.0;
      check_num("MN at no difference = one-sided N-1 chi-square", ctx,
                ni_p(TSIM_NI_MN, m, x0, n0, x1, n1, null, greater, NULL), today_n1, SAME_TOL,
                0);
    }
  }
}

static void check_margin_zero(void) {
  for (long long n0 = 1; n0 <= 12; n0++)
    for (long long n1 = 1; n1 <= 12; n1++)
      for (long long x0 = 0; x0 <= n0; x0++)
        for (long long x1 = 0; x1 <= n1; x1++) check_margin_zero_table(x0, n0, x1, n1);
  static const long long big[][4] = {{48, 80, 56, 70}, {300, 1000, 350, 1000}, {1, 5000, 9, 5000},
                                     {4990, 5000, 5000, 5000}, {123456, 1000000, 124000, 999000}};
  for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
    check_margin_zero_table(big[i][0], big[i][1], big[i][2], big[i][3]);
}

/* --- The MN interval inverts the MN test ---------------------------------------------------- */

/* At a bound strictly inside the parameter space, the two-sided MN p-value is 1 - conf, with z
 * of the right sign: +z_c at the lower bound, -z_c at the upper. */
static void check_bound(int measure, long long x0, long long n0, long long x1, long long n1,
                        double conf, double bound, double sign, const char *ctx) {
  double z, edge_lo = measure == TSIM_NI_RD ? -1.0 : 0.0;
  double edge_hi = measure == TSIM_NI_RD ? 1.0 : INFINITY;
  if (bound == edge_lo || bound == edge_hi) return;
  ni_p(TSIM_NI_MN, measure, x0, n0, x1, n1, bound, 1, &z);
  check_num(sign > 0 ? "MN two-sided p at the lower bound" : "MN two-sided p at the upper bound",
            ctx, erfc(fabs(z) / sqrt(2.0)), 1.0 - conf, BOUND_TOL, 0);
  check_true(z * sign > 0, "MN z at a bound has the bound's sign");
}

static void check_interval_table(int measure, long long x0, long long n0, long long x1,
                                 long long n1, double conf) {
  char ctx[128];
  double e, lo, hi;
  snprintf(ctx, sizeof ctx, "MN %s %lld/%lld vs %lld/%lld, conf %g", ni_measure_name(measure),
           x1, n1, x0, n0, conf);
  int rc = ni_ci(TSIM_NI_MN, measure, x0, n0, x1, n1, conf, &e, &lo, &hi);
  int ordered = rc == 0 && lo < hi && (isnan(e) || (lo <= e && e <= hi));
  if (!ordered) printf("  %s: est %.17g, [%.17g, %.17g]\n", ctx, e, lo, hi);
  check_true(ordered, "MN interval ordered around its estimate");
  check_bound(measure, x0, n0, x1, n1, conf, lo, +1.0, ctx);
  check_bound(measure, x0, n0, x1, n1, conf, hi, -1.0, ctx);
  /* tsim_ni_mn_covers against the bounds: values across the space, its edges, a millionth in
   * and out of each bound and NaN (not those within 1e-12 of a bound); with the statistics
   * given as tsim_ni_p gives them, the same. */
  double th[32], zs[32], edge_lo = measure == TSIM_NI_RD ? -1.0 : 0.0;
  double edge_hi = measure == TSIM_NI_RD ? 1.0 : INFINITY, b[2] = {lo, hi};
  int n = 0;
  for (int i = 0; i < 20; i++) th[n++] = measure == TSIM_NI_RD ? -0.95 + 0.1 * i : exp(0.6 * (i - 10));
  th[n++] = edge_lo, th[n++] = edge_hi, th[n++] = NAN;
  if (measure != TSIM_NI_RD) th[n++] = 1e-12, th[n++] = 1e12; /* far ratios: from the bounds */
  for (int j = 0; j < 2; j++)
    if (isfinite(b[j]) && b[j] != edge_lo && b[j] != edge_hi) {
      double d = 1e-6 * fmax(fabs(b[j]), 1e-3);
      th[n++] = b[j] - d, th[n++] = b[j] + d;
    }
  unsigned in, in2;
  int rcc = tsim_ni_mn_covers((tsim_ni_measure)measure, x0, n0, x1, n1, conf, th, NULL, 0, n, &in);
  for (int i = 0; i < n; i++) ni_p(TSIM_NI_MN, measure, x0, n0, x1, n1, th[i], 1, &zs[i]);
  tsim_ni_mn_covers((tsim_ni_measure)measure, x0, n0, x1, n1, conf, th, zs, 0xffffffffu, n, &in2);
  int same = rcc == rc && in2 == in;
  for (int i = 0; same && i < n; i++) {
    double t = th[i];
    if (fabs(t - lo) <= 1e-12 * fabs(lo) || fabs(t - hi) <= 1e-12 * fabs(hi)) continue;
    if ((lo <= t && t <= hi) != (int)(in >> i & 1)) {
      printf("  %s: theta %.17g in [%.17g, %.17g]: covers says %u\n", ctx, t, lo, hi, in >> i & 1);
      same = 0;
    }
  }
  check_true(same, "MN covers: theta in the interval exactly as its bounds say");
}

static void check_intervals(void) {
  static const double confs[] = {0.8, 0.95, 0.99};
  for (int m = TSIM_NI_RD; m <= TSIM_NI_OR; m++)
    for (long long n0 = 1; n0 <= 10; n0++)
      for (long long n1 = 1; n1 <= 10; n1++)
        for (long long x0 = 0; x0 <= n0; x0++)
          for (long long x1 = 0; x1 <= n1; x1++)
            check_interval_table(m, x0, n0, x1, n1, confs[(x0 + x1 + n0) % 3]);
  static const long long big[][4] = {{48, 80, 56, 70}, {0, 1000, 3, 1000}, {1000, 1000, 990, 1000},
                                     {1, 5000, 0, 4000}, {2500, 5000, 2600, 5000}};
  for (int m = TSIM_NI_RD; m <= TSIM_NI_OR; m++)
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
      for (int c = 0; c < 3; c++)
        check_interval_table(m, big[i][0], big[i][1], big[i][2], big[i][3], confs[c]);
}

/* --- Monotone in theta0, directions, decision rules ----------------------------------------- */

static double theta_at(int measure, int i, int n) {
  double u = (i + 0.5) / n; /* in (0, 1) */
  return measure == TSIM_NI_RD ? 2.0 * u - 1.0 : exp(12.0 * (u - 0.5));
}

static void check_monotone_table(int method, int measure, long long x0, long long n0, long long x1,
                                 long long n1) {
  const int n = 200;
  double prev = -1.0;
  int monotone = 1, complement = 1;
  for (int i = 0; i < n; i++) {
    double t = theta_at(measure, i, n), p = ni_p(method, measure, x0, n0, x1, n1, t, 1, NULL);
    double q = ni_p(method, measure, x0, n0, x1, n1, t, 0, NULL);
    if (isnan(p)) continue;
    if (p < prev * (1.0 - 1e-12)) monotone = 0; /* rounding may wobble a flat p */
    if (fabs(p + q - 1.0) > 4 * DBL_EPSILON) complement = 0;
    prev = p;
  }
  char what[160];
  snprintf(what, sizeof what, "%s %s p-value rises with theta0 on %lld/%lld vs %lld/%lld",
           ni_method_name(method), ni_measure_name(measure), x1, n1, x0, n0);
  check_true(monotone, what);
  snprintf(what, sizeof what, "%s %s p(greater) + p(less) = 1 on %lld/%lld vs %lld/%lld",
           ni_method_name(method), ni_measure_name(measure), x1, n1, x0, n0);
  check_true(complement, what);
}

/* MN and Wald: p < alpha exactly when the 1 - 2 alpha interval's lower bound is above theta0
 * (away from the bound, where the root finder's last digits decide). */
static void check_rule_table(int method, int measure, long long x0, long long n0, long long x1,
                             long long n1, double alpha) {
  double e, lo, hi;
  ni_ci(method, measure, x0, n0, x1, n1, 1.0 - 2.0 * alpha, &e, &lo, &hi);
  for (int i = 0; i < 40; i++) {
    double t = theta_at(measure, i, 40);
    if (fabs(t - lo) <= 1e-9 * fmax(1.0, fabs(lo))) continue;
    double p = ni_p(method, measure, x0, n0, x1, n1, t, 1, NULL);
    if (isnan(p)) continue;
    char what[160];
    snprintf(what, sizeof what, "%s %s: p < %g iff lower bound > %g on %lld/%lld vs %lld/%lld",
             ni_method_name(method), ni_measure_name(measure), alpha, t, x1, n1, x0, n0);
    check_true((p < alpha) == (lo > t), what);
  }
}

static void check_monotone_and_rules(void) {
  static const long long tables[][4] = {{48, 80, 56, 70}, {3, 10, 9, 10}, {0, 29, 5, 56},
                                        {0, 20, 0, 10},   {10, 10, 0, 20}, {15, 72, 0, 16},
                                        {1, 34, 7, 34},   {4, 14, 9, 13},  {150, 200, 140, 190},
                                        {7, 7, 12, 12}};
  for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
    const long long *t = tables[i];
    for (int m = TSIM_NI_RD; m <= TSIM_NI_OR; m++) {
      if (m != TSIM_NI_OR) check_monotone_table(TSIM_NI_FM, m, t[0], t[1], t[2], t[3]);
      check_monotone_table(TSIM_NI_MN, m, t[0], t[1], t[2], t[3]);
      check_rule_table(TSIM_NI_MN, m, t[0], t[1], t[2], t[3], 0.025);
    }
    check_monotone_table(TSIM_NI_WALD, TSIM_NI_RD, t[0], t[1], t[2], t[3]);
    check_rule_table(TSIM_NI_WALD, TSIM_NI_RD, t[0], t[1], t[2], t[3], 0.025);
  }
}

/* --- Restricted estimates ------------------------------------------------------------------- */

static double loglik(long long x, long long n, double p) {
  double l = 0.0;
  if (x > 0) l += (double)x * log(p);
  if (n > x) l += (double)(n - x) * log1p(-p);
  return l;
}

/* The estimates satisfy the null, lie in [0, 1], and no feasible point nearby on the null's
 * curve (the control rate moved by +-1e-3 and +-1e-4) has a higher likelihood: a wrong root
 * of the cubic or quadratic would lose by far more than the tolerance there. */
static void check_mle_table(int measure, long long x0, long long n0, long long x1, long long n1,
                            double theta) {
  double p0, p1;
  char ctx[128];
  snprintf(ctx, sizeof ctx, "restricted MLE %s %lld/%lld vs %lld/%lld at %g",
           ni_measure_name(measure), x1, n1, x0, n0, theta);
  check_true(ni_mle(measure, x0, n0, x1, n1, theta, &p0, &p1) == 0 && p0 >= 0 &&
                 p0 <= 1 && p1 >= 0 && p1 <= 1,
             "restricted MLE inside [0, 1]");
  double on = measure == TSIM_NI_RD   ? p1 - p0
              : measure == TSIM_NI_RR ? p1 / p0
                                      : p1 * (1 - p0) / (p0 * (1 - p1));
  if (p0 > 0 && p0 < 1 && p1 > 0 && p1 < 1) /* p1 - p0 keeps the absolute digits of p0 + d */
    check_num("restricted MLE on the null", ctx, on, theta, 1e-10,
              measure == TSIM_NI_RD ? 4 * DBL_EPSILON : 0);
  double best = loglik(x0, n0, p0) + loglik(x1, n1, p1);
  static const double steps[] = {-1e-3, 1e-3, -1e-4, 1e-4};
  for (int s = 0; s < 4; s++) {
    double q0 = p0 + steps[s];
    double q1 = measure == TSIM_NI_RD   ? q0 + theta
                : measure == TSIM_NI_RR ? theta * q0
                                        : theta * q0 / (1 - q0 + theta * q0);
    if (!(q0 >= 0 && q0 <= 1 && q1 >= 0 && q1 <= 1)) continue;
    double l = loglik(x0, n0, q0) + loglik(x1, n1, q1);
    if (l > best + 1e-12 * fabs(best))
      printf("  %s: %.17g at p0 %.17g beats %.17g\n", ctx, l, q0, best);
    check_true(l <= best + 1e-12 * fabs(best), "restricted MLE maximises the likelihood");
  }
}

static void check_mles(void) {
  static const double rd[] = {-0.9, -0.3, -0.1, -1e-6, 1e-6, 0.2, 0.7};
  static const double ratio[] = {0.05, 0.5, 0.8, 1 - 1e-6, 1.25, 3, 40};
  for (long long n0 = 1; n0 <= 7; n0 += 3)
    for (long long n1 = 1; n1 <= 8; n1 += 7)
      for (long long x0 = 0; x0 <= n0; x0++)
        for (long long x1 = 0; x1 <= n1; x1++)
          for (int i = 0; i < 7; i++) {
            check_mle_table(TSIM_NI_RD, x0, n0, x1, n1, rd[i]);
            check_mle_table(TSIM_NI_RR, x0, n0, x1, n1, ratio[i]);
            check_mle_table(TSIM_NI_OR, x0, n0, x1, n1, ratio[i]);
          }
  check_mle_table(TSIM_NI_RD, 21, 21, 28, 28, 1e-6); /* the cubic's near double root */
  check_mle_table(TSIM_NI_RD, 2, 8, 6, 8, 0.75);     /* acos's argument rounds beyond 1 */
  /* All responders: the maximum is on the edge, p0~ = 1 - d (d > 0) or p1~ = 1 + d (d < 0),
   * which the cubic's closed form alone gets to about 8 digits (its two roots there are d
   * apart); FM's z is then -d / sqrt(d (1 - d) / n), n the arm whose rate is below 1. */
  static const double tiny[] = {1e-6, -1e-8, 1e-10, -0.3};
  for (int i = 0; i < 4; i++) {
    double d = tiny[i], n = d > 0 ? 21.0 : 28.0, z, want = -d / sqrt(fabs(d) * (1 - fabs(d)) / n);
    char ctx[96];
    snprintf(ctx, sizeof ctx, "FM rd 28/28 vs 21/21 at %g", d);
    double p = ni_p(TSIM_NI_FM, TSIM_NI_RD, 21, 21, 28, 28, d, 1, &z);
    check_num("z on the edge", ctx, z, want, 1e-12, 0);
    check_num("p on the edge", ctx, p, 0.5 * erfc(want / sqrt(2.0)), 1e-12, 0);
  }
}

/* --- FM against a long double reference ---------------------------------------------------- */

/* The derivative of the restricted log-likelihood in the control rate p (rd: p1 = p + theta,
 * rr: p1 = theta p), in long double; a count of 0 contributes nothing. */
static long double ld_score(int rr, long long x0, long long n0, long long x1, long long n1,
                            long double theta, long double p) {
  long double p1 = rr ? theta * p : p + theta, dp1 = rr ? theta : 1.0L, g = 0.0L;
  if (x1 > 0) g += (long double)x1 * dp1 / p1;
  if (n1 > x1) g -= (long double)(n1 - x1) * dp1 / (1.0L - p1);
  if (x0 > 0) g += (long double)x0 / p;
  if (n0 > x0) g -= (long double)(n0 - x0) / (1.0L - p);
  return g;
}

/* FM's one-sided p-value with the restricted estimate found by bisection of the derivative of
 * the (concave) log-likelihood in long double: independent of the library's closed forms. */
static long double ld_fm_p(int rr, long long x0, long long n0, long long x1, long long n1,
                           long double theta) {
  long double lo = rr ? 0.0L : fmaxl(0.0L, -theta), hi = rr ? fminl(1.0L, 1.0L / theta)
                                                           : fminl(1.0L, 1.0L - theta);
  for (int i = 0; i < 200; i++) {
    long double mid = 0.5L * (lo + hi);
    if (mid == lo || mid == hi) break;
    if (ld_score(rr, x0, n0, x1, n1, theta, mid) > 0)
      lo = mid;
    else
      hi = mid;
  }
  long double p0 = 0.5L * (lo + hi), p1 = rr ? theta * p0 : p0 + theta;
  long double f = rr ? theta : 1.0L;
  long double r1 = (long double)x1 / n1, r0 = (long double)x0 / n0;
  long double num = rr ? r1 - theta * r0 : r1 - r0 - theta;
  long double z = num / sqrtl(p1 * (1.0L - p1) / n1 + f * f * p0 * (1.0L - p0) / n0);
  return 0.5L * erfcl(z / sqrtl(2.0L));
}

static void check_fm_long_double_table(int rr, long long x0, long long n0, long long x1,
                                       long long n1, double theta, double *worst) {
  double p = ni_p(TSIM_NI_FM, rr ? TSIM_NI_RR : TSIM_NI_RD, x0, n0, x1, n1, theta, 1, NULL);
  long double ref = ld_fm_p(rr, x0, n0, x1, n1, theta);
  if (isnan(p) || !(ref > 1e-100L)) return; /* far tails: q = 1 - p's rounding dominates */
  char ctx[128];
  snprintf(ctx, sizeof ctx, "FM %s %lld/%lld vs %lld/%lld at %.17g (long double)", rr ? "rr" : "rd",
           x1, n1, x0, n0, theta);
  check_num("p", ctx, p, (double)ref, REL_TOL, 0);
  *worst = fmax(*worst, fabs((double)((p - ref) / ref)));
}

/* Tables where the cubic's closed form alone loses digits (a root of the cubic next to the
 * maximum; measured 1.2e-7 and 1.5e-8 relative in p without the Newton polish), then a sweep. */
static void check_fm_long_double(void) {
  if (LDBL_MANT_DIG <= DBL_MANT_DIG + 8) {
    printf("FM against long double: not checked (long double has %d bits)\n", LDBL_MANT_DIG);
    return;
  }
  double worst = 0.0;
  check_fm_long_double_table(0, 2, 3, 1066, 1066, -1e-10, &worst);
  check_fm_long_double_table(0, 0, 928, 1, 5, 0.001, &worst);
  check_fm_long_double_table(0, 0, 1, 1497, 1521, -0.069890909464979001, &worst);
  check_fm_long_double_table(0, 0, 8, 4, 10, 0.25, &worst); /* the maximum on the edge p0 = 0 */
  check_fm_long_double_table(1, 25, 25, 1, 1, 1.0000000001, &worst);
  unsigned long long state = 12345;
  for (int i = 0; i < 20000; i++) {
    long long v[4];
    for (int j = 0; j < 4; j++) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      v[j] = (long long)(state >> 33);
    }
    long long n0 = 1 + v[0] % (i % 3 ? 40 : 2000), n1 = 1 + v[1] % (i % 5 ? 40 : 2000);
    long long x0 = v[2] % (n0 + 1), x1 = v[3] % (n1 + 1);
    double u = ((double)(v[0] % 1000) + 0.5) / 1000.0;
    check_fm_long_double_table(i & 1, x0, n0, x1, n1, i & 1 ? exp(4.0 * (u - 0.5)) : 1.9 * u - 0.95,
                               &worst);
  }
  printf("FM against long double: worst relative error in p %.3g\n", worst);
}

/* --- Edges ---------------------------------------------------------------------------------- */

static void check_nan_p(int method, int measure, long long x0, long long n0, long long x1,
                        long long n1, double theta, const char *what) {
  double z = 0.0, p = ni_p(method, measure, x0, n0, x1, n1, theta, 1, &z);
  check_true(isnan(p) && isnan(z), what);
}

static void check_edges_p(void) {
  for (int me = TSIM_NI_FM; me <= TSIM_NI_NEWCOMBE; me++)
    for (int m = TSIM_NI_RD; m <= TSIM_NI_OR; m++) {
      double t = m == TSIM_NI_RD ? -0.1 : 0.8;
      check_nan_p(me, m, 1, 0, 1, 5, t, "an empty control arm gives NaN");
      check_nan_p(me, m, 1, 5, 0, 0, t, "an empty experimental arm gives NaN");
      check_nan_p(me, m, 6, 5, 1, 5, t, "x0 > n0 gives NaN");
      check_nan_p(me, m, 1, 5, -1, 5, t, "x1 < 0 gives NaN");
      check_nan_p(me, m, 1, 5, 2, 5, NAN, "theta0 NaN gives NaN");
      double edge_lo = m == TSIM_NI_RD ? -1.0 : 0.0, edge_hi = m == TSIM_NI_RD ? 1.0 : INFINITY;
      check_nan_p(me, m, 1, 5, 2, 5, edge_lo, "theta0 on the lower edge gives NaN");
      check_nan_p(me, m, 1, 5, 2, 5, edge_hi, "theta0 on the upper edge gives NaN");
      if (!ni_has_test(me, m))
        check_nan_p(me, m, 1, 5, 2, 5, t, "a method without the measure gives NaN");
    }
  /* Tables without information on the measure. */
  check_nan_p(TSIM_NI_FM, TSIM_NI_RD, 0, 20, 0, 20, 0.0, "FM rd at 0 with no responders");
  check_nan_p(TSIM_NI_MN, TSIM_NI_RD, 20, 20, 20, 20, 0.0, "MN rd at 0 with all responders");
  check_nan_p(TSIM_NI_FM, TSIM_NI_RR, 0, 20, 0, 20, 0.8, "FM rr with no responders");
  check_nan_p(TSIM_NI_MN, TSIM_NI_OR, 0, 20, 0, 20, 0.7, "MN or with no responders");
  check_nan_p(TSIM_NI_MN, TSIM_NI_OR, 20, 20, 20, 20, 0.7, "MN or with all responders");
  check_nan_p(TSIM_NI_WALD, TSIM_NI_RD, 0, 20, 0, 20, 0.0, "Wald at est = theta0 with se 0");
  /* ... and tables that have a test although a count is 0 or n. */
  double p = ni_p(TSIM_NI_FM, TSIM_NI_RD, 0, 20, 0, 20, -0.3, 1, NULL);
  check_true(p > 0 && p < 0.025, "FM: 0/20 vs 0/20 rejects rd <= -0.3 at 0.025");
  p = ni_p(TSIM_NI_MN, TSIM_NI_RR, 20, 20, 20, 20, 0.8, 1, NULL);
  check_true(p > 0 && p < 0.025, "MN: 20/20 vs 20/20 rejects rr <= 0.8 at 0.025");
  double z;
  p = ni_p(TSIM_NI_WALD, TSIM_NI_RD, 0, 20, 0, 20, -0.1, 1, &z);
  check_true(p == 0.0 && z == INFINITY, "Wald with se 0 and est > theta0: z = inf, p = 0");
  p = ni_p(TSIM_NI_WALD, TSIM_NI_RD, 0, 20, 0, 20, 0.1, 1, &z);
  check_true(p == 1.0 && z == -INFINITY, "Wald with se 0 and est < theta0: z = -inf, p = 1");
}

static void check_ci_is(int measure, long long x0, long long n0, long long x1, long long n1,
                        double want_lo, double want_hi, const char *what) {
  double e, lo, hi;
  int rc = ni_ci(TSIM_NI_MN, measure, x0, n0, x1, n1, 0.95, &e, &lo, &hi);
  double edge_lo = measure == TSIM_NI_RD ? -1.0 : 0.0;
  double edge_hi = measure == TSIM_NI_RD ? 1.0 : INFINITY;
  int ok = rc == 0 && (isnan(want_lo) ? lo > edge_lo : lo == want_lo) &&
           (isnan(want_hi) ? hi < edge_hi : hi == want_hi);
  if (!ok) printf("  %s: rc %d, [%.17g, %.17g]\n", what, rc, lo, hi);
  check_true(ok, what);
}

static void check_edges_ci(void) {
  /* NaN: the bound is inside the space. */
  check_ci_is(TSIM_NI_RD, 10, 10, 0, 10, -1.0, NAN, "MN rd 0/10 vs 10/10: lower -1");
  check_ci_is(TSIM_NI_RD, 0, 10, 10, 10, NAN, 1.0, "MN rd 10/10 vs 0/10: upper 1");
  check_ci_is(TSIM_NI_RD, 0, 10, 0, 10, NAN, NAN, "MN rd 0/10 vs 0/10: both inside");
  check_ci_is(TSIM_NI_RR, 3, 10, 0, 10, 0.0, NAN, "MN rr x1 = 0: lower 0");
  check_ci_is(TSIM_NI_RR, 0, 10, 3, 10, NAN, INFINITY, "MN rr x0 = 0: upper inf");
  check_ci_is(TSIM_NI_RR, 0, 10, 0, 10, 0.0, INFINITY, "MN rr no responders: [0, inf]");
  check_ci_is(TSIM_NI_RR, 10, 10, 10, 10, NAN, NAN, "MN rr all responders: both inside");
  check_ci_is(TSIM_NI_OR, 10, 10, 3, 10, 0.0, NAN, "MN or x0 = n0: lower 0");
  check_ci_is(TSIM_NI_OR, 3, 10, 10, 10, NAN, INFINITY, "MN or x1 = n1: upper inf");
  check_ci_is(TSIM_NI_OR, 10, 10, 10, 10, 0.0, INFINITY, "MN or all responders: [0, inf]");
  double e = 0, lo = 0, hi = 0;
  check_true(ni_ci(TSIM_NI_FM, TSIM_NI_RD, 3, 10, 5, 10, 0.95, &e, &lo, &hi) == -1 &&
                 isnan(e) && isnan(lo) && isnan(hi),
             "FM has no interval: -1 and NaN");
  check_true(ni_ci(TSIM_NI_WALD, TSIM_NI_RR, 3, 10, 5, 10, 0.95, NULL, NULL, NULL) == -1,
             "Wald has no rr interval");
  check_true(ni_ci(TSIM_NI_MN, TSIM_NI_RD, 3, 0, 5, 10, 0.95, &e, &lo, &hi) == -1 && isnan(lo),
             "MN interval of an empty arm: -1 and NaN");
  check_true(ni_ci(TSIM_NI_MN, TSIM_NI_RD, 3, 10, 5, 10, 1.0, &e, &lo, &hi) == -1 && isnan(hi),
             "MN interval at conf 1: -1 and NaN");
  check_true(ni_ci(TSIM_NI_MN, TSIM_NI_OR, 3, 10, 5, 10, 1.0 - DBL_EPSILON, &e, &lo, &hi) ==
                     0 && lo >= 0 && hi > lo,
             "MN interval at conf just below 1 is defined");
  check_true(tsim_ni_method_of("mn") == TSIM_NI_MN && tsim_ni_method_of("MN") == -1 &&
                 tsim_ni_measure_of("or") == TSIM_NI_OR && tsim_ni_measure_of(NULL) == -1,
             "names read back");
}

/* The odds ratio's restricted estimates at margins far below the estimate: q0~ = 1 - p0~ once lost
 * every digit below 1e-16 (p0~ rounded to 1), making MN's z infinite or NaN and the table "not
 * shown" though its interval lay far above the margin. For 30/50 vs 30/50 (and two strata of
 * 15/25 vs 15/25) z must be finite and positive at every margin from 1e-6 to 1e-100, grow as
 * the margin falls, and like theta^-1/2 at small theta (the score's information is dominated by
 * 1 / (n1 p1~ q1~), with p1~ ~ theta): z(theta / 100) / z(theta) = 10 within 1%. */
static void check_or_tiny_margins(void) {
  static const double th[] = {1e-6, 1e-8, 1e-10, 1e-12, 1e-14, 1e-15, 1e-16, 1e-17, 1e-18, 1e-20, 1e-30, 1e-50, 1e-100};
  const int K = (int)(sizeof th / sizeof *th);
  long long x0[2] = {15, 15}, n0[2] = {25, 25}, x1[2] = {15, 15}, n1[2] = {25, 25};
  for (int st = 0; st < 2; st++) {
    double prev = 0;
    for (int i = 0; i < K; i++) {
      double z = NAN, p = st ? tsim_ni_strat_p(TSIM_NI_OR, x0, n0, x1, n1, 2, th[i], 1, &z)
                             : tsim_ni_p(TSIM_NI_MN, TSIM_NI_OR, 30, 50, 30, 50, th[i], 1, &z);
      char what[160];
      snprintf(what, sizeof what, "MN or%s 30/50 vs 30/50 at margin %g: z %.6g finite, above the last (%.6g), p %.3g < 0.025",
               st ? " stratified" : "", th[i], z, prev, p);
      check_true(isfinite(z) && z > prev && p < 0.025, what);
      if (i > 0 && th[i - 1] / th[i] == 100.0 && th[i] <= 1e-12) {
        snprintf(what, sizeof what, "MN or%s: z(%g) / z(%g) = %.6g, 10 expected (theta^-1/2)", st ? " stratified" : "",
                 th[i], th[i - 1], z / prev);
        check_true(fabs(z / prev / 10.0 - 1.0) < 0.01, what);
      }
      prev = z;
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s EXAMPLES.csv [REFERENCE.csv]\n", argv[0]);
    return 2;
  }
  check_files(argc, argv);
  check_margin_zero();
  check_intervals();
  check_monotone_and_rules();
  check_mles();
  check_fm_long_double();
  check_edges_p();
  check_edges_ci();
  check_or_tiny_margins();
  return refcheck_summary();
}
