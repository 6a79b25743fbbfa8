/* stages.c - the stages of sampling a trial that the per-patient sampler (cohort.c), the cell
 * sampler (cellsample.c) and the latent model (latent.c) share: this trial's site effects and
 * anomalous sites, every cell's response probability under both hypotheses, and enrollment and
 * randomisation. Draw order rules: see cohort.c. */
#include "model/stages.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/fastexp.h"
#include "core/rng.h"

const char *const tsim_hypothesis_names[] = {"alternative", "null", NULL};

static int peff_flat_plan(tsim_cohort_plan *plan);
static void null_rows(tsim_cohort *c);

/* Fisher-Yates shuffle of v[0..n) on the stream whose state is *st. The state is stepped in a
 * local copy: through a pointer, every store to v (or to a uint8_t array) could alias it, and
 * the compiler would store and reload it at every draw. */
static void shuffle_ints(tsim_rng_state *st, int *v, long long n) {
  tsim_rng_state s = *st;
  for (long long i = n - 1; i > 0; i--) {
    long long j = (long long)tsim_rng_below_st(&s, (uint32_t)(i + 1));
    int t = v[i];
    v[i] = v[j];
    v[j] = t;
  }
  *st = s;
}

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
  /* The fast path (the kernels' site_normals), then the sites it leaves, in order. */
  int nslow = tsim_kernels()->site_normals(c->draws, ns, sd, c->site_effect, c->scratch, &big);
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
 * and its Bernoulli threshold (the kernels' p_eff_rows, or p_eff_flat where the plan has its
 * tables); anomalies then override both, later rules overriding earlier ones. Cells an anomaly
 * overrides are computed and then overwritten, which costs less than asking every cell about
 * every rule. */
