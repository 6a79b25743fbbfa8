/* gsbound.c - group-sequential boundaries by recursive numerical integration (see gsbound.h).
 *
 * Model (Jennison & Turnbull 2000, "Group Sequential Methods with Applications to Clinical
 * Trials", ch. 3 and 19). On the score scale S_k = Z_k sqrt(t_k) the increments
 * S_k - S_{k-1} are independent N(theta D_k, D_k), D_k = t_k - t_{k-1}. Let h_k be the
 * sub-density of Z_k on the trials still going at look k (those that crossed no bound before).
 * Then (Armitage, McPherson & Rowe 1969, J R Stat Soc A 132:235)
 *   h_1(z)  = phi(z - theta sqrt t_1),
 *   h_k(z)  = Int_{C_{k-1}} h_{k-1}(y) sqrt(t_k / D_k) phi((z sqrt t_k - y sqrt t_{k-1}
 *             - theta D_k) / sqrt D_k) dy,
 *   P(Z_k >= c, going at k) = Int_{C_{k-1}} h_{k-1}(y) (1 - Phi((c sqrt t_k - y sqrt t_{k-1}
 *             - theta D_k) / sqrt D_k)) dy,
 * C_k the continuation region of look k. The integrals use J&T's grid (section 19.2.1): with
 * mean mu_k = E Z_k and i = 1..6r-1 the points mu_k + x_i,
 *   x_i = -3 - 4 log(r / i)           i = 1 .. r-1
 *   x_i = -3 + 3 (i - r) / (2 r)      i = r .. 5r
 *   x_i =  3 + 4 log(r / (6r - i))    i = 5r+1 .. 6r-1,
 * cut to C_k with its ends added as points, and Simpson's rule on the points and the midpoints
 * between them. Conditional power starts the recursion from a point (Z_j = z), where E Z_k is
 * the conditional mean and sd_k = sqrt((t_k - t_j) / t_k) < 1: the points are then mu_k +
 * sd_k x_i, the same grid scaled to the density's spread.
 *
 * The grid must also resolve the transition kernels, normals of SD sqrt(D / t) in z: the one
 * to the next look, which the grid integrates against, and the one from the previous look,
 * whose width is that of the steep edge the previous bound leaves in this look's density. With
 * looks close together (D small) they are narrower than the grid's spacing 3 sd / (4r) in the
 * middle. The grid of look k therefore takes r_k = max(r, 9 sd_k / SD), at least 12 Simpson
 * points per kernel SD, up to r = 1024: looks closer than D / t = 8e-5 are integrated less
 * accurately (at D / t = 2e-3 and 2e-4 the default grid is within 3e-8 on z of r = 256).
 *
 * Accuracy: Simpson's rule on this grid is fourth order in 1/r. On the designs of
 * tests/test_gsbound.c the boundaries at the default r = 32 are within 1.3e-7 on z of those at
 * r = 128 and the exit probabilities within 4e-8 (r = 16: about 1e-6 on z; r = 64: 1e-8;
 * r = 128: 5e-10). rpact 3.3.4 (91-point Newton-Cotes) is within 6e-8 on z of r = 128. The
 * largest single error is the mass of each grid, 1e-8 per tail at r = 32 (J&T's log-spaced
 * tails): so P(going on) and the expected information are integrated exactly in the last
 * look's z, as the crossing probabilities are, rather than taken from the grid's mass.
 * Each boundary solves "cumulative crossing probability = cumulative alpha" by Newton's method
 * on the logarithm of the crossing probability, kept inside a bracket by bisection, to 1e-13
 * on z: the log keeps tiny increments (an O'Brien-Fleming first look at t = 0.01 spends
 * ~1e-111) as well resolved as large ones.
 *
 * A Wang-Tsiatis design solves its constant C (bounds C t_k^(delta - 1/2), total crossing
 * probability alpha) by the Illinois variant of regula falsi on log(total) - log(alpha), each
 * evaluation a whole recursion (about 15 of them).
 *
 * The tails: Phi and 1 - Phi as erfc (C99 libm, relative accuracy in both tails); the
 * quantile gsl_cdf_ugaussian_Qinv only for arguments in (0, 1), where GSL has no error path.
 */
#include "stats/gsbound.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

#define GS_R_MIN 8
#define GS_R_MAX 256       /* the largest r a design may ask for */
#define GS_R_KERNEL_MAX 1024 /* the largest r the kernel rule may choose */
#define GS_KERNEL_R 9.0    /* r_k >= 9 sd_k / kernel SD: 12 Simpson points per kernel SD */
#define GS_Z_MAX 40.0      /* |z| beyond which every tail probability is below 1e-300 */
#define GS_TOL_Z 1e-13     /* root tolerance on z */
#define GS_MAX_ITER 200

