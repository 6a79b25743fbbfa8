/* size.c - sample-size search by simulation (see size.h).
 *
 * Starting formula (two proportions, normal approximation; e.g. Chow, Shao & Wang, "Sample
 * Size Calculations in Clinical Research", 2nd ed., section 4.2): with allocation fractions
 * w_c, w_e of the total N, analysed fractions f (1 - dropout, times 1 - deviation for
 * per-protocol, times the share of patients in sites not excluded beforehand), and response
 * p_c, p_e (times 1 - dropout under non-responder imputation),
 *   N = [z_{1-a/2} sqrt(pbar qbar (1/(w_c f_c) + 1/(w_e f_e)))
 *        + z_{1-b} sqrt(p_c q_c / (w_c f_c) + p_e q_e / (w_e f_e))]^2 / (p_e - p_c)^2.
 * Anomalies, heterogeneity and data-driven rules are ignored there; the simulation accounts
 * for them.
 */
#include "run/size.h"

#include "core/numfmt.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

/* Share of patients enrolled in sites that analysis an keeps beforehand. */
static double kept_share(const tsim_scenario *sc, const tsim_analysis *an) {
  if (!an->exclude) return 1.0;
  double kept = 0;
  for (int s = 0; s < sc->nsites; s++)
    if (!an->exclude[s])
      kept += sc->enrollment == TSIM_ENROLL_BALANCED ? 1.0 / sc->nsites : sc->site_weights[s];
  return kept;
}

/* Expected analysed patients per randomised patient of arm `a` in analysis an, and the
 * expected analysed response rate (binary, non-responder imputation counts dropouts as 0). */
static double analysed_share(const tsim_scenario *sc, const tsim_analysis *an, int a, double *p) {
  const tsim_arm *arm = &sc->arms[a];
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  double total = 0;
  for (int i = 0; i < sc->narms; i++) total += sc->arms[i].allocation;
  double f = arm->allocation / total * kept_share(sc, an);
  double drop = arm->dropout_by[ep->visits[an->visit]];
  if (an->subgroup >= 0) f *= sc->subgroups[an->subgroup].prevalence;
  if (an->population == TSIM_POP_ITT && an->missing == TSIM_MISSING_NON_RESPONDER)
    *p *= 1 - drop;
  else
    f *= 1 - drop;
  if (an->population == TSIM_POP_PER_PROTOCOL) f *= 1 - arm->deviation;
  return f;
}

/* The start for an analysis with a margin: a one-sided z test at the analysis's level of the
 * effect against the margin on the measure's scale (Blackwelder 1982 for the risk difference;
 * the log scale for ratios of risks and odds, the delta method; for a ratio of means the linear
 * form m1 - theta m0), N = (z_{1-level} + z_power)^2 V / d^2 with d the analysed effect's distance
 * from the margin and V the variance of one patient's share. Equivalence: the nearer margin, with
 * z_{(1+power)/2} when the effect lies midway. */
