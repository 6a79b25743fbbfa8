/* rng.h - the per-trial random streams: xoshiro256++ plugged into GSL.
 *
 * Every simulated trial draws only from streams derived from (seed, trial index, purpose), so
 * trial i is the same whichever thread, process or grid point runs it. The generator is
 * xoshiro256++ (Blackman & Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS
 * 47(4), 2021): 256 bits of state, period 2^256 - 1, sub-nanosecond per number, and seeding
 * that costs four splitmix64 steps instead of Mersenne Twister's 624-word initialisation.
 *
 * It is exposed as a gsl_rng_type (tsim_rng_xoshiro256pp) so every gsl_ran_* sampler works on
 * it; the inline helpers below skip GSL's function-pointer call on the hot path but draw from
 * the very same state, so both routes interleave consistently.
 */
#ifndef TSIM_RNG_H
#define TSIM_RNG_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

extern const gsl_rng_type *tsim_rng_xoshiro256pp;

/* A new xoshiro256++ generator as gsl_rng_alloc(tsim_rng_xoshiro256pp) makes it (seeded with
 * gsl_rng_default_seed), freed with gsl_rng_free; NULL when out of memory, where gsl_rng_alloc
 * would call GSL's error handler (abort by default) first. */
gsl_rng *tsim_rng_alloc(void);

typedef struct tsim_rng_state {
  uint64_t s[4]; /* xoshiro256++ state; never all zero */
} tsim_rng_state;

/* One xoshiro256++ step of the state words s[0..3], the output to out, for words of type T: a
 * 64-bit integer, or a vector of them (one generator per lane). Written once for both. */
#define TSIM_XOSHIRO256PP_STEP(T, s, out)                                                         \
  do {                                                                                            \
    const T x_ = (s)[0] + (s)[3];                                                                 \
    (out) = ((x_ << 23) | (x_ >> 41)) + (s)[0];                                                   \
    const T t_ = (s)[1] << 17;                                                                    \
    (s)[2] ^= (s)[0];                                                                             \
    (s)[3] ^= (s)[1];                                                                             \
    (s)[1] ^= (s)[2];                                                                             \
    (s)[0] ^= (s)[3];                                                                             \
    (s)[2] ^= t_;                                                                                 \
    (s)[3] = ((s)[3] << 45) | ((s)[3] >> 19);                                                     \
  } while (0)

/* Purposes of the sub-streams of one trial. Keeping them apart means that changing how many
 * numbers one part of the model draws (say, turning site heterogeneity on) leaves the numbers
 * every other part sees unchanged: common random numbers across scenario variants. */
typedef enum {
  TSIM_STREAM_SITES = 0,    /* site random effects, randomly chosen anomalous sites */
  TSIM_STREAM_ENROLL = 1,   /* each patient's site and arm */
  TSIM_STREAM_OUTCOME = 2,  /* end points */
  TSIM_STREAM_MISSING = 3,  /* dropout and protocol deviation */
  TSIM_STREAM_OUTCOME_LANES = 4, /* end points drawn eight cells at a time (cell sampler) */
  /* Counter-based draws (tsim_rng_draw) of one trial: */
  TSIM_DRAWS_SITES = 5,     /* each site's random effect (normal deviates) */
  TSIM_DRAWS_ENROLL = 6,    /* cell sampler: the site multinomial's binomials, each site's arm split */
  TSIM_DRAWS_MISSING = 7,   /* cell sampler: each cell's dropouts and deviations */
  TSIM_STREAM_ACCRUAL = 8,  /* randomisation times, sites' opening months (accrual.c) */
  /* Site monitoring that stops enrolling at flagged sites (stages.c): */
  TSIM_DRAWS_REDIRECT = 9,  /* patient j's site among those still enrolling, when its own has stopped */
  TSIM_DRAWS_SITE_BLOCKS = 10, /* site s's permuted blocks: a generator from draws 4s .. 4s + 3 */
  TSIM_DRAWS_EVENTS = 11,   /* intercurrent events: patient j's uniform for event k is draw j nevents + k */
  TSIM_STREAM_IMPUTE = 12,  /* multiple imputation: an analysis under hypothesis h reads a generator
                               whose state is splitmix64's outputs 1..4 from this purpose's key
                               mixed with its id's hash and h (analysis/ptanalysis.c) */
} tsim_stream;

/* Puts `r` (which must be of type tsim_rng_xoshiro256pp) at the start of the stream for
 * (seed, trial, purpose). Distinct triples give statistically independent streams: the triple
 * is hashed into a 64-bit key by a bijective mixer, and the state is four splitmix64 outputs
 * from that key (the seeding the xoshiro authors recommend). */
void tsim_rng_seed_stream(gsl_rng *r, uint64_t seed, uint64_t trial, tsim_stream purpose);

