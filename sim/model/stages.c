/* stages.c - the stages of sampling a trial that the per-patient sampler (cohort.c), the cell
 * sampler (cellsample.c) and the latent model (latent.c) share: this trial's site effects and
 * anomalous sites, every cell's response probability under both hypotheses, and enrollment and
 * randomisation. Draw order rules: see cohort.c. */
#include "model/stages.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/fastexp.h"
#include "core/isa.h"
#include "core/rng.h"

const char *const tsim_hypothesis_names[] = {"alternative", "null", NULL};

static void (*p_eff_pick(void))(tsim_cohort *);
static int peff_flat_plan(tsim_cohort_plan *plan);
static int (*site_normals_pick(void))(tsim_cohort *, double);

/* Fisher-Yates shuffle of v[0..n). */
static void shuffle_ints(gsl_rng *r, int *v, long long n) {
  for (long long i = n - 1; i > 0; i--) {
    long long j = (long long)tsim_rng_below(r, (uint32_t)(i + 1));
    int t = v[i];
    v[i] = v[j];
    v[j] = t;
  }
}

/* tsim__cohort_sites' loop with AVX-512, eight sites at a time: site s's effect sd x for the
 * draws tsim_rng_normal_fast finishes, with the same arithmetic (gathers of the ziggurat's
 * tables), and c->site_big from them; the sites it cannot finish listed in c->scratch in order,
 * their number returned. */
#if TSIM_AVX512_KERNELS
#include <immintrin.h>
/* At -O0 GCC's gather intrinsics are macros whose mask arguments convert with a change of
 * sign: not ours to fix, and -Werror builds must not stop on them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wconversion"
TSIM_AVX512_KERNEL static int site_normals_avx512(tsim_cohort *c, double sd) {
  int ns = c->plan->sc->nsites, nslow = 0;
  const __m512i low7 = _mm512_set1_epi64(127), bit7 = _mm512_set1_epi64(128);
  const __m512d vsd = _mm512_set1_pd(sd), limit = _mm512_set1_pd(700.0);
  __mmask8 big = 0;
  for (int s = 0; s < ns; s += 8) { /* site_effect and draws have whole vectors */
    __mmask8 k = ns - s >= 8 ? (__mmask8)0xff : (__mmask8)((1u << (ns - s)) - 1);
    __m512i b = _mm512_loadu_si512(c->draws + s);
    __m512i j = _mm512_srli_epi64(b, 11), i = _mm512_and_si512(b, low7);
    __m512i kk = _mm512_i64gather_epi64(i, (const long long *)tsim__zig_k, 8);
    __mmask8 fast = _mm512_cmplt_epu64_mask(j, kk);
    __m512d x = _mm512_mul_pd(_mm512_cvtepi64_pd(j), _mm512_i64gather_pd(i, tsim__zig_w, 8));
    x = _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(x), _mm512_slli_epi64(_mm512_and_si512(b, bit7), 56)));
    __m512d eff = _mm512_maskz_mul_pd(fast & k, vsd, x);
    _mm512_storeu_pd(c->site_effect + s, eff); /* 0 past ns, as allocated */
    big |= (__mmask8)(~_mm512_cmp_pd_mask(_mm512_abs_pd(eff), limit, _CMP_LT_OQ) & k);
    for (unsigned m = (unsigned)(~fast & k) & 0xffu; m; m &= m - 1) c->scratch[nslow++] = s + __builtin_ctz(m);
  }
  c->site_big = big != 0;
  return nslow;
}
#pragma GCC diagnostic pop
#endif

/* Site effects, then each anomaly rule's sites. Site s's effect is the normal deviate of draw s
 * of the trial's SITES draws (the ziggurat's fast path, 97% of sites); a site the fast path
 * cannot finish, and the anomaly rules that pick sites at random, read the SITES stream, which
 * is seeded only then. Listed anomalies are the same in every trial and are marked once. */
