/* test_exact.c - the Monte Carlo engine against exact enumeration of small trials.
 *
 * For two-arm trials whose arms are independent given their sizes, every outcome can be
 * enumerated: an arm's analysed count and responders have a known distribution (binomial, or
 * a binomial number of analysed patients each responding with probability p), so the exact
 * probability that a test rejects is a finite sum over tables. Each case below runs the full
 * engine (scenario file -> cohorts -> analyses -> tally) and checks power, type I error (the
 * null twin), the rate favouring the experimental arm, the mean analysed N and the mean
 * observed difference against the exact values, each within 4 Monte Carlo standard errors
 * (fixed seed). The decision function is the engine's own (tsim_test_p + tsim_reject), whose
 * p-values test_stattest checks against R; what is tested here is everything around it:
 * randomisation, dropout, deviations, populations, anomalies and site exclusion rules.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "exact.h"
#include "stats/logistic.h"
#include "run/runner.h"

#define TRIALS 200000
#define K_SE 4.0

static tsim_tally *simulate(const tsim_scenario *sc, uint64_t seed) {
  tsim_run_opts o = {seed, 0, TRIALS, 2, NULL, NULL, 0, 0};
  tsim_tally *t = NULL;
  return tsim_run(sc, &o, &t) == TSIM_OK ? t : NULL;
}

/* Compares comparison k of the tally under hypothesis h with the exact values. */
static void compare(const tsim_tally *t, int h, int k, const exact *e, const char *label) {
  const tsim_tally_cell *c = &t->cell[h][k];
  double n = (double)t->trials;
  char what[160];
  snprintf(what, sizeof what, "%s: %s rejection rate", label, h ? "null" : "alternative");
  CHECK_SE((double)c->reject / n, e->reject, prop_se(e->reject, n), K_SE, what);
  snprintf(what, sizeof what, "%s: %s favouring rate", label, h ? "null" : "alternative");
  CHECK_SE((double)c->favouring / n, e->favour, prop_se(e->favour, n), K_SE, what);
  snprintf(what, sizeof what, "%s: %s defined-trial rate", label, h ? "null" : "alternative");
  CHECK_SE((double)c->defined / n, e->p_defined, prop_se(e->p_defined, n), K_SE, what);
  /* Mean analysed N: its SD is at most N/2 per trial, a safe bound for the standard error. */
  snprintf(what, sizeof what, "%s: %s mean analysed N", label, h ? "null" : "alternative");
  double nbar = (double)(c->n0_sum + c->n1_sum) / n;
  CHECK_SE(nbar, e->mean_n, 0.5 * e->mean_n / sqrt(n) + 1e-12, K_SE, what);
  snprintf(what, sizeof what, "%s: %s mean difference", label, h ? "null" : "alternative");
  double dbar = (double)c->diff_sum / TSIM_FIXED_SCALE / (double)c->defined;
  CHECK_SE(dbar, e->diff_mean, e->diff_sd / sqrt((double)c->defined) + 1e-12, K_SE, what);
}

