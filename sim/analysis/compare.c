/* compare.c - one comparison on a table of counts (see compare.h). */
#include "analysis/compare.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/siterule.h"
#include "stats/logistic.h"
#include "stats/nitest.h"
#include "stats/stattest.h"

int tsim_comparison_arm(const tsim_scenario *sc, int j) {
  return tsim_scenario_comparison_arm(sc, j);
}

const char *tsim_comparison_id(const tsim_scenario *sc, int k, char *buf, size_t n) {
  int ncmp = tsim_scenario_ncomparisons(sc);
  const tsim_analysis *an = &sc->analyses[k / ncmp];
  if (ncmp == 1) snprintf(buf, n, "%s", an->id);
  else snprintf(buf, n, "%s:%s", an->id, sc->arms[tsim_comparison_arm(sc, k % ncmp)].id);
  return buf;
}

int tsim_comparison_find(const tsim_scenario *sc, const char *id) {
  int ncomp = sc->nanalyses * tsim_scenario_ncomparisons(sc);
  char buf[2 * TSIM_ID_MAX + 2];
  for (int k = 0; k < ncomp; k++)
    if (strcmp(tsim_comparison_id(sc, k, buf, sizeof buf), id) == 0) return k;
  return -1;
}

double tsim_analysis_nominal(const tsim_scenario *sc, int k, int j) {
  const tsim_analysis *an = &sc->analyses[k];
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  int arm = tsim_comparison_arm(sc, j), v = an->visit;
  if (ep->type == TSIM_EP_CONTINUOUS) return ep->mean_v[v][arm] - ep->mean_v[v][sc->control];
  if (sc->single_arm) return ep->resp_v[v][arm] - ep->p0;
  return ep->resp_v[v][arm] - ep->resp_v[v][sc->control];
}

double tsim_analysis_truth(const tsim_scenario *sc, int k, int j) {
  const tsim_analysis *an = &sc->analyses[k];
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  if (an->hypothesis == TSIM_HYPO_SUPERIORITY || sc->single_arm) return NAN;
  int arm = tsim_comparison_arm(sc, j), v = an->visit, c = sc->control;
  double x0 = ep->type == TSIM_EP_CONTINUOUS ? ep->mean_v[v][c] : ep->resp_v[v][c];
  double x1 = ep->type == TSIM_EP_CONTINUOUS ? ep->mean_v[v][arm] : ep->resp_v[v][arm];
  switch (an->measure) {
  case TSIM_MEAS_RISK_DIFF:
  case TSIM_MEAS_MEAN_DIFF: return x1 - x0;
  case TSIM_MEAS_RISK_RATIO:
  case TSIM_MEAS_MEAN_RATIO: return x1 / x0;
  case TSIM_MEAS_ODDS_RATIO: return x1 * (1 - x0) / (x0 * (1 - x1));
  default: return NAN;
  }
}

double tsim_analysis_diff_bound(const tsim_scenario *sc, int k) {
  int e = sc->analyses[k].endpoint;
  const tsim_endpoint *ep = &sc->endpoints[e];
  if (ep->type != TSIM_EP_CONTINUOUS) return 1;
  double big = 0, sd = 0;
  for (int a = 0; a < sc->narms; a++) {
    for (int v = 0; v < ep->nvisits; v++) big = fmax(big, fabs(ep->mean_v[v][a]));
    sd = fmax(sd, ep->sd[a]);
  }
  for (int i = 0; i < sc->nanomalies; i++)
    if (!isnan(sc->anomalies[i].mean)) big = fmax(big, fabs(sc->anomalies[i].mean));
  /* Intercurrent events' shifts add up on a patient; multiple imputation's delta moves imputed
   * values. */
  double more = fabs(sc->analyses[k].imp_delta);
  for (int i = 0; i < sc->nevents; i++) more += fabs(sc->events[i].shift[e]);
  big += more;
  for (int pass = 0; pass < TSIM_MAX_NULLS && pass < (sc->npasses > 1 ? sc->npasses : 1); pass++)
    for (int a = 0; a < sc->narms; a++) /* the null twins' means (margins) */
      for (int v = 0; v < ep->nvisits; v++) big = fmax(big, fabs(tsim_scenario_null_at(sc, pass, e, v, a)));
  return exp2(ceil(log2(2 * big + 64 * sd * (1 + sc->heterogeneity_sd))));
}

