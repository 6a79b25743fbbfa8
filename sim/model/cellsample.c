/* cellsample.c - sampling a trial as counts per (site, arm) cell.
 *
 * When patients are exchangeable within site and arm - outcomes, dropout and deviations
 * depend only on the site and the arm, and the end points are independent given them - the
 * analyses depend on a trial only through the counts per cell, and those can be drawn
 * directly with the same distribution as patient by patient:
 *   site sizes      Multinomial(N; weights) as a binary tree of binomials (balanced enrollment:
 *                   the fixed sizes);
 *   arms in a site  fixed randomisation: multivariate hypergeometric from the fixed arm totals,
 *                   site after site; simple: Multinomial(n_s; allocation); permuted blocks
 *                   within the site: full blocks, plus a multivariate hypergeometric draw of
 *                   the n_s mod b patients of the last, partial block from one block;
 *   in a cell of n  D ~ Bin(n, dropout), V ~ Bin(n - D, deviation) (jointly, one uniform, for
 *                   n <= DV_MAX_N), and per end point the responders among the n - D - V
 *                   per-protocol patients ~ Bin(., p) and among the V deviating ones
 *                   ~ Bin(V, p), p the cell's probability this trial.
 * Both hypotheses' responders come from the same uniforms (see "binomial draws" and
 * "responders, eight cells at a time" below), so a cell whose probability is unchanged under
 * the null twin (the control arm, anomalies) gets the same counts under both, as patients do in
 * the per-patient sampler (GSL's BTPE excepted: there the two are drawn independently). The
 * site effects and anomalies are those of the per-patient sampler (cohort.c), so the
 * probabilities are the same; enrollment, missingness and outcomes read their numbers
 * differently.
 *
 * What is drawn once per site or per cell comes from the trial's counter-based draws (rng.h):
 * ENROLL draw j for node j of the site tree and nsites + s for site s's partial block, MISSING
 * draw c for cell c's dropouts and deviations. The rare paths - binomials beyond the tables,
 * other randomisations, cells beyond DV_MAX_N or LANE_MAX - read the ENROLL, MISSING and
 * OUTCOME streams, seeded only when needed.
 *
 * Nothing is allocated per trial: inversion tables of the draws every trial makes (the site
 * tree's binomials, the joint dropout/deviation pairs, a two-arm block's remainder) are built
 * once per plan, binomial tables once per thread.
 *
 * The cost is a few binomial draws per cell instead of a few uniforms per patient, so it
 * pays off once cells hold more than a handful of patients; tsim__cell_mode decides.
 *
 * The latent model (latent.c) takes the same site sizes, arms and dropouts and deviations per
 * cell when its patients are exchangeable within a cell (tsim_scenario_cell_blocker: one visit,
 * no subgroups, no outcome-dependent dropout, no events, no calendar time), and then draws each
 * patient's values itself, in the order of the rows tsim__cohort_enroll_cells writes: there the
 * counts replace a uniform and an alias lookup for the site, a place in a permuted block and two
 * uniforms for dropout and deviation per patient (lupil2.json at 2 patients a cell is no slower
 * by cells, at 4 about 12% faster).
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/cellsample.h"
#include "core/rng.h"
#include "model/stages.h"

/* Cells must average at least this many patients for counts to beat patients (either model).
 * Measured with
 * callgrind (instructions per trial, alternative + null twin, two analyses or four):
 *   1 site x 2 arms, N = 12 / 100 / 2000: per patient 4.7k / 19.3k / 339k, per cell 4.0k /
 *   3.6k / 4.1k;  LUPIL-2 (12 sites x 2 arms, N = 100, ~4 per cell): 31.8k vs 16.0k.
 * Below ~3 per cell the per-cell overhead (site multinomial, arm split) no longer pays. */
#define CELL_MODE_MIN_PER_CELL 3

int tsim__cell_mode(const tsim_scenario *sc) {
  if (tsim_scenario_cell_blocker(sc)) return 0; /* "cell" was refused by the loader then */
  if (sc->sampling == TSIM_SAMPLING_CELL) return 1;
  if (sc->sampling == TSIM_SAMPLING_PATIENT) return 0;
  return sc->sample_size >= (long long)CELL_MODE_MIN_PER_CELL * sc->nsites * sc->narms;
}

/* ---- binomial draws ------------------------------------------------------------------------
 * When p is the same in every trial (dropout, deviation, the multinomials of sites and arms,
 * and outcomes without site heterogeneity): inversion, one uniform per draw. The cumulative
 * distribution of Bin(n, p) is kept as thresholds on 53 uniform bits, c[x] = ceil(F(x) 2^53),
 * per thread and found again by (n, p); one uniform k gives the smallest x with k < c[x],
 * found through a guide table (Chen & Asau 1974) in one or two steps. Each outcome's
 * probability is then right to about n 2^-53 (the rounding of the summed recurrence). The table
 * is built from thr 2^-53, not from p, so that every p with the same threshold gets the same
 * table whichever thread builds it first.
 * When p changes every trial (site heterogeneity) and n is small: the sum of n Bernoulli draws
 * on integer thresholds (exact). Otherwise GSL's binomial (BTPE).
 * Responders are drawn for both hypotheses at once from the same uniforms (coupled, as the
 * per-patient sampler couples them): Bernoulli sums compare each uniform with both thresholds,
 * inversion inverts the same uniform in both tables. Only GSL's BTPE (probabilities that change
 * every trial and cells of more than SMALL_BINOMIAL; any cell beyond BC_MAX_N) draws the two
 * hypotheses independently. Each hypothesis alone keeps its distribution either way. */
#define SMALL_BINOMIAL 24    /* Bernoulli sums up to this n when p varies (cheaper than BTPE) */
#define BC_MAX_N 1000        /* tables up to this n; q^n stays far from underflow below it */
#define BC_KEY_BITS 13       /* 8192 tables per thread */
#define BC_POOL (1u << 20)   /* 8 MiB of table entries per thread (touched as used); cleared when
                              * full. A design of 2,000 patients in two cells uses ~3 MiB. */

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

/* The cell sampler's per-thread workspace (cohort.h: tsim_cohort.cell_ws). */
struct tsim_cell_ws {
  struct tsim_binom_cache *bc; /* binomial tables (owned) */
  uint64_t *m1, *m;            /* [ncells padded] a lane cell's per-protocol / assessed patients
                                  (both 0: not a lane cell; see "responders, eight cells at a time") */
  uint32_t *iters;             /* [groups] uniforms each lane draws in group g */
  unsigned *node_n;            /* [nsites] patients of each node of the site tree */
  int enroll_seeded;           /* this trial's ENROLL stream has been seeded (in c->rng) */
  int large;                   /* this trial has cells that are not lane cells */
  /* The kernels' jobs, whose arrays are the workspace's and the plan's: built in the first trial
   * (jobs_ready), so that a trial sets only what changes (the lanes' key). */
  int jobs_ready;
  tsim_split_job split;
  tsim_missing_job missing;
  tsim_lane_job lanes;
};


/* An inversion table of a distribution on K outcomes: thresholds c[0..K-1] on 53 uniform bits,
 * c[x] = ceil(F(x) 2^53) with c[K-1] = 2^53, followed by its guide g[0..K-1] (Chen & Asau
 * 1974): g[i] is the first x with c[x] > i 2^53 / K, so that inversion starts one or two steps
 * from its answer. guide() fills g from c. */
