/* sequential.c - one trial in calendar time, look by look (see sequential.h). */
#include "run/sequential.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/monitor.h"
#include "model/accrual.h"
#include "stats/stattest.h"

/* Boundaries of calendar looks, by which of the scenario's looks were held (their futility
 * bounds may differ) and the patients assessed at each. */
#define CACHE_SLOTS 4096
/* Each trial's calendar looks are integrated on J&T's grid with r = 16 rather than the default
 * 32: four times faster (one integration per trial), with boundaries within about 2e-6 of the
 * exact ones on z (the error falls as 1/r^4; 1.3e-7 at 32, gsbound.h) - far below what moves a
 * simulated decision. */
#define SEQ_GRID_R 16
typedef struct cache_entry {
  int held;                       /* looks held (0: empty slot) */
  int idx[TSIM_MAX_LOOKS];        /* which of the scenario's looks each is */
  long long m[TSIM_MAX_LOOKS];    /* patients assessed at the interims held */
  double *level, *futility;       /* [nanalyses * held] */
} cache_entry;

struct tsim_seq_ws {
  int ncomp, ncmp, nan;
  tsim_outcome *look;  /* [nlooks][2 ncomp + 1] outcomes per look, reject the decision there */
  tsim_outcome *tmp;   /* [2 ncomp] one evaluation */
  int *stop;           /* [2 ncomp] the look (index among those held) where each test ended */
  int held, idx[TSIM_MAX_LOOKS]; /* looks held this trial, and which of the scenario's each is */
  long long m[TSIM_MAX_LOOKS];   /* patients assessed at each look held */
  double date[TSIM_MAX_LOOKS];   /* its month */
  const double *level, *futility; /* this trial's [nanalyses * nlooks] (plan) or [.. * held] */
  int lstride;                    /* the stride of level and futility */
  cache_entry *cache;             /* [CACHE_SLOTS] (months only) */
  int cached;
  tsim_monitor_ws *mon;           /* site monitoring (NULL: none) */
  unsigned char *mask;            /* [2 nanalyses nsites] the flagged sites each analysis removes */
  long long *check_rand;          /* [nchecks] patients randomised by each check */
  double *close[2];               /* [nsites] monitoring that stops enrolment: when each site
                                     stops under each hypothesis (INFINITY: never) */
  double *sampled;                /* [nsites] ... the stops of the trial c holds */
  long long sampled_trial;        /* which trial that is (-1: none) */
  int failed;                     /* this trial's calendar boundaries could not be computed */
  int mon_valid;                  /* mon holds every check of the trial c holds (both hypotheses) */
};

tsim_status tsim__seq_plan_init(tsim_seq_plan *p, const tsim_scenario *sc, tsim_diag *d) {
  memset(p, 0, sizeof *p);
  const tsim_gs_looks *lk = &sc->looks;
  p->nlooks = lk->n > 0 ? lk->n : 1;
  p->months = lk->n > 1 && lk->kind == TSIM_LOOK_MONTHS;
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
  for (int a = 0; a < TSIM_MAX_ANALYSES; a++)
    for (int k = 0; k < TSIM_MAX_LOOKS; k++) p->futility[a][k] = -INFINITY;
  if (p->nlooks == 1) {
    for (int a = 0; a < sc->nanalyses; a++) p->level[a][0] = sc->analyses[a].alpha;
    return TSIM_OK;
  }
  if (p->months) return TSIM_OK; /* per trial */
  double t[TSIM_MAX_LOOKS];
  for (int k = 0; k < lk->n; k++) t[k] = (double)lk->due[k] / (double)sc->sample_size;
  for (int a = 0; a < sc->nanalyses; a++) {
    tsim_status st = tsim_scenario_look_bounds(sc, a, lk->n, t, NULL, 0, &p->bounds[a], d);
    if (st != TSIM_OK) return st;
    for (int k = 0; k < lk->n; k++) {
      double c = p->bounds[a].efficacy[k];
      p->level[a][k] = isinf(c) ? 0 : p->bounds[a].sided * gsl_cdf_ugaussian_Q(c);
      p->futility[a][k] = k + 1 < lk->n ? p->bounds[a].futility[k] : -INFINITY;
    }
  }
  return TSIM_OK;
}

