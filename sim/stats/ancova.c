/* ancova.c - ANCOVA by least squares, Householder QR on preallocated GSL matrices (see
 * ancova.h).
 *
 * Fit: X = QR (gsl_linalg_QR_decomp, Householder, as R's lm) on a view of the first n rows of
 * the nmax x 3 design, then gsl_linalg_QR_lssolve for the coefficients and the residuals; the
 * covariance is s^2 (X'X)^-1 = s^2 R^-1 R^-T with s^2 = RSS / (n - 3), and the arm's entry of
 * (X'X)^-1 is the squared norm of row 1 of R^-1 (R upper triangular):
 *   (1/r11)^2 + (r12 / (r11 r22))^2.
 * Neither call allocates. gsl_multifit_linear, the SVD route, does: in GSL 2.7 its
 * gsl_linalg_bidiag_decomp allocates a work vector on every call, which a per-trial call in
 * the simulation's hot loop should not do.
 *
 * Rank: with two arms the design [1, g, baseline] has rank 3 exactly when the baseline is not
 * an affine function of g, i.e. not constant within each arm; the part of the baseline that
 * [1, g] leaves unexplained is its within-arm deviation, of squared norm SSW = the within-arm
 * sums of squares. R's lm (LINPACK dqrdc2 with limited pivoting, tol = 1e-7) drops a column
 * whose norm after the earlier columns are projected out falls below 1e-7 times its original
 * norm (1 when that is 0): here sqrt(SSW) < 1e-7 ||baseline||. That test is made up front, in
 * one pass over the data, so an aliased design never reaches the QR decomposition.
 *
 * The tail of T_df: P(|T| > t) = I_x(df/2, 1/2), x = df/(df + t^2), and its complement
 * I_y(1/2, df/2), y = t^2/(df + t^2), the smaller computed directly - the route of contest.c,
 * which gsl_cdf_tdist_Q does not take for df > 30 (a Cornish-Fisher approximation, off R by up
 * to 2e-7 relative).
 */
#include "stats/ancova.h"
#include "stats/contest.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_machine.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define ANCOVA_P 3         /* intercept, arm, baseline */
#define R_LM_TOL 1e-7      /* lm()'s pivoting tolerance */
#define R_PERFECT_FIT 1e-30 /* summary.lm's "essentially perfect fit" factor */

struct tsim_ancova_ws {
  size_t nmax;
  gsl_matrix *x;    /* nmax x 3 design, then its QR */
  gsl_vector *y;    /* nmax responses */
  gsl_vector *r;    /* nmax residuals */
  gsl_vector *tau;  /* 3 Householder coefficients */
  gsl_vector *c;    /* 3 coefficients */
  /* The storage, malloc'ed, and GSL views of it: gsl_*_alloc report running out of memory
   * through the GSL error handler (abort by default), malloc by returning NULL. */
  double *mem;
  gsl_matrix_view xv;
  gsl_vector_view yv, rv, tauv, cv;
};

tsim_ancova_ws *tsim_ancova_ws_new(size_t nmax) {
  if (nmax < 4 || nmax > SIZE_MAX / sizeof(double) / (ANCOVA_P + 3)) return NULL;
  tsim_ancova_ws *ws = calloc(1, sizeof *ws);
  if (!ws) return NULL;
  ws->nmax = nmax;
  ws->mem = malloc((nmax * (ANCOVA_P + 2) + 2 * ANCOVA_P) * sizeof *ws->mem);
  if (!ws->mem) {
    free(ws);
    return NULL;
  }
  double *m = ws->mem;
  ws->xv = gsl_matrix_view_array(m, nmax, ANCOVA_P);
  ws->yv = gsl_vector_view_array(m + nmax * ANCOVA_P, nmax);
  ws->rv = gsl_vector_view_array(m + nmax * (ANCOVA_P + 1), nmax);
  ws->tauv = gsl_vector_view_array(m + nmax * (ANCOVA_P + 2), ANCOVA_P);
  ws->cv = gsl_vector_view_array(m + nmax * (ANCOVA_P + 2) + ANCOVA_P, ANCOVA_P);
  ws->x = &ws->xv.matrix;
  ws->y = &ws->yv.vector;
  ws->r = &ws->rv.vector;
  ws->tau = &ws->tauv.vector;
  ws->c = &ws->cv.vector;
  return ws;
}

