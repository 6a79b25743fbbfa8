/* test_kernels.c - every stage's variants for one target (argv[1]: avx2, avx512, avx512popcnt)
 * against the reference (the generic table), bit for bit, on the same inputs: random ones and
 * the edge cases the vector scenarios reach (one site, ragged last vectors, a cell beyond the
 * small-cell tables, site effects beyond tsim_exp8's range, probabilities 0 and 1, empty arms,
 * differences clamped). t_lanes' reference is checked against the scalar code it stands for
 * too (stats/contest.h), since every variant shares its body. Exits 77 (ctest: skipped) when this
 * processor or build lacks the target. */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "check.h"
#include "core/isa.h"
#include "core/rng.h"
#include "kernels/kernels.h"
#include "stats/contest.h"

static uint64_t rs = 0x1234567;
static uint64_t rnd(void) { return tsim_rng_mix64(rs += TSIM_GAMMA); }
static double unif(void) { return (double)(rnd() >> 11) * 0x1.0p-53; }
static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

#define SAME(a, b, n, ...) CHECK(memcmp((a), (b), (n)) == 0, __VA_ARGS__)

static void test_draws(const tsim_kernel_table *r, const tsim_kernel_table *v) {
  static uint64_t a[200], b[200];
  size_t ns[] = {0, 1, 7, 8, 9, 63, 64, 65, 191};
  for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
    for (uint64_t first = 0; first < 20; first += 7) {
      uint64_t key = rnd();
      r->draws(key, first, ns[i], a);
      v->draws(key, first, ns[i], b);
      SAME(a, b, ns[i] * sizeof *a, "draws n %zu first %llu", ns[i], (unsigned long long)first);
    }
}

static void test_site_normals(const tsim_kernel_table *r, const tsim_kernel_table *v) {
  enum { MAXS = 48 };
  static uint64_t draws[MAXS];
  double ea[MAXS], eb[MAXS];
  int sa[MAXS], sb[MAXS];
  int nss[] = {1, 2, 7, 8, 9, 16, 17, 40, 48};
  double sds[] = {0, 0.25, 1.5, 900};
  for (int rep = 0; rep < 200; rep++)
    for (size_t i = 0; i < sizeof nss / sizeof *nss; i++) {
      int ns = nss[i], ba = -1, bb = -1;
      double sd = sds[rep % 4];
      tsim_rng_draws(rnd(), 0, (size_t)ns, draws);
      memset(ea, 0, sizeof ea);
      memset(eb, 0, sizeof eb);
      int na = r->site_normals(draws, ns, sd, ea, sa, &ba), nb = v->site_normals(draws, ns, sd, eb, sb, &bb);
      CHECK(na == nb && ba == bb, "site_normals ns %d: %d/%d slow, big %d/%d", ns, na, nb, ba, bb);
      if (na != nb) continue;
      SAME(sa, sb, (size_t)na * sizeof *sa, "site_normals slow list ns %d", ns);
      for (int k = 0; k < na; k++) ea[sa[k]] = eb[sa[k]] = 0; /* the caller's to fill */
      SAME(ea, eb, (size_t)ns * sizeof *ea, "site_normals effects ns %d sd %g", ns, sd);
    }
}

