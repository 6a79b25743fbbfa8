/* test_gsbound.c - sim/stats/gsbound.c (group-sequential boundaries) against rpact, against
 * published constants, against itself on a finer grid, and against the identities the
 * recursion must satisfy.
 *
 * Usage: test_gsbound REFERENCE.csv
 *   REFERENCE.csv is tests/r/gsbound_reference.csv (the output of tests/r/gsbound_reference.R,
 *   rpact 3.3.4: 464 designs at 2 drifts each), or a fresh one from tests/r/check_gsbound.sh,
 *   which regenerates it with R. The other checks (published constants, identities, observed
 *   information, conditional power, bad input, extremes) need no file.
 *
 * Tolerances (see scenarios/STATISTICS.md, "Group-sequential boundaries"), from the errors of
 * both methods, measured here against this code at r = 128 (itself within ~5e-10 of the limit)
 * and printed in the summary table:
 * - z against rpact: TOL_Z_RPACT = 3e-7. Ours at the default r = 32 is off by up to 1.3e-7
 *   (O'Brien-Fleming-type designs; 3e-8 for the others), rpact's by up to 6e-8: the sum of the
 *   two, 1.9e-7, with a margin of 1.5.
 * - Exit probabilities against rpact: TOL_P_RPACT = 1e-7 (ours up to 3.6e-8, rpact's 1.6e-8);
 *   the expected information fraction: TOL_ASN_RPACT = 1e-7 (ours 3e-8, rpact's 5e-9).
 * - The default grid against r = 128: TOL_Z_GRID = 2e-7 on z, TOL_P_GRID = 5e-8 on
 *   probabilities (measured 1.3e-7 and 3.6e-8).
 * - Identities (alpha kept to the root tolerance, exits adding up to 1 at r = 128, conditional
 *   power's closed form and its average over a look): 1e-9 to 1e-14, as stated at each check.
 * Output: one line per failed check, summary lines with the largest differences measured,
 * then "N passed, N failed"; exit status 1 if any check failed.
 */
#include "check.h"
#include "stats/gsbound.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL_Z_RPACT 3e-7
#define TOL_P_RPACT 1e-7
#define TOL_ASN_RPACT 1e-7
#define TOL_Z_GRID 2e-7
#define TOL_P_GRID 5e-8
#define R_FINE 128

/* ---------------------------------------------------------------- the reference file */

typedef struct ref_row {
  int id, sided, binding, looks, nfut;
  char type[16];
  double alpha, gamma, theta, asn;
  double t[TSIM_GS_MAX_LOOKS], spend[TSIM_GS_MAX_LOOKS], fut[TSIM_GS_MAX_LOOKS];
  double crit[TSIM_GS_MAX_LOOKS], reject[TSIM_GS_MAX_LOOKS], futstop[TSIM_GS_MAX_LOOKS];
} ref_row;

/* Reads up to `max` space-separated numbers from s into v; returns how many. */
static int read_vec(const char *s, double *v, int max) {
  int n = 0;
  char *end;
  while (n < max) {
    double x = strtod(s, &end);
    if (end == s) break;
    v[n++] = x;
    s = end;
  }
  return n;
}

/* Splits one CSV line (no quoted fields) into its 14 fields; 1 on success. */
static int parse_row(char *line, ref_row *r) {
  char *f[14];
  int n = 0;
  for (char *p = line; n < 14; n++) {
    f[n] = p;
    char *c = strchr(p, ',');
    if (!c) {
      n++;
      break;
    }
    *c = '\0';
    p = c + 1;
  }
  if (n != 14) return 0;
  memset(r, 0, sizeof *r);
  r->id = atoi(f[0]);
  snprintf(r->type, sizeof r->type, "%s", f[1]);
  r->alpha = atof(f[2]);
  r->sided = atoi(f[3]);
  r->gamma = atof(f[4]);
  r->binding = atoi(f[5]);
  r->looks = read_vec(f[6], r->t, TSIM_GS_MAX_LOOKS);
  read_vec(f[7], r->spend, TSIM_GS_MAX_LOOKS);
  r->nfut = read_vec(f[8], r->fut, TSIM_GS_MAX_LOOKS);
  int nc = read_vec(f[9], r->crit, TSIM_GS_MAX_LOOKS);
  r->theta = atof(f[10]);
  int nr = read_vec(f[11], r->reject, TSIM_GS_MAX_LOOKS);
  read_vec(f[12], r->futstop, TSIM_GS_MAX_LOOKS);
  r->asn = atof(f[13]);
  return r->looks >= 1 && nc == r->looks && nr == r->looks;
}

