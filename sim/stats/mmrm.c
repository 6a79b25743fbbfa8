/* mmrm.c - the mixed model for repeated measures by REML (see mmrm.h for the model).
 *
 * Notation. Patient i observes the visits O_i (m of them), z_i = (1, g_i[, b_i]) (k = 2 or 3
 * entries), X_i = E_O (x) z_i' its m x p design (p = kV, fixed effects ordered visit-major:
 * beta = (mu_0, delta_0[, gamma_0], mu_1, ...)), W_i = Sigma[O, O]^-1, r_i = y_i - X_i beta.
 * With M = X' V^-1 X = sum_i X_i' W_i X_i, the REML log-likelihood (Harville 1977; nlme's) is
 *   l = -(N - p)/2 log(2 pi) - 1/2 sum_i log|Sigma_Oi| - 1/2 log|M| - 1/2 sum_i r_i' W_i r_i
 * at the GLS beta = M^-1 sum_i X_i' W_i y_i. Its derivatives over the distinct entries of
 * Sigma (a linear parameterisation, basis matrices D = E_ab + E_ba, or E_aa) with
 * P = V^-1 - V^-1 X M^-1 X' V^-1 and u = P y = (W_i r_i)_i (Searle, Casella & McCulloch 1992,
 * ch. 6):
 *   dl/ds       = -1/2 tr(P D) + 1/2 u' D u
 *   -d2l/ds1ds2 = u' D1 P D2 u - 1/2 tr(P D1 P D2)      (observed information)
 *   E[..]       = 1/2 tr(P D1 P D2)                        (expected information)
 * Everything reduces to per-pattern sums, because X_i' W X_i = (E'WE) (x) z_i z_i': for the
 * patients of one pattern (n of them, Z = sum z z', ZY = sum z y', YY = sum y y', all
 * centred) and with Q[v,w] = tr(M^-1_vw Z) (M^-1's k x k blocks), U = W RR W (RR = sum r r'),
 * UZ = W sum r z', Y = W Q W:
 *   tr(P D)            = sum_P tr(D (n W - Y))                          [W etc. padded to V x V]
 *   u' D u             = sum_P tr(D U)
 *   tr(P D1 P D2)      = sum_P [n tr(D1 W D2 W) - 2 tr(D1 Y D2 W)] + tr(M^-1 S1 M^-1 S2)
 *   u' D1 P D2 u       = sum_P tr(D1 W D2 U) - h1' M^-1 h2
 * with S_D = sum_P (W D W) (x) Z (p x p) and h_D = sum_P vec(W D UZ) (p). The gradient of
 * c' M^-1 c for Satterthwaite is phi' S_D phi, phi = M^-1 c.
 *
 * Newton's method runs in theta (Cholesky entries, log diagonal): with J = dSigma/dtheta,
 *   g_theta = J' g_s,   I_theta = J' I_s J - (second derivatives of Sigma(theta) times g_s),
 * the last term 2 G_ac [b = d] for L entries (a, b), (c, d) (G the gradient as a symmetric
 * matrix), plus g_theta on the log-diagonal entries; the expected information maps as J' F J.
 */
#include "stats/mmrm.h"
#include "stats/contest.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAXK 3                 /* fixed effects per visit: intercept, arm, baseline */
#define MAX_ITER 60            /* Newton / scoring steps */
#define MAX_HALVINGS 40        /* step halvings per step */
#define TOL_DECREMENT 1e-16    /* converged: g' I^-1 g below this (log-likelihood units) */
#define TOL_STALLED 1e-9       /* ... or below this with the log-likelihood at roundoff's floor */
#define TOL_LOGLIK 1e-13       /* roundoff's floor: relative change of the log-likelihood */
#define MAX_STEP 4.0           /* largest change of a parameter in one step (theta units) */
#define COND_MIN 1e-13         /* L_aa^2 / Sigma_aa below this: Sigma treated as singular */
#define COND_SINGULAR 1e-8     /* ... below this when the iteration fails: status SINGULAR */
#define COLLINEAR_TOL 1e-7     /* R's QR tolerance: residual norm over column norm */
#define PERFECT_FIT_TOL 1e-20  /* residual SS over the centred SS at a visit */
#define LOG_2PI 1.8378770664093454836
#define LN2 0.69314718055994530942

const char *tsim_mmrm_status_text(tsim_mmrm_status status) {
  switch (status) {
#define TSIM_MMRM_TEXT_(name, text) \
  case TSIM_MMRM_##name:            \
    return text;
    TSIM_MMRM_STATUS_MAP(TSIM_MMRM_TEXT_)
#undef TSIM_MMRM_TEXT_
  }
  return "unknown status";
}

/* One missingness pattern: the patients observing exactly the visits O[0..m). */
typedef struct pattern {
  unsigned mask;   /* bit v set: visit v observed */
  int m;           /* visits observed */
  int O[TSIM_MMRM_MAX_VISITS];
  double n;        /* patients */
  double *Z;       /* k x k: sum z z' */
  double *ZY;      /* k x m: ZY[a m + j] = sum z_a y_Oj (y centred) */
  double *YY;      /* m x m: sum y y' */
  double *W;       /* m x m: Sigma_O^-1 at the last evaluation */
  double *RR;      /* m x m: sum r r' at the last evaluation */
} pattern;

struct tsim_mmrm_ws {
  int vmax;           /* visits the workspace is made for */
  size_t nmax;        /* patients */
  size_t npmax;       /* patterns: min(nmax, 2^vmax - 1) */
  int *pattern_of;    /* 2^vmax entries: 1 + the index of the pattern of each mask, 0 none */
  pattern *pat;
  double *mem;        /* everything below, one block */
  double *L, *Sig;    /* V x V: Cholesky factor, Sigma */
  double *M, *Mc, *Minv; /* p x p: X'V^-1X, its Cholesky factor, its inverse */
  double *rhs, *beta, *phi; /* p */
  double *G;          /* V x V: dl/dSigma as a symmetric matrix */
  double *Iobs, *F;   /* s x s: observed and expected information over Sigma's entries */
  double *S, *R;      /* s blocks of p x p: S_D, and M^-1 S_D */
  double *h, *Mh;     /* s blocks of p: h_D, M^-1 h_D */
  double *J, *T, *Ith, *Iexp, *C; /* s x s: Jacobian, scratch, informations over theta, Cholesky */
  double *gs, *gth, *dir, *theta, *trial, *gc; /* s */
  double *U, *Q, *Yp, *tmp; /* V x V scratch per pattern */
  double *RZ, *UZ;    /* V x k scratch */
};

