/* floor.c - the random-number floor of one simple-design trial (tests/bench).
 *
 * Times only what no per-patient simulator of tests/bench/simple.json can avoid: drawing the
 * uniforms of one trial and seeding its streams. Per patient three uniforms (outcome, dropout,
 * deviation), each turned into a 0/1 by one comparison so the compiler cannot drop the draw;
 * per trial four streams seeded as the engine seeds them (sites, enroll, missing, outcome).
 * Nothing is stored and nothing is tested, so an engine drawing these numbers patient by
 * patient can approach this figure but not beat it. (One set of draws serves both hypotheses
 * when the null twin reuses the uniforms; sampling counts per cell draws fewer numbers.)
 *
 *   xoshiro256++  tsim_rng_seed_stream x 4 + the inline tsim_rng_uniform (sim/core/rng.h), exactly
 *                 the engine's hot path;
 *   mt19937       GSL's default generator for contrast: gsl_rng_set x 4 (Mersenne Twister's
 *                 624-word initialisation) + gsl_rng_uniform through GSL's function pointer.
 *
 * Usage: bench_floor [SECONDS] [PATIENTS]   (defaults 1.0 s per measurement, 100 patients)
 * Prints one human line and one machine line per generator:
 *   RESULT floor_<gen> ns_per_number N ns_per_seed S ns_per_trial T numbers_per_trial K patients P
 * ns_per_number comes from a long run of draws with no reseeding, ns_per_seed from seeding
 * alone, ns_per_trial from the whole per-trial loop (seeding included); each the best of 3.
 */
#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/rng.h"

#define STREAMS 4           /* streams seeded per trial, as in sim/model/cohort.c */
#define DRAWS_PER_PATIENT 3 /* outcome, dropout, deviation */

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Defeats dead-code elimination: every counted draw ends up here. */
static volatile uint64_t sink;

typedef enum { GEN_XOSHIRO, GEN_MT } gen_kind;

static void seed_one(gen_kind g, gsl_rng *r, uint64_t trial, unsigned purpose) {
  if (g == GEN_XOSHIRO)
    tsim_rng_seed_stream(r, 1, trial, (tsim_stream)purpose);
  else
    gsl_rng_set(r, (unsigned long)(trial * STREAMS + purpose + 1));
}

/* One trial: STREAMS seedings and DRAWS_PER_PATIENT uniforms per patient. The uniforms are
 * drawn in the engine's order (missing stream: dropout, deviation; outcome stream: outcome);
 * the sites and enroll streams are seeded but, in this floor, not drawn from. */
static uint64_t trial_xoshiro(gsl_rng *r, uint64_t trial, long patients) {
  uint64_t cnt = 0;
  tsim_rng_seed_stream(r, 1, trial, TSIM_STREAM_SITES);
  tsim_rng_seed_stream(r, 1, trial, TSIM_STREAM_ENROLL);
  tsim_rng_seed_stream(r, 1, trial, TSIM_STREAM_MISSING);
  for (long j = 0; j < patients; j++) {
    cnt += tsim_rng_uniform(r) < 0.1;
    cnt += tsim_rng_uniform(r) < 0.1;
  }
  tsim_rng_seed_stream(r, 1, trial, TSIM_STREAM_OUTCOME);
  for (long j = 0; j < patients; j++) cnt += tsim_rng_uniform(r) < 0.5;
  return cnt;
}

static uint64_t trial_mt(gsl_rng *r, uint64_t trial, long patients) {
  uint64_t cnt = 0;
  gsl_rng_set(r, (unsigned long)(trial * STREAMS + 1));
  gsl_rng_set(r, (unsigned long)(trial * STREAMS + 2));
  gsl_rng_set(r, (unsigned long)(trial * STREAMS + 3));
  for (long j = 0; j < patients; j++) {
    cnt += gsl_rng_uniform(r) < 0.1;
    cnt += gsl_rng_uniform(r) < 0.1;
  }
  gsl_rng_set(r, (unsigned long)(trial * STREAMS + 4));
  for (long j = 0; j < patients; j++) cnt += gsl_rng_uniform(r) < 0.5;
  return cnt;
}

