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
  double p;           /* two-sided p-value (NaN when the table has no test, or when the
                         workspace's want_p is 0: a run needs only the decision) */
  double stat;        /* test statistic (NaN for Fisher, undefined, or not wanted) */
  int reject;         /* p < alpha under the tie rule of stattest.h */
  int favouring;      /* rejected, and the observed difference favours the experimental arm */
  int defined;        /* both arms have analysed patients, so diff is defined */
  double diff;        /* x1/n1 - x0/n0, difference in response rates (NaN if undefined) */
  int sites_dropped;  /* sites removed by exclude_sites and exclude_sites_where together */
} tsim_outcome;

/* The three analysis populations, indexed as in tsim_popcounts. */
enum { TSIM_POPK_NRI = 0, TSIM_POPK_ASSESSED = 1, TSIM_POPK_PP = 2, TSIM_NPOPK = 3 };

/* One thread's analysis workspace: the current cohort's responders and analysed patients per
 * (hypothesis, end point, population, site, arm), and their totals over sites, computed once
 * per trial by tsim_analysis_prepare so that each analysis only adds them up. */
typedef struct tsim_analysis_ws {
  const tsim_scenario *sc;
  long long *x, *n;   /* [2][nendpoints][TSIM_NPOPK][nsites][narms] */
  long long *tx, *tn; /* [2][nendpoints][TSIM_NPOPK][narms]: sums over all sites */
  unsigned char *mask;/* [nsites] sites removed by the analysis being evaluated */
  long long *strata;  /* [4 * nsites] CMH: x0, n0, x1, n1 of each kept site */
  unsigned char used[TSIM_MAX_ENDPOINTS][TSIM_NPOPK]; /* populations some analysis reads */
  tsim_decider dec;   /* cached decisions (decide.h) */
  int want_p;         /* 1: also compute p-values and statistics (0 after _new) */
  unsigned char need_p[TSIM_MAX_ANALYSES]; /* p-values some multiplicity procedure needs */
} tsim_analysis_ws;

/* A workspace for sc; NULL when out of memory. Free with tsim_analysis_ws_free (NULL ok). */
tsim_analysis_ws *tsim_analysis_ws_new(const tsim_scenario *sc);
void tsim_analysis_ws_free(tsim_analysis_ws *w);

/* Tabulates the populations of the cohort held by c (both hypotheses). */
void tsim_analysis_prepare(tsim_analysis_ws *w, const tsim_cohort *c);

/* Evaluates analysis `k` on the prepared cohort under hypothesis h, writing one outcome per
 * experimental arm (in arm order, skipping the control) to out[0 .. narms-2]. No allocation. */
void tsim_analysis_eval(tsim_analysis_ws *w, int k, tsim_hypothesis h, tsim_outcome *out);

/* The experimental arm of comparison j (0-based), skipping the control. */
int tsim_comparison_arm(const tsim_scenario *sc, int j);

/* Comparison k (analysis-major: k = analysis * (narms - 1) + j) is named by its analysis id,
 * or "analysis:arm" when there are more than two arms. Writes the name to buf[n]. */
const char *tsim_comparison_id(const tsim_scenario *sc, int k, char *buf, size_t n);
/* The comparison named `id` (as above; a bare analysis id also names its first comparison
 * when there are two arms), or -1. */
int tsim_comparison_find(const tsim_scenario *sc, const char *id);

#endif
