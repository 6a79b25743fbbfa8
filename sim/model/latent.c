/* latent.c - sampling patients from the latent multivariate normal model (see latent.h). */
#include "model/latent.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/numfmt.h"
#include "core/rng.h"
#include "model/cellsample.h"
#include "model/stages.h"

#define SITE_TO_LATENT 0.5513288954217920 /* sqrt(3) / pi: logistic SD -> normal SD */



/* Patients per pass of the sampler: each pass draws its patients' MISSING numbers, then their
 * OUTCOME normals into a buffer small enough to stay in the first-level cache, then computes
 * their values. The two streams are independent, so drawing each in its own loop reads the
 * same numbers in the same order as drawing them patient by patient. */
#define PASS 256

/* x_fused: designs of at most this many latent dimensions compute x patient by patient. */
#define FUSED_MAX_ND 6

/* How a column (arm a, measure m) of every site's parameters is computed under hypothesis h
 * (trial_params), from the site's effect b (signed: b > 0 is better): */
enum {
  COL_CONT,  /* a mean: p + sd b sqrt(3)/pi */
  COL_FIXED, /* a binary threshold no site effect moves (p at 0 or 1, or no heterogeneity) */
  COL_SITE,  /* a binary threshold Phi^-1(logistic(logit + b)) */
};
/* Under the null twin, a column whose inputs have the same bits as another's under the
 * alternative takes that one's result (exp and Phi^-1 are pure functions): */
enum {
  DUP_NONE,
  DUP_SAME, /* the same column's (the control arm, or a null equal to the alternative) */
  DUP_CTL,  /* the control arm's column of the same measure (every arm's null), unless an
               anomaly forces that cell */
};
struct latent_col {
  int q, qctl;          /* a nm + m, ctl nm + m */
  int kind[2], dup;     /* COL_*, by hypothesis; DUP_* of the null */
  int better;           /* higher_is_better: b = +site effect, else - */
  double p[2], sd[2];   /* COL_CONT */
  double fixed[2];      /* COL_FIXED: the threshold */
  double logit[2];      /* COL_SITE */
};

/* Phi^-1(v) with the infinities at 0 and 1: a binary measure's latent threshold. */
static double threshold_of(double v) {
  return v <= 0 ? -INFINITY : v >= 1 ? INFINITY : gsl_cdf_ugaussian_Pinv(v);
}

/* gsl_cdf_ugaussian_Pinv(P) for |P - 0.5| <= 0.425, computed as GSL computes it: AS241's
 * rational function (Wichura, Appl. Statist. 37, 1988) with GSL's coefficients - their bits as
 * GSL 2.7 holds them (its last denominator coefficient, 5226.495278852854, is not AS241's
 * printed 5226.4952788528545610) - evaluated by Horner's rule in GSL's order, without fused
 * multiply-adds (-ffp-contract=off). Inline, so that a loop of independent evaluations runs
 * them side by side instead of waiting out one 16-step chain per call. Used only where
 * pinv_matches_gsl found it equal to the GSL the program runs with. */
static const double PINV_A[8] = {0x1.b18d91e9eef75p+1, 0x1.0a4888b1a436ep+7, 0x1.ece5d2213c0ccp+10,
                                 0x1.ad1d8cd4ee71dp+13, 0x1.66c3e869b752ap+15, 0x1.06c1c55b78f20p+16,
                                 0x1.052d26b2e45e4p+15, 0x1.39a296f7d925ep+11};
static const double PINV_B[8] = {0x1.0000000000000p+0, 0x1.5281b386e1ab5p+5, 0x1.5797efdc8b3f7p+9,
                                 0x1.512322e75c89fp+12, 0x1.4b772d5d65266p+14, 0x1.3317caa64f4bep+15,
                                 0x1.c0e457cb1ae76p+14, 0x1.46a7eca984b69p+12};

static inline double pinv_central(double p) {
  double q = p - 0.5, r = 0.180625 - q * q;
  double u = PINV_A[7], v = PINV_B[7];
  for (int i = 7; i > 0; i--) u = r * u + PINV_A[i - 1];
  for (int i = 7; i > 0; i--) v = r * v + PINV_B[i - 1];
  return q * (u / v);
}

/* 1 when pinv_central gives gsl_cdf_ugaussian_Pinv's bits on probes across the central range
 * (a GSL with other coefficients or another evaluation order would differ on most of them). */
static int pinv_matches_gsl(void) {
  uint64_t x = 0x9e3779b97f4a7c15u;
  for (int k = 0; k < 1024; k++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    double p = k < 2 ? (k ? 0.925 : 0.075) : 0.075 + 0.85 * ((double)(x >> 11) * 0x1.0p-53);
    if (!(fabs(p - 0.5) <= 0.425)) continue;
    double a = gsl_cdf_ugaussian_Pinv(p), b = pinv_central(p);
    if (memcmp(&a, &b, sizeof a) != 0) return 0;
  }
  return 1;
}

static inline uint64_t bits_of(double x) {
  uint64_t b;
  memcpy(&b, &x, sizeof b);
  return b;
}

static inline double bits_to(uint64_t b) {
  double x;
  memcpy(&x, &b, sizeof x);
  return x;
}

/* The latent sampler's own part of a workspace (tsim_cohort.latent): this trial's parameters,
 * and what the plan says laid out for the per-patient loops (copied per workspace: it is small
 * and each thread then reads its own). */