static size_t nsig(int v) { return (size_t)v * (size_t)(v + 1) / 2; }
static int sidx(int a, int b) { return a >= b ? a * (a + 1) / 2 + b : b * (b + 1) / 2 + a; }

tsim_mmrm_ws *tsim_mmrm_ws_new(int visits, size_t nmax) {
  if (visits < 1 || visits > TSIM_MMRM_MAX_VISITS || nmax < 1 || nmax > SIZE_MAX / 4096) return NULL;
  tsim_mmrm_ws *ws = calloc(1, sizeof *ws);
  if (!ws) return NULL;
  size_t V = (size_t)visits, p = MAXK * V, s = nsig(visits), nmask = (size_t)1 << visits;
  ws->vmax = visits;
  ws->nmax = nmax;
  ws->npmax = nmax < nmask - 1 ? nmax : nmask - 1;
  size_t per_pattern = MAXK * MAXK + MAXK * V + 3 * V * V;
  size_t total = ws->npmax * per_pattern + 2 * V * V + 3 * p * p + 3 * p + V * V + 2 * s * s +
                 2 * s * p * p + 2 * s * p + 5 * s * s + 6 * s + 4 * V * V + 2 * V * MAXK;
  ws->pattern_of = calloc(nmask, sizeof *ws->pattern_of);
  ws->pat = calloc(ws->npmax, sizeof *ws->pat);
  ws->mem = malloc(total * sizeof *ws->mem);
  if (!ws->pattern_of || !ws->pat || !ws->mem) {
    tsim_mmrm_ws_free(ws);
    return NULL;
  }
  double *m = ws->mem;
#define TAKE(ptr, count) (ptr = m, m += (count))
  for (size_t i = 0; i < ws->npmax; i++) {
    pattern *P = &ws->pat[i];
    TAKE(P->Z, MAXK * MAXK);
    TAKE(P->ZY, MAXK * V);
    TAKE(P->YY, V * V);
    TAKE(P->W, V * V);
    TAKE(P->RR, V * V);
  }
  TAKE(ws->L, V * V);
  TAKE(ws->Sig, V * V);
  TAKE(ws->M, p * p);
  TAKE(ws->Mc, p * p);
  TAKE(ws->Minv, p * p);
  TAKE(ws->rhs, p);
  TAKE(ws->beta, p);
  TAKE(ws->phi, p);
  TAKE(ws->G, V * V);
  TAKE(ws->Iobs, s * s);
  TAKE(ws->F, s * s);
  TAKE(ws->S, s * p * p);
  TAKE(ws->R, s * p * p);
  TAKE(ws->h, s * p);
  TAKE(ws->Mh, s * p);
  TAKE(ws->J, s * s);
  TAKE(ws->T, s * s);
  TAKE(ws->Ith, s * s);
  TAKE(ws->Iexp, s * s);
  TAKE(ws->C, s * s);
  TAKE(ws->gs, s);
  TAKE(ws->gth, s);
  TAKE(ws->dir, s);
  TAKE(ws->theta, s);
  TAKE(ws->trial, s);
  TAKE(ws->gc, s);
  TAKE(ws->U, V * V);
  TAKE(ws->Q, V * V);
  TAKE(ws->Yp, V * V);
  TAKE(ws->tmp, V * V);
  TAKE(ws->RZ, V * MAXK);
  TAKE(ws->UZ, V * MAXK);
#undef TAKE
  return ws;
}

void tsim_mmrm_ws_free(tsim_mmrm_ws *ws) {
  if (!ws) return;
  free(ws->pattern_of);
  free(ws->pat);
  free(ws->mem);
  free(ws);
}

/* ---- small dense linear algebra (row-major, n <= 3 * 16 or 136) ------------------------- */

/* In-place Cholesky factor of the symmetric n x n a (lower triangle read and written): 1 on
 * success; 0 when a pivot is not above rtol times the diagonal entry it came from (a NaN
 * fails too). */
static int chol(double *a, int n, double rtol) {
  for (int j = 0; j < n; j++) {
    double *aj = a + (size_t)j * (size_t)n, d = aj[j];
    for (int q = 0; q < j; q++) d -= aj[q] * aj[q];
    if (!(d > rtol * aj[j]) || !(d > 0.0)) return 0;
    d = sqrt(d);
    aj[j] = d;
    for (int i = j + 1; i < n; i++) {
      double *ai = a + (size_t)i * (size_t)n, t = ai[j];
      for (int q = 0; q < j; q++) t -= ai[q] * aj[q];
      ai[j] = t / d;
    }
  }
  return 1;
}

/* Solves (L L') x = b in place, L the lower triangle of l. */
static void chol_solve(const double *l, int n, double *b) {
  for (int i = 0; i < n; i++) {
    double t = b[i];
    for (int q = 0; q < i; q++) t -= l[i * n + q] * b[q];
    b[i] = t / l[i * n + i];
  }
  for (int i = n - 1; i >= 0; i--) {
    double t = b[i];
    for (int q = i + 1; q < n; q++) t -= l[q * n + i] * b[q];
    b[i] = t / l[i * n + i];
  }
}

/* inv = (L L')^-1 (full, symmetric), via L^-1 in inv's lower triangle. */
static void chol_inverse(const double *l, int n, double *inv) {
  for (int j = 0; j < n; j++) { /* column j of L^-1, rows j..n-1 */
    inv[j * n + j] = 1.0 / l[j * n + j];
    for (int i = j + 1; i < n; i++) {
      double t = 0.0;
      for (int q = j; q < i; q++) t -= l[i * n + q] * inv[q * n + j];
      inv[i * n + j] = t / l[i * n + i];
    }
  }
  /* (L^-1)' L^-1: entry (i, j), i >= j, is sum_{q >= i} Li[q, i] Li[q, j]; computed from the
   * top row down so each row's entries are read before they are overwritten. */
  for (int i = 0; i < n; i++)
    for (int j = 0; j <= i; j++) {
      double t = 0.0;
      for (int q = i; q < n; q++) t += inv[q * n + i] * inv[q * n + j];
      inv[i * n + j] = t;
    }
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++) inv[i * n + j] = inv[j * n + i];
}