void tsim__cohort_sites(tsim_cohort *c, uint64_t seed, long long trial) {
  const tsim_scenario *sc = c->plan->sc;
  gsl_rng *r = c->rng;
  int ns = sc->nsites, seeded = 0, big = 0;
  double sd = sc->heterogeneity_sd;
  tsim_rng_draws(tsim__rng_stream_key(seed, (uint64_t)trial, TSIM_DRAWS_SITES), 0, (size_t)ns, c->draws);
  /* Drawn even when the SD is 0, so turning heterogeneity on leaves anomalies unchanged. */
  /* The fast path (eight sites at a time with AVX-512), then the sites it leaves, in order. */
  int nslow = 0;
  if (c->plan->site_normals) {
    nslow = c->plan->site_normals(c, sd);
    big = c->site_big;
  } else {
    for (int s = 0; s < ns; s++) {
      double x;
      if (__builtin_expect(!tsim_rng_normal_fast(c->draws[s], &x), 0)) {
        c->scratch[nslow++] = s;
        continue;
      }
      c->site_effect[s] = sd * x;
      big |= !(fabs(c->site_effect[s]) < 700.0);
    }
  }
  for (int i = 0; i < nslow; i++) {
    int s = c->scratch[i];
    if (!seeded) tsim_rng_seed_stream(r, seed, (uint64_t)trial, TSIM_STREAM_SITES);
    seeded = 1;
    c->site_effect[s] = sd * tsim__rng_normal_slow(tsim_rng_state_of(r), c->draws[s]);
    big |= !(fabs(c->site_effect[s]) < 700.0);
  }
  c->site_big = big;
  if (c->anomalous_fixed) return;
  c->anomalous_fixed = 1;
  for (int k = 0; k < sc->nanomalies; k++) {
    const tsim_anomaly *an = &sc->anomalies[k];
    unsigned char *m = c->anomalous + (size_t)k * (size_t)ns;
    memset(m, 0, (size_t)ns);
    if (an->mode == TSIM_ANOM_LISTED) {
      for (int i = 0; i < an->nsites; i++) m[an->sites[i]] = 1;
      continue;
    }
    c->anomalous_fixed = 0; /* chosen again every trial */
    if (!seeded) tsim_rng_seed_stream(r, seed, (uint64_t)trial, TSIM_STREAM_SITES);
    seeded = 1;
    if (an->mode == TSIM_ANOM_RANDOM_COUNT) {
      /* Partial Fisher-Yates: the first k of a random permutation of the sites. */
      for (int s = 0; s < ns; s++) c->scratch[s] = s;
      for (int i = 0; i < an->random_count; i++) {
        int j = i + (int)tsim_rng_below(r, (uint32_t)(ns - i));
        int t = c->scratch[i];
        c->scratch[i] = c->scratch[j];
        c->scratch[j] = t;
        m[c->scratch[i]] = 1;
      }
    } else {
      for (int s = 0; s < ns; s++) m[s] = tsim_rng_uniform(r) < an->site_probability;
    }
  }
}

/* This trial's response probability for every (end point, site, arm) under both hypotheses,
 * and its Bernoulli threshold. Under the null twin every arm starts from the control arm's
 * probability at that site (the same number, so it is copied); anomalies then override both,
 * later rules overriding earlier ones. With heterogeneity the logistic
 * 1 / (1 + exp(-(logit pi + b))) is computed as 1 / (1 + inv_odds(pi) exp(-b)): one exp per
 * site and end point serves every arm. The exps and the arms' rows of sites go eight sites at
 * a time (tsim_exp8, tsim__threshold8: the same numbers as one at a time); a row's last vector
 * may spill past the row's end into rows written after it, or into the arrays' slack. Cells an
 * anomaly overrides are computed and then overwritten, which costs less than asking every cell
 * about every rule. */
