/* test_size.c - the sample-size search against exact enumeration.
 *
 * For a two-arm trial without sites (fixed 1:1 randomisation, 10% dropout), the exact power
 * and type I error at every total size are finite sums (exact.h). The search is run for a
 * Fisher test under non-responder imputation and a Pearson test on completers; then
 *  - at every size it evaluated, its power and type I error lie within 4 Monte Carlo
 *    standard errors of the exact values;
 *  - at the size it returns the exact power is at least target - 4 SE, and at that size minus
 *    one step (which it must have evaluated) the exact power is below target + 4 SE;
 *  - every evaluated size from stable_sample_size up reaches the target, and
 *    stable_sample_size >= sample_size.
 * Fixed seed; 20,000 trials per size (at most, sequentially: the standard errors are each
 * size's own). Each search runs both ways: every size to its maximum (as `size --full`), and
 * sequentially (the command's default), where besides
 *  - a size stopped early (told apart from the target) has its exact power on the side it was
 *    told apart on (within 1 SE of its own trials: the bounds are at z = 3);
 *  - its counts are those of a plain run of that many trials (the looks merge exactly);
 *  - it simulated fewer trials than the full search.
 */
#include <stdlib.h>

#include "check.h"
#include "exact.h"
#include "analysis/analysis.h"
#include "model/cohort.h"
#include "run/size.h"

#define TRIALS 20000
#define K_SE 4.0

static const double P0 = 0.3, P1 = 0.6, DROP = 0.1, TARGET = 0.8;

/* Exact rejection probability of the analysis at total size n (n/2 per arm). */
static double exact_power(const tsim_analysis *an, int n, int null_twin) {
  static dist d0, d1;
  int mode = an->missing == TSIM_MISSING_NON_RESPONDER ? POP_NRI : POP_ANALYSED;
  arm_dist(&d0, n / 2, P0, 1 - DROP, mode, 0);
  arm_dist(&d1, n / 2, null_twin ? P0 : P1, 1 - DROP, mode, 0);
  exact e = {0};
  double m2 = 0;
  exact_add(&e, &d0, &d1, an->test, an->alpha, 1.0, &m2);
  return e.reject;
}

/* The counts of a plain run of size n with the search's seed and `trials` trials. */
static tsim_tally *plain_run(const char *file, long long n, long long trials) {
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_override ov;
  memset(&ov, 0, sizeof ov);
  snprintf(ov.path, sizeof ov.path, "sample_size");
  ov.value = (double)n;
  tsim_scenario_source *src = tsim_scenario_source_open(file, &d);
  tsim_scenario *sc = NULL;
  tsim_tally *t = NULL;
  if (src && tsim_scenario_from_source(src, &ov, 1, &sc, &d) == TSIM_OK) {
    tsim_run_opts ro = {2024, 0, trials, 1, NULL, NULL, 0, 0};
    if (tsim_run(sc, &ro, &t) != TSIM_OK) t = NULL;
  }
  tsim_scenario_free(sc);
  tsim_scenario_source_close(src);
  tsim_diag_clear(&d);
  return t;
}

