/* scenario_hypo.c - the scenario loader's part for an analysis's "hypothesis" (superiority,
 * non-inferiority or equivalence, the measure and the margin) and the null twins the margins
 * make: each end point's distinct nulls, and the passes that simulate them. See scenario.h
 * (tsim_analysis.hypothesis, tsim_endpoint.nnull, tsim_scenario_null) and scenarios/README.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "input/scenario_internal.h"
#include "stats/nitest.h"

const char *const tsim_hypo_names[] = {"superiority", "non_inferiority", "equivalence", NULL};
const char *const tsim_measure_names[] = {"risk_difference", "risk_ratio", "odds_ratio", "mean_difference",
                                          "mean_ratio", NULL};
#define measure_names tsim_measure_names

_Static_assert((int)TSIM_MEAS_RISK_DIFF == (int)TSIM_NI_RD && (int)TSIM_MEAS_RISK_RATIO == (int)TSIM_NI_RR &&
                   (int)TSIM_MEAS_ODDS_RATIO == (int)TSIM_NI_OR,
               "the binary measures are nitest.h's, in its order");

static int is_ratio(tsim_measure m) { return m != TSIM_MEAS_RISK_DIFF && m != TSIM_MEAS_MEAN_DIFF; }

/* The parameter of the experimental arm at boundary theta of measure m from the control's c. */
static double moved(int m, double theta, double c) {
  switch (m) {
  case TSIM_MEAS_RISK_DIFF:
  case TSIM_MEAS_MEAN_DIFF: return c + theta;
  case TSIM_MEAS_RISK_RATIO:
  case TSIM_MEAS_MEAN_RATIO: return c * theta;
  case TSIM_MEAS_ODDS_RATIO:
    if (c <= 0 || c >= 1) return c; /* odds 0 or infinite: any ratio keeps them */
    return c * theta / (1 - c + c * theta);
  default: return c;
  }
}

double tsim_scenario_null(const tsim_scenario *sc, int e, int v, int a) {
  return tsim_scenario_null_at(sc, sc->null_pass, e, v, a);
}

double tsim_scenario_null_at(const tsim_scenario *sc, int pass, int e, int v, int a) {
  const tsim_endpoint *ep = &sc->endpoints[e];
  int binary = ep->type == TSIM_EP_BINARY, ctl = sc->control;
  if (sc->single_arm) return isnan(ep->p0) ? (binary ? ep->resp_v[v][a] : ep->mean_v[v][a]) : ep->p0;
  double c = binary ? ep->resp_v[v][ctl] : ep->mean_v[v][ctl];
  int j = pass >= 0 && pass < TSIM_MAX_NULLS ? sc->pass_null[pass][e] : -1;
  if (a == ctl || j < 0 || j >= ep->nnull || ep->null_measure[j] < 0) return c;
  return moved(ep->null_measure[j], ep->null_theta[j], c);
}

/* The measures each test has (binary tests: nitest.h's; continuous: t tests both, ANCOVA the
 * difference). */
static int test_has(tsim_test t, tsim_measure m) {
  switch (t) {
  case TSIM_TEST_FARRINGTON_MANNING: return tsim_ni_has_test(TSIM_NI_FM, (tsim_ni_measure)m) && m <= TSIM_MEAS_ODDS_RATIO;
  case TSIM_TEST_MIETTINEN_NURMINEN:
  case TSIM_TEST_MN_STRATIFIED: return m <= TSIM_MEAS_ODDS_RATIO;
  case TSIM_TEST_WALD:
  case TSIM_TEST_NEWCOMBE: return m == TSIM_MEAS_RISK_DIFF;
  case TSIM_TEST_WELCH_T:
  case TSIM_TEST_STUDENT_T: return m == TSIM_MEAS_MEAN_DIFF || m == TSIM_MEAS_MEAN_RATIO;
  case TSIM_TEST_ANCOVA: return m == TSIM_MEAS_MEAN_DIFF;
  default: return 0;
  }
}

/* The measures' no-effect values. */
static double neutral(tsim_measure m) { return is_ratio(m) ? 1.0 : 0.0; }

