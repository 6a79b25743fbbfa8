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
  if (sc->single_arm) {
    double p0 = ep->p0, p1 = p[1], delta = p1 - p0;
    if (fabs(delta) < 1e-12 || v[1] <= 0) {
      snprintf(why, n, "no formula: the analysed response rate equals p0 (%.4g)", p0);
      return 0;
    }
    N = pow(za * sqrt(p0 * (1 - p0)) + zb * sqrt(p1 * (1 - p1)), 2) / (delta * delta) / v[1];
    snprintf(why, n, "normal approximation for one proportion against p0 = %.4g: analysed rate "
                     "%.4g, analysed share %.4g of N, %s alpha %g: N = %.1f",
             p0, p1, v[1], an->sided == 1 ? "one-sided" : "two-sided", an->alpha, N);
  } else if (ep->type == TSIM_EP_CONTINUOUS) {
    double delta = p[1] - p[0], s0 = ep->sd[arms[0]], s1 = ep->sd[arms[1]];
    if (fabs(delta) < 1e-12 * (s0 + s1) || v[0] <= 0 || v[1] <= 0) {
      snprintf(why, n, "no formula: the means do not differ (%.4g vs %.4g)", p[0], p[1]);
      return 0;
    }
    N = pow(za + zb, 2) * (s0 * s0 / v[0] + s1 * s1 / v[1]) / (delta * delta);
    snprintf(why, n, "normal approximation for two means: %.4g vs %.4g, SDs %.4g and %.4g, "
                     "analysed shares %.4g and %.4g of N, %s alpha %g: N = %.1f",
             p[0], p[1], s0, s1, v[0], v[1], an->sided == 1 ? "one-sided" : "two-sided", an->alpha, N);
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
                     "analysed shares %.4g and %.4g of N, %s alpha %g: N = %.1f",
             p[0], p[1], v[0], v[1], an->sided == 1 ? "one-sided" : "two-sided", an->alpha, N);
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
  const tsim_run_opts *ro;
  tsim_size_result *res;
  tsim_diag *d;
  long long n_min, n_max, step;
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

static int reaches(const search *s, const tsim_size_point *p) {
  return (double)p->reject[0] >= s->o->target * (double)p->trials;
}

/* Simulates size n (once; later calls return the stored point). NULL on failure, with the
 * reason in d and its status in s->status. */