static void cache_clear(tsim_seq_ws *ws) {
  for (int i = 0; ws->cache && i < CACHE_SLOTS; i++) {
    free(ws->cache[i].level);
    ws->cache[i] = (cache_entry){0};
  }
  ws->cached = 0;
}

tsim_seq_ws *tsim__seq_ws_new(const tsim_scenario *sc, const tsim_seq_plan *p) {
  tsim_seq_ws *ws = calloc(1, sizeof *ws);
  if (!ws) return NULL;
  ws->ncmp = tsim_scenario_ncomparisons(sc);
  ws->nan = sc->nanalyses;
  ws->ncomp = sc->nanalyses * ws->ncmp;
  size_t n2 = 2 * (size_t)ws->ncomp + 1;
  ws->look = malloc((size_t)p->nlooks * n2 * sizeof *ws->look);
  ws->tmp = malloc(n2 * sizeof *ws->tmp);
  ws->stop = malloc(n2 * sizeof *ws->stop);
  if (p->months) ws->cache = calloc(CACHE_SLOTS, sizeof *ws->cache);
  int mon = sc->monitoring.nrules > 0;
  if (mon) {
    ws->mon = tsim_monitor_ws_new(sc);
    ws->mask = malloc(2 * (size_t)sc->nanalyses * (size_t)sc->nsites + 1);
    ws->check_rand = malloc(((size_t)sc->monitoring.nchecks + 1) * sizeof *ws->check_rand);
  }
  ws->sampled_trial = -1;
  if (mon && sc->monitoring.stop) {
    for (int h = 0; h < 2; h++) mon = mon && (ws->close[h] = malloc((size_t)sc->nsites * sizeof(double)));
    mon = mon && (ws->sampled = malloc((size_t)sc->nsites * sizeof(double)));
    if (!mon) {
      tsim__seq_ws_free(ws);
      return NULL;
    }
  }
  if (!ws->look || !ws->tmp || !ws->stop || (p->months && !ws->cache) ||
      (mon && (!ws->mon || !ws->mask || !ws->check_rand))) {
    tsim__seq_ws_free(ws);
    return NULL;
  }
  return ws;
}

void tsim__seq_ws_free(tsim_seq_ws *ws) {
  if (!ws) return;
  cache_clear(ws);
  free(ws->cache);
  free(ws->look);
  free(ws->tmp);
  free(ws->stop);
  tsim_monitor_ws_free(ws->mon);
  free(ws->mask);
  free(ws->check_rand);
  free(ws->close[0]);
  free(ws->close[1]);
  free(ws->sampled);
  free(ws);
}

/* This trial's levels for the calendar looks it held: from the cache, or computed. Returns 0,
 * or -1 when out of memory or the bounds cannot be computed (then no interim rejects: the
 * trial is decided at the final analysis on alpha, and the run is flagged by the caller). */
