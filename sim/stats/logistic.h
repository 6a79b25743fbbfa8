/* logistic.h - logistic regression of a binary end point on the arm, with a fixed effect per
 * stratum (site), fitted to the counts of K strata of 2x2 tables.
 *
 * Table convention as stattest.h: stratum k has control x0[k] responders of n0[k] and
 * experimental x1[k] of n1[k]. The model is logit P(response) = a_k + b g (g = 1 for the
 * experimental arm), fitted by unconditional maximum likelihood on the grouped binomial data;
 * b is the log odds ratio of the arm (experimental vs control) common to all strata. The test
 * is Wald's: z = b / se(b), p = 2 P(Z > |z|), interval b -/+ q se with q the (1 + conf)/2
 * normal quantile. This is R's
 *   summary(glm(cbind(x, n - x) ~ arm + factor(stratum), family = binomial))
 * row "arm" (with one stratum, glm(... ~ arm)) and confint.default(); tests/test_logistic.c
 * checks b, se, z, p and the interval against R (glm.control(epsilon = 1e-12, maxit = 100),
 * standard errors at the estimate: tests/r/logistic_reference.R) to a relative 1e-9.
 *
 * Uninformative strata are dropped before fitting: every response 0 or every response 1
 * (x0 + x1 = 0 or n0 + n1), or an arm with no patient (this includes a stratum of one
 * patient). Such a stratum's likelihood is maximised by its own a_k alone, whatever b is - in
 * the limit a_k -> -/+ infinity for all 0 / all 1, where R's glm drifts with "fitted
 * probabilities numerically 0 or 1 occurred" - so the profile likelihood of b is that of the
 * other strata, and the limit of the MLE of b (and of its standard error, as the stratum's
 * information w0 w1 / (w0 + w1) vanishes) is exactly the fit on the remaining strata. R's own
 * estimate on the full data agrees with it to about 1e-6, its a_k having stopped near -/+30.
 *
 * Existence, checked before iterating: on the informative strata let T = sum x1[k],
 * m_k = x0[k] + x1[k], T_min = sum max(0, m_k - n0[k]), T_max = sum min(n1[k], m_k) (the range
 * of T given every stratum's margins, T's conditional support). The MLE of b is finite iff
 * T_min < T < T_max; otherwise b is infinite (separation, e.g. every responder in one arm) and
 * the fit is "not estimable". Then Newton's method on the profile likelihood of b (each a_k
 * solved for the current b; the step is the joint Newton step with the a_k eliminated through
 * the Schur complement of the information matrix, an arrow: b's row and column and a diagonal
 * over the strata), from the Mantel-Haenszel log odds ratio, kept in a bracket of the root and
 * stopped when a step moves b by at most 1e-11 (1 + |b|) - tighter than R's deviance test
 * (epsilon 1e-8), which at counts of 1e7 cannot get below its own rounding noise. At most
 * TSIM_LOGIT_MAXIT steps, each O(K): thousands of strata and counts up to 1e7 are fine. Every
 * table with a finite MLE converges (tests/test_logistic.c tries every pair of strata with arms
 * up to 5 and random strata with counts up to 1e7); "not converged" is a safety net.
 *
 * A call allocates nothing and does no I/O; the workspace holds K strata and is not
 * thread-safe (one per thread). Every output but status, strata and iterations is NaN unless
 * status is TSIM_LOGIT_OK, and the p-value returned is NaN: "not estimable" never rejects.
 */
#ifndef TSIM_LOGISTIC_H
#define TSIM_LOGISTIC_H

#define TSIM_LOGIT_MAXIT 50
#define TSIM_LOGIT_NMAX 2147483647LL /* patients per arm and stratum */

typedef enum tsim_logit_status {
  TSIM_LOGIT_OK = 0,
  TSIM_LOGIT_SEPARATED,      /* T at the edge of its range: the MLE of b is infinite */
  TSIM_LOGIT_NO_INFORMATION, /* no informative stratum */
  TSIM_LOGIT_NO_CONVERGENCE, /* not converged in TSIM_LOGIT_MAXIT iterations */
  TSIM_LOGIT_BAD_ARGS        /* k outside [1, kmax], a count < 0 or n > TSIM_LOGIT_NMAX, x > n,
                                conf outside (0, 1) */
} tsim_logit_status;

typedef struct tsim_logit_fit {
  tsim_logit_status status;
  double est;     /* b: the log odds ratio, experimental vs control */
  double se, z, p;
  double lo, hi;  /* the `conf` Wald interval of b */
  int strata;     /* informative strata used */
  int iterations; /* Newton steps taken on b */
} tsim_logit_fit;

typedef struct tsim_logit_ws tsim_logit_ws;

/* A workspace for up to kmax strata; NULL when out of memory or kmax < 1. */
tsim_logit_ws *tsim_logit_ws_new(int kmax);
void tsim_logit_ws_free(tsim_logit_ws *ws);

/* Fits the model to k strata; returns the two-sided Wald p-value of the arm (NaN unless the
 * fit's status is TSIM_LOGIT_OK) and fills *out (may be NULL). */
double tsim_logistic(tsim_logit_ws *ws, const long long *x0, const long long *n0,
                     const long long *x1, const long long *n1, int k, double conf,
                     tsim_logit_fit *out);

/* "ok", "separated", "no informative stratum", "not converged", "bad arguments". */
const char *tsim_logit_status_name(tsim_logit_status s);

#endif
