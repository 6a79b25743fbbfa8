/* siterule.c - an analysis's site exclusions as lists and an integer threshold table (see
 * siterule.h). */
#include "analysis/siterule.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void tsim_site_rule_free(tsim_site_rule *r) {
  if (!r) return;
  free(r->listed);
  free(r->cand);
  free(r->min_x);
  memset(r, 0, sizeof *r);
}

/* The fewest responders x >= 0 of n analysed patients for which the rule as stated removes the
 * site. x >= r with r = rate n - 1e-9 n in doubles holds exactly from ceil(r) on; the steps
 * after it make sure of that against the expression itself. */
static int32_t min_responders(const tsim_site_rule *r, long long n) {
  if (n < r->min_n) return INT32_MAX;
  double t = ceil(r->rate * (double)n - 1e-9 * (double)n);
  long long x = t > 0 ? (long long)t : 0;
  while (x > 0 && tsim_site_rule_where(r->rate, r->min_n, x - 1, n)) x--;
  while (!tsim_site_rule_where(r->rate, r->min_n, x, n)) x++;
  return (int32_t)x;
}

int tsim_site_rule_init(tsim_site_rule *r, const tsim_scenario *sc, const tsim_analysis *an) {
  memset(r, 0, sizeof *r);
  int ns = sc->nsites;
  if (an->exclude) {
    if (!(r->listed = malloc((size_t)ns * sizeof *r->listed))) goto nomem;
    for (int s = 0; s < ns; s++)
      if (an->exclude[s]) r->listed[r->nlisted++] = s;
  }
  if (!an->has_where) return 0;
  r->arm = an->where_arm;
  r->rate = an->where_rate;
  r->min_n = an->where_min;
  if (!(r->cand = malloc((size_t)ns * sizeof *r->cand))) goto nomem;
  for (int s = 0; s < ns; s++)
    if (!an->exclude || !an->exclude[s]) r->cand[r->ncand++] = s;
  /* No site of an arm holds more patients than the trial. */
  r->ntab = sc->sample_size + 1 < TSIM_SITE_RULE_TABLE ? sc->sample_size + 1 : TSIM_SITE_RULE_TABLE;
  if (!(r->min_x = malloc((size_t)r->ntab * sizeof *r->min_x))) goto nomem;
  for (long long n = 0; n < r->ntab; n++) r->min_x[n] = min_responders(r, n);
  return 0;
nomem:
  tsim_site_rule_free(r);
  return -1;
}
