/* monitor.c - site monitoring rules checked on one trial (see monitor.h). */
#include "analysis/monitor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "input/latent_layout.h"
#include "model/accrual.h"
#include "stats/stattest.h"

struct tsim_monitor_ws {
  const tsim_scenario *sc;
  int nrules, ns;
  double lag[TSIM_MAX_MONITOR_RULES];   /* each rule's visit, in months after randomisation */
  int visit[TSIM_MAX_MONITOR_RULES];    /* ... as a scenario visit index */
  long long pos[TSIM_MAX_MONITOR_RULES];/* patients read so far (a prefix) */
  long long tx[TSIM_MAX_MONITOR_RULES][2], tn[TSIM_MAX_MONITOR_RULES][2]; /* totals over sites */
  long long *x, *n;                     /* [(r * 2 + h) * ns + s] counts per site */
  int *first;                           /* [(r * 2 + h) * ns + s] first flagging check, or -1 */
  int *dirty;                           /* [r * ns + s] sites with patients read since rule r's last
                                           check (a threshold rule judges only those) */
  int *ndirty;                          /* [r] how many */
  unsigned char *is_dirty;              /* [r * ns + s] */
  double *date;                         /* [nchecks + 1] each check's month */
};

tsim_monitor_ws *tsim_monitor_ws_new(const tsim_scenario *sc) {
  tsim_monitor_ws *ws = calloc(1, sizeof *ws);
  if (!ws) return NULL;
  const tsim_monitoring *mo = &sc->monitoring;
  ws->sc = sc;
  ws->nrules = mo->nrules;
  ws->ns = sc->nsites;
  size_t cells = (size_t)mo->nrules * 2 * (size_t)sc->nsites + 1;
  ws->x = malloc(cells * sizeof *ws->x);
  ws->n = malloc(cells * sizeof *ws->n);
  ws->first = malloc(cells * sizeof *ws->first);
  ws->date = malloc(((size_t)mo->nchecks + 1) * sizeof *ws->date);
  ws->dirty = malloc(((size_t)mo->nrules * (size_t)sc->nsites + 1) * sizeof *ws->dirty);
  ws->ndirty = calloc((size_t)mo->nrules + 1, sizeof *ws->ndirty);
  ws->is_dirty = calloc((size_t)mo->nrules * (size_t)sc->nsites + 1, 1);
  if (!ws->x || !ws->n || !ws->first || !ws->date || !ws->dirty || !ws->ndirty || !ws->is_dirty) {
    tsim_monitor_ws_free(ws);
    return NULL;
  }
  for (int r = 0; r < mo->nrules; r++) {
    const tsim_monitor_rule *m = &mo->rules[r];
    ws->visit[r] = sc->endpoints[m->endpoint].visits[m->visit];
    ws->lag[r] = sc->visit_week[ws->visit[r]] * TSIM_MONTHS_PER_WEEK;
  }
  return ws;
}

void tsim_monitor_ws_free(tsim_monitor_ws *ws) {
  if (!ws) return;
  free(ws->x);
  free(ws->n);
  free(ws->first);
  free(ws->date);
  free(ws->dirty);
  free(ws->ndirty);
  free(ws->is_dirty);
  free(ws);
}

void tsim_monitor_begin(tsim_monitor_ws *ws, const tsim_cohort *c) {
  (void)c;
  size_t cells = (size_t)ws->nrules * 2 * (size_t)ws->ns;
  memset(ws->x, 0, cells * sizeof *ws->x);
  memset(ws->n, 0, cells * sizeof *ws->n);
  for (size_t i = 0; i < cells; i++) ws->first[i] = -1;
  memset(ws->pos, 0, sizeof ws->pos);
  for (int r = 0; r < ws->nrules; r++) {
    for (int i = 0; i < ws->ndirty[r]; i++) ws->is_dirty[(size_t)r * (size_t)ws->ns + (size_t)ws->dirty[(size_t)r * (size_t)ws->ns + (size_t)i]] = 0;
    ws->ndirty[r] = 0;
  }
  memset(ws->tx, 0, sizeof ws->tx);
  memset(ws->tn, 0, sizeof ws->tn);
}

