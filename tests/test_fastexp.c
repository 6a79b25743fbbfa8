/* test_fastexp.c - tsim_exp (sim/core/fastexp.h) against libm's exp; its vector twin tsim_exp8, and
 * tsim__threshold8 (model/stages.h), against the scalar ones bit for bit.
 *
 * Not statistical: every point is compared with libm's exp, and the largest error, in units in
 * the last place (ulp) of libm's value, must be at most 4 (libm's own error is below 1 ulp).
 * Points: a dense grid over the whole fast range (-700, 700), 10^6 uniform points in [-40, 40]
 * from a fixed seed (site effects on the logit scale live near 0), tiny and round arguments,
 * and the edges where tsim_exp hands over to libm (|x| >= 700, infinities, NaN).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>

#include <string.h>

#include "check.h"
#include "model/stages.h"
#include "core/fastexp.h"
#include "core/fastlog.h"

/* |got - want| in ulps of want (a normal, positive number here). */
static double ulps(double got, double want) {
  int e;
  frexp(want, &e);
  return fabs(got - want) / ldexp(1.0, e - 53);
}

static double worst = 0, worst_at = 0;
static long vec_differ = 0, vec_checked = 0;
static double vec_x[8];
static int vec_n = 0;

/* tsim_exp8 on the eight points collected must give tsim_exp's answers bit for bit. */
static void flush_vector(void) {
  tsim_f64x8 x, y;
  for (int l = 0; l < 8; l++) x[l] = vec_x[l < vec_n ? l : 0];
  tsim_exp8(&x, &y);
  for (int l = 0; l < vec_n; l++, vec_checked++) {
    double want = tsim_exp(vec_x[l]), got = y[l]; /* clang: no address of a vector element */
    if (memcmp(&got, &want, sizeof want) != 0 && vec_differ++ < 5)
      CHECK(0, "tsim_exp8(%.17g) = %.17g, tsim_exp %.17g", vec_x[l], got, want);
  }
  vec_n = 0;
}

static void compare(double x) {
  double got = tsim_exp(x), want = exp(x), u = ulps(got, want);
  if (!(u <= worst)) { worst = u; worst_at = x; }
  vec_x[vec_n++] = x;
  if (vec_n == 8) flush_vector();
}

/* tsim__threshold8 against tsim__threshold: p, its neighbours in the last place, and the
 * probabilities whose thresholds change (multiples of 2^-53, 2^-52 and their halves). */
static void thresholds(void) {
  long differ = 0, checked = 0;
  double p[8];
  int n = 0;
  uint64_t s = 12345;
  for (long i = 0; i < 2000000; i++) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    double q;
    switch (i % 5) {
      case 0: q = (double)(z >> 11) * 0x1.0p-53; break;                          /* uniform */
      case 1: q = (double)(z >> 11 & 0xffff) * 0x1.0p-53; break;                 /* tiny */
      case 2: q = 0.5 + ((double)(z >> 40) - 8388608.0) * 0x1.0p-53; break;      /* around 1/2 */
      case 3: q = 1.0 - (double)(z >> 44) * 0x1.0p-53; break;                    /* near 1 */
      default: q = nextafter((double)(z >> 11) * 0x1.0p-53, (z & 1) ? 1.0 : 0.0); break;
    }
    if (i < 8) q = (double[]){0.0, 1.0, 0.5, 0x1.0p-53, 1 - 0x1.0p-53, 0x1.0p-1074, 0.25, 0.75}[i];
    p[n++] = q < 0 ? 0 : q > 1 ? 1 : q;
    if (n < 8) continue;
    tsim_f64x8 v;
    tsim_s64x8 t;
    memcpy(&v, p, sizeof v);
    tsim__threshold8(&v, &t);
    for (int l = 0; l < 8; l++, checked++)
      if ((uint64_t)t[l] != tsim__threshold(p[l]) && differ++ < 5)
        CHECK(0, "tsim__threshold8(%.17g) = %llu, tsim__threshold %llu", p[l], (unsigned long long)t[l],
              (unsigned long long)tsim__threshold(p[l]));
    n = 0;
  }
  CHECK(differ == 0, "%ld of %ld vector thresholds differ", differ, checked);
  printf("%ld vector thresholds equal tsim__threshold's\n", checked);
}

/* tsim_log_pos (core/fastlog.h) against libm's log, and tsim_exp1_of against 0 - log u: every
 * argument the accrual's deviates take is u = (j + 1) 2^-53, j < 2^53. Points: 2 million words
 * from a fixed seed, the smallest and largest u, each power of two with its neighbours and the
 * reduction's switch at sqrt(2) times a power of two (m halved from there), and a grid of x in
 * (0, 1e6) (the general function). The log's error in ulps of libm's value must be at most 2
 * (fdlibm's method with one formula; libm's own error is below 1 ulp), and each deviate within 1
 * ulp of -log u by libm. */
