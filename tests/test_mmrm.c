/* test_mmrm.c - sim/stats/mmrm.c (the mixed model for repeated measures) against R's nlme::gls,
 * against closed forms, on degenerate input, and in simulation.
 *
 * Usage: test_mmrm [REFERENCE.csv]       the checks below (the reference defaults to the
 *                                        committed tests/r/mmrm_reference.csv)
 *        test_mmrm --bench [FITS [V]]    times FITS (2000) fits of n = 300 patients, V (4) visits
 *
 * 1. nlme (tests/r/mmrm_reference.R on the data sets in tests/mmrm, made once by
 *    tests/mmrm/make_data.R): for every case and every visit, delta and its SE to REL_TOL =
 *    1e-6 relative (of max(|delta|, se) for delta, which can be near 0), the REML
 *    log-likelihood to 1e-6 relative, Sigma to 1e-6 of sqrt(Sigma_aa Sigma_bb) (an off-diagonal
 *    entry can be near 0), and Satterthwaite's df to DF_TOL = 1e-5 relative: the reference df
 *    are R's numerical derivatives, whose own error the script estimates (at most 3e-7 here; it
 *    stops above 1e-6), so 1e-5 leaves a factor of 10 over the worst it allows. The largest
 *    differences seen are printed (about 1e-10 for delta, se and Sigma, 3e-13 for the
 *    log-likelihood, 2.5e-7 for df). The interval, t and p must follow from diff, se and df.
 * 2. Closed forms: with one visit and complete data the MMRM is the two-sample Student t test
 *    (df = n - 2) without baseline and ANCOVA (df = n - 3) with it: delta, se, t, df, p and the
 *    interval to 1e-10 relative. With complete data at several visits, each visit's delta, se
 *    and df are that visit's ANCOVA (GLS with a design common to all visits is visit-wise least
 *    squares; REML's Sigma_vv is the residual variance on n - 3 df): to 1e-10 as well.
 * 3. Degenerate and bad input: every status of TSIM_MMRM_STATUS_MAP but NOT_CONVERGED,
 *    NOT_IDENTIFIED and DF_TOO_SMALL (no small data set reaches them reliably), with every
 *    number NaN; invariances (strides, scale by powers of two to 2^+-1000, a shift of 1e4, a
 *    dropped patient, workspace reuse, conf = 0), the margin p-values, 16 visits.
 * 4. Simulation: 2000 trials, n = 100, V = 3, dropout at random depending on the last value
 *    seen (MAR): the 95% interval covers the true delta at the last visit with a rate within
 *    4 SE of 0.95 (SE = sqrt(0.95 0.05 / 2000) = 0.0049), and the mean estimate is within 4 SE
 *    of the truth (SE = the estimates' SD / sqrt(2000)); the completers' difference, biased by
 *    the dropout, must fail that check (so it has power).
 * GSL's default error handler (abort) stays on: no call may reach it.
 * Output: one line per failed check, summary lines, then "N passed, N failed".
 */
#include "refcheck.h"
#include "core/rng.h"
#include "stats/ancova.h"
#include "stats/contest.h"
#include "stats/mmrm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef TSIM_MMRM_DATA
#error "TSIM_MMRM_DATA (the folder tests/mmrm) must be defined by the build"
#endif

#define REL_TOL 1e-6
#define DF_TOL 1e-5
#define MAXN 400
#define V_MAX TSIM_MMRM_MAX_VISITS

/* One data set: patients' arm, baseline and values (row-major, NaN missing). */
typedef struct dataset {
  int n, V;
  int arm[MAXN];
  double base[MAXN];
  double y[MAXN * V_MAX];
} dataset;

/* The arms' tables, row-major: control rows first. */
typedef struct split {
  double y[2][MAXN * V_MAX], base[2][MAXN];
  size_t n[2];
} split;

static void split_arms(const dataset *d, split *s) {
  s->n[0] = s->n[1] = 0;
  for (int i = 0; i < d->n; i++) {
    int g = d->arm[i];
    memcpy(s->y[g] + s->n[g] * (size_t)d->V, d->y + (size_t)i * (size_t)d->V, sizeof(double) * (size_t)d->V);
    s->base[g][s->n[g]++] = d->base[i];
  }
}

static tsim_mmrm_status fit_split(tsim_mmrm_ws *ws, const split *s, int V, int use_base, int at, double conf,
                                  tsim_mmrm_fit *f) {
  tsim_mmrm_arm a0 = {s->y[0], use_base ? s->base[0] : NULL, s->n[0], (size_t)V, 1};
  tsim_mmrm_arm a1 = {s->y[1], use_base ? s->base[1] : NULL, s->n[1], (size_t)V, 1};
  return tsim_mmrm(ws, a0, a1, V, at, conf, f);
}

