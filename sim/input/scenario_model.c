/* scenario_model.c - loading the patient model of a scenario: end points (binary, continuous,
 * derived by a threshold) with their visits, dropout over time and deviations, subgroups,
 * latent correlations and outcome-dependent dropout (see latent.h for the model and
 * scenarios/README.md for every key). Part of the loader: scenario_load.c calls tsim__load_model.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "core/linalg.h"
#include "input/scenario_internal.h"

typedef tsim__loader loader;

const char *const tsim_ep_type_names[] = {"binary", "continuous", NULL};
const char *const tsim_off_treatment_names[] = {"kept", "control", "wane", NULL};
const char *const tsim_strategy_names[] = {"treatment_policy", "composite", "hypothetical", "while_on_treatment",
                                           NULL};

/* ---- values per arm, optionally per visit ------------------------------------------------ */

/* A number in [lo, hi]; [0, 1] is reported as a probability, as tsim_jprob does. */
static int value_in(loader *L, const cJSON *v, const char *p, double lo, double hi, double *out) {
  return lo == 0 && hi == 1 ? tsim_jvalue_prob(&L->c, v, p, out)
                            : tsim_jvalue_number(&L->c, v, p, lo, hi, out);
}

/* What arm_values reads: nv visits belonging to `of` (named in messages), values in
 * [lo, hi]; every arm required or not; a single number spread over the visits or not. */
typedef struct arm_spec {
  int all_required, nv, spread;
  const char *of;
  double lo, hi;
} arm_spec;

/* Reads obj (an object keyed by arm id) into out[v][a] for v < nv: each arm's value is a
 * number (the same at every visit; with `spread`, x (v + 1) / nv at visit v, reaching x at the
 * last) or an array of nv numbers, each in [lo, hi]. With `all_required` every arm must
 * appear; missing arms keep out's preset. `of` names what the visits belong to. */
static void arm_values(loader *L, const cJSON *obj, const char *p, arm_spec spec,
                       double out[][TSIM_MAX_ARMS]) {
  int all_required = spec.all_required, nv = spec.nv, spread = spec.spread;
  const char *of = spec.of;
  double lo = spec.lo, hi = spec.hi;
  if (!tsim_jobject(&L->c, obj, p)) return;
  tsim_scenario *sc = L->sc;
  int count = 0;
  for (const cJSON *v = obj->child; v; v = v->next) count++;
  if (count > TSIM_JKEYS_MAX) {
    tsim_jerr(&L->c, p, "expected at most %d keys, got %d", TSIM_JKEYS_MAX, count);
    return;
  }
  for (const cJSON *v = obj->child; v; v = v->next) {
    char vp[TSIM_JPATH_MAX];
    tsim_jpath_key(vp, p, v->string);
    if (tsim_jget(obj, v->string) != v) { tsim_jerr(&L->c, vp, "duplicate key"); continue; }
    int a = L->arms_ok ? tsim__find_arm(sc, v->string) : -1;
    if (L->arms_ok && a < 0) { tsim__unknown_arm(L, vp, v->string); continue; }
    if (cJSON_IsArray(v)) {
      int n = cJSON_GetArraySize(v);
      if (n != nv) {
        tsim_jerr(&L->c, vp, "expected one value per visit of the %s (%d), got %d", of, nv, n);
        continue;
      }
      int i = 0;
      for (const cJSON *x = v->child; x; x = x->next, i++) {
        char xp[TSIM_JPATH_MAX];
        double d;
        tsim_jpath_index(xp, vp, i);
        if (value_in(L, x, xp, lo, hi, &d) == 1 && a >= 0) out[i][a] = d;
      }
    } else {
      double d;
      if (value_in(L, v, vp, lo, hi, &d) == 1 && a >= 0)
        for (int i = 0; i < nv; i++) out[i][a] = spread ? d * (i + 1) / nv : d;
    }
  }
  if (!all_required || !L->arms_ok) return;
  for (int a = 0; a < sc->narms; a++)
    if (!tsim_jget(obj, sc->arms[a].id)) {
      char vp[TSIM_JPATH_MAX];
      tsim_jpath_key(vp, p, sc->arms[a].id);
      tsim_jerr(&L->c, vp, "required key is missing");
    }
}

/* 1 when any arm's value in obj is an array (per visit). */
static int has_arrays(const cJSON *obj) {
  if (!cJSON_IsObject(obj)) return 0;
  for (const cJSON *v = obj->child; v; v = v->next)
    if (cJSON_IsArray(v)) return 1;
  return 0;
}

/* ---- visits ---------------------------------------------------------------------------- */

static void load_visits(loader *L, const cJSON *root) {
  tsim_scenario *sc = L->sc;
  char p[TSIM_JPATH_MAX];
  sc->nvisits = 1;
  const cJSON *arr = tsim__get_array(L, root, "$", "visits", 0, 1, TSIM_MAX_VISITS, p);
  int i = 0, ok = 1;
  for (const cJSON *v = arr ? arr->child : NULL; v; v = v->next, i++) {
    char vp[TSIM_JPATH_MAX];
    tsim_jpath_index(vp, p, i);
    double w = 0;
    if (tsim_jvalue_number(&L->c, v, vp, 0, 1e6, &w) != 1) { ok = 0; continue; }
    if (w <= 0) { tsim_jerr(&L->c, vp, "expected a time after randomisation (> 0), got %s", TSIM_JNUM(w)); ok = 0; }
    else if (i > 0 && w <= sc->visit_week[i - 1]) {
      tsim_jerr(&L->c, vp, "expected visits in increasing order of time, got %s after %s", TSIM_JNUM(w),
                TSIM_JNUM(sc->visit_week[i - 1]));
      ok = 0;
    }
    sc->visit_week[i] = w;
  }
  if (arr) sc->nvisits = i; /* even when some are bad, so per-visit arrays are checked */
  if (tsim_jget(root, "visits") && (!arr || !ok)) L->model_ok = 0;
  if (!arr) memset(sc->visit_week, 0, sizeof sc->visit_week);
  double rho = 0;
  if (tsim_jnumber(&L->c, root, "$", "visit_correlation", 0, -0.999, 0.999, &rho) == 1 &&
      sc->nvisits == 1)
    tsim_jerr(&L->c, "$.visit_correlation", "only meaningful with more than one \"visits\"");
  sc->visit_corr = rho;
}