static int months_levels(const tsim_scenario *sc, tsim_seq_ws *ws) {
  int h = ws->held;
  uint64_t key = (uint64_t)1469598103934665603u ^ (uint64_t)h;
  for (int k = 0; k + 1 < h; k++) {
    key = (key ^ (uint64_t)ws->m[k]) * (uint64_t)1099511628211u;
    key = (key ^ (uint64_t)ws->idx[k]) * (uint64_t)1099511628211u;
  }
  for (size_t s = key % CACHE_SLOTS, tries = 0; tries < CACHE_SLOTS; s = (s + 1) % CACHE_SLOTS, tries++) {
    cache_entry *e = &ws->cache[s];
    if (e->held == 0) break;
    if (e->held == h && memcmp(e->m, ws->m, (size_t)(h - 1) * sizeof *ws->m) == 0 &&
        memcmp(e->idx, ws->idx, (size_t)(h - 1) * sizeof *ws->idx) == 0) {
      ws->level = e->level;
      ws->futility = e->futility;
      ws->lstride = h;
      return 0;
    }
  }
  if (ws->cached >= CACHE_SLOTS / 2) cache_clear(ws); /* keep the table sparse */
  size_t s = key % CACHE_SLOTS;
  while (ws->cache[s].held) s = (s + 1) % CACHE_SLOTS;
  cache_entry *e = &ws->cache[s];
  double *v = malloc(2 * (size_t)ws->nan * (size_t)h * sizeof *v);
  if (!v) return -1;
  double t[TSIM_MAX_LOOKS];
  for (int k = 0; k + 1 < h; k++) t[k] = (double)ws->m[k] / (double)sc->sample_size;
  t[h - 1] = 1;
  double *fv = v + (size_t)ws->nan * (size_t)h;
  for (int a = 0; a < ws->nan; a++) {
    /* An analysis's boundaries depend only on its alpha and sidedness (the looks are shared):
     * an earlier analysis with the same ones has them already. */
    int same = 0;
    while (same < a && !(sc->analyses[same].alpha == sc->analyses[a].alpha &&
                         sc->analyses[same].sided == sc->analyses[a].sided))
      same++;
    if (same < a) {
      memcpy(v + (size_t)a * (size_t)h, v + (size_t)same * (size_t)h, (size_t)h * sizeof *v);
      memcpy(fv + (size_t)a * (size_t)h, fv + (size_t)same * (size_t)h, (size_t)h * sizeof *v);
      continue;
    }
    tsim_gs_bounds b;
    if (tsim_scenario_look_bounds(sc, a, h, t, ws->idx, SEQ_GRID_R, &b, NULL) != TSIM_OK) {
      free(v);
      return -1;
    }
    for (int k = 0; k < h; k++) {
      double c = b.efficacy[k];
      v[a * h + k] = isinf(c) ? 0 : b.sided * gsl_cdf_ugaussian_Q(c);
      fv[a * h + k] = k + 1 < h ? b.futility[k] : -INFINITY;
    }
  }
  e->held = h;
  memcpy(e->m, ws->m, (size_t)h * sizeof *ws->m);
  memcpy(e->idx, ws->idx, (size_t)h * sizeof *ws->idx);
  e->level = v;
  e->futility = v + (size_t)ws->nan * (size_t)h;
  ws->cached++;
  ws->level = e->level;
  ws->futility = e->futility;
  ws->lstride = h;
  return 0;
}

/* The z of an outcome in the favourable direction (NaN when it has no p-value). */
static double favourable_z(const tsim_outcome *o, int sided, int higher) {
  if (isnan(o->p)) return NAN;
  if (sided == 1) return gsl_cdf_ugaussian_Qinv(o->p);
  double z = gsl_cdf_ugaussian_Qinv(o->p / 2);
  return (higher ? o->diff >= 0 : o->diff <= 0) ? z : -z;
}

/* round(x) for 0 <= x < 2^73 (a duration's square in fixed point exceeds 64 bits). */
static inline tsim_i128 fixed(double x) { return (tsim_i128)(x + 0.5); }

/* The looks this trial holds: their scenario index, patients assessed and month. */
static void plan_looks(const tsim_seq_plan *p, tsim_seq_ws *ws, const tsim_scenario *sc, const double *tr,
                       long long n) {
  const tsim_gs_looks *lk = &sc->looks;
  int K = p->nlooks, h = 0;
  double end = tr[n - 1] + p->final_lag;
  long long prev = 0;
  for (int k = 0; k + 1 < K; k++) {
    long long m;
    double date;
    if (p->months) {
      date = lk->at[k];
      m = tsim_accrual_count_by(tr, n, date, p->info_lag);
      if (m <= prev || m >= n || date >= end) continue;
    } else {
      m = lk->due[k];
      date = tr[m - 1] + p->info_lag;
    }
    ws->idx[h] = k;
    ws->m[h] = prev = m;
    ws->date[h++] = date;
  }
  ws->idx[h] = K - 1;
  ws->m[h] = n;
  ws->date[h++] = end;
  ws->held = h;
}

/* The trial's monitoring checks (every `every` patients randomised, or at the interim looks
 * held), and what they flagged added to t. */
