/* test_contest.c - sim/stats/contest.c (Welch's and Student's t-tests from summary statistics)
 * against reference values computed with R's t.test, the published pSS 2022 VAS intervals,
 * and the tail and argument checks.
 *
 * Usage: test_contest [REFERENCE.csv]
 *   Without an argument the reference values are the table REF below, embedded so that the
 *   test needs neither R nor a file at run time. With an argument they are read from a CSV in
 *   the format of tests/r/contest_reference.csv (tests/r/check_stattest.sh EXE SRC contest
 *   regenerates one with R and passes it here). The other checks run either way.
 *
 * REF was generated once from tests/r/contest_reference.csv (the output of
 * tests/r/contest_reference.R, R 4.2.2) with:
 *   awk -F, 'NR>1 { printf "    {"; for(i=1;i<=18;i++){ v=$i;
 *     if(v=="NaN"||v=="NA") v="NAN"; else if (i!=3 && i!=6 && v !~ /[.eE]/) v=v ".0";
 *     printf "%s%s", (i>1?", ":""), v } printf "},\n" }' tests/r/contest_reference.csv
 * If the R script changes, regenerate both the CSV and this table.
 *
 * t, df and p must agree with R to a relative REL_TOL, the difference and the interval limits
 * to an absolute ABS_TOL; an undefined test gives NaN everywhere. GSL's default error handler
 * (abort) stays installed: the library must never raise a GSL error, even in the far tail.
 * Output: one line per failed check, a few summary lines, then "N passed, N failed"; exit
 * status 1 if any check failed.
 */
#include "refcheck.h"
#include "stats/contest.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_machine.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_result.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REL_TOL 1e-9 /* t, df and p against R */
#define ABS_TOL 1e-9 /* difference and interval limits against R */

typedef struct {
  double mean0, sd0;
  long long n0;
  double mean1, sd1;
  long long n1;
  double conf, diff;
  double w_t, w_df, w_p, w_lo, w_hi; /* Welch */
  double s_t, s_df, s_p, s_lo, s_hi; /* Student */
} ref_row;

/* mean0, sd0, n0, mean1, sd1, n1, conf, diff, welch_t, welch_df, welch_p, welch_lo, welch_hi,
 * student_t, student_df, student_p, student_lo, student_hi (R 4.2.2) */
