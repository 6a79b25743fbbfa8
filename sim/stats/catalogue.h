/* catalogue.h - the statistical tests trialsim knows: ONE table, one row per test.
 *
 * Every list that used to repeat the tests reads TSIM_TEST_MAP (in the style of core/status.h):
 * the enum, the names in scenario files and analyze.json, the loader's checks (the end-point
 * kind), tsim_test_p (the p-value of a 2x2 table), the one-sided route, the cached decisions
 * (analysis/decide.c) and the tests' reference switches. Adding a test is adding a row here and
 * its functions in stats/ (see the recipe in the docs).
 *
 * The rows' order is the order of analyze.json's lists ("reproduced_by") and of trialsim
 * analyze's printed table; nothing depends on the enum's numeric values.
 *
 * Columns:
 *   name     TSIM_TEST_<name>
 *   text     as scenarios and analyze.json spell it
 *   kind     the end points and designs it applies to:
 *              TABLE       a two-arm binary 2x2 table (control vs experimental)
 *              STRATIFIED  two-arm binary, stratified by site (the general path)
 *              SINGLE_ARM  one binary arm against p0
 *              CONTINUOUS  a continuous end point, two arms
 *              MARGIN      two-arm binary, a test against a margin (non-inferiority and
 *                          equivalence hypotheses; stats/nitest.h): its own path in
 *                          analysis/compare.c
 *              MARGIN_STRATIFIED  the same, stratified by site (the general path)
 *   p        TABLE tests: the two-sided p-value of the table, double f(x0, n0, x1, n1, *stat)
 *            (stat gets the statistic, NaN where there is none); others: tsim__no_table_p
 *   one      one-sided rule: HALVE (the statistic is symmetric under the null: half the
 *            two-sided p in the observed direction, 1 - half against it) or TAIL (a one-sided
 *            p of its own: the `tail` column, double f(x0, n0, x1, n1, int greater))
 *   tail     TAIL tests' one-sided p-value; others: tsim__no_tail_p
 *   decide   how a simulation decides it (analysis/decide.c): CHISQ (cached chi-square
 *            critical value), FISHER (cached cut points per margins), BARNARD (cached rejection
 *            region per arm sizes), PVALUE (the p-value and tsim_reject), T (cached t
 *            quantiles), GENERAL (computed by its own analysis path: stratified, single arm,
 *            rank, ANCOVA, MMRM)
 */
#ifndef TSIM_CATALOGUE_H
#define TSIM_CATALOGUE_H

/*  name            text              kind        p                      one    tail                        decide */
#define TSIM_TEST_MAP(X)                                                                                         \
  X(PEARSON,        "pearson",        TABLE,      tsim_pearson_p,        HALVE, tsim__no_tail_p,            CHISQ)   \
  X(N1_CHISQ,       "n1_chisq",       TABLE,      tsim_n1_chisq_p,       HALVE, tsim__no_tail_p,            CHISQ)   \
  X(YATES,          "yates",          TABLE,      tsim_yates_p,          HALVE, tsim__no_tail_p,            PVALUE)  \
  X(FISHER,         "fisher",         TABLE,      tsim__fisher_table_p,  TAIL,  tsim_fisher_one_sided_p,    FISHER)  \
  X(CMH,            "cmh",            STRATIFIED, tsim__cmh_table_p,     HALVE, tsim__no_tail_p,            GENERAL) \
  X(LOGISTIC,       "logistic",       STRATIFIED, tsim__no_table_p,      HALVE, tsim__no_tail_p,            GENERAL) \
  X(BINOMIAL_EXACT, "binomial_exact", SINGLE_ARM, tsim__no_table_p,      TAIL,  tsim__no_tail_p,            GENERAL) \
  X(WELCH_T,        "welch_t",        CONTINUOUS, tsim__no_table_p,      HALVE, tsim__no_tail_p,            T)       \
  X(STUDENT_T,      "student_t",      CONTINUOUS, tsim__no_table_p,      HALVE, tsim__no_tail_p,            T)       \
  X(WILCOXON,       "wilcoxon",       CONTINUOUS, tsim__no_table_p,      HALVE, tsim__no_tail_p,            GENERAL) \
  X(ANCOVA,         "ancova",         CONTINUOUS, tsim__no_table_p,      HALVE, tsim__no_tail_p,            GENERAL) \
  X(BARNARD,        "barnard",        TABLE,      tsim_barnard_p,        TAIL,  tsim_barnard_one_sided_p,   BARNARD) \
  X(FARRINGTON_MANNING, "farrington_manning", MARGIN, tsim__no_table_p,  TAIL,  tsim__no_tail_p,            GENERAL) \
  X(MIETTINEN_NURMINEN, "miettinen_nurminen", MARGIN, tsim__no_table_p,  TAIL,  tsim__no_tail_p,            GENERAL) \
  X(WALD,           "wald",           MARGIN,     tsim__no_table_p,      TAIL,  tsim__no_tail_p,            GENERAL) \
  X(NEWCOMBE,       "newcombe",       MARGIN,     tsim__no_table_p,      TAIL,  tsim__no_tail_p,            GENERAL) \
  X(MN_STRATIFIED,  "miettinen_nurminen_stratified", MARGIN_STRATIFIED, tsim__no_table_p, TAIL, tsim__no_tail_p, GENERAL) \
  X(MMRM,           "mmrm",           CONTINUOUS, tsim__no_table_p,      HALVE, tsim__no_tail_p,            GENERAL)

