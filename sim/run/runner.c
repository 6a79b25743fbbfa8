/* runner.c - the parallel trial loop and its exact reduction (see runner.h). */
#include "run/runner.h"

#include "analysis/multiplicity.h"
#include "core/fastexp.h"
#include "kernels/kernels.h"
#include "model/estimand.h"
#include "run/block.h"
#include "run/sequential.h"
#include "stats/stattest.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

int tsim_pbin(double p) {
  if (isnan(p)) return TSIM_PBINS;
  /* The smallest i with tsim_reject(p, i / TSIM_PBINS), found from floor(p TSIM_PBINS) + 1
   * and corrected by the rule itself, which is what a run at that alpha decides. */
  int i = p < 0 ? 1 : p >= 1 ? TSIM_PBINS : (int)(p * TSIM_PBINS) + 1;
  while (i > 1 && tsim_reject(p, (double)(i - 1) / TSIM_PBINS)) i--;
  while (i <= TSIM_PBINS && !tsim_reject(p, (double)i / TSIM_PBINS)) i++;
  return i > TSIM_PBINS ? TSIM_PBINS - 1 : i - 1;
}

/* The estimands' true values of sc (tsim_estimand_truth), computed by the first caller and
 * kept with the scenario (tsim_scenario.truth_cache: a value derived from it once, filled under
 * a lock; the scenario is otherwise never written); NULL when out of memory. */
static const double *estimand_truth(const tsim_scenario *sc) {
  const double *tr;
#pragma omp critical(tsim_truth)
  {
    if (!sc->truth_cache) {
      size_t nc = (size_t)sc->nanalyses * (size_t)tsim_scenario_ncomparisons(sc);
      double *x = malloc(4 * nc * sizeof *x);
      long long pts = 0;
      if (x && tsim_estimand_truth(sc, x, x + 2 * nc, &pts) == TSIM_OK) {
        tsim_scenario *w = (tsim_scenario *)sc; /* allocated mutable by the loader */
        w->truth_patients = pts;
        w->truth_cache = x;
      } else {
        free(x);
      }
    }
    tr = sc->truth_cache;
  }
  return tr;
}

tsim_tally *tsim_tally_new(const tsim_scenario *sc, int p_values) {
  tsim_tally *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  int ncmp = tsim_scenario_ncomparisons(sc);
  t->ncomp = sc->nanalyses * ncmp;
  /* Pairs of analyses of the same experimental arm: every pair when there are two arms. */
  int maxpairs = t->ncomp * (t->ncomp - 1) / 2;
  t->pairs = malloc(((size_t)maxpairs + 1) * sizeof *t->pairs);
  for (int h = 0; h < 2; h++) {
    t->cell[h] = calloc((size_t)t->ncomp, sizeof *t->cell[h]);
    t->both[h] = calloc((size_t)maxpairs + 1, sizeof *t->both[h]);
  }
  if (!t->pairs || !t->cell[0] || !t->cell[1] || !t->both[0] || !t->both[1]) {
    tsim_tally_free(t);
    return NULL;
  }
  int equivalence = 0, margins = 0;
  for (int a = 0; a < sc->nanalyses; a++) {
    equivalence |= sc->analyses[a].hypothesis == TSIM_HYPO_EQUIVALENCE;
    margins |= sc->analyses[a].hypothesis != TSIM_HYPO_SUPERIORITY;
  }
  int events = sc->nevents > 0;
  if ((margins || events) && !(t->margin = calloc((size_t)t->ncomp, 1))) {
    tsim_tally_free(t);
    return NULL;
  }
  for (int k = 0; (margins || events) && k < t->ncomp; k++) {
    const tsim_analysis *an = &sc->analyses[k / ncmp];
    t->margin[k] = events || an->hypothesis != TSIM_HYPO_SUPERIORITY;
    if (!events && an->hypothesis != TSIM_HYPO_SUPERIORITY &&
        (an->test == TSIM_TEST_MN_STRATIFIED || an->test == TSIM_TEST_MIETTINEN_NURMINEN))
      t->margin[k] = 2; /* the outcomes say whether their intervals hold the truth (tsim_outcome.cover) */
  }
  if (equivalence && !(t->cell_up = calloc((size_t)t->ncomp, sizeof *t->cell_up))) {
    tsim_tally_free(t);
    return NULL;
  }
  for (int h = 0; h < 3; h++)
    for (int k = 0; k < t->ncomp && (h < 2 || t->cell_up); k++) {
      tsim_tally_cell *c = h < 2 ? &t->cell[h][k] : &t->cell_up[k];
      const tsim_analysis *an = &sc->analyses[k / ncmp];
      c->scale = TSIM_FIXED_SCALE / tsim_analysis_diff_bound(sc, k / ncmp);
      c->truth = h == 0 ? tsim_analysis_truth(sc, k / ncmp, k % ncmp) : an->margin[h == 2];
    }
  if (events) { /* the estimands' true values (margins do not go with events) */
    const double *tr = estimand_truth(sc);
    if (!tr) {
      tsim_tally_free(t);
      return NULL;
    }
    t->truth_patients = sc->truth_patients;
    for (int h = 0; h < 2; h++)
      for (int k = 0; k < t->ncomp; k++) {
        t->cell[h][k].truth = tr[h * t->ncomp + k];
        t->cell[h][k].truth_se = tr[(2 + h) * t->ncomp + k];
      }
  }
  for (int a = 0; a < sc->nanalyses; a++)
    for (int b = a + 1; b < sc->nanalyses; b++)
      for (int j = 0; j < ncmp; j++)
        t->pairs[t->npairs++] = (tsim_pair){a * ncmp + j, b * ncmp + j};
  t->nproc = sc->nprocedures;
  t->ncmp = ncmp;
  t->pstride = sc->nanalyses + 2;
  if (t->nproc > 0)
    for (int h = 0; h < 2; h++) {
      t->proc[h] = calloc((size_t)t->nproc * (size_t)ncmp * (size_t)t->pstride, sizeof *t->proc[h]);
      t->proc_fav[h] = calloc((size_t)t->nproc * (size_t)ncmp * (size_t)t->pstride, sizeof *t->proc_fav[h]);
      if (!t->proc[h] || !t->proc_fav[h]) { tsim_tally_free(t); return NULL; }
    }
  if (p_values)
    for (int h = 0; h < 2; h++) {
      t->pdist[h] = calloc((size_t)t->ncomp * (TSIM_PBINS + 1), sizeof *t->pdist[h]);
      if (!t->pdist[h]) { tsim_tally_free(t); return NULL; }
    }
  t->timed = sc->accrual.mode != TSIM_ACCRUAL_NONE;
  t->nlooks = t->timed ? sc->looks.n : 0;
  if (t->timed) {
    t->look_held = calloc((size_t)(t->nlooks > 0 ? t->nlooks : 1), sizeof *t->look_held);
    t->look_due = calloc((size_t)(t->nlooks > 0 ? t->nlooks : 1), sizeof *t->look_due);
    if (!t->look_held || !t->look_due) { tsim_tally_free(t); return NULL; }
  }
  for (int h = 0; h < 2 && t->timed; h++) {
    size_t nc = (size_t)t->ncomp, nl = nc * (size_t)(t->nlooks > 0 ? t->nlooks : 1);
    t->rand_sum[h] = calloc(nc, sizeof *t->rand_sum[h]);
    t->rand_sq[h] = calloc(nc, sizeof *t->rand_sq[h]);
    t->months_sum[h] = calloc(nc, sizeof *t->months_sum[h]);
    t->months_sq[h] = calloc(nc, sizeof *t->months_sq[h]);
    t->stop_eff[h] = calloc(nl, sizeof *t->stop_eff[h]);
    t->stop_fav[h] = calloc(nl, sizeof *t->stop_fav[h]);
    t->stop_fut[h] = calloc(nl, sizeof *t->stop_fut[h]);
    if (!t->rand_sum[h] || !t->rand_sq[h] || !t->months_sum[h] || !t->months_sq[h] || !t->stop_eff[h] ||
        !t->stop_fav[h] || !t->stop_fut[h]) {
      tsim_tally_free(t);
      return NULL;
    }
  }
  const tsim_monitoring *mo = &sc->monitoring;
  if (mo->nrules > 0) {
    size_t R = (size_t)mo->nrules, S = (size_t)sc->nsites, C = (size_t)mo->nchecks + 1;
    t->mon_rules = mo->nrules;
    t->mon_sites = sc->nsites;
    t->mon_checks = mo->nchecks;
    t->mon_flag_anom = calloc(R * 2 * S, sizeof *t->mon_flag_anom);
    t->mon_flag_norm = calloc(R * 2 * S, sizeof *t->mon_flag_norm);
    t->mon_flag_rand = calloc(R * 2 * S, sizeof *t->mon_flag_rand);
    t->mon_first_anom = calloc(R * 2 * C, sizeof *t->mon_first_anom);
    t->mon_first_norm = calloc(R * 2 * C, sizeof *t->mon_first_norm);
    t->mon_first_fa = calloc(R * 2 * C, sizeof *t->mon_first_fa);
    t->mon_first_det = calloc(R * 2 * C, sizeof *t->mon_first_det);
    t->mon_all_det = calloc(R * 2 * C, sizeof *t->mon_all_det);
    t->mon_anom = calloc(S, sizeof *t->mon_anom);
    t->mon_check_held = calloc(C, sizeof *t->mon_check_held);
    t->mon_check_rand = calloc(C, sizeof *t->mon_check_rand);
    t->mon_check_months = calloc(C, sizeof *t->mon_check_months);
    if (!t->mon_flag_anom || !t->mon_flag_norm || !t->mon_flag_rand || !t->mon_first_anom || !t->mon_first_norm || !t->mon_first_fa ||
        !t->mon_first_det || !t->mon_all_det || !t->mon_anom || !t->mon_check_held || !t->mon_check_rand || !t->mon_check_months) {
      tsim_tally_free(t);
      return NULL;
    }
  }
  return t;
}