/* Two arms of fixed sizes n0, n1, no sites; analyses: ITT/NRI, completers, PP x 3 tests. */
static void fixed_sizes_case(const char *label, const char *randomization, int n0, int n1,
                             double p0, double p1, double drop, double dev) {
  char json[4096];
  snprintf(json, sizeof json,
           "{\"name\": \"exact\", \"sample_size\": %d, %s"
           " \"arms\": [{\"id\": \"c\", \"control\": true, \"allocation\": %d},"
           "            {\"id\": \"e\", \"allocation\": %d}],"
           " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": %.17g, \"e\": %.17g}}],"
           " \"dropout\": {\"c\": %.17g, \"e\": %.17g}, \"deviation\": {\"c\": %.17g, \"e\": %.17g},"
           " \"analyses\": ["
           "  {\"id\": \"itt_p\", \"population\": \"itt\", \"test\": \"pearson\"},"
           "  {\"id\": \"itt_f\", \"population\": \"itt\", \"test\": \"fisher\"},"
           "  {\"id\": \"itt_n1\", \"population\": \"itt\", \"test\": \"n1_chisq\"},"
           "  {\"id\": \"cc_p\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"pearson\"},"
           "  {\"id\": \"cc_f\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"fisher\"},"
           "  {\"id\": \"pp_p\", \"population\": \"per_protocol\", \"test\": \"pearson\", \"alpha\": 0.1},"
           "  {\"id\": \"itt_y\", \"population\": \"itt\", \"test\": \"yates\"},"
           "  {\"id\": \"cc_cmh\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"cmh\"},"
           "  {\"id\": \"itt_f1\", \"population\": \"itt\", \"test\": \"fisher\", \"sided\": 1, \"alpha\": 0.025},"
           "  {\"id\": \"cc_p1\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"pearson\", \"sided\": 1},"
           "  {\"id\": \"locf_p\", \"population\": \"itt\", \"missing\": \"locf\", \"test\": \"pearson\"}]}",
           n0 + n1, randomization, n0 / (n0 < n1 ? n0 : n1), n1 / (n0 < n1 ? n0 : n1), p0, p1,
           drop, drop, dev, dev);
  tsim_scenario *sc = load_text(json);
  CHECK(sc != NULL, "%s: scenario did not load", label);
  if (!sc) return;
  tsim_tally *t = simulate(sc, 12345);
  CHECK(t != NULL, "%s: run failed", label);
  for (int h = 0; t && h < 2; h++) {
    double q1 = h ? p0 : p1; /* the null twin gives the experimental arm the control's p */
    for (int k = 0; k < sc->nanalyses; k++) {
      const tsim_analysis *an = &sc->analyses[k];
      int mode = an->population == TSIM_POP_ITT && an->missing == TSIM_MISSING_NON_RESPONDER
                     ? POP_NRI : POP_ANALYSED;
      double q = (1 - drop) * (an->population == TSIM_POP_PER_PROTOCOL ? 1 - dev : 1);
      static dist d0, d1;
      arm_dist(&d0, n0, p0, q, mode, 0);
      arm_dist(&d1, n1, q1, q, mode, 0);
      exact e = {0};
      double m2 = 0;
      exact_add_sided(&e, &d0, &d1, an->test, an->sided, an->alpha, 1.0, &m2);
      exact_finish(&e, m2);
      char what[128];
      snprintf(what, sizeof what, "%s, %s", label, an->id);
      compare(t, h, k, &e, what);
    }
  }
  tsim_tally_free(t);
  tsim_scenario_free(sc);
}

/* Simple randomisation: the experimental arm's size is Binomial(N, 1/2). */
static void simple_randomization_case(void) {
  const int N = 24;
  const double p0 = 0.35, p1 = 0.75, drop = 0.15;
  char json[2048];
  snprintf(json, sizeof json,
           "{\"name\": \"exact\", \"sample_size\": %d, \"randomization\": {\"method\": \"simple\"},"
           " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e\"}],"
           " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": %g, \"e\": %g}}],"
           " \"dropout\": {\"c\": %g, \"e\": %g},"
           " \"analyses\": [{\"id\": \"cc_f\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"fisher\"}]}",
           N, p0, p1, drop, drop);
  tsim_scenario *sc = load_text(json);
  CHECK(sc != NULL, "simple randomisation: scenario did not load");
  if (!sc) return;
  tsim_tally *t = simulate(sc, 777);
  for (int h = 0; t && h < 2; h++) {
    exact e = {0};
    double m2 = 0;
    static dist d0, d1;
    for (int n1 = 0; n1 <= N; n1++) {
      double w = gsl_ran_binomial_pdf((unsigned)n1, 0.5, (unsigned)N);
      arm_dist(&d0, N - n1, p0, 1 - drop, POP_ANALYSED, 0);
      arm_dist(&d1, n1, h ? p0 : p1, 1 - drop, POP_ANALYSED, 0);
      exact_add(&e, &d0, &d1, TSIM_TEST_FISHER, 0.05, w, &m2);
    }
    exact_finish(&e, m2);
    compare(t, h, 0, &e, "simple randomisation, completers, fisher");
  }
  tsim_tally_free(t);
  tsim_scenario_free(sc);
}

/* CMH (logistic = 0) or logistic regression with a site effect (logistic = 1) stratified by the
 * two sites of the anomaly case: site 0 has 6 sure control responders and Bin(6, q1)
 * experimental; site 1 Bin(6, p0) vs Bin(6, q1). Exact over all 7^3 outcomes. */
