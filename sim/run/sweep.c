/* sweep.c - grid experiments (see sweep.h). */
#include "run/sweep.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

/* "sample_size=60, dropout.il2=0.1" for messages. */
static void describe_point(const tsim_grid *g, const tsim_override *ov, char *buf, size_t n) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < g->nparams && used < n; i++)
    used += (size_t)snprintf(buf + used, n - used, "%s%s=%.12g", i ? ", " : "", ov[i].path,
                             ov[i].value);
}

/* The problems of the grid's points so far, each said once: its message as the loader gave it,
 * where it stands in d, and at how many further points it came again. */
typedef struct point_problems {
  tsim_diag raw;   /* the loader's messages, in the order first found */
  size_t *at;      /* [raw.n] index in d */
  int *again;      /* [raw.n] further points with it */
} point_problems;

/* 1 when msg came at an earlier point (counted there), else 0: kept, with `at`, its place in d. */
static int repeated(point_problems *pp, const char *msg, size_t at) {
  if (!pp) return 0;
  for (size_t j = 0; j < pp->raw.n; j++)
    if (strcmp(pp->raw.msgs[j], msg) == 0) {
      pp->again[j]++;
      return 1;
    }
  size_t *a = realloc(pp->at, (pp->raw.n + 1) * sizeof *a);
  if (a) pp->at = a;
  int *g = a ? realloc(pp->again, (pp->raw.n + 1) * sizeof *g) : NULL;
  if (g) {
    pp->again = g;
    a[pp->raw.n] = at;
    g[pp->raw.n] = 0;
    tsim_diag_add(&pp->raw, "%s", msg);
  }
  return 0;
}

/* Makes point k; on failure its problems are prefixed with the point - with pp, each the first
 * time it comes, and counted when a later point has it too (a --set of a path the scenario does
 * not have fails at every point alike); without, every one. */
static tsim_scenario *load_point(const tsim_scenario_source *src, const tsim_grid *g, int k,
                                 tsim_override *ov, tsim_diag *d, point_problems *pp) {
  tsim_grid_point(g, k, ov);
  tsim_diag local;
  tsim_diag_init(&local);
  tsim_scenario *sc = NULL;
  if (tsim_scenario_from_source(src, ov, g->nparams, &sc, &local) != TSIM_OK) {
    char what[512];
    describe_point(g, ov, what, sizeof what);
    for (size_t i = 0; i < local.n; i++)
      if (!repeated(pp, local.msgs[i], d->n)) tsim_diag_add(d, "grid point %d (%s): %s", k, what, local.msgs[i]);
    if (local.n == 0) tsim_diag_add(d, "grid point %d (%s): cannot load", k, what);
  }
  tsim_diag_clear(&local);
  return sc;
}

static double *nominal_differences(const tsim_scenario *sc) {
  int ncmp = tsim_scenario_ncomparisons(sc), ncomp = sc->nanalyses * ncmp;
  double *nom = malloc((size_t)ncomp * sizeof *nom);
  if (!nom) return NULL;
  for (int k = 0; k < ncomp; k++) nom[k] = tsim_analysis_nominal(sc, k / ncmp, k % ncmp);
  return nom;
}

/* Every point must have the same analyses and arms as the first, so results line up. */
static int same_shape(const tsim_scenario *a, const tsim_scenario *b) {
  if (a->narms != b->narms || a->nanalyses != b->nanalyses) return 0;
  for (int k = 0; k < a->nanalyses; k++)
    if (strcmp(a->analyses[k].id, b->analyses[k].id) != 0) return 0;
  return 1;
}

