/* test_impute_stats.c - sim/stats/impute.c in distribution: multiple imputation with Rubin's
 * rules estimates what it should, with the coverage it should, on data simulated from known
 * multivariate normals; the posterior draw is the inverse Wishart it should be. Fixed seeds;
 * every tolerance is 4 Monte Carlo standard errors. Also prints the time of one multiple
 * imputation (n = 300, V = 4, M = 20) under MAR and J2R.
 *
 * (a) MAR. Two arms of 100, V = 4 visits, baseline x ~ N(0, 1); y | x ~ N(mu_a + 0.5 x, Sigma),
 *     Sigma with SDs 1, 1.2, 1.4, 1.6 and correlations 0.6^|i-j|; mu_0 = (0, .2, .4, .6),
 *     mu_1 = (0, .5, 1, 1.5): the difference at the last visit is 0.9. Dropout after visit 0 is
 *     MAR: a patient observed at j - 1 drops out before j with probability
 *     1 / (1 + exp(2.2 - 0.6 y_{j-1})) (about 30% by the last visit, more among high values, so
 *     the completers' difference is biased: checked too, so that the test can fail). Each of
 *     1000 data sets is imputed M = 20 times with mice's norm by arm (baseline as covariate),
 *     and again with the reference-based model under MAR; each imputation is analysed by the
 *     difference of the arms' means at the last visit (pooled-variance SE, dfcom = n - 2) and
 *     pooled by Rubin's rules. The mean estimate must be within 4 SE of 0.9 and the 95%
 *     intervals' coverage within 4 SE of 0.95.
 * (b) J2R, CIR, CR. The arms' covariances differ (the reference's as above, the experimental
 *     arm's with SDs 1, 1.3, 1.6, 1.9 and correlations 0.5^|i-j|); dropout is MCAR (12% before
 *     each visit after the first); the values of an experimental patient after dropout are
 *     drawn from the method's conditional distribution with the true parameters (computed here
 *     by Gaussian elimination on Sigma~, not by the library's sequential form), so the full data
 *     hold the treatment-policy outcomes the method assumes. Each of 1000 data sets is imputed
 *     M = 20 times by the method (covariance per arm, reference arm 0) and the pooled difference
 *     at the last visit compared with the same data set's full-data difference: their mean
 *     difference must be within 4 SE of 0 (unbiased for the treatment-policy effect); MAR
 *     imputation of the J2R data must be off by more than 4 SE (the check can fail).
 * (c) The posterior draw. On one complete data set (n = 40, V = 3, intercept and baseline),
 *     20000 draws of tsim_mi_rb_draw: Sigma must average S / (n - p - V - 1) (the inverse
 *     Wishart IW(n - p, S) mean, S the residual SSP matrix, p = 2) and the mean coefficients
 *     B_hat, each element within 4 SE; Var(Sigma_00) must be 2 S_00^2 / ((nu - V - 1)^2 (nu -
 *     V - 3)) within 4 SE.
 * Output: one line per failed check, a summary per part, "N passed, N failed"; exit 1 if any
 * failed.
 */
#include "check.h"
#include "core/rng.h"
#include "stats/impute.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define V 4
#define M 20
#define NSETS 1000
#define NMAXP 400

typedef struct mvn {
  double mu[V], sd[V], rho;
  double sigma[V * V], l[V * V]; /* Sigma and its lower Cholesky factor */
} mvn;

static void mvn_init(mvn *g, const double *mu, const double *sd, double rho) {
  memcpy(g->mu, mu, sizeof g->mu);
  memcpy(g->sd, sd, sizeof g->sd);
  g->rho = rho;
  for (int i = 0; i < V; i++)
    for (int j = 0; j < V; j++) g->sigma[i * V + j] = sd[i] * sd[j] * pow(rho, abs(i - j));
  for (int i = 0; i < V; i++)
    for (int j = 0; j <= i; j++) {
      double s = g->sigma[i * V + j];
      for (int c = 0; c < j; c++) s -= g->l[i * V + c] * g->l[j * V + c];
      g->l[i * V + j] = i == j ? sqrt(s) : s / g->l[j * V + j];
    }
  for (int i = 0; i < V; i++)
    for (int j = i + 1; j < V; j++) g->l[i * V + j] = 0.0;
}

