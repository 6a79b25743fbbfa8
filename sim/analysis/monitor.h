/* monitor.h - site monitoring during a trial: the scenario's rules (scenario.h, tsim_monitoring)
 * checked on one trial's patients at a sequence of dates, which sites each flags and when, and
 * the sites an analysis removes at a date for the flags raised by then.
 *
 * A check at date T reads, for each rule, the patients whose visit of the rule's end point has
 * fallen due by T (randomised at least the visit's lag before T): a prefix of the cohort, since
 * its patients are in the order they were randomised (accrual.h). Counts per site grow as the
 * prefix does, so a trial's checks together read each patient once. Each hypothesis is checked
 * on its own data (the null twin's responses and dropouts where they differ). A site flagged
 * stays flagged; its first check is kept.
 *
 * Anomalous sites: those an enabled anomaly rule applies to in the trial (cohort.h,
 * tsim_cohort.anomalous); the run counts flags of anomalous sites as detections and flags of
 * the others as false alarms. */
#ifndef TSIM_MONITOR_H
#define TSIM_MONITOR_H

#include <stdint.h>

#include "input/scenario.h"
#include "model/cohort.h"

typedef struct tsim_monitor_ws tsim_monitor_ws;

/* One thread's workspace for sc's rules (sc->monitoring.nrules > 0); NULL when out of memory. */
tsim_monitor_ws *tsim_monitor_ws_new(const tsim_scenario *sc);
void tsim_monitor_ws_free(tsim_monitor_ws *ws);

/* Starts trial c (sampled, with randomisation times): no patient read, no site flagged. */
void tsim_monitor_begin(tsim_monitor_ws *ws, const tsim_cohort *c);

/* Check number `check` (0, 1, ... in increasing dates) at month `date`: reads the patients due
 * by then and flags, under each hypothesis, the sites each rule picks. */
void tsim_monitor_check(tsim_monitor_ws *ws, const tsim_cohort *c, double date, int check);

/* The check at which rule r first flagged site s under hypothesis h, or -1. */
int tsim_monitor_first(const tsim_monitor_ws *ws, int r, int h, int s);

/* mask[s] = 1 for the sites some rule of `rules` (bit r: rule r) flagged under hypothesis h at
 * a check dated no later than `date`, else 0; returns how many. */
int tsim_monitor_mask(const tsim_monitor_ws *ws, uint32_t rules, int h, double date, unsigned char *mask);

/* 1 when site s is anomalous in the trial held by c: some enabled anomaly rule applies to it. */
int tsim_monitor_site_anomalous(const tsim_cohort *c, int s);

#endif
