/* ptanalysis.c - analyses of a latent-model cohort, from statistics of its patients per
 * (site, arm) cell or read patient by patient (see analysis.h for populations and site rules,
 * latent.h for the model).
 *
 * One analysis looks at one measure: its end point at its visit. Patient j is observed there
 * when it had not dropped out by that visit. Who is analysed, and with what value:
 *   per_protocol            observed, without a major protocol deviation;
 *   itt + "exclude"         observed (complete cases);
 *   itt + "non_responder"   everyone; a patient not observed is a non-responder (binary);
 *   itt + "locf"            observed, or else the value at the end point's last visit before
 *                           the dropout (last observation carried forward); a patient with no
 *                           observation of the end point at all is left out.
 * A "subgroup" keeps only its members. Binary analyses then count responders per (site, arm)
 * and share everything after that with the cell-table path (analysis.c); continuous analyses
 * run their test per comparison on the kept patients' sums (or values).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/ptanalysis.h"

#include "analysis/compare.h"
#include "analysis/siterule.h"
#include "stats/ancova.h"
#include "stats/contest.h"
#include "stats/impute.h"
#include "stats/mmrm.h"
#include "core/rng.h"
#include "kernels/kernels.h"
#include "stats/nitest.h"
#include "model/estimand.h"
#include "model/latent.h"
#include "stats/ranktest.h"
#include "stats/stattest.h"

/* Cell statistics. tsim__ptanalysis_prepare reads a trial's patients once, for both hypotheses,
 * into per-(site, arm) sums by category, for every "set" - a measure (end point at a visit) and a
 * subgroup (or everyone) some analyses read:
 *   PP    observed at the visit, no major deviation;
 *   DEV   observed, with a major deviation;
 *   LOCF  not observed, carrying its last earlier observation (only where an analysis asks);
 *   MISS  not observed (binary: the non-responders of "non_responder" imputation; counted only).
 * A binary set keeps counts and responders per category; a continuous one the count, and the
 * sum and sum of squares of y - c, c a constant per (hypothesis, arm): the plan's mean of that
 * measure, so that each cell's values lie within a few SDs of c and one-pass sums lose no digits
 * to cancellation; with a baseline (ANCOVA) also the sums of b - cb, its squares and the cross
 * products (cb the baseline's mean). Every population is then a sum of categories, and a
 * listed site exclusion or the post hoc rule a choice of which sites' cells to add: an analysis
 * visits cells, not patients. Binary counts are integers, so binary analyses give exactly what
 * a pass over the patients gives; continuous tests differ from the per-patient two-pass sums
 * at the rounding level.
 *
 * The patients are read one by one (eval_continuous, eval_wilcoxon below) for the rank-sum
 * test, which needs the values; for a continuous set whose sums could lose digits: a mean its
 * cells can hold (an anomaly's on that end point, or for LOCF an earlier visit's) more than
 * about PT_MAX_OFFSET SDs from its arm's c, or an SD below 2^-300 (whose squares would
 * underflow); for an ANCOVA whose closed form declines a fit (ancova.h); and for every
 * analysis when the workspace's `general` is set (tests compare the paths). */
enum { CAT_PP = 0, CAT_DEV = 1, CAT_LOCF = 2, CAT_MISS = 3 };
#define PT_BIN 8            /* uint32 per binary cell: n of the 4 categories, x of PP, DEV, LOCF, pad */
#define PT_MAX_OFFSET 64.0  /* SDs: cancellation costs at most 64^2 eps ~ 1e-12 relative */
#define PT_MIN_SD 0x1p-300

typedef struct pt_set {
  int meas, own, visit, subgroup; /* measure, its index among the end point's visits, scenario visit */
  const int *visits;  /* the end point's visits (LOCF) */
  int cont, locf, base; /* continuous; keeps LOCF values; baseline sums */
  int bidx;           /* baseline index (base) */
  int ncat, stride;   /* continuous: categories kept (2, or 3 with LOCF), doubles per category */
  size_t off[2];      /* its cells in cnt (binary) or acc (continuous), by hypothesis */
  double cy[2][TSIM_MAX_ARMS], cb; /* centring constants */
  int grp;            /* its group (a set of everyone without LOCF), or -1: pass_general */
  int gi;             /* in its group: binary, its responders' index; continuous, its index */
  int gb;             /* continuous with a baseline: its baseline sums' offset in a slot */
} pt_set;

/* The sets of everyone without LOCF at one visit (a "group"), read in one pass over the
 * patients for both hypotheses (pass_group): each patient's row of measures is read once and
 * added to every set's sums. A patient observed at the visit is in slot 2 cell + (major
 * deviation), one not observed in slot 2 ncells + cell; per hypothesis and slot the group keeps
 * the patients (n), each binary set's responders (r, nb per slot) and the continuous sets' sums
 * (acc, W = 2 nc + 3 nbase doubles per slot): the sums of y - c of the nc sets, then their
 * squares, then for each set with a baseline the sums of b - cb, its squares and (y - c)(b - cb).
 * The slots of patients not observed hold sums nobody reads. */
typedef struct pt_group {
  int visit;          /* scenario visit */
  int nb, nc, nbase, W; /* binary sets, continuous sets, those with a baseline, doubles per slot */
  int bm[TSIM_MAX_ANALYSES];  /* binary sets: measure */
  int cm[TSIM_MAX_ANALYSES];  /* continuous sets: measure */
  int bci[TSIM_MAX_ANALYSES]; /* sets with a baseline: their continuous index, */
  int bbi[TSIM_MAX_ANALYSES]; /* baseline index */
  double bcb[TSIM_MAX_ANALYSES]; /* and baseline centring constant */
  double *cy;         /* [2][narms][nc] the continuous sets' centring constants (owned) */
  uint32_t *n[2], *r[2]; /* [3 ncells], [3 ncells nb] by hypothesis (in P->gcnt) */
  double *acc[2];     /* [3 ncells W] (in P->gacc) */
  long long *tn[2];   /* [narms][3] patients per arm: PP, DEV, MISS (in P->gtot) */
  long long *tr[2];   /* [narms][nb][2] each binary set's responders per arm: PP, DEV (in P->gtot) */
} pt_group;

/* The workspace's part for analyses of patients (tsim_analysis_ws.pt). */
struct tsim_pt_ws {
  long long *px, *pn;   /* [nsites * narms] one analysis's responders / patients per cell */
  long long *ptx, *ptn; /* [narms] their totals */
  double *vals, *bases; /* [n] values (and baselines) of the patients one analysis keeps */
  uint8_t *grp;         /* [n] their arms */
  double *y2, *b2;      /* [n] the two arms of one comparison, control first */
  struct tsim_rank_ws **rank;    /* [nanalyses] a Wilcoxon workspace per rank-sum analysis, so
                                  * that each keeps its control arm's sort for the next call */
  struct tsim_ancova_ws *ancova; /* ANCOVA workspace (the per-patient path) */
  pt_set *set;          /* [nsets] */
  int nsets;
  int set_of[TSIM_MAX_ANALYSES]; /* each analysis's set, or -1: the per-patient path */
  uint32_t *cnt;        /* binary sets' cells: [PT_BIN] per (site, arm), site-major */
  double *acc;          /* continuous sets' cells: [ncat][stride] per (site, arm) */
  size_t ncnt, nacc;
  uint32_t *cell;       /* [n] each patient's (site, arm) cell, site-major (pass_general) */
  uint32_t *slot;       /* [2][n] each patient's slot in one group under each hypothesis (pass_group) */
  long long gdone;      /* the patients the groups' sums hold (the last prepare's; tsim_analysis_ws.grow) */
  int *kept[TSIM_MAX_ANALYSES]; /* each continuous analysis's sites not listed in exclude_sites (owned) */
  int nkept[TSIM_MAX_ANALYSES];
  /* Rank-sum analyses of two arms, everyone, no listed sites, complete cases or per protocol:
   * their values gathered once per trial by pass_gather, for both hypotheses. */
  double *wy[TSIM_MAX_ANALYSES]; /* [2][2][n] each hypothesis's control values, then the other
                                  * arm's, in the patients' order (owned; NULL: not gathered) */
  long long wn[TSIM_MAX_ANALYSES][2][2]; /* how many of each */
  int wmeas[TSIM_MAX_ANALYSES], wvisit[TSIM_MAX_ANALYSES]; /* their measure and scenario visit */
  pt_group *group;      /* [ngroups] */
  int ngroups;
  int ngeneral;         /* sets read by pass_general */
  double *vval;         /* [n * TSIM_MAX_VISITS] with intercurrent events: one analysis's view of
                           its end point (tsim_estimand_view), rebuilt per evaluation */
  uint8_t *vgone;       /* [n] its first missed visits */
  /* Multiple imputation (analyses with "missing": "multiple_imputation"): the workspace, its
   * data (values at the end point's visits up to the analysis's, NaN where missing; baselines;
   * arms), the imputed values, each comparison's estimates and variances, the generator. */
  tsim_mi_ws *mi[TSIM_MAX_VISITS + 1]; /* by the number of visits it models (the analysis's
                                         visit + 1): a workspace reads its data as n x V */
  tsim_mmrm_ws *mmrm;   /* "test": "mmrm": its workspace (miy, mibase and miarm hold its data) */
  double *miy, *miimp, *mibase, *miq, *miu;
  int *miarm;
  gsl_rng *mirng;
  uint32_t *gcnt;       /* the groups' n and r */
  double *gacc;         /* the groups' acc */
  long long *gtot;      /* the groups' tn and tr */
};

/* The plan's mean of end point ep at own visit u in arm a under hypothesis h, and its SD: the
 * null twin gives every arm the control's (latent.h). Centring constants, and what sums_safe
 * checks; continuous end points are never analysed in a single-arm design. */
static double plan_mean(const tsim_scenario *sc, const tsim_endpoint *ep, int h, int u, int a) {
  return ep->mean_v[u][h && !sc->single_arm ? sc->control : a];
}
static double plan_sd(const tsim_scenario *sc, const tsim_endpoint *ep, int h, int a) {
  return ep->sd[h && !sc->single_arm ? sc->control : a];
}

/* 1 when analysis an reads values that its intercurrent events' strategies change (any strategy
 * but treatment policy): it then reads its view of the patients (tsim_estimand_view), one by
 * one. An analysis of the treatment policy for every event reads the values as observed, after
 * the events, like an analysis of a scenario without events: from the cells. */
static int strategy_view(const tsim_scenario *sc, const tsim_analysis *an) {
  for (int e = 0; e < sc->nevents; e++)
    if (an->strategy[e] != TSIM_STRAT_TREATMENT_POLICY) return 1;
  return 0;
}

/* 1 when set S's one-pass sums keep their digits (see above). */
static int sums_safe(const tsim_scenario *sc, int e, const pt_set *S) {
  const tsim_endpoint *ep = &sc->endpoints[e];
  double minsd = INFINITY;
  for (int h = 0; h < 2; h++)
    for (int a = 0; a < sc->narms; a++) minsd = fmin(minsd, plan_sd(sc, ep, h, a));
  if (!(minsd >= PT_MIN_SD) || (S->base && !(ep->base_sd >= PT_MIN_SD))) return 0;
  /* A site effect moves a mean by sd b sqrt(3) / pi, b ~ N(0, heterogeneity_sd): 8 SDs of b. */
  double room = PT_MAX_OFFSET - 8 * sc->heterogeneity_sd * 0.5513;
  for (int h = 0; h < 2; h++)
    for (int a = 0; a < sc->narms; a++) {
      double c = S->cy[h][a];
      for (int u = S->locf ? 0 : S->own; u <= S->own; u++)
        if (!(fabs(plan_mean(sc, ep, h, u, a) - c) <= room * minsd)) return 0;
      for (int i = 0; i < sc->nanomalies; i++) {
        const tsim_anomaly *an = &sc->anomalies[i];
        if (an->arm == a && (an->endpoint < 0 || an->endpoint == e) && !isnan(an->mean) &&
            !(fabs(an->mean - c) <= room * minsd))
          return 0;
      }
      /* Intercurrent events move a patient's values towards the control arm's mean (after:
       * control, waning) - at an anomalous site the anomaly's - and by their shifts: every
       * shift at once from any arm's mean or any anomaly's on this end point. */
      if (sc->nevents > 0) {
        double shift = 0;
        for (int i = 0; i < sc->nevents; i++) shift += fabs(sc->events[i].shift[e]);
        for (int u = S->locf ? 0 : S->own; u <= S->own; u++)
          for (int b = 0; b < sc->narms; b++)
            if (!(fabs(plan_mean(sc, ep, h, u, b) - c) + shift <= room * minsd)) return 0;
        for (int i = 0; i < sc->nanomalies; i++) {
          const tsim_anomaly *an = &sc->anomalies[i];
          if ((an->endpoint < 0 || an->endpoint == e) && !isnan(an->mean) && !(fabs(an->mean - c) + shift <= room * minsd))
            return 0;
        }
      }
    }
  return 1;
}

