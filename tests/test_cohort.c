/* test_cohort.c TRIALSIM SCENARIO - `trialsim cohort --trial K` shows exactly the patients
 * `trialsim run` analysed as trial K.
 *
 * Runs `trialsim run SCENARIO --trials T --seed S`, then for every K < T and both hypotheses
 * `trialsim cohort SCENARIO --trial K --seed S [--null]`, and recomputes every analysis from
 * the patient rows with code written independently of the engine (cell tables, analysis.c,
 * ptanalysis.c): populations, visits, last observation carried forward, subgroups,
 * prespecified and data-driven site exclusion are applied here from the rules documented in
 * scenarios/README.md; only the statistical tests themselves are called from the library
 * (stattest.h, logistic.h, contest.h, ranktest.h, ancova.h; they have their own tests against
 * R). The counts in the run's summary.json - rejections, rejections favouring the
 * experimental arm, analysed N per arm, sites dropped, trials with a defined difference - and
 * the mean difference must then equal the recomputed ones, for every comparison. Any drift
 * between the streams the run uses and those the cohort command uses - a different seed
 * derivation, trial offset or draw order - or a population rule applied differently breaks
 * the equality.
 *
 * Two CSV formats are read, told apart by the header:
 *   cell-table model:  trial,hypothesis,patient,site,arm,dropout,deviation,(response_<ep>,p_<ep>)*
 *                      (a dropout's deviation and responses blank);
 *   latent model:      trial,hypothesis,patient,site,arm,dropout_before_week,deviation,
 *                      subgroup_<id>*,<ep>_baseline*,<ep>[_w<week>]*
 *                      (dropout_before_week blank when the patient never dropped out; a value
 *                      blank when not observed, i.e. at a visit from that week on).
 * The rows are also checked for consistency: blanks exactly where the dropout week says,
 * binary values 0/1, a derived end point agreeing with its source's threshold.
 *
 * Tolerances. Binary analyses are recomputed from exact counts, so everything must agree
 * exactly (the mean difference to 1e-12, far below its printed precision, while the run sums
 * differences in fixed point with a step of 2^-48). Continuous values are printed with %.10g,
 * so a recomputed mean is off by at most 5e-10 of the mean absolute value, and a test
 * statistic by a relative ~1e-9: a trial whose recomputed p lies within a relative 1e-6 of the
 * decision threshold alpha (1 - 1e-7) is counted as borderline (as is a Wilcoxon sample with a
 * tie, which rounding could have created), and only the borderline trials may decide
 * differently; their number is printed (with T = 40 there are normally none). The mean
 * difference of a continuous analysis must agree to 2e-9 times the mean over trials of the
 * data's scale (mean |value| of the patients compared, plus |slope| x mean |baseline| for
 * ANCOVA): twice the bound of the printing error.
 *
 * Usage: test_cohort TRIALSIM SCENARIO, or TRIALSIM --rules / --rules-single-arm for the two
 * built-in scenarios below. Registered on shipped scenarios of the latent model, on one
 * sampled per cell (whose patient rows are rebuilt from the counts) and on the built-ins.
 * Only decisions, counts and means reach summary.json, so a change that moves p-values a
 * little (a continuity correction, say) shows only when some p crosses an alpha: the
 * built-in scenario repeats one Wilcoxon analysis at alpha 0.3, 0.6 and 0.9 for that.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stats/ancova.h"
#include "check.h"
#include "stats/contest.h"
#include "stats/logistic.h"
#include "stats/ranktest.h"
#include "run/runner.h"
#include "stats/stattest.h"

#define T 40
#define SEED 99
#define MAXLINE 65536
#define BORDER_REL 1e-6 /* relative distance of p from the decision threshold: borderline */

/* One cohort, whichever format it came in. A value is addressed by (end point, own visit). */
typedef struct cohort {
  int n, cap;
  int *site, *arm, *dev;
  unsigned *sub;       /* subgroup membership bits */
  double *gone;        /* week of the first visit missed (dropout before it); INFINITY: none */
  double *val;         /* [n][nmeas], NaN = blank */
  double *base;        /* [n][nendpoints], NaN = none */
} cohort;

static int nmeas, meas[TSIM_MAX_ENDPOINTS][TSIM_MAX_VISITS];
static cohort co;

/* Built-in scenarios (--rules, --rules-single-arm): the shipped ones use only some of the
 * population rules, so these two exercise every one of them on the latent model - LOCF over
 * four visits (the latest earlier assessment, not the first), per-protocol at an earlier visit,
 * subgroups, prespecified and data-driven site exclusion together, CMH and logistic stratified
 * by site, one-sided tests of every kind, ANCOVA, Wilcoxon, a derived end point, a harm,
 * outcome-dependent dropout (so the two hypotheses have different dropouts), an anomaly, three
 * arms, and a single arm against p0. Written to a temporary file for the run and the cohorts. */