static double chol_logdet(const double *l, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++) s += log(l[i * n + i]);
  return 2.0 * s;
}

/* c = a b for m x m matrices. */
static void matmul(const double *a, const double *b, double *c, int m) {
  for (int i = 0; i < m; i++)
    for (int j = 0; j < m; j++) {
      double t = 0.0;
      for (int q = 0; q < m; q++) t += a[i * m + q] * b[q * m + j];
      c[i * m + j] = t;
    }
}

/* tr(D1 X D2 Y) for the basis matrices D1 of the entry (a, b), D2 of (c, d) (E_ab + E_ba, or
 * E_aa on the diagonal), X and Y m x m: tr(E_xy X E_zw Y) = X_yz Y_wx over the terms. */
static double tr_dxdy(const double *X, const double *Y, int m, int a, int b, int c, int d) {
  double t = X[b * m + c] * Y[d * m + a];
  if (c != d) t += X[b * m + d] * Y[c * m + a];
  if (a != b) {
    t += X[a * m + c] * Y[d * m + b];
    if (c != d) t += X[a * m + d] * Y[c * m + b];
  }
  return t;
}

/* ---- one fit ------------------------------------------------------------------------------ */

typedef struct ctx {
  int V, k, p, s;   /* visits, fixed effects per visit, fixed effects, Sigma's distinct entries */
  size_t np;        /* patterns */
  double N;         /* observations */
  double cnt[2][TSIM_MMRM_MAX_VISITS]; /* values per arm and visit */
} ctx;

/* Sigma = L L' from theta into ws->L and ws->Sig; 0 when Sigma is too close to singular
 * (a visit's variance explained by the earlier ones but for COND_MIN of it) or not finite. */
static int sigma_of_theta(tsim_mmrm_ws *ws, const ctx *c, const double *theta) {
  const int V = c->V;
  double *L = ws->L, *Sig = ws->Sig;
  memset(L, 0, sizeof *L * (size_t)(V * V));
  for (int a = 0; a < V; a++)
    for (int b = 0; b <= a; b++) L[a * V + b] = a == b ? exp(theta[sidx(a, b)]) : theta[sidx(a, b)];
  for (int a = 0; a < V; a++)
    for (int b = 0; b <= a; b++) {
      double t = 0.0;
      for (int q = 0; q <= b; q++) t += L[a * V + q] * L[b * V + q];
      Sig[a * V + b] = Sig[b * V + a] = t;
    }
  for (int a = 0; a < V; a++) {
    double d = L[a * V + a];
    if (!(d * d >= COND_MIN * Sig[a * V + a]) || !isfinite(Sig[a * V + a])) return 0;
  }
  return 1;
}

/* Each pattern's W = Sigma_O^-1, and M, X' V^-1 y summed; *ldet = sum_i log|Sigma_Oi|. */
static int weights(tsim_mmrm_ws *ws, const ctx *c, double *ldet) {
  const int V = c->V, k = c->k, p = c->p;
  double *M = ws->M, *rhs = ws->rhs;
  memset(M, 0, sizeof *M * (size_t)(p * p));
  memset(rhs, 0, sizeof *rhs * (size_t)p);
  *ldet = 0.0;
  for (size_t i = 0; i < c->np; i++) {
    pattern *P = &ws->pat[i];
    int m = P->m;
    double *W = P->W, *t = ws->tmp;
    for (int j = 0; j < m; j++)
      for (int l = 0; l < m; l++) t[j * m + l] = ws->Sig[P->O[j] * V + P->O[l]];
    if (!chol(t, m, 0.0)) return 0;
    *ldet += P->n * chol_logdet(t, m);
    chol_inverse(t, m, W);
    for (int j = 0; j < m; j++)
      for (int l = 0; l < m; l++) {
        double w = W[j * m + l];
        double *Mrow = M + (size_t)(P->O[j] * k) * (size_t)p + P->O[l] * k;
        for (int a = 0; a < k; a++)
          for (int b = 0; b < k; b++) Mrow[a * p + b] += w * P->Z[a * k + b];
        for (int a = 0; a < k; a++) rhs[P->O[j] * k + a] += w * P->ZY[a * m + l];
      }
  }
  return 1;
}

/* Each pattern's RR = sum r r' at beta; returns sum_i r_i' W_i r_i. */
static double residuals(tsim_mmrm_ws *ws, const ctx *c) {
  const int k = c->k;
  const double *beta = ws->beta;
  double quad = 0.0;
  for (size_t i = 0; i < c->np; i++) {
    pattern *P = &ws->pat[i];
    int m = P->m;
    for (int j = 0; j < m; j++)
      for (int l = 0; l <= j; l++) {
        const double *bj = beta + P->O[j] * k, *bl = beta + P->O[l] * k;
        double r = P->YY[j * m + l];
        for (int a = 0; a < k; a++) {
          r -= P->ZY[a * m + j] * bl[a] + bj[a] * P->ZY[a * m + l];
          for (int b = 0; b < k; b++) r += bj[a] * P->Z[a * k + b] * bl[b];
        }
        P->RR[j * m + l] = P->RR[l * m + j] = r;
      }
    for (int j = 0; j < m * m; j++) quad += P->W[j] * P->RR[j];
  }
  return quad;
}

/* One pattern's part of the gradient G and the informations (see the top): U = W RR W,
 * UZ = W (sum r z'), Q = [tr(M^-1_vw Z)], Y = W Q W, and the sums over the pairs of Sigma's
 * entries it observes; S_D and h_D accumulated for the terms through M^-1. */
