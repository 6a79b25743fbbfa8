/* test_ancova_sums.c - the closed-form ANCOVA from each arm's sums (tsim_ancova_from_sums, which
 * the simulation's analyses use) against the Householder QR on the patients' values
 * (tsim_ancova, itself checked against R's lm by test_ancova.c) and against a long double
 * reference (two passes over each value less its arm's first, within-arm sums, the same closed
 * form with 11 more bits; checked once against exact rational arithmetic).
 *
 * Many random data sets of each kind below, with the sums taken in one pass about each arm's
 * generating means, as the simulation takes them about the plan's means:
 *   plain       n0, n1 from 2 to 300, baseline correlation -0.95 to 0.95, any scale 1e-60 to 1e60;
 *   offset      means 1e3 to 1e9 SDs from 0 (y and baseline; beyond ~1e7 lm calls the baseline
 *               aliased with the intercept, and so must both fits);
 *   collinear   the baseline nearly collinear with the arm: its arm means 10 to 3000 within-arm
 *               SDs apart;
 *   tight       baseline correlation 0.97 to 0.99999 (residual SD down to 0.0045 of y's);
 *   small       n0 + n1 from 4 to 8.
 * Where the closed form gives a fit (it declines, returning -1, when the baseline explains more
 * than 99% of y's within-arm variance: ancova.h), every output must agree with the reference
 * to a relative TOL, and with the QR to TOL plus the QR's own error against the reference (the
 * QR loses digits on nearly collinear designs, where the closed form does not): the difference,
 * the interval's limits and the slope relative to the larger of their magnitude and their
 * standard error (as test_ancova.c compares values smaller than their standard error), t
 * relative to max(|t|, 1), se relative, and p relative to TOL max(1, t^2) (p's relative change
 * per relative change of t is about t^2 in the tail). Where it declines, the QR must give a
 * fit. The largest differences of each kind are printed. Undefined fits must be undefined both
 * ways: a baseline constant within each arm (aliased), y an exact linear function of arm and
 * baseline (perfect fit), fewer than 4 patients, an empty arm.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "stats/ancova.h"
#include "stats/contest.h"

#define TOL 1e-12
#define CASES 4000
#define NMAX 600

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static double unif(void) { /* splitmix64, 53 bits in (0, 1) */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  z ^= z >> 31;
  return ((double)(z >> 11) + 0.5) * 0x1p-53;
}
static double normal(void) { return sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif()); }
static double between(double lo, double hi) { return lo + (hi - lo) * unif(); }
static double log_between(double lo, double hi) { return exp(between(log(lo), log(hi))); }

static double yv_[NMAX], bv_[NMAX];

/* One arm's sums about cy, cb in one pass, as ptanalysis.c takes them. */
static tsim_ancova_sums sums_of(const double *yv, const double *bv, size_t n, double cy, double cb) {
  tsim_ancova_sums s = {(double)n, cy, cb, 0, 0, 0, 0, 0};
  for (size_t i = 0; i < n; i++) {
    double dy = yv[i] - cy, db = bv[i] - cb;
    s.sy += dy, s.syy += dy * dy, s.sb += db, s.sbb += db * db, s.syb += dy * db;
  }
  return s;
}

static double err(double a, double r, double scale) {
  if (isnan(a) && isnan(r)) return 0;
  if (isnan(a) || isnan(r)) return INFINITY;
  return fabs(a - r) / fmax(scale, 1e-300);
}

enum { PLAIN, OFFSET, COLLINEAR, TIGHT, SMALL, NKINDS };
static const char *const kind_name[] = {"plain", "offset", "collinear", "tight", "small"};
enum { O_DIFF, O_SE, O_T, O_P, O_LO, O_HI, O_SLOPE, NOUT };
static const char *const out_name[] = {"diff", "se", "t", "p", "lo", "hi", "slope"};

/* The reference: in long double, each value less its arm's first value (exact: a long double
 * holds the difference of two nearby doubles), two passes over those, the within-arm sums, the
 * closed form; p from the reference t. *slope_se gets the slope's standard error. */
