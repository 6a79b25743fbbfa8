/* test_stattest.c - sim/stattest.c against reference values computed with R, the decision
 * rule at exact ties, and Fisher's test against brute-force enumeration.
 *
 * Usage: test_stattest [REFERENCE.csv]
 *   Without an argument the reference values are the table REF below, embedded so that the
 *   test needs neither R nor a file at run time. With an argument they are read from a CSV
 *   in the format of tests/r/stattest_reference.csv (tests/r/check_stattest.sh regenerates
 *   one with R and passes it here). The tie-rule and brute-force checks run either way.
 *
 * REF was generated once from tests/r/stattest_reference.csv (the output of
 * tests/r/stattest_reference.R, R 4.2.2) with:
 *   awk -F, 'NR>1 { printf "    {%s, %s, %s, %s", $1,$2,$3,$4; for(i=5;i<=9;i++){ v=$i;
 *     if(v=="NaN"||v=="NA") v="NAN"; else if (v !~ /[.eE]/) v=v ".0"; printf ", %s", v }
 *     printf "},\n" }' tests/r/stattest_reference.csv
 * If the R script changes, regenerate both the CSV and this table.
 *
 * Every p-value and statistic must agree with R to a relative REL_TOL; a table with an empty
 * row or column must give NaN from all three tests. Output: one line per failed check
 * ("observed vs expected" with the table), then "N passed, N failed"; exit status 1 if any
 * check failed.
 */
#include "stattest.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REL_TOL 1e-9    /* against R */
#define EXACT_TOL 1e-12 /* against exact rational values (ties, brute force) */
#define BRUTE_MAX 12    /* brute force over every table with n0, n1 <= BRUTE_MAX */

typedef struct {
  long long x0, n0, x1, n1;
  double pearson_stat, pearson_p, n1_stat, n1_p, fisher_p;
} ref_row;