static void pattern_terms(tsim_mmrm_ws *ws, const ctx *c, const pattern *P) {
  const int V = c->V, k = c->k, p = c->p, s = c->s, m = P->m;
  const double *W = P->W, *Z = P->Z, *beta = ws->beta, *Minv = ws->Minv;
  double *U = ws->U, *Q = ws->Q, *Yp = ws->Yp, *t = ws->tmp, *RZ = ws->RZ, *UZ = ws->UZ;
  size_t pp = (size_t)p * (size_t)p;
  matmul(W, P->RR, t, m);
  matmul(t, W, U, m);
  for (int j = 0; j < m; j++)
    for (int a = 0; a < k; a++) {
      double r = P->ZY[a * m + j];
      for (int b = 0; b < k; b++) r -= beta[P->O[j] * k + b] * Z[b * k + a];
      RZ[j * k + a] = r;
    }
  for (int j = 0; j < m; j++)
    for (int a = 0; a < k; a++) {
      double u = 0.0;
      for (int l = 0; l < m; l++) u += W[j * m + l] * RZ[l * k + a];
      UZ[j * k + a] = u;
    }
  for (int j = 0; j < m; j++)
    for (int l = 0; l < m; l++) {
      const double *blk = Minv + (size_t)(P->O[j] * k) * (size_t)p + P->O[l] * k;
      double q = 0.0;
      for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++) q += blk[a * p + b] * Z[b * k + a];
      Q[j * m + l] = q;
    }
  matmul(W, Q, t, m);
  matmul(t, W, Yp, m);
  for (int j = 0; j < m; j++)
    for (int l = 0; l < m; l++)
      ws->G[P->O[j] * V + P->O[l]] += 0.5 * (U[j * m + l] - P->n * W[j * m + l] + Yp[j * m + l]);
  for (int j1 = 0; j1 < m; j1++)
    for (int j2 = 0; j2 <= j1; j2++) {
      int g1 = sidx(P->O[j1], P->O[j2]);
      /* The pairs (l1, l2) from (j1, j2) on, each unordered pair of entries once. */
      for (int l1 = j1; l1 < m; l1++)
        for (int l2 = l1 == j1 ? j2 : 0; l2 <= l1; l2++) {
          int g2 = sidx(P->O[l1], P->O[l2]);
          double e = 0.5 * (P->n * tr_dxdy(W, W, m, j1, j2, l1, l2) - 2.0 * tr_dxdy(Yp, W, m, j1, j2, l1, l2));
          double o = tr_dxdy(W, U, m, j1, j2, l1, l2) - e;
          ws->F[g1 * s + g2] += e;
          ws->Iobs[g1 * s + g2] += o;
          if (g1 != g2) {
            ws->F[g2 * s + g1] += e;
            ws->Iobs[g2 * s + g1] += o;
          }
        }
      /* S_D += (W D W) (x) Z and h_D += vec(W D UZ), D the basis matrix of (O_j1, O_j2). */
      double *Sg = ws->S + (size_t)g1 * pp, *hg = ws->h + (size_t)g1 * (size_t)p;
      for (int x = 0; x < m; x++) {
        double wx1 = W[x * m + j1], wx2 = W[x * m + j2];
        for (int y = 0; y < m; y++) {
          double co = wx1 * W[j2 * m + y] + (j1 != j2 ? wx2 * W[j1 * m + y] : 0.0);
          double *blk = Sg + (size_t)(P->O[x] * k) * (size_t)p + P->O[y] * k;
          for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++) blk[a * p + b] += co * Z[a * k + b];
        }
        for (int a = 0; a < k; a++)
          hg[P->O[x] * k + a] += wx1 * UZ[j2 * k + a] + (j1 != j2 ? wx2 * UZ[j1 * k + a] : 0.0);
      }
    }
}

/* The informations' terms through M^-1: tr(M^-1 S1 M^-1 S2) and h1' M^-1 h2. */
static void minv_terms(tsim_mmrm_ws *ws, const ctx *c) {
  const int p = c->p, s = c->s;
  const double *Minv = ws->Minv, *S = ws->S, *h = ws->h;
  double *R = ws->R, *Mh = ws->Mh, *F = ws->F, *Iobs = ws->Iobs;
  size_t pp = (size_t)p * (size_t)p;
  for (int g = 0; g < s; g++) {
    const double *Sg = S + (size_t)g * pp, *hg = h + (size_t)g * (size_t)p;
    double *Rg = R + (size_t)g * pp, *Mhg = Mh + (size_t)g * (size_t)p;
    for (int x = 0; x < p; x++) {
      const double *mi = Minv + (size_t)x * (size_t)p;
      double *rx = Rg + (size_t)x * (size_t)p, mh = 0.0;
      for (int y = 0; y < p; y++) rx[y] = 0.0;
      for (int q = 0; q < p; q++) {
        double mq = mi[q];
        if (mq == 0.0) continue;
        const double *sq = Sg + (size_t)q * (size_t)p;
        for (int y = 0; y < p; y++) rx[y] += mq * sq[y];
        mh += mq * hg[q];
      }
      Mhg[x] = mh;
    }
  }
  for (int g1 = 0; g1 < s; g1++)
    for (int g2 = g1; g2 < s; g2++) {
      const double *R1 = R + (size_t)g1 * pp, *R2 = R + (size_t)g2 * pp;
      const double *h1 = h + (size_t)g1 * (size_t)p, *m2 = Mh + (size_t)g2 * (size_t)p;
      double t3 = 0.0, y2 = 0.0;
      for (int x = 0; x < p; x++)
        for (int y = 0; y < p; y++) t3 += R1[x * p + y] * R2[y * p + x];
      for (int x = 0; x < p; x++) y2 += h1[x] * m2[x];
      F[g1 * s + g2] += 0.5 * t3;
      Iobs[g1 * s + g2] -= 0.5 * t3 + y2;
      if (g1 != g2) {
        F[g2 * s + g1] = F[g1 * s + g2];
        Iobs[g2 * s + g1] = Iobs[g1 * s + g2];
      }
    }
}

/* The log-likelihood at theta (scaled, centred data) into *loglik, and with full also its
 * gradient over Sigma's entries (ws->gs, ws->G) and informations (ws->Iobs, ws->F), with
 * M^-1 and S_D for Satterthwaite. TSIM_MMRM_OK, or TSIM_MMRM_SINGULAR when Sigma(theta) or M
 * is too close to singular to evaluate. */
