/* test_ni_strat.c - the stratified Miettinen-Nurminen test and interval (sim/stats/nitest.h,
 * tsim_ni_strat_p and tsim_ni_strat_ci) against an independent reference and the identities
 * that tie them to the unstratified MN and to the Cochran-Mantel-Haenszel test.
 *
 * Usage: test_ni_strat REFERENCE.csv
 *   REFERENCE.csv (tests/r/ni_strat_reference.csv, written by tests/r/ni_strat_reference.R from
 *   the published formulas, which checks itself against published stratified examples): every
 *   row's p-value, z, estimate and bounds to a relative REL_TOL, absolutely REL_TOL * NEAR_0
 *   below NEAR_0. It is part of the repository: a missing or empty file fails the test.
 *   Columns case,measure,k,strata,theta0,greater,conf,p_value,z,est,lower,upper; strata are
 *   x1/n1:x0/n0 joined by '|'.
 *
 * The properties, checked without a reference:
 *   - one stratum is tsim_ni_p's and tsim_ni_ci's MN (every table with arms up to 12; the
 *     intervals up to 8), to SAME_TOL;
 *   - at no difference (rd 0, rr and or 1) z^2 is the Cochran-Mantel-Haenszel statistic,
 *     computed here from its own formula, and z has the sign of sum (x1 - E x1);
 *   - strata with an empty arm change nothing (bit for bit), the order of the strata nothing
 *     beyond rounding;
 *   - z is 0 at the estimate; at a free bound the two-sided p-value is 1 - conf; p < alpha exactly
 *     when the 1 - 2 alpha interval's lower bound is above theta0; p rises with theta0;
 *   - every two-stratum table with arms up to 3: an ordered interval around the estimate, its
 *     ends at the edge of the space exactly when nitest.h says, NaN p exactly on the tables
 *     without information;
 *   - the documented NaN and -1 on invalid input;
 *   - tsim_ni_strat_covers says a value is in the interval exactly when its bounds do (away from
 *     the bounds' last digits), on every table above.
 * Output: a line per failed check, "N passed, N failed"; exit status 1 if any failed.
 */
#include "refcheck.h"
#include "stats/nitest.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REL_TOL 1e-9   /* against the reference, relative ... */
#define NEAR_0 1e-3    /* ... and absolute (REL_TOL * NEAR_0) for values below NEAR_0 */
#define SAME_TOL 1e-12 /* two routes to the same number (one stratum; CMH) */
#define BOUND_TOL 1e-9 /* the two-sided p at a bound, relative */
#define MAXK 64

typedef struct {
  long long x0[MAXK], n0[MAXK], x1[MAXK], n1[MAXK];
  int k;
} strata;

static const char *mname(int m) { return tsim_ni_measure_name((tsim_ni_measure)m); }

static double sp(int m, const strata *s, double theta0, int greater, double *z) {
  return tsim_ni_strat_p((tsim_ni_measure)m, s->x0, s->n0, s->x1, s->n1, s->k, theta0, greater, z);
}

static int sci(int m, const strata *s, double conf, double *e, double *lo, double *hi) {
  return tsim_ni_strat_ci((tsim_ni_measure)m, s->x0, s->n0, s->x1, s->n1, s->k, conf, e, lo, hi);
}

static void describe(const strata *s, char *buf, size_t cap) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < s->k && used + 48 < cap; i++)
    used += (size_t)snprintf(buf + used, cap - used, "%s%lld/%lld:%lld/%lld", i ? "|" : "",
                             s->x1[i], s->n1[i], s->x0[i], s->n0[i]);
}

/* --- The reference ------------------------------------------------------------------------ */

static double worst_ref = 0.0;

static int parse_strata(char *text, strata *s, long long k) {
  if (k < 1 || k > MAXK) return 0;
  char *f[MAXK + 1];
  if (refcheck_split(text, '|', f, MAXK) != (int)k) return 0;
  for (int i = 0; i < (int)k; i++) {
    char tail;
    if (sscanf(f[i], "%lld/%lld:%lld/%lld%c", &s->x1[i], &s->n1[i], &s->x0[i], &s->n0[i], &tail) !=
        4)
      return 0;
  }
  s->k = (int)k;
  return 1;
}

static void check_ref(const char *what, const char *ctx, double obs, double exp) {
  refcheck_against(what, ctx, obs, exp, NEAR_0, REL_TOL, &worst_ref);
}