/* Marks the sites analysis k removes in w->mask, from its population's counts per (site, arm);
 * returns how many. */
static int site_mask(tsim_analysis_ws *w, int k, const long long *x, const long long *n) {
  const tsim_site_rule *r = &w->rule[k];
  size_t na = (size_t)w->sc->narms;
  memset(w->mask, 0, (size_t)w->sc->nsites);
  for (int i = 0; i < r->nlisted; i++) w->mask[r->listed[i]] = 1;
  int dropped = r->nlisted;
  for (int i = 0; i < r->ncand; i++) {
    size_t c = (size_t)r->cand[i] * na + (size_t)r->arm;
    if (tsim_site_rule_drops(r, x[c], n[c])) {
      w->mask[r->cand[i]] = 1;
      dropped++;
    }
  }
  return dropped;
}

/* Tests stratified by site over the sites the analysis keeps: Cochran-Mantel-Haenszel (strata
 * with fewer than two patients contribute nothing; stattest.h) or logistic regression with a
 * fixed effect per site (uninformative sites dropped, separation "not estimable"; logistic.h). */
static double stratified_p(tsim_analysis_ws *w, int ak, int j, const long long *x, const long long *n, int arm,
                           double *stat, double *dir, unsigned *cover) {
  /* dir: the direction (dir[0]). The stratified margin test's interval is not computed: only
   * whether it holds each value a tally compares it with (*cover, tsim_outcome.cover). */
  const tsim_analysis *an = &w->sc->analyses[ak];
  const tsim_scenario *sc = w->sc;
  size_t na = (size_t)sc->narms;
  long long *x0 = w->strata, *n0 = x0 + sc->nsites, *x1 = n0 + sc->nsites, *n1 = x1 + sc->nsites;
  int k = 0;
  for (int s = 0; s < sc->nsites; s++) {
    if (w->mask[s]) continue;
    x0[k] = x[(size_t)s * na + (size_t)sc->control];
    n0[k] = n[(size_t)s * na + (size_t)sc->control];
    x1[k] = x[(size_t)s * na + (size_t)arm];
    n1[k] = n[(size_t)s * na + (size_t)arm];
    k++;
  }
  double p = NAN;
  *stat = *dir = NAN;
  if (an->test == TSIM_TEST_MN_STRATIFIED) {
    /* Against the margin: the larger one-sided p of the sides the hypothesis tests; for
     * coverage, whether the interval holds each value a tally compares it with (*cover). */
    int hb = sc->endpoints[an->endpoint].higher_is_better, eq = an->hypothesis == TSIM_HYPO_EQUIVALENCE;
    tsim_ni_measure ms = (tsim_ni_measure)an->measure;
    double s0, s1, p0 = tsim_ni_strat_p(ms, x0, n0, x1, n1, k, an->margin[0], eq ? 1 : hb, &s0);
    p = p0, *stat = s0;
    if (eq) {
      double p1 = tsim_ni_strat_p(ms, x0, n0, x1, n1, k, an->margin[1], 0, &s1);
      p = tsim_ni_tost_p(p0, p1);
      *stat = tsim_ni_tost_side(p0, p1) == 0 ? s0 : s1;
    }
    dir[0] = dir[1] = NAN;
    /* The margins' statistics are those of the tests just made. */
    const double cand[3] = {tsim_analysis_truth(sc, ak, j), an->margin[0], eq ? an->margin[1] : NAN};
    const double z_at[3] = {NAN, s0, eq ? s1 : NAN};
    unsigned in, known = eq ? 6u : 2u;
    *cover = tsim_ni_strat_covers(ms, x0, n0, x1, n1, k, 1 - 2 * an->level, cand, z_at, known, 3, &in) == 0
                 ? TSIM_COVER_SET | in
                 : 0;
  } else if (k && an->test == TSIM_TEST_CMH) {
    p = tsim_cmh_p(x0, n0, x1, n1, k, stat);
    double d = 0; /* the direction: sum of observed - expected experimental responders */
    for (int i = 0; i < k; i++) {
      long long nn = n0[i] + n1[i];
      if (nn >= 2) d += (double)x1[i] - (double)n1[i] * (double)(x0[i] + x1[i]) / (double)nn;
    }
    *dir = d;
  } else if (k) {
    tsim_logit_fit fit;
    p = tsim_logistic(w->logit, x0, n0, x1, n1, k, 0.95, &fit);
    *stat = fit.z;
    *dir = fit.est;
  }
  return p;
}

