/* report.h - turning a tally into summary.json, analyses.csv and a readable table.
 *
 * Everything outside "run" in summary.json is a function of (scenario, seed, trials) alone.
 * Files are written to temporary names and renamed into place only when all are complete,
 * so a failed run leaves nothing written half-way.
 */
#ifndef TSIM_REPORT_H
#define TSIM_REPORT_H

#include <stdio.h>

#include "input/scenario.h"
#include "run/runner.h"

/* A Monte Carlo proportion: k of n, its standard error and 95% Wilson interval. */
typedef struct tsim_estimate {
  double estimate, mcse, lo, hi;
} tsim_estimate;
tsim_estimate tsim_estimate_proportion(uint64_t k, uint64_t n);

/* Facts about the run itself (the only part of the output allowed to vary between runs). */
typedef struct tsim_run_info {
  uint64_t seed;
  long long trials;
  int threads;             /* per process */
  double seconds;
  int processes;           /* processes of a run split across them (trialsim_mpi); 0 or 1: one */
} tsim_run_info;

/* Writes DIR/summary.json and DIR/analyses.csv (creating DIR and its parents). Returns
 * TSIM_OK, or TSIM_IO with the reason in d and no file of this run left behind. */
tsim_status tsim_report_write(const tsim_scenario *sc, const tsim_tally *t,
                              const tsim_run_info *ri, const char *dir, tsim_diag *d);

/* The human-readable table. */
void tsim_report_print(const tsim_scenario *sc, const tsim_tally *t, const tsim_run_info *ri,
                       FILE *f);

/* mkdir -p; 0 on success. */
int tsim_mkdirs(const char *dir);


#endif