static void reference(const double *y, const double *b, size_t n0, size_t n1, tsim_ancova_fit *r, double *slope_se) {
  size_t n = n0 + n1, first[2] = {0, n0};
  long double my[2] = {0, 0}, mb[2] = {0, 0}, syy = 0, sbb = 0, syb = 0;
  for (size_t j = 0; j < n; j++) {
    int a = j >= n0;
    my[a] += (long double)y[j] - y[first[a]], mb[a] += (long double)b[j] - b[first[a]];
  }
  my[0] /= n0, my[1] /= n1, mb[0] /= n0, mb[1] /= n1;
  for (size_t j = 0; j < n; j++) {
    int a = j >= n0;
    long double dy = ((long double)y[j] - y[first[a]]) - my[a], db = ((long double)b[j] - b[first[a]]) - mb[a];
    syy += dy * dy, sbb += db * db, syb += dy * db;
  }
  long double slope = syb / sbb, rss = syy - slope * syb, df = (long double)n - 3, s2 = rss / df;
  long double db = ((long double)b[n0] - b[0]) + (mb[1] - mb[0]);
  long double b1 = ((long double)y[n0] - y[0]) + (my[1] - my[0]) - slope * db;
  long double se = sqrtl(s2 * (1.0L / n0 + 1.0L / n1 + db * db / sbb)), t = b1 / se;
  double q = tsim_t_upper_quantile(0.025, (double)df);
  r->diff = (double)b1, r->se = (double)se, r->t = (double)t, r->df = (double)df;
  r->p = tsim_t_two_sided_p((double)t, (double)df);
  r->lo = (double)(b1 - q * se), r->hi = (double)(b1 + q * se), r->slope = (double)slope;
  *slope_se = (double)sqrtl(s2 / sbb);
}

/* The errors of fit f against the reference r (scales above). */
static void errors(const tsim_ancova_fit *f, const tsim_ancova_fit *r, double slope_se, double e[NOUT]) {
  e[O_DIFF] = err(f->diff, r->diff, fmax(fabs(r->diff), r->se));
  e[O_SE] = err(f->se, r->se, r->se);
  e[O_T] = err(f->t, r->t, fmax(fabs(r->t), 1));
  e[O_P] = err(f->p, r->p, r->p) / fmax(1, r->t * r->t);
  e[O_LO] = err(f->lo, r->lo, fmax(fabs(r->lo), r->se));
  e[O_HI] = err(f->hi, r->hi, fmax(fabs(r->hi), r->se));
  e[O_SLOPE] = err(f->slope, r->slope, fmax(fabs(r->slope), slope_se));
}

