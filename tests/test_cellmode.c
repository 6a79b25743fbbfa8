/* test_cellmode.c - sampling counts per cell has the same distribution as sampling patients.
 *
 * Each scenario below is run twice with the same seed, once with "sampling": "patient" and
 * once with "sampling": "cell" (200,000 trials each). The two share each trial's site effects
 * and read everything else differently; the standard error of a difference is that of two
 * independent runs, which the shared part can only make too large. For every comparison under
 * both hypotheses the
 * rejection rate, the rate favouring the experimental arm, the rate of defined tables, the
 * mean analysed N, the mean number of sites dropped by exclusion rules, the mean observed
 * difference, and every joint "both significant" rate must agree within 4 standard errors of
 * their difference. The scenarios cover fixed, simple and site-stratified block randomisation,
 * random and balanced enrollment, heterogeneity, listed and random anomalies, three arms, two
 * end points, dropout and deviations, and prespecified and data-driven site exclusion; two
 * have no heterogeneity, so their binomials come from cached tables, two reach the
 * partial-block draws that two-arm tables cannot serve (three arms; blocks of 80), and the next
 * has a site tree beyond the binomial tables and cells beyond the lanes. The last three are the
 * patient-level (latent) model, where the cells give the patients' rows and each patient's
 * values are still drawn: LUPIL-2 as shipped (correlated binary and continuous end points,
 * anomalies of means, t tests, a hierarchy), one site with a derived end point, a baseline,
 * ANCOVA and Wilcoxon, and cells of about 100. The tables' lookups by a uniform's top bits are
 * checked against their definition first.
 */
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "check.h"
#include "model/cellsample.h"
#include "model/stages.h"
#include "exact.h"
#include "run/runner.h"

#define TRIALS 200000
#define DV_TEST_PAIRS 153 /* (16 + 1)(16 + 2) / 2 */
#define K_SE 4.0