static int check_line(char *line, const char *where) {
  char *f[13], ctx[4400];
  int n = refcheck_split(line, ',', f, 12);
  int m = n == 12 ? tsim_ni_measure_of(f[1]) : -1;
  long long k, greater;
  double theta0, conf, p, z, e, lo, hi;
  strata s;
  char strata_text[4096];
  if (n == 12) snprintf(strata_text, sizeof strata_text, "%s", f[3]);
  if (n != 12 || m < 0 || !parse_ll(f[2], &k) || !parse_strata(f[3], &s, k) ||
      !parse_double(f[4], &theta0) || !parse_ll(f[5], &greater) || !parse_double(f[6], &conf) ||
      !parse_double(f[7], &p) || !parse_double(f[8], &z) || !parse_double(f[9], &e) ||
      !parse_double(f[10], &lo) || !parse_double(f[11], &hi)) {
    printf("FAIL %s: not a reference line\n", where);
    n_fail++;
    return 0;
  }
  snprintf(ctx, sizeof ctx, "%s (%s, %s, theta0 %g %s, conf %g, %s)", f[0], where, f[1], theta0,
           greater ? "greater" : "less", conf, strata_text);
  double zo, eo, loo, hio;
  double po = sp(m, &s, theta0, (int)greater, &zo);
  check_ref("p_value", ctx, po, p);
  check_ref("z", ctx, zo, z);
  check_true(sci(m, &s, conf, &eo, &loo, &hio) == 0, "reference interval computed");
  check_ref("est", ctx, eo, e);
  check_ref("lower", ctx, loo, lo);
  check_ref("upper", ctx, hio, hi);
  return 1;
}

static void check_reference(const char *path) {
  int rows = refcheck_csv(path, "case,", check_line);
  check_true(rows >= 80, "the reference has its 84 rows");
  printf("reference: %d rows from %s, worst error %.3g (relative above %g)\n", rows, path,
         worst_ref, NEAR_0);
}

/* --- One stratum is the unstratified MN ---------------------------------------------------- */

static void check_one_table(long long x0, long long n0, long long x1, long long n1, int with_ci) {
  static const double thetas[3][4] = {{-0.2, -0.1, 0.0, 0.05}, {0.8, 1.0, 1.25, 3.0},
                                      {0.5, 0.7, 1.0, 1.5}};
  strata s = {{x0}, {n0}, {x1}, {n1}, 1};
  char ctx[128];
  for (int m = TSIM_NI_RD; m <= TSIM_NI_OR; m++) {
    snprintf(ctx, sizeof ctx, "one stratum %s %lld/%lld vs %lld/%lld", mname(m), x1, n1, x0, n0);
    for (int t = 0; t < 4; t++)
      for (int g = 0; g <= 1; g++) {
        double z1, zs;
        double p1 = tsim_ni_p(TSIM_NI_MN, (tsim_ni_measure)m, x0, n0, x1, n1, thetas[m][t], g, &z1);
        double ps = sp(m, &s, thetas[m][t], g, &zs);
        check_num("p = tsim_ni_p MN", ctx, ps, p1, SAME_TOL, 0);
        check_num("z = tsim_ni_p MN", ctx, zs, z1, 0, SAME_TOL * fmax(1.0, fabs(z1)));
      }
    if (!with_ci) continue;
    double e1, l1, h1, es, ls, hs;
    tsim_ni_ci(TSIM_NI_MN, (tsim_ni_measure)m, x0, n0, x1, n1, 0.95, &e1, &l1, &h1);
    sci(m, &s, 0.95, &es, &ls, &hs);
    if (m == TSIM_NI_OR && isfinite(e1) && e1 > 0) /* ours is a root, tsim_ni_ci's the quotient */
      check_num("est = sample odds ratio", ctx, es, e1, 1e-13, 0);
    else
      check_num("est = tsim_ni_ci MN", ctx, es, e1, SAME_TOL, 0);
    /* relative, absolute below 1 (a bound next to 0) */
    check_num("lower = tsim_ni_ci MN", ctx, ls, l1, 0, SAME_TOL * fmax(1.0, fabs(l1)));
    check_num("upper = tsim_ni_ci MN", ctx, hs, h1, 0, SAME_TOL * fmax(1.0, fabs(h1)));
  }
}