/* The design of a reference row, computed at grid r: 1 on success. */
static int row_bounds(const ref_row *r, int grid_r, tsim_gs_bounds *b) {
  tsim_gs_design d = {TSIM_GS_OF, r->alpha, r->sided, 0.0, TSIM_GS_HP_Z, r->binding, grid_r,
                      0.0};
  if (!strcmp(r->type, "asP")) d.family = TSIM_GS_POCOCK;
  if (!strcmp(r->type, "asHSD")) d.family = TSIM_GS_HSD, d.gamma = r->gamma;
  if (!strcmp(r->type, "HP")) d.family = TSIM_GS_HP;
  /* rpact's classic designs are Wang-Tsiatis's: Pocock's delta 0.5, O'Brien-Fleming's 0, and
   * "WT" with its deltaWT in the gamma column. */
  if (!strcmp(r->type, "P")) d.family = TSIM_GS_WT, d.delta = 0.5;
  if (!strcmp(r->type, "OF")) d.family = TSIM_GS_WT, d.delta = 0.0;
  if (!strcmp(r->type, "WT")) d.family = TSIM_GS_WT, d.delta = r->gamma;
  double fut[TSIM_GS_MAX_LOOKS];
  for (int k = 0; k < r->looks; k++) fut[k] = k < r->nfut ? r->fut[k] : -INFINITY;
  tsim_diag diag;
  tsim_diag_init(&diag);
  tsim_status st = tsim_gs_bounds_compute(&d, r->looks, r->t, r->nfut ? fut : NULL, 1, b, &diag);
  if (st != TSIM_OK) tsim_diag_print(&diag, "  ", stderr);
  tsim_diag_clear(&diag);
  return st == TSIM_OK;
}

/* The largest differences measured, per family. */
enum { F_OF, F_P, F_HSD, F_HP, F_USER, F_WP, F_WOF, F_WT, F_N };
static const char *FAMILY_NAMES[F_N] = {"asOF", "asP", "asHSD", "HP", "asUser", "P", "OF", "WT"};
typedef struct maxdiff {
  double z_rpact, p_rpact, asn_rpact, z_fine_rpact, p_fine_rpact, asn_fine_rpact, z_grid, p_grid;
  int rows, fine_rows;
} maxdiff;

static int family_of(const char *type) {
  for (int f = 0; f < F_N; f++)
    if (!strcmp(type, FAMILY_NAMES[f])) return f;
  return -1;
}

/* The finer grid costs 16 times the default's: every FINE_EVERY-th design (both drifts) is
 * compared with it, which spans every family, look count and spacing of the reference. */
#define FINE_EVERY 3
#define FINE_EVERY_WT 7

static void compare_row(const ref_row *r, maxdiff *m) {
  tsim_gs_bounds b, fine;
  /* A classic design solves its constant by repeating the whole recursion (~20 times): its
   * finer grid is checked on one design in FINE_EVERY_WT. */
  int wt = !strcmp(r->type, "P") || !strcmp(r->type, "OF") || !strcmp(r->type, "WT");
  int with_fine = !strcmp(r->type, "asUser") ||
                  (r->id - 1) / 2 % (wt ? FINE_EVERY_WT : FINE_EVERY) == 0;
  CHECK(row_bounds(r, 0, &b), "row %d: boundaries not computed", r->id);
  if (with_fine) {
    CHECK(row_bounds(r, R_FINE, &fine), "row %d: boundaries at r = %d not computed", r->id,
          R_FINE);
    m->fine_rows++;
  } else {
    fine = b;
  }
  int K = r->looks;
  double tk = r->t[K - 1];
  for (int k = 0; k < K; k++) {
    double dz = fabs(b.efficacy[k] - r->crit[k]), dg = fabs(b.efficacy[k] - fine.efficacy[k]);
    CHECK(dz <= TOL_Z_RPACT, "row %d (%s K=%d) look %d: z %.10f, rpact %.10f", r->id, r->type,
          K, k + 1, b.efficacy[k], r->crit[k]);
    CHECK(dg <= TOL_Z_GRID, "row %d look %d: z %.12f at r = 32, %.12f at r = %d", r->id, k + 1,
          b.efficacy[k], fine.efficacy[k], R_FINE);
    if (r->spend[0] > 0.0)
      CHECK(fabs(b.alpha_spent[k] - r->spend[k]) <= 1e-15,
            "row %d look %d: spent %.15g, rpact's asUser spending %.15g", r->id, k + 1,
            b.alpha_spent[k], r->spend[k]);
    m->z_rpact = fmax(m->z_rpact, dz);
    m->z_grid = fmax(m->z_grid, dg);
    if (with_fine) m->z_fine_rpact = fmax(m->z_fine_rpact, fabs(fine.efficacy[k] - r->crit[k]));
  }
  /* rpact's theta is the drift at its last fraction, which is 1 after its rescaling. */
  double theta = r->theta / sqrt(tk);
  tsim_gs_exits e, ef;
  CHECK(tsim_gs_exit_probs(&b, theta, 1, &e, NULL) == TSIM_OK, "row %d: exits", r->id);
  if (with_fine)
    CHECK(tsim_gs_exit_probs(&fine, theta, 1, &ef, NULL) == TSIM_OK, "row %d: fine exits", r->id);
  else
    ef = e;
  for (int k = 0; k < K; k++) {
    double rej = e.efficacy[k] + e.efficacy_lower[k];
    double dp = fabs(rej - r->reject[k]);
    double fs = k < r->nfut ? r->futstop[k] : 0.0, df = fabs(e.futility[k] - fs);
    CHECK(dp <= TOL_P_RPACT, "row %d look %d: P(reject) %.12f, rpact %.12f", r->id, k + 1, rej,
          r->reject[k]);
    CHECK(df <= TOL_P_RPACT, "row %d look %d: P(futility) %.12f, rpact %.12f", r->id, k + 1,
          e.futility[k], fs);
    double dgp = fabs(rej - ef.efficacy[k] - ef.efficacy_lower[k]);
    CHECK(dgp <= TOL_P_GRID, "row %d look %d: P(reject) %.12g at r = 32 vs r = %d", r->id,
          k + 1, dgp, R_FINE);
    m->p_rpact = fmax(m->p_rpact, fmax(dp, df));
    if (with_fine) {
      m->p_fine_rpact = fmax(m->p_fine_rpact, fabs(ef.efficacy[k] + ef.efficacy_lower[k] -
                                                    r->reject[k]));
      m->p_fine_rpact = fmax(m->p_fine_rpact, fabs(ef.futility[k] - fs));
    }
    m->p_grid = fmax(m->p_grid, dgp);
  }
  double dasn = fabs(e.expected_t / tk - r->asn);
  CHECK(dasn <= TOL_ASN_RPACT, "row %d: expected fraction %.10f, rpact %.10f", r->id,
        e.expected_t / tk, r->asn);
  m->asn_rpact = fmax(m->asn_rpact, dasn);
  if (with_fine) m->asn_fine_rpact = fmax(m->asn_fine_rpact, fabs(ef.expected_t / tk - r->asn));
  m->rows++;
}

