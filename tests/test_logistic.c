/* test_logistic.c - sim/stats/logistic.c (logistic regression on strata of 2x2 tables) against R's
 * glm, against the closed form of one table, against invariances of the model, and for
 * robustness on every small table and on extreme counts.
 *
 * Usage: test_logistic [REFERENCE.csv]
 *   Without an argument the reference values are the lines REF below, embedded so that the
 *   test needs neither R nor a file at run time. With an argument they are read from a CSV in
 *   the format of tests/r/logistic_reference.csv (tests/r/check_stattest.sh EXE SRC logistic
 *   regenerates one with R and passes it here). The other checks run either way.
 *
 * REF holds the lines of tests/r/logistic_reference.csv (the output of
 * tests/r/logistic_reference.R, R 4.2.2) after its header, as string literals cut into chunks,
 * written by `sh tests/r/embed_reference.sh logistic`. If the R script changes, regenerate
 * both the CSV and this table.
 *
 * Tolerances: where R's fit on the informative strata is clean ("ok"), the estimate, its
 * standard error, z, p and the interval limits must agree with it to a relative REL_TOL (an
 * estimate or limit smaller than the standard error to REL_TOL of the standard error, z to
 * REL_TOL of max(|z|, 1)); R's fit on every stratum, warned or not, must give the estimate and
 * standard error within DRIFT_TOL (R stops its diverging intercepts near -/+30, which leaves
 * their strata a trace of information). Where R's fit separates, the status must be
 * TSIM_LOGIT_SEPARATED, where nothing is informative TSIM_LOGIT_NO_INFORMATION, p NaN.
 * Output: one line per failed check, a few summary lines, then "N passed, N failed"; exit
 * status 1 if any check failed.
 */
#include "refcheck.h"
#include "stats/logistic.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REL_TOL 1e-9   /* against R's fit on the informative strata */
#define DRIFT_TOL 1e-6 /* against R's fit on every stratum */
#define EXACT_TOL 1e-12 /* against the closed form and the invariances */
#define KMAX 5000       /* strata in the workspace */
#define SMALL_MAX 5     /* every table of two strata with arms up to this size */

/* name,k,x0,n0,x1,n1,conf,status,est,se,z,p,lo,hi,full_est,full_se,full_flag
 * (tests/r/logistic_reference.csv, R 4.2.2) */
