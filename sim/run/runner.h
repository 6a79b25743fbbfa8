/* runner.h - many simulated trials in parallel, reduced into exact integer tallies.
 *
 * Trial i of a run samples its cohort under the alternative and under the null twin from the
 * streams of (seed, i), evaluates every analysis on both, and adds the outcomes to its thread's
 * tally. Every accumulator is an integer - counts, and differences in fixed point - so merging
 * tallies is exact and order-free: a run's numbers are the same for any thread count, any
 * scheduling, and any split of the trials into pieces that are merged afterwards.
 */
#ifndef TSIM_RUNNER_H
#define TSIM_RUNNER_H

#include <stdint.h>

#include "analysis/analysis.h"
#include "input/scenario.h"
#include "model/cohort.h"

__extension__ typedef __int128 tsim_i128;

/* Differences are accumulated in fixed point, as round(diff * scale) with scale = 2^48 for a
 * difference in response rates (|diff| <= 1) and 2^48 / B for a difference in means bounded
 * by B (a power of two; see tsim_analysis_diff_bound): a trial adds at most 2^48 and 10^12
 * trials stay far inside 127 bits; the rounding (2^-49 B) is far below any Monte Carlo error.
 * Squares are accumulated as round((diff * scale)^2 / 2^48). */

/* Accumulators of one comparison under one hypothesis. */
typedef struct tsim_tally_cell {
  uint64_t reject;         /* trials with p < alpha */
  uint64_t favouring;      /* ... and the observed difference favouring the experimental arm */
  uint64_t defined;        /* trials in which both arms had analysed patients */
  uint64_t n0_sum, n1_sum; /* analysed patients, control and experimental, summed */
  tsim_i128 n_sq_sum;      /* (n0 + n1)^2 summed, for the standard error of the mean N */
  uint64_t sites_dropped;  /* sites removed by the analysis's exclusion rules, summed */
  tsim_i128 diff_sum;      /* sum of round(diff * 2^48) over defined trials */
  tsim_i128 diff_sq_sum;   /* sum of round((diff scale)^2 / 2^48) over defined trials */
  uint64_t interval;       /* margin analyses: trials with an interval (tsim_outcome.lo, hi) */
  uint64_t covered;        /* ... that covered the true value (`truth`) */
  double scale;            /* the fixed-point scale (not summed: fixed by the analysis) */
  double truth;            /* margin analyses: the measure's value under the hypothesis (the
                              scenario's arms at the analysis's visit; the null twin's: its
                              margin), which intervals are checked against (not summed); with
                              intercurrent events every analysis's: its estimand's true value
                              under the hypothesis (model/estimand.h) */
  double truth_se;         /* ... with intercurrent events: its standard error (0: exact) */
} tsim_tally_cell;

/* The most comparisons tsim_run_all_of counts together. */
#define TSIM_TALLY_ALL_MAX 8

/* Joint decisions for a pair of comparisons of the same experimental arm. */
typedef struct tsim_pair {
  int first, second; /* comparison indices (analysis * (narms-1) + j), first < second */
} tsim_pair;

