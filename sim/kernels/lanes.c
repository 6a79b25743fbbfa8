/* lanes.c - the responders of the cell sampler's lane cells (model/cellsample.c, "responders,
 * eight cells at a time"): the reference in GCC's generic vector code at the build's own width,
 * the same body compiled for AVX2 and AVX-512, and an AVX-512 version with population counts. */
#include <string.h>

#include "core/rng.h"
#include "kernels/variants.h"

/* The lane cells' responders: seeds the eight OUTCOME lanes from j->key as tsim_rng_seed_lanes
 * does (lane l's state word i is splitmix64's output 4l + i + 1, mix64 of key + (4l + i + 1)
 * gamma), then draws group after group. GCC's generic vector code, W lanes of type VU (signed
 * VI; V32 for the 32-bit counts) at a time, lane numbers IDX: the eight lanes are independent
 * streams, so W = 8 (one AVX-512 register), 4 (AVX2) and 1 (plain registers) give the same
 * numbers, and each lane's state stays in registers across the groups. The body is a macro so
 * that each target compiles it at its own width. */
#define LANES_SEED(VU, s, lane)                                                                   \
  for (int w = 0; w < 4; w++) {                                                                   \
    VU z = j->key + ((lane) * 4u + (uint64_t)w + 1u) * TSIM_GAMMA;                                \
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;                                                  \
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;                                                  \
    (s)[w] = z ^ (z >> 31);                                                                       \
  }
#define LANES_BODY(VU, VI, V32, W, IDX)                                                           \
  for (int part = 0; part < TSIM_LANES; part += (W)) {                                            \
    VU s[4], out;                                                                                 \
    const VU lane = (VU)(IDX) + (uint64_t)part;                                                   \
    LANES_SEED(VU, s, lane)                                                                       \
    for (size_t g = 0; g < j->ngroups; g++) {                                                     \
      size_t at = TSIM_LANES * g + (size_t)part;                                                  \
      VI th0, th1, m1, m, i = {0}, p0 = {0}, p1 = {0}, a0 = {0}, a1 = {0};                        \
      memcpy(&th0, j->t0 + at, sizeof th0);                                                       \
      memcpy(&th1, j->t1 + at, sizeof th1);                                                       \
      memcpy(&m1, j->m1 + at, sizeof m1);                                                         \
      memcpy(&m, j->m + at, sizeof m);                                                            \
      for (uint32_t it = j->iters[g]; it > 0; it--) {                                             \
        TSIM_XOSHIRO256PP_STEP(VU, s, out); /* W lanes */                                         \
        VI k = (VI)(out >> 11);                                                                   \
        VI r0 = k < th0, r1 = k < th1, in_pp = i < m1, in_as = i < m; /* -1 or 0 */               \
        p0 += r0 & in_pp;                                                                         \
        p1 += r1 & in_pp;                                                                         \
        a0 += r0 & in_as;                                                                         \
        a1 += r1 & in_as;                                                                         \
        i += 1;                                                                                   \
      }                                                                                           \
      V32 c;                                                                                      \
      c = __builtin_convertvector(-p0, V32);                                                      \
      memcpy(j->pp[0] + at, &c, sizeof c);                                                        \
      c = __builtin_convertvector(p0 - a0, V32);                                                  \
      memcpy(j->dev[0] + at, &c, sizeof c);                                                       \
      c = __builtin_convertvector(-p1, V32);                                                      \
      memcpy(j->pp[1] + at, &c, sizeof c);                                                        \
      c = __builtin_convertvector(p1 - a1, V32);                                                  \
      memcpy(j->dev[1] + at, &c, sizeof c);                                                       \
    }                                                                                             \
  }

