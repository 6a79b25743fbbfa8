/* barnard.c - Barnard's unconditional exact test (see barnard.h).
 *
 * Reduction to one dimension. Under a common pi the total S = X0 + X1 is Bin(N, pi) and, given
 * S = s, X0 is hypergeometric(n0, n1, s) whatever pi. So
 *   f(pi) = P_pi(R) = sum_s w_s B_s(pi),  B_s(pi) = C(N, s) pi^s (1 - pi)^(N - s),
 * with w_s in [0, 1] the hypergeometric mass of the tables of total s that lie in R. The w_s
 * are set up once (O(n0 n1)); each f(pi) then costs O(N).
 *
 * Certified supremum (branch and bound). f is evaluated on a uniform grid of 4N + 64
 * intervals, then every interval [a, b] whose upper bound exceeds the best value found by
 * more than tol = 1e-12 best is bisected. Two rigorous upper bounds of f on
 * [a, b], the smaller one is used:
 *  - Bernstein: f(pi) <= sum_s w_s max_[a,b] B_s = sum_s w_s B_s(clamp(s/N, a, b)), as B_s
 *    is unimodal with its maximum at s/N;
 *  - chord: f <= max(f(a), f(b)) + K (b - a)^2 / 8 with K >= -f'' on [a, b]. K is the
 *    smaller of 2 N^2 (f = E g(X0, X1), g in [0, 1]; each second difference of g is in
 *    [-2, 2] and d2/dpi2 brings n0 (n0 - 1), 2 n0 n1 and n1 (n1 - 1)) and, inside (0, 1),
 *    -sum_s w_s min_[a,b] B_s'', from B_s'' = B_s (u^2 - v), u = s/pi - (N-s)/(1-pi)
 *    decreasing, v = s/pi^2 + (N-s)/(1-pi)^2 convex, B_s between min(B_s(a), B_s(b)) and
 *    its Bernstein maximum.
 * The first prunes the far parts of [0, 1] (relative, whatever the size of p), the second
 * certifies the neighbourhood of a maximum in a bounded number of bisections per level. The
 * search stops when every interval is certified (the gap is then <= tol) or after
 * BUDGET evaluations (then the result is the certified upper bound, never below the true
 * supremum, and the gap returned says by how much it may exceed it).
 */
#include "stats/barnard.h"

#include <math.h>
#include <stdlib.h>

#include "stats/stattest.h"

#define BUDGET 200000

double tsim_barnard_key(long long x0, long long n0, long long x1, long long n1, int sided,
                        int greater) {
  double x2 = tsim_chisq_stat(x0, n0, x1, n1);
  if (isnan(x2)) return 0.0;
  if (sided == 2) return x2;
  long long d = x1 * n0 - x0 * n1;
  double s = d > 0 ? x2 : d < 0 ? -x2 : 0.0;
  return greater ? s : -s;
}

typedef struct region {
  long long n;     /* N = n0 + n1 */
  double *w;       /* [N + 1]: mass of R at total s, given s */
  double *lc;      /* [N + 1]: log C(N, s) */
  double *bmode;   /* [N + 1]: w_s B_s(s / N) */
  double *ratio;   /* [N + 1]: (N - s) / (s + 1) */
  double *ba, *bb; /* [N + 1]: B_s at the ends of the interval being bounded */
  long long evals;
} region;

static double lchoose(long long n, long long k) {
  return lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1);
}

/* B_s(pi) for every s into b[0..N], by the ratio recurrence outward from the mode. */
static void bvec(const region *r, double pi, double *b) {
  long long n = r->n;
  for (long long s = 0; s <= n; s++) b[s] = 0.0;
  if (pi <= 0.0) { b[0] = 1.0; return; }
  if (pi >= 1.0) { b[n] = 1.0; return; }
  long long m = (long long)floor((double)(n + 1) * pi);
  if (m > n) m = n;
  double odds = pi / (1.0 - pi), v = exp(r->lc[m] + (double)m * log(pi) + (double)(n - m) * log1p(-pi));
  b[m] = v;
  for (long long s = m; s < n && v > 1e-300; s++) b[s + 1] = v *= r->ratio[s] * odds;
  v = b[m];
  for (long long s = m; s > 0 && v > 1e-300; s--) b[s - 1] = v /= r->ratio[s - 1] * odds;
}

