/* impute.c - multiple imputation (MAR by mice's norm, reference-based after Carpenter, Roger &
 * Kenward 2013) and Rubin's rules; the model, formulas and conventions are in impute.h.
 *
 * Every regression is a least-squares fit by Householder QR (gsl_linalg_QR_decomp and
 * gsl_linalg_QR_lssolve, the method of R's lm.fit, neither allocating) on a view of the first
 * rows of a matrix allocated once; the design is not centred or scaled, so that the
 * coefficients are those of mice (whose intercept depends on the raw columns). The rank test
 * is lm's (LINPACK dqrdc2, tol 1e-7): column l is aliased when |R_ll|, the norm of what is
 * left of it after the earlier columns are projected out, is below 1e-7 times its own norm.
 *
 * (X'X)^-1 is taken from R^-1 (triangular back substitution): mice's W = (R'R)^-1 is
 * R^-1 R^-T, whose lower Cholesky factor L is computed by Cholesky on it, as R's chol(sym(W))
 * (the factor is unique, so L agrees with R's to rounding). The reference-based draws use R^-1
 * itself as the square root (R^-1 R^-T = (X'X)^-1: the same distribution, no Cholesky).
 *
 * Where mice stops with an error - a covariate that lm's rank test calls aliased with the
 * intercept (a baseline of SD 1e-6 about 9), or a cross-product matrix too ill-conditioned even
 * with mice's ridge (a baseline of mean 1e6 and SD 1e4) - the regression is fitted again on its
 * covariates (baseline, earlier visits) centred and scaled to unit root mean square, and the
 * coefficients and the draws' factor taken back to the raw covariates (beta = T beta', F = T F'):
 * the same model and, with the flat prior, the same law of the draws, so the imputation does not
 * fail there (a trial whose imputation failed counted as not significant). Where mice fits with
 * its ridge, impute.c does too: the ridge's shrinkage is mice's.
 */
#include "stats/impute.h"

#include "core/rng.h"
#include "stats/contest.h"

#include <float.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define R_LM_TOL 1e-7      /* lm()'s pivoting tolerance (dqrdc2) */
#define MICE_RIDGE 1e-5    /* mice:::estimice's ridge */
#define MICE_LAMBDA_MIN 1e-4 /* mice:::barnard.rubin's floor on lambda */

const char *tsim_mi_status_message(int status) {
  switch (status) {
  case TSIM_MI_OK: return "success";
  case TSIM_MI_EARG: return "invalid arguments";
  case TSIM_MI_ENONMONOTONE: return "a row is not monotone (an observed value after a missing one)";
  case TSIM_MI_ENAN: return "an infinite value, or a baseline that is NaN or infinite";
  case TSIM_MI_ETOOFEW: return "too few observed values at a visit to fit its regression";
  case TSIM_MI_ESINGULAR: return "a regression's design is aliased (rank deficient)";
  case TSIM_MI_ERANGE: return "a fit or draw is not finite (values too large)";
  case TSIM_MI_EDRAWS: return "the supplied random draws ran out";
  case TSIM_MI_EPOOL: return "Rubin's rules are undefined for these estimates";
  default: return "unknown status";
  }
}

/* ================================================================ Rubin's rules */

/* R's mean(): a long double sum, then one correcting pass (summary.c). */
static double r_mean(const double *x, int m) {
  long double s = 0.0L;
  for (int i = 0; i < m; i++) s += x[i];
  s /= m;
  long double t = 0.0L;
  for (int i = 0; i < m; i++) t += x[i] - s;
  return (double)(s + t / m);
}

/* R's var() of one vector: the mean as in cov.c (long double, corrected), then the sum of
 * squared deviations over m - 1. */
static double r_var(const double *x, int m, double mean) {
  long double s = 0.0L;
  for (int i = 0; i < m; i++) s += ((long double)x[i] - mean) * ((long double)x[i] - mean);
  return (double)(s / (m - 1));
}

/* P(T_df > t). Past df 4e5, R's pt (which mice calls) takes the normal approximation of
 * Abramowitz & Stegun 26.7.8, and so does this, with GSL's Q (Cody's algorithm, as R's pnorm),
 * so the pooled p-values are mice's. Measured against a 40-digit incomplete beta at df 4e5:
 * within 2e-11 relative for p above 0.02, 2e-10 at p 1e-3, 4e-9 at p 3e-7 (better at larger
 * df: 1e-8 at p 1e-15 by df 1e6). tsim_t_upper_p's incomplete beta does worse in the body there
 * (1.6e-8 relative at df 2e8, p 0.035), and mice's df are often that large (b ~ 0 gives
 * (M - 1) 1e8). Below 4e5 tsim_t_upper_p, which agrees with R to 1e-9. */
static double t_upper(double t, double df) {
  if (isnan(t) || !(df >= TSIM_T_MIN_DF) || isnan(df)) return NAN;
  if (df > 4e5) {
    double v = 1.0 / (4.0 * df);
    if (isinf(t)) return t > 0 ? 0.0 : 1.0;
    return gsl_cdf_ugaussian_Q(t * (1.0 - v) / sqrt(1.0 + t * t * 2.0 * v));
  }
  return tsim_t_upper_p(t, df);
}

