/* latent.h - the patient-level model: every patient's outcomes drawn from one latent
 * multivariate normal vector (a Gaussian copula), so end points, visits and baselines can be
 * correlated as they are in real patients.
 *
 * Measures. Each (end point, visit) pair of a non-derived end point is one latent dimension,
 * and so is each continuous end point's baseline. For end points e, f and visits v, w (indices
 * into the scenario's visits):
 *   corr(Z_ev, Z_fw) = R[e][f] * rho^|v - w|      (R = "correlation", rho = "visit_correlation"),
 * a principal submatrix of the Kronecker product R (x) AR(1), so positive definite whenever R
 * is and |rho| < 1. A baseline is B = rho_B Z_eV + sqrt(1 - rho_B^2) eps, eps independent, with
 * V the end point's last visit: its correlation with that value is rho_B.
 *
 * Values of patient j at site s in arm a:
 *   binary      response = [ Z_ev > -Phi^-1(p) ] (the top p of the latent distribution, so a
 *               positive correlation means "responders have higher values"),
 *               p = logistic(logit(pi_eva) + d_e b_s), or the anomaly's response where an
 *               anomaly rule covers (s, a, e) this trial;
 *   continuous  y = mu_eva + sigma_ea (Z_ev + d_e b_s sqrt(3) / pi), or the anomaly's mean in
 *               place of mu: the site effect b_s (SD heterogeneity_sd on the logit scale) is
 *               moved to the latent normal scale by the logistic distribution's SD, pi/sqrt 3;
 *   d_e = +1 when higher_is_better, else -1: a site with b_s > 0 is one where patients do
 *               better on every end point (more responders, fewer harmful events, values in
 *               the better direction);
 *   derived     response = [ y_source <= threshold ] (or >=), from the source's value;
 *   baseline    mu_B + sigma_B B.
 * Under the null twin every arm takes the control arm's probabilities, means and SDs (the
 * same Z, so the two hypotheses stay coupled), or in a single-arm design the end point's p0;
 * for a derived end point with p0, its source's null mean is set so that the threshold cuts
 * off p0: mu = t - sd Phi^-1(p0) (at_most) or t + sd Phi^-1(p0) (at_least).
 * An anomaly's mean replaces mu + sigma d_e b_s sqrt(3) / pi (the site effect included), as an
 * anomaly's response replaces the site-shifted probability.
 *
 * Dropout has a time: U_j < D_a(v) means "gone before visit v", D_a the arm's cumulative
 * dropout curve. With outcome-dependent dropout (ratio r on end point m), a non-responder on m
 * (at m's last visit, a potential outcome drawn for everyone) has hazard r times a
 * responder's: D_a(v) r / (q + r (1 - q)) and D_a(v) / (q + r (1 - q)), q the arm's base
 * response probability on m, so that the arm's dropout stays D_a(v) at its base rate (capped
 * at 1). Deviations and subgroup membership are independent Bernoulli draws per patient.
 * When the plan is in cell mode (tsim_scenario_cell_blocker: one visit, none of those extras),
 * enrollment, randomisation, dropout and deviation come as counts per (site, arm) cell from the
 * cell sampler (cellsample.c), which writes the rows cell by cell; the values are drawn per
 * patient in that order either way.
 */
#ifndef TSIM_LATENT_H
#define TSIM_LATENT_H

#include "input/latent_layout.h"
#include "model/trial.h"

/* Intercurrent events. Patient j of arm a has event k before visit v when u_jk < by_k(v, a) (its
 * own uniform, TSIM_DRAWS_EVENTS; the arm's cumulative probability, times r / (q + r (1 - q))
 * for a non-responder on the event's end point and 1 / (q + r (1 - q)) for a responder, r its
 * ratio and q the arm's response, as outcome-dependent dropout). Under the null twin every arm
 * has the control's probabilities. At a visit w after the event (v <= w) a measure of the
 * patient's takes the fraction F = tsim_event_fraction(sc, k, v, w) of the way from its arm's
 * parameter to the control arm's at its site - mean and SD (continuous), or response
 * probability (binary, its latent threshold Phi^-1 of the mixed probability) - with the same
 * latent normal, plus the event's shift (continuous: to the value; binary: to the latent normal
 * value, in SDs); with several events the largest F and the sum of the shifts. The values without the events analyses treat hypothetically are kept too
 * (tsim_patients.hyp). A derived end point follows its source. */
/* F of event k, happened before visit v, at visit w: 0 when v > w (not yet) or the effect is
 * kept; 1 for "control"; for "wane", the weeks since the event - counted from the visit before it
 * (week 0 for the first) - over wane_weeks, at most 1. */
double tsim_event_fraction(const tsim_scenario *sc, int k, int v, int w);

/* A new plan for sc (sc->latent must be 1, tsim_latent_valid 0); NULL when out of memory.
 * free() it. */
tsim_latent_plan *tsim_latent_plan_new(const tsim_scenario *sc);
/* The latent sampler's part of a workspace for plan (plan->lat set); NULL when out of memory.
 * Freeing NULL is a no-op. */
struct tsim_latent_ws *tsim__latent_ws_new(const tsim_cohort_plan *plan);
void tsim__latent_ws_free(struct tsim_latent_ws *l);
/* The latent model (latent.c): enrollment, missingness (per patient or, in cell mode, the cell
 * sampler's rows) and every patient's values. */
void tsim__cohort_sample_latent(tsim_cohort *c, uint64_t seed, long long trial);
int tsim__latent_write_csv(const tsim_cohort *c, tsim_hypothesis h, FILE *f);
/* The threshold (binary) or mean (continuous) of non-derived measure m at site s in arm a under
 * hypothesis h in the trial c holds (for tests: tests/test_latent_ref.c compares them bit for
 * bit with a plain computation). */
double tsim__latent_param(const tsim_cohort *c, int h, int m, int s, int a);

#endif
