/* scenario_monitor.c - the scenario loader's part for site monitoring: "monitoring" (when the
 * checks happen and the rules that flag sites) and each analysis's "exclude_flagged" (the
 * action it takes on flags). See scenario.h (tsim_monitoring) and scenarios/README.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/scenario_internal.h"

const char *const tsim_mon_measure_names[] = {"response", "dropout", "deviation", NULL};
const char *const tsim_mon_test_names[] = {"binomial", "threshold", NULL};
const char *const tsim_mon_direction_names[] = {"higher", "lower", "either", NULL};
const char *const tsim_mon_adjust_names[] = {"none", "sites", "sites_and_checks", NULL};

/* "visit": a week among the end point's visits (default its last), as an analysis's. */
static void load_rule_visit(tsim__loader *L, const cJSON *r, const char *rp, tsim_monitor_rule *m) {
  const tsim_scenario *sc = L->sc;
  const tsim_endpoint *ep = &sc->endpoints[m->endpoint];
  char p[TSIM_JPATH_MAX];
  tsim_jpath_key(p, rp, "visit");
  m->visit = ep->nvisits - 1;
  double week;
  if (tsim_jget(r, "visit") && sc->visit_week[0] == 0) {
    tsim_jerr(&L->c, p, "the scenario has no \"visits\": there is one assessment, and no visit to choose");
  } else if (tsim_jnumber(&L->c, r, rp, "visit", 0, 0, 1e6, &week) == 1) {
    m->visit = -1;
    for (int v = 0; v < ep->nvisits; v++)
      if (sc->visit_week[ep->visits[v]] == week) m->visit = v;
    if (m->visit < 0) {
      tsim_jerr(&L->c, p, "\"%s\" is not assessed at week %s", ep->id, TSIM_JNUM(week));
      m->visit = ep->nvisits - 1;
    }
  }
}

/* Returns 1 when the rule's id loaded, so that "exclude_flagged" can name it. */
static int load_rule(tsim__loader *L, const cJSON *r, const char *rp, tsim_monitor_rule *m) {
  static const char *const keys[] = {"id", "arm", "measure", "endpoint", "visit", "test", "alpha", "adjust",
                                     "direction", "rate_at_least", "min_patients", "stop_enrolling", NULL};
  tsim_scenario *sc = L->sc;
  char p[TSIM_JPATH_MAX];
  m->arm = -1;
  m->min_n = 1;
  if (!tsim_jobject(&L->c, r, rp)) return 0;
  tsim_jkeys(&L->c, r, rp, keys);
  int id_ok = tsim__get_id(L, r, rp, m->id) == 1;
  if (id_ok)
    for (const tsim_monitor_rule *o = sc->monitoring.rules; o < m; o++)
      if (strcmp(o->id, m->id) == 0) {
        tsim_jpath_key(p, rp, "id");
        tsim_jerr(&L->c, p, "duplicate rule id \"%s\"", m->id);
      }
  if (tsim_jget(r, "arm")) {
    int a = tsim__arm_ref(L, r, rp, "arm");
    m->arm = a >= 0 ? a : -1;
  }
  int v = 0;
  if (tsim_jenum(&L->c, r, rp, "measure", 0, tsim_mon_measure_names, &v) == 1) m->measure = (tsim_mon_measure)v;
  m->endpoint = 0;
  int have_ep = L->model_ok && sc->nendpoints > 0;
  if (tsim_jget(r, "endpoint")) {
    int e = tsim__endpoint_ref(L, r, rp, "endpoint", 1);
    have_ep = have_ep && e >= 0;
    m->endpoint = e >= 0 ? e : 0;
  } else if (sc->nendpoints > 1) { /* optional only when there is one end point to default to */
    tsim_jpath_key(p, rp, "endpoint");
    tsim_jerr(&L->c, p, "required key is missing (the scenario has %d end points: name the one the rule reads)",
              sc->nendpoints);
    have_ep = 0;
  }
  if (have_ep) {
    load_rule_visit(L, r, rp, m);
    if (m->measure == TSIM_MON_RESPONSE && sc->endpoints[m->endpoint].type != TSIM_EP_BINARY) {
      tsim_jpath_key(p, rp, tsim_jget(r, "endpoint") ? "endpoint" : "measure");
      tsim_jerr(&L->c, p, "\"response\" counts responders, and \"%s\" is continuous: give a binary end point, "
                          "or \"measure\": \"dropout\" or \"deviation\"", sc->endpoints[m->endpoint].id);
    }
  }
  if (tsim_jenum(&L->c, r, rp, "test", 1, tsim_mon_test_names, &v) != 1) return id_ok;
  m->test = (tsim_mon_test)v;
  int bin = m->test == TSIM_MON_BINOMIAL;
  static const char *const bin_only[] = {"alpha", "adjust", "direction", NULL};
  for (const char *const *k = bin_only; *k && !bin; k++)
    if (tsim_jget(r, *k)) {
      tsim_jpath_key(p, rp, *k);
      tsim_jerr(&L->c, p, "only meaningful with \"test\": \"binomial\"");
    }
  tsim_jpath_key(p, rp, "rate_at_least");
  if (!bin && tsim_jget(r, "rate_at_least") == NULL)
    tsim_jerr(&L->c, p, "\"test\": \"threshold\" needs \"rate_at_least\" (flag a site whose rate is at least it)");
  else if (bin && tsim_jget(r, "rate_at_least"))
    tsim_jerr(&L->c, p, "only meaningful with \"test\": \"threshold\"");
  if (!bin) tsim_jprob(&L->c, r, rp, "rate_at_least", 0, &m->rate);
  /* Any number is read, so that every level out of range gets the one message below. */
  if (bin && tsim_jnumber(&L->c, r, rp, "alpha", 1, -HUGE_VAL, HUGE_VAL, &m->alpha) == 1 &&
      !(m->alpha > 0 && m->alpha < 1)) {
    tsim_jpath_key(p, rp, "alpha");
    tsim_jerr(&L->c, p, "expected a false-alarm level above 0 and below 1, got %s", TSIM_JNUM(m->alpha));
  }
  if (bin && tsim_jenum(&L->c, r, rp, "adjust", 0, tsim_mon_adjust_names, &v) == 1) m->adjust = (tsim_mon_adjust)v;
  if (bin && tsim_jenum(&L->c, r, rp, "direction", 0, tsim_mon_direction_names, &v) == 1)
    m->direction = (tsim_mon_direction)v;
  long long mn = 1;
  if (tsim_jint(&L->c, r, rp, "min_patients", 0, 1, 10000000, &mn) == 1) m->min_n = (int)mn;
  tsim_jswitch(&L->c, r, rp, "stop_enrolling", 0, &m->stop_enrolling);
  return id_ok;
}