static long long margin_formula(const tsim_scenario *sc, const tsim_analysis *an, const tsim_endpoint *ep,
                                const int *arms, const double *p, const double *v, double target, char *why,
                                size_t n) {
  double za = gsl_cdf_ugaussian_Qinv(an->level), zb = gsl_cdf_ugaussian_Pinv(target);
  int hb = ep->higher_is_better, nside = an->hypothesis == TSIM_HYPO_EQUIVALENCE ? 2 : 1;
  double best = INFINITY, V = NAN, d[2] = {NAN, NAN};
  for (int i = 0; i < nside; i++) {
    double th = an->margin[i], e, var;
    switch (an->measure) {
    case TSIM_MEAS_RISK_DIFF:
      e = p[1] - p[0] - th;
      var = p[0] * (1 - p[0]) / v[0] + p[1] * (1 - p[1]) / v[1];
      break;
    case TSIM_MEAS_RISK_RATIO:
      e = log(p[1] / p[0]) - log(th);
      var = (1 - p[0]) / (p[0] * v[0]) + (1 - p[1]) / (p[1] * v[1]);
      break;
    case TSIM_MEAS_ODDS_RATIO:
      e = log(p[1] / (1 - p[1]) * (1 - p[0]) / p[0]) - log(th);
      var = 1 / (p[0] * (1 - p[0]) * v[0]) + 1 / (p[1] * (1 - p[1]) * v[1]);
      break;
    case TSIM_MEAS_MEAN_RATIO: {
      double s0 = ep->sd[arms[0]], s1 = ep->sd[arms[1]];
      e = p[1] - th * p[0];
      var = s1 * s1 / v[1] + th * th * s0 * s0 / v[0];
      break;
    }
    default: {
      double s0 = ep->sd[arms[0]], s1 = ep->sd[arms[1]];
      e = p[1] - p[0] - th;
      var = s0 * s0 / v[0] + s1 * s1 / v[1];
      break;
    }
    }
    /* The side's favourable sign: above the lower margin (non-inferiority when higher is better,
     * equivalence's lower), below the other. */
    int above = nside == 2 ? i == 0 : hb;
    d[i] = above ? e : -e;
    if (!(d[i] > 0) || !isfinite(var) || v[0] <= 0 || v[1] <= 0) {
      snprintf(why, n, "no formula: the analysed effect does not lie on the favourable side of the margin %.4g "
                       "(analysed %s %.4g vs %.4g)", th, ep->type == TSIM_EP_CONTINUOUS ? "means" : "rates", p[0], p[1]);
      return 0;
    }
    if (d[i] < best) best = d[i], V = var;
  }
  if (nside == 2 && fabs(d[0] - d[1]) < 1e-9 * (d[0] + d[1])) zb = gsl_cdf_ugaussian_Pinv((1 + target) / 2);
  double N = pow(za + zb, 2) * V / (best * best);
  char num[TSIM_NUM_CHARS];
  snprintf(why, n, "normal approximation against the %s margin on %s: analysed %s %.4g vs %.4g, analysed shares "
                   "%.4g and %.4g of N, one-sided level %s: N = %.1f",
           tsim_hypo_names[an->hypothesis], tsim_measure_names[an->measure],
           ep->type == TSIM_EP_CONTINUOUS ? "means" : "rates", p[0], p[1], v[0], v[1], tsim_num(num, an->level), N);
  (void)sc;
  return N > (double)TSIM_MAX_SAMPLE ? TSIM_MAX_SAMPLE : (long long)ceil(N);
}

long long tsim_size_formula(const tsim_scenario *sc, int k, double target, char *why, size_t n) {
  int ncmp = tsim_scenario_ncomparisons(sc);
  const tsim_analysis *an = &sc->analyses[k / ncmp];
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  int arms[2] = {sc->control, tsim_comparison_arm(sc, k % ncmp)};
  double p[2], v[2];
  double za = gsl_cdf_ugaussian_Qinv(an->alpha / an->sided), zb = gsl_cdf_ugaussian_Pinv(target);
  for (int i = 0; i < 2; i++) {
    p[i] = ep->type == TSIM_EP_CONTINUOUS ? ep->mean_v[an->visit][arms[i]]
                                          : ep->resp_v[an->visit][arms[i]];
    v[i] = analysed_share(sc, an, arms[i], &p[i]);
  }
  double N;
  char num[TSIM_NUM_CHARS];
  if (an->hypothesis != TSIM_HYPO_SUPERIORITY) return margin_formula(sc, an, ep, arms, p, v, target, why, n);
  if (sc->single_arm) {
    double p0 = ep->p0, p1 = p[1], delta = p1 - p0;
    if (fabs(delta) < 1e-12 || v[1] <= 0) {
      snprintf(why, n, "no formula: the analysed response rate equals p0 (%.4g)", p0);
      return 0;
    }
    N = pow(za * sqrt(p0 * (1 - p0)) + zb * sqrt(p1 * (1 - p1)), 2) / (delta * delta) / v[1];
    snprintf(why, n, "normal approximation for one proportion against p0 = %.4g: analysed rate "
                     "%.4g, analysed share %.4g of N, %s alpha %s: N = %.1f",
             p0, p1, v[1], an->sided == 1 ? "one-sided" : "two-sided", tsim_num(num, an->alpha), N);
  } else if (ep->type == TSIM_EP_CONTINUOUS) {
    double delta = p[1] - p[0], s0 = ep->sd[arms[0]], s1 = ep->sd[arms[1]];
    if (fabs(delta) < 1e-12 * (s0 + s1) || v[0] <= 0 || v[1] <= 0) {
      snprintf(why, n, "no formula: the means do not differ (%.4g vs %.4g)", p[0], p[1]);
      return 0;
    }
    N = pow(za + zb, 2) * (s0 * s0 / v[0] + s1 * s1 / v[1]) / (delta * delta);
    snprintf(why, n, "normal approximation for two means: %.4g vs %.4g, SDs %.4g and %.4g, "
                     "analysed shares %.4g and %.4g of N, %s alpha %s: N = %.1f",
             p[0], p[1], s0, s1, v[0], v[1], an->sided == 1 ? "one-sided" : "two-sided", tsim_num(num, an->alpha), N);
  } else {
    double delta = p[1] - p[0];
    if (fabs(delta) < 1e-12 || v[0] <= 0 || v[1] <= 0) {
      snprintf(why, n, "no formula: the analysed response rates do not differ (%.4g vs %.4g)",
               p[0], p[1]);
      return 0;
    }
    double pbar = (p[0] * v[0] + p[1] * v[1]) / (v[0] + v[1]);
    double s0 = sqrt(pbar * (1 - pbar) * (1 / v[0] + 1 / v[1]));
    double s1 = sqrt(p[0] * (1 - p[0]) / v[0] + p[1] * (1 - p[1]) / v[1]);
    N = pow(za * s0 + zb * s1, 2) / (delta * delta);
    snprintf(why, n, "normal approximation for two proportions: analysed rates %.4g vs %.4g, "
                     "analysed shares %.4g and %.4g of N, %s alpha %s: N = %.1f",
             p[0], p[1], v[0], v[1], an->sided == 1 ? "one-sided" : "two-sided", tsim_num(num, an->alpha), N);
  }
  return N > (double)TSIM_MAX_SAMPLE ? TSIM_MAX_SAMPLE : (long long)ceil(N);
}