static void test_p_eff(const tsim_kernel_table *r, const tsim_kernel_table *v) {
  enum { MS = 24, MA = 4, ME = 3, STRIDE = 8 };
  size_t cap = ME * MA * MS + 64;
  double *pa[2], *pb[2];
  uint64_t *ta[2], *tb[2];
  for (int h = 0; h < 2; h++) {
    pa[h] = calloc(cap, sizeof(double));
    pb[h] = calloc(cap, sizeof(double));
    ta[h] = calloc(cap, sizeof(uint64_t));
    tb[h] = calloc(cap, sizeof(uint64_t));
  }
  double eff[MS + 8], fa[MS + 8], fb[MS + 8], p[ME * STRIDE], io[ME * STRIDE], sign[ME];
  int nss[] = {1, 3, 8, 9, 17, 24};
  for (int rep = 0; rep < 100; rep++)
    for (size_t i = 0; i < sizeof nss / sizeof *nss; i++) {
      int ns = nss[i], na = 2 + (int)below(MA - 1), ne = 1 + (int)below(ME), big = rep % 10 == 3;
      memset(eff, 0, sizeof eff);
      for (int s = 0; s < ns; s++) eff[s] = (unif() - 0.5) * 4;
      if (big) eff[below((unsigned)ns)] = rep % 2 ? 750.0 : -1e4;
      for (int e = 0; e < ne; e++) {
        sign[e] = below(2) ? -1.0 : 1.0;
        for (int a = 0; a < na; a++) {
          unsigned k = below(8);
          p[e * STRIDE + a] = k == 0 ? 0.0 : k == 1 ? 1.0 : unif();
          io[e * STRIDE + a] = (1 - p[e * STRIDE + a]) / p[e * STRIDE + a];
        }
      }
      tsim_peff_rows A = {ns, na, ne, (int)below((unsigned)na), rep % 7 != 0, big, sign, p, io, STRIDE,
                          eff, fa, {pa[0], pa[1]}, {ta[0], ta[1]}};
      tsim_peff_rows B = A;
      B.site_f = fb;
      B.p_eff[0] = pb[0], B.p_eff[1] = pb[1], B.thr[0] = tb[0], B.thr[1] = tb[1];
      r->p_eff_rows(&A);
      v->p_eff_rows(&B);
      size_t n = (size_t)(ne * na * ns);
      for (int h = 0; h < 2; h++) {
        SAME(pa[h], pb[h], n * sizeof(double), "p_eff_rows p ns %d na %d ne %d big %d", ns, na, ne, big);
        SAME(ta[h], tb[h], n * sizeof(uint64_t), "p_eff_rows thr ns %d na %d ne %d", ns, na, ne);
      }
    }
  /* The flat tables: any cell's entry, any fixed cells. */
  for (int rep = 0; rep < 200; rep++) {
    int ntab = 1 + (int)below(16);
    size_t ngroups = 1 + below(6);
    tsim_peff_flat *pf = calloc(1, sizeof *pf + ngroups * sizeof(tsim_peff_group));
    pf->ngroups = ngroups;
    int ns = 1 + (int)below(16);
    for (int j = 0; j < 16; j++) {
      int in = j < ntab;
      pf->tab_site[j] = in ? (int64_t)below((unsigned)ns) : 0;
      pf->tab_sign[j] = in && below(2) ? -1.0 : 1.0;
      pf->tab_io[j] = in ? 0.1 + 5 * unif() : 1.0;
    }
    for (size_t g = 0; g < ngroups; g++)
      for (int l = 0; l < 8; l++) {
        tsim_peff_group *gr = &pf->g[g];
        gr->fidx[l] = (int64_t)below((unsigned)ntab);
        gr->io[l] = rep % 5 == 0 ? 1.0 : 0.05 + 10 * unif();
        for (int h = 0; h < 2; h++)
          if (below(4) == 0) {
            gr->fix[h] |= (uint8_t)(1u << l);
            gr->fix_p[h][l] = below(2) ? unif() : (double)below(2);
            gr->fix_t[h][l] = (int64_t)tsim__threshold(gr->fix_p[h][l]);
          }
      }
    memset(eff, 0, sizeof eff);
    for (int s = 0; s < ns; s++) eff[s] = (unif() - 0.5) * 6;
    r->p_eff_flat(pf, eff, pa, ta);
    v->p_eff_flat(pf, eff, pb, tb);
    for (int h = 0; h < 2; h++) {
      SAME(pa[h], pb[h], 8 * ngroups * sizeof(double), "p_eff_flat p groups %zu", ngroups);
      SAME(ta[h], tb[h], 8 * ngroups * sizeof(uint64_t), "p_eff_flat thr groups %zu", ngroups);
    }
    free(pf);
  }
  for (int h = 0; h < 2; h++) free(pa[h]), free(pb[h]), free(ta[h]), free(tb[h]);
}

static void test_lanes(const tsim_kernel_table *r, const tsim_kernel_table *v) {
  enum { MG = 12 };
  static uint64_t t0[8 * MG], t1[8 * MG], m1[8 * MG], m[8 * MG];
  static uint32_t it[MG], out[2][4][8 * MG];
  for (int rep = 0; rep < 300; rep++) {
    size_t ng = 1 + below(MG);
    for (size_t g = 0; g < ng; g++) {
      uint32_t most = 0;
      for (int l = 0; l < 8; l++) {
        size_t c = 8 * g + (size_t)l;
        unsigned k = below(6);
        t0[c] = k == 0 ? 0 : k == 1 ? UINT64_C(1) << 53 : tsim__threshold(unif());
        t1[c] = below(3) == 0 ? t0[c] : tsim__threshold(unif());
        m[c] = below(4) == 0 ? 0 : below(17); /* LANE_MAX 16 */
        m1[c] = m[c] ? below((unsigned)m[c] + 1) : 0;
        most = m[c] > most ? (uint32_t)m[c] : most;
      }
      it[g] = most;
    }
    memset(out, 0xa5, sizeof out);
    uint64_t key = rnd();
    for (int x = 0; x < 2; x++) {
      tsim_lane_job j = {t0, t1, m1, m, it, ng, {out[x][0], out[x][1]}, {out[x][2], out[x][3]}, key};
      (x ? v : r)->lanes(&j);
    }
    SAME(out[0], out[1], sizeof out[0], "lanes groups %zu", ng);
  }
}