static void logs(void) {
  double lw = 0, lw_at = 0;
  long n = 0, exp1_bad = 0;
  uint64_t s = 0x2545f4914f6cdd1dULL;
  for (long i = 0; i < 2000000 + 53 * 6 + 20000; i++) {
    uint64_t j;
    double x;
    if (i < 2000000) {
      uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      j = (z ^ (z >> 31)) >> 11;
    } else if (i < 2000000 + 53 * 6) {
      int q = (int)(i - 2000000), e = q / 6, k = q % 6;
      uint64_t p = 1ULL << e, r = (uint64_t)(1.4142135623730951 * (double)p);
      uint64_t c[6] = {p - 1, p, p + 1, r > 0 ? r - 1 : 0, r, r + 1};
      j = c[k] >= (1ULL << 53) ? (1ULL << 53) - 1 : c[k];
    } else { /* the general function on x in (0, 1e6) */
      x = (double)(i - 2000000 - 53 * 6 + 1) * 50.0 + 0.123;
      double g = tsim_log_pos(x), want = log(x), u = ulps(fabs(g), fabs(want));
      if (u > lw) lw = u, lw_at = x;
      n++;
      continue;
    }
    x = (double)(j + 1) * 0x1.0p-53;
    double want = log(x), got = tsim_log_pos(x);
    if (want != 0) {
      double u = ulps(fabs(got), fabs(want));
      if (u > lw) lw = u, lw_at = x;
    } else if (got != 0) {
      lw = INFINITY, lw_at = x;
    }
    /* The deviate against libm: -log u within 1 ulp of libm's (the log's own bound). */
    double e1 = tsim_exp1_of(j), e2 = -want;
    if (e2 != 0) exp1_bad += ulps(e1, e2) > 1.0;
    else exp1_bad += !(e1 == 0 && !signbit(e1));
    n++;
  }
  CHECK(lw <= 2.0, "tsim_log_pos: largest error %.3g ulp at x = %.17g (tolerance 2 ulp)", lw, lw_at);
  CHECK(exp1_bad == 0, "tsim_exp1_of: %ld deviates more than 1 ulp from -log(u) by libm (or not +0 at u = 1)", exp1_bad);
  double one = tsim_exp1_of((1ULL << 53) - 1);
  CHECK(one == 0 && !signbit(one), "tsim_exp1_of at u = 1: %g (+0 expected)", one);
  printf("largest error of tsim_log_pos against libm log: %.3g ulp (at x = %.17g; %ld points)\n", lw, lw_at, n);
}

int main(void) {
  for (double x = -699.9; x < 700; x += 0.0137) compare(x);
  uint64_t s = 0x9e3779b97f4a7c15ULL; /* splitmix64, fixed seed */
  for (int i = 0; i < 1000000; i++) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    compare(-40.0 + 80.0 * (double)(z >> 11) * 0x1.0p-53);
  }
  static const double special[] = {0.0, -0.0, 1e-300, -1e-300, 1e-17, -1e-17, 1e-9, 0.5, -0.5,
                                   0.34657359027997264, -0.34657359027997264, 1.0, -1.0, 2.0,
                                   0.69314718055994531, -0.69314718055994531, 10.0, -10.0, 699.999, -699.999};
  for (size_t i = 0; i < sizeof special / sizeof *special; i++) compare(special[i]);
  flush_vector();
  CHECK(vec_differ == 0, "%ld of %ld tsim_exp8 values differ from tsim_exp's", vec_differ, vec_checked);
  printf("%ld tsim_exp8 values equal tsim_exp's\n", vec_checked);
  thresholds();
  logs();
  CHECK(worst <= 4.0, "largest error %.3g ulp at x = %.17g (tolerance 4 ulp)", worst, worst_at);
  printf("largest error against libm exp: %.3g ulp (at x = %.17g)\n", worst, worst_at);
  /* Beyond the fast range: libm's exp itself. */
  CHECK(tsim_exp(700.0) == exp(700.0), "exp(700)");
  CHECK(tsim_exp(-745.2) == exp(-745.2), "exp(-745.2) (subnormal)");
  CHECK(tsim_exp(710.0) == HUGE_VAL, "exp(710) overflows to infinity");
  CHECK(tsim_exp(-INFINITY) == 0.0, "exp(-inf) = 0");
  CHECK(tsim_exp(INFINITY) == INFINITY, "exp(inf) = inf");
  CHECK(isnan(tsim_exp(NAN)), "exp(NaN) is NaN");
  CHECK(tsim_exp(0.0) == 1.0, "exp(0) = 1 exactly");
  return tsim_check_done();
}