static const char *const rules_json[] = {
    "{",
    " \"name\": \"cohort_rules\",",
    " \"description\": \"test_cohort.c: every population rule of the latent model, three arms\",",
    " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e1\"}, {\"id\": \"e2\", \"allocation\": 2}],",
    " \"sample_size\": 120,",
    " \"randomization\": {\"method\": \"block\", \"block_size\": 4, \"stratify_by_site\": true},",
    " \"sites\": {\"count\": 4, \"heterogeneity_sd\": 0.5,",
    "           \"anomalies\": [{\"sites\": [3], \"arm\": \"c\", \"response\": 0.95}]},",
    " \"visits\": [4, 8, 12, 16],",
    " \"visit_correlation\": 0.6,",
    " \"subgroups\": [{\"id\": \"g\", \"prevalence\": 0.4}, {\"id\": \"h\", \"prevalence\": 0.7}],",
    " \"endpoints\": [",
    "  {\"id\": \"r\", \"type\": \"binary\",",
    "   \"response\": {\"c\": [0.3, 0.35, 0.4, 0.4], \"e1\": [0.4, 0.5, 0.6, 0.65], \"e2\": [0.35, 0.45, 0.5, 0.55]}},",
    "  {\"id\": \"y\", \"type\": \"continuous\",",
    "   \"mean\": {\"c\": [0, -0.5, -1, -1], \"e1\": [-0.5, -1.5, -2.5, -3], \"e2\": [0, -1, -1.5, -2]},",
    "   \"sd\": {\"c\": 3, \"e1\": 3, \"e2\": 4}, \"higher_is_better\": false,",
    "   \"baseline\": {\"mean\": 10, \"sd\": 2, \"correlation\": 0.5}},",
    "  {\"id\": \"yr\", \"type\": \"binary\", \"from\": {\"endpoint\": \"y\", \"at_most\": -2}},",
    "  {\"id\": \"harm\", \"type\": \"binary\", \"response\": {\"c\": 0.2, \"e1\": 0.1, \"e2\": 0.3}, \"visits\": [8, 16],",
    "   \"higher_is_better\": false}",
    " ],",
    " \"correlation\": [{\"endpoints\": [\"r\", \"y\"], \"rho\": -0.5}],",
    " \"dropout\": {\"c\": [0.05, 0.1, 0.2, 0.3], \"e1\": [0.05, 0.15, 0.25, 0.3], \"e2\": 0.3},",
    " \"deviation\": {\"c\": 0.1, \"e1\": 0.15, \"e2\": 0.2},",
    " \"dropout_mnar\": {\"endpoint\": \"r\", \"ratio\": 2},",
    " \"analyses\": [",
    "  {\"id\": \"r_nri_pearson\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"non_responder\", \"test\": \"pearson\"},",
    "  {\"id\": \"r_locf_n1\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"locf\", \"test\": \"n1_chisq\"},",
    "  {\"id\": \"r_locf_w12_yates\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"locf\", \"visit\": 12, \"test\": \"yates\"},",
    "  {\"id\": \"r_exclude_w8_fisher1\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"exclude\", \"visit\": 8,",
    "   \"test\": \"fisher\", \"sided\": 1},",
    "  {\"id\": \"r_pp_cmh\", \"endpoint\": \"r\", \"population\": \"per_protocol\", \"test\": \"cmh\"},",
    "  {\"id\": \"r_pp_cmh1_excl\", \"endpoint\": \"r\", \"population\": \"per_protocol\", \"test\": \"cmh\", \"sided\": 1,",
    "   \"exclude_sites\": [0]},",
    "  {\"id\": \"r_exclude_logistic_g\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"exclude\",",
    "   \"test\": \"logistic\", \"subgroup\": \"g\"},",
    "  {\"id\": \"r_locf_logistic1\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"locf\", \"test\": \"logistic\",",
    "   \"sided\": 1},",
    "  {\"id\": \"r_pp_where\", \"endpoint\": \"r\", \"population\": \"per_protocol\", \"test\": \"pearson\",",
    "   \"exclude_sites_where\": {\"arm\": \"c\", \"response_at_least\": 0.5, \"min_patients\": 2}},",
    "  {\"id\": \"r_nri_where_excl\", \"endpoint\": \"r\", \"population\": \"itt\", \"missing\": \"non_responder\",",
    "   \"test\": \"fisher\", \"exclude_sites\": [1],",
    "   \"exclude_sites_where\": {\"arm\": \"e1\", \"response_at_least\": 0.6, \"min_patients\": 3}},",
    "  {\"id\": \"yr_locf_fisher_h\", \"endpoint\": \"yr\", \"population\": \"itt\", \"missing\": \"locf\", \"test\": \"fisher\",",
    "   \"subgroup\": \"h\"},",
    "  {\"id\": \"yr_pp_w8_pearson1\", \"endpoint\": \"yr\", \"population\": \"per_protocol\", \"visit\": 8,",
    "   \"test\": \"pearson\", \"sided\": 1},",
    "  {\"id\": \"harm_nri_fisher\", \"endpoint\": \"harm\", \"population\": \"itt\", \"missing\": \"non_responder\",",
    "   \"test\": \"fisher\", \"alpha\": 0.1},",
    "  {\"id\": \"harm_locf_pearson1\", \"endpoint\": \"harm\", \"population\": \"itt\", \"missing\": \"locf\",",
    "   \"test\": \"pearson\", \"sided\": 1},",
    "  {\"id\": \"y_exclude_welch\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"welch_t\"},",
    "  {\"id\": \"y_locf_student\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"locf\", \"test\": \"student_t\"},",
    "  {\"id\": \"y_pp_w8_wilcoxon1\", \"endpoint\": \"y\", \"population\": \"per_protocol\", \"visit\": 8,",
    "   \"test\": \"wilcoxon\", \"sided\": 1},",
    "  {\"id\": \"y_locf_ancova1_g\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"locf\", \"test\": \"ancova\",",
    "   \"sided\": 1, \"subgroup\": \"g\"},",
    "  {\"id\": \"y_pp_ancova_excl\", \"endpoint\": \"y\", \"population\": \"per_protocol\", \"test\": \"ancova\",",
    "   \"exclude_sites\": [2]},",
    "  {\"id\": \"y_exclude_w4_wilcoxon\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"exclude\", \"visit\": 4,",
    "   \"test\": \"wilcoxon\"},",
    "  {\"id\": \"y_exclude_wilcoxon_a30\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"exclude\",",
    "   \"test\": \"wilcoxon\", \"alpha\": 0.3},",
    "  {\"id\": \"y_exclude_wilcoxon_a60\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"exclude\",",
    "   \"test\": \"wilcoxon\", \"alpha\": 0.6},",
    "  {\"id\": \"y_exclude_wilcoxon_a90\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"exclude\",",
    "   \"test\": \"wilcoxon\", \"alpha\": 0.9}",
    " ],",
    " \"alpha\": 0.05,",
    " \"trials\": 1000,",
    " \"seed\": 5",
    "}",
    NULL};

