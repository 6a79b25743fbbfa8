/* draws.c - the counter-based draws (kernels.h's tsim_rng_draws): out[i] = splitmix64 output
 * first + i + 1 of key, W draws at a time. */
#include <string.h>

#include "core/rng.h"
#include "kernels/variants.h"

/* The loop, W draws at a time in GCC's generic vectors VU (lane numbers IDX). */
#define DRAWS_BODY(VU, W, IDX)                                                                    \
  for (size_t i = 0; i < n; i += (W)) {                                                           \
    VU z = key + ((IDX) + (first + i + 1)) * TSIM_GAMMA;                                          \
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;                                                  \
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;                                                  \
    z ^= z >> 31;                                                                                 \
    memcpy(out + i, &z, sizeof z);                                                                \
  }

typedef uint64_t u64x1 __attribute__((vector_size(8)));
typedef uint64_t u64x4 __attribute__((vector_size(32)));

/* The reference: the build's own instruction set (see lanes.c's tsim__lanes_generic). */
void tsim__draws_generic(uint64_t key, uint64_t first, size_t n, uint64_t *out) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  DRAWS_BODY(tsim_u64x8, 8, ((tsim_u64x8){0, 1, 2, 3, 4, 5, 6, 7}))
#elif defined(__AVX2__)
  DRAWS_BODY(u64x4, 4, ((u64x4){0, 1, 2, 3}))
#else
  DRAWS_BODY(u64x1, 1, ((u64x1){0}))
#endif
}
#if TSIM_ISA_TARGETS
TSIM_TARGET_AVX512 void tsim__draws_avx512(uint64_t key, uint64_t first, size_t n, uint64_t *out) {
  DRAWS_BODY(tsim_u64x8, 8, ((tsim_u64x8){0, 1, 2, 3, 4, 5, 6, 7}))
}
TSIM_TARGET_AVX2 void tsim__draws_avx2(uint64_t key, uint64_t first, size_t n, uint64_t *out) {
  DRAWS_BODY(u64x4, 4, ((u64x4){0, 1, 2, 3}))
}
#endif