static void stratified_by_site(const tsim_tally *t, int h, double p0, double q1, int logistic) {
  static tsim_logit_ws *ws;
  if (!ws) ws = tsim_logit_ws_new(2);
  exact e = {0};
  double m2 = 0;
  for (int a = 0; a <= 6; a++)      /* experimental responders, site 0 */
    for (int b = 0; b <= 6; b++)    /* control responders, site 1 */
      for (int c = 0; c <= 6; c++) { /* experimental responders, site 1 */
        double pr = gsl_ran_binomial_pdf((unsigned)a, q1, 6) * gsl_ran_binomial_pdf((unsigned)b, p0, 6) *
                    gsl_ran_binomial_pdf((unsigned)c, q1, 6);
        long long x0[2] = {6, b}, n0[2] = {6, 6}, x1[2] = {a, c}, n1[2] = {6, 6};
        double p = logistic ? tsim_logistic(ws, x0, n0, x1, n1, 2, 0.95, NULL)
                            : tsim_cmh_p(x0, n0, x1, n1, 2, NULL);
        int rej = tsim_reject(p, logistic ? 0.05 : 0.1);
        double diff = (double)(a + c) / 12 - (double)(6 + b) / 12;
        e.reject += rej ? pr : 0;
        e.favour += rej && diff > 0 ? pr : 0;
        e.p_defined += pr;
        e.mean_n += pr * 24;
        e.diff_mean += pr * diff;
        m2 += pr * diff * diff;
      }
  exact_finish(&e, m2);
  compare(t, h, 3 + logistic, &e, logistic ? "anomaly, itt, logistic by site" : "anomaly, itt, cmh by site");
}

/* Two sites of 12 (balanced enrollment), permuted blocks of 4 within site, so each site has
 * exactly 6 + 6. Site 0's control patients all respond (an anomaly). Analyses: ITT; PP with
 * site 0 excluded beforehand; PP with the post hoc rule "drop sites whose control arm responded
 * 100% with >= 3 patients", which drops site 0 always and site 1 when its 6 controls all
 * responded, leaving nothing to test then. */
static void anomaly_case(void) {
  const double p0 = 0.4, p1 = 0.8;
  char json[2048];
  snprintf(json, sizeof json,
           "{\"name\": \"exact\", \"sample_size\": 24,"
           " \"randomization\": {\"method\": \"block\", \"block_size\": 4, \"stratify_by_site\": true},"
           " \"sites\": {\"count\": 2, \"enrollment\": \"balanced\","
           "   \"anomalies\": [{\"sites\": [0], \"arm\": \"c\", \"response\": 1.0}]},"
           " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e\"}],"
           " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": %g, \"e\": %g}}],"
           " \"analyses\": ["
           "  {\"id\": \"itt\", \"population\": \"itt\", \"test\": \"pearson\"},"
           "  {\"id\": \"pp_pre\", \"population\": \"per_protocol\", \"test\": \"fisher\", \"exclude_sites\": [0]},"
           "  {\"id\": \"pp_post\", \"population\": \"per_protocol\", \"test\": \"pearson\","
           "   \"exclude_sites_where\": {\"arm\": \"c\", \"response_at_least\": 1.0, \"min_patients\": 3}},"
           "  {\"id\": \"itt_cmh\", \"population\": \"itt\", \"test\": \"cmh\", \"alpha\": 0.1},"
           "  {\"id\": \"itt_logit\", \"population\": \"itt\", \"test\": \"logistic\"}]}",
           p0, p1);
  tsim_scenario *sc = load_text(json);
  CHECK(sc != NULL, "anomaly: scenario did not load");
  if (!sc) return;
  tsim_tally *t = simulate(sc, 4242);
  static dist d0, d1, s1c;
  for (int h = 0; t && h < 2; h++) {
    double q1 = h ? p0 : p1;
    exact e = {0};
    double m2 = 0;
    /* ITT: control = 6 sure responders + Bin(6, p0) of 12; experimental Bin(12, q1). */
    arm_dist(&d0, 6, p0, 1, POP_NRI, 6);
    arm_dist(&d1, 12, q1, 1, POP_NRI, 0);
    exact_add(&e, &d0, &d1, TSIM_TEST_PEARSON, 0.05, 1, &m2);
    exact_finish(&e, m2);
    compare(t, h, 0, &e, "anomaly, itt");
    /* Prespecified exclusion of site 0: site 1 alone, Bin(6, p0) vs Bin(6, q1). */
    exact f = {0};
    m2 = 0;
    arm_dist(&d0, 6, p0, 1, POP_NRI, 0);
    arm_dist(&d1, 6, q1, 1, POP_NRI, 0);
    exact_add(&f, &d0, &d1, TSIM_TEST_FISHER, 0.05, 1, &m2);
    exact_finish(&f, m2);
    compare(t, h, 1, &f, "anomaly, pp excluding site 0");
    /* Post hoc: site 1 kept unless its 6 controls all responded (then N = 0, no test). */
    exact g = {0};
    m2 = 0;
    arm_dist(&s1c, 6, p0, 1, POP_NRI, 0);
    s1c.k = 6; /* drop the x0 = 6 point: that branch analyses nobody and rejects nothing */
    exact_add(&g, &s1c, &d1, TSIM_TEST_PEARSON, 0.05, 1, &m2);
    exact_finish(&g, m2);
    compare(t, h, 2, &g, "anomaly, pp post hoc rule");
    stratified_by_site(t, h, p0, q1, 0);
    stratified_by_site(t, h, p0, q1, 1);
    double dropped = (double)t->cell[h][2].sites_dropped / (double)t->trials;
    double pall = pow(p0, 6); /* site 1 dropped too */
    CHECK_SE(dropped, 1 + pall, prop_se(pall, (double)t->trials), K_SE,
             "anomaly, post hoc mean sites dropped");
  }
  tsim_tally_free(t);
  tsim_scenario_free(sc);
}