/* The sets the analyses read (set_of, set, nsets) and the accumulators' layout. */
static int plan_sets(tsim_analysis_ws *w) {
  const tsim_scenario *sc = w->sc;
  struct tsim_pt_ws *P = w->pt;
  size_t cells = (size_t)sc->nsites * (size_t)sc->narms;
  /* The measures' layout (the sampler's plan is not at hand before the first trial). */
  tsim_latent_plan *lp = calloc(1, sizeof *lp); /* tsim_latent_layout counts from zero */
  if (!lp || tsim_latent_layout(lp, sc) != 0 || !(P->set = calloc((size_t)sc->nanalyses + 1, sizeof *P->set))) {
    free(lp);
    return -1;
  }
  int set_ep[TSIM_MAX_ANALYSES + 1], wmeas[TSIM_MAX_ANALYSES];
  for (int k = 0; k < sc->nanalyses; k++) {
    const tsim_analysis *an = &sc->analyses[k];
    const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
    int cont = ep->type == TSIM_EP_CONTINUOUS, meas = lp->meas_start[an->endpoint] + an->visit;
    P->set_of[k] = -1;
    wmeas[k] = meas;
    /* Rank-sum tests, analyses that drop flagged sites (which differ per trial and look),
     * analyses of a strategy other than treatment policy for some intercurrent event (each
     * sees the values its strategies make), an ANCOVA with events (its interval comes from the
     * fit) read the patients one by one. */
    if ((cont && an->test == TSIM_TEST_WILCOXON) || an->exclude_flagged || strategy_view(sc, an) ||
        (sc->nevents > 0 && cont && an->test == TSIM_TEST_ANCOVA) || an->missing == TSIM_MISSING_MI ||
        an->test == TSIM_TEST_MMRM)
      continue;
    int i = 0;
    while (i < P->nsets && !(P->set[i].meas == meas && P->set[i].subgroup == an->subgroup)) i++;
    pt_set *S = &P->set[i];
    if (i == P->nsets) {
      P->nsets++;
      S->meas = meas;
      S->own = an->visit;
      S->visit = ep->visits[an->visit];
      S->visits = ep->visits;
      S->subgroup = an->subgroup;
      S->cont = cont;
      S->bidx = lp->base_of[an->endpoint];
      set_ep[i] = an->endpoint;
      for (int h = 0; h < 2; h++)
        for (int a = 0; a < sc->narms; a++) S->cy[h][a] = cont ? plan_mean(sc, ep, h, an->visit, a) : 0;
      S->cb = S->bidx >= 0 ? ep->base_mean : 0;
    }
    S->locf |= an->population != TSIM_POP_PER_PROTOCOL && an->missing == TSIM_MISSING_LOCF;
    S->base |= cont && an->test == TSIM_TEST_ANCOVA;
    P->set_of[k] = i;
  }
  free(lp);
  /* Continuous sets whose sums could lose digits go back to the per-patient path. */
  for (int i = 0; i < P->nsets; i++) {
    pt_set *S = &P->set[i];
    if (!S->cont || sums_safe(sc, set_ep[i], S)) continue;
    for (int k = 0; k < sc->nanalyses; k++)
      if (P->set_of[k] == i) P->set_of[k] = -1;
    S->cont = -1; /* unused */
  }
  /* Drop the unused sets. */
  int kept = 0, map[TSIM_MAX_ANALYSES + 1];
  for (int i = 0; i < P->nsets; i++) {
    map[i] = P->set[i].cont >= 0 ? kept : -1;
    if (map[i] >= 0) P->set[kept++] = P->set[i];
  }
  for (int k = 0; k < sc->nanalyses; k++)
    if (P->set_of[k] >= 0) P->set_of[k] = map[P->set_of[k]];
  P->nsets = kept;
  if (!(P->group = calloc((size_t)P->nsets + 1, sizeof *P->group))) return -1;
  for (int k = 0; k < sc->nanalyses; k++) {
    const tsim_analysis *an = &sc->analyses[k];
    if (P->set_of[k] < 0 || !P->set[P->set_of[k]].cont) continue;
    if (!(P->kept[k] = malloc(((size_t)sc->nsites + 1) * sizeof *P->kept[k]))) return -1;
    for (int st = 0; st < sc->nsites; st++)
      if (!(an->exclude && an->exclude[st])) P->kept[k][P->nkept[k]++] = st;
  }
  for (int i = 0; i < P->nsets; i++) {
    pt_set *S = &P->set[i];
    S->ncat = S->locf ? 3 : 2;
    S->stride = S->base ? 6 : 3;
    S->grp = -1;
    if (S->subgroup < 0 && !S->locf) { /* everyone without LOCF: its visit's group */
      int g = 0;
      while (g < P->ngroups && P->group[g].visit != S->visit) g++;
      pt_group *G = &P->group[g];
      if (g == P->ngroups) {
        P->ngroups++;
        G->visit = S->visit;
      }
      S->grp = g;
      if (!S->cont) {
        S->gi = G->nb;
        G->bm[G->nb++] = S->meas;
      } else {
        S->gi = G->nc;
        G->cm[G->nc++] = S->meas;
      }
      continue;
    }
    P->ngeneral++;
    if (S->cont == 0) {
      for (int h = 0; h < 2; h++, P->ncnt += cells * PT_BIN) S->off[h] = P->ncnt;
    } else {
      for (int h = 0; h < 2; h++, P->nacc += cells * (size_t)(S->ncat * S->stride)) S->off[h] = P->nacc;
    }
  }
  /* Rank-sum analyses gathered by pass_gather (eval_wilcoxon's values, in its order). */
  for (int k = 0; w->two && k < sc->nanalyses; k++) {
    const tsim_analysis *an = &sc->analyses[k];
    const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
    int pp = an->population == TSIM_POP_PER_PROTOCOL, listed = 0;
    for (int st = 0; an->exclude && st < sc->nsites; st++) listed |= an->exclude[st];
    if (ep->type != TSIM_EP_CONTINUOUS || an->test != TSIM_TEST_WILCOXON || an->subgroup >= 0 || listed ||
        an->exclude_flagged || strategy_view(sc, an) || !(pp || an->missing == TSIM_MISSING_EXCLUDE))
      continue;
    if (!(P->wy[k] = malloc((4 * (size_t)sc->sample_size + 1) * sizeof *P->wy[k]))) return -1;
    P->wmeas[k] = wmeas[k];
    P->wvisit[k] = ep->visits[an->visit];
  }
  /* The baseline sums after every set's sums and squares. */
  for (int i = 0; i < P->nsets; i++) {
    pt_set *S = &P->set[i];
    if (S->grp < 0 || !S->cont || !S->base) continue;
    pt_group *G = &P->group[S->grp];
    S->gb = 2 * G->nc + 3 * G->nbase;
    G->bci[G->nbase] = S->gi;
    G->bbi[G->nbase] = S->bidx;
    G->bcb[G->nbase++] = S->cb;
  }
  size_t na = (size_t)sc->narms, ncnt = 0, nacc = 0, ntot = 0;
  for (int g = 0; g < P->ngroups; g++) {
    pt_group *G = &P->group[g];
    G->W = 2 * G->nc + 3 * G->nbase;
    if (!(G->cy = malloc((2 * na * (size_t)G->nc + 1) * sizeof *G->cy))) return -1;
    for (int i = 0, ci = 0; i < P->nsets; i++) {
      const pt_set *S = &P->set[i];
      if (S->grp != g || !S->cont) continue;
      for (int h = 0; h < 2; h++)
        for (size_t a = 0; a < na; a++) G->cy[((size_t)h * na + a) * (size_t)G->nc + (size_t)ci] = S->cy[h][a];
      ci++;
    }
    ncnt += 2 * 3 * cells * (size_t)(1 + G->nb);
    nacc += 2 * 3 * cells * (size_t)G->W;
    ntot += 2 * na * (size_t)(3 + 2 * G->nb);
  }
  P->cnt = calloc(P->ncnt + 1, sizeof *P->cnt);
  P->acc = calloc(P->nacc + 1, sizeof *P->acc);
  P->gcnt = calloc(ncnt + 1, sizeof *P->gcnt);
  P->gacc = calloc(nacc + 1, sizeof *P->gacc);
  P->gtot = calloc(ntot + 1, sizeof *P->gtot);
  if (!P->cnt || !P->acc || !P->gcnt || !P->gacc || !P->gtot) return -1;
  /* Each group's n[0], n[1], r[0], r[1] in gcnt, acc[0], acc[1] in gacc: one block each. */
  uint32_t *u = P->gcnt;
  double *d = P->gacc;
  long long *t = P->gtot;
  for (int g = 0; g < P->ngroups; g++) {
    pt_group *G = &P->group[g];
    for (int h = 0; h < 2; h++, u += 3 * cells) G->n[h] = u;
    for (int h = 0; h < 2; h++, u += 3 * cells * (size_t)G->nb) G->r[h] = u;
    for (int h = 0; h < 2; h++, d += 3 * cells * (size_t)G->W) G->acc[h] = d;
    for (int h = 0; h < 2; h++, t += 3 * na) G->tn[h] = t;
    for (int h = 0; h < 2; h++, t += 2 * na * (size_t)G->nb) G->tr[h] = t;
  }
  return 0;
}

int tsim__ptanalysis_ws_init(tsim_analysis_ws *w) {
  const tsim_scenario *sc = w->sc;
  if (!(w->pt = calloc(1, sizeof *w->pt))) return -1;
  size_t cells = (size_t)sc->nsites * (size_t)sc->narms, n = (size_t)sc->sample_size;
  w->pt->px = malloc(cells * sizeof *w->pt->px);
  w->pt->pn = malloc(cells * sizeof *w->pt->pn);
  w->pt->ptx = malloc((size_t)sc->narms * sizeof *w->pt->ptx);
  w->pt->ptn = malloc((size_t)sc->narms * sizeof *w->pt->ptn);
  w->pt->vals = malloc(n * sizeof *w->pt->vals);
  w->pt->bases = malloc(n * sizeof *w->pt->bases);
  w->pt->grp = malloc(n);
  w->pt->y2 = malloc(n * sizeof *w->pt->y2);
  w->pt->b2 = malloc(n * sizeof *w->pt->b2);
  w->pt->cell = malloc(n * sizeof *w->pt->cell);
  w->pt->slot = malloc((2 * n + 1) * sizeof *w->pt->slot);
  int nvmi = 0, mmax = 0, nvmm = 0;
  unsigned miv = 0; /* bit v: some MI analysis models v visits */
  for (int k = 0; k < sc->nanalyses; k++) {
    const tsim_analysis *an = &sc->analyses[k];
    if (an->missing == TSIM_MISSING_MI) {
      nvmi = an->visit + 1 > nvmi ? an->visit + 1 : nvmi;
      mmax = an->imp_m > mmax ? an->imp_m : mmax;
      miv |= 1u << (an->visit + 1);
    }
    if (an->test == TSIM_TEST_MMRM) nvmm = an->visit + 1 > nvmm ? an->visit + 1 : nvmm;
  }
  if (nvmm > 0) {
    struct tsim_pt_ws *P = w->pt;
    P->mmrm = tsim_mmrm_ws_new(nvmm, n < 1 ? 1 : n);
    if (!P->mmrm) return -1;
    if (nvmm > nvmi) nvmi = nvmm, mmax = mmax > 0 ? mmax : 1;
  }
  if (nvmi > 0) {
    struct tsim_pt_ws *P = w->pt;
    size_t ncmp = (size_t)tsim_scenario_ncomparisons(sc);
    for (int v = 1; v <= TSIM_MAX_VISITS; v++)
      if (((miv >> v) & 1) && !(P->mi[v] = tsim_mi_ws_new(v, n < 1 ? 1 : n, sc->narms > 1 ? sc->narms : 2))) return -1;
    P->miy = malloc((n * (size_t)nvmi + 1) * sizeof *P->miy);
    P->miimp = malloc((n * (size_t)nvmi + 1) * sizeof *P->miimp);
    P->mibase = malloc((n + 1) * sizeof *P->mibase);
    P->miarm = malloc((n + 1) * sizeof *P->miarm);
    P->miq = malloc(ncmp * (size_t)mmax * sizeof *P->miq);
    P->miu = malloc(ncmp * (size_t)mmax * sizeof *P->miu);
    P->mirng = tsim_rng_alloc();
    if (!P->miy || !P->miimp || !P->mibase || !P->miarm || !P->miq || !P->miu || !P->mirng) return -1;
  }
  if (sc->nevents > 0) {
    w->pt->vval = malloc(n * TSIM_MAX_VISITS * sizeof *w->pt->vval);
    w->pt->vgone = malloc(n + 1);
    if (!w->pt->vval || !w->pt->vgone) return -1;
  }
  int rank = 0, ancova = 0;
  for (int k = 0; k < sc->nanalyses; k++) {
    rank = rank || sc->analyses[k].test == TSIM_TEST_WILCOXON;
    ancova = ancova || sc->analyses[k].test == TSIM_TEST_ANCOVA;
  }
  if (rank && (w->pt->rank = calloc((size_t)sc->nanalyses, sizeof *w->pt->rank)))
    for (int k = 0; k < sc->nanalyses; k++)
      if (sc->analyses[k].test == TSIM_TEST_WILCOXON && !(w->pt->rank[k] = tsim_rank_ws_new(n))) rank = -1;
  if (ancova) w->pt->ancova = tsim_ancova_ws_new(n < 4 ? 4 : n);
  return w->pt->px && w->pt->pn && w->pt->ptx && w->pt->ptn && w->pt->vals && w->pt->bases && w->pt->grp && w->pt->y2 && w->pt->b2 && w->pt->cell && w->pt->slot &&
                 (!rank || (w->pt->rank && rank > 0)) && (!ancova || w->pt->ancova) && plan_sets(w) == 0
             ? 0
             : -1;
}

