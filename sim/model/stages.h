/* stages.h - the stages of trial sampling shared by the per-patient sampler (cohort.c), the
 * cell sampler (cellsample.c) and the latent model (latent.c), defined in stages.c. Internal to
 * the model layer: names carry a double underscore. */
#ifndef TSIM_STAGES_H
#define TSIM_STAGES_H

#include <math.h>

#include "core/fastexp.h"
#include "kernels/kernels.h"
#include "model/trial.h"

/* tsim__threshold and tsim__threshold8 are kernels/kernels.h's. */

/* Site effects and this trial's anomalous sites, from the SITES stream. */
void tsim__cohort_sites(tsim_cohort *c, uint64_t seed, long long trial);
/* Response probabilities and thresholds of every cell under both hypotheses. */
void tsim__cohort_p_eff(tsim_cohort *c);
/* ncells rounded up to whole groups of TSIM_LANES (the thresholds' allocated length). */
static inline size_t tsim__ncells_padded(size_t ncells) { return (ncells + 7) / 8 * 8; }

/* Each patient's site and arm, from the ENROLL stream the caller has seeded. */
void tsim__cohort_enroll(tsim_cohort *c);
/* The plan's choices of the stages' vector variants and their tables (stages.c): 0, or -1 when
 * out of memory. */
int tsim__stages_plan(tsim_cohort_plan *plan);

#endif