static void check_one_stratum(void) {
  for (long long n0 = 1; n0 <= 12; n0++)
    for (long long n1 = 1; n1 <= 12; n1++)
      for (long long x0 = 0; x0 <= n0; x0++)
        for (long long x1 = 0; x1 <= n1; x1++) check_one_table(x0, n0, x1, n1, n0 <= 8 && n1 <= 8);
  check_one_table(48, 80, 56, 70, 1);
  check_one_table(123456, 1000000, 124000, 999000, 1);
}

/* --- Random stratified tables ------------------------------------------------------------- */

static unsigned long long rng_state = 20240601;

static long long draw(long long n) { /* uniform on 0 .. n - 1 */
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (long long)((rng_state >> 33) % (unsigned long long)n);
}

/* k strata of sizes up to nmax, rates drawn per table around a shared level, so that some
 * strata have no or all responders; every fifth table has a stratum with an empty arm. */
static void random_strata(strata *s, int k, long long nmax, int table) {
  long long level = 1 + draw(9);
  s->k = k;
  for (int i = 0; i < k; i++) {
    s->n0[i] = 1 + draw(nmax);
    s->n1[i] = 1 + draw(nmax);
    long long r0 = level + draw(3) - 1, r1 = level + draw(3) - 1; /* tenths, about */
    s->x0[i] = r0 <= 0 ? 0 : r0 >= 10 ? s->n0[i] : (s->n0[i] * r0 + draw(10)) / 10;
    s->x1[i] = r1 <= 0 ? 0 : r1 >= 10 ? s->n1[i] : (s->n1[i] * r1 + draw(10)) / 10;
  }
  if (table % 5 == 0) {
    int i = (int)draw(k);
    if (draw(2))
      s->n0[i] = s->x0[i] = 0;
    else
      s->n1[i] = s->x1[i] = 0;
  }
}

/* z^2 at no difference against the CMH statistic from its formula: (sum x1 - n1 m / N)^2 over
 * sum n1 n0 m (N - m) / (N^2 (N - 1)). */
static void check_cmh_table(const strata *s, const char *ctx) {
  double num = 0.0, var = 0.0;
  for (int i = 0; i < s->k; i++) {
    double n0 = (double)s->n0[i], n1 = (double)s->n1[i], n = n0 + n1;
    double m = (double)(s->x0[i] + s->x1[i]);
    if (n0 < 1 || n1 < 1) continue;
    num += (double)s->x1[i] - n1 * m / n;
    var += n1 * n0 * m * (n - m) / (n * n * (n - 1.0));
  }
  if (!(var > 0.0)) return;
  double chi2 = num * num / var;
  for (int m = TSIM_NI_RD; m <= TSIM_NI_OR; m++) {
    double z;
    sp(m, s, m == TSIM_NI_RD ? 0.0 : 1.0, 1, &z);
    check_num("z^2 = CMH statistic at no difference", ctx, z * z, chi2, SAME_TOL,
              chi2 < 1e-6 ? 1e-18 : 0);
    check_true(fabs(num) < 1e-12 * sqrt(var) || (z > 0) == (num > 0),
               "z at no difference has the sign of sum (x1 - E x1)");
  }
}

/* Adding strata with an empty arm changes nothing, bit for bit; reversing the order nothing
 * beyond rounding. */
static void check_invariance_table(const strata *s, const char *ctx) {
  strata t = *s, r = *s;
  if (s->k + 2 > MAXK) return;
  t.x0[t.k] = 0, t.n0[t.k] = 0, t.x1[t.k] = 3, t.n1[t.k] = 7, t.k++;
  t.x0[t.k] = 2, t.n0[t.k] = 2, t.x1[t.k] = 0, t.n1[t.k] = 0, t.k++;
  for (int i = 0; i < s->k; i++) {
    r.x0[i] = s->x0[s->k - 1 - i], r.n0[i] = s->n0[s->k - 1 - i];
    r.x1[i] = s->x1[s->k - 1 - i], r.n1[i] = s->n1[s->k - 1 - i];
  }
  for (int m = TSIM_NI_RD; m <= TSIM_NI_OR; m++) {
    double theta = m == TSIM_NI_RD ? -0.1 : 0.8, z, zt, zr;
    double p = sp(m, s, theta, 1, &z), pt = sp(m, &t, theta, 1, &zt), pr = sp(m, &r, theta, 1, &zr);
    double e, lo, hi, et, lot, hit;
    sci(m, s, 0.9, &e, &lo, &hi);
    sci(m, &t, 0.9, &et, &lot, &hit);
    int same = (p == pt || (isnan(p) && isnan(pt))) && (e == et || (isnan(e) && isnan(et))) &&
               lo == lot && hi == hit;
    if (!same) printf("  %s %s: empty-arm strata moved p %.17g -> %.17g\n", ctx, mname(m), p, pt);
    check_true(same, "strata with an empty arm change nothing");
    check_num("p does not depend on the strata's order", ctx, pr, p, 1e-12, 0);
  }
}