/* x0, n0, x1, n1, pearson_stat, pearson_p, n1_stat, n1_p, fisher_p (R 4.2.2) */
static const ref_row REF[] = {
    {10, 20, 15, 20, 2.666666666666667, 0.1024704348597493, 2.6000000000000005, 0.1068637149933792, 0.1907925723276114},
    {5, 25, 12, 25, 4.3672014260249554, 0.036637115679274766, 4.2798573975044567, 0.03856658380772035, 0.071767426421606259},
    {30, 60, 40, 60, 3.4285714285714288, 0.064077506451059182, 3.4000000000000004, 0.065196419078129814, 0.095174087346094602},
    {12, 40, 18, 35, 3.5714285714285712, 0.058781721355358987, 3.5238095238095237, 0.060493253580940626, 0.097472411554199154},
    {7, 15, 9, 16, 0.28470486111111132, 0.59363393523394137, 0.27552083333333355, 0.59965216418419498, 0.72443469666345306},
    {20, 50, 20, 50, 0.0, 1.0, 0.0, 1.0, 1.0000000000000002},
    {3, 8, 6, 9, 1.4461805555555556, 0.22914180480841895, 1.3611111111111112, 0.24334500914876256, 0.34693541752365253},
    {45, 90, 30, 85, 3.8602941176470611, 0.049441660560310192, 3.8382352941176494, 0.050096221526954046, 0.066422207078164153},
    {29, 50, 34, 50, 1.0725010725010724, 0.30038119539986108, 1.0617760617760617, 0.30281045576215304, 0.40758768518731331},
    {15, 29, 20, 24, 5.8502098157270579, 0.015575194127094743, 5.7398284984491887, 0.016584411792568622, 0.02088018333228258},
    {9, 30, 16, 29, 3.8265030425963484, 0.050448081970384605, 3.7616470588235291, 0.052440898214590172, 0.067278508255884356},
    {11, 30, 19, 29, 4.910898401374026, 0.026687756656293606, 4.8276628352490425, 0.028006571817035759, 0.037887212895283399},
    {2, 12, 7, 13, 3.7437678062678073, 0.053004794886076435, 3.5940170940170946, 0.057987910479447319, 0.096842105263157854},
    {8, 30, 20, 30, 9.6428571428571423, 0.00190089325044667, 9.4821428571428577, 0.0020748148195472217, 0.0040254555015283777},
    {9, 30, 1, 30, 7.6800000000000006, 0.0055836168063787524, 7.5520000000000014, 0.0059943507496662456, 0.012182915008697833},
    {0, 10, 5, 10, 6.666666666666667, 0.0098232745075192644, 6.3333333333333339, 0.0118489409283475, 0.032507739938080517},
    {5, 10, 0, 10, 6.666666666666667, 0.0098232745075192644, 6.3333333333333339, 0.0118489409283475, 0.032507739938080517},
    {10, 10, 5, 10, 6.666666666666667, 0.0098232745075192644, 6.3333333333333339, 0.0118489409283475, 0.032507739938080517},
    {3, 10, 10, 10, 10.76923076923077, 0.0010320139151629947, 10.230769230769232, 0.0013811705035128325, 0.0030959752321981526},
    {1, 1, 0, 19, 19.999999999999996, 7.7442164310440977e-06, 18.999999999999996, 1.307184536676302e-05, 0.049999999999999996},
    {0, 19, 1, 1, 19.999999999999996, 7.7442164310440977e-06, 18.999999999999996, 1.307184536676302e-05, 0.049999999999999996},
    {1, 1, 0, 9, 10.0, 0.0015654022580025519, 9.0, 0.0026997960632601922, 0.10000000000000003},
    {2, 2, 0, 3, 5.0, 0.025347318677468304, 4.0, 0.045500263896358473, 0.099999999999999964},
    {1, 1, 0, 39, 40.0, 2.5396285894708649e-10, 39.0, 4.2380554260794588e-10, 0.024999999999999994},
    {1, 1, 0, 99, 99.999999999999986, 1.5239706048321171e-23, 98.999999999999986, 2.5250176624027756e-23, 0.01},
    {1, 1, 0, 1, 2.0, 0.15729920705028447, 1.0, 0.31731050786291415, 1.0},
    {1, 2, 1, 2, 0.0, 1.0, 0.0, 1.0, 1.0},
    {1, 200, 10, 12, 157.89509422584052, 3.2625967119008235e-36, 157.15030604552996, 4.745764192455658e-36, 1.7660705532985935e-14},
    {10, 12, 1, 200, 157.89509422584052, 3.2625967119008235e-36, 157.15030604552996, 4.745764192455658e-36, 1.7660705532985935e-14},
    {400, 1000, 460, 1000, 7.3439412484700126, 0.0067289150059201925, 7.3402692778457777, 0.006742673824399241, 0.0076865510764769981},
    {4000, 10000, 4100, 10000, 2.0749040356883492, 0.14973935758431525, 2.0748002904865648, 0.14974953965444954, 0.15385239420763533},
    {0, 40, 40, 40, 80.0, 3.7440973842028994e-19, 79.0, 6.2109934254251915e-19, 1.8603403656036311e-23},
    {0, 60, 60, 60, 120.0, 6.3260682636772604e-28, 119.0, 1.0472950333995721e-27, 2.070073888186974e-35},
    {5, 500, 100, 500, 96.036179835062512, 1.128030986442276e-22, 95.940143655227459, 1.1840988778484263e-22, 3.3725139902122184e-26},
    {100, 1000, 500, 1000, 380.95238095238096, 7.7199345942954099e-85, 380.76190476190482, 8.4934285546521468e-85, 5.1250285125272096e-90},
    {0, 300, 300, 300, 600.0, 1.6741679846917882e-132, 599.0, 2.7625318201124208e-132, 1.4802978791997076e-179},
    {5, 10, 5, 10, 0.0, 1.0, 0.0, 1.0, 1.0},
    {3, 10, 7, 10, 3.2000000000000002, 0.073638270120302773, 3.04, 0.08123591708598496, 0.1788954079975755},
    {4, 8, 4, 8, 0.0, 1.0, 0.0, 1.0, 1.0},
    {2, 9, 7, 9, 5.5555555555555554, 0.018422125454099048, 5.2469135802469138, 0.021985734811330791, 0.056684491978609593},
    {0, 10, 0, 10, NAN, NAN, NAN, NAN, NAN},
    {10, 10, 10, 10, NAN, NAN, NAN, NAN, NAN},
    {0, 0, 3, 10, NAN, NAN, NAN, NAN, NAN},
    {3, 10, 0, 0, NAN, NAN, NAN, NAN, NAN},
    {0, 0, 0, 0, NAN, NAN, NAN, NAN, NAN},
};