/* The visit (index into the scenario's visits) at week w, or -1. */
static int find_visit(const tsim_scenario *sc, double w) {
  for (int v = 0; v < sc->nvisits; v++)
    if (sc->visit_week[v] == w) return v;
  return -1;
}

/* An end point's own visits: "visits" (weeks, a subset of the scenario's), else every visit
 * when some value is given per visit, else the last visit. */
static void endpoint_visits(loader *L, const cJSON *e, const char *ep, tsim_endpoint *end,
                            const cJSON *values) {
  tsim_scenario *sc = L->sc;
  char p[TSIM_JPATH_MAX];
  const cJSON *arr = tsim__get_array(L, e, ep, "visits", 0, 1, TSIM_MAX_VISITS, p);
  end->nvisits = 1;
  end->visits[0] = sc->nvisits - 1;
  if (!arr) {
    if (has_arrays(values) && !tsim_jget(e, "visits")) {
      end->nvisits = sc->nvisits;
      for (int v = 0; v < sc->nvisits; v++) end->visits[v] = v;
    }
    return;
  }
  if (sc->visit_week[0] == 0) { /* visits are at weeks > 0: the scenario lists none */
    tsim_jerr(&L->c, p, "the scenario has no \"visits\" to choose from");
    return;
  }
  int i = 0, n = 0;
  for (const cJSON *v = arr->child; v; v = v->next, i++) {
    char vp[TSIM_JPATH_MAX];
    tsim_jpath_index(vp, p, i);
    double w;
    if (tsim_jvalue_number(&L->c, v, vp, 0, 1e6, &w) != 1) continue;
    int k = find_visit(sc, w);
    if (k < 0) tsim_jerr(&L->c, vp, "week %s is not one of the scenario's \"visits\"", TSIM_JNUM(w));
    else if (n > 0 && k <= end->visits[n - 1])
      tsim_jerr(&L->c, vp, "expected visits in increasing order of time, got %s", TSIM_JNUM(w));
    else end->visits[n++] = k;
  }
  if (n == i) end->nvisits = n;
}

/* ---- end points -------------------------------------------------------------------------- */

static void load_baseline(loader *L, const cJSON *e, const char *ep, tsim_endpoint *end) {
  static const char *const keys[] = {"mean", "sd", "correlation", NULL};
  char p[TSIM_JPATH_MAX];
  tsim_jpath_key(p, ep, "baseline");
  const cJSON *b = tsim_jget(e, "baseline");
  if (!b || !tsim_jobject(&L->c, b, p)) return;
  tsim_jkeys(&L->c, b, p, keys);
  end->has_baseline = 1;
  end->base_sd = 1;
  tsim_jnumber(&L->c, b, p, "mean", 1, -1e12, 1e12, &end->base_mean);
  if (tsim_jnumber(&L->c, b, p, "sd", 1, 0, 1e12, &end->base_sd) == 1 && end->base_sd <= 0) {
    char sp[TSIM_JPATH_MAX];
    tsim_jpath_key(sp, p, "sd");
    tsim_jerr(&L->c, sp, "expected a positive SD, got %s", TSIM_JNUM(end->base_sd));
  }
  tsim_jnumber(&L->c, b, p, "correlation", 1, -0.999, 0.999, &end->base_corr);
}

/* "sd": one number for every arm, or an object keyed by arm. */
static void load_sd(loader *L, const cJSON *e, const char *ep, tsim_endpoint *end) {
  char p[TSIM_JPATH_MAX];
  tsim_jpath_key(p, ep, "sd");
  const cJSON *v = tsim_jget(e, "sd");
  for (int a = 0; a < TSIM_MAX_ARMS; a++) end->sd[a] = 1;
  if (!v) { tsim_jerr(&L->c, p, "required key is missing"); return; }
  double sd[1][TSIM_MAX_ARMS];
  for (int a = 0; a < TSIM_MAX_ARMS; a++) sd[0][a] = 1;
  if (cJSON_IsNumber(v)) {
    double d;
    if (tsim_jvalue_number(&L->c, v, p, 0, 1e12, &d) == 1)
      for (int a = 0; a < TSIM_MAX_ARMS; a++) sd[0][a] = d;
  } else {
    arm_values(L, v, p, (arm_spec){1, 1, 0, "end point", 0, 1e12}, sd);
  }
  for (int a = 0; a < L->sc->narms; a++)
    if (sd[0][a] <= 0) {
      char ap[TSIM_JPATH_MAX];
      if (cJSON_IsNumber(v)) snprintf(ap, sizeof ap, "%s", p);
      else tsim_jpath_key(ap, p, L->sc->arms[a].id);
      tsim_jerr(&L->c, ap, "expected a positive SD, got %s", TSIM_JNUM(sd[0][a]));
      if (cJSON_IsNumber(v)) break;
    }
  memcpy(end->sd, sd[0], sizeof end->sd);
}

