/* cellsample.c - sampling a trial as counts per (site, arm) cell.
 *
 * When patients are exchangeable within site and arm - outcomes, dropout and deviations
 * depend only on the site and the arm, and the end points are independent given them - the
 * analyses depend on a trial only through the counts per cell, and those can be drawn
 * directly with the same distribution as patient by patient:
 *   site sizes      Multinomial(N; weights)  (balanced enrollment: the fixed sizes);
 *   arms in a site  fixed randomisation: multivariate hypergeometric from the fixed arm totals,
 *                   site after site; simple: Multinomial(n_s; allocation); permuted blocks
 *                   within the site: full blocks, plus a multivariate hypergeometric draw of
 *                   the n_s mod b patients of the last, partial block from one block;
 *   in a cell of n  D ~ Bin(n, dropout), V ~ Bin(n - D, deviation), and per end point the
 *                   responders among the n - D - V per-protocol patients ~ Bin(., p) and among
 *                   the V deviating ones ~ Bin(V, p), p the cell's probability this trial.
 * Under the null twin a cell whose probability is unchanged (the control arm, anomalies)
 * reuses the alternative's counts; other cells get their own draws. Sites, their effects and
 * anomalies come from the same SITES stream as in the per-patient sampler, so the
 * probabilities are the same; the ENROLL, MISSING and OUTCOME streams are read differently.
 *
 * The cost is a few binomial draws per cell instead of a few uniforms per patient, so it
 * pays off once cells hold more than a handful of patients; tsim_cohort_cell_mode decides.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cohort_internal.h"
#include "rng.h"

/* Cells must average at least this many patients for counts to beat patients. Measured with
 * callgrind (instructions per trial, alternative + null twin, two analyses or four):
 *   1 site x 2 arms, N = 12 / 100 / 2000: per patient 6.5k / 21.7k / 352k, per cell 5.5k /
 *   6.4k / 6.4k;  LUPIL-2 (12 sites x 2 arms, N = 100, ~4 per cell): 41.5k vs 33.8k.
 * Below ~3 per cell the per-cell overhead (site multinomial, arm split) no longer pays. */
#define CELL_MODE_MIN_PER_CELL 3

int tsim_cohort_cell_mode(const tsim_scenario *sc) {
  int permitted = !(sc->rand_method == TSIM_RAND_BLOCK && !sc->stratify_by_site && sc->nsites > 1);
  if (sc->latent) return 0; /* patients carry their own values */
  if (sc->sampling == TSIM_SAMPLING_CELL) return 1; /* the loader checked it is permitted */
  if (sc->sampling == TSIM_SAMPLING_PATIENT || !permitted) return 0;
  return sc->sample_size >= (long long)CELL_MODE_MIN_PER_CELL * sc->nsites * sc->narms;
}

/* ---- binomial draws ------------------------------------------------------------------------
 * Small n: the sum of n Bernoulli draws on integer thresholds (exact, ~8 instructions each).
 * Otherwise, when p is the same in every trial (dropout, deviation, the multinomials of sites
 * and arms, and outcomes without site heterogeneity), inversion: the cumulative distribution of
 * Bin(n, p) as thresholds on 53 uniform bits, c[x] = ceil(F(x) 2^53), kept per thread and found
 * again by (n, p); one uniform k gives the smallest x with k < c[x], found through a guide
 * table (Chen & Asau 1974) in one or two steps. Each outcome's probability is then right to
 * about n 2^-53 (the rounding of the summed recurrence). The table is built from thr 2^-53,
 * not from p, so that every p with the same threshold gets the same table whichever thread
 * builds it first. Otherwise (p changes every trial, or n is large): GSL's binomial (BTPE). */
#define SMALL_BINOMIAL 12
#define BC_MAX_N 1000        /* tables up to this n; q^n stays far from underflow below it */
#define BC_KEY_BITS 12       /* 4096 tables per thread */
#define BC_POOL (1u << 18)   /* 2 MiB of table entries per thread; cleared when full */

typedef struct bc_key {
  uint64_t thr;    /* ceil(p 2^53) */
  uint32_t n;      /* n + 1, so that 0 marks an empty slot */
  uint32_t off;    /* where its c[0..n] and guide g[0..n] start in the pool */
} bc_key;

