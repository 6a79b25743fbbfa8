/* block.c - the trial loop's block path (see block.h). */
#include "run/block.h"

#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"

/* With AVX-512 the kernels' 64-bit comparisons and conversions between integers and doubles are
 * single instructions; with AVX2 (no such conversions) and the baseline they are not, and whole
 * outcomes were faster: on LUPIL-2, one thread, 1.50M against 1.29M trials/s (AVX2) and 1.00M
 * against 0.82M (baseline), side by side. */
int tsim__block_pays(void) {
  const char *e = getenv("TSIM_BLOCK");
  if (e && (e[0] == '0' || e[0] == '1') && !e[1]) return e[0] == '1';
  return tsim_kernels()->avx512; /* in a build for AVX-512 (-march=native) its own kernels are AVX-512 */
}

int tsim__block_applies(const tsim_analysis_ws *aw, const tsim_tally *t) {
  return tsim_analysis_block_ok(aw) && tsim__block_pays() && t->nproc == 0 && !t->pdist[0];
}

/* A thread's sums over the trials of one chunk, slot by slot, added to its tally when the chunk
 * ends (block_flush): the same integers tally_add adds, in 64 bits - a chunk adds at most
 * TSIM_BLOCK_CHUNK_MAX 2^48 to a difference's sum and TSIM_BLOCK_CHUNK_MAX 10^14 to a sum of squared sizes. Joint
 * rejections are counted by pattern: pattern[h][r] counts the trials whose rejections under
 * hypothesis h were the bits of r (analysis k: bit k), and the pairs' counts are read off them
 * when the thread is done (block_pairs); with more than BLOCK_PATTERN_MAX analyses, pair by pair. */
#define BLOCK_PATTERN_MAX 10


typedef struct block_acc {
  tsim_block_sums s; /* the slots' sums (the kernels' block_add) */
  int nk, nslots;
  uint64_t *pattern[2]; /* [1 << nk] (owned), or NULL */
} block_acc;

static block_acc *block_acc_new(const tsim_tally *t, const tsim_outcome_block *b) {
  block_acc *a = calloc(1, sizeof *a);
  if (!a) return NULL;
  a->nk = t->ncomp; /* two arms: one comparison per analysis */
  a->nslots = b->nslots;
  for (int i = 0; i < 2 * a->nk; i++) a->s.scale[i] = t->cell[0][i % a->nk].scale;
  if (a->nk <= BLOCK_PATTERN_MAX)
    for (int h = 0; h < 2; h++)
      if (!(a->pattern[h] = calloc((size_t)1 << a->nk, sizeof *a->pattern[h]))) {
        free(a->pattern[0]);
        free(a);
        return NULL;
      }
  return a;
}

static void block_acc_free(block_acc *a) {
  if (!a) return;
  free(a->pattern[0]);
  free(a->pattern[1]);
  free(a);
}

static void block_add(block_acc *a, tsim_tally *t, const tsim_outcome_block *b) {
  tsim_kernels()->block_add(&a->s, b);
  int nk = a->nk;
  for (int h = 0; h < 2; h++) {
    const int64_t *r = b->reject + h * nk, *f = b->favouring + h * nk;
    if (t->nall) { /* every one of the set favouring the experimental arm (not in the patterns) */
      int64_t fav = 1;
      for (int i = 0; i < t->nall; i++) fav &= f[t->all_of[i]];
      t->all_fav[h] += (uint64_t)fav;
    }
    if (a->pattern[h]) {
      unsigned bits = 0;
      for (int k = 0; k < nk; k++) bits |= (unsigned)r[k] << k;
      a->pattern[h][bits]++;
    } else {
      for (int p = 0; p < t->npairs; p++) t->both[h][p] += (uint64_t)(r[t->pairs[p].first] & r[t->pairs[p].second]);
      if (t->nall) {
        int64_t all = 1;
        for (int i = 0; i < t->nall; i++) all &= r[t->all_of[i]];
        t->all[h] += (uint64_t)all;
      }
    }
  }
}