/* A message for the caller's diag, which may be NULL. */
#define GS_NOTE(diag, ...)                        \
  do {                                            \
    if (diag) tsim_diag_add((diag), __VA_ARGS__); \
  } while (0)

static const double GS_INV_SQRT_2PI = 0.39894228040143267794;
static const double GS_SQRT1_2 = 0.70710678118654752440;
static const double GS_E_MINUS_1 = 1.71828182845904523536; /* e - 1 (M_E is not C11) */

/* 1 - Phi(u) and Phi(u), accurate in both tails. */
static double gs_q(double u) { return 0.5 * erfc(u * GS_SQRT1_2); }
static double gs_p(double u) { return 0.5 * erfc(-u * GS_SQRT1_2); }

/* ---------------------------------------------------------------- the recursion's state */

/* The sub-density of the trials still going after a look, on its grid: score s_i = z_i sqrt t
 * and hw_i = Simpson weight times density. A point mass (the start, or a conditional start)
 * is one point with hw = 1. */
typedef struct gs_stage {
  int m;      /* points */
  double t;   /* information fraction of the look */
  double *s;  /* scores z sqrt(t) */
  double *hw; /* weight x density: sum(hw) = P(still going) */
} gs_stage;

typedef struct gs_ws {
  gs_stage prev, next;
  double *z, *w; /* the new grid (z values) and its Simpson weights */
  double *pts;   /* J&T's points cut to the region */
  int cap;       /* capacity of every array */
} gs_ws;

static void gs_ws_free(gs_ws *ws) {
  free(ws->prev.s);
  free(ws->prev.hw);
  free(ws->next.s);
  free(ws->next.hw);
  free(ws->z);
  free(ws->w);
  free(ws->pts);
}

/* Arrays for grids of r up to r_max; the state starts as the point mass S = s0 at t0. */
static tsim_status gs_ws_init(gs_ws *ws, int r_max, double t0, double s0) {
  int cap = 12 * r_max + 8;
  ws->cap = cap;
  ws->prev.s = malloc((size_t)cap * sizeof(double));
  ws->prev.hw = malloc((size_t)cap * sizeof(double));
  ws->next.s = malloc((size_t)cap * sizeof(double));
  ws->next.hw = malloc((size_t)cap * sizeof(double));
  ws->z = malloc((size_t)cap * sizeof(double));
  ws->w = malloc((size_t)cap * sizeof(double));
  ws->pts = malloc((size_t)cap * sizeof(double));
  if (!ws->prev.s || !ws->prev.hw || !ws->next.s || !ws->next.hw || !ws->z || !ws->w ||
      !ws->pts) {
    gs_ws_free(ws);
    return TSIM_NOMEM;
  }
  ws->prev.m = 1;
  ws->prev.t = t0;
  ws->prev.s[0] = s0;
  ws->prev.hw[0] = 1.0;
  return TSIM_OK;
}

/* J&T's point i (1..6r-1) before centring. */
static double gs_jt_point(int i, int r) {
  if (i < r) return -3.0 - 4.0 * log((double)r / i);
  if (i <= 5 * r) return -3.0 + 3.0 * (i - r) / (2.0 * r);
  return 3.0 + 4.0 * log((double)r / (6 * r - i));
}

/* The Simpson grid on (a, b) for a density of mean mu and spread sd: fills ws->z and ws->w,
 * returns the number of points (0 when the region is empty). */
static int gs_grid(gs_ws *ws, int r, double mu, double sd, double a, double b) {
  double lo = fmax(a, mu + sd * gs_jt_point(1, r));
  double hi = fmin(b, mu + sd * gs_jt_point(6 * r - 1, r));
  if (!(lo < hi)) return 0;
  int n = 0;
  ws->pts[n++] = lo;
  for (int i = 1; i < 6 * r; i++) {
    double x = mu + sd * gs_jt_point(i, r);
    if (x > lo && x < hi) ws->pts[n++] = x;
  }
  ws->pts[n++] = hi;
  int m = 2 * n - 1;
  for (int i = 0; i < n; i++) {
    ws->z[2 * i] = ws->pts[i];
    ws->w[2 * i] = 0.0;
  }
  for (int i = 0; i + 1 < n; i++) {
    double d = ws->pts[i + 1] - ws->pts[i];
    ws->z[2 * i + 1] = 0.5 * (ws->pts[i] + ws->pts[i + 1]);
    ws->w[2 * i] += d / 6.0;
    ws->w[2 * i + 1] = 4.0 * d / 6.0;
    ws->w[2 * i + 2] += d / 6.0;
  }
  return m;
}

/* Advances the state to the look at fraction t: the sub-density of the trials that go on past
 * it, on the region (a, b), under drift theta; the grid centred at mu with spread sd, r points
 * parameter. */