/* tests/mmrm/NAME.csv: arm,base,y1..yV with NA for missing. 1 on success. */
static int load_dataset(const char *name, dataset *d) {
  char path[1024], line[4096];
  snprintf(path, sizeof path, "%s/%s.csv", TSIM_MMRM_DATA, name);
  FILE *f = fopen(path, "r");
  if (!f) {
    printf("FAIL cannot open %s\n", path);
    n_fail++;
    return 0;
  }
  d->n = 0;
  d->V = 0;
  int ok = fgets(line, sizeof line, f) != NULL;
  if (ok)
    for (char *c = line; *c; c++) d->V += *c == ',';
  d->V -= 1; /* arm, base, then V values */
  ok = ok && d->V >= 1 && d->V <= V_MAX;
  while (ok && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (!*line) continue;
    char *fld[V_MAX + 3];
    double v[V_MAX + 2];
    ok = d->n < MAXN && refcheck_split(line, ',', fld, V_MAX + 2) == d->V + 2;
    for (int j = 0; ok && j < d->V + 2; j++) ok = parse_double(fld[j], &v[j]);
    if (!ok) break;
    d->arm[d->n] = (int)v[0];
    d->base[d->n] = v[1];
    for (int j = 0; j < d->V; j++) d->y[(size_t)d->n * (size_t)d->V + (size_t)j] = v[j + 2];
    d->n++;
  }
  fclose(f);
  if (!ok) {
    printf("FAIL malformed data set %s\n", path);
    n_fail++;
  }
  return ok;
}

/* ---- 1. nlme ------------------------------------------------------------------------------ */

static tsim_mmrm_ws *g_ws;
static double worst_est, worst_se, worst_ll, worst_sig, worst_df;
static int g_iters_max;

static void rel_check(const char *what, const char *ctx, double obs, double exp, double scale, double tol,
                      double *worst) {
  refcheck_against(what, ctx, obs, exp, scale, tol, worst);
}

/* case,data,baseline,visits,patients,observations,loglik,delta,se,df,sigma */
static int check_reference_line(char *line, const char *where) {
  char *f[12];
  if (refcheck_split(line, ',', f, 11) != 11) {
    printf("FAIL %s: not 11 fields\n", where);
    n_fail++;
    return 0;
  }
  long long base, V, patients, obs;
  double ll;
  if (!parse_ll(f[2], &base) || !parse_ll(f[3], &V) || !parse_ll(f[4], &patients) || !parse_ll(f[5], &obs) ||
      !parse_double(f[6], &ll) || V < 1 || V > V_MAX) {
    printf("FAIL %s: malformed\n", where);
    n_fail++;
    return 0;
  }
  double *delta = refcheck_parse_list(f[7], V), *se = refcheck_parse_list(f[8], V);
  double *df = refcheck_parse_list(f[9], V), *sig = refcheck_parse_list(f[10], V * V);
  static dataset d;
  static split s;
  int ok = delta && se && df && sig && load_dataset(f[1], &d) && d.V == V;
  if (!ok) {
    printf("FAIL %s: malformed lists or data set %s\n", where, f[1]);
    n_fail++;
  }
  for (int at = 0; ok && at < V; at++) {
    char ctx[200];
    snprintf(ctx, sizeof ctx, "%s (visit %d)", f[0], at + 1);
    split_arms(&d, &s);
    tsim_mmrm_fit fit;
    tsim_mmrm_status st = fit_split(g_ws, &s, (int)V, (int)base, at, 0.95, &fit);
    check_true(st == TSIM_MMRM_OK && fit.converged, ctx);
    if (st != TSIM_MMRM_OK) {
      printf("  %s: %s\n", ctx, tsim_mmrm_status_text(st));
      continue;
    }
    if (fit.iterations > g_iters_max) g_iters_max = fit.iterations;
    rel_check("delta", ctx, fit.diff, delta[at], se[at], REL_TOL, &worst_est);
    rel_check("se", ctx, fit.se, se[at], 0.0, REL_TOL, &worst_se);
    rel_check("df", ctx, fit.df, df[at], 0.0, DF_TOL, &worst_df);
    check_true((long long)fit.patients == patients && (long long)fit.observations == obs, "patients and observations");
    if (at == V - 1) {
      rel_check("loglik", ctx, fit.loglik, ll, 0.0, REL_TOL, &worst_ll);
      for (int a = 0; a < V; a++)
        for (int b = 0; b < V; b++)
          rel_check("sigma", ctx, fit.sigma[a * V + b], sig[a * V + b], sqrt(sig[a * V + a] * sig[b * V + b]), REL_TOL,
                    &worst_sig);
    }
    /* The interval and p from the fit's own t and df. */
    double q = tsim_t_upper_quantile(0.025, fit.df);
    check_true(fabs(fit.lo - (fit.diff - q * fit.se)) <= 1e-12 * fabs(fit.se) * (1 + q) &&
                   fabs(fit.t - fit.diff / fit.se) <= 1e-12 * fmax(1.0, fabs(fit.t)) &&
                   fit.p == tsim_t_two_sided_p(fit.t, fit.df),
               "interval, t and p from diff, se and df");
  }
  free(delta);
  free(se);
  free(df);
  free(sig);
  return ok;
}