/* ---- the search ------------------------------------------------------------------------- */

typedef struct search {
  const char *file;
  tsim_scenario_source *src;                 /* the file, parsed once */
  tsim_override ov[TSIM_SIZE_MAX_FIXED + 1]; /* fixed overrides, then sample_size */
  int nov;
  const tsim_size_opts *o;
  tsim_run_opts ro;                          /* the caller's, with our progress relay */
  tsim_progress_fn caller_progress;          /* the caller's own run progress, if any */
  void *caller_progress_ctx;
  tsim_size_result *res;
  tsim_diag *d;
  long long n_min, n_max, step;
  long long centre;                          /* the window's centre, once bisected */
  double z;                                  /* the bounds' z */
  long long first_look;                      /* trials at a size's first look (sequential) */
  tsim_size_progress pg;                     /* what the progress callback is told */
  tsim_status status;                        /* of the last evaluation */
} search;

static long long up(const search *s, double x) {
  long long v = (long long)ceil(x / (double)s->step) * s->step;
  if (v < s->n_min) v = s->n_min;
  return v > s->n_max ? s->n_max : v;
}

static long long down(const search *s, double x) {
  long long v = (long long)floor(x / (double)s->step) * s->step;
  return v < s->n_min ? s->n_min : v;
}

static const tsim_size_point *find_point(const tsim_size_result *r, long long n) {
  for (int i = 0; i < r->npoints; i++)
    if (r->points[i].n == n) return &r->points[i];
  return NULL;
}

int tsim_size_point_reaches(const tsim_size_point *p, int ncomparisons, double target) {
  for (int i = 0; i < ncomparisons; i++)
    if (!((double)p->favouring[i][0] >= target * (double)p->trials)) return 0;
  return 1;
}

int tsim_size_point_side(const tsim_size_point *p, int ncomparisons, double target, double z) {
  int above = 1;
  for (int i = 0; i < ncomparisons; i++) {
    double lo, hi;
    tsim_wilson(p->favouring[i][0], (uint64_t)p->trials, z, &lo, &hi);
    if (hi < target) return -1;
    if (!(lo > target)) above = 0;
  }
  return above;
}

int tsim_size_looks(long long first, long long trials) {
  int k = 0;
  for (long long n = first; n < trials; n *= 2) k++;
  return k;
}

static int reaches(const search *s, const tsim_size_point *p) {
  return tsim_size_point_reaches(p, s->res->ncomparisons, s->o->target);
}

/* Bisection steps left between lo and hi (as search_run takes them). */
static int bisect_steps(const search *s, long long lo, long long hi) {
  int k = 0;
  for (long long g = (hi - lo) / s->step; g > 1; g = (g + 1) / 2) k++;
  return k;
}

/* The window's sizes around `hi` not simulated yet (other than `except`), and their sum. */
static int window_left(const search *s, long long hi, long long except, long long *patients) {
  long long w = (long long)s->o->window * s->step;
  int k = 0;
  for (long long n = hi - w; n <= hi + w; n += s->step)
    if (n >= s->n_min && n <= s->n_max && n != except && !find_point(s->res, n)) {
      k++;
      *patients += n;
    }
  return k;
}