static const ref_row REF[] = {
    {1.2288781103819701e-15, 19.59, 30, -18.333333333333332, 19.59, 30, 0.94999999999999996, -18.333333333333332, -3.6245377580637728, 57.999999999999993, 0.00061109772958519034, -28.458253068091494, -8.2084135985751718, -3.6245377580637728, 58.0, 0.00061109772958519088, -28.458253068091494, -8.2084135985751736},
    {-6.1616203314342657e-16, 17.5, 30, -10.333333333333334, 17.5, 30, 0.94999999999999996, -10.333333333333334, -2.2869044520462838, 58.000000000000021, 0.025869079646083201, -19.378054893224494, -1.2886117734421716, -2.2869044520462842, 58.0, 0.025869079646083173, -19.37805489322449, -1.2886117734421754},
    {6.8550489359016825e-17, 17.379999999999999, 30, -11.666666666666666, 17.379999999999999, 30, 0.94999999999999996, -11.666666666666666, -2.5998162086164096, 57.999999999999993, 0.011811202086192386, -20.649367278718572, -2.683966054614761, -2.5998162086164096, 58.0, 0.011811202086192381, -20.649367278718572, -2.6839660546147628},
    {2.8849174206942627e-16, 20.0, 30, -18.329999999999998, 20.0, 30, 0.94999999999999996, -18.329999999999998, -3.5495892367990973, 58.000000000000007, 0.00077279600577053582, -28.66682463987561, -7.9931753601243871, -3.5495892367990973, 58.0, 0.00077279600577053582, -28.666824639875607, -7.9931753601243898},
    {50.0, 19.999999999999996, 30, 31.670000000000002, 20.0, 30, 0.94999999999999996, -18.329999999999998, -3.5495892367990973, 58.000000000000007, 0.00077279600577053582, -28.66682463987561, -7.9931753601243871, -3.5495892367990978, 58.0, 0.00077279600577053516, -28.666824639875607, -7.9931753601243907},
    {50.0, 7.9999999999999991, 20, 56.0, 11.999999999999998, 25, 0.94999999999999996, 6.0, 2.0044593143431833, 41.784011220196355, 0.051530072003844192, -0.041701490789611662, 12.041701490789611, 1.9187253188810194, 43.0, 0.061673067873341994, -0.30634988567494748, 12.306349885674948},
    {50.0, 8.0, 20, 56.0, 11.999999999999998, 25, 0.90000000000000002, 6.0, 2.0044593143431833, 41.784011220196355, 0.051530072003844192, 0.96478145841393359, 11.035218541586067, 1.9187253188810194, 43.0, 0.061673067873341994, 0.74316405794998641, 11.256835942050014},
    {50.0, 8.0, 20, 56.0, 12.000000000000002, 25, 0.98999999999999999, 6.0, 2.0044593143431828, 41.784011220196355, 0.051530072003844268, -2.0781659871731102, 14.07816598717311, 1.9187253188810187, 43.0, 0.061673067873342084, -2.4277891763978938, 14.427789176397892},
    {10.5, 3.2000000000000002, 40, 9.0999999999999996, 2.8999999999999999, 38, 0.94999999999999996, -1.4000000000000004, -2.0263998060054211, 75.836969515771926, 0.046240268432663399, -2.7760554982926577, -0.023944501707342643, -2.0212410725923329, 76.0, 0.046776419940115804, -2.779519588886227, -0.020480411113773838},
    {-2.0, 0.99999999999999989, 15, -1.5, 1.4999999999999998, 12, 0.80000000000000004, 0.5, 0.99176940736092944, 18.386510941410513, 0.3341833987367826, -0.17017905507041337, 1.1701790550704134, 1.0369516947304254, 25.0, 0.30968472919069367, -0.13471860809103486, 1.134718608091035},
    {100.0, 20.000000000000004, 5, 110.0, 2.9999999999999987, 50, 0.94999999999999996, 10.0, 1.1167783190583001, 4.0180185894923177, 0.32638157396255441, -14.81729443581345, 34.817294435813444, 3.4356197608383203, 53.0, 0.0011567362322967888, 4.1619092479883468, 15.838090752011656},
    {100.0, 3.0000000000000004, 50, 110.0, 20.0, 5, 0.94999999999999996, 10.0, 1.1167783190583001, 4.0180185894923204, 0.32638157396255429, -14.81729443581345, 34.817294435813444, 3.4356197608383203, 53.0, 0.0011567362322967888, 4.1619092479883468, 15.838090752011656},
    {1.0, 0.99999999999999989, 2, 3.0, 1.0000000000000002, 2, 0.94999999999999996, 2.0, 2.0, 1.9999999999999996, 0.18350341907227388, -2.3026527297494619, 6.3026527297494619, 2.0, 2.0, 0.18350341907227391, -2.3026527297494619, 6.3026527297494619},
    {0.99999999999999989, 2.0, 2, 3.0, 0.49999999999999972, 3, 0.94999999999999996, 2.0, 1.3856406460551016, 1.0841283607979186, 0.38472475217416546, -13.296110481483222, 17.296110481483222, 1.7888543819998319, 3.0, 0.17158592833347566, -1.5580831366787089, 5.5580831366787091},
    {0.0, 10.0, 2, 5.0, 0.099999999999999964, 100, 0.94999999999999996, 5.0, 0.70710607408082693, 1.0000040000039601, 0.60817336491174767, -84.845675907367152, 94.845675907367152, 6.966998711055056, 100.0, 3.493961494680062e-10, 3.576164858925956, 6.4238351410740444},
    {5.0, 0.0, 10, 7.0, 1.9999999999999998, 10, 0.94999999999999996, 2.0, 3.16227766016838, 9.0, 0.011507985165943639, 0.56928618805867093, 3.4307138119413296, 3.16227766016838, 18.0, 0.0053911564304565899, 0.67126023327807871, 3.3287397667219212},
    {5.0, 3.0, 10, 5.0, 0.0, 12, 0.94999999999999996, 0.0, 0.0, 9.0, 1.0, -2.1460707179119942, 2.1460707179119942, 0.0, 20.0, 1.0, -1.797442155181078, 1.797442155181078},
    {20.0, 4.0, 25, 20.0, 5.0, 25, 0.94999999999999996, 0.0, 0.0, 45.793416572077206, 1.0, -2.578077966318153, 2.578077966318153, 0.0, 48.0, 1.0, -2.5748688298337274, 2.5748688298337274},
    {30.0, 6.0000000000000009, 25, 26.0, 6.0000000000000009, 30, 0.94999999999999996, -4.0, -2.4618298195866544, 51.226277372262778, 0.017228354507421172, -7.2615877233979855, -0.73841227660201425, -2.4618298195866544, 53.0, 0.017110170987752703, -7.2589514991814283, -0.74104850081857077},
    {-5.4481159167396598e-18, 0.99999999999999989, 30, 9.9999999984585081e-08, 1.0, 30, 0.94999999999999996, 9.9999999990033197e-08, 3.8729833458214046e-07, 57.999999999999979, 0.99999969230968622, -0.51684113199378046, 0.51684133199378057, 3.8729833458214046e-07, 58.0, 0.99999969230968622, -0.51684113199378034, 0.51684133199378046},
    {5.0, 2.0, 1000, 5.0000099999999996, 2.0, 1000, 0.94999999999999996, 9.9999999996214228e-06, 0.00011180339887075686, 1997.9999999999998, 0.99991080495562057, -0.17540076877542235, 0.17542076877542159, 0.00011180339887075684, 1998.0, 0.99991080495562057, -0.17540076877542235, 0.17542076877542159},
    {-1.0272815584300154e-18, 0.99999999999999989, 40, 0.14999999999999994, 1.0, 40, 0.94999999999999996, 0.14999999999999994, 0.6708203932499367, 77.999999999999986, 0.50431653573501722, -0.29516693786691417, 0.59516693786691399, 0.6708203932499367, 78.0, 0.50431653573501745, -0.29516693786691423, 0.59516693786691421},
    {2.4015800922002246e-16, 5.0000000000000009, 30, 50.0, 5.0, 30, 0.94999999999999996, 50.0, 38.729833462074161, 58.000000000000007, 3.8130150168417209e-43, 47.415793840031093, 52.584206159968907, 38.729833462074161, 58.0, 3.8130150168417217e-43, 47.415793840031093, 52.584206159968907},
    {-2.9064953026812498e-17, 1.0, 100, 10.0, 1.0, 100, 0.94999999999999996, 10.0, 70.710678118654741, 198.00000000000011, 1.8342938026294789e-142, 9.7211146137607098, 10.27888538623929, 70.710678118654741, 198.0, 1.8342938026295841e-142, 9.7211146137607098, 10.27888538623929},
    {0.0, 1.0, 2, 100.0, 1.000000000000008, 2, 0.94999999999999996, 100.0, 99.999999999999602, 1.9999999999999996, 9.9985002499563516e-05, 95.697347270250518, 104.30265272974948, 99.999999999999602, 2.0, 9.9985002499563381e-05, 95.697347270250518, 104.30265272974948},
    {7.7033174218817111e-18, 0.99999999999999989, 1000, 1.0, 1.0, 1000, 0.94999999999999996, 1.0, 22.360679774997902, 1997.9999999999993, 5.0128252134024219e-99, 0.91229461561228908, 1.0877053843877111, 22.360679774997898, 1998.0, 5.0128252134027094e-99, 0.91229461561228897, 1.0877053843877111},
    {-1.6655152372998158e-17, 1.0, 30, 5.1639777949432215, 1.0, 30, 0.94999999999999996, 5.1639777949432215, 20.0, 57.999999999999993, 1.0496061746317445e-27, 4.6471365629494414, 5.6808190269370025, 20.0, 58.0, 1.0496061746317368e-27, 4.6471365629494414, 5.6808190269370025},
    {-6.1703858934101505e-18, 1.0, 17, 4.1797832761154154, 1.0, 16, 0.94999999999999996, 4.1797832761154154, 12.0, 30.879017013232506, 3.6803889883547862e-13, 3.4692767663982429, 4.8902897858325884, 12.0, 31.0, 3.4779268004197416e-13, 3.4693895932270635, 4.8901769590037674},
    {-1.4893804505672347e-18, 1.0, 100000, 0.009999999999999962, 1.2000000000000002, 100000, 0.94999999999999996, 0.0099999999999999638, 2.0244408254472823, 193699.26028110366, 0.042926184179311724, 0.00031843160261249223, 0.019681568397387435, 2.0244408254472823, 199998.0, 0.042926141050210261, 0.00031843350791770038, 0.019681566492082227},
    {-3.5125048919795729e-17, 1.0, 1000000, 0.0029999999999999853, 0.99999999999999989, 1000000, 0.94999999999999996, 0.0030000000000000204, 2.121320343559657, 1999997.9999999998, 0.03389497617172077, 0.00022819067384891671, 0.0057718093261511245, 2.121320343559657, 1999998.0, 0.033894976171720735, 0.00022819067384891639, 0.0057718093261511245},
    {5.0, 0.0, 10, 7.0, 0.0, 10, 0.94999999999999996, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN},
    {5.0, 1.0, 1, 7.0, 2.0, 10, 0.94999999999999996, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN},
    {5.0, 1.0, 10, 7.0, 2.0, 1, 0.94999999999999996, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN},
};