static inline __attribute__((always_inline)) void p_eff_body(tsim_cohort *c) {
  const tsim_cohort_plan *plan = c->plan;
  const tsim_scenario *sc = plan->sc;
  int ns = sc->nsites, na = sc->narms, het = sc->heterogeneity_sd > 0, ctl = sc->control;
  size_t per_ep = (size_t)ns * (size_t)na, nv = ((size_t)ns + 7) / 8;
  double *p0 = c->p_eff[0], *p1 = c->p_eff[1];
  uint64_t *t0 = c->thr[0], *t1 = c->thr[1];
  for (int e = 0; e < sc->nendpoints; e++) {
    const double *pa = plan->p[TSIM_HYP_ALT][e], *io = plan->inv_odds[TSIM_HYP_ALT][e];
    /* b > 0 is a better site: exp(-b) for an efficacy end point, exp(+b) for a harmful one. */
    double sign = sc->endpoints[e].higher_is_better ? -1.0 : 1.0;
    size_t at = (size_t)e * per_ep;
    if (het) {
      for (size_t v = 0; v < nv; v++) {
        tsim_f64x8 x, f;
        memcpy(&x, c->site_effect + 8 * v, sizeof x);
        x *= sign;
        tsim_exp8(&x, &f);
        memcpy(c->site_f + 8 * v, &f, sizeof f);
      }
      for (int s = 0; c->site_big && s < ns; s++) /* tsim_exp's own answer where tsim_exp8's does not hold */
        if (!(fabs(sign * c->site_effect[s]) < 700.0)) c->site_f[s] = tsim_exp(sign * c->site_effect[s]);
    }
    for (int a = 0; a < na; a++) {
      size_t row = at + (size_t)a * (size_t)ns;
      double p = pa[a];
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
        memcpy(&f, c->site_f + 8 * v, sizeof f);
        q = 1.0 / (1.0 + io[a] * f);
        tsim__threshold8(&q, &t);
        memcpy(p0 + row + 8 * v, &q, sizeof q);
        memcpy(t0 + row + 8 * v, &t, sizeof t);
      }
    }
    size_t crow = at + (size_t)ctl * (size_t)ns;
    for (int a = 0; a < na; a++) /* the control's row, eight at a time (spilling as above) */
      for (size_t v = 0; v < nv; v++) {
        tsim_f64x8 q;
        tsim_s64x8 t;
        memcpy(&q, p0 + crow + 8 * v, sizeof q);
        memcpy(&t, t0 + crow + 8 * v, sizeof t);
        memcpy(p1 + at + (size_t)a * (size_t)ns + 8 * v, &q, sizeof q);
        memcpy(t1 + at + (size_t)a * (size_t)ns + 8 * v, &t, sizeof t);
      }
  }
  for (int k = 0; k < sc->nanomalies; k++) {
    const tsim_anomaly *an = &sc->anomalies[k];
    const unsigned char *m = c->anomalous + (size_t)k * (size_t)ns;
    if (isnan(an->response)) continue;
    uint64_t t = tsim__threshold(an->response);
    for (int e = 0; e < sc->nendpoints; e++) {
      if (an->endpoint >= 0 && an->endpoint != e) continue;
      size_t row = (size_t)e * per_ep + (size_t)an->arm * (size_t)ns;
      int listed = an->mode == TSIM_ANOM_LISTED, count = listed ? an->nsites : ns;
      for (int i = 0; i < count; i++) {
        int s = listed ? an->sites[i] : i;
        if (!m[s]) continue;
        p0[row + (size_t)s] = p1[row + (size_t)s] = an->response;
        t0[row + (size_t)s] = t1[row + (size_t)s] = t;
      }
    }
  }
}

static void p_eff_generic(tsim_cohort *c) { p_eff_body(c); }
#if TSIM_ISA_TARGETS
TSIM_TARGET_AVX512 static void p_eff_avx512(tsim_cohort *c) { p_eff_body(c); }
TSIM_TARGET_AVX2 static void p_eff_avx2(tsim_cohort *c) { p_eff_body(c); }
#endif