struct tsim_latent_ws {
  int nm, nd, nb, na, ns, nv, nsub, stride; /* measures, dimensions, baselines, arms, sites,
                                               visits, subgroups; normals per patient */
  /* This trial's threshold (binary) or mean (continuous) of measure m in the cell of site s and
   * arm a, at s W + a nm + m (W = na nm), by hypothesis. */
  double *lz[2];
  int lz_ready; /* lz has been computed at least once */
  /* How each (arm, non-derived measure) column of a site's lz is computed (trial_params). */
  int ncol;
  struct latent_col *col;
  /* Anomalies: fq[s W + q] indexes an_lz (the rule's value, or its Phi^-1 for a binary measure)
   * where a rule forces the cell this trial (the last such rule), else -1; NULL without rules.
   * The same in every trial when every rule lists its sites (an_fixed), then filled once. */
  int *fq;
  double *an_lz;
  int an_fixed, fq_ready;
  /* trial_params' batch of thresholds to compute ([2 ns ncol] each) and of copies. */
  double *bt_p, *bt_z, **bt_dst, **cp_dst, **cp_src;
  int pinv_ok; /* pinv_central is GSL's (pinv_matches_gsl) */
  /* trial_params' program: with the forced cells the same in every trial (fq fixed), the
   * cells, batch entries and copies are the same in every trial and only the site effects
   * change. The first trial records, in its order, the cells a site effect moves - a mean
   * (ce_*) or a probability (bt_*, into bt_p at its batch index) - and the batch's and copies'
   * destinations; later trials compute only those (the forced and fixed cells keep their
   * values: nothing else writes lz). */
  int prog_ready, nce, prog_nbt, prog_ncp;
  int *ce_s, *bs_s;                 /* the site of each */
  unsigned char *ce_better, *bs_better;
  double *ce_p, *ce_sd, **ce_dst;   /* mean: *ce_dst = ce_p + ce_sd b sqrt(3)/pi */
  double *bs_logit;                 /* probability bt_p[i] = 1 / (1 + exp(-(bs_logit[i] + b))) */
  /* The measures by kind, in measure order. */
  int ncont, nbin, nder;
  int cont_m[TSIM_MAX_LATENT], cont_d[TSIM_MAX_LATENT];
  int bin_m[TSIM_MAX_LATENT], bin_d[TSIM_MAX_LATENT];
  int der_m[TSIM_MAX_LATENT], der_src[TSIM_MAX_LATENT];
  unsigned char der_atleast[TSIM_MAX_LATENT];
  double der_thr[TSIM_MAX_LATENT];
  double *sdm[2];  /* [na nm] SD of continuous measure m in arm a, by hypothesis */
  double *sdc[2];  /* sdm laid out as lz (the same for every site): one index serves both */
  /* The Cholesky factor's nonzero entries, row by row in column order: row d is terms
   * term_start[d] .. term_start[d + 1] - 1. Leaving out the zeros gives the same sums: a sum
   * that starts at +0 is never -0, and adding +-0 to it changes nothing. */
  int term_start[TSIM_MAX_LATENT + 1];
  int *term_k;
  double *term_c;
  /* The whole lower triangle, row by row (x_fused, nd <= FUSED_MAX_ND): a zero's
   * term adds +-0 to a sum that is never -0, so the sums are the same bits as term_*'s. */
  double chol[FUSED_MAX_ND * FUSED_MAX_ND];
  int xfused; /* x_fused computes x (every term nonzero, nd <= FUSED_MAX_ND) */
  /* Dropout: gone before visit v when u < dthr[((h na + a) 2 + r) nv + v], r = 1 for a
   * non-responder on the dropout_mnar measure (r = 0 and h = 0 without one: the same for
   * both hypotheses). */
  double *dthr;
  uint64_t *dthr_k; /* dthr as thresholds on the uniform's 53 bits k (u = k 2^-53 < t exactly when
                       k < ceil(t 2^53)): the visits without dropout_mnar, without converting u */
  int mnar, dmono; /* dmono: every row of dthr never decreases */
  int nomiss;      /* no dropout, deviation, subgroup or dropout_mnar: the MISSING stream decides
                      nothing, and pass_missing draws none of it */
  /* Baselines, in end point order (their draw order). */
  int base_idx[TSIM_MAX_ENDPOINTS], base_dim[TSIM_MAX_ENDPOINTS];
  double base_corr[TSIM_MAX_ENDPOINTS], base_sq[TSIM_MAX_ENDPOINTS];
  double base_mean[TSIM_MAX_ENDPOINTS], base_sd[TSIM_MAX_ENDPOINTS];
  /* Intercurrent events (nev > 0): patient of arm a, a non-responder (r = 1) or not on the
   * event's end point, has event k before visit v under hypothesis h when its uniform's bits are
   * below ethr[(((h na + a) 2 + r) nev + k) nv + v]; the fraction of the way to the control
   * arm's value at measure m's visit w of an event before visit v, efrac[(k (nv + 1) + v) nv +
   * w]; its shift of measure m, eshift[k nm + m]. */
  int nev;
  unsigned hyp_mask;
  uint64_t *ethr;
  double *efrac, *eshift;
  int edep[TSIM_MAX_EVENTS]; /* the measure an event's probability depends on (its end point's
                                last), or -1 */
  uint64_t ekey;   /* this trial's key of the events' draws (rng.h, TSIM_DRAWS_EVENTS) */
  double *u;       /* [PASS] the pass's dropout uniforms (dropout_mnar only) */
  double *z;       /* [PASS stride] the pass's normals, patient by patient */
  double *x;       /* [nd PASS] their correlated normals, dimension by dimension */
  int *cell;       /* [PASS] each patient's (site, arm) cell times nm: its offset in lz */
};

double tsim_event_fraction(const tsim_scenario *sc, int k, int v, int w) {
  const tsim_event *ev = &sc->events[k];
  if (v > w) return 0;
  double since = sc->visit_week[w] - (v > 0 ? sc->visit_week[v - 1] : 0);
  return ev->after == TSIM_OFF_CONTROL ? 1 : ev->after == TSIM_OFF_WANE ? fmin(1, fmax(0, since / ev->wane_weeks)) : 0;
}

/* The intercurrent events' thresholds, fractions and shifts (tsim_latent_ws). Under the null
 * twin every arm has the control arm's event probabilities (and response, for a dependence):
 * a treatment without effect does not change how often the events happen. */
