/* estimand.c - strategies for intercurrent events and the estimands' full-data values (see
 * estimand.h). */
#include "model/estimand.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "model/cohort.h"
#include "model/latent.h"

/* The earliest visits before which patient j had an event the analysis treats as composite,
 * while on treatment and hypothetically (nv: none), among the events with visit <= known. */
static void earliest(const tsim_scenario *sc, const tsim_analysis *an, const uint8_t *ev, int known, int *C,
                     int *W, int *H) {
  int nv = sc->nvisits, c = nv, w = nv, h = nv;
  /* Without a branch on whether the patient had the event (a coin toss for the predictor): an
   * event not counted is at nv, which changes no minimum. */
  for (int k = 0; k < sc->nevents; k++) {
    int v = ev[k] <= known ? ev[k] : nv, s = an->strategy[k];
    int vc = s == TSIM_STRAT_COMPOSITE ? v : nv, vw = s == TSIM_STRAT_WHILE_ON_TREATMENT ? v : nv,
        vh = s == TSIM_STRAT_HYPOTHETICAL ? v : nv;
    c = vc < c ? vc : c;
    w = vw < w ? vw : w;
    h = vh < h ? vh : h;
  }
  *C = c, *W = w, *H = h;
}

/* The estimand's variable of analysis an for a patient whose events happened before the visits
 * ev[] (every event counted): VAR_FAILURE (composite: 0), VAR_NONE (while on treatment with no
 * visit before the event: no value), or the own visit whose value it is, *hyp set when that is
 * the value without the hypothetical events (estimand.h). The oracle and the exact enumeration
 * both read it. */
enum { VAR_FAILURE = -1, VAR_NONE = -2 };
static int variable_of(const tsim_scenario *sc, const tsim_analysis *an, const uint8_t *ev, int *hyp) {
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  int V = an->visit, wV = ep->visits[V], C, W, H;
  earliest(sc, an, ev, sc->nvisits, &C, &W, &H);
  *hyp = 0;
  if (wV >= C) return VAR_FAILURE;
  if (wV >= W) {
    int u = V - 1;
    while (u >= 0 && !(ep->visits[u] < W)) u--;
    if (u < 0) return VAR_NONE;
    *hyp = ep->visits[u] >= H;
    return u;
  }
  *hyp = wV >= H;
  return V;
}

void tsim_estimand_view(const tsim_cohort *c, int h, const tsim_analysis *an, double *val, uint8_t *gone) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_latent_plan *lp = c->plan->lat;
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  int nv = sc->nvisits, V = an->visit, wV = ep->visits[V], nu = V + 1, nev = sc->nevents;
  size_t nm = (size_t)lp->nmeas, m0 = (size_t)lp->meas_start[an->endpoint];
  for (long long j = 0; j < c->n; j++) {
    const double *x = c->pat.val[h] + (size_t)j * nm + m0;
    double *y = val + (size_t)j * (size_t)nu;
    int g = c->pat.gone[h][j], C, W, H;
    for (int u = 0; u < nu; u++) y[u] = x[u]; /* a few values: no call to memcpy */
    earliest(sc, an, c->pat.ev[h] + (size_t)j * (size_t)nev, g, &C, &W, &H);
    if (wV >= C) { /* a failure at every visit from the event on (C <= g: the earlier ones seen) */
      for (int u = 0; u <= V; u++)
        if (ep->visits[u] >= C) y[u] = 0;
      g = nv;
    } else if (wV >= W) {
      /* The last visit before W (observed: W <= g), carried to every visit from the event on;
       * missing when there is none, or when a hypothetical event came before it. */
      int u = V - 1;
      while (u >= 0 && !(ep->visits[u] < W)) u--;
      if (u >= 0 && ep->visits[u] < H) {
        for (int k = u + 1; k <= V; k++) y[k] = x[u];
        g = nv;
      } else {
        g = g < H ? g : H;
        g = g < W ? g : W;
      }
    } else if (wV >= H) {
      g = g < H ? g : H;
    }
    gone[j] = (uint8_t)g;
  }
}

void tsim_estimand_oracle(const tsim_cohort *c, int h, const tsim_analysis *an, double *sum, long long *n) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_latent_plan *lp = c->plan->lat;
  int nev = sc->nevents;
  size_t nm = (size_t)lp->nmeas, m0 = (size_t)lp->meas_start[an->endpoint];
  for (int a = 0; a < sc->narms; a++) sum[a] = 0, n[a] = 0;
  for (long long j = 0; j < c->n; j++) {
    if (an->subgroup >= 0 && !((c->pat.sub[j] >> an->subgroup) & 1)) continue;
    const double *x = c->pat.val[h] + (size_t)j * nm + m0;
    const double *xh = c->pat.hyp[h] ? c->pat.hyp[h] + (size_t)j * nm + m0 : x;
    int hyp = 0, u = variable_of(sc, an, c->pat.ev[h] + (size_t)j * (size_t)nev, &hyp);
    if (u == VAR_NONE) continue;
    double y = u == VAR_FAILURE ? 0 : hyp ? xh[u] : x[u];
    sum[c->arm[j]] += y;
    n[c->arm[j]]++;
  }
}