typedef uint64_t u64x4 __attribute__((vector_size(32)));
typedef int64_t i64x4 __attribute__((vector_size(32)));
typedef uint64_t u64x1 __attribute__((vector_size(8)));
typedef int64_t i64x1 __attribute__((vector_size(8)));
typedef uint32_t u32x8 __attribute__((vector_size(32)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef uint32_t u32x1 __attribute__((vector_size(4)));

/* The build's own instruction set: lane by lane for the baseline, or as wide as the build
 * targets (a build with -march=native, say). */
void tsim__lanes_generic(const tsim_lane_job *j) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  LANES_BODY(tsim_u64x8, tsim_i64x8, u32x8, 8, ((tsim_u64x8){0, 1, 2, 3, 4, 5, 6, 7}))
#elif defined(__AVX2__)
  LANES_BODY(u64x4, i64x4, u32x4, 4, ((u64x4){0, 1, 2, 3}))
#else
  LANES_BODY(u64x1, i64x1, u32x1, 1, ((u64x1){0}))
#endif
}

#if TSIM_ISA_TARGETS
TSIM_TARGET_AVX512 void tsim__lanes_avx512(const tsim_lane_job *j) {
  LANES_BODY(tsim_u64x8, tsim_i64x8, u32x8, 8, ((tsim_u64x8){0, 1, 2, 3, 4, 5, 6, 7}))
}
TSIM_TARGET_AVX2 void tsim__lanes_avx2(const tsim_lane_job *j) { LANES_BODY(u64x4, i64x4, u32x4, 4, ((u64x4){0, 1, 2, 3})) }

#include <immintrin.h>
/* LANES_BODY with AVX-512's mask registers and population counts: the same uniforms and the
 * same comparisons, but each lane keeps a bit per patient - bit i set when uniform i responds -
 * instead of four running counts, and the counts are the population counts of those bits below
 * each lane's m1 (per protocol) and m (assessed) once the group is drawn: about 18 instructions
 * per uniform of the eight lanes instead of 27. A group draws at most 63 uniforms (model/cellsample.c's LANE_MAX). */
TSIM_TARGET_AVX512POPCNT void tsim__lanes_avx512popcnt(const tsim_lane_job *j) {
  tsim_u64x8 s[4];
  const __m512i one = _mm512_set1_epi64(1);
  LANES_SEED(tsim_u64x8, s, ((tsim_u64x8){0, 1, 2, 3, 4, 5, 6, 7}))
  for (size_t g = 0; g < j->ngroups; g++) {
    size_t at = TSIM_LANES * g;
    __m512i th0 = _mm512_loadu_si512(j->t0 + at), th1 = _mm512_loadu_si512(j->t1 + at);
    __m512i bits0 = _mm512_setzero_si512(), bits1 = _mm512_setzero_si512(), bit = one;
    for (uint32_t it = j->iters[g]; it > 0; it--) {
      tsim_u64x8 out;
      TSIM_XOSHIRO256PP_STEP(tsim_u64x8, s, out);
      __m512i k = (__m512i)(out >> 11);
      bits0 = _mm512_mask_or_epi64(bits0, _mm512_cmplt_epi64_mask(k, th0), bits0, bit);
      bits1 = _mm512_mask_or_epi64(bits1, _mm512_cmplt_epi64_mask(k, th1), bits1, bit);
      bit = _mm512_add_epi64(bit, bit);
    }
    __m512i m1 = _mm512_loadu_si512(j->m1 + at), m = _mm512_loadu_si512(j->m + at);
    __m512i below1 = _mm512_sub_epi64(_mm512_sllv_epi64(one, m1), one), below = _mm512_sub_epi64(_mm512_sllv_epi64(one, m), one);
    __m512i p0 = _mm512_popcnt_epi64(_mm512_and_si512(bits0, below1)), a0 = _mm512_popcnt_epi64(_mm512_and_si512(bits0, below));
    __m512i p1 = _mm512_popcnt_epi64(_mm512_and_si512(bits1, below1)), a1 = _mm512_popcnt_epi64(_mm512_and_si512(bits1, below));
    _mm256_storeu_si256((__m256i *)(void *)(j->pp[0] + at), _mm512_cvtepi64_epi32(p0));
    _mm256_storeu_si256((__m256i *)(void *)(j->dev[0] + at), _mm512_cvtepi64_epi32(_mm512_sub_epi64(a0, p0)));
    _mm256_storeu_si256((__m256i *)(void *)(j->pp[1] + at), _mm512_cvtepi64_epi32(p1));
    _mm256_storeu_si256((__m256i *)(void *)(j->dev[1] + at), _mm512_cvtepi64_epi32(_mm512_sub_epi64(a1, p1)));
  }
}
#endif
