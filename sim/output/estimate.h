/* estimate.h - Monte Carlo proportions and their JSON, shared by every output module (the
 * bottom of the output layer: it calls no other output file). */
#ifndef TSIM_ESTIMATE_H
#define TSIM_ESTIMATE_H

#include <cjson/cJSON.h>
#include <stdint.h>

/* A Monte Carlo proportion: k of n, its standard error and 95% Wilson interval. */
typedef struct tsim_estimate {
  double estimate, mcse, lo, hi;
} tsim_estimate;
tsim_estimate tsim_estimate_proportion(uint64_t k, uint64_t n);

/* A number, or null when it is not finite (JSON has no NaN). */
cJSON *tsim__report_num(double x);
/* {"estimate", "mcse", "ci95": [lo, hi]}. */
cJSON *tsim__report_estimate_json(tsim_estimate e);

#endif
