/* test_latent_ref.c - the latent model's sampler (model/latent.c, with the enrollment of
 * model/stages.c) gives, bit for bit, the patients of the plain reference below: the sampler as
 * it was before it drew its numbers in passes, patient by patient - enrollment (Walker's alias
 * or a balanced shuffle; fixed, simple or permuted-block randomisation with a Fisher-Yates
 * shuffle per block), every cell's threshold or mean from its site effect with anomalies
 * overwriting in rule order and Phi^-1 from GSL, then per patient the MISSING draws (dropout
 * uniform, deviation, subgroups), the OUTCOME normals, the Cholesky row sums, values under
 * both hypotheses, the first missed visit and the baselines.
 *
 * The fast sampler may reorder work only where no number can change (the two streams are
 * independent; exp and Phi^-1 are pure; zero Cholesky terms add nothing; a monotone dropout
 * curve's first crossing is a count), so any difference in any byte of any patient is a
 * failure; so is any difference in a cell's threshold or mean (tsim__latent_param), which a
 * patient's 0 or 1 would almost never show. Scenario files: tests/latent (passes.json and passes_simple.json reach every branch:
 * several passes, random and listed anomalies, MNAR dropout by visit, derived end points,
 * baselines, subgroups, every enrollment and randomisation method) and scenarios/.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/rng.h"
#include "input/grid.h"
#include "model/cohort.h"
#include "model/latent.h"

#ifndef TSIM_SRC_DIR
#define TSIM_SRC_DIR "."
#endif

#define SITE_TO_LATENT 0.5513288954217920 /* latent.c's */

/* The reference's own copy of everything it draws into. */
typedef struct ref {
  uint16_t *site;
  uint8_t *arm, *dev, *sub, *gone[2];
  double *val[2], *base, *lz[2], *u;
  int *scratch;
  long long *start;
  gsl_rng *r, *r2;
} ref;

static void shuffle_ints(gsl_rng *r, int *v, long long n) {
  for (long long i = n - 1; i > 0; i--) {
    long long j = (long long)tsim_rng_below(r, (uint32_t)(i + 1));
    int t = v[i];
    v[i] = v[j];
    v[j] = t;
  }
}

static void ref_assign_blocks(const tsim_cohort_plan *plan, ref *f, const int *idx, long long m) {
  int bs = plan->sc->block_size, *buf = malloc((size_t)bs * sizeof *buf);
  for (long long j = 0; j < m; j++) {
    if (j % bs == 0) {
      memcpy(buf, plan->block, (size_t)bs * sizeof *buf);
      shuffle_ints(f->r, buf, bs);
    }
    f->arm[idx[j]] = (uint8_t)buf[j % bs];
  }
  free(buf);
}

static void ref_enroll(const tsim_cohort_plan *plan, ref *f, long long n) {
  const tsim_scenario *sc = plan->sc;
  gsl_rng *r = f->r;
  if (sc->nsites == 1) {
    memset(f->site, 0, (size_t)n * sizeof *f->site);
  } else if (sc->enrollment == TSIM_ENROLL_RANDOM) {
    for (long long j = 0; j < n; j++) f->site[j] = (uint16_t)gsl_ran_discrete(r, plan->site_table);
  } else {
    for (long long j = 0; j < n; j++) f->scratch[j] = (int)(j % sc->nsites);
    shuffle_ints(r, f->scratch, n);
    for (long long j = 0; j < n; j++) f->site[j] = (uint16_t)f->scratch[j];
  }
  if (sc->rand_method == TSIM_RAND_FIXED) {
    long long j = 0;
    for (int a = 0; a < sc->narms; a++)
      for (long long k = 0; k < plan->arm_count[a]; k++) f->scratch[j++] = a;
    shuffle_ints(r, f->scratch, n);
    for (j = 0; j < n; j++) f->arm[j] = (uint8_t)f->scratch[j];
  } else if (sc->rand_method == TSIM_RAND_SIMPLE) {
    for (long long j = 0; j < n; j++) {
      double u = tsim_rng_uniform(r);
      int a = 0;
      while (u >= plan->arm_cum[a] && a < sc->narms - 1) a++;
      f->arm[j] = (uint8_t)a;
    }
  } else if (!sc->stratify_by_site) {
    for (long long j = 0; j < n; j++) f->scratch[j] = (int)j;
    ref_assign_blocks(plan, f, f->scratch, n);
  } else {
    int ns = sc->nsites;
    long long *st = f->start;
    memset(st, 0, ((size_t)ns + 1) * sizeof *st);
    for (long long j = 0; j < n; j++) st[f->site[j] + 1]++;
    for (int s = 0; s < ns; s++) st[s + 1] += st[s];
    for (long long j = 0; j < n; j++) f->scratch[st[f->site[j]]++] = (int)j;
    for (int s = ns; s > 0; s--) st[s] = st[s - 1];
    st[0] = 0;
    for (int s = 0; s < ns; s++) ref_assign_blocks(plan, f, f->scratch + st[s], st[s + 1] - st[s]);
  }
}

