/* peff.c - the site effects' fast path and every cell's response probability (model/stages.c's
 * tsim__cohort_sites and tsim__cohort_p_eff): each stage's reference first, then its variants. */
#include <math.h>
#include <string.h>

#include "core/rng.h"
#include "kernels/variants.h"

/* ---- site normals ---------------------------------------------------------------------------
 * Site s's effect is sd times the normal deviate of draw s, where the ziggurat's fast path
 * finishes it (97% of sites); the others are listed, in order, for the caller to finish from the
 * SITES stream. */
int tsim__site_normals_scalar(const uint64_t *draws, int nsites, double sd, double *site_effect, int *slow,
                              int *big) {
  int nslow = 0, b = 0;
  for (int s = 0; s < nsites; s++) {
    double x;
    if (__builtin_expect(!tsim_rng_normal_fast(draws[s], &x), 0)) {
      slow[nslow++] = s;
      continue;
    }
    site_effect[s] = sd * x;
    b |= !(fabs(site_effect[s]) < 700.0);
  }
  *big = b;
  return nslow;
}

#if TSIM_AVX512_KERNELS
#include <immintrin.h>
/* At -O0 GCC's gather intrinsics are macros whose mask arguments convert with a change of
 * sign: not ours to fix, and -Werror builds must not stop on them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wconversion"
/* Eight sites at a time, with the same arithmetic (gathers of the ziggurat's tables); writes
 * whole vectors of site_effect (0 past nsites and at the sites it leaves). */
TSIM_AVX512_KERNEL int tsim__site_normals_avx512(const uint64_t *draws, int nsites, double sd, double *site_effect,
                                                 int *slow, int *bigp) {
  int ns = nsites, nslow = 0;
  const __m512i low7 = _mm512_set1_epi64(127), bit7 = _mm512_set1_epi64(128);
  const __m512d vsd = _mm512_set1_pd(sd), limit = _mm512_set1_pd(700.0);
  __mmask8 big = 0;
  for (int s = 0; s < ns; s += 8) { /* site_effect and draws have whole vectors */
    __mmask8 k = ns - s >= 8 ? (__mmask8)0xff : (__mmask8)((1u << (ns - s)) - 1);
    __m512i b = _mm512_loadu_si512(draws + s);
    __m512i j = _mm512_srli_epi64(b, 11), i = _mm512_and_si512(b, low7);
    __m512i kk = _mm512_i64gather_epi64(i, (const long long *)tsim__zig_k, 8);
    __mmask8 fast = _mm512_cmplt_epu64_mask(j, kk);
    __m512d x = _mm512_mul_pd(_mm512_cvtepi64_pd(j), _mm512_i64gather_pd(i, tsim__zig_w, 8));
    x = _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(x), _mm512_slli_epi64(_mm512_and_si512(b, bit7), 56)));
    __m512d eff = _mm512_maskz_mul_pd(fast & k, vsd, x);
    _mm512_storeu_pd(site_effect + s, eff); /* 0 past ns, as allocated */
    big |= (__mmask8)(~_mm512_cmp_pd_mask(_mm512_abs_pd(eff), limit, _CMP_LT_OQ) & k);
    for (unsigned m = (unsigned)(~fast & k) & 0xffu; m; m &= m - 1) slow[nslow++] = s + __builtin_ctz(m);
  }
  *bigp = big != 0;
  return nslow;
}
#pragma GCC diagnostic pop
#endif

/* ---- the probabilities, row by row ----------------------------------------------------------
 * Under the null twin every arm starts from the control arm's probability at that site (the same
 * number, so it is copied). With heterogeneity the logistic 1 / (1 + exp(-(logit pi + b))) is
 * computed as 1 / (1 + inv_odds(pi) exp(-b)): one exp per site and end point serves every arm.
 * The exps and the arms' rows of sites go eight sites at a time (tsim_exp8, tsim__threshold8:
 * the same numbers as one at a time); a row's last vector may spill past the row's end into
 * rows written after it, or into the arrays' slack. The anomalies are the caller's (they are
 * the same scalar stores on every target). A macro-free always-inline body, compiled by each
 * target below at its own width. */