static void (*p_eff_pick(void))(tsim_cohort *) {
#if TSIM_ISA_TARGETS
  switch (tsim_isa_pick()) {
    case TSIM_ISA_AVX512POPCNT:
    case TSIM_ISA_AVX512: return p_eff_avx512;
    case TSIM_ISA_AVX2: return p_eff_avx2;
    default: break;
  }
#endif
  return p_eff_generic;
}

void tsim__cohort_p_eff(tsim_cohort *c) { c->plan->p_eff(c); }

/* ---- the probabilities in the cell table's order, with AVX-512 ------------------------------
 * p_eff_body goes row by row (end point, arm), a row's last vector spilling into the next row,
 * and then writes the null twin's rows and the anomalies' cells over rows it has written: the
 * next stages' vector loads of eight cells (the lanes' thresholds) span several of those
 * stores, and a load the store buffer cannot forward waits until they reach the cache. When
 * every end point's sites fit one table of 16 (nendpoints x nsites <= 16), heterogeneity is on
 * and every anomaly that forces a response lists its sites, p_eff_flat_avx512 computes the
 * same numbers eight cells at a time in the cell table's order, each cell written once: the
 * table's exps exp(-+ b) (entry e nsites + s) by tsim_exp8, a cell's by a permutation of
 * them; the alternative's 1 / (1 + inv_odds f); the null twin's cells by a permutation of the
 * control arm's probabilities at each (end point, site), which is what p_eff_body copies; and
 * the cells whose probability is fixed - an arm's base probability 0 or 1, an anomaly (the
 * last rule covering the cell) - blended in from tables made once per plan. A trial with a site
 * effect beyond tsim_exp8's range (c->site_big) takes p_eff_body. Without AVX-512, or for other
 * scenarios, p_eff_body runs. */
typedef struct tsim_peff_group {
  int64_t fidx[8];      /* each cell's table entry, e nsites + s (0 past the cells) */
  double io[8];         /* inv_odds of the cell's arm under the alternative (1 past the cells) */
  double fix_p[2][8];   /* by hypothesis: the fixed probability where fix has the cell's bit */
  int64_t fix_t[2][8];  /* its threshold */
  uint8_t fix[2];       /* by hypothesis: the cells with a fixed probability */
} tsim_peff_group;

struct tsim_peff_flat {
  int64_t tab_site[16]; /* table entry j = e nsites + s: site s (0 past the entries) */
  double tab_sign[16];  /* p_eff_body's sign of end point e: -1 efficacy, +1 harmful */
  double tab_io[16];    /* end point e's control inv_odds (the null twin's, at every arm) */
  size_t ngroups;
  tsim_peff_group g[];  /* [ncells rounded up to 8, / 8] */
};

#if TSIM_AVX512_KERNELS
/* p_eff_body's numbers in the cell table's order (above). */
TSIM_AVX512_KERNEL static void p_eff_flat_avx512(tsim_cohort *c) {
  const struct tsim_peff_flat *pf = c->plan->peff_flat;
  if (__builtin_expect(c->site_big, 0)) {
    p_eff_body(c);
    return;
  }
  const __m512d e0 = _mm512_loadu_pd(c->site_effect), e1 = _mm512_loadu_pd(c->site_effect + 8);
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
    _mm512_storeu_pd(c->p_eff[0] + 8 * g, q0);
    _mm512_storeu_si512(c->thr[0] + 8 * g, t0);
    _mm512_storeu_pd(c->p_eff[1] + 8 * g, q1);
    _mm512_storeu_si512(c->thr[1] + 8 * g, t1);
  }
}
#endif