static void gs_advance(gs_ws *ws, double t, double theta, double a, double b, int r, double mu,
                       double sd) {
  const gs_stage *p = &ws->prev;
  gs_stage *q = &ws->next;
  int m = gs_grid(ws, r, mu, sd, a, b);
  double dt = t - p->t, sdt = sqrt(dt), st = sqrt(t), shift = theta * dt;
  double scale = st / sdt * GS_INV_SQRT_2PI;
  for (int j = 0; j < m; j++) {
    double x = ws->z[j] * st - shift, sum = 0.0;
    for (int i = 0; i < p->m; i++) {
      double u = (x - p->s[i]) / sdt;
      if (fabs(u) < GS_Z_MAX) sum += p->hw[i] * exp(-0.5 * u * u);
    }
    q->s[j] = ws->z[j] * st;
    q->hw[j] = ws->w[j] * scale * sum;
  }
  q->m = m;
  q->t = t;
  gs_stage tmp = ws->prev;
  ws->prev = ws->next;
  ws->next = tmp;
}

/* P(Z >= c at the look at fraction t, still going before it) under theta, and its derivative
 * in c (<= 0) when dp is not NULL. c = +inf gives 0. */
static double gs_upper(const gs_stage *p, double t, double theta, double c, double *dp) {
  if (dp) *dp = 0.0;
  if (c == INFINITY || p->m == 0) return 0.0;
  double dt = t - p->t, sdt = sqrt(dt), x = c * sqrt(t) - theta * dt, sum = 0.0, der = 0.0;
  for (int i = 0; i < p->m; i++) {
    double u = (x - p->s[i]) / sdt;
    sum += p->hw[i] * gs_q(u);
    if (dp && fabs(u) < GS_Z_MAX) der += p->hw[i] * exp(-0.5 * u * u);
  }
  if (dp) *dp = -der * GS_INV_SQRT_2PI * sqrt(t) / sdt;
  return sum;
}

/* P(Z < a at the look, still going before it) under theta, and its derivative in a (>= 0).
 * a = -inf gives 0. */
static double gs_lower(const gs_stage *p, double t, double theta, double a, double *dp) {
  if (dp) *dp = 0.0;
  if (a == -INFINITY || p->m == 0) return 0.0;
  double dt = t - p->t, sdt = sqrt(dt), x = a * sqrt(t) - theta * dt, sum = 0.0, der = 0.0;
  for (int i = 0; i < p->m; i++) {
    double u = (x - p->s[i]) / sdt;
    sum += p->hw[i] * gs_p(u);
    if (dp && fabs(u) < GS_Z_MAX) der += p->hw[i] * exp(-0.5 * u * u);
  }
  if (dp) *dp = der * GS_INV_SQRT_2PI * sqrt(t) / sdt;
  return sum;
}

static double gs_mass(const gs_stage *p) {
  double sum = 0.0;
  for (int i = 0; i < p->m; i++) sum += p->hw[i];
  return sum;
}

/* The crossing probability of an efficacy bound c (two-sided: |Z| >= c) under H0, with its
 * derivative in c. */
static double gs_cross(const gs_stage *p, double t, int sided, double c, double *dp) {
  double d1, d2 = 0.0;
  double f = gs_upper(p, t, 0.0, c, &d1);
  if (sided == 2) f += gs_lower(p, t, 0.0, -c, &d2);
  *dp = d1 - d2;
  return f;
}

/* The efficacy bound c >= lo whose crossing probability under H0 is `target` (> 0): Newton's
 * method on log(crossing) - log(target), kept in a bracket. TSIM_INPUT when even c = lo
 * crosses less than the target (the alpha to spend cannot be spent above lo). */
static tsim_status gs_solve(const gs_stage *p, double t, int sided, double lo, double target,
                            double *c_out) {
  double d, flo = gs_cross(p, t, sided, lo, &d);
  /* Within the integration error of all the mass still going (alpha near 1): the bound is lo. */
  if (flo < target) {
    if (flo < target * (1.0 - 1e-6)) return TSIM_INPUT;
    *c_out = lo;
    return TSIM_OK;
  }
  double hi = GS_Z_MAX, lt = log(target);
  /* Start where a single normal tail would put it. */
  double c = target / sided < 0.5 ? gsl_cdf_ugaussian_Qinv(target / sided) : 0.0;
  if (!(c > lo && c < hi)) c = 0.5 * (lo + fmin(hi, lo + 10.0));
  for (int it = 0; it < GS_MAX_ITER; it++) {
    double f = gs_cross(p, t, sided, c, &d);
    if (f == target) break;
    if (f > target) lo = c; else hi = c;
    double step = f > 0.0 && d < 0.0 ? (log(f) - lt) * f / d : NAN;
    double cn = c - step;
    if (!(cn > lo && cn < hi)) cn = 0.5 * (lo + hi);
    double moved = fabs(cn - c);
    c = cn;
    if (moved < GS_TOL_Z || hi - lo < GS_TOL_Z) break;
  }
  *c_out = c;
  return TSIM_OK;
}