/* z = 0 at the estimate; at a free bound the two-sided p is 1 - conf; lo <= est <= hi. */
static void check_interval_table(int m, const strata *s, double conf, const char *ctx) {
  double e, lo, hi, z;
  int rc = sci(m, s, conf, &e, &lo, &hi);
  int ordered = rc == 0 && lo < hi && (isnan(e) || (lo <= e && e <= hi));
  if (!ordered) printf("  %s %s: est %.17g, [%.17g, %.17g]\n", ctx, mname(m), e, lo, hi);
  check_true(ordered, "stratified interval ordered around its estimate");
  double edge_lo = m == TSIM_NI_RD ? -1.0 : 0.0, edge_hi = m == TSIM_NI_RD ? 1.0 : INFINITY;
  if (e > edge_lo && e < edge_hi) {
    sp(m, s, e, 1, &z);
    if (!isnan(z)) check_num("z at the estimate", ctx, z, 0.0, 0, 1e-9);
  }
  double bounds[2] = {lo, hi};
  for (int b = 0; b < 2; b++) {
    if (bounds[b] == edge_lo || bounds[b] == edge_hi) continue;
    sp(m, s, bounds[b], 1, &z);
    check_num("two-sided p at a bound = 1 - conf", ctx, erfc(fabs(z) / sqrt(2.0)), 1.0 - conf,
              BOUND_TOL, 0);
    check_true(b == 0 ? z > 0 : z < 0, "z at a bound has the bound's sign");
  }
}

static double theta_at(int m, int i, int n) {
  double u = (i + 0.5) / n;
  return m == TSIM_NI_RD ? 2.0 * u - 1.0 : exp(12.0 * (u - 0.5));
}

/* tsim_ni_strat_covers against the interval's bounds: the same answer for values across the
 * space, the space's edges, no difference, values a millionth inside and outside each bound and
 * NaN, all but those within 1e-12 (relative) of a bound; -1 exactly where tsim_ni_strat_ci says
 * -1. (The tables here are ones where z falls in theta: nitest.h says where it need not.) */
static void check_covers_table(int m, const strata *s, double conf, const char *ctx) {
  double e, lo, hi, th[32];
  int rc = sci(m, s, conf, &e, &lo, &hi), n = 0;
  double edge_lo = m == TSIM_NI_RD ? -1.0 : 0.0, edge_hi = m == TSIM_NI_RD ? 1.0 : INFINITY;
  for (int i = 0; i < 20; i++) th[n++] = theta_at(m, i, 20);
  th[n++] = edge_lo, th[n++] = edge_hi, th[n++] = NAN;
  th[n++] = m == TSIM_NI_RD ? 0.0 : 1.0; /* no difference: z 0/0 on tables without information */
  double b[2] = {lo, hi};
  for (int j = 0; j < 2; j++)
    if (isfinite(b[j]) && b[j] != edge_lo && b[j] != edge_hi) {
      double d = 1e-6 * fmax(fabs(b[j]), 1e-3);
      th[n++] = b[j] - d, th[n++] = b[j] + d;
    }
  unsigned in;
  int rcc = tsim_ni_strat_covers((tsim_ni_measure)m, s->x0, s->n0, s->x1, s->n1, s->k, conf, th, NULL, 0, n, &in);
  check_true(rcc == rc && (rc == 0 || in == 0), "covers: -1 exactly where the interval is -1");
  /* The statistics given, as a tested caller gives them, change nothing. */
  double zs[32];
  unsigned in2;
  for (int i = 0; i < n; i++) sp(m, s, th[i], 1, &zs[i]);
  tsim_ni_strat_covers((tsim_ni_measure)m, s->x0, s->n0, s->x1, s->n1, s->k, conf, th, zs, 0xffffffffu, n, &in2);
  check_true(in2 == in, "covers: the same with the statistics given");
  if (rc != 0) return;
  int same = 1;
  for (int i = 0; i < n; i++) {
    double t = th[i];
    if (fabs(t - lo) <= 1e-12 * fabs(lo) || fabs(t - hi) <= 1e-12 * fabs(hi)) continue;
    int want = lo <= t && t <= hi, got = (int)(in >> i & 1);
    if (want != got) {
      printf("  %s %s conf %g: theta %.17g in [%.17g, %.17g]: covers says %d\n", ctx, mname(m), conf, t, lo, hi,
             got);
      same = 0;
    }
  }
  check_true(same, "covers: theta in the interval exactly as its bounds say");
}

