/* sweep.h - running a scenario over a grid of variants with common random numbers.
 *
 * Every grid point is a scenario variant (the file with the point's values substituted) and
 * is validated before any simulation runs: one bad point fails the whole sweep, naming the
 * point, the path and the value. Every point is then run with the same seed and trial count,
 * so trial i draws from the same streams at every point: differences between neighbouring
 * points are estimated far more precisely than the points themselves, and each point's
 * numbers are exactly those of `trialsim run` on that variant.
 */
#ifndef TSIM_SWEEP_H
#define TSIM_SWEEP_H

#include "input/grid.h"
#include "input/scenario.h"
#include "run/runner.h"

typedef struct tsim_sweep_point {
  tsim_override ov[TSIM_GRID_MAX_PARAMS]; /* this point's values, one per grid parameter */
  tsim_tally *tally;                       /* its results (owned) */
  double *nominal;                         /* [ncomp] nominal differences at this point (owned) */
  int events;                              /* the point's scenario has intercurrent events */
  int cell_mode;                           /* its trials were drawn per cell (cohort.h) */
  double alpha[TSIM_MAX_ANALYSES];         /* each analysis's alpha at this point */
  int sided[TSIM_MAX_ANALYSES];            /* ... and its sidedness */
  long long sample_size;                   /* the point's sample size and interim looks (whose */
  tsim_gs_looks looks;                     /* patients follow it), for the planned boundaries */
  uint64_t seed;                           /* the seed this point ran with */
  long long trials;                        /* and its number of trials (run) */
  long long max_trials;                    /* its cap (with mcse; = trials otherwise) */
} tsim_sweep_point;

/* How every point runs: threads, and the command line's --seed and --trials (-1: each
 * point's own "seed" and "trials", which may themselves be swept). */
typedef struct tsim_sweep_opts {
  int threads;
  long long seed;
  long long trials;
  double mcse;          /* > 0: each point runs in looks (tsim_mcse_next) until every power and
                           type I error it reports has at most this Monte Carlo SE, its trials
                           (as above) being the cap; 0: every point runs all its trials */
  long long trials_cap; /* set by tsim_sweep_run: the largest cap of any point */
} tsim_sweep_opts;

typedef struct tsim_sweep {
  const tsim_grid *grid;     /* borrowed */
  tsim_scenario *first;      /* the first point's scenario: names, analyses (owned) */
  tsim_sweep_point *points;  /* [grid->npoints] (owned) */
  int npoints;
} tsim_sweep;

/* Reads `file` once, validates every point of `grid`, then runs them all. On bad input every
 * problem is in d and TSIM_INPUT is returned with nothing run. `progress` (may be NULL) is
 * told after each point. */
tsim_status tsim_sweep_run(const char *file, const tsim_grid *grid, tsim_sweep_opts *so,
                           tsim_sweep *out, tsim_diag *d,
                           void (*progress)(void *ctx, int done, int total), void *ctx);
void tsim_sweep_free(tsim_sweep *s);

#endif