static int n_pass, n_fail;

static int is_degenerate(long long x0, long long n0, long long x1, long long n1) {
  long long m = x0 + x1, n = n0 + n1;
  return n0 <= 0 || n1 <= 0 || m <= 0 || m >= n;
}

/* obs agrees with exp to a relative tol; a NaN is only matched by a NaN. */
static int rel_close(double obs, double exp, double tol) {
  if (isnan(exp) || isnan(obs)) return isnan(exp) && isnan(obs);
  if (obs == exp) return 1;
  return fabs(obs - exp) <= tol * fabs(exp);
}

static void check_value(const char *what, long long x0, long long n0, long long x1,
                        long long n1, double obs, double exp, double tol) {
  if (rel_close(obs, exp, tol)) {
    n_pass++;
    return;
  }
  n_fail++;
  double rel = (exp != 0.0 && !isnan(obs) && !isnan(exp)) ? fabs(obs - exp) / fabs(exp) : NAN;
  printf("FAIL %s on %lld/%lld vs %lld/%lld: observed %.17g vs expected %.17g (rel err %.3g, "
         "tol %g)\n",
         what, x0, n0, x1, n1, obs, exp, rel, tol);
}

static void check_true(int ok, const char *what) {
  if (ok) {
    n_pass++;
  } else {
    n_fail++;
    printf("FAIL %s\n", what);
  }
}

/* --- R reference values ------------------------------------------------------------------ */

static void check_row(const ref_row *r) {
  long long x0 = r->x0, n0 = r->n0, x1 = r->x1, n1 = r->n1;
  double ps = 0, ns = 0, ds = 0;
  double pp = tsim_pearson_p(x0, n0, x1, n1, &ps);
  double np = tsim_n1_chisq_p(x0, n0, x1, n1, &ns);
  double fp = tsim_fisher_p(x0, n0, x1, n1);

  check_value("pearson_stat", x0, n0, x1, n1, ps, r->pearson_stat, REL_TOL);
  check_value("pearson_p", x0, n0, x1, n1, pp, r->pearson_p, REL_TOL);
  check_value("n1_stat", x0, n0, x1, n1, ns, r->n1_stat, REL_TOL);
  check_value("n1_p", x0, n0, x1, n1, np, r->n1_p, REL_TOL);
  check_value("fisher_p", x0, n0, x1, n1, fp, r->fisher_p, REL_TOL);

  /* Degenerate tables: NaN from every test, whatever the reference file says. */
  if (is_degenerate(x0, n0, x1, n1)) {
    check_value("degenerate pearson_p", x0, n0, x1, n1, pp, NAN, 0);
    check_value("degenerate n1_p", x0, n0, x1, n1, np, NAN, 0);
    check_value("degenerate fisher_p", x0, n0, x1, n1, fp, NAN, 0);
    check_true(!tsim_reject(pp, 0.05) && !tsim_reject(np, 0.05) && !tsim_reject(fp, 0.05),
               "a degenerate table is rejected");
  }

  /* The dispatcher gives the same answers; Fisher has no statistic. */
  check_value("tsim_test_p(PEARSON)", x0, n0, x1, n1,
              tsim_test_p(TSIM_TEST_PEARSON, x0, n0, x1, n1, &ds), pp, 0);
  check_value("tsim_test_p(PEARSON) stat", x0, n0, x1, n1, ds, ps, 0);
  check_value("tsim_test_p(N1_CHISQ)", x0, n0, x1, n1,
              tsim_test_p(TSIM_TEST_N1_CHISQ, x0, n0, x1, n1, &ds), np, 0);
  check_value("tsim_test_p(N1_CHISQ) stat", x0, n0, x1, n1, ds, ns, 0);
  ds = 0;
  check_value("tsim_test_p(FISHER)", x0, n0, x1, n1,
              tsim_test_p(TSIM_TEST_FISHER, x0, n0, x1, n1, &ds), fp, 0);
  check_value("tsim_test_p(FISHER) stat", x0, n0, x1, n1, ds, NAN, 0);
}

static int parse_ll(const char *s, long long *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end != '\0') return 0;
  *out = v;
  return 1;
}