/* ---- exact values ---------------------------------------------------------------------------- */

/* The expected value of end point e's own visit u for a patient of arm a whose events (of
 * `mask`) happened before the visits ev[] (latent.h's model, its site effects averaging out). */
static double expected_value(const tsim_scenario *sc, int e, int u, int a, const uint8_t *ev, unsigned mask) {
  const tsim_endpoint *ep = &sc->endpoints[e];
  int w = ep->visits[u], ctl = sc->control, src = ep->source >= 0 ? ep->source : e, us = u;
  if (ep->source >= 0) { /* the source's own visit at the same scenario visit */
    const tsim_endpoint *sp = &sc->endpoints[src];
    for (us = 0; us < sp->nvisits && sp->visits[us] != w; us++) {}
  }
  double f = 0, sh = 0;
  for (int k = 0; k < sc->nevents; k++)
    if ((mask >> k & 1) && ev[k] <= w) {
      f = fmax(f, tsim_event_fraction(sc, k, ev[k], w));
      sh += sc->events[k].shift[src];
    }
  const tsim_endpoint *sp = &sc->endpoints[src];
  if (sp->type == TSIM_EP_BINARY) {
    double p = ep->resp_v[u][a] + f * (ep->resp_v[u][ctl] - ep->resp_v[u][a]);
    return sh == 0 || p <= 0 || p >= 1 ? p : gsl_cdf_ugaussian_P(gsl_cdf_ugaussian_Pinv(p) + sh);
  }
  double mu = sp->mean_v[us][a] + f * (sp->mean_v[us][ctl] - sp->mean_v[us][a]) + sh;
  if (ep->source < 0) return mu;
  double sd = sp->sd[a] + f * (sp->sd[ctl] - sp->sd[a]), z = (ep->threshold - mu) / sd;
  return ep->at_least ? gsl_cdf_ugaussian_Q(z) : gsl_cdf_ugaussian_P(z);
}

int tsim_estimand_exact(const tsim_scenario *sc, int k, double *mean) {
  const tsim_analysis *an = &sc->analyses[k];
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  int nv = sc->nvisits, K = sc->nevents;
  int binary = ep->type == TSIM_EP_BINARY; /* a derived end point too */
  if (sc->single_arm || sc->nanomalies > 0 || (binary && sc->heterogeneity_sd > 0)) return -1;
  double configs = 1;
  for (int i = 0; i < K; i++) {
    if (sc->events[i].dep_endpoint >= 0) return -1;
    configs *= nv + 1;
  }
  if (configs > 1e6) return -1;
  unsigned all = (1u << K) - 1, keep = all & ~sc->hyp_mask;
  for (int a = 0; a < sc->narms; a++) {
    double num = 0, den = 0;
    uint8_t ev[TSIM_MAX_EVENTS] = {0};
    for (;;) {
      double p = 1;
      for (int i = 0; i < K; i++) {
        double lo = ev[i] > 0 ? sc->events[i].by[ev[i] - 1][a] : 0, hi = ev[i] < nv ? sc->events[i].by[ev[i]][a] : 1;
        p *= hi - lo;
      }
      int hyp = 0, u = p > 0 ? variable_of(sc, an, ev, &hyp) : VAR_NONE;
      if (u != VAR_NONE) {
        double y = u == VAR_FAILURE ? 0 : expected_value(sc, an->endpoint, u, a, ev, hyp ? keep : all);
        num += p * y, den += p;
      }
      int i = 0;
      while (i < K && ++ev[i] > nv) ev[i++] = 0;
      if (i == K) break;
    }
    mean[a] = den > 0 ? num / den : NAN;
  }
  return 0;
}

/* ---- a simulated population ---------------------------------------------------------------- */