static void compare_reference(const char *path) {
  FILE *f = fopen(path, "r");
  CHECK(f != NULL, "cannot open %s", path);
  if (!f) return;
  char line[4096];
  maxdiff m[F_N];
  memset(m, 0, sizeof m);
  int rows = 0, header = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (!header) {
      header = 1;
      CHECK(!strncmp(line, "id,type,alpha,", 14), "%s: unexpected header %s", path, line);
      continue;
    }
    ref_row r;
    int ok = parse_row(line, &r);
    CHECK(ok, "%s: line %d cannot be read", path, rows + 2);
    int fam = family_of(r.type);
    CHECK(fam >= 0, "%s: line %d: unknown type %s", path, rows + 2, r.type);
    if (ok && fam >= 0) compare_row(&r, &m[fam]);
    rows++;
  }
  fclose(f);
  CHECK(rows >= 800, "%s: %d rows, expected the full grid of designs", path, rows);
  printf("largest differences (z: critical values, p: exit probabilities per look)\n");
  printf("%-7s %5s %9s %9s %9s | %5s %9s %9s %9s | %9s %9s\n", "family", "rows", "z", "p",
         "asn", "rows", "z", "p", "asn", "z", "p");
  printf("%-7s %5s %29s | %35s | %19s\n", "", "", "r = 32 vs rpact", "rpact vs r = 128",
         "r = 32 vs r = 128");
  for (int i = 0; i < F_N; i++)
    printf("%-7s %5d %9.2e %9.2e %9.2e | %5d %9.2e %9.2e %9.2e | %9.2e %9.2e\n",
           FAMILY_NAMES[i], m[i].rows, m[i].z_rpact, m[i].p_rpact, m[i].asn_rpact,
           m[i].fine_rows, m[i].z_fine_rpact, m[i].p_fine_rpact, m[i].asn_fine_rpact,
           m[i].z_grid, m[i].p_grid);
}

/* ---------------------------------------------------------------- identities */

static tsim_gs_design design(tsim_gs_family fam, double alpha, int sided) {
  tsim_gs_design d = {fam, alpha, sided, 0.0, TSIM_GS_HP_Z, 0, 0, 0.0};
  return d;
}