int tsim_mi_pool(const double *q, const double *u, int m, double dfcom, double conf,
                 tsim_mi_pooled *out) {
  tsim_mi_pooled o;
  o.m = m;
  o.qbar = o.ubar = o.b = o.t = o.r = o.lambda = o.fmi = o.df = o.se = o.stat = o.p = o.lo = o.hi = NAN;
  int bad = !q || !u || m < 1 || isnan(dfcom) || !(dfcom > 0.0) || !(conf > 0.0 && conf < 1.0);
  for (int i = 0; !bad && i < m; i++)
    if (!isfinite(q[i]) || !isfinite(u[i]) || u[i] < 0.0) bad = 1;
  if (bad) {
    if (out) *out = o;
    return TSIM_MI_EARG;
  }
  o.qbar = r_mean(q, m);
  o.ubar = r_mean(u, m);
  if (m < 2) {
    if (out) *out = o;
    return TSIM_MI_EPOOL;
  }
  double dm = (double)m, f = 1.0 + 1.0 / dm;
  o.b = r_var(q, m, o.qbar);
  o.t = o.ubar + f * o.b;
  o.r = f * o.b / o.ubar;
  o.lambda = f * o.b / o.t;
  /* mice:::barnard.rubin */
  double l = o.lambda < MICE_LAMBDA_MIN ? MICE_LAMBDA_MIN : o.lambda; /* NaN stays NaN, as in R */
  double dfold = (dm - 1.0) / (l * l);
  if (isinf(dfcom)) {
    o.df = dfold;
  } else {
    double dfobs = (dfcom + 1.0) / (dfcom + 3.0) * dfcom * (1.0 - l);
    o.df = dfold * dfobs / (dfold + dfobs);
  }
  o.fmi = (o.r + 2.0 / (o.df + 3.0)) / (o.r + 1.0);
  int st = TSIM_MI_OK;
  if (o.t > 0.0 && isfinite(o.t)) {
    o.se = sqrt(o.t);
    o.stat = o.qbar / o.se;
    o.p = 2.0 * t_upper(fabs(o.stat), o.df);
    double qt = tsim_t_upper_quantile(0.5 * (1.0 - conf), o.df);
    o.lo = o.qbar - qt * o.se;
    o.hi = o.qbar + qt * o.se;
  }
  if (isnan(o.p) || isnan(o.lo) || isnan(o.hi) || !isfinite(o.r) || isnan(o.fmi)) st = TSIM_MI_EPOOL;
  if (out) *out = o;
  return st;
}

double tsim_mi_pool_margin_p(const tsim_mi_pooled *pool, double theta0, int greater) {
  if (!pool || !isfinite(theta0) || !isfinite(pool->qbar) || !(pool->se > 0.0) || !isfinite(pool->se))
    return NAN;
  double t = (pool->qbar - theta0) / pool->se;
  return greater ? t_upper(t, pool->df) : t_upper(-t, pool->df);
}

/* ================================================================ workspace */

typedef struct mi_reg {
  int fitted, q, ridge;
  size_t nobs, nmis;
  double df, rss;
  double dfres;  /* n_j - q: the point estimate's divisor */
  double *coef;  /* qmax */
  double *fac;   /* q x q, stride q (qmax^2 allocated) */
} mi_reg;

struct tsim_mi_ws {
  int V, narms, qmax;
  size_t nmax;
  /* The last error's place. */
  int err_arm, err_visit;
  size_t err_row;
  /* QR scratch: the design (nmax x qmax, stride qmax), response, residuals, and q-sized and
   * q x q scratch. */
  double *x, *yv, *res, *tau, *colnorm, *beta, *zq, *a, *v, *rinv;
  double *cm, *cs; /* a scaled fit's covariates' means and scales (qmax; fit_one) */
  /* mice norm: the data of the last fit, each row's observed visits, the regressions (arm a,
   * visit j at a V + j). */
  int norm_fitted;
  tsim_mi_data norm_d;
  int *norm_k;
  mi_reg *norm_reg;
  /* reference-based: likewise per group g (g V + j); the parameters set: per group G (V x V,
   * strictly lower), D (V); per arm m, s (V). */
  int rb_fitted, rb_set, rb_by_arm, rb_ngroups;
  tsim_mi_data rb_d;
  int *rb_k;
  mi_reg *rb_reg;
  double *g, *dd, *pm, *ps;
  /* per patient: the mean profile mu~, its conditional scratch */
  double *mut, *tmat;
  void *mem;
};

tsim_mi_ws *tsim_mi_ws_new(int nvisits, size_t nmax, int narms) {
  if (nvisits < 1 || nvisits > TSIM_MI_MAX_VISITS || narms < 1 || narms > TSIM_MI_MAX_ARMS ||
      nmax < 1)
    return NULL;
  size_t V = (size_t)nvisits, A = (size_t)narms;
  size_t qmax = A + 1 + V - 1; /* arm indicators (or intercept) + base + earlier visits */
  if (nmax > SIZE_MAX / sizeof(double) / (qmax + 8)) return NULL;
  size_t nreg = A * V;
  size_t ndbl = nmax * qmax + 2 * nmax        /* x, yv, res */
                + 6 * qmax + 3 * qmax * qmax  /* tau, colnorm, beta, zq, cm, cs, a, v, rinv */
                + 2 * nreg * (qmax + qmax * qmax) /* norm and rb coefficients, factors */
                + A * V * V + A * V + 2 * A * V   /* g, dd, pm, ps */
                + V + V * V;                      /* mut, tmat */
  size_t bytes = ndbl * sizeof(double) + 2 * nmax * sizeof(int) + 2 * nreg * sizeof(mi_reg);
  tsim_mi_ws *ws = calloc(1, sizeof *ws);
  if (!ws) return NULL;
  ws->mem = calloc(1, bytes);
  if (!ws->mem) {
    free(ws);
    return NULL;
  }
  ws->V = nvisits;
  ws->narms = narms;
  ws->qmax = (int)qmax;
  ws->nmax = nmax;
  /* The mi_reg structs first (their alignment), then the doubles, then the ints. */
  mi_reg *regs = ws->mem;
  ws->norm_reg = regs;
  ws->rb_reg = regs + nreg;
  double *p = (double *)(regs + 2 * nreg);
  ws->x = p, p += nmax * qmax;
  ws->yv = p, p += nmax;
  ws->res = p, p += nmax;
  ws->tau = p, p += qmax;
  ws->colnorm = p, p += qmax;
  ws->beta = p, p += qmax;
  ws->zq = p, p += qmax;
  ws->cm = p, p += qmax;
  ws->cs = p, p += qmax;
  ws->a = p, p += qmax * qmax;
  ws->v = p, p += qmax * qmax;
  ws->rinv = p, p += qmax * qmax;
  for (size_t r = 0; r < 2 * nreg; r++) {
    regs[r].coef = p, p += qmax;
    regs[r].fac = p, p += qmax * qmax;
  }
  ws->g = p, p += A * V * V;
  ws->dd = p, p += A * V;
  ws->pm = p, p += A * V;
  ws->ps = p, p += A * V;
  ws->mut = p, p += V;
  ws->tmat = p, p += V * V;
  int *ip = (int *)p;
  ws->norm_k = ip, ip += nmax;
  ws->rb_k = ip;
  ws->err_arm = ws->err_visit = -1;
  ws->err_row = (size_t)-1;
  return ws;
}