/* ---------------------------------------------------------------- validation */

static int gs_design_ok(const tsim_gs_design *d, tsim_diag *diag) {
  if (!d) {
    GS_NOTE(diag, "group-sequential design: missing");
    return 0;
  }
  int ok = 1;
  if (d->family != TSIM_GS_OF && d->family != TSIM_GS_POCOCK && d->family != TSIM_GS_HSD &&
      d->family != TSIM_GS_HP && d->family != TSIM_GS_WT) {
    GS_NOTE(diag, "group-sequential design: family %d is not one of OF, Pocock, HSD, HP, WT",
                  (int)d->family);
    ok = 0;
  }
  if (!(d->alpha > 0.0 && d->alpha < 1.0)) {
    GS_NOTE(diag, "group-sequential design: alpha %g is not in (0, 1)", d->alpha);
    ok = 0;
  }
  if (d->sided != 1 && d->sided != 2) {
    GS_NOTE(diag, "group-sequential design: sided %d is neither 1 nor 2", d->sided);
    ok = 0;
  }
  if (d->family == TSIM_GS_HSD && !(d->gamma >= -40.0 && d->gamma <= 40.0)) {
    GS_NOTE(diag, "group-sequential design: HSD gamma %g is not in [-40, 40]", d->gamma);
    ok = 0;
  }
  if (d->family == TSIM_GS_HP && !(d->hp_z > 0.0 && d->hp_z < GS_Z_MAX)) {
    GS_NOTE(diag, "group-sequential design: Haybittle-Peto interim z %g is not in (0, %g)",
                  d->hp_z, GS_Z_MAX);
    ok = 0;
  }
  if (d->family == TSIM_GS_WT && !(d->delta >= -0.5 && d->delta <= 1.0)) {
    GS_NOTE(diag, "group-sequential design: Wang-Tsiatis delta %g is not in [-0.5, 1]", d->delta);
    ok = 0;
  }
  if (d->binding != 0 && d->binding != 1) {
    GS_NOTE(diag, "group-sequential design: binding %d is neither 0 nor 1", d->binding);
    ok = 0;
  }
  if (d->grid_r != 0 && !(d->grid_r >= GS_R_MIN && d->grid_r <= GS_R_MAX)) {
    GS_NOTE(diag, "group-sequential design: grid r %d is not 0 or in [%d, %d]", d->grid_r,
                  GS_R_MIN, GS_R_MAX);
    ok = 0;
  }
  return ok;
}

static int gs_looks_ok(int looks, const double *t, tsim_diag *diag) {
  if (looks < 1 || looks > TSIM_GS_MAX_LOOKS) {
    GS_NOTE(diag, "group-sequential looks: %d looks, expected 1 to %d", looks,
                  TSIM_GS_MAX_LOOKS);
    return 0;
  }
  if (!t) {
    GS_NOTE(diag, "group-sequential looks: information fractions missing");
    return 0;
  }
  for (int k = 0; k < looks; k++) {
    if (!isfinite(t[k]) || t[k] <= 0.0) {
      GS_NOTE(diag, "group-sequential look %d: information fraction %g is not a positive "
                    "number", k + 1, t[k]);
      return 0;
    }
    if (k > 0 && !(t[k] > t[k - 1])) {
      GS_NOTE(diag, "group-sequential look %d: information fraction %g is not above the "
                    "previous look's %g", k + 1, t[k], t[k - 1]);
      return 0;
    }
  }
  return 1;
}

/* The r of the grid of look k: at least the design's, and enough to resolve the normal
 * kernels on either side of it (see the head of this file): the one to the next look, which
 * the grid integrates against, and the one from the previous look, whose width is that of the
 * steep edge the previous look's bound leaves in this look's density. */
static int gs_r_for(int r, const double *t, int looks, int k, double sd) {
  double kernel = INFINITY;
  if (k + 1 < looks) kernel = sqrt((t[k + 1] - t[k]) / t[k]);
  if (k > 0) kernel = fmin(kernel, sqrt((t[k] - t[k - 1]) / t[k - 1]));
  double need = ceil(GS_KERNEL_R * sd / kernel);
  if (!(need <= GS_R_KERNEL_MAX)) need = GS_R_KERNEL_MAX;
  return need > r ? (int)need : r;
}

static int gs_r_max(int r, const double *t, int looks) {
  int m = r;
  for (int k = 0; k < looks; k++) {
    int rk = gs_r_for(r, t, looks, k, 1.0);
    if (rk > m) m = rk;
  }
  return m;
}

/* ---------------------------------------------------------------- spending */