static void events_plan(struct tsim_latent_ws *l, const tsim_scenario *sc, const tsim_latent_plan *lp) {
  int na = sc->narms, nv = sc->nvisits, nev = l->nev, nm = l->nm;
  for (int k = 0; k < nev; k++) {
    const tsim_event *ev = &sc->events[k];
    l->edep[k] = ev->dep_endpoint >= 0 ? lp->meas_start[ev->dep_endpoint] + sc->endpoints[ev->dep_endpoint].nvisits - 1 : -1;
    for (int h = 0; h < 2; h++)
      for (int a = 0; a < na; a++)
        for (int r = 0; r < 2; r++) {
          int b = h ? sc->control : a;
          double f = 1;
          if (ev->dep_endpoint >= 0) {
            double q = sc->endpoints[ev->dep_endpoint].response[b], rr = ev->dep_ratio;
            f = (r ? rr : 1) / (q + rr * (1 - q));
          }
          for (int v = 0; v < nv; v++) {
            double t = ev->by[v][b] * f;
            l->ethr[((((size_t)h * (size_t)na + (size_t)a) * 2 + (size_t)r) * (size_t)nev + (size_t)k) * (size_t)nv + (size_t)v] =
                !(t > 0) ? 0 : t >= 1 ? (uint64_t)1 << 53 : tsim__threshold(t);
          }
        }
    for (int v = 0; v <= nv; v++)
      for (int w = 0; w < nv; w++)
        l->efrac[((size_t)k * (size_t)(nv + 1) + (size_t)v) * (size_t)nv + (size_t)w] = tsim_event_fraction(sc, k, v, w);
    for (int m = 0; m < nm; m++)
      if (lp->meas_dim[m] >= 0) l->eshift[(size_t)k * (size_t)nm + (size_t)m] = ev->shift[lp->meas_ep[m]];
  }
}

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
    l->sdm[h] = calloc((size_t)na * (size_t)nm, sizeof *l->sdm[h]);
    l->sdc[h] = malloc(cells * sizeof *l->sdc[h]);
    ok = ok && l->lz[h] && l->sdm[h] && l->sdc[h];
  }
  l->col = malloc(((size_t)na * (size_t)nm + 1) * sizeof *l->col);
  size_t nbatch = 2 * (size_t)sc->nsites * ((size_t)na * (size_t)nm + 1);
  l->bt_p = malloc(nbatch * sizeof *l->bt_p);
  l->bt_z = malloc(nbatch * sizeof *l->bt_z);
  l->bt_dst = malloc(nbatch * sizeof *l->bt_dst);
  l->cp_dst = malloc(nbatch * sizeof *l->cp_dst);
  l->cp_src = malloc(nbatch * sizeof *l->cp_src);
  ok = ok && l->bt_p && l->bt_z && l->bt_dst && l->cp_dst && l->cp_src;
  l->ce_s = malloc(nbatch * sizeof *l->ce_s);
  l->bs_s = malloc(nbatch * sizeof *l->bs_s);
  l->ce_better = malloc(nbatch);
  l->bs_better = malloc(nbatch);
  l->ce_p = malloc(nbatch * sizeof *l->ce_p);
  l->ce_sd = malloc(nbatch * sizeof *l->ce_sd);
  l->ce_dst = malloc(nbatch * sizeof *l->ce_dst);
  l->bs_logit = malloc(nbatch * sizeof *l->bs_logit);
  ok = ok && l->ce_s && l->bs_s && l->ce_better && l->bs_better && l->ce_p && l->ce_sd && l->ce_dst && l->bs_logit;
  l->pinv_ok = pinv_matches_gsl();
  if (nk > 0) {
    l->fq = malloc(cells * sizeof *l->fq);
    l->an_lz = malloc(((size_t)ne * (size_t)na * (size_t)nk + 1) * sizeof *l->an_lz);
    ok = ok && l->fq && l->an_lz;
  }
  l->term_k = malloc((nterms + 1) * sizeof *l->term_k);
  l->term_c = malloc((nterms + 1) * sizeof *l->term_c);
  l->dthr = malloc((size_t)4 * (size_t)na * (size_t)(sc->nvisits + 1) * sizeof *l->dthr);
  l->dthr_k = malloc((size_t)4 * (size_t)na * (size_t)(sc->nvisits + 1) * sizeof *l->dthr_k);
  l->nev = sc->nevents;
  l->hyp_mask = sc->hyp_mask;
  if (l->nev > 0) {
    size_t nv1 = (size_t)sc->nvisits, ne_ = (size_t)l->nev;
    l->ethr = malloc(4 * (size_t)na * ne_ * nv1 * sizeof *l->ethr);
    l->efrac = malloc(ne_ * (nv1 + 1) * nv1 * sizeof *l->efrac);
    l->eshift = calloc(ne_ * (size_t)nm, sizeof *l->eshift);
    ok = ok && l->ethr && l->efrac && l->eshift;
  }
  l->u = malloc(PASS * sizeof *l->u);
  l->z = malloc((size_t)PASS * (size_t)(l->stride + 1) * sizeof *l->z);
  l->x = malloc((size_t)PASS * (size_t)(nd + 1) * sizeof *l->x);
  l->cell = malloc(PASS * sizeof *l->cell);
  if (!ok || !l->col || !l->x || !l->cell || !l->term_k || !l->term_c || !l->dthr || !l->dthr_k || !l->u || !l->z) {
    tsim__latent_ws_free(l);
    return NULL;
  }
  int ctl = sc->control, het = sc->heterogeneity_sd > 0;
  for (int a = 0; a < na; a++)
    for (int m = 0; m < nm; m++) {
      if (lp->meas_dim[m] < 0) continue; /* derived: follows its source */
      const tsim_endpoint *ep = &sc->endpoints[lp->meas_ep[m]];
      struct latent_col *cl = &l->col[l->ncol++];
      cl->q = a * nm + m, cl->qctl = ctl * nm + m, cl->better = ep->higher_is_better;
      for (int h = 0; h < 2; h++) {
        double p = lp->p[h][m][a];
        cl->p[h] = p, cl->sd[h] = lp->sd[h][lp->meas_ep[m]][a], cl->logit[h] = lp->logit[h][m][a];
        cl->kind[h] = ep->type == TSIM_EP_CONTINUOUS ? COL_CONT : p > 0 && p < 1 && het ? COL_SITE : COL_FIXED;
        cl->fixed[h] = cl->kind[h] == COL_FIXED ? threshold_of(p) : 0;
      }
      cl->dup = DUP_NONE;
      if (cl->kind[1] == COL_SITE && cl->kind[0] == COL_SITE && bits_of(cl->logit[1]) == bits_of(cl->logit[0]))
        cl->dup = DUP_SAME;
      else if (cl->kind[1] == COL_SITE && a != ctl && bits_of(cl->logit[1]) == bits_of(lp->logit[0][m][ctl]) &&
               lp->p[0][m][ctl] > 0 && lp->p[0][m][ctl] < 1)
        cl->dup = DUP_CTL;
    }
  l->an_fixed = 1;
  for (int k = 0; k < nk; k++) l->an_fixed &= sc->anomalies[k].mode == TSIM_ANOM_LISTED;
  for (int e = 0; e < ne && nk > 0; e++)
    for (int a = 0; a < na; a++) {
      const tsim_endpoint *ep = &sc->endpoints[e];
      for (int k = 0; k < nk; k++) {
        const tsim_anomaly *an = &sc->anomalies[k];
        double forced = ep->type == TSIM_EP_CONTINUOUS ? an->mean : an->response;
        l->an_lz[((size_t)e * (size_t)na + (size_t)a) * (size_t)nk + (size_t)k] =
            ep->type == TSIM_EP_CONTINUOUS || isnan(forced) ? forced : threshold_of(forced);
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
  for (int h = 0; h < 2; h++)
    for (size_t s = 0; s < (size_t)sc->nsites; s++)
      memcpy(l->sdc[h] + s * (size_t)na * (size_t)nm, l->sdm[h], (size_t)na * (size_t)nm * sizeof *l->sdm[h]);
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
  /* Patient by patient only where every term is nonzero: the zeros' products would cost more
   * than reading z once saves (pss2022.json's 5 dimensions, 8 of 15 terms nonzero). */
  l->xfused = nd <= FUSED_MAX_ND && t == nd * (nd + 1) / 2;
  for (int d = 0; d < nd && l->xfused; d++)
    for (int k = 0; k <= d; k++) l->chol[d * FUSED_MAX_ND + k] = lp->chol[(size_t)d * (size_t)nd + (size_t)k];
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
  for (size_t i = 0; i < (size_t)4 * (size_t)na * (size_t)sc->nvisits; i++) {
    double dt = l->dthr[i];
    l->dthr_k[i] = !(dt > 0) ? 0 : dt >= 1 ? (uint64_t)1 << 53 : tsim__threshold(dt);
  }
  l->nomiss = !l->mnar && sc->nsubgroups == 0;
  for (size_t i = 0; i < (size_t)4 * (size_t)na * (size_t)sc->nvisits; i++) l->nomiss &= l->dthr_k[i] == 0;
  for (int a = 0; a < na; a++) l->nomiss &= lp->dev_thr[a] == 0;
  l->dmono = 1;
  for (size_t r = 0; r < (size_t)4 * (size_t)na; r++)
    for (int v = 1; v < sc->nvisits; v++) l->dmono &= l->dthr[r * (size_t)sc->nvisits + (size_t)v - 1] <= l->dthr[r * (size_t)sc->nvisits + (size_t)v];
  if (l->nev > 0) events_plan(l, sc, lp);
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
    free(l->sdm[h]);
    free(l->sdc[h]);
  }
  free(l->col);
  free(l->bt_p);
  free(l->bt_z);
  free(l->bt_dst);
  free(l->cp_dst);
  free(l->cp_src);
  free(l->ce_s);
  free(l->bs_s);
  free(l->ce_better);
  free(l->bs_better);
  free(l->ce_p);
  free(l->ce_sd);
  free(l->ce_dst);
  free(l->bs_logit);
  free(l->fq);
  free(l->an_lz);
  free(l->term_k);
  free(l->term_c);
  free(l->dthr);
  free(l->dthr_k);
  free(l->ethr);
  free(l->efrac);
  free(l->eshift);
  free(l->u);
  free(l->z);
  free(l->x);
  free(l->cell);
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
      double nul = tsim_scenario_null(sc, lp->meas_ep[m], v, a);
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
      double q = h == 0 ? ep->response[a] : tsim_scenario_null(sc, sc->mnar_endpoint, ep->nvisits - 1, a);
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

/* Which anomaly rule, if any, forces each cell this trial (l->fq): the last rule whose arm and
 * end point match the cell's, with a value for the end point's type, that covers the site. */
static void forced_cells(tsim_cohort *c) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_latent_plan *lp = c->plan->lat;
  struct tsim_latent_ws *l = c->latent;
  int ns = sc->nsites, na = sc->narms, nm = lp->nmeas, nk = sc->nanomalies;
  size_t w = (size_t)na * (size_t)nm;
  for (int s = 0; s < ns; s++)
    for (int i = 0; i < l->ncol; i++) {
      int q = l->col[i].q, a = q / nm, e = lp->meas_ep[q % nm], f = -1;
      const tsim_endpoint *ep = &sc->endpoints[e];
      for (int k = 0; k < nk; k++) {
        const tsim_anomaly *an = &sc->anomalies[k];
        double forced = ep->type == TSIM_EP_CONTINUOUS ? an->mean : an->response;
        if (an->arm != a || (an->endpoint >= 0 && an->endpoint != e) || isnan(forced) ||
            !c->anomalous[(size_t)k * (size_t)ns + (size_t)s])
          continue;
        f = (e * na + a) * nk + k;
      }
      l->fq[(size_t)s * w + (size_t)q] = f;
    }
}

