/* test_rng.c - the per-trial generator: known answers, GSL plumbing, stream properties, and the
 * normal deviates of its ziggurat.
 *
 * Known answers come from the reference implementations (xoshiro256plusplus.c and
 * splitmix64.c by Blackman and Vigna), as published in every port's test vectors. The
 * statistical checks use a fixed seed and a 4-standard-error tolerance: with ~20 such checks
 * a correct generator fails one with probability about 1e-3.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "kernels/kernels.h"
#include "model/cohort.h"
#include "model/stages.h"
#include "exact.h"
#include "core/rng.h"

static void known_answers(gsl_rng *r) {
  static const uint64_t expected[10] = {
      41943041ULL, 58720359ULL, 3588806011781223ULL, 3591011842654386ULL,
      9228616714210784205ULL, 9973669472204895162ULL, 14011001112246962877ULL,
      12406186145184390807ULL, 15849039046786891736ULL, 10450023813501588000ULL};
  const uint64_t s[4] = {1, 2, 3, 4};
  tsim_rng_set_state(r, s);
  for (int i = 0; i < 10; i++) {
    uint64_t got = tsim_rng_next(r);
    CHECK(got == expected[i], "xoshiro256++ output %d: got %llu, expected %llu", i,
          (unsigned long long)got, (unsigned long long)expected[i]);
  }
  /* gsl_rng_set fills the state with splitmix64 from the seed: seed 0's first four outputs. */
  static const uint64_t sm0[4] = {0xE220A8397B1DCDAFULL, 0x6E789E6AA1B965F4ULL,
                                  0x06C45D188009454FULL, 0xF88BB8A8724C81ECULL};
  gsl_rng_set(r, 0);
  const uint64_t *st = ((const tsim_rng_state *)r->state)->s;
  for (int i = 0; i < 4; i++)
    CHECK(st[i] == sm0[i], "splitmix64 seed 0 output %d: got %llx, expected %llx", i,
          (unsigned long long)st[i], (unsigned long long)sm0[i]);
}