void tsim__ptanalysis_ws_free(tsim_analysis_ws *w) {
  if (!w->pt) return;
  free(w->pt->px);
  free(w->pt->pn);
  free(w->pt->ptx);
  free(w->pt->ptn);
  free(w->pt->vals);
  free(w->pt->bases);
  free(w->pt->grp);
  free(w->pt->y2);
  free(w->pt->b2);
  for (int k = 0; w->pt->rank && k < w->sc->nanalyses; k++) tsim_rank_ws_free(w->pt->rank[k]);
  free(w->pt->rank);
  tsim_ancova_ws_free(w->pt->ancova);
  free(w->pt->set);
  free(w->pt->cnt);
  free(w->pt->acc);
  free(w->pt->cell);
  free(w->pt->slot);
  free(w->pt->vval);
  free(w->pt->vgone);
  for (int v = 0; v <= TSIM_MAX_VISITS; v++) tsim_mi_ws_free(w->pt->mi[v]);
  tsim_mmrm_ws_free(w->pt->mmrm);
  free(w->pt->miy);
  free(w->pt->miimp);
  free(w->pt->mibase);
  free(w->pt->miarm);
  free(w->pt->miq);
  free(w->pt->miu);
  if (w->pt->mirng) gsl_rng_free(w->pt->mirng);
  for (int g = 0; w->pt->group && g < w->pt->ngroups; g++) free(w->pt->group[g].cy);
  free(w->pt->group);
  for (int k = 0; k < w->sc->nanalyses; k++) {
    free(w->pt->kept[k]);
    free(w->pt->wy[k]);
  }
  free(w->pt->gcnt);
  free(w->pt->gacc);
  free(w->pt->gtot);
  free(w->pt);
  w->pt = NULL;
}

/* One patient's value of set S under one hypothesis, g its first missed visit: its category,
 * with *v set, or CAT_MISS (not observed, nothing carried). */
static inline int set_value(const pt_set *S, const double *val, int g, int dev, double *v) {
  if (g > S->visit) {
    *v = val[0];
    return dev ? CAT_DEV : CAT_PP;
  }
  if (S->locf)
    for (int u = S->own - 1; u >= 0; u--)
      if (S->visits[u] < g) {
        *v = val[u - S->own];
        return CAT_LOCF;
      }
  return CAT_MISS;
}

/* The patients' cells, and what one pass of set S under hypothesis h reads. */
typedef struct pass {
  const uint32_t *cell;   /* [n] each patient's (site, arm) cell */
  const uint8_t *arm, *gone, *dev, *sub;
  const double *val;      /* the set's measure of patient 0 */
  const double *base;     /* its baseline of patient 0 (base) */
  size_t nmeas, nbase;
  long long n;
} pass;

/* Set S under one hypothesis, patient by patient, any set (subgroups, LOCF). */
static void pass_general(struct tsim_pt_ws *P, const pt_set *S, int h, const pass *x) {
  for (long long j = 0; j < x->n; j++) {
    if (S->subgroup >= 0 && !((x->sub[j] >> S->subgroup) & 1)) continue;
    double v = 0;
    int cat = set_value(S, x->val + (size_t)j * x->nmeas, x->gone[j], x->dev[j], &v);
    if (!S->cont) {
      uint32_t *q = P->cnt + S->off[h] + (size_t)x->cell[j] * PT_BIN;
      q[cat]++;
      if (cat == CAT_LOCF) q[CAT_MISS]++;
      if (cat != CAT_MISS) q[4 + cat] += v != 0;
      continue;
    }
    if (cat == CAT_MISS) continue;
    double *q = P->acc + S->off[h] + ((size_t)x->cell[j] * (size_t)S->ncat + (size_t)cat) * (size_t)S->stride;
    double y = v - S->cy[h][x->arm[j]];
    q[0] += 1;
    q[1] += y;
    q[2] += y * y;
    if (S->base) {
      double b = x->base[(size_t)j * x->nbase] - S->cb;
      q[3] += b;
      q[4] += b * b;
      q[5] += y * b;
    }
  }
}

