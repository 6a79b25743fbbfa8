/* ancova.h - analysis of covariance of a continuous end point adjusted for its baseline value.
 *
 * The linear model y = b0 + b1 g + b2 baseline + e, e ~ N(0, s^2), g = 0 for the control arm
 * and 1 for the experimental arm, fitted by least squares: b1 is the difference between the
 * arms adjusted for baseline (experimental minus control), with its standard error from
 * s^2 (X'X)^-1, t = b1 / se on df = n - 3, the two-sided p = P(|T_df| > |t|) and the `conf`
 * interval b1 -/+ q se (q the (1 + conf)/2 quantile of T_df). This is R's
 * summary(lm(y ~ group + baseline)) row "group" and confint(); tests/test_ancova.c checks b1,
 * se, t, p and the limits against R to a relative 1e-9 (a value smaller than its standard
 * error, such as b1 near 0, to 1e-9 of that standard error).
 *
 * The fit is GSL's Householder QR (gsl_linalg_QR_decomp, gsl_linalg_QR_lssolve: the method of
 * R's lm) on views of the first n rows of matrices allocated once for nmax patients, after
 * scaling y and baseline by powers of two (exactly, so that no sum of squares under- or
 * overflows at any finite scale) and centring them on their overall means (the same b1, b2
 * and residuals; a better conditioned design). A call allocates nothing (gsl_multifit_linear
 * would: see ancova.c), does no I/O and raises no GSL error on valid arguments; a workspace is
 * not thread-safe (one per thread).
 *
 * Undefined (every output NaN, NaN returned): n = n0 + n1 < 4 (df = n - 3 must be at least
 * 1), an empty arm, n above nmax, a NaN or infinite value, conf outside (0, 1); a rank-deficient
 * design - the baseline constant within each arm (so equal to a + c g: constant overall, or
 * collinear with the arm), or, as R's lm decides with its pivoting tolerance 1e-7, a baseline
 * whose within-arm variation is below 1e-7 times its norm (R reports the baseline coefficient
 * as NA); and a perfect fit - residual variance below 1e-30 (mean(fitted)^2 + var(fitted)),
 * where summary.lm warns "essentially perfect fit: summary may be unreliable".
 */
#ifndef TSIM_ANCOVA_H
#define TSIM_ANCOVA_H

#include <stddef.h>

typedef struct tsim_ancova_ws tsim_ancova_ws;

/* A workspace for up to nmax patients in all (n0 + n1 <= nmax); NULL when out of memory or
 * nmax < 4. */
tsim_ancova_ws *tsim_ancova_ws_new(size_t nmax);
void tsim_ancova_ws_free(tsim_ancova_ws *ws);

typedef struct tsim_ancova_fit {
  double diff;   /* b1: the adjusted difference, experimental minus control */
  double se;     /* its standard error */
  double t, df;  /* t = diff / se on df = n - 3 */
  double p;      /* two-sided */
  double lo, hi; /* the `conf` interval of diff */
  double slope;  /* b2: the baseline coefficient */
} tsim_ancova_fit;
/* Against a margin theta0 (one-sided, as lm with the offset theta0 g): t = (diff - theta0) / se
 * on the same df, p = tsim_t_shifted_p(fit.diff, fit.se, fit.df, theta0, greater) (contest.h). */

/* One arm's patients: end point y[i] and baseline base[i], i < n. */
typedef struct tsim_ancova_arm {
  const double *y, *base;
  size_t n;
} tsim_ancova_arm;

/* ANCOVA of y on arm and baseline: control patients a0, experimental a1. Returns the two-sided
 * p-value of the arm and fills *out (may be NULL); all NaN when undefined (see above). */
double tsim_ancova(tsim_ancova_ws *ws, tsim_ancova_arm a0, tsim_ancova_arm a1, double conf,
                   tsim_ancova_fit *out);

/* The same fit in closed form from each arm's sums, as the simulation's analyses keep them
 * (analysis/ptanalysis.c): n patients, and about constants cy and cb the sums of y - cy,
 * (y - cy)^2, b - cb, (b - cb)^2 and (y - cy)(b - cb), b the baseline. With two groups the
 * baseline coefficient is the pooled within-arm slope Sxy / Sxx, b1 the difference of the
 * arms' means less slope times the difference of their baseline means, the residual sum of
 * squares RSS = Syy - Sxy^2 / Sxx and [(X'X)^-1]_11 = 1/n0 + 1/n1 + (difference of baseline
 * means)^2 / Sxx (Sxx, Syy, Sxy: the within-arm sums of squares and products, each arm's sums
 * less n (mean - c)^2).
 *
 * Accuracy: the within-arm sums keep their digits when each arm's cy and cb lie within a few
 * SDs of its means, and RSS then has a relative error of about eps Syy / RSS. So the fit is
 * given only where RSS >= TSIM_ANCOVA_SUMS_MIN_RSS Syy (the baseline explains less than 99% of
 * the within-arm variance), and is then within about 1e-12 of the exact least-squares fit
 * (relative; the difference and the slope relative to their standard errors when smaller).
 * Elsewhere it returns -1 and the caller fits the values with tsim_ancova, whose residuals
 * (Householder QR) carry no such cancellation. tests/test_ancova_sums.c compares both with a
 * long double reference on random data sets, large offsets, baselines nearly collinear with
 * the arm (where the closed form is the more accurate of the two) and tight fits.
 *
 * Returns 1 with the fit in *out (may be NULL); 0 when the fit is undefined, as tsim_ancova
 * decides (a rank-deficient design, a perfect fit, n < 4, an empty arm; conf neither 0 nor in
 * (0, 1)), with every output NaN; -1 (outputs NaN) when the sums cannot give the fit to that
 * accuracy: RSS as above, or a sum not finite (values beyond about 1e150 from the constants).
 * conf in (0, 1) gives the interval; conf = 0 leaves lo and hi NaN and skips the t quantile
 * (the simulation reads only p, t and diff). No workspace, no allocation. */
#define TSIM_ANCOVA_SUMS_MIN_RSS 1e-2
typedef struct tsim_ancova_sums {
  double n, cy, cb;   /* patients; the constants the sums are taken about */
  double sy, syy;     /* sums of y - cy and of its squares */
  double sb, sbb;     /* of b - cb and its squares */
  double syb;         /* of (y - cy)(b - cb) */
} tsim_ancova_sums;

int tsim_ancova_from_sums(const tsim_ancova_sums *a0, const tsim_ancova_sums *a1, double conf,
                          tsim_ancova_fit *out);
/* The same fit's t, df and adjusted difference only, without the p-value (whose incomplete beta
 * function is most of the cost), for a decision from cached t quantiles; the same return
 * value, NaN outputs unless 1. */
int tsim_ancova_sums_t(const tsim_ancova_sums *a0, const tsim_ancova_sums *a1, double *t, double *df, double *diff);
/* The adjusted difference and its standard error only (df = n - 3); the same return value,
 * NaN outputs unless 1. */
int tsim_ancova_sums_se(const tsim_ancova_sums *a0, const tsim_ancova_sums *a1, double *diff, double *se);

#endif
