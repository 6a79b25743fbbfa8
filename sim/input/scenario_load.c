/* scenario_load.c - loading and strict validation of scenario files (see scenario.h and
 * scenarios/README.md, which documents every key).
 *
 * Validation runs per object kind in short functions; each keeps going after a problem so
 * that one run of `trialsim check` lists everything wrong with a file. Cross-references (an
 * analysis naming an arm, an anomaly naming a site) are resolved after the objects they point
 * to, and a reference into a part that itself failed to parse is reported too: the message
 * still names the right path.
 */
#include "input/scenario.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/jcheck.h"
#include "input/jpath.h"
#include "input/latent_layout.h"
#include "input/scenario_internal.h"

const char *const tsim_rand_names[] = {"fixed", "simple", "block", NULL};
const char *const tsim_enroll_names[] = {"random", "balanced", NULL};
const char *const tsim_population_names[] = {"itt", "per_protocol", NULL};
const char *const tsim_missing_names[] = {"non_responder", "exclude", "locf", "multiple_imputation", NULL};
const char *const tsim_imputation_names[] = {"mar", "jump_to_reference", "copy_increments_in_reference", "copy_reference",
                                             NULL};
const char *const tsim_sampling_names[] = {"auto", "patient", "cell", NULL};
const char *const tsim_mult_names[] = {"fixed_sequence", "bonferroni", "holm", NULL};

#define SCENARIO_MAX_BYTES (16u << 20) /* a scenario is a few KB; refuse to slurp huge files */

typedef tsim__loader loader;

/* ---- arms ---------------------------------------------------------------------------- */

static void load_arms(loader *L, const cJSON *root) {
  static const char *const keys[] = {"id", "allocation", "control", NULL};
  char p[TSIM_JPATH_MAX];
  tsim_scenario *sc = L->sc;
  size_t before = tsim_diag_count(L->c.diag);
  const cJSON *arr = tsim__get_array(L, root, "$", "arms", 1, 1, TSIM_MAX_ARMS, p);
  if (!arr) return;
  sc->single_arm = cJSON_GetArraySize(arr) == 1;
  int i = 0, ncontrol = 0;
  for (const cJSON *a = arr->child; a; a = a->next, i++) {
    char ap[TSIM_JPATH_MAX];
    tsim_jpath_index(ap, p, i);
    tsim_arm *arm = &sc->arms[i];
    arm->allocation = 1.0;
    if (!tsim_jobject(&L->c, a, ap)) continue;
    tsim_jkeys(&L->c, a, ap, keys);
    if (tsim__get_id(L, a, ap, arm->id) == 1 && tsim__find_arm(sc, arm->id) >= 0) {
      char ip[TSIM_JPATH_MAX];
      tsim_jpath_key(ip, ap, "id");
      tsim_jerr(&L->c, ip, "duplicate arm id \"%s\"", arm->id);
    }
    double alloc = 1.0;
    if (tsim_jnumber(&L->c, a, ap, "allocation", 0, 0, 1e6, &alloc) == 1 && alloc <= 0) {
      char ip[TSIM_JPATH_MAX];
      tsim_jpath_key(ip, ap, "allocation");
      tsim_jerr(&L->c, ip, "expected a positive allocation, got %s", TSIM_JNUM(alloc));
    }
    arm->allocation = alloc;
    tsim_jbool(&L->c, a, ap, "control", 0, &arm->is_control);
    if (arm->is_control) { sc->control = i; ncontrol++; }
    sc->narms = i + 1;
  }
  if (sc->single_arm && ncontrol > 0)
    tsim_jerr(&L->c, p, "a single-arm design has no control arm (each end point's \"p0\" is "
                        "the reference)");
  else if (!sc->single_arm && ncontrol != 1)
    tsim_jerr(&L->c, p, "expected exactly one arm with \"control\": true, got %d", ncontrol);
  L->arms_ok = tsim_diag_count(L->c.diag) == before;
}

/* ---- sample size and randomisation ---------------------------------------------------- */

static void load_sample_size(loader *L, const cJSON *root) {
  tsim_scenario *sc = L->sc;
  /* Any number above the limit gets the memory message, not the range of a whole number. */
  const cJSON *v = tsim_jget(root, "sample_size");
  if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble > (double)TSIM_MAX_SAMPLE) {
    double gib = v->valuedouble * 24.0 / (1u << 30);
    tsim_jerr(&L->c, "$.sample_size",
              "%s patients per trial is too large: each thread's workspace would need about "
              "%s GiB (the limit is %lld patients)",
              TSIM_JNUM(v->valuedouble), TSIM_JNUM(tsim_jround(gib, 3)), TSIM_MAX_SAMPLE);
    return;
  }
  long long n = 0;
  if (tsim_jint(&L->c, root, "$", "sample_size", 1, 1, TSIM_MAX_SAMPLE, &n) != 1) return;
  sc->sample_size = n;
  if (!L->arms_ok) return;
  /* Every arm must expect at least one patient at its allocation, or the comparison is void. */
  double total = 0;
  for (int a = 0; a < sc->narms; a++) total += sc->arms[a].allocation;
  for (int a = 0; a < sc->narms; a++)
    if (tsim_floor_share((double)n * sc->arms[a].allocation / total) < 1) {
      tsim_jerr(&L->c, "$.sample_size",
                "%lld patients is too small for %d arms: arm \"%s\" would get fewer than one "
                "patient at its allocation",
                n, sc->narms, sc->arms[a].id);
      return;
    }
}