/* The thresholds of the probabilities the site effects moved (bt_p[0..nbt)), together: GSL's
 * rational function on the central range in one loop of independent evaluations
 * (pinv_central), the rest through threshold_of; then the null twin's ncp copies of them. */
static void thresholds_and_copies(struct tsim_latent_ws *l, int nbt, int ncp) {
  double *zt = l->bt_z;
  if (l->pinv_ok)
    for (int i = 0; i < nbt; i++) zt[i] = pinv_central(l->bt_p[i]);
  for (int i = 0; i < nbt; i++) {
    double p = l->bt_p[i];
    *l->bt_dst[i] = l->pinv_ok && fabs(p - 0.5) <= 0.425 ? zt[i] : threshold_of(p);
  }
  for (int i = 0; i < ncp; i++) *l->cp_dst[i] = *l->cp_src[i];
}

/* trial_params from its program (l->prog_ready): the same operations on the same inputs as
 * the first trial's loop recorded them, so the same bits. */
static void trial_params_prog(tsim_cohort *c) {
  struct tsim_latent_ws *l = c->latent;
  const double *se = c->site_effect;
  for (int i = 0; i < l->nce; i++) {
    double e = se[l->ce_s[i]], b = l->ce_better[i] ? e : -e;
    *l->ce_dst[i] = l->ce_p[i] + l->ce_sd[i] * b * SITE_TO_LATENT;
  }
  for (int i = 0; i < l->prog_nbt; i++) {
    double e = se[l->bs_s[i]], b = l->bs_better[i] ? e : -e;
    l->bt_p[i] = 1.0 / (1.0 + exp(-(l->bs_logit[i] + b)));
  }
  thresholds_and_copies(l, l->prog_nbt, l->prog_ncp);
}