double tsim_gs_spend(const tsim_gs_design *d, double t) {
  if (!gs_design_ok(d, NULL) || isnan(t) || d->family == TSIM_GS_HP || d->family == TSIM_GS_WT)
    return NAN;
  if (t <= 0.0) return 0.0;
  if (t >= 1.0) return d->alpha;
  double a = d->alpha;
  switch (d->family) {
  case TSIM_GS_OF: {
    double s = d->sided;
    return 2.0 * s * gs_q(gsl_cdf_ugaussian_Qinv(a / (2.0 * s)) / sqrt(t));
  }
  case TSIM_GS_POCOCK:
    return a * log1p(GS_E_MINUS_1 * t);
  case TSIM_GS_HSD:
    if (d->gamma == 0.0) return a * t;
    return a * expm1(-d->gamma * t) / expm1(-d->gamma);
  default:
    return NAN;
  }
}

/* ---------------------------------------------------------------- boundaries */

/* The continuation region of a look: (lo, hi). */
static void gs_region(int sided, double eff, double fut, double *lo, double *hi) {
  *hi = eff;
  *lo = sided == 2 ? -eff : fut;
}

static tsim_status gs_bounds_run(const tsim_gs_design *d, tsim_gs_bounds *b, gs_ws *ws,
                                 tsim_diag *diag) {
  int K = b->looks, r = b->grid_r;
  double spent_prev = 0.0, cum = 0.0;
  for (int k = 0; k < K; k++) {
    double t = b->t[k], c, dummy;
    int last_final = b->final && k == K - 1;
    if (d->family == TSIM_GS_HP && !last_final) {
      c = d->hp_z;
      b->alpha_spent[k] = cum + gs_cross(&ws->prev, t, d->sided, c, &dummy);
    } else {
      double spent = last_final ? d->alpha : tsim_gs_spend(d, t);
      if (d->family == TSIM_GS_HP) spent = d->alpha;
      b->alpha_spent[k] = spent;
      double target = spent - (d->family == TSIM_GS_HP ? cum : spent_prev);
      if (d->family == TSIM_GS_HP && !(target > 0.0)) {
        GS_NOTE(diag, "group-sequential look %d: the Haybittle-Peto interims at z = %g spend "
                "%g, which leaves no alpha of %g for the final look", k + 1, d->hp_z, cum,
                d->alpha);
        return TSIM_INPUT;
      }
      /* Below 1e-300 nothing is left to spend (the tails themselves underflow there). */
      if (!(target > 1e-300)) {
        c = INFINITY;
      } else {
        /* The bound is solved on the whole line: a look's own futility bound does not change
         * its crossing probability, and one above the bound found is refused below. */
        double lo = d->sided == 2 ? 0.0 : -GS_Z_MAX;
        if (gs_solve(&ws->prev, t, d->sided, lo, target, &c) != TSIM_OK) {
          /* Only binding futility bounds can stop so many trials before this look. */
          GS_NOTE(diag, "group-sequential look %d: the binding futility bounds leave too few "
                  "trials going to spend alpha %g here (%g reach the look)", k + 1, target,
                  gs_mass(&ws->prev));
          return TSIM_INPUT;
        }
      }
    }
    b->efficacy[k] = c;
    cum += gs_cross(&ws->prev, t, d->sided, c, &dummy);
    b->alpha_cum[k] = cum;
    spent_prev = b->alpha_spent[k];
    if (b->futility[k] > c) {
      GS_NOTE(diag, "group-sequential look %d: futility bound %g is above the efficacy "
                    "bound %g", k + 1, b->futility[k], c);
      return TSIM_INPUT;
    }
    if (k + 1 < K) {
      double lo, hi;
      gs_region(d->sided, c, d->binding ? b->futility[k] : -INFINITY, &lo, &hi);
      gs_advance(ws, t, 0.0, lo, hi, gs_r_for(r, b->t, K, k, 1.0), 0.0, 1.0);
    }
  }
  return TSIM_OK;
}

/* Wang-Tsiatis: the cumulative crossing probabilities under H0 of the bounds
 * C t_k^(delta - 1/2), filled into b; returns the total. */
static double gs_wt_total(const tsim_gs_design *d, tsim_gs_bounds *b, gs_ws *ws, double C) {
  int K = b->looks;
  double cum = 0.0, dummy;
  ws->prev.m = 1;
  ws->prev.t = 0.0;
  ws->prev.s[0] = 0.0;
  ws->prev.hw[0] = 1.0;
  for (int k = 0; k < K; k++) {
    double t = b->t[k], c = C * pow(t, d->delta - 0.5);
    b->efficacy[k] = c;
    cum += gs_cross(&ws->prev, t, d->sided, c, &dummy);
    b->alpha_spent[k] = b->alpha_cum[k] = cum;
    if (k + 1 < K) {
      double lo, hi;
      gs_region(d->sided, c, d->binding ? b->futility[k] : -INFINITY, &lo, &hi);
      gs_advance(ws, t, 0.0, lo, hi, gs_r_for(b->grid_r, b->t, K, k, 1.0), 0.0, 1.0);
    }
  }
  return cum;
}

