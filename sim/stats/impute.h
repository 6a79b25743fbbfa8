/* impute.h - multiple imputation of a continuous end point measured at visits 0 .. V-1 (V <= 16)
 * with monotone missingness, under MAR and reference-based assumptions, and Rubin's rules.
 *
 * Pure functions of arrays: no I/O, no allocation after tsim_mi_ws_new, no call that reaches
 * GSL's error handler on any input (bad input is an error code, never an abort). A workspace is
 * not thread-safe (one per thread). The random numbers come from a caller's gsl_rng in the fixed
 * order stated below (the same generator state gives the same imputations), or from arrays of
 * supplied draws in the same order (tsim_mi_src: what the tests use to compare with R).
 *
 * ---- Data -------------------------------------------------------------------------------------
 * Patient i (i < n) is in arm arm[i] (0 .. narms - 1), has the value y[i V + j] at visit j (NaN
 * when missing) and, optionally, a baseline base[i] used as a covariate. Missingness must be
 * monotone: patient i is observed at visits 0 .. k_i - 1 and missing at k_i .. V - 1 (0 <= k_i
 * <= V; k_i = 0 - nothing after baseline - is allowed), the pattern dropout and the deletion of
 * values after an intercurrent event ("hypothetical strategy") make. A row with an observed
 * value after a missing one is refused (TSIM_MI_ENONMONOTONE; tsim_mi_where names it): impute
 * intermittent gaps first, or delete the values after the first gap. An infinite y, or a base
 * that is NaN or infinite, is TSIM_MI_ENAN. The arrays are read at the fit and again at each
 * imputation: they must not change in between. Imputations are written to yimp (n x V, the same
 * layout): observed values copied, missing ones filled.
 *
 * ---- Rubin's rules (tsim_mi_pool), exactly as mice::pool / pool.scalar (mice 3.15) ------------
 * From M estimates q_m with complete-data variances u_m and the complete-data df dfcom (the
 * analysis's residual df, say n - k; INFINITY for a large-sample analysis):
 *   qbar = mean(q), ubar = mean(u), b = var(q) (divisor M - 1), t = ubar + (1 + 1/M) b,
 *   r = (1 + 1/M) b / ubar (relative increase in variance), lambda = (1 + 1/M) b / t,
 *   df (mice:::barnard.rubin): with l = max(lambda, 1e-4) (mice's floor, which keeps df finite
 *     when b = 0), dfold = (M - 1) / l^2 (Rubin 1987), and for finite dfcom
 *     dfobs = (dfcom + 1) / (dfcom + 3) dfcom (1 - l), df = dfold dfobs / (dfold + dfobs)
 *     (Barnard & Rubin 1999); for infinite dfcom df = dfold,
 *   fmi = (r + 2 / (df + 3)) / (r + 1) (fraction of missing information),
 *   se = sqrt(t), stat = qbar / se, p = 2 P(T_df > |stat|) (summary.mipo), and the `conf`
 *   interval qbar -/+ qt((1 + conf)/2, df) se (confint.mipo).
 * Against a margin theta0 (tsim_mi_pool_margin_p): P(T_df > (qbar - theta0) / se) (greater) or
 * P(T_df < ...), R's pt((qbar - theta0) / se, df, lower.tail = !greater).
 * Degenerate cases, each with its status:
 *   b = 0 (all q_m equal): defined, as mice: r = lambda = 0, df = (M - 1) 1e8 or, with finite
 *     dfcom, about dfobs; TSIM_MI_OK.
 *   M < 2: b is undefined (R's var of one value is NA): qbar, ubar filled (the one analysis),
 *     the rest NaN; TSIM_MI_EPOOL. (mice::pool refuses to pool M = 1 too.)
 *   a NaN or infinite q_m or u_m, a negative u_m, dfcom NaN or not positive, conf outside
 *     (0, 1): everything NaN, TSIM_MI_EARG.
 *   ubar = 0 (every u_m zero): r is infinite (b > 0; fmi NaN, the rest defined) or 0/0 (b = 0,
 *     so t = 0: r, lambda, df, fmi, stat, p and the interval NaN), as in mice; TSIM_MI_EPOOL.
 *   df below TSIM_T_MIN_DF = 0.5 (only for dfcom below about 1, or lambda near 1): df, fmi
 *     given, p and the interval NaN (the t tail here is not defined below df 0.5; mice would
 *     take pt at that df); TSIM_MI_EPOOL.
 *
 * ---- MAR imputation, mice's `norm` by arm (tsim_mi_norm_fit, tsim_mi_norm_impute) ------------
 * Within each arm separately ("impute by arm"), visit by visit, j = 0 .. V - 1: the regression
 * of y_j on x = (1, base, y_0 .. y_{j-1}) (base left out when not given; q = 1 + [base] + j
 * columns, in that order) among the arm's n_j patients observed at j (who, by monotonicity, are
 * observed at every earlier visit, so the fit is the same for every imputation and is made once
 * by tsim_mi_norm_fit). As mice:::estimice (ls.meth = "qr") and mice:::.norm.draw:
 *   beta_hat by least squares (Householder QR, as lm.fit), RSS its residual sum of squares,
 *   df = n_j - q, W = (R'R)^-1 from the QR's R (= (X'X)^-1; estimice's v), and
 *   L = t(chol(sym(W))), the lower Cholesky factor (L L' = W). mice's ridge: where R's
 *   solve(crossprod(R)) fails - its reciprocal condition number (1-norm) below DBL_EPSILON, e.g.
 *   a baseline 1e4 away from 0 in units of its SD - mice uses W = (R'R + diag(1e-5
 *   diag(R'R)))^-1 instead (and stops when that fails too: TSIM_MI_ESINGULAR), and so does this
 *   (tsim_mi_reg.ridge says so). R's rcond is LAPACK dgecon's estimate, this the exact value:
 *   they agree but within rounding of the threshold.
 * Each imputation then draws, per arm and visit with at least one missing value:
 *   sigma* = sqrt(RSS / c), c ~ chi-square(df); beta* = beta_hat + sigma* L z, z ~ N(0, I_q);
 *   each missing y_ij = x_i beta* + sigma* e_i, e_i ~ N(0, 1), x_i built from the patient's
 *   baseline and its values at visits < j, observed or already imputed in this imputation.
 * Refused (error codes; mice would go on): n_j < q + 1, i.e. df < 1 (TSIM_MI_ETOOFEW: mice
 * takes df = max(n_j - q, 1) and, with n_j <= q, an exact or aliased fit); a column aliased as
 * lm decides, its norm after the earlier columns are projected out below 1e-7 of its own
 * (TSIM_MI_ESINGULAR: lm would drop it and mice set its coefficient to 0). Only visits with a
 * missing value in the arm are fitted, so an arm without missing values needs no fit at all.
 * Draw order (one imputation): for arm a = 0 .. narms - 1, for visit j = 0 .. V - 1 where arm a
 * has a missing value: one chi-square, then q normals (z), then one normal per patient of arm a
 * missing at j, in increasing row order - mice's order (rchisq, rnorm(ncol(x)), rnorm(nmis)).
 *
 * ---- Reference-based imputation (tsim_mi_rb_*): Carpenter, Roger & Kenward 2013 ------------------
 * (J Biopharm Stat 23:1352; the DIA working group's "five macros".)
 * Model: y_i | x_i ~ N_V(mu_a(x_i), Sigma_a) in arm a, mu_a(x) = m_a + s_a x for a baseline x
 * (m_a, s_a V-vectors; mu_a = m_a without baseline), with
 *   cov_by_arm = 0: one Sigma common to the arms, and a baseline slope per visit common to the
 *     arms (the design of each visit is arm indicators + base, as an MMRM with visit-by-arm and
 *     visit-by-baseline terms); the recommended choice: V (V + 1) / 2 covariance parameters
 *     estimated from every patient rather than per arm, so that a small arm's (often the
 *     reference's) covariance does not drive the imputations of the other; rbmi's default
 *     (same_cov = TRUE). Then Sigma_d = Sigma_r = Sigma in the formulas below.
 *   cov_by_arm = 1: Sigma_a and the baseline slope per arm (design 1 + base, fitted per arm):
 *     the general form in which the paper writes its formulas.
 * Posterior (tsim_mi_rb_draw): prior p(B, Sigma) ~ |Sigma|^-(V+1)/2, flat in the mean
 * coefficients B (the usual non-informative prior). With complete data the posterior is
 * Sigma ~ inverse Wishart(n - p, S) and vec(B) | Sigma ~ N(vec(B_hat), Sigma (x) (X'X)^-1) (p
 * columns of the design, S the residual SSP matrix): the draw of the macros, "covariance from
 * the inverse Wishart, then the means given it". With monotone missing data the same posterior
 * factors into independent posteriors of the sequential regressions (Liu 1993, J Multivariate
 * Anal 46:198), so it is drawn exactly without MCMC: visit j regressed on (design, y_0 ..
 * y_{j-1}) among the n_j observed at j, q_j = p + j coefficients theta_j, RSS_j:
 *   sigma_j^2 = RSS_j / c_j, c_j ~ chi-square(nu_j), nu_j = n_j - p - (V - 1) + j;
 *   theta_j = theta_hat_j + sigma_j R_j^-1 z, z ~ N(0, I_{q_j}) (R_j from the QR of the design:
 *   R_j^-1 R_j^-T = (X_j'X_j)^-1).
 * (The prior |Sigma|^-(V+1)/2 becomes prod_j (sigma_j^2)^((V-3-2j)/2) in these coordinates,
 * hence nu_j; with complete data it is Bartlett's decomposition of IW(n - p, S). mice's `norm`
 * uses instead nu_j = n_j - q_j, the prior flat in each regression: see above.)
 * The draw is turned back into the MVN: y_j = alpha_j'x + sum_{l<j} g_jl y_l + e_j,
 * e_j ~ N(0, sigma_j^2), i.e. (I - G) y = A'x + e, so Sigma = (I - G)^-1 D (I - G)^-T with
 * D = diag(sigma_j^2), and mu_a(x) = (I - G)^-1 A'x_a. tsim_mi_rb_point instead sets the point
 * estimates, theta_hat_j and sigma_j^2 = RSS_j / (n_j - q_j): the "no posterior draw" mode the
 * tests compare with R (and a cheaper, improper, imputation for anyone who wants it).
 * Needs per regression n_j >= q_j + 1 and nu_j >= 1 (TSIM_MI_ETOOFEW), every visit of every
 * group fitted (the covariance needs them all), a full-rank design (TSIM_MI_ESINGULAR, as
 * above; an arm without patients is aliased under cov_by_arm = 0, too few under 1).
 *
 * Imputation of patient i in arm d, reference arm r, observed o = {0 .. k-1}, missing
 * m = {k .. V-1}; mu_a = mu_a(x_i). The paper defines a joint normal N(mu~, Sigma~) for the
 * patient's full profile and imputes from its conditional distribution given y_o:
 *   MAR: mu~ = mu_d, Sigma~ = Sigma_d (the special case with the patient's own arm).
 *   J2R (jump to reference): mu~_o = mu_d,o, mu~_m = mu_r,m.
 *   CIR (copy increments in reference): mu~_o = mu_d,o,
 *        mu~_j = mu_d,k-1 + (mu_r,j - mu_r,k-1) for j >= k.
 *   CR (copy reference): mu~ = mu_r (observed part included), Sigma~ = Sigma_r.
 *   For J2R and CIR: Sigma~_oo = Sigma_d,oo, Sigma~_mo = Sigma_r,mo Sigma_r,oo^-1 Sigma_d,oo,
 *        Sigma~_mm = Sigma_r,mm - Sigma_r,mo Sigma_r,oo^-1 (Sigma_r,oo - Sigma_d,oo)
 *                                 Sigma_r,oo^-1 Sigma_r,om,
 *        so the pre-deviation profile keeps the own arm's covariance and the post-deviation
 *        values relate to it as in the reference arm.
 *   y_m | y_o ~ N(mu~_m + Sigma~_mo Sigma~_oo^-1 (y_o - mu~_o), Sigma~_mm - Sigma~_mo Sigma~_oo^-1 Sigma~_om)
 *        which for J2R, CIR and CR is N(mu~_m + Sigma_r,mo Sigma_r,oo^-1 (y_o - mu~_o),
 *        Sigma_r,mm - Sigma_r,mo Sigma_r,oo^-1 Sigma_r,om) (substitute Sigma~ above), and for
 *        MAR the same with Sigma_d.
 *   k = 0 (no value after baseline): J2R, CIR and CR impute from N(mu_r, Sigma_r) (there is no
 *   last visit on the own arm: "the reference from the start"), MAR from N(mu_d, Sigma_d).
 *   A patient of the reference arm is imputed under MAR whatever the method (mu~ = mu_r).
 * Computed in the sequential form of the covariance used (G, D of Sigma_r, or of Sigma_d for
 * MAR): y_j = mu~_j + sum_{l<j} g_jl (y_l - mu~_l) + sigma_j e_j, j = k .. V-1, the earlier
 * values observed or just imputed - the conditional above, drawn without inverting anything.
 * (tests/r/mi_rb_reference.R computes the conditional means and covariances from the paper's
 * Sigma~ and the normal conditional above, independently of this form.)
 * Draw order: tsim_mi_rb_draw: for each group g (0 .. narms-1 with cov_by_arm, else the one
 * group), visit j = 0 .. V-1: one chi-square, then q_j normals. tsim_mi_rb_impute: patients in
 * increasing row order, each missing visit in visit order: one normal. tsim_mi_rb_point draws
 * nothing. One parameter draw may serve several methods (MAR, J2R, CIR, CR on the same draw).
 *
 * ---- Delta adjustment (tsim_mi_delta), for tipping-point analyses -----------------------------
 * After imputation, each imputed value of the chosen arm (or of every arm) at visit j is shifted:
 *   TSIM_MI_DELTA_EACH: by delta[j] (delta = {0, .., 0, d}: the value at the analysis visit of
 *     every patient missing there shifted by d, the usual tipping-point convention);
 *   TSIM_MI_DELTA_CUMULATIVE: by delta[k] + .. + delta[j] for a patient first missing at visit
 *     k (a shift that accumulates over the visits since dropout).
 * The shifts are not fed back into the imputation of later visits (imputation is finished when
 * they are applied), so the convention is explicit in delta and mode alone.
 */
