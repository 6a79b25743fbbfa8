/* refcsv.h - reading the reference CSV files that R writes (the .csv files of tests/r), shared by the tests
 * that compare the library with R. Header-only: every function is static. */
#ifndef TSIM_TEST_REFCSV_H
#define TSIM_TEST_REFCSV_H

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
