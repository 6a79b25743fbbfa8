/* test_impute.c - sim/stats/impute.c (multiple imputation and Rubin's rules) against mice and
 * the reference formulas, on fixed inputs; the statistical checks are in test_impute_stats.c.
 *
 * Usage: test_impute POOL.csv NORM.csv RB.csv DATA_DIR
 *   POOL.csv  tests/r/mi_pool_reference.csv (tests/r/mi_pool_reference.R: mice::pool.scalar and
 *             mice's summary / confint of the pooled object)
 *   NORM.csv  tests/r/mi_norm_reference.csv (tests/r/mi_norm_reference.R: mice's estimice and
 *             mice.impute.norm with the draws listed in the file)
 *   RB.csv    tests/r/mi_rb_reference.csv (tests/r/mi_rb_reference.R: Carpenter, Roger &
 *             Kenward's formulas on the point estimates)
 *   DATA_DIR  tests/impute (the data sets set1.csv .. set3.csv the scripts read)
 * tests/r/check_impute.sh regenerates the three files with R and runs this on them.
 *
 * Tolerances: REL 1e-10, relative to the value, or for a vector or matrix (coefficients, the
 * Cholesky factor, a covariance, a mean profile) relative to its largest absolute element - the
 * scale its rounding errors have. Exceptions: the coefficients where mice applies its ridge
 * (set 3: a design R's solve() calls singular, condition number ~1e9, where two correct
 * least-squares fits may differ by up to ~cond x eps; measured 2e-11) to RIDGE_COEF_REL 1e-9,
 * the imputations from them to REL; p-values to 1e-9 (the precision of the t tail below df 4e5,
 * contest.h). A pool case whose df is below TSIM_T_MIN_DF (0.5: dfcom 30 with lambda near 1)
 * must give NaN p-values and interval and TSIM_MI_EPOOL (impute.h), the rest as mice.
 * Output: one line per failed check, a summary, "N passed, N failed"; exit status 1 on failure.
 */
#include "refcheck.h"
#include "core/rng.h"
#include "stats/impute.h"

#include <gsl/gsl_randist.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REL 1e-10
#define P_REL 1e-9
#define RIDGE_COEF_REL 1e-9
#define NMAX 200

/* ---------------------------------------------------------------- a CSV in memory */

typedef struct table {
  size_t rows, cols;
  char ***f; /* f[row][col] */
  char **lines;
} table;

static int table_load(const char *path, table *t) {
  memset(t, 0, sizeof *t);
  FILE *fp = fopen(path, "r");
  if (!fp) return 0;
  char *line = NULL;
  size_t cap = 0, alloc = 0;
  while (getline(&line, &cap, fp) > 0) {
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0]) continue;
    if (t->rows == alloc) {
      alloc = alloc ? 2 * alloc : 256;
      t->f = realloc(t->f, alloc * sizeof *t->f);
      t->lines = realloc(t->lines, alloc * sizeof *t->lines);
      if (!t->f || !t->lines) exit(2);
    }
    char *copy = strdup(line);
    char **fields = malloc(32 * sizeof *fields);
    if (!copy || !fields) exit(2);
    int k = refcheck_split(copy, ',', fields, 31);
    if (t->rows == 0) t->cols = (size_t)k;
    if ((size_t)k != t->cols) {
      printf("FAIL %s: row %zu has %d fields, not %zu\n", path, t->rows + 1, k, t->cols);
      n_fail++;
    }
    t->lines[t->rows] = copy;
    t->f[t->rows++] = fields;
  }
  free(line);
  fclose(fp);
  return t->rows > 1;
}

static void table_free(table *t) {
  for (size_t r = 0; r < t->rows; r++) {
    free(t->lines[r]);
    free(t->f[r]);
  }
  free(t->f);
  free(t->lines);
}

static double fnum(const table *t, size_t r, size_t c) {
  double v;
  if (!parse_double(t->f[r][c], &v)) {
    printf("FAIL cannot read the number '%s' (row %zu, column %zu)\n", t->f[r][c], r, c);
    n_fail++;
    return NAN;
  }
  return v;
}
static long fint(const table *t, size_t r, size_t c) { return strtol(t->f[r][c], NULL, 10); }

/* A data set of tests/impute: arm, [base], y0 .. */
typedef struct dataset {
  size_t n;
  int V, narms, has_base;
  int arm[NMAX];
  double base[NMAX], y[NMAX * TSIM_MI_MAX_VISITS];
} dataset;

static int load_set(const char *dir, int s, dataset *d) {
  char path[1024];
  snprintf(path, sizeof path, "%s/set%d.csv", dir, s);
  table t;
  if (!table_load(path, &t)) {
    printf("FAIL cannot read %s\n", path);
    n_fail++;
    return 0;
  }
  memset(d, 0, sizeof *d);
  d->has_base = strcmp(t.f[0][1], "base") == 0;
  int y0 = 1 + d->has_base;
  d->V = (int)t.cols - y0;
  d->n = t.rows - 1;
  for (size_t i = 0; i < d->n; i++) {
    d->arm[i] = (int)fint(&t, i + 1, 0);
    if (d->arm[i] + 1 > d->narms) d->narms = d->arm[i] + 1;
    if (d->has_base) d->base[i] = fnum(&t, i + 1, 1);
    for (int j = 0; j < d->V; j++) d->y[i * (size_t)d->V + (size_t)j] = fnum(&t, i + 1, (size_t)(y0 + j));
  }
  table_free(&t);
  return 1;
}

static tsim_mi_data data_of(const dataset *d) {
  tsim_mi_data m = {d->y, d->has_base ? d->base : NULL, d->arm, d->n};
  return m;
}