static void load_randomization(loader *L, const cJSON *root) {
  static const char *const keys[] = {"method", "block_size", "stratify_by_site", NULL};
  tsim_scenario *sc = L->sc;
  const char *p = "$.randomization";
  sc->rand_method = TSIM_RAND_FIXED;
  const cJSON *r = tsim_jget(root, "randomization");
  if (!r) return;
  if (!tsim_jobject(&L->c, r, p)) return;
  tsim_jkeys(&L->c, r, p, keys);
  int m = TSIM_RAND_FIXED;
  int mst = tsim_jenum(&L->c, r, p, "method", 0, tsim_rand_names, &m);
  sc->rand_method = (tsim_rand_method)m;
  tsim_jbool(&L->c, r, p, "stratify_by_site", 0, &sc->stratify_by_site);
  long long bs = 0;
  int st = tsim_jint(&L->c, r, p, "block_size", m == TSIM_RAND_BLOCK, 1, TSIM_MAX_BLOCK, &bs);
  if (mst < 0) return; /* unknown method: which keys belong with it is unknown too */
  if (st == 1 && m != TSIM_RAND_BLOCK)
    tsim_jerr(&L->c, "$.randomization.block_size", "only meaningful with \"method\": \"block\"");
  if (sc->stratify_by_site && m != TSIM_RAND_BLOCK)
    tsim_jerr(&L->c, "$.randomization.stratify_by_site",
              "only meaningful with \"method\": \"block\"");
  if (st != 1 || m != TSIM_RAND_BLOCK) return;
  sc->block_size = (int)bs;
  if (!L->arms_ok) return;
  /* A permuted block holds each arm allocation-many times per repeat: the allocations must be
   * whole numbers and the block a multiple of their sum. */
  double units = 0;
  for (int a = 0; a < sc->narms; a++) {
    if (sc->arms[a].allocation != floor(sc->arms[a].allocation)) {
      tsim_jerr(&L->c, "$.randomization.block_size",
                "block randomisation needs whole-number allocations, arm \"%s\" has %s",
                sc->arms[a].id, TSIM_JNUM(sc->arms[a].allocation));
      return;
    }
    units += sc->arms[a].allocation;
  }
  if (fmod((double)bs, units) != 0)
    tsim_jerr(&L->c, "$.randomization.block_size",
              "expected a multiple of the allocation total %s, got %lld", TSIM_JNUM(units), bs);
}

/* ---- sites and anomalies --------------------------------------------------------------- */

static int *load_site_list(loader *L, const cJSON *obj, const char *path, const char *key,
                           int *count) {
  char p[TSIM_JPATH_MAX];
  const cJSON *arr = tsim__get_array(L, obj, path, key, 1, 0, TSIM_MAX_SITES, p);
  *count = 0;
  if (!arr) return NULL;
  int n = cJSON_GetArraySize(arr);
  int *sites = calloc((size_t)n + 1, sizeof *sites);
  unsigned char *seen = calloc(TSIM_MAX_SITES, 1);
  if (!sites || !seen) {
    free(sites);
    free(seen);
    tsim_jerr(&L->c, p, "out of memory");
    return NULL;
  }
  /* Without a valid site count only the form of each index can be checked. */
  long long hi = L->sites_ok ? L->sc->nsites - 1 : TSIM_MAX_SITES - 1;
  int i = 0, ok = 1;
  for (const cJSON *v = arr->child; v; v = v->next, i++) {
    char ep[TSIM_JPATH_MAX];
    long long s = 0;
    tsim_jpath_index(ep, p, i);
    if (tsim_jvalue_int(&L->c, v, ep, 0, hi, &s) != 1) { ok = 0; continue; }
    if (seen[s]) { tsim_jerr(&L->c, ep, "site %lld listed twice", s); ok = 0; }
    seen[s] = 1;
    sites[i] = (int)s;
  }
  free(seen);
  if (!ok || !L->sites_ok) { free(sites); return NULL; }
  *count = n;
  return sites;
}

static void load_anomaly(loader *L, const cJSON *a, const char *ap, tsim_anomaly *an) {
  static const char *const keys[] = {"sites", "random_sites", "site_probability", "arm",
                                     "endpoint", "response", "mean", "enabled", NULL};
  tsim_scenario *sc = L->sc;
  an->endpoint = -1;
  an->arm = -1;
  if (!tsim_jobject(&L->c, a, ap)) return;
  tsim_jkeys(&L->c, a, ap, keys);
  int given = !!tsim_jget(a, "sites") + !!tsim_jget(a, "random_sites") +
              !!tsim_jget(a, "site_probability");
  if (given != 1)
    tsim_jerr(&L->c, ap, "expected exactly one of \"sites\", \"random_sites\" and "
                         "\"site_probability\", got %d", given);
  if (tsim_jget(a, "sites")) {
    an->mode = TSIM_ANOM_LISTED;
    an->sites = load_site_list(L, a, ap, "sites", &an->nsites);
  }
  long long k = 0;
  if (tsim_jint(&L->c, a, ap, "random_sites", 0, 1, L->sites_ok ? sc->nsites : TSIM_MAX_SITES,
                &k) == 1) {
    an->mode = TSIM_ANOM_RANDOM_COUNT;
    an->random_count = (int)k;
  }
  if (tsim_jprob(&L->c, a, ap, "site_probability", 0, &an->site_probability) == 1)
    an->mode = TSIM_ANOM_RANDOM_PROB;
  an->arm = tsim__arm_ref(L, a, ap, "arm");
  an->response = an->mean = NAN;
  int has_r = tsim_jprob(&L->c, a, ap, "response", 0, &an->response);
  int has_m = tsim_jnumber(&L->c, a, ap, "mean", 0, -1e12, 1e12, &an->mean);
  if (has_r == 0 && has_m == 0)
    tsim_jerr(&L->c, ap, "expected \"response\" (binary end points), \"mean\" (continuous "
                         "ones) or both");
  if (tsim_jget(a, "endpoint")) {
    an->endpoint = tsim__endpoint_ref(L, a, ap, "endpoint", 0);
    if (an->endpoint < 0) { an->endpoint = -1; return; }
    const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
    char p[TSIM_JPATH_MAX];
    tsim_jpath_key(p, ap, "endpoint");
    if (ep->source >= 0)
      tsim_jerr(&L->c, p, "\"%s\" is derived from \"%s\": give the anomaly a \"mean\" on "
                          "the source", ep->id, sc->endpoints[ep->source].id);
    else if (ep->type == TSIM_EP_BINARY && has_r != 1 && has_m >= 0)
      tsim_jerr(&L->c, p, "\"%s\" is binary: the anomaly needs a \"response\"", ep->id);
    else if (ep->type == TSIM_EP_CONTINUOUS && has_m != 1 && has_r >= 0)
      tsim_jerr(&L->c, p, "\"%s\" is continuous: the anomaly needs a \"mean\"", ep->id);
  }
  /* Turned off: the rule is checked as any other and still picks its sites in every trial, so
   * the random draws of every other rule, and everything after them, stay the same; it just
   * forces nothing (a NaN response or mean is skipped wherever the model applies rules). */
  an->enabled = 1;
  tsim_jswitch(&L->c, a, ap, "enabled", 0, &an->enabled);
  if (!an->enabled) an->response = an->mean = NAN;
}

