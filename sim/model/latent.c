/* latent.c - sampling patients from the latent multivariate normal model (see latent.h). */
#include "model/latent.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/numfmt.h"
#include "core/rng.h"
#include "model/stages.h"

#define SITE_TO_LATENT 0.5513288954217920 /* sqrt(3) / pi: logistic SD -> normal SD */



/* The latent sampler's own part of a workspace (tsim_cohort.latent). */
struct tsim_latent_ws {
  double *lz[2]; /* [nmeas * nsites * narms] this trial's thresholds / means, by hypothesis */
  int lz_ready;  /* lz has been computed at least once */
};

struct tsim_latent_ws *tsim__latent_ws_new(const tsim_cohort_plan *plan) {
  const tsim_scenario *sc = plan->sc;
  struct tsim_latent_ws *l = calloc(1, sizeof *l);
  if (!l) return NULL;
  size_t cells = (size_t)plan->lat->nmeas * (size_t)sc->nsites * (size_t)sc->narms;
  for (int h = 0; h < 2; h++) l->lz[h] = malloc(cells * sizeof *l->lz[h]);
  if (!l->lz[0] || !l->lz[1]) {
    tsim__latent_ws_free(l);
    return NULL;
  }
  return l;
}

void tsim__latent_ws_free(struct tsim_latent_ws *l) {
  if (!l) return;
  free(l->lz[0]);
  free(l->lz[1]);
  free(l);
}

tsim_latent_plan *tsim_latent_plan_new(const tsim_scenario *sc) {
  tsim_latent_plan *lp = calloc(1, sizeof *lp);
  if (!lp) return NULL;
  if (tsim_latent_layout(lp, sc) != 0) { free(lp); return NULL; } /* the loader checked tsim_latent_valid */
  int ctl = sc->control;
  for (int m = 0; m < lp->nmeas; m++) {
    const tsim_endpoint *ep = &sc->endpoints[lp->meas_ep[m]];
    int v = m - lp->meas_start[lp->meas_ep[m]];
    for (int a = 0; a < sc->narms; a++) {
      double alt = ep->type == TSIM_EP_BINARY ? ep->resp_v[v][a] : ep->mean_v[v][a];
      double nul = ep->type == TSIM_EP_BINARY ? ep->resp_v[v][ctl] : ep->mean_v[v][ctl];
      if (sc->single_arm) nul = isnan(ep->p0) ? alt : ep->p0;
      lp->p[0][m][a] = alt;
      lp->p[1][m][a] = nul;
      for (int h = 0; h < 2; h++) {
        double p = lp->p[h][m][a];
        lp->logit[h][m][a] = p > 0 && p < 1 ? log(p / (1 - p)) : 0;
      }
    }
  }
  /* Single arm: a derived end point judged against p0 needs its source's null mean to put
   * P(source <= t) (or >= t) at p0 (the loader allows one such end point per source). */
  for (int e = 0; sc->single_arm && e < sc->nendpoints; e++) {
    const tsim_endpoint *ep = &sc->endpoints[e];
    if (ep->source < 0 || isnan(ep->p0)) continue;
    double sd = sc->endpoints[ep->source].sd[0], z = gsl_cdf_ugaussian_Pinv(ep->p0);
    double mu = ep->at_least ? ep->threshold + sd * z : ep->threshold - sd * z;
    for (int v = 0; v < ep->nvisits; v++) lp->p[1][lp->meas_start[ep->source] + v][0] = mu;
  }
  for (int e = 0; e < sc->nendpoints; e++)
    for (int a = 0; a < sc->narms; a++) {
      lp->sd[0][e][a] = sc->endpoints[e].sd[a];
      lp->sd[1][e][a] = sc->endpoints[e].sd[sc->single_arm ? a : ctl];
    }
  for (int a = 0; a < sc->narms; a++) {
    lp->dev_thr[a] = tsim__threshold(sc->arms[a].deviation);
    for (int h = 0; h < 2; h++) {
      lp->mnar_factor[h][a][0] = lp->mnar_factor[h][a][1] = 1;
      if (sc->mnar_endpoint < 0) continue;
      const tsim_endpoint *ep = &sc->endpoints[sc->mnar_endpoint];
      double q = h == 0 ? ep->response[a] : sc->single_arm ? ep->p0 : ep->response[ctl];
      if (isnan(q)) q = ep->response[a];
      double r = sc->mnar_ratio, scale = q + r * (1 - q);
      lp->mnar_factor[h][a][0] = 1 / scale;
      lp->mnar_factor[h][a][1] = r / scale;
    }
  }
  for (int g = 0; g < sc->nsubgroups; g++) lp->sub_thr[g] = tsim__threshold(sc->subgroups[g].prevalence);
  lp->fixed_params = sc->heterogeneity_sd == 0;
  for (int k = 0; k < sc->nanomalies; k++) lp->fixed_params &= sc->anomalies[k].mode == TSIM_ANOM_LISTED;
  return lp;
}