static int parse_double(const char *s, double *out) {
  if (strcmp(s, "NA") == 0) { /* R's NA: no value */
    *out = NAN;
    return 1;
  }
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end != '\0' || (errno && !isnan(v) && fabs(v) > 1.0)) return 0;
  *out = v;
  return 1;
}

/* One CSV line of 9 fields; 1 on success. The line is modified. */
static int parse_line(char *line, ref_row *r) {
  char *f[9];
  int k = 0;
  line[strcspn(line, "\r\n")] = '\0';
  for (char *p = line;;) {
    if (k == 9) return 0;
    f[k++] = p;
    char *c = strchr(p, ',');
    if (!c) break;
    *c = '\0';
    p = c + 1;
  }
  return k == 9 && parse_ll(f[0], &r->x0) && parse_ll(f[1], &r->n0) && parse_ll(f[2], &r->x1) &&
         parse_ll(f[3], &r->n1) && parse_double(f[4], &r->pearson_stat) &&
         parse_double(f[5], &r->pearson_p) && parse_double(f[6], &r->n1_stat) &&
         parse_double(f[7], &r->n1_p) && parse_double(f[8], &r->fisher_p);
}

/* Checks every table of a reference CSV (header line optional); returns the table count. */
static int check_csv(const char *path) {
  FILE *fp = fopen(path, "r");
  if (!fp) {
    printf("FAIL cannot open reference file %s\n", path);
    n_fail++;
    return 0;
  }
  char line[1024];
  int lineno = 0, rows = 0;
  while (fgets(line, sizeof line, fp)) {
    lineno++;
    if (line[0] == '#' || line[0] == '\n' || line[0] == '\r') continue;
    if (lineno == 1 && strncmp(line, "x0,", 3) == 0) continue; /* header */
    ref_row r;
    if (!parse_line(line, &r)) {
      printf("FAIL %s:%d: not a line of 4 integers and 5 numbers\n", path, lineno);
      n_fail++;
      continue;
    }
    check_row(&r);
    rows++;
  }
  fclose(fp);
  if (rows == 0) {
    printf("FAIL %s holds no tables\n", path);
    n_fail++;
  }
  return rows;
}

/* --- The decision rule at exact ties ------------------------------------------------------ */

/* Tables whose two-sided Fisher p-value is exactly num/den = alpha, a customary level. */
static const struct {
  long long x0, n0, x1, n1, num, den;
  double alpha;
} TIES[] = {
    {1, 1, 0, 19, 1, 20, 0.05},  /* 1/C(20,1) */
    {0, 19, 1, 1, 1, 20, 0.05},  /* the same, rows swapped */
    {0, 2, 12, 14, 91, 1820, 0.05}, /* C(14,12)/C(16,12) */
    {1, 1, 0, 39, 1, 40, 0.025},
    {0, 2, 13, 14, 1, 40, 0.025}, /* C(14,13)/C(16,13) = 14/560 */
    {1, 1, 0, 99, 1, 100, 0.01},
    {1, 1, 0, 9, 1, 10, 0.1},
    {2, 2, 0, 3, 1, 10, 0.1},    /* 1/C(5,2) */
    {0, 3, 3, 3, 2, 20, 0.1},    /* both tails, tied: (1 + 1)/C(6,3) */
    {3, 3, 0, 3, 2, 20, 0.1},
};