void tsim__load_hypothesis(tsim__loader *L, const cJSON *an, const char *ap, tsim_analysis *a) {
  static const char *const keys[] = {"type", "measure", "margin", NULL};
  tsim_scenario *sc = L->sc;
  const tsim_endpoint *ep = &sc->endpoints[a->endpoint];
  const tsim_test_info *ti = tsim_test_info_of(a->test);
  char hp[TSIM_JPATH_MAX], p[TSIM_JPATH_MAX];
  tsim_jpath_key(hp, ap, "hypothesis");
  a->hypothesis = TSIM_HYPO_SUPERIORITY;
  a->level = a->sided == 1 ? a->alpha : a->alpha / 2;
  const cJSON *h = tsim_jget(an, "hypothesis");
  if (!h) {
    if (tsim_kind_margin(ti->kind)) {
      tsim_jpath_key(p, ap, "test");
      tsim_jerr(&L->c, p, "\"%s\" tests against a margin: give the analysis a \"hypothesis\" "
                          "(non_inferiority or equivalence, with its measure and margin)", ti->name);
    }
    return;
  }
  if (!tsim_jobject(&L->c, h, hp)) return;
  tsim_jkeys(&L->c, h, hp, keys);
  int type = 0;
  if (tsim_jenum(&L->c, h, hp, "type", 1, tsim_hypo_names, &type) != 1) return;
  a->hypothesis = (tsim_hypo)type;
  if (type == TSIM_HYPO_SUPERIORITY) {
    if (tsim_jget(h, "measure") || tsim_jget(h, "margin")) {
      tsim_jpath_key(p, hp, tsim_jget(h, "margin") ? "margin" : "measure");
      tsim_jerr(&L->c, p, "a superiority hypothesis has no margin (H0: no difference)");
    }
    if (tsim_kind_margin(ti->kind)) {
      tsim_jpath_key(p, ap, "test");
      tsim_jerr(&L->c, p, "\"%s\" tests against a margin: a superiority analysis of a binary end "
                          "point takes one of the 2x2 or stratified tests", ti->name);
    }
    return;
  }
  if (!(a->level < 0.5)) {
    char alp[TSIM_JPATH_MAX];
    tsim_jpath_key(alp, ap, "alpha");
    tsim_jerr(&L->c, alp, "a test against a margin is one-sided at alpha (\"sided\": 1) or alpha/2, here "
                          "%s; it must be below 0.5 (its interval is two-sided 1 - 2 x level)", TSIM_JNUM(a->level));
  }
  int meas = 0;
  int meas_ok = tsim_jenum(&L->c, h, hp, "measure", 1, measure_names, &meas) == 1;
  a->measure = (tsim_measure)meas;
  tsim_jpath_key(p, hp, "measure");
  int binary = ep->type == TSIM_EP_BINARY;
  if (sc->single_arm) {
    tsim_jerr(&L->c, hp, "a single arm is judged against p0; margins compare two arms");
    return;
  }
  if (meas_ok && binary != (meas <= TSIM_MEAS_ODDS_RATIO)) {
    tsim_jerr(&L->c, p, "\"%s\" is a measure of %s end points, and \"%s\" is %s", measure_names[meas],
              binary ? "continuous" : "binary", ep->id, binary ? "binary" : "continuous");
    meas_ok = 0;
  }
  if (meas_ok && binary && ep->source >= 0) {
    tsim_jerr(&L->c, hp, "\"%s\" is derived from \"%s\" by a threshold, so its null twin follows its "
                         "source's: put the margin on an analysis of \"%s\" (mean_difference)",
              ep->id, sc->endpoints[ep->source].id, sc->endpoints[ep->source].id);
    meas_ok = 0;
  }
  if (meas_ok && !test_has(a->test, a->measure)) {
    char tp[TSIM_JPATH_MAX];
    tsim_jpath_key(tp, ap, "test");
    if (binary)
      tsim_jerr(&L->c, tp, "\"%s\" has no test against a margin on %s: farrington_manning takes "
                           "risk_difference and risk_ratio, miettinen_nurminen (and _stratified) those and odds_ratio, "
                           "wald and newcombe risk_difference", ti->name, measure_names[meas]);
    else
      tsim_jerr(&L->c, tp, "\"%s\" has no test against a margin on %s: welch_t and student_t take "
                           "mean_difference and mean_ratio, ancova mean_difference", ti->name, measure_names[meas]);
    meas_ok = 0;
  }
  /* The margin: a number (non-inferiority) or [lower, upper] (equivalence). */
  tsim_jpath_key(p, hp, "margin");
  const cJSON *m = tsim_jget(h, "margin");
  double mg[2] = {NAN, NAN};
  if (!m) {
    tsim_jerr(&L->c, p, "missing (the boundary on %s that the experimental arm must %s)",
              meas_ok ? measure_names[meas] : "the measure", type == TSIM_HYPO_EQUIVALENCE ? "lie within" : "beat");
    return;
  }
  if (type == TSIM_HYPO_NONINFERIORITY) {
    if (tsim_jnumber(&L->c, h, hp, "margin", 1, -1e300, 1e300, &mg[0]) != 1) return;
    mg[1] = mg[0];
  } else {
    if (!cJSON_IsArray(m) || cJSON_GetArraySize(m) != 2) {
      char got[64];
      tsim_jdescribe(m, got, sizeof got);
      tsim_jerr(&L->c, p, "an equivalence margin is [lower, upper], got %s", got);
      return;
    }
    for (int i = 0; i < 2; i++) {
      char ip[TSIM_JPATH_MAX];
      tsim_jpath_index(ip, p, i);
      const cJSON *v = cJSON_GetArrayItem(m, i);
      if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
        char got[64];
        tsim_jdescribe(v, got, sizeof got);
        tsim_jerr(&L->c, ip, "expected a number, got %s", got);
        return;
      }
      mg[i] = v->valuedouble;
    }
  }
  a->margin[0] = mg[0];
  a->margin[1] = mg[1];
  if (!meas_ok) return;
  char subject[TSIM_ID_MAX + 32], why[400];
  snprintf(subject, sizeof subject, "\"%s\" is better when %s", ep->id, ep->higher_is_better ? "higher" : "lower");
  if (tsim_margin_problem(a->hypothesis, a->measure, mg, ep->higher_is_better, subject, why, sizeof why))
    tsim_jerr(&L->c, p, "%s", why);
}

