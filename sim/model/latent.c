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



/* Patients per pass of the sampler: each pass draws its patients' MISSING numbers, then their
 * OUTCOME normals into a buffer small enough to stay in the first-level cache, then computes
 * their values. The two streams are independent, so drawing each in its own loop reads the
 * same numbers in the same order as drawing them patient by patient. */
#define PASS 256

/* The latent sampler's own part of a workspace (tsim_cohort.latent): this trial's parameters,
 * and what the plan says laid out for the per-patient loops (copied per workspace: it is small
 * and each thread then reads its own). */
struct tsim_latent_ws {
  int nm, nd, nb, na, ns, nv, nsub, stride; /* measures, dimensions, baselines, arms, sites,
                                               visits, subgroups; normals per patient */
  /* This trial's threshold (binary) or mean (continuous) of measure m in the cell of site s and
   * arm a, at (s na + a) nm + m, by hypothesis; and for a binary measure the probability (its
   * bits) it was computed from, so that a cell whose probability did not change since the last
   * trial, or equals one computed already in this trial, needs no new Phi^-1. */
  double *lz[2];
  uint64_t *lz_in[2];
  int lz_ready; /* lz has been computed at least once */
  /* Per (end point, arm): the anomaly rules that may force its value (arm and end point match,
   * a value for the end point's type), in order, and that value. */
  int *an_n;       /* [ne na] */
  int *an_k;       /* [ne na nanomalies] */
  double *an_val;  /* [ne na nanomalies] */
  /* The measures by kind, in measure order. */
  int ncont, nbin, nder;
  int cont_m[TSIM_MAX_LATENT], cont_d[TSIM_MAX_LATENT];
  int bin_m[TSIM_MAX_LATENT], bin_d[TSIM_MAX_LATENT];
  int der_m[TSIM_MAX_LATENT], der_src[TSIM_MAX_LATENT];
  unsigned char der_atleast[TSIM_MAX_LATENT];
  double der_thr[TSIM_MAX_LATENT];
  double *sdm[2];  /* [na nm] SD of continuous measure m in arm a, by hypothesis */
  /* The Cholesky factor's nonzero entries, row by row in column order: row d is terms
   * term_start[d] .. term_start[d + 1] - 1. Leaving out the zeros gives the same sums: a sum
   * that starts at +0 is never -0, and adding +-0 to it changes nothing. */
  int term_start[TSIM_MAX_LATENT + 1];
  int *term_k;
  double *term_c;
  /* Dropout: gone before visit v when u < dthr[((h na + a) 2 + r) nv + v], r = 1 for a
   * non-responder on the dropout_mnar measure (r = 0 and h = 0 without one: the same for
   * both hypotheses). */
  double *dthr;
  int mnar;
  /* Baselines, in end point order (their draw order). */
  int base_idx[TSIM_MAX_ENDPOINTS], base_dim[TSIM_MAX_ENDPOINTS];
  double base_corr[TSIM_MAX_ENDPOINTS], base_sq[TSIM_MAX_ENDPOINTS];
  double base_mean[TSIM_MAX_ENDPOINTS], base_sd[TSIM_MAX_ENDPOINTS];
  double *u;       /* [PASS] the pass's dropout uniforms (dropout_mnar only) */
  double *z;       /* [PASS stride] the pass's normals, patient by patient */
  double *x;       /* [nd PASS] their correlated normals, dimension by dimension */
  int *cell;       /* [PASS] each patient's (site, arm) cell times nm: its offset in lz */
  int *acol;       /* [PASS] each patient's arm times nm: its offset in sdm */
};