static void gsl_interface(gsl_rng *r) {
  CHECK(gsl_rng_max(r) == 0xffffffffUL && gsl_rng_min(r) == 0, "range %lu..%lu", gsl_rng_min(r),
        gsl_rng_max(r));
  tsim_rng_seed_stream(r, 7, 0, TSIM_STREAM_OUTCOME);
  const int n = 1000000;
  double sum = 0, sum2 = 0, gsum = 0, gsum2 = 0, gsum4 = 0;
  int out_of_range = 0;
  for (int i = 0; i < n; i++) {
    double u = gsl_rng_uniform(r);
    out_of_range += !(u >= 0 && u < 1);
    sum += u;
    sum2 += u * u;
    double z = gsl_ran_gaussian_ziggurat(r, 1.0);
    gsum += z;
    gsum2 += z * z;
    gsum4 += z * z * z * z;
  }
  CHECK(out_of_range == 0, "%d uniforms outside [0,1)", out_of_range);
  /* Uniform: mean 1/2 (SD 1/sqrt(12)), E[U^2] = 1/3 (SD sqrt(1/5 - 1/9)). */
  CHECK_SE(sum / n, 0.5, sqrt(1.0 / 12 / n), 4, "uniform mean");
  CHECK_SE(sum2 / n, 1.0 / 3, sqrt((1.0 / 5 - 1.0 / 9) / n), 4, "uniform second moment");
  /* Normal via GSL's ziggurat on our generator: mean 0, variance 1 (SD sqrt(2)), E[Z^4] = 3
   * (SD sqrt(105 - 9)). */
  CHECK_SE(gsum / n, 0.0, sqrt(1.0 / n), 4, "normal mean");
  CHECK_SE(gsum2 / n, 1.0, sqrt(2.0 / n), 4, "normal variance");
  CHECK_SE(gsum4 / n, 3.0, sqrt(96.0 / n), 4, "normal fourth moment");
  /* gsl_rng_uniform_int goes through `get` (32 high bits): counts of 0..5. */
  long counts[6] = {0};
  for (int i = 0; i < 600000; i++) counts[gsl_rng_uniform_int(r, 6)]++;
  for (int k = 0; k < 6; k++)
    CHECK_SE((double)counts[k], 100000.0, sqrt(600000.0 * (1.0 / 6) * (5.0 / 6)), 4,
             "gsl_rng_uniform_int cell");
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* A source of standard normal deviates for normal_is_normal. */
typedef struct normal_source {
  const char *name;
  double (*next)(struct normal_source *src);
  gsl_rng *r;         /* tsim_rng_normal's stream */
  tsim_cohort *c;     /* the site effects of a 10,000-site scenario with SD 1, trial after trial */
  long long trial;
  int at;
} normal_source;

static double from_stream(normal_source *src) { return tsim_rng_normal(src->r); }

static double from_sites(normal_source *src) {
  if (src->at == src->c->plan->sc->nsites) {
    tsim__cohort_sites(src->c, 2024, src->trial++);
    src->at = 0;
  }
  return src->c->site_effect[src->at++];
}

/* Standard normal deviates from src (the engine's own ziggurat): moments, 64 equiprobable bins,
 * the tails beyond the ziggurat's R = 3.4426 (drawn by its tail method) and beyond 4, and
 * Kolmogorov-Smirnov against Phi on 4 million draws; then the tail's own mean and
 * Kolmogorov-Smirnov against the conditional law beyond R on ~11,500 tail values out of 2e7
 * more draws. Run on tsim_rng_normal, and on the site effects of tsim__cohort_sites, which take
 * the ziggurat's fast path from counter-based draws and finish the rest from the SITES stream. */
static void normal_is_normal(normal_source *src) {
  enum { N = 4000000, BINS = 64 };
  double *z = malloc(N * sizeof *z);
  CHECK(z != NULL, "out of memory");
  if (!z) return;
  printf("normal deviates: %s\n", src->name);
  double sum = 0, sum2 = 0, sum3 = 0, sum4 = 0;
  long tail_r = 0, tail_4 = 0, upper = 0, bins[BINS] = {0};
  double cut[BINS];
  for (int b = 0; b < BINS; b++) cut[b] = gsl_cdf_ugaussian_Pinv((b + 1.0) / BINS);
  cut[BINS - 1] = INFINITY;
  for (int i = 0; i < N; i++) {
    double x = z[i] = src->next(src);
    sum += x;
    sum2 += x * x;
    sum3 += x * x * x;
    sum4 += x * x * x * x;
    tail_r += fabs(x) > 3.4426198558966514;
    tail_4 += fabs(x) > 4;
    upper += x > 0;
    int b = 0;
    while (x > cut[b]) b++;
    bins[b]++;
  }
  CHECK_SE(sum / N, 0.0, sqrt(1.0 / N), 4, "normal mean");
  CHECK_SE(sum2 / N, 1.0, sqrt(2.0 / N), 4, "normal variance");
  CHECK_SE(sum3 / N, 0.0, sqrt(15.0 / N), 4, "normal third moment");
  CHECK_SE(sum4 / N, 3.0, sqrt(96.0 / N), 4, "normal fourth moment");
  CHECK_SE((double)upper / N, 0.5, sqrt(0.25 / N), 4, "normal P(Z > 0) (the sign bit)");
  double pr = 2 * gsl_cdf_ugaussian_Q(3.4426198558966514), p4 = 2 * gsl_cdf_ugaussian_Q(4);
  CHECK_SE((double)tail_r / N, pr, sqrt(pr * (1 - pr) / N), 4, "normal P(|Z| > R), the tail method");
  CHECK_SE((double)tail_4 / N, p4, sqrt(p4 * (1 - p4) / N), 4, "normal P(|Z| > 4)");
  /* Pearson's X^2 over equiprobable bins: 63 df, the 1e-4 upper quantile. */
  double x2 = 0, e = (double)N / BINS;
  for (int b = 0; b < BINS; b++) x2 += ((double)bins[b] - e) * ((double)bins[b] - e) / e;
  double crit = gsl_cdf_chisq_Qinv(1e-4, BINS - 1);
  CHECK(x2 < crit, "normal: X^2 over %d equiprobable bins %.1f >= %.1f (p < 1e-4)", BINS, x2, crit);
  /* Kolmogorov-Smirnov: sqrt(N) D below 1.95, the 0.001 upper quantile of Kolmogorov's law. */
  qsort(z, N, sizeof *z, cmp_double);
  double d = 0;
  for (int i = 0; i < N; i++) {
    double f = gsl_cdf_ugaussian_P(z[i]);
    d = fmax(d, fmax(f - (double)i / N, (double)(i + 1) / N - f));
  }
  CHECK(sqrt((double)N) * d < 1.95, "normal: Kolmogorov-Smirnov sqrt(n) D = %.3f >= 1.95", sqrt((double)N) * d);
  /* The tail's shape, from 2e7 more draws (~11,500 beyond R): E[|Z| | |Z| > R] = phi(R) / Q(R),
   * and Kolmogorov-Smirnov against P(|Z| <= x | |Z| > R) = 1 - Q(x) / Q(R). */
  const double R = 3.4426198558966514;
  int nt = 0;
  for (int i = 0; i < 20000000 && nt < N; i++) {
    double x = fabs(src->next(src));
    if (x > R) z[nt++] = x;
  }
  double tm = 0, t2 = 0;
  for (int i = 0; i < nt; i++) tm += z[i], t2 += z[i] * z[i];
  tm /= nt;
  double tsd = sqrt(fmax(t2 / nt - tm * tm, 0));
  double tmean = gsl_ran_ugaussian_pdf(R) / gsl_cdf_ugaussian_Q(R);
  CHECK_SE(tm, tmean, tsd / sqrt((double)nt), 4, "normal E[|Z| | |Z| > R]");
  qsort(z, (size_t)nt, sizeof *z, cmp_double);
  double dt = 0;
  for (int i = 0; i < nt; i++) {
    double f = 1 - gsl_cdf_ugaussian_Q(z[i]) / gsl_cdf_ugaussian_Q(R);
    dt = fmax(dt, fmax(f - (double)i / nt, (double)(i + 1) / nt - f));
  }
  CHECK(sqrt((double)nt) * dt < 1.95, "normal tail: Kolmogorov-Smirnov sqrt(n) D = %.3f >= 1.95 (n %d)",
        sqrt((double)nt) * dt, nt);
  free(z);
}

static void below_is_uniform(gsl_rng *r) {
  static const uint32_t ns[] = {1, 2, 3, 7, 10, 1000003};
  tsim_rng_seed_stream(r, 11, 3, TSIM_STREAM_ENROLL);
  for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
    uint32_t n = ns[t];
    const int draws = 300000;
    long low = 0; /* draws in the lower half [0, n/2) */
    int bad = 0;
    for (int i = 0; i < draws; i++) {
      uint32_t v = tsim_rng_below(r, n);
      bad += v >= n;
      low += v < n / 2;
    }
    CHECK(bad == 0, "tsim_rng_below(%u) returned %d values out of range", n, bad);
    double p = (double)(n / 2) / n;
    if (p > 0) CHECK_SE((double)low / draws, p, sqrt(p * (1 - p) / draws), 4, "tsim_rng_below lower half");
  }
}