const char *tsim_margin_problem(tsim_hypo type, tsim_measure m, const double margin[2], int higher_is_better,
                                const char *subject, char *buf, size_t n) {
  double nu = neutral(m), lo = margin[0], hi = type == TSIM_HYPO_EQUIVALENCE ? margin[1] : margin[0];
  char a[TSIM_NUM_CHARS], b[TSIM_NUM_CHARS], c[TSIM_NUM_CHARS];
  if (!(isfinite(lo) && isfinite(hi)))
    snprintf(buf, n, "a margin is a finite number");
  else if (is_ratio(m) && (lo <= 0 || hi <= 0))
    snprintf(buf, n, "a margin on %s is a ratio, > 0; got %s", measure_names[m], tsim_num(a, lo <= 0 ? lo : hi));
  else if (is_ratio(m) && !(lo >= 1e-100 && lo <= 1e100 && hi >= 1e-100 && hi <= 1e100))
    /* beyond, the tests' variances at the restricted estimates leave the double range (an odds
     * ratio margin of 1e-200 rejected nothing) */
    snprintf(buf, n, "a margin on %s is a ratio in [1e-100, 1e100], got %s", measure_names[m],
             tsim_num(a, lo >= 1e-100 && lo <= 1e100 ? hi : lo));
  else if (m == TSIM_MEAS_RISK_DIFF && (fabs(lo) >= 1 || fabs(hi) >= 1))
    snprintf(buf, n, "a risk difference margin lies strictly between -1 and 1, got %s",
             tsim_num(a, fabs(lo) >= 1 ? lo : hi));
  else if (type == TSIM_HYPO_NONINFERIORITY && (higher_is_better ? lo > nu : lo < nu))
    snprintf(buf, n, "%s, so a non-inferiority margin on %s is %s %s (how much worse the experimental arm may "
             "be), got %s", subject, measure_names[m], higher_is_better ? "at or below" : "at or above",
             tsim_num(a, nu), tsim_num(b, lo));
  else if (type == TSIM_HYPO_EQUIVALENCE && !(lo < nu && nu < hi))
    snprintf(buf, n, "an equivalence margin [lower, upper] on %s has lower < %s < upper, got [%s, %s]",
             measure_names[m], tsim_num(a, nu), tsim_num(b, lo), tsim_num(c, hi));
  else
    return NULL;
  return buf;
}