/* Two doubles, loaded and stored unaligned. */
typedef double pt_v2 __attribute__((vector_size(16)));
static inline pt_v2 v2_load(const double *p) {
  pt_v2 v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline void v2_store(double *p, pt_v2 v) { memcpy(p, &v, sizeof v); }

/* Group G's totals per arm: patients by category, and each binary set's responders (PP, DEV). */
static inline __attribute__((always_inline)) void group_totals(pt_group *G, const size_t NA, size_t cells,
                                                              const int NB) {
  for (int h = 0; h < 2; h++) {
    const uint32_t *n = G->n[h], *r = G->r[h], *nm_ = n + 2 * cells;
    long long *tn = G->tn[h], *tr = G->tr[h];
    memset(tn, 0, 3 * NA * sizeof *tn);
    memset(tr, 0, 2 * NA * (size_t)NB * sizeof *tr);
    for (size_t cl = 0; cl < cells; cl += NA)
      for (size_t a = 0; a < NA; a++) {
        tn[3 * a] += n[2 * (cl + a)];
        tn[3 * a + 1] += n[2 * (cl + a) + 1];
        tn[3 * a + 2] += nm_[cl + a];
        for (int i = 0; i < NB; i++) {
          tr[(a * (size_t)NB + (size_t)i) * 2] += r[2 * (cl + a) * (size_t)NB + (size_t)i];
          tr[(a * (size_t)NB + (size_t)i) * 2 + 1] += r[(2 * (cl + a) + 1) * (size_t)NB + (size_t)i];
        }
      }
  }
}

/* Group G's sums of the trial's patients c under both hypotheses, in one pass (pt_group), then
 * its totals per arm. NA arms, NB binary and NC continuous sets, NBASE of them with a baseline:
 * constants in the common shapes (pass_group), so that the loops over the sets unroll and the
 * offsets in a slot are known; G's own numbers otherwise. Each sum gets the same additions in
 * the patients' order whatever the shape. */
static inline __attribute__((always_inline)) void group_body(pt_group *G, uint32_t *slot, const tsim_cohort *c,
                                                            const tsim_latent_plan *lp, const size_t NA,
                                                            size_t cells, const int NB, const int NC,
                                                            const int NBASE, long long from) {
  const int visit = G->visit;
  const size_t W = 2 * (size_t)NC + 3 * (size_t)NBASE, nm = (size_t)lp->nmeas, nbs = (size_t)lp->nbase;
  uint32_t *n0 = G->n[0], *n1 = G->n[1], *r0 = G->r[0], *r1 = G->r[1];
  double *A0 = G->acc[0], *A1 = G->acc[1];
  /* n and r are contiguous (plan_sets); of acc, the slots of the patients observed. Sums that
   * hold patients 0 .. from - 1 already (a longer prefix of the same trial) are added to. */
  if (!from) {
    memset(n0, 0, 2 * 3 * cells * (size_t)(1 + NB) * sizeof *n0);
    memset(A0, 0, 2 * cells * W * sizeof *A0);
    memset(A1, 0, 2 * cells * W * sizeof *A1);
  }
  const uint8_t *g0 = c->pat.gone[0], *g1 = c->pat.gone[1], *dev = c->pat.dev, *arm = c->arm;
  const uint16_t *site = c->site;
  const double *v0 = c->pat.val[0], *v1 = c->pat.val[1], *bv = c->pat.base, *cy = G->cy;
  uint32_t miss = 2 * (uint32_t)cells, *sa = slot, *sb = slot + c->n;
  /* Each patient's slot under each hypothesis first, in a loop without dependences (GCC
   * vectorises it at -O3, the Release build); the sums then read them. */
  for (long long j = from; j < c->n; j++) {
    uint32_t cl = (uint32_t)site[j] * (uint32_t)NA + arm[j], seen = 2 * cl + (dev[j] != 0), gone = miss + cl;
    sa[j] = g0[j] > visit ? seen : gone;
    sb[j] = g1[j] > visit ? seen : gone;
  }
  int bm[TSIM_MAX_ANALYSES], cm[TSIM_MAX_ANALYSES], bci[TSIM_MAX_ANALYSES], bbi[TSIM_MAX_ANALYSES];
  double bcb[TSIM_MAX_ANALYSES];
  for (int i = 0; i < NB; i++) bm[i] = G->bm[i];
  for (int i = 0; i < NC; i++) cm[i] = G->cm[i];
  for (int i = 0; i < NBASE; i++) bci[i] = G->bci[i], bbi[i] = G->bbi[i], bcb[i] = G->bcb[i];
  for (long long j = from; j < c->n; j++) {
    uint32_t a = sa[j], b = sb[j];
    n0[a]++;
    n1[b]++;
    const double *x0 = v0 + (size_t)j * nm, *x1 = v1 + (size_t)j * nm;
    uint32_t *p0 = r0 + (size_t)a * (size_t)NB, *p1 = r1 + (size_t)b * (size_t)NB;
    for (int i = 0; i < NB; i++) {
      p0[i] += x0[bm[i]] != 0;
      p1[i] += x1[bm[i]] != 0;
    }
    if (!NC) continue;
    double *q0 = A0 + (size_t)a * W, *q1 = A1 + (size_t)b * W, y0[TSIM_MAX_ANALYSES], y1[TSIM_MAX_ANALYSES];
    const double *c0 = cy + (size_t)arm[j] * (size_t)NC, *c1 = c0 + NA * (size_t)NC;
    int i = 0;
    /* Two sets at a time in two-lane vectors: the same operations on each lane. */
    for (; i + 1 < NC; i += 2) {
      pt_v2 u0 = {x0[cm[i]], x0[cm[i + 1]]}, u1 = {x1[cm[i]], x1[cm[i + 1]]};
      u0 -= v2_load(c0 + i);
      u1 -= v2_load(c1 + i);
      v2_store(q0 + i, v2_load(q0 + i) + u0);
      v2_store(q1 + i, v2_load(q1 + i) + u1);
      v2_store(q0 + NC + i, v2_load(q0 + NC + i) + u0 * u0);
      v2_store(q1 + NC + i, v2_load(q1 + NC + i) + u1 * u1);
      if (NBASE) v2_store(y0 + i, u0), v2_store(y1 + i, u1);
    }
    for (; i < NC; i++) {
      y0[i] = x0[cm[i]] - c0[i], y1[i] = x1[cm[i]] - c1[i];
      q0[i] += y0[i], q1[i] += y1[i];
      q0[NC + i] += y0[i] * y0[i], q1[NC + i] += y1[i] * y1[i];
    }
    for (int ib = 0; ib < NBASE; ib++) {
      double e = bv[(size_t)j * nbs + (size_t)bbi[ib]] - bcb[ib];
      double *u0 = q0 + 2 * NC + 3 * ib, *u1 = q1 + 2 * NC + 3 * ib;
      u0[0] += e;
      u0[1] += e * e;
      u0[2] += y0[bci[ib]] * e;
      u1[0] += e;
      u1[1] += e * e;
      u1[2] += y1[bci[ib]] * e;
    }
  }
  group_totals(G, NA, cells, NB);
}

/* Patients a cell at least, on average, for group_runs to beat group_body. lupil2.json (24
 * cells, one thread, Release): 100 patients 3.33 -> 3.73 us a trial (slower: runs of 2-4), 300
 * 7.16 -> 7.13, 1,000 19.9 -> 18.5, 10,000 167 -> 149. */
#define PT_RUNS_MIN 12

/* group_body for rows the cell sampler wrote cell by cell (tsim__cohort_enroll_cells: site by
 * site, arm by arm, the per-protocol patients, then the deviating ones, then the dropouts; one
 * visit, so the first two are observed and the same under both hypotheses). Each slot's patients
 * are then one run of rows, so its count is known and its sums are added up in registers, over
 * the same patients in the same order as group_body adds them into the slot: the same bits. */
static inline __attribute__((always_inline)) void group_runs(pt_group *G, const tsim_cohort *c,
                                                            const tsim_latent_plan *lp, const size_t NA,
                                                            size_t cells, const int NB, const int NC,
                                                            const int NBASE) {
  const tsim_scenario *sc = c->plan->sc;
  const size_t W = 2 * (size_t)NC + 3 * (size_t)NBASE, nm = (size_t)lp->nmeas, nbs = (size_t)lp->nbase;
  uint32_t *n0 = G->n[0], *n1 = G->n[1], *r0 = G->r[0], *r1 = G->r[1];
  double *A0 = G->acc[0], *A1 = G->acc[1];
  memset(n0, 0, 2 * 3 * cells * (size_t)(1 + NB) * sizeof *n0);
  const double *v0 = c->pat.val[0], *v1 = c->pat.val[1], *bv = c->pat.base, *cy = G->cy;
  int bm[TSIM_MAX_ANALYSES], cm[TSIM_MAX_ANALYSES], bci[TSIM_MAX_ANALYSES], bbi[TSIM_MAX_ANALYSES];
  double bcb[TSIM_MAX_ANALYSES];
  for (int i = 0; i < NB; i++) bm[i] = G->bm[i];
  for (int i = 0; i < NC; i++) cm[i] = G->cm[i];
  for (int i = 0; i < NBASE; i++) bci[i] = G->bci[i], bbi[i] = G->bbi[i], bcb[i] = G->bcb[i];
  size_t j = 0;
  for (int s = 0; s < sc->nsites; s++)
    for (size_t a = 0; a < NA; a++) {
      size_t ct = tsim_cohort_cell(sc, s, (int)a), cl = (size_t)s * NA + a;
      size_t n = c->cell_n[ct], d = c->cell_drop[ct], v = c->cell_dev[ct], run[2] = {n - d - v, v};
      const double *c0 = cy + a * (size_t)NC, *c1 = c0 + NA * (size_t)NC;
      for (int cat = 0; cat < 2; j += run[cat], cat++) {
        size_t sl = 2 * cl + (size_t)cat, end = j + run[cat];
        n0[sl] = n1[sl] = (uint32_t)run[cat];
        for (int i = 0; i < NB; i++) {
          uint32_t x0 = 0, x1 = 0;
          for (size_t t = j; t < end; t++) {
            x0 += v0[t * nm + (size_t)bm[i]] != 0;
            x1 += v1[t * nm + (size_t)bm[i]] != 0;
          }
          r0[sl * (size_t)NB + (size_t)i] = x0;
          r1[sl * (size_t)NB + (size_t)i] = x1;
        }
        if (!NC) continue;
        double s0[TSIM_MAX_ANALYSES], s1[TSIM_MAX_ANALYSES], q0[TSIM_MAX_ANALYSES], q1[TSIM_MAX_ANALYSES];
        double e0[TSIM_MAX_ANALYSES][3], e1[TSIM_MAX_ANALYSES][3];
        for (int i = 0; i < NC; i++) s0[i] = s1[i] = q0[i] = q1[i] = 0;
        for (int i = 0; i < NBASE; i++)
          for (int u = 0; u < 3; u++) e0[i][u] = e1[i][u] = 0;
        for (size_t t = j; t < end; t++) {
          const double *x0 = v0 + t * nm, *x1 = v1 + t * nm;
          double y0[TSIM_MAX_ANALYSES], y1[TSIM_MAX_ANALYSES];
          for (int i = 0; i < NC; i++) {
            y0[i] = x0[cm[i]] - c0[i], y1[i] = x1[cm[i]] - c1[i];
            s0[i] += y0[i], s1[i] += y1[i];
            q0[i] += y0[i] * y0[i], q1[i] += y1[i] * y1[i];
          }
          for (int ib = 0; ib < NBASE; ib++) {
            double e = bv[t * nbs + (size_t)bbi[ib]] - bcb[ib];
            e0[ib][0] += e, e0[ib][1] += e * e, e0[ib][2] += y0[bci[ib]] * e;
            e1[ib][0] += e, e1[ib][1] += e * e, e1[ib][2] += y1[bci[ib]] * e;
          }
        }
        double *w0 = A0 + sl * W, *w1 = A1 + sl * W;
        for (int i = 0; i < NC; i++) w0[i] = s0[i], w1[i] = s1[i], w0[NC + i] = q0[i], w1[NC + i] = q1[i];
        for (int ib = 0; ib < NBASE; ib++)
          for (int u = 0; u < 3; u++) w0[2 * NC + 3 * ib + u] = e0[ib][u], w1[2 * NC + 3 * ib + u] = e1[ib][u];
      }
      n0[2 * cells + cl] = n1[2 * cells + cl] = (uint32_t)d; /* the dropouts: counted only */
      j += d;
    }
  group_totals(G, NA, cells, NB);
}

/* group_body in G's shape: two arms with up to two binary sets and three continuous ones (one
 * with a baseline) by constants, any other by G's numbers. */
static void pass_group(pt_group *G, uint32_t *slot, const tsim_cohort *c, const tsim_latent_plan *lp, size_t na,
                       size_t cells, int runs, long long from) {
#define PT_SHAPE(B, C, X)                                                                                       \
  case ((B) * 4 + (C)) * 2 + (X):                                                                               \
    if (runs) group_runs(G, c, lp, 2, cells, B, C, X);                                                          \
    else group_body(G, slot, c, lp, 2, cells, B, C, X, from);                                                   \
    return;
  int fixed = na == 2 && G->nb <= 2 && G->nc <= 3 && G->nbase <= 1;
  switch (fixed ? (G->nb * 4 + G->nc) * 2 + G->nbase : -1) {
    PT_SHAPE(0, 1, 0) PT_SHAPE(0, 2, 0) PT_SHAPE(0, 3, 0) PT_SHAPE(0, 1, 1) PT_SHAPE(0, 2, 1) PT_SHAPE(0, 3, 1)
    PT_SHAPE(1, 0, 0) PT_SHAPE(1, 1, 0) PT_SHAPE(1, 2, 0) PT_SHAPE(1, 3, 0)
    PT_SHAPE(1, 1, 1) PT_SHAPE(1, 2, 1) PT_SHAPE(1, 3, 1)
    PT_SHAPE(2, 0, 0) PT_SHAPE(2, 1, 0) PT_SHAPE(2, 2, 0) PT_SHAPE(2, 3, 0)
    PT_SHAPE(2, 1, 1) PT_SHAPE(2, 2, 1) PT_SHAPE(2, 3, 1)
    default:
      if (runs) group_runs(G, c, lp, na, cells, G->nb, G->nc, G->nbase);
      else group_body(G, slot, c, lp, na, cells, G->nb, G->nc, G->nbase, from);
  }
#undef PT_SHAPE
}

/* Rank-sum analysis k's values under both hypotheses (tsim_pt_ws.wy): each patient is written
 * at its arm's next place, and counted there when it is analysed (observed at the visit; per
 * protocol, without a major deviation) - eval_wilcoxon's values in its order. */
static void pass_gather(struct tsim_pt_ws *P, int k, const tsim_cohort *c, const tsim_latent_plan *lp, int ctl,
                        int pp) {
  size_t np = (size_t)c->plan->sc->sample_size, nm = (size_t)lp->nmeas;
  const uint8_t *g0 = c->pat.gone[0], *g1 = c->pat.gone[1], *dev = c->pat.dev, *arm = c->arm;
  const double *v0 = c->pat.val[0] + P->wmeas[k], *v1 = c->pat.val[1] + P->wmeas[k];
  double *y00 = P->wy[k], *y01 = y00 + np, *y10 = y01 + np, *y11 = y10 + np;
  long long k00 = 0, k01 = 0, k10 = 0, k11 = 0;
  int visit = P->wvisit[k];
  /* Without a branch on the arm, which a random allocation makes a coin toss: each value is
   * written at both arms' next places, and only its own arm's count moves (the other place is
   * written again by that arm's next value, or lies past its count). */
  for (long long j = 0; j < c->n; j++) {
    long long in = !(pp && dev[j]), keep0 = in & (g0[j] > visit), keep1 = in & (g1[j] > visit);
    long long o = arm[j] != ctl; /* 1: the other arm */
    double x0 = v0[(size_t)j * nm], x1 = v1[(size_t)j * nm];
    y00[k00] = x0, y01[k01] = x0;
    y10[k10] = x1, y11[k11] = x1;
    k00 += keep0 & (o ^ 1), k01 += keep0 & o;
    k10 += keep1 & (o ^ 1), k11 += keep1 & o;
  }
  P->wn[k][0][0] = k00, P->wn[k][0][1] = k01, P->wn[k][1][0] = k10, P->wn[k][1][1] = k11;
}

void tsim__ptanalysis_prepare(tsim_analysis_ws *w) {
  struct tsim_pt_ws *P = w->pt;
  const tsim_cohort *c = w->cohort;
  const tsim_latent_plan *lp = c->plan->lat;
  uint32_t na = (uint32_t)w->sc->narms;
  size_t cells = (size_t)w->sc->nsites * na;
  /* Rows written cell by cell (the cell sampler; cohort.h) are summed run by run where the runs
   * are long enough to pay for their loops' starts and mispredicted ends (PT_RUNS_MIN). */
  int runs = c->plan->cell_mode && (w->runs > 0 || (w->runs == 0 && (size_t)c->n >= PT_RUNS_MIN * cells));
  /* A longer view of the trial summed last (interim looks: each a prefix of the patients) adds
   * its new patients to the groups' sums, which then get the additions of a whole pass. */
  long long from = w->grow && !runs && P->gdone <= c->n ? P->gdone : 0;
  for (int g = 0; g < P->ngroups; g++) pass_group(&P->group[g], P->slot, c, lp, na, cells, runs, from);
  P->gdone = c->n;
  for (int k = 0; k < w->sc->nanalyses; k++)
    if (P->wy[k]) pass_gather(P, k, c, lp, w->sc->control, w->sc->analyses[k].population == TSIM_POP_PER_PROTOCOL);
  if (!P->ngeneral) return;
  for (long long j = 0; j < c->n; j++) P->cell[j] = (uint32_t)c->site[j] * na + c->arm[j];
  /* The other sets one by one, each hypothesis a loop over the patients. */
  for (int i = 0; i < P->nsets; i++) {
    const pt_set *S = &P->set[i];
    if (S->grp >= 0) continue;
    for (int h = 0; h < 2; h++) {
      pass x = {P->cell, c->arm, c->pat.gone[h], c->pat.dev, c->pat.sub, c->pat.val[h] + S->meas,
                S->base ? c->pat.base + S->bidx : NULL, (size_t)lp->nmeas, (size_t)lp->nbase, c->n};
      if (S->cont) memset(P->acc + S->off[h], 0, cells * (size_t)(S->ncat * S->stride) * sizeof *P->acc);
      else memset(P->cnt + S->off[h], 0, cells * PT_BIN * sizeof *P->cnt);
      pass_general(P, S, h, &x);
    }
  }
}

/* What one analysis under one hypothesis reads of the patients, worked out once. */
typedef struct selection {
  const uint8_t *gone, *dev, *sub;
  const double *val;     /* the end point's first measure of patient 0 */
  size_t stride;         /* measures per patient */
  int visit;             /* the analysis's scenario visit */
  int own;               /* ... and its index among the end point's visits */
  const int *visits;     /* the end point's visits */
  int pp, subgroup;      /* per-protocol; subgroup bit (-1: everyone) */
  tsim_missing missing;
} selection;

static selection select_for(const tsim_analysis_ws *w, const tsim_analysis *an, int h) {
  const tsim_cohort *c = w->cohort;
  const tsim_latent_plan *lp = c->plan->lat;
  const tsim_endpoint *ep = &w->sc->endpoints[an->endpoint];
  selection s = {c->pat.gone[h], c->pat.dev, c->pat.sub, c->pat.val[h] + lp->meas_start[an->endpoint],
                 (size_t)lp->nmeas, ep->visits[an->visit], an->visit, ep->visits,
                 an->population == TSIM_POP_PER_PROTOCOL, an->subgroup, an->missing};
  if (strategy_view(w->sc, an)) { /* the values after the analysis's strategies */
    tsim_estimand_view(c, h, an, w->pt->vval, w->pt->vgone);
    s.val = w->pt->vval, s.gone = w->pt->vgone, s.stride = (size_t)an->visit + 1;
  }
  return s;
}

/* The value patient j contributes: 1 and *v set, or 0 when the patient is not analysed. */
static inline int select_value(const selection *s, long long j, double *v) {
  if (s->subgroup >= 0 && !((s->sub[j] >> s->subgroup) & 1)) return 0;
  int gone = s->gone[j];
  const double *val = s->val + (size_t)j * s->stride;
  if (gone > s->visit) {
    if (s->pp && s->dev[j]) return 0;
    *v = val[s->own];
    return 1;
  }
  if (s->pp) return 0;
  switch (s->missing) {
    case TSIM_MISSING_NON_RESPONDER: *v = 0; return 1;
    case TSIM_MISSING_EXCLUDE:
    case TSIM_MISSING_MI: return 0; /* multiple imputation does not read single values (eval_mi) */
    case TSIM_MISSING_LOCF:
      for (int u = s->own - 1; u >= 0; u--)
        if (s->visits[u] < gone) { *v = val[u]; return 1; }
      return 0;
  }
  return 0;
}

/* Counts the flagged sites an analysis removed (those exclude_sites does not list already) in
 * every comparison's sites_dropped. */
static void add_flagged(const tsim_analysis_ws *w, int k, int h, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  int more = 0;
  for (int s = 0; s < sc->nsites; s++) more += w->flagged[h][k][s] && !(an->exclude && an->exclude[s]);
  for (int j = 0; j < tsim_scenario_ncomparisons(sc); j++) out[j].sites_dropped += more;
}

/* The level of a superiority analysis's interval of the difference, with intercurrent events
 * (the estimand's coverage): the two-sided interval matching its test, 1 - alpha (one-sided
 * analyses: 1 - 2 alpha, whose bound on the favourable side is the test's). */
static double interval_conf(const tsim_analysis *an) { return an->sided == 1 ? 1 - 2 * an->alpha : 1 - an->alpha; }

/* With intercurrent events, a superiority analysis's interval of the risk difference
 * (Newcombe's hybrid score interval at interval_conf), whose coverage of the estimand's true
 * value the run reports. */
static void binary_interval(const tsim_analysis_ws *w, int k, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  if (sc->nevents == 0 || an->hypothesis != TSIM_HYPO_SUPERIORITY) return;
  for (int j = 0; j < tsim_scenario_ncomparisons(sc); j++) {
    tsim_outcome *o = &out[j];
    tsim_ni_ci(TSIM_NI_NEWCOMBE, TSIM_NI_RD, o->x0, o->n0, o->x1, o->n1, interval_conf(an), NULL, &o->lo, &o->hi);
  }
}

static void eval_binary(tsim_analysis_ws *w, int k, int h, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  const tsim_cohort *c = w->cohort;
  size_t na = (size_t)sc->narms, cells = (size_t)sc->nsites * na;
  memset(w->pt->px, 0, cells * sizeof *w->pt->px);
  memset(w->pt->pn, 0, cells * sizeof *w->pt->pn);
  memset(w->pt->ptx, 0, na * sizeof *w->pt->ptx);
  memset(w->pt->ptn, 0, na * sizeof *w->pt->ptn);
  selection sel = select_for(w, an, h);
  const unsigned char *flagged = w->flagged[h][k];
  for (long long j = 0; j < c->n; j++) {
    double v;
    if ((flagged && flagged[c->site[j]]) || !select_value(&sel, j, &v)) continue;
    size_t cell = (size_t)c->site[j] * na + c->arm[j];
    long long r = v != 0;
    w->pt->px[cell] += r;
    w->pt->pn[cell]++;
    w->pt->ptx[c->arm[j]] += r;
    w->pt->ptn[c->arm[j]]++;
  }
  tsim__analysis_binary(w, k, w->pt->px, w->pt->pn, w->pt->ptx, w->pt->ptn, out);
  binary_interval(w, k, out);
  if (flagged) add_flagged(w, k, h, out);
}

/* A continuous comparison's outcome: its arms' sizes, p and statistic (kept when wanted), the
 * decision (decided >= 0: from cached quantiles; else from p) and the direction it favours. */
static void fill_outcome(tsim_outcome *o, const tsim_scenario *sc, const tsim_analysis *an, long long n0,
                         long long n1, int wanted, double p, double stat, double diff, int decided) {
  o->x0 = o->x1 = 0;
  o->n0 = n0;
  o->n1 = n1;
  o->p = wanted ? p : NAN;
  o->stat = wanted ? stat : NAN;
  o->reject = decided >= 0 ? decided : tsim_reject(p, an->alpha);
  o->defined = n0 > 0 && n1 > 0 && !isnan(diff);
  o->diff = o->defined ? diff : NAN;
  int higher_better = sc->endpoints[an->endpoint].higher_is_better;
  o->favouring = o->reject && (higher_better ? o->diff > 0 : o->diff < 0);
}

static void test_arms(tsim_analysis_ws *w, int k, const double *y0, const double *b0, long long n0,
                      const double *y1, const double *b1, long long n1, tsim_outcome *o);

/* One comparison of a continuous analysis on the kept patients (w->pt->vals, w->pt->grp). */
static void compare_continuous(tsim_analysis_ws *w, int k, long long m, int arm, tsim_outcome *o) {
  const tsim_scenario *sc = w->sc;
  long long n0 = 0, n1 = 0;
  /* Control first, then the experimental arm, keeping each arm's order. */
  for (long long i = 0; i < m; i++)
    if (w->pt->grp[i] == sc->control) {
      w->pt->y2[n0] = w->pt->vals[i];
      w->pt->b2[n0++] = w->pt->bases[i];
    }
  for (long long i = 0; i < m; i++)
    if (w->pt->grp[i] == arm) {
      w->pt->y2[n0 + n1] = w->pt->vals[i];
      w->pt->b2[n0 + n1++] = w->pt->bases[i];
    }
  test_arms(w, k, w->pt->y2, w->pt->b2, n0, w->pt->y2 + n0, w->pt->b2 + n0, n1, o);
}

/* The test of continuous analysis k on the control's values y0 (baselines b0) and the
 * experimental arm's y1 (b1), each in the patients' order. */
/* A continuous comparison against analysis k's margin (stats/contest.h): the one-sided p-value
 * of Welch's or Student's t of the difference less the margin (tsim_t_margin_p), of the ratio
 * of means (tsim_t_ratio_p, Fieller's interval), or of ANCOVA's adjusted difference less the
 * margin (tsim_t_shifted_p), at each margin of the hypothesis (equivalence: the larger p),
 * decided at the analysis's level; the interval (two-sided 1 - 2 level) for coverage. */
static void margin_continuous(tsim_analysis_ws *w, int k, const double *y0, const double *b0, long long n0,
                              const double *y1, const double *b1, long long n1, tsim_outcome *o) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  int hb = sc->endpoints[an->endpoint].higher_is_better, eq = an->hypothesis == TSIM_HYPO_EQUIVALENCE;
  int nside = eq ? 2 : 1, wanted = w->want_p || w->need_p[k];
  double m0, s0, m1, s1, diff, lo = NAN, hi = NAN, conf = 1 - 2 * an->level;
  double ps[2] = {NAN, NAN}, ts[2] = {NAN, NAN};
  tsim_mean_sd(y0, n0, &m0, &s0);
  tsim_mean_sd(y1, n1, &m1, &s1);
  diff = m1 - m0;
  if (an->test == TSIM_TEST_ANCOVA) {
    tsim_ancova_fit r;
    tsim_ancova_arm a0 = {y0, b0, (size_t)n0};
    tsim_ancova_arm a1 = {y1, b1, (size_t)n1};
    tsim_ancova(w->pt->ancova, a0, a1, conf, &r);
    diff = r.diff, lo = r.lo, hi = r.hi;
    for (int i = 0; i < nside; i++) {
      ps[i] = tsim_t_shifted_p(r.diff, r.se, r.df, an->margin[i], eq ? i == 0 : hb);
      ts[i] = (r.diff - an->margin[i]) / r.se;
    }
  } else {
    int welch = an->test == TSIM_TEST_WELCH_T, ratio = an->measure == TSIM_MEAS_MEAN_RATIO;
    tsim_arm_summary c = {m0, s0, n0}, e = {m1, s1, n1};
    for (int i = 0; i < nside; i++) {
      tsim_t_fit f;
      ps[i] = ratio ? tsim_t_ratio_p(welch, c, e, an->margin[i], eq ? i == 0 : hb, conf, &f)
                    : tsim_t_margin_p(welch, c, e, an->margin[i], eq ? i == 0 : hb, conf, &f);
      ts[i] = f.stat;
      if (i == 0) lo = f.lo, hi = f.hi;
    }
  }
  double p = ps[0], stat = ts[0];
  if (eq) {
    p = tsim_ni_tost_p(ps[0], ps[1]);
    stat = ts[tsim_ni_tost_side(ps[0], ps[1])];
  }
  o->x0 = o->x1 = 0;
  o->n0 = n0;
  o->n1 = n1;
  o->defined = n0 > 0 && n1 > 0 && !isnan(diff);
  o->diff = o->defined ? diff : NAN;
  tsim__margin_decide(an, hb, p, NAN, NAN, o); /* NaN p: no rejection (tsim_reject) */
  o->lo = lo, o->hi = hi;
  o->p = wanted ? p : NAN;
  o->stat = wanted ? stat : NAN;
}