void tsim_mi_ws_free(tsim_mi_ws *ws) {
  if (!ws) return;
  free(ws->mem);
  free(ws);
}

void tsim_mi_where(const tsim_mi_ws *ws, int *arm, int *visit, size_t *row) {
  if (arm) *arm = ws ? ws->err_arm : -1;
  if (visit) *visit = ws ? ws->err_visit : -1;
  if (row) *row = ws ? ws->err_row : (size_t)-1;
}

static int fail_at(tsim_mi_ws *ws, int status, int arm, int visit, size_t row) {
  ws->err_arm = arm;
  ws->err_visit = visit;
  ws->err_row = row;
  return status;
}

/* ================================================================ data */

/* Row i's observed prefix length into *k, or the status of a bad row. */
static int row_pattern(const double *y, int V, int *k) {
  int first = V;
  for (int j = 0; j < V; j++) {
    if (isnan(y[j])) {
      if (first == V) first = j;
    } else {
      if (isinf(y[j])) return TSIM_MI_ENAN;
      if (first < j) return TSIM_MI_ENONMONOTONE;
    }
  }
  *k = first;
  return TSIM_MI_OK;
}

/* Checks d for this workspace and fills kk (n observed prefix lengths). */
static int check_data(tsim_mi_ws *ws, const tsim_mi_data *d, int *kk) {
  ws->err_arm = ws->err_visit = -1;
  ws->err_row = (size_t)-1;
  if (!d || (!d->y && d->n) || (!d->arm && d->n) || d->n > ws->nmax) return TSIM_MI_EARG;
  for (size_t i = 0; i < d->n; i++) {
    int a = d->arm[i];
    if (a < 0 || a >= ws->narms) return fail_at(ws, TSIM_MI_EARG, -1, -1, i);
    if (d->base && !isfinite(d->base[i])) return fail_at(ws, TSIM_MI_ENAN, a, -1, i);
    int st = row_pattern(d->y + i * (size_t)ws->V, ws->V, &kk[i]);
    if (st) return fail_at(ws, st, a, -1, i);
  }
  return TSIM_MI_OK;
}

/* ================================================================ one regression */

/* The lower Cholesky factor of the q x q symmetric a (stride q) into l (stride q, upper part
 * zeroed); 0 when a is not positive definite (as R's chol: a pivot not positive). */
static int cholesky(const double *a, int q, double *l) {
  for (int i = 0; i < q; i++) {
    for (int j = 0; j <= i; j++) {
      double s = a[i * q + j];
      for (int c = 0; c < j; c++) s -= l[i * q + c] * l[j * q + c];
      if (i == j) {
        if (!(s > 0.0) || !isfinite(s)) return 0;
        l[i * q + i] = sqrt(s);
      } else {
        l[i * q + j] = s / l[j * q + j];
      }
    }
    for (int j = i + 1; j < q; j++) l[i * q + j] = 0.0;
  }
  return 1;
}

/* max over columns of the column's sum of |a_ij| (q x q, stride q) */
static double norm1(const double *a, int q) {
  double mx = 0.0;
  for (int j = 0; j < q; j++) {
    double s = 0.0;
    for (int i = 0; i < q; i++) s += fabs(a[i * q + j]);
    if (!(s <= mx)) mx = s;
  }
  return mx;
}

/* The inverse of the SPD q x q matrix a (stride q) into inv, by Cholesky; 0 if not PD.
 * Clobbers ws->rinv (the factor, then the product). */
static int spd_inverse(tsim_mi_ws *ws, const double *a, int q, double *inv) {
  double *l = ws->rinv;
  if (!cholesky(a, q, l)) return 0;
  /* a^-1 = L^-T L^-1: M = L^-1 (lower) into inv, then M'M into l, copied to inv. */
  double *mi = inv;
  for (int c = 0; c < q; c++)
    for (int i = 0; i < q; i++) {
      if (i < c) {
        mi[i * q + c] = 0.0;
        continue;
      }
      double s = i == c ? 1.0 : 0.0;
      for (int t = c; t < i; t++) s -= l[i * q + t] * mi[t * q + c];
      mi[i * q + c] = s / l[i * q + i];
    }
  for (int r = 0; r < q; r++)
    for (int c = 0; c <= r; c++) {
      double s = 0.0;
      for (int t = r; t < q; t++) s += mi[t * q + r] * mi[t * q + c];
      l[r * q + c] = l[c * q + r] = s;
    }
  memcpy(inv, l, (size_t)q * (size_t)q * sizeof *inv);
  return 1;
}