static void load_site_weights(loader *L, const cJSON *s) {
  tsim_scenario *sc = L->sc;
  char p[TSIM_JPATH_MAX];
  /* Without a valid count the weights' number cannot be checked, only each weight. */
  int lo = L->sites_ok ? sc->nsites : 0, hi = L->sites_ok ? sc->nsites : TSIM_MAX_SITES;
  const cJSON *arr = tsim__get_array(L, s, "$.sites", "weights", 0, lo, hi, p);
  if (!arr && L->sites_ok && cJSON_IsArray(tsim_jget(s, "weights")))
    tsim_jerr(&L->c, p, "expected one weight per site (%d)", sc->nsites);
  double total = 0;
  int i = 0;
  for (const cJSON *v = arr ? arr->child : NULL; v; v = v->next, i++) {
    char ep[TSIM_JPATH_MAX];
    tsim_jpath_index(ep, p, i);
    double w = 0;
    if (tsim_jvalue_number(&L->c, v, ep, 0, 1e12, &w) == 1 && L->sites_ok)
      sc->site_weights[i] = w;
    total += w;
  }
  if (arr && total <= 0) tsim_jerr(&L->c, p, "expected at least one positive weight");
  if (!arr || total <= 0 || !L->sites_ok) {
    for (i = 0; i < sc->nsites; i++) sc->site_weights[i] = 1.0;
    total = sc->nsites;
  }
  for (i = 0; i < sc->nsites; i++) sc->site_weights[i] /= total;
}

static void load_sites(loader *L, const cJSON *root) {
  static const char *const keys[] = {"count", "weights", "enrollment", "heterogeneity_sd",
                                     "anomalies", NULL};
  tsim_scenario *sc = L->sc;
  const char *p = "$.sites";
  sc->nsites = 1;
  const cJSON *s = tsim_jget(root, "sites");
  L->sites_ok = !s;
  if (s && tsim_jobject(&L->c, s, p)) {
    tsim_jkeys(&L->c, s, p, keys);
    long long n = 1;
    if (tsim_jint(&L->c, s, p, "count", 1, 1, TSIM_MAX_SITES, &n) == 1) {
      sc->nsites = (int)n;
      L->sites_ok = 1;
    }
    int e = TSIM_ENROLL_RANDOM;
    tsim_jenum(&L->c, s, p, "enrollment", 0, tsim_enroll_names, &e);
    sc->enrollment = (tsim_enrollment)e;
    tsim_jnumber(&L->c, s, p, "heterogeneity_sd", 0, 0, 10, &sc->heterogeneity_sd);
  }
  sc->site_weights = calloc((size_t)sc->nsites, sizeof *sc->site_weights);
  if (!sc->site_weights) { tsim_jerr(&L->c, p, "out of memory"); return; }
  if (!s || !cJSON_IsObject(s)) {
    sc->site_weights[0] = 1.0;
    return;
  }
  load_site_weights(L, s);
  char ap[TSIM_JPATH_MAX];
  const cJSON *arr = tsim__get_array(L, s, p, "anomalies", 0, 0, TSIM_MAX_ANOMALIES, ap);
  int i = 0;
  for (const cJSON *a = arr ? arr->child : NULL; a; a = a->next, i++) {
    char ep[TSIM_JPATH_MAX];
    tsim_jpath_index(ep, ap, i);
    load_anomaly(L, a, ep, &sc->anomalies[i]);
    sc->nanomalies = i + 1;
  }
}

/* ---- analyses ------------------------------------------------------------------------- */

static void load_where(loader *L, const cJSON *an, const char *ap, tsim_analysis *a) {
  static const char *const keys[] = {"arm", "response_at_least", "min_patients", NULL};
  char p[TSIM_JPATH_MAX];
  tsim_jpath_key(p, ap, "exclude_sites_where");
  const cJSON *w = tsim_jget(an, "exclude_sites_where");
  if (!w || !tsim_jobject(&L->c, w, p)) return;
  tsim_jkeys(&L->c, w, p, keys);
  a->has_where = 1;
  a->where_min = 1;
  a->where_arm = tsim__arm_ref(L, w, p, "arm");
  tsim_jprob(&L->c, w, p, "response_at_least", 1, &a->where_rate);
  long long m = 1;
  if (tsim_jint(&L->c, w, p, "min_patients", 0, 1, TSIM_MAX_SAMPLE, &m) == 1) a->where_min = (int)m;
}

static void load_exclude(loader *L, const cJSON *an, const char *ap, tsim_analysis *a) {
  if (!tsim_jget(an, "exclude_sites")) return;
  int n = 0;
  int *sites = load_site_list(L, an, ap, "exclude_sites", &n);
  if (!sites) return;
  char p[TSIM_JPATH_MAX];
  tsim_jpath_key(p, ap, "exclude_sites");
  a->exclude = calloc((size_t)L->sc->nsites, 1);
  if (!a->exclude) tsim_jerr(&L->c, p, "out of memory");
  else
    for (int i = 0; i < n; i++) a->exclude[sites[i]] = 1;
  free(sites);
  if (n == L->sc->nsites) tsim_jerr(&L->c, p, "excludes every site, leaving nothing to analyse");
}

/* "visit" (a week among the end point's visits) and "subgroup" (an id). */
static void load_visit_subgroup(loader *L, const cJSON *an, const char *ap, tsim_analysis *a) {
  tsim_scenario *sc = L->sc;
  const tsim_endpoint *ep = &sc->endpoints[a->endpoint];
  char p[TSIM_JPATH_MAX];
  a->visit = ep->nvisits - 1;
  a->subgroup = -1;
  double week;
  if (tsim_jget(an, "visit") && sc->visit_week[0] == 0) {
    tsim_jpath_key(p, ap, "visit");
    tsim_jerr(&L->c, p, "the scenario has no \"visits\": there is one assessment, and no visit "
                        "to choose");
  } else if (tsim_jnumber(&L->c, an, ap, "visit", 0, 0, 1e6, &week) == 1) {
    a->visit = -1;
    for (int v = 0; v < ep->nvisits; v++)
      if (sc->visit_week[ep->visits[v]] == week) a->visit = v;
    if (a->visit < 0) {
      char list[200] = "";
      size_t used = 0;
      for (int v = 0; v < ep->nvisits && used < sizeof list - 20; v++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", v ? ", " : "",
                                 TSIM_JNUM(sc->visit_week[ep->visits[v]]));
      tsim_jpath_key(p, ap, "visit");
      tsim_jerr(&L->c, p, "\"%s\" is not assessed at week %s (its visits: %s)", ep->id, TSIM_JNUM(week),
                sc->visit_week[0] > 0 ? list : "none listed");
      a->visit = ep->nvisits - 1;
    }
  }
  char id[TSIM_ID_MAX];
  if (tsim_jstring(&L->c, an, ap, "subgroup", 0, id, sizeof id) == 1) {
    for (int g = 0; g < sc->nsubgroups; g++)
      if (strcmp(sc->subgroups[g].id, id) == 0) a->subgroup = g;
    if (a->subgroup < 0) {
      tsim_jpath_key(p, ap, "subgroup");
      tsim_jerr(&L->c, p, "unknown subgroup \"%s\"", id);
    }
  }
}