/* This trial's parameter of every (measure, site, arm) under both hypotheses: the latent
 * threshold Phi^-1(p) of a binary measure, the mean of a continuous one. Computed once per
 * workspace when no trial can differ (fixed_params). The same numbers as computing every cell
 * from its site effect and then letting each anomaly rule that covers it overwrite it in turn:
 * a forced cell takes the last rule's value (its Phi^-1 computed once), a threshold no site
 * effect moves is computed once, and under the null twin a column whose exp and Phi^-1 would
 * see the same bits as the alternative's takes its result. */
__attribute__((noinline)) static void trial_params(tsim_cohort *c) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_latent_plan *lp = c->plan->lat;
  struct tsim_latent_ws *l = c->latent;
  if (lp->fixed_params && l->lz_ready) return;
  l->lz_ready = 1;
  if (l->prog_ready) {
    trial_params_prog(c);
    return;
  }
  if (l->fq && (!l->an_fixed || !l->fq_ready)) forced_cells(c);
  l->fq_ready = 1;
  int record = !l->fq || l->an_fixed, nce = 0;
  int ns = sc->nsites, ncol = l->ncol, nbt = 0, ncp = 0;
  size_t w = (size_t)sc->narms * (size_t)lp->nmeas;
  const struct latent_col *col = l->col;
  for (int s = 0; s < ns; s++) {
    double se = c->site_effect[s];
    double *L0 = l->lz[0] + (size_t)s * w, *L1 = l->lz[1] + (size_t)s * w;
    const int *F = l->fq ? l->fq + (size_t)s * w : NULL;
    int ce0 = nce, ce1 = nce; /* this site's recorded means: [ce0, ce1) the alternative's */
    for (int h = 0; h < 2; h++) {
      double *L = h ? L1 : L0;
      if (h == 1) ce1 = nce;
      for (int i = 0; i < ncol; i++) {
        const struct latent_col *cl = &col[i];
        int q = cl->q;
        if (F && F[q] >= 0) {
          L[q] = l->an_lz[F[q]];
          continue;
        }
        if (h == 1 && cl->dup == DUP_SAME) {
          l->cp_dst[ncp] = L1 + q, l->cp_src[ncp++] = L0 + q;
          continue;
        }
        if (h == 1 && cl->dup == DUP_CTL && !(F && F[cl->qctl] >= 0)) {
          l->cp_dst[ncp] = L1 + q, l->cp_src[ncp++] = L0 + cl->qctl;
          continue;
        }
        /* b > 0: patients do better (latent.h). */
        double b = cl->better ? se : -se;
        switch (cl->kind[h]) {
        case COL_CONT:
          L[q] = cl->p[h] + cl->sd[h] * b * SITE_TO_LATENT;
          /* A null mean of the same mean, SD and direction as an alternative's of this site
           * (the control arm's; every arm's without a site-specific null) is the same
           * computation: the program copies it. */
          int same = -1;
          for (int k = ce0; record && h == 1 && k < ce1 && same < 0; k++)
            if (bits_of(l->ce_p[k]) == bits_of(cl->p[1]) && bits_of(l->ce_sd[k]) == bits_of(cl->sd[1]) &&
                l->ce_better[k] == (unsigned char)(cl->better != 0))
              same = k;
          if (same >= 0) {
            l->cp_dst[ncp] = L1 + q, l->cp_src[ncp++] = l->ce_dst[same];
          } else if (record) {
            l->ce_s[nce] = s, l->ce_better[nce] = (unsigned char)(cl->better != 0);
            l->ce_p[nce] = cl->p[h], l->ce_sd[nce] = cl->sd[h], l->ce_dst[nce++] = L + q;
          }
          break;
        case COL_FIXED:
          L[q] = cl->fixed[h];
          break;
        default:
          l->bt_p[nbt] = 1.0 / (1.0 + exp(-(cl->logit[h] + b)));
          l->bs_s[nbt] = s, l->bs_better[nbt] = (unsigned char)(cl->better != 0), l->bs_logit[nbt] = cl->logit[h];
          l->bt_dst[nbt++] = L + q;
        }
      }
    }
  }
  if (record) l->prog_ready = 1, l->nce = nce, l->prog_nbt = nbt, l->prog_ncp = ncp;
  thresholds_and_copies(l, nbt, ncp);
}

/* The first visit missed (nv: none) by a patient with dropout uniform u, thresholds thr: the
 * first v with u < thr[v]. Thresholds that never decrease (the loader's rule for a cumulative
 * dropout; mono) make the visits with thr[v] <= u a prefix, so their count is that v, found
 * without a branch on u (a dropout is a coin toss the branch predictor would miss). */
static inline uint8_t first_missed(const double *thr, int nv, int mono, double u) {
  int v = 0;
  if (mono) {
    for (int i = 0; i < nv; i++) v += !(u < thr[i]);
    return (uint8_t)v;
  }
  while (v < nv && !(u < thr[v])) v++;
  return (uint8_t)v;
}

/* first_missed on the uniform's bits k against dthr_k's thresholds: the same visit. */
static inline uint8_t first_missed_k(const uint64_t *thr, int nv, int mono, uint64_t k) {
  int v = 0;
  if (mono) {
    for (int i = 0; i < nv; i++) v += !(k < thr[i]);
    return (uint8_t)v;
  }
  while (v < nv && !(k < thr[v])) v++;
  return (uint8_t)v;
}

/* 1.0 where c, else 0.0, without a branch on c. */
static inline double one_if(int c) {
  uint64_t b = (uint64_t)0 - (uint64_t)(c != 0);
  return bits_to(b & 0x3ff0000000000000u);
}

/* pass_missing's loop, for the counts given (constants where pass_missing knows them). */
__attribute__((always_inline)) static inline void missing_loop(tsim_cohort *c, tsim_rng_state *stm, long long j0,
                                                               int cnt, int nsub, int nv, int mnar, int mono) {
  const tsim_latent_plan *lp = c->plan->lat;
  struct tsim_latent_ws *l = c->latent;
  tsim_rng_state st = *stm;
  const uint8_t *arm = c->arm + j0;
  uint8_t *dev = c->pat.dev + j0, *sub = c->pat.sub + j0;
  uint8_t *g0 = c->pat.gone[0] + j0, *g1 = c->pat.gone[1] + j0;
  const uint64_t *dthr = l->dthr_k;
  size_t rowlen = 2 * (size_t)nv;
  for (int j = 0; j < cnt; j++) {
    int a = arm[j];
    uint64_t k = tsim_rng_step(&st) >> 11; /* the dropout uniform is k 2^-53 */
    dev[j] = (uint8_t)((tsim_rng_step(&st) >> 11) < lp->dev_thr[a]);
    uint8_t sb = 0;
    for (int g = 0; g < nsub; g++) sb |= (uint8_t)(((tsim_rng_step(&st) >> 11) < lp->sub_thr[g]) << g);
    sub[j] = sb;
    if (mnar) {
      l->u[j] = (double)k * 0x1.0p-53;
    } else {
      g0[j] = g1[j] = first_missed_k(dthr + (size_t)a * rowlen, nv, mono, k);
    }
  }
  *stm = st;
}