void tsim_tally_free(tsim_tally *t) {
  if (!t) return;
  free(t->pairs);
  free(t->cell_up);
  free(t->margin);
  free(t->mon_flag_anom);
  free(t->mon_flag_norm);
  free(t->mon_flag_rand);
  free(t->mon_first_anom);
  free(t->mon_first_norm);
  free(t->mon_first_fa);
  free(t->mon_first_det);
  free(t->mon_all_det);
  free(t->mon_anom);
  free(t->mon_check_held);
  free(t->mon_check_rand);
  free(t->mon_check_months);
  free(t->look_held);
  free(t->look_due);
  for (int h = 0; h < 2; h++) {
    free(t->cell[h]);
    free(t->both[h]);
    free(t->proc[h]);
    free(t->proc_fav[h]);
    free(t->pdist[h]);
    free(t->rand_sum[h]);
    free(t->rand_sq[h]);
    free(t->months_sum[h]);
    free(t->months_sq[h]);
    free(t->stop_eff[h]);
    free(t->stop_fav[h]);
    free(t->stop_fut[h]);
  }
  free(t);
}

__extension__ typedef unsigned __int128 tally_u128;

typedef enum { WALK_COUNT, WALK_PACK, WALK_ADD, WALK_SET, WALK_MERGE, WALK_CHECK } walk_mode;

/* One walk over every count of a tally in a fixed order - the one list of what a tally sums -
 * with the 64-bit counts as words w64[i] and the 128-bit sums as pairs w128[2j] (low),
 * w128[2j + 1] (high): counted (their numbers into *n64 and *n128), packed into the words, the
 * words added to the counts, the counts set to the words, src's counts added (merge), or
 * checked (WALK_CHECK: *n64 gets the number of counts of trials - WALK_SHARE's, each a number of
 * trials in which something happened - above the trials). */