typedef double (*t_test_fn)(tsim_arm_summary, tsim_arm_summary, double, tsim_t_fit *);

static tsim_arm_summary arm(double mean, double sd, long long n) {
  return (tsim_arm_summary){mean, sd, n};
}

/* One test of one row: every output against R; the p-value again with NULL outputs. */
static void check_test(const char *name, t_test_fn fn, const ref_row *r, const char *ctx,
                       double t, double df, double p, double lo, double hi) {
  char what[64];
  tsim_t_fit o = {0, 0, 0, 0, 0, 0};
  tsim_arm_summary a0 = arm(r->mean0, r->sd0, r->n0), a1 = arm(r->mean1, r->sd1, r->n1);
  double op = fn(a0, a1, r->conf, &o), ot = o.stat, odf = o.df, od = o.diff, olo = o.lo,
         ohi = o.hi;
  snprintf(what, sizeof what, "%s p returned and in the fit", name);
  check_num(what, ctx, o.p, op, 0, 0);
  const struct { const char *field; double obs, exp, rel, abs; } cmp[] = {
      {"t", ot, t, REL_TOL, 0},          {"df", odf, df, REL_TOL, 0},
      {"p", op, p, REL_TOL, 0},          {"diff", od, r->diff, 0, ABS_TOL},
      {"lo", olo, lo, 0, ABS_TOL},       {"hi", ohi, hi, 0, ABS_TOL},
  };
  for (size_t i = 0; i < sizeof cmp / sizeof cmp[0]; i++) {
    snprintf(what, sizeof what, "%s %s", name, cmp[i].field);
    check_num(what, ctx, cmp[i].obs, cmp[i].exp, cmp[i].rel, cmp[i].abs);
  }
  snprintf(what, sizeof what, "%s p with NULL outputs", name);
  check_num(what, ctx,
            fn(a0, a1, r->conf, NULL),
            op, 0, 0);
}

