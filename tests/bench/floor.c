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
 * Latent designs (bench_floor SECONDS PATIENTS lupil2 | pss2022): the random numbers one trial of
 * scenarios/lupil2.json or scenarios/pss2022.json draws in the engine's patient-level model
 * (sim/model/latent.c, stages.c), with the engine's generator and in its order, once per trial:
 * the null twin reuses every one of them. Per trial: one counter-based draw per site turned into
 * a normal (the ziggurat's fast path, the SITES stream seeded only where it fails, as
 * tsim__cohort_sites does); the ENROLL stream: random enrolment's uniform per patient (turned
 * into a site by the same Walker alias table as the engine's) and, for permuted blocks
 * stratified by site, one shuffle of a block (3 tsim_rng_below) per started block of each site,
 * or for fixed randomisation a shuffle of the N arms (N - 1 tsim_rng_below); the MISSING
 * stream: a dropout uniform and a deviation word per patient; the OUTCOME stream: one normal
 * per latent dimension and per baseline per patient (tsim_rng_normals, a pass of patients at a
 * time). Three streams are seeded per trial (ENROLL, MISSING, OUTCOME) plus one stream key for
 * the site draws. Each stream is drawn from a local copy of its state, as the engine's loops
 * draw it. Each number goes through one comparison; nothing else (no Cholesky product, no
 * values, no analysis). A design the engine draws per cell ("sampling" "auto": lupil2.json,
 * sim/model/cellsample.c tsim__cohort_enroll_cells) draws no ENROLL or MISSING stream: in their
 * place 2 counter-based ENROLL draws per site (the site tree, each site's partial block) and one
 * MISSING draw per (site, arm) cell (tsim_rng_draws), and only the OUTCOME stream is seeded.
 *   lupil2   12 sites (weights 0.15, 0.15, 0.07 x 10), blocks of 4 by site, 3 dimensions; per cell;
 *   pss2022  1 site, fixed randomisation, 5 dimensions + 1 baseline (two visits: per patient).
 *
 * Usage: bench_floor [SECONDS] [PATIENTS] [DESIGN]   (defaults 1.0 s per measurement, 100
 *        patients, DESIGN simple; lupil2 and pss2022 are the latent designs above)
 * The simple design prints one human line and one machine line per generator:
 *   RESULT floor_<gen> ns_per_number N ns_per_seed S ns_per_trial T numbers_per_trial K patients P
 * ns_per_number comes from a long run of draws with no reseeding, ns_per_seed from seeding
 * alone, ns_per_trial from the whole per-trial loop (seeding included); each the best of 3.
 * A latent design prints one of each, with the mean counts per trial of a counted pass:
 *   RESULT floor_<design> ns_per_trial T normals_per_trial A uniforms_per_trial U
 *          bounded_per_trial K seeds_per_trial S patients P
 * (uniforms_per_trial counts the 64-bit words read as uniforms or Bernoulli draws.)
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rng.h"
#include "kernels/kernels.h"

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

/* ---- the latent designs ---------------------------------------------------------------------- */

#define MAX_SITES 16

typedef struct latent_design {
  const char *name;
  int nsites;
  double weights[MAX_SITES]; /* random enrolment (nsites > 1) */
  int blocks;                /* 1: permuted blocks of 4 stratified by site; 0: fixed (shuffle) */
  int ndim, nbase;           /* normals per patient: latent dimensions, baselines */
  double dropout, deviation;
  int cells;                 /* 1: drawn per cell, as the engine's "auto" draws it (see above) */
} latent_design;

static const latent_design designs[] = {
    {"lupil2", 12, {0.15, 0.15, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07}, 1, 3, 0, 0.1, 0.1, 1},
    {"pss2022", 1, {1}, 0, 5, 1, 0.05, 0, 0},
};

typedef struct latent_counts {
  double normals, uniforms, bounded, seeds, trials;
} latent_counts;

typedef struct latent_ws {
  const latent_design *d;
  gsl_ran_discrete_t *alias;
  double *z; /* [FLOOR_PASS x normals per patient]: one pass's normals */
  uint64_t drop_thr, dev_thr;
  latent_counts *count; /* the counted pass only; NULL when timed */
  uint64_t draws[2 * MAX_SITES]; /* per cell: one call's counter-based draws */
} latent_ws;

/* Patients per pass of the outcome normals, as the engine's sampler (latent.c, PASS). */
#define FLOOR_PASS 256

/* Each stream is drawn from a local copy of its state whose address never escapes, so that the
 * compiler keeps it in registers, as the engine's loops do (a draw through the generator's
 * pointer reloads and stores the state around every store the loop makes): the floor times the
 * numbers, not the memory traffic of one way of drawing them. */
static uint64_t trial_latent(gsl_rng *r, latent_ws *w, uint64_t trial, long patients) {
  const latent_design *d = w->d;
  uint64_t cnt = 0;
  long normals = 0, bounded = 0, seeds = 3, uniforms = 0;
  /* Sites: one counter-based draw each, a normal by the ziggurat's fast path (tsim__cohort_sites). */
  uint64_t key = tsim__rng_stream_key(1, trial, TSIM_DRAWS_SITES);
  int seeded = 0;
  for (int s = 0; s < d->nsites; s++) {
    uint64_t b = tsim_rng_draw(key, (uint64_t)s);
    double x;
    if (!tsim_rng_normal_fast(b, &x)) {
      if (!seeded) tsim_rng_seed_stream(r, 1, trial, TSIM_STREAM_SITES), seeds++;
      seeded = 1;
      x = tsim__rng_normal_slow(tsim_rng_state_of(r), b);
    }
    cnt += x < 0;
  }
  normals += d->nsites;
  if (d->cells) {
    /* Per cell (cellsample.c, tsim__cohort_enroll_cells): the ENROLL draws of the site tree and
     * each site's partial block (2 per site), then the MISSING draw of each (site, arm) cell,
     * counter-based as the engine draws them (tsim_rng_draws); no stream seeded. */
    size_t ns = (size_t)d->nsites;
    tsim_rng_draws(tsim__rng_stream_key(1, trial, TSIM_DRAWS_ENROLL), 0, 2 * ns, w->draws);
    for (size_t i = 0; i < 2 * ns; i++) cnt += w->draws[i] >> 63;
    tsim_rng_draws(tsim__rng_stream_key(1, trial, TSIM_DRAWS_MISSING), 0, 2 * ns, w->draws);
    for (size_t i = 0; i < 2 * ns; i++) cnt += w->draws[i] >> 63;
    uniforms += 4 * (long)ns;
    seeds -= 2;
  } else {
  /* Enrolment and randomisation (stages.c: enroll_sites, randomize). */
  tsim_rng_seed_stream(r, 1, trial, TSIM_STREAM_ENROLL);
  tsim_rng_state s = *tsim_rng_state_of(r);
  long site_n[MAX_SITES] = {0};
  if (d->nsites > 1) {
    const gsl_ran_discrete_t *g = w->alias;
    const double *F = g->F, K = (double)g->K;
    const size_t *A = g->A;
    for (long j = 0; j < patients; j++) {
      double u = (double)(tsim_rng_step(&s) >> 11) * 0x1.0p-53; /* tsim_rng_uniform */
      size_t k = (size_t)(int64_t)(u * K);
      double f = F[k];
      /* k where f == 1 or u < f, else its alias: selected without a branch, as the engine does */
      size_t alias = A[k], keep = (size_t)0 - (size_t)((f == 1.0) | (u < f));
      site_n[alias ^ ((alias ^ k) & keep)]++;
    }
    uniforms += patients;
  } else {
    site_n[0] = patients;
  }
  if (d->blocks) {
    for (int k = 0; k < d->nsites; k++)
      for (long b = 0; b < (site_n[k] + 3) / 4; b++) {
        cnt += tsim_rng_below_st(&s, 4) + tsim_rng_below_st(&s, 3) + tsim_rng_below_st(&s, 2);
        bounded += 3;
      }
  } else {
    for (long i = patients - 1; i > 0; i--) cnt += tsim_rng_below_st(&s, (uint32_t)(i + 1));
    bounded += patients - 1;
  }
  /* Per patient: the missing stream's dropout uniform and deviation word, then the outcome
   * stream's normals (latent.c: tsim__cohort_sample_latent), a pass of patients at a time. */
  tsim_rng_seed_stream(r, 1, trial, TSIM_STREAM_MISSING);
  s = *tsim_rng_state_of(r);
  /* Both as the engine's thresholds on the word's 53 bits (u = k 2^-53 < p exactly when k <
   * ceil(p 2^53)), as latent.c compares dropout without an outcome-dependent probability. */
  uint64_t drop_thr = w->drop_thr, dev_thr = w->dev_thr;
  for (long j = 0; j < patients; j++) {
    cnt += (tsim_rng_step(&s) >> 11) < drop_thr;
    cnt += (tsim_rng_step(&s) >> 11) < dev_thr;
  }
  uniforms += 2 * patients;
  }
  tsim_rng_seed_stream(r, 1, trial, TSIM_STREAM_OUTCOME);
  size_t per = (size_t)(d->ndim + d->nbase);
  for (long j0 = 0; j0 < patients; j0 += FLOOR_PASS) {
    size_t m = (size_t)(patients - j0 < FLOOR_PASS ? patients - j0 : FLOOR_PASS) * per;
    tsim_rng_normals(tsim_rng_state_of(r), w->z, m);
    for (size_t i = 0; i < m; i++) cnt += w->z[i] < 0;
  }
  normals += (long)per * patients;
  if (w->count) {
    w->count->normals += (double)normals;
    w->count->uniforms += (double)uniforms;
    w->count->bounded += (double)bounded;
    w->count->seeds += (double)seeds;
    w->count->trials += 1;
  }
  return cnt;
}

static double time_latent(gsl_rng *r, latent_ws *w, long reps, long patients) {
  uint64_t cnt = 0;
  double t0 = now();
  for (long i = 0; i < reps; i++) cnt += trial_latent(r, w, (uint64_t)i, patients);
  double t = now() - t0;
  sink += cnt;
  return t;
}

static int run_latent(const latent_design *d, double seconds, long patients) {
  gsl_rng *r = gsl_rng_alloc(tsim_rng_xoshiro256pp);
  latent_ws w = {d, NULL, malloc(FLOOR_PASS * (size_t)(d->ndim + d->nbase) * sizeof(double)), 0, 0, NULL, {0}};
  if (d->nsites > 1) w.alias = gsl_ran_discrete_preproc((size_t)d->nsites, d->weights);
  if (!r || !w.z || (d->nsites > 1 && !w.alias)) {
    fprintf(stderr, "bench_floor: out of memory\n");
    return 1;
  }
  w.drop_thr = tsim__threshold(d->dropout);
  w.dev_thr = tsim__threshold(d->deviation); /* the engine's Bernoulli threshold, ceil(p 2^53) */
  latent_counts c = {0, 0, 0, 0, 0};
  w.count = &c;
  time_latent(r, &w, 1000, patients);
  w.count = NULL;
  long reps = 16;
  double t;
  while ((t = time_latent(r, &w, reps, patients)) < 0.05 && reps < (1L << 40)) reps *= 2;
  long target = (long)((double)reps * (seconds / 3.0) / (t > 0 ? t : 1e-9));
  if (target < 1) target = 1;
  double best = 1e300;
  for (int k = 0; k < 3; k++) {
    double tk = time_latent(r, &w, target, patients) / (double)target;
    if (tk < best) best = tk;
  }
  double ns = 1e9 * best, T = c.trials;
  printf("floor %s %.1f ns/trial of %ld patients (%.1f normals, %.1f uniforms, %.1f bounded "
         "integers, %.2f seeds per trial)\n",
         d->name, ns, patients, c.normals / T, c.uniforms / T, c.bounded / T, c.seeds / T);
  printf("RESULT floor_%s ns_per_trial %.2f normals_per_trial %.2f uniforms_per_trial %.2f "
         "bounded_per_trial %.2f seeds_per_trial %.3f patients %ld\n",
         d->name, ns, c.normals / T, c.uniforms / T, c.bounded / T, c.seeds / T, patients);
  if (w.alias) gsl_ran_discrete_free(w.alias);
  free(w.z);
  gsl_rng_free(r);
  return 0;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 1.0;
  long patients = argc > 2 ? atol(argv[2]) : 100;
  const char *design = argc > 3 ? argv[3] : "simple";
  if (!(seconds > 0) || patients < 1) {
    fprintf(stderr, "usage: bench_floor [SECONDS > 0] [PATIENTS >= 1] [simple|lupil2|pss2022]\n");
    return 2;
  }
  for (size_t k = 0; k < sizeof designs / sizeof designs[0]; k++)
    if (strcmp(design, designs[k].name) == 0) return run_latent(&designs[k], seconds, patients);
  if (strcmp(design, "simple") != 0) {
    fprintf(stderr, "bench_floor: unknown design '%s' (simple, lupil2, pss2022)\n", design);
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