/* Patients j0 .. j0 + cnt - 1: their MISSING numbers (dropout uniform, deviation, subgroups),
 * read from the stream whose state is *stm. Without dropout_mnar their first missed visit
 * follows at once (the same under both hypotheses); with it the uniforms wait in l->u. The
 * common cases - one, two or three visits (never-decreasing dropout), no subgroups, no
 * dropout_mnar - have loops of their own. */
__attribute__((noinline)) static void pass_missing(tsim_cohort *c, tsim_rng_state *stm, long long j0, int cnt) {
  const struct tsim_latent_ws *l = c->latent;
  if (l->nomiss) { /* what missing_loop would find from any numbers (nothing after reads the stream) */
    memset(c->pat.dev + j0, 0, (size_t)cnt);
    memset(c->pat.sub + j0, 0, (size_t)cnt);
    memset(c->pat.gone[0] + j0, l->nv, (size_t)cnt);
    memset(c->pat.gone[1] + j0, l->nv, (size_t)cnt);
    return;
  }
  if (l->nsub == 0 && l->nv == 1 && !l->mnar)
    missing_loop(c, stm, j0, cnt, 0, 1, 0, 1);
  else if (l->nsub == 0 && l->nv == 2 && !l->mnar && l->dmono) /* two visits (pss2022.json) */
    missing_loop(c, stm, j0, cnt, 0, 2, 0, 1);
  else if (l->nsub == 0 && l->nv == 3 && !l->mnar && l->dmono)
    missing_loop(c, stm, j0, cnt, 0, 3, 0, 1);
  else
    missing_loop(c, stm, j0, cnt, l->nsub, l->nv, l->mnar, l->dmono);
}

/* Derived measures of patients j0 .. j0 + cnt - 1 from their sources' values, in the value
 * arrays v0, v1 (of patient j0). */
static void derive_values(struct tsim_latent_ws *l, double *v0, double *v1, int cnt) {
  const int nm = l->nm;
  for (int i = 0; i < l->nder; i++) {
    int m = l->der_m[i], src = l->der_src[i];
    double thr = l->der_thr[i];
    for (int h = 0; h < 2; h++) {
      double *v = h ? v1 : v0;
      if (l->der_atleast[i])
        for (int j = 0; j < cnt; j++) v[(size_t)j * (size_t)nm + (size_t)m] = one_if(v[(size_t)j * (size_t)nm + (size_t)src] >= thr);
      else
        for (int j = 0; j < cnt; j++) v[(size_t)j * (size_t)nm + (size_t)m] = one_if(v[(size_t)j * (size_t)nm + (size_t)src] <= thr);
    }
  }
}

/* With dropout_mnar, patients j0 .. j0 + cnt - 1's first missed visits under each hypothesis. */
static void mnar_gone(tsim_cohort *c, long long j0, int cnt) {
  struct tsim_latent_ws *l = c->latent;
  const int nm = l->nm, na = l->na, nv = l->nv;
  const uint8_t *arm = c->arm + j0;
  int mm = c->plan->lat->mnar_meas;
  for (int h = 0; h < 2; h++) {
    const double *v = c->pat.val[h] + (size_t)j0 * (size_t)nm + mm;
    uint8_t *g = c->pat.gone[h] + j0;
    for (int j = 0; j < cnt; j++) {
      int r = !(v[(size_t)j * (size_t)nm] != 0); /* 1: a non-responder */
      int a = arm[j];
      g[j] = first_missed(l->dthr + (((size_t)h * (size_t)na + (size_t)a) * 2 + (size_t)r) * (size_t)nv, nv,
                          l->dmono, l->u[j]);
    }
  }
}

/* Phi(x). */
static double phi_of(double x) { return isinf(x) ? (x > 0 ? 1 : 0) : gsl_cdf_ugaussian_P(x); }

/* Patient j (of the pass)'s value of non-derived measure m under hypothesis h with the events
 * of `mask` it had (ev: its event visits), given its value without any (plain): the value moved
 * the largest fraction of the way to the control arm's at its site (mean and SD, or response
 * probability) that one of them gives at m's visit, plus their shifts (latent.h). */
static double event_value(const struct tsim_latent_ws *l, const tsim_latent_plan *lp, int h, int j, int m,
                          size_t cell, size_t cctl, const uint8_t *ev, unsigned mask, double plain) {
  int w = lp->meas_visit[m], nv = l->nv, any = 0;
  double f = 0, sh = 0;
  for (int k = 0; k < l->nev; k++)
    if ((mask >> k & 1) && ev[k] <= w) {
      any = 1;
      f = fmax(f, l->efrac[((size_t)k * (size_t)(nv + 1) + ev[k]) * (size_t)nv + (size_t)w]);
      sh += l->eshift[(size_t)k * (size_t)l->nm + (size_t)m];
    }
  if (!any || (f == 0 && sh == 0)) return plain;
  double x = l->x[(size_t)lp->meas_dim[m] * PASS + (size_t)j];
  double to = l->lz[h][cell + (size_t)m], tc = l->lz[h][cctl + (size_t)m];
  if (lp->meas_cont[m]) {
    double so = l->sdc[h][cell + (size_t)m], sc = l->sdc[h][cctl + (size_t)m];
    return to + f * (tc - to) + sh + (so + f * (sc - so)) * x;
  }
  double t = f >= 1 ? tc : f <= 0 ? to : threshold_of(phi_of(to) + f * (phi_of(tc) - phi_of(to)));
  return one_if(-x < t + sh); /* the latent value x moved by sh */
}