/* Same triple, same numbers; neighbouring trials and purposes uncorrelated. */
static void streams(gsl_rng *r, gsl_rng *q) {
  tsim_rng_seed_stream(r, 20221, 5, TSIM_STREAM_OUTCOME);
  tsim_rng_seed_stream(q, 20221, 5, TSIM_STREAM_OUTCOME);
  int same = 1;
  for (int i = 0; i < 1000; i++) same &= tsim_rng_next(r) == tsim_rng_next(q);
  CHECK(same, "the same (seed, trial, purpose) must give the same stream");
  const int n = 200000;
  double sxy_t = 0, sxy_p = 0, sxy_s = 0;
  for (int i = 0; i < n; i++) {
    tsim_rng_seed_stream(r, 1, (uint64_t)i, TSIM_STREAM_OUTCOME);
    double a = tsim_rng_uniform(r) - 0.5;
    tsim_rng_seed_stream(q, 1, (uint64_t)i + 1, TSIM_STREAM_OUTCOME);
    sxy_t += a * (tsim_rng_uniform(q) - 0.5);
    tsim_rng_seed_stream(q, 1, (uint64_t)i, TSIM_STREAM_MISSING);
    sxy_p += a * (tsim_rng_uniform(q) - 0.5);
    tsim_rng_seed_stream(q, 2, (uint64_t)i, TSIM_STREAM_OUTCOME);
    sxy_s += a * (tsim_rng_uniform(q) - 0.5);
  }
  /* For independent U(0,1), (U-1/2)(V-1/2) has mean 0 and SD 1/12. */
  CHECK_SE(sxy_t / n, 0.0, 1.0 / 12 / sqrt(n), 4, "first draws of trials i and i+1");
  CHECK_SE(sxy_p / n, 0.0, 1.0 / 12 / sqrt(n), 4, "first draws of two purposes of trial i");
  CHECK_SE(sxy_s / n, 0.0, 1.0 / 12 / sqrt(n), 4, "first draws of trial i under seeds 1, 2");
}

/* splitmix64 as its authors publish it: the reference for the counter-based draws. */
static uint64_t splitmix64_ref(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Draw j of a key is splitmix64's output j + 1 from it, one at a time or in bulk (any start, any
 * count); lane l of a trial's lanes starts at outputs 4l+1..4l+4 of the stream's key, lane 0
 * being the stream itself. */