/* Wang-Tsiatis: C such that the total is alpha. The total falls as C grows; at the C that puts
 * the last bound at the fixed design's quantile it is at least alpha. The Illinois variant of
 * regula falsi on log(total) - log(alpha), from a bracket found by steps of 0.5. */
static tsim_status gs_wt_run(const tsim_gs_design *d, tsim_gs_bounds *b, gs_ws *ws,
                             tsim_diag *diag) {
  double la = log(d->alpha), tk = b->t[b->looks - 1];
  double lo = gsl_cdf_ugaussian_Qinv(d->alpha / d->sided) / pow(tk, d->delta - 0.5);
  double flo = log(gs_wt_total(d, b, ws, lo)) - la, hi = lo, fhi = flo;
  while (fhi >= 0.0 && hi < lo + 2.0 * GS_Z_MAX) {
    lo = hi;
    flo = fhi;
    hi += 0.5;
    fhi = log(gs_wt_total(d, b, ws, hi)) - la;
  }
  if (!(flo >= 0.0 && fhi < 0.0)) {
    GS_NOTE(diag, "group-sequential design: no Wang-Tsiatis constant gives alpha %g", d->alpha);
    return TSIM_INPUT;
  }
  int side = 0;
  for (int it = 0; it < GS_MAX_ITER && hi - lo > GS_TOL_Z; it++) {
    double C = (lo * fhi - hi * flo) / (fhi - flo);
    if (!(C > lo && C < hi)) C = 0.5 * (lo + hi);
    double f = log(gs_wt_total(d, b, ws, C)) - la;
    if (f == 0.0) {
      lo = hi = C;
      break;
    }
    if (f > 0.0) {
      lo = C, flo = f;
      if (side == 1) fhi *= 0.5;
      side = 1;
    } else {
      hi = C, fhi = f;
      if (side == -1) flo *= 0.5;
      side = -1;
    }
  }
  gs_wt_total(d, b, ws, 0.5 * (lo + hi));
  for (int k = 0; k < b->looks; k++)
    if (b->futility[k] > b->efficacy[k]) {
      GS_NOTE(diag, "group-sequential look %d: futility bound %g is above the efficacy "
              "bound %g", k + 1, b->futility[k], b->efficacy[k]);
      return TSIM_INPUT;
    }
  return TSIM_OK;
}

tsim_status tsim_gs_bounds_compute(const tsim_gs_design *d, int looks, const double *t,
                                   const double *futility, int final, tsim_gs_bounds *out,
                                   tsim_diag *diag) {
  if (!out) return TSIM_INPUT;
  out->looks = 0;
  if (!gs_design_ok(d, diag) || !gs_looks_ok(looks, t, diag)) return TSIM_INPUT;
  if (final != 0 && final != 1) {
    GS_NOTE(diag, "group-sequential looks: final %d is neither 0 nor 1", final);
    return TSIM_INPUT;
  }
  if (d->family == TSIM_GS_WT && !final) {
    GS_NOTE(diag, "group-sequential looks: a Wang-Tsiatis design needs every look up to the "
            "final one (its constant depends on all of them)");
    return TSIM_INPUT;
  }
  tsim_gs_bounds b = {0};
  b.looks = looks;
  b.sided = d->sided;
  b.final = final;
  b.grid_r = d->grid_r ? d->grid_r : TSIM_GS_GRID_R;
  for (int k = 0; k < looks; k++) {
    b.t[k] = t[k];
    double f = futility && !(final && k == looks - 1) ? futility[k] : -INFINITY;
    if (isnan(f) || f == INFINITY) {
      GS_NOTE(diag, "group-sequential look %d: futility bound %g is not a number or "
                    "-infinity", k + 1, f);
      return TSIM_INPUT;
    }
    if (d->sided == 2 && f != -INFINITY) {
      GS_NOTE(diag, "group-sequential look %d: futility bounds are for one-sided designs "
                    "only (sided is 2)", k + 1);
      return TSIM_INPUT;
    }
    b.futility[k] = f;
  }
  gs_ws ws;
  tsim_status st = gs_ws_init(&ws, gs_r_max(b.grid_r, t, looks), 0.0, 0.0);
  if (st != TSIM_OK) return st;
  st = d->family == TSIM_GS_WT ? gs_wt_run(d, &b, &ws, diag) : gs_bounds_run(d, &b, &ws, diag);
  gs_ws_free(&ws);
  if (st == TSIM_OK) *out = b;
  return st;
}

/* ---------------------------------------------------------------- exit probabilities */

