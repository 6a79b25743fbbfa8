/* gsbound.h - group-sequential boundaries: alpha spending, exit probabilities, conditional power.
 *
 * The canonical joint distribution (Jennison & Turnbull 2000, ch. 3): at looks k = 1..K with
 * information fractions 0 < t_1 < ... < t_K (share of the planned maximum information; the
 * last may exceed 1 when the trial over-runs), the z statistics Z_k are jointly normal with
 * E Z_k = theta sqrt(t_k), Var Z_k = 1, Cov(Z_j, Z_k) = sqrt(t_j / t_k) for j <= k; theta, the
 * drift, is the mean of Z at full information (t = 1): delta sqrt(I_max) for an effect delta
 * and planned maximum information I_max (two arms of n each, SD sigma: delta sqrt(n / 2) / sigma).
 * Every probability is computed by the recursive numerical integration of Armitage, McPherson
 * and Rowe (1969) on the grid of Jennison & Turnbull ch. 19 (6r - 1 points per look, Simpson's
 * rule); see gsbound.c for the method and scenarios/STATISTICS.md for the conventions.
 *
 * Conventions.
 * - One-sided (sided 1): reject H0 at look k when Z_k >= efficacy[k] (large z favourable);
 *   alpha is the one-sided level; the spending function spends alpha.
 * - Two-sided (sided 2): symmetric boundaries, reject when |Z_k| >= efficacy[k]; alpha is the
 *   total two-sided level, alpha / 2 per side, the spending function spends alpha over both
 *   sides (rpact's sided = 2). Futility bounds are one-sided only (as in rpact).
 * - Spending at an observed fraction: the cumulative alpha at look k is f(min(t_k, 1)), f the
 *   spending function (f(0) = 0, f(1) = alpha); the final look spends what is left (alpha in
 *   total) whatever its fraction, below 1 (under-running) or above (over-running). A look that
 *   spends nothing (an interim at or after t = 1) has efficacy +INFINITY.
 * - Futility (one-sided): stop for futility at an interim when Z_k < futility[k]. Non-binding
 *   (the default): the efficacy boundaries ignore the futility bounds, so alpha is kept
 *   whether or not the trial stops for futility. Binding: the recursion stops the trials that
 *   cross a futility bound, so the efficacy boundaries are lower and alpha is kept only if the
 *   trial always stops there. A futility bound above the efficacy bound of its look is an
 *   error (TSIM_INPUT).
 *
 * All functions validate their inputs, return TSIM_OK or a status (TSIM_INPUT with a message
 * naming the look and the value in `diag`, which may be NULL; TSIM_NOMEM), never print, never
 * exit, and never reach the GSL error handler. Thread-safe: no shared state.
 */
#ifndef TSIM_GSBOUND_H
#define TSIM_GSBOUND_H

#include "core/status.h"

/* The most looks a design may have (the final analysis included). */
#define TSIM_GS_MAX_LOOKS 20
/* J&T's grid parameter r when the design leaves it 0: 6r - 1 grid points per look before
 * Simpson's midpoints. At 32 the boundaries are within about 1.3e-7 of the exact ones on z and
 * the probabilities within 4e-8 (measured in tests/test_gsbound.c; rpact's are within 6e-8);
 * the error falls as 1/r^4 (r = 64: 1e-8, 128: 5e-10) and the time grows as r^2. */
#define TSIM_GS_GRID_R 32
/* Haybittle-Peto's interim bound (Haybittle 1971, Peto et al. 1976; rpact's "HP"). */
#define TSIM_GS_HP_Z 3.0

typedef enum {
  TSIM_GS_OF,     /* Lan-DeMets O'Brien-Fleming type (rpact "asOF"):
                   * f(t) = 2 s (1 - Phi(Phi^-1(1 - alpha / (2 s)) / sqrt t)), s = sided */
  TSIM_GS_POCOCK, /* Lan-DeMets Pocock type (rpact "asP"): f(t) = alpha ln(1 + (e - 1) t) */
  TSIM_GS_HSD,    /* Hwang-Shih-DeCani (rpact "asHSD", gammaA = gamma):
                   * f(t) = alpha (1 - e^(-gamma t)) / (1 - e^(-gamma)), alpha t for gamma 0 */
  TSIM_GS_HP,     /* Haybittle-Peto (rpact "HP"): z = hp_z at every interim (|z| two-sided),
                   * the final bound such that the overall level is exactly alpha */
  TSIM_GS_WT      /* Wang-Tsiatis (1987) design, not a spending function: bounds
                   * C t_k^(delta - 1/2) with C such that the overall level is alpha; delta
                   * 0.5 is Pocock's (1977) design (rpact "P"), 0 O'Brien-Fleming's (1979)
                   * ("OF"), others rpact's "WT" with deltaWT = delta. Needs every look
                   * (final = 1): C depends on all of them */
} tsim_gs_family;

/* A design: what the boundaries depend on besides the looks. */
typedef struct tsim_gs_design {
  tsim_gs_family family;
  double alpha;  /* overall level in (0, 1): one-sided for sided 1, two-sided for sided 2 */
  int sided;     /* 1 or 2 */
  double gamma;  /* HSD's gamma, in [-40, 40] (0: linear spending); other families ignore it */
  double hp_z;   /* Haybittle-Peto's interim z bound (> 0, TSIM_GS_HP_Z classically) */
  int binding;   /* 1: futility bounds are binding (enter the efficacy recursion) */
  int grid_r;    /* J&T's r, 8..256; 0 = TSIM_GS_GRID_R */
  double delta;  /* Wang-Tsiatis's delta, in [-0.5, 1]; other families ignore it */
} tsim_gs_design;