/* ---- eight streams side by side, for vector code ---------------------------------------------
 * The lanes of (seed, trial, purpose) are eight xoshiro256++ generators. Lane l starts at
 * splitmix64 outputs 4l+1 .. 4l+4 from the key tsim_rng_seed_stream derives for the triple (lane
 * 0 is that stream itself): consecutive outputs of one splitmix64 sequence, as the xoshiro
 * authors advise for seeding several generators. Each lane is an ordinary xoshiro256++ stream;
 * code may step the eight as one 512-bit vector (tsim_rng_lanes_step), as two 256-bit halves or
 * one lane at a time, and lane l gives the same numbers. */
#define TSIM_LANES 8
typedef struct tsim_rng_lanes {
  uint64_t s[4][TSIM_LANES]; /* s[i][l]: state word i of lane l */
} tsim_rng_lanes;
void tsim_rng_seed_lanes(tsim_rng_lanes *lanes, uint64_t seed, uint64_t trial, tsim_stream purpose);


/* Eight 64-bit lanes, for GCC's generic vector code: the compiler maps them onto whatever the
 * target has (one AVX-512 register, two AVX2 ones, four SSE2 ones). */
typedef uint64_t tsim_u64x8 __attribute__((vector_size(64)));
typedef int64_t tsim_i64x8 __attribute__((vector_size(64)));

/* One xoshiro256++ step of eight lanes held in s[0..3] (lane l of s[i] is word i of lane l),
 * the next outputs to *out: tsim_rng_step, lane by lane. Pointers, not values: vectors passed by
 * value would change the calling convention between vector widths. */
static inline void tsim_rng_lanes_step(tsim_u64x8 *s, tsim_u64x8 *out) { TSIM_XOSHIRO256PP_STEP(tsim_u64x8, s, *out); }

/* ---- counter-based draws ---------------------------------------------------------------------
 * Where a trial needs a fixed set of numbers, one per site or per cell, it takes them by index:
 * draw j of (seed, trial, purpose) is splitmix64's output j + 1 from the stream's key, i.e.
 * mix64(key + (j + 1) gamma) (Steele, Lea & Flood 2014; the outputs that seed a stream). The
 * draws are independent of one another's computation - no state is carried from one to the
 * next - so code may make many at once in vector registers (tsim_rng_draws) and use them in
 * any order, and a stage that reads draw j of its purpose sees the same number whatever else
 * the scenario draws. */
#define TSIM_GAMMA 0x9e3779b97f4a7c15ULL /* splitmix64's increment (the golden ratio, 2^64) */

/* splitmix64's output function: a bijection of 64-bit integers. */
static inline uint64_t tsim_rng_mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* The splitmix64 key of the stream (seed, trial, purpose): the stream's state is splitmix64's
 * outputs 1..4 from it, lane l's outputs 4l+1..4l+4, draw j its output j + 1. Chained mixing:
 * the key is injective in (trial, purpose) for a fixed seed because each step is a bijection of
 * a value that is itself injective in the inputs (purpose < 16). Inline, so that a function
 * keying several purposes of one trial mixes the seed once. */
static inline uint64_t tsim__rng_stream_key(uint64_t seed, uint64_t trial, tsim_stream purpose) {
  uint64_t key = tsim_rng_mix64(seed ^ 0x6a09e667f3bcc909ULL);
  return tsim_rng_mix64(key ^ (trial * 16u + (uint64_t)purpose));
}

/* Draw j of the purpose whose key is `key` (tsim__rng_stream_key). */
static inline uint64_t tsim_rng_draw(uint64_t key, uint64_t j) { return tsim_rng_mix64(key + (j + 1) * TSIM_GAMMA); }

/* tsim_rng_draws (kernels/kernels.h) makes draws first .. first + n - 1 of a key at once, in
 * vector code. */

/* Sets the raw state (for known-answer tests against the reference implementation). */
void tsim_rng_set_state(gsl_rng *r, const uint64_t s[4]);

/* The reference step on a state: returns the next 64-bit output. Hot loops copy a stream's
 * state into a local tsim_rng_state and step that, so the compiler keeps it in registers
 * instead of storing and reloading it through the gsl_rng at every draw. */
static inline uint64_t tsim_rng_step(tsim_rng_state *st) {
  uint64_t result;
  TSIM_XOSHIRO256PP_STEP(uint64_t, st->s, result);
  return result;
}

/* The state of a generator of type tsim_rng_xoshiro256pp. */
static inline tsim_rng_state *tsim_rng_state_of(gsl_rng *r) { return (tsim_rng_state *)r->state; }

/* The next 64-bit output of r. */
static inline uint64_t tsim_rng_next(gsl_rng *r) { return tsim_rng_step(tsim_rng_state_of(r)); }