static void test_arms(tsim_analysis_ws *w, int k, const double *y0, const double *b0, long long n0,
                      const double *y1, const double *b1, long long n1, tsim_outcome *o) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  if (an->hypothesis != TSIM_HYPO_SUPERIORITY) {
    margin_continuous(w, k, y0, b0, n0, y1, b1, n1, o);
    return;
  }
  double m0, s0, m1, s1, p = NAN, stat = NAN, diff;
  if (an->test == TSIM_TEST_WILCOXON) { /* the means' difference only: the same bits */
    m0 = tsim_mean(y0, n0);
    m1 = tsim_mean(y1, n1);
  } else {
    tsim_mean_sd(y0, n0, &m0, &s0);
    tsim_mean_sd(y1, n1, &m1, &s1);
  }
  diff = m1 - m0;
  int wanted = w->want_p || w->need_p[k], decided = -1, interval = sc->nevents > 0;
  double lo = NAN, hi = NAN;
  if (interval && (an->test == TSIM_TEST_WELCH_T || an->test == TSIM_TEST_STUDENT_T))
    tsim_t_interval(an->test == TSIM_TEST_STUDENT_T, (tsim_arm_summary){m0, s0, n0}, (tsim_arm_summary){m1, s1, n1},
                    interval_conf(an), &lo, &hi);
  switch (an->test) {
    case TSIM_TEST_WELCH_T:
    case TSIM_TEST_STUDENT_T: {
      double nu;
      int pooled = an->test == TSIM_TEST_STUDENT_T;
      if (!tsim_t_stat_inline(pooled, m0, s0, n0, m1, s1, n1, &stat, &nu)) break;
      /* Two-sided and only the decision wanted: cached quantiles (decide.h). */
      if (an->sided == 2 && !wanted) decided = tsim_decide_t_inline(&w->dec, sc, k, stat, nu);
      else p = tsim_t_two_sided_p(stat, nu);
      break;
    }
    case TSIM_TEST_WILCOXON:
      if (an->sided == 2 && !wanted) { /* only the decision: from z (decide.h) */
        double z;
        decided = tsim_wilcoxon_z(w->pt->rank[k], y0, (size_t)n0, y1, (size_t)n1, 1, &stat, &z) &&
                  tsim_decide_z(&w->dec, sc, k, z);
      } else {
        p = tsim_wilcoxon(w->pt->rank[k], y0, (size_t)n0, y1, (size_t)n1, 1, &stat, NULL);
      }
      break;
    case TSIM_TEST_ANCOVA: {
      tsim_ancova_fit r;
      tsim_ancova_arm a0 = {y0, b0, (size_t)n0};
      tsim_ancova_arm a1 = {y1, b1, (size_t)n1};
      p = tsim_ancova(w->pt->ancova, a0, a1, interval ? interval_conf(an) : 0.95, &r);
      stat = r.t;
      diff = r.diff; /* the adjusted difference; NaN (trial undefined) when the fit is */
      lo = r.lo, hi = r.hi;
      break;
    }
    default: break;
  }
  if (an->sided == 1) {
    /* Every continuous test is symmetric under the null; its direction is the (adjusted)
     * difference, or W - n0 n1 / 2 for the rank-sum test. */
    double dir = an->test == TSIM_TEST_WILCOXON ? stat - (double)n0 * (double)n1 / 2 : diff;
    p = tsim__one_sided(p, dir, sc->endpoints[an->endpoint].higher_is_better);
  }
  fill_outcome(o, sc, an, n0, n1, wanted, p, stat, diff, decided);
  o->lo = interval ? lo : NAN, o->hi = interval ? hi : NAN;
}

/* The patients continuous analysis k reads under hypothesis h for a model of its end point's
 * visits up to the analysis's (multiple imputation, MMRM): their values after its strategies, NaN
 * from the first missed visit on, in P->miy (n x (visit + 1)), baselines in P->mibase (0 without
 * one), arms in P->miarm; the analysis's site exclusions, flagged sites, subgroup and (per
 * protocol) deviations applied. Returns n. */