/* ---- 2. closed forms ---------------------------------------------------------------------- */

static double gauss(gsl_rng *r) { return tsim_rng_normal(r); }

/* rel: |a - b| <= tol max(|b|, floor). */
static int close_to(double a, double b, double tol, double floor) {
  return fabs(a - b) <= tol * fmax(fabs(b), floor);
}

static void check_closed_forms(gsl_rng *r) {
  static split s;
  int fails0 = n_fail;
  double worst = 0.0, worst_multi = 0.0;
  for (int rep = 0; rep < 42; rep++) {
    /* 40 small sets of 1 to 4 visits, then two of 16 (the most a fit takes). */
    size_t n0 = rep < 40 ? 5 + (size_t)rep % 17 : 30, n1 = rep < 40 ? 4 + (size_t)(rep * 7) % 23 : 25;
    double scale = ldexp(1.0, rep % 9 - 4) * (1 + rep % 3), loc = rep % 4 == 0 ? 1000.0 : 0.0;
    int V = rep < 40 ? 1 + rep % 4 : V_MAX;
    s.n[0] = n0;
    s.n[1] = n1;
    for (int g = 0; g < 2; g++)
      for (size_t i = 0; i < s.n[g]; i++) {
        double b = 10 + 2 * gauss(r), e = gauss(r);
        s.base[g][i] = b;
        for (int v = 0; v < V; v++) {
          e = 0.6 * e + 0.8 * gauss(r);
          s.y[g][i * (size_t)V + (size_t)v] = loc + scale * (0.3 * g * (v + 1) + 0.5 * b + e);
        }
      }
    for (int use_base = 0; use_base < 2; use_base++)
      for (int at = 0; at < V; at += V > 4 ? 5 : 1) {
        char ctx[160];
        snprintf(ctx, sizeof ctx, "complete data rep %d V %d at %d %s", rep, V, at, use_base ? "ANCOVA" : "t test");
        tsim_mmrm_fit fit;
        tsim_mmrm_status st = fit_split(g_ws, &s, V, use_base, at, 0.9, &fit);
        /* The visit's own values, as the closed forms take them. */
        double y0[MAXN], y1[MAXN];
        for (size_t i = 0; i < n0; i++) y0[i] = s.y[0][i * (size_t)V + (size_t)at];
        for (size_t i = 0; i < n1; i++) y1[i] = s.y[1][i * (size_t)V + (size_t)at];
        double diff, se, t, df, p, lo, hi;
        if (use_base) {
          static tsim_ancova_ws *aw;
          if (!aw) aw = tsim_ancova_ws_new(2 * MAXN);
          tsim_ancova_fit af;
          tsim_ancova(aw, (tsim_ancova_arm){y0, s.base[0], n0}, (tsim_ancova_arm){y1, s.base[1], n1}, 0.9, &af);
          diff = af.diff, se = af.se, t = af.t, df = af.df, p = af.p, lo = af.lo, hi = af.hi;
        } else {
          tsim_arm_summary c0, c1;
          tsim_mean_sd(y0, (long long)n0, &c0.mean, &c0.sd);
          tsim_mean_sd(y1, (long long)n1, &c1.mean, &c1.sd);
          c0.n = (long long)n0;
          c1.n = (long long)n1;
          tsim_t_fit tf;
          tsim_student_t(c0, c1, 0.9, &tf);
          diff = tf.diff, t = tf.stat, df = tf.df, p = tf.p, lo = tf.lo, hi = tf.hi, se = tf.diff / tf.stat;
        }
        double tol = 1e-10;
        double err = fmax(fabs(fit.diff - diff) / fmax(fabs(diff), se), fabs(fit.se - se) / se);
        err = fmax(err, fmax(fabs(fit.df - df) / df, fabs(fit.p - p) / p));
        err = fmax(err, fmax(fabs(fit.lo - lo), fabs(fit.hi - hi)) / se);
        err = fmax(err, fabs(fit.t - t) / fmax(1.0, fabs(t)));
        if (V == 1) worst = fmax(worst, err); else worst_multi = fmax(worst_multi, err);
        check_true(st == TSIM_MMRM_OK && err <= tol, ctx);
        if (!(st == TSIM_MMRM_OK && err <= tol))
          printf("  %s: status %s, err %.3g: diff %.17g vs %.17g, se %.17g vs %.17g, df %.17g vs %.17g, p %.17g vs %.17g\n",
                 ctx, tsim_mmrm_status_text(st), err, fit.diff, diff, fit.se, se, fit.df, df, fit.p, p);
        (void)close_to;
      }
  }
  /* Sixteen visits with 3% of the values missing anywhere (about 30 patterns): a fit, its df between the
   * complete-data df n - 3 and 0. */
  {
    int V = V_MAX;
    for (int g = 0; g < 2; g++)
      for (size_t i = 0; i < s.n[g] * (size_t)V; i++)
        if (tsim_rng_uniform(r) < 0.03) s.y[g][i] = NAN;
    tsim_mmrm_fit fit;
    tsim_mmrm_status st = fit_split(g_ws, &s, V, 1, V - 1, 0.95, &fit);
    check_true(st == TSIM_MMRM_OK && fit.df > 0 && fit.df < (double)(s.n[0] + s.n[1] - 3) && fit.se > 0,
               "16 visits, 3% missing anywhere");
    printf("16 visits, 3%% missing: %s after %d iterations, df %.4g\n", tsim_mmrm_status_text(st), fit.iterations,
           fit.df);
  }
  printf("closed forms: V = 1 against Student t / ANCOVA, worst relative difference %.2g (tolerance 1e-10);"
         " V = 2..4 and 16 complete against visit-wise ANCOVA / t %.2g (1e-10)%s\n",
         worst, worst_multi, n_fail > fails0 ? " FAILED" : "");
}