/* tsim_ni_strat_set against tsim_ni_strat_covers, which answers for one value at a time: on 400
 * values spread evenly over the space (not the scan's grid), the hull's and each gap's ends a
 * relative 1e-7 inside and outside, and each gap's middle, covers holds exactly the values in the
 * hull and in no gap (but within 1e-12 of an end); the gaps ordered and inside the hull; without
 * gaps, the hull is tsim_ni_strat_ci's bounds, bit for bit. Returns the number of gaps. */
static int set_scanned = 0, set_gapped = 0;

static int check_set_table(int m, const strata *s, double conf, const char *ctx) {
  double e, lo, hi, slo, shi, gap[8][2];
  int ngap = -1;
  int rc = sci(m, s, conf, &e, &lo, &hi);
  int rcs = tsim_ni_strat_set((tsim_ni_measure)m, s->x0, s->n0, s->x1, s->n1, s->k, conf, NULL, &slo, &shi, gap, 8, &ngap);
  check_true(rcs == rc && (rc == 0 || (ngap == 0 && isnan(slo) && isnan(shi))), "set: -1 exactly where the interval is -1");
  if (rc != 0) return 0;
  set_scanned++, set_gapped += ngap > 0;
  int kept = ngap < 8 ? ngap : 8, ordered = slo <= shi;
  for (int i = 0; i < kept; i++)
    ordered &= slo < gap[i][0] && gap[i][0] < gap[i][1] && gap[i][1] < shi && (i == 0 || gap[i - 1][1] < gap[i][0]);
  check_true(ordered, "set: gaps ordered, inside the hull");
  if (ngap == 0) {
    int same = memcmp(&slo, &lo, sizeof lo) == 0 && memcmp(&shi, &hi, sizeof hi) == 0;
    if (!same) printf("  %s %s: set [%.17g, %.17g] against the interval [%.17g, %.17g]\n", ctx, mname(m), slo, shi, lo, hi);
    check_true(same, "set: without gaps, the hull is the interval's bounds bit for bit");
  }
  double th[32], ends[2 + 2 * 8];
  int ne = 0;
  ends[ne++] = slo, ends[ne++] = shi;
  for (int i = 0; i < kept; i++) ends[ne++] = gap[i][0], ends[ne++] = gap[i][1];
  double edge_lo = m == TSIM_NI_RD ? -1.0 : 0.0, edge_hi = m == TSIM_NI_RD ? 1.0 : INFINITY;
  int agree = 1, total = 400 + 2 * ne + kept;
  for (int base = 0; base < total; base += 32) {
    int n = 0;
    for (int i = base; i < total && n < 32; i++) {
      double t;
      if (i < 400) t = theta_at(m, i, 400);
      else if (i < 400 + 2 * ne) {
        double b = ends[(i - 400) / 2];
        if (!isfinite(b) || b == edge_lo || b == edge_hi) continue;
        t = b + ((i - 400) % 2 ? 1e-7 : -1e-7) * fmax(fabs(b), 1e-3);
      } else {
        t = 0.5 * (gap[i - 400 - 2 * ne][0] + gap[i - 400 - 2 * ne][1]);
      }
      th[n++] = t;
    }
    unsigned in;
    tsim_ni_strat_covers((tsim_ni_measure)m, s->x0, s->n0, s->x1, s->n1, s->k, conf, th, NULL, 0, n, &in);
    for (int i = 0; i < n; i++) {
      double t = th[i];
      int near = 0;
      for (int j = 0; j < ne; j++) near |= fabs(t - ends[j]) <= 1e-12 * fmax(fabs(ends[j]), 1e-3);
      if (near) continue;
      int want = slo <= t && t <= shi;
      for (int j = 0; j < kept; j++) want &= !(gap[j][0] < t && t < gap[j][1]);
      if (want != (int)(in >> i & 1)) {
        if (agree) printf("  %s %s conf %g: theta %.17g: covers %d, the set (hull [%.17g, %.17g], %d gaps) %d\n", ctx,
                          mname(m), conf, t, (int)(in >> i & 1), slo, shi, ngap, want);
        agree = 0;
      }
    }
  }
  check_true(agree, "set: covers holds exactly the hull less the gaps");
  return ngap;
}