/* "exclude_flagged": [rule ids] of analysis i. given: the scenario has a "monitoring" key;
 * ids_ok: its rules loaded with their ids, so that a name missing among them is unknown (when
 * they did not, only the form of the list is checked: the errors are reported at the rules). */
static void load_action(tsim__loader *L, const cJSON *an, int i, int given, int ids_ok) {
  tsim_scenario *sc = L->sc;
  const tsim_monitoring *mo = &sc->monitoring;
  char ap[TSIM_JPATH_MAX], p[TSIM_JPATH_MAX];
  tsim_jpath_index(ap, "$.analyses", i);
  if (!cJSON_IsObject(an) || !tsim_jget(an, "exclude_flagged")) return;
  const cJSON *list = tsim__get_array(L, an, ap, "exclude_flagged", 0, 1, TSIM_MAX_MONITOR_RULES, p);
  if (!list) return;
  if (!given) {
    tsim_jerr(&L->c, p, "names monitoring rules, and the scenario has no \"monitoring\"");
    return;
  }
  uint32_t seen = 0;
  int k = 0;
  for (const cJSON *e = list->child; e; e = e->next, k++) {
    char ep[TSIM_JPATH_MAX];
    tsim_jpath_index(ep, p, k);
    if (tsim_jvalue_string(&L->c, e, ep, "a monitoring rule id") != 1 || !ids_ok) continue;
    int r = 0;
    while (r < mo->nrules && strcmp(mo->rules[r].id, e->valuestring) != 0) r++;
    if (r == mo->nrules) {
      tsim_jerr(&L->c, ep, "unknown monitoring rule \"%s\"", e->valuestring);
      continue;
    }
    if (seen & 1u << r) tsim_jerr(&L->c, ep, "rule \"%s\" listed twice", e->valuestring);
    seen |= 1u << r;
  }
  if (i < sc->nanalyses) sc->analyses[i].exclude_flagged = seen;
}