static inline __attribute__((always_inline)) void p_eff_rows_body(const tsim_peff_rows *a) {
  int ns = a->nsites, na = a->narms, het = a->het, ctl = a->control;
  size_t per_ep = (size_t)ns * (size_t)na, nv = ((size_t)ns + 7) / 8;
  double *p0 = a->p_eff[0], *p1 = a->p_eff[1];
  uint64_t *t0 = a->thr[0], *t1 = a->thr[1];
  double *site_f = a->site_f;
  const double *site_effect = a->site_effect;
  for (int e = 0; e < a->nendpoints; e++) {
    const double *pa = a->p + (size_t)e * a->stride, *io = a->inv_odds + (size_t)e * a->stride;
    /* b > 0 is a better site: exp(-b) for an efficacy end point, exp(+b) for a harmful one. */
    double sign = a->sign[e];
    size_t at = (size_t)e * per_ep;
    if (het) {
      for (size_t v = 0; v < nv; v++) {
        tsim_f64x8 x, f;
        memcpy(&x, site_effect + 8 * v, sizeof x);
        x *= sign;
        tsim_exp8(&x, &f);
        memcpy(site_f + 8 * v, &f, sizeof f);
      }
      for (int s = 0; a->site_big && s < ns; s++) /* tsim_exp's own answer where tsim_exp8's does not hold */
        if (!(fabs(sign * site_effect[s]) < 700.0)) site_f[s] = tsim_exp(sign * site_effect[s]);
    }
    for (int r = 0; r < na; r++) {
      size_t row = at + (size_t)r * (size_t)ns;
      double p = pa[r];
      if (!het || !(p > 0 && p < 1)) {
        uint64_t t = tsim__threshold(p);
        for (int s = 0; s < ns; s++) {
          p0[row + (size_t)s] = p;
          t0[row + (size_t)s] = t;
        }
        continue;
      }
      for (size_t v = 0; v < nv; v++) {
        tsim_f64x8 f, q;
        tsim_s64x8 t;
        memcpy(&f, site_f + 8 * v, sizeof f);
        q = 1.0 / (1.0 + io[r] * f);
        tsim__threshold8(&q, &t);
        memcpy(p0 + row + 8 * v, &q, sizeof q);
        memcpy(t0 + row + 8 * v, &t, sizeof t);
      }
    }
    size_t crow = at + (size_t)ctl * (size_t)ns;
    for (int r = 0; r < na; r++) /* the control's row, eight at a time (spilling as above) */
      for (size_t v = 0; v < nv; v++) {
        tsim_f64x8 q;
        tsim_s64x8 t;
        memcpy(&q, p0 + crow + 8 * v, sizeof q);
        memcpy(&t, t0 + crow + 8 * v, sizeof t);
        memcpy(p1 + at + (size_t)r * (size_t)ns + 8 * v, &q, sizeof q);
        memcpy(t1 + at + (size_t)r * (size_t)ns + 8 * v, &t, sizeof t);
      }
  }
}

void tsim__p_eff_rows_generic(const tsim_peff_rows *a) { p_eff_rows_body(a); }
#if TSIM_ISA_TARGETS
TSIM_TARGET_AVX512 void tsim__p_eff_rows_avx512(const tsim_peff_rows *a) { p_eff_rows_body(a); }
TSIM_TARGET_AVX2 void tsim__p_eff_rows_avx2(const tsim_peff_rows *a) { p_eff_rows_body(a); }
#endif

/* ---- the probabilities in the cell table's order ----------------------------------------------
 * p_eff_rows goes row by row (end point, arm), a row's last vector spilling into the next row,
 * and then writes the null twin's rows and the anomalies' cells over rows it has written: the
 * next stages' vector loads of eight cells (the lanes' thresholds) span several of those
 * stores, and a load the store buffer cannot forward waits until they reach the cache. When
 * every end point's sites fit one table of 16 (nendpoints x nsites <= 16), p_eff_flat computes
 * the same numbers eight cells at a time in the cell table's order, each cell written once: the
 * table's exps exp(-+ b) (entry e nsites + s) by tsim_exp8, a cell's by a permutation of them;
 * the alternative's 1 / (1 + inv_odds f); the null twin's cells by a permutation of the control
 * arm's probabilities at each (end point, site), which is what p_eff_rows copies; and the cells
 * whose probability is fixed - an arm's base probability 0 or 1, an anomaly (the last rule
 * covering the cell) - blended in from the plan's tables. The caller takes p_eff_rows for a trial
 * with a site effect beyond tsim_exp8's range. The reference does each step lane by lane. */
