/* size.h - the smallest total sample size whose power reaches a target.
 *
 * The search starts from the normal-approximation formula for two proportions (adjusted for
 * allocation, dropout, deviations and prespecified site exclusion, so that it lands near the
 * answer), brackets the answer by doubling or halving, bisects on the lattice of sizes
 * (multiples of `step`), and then evaluates every lattice size in a window around the
 * bisection's answer, because the power of a discrete test is not monotone in N (the
 * saw-tooth of the binomial). Every size is simulated with the same seed, so all points share
 * their random streams (common random numbers) and the comparison between neighbouring sizes
 * is much less noisy than each point. Reported:
 *   sample_size        the smallest evaluated N whose estimated power >= target;
 *   stable_sample_size the smallest N such that every evaluated N' >= N reaches the target.
 * It works for any analysis (per-protocol, site exclusion, data-driven rules), where no
 * formula exists: the formula is only the starting point.
 */
#ifndef TSIM_SIZE_H
#define TSIM_SIZE_H

#include <stdint.h>

#include "input/grid.h"
#include "input/scenario.h"
#include "run/runner.h"

#define TSIM_SIZE_MAX_FIXED 16

typedef struct tsim_size_opts {
  char comparison[2 * TSIM_ID_MAX + 2]; /* analysis id (or "analysis:arm") */
  double target;                 /* target power, in (0, 1) */
  long long step;                /* lattice of sizes; 0 = the allocation total when whole */
  long long n_max;               /* largest size searched; 0 = TSIM_MAX_SAMPLE */
  int window;                    /* lattice steps scanned on each side of the bisection answer */
} tsim_size_opts;

typedef struct tsim_size_point {
  long long n;                /* total sample size */
  uint64_t reject[2];         /* rejections under the alternative, the null twin */
  uint64_t favouring[2];      /* ... favouring the experimental arm */
  long long trials;
} tsim_size_point;

typedef struct tsim_size_result {
  int comparison;              /* index of the comparison searched */
  long long start;             /* where the search started */
  char start_reason[256];      /* the formula and its inputs, or why there was none */
  long long step;              /* the lattice used */
  int reached;                 /* 1 when some evaluated size reached the target */
  long long sample_size;       /* smallest evaluated size reaching the target (0 if none) */
  long long stable_sample_size;/* smallest N with every evaluated N' >= N reaching it */
  tsim_size_point *points;     /* every size evaluated, ascending (owned) */
  int npoints, cap;
} tsim_size_result;

/* Runs the search on `file` with the fixed overrides applied to every variant. Bad input (the
 * scenario, an override, an unknown analysis) is reported to d with TSIM_INPUT before anything
 * is simulated. On success res owns its points (free with tsim_size_result_free). */
tsim_status tsim_size_search(const char *file, const tsim_override *fixed, int nfixed,
                             const tsim_size_opts *o, const tsim_run_opts *ro,
                             tsim_size_result *res, tsim_diag *d);
void tsim_size_result_free(tsim_size_result *res);

/* The starting point: the normal-approximation total size for comparison k of sc, or 0 when
 * the formula does not apply (no difference between the arms). Explains itself in why[n]. */
long long tsim_size_formula(const tsim_scenario *sc, int k, double target, char *why, size_t n);

#endif
