/* variants.h - every stage's variants by name, for dispatch.c alone (internal to kernels/).
 * The _avx2/_avx512/_avx512popcnt ones exist only where the build compiles them (isa.h:
 * TSIM_ISA_TARGETS for the generic-vector bodies, TSIM_AVX512_KERNELS for the intrinsics). */
#ifndef TSIM_KERNELS_VARIANTS_H
#define TSIM_KERNELS_VARIANTS_H

#include "kernels/kernels.h"

void tsim__draws_generic(uint64_t key, uint64_t first, size_t n, uint64_t *out);
void tsim__draws_avx2(uint64_t key, uint64_t first, size_t n, uint64_t *out);
void tsim__draws_avx512(uint64_t key, uint64_t first, size_t n, uint64_t *out);
int tsim__site_normals_scalar(const uint64_t *draws, int nsites, double sd, double *site_effect, int *slow, int *big);
int tsim__site_normals_avx512(const uint64_t *draws, int nsites, double sd, double *site_effect, int *slow, int *big);
void tsim__p_eff_rows_generic(const tsim_peff_rows *a);
void tsim__p_eff_rows_avx2(const tsim_peff_rows *a);
void tsim__p_eff_rows_avx512(const tsim_peff_rows *a);
void tsim__p_eff_flat_generic(const tsim_peff_flat *pf, const double *site_effect, double *p_eff[2], uint64_t *thr[2]);
void tsim__p_eff_flat_avx512(const tsim_peff_flat *pf, const double *site_effect, double *p_eff[2], uint64_t *thr[2]);
void tsim__split_blocks_scalar(const tsim_split_job *j);
void tsim__split_blocks_avx512(const tsim_split_job *j);
int tsim__missing_small_scalar(const tsim_missing_job *j);
int tsim__missing_small_avx512(const tsim_missing_job *j);
void tsim__lanes_generic(const tsim_lane_job *j);
void tsim__lanes_avx2(const tsim_lane_job *j);
void tsim__lanes_avx512(const tsim_lane_job *j);
void tsim__lanes_avx512popcnt(const tsim_lane_job *j);
void tsim__block_eval_generic(const tsim_block_consts *k, tsim_outcome_block *b);
void tsim__block_eval_avx512(const tsim_block_consts *k, tsim_outcome_block *b);
void tsim__block_add_generic(tsim_block_sums *a, const tsim_outcome_block *b);
void tsim__block_add_avx512(tsim_block_sums *a, const tsim_outcome_block *b);
void tsim__t_lanes_generic(tsim_t_lanes *j);
void tsim__t_lanes_avx2(tsim_t_lanes *j);
void tsim__t_lanes_avx512(tsim_t_lanes *j);
void tsim__exp1_generic(const uint64_t *w, size_t n, double *out);
void tsim__exp1_avx2(const uint64_t *w, size_t n, double *out);
void tsim__exp1_avx512(const uint64_t *w, size_t n, double *out);


#endif