/* The tables nitest.h names, whose values not rejected are not one interval: the scan finds
 * at least one gap in rd (either arm first), and the set agrees with covers (check_set_table). */
static void check_set_examples(void) {
  static const long long ex[2][8] = {{1, 1, 0, 4, 0, 29, 0, 2}, {3, 3, 21, 22, 21, 21, 3, 4}};
  for (int e = 0; e < 2; e++)
    for (int order = 0; order < 2; order++) {
      strata s = {.k = 2};
      for (int i = 0; i < 2; i++) {
        const long long *q = ex[e] + 4 * i;
        s.x0[i] = q[order ? 2 : 0], s.n0[i] = q[order ? 3 : 1], s.x1[i] = q[order ? 0 : 2], s.n1[i] = q[order ? 1 : 3];
      }
      char ctx[256];
      describe(&s, ctx, sizeof ctx);
      for (int m = TSIM_NI_RD; m <= TSIM_NI_OR; m++) {
        int ngap = check_set_table(m, &s, 0.95, ctx);
        if (m == TSIM_NI_RD) check_true(ngap >= 1, "set: the documented sparse tables have a gap in rd");
      }
    }
}

/* p rises with theta0, the two directions add up to 1, and p < alpha exactly when the
 * 1 - 2 alpha interval's lower bound is above theta0 (away from the bound). */
static void check_rule_table(int m, const strata *s, double alpha, const char *ctx) {
  double e, lo, hi, prev = -1.0;
  int monotone = 1, complement = 1, rule = 1;
  sci(m, s, 1.0 - 2.0 * alpha, &e, &lo, &hi);
  for (int i = 0; i < 60; i++) {
    double t = theta_at(m, i, 60), p = sp(m, s, t, 1, NULL), q = sp(m, s, t, 0, NULL);
    if (isnan(p)) continue;
    if (p < prev * (1.0 - 1e-12)) monotone = 0;
    if (fabs(p + q - 1.0) > 4 * DBL_EPSILON) complement = 0;
    if (fabs(t - lo) > 1e-9 * fmax(1.0, fabs(lo)) && (p < alpha) != (lo > t)) rule = 0;
    prev = p;
  }
  if (!(monotone && complement && rule))
    printf("  %s %s: monotone %d, complement %d, rule %d\n", ctx, mname(m), monotone, complement,
           rule);
  check_true(monotone, "stratified p rises with theta0");
  check_true(complement, "stratified p(greater) + p(less) = 1");
  check_true(rule, "p < alpha iff the 1 - 2 alpha lower bound > theta0");
}

static void check_random_tables(void) {
  static const double confs[] = {0.8, 0.9, 0.95, 0.99};
  for (int table = 0; table < 400; table++) {
    strata s;
    int k = 2 + (int)draw(table < 300 ? 5 : 12);
    random_strata(&s, k, table % 4 == 0 ? 300 : 30, table);
    char ctx[4096];
    describe(&s, ctx, sizeof ctx);
    check_cmh_table(&s, ctx);
    check_invariance_table(&s, ctx);
    for (int m = TSIM_NI_RD; m <= TSIM_NI_OR; m++) {
      check_interval_table(m, &s, confs[table % 4], ctx);
      check_covers_table(m, &s, confs[table % 4], ctx);
      if (table % 4 == 2) check_set_table(m, &s, confs[table % 4], ctx);
      if (table % 4 == 1) check_rule_table(m, &s, 0.025, ctx);
    }
  }
}

/* --- Every small two-stratum table ---------------------------------------------------------- */

static int small_set_every = 50, small_count = 0; /* check_set_table on every 50th (time) */

