/* stages.h - the stages of trial sampling shared by the per-patient sampler (cohort.c), the
 * cell sampler (cellsample.c) and the latent model (latent.c), defined in stages.c. Internal to
 * the model layer: names carry a double underscore. */
#ifndef TSIM_STAGES_H
#define TSIM_STAGES_H

#include <math.h>

#include "model/trial.h"
#include "core/fastexp.h"

/* ceil(p 2^53) for 0 <= p <= 1: a Bernoulli(p) draw on 53 uniform bits k is "k < this"
 * (cohort.c explains). p 2^53 and its truncation are exact in this range, so one comparison
 * rounds up, without a call to ceil. */
static inline uint64_t tsim__threshold(double p) {
  double x = p * 0x1.0p53;
  int64_t t = (int64_t)x; /* signed: one conversion instruction each way */
  return (uint64_t)(t + ((double)t < x));
}

/* tsim__threshold of eight probabilities in [0, 1] without converting to integers (which AVX2
 * and SSE2 cannot do in vector registers): x = p 2^53 is an integer when x >= 2^52, read from
 * its bits; below, y = x + 2^52 rounds x to an integer held in y's low bits, and adding 1 when
 * that integer is below x gives the ceiling. The same thresholds as tsim__threshold (tested). */
static inline __attribute__((always_inline)) void tsim__threshold8(const tsim_f64x8 *p, tsim_s64x8 *t) {
  const tsim_f64x8 x = *p * 0x1.0p53, two52 = x * 0 + 0x1.0p52;
  const tsim_f64x8 y = x + two52;
  const tsim_s64x8 big = x >= two52, below = (y - two52) < x; /* -1 or 0 */
  const tsim_s64x8 tb = (tsim_s64x8)x - 0x4320000000000000LL;            /* bits(x) - bits(2^52) + 2^52 */
  const tsim_s64x8 ts = (tsim_s64x8)y - 0x4330000000000000LL - below;    /* round(x) + (round(x) < x) */
  *t = (big & tb) | (~big & ts);
}


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