static const char *const rules_single_arm_json[] = {
    "{",
    " \"name\": \"cohort_rules_single_arm\",",
    " \"description\": \"test_cohort.c: every population rule of the latent model, one arm\",",
    " \"arms\": [{\"id\": \"t\"}],",
    " \"sample_size\": 50,",
    " \"randomization\": {\"method\": \"fixed\"},",
    " \"sites\": {\"count\": 3, \"heterogeneity_sd\": 0.4},",
    " \"visits\": [2, 4, 6, 8],",
    " \"visit_correlation\": 0.7,",
    " \"subgroups\": [{\"id\": \"g\", \"prevalence\": 0.5}],",
    " \"endpoints\": [",
    "  {\"id\": \"s\", \"type\": \"binary\", \"response\": {\"t\": [0.4, 0.5, 0.6, 0.7]}, \"p0\": 0.45},",
    "  {\"id\": \"a\", \"type\": \"binary\", \"response\": {\"t\": 0.15}, \"p0\": 0.05, \"visits\": [4, 8],",
    "   \"higher_is_better\": false}",
    " ],",
    " \"dropout\": {\"t\": [0.05, 0.15, 0.25, 0.35]},",
    " \"deviation\": {\"t\": 0.2},",
    " \"dropout_mnar\": {\"endpoint\": \"s\", \"ratio\": 1.5},",
    " \"analyses\": [",
    "  {\"id\": \"s_nri\", \"endpoint\": \"s\", \"population\": \"itt\", \"missing\": \"non_responder\", \"test\": \"binomial_exact\"},",
    "  {\"id\": \"s_locf\", \"endpoint\": \"s\", \"population\": \"itt\", \"missing\": \"locf\", \"test\": \"binomial_exact\"},",
    "  {\"id\": \"s_locf_w6_1\", \"endpoint\": \"s\", \"population\": \"itt\", \"missing\": \"locf\", \"visit\": 6,",
    "   \"test\": \"binomial_exact\", \"sided\": 1},",
    "  {\"id\": \"s_pp_w4_1\", \"endpoint\": \"s\", \"population\": \"per_protocol\", \"visit\": 4, \"test\": \"binomial_exact\",",
    "   \"sided\": 1},",
    "  {\"id\": \"s_exclude_g\", \"endpoint\": \"s\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"binomial_exact\",",
    "   \"subgroup\": \"g\"},",
    "  {\"id\": \"s_pp_where_excl\", \"endpoint\": \"s\", \"population\": \"per_protocol\", \"test\": \"binomial_exact\",",
    "   \"exclude_sites\": [2], \"exclude_sites_where\": {\"arm\": \"t\", \"response_at_least\": 0.8, \"min_patients\": 2}},",
    "  {\"id\": \"a_nri_1\", \"endpoint\": \"a\", \"population\": \"itt\", \"missing\": \"non_responder\", \"test\": \"binomial_exact\",",
    "   \"sided\": 1, \"alpha\": 0.1},",
    "  {\"id\": \"a_locf\", \"endpoint\": \"a\", \"population\": \"itt\", \"missing\": \"locf\", \"test\": \"binomial_exact\"}",
    " ],",
    " \"alpha\": 0.05,",
    " \"trials\": 1000,",
    " \"seed\": 6",
    "}",
    NULL};

static int arm_index(const tsim_scenario *sc, const char *id) {
  for (int a = 0; a < sc->narms; a++)
    if (strcmp(sc->arms[a].id, id) == 0) return a;
  return -1;
}

/* The week of own visit v of end point e (0 for a scenario without visits). */
static double week_of(const tsim_scenario *sc, int e, int v) {
  return sc->visit_week[sc->endpoints[e].visits[v]];
}

/* Was patient j assessed at own visit v of end point e? Patients who drop out before week W
 * are observed at every visit before W and at none from W on. */
static int observed(const tsim_scenario *sc, int j, int e, int v) {
  return week_of(sc, e, v) < co.gone[j];
}

static double *valp(int j, int e, int v) { return &co.val[(size_t)j * (size_t)nmeas + (size_t)meas[e][v]]; }

static int grow(const tsim_scenario *sc, int need) {
  if (need <= co.cap) return 0;
  int cap = need * 2;
  co.site = realloc(co.site, (size_t)cap * sizeof *co.site);
  co.arm = realloc(co.arm, (size_t)cap * sizeof *co.arm);
  co.dev = realloc(co.dev, (size_t)cap * sizeof *co.dev);
  co.sub = realloc(co.sub, (size_t)cap * sizeof *co.sub);
  co.gone = realloc(co.gone, (size_t)cap * sizeof *co.gone);
  co.val = realloc(co.val, (size_t)cap * (size_t)nmeas * sizeof *co.val);
  co.base = realloc(co.base, (size_t)cap * (size_t)sc->nendpoints * sizeof *co.base);
  if (!co.site || !co.arm || !co.dev || !co.sub || !co.gone || !co.val || !co.base) return -1;
  co.cap = cap;
  return 0;
}

/* Splits line (modified) at commas into at most max fields; returns how many. */
static int split(char *line, char **f, int max) {
  line[strcspn(line, "\r\n")] = '\0';
  int n = 0;
  for (char *p = line; n < max;) {
    f[n++] = p;
    char *c = strchr(p, ',');
    if (!c) break;
    *c = '\0';
    p = c + 1;
  }
  return n;
}

/* A numeric field: NaN when blank; 1 on success, 0 when not a number. */
static int num(const char *s, double *v) {
  if (!*s) { *v = NAN; return 1; }
  char *end;
  *v = strtod(s, &end);
  return *end == '\0' && isfinite(*v);
}

