/* test_gsl_handler.c - the statistics never reach GSL's error handler, whoever embeds them.
 *
 * GSL reports every error (a domain error, an underflow, a failed allocation; also from the
 * _e functions that return a status) by calling its error handler first, and the default
 * handler prints and aborts. trialsim's main() turns it off, but the library promises never to
 * print or exit whoever calls it, so this program keeps GSL's default handler - it never calls
 * gsl_set_error_handler_off - and calls the statistics with the arguments that reached GSL's
 * error paths (a fuzzed analyze input: Welch's t with an SD of ~8.9e127, whose df overflowed
 * to NaN and went to gsl_cdf_tdist_Qinv) and the extremes around them. Every call must return
 * (a finite answer or NaN): an abort fails the test with GSL's message on stderr. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "stats/ancova.h"
#include "stats/contest.h"
#include "stats/logistic.h"
#include "stats/ranktest.h"
#include "stats/stattest.h"

static const double MEANS[] = {0, 1, -1, 5e-324, 1e-300, -1e-300, 1e77, 8.9e127, 1e154, -1e300,
                               1e300, DBL_MAX, -DBL_MAX};
static const double SDS[] = {0, 5e-324, 1e-300, 1e-10, 1, 8.9e127, 1e154, 1e300, DBL_MAX};
static const long long NS[] = {2, 3, 30, 10000000, 1000000000000LL};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A result the library may give: a number or NaN, never garbage outside [0, 1] for a p. */
static int p_ok(double p) { return isnan(p) || (p >= 0.0 && p <= 1.0); }

static void t_tests(void) {
  long calls = 0, bad = 0;
  for (size_t a = 0; a < COUNT(MEANS); a++)
    for (size_t b = 0; b < COUNT(SDS); b++)
      for (size_t c = 0; c < COUNT(SDS); c++)
        for (size_t d = 0; d < COUNT(NS); d++)
          for (size_t e = 0; e < COUNT(NS); e++) {
            tsim_arm_summary a0 = {0.0, SDS[b], NS[d]}, a1 = {MEANS[a], SDS[c], NS[e]};
            tsim_t_fit f;
            double pw = tsim_welch_t(a0, a1, 0.95, &f), ps = tsim_student_t(a0, a1, 0.95, &f);
            calls += 2;
            if (!p_ok(pw) || !p_ok(ps)) bad++;
          }
  CHECK(bad == 0, "%ld of %ld t-tests gave a p outside [0, 1]", bad, calls);
  /* the input that aborted */
  tsim_t_fit f;
  double p = tsim_welch_t((tsim_arm_summary){0.5, 8.9e127, 12}, (tsim_arm_summary){3, 1.2, 9},
                          0.95, &f);
  CHECK(p_ok(p) && isfinite(f.lo) && isfinite(f.hi), "Welch with an SD of 8.9e127: p %g, CI %g to %g",
        p, f.lo, f.hi);
}

static void t_tails(void) {
  static const double T[] = {0, 5e-324, 1e-300, 1e-8, 1, 2, 37, 1e3, 1e8, 1e15, 1e200, INFINITY, NAN};
  static const double NU[] = {NAN, -1, 0, 5e-324, 1e-300, 1e-3, 0.5, 1, 2, 3, 30, 1e5, 1e7, 1e12,
                              1e15, 1e16, 1e20, 1e100, 1e300, DBL_MAX, INFINITY};
  static const double Q[] = {NAN, -1, 0, 5e-324, 1e-300, 1e-10, 0.025, 0.5, 0.975, 1, 2};
  long bad = 0;
  for (size_t i = 0; i < COUNT(T); i++)
    for (size_t j = 0; j < COUNT(NU); j++) {
      bad += !p_ok(tsim_t_two_sided_p(T[i], NU[j])) + !p_ok(tsim_t_two_sided_p(-T[i], NU[j]));
    }
  for (size_t i = 0; i < COUNT(Q); i++)
    for (size_t j = 0; j < COUNT(NU); j++) {
      double q = tsim_t_upper_quantile(Q[i], NU[j]);
      bad += !isnan(q) && !(Q[i] > 0 && Q[i] < 1);
    }
  CHECK(bad == 0, "%ld t tails or quantiles out of range", bad);
  CHECK(isnan(tsim_t_upper_quantile(0.025, NAN)), "the t quantile of a NaN df is NaN");
  CHECK(fabs(tsim_t_upper_quantile(0.025, 1e16) - 1.959963984540054) < 1e-12,
        "the t quantile at df 1e16 is the normal one: %.17g", tsim_t_upper_quantile(0.025, 1e16));
}

static void others(void) {
  static const double V[] = {0, 1, -1, 5e-324, 1e-300, 1e154, -1e300, 1e300, DBL_MAX, -DBL_MAX};
  double y[8], b[8], m, s;
  long bad = 0;
  tsim_ancova_ws *aw = tsim_ancova_ws_new(8);
  tsim_rank_ws *rw = tsim_rank_ws_new(8);
  CHECK(aw && rw, "workspaces");
  for (size_t i = 0; i < COUNT(V); i++)
    for (size_t j = 0; j < COUNT(V); j++) {
      for (int k = 0; k < 8; k++) {
        y[k] = k % 2 ? V[i] : V[j] * (k - 3);
        b[k] = k % 3 ? V[j] : V[i];
        if (!isfinite(y[k])) y[k] = V[i];
      }
      tsim_mean_sd(y, 8, &m, &s);
      tsim_ancova_fit af;
      bad += !p_ok(tsim_ancova(aw, (tsim_ancova_arm){y, b, 4}, (tsim_ancova_arm){y + 4, b + 4, 4},
                               0.95, &af));
      bad += !p_ok(tsim_wilcoxon(rw, y, 4, y + 4, 4, 1, NULL, NULL));
    }
  tsim_ancova_ws_free(aw);
  tsim_rank_ws_free(rw);
  /* tables at the ends of what the loaders accept, and arguments they refuse */
  long long big = 10000000;
  bad += !p_ok(tsim_binomial_one_sided_p(3, 10, NAN, 1)) + !p_ok(tsim_binomial_one_sided_p(3, 10, 1.5, 0));
  bad += !p_ok(tsim_binomial_exact_p(big / 2, big, 0.5)) + !p_ok(tsim_fisher_p(big, big, 0, big));
  bad += !p_ok(tsim_pearson_p(big, big, 0, big, NULL)) + !p_ok(tsim_yates_p(1, big, big - 1, big, NULL));
  double est, lo, hi;
  bad += tsim_rd_wald(1, 10, 2, 10, NAN, &est, &lo, &hi) != -1;
  bad += tsim_rd_newcombe(1, 10, 2, 10, 1.0, &est, &lo, &hi) != -1;
  tsim_logit_ws *lw = tsim_logit_ws_new(1);
  long long x0 = 1, n0 = big, x1 = big - 1, n1 = big;
  tsim_logit_fit lf;
  bad += !p_ok(tsim_logistic(lw, &x0, &n0, &x1, &n1, 1, 0.95, &lf));
  bad += !p_ok(tsim_logistic(lw, &x0, &n0, &x1, &n1, 1, NAN, &lf));
  tsim_logit_ws_free(lw);
  CHECK(bad == 0, "%ld results out of range", bad);
}

int main(void) {
  t_tests();
  t_tails();
  others();
  return tsim_check_done();
}