void tsim__p_eff_flat_generic(const tsim_peff_flat *pf, const double *site_effect, double *p_eff[2], uint64_t *thr[2]) {
  double f[16], qc[16];
  int64_t tc[16];
  for (int v = 0; v < 2; v++) {
    tsim_f64x8 x, y, q;
    tsim_s64x8 t;
    for (int l = 0; l < 8; l++) x[l] = site_effect[pf->tab_site[8 * v + l]] * pf->tab_sign[8 * v + l];
    tsim_exp8(&x, &y);
    for (int l = 0; l < 8; l++) q[l] = 1.0 / (1.0 + pf->tab_io[8 * v + l] * y[l]);
    tsim__threshold8(&q, &t);
    for (int l = 0; l < 8; l++) {
      f[8 * v + l] = y[l];
      qc[8 * v + l] = q[l];
      tc[8 * v + l] = t[l];
    }
  }
  for (size_t g = 0; g < pf->ngroups; g++) {
    const tsim_peff_group *gr = &pf->g[g];
    tsim_f64x8 q;
    tsim_s64x8 t;
    for (int l = 0; l < 8; l++) q[l] = 1.0 / (1.0 + gr->io[l] * f[gr->fidx[l]]);
    tsim__threshold8(&q, &t);
    for (int l = 0; l < 8; l++) {
      size_t i = 8 * g + (size_t)l;
      int fix0 = gr->fix[0] >> l & 1, fix1 = gr->fix[1] >> l & 1;
      p_eff[0][i] = fix0 ? gr->fix_p[0][l] : q[l];
      thr[0][i] = (uint64_t)(fix0 ? gr->fix_t[0][l] : t[l]);
      p_eff[1][i] = fix1 ? gr->fix_p[1][l] : qc[gr->fidx[l]];
      thr[1][i] = (uint64_t)(fix1 ? gr->fix_t[1][l] : tc[gr->fidx[l]]);
    }
  }
}

#if TSIM_AVX512_KERNELS
TSIM_AVX512_KERNEL void tsim__p_eff_flat_avx512(const tsim_peff_flat *pf, const double *site_effect, double *p_eff[2],
                                                uint64_t *thr[2]) {
  const __m512d e0 = _mm512_loadu_pd(site_effect), e1 = _mm512_loadu_pd(site_effect + 8);
  __m512d f[2], qc[2];
  __m512i tc[2];
  for (int v = 0; v < 2; v++) {
    __m512i site = _mm512_loadu_si512(pf->tab_site + 8 * v);
    tsim_f64x8 x = (tsim_f64x8)_mm512_mul_pd(_mm512_permutex2var_pd(e0, site, e1), _mm512_loadu_pd(pf->tab_sign + 8 * v));
    tsim_f64x8 y, q;
    tsim_s64x8 t;
    tsim_exp8(&x, &y);
    f[v] = (__m512d)y;
    q = 1.0 / (1.0 + (tsim_f64x8)_mm512_loadu_pd(pf->tab_io + 8 * v) * y);
    tsim__threshold8(&q, &t);
    qc[v] = (__m512d)q;
    tc[v] = (__m512i)t;
  }
  for (size_t g = 0; g < pf->ngroups; g++) {
    const tsim_peff_group *gr = &pf->g[g];
    __m512i fidx = _mm512_loadu_si512(gr->fidx);
    tsim_f64x8 fv = (tsim_f64x8)_mm512_permutex2var_pd(f[0], fidx, f[1]), q;
    tsim_s64x8 t;
    q = 1.0 / (1.0 + (tsim_f64x8)_mm512_loadu_pd(gr->io) * fv);
    tsim__threshold8(&q, &t);
    __m512d q0 = _mm512_mask_blend_pd(gr->fix[0], (__m512d)q, _mm512_loadu_pd(gr->fix_p[0]));
    __m512i t0 = _mm512_mask_blend_epi64(gr->fix[0], (__m512i)t, _mm512_loadu_si512(gr->fix_t[0]));
    __m512d q1 = _mm512_mask_blend_pd(gr->fix[1], _mm512_permutex2var_pd(qc[0], fidx, qc[1]), _mm512_loadu_pd(gr->fix_p[1]));
    __m512i t1 = _mm512_mask_blend_epi64(gr->fix[1], _mm512_permutex2var_epi64(tc[0], fidx, tc[1]),
                                         _mm512_loadu_si512(gr->fix_t[1]));
    _mm512_storeu_pd(p_eff[0] + 8 * g, q0);
    _mm512_storeu_si512(thr[0] + 8 * g, t0);
    _mm512_storeu_pd(p_eff[1] + 8 * g, q1);
    _mm512_storeu_si512(thr[1] + 8 * g, t1);
  }
}
#endif
