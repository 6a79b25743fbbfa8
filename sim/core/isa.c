/* isa.c - the choice of vector target (see isa.h). */
#include "core/isa.h"

#include <stdlib.h>
#include <string.h>

static const char *const names[] = {"generic", "avx2", "avx512", "avx512popcnt"};

const char *tsim_isa_name(tsim_isa isa) { return names[isa]; }

tsim_isa tsim_isa_best(void) {
  tsim_isa best = TSIM_ISA_GENERIC;
#if TSIM_ISA_TARGETS
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4"))
    best = __builtin_cpu_supports("avx512vpopcntdq") ? TSIM_ISA_AVX512POPCNT : TSIM_ISA_AVX512;
  else if (__builtin_cpu_supports("x86-64-v3")) best = TSIM_ISA_AVX2;
#endif
  return best;
}

static tsim_isa choose(void) {
  tsim_isa best = tsim_isa_best();
  const char *force = getenv("TSIM_VECTOR");
  for (int i = 0; force && i <= (int)best; i++)
    if (strcmp(force, names[i]) == 0) return (tsim_isa)i;
  return best;
}

/* The first call decides (kernels/dispatch.c's constructor makes it when the program starts,
 * before any thread), so that every kernel and the report agree whatever the environment does
 * later. */
tsim_isa tsim_isa_pick(void) {
  static int picked = -1;
  if (picked < 0) picked = (int)choose();
  return (tsim_isa)picked;
}
