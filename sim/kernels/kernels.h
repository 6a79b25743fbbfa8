/* kernels.h - every stage that has vector variants, and the one table that picks them.
 *
 * Each stage here has a scalar (or generic-vector) reference and its variants for wider
 * targets side by side in sim/kernels/, all computing the same numbers bit for bit (the
 * contract is in sim/kernels/README.md). The stages take plain arrays and the small parameter
 * structs below - nothing of the layers above (model, analysis, run): kernels is the layer just
 * above core, and every caller packs its own data. The variants are chosen ONCE per process, by
 * dispatch.c's constructor (before main, through tsim_kernels_for), into one table that
 * tsim_kernels() returns; nothing else
 * chooses a variant. tsim_kernels_for fills a table for any target, for the tests that run
 * every variant against the reference. */
#ifndef TSIM_KERNELS_H
#define TSIM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "core/fastexp.h"
#include "core/isa.h"

/* ceil(p 2^53) for 0 <= p <= 1: a Bernoulli(p) draw on 53 uniform bits k is "k < this"
 * (model/cohort.c explains). p 2^53 and its truncation are exact in this range, so one
 * comparison rounds up, without a call to ceil. */
static inline uint64_t tsim__threshold(double p) {
  double x = p * 0x1.0p53;
  int64_t t = (int64_t)x; /* signed: one conversion instruction each way */
  return (uint64_t)(t + ((double)t < x));
}

/* ---- tsim__threshold of eight probabilities in [0, 1] -------------------------------------------
 * Without converting to integers (which AVX2 and SSE2 cannot do in vector registers): x = p 2^53
 * is an integer when x >= 2^52, read from its bits; below, y = x + 2^52 rounds x to an integer
 * held in y's low bits, and adding 1 when that integer is below x gives the ceiling. The same
 * thresholds as tsim__threshold (tested). */
static inline __attribute__((always_inline)) void tsim__threshold8(const tsim_f64x8 *p, tsim_s64x8 *t) {
  const tsim_f64x8 x = *p * 0x1.0p53, two52 = x * 0 + 0x1.0p52;
  const tsim_f64x8 y = x + two52;
  const tsim_s64x8 big = x >= two52, below = (y - two52) < x; /* -1 or 0 */
  const tsim_s64x8 tb = (tsim_s64x8)x - 0x4320000000000000LL;            /* bits(x) - bits(2^52) + 2^52 */
  const tsim_s64x8 ts = (tsim_s64x8)y - 0x4330000000000000LL - below;    /* round(x) + (round(x) < x) */
  *t = (big & tb) | (~big & ts);
}

/* ---- the stages' parameters -------------------------------------------------------------------- */

/* p_eff_rows (model/stages.c's tsim__cohort_p_eff, before the anomalies): every cell's response
 * probability p[h][e nsites narms + a nsites + s] and threshold thr[h][...] under both
 * hypotheses. Rows go eight sites at a time and a row's last vector may spill past its end
 * into rows written after it, or into the arrays' slack (allocated to whole groups of eight
 * past the cells, and site_effect/site_f to whole vectors past nsites). */
typedef struct tsim_peff_rows {
  int nsites, narms, nendpoints, control;
  int het;                   /* heterogeneity on: the site effects apply */
  int site_big;              /* some |site effect| >= 700 (tsim_exp8's range) */
  const double *sign;        /* [nendpoints] -1 where higher is better (exp(-b)), +1 otherwise */
  const double *p;           /* [e stride + a] the alternative's base probabilities */
  const double *inv_odds;    /* [e stride + a] their (1 - p) / p */
  size_t stride;
  const double *site_effect; /* [nsites, whole vectors] */
  double *site_f;            /* [nsites, whole vectors] scratch */
  double *p_eff[2];
  uint64_t *thr[2];
} tsim_peff_rows;

/* p_eff_flat: p_eff_rows' numbers, anomalies included, in the cell table's order, for plans
 * whose end points' sites fit one table of 16 (model/stages.c's peff_flat_plan builds it; a
 * trial with site_big takes p_eff_rows instead). */