struct tsim_binom_cache {
  bc_key keys[1u << BC_KEY_BITS];
  uint64_t pool[BC_POOL];
  uint32_t used;   /* pool entries in use */
  uint32_t nkeys;  /* keys in use */
};

struct tsim_binom_cache *tsim__binom_cache_new(void) { return calloc(1, sizeof(struct tsim_binom_cache)); }
void tsim__binom_cache_free(struct tsim_binom_cache *bc) { free(bc); }

/* Builds the table of Bin(n, p) at t[0 .. 2n+1]: thresholds, then the guide. */
static void bc_build(uint64_t *t, unsigned n, double p) {
  /* Summed from the side whose first term cannot underflow: p <= 1/2 from x = 0 up. */
  int flip = p > 0.5;
  double pp = flip ? 1 - p : p, pmf = exp((double)n * log1p(-pp)), cdf = 0, r = pp / (1 - pp);
  double f[BC_MAX_N + 1]; /* F(y) of Y ~ Bin(n, pp) */
  for (unsigned y = 0; y <= n; y++) {
    cdf += pmf;
    f[y] = cdf;
    pmf *= (double)(n - y) / (double)(y + 1) * r;
  }
  uint64_t *c = t;
  for (unsigned x = 0; x < n; x++) {
    /* X = n - Y when flipped: P(X <= x) = 1 - P(Y <= n - x - 1). */
    double v = flip ? 1.0 - f[n - x - 1] : f[x];
    v = v > 1 ? 1 : v < 0 ? 0 : v;
    c[x] = tsim__threshold(v);
  }
  c[n] = UINT64_C(1) << 53; /* every uniform lands somewhere */
  uint64_t *g = t + n + 1, x = 0;
  for (unsigned i = 0; i <= n; i++) { /* g[i]: first x with c[x] > i 2^53 / (n+1) */
    uint64_t lo = (uint64_t)(((unsigned __int128)i << 53) / (n + 1));
    while (c[x] <= lo) x++;
    g[i] = x;
  }
}

static const uint64_t *bc_table(struct tsim_binom_cache *bc, unsigned n, uint64_t thr) {
  uint32_t mask = (1u << BC_KEY_BITS) - 1;
  uint64_t h = (thr ^ ((uint64_t)n << 40)) * 0x9e3779b97f4a7c15ULL;
  uint32_t i = (uint32_t)(h >> (64 - BC_KEY_BITS));
  while (bc->keys[i].n && (bc->keys[i].n != n + 1 || bc->keys[i].thr != thr)) i = (i + 1) & mask;
  if (bc->keys[i].n) return bc->pool + bc->keys[i].off;
  uint32_t need = 2 * (n + 1);
  if (bc->used + need > BC_POOL || bc->nkeys >= mask * 3 / 4) { /* start afresh */
    memset(bc->keys, 0, sizeof bc->keys);
    bc->used = bc->nkeys = 0;
    i = (uint32_t)(h >> (64 - BC_KEY_BITS));
  }
  bc->keys[i] = (bc_key){thr, n + 1, bc->used};
  bc->nkeys++;
  uint64_t *t = bc->pool + bc->used;
  bc->used += need;
  bc_build(t, n, (double)thr * 0x1.0p-53);
  return t;
}

/* Binomial(n, p); thr = ceil(p 2^53) as cohort.c computes it; `stable`: p recurs every trial. */
static unsigned binom(tsim_cohort *c, gsl_rng *r, unsigned n, double p, uint64_t thr, int stable) {
  if (n == 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n <= SMALL_BINOMIAL) {
    unsigned x = 0;
    for (unsigned i = 0; i < n; i++) x += (tsim_rng_next(r) >> 11) < thr;
    return x;
  }
  if (stable && n <= BC_MAX_N) {
    const uint64_t *t = bc_table(c->binom_cache, n, thr), *g = t + n + 1;
    uint64_t k = tsim_rng_next(r) >> 11;
    uint64_t x = g[(uint64_t)(((unsigned __int128)k * (n + 1)) >> 53)];
    while (k >= t[x]) x++;
    return (unsigned)x;
  }
  return gsl_ran_binomial(r, p, n);
}

/* Multinomial(n; p) as a sequence of binomials with the plan's conditional probabilities
 * and their thresholds. */