/* A single arm judged against p0 on a responder end point derived from a continuous score
 * (y ~ N(-4, 4^2), response = y <= -3): the alternative's rate is Phi(1/4); the null twin sets
 * the score's mean so that P(y <= -3) = p0. Exact: Bin(n, rate) through the binomial test. */
static void single_arm_derived_case(void) {
  const int n = 30;
  const double p0 = 0.3, rate = gsl_cdf_ugaussian_P(0.25);
  char json[1024];
  snprintf(json, sizeof json,
           "{\"name\": \"exact\", \"sample_size\": %d, \"arms\": [{\"id\": \"a\"}],"
           " \"endpoints\": [{\"id\": \"y\", \"type\": \"continuous\", \"mean\": {\"a\": -4}, \"sd\": 4},"
           "   {\"id\": \"r\", \"type\": \"binary\", \"from\": {\"endpoint\": \"y\", \"at_most\": -3}, \"p0\": %g}],"
           " \"analyses\": [{\"id\": \"b\", \"endpoint\": \"r\", \"population\": \"itt\", \"test\": \"binomial_exact\"}]}",
           n, p0);
  tsim_scenario *sc = load_text(json);
  CHECK(sc != NULL, "single arm, derived: scenario did not load");
  if (!sc) return;
  tsim_tally *t = simulate(sc, 99);
  for (int h = 0; t && h < 2; h++) {
    double q = h ? p0 : rate;
    exact e = {0};
    double m2 = 0;
    for (int x = 0; x <= n; x++) {
      double pr = gsl_ran_binomial_pdf((unsigned)x, q, (unsigned)n), diff = (double)x / n - p0;
      int rej = tsim_reject(tsim_binomial_exact_p(x, n, p0), 0.05);
      e.reject += rej ? pr : 0;
      e.favour += rej && diff > 0 ? pr : 0;
      e.p_defined += pr;
      e.mean_n += pr * n;
      e.diff_mean += pr * diff;
      m2 += pr * diff * diff;
    }
    exact_finish(&e, m2);
    compare(t, h, 0, &e, "single arm, derived end point against p0");
  }
  tsim_tally_free(t);
  tsim_scenario_free(sc);
}

/* The p-value distribution (run --p-values) against the exact one: for fixed arms of 12, 10%
 * dropout, the probability that each analysis's p-value rejects at alpha = i / 1000 for a
 * range of i is a finite sum (exact_add_sided at that alpha), as is the probability that no
 * test is possible; the tallied bins must give both within 4 standard errors, and - trial by
 * trial - the bins up to the analysis's own alpha must hold exactly the trials it rejected. */