void tsim__load_monitoring(tsim__loader *L, const cJSON *root) {
  static const char *const keys[] = {"every_patients", "at_looks", "rules", NULL};
  tsim_scenario *sc = L->sc;
  tsim_monitoring *mo = &sc->monitoring;
  const char *p = "$.monitoring";
  memset(mo, 0, sizeof *mo);
  const cJSON *m = tsim_jget(root, "monitoring");
  int ids_ok = 0;
  if (m && tsim_jobject(&L->c, m, p)) {
    tsim_jkeys(&L->c, m, p, keys);
    /* A bad "accrual" is reported where it is. */
    if (sc->accrual.mode == TSIM_ACCRUAL_NONE && !tsim_jget(root, "accrual"))
      tsim_jerr(&L->c, p, "checks happen while the trial runs, which needs calendar time: give \"accrual\"");
    int at = 0, at_st = tsim_jbool(&L->c, m, p, "at_looks", 0, &at), at_given = at_st == 1;
    const cJSON *ev = tsim_jget(m, "every_patients");
    if (ev && at_given && at) {
      tsim_jerr(&L->c, p, "give either \"every_patients\" or \"at_looks\": true, not both");
    } else if (at) {
      mo->at_looks = 1;
      mo->nchecks = sc->looks.n - 1;
      if (sc->looks.n < 2)
        tsim_jerr(&L->c, "$.monitoring.at_looks", "the scenario has no interim looks: give \"looks\" or "
                                                  "\"every_patients\"");
    } else if (!ev) {
      if (at_st >= 0) /* not after a bad "at_looks" */
        tsim_jerr(&L->c, p, "expected \"every_patients\" (a check each time so many more patients are "
                            "randomised) or \"at_looks\": true (a check at every interim look)");
    } else if (tsim_jint(&L->c, m, p, "every_patients", 1, 1, TSIM_MAX_SAMPLE, &mo->every) == 1 && sc->sample_size > 0 &&
               mo->every > sc->sample_size) { /* a bad sample size is reported at it */
      tsim_jerr(&L->c, "$.monitoring.every_patients", "a check every %lld patients, and the trial randomises %lld: "
                "no check would be held (with a size search or a sweep of sample_size, give at most the smallest "
                "size)", mo->every, sc->sample_size);
    } else if (mo->every > 0 && sc->sample_size > 0) {
      mo->nchecks = (int)(sc->sample_size / mo->every < TSIM_MAX_CHECKS + 1 ? sc->sample_size / mo->every
                                                                            : TSIM_MAX_CHECKS + 1);
      if (mo->nchecks > TSIM_MAX_CHECKS)
        tsim_jerr(&L->c, "$.monitoring.every_patients", "%lld patients in checks of %lld make more than %d checks "
                  "(give \"every_patients\" of at least %lld)", sc->sample_size, mo->every, TSIM_MAX_CHECKS,
                  sc->sample_size / (TSIM_MAX_CHECKS + 1) + 1);
    }
    char rp[TSIM_JPATH_MAX];
    const cJSON *rules = tsim__get_array(L, m, p, "rules", 1, 1, TSIM_MAX_MONITOR_RULES, rp);
    int i = 0;
    ids_ok = rules != NULL;
    for (const cJSON *r = rules ? rules->child : NULL; r; r = r->next, i++) {
      char ip[TSIM_JPATH_MAX];
      tsim_jpath_index(ip, rp, i);
      ids_ok &= load_rule(L, r, ip, &mo->rules[i]);
    }
    mo->nrules = i;
    for (int k = 0; k < mo->nrules; k++) {
      tsim_monitor_rule *r = &mo->rules[k];
      double div = r->adjust == TSIM_MON_ADJ_SITES ? sc->nsites
                 : r->adjust == TSIM_MON_ADJ_SITES_CHECKS ? (double)sc->nsites * (mo->nchecks > 0 ? mo->nchecks : 1)
                 : 1;
      r->level = r->alpha / div;
      mo->stop |= r->stop_enrolling;
    }
    /* Stops can leave the slowest site enrolling alone (the run never stops the last one): with
     * accrual by site the trial must still end within the loader's limit on accrual
     * (TSIM_ACCRUAL_MONTHS_MAX, as scenario_time.c checks it without stops). */
    const tsim_accrual *ac = &sc->accrual;
    for (int k = 0; k < mo->nrules && ac->mode == TSIM_ACCRUAL_SITES && sc->nsites > 1; k++) {
      if (!mo->rules[k].stop_enrolling) continue;
      double wmin = INFINITY;
      for (int st = 0; st < sc->nsites; st++)
        if (sc->site_weights[st] > 0 && sc->site_weights[st] < wmin) wmin = sc->site_weights[st];
      double months = ac->open_hi + (double)sc->sample_size / (ac->site_rate * sc->nsites * wmin);
      if (months > TSIM_ACCRUAL_MONTHS_MAX) {
        char ep[TSIM_JPATH_MAX], sp[TSIM_JPATH_MAX];
        tsim_jpath_index(ep, rp, k);
        tsim_jpath_key(sp, ep, "stop_enrolling");
        tsim_jerr(&L->c, sp, "a site left enrolling alone after the others stop may be the slowest: at its "
                             "rate (\"per_site_per_month\" x its weight x %d sites) %lld patients take about %s "
                             "months to enrol (the limit is 10^6)", sc->nsites, sc->sample_size,
                  TSIM_JNUM(tsim_jround(months, 3)));
      }
      break;
    }
  }
  const cJSON *ans = tsim_jget(root, "analyses");
  int i = 0;
  for (const cJSON *an = cJSON_IsArray(ans) ? ans->child : NULL; an; an = an->next, i++)
    load_action(L, an, i, m != NULL, ids_ok);
}