/* ---- 3. degenerate and bad input ----------------------------------------------------------- */

static int all_nan(const tsim_mmrm_fit *f) {
  int ok = isnan(f->diff) && isnan(f->se) && isnan(f->df) && isnan(f->t) && isnan(f->p) && isnan(f->lo) &&
           isnan(f->hi) && isnan(f->loglik);
  for (int i = 0; i < V_MAX * V_MAX; i++) ok = ok && isnan(f->sigma[i]);
  return ok;
}

static void expect_status(tsim_mmrm_status got, const tsim_mmrm_fit *f, tsim_mmrm_status want, const char *what) {
  int ok = got == want && f->status == want && all_nan(f) && strlen(tsim_mmrm_status_text(got)) > 5;
  check_true(ok, what);
  if (!ok) printf("  %s: got \"%s\", want \"%s\"\n", what, tsim_mmrm_status_text(got), tsim_mmrm_status_text(want));
}

/* n0 + n1 patients, V visits, complete, correlated noise. */
static void make_data(gsl_rng *r, split *s, size_t n0, size_t n1, int V) {
  s->n[0] = n0;
  s->n[1] = n1;
  for (int g = 0; g < 2; g++)
    for (size_t i = 0; i < s->n[g]; i++) {
      double e = gauss(r), b = gauss(r);
      s->base[g][i] = b;
      for (int v = 0; v < V; v++) {
        e = 0.5 * e + 0.9 * gauss(r);
        s->y[g][i * (size_t)V + (size_t)v] = 1.0 + 0.5 * g + 0.4 * b + e;
      }
    }
}