#define SLOPE 0.5

/* y = mu + SLOPE x + L z */
static void mvn_draw(const mvn *g, double x, gsl_rng *r, double *y) {
  double z[V];
  for (int j = 0; j < V; j++) z[j] = tsim_rng_normal(r);
  for (int i = 0; i < V; i++) {
    double s = g->mu[i] + SLOPE * x;
    for (int j = 0; j <= i; j++) s += g->l[i * V + j] * z[j];
    y[i] = s;
  }
}

/* Solves a x = b for the n x n a (row-major, copied) by Gaussian elimination with partial
 * pivoting, for the few small systems the generator needs; b becomes x (nb right sides, b
 * n x nb). */
static void solve(int n, const double *a_in, double *b, int nb) {
  double a[V * V];
  memcpy(a, a_in, (size_t)(n * n) * sizeof *a);
  for (int c = 0; c < n; c++) {
    int p = c;
    for (int r = c + 1; r < n; r++)
      if (fabs(a[r * n + c]) > fabs(a[p * n + c])) p = r;
    for (int k = 0; k < n; k++) {
      double t = a[c * n + k]; a[c * n + k] = a[p * n + k]; a[p * n + k] = t;
    }
    for (int k = 0; k < nb; k++) {
      double t = b[c * nb + k]; b[c * nb + k] = b[p * nb + k]; b[p * nb + k] = t;
    }
    for (int r = c + 1; r < n; r++) {
      double f = a[r * n + c] / a[c * n + c];
      for (int k = c; k < n; k++) a[r * n + k] -= f * a[c * n + k];
      for (int k = 0; k < nb; k++) b[r * nb + k] -= f * b[c * nb + k];
    }
  }
  for (int c = n - 1; c >= 0; c--)
    for (int k = 0; k < nb; k++) {
      double s = b[c * nb + k];
      for (int j = c + 1; j < n; j++) s -= a[c * n + j] * b[j * nb + k];
      b[c * nb + k] = s / a[c * n + c];
    }
}

/* The values after dropout at k (visits k .. V-1) of an experimental patient with values y at
 * visits < k, under `method` with reference r and own arm d, with true parameters: the normal
 * conditional of Sigma~ (Carpenter, Roger & Kenward 2013), Sigma~_mo Sigma~_oo^-1 =
 * Sigma_r,mo Sigma_r,oo^-1 and the conditional covariance Sigma_r,mm.o, computed here by
 * elimination. */