struct tsim_latent_ws *tsim__latent_ws_new(const tsim_cohort_plan *plan) {
  const tsim_scenario *sc = plan->sc;
  const tsim_latent_plan *lp = plan->lat;
  struct tsim_latent_ws *l = calloc(1, sizeof *l);
  if (!l) return NULL;
  int nm = lp->nmeas, nd = lp->ndim, na = sc->narms, ne = sc->nendpoints, nk = sc->nanomalies;
  l->nm = nm, l->nd = nd, l->nb = lp->nbase, l->na = na, l->ns = sc->nsites, l->nv = sc->nvisits;
  l->nsub = sc->nsubgroups, l->stride = nd + lp->nbase;
  size_t cells = (size_t)nm * (size_t)sc->nsites * (size_t)na, nterms = (size_t)nd * (size_t)(nd + 1) / 2;
  int ok = 1;
  for (int h = 0; h < 2; h++) {
    l->lz[h] = malloc(cells * sizeof *l->lz[h]);
    l->lz_in[h] = malloc(cells * sizeof *l->lz_in[h]);
    l->sdm[h] = calloc((size_t)na * (size_t)nm, sizeof *l->sdm[h]);
    ok = ok && l->lz[h] && l->lz_in[h] && l->sdm[h];
  }
  l->an_n = calloc((size_t)ne * (size_t)na, sizeof *l->an_n);
  l->an_k = malloc(((size_t)ne * (size_t)na * (size_t)nk + 1) * sizeof *l->an_k);
  l->an_val = malloc(((size_t)ne * (size_t)na * (size_t)nk + 1) * sizeof *l->an_val);
  l->term_k = malloc((nterms + 1) * sizeof *l->term_k);
  l->term_c = malloc((nterms + 1) * sizeof *l->term_c);
  l->dthr = malloc((size_t)4 * (size_t)na * (size_t)(sc->nvisits + 1) * sizeof *l->dthr);
  l->u = malloc(PASS * sizeof *l->u);
  l->z = malloc((size_t)PASS * (size_t)(l->stride + 1) * sizeof *l->z);
  l->x = malloc((size_t)PASS * (size_t)(nd + 1) * sizeof *l->x);
  l->cell = malloc(PASS * sizeof *l->cell);
  l->acol = malloc(PASS * sizeof *l->acol);
  if (!ok || !l->x || !l->cell || !l->acol || !l->an_n || !l->an_k || !l->an_val || !l->term_k || !l->term_c || !l->dthr || !l->u || !l->z) {
    tsim__latent_ws_free(l);
    return NULL;
  }
  for (int h = 0; h < 2; h++) memset(l->lz_in[h], 0xff, cells * sizeof *l->lz_in[h]); /* no probability's bits */
  for (int e = 0; e < ne; e++)
    for (int a = 0; a < na; a++) {
      const tsim_endpoint *ep = &sc->endpoints[e];
      size_t ea = (size_t)e * (size_t)na + (size_t)a;
      for (int k = 0; k < nk; k++) {
        const tsim_anomaly *an = &sc->anomalies[k];
        double forced = ep->type == TSIM_EP_CONTINUOUS ? an->mean : an->response;
        if (an->arm != a || (an->endpoint >= 0 && an->endpoint != e) || isnan(forced)) continue;
        l->an_k[ea * (size_t)nk + (size_t)l->an_n[ea]] = k;
        l->an_val[ea * (size_t)nk + (size_t)l->an_n[ea]++] = forced;
      }
    }
  for (int m = 0; m < nm; m++) {
    int d = lp->meas_dim[m];
    if (d < 0) {
      l->der_m[l->nder] = m, l->der_src[l->nder] = lp->meas_src[m];
      l->der_atleast[l->nder] = lp->meas_atleast[m], l->der_thr[l->nder++] = lp->meas_thr[m];
    } else if (lp->meas_cont[m]) {
      l->cont_m[l->ncont] = m, l->cont_d[l->ncont++] = d;
    } else {
      l->bin_m[l->nbin] = m, l->bin_d[l->nbin++] = d;
    }
    for (int h = 0; h < 2; h++)
      for (int a = 0; a < na; a++) l->sdm[h][(size_t)a * (size_t)nm + (size_t)m] = lp->sd[h][lp->meas_ep[m]][a];
  }
  int t = 0;
  for (int d = 0; d < nd; d++) {
    l->term_start[d] = t;
    for (int k = 0; k <= d; k++) {
      double cf = lp->chol[(size_t)d * (size_t)nd + (size_t)k];
      if (cf == 0) continue;
      l->term_k[t] = k;
      l->term_c[t++] = cf;
    }
  }
  l->term_start[nd] = t;
  l->mnar = lp->mnar_meas >= 0;
  for (int h = 0; h < 2; h++)
    for (int a = 0; a < na; a++)
      for (int r = 0; r < 2; r++)
        for (int v = 0; v < sc->nvisits; v++) {
          /* The product the sampler always formed (f = 1 without dropout_mnar: by[v] itself). */
          double f = l->mnar ? lp->mnar_factor[h][a][r] : 1;
          l->dthr[(((size_t)h * (size_t)na + (size_t)a) * 2 + (size_t)r) * (size_t)sc->nvisits + (size_t)v] =
              sc->arms[a].dropout_by[v] * f;
        }
  for (int e = 0, i = 0; e < ne; e++) {
    const tsim_endpoint *ep = &sc->endpoints[e];
    if (lp->base_of[e] < 0) continue;
    l->base_idx[i] = lp->base_of[e];
    l->base_dim[i] = lp->meas_dim[lp->meas_start[e] + ep->nvisits - 1];
    l->base_corr[i] = ep->base_corr;
    l->base_sq[i] = sqrt(1 - ep->base_corr * ep->base_corr);
    l->base_mean[i] = ep->base_mean;
    l->base_sd[i++] = ep->base_sd;
  }
  return l;
}

