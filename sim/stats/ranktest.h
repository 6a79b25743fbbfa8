/* ranktest.h - the Wilcoxon rank-sum (Mann-Whitney) test of two samples, normal approximation.
 *
 * Convention: control sample x0 (n0 values), experimental sample x1 (n1 values). The result is
 * R's wilcox.test(x1, x0, exact = FALSE, correct = correct):
 *   W = (sum of the midranks of x1 in the pooled sample) - n1 (n1 + 1) / 2,
 *   sigma^2 = n0 n1 / 12 ((N + 1) - sum(t^3 - t) / (N (N - 1))),  N = n0 + n1,
 * with t running over the sizes of the groups of tied values (the ties correction), and
 *   z = (W - n0 n1 / 2 - c) / sigma,  c = sign(W - n0 n1 / 2) / 2 with correct, else 0,
 *   p = 2 P(Z > |z|)  (two-sided).
 * W > n0 n1 / 2 means x1 tends to be larger. W and p match R to a relative 1e-9, with and
 * without the correction (tests/test_ranktest.c holds reference values computed with R; the
 * script is in tests/r/); R does not report z.
 *
 * Undefined tests give NaN p and z: every value tied (sigma = 0; R returns p = NaN and W,
 * which *w still gets), and, with W NaN too, an empty arm (R stops with "not enough 'x'
 * observations"), a NaN or infinite value (R would silently drop it; the caller should not
 * pass one), n0 + n1 above the workspace's nmax.
 *
 * Cost: up to N = 128 values (32 on a processor without AVX2) every pair is compared, eight or
 * four at a time (O(n0 n1 + n0^2 + n1^2) comparisons, no sort, no branch on the values; x0's
 * own check kept for the next call with the same x0); a tie found there, or a larger N, takes
 * the sort and merge, with the same numbers bit for bit. There: O(N) to convert; x0 sorted (insertion sort below 48 values, else an LSD radix sort on
 * 8-bit digits, skipping digits that every key shares) unless it is the previous call's x0,
 * whose sort the workspace keeps (the control arm under both hypotheses). Without ties an x1
 * of up to 8192 values is not sorted: each is counted against x0 by binary search,
 * O(n1 log n0), and a hash set of its values rules out ties within it; otherwise x1 is sorted
 * too and the two merged, O(N). No allocation and no I/O per call. A workspace is not
 * thread-safe: one per thread.
 */
#ifndef TSIM_RANKTEST_H
#define TSIM_RANKTEST_H

#include <stddef.h>

typedef struct tsim_rank_ws tsim_rank_ws;

/* A workspace for samples of up to nmax values in all (n0 + n1 <= nmax); NULL when out of
 * memory or nmax is 0. */
tsim_rank_ws *tsim_rank_ws_new(size_t nmax);
void tsim_rank_ws_free(tsim_rank_ws *ws);

/* The two-sided p-value of the rank-sum test; *w gets W and *z the (corrected) z as above.
 * correct != 0 applies the continuity correction (R's default). w and z may be NULL. */
double tsim_wilcoxon(tsim_rank_ws *ws, const double *x0, size_t n0, const double *x1, size_t n1,
                     int correct, double *w, double *z);

/* The test's z as above without the p-value (p = 2 Q(|z|), which decision-only callers need
 * not compute): 1 when the test is defined, else 0 with *z NaN (and *w as tsim_wilcoxon
 * gives it). z must not be NULL; w may be. */
int tsim_wilcoxon_z(tsim_rank_ws *ws, const double *x0, size_t n0, const double *x1, size_t n1, int correct,
                    double *w, double *z);

/* Tests only: which path a call takes where it may count pairs (ranktest.c): mode 0 as it
 * pays (the default), 1 always, -1 never (always the sort and merge). The numbers are the
 * same either way. */
void tsim__rank_ws_pairs(tsim_rank_ws *ws, int mode);

#endif