/* One look: the fixed design, exactly. */
static void check_single_look(void) {
  tsim_gs_design d = design(TSIM_GS_OF, 0.025, 1);
  double t = 1.0;
  tsim_gs_bounds b;
  CHECK(tsim_gs_bounds_compute(&d, 1, &t, NULL, 1, &b, NULL) == TSIM_OK, "one look");
  double z = gsl_cdf_ugaussian_Qinv(0.025);
  CHECK(fabs(b.efficacy[0] - z) <= 1e-12, "one look: %.15f, expected %.15f", b.efficacy[0], z);
  tsim_gs_exits e;
  tsim_gs_exit_probs(&b, 2.5, 1, &e, NULL);
  double pw = gsl_cdf_ugaussian_Q(z - 2.5);
  CHECK(fabs(e.power - pw) <= 1e-14, "one look: power %.15f, expected %.15f", e.power, pw);
  CHECK(e.expected_t == 1.0, "one look: expected fraction %.17g", e.expected_t);
  d.sided = 2;
  d.alpha = 0.05;
  tsim_gs_bounds_compute(&d, 1, &t, NULL, 1, &b, NULL);
  CHECK(fabs(b.efficacy[0] - 1.959963984540054) <= 1e-12, "one look two-sided: %.15f",
        b.efficacy[0]);
}

/* Every design keeps its alpha; exits add up to 1; non-binding futility ignored keeps alpha,
 * followed spends less; binding lowers the efficacy bounds. */
static void check_identities(void) {
  const double t[4] = {0.25, 0.5, 0.75, 1.0}, fut[4] = {-0.5, 0.0, 0.5, -INFINITY};
  tsim_gs_family fams[4] = {TSIM_GS_OF, TSIM_GS_POCOCK, TSIM_GS_HSD, TSIM_GS_HP};
  for (int f = 0; f < 4; f++)
    for (int sided = 1; sided <= 2; sided++) {
      tsim_gs_design d = design(fams[f], 0.05, sided);
      d.gamma = -2.0;
      tsim_gs_bounds b;
      CHECK(tsim_gs_bounds_compute(&d, 4, t, NULL, 1, &b, NULL) == TSIM_OK, "family %d", f);
      for (int k = 0; k < 4; k++)
        CHECK(fabs(b.alpha_cum[k] - b.alpha_spent[k]) <= 1e-12 * b.alpha_spent[k],
              "family %d sided %d look %d: crossing %.17g, spent %.17g", f, sided, k + 1,
              b.alpha_cum[k], b.alpha_spent[k]);
      tsim_gs_exits e;
      tsim_gs_exit_probs(&b, 0.0, 1, &e, NULL);
      CHECK(fabs(e.reject - 0.05) <= 1e-12, "family %d sided %d: P0(reject) %.15f", f, sided,
            e.reject);
      /* The exits add up to 1 up to the error of Simpson's rule on the grids: about 1e-8 per
       * look at r = 32, 4e-11 at r = 128 (measured), so checked at r = 128. */
      tsim_gs_bounds fine;
      d.grid_r = 128;
      tsim_gs_bounds_compute(&d, 4, t, NULL, 1, &fine, NULL);
      for (double theta = 0.0; theta <= 4.0; theta += 2.0) {
        tsim_gs_exit_probs(&fine, theta, 1, &e, NULL);
        double sum = e.reject + e.futility_all + e.pass_last;
        CHECK(fabs(sum - 1.0) <= 1e-9, "family %d theta %g: exits sum to %.15f", f, theta, sum);
      }
    }
  tsim_gs_design d = design(TSIM_GS_OF, 0.025, 1);
  tsim_gs_bounds nb, bd;
  tsim_gs_bounds_compute(&d, 4, t, fut, 1, &nb, NULL);
  d.binding = 1;
  tsim_gs_bounds_compute(&d, 4, t, fut, 1, &bd, NULL);
  tsim_gs_exits e0, e1, e2;
  tsim_gs_exit_probs(&nb, 0.0, 0, &e0, NULL);
  tsim_gs_exit_probs(&nb, 0.0, 1, &e1, NULL);
  tsim_gs_exit_probs(&bd, 0.0, 1, &e2, NULL);
  CHECK(fabs(e0.reject - 0.025) <= 1e-12, "non-binding, futility ignored: %.15f", e0.reject);
  CHECK(e1.reject < 0.025 - 1e-4, "non-binding, futility followed: %.15f", e1.reject);
  CHECK(fabs(e2.reject - 0.025) <= 1e-12, "binding, futility followed: %.15f", e2.reject);
  CHECK(bd.efficacy[0] == nb.efficacy[0], "binding: first look %.15f vs %.15f", bd.efficacy[0],
        nb.efficacy[0]);
  for (int k = 1; k < 4; k++)
    CHECK(bd.efficacy[k] < nb.efficacy[k] - 1e-6, "binding look %d: %.10f not below %.10f",
          k + 1, bd.efficacy[k], nb.efficacy[k]);
}

/* Observed information: interims computed look by look equal the full design's; over- and
 * under-running final looks spend exactly alpha; an interim at t >= 1 spends all of it. */