static tsim_mmrm_status eval(tsim_mmrm_ws *ws, const ctx *c, const double *theta, int full,
                             double *loglik) {
  const int V = c->V, p = c->p, s = c->s;
  double ldet;
  if (!sigma_of_theta(ws, c, theta) || !weights(ws, c, &ldet)) return TSIM_MMRM_SINGULAR;
  memcpy(ws->Mc, ws->M, sizeof *ws->M * (size_t)(p * p));
  if (!chol(ws->Mc, p, 1e-15)) return TSIM_MMRM_SINGULAR;
  memcpy(ws->beta, ws->rhs, sizeof *ws->rhs * (size_t)p);
  chol_solve(ws->Mc, p, ws->beta);
  double quad = residuals(ws, c);
  *loglik = -0.5 * ((c->N - p) * LOG_2PI + ldet + chol_logdet(ws->Mc, p) + quad);
  if (!isfinite(*loglik)) return TSIM_MMRM_SINGULAR;
  if (!full) return TSIM_MMRM_OK;

  chol_inverse(ws->Mc, p, ws->Minv);
  memset(ws->G, 0, sizeof *ws->G * (size_t)(V * V));
  memset(ws->Iobs, 0, sizeof *ws->Iobs * (size_t)(s * s));
  memset(ws->F, 0, sizeof *ws->F * (size_t)(s * s));
  memset(ws->S, 0, sizeof *ws->S * (size_t)s * (size_t)p * (size_t)p);
  memset(ws->h, 0, sizeof *ws->h * (size_t)(s * p));
  for (size_t i = 0; i < c->np; i++) pattern_terms(ws, c, &ws->pat[i]);
  minv_terms(ws, c);
  for (int a = 0; a < V; a++)
    for (int b = 0; b <= a; b++) ws->gs[sidx(a, b)] = a == b ? ws->G[a * V + a] : 2.0 * ws->G[a * V + b];
  return TSIM_MMRM_OK;
}

/* The gradient and informations over theta from those over Sigma's entries (see the top). */
static void to_theta(tsim_mmrm_ws *ws, const ctx *c) {
  const int V = c->V, s = c->s;
  const double *L = ws->L, *G = ws->G;
  double *J = ws->J, *T = ws->T;
  for (int a = 0; a < V; a++)
    for (int b = 0; b <= a; b++) {
      int j = sidx(a, b);
      double sc = a == b ? L[a * V + a] : 1.0;
      for (int cc = 0; cc < V; cc++)
        for (int d = 0; d <= cc; d++) {
          double v = (cc == a ? L[d * V + b] : 0.0) + (d == a ? L[cc * V + b] : 0.0);
          J[sidx(cc, d) * s + j] = sc * v;
        }
    }
  for (int j = 0; j < s; j++) {
    double t = 0.0;
    for (int i = 0; i < s; i++) t += J[i * s + j] * ws->gs[i];
    ws->gth[j] = t;
  }
  /* Ith = J' Iobs J - second-order terms; Iexp = J' F J. */
  for (int pass = 0; pass < 2; pass++) {
    const double *X = pass ? ws->F : ws->Iobs;
    double *out = pass ? ws->Iexp : ws->Ith;
    for (int i = 0; i < s; i++)
      for (int j = 0; j < s; j++) {
        double t = 0.0;
        for (int q = 0; q < s; q++) t += X[i * s + q] * J[q * s + j];
        T[i * s + j] = t;
      }
    for (int i = 0; i < s; i++)
      for (int j = 0; j < s; j++) {
        double t = 0.0;
        for (int q = 0; q < s; q++) t += J[q * s + i] * T[q * s + j];
        out[i * s + j] = t;
      }
  }
  for (int a = 0; a < V; a++)
    for (int b = 0; b <= a; b++) {
      int j = sidx(a, b);
      double sj = a == b ? L[a * V + a] : 1.0;
      for (int cc = 0; cc < V; cc++) {
        if (b > cc) continue;
        int l = sidx(cc, b);
        double sl = cc == b ? L[cc * V + cc] : 1.0;
        ws->Ith[j * s + l] -= 2.0 * G[a * V + cc] * sj * sl;
      }
      if (a == b) ws->Ith[j * s + j] -= ws->gth[j];
    }
}

/* The step: Newton's where the observed information is positive definite, Fisher scoring's
 * otherwise; 0 when neither information is (the parameters are not identified here). */
static int direction(tsim_mmrm_ws *ws, const ctx *c, double *decrement) {
  const int s = c->s;
  for (int pass = 0; pass < 2; pass++) {
    memcpy(ws->C, pass ? ws->Iexp : ws->Ith, sizeof *ws->C * (size_t)(s * s));
    if (!chol(ws->C, s, 1e-14)) continue;
    memcpy(ws->dir, ws->gth, sizeof *ws->dir * (size_t)s);
    chol_solve(ws->C, s, ws->dir);
    double d = 0.0;
    for (int j = 0; j < s; j++) d += ws->gth[j] * ws->dir[j];
    *decrement = d;
    return isfinite(d);
  }
  return 0;
}

static void fail(tsim_mmrm_fit *out, tsim_mmrm_status st) {
  out->status = st;
  out->diff = out->se = out->df = out->t = out->p = out->lo = out->hi = out->loglik = NAN;
  out->converged = 0;
  for (int i = 0; i < TSIM_MMRM_MAX_VISITS * TSIM_MMRM_MAX_VISITS; i++) out->sigma[i] = NAN;
}

static tsim_mmrm_status finish(tsim_mmrm_ws *ws, tsim_mmrm_fit *out, tsim_mmrm_status st) {
  for (size_t i = 0; i < ws->npmax; i++) {
    if (ws->pat[i].m == 0) break;
    ws->pattern_of[ws->pat[i].mask] = 0;
    ws->pat[i].m = 0;
  }
  if (st != TSIM_MMRM_OK) {
    int it = out->iterations, conv = out->converged;
    fail(out, st);
    out->iterations = it;
    if (st == TSIM_MMRM_NOT_IDENTIFIED || st == TSIM_MMRM_DF_TOO_SMALL) out->converged = conv;
  }
  return st;
}

/* Patient i of an arm: its value at visit v. */
static inline double yval(const tsim_mmrm_arm *a, size_t i, int v) {
  return a->y[i * a->pstride + (size_t)v * a->vstride];
}

/* The binary exponent e with |x| < 2^e for the largest |x| seen (0 for none or all 0). */
static int exponent_of(double mx) {
  int e;
  frexp(mx, &e);
  return e;
}

/* Pass 1: arguments and values; the largest magnitudes, the patients and the values counted
 * into c (N, cnt). */