void tsim__latent_ws_free(struct tsim_latent_ws *l) {
  if (!l) return;
  for (int h = 0; h < 2; h++) {
    free(l->lz[h]);
    free(l->lz_in[h]);
    free(l->sdm[h]);
  }
  free(l->an_n);
  free(l->an_k);
  free(l->an_val);
  free(l->term_k);
  free(l->term_c);
  free(l->dthr);
  free(l->u);
  free(l->z);
  free(l->x);
  free(l->cell);
  free(l->acol);
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

static inline uint64_t bits_of(double x) {
  uint64_t b;
  memcpy(&b, &x, sizeof b);
  return b;
}

/* This trial's parameter of every (measure, site, arm) under both hypotheses: the latent
 * threshold Phi^-1(p) of a binary measure, the mean of a continuous one. Computed once per
 * workspace when no trial can differ (fixed_params). The same numbers as computing every cell
 * from scratch: an anomaly's value replaces the cell's (the last rule that covers it wins), and
 * exp and Phi^-1 are pure functions, so a result is reused only where its argument has the very
 * same bits - under the null twin every arm's argument is the control arm's, and a cell's
 * probability that no site effect moves (an anomaly's) is the last trial's. */
static void trial_params(tsim_cohort *c) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_latent_plan *lp = c->plan->lat;
  struct tsim_latent_ws *l = c->latent;
  if (lp->fixed_params && l->lz_ready) return;
  l->lz_ready = 1;
  int ns = sc->nsites, na = sc->narms, nm = lp->nmeas, nk = sc->nanomalies, ctl = sc->control;
  int het = sc->heterogeneity_sd > 0;
  for (int m = 0; m < nm; m++) {
    if (lp->meas_dim[m] < 0) continue; /* derived: follows its source */
    int e = lp->meas_ep[m];
    const tsim_endpoint *ep = &sc->endpoints[e];
    int cont = ep->type == TSIM_EP_CONTINUOUS;
    for (int s = 0; s < ns; s++) {
      /* b_s > 0: patients do better (latent.h). */
      double b = ep->higher_is_better ? c->site_effect[s] : -c->site_effect[s];
      double val[2][TSIM_MAX_ARMS], arg[2][TSIM_MAX_ARMS];
      unsigned char forced[TSIM_MAX_ARMS], has_arg[2][TSIM_MAX_ARMS];
      for (int a = 0; a < na; a++) {
        size_t ea = (size_t)e * (size_t)na + (size_t)a;
        forced[a] = 0;
        for (int i = l->an_n[ea] - 1; i >= 0; i--)
          if (c->anomalous[(size_t)l->an_k[ea * (size_t)nk + (size_t)i] * (size_t)ns + (size_t)s]) {
            val[0][a] = val[1][a] = l->an_val[ea * (size_t)nk + (size_t)i];
            forced[a] = 1;
            break;
          }
      }
      for (int h = 0; h < 2; h++)
        for (int a = 0; a < na; a++) {
          has_arg[h][a] = 0;
          if (forced[a]) continue;
          double p = lp->p[h][m][a];
          if (cont) {
            p += lp->sd[h][e][a] * b * SITE_TO_LATENT;
          } else if (p > 0 && p < 1 && het) {
            double x = lp->logit[h][m][a] + b;
            arg[h][a] = x, has_arg[h][a] = 1;
            if (h == 1 && has_arg[0][a] && bits_of(arg[0][a]) == bits_of(x)) p = val[0][a];
            else if (h == 1 && has_arg[0][ctl] && bits_of(arg[0][ctl]) == bits_of(x)) p = val[0][ctl];
            else p = 1.0 / (1.0 + exp(-x));
          }
          val[h][a] = p;
        }
      for (int h = 0; h < 2; h++)
        for (int a = 0; a < na; a++) {
          size_t i = ((size_t)s * (size_t)na + (size_t)a) * (size_t)nm + (size_t)m;
          double v = val[h][a];
          if (cont) {
            l->lz[h][i] = v;
            continue;
          }
          uint64_t vb = bits_of(v);
          if (vb == l->lz_in[h][i]) continue; /* the last trial's */
          size_t i0a = i, i0c = ((size_t)s * (size_t)na + (size_t)ctl) * (size_t)nm + (size_t)m;
          l->lz_in[h][i] = vb;
          if (h == 1 && vb == l->lz_in[0][i0a]) l->lz[1][i] = l->lz[0][i0a];
          else if (h == 1 && vb == l->lz_in[0][i0c]) l->lz[1][i] = l->lz[0][i0c];
          else l->lz[h][i] = v <= 0 ? -INFINITY : v >= 1 ? INFINITY : gsl_cdf_ugaussian_Pinv(v);
        }
    }
  }
}

