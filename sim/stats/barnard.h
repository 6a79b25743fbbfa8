/* barnard.h - Barnard's unconditional exact test of a 2x2 table.
 *
 * Table convention as stattest.h: control x0 responders of n0, experimental x1 of n1.
 * Statistic: the Wald statistic with pooled variance (SciPy's barnard_exact, pooled=True),
 *   T = (x1/n1 - x0/n0) / sqrt(pbar (1 - pbar) (1/n0 + 1/n1)),  pbar = (x0 + x1) / N,
 * whose square is Pearson's X2 (T = 0 when pbar is 0 or 1). The p-value is
 *   p = sup over pi in [0, 1] of P_pi(table in R), R = the tables at least as extreme,
 * both arms binomial with the common response probability pi: two-sided R = {|T| >= |t_obs|},
 * greater R = {T >= t_obs}, less R = {T <= t_obs}. T^2 is formed as one correctly rounded
 * division of exact integers (tsim_chisq_stat), so tables with equal |T| tie exactly.
 *
 * The supremum (barnard.c has the method) is certified: within 1e-12 p (relative) of the
 * true supremum (up to the rounding of the sums, ~1e-14 relative), whenever the search
 * completes within its budget - tests/test_barnard.c checks that it does on every table it
 * tests; when it does not, the p-value returned is the certified upper bound (conservative).
 * A table with an empty arm, or no responder, or only responders, has no test: NaN, as the
 * other tests (SciPy says 1 for these).
 *
 * Cost: O(n0 n1) to set up the region plus O(N) per evaluation of P_pi (a few hundred to a
 * few thousand evaluations), measured: about 1 ms at 10 + 20 patients, 0.1 s at 200 + 200,
 * 0.6 s at 500 + 500, 3 s at 1000 + 1000. Simulations avoid most of it through the decisions
 * cached per arm sizes (analysis/decide.c).
 */
#ifndef TSIM_BARNARD_H
#define TSIM_BARNARD_H

/* The region's key of a table, ordered so that R = {key >= key_obs}: sided 2: T^2; sided 1
 * greater: sign(T) T^2; sided 1 less: -sign(T) T^2. 0 for a table with pbar 0 or 1. */
double tsim_barnard_key(long long x0, long long n0, long long x1, long long n1, int sided,
                        int greater);

/* sup over pi of P_pi(key >= key_obs) for arms of n0 and n1 (both >= 1); `gap` (may be NULL)
 * gets the certified bound on (true supremum - result), or a larger number when the search
 * ran out of budget. NaN if the region cannot be set up (out of memory, n < 1). */
double tsim_barnard_region_p(long long n0, long long n1, double key_obs, int sided, int greater,
                             double *gap);

/* Two-sided p-value; *stat (may be NULL) gets T (NaN when undefined). */
double tsim_barnard_p(long long x0, long long n0, long long x1, long long n1, double *stat);
/* One-sided: greater = experimental arm higher (SciPy alternative='greater' with the
 * experimental arm as the first column), else lower. */
double tsim_barnard_one_sided_p(long long x0, long long n0, long long x1, long long n1,
                                int greater);

#endif