int main(void) {
  double *y = yv_, *b = bv_;
  tsim_ancova_ws *ws = tsim_ancova_ws_new(NMAX);
  CHECK(ws != NULL, "out of memory");
  if (!ws) return tsim_check_done();
  /* Largest error of the sums, of the QR (against the reference), and between the two. */
  double worst_s[NKINDS][NOUT] = {{0}}, worst_q[NKINDS][NOUT] = {{0}}, worst_sq[NKINDS][NOUT] = {{0}};
  long long fits[NKINDS] = {0}, declined[NKINDS] = {0};
  for (int i = 0; i < CASES; i++) {
    int kind = i % NKINDS;
    size_t n0, n1;
    if (kind == SMALL) {
      n0 = 1 + (size_t)(unif() * 4), n1 = 1 + (size_t)(unif() * 4);
      if (n0 + n1 < 4) n1 = 4 - n0;
    } else {
      n0 = 2 + (size_t)(unif() * 299), n1 = 2 + (size_t)(unif() * 299);
    }
    double scale = kind == PLAIN ? log_between(1e-60, 1e60) : log_between(1e-3, 1e3);
    double sy = scale, sbw = scale * log_between(0.1, 10); /* y's SD, the baseline's within-arm SD */
    double rho = kind == TIGHT ? 1 - log_between(1e-5, 3e-2) : between(-0.95, 0.95);
    if (kind == TIGHT && unif() < 0.5) rho = -rho;
    double off = kind == OFFSET ? log_between(1e3, 1e9) : between(-3, 3);
    double my[2], mb[2];
    my[0] = off * sy * (unif() < 0.5 ? -1 : 1), my[1] = my[0] + between(-1, 1) * sy;
    mb[0] = (kind == OFFSET ? log_between(1e3, 1e9) : between(-3, 3)) * sbw;
    mb[1] = mb[0] + (kind == COLLINEAR ? log_between(10, 3000) * (unif() < 0.5 ? -1 : 1) : between(-1, 1)) * sbw;
    size_t n = n0 + n1;
    for (size_t j = 0; j < n; j++) {
      int a = j >= n0;
      double zb = normal(), ze = normal();
      b[j] = mb[a] + sbw * zb;
      y[j] = my[a] + sy * (rho * zb + sqrt(1 - rho * rho) * ze);
    }
    tsim_ancova_fit q, s, r;
    double pq = tsim_ancova(ws, (tsim_ancova_arm){y, b, n0}, (tsim_ancova_arm){y + n0, b + n0, n1}, 0.95, &q);
    tsim_ancova_sums s0 = sums_of(y, b, n0, my[0], mb[0]), s1 = sums_of(y + n0, b + n0, n1, my[1], mb[1]);
    int got = tsim_ancova_from_sums(&s0, &s1, 0.95, &s);
    /* tsim_ancova_sums_se (multiple imputation's per-imputation fit): the same fit's difference
     * and standard error, bit for bit, and the same verdict (and below, with the sums taken about
     * each arm's own sample means, as multiple imputation takes them, the reference's fit). */
    double d_se, se_se;
    int got_se = tsim_ancova_sums_se(&s0, &s1, &d_se, &se_se);
    CHECK(got_se == got && (got != 1 || (d_se == s.diff && se_se == s.se)),
          "case %d: tsim_ancova_sums_se %d (%.17g, %.17g) against tsim_ancova_from_sums %d (%.17g, %.17g)", i, got_se,
          d_se, se_se, got, s.diff, s.se);
    if (got < 0) {
      declined[kind]++;
      CHECK(!isnan(pq), "case %d (%s): the sums declined a fit the QR finds undefined", i, kind_name[kind]);
      continue;
    }
    CHECK(isnan(pq) == (got == 0), "case %d (%s, n %zu + %zu): QR p %.17g, sums %s", i, kind_name[kind], n0, n1, pq,
          got ? "a fit" : "undefined");
    if (isnan(pq) || got == 0) continue;
    fits[kind]++;
    double slope_se, es[NOUT], eq[NOUT], esq[NOUT];
    reference(y, b, n0, n1, &r, &slope_se);
    {
      /* With the sums about each arm's own sample means: within TOL of the long double fit. */
      double ym[2] = {0, 0}, bm[2] = {0, 0};
      for (size_t j = 0; j < n; j++) ym[j >= n0] += y[j], bm[j >= n0] += b[j];
      ym[0] /= (double)n0, bm[0] /= (double)n0, ym[1] /= (double)n1, bm[1] /= (double)n1;
      tsim_ancova_sums o0 = sums_of(y, b, n0, ym[0], bm[0]), o1 = sums_of(y + n0, b + n0, n1, ym[1], bm[1]);
      int got_own = tsim_ancova_sums_se(&o0, &o1, &d_se, &se_se);
      CHECK(got_own != 0, "case %d (%s): own-mean sums find undefined a fit both others give", i, kind_name[kind]);
      if (got_own == 1)
        CHECK(fabs(d_se - r.diff) <= TOL * fmax(fabs(r.diff), r.se) && fabs(se_se - r.se) <= TOL * r.se,
              "case %d (%s): own-mean sums diff %.17g se %.17g, reference %.17g %.17g", i, kind_name[kind], d_se,
              se_se, r.diff, r.se);
    }
    errors(&s, &r, slope_se, es);
    errors(&q, &r, slope_se, eq);
    errors(&s, &q, slope_se, esq);
    esq[O_DIFF] = err(s.diff, q.diff, fmax(fabs(r.diff), r.se)); /* the reference's scales */
    esq[O_LO] = err(s.lo, q.lo, fmax(fabs(r.lo), r.se));
    esq[O_HI] = err(s.hi, q.hi, fmax(fabs(r.hi), r.se));
    CHECK(s.df == q.df, "case %d: df %g vs %g", i, s.df, q.df);
    const double *sv = &s.diff, *qv = &q.diff; /* diff, se, t, df, p, lo, hi, slope */
    for (int o = 0; o < NOUT; o++) {
      int f = o < O_P ? o : o + 1; /* skip df */
      worst_s[kind][o] = fmax(worst_s[kind][o], es[o]);
      worst_q[kind][o] = fmax(worst_q[kind][o], eq[o]);
      worst_sq[kind][o] = fmax(worst_sq[kind][o], esq[o]);
      CHECK(es[o] <= TOL && esq[o] <= TOL + eq[o],
            "case %d (%s, n %zu + %zu, rho %.9g, offset %.3g): %s sums %.17g QR %.17g: %.2g from the reference "
            "(QR %.2g), %.2g apart", i, kind_name[kind], n0, n1, rho, off, out_name[o], sv[f], qv[f], es[o], eq[o],
            esq[o]);
    }
  }
  printf("largest errors against the long double reference (sums / QR) and between the two:\n");
  for (int k = 0; k < NKINDS; k++) {
    printf("%-9s %lld fits (%lld declined):", kind_name[k], fits[k], declined[k]);
    for (int o = 0; o < NOUT; o++) printf(" %s %.1e/%.1e %.1e", out_name[o], worst_s[k][o], worst_q[k][o], worst_sq[k][o]);
    printf("\n");
    CHECK(fits[k] > CASES / NKINDS / 5, "%s: only %lld fits", kind_name[k], fits[k]);
  }
  CHECK(declined[TIGHT] > 0 && declined[PLAIN] == 0 && declined[OFFSET] == 0 && declined[COLLINEAR] == 0,
        "the sums decline only tight fits: %lld tight, %lld others", declined[TIGHT],
        declined[PLAIN] + declined[OFFSET] + declined[COLLINEAR]);

  /* Undefined both ways. */
  {
    double yy[8] = {1, 2, 3, 4.5, 2, 7, 1, 3}, bb[8] = {5, 5, 5, 5, 6, 6, 6, 6};
    tsim_ancova_fit q, s;
    tsim_ancova_sums s0 = sums_of(yy, bb, 4, 2, 5), s1 = sums_of(yy + 4, bb + 4, 4, 3, 6);
    CHECK(isnan(tsim_ancova(ws, (tsim_ancova_arm){yy, bb, 4}, (tsim_ancova_arm){yy + 4, bb + 4, 4}, 0.95, &q)) &&
              tsim_ancova_from_sums(&s0, &s1, 0.95, &s) == 0 && isnan(s.diff) && isnan(s.t),
          "a baseline constant within each arm is aliased with the arm: undefined both ways");
    double b2[8] = {1, 2, 3, 4, 1.5, 2, 6, 3}, y2[8];
    for (int j = 0; j < 8; j++) y2[j] = 2 + 3 * (j >= 4) + 0.5 * b2[j];
    s0 = sums_of(y2, b2, 4, 3, 2), s1 = sums_of(y2 + 4, b2 + 4, 4, 6, 3);
    CHECK(isnan(tsim_ancova(ws, (tsim_ancova_arm){y2, b2, 4}, (tsim_ancova_arm){y2 + 4, b2 + 4, 4}, 0.95, &q)) &&
              tsim_ancova_from_sums(&s0, &s1, 0.95, &s) <= 0 && isnan(s.p),
          "an exact fit: undefined by the QR, no fit from the sums");
    s0 = sums_of(yy, b2, 1, 0, 0), s1 = sums_of(yy + 4, b2 + 4, 2, 0, 0);
    CHECK(tsim_ancova_from_sums(&s0, &s1, 0.95, &s) == 0 && isnan(s.p), "3 patients: undefined");
    s0 = sums_of(yy, b2, 0, 0, 0), s1 = sums_of(yy + 4, b2 + 4, 4, 0, 0);
    CHECK(tsim_ancova_from_sums(&s0, &s1, 0.95, &s) == 0, "an empty arm: undefined");
    s0 = sums_of(yy, b2, 4, 0, 0), s1 = sums_of(yy + 4, b2 + 4, 4, 0, 0);
    CHECK(tsim_ancova_from_sums(&s0, &s1, 0.95, &s) == 1 && !isnan(s.lo), "a defined fit with its interval");
    double t = s.t, p = s.p;
    CHECK(tsim_ancova_from_sums(&s0, &s1, 0.0, &s) == 1 && isnan(s.lo) && isnan(s.hi) && s.t == t && s.p == p,
          "conf 0: the same fit without the interval");
    CHECK(tsim_ancova_from_sums(&s0, &s1, 1.0, &s) == 0, "conf 1: undefined");
    s0.syy = INFINITY;
    CHECK(tsim_ancova_from_sums(&s0, &s1, 0.95, &s) == -1, "a sum not finite: declined");
  }
  tsim_ancova_ws_free(ws);
  return tsim_check_done();
}
