/* test_fastexp.c - tsim_exp (sim/fastexp.h) against libm's exp.
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

#include "check.h"
#include "fastexp.h"

/* |got - want| in ulps of want (a normal, positive number here). */
static double ulps(double got, double want) {
  int e;
  frexp(want, &e);
  return fabs(got - want) / ldexp(1.0, e - 53);
}

static double worst = 0, worst_at = 0;
static void compare(double x) {
  double got = tsim_exp(x), want = exp(x), u = ulps(got, want);
  if (!(u <= worst)) { worst = u; worst_at = x; }
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