static void tally_walk(tsim_tally *t, const tsim_tally *src, walk_mode mode, uint64_t *w64, uint64_t *w128,
                       size_t *n64, size_t *n128) {
  size_t i = 0, j = 0, over = 0;
#define WALK_U64(f)                                                                               \
  do {                                                                                            \
    if (mode == WALK_PACK) w64[i] = t->f;                                                         \
    else if (mode == WALK_ADD) t->f += w64[i];                                                    \
    else if (mode == WALK_SET) t->f = w64[i];                                                     \
    else if (mode == WALK_MERGE) t->f += src->f;                                                  \
    i++;                                                                                          \
  } while (0)
#define WALK_SHARE(f)                                                                             \
  do {                                                                                            \
    if (mode == WALK_CHECK && t->f > (uint64_t)(t->trials > 0 ? t->trials : 0)) over++;          \
    WALK_U64(f);                                                                                  \
  } while (0)
#define WALK_I128(f)                                                                              \
  do {                                                                                            \
    if (mode == WALK_PACK) {                                                                      \
      w128[2 * j] = (uint64_t)(tally_u128)t->f;                                                   \
      w128[2 * j + 1] = (uint64_t)((tally_u128)t->f >> 64);                                       \
    } else if (mode == WALK_MERGE) {                                                              \
      t->f += src->f;                                                                             \
    } else if (mode != WALK_COUNT && mode != WALK_CHECK) {                                        \
      tsim_i128 v = (tsim_i128)(((tally_u128)w128[2 * j + 1] << 64) | w128[2 * j]);                \
      t->f = mode == WALK_ADD ? t->f + v : v;                                                     \
    }                                                                                             \
    j++;                                                                                          \
  } while (0)
  /* The trials, a signed count, as a word. */
  if (mode == WALK_PACK) w64[i] = (uint64_t)t->trials;
  else if (mode == WALK_ADD) t->trials += (long long)w64[i];
  else if (mode == WALK_SET) t->trials = (long long)w64[i];
  else if (mode == WALK_MERGE) t->trials += src->trials;
  i++;
  for (int l = 0; l < t->nlooks; l++) {
    WALK_SHARE(look_held[l]);
    WALK_U64(look_due[l]);
  }
  if (t->timed) WALK_SHARE(looks_failed);
  for (int h = 0; h < 2; h++) {
    for (int k = 0; k < t->ncomp; k++) {
      WALK_SHARE(cell[h][k].reject);
      WALK_SHARE(cell[h][k].favouring);
      WALK_SHARE(cell[h][k].defined);
      WALK_U64(cell[h][k].n0_sum);
      WALK_U64(cell[h][k].n1_sum);
      WALK_I128(cell[h][k].n_sq_sum);
      WALK_U64(cell[h][k].sites_dropped);
      WALK_I128(cell[h][k].diff_sum);
      WALK_I128(cell[h][k].diff_sq_sum);
      WALK_SHARE(cell[h][k].interval);
      WALK_SHARE(cell[h][k].covered);
    }
    for (int p = 0; p < t->npairs; p++) WALK_SHARE(both[h][p]);
    size_t np = (size_t)t->nproc * (size_t)t->ncmp * (size_t)t->pstride;
    for (size_t q = 0; q < np; q++) WALK_SHARE(proc[h][q]);
    for (size_t q = 0; q < np; q++) WALK_SHARE(proc_fav[h][q]);
    if (t->pdist[h] && (mode != WALK_MERGE || src->pdist[h]))
      for (size_t q = 0; q < (size_t)t->ncomp * (TSIM_PBINS + 1); q++) WALK_SHARE(pdist[h][q]);
    if (t->nall) {
      WALK_SHARE(all[h]);
      WALK_SHARE(all_fav[h]);
    }
    for (int k = 0; t->timed && k < t->ncomp; k++) {
      WALK_U64(rand_sum[h][k]);
      WALK_I128(rand_sq[h][k]);
      WALK_I128(months_sum[h][k]);
      WALK_I128(months_sq[h][k]);
    }
    for (size_t q = 0; q < (size_t)t->ncomp * (size_t)t->nlooks; q++) {
      WALK_SHARE(stop_eff[h][q]);
      WALK_SHARE(stop_fav[h][q]);
      WALK_SHARE(stop_fut[h][q]);
    }
  }
  for (int k = 0; t->cell_up && k < t->ncomp; k++) {
    WALK_SHARE(cell_up[k].reject);
    WALK_SHARE(cell_up[k].favouring);
    WALK_SHARE(cell_up[k].defined);
    WALK_U64(cell_up[k].n0_sum);
    WALK_U64(cell_up[k].n1_sum);
    WALK_I128(cell_up[k].n_sq_sum);
    WALK_U64(cell_up[k].sites_dropped);
    WALK_I128(cell_up[k].diff_sum);
    WALK_I128(cell_up[k].diff_sq_sum);
    WALK_SHARE(cell_up[k].interval);
    WALK_SHARE(cell_up[k].covered);
  }
  if (t->mon_rules > 0) {
    size_t R2 = 2 * (size_t)t->mon_rules, S = (size_t)t->mon_sites, C = (size_t)t->mon_checks;
    for (size_t q = 0; q < R2 * S; q++) {
      WALK_SHARE(mon_flag_anom[q]);
      WALK_SHARE(mon_flag_norm[q]);
      WALK_U64(mon_flag_rand[q]);
    }
    for (size_t q = 0; q < R2 * C; q++) {
      WALK_U64(mon_first_anom[q]); /* (trial, site) pairs */
      WALK_U64(mon_first_norm[q]);
      WALK_SHARE(mon_first_fa[q]);
      WALK_SHARE(mon_first_det[q]);
      WALK_SHARE(mon_all_det[q]);
    }
    for (size_t q = 0; q < S; q++) WALK_SHARE(mon_anom[q]);
    WALK_SHARE(mon_anom_trials);
    for (size_t q = 0; q < C; q++) {
      WALK_SHARE(mon_check_held[q]);
      WALK_U64(mon_check_rand[q]);
      WALK_I128(mon_check_months[q]);
    }
  }
#undef WALK_U64
#undef WALK_SHARE
#undef WALK_I128
  if (mode == WALK_CHECK) {
    if (n64) *n64 = over + (t->trials < 0);
    return;
  }
  if (n64) *n64 = i;
  if (n128) *n128 = j;
}

void tsim_tally_merge(tsim_tally *dst, const tsim_tally *src) { tally_walk(dst, src, WALK_MERGE, NULL, NULL, NULL, NULL); }
void tsim_tally_words(const tsim_tally *t, size_t *n64, size_t *n128) {
  tally_walk((tsim_tally *)t, NULL, WALK_COUNT, NULL, NULL, n64, n128);
}
void tsim_tally_pack(const tsim_tally *t, uint64_t *w64, uint64_t *w128) {
  tally_walk((tsim_tally *)t, NULL, WALK_PACK, w64, w128, NULL, NULL);
}
void tsim_tally_merge_words(tsim_tally *t, const uint64_t *w64, const uint64_t *w128) {
  tally_walk(t, NULL, WALK_ADD, (uint64_t *)w64, (uint64_t *)w128, NULL, NULL);
}
void tsim_tally_set_words(tsim_tally *t, const uint64_t *w64, const uint64_t *w128) {
  tally_walk(t, NULL, WALK_SET, (uint64_t *)w64, (uint64_t *)w128, NULL, NULL);
}
int tsim_tally_plausible(const tsim_tally *t) {
  size_t over = 0;
  tally_walk((tsim_tally *)t, NULL, WALK_CHECK, NULL, NULL, &over, NULL);
  return over == 0;
}

/* The procedures' counts of one trial under hypothesis h from its outcomes `out`; in calendar
 * time (seq not NULL) each procedure and comparison from the outcomes at the look where its
 * first member's test ended (a fixed sequence tests its later members at that look). */