/* This trial's parameter of every (measure, site, arm) under both hypotheses: the latent
 * threshold Phi^-1(p) of a binary measure, the mean of a continuous one. Computed once per
 * workspace when no trial can differ (fixed_params). */
static void trial_params(tsim_cohort *c) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_latent_plan *lp = c->plan->lat;
  if (lp->fixed_params && c->latent->lz_ready) return;
  c->latent->lz_ready = 1;
  int ns = sc->nsites, na = sc->narms;
  size_t cell = 0;
  for (int m = 0; m < lp->nmeas; m++) {
    int e = lp->meas_ep[m];
    const tsim_endpoint *ep = &sc->endpoints[e];
    for (int s = 0; s < ns; s++)
      for (int a = 0; a < na; a++, cell++) {
        if (lp->meas_dim[m] < 0) continue; /* derived: follows its source */
        double val[2];
        for (int h = 0; h < 2; h++) {
          double p = lp->p[h][m][a];
          /* b_s > 0: patients do better (latent.h). */
          double b = ep->higher_is_better ? c->site_effect[s] : -c->site_effect[s];
          if (ep->type == TSIM_EP_CONTINUOUS) p += lp->sd[h][e][a] * b * SITE_TO_LATENT;
          else if (p > 0 && p < 1 && sc->heterogeneity_sd > 0)
            p = 1.0 / (1.0 + exp(-(lp->logit[h][m][a] + b)));
          val[h] = p;
        }
        for (int k = 0; k < sc->nanomalies; k++) {
          const tsim_anomaly *an = &sc->anomalies[k];
          if (an->arm != a || (an->endpoint >= 0 && an->endpoint != e) ||
              !c->anomalous[(size_t)k * (size_t)ns + (size_t)s])
            continue;
          double forced = ep->type == TSIM_EP_CONTINUOUS ? an->mean : an->response;
          if (!isnan(forced)) val[0] = val[1] = forced;
        }
        for (int h = 0; h < 2; h++)
          c->latent->lz[h][cell] = ep->type == TSIM_EP_CONTINUOUS ? val[h]
                           : val[h] <= 0 ? -INFINITY : val[h] >= 1 ? INFINITY
                           : gsl_cdf_ugaussian_Pinv(val[h]);
      }
  }
}

/* Values of patient j under hypothesis h from its correlated normals x. */
static void patient_values(tsim_cohort *c, long long j, int h, const double *x) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_latent_plan *lp = c->plan->lat;
  int a = c->arm[j], nm = lp->nmeas;
  size_t na = (size_t)sc->narms, per_m = (size_t)sc->nsites * na;
  const double *lz = c->latent->lz[h] + (size_t)c->site[j] * na + (size_t)a;
  double *val = c->pat.val[h] + (size_t)j * (size_t)nm;
  for (int m = 0; m < nm; m++) {
    int d = lp->meas_dim[m];
    if (d < 0) continue;
    double t = lz[(size_t)m * per_m];
    /* A binary end point responds at the top of its latent distribution: -x < Phi^-1(p). */
    val[m] = lp->meas_cont[m] ? t + lp->sd[h][lp->meas_ep[m]][a] * x[d] : (double)(-x[d] < t);
  }
  for (int m = 0; m < nm; m++) {
    if (lp->meas_src[m] < 0) continue;
    double y = val[lp->meas_src[m]];
    val[m] = (double)(lp->meas_atleast[m] ? y >= lp->meas_thr[m] : y <= lp->meas_thr[m]);
  }
}

/* The first visit patient j misses under hypothesis h (nvisits: none), from its uniform u. */
static uint8_t first_missed(const tsim_cohort *c, long long j, int h, double u) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_latent_plan *lp = c->plan->lat;
  int a = c->arm[j];
  double f = 1;
  if (lp->mnar_meas >= 0) {
    int responder = c->pat.val[h][(size_t)j * (size_t)lp->nmeas + (size_t)lp->mnar_meas] != 0;
    f = lp->mnar_factor[h][a][!responder];
  }
  const double *by = sc->arms[a].dropout_by;
  for (int v = 0; v < sc->nvisits; v++)
    if (u < by[v] * f) return (uint8_t)v;
  return (uint8_t)sc->nvisits;
}

