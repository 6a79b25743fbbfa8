/* nitest.h - tests of a 2x2 table against a margin: non-inferiority, and each side of an
 * equivalence test (two one-sided tests, done by the caller).
 *
 * Table convention as in stattest.h: control x0 responders of n0, experimental x1 of n1, and the
 * arguments in that order. Higher is better. The effect theta is a measure of the experimental
 * arm against control:
 *   TSIM_NI_RD  risk difference  p1 - p0                        theta in (-1, 1)
 *   TSIM_NI_RR  risk ratio       p1 / p0                        theta in (0, inf)
 *   TSIM_NI_OR  odds ratio       p1 (1 - p0) / (p0 (1 - p1))    theta in (0, inf)
 * A margin is given as the boundary theta0 itself (rd -0.10, rr 0.8, or 0.7), not as a distance.
 *
 * One-sided tests (tsim_ni_p). greater = 1: H0 theta <= theta0 against H1 theta > theta0 (the
 * non-inferiority test, and the lower side of equivalence); greater = 0: H0 theta >= theta0
 * against H1 theta < theta0 (the upper side of equivalence). Each test has a statistic z that
 * grows with x1 and falls with theta0, and the p-value is 1 - Phi(z) (greater) or Phi(z).
 *   FM        Farrington & Manning (1990, Stat Med 9:1447), rd and rr: the score statistic
 *             with the variance at the maximum-likelihood estimates restricted to theta = theta0.
 *   MN        Miettinen & Nurminen (1985, Stat Med 4:213), rd, rr and or: the same statistic,
 *             its variance multiplied by N / (N - 1), N = n0 + n1; for or, the score of the
 *             log odds ratio x1 - n1 p1~ over its restricted variance.
 *   WALD      rd: (p1 - p0 - theta0) / sqrt(p0 (1-p0)/n0 + p1 (1-p1)/n1), the unpooled variance.
 *   NEWCOMBE  no test (interval only).
 *
 * Decision rules at one-sided level alpha (non-inferiority; equivalence rejects both sides):
 *   FM, MN, WALD  reject when tsim_reject(p, alpha). For MN and WALD, p < alpha is the same as
 *                 the lower bound of the two-sided 1 - 2 alpha interval (tsim_ni_ci) being above
 *                 theta0 (but for tsim_reject's tie allowance and the root finder's last digits);
 *                 FM has no interval of its own.
 *   NEWCOMBE      reject when the lower bound of the two-sided 1 - 2 alpha interval is > theta0.
 *
 * Two-sided `conf` intervals (tsim_ni_ci):
 *   MN        rd, rr, or: the set of theta0 the two-sided MN test does not reject at 1 - conf,
 *             i.e. the two theta where z = +-z_{(1+conf)/2}; found by bracketing and Brent's
 *             method (to about 1e-15 absolute for rd, 1e-14 relative for rr and or).
 *   WALD      rd: tsim_rd_wald (stattest.h), est -/+ z se, not clipped.
 *   NEWCOMBE  rd: tsim_rd_newcombe (stattest.h), the hybrid score interval (Newcombe 1998,
 *             Stat Med 17:873, method 10).
 *   FM        none.
 *
 * Edge cases. NaN p-value (and stat): n0 or n1 < 1, x outside [0, n], a method without the
 * measure (FM or, WALD rr/or, NEWCOMBE), theta0 not finite or outside the open parameter
 * space (rd: theta0 <= -1 or >= 1 - the null would fix both rates; rr, or: theta0 <= 0), and
 * the tables that carry no information on the measure, where the statistic is 0/0:
 *   rd (FM, MN)  theta0 = 0 and no responders or all responders (as Pearson's test). With a
 *                non-zero margin these tables do have a test: 0/20 vs 0/20 rejects rd <= -0.3.
 *   rr           no responders (x0 = x1 = 0); theta0 = 1 and all responders.
 *   or           no responders or all responders.
 *   WALD         both rates 0 or 1 and est = theta0.
 * WALD with both rates 0 or 1 (standard error 0) and est != theta0: z = +-inf, p = 0 or 1 (the
 * Wald test's known degeneracy; its interval is then the single point est).
 * MN intervals: at x = 0 or n the bound is the edge of the parameter space where the data
 * give no limit: rd lower -1 only when x1 = 0 and x0 = n0 (upper 1: x1 = n1, x0 = 0); rr lower
 * 0 when x1 = 0, upper +inf when x0 = 0; or lower 0 when x1 = 0 or x0 = n0, upper +inf when
 * x1 = n1 or x0 = 0; for the tables above that carry no information, the whole space (rr and
 * or: [0, inf]; est NaN where it is 0/0). est is p1 - p0, p1 / p0 or the sample odds ratio
 * (inf when only its denominator is 0). The root finder's iterations are bounded: no input
 * loops forever.
 */