static void load_derivation(loader *L, const cJSON *e, const char *ep, tsim_endpoint *end) {
  static const char *const keys[] = {"endpoint", "at_most", "at_least", NULL};
  char p[TSIM_JPATH_MAX];
  tsim_jpath_key(p, ep, "from");
  const cJSON *f = tsim_jget(e, "from");
  if (!tsim_jobject(&L->c, f, p)) return;
  tsim_jkeys(&L->c, f, p, keys);
  end->source = -2; /* resolved once every end point is known */
  int most = !!tsim_jget(f, "at_most"), least = !!tsim_jget(f, "at_least");
  if (most + least != 1) {
    tsim_jerr(&L->c, p, "expected exactly one of \"at_most\" and \"at_least\", got %d",
              most + least);
    return;
  }
  end->at_least = least;
  tsim_jnumber(&L->c, f, p, least ? "at_least" : "at_most", 1, -1e12, 1e12, &end->threshold);
  if (tsim_jget(e, "visits")) {
    char vp[TSIM_JPATH_MAX];
    tsim_jpath_key(vp, ep, "visits");
    tsim_jerr(&L->c, vp, "a derived end point is assessed at its source's visits");
  }
}

/* Keys that one kind of end point must not have. */
static void forbid(loader *L, const cJSON *e, const char *ep, const char *const keys[],
                   const char *why) {
  for (int i = 0; keys[i]; i++)
    if (tsim_jget(e, keys[i])) {
      char p[TSIM_JPATH_MAX];
      tsim_jpath_key(p, ep, keys[i]);
      tsim_jerr(&L->c, p, "%s", why);
    }
}

static void load_endpoint(loader *L, const cJSON *e, const char *ep, tsim_endpoint *end) {
  static const char *const keys[] = {"id", "type", "response", "higher_is_better", "visits",
                                     "mean", "sd", "baseline", "from", "p0", NULL};
  static const char *const not_binary[] = {"mean", "sd", "baseline", NULL};
  static const char *const not_derived[] = {"response", NULL};
  static const char *const not_continuous[] = {"response", "from", "p0", NULL};
  tsim_scenario *sc = L->sc;
  end->higher_is_better = 1;
  end->source = -1;
  end->p0 = NAN;
  end->nvisits = 1;
  end->visits[0] = sc->nvisits - 1;
  if (!tsim_jobject(&L->c, e, ep)) return;
  tsim_jkeys(&L->c, e, ep, keys);
  char id[TSIM_ID_MAX] = "";
  if (tsim__get_id(L, e, ep, id) == 1 && tsim__find_endpoint(sc, id) >= 0) {
    char ip[TSIM_JPATH_MAX];
    tsim_jpath_key(ip, ep, "id");
    tsim_jerr(&L->c, ip, "duplicate end point id \"%s\"", id);
  }
  memcpy(end->id, id, sizeof id);
  int type = 0;
  if (tsim_jenum(&L->c, e, ep, "type", 1, tsim_ep_type_names, &type) != 1) L->model_ok = 0;
  end->type = (tsim_ep_type)type;
  tsim_jbool(&L->c, e, ep, "higher_is_better", 0, &end->higher_is_better);
  char rp[TSIM_JPATH_MAX];
  if (type == TSIM_EP_CONTINUOUS) {
    forbid(L, e, ep, not_continuous, "not a key of a continuous end point");
    const cJSON *m = tsim_jget(e, "mean");
    endpoint_visits(L, e, ep, end, m);
    tsim_jpath_key(rp, ep, "mean");
    if (!m) tsim_jerr(&L->c, rp, "required key is missing");
    else arm_values(L, m, rp, (arm_spec){1, end->nvisits, 0, "end point", -1e12, 1e12}, end->mean_v);
    load_sd(L, e, ep, end);
    load_baseline(L, e, ep, end);
    return;
  }
  forbid(L, e, ep, not_binary, "not a key of a binary end point (a continuous one has it)");
  if (tsim_jget(e, "p0")) {
    double p0 = NAN;
    if (tsim_jprob(&L->c, e, ep, "p0", 0, &p0) == 1 && L->arms_ok && sc->narms > 1) {
      tsim_jpath_key(rp, ep, "p0");
      tsim_jerr(&L->c, rp, "only meaningful in a single-arm design (a control arm is the "
                           "reference here)");
    }
    end->p0 = p0;
  }
  if (tsim_jget(e, "from")) {
    forbid(L, e, ep, not_derived, "a derived end point's response follows from its source");
    load_derivation(L, e, ep, end);
    return;
  }
  const cJSON *r = tsim_jget(e, "response");
  endpoint_visits(L, e, ep, end, r);
  tsim_jpath_key(rp, ep, "response");
  if (!r) tsim_jerr(&L->c, rp, "required key is missing");
  else arm_values(L, r, rp, (arm_spec){1, end->nvisits, 0, "end point", 0, 1}, end->resp_v);
  memcpy(end->response, end->resp_v[end->nvisits - 1], sizeof end->response);
}