double tsim__one_sided(double p2, double dir, int higher_is_better) {
  if (isnan(p2) || isnan(dir)) return NAN;
  int favourable = higher_is_better ? dir > 0 : dir < 0;
  return favourable ? p2 / 2 : 1 - p2 / 2;
}

void tsim__margin_decide(const tsim_analysis *an, int higher_better, double p, double lo, double hi,
                         tsim_outcome *o) {
  o->lo = lo;
  o->hi = hi;
  if (an->test == TSIM_TEST_NEWCOMBE) /* an interval's rule: it has no p-value */
    o->reject = tsim_ni_interval_rejects(an->hypothesis == TSIM_HYPO_EQUIVALENCE, higher_better, an->margin[0],
                                         an->margin[1], lo, hi);
  else
    o->reject = tsim_reject(p, an->level);
  /* Rejecting a margin's H0 concludes for the experimental arm: non-inferior, or equivalent. */
  o->favouring = o->reject;
}

/* A binary comparison against analysis an's margin (stats/nitest.h): the one-sided p-value of
 * non-inferiority, or the larger of equivalence's two, decided at an->level; Newcombe's by its
 * interval's bounds. For coverage, the interval (two-sided 1 - 2 level) is kept, or for MN
 * whether it holds the values a tally compares it with (o->cover). */
static void margin_table(tsim_analysis_ws *w, int k, int j, const tsim_analysis *an, int higher_better,
                         tsim_outcome *o) {
  tsim_ni_method m = (tsim_ni_method)tsim_test_ni_method(an->test); /* kind MARGIN: one of them */
  tsim_ni_measure ms = (tsim_ni_measure)an->measure;
  int eq = an->hypothesis == TSIM_HYPO_EQUIVALENCE;
  double p = NAN, stat = NAN, lo = NAN, hi = NAN, s0 = NAN, s1 = NAN;
  if (m != TSIM_NI_NEWCOMBE) {
    if (eq) {
      double p0 = tsim_ni_p(m, ms, o->x0, o->n0, o->x1, o->n1, an->margin[0], 1, &s0);
      double p1 = tsim_ni_p(m, ms, o->x0, o->n0, o->x1, o->n1, an->margin[1], 0, &s1);
      p = tsim_ni_tost_p(p0, p1);
      stat = tsim_ni_tost_side(p0, p1) == 0 ? s0 : s1;
    } else {
      p = tsim_ni_p(m, ms, o->x0, o->n0, o->x1, o->n1, an->margin[0], higher_better, &stat);
      s0 = stat;
    }
  }
  if (m == TSIM_NI_MN) {
    /* Not the interval's bounds, which take about 30 evaluations of z: whether it holds the
     * values a tally compares it with (tsim_outcome.cover); the margins' z are the tests'. */
    const double cand[3] = {tsim_analysis_truth(w->sc, k, j), an->margin[0], eq ? an->margin[1] : NAN};
    const double z_at[3] = {NAN, s0, s1};
    unsigned in;
    o->cover = tsim_ni_mn_covers(ms, o->x0, o->n0, o->x1, o->n1, 1 - 2 * an->level, cand, z_at, eq ? 6u : 2u, 3,
                                 &in) == 0
                   ? TSIM_COVER_SET | in
                   : 0;
  } else if (tsim_ni_has_interval(m, ms)) {
    tsim_ni_ci(m, ms, o->x0, o->n0, o->x1, o->n1, 1 - 2 * an->level, NULL, &lo, &hi);
  }
  tsim__margin_decide(an, higher_better, p, lo, hi, o);
  int wanted = w->want_p || w->need_p[k];
  o->p = wanted ? p : NAN;
  o->stat = wanted ? stat : NAN;
}