/* The checks this trial holds (the looks must be planned): every `every` patients randomised,
 * or the interim looks held. Check number k of them is the scenario's check *check, dated
 * *date, with *rand patients randomised by then. */
static int checks_held(const tsim_seq_ws *ws, const tsim_cohort *c) {
  const tsim_monitoring *mo = &c->plan->sc->monitoring;
  return mo->at_looks ? ws->held - 1 : mo->nchecks;
}
static void check_at(const tsim_seq_ws *ws, const tsim_cohort *c, int k, int *check, double *date, long long *rand) {
  const tsim_monitoring *mo = &c->plan->sc->monitoring;
  const double *tr = c->t_rand;
  *check = mo->at_looks ? ws->idx[k] : k;
  *rand = mo->at_looks ? tsim_accrual_count_by(tr, c->n, ws->date[k], 0) : (long long)(k + 1) * mo->every;
  *date = mo->at_looks ? ws->date[k] : tr[*rand - 1];
}

/* The trial's monitoring checks, and what they flagged under the hypotheses of hmask (bit h)
 * added to t; the counts of both hypotheses (checks, anomalous sites) with the alternative's. */
static void monitor_trial(tsim_seq_ws *ws, const tsim_cohort *c, tsim_tally *t, int hmask) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_monitoring *mo = &sc->monitoring;
  const double *tr = c->t_rand;
  const int R = mo->nrules, S = sc->nsites, C = mo->nchecks;
  int fresh = !ws->mon_valid; /* else find_closures has checked this very trial */
  if (fresh) tsim_monitor_begin(ws->mon, c);
  for (int k = 0, nk = checks_held(ws, c); k < nk; k++) {
    int check;
    double date;
    long long r;
    check_at(ws, c, k, &check, &date, &r);
    if (fresh) tsim_monitor_check(ws->mon, c, date, check);
    ws->check_rand[check] = r;
    if (!(hmask & 1)) continue;
    double m = (date - tr[0]) * TSIM_MONTHS_SCALE;
    if (!(m <= TSIM_MONTHS_MAX * TSIM_MONTHS_SCALE)) m = TSIM_MONTHS_MAX * TSIM_MONTHS_SCALE;
    t->mon_check_held[check]++;
    t->mon_check_rand[check] += (uint64_t)r;
    t->mon_check_months[check] += (tsim_i128)(m + 0.5);
  }
  int anom_any = 0;
  for (int s = 0; s < S; s++)
    if (tsim_monitor_site_anomalous(c, s)) {
      if (hmask & 1) t->mon_anom[s]++;
      anom_any = 1;
    }
  if (hmask & 1) t->mon_anom_trials += (uint64_t)anom_any;
  for (int r = 0; r < R; r++)
    for (int h = 0; h < 2; h++) {
      if (!((hmask >> h) & 1)) continue;
      size_t o = (size_t)(r * 2 + h), os = o * (size_t)S, oc = o * (size_t)C;
      int all = anom_any, first_fa = -1, first_det = -1, last_det = -1;
      for (int s = 0; s < S; s++) {
        int k = tsim_monitor_first(ws->mon, r, h, s), anom = tsim_monitor_site_anomalous(c, s);
        if (anom) all = all && k >= 0;
        if (k < 0) continue;
        if (anom && (first_det < 0 || k < first_det)) first_det = k;
        if (anom && k > last_det) last_det = k;
        t->mon_flag_rand[os + (size_t)s] += (uint64_t)ws->check_rand[k];
        if (anom) {
          t->mon_flag_anom[os + (size_t)s]++;
          t->mon_first_anom[oc + (size_t)k]++;
        } else {
          t->mon_flag_norm[os + (size_t)s]++;
          t->mon_first_norm[oc + (size_t)k]++;
          if (first_fa < 0 || k < first_fa) first_fa = k;
        }
      }
      if (all) t->mon_all_det[oc + (size_t)last_det]++;
      if (first_det >= 0) t->mon_first_det[oc + (size_t)first_det]++;
      if (first_fa >= 0) t->mon_first_fa[oc + (size_t)first_fa]++;
    }
}