static void check_degenerate(gsl_rng *r) {
  static split s, s2;
  tsim_mmrm_fit f, f2;
  enum { V = 3 };
  make_data(r, &s, 20, 18, V);
  tsim_mmrm_arm a0 = {s.y[0], s.base[0], s.n[0], V, 1}, a1 = {s.y[1], s.base[1], s.n[1], V, 1};

  /* Bad arguments. */
  expect_status(tsim_mmrm(NULL, a0, a1, V, 2, 0.95, &f), &f, TSIM_MMRM_BAD_ARGUMENT, "no workspace");
  check_true(tsim_mmrm(g_ws, a0, a1, V, 2, 0.95, NULL) == TSIM_MMRM_BAD_ARGUMENT, "no output");
  expect_status(tsim_mmrm(g_ws, a0, a1, 0, 0, 0.95, &f), &f, TSIM_MMRM_BAD_ARGUMENT, "0 visits");
  expect_status(tsim_mmrm(g_ws, a0, a1, V_MAX + 1, 0, 0.95, &f), &f, TSIM_MMRM_BAD_ARGUMENT, "too many visits");
  expect_status(tsim_mmrm(g_ws, a0, a1, V, 3, 0.95, &f), &f, TSIM_MMRM_BAD_ARGUMENT, "at = visits");
  expect_status(tsim_mmrm(g_ws, a0, a1, V, -1, 0.95, &f), &f, TSIM_MMRM_BAD_ARGUMENT, "at < 0");
  expect_status(tsim_mmrm(g_ws, a0, a1, V, 2, 1.0, &f), &f, TSIM_MMRM_BAD_ARGUMENT, "conf 1");
  expect_status(tsim_mmrm(g_ws, a0, a1, V, 2, NAN, &f), &f, TSIM_MMRM_BAD_ARGUMENT, "conf NaN");
  tsim_mmrm_arm nb = a1;
  nb.base = NULL;
  expect_status(tsim_mmrm(g_ws, a0, nb, V, 2, 0.95, &f), &f, TSIM_MMRM_BAD_ARGUMENT, "baseline in one arm only");
  tsim_mmrm_arm big = a1;
  big.n = 2 * MAXN;
  expect_status(tsim_mmrm(g_ws, a0, big, V, 2, 0.95, &f), &f, TSIM_MMRM_BAD_ARGUMENT, "more patients than nmax");
  tsim_mmrm_arm zs = a1;
  zs.pstride = 0;
  expect_status(tsim_mmrm(g_ws, a0, zs, V, 2, 0.95, &f), &f, TSIM_MMRM_BAD_ARGUMENT, "stride 0");
  {
    tsim_mmrm_ws *small = tsim_mmrm_ws_new(2, 100);
    expect_status(tsim_mmrm(small, a0, a1, V, 2, 0.95, &f), &f, TSIM_MMRM_BAD_ARGUMENT, "more visits than the workspace");
    tsim_mmrm_ws_free(small);
    check_true(tsim_mmrm_ws_new(0, 10) == NULL && tsim_mmrm_ws_new(V_MAX + 1, 10) == NULL &&
                   tsim_mmrm_ws_new(3, 0) == NULL, "workspace arguments");
    tsim_mmrm_ws_free(NULL);
  }
  s2 = s;
  s2.y[1][4] = INFINITY;
  expect_status(fit_split(g_ws, &s2, V, 1, 2, 0.95, &f), &f, TSIM_MMRM_BAD_ARGUMENT, "infinite value");
  s2 = s;
  s2.base[0][3] = -INFINITY;
  expect_status(fit_split(g_ws, &s2, V, 1, 2, 0.95, &f), &f, TSIM_MMRM_BAD_ARGUMENT, "infinite baseline");

  /* Visits without values. */
  s2 = s;
  for (size_t i = 0; i < s2.n[0]; i++) s2.y[0][i * V + 1] = NAN;
  expect_status(fit_split(g_ws, &s2, V, 1, 2, 0.95, &f), &f, TSIM_MMRM_EMPTY_VISIT, "an arm empty at a visit");
  for (size_t i = 0; i < s2.n[1]; i++) s2.y[1][i * V + 1] = NAN;
  expect_status(fit_split(g_ws, &s2, V, 1, 2, 0.95, &f), &f, TSIM_MMRM_EMPTY_VISIT, "a visit with no value");
  s2 = s;
  for (int g = 0; g < 2; g++)
    for (size_t i = 0; i < s2.n[g] * V; i++) s2.y[g][i] = NAN;
  expect_status(fit_split(g_ws, &s2, V, 1, 2, 0.95, &f), &f, TSIM_MMRM_EMPTY_VISIT, "no value at all");
  s2 = s;
  s2.n[0] = s2.n[1] = 0;
  expect_status(fit_split(g_ws, &s2, V, 1, 2, 0.95, &f), &f, TSIM_MMRM_EMPTY_VISIT, "no patients");

  /* Too few: 2 + 1 patients with a baseline have 3 values per visit for 3 fixed effects. */
  s2 = s;
  s2.n[0] = 2;
  s2.n[1] = 1;
  expect_status(fit_split(g_ws, &s2, V, 1, 2, 0.95, &f), &f, TSIM_MMRM_TOO_FEW, "3 patients, baseline");
  s2 = s;
  for (size_t i = 1; i < s2.n[1]; i++) s2.y[1][i * V + 2] = NAN;
  for (size_t i = 1; i < s2.n[0]; i++) s2.y[0][i * V + 2] = NAN;
  expect_status(fit_split(g_ws, &s2, V, 0, 2, 0.95, &f), &f, TSIM_MMRM_TOO_FEW, "2 values at the last visit");

  /* Visits 0 and 1 never together. */
  s2 = s;
  for (int g = 0; g < 2; g++)
    for (size_t i = 0; i < s2.n[g]; i++) s2.y[g][i * V + (i % 2)] = NAN;
  expect_status(fit_split(g_ws, &s2, V, 1, 2, 0.95, &f), &f, TSIM_MMRM_UNPAIRED, "visits never together");

  /* Collinear baselines. */
  s2 = s;
  for (int g = 0; g < 2; g++)
    for (size_t i = 0; i < s2.n[g]; i++) s2.base[g][i] = 7.0;
  expect_status(fit_split(g_ws, &s2, V, 1, 2, 0.95, &f), &f, TSIM_MMRM_COLLINEAR, "constant baseline");
  for (size_t i = 0; i < s2.n[1]; i++) s2.base[1][i] = 9.5;
  expect_status(fit_split(g_ws, &s2, V, 1, 2, 0.95, &f), &f, TSIM_MMRM_COLLINEAR, "baseline = a + b arm");
  s2.base[1][0] = 9.5 + 1e-9; /* within 1e-7 of its spread: collinear as R decides */
  expect_status(fit_split(g_ws, &s2, V, 1, 2, 0.95, &f), &f, TSIM_MMRM_COLLINEAR, "baseline nearly a + b arm");
  s2 = s; /* collinear only among the patients seen at the last visit */
  for (int g = 0; g < 2; g++)
    for (size_t i = 0; i < s2.n[g]; i++)
      if (i % 3 != 0) s2.y[g][i * V + 2] = NAN; else s2.base[g][i] = 1.0;
  expect_status(fit_split(g_ws, &s2, V, 1, 1, 0.95, &f), &f, TSIM_MMRM_COLLINEAR, "collinear at one visit");

  /* A visit fitted exactly. */
  s2 = s;
  for (int g = 0; g < 2; g++)
    for (size_t i = 0; i < s2.n[g]; i++) s2.y[g][i * V + 1] = 3.0 + 2.0 * g;
  expect_status(fit_split(g_ws, &s2, V, 0, 2, 0.95, &f), &f, TSIM_MMRM_PERFECT_FIT, "a visit without noise");

  /* Too few patients for an unstructured 4 x 4 matrix: 3 + 2 complete patients without a
   * baseline leave n - 2 = 3 < V residual degrees of freedom, and REML's likelihood grows
   * without bound as Sigma tends to a singular matrix. */
  {
    static split t;
    make_data(r, &t, 3, 2, 4);
    tsim_mmrm_status st = fit_split(g_ws, &t, 4, 0, 3, 0.95, &f);
    expect_status(st, &f, TSIM_MMRM_SINGULAR, "n - 2 < V complete patients");
    check_true(f.iterations > 0 && f.iterations <= 60 && !f.converged, "the singular fit stops within the cap");
  }

  /* A patient with a NaN baseline, or no value, contributes nothing: the same bits as without. */
  s2 = s;
  s2.base[0][5] = NAN;
  fit_split(g_ws, &s2, V, 1, 2, 0.95, &f);
  s2 = s;
  memmove(s2.y[0] + 5 * V, s2.y[0] + 6 * V, sizeof(double) * (s2.n[0] - 6) * V);
  memmove(s2.base[0] + 5, s2.base[0] + 6, sizeof(double) * (s2.n[0] - 6));
  s2.n[0]--;
  fit_split(g_ws, &s2, V, 1, 2, 0.95, &f2);
  check_true(f.status == TSIM_MMRM_OK && f.diff == f2.diff && f.se == f2.se && f.df == f2.df &&
                 f.loglik == f2.loglik && f.patients == f2.patients && f.patients == 37,
             "a NaN baseline drops the patient");
  s2 = s;
  for (int v = 0; v < V; v++) s2.y[1][7 * V + v] = NAN;
  fit_split(g_ws, &s2, V, 0, 2, 0.95, &f);
  s2 = s;
  memmove(s2.y[1] + 7 * V, s2.y[1] + 8 * V, sizeof(double) * (s2.n[1] - 8) * V);
  s2.n[1]--;
  fit_split(g_ws, &s2, V, 0, 2, 0.95, &f2);
  check_true(f.status == TSIM_MMRM_OK && f.diff == f2.diff && f.se == f2.se && f.df == f2.df &&
                 f.loglik == f2.loglik && f.observations == f2.observations,
             "a patient without values contributes nothing");

  /* Strides: a visit-major table gives the same bits; scaling y and the baseline by powers of two
   * scales delta, se, Sigma exactly and leaves t, df, p as they are; the log-likelihood moves by
   * the Jacobian, (N - p) log 2^10 + V log 2^-7. */
  s2 = s;
  for (int i = 0; i < 3; i++) s2.y[1][(size_t)(4 * i + 1) * V + 2] = NAN;
  s2.y[0][V + 1] = NAN;
  tsim_mmrm_status st1 = fit_split(g_ws, &s2, V, 1, 1, 0.95, &f);
  {
    static double vm[2][MAXN * V_MAX];
    for (int g = 0; g < 2; g++)
      for (size_t i = 0; i < s2.n[g]; i++)
        for (int v = 0; v < V; v++) vm[g][(size_t)v * s2.n[g] + i] = s2.y[g][i * V + (size_t)v];
    tsim_mmrm_arm b0 = {vm[0], s2.base[0], s2.n[0], 1, s2.n[0]}, b1 = {vm[1], s2.base[1], s2.n[1], 1, s2.n[1]};
    tsim_mmrm(g_ws, b0, b1, V, 1, 0.95, &f2);
    check_true(st1 == TSIM_MMRM_OK && f.diff == f2.diff && f.se == f2.se && f.df == f2.df && f.loglik == f2.loglik &&
                   f.iterations == f2.iterations,
               "visit-major layout");
  }
  {
    static split sc;
    /* y by 2^ey, the baseline by 2^eb: to the ends of the double range (Sigma, in y's units
     * squared, is compared where it is representable). */
    const int ex[3][2] = {{10, -7}, {1000, 900}, {-1000, -1010}};
    for (int e = 0; e < 3; e++) {
      sc = s2;
      for (int g = 0; g < 2; g++) {
        for (size_t i = 0; i < sc.n[g] * V; i++) sc.y[g][i] = ldexp(sc.y[g][i], ex[e][0]);
        for (size_t i = 0; i < sc.n[g]; i++) sc.base[g][i] = ldexp(sc.base[g][i], ex[e][1]);
      }
      fit_split(g_ws, &sc, V, 1, 1, 0.95, &f2);
      double jac = ((double)f.observations - 3 * V) * ex[e][0] * log(2.0) + V * ex[e][1] * log(2.0);
      int same = f2.diff == ldexp(f.diff, ex[e][0]) && f2.se == ldexp(f.se, ex[e][0]) && f2.df == f.df &&
                 f2.p == f.p && f2.lo == ldexp(f.lo, ex[e][0]);
      for (int i = 0; e == 0 && i < V * V; i++) same = same && f2.sigma[i] == ldexp(f.sigma[i], 2 * ex[e][0]);
      char what[80];
      snprintf(what, sizeof what, "y scaled by 2^%d, baseline by 2^%d", ex[e][0], ex[e][1]);
      check_true(f2.status == TSIM_MMRM_OK && same && fabs(f2.loglik - (f.loglik - jac)) <= 1e-12 * fabs(jac), what);
    }
    for (int g = 0; g < 2; g++)
      for (size_t i = 0; i < sc.n[g] * V; i++) sc.y[g][i] = s2.y[g][i] + 1e4 + 3.0 * g;
    fit_split(g_ws, &sc, V, 1, 1, 0.95, &f2);
    check_true(fabs(f2.diff - 3.0 - f.diff) <= 1e-9 * f.se && fabs(f2.se - f.se) <= 1e-9 * f.se &&
                   fabs(f2.df - f.df) <= 1e-9 * f.df,
               "shifted by 1e4 (and 3 in one arm)");
  }
  /* The workspace after a failed fit gives the same fit again. */
  fit_split(g_ws, &s2, V, 1, 1, 0.95, &f2);
  check_true(f.diff == f2.diff && f.df == f2.df && f.loglik == f2.loglik, "workspace reuse");
  /* conf = 0: no interval, the rest the same. */
  fit_split(g_ws, &s2, V, 1, 1, 0.0, &f2);
  check_true(f2.status == TSIM_MMRM_OK && isnan(f2.lo) && isnan(f2.hi) && f2.p == f.p && f2.diff == f.diff,
             "conf 0");
  /* Against a margin: contest.h's shifted t. */
  double pm = tsim_mmrm_margin_p(&f, -0.3, 1), pl = tsim_mmrm_margin_p(&f, 0.9, 0);
  check_true(pm == tsim_t_shifted_p(f.diff, f.se, f.df, -0.3, 1) && pl == tsim_t_shifted_p(f.diff, f.se, f.df, 0.9, 0) &&
                 fabs(tsim_mmrm_margin_p(&f, 0.0, f.t > 0) - f.p / 2) <= 1e-14,
             "margin p-values");
  tsim_mmrm_fit bad;
  fit_split(g_ws, &s2, V, 1, 7, 0.95, &bad);
  check_true(isnan(tsim_mmrm_margin_p(&bad, 0.0, 1)) && isnan(tsim_mmrm_margin_p(&f, NAN, 1)), "margin p undefined");
  check_true(strcmp(tsim_mmrm_status_text((tsim_mmrm_status)99), "unknown status") == 0, "unknown status text");
}