static const char *const scenarios[] = {
    /* LUPIL-2-like: 12 sites, stratified blocks, two anomalies, post hoc rule. */
    "{\"name\": \"a\", \"sample_size\": 100,"
    " \"randomization\": {\"method\": \"block\", \"block_size\": 4, \"stratify_by_site\": true},"
    " \"sites\": {\"count\": 12, \"weights\": [3, 3, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4],"
    "   \"heterogeneity_sd\": 0.3, \"anomalies\": [{\"sites\": [0, 1], \"arm\": \"c\", \"response\": 1.0},"
    "   {\"sites\": [0, 1], \"arm\": \"e\", \"response\": 0.6}]},"
    " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e\"}],"
    " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": 0.517, \"e\": 0.833}}],"
    " \"dropout\": {\"c\": 0.1, \"e\": 0.1}, \"deviation\": {\"c\": 0.1, \"e\": 0.1},"
    " \"analyses\": [{\"id\": \"itt\", \"population\": \"itt\", \"test\": \"pearson\"},"
    "  {\"id\": \"pp\", \"population\": \"per_protocol\", \"test\": \"fisher\", \"exclude_sites\": [0, 1]},"
    "  {\"id\": \"cmh\", \"population\": \"itt\", \"test\": \"cmh\"},"
    "  {\"id\": \"yates\", \"population\": \"per_protocol\", \"test\": \"yates\"},"
    "  {\"id\": \"post\", \"population\": \"per_protocol\", \"test\": \"pearson\","
    "   \"exclude_sites_where\": {\"arm\": \"c\", \"response_at_least\": 1.0, \"min_patients\": 3}}]}",
    /* Three arms, simple randomisation, weighted random enrollment, two end points. */
    "{\"name\": \"b\", \"sample_size\": 83, \"randomization\": {\"method\": \"simple\"},"
    " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"a\", \"allocation\": 2}, {\"id\": \"b\"}],"
    " \"sites\": {\"count\": 5, \"weights\": [1, 2, 3, 0.5, 1], \"heterogeneity_sd\": 0.7,"
    "   \"anomalies\": [{\"random_sites\": 2, \"arm\": \"c\", \"response\": 0.95},"
    "   {\"site_probability\": 0.3, \"arm\": \"a\", \"response\": 0.1, \"endpoint\": \"y2\"}]},"
    " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": 0.3, \"a\": 0.5, \"b\": 0.6}},"
    "   {\"id\": \"y2\", \"type\": \"binary\", \"response\": {\"c\": 0.2, \"a\": 0.4, \"b\": 0.2}, \"higher_is_better\": false}],"
    " \"dropout\": {\"c\": 0.1, \"a\": 0.2}, \"deviation\": {\"b\": 0.15},"
    " \"analyses\": [{\"id\": \"i\", \"endpoint\": \"y\", \"population\": \"itt\", \"test\": \"fisher\"},"
    "  {\"id\": \"c2\", \"endpoint\": \"y2\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"n1_chisq\"},"
    "  {\"id\": \"p\", \"endpoint\": \"y\", \"population\": \"per_protocol\", \"test\": \"pearson\", \"exclude_sites\": [1],"
    "   \"exclude_sites_where\": {\"arm\": \"c\", \"response_at_least\": 0.9, \"min_patients\": 2}}]}",
    /* Fixed 3:2 randomisation across 7 sites; balanced enrollment variant below. */
    "{\"name\": \"c\", \"sample_size\": 97, \"randomization\": {\"method\": \"fixed\"},"
    " \"arms\": [{\"id\": \"c\", \"control\": true, \"allocation\": 3}, {\"id\": \"a\", \"allocation\": 2}],"
    " \"sites\": {\"count\": 7, \"heterogeneity_sd\": 0.5},"
    " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": 0.4, \"a\": 0.55}}],"
    " \"dropout\": {\"c\": 0.2, \"a\": 0.05},"
    " \"analyses\": [{\"id\": \"i\", \"population\": \"itt\", \"test\": \"fisher\"},"
    "  {\"id\": \"cc\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"pearson\"}]}",
    "{\"name\": \"d\", \"sample_size\": 61, \"randomization\": {\"method\": \"block\", \"block_size\": 6,"
    "   \"stratify_by_site\": true},"
    " \"sites\": {\"count\": 4, \"enrollment\": \"balanced\", \"heterogeneity_sd\": 0.2},"
    " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"a\", \"allocation\": 2}],"
    " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": 0.4, \"a\": 0.7}}],"
    " \"dropout\": {\"c\": 0.1, \"a\": 0.1}, \"deviation\": {\"c\": 0.05, \"a\": 0.1},"
    " \"analyses\": [{\"id\": \"i\", \"population\": \"itt\", \"test\": \"pearson\"},"
    "  {\"id\": \"pp\", \"population\": \"per_protocol\", \"test\": \"fisher\"}]}",
    /* No heterogeneity and large cells: outcome binomials come from the cached inverse-CDF
     * tables (cellsample.c), including p > 1/2 (the flipped table) and several sizes. */
    "{\"name\": \"e\", \"sample_size\": 300, \"randomization\": {\"method\": \"simple\"},"
    " \"sites\": {\"count\": 2, \"weights\": [1, 2]},"
    " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"a\", \"allocation\": 2}],"
    " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": 0.35, \"a\": 0.8}},"
    "   {\"id\": \"z\", \"type\": \"binary\", \"response\": {\"c\": 0.05, \"a\": 0.1}}],"
    " \"dropout\": {\"c\": 0.15, \"a\": 0.15}, \"deviation\": {\"c\": 0.1, \"a\": 0.3},"
    " \"analyses\": [{\"id\": \"i\", \"endpoint\": \"y\", \"population\": \"itt\", \"test\": \"fisher\"},"
    "  {\"id\": \"pp\", \"endpoint\": \"y\", \"population\": \"per_protocol\", \"test\": \"pearson\"},"
    "  {\"id\": \"z\", \"endpoint\": \"z\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"n1_chisq\"}]}",
    /* Three arms in permuted blocks of 7 (urn draws of a partial block), a two-arm-per-block
     * table cannot serve; cells of about 11-32 patients: joint dropout/deviation tables up to 16,
     * separate binomials above; no heterogeneity: coupled outcome tables. */
    "{\"name\": \"f\", \"sample_size\": 150, \"randomization\": {\"method\": \"block\", \"block_size\": 7,"
    "   \"stratify_by_site\": true},"
    " \"sites\": {\"count\": 3, \"weights\": [1, 1, 2]},"
    " \"arms\": [{\"id\": \"c\", \"control\": true, \"allocation\": 3}, {\"id\": \"a\", \"allocation\": 2}, {\"id\": \"b\", \"allocation\": 2}],"
    " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": 0.3, \"a\": 0.5, \"b\": 0.45}}],"
    " \"dropout\": {\"c\": 0.05, \"a\": 0.2, \"b\": 0.1}, \"deviation\": {\"c\": 0.15, \"a\": 0.05},"
    " \"analyses\": [{\"id\": \"i\", \"population\": \"itt\", \"test\": \"pearson\"},"
    "  {\"id\": \"cc\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"pearson\"},"
    "  {\"id\": \"pp\", \"population\": \"per_protocol\", \"test\": \"pearson\"}]}",
    /* Two arms in blocks of 80 (longer than the partial-block tables) over 2 sites. */
    "{\"name\": \"g\", \"sample_size\": 130, \"randomization\": {\"method\": \"block\", \"block_size\": 80,"
    "   \"stratify_by_site\": true},"
    " \"sites\": {\"count\": 2, \"heterogeneity_sd\": 0.4},"
    " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"a\", \"allocation\": 3}],"
    " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": 0.3, \"a\": 0.5}}],"
    " \"dropout\": {\"c\": 0.1, \"a\": 0.2}, \"deviation\": {\"c\": 0.1, \"a\": 0.05},"
    " \"analyses\": [{\"id\": \"i\", \"population\": \"itt\", \"test\": \"pearson\"},"
    "  {\"id\": \"pp\", \"population\": \"per_protocol\", \"test\": \"pearson\"}]}",
    /* 1,500 patients over three weighted sites: the site tree's first binomial is beyond the
     * binomial tables (GSL's BTPE on the ENROLL stream), and simple randomisation then reads the
     * same stream on; cells of ~250: dropouts and deviations by separate binomials. */
    "{\"name\": \"h\", \"sample_size\": 1500, \"randomization\": {\"method\": \"simple\"},"
    " \"sites\": {\"count\": 3, \"weights\": [1, 2, 1], \"heterogeneity_sd\": 0.3},"
    " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"a\"}],"
    " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": 0.3, \"a\": 0.36}}],"
    " \"dropout\": {\"c\": 0.1, \"a\": 0.2}, \"deviation\": {\"c\": 0.1, \"a\": 0.05},"
    " \"analyses\": [{\"id\": \"i\", \"population\": \"itt\", \"test\": \"pearson\"},"
    "  {\"id\": \"pp\", \"population\": \"per_protocol\", \"test\": \"n1_chisq\"}]}",
    /* The patient-level model, LUPIL-2 as shipped (scenarios/lupil2.json): a binary and two
     * continuous end points, correlated; six anomaly rules (means of continuous end points too),
     * post hoc site exclusion, Welch's t in both populations, two hierarchies. */
    "{\"name\": \"l1\", \"sample_size\": 100,"
    " \"randomization\": {\"method\": \"block\", \"block_size\": 4, \"stratify_by_site\": true},"
    " \"sites\": {\"count\": 12, \"weights\": [0.15, 0.15, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07],"
    "   \"heterogeneity_sd\": 0.3, \"anomalies\": [{\"sites\": [0, 1], \"arm\": \"c\", \"response\": 1.0},"
    "   {\"sites\": [0, 1], \"arm\": \"e\", \"response\": 0.6},"
    "   {\"sites\": [0, 1], \"arm\": \"c\", \"endpoint\": \"rel\", \"mean\": -65},"
    "   {\"sites\": [0, 1], \"arm\": \"e\", \"endpoint\": \"abs\", \"mean\": -5.0}]},"
    " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e\"}],"
    " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": 0.517, \"e\": 0.833}},"
    "   {\"id\": \"rel\", \"type\": \"continuous\", \"mean\": {\"c\": -42, \"e\": -60}, \"sd\": 30, \"higher_is_better\": false},"
    "   {\"id\": \"abs\", \"type\": \"continuous\", \"mean\": {\"c\": -5.0, \"e\": -7.5}, \"sd\": 3.5, \"higher_is_better\": false}],"
    " \"correlation\": [{\"endpoints\": [\"y\", \"rel\"], \"rho\": -0.7}, {\"endpoints\": [\"y\", \"abs\"], \"rho\": -0.7},"
    "   {\"endpoints\": [\"rel\", \"abs\"], \"rho\": 0.9}],"
    " \"dropout\": {\"c\": 0.1, \"e\": 0.1}, \"deviation\": {\"c\": 0.1, \"e\": 0.1},"
    " \"analyses\": [{\"id\": \"itt\", \"endpoint\": \"y\", \"population\": \"itt\", \"test\": \"pearson\"},"
    "  {\"id\": \"pp\", \"endpoint\": \"y\", \"population\": \"per_protocol\", \"test\": \"pearson\", \"exclude_sites\": [0, 1]},"
    "  {\"id\": \"post\", \"endpoint\": \"y\", \"population\": \"per_protocol\", \"test\": \"pearson\","
    "   \"exclude_sites_where\": {\"arm\": \"c\", \"response_at_least\": 1.0, \"min_patients\": 3}},"
    "  {\"id\": \"rel_itt\", \"endpoint\": \"rel\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"welch_t\"},"
    "  {\"id\": \"abs_pp\", \"endpoint\": \"abs\", \"population\": \"per_protocol\", \"test\": \"student_t\","
    "   \"exclude_sites\": [0, 1]}],"
    " \"multiplicity\": [{\"id\": \"h\", \"method\": \"fixed_sequence\", \"analyses\": [\"itt\", \"rel_itt\"]}]}",
    /* The patient-level model on one site, fixed randomisation: a derived binary end point,
     * a baseline, ANCOVA, Wilcoxon and Fisher (pss2022.json at its week-24 visit only). */
    "{\"name\": \"l2\", \"sample_size\": 60, \"randomization\": {\"method\": \"fixed\"},"
    " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e\"}],"
    " \"endpoints\": [{\"id\": \"ch\", \"type\": \"continuous\", \"mean\": {\"c\": -0.5, \"e\": -2.5}, \"sd\": 4,"
    "   \"higher_is_better\": false},"
    "   {\"id\": \"ch3\", \"type\": \"binary\", \"from\": {\"endpoint\": \"ch\", \"at_most\": -3}},"
    "   {\"id\": \"pain\", \"type\": \"continuous\", \"mean\": {\"c\": -5, \"e\": -12}, \"sd\": 17.5,"
    "   \"higher_is_better\": false, \"baseline\": {\"mean\": 50, \"sd\": 20, \"correlation\": -0.45}}],"
    " \"correlation\": [{\"endpoints\": [\"ch\", \"pain\"], \"rho\": 0.5}],"
    " \"dropout\": {\"c\": 0.05, \"e\": 0.15}, \"deviation\": {\"c\": 0.1, \"e\": 0.05},"
    " \"analyses\": [{\"id\": \"f\", \"endpoint\": \"ch3\", \"population\": \"itt\", \"missing\": \"non_responder\", \"test\": \"fisher\"},"
    "  {\"id\": \"w\", \"endpoint\": \"ch\", \"population\": \"per_protocol\", \"test\": \"welch_t\"},"
    "  {\"id\": \"r\", \"endpoint\": \"pain\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"wilcoxon\"},"
    "  {\"id\": \"a\", \"endpoint\": \"pain\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"ancova\"}]}",
    /* The patient-level model with cells of about 100 (dropouts and deviations by binomials on
     * the MISSING stream) and a site tree beyond the binomial tables; simple randomisation. */
    "{\"name\": \"l3\", \"sample_size\": 600, \"randomization\": {\"method\": \"simple\"},"
    " \"sites\": {\"count\": 3, \"weights\": [1, 2, 1], \"heterogeneity_sd\": 0.3},"
    " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e\"}],"
    " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": 0.3, \"e\": 0.38}},"
    "   {\"id\": \"x\", \"type\": \"continuous\", \"mean\": {\"c\": 0, \"e\": 0.2}, \"sd\": 1}],"
    " \"correlation\": [{\"endpoints\": [\"y\", \"x\"], \"rho\": 0.4}],"
    " \"dropout\": {\"c\": 0.1, \"e\": 0.2}, \"deviation\": {\"c\": 0.1, \"e\": 0.05},"
    " \"analyses\": [{\"id\": \"i\", \"endpoint\": \"y\", \"population\": \"itt\", \"test\": \"pearson\"},"
    "  {\"id\": \"cmh\", \"endpoint\": \"y\", \"population\": \"per_protocol\", \"test\": \"cmh\"},"
    "  {\"id\": \"t\", \"endpoint\": \"x\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"welch_t\"}]}",
};

