/* ranktest.c - the Wilcoxon rank-sum test (see ranktest.h).
 *
 * Each sample is sorted on its own, as 64-bit keys that order like the doubles (the sign bit
 * flipped for positives, every bit for negatives; -0 is folded into +0 first, as R ranks them
 * equal), and the two sorted samples are then merged run by run: a run of t equal values (t0
 * from x0, t1 from x1) starting after `pos` smaller ones has midrank pos + (t + 1) / 2, so it
 * adds t1 (2 pos + t + 1) to twice the rank sum of x1 - an integer, summed exactly - and
 * t^3 - t to the ties term. Groups are never carried through the sort. When no value occurs
 * twice, every t is 1 and the rank sum of x1 is the number of x0's values below each of x1's
 * plus n1 (n1 + 1) / 2: the same integer, found without sorting x1 (untied_sum).
 *
 * The tail: p = 2 Q(|z|) with gsl_cdf_ugaussian_Q, the complement computed directly (R's pnorm
 * with lower.tail = FALSE: both are Cody's algorithm), so p keeps its relative accuracy far out.
 */
#include "stats/ranktest.h"

#include "kernels/kernels.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Below this many keys an insertion sort beats the radix passes and their 2 KB of counts. */
#define RANK_SMALL 48
/* x1 of at most this many values is counted against x0 without a sort (untied_sum); larger
 * ones are sorted (radix passes, O(n)), which also bounds the hash set's memory. */
#define RANK_UNSORTED_MAX 8192
/* Every pair is compared (the pairs path) while n0 + n1 is at most this (pairs_pay), with AVX2
 * or wider; with the baseline's two lanes, at most RANK_PAIRS_MAX_SSE2. Measured in
 * instructions per two calls sharing x0 (callgrind) against the sort and merge on normal samples: with AVX2,
 * 5.2k against 9.0k for 28 + 28 values, 17k against 40k for 60 + 60; with SSE2, 5.2k
 * against 4.9k for 16 + 16. */
#define RANK_PAIRS_MAX 128
#define RANK_PAIRS_MAX_SSE2 32

struct tsim_rank_ws {
  size_t nmax;
  /* The pairs path (pair_counts): x0 and x1 as given, each followed by +inf up to a whole
   * vector and one more; x0's kept for the next call with the same values, with its flags. */
  double *p0, *p1;  /* [nmax + 16] */
  size_t p0_n;      /* values in p0 (0: nothing kept) */
  int p0_bad;       /* the kept x0 has a NaN or an infinity */
  int p0_tied;      /* ... two equal values */
  uint64_t *key; /* [nmax + 2]: x0's keys, then x1's (each sorted run ends in a sentinel) */
  uint64_t *tmp; /* [nmax + 2]: the radix sort's other buffer */
  /* The last call's x0, kept so that the next call with the same x0 (the control arm under
   * both hypotheses) reuses its sort: its keys as given and sorted (with a sentinel). */
  uint64_t *raw0, *sorted0; /* [nmax + 1] */
  size_t n0_kept;           /* 0: nothing kept */
  int tied0;                /* the kept x0 has two equal values */
  /* A hash set of x1's keys (untied_sum): slot i holds hkey[i] when stamp[i] == gen. */
  uint64_t *hkey;           /* [1 << hbits] */
  uint32_t *stamp;          /* [1 << hbits] */
  uint32_t gen;
  int hbits;                /* 2^hbits >= 2 min(nmax, RANK_UNSORTED_MAX) */
  int pairs_mode;           /* tsim__rank_ws_pairs: 0 where it pays, 1 always, -1 never */
};

void tsim__rank_ws_pairs(tsim_rank_ws *ws, int mode) { ws->pairs_mode = mode; }

tsim_rank_ws *tsim_rank_ws_new(size_t nmax) {
  if (nmax == 0 || nmax > SIZE_MAX / (2 * sizeof(uint64_t))) return NULL;
  tsim_rank_ws *ws = calloc(1, sizeof *ws);
  if (!ws) return NULL;
  ws->nmax = nmax;
  ws->key = malloc((nmax + 2) * sizeof *ws->key);
  ws->tmp = malloc((nmax + 2) * sizeof *ws->tmp);
  ws->raw0 = malloc((nmax + 1) * sizeof *ws->raw0);
  ws->sorted0 = malloc((nmax + 1) * sizeof *ws->sorted0);
  ws->p0 = malloc((nmax + 16) * sizeof *ws->p0);
  ws->p1 = malloc((nmax + 16) * sizeof *ws->p1);
  ws->hbits = 1;
  size_t hmax = nmax < RANK_UNSORTED_MAX ? nmax : RANK_UNSORTED_MAX;
  while (((size_t)1 << ws->hbits) < 2 * hmax) ws->hbits++;
  ws->hkey = malloc(((size_t)1 << ws->hbits) * sizeof *ws->hkey);
  ws->stamp = calloc((size_t)1 << ws->hbits, sizeof *ws->stamp);
  if (!ws->key || !ws->tmp || !ws->raw0 || !ws->sorted0 || !ws->hkey || !ws->stamp || !ws->p0 ||
      !ws->p1) {
    tsim_rank_ws_free(ws);
    return NULL;
  }
  return ws;
}

