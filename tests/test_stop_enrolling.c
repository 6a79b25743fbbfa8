/* test_stop_enrolling.c - when site monitoring stops enrolment at a site (close_at, trial.h),
 * the trial drawn again must keep every patient randomised before the stop exactly as it was,
 * and enrol no one at the stopped site after it.
 *
 * This is what makes a stop found by a check consistent (run/sequential.c, find_closures): the
 * check read only patients randomised by then, so drawing the trial again with the stop must
 * not change them, or the flag that caused the stop could vanish. For each design below -
 * accrual by one rate (a stopped site's patients go to the others: redirect) and by site
 * (its arrivals are lost: thinning), randomisation by fixed counts, simple, permuted blocks and
 * permuted blocks by site (each site's blocks from its own draws when a stop is possible) -
 * and for 60 trials, it samples the trial with no stop, picks a site and a month (the
 * randomisation of patient n/3, or of a late patient), stops the site then, samples again and
 * compares patient by patient: site, arm, randomisation month, dropout visit and end-point
 * values under both hypotheses, deviation. After the stop: still n patients, months
 * non-decreasing, none at the stopped site. A second stop (another site, later) must keep the
 * patients before it as the one-stop trial had them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "scenario_text.h"
#include "input/latent_layout.h"
#include "model/cohort.h"

#define BASE_JSON \
    "{\"name\": \"stop\", \"arms\": [{\"id\": \"placebo\", \"control\": true}, {\"id\": \"drug\"}]," \
    " \"sample_size\": 120, \"randomization\": %s," \
    " \"sites\": {\"count\": 5, \"weights\": [0.3, 0.25, 0.2, 0.15, 0.1], \"enrollment\": \"random\"," \
    "  \"heterogeneity_sd\": 0.4, \"anomalies\": [{\"sites\": [0], \"arm\": \"placebo\", \"response\": 1.0}]}," \
    " \"visits\": [4, 12]," \
    " \"endpoints\": [{\"id\": \"resp\", \"type\": \"binary\", \"response\": {\"placebo\": 0.4, \"drug\": 0.6}}," \
    "  {\"id\": \"score\", \"type\": \"continuous\", \"mean\": {\"placebo\": 0, \"drug\": 2}, \"sd\": 5}]," \
    " \"dropout\": {\"placebo\": 0.2, \"drug\": 0.15}, \"deviation\": {\"placebo\": 0.1, \"drug\": 0.1}," \
    " \"accrual\": %s," \
    " \"analyses\": [{\"id\": \"itt\", \"endpoint\": \"resp\", \"population\": \"itt\", \"test\": \"pearson\"}]," \
    " \"monitoring\": {\"every_patients\": 20, \"rules\": [{\"id\": \"dmc\", \"arm\": \"placebo\"," \
    "  \"endpoint\": \"resp\", \"test\": \"threshold\", \"rate_at_least\": 1.0, \"min_patients\": 3," \
    "  \"stop_enrolling\": true}]}}"

typedef struct snap {
  long long n;
  uint16_t *site;
  uint8_t *arm, *gone[2], *dev;
  double *t, *val[2];
} snap;

static void take(snap *s, const tsim_cohort *c, int nmeas) {
  size_t n = (size_t)c->n;
  s->n = c->n;
  memcpy(s->site, c->site, n * sizeof *s->site);
  memcpy(s->arm, c->arm, n);
  memcpy(s->t, c->t_rand, n * sizeof *s->t);
  memcpy(s->dev, c->pat.dev, n);
  for (int h = 0; h < 2; h++) {
    memcpy(s->gone[h], c->pat.gone[h], n);
    memcpy(s->val[h], c->pat.val[h], n * (size_t)nmeas * sizeof(double));
  }
}

static int snap_alloc(snap *s, long long n, int nmeas) {
  s->site = malloc((size_t)n * sizeof *s->site);
  s->arm = malloc((size_t)n);
  s->dev = malloc((size_t)n);
  s->t = malloc((size_t)n * sizeof *s->t);
  int ok = s->site && s->arm && s->dev && s->t;
  for (int h = 0; h < 2; h++) {
    s->gone[h] = malloc((size_t)n);
    s->val[h] = malloc((size_t)n * (size_t)nmeas * sizeof(double));
    ok = ok && s->gone[h] && s->val[h];
  }
  return ok;
}

static void snap_free(snap *s) {
  free(s->site), free(s->arm), free(s->dev), free(s->t);
  for (int h = 0; h < 2; h++) free(s->gone[h]), free(s->val[h]);
}

/* Patients 0 .. before-1 of a and b the same, field by field; returns how many differ. */
static long long differ(const snap *a, const snap *b, long long before, int nmeas) {
  long long bad = 0;
  for (long long j = 0; j < before; j++) {
    int same = a->site[j] == b->site[j] && a->arm[j] == b->arm[j] && a->t[j] == b->t[j] && a->dev[j] == b->dev[j];
    for (int h = 0; h < 2; h++) {
      same = same && a->gone[h][j] == b->gone[h][j];
      same = same && memcmp(a->val[h] + j * nmeas, b->val[h] + j * nmeas, (size_t)nmeas * sizeof(double)) == 0;
    }
    bad += !same;
  }
  return bad;
}