/* The estimate of what remains (tsim_size_progress.remaining) after size n, which is being
 * simulated (running 1) or has just been. */
static void estimate_remaining(search *s, long long n, int running) {
  tsim_size_progress *g = &s->pg;
  g->remaining = -1;
  g->remaining_patients = 0;
  if (g->phase == TSIM_SIZE_BRACKETING) return;
  if (g->phase == TSIM_SIZE_WINDOW) {
    g->remaining = window_left(s, s->centre, n, &g->remaining_patients);
    return;
  }
  /* Bisecting: the steps left in the bracket (n, being simulated, is the first of them), then
   * the window around an answer inside it (its sizes counted at the bracket's middle). */
  int k = bisect_steps(s, g->lo, g->hi) - running;
  if (k < 0) k = 0;
  long long mid = (g->lo + g->hi) / 2;
  g->remaining = k + 2 * s->o->window + 1;
  g->remaining_patients = (long long)g->remaining * mid;
}

static void relay_run_progress(void *ctx, long long done, long long total) {
  search *s = ctx;
  if (s->caller_progress) s->caller_progress(s->caller_progress_ctx, done, total);
  if (!s->o->progress) return;
  s->pg.trials_done = done;
  s->pg.trials = total;
  s->o->progress(s->o->progress_ctx, &s->pg);
}

/* p's counts from the tally t of size n, and its side of the target. */
static void fill_point(const search *s, tsim_size_point *p, long long n, const tsim_tally *t) {
  const tsim_size_result *r = s->res;
  memset(p, 0, sizeof *p);
  p->n = n;
  p->trials = t->trials;
  for (int h = 0; h < 2; h++) {
    for (int c = 0; c < r->ncomparisons; c++) {
      const tsim_tally_cell *cell = h ? tsim_tally_null(t, r->comparison[c]) : &t->cell[0][r->comparison[c]];
      p->reject[c][h] = cell->reject;
      p->favouring[c][h] = cell->favouring;
      double dn = (double)t->trials;
      p->expected_n[c][h] = t->timed ? (double)t->rand_sum[h][r->comparison[c]] / dn : NAN;
      p->expected_months[c][h] = t->timed ? (double)t->months_sum[h][r->comparison[c]] / TSIM_MONTHS_SCALE / dn : NAN;
    }
    p->all[h] = r->ncomparisons == 1 ? p->reject[0][h] : t->all[h];
    p->all_favouring[h] = r->ncomparisons == 1 ? p->favouring[0][h] : t->all_fav[h];
  }
  p->side = tsim_size_point_side(p, r->ncomparisons, s->o->target, s->z);
}

/* The looks of a size (tsim_looks.next): stop once it is told apart from the target, or every
 * named power's MCSE is at most the mcse asked for; else twice the trials. The decision reads
 * only the exact counts, so it is the same for any thread count. */
static long long size_next_look(void *ctx, const tsim_tally *t) {
  search *s = ctx;
  tsim_size_point p;
  fill_point(s, &p, 0, t);
  if (p.side != 0) return 0;
  if (s->o->mcse > 0) {
    int precise = 1;
    for (int c = 0; c < s->res->ncomparisons; c++)
      if (tsim_mcse_bound(p.favouring[c][0], (uint64_t)p.trials) > s->o->mcse) precise = 0;
    if (precise) return 0;
  }
  return 2 * t->trials;
}

/* Simulates size n (once; later calls return the stored point). NULL on failure, with the
 * reason in d and its status in s->status. */
/* The last override, kept for the size: sample_size n. */
static void set_size(search *s, long long n) {
  snprintf(s->ov[s->nov - 1].path, sizeof s->ov[0].path, "sample_size");
  s->ov[s->nov - 1].value = (double)n;
  s->ov[s->nov - 1].boolean = 0;
}

