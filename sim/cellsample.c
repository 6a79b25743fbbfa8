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
  if (sc->sampling == TSIM_SAMPLING_CELL) return 1; /* the loader checked it is permitted */
  if (sc->sampling == TSIM_SAMPLING_PATIENT || !permitted) return 0;
  return sc->sample_size >= (long long)CELL_MODE_MIN_PER_CELL * sc->nsites * sc->narms;
}

/* Binomial(n, p). Small n: the sum of n Bernoulli draws on integer thresholds (exact, and
 * cheaper than GSL's inversion, which starts with a power and calls the generator through a
 * pointer); larger n: GSL's (Kachitvichyanukul & Schmeiser BTPE / inversion). */
#define SMALL_BINOMIAL 24
static unsigned binom(gsl_rng *r, unsigned n, double p, uint64_t thr) {
  if (n == 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n <= SMALL_BINOMIAL) { /* thr = ceil(p 2^53), as cohort.c computes it */
    unsigned x = 0;
    for (unsigned i = 0; i < n; i++) x += (tsim_rng_next(r) >> 11) < thr;
    return x;
  }
  return gsl_ran_binomial(r, p, n);
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
    gsl_ran_multinomial(c->rng, ns, n, sc->site_weights, c->site_n);
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
      gsl_ran_multinomial(c->rng, (size_t)na, ns, plan->arm_prob, out);
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
  for (size_t cell = 0; cell < per_ep; cell++) {
    int a = (int)(cell % (size_t)na);
    unsigned n = c->cell_n[cell];
    unsigned d = binom(rm, n, sc->arms[a].dropout, plan->drop_thr[a]);
    unsigned v = binom(rm, n - d, sc->arms[a].deviation, plan->dev_thr[a]), m1 = n - d - v;
    if (c->keep_patients) { dv[2 * cell] = d; dv[2 * cell + 1] = v; }
    for (int e = 0; e < ne; e++) {
      size_t ec = (size_t)e * per_ep + cell;
      double p0 = c->p_eff[0][ec], p1 = c->p_eff[1][ec];
      uint64_t t0 = c->thr[0][ec], t1 = c->thr[1][ec];
      unsigned r_pp = binom(ro, m1, p0, t0), r_dev = binom(ro, v, p0, t0);
      fill(c->cells[0] + ec * TSIM_NCAT, d, v, m1, r_pp, r_dev);
      if (p1 != p0) { r_pp = binom(ro, m1, p1, t1); r_dev = binom(ro, v, p1, t1); }
      fill(c->cells[1] + ec * TSIM_NCAT, d, v, m1, r_pp, r_dev);
    }
  }
  if (c->keep_patients) expand(c, dv);
}
