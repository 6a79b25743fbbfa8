/* rng.c - xoshiro256++ as a gsl_rng_type, with per-(seed, trial, purpose) streams.
 *
 * Reference: D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators",
 * ACM Trans. Math. Softw. 47(4):36, 2021; the step function in rng.h is their xoshiro256++.
 * Seeding follows their advice: fill the state from splitmix64 (Steele, Lea & Flood,
 * "Fast splittable pseudorandom number generators", OOPSLA 2014).
 */
#include "rng.h"

#include <string.h>

static uint64_t splitmix64_next(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* A bijective 64-bit finaliser (the splitmix64 output function); used to combine the seed,
 * trial and purpose so that nearby triples land on unrelated keys. */
static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static void fill_state(tsim_rng_state *st, uint64_t key) {
  uint64_t x = key;
  for (int i = 0; i < 4; i++) st->s[i] = splitmix64_next(&x);
  /* splitmix64 is a bijection of its counter, so four consecutive outputs cannot all be 0;
   * the check documents the invariant the generator needs. */
  if (!(st->s[0] | st->s[1] | st->s[2] | st->s[3])) st->s[0] = 1;
}

void tsim_rng_seed_stream(gsl_rng *r, uint64_t seed, uint64_t trial, tsim_stream purpose) {
  /* Chained mixing: the key is injective in (trial, purpose) for a fixed seed because each
   * step is a bijection of a value that is itself injective in the inputs (purpose < 16). */
  uint64_t key = mix64(seed ^ 0x6a09e667f3bcc909ULL);
  key = mix64(key ^ (trial * 16u + (uint64_t)purpose));
  fill_state((tsim_rng_state *)r->state, key);
}

void tsim_rng_set_state(gsl_rng *r, const uint64_t s[4]) {
  memcpy(((tsim_rng_state *)r->state)->s, s, 4 * sizeof s[0]);
}

static void xo_set(void *vstate, unsigned long int seed) {
  fill_state(vstate, (uint64_t)seed);
}

/* GSL's interface: 32-bit integers (GSL's samplers assume `max` fits their arithmetic) taken
 * from the high bits, which are the best bits of xoshiro256++; doubles take 53 bits. */
static unsigned long int xo_get(void *vstate) {
  gsl_rng r = {NULL, vstate};
  return (unsigned long int)(tsim_rng_next(&r) >> 32);
}

static double xo_get_double(void *vstate) {
  gsl_rng r = {NULL, vstate};
  return tsim_rng_uniform(&r);
}

static const gsl_rng_type xoshiro256pp_type = {
    "xoshiro256++", 0xffffffffUL, 0, sizeof(tsim_rng_state), xo_set, xo_get, xo_get_double};

const gsl_rng_type *tsim_rng_xoshiro256pp = &xoshiro256pp_type;