static const char *const REF[] = {
    "lupil2_itt,1,29,50,34,50,0.94999999999999996,ok,0.43099841011332979,0.4171493389010939,1.033"
    "1993123822725,0.30151063462353778,-0.38659927030750735,1.2485960905341669,0.4309984101133297"
    "9,0.4171493389010939,clean",
    "lupil2_pp,1,15,29,20,24,0.94999999999999996,ok,1.5404450409471497,0.66188763252929739,2.3273"
    "512983776206,0.019946575571698513,0.24316911937724517,2.8377209625170545,1.5404450409471497,"
    "0.66188763252929739,clean",
    "single_90,1,12,40,20,38,0.90000000000000002,ok,0.9526583760450299,0.47392317373512621,2.0101"
    "536047221589,0.044414934081809229,0.1731241248304547,1.7321926272596047,0.9526583760450299,0"
    ".47392317373512621,clean",
    "three,3,3;8;12,10;20;30,6;11;15,10;20;28,0.94999999999999996,ok,0.68339380382633463,0.374576"
    "68431096136,1.8244429844410801,0.068085128584545754,-0.050763006871578975,1.4175506145242482"
    ",0.68339380382633463,0.37457668431096136,clean",
    "opposite,2,3;2,5;5,2;3,5;5,0.94999999999999996,ok,-9.9301366129890917e-17,0.8944271909999156"
    "3,-1.1102230246251568e-16,0.99999999999999989,-1.7530450811531622,1.7530450811531622,-9.9301"
    "366129890917e-17,0.89442719099991563,clean",
    "lupil2_sites,12,7;8;2;1;2;1;2;1;2;1;1;1,7;8;4;3;4;4;3;4;3;4;3;3,4;5;3;3;3;2;3;3;2;3;2;1,7;8;"
    "4;3;4;3;4;3;4;3;4;3,0.94999999999999996,ok,0.46509090652868496,0.44027212438382823,1.0563714"
    "593096059,0.29079854003465483,-0.39782660066055714,1.3280084137179271,0.46509090652868496,0."
    "44027212438382823,clean",
    "all_resp_stratum,3,4;3;7,4;9;11,6;8;10,6;9;10,0.94999999999999996,ok,3.1567723473487512,1.18"
    "09286489528319,2.6731270768542745,0.007514777760507579,0.84219472708965659,5.471349967607846"
    "3,3.1567723473487508,1.1809286489528348,warned",
    "no_resp_stratum,3,0;2;6,5;8;12,0;6;9,5;9;12,0.94999999999999996,ok,1.3872620819831625,0.6822"
    "1294564780921,2.0334736988402637,0.042004688155068623,0.050149278726475233,2.724374885239849"
    "5,1.3872620819831658,0.6822129456478091,warned",
    "tiny,5,0;1;0;4;2,0;1;0;10;8,0;0;0;8;5,0;0;1;10;9,0.94999999999999996,ok,1.571042123305239,0."
    "73331519792132882,2.1423831495086274,0.03216266271772629,0.13377074606357331,3.0083135005469"
    "046,1.571042123305239,0.73331519792132949,warned",
    "one_arm,3,0;3;4,0;6;10,3;5;8,5;9;10,0.94999999999999996,ok,1.0746066872509838,0.716798571377"
    "16441,1.4991752636816407,0.1338281704428676,-0.33029269681802131,2.4795060713199888,1.074606"
    "6872509841,0.71679857137716418,clean",
    "two_per_stratum,6,1;0;1;1;0;1,1;1;1;1;1;1,1;1;0;1;1;0,1;1;1;1;1;1,0.94999999999999996,ok,3.1"
    "401849173675518e-16,1.4142135623730949,2.2204460492503146e-16,0.99999999999999978,-2.7718076"
    "486993541,2.771807648699355,4.6421083434198756e-15,1.4142135623725398,clean",
    "separated_1,1,0,10,5,10,0.94999999999999996,separated,NaN,NaN,NaN,NaN,NaN,NaN,31.11838047860"
    "935,21221686.185295597,warned",
    "separated_zero_cell,1,3,10,10,10,0.94999999999999996,separated,NaN,NaN,NaN,NaN,NaN,NaN,31.96"
    "5562639927928,21221686.14264781,warned",
    "separated_strata,3,0;0;1,5;4;6,3;4;6,5;4;6,0.94999999999999996,separated,NaN,NaN,NaN,NaN,NaN"
    ",NaN,62.819826494462689,18612649.97595771,warned",
    "separated_low,3,5;3;4,5;6;4,2;0;0,5;6;4,0.94999999999999996,separated,NaN,NaN,NaN,NaN,NaN,Na"
    "N,-62.750715285323992,18612650.02799115,warned",
    "nothing,2,0;5,4;5,0;3,6;3,0.94999999999999996,none,NaN,NaN,NaN,NaN,NaN,NaN,-0.34638820540548"
    "459,32457258.002575167,warned",
    "stratum_separated,3,0;4;6,6;10;12,5;6;7,6;10;12,0.94999999999999996,ok,1.1877978754628014,0."
    "56148316487162886,2.11546480780838,0.034390351294330719,0.087311094388843768,2.2882846565367"
    "592,1.1877978754628014,0.56148316487162886,clean",
    "rare,1,1,1000,30,1000,0.94999999999999996,ok,3.4306560888132727,1.0175289981958113,3.3715560"
    "882256881,0.0007474481729147325,1.4363358991243613,5.424976278502184,3.4306560888132727,1.01"
    "75289981958113,clean",
    "big_effect,1,2,2000,1990,2000,0.94999999999999996,ok,12.200059603373031,0.77524384103539368,"
    "15.737060983391984,8.4267675515669484e-56,10.680609595707164,13.719509611038898,12.200059603"
    "373031,0.77524384103539368,clean",
    "huge_counts,1,5000000,10000000,5003000,10000000,0.94999999999999996,ok,0.0012000001439999711"
    ",0.0008944272714983886,1.3416408267490232,0.179712481822351,-0.00055304509492729893,0.002953"
    "0453829272412,0.0012000001439999711,0.0008944272714983886,clean",
    "huge_strata,3,1000000;2500000;7000000,2000000;5000000;10000000,1001000;2499000;7003000,20000"
    "00;5000000;10000000,0.94999999999999996,ok,0.00077934232858400693,0.00072080619377551164,1.0"
    "812092561273492,0.27960404157353863,-0.00063341185104939476,0.0021920965082174084,0.00077934"
    "232858400693,0.00072080619377551164,clean",
    "many_40,40,1;3;2;4;0;7;1;4;3;0;2;0;3;4;3;1;2;2;6;3;4;1;4;7;5;2;2;5;0;2;1;4;2;2;2;1;7;2;8;5,4"
    ";8;5;8;5;12;4;9;6;1;10;4;6;10;10;3;3;6;11;7;9;4;12;10;12;4;9;8;3;6;3;12;3;11;2;3;11;8;12;7,0"
    ";2;1;4;3;3;6;2;7;3;5;2;3;6;1;4;2;3;7;5;7;4;8;4;0;1;5;5;2;4;6;1;0;0;7;1;8;2;7;4,1;4;1;5;6;3;7"
    ";4;7;6;6;2;5;7;1;6;3;4;7;11;9;12;11;9;3;5;9;6;2;7;11;5;2;2;9;4;10;4;10;11,0.9499999999999999"
    "6,ok,0.86020170020284459,0.20242817966959398,4.2494167640438079,2.1432783039691831e-05,0.463"
    "44975859443732,1.2569536418112519,0.86020170020284459,0.20242817966959398,clean",
    "many_200,200,1;0;1;1;1;1;0;2;1;3;2;3;4;0;0;1;0;2;0;2;1;1;2;0;1;1;0;1;2;0;1;1;3;2;1;1;1;1;0;0"
    ";1;2;0;3;3;0;1;1;1;2;2;4;1;0;4;2;1;0;0;1;0;1;0;0;0;1;1;1;0;0;0;0;0;0;1;1;1;1;1;2;3;2;1;0;2;1"
    ";1;1;0;5;0;1;0;0;1;0;2;0;1;0;0;1;1;0;1;1;3;0;0;0;3;1;0;0;3;0;3;1;0;0;0;1;1;2;1;2;1;1;0;2;2;0"
    ";2;1;2;1;0;2;1;2;0;2;0;0;0;0;1;4;2;1;2;1;3;1;1;1;3;1;0;2;1;0;1;1;0;2;3;1;2;2;1;1;2;0;1;0;1;0"
    ";2;1;4;2;1;2;0;1;1;1;2;1;0;1;0;3;1;0;1;0;3;0,4;3;6;1;1;6;4;3;3;5;2;6;4;2;1;4;3;6;1;4;6;4;4;6"
    ";6;6;3;5;6;5;6;2;6;3;4;1;6;3;1;1;4;6;4;6;5;3;2;3;4;4;5;6;3;3;6;3;1;1;3;3;2;4;4;2;1;5;5;2;2;1"
    ";3;4;1;6;6;1;5;3;1;4;6;6;4;2;2;1;2;1;3;5;3;3;3;5;3;3;4;4;1;1;4;6;2;5;2;1;5;6;1;5;6;2;6;1;5;2"
    ";6;5;2;1;1;3;1;4;3;6;4;2;1;3;2;1;4;3;4;4;3;4;2;5;3;4;1;2;1;3;2;5;3;3;6;2;6;1;3;1;5;5;1;4;6;3"
    ";3;5;3;2;6;4;5;3;2;4;5;1;2;1;4;4;6;6;6;6;3;6;2;2;5;2;6;3;1;4;1;6;5;1;5;1;3;4,1;1;1;2;3;3;2;3"
    ";3;5;2;4;1;1;5;1;0;1;1;1;1;2;2;2;1;0;2;3;3;0;4;1;2;3;1;2;2;3;1;3;2;0;1;1;4;1;1;1;1;1;1;1;2;1"
    ";1;4;1;4;0;2;2;2;2;3;0;2;5;5;3;3;2;1;1;4;2;0;1;1;0;3;1;2;1;1;3;1;1;2;1;1;1;1;3;4;1;1;2;4;3;1"
    ";1;2;2;3;2;6;4;2;0;2;3;1;2;0;0;1;1;1;1;2;2;3;5;2;3;1;1;3;2;1;0;2;1;5;3;1;3;0;1;0;4;0;2;2;0;3"
    ";1;4;5;4;1;2;3;1;2;3;0;0;2;1;2;1;2;2;1;3;4;2;0;2;3;3;0;1;3;0;1;0;6;4;3;1;1;0;1;1;1;6;1;1;0;2"
    ";3;1;1;4;2;0;2;1,2;2;2;5;4;5;4;3;5;6;2;5;1;3;5;1;1;1;1;3;2;5;4;2;1;4;5;5;4;3;5;5;3;4;4;3;5;5"
    ";6;5;4;3;4;1;5;2;2;1;4;1;5;6;6;1;1;4;1;5;2;2;2;4;4;6;1;3;6;6;6;6;6;4;2;5;5;2;3;2;2;5;2;3;2;4"
    ";6;5;3;6;1;4;2;4;6;5;5;1;2;6;4;2;1;2;2;5;4;6;6;6;1;5;4;1;5;4;1;4;3;2;2;3;3;6;6;2;6;1;6;6;4;1"
    ";3;4;1;6;4;3;6;3;5;2;5;1;6;3;2;4;1;4;6;4;1;6;3;1;2;5;1;1;6;1;3;5;4;3;2;5;4;4;1;4;4;3;6;5;5;2"
    ";2;3;6;4;6;4;2;1;2;6;1;6;2;2;1;5;6;1;1;4;5;3;3;1,0.94999999999999996,ok,1.211371288106188,0."
    "137870831795047,8.7862767804792945,1.5459842388939392e-18,0.94114942326931617,1.481593152943"
    "0597,1.2113712881061898,0.13787083179503723,clean",
};