/* Every (measure, site, arm) cell's threshold or mean, m-major as the sampler once kept them. */
static void ref_params(const tsim_cohort *c, ref *f) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_latent_plan *lp = c->plan->lat;
  int ns = sc->nsites, na = sc->narms;
  size_t cell = 0;
  for (int m = 0; m < lp->nmeas; m++) {
    int e = lp->meas_ep[m];
    const tsim_endpoint *ep = &sc->endpoints[e];
    for (int s = 0; s < ns; s++)
      for (int a = 0; a < na; a++, cell++) {
        if (lp->meas_dim[m] < 0) continue;
        double val[2];
        for (int h = 0; h < 2; h++) {
          double p = lp->p[h][m][a];
          double b = ep->higher_is_better ? c->site_effect[s] : -c->site_effect[s];
          if (ep->type == TSIM_EP_CONTINUOUS) p += lp->sd[h][e][a] * b * SITE_TO_LATENT;
          else if (p > 0 && p < 1 && sc->heterogeneity_sd > 0)
            p = 1.0 / (1.0 + exp(-(lp->logit[h][m][a] + b)));
          val[h] = p;
        }
        for (int k = 0; k < sc->nanomalies; k++) {
          const tsim_anomaly *an = &sc->anomalies[k];
          if (an->arm != a || (an->endpoint >= 0 && an->endpoint != e) ||
              !c->anomalous[(size_t)k * (size_t)ns + (size_t)s])
            continue;
          double forced = ep->type == TSIM_EP_CONTINUOUS ? an->mean : an->response;
          if (!isnan(forced)) val[0] = val[1] = forced;
        }
        for (int h = 0; h < 2; h++)
          f->lz[h][cell] = ep->type == TSIM_EP_CONTINUOUS ? val[h]
                           : val[h] <= 0 ? -INFINITY : val[h] >= 1 ? INFINITY
                           : gsl_cdf_ugaussian_Pinv(val[h]);
      }
  }
}

/* Trial `trial`'s patients by the reference, from the site effects and anomalous sites that
 * tsim_cohort_sample left in c (their stage is shared and not under test here). */
/* The cell sampler's rows (tsim__cohort_enroll_cells) from the cohort's cell table: site by
 * site, arm by arm, per-protocol patients, then deviating ones, then dropouts (deviation 0,
 * first missed visit 0; the others nvisits). 0 when the table does not add up to n patients. */
static int ref_cell_rows(const tsim_cohort *c, ref *f) {
  const tsim_scenario *sc = c->plan->sc;
  long long j = 0;
  for (int s = 0; s < sc->nsites; s++)
    for (int a = 0; a < sc->narms; a++) {
      size_t cell = tsim_cohort_cell(sc, s, a);
      long long n = c->cell_n[cell], d = c->cell_drop[cell], v = c->cell_dev[cell];
      if (d + v > n || j + n > c->n) return 0;
      for (long long i = 0; i < n; i++, j++) {
        f->site[j] = (uint16_t)s;
        f->arm[j] = (uint8_t)a;
        f->dev[j] = i >= n - d - v && i < n - d;
        f->sub[j] = 0;
        f->gone[0][j] = f->gone[1][j] = (uint8_t)(i < n - d ? sc->nvisits : 0);
      }
    }
  return j == c->n;
}