void tsim_ancova_ws_free(tsim_ancova_ws *ws) {
  if (!ws) return;
  free(ws->mem);
  free(ws);
}

static double ancova_fail(tsim_ancova_fit *out) {
  if (out) {
    out->diff = out->se = out->t = out->df = out->p = out->lo = out->hi = out->slope = NAN;
  }
  return NAN;
}

/* The binary exponent e with max |v| < 2^e over a[0..na) and b[0..nb) (0 when all are 0);
 * 0 if a value is not finite. Values are scaled by 2^-e - exactly - before anything is summed
 * or squared, so no sum of squares under- or overflows whatever the data's scale. */
static int exponent_of(const double *a, size_t na, const double *b, size_t nb, int *e) {
  double mx = 0.0;
  for (size_t i = 0; i < na; i++) {
    if (!isfinite(a[i])) return 0;
    mx = fmax(mx, fabs(a[i]));
  }
  for (size_t i = 0; i < nb; i++) {
    if (!isfinite(b[i])) return 0;
    mx = fmax(mx, fabs(b[i]));
  }
  frexp(mx, e);
  return 1;
}

/* v 2^-e as ldexp(v, -e) gives it, but by one multiplication (exact, or correctly rounded into
 * the subnormals, as ldexp) when 2^-e is itself a normal double, which it is for any data
 * away from the ends of the double range. */
typedef struct scaler { int e; double f; } scaler;
static scaler scaler_of(int e) { return (scaler){e, e > -1000 && e < 1000 ? ldexp(1.0, -e) : 0.0}; }
static inline double scaled(scaler s, double v) { return s.f != 0.0 ? v * s.f : ldexp(v, -s.e); }

/* Mean of v[i] 2^-e (i < n) and the sum of squares about it, in two passes. */
static void moments(const double *v, size_t n, int e, double *mean, double *ss) {
  scaler sc = scaler_of(e);
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += scaled(sc, v[i]);
  double m = s / (double)n, q = 0.0;
  for (size_t i = 0; i < n; i++) q += (scaled(sc, v[i]) - m) * (scaled(sc, v[i]) - m);
  *mean = m;
  *ss = q;
}

/* How values are scaled and centred: y and baseline by 2^-ey and 2^-eb, then less the
 * (scaled) overall means. */
typedef struct centring { int ey, eb; double ymean, bmean; } centring;

/* Rows [first, first + arm.n) of the scaled, centred design and response for one arm. */
static void fill_rows(tsim_ancova_ws *ws, size_t first, tsim_ancova_arm arm, double g,
                      centring c) {
  scaler sy = scaler_of(c.ey), sb = scaler_of(c.eb);
  for (size_t i = 0; i < arm.n; i++) {
    double *row = gsl_matrix_ptr(ws->x, first + i, 0);
    row[0] = 1.0;
    row[1] = g;
    row[2] = scaled(sb, arm.base[i]) - c.bmean;
    gsl_vector_set(ws->y, first + i, scaled(sy, arm.y[i]) - c.ymean);
  }
}

/* QR least squares on the first n rows of ws->x and ws->y: coefficients into ws->c, *rss the
 * residual sum of squares, *xtx11 = [(X'X)^-1]_11; 0 if R is singular (excluded beforehand). */
static int least_squares(tsim_ancova_ws *ws, size_t n, double *rss, double *xtx11) {
  gsl_matrix_view x = gsl_matrix_submatrix(ws->x, 0, 0, n, ANCOVA_P);
  gsl_vector_view y = gsl_vector_subvector(ws->y, 0, n), r = gsl_vector_subvector(ws->r, 0, n);
  if (gsl_linalg_QR_decomp(&x.matrix, ws->tau) != 0) return 0;
  double r11 = gsl_matrix_get(&x.matrix, 1, 1), r12 = gsl_matrix_get(&x.matrix, 1, 2);
  double r22 = gsl_matrix_get(&x.matrix, 2, 2);
  if (gsl_matrix_get(&x.matrix, 0, 0) == 0.0 || r11 == 0.0 || r22 == 0.0) return 0;
  if (gsl_linalg_QR_lssolve(&x.matrix, ws->tau, &y.vector, ws->c, &r.vector) != 0) return 0;
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += gsl_vector_get(&r.vector, i) * gsl_vector_get(&r.vector, i);
  *rss = s;
  *xtx11 = 1.0 / (r11 * r11) + (r12 / (r11 * r22)) * (r12 / (r11 * r22));
  return 1;
}

