/* test_decide.c - the cached decisions equal "p < alpha" under the tie rule, table by table.
 *
 * For every table with n0, n1 <= 40 (all x0, x1), every test and several alphas - including
 * 0.05, where Fisher's p on 1/1 vs 0/19 lands exactly on alpha - tsim_decide must agree with
 * tsim_reject(tsim_test_p(...)). The Fisher cache is kept small by reusing one decider across
 * everything, so its clearing when full is exercised too.
 */
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <math.h>

#include "check.h"
#include "stats/contest.h"
#include "analysis/decide.h"
#include "stats/stattest.h"

/* t-tests: tsim_decide_t against the p-value rule at whole and fractional df (Welch's), at t
 * on, just inside and just outside each alpha's quantile, and on a grid of t. */
static void check_t_decisions(void) {
  static const double alphas[] = {0.05, 0.01, 0.1, 0.2, 0.001};
  tsim_scenario sc;
  memset(&sc, 0, sizeof sc);
  sc.nanalyses = 10;
  for (int k = 0; k < sc.nanalyses; k++) {
    sc.analyses[k].test = k % 2 ? TSIM_TEST_STUDENT_T : TSIM_TEST_WELCH_T;
    sc.analyses[k].alpha = alphas[k / 2];
    sc.analyses[k].sided = 2;
  }
  tsim_decider d;
  if (tsim_decider_init(&d, &sc) != 0) { CHECK(0, "t decider init"); return; }
  long long n = 0, disagree = 0, rejected = 0;
  for (double nu = 1; nu < 6000; nu = nu < 50 ? nu + 0.37 : nu * 1.13)
    for (int k = 0; k < sc.nanalyses; k++) {
      double alpha = sc.analyses[k].alpha, q = gsl_cdf_tdist_Qinv(alpha / 2, nu);
      double ts[] = {q, q * (1 + 1e-12), q * (1 - 1e-12), q * (1 + 1e-8), q * (1 - 1e-8),
                     -q * (1 + 1e-6), 0, 0.5 * q, 1.5 * q, -3 * q, 40, NAN};
      for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        int want = tsim_reject(tsim_t_two_sided_p(ts[i], nu), alpha);
        /* inline first (its quantiles not yet cached at a new df: the call), then again cached */
        int got = tsim_decide_t_inline(&d, &sc, k, ts[i], nu);
        got = got == tsim_decide_t(&d, &sc, k, ts[i], nu) && got == tsim_decide_t_inline(&d, &sc, k, ts[i], nu)
                  ? got
                  : -1;
        n++;
        rejected += want;
        if (got != want && disagree++ < 20)
          CHECK(got == want, "t decision alpha %g, t %.17g, df %.17g: decide %d, p-value route %d",
                alpha, ts[i], nu, got, want);
      }
    }
  CHECK(disagree == 0, "%lld of %lld t decisions differ", disagree, n);
  CHECK(rejected > n / 5, "only %lld t rejections: the comparison would be vacuous", rejected);
  printf("%lld t-test decisions compared, %lld rejections\n", n, rejected);
  tsim_decider_free(&d);
}

/* The rank-sum test's decision from z: tsim_decide_z against tsim_reject(2 Q(|z|), alpha) at z
 * on, just inside and just outside each alpha's critical value, including alphas whose critical
 * value is below 0.5 (decided by the p-value throughout), and on a grid of z. */
static void check_z_decisions(void) {
  static const double alphas[] = {0.05, 0.01, 0.1, 0.2, 0.001, 1e-9, 0.617, 0.7, 0.95};
  tsim_scenario sc;
  memset(&sc, 0, sizeof sc);
  sc.nanalyses = (int)(sizeof alphas / sizeof alphas[0]);
  for (int k = 0; k < sc.nanalyses; k++) {
    sc.analyses[k].test = TSIM_TEST_WILCOXON;
    sc.analyses[k].alpha = alphas[k];
    sc.analyses[k].sided = 2;
  }
  tsim_decider d;
  if (tsim_decider_init(&d, &sc) != 0) { CHECK(0, "z decider init"); return; }
  long long n = 0, disagree = 0, rejected = 0;
  for (int k = 0; k < sc.nanalyses; k++) {
    double alpha = alphas[k], q = gsl_cdf_ugaussian_Qinv(alpha * (1 - TSIM_REL_TIE) / 2);
    double edge[] = {q, q * (1 + 1e-15), q * (1 - 1e-15), q * (1 + 1e-12), q * (1 - 1e-12), q * (1 + 1e-9),
                     q * (1 - 1e-9), q * (1 + 1e-8), q * (1 - 1e-8), gsl_cdf_ugaussian_Qinv(alpha / 2), 0, 40,
                     INFINITY, NAN};
    for (int s = -1; s <= 1; s += 2) {
      for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        double z = s * edge[i];
        int want = tsim_reject(2.0 * gsl_cdf_ugaussian_Q(fabs(z)), alpha);
        int got = tsim_decide_z(&d, &sc, k, z);
        n++;
        rejected += want;
        if (got != want && disagree++ < 20)
          CHECK(got == want, "z decision alpha %g, z %.17g: decide %d, p-value route %d", alpha, z, got, want);
      }
      for (double z = 0; z < 8; z += 0.001) {
        int want = tsim_reject(2.0 * gsl_cdf_ugaussian_Q(z), alpha);
        int got = tsim_decide_z(&d, &sc, k, s * z);
        n++;
        rejected += want;
        if (got != want && disagree++ < 20)
          CHECK(got == want, "z decision alpha %g, z %.17g: decide %d, p-value route %d", alpha, s * z, got, want);
      }
    }
  }
  CHECK(disagree == 0, "%lld of %lld z decisions differ", disagree, n);
  CHECK(rejected > n / 5, "only %lld z rejections: the comparison would be vacuous", rejected);
  printf("%lld rank-sum (z) decisions compared, %lld rejections\n", n, rejected);
  tsim_decider_free(&d);
}