/* A derived end point's source, visits and implied response probabilities. */
static void resolve_derived(loader *L, const cJSON *arr, const char *p) {
  tsim_scenario *sc = L->sc;
  int i = 0;
  for (const cJSON *e = arr->child; e; e = e->next, i++) {
    tsim_endpoint *end = &sc->endpoints[i];
    if (end->source != -2) continue;
    char ep[TSIM_JPATH_MAX], fp[TSIM_JPATH_MAX];
    tsim_jpath_index(ep, p, i);
    tsim_jpath_key(fp, ep, "from");
    int s = tsim__endpoint_ref(L, tsim_jget(e, "from"), fp, "endpoint", 1);
    end->source = -1;
    if (s < 0) continue;
    const tsim_endpoint *src = &sc->endpoints[s];
    if (src->type != TSIM_EP_CONTINUOUS || src->source >= 0) {
      char sp[TSIM_JPATH_MAX];
      tsim_jpath_key(sp, fp, "endpoint");
      tsim_jerr(&L->c, sp, "expected a continuous end point, \"%s\" is binary", src->id);
      continue;
    }
    end->source = s;
    if (!isnan(end->p0)) {
      char pp[TSIM_JPATH_MAX];
      tsim_jpath_key(pp, ep, "p0");
      if (end->p0 <= 0 || end->p0 >= 1)
        tsim_jerr(&L->c, pp, "a derived end point's p0 must lie strictly between 0 and 1 (it "
                             "sets its source's mean under the null twin), got %s", TSIM_JNUM(end->p0));
      for (int k = 0; k < i; k++)
        if (sc->endpoints[k].source == s && !isnan(sc->endpoints[k].p0))
          tsim_jerr(&L->c, pp, "\"%s\" and \"%s\" are both derived from \"%s\" with a p0: the "
                               "null twin can give the source only one mean", sc->endpoints[k].id,
                    end->id, src->id);
    }
    end->nvisits = src->nvisits;
    memcpy(end->visits, src->visits, sizeof end->visits);
    for (int v = 0; v < end->nvisits; v++)
      for (int a = 0; a < sc->narms; a++) {
        double below = gsl_cdf_ugaussian_P((end->threshold - src->mean_v[v][a]) / src->sd[a]);
        end->resp_v[v][a] = end->at_least ? 1 - below : below;
      }
    memcpy(end->response, end->resp_v[end->nvisits - 1], sizeof end->response);
  }
}

static void load_endpoints(loader *L, const cJSON *root) {
  tsim_scenario *sc = L->sc;
  char p[TSIM_JPATH_MAX];
  const cJSON *arr = tsim__get_array(L, root, "$", "endpoints", 1, 1, TSIM_MAX_ENDPOINTS, p);
  if (!arr) L->model_ok = 0;
  int i = 0;
  for (const cJSON *e = arr ? arr->child : NULL; e; e = e->next, i++) {
    char ep[TSIM_JPATH_MAX];
    tsim_jpath_index(ep, p, i);
    sc->nendpoints = i + 1;
    load_endpoint(L, e, ep, &sc->endpoints[i]);
  }
  if (arr) resolve_derived(L, arr, p);
}

/* ---- dropout and deviations ------------------------------------------------------------- */

static void load_dropout(loader *L, const cJSON *root) {
  tsim_scenario *sc = L->sc;
  int nv = sc->nvisits;
  const cJSON *d = tsim_jget(root, "dropout");
  double by[TSIM_MAX_VISITS][TSIM_MAX_ARMS];
  memset(by, 0, sizeof by);
  /* Per arm: an array gives the cumulative probability by each visit; a number is the
   * probability of being gone by the last visit, spread evenly over the visits. */
  if (d) arm_values(L, d, "$.dropout", (arm_spec){0, nv, 1, "scenario", 0, 1}, by);
  for (int a = 0; a < sc->narms && d; a++) {
    for (int v = 1; v < nv; v++)
      if (by[v][a] < by[v - 1][a]) {
        char p[TSIM_JPATH_MAX];
        tsim_jpath_key(p, "$.dropout", sc->arms[a].id);
        tsim_jerr(&L->c, p, "expected a cumulative probability that never decreases, got %s "
                            "after %s", TSIM_JNUM(by[v][a]), TSIM_JNUM(by[v - 1][a]));
        break;
      }
  }
  for (int a = 0; a < sc->narms; a++) {
    for (int v = 0; v < nv; v++) sc->arms[a].dropout_by[v] = by[v][a];
    sc->arms[a].dropout = by[nv - 1][a];
  }
  const cJSON *dev = tsim_jget(root, "deviation");
  if (dev) {
    double x[1][TSIM_MAX_ARMS];
    memset(x, 0, sizeof x);
    arm_values(L, dev, "$.deviation", (arm_spec){0, 1, 0, "scenario", 0, 1}, x);
    for (int a = 0; a < sc->narms; a++) sc->arms[a].deviation = x[0][a];
  }
  /* "deviators_respond_as": {"arm": "other arm"}. */
  for (int a = 0; a < sc->narms; a++) sc->arms[a].deviators_as = -1;
  const cJSON *as = tsim_jget(root, "deviators_respond_as");
  if (as && tsim_jobject(&L->c, as, "$.deviators_respond_as")) {
    for (const cJSON *m = as->child; m; m = m->next) {
      char p[TSIM_JPATH_MAX];
      tsim_jpath_key(p, "$.deviators_respond_as", m->string ? m->string : "");
      int a = m->string ? tsim__find_arm(sc, m->string) : -1;
      if (a < 0) {
        tsim__unknown_arm(L, p, m->string ? m->string : "");
        continue;
      }
      int b = tsim__arm_ref(L, as, "$.deviators_respond_as", m->string);
      if (b == a) tsim_jerr(&L->c, p, "an arm's deviating patients respond as another arm's; \"%s\" is the same arm", m->string);
      else if (b >= 0) sc->arms[a].deviators_as = b;
    }
  }
}