static void check_small_table(const strata *s) {
  int rd_lo = 1, rd_hi = 1, rr_lo = 1, rr_hi = 1, or_lo = 1, or_hi = 1, info = 0;
  for (int i = 0; i < s->k; i++) {
    long long x0 = s->x0[i], n0 = s->n0[i], x1 = s->x1[i], n1 = s->n1[i];
    rd_lo &= x1 == 0 && x0 == n0, rd_hi &= x1 == n1 && x0 == 0;
    rr_lo &= x1 == 0, rr_hi &= x0 == 0;
    or_lo &= x1 == 0 || x0 == n0, or_hi &= x1 == n1 || x0 == 0;
    info |= x0 + x1 > 0 && x0 + x1 < n0 + n1;
  }
  const int lo_edge[3] = {rd_lo, rr_lo, or_lo}, hi_edge[3] = {rd_hi, rr_hi, or_hi};
  char ctx[256];
  describe(s, ctx, sizeof ctx);
  for (int m = TSIM_NI_RD; m <= TSIM_NI_OR; m++) {
    double e, lo, hi, edge_lo = m == TSIM_NI_RD ? -1.0 : 0.0;
    double edge_hi = m == TSIM_NI_RD ? 1.0 : INFINITY;
    check_interval_table(m, s, 0.95, ctx);
    check_covers_table(m, s, 0.95, ctx);
    if (small_set_every > 0 && small_count++ % small_set_every == 0) check_set_table(m, s, 0.95, ctx);
    sci(m, s, 0.95, &e, &lo, &hi);
    int ok = (lo == edge_lo) == lo_edge[m] && (hi == edge_hi) == hi_edge[m] && lo >= edge_lo &&
             hi <= edge_hi;
    if (!ok) printf("  %s %s: [%.17g, %.17g]\n", ctx, mname(m), lo, hi);
    check_true(ok, "interval at the edge exactly where the data give no limit");
    /* NaN p exactly without information: rd at 0, rr at 1 and or anywhere need a stratum with
     * some but not all responders; rr elsewhere a responder */
    double p_null = sp(m, s, m == TSIM_NI_RD ? 0.0 : 1.0, 1, NULL);
    check_true(isnan(p_null) == !info, "NaN p at no difference exactly without information");
    if (m == TSIM_NI_RR)
      check_true(isnan(sp(m, s, 0.8, 1, NULL)) == (rr_lo && rr_hi), "rr NaN p without responders");
    if (m == TSIM_NI_OR) check_true(isnan(sp(m, s, 0.7, 1, NULL)) == !info, "or NaN p");
    if (m == TSIM_NI_RD) check_true(!isnan(sp(m, s, -0.1, 1, NULL)), "rd p at a margin defined");
  }
}

static void check_small_tables(void) {
  static long long tab[81][2][2]; /* (2 + 3 + 4)^2 tables */
  int n = 0;
  for (long long n0 = 1; n0 <= 3; n0++)
    for (long long n1 = 1; n1 <= 3; n1++)
      for (long long x0 = 0; x0 <= n0; x0++)
        for (long long x1 = 0; x1 <= n1; x1++, n++)
          tab[n][0][0] = x0, tab[n][0][1] = n0, tab[n][1][0] = x1, tab[n][1][1] = n1;
  for (int a = 0; a < n; a++)
    for (int b = 0; b < n; b++) {
      strata s = {{tab[a][0][0], tab[b][0][0]}, {tab[a][0][1], tab[b][0][1]},
                  {tab[a][1][0], tab[b][1][0]}, {tab[a][1][1], tab[b][1][1]}, 2};
      check_small_table(&s);
    }
  printf("small tables: every two-stratum table with arms up to 3 (%d)\n", n * n);
}

/* --- Edges and invalid input -------------------------------------------------------------- */

static void check_nan(int m, const long long *x0, const long long *n0, const long long *x1,
                      const long long *n1, int k, double theta, const char *what) {
  double z = 0.0, e = 0.0, lo = 0.0, hi = 0.0;
  double p = tsim_ni_strat_p((tsim_ni_measure)m, x0, n0, x1, n1, k, theta, 1, &z);
  check_true(isnan(p) && isnan(z), what);
  if (!isfinite(theta) || theta == 0.0 || theta == 1.0 || theta == -1.0) return; /* counts ok */
  int rc = tsim_ni_strat_ci((tsim_ni_measure)m, x0, n0, x1, n1, k, 0.95, &e, &lo, &hi);
  check_true(rc == -1 && isnan(e) && isnan(lo) && isnan(hi), what);
}