static void run_design(const char *label, const char *randomization, const char *accrual) {
  char json[4096];
  snprintf(json, sizeof json, BASE_JSON, randomization, accrual);
  tsim_scenario *sc = tsim_test_scenario_text(json);
  CHECK(sc && sc->monitoring.stop, "%s: the scenario loads with a stopping rule", label);
  if (!sc) return;
  tsim_cohort_plan plan;
  CHECK(tsim_cohort_plan_init(&plan, sc) == TSIM_OK, "plan");
  tsim_cohort *c = tsim_cohort_new(&plan);
  CHECK(c && c->close_at, "%s: a cohort with stops", label);
  int nmeas = plan.lat->nmeas, ns = sc->nsites;
  long long n = sc->sample_size;
  snap open, one, two;
  CHECK(snap_alloc(&open, n, nmeas) && snap_alloc(&one, n, nmeas) && snap_alloc(&two, n, nmeas), "memory");
  long long bad = 0, moved = 0, lost = 0;
  for (long long trial = 0; trial < 60; trial++) {
    for (int s = 0; s < ns; s++) c->close_at[s] = INFINITY;
    tsim_cohort_sample(c, 7, trial);
    take(&open, c, nmeas);
    int s1 = open.site[n / 3], s2 = (s1 + 1) % ns;
    double t1 = open.t[n / 3], t2 = open.t[(2 * n) / 3];
    c->close_at[s1] = t1;
    tsim_cohort_sample(c, 7, trial);
    take(&one, c, nmeas);
    long long before = 0;
    while (before < n && open.t[before] <= t1) before++;
    bad += differ(&open, &one, before, nmeas);
    int monotone = 1;
    for (long long j = 0; j < n; j++) {
      if (j > 0 && one.t[j] < one.t[j - 1]) monotone = 0;
      if (one.t[j] > t1 && one.site[j] == s1) lost++;
      if (j >= before && j < n && (one.site[j] != open.site[j] || one.t[j] != open.t[j])) moved++;
    }
    CHECK(monotone, "%s trial %lld: months non-decreasing after a stop", label, trial);
    /* A second stop, later: the patients before it as the one-stop trial had them. */
    double t2b = one.t[(2 * n) / 3] > t2 ? one.t[(2 * n) / 3] : t2;
    c->close_at[s2] = t2b;
    tsim_cohort_sample(c, 7, trial);
    take(&two, c, nmeas);
    long long before2 = 0;
    while (before2 < n && one.t[before2] <= t2b) before2++;
    bad += differ(&one, &two, before2, nmeas);
    for (long long j = 0; j < n; j++) lost += (two.t[j] > t1 && two.site[j] == s1) + (two.t[j] > t2b && two.site[j] == s2);
  }
  CHECK(bad == 0, "%s: %lld patients randomised before a stop changed", label, bad);
  CHECK(lost == 0, "%s: %lld patients randomised at a site after it stopped", label, lost);
  CHECK(moved > 0, "%s: the stops changed no later patient (the test would see nothing)", label);
  printf("%s: %lld later patients changed by a stop; none before it\n", label, moved);
  snap_free(&open), snap_free(&one), snap_free(&two);
  tsim_cohort_free(c);
  tsim_cohort_plan_free(&plan);
  tsim_scenario_free(sc);
}

/* A scenario with accrual by site (sample size, site count, weights, rate per site, opening
 * months) and a rule that stops enrolling, so that the cohort has stops (close_at). */
#define LAW_JSON                                                                                              \
  "{\"name\": \"law\", \"arms\": [{\"id\": \"placebo\", \"control\": true}, {\"id\": \"drug\"}],"                \
  " \"sample_size\": %d, \"sites\": {\"count\": %d, \"weights\": %s, \"enrollment\": \"random\"},"                \
  " \"endpoints\": [{\"id\": \"resp\", \"type\": \"binary\", \"response\": {\"placebo\": 0.4, \"drug\": 0.6}}],"  \
  " \"accrual\": {\"per_site_per_month\": %s, \"site_open_months\": %s},"                                        \
  " \"analyses\": [{\"id\": \"itt\", \"endpoint\": \"resp\", \"population\": \"itt\", \"test\": \"pearson\"}],"  \
  " \"monitoring\": {\"every_patients\": 20, \"rules\": [{\"id\": \"dmc\", \"arm\": \"placebo\","                 \
  "  \"endpoint\": \"resp\", \"test\": \"threshold\", \"rate_at_least\": 1.0, \"min_patients\": 3,"                \
  "  \"stop_enrolling\": true}]}}"

