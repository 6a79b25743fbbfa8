/* analysis.c - populations, site exclusion and the test of one analysis (see analysis.h). */
#include "analysis/analysis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/ptanalysis.h"
#include "analysis/siterule.h"
#include "core/fastexp.h"
#include "kernels/kernels.h"
#include "stats/logistic.h"
#include "stats/stattest.h"

/* The cell table's populations. With a single assessment (the only kind outside the latent
 * model) last observation carried forward has nothing to carry: LOCF is complete cases. */
static int pop_kind(const tsim_analysis *an) {
  if (an->population == TSIM_POP_PER_PROTOCOL) return TSIM_POPK_PP;
  return an->missing == TSIM_MISSING_NON_RESPONDER ? TSIM_POPK_NRI : TSIM_POPK_ASSESSED;
}

/* Responders x and analysed patients nn of population `kind` from the counts of a cell, or of a
 * sum of cells: n patients, drop dropouts, dev deviating assessed patients, rpp and rdev
 * responders among the per-protocol and the deviating patients (cohort.h). Per protocol: the
 * assessed without a deviation; assessed: everyone not dropped out; non-responder imputation:
 * everyone, a dropout counting as a non-responder. kind_n and kind_x are its two halves: the
 * patients do not depend on the hypothesis, the responders do. */
static inline long long kind_n(int kind, uint32_t n, uint32_t drop, uint32_t dev) {
  return kind == TSIM_POPK_PP ? (long long)n - drop - dev : kind == TSIM_POPK_ASSESSED ? (long long)n - drop : n;
}
static inline long long kind_x(int kind, uint32_t rpp, uint32_t rdev) {
  return kind == TSIM_POPK_PP ? (long long)rpp : (long long)rpp + rdev;
}
static inline void kind_counts(int kind, uint32_t n, uint32_t drop, uint32_t dev, uint32_t rpp, uint32_t rdev,
                               long long *x, long long *nn) {
  *x = kind_x(kind, rpp, rdev);
  *nn = kind_n(kind, n, drop, dev);
}

/* kind_counts of cell `cell` (tsim_cohort_cell) of end point e under hypothesis h. */
static inline void cell_counts(int kind, const tsim_cohort *c, int h, size_t e_off, size_t cell, long long *x,
                               long long *nn) {
  kind_counts(kind, c->cell_n[cell], c->cell_drop[cell], c->cell_dev[cell], c->resp_pp[h][e_off + cell],
              c->resp_dev[h][e_off + cell], x, nn);
}

static void block_setup(tsim_analysis_ws *w);

tsim_analysis_ws *tsim_analysis_ws_new(const tsim_scenario *sc) {
  tsim_analysis_ws *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  size_t ns = (size_t)sc->nsites, na = (size_t)sc->narms;
  w->sc = sc;
  for (int k = 0; k < sc->nanalyses; k++) {
    w->ep_used[sc->analyses[k].endpoint] = 1;
    w->kind[k] = (unsigned char)pop_kind(&sc->analyses[k]);
  }
  for (int e = sc->nendpoints - 1; e >= 0; e--)
    if (w->ep_used[e]) {
      w->nused++;
      w->used0 = e;
    }
  for (int q = 0; q < sc->nprocedures; q++)
    if (sc->procedures[q].method != TSIM_MULT_FIXED_SEQUENCE)
      for (int i = 0; i < sc->procedures[q].nmembers; i++) w->need_p[sc->procedures[q].members[i]] = 1;
  for (int k = 0; k < sc->nanalyses; k++) {
    const tsim_analysis *an = &sc->analyses[k];
    w->chisq[k] = tsim_test_info_of(an->test)->decide == TSIM_DECIDE_CHISQ && an->sided == 2 &&
                  !w->need_p[k];
    w->path[k] = tsim__stratified(an) ? TSIM_PATH_GENERAL : w->kind[k];
    w->higher[k] = (unsigned char)(sc->endpoints[an->endpoint].higher_is_better != 0);
    w->e_off[k] = (size_t)an->endpoint * ns * na;
  }
  w->two = sc->narms == 2 && !sc->single_arm;
  w->sum_rpp = malloc(2 * (size_t)sc->nendpoints * na * sizeof *w->sum_rpp);
  w->sum_rdev = malloc(2 * (size_t)sc->nendpoints * na * sizeof *w->sum_rdev);
  w->rule = calloc((size_t)sc->nanalyses + 1, sizeof *w->rule);
  w->x = malloc(ns * na * sizeof *w->x);
  w->n = malloc(ns * na * sizeof *w->n);
  w->tx = malloc(na * sizeof *w->tx);
  w->tn = malloc(na * sizeof *w->tn);
  w->mask = malloc(ns);
  w->strata = malloc(4 * ns * sizeof *w->strata);
  int failed = !w->sum_rpp || !w->sum_rdev || !w->rule || !w->strata || !w->x || !w->n || !w->tx || !w->tn || !w->mask;
  for (int k = 0; !failed && k < sc->nanalyses; k++) {
    failed = tsim_site_rule_init(&w->rule[k], sc, &sc->analyses[k]) != 0;
    if (!failed && sc->analyses[k].test == TSIM_TEST_LOGISTIC && !w->logit)
      failed = !(w->logit = tsim_logit_ws_new(sc->nsites));
  }
  if (failed || tsim_decider_init(&w->dec, sc) != 0 || (sc->latent && tsim__ptanalysis_ws_init(w) != 0)) {
    tsim_analysis_ws_free(w);
    return NULL;
  }
  block_setup(w);
  return w;
}

