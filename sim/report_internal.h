/* report_internal.h - JSON builders shared by the output modules (report.c, expreport.c).
 * Internal: not part of the engine's interface; names carry a double underscore. */
#ifndef TSIM_REPORT_INTERNAL_H
#define TSIM_REPORT_INTERNAL_H

#include <cjson/cJSON.h>

#include "report.h"

/* A number, or null when it is not finite (JSON has no NaN). */
cJSON *tsim__report_num(double x);
/* {"estimate", "mcse", "ci95": [lo, hi]}. */
cJSON *tsim__report_estimate_json(tsim_estimate e);
/* The summary.json object of comparison k (nominal: the scenario's difference in response). */
cJSON *tsim__report_analysis_json(const tsim_scenario *sc, const tsim_tally *t, int k,
                                  double nominal);
/* Writes text to path; 0 or -1. */
int tsim__report_write_text(const char *path, const char *text);

#endif