typedef struct tsim_peff_group {
  int64_t fidx[8];      /* each cell's table entry, e nsites + s (0 past the cells) */
  double io[8];         /* inv_odds of the cell's arm under the alternative (1 past the cells) */
  double fix_p[2][8];   /* by hypothesis: the fixed probability where fix has the cell's bit */
  int64_t fix_t[2][8];  /* its threshold */
  uint8_t fix[2];       /* by hypothesis: the cells with a fixed probability */
} tsim_peff_group;
typedef struct tsim_peff_flat {
  int64_t tab_site[16]; /* table entry j = e nsites + s: site s (0 past the entries) */
  double tab_sign[16];  /* p_eff_rows' sign of end point e: -1 efficacy, +1 harmful */
  double tab_io[16];    /* end point e's control inv_odds (the null twin's, at every arm) */
  size_t ngroups;
  tsim_peff_group g[];  /* [ncells rounded up to 8, / 8] */
} tsim_peff_flat;

/* lanes (model/cellsample.c, "responders, eight cells at a time"): each lane cell's responders
 * under both hypotheses from the eight OUTCOME lanes seeded from key. */
typedef struct tsim_lane_job {
  const uint64_t *t0, *t1;   /* [groups * 8] thresholds, by hypothesis */
  const uint64_t *m1, *m;    /* [groups * 8] per-protocol and assessed patients */
  const uint32_t *iters;     /* [groups] the group's largest m */
  size_t ngroups;
  uint32_t *pp[2], *dev[2];  /* [groups * 8] the counts, by hypothesis */
  uint64_t key;              /* the lanes' splitmix64 key (tsim__rng_stream_key) */
} tsim_lane_job;

/* The search of an inversion table t of K outcomes (model/cellsample.c's guide tables: t[0..K)
 * the thresholds on 53 uniform bits, t[K + i] where outcome search of the i-th K-th of the
 * uniforms starts): the outcome of the 53-bit uniform k. */
static inline unsigned tsim__invert(const uint64_t *t, unsigned K, uint64_t k) {
  uint64_t x = t[K + ((k * K) >> 53)];
  while (k >= t[x]) x++;
  return (unsigned)x;
}

/* split_blocks (model/cellsample.c's arm_split, two arms in permuted blocks, with a division
 * table and blocks of at most 8): per site s, its full blocks and the partial block's split by
 * the uniform u[s] - the first arm's count of the partial block of r is the number of its
 * thresholds part_col[i][r] (i < part_n) at or below u[s] >> 11. */
typedef struct tsim_split_job {
  size_t nsites;
  const unsigned *site_n;          /* [nsites] patients per site */
  const uint64_t *u;               /* [nsites, whole vectors] the ENROLL draws nsites + s */
  const uint32_t *divmod;          /* [site size] n / block_size << 8 | n % block_size */
  const uint64_t (*part_col)[8];   /* [part_n][r] the partial block's thresholds, by column */
  int part_n;                      /* block_size - 1 */
  unsigned b0, b1;                 /* each arm's patients in a full block */
  uint32_t *cell_n;                /* [2 nsites] out: the cells' patients (arm-major) */
} tsim_split_job;

/* missing_small (model/cellsample.c's missing_cells, when no cell has more than
 * TSIM_DV_MAX_N patients): each cell's dropouts d and deviations v by the uniform u[cell], from
 * the top TSIM_DV_FAST_BITS bits alone (fast) or, where that bucket straddles two pairs
 * (TSIM_DV_SLOW), by the table search; and what the lanes need. It GIVES UP - returns -1 - as
 * soon as it meets a cell of more than TSIM_DV_MAX_N patients, having written nothing the
 * caller's scalar loop (which then runs over every cell) does not write again; 0 otherwise. */