/* The design of one regression: which rows (group arm, or all for -1), which columns. */
typedef struct design {
  int arm;     /* rows of this arm; -1: every row */
  int common;  /* columns: one indicator per arm (common) or an intercept */
  int j;       /* the visit regressed */
} design;

/* Fits the regression of visit dz.j among the rows of dz.arm observed there, into rg: coef,
 * rss, and rinv (R^-1, q x q, stride q) in ws->rinv. Returns the status; rg->nobs and nmis
 * filled first. `need_missing`: skip (rg->fitted = 0) when no row of the group misses j.
 * `scaled`: the covariates (the columns after the intercept or arm indicators) centred and
 * scaled first, their means and scales in ws->cm, ws->cs; coef and rinv are then the scaled
 * design's (unscale takes them back). */
static int fit_one(tsim_mi_ws *ws, const tsim_mi_data *d, const int *kk, design dz, int need_missing,
                   mi_reg *rg, int scaled) {
  int V = ws->V, qmax = ws->qmax, j = dz.j, hb = d->base != NULL;
  int p = (dz.common ? ws->narms : 1) + hb, q = p + j;
  size_t nobs = 0, nmis = 0;
  rg->fitted = 0;
  rg->ridge = 0;
  rg->q = q;
  for (size_t i = 0; i < d->n; i++) {
    if (dz.arm >= 0 && d->arm[i] != dz.arm) continue;
    if (kk[i] <= j) {
      nmis++;
      continue;
    }
    double *row = ws->x + nobs * (size_t)qmax;
    int c = 0;
    if (dz.common) {
      for (int a = 0; a < ws->narms; a++) row[c++] = d->arm[i] == a ? 1.0 : 0.0;
    } else {
      row[c++] = 1.0;
    }
    if (hb) row[c++] = d->base[i];
    const double *yi = d->y + i * (size_t)V;
    for (int l = 0; l < j; l++) row[c++] = yi[l];
    ws->yv[nobs] = yi[j];
    nobs++;
  }
  rg->nobs = nobs;
  rg->nmis = nmis;
  if (need_missing && nmis == 0) return TSIM_MI_OK;
  if (nobs < (size_t)q + 1) return fail_at(ws, TSIM_MI_ETOOFEW, dz.arm, j, (size_t)-1);
  for (int c = dz.common ? ws->narms : 1; scaled && c < q; c++) {
    double m = 0.0, s = 0.0;
    for (size_t i = 0; i < nobs; i++) m += ws->x[i * (size_t)qmax + (size_t)c];
    m /= (double)nobs;
    for (size_t i = 0; i < nobs; i++) {
      double e = ws->x[i * (size_t)qmax + (size_t)c] - m;
      s += e * e;
    }
    s = sqrt(s / (double)nobs);
    if (!(s > 0.0) || !isfinite(s)) return fail_at(ws, TSIM_MI_ESINGULAR, dz.arm, j, (size_t)-1); /* constant */
    ws->cm[c] = m, ws->cs[c] = s;
    for (size_t i = 0; i < nobs; i++) ws->x[i * (size_t)qmax + (size_t)c] = (ws->x[i * (size_t)qmax + (size_t)c] - m) / s;
  }
  for (int c = 0; c < q; c++) {
    double s = 0.0;
    for (size_t i = 0; i < nobs; i++) s += ws->x[i * (size_t)qmax + (size_t)c] * ws->x[i * (size_t)qmax + (size_t)c];
    ws->colnorm[c] = sqrt(s);
    if (!isfinite(ws->colnorm[c])) return fail_at(ws, TSIM_MI_ERANGE, dz.arm, j, (size_t)-1);
  }
  gsl_matrix_view xv = gsl_matrix_view_array_with_tda(ws->x, nobs, (size_t)q, (size_t)qmax);
  gsl_vector_view tau = gsl_vector_view_array(ws->tau, (size_t)q);
  gsl_vector_view yv = gsl_vector_view_array(ws->yv, nobs);
  gsl_vector_view rv = gsl_vector_view_array(ws->res, nobs);
  gsl_vector_view cv = gsl_vector_view_array(rg->coef, (size_t)q);
  if (gsl_linalg_QR_decomp(&xv.matrix, &tau.vector) != 0)
    return fail_at(ws, TSIM_MI_ESINGULAR, dz.arm, j, (size_t)-1);
  for (int c = 0; c < q; c++) {
    double rcc = fabs(gsl_matrix_get(&xv.matrix, (size_t)c, (size_t)c));
    double ref = ws->colnorm[c] > 0.0 ? ws->colnorm[c] : 1.0;
    if (!(rcc >= R_LM_TOL * ref)) return fail_at(ws, TSIM_MI_ESINGULAR, dz.arm, j, (size_t)-1);
  }
  if (gsl_linalg_QR_lssolve(&xv.matrix, &tau.vector, &yv.vector, &cv.vector, &rv.vector) != 0)
    return fail_at(ws, TSIM_MI_ESINGULAR, dz.arm, j, (size_t)-1);
  double rss = 0.0;
  for (size_t i = 0; i < nobs; i++) rss += ws->res[i] * ws->res[i];
  rg->rss = rss;
  rg->dfres = (double)(nobs - (size_t)q);
  /* R^-1 by back substitution, column by column (R upper, in the top of xv). */
  double *ri = ws->rinv;
  for (int c = 0; c < q; c++) {
    for (int i = q - 1; i >= 0; i--) {
      if (i > c) {
        ri[i * q + c] = 0.0;
        continue;
      }
      double s = i == c ? 1.0 : 0.0;
      for (int t = i + 1; t <= c; t++) s -= gsl_matrix_get(&xv.matrix, (size_t)i, (size_t)t) * ri[t * q + c];
      ri[i * q + c] = s / gsl_matrix_get(&xv.matrix, (size_t)i, (size_t)i);
    }
  }
  int finite = isfinite(rss);
  for (int c = 0; c < q; c++) finite &= isfinite(rg->coef[c]);
  for (int c = 0; c < q * q; c++) finite &= isfinite(ri[c]);
  if (!finite) return fail_at(ws, TSIM_MI_ERANGE, dz.arm, j, (size_t)-1);
  rg->fitted = 1;
  return TSIM_MI_OK;
}