/* Patients j0 .. j0 + cnt - 1's intercurrent events (their visits, from one uniform per patient
 * and event shared by both hypotheses) and their values with them; their values without the
 * events of hyp_mask kept in hyp. On entry val holds every measure without events. */
static void pass_events(tsim_cohort *c, long long j0, int cnt) {
  struct tsim_latent_ws *l = c->latent;
  const tsim_latent_plan *lp = c->plan->lat;
  const tsim_scenario *sc = c->plan->sc;
  const int nm = l->nm, na = l->na, nv = l->nv, nev = l->nev, ctl = sc->control;
  const uint8_t *arm = c->arm + j0;
  const uint16_t *site = c->site + j0;
  unsigned all = (1u << nev) - 1, keep = all & ~l->hyp_mask;
  for (int j = 0; j < cnt; j++) {
    long long jj = j0 + j;
    uint64_t u[TSIM_MAX_EVENTS];
    for (int k = 0; k < nev; k++) u[k] = tsim_rng_draw(l->ekey, (uint64_t)jj * (uint64_t)nev + (uint64_t)k) >> 11;
    int a = arm[j];
    size_t cell = (size_t)l->cell[j], cctl = ((size_t)site[j] * (size_t)na + (size_t)ctl) * (size_t)nm;
    for (int h = 0; h < 2; h++) {
      double *val = c->pat.val[h] + (size_t)jj * (size_t)nm;
      uint8_t *ev = c->pat.ev[h] + (size_t)jj * (size_t)nev;
      int first = nv;
      for (int k = 0; k < nev; k++) {
        int r = l->edep[k] >= 0 && !(val[l->edep[k]] != 0);
        const uint64_t *thr = l->ethr + ((((size_t)h * (size_t)na + (size_t)a) * 2 + (size_t)r) * (size_t)nev + (size_t)k) * (size_t)nv;
        ev[k] = first_missed_k(thr, nv, 1, u[k]);
        if (ev[k] < first) first = ev[k];
      }
      double *hyp = l->hyp_mask ? c->pat.hyp[h] + (size_t)jj * (size_t)nm : NULL;
      if (hyp) memcpy(hyp, val, (size_t)nm * sizeof *val);
      if (first == nv) continue;
      for (int m = 0; m < nm; m++) {
        if (lp->meas_dim[m] < 0 || lp->meas_visit[m] < first) continue;
        double plain = val[m];
        val[m] = event_value(l, lp, h, j, m, cell, cctl, ev, all, plain);
        if (hyp) hyp[m] = event_value(l, lp, h, j, m, cell, cctl, ev, keep, plain);
      }
    }
  }
}

/* pass_values' correlated normals x = L z for designs of at most FUSED_MAX_ND dimensions,
 * patient by patient: a patient's row of z is read once and each sum stays in a register (ND a
 * constant: the loops unroll, the factor's entries are loop constants). The whole lower
 * triangle (l->chol) gives the same sums as the nonzero terms, in the same order. */
__attribute__((always_inline)) static inline void x_fused(struct tsim_latent_ws *l, int cnt, const int ND) {
  const int stride = l->stride;
  const double *z = l->z;
  double ch[FUSED_MAX_ND * FUSED_MAX_ND], *x = l->x;
  for (int d = 0; d < ND; d++)
    for (int k = 0; k <= d; k++) ch[d * ND + k] = l->chol[d * FUSED_MAX_ND + k];
  for (int j = 0; j < cnt; j++) {
    const double *zj = z + (size_t)j * (size_t)stride;
    for (int d = 0; d < ND; d++) {
      double s = 0 + ch[d * ND] * zj[0];
      for (int k = 1; k <= d; k++) s += ch[d * ND + k] * zj[k];
      x[(size_t)d * PASS + (size_t)j] = s;
    }
  }
}

/* x_fused for this design's number of dimensions: 1 when it computed x, else 0. */
static int pass_x_fused(struct tsim_latent_ws *l, int cnt) {
  if (!l->xfused) return 0;
  switch (l->nd) {
  case 1: x_fused(l, cnt, 1); return 1;
  case 2: x_fused(l, cnt, 2); return 1;
  case 3: x_fused(l, cnt, 3); return 1;
  case 4: x_fused(l, cnt, 4); return 1;
  case 5: x_fused(l, cnt, 5); return 1;
  case 6: x_fused(l, cnt, 6); return 1;
  default: return 0;
  }
}

/* Patients j0 .. j0 + cnt - 1's values under both hypotheses from their normals in l->z (and
 * with dropout_mnar their first missed visits), and their baselines. Measure by measure over
 * the pass's patients: the per-measure choices leave the inner loops, which then run long
 * (the correlated normals of up to FUSED_MAX_ND dimensions patient by patient, x_fused). */
