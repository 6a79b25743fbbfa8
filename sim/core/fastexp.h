/* fastexp.h - exp(x) inline, for the per-trial site effects (cohort.c's p_eff: one exp per site
 * and end point and trial, ~5% of a LUPIL-2 trial through libm's call).
 *
 * exp(x) = 2^k exp(r) with k = round(x / ln 2) and r = x - k ln 2, |r| <= ln 2 / 2, where k ln 2
 * is subtracted in two parts (fdlibm's split of ln 2: the high part has 32 trailing zero bits,
 * so k times it is exact for |k| < 2^20) and exp(r) is its Taylor polynomial of degree 13 by
 * Estrin's scheme (truncation error below 2^-57 relative at |r| = ln 2 / 2): pairs of terms,
 * then pairs of pairs, so that the chain of dependent operations is 8 long rather than Horner's
 * 24 - the probabilities of a trial wait on it (cohort.c). Accuracy: within a
 * few units in the last place of libm's exp for |x| < 700 (tests/test_fastexp.c checks 4);
 * anything else - |x| >= 700, infinities, NaN - is libm's exp itself. */
#ifndef TSIM_FASTEXP_H
#define TSIM_FASTEXP_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* exp(r) - 1 for |r| <= ln 2 / 2: r + r^2 (1/2! + r/3! + ... + r^11/13!) by Estrin's scheme,
 * written once for doubles and for vectors of them (the same operations, so the same results);
 * the small terms are summed first and r added last. */
#define TSIM_EXP_POLY(r)                                                                          \
  ((r) + ((r) * (r)) *                                                                            \
             ((((0.5 + (r) * (1.0 / 6)) + ((r) * (r)) * (1.0 / 24 + (r) * (1.0 / 120))) +         \
               (((r) * (r)) * ((r) * (r))) *                                                      \
                   ((1.0 / 720 + (r) * (1.0 / 5040)) + ((r) * (r)) * (1.0 / 40320 + (r) * (1.0 / 362880)))) + \
              ((((r) * (r)) * ((r) * (r))) * (((r) * (r)) * ((r) * (r)))) *                       \
                  ((1.0 / 3628800 + (r) * (1.0 / 39916800)) +                                     \
                   ((r) * (r)) * (1.0 / 479001600 + (r) * (1.0 / 6227020800.0)))))

static inline double tsim_exp(double x) {
  if (!(fabs(x) < 700.0)) return exp(x);
  const double shift = 0x1.8p52; /* adding it rounds to an integer: |x / ln 2| < 2^51 */
  double kd = x * 0x1.71547652b82fep0 + shift;
  kd -= shift; /* k = round(x / ln 2), exactly */
  double r = (x - kd * 0x1.62e42feep-1) - kd * 0x1.a39ef35793c76p-33;
  double p = TSIM_EXP_POLY(r); /* exp(r) - 1 */
  uint64_t b = (uint64_t)((int64_t)kd + 1023) << 52; /* 2^k, a normal number for |k| <= 1010 */
  double scale;
  memcpy(&scale, &b, sizeof scale);
  return (1.0 + p) * scale;
}

/* tsim_exp of eight values at once, each |x| < 700 (the caller sees to the others): the same IEEE
 * operations lane by lane, so the same results bit for bit, in GCC's generic vector code. k is
 * read from the bits of x / ln 2 + 1.5 2^52, whose low bits hold round(x / ln 2) in two's
 * complement (the value tsim_exp converts from kd). */
typedef double tsim_f64x8 __attribute__((vector_size(64)));
typedef int64_t tsim_s64x8 __attribute__((vector_size(64)));

static inline __attribute__((always_inline)) void tsim_exp8(const tsim_f64x8 *xp, tsim_f64x8 *y) {
  const tsim_f64x8 x = *xp, shift = x * 0 + 0x1.8p52;
  tsim_f64x8 kd = x * 0x1.71547652b82fep0 + shift;
  const tsim_s64x8 k = (tsim_s64x8)kd - (tsim_s64x8)shift;
  kd -= shift;
  const tsim_f64x8 r = (x - kd * 0x1.62e42feep-1) - kd * 0x1.a39ef35793c76p-33;
  const tsim_f64x8 p = TSIM_EXP_POLY(r); /* exp(r) - 1 */
  const tsim_f64x8 scale = (tsim_f64x8)((k + 1023) << 52);
  *y = (1.0 + p) * scale;
}

#endif