static void test_split(const tsim_kernel_table *r, const tsim_kernel_table *v) {
  enum { MS = 40, MAXN = 300 };
  static uint32_t divmod[MAXN + 1], cn[2][2 * MS + 8];
  static unsigned site_n[MS + 8];
  static uint64_t u[MS + 8], col[7][8];
  for (int rep = 0; rep < 300; rep++) {
    unsigned bs = 2 + below(7), b0 = 1 + below(bs - 1), b1 = bs - b0;
    for (unsigned n = 0; n <= MAXN; n++) divmod[n] = (n / bs) << 8 | n % bs;
    for (int i = 0; i < 7; i++)
      for (int rr = 0; rr < 8; rr++) col[i][rr] = UINT64_C(1) << 53;
    for (unsigned rr = 1; rr < bs; rr++) { /* r patients: thresholds of their first arm's count */
      uint64_t t = 0;
      for (unsigned i = 0; i < rr; i++) col[i][rr] = t += (UINT64_C(1) << 53) / (rr + 1) - below(1000);
    }
    size_t ns = 1 + below(MS);
    for (size_t s = 0; s < ns; s++) site_n[s] = below(4) == 0 ? 0 : below(MAXN + 1);
    tsim_rng_draws(rnd(), 0, ns, u);
    memset(cn, 0, sizeof cn);
    for (int x = 0; x < 2; x++) {
      tsim_split_job j = {ns, site_n, u, divmod, (const uint64_t(*)[8])col, (int)bs - 1, b0, b1, cn[x]};
      (x ? v : r)->split_blocks(&j);
    }
    SAME(cn[0], cn[1], sizeof cn[0], "split_blocks sites %zu block %u", ns, bs);
  }
}