static tsim_tally *run_mode(const char *json, const char *mode) {
  char buf[16384];
  size_t len = strlen(json);
  snprintf(buf, sizeof buf, "%.*s, \"sampling\": \"%s\"}", (int)(len - 1), json, mode);
  tsim_scenario *sc = load_text(buf);
  if (!sc) return NULL;
  CHECK(tsim_cohort_cell_mode(sc) == (strcmp(mode, "cell") == 0), "%s: mode %s not taken", sc->name, mode);
  tsim_run_opts o = {777, 0, TRIALS, 2, NULL, NULL, 0, 0};
  tsim_tally *t = NULL;
  if (tsim_run(sc, &o, &t) != TSIM_OK) t = NULL;
  tsim_scenario_free(sc);
  return t;
}

/* Two independent proportions out of T trials each. */
static void same_rate(uint64_t a, uint64_t b, const char *what, int k, int h) {
  double pa = (double)a / TRIALS, pb = (double)b / TRIALS;
  double se = sqrt(prop_se(pa, TRIALS) * prop_se(pa, TRIALS) + prop_se(pb, TRIALS) * prop_se(pb, TRIALS));
  char label[128];
  snprintf(label, sizeof label, "comparison %d, %s, %s (patient vs cell)", k, h ? "null" : "alt", what);
  CHECK_SE(pb, pa, se, K_SE, label);
}