static void post_dropout(const mvn *d, const mvn *r, tsim_mi_method method, double x, int k, gsl_rng *rng,
                         double *y) {
  double mut[V], mud[V], mur[V];
  for (int j = 0; j < V; j++) {
    mud[j] = d->mu[j] + SLOPE * x;
    mur[j] = r->mu[j] + SLOPE * x;
  }
  for (int j = 0; j < V; j++) {
    if (method == TSIM_MI_CR || k == 0) mut[j] = mur[j];
    else if (j < k) mut[j] = mud[j];
    else if (method == TSIM_MI_J2R) mut[j] = mur[j];
    else mut[j] = mud[k - 1] + mur[j] - mur[k - 1]; /* CIR */
  }
  int m = V - k;
  double soo[V * V], bmat[V * V], cm[V], cc[V * V];
  /* B' = Sigma_r,oo^-1 Sigma_r,om (k x m) */
  for (int i = 0; i < k; i++)
    for (int j = 0; j < k; j++) soo[i * k + j] = r->sigma[i * V + j];
  for (int i = 0; i < k; i++)
    for (int j = 0; j < m; j++) bmat[i * m + j] = r->sigma[i * V + k + j];
  if (k > 0) solve(k, soo, bmat, m);
  for (int a = 0; a < m; a++) {
    double s = mut[k + a];
    for (int i = 0; i < k; i++) s += bmat[i * m + a] * (y[i] - mut[i]);
    cm[a] = s;
    for (int b = 0; b < m; b++) {
      double c = r->sigma[(k + a) * V + k + b];
      for (int i = 0; i < k; i++) c -= bmat[i * m + a] * r->sigma[i * V + k + b];
      cc[a * m + b] = c;
    }
  }
  /* Cholesky of cc, then cm + L z */
  double l[V * V] = {0};
  for (int i = 0; i < m; i++)
    for (int j = 0; j <= i; j++) {
      double s = cc[i * m + j];
      for (int c = 0; c < j; c++) s -= l[i * m + c] * l[j * m + c];
      l[i * m + j] = i == j ? sqrt(s) : s / l[j * m + j];
    }
  double z[V];
  for (int a = 0; a < m; a++) z[a] = tsim_rng_normal(rng);
  for (int a = 0; a < m; a++) {
    double s = cm[a];
    for (int b = 0; b <= a; b++) s += l[a * m + b] * z[b];
    y[k + a] = s;
  }
}

/* The difference of the arms' means at the last visit and its pooled-variance variance. */
static void analyse(const double *y, const int *arm, size_t n, double *q, double *u) {
  double s[2] = {0, 0}, ss[2] = {0, 0};
  int c[2] = {0, 0};
  for (size_t i = 0; i < n; i++) {
    s[arm[i]] += y[i * V + V - 1];
    c[arm[i]]++;
  }
  double m0 = s[0] / c[0], m1 = s[1] / c[1];
  for (size_t i = 0; i < n; i++) {
    double e = y[i * V + V - 1] - (arm[i] ? m1 : m0);
    ss[arm[i]] += e * e;
  }
  double sp2 = (ss[0] + ss[1]) / (double)(c[0] + c[1] - 2);
  *q = m1 - m0;
  *u = sp2 * (1.0 / c[0] + 1.0 / c[1]);
}

/* mean and SE of x[0..n) */
static void mean_se(const double *x, int n, double *mean, double *se) {
  double s = 0, q = 0;
  for (int i = 0; i < n; i++) s += x[i];
  double m = s / n;
  for (int i = 0; i < n; i++) q += (x[i] - m) * (x[i] - m);
  *mean = m;
  *se = sqrt(q / (n - 1) / n);
}

typedef struct sim {
  size_t n;
  int arm[NMAXP];
  double base[NMAXP], full[NMAXP * V], y[NMAXP * V];
} sim;

/* One data set: n1 per arm; dropout MAR (mar = 1) or MCAR; exp-arm post-dropout values under
 * `method` (MAR: from the own MVN, i.e. as generated). */
static void simulate(sim *s, size_t per_arm, const mvn *g0, const mvn *g1, int mar, tsim_mi_method method, gsl_rng *r) {
  s->n = 2 * per_arm;
  for (size_t i = 0; i < s->n; i++) {
    int a = (int)(i % 2);
    s->arm[i] = a;
    s->base[i] = tsim_rng_normal(r);
    double *f = s->full + i * V;
    mvn_draw(a ? g1 : g0, s->base[i], r, f);
    int k = V;
    for (int j = 1; j < V && k == V; j++) {
      double pr = mar ? 1.0 / (1.0 + exp(2.2 - 0.6 * f[j - 1])) : 0.12;
      if (tsim_rng_uniform(r) < pr) k = j;
    }
    if (a == 1 && k < V && method != TSIM_MI_MAR) post_dropout(g1, g0, method, s->base[i], k, r, f);
    for (int j = 0; j < V; j++) s->y[i * V + (size_t)j] = j < k ? f[j] : NAN;
  }
}

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static const double MU0[V] = {0, 0.2, 0.4, 0.6}, MU1[V] = {0, 0.5, 1.0, 1.5};
static const double SD0[V] = {1, 1.2, 1.4, 1.6}, SD1[V] = {1, 1.3, 1.6, 1.9};