static int find_col(char **names, int ncol, const char *name) {
  for (int c = 0; c < ncol; c++)
    if (strcmp(names[c], name) == 0) return c;
  return -1;
}

enum { FMT_CELL = 0, FMT_LATENT = 1 };

/* Reads the CSV of one cohort into co; returns the number of patients or -1. *fmt gets the
 * format of the header. */
static int read_cohort(const tsim_scenario *sc, const char *exe, int k, int null_twin, int *fmt) {
  static char header[MAXLINE], line[MAXLINE];
  static char *names[1024], *f[1024];
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' cohort '%s' --trial %d --seed %d %s", exe, sc->file, k, SEED,
           null_twin ? "--null" : "");
  FILE *pf = popen(cmd, "r");
  if (!pf) return -1;
  int n = 0, bad = 0;
  if (!fgets(header, sizeof header, pf)) { pclose(pf); return -1; }
  int ncol = split(header, names, 1024);
  /* Column of every (end point, own visit) value, baseline and subgroup. */
  int col_val[TSIM_MAX_ENDPOINTS][TSIM_MAX_VISITS], col_base[TSIM_MAX_ENDPOINTS];
  int col_sub[TSIM_MAX_SUBGROUPS];
  char name[2 * TSIM_ID_MAX + 32];
  *fmt = ncol > 5 && strcmp(names[5], "dropout_before_week") == 0 ? FMT_LATENT : FMT_CELL;
  static const char *const fixed[] = {"trial", "hypothesis", "patient", "site", "arm", NULL, "deviation"};
  for (int c = 0; c < 7; c++)
    if (c == 5 ? strcmp(names[5], *fmt ? "dropout_before_week" : "dropout") != 0
               : c >= ncol || strcmp(names[c], fixed[c]) != 0) {
      fprintf(stderr, "cohort --trial %d: unexpected header column %d '%s'\n", k, c, c < ncol ? names[c] : "");
      bad = 1;
    }
  for (int e = 0; e < sc->nendpoints; e++) {
    const tsim_endpoint *ep = &sc->endpoints[e];
    col_base[e] = -1;
    if (*fmt == FMT_LATENT && ep->has_baseline) {
      snprintf(name, sizeof name, "%s_baseline", ep->id);
      if ((col_base[e] = find_col(names, ncol, name)) < 0) bad = 1;
    }
    for (int v = 0; v < ep->nvisits; v++) {
      if (*fmt == FMT_CELL) snprintf(name, sizeof name, "response_%s", ep->id);
      else if (sc->visit_week[0] > 0) snprintf(name, sizeof name, "%s_w%g", ep->id, week_of(sc, e, v));
      else snprintf(name, sizeof name, "%s", ep->id);
      if ((col_val[e][v] = find_col(names, ncol, name)) < 0) {
        fprintf(stderr, "cohort --trial %d: no column %s\n", k, name);
        bad = 1;
      }
    }
  }
  for (int g = 0; g < sc->nsubgroups; g++) {
    snprintf(name, sizeof name, "subgroup_%s", sc->subgroups[g].id);
    if ((col_sub[g] = find_col(names, ncol, name)) < 0) bad = 1;
  }
  if (bad) { pclose(pf); return -1; }
  const char *hyp = null_twin ? "null" : "alternative";
  while (!bad && fgets(line, sizeof line, pf)) {
    if (grow(sc, n + 1) != 0) { bad = 1; break; }
    int nf = split(line, f, 1024);
    double x;
    if (nf != ncol || atoi(f[0]) != k || strcmp(f[1], hyp) != 0 || atoi(f[2]) != n) {
      fprintf(stderr, "cohort --trial %d: row %d has %d fields or the wrong trial/hypothesis/patient\n", k, n, nf);
      bad = 1;
      break;
    }
    co.site[n] = atoi(f[3]);
    co.arm[n] = arm_index(sc, f[4]);
    if (co.site[n] < 0 || co.site[n] >= sc->nsites || co.arm[n] < 0) {
      fprintf(stderr, "cohort --trial %d: row %d has site %s, arm %s\n", k, n, f[3], f[4]);
      bad = 1;
      break;
    }
    /* Dropout. */
    if (!num(f[5], &x)) bad = 1;
    if (*fmt == FMT_CELL) {
      if (x != 0 && x != 1) bad = 1;
      co.gone[n] = x == 1 ? -INFINITY : INFINITY; /* a dropout is assessed at no visit */
    } else {
      int known = isnan(x);
      for (int v = 0; v < sc->nvisits; v++) known |= x == sc->visit_week[v];
      if (!known) bad = 1;
      co.gone[n] = isnan(x) ? INFINITY : x;
    }
    /* Deviation: blank for a dropout in the cell format. */
    if (!num(f[6], &x)) bad = 1;
    if (*fmt == FMT_CELL && co.gone[n] < 0 && !isnan(x)) {
      fprintf(stderr, "cohort --trial %d: dropout %d has a deviation\n", k, n);
      bad = 1;
    }
    if (isnan(x)) x = 0;
    if (x != 0 && x != 1) bad = 1;
    co.dev[n] = x == 1;
    co.sub[n] = 0;
    for (int g = 0; g < sc->nsubgroups; g++) {
      if (!num(f[col_sub[g]], &x) || (x != 0 && x != 1)) bad = 1;
      co.sub[n] |= (unsigned)(x == 1) << g;
    }
    for (int e = 0; e < sc->nendpoints; e++) {
      const tsim_endpoint *ep = &sc->endpoints[e];
      double *b = &co.base[(size_t)n * (size_t)sc->nendpoints + (size_t)e];
      *b = NAN;
      if (col_base[e] >= 0 && (!num(f[col_base[e]], b) || isnan(*b))) {
        fprintf(stderr, "cohort --trial %d: patient %d has no baseline %s\n", k, n, ep->id);
        bad = 1;
      }
      for (int v = 0; v < ep->nvisits; v++) {
        double *y = valp(n, e, v);
        if (!num(f[col_val[e][v]], y)) bad = 1;
        if (isnan(*y) == observed(sc, n, e, v)) {
          fprintf(stderr, "cohort --trial %d: patient %d, %s visit %d: %s, but %s\n", k, n, ep->id,
                  v, isnan(*y) ? "blank" : "a value", observed(sc, n, e, v) ? "observed" : "not observed");
          bad = 1;
        }
        if (ep->type == TSIM_EP_BINARY && !isnan(*y) && *y != 0 && *y != 1) bad = 1;
      }
    }
    /* A derived end point follows its source's threshold, patient by patient. */
    for (int e = 0; e < sc->nendpoints; e++) {
      const tsim_endpoint *ep = &sc->endpoints[e];
      for (int v = 0; ep->source >= 0 && v < ep->nvisits; v++) {
        double y = *valp(n, e, v), s = *valp(n, ep->source, v);
        if (isnan(y) || isnan(s) || fabs(s - ep->threshold) < 1e-8 * (1 + fabs(ep->threshold))) continue;
        if (y != (double)(ep->at_least ? s >= ep->threshold : s <= ep->threshold)) {
          fprintf(stderr, "cohort --trial %d: patient %d: %s = %g but %s = %.10g\n", k, n, ep->id, y,
                  sc->endpoints[ep->source].id, s);
          bad = 1;
        }
      }
    }
    if (bad) fprintf(stderr, "cohort --trial %d: bad row %d\n", k, n);
    n++;
  }
  int rc = pclose(pf);
  co.n = n;
  return rc == 0 && !bad ? n : -1;
}