#ifndef TSIM_IMPUTE_H
#define TSIM_IMPUTE_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#define TSIM_MI_MAX_VISITS 16
#define TSIM_MI_MAX_ARMS 8

/* Status of every function here (0 is success). tsim_mi_status_message names each. */
typedef enum tsim_mi_status {
  TSIM_MI_OK = 0,
  TSIM_MI_EARG = 1,         /* arguments: NULL, n > nmax, arm index out of range, no fit, ... */
  TSIM_MI_ENONMONOTONE = 2, /* a row with an observed value after a missing one */
  TSIM_MI_ENAN = 3,         /* an infinite y; a NaN or infinite baseline */
  TSIM_MI_ETOOFEW = 4,      /* a regression with too few observed patients (df < 1) */
  TSIM_MI_ESINGULAR = 5,    /* a regression whose design is aliased (lm's 1e-7 rule) */
  TSIM_MI_ERANGE = 6,       /* a fit or draw not finite (values beyond about 1e150) */
  TSIM_MI_EDRAWS = 7,       /* supplied draws ran out */
  TSIM_MI_EPOOL = 8         /* Rubin's rules undefined or partly undefined (see above) */
} tsim_mi_status;
const char *tsim_mi_status_message(int status);

/* ---- Rubin's rules ---------------------------------------------------------------------------- */
typedef struct tsim_mi_pooled {
  int m;
  double qbar, ubar, b, t;
  double r;       /* relative increase in variance */
  double lambda;  /* (1 + 1/M) b / t, unfloored (mice::pool's lambda) */
  double fmi;     /* fraction of missing information */
  double df;      /* Barnard-Rubin (finite dfcom) or Rubin 1987 */
  double se;      /* sqrt(t) */
  double stat;    /* qbar / se */
  double p;       /* two-sided */
  double lo, hi;  /* the `conf` interval of the estimate */
} tsim_mi_pooled;