static double feval(region *r, double pi) {
  r->evals++;
  long long n = r->n;
  if (pi <= 0.0) return r->w[0];
  if (pi >= 1.0) return r->w[n];
  /* Term by term from logarithms: each term to a few ulps, whatever N. */
  double lp = log(pi), lq = log1p(-pi), f = 0.0;
  for (long long s = 0; s <= n; s++)
    if (r->w[s] > 0.0) f += r->w[s] * exp(r->lc[s] + (double)s * lp + (double)(n - s) * lq);
  return f;
}

/* An upper bound of f on [a, b] (a < b): the smaller of the Bernstein bound and the chord
 * bound max(f(a), f(b)) + K (b - a)^2 / 8, K >= -f'' on [a, b] (barnard.c's header). */
static double upper_bound(region *r, double a, double b, double fa, double fb) {
  long long n = r->n;
  double nn = (double)n, w = b - a;
  bvec(r, a, r->ba);
  bvec(r, b, r->bb);
  double bern = 0.0, curv = 0.0;
  int interior = a > 0.0 && b < 1.0;
  for (long long s = 0; s <= n; s++) {
    if (r->w[s] == 0.0) continue;
    double ds = (double)s, bmax, bmin = fmin(r->ba[s], r->bb[s]);
    if (ds < nn * a) bmax = r->ba[s];
    else if (ds > nn * b) bmax = r->bb[s];
    else bmax = r->bmode[s] / r->w[s];
    bern += r->w[s] * bmax;
    if (interior) {
      /* B_s'' = B_s (u^2 - v), u = s/pi - (N-s)/(1-pi) decreasing, v = s/pi^2 + (N-s)/(1-pi)^2
       * convex: u^2 >= its minimum over [a, b], v <= max(v(a), v(b)). */
      double ua = ds / a - (nn - ds) / (1.0 - a), ub = ds / b - (nn - ds) / (1.0 - b);
      double u2 = ua >= 0.0 && ub <= 0.0 ? 0.0 : fmin(ua * ua, ub * ub);
      double va = ds / (a * a) + (nn - ds) / ((1.0 - a) * (1.0 - a));
      double vb = ds / (b * b) + (nn - ds) / ((1.0 - b) * (1.0 - b));
      double br = u2 - fmax(va, vb);
      curv += r->w[s] * (br >= 0.0 ? bmin * br : bmax * br); /* a lower bound of w_s B_s'' */
    }
  }
  double k = 2.0 * nn * nn; /* |f''| <= 2 N^2 everywhere */
  if (interior && -curv < k) k = -curv > 0.0 ? -curv : 0.0;
  /* A little slack for the rounding of the bounds themselves. */
  double chord = (fmax(fa, fb) + k * w * w / 8.0) * (1.0 + 1e-13);
  return fmin(1.0, fmin(bern * (1.0 + 1e-13), chord)); /* f is a probability */
}

static int region_init(region *r, long long n0, long long n1, double key_obs, int sided,
                       int greater) {
  long long n = n0 + n1;
  r->n = n;
  r->evals = 0;
  r->w = calloc((size_t)(n + 1), sizeof *r->w);
  r->lc = malloc((size_t)(n + 1) * sizeof *r->lc);
  r->bmode = malloc((size_t)(n + 1) * sizeof *r->bmode);
  r->ratio = malloc((size_t)(n + 1) * sizeof *r->ratio);
  r->ba = malloc((size_t)(n + 1) * sizeof *r->ba);
  r->bb = malloc((size_t)(n + 1) * sizeof *r->bb);
  double *l0 = malloc((size_t)(n0 + 1) * sizeof *l0), *l1 = malloc((size_t)(n1 + 1) * sizeof *l1);
  if (!r->w || !r->lc || !r->bmode || !r->ratio || !r->ba || !r->bb || !l0 || !l1) {
    free(l0);
    free(l1);
    return -1;
  }
  for (long long x = 0; x <= n0; x++) l0[x] = lchoose(n0, x);
  for (long long x = 0; x <= n1; x++) l1[x] = lchoose(n1, x);
  for (long long s = 0; s <= n; s++) {
    r->lc[s] = lchoose(n, s);
    r->ratio[s] = (double)(n - s) / (double)(s + 1);
  }
  for (long long x0 = 0; x0 <= n0; x0++)
    for (long long x1 = 0; x1 <= n1; x1++)
      if (tsim_barnard_key(x0, n0, x1, n1, sided, greater) >= key_obs)
        r->w[x0 + x1] += exp(l0[x0] + l1[x1] - r->lc[x0 + x1]);
  for (long long s = 0; s <= n; s++) {
    if (r->w[s] > 1.0) r->w[s] = 1.0;
    bvec(r, (double)s / (double)n, r->ba);
    r->bmode[s] = r->w[s] * r->ba[s];
  }
  free(l0);
  free(l1);
  return 0;
}

