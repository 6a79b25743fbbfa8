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
#include "output/estimate.h"
#include "output/outset.h"


/* Calendar time of comparison k under hypothesis h (a timed tally): the mean number of patients
 * randomised when its trial ended, and the mean months from the first randomisation to the
 * decision, each with its Monte Carlo standard error. */
typedef struct tsim_timed {
  double n, n_se, months, months_se;
} tsim_timed;
void tsim_report_timed(const tsim_tally *t, int h, int k, tsim_timed *out);

/* The rejections of a tally cell by direction. `favouring` (runner.h) counts the rejections whose
 * observed difference favours the experimental arm (diff > 0 when higher is better, < 0 when
 * lower is better; a single arm against p0). The rest, reject - favouring, are reported as
 * "favouring control": their difference favours control, or is exactly zero. A significant zero
 * difference cannot happen with the 2x2 tests, the t tests or ANCOVA (their statistic is zero
 * there) but can, rarely, with a test of another statistic than the difference shown (stratified
 * CMH or logistic regression, Wilcoxon); counting it on the control side keeps the two
 * directions adding up to the two-sided rate. */
static inline uint64_t tsim_favouring_control(const tsim_tally_cell *c) { return c->reject - c->favouring; }

/* Facts about the run itself (the only part of the output allowed to vary between runs). */
typedef struct tsim_run_info {
  uint64_t seed;
  long long trials;
  int threads;             /* per process */
  double seconds;
  int processes;           /* processes of a run split across them (trialsim_mpi); 0 or 1: one */
  double mcse_target;      /* run --mcse, sweep --mcse: the Monte Carlo SE asked for; 0: none */
  long long max_trials;    /* ... and the most trials it could take (the cap) */
  int shards;              /* merge: the shards merged (it simulated nothing); 0 otherwise */
  long long resumed;       /* run --checkpoint: the trials the checkpoint held, simulated before
                              and not in `seconds` (trials_per_second leaves them out) */
} tsim_run_info;

/* Writes DIR/summary.json and DIR/analyses.csv (creating DIR and its parents). Returns
 * TSIM_OK, or TSIM_IO with the reason in d and no file of this run left behind. */
tsim_status tsim_report_write(const tsim_scenario *sc, const tsim_tally *t,
                              const tsim_run_info *ri, const char *dir, tsim_diag *d);

/* DIR/oc.{dat,gp} and, with gnuplot, DIR/oc.{svg,png}: per analysis, power favouring the
 * experimental arm and the null twin's rejections favouring each arm, with 95% intervals and
 * the nominal rate per direction. Call after tsim_report_write. Returns as tsim_plot_write: 0
 * drawn, 1 no gnuplot (notice said so), -1 data or script not written (errno), -2 gnuplot
 * failed. */
int tsim_report_write_run_plot(const tsim_scenario *sc, const tsim_tally *t, const char *dir, FILE *notice);

/* The human-readable table. */
void tsim_report_print(const tsim_scenario *sc, const tsim_tally *t, const tsim_run_info *ri,
                       FILE *f);

/* The second line of a printed table's header: `what`, then the seed, the processes (when more
 * than one), threads per process and seconds. */
void tsim_report_print_header(const char *what, long long trials, const tsim_run_info *ri, FILE *f);

/* Writes text to DIR/name through a temporary created exclusively in DIR and renamed into place
 * (DIR must exist). TSIM_OK, or TSIM_IO with the reason in d and nothing left behind. */
tsim_status tsim_report_write_text_file(const char *dir, const char *name, const char *text, tsim_diag *d);

#endif