static void tally_procedures(tsim_tally *t, const tsim_scenario *sc, int h, const tsim_outcome *out,
                             const tsim_seq_ws *seq) {
  for (int q = 0; q < t->nproc; q++)
    for (int j = 0; j < t->ncmp; j++) {
      const tsim_procedure *pr = &sc->procedures[q];
      if (seq) out = tsim__seq_outcomes_where(seq, h, pr->members[0] * t->ncmp + j);
      unsigned char sig[TSIM_MAX_ANALYSES];
      int m = pr->nmembers, all = 1, any = 0, all_fav = 1, any_fav = 0;
      tsim_procedure_apply(sc, q, j, out, sig);
      size_t off = ((size_t)q * (size_t)t->ncmp + (size_t)j) * (size_t)t->pstride;
      uint64_t *c = t->proc[h] + off, *cf = t->proc_fav[h] + off;
      for (int i = 0; i < m; i++) {
        /* The direction as tsim_outcome.favouring has it, from the difference: a member can be
         * significant within a Bonferroni or Holm procedure without rejecting at its own alpha
         * (then its favouring flag is 0 whatever the direction). NaN favours neither arm. */
        const tsim_outcome *o = &out[pr->members[i] * t->ncmp + j];
        int higher = sc->endpoints[sc->analyses[pr->members[i]].endpoint].higher_is_better;
        int margin = sc->analyses[pr->members[i]].hypothesis != TSIM_HYPO_SUPERIORITY;
        int fav = sig[i] && (margin || (higher ? o->diff > 0 : o->diff < 0)); /* a margin's H0 rejected favours the arm */
        c[i] += sig[i];
        cf[i] += (uint64_t)fav;
        all = all && sig[i];
        any = any || sig[i];
        all_fav = all_fav && fav;
        any_fav = any_fav || fav;
      }
      c[t->pstride - 2] += (uint64_t)all;
      c[t->pstride - 1] += (uint64_t)any;
      cf[t->pstride - 2] += (uint64_t)all_fav;
      cf[t->pstride - 1] += (uint64_t)any_fav;
    }
}

/* round(t), halves away from zero, as llround but inline: |t| <= 2^48, so t has at most 5 bits
 * after the binary point and adding 1/2 is exact; truncation then rounds correctly. The half
 * takes t's sign by copysign, not a branch: the sign of a difference is a coin toss under the
 * null. */
static inline tsim_i128 fixed_point(double t) {
  return (tsim_i128)(long long)(t + copysign(0.5, t));
}

/* Joint rejections counted by pattern (PAT_MAX comparisons at most): a thread's trials add one
 * to pat[h][the mask of the comparisons that rejected], and pat_flush adds them to the pairs'
 * counts when the thread is done - one increment per trial instead of one per pair (28 for
 * LUPIL-2's eight analyses). The same counts: a rejection is 0 or 1 (a decision), so a pair's
 * rej[first] & rej[second] is 1 exactly when both its bits are in the trial's mask. */
#define PAT_MAX 10

/* The pattern counts' array for tally t, zeroed: 2^ncomp per hypothesis, or NULL where
 * patterns do not pay (too many comparisons, no pairs) or memory is short - then tally_add
 * counts pairs itself. */
static uint64_t *pat_new(const tsim_tally *t) {
  if (!t || t->npairs == 0 || t->ncomp > PAT_MAX) return NULL;
  return calloc((size_t)2 << t->ncomp, sizeof(uint64_t));
}

/* Adds the pattern counts to t's pairs and zeroes them. */
static void pat_flush(tsim_tally *t, uint64_t *pat) {
  if (!pat) return;
  size_t nm = (size_t)1 << t->ncomp;
  for (int h = 0; h < 2; h++)
    for (size_t bits = 0; bits < nm; bits++) {
      uint64_t n = pat[(size_t)h * nm + bits];
      if (!n) continue;
      for (int p = 0; p < t->npairs; p++)
        if ((bits >> t->pairs[p].first & 1) && (bits >> t->pairs[p].second & 1)) t->both[h][p] += n;
      pat[(size_t)h * nm + bits] = 0;
    }
}

/* A margin analysis's outcome's interval against the cell's truth: how = tsim_tally.margin, 1
 * by its bounds, 2 by its cover bits, of which `bit` is the cell's truth (TSIM_COVER_*). */
static inline void coverage_add(tsim_tally_cell *c, const tsim_outcome *o, int how, unsigned bit) {
  if (isnan(c->truth)) return; /* no true value */
  if (how == 2) {
    if (!(o->cover & TSIM_COVER_SET)) return; /* no interval */
    c->interval++;
    c->covered += (uint64_t)((o->cover & bit) != 0);
    return;
  }
  if (isnan(o->lo) || isnan(o->hi)) return; /* no interval */
  c->interval++;
  c->covered += (uint64_t)(o->lo <= c->truth && c->truth <= o->hi);
}

/* One outcome into its cell; `margin` (coverage_add's how) and `bit`: the analysis has a margin. */
static inline void cell_add(tsim_tally_cell *c, const tsim_outcome *o, int margin, unsigned bit) {
  long long n = o->n0 + o->n1; /* <= 10^7 patients, so n^2 fits 64 bits */
  c->reject += (uint64_t)o->reject;
  c->favouring += (uint64_t)o->favouring;
  c->n0_sum += (uint64_t)o->n0;
  c->n1_sum += (uint64_t)o->n1;
  c->n_sq_sum += (tsim_i128)(n * n);
  c->sites_dropped += (uint64_t)o->sites_dropped;
  if (o->defined) {
    c->defined++;
    /* |diff| <= the analysis's bound (clamped: beyond it lies only numerical nonsense). */
    double d = o->diff * c->scale;
    d = d > TSIM_FIXED_SCALE ? TSIM_FIXED_SCALE : d < -TSIM_FIXED_SCALE ? -TSIM_FIXED_SCALE : d;
    c->diff_sum += fixed_point(d);
    c->diff_sq_sum += fixed_point(d * d / TSIM_FIXED_SCALE);
  }
  if (margin) coverage_add(c, o, margin, bit);
}