static void region_free(region *r) {
  free(r->w);
  free(r->lc);
  free(r->bmode);
  free(r->ratio);
  free(r->ba);
  free(r->bb);
}

typedef struct iv { double a, b, fa, fb; } iv;

static double sup_search(region *r, double *gap_out) {
  long long g = 4 * r->n + 64;
  size_t cap = (size_t)g + 256, top = 0;
  iv *st = malloc(cap * sizeof *st);
  if (!st) return NAN;
  double best = 0.0, prev = feval(r, 0.0);
  best = prev;
  for (long long i = 1; i <= g; i++) {
    double b = (double)i / (double)g, fb = feval(r, b);
    st[top++] = (iv){(double)(i - 1) / (double)g, b, prev, fb};
    if (fb > best) best = fb;
    prev = fb;
  }
  double lost = best; /* the largest upper bound of an interval given up on */
  while (top) {
    iv v = st[--top];
    double tol = fmax(1e-12 * best, 1e-300);
    double ub = upper_bound(r, v.a, v.b, v.fa, v.fb);
    if (ub <= best + tol) {
      if (ub > lost) lost = ub;
      continue;
    }
    double m = 0.5 * (v.a + v.b);
    if (r->evals >= BUDGET || !(m > v.a && m < v.b)) { /* out of budget or of doubles */
      if (ub > lost) lost = ub;
      continue;
    }
    double fm = feval(r, m);
    if (fm > best) best = fm;
    if (top + 2 > cap) {
      iv *t = realloc(st, 2 * cap * sizeof *st);
      if (!t) { free(st); return NAN; }
      st = t;
      cap *= 2;
    }
    st[top++] = (iv){v.a, m, v.fa, fm};
    st[top++] = (iv){m, v.b, fm, v.fb};
  }
  free(st);
  if (gap_out) *gap_out = lost > best ? lost - best : 0.0;
  /* Out of budget with an interval not certified: the certified upper bound, so that the p-value
   * can only err on the conservative side. */
  double p = lost > best + fmax(1e-12 * best, 1e-300) ? lost : best;
  return p > 1.0 ? 1.0 : p;
}

double tsim_barnard_region_p(long long n0, long long n1, double key_obs, int sided, int greater,
                             double *gap) {
  if (gap) *gap = NAN;
  if (n0 < 1 || n1 < 1) return NAN;
  region r;
  double p = NAN;
  if (region_init(&r, n0, n1, key_obs, sided, greater) == 0) p = sup_search(&r, gap);
  region_free(&r);
  return p;
}

static int undefined(long long x0, long long n0, long long x1, long long n1) {
  return n0 < 1 || n1 < 1 || x0 < 0 || x1 < 0 || x0 > n0 || x1 > n1 || x0 + x1 == 0 ||
         x0 + x1 == n0 + n1;
}

double tsim_barnard_p(long long x0, long long n0, long long x1, long long n1, double *stat) {
  if (stat) *stat = NAN;
  if (undefined(x0, n0, x1, n1)) return NAN;
  if (stat) *stat = copysign(sqrt(tsim_chisq_stat(x0, n0, x1, n1)), (double)(x1 * n0 - x0 * n1));
  return tsim_barnard_region_p(n0, n1, tsim_barnard_key(x0, n0, x1, n1, 2, 1), 2, 1, NULL);
}

double tsim_barnard_one_sided_p(long long x0, long long n0, long long x1, long long n1,
                                int greater) {
  if (undefined(x0, n0, x1, n1)) return NAN;
  return tsim_barnard_region_p(n0, n1, tsim_barnard_key(x0, n0, x1, n1, 1, greater), 1,
                               greater, NULL);
}