/* A scaled fit's coefficients and factor (rg->coef, rg->fac) taken back to the raw covariates:
 * beta = T beta', F = T F', with T's covariate rows 1 / scale on the diagonal and its intercept
 * (arm indicator) rows each covariate's - mean / scale (design dz). */
static void unscale(tsim_mi_ws *ws, mi_reg *rg, design dz) {
  int q = rg->q, first = dz.common ? ws->narms : 1;
  double *f = ws->a; /* T F' */
  for (int r = 0; r < q; r++)
    for (int c = 0; c < q; c++) {
      double s;
      if (r >= first) {
        s = rg->fac[r * q + c] / ws->cs[r];
      } else {
        s = rg->fac[r * q + c];
        for (int t = first; t < q; t++) s -= ws->cm[t] / ws->cs[t] * rg->fac[t * q + c];
      }
      f[r * q + c] = s;
    }
  memcpy(rg->fac, f, (size_t)q * (size_t)q * sizeof *f);
  double shift = 0.0;
  for (int t = first; t < q; t++) shift += ws->cm[t] / ws->cs[t] * rg->coef[t];
  for (int r = 0; r < q; r++) rg->coef[r] = r >= first ? rg->coef[r] / ws->cs[r] : rg->coef[r] - shift;
}

/* mice's L = t(chol(sym(W))) of a fitted norm regression, from R (in ws->x) and R^-1 (in
 * ws->rinv), with mice's ridge where R's solve(crossprod(R)) fails. */
static int norm_factor(tsim_mi_ws *ws, mi_reg *rg, int arm, int j) {
  int q = rg->q, qmax = ws->qmax;
  double *ri = ws->rinv, *a = ws->a, *v = ws->v;
  /* A = R'R (crossprod(qr.R)), V = R^-1 R^-T */
  for (int r = 0; r < q; r++)
    for (int c = 0; c <= r; c++) {
      double s = 0.0;
      for (int t = 0; t <= c; t++) s += ws->x[t * qmax + r] * ws->x[t * qmax + c];
      a[r * q + c] = a[c * q + r] = s;
      double w = 0.0;
      for (int t = r; t < q; t++) w += ri[r * q + t] * ri[c * q + t];
      v[r * q + c] = v[c * q + r] = w;
    }
  /* R's solve() refuses a reciprocal condition number (1-norm) below DBL_EPSILON. */
  double rcond = 1.0 / (norm1(a, q) * norm1(v, q));
  if (!(rcond >= DBL_EPSILON)) {
    rg->ridge = 1;
    for (int c = 0; c < q; c++) a[c * q + c] += MICE_RIDGE * a[c * q + c];
    if (!spd_inverse(ws, a, q, v)) return fail_at(ws, TSIM_MI_ESINGULAR, arm, j, (size_t)-1);
    /* ... and so does mice then, when even the ridged matrix is that ill-conditioned. */
    if (!(1.0 / (norm1(a, q) * norm1(v, q)) >= DBL_EPSILON))
      return fail_at(ws, TSIM_MI_ESINGULAR, arm, j, (size_t)-1);
  }
  if (!cholesky(v, q, rg->fac)) return fail_at(ws, TSIM_MI_ESINGULAR, arm, j, (size_t)-1);
  return TSIM_MI_OK;
}

/* ================================================================ random numbers */

static int draw_chisq(tsim_mi_src *s, double nu, double *out) {
  if (s->rng) {
    *out = gsl_ran_chisq(s->rng, nu);
    return TSIM_MI_OK;
  }
  if (s->ichisq >= s->nchisq || !s->chisq) return TSIM_MI_EDRAWS;
  *out = s->chisq[s->ichisq++];
  return TSIM_MI_OK;
}

static int draw_normal(tsim_mi_src *s, double *out) {
  if (s->rng) {
    *out = s->rng->type == tsim_rng_xoshiro256pp ? tsim_rng_normal(s->rng)
                                                 : gsl_ran_gaussian_ziggurat(s->rng, 1.0);
    return TSIM_MI_OK;
  }
  if (s->iz >= s->nz || !s->z) return TSIM_MI_EDRAWS;
  *out = s->z[s->iz++];
  return TSIM_MI_OK;
}

/* sigma = sqrt(rss / c), c ~ chi-square(nu); beta = coef + sigma F z, F the q x q factor
 * (lower: L; upper: R^-1; both stored full, zeros included), z q normals. */
static int draw_reg(tsim_mi_ws *ws, tsim_mi_src *src, const mi_reg *rg, double *sigma, double *beta) {
  int q = rg->q, st;
  double c;
  if ((st = draw_chisq(src, rg->df, &c))) return st;
  double s = sqrt(rg->rss / c);
  for (int i = 0; i < q; i++)
    if ((st = draw_normal(src, &ws->zq[i]))) return st;
  int finite = isfinite(s);
  for (int i = 0; i < q; i++) {
    double acc = 0.0;
    for (int t = 0; t < q; t++) acc += rg->fac[i * q + t] * ws->zq[t];
    beta[i] = rg->coef[i] + acc * s;
    finite &= isfinite(beta[i]);
  }
  *sigma = s;
  return finite ? TSIM_MI_OK : TSIM_MI_ERANGE;
}

