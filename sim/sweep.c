/* sweep.c - grid experiments (see sweep.h). */
#include "sweep.h"

#include <stdlib.h>
#include <string.h>

#include "analysis.h"

/* "sample_size=60, dropout.il2=0.1" for messages. */
static void describe_point(const tsim_grid *g, const tsim_override *ov, char *buf, size_t n) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < g->nparams && used < n; i++)
    used += (size_t)snprintf(buf + used, n - used, "%s%s=%.12g", i ? ", " : "", ov[i].path,
                             ov[i].value);
}

/* Loads point k; on failure its problems are prefixed with the point. */
static tsim_scenario *load_point(const char *file, const tsim_grid *g, int k, tsim_override *ov,
                                 tsim_diag *d) {
  tsim_grid_point(g, k, ov);
  tsim_diag local;
  tsim_diag_init(&local);
  tsim_scenario *sc = NULL;
  if (tsim_scenario_load_variant(file, ov, g->nparams, &sc, &local) != TSIM_OK) {
    char what[512];
    describe_point(g, ov, what, sizeof what);
    for (size_t i = 0; i < local.n; i++)
      tsim_diag_add(d, "grid point %d (%s): %s", k, what, local.msgs[i]);
    if (local.n == 0) tsim_diag_add(d, "grid point %d (%s): cannot load", k, what);
  }
  tsim_diag_clear(&local);
  return sc;
}

static double *nominal_differences(const tsim_scenario *sc) {
  int ncmp = tsim_scenario_ncomparisons(sc), ncomp = sc->nanalyses * ncmp;
  double *nom = malloc((size_t)ncomp * sizeof *nom);
  if (!nom) return NULL;
  for (int k = 0; k < ncomp; k++) {
    const tsim_endpoint *ep = &sc->endpoints[sc->analyses[k / ncmp].endpoint];
    nom[k] = ep->response[tsim_comparison_arm(sc, k % ncmp)] - ep->response[sc->control];
  }
  return nom;
}

/* Every point must have the same analyses and arms as the first, so results line up. */
static int same_shape(const tsim_scenario *a, const tsim_scenario *b) {
  if (a->narms != b->narms || a->nanalyses != b->nanalyses) return 0;
  for (int k = 0; k < a->nanalyses; k++)
    if (strcmp(a->analyses[k].id, b->analyses[k].id) != 0) return 0;
  return 1;
}

tsim_status tsim_sweep_run(const char *file, const tsim_grid *grid, const tsim_run_opts *ro,
                           tsim_sweep *out, tsim_diag *d,
                           void (*progress)(void *ctx, int done, int total), void *ctx) {
  memset(out, 0, sizeof *out);
  out->grid = grid;
  out->points = calloc((size_t)grid->npoints, sizeof *out->points);
  if (!out->points) return TSIM_NOMEM;
  out->npoints = grid->npoints;
  /* Validate every point before running any. */
  for (int k = 0; k < grid->npoints; k++) {
    tsim_scenario *sc = load_point(file, grid, k, out->points[k].ov, d);
    if (!sc) continue;
    if (!out->first) out->first = sc;
    else {
      if (!same_shape(out->first, sc))
        tsim_diag_add(d, "grid point %d: the analyses differ from the first point's", k);
      tsim_scenario_free(sc);
    }
  }
  if (d->n || d->dropped) return TSIM_INPUT;
  for (int k = 0; k < grid->npoints; k++) {
    tsim_scenario *sc = load_point(file, grid, k, out->points[k].ov, d);
    if (!sc) return TSIM_INPUT; /* the file changed under us */
    out->points[k].nominal = nominal_differences(sc);
    tsim_status st = out->points[k].nominal ? tsim_run(sc, ro, &out->points[k].tally) : TSIM_NOMEM;
    tsim_scenario_free(sc);
    if (st != TSIM_OK) return st;
    if (progress) progress(ctx, k + 1, grid->npoints);
  }
  return TSIM_OK;
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
