/* cells.c - two stages of the cell sampler (model/cellsample.c): the two-arm block split of each
 * site's patients (split_blocks) and each small cell's dropouts and deviations (missing_small).
 * The scalar references first, then the AVX-512 versions - eight sites or sixteen cells at a
 * time, with the same tables, the same draws and the same arithmetic, so the same numbers: a
 * site's full blocks and partial block by a gather of its divmod entry and a permutation of
 * the partial block's threshold columns; a cell's (D, V) by a gather of its `fast` byte, with the
 * buckets that straddle two pairs decided one by one by tsim__dv_draw. */
#include "kernels/variants.h"

void tsim__split_blocks_scalar(const tsim_split_job *j) {
  size_t ns = j->nsites;
  for (size_t s = 0; s < ns; s++) {
    uint32_t dm = j->divmod[j->site_n[s]];
    unsigned full = dm >> 8, r = dm & 255, part0 = 0;
    uint64_t k = j->u[s] >> 11;
    for (int i = 0; i < j->part_n; i++) part0 += k >= j->part_col[i][r];
    j->cell_n[s] = full * j->b0 + part0;
    j->cell_n[ns + s] = full * j->b1 + (r - part0);
  }
}

int tsim__missing_small_scalar(const tsim_missing_job *j) {
  /* Locals: the stores to m and m1 (uint64_t) could otherwise alias the job's sizes. */
  const size_t ns = j->nsites, ncell = j->ncell;
  const uint32_t *cell_n = j->cell_n;
  const uint64_t *u = j->u;
  uint32_t *drop = j->drop, *dev = j->dev;
  uint64_t *m = j->m, *m1 = j->m1;
  for (size_t a = 0, cell = 0; cell < ncell; a++) {
    const uint8_t *fast = j->fast + ((a * (TSIM_DV_MAX_N + 1)) << TSIM_DV_FAST_BITS);
    for (size_t end = cell + ns; cell < end; cell++) { /* arm a's cells */
      unsigned n = cell_n[cell];
      if (n > TSIM_DV_MAX_N) return -1; /* give up: the caller's scalar loop runs every cell */
      unsigned e = fast[(n << TSIM_DV_FAST_BITS) + (u[cell] >> (64 - TSIM_DV_FAST_BITS))];
      if (__builtin_expect(e == TSIM_DV_SLOW, 0)) e = tsim__dv_draw(j, a, n, u[cell]);
      unsigned d = e & 15, v = e >> 4;
      drop[cell] = d;
      dev[cell] = v;
      m[cell] = n - d;
      m1[cell] = n - d - v;
    }
  }
  if (j->one_endpoint)
    for (size_t g = 0; g < j->ngroups; g++) {
      uint64_t most = 0;
      for (size_t cell = 8 * g; cell < 8 * g + 8 && cell < j->ncell; cell++) most = j->m[cell] > most ? j->m[cell] : most;
      j->iters[g] = (uint32_t)most;
    }
  return 0;
}

