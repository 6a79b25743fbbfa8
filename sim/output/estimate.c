/* estimate.c - Monte Carlo proportions and their JSON (see estimate.h). */
#include "output/estimate.h"

#include <math.h>

#include "run/runner.h"

#define Z975 1.959963984540054 /* standard normal 0.975 quantile */

tsim_estimate tsim_estimate_proportion(uint64_t k, uint64_t n) {
  tsim_estimate e = {NAN, NAN, NAN, NAN};
  if (n == 0) return e;
  double p = (double)k / (double)n;
  e.estimate = p;
  e.mcse = sqrt(p * (1 - p) / (double)n);
  /* Wilson score interval: well behaved at 0 and 1, unlike the Wald interval. */
  tsim_wilson(k, n, Z975, &e.lo, &e.hi);
  return e;
}

cJSON *tsim__report_num(double x) { return isfinite(x) ? cJSON_CreateNumber(x) : cJSON_CreateNull(); }

cJSON *tsim__report_estimate_json(tsim_estimate e) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddItemToObject(o, "estimate", tsim__report_num(e.estimate));
  cJSON_AddItemToObject(o, "mcse", tsim__report_num(e.mcse));
  cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
  cJSON_AddItemToArray(ci, tsim__report_num(e.lo));
  cJSON_AddItemToArray(ci, tsim__report_num(e.hi));
  return o;
}