/* ---- subgroups, correlations, outcome-dependent dropout ------------------------------------ */

static void load_subgroups(loader *L, const cJSON *root) {
  static const char *const keys[] = {"id", "prevalence", NULL};
  tsim_scenario *sc = L->sc;
  char p[TSIM_JPATH_MAX];
  const cJSON *arr = tsim__get_array(L, root, "$", "subgroups", 0, 1, TSIM_MAX_SUBGROUPS, p);
  int i = 0;
  for (const cJSON *g = arr ? arr->child : NULL; g; g = g->next, i++) {
    char gp[TSIM_JPATH_MAX];
    tsim_jpath_index(gp, p, i);
    tsim_subgroup *sg = &sc->subgroups[i];
    sc->nsubgroups = i + 1;
    if (!tsim_jobject(&L->c, g, gp)) continue;
    tsim_jkeys(&L->c, g, gp, keys);
    if (tsim__get_id(L, g, gp, sg->id) == 1)
      for (int k = 0; k < i; k++)
        if (strcmp(sc->subgroups[k].id, sg->id) == 0) {
          char ip[TSIM_JPATH_MAX];
          tsim_jpath_key(ip, gp, "id");
          tsim_jerr(&L->c, ip, "duplicate subgroup id \"%s\"", sg->id);
        }
    if (tsim_jprob(&L->c, g, gp, "prevalence", 1, &sg->prevalence) == 1 && sg->prevalence <= 0) {
      char pp[TSIM_JPATH_MAX];
      tsim_jpath_key(pp, gp, "prevalence");
      tsim_jerr(&L->c, pp, "expected a prevalence above 0 (an empty subgroup has nothing to "
                           "analyse)");
    }
  }
}

/* "correlation": [{"endpoints": [A, B], "rho": r}, ...]: latent correlations of pairs of
 * non-derived end points; unlisted pairs are 0. The matrix must be positive definite. */
static void load_correlation(loader *L, const cJSON *root) {
  static const char *const keys[] = {"endpoints", "rho", NULL};
  tsim_scenario *sc = L->sc;
  char p[TSIM_JPATH_MAX];
  for (int e = 0; e < TSIM_MAX_ENDPOINTS; e++)
    for (int f = 0; f < TSIM_MAX_ENDPOINTS; f++) sc->corr[e][f] = e == f;
  int maxpairs = TSIM_MAX_ENDPOINTS * (TSIM_MAX_ENDPOINTS - 1) / 2;
  const cJSON *arr = tsim__get_array(L, root, "$", "correlation", 0, 0, maxpairs, p);
  if (!arr) return;
  int i = 0, ok = 1;
  unsigned char seen[TSIM_MAX_ENDPOINTS][TSIM_MAX_ENDPOINTS] = {{0}};
  for (const cJSON *c = arr->child; c; c = c->next, i++) {
    char cp[TSIM_JPATH_MAX], ep[TSIM_JPATH_MAX];
    tsim_jpath_index(cp, p, i);
    if (!tsim_jobject(&L->c, c, cp)) { ok = 0; continue; }
    tsim_jkeys(&L->c, c, cp, keys);
    double rho = 0;
    if (tsim_jnumber(&L->c, c, cp, "rho", 1, -0.999, 0.999, &rho) != 1) ok = 0;
    const cJSON *pair = tsim__get_array(L, c, cp, "endpoints", 1, 2, 2, ep);
    if (!pair) { ok = 0; continue; }
    int idx[2] = {-1, -1}, k = 0;
    for (const cJSON *v = pair->child; v; v = v->next, k++) {
      char vp[TSIM_JPATH_MAX];
      tsim_jpath_index(vp, ep, k);
      if (tsim_jvalue_string(&L->c, v, vp, "an end point id") != 1) continue;
      idx[k] = tsim__find_endpoint(sc, v->valuestring);
      if (idx[k] < 0) tsim_jerr(&L->c, vp, "unknown end point \"%s\"", v->valuestring);
      else if (sc->endpoints[idx[k]].source >= 0) {
        tsim_jerr(&L->c, vp, "\"%s\" is derived from \"%s\": correlate its source",
                  v->valuestring, sc->endpoints[sc->endpoints[idx[k]].source].id);
        idx[k] = -1;
      }
    }
    if (idx[0] < 0 || idx[1] < 0) { ok = 0; continue; }
    if (idx[0] == idx[1]) { tsim_jerr(&L->c, ep, "expected two different end points"); ok = 0; continue; }
    if (seen[idx[0]][idx[1]]) { tsim_jerr(&L->c, ep, "this pair is listed twice"); ok = 0; continue; }
    seen[idx[0]][idx[1]] = seen[idx[1]][idx[0]] = 1;
    sc->corr[idx[0]][idx[1]] = sc->corr[idx[1]][idx[0]] = rho;
  }
  if (!ok) return;
  int n = sc->nendpoints;
  double m[TSIM_MAX_ENDPOINTS * TSIM_MAX_ENDPOINTS];
  for (int e = 0; e < n; e++)
    for (int f = 0; f < n; f++) m[e * n + f] = sc->corr[e][f];
  if (tsim_cholesky(m, n) != 0)
    tsim_jerr(&L->c, p, "the correlations listed do not form a valid correlation matrix (it "
                        "is not positive definite): some pairs contradict each other");
}

