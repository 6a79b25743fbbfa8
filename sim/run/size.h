/* size.h - the smallest total sample size whose power reaches a target.
 *
 * The search starts from the normal-approximation formula for two proportions (adjusted for
 * allocation, dropout, deviations and prespecified site exclusion, so that it lands near the
 * answer), brackets the answer by doubling or halving, bisects on the lattice of sizes
 * (multiples of `step`), and then evaluates every lattice size in a window around the
 * bisection's answer, because the power of a discrete test is not monotone in N (the
 * saw-tooth of the binomial). Every size is simulated with the same seed, so all points share
 * their random streams (common random numbers) and the comparison between neighbouring sizes
 * is much less noisy than each point. Reported:
 *   sample_size        the smallest evaluated N whose estimated power >= target;
 *   stable_sample_size the smallest N such that every evaluated N' >= N reaches the target.
 * It works for any analysis (per-protocol, site exclusion, data-driven rules), where no
 * formula exists: the formula is only the starting point.
 *
 * Sequential evaluation (tsim_size_opts.sequential, the command's default): a size is simulated
 * in looks at 1,000, 2,000, 4,000, ... trials (doubling; the last look at the run's trials, the
 * maximum per size) and stops at the first look where its power is told apart from the target:
 * the Wilson bound at z (default 3) of every named comparison's power lies above the target
 * ("above": it reaches), or that of some comparison lies below it ("below"), or - with an mcse
 * given - every named power's Monte Carlo SE is at most mcse. With L interim looks the chance
 * that a size stopped early lies on the wrong side of the target is at most L * (1 - Phi(z))
 * (7 looks up to 100,000 trials at z = 3: under 1%). Sizes far from the target then cost a few
 * thousand trials; sizes within about z SE of it run to the maximum, as every size did before.
 * The window is then scanned downward from the bisection's answer until two sizes in a row are
 * told apart below the target (at most `window` steps): every smaller size that could still
 * reach the target by Monte Carlo error or the saw-tooth is evaluated, and the sizes clearly
 * below are not. Above the answer it is scanned upward only until a size reaches the target
 * (those decide no answer, only whether it is stable). Trial i of a size is the same whether
 * it stopped early or not, so a look's numbers are those of a run of that many trials. Not
 * sequential: every size gets all trials and the whole window on both sides, as before.
 *
 * Several comparisons can be named: a size then reaches the target when each of them does,
 * all evaluated on the same simulated trials (so "the smallest N at which ITT and per-protocol
 * both reach 80%"); the search starts from the largest of their formulas.
 */
#ifndef TSIM_SIZE_H
#define TSIM_SIZE_H

#include <stdint.h>

#include "input/grid.h"
#include "input/scenario.h"
#include "run/runner.h"

#define TSIM_SIZE_MAX_FIXED 16
#define TSIM_SIZE_FIRST_LOOK 1000  /* trials at a size's first look (sequential) */
#define TSIM_SIZE_Z 3.0            /* the default z of the bounds */
#define TSIM_SIZE_WINDOW_RUN 2     /* sizes in a row told apart below that end the window's scan */
/* Comparisons one search can require together. */
#define TSIM_SIZE_MAX_COMPARISONS TSIM_TALLY_ALL_MAX

typedef struct tsim_size_point {
  long long n;                /* total sample size */
  long long trials;
  /* Per named comparison i (in the order named): rejections under the alternative [0] and the
   * null twin [1], and those of them favouring the experimental arm (the observed difference
   * pointing its way); the rest, reject - favouring, favour control. */
  uint64_t reject[TSIM_SIZE_MAX_COMPARISONS][2];
  uint64_t favouring[TSIM_SIZE_MAX_COMPARISONS][2];
  /* Trials in which every named comparison rejected, under each hypothesis (with one
   * comparison, its rejections; with several, tsim_run_all_of's count), and those in which
   * every one's rejection favoured the experimental arm. */
  uint64_t all[2], all_favouring[2];
  /* With accrual: per named comparison and hypothesis, the mean number of patients randomised
   * and of months from the first randomisation when its trial ended (interim looks make them
   * smaller); NaN without accrual. */
  double expected_n[TSIM_SIZE_MAX_COMPARISONS][2], expected_months[TSIM_SIZE_MAX_COMPARISONS][2];
  /* Where the power lies, told apart at the search's z at this point's trials: +1 every named
   * comparison's lower bound above the target, -1 some comparison's upper bound below it, 0
   * neither (within Monte Carlo error of the target). */
  int side;
  int stopped;                /* why its simulation stopped: tsim_size_stop */
  int cell_mode;              /* its trials were drawn per cell (cohort.h) */
} tsim_size_point;

typedef enum {
  TSIM_SIZE_STOP_MAX,   /* the maximum trials per size */
  TSIM_SIZE_STOP_SIDE,  /* told apart from the target (side != 0) before the maximum */
  TSIM_SIZE_STOP_MCSE   /* every named power's MCSE at most tsim_size_opts.mcse */
} tsim_size_stop;