#ifndef TSIM_NITEST_H
#define TSIM_NITEST_H

#include <math.h>

typedef enum { TSIM_NI_RD, TSIM_NI_RR, TSIM_NI_OR, TSIM_NI_NMEASURES } tsim_ni_measure;
typedef enum {
  TSIM_NI_FM, TSIM_NI_MN, TSIM_NI_WALD, TSIM_NI_NEWCOMBE, TSIM_NI_NMETHODS
} tsim_ni_method;

/* Names as written in reference files (and later scenarios): "rd", "rr", "or"; "fm", "mn",
 * "wald", "newcombe". The _of functions return -1 for an unknown name. */
const char *tsim_ni_measure_name(tsim_ni_measure m);
const char *tsim_ni_method_name(tsim_ni_method m);
int tsim_ni_measure_of(const char *name);
int tsim_ni_method_of(const char *name);

/* 1 if the method has a p-value (tsim_ni_p) / an interval (tsim_ni_ci) on the measure. */
int tsim_ni_has_test(tsim_ni_method method, tsim_ni_measure measure);
int tsim_ni_has_interval(tsim_ni_method method, tsim_ni_measure measure);

/* The one-sided p-value of the method's test of theta0 (greater: H1 theta > theta0, else H1
 * theta < theta0); *stat (may be NULL) gets z. NaN as listed above. */
double tsim_ni_p(tsim_ni_method method, tsim_ni_measure measure, long long x0, long long n0,
                 long long x1, long long n1, double theta0, int greater, double *stat);

/* The estimate and two-sided `conf` interval (0 < conf < 1) of the measure by the method.
 * Returns 0, or -1 with NaN outputs when there is no interval (method, measure, counts or conf
 * invalid). Any output pointer may be NULL. */
int tsim_ni_ci(tsim_ni_method method, tsim_ni_measure measure, long long x0, long long n0,
               long long x1, long long n1, double conf, double *est, double *lo, double *hi);

/* The maximum-likelihood estimates of the two rates restricted to theta = theta0 (FM's and
 * MN's; rd: the root of MN's cubic by its trigonometric solution, polished by Newton's method
 * on the likelihood, the edges of the feasible range decided first; rr and or: the root of a
 * quadratic), as *p0t, *p1t. Returns 0, or -1 with NaN for invalid counts or theta0 (as for
 * tsim_ni_p). At theta0 = 0 (rd) or 1 (rr, or) both are m / N exactly, the pooled rate. */
int tsim_ni_restricted_mle(tsim_ni_measure measure, long long x0, long long n0, long long x1,
                           long long n1, double theta0, double *p0t, double *p1t);