/* (a) */
static void part_mar(void) {
  mvn g0, g1;
  mvn_init(&g0, MU0, SD0, 0.6);
  mvn_init(&g1, MU1, SD0, 0.6);
  const double truth = MU1[V - 1] - MU0[V - 1];
  tsim_mi_ws *ws = tsim_mi_ws_new(V, NMAXP, 2);
  gsl_rng *r = tsim_rng_alloc(), *ri = tsim_rng_alloc();
  static sim s;
  static double est[2][NSETS], cover[2][NSETS], cc[NSETS], yimp[NMAXP * V];
  double dropped = 0;
  for (int ds = 0; ds < NSETS; ds++) {
    tsim_rng_seed_stream(r, 2024, (uint64_t)ds, TSIM_STREAM_OUTCOME);
    tsim_rng_seed_stream(ri, 2024, (uint64_t)ds, TSIM_STREAM_MISSING);
    simulate(&s, 100, &g0, &g1, 1, TSIM_MI_MAR, r);
    tsim_mi_data d = {s.y, s.base, s.arm, s.n};
    tsim_mi_src src = tsim_mi_src_rng(ri);
    /* the completers' difference (biased under MAR) */
    double sum[2] = {0, 0};
    int cnt[2] = {0, 0};
    for (size_t i = 0; i < s.n; i++)
      if (!isnan(s.y[i * V + V - 1])) sum[s.arm[i]] += s.y[i * V + V - 1], cnt[s.arm[i]]++;
    cc[ds] = sum[1] / cnt[1] - sum[0] / cnt[0];
    dropped += (double)(s.n - (size_t)(cnt[0] + cnt[1])) / (double)s.n;
    for (int how = 0; how < 2; how++) {
      double q[M], u[M];
      int ok = how == 0 ? tsim_mi_norm_fit(ws, &d) == TSIM_MI_OK : tsim_mi_rb_fit(ws, &d, 0) == TSIM_MI_OK;
      for (int m = 0; ok && m < M; m++) {
        ok = how == 0 ? tsim_mi_norm_impute(ws, &src, yimp) == TSIM_MI_OK
                      : tsim_mi_rb_draw(ws, &src) == TSIM_MI_OK &&
                            tsim_mi_rb_impute(ws, &src, TSIM_MI_MAR, 0, yimp) == TSIM_MI_OK;
        analyse(yimp, s.arm, s.n, &q[m], &u[m]);
      }
      tsim_mi_pooled p;
      ok = ok && tsim_mi_pool(q, u, M, (double)s.n - 2, 0.95, &p) == TSIM_MI_OK;
      CHECK(ok, "MAR data set %d (%s): imputation and pooling", ds, how ? "rb MAR" : "norm");
      est[how][ds] = p.qbar;
      cover[how][ds] = p.lo <= truth && truth <= p.hi;
    }
  }
  printf("(a) MAR dropout, %d data sets of 2 x 100, %.1f%% missing at the last visit, M = %d:\n", NSETS,
         100 * dropped / NSETS, M);
  double m, se;
  mean_se(cc, NSETS, &m, &se);
  printf("    completers: mean difference %.4f (SE %.4f), truth %.1f: %.1f SE off\n", m, se, truth, (m - truth) / se);
  CHECK(fabs(m - truth) > 4 * se, "the completers' difference must be biased (else the check has no power): %.1f SE",
        (m - truth) / se);
  for (int how = 0; how < 2; how++) {
    const char *name = how ? "reference-based MAR" : "mice norm";
    mean_se(est[how], NSETS, &m, &se);
    double cov, cse;
    mean_se(cover[how], NSETS, &cov, &cse);
    double cov_se = sqrt(0.95 * 0.05 / NSETS);
    printf("    %-20s mean estimate %.4f (SE %.4f, %+.2f SE), coverage %.3f (%+.2f SE of 0.95)\n", name, m, se,
           (m - truth) / se, cov, (cov - 0.95) / cov_se);
    CHECK_SE(m, truth, se, 4, name);
    CHECK_SE(cov, 0.95, cov_se, 4, name);
  }
  gsl_rng_free(r);
  gsl_rng_free(ri);
  tsim_mi_ws_free(ws);
}