/* The reference's patients of trial `trial`; with cells, the rows of the cohort's cell table
 * (ref_cell_rows) in place of enrollment and the MISSING draws, and the same OUTCOME draws per
 * patient in the rows' order. 0 when the cell table is not n patients. */
static int ref_sample(const tsim_cohort *c, ref *f, uint64_t seed, long long trial, int cells) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_latent_plan *lp = c->plan->lat;
  long long n = c->n;
  int nd = lp->ndim, nm = lp->nmeas, na = sc->narms;
  size_t per_m = (size_t)sc->nsites * (size_t)na;
  ref_params(c, f);
  if (cells) {
    if (!ref_cell_rows(c, f)) return 0;
  } else {
    tsim_rng_seed_stream(f->r, seed, (uint64_t)trial, TSIM_STREAM_ENROLL);
    ref_enroll(c->plan, f, n);
    tsim_rng_seed_stream(f->r, seed, (uint64_t)trial, TSIM_STREAM_MISSING);
    /* The MISSING stream patient by patient (independent of the OUTCOME stream below). */
    for (long long j = 0; j < n; j++) {
      f->u[j] = tsim_rng_uniform(f->r);
      f->dev[j] = (uint8_t)((tsim_rng_next(f->r) >> 11) < lp->dev_thr[f->arm[j]]);
      uint8_t sub = 0;
      for (int g = 0; g < sc->nsubgroups; g++)
        sub |= (uint8_t)(((tsim_rng_next(f->r) >> 11) < lp->sub_thr[g]) << g);
      f->sub[j] = sub;
    }
  }
  tsim_rng_seed_stream(f->r2, seed, (uint64_t)trial, TSIM_STREAM_OUTCOME);
  for (long long j = 0; j < n; j++) {
    int a = f->arm[j];
    double u = cells ? 0 : f->u[j];
    double z[TSIM_MAX_LATENT], x[TSIM_MAX_LATENT];
    for (int d = 0; d < nd; d++) z[d] = tsim_rng_normal(f->r2);
    for (int d = 0; d < nd; d++) {
      double s = 0;
      for (int k = 0; k <= d; k++) s += lp->chol[(size_t)d * (size_t)nd + (size_t)k] * z[k];
      x[d] = s;
    }
    for (int h = 0; h < 2; h++) {
      const double *lz = f->lz[h] + (size_t)f->site[j] * (size_t)na + (size_t)a;
      double *val = f->val[h] + (size_t)j * (size_t)nm;
      for (int m = 0; m < nm; m++) {
        int d = lp->meas_dim[m];
        if (d < 0) continue;
        double t = lz[(size_t)m * per_m];
        val[m] = lp->meas_cont[m] ? t + lp->sd[h][lp->meas_ep[m]][a] * x[d] : (double)(-x[d] < t);
      }
      for (int m = 0; m < nm; m++) {
        if (lp->meas_src[m] < 0) continue;
        double y = val[lp->meas_src[m]];
        val[m] = (double)(lp->meas_atleast[m] ? y >= lp->meas_thr[m] : y <= lp->meas_thr[m]);
      }
      if (cells) continue; /* first missed visits from the rows */
      double fct = 1;
      if (lp->mnar_meas >= 0) fct = lp->mnar_factor[h][a][!(val[lp->mnar_meas] != 0)];
      int v = 0;
      while (v < sc->nvisits && !(u < sc->arms[a].dropout_by[v] * fct)) v++;
      f->gone[h][j] = (uint8_t)v;
    }
    for (int e = 0; lp->nbase > 0 && e < sc->nendpoints; e++) {
      int b = lp->base_of[e];
      if (b < 0) continue;
      const tsim_endpoint *ep = &sc->endpoints[e];
      double eps = tsim_rng_normal(f->r2);
      double xl = x[lp->meas_dim[lp->meas_start[e] + ep->nvisits - 1]];
      double zb = ep->base_corr * xl + sqrt(1 - ep->base_corr * ep->base_corr) * eps;
      f->base[(size_t)j * (size_t)lp->nbase + (size_t)b] = ep->base_mean + ep->base_sd * zb;
    }
  }
  return 1;
}