static const tsim_size_point *evaluate(search *s, long long n) {
  tsim_size_result *r = s->res;
  const tsim_size_point *have = find_point(r, n);
  if (have) return have;
  set_size(s, n);
  tsim_scenario *sc = NULL;
  s->status = tsim_scenario_from_source(s->src, s->ov, s->nov, &sc, s->d);
  if (s->status != TSIM_OK) return NULL;
  s->pg.n = n;
  s->pg.point = NULL;
  s->pg.trials_done = 0;
  s->pg.trials = s->ro.trials;
  estimate_remaining(s, n, 1);
  if (s->o->progress) s->o->progress(s->o->progress_ctx, &s->pg);
  tsim_tally *t = NULL;
  if (s->o->sequential) {
    tsim_looks lk = {s->first_look, size_next_look, s};
    int one = r->ncomparisons == 1; /* as tsim_run: no joint count to keep */
    s->status = tsim_run_looks(sc, &s->ro, one ? NULL : r->comparison, one ? 0 : r->ncomparisons, &lk, &t);
  } else {
    s->status = r->ncomparisons == 1 ? tsim_run(sc, &s->ro, &t)
                                      : tsim_run_all_of(sc, &s->ro, r->comparison, r->ncomparisons, &t);
  }
  int cells = tsim_cohort_cell_mode(sc);
  tsim_scenario_free(sc);
  if (s->status != TSIM_OK) {
    tsim_diag_add(s->d, "%s: simulation at sample_size %lld failed: %s", s->file, n,
                  tsim_status_message(s->status));
    return NULL;
  }
  if (r->npoints == r->cap) {
    int cap = r->cap ? 2 * r->cap : 32;
    tsim_size_point *np = realloc(r->points, (size_t)cap * sizeof *np);
    if (!np) {
      tsim_tally_free(t);
      tsim_diag_add(s->d, "%s: out of memory", s->file);
      s->status = TSIM_NOMEM;
      return NULL;
    }
    r->points = np;
    r->cap = cap;
  }
  /* Keep the points sorted by n. */
  int i = r->npoints;
  while (i > 0 && r->points[i - 1].n > n) { r->points[i] = r->points[i - 1]; i--; }
  tsim_size_point *p = &r->points[i];
  fill_point(s, p, n, t);
  p->cell_mode = cells;
  p->stopped = t->trials >= s->ro.trials ? TSIM_SIZE_STOP_MAX
               : p->side != 0 ? TSIM_SIZE_STOP_SIDE : TSIM_SIZE_STOP_MCSE;
  r->trials_total += p->trials;
  r->patients_total += (double)p->trials * (double)n;
  r->npoints++;
  tsim_tally_free(t);
  s->pg.evaluated = r->npoints;
  s->pg.point = p;
  s->pg.trials_done = s->pg.trials;
  if (s->pg.phase == TSIM_SIZE_WINDOW) {
    /* The window's sizes do not move the bracket (power is not monotone in N). */
  } else if (reaches(s, p)) {
    if (s->pg.hi == 0 || n < s->pg.hi) s->pg.hi = n;
  } else if (n > s->pg.lo && (s->pg.hi == 0 || n < s->pg.hi)) {
    s->pg.lo = n;
  }
  if (s->o->progress) {
    estimate_remaining(s, n, 0);
    s->o->progress(s->o->progress_ctx, &s->pg);
  }
  return p;
}

/* Brackets the answer: lo fails (or is below the smallest size), hi reaches the target. */
static int bracket(search *s, long long *lo, long long *hi) {
  long long n = up(s, (double)s->res->start);
  const tsim_size_point *p = evaluate(s, n);
  if (!p) return -1;
  if (reaches(s, p)) {
    *hi = n;
    *lo = s->n_min - s->step; /* "below the lattice" until a failing size is found */
    while (*hi > s->n_min) {
      long long m = down(s, (double)*hi / 2);
      if (!(p = evaluate(s, m))) return -1;
      if (!reaches(s, p)) { *lo = m; break; }
      *hi = m;
    }
    return 1;
  }
  *lo = n;
  while (*lo < s->n_max) {
    long long m = up(s, (double)*lo * 2);
    if (!(p = evaluate(s, m))) return -1;
    if (reaches(s, p)) { *hi = m; return 1; }
    *lo = m;
  }
  return 0; /* the target is not reached up to n_max */
}

static void conclude(search *s) {
  tsim_size_result *r = s->res;
  r->reached = 0;
  r->sample_size = r->stable_sample_size = 0;
  for (int i = 0; i < r->npoints; i++)
    if (reaches(s, &r->points[i])) {
      r->reached = 1;
      r->sample_size = r->points[i].n;
      break;
    }
  for (int i = r->npoints - 1; i >= 0 && reaches(s, &r->points[i]); i--)
    r->stable_sample_size = r->points[i].n;
}

static long long default_step(const tsim_scenario *sc) {
  double total = 0;
  for (int a = 0; a < sc->narms; a++) {
    if (sc->arms[a].allocation != floor(sc->arms[a].allocation)) return 1;
    total += sc->arms[a].allocation;
  }
  return total >= 1 && total <= 1000 ? (long long)total : 1;
}

