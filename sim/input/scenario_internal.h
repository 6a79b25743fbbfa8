/* scenario_internal.h - what the two halves of the scenario loader share: scenario_load.c (design,
 * sites, analyses, multiplicity, sweep) and scenario_model.c (the patient model: end points
 * and their visits, correlations, subgroups, dropout). Not for other modules.
 */
#ifndef TSIM_SCENARIO_INTERNAL_H
#define TSIM_SCENARIO_INTERNAL_H

#include "input/jcheck.h"
#include "input/scenario.h"

typedef struct tsim__loader {
  tsim_jctx c;
  tsim_scenario *sc;
  int arms_ok;  /* the arms parsed cleanly, so names can be resolved */
  int sites_ok; /* the site count is known, so site indices can be range-checked */
  int model_ok; /* end points, visits and subgroups parsed cleanly */
  int events_bad; /* "intercurrent_events" is there but not a list of 1 to 8 events (said once) */
} tsim__loader;

/* Accrual expected to take longer is a mistake in the rates (83,000 years); durations are tallied
 * in fixed point up to TSIM_MONTHS_MAX (run/runner.h), far beyond it. */
#define TSIM_ACCRUAL_MONTHS_MAX 1e6

int tsim__find_arm(const tsim_scenario *sc, const char *id);
int tsim__find_endpoint(const tsim_scenario *sc, const char *id);
/* An arm id given as a string value at obj[key]; the index or -1 (reported). When the arms
 * failed, only the form of the value is checked. */
int tsim__arm_ref(tsim__loader *L, const cJSON *obj, const char *path, const char *key);
/* Reports "unknown arm" at path for id, naming the scenario's arms. */
void tsim__unknown_arm(tsim__loader *L, const char *path, const char *id);
/* 1 when s is [A-Za-z0-9_.-]+ other than "." and "..", which name a folder that exists;
 * NAME_RULE says so in a message. */
#define NAME_RULE "letters, digits, '_', '-' or '.', other than \".\" and \"..\""
int tsim__valid_name(const char *s);
/* The end point named by the string obj[key] (-1 when absent, bad or unknown: reported). */
int tsim__endpoint_ref(tsim__loader *L, const cJSON *obj, const char *path, const char *key,
                       int required);
/* An id of [A-Za-z0-9_.-] at obj["id"]: 1 ok, 0 absent (reported: ids are required), -1 bad. */
int tsim__get_id(tsim__loader *L, const cJSON *obj, const char *path, char *out);
/* The array at root[key] with min..max elements, its path in p; NULL if absent or bad. */
const cJSON *tsim__get_array(tsim__loader *L, const cJSON *root, const char *path,
                             const char *key, int required, int min, int max, char *p);

/* The patient model (scenario_model.c): end points, visits, dropout and deviation, subgroups,
 * correlations and outcome-dependent dropout, in that order; then the single-arm and latent-
 * model flags. Needs the arms; runs before sites and analyses. */
void tsim__load_model(tsim__loader *L, const cJSON *root);
/* Calendar time (scenario_time.c): "accrual" and "looks". Needs the sites, the analyses and
 * the multiplicity procedures; sets the latent-model flag when there is accrual. */
void tsim__load_time(tsim__loader *L, const cJSON *root);
/* Site monitoring (scenario_monitor.c): "monitoring" and each analysis's "exclude_flagged".
 * Needs the end points, the analyses and the looks (tsim__load_time). */
void tsim__load_monitoring(tsim__loader *L, const cJSON *root);

/* Non-inferiority and equivalence (scenario_hypo.c): analysis a's "hypothesis", after its test,
 * alpha and sidedness (tsim__load_hypothesis); then, once the analyses, outcome-dependent
 * dropout and site monitoring are loaded, each end point's null twins and the passes
 * (tsim__load_nulls). */
void tsim__load_hypothesis(tsim__loader *L, const cJSON *an, const char *ap, tsim_analysis *a);
void tsim__load_nulls(tsim__loader *L);
/* What a margin cannot be combined with yet: interim looks; Bonferroni and Holm procedures
 * (p-values on another scale). After tsim__load_time. */
void tsim__check_margins(tsim__loader *L);

/* Intercurrent events (scenario_model.c, loaded with the model): analysis a's "strategy", after
 * its end point; then, after the analyses, looks and monitoring, what events cannot go with
 * yet and the hypothetical values' events (tsim_scenario.hyp_mask). */
void tsim__load_strategy(tsim__loader *L, const cJSON *an, const char *ap, tsim_analysis *a);
void tsim__check_events(tsim__loader *L);
#endif
