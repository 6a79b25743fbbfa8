/* test_analysis.c - the two ways an analysis is evaluated on the cell table agree exactly, and
 * the site rule's integer thresholds make the decisions of the rule as stated.
 *
 * The cell table's analyses are evaluated from site sums, visiting only the sites removed
 * (analysis.c, eval_cells), while stratified tests and the latent model's patient counts take
 * the general path (per-site counts, a site mask; tsim__analysis_binary). Every scenario given
 * on the command line is sampled for a few hundred trials and every analysis evaluated both
 * ways, under both hypotheses, with and without p-values: every field of every outcome must be
 * the same, and the batch call of the trial loop (tsim_analysis_eval_all) must give what one call
 * per analysis gives, on either path, and so must the call for both hypotheses at once
 * (tsim_analysis_eval_trial). Where the trial loop's block path applies (tsim_analysis_eval_block:
 * two arms, every analysis a two-sided chi-square), its slots must hold the same outcomes, and a
 * run's tally through it must equal, field by field, the tally through whole outcomes. The site
 * rule (siterule.h) is checked against its defining expression for every site size of its table,
 * around each threshold, and beyond the table.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "check.h"
#include "run/block.h"
#include "run/runner.h"
#include "analysis/siterule.h"
#include "stats/stattest.h"

#define TRIALS 400
#define RUN_TRIALS 20000

static long long block_compared; /* slots the block path was compared on, every scenario */