/* The smallest size at which every arm expects at least one patient (the loader's rule). */
static long long smallest_size(const tsim_scenario *sc) {
  double total = 0, amin = INFINITY;
  for (int a = 0; a < sc->narms; a++) {
    total += sc->arms[a].allocation;
    if (sc->arms[a].allocation < amin) amin = sc->arms[a].allocation;
  }
  long long n = (long long)floor(total / amin) - 1;
  if (n < 1) n = 1;
  while (tsim_floor_share((double)n * amin / total) < 1) n++;
  return n;
}

/* Finds the comparison named `name` (its index, or -1 with the reason in d). */
static int find_comparison(search *s, const tsim_scenario *sc, const char *name) {
  int k = tsim_comparison_find(sc, name);
  if (k >= 0) return k;
  int ncmp = tsim_scenario_ncomparisons(sc), a = 0;
  while (a < sc->nanalyses && strcmp(sc->analyses[a].id, name) != 0) a++;
  if (a < sc->nanalyses && ncmp > 1) {
    /* With more than two arms an analysis has one comparison per experimental arm. */
    char names[512] = "", buf[2 * TSIM_ID_MAX + 2];
    for (int j = 0; j < ncmp; j++) {
      size_t len = strlen(names);
      snprintf(names + len, sizeof names - len, "%s%s", j ? ", " : "",
               tsim_comparison_id(sc, a * ncmp + j, buf, sizeof buf));
    }
    tsim_diag_add(s->d, "%s: --analysis: \"%s\" has %d comparisons (one per experimental arm): name one of %s",
                  s->file, name, ncmp, names);
  } else {
    char ids[TSIM_MAX_ANALYSES * (TSIM_ID_MAX + 2) + 1] = "";
    size_t used = 0;
    for (int i = 0; i < sc->nanalyses && used < sizeof ids; i++) {
      int w = snprintf(ids + used, sizeof ids - used, "%s%s", i ? ", " : "", sc->analyses[i].id);
      if (w > 0) used += (size_t)w;
    }
    tsim_diag_add(s->d, "%s: --analysis: no analysis \"%s\" in the scenario (its analyses: %s)", s->file, name, ids);
  }
  return -1;
}

/* A one-sided analysis whose scenario effect points the unfavourable way has power below its
 * alpha at every size: refused rather than doubling the size up to the limit. 0 or -1. */
static int check_direction(search *s, const tsim_scenario *sc, int k, const char *name) {
  int ncmp = tsim_scenario_ncomparisons(sc);
  const tsim_analysis *an = &sc->analyses[k / ncmp];
  double nominal = tsim_analysis_nominal(sc, k / ncmp, k % ncmp);
  int better = sc->endpoints[an->endpoint].higher_is_better ? nominal > 0 : nominal < 0;
  /* A margin's test is one-sided whatever "sided" says; the formula (margin_formula) says when
   * the effect does not beat the margin. */
  if (an->sided == 1 && !better && an->hypothesis == TSIM_HYPO_SUPERIORITY) {
    tsim_diag_add(s->d, "%s: --analysis %s: the analysis is one-sided in the favourable "
                  "direction, but the scenario's effect (nominal difference %.4g) is not "
                  "favourable: its power stays below alpha at every size", s->file,
                  name, nominal);
    return -1;
  }
  return 0;
}

/* 1 when the scenario loads with sample_size n (its diagnostics into d). */
static int loads_at(search *s, long long n, tsim_diag *d) {
  set_size(s, n);
  tsim_scenario *sc = NULL;
  int ok = tsim_scenario_from_source(s->src, s->ov, s->nov, &sc, d) == TSIM_OK;
  tsim_scenario_free(sc);
  return ok;
}

/* A scenario can refuse sizes the search would try: an analysis with Barnard's test refuses
 * trials whose tables it cannot enumerate in reasonable time (about 1,000 patients an arm). Where
 * the search's maximum is refused but its minimum is not, the maximum becomes the largest size on
 * the lattice that loads (bisection: each size a load of the scenario, no simulation), and the
 * result says so - a search answering "not reached up to N, the largest size the scenario allows:
 * why" rather than stopping at the first size beyond it. (The sizes refused are larger than every
 * size allowed: the limit grows with the trial.) */