void tsim_rank_ws_free(tsim_rank_ws *ws) {
  if (!ws) return;
  free(ws->key);
  free(ws->tmp);
  free(ws->raw0);
  free(ws->sorted0);
  free(ws->hkey);
  free(ws->stamp);
  free(ws->p0);
  free(ws->p1);
  free(ws);
}

/* Keys of x[0..n) into k; 0 if a value is NaN or infinite. Without a branch per value: a NaN
 * or an infinity is the all-ones exponent; a negative key is ~u, a positive one u with the sign
 * bit set, i.e. u xor (sign mask | sign bit). */
static int to_keys(const double *x, size_t n, uint64_t *k) {
  const uint64_t expo = UINT64_C(0x7ff0000000000000), sign = UINT64_C(1) << 63;
  uint64_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    double v = x[i] + 0.0; /* -0.0 + 0.0 = +0.0 */
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    bad |= (u & expo) == expo;
    k[i] = u ^ ((uint64_t)((int64_t)u >> 63) | sign);
  }
  return !bad;
}

static void insertion_sort(uint64_t *a, size_t n) {
  for (size_t i = 1; i < n; i++) {
    uint64_t v = a[i];
    size_t j = i;
    for (; j > 0 && a[j - 1] > v; j--) a[j] = a[j - 1];
    a[j] = v;
  }
}

/* Sorts a[0..n) using tmp[0..n); returns whichever of the two holds the result. LSD radix on
 * bytes, skipping every byte position on which all keys agree. */