static int gs_bounds_ok(const tsim_gs_bounds *b, tsim_diag *diag) {
  if (!b || (b->sided != 1 && b->sided != 2) || !gs_looks_ok(b->looks, b->t, diag) ||
      !(b->grid_r >= GS_R_MIN && b->grid_r <= GS_R_MAX)) {
    GS_NOTE(diag, "group-sequential boundaries: not computed by tsim_gs_bounds_compute");
    return 0;
  }
  for (int k = 0; k < b->looks; k++)
    if (isnan(b->efficacy[k]) || isnan(b->futility[k]) || b->futility[k] > b->efficacy[k]) {
      GS_NOTE(diag, "group-sequential look %d: bounds %g (efficacy) and %g (futility) are "
                    "not ordered numbers", k + 1, b->efficacy[k], b->futility[k]);
      return 0;
    }
  return 1;
}

tsim_status tsim_gs_exit_probs(const tsim_gs_bounds *b, double theta, int use_futility,
                               tsim_gs_exits *out, tsim_diag *diag) {
  if (!out) return TSIM_INPUT;
  if (!gs_bounds_ok(b, diag)) return TSIM_INPUT;
  if (!isfinite(theta) || fabs(theta) > 100.0) {
    GS_NOTE(diag, "group-sequential exit probabilities: drift %g is not in [-100, 100]", theta);
    return TSIM_INPUT;
  }
  gs_ws ws;
  tsim_status st = gs_ws_init(&ws, gs_r_max(b->grid_r, b->t, b->looks), 0.0, 0.0);
  if (st != TSIM_OK) return st;
  tsim_gs_exits e = {0};
  e.looks = b->looks;
  e.theta = theta;
  double going_prev = 1.0;
  for (int k = 0; k < b->looks; k++) {
    double t = b->t[k], c = b->efficacy[k];
    double fut = use_futility && b->sided == 1 ? b->futility[k] : -INFINITY;
    double lower = b->sided == 2 ? -c : fut;
    e.efficacy[k] = gs_upper(&ws.prev, t, theta, c, NULL);
    double low = gs_lower(&ws.prev, t, theta, lower, NULL);
    if (b->sided == 2) e.efficacy_lower[k] = low; else e.futility[k] = low;
    e.power += e.efficacy[k];
    e.reject += e.efficacy[k] + e.efficacy_lower[k];
    e.futility_all += e.futility[k];
    /* E t_stop = t_1 + sum over k >= 2 of (t_k - t_{k-1}) P(going on past look k-1), each
     * P(going on) integrated exactly in the look's own z as the crossings are: summing
     * t_k P(stop at k) instead would carry the Simpson error of every grid's mass (measured
     * 5e-8 against 1e-8 this way at r = 32). */
    double going = gs_lower(&ws.prev, t, theta, c, NULL) - low;
    e.expected_t += k == 0 ? t : (t - b->t[k - 1]) * going_prev;
    going_prev = going;
    if (k + 1 < b->looks) {
      gs_advance(&ws, t, theta, lower, c, gs_r_for(b->grid_r, b->t, b->looks, k, 1.0),
                 theta * sqrt(t), 1.0);
    } else {
      e.pass_last = going;
    }
  }
  gs_ws_free(&ws);
  *out = e;
  return TSIM_OK;
}

/* ---------------------------------------------------------------- conditional power */

/* Conditional power from Z = z at look j (bounds already checked); ws holds room for the
 * grids. */
static double gs_cp(const tsim_gs_bounds *b, int j, double z, double theta, gs_ws *ws) {
  double t0 = b->t[j], s0 = z * sqrt(t0), cp = 0.0;
  ws->prev.m = 1;
  ws->prev.t = t0;
  ws->prev.s[0] = s0;
  ws->prev.hw[0] = 1.0;
  for (int k = j + 1; k < b->looks; k++) {
    double t = b->t[k], c = b->efficacy[k];
    cp += gs_upper(&ws->prev, t, theta, c, NULL);
    if (k + 1 < b->looks) {
      double sd = sqrt((t - t0) / t), mu = (s0 + theta * (t - t0)) / sqrt(t);
      double lo = b->sided == 2 ? -c : -INFINITY;
      gs_advance(ws, t, theta, lo, c, gs_r_for(b->grid_r, b->t, b->looks, k, sd), mu, sd);
    }
  }
  return fmin(1.0, fmax(0.0, cp));
}

static tsim_status gs_cp_args(const tsim_gs_bounds *b, int look, double theta, tsim_diag *diag) {
  if (!gs_bounds_ok(b, diag)) return TSIM_INPUT;
  if (look < 0 || look >= b->looks - 1) {
    GS_NOTE(diag, "conditional power: look %d has no later look (looks 1 to %d)", look + 1,
                  b->looks);
    return TSIM_INPUT;
  }
  if (!isfinite(theta) || fabs(theta) > 100.0) {
    GS_NOTE(diag, "conditional power: drift %g is not in [-100, 100]", theta);
    return TSIM_INPUT;
  }
  return TSIM_OK;
}

