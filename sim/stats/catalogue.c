/* catalogue.c - the rows of TSIM_TEST_MAP (see catalogue.h). */
#include "stats/catalogue.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "stats/barnard.h"
#include "stats/nitest.h"
#include "stats/stattest.h"

const char *const tsim_test_names[] = {
#define TSIM_TEST_NAME(name, text, kind, p, one, tail, decide) text,
    TSIM_TEST_MAP(TSIM_TEST_NAME)
#undef TSIM_TEST_NAME
    NULL};

static const tsim_test_info tests[] = {
#define TSIM_TEST_ROW(name, text, kind, p, one, tail, decide) \
  {text, TSIM_KIND_##kind, p, TSIM_ONE_##one, tail, TSIM_DECIDE_##decide},
    TSIM_TEST_MAP(TSIM_TEST_ROW)
#undef TSIM_TEST_ROW
};

const tsim_test_info *tsim_test_info_of(tsim_test t) {
  if ((unsigned)t >= (unsigned)TSIM_NTESTS) {
    fprintf(stderr, "trialsim: internal error: test index %d is not in the catalogue\n", (int)t);
    abort();
  }
  return &tests[t];
}

double tsim__fisher_table_p(long long x0, long long n0, long long x1, long long n1, double *stat) {
  if (stat) *stat = NAN;
  return tsim_fisher_p(x0, n0, x1, n1);
}

/* One stratum: the CMH statistic is the 'N-1' chi-square. */
double tsim__cmh_table_p(long long x0, long long n0, long long x1, long long n1, double *stat) {
  return tsim_cmh_p(&x0, &n0, &x1, &n1, 1, stat);
}

double tsim__no_table_p(long long x0, long long n0, long long x1, long long n1, double *stat) {
  (void)x0, (void)n0, (void)x1, (void)n1;
  if (stat) *stat = NAN;
  return NAN;
}

double tsim__no_tail_p(long long x0, long long n0, long long x1, long long n1, int greater) {
  (void)x0, (void)n0, (void)x1, (void)n1, (void)greater;
  return NAN;
}

/* Declared in stattest.h; here, so that stattest.c does not call back into the catalogue. */
double tsim_test_p(tsim_test t, long long x0, long long n0, long long x1, long long n1,
                   double *stat) {
  return tsim_test_info_of(t)->p(x0, n0, x1, n1, stat); /* the catalogue's p column */
}

int tsim_test_ni_method(tsim_test t) {
  switch (t) {
  case TSIM_TEST_FARRINGTON_MANNING: return TSIM_NI_FM;
  case TSIM_TEST_MIETTINEN_NURMINEN: return TSIM_NI_MN;
  case TSIM_TEST_WALD: return TSIM_NI_WALD;
  case TSIM_TEST_NEWCOMBE: return TSIM_NI_NEWCOMBE;
  default: return -1;
  }
}