static void counter_draws(gsl_rng *r) {
  uint64_t key = tsim__rng_stream_key(5, 77, TSIM_DRAWS_SITES), x = key, ref[1100];
  for (int j = 0; j < 1100; j++) ref[j] = splitmix64_ref(&x);
  int bad = 0;
  for (int j = 0; j < 1100; j++) bad += tsim_rng_draw(key, (uint64_t)j) != ref[j];
  CHECK(bad == 0, "tsim_rng_draw: %d of 1100 draws differ from splitmix64", bad);
  static const size_t firsts[] = {0, 3, 8, 1000}, counts[] = {1, 7, 8, 9, 23, 64};
  uint64_t out[72];
  for (size_t f = 0; f < sizeof firsts / sizeof firsts[0]; f++)
    for (size_t n = 0; n < sizeof counts / sizeof counts[0]; n++) {
      tsim_rng_draws(key, firsts[f], counts[n], out);
      bad = 0;
      for (size_t j = 0; j < counts[n]; j++) bad += out[j] != ref[firsts[f] + j];
      CHECK(bad == 0, "tsim_rng_draws(first %zu, n %zu): %d differ", firsts[f], counts[n], bad);
    }
  tsim_rng_lanes lanes;
  tsim_rng_seed_lanes(&lanes, 5, 77, TSIM_STREAM_OUTCOME_LANES);
  tsim_rng_seed_stream(r, 5, 77, TSIM_STREAM_OUTCOME_LANES);
  x = tsim__rng_stream_key(5, 77, TSIM_STREAM_OUTCOME_LANES);
  bad = 0;
  for (int l = 0; l < TSIM_LANES; l++)
    for (int i = 0; i < 4; i++) bad += lanes.s[i][l] != splitmix64_ref(&x);
  for (int i = 0; i < 4; i++) bad += lanes.s[i][0] != tsim_rng_state_of(r)->s[i];
  CHECK(bad == 0, "lanes: %d state words differ from splitmix64's outputs", bad);
  /* Stepping the eight lanes as one vector is stepping each lane. */
  tsim_u64x8 v[4], out8;
  memcpy(v, lanes.s, sizeof v);
  tsim_rng_state st[TSIM_LANES];
  for (int l = 0; l < TSIM_LANES; l++)
    for (int i = 0; i < 4; i++) st[l].s[i] = lanes.s[i][l];
  bad = 0;
  for (int k = 0; k < 100; k++) {
    tsim_rng_lanes_step(v, &out8);
    for (int l = 0; l < TSIM_LANES; l++) bad += out8[l] != tsim_rng_step(&st[l]);
  }
  CHECK(bad == 0, "lanes: %d of 800 vector steps differ from the lane's own", bad);
}

/* tsim_rng_normal_fast_ws gives tsim_rng_normal_fast's bits (and its verdict) on every 64-bit
 * word: a stream's words, and j = 0 (the signed zeros) and j at each layer's bound in every
 * layer with both signs. */
static void normal_fast_ws(gsl_rng *r) {
  int bad = 0, n = 0;
  for (int k = 0; k < 1000000 + 4 * 256; k++) {
    uint64_t b;
    if (k < 1000000) {
      b = tsim_rng_next(r);
    } else {
      int q = k - 1000000, i = q & 255, which = q >> 8; /* layer and sign; 0, k - 1, k, max */
      uint64_t kk = tsim__zig_k[i & 127], j = which == 0 ? 0 : which == 1 ? kk - 1 : which == 2 ? kk : (1ull << 53) - 1;
      b = (j << 11) | (uint64_t)i;
    }
    double x = 0, y = 0;
    int fa = tsim_rng_normal_fast(b, &x), fb = tsim_rng_normal_fast_ws(b, &y);
    n += fa;
    bad += fa != fb || (fa && memcmp(&x, &y, sizeof x) != 0);
  }
  CHECK(bad == 0 && n > 900000, "tsim_rng_normal_fast_ws: %d of 1,001,024 words differ from tsim_rng_normal_fast", bad);
}

/* The ziggurat's slow path against Marsaglia & Tsang's method written out plainly here (fast
 * path, tail, wedge by exp) on the engine's layers (tsim__zig_x, tsim__zig_f): the same decisions
 * give the same deviates and leave the stream in the same state, so it must return the engine's
 * bits on every draw: 20 million from one stream, about 560,000 of them through the slow path,
 * every layer's wedge many times over. A change to the slow path that changes a decision (a
 * shortcut for exp, say) fails it. */