static void tally_add(tsim_tally *t, int h, const tsim_outcome *out, uint64_t *pat) {
  unsigned char rej[TSIM_MAX_ANALYSES * (TSIM_MAX_ARMS - 1)]; /* the rejections, for the pairs */
  unsigned mask = 0;
  for (int k = 0; k < t->ncomp; k++) {
    const tsim_outcome *o = &out[k];
    rej[k] = (unsigned char)o->reject;
    mask |= (unsigned)(o->reject != 0) << (k & 31); /* used only when ncomp <= PAT_MAX */
    cell_add(&t->cell[h][k], o, 0, 0);
  }
  for (int k = 0; t->margin && k < t->ncomp; k++)
    if (t->margin[k]) coverage_add(&t->cell[h][k], &out[k], t->margin[k], h ? TSIM_COVER_LOWER : TSIM_COVER_TRUTH);
  uint64_t *both = t->both[h];
  if (pat) pat[((size_t)h << t->ncomp) + mask]++;
  else
    for (int p = 0; p < t->npairs; p++) both[p] += (uint64_t)(rej[t->pairs[p].first] & rej[t->pairs[p].second]);
  if (t->nall) {
    unsigned char all = 1, fav = 1;
    for (int i = 0; i < t->nall; i++) all &= rej[t->all_of[i]], fav &= out[t->all_of[i]].favouring != 0;
    t->all[h] += all;
    t->all_fav[h] += fav;
  }
  if (t->pdist[h])
    for (int k = 0; k < t->ncomp; k++) t->pdist[h][(size_t)k * (TSIM_PBINS + 1) + (size_t)tsim_pbin(out[k].p)]++;
}

/* Trials are handed out in chunks from a shared counter (dynamic scheduling by hand, so one
 * thread can report progress between its chunks). The chunk size affects only the speed, as
 * long as a chunk's 64-bit sums on the block path cannot overflow (run/block.h). */
#define RUN_CHUNK 256
_Static_assert(RUN_CHUNK <= TSIM_BLOCK_CHUNK_MAX, "a chunk's difference sums must fit in 64 bits");

void tsim_run_trial(const tsim_scenario *sc, tsim_cohort *c, tsim_analysis_ws *w, uint64_t seed,
                    long long trial, tsim_outcome *out) {
  (void)sc;
  tsim_cohort_sample(c, seed, trial);
  tsim_analysis_prepare(w, c);
  tsim_analysis_eval_trial(w, out);
}

/* The set of tsim_run_all_of into a new tally t. */
static void tally_set_all(tsim_tally *t, const int *set, int nset) {
  if (!t) return;
  t->nall = nset;
  for (int i = 0; i < nset; i++) t->all_of[i] = set[i];
}

/* ---- the other null twins --------------------------------------------------------------
 * A scenario whose analyses have different nulls (margins; scenario.h npasses) samples every
 * trial once per pass: pass 0 is the run's own, and pass k >= 1 the same trial (seed, index)
 * with the null twin of a copy of the scenario whose null_pass is k. Only the null outcomes of
 * the comparisons whose null is pass k are kept from it (the alternative is the same in every
 * pass). Shared: the copies and their plans; per thread: their cohorts and workspaces. */
typedef struct passes {
  int n;                                   /* sc->npasses */
  tsim_scenario *sc[TSIM_MAX_NULLS];       /* [k >= 1] shallow copies (the pointers are the run's) */
  tsim_cohort_plan plan[TSIM_MAX_NULLS];
  tsim_seq_plan seq[TSIM_MAX_NULLS];
  int ready[TSIM_MAX_NULLS];               /* plan k initialised */
  int timed;
} passes;

typedef struct pass_ws {
  tsim_cohort *c[TSIM_MAX_NULLS];
  tsim_analysis_ws *aw[TSIM_MAX_NULLS];
  tsim_seq_ws *sw[TSIM_MAX_NULLS];
  tsim_tally *tk[TSIM_MAX_NULLS];          /* timed counts of pass k (its null's are copied at the end) */
  tsim_outcome *res;                       /* [2 ncomp] */
} pass_ws;

static void passes_free(passes *ps) {
  for (int k = 1; k < ps->n; k++) {
    if (ps->ready[k]) tsim_cohort_plan_free(&ps->plan[k]);
    free(ps->sc[k]);
  }
}

static tsim_status passes_init(passes *ps, const tsim_scenario *sc) {
  memset(ps, 0, sizeof *ps);
  ps->n = sc->npasses > 1 ? sc->npasses : 1;
  ps->timed = sc->accrual.mode != TSIM_ACCRUAL_NONE;
  for (int k = 1; k < ps->n; k++) {
    if (!(ps->sc[k] = malloc(sizeof *sc))) { passes_free(ps); return TSIM_NOMEM; }
    *ps->sc[k] = *sc;
    ps->sc[k]->null_pass = k;
    ps->seq[k] = (tsim_seq_plan){.nlooks = 1};
    if (ps->timed && tsim__seq_plan_init(&ps->seq[k], ps->sc[k], NULL) != TSIM_OK) { passes_free(ps); return TSIM_INPUT; }
    if (tsim_cohort_plan_init(&ps->plan[k], ps->sc[k]) != TSIM_OK) { passes_free(ps); return TSIM_NOMEM; }
    ps->ready[k] = 1;
  }
  return TSIM_OK;
}

static void pass_ws_free(pass_ws *pw, int n) {
  for (int k = 1; k < n; k++) {
    tsim_cohort_free(pw->c[k]);
    tsim_analysis_ws_free(pw->aw[k]);
    tsim__seq_ws_free(pw->sw[k]);
    tsim_tally_free(pw->tk[k]);
  }
  free(pw->res);
}

/* 0, or -1 when out of memory (pw then holds what it got, for pass_ws_free). */
static int pass_ws_init(pass_ws *pw, const passes *ps, int want_p, int ncomp) {
  memset(pw, 0, sizeof *pw);
  if (ps->n < 2) return 0;
  if (!(pw->res = malloc(2 * (size_t)ncomp * sizeof *pw->res))) return -1;
  for (int k = 1; k < ps->n; k++) {
    pw->c[k] = tsim_cohort_new(&ps->plan[k]);
    pw->aw[k] = tsim_analysis_ws_new(ps->sc[k]);
    if (!pw->c[k] || !pw->aw[k]) return -1;
    pw->aw[k]->want_p = want_p;
    if (ps->timed && (!(pw->sw[k] = tsim__seq_ws_new(ps->sc[k], &ps->seq[k])) || !(pw->tk[k] = tsim_tally_new(ps->sc[k], 0))))
      return -1;
  }
  return 0;
}

/* Trial `trial` in the other passes: res[ncomp + q] (the null outcomes of pass 0) becomes the
 * outcome of comparison q's own null, and up[q] (when not NULL) an equivalence comparison's
 * outcome under its upper margin's null. */