/* The value patient j contributes to analysis an (1, *v set), or 0 when it is not analysed -
 * the populations of scenarios/README.md:
 *   per_protocol          assessed at the analysis's visit and without a major deviation;
 *   itt + exclude         assessed at the visit;
 *   itt + non_responder   everyone; not assessed counts as 0 (non-responder / no event);
 *   itt + locf            assessed at the visit, or else the end point's latest earlier
 *                         assessment; never assessed before: left out;
 * and a subgroup keeps only its members. */
static int value_of(const tsim_scenario *sc, const tsim_analysis *an, int j, double *v) {
  int e = an->endpoint;
  if (an->subgroup >= 0 && !((co.sub[j] >> an->subgroup) & 1u)) return 0;
  if (an->population == TSIM_POP_PER_PROTOCOL) {
    if (co.dev[j] || !observed(sc, j, e, an->visit)) return 0;
    *v = *valp(j, e, an->visit);
    return 1;
  }
  if (observed(sc, j, e, an->visit)) {
    *v = *valp(j, e, an->visit);
    return 1;
  }
  if (an->missing == TSIM_MISSING_NON_RESPONDER) {
    *v = 0;
    return 1;
  }
  if (an->missing == TSIM_MISSING_LOCF) {
    int last = -1;
    for (int u = 0; u < an->visit; u++)
      if (observed(sc, j, e, u)) last = u;
    if (last >= 0) {
      *v = *valp(j, e, last);
      return 1;
    }
  }
  return 0;
}

typedef struct sums {
  long long reject, favour, n0, n1, dropped, defined, border;
  double diff, scale; /* scale: sum over defined trials of the data's scale (continuous) */
} sums;

static int ncmp;
static int cmp_arm[TSIM_MAX_ARMS];
static long long *sx, *sn;                   /* [nsites][narms] */
static long long *s0x, *s0n, *s1x, *s1n;     /* kept strata */
static unsigned char *gone_site;
static tsim_logit_ws *lws;
static tsim_rank_ws *rws;
static tsim_ancova_ws *aws;
static double *ys0, *ys1, *bs0, *bs1; /* the two arms' values and baselines */

static double one_sided(double p2, double dir, int higher_is_better) {
  if (isnan(p2) || isnan(dir)) return NAN;
  return (higher_is_better ? dir > 0 : dir < 0) ? p2 / 2 : 1 - p2 / 2;
}

static int borderline(double p, double alpha) {
  return !isnan(p) && fabs(p - alpha * (1 - TSIM_REL_TIE)) <= BORDER_REL * alpha;
}

/* One comparison of one trial into its sums: the decision on p at alpha, whether a rejection
 * favours the experimental arm (diff in the end point's better direction), the patients and
 * sites, and the difference where the comparison is defined. */
static void tally(sums *a, double p, double alpha, double diff, int higher_is_better,
                  int defined, long long n0, long long n1, int dropped) {
  int reject = tsim_reject(p, alpha);
  a->reject += reject;
  a->favour += reject && (higher_is_better ? diff > 0 : diff < 0);
  a->n0 += n0;
  a->n1 += n1;
  a->dropped += dropped;
  if (defined) {
    a->defined++;
    a->diff += diff;
  }
}

