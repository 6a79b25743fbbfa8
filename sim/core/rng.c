/* rng.c - xoshiro256++ as a gsl_rng_type, with per-(seed, trial, purpose) streams.
 *
 * Reference: D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators",
 * ACM Trans. Math. Softw. 47(4):36, 2021; the step function in rng.h is their xoshiro256++.
 * Seeding follows their advice: fill the state from splitmix64 (Steele, Lea & Flood,
 * "Fast splittable pseudorandom number generators", OOPSLA 2014).
 */
#include "core/rng.h"

#include <stdlib.h>

#include <math.h>
#include <string.h>

static uint64_t splitmix64_next(uint64_t *x) { return tsim_rng_mix64(*x += TSIM_GAMMA); }


static void fill_state(tsim_rng_state *st, uint64_t key) {
  uint64_t x = key;
  for (int i = 0; i < 4; i++) st->s[i] = splitmix64_next(&x);
  /* splitmix64 is a bijection of its counter, so four consecutive outputs cannot all be 0;
   * the check documents the invariant the generator needs. */
  if (!(st->s[0] | st->s[1] | st->s[2] | st->s[3])) st->s[0] = 1;
}

void tsim_rng_seed_stream(gsl_rng *r, uint64_t seed, uint64_t trial, tsim_stream purpose) {
  fill_state((tsim_rng_state *)r->state, tsim__rng_stream_key(seed, trial, purpose));
}

void tsim_rng_seed_lanes(tsim_rng_lanes *lanes, uint64_t seed, uint64_t trial, tsim_stream purpose) {
  uint64_t x = tsim__rng_stream_key(seed, trial, purpose);
  for (int l = 0; l < TSIM_LANES; l++) {
    tsim_rng_state st;
    fill_state(&st, x);
    x += 4 * 0x9e3779b97f4a7c15ULL; /* the splitmix64 counter after those four outputs */
    for (int i = 0; i < 4; i++) lanes->s[i][l] = st.s[i];
  }
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

/* ---- the ziggurat's tables (rng.h) ----------------------------------------------------------
 * Layers i = 1..127 are the rectangles [0, x_i] x [f(x_i), f(x_{i+1})] under f(x) = exp(-x^2/2),
 * with x_1 = R > x_2 > ... > x_128 = 0; layer 0 is [0, R] x [0, f(R)] plus the tail beyond R,
 * drawn as a rectangle of width x_0 = V / f(R). Every layer has area V = R f(R) + the tail's
 * area, and x_{i+1} = f^-1(f(x_i) + V / x_i). R is the root (by bisection, in double precision)
 * that makes the recurrence reach f = 1 exactly at x_128; it agrees with Marsaglia & Tsang's
 * 3.442619855899 to 12 digits. */
#define ZIG_R 3.4426198558966514
double tsim__zig_w[128];
uint64_t tsim__zig_k[128];
double tsim__zig_ws[256];
double tsim__zig_x[129], tsim__zig_f[129];

static double zig_f_of(double x) { return exp(-0.5 * x * x); }

__attribute__((constructor)) static void zig_init(void) {
  /* The tail: integral of f beyond R = sqrt(pi / 2) erfc(R / sqrt 2). */
  double v = ZIG_R * zig_f_of(ZIG_R) + sqrt(2 * atan(1.0)) * erfc(ZIG_R / sqrt(2.0));
  tsim__zig_x[0] = v / zig_f_of(ZIG_R);
  tsim__zig_x[1] = ZIG_R;
  for (int i = 1; i < 128; i++) {
    double y = zig_f_of(tsim__zig_x[i]) + v / tsim__zig_x[i];
    tsim__zig_x[i + 1] = i == 127 || y >= 1 ? 0 : sqrt(-2 * log(y));
  }
  for (int i = 0; i <= 128; i++) tsim__zig_f[i] = zig_f_of(tsim__zig_x[i]);
  for (int i = 0; i < 128; i++) {
    tsim__zig_w[i] = tsim__zig_x[i] * 0x1.0p-53;
    tsim__zig_k[i] = (uint64_t)(tsim__zig_x[i + 1] / tsim__zig_x[i] * 0x1.0p53);
    tsim__zig_ws[i] = tsim__zig_w[i];
    tsim__zig_ws[i + 128] = -tsim__zig_w[i];
  }
}

double tsim__rng_normal_slow(tsim_rng_state *st, uint64_t b) {
  for (;;) {
    unsigned i = (unsigned)(b & 127);
    uint64_t j = b >> 11;
    double sign = (b & 128) ? -1.0 : 1.0, x = (double)j * tsim__zig_w[i];
    if (j < tsim__zig_k[i]) return sign * x;
    if (i == 0) { /* the tail beyond R: R + a with density proportional to exp(-R a - a^2/2) */
      double a, c;
      do {
        a = -log1p(-(double)(tsim_rng_step(st) >> 11) * 0x1.0p-53) / ZIG_R;
        c = -log1p(-(double)(tsim_rng_step(st) >> 11) * 0x1.0p-53);
      } while (c + c < a * a);
      return sign * (ZIG_R + a);
    }
    /* The wedge: a height uniform in the layer, accepted under the curve. */
    const double *f = tsim__zig_f;
    double y = f[i] + (double)(tsim_rng_step(st) >> 11) * 0x1.0p-53 * (f[i + 1] - f[i]);
    if (y < zig_f_of(x)) return sign * x;
    b = tsim_rng_step(st);
  }
}

void tsim_rng_normals(tsim_rng_state *st, double *out, size_t n) {
  tsim_rng_state s = *st; /* its address never escapes, so it stays in registers */
  for (size_t i = 0; i < n; i++) {
    uint64_t b = tsim_rng_step(&s);
    if (__builtin_expect(tsim_rng_normal_fast(b, &out[i]), 1)) continue;
    tsim_rng_state t = s;
    out[i] = tsim__rng_normal_slow(&t, b);
    s = t;
  }
  *st = s;
}

static const gsl_rng_type xoshiro256pp_type = {
    "xoshiro256++", 0xffffffffUL, 0, sizeof(tsim_rng_state), xo_set, xo_get, xo_get_double};

const gsl_rng_type *tsim_rng_xoshiro256pp = &xoshiro256pp_type;

gsl_rng *tsim_rng_alloc(void) {
  /* the two blocks gsl_rng_alloc makes, which gsl_rng_free frees */
  gsl_rng *r = malloc(sizeof *r);
  if (!r) return NULL;
  r->type = &xoshiro256pp_type;
  r->state = calloc(1, xoshiro256pp_type.size);
  if (!r->state) {
    free(r);
    return NULL;
  }
  gsl_rng_set(r, gsl_rng_default_seed);
  return r;
}