static uint64_t *sort_keys(uint64_t *a, uint64_t *tmp, size_t n) {
  if (n < RANK_SMALL) {
    insertion_sort(a, n);
    return a;
  }
  uint64_t differ = 0;
  for (size_t i = 1; i < n; i++) differ |= a[i] ^ a[0];
  for (int shift = 0; shift < 64; shift += 8) {
    if (((differ >> shift) & 0xff) == 0) continue;
    size_t count[256] = {0};
    for (size_t i = 0; i < n; i++) count[(a[i] >> shift) & 0xff]++;
    for (size_t b = 0, sum = 0; b < 256; b++) {
      size_t c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (size_t i = 0; i < n; i++) tmp[count[(a[i] >> shift) & 0xff]++] = a[i];
    uint64_t *swap = a;
    a = tmp;
    tmp = swap;
  }
  return a;
}

/* Length of the run of keys equal to v at the head of s[*i..n); advances *i past it. */
static size_t run_of(const uint64_t *s, size_t n, size_t *i, uint64_t v) {
  size_t start = *i;
  while (*i < n && s[*i] == v) (*i)++;
  return *i - start;
}

static double rank_fail(double *w, double *z, double wv) {
  if (w) *w = wv;
  if (z) *z = NAN;
  return NAN;
}

/* A key above every finite double's (+inf's is 0xfff0...0): ends each sorted sample. */
#define RANK_END UINT64_MAX

/* The sum over x1's keys k1[0..n1) of the number of x0's keys below each (s0: x0 sorted, then
 * RANK_END), when no value occurs twice in the pooled sample (x0 itself untied): then every run
 * has t = 1 and twice the rank sum of x1 is twice this sum plus n1 (n1 + 1) - no sort of x1
 * needed. Each count is a branch-free binary search of s0; a tie with x0 shows as the key found
 * there, a tie within x1 in a hash set of its keys. 0 when a tie turns up (the caller then
 * sorts x1 and merges run by run). */
static int untied_sum(tsim_rank_ws *ws, const uint64_t *s0, size_t n0, const uint64_t *k1, size_t n1,
                      uint64_t *sum) {
  if (++ws->gen == 0) { /* the stamps wrapped: clear them */
    memset(ws->stamp, 0, ((size_t)1 << ws->hbits) * sizeof *ws->stamp);
    ws->gen = 1;
  }
  uint32_t gen = ws->gen;
  size_t mask = ((size_t)1 << ws->hbits) - 1;
  int shift = 64 - ws->hbits;
  uint64_t total = 0, tied = 0;
  for (size_t j = 0; j < n1; j++) {
    uint64_t v = k1[j];
    const uint64_t *b = s0;
    for (size_t len = n0; len > 1;) {
      size_t half = len / 2;
      b = b[half] < v ? b + half : b;
      len -= half;
    }
    b += *b < v; /* the first key >= v (RANK_END past x0's last) */
    total += (uint64_t)(b - s0);
    tied |= *b == v;
    size_t h = (size_t)((v * UINT64_C(0x9e3779b97f4a7c15)) >> shift);
    for (; ws->stamp[h] == gen; h = (h + 1) & mask) tied |= ws->hkey[h] == v;
    ws->stamp[h] = gen;
    ws->hkey[h] = v;
  }
  *sum = total;
  return !tied;
}

/* 1 when sorted s[0..n) holds two equal keys. */
static int has_ties(const uint64_t *s, size_t n) {
  uint64_t tied = 0;
  for (size_t i = 1; i < n; i++) tied |= s[i] == s[i - 1];
  return tied != 0;
}

/* ---- The pairs path ----------------------------------------------------------------------
 * For samples of a few dozen values every pair compared beats any sort: the number of x0's
 * values below each of x1's, summed, is the same integer untied_sum finds, and a pair of equal
 * values anywhere sends the call to the sort and merge, as there. The comparisons are of the
 * doubles themselves (finite, so they order as their keys do; -0 == +0), eight at a time in
 * GCC's generic vector code, compiled for each target (core/isa.h) and picked by the kernel
 * table's target (kernels/kernels.h), branch-free and with nothing sorted. Each sample sits in
 * its buffer followed by 8 infinities, equal to no finite value: x0 by +inf, below none of
 * x1's, and x1 by -inf, above none of x0's. The bodies are macros, as the kernels' are (kernels/block.c says why). */

/* Each target's own vector width (W lanes; GCC splits wider generic vectors into scalar
 * comparisons where the target lacks them). */
typedef double f64x2 __attribute__((vector_size(16)));
typedef int64_t s64x2 __attribute__((vector_size(16)));
typedef double f64x4 __attribute__((vector_size(32)));
typedef int64_t s64x4 __attribute__((vector_size(32)));

/* below = the number of pairs (i, j) with x0[i] < x1[j]; returns 1 when some x0[i] == x1[j].
 * Four of x1's values at a time against each vector of x0's (p1 ends in -inf: no value is
 * below it or equal to it). (VD){0} + v is v in every lane, one broadcast (filling the lanes
 * one by one compiled to eight masked broadcasts per vector with AVX-512); it turns -0 into +0,
 * which compares as -0 does. */
#define PAIRS_COUNT_BODY(VD, VI, W)                                                               \
  VI lt = {0}, eq = {0};                                                                          \
  for (size_t j = 0; j < n1; j += 4) {                                                            \
    const VD b0 = (VD){0} + p1[j], b1 = (VD){0} + p1[j + 1], b2 = (VD){0} + p1[j + 2],           \
             b3 = (VD){0} + p1[j + 3];                                                            \
    for (size_t g = 0; g < n0; g += W) {                                                          \
      VD a;                                                                                       \
      memcpy(&a, p0 + g, sizeof a);                                                               \
      lt -= ((a < b0) + (a < b1)) + ((a < b2) + (a < b3)); /* a comparison is -1 where true */    \
      eq |= ((a == b0) | (a == b1)) | ((a == b2) | (a == b3));                                    \
    }                                                                                             \
  }                                                                                               \
  int64_t sum = 0, any = 0;                                                                       \
  for (int l = 0; l < W; l++) {                                                                   \
    sum += lt[l];                                                                                 \
    any |= eq[l];                                                                                 \
  }                                                                                               \
  *below = (uint64_t)sum;                                                                         \
  return any != 0;

/* 1 when two of p[0..n) are equal: four values at a time against every vector from theirs on,
 * counting the equal pairs; each value meets itself once, so more than n means a tie. Rows
 * past n compare as NaN, equal to nothing (p ends in an infinity, equal to no finite value). */
#define PAIRS_TIED_BODY(VD, VI, W)                                                                \
  VI eq = {0};                                                                                    \
  for (size_t j = 0; j < n; j += 4) {                                                             \
    const double v0 = p[j], v1 = j + 1 < n ? p[j + 1] : NAN, v2 = j + 2 < n ? p[j + 2] : NAN,       \
                 v3 = j + 3 < n ? p[j + 3] : NAN;                                                 \
    const VD b0 = (VD){0} + v0, b1 = (VD){0} + v1, b2 = (VD){0} + v2, b3 = (VD){0} + v3;          \
    for (size_t g = j; g < n; g += W) {                                                           \
      VD a;                                                                                       \
      memcpy(&a, p + g, sizeof a);                                                                \
      eq -= ((a == b0) + (a == b1)) + ((a == b2) + (a == b3));                                    \
    }                                                                                             \
  }                                                                                               \
  int64_t sum = 0;                                                                                \
  for (int l = 0; l < W; l++) sum += eq[l];                                                       \
  return sum != (int64_t)n;

typedef int (*pairs_count_fn)(const double *p0, size_t n0, const double *p1, size_t n1, uint64_t *below);
typedef int (*pairs_tied_fn)(const double *p, size_t n);

static int pairs_count_generic(const double *p0, size_t n0, const double *p1, size_t n1, uint64_t *below) {
  PAIRS_COUNT_BODY(f64x2, s64x2, 2)
}
static int pairs_tied_generic(const double *p, size_t n) { PAIRS_TIED_BODY(f64x2, s64x2, 2) }
#if TSIM_ISA_TARGETS
TSIM_TARGET_AVX2 static int pairs_count_avx2(const double *p0, size_t n0, const double *p1, size_t n1,
                                             uint64_t *below) {
  PAIRS_COUNT_BODY(f64x4, s64x4, 4)
}
TSIM_TARGET_AVX2 static int pairs_tied_avx2(const double *p, size_t n) { PAIRS_TIED_BODY(f64x4, s64x4, 4) }
TSIM_TARGET_AVX512 static int pairs_count_avx512(const double *p0, size_t n0, const double *p1, size_t n1,
                                                 uint64_t *below) {
  PAIRS_COUNT_BODY(tsim_f64x8, tsim_s64x8, 8)
}
TSIM_TARGET_AVX512 static int pairs_tied_avx512(const double *p, size_t n) {
  PAIRS_TIED_BODY(tsim_f64x8, tsim_s64x8, 8)
}
#endif

/* x[0..n) into p, then 8 times pad; 0 if a value is NaN or infinite (an exponent of all ones,
 * which carries into the sign bit when 1 is added to it). */
static int pad_copy(const double *x, size_t n, double *p, double pad) {
  const uint64_t expo = UINT64_C(0x7ff0000000000000), one = UINT64_C(1) << 52;
  uint64_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    uint64_t u;
    memcpy(&u, x + i, sizeof u);
    bad |= (u & expo) + one;
    p[i] = x[i];
  }
  for (size_t i = n; i < n + 8; i++) p[i] = pad;
  return bad >> 63 == 0;
}

