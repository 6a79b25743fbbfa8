/* latent_layout.c - the latent model's measures and correlation factor (latent_layout.h). */
#include "input/latent_layout.h"

#include <math.h>
#include <stdlib.h>

#include "core/linalg.h"

/* The measures, their latent dimensions and the Cholesky factor of their correlations. */
int tsim_latent_layout(tsim_latent_plan *lp, const tsim_scenario *sc) {
  int m = 0, d = 0;
  for (int e = 0; e < sc->nendpoints; e++) {
    const tsim_endpoint *ep = &sc->endpoints[e];
    lp->meas_start[e] = m;
    lp->base_of[e] = ep->has_baseline ? lp->nbase++ : -1;
    for (int v = 0; v < ep->nvisits; v++, m++) {
      lp->meas_ep[m] = e;
      lp->meas_visit[m] = ep->visits[v];
      lp->meas_dim[m] = ep->source >= 0 ? -1 : d++;
      lp->meas_cont[m] = ep->type == TSIM_EP_CONTINUOUS;
      lp->meas_src[m] = -1;
      lp->meas_thr[m] = ep->threshold;
      lp->meas_atleast[m] = (unsigned char)ep->at_least;
    }
  }
  lp->nmeas = m;
  lp->ndim = d;
  /* A derived end point has its source's visits, in the same order; sources come first or
   * later in the file, so resolve them once every start is known. */
  for (int i = 0; i < m; i++) {
    const tsim_endpoint *ep = &sc->endpoints[lp->meas_ep[i]];
    if (ep->source >= 0) lp->meas_src[i] = lp->meas_start[ep->source] + (i - lp->meas_start[lp->meas_ep[i]]);
  }
  lp->mnar_meas = sc->mnar_endpoint < 0 ? -1
                  : lp->meas_start[sc->mnar_endpoint] + sc->endpoints[sc->mnar_endpoint].nvisits - 1;
  for (int i = 0; i < m; i++)
    for (int j = 0; j < m; j++) {
      int di = lp->meas_dim[i], dj = lp->meas_dim[j];
      if (di < 0 || dj < 0) continue;
      double lag = fabs((double)(lp->meas_visit[i] - lp->meas_visit[j]));
      lp->chol[di * d + dj] = sc->corr[lp->meas_ep[i]][lp->meas_ep[j]] *
                              (lag == 0 ? 1.0 : pow(sc->visit_corr, lag));
    }
  return tsim_cholesky(lp->chol, d);
}

int tsim_latent_valid(const tsim_scenario *sc) {
  tsim_latent_plan *lp = calloc(1, sizeof *lp);
  if (!lp) return -2;
  int st = tsim_latent_layout(lp, sc);
  free(lp);
  return st;
}