/* Uniform on [0, 1) with 53 random bits. */
static inline double tsim_rng_uniform(gsl_rng *r) {
  return (double)(tsim_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer on [0, n) for n >= 1, without modulo bias (Lemire's multiply-shift with
 * rejection, "Fast random integer generation in an interval", ACM TOMACS 29(1), 2019). */
static inline uint32_t tsim_rng_below(gsl_rng *r, uint32_t n) {
  uint64_t m = (tsim_rng_next(r) >> 32) * (uint64_t)n;
  uint32_t low = (uint32_t)m;
  if (low < n) {
    uint32_t threshold = (uint32_t)(-n) % n;
    while (low < threshold) {
      m = (tsim_rng_next(r) >> 32) * (uint64_t)n;
      low = (uint32_t)m;
    }
  }
  return (uint32_t)(m >> 32);
}

/* tsim_rng_below on a stream's state (for loops that keep the state in a local copy). */
static inline uint32_t tsim_rng_below_st(tsim_rng_state *st, uint32_t n) {
  uint64_t m = (tsim_rng_step(st) >> 32) * (uint64_t)n;
  uint32_t low = (uint32_t)m;
  if (low < n) {
    uint32_t threshold = (uint32_t)(-n) % n;
    while (low < threshold) {
      m = (tsim_rng_step(st) >> 32) * (uint64_t)n;
      low = (uint32_t)m;
    }
  }
  return (uint32_t)(m >> 32);
}

/* ---- standard normal deviates: the ziggurat of Marsaglia & Tsang ------------------------------
 * (G. Marsaglia and W. W. Tsang, "The ziggurat method for generating random variables", J. Stat.
 * Softw. 5(8), 2000), 128 layers of equal area under exp(-x^2/2), with one 64-bit draw per
 * deviate on the fast path: bits 0-6 pick the layer, bit 7 the sign, bits 11-63 the position
 * j in the layer, x = j w[i]. When j < k[i] the point lies inside the curve in every layer's
 * height and x is returned (97.2% of draws); otherwise tsim__rng_normal_slow tests the wedge or
 * samples the tail beyond R (Marsaglia 1964), drawing more numbers from the same stream. The
 * tables are computed when the program starts (rng.c), with R solved so that the top layer
 * ends exactly at the mode. */
extern double tsim__zig_w[128];   /* x_i 2^-53: layer i's width per unit of j */
extern double tsim__zig_x[129], tsim__zig_f[129]; /* the layers' edges x_i and f(x_i) (rng.c) */
extern uint64_t tsim__zig_k[128]; /* floor(x_{i+1} / x_i 2^53): j below it is inside the curve */
double tsim__rng_normal_slow(tsim_rng_state *st, uint64_t bits);

/* The fast path of tsim_rng_normal_st on the 64 bits b: 1 and the deviate in *x when b falls
 * inside the curve (97.2% of b), 0 when tsim__rng_normal_slow must finish from b. */
static inline int tsim_rng_normal_fast(uint64_t b, double *x) {
  uint64_t j = b >> 11;
  unsigned i = (unsigned)(b & 127);
  if (j >= tsim__zig_k[i]) return 0;
  double v = (double)(int64_t)j * tsim__zig_w[i]; /* j < 2^53: a signed conversion suffices */
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  bits ^= (b & 128) << 56; /* bit 7 is the sign: flipped without a branch (it is a coin toss) */
  memcpy(x, &bits, sizeof bits);
  return 1;
}

/* tsim_rng_normal_fast with the sign in the table: tsim__zig_ws[b & 255] is layer i's width
 * with bit 7's sign (tsim__zig_ws[i + 128] = -tsim__zig_w[i]). The same bits: a product's sign
 * is the xor of its factors' and round-to-nearest is symmetric, so j (-w) is -(j w), and 0 (-w)
 * is -0, the +0 with its sign flipped. One load in place of the sign's five instructions. */
extern double tsim__zig_ws[256];
static inline int tsim_rng_normal_fast_ws(uint64_t b, double *x) {
  uint64_t j = b >> 11;
  if (j >= tsim__zig_k[b & 127]) return 0;
  *x = (double)(int64_t)j * tsim__zig_ws[b & 255];
  return 1;
}

/* A standard normal deviate from the stream whose state is st. */
static inline double tsim_rng_normal_st(tsim_rng_state *st) {
  uint64_t b = tsim_rng_step(st);
  double x;
  if (tsim_rng_normal_fast(b, &x)) return x;
  return tsim__rng_normal_slow(st, b);
}

/* A standard normal deviate from r (of type tsim_rng_xoshiro256pp). */
static inline double tsim_rng_normal(gsl_rng *r) { return tsim_rng_normal_st(tsim_rng_state_of(r)); }

/* n standard normal deviates from the stream whose state is st into out[0..n): the numbers n
 * calls of tsim_rng_normal_st would give, in their order, from a loop that keeps the state in
 * registers (the slow path's draws included). */
void tsim_rng_normals(tsim_rng_state *st, double *out, size_t n);

#endif
