/* expdev.c - Exp(1) deviates from words' bits (kernels.h's exp1): out[i] = tsim_exp1_of(w[i])
 * (core/fastlog.h), W at a time, the rest one by one. */
#include <string.h>

#include "core/fastlog.h"
#include "kernels/variants.h"

typedef double f64x4 __attribute__((vector_size(32)));
typedef int64_t s64x4 __attribute__((vector_size(32)));
typedef double f64x8 __attribute__((vector_size(64)));
typedef int64_t s64x8 __attribute__((vector_size(64)));

#define EXP1_BODY(VF, VS, W)                                                                      \
  size_t i = 0;                                                                                   \
  for (; i + (W) <= n; i += (W)) {                                                                \
    VS j;                                                                                         \
    VF y;                                                                                         \
    memcpy(&j, w + i, sizeof j);                                                                  \
    TSIM_EXP1_LANES(VF, VS, j, y);                                                                \
    memcpy(out + i, &y, sizeof y);                                                                \
  }                                                                                               \
  for (; i < n; i++) out[i] = tsim_exp1_of(w[i]);

/* The reference: one at a time (the build's own instruction set). */
void tsim__exp1_generic(const uint64_t *w, size_t n, double *out) {
  for (size_t i = 0; i < n; i++) out[i] = tsim_exp1_of(w[i]);
}
#if TSIM_ISA_TARGETS
TSIM_TARGET_AVX512 void tsim__exp1_avx512(const uint64_t *w, size_t n, double *out) { EXP1_BODY(f64x8, s64x8, 8) }
TSIM_TARGET_AVX2 void tsim__exp1_avx2(const uint64_t *w, size_t n, double *out) { EXP1_BODY(f64x4, s64x4, 4) }
#endif