/* Adds patients [from, to) to rule r's counts under both hypotheses. */
static void read_patients(tsim_monitor_ws *ws, const tsim_cohort *c, int r, long long from, long long to) {
  const tsim_monitor_rule *m = &ws->sc->monitoring.rules[r];
  const tsim_patients *pt = &c->pat;
  const size_t stride = (size_t)c->plan->lat->nmeas;
  const int meas = c->plan->lat->meas_start[m->endpoint] + m->visit, v = ws->visit[r];
  for (int h = 0; h < 2; h++) {
    long long *x = ws->x + (size_t)(r * 2 + h) * (size_t)ws->ns, *n = ws->n + (size_t)(r * 2 + h) * (size_t)ws->ns;
    long long X = 0, N = 0;
    for (long long j = from; j < to; j++) {
      if (m->arm >= 0 && c->arm[j] != m->arm) continue;
      int assessed = pt->gone[h][j] > v, s = c->site[j];
      long long hit;
      switch (m->measure) {
        case TSIM_MON_RESPONSE:
          if (!assessed) continue;
          hit = pt->val[h][(size_t)j * stride + (size_t)meas] != 0;
          break;
        case TSIM_MON_DROPOUT: hit = !assessed; break;
        default: /* deviation */
          if (!assessed) continue;
          hit = pt->dev[j] != 0;
          break;
      }
      x[s] += hit;
      n[s]++;
      unsigned char *d = ws->is_dirty + (size_t)r * (size_t)ws->ns + (size_t)s;
      if (!*d) *d = 1, ws->dirty[(size_t)r * (size_t)ws->ns + (size_t)ws->ndirty[r]++] = s;
      X += hit;
      N++;
    }
    ws->tx[r][h] += X;
    ws->tn[r][h] += N;
  }
}

/* 1 when rule m flags a site with x of n among its patients, the other sites having X - x of
 * N - n. */
static int flags(const tsim_monitor_rule *m, long long x, long long n, long long X, long long N) {
  if (n < m->min_n) return 0;
  if (m->test == TSIM_MON_THRESHOLD) return (double)x >= m->rate * (double)n - 1e-9 * (double)n;
  long long xr = X - x, nr = N - n;
  if (nr < 1) return 0; /* no other site to compare with */
  /* A site on the other side of the others' rate has a one-sided p-value of at least 1/2 (the
   * median of Bin(n, p) is floor(n p) or ceil(n p)): no need to compute it. */
  if (m->level < 0.5 && m->direction == TSIM_MON_HIGHER && x * nr <= n * xr) return 0;
  if (m->level < 0.5 && m->direction == TSIM_MON_LOWER && x * nr >= n * xr) return 0;
  double p0 = (double)xr / (double)nr, p;
  if (m->direction == TSIM_MON_EITHER) p = tsim_binomial_exact_p(x, n, p0);
  else p = tsim_binomial_one_sided_p(x, n, p0, m->direction == TSIM_MON_HIGHER);
  return tsim_reject(p, m->level);
}

void tsim_monitor_check(tsim_monitor_ws *ws, const tsim_cohort *c, double date, int check) {
  const tsim_monitoring *mo = &ws->sc->monitoring;
  ws->date[check] = date;
  for (int r = 0; r < ws->nrules; r++) {
    const tsim_monitor_rule *m = &mo->rules[r];
    long long due = tsim_accrual_count_by(c->t_rand, c->n, date, ws->lag[r]);
    /* No patient read since the last check: the counts, and so the flags, are as they were. */
    if (due <= ws->pos[r]) continue;
    read_patients(ws, c, r, ws->pos[r], due);
    ws->pos[r] = due;
    /* A threshold judges a site on its own counts: only the sites with new patients. The
     * binomial test compares with the other sites' rate, which has moved: every site. */
    int *dirty = ws->dirty + (size_t)r * (size_t)ws->ns, nd = ws->ndirty[r], every = m->test == TSIM_MON_BINOMIAL;
    for (int h = 0; h < 2; h++) {
      size_t o = (size_t)(r * 2 + h) * (size_t)ws->ns;
      for (int i = 0; i < (every ? ws->ns : nd); i++) {
        size_t s = (size_t)(every ? i : dirty[i]);
        if (ws->first[o + s] < 0 && flags(m, ws->x[o + s], ws->n[o + s], ws->tx[r][h], ws->tn[r][h])) ws->first[o + s] = check;
      }
    }
    for (int i = 0; i < nd; i++) ws->is_dirty[(size_t)r * (size_t)ws->ns + (size_t)dirty[i]] = 0;
    ws->ndirty[r] = 0;
  }
}

int tsim_monitor_first(const tsim_monitor_ws *ws, int r, int h, int s) {
  return ws->first[(size_t)(r * 2 + h) * (size_t)ws->ns + (size_t)s];
}

int tsim_monitor_mask(const tsim_monitor_ws *ws, uint32_t rules, int h, double date, unsigned char *mask) {
  int count = 0;
  for (int s = 0; s < ws->ns; s++) {
    int hit = 0;
    for (int r = 0; r < ws->nrules && !hit; r++) {
      if (!((rules >> r) & 1u)) continue;
      int k = tsim_monitor_first(ws, r, h, s);
      hit = k >= 0 && ws->date[k] <= date;
    }
    mask[s] = (unsigned char)hit;
    count += hit;
  }
  return count;
}

int tsim_monitor_site_anomalous(const tsim_cohort *c, int s) {
  const tsim_scenario *sc = c->plan->sc;
  for (int k = 0; k < sc->nanomalies; k++)
    if (sc->anomalies[k].enabled && c->anomalous[(size_t)k * (size_t)sc->nsites + (size_t)s]) return 1;
  return 0;
}