void tsim__cohort_p_eff(tsim_cohort *c) {
  const tsim_cohort_plan *plan = c->plan;
  const tsim_scenario *sc = plan->sc;
  const tsim_kernel_table *k = tsim_kernels();
  if (plan->peff_flat && __builtin_expect(!c->site_big, 1)) {
    k->p_eff_flat(plan->peff_flat, c->site_effect, c->p_eff, c->thr);
    return;
  }
  int ns = sc->nsites, na = sc->narms;
  size_t per_ep = (size_t)ns * (size_t)na;
  if (__builtin_expect(!c->peff_rows_ready, 0)) { /* its arrays are the workspace's and the plan's */
    c->peff_rows = (tsim_peff_rows){ns, na, sc->nendpoints, sc->control, sc->heterogeneity_sd > 0, 0,
                                    plan->ep_sign, &plan->p[TSIM_HYP_ALT][0][0],
                                    &plan->inv_odds[TSIM_HYP_ALT][0][0], TSIM_MAX_ARMS, c->site_effect,
                                    c->site_f, {c->p_eff[0], c->p_eff[1]}, {c->thr[0], c->thr[1]}};
    c->peff_rows_ready = 1;
  }
  c->peff_rows.site_big = c->site_big;
  k->p_eff_rows(&c->peff_rows);
  double *p0 = c->p_eff[0], *p1 = c->p_eff[1];
  uint64_t *t0 = c->thr[0], *t1 = c->thr[1];
  if (plan->any_null_moved) null_rows(c);
  for (int a = 0; a < sc->nanomalies; a++) {
    const tsim_anomaly *an = &sc->anomalies[a];
    const unsigned char *m = c->anomalous + (size_t)a * (size_t)ns;
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

/* The null twin's rows of the arms a margin moves (tsim_cohort_plan.null_moved), over the
 * control's copies p_eff_rows wrote: the arm's own null probability, with the site effect as
 * p_eff_rows applies it (1 / (1 + inv_odds exp(-+ b)), tsim_exp). Before the anomalies, which
 * override both hypotheses. */
static void null_rows(tsim_cohort *c) {
  const tsim_cohort_plan *plan = c->plan;
  const tsim_scenario *sc = plan->sc;
  int ns = sc->nsites, na = sc->narms, het = sc->heterogeneity_sd > 0;
  size_t per_ep = (size_t)ns * (size_t)na;
  for (int e = 0; e < sc->nendpoints; e++)
    for (int a = 0; a < na; a++) {
      if (!plan->null_moved[e][a]) continue;
      size_t row = (size_t)e * per_ep + (size_t)a * (size_t)ns;
      double p = plan->p[TSIM_HYP_NULL][e][a], io = plan->inv_odds[TSIM_HYP_NULL][e][a];
      for (int s = 0; s < ns; s++) {
        double q = p;
        if (het && p > 0 && p < 1) q = 1.0 / (1.0 + io * tsim_exp(plan->ep_sign[e] * c->site_effect[s]));
        c->p_eff[1][row + (size_t)s] = q;
        c->thr[1][row + (size_t)s] = tsim__threshold(q);
      }
    }
}

/* Sets plan->peff_flat, the tables of the kernels' p_eff_flat, where they apply and pay (the
 * table's AVX-512 variants): 0, or -1 when out of memory. */
static int peff_flat_plan(tsim_cohort_plan *plan) {
  const tsim_scenario *sc = plan->sc;
  int ns = sc->nsites, na = sc->narms, ne = sc->nendpoints, ctl = sc->control;
  plan->peff_flat = NULL;
  if (!tsim_kernels()->avx512 || sc->latent || !(sc->heterogeneity_sd > 0) || ne * ns > 16 || plan->any_null_moved)
    return 0;
  for (int k = 0; k < sc->nanomalies; k++)
    if (!isnan(sc->anomalies[k].response) && sc->anomalies[k].mode != TSIM_ANOM_LISTED) return 0;
  size_t per_ep = (size_t)ns * (size_t)na, ncells = per_ep * (size_t)ne;
  size_t ngroups = tsim__ncells_padded(ncells) / 8;
  /* Whole cache lines of its own: a line shared with memory another thread writes would be
   * taken from this thread at every trial (false sharing; 2 threads ran at 0.75x one thread's
   * rate). */
  size_t bytes = (sizeof(tsim_peff_flat) + ngroups * sizeof(tsim_peff_group) + 63) / 64 * 64;
  tsim_peff_flat *pf = aligned_alloc(64, bytes);
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
  return 0;
}

static void enroll_sites(tsim_cohort *c) {
  const tsim_scenario *sc = c->plan->sc;
  tsim_rng_state *st = tsim_rng_state_of(c->rng);
  long long n = c->n;
  if (sc->nsites == 1) {
    memset(c->site, 0, (size_t)n * sizeof *c->site);
  } else if (sc->enrollment == TSIM_ENROLL_RANDOM) {
    /* Walker's alias method, exactly as gsl_ran_discrete does it (same uniform, same table),
     * without its two indirect calls per patient. */
    const gsl_ran_discrete_t *g = c->plan->site_table;
    const double *F = g->F, K = (double)g->K;
    const size_t *A = g->A;
    uint16_t *site = c->site;
    tsim_rng_state s = *st; /* a local copy (see shuffle_ints) */
    /* Permuted blocks by site count each site's patients (randomize_blocks8): counted here,
     * where the site is in a register, instead of in a pass of their own. */
    long long *cnt = c->arm_grp && sc->rand_method == TSIM_RAND_BLOCK && sc->stratify_by_site ? c->site_start : NULL;
    if (cnt) {
      memset(cnt, 0, ((size_t)sc->nsites + 1) * sizeof *cnt);
      cnt++;
      c->site_counted = 1;
    }
#define ALIAS_SITE(j)                                                                                            \
  double u = (double)(tsim_rng_step(&s) >> 11) * 0x1.0p-53; /* tsim_rng_uniform */                              \
  size_t k = (size_t)(int64_t)(u * K); /* 0 <= u K < K: the signed conversion, one instruction */               \
  double f = F[k];                                                                                               \
  /* k where f == 1 or u < f, else its alias: selected without a branch, which would be                          \
   * mispredicted as often as the alias is taken. */                                                             \
  size_t alias = A[k], keep = (size_t)0 - (size_t)((f == 1.0) | (u < f)), sj = alias ^ ((alias ^ k) & keep);    \
  site[j] = (uint16_t)sj
    if (cnt) {
      for (long long j = 0; j < n; j++) {
        ALIAS_SITE(j);
        cnt[(uint16_t)sj]++;
      }
    } else {
      for (long long j = 0; j < n; j++) {
        ALIAS_SITE(j);
      }
    }
#undef ALIAS_SITE
    *st = s;
  } else {
    /* Balanced: sizes as equal as possible (remainders to the first sites), random order. */
    for (long long j = 0; j < n; j++) c->scratch[j] = (int)(j % sc->nsites);
    shuffle_ints(st, c->scratch, n);
    for (long long j = 0; j < n; j++) c->site[j] = (uint16_t)c->scratch[j];
  }
}

/* Assigns arms to the patients listed in idx[0..m) (enrollment order) by permuted blocks; the
 * last block is cut short where the patients run out, as it is in a real trial. Each block is
 * a Fisher-Yates shuffle of the plan's block (shuffle_ints' draws, inline). */
static void assign_blocks(tsim_cohort *c, tsim_rng_state *st, const int *idx, long long m, int *buf) {
  const tsim_scenario *sc = c->plan->sc;
  const int *block = c->plan->block;
  int bs = sc->block_size;
  uint8_t *arm = c->arm;
  tsim_rng_state s = *st;
  for (long long j0 = 0; j0 < m; j0 += bs) {
    for (int i = 0; i < bs; i++) buf[i] = block[i];
    for (int i = bs - 1; i > 0; i--) {
      int k = (int)tsim_rng_below_st(&s, (uint32_t)(i + 1));
      int t = buf[i];
      buf[i] = buf[k];
      buf[k] = t;
    }
    long long cnt = m - j0 < bs ? m - j0 : bs;
    for (long long i = 0; i < cnt; i++) arm[idx[j0 + i]] = (uint8_t)buf[i];
  }
  *st = s;
}

/* Site k's own generator for its permuted blocks when site monitoring may stop enrolment
 * (close_at): draws 4k .. 4k + 3 of TSIM_DRAWS_SITE_BLOCKS, so that a site's arms do not depend
 * on how many patients the other sites had - which a stop changes after the fact. */
static tsim_rng_state site_block_state(const tsim_cohort *c, int k) {
  uint64_t key = tsim__rng_stream_key(c->seed, (uint64_t)c->trial, TSIM_DRAWS_SITE_BLOCKS);
  tsim_rng_state s;
  for (int i = 0; i < 4; i++) s.s[i] = tsim_rng_draw(key, 4 * (uint64_t)k + (uint64_t)i);
  return s;
}

/* One permuted block of at most 8 arms held in the bytes of a word (arm i in byte i): the
 * Fisher-Yates shuffle of assign_blocks, the same draws and swaps, in a register. */
static inline uint64_t block_swap8(uint64_t p, int i, unsigned k) {
  uint64_t x = ((p >> (8 * i)) ^ (p >> (8 * k))) & 0xff; /* 0 when k == i */
  return p ^ ((x << (8 * i)) | (x << (8 * k)));
}

static inline uint64_t block_perm8(tsim_rng_state *s, uint64_t p, int bs) {
  for (int i = bs - 1; i > 0; i--) p = block_swap8(p, i, tsim_rng_below_st(s, (uint32_t)(i + 1)));
  return p;
}

/* Blocks of at most 6 (c->block_tab): the shuffle's draws k_i (i = bs - 1 .. 1, k_i < i + 1)
 * read as one mixed-radix number, ((k_{bs-1} (bs - 1) + k_{bs-2}) ...) 2 + k_1, index a table of
 * the blocks those swaps give: the same draws, the same block, without the swaps. */
static void block_tab_fill(uint64_t *tab, uint64_t p0, int bs) {
  int nf = 1;
  for (int i = 2; i <= bs; i++) nf *= i;
  for (int idx = 0; idx < nf; idx++) {
    unsigned k[8] = {0};
    int rem = idx;
    for (int i = 1; i < bs; i++) k[i] = (unsigned)(rem % (i + 1)), rem /= i + 1;
    uint64_t p = p0;
    for (int i = bs - 1; i > 0; i--) p = block_swap8(p, i, k[i]);
    tab[idx] = p;
  }
}

static inline uint64_t block_tab8(tsim_rng_state *s, const uint64_t *tab, int bs) {
  uint32_t idx = 0;
  for (int i = bs - 1; i > 0; i--) idx = idx * (uint32_t)(i + 1) + tsim_rng_below_st(s, (uint32_t)(i + 1));
  return tab[idx];
}

/* One block: from the table where there is one. */
static inline uint64_t block_next8(tsim_rng_state *s, const uint64_t *tab, uint64_t p0, int bs) {
  return tab ? block_tab8(s, tab, bs) : block_perm8(s, p0, bs);
}

/* Permuted blocks of at most 8 (randomize_blocks' draws in its order): each site's arms are
 * dealt into c->arm_grp in the grouped order, one 8-byte store per block (a store past a site's
 * last patient is overwritten by the next site's, or falls in the 8 bytes of slack), and then
 * read back in enrollment order - no index list, no loop whose length varies by block. */
static void randomize_blocks8(tsim_cohort *c) {
  const tsim_scenario *sc = c->plan->sc;
  tsim_rng_state s = *tsim_rng_state_of(c->rng);
  long long n = c->n;
  int bs = sc->block_size;
  uint64_t p0 = 0;
  for (int i = 0; i < bs; i++) p0 |= (uint64_t)(uint8_t)c->plan->block[i] << (8 * i);
  uint8_t *grp = c->arm_grp;
  const uint64_t *tab = c->block_tab;
  if (tab && !c->block_tab_ready) block_tab_fill(c->block_tab, p0, bs), c->block_tab_ready = 1;
  if (!sc->stratify_by_site) {
    for (long long j0 = 0; j0 < n; j0 += bs) {
      uint64_t p = block_next8(&s, tab, p0, bs);
      memcpy(grp + j0, &p, 8);
    }
    memcpy(c->arm, grp, (size_t)n);
    *tsim_rng_state_of(c->rng) = s;
    return;
  }
  int ns = sc->nsites;
  long long *start = c->site_start;
  const uint16_t *site = c->site;
  if (!c->site_counted) { /* else counted by enroll_sites */
    memset(start, 0, ((size_t)ns + 1) * sizeof *start);
    for (long long j = 0; j < n; j++) start[site[j] + 1]++;
  }
  c->site_counted = 0;
  for (int k = 0; k < ns; k++) {
    long long m = start[k + 1];
    if (c->close_at) s = site_block_state(c, k);
    for (long long j0 = 0; j0 < m; j0 += bs) {
      uint64_t p = block_next8(&s, tab, p0, bs);
      memcpy(grp + start[k] + j0, &p, 8);
    }
    start[k + 1] += start[k];
  }
  uint8_t *arm = c->arm; /* a local copy: a store to arm[j] could alias c->arm */
  for (long long j = 0; j < n; j++) {
    long long *q = start + site[j];
    arm[j] = grp[*q];
    ++*q;
  }
  *tsim_rng_state_of(c->rng) = s;
}

static void randomize_blocks(tsim_cohort *c, int *buf) {
  const tsim_scenario *sc = c->plan->sc;
  tsim_rng_state *st = tsim_rng_state_of(c->rng);
  long long n = c->n;
  if (c->arm_grp) {
    randomize_blocks8(c);
    return;
  }
  if (!sc->stratify_by_site) {
    for (long long j = 0; j < n; j++) c->scratch[j] = (int)j;
    assign_blocks(c, st, c->scratch, n, buf);
    return;
  }
  /* Group patients by site, keeping enrollment order within a site (counting sort). */
  int ns = sc->nsites;
  long long *start = c->site_start;
  const uint16_t *site = c->site;
  int *scratch = c->scratch;
  memset(start, 0, ((size_t)ns + 1) * sizeof *start);
  for (long long j = 0; j < n; j++) start[site[j] + 1]++;
  for (int s = 0; s < ns; s++) start[s + 1] += start[s];
  for (long long j = 0; j < n; j++) scratch[start[site[j]]++] = (int)j;
  for (int s = ns; s > 0; s--) start[s] = start[s - 1];
  start[0] = 0;
  for (int s = 0; s < ns; s++) {
    if (c->close_at) {
      tsim_rng_state own = site_block_state(c, s);
      assign_blocks(c, &own, scratch + start[s], start[s + 1] - start[s], buf);
    } else {
      assign_blocks(c, st, scratch + start[s], start[s + 1] - start[s], buf);
    }
  }
}

static void randomize(tsim_cohort *c);

/* Site monitoring stopped enrolment at some sites (close_at): each patient randomised after its
 * site stopped goes to a site still enrolling then, drawn by the sites' weights from draw j of
 * its own purpose - so the patients before the first stop, and every other draw, stay as they
 * are. The run never stops the last site still enrolling. */
static void redirect_sites(tsim_cohort *c) {
  const tsim_scenario *sc = c->plan->sc;
  const double *close = c->close_at;
  int ns = sc->nsites, any = 0;
  /* With balanced enrolment the weights are unused: the sites still enrolling share alike. */
  double one = 1.0;
  const double *w = sc->enrollment == TSIM_ENROLL_BALANCED ? NULL : sc->site_weights;
#define WEIGHT(s) (w ? w[s] : one)
  for (int s = 0; s < ns && !any; s++) any = close[s] < INFINITY;
  if (!any) return;
  uint64_t key = tsim__rng_stream_key(c->seed, (uint64_t)c->trial, TSIM_DRAWS_REDIRECT);
  for (long long j = 0; j < c->n; j++) {
    double t = c->t_rand[j];
    if (!(t > close[c->site[j]])) continue;
    double total = 0;
    for (int s = 0; s < ns; s++) total += t > close[s] ? 0 : WEIGHT(s);
    if (!(total > 0)) continue;
    double u = (double)(tsim_rng_draw(key, (uint64_t)j) >> 11) * 0x1.0p-53 * total, cum = 0;
    int pick = -1;
    for (int s = 0; s < ns; s++) {
      if (t > close[s] || !(WEIGHT(s) > 0)) continue;
      pick = s;
      cum += WEIGHT(s);
      if (u < cum) break;
    }
    if (pick >= 0) c->site[j] = (uint16_t)pick;
  }
  c->site_counted = 0; /* the counts per site enroll_sites made are stale */
#undef WEIGHT
}

void tsim__cohort_enroll(tsim_cohort *c) {
  /* Accrual by site has given each patient the site it arrived at (accrual.c). */
  if (c->plan->sc->accrual.mode != TSIM_ACCRUAL_SITES) {
    enroll_sites(c);
    if (c->close_at) redirect_sites(c);
  }
  randomize(c);
}

static void randomize(tsim_cohort *c) {
  const tsim_cohort_plan *plan = c->plan;
  const tsim_scenario *sc = plan->sc;
  tsim_rng_state *st = tsim_rng_state_of(c->rng);
  long long n = c->n;
  if (sc->rand_method == TSIM_RAND_FIXED) {
    long long j = 0;
    for (int a = 0; a < sc->narms; a++)
      for (long long k = 0; k < plan->arm_count[a]; k++) c->scratch[j++] = a;
    shuffle_ints(st, c->scratch, n);
    for (j = 0; j < n; j++) c->arm[j] = (uint8_t)c->scratch[j];
  } else if (sc->rand_method == TSIM_RAND_SIMPLE) {
    tsim_rng_state s = *st;
    int last = sc->narms - 1;
    for (long long j = 0; j < n; j++) {
      double u = (double)(tsim_rng_step(&s) >> 11) * 0x1.0p-53; /* tsim_rng_uniform */
      int a = 0;
      while (u >= plan->arm_cum[a] && a < last) a++;
      c->arm[j] = (uint8_t)a;
    }
    *st = s;
  } else {
    int buf[TSIM_MAX_BLOCK];
    randomize_blocks(c, buf);
  }
}

/* The plan's tables of the stages' kernels: 0, or -1 when out of memory. */
int tsim__stages_plan(tsim_cohort_plan *plan) {
  const tsim_scenario *sc = plan->sc;
  for (int e = 0; e < sc->nendpoints; e++) plan->ep_sign[e] = sc->endpoints[e].higher_is_better ? -1.0 : 1.0;
  return peff_flat_plan(plan);
}
