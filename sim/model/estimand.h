/* estimand.h - what an analysis's strategies for intercurrent events make of its patients'
 * values, and the full-data value of the estimand it targets (ICH E9(R1); scenario.h has the
 * events and strategies, latent.h how events change values).
 *
 * Analysis `an` reads end point e at its visit V (scenario visit w_V). For a patient, an event
 * counts for the analysis when it happened before visit w_V; the analysis knows of it when it
 * happened while the patient was followed (its visit <= the patient's first missed visit).
 * Of the events it knows, C, W and H are the earliest visits before which one the analysis
 * treats as composite, while on treatment, or hypothetically happened. Then, in this order:
 *   w_V >= C   the value is a failure: 0 (a non-responder; composite needs a binary end point),
 *              observed even if the patient dropped out after the event (so are the visits
 *              from C on: 0; the earlier ones were seen, C being known);
 *   w_V >= W   the value at the end point's last visit before W (seen: W is known), observed,
 *              and carried to the visits from W on; missing when there is no visit before W, or
 *              when a hypothetical event came before that visit (its value is set aside);
 *   w_V >= H   the value is missing: values after the event are set aside, and the
 *              analysis's "missing" rule (exclude, non_responder, locf) decides - whether its
 *              result then estimates the hypothetical value is what the simulation shows;
 *   otherwise  the value observed (treatment policy: with the effects of earlier events).
 * The estimand's variable is the same with every event counted (known or not), nothing
 * missing, and the hypothetical value where H applies (the patient's value without the events
 * of the scenario's hyp_mask) - also at the last visit before W when H came before it; while on
 * treatment, a patient with no visit before W has no value and is not part of the estimand. Its population is every randomised patient of the
 * analysis's subgroup (whatever the analysis's population or site exclusions). */
#ifndef TSIM_ESTIMAND_H
#define TSIM_ESTIMAND_H

#include "model/trial.h"

/* End point an->endpoint's values at its own visits 0 .. an->visit of every patient of the
 * trial c holds under hypothesis h as analysis an sees them: val[j (an->visit + 1) + u], and
 * gone[j] the first missed visit that goes with them (a scenario visit index; nvisits: none). */
void tsim_estimand_view(const tsim_cohort *c, int h, const tsim_analysis *an, double *val, uint8_t *gone);

/* The estimand's variable of analysis an summed (sum[a]) and counted (n[a]) over the patients
 * of each arm a of the trial c holds under hypothesis h. */
void tsim_estimand_oracle(const tsim_cohort *c, int h, const tsim_analysis *an, double *sum, long long *n);

/* The mean of analysis k's estimand variable in each arm, mean[a], computed exactly: summed over
 * every combination of the visits before which each event happens (independent events, each
 * with its arm's probabilities), the variable's expected value given them (estimand.h's rules
 * on the model's means and response probabilities). 0, or -1 when the model has no such closed
 * form here: an event whose probability depends on a response (the event and the value are then
 * correlated through the latent normal), anomalies, a binary end point with site heterogeneity
 * (the mean of logistic(logit p + b) over b), a single arm, or more than 10^6 combinations. */
int tsim_estimand_exact(const tsim_scenario *sc, int k, double *mean);

/* The estimands of every comparison of every analysis (index analysis ncomparisons + j, as the
 * tally's) under both hypotheses from a simulated population: trials of the scenario (its
 * sample size; at least min_patients patients and 20 trials) from a seed of its own, each
 * patient's estimand variable (tsim_estimand_oracle) averaged per arm over all of them, and the
 * difference experimental - control: truth[h nc + i] under hypothesis h (nc = analyses x
 * comparisons), with its standard error se[h nc + i] (the trials' differences' SD /
 * sqrt(trials)). *patients: the population's size. TSIM_NOMEM, or TSIM_OK. */
#define TSIM_TRUTH_SEED 0x7472757468ULL /* "truth" */
tsim_status tsim_estimand_simulated(const tsim_scenario *sc, long long min_patients, double *truth, double *se,
                                    long long *patients);

/* The true value of every comparison's estimand under the scenario and its null twin (laid out
 * as tsim_estimand_simulated's): exact where tsim_estimand_exact has it (se 0; the null twin's
 * 0, every arm being the control), else from a simulated population of at least
 * TSIM_TRUTH_PATIENTS patients (*patients: its size; 0 when every value is exact) - under the
 * null twin too, where anomalies can leave the arms apart. The same numbers whatever runs it:
 * a function of the scenario alone. */
#define TSIM_TRUTH_PATIENTS 1000000
tsim_status tsim_estimand_truth(const tsim_scenario *sc, double *truth, double *se, long long *patients);

/* The simulated population's least size for tsim_estimand_truth (TSIM_TRUTH_PATIENTS unless
 * set; at least 1): for the fuzzing harnesses, whose inputs must each run in moments. Set it
 * before any run; every later true value depends on it. */
void tsim_estimand_set_population(long long min_patients);

#endif