static uint64_t draws(gen_kind g, gsl_rng *r, long n) {
  uint64_t cnt = 0;
  if (g == GEN_XOSHIRO)
    for (long i = 0; i < n; i++) cnt += tsim_rng_uniform(r) < 0.5;
  else
    for (long i = 0; i < n; i++) cnt += gsl_rng_uniform(r) < 0.5;
  return cnt;
}

/* Seconds for `reps` units of work of kind `what` (0 draws, 1 seeds, 2 trials). */
static double time_work(gen_kind g, gsl_rng *r, int what, long reps, long patients) {
  uint64_t cnt = 0;
  double t0 = now();
  if (what == 0) {
    seed_one(g, r, 12345, 0);
    cnt = draws(g, r, reps);
  } else if (what == 1) {
    for (long i = 0; i < reps; i++) {
      seed_one(g, r, (uint64_t)i, (unsigned)(i & 3));
      cnt += (uint64_t)(g == GEN_XOSHIRO ? tsim_rng_next(r) & 1 : gsl_rng_get(r) & 1);
    }
  } else {
    for (long i = 0; i < reps; i++)
      cnt += g == GEN_XOSHIRO ? trial_xoshiro(r, (uint64_t)i, patients)
                              : trial_mt(r, (uint64_t)i, patients);
  }
  double t = now() - t0;
  sink += cnt;
  return t;
}

/* Seconds per unit: calibrate the repetitions to about `seconds`, then best of 3. */
static double per_unit(gen_kind g, gsl_rng *r, int what, double seconds, long patients) {
  long reps = 16;
  double t;
  while ((t = time_work(g, r, what, reps, patients)) < 0.05 && reps < (1L << 40)) reps *= 2;
  long target = (long)((double)reps * (seconds / 3.0) / (t > 0 ? t : 1e-9));
  if (target < 1) target = 1;
  double best = 1e300;
  for (int k = 0; k < 3; k++) {
    double tk = time_work(g, r, what, target, patients) / (double)target;
    if (tk < best) best = tk;
  }
  return best;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 1.0;
  long patients = argc > 2 ? atol(argv[2]) : 100;
  if (!(seconds > 0) || patients < 1) {
    fprintf(stderr, "usage: bench_floor [SECONDS > 0] [PATIENTS >= 1]\n");
    return 2;
  }
  const struct {
    gen_kind g;
    const char *name;
  } gens[] = {{GEN_XOSHIRO, "xoshiro"}, {GEN_MT, "mt19937"}};
  for (size_t k = 0; k < sizeof gens / sizeof gens[0]; k++) {
    gsl_rng *r = gsl_rng_alloc(gens[k].g == GEN_XOSHIRO ? tsim_rng_xoshiro256pp : gsl_rng_mt19937);
    if (!r) {
      fprintf(stderr, "bench_floor: out of memory\n");
      return 1;
    }
    double ns_num = 1e9 * per_unit(gens[k].g, r, 0, seconds, patients);
    double ns_seed = 1e9 * per_unit(gens[k].g, r, 1, seconds / 2, patients);
    double ns_trial = 1e9 * per_unit(gens[k].g, r, 2, seconds, patients);
    long per_trial = DRAWS_PER_PATIENT * patients;
    printf("floor %-8s %.3f ns/number, %.1f ns/seed, %.1f ns/trial of %ld patients "
           "(%ld numbers + %d seeds)\n",
           gens[k].name, ns_num, ns_seed, ns_trial, patients, per_trial, STREAMS);
    printf("RESULT floor_%s ns_per_number %.4f ns_per_seed %.2f ns_per_trial %.2f "
           "numbers_per_trial %ld patients %ld\n",
           gens[k].name, ns_num, ns_seed, ns_trial, per_trial, patients);
    gsl_rng_free(r);
  }
  return 0;
}
