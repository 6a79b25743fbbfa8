/* test_runner.c - a run split into pieces of trials and merged through the packed tally
 * (tsim_tally_pack / tsim_tally_merge_words; tsim_tally_set_words: what a run across processes
 * sends and keeps) gives the tally of the whole run, every count of it: per comparison and hypothesis, the joint decisions, the
 * multiplicity procedures (also by direction) and the p-value distribution. Usage: test_runner SCENARIO...
 * (scenarios with multiplicity procedures and three or more arms exercise every part).
 * Also a run in pieces with a save after each (tsim_run_checkpointed, as run --checkpoint), and
 * the run carried on from a save written to a file and read back (run/partial.h), give the
 * whole run's tally. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "run/partial.h"
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

/* The saves of a checkpointed run: the first written to a file (as run --checkpoint does). */
typedef struct saves {
  int n;
  long long first_next;
  const char *file;
  const tsim_partial_id *id;
} saves;

static int save(void *ctx, const tsim_tally *t, long long next) {
  saves *s = ctx;
  if (s->n++ == 0) {
    tsim_diag d;
    tsim_diag_init(&d);
    CHECK(tsim_partial_write(s->file, s->id, t, next, &d) == TSIM_OK, "%s: the save is not written", s->file);
    tsim_diag_clear(&d);
    s->first_next = next;
  }
  return 0;
}

static void checkpointed(const char *file, int p_values) {
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  if (tsim_scenario_load(file, &sc, &d) != TSIM_OK) {
    CHECK(0, "%s does not load", file);
    tsim_diag_clear(&d);
    return;
  }
  const long long total = 3001;
  /* One thread: pieces of 1024 trials at least, so three pieces and two saves. */
  tsim_run_opts o = {99, 0, total, 1, NULL, NULL, p_values, 0};
  char path[] = "/tmp/test_runner_ckpt_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0, "no temporary file");
  if (fd >= 0) close(fd);
  const char *text = "{}";
  tsim_partial_id id;
  tsim_partial_id_init(&id, file, text, 2, NULL, 0, o.seed, total, p_values, 0, total);
  saves sv = {0, 0, path, &id};
  tsim_checkpoint_opts cp = {1e-9, save, &sv, NULL, 0};
  tsim_tally *whole = NULL, *pieced = NULL, *resumed = NULL;
  CHECK(tsim_run(sc, &o, &whole) == TSIM_OK, "%s: the whole run", file);
  CHECK(tsim_run_checkpointed(sc, &o, &cp, &pieced) == TSIM_OK, "%s: the run in pieces", file);
  CHECK(sv.n >= 2, "%s: %d saves, expected a save after every piece but the last", file, sv.n);
  if (whole && pieced) CHECK(same_tally(whole, pieced), "%s (p-values %d): the run in pieces differs from the whole run", file, p_values);
  tsim_partial p;
  if (tsim_partial_read(path, &p, &d) == TSIM_OK) {
    CHECK(p.done == sv.first_next && p.id.seed == o.seed && p.id.trials == total, "%s: the save read back differs", file);
    tsim_tally *start = tsim_tally_new(sc, p_values);
    CHECK(start && tsim_partial_tally(&p, start, NULL) == TSIM_OK, "%s: the save's tally has another shape", file);
    CHECK(start && start->trials == p.done, "%s: the save holds %lld trials, not %lld", file, start ? start->trials : -1, p.done);
    tsim_checkpoint_opts from = {1e9, save, &sv, start, p.done};
    CHECK(tsim_run_checkpointed(sc, &o, &from, &resumed) == TSIM_OK, "%s: the run from the save", file);
    if (whole && resumed) CHECK(same_tally(whole, resumed), "%s (p-values %d): the run from the save differs from the whole run", file, p_values);
    tsim_tally_free(start);
    tsim_partial_free(&p);
  } else {
    tsim_diag_print(&d, "", stderr);
    CHECK(0, "%s: the save does not read back", path);
  }
  tsim_diag_clear(&d);
  remove(path);
  tsim_tally_free(whole);
  tsim_tally_free(pieced);
  tsim_tally_free(resumed);
  tsim_scenario_free(sc);
}

/* The Wilson interval's ends at no and at every success are exactly 0 and 1: its lower bound at
 * k = 0 is 0 in exact arithmetic, but centre - half rounded to about 1e-19 (a lower bound
 * above 0 for a rate never seen), and the upper bound at k = n to just below 1. */
static void wilson_ends(void) {
  static const uint64_t ns[] = {1, 2, 3, 7, 100, 1000, 2000, 100000, 12345678};
  for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
    for (int zi = 0; zi < 3; zi++) {
      double z = zi == 0 ? 1.959963984540054 : zi == 1 ? 3 : 1, lo, hi;
      tsim_wilson(0, ns[i], z, &lo, &hi);
      CHECK(lo == 0 && hi > 0 && hi < 1, "Wilson k = 0, n = %llu, z = %g: [%g, %g]", (unsigned long long)ns[i], z, lo, hi);
      tsim_wilson(ns[i], ns[i], z, &lo, &hi);
      CHECK(hi == 1 && lo > 0 && lo < 1, "Wilson k = n = %llu, z = %g: [%g, %g]", (unsigned long long)ns[i], z, lo, hi);
    }
}

int main(int argc, char **argv) {
  wilson_ends();
  for (int i = 1; i < argc; i++) {
    pieces(argv[i], 0);
    pieces(argv[i], 1);
    checkpointed(argv[i], i == 1);
  }
  CHECK(argc > 1, "usage: test_runner SCENARIO...");
  return tsim_check_done();
}