/* The law after a stop, accrual by site: five sites open from month 0 (rates 1.2 x 5 x weight),
 * sites 0 and 1 stopped at month T. Before T the patients arrive at rate 6 a month, each at site
 * i with probability weight i; after it at the rate of the three left, 2.7 a month, each at
 * site i with probability weight i / 0.45 - every gap between arrivals after T, and the first
 * arrival's wait from T (memorylessness), exponential with mean 1 / 2.7. Means and shares
 * within 4 standard errors over 3,000 trials (seed fixed) - the thinning of accrual.c; then
 * weights [1, 1e-4] with the first site stopped, where the one left has 1e-4 of the rate and
 * after 1,024 arrivals in a row at the stopped site the rest come from the site left alone
 * (by_site_left; thinning alone took about 10,000 draws a patient here, and hung at 1e-12). */
static void law_after_stop(void) {
  for (int design = 0; design < 2; design++) {
    char text[4096];
    if (design == 0)
      snprintf(text, sizeof text, LAW_JSON, 120, 5, "[0.3, 0.25, 0.2, 0.15, 0.1]", "1.2", "[0, 0, 0, 0, 0]");
    else
      snprintf(text, sizeof text, LAW_JSON, 40, 2, "[1, 0.0001]", "1", "[0, 0]");
    tsim_scenario *sc = tsim_test_scenario_text(text);
    CHECK(sc != NULL, "law design %d loads", design);
    if (!sc) return;
    tsim_cohort_plan plan;
    CHECK(tsim_cohort_plan_init(&plan, sc) == TSIM_OK, "plan");
    tsim_cohort *c = tsim_cohort_new(&plan);
    const int ns = sc->nsites, stopped = design == 0 ? 2 : 1;
    const double T = design == 0 ? 10.0 : 2.0;
    double w_left = 0, rate_all = 0;
    for (int i = 0; i < ns; i++) rate_all += sc->accrual.site_rate * ns * sc->site_weights[i];
    for (int i = stopped; i < ns; i++) w_left += sc->site_weights[i];
    const double rate_left = rate_all * w_left, mean_gap = 1 / rate_left;
    double gsum = 0, gsq = 0;
    long long ngap = 0, before[8] = {0}, after[8] = {0}, nb = 0, na = 0, bad = 0;
    for (long long trial = 0; c && trial < 3000; trial++) {
      for (int i = 0; i < ns; i++) c->close_at[i] = i < stopped ? T : INFINITY;
      tsim_cohort_sample(c, 11, trial);
      for (long long j = 0; j < c->n; j++) {
        double t = c->t_rand[j];
        if (t <= T) {
          before[c->site[j]]++, nb++;
          continue;
        }
        bad += c->site[j] < stopped;
        after[c->site[j]]++, na++;
        double gap = t - (j > 0 && c->t_rand[j - 1] > T ? c->t_rand[j - 1] : T); /* from T for the first */
        gsum += gap, gsq += gap * gap, ngap++;
      }
    }
    CHECK(bad == 0, "law design %d: %lld patients at a stopped site after its stop", design, bad);
    double m = gsum / (double)ngap, se = mean_gap / sqrt((double)ngap);
    CHECK(ngap > 1000 && fabs(m - mean_gap) <= 4 * se, "law design %d: mean gap after the stop %.6g, expected %.6g "
          "(1 / the sites left's rate; SE %.3g, %lld gaps)", design, m, mean_gap, se, ngap);
    for (int i = 0; i < ns; i++) {
      double pb = sc->site_weights[i], pa = i < stopped ? 0 : sc->site_weights[i] / w_left;
      double sb = sqrt(pb * (1 - pb) / (double)nb), sa = sqrt(pa * (1 - pa) / (double)na);
      CHECK(fabs((double)before[i] / (double)nb - pb) <= 4 * sb + 1e-12, "law design %d, site %d: share before the "
            "stop %.4f, expected %.4f", design, i, (double)before[i] / (double)nb, pb);
      CHECK(fabs((double)after[i] / (double)na - pa) <= 4 * sa + 1e-12, "law design %d, site %d: share after the "
            "stop %.4f, expected %.4f", design, i, (double)after[i] / (double)na, pa);
    }
    printf("law design %d: mean gap after the stop %.6g (expected %.6g, %lld gaps), %lld patients before it, %lld after\n",
           design, m, mean_gap, ngap, nb, na);
    tsim_cohort_free(c);
    tsim_cohort_plan_free(&plan);
    tsim_scenario_free(sc);
  }
}