/* ---- 4. simulation under MAR dropout ------------------------------------------------------- */

/* One trial: n per arm, 3 visits, SDs 1, 1.3, 1.6, correlations 0.6^|v - w| (as an AR(1) of
 * innovations), baseline slope 0.5, delta = 0.2, 0.4, 0.6. After visits 1 and 2 a patient
 * leaves with probability logistic(-1.5 + 1.2 z), z = (value just seen - 2) / its SD: missing at
 * random, more often in the arm whose values run higher, so the completers' difference is
 * biased where the MMRM is not. */
static void mar_trial(gsl_rng *r, split *s, size_t n) {
  const double sd[3] = {1.0, 1.3, 1.6}, delta[3] = {0.2, 0.4, 0.6}, rho = 0.6;
  s->n[0] = s->n[1] = n;
  for (int g = 0; g < 2; g++)
    for (size_t i = 0; i < n; i++) {
      double b = gauss(r), e = gauss(r), *y = s->y[g] + i * 3;
      s->base[g][i] = b;
      int gone = 0;
      for (int v = 0; v < 3; v++) {
        if (v > 0) e = rho * e + sqrt(1 - rho * rho) * gauss(r);
        double val = 2.0 + delta[v] * g + 0.5 * b + sd[v] * e;
        if (!gone && v > 0) {
          double z = (y[v - 1] - 2.0) / sd[v - 1];
          gone = tsim_rng_uniform(r) < 1.0 / (1.0 + exp(1.5 - 1.2 * z));
        }
        y[v] = gone ? NAN : val;
      }
    }
}

