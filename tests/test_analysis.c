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
 * (tsim_analysis_eval_trial). The site rule (siterule.h) is checked against its defining expression for every
 * site size of its table, around each threshold, and beyond the table.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "check.h"
#include "siterule.h"

#define TRIALS 400

static int same_double(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static int same_outcome(const tsim_outcome *a, const tsim_outcome *b) {
  return a->x0 == b->x0 && a->n0 == b->n0 && a->x1 == b->x1 && a->n1 == b->n1 && same_double(a->p, b->p) &&
         same_double(a->stat, b->stat) && a->reject == b->reject && a->favouring == b->favouring &&
         a->defined == b->defined && same_double(a->diff, b->diff) && a->sites_dropped == b->sites_dropped;
}

/* Every analysis of the scenario in `file`, site sums against the general path. */
static void paths_agree(const char *file) {
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  if (tsim_scenario_load(file, &sc, &d) != TSIM_OK) {
    CHECK(0, "%s did not load", file);
    tsim_diag_clear(&d);
    return;
  }
  tsim_diag_clear(&d);
  CHECK(!sc->latent, "%s: a cell-table scenario expected", file);
  tsim_cohort_plan plan;
  CHECK(tsim_cohort_plan_init(&plan, sc) == TSIM_OK, "%s: plan", file);
  tsim_cohort *c = tsim_cohort_new(&plan);
  tsim_analysis_ws *fast = tsim_analysis_ws_new(sc), *general = tsim_analysis_ws_new(sc);
  int ncmp = tsim_scenario_ncomparisons(sc);
  long long compared = 0, differ = 0, dropped = 0, rejected = 0, fast_evals = 0;
  for (int k = 0; k < sc->nanalyses; k++)
    fast_evals += sc->analyses[k].test != TSIM_TEST_CMH && sc->analyses[k].test != TSIM_TEST_LOGISTIC;
  if (c && fast && general) {
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
  for (int i = 1; i < argc; i++) paths_agree(argv[i]);
  return tsim_check_done();
}
