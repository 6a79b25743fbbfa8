/* sequential.c - one trial in calendar time, look by look (see sequential.h). */
#include "run/sequential.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/accrual.h"
#include "stats/stattest.h"

struct tsim_seq_ws {
  int ncomp, ncmp;
  tsim_outcome *look;  /* [nlooks][2 ncomp] outcomes per look, reject the decision there */
  tsim_outcome *tmp;   /* [2 ncomp] one evaluation */
  int *stop;           /* [2 ncomp] the look where each comparison's test ended */
};

tsim_status tsim__seq_plan_init(tsim_seq_plan *p, const tsim_scenario *sc, tsim_diag *d) {
  memset(p, 0, sizeof *p);
  const tsim_gs_looks *lk = &sc->looks;
  p->nlooks = lk->n > 0 ? lk->n : 1;
  /* The distinct visits the analyses read, and the dates of the looks' and the final visit. */
  for (int a = 0; a < sc->nanalyses; a++) {
    const tsim_endpoint *ep = &sc->endpoints[sc->analyses[a].endpoint];
    double lag = sc->visit_week[ep->visits[sc->analyses[a].visit]] * TSIM_MONTHS_PER_WEEK;
    int v = 0;
    while (v < p->nvis && p->lag[v] != lag) v++;
    if (v == p->nvis) p->lag[p->nvis++] = lag;
    p->an_vis[a] = v;
    if (a == lk->info_analysis) p->info_lag = lag;
  }
  p->final_lag = sc->visit_week[sc->nvisits - 1] * TSIM_MONTHS_PER_WEEK;
  for (int k = 0; k < TSIM_MAX_LOOKS; k++) p->futility[k] = -INFINITY;
  if (p->nlooks == 1) {
    for (int a = 0; a < sc->nanalyses; a++) p->level[a][0] = sc->analyses[a].alpha;
    return TSIM_OK;
  }
  double t[TSIM_MAX_LOOKS];
  for (int k = 0; k < lk->n; k++) t[k] = (double)lk->due[k] / (double)sc->sample_size;
  for (int a = 0; a < sc->nanalyses; a++) {
    tsim_gs_design des = lk->design;
    des.alpha = sc->analyses[a].alpha;
    des.sided = sc->analyses[a].sided;
    tsim_status st = tsim_gs_bounds_compute(&des, lk->n, t, lk->has_futility ? lk->futility : NULL, 1,
                                            &p->bounds[a], d);
    if (st != TSIM_OK) return st;
    for (int k = 0; k < lk->n; k++) {
      double c = p->bounds[a].efficacy[k];
      p->level[a][k] = isinf(c) ? 0 : des.sided * gsl_cdf_ugaussian_Q(c);
    }
  }
  for (int k = 0; k + 1 < lk->n; k++) p->futility[k] = p->bounds[0].futility[k];
  return TSIM_OK;
}

tsim_seq_ws *tsim__seq_ws_new(const tsim_scenario *sc, const tsim_seq_plan *p) {
  tsim_seq_ws *ws = calloc(1, sizeof *ws);
  if (!ws) return NULL;
  ws->ncmp = tsim_scenario_ncomparisons(sc);
  ws->ncomp = sc->nanalyses * ws->ncmp;
  size_t n2 = 2 * (size_t)ws->ncomp + 1;
  ws->look = malloc((size_t)p->nlooks * n2 * sizeof *ws->look);
  ws->tmp = malloc(n2 * sizeof *ws->tmp);
  ws->stop = malloc(n2 * sizeof *ws->stop);
  if (!ws->look || !ws->tmp || !ws->stop) {
    tsim__seq_ws_free(ws);
    return NULL;
  }
  return ws;
}

void tsim__seq_ws_free(tsim_seq_ws *ws) {
  if (!ws) return;
  free(ws->look);
  free(ws->tmp);
  free(ws->stop);
  free(ws);
}

/* The z of an outcome in the favourable direction (NaN when it has no p-value). */
static double favourable_z(const tsim_outcome *o, int sided, int higher) {
  if (isnan(o->p)) return NAN;
  if (sided == 1) return gsl_cdf_ugaussian_Qinv(o->p);
  double z = gsl_cdf_ugaussian_Qinv(o->p / 2);
  return (higher ? o->diff >= 0 : o->diff <= 0) ? z : -z;
}

