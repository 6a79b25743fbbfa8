/* analysis.h - one analysis of the plan applied to one simulated cohort.
 *
 * An analysis = end point + population + test + alpha. It reads only the cohort's cell table
 * (patients counted by site, arm and category), never individual patients:
 *   itt, missing "non_responder": everyone randomised; a dropout counts as a non-responder;
 *   itt, missing "exclude":       complete cases (everyone assessed);
 *   per_protocol:                 assessed and without a major protocol deviation.
 * Sites are removed first by `exclude_sites` (prespecified) and then by the data-driven rule
 * `exclude_sites_where` (after unblinding: a site goes when the rule's arm has at least
 * min_patients analysed patients in it and an observed response rate >= response_at_least).
 * Each experimental arm is then compared with the control arm on the remaining patients.
 */
#ifndef TSIM_ANALYSIS_H
#define TSIM_ANALYSIS_H

#include "cohort.h"
#include "decide.h"
#include "scenario.h"

/* The result of one comparison (one experimental arm vs control) of one analysis. */
typedef struct tsim_outcome {
  long long x0, n0;   /* control: responders, analysed patients */
  long long x1, n1;   /* experimental arm: responders, analysed patients */
  double p;           /* p-value, two-sided unless the analysis is one-sided (NaN when the table has no test, or when the
                         workspace's want_p is 0: a run needs only the decision) */
  double stat;        /* test statistic (NaN for Fisher, undefined, or not wanted) */
  int reject;         /* p < alpha under the tie rule of stattest.h */
  int favouring;      /* rejected, and the observed difference favours the experimental arm */
  int defined;        /* both arms have analysed patients, so diff is defined */
  double diff;        /* x1/n1 - x0/n0, difference in response rates; for a continuous end
                         point the difference in means (ANCOVA: adjusted); single arm:
                         x1/n1 - p0 (NaN if undefined) */
  int sites_dropped;  /* sites removed by exclude_sites and exclude_sites_where together */
} tsim_outcome;

/* Every comparison of one trial under both hypotheses, as arrays: the trial loop's fast path
 * (tsim_analysis_eval_block). Slot i = h nanalyses + k holds analysis k under hypothesis h
 * (two-arm designs: one comparison per analysis); the slots from 2 nanalyses up to nslots, a
 * multiple of 8, are empty (no patients, nothing rejected), so that vector code may read and
 * write whole groups of eight. Each field means what tsim_outcome's does, except diff, which is
 * 0 where undefined (not NaN). */
#define TSIM_BLOCK_SLOTS (2 * TSIM_MAX_ANALYSES)
typedef struct tsim_outcome_block {
  int nslots;
  int64_t x0[TSIM_BLOCK_SLOTS], n0[TSIM_BLOCK_SLOTS], x1[TSIM_BLOCK_SLOTS], n1[TSIM_BLOCK_SLOTS];
  int64_t sites_dropped[TSIM_BLOCK_SLOTS];
  int64_t reject[TSIM_BLOCK_SLOTS], favouring[TSIM_BLOCK_SLOTS], defined[TSIM_BLOCK_SLOTS]; /* 0 or 1 */
  double diff[TSIM_BLOCK_SLOTS];
  int64_t near[TSIM_BLOCK_SLOTS]; /* scratch: -1 where the cached decision needs the p-value */
} tsim_outcome_block;

/* The three analysis populations, indexed as in tsim_popcounts. */
enum { TSIM_POPK_NRI = 0, TSIM_POPK_ASSESSED = 1, TSIM_POPK_PP = 2, TSIM_NPOPK = 3 };

/* Paths an analysis of the cell table takes (tsim_analysis_ws.path): from the site sums by
 * population (the TSIM_POPK_* values), or the general path (stratified tests). */
enum { TSIM_PATH_GENERAL = TSIM_NPOPK };

/* One thread's analysis workspace. A trial's cell table is summed over sites once per trial
 * (tsim_analysis_prepare): every population is a sum of categories, so each analysis forms its
 * arms' counts from these sums less the cells of the sites it removes, visiting no other site.
 * Stratified tests, which need every kept site, are given the population's counts per site
 * (the general path that the latent model's patient counts also take). */
