/* mmrm.h - the mixed model for repeated measures (MMRM) of a continuous end point measured at
 * several visits: the treatment effect at one visit under an unstructured covariance, by REML.
 *
 * Model. Patients i in arm g_i (0 control, 1 experimental), visits v = 0 .. V-1 (V <= 16),
 * optional baseline b_i. The response vector y_i = (y_i0 .. y_i,V-1) is multivariate normal,
 *   E[y_iv] = mu_v + delta_v g_i (+ gamma_v b_i),   Cov(y_i) = Sigma (V x V, unstructured),
 * with the same Sigma in both arms and patients independent: visit-specific intercepts,
 * treatment-by-visit and (optionally) baseline-by-visit effects, the usual primary analysis of
 * a continuous end point in a SAP. A missing value (NaN) is left out of the likelihood - any
 * pattern, not only monotone dropout (valid under missingness at random); a patient with no
 * value, or with a NaN baseline when the fit has one, contributes nothing (as R's na.omit).
 * Sigma is estimated by restricted maximum likelihood (REML), the fixed effects by generalised
 * least squares given Sigma. This is R's
 *   nlme::gls(y ~ 0 + visit + visit:arm (+ visit:base),
 *             correlation = corSymm(form = ~ as.integer(visit) | id),
 *             weights = varIdent(form = ~ 1 | visit), method = "REML")
 * and SAS's PROC MIXED with REPEATED / TYPE=UN, DDFM=SATTERTH.
 *
 * Outputs for the visit `at` (usually the last): delta_at (experimental minus control), its
 * standard error from the model-based covariance of the fixed effects (X' Sigma^-1 X)^-1,
 * Satterthwaite's degrees of freedom, t = delta / se, the two-sided p from Student's t on those
 * df, the two-sided `conf` interval, the REML log-likelihood (nlme's logLik: no
 * + 1/2 log|X'X| term), the fitted Sigma, and how the iteration went.
 *
 * Degrees of freedom (Satterthwaite 1946; as SAS's DDFM=SATTERTH, lmerTest and R's mmrm):
 *   df = 2 (c' Phi c)^2 / (g' A g),
 * Phi = (X' Sigma^-1 X)^-1, c picking delta_at, g the gradient of c' Phi(theta) c over the
 * covariance parameters theta, A the asymptotic covariance of their REML estimates, taken as
 * the inverse of the OBSERVED information (minus the Hessian of the REML log-likelihood) at the
 * maximum: that is what SAS, lmerTest and mmrm use, and with complete data it makes df = n - 3
 * with a baseline (n - 2 without) exactly, the Student t / ANCOVA df when V = 1. (The expected
 * information gives other df once values are missing.) At a maximum df does not depend on how
 * Sigma is parameterised: it is computed in Sigma's own entries.
 *
 * Algorithm. Sigma = L L', theta = the entries of the lower-triangular Cholesky factor L with
 * its diagonal as logarithms, so every iterate is positive definite. Patients are grouped by
 * their pattern of observed visits and each pattern is summarised once per call (its count,
 * sums of z z', z y' and y y' with z = (1, g, b)); every iteration works on those summaries
 * only, nothing per patient: O(patterns m^4 + V^2 p^3) operations, p = 2V or 3V fixed effects,
 * m visits per pattern. Start: visit-wise least squares and the pairwise covariances of their
 * residuals (correlations shrunk until positive definite; with complete data this is already
 * the REML estimate). Then Newton-Raphson on the REML log-likelihood with its analytic gradient
 * and analytic observed information, falling back to Fisher scoring (the analytic expected
 * information) where the observed one is not positive definite; no parameter moves by more than
 * 4 in one step, and a step is halved (up to 40 times) until the log-likelihood does not fall
 * by more than rounding (1e-13 relative). Converged when the Newton decrement g' I^-1 g (twice
 * what a full step would still gain; scale-free) is below 1e-16, or below 1e-9 while the
 * log-likelihood changes by less than 1e-13 relative (rounding's floor); fails after 60 steps.
 * Typically 3 to 6 steps. y and the baseline are scaled by powers of two (exactly) and centred
 * (y per arm and visit, the baseline overall: shifts within the model's span, undone exactly
 * for delta) before any sum, so data of any finite scale neither under- nor overflow and large
 * offsets cost no digits.
 *
 * Speed (`test_mmrm --bench FITS V`: n = 300 with a baseline, 10% dropout after each visit, on
 * a shared 2-core machine): 0.1 to 0.15 ms of CPU per fit at V = 4, 0.04 ms at V = 2, 0.5 ms
 * at V = 6, 3.5 ms at V = 8, 150 ms at V = 16 - it grows like V^5 to V^6 (the information's
 * terms through (X' Sigma^-1 X)^-1), not with n beyond one pass over the values.
 *
 * Accuracy: tests/test_mmrm.c compares delta, se, the log-likelihood and Sigma with nlme::gls
 * (tests/r/mmrm_reference.R) on 14 data sets to 1e-6 relative (the largest difference is 1e-10),
 * Satterthwaite's df with R's numerical derivatives to 1e-5 relative (the largest difference is
 * 2.5e-7, the derivatives' own error about 1e-7), and V = 1 with the Student t test and ANCOVA,
 * complete data with visit-wise ANCOVA, to 1e-10.
 *
 * Undefined (status not TSIM_MMRM_OK; every number of the fit NaN, never a wrong number): see
 * TSIM_MMRM_STATUS_MAP below. A call allocates nothing (the workspace is made once for V and
 * nmax), does no I/O and never reaches the GSL error handler; a workspace is not thread-safe
 * (one per thread).
 */
#ifndef TSIM_MMRM_H
#define TSIM_MMRM_H

#include <stddef.h>