/* After the switch to the sites still enrolling alone (by_site_left), with steps both ways: five
 * sites of rates 100, 100, 0.001, 0.002 and 0.003 a month; sites 0 and 1 stop at month 0.5 (the
 * three left have 1e-5 of the rate: the switch comes within a few patients), site 3 opens at
 * month 400, site 2 stops at 600, site 4 is stopped at 700 before it opens at 800 (so never
 * enrols). The arrivals in each span between those months form a Poisson count of mean rate x
 * length - [0.5, 400): 0.3995 (site 2), [400, 600): 0.6 (sites 2 and 3, shares 1/3 and 2/3),
 * [600, 1200): 1.2 (site 3) - within 4 SE over 20,000 trials, with no patient at a site stopped
 * or not open. 200 patients: the trial is still enrolling at month 1200. */
static void law_after_switch(void) {
  char text[4096];
  snprintf(text, sizeof text, LAW_JSON, 200, 5, "[100, 100, 0.001, 0.002, 0.003]", "40.0012", "[0, 0, 0, 400, 800]");
  tsim_scenario *sc = tsim_test_scenario_text(text);
  CHECK(sc != NULL, "the switch design loads");
  if (!sc) return;
  tsim_cohort_plan plan;
  CHECK(tsim_cohort_plan_init(&plan, sc) == TSIM_OK, "plan");
  tsim_cohort *c = tsim_cohort_new(&plan);
  static const double edge[4] = {0.5, 400, 600, 1200}, rate[3] = {0.001, 0.003, 0.002};
  const long long T = 20000;
  long long count[3] = {0, 0, 0}, at2 = 0, bad = 0, ended = 0;
  for (long long trial = 0; c && trial < T; trial++) {
    c->close_at[0] = c->close_at[1] = 0.5, c->close_at[2] = 600, c->close_at[3] = INFINITY, c->close_at[4] = 700;
    tsim_cohort_sample(c, 5, trial);
    ended += c->t_rand[c->n - 1] <= 1200;
    for (long long j = 0; j < c->n; j++) {
      double t = c->t_rand[j];
      int s = c->site[j];
      bad += s == 4 || (s < 2 && t > 0.5) || (s == 2 && t > 600) || (s == 3 && t < 400);
      for (int k = 0; k < 3; k++)
        if (t > edge[k] && t <= edge[k + 1]) {
          count[k]++;
          at2 += k == 1 && s == 2;
        }
    }
  }
  CHECK(bad == 0, "%lld patients at a site stopped or not yet open", bad);
  CHECK(ended == 0, "%lld trials ended by month 1200 (the spans' counts would be cut)", ended);
  for (int k = 0; k < 3; k++) {
    double mean = rate[k] * (edge[k + 1] - edge[k]), se = sqrt(mean / (double)T), m = (double)count[k] / (double)T;
    CHECK(fabs(m - mean) <= 4 * se, "months (%g, %g]: %.5f arrivals a trial, expected %.5f (SE %.5f)", edge[k], edge[k + 1],
          m, mean, se);
  }
  double share = count[1] ? (double)at2 / (double)count[1] : 0, sse = sqrt(2.0 / 9.0 / (double)count[1]);
  CHECK(fabs(share - 1.0 / 3) <= 4 * sse, "months (400, 600]: site 2's share %.4f, expected 1/3", share);
  printf("after the switch: %.4f, %.4f, %.4f arrivals a trial in the three spans (expected 0.3995, 0.6, 1.2); "
         "site 2's share in the second %.4f\n", (double)count[0] / (double)T, (double)count[1] / (double)T,
         (double)count[2] / (double)T, share);
  tsim_cohort_free(c);
  tsim_cohort_plan_free(&plan);
  tsim_scenario_free(sc);
}

int main(void) {
  law_after_stop();
  law_after_switch();
  static const char *const rates[] = {"{\"patients_per_month\": 6}",
                                      "{\"per_site_per_month\": 1.2, \"site_open_window_months\": [0, 4]}"};
  static const char *const rands[] = {"{\"method\": \"fixed\"}", "{\"method\": \"simple\"}",
                                      "{\"method\": \"block\", \"block_size\": 4}",
                                      "{\"method\": \"block\", \"block_size\": 4, \"stratify_by_site\": true}",
                                      "{\"method\": \"block\", \"block_size\": 10, \"stratify_by_site\": true}"};
  static const char *const rate_names[] = {"one rate", "by site"};
  static const char *const rand_names[] = {"fixed", "simple", "blocks", "blocks by site", "blocks of 10 by site"};
  for (int a = 0; a < 2; a++)
    for (int r = 0; r < 5; r++) {
      char label[80];
      snprintf(label, sizeof label, "accrual %s, randomisation %s", rate_names[a], rand_names[r]);
      run_design(label, rands[r], rates[a]);
    }
  printf("%d passed, %d failed\n", check_passed, check_failed);
  return check_failed != 0;
}