void tsim_analysis_ws_free(tsim_analysis_ws *w) {
  if (!w) return;
  if (w->rule)
    for (int k = 0; k < w->sc->nanalyses; k++) tsim_site_rule_free(&w->rule[k]);
  free(w->rule);
  free(w->sum_rpp);
  free(w->sum_rdev);
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

/* The sum of v[0..n). */
static inline uint32_t sum_u32(const uint32_t *v, size_t n) {
  uint32_t t = 0;
  for (size_t i = 0; i < n; i++) t += v[i];
  return t;
}

/* tsim_analysis_prepare's sums for two arms and one end point e, in one pass over the sites. */
static void prepare_two(tsim_analysis_ws *w, const tsim_cohort *c, int e) {
  size_t ns = (size_t)w->sc->nsites, ne = (size_t)w->sc->nendpoints, off = (size_t)e * 2 * ns;
  const uint32_t *N = c->cell_n, *D = c->cell_drop, *V = c->cell_dev;
  const uint32_t *P0 = c->resp_pp[0] + off, *Q0 = c->resp_dev[0] + off;
  const uint32_t *P1 = c->resp_pp[1] + off, *Q1 = c->resp_dev[1] + off;
  uint32_t n0 = 0, n1 = 0, d0 = 0, d1 = 0, v0 = 0, v1 = 0, p00 = 0, p01 = 0, q00 = 0, q01 = 0, p10 = 0, p11 = 0,
           q10 = 0, q11 = 0; /* [hypothesis][arm] */
  for (size_t s = 0; s < ns; s++) {
    n0 += N[s], n1 += N[ns + s], d0 += D[s], d1 += D[ns + s], v0 += V[s], v1 += V[ns + s];
    p00 += P0[s], p01 += P0[ns + s], q00 += Q0[s], q01 += Q0[ns + s];
    p10 += P1[s], p11 += P1[ns + s], q10 += Q1[s], q11 += Q1[ns + s];
  }
  w->sum_n[0] = n0, w->sum_n[1] = n1, w->sum_drop[0] = d0, w->sum_drop[1] = d1, w->sum_dev[0] = v0, w->sum_dev[1] = v1;
  uint32_t *sp = w->sum_rpp + (size_t)e * 2, *sd = w->sum_rdev + (size_t)e * 2;
  sp[0] = p00, sp[1] = p01, sd[0] = q00, sd[1] = q01;
  sp[2 * ne] = p10, sp[2 * ne + 1] = p11, sd[2 * ne] = q10, sd[2 * ne + 1] = q11;
}

void tsim_analysis_prepare(tsim_analysis_ws *w, const tsim_cohort *c) {
  const tsim_scenario *sc = w->sc;
  w->cohort = c;
  if (sc->latent) { /* the patients' statistics per (site, arm) cell, read once (ptanalysis.c) */
    if (!w->general) tsim__ptanalysis_prepare(w);
    return;
  }
  /* The cell table is arm-major: each arm's sites are contiguous. */
  size_t na = (size_t)sc->narms, ns = (size_t)sc->nsites, per_ep = na * ns;
  if (na == 2 && w->nused == 1) {
    prepare_two(w, c, w->used0);
    return;
  }
  for (size_t a = 0; a < na; a++) {
    w->sum_n[a] = sum_u32(c->cell_n + a * ns, ns);
    w->sum_drop[a] = sum_u32(c->cell_drop + a * ns, ns);
    w->sum_dev[a] = sum_u32(c->cell_dev + a * ns, ns);
  }
  for (int h = 0; h < 2; h++)
    for (int e = 0; e < sc->nendpoints; e++) {
      if (!w->ep_used[e]) continue;
      size_t at = ((size_t)h * (size_t)sc->nendpoints + (size_t)e) * na;
      for (size_t a = 0; a < na; a++) {
        w->sum_rpp[at + a] = sum_u32(c->resp_pp[h] + (size_t)e * per_ep + a * ns, ns);
        w->sum_rdev[at + a] = sum_u32(c->resp_dev[h] + (size_t)e * per_ep + a * ns, ns);
      }
    }
}

/* Analysis k on the cell table under hypothesis h by the general path: its population's counts
 * per (site, arm) and their totals, then tsim__analysis_binary. */
static void eval_general(tsim_analysis_ws *w, int k, int h, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  int e = sc->analyses[k].endpoint, kind = w->kind[k];
  size_t na = (size_t)sc->narms, e_off = (size_t)e * na * (size_t)sc->nsites;
  size_t sum_at = ((size_t)h * (size_t)sc->nendpoints + (size_t)e) * na;
  for (size_t a = 0; a < na; a++) {
    kind_counts(kind, w->sum_n[a], w->sum_drop[a], w->sum_dev[a], w->sum_rpp[sum_at + a], w->sum_rdev[sum_at + a],
                &w->tx[a], &w->tn[a]);
    for (int s = 0; s < sc->nsites; s++)
      cell_counts(kind, w->cohort, h, e_off, tsim_cohort_cell(sc, s, (int)a), &w->x[(size_t)s * na + a],
                  &w->n[(size_t)s * na + a]);
  }
  tsim__analysis_binary(w, k, w->x, w->n, w->tx, w->tn, out);
}

/* Analysis k (not stratified) on the cell table under hypothesis h: each arm's counts are the
 * site sums less the cells of the sites removed - the listed ones, then those the data-driven
 * rule picks among the rest, which is the only per-site work. `kind` is a constant in each
 * caller (eval_cells), so that every population gets its own branch-free copy; `nop` is 1 when
 * nobody reads p-values (!w->want_p), hoisted out of the callers' loops over analyses. */
static inline __attribute__((always_inline)) void eval_cells_kind(tsim_analysis_ws *w, int k, int h,
                                                                  tsim_outcome *out, const int kind, int nop) {
  const tsim_scenario *sc = w->sc;
  const tsim_site_rule *r = &w->rule[k];
  const tsim_cohort *co = w->cohort;
  int e = sc->analyses[k].endpoint;
  size_t na = (size_t)sc->narms, ns = (size_t)sc->nsites, e_off = (size_t)e * na * ns;
  size_t sum_at = ((size_t)h * (size_t)sc->nendpoints + (size_t)e) * na;
  long long ax[TSIM_MAX_ARMS], an_[TSIM_MAX_ARMS], x, n;
  for (size_t a = 0; a < na; a++)
    kind_counts(kind, w->sum_n[a], w->sum_drop[a], w->sum_dev[a], w->sum_rpp[sum_at + a], w->sum_rdev[sum_at + a],
                &ax[a], &an_[a]);
  for (int i = 0; i < r->nlisted; i++)
    for (size_t a = 0; a < na; a++) {
      cell_counts(kind, co, h, e_off, a * ns + (size_t)r->listed[i], &x, &n);
      ax[a] -= x;
      an_[a] -= n;
    }
  int dropped = r->nlisted;
  for (int i = 0; i < r->ncand; i++) {
    cell_counts(kind, co, h, e_off, (size_t)r->arm * ns + (size_t)r->cand[i], &x, &n);
    if (!tsim_site_rule_drops(r, x, n)) continue;
    dropped++;
    for (size_t a = 0; a < na; a++) {
      cell_counts(kind, co, h, e_off, a * ns + (size_t)r->cand[i], &x, &n);
      ax[a] -= x;
      an_[a] -= n;
    }
  }
  const tsim_endpoint *ep = &sc->endpoints[e];
  int c = sc->control, chisq = w->chisq[k] && nop, higher = w->higher[k];
  for (int j = 0; j < tsim_scenario_ncomparisons(sc); j++) {
    tsim_outcome *o = &out[j];
    int arm = tsim_comparison_arm(sc, j);
    tsim__set_counts(sc, ep, o, sc->single_arm ? 0 : ax[c], sc->single_arm ? 0 : an_[c], ax[arm], an_[arm], dropped);
    if (!chisq) {
      tsim__test_table(w, k, j, o);
      continue;
    }
    /* test_table's two-sided chi-square case, when nobody reads the p-value. */
    o->p = o->stat = NAN;
    o->reject = tsim_decide_chisq(&w->dec, sc, k, o->x0, o->n0, o->x1, o->n1);
    o->favouring = o->reject && (higher ? o->diff > 0 : o->diff < 0);
  }
}

/* The rest of an outcome once its counts are set: the difference and the decision. */
static inline __attribute__((always_inline)) void finish_two(tsim_analysis_ws *w, int k, tsim_outcome *o, int nop) {
  o->defined = o->n0 > 0 && o->n1 > 0;
  o->diff = o->defined ? tsim__rate_diff(o->x0, o->n0, o->x1, o->n1) : NAN;
  if (!(w->chisq[k] && nop)) {
    tsim__test_table(w, k, 0, o); /* two arms: the one comparison */
    return;
  }
  /* test_table's two-sided chi-square case, when nobody reads the p-value. */
  o->p = o->stat = NAN;
  o->reject = tsim_decide_chisq(&w->dec, w->sc, k, o->x0, o->n0, o->x1, o->n1);
  /* & rather than &&: whether a trial rejects is a coin toss the branch predictor cannot learn. */
  o->favouring = o->reject & (w->higher[k] ? o->diff > 0 : o->diff < 0);
}

/* The counts of two-arm analysis k under both hypotheses at once: each arm's responders x and
 * analysed patients n, [hypothesis][arm], and the sites removed per hypothesis - what
 * eval_cells_kind forms for one, with every cell read once for both. The patients a population keeps do
 * not depend on the hypothesis until the data-driven rule removes a site under one of them. */
static inline __attribute__((always_inline)) void two_counts(tsim_analysis_ws *w, int k, const int kind,
                                                             long long x[2][2], long long n[2][2], int dropped[2]) {
  const tsim_scenario *sc = w->sc;
  const tsim_cohort *co = w->cohort;
  const tsim_site_rule *r = &w->rule[k];
  int e = sc->analyses[k].endpoint;
  size_t ns = (size_t)sc->nsites, ne = (size_t)sc->nendpoints, e_off = w->e_off[k];
  const uint32_t *N = co->cell_n, *D = co->cell_drop, *V = co->cell_dev;
  const uint32_t *RP0 = co->resp_pp[0] + e_off, *RD0 = co->resp_dev[0] + e_off;
  const uint32_t *RP1 = co->resp_pp[1] + e_off, *RD1 = co->resp_dev[1] + e_off;
  const uint32_t *SP0 = w->sum_rpp + (size_t)e * 2, *SD0 = w->sum_rdev + (size_t)e * 2;
  const uint32_t *SP1 = SP0 + ne * 2, *SD1 = SD0 + ne * 2;
  for (int a = 0; a < 2; a++) {
    n[0][a] = n[1][a] = kind_n(kind, w->sum_n[a], w->sum_drop[a], w->sum_dev[a]);
    x[0][a] = kind_x(kind, SP0[a], SD0[a]);
    x[1][a] = kind_x(kind, SP1[a], SD1[a]);
  }
  for (int i = 0; i < r->nlisted; i++)
    for (size_t a = 0, s = (size_t)r->listed[i]; a < 2; a++, s += ns) {
      long long cn = kind_n(kind, N[s], D[s], V[s]);
      n[0][a] -= cn;
      n[1][a] -= cn;
      x[0][a] -= kind_x(kind, RP0[s], RD0[s]);
      x[1][a] -= kind_x(kind, RP1[s], RD1[s]);
    }
  dropped[0] = dropped[1] = r->nlisted;
  int ra = r->arm;
  size_t at = (size_t)ra * ns, other = ns - at; /* the rule arm's cells, the other arm's */
  /* A rule on the control arm decides alike under both hypotheses: the control's cells are the
   * same patients with the same responses in the null twin (cohort.h). */
  int same = ra == sc->control;
  for (int i = 0; i < r->ncand; i++) {
    size_t s = at + (size_t)r->cand[i], o = other + (size_t)r->cand[i];
    long long cn = kind_n(kind, N[s], D[s], V[s]), cx[2];
    int d[2];
    cx[0] = cx[1] = kind_x(kind, RP0[s], RD0[s]);
    d[0] = d[1] = tsim_site_rule_drops(r, cx[0], cn);
    if (!same) {
      cx[1] = kind_x(kind, RP1[s], RD1[s]);
      d[1] = tsim_site_rule_drops(r, cx[1], cn);
    }
    if (!(d[0] | d[1])) continue;
    long long on = kind_n(kind, N[o], D[o], V[o]);
    const uint32_t *RP[2] = {RP0, RP1}, *RD[2] = {RD0, RD1};
    for (int h = 0; h < 2; h++) {
      if (!d[h]) continue;
      dropped[h]++;
      n[h][ra] -= cn;
      x[h][ra] -= cx[h];
      n[h][1 - ra] -= on;
      x[h][1 - ra] -= kind_x(kind, RP[h][o], RD[h][o]);
    }
  }
}

/* two_counts by the analysis's population, a constant in each branch. */
static inline __attribute__((always_inline)) void two_counts_path(tsim_analysis_ws *w, int k, long long x[2][2],
                                                                  long long n[2][2], int dropped[2]) {
  switch (w->path[k]) {
    case TSIM_POPK_PP: two_counts(w, k, TSIM_POPK_PP, x, n, dropped); break;
    case TSIM_POPK_ASSESSED: two_counts(w, k, TSIM_POPK_ASSESSED, x, n, dropped); break;
    default: two_counts(w, k, TSIM_POPK_NRI, x, n, dropped); break;
  }
}

/* Analysis k of a two-arm design under both hypotheses into out0 (alternative) and out1 (null
 * twin): the same outcomes as eval_cells_kind gives for each. */
static inline __attribute__((always_inline)) void eval_two_both(tsim_analysis_ws *w, int k, tsim_outcome *out0,
                                                                tsim_outcome *out1, int nop) {
  long long x[2][2], n[2][2];
  int dropped[2], c = w->sc->control;
  two_counts_path(w, k, x, n, dropped);
  tsim_outcome *out[2] = {out0, out1};
  for (int h = 0; h < 2; h++) {
    tsim_outcome *o = out[h];
    o->x0 = x[h][c];
    o->n0 = n[h][c];
    o->x1 = x[h][1 - c];
    o->n1 = n[h][1 - c];
    o->sites_dropped = dropped[h];
    finish_two(w, k, o, nop);
  }
}

/* Analysis k on the cell table under hypothesis h by the path ws_new chose for it. Inlined into
 * both callers: in tsim_analysis_eval_all's loop over analyses there is no call per analysis. */
static inline __attribute__((always_inline)) void eval_cells(tsim_analysis_ws *w, int k, int h,
                                                             tsim_outcome *out, int nop) {
  switch (w->path[k]) {
    case TSIM_POPK_PP: eval_cells_kind(w, k, h, out, TSIM_POPK_PP, nop); break;
    case TSIM_POPK_ASSESSED: eval_cells_kind(w, k, h, out, TSIM_POPK_ASSESSED, nop); break;
    case TSIM_POPK_NRI: eval_cells_kind(w, k, h, out, TSIM_POPK_NRI, nop); break;
    default: eval_general(w, k, h, out); break;
  }
}

void tsim_analysis_eval(tsim_analysis_ws *w, int k, tsim_hypothesis h, tsim_outcome *out) {
  if (w->sc->latent) tsim__ptanalysis_eval(w, k, h, out);
  else if (w->general) eval_general(w, k, (int)h, out);
  else eval_cells(w, k, (int)h, out, !w->want_p);
}

void tsim_analysis_eval_all(tsim_analysis_ws *w, tsim_hypothesis h, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  int ncmp = tsim_scenario_ncomparisons(sc), nk = sc->nanalyses;
  if (sc->latent || w->general) {
    for (int k = 0; k < nk; k++) tsim_analysis_eval(w, k, h, out + (size_t)k * (size_t)ncmp);
    return;
  }
  int nop = !w->want_p;
  for (int k = 0; k < nk; k++) eval_cells(w, k, (int)h, out + (size_t)k * (size_t)ncmp, nop);
}

void tsim_analysis_eval_trial(tsim_analysis_ws *w, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  int ncmp = tsim_scenario_ncomparisons(sc), nk = sc->nanalyses;
  if (sc->latent && !w->general) {
    tsim__ptanalysis_eval_trial(w, out);
    return;
  }
  if (sc->latent || w->general || !w->two) {
    for (int h = 0; h < 2; h++) tsim_analysis_eval_all(w, (tsim_hypothesis)h, out + (size_t)h * (size_t)nk * (size_t)ncmp);
    return;
  }
  int nop = !w->want_p; /* two arms: one comparison per analysis */
  for (int k = 0; k < nk; k++) {
    tsim_outcome *o0 = out + k, *o1 = out + nk + k;
    if (w->path[k] == TSIM_PATH_GENERAL) {
      eval_general(w, k, 0, o0);
      eval_general(w, k, 1, o1);
    } else {
      eval_two_both(w, k, o0, o1, nop);
    }
  }
}

static void block_setup(tsim_analysis_ws *w) {
  const tsim_scenario *sc = w->sc;
  int nk = sc->nanalyses;
  w->blockable = w->two && !sc->latent;
  for (int k = 0; k < nk; k++)
    w->blockable = w->blockable && w->chisq[k] && w->path[k] != TSIM_PATH_GENERAL;
  for (int h = 0; h < 2; h++)
    for (int k = 0; k < nk; k++) {
      int i = h * nk + k;
      w->blk.crit[i] = w->dec.crit[k];
      w->blk.tol[i] = w->dec.tol[k];
      w->blk.nm1[i] = w->dec.n1[k];
      w->blk.higher[i] = w->higher[k] ? -1 : 0;
    }
}

int tsim_analysis_block_ok(const tsim_analysis_ws *w) { return w->blockable && !w->want_p && !w->general; }

void tsim_analysis_block_init(const tsim_analysis_ws *w, tsim_outcome_block *b) {
  memset(b, 0, sizeof *b);
  b->nslots = (2 * w->sc->nanalyses + 7) / 8 * 8;
}

void tsim_analysis_eval_block(tsim_analysis_ws *w, tsim_outcome_block *b) {
  tsim_analysis_block_counts(w, b);
  tsim_analysis_block_finish(w, b);
}

void tsim_analysis_block_counts(tsim_analysis_ws *w, tsim_outcome_block *b) {
  const tsim_scenario *sc = w->sc;
  int nk = sc->nanalyses, c = sc->control;
  for (int k = 0; k < nk; k++) {
    long long x[2][2], n[2][2];
    int dropped[2];
    two_counts_path(w, k, x, n, dropped);
    for (int h = 0, i = k; h < 2; h++, i += nk) {
      b->x0[i] = x[h][c];
      b->n0[i] = n[h][c];
      b->x1[i] = x[h][1 - c];
      b->n1[i] = n[h][1 - c];
      b->sites_dropped[i] = dropped[h];
    }
  }
}

void tsim_analysis_block_finish(const tsim_analysis_ws *w, tsim_outcome_block *b) {
  const tsim_scenario *sc = w->sc;
  int nk = sc->nanalyses;
  tsim_kernels()->block_eval(&w->blk, b);
  for (int i = 0; i < 2 * nk; i++)
    if (__builtin_expect(b->near[i] != 0, 0)) {
      int k = i % nk;
      b->reject[i] = tsim__decide_chisq_near(sc, k, b->x0[i], b->n0[i], b->x1[i], b->n1[i]);
      b->favouring[i] = b->reject[i] & (w->higher[k] ? b->diff[i] > 0 : b->diff[i] < 0);
    }
}