static tsim_mmrm_status scan(const tsim_mmrm_arm *arm, int V, double *ymax, double *bmax,
                             ctx *c, size_t *patients) {
  for (int g = 0; g < 2; g++) {
    const tsim_mmrm_arm *a = &arm[g];
    if (a->n > 0 && (!a->y || a->pstride == 0 || (V > 1 && a->vstride == 0))) return TSIM_MMRM_BAD_ARGUMENT;
    for (size_t i = 0; i < a->n; i++) {
      int seen = 0;
      for (int v = 0; v < V; v++) {
        double y = yval(a, i, v);
        if (isinf(y)) return TSIM_MMRM_BAD_ARGUMENT;
        seen += !isnan(y);
      }
      if (a->base) {
        if (isinf(a->base[i])) return TSIM_MMRM_BAD_ARGUMENT;
        if (isnan(a->base[i])) continue;
      }
      if (!seen) continue;
      ++*patients;
      c->N += seen;
      if (a->base) *bmax = fmax(*bmax, fabs(a->base[i]));
      for (int v = 0; v < V; v++) {
        double y = yval(a, i, v);
        if (isnan(y)) continue;
        *ymax = fmax(*ymax, fabs(y));
        c->cnt[g][v] += 1.0;
      }
    }
  }
  return TSIM_MMRM_OK;
}

/* Is patient i of arm a in the fit (a value, and a baseline when there is one)? Its mask. */
static unsigned mask_of(const tsim_mmrm_arm *a, size_t i, int V) {
  if (a->base && isnan(a->base[i])) return 0;
  unsigned mask = 0;
  for (int v = 0; v < V; v++)
    if (!isnan(yval(a, i, v))) mask |= 1u << v;
  return mask;
}

/* Centring and scaling: y 2^-ey less its arm's mean at the visit, baseline 2^-eb less its
 * mean. */
typedef struct centre {
  int ey, eb;
  double ym[2][TSIM_MMRM_MAX_VISITS], bm;
} centre;

/* Pass 2: the means; pass 3: the patterns' sums. */
static void summarise(tsim_mmrm_ws *ws, ctx *c, const tsim_mmrm_arm *arm,
                      double patients, centre *ce) {
  const int V = c->V, k = c->k;
  double sb = 0.0;
  for (int g = 0; g < 2; g++) {
    for (int v = 0; v < V; v++) ce->ym[g][v] = 0.0;
    for (size_t i = 0; i < arm[g].n; i++) {
      unsigned mask = mask_of(&arm[g], i, V);
      if (!mask) continue;
      for (int v = 0; v < V; v++)
        if (mask >> v & 1u) ce->ym[g][v] += ldexp(yval(&arm[g], i, v), -ce->ey);
      if (arm[g].base) sb += ldexp(arm[g].base[i], -ce->eb);
    }
    for (int v = 0; v < V; v++) ce->ym[g][v] /= c->cnt[g][v] > 0 ? c->cnt[g][v] : 1.0;
  }
  ce->bm = sb / patients;
  c->np = 0;
  for (int g = 0; g < 2; g++)
    for (size_t i = 0; i < arm[g].n; i++) {
      unsigned mask = mask_of(&arm[g], i, V);
      if (!mask) continue;
      pattern *P;
      if (ws->pattern_of[mask]) {
        P = &ws->pat[ws->pattern_of[mask] - 1];
      } else {
        P = &ws->pat[c->np++];
        ws->pattern_of[mask] = (int)c->np;
        P->mask = mask;
        P->m = 0;
        for (int v = 0; v < V; v++)
          if (mask >> v & 1u) P->O[P->m++] = v;
        P->n = 0.0;
        memset(P->Z, 0, sizeof *P->Z * (size_t)(k * k));
        memset(P->ZY, 0, sizeof *P->ZY * (size_t)(k * P->m));
        memset(P->YY, 0, sizeof *P->YY * (size_t)(P->m * P->m));
      }
      double z[MAXK] = {1.0, (double)g, arm[g].base ? ldexp(arm[g].base[i], -ce->eb) - ce->bm : 0.0};
      double yv[TSIM_MMRM_MAX_VISITS];
      int m = P->m;
      for (int j = 0; j < m; j++) yv[j] = ldexp(yval(&arm[g], i, P->O[j]), -ce->ey) - ce->ym[g][P->O[j]];
      P->n += 1.0;
      for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) P->Z[a * k + b] += z[a] * z[b];
        for (int j = 0; j < m; j++) P->ZY[a * m + j] += z[a] * yv[j];
      }
      for (int j = 0; j < m; j++)
        for (int l = 0; l < m; l++) P->YY[j * m + l] += yv[j] * yv[l];
    }
}

/* The checks on what the data can estimate: each arm seen at each visit, more values than
 * fixed effects at each visit, each pair of visits seen together; pair[v][w] = the patients
 * observing both (v = w: observing v). */
static tsim_mmrm_status check_design(const tsim_mmrm_ws *ws, const ctx *c,
                                     double pair[TSIM_MMRM_MAX_VISITS][TSIM_MMRM_MAX_VISITS]) {
  const int V = c->V;
  for (int v = 0; v < V; v++)
    if (c->cnt[0][v] < 1.0 || c->cnt[1][v] < 1.0) return TSIM_MMRM_EMPTY_VISIT;
  for (int v = 0; v < V; v++)
    if (c->cnt[0][v] + c->cnt[1][v] < c->k + 1) return TSIM_MMRM_TOO_FEW;
  memset(pair, 0, sizeof(double) * TSIM_MMRM_MAX_VISITS * TSIM_MMRM_MAX_VISITS);
  for (size_t i = 0; i < c->np; i++) {
    const pattern *P = &ws->pat[i];
    for (int j = 0; j < P->m; j++)
      for (int l = 0; l < P->m; l++) pair[P->O[j]][P->O[l]] += P->n;
  }
  for (int v = 0; v < V; v++)
    for (int w = 0; w < v; w++)
      if (pair[v][w] < 1.0) return TSIM_MMRM_UNPAIRED;
  return TSIM_MMRM_OK;
}

/* Visit-wise least squares: B[v] the coefficients of the patients observing v, yy[v] their
 * centred sum of squares. COLLINEAR when the baseline is, at some visit. */