static void binary(const tsim_scenario *sc, const tsim_analysis *an, sums *acc) {
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  int ns = sc->nsites, na = sc->narms;
  memset(sx, 0, (size_t)ns * (size_t)na * sizeof *sx);
  memset(sn, 0, (size_t)ns * (size_t)na * sizeof *sn);
  for (int j = 0; j < co.n; j++) {
    double v;
    if (!value_of(sc, an, j, &v)) continue;
    sn[co.site[j] * na + co.arm[j]]++;
    sx[co.site[j] * na + co.arm[j]] += v == 1;
  }
  /* Sites removed: prespecified, then the data-driven rule on the rule's arm in this
   * analysis's own population (x >= rate n - 1e-9 n, n >= min_patients). */
  int dropped = 0;
  for (int s = 0; s < ns; s++) {
    gone_site[s] = an->exclude && an->exclude[s];
    if (!gone_site[s] && an->has_where) {
      long long x = sx[s * na + an->where_arm], n = sn[s * na + an->where_arm];
      gone_site[s] = n >= an->where_min && (double)x >= an->where_rate * (double)n - 1e-9 * (double)n;
    }
    dropped += gone_site[s];
  }
  for (int c = 0; c < ncmp; c++) {
    int arm = cmp_arm[c];
    long long x0 = 0, n0 = 0, x1 = 0, n1 = 0;
    int k = 0;
    for (int s = 0; s < ns; s++) {
      if (gone_site[s]) continue;
      if (!sc->single_arm) {
        x0 += s0x[k] = sx[s * na + sc->control];
        n0 += s0n[k] = sn[s * na + sc->control];
      }
      x1 += s1x[k] = sx[s * na + arm];
      n1 += s1n[k] = sn[s * na + arm];
      k++;
    }
    int hib = ep->higher_is_better, defined;
    double diff, p = NAN, dir;
    if (sc->single_arm) {
      defined = n1 > 0;
      diff = defined ? (double)x1 / (double)n1 - ep->p0 : NAN;
    } else {
      defined = n0 > 0 && n1 > 0;
      diff = defined ? (double)x1 / (double)n1 - (double)x0 / (double)n0 : NAN;
    }
    dir = diff;
    switch (an->test) {
      case TSIM_TEST_BINOMIAL_EXACT:
        p = an->sided == 1 ? tsim_binomial_one_sided_p(x1, n1, ep->p0, hib) : tsim_binomial_exact_p(x1, n1, ep->p0);
        break;
      case TSIM_TEST_CMH:
        if (k) p = tsim_cmh_p(s0x, s0n, s1x, s1n, k, NULL);
        dir = 0; /* observed - expected experimental responders, summed over strata */
        for (int i = 0; i < k; i++)
          if (s0n[i] + s1n[i] > 0)
            dir += (double)s1x[i] - (double)s1n[i] * (double)(s0x[i] + s1x[i]) / (double)(s0n[i] + s1n[i]);
        if (an->sided == 1) p = one_sided(p, dir, hib);
        break;
      case TSIM_TEST_LOGISTIC: {
        tsim_logit_fit fit;
        fit.est = NAN;
        if (k) p = tsim_logistic(lws, s0x, s0n, s1x, s1n, k, 0.95, &fit);
        if (an->sided == 1) p = one_sided(p, fit.est, hib);
        break;
      }
      default: { /* a test on one 2x2 table: the catalogue's p and one-sided rule */
        const tsim_test_info *ti = tsim_test_info_of(an->test);
        if (an->sided == 1 && ti->one == TSIM_ONE_TAIL) {
          p = ti->tail(x0, n0, x1, n1, hib);
        } else {
          p = ti->p(x0, n0, x1, n1, NULL);
          if (an->sided == 1) p = one_sided(p, diff, hib);
        }
      }
    }
    tally(&acc[c], p, an->alpha, diff, hib, defined, n0, n1, dropped);
  }
}

