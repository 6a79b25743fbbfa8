/* ptanalysis.c - analyses of a latent-model cohort, read patient by patient (see analysis.h
 * for populations and site rules, latent.h for the model).
 *
 * One analysis looks at one measure: its end point at its visit. Patient j is observed there
 * when it had not dropped out by that visit. Who is analysed, and with what value:
 *   per_protocol            observed, without a major protocol deviation;
 *   itt + "exclude"         observed (complete cases);
 *   itt + "non_responder"   everyone; a patient not observed is a non-responder (binary);
 *   itt + "locf"            observed, or else the value at the end point's last visit before
 *                           the dropout (last observation carried forward); a patient with no
 *                           observation of the end point at all is left out.
 * A "subgroup" keeps only its members. Binary analyses then count responders per (site, arm)
 * and share everything after that with the cell-table path (analysis.c); continuous analyses
 * collect each kept patient's value (and baseline) and run their test per comparison.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/ptanalysis.h"

#include "analysis/compare.h"
#include "stats/ancova.h"
#include "stats/contest.h"
#include "model/latent.h"
#include "stats/ranktest.h"
#include "stats/stattest.h"

/* The workspace's part for analyses of patients (tsim_analysis_ws.pt). */
struct tsim_pt_ws {
  long long *px, *pn;   /* [nsites * narms] one analysis's responders / patients per cell */
  long long *ptx, *ptn; /* [narms] their totals */
  double *vals, *bases; /* [n] values (and baselines) of the patients one analysis keeps */
  uint8_t *grp;         /* [n] their arms */
  double *y2, *b2;      /* [n] the two arms of one comparison, control first */
  struct tsim_rank_ws *rank;     /* Wilcoxon workspace */
  struct tsim_ancova_ws *ancova; /* ANCOVA workspace */
};

int tsim__ptanalysis_ws_init(tsim_analysis_ws *w) {
  const tsim_scenario *sc = w->sc;
  if (!(w->pt = calloc(1, sizeof *w->pt))) return -1;
  size_t cells = (size_t)sc->nsites * (size_t)sc->narms, n = (size_t)sc->sample_size;
  w->pt->px = malloc(cells * sizeof *w->pt->px);
  w->pt->pn = malloc(cells * sizeof *w->pt->pn);
  w->pt->ptx = malloc((size_t)sc->narms * sizeof *w->pt->ptx);
  w->pt->ptn = malloc((size_t)sc->narms * sizeof *w->pt->ptn);
  w->pt->vals = malloc(n * sizeof *w->pt->vals);
  w->pt->bases = malloc(n * sizeof *w->pt->bases);
  w->pt->grp = malloc(n);
  w->pt->y2 = malloc(n * sizeof *w->pt->y2);
  w->pt->b2 = malloc(n * sizeof *w->pt->b2);
  int rank = 0, ancova = 0;
  for (int k = 0; k < sc->nanalyses; k++) {
    rank = rank || sc->analyses[k].test == TSIM_TEST_WILCOXON;
    ancova = ancova || sc->analyses[k].test == TSIM_TEST_ANCOVA;
  }
  if (rank) w->pt->rank = tsim_rank_ws_new(n);
  if (ancova) w->pt->ancova = tsim_ancova_ws_new(n < 4 ? 4 : n);
  return w->pt->px && w->pt->pn && w->pt->ptx && w->pt->ptn && w->pt->vals && w->pt->bases && w->pt->grp && w->pt->y2 && w->pt->b2 &&
                 (!rank || w->pt->rank) && (!ancova || w->pt->ancova)
             ? 0
             : -1;
}

void tsim__ptanalysis_ws_free(tsim_analysis_ws *w) {
  if (!w->pt) return;
  free(w->pt->px);
  free(w->pt->pn);
  free(w->pt->ptx);
  free(w->pt->ptn);
  free(w->pt->vals);
  free(w->pt->bases);
  free(w->pt->grp);
  free(w->pt->y2);
  free(w->pt->b2);
  tsim_rank_ws_free(w->pt->rank);
  tsim_ancova_ws_free(w->pt->ancova);
  free(w->pt);
  w->pt = NULL;
}

