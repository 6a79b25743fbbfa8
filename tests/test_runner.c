/* test_runner.c - a run split into pieces of trials and merged through the packed tally
 * (tsim_tally_pack / tsim_tally_merge_words; tsim_tally_set_words: what a run across processes
 * sends and keeps) gives the tally of the whole run, every count of it: per comparison and hypothesis, the joint decisions, the
 * multiplicity procedures (also by direction) and the p-value distribution. Usage: test_runner SCENARIO...
 * (scenarios with multiplicity procedures and three or more arms exercise every part). */
#include <stdlib.h>

#include "check.h"
#include "run/runner.h"
#include "input/scenario.h"

/* Every count of a and b equal, field by field (not through the packing under test). */
static int same_tally(const tsim_tally *a, const tsim_tally *b) {
  if (a->trials != b->trials || a->ncomp != b->ncomp || a->npairs != b->npairs || a->nproc != b->nproc ||
      a->ncmp != b->ncmp || a->pstride != b->pstride)
    return 0;
  for (int h = 0; h < 2; h++) {
    for (int k = 0; k < a->ncomp; k++) {
      const tsim_tally_cell *x = &a->cell[h][k], *y = &b->cell[h][k];
      if (x->reject != y->reject || x->favouring != y->favouring || x->defined != y->defined ||
          x->n0_sum != y->n0_sum || x->n1_sum != y->n1_sum || x->n_sq_sum != y->n_sq_sum ||
          x->sites_dropped != y->sites_dropped || x->diff_sum != y->diff_sum || x->diff_sq_sum != y->diff_sq_sum)
        return 0;
    }
    for (int p = 0; p < a->npairs; p++)
      if (a->both[h][p] != b->both[h][p]) return 0;
    size_t np = (size_t)a->nproc * (size_t)a->ncmp * (size_t)a->pstride;
    for (size_t i = 0; i < np; i++)
      if (a->proc[h][i] != b->proc[h][i] || a->proc_fav[h][i] != b->proc_fav[h][i]) return 0;
    if (!a->pdist[h] != !b->pdist[h]) return 0;
    for (size_t i = 0; a->pdist[h] && i < (size_t)a->ncomp * (TSIM_PBINS + 1); i++)
      if (a->pdist[h][i] != b->pdist[h][i]) return 0;
  }
  return 1;
}

static void pieces(const char *file, int p_values) {
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  if (tsim_scenario_load(file, &sc, &d) != TSIM_OK) {
    tsim_diag_print(&d, "", stderr);
    CHECK(0, "%s does not load", file);
    tsim_diag_clear(&d);
    return;
  }
  tsim_diag_clear(&d);
  const long long total = 3001; /* odd, so the pieces are uneven */
  tsim_run_opts o = {99, 0, total, 2, NULL, NULL, p_values, 0};
  tsim_tally *whole = NULL, *merged = tsim_tally_new(sc, p_values);
  CHECK(tsim_run(sc, &o, &whole) == TSIM_OK && merged, "%s: the whole run", file);
  /* Three contiguous blocks, as the processes of a run take them, merged out of order. */
  const long long cut[4] = {0, 1000, 2001, total};
  for (int i = 2; whole && merged && i >= 0; i--) {
    tsim_run_opts po = o;
    po.first_trial = cut[i];
    po.trials = cut[i + 1] - cut[i];
    po.threads = 1 + i % 2;
    tsim_tally *t = NULL;
    CHECK(tsim_run(sc, &po, &t) == TSIM_OK, "%s: piece %d", file, i);
    if (!t) continue;
    size_t n64, n128;
    tsim_tally_words(t, &n64, &n128);
    uint64_t *w64 = malloc(n64 * sizeof *w64), *w128 = malloc(2 * n128 * sizeof *w128);
    if (w64 && w128) {
      tsim_tally_pack(t, w64, w128);
      tsim_tally_merge_words(merged, w64, w128);
    }
    free(w64);
    free(w128);
    tsim_tally_free(t);
  }
  if (whole && merged) {
    CHECK(merged->trials == total, "%s: %lld trials merged", file, merged->trials);
    CHECK(same_tally(whole, merged), "%s (p-values %d): the merged pieces differ from the whole run", file,
          p_values);
    /* Words set into a fresh tally (as the processes' summed words are) make the same tally. */
    tsim_tally *set = tsim_tally_new(sc, p_values);
    size_t n64, n128;
    tsim_tally_words(whole, &n64, &n128);
    uint64_t *w64 = malloc(n64 * sizeof *w64), *w128 = malloc(2 * n128 * sizeof *w128);
    if (set && w64 && w128) {
      tsim_tally_pack(whole, w64, w128);
      tsim_tally_set_words(set, w64, w128);
      CHECK(same_tally(whole, set), "%s (p-values %d): words set differ from the tally packed", file, p_values);
    }
    free(w64);
    free(w128);
    tsim_tally_free(set);
    /* The check can fail: one count changed is seen. */
    merged->cell[1][merged->ncomp - 1].n_sq_sum += (tsim_i128)1 << 70;
    CHECK(!same_tally(whole, merged), "%s: a changed 128-bit count goes unseen", file);
    merged->cell[1][merged->ncomp - 1].n_sq_sum -= (tsim_i128)1 << 70;
    merged->cell[0][0].sites_dropped++;
    CHECK(!same_tally(whole, merged), "%s: a changed count goes unseen", file);
  }
  tsim_tally_free(whole);
  tsim_tally_free(merged);
  tsim_scenario_free(sc);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    pieces(argv[i], 0);
    pieces(argv[i], 1);
  }
  CHECK(argc > 1, "usage: test_runner SCENARIO...");
  return tsim_check_done();
}