static void load_mnar(loader *L, const cJSON *root) {
  static const char *const keys[] = {"endpoint", "ratio", NULL};
  tsim_scenario *sc = L->sc;
  const char *p = "$.dropout_mnar";
  sc->mnar_endpoint = -1;
  sc->mnar_ratio = 1;
  const cJSON *m = tsim_jget(root, "dropout_mnar");
  if (!m || !tsim_jobject(&L->c, m, p)) return;
  tsim_jkeys(&L->c, m, p, keys);
  int e = tsim__endpoint_ref(L, m, p, "endpoint", 1);
  double r = 1;
  if (tsim_jnumber(&L->c, m, p, "ratio", 1, 0, 1000, &r) == 1 && r <= 0)
    tsim_jerr(&L->c, "$.dropout_mnar.ratio", "expected a positive ratio, got %s", TSIM_JNUM(r));
  if (e < 0) return;
  if (sc->endpoints[e].type != TSIM_EP_BINARY) {
    tsim_jerr(&L->c, "$.dropout_mnar.endpoint", "expected a binary end point (responders and "
              "non-responders), \"%s\" is continuous: derive a responder end point from it",
              sc->endpoints[e].id);
    return;
  }
  sc->mnar_endpoint = e;
  sc->mnar_ratio = r;
  /* Dropout D r / (q + r (1 - q)) for non-responders and D / (q + r (1 - q)) for responders
   * must stay probabilities, under the scenario (q the arm's response) and its null twin (q
   * the control's, or p0). */
  for (int a = 0; a < sc->narms && r > 0 && L->arms_ok; a++)
    for (int h = 0; h < 2; h++) {
      const tsim_endpoint *ep = &sc->endpoints[e];
      double q = h == 0 ? ep->response[a] : sc->single_arm ? ep->p0 : ep->response[sc->control];
      if (isnan(q)) q = ep->response[a];
      double d = sc->arms[a].dropout;
      if (d * fmax(r, 1) / (q + r * (1 - q)) > 1 + 1e-12) {
        tsim_jerr(&L->c, "$.dropout_mnar.ratio", "with dropout %s and response %s in arm \"%s\"%s, "
                  "a ratio of %s would make %s drop out with probability above 1",
                  TSIM_JNUM(d), TSIM_JNUM(q), sc->arms[a].id, h ? " under the null twin" : "", TSIM_JNUM(r),
                  r > 1 ? "non-responders" : "responders");
        return;
      }
    }
}


/* ---- intercurrent events ----------------------------------------------------------------- */

/* "intercurrent_events": [{"id", "probability": {arm: p or [p by visit]}, "depends_on":
 * {"endpoint", "ratio"}, "after": "kept" | "control" | {"wane_weeks": w}, "shift": {endpoint:
 * d}}]. */
