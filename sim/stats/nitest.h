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

#endif
