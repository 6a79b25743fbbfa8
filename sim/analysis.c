/* analysis.c - populations, site exclusion and the test of one analysis (see analysis.h). */
#include "analysis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logistic.h"
#include "stattest.h"

int tsim_comparison_arm(const tsim_scenario *sc, int j) {
  return sc->single_arm ? 0 : j < sc->control ? j : j + 1;
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

double tsim_analysis_diff_bound(const tsim_scenario *sc, int k) {
  const tsim_endpoint *ep = &sc->endpoints[sc->analyses[k].endpoint];
  if (ep->type != TSIM_EP_CONTINUOUS) return 1;
  double big = 0, sd = 0;
  for (int a = 0; a < sc->narms; a++) {
    for (int v = 0; v < ep->nvisits; v++) big = fmax(big, fabs(ep->mean_v[v][a]));
    sd = fmax(sd, ep->sd[a]);
  }
  for (int i = 0; i < sc->nanomalies; i++)
    if (!isnan(sc->anomalies[i].mean)) big = fmax(big, fabs(sc->anomalies[i].mean));
  return exp2(ceil(log2(2 * big + 64 * sd * (1 + sc->heterogeneity_sd))));
}

/* The cell table's populations. With a single assessment (the only kind outside the latent
 * model) last observation carried forward has nothing to carry: LOCF is complete cases. */
static int pop_kind(const tsim_analysis *an) {
  if (an->population == TSIM_POP_PER_PROTOCOL) return TSIM_POPK_PP;
  return an->missing == TSIM_MISSING_NON_RESPONDER ? TSIM_POPK_NRI : TSIM_POPK_ASSESSED;
}

tsim_analysis_ws *tsim_analysis_ws_new(const tsim_scenario *sc) {
  tsim_analysis_ws *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  size_t per = 2 * (size_t)sc->nendpoints * TSIM_NPOPK * (size_t)sc->narms;
  w->sc = sc;
  for (int k = 0; k < sc->nanalyses; k++) w->used[sc->analyses[k].endpoint][pop_kind(&sc->analyses[k])] = 1;
  for (int q = 0; q < sc->nprocedures; q++)
    if (sc->procedures[q].method != TSIM_MULT_FIXED_SEQUENCE)
      for (int i = 0; i < sc->procedures[q].nmembers; i++) w->need_p[sc->procedures[q].members[i]] = 1;
  w->x = malloc(per * (size_t)sc->nsites * sizeof *w->x);
  w->n = malloc(per * (size_t)sc->nsites * sizeof *w->n);
  w->tx = malloc(per * sizeof *w->tx);
  w->tn = malloc(per * sizeof *w->tn);
  w->mask = malloc((size_t)sc->nsites);
  w->strata = malloc(4 * (size_t)sc->nsites * sizeof *w->strata);
  for (int k = 0; k < sc->nanalyses; k++)
    if (sc->analyses[k].test == TSIM_TEST_LOGISTIC && !w->logit && !(w->logit = tsim_logit_ws_new(sc->nsites))) {
      tsim_analysis_ws_free(w);
      return NULL;
    }
  if (!w->strata || !w->x || !w->n || !w->tx || !w->tn || !w->mask || tsim_decider_init(&w->dec, sc) != 0 ||
      (sc->latent && tsim__ptanalysis_ws_init(w) != 0)) {
    tsim_analysis_ws_free(w);
    return NULL;
  }
  return w;
}

void tsim_analysis_ws_free(tsim_analysis_ws *w) {
  if (!w) return;
  free(w->x);
  free(w->n);
  free(w->tx);
  free(w->tn);
  free(w->mask);
  free(w->strata);
  tsim__ptanalysis_ws_free(w);
  tsim_logit_ws_free(w->logit);
  tsim_decider_free(&w->dec);
  free(w);
}

/* Index of (h, e, kind) blocks: each holds nsites * narms site counts, or narms totals. */
static size_t block(const tsim_scenario *sc, int h, int e, int kind) {
  return ((size_t)h * (size_t)sc->nendpoints + (size_t)e) * TSIM_NPOPK + (size_t)kind;
}

void tsim_analysis_prepare(tsim_analysis_ws *w, const tsim_cohort *c) {
  const tsim_scenario *sc = w->sc;
  w->cohort = c;
  if (sc->latent) return; /* analyses read the patients themselves */
  size_t ns = (size_t)sc->nsites, na = (size_t)sc->narms;
  for (int h = 0; h < 2; h++)
    for (int e = 0; e < sc->nendpoints; e++) {
      long long *x[TSIM_NPOPK], *n[TSIM_NPOPK], *tx[TSIM_NPOPK], *tn[TSIM_NPOPK];
      for (int k = 0; k < TSIM_NPOPK; k++) {
        x[k] = w->x + block(sc, h, e, k) * ns * na;
        n[k] = w->n + block(sc, h, e, k) * ns * na;
        tx[k] = w->tx + block(sc, h, e, k) * na;
        tn[k] = w->tn + block(sc, h, e, k) * na;
        memset(tx[k], 0, na * sizeof *tx[k]);
        memset(tn[k], 0, na * sizeof *tn[k]);
      }
      for (size_t s = 0; s < ns; s++)
        for (size_t a = 0; a < na; a++) {
          /* Category = dropout<<2 | deviation<<1 | response; see cohort.h. */
          const uint32_t *cell = tsim_cohort_cells(c, h, e, (int)s, (int)a);
          long long pp_resp = cell[TSIM_CAT_RESP], pp = pp_resp + cell[0];
          long long as_resp = pp_resp + cell[TSIM_CAT_RESP | TSIM_CAT_DEV];
          long long as = pp + cell[TSIM_CAT_DEV] + cell[TSIM_CAT_RESP | TSIM_CAT_DEV];
          long long dropped = (long long)cell[4] + cell[5] + cell[6] + cell[7];
          long long vx[TSIM_NPOPK] = {as_resp, as_resp, pp_resp}; /* dropouts never respond */
          long long vn[TSIM_NPOPK] = {as + dropped, as, pp};      /* NRI: dropouts in n */
          for (int k = 0; k < TSIM_NPOPK; k++) {
            if (!w->used[e][k]) continue;
            x[k][s * na + a] = vx[k];
            n[k][s * na + a] = vn[k];
            tx[k][a] += vx[k];
            tn[k][a] += vn[k];
          }
        }
    }
}

/* Marks the sites the analysis removes in w->mask; returns how many. */
static int site_mask(const tsim_analysis_ws *w, const tsim_analysis *an, const long long *x,
                     const long long *n) {
  const tsim_scenario *sc = w->sc;
  size_t na = (size_t)sc->narms;
  int dropped = 0;
  for (int s = 0; s < sc->nsites; s++) {
    unsigned char m = an->exclude ? an->exclude[s] : 0;
    if (!m && an->has_where) {
      long long xs = x[(size_t)s * na + (size_t)an->where_arm];
      long long ns = n[(size_t)s * na + (size_t)an->where_arm];
      /* x/n >= rate, compared as x >= rate n with a tolerance for the rounding of rate n. */
      m = ns >= an->where_min && (double)xs >= an->where_rate * (double)ns - 1e-9 * (double)ns;
    }
    w->mask[s] = m;
    dropped += m;
  }
  return dropped;
}

/* Responders and analysed patients of arm a: the totals, less the removed sites. */
static void arm_counts(const tsim_analysis_ws *w, int dropped, const long long *x,
                       const long long *n, const long long *tx, const long long *tn, int a,
                       long long *xa, long long *na_out) {
  const tsim_scenario *sc = w->sc;
  size_t na = (size_t)sc->narms;
  *xa = tx[a];
  *na_out = tn[a];
  for (int s = 0; dropped && s < sc->nsites; s++)
    if (w->mask[s]) {
      *xa -= x[(size_t)s * na + (size_t)a];
      *na_out -= n[(size_t)s * na + (size_t)a];
    }
}

/* Tests stratified by site over the sites the analysis keeps: Cochran-Mantel-Haenszel (strata
 * with fewer than two patients contribute nothing; stattest.h) or logistic regression with a
 * fixed effect per site (uninformative sites dropped, separation "not estimable"; logistic.h). */
static double stratified_p(tsim_analysis_ws *w, const tsim_analysis *an, const long long *x,
                           const long long *n, int arm, double *stat, double *dir) {
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
  if (k && an->test == TSIM_TEST_CMH) {
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

void tsim__analysis_binary(tsim_analysis_ws *w, int k, const long long *x, const long long *n,
                           const long long *tx, const long long *tn, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  int dropped = (an->exclude || an->has_where) ? site_mask(w, an, x, n) : 0;
  if (!dropped && (an->test == TSIM_TEST_CMH || an->test == TSIM_TEST_LOGISTIC))
    memset(w->mask, 0, (size_t)sc->nsites);
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  int higher_better = ep->higher_is_better;
  for (int j = 0; j < tsim_scenario_ncomparisons(sc); j++) {
    tsim_outcome *o = &out[j];
    int arm = tsim_comparison_arm(sc, j);
    o->x0 = o->n0 = 0;
    if (!sc->single_arm) arm_counts(w, dropped, x, n, tx, tn, sc->control, &o->x0, &o->n0);
    arm_counts(w, dropped, x, n, tx, tn, arm, &o->x1, &o->n1);
    o->p = o->stat = NAN;
    if (sc->single_arm) {
      o->defined = o->n1 > 0;
      o->diff = o->defined ? (double)o->x1 / (double)o->n1 - ep->p0 : NAN;
    } else {
      o->defined = o->n0 > 0 && o->n1 > 0;
      o->diff = o->defined ? (double)o->x1 / (double)o->n1 - (double)o->x0 / (double)o->n0 : NAN;
    }
    int wanted = w->want_p || w->need_p[k];
    double p = NAN, stat = NAN, dir = o->diff;
    if (an->test == TSIM_TEST_CMH || an->test == TSIM_TEST_LOGISTIC) {
      p = stratified_p(w, an, x, n, arm, &stat, &dir);
      if (an->sided == 1) p = tsim__one_sided(p, dir, higher_better);
    } else if (an->test == TSIM_TEST_BINOMIAL_EXACT) {
      p = an->sided == 1 ? tsim_binomial_one_sided_p(o->x1, o->n1, ep->p0, higher_better)
                         : tsim_binomial_exact_p(o->x1, o->n1, ep->p0);
    } else if (an->sided == 1 && an->test == TSIM_TEST_FISHER) {
      p = tsim_fisher_one_sided_p(o->x0, o->n0, o->x1, o->n1, higher_better);
    } else if (an->sided == 1) {
      p = tsim__one_sided(tsim_test_p(an->test, o->x0, o->n0, o->x1, o->n1, &stat), dir, higher_better);
    } else {
      /* Two-sided 2x2 tests: the cached decision; the p-value only when someone reads it. */
      if (wanted) p = tsim_test_p(an->test, o->x0, o->n0, o->x1, o->n1, &stat);
      o->reject = tsim_decide(&w->dec, sc, k, o->x0, o->n0, o->x1, o->n1);
    }
    if (an->sided == 1 || an->test == TSIM_TEST_CMH || an->test == TSIM_TEST_LOGISTIC ||
        an->test == TSIM_TEST_BINOMIAL_EXACT)
      o->reject = tsim_reject(p, an->alpha);
    if (wanted) {
      o->p = p;
      o->stat = stat;
    }
    o->favouring = o->reject && (higher_better ? o->diff > 0 : o->diff < 0);
    o->sites_dropped = dropped;
  }
}

void tsim_analysis_eval(tsim_analysis_ws *w, int k, tsim_hypothesis h, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  if (sc->latent) {
    tsim__ptanalysis_eval(w, k, h, out);
    return;
  }
  const tsim_analysis *an = &sc->analyses[k];
  size_t b = block(sc, (int)h, an->endpoint, pop_kind(an));
  size_t ns = (size_t)sc->nsites, na = (size_t)sc->narms;
  tsim__analysis_binary(w, k, w->x + b * ns * na, w->n + b * ns * na, w->tx + b * na,
                        w->tn + b * na, out);
}