static tsim_mmrm_status visitwise(const tsim_mmrm_ws *ws, const ctx *c, double B[][MAXK], double *yy) {
  const int k = c->k;
  for (int v = 0; v < c->V; v++) {
    double Zv[MAXK * MAXK] = {0}, zy[MAXK] = {0};
    yy[v] = 0.0;
    for (size_t i = 0; i < c->np; i++) {
      const pattern *P = &ws->pat[i];
      for (int j = 0; j < P->m; j++)
        if (P->O[j] == v) {
          for (int q = 0; q < k * k; q++) Zv[q] += P->Z[q];
          for (int a = 0; a < k; a++) zy[a] += P->ZY[a * P->m + j];
          yy[v] += P->YY[j * P->m + j];
        }
    }
    /* The arm's pivot is positive with both arms present; the baseline's is its within-arm
     * sum of squares at v, compared with its sum of squares as R's QR compares norms. */
    if (!chol(Zv, k, k == 3 ? COLLINEAR_TOL * COLLINEAR_TOL : 0.0)) return TSIM_MMRM_COLLINEAR;
    memcpy(B[v], zy, sizeof zy);
    chol_solve(Zv, k, B[v]);
  }
  return TSIM_MMRM_OK;
}

/* The checks, and the starting Sigma (its Cholesky entries into ws->theta): visit-wise least
 * squares and the pairwise covariances of their residuals, correlations shrunk toward 0 until
 * the matrix is positive definite. */
static tsim_mmrm_status start(tsim_mmrm_ws *ws, const ctx *c) {
  const int V = c->V, k = c->k;
  double B[TSIM_MMRM_MAX_VISITS][MAXK], pair[TSIM_MMRM_MAX_VISITS][TSIM_MMRM_MAX_VISITS];
  double rr[TSIM_MMRM_MAX_VISITS][TSIM_MMRM_MAX_VISITS], yy[TSIM_MMRM_MAX_VISITS];
  tsim_mmrm_status st = check_design(ws, c, pair);
  if (st == TSIM_MMRM_OK) st = visitwise(ws, c, B, yy);
  if (st != TSIM_MMRM_OK) return st;
  memset(rr, 0, sizeof rr);
  for (size_t i = 0; i < c->np; i++) {
    const pattern *P = &ws->pat[i];
    int m = P->m;
    for (int j = 0; j < m; j++)
      for (int l = 0; l < m; l++) {
        const double *bj = B[P->O[j]], *bl = B[P->O[l]];
        double r = P->YY[j * m + l];
        for (int a = 0; a < k; a++) {
          r -= P->ZY[a * m + j] * bl[a] + bj[a] * P->ZY[a * m + l];
          for (int b = 0; b < k; b++) r += bj[a] * P->Z[a * k + b] * bl[b];
        }
        rr[P->O[j]][P->O[l]] += r;
      }
  }
  double sd[TSIM_MMRM_MAX_VISITS], S0[TSIM_MMRM_MAX_VISITS * TSIM_MMRM_MAX_VISITS];
  for (int v = 0; v < V; v++) {
    if (!(rr[v][v] > PERFECT_FIT_TOL * yy[v])) return TSIM_MMRM_PERFECT_FIT;
    sd[v] = sqrt(rr[v][v] / (pair[v][v] - k));
  }
  for (int round = 0;; round++) {
    double shrink = round < 10 ? ldexp(1.0, -round) : 0.0;
    for (int v = 0; v < V; v++)
      for (int w = 0; w <= v; w++) {
        double r = 0.0;
        if (v != w) {
          double cov = rr[v][w] / fmax(pair[v][w] - k, 1.0);
          r = fmax(-0.95, fmin(0.95, cov / (sd[v] * sd[w]))) * shrink;
        }
        S0[v * V + w] = (v == w ? 1.0 : r) * sd[v] * sd[w];
      }
    if (chol(S0, V, 1e-6)) break;
    if (round == 10) return TSIM_MMRM_SINGULAR; /* not even the diagonal (not reached) */
  }
  for (int a = 0; a < V; a++)
    for (int b = 0; b <= a; b++) ws->theta[sidx(a, b)] = a == b ? log(S0[a * V + a]) : S0[a * V + b];
  return TSIM_MMRM_OK;
}

/* Is the current Sigma within COND_SINGULAR of a singular matrix (a variance explained by the
 * earlier visits to that fraction)? */
static int near_singular(const tsim_mmrm_ws *ws, const ctx *c) {
  for (int a = 0; a < c->V; a++) {
    double d = ws->L[a * c->V + a];
    if (d * d < COND_SINGULAR * ws->Sig[a * c->V + a]) return 1;
  }
  return 0;
}

/* Newton / scoring from ws->theta to the maximum; the last evaluation is at the returned
 * ws->theta, with its derivatives. */
static tsim_mmrm_status maximise(tsim_mmrm_ws *ws, const ctx *c, double *loglik, int *iterations) {
  const int s = c->s;
  double l, lprev = -INFINITY;
  tsim_mmrm_status st = eval(ws, c, ws->theta, 1, &l);
  if (st != TSIM_MMRM_OK) return st;
  for (int it = 0;; it++) {
    to_theta(ws, c);
    double dec;
    /* An unbounded likelihood (Sigma tending to a singular matrix) shows as informations that
     * are no longer positive definite (their condition grows as Sigma's squared), or as a long
     * climb. */
    if (!direction(ws, c, &dec)) return TSIM_MMRM_SINGULAR;
    double roundoff = TOL_LOGLIK * (fabs(l) + 1.0);
    if (dec <= TOL_DECREMENT || (dec <= TOL_STALLED && fabs(l - lprev) <= roundoff)) break;
    if (it == MAX_ITER) return near_singular(ws, c) ? TSIM_MMRM_SINGULAR : TSIM_MMRM_NOT_CONVERGED;
    double big = 0.0, t = 1.0, lt = -INFINITY;
    for (int j = 0; j < s; j++) big = fmax(big, fabs(ws->dir[j]));
    if (big > MAX_STEP) t = MAX_STEP / big;
    int accepted = 0;
    for (int hv = 0; hv <= MAX_HALVINGS; hv++, t *= 0.5) {
      for (int j = 0; j < s; j++) ws->trial[j] = ws->theta[j] + t * ws->dir[j];
      /* A step may lose what rounding can hide: near the maximum the gain is below it. */
      if (eval(ws, c, ws->trial, 1, &lt) == TSIM_MMRM_OK && lt >= l - roundoff) {
        accepted = 1;
        break;
      }
    }
    ++*iterations;
    if (!accepted) {
      if (dec > TOL_STALLED) return near_singular(ws, c) ? TSIM_MMRM_SINGULAR : TSIM_MMRM_NOT_CONVERGED;
      /* Converged as far as rounding lets the log-likelihood tell: back to theta. */
      st = eval(ws, c, ws->theta, 1, &l);
      if (st != TSIM_MMRM_OK) return st;
      break;
    }
    memcpy(ws->theta, ws->trial, sizeof *ws->theta * (size_t)s);
    lprev = l;
    l = lt;
  }
  *loglik = l;
  return TSIM_MMRM_OK;
}