/* "missing": "multiple_imputation" and its "imputation": {"method", "imputations", "reference",
 * "delta"}: continuous end points, two-sample tests whose results Rubin's rules pool. */
static void load_imputation(loader *L, const cJSON *an, const char *ap, tsim_analysis *a, int cont) {
  static const char *const keys[] = {"method", "imputations", "reference", "delta", NULL};
  tsim_scenario *sc = L->sc;
  const cJSON *im = tsim_jget(an, "imputation");
  char p[TSIM_JPATH_MAX];
  tsim_jpath_key(p, ap, "imputation");
  a->imp_m = 20;
  a->imp_ref = sc->control;
  int mi = a->missing == TSIM_MISSING_MI;
  if (im && !mi) {
    tsim_jerr(&L->c, p, "goes with \"missing\": \"multiple_imputation\"");
    return;
  }
  if (!mi) return;
  char mp[TSIM_JPATH_MAX];
  tsim_jpath_key(mp, ap, "missing");
  if (!cont)
    tsim_jerr(&L->c, mp, "multiple imputation fills a continuous end point's values; \"%s\" is binary "
              "(impute its continuous source, or use \"non_responder\")", sc->endpoints[a->endpoint].id);
  else if (a->test == TSIM_TEST_WILCOXON)
    tsim_jerr(&L->c, mp, "multiple imputation pools an estimate and its variance (Rubin's rules): use "
              "\"welch_t\", \"student_t\" or \"ancova\", not \"wilcoxon\"");
  else if (sc->single_arm || sc->narms > 8)
    tsim_jerr(&L->c, mp, "multiple imputation is for 2 to 8 arms with a control");
  if (!im || !tsim_jobject(&L->c, im, p)) return;
  tsim_jkeys(&L->c, im, p, keys);
  int m = 0, got = tsim_jenum(&L->c, im, p, "method", 0, tsim_imputation_names, &m);
  if (got == 1) a->imp_method = (tsim_imputation)m;
  long long k = 20;
  if (tsim_jint(&L->c, im, p, "imputations", 0, 2, 1000, &k) == 1) a->imp_m = (int)k;
  if (tsim_jget(im, "reference")) {
    int r = tsim__arm_ref(L, im, p, "reference");
    if (r >= 0) a->imp_ref = r;
    /* Under MAR every arm is imputed from its own patients: a reference would be read by nobody. */
    char rp[TSIM_JPATH_MAX];
    tsim_jpath_key(rp, p, "reference");
    if (got >= 0 && a->imp_method == TSIM_IMP_MAR)
      tsim_jerr(&L->c, rp, "goes with a reference-based \"method\" (\"jump_to_reference\", "
                "\"copy_increments_in_reference\", \"copy_reference\"); \"mar\" imputes each arm from its own "
                "patients");
  }
  tsim_jnumber(&L->c, im, p, "delta", 0, -1e12, 1e12, &a->imp_delta);
}

/* Barnard's test computes each p-value over every table of its two arms, (n0 + 1)(n1 + 1) of
 * them, whenever the arm sizes it sees are new (scenarios/STATISTICS.md; the same sizes again
 * cost nothing). At a million tables, 1,000 patients an arm, a new pair of sizes costs some 0.2
 * to 0.4 s on this project's machine, and arm sizes that vary from trial to trial (dropout,
 * simple randomisation) make a run of 10,000 trials take about an hour; the cost grows with the
 * tables (80 s a p-value at 10,000 an arm). At most this many for the planned sizes. */
#define TSIM_BARNARD_MAX_TABLES 1000000.0

/* The largest (n0 + 1)(n1 + 1) of analysis an's comparisons at their planned arm sizes - the
 * allocation's shares of the sample size, times the subgroup's prevalence and the enrolment
 * weight of the sites it keeps, rounded up: everyone it could analyse - and those sizes. */
static double barnard_tables(const tsim_scenario *sc, const tsim_analysis *an, long long *n0, long long *n1) {
  double w = 0, most = 0, share = 1;
  if (an->subgroup >= 0) share *= sc->subgroups[an->subgroup].prevalence;
  if (an->exclude && sc->site_weights) {
    double kept = 0;
    for (int s = 0; s < sc->nsites; s++) kept += an->exclude[s] ? 0 : sc->site_weights[s];
    share *= kept;
  }
  for (int a = 0; a < sc->narms; a++) w += sc->arms[a].allocation;
  for (int a = 0; a < sc->narms && w > 0; a++) {
    if (a == sc->control) continue;
    double c = ceil((double)sc->sample_size * share * sc->arms[sc->control].allocation / w);
    double e = ceil((double)sc->sample_size * share * sc->arms[a].allocation / w);
    if ((c + 1) * (e + 1) > most) most = (c + 1) * (e + 1), *n0 = (long long)c, *n1 = (long long)e;
  }
  return most;
}

