/* runner.c - the parallel trial loop and its exact reduction (see runner.h). */
#include "runner.h"

#include "multiplicity.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

tsim_tally *tsim_tally_new(const tsim_scenario *sc) {
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
  for (int h = 0; h < 2; h++)
    for (int k = 0; k < t->ncomp; k++)
      t->cell[h][k].scale = TSIM_FIXED_SCALE / tsim_analysis_diff_bound(sc, k / ncmp);
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
      if (!t->proc[h]) { tsim_tally_free(t); return NULL; }
    }
  return t;
}

void tsim_tally_free(tsim_tally *t) {
  if (!t) return;
  free(t->pairs);
  for (int h = 0; h < 2; h++) {
    free(t->cell[h]);
    free(t->both[h]);
    free(t->proc[h]);
  }
  free(t);
}

void tsim_tally_merge(tsim_tally *dst, const tsim_tally *src) {
  dst->trials += src->trials;
  for (int h = 0; h < 2; h++) {
    for (int k = 0; k < dst->ncomp; k++) {
      tsim_tally_cell *d = &dst->cell[h][k];
      const tsim_tally_cell *s = &src->cell[h][k];
      d->reject += s->reject;
      d->favouring += s->favouring;
      d->defined += s->defined;
      d->n0_sum += s->n0_sum;
      d->n1_sum += s->n1_sum;
      d->n_sq_sum += s->n_sq_sum;
      d->sites_dropped += s->sites_dropped;
      d->diff_sum += s->diff_sum;
      d->diff_sq_sum += s->diff_sq_sum;
    }
    for (int p = 0; p < dst->npairs; p++) dst->both[h][p] += src->both[h][p];
    size_t np = (size_t)dst->nproc * (size_t)dst->ncmp * (size_t)dst->pstride;
    for (size_t i = 0; i < np; i++) dst->proc[h][i] += src->proc[h][i];
  }
}

static void tally_procedures(tsim_tally *t, const tsim_scenario *sc, int h, const tsim_outcome *out) {
  for (int q = 0; q < t->nproc; q++)
    for (int j = 0; j < t->ncmp; j++) {
      unsigned char sig[TSIM_MAX_ANALYSES];
      int m = sc->procedures[q].nmembers, all = 1, any = 0;
      tsim_procedure_apply(sc, q, j, out, sig);
      uint64_t *c = t->proc[h] + ((size_t)q * (size_t)t->ncmp + (size_t)j) * (size_t)t->pstride;
      for (int i = 0; i < m; i++) {
        c[i] += sig[i];
        all = all && sig[i];
        any = any || sig[i];
      }
      c[t->pstride - 2] += (uint64_t)all;
      c[t->pstride - 1] += (uint64_t)any;
    }
}

/* round(t), halves away from zero, as llround but inline: |t| <= 2^48, so t has at most 5 bits
 * after the binary point and adding 1/2 is exact; truncation then rounds correctly. */
static inline long long fixed_point(double t) {
  return (long long)(t + (t >= 0 ? 0.5 : -0.5));
}

/* The trials of one chunk (at most RUN_CHUNK) are first summed in 64-bit integers, then added
 * to the thread's tally when the chunk ends (chunk_flush): integer sums in any grouping are the
 * same sums, and the narrow ones cost a trial less. Bounds: a trial adds at most 2^48 to a
 * difference sum or its square's, and (n0 + n1)^2 <= TSIM_MAX_SAMPLE^2 < 2^47 to n_sq, so a
 * chunk stays below 2^56.
 * Pairs of comparisons: each trial's rejections of one experimental arm under one hypothesis
 * form a bit pattern over the analyses, and the chunk counts patterns; flushing adds a
 * pattern's count to every pair it holds. When the patterns would be too many to keep
 * (PATTERN_MAX), the pairs are counted trial by trial instead. */
#define RUN_CHUNK 256
#define PATTERN_MAX 4096 /* ncmp * 2^nanalyses at most */

typedef struct chunk_sums {
  uint64_t n_sq, diff_sq;
  int64_t diff;
} chunk_sums;

typedef struct chunk {
  chunk_sums *sums[2];  /* [hypothesis][ncomp] */
  uint32_t *pattern[2]; /* [hypothesis][ncmp << nanalyses] (NULL: pairs counted directly) */
  int nanalyses, ncmp;
} chunk;

static void chunk_free(chunk *ch) {
  for (int h = 0; h < 2; h++) {
    free(ch->sums[h]);
    free(ch->pattern[h]);
  }
}

static int chunk_init(chunk *ch, const tsim_scenario *sc, const tsim_tally *t) {
  memset(ch, 0, sizeof *ch);
  ch->nanalyses = sc->nanalyses;
  ch->ncmp = t->ncmp;
  int patterns = sc->nanalyses < 13 && (t->ncmp << sc->nanalyses) <= PATTERN_MAX && t->npairs > 0;
  for (int h = 0; h < 2; h++) {
    ch->sums[h] = calloc((size_t)t->ncomp, sizeof *ch->sums[h]);
    if (patterns) ch->pattern[h] = calloc((size_t)t->ncmp << sc->nanalyses, sizeof *ch->pattern[h]);
    if (!ch->sums[h] || (patterns && !ch->pattern[h])) {
      chunk_free(ch);
      return -1;
    }
  }
  return 0;
}