static int same_double(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static int same_outcome(const tsim_outcome *a, const tsim_outcome *b) {
  return a->x0 == b->x0 && a->n0 == b->n0 && a->x1 == b->x1 && a->n1 == b->n1 && same_double(a->p, b->p) &&
         same_double(a->stat, b->stat) && a->reject == b->reject && a->favouring == b->favouring &&
         a->defined == b->defined && same_double(a->diff, b->diff) && a->sites_dropped == b->sites_dropped;
}

/* The scenario in `file`, or NULL (a failed check) when it does not load. */
static tsim_scenario *load(const char *file) {
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  if (tsim_scenario_load(file, &sc, &d) != TSIM_OK) {
    CHECK(0, "%s did not load", file);
    sc = NULL;
  }
  tsim_diag_clear(&d);
  return sc;
}

/* Every analysis of the scenario in `file`, site sums against the general path. */
static void paths_agree(const char *file) {
  tsim_scenario *sc = load(file);
  if (!sc) return;
  CHECK(!sc->latent, "%s: a cell-table scenario expected", file);
  tsim_cohort_plan plan;
  CHECK(tsim_cohort_plan_init(&plan, sc) == TSIM_OK, "%s: plan", file);
  tsim_cohort *c = tsim_cohort_new(&plan);
  tsim_analysis_ws *fast = tsim_analysis_ws_new(sc), *general = tsim_analysis_ws_new(sc);
  int ncmp = tsim_scenario_ncomparisons(sc);
  long long compared = 0, differ = 0, dropped = 0, rejected = 0, fast_evals = 0;
  for (int k = 0; k < sc->nanalyses; k++)
    fast_evals += sc->analyses[k].test != TSIM_TEST_CMH && sc->analyses[k].test != TSIM_TEST_LOGISTIC;
  static tsim_outcome_block blk;
  if (c && fast && general) {
    tsim_analysis_block_init(fast, &blk);
    general->general = 1;
    for (long long trial = 0; trial < TRIALS; trial++) {
      tsim_cohort_sample(c, 99, trial);
      /* The control arm's cells respond alike under both hypotheses (cohort.h). */
      for (int e = 0; e < sc->nendpoints; e++)
        for (int s = 0; s < sc->nsites; s++) {
          size_t ec = (size_t)e * (size_t)sc->nsites * (size_t)sc->narms + tsim_cohort_cell(sc, s, sc->control);
          if ((c->resp_pp[0][ec] != c->resp_pp[1][ec] || c->resp_dev[0][ec] != c->resp_dev[1][ec]) && differ++ < 10)
            CHECK(0, "%s trial %lld, site %d: the control's responders differ in the null twin", file, trial, s);
        }
      int want_p = (int)(trial % 2); /* half the trials with p-values (no cached decisions) */
      fast->want_p = general->want_p = want_p;
      tsim_analysis_prepare(fast, c);
      tsim_analysis_prepare(general, c);
      /* The trial loop's call, both hypotheses at once, against one hypothesis at a time. */
      tsim_outcome both[2 * TSIM_MAX_ANALYSES * TSIM_MAX_ARMS], one[TSIM_MAX_ANALYSES * TSIM_MAX_ARMS];
      tsim_analysis_eval_trial(fast, both);
      /* The trial loop's block path, where it applies, slot by slot against the same outcomes. */
      if (tsim_analysis_block_ok(fast)) {
        tsim_analysis_eval_block(fast, &blk);
        for (int i = 0; i < blk.nslots; i++) {
          int empty = i >= 2 * sc->nanalyses;
          tsim_outcome o = empty ? (tsim_outcome){0} : both[i];
          double diff = o.defined ? o.diff : 0;
          block_compared += !empty;
          if ((blk.x0[i] != o.x0 || blk.n0[i] != o.n0 || blk.x1[i] != o.x1 || blk.n1[i] != o.n1 ||
               blk.sites_dropped[i] != o.sites_dropped || blk.reject[i] != o.reject ||
               blk.favouring[i] != o.favouring || blk.defined[i] != o.defined ||
               memcmp(&blk.diff[i], &diff, sizeof diff) != 0) && differ++ < 10)
            CHECK(0, "%s trial %lld, slot %d: the block path gives %lld/%lld vs %lld/%lld reject %lld "
                  "favouring %lld diff %.17g, the outcome %lld/%lld vs %lld/%lld reject %d favouring %d diff %.17g",
                  file, trial, i, (long long)blk.x0[i], (long long)blk.n0[i], (long long)blk.x1[i],
                  (long long)blk.n1[i], (long long)blk.reject[i], (long long)blk.favouring[i], blk.diff[i], o.x0,
                  o.n0, o.x1, o.n1, o.reject, o.favouring, diff);
        }
      }
      for (int h = 0; h < 2; h++) {
        tsim_analysis_eval_all(fast, (tsim_hypothesis)h, one);
        for (int k = 0; k < sc->nanalyses * ncmp; k++) {
          compared++;
          if (!same_outcome(&both[h * sc->nanalyses * ncmp + k], &one[k]) && differ++ < 10)
            CHECK(0, "%s trial %lld, %s, comparison %d: tsim_analysis_eval_trial differs", file, trial,
                  tsim_hypothesis_names[h], k);
        }
      }
      for (int h = 0; h < 2; h++) {
        /* The batch call, on both workspaces (the general one falls back to one analysis at a
         * time), against the single-analysis calls. */
        tsim_outcome all[TSIM_MAX_ANALYSES * TSIM_MAX_ARMS], all_general[TSIM_MAX_ANALYSES * TSIM_MAX_ARMS];
        tsim_analysis_eval_all(fast, (tsim_hypothesis)h, all);
        tsim_analysis_eval_all(general, (tsim_hypothesis)h, all_general);
        for (int k = 0; k < sc->nanalyses; k++) {
          tsim_outcome a[TSIM_MAX_ARMS], b[TSIM_MAX_ARMS];
          tsim_analysis_eval(fast, k, (tsim_hypothesis)h, a);
          tsim_analysis_eval(general, k, (tsim_hypothesis)h, b);
          for (int j = 0; j < ncmp; j++) {
            compared++;
            if ((!same_outcome(&all[k * ncmp + j], &a[j]) || !same_outcome(&all_general[k * ncmp + j], &b[j])) &&
                differ++ < 10)
              CHECK(0, "%s trial %lld, %s, analysis %s comparison %d: tsim_analysis_eval_all differs", file, trial,
                    tsim_hypothesis_names[h], sc->analyses[k].id, j);
            dropped += a[j].sites_dropped > 0;
            rejected += a[j].reject;
            if (!same_outcome(&a[j], &b[j]) && differ++ < 10)
              CHECK(0, "%s trial %lld, %s, analysis %s comparison %d: site sums %lld/%lld vs %lld/%lld "
                    "p %.17g reject %d dropped %d; general %lld/%lld vs %lld/%lld p %.17g reject %d dropped %d",
                    file, trial, tsim_hypothesis_names[h], sc->analyses[k].id, j, a[j].x0, a[j].n0,
                    a[j].x1, a[j].n1, a[j].p, a[j].reject, a[j].sites_dropped, b[j].x0, b[j].n0, b[j].x1,
                    b[j].n1, b[j].p, b[j].reject, b[j].sites_dropped);
          }
        }
      }
    }
  } else {
    CHECK(0, "%s: out of memory", file);
  }
  CHECK(differ == 0, "%s: %lld of %lld outcomes differ between the paths", file, differ, compared);
  CHECK(fast_evals > 0, "%s: no analysis takes the site-sum path", file);
  CHECK(dropped > 0 && rejected > 0 && rejected < compared,
        "%s: vacuous comparison (%lld with sites dropped, %lld rejected of %lld)", file, dropped, rejected,
        compared);
  printf("%s: %lld outcomes identical on both paths (%lld with sites removed, %lld rejections)\n", file,
         compared, dropped, rejected);
  tsim_analysis_ws_free(fast);
  tsim_analysis_ws_free(general);
  tsim_cohort_free(c);
  tsim_cohort_plan_free(&plan);
  tsim_scenario_free(sc);
}

/* A run's tally through the block path equals the tally through whole outcomes, field by field
 * (the pairs' joint rejections included), with one thread and with two - for a scenario the
 * block path takes. */
static void run_paths_agree(const char *file) {
  tsim_scenario *sc = load(file);
  if (!sc) return;
  tsim_analysis_ws *w = tsim_analysis_ws_new(sc);
  int block = w && tsim_analysis_block_ok(w);
  tsim_analysis_ws_free(w);
  if (!block) { /* both runs would take whole outcomes */
    tsim_scenario_free(sc);
    return;
  }
  tsim_tally *t[3] = {NULL, NULL, NULL};
  for (int i = 0; i < 3; i++) {
    tsim_run_opts o = {31, 5, RUN_TRIALS, i == 2 ? 2 : 1, NULL, NULL, 0, i == 0};
    CHECK(tsim_run(sc, &o, &t[i]) == TSIM_OK, "%s: run %d", file, i);
  }
  long long differ = 0, rejections = 0;
  for (int i = 1; i < 3 && t[0] && t[i]; i++) {
    for (int h = 0; h < 2; h++) {
      for (int k = 0; k < t[0]->ncomp; k++) {
        const tsim_tally_cell *a = &t[0]->cell[h][k], *b = &t[i]->cell[h][k];
        rejections += i == 1 ? (long long)a->reject : 0;
        if ((a->reject != b->reject || a->favouring != b->favouring || a->defined != b->defined ||
             a->n0_sum != b->n0_sum || a->n1_sum != b->n1_sum || a->n_sq_sum != b->n_sq_sum ||
             a->sites_dropped != b->sites_dropped || a->diff_sum != b->diff_sum ||
             a->diff_sq_sum != b->diff_sq_sum) && differ++ < 10)
          CHECK(0, "%s, %d thread(s), %s, comparison %d: the block path's tally differs (rejections %llu vs %llu)",
                file, i, tsim_hypothesis_names[h], k, (unsigned long long)b->reject, (unsigned long long)a->reject);
      }
      for (int p = 0; p < t[0]->npairs; p++)
        if (t[0]->both[h][p] != t[i]->both[h][p] && differ++ < 10)
          CHECK(0, "%s, %s, pair %d: joint rejections %llu vs %llu", file, tsim_hypothesis_names[h], p,
                (unsigned long long)t[i]->both[h][p], (unsigned long long)t[0]->both[h][p]);
    }
  }
  CHECK(differ == 0 && rejections > 0, "%s: %lld tally fields differ (%lld rejections)", file, differ, rejections);
  printf("%s: a run's tally the same through the block path and whole outcomes (%lld rejections)%s\n", file,
         rejections, tsim__block_pays() ? "" : " - but this processor's runs take whole outcomes both times");
  for (int i = 0; i < 3; i++) tsim_tally_free(t[i]);
  tsim_scenario_free(sc);
}

/* The block path's decisions and differences on every table of up to BLOCK_TABLE_N patients per
 * arm, in every slot, against the one-table decision (tsim_decide_chisq) and rate difference,
 * for every analysis of `file` under both hypotheses; the alphas of the first two analyses are
 * set so that a table sits on the critical value (the statistic within the decision's relative
 * 1e-9 tolerance of it), where the block path must defer to the p-value as the decision does. */
#define BLOCK_TABLE_N 12
static void block_on_every_table(const char *file) {
  tsim_scenario *sc = load(file);
  if (!sc) return;
  /* alpha = P(X2 > x2) / (1 - TSIM_REL_TIE) puts the critical value (decide.c) on x2, the
   * statistic of 3/9 against 8/10; a relative 1e-11 more (analysis 0) rejects that table, as
   * much less (analysis 1) does not, and both are far inside the tolerance. */
  for (int k = 0; k < 2 && k < sc->nanalyses; k++) {
    double x2 = NAN, p = tsim_test_p(sc->analyses[k].test, 3, 9, 8, 10, &x2);
    sc->analyses[k].alpha = p / (1 - TSIM_REL_TIE) * (k == 0 ? 1 + 1e-11 : 1 - 1e-11);
    CHECK(tsim_reject(p, sc->analyses[k].alpha) == (k == 0), "%s: the critical table's p-value %.17g", file, p);
  }
  tsim_analysis_ws *w = tsim_analysis_ws_new(sc);
  static tsim_outcome_block b;
  long long checked = 0, differ = 0, near = 0, rejected = 0;
  int nk = sc->nanalyses;
  if (!w || !tsim_analysis_block_ok(w)) {
    CHECK(0, "%s: no block path", file);
  } else {
    tsim_analysis_block_init(w, &b);
    for (long long m0 = 0; m0 <= BLOCK_TABLE_N; m0++)
      for (long long m1 = 0; m1 <= BLOCK_TABLE_N; m1++)
        for (long long a0 = 0; a0 <= m0; a0++)
          for (long long a1 = 0; a1 <= m1; a1++) {
            for (int i = 0; i < 2 * nk; i++) b.x0[i] = a0, b.n0[i] = m0, b.x1[i] = a1, b.n1[i] = m1;
            tsim_analysis_block_finish(w, &b);
            for (int i = 0; i < 2 * nk; i++) {
              int k = i % nk;
              int defined = m0 > 0 && m1 > 0;
              double diff = defined ? (double)(a1 * m0 - a0 * m1) / ((double)m0 * (double)m1) : 0;
              int reject = tsim_decide_chisq(&w->dec, sc, k, a0, m0, a1, m1);
              int higher = sc->endpoints[sc->analyses[k].endpoint].higher_is_better != 0;
              int favouring = reject && (higher ? diff > 0 : diff < 0);
              checked++;
              near += b.near[i] != 0;
              rejected += reject;
              if ((b.reject[i] != reject || b.favouring[i] != favouring || b.defined[i] != defined ||
                   memcmp(&b.diff[i], &diff, sizeof diff) != 0) && differ++ < 10)
                CHECK(0, "%s, analysis %s, %lld/%lld vs %lld/%lld: block path reject %lld favouring %lld diff "
                      "%.17g, one table %d %d %.17g", file, sc->analyses[k].id, a0, m0, a1, m1,
                      (long long)b.reject[i], (long long)b.favouring[i], b.diff[i], reject, favouring, diff);
            }
          }
  }
  CHECK(differ == 0, "%s: %lld of %lld block decisions differ", file, differ, checked);
  CHECK(near > 0 && rejected > 0 && rejected < checked, "%s: vacuous (%lld on the critical value, %lld rejected)",
        file, near, rejected);
  printf("%s: %lld tables decided alike by the block path (%lld on the critical value, %lld rejected)\n", file,
         checked, near, rejected);
  tsim_analysis_ws_free(w);
  tsim_scenario_free(sc);
}

/* The threshold table and the stated rule decide alike. */
static void site_rule_as_stated(void) {
  static const double rates[] = {0, 1e-12, 0.1, 1.0 / 3, 0.5, 0.55, 0.6, 2.0 / 3, 0.7, 0.75, 0.9,
                                 1 - 1e-10, 1 - 1e-9, 1 - 1e-8, 1};
  static const int mins[] = {1, 3, 100};
  long long checked = 0, differ = 0;
  for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
    for (size_t m = 0; m < sizeof mins / sizeof mins[0]; m++) {
      tsim_scenario *sc = calloc(1, sizeof *sc);
      if (!sc) { CHECK(0, "out of memory"); return; }
      sc->nsites = 3;
      sc->narms = 2;
      sc->sample_size = 5000;
      tsim_analysis an;
      memset(&an, 0, sizeof an);
      unsigned char exclude[3] = {0, 1, 0};
      an.exclude = exclude;
      an.has_where = 1;
      an.where_arm = 1;
      an.where_rate = rates[i];
      an.where_min = mins[m];
      tsim_site_rule r;
      if (tsim_site_rule_init(&r, sc, &an) != 0) { CHECK(0, "out of memory"); free(sc); return; }
      CHECK(r.nlisted == 1 && r.listed[0] == 1 && r.ncand == 2 && r.cand[0] == 0 && r.cand[1] == 2,
            "listed and examined sites");
      CHECK(r.ntab == TSIM_SITE_RULE_TABLE, "table of %lld sizes", r.ntab);
      for (long long n = 0; n < r.ntab + 300; n++) {
        long long t = n < r.ntab && r.min_x[n] <= n ? r.min_x[n] : 0;
        long long xs[] = {0, 1, n / 2, n - 1, n, n + 1, t - 2, t - 1, t, t + 1, t + 2};
        for (size_t j = 0; j < sizeof xs / sizeof xs[0]; j++) {
          if (xs[j] < 0) continue;
          int want = tsim_site_rule_where(rates[i], mins[m], xs[j], n);
          checked++;
          if (tsim_site_rule_drops(&r, xs[j], n) != want && differ++ < 10)
            CHECK(0, "rate %.17g, min %d: %lld of %lld: table says %d", rates[i], mins[m], xs[j], n, !want);
        }
      }
      tsim_site_rule_free(&r);
      free(sc);
    }
  CHECK(differ == 0, "%lld of %lld site rule decisions differ", differ, checked);
  printf("%lld site rule decisions as stated\n", checked);
}

int main(int argc, char **argv) {
  site_rule_as_stated();
  for (int i = 1; i < argc; i++) {
    paths_agree(argv[i]);
    run_paths_agree(argv[i]);
  }
  for (int i = 1; i < argc; i++)
    if (strstr(argv[i], "block_")) block_on_every_table(argv[i]);
  CHECK(block_compared > 0, "no scenario took the block path");
  printf("%lld slots of the block path identical to the outcomes\n", block_compared);
  return tsim_check_done();
}