/* The chunk's sums into the tally, and afresh. */
static void block_flush(block_acc *a, tsim_tally *t) {
  for (int i = 0; i < 2 * a->nk; i++) {
    tsim_tally_cell *c = &t->cell[i / a->nk][i % a->nk];
    c->reject += a->s.reject[i];
    c->favouring += a->s.favouring[i];
    c->defined += a->s.defined[i];
    c->n0_sum += a->s.n0[i];
    c->n1_sum += a->s.n1[i];
    c->n_sq_sum += a->s.n_sq[i];
    c->sites_dropped += a->s.dropped[i];
    c->diff_sum += a->s.diff[i];
    c->diff_sq_sum += a->s.diff_sq[i];
  }
  size_t n = (size_t)a->nslots;
  memset(a->s.reject, 0, n * sizeof *a->s.reject);
  memset(a->s.favouring, 0, n * sizeof *a->s.favouring);
  memset(a->s.defined, 0, n * sizeof *a->s.defined);
  memset(a->s.n0, 0, n * sizeof *a->s.n0);
  memset(a->s.n1, 0, n * sizeof *a->s.n1);
  memset(a->s.n_sq, 0, n * sizeof *a->s.n_sq);
  memset(a->s.dropped, 0, n * sizeof *a->s.dropped);
  memset(a->s.diff, 0, n * sizeof *a->s.diff);
  memset(a->s.diff_sq, 0, n * sizeof *a->s.diff_sq);
}

/* The pairs' joint rejections (and the set's of tsim_run_all_of) from the patterns (see
 * block_acc). */
static void block_pairs(const block_acc *a, tsim_tally *t) {
  unsigned set = 0;
  for (int i = 0; i < t->nall; i++) set |= 1u << t->all_of[i];
  for (int h = 0; h < 2; h++) {
    if (!a->pattern[h]) continue;
    for (unsigned bits = 0; bits < (1u << a->nk); bits++) {
      for (int p = 0; p < t->npairs; p++)
        if ((bits >> t->pairs[p].first & 1) && (bits >> t->pairs[p].second & 1)) t->both[h][p] += a->pattern[h][bits];
      if (t->nall && (bits & set) == set) t->all[h] += a->pattern[h][bits];
    }
  }
}

struct tsim_block_path {
  tsim_outcome_block blk[2]; /* this trial's, the one before */
  block_acc *acc;
};

tsim_block_path *tsim__block_path_new(const tsim_analysis_ws *aw, const tsim_tally *t) {
  tsim_block_path *b = malloc(sizeof *b);
  if (!b) return NULL;
  tsim_analysis_block_init(aw, &b->blk[0]);
  tsim_analysis_block_init(aw, &b->blk[1]);
  if (!(b->acc = block_acc_new(t, b->blk))) {
    free(b);
    return NULL;
  }
  return b;
}

void tsim__block_path_free(tsim_block_path *b) {
  if (!b) return;
  block_acc_free(b->acc);
  free(b);
}

void tsim__block_path_chunk(tsim_block_path *b, tsim_cohort *c, tsim_analysis_ws *aw, tsim_tally *t,
                            uint64_t seed, long long first, long long n) {
  if (n <= 0) return; /* nothing to finish: blk[1] holds no trial of this chunk */
  tsim_outcome_block *blk = b->blk;
  /* Each trial's decisions are made one trial later, when its counts were stored long enough
   * ago to be read as vectors without waiting for the stores. */
  for (long long i = 0; i < n; i++) {
    tsim_outcome_block *now = &blk[i & 1], *before = &blk[(i & 1) ^ 1];
    tsim_cohort_sample(c, seed, first + i);
    tsim_analysis_prepare(aw, c);
    tsim_analysis_block_counts(aw, now);
    if (i > 0) {
      tsim_analysis_block_finish(aw, before);
      block_add(b->acc, t, before);
    }
  }
  tsim_analysis_block_finish(aw, &blk[(n - 1) & 1]);
  block_add(b->acc, t, &blk[(n - 1) & 1]);
  block_flush(b->acc, t);
}

void tsim__block_path_done(const tsim_block_path *b, tsim_tally *t) { block_pairs(b->acc, t); }