/* The null of spec (measure, theta) in end point e's list, added when new; its index, or -1
 * when the list is full (reported). */
static int null_index(tsim__loader *L, int e, int measure, double theta, const char *ap) {
  tsim_endpoint *ep = &L->sc->endpoints[e];
  for (int k = 0; k < ep->nnull; k++)
    if (ep->null_measure[k] == measure && (measure < 0 || ep->null_theta[k] == theta)) return k;
  if (ep->nnull == TSIM_MAX_NULLS) {
    tsim_jerr(&L->c, ap, "the analyses of \"%s\" ask for more than %d different null hypotheses "
                         "(each a simulation pass of its own)", ep->id, TSIM_MAX_NULLS);
    return -1;
  }
  ep->null_measure[ep->nnull] = measure;
  ep->null_theta[ep->nnull] = theta;
  return ep->nnull++;
}

/* The pass of end point e's null j (an index into its list, or -1: the control's) in the table
 * being built; a new pass moving e alone when there is none; -1 when there are too many. */
static int coupled_pass(tsim_scenario *sc, int e, int j) {
  if (j < 0 || sc->endpoints[e].null_measure[j] < 0) return 0;
  for (int k = 1; k < sc->npasses; k++)
    if (sc->pass_null[k][e] == j) return k;
  if (sc->npasses == TSIM_MAX_NULLS) return -1;
  int k = sc->npasses++;
  for (int f = 0; f < sc->nendpoints; f++) sc->pass_null[k][f] = -1;
  sc->pass_null[k][e] = (signed char)j;
  return k;
}

/* Reports analysis i's margin at path `what` under the message; returns 1 (for `return`). */
static int margin_error(tsim__loader *L, int i, const char *what, const char *msg) {
  char ap[TSIM_JPATH_MAX];
  snprintf(ap, sizeof ap, "$.analyses[%d].hypothesis.%s", i, what);
  tsim_jerr(&L->c, ap, "%s", msg);
  return 1;
}

/* The first analysis with a margin whose null is end point e's null j. */
static int analysis_of_null(const tsim_scenario *sc, int e, int j, const int (*idx)[2]) {
  for (int i = 0; i < sc->nanalyses; i++)
    if (sc->analyses[i].endpoint == e && sc->analyses[i].hypothesis != TSIM_HYPO_SUPERIORITY &&
        (idx[i][0] == j || idx[i][1] == j))
      return i;
  return 0;
}

/* Every null twin a margin makes must be a model: probabilities in [0, 1], ratios on controls
 * that can be moved, means in the range the loader allows, and dropout that outcome-dependent
 * dropout keeps a probability; and a source end point's margin must move no derived end point
 * the trial reads. 0, or -1 (reported). */