static void test_missing(const tsim_kernel_table *r, const tsim_kernel_table *v) {
  enum { NA = 3, MS = 30, NF = 1u << TSIM_DV_FAST_BITS };
  static uint8_t fast[NA * (TSIM_DV_MAX_N + 1) * NF + 4];
  static uint8_t dec[1000][2];
  static uint32_t dec_at[TSIM_DV_MAX_N + 1], dv[NA * (TSIM_DV_MAX_N + 1)], dv_base[NA * MS + 16];
  static uint64_t t[NA * (TSIM_DV_MAX_N + 1) * 2 * 140];
  /* Tables of some distribution of (d, v) per arm and n: search tables with a guide of 0s
   * (a valid start), and fast bytes from them where a bucket does not straddle two pairs. */
  uint32_t x = 0, at = 0;
  for (unsigned n = 0; n <= TSIM_DV_MAX_N; n++) {
    dec_at[n] = x;
    for (unsigned d = 0; d <= n; d++)
      for (unsigned w = 0; w + d <= n; w++, x++) dec[x][0] = (uint8_t)d, dec[x][1] = (uint8_t)w;
  }
  for (unsigned a = 0; a < NA; a++)
    for (unsigned n = 0; n <= TSIM_DV_MAX_N; n++) {
      unsigned K = (n + 1) * (n + 2) / 2;
      uint64_t *tt = t + at;
      dv[a * (TSIM_DV_MAX_N + 1) + n] = at;
      uint64_t c = 0;
      for (unsigned k = 0; k + 1 < K; k++) tt[k] = c += below(2) ? 0 : ((UINT64_C(1) << 53) / K) * (1 + below(2)) / 2 + below(1u << 20);
      tt[K - 1] = UINT64_C(1) << 53;
      for (unsigned k = 0; k < K; k++) tt[K + k] = 0;
      for (unsigned b = 0; b < NF; b++) {
        uint64_t lo = (uint64_t)b << (53 - TSIM_DV_FAST_BITS), hi = lo + (UINT64_C(1) << (53 - TSIM_DV_FAST_BITS)) - 1;
        unsigned ol = tsim__invert(tt, K, lo), oh = tsim__invert(tt, K, hi);
        const uint8_t *p = dec[dec_at[n] + ol];
        fast[((a * (TSIM_DV_MAX_N + 1) + n) << TSIM_DV_FAST_BITS) + b] = (uint8_t)(ol == oh ? (unsigned)(p[0] | p[1] << 4) : (unsigned)TSIM_DV_SLOW);
      }
      at += 2 * K;
    }
  static uint32_t cell_n[NA * MS + 16], o32[2][2][NA * MS + 16], it[2][NA * MS / 8 + 2];
  static uint64_t u[NA * MS + 16], o64[2][2][NA * MS + 16];
  int gave_up = 0, done = 0;
  for (int rep = 0; rep < 600; rep++) {
    size_t ns = 1 + below(MS), na = 2 + below(NA - 1), ncell = ns * na, ngroups = (ncell + 7) / 8;
    for (size_t c = 0; c < ncell; c++) {
      cell_n[c] = below(TSIM_DV_MAX_N + 1);
      dv_base[c] = (uint32_t)(c / ns) << 14;
    }
    if (rep % 4 == 0) cell_n[below((unsigned)ncell)] = TSIM_DV_MAX_N + 1 + below(30); /* give up */
    tsim_rng_draws(rnd(), 0, ncell, u);
    memset(o32, 0, sizeof o32);
    memset(o64, 0, sizeof o64);
    memset(it, 0, sizeof it);
    int ret[2];
    for (int y = 0; y < 2; y++) {
      tsim_missing_job j = {ns, ncell, ngroups, rep % 3 != 0, cell_n, u, fast, dv_base, dv,
                            (const uint8_t(*)[2])dec, dec_at, t, o32[y][0], o32[y][1], o64[y][0], o64[y][1], it[y]};
      ret[y] = (y ? v : r)->missing_small(&j);
    }
    CHECK(ret[0] == ret[1], "missing_small cells %zu: returned %d and %d", ncell, ret[0], ret[1]);
    if (ret[0] != 0 || ret[1] != 0) {
      gave_up++;
      continue;
    }
    done++;
    SAME(o32[0], o32[1], sizeof o32[0], "missing_small d, v cells %zu", ncell);
    SAME(o64[0], o64[1], sizeof o64[0], "missing_small m, m1 cells %zu", ncell);
    SAME(it[0], it[1], sizeof it[0], "missing_small iters cells %zu", ncell);
  }
  CHECK(gave_up > 50 && done > 50, "missing_small: %d gave up, %d done", gave_up, done);
}

static void fill_block(tsim_outcome_block *b, int nk) {
  memset(b, 0, sizeof *b);
  b->nslots = (2 * nk + 7) / 8 * 8;
  for (int i = 0; i < 2 * nk; i++) {
    unsigned k = below(8);
    b->n0[i] = k == 0 ? 0 : 1 + below(k == 1 ? 3 : 4000);
    b->n1[i] = k == 2 ? 0 : 1 + below(4000);
    b->x0[i] = k == 3 ? 0 : k == 4 ? b->n0[i] : below((unsigned)b->n0[i] + 1);
    b->x1[i] = k == 3 ? 0 : k == 4 ? b->n1[i] : below((unsigned)b->n1[i] + 1);
    b->sites_dropped[i] = below(5);
  }
}

static void test_block(const tsim_kernel_table *r, const tsim_kernel_table *v) {
  static tsim_block_consts k;
  static tsim_outcome_block a, b;
  static tsim_block_sums sa, sb;
  for (int rep = 0; rep < 300; rep++) {
    int nk = 1 + (int)below(64);
    for (int i = 0; i < TSIM_BLOCK_SLOTS; i++) {
      k.crit[i] = rep % 2 ? 3.841458820694124 : 6.634896601021214;
      k.tol[i] = 1e-9;
      k.nm1[i] = below(2);
      k.higher[i] = below(2) ? -1 : 0;
    }
    fill_block(&a, nk);
    b = a;
    r->block_eval(&k, &a);
    v->block_eval(&k, &b);
    CHECK(memcmp(&a, &b, sizeof a) == 0, "block_eval analyses %d", nk);
    memset(&sa, 0, sizeof sa);
    for (int i = 0; i < TSIM_BLOCK_SLOTS; i++) sa.scale[i] = TSIM_FIXED_SCALE / (rep % 3 ? 1.0 : 1e-6); /* clamps */
    sb = sa;
    for (int trial = 0; trial < 5; trial++) {
      fill_block(&a, nk);
      for (int i = 0; i < 2 * nk; i++) a.diff[i] = (unif() - 0.5) * 2.2, a.reject[i] = below(2), a.favouring[i] = below(2), a.defined[i] = below(2);
      r->block_add(&sa, &a);
      v->block_add(&sb, &a);
    }
    CHECK(memcmp(&sa, &sb, sizeof sa) == 0, "block_add analyses %d", nk);
  }
}