/* ================================================================ MAR: mice's norm */

int tsim_mi_norm_fit(tsim_mi_ws *ws, const tsim_mi_data *d) {
  if (!ws) return TSIM_MI_EARG;
  ws->norm_fitted = 0;
  int st = check_data(ws, d, ws->norm_k);
  if (st) return st;
  for (int a = 0; a < ws->narms; a++)
    for (int j = 0; j < ws->V; j++) {
      mi_reg *rg = &ws->norm_reg[a * ws->V + j];
      design dz = {a, 0, j};
      st = fit_one(ws, d, ws->norm_k, dz, 1, rg, 0);
      if (!st && !rg->fitted) continue;
      if (!st) st = norm_factor(ws, rg, a, j);
      if (st == TSIM_MI_ESINGULAR) {
        /* where mice stops: the same model on centred and scaled covariates (see the top) */
        st = fit_one(ws, d, ws->norm_k, dz, 1, rg, 1);
        if (!st) st = norm_factor(ws, rg, a, j);
        if (!st) unscale(ws, rg, dz);
      }
      if (st) {
        rg->fitted = 0;
        return st;
      }
      rg->df = rg->dfres; /* mice: max(n - q, 1), and n - q >= 1 here */
    }
  ws->norm_d = *d;
  ws->norm_fitted = 1;
  return TSIM_MI_OK;
}

/* Copies the observed values of d into yimp (missing ones NaN until imputed). */
static void copy_observed(const tsim_mi_data *d, int V, double *yimp) {
  memcpy(yimp, d->y, d->n * (size_t)V * sizeof *yimp);
}

int tsim_mi_norm_impute(tsim_mi_ws *ws, tsim_mi_src *src, double *yimp) {
  if (!ws || !src || !yimp || !ws->norm_fitted) return TSIM_MI_EARG;
  const tsim_mi_data *d = &ws->norm_d;
  int V = ws->V, hb = d->base != NULL, st;
  copy_observed(d, V, yimp);
  for (int a = 0; a < ws->narms; a++)
    for (int j = 0; j < V; j++) {
      const mi_reg *rg = &ws->norm_reg[a * V + j];
      if (!rg->fitted) continue;
      double sigma, *beta = ws->beta;
      if ((st = draw_reg(ws, src, rg, &sigma, beta))) return fail_at(ws, st, a, j, (size_t)-1);
      for (size_t i = 0; i < d->n; i++) {
        if (d->arm[i] != a || ws->norm_k[i] > j) continue;
        double *yi = yimp + i * (size_t)V, e;
        double mu = beta[0];
        int c = 1;
        if (hb) mu += beta[c++] * d->base[i];
        for (int l = 0; l < j; l++) mu += beta[c++] * yi[l];
        if ((st = draw_normal(src, &e))) return fail_at(ws, st, a, j, i);
        yi[j] = mu + e * sigma;
      }
    }
  return TSIM_MI_OK;
}

static void reg_out(const mi_reg *rg, tsim_mi_reg *out) {
  out->fitted = rg->fitted;
  out->q = rg->q;
  out->nobs = rg->nobs;
  out->nmis = rg->nmis;
  out->df = rg->df;
  out->rss = rg->rss;
  out->coef = rg->coef;
  out->factor = rg->fac;
  out->ridge = rg->ridge;
}

int tsim_mi_norm_reg(const tsim_mi_ws *ws, int arm, int visit, tsim_mi_reg *out) {
  if (!ws || !out || !ws->norm_fitted || arm < 0 || arm >= ws->narms || visit < 0 || visit >= ws->V)
    return TSIM_MI_EARG;
  reg_out(&ws->norm_reg[arm * ws->V + visit], out);
  return TSIM_MI_OK;
}

/* ================================================================ reference-based */

int tsim_mi_rb_fit(tsim_mi_ws *ws, const tsim_mi_data *d, int cov_by_arm) {
  if (!ws) return TSIM_MI_EARG;
  ws->rb_fitted = ws->rb_set = 0;
  int st = check_data(ws, d, ws->rb_k);
  if (st) return st;
  int V = ws->V, ng = cov_by_arm ? ws->narms : 1;
  int p = (cov_by_arm ? 1 : ws->narms) + (d->base != NULL);
  for (int g = 0; g < ng; g++)
    for (int j = 0; j < V; j++) {
      mi_reg *rg = &ws->rb_reg[g * V + j];
      design dz = {cov_by_arm ? g : -1, !cov_by_arm, j};
      int scaled = 0;
      st = fit_one(ws, d, ws->rb_k, dz, 0, rg, 0);
      if (st == TSIM_MI_ESINGULAR) /* as in the norm fit */
        st = fit_one(ws, d, ws->rb_k, dz, 0, rg, scaled = 1);
      if (st) return st;
      /* nu_j = n_j - p - (V - 1) + j (impute.h) */
      rg->df = (double)rg->nobs - (double)p - (double)(V - 1) + (double)j;
      if (rg->df < 1.0) {
        rg->fitted = 0;
        return fail_at(ws, TSIM_MI_ETOOFEW, dz.arm, j, (size_t)-1);
      }
      memcpy(rg->fac, ws->rinv, (size_t)rg->q * (size_t)rg->q * sizeof *rg->fac);
      if (scaled) unscale(ws, rg, dz);
    }
  ws->rb_d = *d;
  ws->rb_by_arm = cov_by_arm != 0;
  ws->rb_ngroups = ng;
  ws->rb_fitted = 1;
  return TSIM_MI_OK;
}