#define TSIM_DV_MAX_N 15
#define TSIM_DV_FAST_BITS 10
#define TSIM_DV_SLOW 0xffu /* (15, 15): no cell of at most TSIM_DV_MAX_N patients has it */
typedef struct tsim_missing_job {
  size_t nsites, ncell;       /* the cells of one end point: nsites narms */
  size_t ngroups;             /* the lane groups of every end point's cells */
  int one_endpoint;           /* write iters too (every end point's cells have the same m) */
  const uint32_t *cell_n;     /* [ncell] patients */
  const uint64_t *u;          /* [ncell, whole vectors of 16] the MISSING draws */
  /* The tables (model/cellsample.c's cell tables): */
  const uint8_t *fast;        /* [arm][TSIM_DV_MAX_N + 1][1 << TSIM_DV_FAST_BITS] d | v << 4, or
                                 TSIM_DV_SLOW; at least 3 readable bytes follow it */
  const uint32_t *dv_base;    /* [ncell, whole vectors of 16] cell of arm a: a << 14 */
  const uint32_t *dv;         /* [arm (TSIM_DV_MAX_N + 1) + n] where the search table starts in t */
  const uint8_t (*dec)[2];    /* [dec_at[n] + outcome] the (d, v) of an outcome of the search */
  const uint32_t *dec_at;     /* [TSIM_DV_MAX_N + 1] */
  const uint64_t *t;
  uint32_t *drop, *dev;       /* [ncell] out */
  uint64_t *m, *m1;           /* [ncell] out: assessed (n - d) and per-protocol (n - d - v) */
  uint32_t *iters;            /* [ngroups] out when one_endpoint: each group's largest m */
} tsim_missing_job;

/* The (d, v) of a cell of n <= TSIM_DV_MAX_N patients of arm a from the uniform bits u: d | v << 4. */
static inline unsigned tsim__dv_draw(const tsim_missing_job *j, size_t a, unsigned n, uint64_t u) {
  unsigned e = j->fast[((a * (TSIM_DV_MAX_N + 1) + n) << TSIM_DV_FAST_BITS) + (u >> (64 - TSIM_DV_FAST_BITS))];
  if (__builtin_expect(e == TSIM_DV_SLOW, 0)) {
    unsigned K = (n + 1) * (n + 2) / 2;
    const uint8_t *dv = j->dec[j->dec_at[n] + tsim__invert(j->t + j->dv[a * (TSIM_DV_MAX_N + 1) + n], K, u >> 11)];
    e = (unsigned)dv[0] | (unsigned)dv[1] << 4;
  }
  return e;
}

/* Every comparison of one trial under both hypotheses, as arrays: the trial loop's fast path
 * (analysis.h's tsim_analysis_eval_block). Slot i = h nanalyses + k holds analysis k under
 * hypothesis h (two-arm designs: one comparison per analysis); the slots from 2 nanalyses up
 * to nslots, a multiple of 8, are empty (no patients, nothing rejected), so that vector code may
 * read and write whole groups of eight. Each field means what tsim_outcome's does, except diff,
 * which is 0 where undefined (not NaN). */
#define TSIM_BLOCK_SLOTS 128 /* 2 TSIM_MAX_ANALYSES (checked in analysis/workspace.h) */
typedef struct tsim_outcome_block {
  int nslots;
  int64_t x0[TSIM_BLOCK_SLOTS], n0[TSIM_BLOCK_SLOTS], x1[TSIM_BLOCK_SLOTS], n1[TSIM_BLOCK_SLOTS];
  int64_t sites_dropped[TSIM_BLOCK_SLOTS];
  int64_t reject[TSIM_BLOCK_SLOTS], favouring[TSIM_BLOCK_SLOTS], defined[TSIM_BLOCK_SLOTS]; /* 0 or 1 */
  double diff[TSIM_BLOCK_SLOTS];
  int64_t near[TSIM_BLOCK_SLOTS]; /* scratch: -1 where the cached decision needs the p-value */
} tsim_outcome_block;

/* block_eval's constants, slot by slot: the analysis's chi-square critical value, tolerance and
 * 'N-1' flag (analysis/decide.h), and -1 where its end point's higher values are better. */
typedef struct tsim_block_consts {
  double crit[TSIM_BLOCK_SLOTS], tol[TSIM_BLOCK_SLOTS], nm1[TSIM_BLOCK_SLOTS];
  int64_t higher[TSIM_BLOCK_SLOTS];
} tsim_block_consts;

/* Differences are summed in fixed point: round(d scale), scale = TSIM_FIXED_SCALE / bound. */
#define TSIM_FIXED_SCALE 281474976710656.0 /* 2^48 */

/* block_add's sums over a chunk of trials, slot by slot (run/block.c): the same
 * integers the tally adds trial by trial. */