double tsim_ancova(tsim_ancova_ws *ws, tsim_ancova_arm a0, tsim_ancova_arm a1, double conf,
                   tsim_ancova_fit *out) {
  const double *y0 = a0.y, *base0 = a0.base, *y1 = a1.y, *base1 = a1.base;
  size_t n0 = a0.n, n1 = a1.n, n = n0 + n1;
  int ey, eb;
  if (!ws || n0 == 0 || n1 == 0 || n < 4 || n > ws->nmax || !(conf > 0.0 && conf < 1.0) ||
      !exponent_of(y0, n0, y1, n1, &ey) || !exponent_of(base0, n0, base1, n1, &eb))
    return ancova_fail(out);
  double my0, ssy0, my1, ssy1, mb0, ssb0, mb1, ssb1;
  moments(y0, n0, ey, &my0, &ssy0);
  moments(y1, n1, ey, &my1, &ssy1);
  moments(base0, n0, eb, &mb0, &ssb0);
  moments(base1, n1, eb, &mb1, &ssb1);
  double d0 = (double)n0, d1 = (double)n1, dn = (double)n;
  double ymean = (d0 * my0 + d1 * my1) / dn, bmean = (d0 * mb0 + d1 * mb1) / dn;
  /* ||baseline||^2 = SSW + n0 mb0^2 + n1 mb1^2; aliased as lm() decides (see above). */
  double ssw = ssb0 + ssb1, bnorm = sqrt(ssw + d0 * mb0 * mb0 + d1 * mb1 * mb1);
  if (!(sqrt(ssw) >= R_LM_TOL * (bnorm > 0.0 ? bnorm : 1.0))) return ancova_fail(out);
  centring cen = {ey, eb, ymean, bmean};
  fill_rows(ws, 0, a0, 0.0, cen);
  fill_rows(ws, n0, a1, 1.0, cen);
  double chisq, xtx11; /* RSS and the arm's entry of (X'X)^-1 */
  if (!least_squares(ws, n, &chisq, &xtx11)) return ancova_fail(out);
  double df = dn - ANCOVA_P, resvar = chisq / df;
  /* summary.lm's perfect-fit rule: the fitted values have mean ymean and sum of squares about
   * it TSS - RSS (all in the scaled units, as both sides scale alike). */
  double tss = ssy0 + ssy1 + d0 * d1 / dn * (my1 - my0) * (my1 - my0);
  double fitted_scale = ymean * ymean + fmax(tss - chisq, 0.0) / (dn - 1.0);
  if (!(resvar >= R_PERFECT_FIT * fitted_scale) || !isfinite(resvar)) return ancova_fail(out);
  double b1 = gsl_vector_get(ws->c, 1), se = sqrt(resvar * xtx11);
  if (!(se > 0.0) || !isfinite(b1)) return ancova_fail(out);
  double t = b1 / se, q = tsim_t_upper_quantile((1.0 - conf) / 2.0, df), p = tsim_t_two_sided_p(t, df);
  if (out) {
    out->diff = ldexp(b1, ey);
    out->se = ldexp(se, ey);
    out->t = t;
    out->df = df;
    out->p = p;
    out->lo = ldexp(b1 - q * se, ey);
    out->hi = ldexp(b1 + q * se, ey);
    out->slope = ldexp(gsl_vector_get(ws->c, 2), ey - eb);
  }
  return p;
}

/* The closed-form fit from the sums (ancova.h): 1 with b1, its se, df and the slope; 0
 * undefined; -1 declined. */