/* What one analysis under one hypothesis reads of the patients, worked out once. */
typedef struct selection {
  const uint8_t *gone, *dev, *sub;
  const double *val;     /* the end point's first measure of patient 0 */
  size_t stride;         /* measures per patient */
  int visit;             /* the analysis's scenario visit */
  int own;               /* ... and its index among the end point's visits */
  const int *visits;     /* the end point's visits */
  int pp, subgroup;      /* per-protocol; subgroup bit (-1: everyone) */
  tsim_missing missing;
} selection;

static selection select_for(const tsim_analysis_ws *w, const tsim_analysis *an, int h) {
  const tsim_cohort *c = w->cohort;
  const tsim_latent_plan *lp = c->plan->lat;
  const tsim_endpoint *ep = &w->sc->endpoints[an->endpoint];
  selection s = {c->pat.gone[h], c->pat.dev, c->pat.sub, c->pat.val[h] + lp->meas_start[an->endpoint],
                 (size_t)lp->nmeas, ep->visits[an->visit], an->visit, ep->visits,
                 an->population == TSIM_POP_PER_PROTOCOL, an->subgroup, an->missing};
  return s;
}

/* The value patient j contributes: 1 and *v set, or 0 when the patient is not analysed. */
static inline int select_value(const selection *s, long long j, double *v) {
  if (s->subgroup >= 0 && !((s->sub[j] >> s->subgroup) & 1)) return 0;
  int gone = s->gone[j];
  const double *val = s->val + (size_t)j * s->stride;
  if (gone > s->visit) {
    if (s->pp && s->dev[j]) return 0;
    *v = val[s->own];
    return 1;
  }
  if (s->pp) return 0;
  switch (s->missing) {
    case TSIM_MISSING_NON_RESPONDER: *v = 0; return 1;
    case TSIM_MISSING_EXCLUDE: return 0;
    case TSIM_MISSING_LOCF:
      for (int u = s->own - 1; u >= 0; u--)
        if (s->visits[u] < gone) { *v = val[u]; return 1; }
      return 0;
  }
  return 0;
}

static void eval_binary(tsim_analysis_ws *w, int k, int h, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  const tsim_cohort *c = w->cohort;
  size_t na = (size_t)sc->narms, cells = (size_t)sc->nsites * na;
  memset(w->pt->px, 0, cells * sizeof *w->pt->px);
  memset(w->pt->pn, 0, cells * sizeof *w->pt->pn);
  memset(w->pt->ptx, 0, na * sizeof *w->pt->ptx);
  memset(w->pt->ptn, 0, na * sizeof *w->pt->ptn);
  selection sel = select_for(w, an, h);
  for (long long j = 0; j < c->n; j++) {
    double v;
    if (!select_value(&sel, j, &v)) continue;
    size_t cell = (size_t)c->site[j] * na + c->arm[j];
    long long r = v != 0;
    w->pt->px[cell] += r;
    w->pt->pn[cell]++;
    w->pt->ptx[c->arm[j]] += r;
    w->pt->ptn[c->arm[j]]++;
  }
  tsim__analysis_binary(w, k, w->pt->px, w->pt->pn, w->pt->ptx, w->pt->ptn, out);
}

