/* cohort.h - one simulated trial's patients, sampled from a scenario.
 *
 * A cohort is regenerated from (seed, trial index, hypothesis) alone: the same triple gives the
 * same patients on any thread or machine, which is what makes `trialsim cohort --trial K`
 * show exactly the patients `trialsim run` analysed as trial K. Under the null hypothesis
 * ("null twin") every arm's response is the control arm's; sites, heterogeneity, anomalies,
 * dropout and deviations are unchanged, and both hypotheses read the same random streams, so
 * the two runs are coupled (common random numbers).
 *
 * Scenarios with continuous, correlated, repeated or derived end points, subgroups, outcome-
 * dependent dropout or a single arm use the latent model of latent.h instead: every patient
 * keeps its values (c->val), and analyses read them rather than the cell table.
 *
 * Two samplers draw from this model: per patient (cohort.c), and - when patients are
 * exchangeable within site and arm and the cells are large - as counts per (site, arm) cell
 * (cellsample.c), which makes the cost of a trial nearly flat in its sample size. They give the
 * same distribution of every analysis (tested), not the same numbers. The latent model's
 * patients can come from the cell counts too (their rows; each still draws its own values).
 *
 * Model of one patient j (site s, arm a, end point e):
 *   p_e(s, a) = anomaly response        if an anomaly rule covers (s, a, e) in this trial,
 *             = logistic(logit(pi_ea) +/- b_s)  otherwise, with b_s ~ N(0, heterogeneity_sd^2)
 *               drawn once per site and trial (pi_ea in {0, 1} is left as it is); + for an
 *               efficacy end point (higher_is_better), - for a harmful one, so that b_s > 0 is
 *               a site where patients do better on every end point;
 *   response_je ~ Bernoulli(p_e(s, a)), dropout_j ~ Bernoulli(dropout_a),
 *   deviation_j ~ Bernoulli(deviation_a), all independent given the site effects.
 */
#ifndef TSIM_COHORT_H
#define TSIM_COHORT_H

#include <stdio.h>

#include "input/scenario.h"
#include "model/trial.h"

/* 1 when trials of sc are sampled as counts per (site, arm) cell rather than per patient:
 * when the scenario asks for it ("sampling": "cell"), or under "auto" when it permits it and
 * the cells are large enough for counts to be faster (see cellsample.c). */
int tsim_cohort_cell_mode(const tsim_scenario *sc);

/* Builds the shared plan. Returns TSIM_OK or TSIM_NOMEM (nothing to free then). */
tsim_status tsim_cohort_plan_init(tsim_cohort_plan *plan, const tsim_scenario *sc);
void tsim_cohort_plan_free(tsim_cohort_plan *plan);

/* A workspace for one thread; NULL when out of memory. Free with tsim_cohort_free (NULL ok). */
tsim_cohort *tsim_cohort_new(const tsim_cohort_plan *plan);
void tsim_cohort_free(tsim_cohort *c);

/* Samples trial `trial` into c: its patients and their outcomes under both hypotheses, with
 * the cell tables of both. */
void tsim_cohort_sample(tsim_cohort *c, uint64_t seed, long long trial);

/* Writes the cohort held, under hypothesis h, as CSV: a header, then one row per patient in
 * enrollment order. */
int tsim_cohort_write_csv(const tsim_cohort *c, tsim_hypothesis h, FILE *f);

#endif