static void passes_trial(const passes *ps, pass_ws *pw, const tsim_scenario *sc, uint64_t seed, long long trial,
                         tsim_outcome *res, tsim_outcome *up) {
  int ncmp = tsim_scenario_ncomparisons(sc), ncomp = sc->nanalyses * ncmp;
  for (int q = 0; up && q < ncomp; q++)
    if (sc->analyses[q / ncmp].null_pass[1] == 0) up[q] = res[ncomp + q];
  for (int k = 1; k < ps->n; k++) {
    if (ps->timed) {
      tsim__seq_trial(&ps->seq[k], pw->sw[k], pw->c[k], pw->aw[k], seed, trial, pw->tk[k], pw->res);
    } else {
      /* Only the null outcomes this pass is read for: the alternative is pass 0's. */
      tsim_cohort_sample(pw->c[k], seed, trial);
      tsim_analysis_prepare(pw->aw[k], pw->c[k]);
      for (int a = 0; a < sc->nanalyses; a++)
        if (sc->analyses[a].null_pass[0] == k || (up && sc->analyses[a].null_pass[1] == k))
          tsim_analysis_eval(pw->aw[k], a, TSIM_HYP_NULL, pw->res + ncomp + a * ncmp);
    }
    for (int q = 0; q < ncomp; q++) {
      const tsim_analysis *an = &sc->analyses[q / ncmp];
      if (an->null_pass[0] == k) res[ncomp + q] = pw->res[ncomp + q];
      if (up && an->null_pass[1] == k) up[q] = pw->res[ncomp + q];
    }
  }
}

/* A thread's timed counts of the null twin: each comparison's from its own pass. */
static void passes_timed(const passes *ps, const pass_ws *pw, const tsim_scenario *sc, tsim_tally *mine) {
  if (!ps->timed) return;
  int ncmp = mine->ncmp, nl = mine->nlooks;
  for (int q = 0; q < mine->ncomp; q++) {
    int k = sc->analyses[q / ncmp].null_pass[0];
    if (k == 0) continue;
    const tsim_tally *t = pw->tk[k];
    mine->rand_sum[1][q] = t->rand_sum[1][q];
    mine->rand_sq[1][q] = t->rand_sq[1][q];
    mine->months_sum[1][q] = t->months_sum[1][q];
    mine->months_sq[1][q] = t->months_sq[1][q];
    for (int l = 0; l < nl; l++) {
      size_t i = (size_t)q * (size_t)nl + (size_t)l;
      mine->stop_eff[1][i] = t->stop_eff[1][i];
      mine->stop_fav[1][i] = t->stop_fav[1][i];
      mine->stop_fut[1][i] = t->stop_fut[1][i];
    }
  }
}

static tsim_status run_local(const tsim_scenario *sc, const tsim_run_opts *o, const int *set,
                             int nset, tsim_tally **out) {
  *out = NULL;
  tsim_cohort_plan plan;
  /* Calendar time: every thread's looks (the loader has checked that they can be computed). */
  int timed = sc->accrual.mode != TSIM_ACCRUAL_NONE;
  tsim_seq_plan seq = {.nlooks = 1};
  if (timed && tsim__seq_plan_init(&seq, sc, NULL) != TSIM_OK) return TSIM_INPUT;
  /* The other passes' plans (on the heap: eight sequential and cohort plans are ~0.7 MB). */
  passes *pp = malloc(sizeof *pp);
  if (!pp) return TSIM_NOMEM;
  tsim_status pst = passes_init(pp, sc);
  if (pst != TSIM_OK) { free(pp); return pst; }
  const passes *ps = pp;
  int np = ps->n;
  if (tsim_cohort_plan_init(&plan, sc) != TSIM_OK) { passes_free(pp); free(pp); return TSIM_NOMEM; }
  tsim_tally *total = tsim_tally_new(sc, o->p_values);
  if (!total) { tsim_cohort_plan_free(&plan); passes_free(pp); free(pp); return TSIM_NOMEM; }
  tally_set_all(total, set, nset);
  long long next = 0, done = 0;
  int failed = 0;
#pragma omp parallel num_threads(o->threads) shared(next, done, failed)
  {
    /* Per-thread workspace, declared inside the region and allocated once. */
    tsim_cohort *c = tsim_cohort_new(&plan);
    tsim_tally *mine = tsim_tally_new(sc, o->p_values);
    tally_set_all(mine, set, nset);
    uint64_t *pat = pat_new(mine); /* NULL: tally_add counts the pairs itself */
    tsim_analysis_ws *aw = tsim_analysis_ws_new(sc);
    /* Interim looks decide on p-values (sequential.h). */
    if (aw) aw->want_p = o->p_values || seq.nlooks > 1;
    tsim_outcome *res = malloc((size_t)(mine ? 2 * mine->ncomp : 1) * sizeof *res);
    tsim_seq_ws *sw = timed ? tsim__seq_ws_new(sc, &seq) : NULL;
    /* The block path (run/block.h), where it applies. */
    int block = aw && mine && !timed && np == 1 && !o->whole_outcomes && tsim__block_applies(aw, mine);
    tsim_block_path *bp = block ? tsim__block_path_new(aw, mine) : NULL;
    pass_ws pw;
    int pw_failed = pass_ws_init(&pw, ps, o->p_values || seq.nlooks > 1, mine ? mine->ncomp : 0) != 0;
    tsim_outcome *up = mine && mine->cell_up ? malloc((size_t)mine->ncomp * sizeof *up) : NULL;
    if (!c || !mine || !aw || !res || (block && !bp) || (timed && !sw) || pw_failed || (mine && mine->cell_up && !up)) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp barrier
    int stop;
#pragma omp atomic read
    stop = failed;
    while (!stop) {
      long long start;
#pragma omp atomic capture
      { start = next; next += RUN_CHUNK; }
      if (start >= o->trials) break;
      long long end = start + RUN_CHUNK < o->trials ? start + RUN_CHUNK : o->trials;
      if (bp)
        tsim__block_path_chunk(bp, c, aw, mine, o->seed, o->first_trial + start, end - start);
      else
      for (long long i = start; i < end; i++) {
        if (sw) tsim__seq_trial(&seq, sw, c, aw, o->seed, o->first_trial + i, mine, res);
        else tsim_run_trial(sc, c, aw, o->seed, o->first_trial + i, res);
        if (np > 1) passes_trial(ps, &pw, sc, o->seed, o->first_trial + i, res, up);
        tally_add(mine, 0, res, pat);
        tally_add(mine, 1, res + mine->ncomp, pat);
        for (int k = 0; up && k < mine->ncomp; k++)
          if (sc->analyses[k / mine->ncmp].hypothesis == TSIM_HYPO_EQUIVALENCE) cell_add(&mine->cell_up[k], &up[k], mine->margin[k], TSIM_COVER_UPPER);
        if (mine->nproc) {
          /* With several nulls the null outcomes are each comparison's own (passes_trial), which
           * the sequential workspace's are not; margins come without interim looks, so every
           * comparison ended at the final analysis, where res has them. */
          tally_procedures(mine, sc, 0, res, sw);
          tally_procedures(mine, sc, 1, res + mine->ncomp, np > 1 ? NULL : sw);
        }
      }
      mine->trials += end - start;
      long long d;
#pragma omp atomic capture
      { done += end - start; d = done; }
      if (o->progress && omp_get_thread_num() == 0) o->progress(o->progress_ctx, d, o->trials);
    }
    if (bp && !failed) tsim__block_path_done(bp, mine);
    if (np > 1 && !failed) passes_timed(ps, &pw, sc, mine);
    pass_ws_free(&pw, np);
    free(up);
    if (mine && !failed) pat_flush(mine, pat);
    free(pat);
#pragma omp critical(tsim_merge)
    if (mine && !failed) tsim_tally_merge(total, mine);
    tsim_tally_free(mine);
    tsim_cohort_free(c);
    tsim_analysis_ws_free(aw);
    free(res);
    tsim__block_path_free(bp);
    tsim__seq_ws_free(sw);
  }
  tsim_cohort_plan_free(&plan);
  passes_free(pp);
  free(pp);
  if (failed) { tsim_tally_free(total); return TSIM_NOMEM; }
  *out = total;
  return TSIM_OK;
}

