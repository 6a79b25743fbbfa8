/* catalogue.h - the statistical tests trialsim knows, as scenarios and analyze.json name them. */
#ifndef TSIM_CATALOGUE_H
#define TSIM_CATALOGUE_H

/* Tests on a binary end point come first (up to TSIM_TEST_BINOMIAL_EXACT), then tests on a
 * continuous one. */
typedef enum {
  TSIM_TEST_PEARSON, TSIM_TEST_N1_CHISQ, TSIM_TEST_FISHER, TSIM_TEST_YATES, TSIM_TEST_CMH,
  TSIM_TEST_LOGISTIC, TSIM_TEST_BINOMIAL_EXACT,
  TSIM_TEST_WELCH_T, TSIM_TEST_STUDENT_T, TSIM_TEST_WILCOXON, TSIM_TEST_ANCOVA
} tsim_test;
static inline int tsim_test_is_continuous(tsim_test t) { return t >= TSIM_TEST_WELCH_T; }
/* Names as they appear in scenario files and output, indexed by tsim_test; NULL-terminated. */
extern const char *const tsim_test_names[];

#endif
