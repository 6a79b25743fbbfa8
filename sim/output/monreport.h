/* monreport.h - site monitoring's results (monreport.c): summary.json's "monitoring",
 * monitoring.csv and monitoring_checks.csv, the printed table's part, and the plot
 * DIR/monitoring.* - for a tally with mon_rules > 0 (runner.h). report.c calls these; they
 * call no other output module but estimate.c and plot.c. */
#ifndef TSIM_MONREPORT_H
#define TSIM_MONREPORT_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "input/scenario.h"
#include "output/estimate.h"
#include "run/runner.h"

/* What a run's CSV writers read (their ctx). */
typedef struct tsim__mon_ctx {
  const tsim_scenario *sc;
  const tsim_tally *t;
} tsim__mon_ctx;

/* Rule r's numbers under hypothesis h by the end of the trial: per trial (detect and all among
 * the trials with an anomalous site; NaN estimates when there is none) and pooled over (trial,
 * site) pairs. */
typedef struct tsim__mon_numbers {
  tsim_estimate detect, all, any_fa;
  double pooled_detect, pooled_fa;
} tsim__mon_numbers;
tsim__mon_numbers tsim__monitor_numbers(const tsim_tally *t, int r, int h);

cJSON *tsim__monitor_json(const tsim_scenario *sc, const tsim_tally *t);
void tsim__monitor_sites_csv(FILE *f, const void *ctx);
void tsim__monitor_checks_csv(FILE *f, const void *ctx);
void tsim__monitor_print(const tsim_scenario *sc, const tsim_tally *t, FILE *f);
/* Returns as tsim_plot_write. */
int tsim__monitor_plot(const tsim_scenario *sc, const tsim_tally *t, const char *dir, FILE *notice);

#endif