int main(void) {
  gsl_set_error_handler_off(); /* as trialsim does: an underflow is a p of 0, not an abort */
  static const double alphas[] = {0.05, 0.01, 0.1, 0.2, 0.001};
  tsim_scenario sc;
  memset(&sc, 0, sizeof sc);
  sc.nanalyses = 15;
  for (int k = 0; k < sc.nanalyses; k++) {
    static const tsim_test cached[3] = {TSIM_TEST_PEARSON, TSIM_TEST_N1_CHISQ, TSIM_TEST_FISHER};
    sc.analyses[k].test = cached[k % 3];
    sc.analyses[k].alpha = alphas[k / 3];
  }
  tsim_decider d;
  if (tsim_decider_init(&d, &sc) != 0) return 1;
  long long tables = 0, disagree = 0, rejected = 0;
  for (int n0 = 0; n0 <= 40; n0++)
    for (int n1 = 0; n1 <= 40; n1++)
      for (int x0 = 0; x0 <= n0; x0++)
        for (int x1 = 0; x1 <= n1; x1++)
          for (int k = 0; k < sc.nanalyses; k++) {
            const tsim_analysis *an = &sc.analyses[k];
            int want = tsim_reject(tsim_test_p(an->test, x0, n0, x1, n1, NULL), an->alpha);
            int got = tsim_decide(&d, &sc, k, x0, n0, x1, n1);
            tables++;
            rejected += want;
            if (got != want && disagree++ < 20)
              CHECK(got == want, "%s alpha %g on %d/%d vs %d/%d: decide %d, p-value route %d",
                    tsim_test_names[an->test], an->alpha, x0, n0, x1, n1, got, want);
          }
  CHECK(disagree == 0, "%lld of %lld decisions differ", disagree, tables);
  CHECK(rejected > tables / 50, "only %lld rejections: the comparison would be vacuous", rejected);
  /* Beyond the cached supports (decide.h caches small ones only) and at margins whose packed
   * key would overflow if m were not checked: still the p-value rule. */
  long long big = 0, big_disagree = 0;
  for (int x0 = 0; x0 <= 300; x0 += 3)
    for (int x1 = 0; x1 <= 300; x1 += 7) {
      int want = tsim_reject(tsim_fisher_p(x0, 300, x1, 300), 0.05);
      big++;
      big_disagree += tsim_decide(&d, &sc, 2, x0, 300, x1, 300) != want;
    }
  CHECK(big_disagree == 0, "%lld of %lld Fisher decisions with support up to 301 differ", big_disagree, big);
  CHECK(tsim_decide(&d, &sc, 2, 50, 1048575, 50, 1048575) ==
            tsim_reject(tsim_fisher_p(50, 1048575, 50, 1048575), 0.05), "m = 100 at 2^20 - 1 per arm");
  CHECK(tsim_decide(&d, &sc, 2, 524338, 1048575, 524338, 1048574) ==
            tsim_reject(tsim_fisher_p(524338, 1048575, 524338, 1048574), 0.05),
        "m = 2^20 + 100: its margins must not share a cache key with m = 100");
  /* The exact tie: p = 1/20 at alpha 0.05 is not a rejection. */
  CHECK(tsim_decide(&d, &sc, 2, 1, 1, 0, 19) == 0, "Fisher 1/1 vs 0/19 must not reject at 0.05");
  printf("%lld decisions compared, %lld rejections\n", tables, rejected);
  tsim_decider_free(&d);
  check_t_decisions();
  check_z_decisions();
  return tsim_check_done();
}