static void check_observed_information(void) {
  tsim_gs_design d = design(TSIM_GS_HSD, 0.025, 1);
  d.gamma = -4.0;
  const double t[4] = {0.3, 0.55, 0.8, 1.1};
  tsim_gs_bounds full, part;
  CHECK(tsim_gs_bounds_compute(&d, 4, t, NULL, 1, &full, NULL) == TSIM_OK, "over-run");
  CHECK(fabs(full.alpha_cum[3] - 0.025) <= 1e-14, "over-run spends %.17g", full.alpha_cum[3]);
  for (int k = 1; k <= 3; k++) {
    tsim_gs_bounds_compute(&d, k, t, NULL, 0, &part, NULL);
    for (int j = 0; j < k; j++)
      CHECK(part.efficacy[j] == full.efficacy[j], "interims 1..%d: look %d %.17g vs %.17g", k,
            j + 1, part.efficacy[j], full.efficacy[j]);
  }
  const double under[3] = {0.3, 0.6, 0.9};
  tsim_gs_bounds u;
  tsim_gs_bounds_compute(&d, 3, under, NULL, 1, &u, NULL);
  CHECK(fabs(u.alpha_cum[2] - 0.025) <= 1e-14, "under-run spends %.17g", u.alpha_cum[2]);
  CHECK(u.alpha_spent[1] == tsim_gs_spend(&d, 0.6), "under-run: interim spends f(t)");
  const double late[3] = {0.5, 1.05, 1.2};
  tsim_gs_bounds l;
  CHECK(tsim_gs_bounds_compute(&d, 3, late, NULL, 1, &l, NULL) == TSIM_OK, "late interim");
  CHECK(l.efficacy[2] == INFINITY, "nothing left after an interim at t >= 1: %g",
        l.efficacy[2]);
  CHECK(fabs(l.alpha_cum[1] - 0.025) <= 1e-14, "interim at t >= 1 spends %.17g",
        l.alpha_cum[1]);
}

/* The spending functions at a few points against their closed forms (rpact's definitions). */
static void check_spending(void) {
  tsim_gs_design d = design(TSIM_GS_OF, 0.025, 1);
  double of = 2.0 * gsl_cdf_ugaussian_Q(gsl_cdf_ugaussian_Qinv(0.0125) / sqrt(0.3));
  CHECK(fabs(tsim_gs_spend(&d, 0.3) - of) <= 1e-17, "OF(0.3) %.17g vs %.17g",
        tsim_gs_spend(&d, 0.3), of);
  d.family = TSIM_GS_POCOCK;
  CHECK(fabs(tsim_gs_spend(&d, 0.3) - 0.025 * log(1.0 + (exp(1.0) - 1.0) * 0.3)) <= 1e-17,
        "Pocock(0.3)");
  d.family = TSIM_GS_HSD;
  d.gamma = -4.0;
  CHECK(fabs(tsim_gs_spend(&d, 0.3) - 0.025 * (1 - exp(1.2)) / (1 - exp(4.0))) <= 1e-17,
        "HSD(0.3)");
  CHECK(tsim_gs_spend(&d, 1.7) == 0.025 && tsim_gs_spend(&d, -1.0) == 0.0, "HSD outside [0,1]");
  d.family = TSIM_GS_HP;
  CHECK(isnan(tsim_gs_spend(&d, 0.5)), "HP has no spending function");
}

/* ---------------------------------------------------------------- conditional power */

static void check_conditional_power(void) {
  /* At r = 128 the integration errors (~1e-10) are below the checks' tolerances. */
  tsim_gs_design d = design(TSIM_GS_OF, 0.025, 1);
  d.grid_r = 128;
  const double t[3] = {0.3, 0.6, 1.0};
  tsim_gs_bounds b;
  tsim_gs_bounds_compute(&d, 3, t, NULL, 1, &b, NULL);
  double theta = 2.8;
  /* One look left: the closed form. */
  for (double z = -1.0; z <= 3.0; z += 0.5) {
    double cp, dt = t[2] - t[1];
    tsim_gs_conditional_power(&b, 1, z, theta, &cp, NULL);
    double want = gsl_cdf_ugaussian_Q((b.efficacy[2] - z * sqrt(t[1]) - theta * dt) / sqrt(dt));
    CHECK(fabs(cp - want) <= 1e-14, "CP at look 2, z %g: %.15f vs %.15f", z, cp, want);
  }
  /* Two looks left: averaging CP over the first look's continuation region must give the
   * chance of rejecting at looks 2 or 3 (no futility). Simpson on [-12, c_1] in z. */
  tsim_gs_exits e;
  tsim_gs_exit_probs(&b, theta, 0, &e, NULL);
  int n = 600;
  double lo = theta * sqrt(t[0]) - 12.0, hi = b.efficacy[0], h = (hi - lo) / n, sum = 0.0;
  for (int i = 0; i <= n; i++) {
    double z = lo + i * h, cp;
    tsim_gs_conditional_power(&b, 0, z, theta, &cp, NULL);
    double wgt = i == 0 || i == n ? 1.0 : (i % 2 ? 4.0 : 2.0);
    sum += wgt * cp * exp(-0.5 * (z - theta * sqrt(t[0])) * (z - theta * sqrt(t[0])));
  }
  double avg = sum * h / 3.0 / sqrt(2.0 * 3.14159265358979323846), want = e.efficacy[1] + e.efficacy[2];
  CHECK(fabs(avg - want) <= 1e-9, "E[CP at look 1] %.12f vs P(reject later) %.12f", avg, want);
  /* The z of a conditional-power threshold gives that conditional power. */
  for (double g = 0.05; g < 1.0; g += 0.3) {
    double z, cp;
    CHECK(tsim_gs_conditional_power_z(&b, 0, g, theta, &z, NULL) == TSIM_OK, "CP z %g", g);
    tsim_gs_conditional_power(&b, 0, z, theta, &cp, NULL);
    CHECK(fabs(cp - g) <= 1e-9, "CP(z(%g) = %.10f) = %.12f", g, z, cp);
  }
}

