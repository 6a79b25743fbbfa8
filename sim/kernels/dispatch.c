/* dispatch.c - the one table of the stages' variants (kernels.h), and the one function that
 * fills it: for each target, the widest variant of each stage that target can run. */
#include "kernels/variants.h"

int tsim_kernels_for(tsim_isa isa, tsim_kernel_table *t) {
  tsim_kernel_table k = {
      .isa = isa,
      .avx512 = 0,
      .draws = tsim__draws_generic,
      .site_normals = tsim__site_normals_scalar,
      .p_eff_rows = tsim__p_eff_rows_generic,
      .p_eff_flat = tsim__p_eff_flat_generic,
      .split_blocks = tsim__split_blocks_scalar,
      .missing_small = tsim__missing_small_scalar,
      .lanes = tsim__lanes_generic,
      .block_eval = tsim__block_eval_generic,
      .block_add = tsim__block_add_generic,
      .t_lanes = tsim__t_lanes_generic,
      .exp1 = tsim__exp1_generic,
  };
  /* A target this processor lacks is never filled in, whatever is asked (tsim_isa_pick never
   * chooses one: it is the widest the processor has, or narrower). */
  if ((int)isa > (int)tsim_isa_best()) return -1;
#if TSIM_ISA_TARGETS
  if (isa >= TSIM_ISA_AVX2) {
    k.draws = tsim__draws_avx2;
    k.p_eff_rows = tsim__p_eff_rows_avx2;
    k.lanes = tsim__lanes_avx2;
    k.t_lanes = tsim__t_lanes_avx2;
    k.exp1 = tsim__exp1_avx2;
  }
  if (isa >= TSIM_ISA_AVX512) {
    k.draws = tsim__draws_avx512;
    k.p_eff_rows = tsim__p_eff_rows_avx512;
    k.lanes = tsim__lanes_avx512;
    k.block_eval = tsim__block_eval_avx512;
    k.block_add = tsim__block_add_avx512;
    k.t_lanes = tsim__t_lanes_avx512;
    k.exp1 = tsim__exp1_avx512;
  }
  if (isa >= TSIM_ISA_AVX512POPCNT) k.lanes = tsim__lanes_avx512popcnt;
#endif
#if TSIM_AVX512_KERNELS
  /* The intrinsic variants: with AVX-512 as a target (above), or as the build's own set (a
   * build for it: -march=native), where the generic bodies already are AVX-512. */
  if (isa >= TSIM_ISA_AVX512 || !TSIM_ISA_TARGETS) {
    k.avx512 = 1;
    k.site_normals = tsim__site_normals_avx512;
    k.p_eff_flat = tsim__p_eff_flat_avx512;
    k.split_blocks = tsim__split_blocks_avx512;
    k.missing_small = tsim__missing_small_avx512;
  }
#endif
  *t = k;
  return 0;
}

tsim_kernel_table tsim__kernel_table;

/* Chosen once, when the program starts (before main: no thread yet, and every stage and the
 * report see the same table whatever the environment does later). tsim_isa_pick's target is
 * one this processor has, so the table is always filled. */
__attribute__((constructor)) static void kernels_at_start(void) {
  if (tsim_kernels_for(tsim_isa_pick(), &tsim__kernel_table) != 0) tsim_kernels_for(TSIM_ISA_GENERIC, &tsim__kernel_table);
}

void tsim_rng_draws(uint64_t key, uint64_t first, size_t n, uint64_t *out) { tsim_kernels()->draws(key, first, n, out); }