typedef struct tsim_tally {
  int ncomp;                 /* comparisons: nanalyses * (narms - 1), analysis-major */
  int npairs;
  tsim_pair *pairs;          /* [npairs] (owned) */
  long long trials;          /* trials added */
  tsim_tally_cell *cell[2];  /* [hypothesis][ncomp] (owned). Under the null twin each comparison
                                is at its own null (scenario.h, npasses): with several nulls a
                                trial is sampled once per pass and each comparison's null outcome
                                comes from its pass; pairs, procedures and all-of combine those
                                outcomes trial by trial */
  unsigned char *margin;     /* [ncomp] 1: the coverage of the comparison's intervals is counted -
                                its analysis has a margin, or the scenario has intercurrent events
                                (every analysis) - from the intervals' bounds; 2: from the outcomes'
                                cover bits (the Miettinen-Nurminen tests against a margin;
                                tsim_outcome.cover); NULL when none is (owned; not summed) */
  long long truth_patients;  /* with intercurrent events: the simulated population the estimands'
                                true values come from (tsim_estimand_truth); 0 otherwise */
  tsim_tally_cell *cell_up;  /* [ncomp] equivalence: the null twin at the upper margin (cell[1]
                                is at the lower); NULL when no analysis is an equivalence test */
  uint64_t *both[2];         /* [hypothesis][npairs] trials where both rejected (owned) */
  /* Multiplicity procedures: for procedure q and comparison j (arm), the trials in which
   * member i was significant within the procedure, then all members, then any member:
   * proc[h][(q * ncmp + j) * pstride + i], i < nmembers; + pstride - 2 (all), - 1 (any).
   * proc_fav has the same layout and counts the same trials when the significance favoured the
   * experimental arm: member i significant with its observed difference favouring the
   * experimental arm (as tsim_outcome.favouring: diff > 0 when higher is better, < 0 when lower
   * is better - read from the difference itself, since a member of a Bonferroni or Holm
   * procedure can be significant within it without rejecting at its own alpha); all: every
   * member so; any: some member so. proc - proc_fav counts those favouring control. */
  int nproc, ncmp, pstride;
  uint64_t *proc[2];         /* (owned; NULL when there are no procedures) */
  uint64_t *proc_fav[2];     /* (owned; NULL when there are no procedures) */
  /* The distribution of p-values (only when the run was asked for it; NULL otherwise): for
   * comparison k, pdist[h][k * (TSIM_PBINS + 1) + j] counts the trials whose p-value first
   * rejects at alpha = (j + 1) / TSIM_PBINS (under the tie rule of stattest.h), i.e. p in
   * [j / TSIM_PBINS, (j + 1) / TSIM_PBINS) up to ties; p-values that reject at no alpha <= 1
   * count in the last bin j = TSIM_PBINS - 1 (which is [0.999, 1], p = 1 included), and slot
   * j = TSIM_PBINS counts the trials with no p-value (NaN: no test possible - an empty arm, no
   * responder or no non-responder at all, fewer than 2 values - or a model not estimable).
   * So the trials rejecting at alpha = i / TSIM_PBINS are exactly the first i bins' sum. */
  uint64_t *pdist[2];
  /* Trials in which every comparison of a set rejected (only in the tally of tsim_run_all_of;
   * nall is 0 otherwise): all[h] under hypothesis h, for the comparisons all_of[0 .. nall-1];
   * all_fav[h] those of them in which every one's rejection favoured the experimental arm
   * (tsim_outcome.favouring). */
  int nall;
  int all_of[TSIM_TALLY_ALL_MAX];
  uint64_t all[2], all_fav[2];
  /* Calendar time (scenario accrual; `timed` 0 and every pointer NULL otherwise). Each
   * comparison is a trial of its own that ends at its decision: with interim looks when its
   * group-sequential test stops, else at the final analysis (after the last patient's last
   * visit). For comparison k under hypothesis h:
   *   rand_sum, rand_sq   patients randomised when it ended, and their squares, summed;
   *   months_sum, months_sq  months from the first randomisation to its end, in fixed point
   *                       (units of 2^-20 months, at most TSIM_MONTHS_MAX), and their squares
   *                       in the same units (round(m^2 / 2^-20)), summed;
   * and with nlooks looks, at look l (index k * nlooks + l):
   *   stop_eff            trials that rejected H0 there (the first look that did);
   *   stop_fav            ... with the difference favouring the experimental arm;
   *   stop_fut            trials stopped there for futility;
   * and per look, look_held and look_due (below).
   * cell[h][k] then describes each trial at its end: reject counts a rejection at any look
   * (the sum of stop_eff), and n0, n1 and diff are those of the look where it ended. */
  int timed, nlooks;
  uint64_t *look_held;       /* [nlooks] trials that held look l (calendar looks can be skipped) */
  uint64_t *look_due;        /* [nlooks] patients assessed there, summed over those trials */
  uint64_t looks_failed;     /* trials whose calendar looks' boundaries could not be computed
                                (decided at the final analysis alone; reported) */
  uint64_t *rand_sum[2];
  tsim_i128 *rand_sq[2], *months_sum[2], *months_sq[2];
  uint64_t *stop_eff[2], *stop_fav[2], *stop_fut[2];
  /* Site monitoring (scenario monitoring; mon_rules 0 and every pointer NULL otherwise), for
   * rule r of mon_rules under hypothesis h, site s of mon_sites, check c of mon_checks:
   *   mon_flag_anom[(r 2 + h) S + s]   trials in which s was anomalous and r flagged it;
   *   mon_flag_norm[likewise]          ... s was not anomalous and r flagged it (a false alarm);
   *   mon_first_anom[(r 2 + h) C + c]  anomalous (trial, site) pairs r first flagged at check c;
   *   mon_first_norm[likewise]         the same for the sites not anomalous;
   *   mon_first_fa[likewise]           trials whose first false alarm of r was at check c;
   *   mon_first_det[likewise]          trials whose first detection (some anomalous site flagged)
   *                                    by r was at check c;
   *   mon_all_det[likewise]            trials with an anomalous site in which r flagged them all,
   *                                    the last of them first at check c;
   *   mon_flag_rand[(r 2 + h) S + s]   patients randomised by the check that first flagged s,
   *                                    summed over the trials in which r flagged it;
   * and the same for every rule and hypothesis:
   *   mon_anom[s]                      trials in which s was anomalous;
   *   mon_anom_trials                  trials with at least one anomalous site;
   *   mon_check_held[c], mon_check_rand[c]  trials that held check c, and the patients
   *                                    randomised by then, summed;
   *   mon_check_months[c]              its month from the first randomisation, in the fixed
   *                                    point of months_sum, summed. */
  int mon_rules, mon_sites, mon_checks;
  uint64_t *mon_flag_anom, *mon_flag_norm, *mon_flag_rand, *mon_first_anom, *mon_first_norm, *mon_first_fa, *mon_first_det,
      *mon_all_det;
  uint64_t *mon_anom, mon_anom_trials, *mon_check_held, *mon_check_rand;
  tsim_i128 *mon_check_months;
} tsim_tally;