/* Points each analysis that acts on flags at the sites flagged by the date of look k. */
static void monitor_masks(tsim_seq_ws *ws, const tsim_scenario *sc, tsim_analysis_ws *w, double date) {
  for (int a = 0; a < sc->nanalyses; a++)
    for (int h = 0; h < 2; h++) {
      uint32_t rules = sc->analyses[a].exclude_flagged;
      unsigned char *m = ws->mask + ((size_t)a * 2 + (size_t)h) * (size_t)sc->nsites;
      w->flagged[h][a] = NULL;
      if (rules && tsim_monitor_mask(ws->mon, rules, h, date, m) > 0) w->flagged[h][a] = m;
    }
}

/* The trial sampled in c, look by look, for the hypotheses of hmask (bit h; the other's
 * outcomes are left as they were): the counts of both hypotheses (looks held, checks) are
 * added with the alternative's. */
static void evaluate(const tsim_seq_plan *p, tsim_seq_ws *ws, tsim_cohort *c, tsim_analysis_ws *w, tsim_tally *t,
                     tsim_outcome *out, int hmask) {
  const tsim_scenario *sc = c->plan->sc;
  const long long n = c->n;
  const int K = p->nlooks, ncomp = ws->ncomp, ncmp = ws->ncmp;
  const size_t n2 = 2 * (size_t)ncomp + 1;
  const double *tr = c->t_rand;
  plan_looks(p, ws, sc, tr, n);
  /* The checks at the looks the trial reached, also when their boundaries cannot be computed
   * below (the trial is then decided at the final analysis alone, but it did reach those
   * months, and find_closures stopped sites there). */
  if (ws->mon) monitor_trial(ws, c, t, hmask);
  int H = ws->held, fixed_levels = !p->months || H == 1 || months_levels(sc, ws) != 0;
  if (fixed_levels && p->months && H > 1) { /* no boundaries: the final analysis alone, at alpha */
    ws->idx[0] = K - 1, ws->m[0] = n, ws->date[0] = ws->date[H - 1];
    ws->held = H = 1;
    if (!ws->failed) t->looks_failed++; /* once a trial */
    ws->failed = 1;
  }
  for (int k = 0; k < H && K > 1 && (hmask & 1); k++)
    t->look_held[ws->idx[k]]++, t->look_due[ws->idx[k]] += (uint64_t)ws->m[k];
  int live = 0; /* the other hypothesis's stops are its own pass's */
  for (int h = 0; h < 2; h++)
    for (int i = 0; i < ncomp && ((hmask >> h) & 1); i++, live++) ws->stop[(size_t)h * (size_t)ncomp + (size_t)i] = -1;
  w->grow = 0; /* the first prepare below sums this trial from its first patient */
  for (int k = 0; k < H && live > 0; k++) {
    int last = k == H - 1, K_k = ws->idx[k];
    tsim_outcome *lo = ws->look + (size_t)k * n2;
    tsim_cohort view = *c; /* the patients due at visit v by then: a prefix */
    view.n = -1;
    if (ws->mon) monitor_masks(ws, sc, w, ws->date[k]);
    for (int v = 0; v < p->nvis; v++) {
      /* Every visit's analyses read the same patients at the final look, and at an interim
       * where two visits' prefixes coincide: one evaluation serves them all. */
      long long m = last ? n : tsim_accrual_count_by(tr, n, ws->date[k], p->lag[v]);
      if (m != view.n) {
        view.n = m;
        tsim_analysis_prepare(w, &view);
        w->grow = 1; /* the next prepare (a later visit or look) sees this trial's patients */
        tsim_analysis_eval_trial(w, ws->tmp);
      }
      for (int a = 0; a < sc->nanalyses; a++) {
        if (p->an_vis[a] != v) continue;
        const tsim_analysis *an = &sc->analyses[a];
        int higher = sc->endpoints[an->endpoint].higher_is_better;
        double level = fixed_levels ? (H == 1 ? an->alpha : p->level[a][K_k]) : ws->level[a * ws->lstride + k];
        double fut = fixed_levels ? (H == 1 ? -INFINITY : p->futility[a][K_k]) : ws->futility[a * ws->lstride + k];
        for (int h = 0; h < 2; h++)
          for (int j = 0; j < ncmp && ((hmask >> h) & 1); j++) {
            size_t i = (size_t)h * (size_t)ncomp + (size_t)a * (size_t)ncmp + (size_t)j;
            tsim_outcome o = ws->tmp[i];
            if (K > 1 && H > 1) { /* one look: the fixed design's own decision */
              o.reject = tsim_reject(o.p, level);
              o.favouring = o.reject && (higher ? o.diff > 0 : o.diff < 0);
            }
            lo[i] = o;
            if (ws->stop[i] >= 0) continue;
            int stop_fut = 0;
            if (!o.reject && !last && isfinite(fut)) stop_fut = favourable_z(&o, an->sided, higher) < fut;
            if (!(o.reject || stop_fut || last)) continue;
            ws->stop[i] = k;
            live--;
            out[i] = o;
            if (K > 1) {
              size_t q = (i - (size_t)h * (size_t)ncomp) * (size_t)K + (size_t)K_k;
              t->stop_eff[h][q] += (uint64_t)o.reject;
              t->stop_fav[h][q] += (uint64_t)o.favouring;
              t->stop_fut[h][q] += (uint64_t)stop_fut;
            }
          }
      }
    }
  }
  w->grow = 0;
  if (ws->mon) memset(w->flagged, 0, sizeof w->flagged); /* the masks are this trial's */
  /* The timed counts: each comparison ended at its look's date. */
  for (int h = 0; h < 2; h++)
    for (int i = 0; i < ncomp && ((hmask >> h) & 1); i++) {
      int k = ws->stop[(size_t)h * (size_t)ncomp + (size_t)i];
      long long r = k == H - 1 ? n : tsim_accrual_count_by(tr, n, ws->date[k], 0);
      double m = (ws->date[k] - tr[0]) * TSIM_MONTHS_SCALE;
      if (!(m <= TSIM_MONTHS_MAX * TSIM_MONTHS_SCALE)) m = TSIM_MONTHS_MAX * TSIM_MONTHS_SCALE;
      t->rand_sum[h][i] += (uint64_t)r;
      t->rand_sq[h][i] += (tsim_i128)r * r;
      t->months_sum[h][i] += fixed(m);
      t->months_sq[h][i] += fixed(m * m / TSIM_MONTHS_SCALE);
    }
}

