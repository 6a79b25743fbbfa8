/* fastlog.h - log(x) inline for positive normal x, and an Exp(1) deviate from 53 uniform bits, for
 * the accrual's arrival gaps (model/accrual.c: one log per patient, the largest item of a trial
 * with interim looks through libm's call).
 *
 * The method of fdlibm's e_log.c (Sun Microsystems, 1993): x = 2^k m with sqrt(2)/2 <= m <
 * sqrt(2), f = m - 1 (exact), s = f / (2 + f), so that log(m) = log(1 + f) = 2 atanh(s) = f -
 * f^2/2 + s (f^2/2 + R(s^2)), with R the minimax polynomial of degree 7 in s^2 on |s| <= 0.1716
 * whose coefficients are fdlibm's Lg1..Lg7 (error below 2^-58.45); k ln 2 is added in two parts
 * (ln2_hi has 21 trailing zero bits, so k ln2_hi is exact for |k| < 2^21). One formula for every
 * x (fdlibm switches to a second one for some f to gain a fraction of an ulp): no branch, so
 * the same operations serve a vector of eight. Accuracy: within 2 units in the last place of
 * libm's log (tests/test_fastexp.c checks it over the whole range of the deviates' arguments). */
#ifndef TSIM_FASTLOG_H
#define TSIM_FASTLOG_H

#include <stdint.h>
#include <string.h>

#define TSIM_LOG_POLY(z, w)                                                                        \
  ((w) * (3.999999999940941908e-01 + (w) * (2.222219843214978396e-01 + (w) * 1.531383769920937332e-01)) + \
   (z) * (6.666666666666735130e-01 +                                                               \
          (w) * (2.857142874366239149e-01 + (w) * (1.818357216161805012e-01 + (w) * 1.479819860511658591e-01))))
#define TSIM_LN2_HI 6.93147180369123816490e-01
#define TSIM_LN2_LO 1.90821492927058770002e-10
#define TSIM_SQRT2_BITS 0x3ff6a09e667f3bcdULL /* sqrt(2) rounded: m from here on is halved */

/* log(x) for a positive, normal, finite x. */
static inline double tsim_log_pos(double x) {
  uint64_t b;
  memcpy(&b, &x, sizeof b);
  int64_t k = (int64_t)(b >> 52) - 1023;
  uint64_t mb = (b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL; /* m in [1, 2) */
  uint64_t big = mb >= TSIM_SQRT2_BITS;
  mb -= big << 52; /* m / 2 in [sqrt(2)/2, 1) */
  k += (int64_t)big;
  double m;
  memcpy(&m, &mb, sizeof m);
  double f = m - 1.0, s = f / (2.0 + f), dk = (double)k, z = s * s, w = z * z;
  double R = TSIM_LOG_POLY(z, w), hfsq = 0.5 * f * f;
  return dk * TSIM_LN2_HI - ((hfsq - (s * (hfsq + R) + dk * TSIM_LN2_LO)) - f);
}

/* An Exp(1) deviate from the 53 bits j (a generator's word >> 11): -log u, u = (j + 1) 2^-53 in
 * (0, 1]. 0 - log u rather than -log u: +0 at u = 1, as the vector's subtraction gives. */
static inline double tsim_exp1_of(uint64_t j) { return 0.0 - tsim_log_pos((double)(j + 1) * 0x1.0p-53); }

/* tsim_exp1_of lane by lane on a vector jv of words' bits (VS, int64 lanes) into VF (double lanes):
 * the same IEEE operations, so the same results bit for bit, in GCC's generic vectors of any
 * width (kernels/expdev.c compiles it for each instruction set). y = 0 - log u, as the scalar. */
#define TSIM_EXP1_LANES(VF, VS, jv, y)                                                              \
  do {                                                                                            \
    VF x_ = __builtin_convertvector((jv) + 1, VF) * 0x1.0p-53;                                    \
    VS b_ = (VS)x_, k_ = ((b_ >> 52) & 0x7ff) - 1023;                                             \
    VS mb_ = (b_ & 0x000fffffffffffffLL) | 0x3ff0000000000000LL;                                  \
    VS big_ = mb_ >= (int64_t)TSIM_SQRT2_BITS; /* -1 where m >= sqrt 2, else 0 */                 \
    mb_ += big_ * ((int64_t)1 << 52);                                                             \
    k_ -= big_;                                                                                   \
    VF f_ = (VF)mb_ - 1.0, s_ = f_ / (2.0 + f_), dk_ = __builtin_convertvector(k_, VF);           \
    VF z_ = s_ * s_, w_ = z_ * z_, R_ = TSIM_LOG_POLY(z_, w_), hfsq_ = 0.5 * f_ * f_;              \
    (y) = (x_ * 0) - (dk_ * TSIM_LN2_HI - ((hfsq_ - (s_ * (hfsq_ + R_) + dk_ * TSIM_LN2_LO)) - f_)); \
  } while (0)

#endif