/* The null-twin cell comparison k's size is read from: cell[1][k], or for an equivalence test
 * the one of its two margins' nulls that rejected more often (the upper's, cell_up[k], only when
 * strictly more). */
static inline const tsim_tally_cell *tsim_tally_null(const tsim_tally *t, int k) {
  return t->cell_up && t->cell_up[k].reject > t->cell[1][k].reject ? &t->cell_up[k] : &t->cell[1][k];
}

/* Fixed point of durations in the tally: 2^20 units per month, up to 2^26 months; longer
 * durations count as the maximum. The loader keeps expected accrual below 10^6 months, and a
 * trial's duration is at most its openings (<= 1200 months), its last visit and a sum of
 * exponential gaps whose mean is at most half that: beyond 2^26 months with probability
 * below e^-130. A square is at most 2^72 units and 10^12 trials' sum below 2^112. */
#define TSIM_MONTHS_SCALE 1048576.0
#define TSIM_MONTHS_MAX 67108864.0

#define TSIM_PBINS 1000

/* A zeroed tally shaped for sc, with the p-value distribution when p_values is 1; NULL when
 * out of memory. */
tsim_tally *tsim_tally_new(const tsim_scenario *sc, int p_values);
/* The bin of pdist a p-value falls in (see tsim_tally.pdist); TSIM_PBINS for NaN. */
int tsim_pbin(double p);
void tsim_tally_free(tsim_tally *t);
/* dst += src (same shape). Exact, so any merge order gives the same tally. */
void tsim_tally_merge(tsim_tally *dst, const tsim_tally *src);
/* The tally as words, for sending between processes (distributed.c): its 64-bit counts in a
 * fixed order into w64 (*n64 words, from tsim_tally_words) and its 128-bit sums as pairs of
 * words (low, high) into w128 (*n128 pairs, 2 *n128 words). tsim_tally_merge_words adds such
 * words, packed from a tally of the same shape, to t - dst += src, exactly as tsim_tally_merge
 * - and tsim_tally_set_words makes t's counts theirs. */
void tsim_tally_words(const tsim_tally *t, size_t *n64, size_t *n128);
void tsim_tally_pack(const tsim_tally *t, uint64_t *w64, uint64_t *w128);
void tsim_tally_merge_words(tsim_tally *t, const uint64_t *w64, const uint64_t *w128);
void tsim_tally_set_words(tsim_tally *t, const uint64_t *w64, const uint64_t *w128);
/* 0 when some count of trials in t (rejections, directions, defined tests, covered intervals,
 * joint and procedure counts, p-value bins, stops and looks, monitoring flags and checks) is
 * above its trials, or the trials are negative: counts that no run gives (a damaged or edited
 * shard or checkpoint whose digest still matches); 1 otherwise. */
int tsim_tally_plausible(const tsim_tally *t);

typedef void (*tsim_progress_fn)(void *ctx, long long done, long long total);