static const tsim_run_split *run_split;

void tsim_run_set_split(const tsim_run_split *s) { run_split = s; }

static tsim_status run_once(const tsim_scenario *sc, const tsim_run_opts *o, const int *set,
                           int nset, tsim_tally **out) {
  if (!run_split) return run_local(sc, o, set, nset, out);
  tsim_run_opts mine = *o;
  run_split->block(o->first_trial, o->trials, &mine.first_trial, &mine.trials);
  tsim_status st = run_local(sc, &mine, set, nset, out);
  st = run_split->combine(st, *out);
  if (st != TSIM_OK) {
    tsim_tally_free(*out);
    *out = NULL;
  }
  return st;
}

static tsim_status run_pieces(const tsim_scenario *sc, const tsim_run_opts *o, const int *set, int nset,
                              const tsim_checkpoint_opts *cp, tsim_tally **out);

static const tsim_run_keeper *run_keeper;
static long long keeper_calls;

void tsim_run_set_keeper(const tsim_run_keeper *k) {
  run_keeper = k;
  keeper_calls = 0;
}

typedef struct keeper_save {
  long long index;
} keeper_save;

static int keeper_save_fn(void *ctx, const tsim_tally *t, long long next) {
  const keeper_save *ks = ctx;
  return run_keeper->save(run_keeper->ctx, ks->index, t, next);
}

static tsim_status run_set(const tsim_scenario *sc, const tsim_run_opts *o, const int *set,
                           int nset, tsim_tally **out) {
  if (!run_keeper) return run_once(sc, o, set, nset, out);
  *out = NULL;
  keeper_save ks = {keeper_calls++};
  tsim_tally *start = tsim_tally_new(sc, o->p_values);
  if (!start) return TSIM_NOMEM;
  tally_set_all(start, set, nset);
  long long next = o->first_trial;
  int got = run_keeper->load(run_keeper->ctx, ks.index, o, start, &next);
  if (got < 0) { tsim_tally_free(start); return TSIM_INPUT; }
  tsim_checkpoint_opts cp = {run_keeper->every, keeper_save_fn, &ks, got ? start : NULL, next};
  tsim_status st = run_pieces(sc, o, set, nset, &cp, out);
  tsim_tally_free(start);
  /* The finished run is kept too: a command carried on later skips it. */
  if (st == TSIM_OK && next < o->first_trial + o->trials &&
      run_keeper->save(run_keeper->ctx, ks.index, *out, o->first_trial + o->trials) != 0) {
    tsim_tally_free(*out);
    *out = NULL;
    st = TSIM_IO;
  }
  return st;
}

tsim_status tsim_run(const tsim_scenario *sc, const tsim_run_opts *o, tsim_tally **out) {
  return run_set(sc, o, NULL, 0, out);
}

tsim_status tsim_run_all_of(const tsim_scenario *sc, const tsim_run_opts *o, const int *set,
                            int nset, tsim_tally **out) {
  *out = NULL;
  if (nset < 1 || nset > TSIM_TALLY_ALL_MAX) return TSIM_INPUT;
  int ncomp = tsim_scenario_ncomparisons(sc) * sc->nanalyses;
  for (int i = 0; i < nset; i++)
    if (set[i] < 0 || set[i] >= ncomp) return TSIM_INPUT;
  return run_set(sc, o, set, nset, out);
}

/* The progress of a piece, seen as the whole run's. */
typedef struct piece_progress {
  const tsim_run_opts *o;
  long long before; /* trials of the run done before this piece */
} piece_progress;

static void piece_progress_fn(void *ctx, long long done, long long total) {
  (void)total;
  const piece_progress *pp = ctx;
  pp->o->progress(pp->o->progress_ctx, pp->before + done, pp->o->trials);
}

static double seconds_now(void) { return omp_get_wtime(); }

tsim_status tsim_run_checkpointed(const tsim_scenario *sc, const tsim_run_opts *o,
                                  const tsim_checkpoint_opts *cp, tsim_tally **out) {
  return run_pieces(sc, o, NULL, 0, cp, out);
}

static tsim_status run_pieces(const tsim_scenario *sc, const tsim_run_opts *o, const int *set, int nset,
                              const tsim_checkpoint_opts *cp, tsim_tally **out) {
  *out = NULL;
  long long end = o->first_trial + o->trials;
  long long next = cp->start ? cp->start_next : o->first_trial;
  if (next < o->first_trial || next > end) return TSIM_INPUT;
  tsim_tally *total = tsim_tally_new(sc, o->p_values);
  if (!total) return TSIM_NOMEM;
  tally_set_all(total, set, nset);
  if (cp->start) tsim_tally_merge(total, cp->start);
  /* The smallest piece: a few chunks per thread, so the threads stay busy; the first piece is
   * that size and measures the speed. */
  long long min_piece = (long long)RUN_CHUNK * 4 * (o->threads > 0 ? o->threads : 1);
  double last_save = seconds_now(), rate = 0; /* trials per second */
  while (next < end) {
    long long n = min_piece;
    if (rate > 0) {
      double left = cp->every - (seconds_now() - last_save);
      double want = rate * (left > 0.05 * cp->every ? left : 0.05 * cp->every);
      if (want > (double)n) n = want < (double)(end - next) ? (long long)want : end - next;
    }
    if (n > end - next) n = end - next;
    tsim_run_opts piece = *o;
    piece.first_trial = next;
    piece.trials = n;
    piece_progress pp = {o, next - o->first_trial};
    if (o->progress) { piece.progress = piece_progress_fn; piece.progress_ctx = &pp; }
    tsim_tally *t = NULL;
    double t0 = seconds_now();
    tsim_status st = run_once(sc, &piece, set, nset, &t);
    if (st != TSIM_OK) { tsim_tally_free(total); return st; }
    double secs = seconds_now() - t0;
    if (secs > 0) rate = (double)n / secs;
    tsim_tally_merge(total, t);
    tsim_tally_free(t);
    next += n;
    if (next < end && seconds_now() - last_save >= cp->every) {
      if (cp->save(cp->ctx, total, next) != 0) { tsim_tally_free(total); return TSIM_IO; }
      last_save = seconds_now();
    }
  }
  *out = total;
  return TSIM_OK;
}