typedef struct tsim_analysis_ws {
  const tsim_scenario *sc;
  /* The cell table summed over sites (tsim_analysis_prepare), per arm: */
  uint32_t sum_n[TSIM_MAX_ARMS], sum_drop[TSIM_MAX_ARMS], sum_dev[TSIM_MAX_ARMS];
  uint32_t *sum_rpp, *sum_rdev; /* [2][nendpoints][narms] responders, per protocol / deviating */
  unsigned char ep_used[TSIM_MAX_ENDPOINTS]; /* end points some analysis reads */
  int nused, used0;   /* how many, and the first */
  unsigned char kind[TSIM_MAX_ANALYSES];     /* each analysis's population (TSIM_POPK_*) */
  unsigned char chisq[TSIM_MAX_ANALYSES];    /* two-sided Pearson or 'N-1', p-value not needed */
  /* What a trial's evaluation of each analysis needs, worked out once here so that
   * tsim_analysis_eval_all re-derives nothing from sc->analyses per trial: */
  unsigned char path[TSIM_MAX_ANALYSES];     /* its kind, or TSIM_PATH_GENERAL when stratified */
  unsigned char higher[TSIM_MAX_ANALYSES];   /* its end point's higher_is_better */
  int two;            /* two arms, one comparison: tsim_analysis_eval_trial takes both hypotheses at once */
  int blockable;      /* two, and every analysis a two-sided Pearson or 'N-1' chi-square on
                         the cell table with no p-value needed: tsim_analysis_eval_block applies */
  /* Each slot's (tsim_outcome_block) constants: its analysis's critical value, tolerance and
   * 'N-1' flag (decide.h), and -1 where its end point's higher values are better. */
  double blk_crit[TSIM_BLOCK_SLOTS], blk_tol[TSIM_BLOCK_SLOTS], blk_nm1[TSIM_BLOCK_SLOTS];
  int64_t blk_higher[TSIM_BLOCK_SLOTS];
  void (*blk_kernel)(const struct tsim_analysis_ws *w, tsim_outcome_block *b); /* by processor */
  size_t e_off[TSIM_MAX_ANALYSES];           /* its end point's cells in the cell table */
  struct tsim_site_rule *rule; /* [nanalyses] the sites each analysis removes (siterule.h) */
  int general;        /* 1: every analysis takes the general path (tests compare the paths) */
  long long *x, *n;   /* [nsites * narms] general path: one population's counts per site, arm */
  long long *tx, *tn; /* [narms] their totals */
  unsigned char *mask;/* [nsites] sites removed by the analysis being evaluated (general path) */
  long long *strata;  /* [4 * nsites] CMH: x0, n0, x1, n1 of each kept site */
  tsim_decider dec;   /* cached decisions (decide.h) */
  int want_p;         /* 1: also compute p-values and statistics (0 after _new) */
  unsigned char need_p[TSIM_MAX_ANALYSES]; /* p-values some multiplicity procedure needs */
  /* The latent model (sc->latent): analyses read the patients of the cohort prepared. */
  const tsim_cohort *cohort;
  long long *px, *pn;   /* [nsites * narms] one analysis's responders / patients per cell */
  long long *ptx, *ptn; /* [narms] their totals */
  double *vals, *bases; /* [n] values (and baselines) of the patients one analysis keeps */
  uint8_t *grp;         /* [n] their arms */
  double *y2, *b2;      /* [n] the two arms of one comparison, control first */
  struct tsim_rank_ws *rank;       /* Wilcoxon workspace */
  struct tsim_ancova_ws *ancova;   /* ANCOVA workspace */
  struct tsim_logit_ws *logit;     /* logistic regression workspace (nsites strata) */
} tsim_analysis_ws;

/* A workspace for sc; NULL when out of memory. Free with tsim_analysis_ws_free (NULL ok). */
tsim_analysis_ws *tsim_analysis_ws_new(const tsim_scenario *sc);
void tsim_analysis_ws_free(tsim_analysis_ws *w);

/* Tabulates the populations of the cohort held by c (both hypotheses). */
void tsim_analysis_prepare(tsim_analysis_ws *w, const tsim_cohort *c);

/* Evaluates analysis `k` on the prepared cohort under hypothesis h, writing one outcome per
 * experimental arm (in arm order, skipping the control) to out[0 .. narms-2]. No allocation. */
void tsim_analysis_eval(tsim_analysis_ws *w, int k, tsim_hypothesis h, tsim_outcome *out);

