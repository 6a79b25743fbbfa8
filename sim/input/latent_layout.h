/* latent_layout.h - how the patient-level (latent) model lays out a scenario's measures: one
 * latent dimension per (end point, visit) of a non-derived end point and per baseline, and the
 * Cholesky factor of their correlations. The loader checks with it that the correlations can be
 * factorised (tsim_latent_valid); the sampler (model/latent.h, which explains the model) builds
 * its plan on it. */
#ifndef TSIM_LATENT_LAYOUT_H
#define TSIM_LATENT_LAYOUT_H

#include <stdint.h>

#include "input/scenario.h"

/* What the latent model derives from a scenario once (read-only, shared by threads). A
 * "measure" is one (end point, own visit) value of a patient, derived end points included;
 * measure m of end point e at its own visit v is meas_start[e] + v. */
typedef struct tsim_latent_plan {
  int nmeas, ndim, nbase;
  int meas_start[TSIM_MAX_ENDPOINTS];
  int meas_ep[TSIM_MAX_LATENT];     /* measure -> end point */
  int meas_visit[TSIM_MAX_LATENT];  /* measure -> scenario visit index */
  int meas_dim[TSIM_MAX_LATENT];    /* measure -> latent dimension, -1 when derived */
  int base_of[TSIM_MAX_ENDPOINTS];  /* end point -> baseline index, or -1 */
  /* Per measure, what sampling needs without reaching into the (large) end point records: */
  unsigned char meas_cont[TSIM_MAX_LATENT];  /* 1 continuous, 0 binary */
  int meas_src[TSIM_MAX_LATENT];    /* derived: the source's measure at the same visit */
  double meas_thr[TSIM_MAX_LATENT]; /* derived: threshold */
  unsigned char meas_atleast[TSIM_MAX_LATENT]; /* derived: >= (else <=) */
  int mnar_meas;                    /* the dropout_mnar end point's last measure, or -1 */
  int fixed_params;                 /* 1: no site heterogeneity and only listed anomalies, so
                                       every trial has the same thresholds and means */
  double chol[TSIM_MAX_LATENT * TSIM_MAX_LATENT]; /* ndim x ndim, lower triangle */
  /* Base parameters by hypothesis, measure and arm: a response probability (binary) or a mean
   * (continuous), and the SD by hypothesis, end point and arm (continuous). */
  double p[2][TSIM_MAX_LATENT][TSIM_MAX_ARMS];
  double logit[2][TSIM_MAX_LATENT][TSIM_MAX_ARMS];
  double sd[2][TSIM_MAX_ENDPOINTS][TSIM_MAX_ARMS];
  /* Dropout factors for responders (0) and non-responders (1) on the dropout_mnar end point
   * (1 and 1 without it), by hypothesis and arm. */
  double mnar_factor[2][TSIM_MAX_ARMS][2];
  uint64_t dev_thr[TSIM_MAX_ARMS];   /* Bernoulli thresholds on 53 bits */
  uint64_t sub_thr[TSIM_MAX_SUBGROUPS];
} tsim_latent_plan;

/* 0 when the correlation matrix of every measure of sc (R x AR(1) over the end points' visits)
 * can be factorised; -1 when it is not positive definite to working precision (a pivot <=
 * 1e-12, e.g. a nearly singular R with visit_correlation near 1); -2 out of memory. */
int tsim_latent_valid(const tsim_scenario *sc);

/* Fills the layout part of lp (measures, dimensions, derived sources, the Cholesky factor of
 * the correlations in chol) from sc; 0, or -1 when the correlations are not positive definite. */
int tsim_latent_layout(tsim_latent_plan *lp, const tsim_scenario *sc);

#endif