static void cap_to_valid(search *s) {
  tsim_diag d;
  tsim_diag_init(&d);
  if (s->n_min <= s->n_max && !loads_at(s, s->n_max, &d)) {
    tsim_diag_clear(&d);
    long long lo = s->n_min, hi = s->n_max; /* lo loads, hi does not */
    if (loads_at(s, lo, &d)) {
      while (hi - lo > s->step) {
        long long mid = lo + ((hi - lo) / s->step / 2) * s->step;
        tsim_diag_clear(&d);
        if (loads_at(s, mid, &d)) lo = mid;
        else hi = mid;
      }
      tsim_diag_clear(&d);
      loads_at(s, hi, &d);
      s->n_max = s->res->limit = lo;
      snprintf(s->res->limit_reason, sizeof s->res->limit_reason, "%s", d.n > 0 ? d.msgs[0] : "refused");
    }
  }
  tsim_diag_clear(&d);
}

static tsim_status prepare(search *s, const tsim_override *fixed, int nfixed) {
  const tsim_size_opts *o = s->o;
  if (nfixed > TSIM_SIZE_MAX_FIXED) {
    tsim_diag_add(s->d, "at most %d --set overrides", TSIM_SIZE_MAX_FIXED);
    return TSIM_INPUT;
  }
  int ncomp = o->ncomparisons > 0 ? o->ncomparisons : 1;
  if (ncomp > TSIM_SIZE_MAX_COMPARISONS) {
    tsim_diag_add(s->d, "--analysis: at most %d analyses in one search", TSIM_SIZE_MAX_COMPARISONS);
    return TSIM_INPUT;
  }
  if (nfixed > 0) memcpy(s->ov, fixed, (size_t)nfixed * sizeof *fixed);
  s->nov = nfixed;
  tsim_scenario *sc = NULL;
  tsim_status st = tsim_scenario_from_source(s->src, s->ov, s->nov, &sc, s->d);
  if (st != TSIM_OK) return st;
  s->nov = nfixed + 1;
  tsim_size_result *r = s->res;
  r->ncomparisons = ncomp;
  int bad = 0;
  for (int i = 0; i < ncomp; i++) {
    int k = find_comparison(s, sc, o->comparison[i]);
    r->comparison[i] = k;
    if (k < 0) { bad = 1; continue; }
    for (int j = 0; j < i; j++)
      if (r->comparison[j] == k) {
        tsim_diag_add(s->d, "%s: --analysis: \"%s\" is named twice", s->file, o->comparison[i]);
        bad = 1;
      }
    if (check_direction(s, sc, k, o->comparison[i])) bad = 1;
  }
  /* Looks given in patients stay where they are while the search moves the sample size, and the
   * last of them must be it: every size but the scenario's own would be refused. */
  if (sc->looks.n > 1 && sc->looks.kind == TSIM_LOOK_PATIENTS) {
    tsim_diag_add(s->d, "%s: $.looks.patients: size changes the sample size, and looks given in patients do not "
                  "move with it (the last of them is the final analysis, at the scenario's %lld): give the looks "
                  "as \"information\", each look's share of the final analysis's patients", s->file, sc->sample_size);
    bad = 1;
  }
  if (bad) {
    tsim_scenario_free(sc);
    return TSIM_INPUT;
  }
  r->has_all = 1;
  s->z = o->z > 0 ? o->z : TSIM_SIZE_Z;
  s->first_look = o->first_look > 0 ? o->first_look : TSIM_SIZE_FIRST_LOOK;
  s->step = o->step > 0 ? o->step : default_step(sc);
  s->n_max = o->n_max > 0 ? o->n_max : TSIM_MAX_SAMPLE;
  s->n_max -= s->n_max % s->step; /* the search stays on the lattice */
  s->n_min = (long long)ceil((double)smallest_size(sc) / (double)s->step) * s->step;
  r->step = s->step;
  /* The largest of the formulas' sizes: each comparison needs at least its own. */
  r->start = 0;
  size_t len = 0;
  for (int i = 0; i < ncomp; i++) {
    char why[512];
    long long n = tsim_size_formula(sc, r->comparison[i], o->target, why, sizeof why);
    if (n > r->start) r->start = n;
    if (len < sizeof r->start_reason - 1) {
      int w = ncomp == 1 ? snprintf(r->start_reason, sizeof r->start_reason, "%s", why)
                         : snprintf(r->start_reason + len, sizeof r->start_reason - len, "%s%s: %s",
                                    i ? "; " : "", o->comparison[i], why);
      if (w > 0) len += (size_t)w;
    }
  }
  if (r->start == 0) {
    r->start = sc->sample_size;
    len = strlen(r->start_reason);
    snprintf(r->start_reason + len, sizeof r->start_reason - len,
             "; starting from the scenario's sample_size %lld", sc->sample_size);
  } else if (ncomp > 1) {
    len = strlen(r->start_reason);
    snprintf(r->start_reason + len, sizeof r->start_reason - len, "; starting from the largest");
  }
  tsim_scenario_free(sc);
  cap_to_valid(s);
  if (s->n_min > s->n_max) {
    /* in the user's terms: the limit asked for and the lattice it was rounded down onto (--max
     * 1 with step 2 was reported as "the search limit 0") */
    long long asked = o->n_max > 0 ? o->n_max : TSIM_MAX_SAMPLE;
    tsim_diag_add(s->d, "%s: no size to search: the smallest valid size on multiples of the step "
                        "%lld is %lld, above the largest allowed, %lld%s", s->file, s->step,
                  s->n_min, asked, o->n_max > 0 ? " (--max)" : "");
    return TSIM_INPUT;
  }
  return TSIM_OK;
}