typedef enum {
#define TSIM_TEST_ENUM(name, text, kind, p, one, tail, decide) TSIM_TEST_##name,
  TSIM_TEST_MAP(TSIM_TEST_ENUM)
#undef TSIM_TEST_ENUM
  TSIM_NTESTS
} tsim_test;

typedef enum {
  TSIM_KIND_TABLE, TSIM_KIND_STRATIFIED, TSIM_KIND_SINGLE_ARM, TSIM_KIND_CONTINUOUS, TSIM_KIND_MARGIN,
  TSIM_KIND_MARGIN_STRATIFIED
} tsim_test_kind;

/* 1 for the kinds that test against a margin (they need a non-inferiority or equivalence
 * hypothesis). */
static inline int tsim_kind_margin(tsim_test_kind k) {
  return k == TSIM_KIND_MARGIN || k == TSIM_KIND_MARGIN_STRATIFIED;
}
typedef enum { TSIM_ONE_HALVE, TSIM_ONE_TAIL } tsim_one_sided_rule;
typedef enum {
  TSIM_DECIDE_CHISQ, TSIM_DECIDE_FISHER, TSIM_DECIDE_BARNARD, TSIM_DECIDE_PVALUE, TSIM_DECIDE_T,
  TSIM_DECIDE_GENERAL
} tsim_decide_rule;

typedef double (*tsim_table_p_fn)(long long x0, long long n0, long long x1, long long n1, double *stat);
typedef double (*tsim_tail_p_fn)(long long x0, long long n0, long long x1, long long n1, int greater);

typedef struct tsim_test_info {
  const char *name;
  tsim_test_kind kind;
  tsim_table_p_fn p;
  tsim_one_sided_rule one;
  tsim_tail_p_fn tail;
  tsim_decide_rule decide;
} tsim_test_info;

/* The row of test t; aborts with a message naming t when t is not a test (unreachable from a
 * loaded scenario: an unknown test must never be decided as some other test). */
const tsim_test_info *tsim_test_info_of(tsim_test t);
/* The method of stats/nitest.h (tsim_ni_method) that two-arm margin test t is (kind MARGIN:
 * Farrington-Manning, Miettinen-Nurminen, Wald, Newcombe), or -1. */
int tsim_test_ni_method(tsim_test t);
/* Names as they appear in scenario files and output, indexed by tsim_test; NULL-terminated. */
extern const char *const tsim_test_names[];

/* Adapters giving every TABLE test the p column's signature; the placeholders return NaN. */
double tsim__fisher_table_p(long long x0, long long n0, long long x1, long long n1, double *stat);
double tsim__cmh_table_p(long long x0, long long n0, long long x1, long long n1, double *stat);
double tsim__no_table_p(long long x0, long long n0, long long x1, long long n1, double *stat);
double tsim__no_tail_p(long long x0, long long n0, long long x1, long long n1, int greater);

#endif