/* Pools q[0..m), u[0..m) as above; fills *out (NaN where undefined); returns the status. */
int tsim_mi_pool(const double *q, const double *u, int m, double dfcom, double conf,
                 tsim_mi_pooled *out);
/* The one-sided p-value of the pooled estimate against theta0 (greater: H1 theta > theta0);
 * NaN when pool's se or df is not usable or theta0 is not finite. */
double tsim_mi_pool_margin_p(const tsim_mi_pooled *pool, double theta0, int greater);

/* ---- Data, workspace, random numbers ---------------------------------------------------------- */
typedef struct tsim_mi_data {
  const double *y;    /* n x V row-major; NaN = missing */
  const double *base; /* n baselines, or NULL (no covariate) */
  const int *arm;     /* n arm indexes, 0 .. narms - 1 */
  size_t n;
} tsim_mi_data;

typedef struct tsim_mi_ws tsim_mi_ws;
/* A workspace for V visits (1 .. TSIM_MI_MAX_VISITS), up to nmax patients and narms arms (1 ..
 * TSIM_MI_MAX_ARMS); NULL when out of memory or an argument is out of range. */
tsim_mi_ws *tsim_mi_ws_new(int nvisits, size_t nmax, int narms);
void tsim_mi_ws_free(tsim_mi_ws *ws);

