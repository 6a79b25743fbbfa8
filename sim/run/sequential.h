/* sequential.h - one trial in calendar time: its analyses at each interim look and at the final
 * analysis, each analysis decided as a group-sequential test of its own (run layer, used by
 * runner.c; see scenario.h for tsim_accrual and tsim_gs_looks).
 *
 * At look k (k < K - 1) the trial's date is T_k = t_rand[due_k - 1] + the information
 * analysis's visit: the moment its due_k-th patient reached that visit. An analysis at visit v
 * then reads the patients whose visit v fell due by T_k (assessed, or known to have dropped
 * out): a prefix of the cohort, since patients are in the order they were randomised. The
 * final look (K - 1, or the only one without interim looks) reads every patient, at the date
 * of the last patient's last visit.
 *
 * With interims at calendar months, a look at which no more patients are assessed than at the
 * one before, or every patient already is, is not held; the others' information fractions are
 * the shares assessed, and the boundaries are computed for the looks held at the fractions
 * reached (tsim_scenario_look_bounds; each thread keeps the ones it has computed).
 *
 * The statistic at a look is the analysis's own test on the data of that look, and its
 * decision is the nominal-level form of the boundary: reject H0 at look k when the test's
 * p-value is below alpha_k = 1 - Phi(c_k) (one-sided analyses) or 2 (1 - Phi(c_k)) (two-sided,
 * on |z|), c_k the efficacy bound of the analysis's design (its alpha and sidedness) at the
 * looks' information fractions due_k / sample_size. For z and chi-square tests this is the
 * test of z against c_k exactly; for t tests it is the usual p-value matching; for exact tests
 * it is conservative where their p-values are. With one look alpha_1 is the analysis's alpha
 * itself: the fixed design's decision. Futility (interims): stop when the favourable-direction
 * z, Phi^-1(1 - p) one-sided or +-Phi^-1(1 - p / 2) two-sided, is below the bound. */
#ifndef TSIM_SEQUENTIAL_H
#define TSIM_SEQUENTIAL_H

#include "analysis/analysis.h"
#include "input/scenario.h"
#include "model/cohort.h"
#include "run/runner.h"

/* What every thread shares: the looks' levels and the visits the analyses read. */
typedef struct tsim_seq_plan {
  int nlooks;                                      /* K (1: the final analysis only) */
  int months;                                      /* 1: interims at calendar months, whose
                                                      levels each trial computes (cached) */
  double level[TSIM_MAX_ANALYSES][TSIM_MAX_LOOKS]; /* nominal p-value level per analysis, look */
  double futility[TSIM_MAX_ANALYSES][TSIM_MAX_LOOKS]; /* z bound (-INFINITY: none) */
  int nvis;                                        /* distinct scenario visits the analyses read */
  double lag[TSIM_MAX_VISITS];                     /* ... in months after randomisation */
  int an_vis[TSIM_MAX_ANALYSES];                   /* each analysis's index into lag */
  double info_lag, final_lag;                      /* the looks' and the final analysis's visit */
  tsim_gs_bounds bounds[TSIM_MAX_ANALYSES];        /* each analysis's boundaries (K > 1) */
} tsim_seq_plan;

/* The plan of a timed scenario (sc->accrual.mode != NONE): TSIM_OK, or TSIM_INPUT when the
 * boundaries cannot be computed (reported to d; the loader checks the same design first). */
tsim_status tsim__seq_plan_init(tsim_seq_plan *p, const tsim_scenario *sc, tsim_diag *d);

/* One thread's part (with its cache of boundaries). */
typedef struct tsim_seq_ws tsim_seq_ws;
tsim_seq_ws *tsim__seq_ws_new(const tsim_scenario *sc, const tsim_seq_plan *p);
void tsim__seq_ws_free(tsim_seq_ws *ws);

/* Trial `trial`: samples it into c, evaluates every look it reaches with w, and decides.
 * out[0 .. 2 ncomp) gets each comparison's outcome where its test ended (alternative, then
 * null), with reject and favouring its sequential decision; the timed counts (stop_eff,
 * stop_fav, stop_fut, rand_*, months_*) are added to t. */
void tsim__seq_trial(const tsim_seq_plan *p, tsim_seq_ws *ws, tsim_cohort *c, tsim_analysis_ws *w,
                     uint64_t seed, long long trial, tsim_tally *t, tsim_outcome *out);

/* Samples trial `trial` into c as a run analysed it under hypothesis h (TSIM_HYP_*): with the
 * sites that site monitoring stopped (scenario monitoring.stop), else as tsim_cohort_sample.
 * TSIM_OK, or TSIM_NOMEM / TSIM_INPUT (the looks' boundaries) with c not sampled. */
tsim_status tsim_seq_sample_as_run(const tsim_scenario *sc, tsim_cohort *c, uint64_t seed, long long trial, int h);

/* After tsim__seq_trial: the outcomes of every comparison under hypothesis h at the look where
 * comparison `cmp`'s test ended, with each reject the decision at that look (what a fixed
 * sequence led by `cmp` tests its later members with). */
const tsim_outcome *tsim__seq_outcomes_where(const tsim_seq_ws *ws, int h, int cmp);

#endif