/* The test, the missing-data rule and the site rules must suit the end point and design. */
static void check_analysis(loader *L, const cJSON *an, const char *ap, tsim_analysis *a,
                           int miss_given) {
  tsim_scenario *sc = L->sc;
  const tsim_endpoint *ep = &sc->endpoints[a->endpoint];
  int cont = ep->type == TSIM_EP_CONTINUOUS;
  tsim_test_kind kind = tsim_test_info_of(a->test)->kind; /* the catalogue's kind column */
  char p[TSIM_JPATH_MAX];
  tsim_jpath_key(p, ap, "test");
  if (sc->single_arm && tsim_kind_margin(kind))
    tsim_jerr(&L->c, p, "a single-arm design is judged against p0 with \"binomial_exact\"");
  else if (tsim_jget(an, "test") && cont != (kind == TSIM_KIND_CONTINUOUS))
    tsim_jerr(&L->c, p, "\"%s\" is a test for %s end points, \"%s\" is %s",
              tsim_test_names[a->test], cont ? "binary" : "continuous", ep->id,
              cont ? "continuous" : "binary");
  else if (sc->single_arm && kind != TSIM_KIND_SINGLE_ARM)
    tsim_jerr(&L->c, p, "a single-arm design is judged against p0 with \"binomial_exact\"");
  else if (!sc->single_arm && kind == TSIM_KIND_SINGLE_ARM && L->arms_ok)
    tsim_jerr(&L->c, p, "\"%s\" tests a single arm against p0; this design has a control arm",
              tsim_test_names[a->test]);
  else if (sc->single_arm && isnan(ep->p0))
    tsim_jerr(&L->c, p, "end point \"%s\" needs a \"p0\" to be judged against", ep->id);
  else if (a->test == TSIM_TEST_BARNARD && L->arms_ok && sc->sample_size > 0) {
    long long n0 = 0, n1 = 0;
    double tables = barnard_tables(sc, a, &n0, &n1);
    if (tables > TSIM_BARNARD_MAX_TABLES)
      tsim_jerr(&L->c, p, "\"barnard\" computes each p-value over all %.0f tables of arms of up to %lld and %lld "
                "patients (sample_size %lld), at most %.0f (about 1,000 patients an arm, where each new pair of arm "
                "sizes already costs a few tenths of a second; beyond, a run takes hours): it is a test for small "
                "samples, and at this size \"pearson\" and \"n1_chisq\" agree with it", tables, n0, n1,
                sc->sample_size, TSIM_BARNARD_MAX_TABLES);
  } else if (a->test == TSIM_TEST_ANCOVA && !ep->has_baseline)
    tsim_jerr(&L->c, p, "\"ancova\" adjusts for a baseline: give end point \"%s\" a "
                        "\"baseline\"", ep->id);
  else if (a->test == TSIM_TEST_MMRM && miss_given && a->missing != TSIM_MISSING_EXCLUDE) {
    tsim_jpath_key(p, ap, "missing");
    tsim_jerr(&L->c, p, "\"mmrm\" analyses every value observed at the end point's visits up to the analysis's "
              "(its missing values are missing at random under the model): leave \"missing\" out or give \"exclude\"");
  }
  tsim_jpath_key(p, ap, "missing");
  if (cont && a->missing == TSIM_MISSING_NON_RESPONDER) {
    if (miss_given)
      tsim_jerr(&L->c, p, "\"non_responder\" is for binary end points; a continuous one "
                          "takes \"exclude\" (complete cases), \"locf\" or \"multiple_imputation\"");
    a->missing = TSIM_MISSING_EXCLUDE;
  }
  load_imputation(L, an, ap, a, cont);
  if (a->has_where && cont) {
    tsim_jpath_key(p, ap, "exclude_sites_where");
    tsim_jerr(&L->c, p, "the data-driven site rule reads response rates, and \"%s\" is "
                        "continuous: list the sites in \"exclude_sites\"", ep->id);
  }
}

static void load_analysis(loader *L, const cJSON *an, const char *ap, tsim_analysis *a) {
  static const char *const keys[] = {"id", "endpoint", "population", "missing", "test", "alpha",
                                     "exclude_sites", "exclude_sites_where", "visit",
                                     "subgroup", "sided", "exclude_flagged", "hypothesis", "strategy", "imputation", NULL};
  tsim_scenario *sc = L->sc;
  a->alpha = sc->alpha;
  a->subgroup = -1;
  a->sided = 2;
  if (!tsim_jobject(&L->c, an, ap)) return;
  tsim_jkeys(&L->c, an, ap, keys);
  if (tsim__get_id(L, an, ap, a->id) == 1)
    for (const tsim_analysis *b = sc->analyses; b < a; b++)
      if (strcmp(b->id, a->id) == 0) {
        char ip[TSIM_JPATH_MAX];
        tsim_jpath_key(ip, ap, "id");
        tsim_jerr(&L->c, ip, "duplicate analysis id \"%s\"", a->id);
      }
  char ep_id[TSIM_ID_MAX];
  int st = tsim_jstring(&L->c, an, ap, "endpoint", sc->nendpoints != 1, ep_id, sizeof ep_id);
  int ep_ok = st == 0 || st == 1;
  if (st == 1 && (a->endpoint = tsim__find_endpoint(sc, ep_id)) < 0) {
    char p[TSIM_JPATH_MAX];
    tsim_jpath_key(p, ap, "endpoint");
    tsim_jerr(&L->c, p, "unknown end point \"%s\"", ep_id);
    a->endpoint = 0;
    ep_ok = 0;
  }
  int pop = 0, miss = 0, test = 0;
  tsim_jenum(&L->c, an, ap, "population", 1, tsim_population_names, &pop);
  int miss_given = tsim_jenum(&L->c, an, ap, "missing", 0, tsim_missing_names, &miss) == 1;
  if (miss_given && pop != TSIM_POP_ITT) {
    char p[TSIM_JPATH_MAX];
    tsim_jpath_key(p, ap, "missing");
    tsim_jerr(&L->c, p, "only meaningful with \"population\": \"itt\" (per-protocol excludes "
                        "dropouts by definition)");
  }
  int test_ok = tsim_jenum(&L->c, an, ap, "test", 1, tsim_test_names, &test) == 1;
  a->population = (tsim_population)pop;
  a->missing = (tsim_missing)miss;
  a->test = (tsim_test)test;
  double alpha = sc->alpha;
  if (tsim_jnumber(&L->c, an, ap, "alpha", 0, -DBL_MAX, DBL_MAX, &alpha) == 1 && (alpha <= 0 || alpha >= 1)) {
    char p[TSIM_JPATH_MAX];
    tsim_jpath_key(p, ap, "alpha");
    tsim_jerr(&L->c, p, "expected a level strictly between 0 and 1, got %s", TSIM_JNUM(alpha));
  }
  a->alpha = alpha;
  long long sided = 2;
  tsim_jint(&L->c, an, ap, "sided", 0, 1, 2, &sided);
  a->sided = (int)sided;
  load_exclude(L, an, ap, a);
  load_where(L, an, ap, a);
  if (!ep_ok || !L->model_ok || sc->nendpoints == 0) return;
  load_visit_subgroup(L, an, ap, a);
  if (test_ok) check_analysis(L, an, ap, a, miss_given);
  if (test_ok) tsim__load_hypothesis(L, an, ap, a);
  if (a->missing == TSIM_MISSING_MI && a->hypothesis != TSIM_HYPO_SUPERIORITY) {
    char p[TSIM_JPATH_MAX];
    tsim_jpath_key(p, ap, "hypothesis");
    tsim_jerr(&L->c, p, "multiple imputation is not yet tested against a margin: pool a superiority analysis, "
              "or analyse the complete cases against the margin");
  }
  tsim__load_strategy(L, an, ap, a);
}