tsim_status tsim_gs_conditional_power(const tsim_gs_bounds *b, int look, double z, double theta,
                                      double *cp, tsim_diag *diag) {
  if (!cp) return TSIM_INPUT;
  tsim_status st = gs_cp_args(b, look, theta, diag);
  if (st != TSIM_OK) return st;
  if (isnan(z)) {
    GS_NOTE(diag, "conditional power: z is not a number");
    return TSIM_INPUT;
  }
  if (fabs(z) > 1e3) {
    /* Far beyond any bound: the answer is the limit (and the grids need finite centres). */
    *cp = z > 0 ? 1.0 : 0.0;
    return TSIM_OK;
  }
  gs_ws ws;
  st = gs_ws_init(&ws, gs_r_max(b->grid_r, b->t, b->looks), 0.0, 0.0);
  if (st != TSIM_OK) return st;
  *cp = gs_cp(b, look, z, theta, &ws);
  gs_ws_free(&ws);
  return TSIM_OK;
}

tsim_status tsim_gs_conditional_power_z(const tsim_gs_bounds *b, int look, double cp_target,
                                        double theta, double *z, tsim_diag *diag) {
  if (!z) return TSIM_INPUT;
  tsim_status st = gs_cp_args(b, look, theta, diag);
  if (st != TSIM_OK) return st;
  if (!(cp_target > 0.0 && cp_target < 1.0)) {
    GS_NOTE(diag, "conditional power: target %g is not in (0, 1)", cp_target);
    return TSIM_INPUT;
  }
  gs_ws ws;
  st = gs_ws_init(&ws, gs_r_max(b->grid_r, b->t, b->looks), 0.0, 0.0);
  if (st != TSIM_OK) return st;
  /* Conditional power is increasing in z: bisection on a bracket where it crosses the target.
   * Its z range: a drift of 100 moves the mean by at most 100 / sqrt(t) over the rest. */
  double lo = -GS_Z_MAX - 100.0 / sqrt(b->t[look]), hi = -lo;
  if (gs_cp(b, look, hi, theta, &ws) < cp_target || gs_cp(b, look, lo, theta, &ws) > cp_target) {
    gs_ws_free(&ws);
    GS_NOTE(diag, "conditional power: no z at look %d gives conditional power %g (no "
                  "later look can reject)", look + 1, cp_target);
    return TSIM_INPUT;
  }
  /* Each evaluation integrates over every later look, so the root is found in few of them:
   * first a bracket of width 1 around the z at which the last look alone would give the target
   * (where the answer lies when the looks between matter little), widened as needed; then
   * regula falsi with the Illinois modification, a bisection step whenever a step leaves more
   * than half the bracket. */
  int K = b->looks - 1;
  double tk = b->t[look], tK = b->t[K], span = tK - tk;
  double z0 = isfinite(b->efficacy[K])
                  ? (b->efficacy[K] * sqrt(tK) - theta * span - sqrt(span) * gsl_cdf_ugaussian_Qinv(cp_target)) / sqrt(tk)
                  : 0.0;
  z0 = isfinite(z0) ? fmin(hi - 0.5, fmax(lo + 0.5, z0)) : 0.0;
  double a = z0 - 0.5, c = z0 + 0.5, fa = gs_cp(b, look, a, theta, &ws) - cp_target;
  double fc = gs_cp(b, look, c, theta, &ws) - cp_target;
  for (double step = 1; fa > 0 && a > lo; step *= 2) {
    c = a, fc = fa;
    a = fmax(lo, a - step);
    fa = a == lo ? -1 : gs_cp(b, look, a, theta, &ws) - cp_target;
  }
  for (double step = 1; fc < 0 && c < hi; step *= 2) {
    a = c, fa = fc;
    c = fmin(hi, c + step);
    fc = c == hi ? 1 : gs_cp(b, look, c, theta, &ws) - cp_target;
  }
  int side = 0;
  for (int it = 0; it < GS_MAX_ITER && c - a > 1e-11; it++) {
    double width = c - a, m = fc - fa > 0 ? a - fa * (c - a) / (fc - fa) : 0.5 * (a + c);
    if (!(m > a && m < c)) m = 0.5 * (a + c);
    double fm = gs_cp(b, look, m, theta, &ws) - cp_target;
    if (fm < 0) {
      a = m, fa = fm;
      if (side == -1) fc *= 0.5;
      side = -1;
    } else {
      c = m, fc = fm;
      if (side == 1) fa *= 0.5;
      side = 1;
    }
    if (c - a > 0.5 * width) { /* slow progress: bisect */
      double h = 0.5 * (a + c), fh = gs_cp(b, look, h, theta, &ws) - cp_target;
      if (fh < 0) a = h, fa = fh; else c = h, fc = fh;
      side = 0;
    }
  }
  gs_ws_free(&ws);
  *z = 0.5 * (a + c);
  return TSIM_OK;
}