static void multinomial(tsim_cohort *c, gsl_rng *r, unsigned n, int k, const double *cond,
                        const uint64_t *thr, unsigned *out) {
  for (int i = 0; i < k - 1; i++) {
    out[i] = binom(c, r, n, cond[i], thr[i], 1);
    n -= out[i];
  }
  out[k - 1] = n;
}

/* cond[i] = w[i] / (w[i] + ... + w[k-1]): the probability of category i given not 0..i-1;
 * exactly 1 when no later category has weight (so a zero-weight site never gets a patient
 * through rounding). */
static void conditional(const double *w, int k, double *cond, uint64_t *thr) {
  double rest = 0;
  for (int i = k - 1; i >= 0; i--) {
    double later = rest;
    rest += w[i];
    cond[i] = later == 0 ? 1.0 : rest > 0 ? w[i] / rest : 0;
    thr[i] = tsim__threshold(cond[i]);
  }
}

void tsim__cell_plan(tsim_cohort_plan *plan) {
  const tsim_scenario *sc = plan->sc;
  conditional(sc->site_weights, sc->nsites, plan->site_cond, plan->site_cond_thr);
  conditional(plan->arm_prob, sc->narms, plan->arm_cond, plan->arm_cond_thr);
}

/* Draws k of the pool (counts per arm) without replacement into out[], shrinking the pool. */
static void mv_hypergeometric(gsl_rng *r, unsigned *pool, int na, unsigned k, unsigned *out) {
  unsigned rest = 0;
  for (int a = 0; a < na; a++) rest += pool[a];
  for (int a = 0; a < na; a++) {
    rest -= pool[a];
    unsigned x = (a == na - 1 || k == 0) ? k : gsl_ran_hypergeometric(r, pool[a], rest, k);
    out[a] = x;
    pool[a] -= x;
    k -= x;
  }
}

static void site_sizes(tsim_cohort *c) {
  const tsim_scenario *sc = c->plan->sc;
  unsigned n = (unsigned)c->n, ns = (unsigned)sc->nsites;
  if (ns == 1) {
    c->site_n[0] = n;
  } else if (sc->enrollment == TSIM_ENROLL_RANDOM) {
    multinomial(c, c->rng, n, (int)ns, c->plan->site_cond, c->plan->site_cond_thr, c->site_n);
  } else {
    for (unsigned s = 0; s < ns; s++) c->site_n[s] = n / ns + (s < n % ns);
  }
}

static void arm_split(tsim_cohort *c) {
  const tsim_cohort_plan *plan = c->plan;
  const tsim_scenario *sc = plan->sc;
  int na = sc->narms;
  unsigned pool[TSIM_MAX_ARMS];
  if (sc->rand_method == TSIM_RAND_FIXED)
    for (int a = 0; a < na; a++) pool[a] = (unsigned)plan->arm_count[a];
  for (int s = 0; s < sc->nsites; s++) {
    unsigned *out = c->cell_n + (size_t)s * (size_t)na, ns = c->site_n[s];
    if (sc->rand_method == TSIM_RAND_FIXED) {
      mv_hypergeometric(c->rng, pool, na, ns, out);
    } else if (sc->rand_method == TSIM_RAND_SIMPLE) {
      multinomial(c, c->rng, ns, na, plan->arm_cond, plan->arm_cond_thr, out);
    } else {
      unsigned bs = (unsigned)sc->block_size, full = ns / bs, part[TSIM_MAX_ARMS];
      memcpy(pool, plan->block_count, (size_t)na * sizeof pool[0]);
      mv_hypergeometric(c->rng, pool, na, ns % bs, part);
      for (int a = 0; a < na; a++) out[a] = full * plan->block_count[a] + part[a];
    }
  }
}

/* Writes one hypothesis's categories of a cell from its counts. */
static void fill(uint32_t *cell, unsigned d, unsigned v, unsigned m1, unsigned r_pp, unsigned r_dev) {
  memset(cell, 0, TSIM_NCAT * sizeof *cell);
  cell[0] = m1 - r_pp;
  cell[TSIM_CAT_RESP] = r_pp;
  cell[TSIM_CAT_DEV] = v - r_dev;
  cell[TSIM_CAT_DEV | TSIM_CAT_RESP] = r_dev;
  cell[TSIM_CAT_DROP] = d;
}

/* Patient rows consistent with every cell table, for `trialsim cohort`: grouped by site and
 * arm, dropouts last; within each group the first patients are the responders. */