/* The first visit missed (nv: none) by a patient with dropout uniform u, thresholds thr. */
static inline uint8_t first_missed(const double *thr, int nv, double u) {
  int v = 0;
  while (v < nv && !(u < thr[v])) v++;
  return (uint8_t)v;
}

/* Patients j0 .. j0 + cnt - 1: their MISSING numbers (dropout uniform, deviation, subgroups),
 * read from the stream whose state is *stm. Without dropout_mnar their first missed visit
 * follows at once (the same under both hypotheses); with it the uniforms wait in l->u. */
static void pass_missing(tsim_cohort *c, tsim_rng_state *stm, long long j0, int cnt) {
  const tsim_latent_plan *lp = c->plan->lat;
  struct tsim_latent_ws *l = c->latent;
  tsim_rng_state st = *stm;
  const uint8_t *arm = c->arm + j0;
  uint8_t *dev = c->pat.dev + j0, *sub = c->pat.sub + j0;
  uint8_t *g0 = c->pat.gone[0] + j0, *g1 = c->pat.gone[1] + j0;
  int nsub = l->nsub, nv = l->nv, mnar = l->mnar;
  size_t rowlen = 2 * (size_t)nv;
  for (int j = 0; j < cnt; j++) {
    int a = arm[j];
    double u = (double)(tsim_rng_step(&st) >> 11) * 0x1.0p-53;
    dev[j] = (uint8_t)((tsim_rng_step(&st) >> 11) < lp->dev_thr[a]);
    uint8_t sb = 0;
    for (int g = 0; g < nsub; g++) sb |= (uint8_t)(((tsim_rng_step(&st) >> 11) < lp->sub_thr[g]) << g);
    sub[j] = sb;
    if (mnar) {
      l->u[j] = u;
    } else {
      g0[j] = g1[j] = first_missed(l->dthr + (size_t)a * rowlen, nv, u);
    }
  }
  *stm = st;
}

/* Patients j0 .. j0 + cnt - 1's values under both hypotheses from their normals in l->z (and
 * with dropout_mnar their first missed visits), and their baselines. Measure by measure over
 * the pass's patients: the per-measure choices leave the inner loops, which then run long. */