/* Whether counting pairs pays for these sizes with lanes values per vector of the target. */
static int pairs_pay(const tsim_rank_ws *ws, size_t n0, size_t n1, size_t lanes) {
  if (ws->pairs_mode) return ws->pairs_mode > 0;
  return n0 + n1 <= (lanes > 2 ? RANK_PAIRS_MAX : RANK_PAIRS_MAX_SSE2);
}

/* The pairs path: 1 with *below when no two values are equal; 0 when two are (the caller
 * sorts and merges); -1 when a value is NaN or infinite. */
static int pairs(tsim_rank_ws *ws, const double *x0, size_t n0, const double *x1, size_t n1, pairs_count_fn count,
                 pairs_tied_fn tied, uint64_t *below) {
  /* x0 as the last call's (the control arm under both hypotheses): its copy and flags kept. */
  if (!(n0 == ws->p0_n && memcmp(ws->p0, x0, n0 * sizeof *x0) == 0)) {
    ws->p0_bad = !pad_copy(x0, n0, ws->p0, INFINITY);
    ws->p0_tied = !ws->p0_bad && tied(ws->p0, n0);
    ws->p0_n = n0;
  }
  int ok1 = pad_copy(x1, n1, ws->p1, -INFINITY);
  if (ws->p0_bad || !ok1) return -1;
  if (ws->p0_tied || tied(ws->p1, n1)) return 0;
  return !count(ws->p0, n0, ws->p1, n1, below);
}

/* The sort and merge (and untied_sum): twice the rank sum of x1, the ties term and the number
 * of distinct values; 0 if a value is NaN or infinite. */