static double mean_and_se(double sum, double sumsq, double n, double *se) {
  double m = sum / n, var = sumsq / n - m * m;
  *se = sqrt(fmax(var, 0) / n) + 1e-12;
  return m;
}

static void compare(const tsim_tally *p, const tsim_tally *c) {
  for (int h = 0; h < 2; h++) {
    for (int k = 0; k < p->ncomp; k++) {
      const tsim_tally_cell *a = &p->cell[h][k], *b = &c->cell[h][k];
      same_rate(a->reject, b->reject, "rejection rate", k, h);
      same_rate(a->favouring, b->favouring, "favouring rate", k, h);
      same_rate(a->defined, b->defined, "defined rate", k, h);
      double sa, sb;
      double ma = mean_and_se((double)(a->n0_sum + a->n1_sum), (double)a->n_sq_sum, TRIALS, &sa);
      double mb = mean_and_se((double)(b->n0_sum + b->n1_sum), (double)b->n_sq_sum, TRIALS, &sb);
      char label[128];
      snprintf(label, sizeof label, "comparison %d, %s, mean analysed N", k, h ? "null" : "alt");
      CHECK_SE(mb, ma, sqrt(sa * sa + sb * sb), K_SE, label);
      double da = (double)a->diff_sum / TSIM_FIXED_SCALE, qa = (double)a->diff_sq_sum / TSIM_FIXED_SCALE;
      double db = (double)b->diff_sum / TSIM_FIXED_SCALE, qb = (double)b->diff_sq_sum / TSIM_FIXED_SCALE;
      ma = mean_and_se(da, qa, (double)a->defined, &sa);
      mb = mean_and_se(db, qb, (double)b->defined, &sb);
      snprintf(label, sizeof label, "comparison %d, %s, mean difference", k, h ? "null" : "alt");
      CHECK_SE(mb, ma, sqrt(sa * sa + sb * sb), K_SE, label);
      /* Sites dropped: a count per trial between 0 and nsites; binomial-like bound on its SD. */
      snprintf(label, sizeof label, "comparison %d, %s, mean sites dropped", k, h ? "null" : "alt");
      double sda = (double)a->sites_dropped / TRIALS, sdb = (double)b->sites_dropped / TRIALS;
      CHECK_SE(sdb, sda, sqrt((sda + sdb) / TRIALS) + 1e-12, K_SE, label);
    }
    for (int q = 0; q < p->npairs; q++) same_rate(p->both[h][q], c->both[h][q], "joint both", q, h);
  }
}