static int check_nulls(tsim__loader *L, const int (*idx)[2]) {
  tsim_scenario *sc = L->sc;
  char msg[400];
  for (int e = 0; e < sc->nendpoints; e++) {
    tsim_endpoint *ep = &sc->endpoints[e];
    if (ep->nnull == 0) continue;
    int first = -1;
    for (int j = 0; j < ep->nnull && first < 0; j++)
      if (ep->null_measure[j] >= 0) first = analysis_of_null(sc, e, j, idx);
    for (int d = 0; d < sc->nendpoints; d++) {
      if (sc->endpoints[d].source != e) continue;
      int read = d == sc->mnar_endpoint;
      for (int i = 0; i < sc->nanalyses; i++) read |= sc->analyses[i].endpoint == d;
      for (int r = 0; r < sc->monitoring.nrules; r++) read |= sc->monitoring.rules[r].endpoint == d;
      if (!read) continue;
      snprintf(msg, sizeof msg, "\"%s\" is derived from \"%s\" and %s, so a margin on \"%s\" would move its "
               "null twin too: analyse them in separate scenarios", sc->endpoints[d].id, ep->id,
               d == sc->mnar_endpoint ? "drives dropout" : "is read by the trial", ep->id);
      return -margin_error(L, first, "measure", msg);
    }
    for (int j = 0; j < ep->nnull; j++) {
      int m = ep->null_measure[j];
      if (m < 0) continue;
      int i = analysis_of_null(sc, e, j, idx);
      for (int v = 0; v < ep->nvisits; v++) {
        const char *at = ep->nvisits > 1 ? " at one of its visits" : "";
        double c = ep->type == TSIM_EP_BINARY ? ep->resp_v[v][sc->control] : ep->mean_v[v][sc->control];
        double x = moved(m, ep->null_theta[j], c);
        if (m == TSIM_MEAS_MEAN_RATIO && !(c > 0)) {
          snprintf(msg, sizeof msg, "a ratio of means needs a positive control mean, and \"%s\"'s is %s%s",
                   ep->id, TSIM_JNUM(c), at);
          return -margin_error(L, i, "measure", msg);
        }
        if ((m == TSIM_MEAS_RISK_RATIO && !(c > 0)) || (m == TSIM_MEAS_ODDS_RATIO && !(c > 0 && c < 1))) {
          snprintf(msg, sizeof msg, "a margin on %s moves the control's response, and \"%s\"'s is %s%s: no "
                   "null twin at the margin (use risk_difference)", measure_names[m], ep->id, TSIM_JNUM(c), at);
          return -margin_error(L, i, "measure", msg);
        }
        if (ep->type == TSIM_EP_BINARY && !(x >= 0 && x <= 1)) {
          snprintf(msg, sizeof msg, "the null twin at margin %s puts the experimental arm's response "
                   "probability at %s (control %s%s), outside [0, 1]", TSIM_JNUM(ep->null_theta[j]),
                   TSIM_JNUM(tsim_jround(x, 12)), TSIM_JNUM(c), at);
          return -margin_error(L, i, "margin", msg);
        }
        if (ep->type == TSIM_EP_CONTINUOUS && !(fabs(x) <= 1e12)) {
          snprintf(msg, sizeof msg, "the null twin at margin %s puts the experimental arm's mean at %s "
                   "(control %s%s): means lie within +-1e12", TSIM_JNUM(ep->null_theta[j]), TSIM_JNUM(tsim_jround(x, 12)),
                   TSIM_JNUM(c), at);
          return -margin_error(L, i, "margin", msg);
        }
      }
      /* Outcome-dependent dropout reads the null twin's response (the last visit's). */
      if (e == sc->mnar_endpoint)
        for (int a = 0; a < sc->narms; a++) {
          double q = moved(m, ep->null_theta[j], ep->response[sc->control]), r = sc->mnar_ratio;
          double dp = sc->arms[a].dropout;
          if (a == sc->control || !(dp * fmax(r, 1) / (q + r * (1 - q)) > 1 + 1e-12)) continue;
          snprintf(msg, sizeof msg, "the null twin at margin %s puts arm \"%s\"'s response at %s, where "
                   "dropout %s with dropout_mnar's ratio %s would exceed probability 1 for %s",
                   TSIM_JNUM(ep->null_theta[j]), sc->arms[a].id, TSIM_JNUM(tsim_jround(q, 12)), TSIM_JNUM(dp), TSIM_JNUM(r),
                   r > 1 ? "non-responders" : "responders");
          return -margin_error(L, i, "margin", msg);
        }
    }
  }
  return 0;
}

