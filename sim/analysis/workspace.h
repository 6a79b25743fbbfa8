/* workspace.h - the types of the analysis layer: a comparison's outcome, a trial's outcomes as
 * arrays (the block path), and one thread's analysis workspace. Shared by the comparisons on
 * tables (compare.c), on patients (ptanalysis.c) and the analyses' entry points (analysis.c). */
#ifndef TSIM_WORKSPACE_H
#define TSIM_WORKSPACE_H

#include <stdint.h>

#include "analysis/decide.h"
#include "input/scenario.h"
#include "kernels/kernels.h"
#include "model/cohort.h"

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
  double lo, hi;      /* analyses with a margin (non-inferiority, equivalence): the two-sided
                         1 - 2 level interval of the measure the decision reads (NaN where the
                         test has none, e.g. Farrington-Manning, and for the
                         Miettinen-Nurminen tests, whose interval `cover` stands for); not set
                         for superiority */
  unsigned cover;     /* the Miettinen-Nurminen tests (stratified or not) against a margin only
                         (the coverage a simulation counts, without the interval's bounds, which
                         take about 30 evaluations of its statistic; tsim_ni_mn_covers,
                         tsim_ni_strat_covers):
                         TSIM_COVER_SET when it has an interval, and with it the bits
                         TSIM_COVER_TRUTH (it holds the comparison's true value,
                         tsim_analysis_truth), TSIM_COVER_LOWER (margin[0]), TSIM_COVER_UPPER
                         (equivalence: margin[1]); not set for any other analysis */
} tsim_outcome;

enum { TSIM_COVER_TRUTH = 1u, TSIM_COVER_LOWER = 2u, TSIM_COVER_UPPER = 4u, TSIM_COVER_SET = 0x100u };

/* Every comparison of one trial under both hypotheses, as arrays: tsim_outcome_block
 * (kernels/kernels.h), the trial loop's fast path (tsim_analysis_eval_block). */
_Static_assert(TSIM_BLOCK_SLOTS == 2 * TSIM_MAX_ANALYSES, "a block has a slot per analysis and hypothesis");

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
  tsim_block_consts blk;
  size_t e_off[TSIM_MAX_ANALYSES];           /* its end point's cells in the cell table */
  struct tsim_site_rule *rule; /* [nanalyses] the sites each analysis removes (siterule.h) */
  int general;        /* 1: every analysis takes the general path (tests compare the paths); in the
                         latent model, every analysis reads the patients one by one */
  int runs;           /* the latent model's group sums on rows the cell sampler wrote cell by
                         cell: 0 by runs where cells are large enough (ptanalysis.c,
                         PT_RUNS_MIN), 1 by runs always, -1 patient by patient (tests compare) */
  int grow;           /* 1: the cohort of the next tsim_analysis_prepare is the one prepared last
                         with the same patients first and maybe more after them (a later look at
                         the same trial), so the latent model's sums of the first ones are kept;
                         0 (after _new): a cohort of its own. Set by the caller */
  long long *x, *n;   /* [nsites * narms] general path: one population's counts per site, arm */
  long long *tx, *tn; /* [narms] their totals */
  unsigned char *mask;/* [nsites] sites removed by the analysis being evaluated (general path) */
  long long *strata;  /* [4 * nsites] CMH: x0, n0, x1, n1 of each kept site */
  tsim_decider dec;   /* cached decisions (decide.h) */
  int want_p;         /* 1: also compute p-values and statistics (0 after _new) */
  unsigned char need_p[TSIM_MAX_ANALYSES]; /* p-values some multiplicity procedure needs */
  /* The latent model (sc->latent): analyses read the patients of the cohort prepared. */
  const tsim_cohort *cohort;
  struct tsim_pt_ws *pt; /* what those analyses need of their own (ptanalysis.c; owned) */
  struct tsim_logit_ws *logit;     /* logistic regression workspace (nsites strata) */
  /* Site monitoring (monitor.h): per hypothesis and analysis, the sites the analysis removes in
   * the trial and look being evaluated because a rule it acts on flagged them (NULL: none).
   * Set by the caller before each evaluation; analyses acting on flags read the patients one by
   * one (ptanalysis.c). */
  const unsigned char *flagged[2][TSIM_MAX_ANALYSES];
} tsim_analysis_ws;

#endif