static void guide(uint64_t *c, unsigned K) {
  uint64_t *g = c + K, x = 0;
  for (unsigned i = 0; i < K; i++) {
    uint64_t lo = (uint64_t)(((unsigned __int128)i << 53) / K);
    while (c[x] <= lo) x++;
    g[i] = x;
  }
}

/* The outcome of uniform bits k (< 2^53) in the table t of K outcomes (K < 2^10, so k K fits
 * in 64 bits): the smallest x with k < c[x]. */
static inline unsigned invert(const uint64_t *t, unsigned K, uint64_t k) { return tsim__invert(t, K, k); }

/* Thresholds of the distribution with probabilities pmf[0..K-1] into c[0..K-1]. The last
 * possible outcome takes every uniform the rounded sum leaves above it, so that an outcome of
 * probability 0 (everyone dropping out at a dropout rate of 0) never happens. */
void tsim__cdf_thresholds(const double *pmf, unsigned K, uint64_t *c) {
  unsigned last = K - 1;
  while (last > 0 && pmf[last] <= 0) last--;
  double cdf = 0;
  for (unsigned x = 0; x < last; x++) {
    cdf += pmf[x];
    c[x] = tsim__threshold(cdf > 1 ? 1 : cdf);
  }
  for (unsigned x = last; x < K; x++) c[x] = UINT64_C(1) << 53; /* every uniform lands somewhere */
}

/* For each of the 2^bits buckets of 53-bit uniforms (bucket i: the uniforms whose top bits are
 * i), the outcome of the inversion table c of K outcomes that every uniform of the bucket inverts
 * to, or -1 when the bucket straddles two outcomes. Outcome x takes the uniforms [c[x - 1], c[x])
 * (c[-1] = 0), so it takes whole the buckets i with i 2^(53 - bits) >= c[x - 1] and
 * (i + 1) 2^(53 - bits) <= c[x]: a range filled at once, which builds a plan's ~1,100 site-tree
 * tables in a fraction of the time a search per bucket took. */
void tsim__bucket_outcomes(const uint64_t *c, unsigned K, unsigned bits, int16_t *out) {
  const unsigned shift = 53 - bits;
  const uint64_t nb = (uint64_t)1 << bits;
  for (uint64_t i = 0; i < nb; i++) out[i] = -1;
  uint64_t prev = 0;
  for (unsigned x = 0; x < K && prev < (UINT64_C(1) << 53); x++) {
    uint64_t from = (prev + (UINT64_C(1) << shift) - 1) >> shift, to = c[x] >> shift;
    for (uint64_t i = from; i < to; i++) out[i] = (int16_t)x;
    if (c[x] > prev) prev = c[x];
  }
}

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
  c[n] = UINT64_C(1) << 53;
  guide(t, n + 1);
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

/* Bin(n, .) from its table: outcomes 0..n. */
static inline unsigned bc_invert(const uint64_t *t, unsigned n, uint64_t k) { return invert(t, n + 1, k); }

/* GSL's binomial on the stream r whose working state is held in st (see tsim_rng_step). */
static inline unsigned gsl_binomial(gsl_rng *r, tsim_rng_state *st, double p, unsigned n) {
  *tsim_rng_state_of(r) = *st;
  unsigned x = gsl_ran_binomial(r, p, n);
  *st = *tsim_rng_state_of(r);
  return x;
}

/* Binomial(n, p) for a p that recurs every trial; thr = ceil(p 2^53) as cohort.c computes it.
 * Draws from st (stream r). */
static inline unsigned binom(struct tsim_binom_cache *bc, gsl_rng *r, tsim_rng_state *st, unsigned n,
                             double p, uint64_t thr) {
  if (n == 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n > BC_MAX_N) return gsl_binomial(r, st, p, n);
  return bc_invert(bc_table(bc, n, thr), n, tsim_rng_step(st) >> 11);
}

/* The responders among n patients under both hypotheses, thresholds t0 and t1, into x[0], x[1]:
 * one uniform each, compared with both (exact for any p). Draws from st. */
static inline void bernoulli_sums(tsim_rng_state *st, unsigned n, uint64_t t0, uint64_t t1, unsigned x[2]) {
  unsigned a = 0, b = 0;
  for (unsigned i = 0; i < n; i++) {
    uint64_t k = tsim_rng_step(st) >> 11;
    a += k < t0;
    b += k < t1;
  }
  x[0] = a;
  x[1] = b;
}

/* Responders among n patients under both hypotheses (probabilities p[h], thresholds t[h]) into
 * x[0], x[1]; `stable`: the probabilities recur every trial. Draws from st (stream r). */
static inline void responders(struct tsim_binom_cache *bc, gsl_rng *r, tsim_rng_state *st, unsigned n,
                              const double p[2], const uint64_t t[2], int stable, unsigned x[2]) {
  x[0] = x[1] = 0;
  if (n == 0) return;
  if (stable && n <= BC_MAX_N) { /* p 0 or 1 needs no table */
    uint64_t k = tsim_rng_step(st) >> 11;
    for (int h = 0; h < 2; h++)
      x[h] = h && t[1] == t[0] ? x[0] : p[h] <= 0 ? 0 : p[h] >= 1 ? n : bc_invert(bc_table(bc, n, t[h]), n, k);
  } else if (n <= SMALL_BINOMIAL) {
    bernoulli_sums(st, n, t[0], t[1], x);
  } else {
    for (int h = 0; h < 2; h++)
      x[h] = h && t[1] == t[0] ? x[0] : p[h] <= 0 ? 0 : p[h] >= 1 ? n : gsl_binomial(r, st, p[h], n);
  }
}

/* Multinomial(n; p) as a sequence of binomials with the plan's conditional probabilities
 * and their thresholds. */