/* Stratified MN: the test and interval of a measure common to k strata (sites), Miettinen &
 * Nurminen (1985, Stat Med 4:213; their stratified analysis: the strata's score numerators and
 * variances added with weights), with Mantel-Haenszel weights. Stratum i is the table x0[i] of
 * n0[i] vs x1[i] of n1[i]. With N_i = n0i + n1i, lambda_i = N_i / (N_i - 1) (MN's variance
 * factor) and p0i~, p1i~ stratum i's restricted estimates at theta0 (tsim_ni_restricted_mle,
 * each stratum on its own), the statistic is z = U / sqrt(V):
 *   rd  U = sum w_i (p1i - p0i - d),  V = sum w_i^2 lambda_i (p1i~ q1i~/n1i + p0i~ q0i~/n0i)
 *   rr  U = sum w_i (p1i - f p0i),    V = sum w_i^2 lambda_i (p1i~ q1i~/n1i + f^2 p0i~ q0i~/n0i)
 *       with w_i = n0i n1i / N_i, the Mantel-Haenszel (Cochran) weights;
 *   or  U = sum (x1i - n1i p1i~),     V = sum lambda_i / (1/(n1i p1i~ q1i~) + 1/(n0i p0i~ q0i~)),
 *       the strata's scores of the log odds ratio added unweighted (the efficient score).
 * Why these weights: they are fixed (neither theta0 nor the outcomes move them), so at theta0 =
 * 0 (rd) or 1 (rr, or) z^2 is exactly the Cochran-Mantel-Haenszel statistic without continuity
 * correction (R's mantelhaen.test(correct = FALSE)), for all three measures, and for rd and rr
 * the root of U is the Mantel-Haenszel estimate. They are the "CMH-weighted MN" of Lu (2008, JSM
 * Proceedings 3888-3893) and Klingenberg (2014, Stat Med 33:2968), whose published intervals
 * tests/r/ni_strat_reference.R reproduces; the default weighting = "MH" of R's ratesci::scoreci
 * for rd and rr (its "INV" for or; cicalc and lrstat use them too); and SAS PROC FREQ's
 * COMMONRISKDIFF(CL=MNMH) (SAS Viya, rd only). They are not MN's own iterative weights (each
 * stratum's inverse null variance at rates averaged over the strata, re-estimated as theta
 * moves), which SAS's COMMONRISKDIFF(CL=MN) and ratesci's weighting = "MN" use. With k = 1 the
 * weight cancels: tsim_ni_p's MN test.
 *
 * A stratum with n0i = 0 or n1i = 0 contributes nothing (it is skipped, whatever its other
 * arm holds); so does one whose restricted variance is 0, whose score is then 0 too (no
 * responders or all responders: rd at d = 0; rr without responders, or all responders at f =
 * 1; or no responders or all responders).
 *
 * tsim_ni_strat_p: the one-sided p-value, 1 - Phi(z) (greater: H1 theta > theta0) or Phi(z);
 * *stat (may be NULL) gets z. NaN p and z: k < 1, a NULL array, any stratum's counts invalid
 * (n < 0, x outside [0, n]), no stratum with both arms, measure unknown, theta0 not finite or
 * outside the open parameter space (as tsim_ni_p), and the 0/0 tables, where every stratum
 * with both arms is one of those that contribute nothing: rd theta0 = 0 and each stratum
 * without or with all responders; rr no responders anywhere, or theta0 = 1 and each stratum
 * without or with all responders; or each stratum without or with all responders. (z = +-inf
 * would need V = 0 with U != 0, which none of the three measures gives.)
 *
 * tsim_ni_strat_ci: the two-sided `conf` interval {theta: |z(theta)| < z_c} by the same
 * bracketing and Brent's method as tsim_ni_ci's MN (to 2e-15 in atanh(theta) or log(theta);
 * at most about 10 + 200 evaluations of z per bound, each O(k): no input loops forever). *est
 * is the estimate of the common measure: rd sum w_i (p1i - p0i) / sum w_i, rr (sum x1i n0i /
 * N_i) / (sum x0i n1i / N_i) (the Mantel-Haenszel estimates, where U = 0), or the root of U
 * (the same search; with one stratum the sample odds ratio). Bounds at an edge where the data
 * give no limit: rd lower -1 when every stratum has x1 = 0 and x0 = n0 (upper 1: x1 = n1,
 * x0 = 0); rr lower 0 when no experimental responders anywhere, upper inf when no control ones;
 * or lower 0 when every stratum has x1 = 0 or x0 = n0, upper inf when every stratum has x1 = n1
 * or x0 = 0; no information at all: rr and or [0, inf] with est NaN. The bounds are the
 * crossings found stepping out from the estimate; z falls in theta on every table the tests
 * try (tests/test_ni_strat.c, tests/r/ni_strat_reference.R), so there is one on each side.
 * Returns 0, or -1 with NaN outputs (tsim_ni_strat_p's invalid input, or conf outside (0, 1)).
 * Any output pointer may be NULL. p < (1 - conf) / 2 exactly when the lower bound is above
 * theta0 (but for the root finder's last digits), as for tsim_ni_ci. */
double tsim_ni_strat_p(tsim_ni_measure measure, const long long *x0, const long long *n0,
                       const long long *x1, const long long *n1, int k, double theta0,
                       int greater, double *stat);
int tsim_ni_strat_ci(tsim_ni_measure measure, const long long *x0, const long long *n0,
                     const long long *x1, const long long *n1, int k, double conf, double *est,
                     double *lo, double *hi);

/* The set tsim_ni_strat_ci's test does not reject, {theta: |z(theta)| < z_c}, for the tables
 * where it is not one interval (see tsim_ni_strat_covers: sparse strata). tsim_ni_strat_ci's
 * bounds are crossings its search met stepping out from the estimate; this scans the whole
 * parameter space (atanh(theta) for rd out to where theta rounds to -+1, log(theta) for rr and
 * or between 1e-8 and 1e8) in steps of 0.001 between those bounds and 0.01 beyond them (wider
 * for more than about 1,000 strata: a scan computes at most 8 million strata's statistics), and
 * bisects each change to the last digit. [*lo, *hi] is the set's hull - the smallest interval
 * holding it, the conventional report of a confidence set that is not an interval - which is
 * tsim_ni_strat_ci's bounds, the same bits, except where its search met an inner crossing; the
 * values inside the hull that the test rejects are *ngap intervals, the first maxgap of them in
 * gap[i][0] < gap[i][1] (increasing). Where z falls in theta (every table with enough patients a
 * stratum) *ngap is 0. A rejected stretch narrower than the steps can be missed. *est (may be
 * NULL) is tsim_ni_strat_ci's estimate. Returns tsim_ni_strat_ci's value (-1: NaN estimate and
 * bounds, *ngap 0). */