#define TSIM_MMRM_MAX_VISITS 16

/* Why a fit is undefined, as code and text (one table, so they cannot drift apart). */
#define TSIM_MMRM_STATUS_MAP(X)                                                                   \
  X(OK, "fitted")                                                                                 \
  X(BAD_ARGUMENT, "bad argument: no workspace or output, visits outside 1..the workspace's, at "  \
                  "outside 0..visits-1, more patients than the workspace holds, a stride of 0, "  \
                  "a baseline for one arm only, conf neither 0 nor in (0, 1), or an infinite value") \
  X(EMPTY_VISIT, "an arm has no value at a visit: that visit's treatment effect is not estimable") \
  X(TOO_FEW, "a visit has no more values than fixed effects per visit (2, or 3 with a baseline): " \
             "its variance is not estimable")                                                     \
  X(UNPAIRED, "two visits are never observed in the same patient: their covariance is not "       \
              "estimable")                                                                        \
  X(COLLINEAR, "the baseline is collinear with the arm among the patients of a visit (constant "  \
               "within each arm, to 1e-7 of its spread)")                                         \
  X(PERFECT_FIT, "a visit's values are fitted exactly by arm (and baseline): the likelihood has " \
                 "no maximum")                                                                    \
  X(SINGULAR, "the REML iteration runs toward a singular covariance matrix, where its "          \
              "information is no longer positive definite (too few patients for an unstructured " \
              "covariance): the likelihood has no maximum inside")                                \
  X(NOT_CONVERGED, "the REML iteration did not converge within 60 iterations")                    \
  X(NOT_IDENTIFIED, "the information matrix of the covariance parameters is singular at the "     \
                    "maximum: Satterthwaite's df is undefined")                                   \
  X(DF_TOO_SMALL, "Satterthwaite's df is below 0.5, where Student's t is not evaluated")

typedef enum tsim_mmrm_status {
#define TSIM_MMRM_ENUM_(name, text) TSIM_MMRM_##name,
  TSIM_MMRM_STATUS_MAP(TSIM_MMRM_ENUM_)
#undef TSIM_MMRM_ENUM_
} tsim_mmrm_status;

/* The text of a status (above); "unknown status" for any other value. */
const char *tsim_mmrm_status_text(tsim_mmrm_status status);

typedef struct tsim_mmrm_ws tsim_mmrm_ws;

/* A workspace for fits of up to `visits` visits (1 .. TSIM_MMRM_MAX_VISITS) and nmax patients
 * in all (both arms); NULL when out of memory or an argument is out of range. About
 * min(nmax, 2^V) (3 V^2 + 3 V + 9) + 9 V^3 (V + 1) + 1.25 V^2 (V + 1)^2 doubles and 2^V ints:
 * 45 KB for V = 4, 13 MB for V = 16 with nmax = 1000. */
tsim_mmrm_ws *tsim_mmrm_ws_new(int visits, size_t nmax);
void tsim_mmrm_ws_free(tsim_mmrm_ws *ws);

/* One arm's patients: patient i's value at visit v is y[i * pstride + v * vstride] (NaN when
 * missing; a row-major n x V table has pstride = V, vstride = 1, a visit-major one pstride = 1,
 * vstride = n), the baseline base[i], or base = NULL for a fit without baseline (both arms
 * alike). */
typedef struct tsim_mmrm_arm {
  const double *y;
  const double *base;
  size_t n;        /* patients */
  size_t pstride;  /* from one patient to the next in y */
  size_t vstride;  /* from one visit to the next in y */
} tsim_mmrm_arm;

typedef struct tsim_mmrm_fit {
  tsim_mmrm_status status; /* TSIM_MMRM_OK, or why every number below is NaN */
  double diff;             /* delta_at: experimental minus control at the visit `at` */
  double se;               /* its model-based standard error */
  double df;               /* Satterthwaite's degrees of freedom */
  double t;                /* diff / se */
  double p;                /* two-sided, P(|T_df| > |t|) */
  double lo, hi;           /* the two-sided `conf` interval of diff (NaN when conf = 0) */
  double loglik;           /* the REML log-likelihood at the maximum, as nlme's logLik */
  int iterations;          /* Newton / scoring steps taken (also when not converged) */
  int converged;           /* 1 when the iteration converged (status OK, or DF_TOO_SMALL, or
                              NOT_IDENTIFIED) */
  int visits;              /* V of the fit */
  size_t patients;         /* patients contributing (at least one value, baseline not NaN) */
  size_t observations;     /* values contributing */
  double sigma[TSIM_MMRM_MAX_VISITS * TSIM_MMRM_MAX_VISITS]; /* the fitted Sigma, V x V
                              row-major in the first V^2 entries, in the units of y^2 */
} tsim_mmrm_fit;

/* The MMRM of the arms a0 (control) and a1 (experimental) over `visits` visits: the effect at
 * visit `at` (0-based). conf in (0, 1) gives the interval; conf = 0 leaves lo and hi NaN and
 * skips the t quantile. Returns the status, also in out->status; out must not be NULL. */
tsim_mmrm_status tsim_mmrm(tsim_mmrm_ws *ws, tsim_mmrm_arm a0, tsim_mmrm_arm a1, int visits, int at,
                           double conf, tsim_mmrm_fit *out);

/* The one-sided p-value of the fit against a margin theta0 (non-inferiority, each side of
 * equivalence; contest.h's conventions): t = (diff - theta0) / se on the same df, p = P(T_df > t)
 * when greater, P(T_df < t) otherwise - tsim_t_shifted_p(fit->diff, fit->se, fit->df, theta0,
 * greater). NaN when the fit is undefined or theta0 is not finite. */
double tsim_mmrm_margin_p(const tsim_mmrm_fit *fit, double theta0, int greater);

#endif
