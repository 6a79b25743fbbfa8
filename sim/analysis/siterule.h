/* siterule.h - which sites an analysis removes, worked out once per analysis.
 *
 * An analysis removes the sites listed in `exclude_sites` (prespecified) and then, among the
 * others, those the data-driven rule `exclude_sites_where` picks: the rule's arm has at least
 * min_patients analysed patients x of n at the site and an observed rate x/n >= rate, compared
 * as x >= rate n - 1e-9 n (a tolerance for the rounding of rate n; tsim_site_rule_where).
 *
 * Every trial evaluates every analysis twice, so the rule is prepared as integers: the listed
 * sites and the sites the rule examines as lists (a trial visits only those), and, for each
 * site size n up to a bound, the fewest responders that remove the site - found with the
 * rule's own floating-point expression, so the decisions are the same ones (tested for every
 * n and x of the table). Larger sites, which the table does not cover, use the expression.
 */
#ifndef TSIM_SITERULE_H
#define TSIM_SITERULE_H

#include <stdint.h>

#include "input/scenario.h"

/* Site sizes the threshold table covers at most (per analysis and thread: 16 KiB). */
#define TSIM_SITE_RULE_TABLE 4096

typedef struct tsim_site_rule {
  int nlisted;        /* prespecified: how many sites, and which (ascending) */
  int *listed;        /* (owned; NULL when none) */
  int ncand;          /* data-driven: the sites the rule examines (not listed), 0 if no rule */
  int *cand;          /* (owned; NULL when no rule) */
  int arm;            /* the arm whose observed response the rule examines */
  double rate;        /* the rule as stated: rate and minimum analysed patients */
  int min_n;
  long long ntab;     /* min_x covers site sizes n < ntab */
  int32_t *min_x;     /* [ntab] fewest responders of n that remove the site (INT32_MAX: none) */
} tsim_site_rule;

/* Prepares analysis an's rule for sc's sites. 0, or -1 when out of memory (r is then freed). */
int tsim_site_rule_init(tsim_site_rule *r, const tsim_scenario *sc, const tsim_analysis *an);
void tsim_site_rule_free(tsim_site_rule *r);

/* The data-driven rule as stated: 1 when a site whose rule arm has x responders among n
 * analysed patients goes (n >= min_n and x >= rate n - 1e-9 n in doubles). */
static inline int tsim_site_rule_where(double rate, int min_n, long long x, long long n) {
  return n >= min_n && (double)x >= rate * (double)n - 1e-9 * (double)n;
}

/* The same decision by the table (r must have a data-driven rule). */
static inline int tsim_site_rule_drops(const tsim_site_rule *r, long long x, long long n) {
  if (n < r->ntab) return x >= r->min_x[n];
  return tsim_site_rule_where(r->rate, r->min_n, x, n);
}

#endif