static tsim_status validate_all(const tsim_scenario_source *src, const tsim_grid *grid,
                                tsim_sweep *out, tsim_diag *d) {
  point_problems pp = {.at = NULL, .again = NULL};
  tsim_diag_init(&pp.raw);
  for (int k = 0; k < grid->npoints; k++) {
    tsim_scenario *sc = load_point(src, grid, k, out->points[k].ov, d, &pp);
    if (!sc) continue;
    if (!out->first) out->first = sc;
    else {
      if (!same_shape(out->first, sc))
        tsim_diag_add(d, "grid point %d: the analyses differ from the first point's", k);
      tsim_scenario_free(sc);
    }
  }
  /* "... (also at 47 other grid points)" after a problem that came again. */
  for (size_t j = 0; j < pp.raw.n; j++) {
    if (pp.again[j] && pp.at[j] >= d->n) d->dropped += (size_t)pp.again[j]; /* beyond the messages kept */
    if (!pp.again[j] || pp.at[j] >= d->n) continue;
    char tail[64];
    snprintf(tail, sizeof tail, " (also at %d other grid point%s)", pp.again[j], pp.again[j] == 1 ? "" : "s");
    size_t len = strlen(d->msgs[pp.at[j]]);
    char *m = realloc(d->msgs[pp.at[j]], len + strlen(tail) + 1);
    if (!m) continue;
    memcpy(m + len, tail, strlen(tail) + 1);
    d->msgs[pp.at[j]] = m;
  }
  tsim_diag_clear(&pp.raw);
  free(pp.at);
  free(pp.again);
  return d->n || d->dropped ? TSIM_INPUT : TSIM_OK;
}

static tsim_status run_point(const tsim_scenario *sc, tsim_sweep_opts *so,
                             tsim_sweep_point *p) {
  p->nominal = nominal_differences(sc);
  if (!p->nominal) return TSIM_NOMEM;
  for (int k = 0; k < sc->nanalyses; k++) p->alpha[k] = sc->analyses[k].alpha, p->sided[k] = sc->analyses[k].sided;
  p->sample_size = sc->sample_size;
  p->events = sc->nevents > 0;
  p->cell_mode = tsim_cohort_cell_mode(sc);
  p->looks = sc->looks;
  p->seed = so->seed >= 0 ? (uint64_t)so->seed : sc->seed;
  p->trials = so->trials > 0 ? so->trials : sc->trials;
  p->max_trials = p->trials;
  if (p->max_trials > so->trials_cap) so->trials_cap = p->max_trials;
  tsim_run_opts ro = {p->seed, 0, p->trials, so->threads, NULL, NULL, 0, 0};
  tsim_status st;
  if (so->mcse <= 0) {
    st = tsim_run(sc, &ro, &p->tally);
  } else {
    /* Looks until this point's every power and type I error has its MCSE at most so->mcse. */
    tsim_mcse_rule rule = {sc, so->mcse, TSIM_MCSE_BLOCK};
    tsim_looks looks = {TSIM_MCSE_BLOCK, tsim_mcse_next, &rule};
    st = tsim_run_looks(sc, &ro, NULL, 0, &looks, &p->tally);
    if (st == TSIM_OK) p->trials = p->tally->trials;
  }
  /* With intercurrent events the nominal difference is each analysis's estimand's true value
   * (the run's summary.json and analyses.csv say the same). */
  for (int k = 0; st == TSIM_OK && sc->nevents > 0 && k < p->tally->ncomp; k++) p->nominal[k] = p->tally->cell[0][k].truth;
  return st;
}

tsim_status tsim_sweep_run(const char *file, const tsim_grid *grid, tsim_sweep_opts *so,
                           tsim_sweep *out, tsim_diag *d,
                           void (*progress)(void *ctx, int done, int total), void *ctx) {
  memset(out, 0, sizeof *out);
  out->grid = grid;
  tsim_scenario_source *src = tsim_scenario_source_open(file, d);
  if (!src) return TSIM_INPUT;
  out->points = calloc((size_t)grid->npoints, sizeof *out->points);
  tsim_status st = out->points ? TSIM_OK : TSIM_NOMEM;
  if (st == TSIM_OK) out->npoints = grid->npoints;
  /* Validate every point before running any. */
  if (st == TSIM_OK) st = validate_all(src, grid, out, d);
  for (int k = 0; st == TSIM_OK && k < grid->npoints; k++) {
    tsim_scenario *sc = load_point(src, grid, k, out->points[k].ov, d, NULL); /* validated: no problem */
    if (!sc) { st = TSIM_INPUT; break; }
    st = run_point(sc, so, &out->points[k]);
    tsim_scenario_free(sc);
    if (st == TSIM_OK && progress) progress(ctx, k + 1, grid->npoints);
  }
  tsim_scenario_source_close(src);
  return st;
}

void tsim_sweep_free(tsim_sweep *s) {
  if (!s) return;
  for (int k = 0; s->points && k < s->npoints; k++) {
    tsim_tally_free(s->points[k].tally);
    free(s->points[k].nominal);
  }
  free(s->points);
  tsim_scenario_free(s->first);
  memset(s, 0, sizeof *s);
}