/* Satterthwaite's df of the fixed effect ci at the maximum: g_D = phi' S_D phi (phi = M^-1 e_ci,
 * the gradient of Phi_ci,ci over Sigma's entries), A = Iobs^-1 over the same entries. */
static tsim_mmrm_status satterthwaite(tsim_mmrm_ws *ws, const ctx *c, int ci, double *df) {
  const int p = c->p, s = c->s;
  size_t pp = (size_t)p * (size_t)p;
  for (int x = 0; x < p; x++) ws->phi[x] = ws->Minv[x * p + ci];
  for (int g = 0; g < s; g++) {
    const double *Sg = ws->S + (size_t)g * pp;
    double t = 0.0;
    for (int x = 0; x < p; x++) {
      double u = 0.0;
      for (int y = 0; y < p; y++) u += Sg[x * p + y] * ws->phi[y];
      t += ws->phi[x] * u;
    }
    ws->gc[g] = t;
  }
  memcpy(ws->C, ws->Iobs, sizeof *ws->C * (size_t)(s * s));
  if (!chol(ws->C, s, 1e-14)) return TSIM_MMRM_NOT_IDENTIFIED;
  memcpy(ws->dir, ws->gc, sizeof *ws->dir * (size_t)s);
  chol_solve(ws->C, s, ws->dir);
  double den = 0.0, var = ws->Minv[ci * p + ci];
  for (int g = 0; g < s; g++) den += ws->gc[g] * ws->dir[g];
  *df = 2.0 * var * var / den;
  if (!(den > 0.0) || !isfinite(*df)) return TSIM_MMRM_NOT_IDENTIFIED;
  if (*df < TSIM_T_MIN_DF) return TSIM_MMRM_DF_TOO_SMALL;
  return TSIM_MMRM_OK;
}

/* The fit's numbers from the maximum (ws's last evaluation), back in the data's units. */
static void report(const tsim_mmrm_ws *ws, const ctx *c, const centre *ce, int at, double conf, double l,
                   double df, tsim_mmrm_fit *out) {
  const int V = c->V, p = c->p, ci = at * c->k + 1;
  double d = ws->beta[ci] + (ce->ym[1][at] - ce->ym[0][at]), se = sqrt(ws->Minv[ci * p + ci]);
  out->status = TSIM_MMRM_OK;
  out->diff = ldexp(d, ce->ey);
  out->se = ldexp(se, ce->ey);
  out->df = df;
  out->t = d / se;
  out->p = tsim_t_two_sided_p(out->t, df);
  if (conf > 0.0) {
    double q = tsim_t_upper_quantile((1.0 - conf) / 2.0, df);
    out->lo = out->diff - q * out->se;
    out->hi = out->diff + q * out->se;
  }
  /* Unscaled: Sigma by 2^2ey, |M| by 2^(2 eb V - 2 ey p) (mmrm.h: nlme's definition). */
  out->loglik = l - ((c->N - p) * ce->ey + (c->k == 3 ? V * ce->eb : 0)) * LN2;
  for (int v = 0; v < V; v++)
    for (int w = 0; w < V; w++) out->sigma[v * V + w] = ldexp(ws->Sig[v * V + w], 2 * ce->ey);
}

tsim_mmrm_status tsim_mmrm(tsim_mmrm_ws *ws, tsim_mmrm_arm a0, tsim_mmrm_arm a1, int visits, int at,
                           double conf, tsim_mmrm_fit *out) {
  if (!out) return TSIM_MMRM_BAD_ARGUMENT;
  fail(out, TSIM_MMRM_BAD_ARGUMENT);
  out->iterations = 0;
  out->visits = visits;
  out->patients = out->observations = 0;
  if (!ws || visits < 1 || visits > ws->vmax || at < 0 || at >= visits || a0.n > ws->nmax ||
      a1.n > ws->nmax - a0.n || (!a0.base) != (!a1.base) || !(conf == 0.0 || (conf > 0.0 && conf < 1.0)))
    return TSIM_MMRM_BAD_ARGUMENT;
  const tsim_mmrm_arm arm[2] = {a0, a1};
  ctx c = {visits, a0.base ? 3 : 2, 0, 0, 0, 0.0, {{0}}};
  c.p = c.k * visits;
  c.s = (int)nsig(visits);
  double ymax = 0.0, bmax = 0.0;
  size_t patients = 0;
  tsim_mmrm_status st = scan(arm, visits, &ymax, &bmax, &c, &patients);
  if (st != TSIM_MMRM_OK) return finish(ws, out, st);
  out->patients = patients;
  out->observations = (size_t)c.N;
  centre ce;
  ce.ey = exponent_of(ymax);
  ce.eb = exponent_of(bmax);
  if (patients > 0) summarise(ws, &c, arm, (double)patients, &ce);
  st = start(ws, &c);
  double l = NAN;
  int iterations = 0;
  if (st == TSIM_MMRM_OK) st = maximise(ws, &c, &l, &iterations);
  out->iterations = iterations;
  if (st != TSIM_MMRM_OK) return finish(ws, out, st);
  out->converged = 1;

  double df;
  st = satterthwaite(ws, &c, at * c.k + 1, &df);
  if (st == TSIM_MMRM_OK) report(ws, &c, &ce, at, conf, l, df, out);
  return finish(ws, out, st);
}

double tsim_mmrm_margin_p(const tsim_mmrm_fit *fit, double theta0, int greater) {
  if (!fit || fit->status != TSIM_MMRM_OK) return NAN;
  return tsim_t_shifted_p(fit->diff, fit->se, fit->df, theta0, greater);
}