/* (b) */
static void part_refbased(void) {
  mvn g0, g1;
  mvn_init(&g0, MU0, SD0, 0.6);
  mvn_init(&g1, MU1, SD1, 0.5);
  tsim_mi_ws *ws = tsim_mi_ws_new(V, NMAXP, 2);
  gsl_rng *r = tsim_rng_alloc(), *ri = tsim_rng_alloc();
  static sim s;
  static double diff[NSETS], diff_mar[NSETS], full_est[NSETS], yimp[NMAXP * V];
  const tsim_mi_method methods[] = {TSIM_MI_J2R, TSIM_MI_CIR, TSIM_MI_CR};
  const char *names[] = {"J2R", "CIR", "CR"};
  printf("(b) reference-based, MCAR dropout, %d data sets of 2 x 100, M = %d, covariance per arm:\n", NSETS, M);
  for (int mi = 0; mi < 3; mi++) {
    for (int ds = 0; ds < NSETS; ds++) {
      tsim_rng_seed_stream(r, 77 + (uint64_t)mi, (uint64_t)ds, TSIM_STREAM_OUTCOME);
      tsim_rng_seed_stream(ri, 77 + (uint64_t)mi, (uint64_t)ds, TSIM_STREAM_MISSING);
      simulate(&s, 100, &g0, &g1, 0, methods[mi], r);
      tsim_mi_data d = {s.y, s.base, s.arm, s.n};
      tsim_mi_src src = tsim_mi_src_rng(ri);
      double qf, uf, q[M], u[M], qm[M], um[M];
      analyse(s.full, s.arm, s.n, &qf, &uf);
      full_est[ds] = qf;
      int ok = tsim_mi_rb_fit(ws, &d, 1) == TSIM_MI_OK;
      for (int m = 0; ok && m < M; m++) {
        /* one parameter draw serves the method and, for the power check, MAR */
        ok = tsim_mi_rb_draw(ws, &src) == TSIM_MI_OK && tsim_mi_rb_impute(ws, &src, methods[mi], 0, yimp) == TSIM_MI_OK;
        analyse(yimp, s.arm, s.n, &q[m], &u[m]);
        ok = ok && tsim_mi_rb_impute(ws, &src, TSIM_MI_MAR, 0, yimp) == TSIM_MI_OK;
        analyse(yimp, s.arm, s.n, &qm[m], &um[m]);
      }
      tsim_mi_pooled p, pm;
      ok = ok && tsim_mi_pool(q, u, M, (double)s.n - 2, 0.95, &p) == TSIM_MI_OK &&
           tsim_mi_pool(qm, um, M, (double)s.n - 2, 0.95, &pm) == TSIM_MI_OK;
      CHECK(ok, "%s data set %d: imputation and pooling", names[mi], ds);
      diff[ds] = p.qbar - qf;
      diff_mar[ds] = pm.qbar - qf;
    }
    double m, se, mm, sem, fm, fse;
    mean_se(diff, NSETS, &m, &se);
    mean_se(diff_mar, NSETS, &mm, &sem);
    mean_se(full_est, NSETS, &fm, &fse);
    printf("    %-4s treatment-policy effect (full data) %.4f; MI %s minus full data %+.4f (SE %.4f, %+.2f SE); "
           "MI MAR minus full data %+.4f (%+.1f SE)\n",
           names[mi], fm, names[mi], m, se, m / se, mm, mm / sem);
    CHECK_SE(m, 0.0, se, 4, names[mi]);
    if (methods[mi] == TSIM_MI_J2R)
      CHECK(fabs(mm) > 4 * sem, "MAR imputation of J2R data must be biased (else the check has no power): %.1f SE",
            mm / sem);
  }
  gsl_rng_free(r);
  gsl_rng_free(ri);
  tsim_mi_ws_free(ws);
}