static void check_row(const ref_row *r) {
  char ctx[192];
  snprintf(ctx, sizeof ctx, "%.6g (SD %.6g, n %lld) vs %.6g (SD %.6g, n %lld) at %g", r->mean0,
           r->sd0, r->n0, r->mean1, r->sd1, r->n1, r->conf);
  check_test("welch", tsim_welch_t, r, ctx, r->w_t, r->w_df, r->w_p, r->w_lo, r->w_hi);
  check_test("student", tsim_student_t, r, ctx, r->s_t, r->s_df, r->s_p, r->s_lo, r->s_hi);
}

/* --- Reading a reference CSV -------------------------------------------------------------- */

/* One CSV line of 18 fields; 1 on success. The line is modified. */
static int parse_line(char *line, ref_row *r) {
  char *f[18];
  if (refcheck_split(line, ',', f, 18) != 18 || !parse_ll(f[2], &r->n0) ||
      !parse_ll(f[5], &r->n1))
    return 0;
  double *out[] = {&r->mean0, &r->sd0,  &r->mean1, &r->sd1,  &r->conf, &r->diff,
                   &r->w_t,   &r->w_df, &r->w_p,   &r->w_lo, &r->w_hi, &r->s_t,
                   &r->s_df,  &r->s_p,  &r->s_lo,  &r->s_hi};
  const int col[] = {0, 1, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
  for (int i = 0; i < 16; i++)
    if (!parse_double(f[col[i]], out[i])) return 0;
  return 1;
}

/* Checks one case of a reference CSV; 1 if it was one. */
static int check_line(char *line, const char *where) {
  ref_row r;
  if (!parse_line(line, &r)) {
    printf("FAIL %s: not a line of 18 fields (integers n0 and n1, numbers)\n", where);
    n_fail++;
    return 0;
  }
  check_row(&r);
  return 1;
}

/* --- Published: pSS 2022 VAS differences at week 12, 30 per arm --------------------------- */

/* Published difference (-18.33 etc.) with its 95% CI, and the SD per arm that the interval
 * implies when the difference is read as a mean of 30 integer scores (-55/3 etc.). */
static const struct {
  const char *what;
  double diff_exact, sd, published_diff, lo, hi;
} VAS[] = {
    {"dryness", -55.0 / 3, 19.59, -18.33, -28.46, -8.21},
    {"pain", -31.0 / 3, 17.50, -10.33, -19.38, -1.29},
    {"fatigue", -35.0 / 3, 17.38, -11.67, -20.65, -2.68},
};

static int rounds_to(double v, double published, int decimals) {
  return fabs(v - published) <= 0.5 * pow(10.0, -decimals) * (1 + 1e-9);
}

static void check_published(void) {
  char what[192];
  for (size_t i = 0; i < sizeof VAS / sizeof VAS[0]; i++) {
    tsim_t_fit f;
    double p = tsim_welch_t(arm(0.0, VAS[i].sd, 30), arm(VAS[i].diff_exact, VAS[i].sd, 30), 0.95,
                            &f);
    double d = f.diff, lo = f.lo, hi = f.hi;
    printf("published: pSS VAS %s %.2f (%.2f to %.2f): Welch with SD %.2f per arm gives %.3f "
           "(%.3f to %.3f), p = %.2g\n",
           VAS[i].what, VAS[i].published_diff, VAS[i].lo, VAS[i].hi, VAS[i].sd, d, lo, hi, p);
    snprintf(what, sizeof what, "pSS VAS %s: Welch, SD %.2f, does not give %.2f (%.2f to %.2f)",
             VAS[i].what, VAS[i].sd, VAS[i].published_diff, VAS[i].lo, VAS[i].hi);
    check_true(rounds_to(d, VAS[i].published_diff, 2) && rounds_to(lo, VAS[i].lo, 2) &&
                   rounds_to(hi, VAS[i].hi, 2),
               what);
  }
  /* The reading "an SD near 20 per arm" (scenarios/PROVENANCE.md): dryness with SD 20 and the rounded -18.33
   * gives -28.67 to -7.99, each limit within 0.25 of the published one. */
  tsim_t_fit f;
  tsim_welch_t(arm(0.0, 20.0, 30), arm(-18.33, 20.0, 30), 0.95, &f);
  double lo = f.lo, hi = f.hi;
  printf("published: pSS VAS dryness with SD 20: %.3f to %.3f\n", lo, hi);
  check_true(fabs(lo - -28.46) < 0.25 && fabs(hi - -8.21) < 0.25,
             "pSS VAS dryness with SD 20 is not within 0.25 of the published interval");
}

/* --- Tails, symmetry, arguments ----------------------------------------------------------- */

/* p is 1 at t = 0, in [0, 1], non-increasing in |t| and the same for -t, up to |t| = 1e14
 * (R's "essentially constant" rule caps |t| below 2/(10 DBL_EPSILON) = 9e14); with df >= 58
 * it passes through the underflow of GSL's incomplete beta prefactor (p near 1e-300) to 0
 * without a GSL error (the default handler, which aborts, is installed). */
static void check_tails(void) {
  static const long long N[] = {2, 3, 5, 30, 1000, 100000}; /* per arm; df = 2n - 2 */
  int bad = 0, cases = 0;
  for (size_t j = 0; j < sizeof N / sizeof N[0]; j++) {
    double prev = 1.0, se = sqrt(2.0 / (double)N[j]);
    for (double t = 0.0; t < 1e14; t = t == 0.0 ? 1e-6 : t * 1.5) {
      double p = tsim_student_t(arm(0.0, 1.0, N[j]), arm(t * se, 1.0, N[j]), 0.95, NULL);
      double pm = tsim_student_t(arm(0.0, 1.0, N[j]), arm(-t * se, 1.0, N[j]), 0.95, NULL);
      cases++;
      if (!(p >= 0.0 && p <= 1.0 && p <= prev && p == pm && (t > 0.0 || p == 1.0)) &&
          bad++ < 5)
        printf("FAIL tail: n = %lld per arm, t = %.6g: p = %.17g (previous %.17g, mirrored "
               "%.17g)\n",
               N[j], t, p, prev, pm);
      prev = p;
    }
    if (N[j] >= 30) check_true(prev == 0.0, "the far tail does not reach p = 0");
  }
  check_true(bad == 0, "tail checks failed");
  printf("tails: %d t values, %d bad\n", cases, bad);
}

/* tsim_t_two_sided_p skips two evaluations where their outcome is known: P(|T| <= t) for
 * nu >= 2 and t >= 1 (it is above 1/sqrt(3) there), and the incomplete beta prefactor's exact
 * logarithm where a bound clears the underflow guards. full_p is the function with every piece
 * computed (as it was written before), and the two must give the same bits on a grid of t in
 * [1e-6, 1e15] and nu in [0.5, 1e7], far tails and underflows included. */
static double full_p(double t, double nu) {
  if (isnan(t) || !(nu >= TSIM_T_MIN_DF) || !isfinite(nu)) return NAN;
  t = fabs(t);
  if (isinf(t)) return 0.0;
  if (nu > 1e12) {
    double v = 1.0 / (4.0 * nu);
    return 2.0 * gsl_cdf_ugaussian_Q(t * (1.0 - v) / sqrt(1.0 + t * t * 2.0 * v));
  }
  double t2 = t * t;
  if (!isfinite(t2)) {
    double a = 0.5 * nu, l = a * (log(nu) - 2.0 * log(t)) - gsl_sf_lnbeta(a, 0.5) - log(a);
    return l < GSL_LOG_DBL_MIN + 1.0 ? 0.0 : exp(l);
  }
  double x = nu / (nu + t2), y = t2 / (nu + t2);
  double lpre = y > 0.0 && x > 0.0 ? 0.5 * nu * log(x) + 0.5 * log(y) - gsl_sf_lnbeta(0.5 * nu, 0.5) : 0.0;
  if (lpre < GSL_LOG_DBL_MIN + 1.0) return 0.0;
  double inside = gsl_sf_beta_inc(0.5, 0.5 * nu, y);
  if (inside < 0.5) return 1.0 - inside;
  if (lpre - log(0.5 * nu) < GSL_LOG_DBL_MIN + 1.0) return 0.0;
  gsl_sf_result r;
  int status = gsl_sf_beta_inc_e(0.5 * nu, 0.5, x, &r);
  return status == GSL_EUNDRFLW ? 0.0 : status ? NAN : r.val;
}

static void check_tail_choice(void) {
  int bad = 0, cases = 0, zeros = 0;
  for (double nu = 0.5; nu < 1e7; nu *= 1.37)
    for (double t = 1e-6; t < 1e15; t *= 1.23) {
      double got = tsim_t_two_sided_p(t, nu), want = full_p(t, nu);
      cases++;
      zeros += want == 0.0;
      if (memcmp(&got, &want, sizeof got) != 0 && !(isnan(got) && isnan(want)) && bad++ < 5)
        printf("FAIL tail choice: t %.17g, nu %.17g: p %.17g, every piece computed %.17g\n", t, nu, got, want);
    }
  /* And where the prefactor's logarithm lies within 1.6 of the underflow guard, on either side
   * (t found by bisection on the exact logarithm), where the bound is closest to deciding. */
  static const double NU[] = {0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 20.0};
  static const double DELTA[] = {-1.6, -1.0, -0.5, -0.1, 0.1, 0.5, 1.0, 1.6};
  for (size_t a = 0; a < sizeof NU / sizeof NU[0]; a++)
    for (size_t b = 0; b < sizeof DELTA / sizeof DELTA[0]; b++) {
      double nu = NU[a], target = GSL_LOG_DBL_MIN + 1.0 + DELTA[b], lo = 0.0, hi = 720.0; /* log t */
      for (int it = 0; it < 200; it++) {
        double mid = 0.5 * (lo + hi), t = exp(mid), x = nu / (nu + t * t), y = t * t / (nu + t * t);
        double lpre = 0.5 * nu * log(x) + 0.5 * log(y) - gsl_sf_lnbeta(0.5 * nu, 0.5);
        if (lpre > target) lo = mid;
        else hi = mid;
      }
      double t = exp(0.5 * (lo + hi)), got = tsim_t_two_sided_p(t, nu), want = full_p(t, nu);
      cases++;
      if (memcmp(&got, &want, sizeof got) != 0 && !(isnan(got) && isnan(want)) && bad++ < 5)
        printf("FAIL tail choice near the guard: t %.17g, nu %.17g: p %.17g, every piece computed %.17g\n", t,
               nu, got, want);
    }
  check_true(bad == 0, "p with evaluations skipped differs from p with every piece computed");
  /* Between df 1.1e11 and 1e12 GSL's continued fraction failed to converge for t near 1.74 (a
   * GSL error, which aborts here, and a NaN p): from df 1e10 the normal approximation answers. */
  int finite = 1;
  for (double nu = 1e9; nu < 2e12; nu *= 1.9)
    for (double t = 1.70; t < 1.78; t += 0.001) finite &= isfinite(tsim_t_two_sided_p(t, nu)) && tsim_t_two_sided_p(t, nu) > 0;
  check_true(finite, "p finite and positive for df 1e9 to 2e12, t near 1.74");
  check_true(isfinite(tsim_t_two_sided_p(1.745, 5e11)), "p at t 1.745, df 5e11 (GSL's continued fraction fails there)");
  printf("tail choice: %d (t, nu), %d of them p = 0, %d bad\n", cases, zeros, bad);
}

static void check_arguments(void) {
  static const struct {
    const char *what;
    double m0, s0;
    long long n0;
    double m1, s1;
    long long n1;
    double conf;
  } UNDEF[] = {
      {"n0 = 1", 0, 1, 1, 1, 1, 10, 0.95},
      {"n1 = 0", 0, 1, 10, 1, 1, 0, 0.95},
      {"both SDs zero", 5, 0, 10, 7, 0, 10, 0.95},
      {"essentially constant", 1e6, 1e-12, 10, 1e6 + 1e-9, 1e-12, 10, 0.95},
      {"negative SD", 0, -1, 10, 1, 1, 10, 0.95},
      {"NaN mean", NAN, 1, 10, 1, 1, 10, 0.95},
      {"infinite SD", 0, INFINITY, 10, 1, 1, 10, 0.95},
      {"conf = 1", 0, 1, 10, 1, 1, 10, 1.0},
      {"conf = 0", 0, 1, 10, 1, 1, 10, 0.0},
  };
  char what[96];
  for (size_t i = 0; i < sizeof UNDEF / sizeof UNDEF[0]; i++) {
    t_test_fn fn[2] = {tsim_welch_t, tsim_student_t};
    for (int k = 0; k < 2; k++) {
      tsim_t_fit f = {0, 0, 0, 0, 0, 0};
      double p = fn[k](arm(UNDEF[i].m0, UNDEF[i].s0, UNDEF[i].n0),
                       arm(UNDEF[i].m1, UNDEF[i].s1, UNDEF[i].n1), UNDEF[i].conf, &f);
      double o[6] = {f.stat, f.df, f.diff, f.lo, f.hi, f.p};
      snprintf(what, sizeof what, "%s t-test with %s is defined", k ? "Student's" : "Welch's",
               UNDEF[i].what);
      check_true(isnan(p) && isnan(o[0]) && isnan(o[1]) && isnan(o[2]) && isnan(o[3]) &&
                     isnan(o[4]) && isnan(o[5]),
                 what);
    }
  }
  /* Equal arms: Welch and Student coincide (same t, df 2n - 2). */
  tsim_t_fit fw, fs;
  double pw = tsim_welch_t(arm(10, 3, 25), arm(12, 3, 25), 0.95, &fw);
  double ps = tsim_student_t(arm(10, 3, 25), arm(12, 3, 25), 0.95, &fs);
  double tw = fw.stat, dfw = fw.df, ts = fs.stat, dfs = fs.df;
  check_num("welch vs student p, equal arms", "10 (3, 25) vs 12 (3, 25)", pw, ps, 1e-12, 0);
  check_num("welch vs student t, equal arms", "10 (3, 25) vs 12 (3, 25)", tw, ts, 1e-12, 0);
  check_num("welch df, equal arms", "10 (3, 25) vs 12 (3, 25)", dfw, 48.0, 1e-12, 0);
  check_num("student df, equal arms", "10 (3, 25) vs 12 (3, 25)", dfs, 48.0, 0, 0);
}


/* Scale: t, df and p do not depend on the unit of measurement, and the difference and its
 * interval scale with it. Two tables of R's t.test (the reference is at scale 1, where R
 * computes them without trouble), then the same tables in units from 1e-300 to 1e300: before
 * scaling, Welch's df became NaN from SDs of ~1e77 (the fourth powers overflow) and Student's
 * t was 0 with p = 1 at 1e154. R: t.test on the data of these summaries, or the formulas. */
static void check_scale(void) {
  static const struct {
    double m1, s1;
    double w_t, w_df, w_p, s_p;
  } CASES[] = {
      /* 0 (SD 1, n 30) vs m1 (SD s1, n 30) */
      {1, 1, 3.872983346207417, 58, 0.0002757026927704552, 0.0002757026927704552},
      {1, 2, 2.449489742783178, 42.64705882352941, 0.01849064290886163, 0.01734700366738289},
  };
  static const double SCALE[] = {1, 1e-300, 1e-160, 1e-100, 1e77, 8.9e127, 1e154, 1e200, 1e300};
  char ctx[128];
  for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
    tsim_t_fit w1, s1;
    tsim_welch_t(arm(0, 1, 30), arm(CASES[c].m1, CASES[c].s1, 30), 0.95, &w1);
    tsim_student_t(arm(0, 1, 30), arm(CASES[c].m1, CASES[c].s1, 30), 0.95, &s1);
    for (size_t k = 0; k < sizeof SCALE / sizeof SCALE[0]; k++) {
      double f = SCALE[k];
      snprintf(ctx, sizeof ctx, "0 (SD %g, n 30) vs %g (SD %g, n 30)", f, CASES[c].m1 * f,
               CASES[c].s1 * f);
      tsim_t_fit w, s;
      double pw = tsim_welch_t(arm(0, f, 30), arm(CASES[c].m1 * f, CASES[c].s1 * f, 30), 0.95, &w);
      double ps = tsim_student_t(arm(0, f, 30), arm(CASES[c].m1 * f, CASES[c].s1 * f, 30), 0.95, &s);
      check_num("welch t at scale", ctx, w.stat, CASES[c].w_t, REL_TOL, 0);
      check_num("welch df at scale", ctx, w.df, CASES[c].w_df, REL_TOL, 0);
      check_num("welch p at scale", ctx, pw, CASES[c].w_p, REL_TOL, 0);
      check_num("student t at scale", ctx, s.stat, CASES[c].w_t, REL_TOL, 0);
      check_num("student p at scale", ctx, ps, CASES[c].s_p, REL_TOL, 0);
      check_num("welch lo at scale", ctx, w.lo, w1.lo * f, 1e-12, 0);
      check_num("welch hi at scale", ctx, w.hi, w1.hi * f, 1e-12, 0);
      check_num("student lo at scale", ctx, s.lo, s1.lo * f, 1e-12, 0);
      check_num("student hi at scale", ctx, s.hi, s1.hi * f, 1e-12, 0);
      /* The interval alone (the analyses' estimand coverage): the tests' bounds, bit for bit. */
      for (int pooled = 0; pooled < 2; pooled++) {
        double lo, hi;
        const tsim_t_fit *x = pooled ? &s : &w;
        int got = tsim_t_interval(pooled, arm(0, f, 30), arm(CASES[c].m1 * f, CASES[c].s1 * f, 30), 0.95, &lo, &hi);
        check_true(got == 1 && lo == x->lo && hi == x->hi,
                   pooled ? "tsim_t_interval (student) equals the test's bounds" : "tsim_t_interval (welch) equals the test's bounds");
      }
    }
  }
  /* Patients' values: the mean and SD of 1e300-sized values (the sums overflowed) and of
   * 1e-300-sized ones (the squares underflowed), against those of the unit values. */
  double x[5] = {1, -1, 0.5, 0, 0.3}, m1, sd1;
  tsim_mean_sd(x, 5, &m1, &sd1);
  for (int k = -1; k <= 1; k += 2) {
    double f = k > 0 ? 1e300 : 1e-300, y[5], m, sd;
    for (int i = 0; i < 5; i++) y[i] = x[i] * f;
    tsim_mean_sd(y, 5, &m, &sd);
    snprintf(ctx, sizeof ctx, "values of size %g", f);
    check_num("mean of values", ctx, m, m1 * f, 1e-14, 0);
    check_num("sd of values", ctx, sd, sd1 * f, 1e-14, 0);
  }
}