static void expand(tsim_cohort *c, const unsigned *dv) {
  const tsim_scenario *sc = c->plan->sc;
  int ne = sc->nendpoints, na = sc->narms;
  size_t per_ep = (size_t)sc->nsites * (size_t)na, j = 0;
  for (int s = 0; s < sc->nsites; s++)
    for (int a = 0; a < na; a++) {
      size_t cell = (size_t)s * (size_t)na + (size_t)a;
      unsigned n = c->cell_n[cell], d = dv[2 * cell], v = dv[2 * cell + 1];
      for (unsigned i = 0; i < n; i++, j++) {
        c->site[j] = (uint16_t)s;
        c->arm[j] = (uint8_t)a;
        /* Patient i of the cell: per-protocol first, then deviating, then dropouts. */
        unsigned miss = i >= n - d ? TSIM_CAT_DROP : i >= n - d - v ? TSIM_CAT_DEV : 0u;
        for (int e = 0; e < ne; e++) {
          const uint32_t *k0 = c->cells[0] + ((size_t)e * per_ep + cell) * TSIM_NCAT;
          const uint32_t *k1 = c->cells[1] + ((size_t)e * per_ep + cell) * TSIM_NCAT;
          unsigned pos = miss == TSIM_CAT_DEV ? i - (n - d - v) : i;
          unsigned r0 = 0, r1 = 0;
          if (miss == 0) { r0 = pos < k0[TSIM_CAT_RESP]; r1 = pos < k1[TSIM_CAT_RESP]; }
          if (miss == TSIM_CAT_DEV) {
            r0 = pos < k0[TSIM_CAT_DEV | TSIM_CAT_RESP];
            r1 = pos < k1[TSIM_CAT_DEV | TSIM_CAT_RESP];
          }
          c->cat[j * (size_t)ne + (size_t)e] = (uint8_t)(miss | r0 | (r1 ? TSIM_PT_RESP_NULL : 0u));
        }
      }
    }
}

void tsim__cohort_sample_cells(tsim_cohort *c, uint64_t seed, long long trial) {
  const tsim_cohort_plan *plan = c->plan;
  const tsim_scenario *sc = plan->sc;
  int na = sc->narms, ne = sc->nendpoints;
  size_t per_ep = (size_t)sc->nsites * (size_t)na;
  tsim_rng_seed_stream(c->rng, seed, (uint64_t)trial, TSIM_STREAM_ENROLL);
  site_sizes(c);
  arm_split(c);
  gsl_rng *rm = c->rng, *ro = c->rng2;
  tsim_rng_seed_stream(rm, seed, (uint64_t)trial, TSIM_STREAM_MISSING);
  tsim_rng_seed_stream(ro, seed, (uint64_t)trial, TSIM_STREAM_OUTCOME);
  unsigned *dv = (unsigned *)c->scratch; /* dropouts and deviations per cell, for expand */
  int stable = sc->heterogeneity_sd == 0; /* otherwise a cell's p changes every trial */
  for (size_t cell = 0; cell < per_ep; cell++) {
    int a = (int)(cell % (size_t)na);
    unsigned n = c->cell_n[cell];
    unsigned d = binom(c, rm, n, sc->arms[a].dropout, plan->drop_thr[a], 1);
    unsigned v = binom(c, rm, n - d, sc->arms[a].deviation, plan->dev_thr[a], 1), m1 = n - d - v;
    if (c->keep_patients) { dv[2 * cell] = d; dv[2 * cell + 1] = v; }
    for (int e = 0; e < ne; e++) {
      size_t ec = (size_t)e * per_ep + cell;
      double p0 = c->p_eff[0][ec], p1 = c->p_eff[1][ec];
      uint64_t t0 = c->thr[0][ec], t1 = c->thr[1][ec];
      unsigned r_pp = binom(c, ro, m1, p0, t0, stable), r_dev = binom(c, ro, v, p0, t0, stable);
      fill(c->cells[0] + ec * TSIM_NCAT, d, v, m1, r_pp, r_dev);
      if (p1 != p0) { r_pp = binom(c, ro, m1, p1, t1, stable); r_dev = binom(c, ro, v, p1, t1, stable); }
      fill(c->cells[1] + ec * TSIM_NCAT, d, v, m1, r_pp, r_dev);
    }
  }
  if (c->keep_patients) expand(c, dv);
}
