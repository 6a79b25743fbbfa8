/* test_estimand.c - intercurrent events and estimands (model/estimand.h, latent.h's events):
 *   - the exact true values of every analysis of tests/estimands/continuous.json and binary.json
 *     (tsim_estimand_exact: every strategy, several events, waning, shifts on continuous, binary
 *     and derived end points, site heterogeneity on a continuous one) equal the simulated
 *     population's (tsim_estimand_simulated: sampled patients through the latent model and the
 *     oracle's rules) within 4 of its standard errors - the sampler and the enumeration are
 *     separate codes of the one model;
 *   - two of them equal closed forms written out here from the files' numbers (to 1e-12);
 *   - dependent.json: an event with "depends_on" ratio 3 happens three times as often among
 *     non-responders (log ratio within 4 SE, delta method), at the arm's stated rate overall,
 *     and under the null twin at the control arm's; with events independent of the outcomes the
 *     hypothetical values are the values of patients without events (bit for bit).
 * Fixed seeds throughout. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/status.h"
#include "input/scenario.h"
#include "model/cohort.h"
#include "model/estimand.h"
#include "model/latent.h"

#ifndef TSIM_ESTIMANDS_DIR
#error "TSIM_ESTIMANDS_DIR must name tests/estimands"
#endif

static tsim_scenario *load(const char *file) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", TSIM_ESTIMANDS_DIR, file);
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  if (tsim_scenario_load(path, &sc, &d) != TSIM_OK) {
    tsim_diag_print(&d, "scenario: ", stderr);
    sc = NULL;
  }
  tsim_diag_clear(&d);
  return sc;
}

/* Exact against simulated, every analysis; returns the exact differences in diff[]. */
static void exact_vs_simulated(const char *file, double *diff) {
  tsim_scenario *sc = load(file);
  CHECK(sc != NULL, "%s loads", file);
  if (!sc) return;
  int nk = sc->nanalyses;
  double truth[2 * TSIM_MAX_ANALYSES], se[2 * TSIM_MAX_ANALYSES];
  long long pts = 0;
  CHECK(tsim_estimand_simulated(sc, 2000000, truth, se, &pts) == TSIM_OK, "%s: simulated", file);
  for (int k = 0; k < nk; k++) {
    double m[TSIM_MAX_ARMS];
    int ok = tsim_estimand_exact(sc, k, m) == 0;
    CHECK(ok, "%s: analysis %s has an exact value", file, sc->analyses[k].id);
    if (!ok) continue;
    diff[k] = m[1] - m[0];
    char what[200];
    snprintf(what, sizeof what, "%s: %s: simulated population vs exact", file, sc->analyses[k].id);
    CHECK_SE(truth[k], diff[k], se[k], 4, what);
    snprintf(what, sizeof what, "%s: %s: the null twin's simulated population vs 0", file, sc->analyses[k].id);
    CHECK_SE(truth[nk + k], 0.0, se[nk + k], 4, what);
  }
  /* The whole: exact everywhere, so no population is simulated. */
  double t2[2 * TSIM_MAX_ANALYSES], s2[2 * TSIM_MAX_ANALYSES];
  CHECK(tsim_estimand_truth(sc, t2, s2, &pts) == TSIM_OK && pts == 0 && t2[0] == diff[0] && s2[0] == 0 && t2[nk] == 0,
        "%s: tsim_estimand_truth takes the exact values (population %lld)", file, pts);
  tsim_scenario_free(sc);
}