/* The same bits, as doubles compared by their representation (NaN equals NaN). */
static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b)); }

/* tsim_mean: the mean tsim_mean_sd gives, bit for bit, on values of every size - where its
 * sums stay as they are and where it scales (overflowing sums or squares, sums of squares
 * below 2^-900, constant values, a single value, subnormals, NaN and infinities, no value). */
static void check_mean(void) {
  static const double SCALE[] = {1, 0x1p500, 0x1p501, 0x1p600, 1e300, 1.5e308, 0x1p-400, 0x1p-450, 0x1p-460, 1e-300,
                                 4.9e-324 * 1024, 4.9e-324};
  static const double BASE[][7] = {
      {1, -1, 0.5, 0, 0.3, 2.25, -0.7}, {3, 3, 3, 3, 3, 3, 3}, {1, 1 + 0x1p-52, 1, 1, 1, 1 + 0x1p-51, 1},
      {-5, 7, 1e-3, 2, 2, 2, -1e3}, {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7}, {1, 1e-200, -1, 1e200, 0, 1, 1},
      {NAN, 1, 2, 3, 4, 5, 6}, {1, INFINITY, 2, 3, 4, 5, 6}, {INFINITY, -INFINITY, 0, 1, 1, 1, 1},
      {0, 0, 0, 0, 0, 0, 0}, {1e300, -1e300, 1e-300, 1, 0, 0, 0}, {1e200, -1e200, 1e-200, 1e-300, 0, 0, 0}};
  long long n_cases = 0, differ = 0;
  for (size_t b = 0; b < sizeof BASE / sizeof BASE[0]; b++)
    for (size_t k = 0; k < sizeof SCALE / sizeof SCALE[0]; k++)
      for (long long n = 0; n <= 7; n++) {
        double y[7], m, sd;
        for (long long i = 0; i < n; i++) y[i] = BASE[b][i] * SCALE[k];
        tsim_mean_sd(y, n, &m, &sd);
        double got = tsim_mean(y, n);
        n_cases++;
        if (!same_bits(got, m) && differ++ < 10)
          printf("FAIL: tsim_mean of case %zu at scale %g, n %lld: %.17g, tsim_mean_sd %.17g\n", b, SCALE[k], n, got, m);
      }
  if (differ) printf("FAIL: %lld of %lld means differ from tsim_mean_sd's\n", differ, n_cases);
  check_true(differ == 0, "tsim_mean gives tsim_mean_sd's mean");
  printf("tsim_mean: %lld cases against tsim_mean_sd, %lld differ\n", n_cases, differ);
}