void tsim__test_table(tsim_analysis_ws *w, int k, int j, tsim_outcome *o) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  int higher_better = ep->higher_is_better, wanted = w->want_p || w->need_p[k];
  const tsim_test_info *ti = tsim_test_info_of(an->test);
  double p = NAN, stat = NAN;
  if (ti->kind == TSIM_KIND_MARGIN) {
    margin_table(w, k, j, an, higher_better, o);
    return;
  }
  if (an->sided == 2 && ti->kind == TSIM_KIND_TABLE) {
    /* Two-sided 2x2 tests: the cached decision; the p-value only when someone reads it. */
    if (wanted) p = ti->p(o->x0, o->n0, o->x1, o->n1, &stat);
    o->reject = ti->decide == TSIM_DECIDE_CHISQ
                    ? tsim_decide_chisq(&w->dec, sc, k, o->x0, o->n0, o->x1, o->n1)
                    : tsim_decide(&w->dec, sc, k, o->x0, o->n0, o->x1, o->n1);
  } else if (an->sided == 1 && ti->kind == TSIM_KIND_TABLE && ti->decide == TSIM_DECIDE_BARNARD &&
             !wanted) {
    /* One-sided Barnard, only the decision wanted: the cached rejection region (decide.h). */
    o->reject = tsim_decide_one_sided(&w->dec, sc, k, o->x0, o->n0, o->x1, o->n1);
  } else {
    if (ti->kind == TSIM_KIND_SINGLE_ARM)
      p = an->sided == 1 ? tsim_binomial_one_sided_p(o->x1, o->n1, ep->p0, higher_better)
                         : tsim_binomial_exact_p(o->x1, o->n1, ep->p0);
    else if (ti->one == TSIM_ONE_TAIL) /* a one-sided p of its own: Fisher, Barnard */
      p = ti->tail(o->x0, o->n0, o->x1, o->n1, higher_better);
    else
      p = tsim__one_sided(ti->p(o->x0, o->n0, o->x1, o->n1, &stat), o->diff, higher_better);
    o->reject = tsim_reject(p, an->alpha);
  }
  o->p = wanted ? p : NAN;
  o->stat = wanted ? stat : NAN;
  o->favouring = o->reject && (higher_better ? o->diff > 0 : o->diff < 0);
}

void tsim__analysis_binary(tsim_analysis_ws *w, int k, const long long *x, const long long *n,
                           const long long *tx, const long long *tn, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  size_t na = (size_t)sc->narms;
  int dropped = site_mask(w, k, x, n);
  /* Each arm's responders and analysed patients: the totals, less the removed sites. */
  long long ax[TSIM_MAX_ARMS], an_[TSIM_MAX_ARMS];
  for (size_t a = 0; a < na; a++) {
    ax[a] = tx[a];
    an_[a] = tn[a];
  }
  for (int s = 0; dropped && s < sc->nsites; s++)
    if (w->mask[s])
      for (size_t a = 0; a < na; a++) {
        ax[a] -= x[(size_t)s * na + a];
        an_[a] -= n[(size_t)s * na + a];
      }
  for (int j = 0; j < tsim_scenario_ncomparisons(sc); j++) {
    tsim_outcome *o = &out[j];
    int arm = tsim_comparison_arm(sc, j), c = sc->control;
    tsim__set_counts(sc, ep, o, sc->single_arm ? 0 : ax[c], sc->single_arm ? 0 : an_[c], ax[arm], an_[arm], dropped);
    if (!tsim__stratified(an)) {
      tsim__test_table(w, k, j, o);
      continue;
    }
    unsigned cover = 0;
    double stat, dir[2], p = stratified_p(w, k, j, x, n, arm, &stat, dir, &cover);
    int higher_better = ep->higher_is_better;
    if (an->hypothesis != TSIM_HYPO_SUPERIORITY) {
      tsim__margin_decide(an, higher_better, p, dir[0], dir[1], o);
      o->cover = cover;
      int wanted = w->want_p || w->need_p[k];
      o->p = wanted ? p : NAN;
      o->stat = wanted ? stat : NAN;
      continue;
    }
    if (an->sided == 1) p = tsim__one_sided(p, dir[0], higher_better);
    o->reject = tsim_reject(p, an->alpha);
    int wanted = w->want_p || w->need_p[k];
    o->p = wanted ? p : NAN;
    o->stat = wanted ? stat : NAN;
    o->favouring = o->reject && (higher_better ? o->diff > 0 : o->diff < 0);
  }
}