/* The inversion tables give no uniform to an outcome of probability 0, even where the rounded
 * sum of the others stops short of 1: dropout 0 never makes a whole cell drop out (the joint
 * dropout/deviation table's last pair is "all n drop out"), and a block remainder never takes
 * more patients of an arm than a block holds. */
static void impossible_outcomes_get_no_uniform(void) {
  double pmf[DV_TEST_PAIRS];
  uint64_t c[DV_TEST_PAIRS];
  const double devs[] = {0.05, 0.1, 0.15, 0.3, 0.7};
  for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++)
    for (unsigned n = 1; n <= 16; n++) {
      unsigned k = 0, all_drop = 0;
      for (unsigned d = 0; d <= n; d++)
        for (unsigned v = 0; v + d <= n; v++, k++) {
          pmf[k] = gsl_ran_binomial_pdf(d, 0.0, n) * gsl_ran_binomial_pdf(v, devs[i], n - d);
          if (d == n) all_drop = k;
        }
      tsim__cdf_thresholds(pmf, k, c);
      uint64_t width = c[all_drop] - (all_drop ? c[all_drop - 1] : 0);
      CHECK(width == 0, "dropout 0, deviation %g, n %u: 'all drop out' gets %llu uniforms", devs[i], n,
            (unsigned long long)width);
      CHECK(c[k - 1] == UINT64_C(1) << 53, "n %u: the last threshold is not 2^53", n);
    }
  /* A 3:3 block's remainder of 4: arm 0 gets 1..3 of them, never 4. */
  for (unsigned x = 0; x <= 4; x++)
    pmf[x] = x <= 3 && 4 - x <= 3 ? gsl_ran_hypergeometric_pdf(x, 3, 3, 4) : 0;
  tsim__cdf_thresholds(pmf, 5, c);
  CHECK(c[0] == 0 && c[3] == UINT64_C(1) << 53 && c[4] == c[3],
        "block 3:3, remainder 4: thresholds %llu %llu %llu", (unsigned long long)c[0],
        (unsigned long long)c[3], (unsigned long long)c[4]);
}