/* Adds the chunk's sums into t and clears them. */
static void chunk_flush(chunk *ch, tsim_tally *t) {
  for (int h = 0; h < 2; h++) {
    for (int k = 0; k < t->ncomp; k++) {
      chunk_sums *s = &ch->sums[h][k];
      t->cell[h][k].n_sq_sum += s->n_sq;
      t->cell[h][k].diff_sum += s->diff;
      t->cell[h][k].diff_sq_sum += s->diff_sq;
    }
    memset(ch->sums[h], 0, (size_t)t->ncomp * sizeof *ch->sums[h]);
    if (!ch->pattern[h]) continue;
    for (int j = 0; j < ch->ncmp; j++) {
      uint32_t *count = ch->pattern[h] + ((size_t)j << ch->nanalyses);
      for (uint32_t m = 0; m < (1u << ch->nanalyses); m++) {
        if (!count[m]) continue;
        for (int p = 0; p < t->npairs; p++) {
          int a = t->pairs[p].first / ch->ncmp, b = t->pairs[p].second / ch->ncmp;
          if (t->pairs[p].first % ch->ncmp == j && (m >> a & m >> b & 1u)) t->both[h][p] += count[m];
        }
        count[m] = 0;
      }
    }
  }
}

static void tally_add(tsim_tally *t, chunk *ch, int h, const tsim_outcome *out) {
  for (int k = 0; k < t->ncomp; k++) {
    const tsim_outcome *o = &out[k];
    tsim_tally_cell *c = &t->cell[h][k];
    chunk_sums *s = &ch->sums[h][k];
    c->reject += (uint64_t)o->reject;
    c->favouring += (uint64_t)o->favouring;
    c->n0_sum += (uint64_t)o->n0;
    c->n1_sum += (uint64_t)o->n1;
    s->n_sq += (uint64_t)((o->n0 + o->n1) * (o->n0 + o->n1));
    c->sites_dropped += (uint64_t)o->sites_dropped;
    if (o->defined) {
      c->defined++;
      /* |diff| <= the analysis's bound (clamped: beyond it lies only numerical nonsense). */
      double d = o->diff * c->scale;
      d = d > TSIM_FIXED_SCALE ? TSIM_FIXED_SCALE : d < -TSIM_FIXED_SCALE ? -TSIM_FIXED_SCALE : d;
      s->diff += fixed_point(d);
      s->diff_sq += (uint64_t)fixed_point(d * d / TSIM_FIXED_SCALE);
    }
  }
  if (ch->pattern[h])
    for (int j = 0; j < t->ncmp; j++) {
      uint32_t m = 0; /* bit a: analysis a rejected */
      for (int a = 0; a < ch->nanalyses; a++) m |= (uint32_t)(out[a * t->ncmp + j].reject != 0) << a;
      ch->pattern[h][((size_t)j << ch->nanalyses) + m]++;
    }
  else
    for (int p = 0; p < t->npairs; p++)
      t->both[h][p] += (uint64_t)(out[t->pairs[p].first].reject && out[t->pairs[p].second].reject);
}

void tsim_run_trial(const tsim_scenario *sc, tsim_cohort *c, tsim_analysis_ws *w, uint64_t seed,
                    long long trial, tsim_outcome *out) {
  int ncomp = sc->nanalyses * tsim_scenario_ncomparisons(sc);
  tsim_cohort_sample(c, seed, trial);
  tsim_analysis_prepare(w, c);
  for (int h = 0; h < 2; h++) tsim_analysis_eval_all(w, (tsim_hypothesis)h, out + h * ncomp);
}

/* Trials are handed out in chunks from a shared counter (dynamic scheduling by hand, so one
 * thread can report progress between its chunks). The chunk size (RUN_CHUNK, above) only
 * affects speed. */
tsim_status tsim_run(const tsim_scenario *sc, const tsim_run_opts *o, tsim_tally **out) {
  *out = NULL;
  tsim_cohort_plan plan;
  if (tsim_cohort_plan_init(&plan, sc) != TSIM_OK) return TSIM_NOMEM;
  tsim_tally *total = tsim_tally_new(sc);
  if (!total) { tsim_cohort_plan_free(&plan); return TSIM_NOMEM; }
  long long next = 0, done = 0;
  int failed = 0;
#pragma omp parallel num_threads(o->threads) shared(next, done, failed)
  {
    /* Per-thread workspace, declared inside the region and allocated once. */
    tsim_cohort *c = tsim_cohort_new(&plan);
    tsim_tally *mine = tsim_tally_new(sc);
    tsim_analysis_ws *aw = tsim_analysis_ws_new(sc);
    tsim_outcome *res = malloc((size_t)(mine ? 2 * mine->ncomp : 1) * sizeof *res);
    chunk ch;
    int chunk_ok = mine && chunk_init(&ch, sc, mine) == 0;
    if (!c || !mine || !aw || !res || !chunk_ok) {
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
      for (long long i = start; i < end; i++) {
        tsim_run_trial(sc, c, aw, o->seed, o->first_trial + i, res);
        tally_add(mine, &ch, 0, res);
        tally_add(mine, &ch, 1, res + mine->ncomp);
        if (mine->nproc) {
          tally_procedures(mine, sc, 0, res);
          tally_procedures(mine, sc, 1, res + mine->ncomp);
        }
      }
      chunk_flush(&ch, mine);
      mine->trials += end - start;
      long long d;
#pragma omp atomic capture
      { done += end - start; d = done; }
      if (o->progress && omp_get_thread_num() == 0) o->progress(o->progress_ctx, d, o->trials);
    }
#pragma omp critical(tsim_merge)
    if (mine && !failed) tsim_tally_merge(total, mine);
    if (chunk_ok) chunk_free(&ch);
    tsim_tally_free(mine);
    tsim_cohort_free(c);
    tsim_analysis_ws_free(aw);
    free(res);
  }
  tsim_cohort_plan_free(&plan);
  if (failed) { tsim_tally_free(total); return TSIM_NOMEM; }
  *out = total;
  return TSIM_OK;
}