/* Sets plan->peff_flat and plan->p_eff when the kernel applies: 0, or -1 when out of memory. */
static int peff_flat_plan(tsim_cohort_plan *plan) {
  const tsim_scenario *sc = plan->sc;
  int ns = sc->nsites, na = sc->narms, ne = sc->nendpoints, ctl = sc->control;
  plan->peff_flat = NULL;
#if TSIM_AVX512_KERNELS
  if (!tsim_isa_avx512() || sc->latent || !(sc->heterogeneity_sd > 0) || ne * ns > 16) return 0;
  for (int k = 0; k < sc->nanomalies; k++)
    if (!isnan(sc->anomalies[k].response) && sc->anomalies[k].mode != TSIM_ANOM_LISTED) return 0;
  size_t per_ep = (size_t)ns * (size_t)na, ncells = per_ep * (size_t)ne;
  size_t ngroups = tsim__ncells_padded(ncells) / 8;
  /* Whole cache lines of its own: a line shared with memory another thread writes would be
   * taken from this thread at every trial (false sharing; 2 threads ran at 0.75x one thread's
   * rate). */
  size_t bytes = (sizeof(struct tsim_peff_flat) + ngroups * sizeof(tsim_peff_group) + 63) / 64 * 64;
  struct tsim_peff_flat *pf = aligned_alloc(64, bytes);
  if (!pf) return -1;
  memset(pf, 0, bytes);
  pf->ngroups = ngroups;
  for (int j = 0; j < 16; j++) {
    int in = j < ne * ns, e = in ? j / ns : 0;
    pf->tab_site[j] = in ? j % ns : 0;
    pf->tab_sign[j] = !in || !sc->endpoints[e].higher_is_better ? 1.0 : -1.0;
    pf->tab_io[j] = in ? plan->inv_odds[TSIM_HYP_ALT][e][ctl] : 1.0;
  }
  for (size_t i = 0; i < 8 * ngroups; i++) pf->g[i / 8].io[i % 8] = 1.0;
  for (size_t i = 0; i < ncells; i++) {
    tsim_peff_group *g = &pf->g[i / 8];
    int e = (int)(i / per_ep), a = (int)(i % per_ep) / ns, s = (int)(i % per_ep) % ns, l = (int)(i % 8);
    g->fidx[l] = e * ns + s;
    g->io[l] = plan->inv_odds[TSIM_HYP_ALT][e][a];
    for (int h = 0; h < 2; h++) {
      double p = plan->p[h][e][a];
      if (p > 0 && p < 1) continue;
      g->fix[h] |= (uint8_t)(1u << l);
      g->fix_p[h][l] = p;
      g->fix_t[h][l] = (int64_t)tsim__threshold(p);
    }
  }
  for (int k = 0; k < sc->nanomalies; k++) { /* in order: a later rule overrides */
    const tsim_anomaly *an = &sc->anomalies[k];
    if (isnan(an->response)) continue;
    for (int e = 0; e < ne; e++) {
      if (an->endpoint >= 0 && an->endpoint != e) continue;
      for (int i = 0; i < an->nsites; i++) {
        size_t cell = (size_t)e * per_ep + (size_t)an->arm * (size_t)ns + (size_t)an->sites[i];
        tsim_peff_group *g = &pf->g[cell / 8];
        for (int h = 0; h < 2; h++) {
          g->fix[h] |= (uint8_t)(1u << (cell % 8));
          g->fix_p[h][cell % 8] = an->response;
          g->fix_t[h][cell % 8] = (int64_t)tsim__threshold(an->response);
        }
      }
    }
  }
  plan->peff_flat = pf;
  plan->p_eff = p_eff_flat_avx512;
#else
  (void)ns, (void)na, (void)ne, (void)ctl;
#endif
  return 0;
}

static int (*site_normals_pick(void))(tsim_cohort *, double) {
#if TSIM_AVX512_KERNELS
  if (tsim_isa_avx512()) return site_normals_avx512;
#endif
  return NULL;
}