/* The table lookups by a uniform's top bits (the site tree's and the dropout/deviation draws'
 * shortcut) against their definition: bucket i holds outcome x when its first and its last
 * uniform both invert to x (an inversion is monotone, so then all between do), and -1 otherwise;
 * on binomial tables of every n up to 100 at five probabilities, with 6 to 12 bits, and on
 * tables with empty outcomes (probability 0) and thresholds on bucket edges. */
static unsigned invert_def(const uint64_t *c, unsigned K, uint64_t u) {
  unsigned x = 0;
  while (x + 1 < K && c[x] <= u) x++;
  return x;
}

static void check_buckets(const uint64_t *c, unsigned K, unsigned bits, long long *checked, long long *differ) {
  int16_t out[1 << 12];
  tsim__bucket_outcomes(c, K, bits, out);
  for (uint64_t i = 0; i < ((uint64_t)1 << bits); i++) {
    uint64_t lo = i << (53 - bits), hi = lo + ((uint64_t)1 << (53 - bits)) - 1;
    unsigned a = invert_def(c, K, lo), b = invert_def(c, K, hi);
    int want = a == b ? (int)a : -1;
    ++*checked;
    if (out[i] != want && (*differ)++ < 10)
      CHECK(0, "K %u, %u bits, bucket %llu: %d, not %d", K, bits, (unsigned long long)i, out[i], want);
  }
}

static void buckets_as_defined(void) {
  long long checked = 0, differ = 0;
  double pmf[101];
  uint64_t c[101];
  const double ps[] = {0.01, 0.15, 0.5, 0.517, 0.97};
  for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++)
    for (unsigned n = 0; n <= 100; n++) {
      for (unsigned x = 0; x <= n; x++) pmf[x] = gsl_ran_binomial_pdf(x, ps[j], n);
      tsim__cdf_thresholds(pmf, n + 1, c);
      for (unsigned bits = 6; bits <= 12; bits += 2) check_buckets(c, n + 1, bits, &checked, &differ);
    }
  /* Empty outcomes, and thresholds exactly on the edges of 10-bit buckets. */
  const uint64_t w = UINT64_C(1) << 43, top = UINT64_C(1) << 53;
  const uint64_t edges[][5] = {{0, 0, 3 * w, 3 * w, top}, {w, 2 * w, 2 * w + 1, top, top}, {1, w - 1, w, w + 1, top}};
  for (size_t j = 0; j < sizeof edges / sizeof edges[0]; j++)
    for (unsigned bits = 6; bits <= 12; bits += 2) check_buckets(edges[j], 5, bits, &checked, &differ);
  CHECK(differ == 0, "%lld of %lld buckets differ from their definition", differ, checked);
  printf("%lld table buckets as defined\n", checked);
}

int main(void) {
  gsl_set_error_handler_off();
  impossible_outcomes_get_no_uniform();
  buckets_as_defined();
  for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
    tsim_tally *p = run_mode(scenarios[i], "patient"), *c = run_mode(scenarios[i], "cell");
    CHECK(p && c, "scenario %zu did not run", i);
    if (p && c) compare(p, c);
    tsim_tally_free(p);
    tsim_tally_free(c);
  }
  return tsim_check_done();
}