static void check_edges(void) {
  const long long x0[] = {3, 4}, n0[] = {10, 12}, x1[] = {5, 6}, n1[] = {10, 12};
  for (int m = TSIM_NI_RD; m <= TSIM_NI_OR; m++) {
    double t = m == TSIM_NI_RD ? -0.1 : 0.8;
    check_nan(m, x0, n0, x1, n1, 0, t, "k = 0 gives NaN and -1");
    check_nan(m, NULL, n0, x1, n1, 2, t, "a NULL array gives NaN and -1");
    const long long bad_x[] = {3, 13}, neg_n[] = {10, -1}, none[] = {0, 0}, zero[] = {0, 0};
    check_nan(m, bad_x, n0, x1, n1, 2, t, "x0 > n0 in a stratum gives NaN and -1");
    check_nan(m, x0, n0, x1, neg_n, 2, t, "n1 < 0 in a stratum gives NaN and -1");
    check_nan(m, zero, none, x1, n1, 2, t, "no stratum with both arms gives NaN and -1");
    check_nan(m, x0, n0, x1, n1, 2, NAN, "theta0 NaN gives NaN");
    check_nan(m, x0, n0, x1, n1, 2, m == TSIM_NI_RD ? -1.0 : 0.0, "theta0 on the lower edge");
    check_nan(m, x0, n0, x1, n1, 2, m == TSIM_NI_RD ? 1.0 : INFINITY, "theta0 on the upper edge");
  }
  check_nan(TSIM_NI_NMEASURES, x0, n0, x1, n1, 2, 0.8, "an unknown measure gives NaN and -1");
  double e = 0, lo = 0, hi = 0;
  check_true(tsim_ni_strat_ci(TSIM_NI_RD, x0, n0, x1, n1, 2, 1.0, &e, &lo, &hi) == -1 &&
                 isnan(e) && isnan(lo) && isnan(hi),
             "stratified interval at conf 1: -1 and NaN");
  check_true(tsim_ni_strat_ci(TSIM_NI_OR, x0, n0, x1, n1, 2, 1.0 - DBL_EPSILON, &e, &lo, &hi) ==
                     0 && lo >= 0 && hi > lo,
             "stratified interval at conf just below 1 is defined");
  check_true(tsim_ni_strat_ci(TSIM_NI_RR, x0, n0, x1, n1, 2, 0.9, NULL, NULL, NULL) == 0,
             "stratified interval with NULL outputs");
  /* The documented edges. */
  const long long z2[] = {0, 0}, all0[] = {10, 12}, some[] = {2, 0};
  sci(TSIM_NI_RD, &(strata){{10, 12}, {10, 12}, {0, 0}, {10, 12}, 2}, 0.95, &e, &lo, &hi);
  check_true(lo == -1.0 && hi > -1.0 && e == -1.0, "rd: every stratum 0/n1 vs n0/n0: lower -1");
  tsim_ni_strat_ci(TSIM_NI_RR, some, all0, z2, all0, 2, 0.95, &e, &lo, &hi);
  check_true(e == 0.0 && lo == 0.0 && isfinite(hi), "rr: no experimental responders: lower 0");
  tsim_ni_strat_ci(TSIM_NI_RR, z2, all0, z2, all0, 2, 0.95, &e, &lo, &hi);
  check_true(isnan(e) && lo == 0.0 && hi == INFINITY, "rr: no responders: est NaN, [0, inf]");
  tsim_ni_strat_ci(TSIM_NI_OR, some, all0, all0, all0, 2, 0.95, &e, &lo, &hi);
  check_true(e == INFINITY && hi == INFINITY && lo > 0,
             "or: all experimental responders: upper inf");
  check_true(isnan(tsim_ni_strat_p(TSIM_NI_RR, z2, all0, z2, all0, 2, 0.8, 1, NULL)),
             "rr: no responders anywhere: NaN");
  check_true(isnan(tsim_ni_strat_p(TSIM_NI_RD, all0, all0, z2, all0, 2, 0.0, 1, NULL)) == 0,
             "rd: 0/10 vs 10/10 at 0 has a test (some responders)");
  double p = tsim_ni_strat_p(TSIM_NI_RD, z2, all0, z2, all0, 2, -0.3, 1, NULL);
  check_true(p > 0 && p < 0.025, "rd: no responders anywhere still rejects rd <= -0.3");
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s REFERENCE.csv\n", argv[0]);
    return 2;
  }
  check_reference(argv[1]);
  check_one_stratum();
  check_random_tables();
  check_small_tables();
  check_set_examples();
  printf("sets: %d scanned, %d of them with values rejected inside the hull\n", set_scanned, set_gapped);
  check_edges();
  return refcheck_summary();
}