void tsim__load_nulls(tsim__loader *L) {
  tsim_scenario *sc = L->sc;
  int any = 0;
  for (int i = 0; i < sc->nanalyses; i++) any |= sc->analyses[i].hypothesis != TSIM_HYPO_SUPERIORITY;
  sc->npasses = 1;
  for (int k = 0; k < TSIM_MAX_NULLS; k++)
    for (int e = 0; e < TSIM_MAX_ENDPOINTS; e++) sc->pass_null[k][e] = -1;
  if (!any) return;
  int idx[TSIM_MAX_ANALYSES][2];
  for (int i = 0; i < sc->nanalyses; i++) {
    tsim_analysis *a = &sc->analyses[i];
    char ap[TSIM_JPATH_MAX];
    snprintf(ap, sizeof ap, "$.analyses[%d]", i);
    int e = a->endpoint;
    if (a->hypothesis == TSIM_HYPO_SUPERIORITY) {
      idx[i][0] = idx[i][1] = null_index(L, e, -1, 0, ap);
    } else {
      idx[i][0] = null_index(L, e, (int)a->measure, a->margin[0], ap);
      idx[i][1] = a->hypothesis == TSIM_HYPO_EQUIVALENCE ? null_index(L, e, (int)a->measure, a->margin[1], ap)
                                                         : idx[i][0];
    }
    if (idx[i][0] < 0 || idx[i][1] < 0) return;
  }
  /* An end point with no margin keeps the one null (nnull 0: the control's). */
  for (int e = 0; e < sc->nendpoints; e++) {
    tsim_endpoint *ep = &sc->endpoints[e];
    int margins = 0;
    for (int k = 0; k < ep->nnull; k++) margins |= ep->null_measure[k] >= 0;
    if (!margins) ep->nnull = 0;
  }
  if (check_nulls(L, idx) != 0) return;
  /* The passes. When end points' outcomes interact in the null twin - dropout depending on an
   * end point's outcome, site monitoring's flags acting on analyses and enrolment - an
   * analysis's null twin is its own end point at its null and every other end point at the
   * control's: pass 0 is every end point at the control's, and each margin's null a pass moving
   * its end point alone. Otherwise end points do not see each other's nulls, and pass k gives
   * every end point its k-th null (its last when it has fewer): the fewest passes. */
  int coupled = sc->mnar_endpoint >= 0 || sc->monitoring.nrules > 0;
  if (coupled) {
    for (int i = 0; i < sc->nanalyses; i++)
      for (int h = 0; h < 2; h++) {
        tsim_analysis *a = &sc->analyses[i];
        int k = sc->endpoints[a->endpoint].nnull ? coupled_pass(sc, a->endpoint, idx[i][h]) : 0;
        if (k < 0) {
          char ap[TSIM_JPATH_MAX];
          snprintf(ap, sizeof ap, "$.analyses[%d].hypothesis", i);
          tsim_jerr(&L->c, ap, "the analyses ask for more than %d null twins (each a simulation pass of "
                               "its own; with outcome-dependent dropout or site monitoring, one per margin "
                               "and one for superiority)", TSIM_MAX_NULLS);
          return;
        }
        a->null_pass[h] = k;
      }
    return;
  }
  for (int e = 0; e < sc->nendpoints; e++) {
    int n = sc->endpoints[e].nnull;
    if (n > sc->npasses) sc->npasses = n;
    for (int k = 0; k < TSIM_MAX_NULLS && n > 0; k++) sc->pass_null[k][e] = (signed char)(k < n ? k : n - 1);
  }
  for (int i = 0; i < sc->nanalyses; i++) {
    tsim_analysis *a = &sc->analyses[i];
    int has = sc->endpoints[a->endpoint].nnull > 0;
    a->null_pass[0] = has ? idx[i][0] : 0;
    a->null_pass[1] = has ? idx[i][1] : 0;
  }
}

void tsim__check_margins(tsim__loader *L) {
  tsim_scenario *sc = L->sc;
  for (int i = 0; i < sc->nanalyses; i++) {
    const tsim_analysis *a = &sc->analyses[i];
    if (a->hypothesis == TSIM_HYPO_SUPERIORITY) continue;
    char ap[TSIM_JPATH_MAX];
    snprintf(ap, sizeof ap, "$.analyses[%d].hypothesis", i);
    if (sc->looks.n > 1) {
      tsim_jerr(&L->c, ap, "interim looks (\"looks\") are for superiority analyses; a group-sequential "
                           "test against a margin is not yet simulated");
      return;
    }
    for (int q = 0; q < sc->nprocedures; q++) {
      const tsim_procedure *pr = &sc->procedures[q];
      if (pr->method == TSIM_MULT_FIXED_SEQUENCE) continue;
      for (int m = 0; m < pr->nmembers; m++)
        if (pr->members[m] == i) {
          char pp[TSIM_JPATH_MAX];
          snprintf(pp, sizeof pp, "$.multiplicity[%d].method", q);
          tsim_jerr(&L->c, pp, "analysis \"%s\" tests against a margin (one-sided, at its level): it can "
                               "be a member of a fixed_sequence, not of %s", a->id,
                    pr->method == TSIM_MULT_BONFERRONI ? "bonferroni" : "holm");
          return;
        }
    }
  }
}