/* Trial `trial` sampled into c with its sites stopping as `close` says (stop enrolment), unless
 * c holds exactly that already. */
static void sample_closed(tsim_seq_ws *ws, tsim_cohort *c, uint64_t seed, long long trial, const double *close) {
  size_t ns = (size_t)c->plan->sc->nsites;
  if (ws->sampled_trial == trial && c->seed == seed && memcmp(ws->sampled, close, ns * sizeof *close) == 0) return;
  memcpy(c->close_at, close, ns * sizeof *close);
  memcpy(ws->sampled, close, ns * sizeof *close);
  tsim_cohort_sample(c, seed, trial);
  ws->sampled_trial = trial;
  ws->mon_valid = 0;
}

/* A site's share of enrolment, for which sites still enrol: its weight, or with balanced
 * enrolment (the weights unused) the same for every site. */
static double enrolling_share(const tsim_scenario *sc, int s) {
  return sc->enrollment == TSIM_ENROLL_BALANCED ? 1.0 : sc->site_weights[s];
}

/* When each site stops enrolling under hypothesis h (close[s], INFINITY: never). A site stops at
 * the first check at which a rule with stop_enrolling flags it, and from then on takes no one:
 * the trial is drawn again with the stops found so far, which changes no patient randomised
 * before the last of them (accrual.c, stages.c), so the checks up to it flag the same sites,
 * and the checks go on from there. The last site still enrolling is never stopped (nor a site
 * with no enrollment weight counted as enrolling). */