/* Where the last error of a fit was found: the arm (or -1), visit (or -1) and row (or -1, as a
 * size_t: (size_t)-1); any pointer may be NULL. */
void tsim_mi_where(const tsim_mi_ws *ws, int *arm, int *visit, size_t *row);

/* The source of the random numbers: a generator, or supplied arrays read in the documented
 * order. From a generator, a chi-square is gsl_ran_chisq and a normal is tsim_rng_normal
 * (sim/core/rng.h's ziggurat) when the generator is tsim_rng_xoshiro256pp, GSL's
 * gsl_ran_gaussian_ziggurat for any other type. Supplied: chisq[] the chi-square values
 * themselves, z[] standard normals; a call that needs more than are left fails with
 * TSIM_MI_EDRAWS (ichisq, iz count what has been used). */
typedef struct tsim_mi_src {
  gsl_rng *rng;
  const double *chisq, *z;
  size_t nchisq, nz, ichisq, iz;
} tsim_mi_src;
static inline tsim_mi_src tsim_mi_src_rng(gsl_rng *r) {
  tsim_mi_src s = {r, NULL, NULL, 0, 0, 0, 0};
  return s;
}
static inline tsim_mi_src tsim_mi_src_given(const double *chisq, size_t nchisq, const double *z,
                                            size_t nz) {
  tsim_mi_src s = {NULL, chisq, z, nchisq, nz, 0, 0};
  return s;
}

