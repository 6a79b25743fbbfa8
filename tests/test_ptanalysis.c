/* test_ptanalysis.c - the latent model's analyses from cell statistics against the same
 * analyses read patient by patient.
 *
 * tsim_analysis_prepare sums a latent-model trial's patients once into statistics per (site,
 * arm) cell and category (ptanalysis.c); every analysis is then evaluated from the cells. The
 * per-patient path (the workspace's `general`) reads the patients one by one for each analysis,
 * as every analysis did before the cells. Each scenario given on the command line is sampled
 * for a few hundred trials and every analysis evaluated both ways, under both hypotheses, with
 * p-values (and, in half the trials, with only the decisions, which takes the cached t
 * quantiles):
 *   binary analyses       every field the same (integer counts);
 *   continuous analyses   the same patients, sites and definedness; difference, statistic and
 *                         p-value within a relative TOL (the difference relative to the larger of
 *                         its size and the end point's SD, the statistic to the larger of its size
 *                         and 1: near 0 only an absolute error means anything; the cells' one-pass sums about the
 *                         plan's means against two-pass means and SDs, and the closed-form
 *                         ANCOVA against the QR: rounding), and the same decision unless p lies
 *                         within TOL of alpha. Where the end point's means are far from 0 in SDs
 *                         (kappa = largest |mean| / smallest SD, and likewise for its baseline),
 *                         the per-patient path's two-pass means lose about log10(kappa) digits
 *                         and the cells' sums about the plan's means do not (the "offset" end
 *                         point of tests/ptanalysis/rules.json, kappa 2e6): the tolerance is
 *                         then TOL kappa.
 * The largest relative differences are printed (TSIM_PT_TRIALS=N in the environment compares N
 * trials instead of TRIALS). The scenarios must exercise the cell path
 * (every binary analysis, and every continuous one but the rank-sum test and the "far" end
 * point of rules.json, whose anomaly sends it back to the patients: checked by name). The
 * rank-sum test gathers the values straight into the two arms (two-arm designs): the same
 * values in the same order, so it must give exactly what the per-patient path gives. The
 * "tight" ANCOVA of tests/ptanalysis/tight.json reads the cells, but its closed form declines every fit (a
 * baseline explaining over 99% of the variance; ancova.h), so it must give exactly what the
 * patients give. With intercurrent events (the shipped estimand scenarios, tests/estimands/
 * coverage.json) an analysis of the treatment policy for every event reads the cells - the
 * values as observed after the events - and its interval of the difference (whose coverage of
 * the estimand is counted) must be what the patients give: binary the same (Newcombe's, from
 * the same counts), continuous within TOL; every other analysis reads its view of the patients
 * on both paths. The trial's evaluation (tsim_analysis_eval_trial) takes the two-sided t tests on
 * cells several (analysis, hypothesis) pairs at a time in vector lanes when only decisions are
 * wanted: its outcomes must equal, bit for bit, each analysis's evaluated alone
 * (tests/ptanalysis/t_lanes.json: arms of 0 or 1 patient, SDs at the edges of the inline range,
 * values equal to rounding). Every scenario that can be sampled per cell (lupil2.json,
 * tests/ptanalysis/cells_baseline.json with a baseline, and others) is also sampled so: its rows
 * come cell by cell and are summed run by run, which must give every outcome bit for bit as the
 * patient-by-patient sums of the same rows do.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/ptanalysis.h"
#include "check.h"

#define TRIALS 300
#define TOL 1e-9 /* relative; the differences seen are near 1e-13 (printed) */

static tsim_scenario *load(const char *file) {
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  if (tsim_scenario_load(file, &sc, &d) != TSIM_OK) {
    tsim_diag_print(&d, "", stderr);
    CHECK(0, "%s did not load", file);
    sc = NULL;
  }
  tsim_diag_clear(&d);
  return sc;
}