static void multinomial(tsim_cohort *c, gsl_rng *r, unsigned n, int k, const double *cond,
                        const uint64_t *thr, unsigned *out) {
  tsim_rng_state st = *tsim_rng_state_of(r);
  for (int i = 0; i < k - 1; i++) {
    out[i] = binom(c->cell_ws->bc, r, &st, n, cond[i], thr[i]);
    n -= out[i];
  }
  out[k - 1] = n;
  *tsim_rng_state_of(r) = st;
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

/* ---- responders, eight cells at a time -----------------------------------------------------
 * Cells of at most LANE_MAX assessed patients - nearly all cells of a multicentre trial - draw
 * their responders from the trial's OUTCOME lanes (rng.h). Cells, in the order of the cell table
 * (end point, arm, site), are dealt to the eight lanes in groups: cell 8g + l goes to lane l.
 * In group g every lane draws the same number of uniforms, as many as the group's largest cell
 * has assessed patients; patient i of a lane's cell (its per-protocol patients first, then the
 * deviating ones) responds under hypothesis h when uniform i's top 53 bits k < thr[h] (exact,
 * as everywhere; cohort.c), and both hypotheses compare the same uniform (coupled, as in the
 * per-patient sampler). A lane with a smaller cell leaves its last uniforms unused. So every
 * lane's stream advances by a number fixed by the group, and the counts are the same whether
 * the machine steps all eight lanes at once (AVX-512), four (AVX2) or one (kernels/lanes.c; the
 * kernels' table holds the widest the processor has). Larger cells are drawn one at a time by
 * responders() from the OUTCOME stream. Cells past the end of the table pad the last group with no patients.
 *
 * Cost: about 25 vector instructions per uniform drawn by all eight lanes (18 with AVX-512's
 * population counts), against ~20 scalar instructions per patient for Bernoulli sums. */
#define LANE_MAX 16

struct tsim_cell_ws *tsim__cell_ws_new(const tsim_cohort_plan *plan) {
  const tsim_scenario *sc = plan->sc;
  size_t np = tsim__ncells_padded((size_t)sc->nendpoints * (size_t)sc->nsites * (size_t)sc->narms);
  struct tsim_cell_ws *ws = calloc(1, sizeof *ws);
  if (!ws) return NULL;
  ws->bc = calloc(1, sizeof *ws->bc);
  ws->m1 = calloc(np, sizeof *ws->m1); /* the padding stays 0: no patients */
  ws->m = calloc(np, sizeof *ws->m);
  ws->iters = calloc(np / TSIM_LANES, sizeof *ws->iters);
  ws->node_n = calloc((size_t)sc->nsites, sizeof *ws->node_n);
  if (!ws->bc || !ws->m1 || !ws->m || !ws->iters || !ws->node_n) {
    tsim__cell_ws_free(ws);
    return NULL;
  }
  return ws;
}

void tsim__cell_ws_free(struct tsim_cell_ws *ws) {
  if (!ws) return;
  free(ws->bc);
  free(ws->m1);
  free(ws->m);
  free(ws->iters);
  free(ws->node_n);
  free(ws);
}

/* ---- tables every trial shares ---------------------------------------------------------------
 * A cell of n <= DV_MAX_N patients draws its dropouts and deviations jointly, with one uniform:
 * (D, V) has P(d, v) = Bin(d; n, dropout) Bin(v; n - d, deviation), tabulated per arm and n over
 * the (n + 1)(n + 2) / 2 pairs (d ascending, then v). With two arms and permuted blocks of at most
 * PART_MAX_BLOCK, the partial last block of a site - r patients drawn without replacement from
 * one block - is likewise one draw: the first arm's count is hypergeometric. */
#define DV_MAX_N TSIM_DV_MAX_N
#define DV_PAIRS(n) (((n) + 1) * ((n) + 2) / 2)
#define PART_MAX_BLOCK 64
_Static_assert(DV_MAX_N <= LANE_MAX, "a cell whose dropouts the table draws is a lane cell");
#define DV_FAST_BITS TSIM_DV_FAST_BITS
#define DV_SLOW TSIM_DV_SLOW /* (15, 15): no cell of at most DV_MAX_N patients has it */
#define PART_SUM_MAX 8
_Static_assert((DV_MAX_N + 1) << DV_FAST_BITS == 1 << 14 && DV_MAX_N < 16, "dv_base's arm rows; d and v in 4 bits");
_Static_assert(PART_SUM_MAX <= 8, "part_col: a partial block's size r indexes one 8-lane vector");

struct tsim_cell_tables {
  uint32_t dv[TSIM_MAX_ARMS][DV_MAX_N + 1]; /* where arm a's (D, V) table for n starts in t */
  uint32_t part[PART_MAX_BLOCK];            /* where the table of a partial block of r starts */
  int has_part;
  uint8_t dec[(DV_MAX_N + 1) * (DV_MAX_N + 2) * (DV_MAX_N + 3) / 6][2]; /* (d, v) of pair x for n:
                                                                          dec[dec_at[n] + x] */
  uint32_t dec_at[DV_MAX_N + 1];
  /* The (D, V) draw by the uniform's top DV_FAST_BITS bits alone: fast[a][n][i] is d | v << 4 of
   * every uniform of bucket i when they all invert to the same pair, DV_SLOW when the bucket
   * straddles two pairs (the table search decides). Most draws need one load. */
  uint8_t fast[TSIM_MAX_ARMS][DV_MAX_N + 1][1u << DV_FAST_BITS];
  /* Random enrollment: the site multinomial as a binary tree of binomials (see site_sizes):
   * node j, breadth first, splits its patients between its two halves of the sites. */
  int nnodes;                               /* nsites - 1 */
  struct site_node *nodes;                  /* [nnodes] (owned) */
  /* Each node's Bin(n, p) for the n it can plausibly hold (see node_range), as binom() would
   * find them in the thread's cache (the same tables, built from the same thresholds), when
   * they fit in SITE_TABLES_MAX entries; otherwise NULL and binom_u() finds them. An n outside
   * the range (node_off NODE_NONE) is found by binom_u() too: the same outcome, only slower. */
  uint64_t *node_t;                         /* the tables (owned) */
  uint32_t *node_off;                       /* [nnodes (N + 1)] where node j's Bin(n, p) starts */
  /* With N < 255, each of them also by the uniform's top NODE_FAST_BITS bits alone, as the
   * dropout/deviation draw (fast): node_fast[(j (N + 1) + n) << NODE_FAST_BITS | i] is 1 + the
   * outcome of every uniform of bucket i, or 0 when the bucket straddles two outcomes or n has
   * no table (NULL over NODE_FAST_MAX bytes). Zero-filled by the allocator, so the pages of
   * the n without tables are never touched. */
  uint8_t *node_fast;
  /* Two-arm blocks: n / block_size << 8 | n % block_size for every site size n <= N, so that a
   * trial divides nothing (NULL when N >= 2^20); and for blocks of at most PART_SUM_MAX, the
   * partial block's thresholds padded with 2^53 to block_size - 1 of them, so that its draw is
   * a fixed number of comparisons (part_sum[r][i], NULL otherwise). */
  uint32_t *divmod;
  uint64_t (*part_sum)[PART_SUM_MAX - 1];
  int part_n;                               /* block_size - 1: the thresholds part_sum compares */
  /* For the kernels' split_blocks and missing_small (kernels/kernels.h): */
  uint32_t *dv_base;                        /* [nsites narms, rounded up to 16] cell c of arm a:
                                               a << 14, where arm a's rows of `fast` start */
  uint64_t part_col[PART_SUM_MAX - 1][8];   /* part_sum by column: part_col[i][r] = part_sum[r][i] */
  uint64_t t[];
};

#define SITE_TABLES_MAX (1u << 20) /* 8 MiB of site tables and their offsets, shared by the threads */
#define NODE_FAST_BITS 10
#define NODE_FAST_MAX (1u << 22)   /* 4 MiB */
#define NODE_SLOW 0u           /* node_fast: the bucket does not decide */
#define NODE_NONE UINT32_MAX   /* node_off: no table for this n */
#define NODE_TAIL 1e-12        /* node_range leaves out n of at most this probability each side,
                                  unless TSIM_SITE_TABLE_TAIL says otherwise (a test hook) */

/* A node of the site tree: sites [lo, hi) split into [lo, mid) and [mid, hi). */
struct site_node {
  uint32_t lo, mid, hi;
  int32_t left, right; /* the child nodes; -1 where a half is a single site */
  double p;            /* the probability that a patient of the node goes to [lo, mid) */
  uint64_t thr;        /* ceil(p 2^53) */
  double share;        /* the node's share of the total weight: its patients are Bin(N, share) */
  unsigned nlo, nhi;   /* the n it has tables for (site_tables, node_range) */
};

static size_t tables_size(int na, int part_bs) {
  size_t k = 0;
  for (unsigned n = 0; n <= DV_MAX_N; n++) k += 2 * (size_t)DV_PAIRS(n) * (size_t)na;
  for (int r = 0; r < part_bs; r++) k += 2 * (size_t)(r + 1);
  return k;
}

/* The site tree, breadth first: node j's children have higher numbers, so a pass in order
 * meets every node after its parent. Node j takes draw j of the ENROLL draws. */
static int site_tree(const tsim_scenario *sc, struct tsim_cell_tables *ct) {
  int ns = sc->nsites;
  double total = 0;
  for (int s = 0; s < ns; s++) total += sc->site_weights[s];
  ct->nnodes = ns - 1;
  if (!(ct->nodes = calloc((size_t)ns, sizeof *ct->nodes))) return -1;
  ct->nodes[0].lo = 0;
  ct->nodes[0].hi = (uint32_t)ns;
  for (int j = 0, next = 1; j < ct->nnodes; j++) {
    struct site_node *nd = &ct->nodes[j];
    nd->mid = nd->lo + (nd->hi - nd->lo) / 2;
    double wl = 0, wr = 0;
    for (uint32_t i = nd->lo; i < nd->mid; i++) wl += sc->site_weights[i];
    for (uint32_t i = nd->mid; i < nd->hi; i++) wr += sc->site_weights[i];
    /* Exactly 1 when the right half has no weight (0 when the left has none), so that a
     * zero-weight site never gets a patient through rounding. */
    nd->p = wr == 0 ? 1.0 : wl == 0 ? 0.0 : wl / (wl + wr);
    nd->thr = tsim__threshold(nd->p);
    nd->share = total > 0 ? (wl + wr) / total : 0;
    nd->left = nd->right = -1;
    if (nd->mid - nd->lo > 1) {
      nd->left = next;
      ct->nodes[next].lo = nd->lo;
      ct->nodes[next++].hi = nd->mid;
    }
    if (nd->hi - nd->mid > 1) {
      nd->right = next;
      ct->nodes[next].lo = nd->mid;
      ct->nodes[next++].hi = nd->hi;
    }
  }
  return 0;
}

/* The n from *lo to *hi that a node with share q of the weight holds but with probability
 * `tail` or less below and above (its patients are Bin(N, q)): the tail sums of the binomial
 * probabilities, by their recurrence from the side whose first term cannot underflow (N is at
 * most BC_MAX_N). A plan builds tables for these n only; the rest are found as trials need them
 * (binom_u), so the range changes only the speed, never a draw. */
static void node_range(unsigned N, double q, double tail, unsigned *lo, unsigned *hi) {
  *lo = 0, *hi = N;
  if (!(q > 0 && q < 1)) { /* all or nothing: exactly N or 0 */
    *lo = *hi = q >= 1 ? N : 0;
    return;
  }
  int flip = q > 0.5; /* summed for Y = N - X when q > 1/2 */
  double qq = flip ? 1 - q : q, r = qq / (1 - qq), pmf = exp((double)N * log1p(-qq)), cdf = 0;
  unsigned ylo = 0, yhi = N;
  for (unsigned y = 0; y <= N; y++) {
    cdf += pmf;
    if (cdf <= tail) ylo = y + 1;        /* P(Y <= y) small: y and below left out */
    if (1 - cdf <= tail) { yhi = y; break; } /* P(Y > y) small */
    pmf *= (double)(N - y) / (double)(y + 1) * r;
  }
  if (ylo > yhi) ylo = yhi;
  *lo = flip ? N - yhi : ylo;
  *hi = flip ? N - ylo : yhi;
}

/* The site tree with its tables, and the two-arm block tables (see tsim_cell_tables); 0, or -1
 * when out of memory. Tables over budget are not built; trials then find them another way. */
static int site_tables(const tsim_cohort_plan *plan, struct tsim_cell_tables *ct) {
  const tsim_scenario *sc = plan->sc;
  size_t N = (size_t)sc->sample_size, bs = (size_t)sc->block_size;
  if (sc->rand_method == TSIM_RAND_BLOCK && ct->has_part && N < (1u << 20)) {
    if (!(ct->divmod = malloc((N + 1) * sizeof *ct->divmod))) return -1;
    for (size_t n = 0; n <= N; n++) ct->divmod[n] = (uint32_t)(n / bs) << 8 | (uint32_t)(n % bs);
    if (bs <= PART_SUM_MAX) {
      if (!(ct->part_sum = malloc(bs * sizeof *ct->part_sum))) return -1;
      ct->part_n = (int)bs - 1;
      for (size_t r = 0; r < bs; r++)
        for (size_t i = 0; i + 1 < PART_SUM_MAX; i++)
          ct->part_sum[r][i] = i < r ? ct->t[ct->part[r] + i] : UINT64_C(1) << 53;
    }
  }
  if (sc->nsites < 2 || sc->enrollment != TSIM_ENROLL_RANDOM) return 0;
  if (site_tree(sc, ct) != 0) return -1;
  if (N > BC_MAX_N) return 0;
  /* The tests' hook: a wider tail leaves more n to the fallback, which must change no draw. */
  const char *env = getenv("TSIM_SITE_TABLE_TAIL");
  double tail = env ? strtod(env, NULL) : NODE_TAIL;
  if (!(tail > 0 && tail < 0.5)) tail = NODE_TAIL;
  /* The budget counts the tables and node_off (two offsets per table entry's size). */
  size_t need = 1 + ((size_t)ct->nnodes * (N + 1) + 1) / 2;
  for (int j = 0; j < ct->nnodes; j++) {
    struct site_node *nd = &ct->nodes[j];
    node_range((unsigned)N, nd->share, tail, &nd->nlo, &nd->nhi);
    if (nd->p > 0 && nd->p < 1)
      for (size_t n = nd->nlo; n <= nd->nhi; n++) need += 2 * (n + 1);
  }
  if (need > SITE_TABLES_MAX) return 0;
  ct->node_t = malloc(need * sizeof *ct->node_t);
  ct->node_off = malloc((size_t)ct->nnodes * (N + 1) * sizeof *ct->node_off);
  if (!ct->node_t || !ct->node_off) return -1;
  for (size_t i = 0; i < (size_t)ct->nnodes * (N + 1); i++) ct->node_off[i] = NODE_NONE;
  size_t nfast = (size_t)ct->nnodes * (N + 1) << NODE_FAST_BITS;
  if (N < 255 && nfast <= NODE_FAST_MAX && !(ct->node_fast = calloc(nfast, 1))) return -1;
  uint32_t at = 0;
  for (int j = 0; j < ct->nnodes; j++) {
    double p = ct->nodes[j].p;
    if (!(p > 0 && p < 1)) continue;
    for (size_t n = ct->nodes[j].nlo; n <= ct->nodes[j].nhi; n++) {
      size_t jn = (size_t)j * (N + 1) + n;
      ct->node_off[jn] = at;
      bc_build(ct->node_t + at, (unsigned)n, (double)ct->nodes[j].thr * 0x1.0p-53);
      if (ct->node_fast) {
        int16_t out[1u << NODE_FAST_BITS];
        uint8_t *fast = ct->node_fast + (jn << NODE_FAST_BITS); /* (a local: the loop then vectorises) */
        tsim__bucket_outcomes(ct->node_t + at, (unsigned)n + 1, NODE_FAST_BITS, out);
        for (unsigned i = 0; i < (1u << NODE_FAST_BITS); i++)
          fast[i] = (uint8_t)(out[i] >= 0 ? (unsigned)out[i] + 1 : NODE_SLOW);
      }
      at += 2 * (uint32_t)(n + 1);
    }
  }
  return 0;
}

static int cell_tables(tsim_cohort_plan *plan) {
  const tsim_scenario *sc = plan->sc;
  int na = sc->narms;
  int part_bs = sc->rand_method == TSIM_RAND_BLOCK && na == 2 && sc->block_size <= PART_MAX_BLOCK
                    ? sc->block_size : 0;
  struct tsim_cell_tables *ct = calloc(1, sizeof *ct + tables_size(na, part_bs) * sizeof(uint64_t));
  if (!ct) return -1;
  double pmf[DV_PAIRS(DV_MAX_N)];
  uint32_t at = 0, dec = 0;
  for (unsigned n = 0; n <= DV_MAX_N; n++) {
    ct->dec_at[n] = dec;
    for (unsigned d = 0; d <= n; d++)
      for (unsigned v = 0; v + d <= n; v++, dec++) {
        ct->dec[dec][0] = (uint8_t)d;
        ct->dec[dec][1] = (uint8_t)v;
      }
  }
  for (int a = 0; a < na; a++)
    for (unsigned n = 0; n <= DV_MAX_N; n++) {
      unsigned x = 0;
      for (unsigned d = 0; d <= n; d++)
        for (unsigned v = 0; v + d <= n; v++)
          pmf[x++] = gsl_ran_binomial_pdf(d, sc->arms[a].dropout, n) *
                     gsl_ran_binomial_pdf(v, sc->arms[a].deviation, n - d);
      ct->dv[a][n] = at;
      tsim__cdf_thresholds(pmf, x, ct->t + at);
      guide(ct->t + at, x);
      int16_t out[1u << DV_FAST_BITS];
      tsim__bucket_outcomes(ct->t + at, x, DV_FAST_BITS, out);
      for (unsigned i = 0; i < (1u << DV_FAST_BITS); i++) {
        unsigned xi = out[i] < 0 ? 0u : (unsigned)out[i];
        const uint8_t *dv = ct->dec[ct->dec_at[n] + xi];
        ct->fast[a][n][i] = (uint8_t)(out[i] >= 0 ? (unsigned)dv[0] | (unsigned)dv[1] << 4 : DV_SLOW);
      }
      at += 2 * x;
    }
  ct->has_part = part_bs > 0;
  for (int r = 0; r < part_bs; r++) {
    unsigned b0 = plan->block_count[0], b1 = plan->block_count[1];
    for (int x = 0; x <= r; x++)
      pmf[x] = (unsigned)x <= b0 && (unsigned)(r - x) <= b1
                   ? gsl_ran_hypergeometric_pdf((unsigned)x, b0, b1, (unsigned)r) : 0;
    ct->part[r] = at;
    tsim__cdf_thresholds(pmf, (unsigned)r + 1, ct->t + at);
    guide(ct->t + at, (unsigned)r + 1);
    at += 2 * ((unsigned)r + 1);
  }
  plan->cells = ct;
  size_t ncell = (size_t)sc->nsites * (size_t)na;
  if (!(ct->dv_base = calloc((ncell + 15) / 16 * 16, sizeof *ct->dv_base))) return -1;
  for (size_t i = 0; i < ncell; i++) ct->dv_base[i] = (uint32_t)(i / (size_t)sc->nsites) << 14;
  if (site_tables(plan, ct) != 0) return -1;
  for (int i = 0; ct->part_sum && i < PART_SUM_MAX - 1; i++)
    for (int r = 0; r < 8; r++) ct->part_col[i][r] = r < sc->block_size ? ct->part_sum[r][i] : UINT64_C(1) << 53;
  return 0;
}

int tsim__cell_plan(tsim_cohort_plan *plan) {
  const tsim_scenario *sc = plan->sc;
  conditional(plan->arm_prob, sc->narms, plan->arm_cond, plan->arm_cond_thr);
  return cell_tables(plan);
}

void tsim__cell_plan_free(tsim_cohort_plan *plan) {
  if (plan->cells) {
    free(plan->cells->nodes);
    free(plan->cells->node_t);
    free(plan->cells->node_off);
    free(plan->cells->node_fast);
    free(plan->cells->divmod);
    free(plan->cells->part_sum);
    free(plan->cells->dv_base);
  }
  free(plan->cells);
  plan->cells = NULL;
}

/* Draws k of the pool (counts per arm) without replacement into out[], shrinking the pool.
 * A few patients (a block's remainder) are drawn one by one from the urn, one bounded integer
 * each; many (fixed randomisation) arm after arm by GSL's hypergeometric. */
#define URN_MAX 16
static void mv_hypergeometric(gsl_rng *r, unsigned *pool, int na, unsigned k, unsigned *out) {
  unsigned rest = 0;
  for (int a = 0; a < na; a++) rest += pool[a];
  if (k <= URN_MAX) {
    for (int a = 0; a < na; a++) out[a] = 0;
    for (; k > 0; k--, rest--) {
      uint32_t u = tsim_rng_below(r, rest);
      int a = 0;
      while (u >= pool[a]) u -= pool[a++];
      out[a]++;
      pool[a]--;
    }
    return;
  }
  for (int a = 0; a < na; a++) {
    rest -= pool[a];
    unsigned x = (a == na - 1 || k == 0) ? k : gsl_ran_hypergeometric(r, pool[a], rest, k);
    out[a] = x;
    pool[a] -= x;
    k -= x;
  }
}

/* The trial's ENROLL stream in c->rng, seeded when first needed: the draws of enrollment that
 * are not counter-based (binomials beyond the tables, randomisations other than two-arm
 * blocks) read it in turn. */
static gsl_rng *enroll_stream(tsim_cohort *c, uint64_t seed, long long trial) {
  if (!c->cell_ws->enroll_seeded) tsim_rng_seed_stream(c->rng, seed, (uint64_t)trial, TSIM_STREAM_ENROLL);
  c->cell_ws->enroll_seeded = 1;
  return c->rng;
}

/* Bin(n, p) (threshold thr) by inversion of the uniform bits u: the table from the thread's
 * cache up to BC_MAX_N; beyond, GSL's BTPE on the ENROLL stream. */
static unsigned binom_u(tsim_cohort *c, unsigned n, double p, uint64_t thr, uint64_t u, uint64_t seed,
                        long long trial) {
  if (n == 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n <= BC_MAX_N) return bc_invert(bc_table(c->cell_ws->bc, n, thr), n, u >> 11);
  return gsl_ran_binomial(enroll_stream(c, seed, trial), p, n);
}

/* The outcome of uniform bits k in the inversion table t of K outcomes (see invert): the guide's
 * start and one step unconditionally, and the search only in the rare case that needs more. */
static inline unsigned invert_step(const uint64_t *t, unsigned K, uint64_t k) {
  uint64_t x = t[K + ((k * K) >> 53)];
  x += k >= t[x];
  while (__builtin_expect(k >= t[x], 0)) x++;
  return (unsigned)x;
}

/* Random enrollment: the site multinomial Multinomial(N; weights) as a binary tree of
 * binomials. The root splits the N patients between the first half of the sites and the second
 * by Bin(N, W_first / W), each half is split again the same way, down to single sites; the
 * counts have the multinomial distribution (the conditional distribution of a multinomial's
 * part given its total is multinomial). Node j inverts draw j of the trial's ENROLL draws,
 * so the nodes of a level do not wait for one another, and there are log2(nsites) levels. */
static void site_sizes_tree(tsim_cohort *c, uint64_t seed, long long trial) {
  const struct tsim_cell_tables *ct = c->plan->cells;
  const uint64_t *u = c->draws;
  unsigned *nn = c->cell_ws->node_n;
  size_t stride = (size_t)c->n + 1;
  nn[0] = (unsigned)c->n;
  for (int j = 0; j < ct->nnodes; j++) {
    const struct site_node *nd = &ct->nodes[j];
    unsigned n = nn[j], x;
    size_t jn = (size_t)j * stride + n;
    if (ct->node_fast && nd->p > 0 && nd->p < 1 &&
        (x = ct->node_fast[jn << NODE_FAST_BITS | u[j] >> (64 - NODE_FAST_BITS)]) != NODE_SLOW)
      x--; /* the bucket decides */
    else if (ct->node_off && nd->p > 0 && nd->p < 1 && ct->node_off[jn] != NODE_NONE)
      x = invert_step(ct->node_t + ct->node_off[jn], n + 1, u[j] >> 11);
    else
      x = binom_u(c, n, nd->p, nd->thr, u[j], seed, trial);
    if (nd->left >= 0) nn[nd->left] = x;
    else c->site_n[nd->lo] = x;
    if (nd->right >= 0) nn[nd->right] = n - x;
    else c->site_n[nd->mid] = n - x;
  }
}

static void site_sizes(tsim_cohort *c, uint64_t seed, long long trial) {
  const tsim_scenario *sc = c->plan->sc;
  unsigned n = (unsigned)c->n, ns = (unsigned)sc->nsites;
  if (ns == 1) {
    c->site_n[0] = n;
  } else if (sc->enrollment == TSIM_ENROLL_RANDOM) {
    site_sizes_tree(c, seed, trial);
  } else {
    for (unsigned s = 0; s < ns; s++) c->site_n[s] = n / ns + (s < n % ns);
  }
}

/* The kernels' jobs of workspace c (see tsim_cell_ws). */
static void cell_jobs(tsim_cohort *c) {
  const tsim_cohort_plan *plan = c->plan;
  const tsim_scenario *sc = plan->sc;
  const struct tsim_cell_tables *ct = plan->cells;
  struct tsim_cell_ws *ws = c->cell_ws;
  size_t ns = (size_t)sc->nsites, per_ep = (size_t)sc->narms * ns;
  ws->split = (tsim_split_job){ns, c->site_n, c->draws + ns, ct->divmod, (const uint64_t(*)[8])ct->part_col,
                               ct->part_n, plan->block_count[0], plan->block_count[1], c->cell_n};
  ws->missing = (tsim_missing_job){ns, per_ep, tsim__ncells_padded(c->ncells) / TSIM_LANES, sc->nendpoints == 1,
                                   c->cell_n, c->draws, &ct->fast[0][0][0], ct->dv_base, &ct->dv[0][0],
                                   (const uint8_t(*)[2])ct->dec, ct->dec_at, ct->t, c->cell_drop, c->cell_dev,
                                   ws->m, ws->m1, ws->iters};
  ws->lanes = (tsim_lane_job){c->thr[0], c->thr[1], ws->m1, ws->m, ws->iters,
                              tsim__ncells_padded(c->ncells) / TSIM_LANES,
                              {c->resp_pp[0], c->resp_pp[1]}, {c->resp_dev[0], c->resp_dev[1]}, 0};
  ws->jobs_ready = 1;
}

/* arm_split for two arms in permuted blocks, when the plan has the division table: per site,
 * its full blocks and the partial block's split by draw nsites + s of the ENROLL draws, written
 * out for two arms; with blocks of at most PART_SUM_MAX, by a fixed number of comparisons (the
 * kernels' split_blocks), otherwise by the table search. */
static void arm_split_two_blocks(tsim_cohort *c) {
  const tsim_cohort_plan *plan = c->plan;
  const struct tsim_cell_tables *ct = plan->cells;
  size_t ns = (size_t)plan->sc->nsites;
  const uint64_t *u = c->draws + ns;
  unsigned b0 = plan->block_count[0], b1 = plan->block_count[1];
  if (ct->part_sum) {
    if (__builtin_expect(!c->cell_ws->jobs_ready, 0)) cell_jobs(c);
    tsim_kernels()->split_blocks(&c->cell_ws->split);
    return;
  }
  for (size_t s = 0; s < ns; s++) {
    uint32_t dm = ct->divmod[c->site_n[s]];
    unsigned full = dm >> 8, r = dm & 255;
    unsigned part0 = invert(ct->t + ct->part[r], r + 1, u[s] >> 11);
    c->cell_n[s] = full * b0 + part0;
    c->cell_n[ns + s] = full * b1 + (r - part0);
  }
}

static void arm_split(tsim_cohort *c, uint64_t seed, long long trial) {
  const tsim_cohort_plan *plan = c->plan;
  const tsim_scenario *sc = plan->sc;
  int na = sc->narms;
  if (plan->cells->divmod) {
    arm_split_two_blocks(c);
    return;
  }
  enroll_stream(c, seed, trial); /* the other randomisations read the ENROLL stream */
  unsigned pool[TSIM_MAX_ARMS];
  if (sc->rand_method == TSIM_RAND_FIXED)
    for (int a = 0; a < na; a++) pool[a] = (unsigned)plan->arm_count[a];
  for (int s = 0; s < sc->nsites; s++) {
    unsigned out[TSIM_MAX_ARMS], ns = c->site_n[s];
    if (sc->rand_method == TSIM_RAND_FIXED) {
      mv_hypergeometric(c->rng, pool, na, ns, out);
    } else if (sc->rand_method == TSIM_RAND_SIMPLE) {
      multinomial(c, c->rng, ns, na, plan->arm_cond, plan->arm_cond_thr, out);
    } else {
      unsigned bs = (unsigned)sc->block_size, full = ns / bs, r = ns % bs, part[TSIM_MAX_ARMS];
      if (plan->cells->has_part) { /* two arms: one draw from the plan's table */
        part[0] = r ? invert(plan->cells->t + plan->cells->part[r], r + 1, tsim_rng_next(c->rng) >> 11) : 0;
        part[1] = r - part[0];
      } else {
        for (int a = 0; a < na; a++) pool[a] = plan->block_count[a];
        mv_hypergeometric(c->rng, pool, na, r, part);
      }
      for (int a = 0; a < na; a++) out[a] = full * plan->block_count[a] + part[a];
    }
    for (int a = 0; a < na; a++) c->cell_n[tsim_cohort_cell(sc, s, a)] = out[a];
  }
}

/* Patient rows consistent with the cell table, for `trialsim cohort`: grouped by site and arm,
 * per-protocol patients first, then the deviating ones, then the dropouts; within each group
 * the first patients are the responders. */
static void expand(tsim_cohort *c) {
  const tsim_scenario *sc = c->plan->sc;
  int ne = sc->nendpoints, na = sc->narms;
  size_t per_ep = (size_t)sc->nsites * (size_t)na, j = 0;
  for (int s = 0; s < sc->nsites; s++)
    for (int a = 0; a < na; a++) {
      size_t cell = tsim_cohort_cell(sc, s, a);
      unsigned n = c->cell_n[cell], d = c->cell_drop[cell], v = c->cell_dev[cell];
      for (unsigned i = 0; i < n; i++, j++) {
        c->site[j] = (uint16_t)s;
        c->arm[j] = (uint8_t)a;
        unsigned miss = i >= n - d ? TSIM_CAT_DROP : i >= n - d - v ? TSIM_CAT_DEV : 0u;
        for (int e = 0; e < ne; e++) {
          size_t ec = (size_t)e * per_ep + cell;
          unsigned pos = miss == TSIM_CAT_DEV ? i - (n - d - v) : i, r0 = 0, r1 = 0;
          if (miss == 0) { r0 = pos < c->resp_pp[0][ec]; r1 = pos < c->resp_pp[1][ec]; }
          if (miss == TSIM_CAT_DEV) { r0 = pos < c->resp_dev[0][ec]; r1 = pos < c->resp_dev[1][ec]; }
          c->cat[j * (size_t)ne + (size_t)e] = (uint8_t)(miss | r0 | (r1 ? TSIM_PT_RESP_NULL : 0u));
        }
      }
    }
}

/* The dropouts d and deviations v of a cell of n > DV_MAX_N patients of arm a. */
static __attribute__((noinline)) void missing_large(tsim_cohort *c, gsl_rng *r, tsim_rng_state *st, size_t a,
                                                    unsigned n, unsigned *d, unsigned *v) {
  const tsim_cohort_plan *plan = c->plan;
  *d = binom(c->cell_ws->bc, r, st, n, plan->sc->arms[a].dropout, plan->drop_thr[a]);
  *v = binom(c->cell_ws->bc, r, st, n - *d, plan->sc->arms[a].deviation, plan->dev_thr[a]);
}

/* The dropouts and deviations of a cell of n <= DV_MAX_N patients of arm a from the uniform
 * bits u: d | v << 4. */
static inline unsigned dv_draw(const struct tsim_cell_tables *ct, size_t a, unsigned n, uint64_t u) {
  unsigned e = ct->fast[a][n][u >> (64 - DV_FAST_BITS)];
  if (__builtin_expect(e == DV_SLOW, 0)) {
    const uint8_t *dv = ct->dec[ct->dec_at[n] + invert(ct->t + ct->dv[a][n], DV_PAIRS(n), u >> 11)];
    e = (unsigned)dv[0] | (unsigned)dv[1] << 4;
  }
  return e;
}

/* missing_all's loop, with the number of arms na a constant where the caller knows it. Cell c
 * (arm-major) of up to DV_MAX_N patients takes draw c of the MISSING draws; larger cells read
 * the MISSING stream, seeded when the first of them comes. */
static inline __attribute__((always_inline)) int missing_cells(tsim_cohort *c, uint64_t seed, long long trial,
                                                              const size_t na) {
  const struct tsim_cell_tables *ct = c->plan->cells;
  struct tsim_cell_ws *ws = c->cell_ws;
  size_t ns = (size_t)c->plan->sc->nsites;
  const uint64_t *u = c->draws;
  int large = 0, seeded = 0;
  for (size_t a = 0; a < na; a++) {
    const uint8_t(*fast)[1u << DV_FAST_BITS] = ct->fast[a];
    for (size_t cell = a * ns; cell < (a + 1) * ns; cell++) {
      unsigned n = c->cell_n[cell], d, v;
      if (__builtin_expect(n > DV_MAX_N, 0)) {
        if (!seeded) tsim_rng_seed_stream(c->rng, seed, (uint64_t)trial, TSIM_STREAM_MISSING);
        seeded = 1;
        missing_large(c, c->rng, tsim_rng_state_of(c->rng), a, n, &d, &v);
        unsigned as = n - d, lane = as <= LANE_MAX;
        ws->m[cell] = lane ? as : 0;
        ws->m1[cell] = lane ? as - v : 0;
        large |= !lane;
      } else { /* n <= DV_MAX_N <= LANE_MAX: a lane cell */
        unsigned e = fast[n][u[cell] >> (64 - DV_FAST_BITS)]; /* n = 0: the table of 0 says (0, 0) */
        if (__builtin_expect(e == DV_SLOW, 0)) e = dv_draw(ct, a, n, u[cell]);
        d = e & 15;
        v = e >> 4;
        ws->m[cell] = n - d;
        ws->m1[cell] = n - d - v;
      }
      c->cell_drop[cell] = d;
      c->cell_dev[cell] = v;
    }
  }
  return large;
}

/* Each cell's dropouts and deviations into the cell table (missing_cells), and with `lanes` what
 * the lanes need (see "responders, eight cells at a time"): each lane cell's per-protocol and
 * assessed patients, for every end point, and each group's largest cell. The latent model's rows
 * need the table only. */
static void missing_all(tsim_cohort *c, uint64_t seed, long long trial, int lanes) {
  const tsim_scenario *sc = c->plan->sc;
  struct tsim_cell_ws *ws = c->cell_ws;
  size_t per_ep = (size_t)sc->narms * (size_t)sc->nsites;
  if (__builtin_expect(!ws->jobs_ready, 0)) cell_jobs(c);
  /* The kernels' version, which gives up when a cell has more than DV_MAX_N patients (then
   * missing_cells draws every cell again). Only AVX-512's pays: elsewhere, trying first costs
   * more than the scalar loop saves (the same numbers either way; tests/vector.sh compares
   * the two routes). */
  if (tsim_kernels()->avx512 && tsim_kernels()->missing_small(&ws->missing) == 0) {
    ws->large = 0;
    if (sc->nendpoints == 1) return; /* it found each group's largest cell too */
  } else {
    ws->large = sc->narms == 2 ? missing_cells(c, seed, trial, 2) : missing_cells(c, seed, trial, (size_t)sc->narms);
  }
  if (!lanes) return;
  for (int e = 1; e < sc->nendpoints; e++) { /* every end point's cells have the same patients */
    memcpy(ws->m + (size_t)e * per_ep, ws->m, per_ep * sizeof *ws->m);
    memcpy(ws->m1 + (size_t)e * per_ep, ws->m1, per_ep * sizeof *ws->m1);
  }
  size_t ngroups = tsim__ncells_padded(c->ncells) / TSIM_LANES;
  for (size_t g = 0; g < ngroups; g++) {
    const uint64_t *m = ws->m + TSIM_LANES * g;
    uint64_t most = m[0];
    for (int l = 1; l < TSIM_LANES; l++) most = m[l] > most ? m[l] : most;
    ws->iters[g] = (uint32_t)most;
  }
}

/* One cell's responders on end point e by responders(), for the cells the lanes leave to it
 * (more than LANE_MAX assessed patients): cached tables where the probabilities are the same
 * every trial, Bernoulli sums or BTPE where they are not. */
static __attribute__((noinline)) void responders_cell(tsim_cohort *c, gsl_rng *r, tsim_rng_state *st,
                                                      size_t ec, unsigned v, unsigned m1) {
  double p[2] = {c->p_eff[0][ec], c->p_eff[1][ec]};
  uint64_t t[2] = {c->thr[0][ec], c->thr[1][ec]};
  int stable = c->plan->sc->heterogeneity_sd == 0;
  unsigned r_pp[2], r_dev[2];
  responders(c->cell_ws->bc, r, st, m1, p, t, stable, r_pp);
  responders(c->cell_ws->bc, r, st, v, p, t, stable, r_dev);
  for (int h = 0; h < 2; h++) {
    c->resp_pp[h][ec] = r_pp[h];
    c->resp_dev[h][ec] = r_dev[h];
  }
}

/* Each cell's responders under both hypotheses, given its dropouts and deviations, into the cell
 * table: lane cells from the OUTCOME lanes, eight at a time, then the larger cells in table
 * order from the OUTCOME stream (see "responders, eight cells at a time"). */
static void responders_all(tsim_cohort *c, uint64_t seed, long long trial) {
  const tsim_scenario *sc = c->plan->sc;
  struct tsim_cell_ws *ws = c->cell_ws;
  size_t per_ep = (size_t)sc->nsites * (size_t)sc->narms, ncells = c->ncells;
  if (__builtin_expect(!ws->jobs_ready, 0)) cell_jobs(c);
  ws->lanes.key = tsim__rng_stream_key(seed, (uint64_t)trial, TSIM_STREAM_OUTCOME_LANES);
  tsim_kernels()->lanes(&ws->lanes);
  if (!ws->large) return;
  gsl_rng *r = c->rng2;
  tsim_rng_seed_stream(r, seed, (uint64_t)trial, TSIM_STREAM_OUTCOME);
  tsim_rng_state st = *tsim_rng_state_of(r);
  for (size_t ec = 0, cell = 0; ec < ncells; ec++, cell = cell + 1 == per_ep ? 0 : cell + 1) {
    unsigned d = c->cell_drop[cell], v = c->cell_dev[cell], m1 = c->cell_n[cell] - d - v;
    if (m1 + v > LANE_MAX) responders_cell(c, r, &st, ec, v, m1);
  }
  *tsim_rng_state_of(r) = st;
}

/* The bytes lo .. hi - 1 of a 64-bit word (little-endian: byte i is patient i of eight), set;
 * 0 <= lo <= hi <= 8. */
static inline uint64_t byte_span(size_t lo, size_t hi) {
  uint64_t up = hi >= 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * hi)) - 1;
  uint64_t below = lo >= 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * lo)) - 1;
  return up & ~below;
}