static size_t visits_data(tsim_analysis_ws *w, int k, int h) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  const tsim_cohort *c = w->cohort;
  const tsim_latent_plan *lp = c->plan->lat;
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  struct tsim_pt_ws *P = w->pt;
  int nu = an->visit + 1, b = lp->base_of[an->endpoint], pp = an->population == TSIM_POP_PER_PROTOCOL;
  const double *val = c->pat.val[h] + lp->meas_start[an->endpoint];
  const uint8_t *gone = c->pat.gone[h];
  size_t stride = (size_t)lp->nmeas;
  if (strategy_view(sc, an)) { /* the values after its strategies (treatment policy: as observed) */
    tsim_estimand_view(c, h, an, P->vval, P->vgone);
    val = P->vval, gone = P->vgone, stride = (size_t)nu;
  }
  const unsigned char *flagged = w->flagged[h][k];
  size_t n = 0;
  for (long long j = 0; j < c->n; j++) {
    if ((an->exclude && an->exclude[c->site[j]]) || (flagged && flagged[c->site[j]]) ||
        (an->subgroup >= 0 && !((c->pat.sub[j] >> an->subgroup) & 1)) || (pp && c->pat.dev[j]))
      continue;
    for (int u = 0; u < nu; u++) P->miy[n * (size_t)nu + (size_t)u] = ep->visits[u] < gone[j] ? val[(size_t)j * stride + (size_t)u] : NAN;
    P->mibase[n] = b >= 0 ? c->pat.base[(size_t)j * (size_t)lp->nbase + (size_t)b] : 0;
    P->miarm[n++] = c->arm[j];
  }
  return n;
}

/* Continuous analysis k under hypothesis h by the mixed model for repeated measures
 * (stats/mmrm.h): every value observed at the end point's visits up to the analysis's, visit
 * means and the treatment effect per visit (and the baseline per visit when the end point has
 * one), unstructured covariance by REML; the effect at the analysis's visit with Satterthwaite's
 * df, its interval at the analysis's level. Per comparison, the two arms' patients with at least
 * one value. */
static void eval_mmrm(tsim_analysis_ws *w, int k, int h, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  struct tsim_pt_ws *P = w->pt;
  int nu = an->visit + 1, ncmp = tsim_scenario_ncomparisons(sc), dropped = 0;
  int hb = sc->endpoints[an->endpoint].higher_is_better, wanted = w->want_p || w->need_p[k];
  int base = w->cohort->plan->lat->base_of[an->endpoint] >= 0;
  for (int s = 0; an->exclude && s < sc->nsites; s++) dropped += an->exclude[s];
  size_t n = visits_data(w, k, h);
  for (int j = 0; j < ncmp; j++) {
    int arm = tsim_scenario_comparison_arm(sc, j);
    /* The control's rows, then the arm's, into miimp (and their baselines into y2). */
    size_t n0 = 0, n1 = 0;
    long long c0 = 0, c1 = 0;
    for (int second = 0; second < 2; second++)
      for (size_t i = 0; i < n; i++) {
        if (P->miarm[i] != (second ? arm : sc->control)) continue;
        size_t r = n0 + n1;
        int any = 0;
        for (int u = 0; u < nu; u++) {
          double y = P->miy[i * (size_t)nu + (size_t)u];
          P->miimp[r * (size_t)nu + (size_t)u] = y;
          any |= !isnan(y);
        }
        w->pt->y2[r] = P->mibase[i];
        if (second) n1++, c1 += any;
        else n0++, c0 += any;
      }
    tsim_mmrm_arm a0 = {P->miimp, base ? w->pt->y2 : NULL, n0, (size_t)nu, 1};
    tsim_mmrm_arm a1 = {P->miimp + n0 * (size_t)nu, base ? w->pt->y2 + n0 : NULL, n1, (size_t)nu, 1};
    tsim_mmrm_fit f;
    tsim_mmrm(P->mmrm, a0, a1, nu, an->visit, interval_conf(an), &f);
    double p = f.status == TSIM_MMRM_OK ? f.p : NAN;
    if (an->sided == 1) p = tsim__one_sided(p, f.diff, hb);
    tsim_outcome *o = &out[j];
    fill_outcome(o, sc, an, c0, c1, wanted, p, f.t, f.status == TSIM_MMRM_OK ? f.diff : NAN, -1);
    o->lo = f.lo, o->hi = f.hi;
    o->sites_dropped = dropped;
  }
  if (w->flagged[h][k]) add_flagged(w, k, h, out);
}

/* The estimate and its variance of one comparison of continuous analysis k on completed
 * data (control y0/b0, experimental y1/b1), and the complete-data df: the difference of means
 * with Welch's (s0^2/n0 + s1^2/n1) or the pooled variance, df n - 2; or ANCOVA's adjusted
 * difference, df n - 3. 0 when undefined. */
static int mi_estimate(tsim_analysis_ws *w, const tsim_analysis *an, const double *y0, const double *b0, long long n0,
                       const double *y1, const double *b1, long long n1, double *q, double *u, double *dfcom) {
  if (n0 < 2 || n1 < 2) return 0;
  if (an->test == TSIM_TEST_ANCOVA) {
    /* The closed form from each arm's sums about its own means (ancova.h: within about 1e-12 of
     * the least-squares fit), the QR where it declines - one fit per imputation. */
    tsim_ancova_sums s[2];
    const double *ys[2] = {y0, y1}, *bs[2] = {b0, b1};
    long long ns[2] = {n0, n1};
    for (int a = 0; a < 2; a++) {
      double my = 0, mb = 0, sy = 0, syy = 0, sb = 0, sbb = 0, syb = 0;
      for (long long i = 0; i < ns[a]; i++) my += ys[a][i], mb += bs[a][i];
      my /= (double)ns[a], mb /= (double)ns[a];
      for (long long i = 0; i < ns[a]; i++) {
        double dy = ys[a][i] - my, db = bs[a][i] - mb;
        sy += dy, syy += dy * dy, sb += db, sbb += db * db, syb += dy * db;
      }
      s[a] = (tsim_ancova_sums){(double)ns[a], my, mb, sy, syy, sb, sbb, syb};
    }
    double se;
    if (tsim_ancova_sums_se(&s[0], &s[1], q, &se) < 0) {
      tsim_ancova_fit r;
      tsim_ancova_arm a0 = {y0, b0, (size_t)n0}, a1 = {y1, b1, (size_t)n1};
      tsim_ancova(w->pt->ancova, a0, a1, 0.95, &r);
      *q = r.diff, se = r.se;
    }
    *u = se * se, *dfcom = (double)(n0 + n1 - 3);
  } else {
    double m0, s0, m1, s1;
    tsim_mean_sd(y0, n0, &m0, &s0);
    tsim_mean_sd(y1, n1, &m1, &s1);
    *q = m1 - m0;
    if (an->test == TSIM_TEST_STUDENT_T) {
      double sp = ((double)(n0 - 1) * s0 * s0 + (double)(n1 - 1) * s1 * s1) / (double)(n0 + n1 - 2);
      *u = sp * (1.0 / (double)n0 + 1.0 / (double)n1);
    } else {
      *u = s0 * s0 / (double)n0 + s1 * s1 / (double)n1;
    }
    *dfcom = (double)(n0 + n1 - 2);
  }
  return isfinite(*q) && isfinite(*u) && *u > 0;
}

/* Continuous analysis k under hypothesis h by multiple imputation: its patients' values at the
 * end point's visits up to the analysis's (after its strategies; NaN from the first missed
 * visit on), imputed M times - under MAR by arm (mice's norm) or by reference (Carpenter, Roger
 * & Kenward), with the baseline as covariate when the end point has one (stats/impute.h) -
 * delta added to the experimental arms' imputed values at the analysis's visit, each completed
 * data set analysed (mi_estimate) and the M results pooled by Rubin's rules. The generator:
 * TSIM_STREAM_IMPUTE (core/rng.h). A trial whose imputation model cannot be fitted (too few
 * observed values in an arm, a singular fit) has no result (undefined). */
static void eval_mi(tsim_analysis_ws *w, int k, int h, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  const tsim_cohort *c = w->cohort;
  const tsim_latent_plan *lp = c->plan->lat;
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  struct tsim_pt_ws *P = w->pt;
  int nu = an->visit + 1, V = an->visit, b = lp->base_of[an->endpoint], ncmp = tsim_scenario_ncomparisons(sc);
  int dropped = 0, M = an->imp_m, hb = ep->higher_is_better, wanted = w->want_p || w->need_p[k];
  for (int s = 0; an->exclude && s < sc->nsites; s++) dropped += an->exclude[s];
  const unsigned char *flagged = w->flagged[h][k];
  size_t n = visits_data(w, k, h);
  tsim_mi_data d = {P->miy, b >= 0 ? P->mibase : NULL, P->miarm, n};
  /* The analysis's own stream: keyed by its id (FNV-1a), so adding, removing or reordering
   * analyses changes no other analysis's imputations. */
  uint64_t key = tsim__rng_stream_key(c->seed, (uint64_t)c->trial, TSIM_STREAM_IMPUTE), idh = 0xcbf29ce484222325ULL;
  for (const char *q = an->id; *q; q++) idh = (idh ^ (unsigned char)*q) * 0x100000001b3ULL;
  uint64_t sub = tsim_rng_mix64(key ^ tsim_rng_draw(idh, (uint64_t)h)), st4[4];
  for (int i = 0; i < 4; i++) st4[i] = tsim_rng_draw(sub, (uint64_t)i);
  if (!(st4[0] | st4[1] | st4[2] | st4[3])) st4[0] = 1;
  tsim_rng_set_state(P->mirng, st4);
  tsim_mi_src src = tsim_mi_src_rng(P->mirng);
  int mar = an->imp_method == TSIM_IMP_MAR;
  tsim_mi_ws *mw = P->mi[nu];
  int ok = (mar ? tsim_mi_norm_fit(mw, &d) : tsim_mi_rb_fit(mw, &d, 0)) == TSIM_MI_OK;
  double dfcom[TSIM_MAX_ARMS];
  long long cnt[TSIM_MAX_ARMS] = {0};
  for (size_t i = 0; i < n; i++) cnt[P->miarm[i]]++;
  for (int m = 0; ok && m < M; m++) {
    if (mar) ok = tsim_mi_norm_impute(mw, &src, P->miimp) == TSIM_MI_OK;
    else
      ok = tsim_mi_rb_draw(mw, &src) == TSIM_MI_OK &&
           tsim_mi_rb_impute(mw, &src, (tsim_mi_method)an->imp_method, an->imp_ref, P->miimp) == TSIM_MI_OK;
    if (!ok) break;
    if (an->imp_delta != 0) /* the tipping point's shift of the experimental arms' imputed values */
      for (size_t i = 0; i < n; i++)
        if (P->miarm[i] != sc->control && isnan(P->miy[i * (size_t)nu + (size_t)V])) P->miimp[i * (size_t)nu + (size_t)V] += an->imp_delta;
    for (int j = 0; j < ncmp && ok; j++) {
      int arm = tsim_scenario_comparison_arm(sc, j);
      long long n0 = 0, n1 = 0;
      for (size_t i = 0; i < n; i++)
        if (P->miarm[i] == sc->control) {
          w->pt->y2[n0] = P->miimp[i * (size_t)nu + (size_t)V];
          w->pt->b2[n0++] = P->mibase[i];
        }
      for (size_t i = 0; i < n; i++)
        if (P->miarm[i] == arm) {
          w->pt->y2[n0 + n1] = P->miimp[i * (size_t)nu + (size_t)V];
          w->pt->b2[n0 + n1++] = P->mibase[i];
        }
      ok = mi_estimate(w, an, w->pt->y2, w->pt->b2, n0, w->pt->y2 + n0, w->pt->b2 + n0, n1,
                       &P->miq[(size_t)j * (size_t)M + (size_t)m], &P->miu[(size_t)j * (size_t)M + (size_t)m], &dfcom[j]);
    }
  }
  for (int j = 0; j < ncmp; j++) {
    tsim_outcome *o = &out[j];
    int arm = tsim_scenario_comparison_arm(sc, j);
    tsim_mi_pooled pl;
    double p = NAN, diff = NAN, lo = NAN, hi = NAN, stat = NAN;
    if (ok && tsim_mi_pool(P->miq + (size_t)j * (size_t)M, P->miu + (size_t)j * (size_t)M, M, dfcom[j], interval_conf(an), &pl) == TSIM_MI_OK) {
      p = pl.p, diff = pl.qbar, lo = pl.lo, hi = pl.hi, stat = pl.stat;
      if (an->sided == 1) p = tsim__one_sided(p, diff, hb);
    }
    fill_outcome(o, sc, an, ok ? cnt[sc->control] : 0, ok ? cnt[arm] : 0, wanted, p, stat, diff, -1);
    o->lo = lo, o->hi = hi;
    o->sites_dropped = dropped;
  }
  if (flagged) add_flagged(w, k, h, out);
}