static void load_analyses(loader *L, const cJSON *root) {
  char p[TSIM_JPATH_MAX];
  const cJSON *arr = tsim__get_array(L, root, "$", "analyses", 1, 1, TSIM_MAX_ANALYSES, p);
  int i = 0;
  for (const cJSON *an = arr ? arr->child : NULL; an; an = an->next, i++) {
    char ap[TSIM_JPATH_MAX];
    tsim_jpath_index(ap, p, i);
    L->sc->nanalyses = i + 1;
    load_analysis(L, an, ap, &L->sc->analyses[i]);
  }
}

/* ---- multiplicity ------------------------------------------------------------------------ */

static int find_analysis(const tsim_scenario *sc, const char *id) {
  for (int i = 0; i < sc->nanalyses; i++)
    if (strcmp(sc->analyses[i].id, id) == 0) return i;
  return -1;
}

static void load_members(loader *L, const cJSON *pr, const char *pp, tsim_procedure *proc) {
  char ap[TSIM_JPATH_MAX];
  const cJSON *arr = tsim__get_array(L, pr, pp, "analyses", 1, 2, TSIM_MAX_ANALYSES, ap);
  int i = 0;
  for (const cJSON *v = arr ? arr->child : NULL; v; v = v->next, i++) {
    char ep[TSIM_JPATH_MAX];
    tsim_jpath_index(ep, ap, i);
    if (tsim_jvalue_string(&L->c, v, ep, "an analysis id") != 1) continue;
    int k = find_analysis(L->sc, v->valuestring);
    if (k < 0) { tsim_jerr(&L->c, ep, "unknown analysis \"%s\"", v->valuestring); continue; }
    for (int j = 0; j < proc->nmembers; j++)
      if (proc->members[j] == k) { tsim_jerr(&L->c, ep, "analysis \"%s\" listed twice", v->valuestring); k = -1; break; }
    if (k >= 0) proc->members[proc->nmembers++] = k;
  }
}

static void load_procedure(loader *L, const cJSON *pr, const char *pp, tsim_procedure *proc) {
  static const char *const keys[] = {"id", "method", "analyses", "alpha", NULL};
  tsim_scenario *sc = L->sc;
  if (!tsim_jobject(&L->c, pr, pp)) return;
  tsim_jkeys(&L->c, pr, pp, keys);
  if (tsim__get_id(L, pr, pp, proc->id) == 1)
    for (const tsim_procedure *q = sc->procedures; q < proc; q++)
      if (strcmp(q->id, proc->id) == 0) {
        char ip[TSIM_JPATH_MAX];
        tsim_jpath_key(ip, pp, "id");
        tsim_jerr(&L->c, ip, "duplicate procedure id \"%s\"", proc->id);
      }
  int m = 0;
  tsim_jenum(&L->c, pr, pp, "method", 1, tsim_mult_names, &m);
  proc->method = (tsim_mult_method)m;
  load_members(L, pr, pp, proc);
  proc->alpha = sc->alpha;
  char ap[TSIM_JPATH_MAX];
  tsim_jpath_key(ap, pp, "alpha");
  int st = tsim_jnumber(&L->c, pr, pp, "alpha", 0, -DBL_MAX, DBL_MAX, &proc->alpha);
  if (st == 1 && proc->method == TSIM_MULT_FIXED_SEQUENCE)
    tsim_jerr(&L->c, ap, "not used by \"fixed_sequence\" (each analysis is tested at its own alpha)");
  else if (st == 1 && (proc->alpha <= 0 || proc->alpha >= 1))
    tsim_jerr(&L->c, ap, "expected a level strictly between 0 and 1, got %s", TSIM_JNUM(proc->alpha));
}

static void load_multiplicity(loader *L, const cJSON *root) {
  char p[TSIM_JPATH_MAX];
  const cJSON *arr = tsim__get_array(L, root, "$", "multiplicity", 0, 1, TSIM_MAX_PROCEDURES, p);
  int i = 0;
  for (const cJSON *pr = arr ? arr->child : NULL; pr; pr = pr->next, i++) {
    char pp[TSIM_JPATH_MAX];
    tsim_jpath_index(pp, p, i);
    L->sc->nprocedures = i + 1;
    load_procedure(L, pr, pp, &L->sc->procedures[i]);
  }
}

/* ---- sweep ------------------------------------------------------------------------------ */

/* "sweep": {"set": {"PATH": "40:200:20" | [v, ...], ...}, "zip": false}. Only the form is
 * checked here; `trialsim sweep` validates every grid point as a scenario before running. */
static void load_sweep_param(loader *L, const cJSON *v, const char *p) {
  tsim_grid *g = &L->sc->sweep;
  char why[300];
  if (cJSON_IsString(v)) {
    tsim_param tmp;
    if (tsim_grid_parse_values(v->valuestring, &tmp, why, sizeof why) != 0) {
      tsim_jerr(&L->c, p, "%s", why);
      return;
    }
    int st = tsim_grid_add_values(g, v->string, tmp.values, tmp.nvalues, tmp.boolean, why, sizeof why);
    free(tmp.values);
    if (st != 0) tsim_jerr(&L->c, p, "%s", why);
    return;
  }
  int n = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : 0;
  if (n < 1 || n > TSIM_GRID_MAX_VALUES) {
    char got[64];
    tsim_jdescribe(v, got, sizeof got);
    tsim_jerr(&L->c, p, "expected a range \"START:STOP:STEP\" or an array of 1 to %d numbers, "
                        "got %s%s", TSIM_GRID_MAX_VALUES, got, cJSON_IsArray(v) ? " of that size" : "");
    return;
  }
  double *vals = malloc((size_t)n * sizeof *vals);
  if (!vals) { tsim_jerr(&L->c, p, "out of memory"); return; }
  int i = 0, ok = 1, boolean = 0;
  for (const cJSON *e = v->child; e; e = e->next, i++) {
    char ep[TSIM_JPATH_MAX];
    tsim_jpath_index(ep, p, i);
    if (cJSON_IsBool(e)) vals[i] = cJSON_IsTrue(e), boolean = 1; /* a switch, as on the command line (grid.h) */
    else if (tsim_jvalue_number(&L->c, e, ep, -1e300, 1e300, &vals[i]) != 1) ok = 0;
  }
  if (ok && tsim_grid_add_values(g, v->string, vals, n, boolean, why, sizeof why) != 0)
    tsim_jerr(&L->c, p, "%s", why);
  free(vals);
}