static tsim_logit_ws *ws;

/* --- Parsing a reference line ------------------------------------------------------------- */

typedef struct {
  char *name, *status, *flag;
  long long k;
  long long *x0, *n0, *x1, *n1; /* one block of 4k */
  double conf, est, se, z, p, lo, hi, full_est, full_se;
} ref_case;

/* One reference line (modified in place) into c; 1 on success. */
static int parse_case(char *line, ref_case *c) {
  char *f[18];
  memset(c, 0, sizeof *c);
  if (refcheck_split(line, ',', f, 17) != 17 || !parse_ll(f[1], &c->k) || c->k < 1 ||
      c->k > KMAX)
    return 0;
  double *out[] = {&c->conf, &c->est, &c->se, &c->z, &c->p, &c->lo, &c->hi, &c->full_est, &c->full_se};
  const int col[] = {6, 8, 9, 10, 11, 12, 13, 14, 15};
  for (int i = 0; i < 9; i++)
    if (!parse_double(f[col[i]], out[i])) return 0;
  c->name = f[0];
  c->status = f[7];
  c->flag = f[16];
  c->x0 = malloc(4 * (size_t)c->k * sizeof *c->x0);
  if (!c->x0) return 0;
  c->n0 = c->x0 + c->k;
  c->x1 = c->n0 + c->k;
  c->n1 = c->x1 + c->k;
  if (refcheck_parse_counts(f[2], c->k, c->x0) && refcheck_parse_counts(f[3], c->k, c->n0) &&
      refcheck_parse_counts(f[4], c->k, c->x1) && refcheck_parse_counts(f[5], c->k, c->n1))
    return 1;
  free(c->x0);
  return 0;
}