/* From theta_j and sigma_j^2 of every visit of group g (theta in ws->beta per visit, passed
 * here one visit at a time): G's row j, D_j, and the arms' mean coefficients. */
static void rb_set_visit(tsim_mi_ws *ws, int g, int j, const double *theta, double sigma2) {
  int V = ws->V, hb = ws->rb_d.base != NULL;
  int p = (ws->rb_by_arm ? 1 : ws->narms) + hb;
  double *gj = ws->g + ((size_t)g * (size_t)V + (size_t)j) * (size_t)V;
  for (int l = 0; l < V; l++) gj[l] = l < j ? theta[p + l] : 0.0;
  ws->dd[g * V + j] = sigma2;
  /* mu_a,j = alpha_j(x_a) + sum_{l<j} g_jl mu_a,l, for the arms of the group */
  for (int a = 0; a < ws->narms; a++) {
    if (ws->rb_by_arm && a != g) continue;
    double icpt = theta[ws->rb_by_arm ? 0 : a], slope = hb ? theta[p - 1] : 0.0;
    double *m = ws->pm + a * V, *s = ws->ps + a * V;
    for (int l = 0; l < j; l++) {
      icpt += gj[l] * m[l];
      slope += gj[l] * s[l];
    }
    m[j] = icpt;
    s[j] = slope;
  }
}

int tsim_mi_rb_draw(tsim_mi_ws *ws, tsim_mi_src *src) {
  if (!ws || !src || !ws->rb_fitted) return TSIM_MI_EARG;
  ws->rb_set = 0;
  int V = ws->V, st;
  for (int g = 0; g < ws->rb_ngroups; g++)
    for (int j = 0; j < V; j++) {
      const mi_reg *rg = &ws->rb_reg[g * V + j];
      double sigma;
      if ((st = draw_reg(ws, src, rg, &sigma, ws->beta)))
        return fail_at(ws, st, ws->rb_by_arm ? g : -1, j, (size_t)-1);
      rb_set_visit(ws, g, j, ws->beta, sigma * sigma);
    }
  ws->rb_set = 1;
  return TSIM_MI_OK;
}

int tsim_mi_rb_point(tsim_mi_ws *ws) {
  if (!ws || !ws->rb_fitted) return TSIM_MI_EARG;
  int V = ws->V;
  for (int g = 0; g < ws->rb_ngroups; g++)
    for (int j = 0; j < V; j++) {
      const mi_reg *rg = &ws->rb_reg[g * V + j];
      rb_set_visit(ws, g, j, rg->coef, rg->rss / rg->dfres);
    }
  ws->rb_set = 1;
  return TSIM_MI_OK;
}

static int rb_group(const tsim_mi_ws *ws, int arm) { return ws->rb_by_arm ? arm : 0; }

/* mu~ of patient i (k observed visits) into ws->mut; returns the group whose covariance the
 * conditional uses. */
static int rb_profile(const tsim_mi_ws *ws, size_t i, tsim_mi_method method, int ref, int k, double *mut) {
  const tsim_mi_data *d = &ws->rb_d;
  int V = ws->V, dd = d->arm[i];
  double x = d->base ? d->base[i] : 0.0;
  const double *md = ws->pm + dd * V, *sd = ws->ps + dd * V;
  const double *mr = ws->pm + ref * V, *sr = ws->ps + ref * V;
  if (method == TSIM_MI_MAR || dd == ref) {
    for (int j = 0; j < V; j++) mut[j] = md[j] + sd[j] * x;
    return rb_group(ws, dd);
  }
  for (int j = 0; j < V; j++) {
    double mud = md[j] + sd[j] * x, mur = mr[j] + sr[j] * x;
    switch (method) {
    case TSIM_MI_J2R: mut[j] = j < k ? mud : mur; break;
    case TSIM_MI_CR: mut[j] = mur; break;
    default: /* CIR */
      if (k == 0) {
        mut[j] = mur;
      } else if (j < k) {
        mut[j] = mud;
      } else {
        double mudk = md[k - 1] + sd[k - 1] * x, murk = mr[k - 1] + sr[k - 1] * x;
        mut[j] = mudk + (mur - murk);
      }
      break;
    }
  }
  return rb_group(ws, ref);
}

static int rb_args(const tsim_mi_ws *ws, tsim_mi_method method, int ref) {
  return ws && ws->rb_fitted && ws->rb_set && ref >= 0 && ref < ws->narms &&
         (method == TSIM_MI_MAR || method == TSIM_MI_J2R || method == TSIM_MI_CIR || method == TSIM_MI_CR);
}

int tsim_mi_rb_impute(tsim_mi_ws *ws, tsim_mi_src *src, tsim_mi_method method, int ref,
                      double *yimp) {
  if (!rb_args(ws, method, ref) || !src || !yimp) return TSIM_MI_EARG;
  const tsim_mi_data *d = &ws->rb_d;
  int V = ws->V, st;
  copy_observed(d, V, yimp);
  double *mut = ws->mut;
  for (size_t i = 0; i < d->n; i++) {
    int k = ws->rb_k[i];
    if (k == V) continue;
    int g = rb_profile(ws, i, method, ref, k, mut);
    const double *gm = ws->g + (size_t)g * (size_t)V * (size_t)V, *dv = ws->dd + g * V;
    double *yi = yimp + i * (size_t)V;
    for (int j = k; j < V; j++) {
      double mu = mut[j], e;
      for (int l = 0; l < j; l++) mu += gm[j * V + l] * (yi[l] - mut[l]);
      if ((st = draw_normal(src, &e))) return fail_at(ws, st, d->arm[i], j, i);
      yi[j] = mu + sqrt(dv[j]) * e;
    }
  }
  return TSIM_MI_OK;
}