static void load_sweep(loader *L, const cJSON *root) {
  static const char *const keys[] = {"set", "zip", NULL};
  const char *p = "$.sweep";
  const cJSON *s = tsim_jget(root, "sweep");
  if (!s || !tsim_jobject(&L->c, s, p)) return;
  tsim_jkeys(&L->c, s, p, keys);
  tsim_jbool(&L->c, s, p, "zip", 0, &L->sc->sweep.zip);
  const cJSON *set = tsim_jget(s, "set");
  if (!set) { tsim_jerr(&L->c, "$.sweep.set", "required key is missing"); return; }
  if (!tsim_jobject(&L->c, set, "$.sweep.set")) return;
  for (const cJSON *v = set->child; v; v = v->next) {
    char vp[TSIM_JPATH_MAX];
    tsim_jpath_key(vp, "$.sweep.set", v->string);
    load_sweep_param(L, v, vp);
  }
  char why[300];
  if (L->sc->sweep.nparams > 0 && tsim_grid_finish(&L->sc->sweep, why, sizeof why) != 0)
    tsim_jerr(&L->c, "$.sweep", "%s", why);
}

/* ---- top level ------------------------------------------------------------------------ */

static void load_top(loader *L, const cJSON *root) {
  static const char *const keys[] = {"name", "description", "arms", "sample_size",
                                     "randomization", "sites", "endpoints", "dropout",
                                     "deviation", "analyses", "alpha", "trials", "seed", "sweep",
                                     "sampling", "multiplicity", "visits", "visit_correlation",
                                     "correlation", "subgroups", "dropout_mnar", "accrual", "looks", "monitoring",
                                     "deviators_respond_as", "intercurrent_events", NULL};
  tsim_scenario *sc = L->sc;
  size_t before = tsim_diag_count(L->c.diag);
  tsim_jkeys(&L->c, root, "$", keys);
  if (tsim_jstring(&L->c, root, "$", "name", 1, sc->name, sizeof sc->name) == 1 &&
      !tsim__valid_name(sc->name))
    tsim_jerr(&L->c, "$.name", "expected " NAME_RULE " (it names the results folder), "
                               "got \"%s\"", sc->name);
  const cJSON *desc = tsim_jget(root, "description");
  if (desc && !cJSON_IsString(desc)) {
    char got[64];
    tsim_jdescribe(desc, got, sizeof got);
    tsim_jerr(&L->c, "$.description", "expected a string, got %s", got);
  }
  sc->description = strdup(desc && cJSON_IsString(desc) ? desc->valuestring : "");
  sc->alpha = 0.05;
  if (tsim_jnumber(&L->c, root, "$", "alpha", 0, -DBL_MAX, DBL_MAX, &sc->alpha) == 1 &&
      (sc->alpha <= 0 || sc->alpha >= 1))
    tsim_jerr(&L->c, "$.alpha", "expected a level strictly between 0 and 1, got %s", TSIM_JNUM(sc->alpha));
  sc->trials = 10000;
  tsim_jint(&L->c, root, "$", "trials", 0, 1, TSIM_MAX_TRIALS, &sc->trials);
  long long seed = 1;
  tsim_jint(&L->c, root, "$", "seed", 0, 0, TSIM_MAX_SEED, &seed);
  sc->seed = (uint64_t)seed;

  load_arms(L, root);
  load_sample_size(L, root);
  load_randomization(L, root);
  tsim__load_model(L, root);
  load_sites(L, root);
  load_analyses(L, root);
  load_multiplicity(L, root);
  tsim__load_time(L, root);
  tsim__check_margins(L);
  tsim__load_monitoring(L, root);
  tsim__check_events(L);
  if (tsim_diag_count(L->c.diag) == before) tsim__load_nulls(L);
  load_sweep(L, root);
  int sampling = TSIM_SAMPLING_AUTO;
  tsim_jenum(&L->c, root, "$", "sampling", 0, tsim_sampling_names, &sampling);
  /* "cell" where it cannot be: every feature at fault named once. Deviators who respond as
   * another arm have their own error below; blocks across unstratified sites have theirs here;
   * the patient-level model's own features ("a, b and c") follow them. */
  int across_sites = sc->rand_method == TSIM_RAND_BLOCK && !sc->stratify_by_site && sc->nsites > 1;
  const char *why[8];
  int nwhy = tsim_scenario_cell_blockers(sc, 1, why, 8);
  char list[512] = ""; /* the patient-level model's features at fault, "a, b and c" */
  for (int i = 0; i < nwhy && i < 8; i++)
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i == 0 ? "" : i + 1 == nwhy ? " and " : ", ",
             why[i]);
  if (sampling == TSIM_SAMPLING_CELL && across_sites)
    tsim_jerr(&L->c, "$.sampling", "\"cell\" needs patients exchangeable within site and arm, "
                                   "but permuted blocks across %d sites assign arms in enrollment "
                                   "order: use \"patient\" or \"auto\", or stratify the blocks "
                                   "by site%s%s%s", sc->nsites, list[0] ? " (this scenario also has " : "", list,
              list[0] ? ", which rule out \"cell\" too)" : "");
  else if (sampling == TSIM_SAMPLING_CELL && list[0])
    tsim_jerr(&L->c, "$.sampling", "\"cell\" draws counts of exchangeable patients per site and arm, "
                                   "but this scenario has %s: use \"patient\" or \"auto\"", list);
  sc->sampling = (tsim_sampling)sampling;
  for (int a = 0; a < sc->narms; a++)
    if (sc->arms[a].deviators_as >= 0 && (sc->latent || sampling == TSIM_SAMPLING_CELL)) {
      tsim_jerr(&L->c, "$.deviators_respond_as", "is simulated patient by patient on binary end points: it "
                "cannot go with %s", !sc->latent ? "\"sampling\": \"cell\""
                : "the patient-level model (continuous, correlated or repeated end points, subgroups, "
                  "outcome-dependent dropout, a single arm or accrual)");
      break;
    }
  if (sc->latent && tsim_diag_count(L->c.diag) == before) {
    int st = tsim_latent_valid(sc);
    if (st == -2) tsim_jerr(&L->c, "$", "out of memory");
    else if (st != 0)
      tsim_jerr(&L->c, sc->visit_corr != 0 ? "$.visit_correlation" : "$.correlation",
                "the correlations of the end points across their visits (correlation x "
                "visit_correlation^lag) form a matrix that is singular to working precision: "
                "move the correlations away from +/-1");
  }
  if (sc->latent) {
    /* Each thread keeps every patient's values under both hypotheses. */
    int m = 0;
    for (int e = 0; e < sc->nendpoints; e++) m += sc->endpoints[e].nvisits + sc->endpoints[e].has_baseline;
    double bytes = (double)sc->sample_size * (16.0 * m + 16) + 16.0 * m * sc->nsites * sc->narms;
    if (m > TSIM_MAX_LATENT)
      tsim_jerr(&L->c, "$.endpoints", "%d end point x visit values and baselines per patient "
                "is too many (the limit is %d)", m, TSIM_MAX_LATENT);
    else if (bytes > (double)(1u << 30))
      tsim_jerr(&L->c, "$.sample_size", "%lld patients with %d values each need about %s GiB "
                "per thread for the patient-level model (the limit is 1 GiB)",
                sc->sample_size, m, TSIM_JNUM(tsim_jround(bytes / (1u << 30), 3)));
  }
  /* Each thread tabulates every trial by end point x site x arm x 8 categories. */
  double cells = (double)sc->nendpoints * sc->nsites * sc->narms;
  if (cells > TSIM_MAX_CELLS)
    tsim_jerr(&L->c, "$.sites.count",
              "%d sites x %d arms x %d end points is too many cells for the per-trial table "
              "(the limit is %d)", sc->nsites, sc->narms, sc->nendpoints, TSIM_MAX_CELLS);
}