/* (c) */
#define CN 40
#define CV 3
#define CK 20000
static void part_posterior(void) {
  double y[CN * CV], x[CN];
  int arm[CN] = {0};
  gsl_rng *r = tsim_rng_alloc();
  tsim_rng_seed_stream(r, 5, 0, TSIM_STREAM_OUTCOME);
  for (int i = 0; i < CN; i++) {
    x[i] = tsim_rng_normal(r);
    double z0 = tsim_rng_normal(r), z1 = tsim_rng_normal(r), z2 = tsim_rng_normal(r);
    y[i * CV] = 1 + 0.3 * x[i] + z0;
    y[i * CV + 1] = 2 + 0.5 * z0 + 0.9 * z1 - 0.2 * x[i];
    y[i * CV + 2] = 0.5 * z1 + 1.1 * z2 + 0.7 * x[i];
  }
  /* B_hat and S by hand: y_j on (1, x): slope Sxy / Sxx, intercept ybar - slope xbar */
  double xb = 0, sxx = 0, b0[CV], b1[CV], res[CN * CV], S[CV * CV];
  for (int i = 0; i < CN; i++) xb += x[i] / CN;
  for (int i = 0; i < CN; i++) sxx += (x[i] - xb) * (x[i] - xb);
  for (int j = 0; j < CV; j++) {
    double yb = 0, sxy = 0;
    for (int i = 0; i < CN; i++) yb += y[i * CV + j] / CN;
    for (int i = 0; i < CN; i++) sxy += (x[i] - xb) * (y[i * CV + j] - yb);
    b1[j] = sxy / sxx;
    b0[j] = yb - b1[j] * xb;
    for (int i = 0; i < CN; i++) res[i * CV + j] = y[i * CV + j] - b0[j] - b1[j] * x[i];
  }
  for (int a = 0; a < CV; a++)
    for (int b = 0; b < CV; b++) {
      double s = 0;
      for (int i = 0; i < CN; i++) s += res[i * CV + a] * res[i * CV + b];
      S[a * CV + b] = s;
    }
  tsim_mi_ws *ws = tsim_mi_ws_new(CV, CN, 1);
  tsim_mi_data d = {y, x, arm, CN};
  tsim_mi_src src = tsim_mi_src_rng(r);
  CHECK(tsim_mi_rb_fit(ws, &d, 0) == TSIM_MI_OK, "posterior: fit");
  static double sig[CK][CV * CV], mm[CK][CV], ss[CK][CV];
  for (int k = 0; k < CK; k++) {
    CHECK(tsim_mi_rb_draw(ws, &src) == TSIM_MI_OK, "posterior draw %d", k);
    tsim_mi_rb_params(ws, 0, mm[k], ss[k], sig[k]);
  }
  double nu = CN - 2, denom = nu - CV - 1, worst = 0;
  double col[CK];
  for (int e = 0; e < CV * CV; e++) {
    for (int k = 0; k < CK; k++) col[k] = sig[k][e];
    double m, se;
    mean_se(col, CK, &m, &se);
    worst = fmax(worst, fabs(m - S[e] / denom) / se);
    CHECK_SE(m, S[e] / denom, se, 4, "E[Sigma] = S / (nu - V - 1)");
  }
  for (int j = 0; j < CV; j++) {
    double m, se;
    for (int k = 0; k < CK; k++) col[k] = mm[k][j];
    mean_se(col, CK, &m, &se);
    worst = fmax(worst, fabs(m - b0[j]) / se);
    CHECK_SE(m, b0[j], se, 4, "E[intercept] = B_hat");
    for (int k = 0; k < CK; k++) col[k] = ss[k][j];
    mean_se(col, CK, &m, &se);
    worst = fmax(worst, fabs(m - b1[j]) / se);
    CHECK_SE(m, b1[j], se, 4, "E[slope] = B_hat");
  }
  /* Var(Sigma_00): the sample variance and its SE from the fourth central moment */
  for (int k = 0; k < CK; k++) col[k] = sig[k][0];
  double m, se, v = 0, m4 = 0;
  mean_se(col, CK, &m, &se);
  for (int k = 0; k < CK; k++) {
    double e = col[k] - m;
    v += e * e / CK;
    m4 += e * e * e * e / CK;
  }
  double vexp = 2 * S[0] * S[0] / (denom * denom * (nu - CV - 3));
  double vse = sqrt((m4 - v * v) / CK);
  printf("(c) posterior draws (%d, complete data n = %d, V = %d): E[Sigma], E[B] within %.2f SE of the inverse "
         "Wishart's; Var(Sigma_00) %.5g vs %.5g (%+.2f SE)\n",
         CK, CN, CV, worst, v, vexp, (v - vexp) / vse);
  CHECK_SE(v, vexp, vse, 4, "Var(Sigma_00) of IW(n - p, S)");
  gsl_rng_free(r);
  tsim_mi_ws_free(ws);
}