/* --- Checks against R --------------------------------------------------------------------- */

static double worst_rel, worst_drift; /* largest errors against R, on the scales compared */

static void check_case(const ref_case *c) {
  tsim_logit_fit f;
  int k = (int)c->k;
  double p = tsim_logistic(ws, c->x0, c->n0, c->x1, c->n1, k, c->conf, &f);
  char what[160];
  check_num("returned p", c->name, p, f.p, 0, 0);
  if (strcmp(c->status, "ok") == 0) {
    snprintf(what, sizeof what, "%s: status %s, R fits it", c->name, tsim_logit_status_name(f.status));
    check_true(f.status == TSIM_LOGIT_OK, what);
    refcheck_against("estimate", c->name, f.est, c->est, c->se, REL_TOL, &worst_rel);
    refcheck_against("se", c->name, f.se, c->se, 0, REL_TOL, &worst_rel);
    refcheck_against("z", c->name, f.z, c->z, 1.0, REL_TOL, &worst_rel);
    refcheck_against("p", c->name, f.p, c->p, 0, REL_TOL, &worst_rel);
    refcheck_against("lo", c->name, f.lo, c->lo, c->se, REL_TOL, &worst_rel);
    refcheck_against("hi", c->name, f.hi, c->hi, c->se, REL_TOL, &worst_rel);
    refcheck_against("estimate vs R on every stratum", c->name, f.est, c->full_est, c->full_se,
                     DRIFT_TOL, &worst_drift);
    refcheck_against("se vs R on every stratum", c->name, f.se, c->full_se, 0, DRIFT_TOL,
                     &worst_drift);
  } else {
    tsim_logit_status want = strcmp(c->status, "separated") == 0 ? TSIM_LOGIT_SEPARATED
                                                                  : TSIM_LOGIT_NO_INFORMATION;
    snprintf(what, sizeof what, "%s: status %s, expected %s", c->name,
             tsim_logit_status_name(f.status), tsim_logit_status_name(want));
    check_true(f.status == want && isnan(p) && isnan(f.est) && isnan(f.se) && isnan(f.lo), what);
  }
}