/* Every analysis on the prepared cohort under hypothesis h: analysis k's outcomes to
 * out[k * ncmp .. k * ncmp + ncmp - 1] (ncmp = tsim_scenario_ncomparisons). The same outcomes as
 * tsim_analysis_eval for each k, in one call: the trial loop's way. No allocation. */
void tsim_analysis_eval_all(tsim_analysis_ws *w, tsim_hypothesis h, tsim_outcome *out);

/* Every analysis on the prepared cohort under both hypotheses: the alternative's outcomes as
 * tsim_analysis_eval_all writes them to out[0 .. nanalyses ncmp - 1], the null twin's after
 * them. The same outcomes; two-arm designs read each cell once for both. No allocation. */
void tsim_analysis_eval_trial(tsim_analysis_ws *w, tsim_outcome *out);

/* 1 when tsim_analysis_eval_block can evaluate this workspace's trials: a two-arm design on the
 * cell table whose analyses are all two-sided Pearson or 'N-1' chi-square tests, with nobody
 * reading p-values (want_p 0) or asking for the general path. */
int tsim_analysis_block_ok(const tsim_analysis_ws *w);
/* 1 when the block path is the faster one on this processor (its vector targets, isa.h): the
 * trial loop takes it only then. Either path gives the same numbers. */
int tsim_analysis_block_pays(void);
/* Prepares b for w's trials: its number of slots, and its empty slots. */
void tsim_analysis_block_init(const tsim_analysis_ws *w, tsim_outcome_block *b);
/* tsim_analysis_eval_trial into the arrays of b (when tsim_analysis_block_ok): the same
 * outcomes, the decisions and differences computed eight slots at a time. It is its two halves
 * in turn, which the trial loop calls apart (see runner.c): */
void tsim_analysis_eval_block(tsim_analysis_ws *w, tsim_outcome_block *b);
/* The prepared cohort's counts into b's slots (x0, n0, x1, n1, sites_dropped). */
void tsim_analysis_block_counts(tsim_analysis_ws *w, tsim_outcome_block *b);
/* The decisions, differences and flags of the counts in b's slots (which need not come from
 * the workspace's cohort: tests give tables of their own). */
void tsim_analysis_block_finish(const tsim_analysis_ws *w, tsim_outcome_block *b);

/* Internal, shared with ptanalysis.c: the outcomes of binary analysis k from its responders
 * x and analysed patients n per (site, arm) and their totals tx, tn per arm. */
void tsim__analysis_binary(tsim_analysis_ws *w, int k, const long long *x, const long long *n,
                           const long long *tx, const long long *tn, tsim_outcome *out);
/* Internal: the one-sided p-value from a two-sided p2 of a test whose statistic is symmetric
 * under the null, the observed direction `dir` (> 0: the experimental arm higher), the
 * alternative being the favourable direction: p2 / 2 in that direction, 1 - p2 / 2 against it. */
double tsim__one_sided(double p2, double dir, int higher_is_better);
/* Internal (ptanalysis.c): analysis k on the patients of a latent-model cohort. */
void tsim__ptanalysis_eval(tsim_analysis_ws *w, int k, tsim_hypothesis h, tsim_outcome *out);
int tsim__ptanalysis_ws_init(tsim_analysis_ws *w);
void tsim__ptanalysis_ws_free(tsim_analysis_ws *w);

/* Analysis k's nominal difference for comparison j (experimental arm j, 0-based): the
 * difference in response probabilities (binary; single arm: the arm's minus p0) or in means
 * (continuous) at the analysis's visit, from the scenario's parameters. */
double tsim_analysis_nominal(const tsim_scenario *sc, int k, int j);
/* A bound B (a power of two) on |observed difference| of analysis k: 1 for rates; for means,
 * the spread of the scenario's means plus 64 SDs, so beyond it lies nothing a normal model
 * produces. */
double tsim_analysis_diff_bound(const tsim_scenario *sc, int k);

/* The experimental arm of comparison j (0-based), skipping the control. */
int tsim_comparison_arm(const tsim_scenario *sc, int j);

/* Comparison k (analysis-major: k = analysis * (narms - 1) + j) is named by its analysis id,
 * or "analysis:arm" when there are more than two arms. Writes the name to buf[n]. */
const char *tsim_comparison_id(const tsim_scenario *sc, int k, char *buf, size_t n);
/* The comparison named `id` (as above; a bare analysis id also names its first comparison
 * when there are two arms), or -1. */
int tsim_comparison_find(const tsim_scenario *sc, const char *id);

#endif