/* The time of one multiple imputation, n = 300, V = 4, M = 20. */
static void timing(void) {
  mvn g0, g1;
  mvn_init(&g0, MU0, SD0, 0.6);
  mvn_init(&g1, MU1, SD1, 0.5);
  gsl_rng *r = tsim_rng_alloc();
  tsim_rng_seed_stream(r, 3, 0, TSIM_STREAM_OUTCOME);
  static sim s;
  static double yimp[NMAXP * V];
  simulate(&s, 150, &g0, &g1, 1, TSIM_MI_MAR, r);
  tsim_mi_data d = {s.y, s.base, s.arm, s.n};
  tsim_mi_ws *ws = tsim_mi_ws_new(V, NMAXP, 2);
  tsim_mi_src src = tsim_mi_src_rng(r);
  const int reps = 300;
  double q[M], u[M], sink = 0;
  double t0 = seconds();
  for (int k = 0; k < reps; k++) {
    tsim_mi_norm_fit(ws, &d);
    for (int m = 0; m < M; m++) {
      tsim_mi_norm_impute(ws, &src, yimp);
      sink += yimp[V * 3 - 1];
    }
  }
  double t1 = seconds();
  for (int k = 0; k < reps; k++) {
    tsim_mi_rb_fit(ws, &d, 0);
    for (int m = 0; m < M; m++) {
      tsim_mi_rb_draw(ws, &src);
      tsim_mi_rb_impute(ws, &src, TSIM_MI_J2R, 0, yimp);
      sink += yimp[V * 3 - 1];
    }
  }
  double t2 = seconds();
  for (int k = 0; k < reps; k++) {
    for (int m = 0; m < M; m++) q[m] = sink * 1e-300 + m, u[m] = 1;
    tsim_mi_pooled p;
    tsim_mi_pool(q, u, M, 298, 0.95, &p);
    sink += p.p;
  }
  double t3 = seconds();
  printf("time per multiple imputation (n = 300, V = 4, M = 20; one fit, 20 imputations): MAR (norm) %.0f us, "
         "J2R (common covariance) %.0f us; Rubin's rules %.2f us%s\n",
         1e6 * (t1 - t0) / reps, 1e6 * (t2 - t1) / reps, 1e6 * (t3 - t2) / reps, isnan(sink) ? " (NaN)" : "");
  gsl_rng_free(r);
  tsim_mi_ws_free(ws);
}

int main(void) {
  double t0 = seconds();
  part_mar();
  part_refbased();
  part_posterior();
  timing();
  printf("%.1f s\n", seconds() - t0);
  return tsim_check_done();
}