typedef struct tsim_block_sums {
  uint64_t reject[TSIM_BLOCK_SLOTS], favouring[TSIM_BLOCK_SLOTS], defined[TSIM_BLOCK_SLOTS];
  uint64_t n0[TSIM_BLOCK_SLOTS], n1[TSIM_BLOCK_SLOTS], n_sq[TSIM_BLOCK_SLOTS], dropped[TSIM_BLOCK_SLOTS];
  int64_t diff[TSIM_BLOCK_SLOTS], diff_sq[TSIM_BLOCK_SLOTS];
  double scale[TSIM_BLOCK_SLOTS]; /* the slot's fixed-point scale (read only) */
} tsim_block_sums;

/* Draws first .. first + n - 1 of key (core/rng.h's tsim_rng_draw) into out[0 .. n-1], eight at
 * a time (the table's draws); out must have room for n rounded up to a multiple of 8. */
void tsim_rng_draws(uint64_t key, uint64_t first, size_t n, uint64_t *out);

/* ---- t_lanes: eight two-arm t tests at once (analysis/ptanalysis.c eval_t_lanes) ----------------
 * Lane i: arm a's (0 the control, 1 the other) patients n[a][i], sum s[a][i] and sum of squares
 * q[a][i] of its values less the centre c[a][i]; pooled[i] nonzero for Student's test, 0 for
 * Welch's. Out: each arm's mean c + s/n and SD sqrt(max(q - s m, 0) / (n - 1)) (meaningful where
 * n > 1), the difference of the means (c1 - c0) + (m1 - m0), and the test's degrees of freedom,
 * standard error and t = (mean1 - mean0) / se as stats/contest.h's tsim__t_core computes them
 * (meaningful where both n > 1) - the same bits as the scalar code. */
typedef struct tsim_t_lanes {
  double n[2][8], s[2][8], q[2][8], c[2][8], pooled[8];     /* in */
  double mean[2][8], sd[2][8], diff[8], df[8], se[8], t[8]; /* out */
} tsim_t_lanes;

/* ---- the table ------------------------------------------------------------------------------- */
typedef struct tsim_kernel_table {
  tsim_isa isa;  /* the target the table was filled for */
  int avx512;    /* the AVX-512 intrinsic variants are in it (the target is AVX-512 or wider, or
                    the build's own instruction set is): the stages whose only vector variant is
                    AVX-512 are worth their plan-time tables, and the block path pays */
  /* tsim_rng_draws: out[i] = splitmix64 output first + i + 1 of key. */
  void (*draws)(uint64_t key, uint64_t first, size_t n, uint64_t *out);
  /* The site effects' fast path: site s's effect sd x for the draws draws[s] that
   * tsim_rng_normal_fast finishes; *big = some |effect| >= 700; the sites it cannot finish
   * listed in slow[] in order, their number returned. site_effect is written for whole vectors
   * past nsites (0 there, and at the slow sites the caller then fills). */
  int (*site_normals)(const uint64_t *draws, int nsites, double sd, double *site_effect, int *slow, int *big);
  void (*p_eff_rows)(const tsim_peff_rows *a);
  void (*p_eff_flat)(const tsim_peff_flat *pf, const double *site_effect, double *p_eff[2], uint64_t *thr[2]);
  void (*split_blocks)(const tsim_split_job *j);
  int (*missing_small)(const tsim_missing_job *j);
  void (*lanes)(const tsim_lane_job *j);
  void (*block_eval)(const tsim_block_consts *k, tsim_outcome_block *b);
  void (*block_add)(tsim_block_sums *a, const tsim_outcome_block *b);
  void (*t_lanes)(tsim_t_lanes *j);
  /* Exp(1) deviates: out[i] = tsim_exp1_of(w[i]) (core/fastlog.h), w[i] a word's 53 bits. */
  void (*exp1)(const uint64_t *w, size_t n, double *out);
} tsim_kernel_table;

/* The process's table (dispatch.c): filled by a constructor when the program starts, before
 * main and any thread, for tsim_isa_pick's target (TSIM_VECTOR overrides), and never again. Read
 * it through tsim_kernels() (an inline load: the stages are called per trial). */
extern tsim_kernel_table tsim__kernel_table;
static inline const tsim_kernel_table *tsim_kernels(void) { return &tsim__kernel_table; }
/* The table for target isa: 0, or -1 (t untouched) when this processor or this build lacks it. */
int tsim_kernels_for(tsim_isa isa, tsim_kernel_table *t);

#endif