static void check_simulation(gsl_rng *r) {
  static split s;
  const int trials = 2000;
  const double truth = 0.6;
  double sum = 0.0, sum2 = 0.0, cc_sum = 0.0, miss = 0.0;
  int cover = 0, ok = 0;
  for (int tr = 0; tr < trials; tr++) {
    mar_trial(r, &s, 50);
    tsim_mmrm_fit f;
    if (fit_split(g_ws, &s, 3, 1, 2, 0.95, &f) != TSIM_MMRM_OK) continue;
    ok++;
    sum += f.diff;
    sum2 += f.diff * f.diff;
    cover += f.lo <= truth && truth <= f.hi;
    /* The completers' difference in means at the last visit, for comparison (biased). */
    double m[2] = {0, 0}, c[2] = {0, 0};
    for (int g = 0; g < 2; g++)
      for (size_t i = 0; i < s.n[g]; i++)
        if (!isnan(s.y[g][i * 3 + 2])) m[g] += s.y[g][i * 3 + 2], c[g]++;
    cc_sum += m[1] / c[1] - m[0] / c[0];
    miss += 1.0 - (c[0] + c[1]) / 100.0;
  }
  check_true(ok == trials, "every simulated trial fitted");
  double mean = sum / ok, sd = sqrt((sum2 - ok * mean * mean) / (ok - 1)), se_mean = sd / sqrt(ok);
  double rate = (double)cover / ok, se_rate = sqrt(0.95 * 0.05 / ok);
  printf("simulation (%d trials, n = 100, V = 3, MAR dropout, %.0f%% missing at the last visit): mean delta %.4f "
         "(truth %.1f, SE %.4f; completers' difference %.4f), 95%% coverage %.4f (SE %.4f)\n",
         ok, 100 * miss / ok, mean, truth, se_mean, cc_sum / ok, rate, se_rate);
  check_true(fabs(mean - truth) <= 4 * se_mean, "MMRM unbiased under MAR within 4 SE");
  check_true(fabs(rate - 0.95) <= 4 * se_rate, "95% coverage within 4 SE");
  /* The unbiasedness check has power: the completers' difference fails it. */
  check_true(fabs(cc_sum / ok - truth) > 4 * se_mean, "the completers' difference biased beyond 4 SE");
}