/* ---- MAR: mice's norm, by arm --------------------------------------------------------------- */
/* Checks the data and fits every regression needed (once per data set). */
int tsim_mi_norm_fit(tsim_mi_ws *ws, const tsim_mi_data *d);
/* One imputation of the data of the last tsim_mi_norm_fit into yimp (n x V). */
int tsim_mi_norm_impute(tsim_mi_ws *ws, tsim_mi_src *src, double *yimp);

/* One fitted regression (tests; diagnostics): arm, visit -> its quantities. The pointers point
 * into the workspace, valid until the next fit. */
typedef struct tsim_mi_reg {
  int fitted;          /* 0: not fitted (no missing value there: norm; or no fit yet) */
  int q;               /* columns */
  size_t nobs, nmis;   /* observed at the visit / missing there */
  double df;           /* norm: n_j - q; rb: nu_j */
  double rss;
  const double *coef;  /* q: beta_hat, in the column order above */
  const double *factor;/* q x q row-major: norm: L = t(chol(sym(W))) (lower); rb: R^-1 (upper) */
  int ridge;           /* norm: mice's ridge used */
} tsim_mi_reg;
int tsim_mi_norm_reg(const tsim_mi_ws *ws, int arm, int visit, tsim_mi_reg *out);

/* ---- Reference-based -------------------------------------------------------------------------- */
typedef enum tsim_mi_method { TSIM_MI_MAR = 0, TSIM_MI_J2R = 1, TSIM_MI_CIR = 2, TSIM_MI_CR = 3 } tsim_mi_method;