/* the largest |v[i]| */
static double vmax(const double *v, size_t n) {
  double m = 0.0;
  for (size_t i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
  return m;
}

static double worst_pool, worst_norm, worst_rb, worst_imp;
static int low_df_cases;

/* ---------------------------------------------------------------- Rubin's rules */

static void pool_reference(const char *path) {
  table t;
  if (!table_load(path, &t)) {
    printf("FAIL cannot read %s\n", path);
    n_fail++;
    return;
  }
  int cases = 0;
  size_t r = 1;
  while (r < t.rows) {
    long cs = fint(&t, r, 0);
    double q[200], u[200], dfcom = NAN, conf = NAN, theta0 = NAN;
    int m = 0;
    size_t start = r;
    for (; r < t.rows && fint(&t, r, 0) == cs; r++) {
      const char *k = t.f[r][1];
      long idx = fint(&t, r, 2);
      double v = fnum(&t, r, 3);
      if (!strcmp(k, "q") && idx < 200) q[idx] = v, m = (int)idx + 1;
      if (!strcmp(k, "u") && idx < 200) u[idx] = v;
      if (!strcmp(k, "dfcom")) dfcom = v;
      if (!strcmp(k, "conf")) conf = v;
      if (!strcmp(k, "theta0")) theta0 = v;
    }
    tsim_mi_pooled p;
    int st = tsim_mi_pool(q, u, m, dfcom, conf, &p);
    char ctx[64];
    snprintf(ctx, sizeof ctx, "pool case %ld (M %d, dfcom %g)", cs, m, dfcom);
    /* mice's df of this case */
    int low_df = 0;
    for (size_t k = start; k < r; k++)
      if (!strcmp(t.f[k][1], "df") && fnum(&t, k, 3) < 0.5) low_df = 1;
    check_true(st == (low_df ? TSIM_MI_EPOOL : TSIM_MI_OK), ctx);
    if (low_df) {
      low_df_cases++;
      check_true(isnan(p.p) && isnan(p.lo) && isnan(p.hi) && isnan(tsim_mi_pool_margin_p(&p, theta0, 1)) &&
                     isfinite(p.df) && isfinite(p.fmi),
                 "df below 0.5: p-values and interval NaN, df and fmi given");
    }
    for (size_t k = start; k < r; k++) {
      const char *name = t.f[k][1];
      double exp = fnum(&t, k, 3), obs;
      double tol = REL;
      if (!strcmp(name, "qbar")) obs = p.qbar;
      else if (!strcmp(name, "ubar")) obs = p.ubar;
      else if (!strcmp(name, "b")) obs = p.b;
      else if (!strcmp(name, "t")) obs = p.t;
      else if (!strcmp(name, "df")) obs = p.df;
      else if (!strcmp(name, "r")) obs = p.r;
      else if (!strcmp(name, "lambda")) obs = p.lambda;
      else if (!strcmp(name, "fmi")) obs = p.fmi;
      else if (!strcmp(name, "se")) obs = p.se;
      else if (!strcmp(name, "stat")) obs = p.stat;
      else if (!strcmp(name, "lo")) obs = p.lo;
      else if (!strcmp(name, "hi")) obs = p.hi;
      else if (!strcmp(name, "p")) obs = p.p, tol = P_REL;
      else if (!strcmp(name, "p_greater")) obs = tsim_mi_pool_margin_p(&p, theta0, 1), tol = P_REL;
      else if (!strcmp(name, "p_less")) obs = tsim_mi_pool_margin_p(&p, theta0, 0), tol = P_REL;
      else continue;
      if (low_df && (tol == P_REL || !strcmp(name, "lo") || !strcmp(name, "hi"))) continue;
      char what[64];
      snprintf(what, sizeof what, "%s", name);
      /* b, r, lambda are 0 exactly when the q are equal; the interval limits on the scale of
       * the standard error */
      double floor = (!strcmp(name, "lo") || !strcmp(name, "hi") || !strcmp(name, "qbar")) ? p.se : 0.0;
      refcheck_against(what, ctx, obs, exp, floor, tol, &worst_pool);
    }
    cases++;
  }
  printf("Rubin's rules: %d cases against mice, largest relative difference %.3g\n", cases, worst_pool);
  check_true(cases >= 10 && low_df_cases == 1, "the pool reference holds its cases, one with df below 0.5");
  table_free(&t);
}

/* ---------------------------------------------------------------- MAR: mice's norm */

static void norm_reference(const char *path, const char *dir) {
  table t;
  if (!table_load(path, &t)) {
    printf("FAIL cannot read %s\n", path);
    n_fail++;
    return;
  }
  int sets = 0, regs = 0, imps = 0, ridges = 0;
  size_t r = 1;
  while (r < t.rows) {
    long s = fint(&t, r, 0);
    size_t start = r;
    while (r < t.rows && fint(&t, r, 0) == s) r++;
    dataset ds;
    if (!load_set(dir, (int)s, &ds)) break;
    tsim_mi_ws *ws = tsim_mi_ws_new(ds.V, NMAX, ds.narms);
    tsim_mi_data d = data_of(&ds);
    char ctx[96];
    snprintf(ctx, sizeof ctx, "norm set %ld", s);
    int st = tsim_mi_norm_fit(ws, &d);
    check_true(st == TSIM_MI_OK, ctx);
    /* the draws, in their order in the file, and the expected imputations */
    double chisq[64], z[2048], *imp = calloc(ds.n * (size_t)ds.V, sizeof *imp);
    size_t nch = 0, nz = 0;
    for (size_t i = 0; i < ds.n * (size_t)ds.V; i++) imp[i] = NAN;
    for (size_t k = start; k < r; k++) {
      if (!strcmp(t.f[k][1], "chisq") && nch < 64) chisq[nch++] = fnum(&t, k, 5);
      if (!strcmp(t.f[k][1], "z") && nz < 2048) z[nz++] = fnum(&t, k, 5);
      if (!strcmp(t.f[k][1], "imp")) imp[fint(&t, k, 4) * ds.V + fint(&t, k, 3)] = fnum(&t, k, 5);
    }
    /* each regression's block: n, q, df, rss, ridge, coef.., chol.. */
    for (size_t k = start; k < r; k++) {
      if (strcmp(t.f[k][1], "n")) continue;
      int a = (int)fint(&t, k, 2), j = (int)fint(&t, k, 3);
      tsim_mi_reg rg;
      snprintf(ctx, sizeof ctx, "norm set %ld arm %d visit %d", s, a, j);
      if (tsim_mi_norm_reg(ws, a, j, &rg) || !rg.fitted) {
        check_true(0, ctx);
        continue;
      }
      regs++;
      double coef[32], chol[1024], rss = NAN, df = NAN;
      long n = -1, q = -1, ridge = -1;
      for (size_t e = k; e < r && fint(&t, e, 2) == a && fint(&t, e, 3) == j; e++) {
        const char *kind = t.f[e][1];
        long idx = fint(&t, e, 4);
        if (!strcmp(kind, "n")) n = (long)fnum(&t, e, 5);
        if (!strcmp(kind, "q")) q = (long)fnum(&t, e, 5);
        if (!strcmp(kind, "df")) df = fnum(&t, e, 5);
        if (!strcmp(kind, "rss")) rss = fnum(&t, e, 5);
        if (!strcmp(kind, "ridge")) ridge = (long)fnum(&t, e, 5);
        if (!strcmp(kind, "coef") && idx < 32) coef[idx] = fnum(&t, e, 5);
        if (!strcmp(kind, "chol") && idx < 1024) chol[idx] = fnum(&t, e, 5);
      }
      check_true((long)rg.nobs == n && rg.q == q && rg.ridge == ridge, ctx);
      if (rg.q != q) continue;
      ridges += rg.ridge;
      check_num("df", ctx, rg.df, df, 0, 0);
      refcheck_against("rss", ctx, rg.rss, rss, 0, REL, &worst_norm);
      double cs = vmax(coef, (size_t)q), ls = vmax(chol, (size_t)(q * q));
      for (long c = 0; c < q; c++)
        refcheck_against("coef", ctx, rg.coef[c], coef[c], cs, rg.ridge ? RIDGE_COEF_REL : REL,
                         rg.ridge ? &worst_imp /* not the norm's worst: reported apart */ : &worst_norm);
      for (long c = 0; c < q * q; c++) refcheck_against("chol", ctx, rg.factor[c], chol[c], ls, REL, &worst_norm);
    }
    /* the imputation from the listed draws */
    tsim_mi_src src = tsim_mi_src_given(chisq, nch, z, nz);
    double *out = malloc(ds.n * (size_t)ds.V * sizeof *out);
    st = tsim_mi_norm_impute(ws, &src, out);
    snprintf(ctx, sizeof ctx, "norm set %ld imputation", s);
    check_true(st == TSIM_MI_OK && src.ichisq == nch && src.iz == nz, ctx);
    double scale = vmax(ds.y, 0);
    for (size_t i = 0; i < ds.n * (size_t)ds.V; i++)
      if (!isnan(ds.y[i])) scale = fmax(scale, fabs(ds.y[i]));
    for (size_t i = 0; i < ds.n * (size_t)ds.V; i++) {
      if (isnan(ds.y[i])) {
        char c2[96];
        snprintf(c2, sizeof c2, "norm set %ld row %zu visit %zu", s, i / (size_t)ds.V, i % (size_t)ds.V);
        /* the values' scale: an imputed value near 0 is compared on it */
        refcheck_against("imputed", c2, out[i], imp[i], scale, REL, &worst_norm);
        imps++;
      } else {
        check_true(out[i] == ds.y[i], "an observed value is copied");
      }
    }
    free(out);
    free(imp);
    tsim_mi_ws_free(ws);
    sets++;
  }
  printf("mice norm: %d data sets, %d regressions (%d with mice's ridge), %d imputed values; "
         "largest relative difference %.3g (ridge coefficients %.3g)\n",
         sets, regs, ridges, imps, worst_norm, worst_imp);
  check_true(sets == 3 && ridges > 0, "the norm reference holds 3 sets, one with mice's ridge");
  table_free(&t);
}

/* ---------------------------------------------------------------- reference-based */

static tsim_mi_method method_of(const char *s) {
  return !strcmp(s, "J2R") ? TSIM_MI_J2R : !strcmp(s, "CIR") ? TSIM_MI_CIR : !strcmp(s, "CR") ? TSIM_MI_CR : TSIM_MI_MAR;
}

static void rb_reference(const char *path, const char *dir) {
  table t;
  if (!table_load(path, &t)) {
    printf("FAIL cannot read %s\n", path);
    n_fail++;
    return;
  }
  int fits = 0, conds = 0;
  size_t r = 1;
  while (r < t.rows) {
    long s = fint(&t, r, 0), by_arm = fint(&t, r, 1);
    size_t start = r;
    while (r < t.rows && fint(&t, r, 0) == s && fint(&t, r, 1) == by_arm) r++;
    dataset ds;
    if (!load_set(dir, (int)s, &ds)) break;
    int V = ds.V;
    tsim_mi_ws *ws = tsim_mi_ws_new(V, NMAX, ds.narms);
    tsim_mi_data d = data_of(&ds);
    char ctx[128];
    snprintf(ctx, sizeof ctx, "rb set %ld by_arm %ld", s, by_arm);
    check_true(tsim_mi_rb_fit(ws, &d, (int)by_arm) == TSIM_MI_OK && tsim_mi_rb_point(ws) == TSIM_MI_OK, ctx);
    fits++;
    /* the parameters */
    for (int a = 0; a < ds.narms; a++) {
      double m[16], sl[16], sg[256], em[16], es[16], esg[256];
      tsim_mi_rb_params(ws, a, m, sl, sg);
      for (size_t k = start; k < r; k++) {
        if (strcmp(t.f[k][2], "PAR") || fint(&t, k, 5) != a) continue;
        long idx = fint(&t, k, 6);
        double v = fnum(&t, k, 7);
        if (!strcmp(t.f[k][4], "m")) em[idx] = v;
        if (!strcmp(t.f[k][4], "s")) es[idx] = v;
        if (!strcmp(t.f[k][4], "sigma")) esg[idx] = v;
      }
      snprintf(ctx, sizeof ctx, "rb set %ld by_arm %ld arm %d parameters", s, by_arm, a);
      double ms = vmax(em, (size_t)V), ss = vmax(es, (size_t)V), gs = vmax(esg, (size_t)(V * V));
      for (int j = 0; j < V; j++) {
        refcheck_against("mean intercept", ctx, m[j], em[j], ms, REL, &worst_rb);
        refcheck_against("mean slope", ctx, sl[j], es[j], ss > 0 ? ss : 1.0, REL, &worst_rb);
      }
      for (int j = 0; j < V * V; j++) refcheck_against("sigma", ctx, sg[j], esg[j], gs, REL, &worst_rb);
    }
    /* the conditional distributions: per (method, ref, row) the k, mean and cov lines */
    for (size_t k = start; k < r; k++) {
      if (strcmp(t.f[k][4], "k")) continue;
      tsim_mi_method meth = method_of(t.f[k][2]);
      int ref = (int)fint(&t, k, 3);
      size_t row = (size_t)fint(&t, k, 5);
      int ek = (int)fnum(&t, k, 7), kk = -1, nm = V - ek;
      double mean[16], cov[256], emean[16], ecov[256];
      for (size_t e = k + 1; e < r && strcmp(t.f[e][4], "k") != 0 && (size_t)fint(&t, e, 5) == row; e++) {
        long idx = fint(&t, e, 6);
        if (!strcmp(t.f[e][4], "mean")) emean[idx] = fnum(&t, e, 7);
        if (!strcmp(t.f[e][4], "cov")) ecov[idx] = fnum(&t, e, 7);
      }
      snprintf(ctx, sizeof ctx, "rb set %ld by_arm %ld %s ref %d row %zu", s, by_arm, t.f[k][2], ref, row);
      int st = tsim_mi_rb_conditional(ws, row, meth, ref, &kk, mean, cov);
      check_true(st == TSIM_MI_OK && kk == ek, ctx);
      if (kk != ek) continue;
      double ms = vmax(emean, (size_t)nm), cs = vmax(ecov, (size_t)(nm * nm));
      for (int j = 0; j < nm; j++) refcheck_against("conditional mean", ctx, mean[j], emean[j], ms, REL, &worst_rb);
      for (int j = 0; j < nm * nm; j++) refcheck_against("conditional cov", ctx, cov[j], ecov[j], cs, REL, &worst_rb);
      conds++;
    }
    tsim_mi_ws_free(ws);
  }
  printf("reference-based: %d fits, %d conditional distributions (MAR, J2R, CIR, CR) against "
         "Carpenter-Roger-Kenward's formulas; largest relative difference %.3g\n",
         fits, conds, worst_rb);
  check_true(fits == 4 && conds > 100, "the reference-based reference holds its cases");
  table_free(&t);
}

/* ---------------------------------------------------------------- edges, bad input, order */

/* Rubin's rules on degenerate input (impute.h lists each). */
static void pool_edges(void) {
  tsim_mi_pooled p;
  double q1[] = {1.5}, u1[] = {0.2};
  check_true(tsim_mi_pool(q1, u1, 1, INFINITY, 0.95, &p) == TSIM_MI_EPOOL && p.qbar == 1.5 && p.ubar == 0.2 &&
                 isnan(p.b) && isnan(p.t) && isnan(p.df) && isnan(p.p) && isnan(p.lo),
             "pool: M = 1 gives qbar and ubar, the rest NaN, TSIM_MI_EPOOL");
  double q[] = {1.0, 1.2, 0.9}, u[] = {0.1, 0.1, 0.1};
  double qn[] = {1.0, NAN, 0.9}, un[] = {0.1, -0.1, 0.1}, ui[] = {0.1, INFINITY, 0.1};
  check_true(tsim_mi_pool(qn, u, 3, 10, 0.95, &p) == TSIM_MI_EARG && isnan(p.qbar) && isnan(p.p),
             "pool: a NaN estimate is TSIM_MI_EARG, every output NaN");
  check_true(tsim_mi_pool(q, un, 3, 10, 0.95, &p) == TSIM_MI_EARG, "pool: a negative variance is refused");
  check_true(tsim_mi_pool(q, ui, 3, 10, 0.95, &p) == TSIM_MI_EARG, "pool: an infinite variance is refused");
  check_true(tsim_mi_pool(q, u, 3, 0, 0.95, &p) == TSIM_MI_EARG && tsim_mi_pool(q, u, 3, NAN, 0.95, &p) == TSIM_MI_EARG &&
                 tsim_mi_pool(q, u, 3, -INFINITY, 0.95, &p) == TSIM_MI_EARG,
             "pool: dfcom 0, NaN or -inf is refused");
  check_true(tsim_mi_pool(q, u, 3, 10, 1.0, &p) == TSIM_MI_EARG && tsim_mi_pool(q, u, 3, 10, 0.0, &p) == TSIM_MI_EARG &&
                 tsim_mi_pool(NULL, u, 3, 10, 0.95, &p) == TSIM_MI_EARG && tsim_mi_pool(q, u, 0, 10, 0.95, &p) == TSIM_MI_EARG,
             "pool: conf outside (0, 1), NULL, M = 0 refused");
  double qe[] = {2.0, 2.0, 2.0}, u0[] = {0.0, 0.0, 0.0};
  check_true(tsim_mi_pool(qe, u0, 3, INFINITY, 0.95, &p) == TSIM_MI_EPOOL && p.qbar == 2.0 && p.b == 0.0 && p.t == 0.0 &&
                 isnan(p.r) && isnan(p.df) && isnan(p.p),
             "pool: t = 0 (equal estimates, zero variances) is TSIM_MI_EPOOL with NaN df and p");
  check_true(tsim_mi_pool(q, u0, 3, INFINITY, 0.95, &p) == TSIM_MI_EPOOL && isinf(p.r) && isnan(p.fmi) &&
                 p.lambda == 1.0 && p.df == 2.0 && p.p > 0.0 && p.p < 1.0,
             "pool: ubar = 0 gives r infinite and fmi NaN (as mice), df M - 1 and a p-value");
  /* b = 0 with finite dfcom: df about dfobs = (dfcom + 1)/(dfcom + 3) dfcom (1 - 1e-4) */
  check_true(tsim_mi_pool(qe, u, 3, 10, 0.95, &p) == TSIM_MI_OK && p.b == 0.0 && p.r == 0.0 &&
                 fabs(p.df - 11.0 / 13.0 * 10.0 * (1 - 1e-4)) < 1e-6,
             "pool: b = 0 is defined, df = dfobs with lambda floored at 1e-4");
  /* margin: p(greater) + p(less) = 1, and theta0 = qbar gives 1/2 */
  check_true(tsim_mi_pool(q, u, 3, 10, 0.95, &p) == TSIM_MI_OK &&
                 fabs(tsim_mi_pool_margin_p(&p, 0.3, 1) + tsim_mi_pool_margin_p(&p, 0.3, 0) - 1.0) < 1e-15 &&
                 fabs(tsim_mi_pool_margin_p(&p, p.qbar, 1) - 0.5) < 1e-15 && isnan(tsim_mi_pool_margin_p(&p, NAN, 1)) &&
                 isnan(tsim_mi_pool_margin_p(NULL, 0, 1)),
             "pool: the one-sided p-values are complements; NaN theta0 or no pool gives NaN");
}

/* A small two-arm data set with monotone dropout, V = 3, made by hand. */
#define EV 3
#define EN 24
static void edge_data(double *y, double *base, int *arm) {
  for (int i = 0; i < EN; i++) {
    arm[i] = i % 2;
    base[i] = 1.0 + 0.37 * i - 0.011 * i * i;
    for (int j = 0; j < EV; j++) y[i * EV + j] = 0.5 * base[i] + j + sin(1.7 * i + 0.9 * j) + 0.3 * arm[i] * j;
    int k = EV - (i % 5 == 0) - (i % 7 == 0); /* some drop before the last visit, or the last two */
    for (int j = k; j < EV; j++) y[i * EV + j] = NAN;
  }
}

static void bad_input(void) {
  double y[EN * EV], base[EN], yimp[EN * EV];
  int arm[EN];
  edge_data(y, base, arm);
  tsim_mi_data d = {y, base, arm, EN};
  tsim_mi_ws *ws = tsim_mi_ws_new(EV, EN, 2);
  check_true(ws != NULL, "workspace");
  check_true(tsim_mi_ws_new(0, 10, 2) == NULL && tsim_mi_ws_new(TSIM_MI_MAX_VISITS + 1, 10, 2) == NULL &&
                 tsim_mi_ws_new(3, 10, 0) == NULL && tsim_mi_ws_new(3, 10, TSIM_MI_MAX_ARMS + 1) == NULL &&
                 tsim_mi_ws_new(3, 0, 2) == NULL && tsim_mi_ws_new(3, SIZE_MAX / 4, 2) == NULL,
             "workspace: visits, arms, nmax out of range (or too large) give NULL");
  tsim_mi_src src = tsim_mi_src_given(NULL, 0, NULL, 0);
  check_true(tsim_mi_norm_impute(ws, &src, yimp) == TSIM_MI_EARG && tsim_mi_rb_draw(ws, &src) == TSIM_MI_EARG &&
                 tsim_mi_rb_point(ws) == TSIM_MI_EARG && tsim_mi_rb_impute(ws, &src, TSIM_MI_J2R, 0, yimp) == TSIM_MI_EARG,
             "imputation before a fit is TSIM_MI_EARG");
  check_true(tsim_mi_norm_fit(ws, &d) == TSIM_MI_OK && tsim_mi_rb_fit(ws, &d, 0) == TSIM_MI_OK &&
                 tsim_mi_rb_fit(ws, &d, 1) == TSIM_MI_OK,
             "the edge data fit");
  check_true(tsim_mi_rb_impute(ws, &src, TSIM_MI_J2R, 0, yimp) == TSIM_MI_EARG,
             "rb imputation before a draw or point estimate is TSIM_MI_EARG");
  /* supplied draws that run out */
  check_true(tsim_mi_norm_impute(ws, &src, yimp) == TSIM_MI_EDRAWS && tsim_mi_rb_draw(ws, &src) == TSIM_MI_EDRAWS,
             "supplied draws that run out give TSIM_MI_EDRAWS");
  check_true(tsim_mi_rb_point(ws) == TSIM_MI_OK && tsim_mi_rb_impute(ws, &src, (tsim_mi_method)7, 0, yimp) == TSIM_MI_EARG &&
                 tsim_mi_rb_impute(ws, &src, TSIM_MI_J2R, 2, yimp) == TSIM_MI_EARG &&
                 tsim_mi_rb_impute(ws, &src, TSIM_MI_J2R, -1, yimp) == TSIM_MI_EARG &&
                 tsim_mi_rb_conditional(ws, EN, TSIM_MI_MAR, 0, NULL, NULL, NULL) == TSIM_MI_EARG,
             "rb: an unknown method, reference arm out of range, row out of range are refused");
  int a, v;
  size_t row;
  /* a non-monotone row */
  double y2[EN * EV];
  memcpy(y2, y, sizeof y2);
  y2[5 * EV + 1] = NAN; /* row 5: observed at 0 and 2, missing at 1 */
  y2[5 * EV + 2] = 1.0;
  tsim_mi_data d2 = {y2, base, arm, EN};
  check_true(tsim_mi_norm_fit(ws, &d2) == TSIM_MI_ENONMONOTONE && tsim_mi_rb_fit(ws, &d2, 0) == TSIM_MI_ENONMONOTONE,
             "a non-monotone row is TSIM_MI_ENONMONOTONE");
  tsim_mi_where(ws, &a, &v, &row);
  check_true(row == 5 && a == 1, "... and tsim_mi_where names its row and arm");
  check_true(tsim_mi_delta(&d2, EV, yimp, -1, (double[]){0, 0, 1}, TSIM_MI_DELTA_EACH) == TSIM_MI_ENONMONOTONE,
             "delta refuses a non-monotone row too");
  /* NaN baseline, infinite y */
  double b2[EN];
  memcpy(b2, base, sizeof b2);
  b2[3] = NAN;
  tsim_mi_data d3 = {y, b2, arm, EN};
  check_true(tsim_mi_norm_fit(ws, &d3) == TSIM_MI_ENAN && tsim_mi_rb_fit(ws, &d3, 1) == TSIM_MI_ENAN,
             "a NaN baseline is TSIM_MI_ENAN");
  b2[3] = INFINITY;
  check_true(tsim_mi_norm_fit(ws, &d3) == TSIM_MI_ENAN, "an infinite baseline is TSIM_MI_ENAN");
  memcpy(y2, y, sizeof y2);
  y2[2] = -INFINITY;
  check_true(tsim_mi_norm_fit(ws, &d2) == TSIM_MI_ENAN, "an infinite value is TSIM_MI_ENAN");
  /* arm out of range, n > nmax, NULL */
  int arm2[EN];
  memcpy(arm2, arm, sizeof arm2);
  arm2[4] = 2;
  tsim_mi_data d4 = {y, base, arm2, EN};
  tsim_mi_data d5 = {y, base, arm, EN + 1};
  check_true(tsim_mi_norm_fit(ws, &d4) == TSIM_MI_EARG && tsim_mi_norm_fit(ws, &d5) == TSIM_MI_EARG &&
                 tsim_mi_norm_fit(ws, NULL) == TSIM_MI_EARG && tsim_mi_norm_fit(NULL, &d) == TSIM_MI_EARG,
             "an arm out of range, n above nmax, NULL are TSIM_MI_EARG");
  /* too few observed at a visit: arm 1 keeps 3 patients at visit 2 (q = 1 + 1 + 2 = 4 needs 5) */
  memcpy(y2, y, sizeof y2);
  int kept = 0;
  for (int i = 0; i < EN; i++)
    if (arm[i] == 1 && !isnan(y2[i * EV + 2]) && ++kept > 3) y2[i * EV + 2] = NAN;
  check_true(tsim_mi_norm_fit(ws, &d2) == TSIM_MI_ETOOFEW, "too few observed at a visit is TSIM_MI_ETOOFEW");
  tsim_mi_where(ws, &a, &v, &row);
  check_true(a == 1 && v == 2, "... and tsim_mi_where names the arm and visit");
  check_true(tsim_mi_rb_fit(ws, &d2, 1) == TSIM_MI_ETOOFEW, "... in the reference-based fit by arm too");
  /* nu_j < 1 though n_j >= q_j + 1: the reference-based fit needs more (V = 3, p = 3 common:
   * nu_0 = n_0 - 5); every patient but 5 missing at visit 0: n_0 = 5, q_0 = 3 */
  memcpy(y2, y, sizeof y2);
  for (int i = 5; i < EN; i++)
    for (int j = 0; j < EV; j++) y2[i * EV + j] = NAN;
  check_true(tsim_mi_rb_fit(ws, &d2, 0) == TSIM_MI_ETOOFEW, "rb: nu_j below 1 is TSIM_MI_ETOOFEW");
  /* an aliased design: the baseline equal to visit 0 in arm 0 (regressing visit 1 on both) */
  memcpy(b2, base, sizeof b2);
  for (int i = 0; i < EN; i++)
    if (arm[i] == 0) b2[i] = isnan(y[i * EV]) ? 0.0 : 2.0 * y[i * EV] - 1.0;
  check_true(tsim_mi_norm_fit(ws, &d3) == TSIM_MI_ESINGULAR, "an aliased design is TSIM_MI_ESINGULAR");
  tsim_mi_where(ws, &a, &v, &row);
  check_true(a == 0 && v >= 1, "... and tsim_mi_where names the arm and visit");
  /* rb common covariance with an empty arm: its indicator column is 0 */
  tsim_mi_ws *ws3 = tsim_mi_ws_new(EV, EN, 3);
  check_true(tsim_mi_rb_fit(ws3, &d, 0) == TSIM_MI_ESINGULAR && tsim_mi_rb_fit(ws3, &d, 1) == TSIM_MI_ETOOFEW &&
                 tsim_mi_norm_fit(ws3, &d) == TSIM_MI_OK,
             "an arm without patients: aliased (common), too few (by arm); norm needs no fit for it");
  tsim_mi_ws_free(ws3);
  /* values of any size up to about 1e150 impute; beyond, a non-finite fit is TSIM_MI_ERANGE */
  for (int i = 0; i < EN * EV; i++) y2[i] = y[i] * 1e200;
  check_true(tsim_mi_norm_fit(ws, &d2) == TSIM_MI_ERANGE, "values of 1e200 give TSIM_MI_ERANGE, not garbage");
  check_true(tsim_mi_delta(&d, EV, yimp, -2, (double[]){0, 0, 1}, TSIM_MI_DELTA_EACH) == TSIM_MI_EARG &&
                 tsim_mi_delta(&d, EV, yimp, 0, (double[]){0, NAN, 1}, TSIM_MI_DELTA_EACH) == TSIM_MI_EARG,
             "delta: arm below -1, a NaN delta refused");
  check_true(!strcmp(tsim_mi_status_message(TSIM_MI_ETOOFEW),
                     "too few observed values at a visit to fit its regression"),
             "status messages");
  tsim_mi_ws_free(ws);
}

/* The draws are taken in the order impute.h states: the same numbers drawn by hand from a copy
 * of the generator in that order, then supplied, give the same imputation bit for bit; the
 * same generator state gives the same imputation; a call uses exactly the draws it lists. */
static void draw_order(const char *dir) {
  dataset ds;
  if (!load_set(dir, 1, &ds)) return;
  int V = ds.V;
  size_t nv = ds.n * (size_t)V;
  tsim_mi_data d = data_of(&ds);
  tsim_mi_ws *ws = tsim_mi_ws_new(V, NMAX, ds.narms);
  gsl_rng *r = tsim_rng_alloc(), *r2 = tsim_rng_alloc();
  double *a = malloc(nv * sizeof *a), *b = malloc(nv * sizeof *b), ch[256], z[8192];
  tsim_rng_seed_stream(r, 12345, 7, TSIM_STREAM_OUTCOME);
  gsl_rng_memcpy(r2, r);
  /* norm */
  check_true(tsim_mi_norm_fit(ws, &d) == TSIM_MI_OK, "norm fit of set 1");
  size_t nch = 0, nz = 0;
  for (int arm = 0; arm < ds.narms; arm++)
    for (int j = 0; j < V; j++) {
      tsim_mi_reg rg;
      tsim_mi_norm_reg(ws, arm, j, &rg);
      if (!rg.fitted) continue;
      ch[nch++] = gsl_ran_chisq(r2, rg.df);
      for (size_t t = 0; t < (size_t)rg.q + rg.nmis; t++) z[nz++] = tsim_rng_normal(r2);
    }
  tsim_mi_src sr = tsim_mi_src_rng(r), sg = tsim_mi_src_given(ch, nch, z, nz);
  check_true(tsim_mi_norm_impute(ws, &sr, a) == TSIM_MI_OK && tsim_mi_norm_impute(ws, &sg, b) == TSIM_MI_OK &&
                 !memcmp(a, b, nv * sizeof *a) && sg.ichisq == nch && sg.iz == nz,
             "norm: the generator's draws in the stated order, supplied, give the same imputation");
  check_true(tsim_rng_next(r) == tsim_rng_next(r2), "norm: the generator advanced by exactly those draws");
  tsim_rng_seed_stream(r, 12345, 7, TSIM_STREAM_OUTCOME);
  check_true(tsim_mi_norm_impute(ws, &sr, b) == TSIM_MI_OK && !memcmp(a, b, nv * sizeof *a),
             "norm: the same generator state gives the same imputation");
  check_true(tsim_mi_norm_impute(ws, &sr, b) == TSIM_MI_OK && memcmp(a, b, nv * sizeof *a),
             "norm: the next imputation differs");
  /* reference-based, both covariance choices */
  for (int by_arm = 0; by_arm < 2; by_arm++) {
    check_true(tsim_mi_rb_fit(ws, &d, by_arm) == TSIM_MI_OK, "rb fit of set 1");
    gsl_rng_memcpy(r2, r);
    nch = nz = 0;
    for (int g = 0; g < (by_arm ? ds.narms : 1); g++)
      for (int j = 0; j < V; j++) {
        tsim_mi_reg rg;
        tsim_mi_rb_reg(ws, g, j, &rg);
        ch[nch++] = gsl_ran_chisq(r2, rg.df);
        for (int t = 0; t < rg.q; t++) z[nz++] = tsim_rng_normal(r2);
      }
    size_t npar = nz;
    for (size_t i = 0; i < ds.n; i++)
      for (int j = 0; j < V; j++)
        if (isnan(ds.y[i * (size_t)V + (size_t)j])) z[nz++] = tsim_rng_normal(r2);
    sg = tsim_mi_src_given(ch, nch, z, nz);
    int ok = tsim_mi_rb_draw(ws, &sr) == TSIM_MI_OK && tsim_mi_rb_impute(ws, &sr, TSIM_MI_J2R, 0, a) == TSIM_MI_OK;
    int ok2 = tsim_mi_rb_draw(ws, &sg) == TSIM_MI_OK && sg.iz == npar && sg.ichisq == nch &&
              tsim_mi_rb_impute(ws, &sg, TSIM_MI_J2R, 0, b) == TSIM_MI_OK && sg.iz == nz;
    check_true(ok && ok2 && !memcmp(a, b, nv * sizeof *a) && tsim_rng_next(r) == tsim_rng_next(r2),
               by_arm ? "rb by arm: the stated order of draws" : "rb common: the stated order of draws");
  }
  /* delta adjustment on an imputation: only imputed values of the arm move, by the convention */
  check_true(tsim_mi_rb_point(ws) == TSIM_MI_OK, "rb point");
  tsim_rng_seed_stream(r, 99, 1, TSIM_STREAM_OUTCOME);
  tsim_mi_rb_impute(ws, &sr, TSIM_MI_CIR, 0, a);
  double delta[4] = {1, 2, 4, 8};
  for (int mode = 0; mode < 2; mode++)
    for (int arm = -1; arm < 2; arm++) {
      memcpy(b, a, nv * sizeof *b);
      int st = tsim_mi_delta(&d, V, b, arm, delta, (tsim_mi_delta_mode)mode);
      int ok = st == TSIM_MI_OK;
      for (size_t i = 0; i < ds.n; i++) {
        int k = V;
        for (int j = V - 1; j >= 0; j--)
          if (isnan(ds.y[i * (size_t)V + (size_t)j])) k = j;
        for (int j = 0; j < V; j++) {
          double want = 0.0;
          if (j >= k && (arm < 0 || ds.arm[i] == arm)) {
            if (mode == TSIM_MI_DELTA_EACH) want = delta[j];
            else
              for (int l = k; l <= j; l++) want += delta[l];
          }
          size_t c = i * (size_t)V + (size_t)j;
          ok &= b[c] - a[c] == want || fabs(b[c] - a[c] - want) < 1e-12 * (1 + fabs(a[c]));
        }
      }
      check_true(ok, mode ? "delta cumulative: each imputed value of the arm by the sum since dropout"
                          : "delta each: each imputed value of the arm by its visit's delta");
    }
  free(a);
  free(b);
  gsl_rng_free(r);
  gsl_rng_free(r2);
  tsim_mi_ws_free(ws);
}

/* A baseline's units must not change the imputation model. One data set (60 patients, two arms,
 * two visits, dropout after each) with its baseline on three scales - N(9, 3.5), then the same
 * values moved to mean 1e6 and SD 1e4, and to mean 9 and SD 3e-7: where mice stops with an error
 * (the cross-product too ill-conditioned even with its ridge; lm's rank test calling the baseline
 * aliased with the intercept, below 1e-7 of its norm), impute.c fits centred and scaled
 * covariates and takes the coefficients back. (Between the two, at SD 1e-6, mice fits with its
 * ridge, which shrinks the baseline's coefficient, and so does impute.c, as mice.) Every regression (norm by arm; reference-based common and by arm) must then
 * fit, and give every patient's row the same fitted value x'beta and the same draw variance
 * |F'x|^2 (the law of x'beta given sigma) as the normal scale, with the same RSS and df:
 * relative 1e-7 (the rescaling's own rounding is about 1e-16 times the condition numbers). */
static void scale_free(void) {
  enum { N = 60, V = 2 };
  static double y[N * V], base[3][N];
  static int arm[N];
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 20261207);
  for (int i = 0; i < N; i++) {
    arm[i] = i % 2;
    double b = 9 + 3.5 * gsl_ran_gaussian(r, 1.0);
    base[0][i] = b;
    base[1][i] = 1e6 + (b - 9) * (1e4 / 3.5);
    base[2][i] = 9 + (b - 9) * (3e-7 / 3.5);
    double y0 = 1 - 0.3 * (b - 9) / 3.5 - 2.0 * arm[i] + 4 * gsl_ran_gaussian(r, 1.0);
    y[i * V] = i % 10 == 3 ? NAN : y0;
    y[i * V + 1] = i % 10 == 3 || i % 10 == 7 ? NAN : 0.6 * y0 - 3.0 * arm[i] + 3 * gsl_ran_gaussian(r, 1.0);
  }
  gsl_rng_free(r);
  double worst = 0.0;
  int fits = 0;
  for (int kind = 0; kind < 3; kind++) { /* norm; rb common; rb by arm */
    tsim_mi_ws *ws[3];
    tsim_mi_reg reg[3];
    int ok = 1;
    for (int sc = 0; sc < 3; sc++) {
      ws[sc] = tsim_mi_ws_new(V, N, 2);
      tsim_mi_data d = {y, base[sc], arm, N};
      int st = kind == 0 ? tsim_mi_norm_fit(ws[sc], &d) : tsim_mi_rb_fit(ws[sc], &d, kind == 2);
      ok &= st == TSIM_MI_OK;
    }
    check_true(ok, kind == 0 ? "norm fits the baseline on every scale" : kind == 1 ? "rb (common) fits on every scale"
                                                                       : "rb (by arm) fits on every scale");
    for (int g = 0; ok && g < 2; g++)
      for (int j = 0; j < V; j++) {
        for (int sc = 0; sc < 3; sc++)
          ok &= (kind == 0 ? tsim_mi_norm_reg(ws[sc], g, j, &reg[sc]) : tsim_mi_rb_reg(ws[sc], kind == 2 ? g : 0, j, &reg[sc])) ==
                TSIM_MI_OK;
        if (!ok || !reg[0].fitted) continue;
        fits++;
        for (int sc = 1; sc < 3; sc++) {
          check_true(reg[sc].fitted && reg[sc].q == reg[0].q && reg[sc].df == reg[0].df &&
                         fabs(reg[sc].rss - reg[0].rss) <= 1e-7 * reg[0].rss, "the same regression on every scale");
          for (int i = 0; i < N; i++) {
            if (kind != 1 && arm[i] != g) continue;
            double fit[2] = {0, 0}, var[2] = {0, 0};
            for (int w = 0; w < 2; w++) {
              const tsim_mi_reg *rg = w ? &reg[sc] : &reg[0];
              const double *b = w ? base[sc] : base[0];
              double x[8];
              int c = 0, q = rg->q;
              if (kind == 1) x[c++] = arm[i] == 0, x[c++] = arm[i] == 1;
              else x[c++] = 1.0;
              x[c++] = b[i];
              for (int l = 0; l < j; l++) x[c++] = isnan(y[i * V + l]) ? 0.0 : y[i * V + l];
              for (int t = 0; t < q; t++) fit[w] += x[t] * rg->coef[t];
              for (int col = 0; col < q; col++) { /* (F'x)_col */
                double e = 0.0;
                for (int t = 0; t < q; t++) e += rg->factor[t * q + col] * x[t];
                var[w] += e * e;
              }
            }
            double df = fabs(fit[1] - fit[0]) / (fabs(fit[0]) + 1.0), dv = fabs(var[1] - var[0]) / var[0];
            worst = fmax(worst, fmax(df, dv));
          }
        }
      }
    for (int sc = 0; sc < 3; sc++) tsim_mi_ws_free(ws[sc]);
  }
  check_true(fits == 10 && worst <= 1e-7, "the baseline's scale changes no fitted value or draw variance");
  printf("scale-free: %d regressions, largest relative difference %.3g (mean 1e6 SD 1e4; mean 9 SD 3e-7)\n", fits,
         worst);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s POOL.csv NORM.csv RB.csv DATA_DIR\n", argv[0]);
    return 2;
  }
  pool_reference(argv[1]);
  norm_reference(argv[2], argv[4]);
  rb_reference(argv[3], argv[4]);
  pool_edges();
  bad_input();
  draw_order(argv[4]);
  scale_free();
  printf("%d passed, %d failed\n", n_pass, n_fail);
  return n_fail ? 1 : 0;
}