/* One comparison of a continuous analysis on the kept patients (w->pt->vals, w->pt->grp). */
static void compare_continuous(tsim_analysis_ws *w, int k, long long m, int arm, tsim_outcome *o) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  long long n0 = 0, n1 = 0;
  /* Control first, then the experimental arm, keeping each arm's order. */
  for (long long i = 0; i < m; i++)
    if (w->pt->grp[i] == sc->control) {
      w->pt->y2[n0] = w->pt->vals[i];
      w->pt->b2[n0++] = w->pt->bases[i];
    }
  for (long long i = 0; i < m; i++)
    if (w->pt->grp[i] == arm) {
      w->pt->y2[n0 + n1] = w->pt->vals[i];
      w->pt->b2[n0 + n1++] = w->pt->bases[i];
    }
  double m0, s0, m1, s1, p = NAN, stat = NAN, diff;
  tsim_mean_sd(w->pt->y2, n0, &m0, &s0);
  tsim_mean_sd(w->pt->y2 + n0, n1, &m1, &s1);
  diff = m1 - m0;
  int wanted = w->want_p || w->need_p[k], decided = -1;
  switch (an->test) {
    case TSIM_TEST_WELCH_T:
    case TSIM_TEST_STUDENT_T: {
      double nu;
      int pooled = an->test == TSIM_TEST_STUDENT_T;
      if (!tsim_t_stat(pooled, (tsim_arm_summary){m0, s0, n0}, (tsim_arm_summary){m1, s1, n1}, &stat, &nu,
                       NULL)) break;
      /* Two-sided and only the decision wanted: cached quantiles (decide.h). */
      if (an->sided == 2 && !wanted) decided = tsim_decide_t(&w->dec, sc, k, stat, nu);
      else p = tsim_t_two_sided_p(stat, nu);
      break;
    }
    case TSIM_TEST_WILCOXON:
      p = tsim_wilcoxon(w->pt->rank, w->pt->y2, (size_t)n0, w->pt->y2 + n0, (size_t)n1, 1, &stat, NULL);
      break;
    case TSIM_TEST_ANCOVA: {
      tsim_ancova_fit r;
      tsim_ancova_arm a0 = {w->pt->y2, w->pt->b2, (size_t)n0};
      tsim_ancova_arm a1 = {w->pt->y2 + n0, w->pt->b2 + n0, (size_t)n1};
      p = tsim_ancova(w->pt->ancova, a0, a1, 0.95, &r);
      stat = r.t;
      diff = r.diff; /* the adjusted difference; NaN (trial undefined) when the fit is */
      break;
    }
    default: break;
  }
  if (an->sided == 1) {
    /* Every continuous test is symmetric under the null; its direction is the (adjusted)
     * difference, or W - n0 n1 / 2 for the rank-sum test. */
    double dir = an->test == TSIM_TEST_WILCOXON ? stat - (double)n0 * (double)n1 / 2 : diff;
    p = tsim__one_sided(p, dir, sc->endpoints[an->endpoint].higher_is_better);
  }
  o->x0 = o->x1 = 0;
  o->n0 = n0;
  o->n1 = n1;
  o->p = wanted ? p : NAN;
  o->stat = wanted ? stat : NAN;
  o->reject = decided >= 0 ? decided : tsim_reject(p, an->alpha);
  o->defined = n0 > 0 && n1 > 0 && !isnan(diff);
  o->diff = o->defined ? diff : NAN;
  int higher_better = sc->endpoints[an->endpoint].higher_is_better;
  o->favouring = o->reject && (higher_better ? o->diff > 0 : o->diff < 0);
}

static void eval_continuous(tsim_analysis_ws *w, int k, int h, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  const tsim_cohort *c = w->cohort;
  const tsim_latent_plan *lp = c->plan->lat;
  int b = lp->base_of[an->endpoint], dropped = 0;
  for (int s = 0; an->exclude && s < sc->nsites; s++) dropped += an->exclude[s];
  long long m = 0;
  selection sel = select_for(w, an, h);
  for (long long j = 0; j < c->n; j++) {
    double v;
    if ((an->exclude && an->exclude[c->site[j]]) || !select_value(&sel, j, &v)) continue;
    w->pt->vals[m] = v;
    w->pt->bases[m] = b >= 0 ? c->pat.base[(size_t)j * (size_t)lp->nbase + (size_t)b] : 0;
    w->pt->grp[m++] = c->arm[j];
  }
  for (int j = 0; j < tsim_scenario_ncomparisons(sc); j++) {
    compare_continuous(w, k, m, tsim_comparison_arm(sc, j), &out[j]);
    out[j].sites_dropped = dropped;
  }
}

void tsim__ptanalysis_eval(tsim_analysis_ws *w, int k, tsim_hypothesis h, tsim_outcome *out) {
  const tsim_analysis *an = &w->sc->analyses[k];
  if (w->sc->endpoints[an->endpoint].type == TSIM_EP_CONTINUOUS) eval_continuous(w, k, (int)h, out);
  else eval_binary(w, k, (int)h, out);
}