static void find_closures(const tsim_seq_plan *p, tsim_seq_ws *ws, tsim_cohort *c, uint64_t seed, long long trial,
                          int h, double *close) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_monitoring *mo = &sc->monitoring;
  const int ns = sc->nsites;
  for (int s = 0; s < ns; s++) close[s] = INFINITY;
  for (int changed = 1; changed;) {
    changed = 0;
    sample_closed(ws, c, seed, trial, close);
    plan_looks(p, ws, sc, c->t_rand, c->n);
    /* Every check of this trial, both hypotheses (kept: the other hypothesis's search and the
     * evaluation of an unchanged trial reuse it). */
    if (!ws->mon_valid) {
      tsim_monitor_begin(ws->mon, c);
      for (int k = 0, nk = checks_held(ws, c); k < nk; k++) {
        int check;
        double date;
        long long r;
        check_at(ws, c, k, &check, &date, &r);
        tsim_monitor_check(ws->mon, c, date, check);
      }
      ws->mon_valid = 1;
    }
    /* The first check that stops a site still enrolling. */
    for (int k = 0, nk = checks_held(ws, c); k < nk && !changed; k++) {
      int check;
      double date;
      long long r;
      check_at(ws, c, k, &check, &date, &r);
      int open = 0;
      for (int s = 0; s < ns; s++) open += close[s] == INFINITY && enrolling_share(sc, s) > 0;
      for (int s = 0; s < ns && open > 1; s++) {
        if (close[s] != INFINITY) continue;
        int stop = 0;
        for (int q = 0; q < mo->nrules && !stop; q++)
          stop = mo->rules[q].stop_enrolling && tsim_monitor_first(ws->mon, q, h, s) == check;
        if (!stop) continue;
        close[s] = date;
        open -= enrolling_share(sc, s) > 0;
        changed = 1;
      }
    }
  }
}

void tsim__seq_trial(const tsim_seq_plan *p, tsim_seq_ws *ws, tsim_cohort *c, tsim_analysis_ws *w,
                     uint64_t seed, long long trial, tsim_tally *t, tsim_outcome *out) {
  ws->failed = 0;
  ws->mon_valid = 0;
  if (!ws->close[0]) {
    tsim_cohort_sample(c, seed, trial);
    evaluate(p, ws, c, w, t, out, 3);
    return;
  }
  /* Stops differ between the hypotheses when their data flag different sites: each is then
   * its own trial (the same draws, other sites enrolling after the stops). */
  find_closures(p, ws, c, seed, trial, 0, ws->close[0]);
  find_closures(p, ws, c, seed, trial, 1, ws->close[1]);
  size_t ns = (size_t)c->plan->sc->nsites;
  if (memcmp(ws->close[0], ws->close[1], ns * sizeof(double)) == 0) {
    sample_closed(ws, c, seed, trial, ws->close[0]);
    evaluate(p, ws, c, w, t, out, 3);
    return;
  }
  for (int h = 0; h < 2; h++) {
    sample_closed(ws, c, seed, trial, ws->close[h]);
    evaluate(p, ws, c, w, t, out, 1 << h);
  }
}

tsim_status tsim_seq_sample_as_run(const tsim_scenario *sc, tsim_cohort *c, uint64_t seed, long long trial, int h) {
  if (!sc->monitoring.stop) {
    tsim_cohort_sample(c, seed, trial);
    return TSIM_OK;
  }
  tsim_seq_plan *p = malloc(sizeof *p);
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_status st = p ? tsim__seq_plan_init(p, sc, &d) : TSIM_NOMEM;
  tsim_diag_clear(&d);
  tsim_seq_ws *ws = st == TSIM_OK ? tsim__seq_ws_new(sc, p) : NULL;
  if (st == TSIM_OK && !ws) st = TSIM_NOMEM;
  if (st == TSIM_OK) {
    find_closures(p, ws, c, seed, trial, h, ws->close[h]);
    sample_closed(ws, c, seed, trial, ws->close[h]);
  }
  tsim__seq_ws_free(ws);
  free(p);
  return st;
}

const tsim_outcome *tsim__seq_outcomes_where(const tsim_seq_ws *ws, int h, int cmp) {
  int k = ws->stop[(size_t)h * (size_t)ws->ncomp + (size_t)cmp];
  return ws->look + (size_t)k * (2 * (size_t)ws->ncomp + 1) + (size_t)h * (size_t)ws->ncomp;
}