static void eval_continuous(tsim_analysis_ws *w, int k, int h, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  const tsim_cohort *c = w->cohort;
  const tsim_latent_plan *lp = c->plan->lat;
  int b = lp->base_of[an->endpoint], dropped = 0;
  for (int s = 0; an->exclude && s < sc->nsites; s++) dropped += an->exclude[s];
  long long m = 0;
  selection sel = select_for(w, an, h);
  const unsigned char *flagged = w->flagged[h][k];
  for (long long j = 0; j < c->n; j++) {
    double v;
    if ((an->exclude && an->exclude[c->site[j]]) || (flagged && flagged[c->site[j]]) || !select_value(&sel, j, &v))
      continue;
    w->pt->vals[m] = v;
    w->pt->bases[m] = b >= 0 ? c->pat.base[(size_t)j * (size_t)lp->nbase + (size_t)b] : 0;
    w->pt->grp[m++] = c->arm[j];
  }
  for (int j = 0; j < tsim_scenario_ncomparisons(sc); j++) {
    compare_continuous(w, k, m, tsim_comparison_arm(sc, j), &out[j]);
    out[j].sites_dropped = dropped;
  }
  if (flagged) add_flagged(w, k, h, out);
}

/* The rank-sum test of a two-arm design, analysis k under hypothesis h: the kept values
 * gathered straight into the two arms (control into y2, the other arm into b2, each in the
 * patients' order, as eval_continuous orders them), then the same test. */
static void eval_wilcoxon(tsim_analysis_ws *w, int k, int h, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  const tsim_cohort *c = w->cohort;
  int ctl = sc->control, dropped = 0;
  struct tsim_pt_ws *P = w->pt;
  if (P->wy[k]) { /* gathered by its visit's pass */
    size_t np = (size_t)sc->sample_size;
    const double *y = P->wy[k] + 2 * np * (size_t)h;
    test_arms(w, k, y, NULL, P->wn[k][h][0], y + np, NULL, P->wn[k][h][1], out);
    out->sites_dropped = 0;
    return;
  }
  for (int s = 0; an->exclude && s < sc->nsites; s++) dropped += an->exclude[s];
  double *y0 = w->pt->y2, *y1 = w->pt->b2;
  long long n0 = 0, n1 = 0;
  selection sel = select_for(w, an, h);
  const unsigned char *flagged = w->flagged[h][k];
  for (long long j = 0; j < c->n; j++) {
    double v;
    if ((an->exclude && an->exclude[c->site[j]]) || (flagged && flagged[c->site[j]]) || !select_value(&sel, j, &v))
      continue;
    if (c->arm[j] == ctl) y0[n0++] = v;
    else y1[n1++] = v;
  }
  test_arms(w, k, y0, NULL, n0, y1, NULL, n1, out);
  out->sites_dropped = dropped;
  if (flagged) add_flagged(w, k, h, out);
}

/* The responders *x and patients *n of population `kind` (TSIM_POPK_*) in cell cl of binary
 * set S's group G under hypothesis h. */
static inline void group_cell(const pt_group *G, const pt_set *S, int h, int kind, size_t cells, size_t cl,
                              long long *x, long long *n) {
  const uint32_t *gn = G->n[h], *r = G->r[h] + S->gi;
  size_t nb = (size_t)G->nb;
  *n = gn[2 * cl];
  *x = r[2 * cl * nb];
  if (kind == TSIM_POPK_PP) return;
  *n += gn[2 * cl + 1] + (kind == TSIM_POPK_NRI ? gn[2 * cells + cl] : 0);
  *x += r[(2 * cl + 1) * nb];
}

/* Binary analysis k under hypothesis h from its set's group (pt_group), as eval_binary counts
 * it patient by patient: an unstratified test takes each arm's totals less the cells of the
 * sites removed (the listed ones, then those the rule picks), as tsim__analysis_binary forms
 * them; a stratified one is given the counts of every cell. */
static void eval_binary_group(tsim_analysis_ws *w, int k, int h, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  struct tsim_pt_ws *P = w->pt;
  const pt_set *S = &P->set[P->set_of[k]];
  const pt_group *G = &P->group[S->grp];
  size_t na = (size_t)sc->narms, ns = (size_t)sc->nsites, cells = ns * na, nb = (size_t)G->nb;
  int kind = w->kind[k];
  long long ax[TSIM_MAX_ARMS], an_[TSIM_MAX_ARMS], x, n;
  for (size_t a = 0; a < na; a++) {
    const long long *tn = G->tn[h] + 3 * a, *tr = G->tr[h] + (a * nb + (size_t)S->gi) * 2;
    an_[a] = tn[0];
    ax[a] = tr[0];
    if (kind != TSIM_POPK_PP) {
      an_[a] += tn[1] + (kind == TSIM_POPK_NRI ? tn[2] : 0);
      ax[a] += tr[1];
    }
  }
  if (tsim__stratified(an)) {
    for (size_t cl = 0; cl < cells; cl++) group_cell(G, S, h, kind, cells, cl, &P->px[cl], &P->pn[cl]);
    tsim__analysis_binary(w, k, P->px, P->pn, ax, an_, out);
    binary_interval(w, k, out);
    return;
  }
  const tsim_site_rule *r = &w->rule[k];
  for (int i = 0; i < r->nlisted; i++)
    for (size_t a = 0; a < na; a++) {
      group_cell(G, S, h, kind, cells, (size_t)r->listed[i] * na + a, &x, &n);
      ax[a] -= x;
      an_[a] -= n;
    }
  int dropped = r->nlisted;
  for (int i = 0; i < r->ncand; i++) {
    size_t s = (size_t)r->cand[i];
    group_cell(G, S, h, kind, cells, s * na + (size_t)r->arm, &x, &n);
    if (!tsim_site_rule_drops(r, x, n)) continue;
    dropped++;
    for (size_t a = 0; a < na; a++) {
      group_cell(G, S, h, kind, cells, s * na + a, &x, &n);
      ax[a] -= x;
      an_[a] -= n;
    }
  }
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  int c = sc->control;
  for (int j = 0; j < tsim_scenario_ncomparisons(sc); j++) {
    tsim_outcome *o = &out[j];
    int arm = tsim_comparison_arm(sc, j);
    tsim__set_counts(sc, ep, o, sc->single_arm ? 0 : ax[c], sc->single_arm ? 0 : an_[c], ax[arm], an_[arm], dropped);
    tsim__test_table(w, k, j, o);
  }
  binary_interval(w, k, out);
}

/* Binary analysis k under hypothesis h from its set's cells: its population's responders and
 * patients per (site, arm), as eval_binary counts them patient by patient. */
static void eval_binary_cells(tsim_analysis_ws *w, int k, int h, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  struct tsim_pt_ws *P = w->pt;
  const pt_set *S = &P->set[P->set_of[k]];
  if (S->grp >= 0) {
    eval_binary_group(w, k, h, out);
    return;
  }
  size_t na = (size_t)sc->narms, cells = (size_t)sc->nsites * na;
  /* Which categories the population adds: per protocol PP; complete cases PP and DEV;
   * non-responder imputation every patient, responders among PP and DEV; LOCF PP, DEV, LOCF. */
  int pp = an->population == TSIM_POP_PER_PROTOCOL;
  int nri = !pp && an->missing == TSIM_MISSING_NON_RESPONDER, locf = !pp && an->missing == TSIM_MISSING_LOCF;
  const uint32_t *q = P->cnt + S->off[h];
  for (size_t a = 0; a < na; a++) P->ptx[a] = P->ptn[a] = 0;
  for (size_t cell = 0, a = 0; cell < cells; cell++, q += PT_BIN) {
    long long n = q[CAT_PP], x = q[4 + CAT_PP];
    if (!pp) {
      n += q[CAT_DEV] + (nri ? q[CAT_MISS] : locf ? q[CAT_LOCF] : 0);
      x += q[4 + CAT_DEV] + (locf ? q[4 + CAT_LOCF] : 0);
    }
    P->px[cell] = x;
    P->pn[cell] = n;
    P->ptx[a] += x;
    P->ptn[a] += n;
    a = a + 1 == na ? 0 : a + 1; /* cell % na, without a division per cell */
  }
  tsim__analysis_binary(w, k, P->px, P->pn, P->ptx, P->ptn, out);
  binary_interval(w, k, out);
}

/* One comparison of continuous analysis k from its arms' sums s0 (control) and s1 (count, sums
 * of y - c and squares, then of the baseline; ancova.h): what compare_continuous gives from
 * the patients' values, but for rounding. 0, or -1 when the closed-form ANCOVA cannot be
 * accurate (a baseline explaining nearly all of y's variance; ancova.h): the caller then
 * reads the patients. */
static int compare_sums(tsim_analysis_ws *w, int k, const double *s0, const double *s1, double c0, double c1,
                         double cb, tsim_outcome *o) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  long long n0 = (long long)s0[0], n1 = (long long)s1[0];
  double p = NAN, stat = NAN, diff = NAN, lo = NAN, hi = NAN;
  if (n0 > 0 && n1 > 0) diff = (c1 - c0) + (s1[1] / s1[0] - s0[1] / s0[0]);
  int wanted = w->want_p || w->need_p[k], decided = -1;
  switch (an->test) {
    case TSIM_TEST_WELCH_T:
    case TSIM_TEST_STUDENT_T: {
      /* Each arm's mean and SD from its sums about c (exact enough while the cell means stay
       * near c: sums_safe). */
      tsim_arm_summary a[2] = {tsim_arm_from_sums(s0[0], s0[1], s0[2], c0), tsim_arm_from_sums(s1[0], s1[1], s1[2], c1)};
      if (sc->nevents > 0) /* the estimand's interval, as test_arms makes it */
        tsim_t_interval(an->test == TSIM_TEST_STUDENT_T, a[0], a[1], interval_conf(an), &lo, &hi);
      double nu;
      if (!tsim_t_stat_inline(an->test == TSIM_TEST_STUDENT_T, a[0].mean, a[0].sd, a[0].n, a[1].mean, a[1].sd,
                              a[1].n, &stat, &nu))
        break;
      /* Two-sided and only the decision wanted: cached quantiles (decide.h). */
      if (an->sided == 2 && !wanted) decided = tsim_decide_t_inline(&w->dec, sc, k, stat, nu);
      else p = tsim_t_two_sided_p(stat, nu);
      break;
    }
    case TSIM_TEST_ANCOVA: {
      tsim_ancova_sums a0 = {s0[0], c0, cb, s0[1], s0[2], s0[3], s0[4], s0[5]};
      tsim_ancova_sums a1 = {s1[0], c1, cb, s1[1], s1[2], s1[3], s1[4], s1[5]};
      double nu;
      /* diff: the adjusted difference; NaN (trial undefined) when the fit is. */
      if (tsim_ancova_sums_t(&a0, &a1, &stat, &nu, &diff) < 0) return -1;
      /* Two-sided and only the decision wanted: cached quantiles, as for the t tests. */
      if (an->sided == 2 && !wanted) decided = tsim_decide_t_inline(&w->dec, sc, k, stat, nu);
      else if (!isnan(stat)) p = tsim_t_two_sided_p(stat, nu);
      break;
    }
    default: break;
  }
  if (an->sided == 1) p = tsim__one_sided(p, diff, sc->endpoints[an->endpoint].higher_is_better);
  fill_outcome(o, sc, an, n0, n1, wanted, p, stat, diff, decided);
  o->lo = lo, o->hi = hi;
  return 0;
}

/* Adds the first ncats categories of every (site, arm) cell of the sites an keeps into
 * sum[arm] (st doubles each: a constant in each caller); *dropped gets the sites removed. */
static inline __attribute__((always_inline)) void add_cells(const tsim_scenario *sc, const tsim_analysis *an,
                                                           const double *q, size_t na, size_t nc, size_t ncats,
                                                           const size_t st, double sum[][6], int *dropped) {
  if (na == 2 && st == 3) {
    /* The common case with its sums in registers: the same additions in the same order. */
    double s00 = 0, s01 = 0, s02 = 0, s10 = 0, s11 = 0, s12 = 0;
    const double *q1 = q + nc * 3;
    for (int s = 0; s < sc->nsites; s++, q += 2 * nc * 3, q1 += 2 * nc * 3) {
      if (an->exclude && an->exclude[s]) {
        ++*dropped;
        continue;
      }
      for (size_t i = 0; i < 3 * ncats; i += 3) {
        s00 += q[i], s01 += q[i + 1], s02 += q[i + 2];
        s10 += q1[i], s11 += q1[i + 1], s12 += q1[i + 2];
      }
    }
    sum[0][0] = s00, sum[0][1] = s01, sum[0][2] = s02;
    sum[1][0] = s10, sum[1][1] = s11, sum[1][2] = s12;
    return;
  }
  for (int s = 0; s < sc->nsites; s++, q += na * nc * st) {
    if (an->exclude && an->exclude[s]) {
      ++*dropped;
      continue;
    }
    for (size_t a = 0; a < na; a++)
      for (size_t i = 0; i < ncats; i++)
        for (size_t u = 0; u < st; u++) sum[a][u] += q[(a * nc + i) * st + u];
  }
}