/* tsim_t_stat_inline: tsim_t_stat's bits (t and df, or NaN and 0) for Welch and Student, on
 * summaries inside and outside the unscaled range and the arguments tsim_t_stat refuses. */
static void check_t_inline(void) {
  static const double V[] = {0, 1, -2.5, 0.3, 0x1p100, 0x1p101, 0x1p-100, 0x1p-101, 1e-300, 1e300,
                             -0x1p100, NAN, INFINITY, -1};
  static const long long N[] = {1, 2, 3, 30};
  long long n_cases = 0, differ = 0;
  size_t nv = sizeof V / sizeof V[0], nn = sizeof N / sizeof N[0];
  for (int pooled = 0; pooled <= 1; pooled++)
    for (size_t a = 0; a < nv; a++)
      for (size_t b = 0; b < nv; b++)
        for (size_t c = 0; c < nv; c++)
          for (size_t i = 0; i < nn; i++) {
            /* arm 0: V[a] (mean), V[b] (SD); arm 1: mean V[c], SD 1 or V[b] / 3 */
            double m0 = V[a], s0 = V[b], m1 = V[c], s1 = i % 2 ? 1.0 : V[b] / 3;
            long long n0 = N[i], n1 = N[nn - 1 - i];
            double t1, nu1, t2, nu2;
            int r1 = tsim_t_stat(pooled, arm(m0, s0, n0), arm(m1, s1, n1), &t1, &nu1, NULL);
            int r2 = tsim_t_stat_inline(pooled, m0, s0, n0, m1, s1, n1, &t2, &nu2);
            n_cases++;
            if ((r1 != r2 || !same_bits(t1, t2) || !same_bits(nu1, nu2)) && differ++ < 10)
              printf("FAIL: t inline (pooled %d) %g (SD %g, n %lld) vs %g (SD %g, n %lld): %d %.17g %.17g, "
                       "tsim_t_stat %d %.17g %.17g\n", pooled, m0, s0, n0, m1, s1, n1, r2, t2, nu2, r1, t1, nu1);
          }
  if (differ) printf("FAIL: %lld of %lld inline t statistics differ from tsim_t_stat's\n", differ, n_cases);
  check_true(differ == 0, "tsim_t_stat_inline gives tsim_t_stat's t and df");
  printf("tsim_t_stat_inline: %lld cases against tsim_t_stat, %lld differ\n", n_cases, differ);
}

int main(int argc, char **argv) {
  if (!refcheck_args_ok(argc, argv)) return 2;
  if (argc == 2) {
    refcheck_reference(argv[1], "mean0,", check_line, NULL, 0);
  } else {
    int rows = (int)(sizeof REF / sizeof REF[0]);
    for (int i = 0; i < rows; i++) check_row(&REF[i]);
    printf("reference: %d cases (embedded)\n", rows);
  }
  check_published();
  check_tails();
  check_tail_choice();
  check_arguments();
  check_scale();
  check_mean();
  check_t_inline();
  return refcheck_summary();
}