/* Eight lanes of t_lanes input as eval_t_lanes packs them: counts 0 to 80 (a few lanes of 0 to
 * 3), sums about a centre near the values or far from them, scales from 2^-120 to 2^120 (beyond
 * tsim_t_stat_inline's inline range both ways), Welch and Student lanes mixed, arms of one
 * repeated value, and values near 1e12 that differ in their last bits (a sum of squares below
 * s m, and tests refused as "essentially constant"). */
static void fill_t_lanes(tsim_t_lanes *J) {
  memset(J, 0, sizeof *J);
  for (int i = 0; i < 8; i++) {
    int kind = (int)below(6);
    double scale = kind == 0 ? pow(2, (double)below(240) - 120) : pow(10, (double)below(9) - 4);
    double centre = (unif() - 0.5) * scale * (below(3) == 0 ? 1e8 : 4);
    if (kind == 2) centre = 1e12, scale = 1e-3 * pow(10, (double)below(3) - 1);
    for (int a = 0; a < 2; a++) {
      int n = (int)below(kind == 1 ? 4 : 81), flat = below(8) == 0;
      double mu = kind == 2 ? 1e12 : (unif() - 0.5) * scale * (below(4) ? 3 : 200), x0 = mu + (unif() - 0.5) * scale;
      double s = 0, q = 0;
      for (int p = 0; p < n; p++) {
        double y = (flat ? x0 : x0 + (unif() - 0.5) * scale * 3.4) - centre;
        s += y, q += y * y;
      }
      J->n[a][i] = n, J->s[a][i] = s, J->q[a][i] = q, J->c[a][i] = centre;
    }
    J->pooled[i] = below(2);
  }
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* t_lanes: the reference against the scalar code it stands for, lane by lane - stats/contest.h's
 * tsim_arm_from_sums (each arm's mean and SD, as analysis/ptanalysis.c's compare_sums takes
 * them), the difference of the means, and where tsim_t_stat_inline computes without scaling,
 * whether the test is defined, its t and df - bit for bit; then every variant against the
 * reference, every output bit for bit. */
static void test_t_lanes(const tsim_kernel_table *r, const tsim_kernel_table *v) {
  long long inrange = 0, defined = 0, refused = 0, outside = 0, wrong = 0;
  for (int rep = 0; rep < 20000; rep++) {
    tsim_t_lanes a, b;
    fill_t_lanes(&a);
    b = a;
    const tsim_t_lanes in = a;
    r->t_lanes(&a);
    v->t_lanes(&b);
    CHECK(memcmp(&a, &b, sizeof a) == 0, "t_lanes rep %d: the variant differs from the reference", rep);
    for (int i = 0; i < 8; i++) {
      tsim_arm_summary s0 = tsim_arm_from_sums(in.n[0][i], in.s[0][i], in.q[0][i], in.c[0][i]);
      tsim_arm_summary s1 = tsim_arm_from_sums(in.n[1][i], in.s[1][i], in.q[1][i], in.c[1][i]);
      int ok = 1;
      if (s0.n > 0) ok &= same_bits(a.mean[0][i], s0.mean);
      if (s1.n > 0) ok &= same_bits(a.mean[1][i], s1.mean);
      if (s0.n > 1) ok &= same_bits(a.sd[0][i], s0.sd);
      if (s1.n > 1) ok &= same_bits(a.sd[1][i], s1.sd);
      if (s0.n > 0 && s1.n > 0)
        ok &= same_bits(a.diff[i], (in.c[1][i] - in.c[0][i]) + (in.s[1][i] / in.n[1][i] - in.s[0][i] / in.n[0][i]));
      if (!tsim__t_inline_range(s0.mean, s0.sd, s0.n, s1.mean, s1.sd, s1.n)) {
        outside++;
      } else {
        double t, nu;
        int got = tsim__t_defined(a.se[i], a.df[i], a.mean[0][i], a.mean[1][i]);
        int want = tsim_t_stat_inline(in.pooled[i] != 0, s0.mean, s0.sd, s0.n, s1.mean, s1.sd, s1.n, &t, &nu);
        ok &= got == want && (!want || (same_bits(a.t[i], t) && same_bits(a.df[i], nu)));
        inrange++;
        defined += want, refused += !want;
      }
      if (!ok && wrong++ < 5)
        CHECK(0, "t_lanes rep %d lane %d (pooled %g, n %g + %g): the reference differs from the scalar code", rep,
              i, in.pooled[i], in.n[0][i], in.n[1][i]);
    }
  }
  CHECK(wrong == 0, "t_lanes: %lld lanes differ from the scalar code", wrong);
  CHECK(defined > 10000 && refused > 1000 && outside > 10000,
        "t_lanes: vacuous: %lld lanes in the inline range (%lld defined, %lld refused), %lld outside", inrange,
        defined, refused, outside);
  printf("t_lanes: %lld lanes in the inline range (%lld defined, %lld refused), %lld outside\n", inrange, defined,
         refused, outside);
}

/* exp1: Exp(1) deviates, bit for bit, on random words and on the edges of the log's argument
 * reduction: u = 2^-53 (the smallest), u = 1 (the largest), u on either side of sqrt(2) times a
 * power of two, and every power of two. Counts that are and are not multiples of the width. */
static void test_exp1(const tsim_kernel_table *r, const tsim_kernel_table *v) {
  enum { N = 4096 };
  static uint64_t w[N];
  static double a[N], b[N];
  for (int i = 0; i < N; i++) w[i] = rnd() >> 11;
  w[0] = 0, w[1] = (1ULL << 53) - 1;
  for (int e = 0; e < 53; e++) {
    uint64_t p = 1ULL << e; /* u = p 2^-53 and u = round(sqrt 2 p) 2^-53 + a few */
    w[2 + 4 * e] = p - 1;
    uint64_t q = (uint64_t)(1.4142135623730951 * (double)p);
    w[3 + 4 * e] = q > 0 ? q - 1 : 0, w[4 + 4 * e] = q, w[5 + 4 * e] = q + 1;
  }
  size_t ns[] = {0, 1, 3, 4, 7, 8, 9, 255, 256, N};
  for (size_t i = 0; i < sizeof ns / sizeof *ns; i++) {
    memset(a, 0, sizeof a), memset(b, 0, sizeof b);
    r->exp1(w, ns[i], a);
    v->exp1(w, ns[i], b);
    SAME(a, b, sizeof a, "exp1 n %zu", ns[i]);
  }
}

int main(int argc, char **argv) {
  static const char *const names[] = {"generic", "avx2", "avx512", "avx512popcnt"};
  int isa_i = -1;
  for (int i = 0; i < 4; i++)
    if (argc > 1 && strcmp(argv[1], names[i]) == 0) isa_i = i;
  if (isa_i < 1) { /* a mistyped target must not compare the reference with itself */
    fprintf(stderr, "usage: test_kernels avx2|avx512|avx512popcnt\n");
    return 2;
  }
  tsim_isa isa = (tsim_isa)isa_i;
  tsim_kernel_table ref, var;
  CHECK(tsim_kernels_for(TSIM_ISA_GENERIC, &ref) == 0, "the generic table is always there");
  if (tsim_kernels_for(isa, &var) != 0) {
    printf("SKIPPED: this processor or build has no %s\n", tsim_isa_name(isa));
    return 77;
  }
  if (isa != TSIM_ISA_GENERIC && memcmp(&ref.draws, &var.draws, sizeof ref - offsetof(tsim_kernel_table, draws)) == 0) {
    printf("SKIPPED: the %s table is the generic one in this build\n", tsim_isa_name(isa));
    return 77;
  }
  printf("%s against generic\n", tsim_isa_name(isa));
  test_draws(&ref, &var);
  test_site_normals(&ref, &var);
  test_p_eff(&ref, &var);
  test_lanes(&ref, &var);
  test_split(&ref, &var);
  test_missing(&ref, &var);
  test_block(&ref, &var);
  test_t_lanes(&ref, &var);
  test_exp1(&ref, &var);
  return tsim_check_done();
}