/* ---------------------------------------------------------------- bad input */

/* The call fails with TSIM_INPUT and its message holds `want`. */
static void expect_input(tsim_gs_design d, int looks, const double *t, const double *fut,
                         const char *want) {
  tsim_gs_bounds b;
  tsim_diag diag;
  tsim_diag_init(&diag);
  tsim_status st = tsim_gs_bounds_compute(&d, looks, t, fut, 1, &b, &diag);
  CHECK(st == TSIM_INPUT && b.looks == 0, "%s: status %d", want, (int)st);
  int found = 0;
  for (size_t i = 0; i < diag.n; i++) found |= strstr(diag.msgs[i], want) != NULL;
  CHECK(found, "expected a message with \"%s\"%s%s", want, diag.n ? ", got: " : "",
        diag.n ? diag.msgs[0] : "");
  tsim_diag_clear(&diag);
}

static void check_bad_input(void) {
  tsim_gs_design d = design(TSIM_GS_OF, 0.025, 1);
  const double ok[3] = {0.3, 0.6, 1.0}, down[3] = {0.3, 0.2, 1.0}, zero[3] = {0.0, 0.5, 1.0};
  const double nan3[3] = {0.3, NAN, 1.0};
  expect_input(d, 3, down, NULL, "look 2: information fraction 0.2 is not above");
  expect_input(d, 3, zero, NULL, "look 1: information fraction 0 is not a positive");
  expect_input(d, 3, nan3, NULL, "look 2: information fraction nan");
  expect_input(d, 0, ok, NULL, "0 looks, expected 1 to 20");
  expect_input(d, 21, ok, NULL, "21 looks");
  tsim_gs_design bad = d;
  bad.alpha = 1.0;
  expect_input(bad, 3, ok, NULL, "alpha 1 is not in (0, 1)");
  bad = d;
  bad.sided = 3;
  expect_input(bad, 3, ok, NULL, "sided 3");
  bad = d;
  bad.family = TSIM_GS_HSD;
  bad.gamma = 50.0;
  expect_input(bad, 3, ok, NULL, "gamma 50");
  bad = d;
  bad.grid_r = 4;
  expect_input(bad, 3, ok, NULL, "grid r 4");
  /* The OF-type bound at t = 0.3 is 3.93 and at 0.6 2.67 (rpact). */
  const double high[3] = {4.5, 0.0, -INFINITY}, nanf[3] = {NAN, 0.0, 0.0};
  const double high2[3] = {0.0, 2.8, -INFINITY}, stop[3] = {3.5, 0.0, -INFINITY};
  expect_input(d, 3, ok, high, "look 1: futility bound 4.5 is above the efficacy bound 3.92");
  expect_input(d, 3, ok, high2, "look 2: futility bound 2.8 is above the efficacy bound 2.66");
  expect_input(d, 3, ok, nanf, "look 1: futility bound nan");
  bad = d;
  bad.binding = 1;
  expect_input(bad, 3, ok, high, "look 1: futility bound 4.5 is above the efficacy bound 3.92");
  expect_input(bad, 3, ok, stop, "look 2: the binding futility bounds leave too few trials");
  bad = d;
  bad.sided = 2;
  bad.alpha = 0.05;
  const double zf[3] = {0.0, 0.0, 0.0};
  expect_input(bad, 3, ok, zf, "futility bounds are for one-sided designs only");
  bad = d;
  bad.family = TSIM_GS_HP;
  bad.alpha = 0.002;
  expect_input(bad, 3, ok, NULL, "leaves no alpha of 0.002 for the final look");
  bad = d;
  bad.family = TSIM_GS_WT;
  bad.delta = 1.5;
  expect_input(bad, 3, ok, NULL, "Wang-Tsiatis delta 1.5 is not in [-0.5, 1]");
  bad.delta = 0.5;
  tsim_gs_bounds wt;
  tsim_diag diag;
  tsim_diag_init(&diag);
  CHECK(tsim_gs_bounds_compute(&bad, 2, ok, NULL, 0, &wt, &diag) == TSIM_INPUT && diag.n == 1 &&
            strstr(diag.msgs[0], "Wang-Tsiatis design needs every look"),
        "Wang-Tsiatis at interims only");
  tsim_diag_clear(&diag);
  /* Exit probabilities and conditional power refuse what they cannot use. */
  tsim_gs_bounds b;
  tsim_gs_bounds_compute(&d, 3, ok, NULL, 1, &b, NULL);
  tsim_gs_exits e;
  CHECK(tsim_gs_exit_probs(&b, NAN, 1, &e, NULL) == TSIM_INPUT, "exits: NaN drift");
  double cp;
  CHECK(tsim_gs_conditional_power(&b, 2, 1.0, 2.0, &cp, NULL) == TSIM_INPUT, "CP at last look");
  CHECK(tsim_gs_conditional_power_z(&b, 0, 1.0, 2.0, &cp, NULL) == TSIM_INPUT, "CP target 1");
  tsim_gs_bounds junk = b;
  junk.t[1] = 0.1;
  CHECK(tsim_gs_exit_probs(&junk, 1.0, 1, &e, NULL) == TSIM_INPUT, "exits: bounds not ordered");
}