typedef struct tsim_run_opts {
  uint64_t seed;             /* base seed of the trial streams */
  long long first_trial;     /* index of the first trial (for runs split into pieces) */
  long long trials;          /* how many trials, from first_trial on */
  int threads;               /* OpenMP threads (>= 1) */
  tsim_progress_fn progress; /* called from one thread now and then; may be NULL */
  void *progress_ctx;
  int p_values;              /* 1: compute every trial's p-values exactly (slower: no cached
                                decisions) and tally their distribution (tsim_tally.pdist) */
  int whole_outcomes;        /* 1: evaluate every trial into whole outcomes (tsim_run_trial) even
                                where the block path applies (tests compare the two); 0 normally */
} tsim_run_opts;

/* Runs the trials and returns their tally in *out (caller frees). TSIM_NOMEM if a workspace
 * could not be allocated (then *out is NULL). */
tsim_status tsim_run(const tsim_scenario *sc, const tsim_run_opts *o, tsim_tally **out);

/* tsim_run, also counting in (*out)->all the trials in which every one of the nset (at most
 * TSIM_TALLY_ALL_MAX) comparisons set[] rejected, under each hypothesis: the joint decision of
 * more than two comparisons, or of comparisons of different arms, which the pairs do not give.
 * Every other count is tsim_run's. */
tsim_status tsim_run_all_of(const tsim_scenario *sc, const tsim_run_opts *o, const int *set,
                            int nset, tsim_tally **out);

/* A run in segments, for checkpoints (`run --checkpoint`): the trials of o are simulated as
 * consecutive pieces, each a whole tsim_run, and their tallies added - exactly, so the total is
 * tsim_run's bit for bit whatever the pieces. After a piece, when `every` seconds have passed
 * since the last save, save(ctx, tally, next) is given the tally of trials
 * [o->first_trial, next); a save that fails (nonzero) stops the run with TSIM_IO. A piece is
 * sized from the speed measured so far to end near the next save. start, when not NULL, is the
 * tally of trials [o->first_trial, start_next) saved earlier (same scenario and options): the
 * run goes on from start_next and the result includes it (start is not changed). */
typedef int (*tsim_save_fn)(void *ctx, const tsim_tally *t, long long next);
typedef struct tsim_checkpoint_opts {
  double every;               /* seconds between saves (> 0) */
  tsim_save_fn save;
  void *ctx;
  const tsim_tally *start;    /* NULL: from o->first_trial */
  long long start_next;
} tsim_checkpoint_opts;
tsim_status tsim_run_checkpointed(const tsim_scenario *sc, const tsim_run_opts *o,
                                  const tsim_checkpoint_opts *cp, tsim_tally **out);

/* Commands of many runs that checkpoint (sweep, size --checkpoint DIR): with a keeper set, the
 * runs (tsim_run, tsim_run_all_of) are numbered in the order they are asked for, from 0, and
 * each goes as tsim_run_checkpointed, saving through save(ctx, index, tally, next) - also once
 * it is finished - and starting from what load(ctx, index, o, t, &next) put into t (shaped for
 * the run, *next set to o->first_trial): 1 when it loaded the tally of trials
 * [o->first_trial, *next), 0 when nothing was saved, -1 when what was saved is another run's
 * (the run then fails with TSIM_INPUT). A command asks for the same runs in the same order when
 * started again with the same arguments, so the numbers find their runs. NULL: none. */
typedef struct tsim_run_keeper {
  double every;
  int (*load)(void *ctx, long long index, const tsim_run_opts *o, tsim_tally *t, long long *next);
  int (*save)(void *ctx, long long index, const tsim_tally *t, long long next);
  void *ctx;
} tsim_run_keeper;
void tsim_run_set_keeper(const tsim_run_keeper *k);

/* Runs split across processes (trialsim_mpi; distributed.h sets this): with a split set, every
 * tsim_run - of `run`, of each point of a sweep, of each size a search tries - simulates only
 * this process's block of the trials asked for, and then `combine`, given this process's
 * status and tally, returns the status every process agrees on (the largest) and, when
 * it is TSIM_OK, has added every other process's tally to *t, so that every process holds the
 * whole run's tally and takes the same next step. Every process must call tsim_run alike.
 * NULL (the default): tsim_run runs every trial itself. */
typedef struct tsim_run_split {
  void (*block)(long long first_trial, long long trials, long long *first, long long *count);
  tsim_status (*combine)(tsim_status st, tsim_tally *t);
} tsim_run_split;
void tsim_run_set_split(const tsim_run_split *s);