static const tsim_size_point *evaluate(search *s, long long n) {
  tsim_size_result *r = s->res;
  const tsim_size_point *have = find_point(r, n);
  if (have) return have;
  snprintf(s->ov[s->nov - 1].path, sizeof s->ov[0].path, "sample_size");
  s->ov[s->nov - 1].value = (double)n;
  tsim_scenario *sc = NULL;
  s->status = tsim_scenario_from_source(s->src, s->ov, s->nov, &sc, s->d);
  if (s->status != TSIM_OK) return NULL;
  tsim_tally *t = NULL;
  s->status = tsim_run(sc, s->ro, &t);
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
  p->n = n;
  p->trials = t->trials;
  for (int h = 0; h < 2; h++) {
    p->reject[h] = t->cell[h][r->comparison].reject;
    p->favouring[h] = t->cell[h][r->comparison].favouring;
  }
  r->npoints++;
  tsim_tally_free(t);
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

static tsim_status prepare(search *s, const tsim_override *fixed, int nfixed) {
  const tsim_size_opts *o = s->o;
  if (nfixed > TSIM_SIZE_MAX_FIXED) {
    tsim_diag_add(s->d, "at most %d --set overrides", TSIM_SIZE_MAX_FIXED);
    return TSIM_INPUT;
  }
  if (nfixed > 0) memcpy(s->ov, fixed, (size_t)nfixed * sizeof *fixed);
  s->nov = nfixed;
  tsim_scenario *sc = NULL;
  tsim_status st = tsim_scenario_from_source(s->src, s->ov, s->nov, &sc, s->d);
  if (st != TSIM_OK) return st;
  s->nov = nfixed + 1;
  tsim_size_result *r = s->res;
  r->comparison = tsim_comparison_find(sc, o->comparison);
  if (r->comparison < 0) {
    int ncmp = tsim_scenario_ncomparisons(sc), k = 0;
    while (k < sc->nanalyses && strcmp(sc->analyses[k].id, o->comparison) != 0) k++;
    if (k < sc->nanalyses && ncmp > 1) {
      /* With more than two arms an analysis has one comparison per experimental arm. */
      char names[512] = "", buf[2 * TSIM_ID_MAX + 2];
      for (int j = 0; j < ncmp; j++) {
        size_t len = strlen(names);
        snprintf(names + len, sizeof names - len, "%s%s", j ? ", " : "",
                 tsim_comparison_id(sc, k * ncmp + j, buf, sizeof buf));
      }
      tsim_diag_add(s->d, "%s: --analysis: \"%s\" has %d comparisons (one per experimental arm): name one of %s",
                    s->file, o->comparison, ncmp, names);
    } else {
      tsim_diag_add(s->d, "%s: --analysis: no analysis \"%s\" in the scenario", s->file, o->comparison);
    }
    tsim_scenario_free(sc);
    return TSIM_INPUT;
  }
  {
    /* A one-sided analysis whose scenario effect points the unfavourable way has power below
     * its alpha at every size: refuse rather than double the size up to the limit. */
    int ncmp = tsim_scenario_ncomparisons(sc);
    const tsim_analysis *an = &sc->analyses[r->comparison / ncmp];
    double nominal = tsim_analysis_nominal(sc, r->comparison / ncmp, r->comparison % ncmp);
    int better = sc->endpoints[an->endpoint].higher_is_better ? nominal > 0 : nominal < 0;
    if (an->sided == 1 && !better) {
      tsim_diag_add(s->d, "%s: --analysis %s: the analysis is one-sided in the favourable "
                    "direction, but the scenario's effect (nominal difference %g) is not "
                    "favourable: its power stays below alpha at every size", s->file,
                    o->comparison, nominal);
      tsim_scenario_free(sc);
      return TSIM_INPUT;
    }
  }
  s->step = o->step > 0 ? o->step : default_step(sc);
  s->n_max = o->n_max > 0 ? o->n_max : TSIM_MAX_SAMPLE;
  s->n_max -= s->n_max % s->step; /* the search stays on the lattice */
  s->n_min = (long long)ceil((double)smallest_size(sc) / (double)s->step) * s->step;
  r->step = s->step;
  r->start = tsim_size_formula(sc, r->comparison, o->target, r->start_reason, sizeof r->start_reason);
  if (r->start == 0) {
    r->start = sc->sample_size;
    size_t len = strlen(r->start_reason);
    snprintf(r->start_reason + len, sizeof r->start_reason - len,
             "; starting from the scenario's sample_size %lld", sc->sample_size);
  }
  tsim_scenario_free(sc);
  if (s->n_min > s->n_max) {
    tsim_diag_add(s->d, "%s: the smallest valid size %lld exceeds the search limit %lld", s->file,
                  s->n_min, s->n_max);
    return TSIM_INPUT;
  }
  return TSIM_OK;
}

static tsim_status search_run(search *s) {
  long long lo = 0, hi = 0;
  int b = bracket(s, &lo, &hi);
  if (b < 0) return s->status;
  if (b == 1) {
    while (hi - lo > s->step) {
      long long mid = down(s, (double)(lo + hi) / 2);
      if (mid <= lo) mid = lo + s->step;
      if (mid >= hi) break;
      const tsim_size_point *p = evaluate(s, mid);
      if (!p) return s->status;
      if (reaches(s, p)) hi = mid; else lo = mid;
    }
    /* The saw-tooth window around the answer. */
    long long w = (long long)s->o->window * s->step;
    for (long long n = hi - w; n <= hi + w; n += s->step)
      if (n >= s->n_min && n <= s->n_max && !evaluate(s, n)) return s->status;
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
  s.ro = ro;
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