/* dependent.json: event shares among responders and non-responders. */
static void dependence(void) {
  tsim_scenario *sc = load("dependent.json");
  CHECK(sc != NULL, "dependent.json loads");
  if (!sc) return;
  tsim_cohort_plan plan;
  CHECK(tsim_cohort_plan_init(&plan, sc) == TSIM_OK, "plan");
  tsim_cohort *c = tsim_cohort_new(&plan);
  CHECK(c != NULL, "cohort");
  if (!c) return;
  tsim_cohort_sample(c, 5, 0);
  const tsim_latent_plan *lp = plan.lat;
  int m = lp->meas_start[0] + 1; /* resp at week 12 (the hypothetical values hold it on treatment) */
  /* Stated: probability 0.2 (placebo) and 0.1 (drug) by week 12, ratio 3, responders' share q at
   * the last visit: non-responders p 3 / (q + 3 (1 - q)), responders p / (q + 3 (1 - q)). */
  const double p[2] = {0.2, 0.1}, q[2] = {0.3, 0.6};
  for (int h = 0; h < 2; h++)
    for (int a = 0; a < 2; a++) {
      long long n[2] = {0, 0}, x[2] = {0, 0}, same = 0;
      for (long long j = 0; j < c->n; j++) {
        if (c->arm[j] != a) continue;
        const double *hy = c->pat.hyp[h] + (size_t)j * (size_t)lp->nmeas, *v = c->pat.val[h] + (size_t)j * (size_t)lp->nmeas;
        int r = hy[m] != 0, e = c->pat.ev[h][j] < sc->nvisits;
        n[r]++, x[r] += e;
        /* without the event the observed values are the hypothetical ones, bit for bit */
        if (!e) same += memcmp(hy, v, (size_t)lp->nmeas * sizeof *v) == 0;
        else same++;
      }
      CHECK(same == n[0] + n[1], "arm %d, hypothesis %d: values without an event equal the hypothetical ones", a, h);
      int b = h ? 0 : a; /* the null twin: the control's probability and response */
      double scale = q[b] + 3 * (1 - q[b]), pr = p[b] / scale, pn = 3 * p[b] / scale;
      char what[160];
      snprintf(what, sizeof what, "arm %d, hypothesis %d: event rate of responders", a, h);
      CHECK_SE((double)x[1] / (double)n[1], pr, sqrt(pr * (1 - pr) / (double)n[1]), 4, what);
      snprintf(what, sizeof what, "arm %d, hypothesis %d: event rate of non-responders", a, h);
      CHECK_SE((double)x[0] / (double)n[0], pn, sqrt(pn * (1 - pn) / (double)n[0]), 4, what);
      double all = (double)(x[0] + x[1]) / (double)(n[0] + n[1]);
      snprintf(what, sizeof what, "arm %d, hypothesis %d: the arm's event rate", a, h);
      /* the responders' share is itself drawn: the rate's SE from the binomial of everyone */
      CHECK_SE(all, p[b], sqrt(p[b] * (1 - p[b]) / (double)(n[0] + n[1])) + fabs(pn - pr) * sqrt(q[b] * (1 - q[b]) / (double)(n[0] + n[1])), 4, what);
      double lr = log(((double)x[0] / (double)n[0]) / ((double)x[1] / (double)n[1]));
      double se = sqrt(1.0 / (double)x[0] - 1.0 / (double)n[0] + 1.0 / (double)x[1] - 1.0 / (double)n[1]);
      snprintf(what, sizeof what, "arm %d, hypothesis %d: log of the non-responders' rate over the responders'", a, h);
      CHECK_SE(lr, log(3.0), se, 4, what);
    }
  tsim_cohort_free(c);
  tsim_cohort_plan_free(&plan);
  tsim_scenario_free(sc);
}

int main(void) {
  double d[TSIM_MAX_ANALYSES];
  exact_vs_simulated("continuous.json", d);
  /* tp at week 12: drug mean 7, control 2; discontinuation by week 12 (0.3) moves all the way to
   * control; the switch (0.05 before each visit) waning over 8 weeks is at 1, 1, 0.5 of the way
   * at week 12 for a switch before week 4, 8, 12; rescue (0.1 drug, 0.2 placebo) adds 3:
   * drug 7 + (0.3 + 0.7 (0.05 + 0.05 + 0.025)) (2 - 7) + 0.3 = 5.3625; placebo 2 + 0.6. */
  CHECK(fabs(d[0] - (5.3625 - 2.6)) < 1e-12, "continuous tp: %.15g vs 2.7625", d[0]);
  /* hypothetical: the arms' means, 7 - 2. */
  CHECK(fabs(d[1] - 5) < 1e-12, "continuous hyp: %.15g vs 5", d[1]);
  exact_vs_simulated("binary.json", d);
  /* composite at week 12: responders without either event: drug 0.75 x 0.9 x 0.55, placebo
   * 0.88 x 0.75 x 0.35. */
  CHECK(fabs(d[1] - (0.75 * 0.9 * 0.55 - 0.88 * 0.75 * 0.35)) < 1e-12, "binary composite: %.15g", d[1]);
  dependence();
  return tsim_check_done();
}