/* x - i clamped to 0 .. 8: where patient x falls in the eight from patient i. */
static inline size_t clamp8(size_t x, size_t i) { return x <= i ? 0 : x - i >= 8 ? 8 : x - i; }

/* The latent model's patients from the cell table (tsim__cohort_enroll_cells): site by site,
 * arm by arm, the per-protocol patients, then the deviating ones, then the dropouts (first
 * visit missed: 0; their deviation is not observed and is written 0). Eight patients at a time
 * by whole-word stores: cells hold a few patients, and byte loops or calls to memset per run
 * would cost more than the rows. Stores past a cell's end are overwritten by the next cell's,
 * and past the last patient fall in the arrays' TSIM_ROW_SLACK; pat.sub stays 0. */
static void latent_rows(tsim_cohort *c) {
  const tsim_scenario *sc = c->plan->sc;
  const uint64_t ones = UINT64_C(0x0101010101010101);
  int na = sc->narms;
  uint64_t nv = (uint64_t)sc->nvisits * ones;
  uint8_t *dev = c->pat.dev, *g0 = c->pat.gone[0], *g1 = c->pat.gone[1], *arm = c->arm;
  uint16_t *site = c->site;
  size_t j = 0;
  for (int s = 0; s < sc->nsites; s++) {
    uint64_t s4 = (uint64_t)s * UINT64_C(0x0001000100010001);
    for (int a = 0; a < na; a++) {
      size_t cell = tsim_cohort_cell(sc, s, a);
      size_t n = c->cell_n[cell], seen = n - c->cell_drop[cell], pp = seen - c->cell_dev[cell];
      uint64_t a8 = (uint64_t)a * ones;
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
      for (size_t i = 0; i < n; i++) { /* the words' byte i is patient i only in little-endian */
        site[j + i] = (uint16_t)s;
        arm[j + i] = (uint8_t)a;
        dev[j + i] = i >= pp && i < seen;
        g0[j + i] = g1[j + i] = (uint8_t)(i < seen ? nv : 0);
      }
      (void)s4, (void)a8;
#else
      for (size_t i = 0; i < n; i += 8) {
        uint64_t d = byte_span(clamp8(pp, i), clamp8(seen, i)) & ones, g = byte_span(0, clamp8(seen, i)) & nv;
        memcpy(site + j + i, &s4, 8);
        memcpy(site + j + i + 4, &s4, 8);
        memcpy(arm + j + i, &a8, 8);
        memcpy(dev + j + i, &d, 8);
        memcpy(g0 + j + i, &g, 8);
        memcpy(g1 + j + i, &g, 8);
      }
#endif
      j += n;
    }
  }
}