void tsim__cohort_sample_latent(tsim_cohort *c, uint64_t seed, long long trial) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_latent_plan *lp = c->plan->lat;
  gsl_rng *rm = c->rng, *ro = c->rng2;
  int nd = lp->ndim;
  trial_params(c);
  tsim_rng_seed_stream(c->rng, seed, (uint64_t)trial, TSIM_STREAM_ENROLL);
  tsim__cohort_enroll(c);
  tsim_rng_seed_stream(rm, seed, (uint64_t)trial, TSIM_STREAM_MISSING);
  tsim_rng_seed_stream(ro, seed, (uint64_t)trial, TSIM_STREAM_OUTCOME);
  for (long long j = 0; j < c->n; j++) {
    int a = c->arm[j];
    double u = tsim_rng_uniform(rm);
    c->pat.dev[j] = (uint8_t)((tsim_rng_next(rm) >> 11) < lp->dev_thr[a]);
    uint8_t sub = 0;
    for (int g = 0; g < sc->nsubgroups; g++)
      sub |= (uint8_t)(((tsim_rng_next(rm) >> 11) < lp->sub_thr[g]) << g);
    c->pat.sub[j] = sub;
    double z[TSIM_MAX_LATENT], x[TSIM_MAX_LATENT];
    for (int d = 0; d < nd; d++) z[d] = tsim_rng_normal(ro);
    for (int d = 0; d < nd; d++) {
      const double *row = lp->chol + (size_t)d * (size_t)nd;
      double s = 0;
      for (int k = 0; k <= d; k++) s += row[k] * z[k];
      x[d] = s;
    }
    for (int h = 0; h < 2; h++) {
      patient_values(c, j, h, x);
      c->pat.gone[h][j] = first_missed(c, j, h, u);
    }
    for (int e = 0; lp->nbase > 0 && e < sc->nendpoints; e++) {
      int b = lp->base_of[e];
      if (b < 0) continue;
      const tsim_endpoint *ep = &sc->endpoints[e];
      double eps = tsim_rng_normal(ro);
      double xl = x[lp->meas_dim[lp->meas_start[e] + ep->nvisits - 1]];
      double zb = ep->base_corr * xl + sqrt(1 - ep->base_corr * ep->base_corr) * eps;
      c->pat.base[(size_t)j * (size_t)lp->nbase + (size_t)b] = ep->base_mean + ep->base_sd * zb;
    }
  }
}

int tsim__latent_write_csv(const tsim_cohort *c, tsim_hypothesis h, FILE *f) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_latent_plan *lp = c->plan->lat;
  fprintf(f, "trial,hypothesis,patient,site,arm,dropout_before_week,deviation");
  for (int g = 0; g < sc->nsubgroups; g++) fprintf(f, ",subgroup_%s", sc->subgroups[g].id);
  for (int e = 0; e < sc->nendpoints; e++)
    if (lp->base_of[e] >= 0) fprintf(f, ",%s_baseline", sc->endpoints[e].id);
  for (int m = 0; m < lp->nmeas; m++) {
    fprintf(f, ",%s", sc->endpoints[lp->meas_ep[m]].id);
    if (sc->visit_week[0] > 0) {
      fputs("_w", f);
      tsim_fput_num(f, sc->visit_week[lp->meas_visit[m]]);
    }
  }
  fputc('\n', f);
  for (long long j = 0; j < c->n; j++) {
    int gone = c->pat.gone[h][j];
    fprintf(f, "%lld,%s,%lld,%d,%s,", c->trial, tsim_hypothesis_names[h], j, c->site[j],
            sc->arms[c->arm[j]].id);
    /* Blank: never dropped out. A dropout's later values were never observed (blank). */
    if (gone < sc->nvisits) tsim_fput_num(f, sc->visit_week[gone]);
    fprintf(f, ",%d", c->pat.dev[j]);
    for (int g = 0; g < sc->nsubgroups; g++) fprintf(f, ",%d", (c->pat.sub[j] >> g) & 1);
    for (int e = 0; e < sc->nendpoints; e++)
      if (lp->base_of[e] >= 0) {
        fputc(',', f);
        tsim_fput_num(f, c->pat.base[(size_t)j * (size_t)lp->nbase + (size_t)lp->base_of[e]]);
      }
    for (int m = 0; m < lp->nmeas; m++) {
      fputc(',', f);
      if (lp->meas_visit[m] < gone)
        tsim_fput_num(f, c->pat.val[h][(size_t)j * (size_t)lp->nmeas + (size_t)m]);
    }
    fputc('\n', f);
  }
  return ferror(f) ? -1 : 0;
}