static void pass_values(tsim_cohort *c, long long j0, int cnt) {
  struct tsim_latent_ws *l = c->latent;
  const int nm = l->nm, nd = l->nd, na = l->na, nv = l->nv, stride = l->stride, nb = l->nb;
  const uint8_t *arm = c->arm + j0;
  const uint16_t *site = c->site + j0;
  const double *z = l->z;
  double *v0 = c->pat.val[0] + (size_t)j0 * (size_t)nm, *v1 = c->pat.val[1] + (size_t)j0 * (size_t)nm;
  int *cell = l->cell, *acol = l->acol;
  for (int j = 0; j < cnt; j++) {
    cell[j] = ((int)site[j] * na + (int)arm[j]) * nm;
    acol[j] = (int)arm[j] * nm;
  }
  /* x = L z, patient by patient the same operations in the same order as a row times z. */
  for (int d = 0; d < nd; d++) {
    double *x = l->x + (size_t)d * PASS;
    int t0 = l->term_start[d], t1 = l->term_start[d + 1];
    if (t0 == t1) {
      for (int j = 0; j < cnt; j++) x[j] = 0;
      continue;
    }
    const double c0 = l->term_c[t0], *zk = z + l->term_k[t0];
    for (int j = 0; j < cnt; j++) x[j] = 0 + c0 * zk[(size_t)j * (size_t)stride];
    for (int t = t0 + 1; t < t1; t++) {
      const double ct = l->term_c[t], *zt = z + l->term_k[t];
      for (int j = 0; j < cnt; j++) x[j] += ct * zt[(size_t)j * (size_t)stride];
    }
  }
  for (int i = 0; i < l->ncont; i++) {
    int m = l->cont_m[i];
    const double *x = l->x + (size_t)l->cont_d[i] * PASS;
    const double *t0 = l->lz[0] + m, *t1 = l->lz[1] + m, *s0 = l->sdm[0] + m, *s1 = l->sdm[1] + m;
    double *w0 = v0 + m, *w1 = v1 + m;
    for (int j = 0; j < cnt; j++) {
      double xj = x[j];
      w0[(size_t)j * (size_t)nm] = t0[cell[j]] + s0[acol[j]] * xj;
      w1[(size_t)j * (size_t)nm] = t1[cell[j]] + s1[acol[j]] * xj;
    }
  }
  /* A binary end point responds at the top of its latent distribution: -x < Phi^-1(p). */
  for (int i = 0; i < l->nbin; i++) {
    int m = l->bin_m[i];
    const double *x = l->x + (size_t)l->bin_d[i] * PASS;
    const double *t0 = l->lz[0] + m, *t1 = l->lz[1] + m;
    double *w0 = v0 + m, *w1 = v1 + m;
    for (int j = 0; j < cnt; j++) {
      double nx = -x[j];
      w0[(size_t)j * (size_t)nm] = (double)(nx < t0[cell[j]]);
      w1[(size_t)j * (size_t)nm] = (double)(nx < t1[cell[j]]);
    }
  }
  for (int i = 0; i < l->nder; i++) {
    int m = l->der_m[i], src = l->der_src[i];
    double thr = l->der_thr[i];
    for (int h = 0; h < 2; h++) {
      double *v = h ? v1 : v0;
      if (l->der_atleast[i])
        for (int j = 0; j < cnt; j++) v[(size_t)j * (size_t)nm + (size_t)m] = (double)(v[(size_t)j * (size_t)nm + (size_t)src] >= thr);
      else
        for (int j = 0; j < cnt; j++) v[(size_t)j * (size_t)nm + (size_t)m] = (double)(v[(size_t)j * (size_t)nm + (size_t)src] <= thr);
    }
  }
  if (l->mnar) {
    int mm = c->plan->lat->mnar_meas;
    for (int h = 0; h < 2; h++) {
      const double *v = (h ? v1 : v0) + mm;
      uint8_t *g = c->pat.gone[h] + j0;
      for (int j = 0; j < cnt; j++) {
        int r = !(v[(size_t)j * (size_t)nm] != 0); /* 1: a non-responder */
        int a = arm[j];
        g[j] = first_missed(l->dthr + (((size_t)h * (size_t)na + (size_t)a) * 2 + (size_t)r) * (size_t)nv, nv, l->u[j]);
      }
    }
  }
  double *base = c->pat.base + (size_t)j0 * (size_t)nb;
  for (int i = 0; i < nb; i++) {
    const double *x = l->x + (size_t)l->base_dim[i] * PASS, *eps = z + nd + i;
    double corr = l->base_corr[i], sq = l->base_sq[i], mean = l->base_mean[i], sd = l->base_sd[i];
    double *w = base + l->base_idx[i];
    for (int j = 0; j < cnt; j++) {
      double zb = corr * x[j] + sq * eps[(size_t)j * (size_t)stride];
      w[(size_t)j * (size_t)nb] = mean + sd * zb;
    }
  }
}

void tsim__cohort_sample_latent(tsim_cohort *c, uint64_t seed, long long trial) {
  struct tsim_latent_ws *l = c->latent;
  trial_params(c);
  tsim_rng_seed_stream(c->rng, seed, (uint64_t)trial, TSIM_STREAM_ENROLL);
  tsim__cohort_enroll(c);
  tsim_rng_seed_stream(c->rng, seed, (uint64_t)trial, TSIM_STREAM_MISSING);
  tsim_rng_seed_stream(c->rng2, seed, (uint64_t)trial, TSIM_STREAM_OUTCOME);
  tsim_rng_state *stm = tsim_rng_state_of(c->rng), *sto = tsim_rng_state_of(c->rng2);
  for (long long j0 = 0; j0 < c->n; j0 += PASS) {
    int cnt = c->n - j0 < PASS ? (int)(c->n - j0) : PASS;
    pass_missing(c, stm, j0, cnt);
    tsim_rng_normals(sto, l->z, (size_t)cnt * (size_t)l->stride);
    pass_values(c, j0, cnt);
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