int tsim_mi_rb_params(const tsim_mi_ws *ws, int arm, double *m, double *s, double *sigma) {
  if (!ws || !ws->rb_fitted || !ws->rb_set || arm < 0 || arm >= ws->narms) return TSIM_MI_EARG;
  int V = ws->V, g = rb_group(ws, arm);
  if (m) memcpy(m, ws->pm + arm * V, (size_t)V * sizeof *m);
  if (s) memcpy(s, ws->ps + arm * V, (size_t)V * sizeof *s);
  if (sigma) {
    /* Sigma = T D T', T = (I - G)^-1 (unit lower triangular): T's rows by recursion. */
    const double *gm = ws->g + (size_t)g * (size_t)V * (size_t)V, *dv = ws->dd + g * V;
    double t[TSIM_MI_MAX_VISITS * TSIM_MI_MAX_VISITS];
    for (int r = 0; r < V; r++)
      for (int c = 0; c < V; c++) {
        double acc = r == c ? 1.0 : 0.0;
        if (c < r)
          for (int l = c; l < r; l++) acc += gm[r * V + l] * t[l * V + c];
        t[r * V + c] = acc;
      }
    for (int r = 0; r < V; r++)
      for (int c = 0; c <= r; c++) {
        double acc = 0.0;
        for (int l = 0; l <= c; l++) acc += t[r * V + l] * dv[l] * t[c * V + l];
        sigma[r * V + c] = sigma[c * V + r] = acc;
      }
  }
  return TSIM_MI_OK;
}

int tsim_mi_rb_conditional(const tsim_mi_ws *ws, size_t row, tsim_mi_method method, int ref,
                           int *k_out, double *mean, double *cov) {
  if (!rb_args(ws, method, ref) || row >= ws->rb_d.n) return TSIM_MI_EARG;
  const tsim_mi_data *d = &ws->rb_d;
  int V = ws->V, k = ws->rb_k[row];
  double mut[TSIM_MI_MAX_VISITS], yc[TSIM_MI_MAX_VISITS], t[TSIM_MI_MAX_VISITS * TSIM_MI_MAX_VISITS];
  int g = rb_profile(ws, row, method, ref, k, mut);
  const double *gm = ws->g + (size_t)g * (size_t)V * (size_t)V, *dv = ws->dd + g * V;
  const double *yi = d->y + row * (size_t)V;
  for (int j = 0; j < V; j++) {
    if (j < k) {
      yc[j] = yi[j];
      continue;
    }
    double mu = mut[j];
    for (int l = 0; l < j; l++) mu += gm[j * V + l] * (yc[l] - mut[l]);
    yc[j] = mu;
  }
  int nm = V - k;
  if (k_out) *k_out = k;
  if (mean)
    for (int j = 0; j < nm; j++) mean[j] = yc[k + j];
  if (cov) {
    /* T = (I - G_mm)^-1 on the missing visits; cov = T D_m T'. */
    for (int r = 0; r < nm; r++)
      for (int c = 0; c < nm; c++) {
        double acc = r == c ? 1.0 : 0.0;
        if (c < r)
          for (int l = c; l < r; l++) acc += gm[(k + r) * V + (k + l)] * t[l * nm + c];
        t[r * nm + c] = acc;
      }
    for (int r = 0; r < nm; r++)
      for (int c = 0; c <= r; c++) {
        double acc = 0.0;
        for (int l = 0; l <= c; l++) acc += t[r * nm + l] * dv[k + l] * t[c * nm + l];
        cov[r * nm + c] = cov[c * nm + r] = acc;
      }
  }
  return TSIM_MI_OK;
}

int tsim_mi_rb_reg(const tsim_mi_ws *ws, int group, int visit, tsim_mi_reg *out) {
  if (!ws || !out || !ws->rb_fitted || group < 0 || group >= ws->rb_ngroups || visit < 0 ||
      visit >= ws->V)
    return TSIM_MI_EARG;
  reg_out(&ws->rb_reg[group * ws->V + visit], out);
  return TSIM_MI_OK;
}

/* ================================================================ delta adjustment */

int tsim_mi_delta(const tsim_mi_data *d, int nvisits, double *yimp, int arm, const double *delta,
                  tsim_mi_delta_mode mode) {
  if (!d || !yimp || !delta || nvisits < 1 || nvisits > TSIM_MI_MAX_VISITS || (d->n && (!d->y || !d->arm)) ||
      arm < -1 || (mode != TSIM_MI_DELTA_EACH && mode != TSIM_MI_DELTA_CUMULATIVE))
    return TSIM_MI_EARG;
  for (int j = 0; j < nvisits; j++)
    if (!isfinite(delta[j])) return TSIM_MI_EARG;
  /* Check every row first, so that a bad one leaves yimp untouched. */
  for (size_t i = 0; i < d->n; i++) {
    int k, st = row_pattern(d->y + i * (size_t)nvisits, nvisits, &k);
    if (st) return st;
  }
  for (size_t i = 0; i < d->n; i++) {
    if (arm >= 0 && d->arm[i] != arm) continue;
    int k = nvisits;
    row_pattern(d->y + i * (size_t)nvisits, nvisits, &k);
    double acc = 0.0, *yi = yimp + i * (size_t)nvisits;
    for (int j = k; j < nvisits; j++) {
      acc = mode == TSIM_MI_DELTA_CUMULATIVE ? acc + delta[j] : delta[j];
      yi[j] += acc;
    }
  }
  return TSIM_MI_OK;
}