/* What the search is doing, for a progress display (tsim_size_opts.progress). */
typedef enum { TSIM_SIZE_BRACKETING, TSIM_SIZE_BISECTING, TSIM_SIZE_WINDOW } tsim_size_phase;

typedef struct tsim_size_progress {
  long long n;                   /* the size being simulated, or just simulated */
  const tsim_size_point *point;  /* NULL while n is simulated; its result once it is done */
  long long trials_done, trials; /* of n so far (while simulated) */
  tsim_size_phase phase;
  long long lo, hi;              /* the bracket so far: the largest size known to miss the target
                                    and the smallest known to reach it (0: none yet); fixed once
                                    bisected */
  long long centre;              /* the window's centre (the bisection's answer), once there */
  int evaluated;                 /* sizes simulated so far (n included once done) */
  /* Sizes still to simulate after n, at most, and the sum of their sample sizes (estimated
   * while bisecting: every step taken at the bracket's middle); -1 while bracketing, as the
   * doublings or halvings to come are not known. */
  int remaining;
  long long remaining_patients;
} tsim_size_progress;
typedef void (*tsim_size_progress_fn)(void *ctx, const tsim_size_progress *p);

typedef struct tsim_size_opts {
  /* The comparisons that must all reach the target: analysis ids (or "analysis:arm"). */
  char comparison[TSIM_SIZE_MAX_COMPARISONS][2 * TSIM_ID_MAX + 2];
  int ncomparisons;              /* how many are named; 0 counts as 1 */
  double target;                 /* target power, in (0, 1) */
  long long step;                /* lattice of sizes; 0 = the allocation total when whole */
  long long n_max;               /* largest size searched; 0 = TSIM_MAX_SAMPLE */
  int window;                    /* lattice steps scanned on each side of the bisection answer
                                    (at most, when sequential) */
  int sequential;                /* 1: sizes in looks, stopped once decided; an adaptive window */
  double z;                      /* the bounds' normal quantile (sequential; and for `side`) */
  double mcse;                   /* sequential: also stop a size once every named power's MCSE
                                    (tsim_mcse_bound) is at most this; 0: not */
  long long first_look;          /* trials at the first look; 0: TSIM_SIZE_FIRST_LOOK */
  tsim_size_progress_fn progress;/* told as each size starts, now and then while it runs, and
                                    when it is done; may be NULL */
  void *progress_ctx;
} tsim_size_opts;

typedef struct tsim_size_result {
  int comparison[TSIM_SIZE_MAX_COMPARISONS]; /* indices of the comparisons searched */
  int ncomparisons;
  int has_all;                 /* 1: the points' `all` counts are tallied (always, now) */
  long long start;             /* where the search started */
  char start_reason[1024];     /* the formula and its inputs, or why there was none */
  long long step;              /* the lattice used */
  long long limit;             /* the largest size the scenario allows below the search's maximum
                                  (an analysis refusing larger trials: Barnard's table limit), the
                                  search's maximum then; 0: none below it */
  char limit_reason[768];      /* why the next size on the lattice is refused (the loader's words) */
  int reached;                 /* 1 when some evaluated size reached the target */
  long long sample_size;       /* smallest evaluated size reaching the target (0 if none) */
  long long stable_sample_size;/* smallest N with every evaluated N' >= N reaching it */
  tsim_size_point *points;     /* every size evaluated, ascending (owned) */
  long long trials_total;      /* trials simulated over every size */
  double patients_total;       /* trials times sample size, summed: the trial-patients simulated */
  int npoints, cap;
} tsim_size_result;

/* A size reaches the target when every named comparison's power does (each estimated power,
 * rejections / trials, at least the target): the criterion of sample_size. */
int tsim_size_point_reaches(const tsim_size_point *p, int ncomparisons, double target);

/* The side of the target p's powers lie on, told apart at z (tsim_size_point.side). */
int tsim_size_point_side(const tsim_size_point *p, int ncomparisons, double target, double z);
/* The interim looks (before the maximum) of a size run sequentially from `first` to `trials`. */
int tsim_size_looks(long long first, long long trials);

/* Runs the search on `file` with the fixed overrides applied to every variant. Bad input (the
 * scenario, an override, an unknown analysis) is reported to d with TSIM_INPUT before anything
 * is simulated. On success res owns its points (free with tsim_size_result_free). */
tsim_status tsim_size_search(const char *file, const tsim_override *fixed, int nfixed,
                             const tsim_size_opts *o, const tsim_run_opts *ro,
                             tsim_size_result *res, tsim_diag *d);
void tsim_size_result_free(tsim_size_result *res);

/* The starting point: the normal-approximation total size for comparison k of sc, or 0 when
 * the formula does not apply (no difference between the arms). Explains itself in why[n]. */
long long tsim_size_formula(const tsim_scenario *sc, int k, double target, char *why, size_t n);

#endif