static void enroll_sites(tsim_cohort *c) {
  const tsim_scenario *sc = c->plan->sc;
  gsl_rng *r = c->rng;
  long long n = c->n;
  if (sc->nsites == 1) {
    memset(c->site, 0, (size_t)n * sizeof *c->site);
  } else if (sc->enrollment == TSIM_ENROLL_RANDOM) {
    /* Walker's alias method, exactly as gsl_ran_discrete does it (same uniform, same table),
     * without its two indirect calls per patient. */
    const gsl_ran_discrete_t *g = c->plan->site_table;
    for (long long j = 0; j < n; j++) {
      double u = tsim_rng_uniform(r);
      size_t k = (size_t)(u * (double)g->K);
      double f = g->F[k];
      c->site[j] = (uint16_t)(f == 1.0 || u < f ? k : g->A[k]);
    }
  } else {
    /* Balanced: sizes as equal as possible (remainders to the first sites), random order. */
    for (long long j = 0; j < n; j++) c->scratch[j] = (int)(j % sc->nsites);
    shuffle_ints(r, c->scratch, n);
    for (long long j = 0; j < n; j++) c->site[j] = (uint16_t)c->scratch[j];
  }
}

/* Assigns arms to the patients listed in idx[0..m) (enrollment order) by permuted blocks; the
 * last block is cut short where the patients run out, as it is in a real trial. */
static void assign_blocks(tsim_cohort *c, const int *idx, long long m, int *buf) {
  const tsim_scenario *sc = c->plan->sc;
  int bs = sc->block_size;
  for (long long j = 0; j < m; j++) {
    if (j % bs == 0) {
      memcpy(buf, c->plan->block, (size_t)bs * sizeof *buf);
      shuffle_ints(c->rng, buf, bs);
    }
    c->arm[idx[j]] = (uint8_t)buf[j % bs];
  }
}

static void randomize_blocks(tsim_cohort *c, int *buf) {
  const tsim_scenario *sc = c->plan->sc;
  long long n = c->n;
  if (!sc->stratify_by_site) {
    for (long long j = 0; j < n; j++) c->scratch[j] = (int)j;
    assign_blocks(c, c->scratch, n, buf);
    return;
  }
  /* Group patients by site, keeping enrollment order within a site (counting sort). */
  int ns = sc->nsites;
  memset(c->site_start, 0, ((size_t)ns + 1) * sizeof *c->site_start);
  for (long long j = 0; j < n; j++) c->site_start[c->site[j] + 1]++;
  for (int s = 0; s < ns; s++) c->site_start[s + 1] += c->site_start[s];
  for (long long j = 0; j < n; j++) c->scratch[c->site_start[c->site[j]]++] = (int)j;
  for (int s = ns; s > 0; s--) c->site_start[s] = c->site_start[s - 1];
  c->site_start[0] = 0;
  for (int s = 0; s < ns; s++)
    assign_blocks(c, c->scratch + c->site_start[s], c->site_start[s + 1] - c->site_start[s], buf);
}

static void randomize(tsim_cohort *c);

void tsim__cohort_enroll(tsim_cohort *c) {
  enroll_sites(c);
  randomize(c);
}

static void randomize(tsim_cohort *c) {
  const tsim_cohort_plan *plan = c->plan;
  const tsim_scenario *sc = plan->sc;
  gsl_rng *r = c->rng;
  long long n = c->n;
  if (sc->rand_method == TSIM_RAND_FIXED) {
    long long j = 0;
    for (int a = 0; a < sc->narms; a++)
      for (long long k = 0; k < plan->arm_count[a]; k++) c->scratch[j++] = a;
    shuffle_ints(r, c->scratch, n);
    for (j = 0; j < n; j++) c->arm[j] = (uint8_t)c->scratch[j];
  } else if (sc->rand_method == TSIM_RAND_SIMPLE) {
    for (long long j = 0; j < n; j++) {
      double u = tsim_rng_uniform(r);
      int a = 0;
      while (u >= plan->arm_cum[a] && a < sc->narms - 1) a++;
      c->arm[j] = (uint8_t)a;
    }
  } else {
    int buf[TSIM_MAX_BLOCK];
    randomize_blocks(c, buf);
  }
}

/* The plan's choices of the stages' vector variants and their tables: 0, or -1 when out of
 * memory. */
int tsim__stages_plan(tsim_cohort_plan *plan) {
  plan->p_eff = p_eff_pick();
  if (peff_flat_plan(plan) != 0) return -1;
  plan->site_normals = site_normals_pick();
  return 0;
}