static void mean_sd(const double *x, long long n, double *mean, double *sd, double *mabs) {
  double s = 0, ss = 0, sa = 0;
  for (long long i = 0; i < n; i++) s += x[i], sa += fabs(x[i]);
  *mean = n > 0 ? s / (double)n : NAN;
  *mabs = n > 0 ? sa / (double)n : 0;
  for (long long i = 0; i < n; i++) ss += (x[i] - *mean) * (x[i] - *mean);
  *sd = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Two equal values among the samples compared (rounding to 10 digits could have tied them). */
static int has_tie(long long n0, long long n1) {
  long long n = n0 + n1;
  double *all = malloc((size_t)(n > 0 ? n : 1) * sizeof *all);
  if (!all) return 1;
  memcpy(all, ys0, (size_t)n0 * sizeof *all);
  memcpy(all + n0, ys1, (size_t)n1 * sizeof *all);
  qsort(all, (size_t)n, sizeof *all, cmp_double);
  int tie = 0;
  for (long long i = 1; i < n; i++) tie |= all[i] == all[i - 1];
  free(all);
  return tie;
}

static void continuous(const tsim_scenario *sc, const tsim_analysis *an, sums *acc) {
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  int dropped = 0, hib = ep->higher_is_better;
  for (int s = 0; s < sc->nsites; s++) dropped += an->exclude && an->exclude[s];
  for (int c = 0; c < ncmp; c++) {
    int arm = cmp_arm[c];
    long long n0 = 0, n1 = 0;
    for (int j = 0; j < co.n; j++) {
      double v;
      if ((an->exclude && an->exclude[co.site[j]]) || !value_of(sc, an, j, &v)) continue;
      double b = co.base[(size_t)j * (size_t)sc->nendpoints + (size_t)an->endpoint];
      if (co.arm[j] == sc->control) ys0[n0] = v, bs0[n0++] = b;
      else if (co.arm[j] == arm) ys1[n1] = v, bs1[n1++] = b;
    }
    double m0, sd0, a0, m1, sd1, a1, p = NAN, stat = NAN, slope = 0;
    mean_sd(ys0, n0, &m0, &sd0, &a0);
    mean_sd(ys1, n1, &m1, &sd1, &a1);
    double diff = m1 - m0, dir = diff;
    int border = 0;
    switch (an->test) {
      case TSIM_TEST_WELCH_T:
        p = tsim_welch_t((tsim_arm_summary){m0, sd0, n0}, (tsim_arm_summary){m1, sd1, n1}, 0.95, NULL);
        break;
      case TSIM_TEST_STUDENT_T:
        p = tsim_student_t((tsim_arm_summary){m0, sd0, n0}, (tsim_arm_summary){m1, sd1, n1}, 0.95, NULL);
        break;
      case TSIM_TEST_WILCOXON:
        p = tsim_wilcoxon(rws, ys0, (size_t)n0, ys1, (size_t)n1, 1, &stat, NULL);
        dir = stat - (double)n0 * (double)n1 / 2;
        border = has_tie(n0, n1);
        break;
      case TSIM_TEST_ANCOVA: {
        tsim_ancova_fit fit;
        p = tsim_ancova(aws, (tsim_ancova_arm){ys0, bs0, (size_t)n0},
                        (tsim_ancova_arm){ys1, bs1, (size_t)n1}, 0.95, &fit);
        if (!isnan(fit.diff)) {
          dir = diff = fit.diff;
          double bm0, bsd0, ba0, bm1, bsd1, ba1;
          mean_sd(bs0, n0, &bm0, &bsd0, &ba0);
          mean_sd(bs1, n1, &bm1, &bsd1, &ba1);
          slope = fabs(fit.slope) * (ba0 + ba1) / 2;
        }
        break;
      }
      default: break;
    }
    if (an->sided == 1) p = one_sided(p, dir, hib);
    border = border || borderline(p, an->alpha);
    int defined = n0 > 0 && n1 > 0;
    sums *a = &acc[c];
    tally(a, p, an->alpha, diff, hib, defined, n0, n1, dropped);
    a->border += border;
    if (defined) a->scale += (a0 + a1) / 2 + slope;
  }
}

static int setup(const tsim_scenario *sc) {
  ncmp = 0;
  for (int a = 0; a < sc->narms; a++)
    if (sc->single_arm || a != sc->control) cmp_arm[ncmp++] = a;
  size_t cells = (size_t)sc->nsites * (size_t)sc->narms, n = (size_t)sc->sample_size;
  sx = calloc(cells, sizeof *sx);
  sn = calloc(cells, sizeof *sn);
  s0x = calloc((size_t)sc->nsites, sizeof *s0x);
  s0n = calloc((size_t)sc->nsites, sizeof *s0n);
  s1x = calloc((size_t)sc->nsites, sizeof *s1x);
  s1n = calloc((size_t)sc->nsites, sizeof *s1n);
  gone_site = calloc((size_t)sc->nsites, 1);
  ys0 = calloc(n, sizeof *ys0);
  ys1 = calloc(n, sizeof *ys1);
  bs0 = calloc(n, sizeof *bs0);
  bs1 = calloc(n, sizeof *bs1);
  lws = tsim_logit_ws_new(sc->nsites);
  rws = tsim_rank_ws_new(n);
  aws = tsim_ancova_ws_new(n < 4 ? 4 : n);
  nmeas = 0;
  for (int e = 0; e < sc->nendpoints; e++)
    for (int v = 0; v < sc->endpoints[e].nvisits; v++) meas[e][v] = nmeas++;
  return sx && sn && s0x && s0n && s1x && s1n && gone_site && ys0 && ys1 && bs0 && bs1 && lws && rws && aws ? 0 : -1;
}

static void teardown(void) {
  free(sx), free(sn), free(s0x), free(s0n), free(s1x), free(s1n), free(gone_site);
  free(ys0), free(ys1), free(bs0), free(bs1);
  tsim_logit_ws_free(lws);
  tsim_rank_ws_free(rws);
  tsim_ancova_ws_free(aws);
  free(co.site), free(co.arm), free(co.dev), free(co.sub), free(co.gone), free(co.val), free(co.base);
}

static const cJSON *item(const cJSON *o, const char *a, const char *b, const char *c) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
  if (b) v = cJSON_GetObjectItemCaseSensitive(v, b);
  if (c) v = cJSON_GetObjectItemCaseSensitive(v, c);
  return v;
}