static long long check_search(const char *file, const tsim_scenario *sc, const char *id, int sequential,
                              long long full_trials) {
  tsim_size_opts o;
  memset(&o, 0, sizeof o);
  snprintf(o.comparison[0], sizeof o.comparison[0], "%s", id);
  o.target = TARGET;
  o.window = 6;
  o.sequential = sequential;
  o.z = 3;
  tsim_run_opts ro = {2024, 0, TRIALS, 2, NULL, NULL, 0, 0};
  tsim_size_result r;
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_status st = tsim_size_search(file, NULL, 0, &o, &ro, &r, &d);
  tsim_diag_print(&d, "size: ", stderr);
  tsim_diag_clear(&d);
  CHECK(st == TSIM_OK && r.reached, "%s: search failed or never reached the target", id);
  if (st != TSIM_OK) return 0;
  const tsim_analysis *an = &sc->analyses[r.comparison[0]];
  CHECK(r.step == 2, "%s: a 1:1 design searches even sizes, step %lld", id, r.step);
  double se = prop_se(TARGET, TRIALS);
  const tsim_size_point *below = NULL;
  int early = 0;
  for (int i = 0; i < r.npoints; i++) {
    const tsim_size_point *p = &r.points[i];
    char what[96];
    for (int h = 0; h < 2; h++) {
      double ex = exact_power(an, (int)p->n, h);
      snprintf(what, sizeof what, "%s at N = %lld: %s", id, p->n, h ? "type I error" : "power");
      CHECK_SE((double)p->reject[0][h] / (double)p->trials, ex, prop_se(ex, (double)p->trials), K_SE, what);
    }
    CHECK(sequential || (p->trials == TRIALS && p->stopped == TSIM_SIZE_STOP_MAX),
          "%s at N = %lld: %lld trials, stopped %d without sequential looks", id, p->n, p->trials, p->stopped);
    CHECK(p->trials == TRIALS || p->stopped == TSIM_SIZE_STOP_SIDE, "%s at N = %lld: stopped at %lld trials "
          "but not told apart", id, p->n, p->trials);
    if (p->stopped == TSIM_SIZE_STOP_SIDE) {
      /* Told apart: the exact power lies on the side stated. */
      double fav = exact_power(an, (int)p->n, 0), s1 = prop_se(TARGET, (double)p->trials);
      early++;
      CHECK(p->trials < TRIALS && p->side != 0, "%s at N = %lld: told apart without a side", id, p->n);
      CHECK(p->side > 0 ? fav > TARGET - s1 : fav < TARGET + s1,
            "%s at N = %lld: told apart %s the target after %lld trials, exact power %.4f", id, p->n,
            p->side > 0 ? "above" : "below", p->trials, fav);
      /* A look's counts are a plain run's of as many trials. */
      tsim_tally *t = plain_run(file, p->n, p->trials);
      CHECK(t && t->cell[0][r.comparison[0]].reject == p->reject[0][0] &&
            t->cell[0][r.comparison[0]].favouring == p->favouring[0][0] &&
            t->cell[1][r.comparison[0]].reject == p->reject[0][1],
            "%s at N = %lld: the counts after %lld trials differ from a plain run's", id, p->n, p->trials);
      tsim_tally_free(t);
    }
    if (p->n == r.sample_size - r.step) below = p;
    if (p->n >= r.stable_sample_size)
      CHECK((double)p->reject[0][0] >= TARGET * (double)p->trials, "%s: N = %lld >= stable size %lld misses the target",
            id, p->n, r.stable_sample_size);
  }
  CHECK(r.stable_sample_size >= r.sample_size, "%s: stable %lld < smallest %lld", id,
        r.stable_sample_size, r.sample_size);
  double at = exact_power(an, (int)r.sample_size, 0);
  CHECK(at >= TARGET - K_SE * se, "%s: exact power %.4f at the returned N = %lld is below the target",
        id, at, r.sample_size);
  CHECK(below != NULL, "%s: N - step = %lld was not evaluated", id, r.sample_size - r.step);
  if (below) {
    double ex = exact_power(an, (int)below->n, 0);
    CHECK(ex < TARGET + K_SE * se, "%s: exact power %.4f at N - step = %lld already reaches the target",
          id, ex, below->n);
  }
  if (sequential) {
    CHECK(early > 0, "%s: no size was stopped early", id);
    CHECK(r.trials_total < full_trials, "%s: sequential search simulated %lld trials, the full one %lld", id,
          r.trials_total, full_trials);
  }
  printf("%s%s: sample size %lld (stable from %lld), exact power there %.4f, %d sizes evaluated, "
         "%lld trials (%d stopped early)\n", id, sequential ? " (sequential)" : "", r.sample_size,
         r.stable_sample_size, at, r.npoints, r.trials_total, early);
  long long total = r.trials_total;
  tsim_size_result_free(&r);
  return total;
}

/* What the progress callback saw. */
typedef struct seen {
  int done, starts, last_remaining, bad_bracket, bad_count;
} seen;

static void on_progress(void *ctx, const tsim_size_progress *p) {
  seen *s = ctx;
  if (p->lo > 0 && p->hi > 0 && p->lo >= p->hi) s->bad_bracket++;
  if (!p->point) {
    if (p->trials_done == 0) s->starts++;
    return;
  }
  s->done++;
  if (p->evaluated != s->done) s->bad_count++;
  s->last_remaining = p->remaining;
}

/* Both analyses at once: a size reaches the target exactly when both do; the answer is the
 * smallest evaluated such size; the joint rejections lie within the Frechet bounds of the two
 * analyses' rejections; the progress callback is told of every size (started and done), in
 * order, with a bracket lo < hi and nothing remaining at the end. */