static int check_line(char *line, const char *where) {
  ref_case c;
  if (!parse_case(line, &c)) {
    printf("FAIL %s: not a reference line (name,k,x0,n0,x1,n1,conf,status,...,full_flag)\n", where);
    n_fail++;
    return 0;
  }
  check_case(&c);
  free(c.x0);
  return 1;
}

/* --- One table: the closed form ----------------------------------------------------------- */

/* With one stratum the model is saturated: b = log(x1 (n0 - x0) / (x0 (n1 - x1))) and
 * se^2 = 1/x0 + 1/(n0 - x0) + 1/x1 + 1/(n1 - x1), finite iff no cell is 0. Every table with
 * arms up to 40, and tables of 1e7. */
static void check_closed_form(void) {
  int bad = 0, cases = 0;
  long long big[][4] = {{1, 10000000, 2, 10000000}, {5000000, 10000000, 5003000, 10000000},
                        {9999999, 10000000, 1, 10000000}, {1, 1, 9999999, 10000000}};
  for (int n0 = 1; n0 <= 40 + 4; n0++)
    for (int x0 = 0; x0 <= (n0 <= 40 ? n0 : 0); x0++)
      for (int n1 = 1; n1 <= 40; n1 += 3)
        for (int x1 = 0; x1 <= n1; x1++) {
          long long a0 = x0, m0 = n0, a1 = x1, m1 = n1;
          if (n0 > 40) { a0 = big[n0 - 41][0]; m0 = big[n0 - 41][1]; a1 = big[n0 - 41][2]; m1 = big[n0 - 41][3]; }
          tsim_logit_fit f;
          tsim_logistic(ws, &a0, &m0, &a1, &m1, 1, 0.95, &f);
          cases++;
          double c[4] = {(double)a0, (double)(m0 - a0), (double)a1, (double)(m1 - a1)};
          int finite = c[0] > 0 && c[1] > 0 && c[2] > 0 && c[3] > 0;
          double b = finite ? log(c[2] * c[1] / (c[0] * c[3])) : NAN;
          double se = finite ? sqrt(1 / c[0] + 1 / c[1] + 1 / c[2] + 1 / c[3]) : NAN;
          int ok = finite ? f.status == TSIM_LOGIT_OK && fabs(f.est - b) <= EXACT_TOL * fmax(fabs(b), se) &&
                                fabs(f.se - se) <= EXACT_TOL * se
                          : f.status != TSIM_LOGIT_OK && isnan(f.p);
          if (!ok && bad++ < 5)
            printf("FAIL closed form: %lld/%lld vs %lld/%lld: %s, b %.17g vs %.17g, se %.17g vs %.17g\n",
                   a0, m0, a1, m1, tsim_logit_status_name(f.status), f.est, b, f.se, se);
        }
  check_true(bad == 0, "one table disagrees with the closed form");
  printf("closed form: %d tables, %d bad\n", cases, bad);
}