#if TSIM_AVX512_KERNELS
#include <immintrin.h>
/* At -O0 GCC's gather intrinsics are macros whose mask arguments convert with a change of
 * sign: not ours to fix, and -Werror builds must not stop on them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wconversion"

TSIM_AVX512_KERNEL void tsim__split_blocks_avx512(const tsim_split_job *j) {
  size_t ns = j->nsites;
  const uint64_t *u = j->u;
  const __m256i b0 = _mm256_set1_epi32((int)j->b0);
  const __m256i b1 = _mm256_set1_epi32((int)j->b1);
  const __m512i one = _mm512_set1_epi64(1);
  for (size_t s = 0; s < ns; s += 8) {
    __mmask8 k = ns - s >= 8 ? (__mmask8)0xff : (__mmask8)((1u << (ns - s)) - 1);
    __m256i sn = _mm256_maskz_loadu_epi32(k, j->site_n + s);
    __m256i dm = _mm256_mmask_i32gather_epi32(_mm256_setzero_si256(), k, sn, (const int *)j->divmod, 4);
    __m256i full = _mm256_srli_epi32(dm, 8), r = _mm256_and_si256(dm, _mm256_set1_epi32(255));
    __m512i r64 = _mm512_cvtepu32_epi64(r);
    __m512i kk = _mm512_srli_epi64(_mm512_maskz_loadu_epi64(k, u + s), 11), part0 = _mm512_setzero_si512();
    for (int i = 0; i < j->part_n; i++) {
      __m512i thr = _mm512_permutexvar_epi64(r64, _mm512_loadu_si512(j->part_col[i]));
      part0 = _mm512_mask_add_epi64(part0, _mm512_cmpge_epu64_mask(kk, thr), part0, one);
    }
    __m256i p0 = _mm512_cvtepi64_epi32(part0);
    __m256i n0 = _mm256_add_epi32(_mm256_mullo_epi32(full, b0), p0);
    __m256i n1 = _mm256_sub_epi32(_mm256_add_epi32(_mm256_mullo_epi32(full, b1), r), p0);
    _mm256_mask_storeu_epi32(j->cell_n + s, k, n0);
    _mm256_mask_storeu_epi32(j->cell_n + ns + s, k, n1);
  }
}

TSIM_AVX512_KERNEL int tsim__missing_small_avx512(const tsim_missing_job *j) {
  size_t ns = j->nsites, ncell = j->ncell, ngroups = j->ngroups;
  const uint8_t *fast = j->fast;
  const __m512i low = _mm512_set1_epi32(15), byte = _mm512_set1_epi32(255), most = _mm512_set1_epi32(TSIM_DV_MAX_N);
  for (size_t at = 0; at < ncell; at += 16) {
    __mmask16 k = ncell - at >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (ncell - at)) - 1);
    __m512i n = _mm512_maskz_loadu_epi32(k, j->cell_n + at);
    if (_mm512_mask_cmpgt_epu32_mask(k, n, most)) return -1; /* a cell of more than TSIM_DV_MAX_N */
    __m512i ulo = _mm512_maskz_loadu_epi64((__mmask8)k, j->u + at);
    __m512i uhi = _mm512_maskz_loadu_epi64((__mmask8)(k >> 8), j->u + at + 8);
    __m512i bucket = _mm512_inserti64x4(
        _mm512_castsi256_si512(_mm512_cvtepi64_epi32(_mm512_srli_epi64(ulo, 64 - TSIM_DV_FAST_BITS))),
        _mm512_cvtepi64_epi32(_mm512_srli_epi64(uhi, 64 - TSIM_DV_FAST_BITS)), 1);
    __m512i idx = _mm512_add_epi32(_mm512_add_epi32(_mm512_maskz_loadu_epi32(k, j->dv_base + at),
                                                    _mm512_slli_epi32(n, TSIM_DV_FAST_BITS)), bucket);
    /* Four bytes from each index (the tables go on after `fast`), the first of them kept. */
    __m512i e = _mm512_and_si512(_mm512_mask_i32gather_epi32(_mm512_setzero_si512(), k, idx, fast, 1), byte);
    __mmask16 slow = _mm512_mask_cmpeq_epi32_mask(k, e, _mm512_set1_epi32(TSIM_DV_SLOW));
    if (__builtin_expect(slow != 0, 0)) {
      uint32_t ev[16], nv[16];
      _mm512_storeu_si512(ev, e);
      _mm512_storeu_si512(nv, n);
      for (unsigned m = slow; m; m &= m - 1) {
        unsigned i = (unsigned)__builtin_ctz(m);
        ev[i] = tsim__dv_draw(j, (at + i) / ns, nv[i], j->u[at + i]);
      }
      e = _mm512_loadu_si512(ev);
    }
    __m512i d = _mm512_and_si512(e, low), v = _mm512_srli_epi32(e, 4);
    __m512i m = _mm512_sub_epi32(n, d), m1 = _mm512_sub_epi32(m, v);
    _mm512_mask_storeu_epi32(j->drop + at, k, d);
    _mm512_mask_storeu_epi32(j->dev + at, k, v);
    _mm512_mask_storeu_epi64(j->m + at, (__mmask8)k, _mm512_cvtepu32_epi64(_mm512_castsi512_si256(m)));
    _mm512_mask_storeu_epi64(j->m + at + 8, (__mmask8)(k >> 8), _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(m, 1)));
    _mm512_mask_storeu_epi64(j->m1 + at, (__mmask8)k, _mm512_cvtepu32_epi64(_mm512_castsi512_si256(m1)));
    _mm512_mask_storeu_epi64(j->m1 + at + 8, (__mmask8)(k >> 8), _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(m1, 1)));
    if (j->one_endpoint) { /* each group's largest cell (lanes masked off hold 0) */
      size_t g = at / 8;
      j->iters[g] = _mm512_mask_reduce_max_epu32(0x00ff, m);
      if (g + 1 < ngroups) j->iters[g + 1] = _mm512_mask_reduce_max_epu32(0xff00, m);
    }
  }
  return 0;
}
#pragma GCC diagnostic pop
#endif