static double get_num(const cJSON *o, const char *a, const char *b, const char *c) {
  const cJSON *v = item(o, a, b, c);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static cJSON *run_summary(const tsim_scenario *sc, const char *exe) {
  char cmd[4096];
  char dir[64];
  snprintf(dir, sizeof dir, "/tmp/tsim_test_cohort_%d", (int)getpid());
  snprintf(cmd, sizeof cmd, "'%s' run '%s' --trials %d --seed %d --out %s --quiet", exe, sc->file,
           T, SEED, dir);
  if (system(cmd) != 0) return NULL;
  snprintf(cmd, sizeof cmd, "%s/summary.json", dir);
  cJSON *s = check_load_json(cmd);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  return s;
}

/* Compares comparison c of analysis k under hypothesis h with the run's summary entry a. */
static void compare(const tsim_scenario *sc, const cJSON *a, int k, int c, int h, const sums *s) {
  const tsim_analysis *an = &sc->analyses[k];
  const char *hyp = h ? "null" : "alternative";
  char id[2 * TSIM_ID_MAX + 2];
  if (ncmp > 1) snprintf(id, sizeof id, "%s:%s", an->id, sc->arms[cmp_arm[c]].id);
  else snprintf(id, sizeof id, "%s", an->id);
  int cont = sc->endpoints[an->endpoint].type == TSIM_EP_CONTINUOUS;
  const cJSON *name = item(a, "analysis", NULL, NULL);
  const cJSON *arm = item(a, "arm", NULL, NULL);
  CHECK(cJSON_IsString(name) && strcmp(name->valuestring, an->id) == 0 && cJSON_IsString(arm) &&
            strcmp(arm->valuestring, sc->arms[cmp_arm[c]].id) == 0,
        "summary entry for %s is %s:%s", id, cJSON_IsString(name) ? name->valuestring : "?",
        cJSON_IsString(arm) ? arm->valuestring : "?");
  double got = get_num(a, hyp, "reject", "estimate") * T;
  double fav = get_num(a, hyp, "reject_favouring", "estimate") * T;
  /* Only borderline trials (continuous values rounded in the CSV) may decide differently. */
  CHECK(fabs(got - (double)s->reject) <= (double)s->border + 1e-9,
        "%s %s: run rejected %g times, cohorts %lld (%lld borderline)", id, hyp, got, s->reject, s->border);
  CHECK(fabs(fav - (double)s->favour) <= (double)s->border + 1e-9,
        "%s %s: run rejected favouring the arm %g times, cohorts %lld (%lld borderline)", id, hyp, fav,
        s->favour, s->border);
  double mn = get_num(a, hyp, "mean_n", NULL), m0 = get_num(a, hyp, "mean_n_control", NULL);
  double m1 = get_num(a, hyp, "mean_n_arm", NULL), sd = get_num(a, hyp, "mean_sites_dropped", NULL);
  CHECK(fabs(mn - (double)(s->n0 + s->n1) / T) < 1e-9, "%s %s: run mean N %.12g, cohorts %.12g", id,
        hyp, mn, (double)(s->n0 + s->n1) / T);
  CHECK(fabs(m0 - (double)s->n0 / T) < 1e-9 && fabs(m1 - (double)s->n1 / T) < 1e-9,
        "%s %s: run mean N per arm %.12g + %.12g, cohorts %.12g + %.12g", id, hyp, m0, m1,
        (double)s->n0 / T, (double)s->n1 / T);
  CHECK(fabs(sd - (double)s->dropped / T) < 1e-9, "%s %s: run mean sites dropped %.12g, cohorts %.12g",
        id, hyp, sd, (double)s->dropped / T);
  double def = get_num(a, hyp, "difference", "trials_defined");
  CHECK(def == (double)s->defined, "%s %s: run has %g trials with a difference, cohorts %lld", id, hyp,
        def, s->defined);
  if (s->defined == 0) return;
  double md = get_num(a, hyp, "difference", "mean");
  double want = s->diff / (double)s->defined;
  double tol = cont ? 2e-9 * s->scale / (double)s->defined : 1e-12;
  CHECK(fabs(md - want) <= tol, "%s %s: run mean difference %.15g, cohorts %.15g (tolerance %.3g)", id,
        hyp, md, want, tol);
  if (cont)
    printf("  %-30s %-11s mean difference %.10g, |run - cohorts| %.2g (tolerance %.2g), %lld borderline\n",
           id, hyp, md, fabs(md - want), tol, s->border);
}

/* Writes a built-in scenario to a temporary file; returns its name or NULL. */
static const char *write_builtin(const char *const *text) {
  static char path[64];
  snprintf(path, sizeof path, "/tmp/tsim_test_cohort_%d.json", (int)getpid());
  FILE *f = fopen(path, "w");
  if (!f) return NULL;
  for (int i = 0; text[i]; i++) fprintf(f, "%s\n", text[i]);
  return fclose(f) == 0 ? path : NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: test_cohort TRIALSIM SCENARIO|--rules|--rules-single-arm\n");
    return 2;
  }
  const char *file = argv[2], *tmp = NULL;
  if (strcmp(argv[2], "--rules") == 0 || strcmp(argv[2], "--rules-single-arm") == 0) {
    file = tmp = write_builtin(strcmp(argv[2], "--rules") == 0 ? rules_json : rules_single_arm_json);
    if (!tmp) { fprintf(stderr, "cannot write a temporary scenario\n"); return 2; }
  }
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  tsim_status st = tsim_scenario_load(file, &sc, &d);
  if (st != TSIM_OK) {
    tsim_diag_print(&d, "", stderr);
    tsim_diag_clear(&d);
    if (tmp) remove(tmp);
    return 2;
  }
  CHECK(setup(sc) == 0, "out of memory");
  printf("%s: %s model, sampled per %s\n", tmp ? argv[2] : file, sc->latent ? "latent" : "cell-table",
         tsim_cohort_cell_mode(sc) ? "cell" : "patient");
  cJSON *summary = run_summary(sc, argv[1]);
  CHECK(summary != NULL, "trialsim run failed or wrote no readable summary.json");
  static sums acc[2][TSIM_MAX_ANALYSES * TSIM_MAX_ARMS];
  for (int h = 0; h < 2 && summary; h++)
    for (int t = 0; t < T; t++) {
      int fmt = -1, npat = read_cohort(sc, argv[1], t, h, &fmt);
      CHECK(npat == sc->sample_size, "cohort --trial %d: read %d patients", t, npat);
      if (npat != sc->sample_size) continue;
      CHECK(fmt == (sc->latent ? FMT_LATENT : FMT_CELL), "cohort --trial %d: a %s header for a %s scenario",
            t, fmt == FMT_LATENT ? "latent" : "cell-table", sc->latent ? "latent" : "cell-table");
      for (int k = 0; k < sc->nanalyses; k++) {
        if (sc->endpoints[sc->analyses[k].endpoint].type == TSIM_EP_CONTINUOUS)
          continuous(sc, &sc->analyses[k], &acc[h][k * ncmp]);
        else
          binary(sc, &sc->analyses[k], &acc[h][k * ncmp]);
      }
    }
  const cJSON *arr = cJSON_GetObjectItemCaseSensitive(summary, "analyses");
  CHECK(!summary || cJSON_GetArraySize(arr) == sc->nanalyses * ncmp, "summary has %d comparisons, want %d",
        cJSON_GetArraySize(arr), sc->nanalyses * ncmp);
  long long border = 0;
  for (int k = 0; summary && k < sc->nanalyses; k++)
    for (int c = 0; c < ncmp; c++)
      for (int h = 0; h < 2; h++) {
        compare(sc, cJSON_GetArrayItem(arr, k * ncmp + c), k, c, h, &acc[h][k * ncmp + c]);
        border += acc[h][k * ncmp + c].border;
      }
  printf("%lld borderline trial(s) of %d x 2 hypotheses x %d comparisons\n", border, T, sc->nanalyses * ncmp);
  cJSON_Delete(summary);
  teardown();
  tsim_scenario_free(sc);
  if (tmp) remove(tmp);
  return tsim_check_done();
}