static void check_ties(void) {
  char what[160];
  double p = tsim_fisher_p(1, 1, 0, 19);
  check_value("fisher_p tie (exactly 1/20)", 1, 1, 0, 19, p, 0.05, EXACT_TOL);
  check_true(tsim_reject(p, 0.05) == 0, "tsim_reject(fisher_p(1/1 vs 0/19), 0.05) != 0");
  check_true(tsim_reject(0.05 * (1 - 1e-6), 0.05) == 1, "tsim_reject(0.05*(1-1e-6), 0.05) != 1");
  check_true(tsim_reject(NAN, 0.05) == 0, "tsim_reject(NAN, 0.05) != 0");
  check_true(tsim_reject(0.05, 0.05) == 0, "tsim_reject(0.05, 0.05) != 0");
  check_true(tsim_reject(0.0, 0.05) == 1, "tsim_reject(0, 0.05) != 1");

  for (size_t i = 0; i < sizeof TIES / sizeof TIES[0]; i++) {
    long long x0 = TIES[i].x0, n0 = TIES[i].n0, x1 = TIES[i].x1, n1 = TIES[i].n1;
    double a = TIES[i].alpha, exact = (double)TIES[i].num / (double)TIES[i].den;
    p = tsim_fisher_p(x0, n0, x1, n1);
    check_value("fisher_p tie (exact fraction)", x0, n0, x1, n1, p, exact, EXACT_TOL);
    snprintf(what, sizeof what, "tsim_reject(fisher_p(%lld/%lld vs %lld/%lld) = %.17g, %g) != 0",
             x0, n0, x1, n1, p, a);
    check_true(tsim_reject(p, a) == 0, what);
    snprintf(what, sizeof what,
             "tsim_reject(fisher_p(%lld/%lld vs %lld/%lld) = %.17g, %g*(1+1e-6)) != 1", x0, n0,
             x1, n1, p, a);
    check_true(tsim_reject(p, a * (1 + 1e-6)) == 1, what);
  }
}

/* --- Fisher against brute-force enumeration ---------------------------------------------- */

/* For every table with n0, n1 <= BRUTE_MAX: the hypergeometric weights C(n0,x) C(n1,m-x) are
 * exact in uint64 (at most C(12,6)^2), so is their total C(N,m), and the p-value is that
 * integer ratio rounded once. Same selection rule as R: weight <= observed (1 + 1e-7). */
static void check_brute_force(void) {
  static uint64_t c[2 * BRUTE_MAX + 1][2 * BRUTE_MAX + 1];
  for (int n = 0; n <= 2 * BRUTE_MAX; n++) {
    c[n][0] = c[n][n] = 1;
    for (int k = 1; k < n; k++) c[n][k] = c[n - 1][k - 1] + c[n - 1][k];
  }
  int tables = 0, bad = 0;
  for (int n0 = 0; n0 <= BRUTE_MAX; n0++)
    for (int n1 = 0; n1 <= BRUTE_MAX; n1++)
      for (int x0 = 0; x0 <= n0; x0++)
        for (int x1 = 0; x1 <= n1; x1++) {
          double p = tsim_fisher_p(x0, n0, x1, n1), exact;
          tables++;
          if (is_degenerate(x0, n0, x1, n1)) {
            exact = NAN;
          } else {
            int m = x0 + x1, lo = m - n1 > 0 ? m - n1 : 0, hi = m < n0 ? m : n0;
            uint64_t w_obs = c[n0][x0] * c[n1][x1], sum = 0, total = 0;
            double cut = (double)w_obs * (1.0 + TSIM_REL_TIE);
            for (int x = lo; x <= hi; x++) {
              uint64_t w = c[n0][x] * c[n1][m - x];
              total += w;
              if ((double)w <= cut) sum += w;
            }
            if (total != c[n0 + n1][m]) { /* Vandermonde: the enumeration itself is sound */
              printf("FAIL brute force: weights of %d/%d vs %d/%d do not sum to C(%d,%d)\n", x0,
                     n0, x1, n1, n0 + n1, m);
              n_fail++;
              bad++;
              continue;
            }
            exact = (double)sum / (double)total;
          }
          int before = n_fail;
          check_value("fisher_p vs brute force", x0, n0, x1, n1, p, exact, EXACT_TOL);
          if (n_fail > before) bad++;
        }
  printf("brute force: %d tables with n0, n1 <= %d, %d disagree\n", tables, BRUTE_MAX, bad);
}

int main(int argc, char **argv) {
  if (argc > 2) {
    fprintf(stderr, "usage: %s [REFERENCE.csv]\n", argv[0]);
    return 2;
  }
  int rows;
  if (argc == 2) {
    rows = check_csv(argv[1]);
    printf("reference: %d tables from %s\n", rows, argv[1]);
  } else {
    rows = (int)(sizeof REF / sizeof REF[0]);
    for (int i = 0; i < rows; i++) check_row(&REF[i]);
    printf("reference: %d tables (embedded)\n", rows);
  }
  check_ties();
  check_brute_force();
  printf("%d passed, %d failed\n", n_pass, n_fail);
  return n_fail ? 1 : 0;
}