static inline tsim_i128 fixed(double x) { return (tsim_i128)(long long)(x + 0.5); }

void tsim__seq_trial(const tsim_seq_plan *p, tsim_seq_ws *ws, tsim_cohort *c, tsim_analysis_ws *w,
                     uint64_t seed, long long trial, tsim_tally *t, tsim_outcome *out) {
  const tsim_scenario *sc = c->plan->sc;
  const long long n = c->n;
  const int K = p->nlooks, ncomp = ws->ncomp, ncmp = ws->ncmp;
  const size_t n2 = 2 * (size_t)ncomp + 1;
  tsim_cohort_sample(c, seed, trial);
  const double *tr = c->t_rand;
  double date[TSIM_MAX_LOOKS];
  for (int i = 0; i < 2 * ncomp; i++) ws->stop[i] = -1;
  int live = 2 * ncomp;
  for (int k = 0; k < K && live > 0; k++) {
    int last = k == K - 1;
    date[k] = last ? tr[n - 1] + p->final_lag : tr[sc->looks.due[k] - 1] + p->info_lag;
    tsim_outcome *lo = ws->look + (size_t)k * n2;
    for (int v = 0; v < p->nvis; v++) {
      tsim_cohort view = *c; /* the patients due at visit v by then: a prefix */
      view.n = last ? n : tsim_accrual_count_by(tr, n, date[k], p->lag[v]);
      tsim_analysis_prepare(w, &view);
      tsim_analysis_eval_trial(w, ws->tmp);
      for (int a = 0; a < sc->nanalyses; a++) {
        if (p->an_vis[a] != v) continue;
        const tsim_analysis *an = &sc->analyses[a];
        int higher = sc->endpoints[an->endpoint].higher_is_better;
        for (int h = 0; h < 2; h++)
          for (int j = 0; j < ncmp; j++) {
            size_t i = (size_t)h * (size_t)ncomp + (size_t)a * (size_t)ncmp + (size_t)j;
            tsim_outcome o = ws->tmp[i];
            if (K > 1) {
              o.reject = tsim_reject(o.p, p->level[a][k]);
              o.favouring = o.reject && (higher ? o.diff > 0 : o.diff < 0);
            }
            lo[i] = o;
            if (ws->stop[i] >= 0) continue;
            int fut = 0;
            if (!o.reject && !last && isfinite(p->futility[k])) {
              double z = favourable_z(&o, an->sided, higher);
              fut = z < p->futility[k];
            }
            if (!(o.reject || fut || last)) continue;
            ws->stop[i] = k;
            live--;
            out[i] = o;
            if (K > 1) {
              uint64_t *e = t->stop_eff[h], *f = t->stop_fav[h], *u = t->stop_fut[h];
              size_t q = (i - (size_t)h * (size_t)ncomp) * (size_t)K + (size_t)k;
              e[q] += (uint64_t)o.reject;
              f[q] += (uint64_t)o.favouring;
              u[q] += (uint64_t)fut;
            }
          }
      }
    }
  }
  /* The timed counts: each comparison ended at its look's date. */
  for (int h = 0; h < 2; h++)
    for (int i = 0; i < ncomp; i++) {
      int k = ws->stop[(size_t)h * (size_t)ncomp + (size_t)i];
      long long r = k == K - 1 ? n : tsim_accrual_count_by(tr, n, date[k], 0);
      double m = (date[k] - tr[0]) * TSIM_MONTHS_SCALE;
      if (!(m <= TSIM_MONTHS_MAX * TSIM_MONTHS_SCALE)) m = TSIM_MONTHS_MAX * TSIM_MONTHS_SCALE;
      t->rand_sum[h][i] += (uint64_t)r;
      t->rand_sq[h][i] += (tsim_i128)r * r;
      t->months_sum[h][i] += fixed(m);
      t->months_sq[h][i] += fixed(m * m / TSIM_MONTHS_SCALE);
    }
}

const tsim_outcome *tsim__seq_outcomes_where(const tsim_seq_ws *ws, int h, int cmp) {
  int k = ws->stop[(size_t)h * (size_t)ws->ncomp + (size_t)cmp];
  return ws->look + (size_t)k * (2 * (size_t)ws->ncomp + 1) + (size_t)h * (size_t)ws->ncomp;
}