/* Twenty looks, some close together, and extreme spending: finite answers that keep alpha. */
static void check_extremes(void) {
  double t[TSIM_GS_MAX_LOOKS];
  for (int k = 0; k < TSIM_GS_MAX_LOOKS; k++) t[k] = (k + 1.0) / TSIM_GS_MAX_LOOKS;
  t[1] = t[0] + 1e-3;
  tsim_gs_family fams[3] = {TSIM_GS_OF, TSIM_GS_POCOCK, TSIM_GS_HSD};
  for (int f = 0; f < 3; f++) {
    tsim_gs_design d = design(fams[f], 0.025, 1);
    d.gamma = 40.0;
    tsim_gs_bounds b;
    CHECK(tsim_gs_bounds_compute(&d, TSIM_GS_MAX_LOOKS, t, NULL, 1, &b, NULL) == TSIM_OK,
          "20 looks, family %d", f);
    tsim_gs_exits e;
    tsim_gs_exit_probs(&b, 0.0, 1, &e, NULL);
    CHECK(fabs(e.reject - 0.025) <= 1e-9, "20 looks, family %d: P0(reject) %.12f", f, e.reject);
    for (int k = 0; k < TSIM_GS_MAX_LOOKS; k++)
      /* +inf only where nothing is left to spend (HSD gamma 40 has spent all but 1e-19 by
       * t = 0.95, and alpha - f(0.95) rounds to 0). */
      CHECK(b.efficacy[k] > 0.0 && (b.efficacy[k] < 40.0 || (k > 0 && b.alpha_spent[k] ==
                                                            b.alpha_spent[k - 1])),
            "20 looks family %d look %d: %g", f, k + 1, b.efficacy[k]);
  }
  /* An O'Brien-Fleming first look at t = 0.01 spends ~1e-111: still a finite bound. */
  const double early[2] = {0.01, 1.0};
  tsim_gs_design d = design(TSIM_GS_OF, 0.025, 1);
  tsim_gs_bounds b;
  tsim_gs_bounds_compute(&d, 2, early, NULL, 1, &b, NULL);
  CHECK(isfinite(b.efficacy[0]) && b.efficacy[0] > 20.0, "OF at t = 0.01: %g", b.efficacy[0]);
}

/* The classic constants (Jennison & Turnbull 2000, Tables 2.1 and 2.3, from Pocock 1977 and
 * O'Brien & Fleming 1979): two-sided alpha 0.05, K equally spaced looks; Pocock's constant
 * bound C_P(K) and O'Brien-Fleming's final bound C_B(K) (its look k: C_B sqrt(K / k)). The
 * tables give 3 decimals: within 5e-4. */
static void check_published(void) {
  const double pocock[4] = {2.178, 2.289, 2.361, 2.413}, obf[4] = {1.977, 2.004, 2.024, 2.040};
  for (int K = 2; K <= 5; K++) {
    double t[5];
    for (int k = 0; k < K; k++) t[k] = (k + 1.0) / K;
    tsim_gs_design d = design(TSIM_GS_WT, 0.05, 2);
    d.delta = 0.5;
    tsim_gs_bounds b;
    CHECK(tsim_gs_bounds_compute(&d, K, t, NULL, 1, &b, NULL) == TSIM_OK, "Pocock K=%d", K);
    for (int k = 0; k < K; k++)
      CHECK(fabs(b.efficacy[k] - pocock[K - 2]) <= 5e-4, "Pocock K=%d look %d: %.6f, published "
            "%.3f", K, k + 1, b.efficacy[k], pocock[K - 2]);
    d.delta = 0.0;
    CHECK(tsim_gs_bounds_compute(&d, K, t, NULL, 1, &b, NULL) == TSIM_OK, "OBF K=%d", K);
    for (int k = 0; k < K; k++) {
      double want = obf[K - 2] * sqrt((double)K / (k + 1));
      CHECK(fabs(b.efficacy[k] - want) <= 5e-4 * sqrt((double)K / (k + 1)),
            "O'Brien-Fleming K=%d look %d: %.6f, published %.4f", K, k + 1, b.efficacy[k], want);
    }
  }
}