/* add_group's two-arm case without a baseline: the sites kept[0 .. nkept), NCATS categories. */
static inline __attribute__((always_inline)) void add_group_two(const pt_group *G, const double *A,
                                                               const uint32_t *gn, const int *kept, int nkept,
                                                               size_t oy, size_t oq, const size_t NCATS,
                                                               double sum[][6]) {
  size_t W = (size_t)G->W;
  double s01 = 0, s02 = 0, s11 = 0, s12 = 0;
  long long m0 = 0, m1 = 0;
  for (int i = 0; i < nkept; i++) {
    size_t sl = 4 * (size_t)kept[i]; /* slot of (site, arm 0, PP); arm 1 two slots on */
    const double *q = A + sl * W, *q1 = q + 2 * W;
    m0 += gn[sl];
    m1 += gn[sl + 2];
    s01 += q[oy], s02 += q[oq];
    s11 += q1[oy], s12 += q1[oq];
    if (NCATS == 2) {
      m0 += gn[sl + 1];
      m1 += gn[sl + 3];
      s01 += q[W + oy], s02 += q[W + oq];
      s11 += q1[W + oy], s12 += q1[W + oq];
    }
  }
  sum[0][0] = (double)m0, sum[0][1] = s01, sum[0][2] = s02;
  sum[1][0] = (double)m1, sum[1][1] = s11, sum[1][2] = s12;
}

/* add_cells for continuous set S of group G (pt_group's slots; each arm's count an integer
 * sum) over the sites kept[0 .. nkept): the same sums in the same order. */
static inline __attribute__((always_inline)) void add_group(const tsim_scenario *sc, const pt_group *G,
                                                           const pt_set *S, int h, const int *kept, int nkept,
                                                           size_t na, size_t ncats, const size_t st,
                                                           double sum[][6], int *dropped) {
  const double *A = G->acc[h];
  const uint32_t *gn = G->n[h];
  size_t W = (size_t)G->W, oy = (size_t)S->gi, oq = (size_t)(G->nc + S->gi), ob = (size_t)S->gb;
  long long cnt[TSIM_MAX_ARMS];
  if (na == 2 && st == 3) {
    /* The common case with its sums in registers, the sites kept listed. */
    if (ncats == 1) add_group_two(G, A, gn, kept, nkept, oy, oq, 1, sum);
    else add_group_two(G, A, gn, kept, nkept, oy, oq, 2, sum);
    *dropped += sc->nsites - nkept;
    return;
  }
  memset(sum, 0, na * sizeof sum[0]);
  memset(cnt, 0, na * sizeof cnt[0]);
  *dropped += sc->nsites - nkept;
  for (int k = 0; k < nkept; k++) {
    for (size_t a = 0; a < na; a++) {
      size_t sl = 2 * ((size_t)kept[k] * na + a);
      for (size_t i = 0; i < ncats; i++) {
        const double *q = A + (sl + i) * W;
        cnt[a] += gn[sl + i];
        sum[a][1] += q[oy];
        sum[a][2] += q[oq];
        if (st == 6) {
          sum[a][3] += q[ob];
          sum[a][4] += q[ob + 1];
          sum[a][5] += q[ob + 2];
        }
      }
    }
  }
  for (size_t a = 0; a < na; a++) sum[a][0] = (double)cnt[a];
}

/* Continuous analysis k under hypothesis h from its set's cells: each arm's sums over the
 * sites kept and the population's categories (PP; DEV unless per protocol; LOCF with LOCF);
 * patient by patient where the closed-form ANCOVA would lose digits (compare_sums). */
static void eval_continuous_cells(tsim_analysis_ws *w, int k, int h, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  struct tsim_pt_ws *P = w->pt;
  const pt_set *S = &P->set[P->set_of[k]];
  size_t na = (size_t)sc->narms, st = (size_t)S->stride, nc = (size_t)S->ncat;
  int pp = an->population == TSIM_POP_PER_PROTOCOL;
  size_t ncats = pp ? 1 : an->missing == TSIM_MISSING_LOCF ? 3 : 2;
  double sum[TSIM_MAX_ARMS][6];
  int dropped = 0;
  if (S->grp >= 0) {
    const pt_group *G = &P->group[S->grp];
    if (st == 3) add_group(sc, G, S, h, P->kept[k], P->nkept[k], na, ncats, 3, sum, &dropped);
    else add_group(sc, G, S, h, P->kept[k], P->nkept[k], na, ncats, 6, sum, &dropped);
  } else {
    if (!(na == 2 && st == 3)) memset(sum, 0, na * sizeof sum[0]); /* add_cells sets those */
    const double *q = P->acc + S->off[h];
    if (st == 3) add_cells(sc, an, q, na, nc, ncats, 3, sum, &dropped);
    else add_cells(sc, an, q, na, nc, ncats, 6, sum, &dropped);
  }
  for (int j = 0; j < tsim_scenario_ncomparisons(sc); j++) {
    int arm = tsim_comparison_arm(sc, j), c = sc->control;
    if (compare_sums(w, k, sum[c], sum[arm], S->cy[h][c], S->cy[h][arm], S->cb, &out[j]) != 0) {
      eval_continuous(w, k, h, out);
      return;
    }
    out[j].sites_dropped = dropped;
  }
}

#define PT_LANES 8

/* 1 when analysis k under either hypothesis is a t test on the cells whose decision
 * eval_t_lanes can take: two arms, Welch or Student, superiority, two-sided, no p-value read
 * (neither the run nor a multiplicity procedure), no intercurrent events (compare_sums's case
 * without an interval), its set in a group (everyone or per protocol, no subgroup, no LOCF). A
 * set with a baseline (an ANCOVA of the same values) has the same first three sums: add_group
 * adds them in the same order whatever the stride. */
static int t_lane_ok(const tsim_analysis_ws *w, int k) {
  const tsim_scenario *sc = w->sc;
  const tsim_analysis *an = &sc->analyses[k];
  const struct tsim_pt_ws *P = w->pt;
  return w->two && !w->general && !w->want_p && !w->need_p[k] && sc->nevents == 0 && P->set_of[k] >= 0 &&
         P->set[P->set_of[k]].cont && P->set[P->set_of[k]].grp >= 0 &&
         (an->test == TSIM_TEST_WELCH_T || an->test == TSIM_TEST_STUDENT_T) && an->sided == 2 &&
         an->hypothesis == TSIM_HYPO_SUPERIORITY;
}

int tsim__ptanalysis_in_lanes(const tsim_analysis_ws *w, int k) { return w->pt && t_lane_ok(w, k); }

/* Up to PT_LANES (analysis, hypothesis) pairs of t_lane_ok analyses, lane i being lk[i] under
 * lh[i], out[i] its outcome: eval_continuous_cells's sums, then compare_sums's summaries, t and
 * degrees of freedom for all the lanes at once (the kernels' t_lanes: the same bits as the scalar
 * code), then each lane's decision. A lane outside tsim_t_stat_inline's inline range goes the
 * scalar way whole. The divisions and square roots of one pair wait on each other; the lanes'
 * do not. */
static void eval_t_lanes(tsim_analysis_ws *w, const int *lk, const int *lh, tsim_outcome **out, int nl) {
  const tsim_scenario *sc = w->sc;
  const struct tsim_pt_ws *P = w->pt;
  int c = sc->control, e = 1 - c, dropped[PT_LANES];
  tsim_t_lanes J;
  for (int i = 0; i < PT_LANES; i++) {
    double sum[2][6] = {{2, 0, 1}, {2, 0, 1}}; /* a harmless unused lane */
    double cc[2] = {0, 0};
    int pl = 0;
    dropped[i] = 0;
    if (i < nl) {
      const pt_set *S = &P->set[P->set_of[lk[i]]];
      const tsim_analysis *an = &sc->analyses[lk[i]];
      size_t ncats = an->population == TSIM_POP_PER_PROTOCOL ? 1 : 2; /* no LOCF: a group's set */
      add_group(sc, &P->group[S->grp], S, lh[i], P->kept[lk[i]], P->nkept[lk[i]], 2, ncats, 3, sum, &dropped[i]);
      cc[0] = S->cy[lh[i]][c], cc[1] = S->cy[lh[i]][e];
      pl = an->test == TSIM_TEST_STUDENT_T;
    }
    for (int a = 0; a < 2; a++) {
      const double *sv = sum[a ? e : c];
      J.n[a][i] = sv[0], J.s[a][i] = sv[1], J.q[a][i] = sv[2], J.c[a][i] = cc[a];
    }
    J.pooled[i] = pl;
  }
  tsim_kernels()->t_lanes(&J);
  for (int i = 0; i < nl; i++) {
    int k = lk[i];
    const tsim_analysis *an = &sc->analyses[k];
    long long n0 = (long long)J.n[0][i], n1 = (long long)J.n[1][i];
    double sd0 = n0 > 1 ? J.sd[0][i] : 0.0, sd1 = n1 > 1 ? J.sd[1][i] : 0.0;
    double m0 = n0 > 0 ? J.mean[0][i] : NAN, m1 = n1 > 0 ? J.mean[1][i] : NAN;
    if (!tsim__t_inline_range(m0, sd0, n0, m1, sd1, n1)) { /* tsim_t_stat would scale them */
      eval_continuous_cells(w, k, lh[i], out[i]);
      continue;
    }
    double stat = NAN;
    int decided = -1;
    if (tsim__t_defined(J.se[i], J.df[i], m0, m1)) { /* else undefined, as tsim__t_core says */
      stat = J.t[i];
      decided = tsim_decide_t_inline(&w->dec, sc, k, stat, J.df[i]);
    }
    fill_outcome(out[i], sc, an, n0, n1, 0, NAN, stat, J.diff[i], decided);
    out[i]->lo = out[i]->hi = NAN;
    out[i]->sites_dropped = dropped[i];
  }
}

void tsim__ptanalysis_eval_trial(tsim_analysis_ws *w, tsim_outcome *out) {
  const tsim_scenario *sc = w->sc;
  int nk = sc->nanalyses, ncmp = tsim_scenario_ncomparisons(sc), lk[PT_LANES], lh[PT_LANES], nl = 0;
  tsim_outcome *lo[PT_LANES];
  for (int k = 0; k < nk; k++) {
    int lane = t_lane_ok(w, k);
    for (int h = 0; h < 2; h++) {
      tsim_outcome *o = out + ((size_t)h * (size_t)nk + (size_t)k) * (size_t)ncmp;
      if (!lane) {
        tsim__ptanalysis_eval(w, k, (tsim_hypothesis)h, o);
        continue;
      }
      lk[nl] = k, lh[nl] = h, lo[nl++] = o;
      if (nl == PT_LANES) eval_t_lanes(w, lk, lh, lo, nl), nl = 0;
    }
  }
  if (nl) eval_t_lanes(w, lk, lh, lo, nl);
}

int tsim__ptanalysis_from_cells(const tsim_analysis_ws *w, int k) {
  return w->pt && !w->general && w->pt->set_of[k] >= 0;
}

void tsim__ptanalysis_eval(tsim_analysis_ws *w, int k, tsim_hypothesis h, tsim_outcome *out) {
  const tsim_analysis *an = &w->sc->analyses[k];
  int cont = w->sc->endpoints[an->endpoint].type == TSIM_EP_CONTINUOUS;
  /* A continuous margin's tests read the patients (margin_continuous), not the cells' sums. */
  if (w->pt->set_of[k] >= 0 && !w->general && !(cont && an->hypothesis != TSIM_HYPO_SUPERIORITY)) {
    if (cont) eval_continuous_cells(w, k, (int)h, out);
    else eval_binary_cells(w, k, (int)h, out);
  } else if (cont && an->test == TSIM_TEST_WILCOXON && w->two && !w->general) {
    eval_wilcoxon(w, k, (int)h, out);
  } else if (cont && an->test == TSIM_TEST_MMRM) {
    eval_mmrm(w, k, (int)h, out);
  } else if (cont && an->missing == TSIM_MISSING_MI && an->population == TSIM_POP_ITT) {
    eval_mi(w, k, (int)h, out);
  } else if (cont) {
    eval_continuous(w, k, (int)h, out);
  } else {
    eval_binary(w, k, (int)h, out);
  }
}