static void check_joint(const char *file) {
  tsim_size_opts o;
  memset(&o, 0, sizeof o);
  snprintf(o.comparison[0], sizeof o.comparison[0], "itt_fisher");
  snprintf(o.comparison[1], sizeof o.comparison[1], "cc_pearson");
  o.ncomparisons = 2;
  o.target = TARGET;
  o.window = 4;
  seen sn = {0, 0, -2, 0, 0};
  o.progress = on_progress;
  o.progress_ctx = &sn;
  tsim_run_opts ro = {2024, 0, TRIALS / 4, 2, NULL, NULL, 0, 0};
  tsim_size_result r;
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_status st = tsim_size_search(file, NULL, 0, &o, &ro, &r, &d);
  tsim_diag_print(&d, "size: ", stderr);
  tsim_diag_clear(&d);
  CHECK(st == TSIM_OK && r.reached && r.has_all && r.ncomparisons == 2, "joint search failed");
  if (st != TSIM_OK) return;
  long long first = 0;
  for (int i = 0; i < r.npoints; i++) {
    const tsim_size_point *p = &r.points[i];
    int each = 1;
    for (int c = 0; c < 2; c++) each &= (double)p->reject[c][0] >= TARGET * (double)p->trials;
    CHECK(tsim_size_point_reaches(p, 2, TARGET) == each, "N = %lld: reaches is not 'both reach'", p->n);
    if (each && !first) first = p->n;
    for (int h = 0; h < 2; h++) {
      uint64_t a = p->reject[0][h], b = p->reject[1][h], lo = a + b > (uint64_t)p->trials ? a + b - (uint64_t)p->trials : 0;
      CHECK(p->all[h] <= (a < b ? a : b) && p->all[h] >= lo,
            "N = %lld, hypothesis %d: joint %llu outside [%llu, min(%llu, %llu)]", p->n, h,
            (unsigned long long)p->all[h], (unsigned long long)lo, (unsigned long long)a,
            (unsigned long long)b);
    }
  }
  CHECK(r.sample_size == first, "joint answer %lld, the first size where both reach is %lld", r.sample_size, first);
  CHECK(sn.done == r.npoints && sn.starts == r.npoints, "progress: %d started, %d done, %d sizes",
        sn.starts, sn.done, r.npoints);
  CHECK(sn.bad_count == 0 && sn.bad_bracket == 0, "progress: evaluated count or bracket wrong");
  CHECK(sn.last_remaining == 0, "progress: %d sizes remaining after the last", sn.last_remaining);
  printf("itt_fisher and cc_pearson: sample size %lld, %d sizes evaluated\n", r.sample_size, r.npoints);
  tsim_size_result_free(&r);
}

/* The trials of a run (seed, trials) in which every comparison of set[0 .. n) rejected favouring
 * the experimental arm, per hypothesis: counted here trial by trial from tsim_run_trial's
 * outcomes, apart from the tally (scenarios with one null and two arms). */
static void recount_all_favouring(const tsim_scenario *sc, uint64_t seed, long long trials, const int *set, int n,
                                  uint64_t out_count[2]) {
  tsim_cohort_plan plan;
  out_count[0] = out_count[1] = 0;
  CHECK(tsim_scenario_ncomparisons(sc) == 1, "two arms expected");
  if (tsim_cohort_plan_init(&plan, sc) != TSIM_OK) return;
  tsim_cohort *c = tsim_cohort_new(&plan);
  tsim_analysis_ws *w = tsim_analysis_ws_new(sc);
  tsim_outcome *out = calloc(2 * (size_t)sc->nanalyses, sizeof *out);
  for (long long t = 0; c && w && out && t < trials; t++) {
    tsim_run_trial(sc, c, w, seed, t, out);
    for (int h = 0; h < 2; h++) {
      int fav = 1;
      for (int i = 0; i < n; i++) fav &= out[(size_t)h * (size_t)sc->nanalyses + (size_t)set[i]].favouring != 0;
      out_count[h] += (uint64_t)fav;
    }
  }
  free(out);
  tsim_analysis_ws_free(w);
  tsim_cohort_free(c);
  tsim_cohort_plan_free(&plan);
}

/* tsim_run_all_of: its other counts are tsim_run's; for two comparisons its joint count is the
 * pair's (tsim_tally.both); for three it is at most every pair's and at least the Frechet bound;
 * the block path (TSIM_BLOCK=1) and whole outcomes give the same counts. Its count with every
 * rejection favouring the experimental arm (all_fav) is the one made trial by trial from the
 * outcomes, on both paths. */
