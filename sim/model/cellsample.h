/* cellsample.h - the cell sampler: a trial as counts per (site, arm) cell (cellsample.c
 * explains the draws). Internal to the model layer. */
#ifndef TSIM_CELLSAMPLE_H
#define TSIM_CELLSAMPLE_H

#include <stdint.h>

#include "model/trial.h"

/* tsim_cohort_cell_mode (cohort.h). */
int tsim__cell_mode(const tsim_scenario *sc);

/* Inversion thresholds on 53 uniform bits of the distribution pmf[0..K-1] (cellsample.c):
 * c[x] = ceil(F(x) 2^53), and 2^53 from the last outcome of positive probability on, so that
 * an outcome of probability 0 gets no uniform. */
void tsim__cdf_thresholds(const double *pmf, unsigned K, uint64_t *c);
/* For each of the 2^bits buckets of 53-bit uniforms (the uniforms whose top bits are i), the
 * outcome of the inversion table c of K outcomes that all its uniforms invert to, or -1 where
 * the bucket straddles two outcomes, into out[0 .. 2^bits - 1] (cellsample.c). */
void tsim__bucket_outcomes(const uint64_t *c, unsigned K, unsigned bits, int16_t *out);
/* The cell sampler's per-thread workspace (cellsample.c): NULL when out of memory; freeing NULL
 * is a no-op. */
struct tsim_cell_ws *tsim__cell_ws_new(const tsim_cohort_plan *plan);
void tsim__cell_ws_free(struct tsim_cell_ws *ws);
/* Conditional probabilities of the sequential multinomials and the tables every trial shares,
 * into the plan; 0, or -1 when out of memory. tsim__cell_plan_free frees the tables. */
int tsim__cell_plan(tsim_cohort_plan *plan);
void tsim__cell_plan_free(tsim_cohort_plan *plan);
/* The latent model's enrollment, randomisation and missingness as counts per cell, drawn as
 * tsim__cohort_sample_cells draws them, then written out as its patients' rows (site, arm,
 * deviation, first visit missed) grouped by site and arm; their values come after. Only for
 * scenarios tsim_scenario_cell_blocker lets through (one visit, no subgroups...). */
void tsim__cohort_enroll_cells(tsim_cohort *c, uint64_t seed, long long trial);
/* Enrollment, randomisation, missingness and outcomes as counts per cell. */
void tsim__cohort_sample_cells(tsim_cohort *c, uint64_t seed, long long trial);

#endif
