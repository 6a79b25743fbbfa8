/* ttest.c - t_lanes (kernels.h): the arms' summaries, the t statistic and the degrees of freedom
 * of eight two-arm t tests at once, from each arm's count, sum and sum of squares about a centre
 * (analysis/ptanalysis.c's eval_t_lanes). One body in GCC's generic vector code, compiled for the
 * build's own instruction set (the reference), AVX2 and AVX-512; the square roots by each
 * target's instruction. Every lane gets the IEEE operations of the scalar code (ptanalysis.c's
 * compare_sums, then stats/contest.h's tsim__t_core) in their order, never contracted (the build
 * passes -ffp-contract=off), and a correctly rounded square root: the same bits on every target
 * and as the scalar code. */
#include <math.h>
#include <string.h>

#include "kernels/variants.h"

#if defined(__x86_64__) || defined(__SSE2__)
#include <immintrin.h>
#endif

/* A macro, as the other generic-vector bodies (block.c explains), so that each target compiles
 * it in its own context. SQRT8(&v) takes each lane's square root with the target's instruction. */
#define T_LANES_BODY                                                                              \
  tsim_f64x8 n[2], s[2], q[2], c[2], pooled, m[2], mean[2], sd[2];                                \
  const tsim_f64x8 zero = {0};                                                                    \
  memcpy(&pooled, j->pooled, sizeof pooled);                                                      \
  for (int a = 0; a < 2; a++) {                                                                   \
    memcpy(&n[a], j->n[a], sizeof n[a]);                                                          \
    memcpy(&s[a], j->s[a], sizeof s[a]);                                                          \
    memcpy(&q[a], j->q[a], sizeof q[a]);                                                          \
    memcpy(&c[a], j->c[a], sizeof c[a]);                                                          \
    /* compare_sums: mean c + S/n; SD from the sum of squares about c less S m, at least 0 */     \
    m[a] = s[a] / n[a];                                                                           \
    tsim_f64x8 ss = q[a] - s[a] * m[a];                                                           \
    ss = (tsim_f64x8)((tsim_s64x8)ss & (ss > zero)); /* ss > 0 ? ss : 0 (NaN to 0) */             \
    mean[a] = c[a] + m[a];                                                                        \
    sd[a] = ss / (n[a] - 1);                                                                      \
    SQRT8(&sd[a]);                                                                                \
  }                                                                                               \
  const tsim_f64x8 diff = (c[1] - c[0]) + (m[1] - m[0]);                                          \
  /* tsim__t_core: Welch's df and variance, Student's, then each lane's own */                    \
  const tsim_f64x8 v0 = sd[0] * sd[0] / n[0], v1 = sd[1] * sd[1] / n[1];                          \
  const tsim_f64x8 dfw = (v0 + v1) * (v0 + v1) / (v0 * v0 / (n[0] - 1) + v1 * v1 / (n[1] - 1));   \
  const tsim_f64x8 dfp = n[0] + n[1] - 2;                                                         \
  const tsim_f64x8 varp = ((n[0] - 1) * sd[0] * sd[0] + (n[1] - 1) * sd[1] * sd[1]) / dfp;        \
  const tsim_f64x8 sep2 = varp * (1.0 / n[0] + 1.0 / n[1]), sew2 = v0 + v1;                       \
  const tsim_s64x8 pm = pooled != zero;                                                           \
  const tsim_f64x8 df = (tsim_f64x8)(((tsim_s64x8)dfp & pm) | ((tsim_s64x8)dfw & ~pm));           \
  tsim_f64x8 se = (tsim_f64x8)(((tsim_s64x8)sep2 & pm) | ((tsim_s64x8)sew2 & ~pm));              \
  SQRT8(&se);                                                                                     \
  const tsim_f64x8 t = (mean[1] - mean[0]) / se;                                                  \
  for (int a = 0; a < 2; a++) {                                                                   \
    memcpy(j->mean[a], &mean[a], sizeof mean[a]);                                                 \
    memcpy(j->sd[a], &sd[a], sizeof sd[a]);                                                       \
  }                                                                                               \
  memcpy(j->diff, &diff, sizeof diff);                                                            \
  memcpy(j->df, &df, sizeof df);                                                                  \
  memcpy(j->se, &se, sizeof se);                                                                  \
  memcpy(j->t, &t, sizeof t);

/* The build's own instruction set: SSE2's square root on x86-64 (two lanes at a time), the
 * library's lane by lane elsewhere (correctly rounded too). */
static inline __attribute__((always_inline)) void sqrt8_base(tsim_f64x8 *v) {
#if defined(__SSE2__)
  for (int i = 0; i < 8; i += 2) {
    __m128d x;
    memcpy(&x, (double *)v + i, sizeof x);
    x = _mm_sqrt_pd(x);
    memcpy((double *)v + i, &x, sizeof x);
  }
#else
  for (int i = 0; i < 8; i++) (*v)[i] = sqrt((*v)[i]);
#endif
}
#define SQRT8(v) sqrt8_base(v)
void tsim__t_lanes_generic(tsim_t_lanes *j) { T_LANES_BODY }
#undef SQRT8

#if TSIM_ISA_TARGETS
TSIM_TARGET_AVX2 static inline __attribute__((always_inline)) void sqrt8_avx2(tsim_f64x8 *v) {
  __m256d lo, hi;
  memcpy(&lo, v, sizeof lo);
  memcpy(&hi, (double *)v + 4, sizeof hi);
  lo = _mm256_sqrt_pd(lo);
  hi = _mm256_sqrt_pd(hi);
  memcpy(v, &lo, sizeof lo);
  memcpy((double *)v + 4, &hi, sizeof hi);
}
#define SQRT8(v) sqrt8_avx2(v)
TSIM_TARGET_AVX2 void tsim__t_lanes_avx2(tsim_t_lanes *j) { T_LANES_BODY }
#undef SQRT8

TSIM_TARGET_AVX512 static inline __attribute__((always_inline)) void sqrt8_avx512(tsim_f64x8 *v) {
  __m512d x;
  memcpy(&x, v, sizeof x);
  x = _mm512_sqrt_pd(x);
  memcpy(v, &x, sizeof x);
}
#define SQRT8(v) sqrt8_avx512(v)
TSIM_TARGET_AVX512 void tsim__t_lanes_avx512(tsim_t_lanes *j) { T_LANES_BODY }
#undef SQRT8
#endif