/* ---- runs to a stated precision --------------------------------------------------------- */

void tsim_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi) {
  if (n == 0) { *lo = 0; *hi = 1; return; }
  double nn = (double)n, p = (double)k / nn, z2 = z * z;
  double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  double half = z / (1 + z2 / nn) * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  /* At k = 0 and k = n the exact ends are 0 and 1, which centre -+ half only round to. */
  *lo = k == 0 || centre - half < 0 ? 0 : centre - half;
  *hi = k >= n || centre + half > 1 ? 1 : centre + half;
}

double tsim_mcse_bound(uint64_t k, uint64_t n) {
  if (n == 0) return INFINITY;
  double q = ((double)k + 1) / ((double)n + 2);
  return sqrt(q * (1 - q) / (double)n);
}

static double mcse_of(uint64_t k, uint64_t n, int conservative) {
  if (conservative) return tsim_mcse_bound(k, n);
  double p = (double)k / (double)n;
  return sqrt(p * (1 - p) / (double)n);
}

/* Considers the three rates of one count (reject, of them favouring): either direction,
 * favouring the experimental arm, favouring control. */
static void consider(tsim_precision *w, uint64_t reject, uint64_t fav, uint64_t n, int conservative,
                     tsim_precision at) {
  uint64_t k[3] = {reject, fav, reject - fav};
  for (int d = 0; d < 3; d++) {
    double m = mcse_of(k[d], n, conservative);
    if (m > w->mcse) {
      *w = at;
      w->mcse = m;
      w->direction = d;
    }
  }
}

void tsim_tally_precision(const tsim_scenario *sc, const tsim_tally *t, int conservative,
                          tsim_precision *out) {
  memset(out, 0, sizeof *out);
  out->comparison = 0;
  if (t->trials <= 0) return;
  uint64_t n = (uint64_t)t->trials;
  for (int h = 0; h < 2; h++) {
    for (int c = 0; c < t->ncomp; c++) {
      tsim_precision at = {0, h, c, 0, 0, 0, 0};
      consider(out, t->cell[h][c].reject, t->cell[h][c].favouring, n, conservative, at);
      /* Equivalence's size at its upper margin, reported too (summary.json). */
      if (h == 1 && t->cell_up) consider(out, t->cell_up[c].reject, t->cell_up[c].favouring, n, conservative, at);
    }
    for (int q = 0; q < t->nproc; q++)
      for (int j = 0; j < t->ncmp; j++) {
        size_t off = ((size_t)q * (size_t)t->ncmp + (size_t)j) * (size_t)t->pstride;
        int m = sc->procedures[q].nmembers;
        for (int i = 0; i < m + 2; i++) {
          size_t slot = off + (size_t)(i < m ? i : t->pstride - 2 + (i - m));
          tsim_precision at = {0, h, -1, q, j, i, 0};
          consider(out, t->proc[h][slot], t->proc_fav[h][slot], n, conservative, at);
        }
      }
    for (int p = 0; p < t->npairs; p++) {
      uint64_t both = t->both[h][p], r1 = t->cell[h][t->pairs[p].first].reject;
      uint64_t r2 = t->cell[h][t->pairs[p].second].reject;
      uint64_t k[4] = {both, r1 - both, r2 - both, n - r1 - r2 + both};
      for (int i = 0; i < 4; i++) {
        double m = mcse_of(k[i], n, conservative);
        if (m > out->mcse)
          *out = (tsim_precision){m, h, -2, p, t->pairs[p].first, t->pairs[p].second, i};
      }
    }
  }
}

long long tsim_mcse_next(void *ctx, const tsim_tally *t) {
  const tsim_mcse_rule *r = ctx;
  tsim_precision w;
  tsim_tally_precision(r->sc, t, 1, &w);
  if (w.mcse <= r->mcse) return 0;
  /* The trials at which the worst quantity's SE, at its present q (1 - q), would be mcse. */
  double var = w.mcse * w.mcse * (double)t->trials;
  double need = var / (r->mcse * r->mcse);
  long long block = r->block > 0 ? r->block : TSIM_MCSE_BLOCK;
  double cap = 1e15;
  long long next = need < cap ? (long long)ceil(need / (double)block) * block : (long long)cap;
  return next < t->trials + block ? t->trials + block : next;
}

/* The progress of a look's piece, seen as the whole (capped) run's. */
typedef struct looks_progress {
  const tsim_run_opts *o;
  long long before;
} looks_progress;

static void looks_progress_fn(void *ctx, long long done, long long total) {
  (void)total;
  const looks_progress *lp = ctx;
  lp->o->progress(lp->o->progress_ctx, lp->before + done, lp->o->trials);
}

tsim_status tsim_run_looks(const tsim_scenario *sc, const tsim_run_opts *o, const int *set, int nset,
                           const tsim_looks *lk, tsim_tally **out) {
  *out = NULL;
  if (o->first_trial != 0 || o->trials < 1 || lk->first < 1) return TSIM_INPUT;
  tsim_tally *total = tsim_tally_new(sc, o->p_values);
  if (!total) return TSIM_NOMEM;
  tally_set_all(total, set, nset);
  long long next = lk->first < o->trials ? lk->first : o->trials;
  while (next > total->trials) {
    tsim_run_opts piece = *o;
    piece.first_trial = total->trials;
    piece.trials = next - total->trials;
    looks_progress lp = {o, total->trials};
    if (o->progress) { piece.progress = looks_progress_fn; piece.progress_ctx = &lp; }
    tsim_tally *t = NULL;
    tsim_status st = run_set(sc, &piece, set, nset, &t);
    if (st != TSIM_OK) { tsim_tally_free(total); return st; }
    tsim_tally_merge(total, t);
    tsim_tally_free(t);
    if (total->trials >= o->trials) break;
    next = lk->next ? lk->next(lk->ctx, total) : 0;
    if (next > o->trials) next = o->trials;
  }
  *out = total;
  return TSIM_OK;
}