int tsim_ni_strat_set(tsim_ni_measure measure, const long long *x0, const long long *n0, const long long *x1,
                      const long long *n1, int k, double conf, double *est, double *lo, double *hi,
                      double (*gap)[2], int maxgap, int *ngap);

/* Whether tsim_ni_strat_ci's interval {theta: |z(theta)| < z_c} holds each of the values
 * theta[0 .. nt) (nt <= 32): bit i of *in. Found by the test the interval inverts instead of by
 * its bounds: theta is held when z(theta) <= z_c unless the lower bound is the parameter space's
 * edge, and z(theta) >= -z_c unless the upper one is (z at 0/0 counting as 0, and rd's |theta|
 * >= 1 as z = -+inf, as the bounds' search counts them). One evaluation of z per value, where
 * the bounds take about 30: a simulation that only counts coverage asks this. Where z falls in
 * theta (every table with enough patients a stratum) this is lo <= theta <= hi, but for theta
 * within the bounds' tolerance (2e-15 in atanh or log) of a bound. On sparse strata z can rise
 * again between the estimate and a bound (e.g. rd 1/1 vs 0/4 with 0/29 vs 0/2, or 3/3 vs 21/22
 * with 21/21 vs 3/4: about 1 in 100,000 random tables of a few small strata); the values not
 * rejected are then not an interval, the bounds' search steps over the gap, and this answers for
 * the values themselves - the confidence set's coverage, 1 minus the two-sided test's rejection
 * rate at the true value. Ratios below 1e-8 or above 1e8 (rr, or), where z loses digits, are
 * answered from the bounds. A NaN theta is never held. z_at (may be NULL) saves an
 * evaluation: for each i whose bit is set in `known`, z_at[i] is z at theta[i] as
 * tsim_ni_strat_p's *stat gave it (a caller that has tested theta[i] has it). Returns 0, or -1
 * with *in = 0 where tsim_ni_strat_ci returns -1. */
int tsim_ni_strat_covers(tsim_ni_measure measure, const long long *x0, const long long *n0,
                         const long long *x1, const long long *n1, int k, double conf,
                         const double *theta, const double *z_at, unsigned known, int nt, unsigned *in);
/* tsim_ni_strat_covers for tsim_ni_ci's (unstratified) Miettinen-Nurminen interval of one table:
 * z_at[i] as tsim_ni_p(TSIM_NI_MN, ...)'s *stat gave it. Returns -1 with *in = 0 where tsim_ni_ci
 * (TSIM_NI_MN) returns -1. */
int tsim_ni_mn_covers(tsim_ni_measure measure, long long x0, long long n0, long long x1, long long n1, double conf,
                      const double *theta, const double *z_at, unsigned known, int nt, unsigned *in);

/* Equivalence's two one-sided tests as one test (TOST): its p-value is the larger of the lower
 * margin's p_lower and the upper margin's p_upper (NaN when either is); tsim_ni_tost_side says
 * whose statistic goes with it (0: the lower margin's, when its p is the larger; else 1). Every
 * equivalence analysis - binary, stratified, t tests, ANCOVA; simulated and in `analyze` - reads
 * these. */
static inline double tsim_ni_tost_p(double p_lower, double p_upper) {
  return isnan(p_lower) || isnan(p_upper) ? NAN : p_lower > p_upper ? p_lower : p_upper;
}
static inline int tsim_ni_tost_side(double p_lower, double p_upper) { return p_lower > p_upper ? 0 : 1; }

/* The decision by an interval [lo, hi] (a method without a test: Newcombe): equivalence rejects
 * when it lies inside (lower, upper); non-inferiority when its bound beyond the margin `lower` is
 * (lo > lower when higher is better, hi < lower otherwise). NaN bounds never reject. */
static inline int tsim_ni_interval_rejects(int equivalence, int higher_is_better, double lower, double upper,
                                           double lo, double hi) {
  if (equivalence) return lo > lower && hi < upper;
  return higher_is_better ? lo > lower : hi < lower;
}

#endif