/* --- Invariances -------------------------------------------------------------------------- */

static long long *counts; /* 4 KMAX scratch counts */

static void check_invariances(void) {
  long long x0[] = {3, 8, 12, 0, 5, 0}, n0[] = {10, 20, 30, 4, 5, 3};
  long long x1[] = {6, 11, 15, 0, 7, 0}, n1[] = {10, 20, 28, 6, 7, 0};
  tsim_logit_fit f, g;
  /* strata 4-6 (all 0, all 1, no experimental arm) change nothing at all */
  tsim_logistic(ws, x0, n0, x1, n1, 6, 0.95, &f);
  tsim_logistic(ws, x0, n0, x1, n1, 3, 0.95, &g);
  check_true(f.status == TSIM_LOGIT_OK && f.est == g.est && f.se == g.se && f.p == g.p && f.strata == 3,
             "uninformative strata change the fit");
  /* the arms swapped, or responders and non-responders swapped: b -> -b */
  tsim_logistic(ws, x1, n1, x0, n0, 6, 0.95, &g);
  check_num("estimate with the arms swapped", "invariance", -g.est, f.est, EXACT_TOL, 0);
  check_num("p with the arms swapped", "invariance", g.p, f.p, EXACT_TOL, 0);
  long long y0[6], y1[6];
  for (int i = 0; i < 6; i++) { y0[i] = n0[i] - x0[i]; y1[i] = n1[i] - x1[i]; }
  tsim_logistic(ws, y0, n0, y1, n1, 6, 0.95, &g);
  check_num("estimate with the outcome reversed", "invariance", -g.est, f.est, EXACT_TOL, 0);
  check_num("se with the outcome reversed", "invariance", g.se, f.se, EXACT_TOL, 0);
  /* the strata in another order */
  long long r0[] = {12, 3, 8}, s0[] = {30, 10, 20}, r1[] = {15, 6, 11}, s1[] = {28, 10, 20};
  tsim_logistic(ws, r0, s0, r1, s1, 3, 0.95, &g);
  check_num("estimate with the strata reordered", "invariance", g.est, f.est, EXACT_TOL, 0);
  /* K copies of one table of 1e7 per arm: the same b, se / sqrt(K), in O(K) per step */
  long long a[] = {5000000, 10000000, 5003000, 10000000};
  tsim_logistic(ws, &a[0], &a[1], &a[2], &a[3], 1, 0.95, &g);
  long long *c0 = counts, *m0 = counts + KMAX, *c1 = counts + 2 * KMAX, *m1 = counts + 3 * KMAX;
  for (int i = 0; i < KMAX; i++) { c0[i] = a[0]; m0[i] = a[1]; c1[i] = a[2]; m1[i] = a[3]; }
  clock_t t0 = clock();
  tsim_logistic(ws, c0, m0, c1, m1, KMAX, 0.95, &f);
  double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
  printf("invariance: %d strata of 1e7 per arm: %d iterations, %.3f s\n", KMAX, f.iterations, secs);
  check_true(f.status == TSIM_LOGIT_OK, "5000 strata of 1e7 per arm do not fit");
  check_num("estimate of 5000 copies", "invariance", f.est, g.est, 1e-9, 0);
  check_num("se of 5000 copies", "invariance", f.se, g.se / sqrt((double)KMAX), 1e-9, 0);
}