static int sort_merge(tsim_rank_ws *ws, const double *x0, size_t n0, const double *x1, size_t n1,
                      uint64_t *twice_r1, double *ties, size_t *distinct) {
  if (!to_keys(x0, n0, ws->key) || !to_keys(x1, n1, ws->key + n0 + 1)) return 0;
  /* x0 sorted: the last call's when x0 is the same (the same keys in the same order). */
  if (!(n0 == ws->n0_kept && memcmp(ws->key, ws->raw0, n0 * sizeof *ws->key) == 0)) {
    memcpy(ws->raw0, ws->key, n0 * sizeof *ws->key);
    memcpy(ws->sorted0, sort_keys(ws->key, ws->tmp, n0), n0 * sizeof *ws->key);
    ws->sorted0[n0] = RANK_END;
    ws->n0_kept = n0;
    ws->tied0 = has_ties(ws->sorted0, n0);
  }
  const uint64_t *s0 = ws->sorted0;
  uint64_t below = 0;
  if (!ws->tied0 && n1 <= RANK_UNSORTED_MAX && untied_sum(ws, s0, n0, ws->key + n0 + 1, n1, &below)) {
    *twice_r1 = 2 * below + (uint64_t)n1 * ((uint64_t)n1 + 1);
    return 1;
  }
  const uint64_t *s1 = sort_keys(ws->key + n0 + 1, ws->tmp + n0 + 1, n1);
  uint64_t r = 0;
  double t3 = 0.0;
  size_t i = 0, j = 0, pos = 0, d = 0;
  while (i < n0 || j < n1) {
    uint64_t v = j == n1 || (i < n0 && s0[i] < s1[j]) ? s0[i] : s1[j];
    size_t t1 = run_of(s1, n1, &j, v), t = run_of(s0, n0, &i, v) + t1;
    r += (uint64_t)t1 * (2 * (uint64_t)pos + t + 1);
    double td = (double)t;
    t3 += td * td * td - td;
    pos += t;
    d++;
  }
  *twice_r1 = r;
  *ties = t3;
  *distinct = d;
  return 1;
}

double tsim_wilcoxon(tsim_rank_ws *ws, const double *x0, size_t n0, const double *x1, size_t n1,
                     int correct, double *w, double *z) {
  double zv;
  if (!tsim_wilcoxon_z(ws, x0, n0, x1, n1, correct, w, &zv)) return rank_fail(NULL, z, NAN);
  if (z) *z = zv;
  return 2.0 * gsl_cdf_ugaussian_Q(fabs(zv));
}

int tsim_wilcoxon_z(tsim_rank_ws *ws, const double *x0, size_t n0, const double *x1, size_t n1, int correct,
                    double *w, double *z) {
  size_t n = n0 + n1;
  if (!ws || n0 == 0 || n1 == 0 || n > ws->nmax) return rank_fail(w, z, NAN), 0;
  uint64_t twice_r1 = 0; /* twice the rank sum of x1: sum of t1 (2 pos + t + 1) */
  double ties = 0.0;     /* sum of t^3 - t over runs of ties */
  size_t distinct = n;
  /* Small samples: every pair compared, unless two values are equal. */
  pairs_count_fn count = pairs_count_generic;
  pairs_tied_fn tied = pairs_tied_generic;
  size_t lanes = 2; /* the baseline's SSE2 */
#if TSIM_ISA_TARGETS
  tsim_isa isa = tsim_kernels()->isa;
  if (isa >= TSIM_ISA_AVX512) count = pairs_count_avx512, tied = pairs_tied_avx512, lanes = 8;
  else if (isa >= TSIM_ISA_AVX2) count = pairs_count_avx2, tied = pairs_tied_avx2, lanes = 4;
#endif
  uint64_t below = 0;
  int r = pairs_pay(ws, n0, n1, lanes) ? pairs(ws, x0, n0, x1, n1, count, tied, &below) : 0;
  if (r > 0) twice_r1 = 2 * below + (uint64_t)n1 * ((uint64_t)n1 + 1);
  if (r < 0 || (r == 0 && !sort_merge(ws, x0, n0, x1, n1, &twice_r1, &ties, &distinct)))
    return rank_fail(w, z, NAN), 0;
  double d0 = (double)n0, d1 = (double)n1, dn = (double)n;
  double wv = ((double)twice_r1 - d1 * (d1 + 1.0)) / 2.0;
  if (distinct < 2) return rank_fail(w, z, wv), 0; /* every value tied: sigma = 0 */
  double sigma = sqrt((d1 * d0 / 12.0) * ((dn + 1.0) - ties / (dn * (dn - 1.0))));
  double dev = wv - d1 * d0 / 2.0;
  double c = correct ? (dev > 0 ? 0.5 : dev < 0 ? -0.5 : 0.0) : 0.0;
  double zv = (dev - c) / sigma;
  if (w) *w = wv;
  *z = zv;
  return 1;
}