/* Looks close together: the grid refines itself around the narrow kernel (gsbound.c), so the
 * default grid stays within the tolerance of r = 256. */
static void check_close_looks(void) {
  const double gaps[3] = {0.03, 1e-3, 1e-4};
  for (int g = 0; g < 3; g++) {
    double t[3] = {0.5, 0.5 + gaps[g], 1.0};
    tsim_gs_design d = design(TSIM_GS_POCOCK, 0.025, 1);
    tsim_gs_bounds b, fine;
    tsim_gs_bounds_compute(&d, 3, t, NULL, 1, &b, NULL);
    d.grid_r = 256;
    tsim_gs_bounds_compute(&d, 3, t, NULL, 1, &fine, NULL);
    for (int k = 1; k < 3; k++)
      CHECK(fabs(b.efficacy[k] - fine.efficacy[k]) <= TOL_Z_GRID,
            "looks %g apart, look %d: %.12f vs %.12f at r = 256", gaps[g], k + 1, b.efficacy[k],
            fine.efficacy[k]);
  }
}

/* Arguments at the edges of what is accepted: every call returns (GSL's default handler, which
 * aborts, stays installed here), with numbers or infinities, never NaN. */
static void check_edges(void) {
  const double alphas[3] = {1e-300, 0.5, 1.0 - 1e-16};
  const double t[3] = {1e-12, 0.5, 1.0};
  tsim_gs_family fams[5] = {TSIM_GS_OF, TSIM_GS_POCOCK, TSIM_GS_HSD, TSIM_GS_HP, TSIM_GS_WT};
  for (int f = 0; f < 5; f++)
    for (int a = 0; a < 3; a++)
      for (int sided = 1; sided <= 2; sided++) {
        tsim_gs_design d = design(fams[f], alphas[a], sided);
        d.gamma = a == 0 ? -40.0 : 40.0;
        tsim_gs_bounds b;
        tsim_status st = tsim_gs_bounds_compute(&d, 3, t, NULL, 1, &b, NULL);
        /* At alpha 1e-300 Haybittle-Peto has spent more than alpha at its interims, and the
         * tails a Wang-Tsiatis constant needs are denormal: both refuse (TSIM_INPUT). */
        CHECK(st == TSIM_OK || (st == TSIM_INPUT && a == 0 &&
                                (fams[f] == TSIM_GS_HP || fams[f] == TSIM_GS_WT)),
              "edges: family %d alpha %g sided %d: status %d", f, alphas[a], sided, (int)st);
        if (st != TSIM_OK) continue;
        for (int k = 0; k < 3; k++)
          CHECK(!isnan(b.efficacy[k]), "edges: family %d alpha %g look %d: NaN", f, alphas[a],
                k + 1);
        for (double theta = -100.0; theta <= 100.0; theta += 100.0) {
          tsim_gs_exits e;
          /* At most 1 up to the grids' mass error (~1e-8 per look at r = 32). */
          CHECK(tsim_gs_exit_probs(&b, theta, 1, &e, NULL) == TSIM_OK && e.reject >= 0.0 &&
                    e.reject <= 1.0 + 1e-7, "edges: exits at theta %g: %.17g", theta, e.reject);
        }
        const double zs[4] = {-1e300, -999.0, 999.0, 1e300};
        for (int i = 0; i < 4; i++) {
          double cp = NAN;
          tsim_gs_conditional_power(&b, 1, zs[i], 100.0, &cp, NULL);
          CHECK(cp >= 0.0 && cp <= 1.0, "edges: CP at z %g: %g", zs[i], cp);
        }
        double z = NAN;
        if (tsim_gs_conditional_power_z(&b, 0, 1e-300, -100.0, &z, NULL) == TSIM_OK)
          CHECK(!isnan(z), "edges: z of CP 1e-300");
      }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s REFERENCE.csv\n", argv[0]);
    return 2;
  }
  check_single_look();
  check_spending();
  check_identities();
  check_observed_information();
  check_conditional_power();
  check_bad_input();
  check_extremes();
  check_close_looks();
  check_published();
  check_edges();
  compare_reference(argv[1]);
  return tsim_check_done();
}