/* --- Robustness: every small pair of strata, random strata -------------------------------- */

/* Every pair of strata with arms up to SMALL_MAX patients (zeros included): the fit must never
 * fail to converge, and must be separated exactly when the experimental responders are all at
 * one end of their range. */
static void check_small_tables(void) {
  int cases = 0, bad = 0, ok = 0;
  int most_iterations = 0;
  long long v[8];
  for (long long code = 0;; code++) {
    long long c = code;
    for (int i = 0; i < 4; i++) { /* (n0, n1) of each stratum, then the x */
      v[2 * i + 1] = c % (SMALL_MAX + 1);
      c /= SMALL_MAX + 1;
    }
    if (c) break;
    long long xmax[4] = {v[1], v[3], v[5], v[7]};
    long long idx[4] = {0, 0, 0, 0};
    for (;;) {
      long long x0[2] = {idx[0], idx[2]}, n0[2] = {xmax[0], xmax[2]};
      long long x1[2] = {idx[1], idx[3]}, n1[2] = {xmax[1], xmax[3]};
      tsim_logit_fit f;
      tsim_logistic(ws, x0, n0, x1, n1, 2, 0.95, &f);
      cases++;
      ok += f.status == TSIM_LOGIT_OK;
      if (f.iterations > most_iterations) most_iterations = f.iterations;
      int good = f.status == TSIM_LOGIT_OK ? isfinite(f.est) && f.se > 0 && f.p >= 0 && f.p <= 1
                                           : f.status != TSIM_LOGIT_NO_CONVERGENCE &&
                                                 f.status != TSIM_LOGIT_BAD_ARGS && isnan(f.p);
      if (!good && bad++ < 5)
        printf("FAIL small tables: %lld/%lld vs %lld/%lld and %lld/%lld vs %lld/%lld: %s\n", x0[0],
               n0[0], x1[0], n1[0], x0[1], n0[1], x1[1], n1[1], tsim_logit_status_name(f.status));
      int j = 0;
      while (j < 4 && ++idx[j] > xmax[j]) idx[j++] = 0;
      if (j == 4) break;
    }
  }
  check_true(bad == 0, "a small table failed");
  printf("small tables: %d pairs of strata, %d fitted, %d bad, at most %d iterations\n", cases,
         ok, bad, most_iterations);
}