static void check_all_of(const tsim_scenario *sc) {
  static const int two[] = {0, 1}, three[] = {0, 1, 2};
  tsim_run_opts ro = {77, 0, 3001, 2, NULL, NULL, 0, 0};
  tsim_tally *plain = NULL, *t2 = NULL, *t3[2] = {NULL, NULL};
  setenv("TSIM_BLOCK", "1", 1);
  int ok = tsim_run(sc, &ro, &plain) == TSIM_OK && tsim_run_all_of(sc, &ro, two, 2, &t2) == TSIM_OK;
  for (int w = 0; w < 2 && ok; w++) {
    ro.whole_outcomes = w;
    ok = tsim_run_all_of(sc, &ro, three, 3, &t3[w]) == TSIM_OK;
  }
  unsetenv("TSIM_BLOCK");
  CHECK(ok, "tsim_run_all_of failed");
  if (ok) {
    for (int h = 0; h < 2; h++) {
      for (int k = 0; k < plain->ncomp; k++)
        CHECK(plain->cell[h][k].reject == t3[0]->cell[h][k].reject &&
              plain->cell[h][k].favouring == t3[0]->cell[h][k].favouring &&
              plain->cell[h][k].diff_sum == t3[0]->cell[h][k].diff_sum,
              "hypothesis %d, comparison %d: tsim_run_all_of changed a count", h, k);
      CHECK(t2->all[h] == plain->both[h][0], "hypothesis %d: all of two %llu, the pair's %llu", h,
            (unsigned long long)t2->all[h], (unsigned long long)plain->both[h][0]);
      CHECK(t3[0]->all[h] == t3[1]->all[h], "hypothesis %d: block path %llu, whole outcomes %llu", h,
            (unsigned long long)t3[0]->all[h], (unsigned long long)t3[1]->all[h]);
      uint64_t sum = 0, n = (uint64_t)plain->trials;
      for (int k = 0; k < 3; k++) sum += plain->cell[h][k].reject;
      for (int p = 0; p < plain->npairs; p++)
        CHECK(t3[0]->all[h] <= plain->both[h][p], "hypothesis %d: all of three above pair %d", h, p);
      CHECK(t3[0]->all[h] + 2 * n >= sum, "hypothesis %d: all of three below the Frechet bound", h);
      CHECK(h == 1 || t3[0]->all[h] > 0, "no trial with all three significant under the alternative");
    }
    uint64_t fav[2], fav2[2];
    recount_all_favouring(sc, 77, plain->trials, three, 3, fav);
    recount_all_favouring(sc, 77, plain->trials, two, 2, fav2);
    for (int h = 0; h < 2; h++) {
      CHECK(t2->all_fav[h] == fav2[h], "hypothesis %d: both favouring %llu, trial by trial %llu", h,
            (unsigned long long)t2->all_fav[h], (unsigned long long)fav2[h]);
      for (int w = 0; w < 2; w++)
        CHECK(t3[w]->all_fav[h] == fav[h], "hypothesis %d, %s: all three favouring %llu, trial by trial %llu", h,
              w ? "whole outcomes" : "block path", (unsigned long long)t3[w]->all_fav[h], (unsigned long long)fav[h]);
      CHECK(t3[0]->all_fav[h] <= t3[0]->all[h], "hypothesis %d: all favouring above all", h);
    }
    printf("favouring the experimental arm: the first two %llu (alternative), %llu (null); all three %llu, %llu\n",
           (unsigned long long)fav2[0], (unsigned long long)fav2[1], (unsigned long long)fav[0], (unsigned long long)fav[1]);
    printf("all of three at N = %lld: %llu of %lld trials (alternative), %llu (null)\n", sc->sample_size,
           (unsigned long long)t3[0]->all[0], plain->trials, (unsigned long long)t3[0]->all[1]);
  }
  tsim_tally_free(plain);
  tsim_tally_free(t2);
  tsim_tally_free(t3[0]);
  tsim_tally_free(t3[1]);
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off();
  char json[2048];
  snprintf(json, sizeof json,
           "{\"name\": \"size\", \"sample_size\": 60,"
           " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e\"}],"
           " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": %g, \"e\": %g}}],"
           " \"dropout\": {\"c\": %g, \"e\": %g},"
           " \"analyses\": ["
           "  {\"id\": \"itt_fisher\", \"population\": \"itt\", \"test\": \"fisher\"},"
           "  {\"id\": \"cc_pearson\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"pearson\"},"
           "  {\"id\": \"itt_pearson\", \"population\": \"itt\", \"test\": \"pearson\"}]}",
           P0, P1, DROP, DROP);
  char path[] = "/tmp/tsim_size_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0 || write(fd, json, strlen(json)) != (ssize_t)strlen(json)) return 2;
  close(fd);
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  if (tsim_scenario_load(path, &sc, &d) != TSIM_OK) {
    tsim_diag_print(&d, "", stderr);
    return 2;
  }
  for (int i = 0; i < 2; i++) {
    const char *id = i ? "cc_pearson" : "itt_fisher";
    long long full = check_search(path, sc, id, 0, 0);
    check_search(path, sc, id, 1, full);
  }
  check_joint(path);
  check_all_of(sc);
  /* argv[1]: a scenario the block path applies to (with TSIM_BLOCK=1), three chi-square tests. */
  tsim_scenario *chisq = NULL;
  if (argc < 2 || tsim_scenario_load(argv[1], &chisq, &d) != TSIM_OK) {
    tsim_diag_print(&d, "", stderr);
    fprintf(stderr, "usage: test_size BLOCK_THREE.json\n");
    return 2;
  }
  check_all_of(chisq);
  tsim_scenario_free(chisq);
  tsim_scenario_free(sc);
  tsim_diag_clear(&d);
  unlink(path);
  return tsim_check_done();
}