static int same_double(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static int same_outcome(const tsim_outcome *a, const tsim_outcome *b) {
  return a->x0 == b->x0 && a->n0 == b->n0 && a->x1 == b->x1 && a->n1 == b->n1 && same_double(a->p, b->p) &&
         same_double(a->stat, b->stat) && a->reject == b->reject && a->favouring == b->favouring &&
         a->defined == b->defined && same_double(a->diff, b->diff) && a->sites_dropped == b->sites_dropped &&
         same_double(a->lo, b->lo) && same_double(a->hi, b->hi);
}

/* 1 when analysis an reads the cells: not a rank-sum test, not the "far" end point; with
 * intercurrent events only an analysis of the treatment policy for every event, and not an
 * ANCOVA (its interval comes from the fit); never multiple imputation or an MMRM. */
static int reads_cells(const tsim_scenario *sc, const tsim_analysis *an) {
  int cont = sc->endpoints[an->endpoint].type == TSIM_EP_CONTINUOUS, view = 0;
  for (int e = 0; e < sc->nevents; e++) view |= an->strategy[e] != TSIM_STRAT_TREATMENT_POLICY;
  if (cont && (an->test == TSIM_TEST_WILCOXON || strncmp(an->id, "far", 3) == 0)) return 0;
  if (an->missing == TSIM_MISSING_MI || an->test == TSIM_TEST_MMRM) return 0;
  return !(sc->nevents > 0 && (view || (cont && an->test == TSIM_TEST_ANCOVA)));
}

/* |a - b| relative to the larger of their magnitudes and `floor`; 0 when both are NaN, infinite
 * when one is. */
static double rel(double a, double b, double floor) {
  if (isnan(a) && isnan(b)) return 0;
  if (isnan(a) || isnan(b)) return INFINITY;
  double m = fmax(fmax(fabs(a), fabs(b)), floor);
  return m == 0 ? 0 : fabs(a - b) / m;
}

/* The end point's smallest SD: the scale of a difference in means near 0. */
static double sd_of(const tsim_scenario *sc, const tsim_analysis *an) {
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  double sd = INFINITY;
  for (int a = 0; a < sc->narms; a++) sd = fmin(sd, ep->sd[a]);
  return sd;
}

/* kappa of analysis k (above), at least 1. */
static double kappa_of(const tsim_scenario *sc, const tsim_analysis *an) {
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  double big = 0, sd = INFINITY;
  for (int a = 0; a < sc->narms; a++) {
    for (int v = 0; v < ep->nvisits; v++) big = fmax(big, fabs(ep->mean_v[v][a]));
    sd = fmin(sd, ep->sd[a]);
  }
  double k = fmax(1, big / sd);
  return ep->has_baseline && an->test == TSIM_TEST_ANCOVA ? fmax(k, fabs(ep->base_mean) / ep->base_sd) : k;
}

static void paths_agree(const char *file) {
  /* TSIM_PT_TRIALS=N compares N trials instead (a longer look at the differences). */
  long long trials = getenv("TSIM_PT_TRIALS") ? atoll(getenv("TSIM_PT_TRIALS")) : TRIALS;
  tsim_scenario *sc = load(file);
  if (!sc) return;
  CHECK(sc->latent, "%s: a latent-model scenario expected", file);
  tsim_cohort_plan plan;
  CHECK(tsim_cohort_plan_init(&plan, sc) == TSIM_OK, "%s: plan", file);
  tsim_cohort *c = tsim_cohort_new(&plan);
  tsim_analysis_ws *cells = tsim_analysis_ws_new(sc), *pts = tsim_analysis_ws_new(sc);
  int ncmp = tsim_scenario_ncomparisons(sc), nk = sc->nanalyses;
  long long compared = 0, differ = 0, rejected = 0, continuous = 0, flips = 0, border = 0, lanes = 0, small = 0,
            alone = 0;
  double worst_p = 0, worst_stat = 0, worst_diff = 0;
  if (c && cells && pts) {
    pts->general = 1;
    for (int k = 0; k < nk; k++) {
      const tsim_analysis *an = &sc->analyses[k];
      int want = reads_cells(sc, an);
      CHECK(tsim__ptanalysis_from_cells(cells, k) == want, "%s: analysis %s %s the cells", file, an->id,
            want ? "does not read" : "reads");
      CHECK(!tsim__ptanalysis_from_cells(pts, k), "%s: analysis %s reads the cells on the per-patient path",
            file, an->id);
    }
    for (long long trial = 0; trial < trials; trial++) {
      tsim_cohort_sample(c, 77, trial);
      int want_p = trial % 2 == 0;
      cells->want_p = pts->want_p = want_p;
      tsim_analysis_prepare(cells, c);
      tsim_analysis_prepare(pts, c);
      /* Zeroed: a superiority analysis without intercurrent events leaves lo and hi unset. */
      tsim_outcome a[2 * TSIM_MAX_ANALYSES * TSIM_MAX_ARMS] = {0}, b[2 * TSIM_MAX_ANALYSES * TSIM_MAX_ARMS] = {0};
      tsim_analysis_eval_trial(cells, a);
      tsim_analysis_eval_trial(pts, b);
      /* The trial's evaluation takes the t tests on cells several at a time (eval_t_lanes): it
       * must give, bit for bit, what each analysis alone gives. */
      for (int h = 0; h < 2; h++)
        for (int k = 0; k < nk; k++) {
          tsim_outcome one[TSIM_MAX_ARMS] = {0};
          tsim_analysis_eval(cells, k, (tsim_hypothesis)h, one);
          for (int j = 0; j < ncmp; j++) {
            const tsim_outcome *x = &a[((size_t)h * (size_t)nk + (size_t)k) * (size_t)ncmp + (size_t)j];
            int lane = tsim__ptanalysis_in_lanes(cells, k);
            lanes += lane;
            small += lane && (x->n0 < 2 || x->n1 < 2);
            if (!same_outcome(x, &one[j]) && alone++ < 10)
              CHECK(0, "%s trial %lld %s %s: the trial's evaluation gives n %lld+%lld diff %.17g reject %d "
                    "favouring %d dropped %d, the analysis alone n %lld+%lld diff %.17g reject %d favouring %d "
                    "dropped %d", file, trial, tsim_hypothesis_names[h], sc->analyses[k].id, x->n0, x->n1, x->diff,
                    x->reject, x->favouring, x->sites_dropped, one[j].n0, one[j].n1, one[j].diff, one[j].reject,
                    one[j].favouring, one[j].sites_dropped);
          }
        }
      for (int h = 0; h < 2; h++)
        for (int k = 0; k < nk; k++)
          for (int j = 0; j < ncmp; j++) {
            const tsim_analysis *an = &sc->analyses[k];
            size_t i = ((size_t)h * (size_t)nk + (size_t)k) * (size_t)ncmp + (size_t)j;
            const tsim_outcome *x = &a[i], *y = &b[i];
            compared++;
            rejected += x->reject;
            if (sc->endpoints[an->endpoint].type != TSIM_EP_CONTINUOUS || strcmp(an->id, "tight_ancova") == 0 ||
                !reads_cells(sc, an)) {
              if (!same_outcome(x, y) && differ++ < 10)
                CHECK(0, "%s trial %lld %s %s: cells %lld/%lld vs %lld/%lld p %.17g reject %d; patients %lld/%lld "
                      "vs %lld/%lld p %.17g reject %d", file, trial, tsim_hypothesis_names[h], an->id, x->x0, x->n0,
                      x->x1, x->n1, x->p, x->reject, y->x0, y->n0, y->x1, y->n1, y->p, y->reject);
              continue;
            }
            continuous++;
            double rp = rel(x->p, y->p, 0), rs = rel(x->stat, y->stat, 1), rd = rel(x->diff, y->diff, sd_of(sc, an));
            worst_p = fmax(worst_p, rp);
            worst_stat = fmax(worst_stat, rs);
            worst_diff = fmax(worst_diff, rd);
            /* A p-value this close to alpha may fall on either side: both paths are right. */
            double tol = TOL * kappa_of(sc, an);
            int near = fabs(y->p - an->alpha) <= tol * an->alpha;
            border += near;
            flips += x->reject != y->reject;
            /* With intercurrent events, the interval whose coverage of the estimand is counted. */
            double sd = sd_of(sc, an), rlo = rel(x->lo, y->lo, sd), rhi = rel(x->hi, y->hi, sd);
            worst_diff = fmax(worst_diff, fmax(rlo, rhi));
            int ok = x->n0 == y->n0 && x->n1 == y->n1 && x->x0 == y->x0 && x->x1 == y->x1 &&
                     x->sites_dropped == y->sites_dropped && x->defined == y->defined && rp <= tol &&
                     rs <= tol && rd <= tol && rlo <= tol && rhi <= tol && (x->reject == y->reject || near) &&
                     (x->favouring == y->favouring || near);
            if (!ok && differ++ < 10)
              CHECK(0, "%s trial %lld %s %s: cells n %lld+%lld diff %.17g stat %.17g p %.17g reject %d; patients "
                    "n %lld+%lld diff %.17g stat %.17g p %.17g reject %d", file, trial, tsim_hypothesis_names[h],
                    an->id, x->n0, x->n1, x->diff, x->stat, x->p, x->reject, y->n0, y->n1, y->diff, y->stat, y->p,
                    y->reject);
          }
    }
  } else {
    CHECK(0, "%s: out of memory", file);
  }
  CHECK(differ == 0, "%s: %lld of %lld outcomes differ between the paths", file, differ, compared);
  CHECK(alone == 0, "%s: %lld outcomes of the trial's evaluation differ from the analysis's alone", file, alone);
  if (strcmp(sc->name, "ptanalysis_t_lanes") == 0)
    CHECK(lanes > 0 && small > 0, "%s: vacuous: %lld outcomes in lanes, %lld with an arm under 2 patients", file,
          lanes, small);
  CHECK(rejected > 0 && rejected < compared, "%s: vacuous comparison (%lld rejected of %lld)", file, rejected,
        compared);
  printf("%s: %lld outcomes agree (%lld continuous: largest relative difference: p %.2g, statistic %.2g, "
         "difference %.2g; %lld decisions differ, %lld p-values within %g of alpha; %lld t tests in lanes, %lld "
         "with an arm under 2)\n",
         file, compared, continuous, worst_p, worst_stat, worst_diff, flips, border, TOL, lanes, small);
  tsim_analysis_ws_free(cells);
  tsim_analysis_ws_free(pts);
  tsim_cohort_free(c);
  tsim_cohort_plan_free(&plan);
  tsim_scenario_free(sc);
}

/* Rows the cell sampler writes cell by cell are summed run by run (ptanalysis.c, group_runs):
 * for a scenario that can be sampled per cell, every outcome of the trial's evaluation must be
 * bit for bit what the patient-by-patient group sums give on the same rows (the workspace's
 * `runs` -1), with p-values and without, the runs taken always (`runs` 1) or by size (0). Returns 1 when the scenario was compared. */
static int runs_agree(const char *file) {
  tsim_scenario *sc = load(file);
  if (!sc) return 0;
  if (tsim_scenario_cell_blocker(sc)) {
    tsim_scenario_free(sc);
    return 0;
  }
  sc->sampling = TSIM_SAMPLING_CELL;
  tsim_cohort_plan plan;
  CHECK(tsim_cohort_plan_init(&plan, sc) == TSIM_OK && plan.cell_mode, "%s: plan per cell", file);
  tsim_cohort *c = tsim_cohort_new(&plan);
  tsim_analysis_ws *runs = tsim_analysis_ws_new(sc), *each = tsim_analysis_ws_new(sc);
  long long compared = 0, differ = 0;
  int nk = sc->nanalyses * tsim_scenario_ncomparisons(sc);
  if (c && runs && each) {
    each->runs = -1;
    for (long long trial = 0; trial < TRIALS; trial++) {
      /* Half the trials with every analysis summed by runs whatever their length (group_runs
       * only takes rows of PT_RUNS_MIN patients a cell or more on average). */
      runs->runs = trial % 4 < 2 ? 0 : 1;
      tsim_cohort_sample(c, 5, trial);
      runs->want_p = each->want_p = (int)(trial % 2);
      tsim_analysis_prepare(runs, c);
      tsim_analysis_prepare(each, c);
      tsim_outcome a[2 * TSIM_MAX_ANALYSES * TSIM_MAX_ARMS], b[2 * TSIM_MAX_ANALYSES * TSIM_MAX_ARMS];
      tsim_analysis_eval_trial(runs, a);
      tsim_analysis_eval_trial(each, b);
      for (int i = 0; i < 2 * nk; i++, compared++)
        if (!same_outcome(&a[i], &b[i]) && differ++ < 10)
          CHECK(0, "%s trial %lld, outcome %d: summed by runs %.17g (p %.17g), patient by patient %.17g (p %.17g)",
                file, trial, i, a[i].diff, a[i].p, b[i].diff, b[i].p);
    }
  }
  CHECK(c && runs && each && differ == 0, "%s: %lld outcomes of rows by cell the same summed by runs as patient "
        "by patient", file, compared);
  printf("%s per cell: %lld outcomes the same summed by runs as patient by patient\n", file, compared);
  tsim_analysis_ws_free(runs);
  tsim_analysis_ws_free(each);
  tsim_cohort_free(c);
  tsim_cohort_plan_free(&plan);
  tsim_scenario_free(sc);
  return 1;
}

/* Interim looks prepare longer and longer prefixes of one trial's patients, and the latent
 * model's group sums then add only the new patients to the previous look's (the workspace's
 * `grow`, set by sequential.c). Every outcome must be bit for bit what a workspace summing the
 * same prefix from its first patient gives: prefixes growing, shrinking (a visit with a longer
 * lag; the sums start again), by one patient, and whole, with p-values and without. */
static void prefixes_agree(const char *file) {
  tsim_scenario *sc = load(file);
  if (!sc) return;
  tsim_cohort_plan plan;
  CHECK(tsim_cohort_plan_init(&plan, sc) == TSIM_OK, "%s: plan", file);
  tsim_cohort *c = tsim_cohort_new(&plan);
  tsim_analysis_ws *grow = tsim_analysis_ws_new(sc), *fresh = tsim_analysis_ws_new(sc);
  long long compared = 0, differ = 0;
  int nk = sc->nanalyses * tsim_scenario_ncomparisons(sc);
  if (c && grow && fresh) {
    for (long long trial = 0; trial < 100; trial++) {
      tsim_cohort_sample(c, 7, trial);
      long long n = c->n, m[] = {n / 3, 2 * n / 3, n / 2, n / 2 + 1, n, n};
      grow->grow = 0;
      for (int k = 0; k < (int)(sizeof m / sizeof m[0]); k++) {
        tsim_cohort view = *c;
        view.n = m[k];
        grow->want_p = fresh->want_p = (int)((trial + k) % 2);
        tsim_analysis_prepare(grow, &view);
        grow->grow = 1;
        tsim_analysis_prepare(fresh, &view);
        tsim_outcome a[2 * TSIM_MAX_ANALYSES * TSIM_MAX_ARMS], b[2 * TSIM_MAX_ANALYSES * TSIM_MAX_ARMS];
        tsim_analysis_eval_trial(grow, a);
        tsim_analysis_eval_trial(fresh, b);
        for (int i = 0; i < 2 * nk; i++, compared++)
          if (!same_outcome(&a[i], &b[i]) && differ++ < 10)
            CHECK(0, "%s trial %lld, prefix %lld of %lld, outcome %d: added to %.17g (p %.17g), summed "
                  "afresh %.17g (p %.17g)", file, trial, m[k], n, i, a[i].diff, a[i].p, b[i].diff, b[i].p);
      }
    }
  }
  CHECK(c && grow && fresh && differ == 0, "%s: %lld outcomes of growing prefixes the same added to as summed "
        "afresh", file, compared);
  printf("%s prefixes: %lld outcomes compared added to and summed afresh, %lld differ\n", file, compared, differ);
  tsim_analysis_ws_free(grow);
  tsim_analysis_ws_free(fresh);
  tsim_cohort_free(c);
  tsim_cohort_plan_free(&plan);
  tsim_scenario_free(sc);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_ptanalysis SCENARIO.json...\n");
    return 2;
  }
  int by_runs = 0;
  for (int i = 1; i < argc; i++) paths_agree(argv[i]), by_runs += runs_agree(argv[i]), prefixes_agree(argv[i]);
  CHECK(by_runs >= 2, "%d scenarios could be sampled per cell (at least 2 expected)", by_runs);
  return tsim_check_done();
}