static void load_event(loader *L, const cJSON *o, const char *p, tsim_event *ev) {
  static const char *const keys[] = {"id", "probability", "depends_on", "after", "shift", NULL};
  tsim_scenario *sc = L->sc;
  int nv = sc->nvisits;
  ev->dep_endpoint = -1;
  ev->dep_ratio = 1;
  ev->after = TSIM_OFF_KEPT;
  if (!tsim_jobject(&L->c, o, p)) return;
  tsim_jkeys(&L->c, o, p, keys);
  if (tsim__get_id(L, o, p, ev->id) == 1)
    for (const tsim_event *b = sc->events; b < ev; b++)
      if (strcmp(b->id, ev->id) == 0) {
        char ip[TSIM_JPATH_MAX];
        tsim_jpath_key(ip, p, "id");
        tsim_jerr(&L->c, ip, "duplicate intercurrent event id \"%s\"", ev->id);
      }
  char q[TSIM_JPATH_MAX];
  tsim_jpath_key(q, p, "probability");
  const cJSON *pr = tsim_jget(o, "probability");
  if (!pr) tsim_jerr(&L->c, q, "is required: each arm's probability of the event by the last visit "
                               "(a number) or by each visit (an array)");
  else arm_values(L, pr, q, (arm_spec){0, nv, 1, "scenario", 0, 1}, ev->by);
  for (int a = 0; pr && a < sc->narms && L->arms_ok; a++)
    for (int v = 1; v < nv; v++)
      if (ev->by[v][a] < ev->by[v - 1][a]) {
        char ap[TSIM_JPATH_MAX];
        tsim_jpath_key(ap, q, sc->arms[a].id);
        tsim_jerr(&L->c, ap, "expected a cumulative probability that never decreases, got %s after %s",
                  TSIM_JNUM(ev->by[v][a]), TSIM_JNUM(ev->by[v - 1][a]));
        break;
      }
  const cJSON *d = tsim_jget(o, "depends_on");
  tsim_jpath_key(q, p, "depends_on");
  if (d && tsim_jobject(&L->c, d, q)) {
    static const char *const dkeys[] = {"endpoint", "ratio", NULL};
    tsim_jkeys(&L->c, d, q, dkeys);
    int e = tsim__endpoint_ref(L, d, q, "endpoint", 1);
    double r = 1;
    char rp[TSIM_JPATH_MAX];
    tsim_jpath_key(rp, q, "ratio");
    if (tsim_jnumber(&L->c, d, q, "ratio", 1, 0, 1000, &r) == 1 && r <= 0)
      tsim_jerr(&L->c, rp, "expected a positive ratio, got %s", TSIM_JNUM(r));
    if (e >= 0 && sc->endpoints[e].type != TSIM_EP_BINARY) {
      char ep[TSIM_JPATH_MAX];
      tsim_jpath_key(ep, q, "endpoint");
      tsim_jerr(&L->c, ep, "expected a binary end point (responders and non-responders), \"%s\" is "
                "continuous: derive a responder end point from it", sc->endpoints[e].id);
    } else if (e >= 0 && r > 0) {
      ev->dep_endpoint = e;
      ev->dep_ratio = r;
      /* The event's probability p r / (q + r (1 - q)) for non-responders, p / (q + r (1 - q))
       * for responders, must stay a probability under the scenario and its null twin (every arm
       * the control's event probabilities and response). */
      for (int a = 0; a < sc->narms && L->arms_ok; a++)
        for (int h = 0; h < 2; h++) {
          int b = h ? sc->control : a;
          double qr = sc->endpoints[e].response[b], pe = ev->by[nv - 1][b];
          if (pe * fmax(r, 1) / (qr + r * (1 - qr)) > 1 + 1e-12) {
            tsim_jerr(&L->c, rp, "with probability %s and response %s in arm \"%s\"%s, a ratio of %s "
                      "would give %s the event with probability above 1", TSIM_JNUM(pe), TSIM_JNUM(qr),
                      sc->arms[b].id, h ? " (the null twin's)" : "", TSIM_JNUM(r),
                      r > 1 ? "non-responders" : "responders");
            h = 2, a = sc->narms;
          }
        }
    }
  }
  const cJSON *af = tsim_jget(o, "after");
  tsim_jpath_key(q, p, "after");
  if (af && cJSON_IsObject(af)) {
    static const char *const akeys[] = {"wane_weeks", NULL};
    tsim_jkeys(&L->c, af, q, akeys);
    double w = 0;
    char wp[TSIM_JPATH_MAX];
    tsim_jpath_key(wp, q, "wane_weeks");
    if (tsim_jnumber(&L->c, af, q, "wane_weeks", 1, 0, 1e6, &w) == 1) {
      if (!(w > 0)) tsim_jerr(&L->c, wp, "expected a positive number of weeks, got %s", TSIM_JNUM(w));
      else if (!(sc->visit_week[nv - 1] > 0))
        tsim_jerr(&L->c, wp, "an effect that wanes over weeks needs visits with weeks (\"visits\")");
      else ev->after = TSIM_OFF_WANE, ev->wane_weeks = w;
    }
  } else if (af) {
    int k = 0;
    if (tsim_jenum(&L->c, o, p, "after", 0, tsim_off_treatment_names, &k) == 1) {
      if (k == TSIM_OFF_WANE)
        tsim_jerr(&L->c, q, "give the weeks over which the effect wanes: {\"wane_weeks\": 12}");
      else ev->after = (tsim_off_treatment)k;
    }
  }
  const cJSON *sh = tsim_jget(o, "shift");
  tsim_jpath_key(q, p, "shift");
  if (sh && tsim_jobject(&L->c, sh, q)) {
    for (const cJSON *m = sh->child; m; m = m->next) {
      char mp[TSIM_JPATH_MAX];
      tsim_jpath_key(mp, q, m->string ? m->string : "");
      if (tsim_jget(sh, m->string) != m) { tsim_jerr(&L->c, mp, "duplicate key"); continue; }
      int e = tsim__find_endpoint(sc, m->string);
      double x;
      if (e < 0) tsim_jerr(&L->c, mp, "unknown end point \"%s\"", m->string);
      else if (sc->endpoints[e].source >= 0)
        tsim_jerr(&L->c, mp, "\"%s\" is derived from \"%s\": it follows its source's shift", m->string,
                  sc->endpoints[sc->endpoints[e].source].id);
      else if (tsim_jvalue_number(&L->c, m, mp, sc->endpoints[e].type == TSIM_EP_BINARY ? -10 : -1e12,
                                  sc->endpoints[e].type == TSIM_EP_BINARY ? 10 : 1e12, &x) == 1)
        ev->shift[e] = x;
    }
  }
}

static void load_events(loader *L, const cJSON *root) {
  tsim_scenario *sc = L->sc;
  char p[TSIM_JPATH_MAX];
  const cJSON *arr = tsim__get_array(L, root, "$", "intercurrent_events", 0, 1, TSIM_MAX_EVENTS, p);
  L->events_bad = !arr && tsim_jget(root, "intercurrent_events") != NULL;
  int i = 0;
  for (const cJSON *o = arr ? arr->child : NULL; o; o = o->next, i++) {
    char op[TSIM_JPATH_MAX];
    tsim_jpath_index(op, p, i);
    sc->nevents = i + 1;
    load_event(L, o, op, &sc->events[i]);
  }
}