__attribute__((noinline)) static void pass_values(tsim_cohort *c, long long j0, int cnt) {
  struct tsim_latent_ws *l = c->latent;
  const int nm = l->nm, nd = l->nd, na = l->na, stride = l->stride, nb = l->nb;
  const uint8_t *arm = c->arm + j0;
  const uint16_t *site = c->site + j0;
  const double *z = l->z;
  double *v0 = c->pat.val[0] + (size_t)j0 * (size_t)nm, *v1 = c->pat.val[1] + (size_t)j0 * (size_t)nm;
  int *cell = l->cell, fused = pass_x_fused(l, cnt);
  for (int j = 0; j < cnt; j++) cell[j] = ((int)site[j] * na + (int)arm[j]) * nm;
  /* x = L z, patient by patient the same operations in the same order as a row times z. */
  for (int d = 0; d < nd && !fused; d++) {
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
    const double *t0 = l->lz[0] + m, *t1 = l->lz[1] + m, *s0 = l->sdc[0] + m, *s1 = l->sdc[1] + m;
    double *w0 = v0 + m, *w1 = v1 + m;
    for (int j = 0; j < cnt; j++) {
      double xj = x[j];
      int cj = cell[j];
      w0[(size_t)j * (size_t)nm] = t0[cj] + s0[cj] * xj;
      w1[(size_t)j * (size_t)nm] = t1[cj] + s1[cj] * xj;
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
      w0[(size_t)j * (size_t)nm] = one_if(nx < t0[cell[j]]);
      w1[(size_t)j * (size_t)nm] = one_if(nx < t1[cell[j]]);
    }
  }
  derive_values(l, v0, v1, cnt);
  if (l->nev > 0) {
    pass_events(c, j0, cnt);
    derive_values(l, v0, v1, cnt);
    if (l->hyp_mask)
      derive_values(l, c->pat.hyp[0] + (size_t)j0 * (size_t)nm, c->pat.hyp[1] + (size_t)j0 * (size_t)nm, cnt);
  }
  if (l->mnar) mnar_gone(c, j0, cnt);
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

/* tsim_rng_normals (the same numbers in the same order) with the fast path's sign taken from
 * the table (tsim_rng_normal_fast_ws). */
static void pass_normals(tsim_rng_state *st, double *out, size_t n) {
  tsim_rng_state s = *st;
  for (size_t i = 0; i < n; i++) {
    uint64_t b = tsim_rng_step(&s);
    if (__builtin_expect(tsim_rng_normal_fast_ws(b, &out[i]), 1)) continue;
    tsim_rng_state t = s;
    out[i] = tsim__rng_normal_slow(&t, b);
    s = t;
  }
  *st = s;
}

void tsim__cohort_sample_latent(tsim_cohort *c, uint64_t seed, long long trial) {
  struct tsim_latent_ws *l = c->latent;
  trial_params(c);
  l->ekey = tsim__rng_stream_key(seed, (uint64_t)trial, TSIM_DRAWS_EVENTS);
  if (c->plan->cell_mode) { /* the rows by cell, then each patient's OUTCOME normals */
    tsim__cohort_enroll_cells(c, seed, trial);
    tsim_rng_seed_stream(c->rng2, seed, (uint64_t)trial, TSIM_STREAM_OUTCOME);
    tsim_rng_state *sto = tsim_rng_state_of(c->rng2);
    for (long long j0 = 0; j0 < c->n; j0 += PASS) {
      int cnt = c->n - j0 < PASS ? (int)(c->n - j0) : PASS;
      pass_normals(sto, l->z, (size_t)cnt * (size_t)l->stride);
      pass_values(c, j0, cnt);
    }
    return;
  }
  tsim_rng_seed_stream(c->rng, seed, (uint64_t)trial, TSIM_STREAM_ENROLL);
  tsim__cohort_enroll(c);
  tsim_rng_seed_stream(c->rng, seed, (uint64_t)trial, TSIM_STREAM_MISSING);
  tsim_rng_seed_stream(c->rng2, seed, (uint64_t)trial, TSIM_STREAM_OUTCOME);
  tsim_rng_state *stm = tsim_rng_state_of(c->rng), *sto = tsim_rng_state_of(c->rng2);
  for (long long j0 = 0; j0 < c->n; j0 += PASS) {
    int cnt = c->n - j0 < PASS ? (int)(c->n - j0) : PASS;
    pass_missing(c, stm, j0, cnt);
    pass_normals(sto, l->z, (size_t)cnt * (size_t)l->stride);
    pass_values(c, j0, cnt);
  }
}

double tsim__latent_param(const tsim_cohort *c, int h, int m, int s, int a) {
  const struct tsim_latent_ws *l = c->latent;
  return l->lz[h][((size_t)s * (size_t)l->na + (size_t)a) * (size_t)l->nm + (size_t)m];
}

int tsim__latent_write_csv(const tsim_cohort *c, tsim_hypothesis h, FILE *f) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_latent_plan *lp = c->plan->lat;
  fprintf(f, "trial,hypothesis,patient,site,arm,dropout_before_week,deviation");
  if (c->t_rand) fputs(",randomised_month", f);
  for (int g = 0; g < sc->nsubgroups; g++) fprintf(f, ",subgroup_%s", sc->subgroups[g].id);
  for (int e = 0; e < sc->nendpoints; e++)
    if (lp->base_of[e] >= 0) fprintf(f, ",%s_baseline", sc->endpoints[e].id);
  for (int k = 0; k < sc->nevents; k++) fprintf(f, ",%s_before_week", sc->events[k].id);
  for (int hy = 0; hy < 1 + (sc->hyp_mask != 0); hy++)
    for (int m = 0; m < lp->nmeas; m++) {
      fprintf(f, ",%s", sc->endpoints[lp->meas_ep[m]].id);
      if (sc->visit_week[0] > 0) {
        fputs("_w", f);
        tsim_fput_num(f, sc->visit_week[lp->meas_visit[m]]);
      }
      if (hy) fputs("_hypothetical", f);
    }
  fputc('\n', f);
  for (long long j = 0; j < c->n; j++) {
    int gone = c->pat.gone[h][j];
    fprintf(f, "%lld,%s,%lld,%d,%s,", c->trial, tsim_hypothesis_names[h], j, c->site[j],
            sc->arms[c->arm[j]].id);
    /* Blank: never dropped out. A dropout's later values were never observed (blank). */
    if (gone < sc->nvisits) tsim_fput_num(f, sc->visit_week[gone]);
    fprintf(f, ",%d", c->pat.dev[j]);
    if (c->t_rand) {
      fputc(',', f);
      tsim_fput_num(f, c->t_rand[j]);
    }
    for (int g = 0; g < sc->nsubgroups; g++) fprintf(f, ",%d", (c->pat.sub[j] >> g) & 1);
    for (int e = 0; e < sc->nendpoints; e++)
      if (lp->base_of[e] >= 0) {
        fputc(',', f);
        tsim_fput_num(f, c->pat.base[(size_t)j * (size_t)lp->nbase + (size_t)lp->base_of[e]]);
      }
    /* Blank: no such event by the last visit. */
    for (int k = 0; k < sc->nevents; k++) {
      int v = c->pat.ev[h][(size_t)j * (size_t)sc->nevents + (size_t)k];
      fputc(',', f);
      if (v < sc->nvisits) tsim_fput_num(f, sc->visit_week[v]);
    }
    for (int m = 0; m < lp->nmeas; m++) {
      fputc(',', f);
      if (lp->meas_visit[m] < gone)
        tsim_fput_num(f, c->pat.val[h][(size_t)j * (size_t)lp->nmeas + (size_t)m]);
    }
    /* The values without the events analyses treat hypothetically: never observed, shown
     * whether or not the patient dropped out. */
    for (int m = 0; sc->hyp_mask && m < lp->nmeas; m++) {
      fputc(',', f);
      tsim_fput_num(f, c->pat.hyp[h][(size_t)j * (size_t)lp->nmeas + (size_t)m]);
    }
    fputc('\n', f);
  }
  return ferror(f) ? -1 : 0;
}