static void p_value_distribution_case(void) {
  const char *json =
      "{\"name\": \"pdist\", \"sample_size\": 24,"
      " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e\"}],"
      " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": 0.3, \"e\": 0.65}}],"
      " \"dropout\": {\"c\": 0.1, \"e\": 0.1},"
      " \"analyses\": ["
      "  {\"id\": \"itt_p\", \"population\": \"itt\", \"test\": \"pearson\"},"
      "  {\"id\": \"cc_f\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"fisher\", \"alpha\": 0.1},"
      "  {\"id\": \"cc_p1\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"pearson\", \"sided\": 1, \"alpha\": 0.025}]}";
  /* The bins follow the decision rule: a p within the tie tolerance of alpha is not below it. */
  CHECK(tsim_pbin(0.0) == 0 && tsim_pbin(0.0015) == 1 && tsim_pbin(0.05) == 50, "tsim_pbin: plain bins");
  CHECK(tsim_pbin(0.05 * (1 - 1e-8)) == 50, "tsim_pbin: a tie with 0.05 does not reject at 0.05");
  CHECK(tsim_pbin(0.05 * (1 - 1e-6)) == 49, "tsim_pbin: just below 0.05 rejects at 0.05");
  CHECK(tsim_pbin(1.0) == TSIM_PBINS - 1 && tsim_pbin(NAN) == TSIM_PBINS, "tsim_pbin: p = 1, no p");
  tsim_scenario *sc = load_text(json);
  CHECK(sc != NULL, "p-value distribution: scenario did not load");
  if (!sc) return;
  tsim_run_opts o = {4242, 0, TRIALS, 2, NULL, NULL, 1, 0};
  tsim_tally *t = NULL;
  CHECK(tsim_run(sc, &o, &t) == TSIM_OK && t && t->pdist[0] && t->pdist[1], "p-value distribution: run failed");
  static const int at[] = {1, 5, 10, 25, 50, 100, 200, 500, 900};
  double n = (double)TRIALS;
  for (int h = 0; t && h < 2; h++)
    for (int k = 0; k < sc->nanalyses; k++) {
      const tsim_analysis *an = &sc->analyses[k];
      const uint64_t *bin = t->pdist[h] + (size_t)k * (TSIM_PBINS + 1);
      int mode = an->missing == TSIM_MISSING_NON_RESPONDER ? POP_NRI : POP_ANALYSED;
      static dist d0, d1;
      arm_dist(&d0, 12, 0.3, 0.9, mode, 0);
      arm_dist(&d1, 12, h ? 0.3 : 0.65, 0.9, mode, 0);
      uint64_t total = 0, cum = 0;
      for (int j = 0; j <= TSIM_PBINS; j++) total += bin[j];
      CHECK(total == (uint64_t)TRIALS, "%s: the bins hold %llu trials, not %d", an->id, (unsigned long long)total, TRIALS);
      /* No p-value: the exact probability that the test is undefined. */
      double none = 0;
      for (int i = 0; i < d0.k; i++)
        for (int j = 0; j < d1.k; j++)
          if (isnan(exact_p(an->test, an->sided, d0.pt[i].x, d0.pt[i].n, d1.pt[j].x, d1.pt[j].n)))
            none += d0.pt[i].prob * d1.pt[j].prob;
      char what[160];
      snprintf(what, sizeof what, "%s, %s: no p-value", an->id, tsim_hypothesis_names[h]);
      CHECK_SE((double)bin[TSIM_PBINS] / n, none, prop_se(none, n) + 1e-12, K_SE, what);
      size_t next = 0;
      for (int j = 0; j < TSIM_PBINS && next < sizeof at / sizeof *at; j++) {
        cum += bin[j];
        if (j + 1 != at[next]) continue;
        double alpha = (double)at[next++] / TSIM_PBINS, m2 = 0;
        exact e = {0};
        exact_add_sided(&e, &d0, &d1, an->test, an->sided, alpha, 1.0, &m2);
        snprintf(what, sizeof what, "%s, %s: P(reject at alpha %g)", an->id, tsim_hypothesis_names[h], alpha);
        CHECK_SE((double)cum / n, e.reject, prop_se(e.reject, n) + 1e-12, K_SE, what);
      }
      uint64_t own = 0;
      int upto = (int)lround(an->alpha * TSIM_PBINS);
      for (int j = 0; j < upto; j++) own += bin[j];
      CHECK(own == t->cell[h][k].reject, "%s, %s: %llu trials in the bins below alpha, %llu rejected",
            an->id, tsim_hypothesis_names[h], (unsigned long long)own, (unsigned long long)t->cell[h][k].reject);
    }
  tsim_tally_free(t);
  tsim_scenario_free(sc);
}

int main(void) {
  gsl_set_error_handler_off();
  fixed_sizes_case("fixed 12:12, no missing", "", 12, 12, 0.3, 0.7, 0.0, 0.0);
  fixed_sizes_case("fixed 10:10, dropout 0.2, deviation 0.1", "", 10, 10, 0.35, 0.8, 0.2, 0.1);
  fixed_sizes_case("fixed 8:16 (1:2), dropout 0.1", "", 8, 16, 0.25, 0.6, 0.1, 0.2);
  fixed_sizes_case("blocks of 4, 12:12, dropout 0.1",
                   "\"randomization\": {\"method\": \"block\", \"block_size\": 4},", 12, 12, 0.3,
                   0.75, 0.1, 0.0);
  /* The same through the patient-level latent model (a subgroup everyone belongs to switches
   * it on): populations and tests read from patients must give the same exact distribution. */
  fixed_sizes_case("latent model, fixed 10:10, dropout 0.2, deviation 0.1",
                   "\"subgroups\": [{\"id\": \"all\", \"prevalence\": 1}],", 10, 10, 0.35, 0.8,
                   0.2, 0.1);
  simple_randomization_case();
  single_arm_derived_case();
  anomaly_case();
  p_value_distribution_case();
  return tsim_check_done();
}