tsim_status tsim_scenario_load(const char *file, tsim_scenario **out, tsim_diag *d) {
  return tsim_scenario_load_variant(file, NULL, 0, out, d);
}

/* Applies the overrides to the parsed tree; returns 0 or -1 (reported). */
static int apply_overrides(cJSON *root, const char *file, const tsim_override *ov, int nov,
                           tsim_diag *d) {
  int ok = 1;
  for (int i = 0; i < nov; i++) {
    char why[300];
    if (tsim_jpath_set(root, ov[i].path, ov[i].value, ov[i].boolean, why, sizeof why) != 0) {
      tsim_diag_add(d, "%s: --set %s: %s", file, ov[i].path, why);
      ok = 0;
    }
  }
  return ok ? 0 : -1;
}

struct tsim_scenario_source {
  char *file;  /* as the user gave it (owned) */
  cJSON *root; /* the parsed file, never modified (owned) */
};

static tsim_scenario_source *source_of(const char *file, cJSON *root, tsim_diag *d);

char *tsim_scenario_read_text(const char *file, size_t *len, tsim_diag *d) {
  return tsim_json_read(file, SCENARIO_MAX_BYTES, len, d);
}

static char *(*text_reader)(const char *file, size_t *len, tsim_diag *d) = tsim_scenario_read_text;

void tsim_scenario_set_reader(char *(*read)(const char *file, size_t *len, tsim_diag *d)) {
  text_reader = read ? read : tsim_scenario_read_text;
}

tsim_scenario_source *tsim_scenario_source_open(const char *file, tsim_diag *d) {
  size_t len = 0;
  char *text = text_reader(file, &len, d);
  if (!text) return NULL;
  cJSON *root = tsim_json_parse(file, text, len, d);
  free(text);
  return root ? source_of(file, root, d) : NULL;
}

/* A source owning root (freed on failure). */
static tsim_scenario_source *source_of(const char *file, cJSON *root, tsim_diag *d) {
  tsim_scenario_source *src = calloc(1, sizeof *src);
  if (src) src->file = strdup(file);
  if (!src || !src->file) {
    tsim_diag_add(d, "%s: out of memory", file);
    if (src) free(src);
    cJSON_Delete(root);
    return NULL;
  }
  src->root = root;
  return src;
}

void tsim_scenario_source_close(tsim_scenario_source *src) {
  if (!src) return;
  cJSON_Delete(src->root);
  free(src->file);
  free(src);
}

tsim_status tsim_scenario_from_source(const tsim_scenario_source *src, const tsim_override *ov,
                                      int nov, tsim_scenario **out, tsim_diag *d) {
  *out = NULL;
  const char *file = src->file;
  size_t before = tsim_diag_count(d);
  cJSON *root = cJSON_Duplicate(src->root, 1);
  if (!root) {
    tsim_diag_add(d, "%s: out of memory", file);
    return TSIM_NOMEM;
  }
  if (apply_overrides(root, file, ov, nov, d) != 0) {
    cJSON_Delete(root);
    return TSIM_INPUT;
  }
  tsim_scenario *sc = calloc(1, sizeof *sc);
  if (!sc) { cJSON_Delete(root); return TSIM_NOMEM; }
  sc->file = strdup(file);
  for (int i = 0; i < nov && i < TSIM_GRID_MAX_PARAMS; i++) sc->set[sc->nset++] = ov[i];
  loader L = {{file, d}, sc, 0, 0, 0, 0};
  int is_object = tsim_jobject(&L.c, root, "$");
  if (is_object && tsim_jget(root, "tables") && !tsim_jget(root, "arms")) {
    /* Observed tables, not a scenario: one line saying so, not a line per key. */
    tsim_jerr(&L.c, "$", "this is a data file for 'trialsim analyze' (it has \"tables\" and no \"arms\"), "
                         "not a scenario");
    is_object = 0;
  }
  if (is_object) load_top(&L, root);
  cJSON_Delete(root);
  if (!sc->file || (is_object && !sc->description)) tsim_diag_add(d, "%s: out of memory", file);
  if (tsim_diag_count(d) != before) {
    tsim_scenario_free(sc);
    return d->oom ? TSIM_NOMEM : TSIM_INPUT;
  }
  *out = sc;
  return TSIM_OK;
}

tsim_status tsim_scenario_load_variant(const char *file, const tsim_override *ov, int nov,
                                       tsim_scenario **out, tsim_diag *d) {
  *out = NULL;
  tsim_scenario_source *src = tsim_scenario_source_open(file, d);
  if (!src) return d->oom ? TSIM_NOMEM : TSIM_INPUT;
  tsim_status st = tsim_scenario_from_source(src, ov, nov, out, d);
  tsim_scenario_source_close(src);
  return st;
}

void tsim_scenario_free(tsim_scenario *sc) {
  if (!sc) return;
  for (int i = 0; i < TSIM_MAX_ANOMALIES; i++) free(sc->anomalies[i].sites);
  for (int i = 0; i < TSIM_MAX_ANALYSES; i++) free(sc->analyses[i].exclude);
  free(sc->site_weights);
  free(sc->accrual.open);
  tsim_grid_free(&sc->sweep);
  free(sc->description);
  free(sc->truth_cache);
  free(sc->file);
  free(sc);
}
