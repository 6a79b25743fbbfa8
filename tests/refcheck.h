/* refcheck.h - comparing the library with R's reference values, shared by the tests that do
 * (test_stattest, test_contest): reading the .csv files of tests/r, and checks that count
 * passes and failures and print "observed vs expected". Header-only: everything is static. */
#ifndef TSIM_TEST_REFCHECK_H
#define TSIM_TEST_REFCHECK_H

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int n_pass, n_fail;

/* obs agrees with exp to an absolute abs_tol when that is > 0, else to a relative rel_tol;
 * a NaN is matched only by a NaN. */
static inline int ref_close(double obs, double exp, double rel_tol, double abs_tol) {
  if (isnan(exp) || isnan(obs)) return isnan(exp) && isnan(obs);
  if (obs == exp) return 1;
  return abs_tol > 0 ? fabs(obs - exp) <= abs_tol : fabs(obs - exp) <= rel_tol * fabs(exp);
}

/* One comparison; `ctx` names the table or case. abs_tol > 0 selects an absolute tolerance. */
static inline void check_num(const char *what, const char *ctx, double obs, double exp,
                             double rel_tol, double abs_tol) {
  if (ref_close(obs, exp, rel_tol, abs_tol)) {
    n_pass++;
    return;
  }
  n_fail++;
  double err = (!isnan(obs) && !isnan(exp)) ? fabs(obs - exp) : NAN;
  if (abs_tol <= 0 && exp != 0.0) err /= fabs(exp);
  printf("FAIL %s on %s: observed %.17g vs expected %.17g (%s err %.3g, tol %g)\n", what, ctx,
         obs, exp, abs_tol > 0 ? "abs" : "rel", err, abs_tol > 0 ? abs_tol : rel_tol);
}

static inline void check_true(int ok, const char *what) {
  if (ok) {
    n_pass++;
  } else {
    n_fail++;
    printf("FAIL %s\n", what);
  }
}

/* A whole number filling the field; 1 on success. */
static inline int parse_ll(const char *s, long long *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end != '\0') return 0;
  *out = v;
  return 1;
}

/* A number filling the field, or R's NA (no value) as NaN; 1 on success. Underflow to a tiny
 * value is accepted (R prints p-values far below DBL_MIN's neighbourhood). */
static inline int parse_double(const char *s, double *out) {
  if (strcmp(s, "NA") == 0) {
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

#endif