/* Random strata from 1 to 3000 with extreme rates and sizes up to 1e7. */
static void check_random(void) {
  unsigned long long s = 0x9E3779B97F4A7C15ULL;
  int bad = 0, fits = 0, most = 0;
  for (int rep = 0; rep < 200; rep++) {
    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
    int k = 1 + (int)(s % (rep < 190 ? 60 : 3000));
    long long *x0 = counts, *n0 = counts + KMAX, *x1 = counts + 2 * KMAX, *n1 = counts + 3 * KMAX;
    for (int i = 0; i < k; i++) {
      long long *x[2] = {&x0[i], &x1[i]}, *n[2] = {&n0[i], &n1[i]};
      for (int a = 0; a < 2; a++) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        static const long long SIZES[] = {0, 1, 2, 5, 30, 1000, 10000000};
        *n[a] = SIZES[s % 7];
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        long long r = (long long)(s % 5);
        *x[a] = r == 0 ? 0 : r == 1 ? *n[a] : r == 2 && *n[a] ? 1 : (long long)(s >> 20) % (*n[a] + 1);
      }
    }
    tsim_logit_fit f;
    tsim_logistic(ws, x0, n0, x1, n1, k, 0.95, &f);
    fits += f.status == TSIM_LOGIT_OK;
    if (f.iterations > most) most = f.iterations;
    if ((f.status == TSIM_LOGIT_NO_CONVERGENCE || f.status == TSIM_LOGIT_BAD_ARGS ||
         (f.status == TSIM_LOGIT_OK && !(f.se > 0 && isfinite(f.est)))) && bad++ < 5)
      printf("FAIL random strata, rep %d (k = %d): %s\n", rep, k, tsim_logit_status_name(f.status));
  }
  check_true(bad == 0, "random strata failed");
  printf("random strata: 200 sets, %d fitted, %d bad, at most %d iterations\n", fits, bad, most);
}

static void check_arguments(void) {
  long long x0[] = {3}, n0[] = {10}, x1[] = {6}, n1[] = {10}, neg[] = {-1}, over[] = {11};
  long long huge[] = {TSIM_LOGIT_NMAX + 1};
  tsim_logit_fit f;
  static const char *const what[] = {"no workspace", "k = 0", "k above kmax", "a negative count",
                                     "x > n", "conf = 1", "n above TSIM_LOGIT_NMAX"};
  tsim_logit_ws *small = tsim_logit_ws_new(1);
  long long two0[] = {3, 3}, two1[] = {10, 10};
  for (int i = 0; i < 7; i++) {
    double p = i == 0 ? tsim_logistic(NULL, x0, n0, x1, n1, 1, 0.95, &f)
             : i == 1 ? tsim_logistic(ws, x0, n0, x1, n1, 0, 0.95, &f)
             : i == 2 ? tsim_logistic(small, two0, two1, two0, two1, 2, 0.95, &f)
             : i == 3 ? tsim_logistic(ws, neg, n0, x1, n1, 1, 0.95, &f)
             : i == 4 ? tsim_logistic(ws, x0, n0, over, n1, 1, 0.95, &f)
             : i == 5 ? tsim_logistic(ws, x0, n0, x1, n1, 1, 1.0, &f)
                      : tsim_logistic(ws, x0, n0, x1, huge, 1, 0.95, &f);
    char msg[96];
    snprintf(msg, sizeof msg, "logistic regression with %s is not rejected as bad arguments", what[i]);
    check_true(isnan(p) && f.status == TSIM_LOGIT_BAD_ARGS && isnan(f.est), msg);
  }
  tsim_logit_ws_free(small);
  check_true(tsim_logit_ws_new(0) == NULL, "a workspace for 0 strata");
  check_num("p with NULL output", "3/10 vs 6/10", tsim_logistic(ws, x0, n0, x1, n1, 1, 0.95, NULL),
            tsim_logistic(ws, x0, n0, x1, n1, 1, 0.95, &f), 0, 0);
}

int main(int argc, char **argv) {
  if (!refcheck_args_ok(argc, argv)) return 2;
  ws = tsim_logit_ws_new(KMAX);
  counts = malloc(4 * KMAX * sizeof *counts);
  if (!ws || !counts) return 1;
  refcheck_reference(argc == 2 ? argv[1] : NULL, "name,", check_line, REF,
                     sizeof REF / sizeof REF[0]);
  printf("worst relative error against R (informative strata): %.3g (tolerance %g)\n", worst_rel, REL_TOL);
  printf("worst relative error against R (every stratum): %.3g (tolerance %g)\n", worst_drift, DRIFT_TOL);
  check_closed_form();
  check_invariances();
  check_small_tables();
  check_random();
  check_arguments();
  tsim_logit_ws_free(ws);
  free(counts);
  return refcheck_summary();
}