/* Enrollment and randomisation (ENROLL draws 0 .. nsites - 2: the site tree; nsites + s: site
 * s's partial block), then each cell's dropouts and deviations (MISSING draws); with
 * `binary`, the cells' response probabilities between the two (tsim__cohort_p_eff: their
 * vector arithmetic runs alongside the chain of table lookups of the site tree, out of order)
 * and what the responders' lanes read after them. */
static inline __attribute__((always_inline)) void cell_counts(tsim_cohort *c, uint64_t seed, long long trial,
                                                             int binary) {
  const tsim_scenario *sc = c->plan->sc;
  size_t ns = (size_t)sc->nsites;
  tsim_rng_draws(tsim__rng_stream_key(seed, (uint64_t)trial, TSIM_DRAWS_ENROLL), 0, 2 * ns, c->draws);
  c->cell_ws->enroll_seeded = 0;
  site_sizes(c, seed, trial);
  if (binary) tsim__cohort_p_eff(c);
  arm_split(c, seed, trial);
  tsim_rng_draws(tsim__rng_stream_key(seed, (uint64_t)trial, TSIM_DRAWS_MISSING), 0, ns * (size_t)sc->narms,
                 c->draws);
  missing_all(c, seed, trial, binary);
}

void tsim__cohort_enroll_cells(tsim_cohort *c, uint64_t seed, long long trial) {
  cell_counts(c, seed, trial, 0);
  latent_rows(c);
}

void tsim__cohort_sample_cells(tsim_cohort *c, uint64_t seed, long long trial) {
  /* The counts, then the responders (OUTCOME lanes). */
  cell_counts(c, seed, trial, 1);
  responders_all(c, seed, trial);
  if (c->keep_patients) expand(c);
}