tsim_status tsim_estimand_simulated(const tsim_scenario *sc, long long min_patients, double *truth, double *se,
                                    long long *patients) {
  int ncmp = tsim_scenario_ncomparisons(sc), na = sc->narms, nk = sc->nanalyses, ctl = sc->control;
  long long trials = (min_patients + sc->sample_size - 1) / sc->sample_size;
  if (trials < 20) trials = 20;
  tsim_cohort_plan plan;
  if (tsim_cohort_plan_init(&plan, sc) != TSIM_OK) return TSIM_NOMEM;
  tsim_cohort *c = tsim_cohort_new(&plan);
  size_t nc = (size_t)nk * (size_t)ncmp, ns = 2 * (size_t)nk * (size_t)na; /* by hypothesis */
  double *S = calloc(ns + 1, sizeof *S), *d1 = calloc(2 * nc + 1, sizeof *d1), *d2 = calloc(2 * nc + 1, sizeof *d2);
  long long *N = calloc(ns + 1, sizeof *N), *nd = calloc(2 * nc + 1, sizeof *nd);
  if (!c || !S || !d1 || !d2 || !N || !nd) {
    free(S), free(d1), free(d2), free(N), free(nd);
    tsim_cohort_free(c);
    tsim_cohort_plan_free(&plan);
    return TSIM_NOMEM;
  }
  for (long long t = 0; t < trials; t++) {
    tsim_cohort_sample(c, TSIM_TRUTH_SEED, t);
    for (int h = 0; h < 2; h++)
      for (int k = 0; k < nk; k++) {
        double sm[TSIM_MAX_ARMS];
        long long n[TSIM_MAX_ARMS];
        size_t o = ((size_t)h * (size_t)nk + (size_t)k) * (size_t)na;
        tsim_estimand_oracle(c, h, &sc->analyses[k], sm, n);
        for (int a = 0; a < na; a++) S[o + (size_t)a] += sm[a], N[o + (size_t)a] += n[a];
        for (int j = 0; j < ncmp; j++) {
          int a = tsim_scenario_comparison_arm(sc, j);
          if (!n[a] || !n[ctl]) continue;
          double d = sm[a] / (double)n[a] - sm[ctl] / (double)n[ctl];
          size_t i = (size_t)h * nc + (size_t)k * (size_t)ncmp + (size_t)j;
          d1[i] += d, d2[i] += d * d, nd[i]++;
        }
      }
  }
  for (int h = 0; h < 2; h++)
    for (int k = 0; k < nk; k++)
      for (int j = 0; j < ncmp; j++) {
        int a = tsim_scenario_comparison_arm(sc, j);
        size_t o = ((size_t)h * (size_t)nk + (size_t)k) * (size_t)na, i = (size_t)h * nc + (size_t)k * (size_t)ncmp + (size_t)j;
        truth[i] = N[o + (size_t)a] && N[o + (size_t)ctl]
                       ? S[o + (size_t)a] / (double)N[o + (size_t)a] - S[o + (size_t)ctl] / (double)N[o + (size_t)ctl]
                       : NAN;
        double m = nd[i] ? d1[i] / (double)nd[i] : NAN;
        double v = nd[i] > 1 ? (d2[i] - (double)nd[i] * m * m) / (double)(nd[i] - 1) : NAN;
        se[i] = nd[i] > 1 ? sqrt(fmax(v, 0) / (double)nd[i]) : NAN;
      }
  *patients = trials * sc->sample_size;
  free(S), free(d1), free(d2), free(N), free(nd);
  tsim_cohort_free(c);
  tsim_cohort_plan_free(&plan);
  return TSIM_OK;
}

static long long truth_population = TSIM_TRUTH_PATIENTS;

void tsim_estimand_set_population(long long min_patients) { truth_population = min_patients > 0 ? min_patients : 1; }

tsim_status tsim_estimand_truth(const tsim_scenario *sc, double *truth, double *se, long long *patients) {
  int ncmp = tsim_scenario_ncomparisons(sc), all = 1;
  size_t nc = (size_t)sc->nanalyses * (size_t)ncmp;
  for (int k = 0; k < sc->nanalyses; k++) {
    double m[TSIM_MAX_ARMS];
    if (tsim_estimand_exact(sc, k, m) != 0) {
      all = 0;
      continue;
    }
    for (int j = 0; j < ncmp; j++) { /* the null twin: every arm the control (no anomalies here) */
      size_t i = (size_t)(k * ncmp + j);
      truth[i] = m[tsim_scenario_comparison_arm(sc, j)] - m[sc->control];
      truth[nc + i] = isnan(truth[i]) ? NAN : 0; /* no patient has a value: no estimand */
      se[i] = se[nc + i] = 0;
    }
  }
  *patients = 0;
  if (all) return TSIM_OK;
  double *x = malloc(4 * nc * sizeof *x);
  if (!x || tsim_estimand_simulated(sc, truth_population, x, x + 2 * nc, patients) != TSIM_OK) {
    free(x);
    return TSIM_NOMEM;
  }
  for (int k = 0; k < sc->nanalyses; k++) {
    double m[TSIM_MAX_ARMS];
    if (tsim_estimand_exact(sc, k, m) == 0) continue;
    for (int j = 0; j < ncmp; j++)
      for (size_t h = 0; h < 2; h++) {
        size_t i = h * nc + (size_t)(k * ncmp + j);
        truth[i] = x[i], se[i] = x[2 * nc + i];
      }
  }
  free(x);
  return TSIM_OK;
}