/* ---- timing --------------------------------------------------------------------------------- */

static int bench(int fits, int V) {
  static split s;
  gsl_rng *r = tsim_rng_alloc();
  tsim_rng_seed_stream(r, 7, 0, TSIM_STREAM_OUTCOME);
  tsim_mmrm_ws *ws = tsim_mmrm_ws_new(V, 300);
  double iters = 0, secs = 0;
  int ok = 0;
  for (int k = 0; k < fits; k++) {
    make_data(r, &s, 150, 150, V);
    for (int g = 0; g < 2; g++) /* monotone dropout, 10% after each visit */
      for (size_t i = 0; i < 150; i++)
        for (int v = 1, gone = 0; v < V; v++) {
          gone = gone || tsim_rng_uniform(r) < 0.1;
          if (gone) s.y[g][i * (size_t)V + (size_t)v] = NAN;
        }
    tsim_mmrm_fit f;
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    ok += fit_split(ws, &s, V, 1, V - 1, 0.95, &f) == TSIM_MMRM_OK;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    secs += (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    iters += f.iterations;
  }
  printf("%d fits of n = 300, V = %d with baseline, monotone dropout: %.1f us of CPU per fit, %.2f iterations on "
         "average, %d fitted\n",
         fits, V, 1e6 * secs / fits, iters / fits, ok);
  tsim_mmrm_ws_free(ws);
  gsl_rng_free(r);
  return ok == fits ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "--bench") == 0) {
    int fits = argc >= 3 ? atoi(argv[2]) : 2000, V = argc >= 4 ? atoi(argv[3]) : 4;
    if (fits < 1 || V < 2 || V > V_MAX) return 2;
    return bench(fits, V);
  }
  if (!refcheck_args_ok(argc, argv)) return 2;
  g_ws = tsim_mmrm_ws_new(V_MAX, MAXN);
  if (!g_ws) {
    printf("FAIL workspace\n");
    return 1;
  }
  refcheck_reference(argc == 2 ? argv[1] : TSIM_MMRM_DATA "/../r/mmrm_reference.csv", "case,", check_reference_line,
                     NULL, 0);
  printf("against nlme: worst relative difference delta %.2g, se %.2g, loglik %.2g, Sigma %.2g (tolerance %g);"
         " df %.2g (tolerance %g); at most %d iterations\n",
         worst_est, worst_se, worst_ll, worst_sig, REL_TOL, worst_df, DF_TOL, g_iters_max);
  gsl_rng *r = tsim_rng_alloc();
  tsim_rng_seed_stream(r, 20240601, 0, TSIM_STREAM_OUTCOME);
  check_closed_forms(r);
  check_degenerate(r);
  check_simulation(r);
  gsl_rng_free(r);
  tsim_mmrm_ws_free(g_ws);
  return refcheck_summary();
}