static tsim_status search_run(search *s) {
  long long lo = 0, hi = 0;
  s->pg.phase = TSIM_SIZE_BRACKETING;
  int b = bracket(s, &lo, &hi);
  if (b < 0) return s->status;
  if (b == 1) {
    s->pg.phase = TSIM_SIZE_BISECTING;
    while (hi - lo > s->step) {
      long long mid = down(s, (double)(lo + hi) / 2);
      if (mid <= lo) mid = lo + s->step;
      if (mid >= hi) break;
      const tsim_size_point *p = evaluate(s, mid);
      if (!p) return s->status;
      if (reaches(s, p)) hi = mid; else lo = mid;
    }
    /* The saw-tooth window around the answer. */
    s->pg.phase = TSIM_SIZE_WINDOW;
    s->centre = s->pg.centre = hi;
    long long w = (long long)s->o->window * s->step;
    if (!s->o->sequential) {
      for (long long n = hi - w; n <= hi + w; n += s->step)
        if (n >= s->n_min && n <= s->n_max && !evaluate(s, n)) return s->status;
    } else {
      /* Below the answer, downward until TSIM_SIZE_WINDOW_RUN sizes in a row are told apart
       * below the target: nearer sizes may still reach it by Monte Carlo error or the
       * saw-tooth, and are all evaluated; those clearly below are not. Above the answer, upward
       * until a size reaches the target: those decide no answer, only whether the answer is
       * stable (every evaluated size above it reaching), which the first reaching size above
       * settles as far as the evaluated sizes go. */
      int run = 0;
      for (int k = 1; k <= s->o->window && run < TSIM_SIZE_WINDOW_RUN; k++) {
        long long n = hi - k * s->step;
        if (n < s->n_min) break;
        const tsim_size_point *p = evaluate(s, n);
        if (!p) return s->status;
        run = p->side < 0 ? run + 1 : 0;
      }
      for (int k = 1; k <= s->o->window; k++) {
        long long n = hi + k * s->step;
        if (n > s->n_max) break;
        const tsim_size_point *p = evaluate(s, n);
        if (!p) return s->status;
        if (reaches(s, p)) break;
      }
    }
  }
  conclude(s);
  return TSIM_OK;
}

tsim_status tsim_size_search(const char *file, const tsim_override *fixed, int nfixed,
                             const tsim_size_opts *o, const tsim_run_opts *ro,
                             tsim_size_result *res, tsim_diag *d) {
  memset(res, 0, sizeof *res);
  search s;
  memset(&s, 0, sizeof s);
  s.file = file;
  s.o = o;
  s.ro = *ro;
  s.caller_progress = ro->progress;
  s.caller_progress_ctx = ro->progress_ctx;
  if (o->progress || ro->progress) {
    s.ro.progress = relay_run_progress;
    s.ro.progress_ctx = &s;
  }
  s.res = res;
  s.d = d;
  s.step = 1;
  s.src = tsim_scenario_source_open(file, d);
  if (!s.src) return TSIM_INPUT;
  tsim_status st = prepare(&s, fixed, nfixed);
  if (st == TSIM_OK) st = search_run(&s);
  tsim_scenario_source_close(s.src);
  return st;
}

void tsim_size_result_free(tsim_size_result *res) {
  if (!res) return;
  free(res->points);
  res->points = NULL;
  res->npoints = res->cap = 0;
}