static int fit_sums(const tsim_ancova_sums *a0, const tsim_ancova_sums *a1, double *b1_out, double *se_out,
                    double *df_out, double *slope_out) {
  double n0 = a0->n, n1 = a1->n, n = n0 + n1;
  if (!(n0 >= 1 && n1 >= 1 && n >= 4)) return 0;
  /* Each arm's means less its constants, and its within-arm sums of squares and products. */
  double my0 = a0->sy / n0, my1 = a1->sy / n1, mb0 = a0->sb / n0, mb1 = a1->sb / n1;
  double syy = fmax(a0->syy - a0->sy * my0, 0.0) + fmax(a1->syy - a1->sy * my1, 0.0);
  double sbb = fmax(a0->sbb - a0->sb * mb0, 0.0) + fmax(a1->sbb - a1->sb * mb1, 0.0);
  double syb = (a0->syb - a0->sy * mb0) + (a1->syb - a1->sy * mb1);
  /* The baseline's arm means and their difference, the response's likewise. */
  double B0 = a0->cb + mb0, B1 = a1->cb + mb1, db = (a1->cb - a0->cb) + (mb1 - mb0);
  double Y0 = a0->cy + my0, Y1 = a1->cy + my1, dy = (a1->cy - a0->cy) + (my1 - my0);
  if (!isfinite(syy) || !isfinite(sbb) || !isfinite(syb) || !isfinite(db) || !isfinite(dy) || !isfinite(B0) ||
      !isfinite(B1) || !isfinite(Y0) || !isfinite(Y1))
    return -1;
  /* Aliased as lm() decides (see the top): sqrt(SSW) < 1e-7 ||baseline||. */
  double bnorm = sqrt(sbb + n0 * B0 * B0 + n1 * B1 * B1);
  if (!(sqrt(sbb) >= R_LM_TOL * (bnorm > 0.0 ? bnorm : 1.0))) return 0;
  double slope = syb / sbb, rss = syy - slope * syb;
  /* The residual sum of squares is the within-arm one of y less what the baseline explains;
   * each carries the sums' rounding, so its relative error is about eps syy / rss. */
  if (!(rss >= TSIM_ANCOVA_SUMS_MIN_RSS * syy)) return -1;
  double df = n - ANCOVA_P, resvar = rss / df;
  /* summary.lm's perfect-fit rule, as in tsim_ancova. */
  double ymean = (n0 * Y0 + n1 * Y1) / n, tss = syy + n0 * n1 / n * dy * dy;
  double fitted_scale = ymean * ymean + fmax(tss - rss, 0.0) / (n - 1.0);
  if (!(resvar >= R_PERFECT_FIT * fitted_scale) || !isfinite(resvar)) return 0;
  double b1 = dy - slope * db, se = sqrt(resvar * (1.0 / n0 + 1.0 / n1 + db * db / sbb));
  if (!(se > 0.0) || !isfinite(b1)) return 0;
  *b1_out = b1, *se_out = se, *df_out = df, *slope_out = slope;
  return 1;
}

int tsim_ancova_sums_t(const tsim_ancova_sums *a0, const tsim_ancova_sums *a1, double *t, double *df, double *diff) {
  double b1, se, slope;
  int r = fit_sums(a0, a1, &b1, &se, df, &slope);
  if (r == 1) {
    *t = b1 / se;
    *diff = b1;
  } else {
    *t = *df = *diff = NAN;
  }
  return r;
}

int tsim_ancova_sums_se(const tsim_ancova_sums *a0, const tsim_ancova_sums *a1, double *diff, double *se) {
  double df, slope;
  int r = fit_sums(a0, a1, diff, se, &df, &slope);
  if (r != 1) *diff = *se = NAN;
  return r;
}

int tsim_ancova_from_sums(const tsim_ancova_sums *a0, const tsim_ancova_sums *a1, double conf,
                          tsim_ancova_fit *out) {
  double b1, se, df, slope;
  int r = conf == 0.0 || (conf > 0.0 && conf < 1.0) ? fit_sums(a0, a1, &b1, &se, &df, &slope) : 0;
  if (r != 1) {
    ancova_fail(out);
    return r;
  }
  double t = b1 / se, p = tsim_t_two_sided_p(t, df);
  if (out) {
    double q = conf > 0.0 ? tsim_t_upper_quantile((1.0 - conf) / 2.0, df) : NAN;
    out->diff = b1;
    out->se = se;
    out->t = t;
    out->df = df;
    out->p = p;
    out->lo = b1 - q * se;
    out->hi = b1 + q * se;
    out->slope = slope;
  }
  return 1;
}