/* Checks the data and fits the sequential regressions of every visit of every group (once per
 * data set); cov_by_arm as above. Leaves no parameters set: call tsim_mi_rb_draw or _point. */
int tsim_mi_rb_fit(tsim_mi_ws *ws, const tsim_mi_data *d, int cov_by_arm);
/* Sets the MVN parameters to a posterior draw (as above). */
int tsim_mi_rb_draw(tsim_mi_ws *ws, tsim_mi_src *src);
/* Sets them to the point estimates (no posterior draw). */
int tsim_mi_rb_point(tsim_mi_ws *ws);
/* One imputation into yimp under the parameters set: method, reference arm ref. */
int tsim_mi_rb_impute(tsim_mi_ws *ws, tsim_mi_src *src, tsim_mi_method method, int ref,
                      double *yimp);
/* The parameters set, arm a: m (V), s (V; zeros without baseline) with mu_a(x) = m + s x, and
 * sigma (V x V) the arm's covariance (the common one when cov_by_arm = 0); NULL skips one. */
int tsim_mi_rb_params(const tsim_mi_ws *ws, int arm, double *m, double *s, double *sigma);
/* The distribution patient `row` is imputed from, under the parameters set: *k its observed
 * visits, mean[0 .. V-k) and cov ((V-k) x (V-k) row-major) of its missing visits k .. V-1. */
int tsim_mi_rb_conditional(const tsim_mi_ws *ws, size_t row, tsim_mi_method method, int ref,
                           int *k, double *mean, double *cov);

/* One regression of the reference-based fit: group (arm with cov_by_arm, else 0), visit. */
int tsim_mi_rb_reg(const tsim_mi_ws *ws, int group, int visit, tsim_mi_reg *out);

/* ---- Delta adjustment --------------------------------------------------------------------------- */
typedef enum tsim_mi_delta_mode { TSIM_MI_DELTA_EACH = 0, TSIM_MI_DELTA_CUMULATIVE = 1 } tsim_mi_delta_mode;
/* Shifts the imputed values (NaN in d->y) of arm `arm` (-1: every arm) in yimp (n x nvisits) by
 * delta[0 .. nvisits) as above. d is checked as by the fits (monotone rows). */
int tsim_mi_delta(const tsim_mi_data *d, int nvisits, double *yimp, int arm, const double *delta,
                  tsim_mi_delta_mode mode);

#endif