#define REF_R 3.4426198558966514
static double ref_f(double x) { return exp(-0.5 * x * x); }
static void normal_slow_reference(void) {
  const double *rx = tsim__zig_x, *rf = tsim__zig_f;
  gsl_rng *a = gsl_rng_alloc(tsim_rng_xoshiro256pp), *b = gsl_rng_alloc(tsim_rng_xoshiro256pp);
  if (!a || !b) return;
  tsim_rng_seed_stream(a, 20261207, 3, TSIM_STREAM_OUTCOME);
  tsim_rng_seed_stream(b, 20261207, 3, TSIM_STREAM_OUTCOME);
  tsim_rng_state *sb = tsim_rng_state_of(b);
  long bad = 0, slow = 0, wedge[128] = {0};
  for (long k = 0; k < 20000000; k++) {
    double x = tsim_rng_normal(a), y;
    uint64_t w = tsim_rng_step(sb);
    for (;;) { /* Marsaglia & Tsang with 128 layers, on the engine's bits (rng.h) */
      unsigned i = (unsigned)(w & 127);
      uint64_t j = w >> 11;
      double sign = (w & 128) ? -1.0 : 1.0, u = (double)j * (rx[i] * 0x1.0p-53);
      if (j < (uint64_t)(rx[i + 1] / rx[i] * 0x1.0p53)) {
        y = sign * u;
        break;
      }
      slow++;
      if (i == 0) {
        double t, c;
        do {
          t = -log1p(-(double)(tsim_rng_step(sb) >> 11) * 0x1.0p-53) / REF_R;
          c = -log1p(-(double)(tsim_rng_step(sb) >> 11) * 0x1.0p-53);
        } while (c + c < t * t);
        y = sign * (REF_R + t);
        break;
      }
      wedge[i]++;
      double h = rf[i] + (double)(tsim_rng_step(sb) >> 11) * 0x1.0p-53 * (rf[i + 1] - rf[i]);
      if (h < ref_f(u)) {
        y = sign * u;
        break;
      }
      w = tsim_rng_step(sb);
    }
    bad += memcmp(&x, &y, sizeof x) != 0;
  }
  long least = wedge[1];
  for (int i = 1; i < 128; i++) least = wedge[i] < least ? wedge[i] : least;
  CHECK(bad == 0 && slow > 400000 && least > 100,
        "ziggurat: %ld of 20,000,000 deviates differ from the exp-only reference (%ld slow paths, the "
        "least visited wedge %ld times)", bad, slow, least);
  gsl_rng_free(a);
  gsl_rng_free(b);
}

int main(void) {
  gsl_set_error_handler_off();
  gsl_rng *r = gsl_rng_alloc(tsim_rng_xoshiro256pp), *q = gsl_rng_alloc(tsim_rng_xoshiro256pp);
  if (!r || !q) return 1;
  CHECK(strcmp(gsl_rng_name(r), "xoshiro256++") == 0, "name %s", gsl_rng_name(r));
  known_answers(r);
  gsl_interface(r);
  below_is_uniform(r);
  counter_draws(r);
  normal_fast_ws(r);
  normal_slow_reference();
  tsim_rng_seed_stream(r, 99, 1, TSIM_STREAM_SITES);
  normal_source stream = {"tsim_rng_normal", from_stream, r, NULL, 0, 0};
  normal_is_normal(&stream);
  tsim_scenario *sc = load_text(
      "{\"name\": \"sites\", \"sample_size\": 20000, \"sites\": {\"count\": 10000, \"heterogeneity_sd\": 1},"
      " \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e\"}],"
      " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": 0.3, \"e\": 0.4}}],"
      " \"analyses\": [{\"id\": \"i\", \"population\": \"itt\", \"test\": \"pearson\"}]}");
  tsim_cohort_plan plan;
  tsim_cohort *c = NULL;
  if (sc && tsim_cohort_plan_init(&plan, sc) == TSIM_OK) {
    if ((c = tsim_cohort_new(&plan))) {
      normal_source sites = {"the site effects of tsim__cohort_sites", from_sites, NULL, c, 0, sc->nsites};
      normal_is_normal(&sites);
    }
    tsim_cohort_free(c);
    tsim_cohort_plan_free(&plan);
  }
  CHECK(c != NULL, "the 10,000-site scenario did not load");
  tsim_scenario_free(sc);
  streams(r, q);
  gsl_rng_free(r);
  gsl_rng_free(q);
  return tsim_check_done();
}