/* Index of the first differing element of two arrays of n elements of `size` bytes, or -1. */
static long long first_diff(const void *a, const void *b, long long n, size_t size) {
  for (long long i = 0; i < n; i++)
    if (memcmp((const char *)a + (size_t)i * size, (const char *)b + (size_t)i * size, size) != 0) return i;
  return -1;
}

/* `trials` trials of `file` (under dir), optionally with sample_size overridden, sampled per
 * patient (cells 0) or per cell (cells 1: the scenario must permit it). */
static void compare_case(const char *dir, const char *file, long long sample_size, long long trials, int cells) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  tsim_override ov;
  memset(&ov, 0, sizeof ov);
  snprintf(ov.path, sizeof ov.path, "sample_size");
  ov.value = (double)sample_size;
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  if (tsim_scenario_load_variant(path, &ov, sample_size > 0, &sc, &d) != TSIM_OK) {
    tsim_diag_print(&d, "scenario: ", stderr);
    tsim_diag_clear(&d);
    CHECK(0, "%s did not load", path);
    return;
  }
  tsim_diag_clear(&d);
  CHECK(sc->latent, "%s: not a latent-model scenario", file);
  CHECK(!cells || !tsim_scenario_cell_blocker(sc), "%s: cannot be sampled per cell", file);
  sc->sampling = cells ? TSIM_SAMPLING_CELL : TSIM_SAMPLING_PATIENT;
  tsim_cohort_plan plan;
  tsim_cohort *c = NULL;
  if (!sc->latent || tsim_cohort_plan_init(&plan, sc) != TSIM_OK) {
    tsim_scenario_free(sc);
    return;
  }
  CHECK(plan.cell_mode == (cells != 0), "%s: sampled per %s", file, plan.cell_mode ? "cell" : "patient");
  c = tsim_cohort_new(&plan);
  const tsim_latent_plan *lp = plan.lat;
  long long n = sc->sample_size;
  size_t nv = (size_t)n * (size_t)lp->nmeas, ncell = (size_t)lp->nmeas * (size_t)sc->nsites * (size_t)sc->narms;
  ref f = {0};
  f.site = malloc((size_t)n * sizeof *f.site);
  f.arm = malloc((size_t)n);
  f.dev = malloc((size_t)n);
  f.sub = malloc((size_t)n);
  f.u = malloc((size_t)n * sizeof *f.u);
  f.base = malloc(((size_t)n * (size_t)lp->nbase + 1) * sizeof *f.base);
  f.scratch = malloc(((size_t)n + (size_t)sc->nsites) * sizeof *f.scratch);
  f.start = malloc(((size_t)sc->nsites + 1) * sizeof *f.start);
  for (int h = 0; h < 2; h++) {
    f.gone[h] = malloc((size_t)n);
    f.val[h] = malloc(nv * sizeof *f.val[h]);
    f.lz[h] = malloc(ncell * sizeof *f.lz[h]);
  }
  f.r = tsim_rng_alloc();
  f.r2 = tsim_rng_alloc();
  int bad = 0;
  for (long long t = 0; t < trials && c && !bad; t++) {
    uint64_t seed = 977 + (uint64_t)t / 7; /* a few seeds, many trials */
    tsim_cohort_sample(c, seed, t);
    if (!ref_sample(c, &f, seed, t, cells)) {
      CHECK(0, "%s trial %lld: the cell table does not hold %lld patients", file, t, n);
      bad = 1;
      break;
    }
    long long k;
#define SAME(what, a, b, cnt, sz)                                                                  \
    if ((k = first_diff(a, b, cnt, sz)) >= 0) {                                                  \
      CHECK(0, "%s trial %lld: %s differs from the reference at element %lld", file, t, what, k); \
      bad = 1;                                                                                   \
    }
    /* The parameters themselves: a binary measure's threshold an ulp off would almost never
     * change a patient's 0 or 1. */
    size_t cell = 0;
    for (int m = 0; m < lp->nmeas && !bad; m++)
      for (int s = 0; s < sc->nsites; s++)
        for (int a = 0; a < sc->narms; a++, cell++)
          for (int h = 0; h < 2 && lp->meas_dim[m] >= 0; h++) {
            double got = tsim__latent_param(c, h, m, s, a);
            if (memcmp(&got, &f.lz[h][cell], sizeof got) != 0 && !bad) {
              CHECK(0, "%s trial %lld: parameter of measure %d, site %d, arm %d, hypothesis %d: %.17g, "
                    "reference %.17g", file, t, m, s, a, h, got, f.lz[h][cell]);
              bad = 1;
            }
          }
    SAME("site", c->site, f.site, n, sizeof *f.site);
    SAME("arm", c->arm, f.arm, n, 1);
    SAME("deviation", c->pat.dev, f.dev, n, 1);
    SAME("subgroups", c->pat.sub, f.sub, n, 1);
    SAME("baseline", c->pat.base, f.base, n * lp->nbase, sizeof *f.base);
    SAME("alternative values", c->pat.val[0], f.val[0], (long long)nv, sizeof *f.val[0]);
    SAME("null values", c->pat.val[1], f.val[1], (long long)nv, sizeof *f.val[1]);
    SAME("alternative first missed visit", c->pat.gone[0], f.gone[0], n, 1);
    SAME("null first missed visit", c->pat.gone[1], f.gone[1], n, 1);
#undef SAME
  }
  CHECK(c && !bad, "%s: %lld trials of %lld patients as the reference (per %s)", file, trials, n, cells ? "cell" : "patient");
  for (int h = 0; h < 2; h++) {
    free(f.gone[h]);
    free(f.val[h]);
    free(f.lz[h]);
  }
  free(f.site);
  free(f.arm);
  free(f.dev);
  free(f.sub);
  free(f.u);
  free(f.base);
  free(f.scratch);
  free(f.start);
  gsl_rng_free(f.r);
  gsl_rng_free(f.r2);
  tsim_cohort_free(c);
  tsim_cohort_plan_free(&plan);
  tsim_scenario_free(sc);
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off();
  const char *src = argc > 1 ? argv[1] : TSIM_SRC_DIR;
  char latent[4096], scen[4096];
  snprintf(latent, sizeof latent, "%s/tests/latent", src);
  snprintf(scen, sizeof scen, "%s/scenarios", src);
  compare_case(latent, "passes.json", 0, 300, 0);
  compare_case(latent, "passes.json", 5, 300, 0); /* fewer patients than sites */
  compare_case(latent, "passes_simple.json", 0, 300, 0);
  compare_case(latent, "passes_simple.json", 4, 100, 0);
  compare_case(latent, "continuous.json", 0, 5, 0);
  compare_case(latent, "binary.json", 0, 5, 0);
  compare_case(latent, "mnar.json", 0, 5, 0);
  compare_case(latent, "dropout_mixed.json", 0, 5, 0);
  compare_case(latent, "hetero.json", 0, 50, 0);
  compare_case(latent, "single_arm.json", 0, 300, 0);
  compare_case(latent, "ttest.json", 0, 300, 0);
  compare_case(scen, "lupil2.json", 0, 2000, 0);
  compare_case(scen, "lupil2.json", 1000, 50, 0);
  compare_case(scen, "pss2022.json", 0, 1000, 0);
  compare_case(scen, "he2019_sle.json", 0, 1000, 0);
  compare_case(scen, "nct02084238_single_arm.json", 0, 1000, 0);
  /* Per cell: the rows of the cell table, then the same values from the OUTCOME stream. */
  compare_case(scen, "lupil2.json", 0, 2000, 1);
  compare_case(scen, "lupil2.json", 1000, 50, 1);
  compare_case(scen, "lupil2.json", 30, 300, 1); /* empty cells */
  compare_case(latent, "ttest.json", 0, 300, 1);
  compare_case(latent, "hetero.json", 0, 50, 1);
  return tsim_check_done();
}