void tsim__load_strategy(tsim__loader *L, const cJSON *an, const char *ap, tsim_analysis *a) {
  tsim_scenario *sc = L->sc;
  const cJSON *st = tsim_jget(an, "strategy");
  char p[TSIM_JPATH_MAX];
  tsim_jpath_key(p, ap, "strategy");
  if (!st) return;
  if (sc->nevents == 0) {
    if (!L->events_bad) /* else the events' own error says it */
      tsim_jerr(&L->c, p, "names how the analysis handles intercurrent events, and the scenario has none "
                "(\"intercurrent_events\")");
    return;
  }
  int one = -1;
  if (cJSON_IsString(st)) {
    if (tsim_jenum(&L->c, an, ap, "strategy", 1, tsim_strategy_names, &one) != 1) return;
    for (int k = 0; k < sc->nevents; k++) a->strategy[k] = (unsigned char)one;
  } else if (tsim_jobject(&L->c, st, p)) {
    for (const cJSON *m = st->child; m; m = m->next) {
      char mp[TSIM_JPATH_MAX];
      tsim_jpath_key(mp, p, m->string ? m->string : "");
      if (tsim_jget(st, m->string) != m) { tsim_jerr(&L->c, mp, "duplicate key"); continue; }
      int k = 0;
      while (k < sc->nevents && strcmp(sc->events[k].id, m->string) != 0) k++;
      if (k == sc->nevents) {
        char known[TSIM_MAX_EVENTS * (TSIM_ID_MAX + 4)] = "";
        for (int i = 0; i < sc->nevents; i++)
          snprintf(known + strlen(known), sizeof known - strlen(known), "%s\"%s\"", i ? ", " : "", sc->events[i].id);
        tsim_jerr(&L->c, mp, "unknown intercurrent event \"%s\" (the scenario's: %s)", m->string, known);
        continue;
      }
      int x = 0;
      if (tsim_jenum(&L->c, st, p, m->string, 1, tsim_strategy_names, &x) == 1) a->strategy[k] = (unsigned char)x;
    }
  } else {
    return;
  }
  const tsim_endpoint *ep = &sc->endpoints[a->endpoint];
  for (int k = 0; k < sc->nevents; k++)
    if (a->strategy[k] == TSIM_STRAT_COMPOSITE && ep->type != TSIM_EP_BINARY) {
      tsim_jerr(&L->c, p, "a composite strategy counts the event as a failure, which needs a binary end point; "
                "\"%s\" is continuous: derive a responder end point from it", ep->id);
      break;
    }
}

void tsim__check_events(tsim__loader *L) {
  tsim_scenario *sc = L->sc;
  if (sc->nevents == 0) return;
  const char *p = "$.intercurrent_events";
  const char *why = sc->single_arm ? "a single-arm design"
                    : sc->looks.n > 0 ? "interim looks (\"looks\")"
                    : sc->monitoring.nrules > 0 ? "site monitoring (\"monitoring\")" : NULL;
  if (why) tsim_jerr(&L->c, p, "cannot go with %s yet", why);
  for (int i = 0; i < sc->nanalyses; i++) {
    const tsim_analysis *a = &sc->analyses[i];
    if (a->hypothesis != TSIM_HYPO_SUPERIORITY) {
      char q[TSIM_JPATH_MAX], r[TSIM_JPATH_MAX];
      tsim_jpath_index(q, "$.analyses", i);
      tsim_jpath_key(r, q, "hypothesis");
      tsim_jerr(&L->c, r, "a margin (\"hypothesis\") cannot go with intercurrent events yet: the null twin "
                "would need the estimand, not the arms' parameters, at the margin");
    }
  }
  /* One hypothetical value per patient: without the events some analysis treats hypothetically.
   * An analysis that treats some of them hypothetically must count the others as failures. */
  unsigned mask = 0;
  for (int i = 0; i < sc->nanalyses; i++)
    for (int k = 0; k < sc->nevents; k++)
      if (sc->analyses[i].strategy[k] == TSIM_STRAT_HYPOTHETICAL) mask |= 1u << k;
  sc->hyp_mask = mask;
  for (int i = 0; i < sc->nanalyses; i++) {
    const tsim_analysis *a = &sc->analyses[i];
    unsigned own = 0;
    for (int k = 0; k < sc->nevents; k++)
      if (a->strategy[k] == TSIM_STRAT_HYPOTHETICAL) own |= 1u << k;
    for (int k = 0; own && k < sc->nevents; k++)
      if ((mask >> k & 1) && !(own >> k & 1) && a->strategy[k] != TSIM_STRAT_COMPOSITE) {
        char q[TSIM_JPATH_MAX], r[TSIM_JPATH_MAX];
        tsim_jpath_index(q, "$.analyses", i);
        tsim_jpath_key(r, q, "strategy");
        tsim_jerr(&L->c, r, "treats some events hypothetically and \"%s\" as %s, while another analysis treats "
                  "it hypothetically: each patient has one hypothetical value (without every event some analysis "
                  "treats hypothetically), so an analysis must treat those events alike or as composite",
                  sc->events[k].id, tsim_strategy_names[a->strategy[k]]);
        break;
      }
  }
}

/* ---- the whole model ------------------------------------------------------------------------ */

void tsim__load_model(loader *L, const cJSON *root) {
  tsim_scenario *sc = L->sc;
  L->model_ok = 1;
  load_visits(L, root);
  load_endpoints(L, root);
  load_dropout(L, root);
  load_subgroups(L, root);
  load_correlation(L, root);
  load_mnar(L, root);
  load_events(L, root);
  int latent = sc->single_arm || sc->nvisits > 1 || sc->nsubgroups > 0 || sc->mnar_endpoint >= 0 || sc->nevents > 0;
  for (int e = 0; e < sc->nendpoints; e++) {
    latent = latent || sc->endpoints[e].type == TSIM_EP_CONTINUOUS || sc->endpoints[e].source >= 0;
    for (int f = 0; f < e; f++) latent = latent || sc->corr[e][f] != 0;
  }
  sc->latent = latent;
}