/* ---- runs to a stated precision ------------------------------------------------------------
 * A run in looks: trials [0, n1) are simulated, then [n1, n2), ... each piece a whole tsim_run
 * (tsim_run_all_of with a set) and their tallies added, so the tally at a look is exactly the
 * tally of a run of that many trials, and the decision to stop - taken on those exact integer
 * counts - is the same for any thread count, process count or checkpoint. */

/* The Wilson score bounds of the proportion k / n at normal quantile z (clamped to [0, 1]). */
void tsim_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi);

/* The Monte Carlo SE a stopping rule may trust for k of n: sqrt(q (1 - q) / n) with
 * q = (k + 1) / (n + 2). q lies between k / n and 1/2, so this is never below the reported
 * sqrt(p (1 - p) / n), p = k / n (a rule satisfied on it is satisfied as reported), and it is
 * not zero when no trial rejected yet (a rate of 0 in 1,000 trials is no precision of 0). */
double tsim_mcse_bound(uint64_t k, uint64_t n);

/* The largest Monte Carlo SE among every power and type I error a run reports: for every
 * comparison under both hypotheses the rejection rate and its two directions (favouring the
 * experimental arm, favouring control), and for every multiplicity procedure (and experimental
 * arm) each member's share significant within it, all and any, each with its two directions,
 * and for every pair of the joint table the shares of trials where both, only the first, only
 * the second or neither rejected: every share summary.json gives with an MCSE (the p-value
 * distribution and the mean differences are not counted). With conservative
 * 1 the SEs are tsim_mcse_bound's, else the reported sqrt(p (1 - p) / n). */
typedef struct tsim_precision {
  double mcse;               /* the largest (0 with no trials) */
  int h;                     /* its hypothesis: 0 the scenario (power), 1 the null twin */
  int comparison;            /* its comparison, or -1: a multiplicity procedure's share, or -2:
                                a share of the joint table */
  int procedure, arm, member;/* with comparison -1: procedure, comparison arm j, and member i
                                (nmembers: all significant, nmembers + 1: any); with -2:
                                the pair (tsim_tally.pairs), its first and second comparisons,
                                and in direction 0 both, 1 only the first, 2 only the second,
                                3 neither */
  int direction;             /* 0 either direction, 1 favouring the experimental arm, 2 control */
} tsim_precision;
void tsim_tally_precision(const tsim_scenario *sc, const tsim_tally *t, int conservative,
                          tsim_precision *out);

/* The looks: `first` trials at the first look; after each look next(ctx, tally so far) gives the
 * trials (in all) at the next one, or a number <= the trials so far to stop there. Never more
 * than the run's o->trials (the cap) in all: the last look is at the cap. */
typedef long long (*tsim_next_look_fn)(void *ctx, const tsim_tally *t);
typedef struct tsim_looks {
  long long first;
  tsim_next_look_fn next;
  void *ctx;
} tsim_looks;

/* Runs o's trials (from o->first_trial = 0 only) in looks; *out is the tally of the trials run
 * up to the look that stopped. set/nset as tsim_run_all_of (NULL, 0: tsim_run). o->progress is
 * told the trials done against the cap. */
tsim_status tsim_run_looks(const tsim_scenario *sc, const tsim_run_opts *o, const int *set, int nset,
                           const tsim_looks *lk, tsim_tally **out);

/* The looks of `run --mcse`: stop when tsim_tally_precision (conservative) is at most mcse;
 * otherwise the next look at the trials the worst quantity needs at its present rate,
 * q (1 - q) / mcse^2, rounded up to a multiple of `block` and at least one block more. */
typedef struct tsim_mcse_rule {
  const tsim_scenario *sc;
  double mcse;
  long long block;
} tsim_mcse_rule;
long long tsim_mcse_next(void *ctx, const tsim_tally *t);
#define TSIM_MCSE_BLOCK 1000 /* trials at the first look and the rounding of the next */

/* One trial as the run does it: samples the cohort into c and writes the outcomes of every
 * comparison under the alternative to out[0 .. ncomp-1] and under the null twin to
 * out[ncomp .. 2 ncomp-1], using the analysis workspace w. */
void tsim_run_trial(const tsim_scenario *sc, tsim_cohort *c, tsim_analysis_ws *w, uint64_t seed,
                    long long trial, tsim_outcome *out);

#endif