/* Boundaries at given looks. Indexes 0..looks-1. */
typedef struct tsim_gs_bounds {
  int looks;                           /* K */
  int sided;                           /* as the design */
  int final;                           /* 1: the last look is the final analysis */
  int grid_r;                          /* the r the boundaries were computed with */
  double t[TSIM_GS_MAX_LOOKS];         /* information fractions of the looks */
  double efficacy[TSIM_GS_MAX_LOOKS];  /* z bound (two-sided: on |z|); +INFINITY: no rejection */
  double futility[TSIM_GS_MAX_LOOKS];  /* z bound; -INFINITY: none (always so at a final look) */
  double alpha_spent[TSIM_GS_MAX_LOOKS]; /* cumulative alpha the design spends by look k
                                          * (Haybittle-Peto, Wang-Tsiatis: the computed
                                          * crossing probability) */
  double alpha_cum[TSIM_GS_MAX_LOOKS]; /* cumulative probability under H0 of rejecting by look
                                        * k as computed (with futility iff binding): equals
                                        * alpha_spent up to the integration error */
} tsim_gs_bounds;

/* Exit probabilities of a design at one drift. */
typedef struct tsim_gs_exits {
  int looks;
  double theta;                           /* the drift (see above) */
  double efficacy[TSIM_GS_MAX_LOOKS];     /* P(stop at look k rejecting H0 in the favourable
                                           * direction, Z_k >= efficacy[k]) */
  double efficacy_lower[TSIM_GS_MAX_LOOKS]; /* two-sided: P(stop at k with Z_k <= -efficacy[k]);
                                             * 0 one-sided */
  double futility[TSIM_GS_MAX_LOOKS];     /* P(stop at look k for futility); 0 at a final look
                                           * and when futility is not used */
  double power;        /* sum of efficacy[] (favourable direction) */
  double reject;       /* sum of efficacy[] and efficacy_lower[]: P(reject H0 at all) */
  double futility_all; /* sum of futility[] */
  double pass_last;    /* P(reaching the last look and not stopping there): the final analysis's
                        * acceptance region when the last look is final, else the chance the
                        * trial goes on past the looks given */
  double expected_t;   /* expected information fraction when the trial stops: sum over looks of
                        * t_k P(stop at k), with pass_last counted at t_K (the expected sample
                        * size as a share of the maximum when information is patients) */
} tsim_gs_exits;

/* The cumulative alpha f(min(t, 1)) the design's spending function spends by information
 * fraction t (0 for t <= 0); NaN for Haybittle-Peto and Wang-Tsiatis, which are not spending
 * functions, and for a design that fails validation. */
double tsim_gs_spend(const tsim_gs_design *d, double t);

/* Efficacy boundaries at `looks` looks with information fractions t[0..looks) (strictly
 * increasing, finite, t[0] > 0), the planned ones or those a trial actually reached. `futility`
 * holds a z bound per look (-INFINITY: none at that look), or is NULL for none; its entry at a
 * final look is ignored. `final`: 1 when the last look is the final analysis (it spends all
 * that is left), 0 when the looks given are only the interims so far (the boundaries of looks
 * 1..k do not depend on later looks, so a trial's interim bound can be computed look by look).
 * Fills *out; on failure *out is left with looks = 0. */
tsim_status tsim_gs_bounds_compute(const tsim_gs_design *d, int looks, const double *t,
                                   const double *futility, int final, tsim_gs_bounds *out,
                                   tsim_diag *diag);

/* The exit probabilities of boundaries `b` under drift theta (any finite value; 0 is H0).
 * use_futility 1: a trial stops at a futility bound it crosses; 0: futility bounds are
 * ignored (with non-binding bounds, P(reject) under H0 is then exactly the design's alpha). */
tsim_status tsim_gs_exit_probs(const tsim_gs_bounds *b, double theta, int use_futility,
                               tsim_gs_exits *out, tsim_diag *diag);

/* Conditional power at look `look` (0-based, before the last) given Z = z there, under drift
 * theta (the planned effect; z / sqrt(t[look]) is the current trend's): the probability that
 * the trial, continued, crosses an efficacy bound (the upper one when two-sided) at a later
 * look, ignoring later futility bounds. With one look left it is the classical
 * 1 - Phi((c_K sqrt(t_K) - z sqrt(t_k) - theta (t_K - t_k)) / sqrt(t_K - t_k)). */
tsim_status tsim_gs_conditional_power(const tsim_gs_bounds *b, int look, double z, double theta,
                                      double *cp, tsim_diag *diag);

/* The z at look `look` at which the conditional power under theta equals cp_target (in
 * (0, 1)): conditional power is increasing in z, so "stop for futility when the conditional
 * power is below cp_target" is "stop when Z < *z". Solved to 1e-10 on z. */
tsim_status tsim_gs_conditional_power_z(const tsim_gs_bounds *b, int look, double cp_target,
                                        double theta, double *z, tsim_diag *diag);

#endif
