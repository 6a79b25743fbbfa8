/* scenario_time.c - the scenario loader's part for calendar time: "accrual" (when patients are
 * randomised) and "looks" (interim analyses and their group-sequential boundaries). See
 * scenario.h (tsim_accrual, tsim_looks) and scenarios/README.md for the keys. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "input/scenario_internal.h"

#define MAX_MONTHS 1200.0 /* a century: any opening time or ramp-up longer is a typo */
#define MAX_RATE 1e9      /* patients per month */

/* ---- accrual ----------------------------------------------------------------------------- */

static void load_site_opening(tsim__loader *L, const cJSON *a, const char *p) {
  tsim_scenario *sc = L->sc;
  tsim_accrual *ac = &sc->accrual;
  char q[TSIM_JPATH_MAX];
  const cJSON *list = tsim__get_array(L, a, p, "site_open_months", 0, 1, TSIM_MAX_SITES, q);
  const cJSON *win = tsim_jget(a, "site_open_window_months");
  if (list && win) {
    tsim_jerr(&L->c, p, "give either \"site_open_months\" (one month per site) or "
                        "\"site_open_window_months\" ([first, last]: drawn per trial), not both");
    return;
  }
  if (list) {
    int n = cJSON_GetArraySize(list);
    if (L->sites_ok && n != sc->nsites) {
      tsim_jerr(&L->c, q, "expected one opening month per site (%d sites), got %d", sc->nsites, n);
      return;
    }
    if (!(ac->open = calloc((size_t)n, sizeof *ac->open))) { tsim_jerr(&L->c, q, "out of memory"); return; }
    int i = 0;
    for (const cJSON *e = list->child; e; e = e->next, i++) {
      char ep[TSIM_JPATH_MAX];
      tsim_jpath_index(ep, q, i);
      tsim_jvalue_number(&L->c, e, ep, 0, MAX_MONTHS, &ac->open[i]);
    }
    return;
  }
  ac->open_lo = ac->open_hi = 0;
  if (!win) return; /* every site open from month 0 */
  char wp[TSIM_JPATH_MAX];
  const cJSON *w = tsim__get_array(L, a, p, "site_open_window_months", 0, 2, 2, wp);
  if (!w) return;
  char p0[TSIM_JPATH_MAX], p1[TSIM_JPATH_MAX];
  tsim_jpath_index(p0, wp, 0);
  tsim_jpath_index(p1, wp, 1);
  if (tsim_jvalue_number(&L->c, w->child, p0, 0, MAX_MONTHS, &ac->open_lo) == 1 &&
      tsim_jvalue_number(&L->c, w->child->next, p1, 0, MAX_MONTHS, &ac->open_hi) == 1 &&
      ac->open_hi < ac->open_lo)
    tsim_jerr(&L->c, wp, "expected [first, last] with first <= last, got [%s, %s]",
              TSIM_JNUM(ac->open_lo), TSIM_JNUM(ac->open_hi));
}

static void load_accrual(tsim__loader *L, const cJSON *root) {
  static const char *const keys[] = {"patients_per_month", "ramp_up_months", "per_site_per_month",
                                     "site_open_months", "site_open_window_months", NULL};
  tsim_scenario *sc = L->sc;
  tsim_accrual *ac = &sc->accrual;
  const char *p = "$.accrual";
  ac->mode = TSIM_ACCRUAL_NONE;
  const cJSON *a = tsim_jget(root, "accrual");
  if (!a || !tsim_jobject(&L->c, a, p)) return;
  tsim_jkeys(&L->c, a, p, keys);
  int overall = tsim_jget(a, "patients_per_month") != NULL, sites = tsim_jget(a, "per_site_per_month") != NULL;
  if (overall == sites) {
    tsim_jerr(&L->c, p, overall ? "give either \"patients_per_month\" (one rate for the trial) or "
                                  "\"per_site_per_month\" (a rate per open site), not both"
                                : "expected \"patients_per_month\" (one rate for the trial) or "
                                  "\"per_site_per_month\" (a rate per open site)");
    return;
  }
  if (overall) {
    ac->mode = TSIM_ACCRUAL_RATE;
    if (tsim_jnumber(&L->c, a, p, "patients_per_month", 1, 0, MAX_RATE, &ac->rate) == 1 && !(ac->rate > 0))
      tsim_jerr(&L->c, "$.accrual.patients_per_month", "expected a rate above 0, got %s", TSIM_JNUM(ac->rate));
    tsim_jnumber(&L->c, a, p, "ramp_up_months", 0, 0, MAX_MONTHS, &ac->ramp);
    if (tsim_jget(a, "site_open_months") || tsim_jget(a, "site_open_window_months"))
      tsim_jerr(&L->c, p, "site opening months go with \"per_site_per_month\"; with "
                          "\"patients_per_month\" every site enrols from the start");
    return;
  }
  ac->mode = TSIM_ACCRUAL_SITES;
  if (tsim_jnumber(&L->c, a, p, "per_site_per_month", 1, 0, MAX_RATE, &ac->site_rate) == 1 && !(ac->site_rate > 0))
    tsim_jerr(&L->c, "$.accrual.per_site_per_month", "expected a rate above 0, got %s", TSIM_JNUM(ac->site_rate));
  if (tsim_jget(a, "ramp_up_months"))
    tsim_jerr(&L->c, "$.accrual.ramp_up_months", "a ramp-up goes with \"patients_per_month\"; with "
                                                 "\"per_site_per_month\" the sites' opening months make it");
  if (sc->enrollment == TSIM_ENROLL_BALANCED && sc->nsites > 1)
    tsim_jerr(&L->c, p, "\"per_site_per_month\" assigns each patient the site it arrived at, which "
                        "cannot be combined with \"sites\": {\"enrollment\": \"balanced\"}");
  load_site_opening(L, a, p);
}

/* ---- looks ------------------------------------------------------------------------------- */

static const char *const spending_names[] = {"obrien_fleming", "pocock", "hwang_shih_decani",
                                             "haybittle_peto", "wang_tsiatis", NULL};
static const tsim_gs_family spending_family[] = {TSIM_GS_OF, TSIM_GS_POCOCK, TSIM_GS_HSD,
                                                 TSIM_GS_HP, TSIM_GS_WT};

/* "efficacy": a family's name, or {"spending": name, "gamma": g, "z": z, "delta": d}. */
static void load_efficacy(tsim__loader *L, const cJSON *lk, tsim_gs_design *d) {
  static const char *const keys[] = {"spending", "gamma", "z", "delta", NULL};
  const char *p = "$.looks.efficacy";
  d->family = TSIM_GS_OF;
  d->gamma = -4;
  d->hp_z = TSIM_GS_HP_Z;
  d->delta = 0;
  const cJSON *e = tsim_jget(lk, "efficacy");
  if (!e) return;
  int f = 0;
  if (cJSON_IsString(e)) {
    if (tsim_jenum(&L->c, lk, "$.looks", "efficacy", 1, spending_names, &f) == 1) d->family = spending_family[f];
    if (d->family == TSIM_GS_HSD)
      tsim_jerr(&L->c, p, "\"hwang_shih_decani\" needs its gamma: {\"spending\": \"hwang_shih_decani\", "
                          "\"gamma\": -4}");
    if (d->family == TSIM_GS_WT)
      tsim_jerr(&L->c, p, "\"wang_tsiatis\" needs its delta: {\"spending\": \"wang_tsiatis\", \"delta\": 0.25}");
    return;
  }
  if (!tsim_jobject(&L->c, e, p)) return;
  tsim_jkeys(&L->c, e, p, keys);
  if (tsim_jenum(&L->c, e, p, "spending", 1, spending_names, &f) != 1) return;
  d->family = spending_family[f];
  int g = tsim_jnumber(&L->c, e, p, "gamma", d->family == TSIM_GS_HSD, -40, 40, &d->gamma);
  int z = tsim_jnumber(&L->c, e, p, "z", 0, 0, 40, &d->hp_z);
  int dl = tsim_jnumber(&L->c, e, p, "delta", d->family == TSIM_GS_WT, -0.5, 1, &d->delta);
  if (g == 1 && d->family != TSIM_GS_HSD)
    tsim_jerr(&L->c, "$.looks.efficacy.gamma", "only meaningful with \"spending\": \"hwang_shih_decani\"");
  if (z == 1 && d->family != TSIM_GS_HP)
    tsim_jerr(&L->c, "$.looks.efficacy.z", "only meaningful with \"spending\": \"haybittle_peto\"");
  if (z == 1 && !(d->hp_z > 0))
    tsim_jerr(&L->c, "$.looks.efficacy.z", "expected a z bound above 0, got %s", TSIM_JNUM(d->hp_z));
  if (dl == 1 && d->family != TSIM_GS_WT)
    tsim_jerr(&L->c, "$.looks.efficacy.delta", "only meaningful with \"spending\": \"wang_tsiatis\"");
}

/* "months": [m1, ...] (interims; the final analysis follows the last patient's last visit). */
static int load_look_months(tsim__loader *L, const cJSON *lk, tsim_gs_looks *k) {
  char p[TSIM_JPATH_MAX];
  const cJSON *arr = tsim__get_array(L, lk, "$.looks", "months", 1, 1, TSIM_MAX_LOOKS - 1, p);
  if (!arr) return -1;
  int i = 0, ok = 1;
  for (const cJSON *e = arr->child; e; e = e->next, i++) {
    char ep[TSIM_JPATH_MAX];
    tsim_jpath_index(ep, p, i);
    if (tsim_jvalue_number(&L->c, e, ep, 0, 1e6, &k->at[i]) != 1) { ok = 0; continue; }
    if (!(k->at[i] > 0)) {
      tsim_jerr(&L->c, ep, "expected a month after the start (above 0), got %s", TSIM_JNUM(k->at[i]));
      ok = 0;
    } else if (i > 0 && ok && !(k->at[i] > k->at[i - 1])) {
      tsim_jerr(&L->c, ep, "looks must be in increasing order: month %s after month %s", TSIM_JNUM(k->at[i]),
                TSIM_JNUM(k->at[i - 1]));
      ok = 0;
    }
  }
  k->kind = TSIM_LOOK_MONTHS;
  k->n = i + 1;
  k->at[i] = NAN; /* the final analysis: whenever the last patient's last visit is */
  return ok ? 0 : -1;
}

/* "information": [f1, ..., 1] or "patients": [n1, ..., sample_size], or "months". */
static int load_look_times(tsim__loader *L, const cJSON *lk, tsim_gs_looks *k) {
  tsim_scenario *sc = L->sc;
  int hi = tsim_jget(lk, "information") != NULL, hp = tsim_jget(lk, "patients") != NULL;
  int hm = tsim_jget(lk, "months") != NULL;
  if (hi + hp + hm != 1) {
    tsim_jerr(&L->c, "$.looks", hi + hp + hm > 1
                                    ? "give one of \"information\", \"patients\" and \"months\""
                                    : "expected \"information\": [fractions ending in 1], "
                                      "\"patients\": [counts ending in the sample size] or "
                                      "\"months\": [months of the interim looks]");
    return -1;
  }
  if (hm) return load_look_months(L, lk, k);
  k->kind = hi ? TSIM_LOOK_INFORMATION : TSIM_LOOK_PATIENTS;
  char p[TSIM_JPATH_MAX];
  const cJSON *arr = tsim__get_array(L, lk, "$.looks", hi ? "information" : "patients", 1, 1, TSIM_MAX_LOOKS, p);
  if (!arr) return -1;
  int i = 0, ok = 1;
  for (const cJSON *e = arr->child; e; e = e->next, i++) {
    char ep[TSIM_JPATH_MAX];
    tsim_jpath_index(ep, p, i);
    if (hi) {
      if (tsim_jvalue_number(&L->c, e, ep, 0, 1, &k->at[i]) != 1) { ok = 0; continue; }
      if (!(k->at[i] > 0)) {
        tsim_jerr(&L->c, ep, "expected an information fraction in (0, 1], got %s", TSIM_JNUM(k->at[i]));
        ok = 0;
        continue;
      }
      /* ceil(f N), with a share such as 0.3 x 10 = 3.0000000000000004 counted as 3 */
      long long fl = tsim_floor_share(k->at[i] * (double)sc->sample_size);
      k->due[i] = (double)fl >= k->at[i] * (double)sc->sample_size - 1e-9 * (double)sc->sample_size ? fl : fl + 1;
      if (k->due[i] < 1) k->due[i] = 1;
    } else {
      long long n = 0;
      if (tsim_jvalue_int(&L->c, e, ep, 1, TSIM_MAX_SAMPLE, &n) != 1) { ok = 0; continue; }
      k->at[i] = (double)n;
      k->due[i] = n;
      if (n > sc->sample_size) {
        tsim_jerr(&L->c, ep, "a look at %lld patients comes after the final analysis (sample_size %lld; "
                  "looks given in patients do not move with the sample size: \"information\" does)",
                  n, sc->sample_size);
        ok = 0;
        continue;
      }
    }
    if (i > 0 && ok && !(k->at[i] > k->at[i - 1])) {
      tsim_jerr(&L->c, ep, "looks must be in increasing order: %s after %s", TSIM_JNUM(k->at[i]),
                TSIM_JNUM(k->at[i - 1]));
      ok = 0;
    } else if (i > 0 && ok && k->due[i] == k->due[i - 1]) {
      tsim_jerr(&L->c, ep, "reaches the same %lld assessed patients as the look before it (sample_size %lld)",
                k->due[i], sc->sample_size);
      ok = 0;
    }
  }
  k->n = i;
  if (ok && k->due[i - 1] != sc->sample_size) {
    char ep[TSIM_JPATH_MAX];
    tsim_jpath_index(ep, p, i - 1);
    tsim_jerr(&L->c, ep, hi ? "the last look is the final analysis: expected information 1, got %s"
                            : "the last look is the final analysis: expected the sample size %s, got %s "
                              "(looks given in patients do not move with the sample size: \"information\" does)",
              hi ? TSIM_JNUM(k->at[i - 1]) : TSIM_JNUM((double)sc->sample_size),
              TSIM_JNUM(k->at[i - 1]));
    ok = 0;
  }
  return ok ? 0 : -1;
}

/* "futility": {"z": z or [z per interim, null for none], "binding": false}, or
 * {"conditional_power": cp, "planned_power": power}. */
static void load_futility(tsim__loader *L, const cJSON *lk, tsim_gs_looks *k) {
  static const char *const keys[] = {"z", "binding", "conditional_power", "planned_power", NULL};
  const char *p = "$.looks.futility";
  for (int i = 0; i < TSIM_MAX_LOOKS; i++) k->futility[i] = -INFINITY;
  k->has_futility = 0;
  k->design.binding = 0;
  const cJSON *f = tsim_jget(lk, "futility");
  if (!f || !tsim_jobject(&L->c, f, p)) return;
  tsim_jkeys(&L->c, f, p, keys);
  tsim_jbool(&L->c, f, p, "binding", 0, &k->design.binding);
  const cJSON *z = tsim_jget(f, "z");
  int cp = tsim_jget(f, "conditional_power") != NULL;
  if (!z == !cp) {
    tsim_jerr(&L->c, p, z ? "give either \"z\" (bounds) or \"conditional_power\", not both"
                          : "expected \"z\": a bound per interim, or \"conditional_power\": a target");
    return;
  }
  if (cp) {
    k->has_futility = 2;
    k->planned_power = 0.8;
    if (tsim_jnumber(&L->c, f, p, "conditional_power", 1, 0, 1, &k->cp_target) == 1 &&
        !(k->cp_target > 0 && k->cp_target < 1))
      tsim_jerr(&L->c, "$.looks.futility.conditional_power", "expected a probability strictly between 0 and 1, "
                "got %s", TSIM_JNUM(k->cp_target));
    if (tsim_jnumber(&L->c, f, p, "planned_power", 0, 0, 1, &k->planned_power) == 1 &&
        !(k->planned_power > 0 && k->planned_power < 1))
      tsim_jerr(&L->c, "$.looks.futility.planned_power", "expected a probability strictly between 0 and 1, "
                "got %s", TSIM_JNUM(k->planned_power));
    if (k->design.binding)
      tsim_jerr(&L->c, "$.looks.futility.binding", "a conditional-power rule is non-binding here (its bounds "
                "are computed from the efficacy bounds, which binding bounds would change)");
    return;
  }
  if (tsim_jget(f, "planned_power"))
    tsim_jerr(&L->c, "$.looks.futility.planned_power", "only meaningful with \"conditional_power\"");
  k->has_futility = 1;
  if (cJSON_IsNumber(z)) {
    double v = 0;
    if (tsim_jvalue_number(&L->c, z, "$.looks.futility.z", -40, 40, &v) == 1)
      for (int i = 0; i + 1 < k->n; i++) k->futility[i] = v;
    return;
  }
  char zp[TSIM_JPATH_MAX];
  const cJSON *arr = tsim__get_array(L, f, p, "z", 1, 0, TSIM_MAX_LOOKS, zp);
  if (!arr) return;
  if (cJSON_GetArraySize(arr) != k->n - 1) {
    tsim_jerr(&L->c, zp, "expected one z bound (or null) per interim look (%d), got %d", k->n - 1,
              cJSON_GetArraySize(arr));
    return;
  }
  int i = 0;
  for (const cJSON *e = arr->child; e; e = e->next, i++) {
    char ep[TSIM_JPATH_MAX];
    tsim_jpath_index(ep, zp, i);
    if (cJSON_IsNull(e)) continue;
    tsim_jvalue_number(&L->c, e, ep, -40, 40, &k->futility[i]);
  }
}

static void load_looks(tsim__loader *L, const cJSON *root) {
  static const char *const keys[] = {"information", "patients", "months", "efficacy", "futility",
                                     "information_from", NULL};
  tsim_scenario *sc = L->sc;
  tsim_gs_looks *k = &sc->looks;
  const char *p = "$.looks";
  k->n = 0;
  const cJSON *lk = tsim_jget(root, "looks");
  if (!lk || !tsim_jobject(&L->c, lk, p)) return;
  tsim_jkeys(&L->c, lk, p, keys);
  size_t before = tsim_diag_count(L->c.diag);
  int times = load_look_times(L, lk, k);
  load_efficacy(L, lk, &k->design);
  if (times == 0) load_futility(L, lk, k);
  if (!tsim_jget(root, "accrual"))
    tsim_jerr(&L->c, p, "interim looks need calendar time: add \"accrual\" (patients per month), "
                        "so that the patients assessed at each look are defined");
  k->info_analysis = 0;
  char id[TSIM_ID_MAX];
  if (tsim_jstring(&L->c, lk, p, "information_from", 0, id, sizeof id) == 1) {
    int a = 0;
    while (a < sc->nanalyses && strcmp(sc->analyses[a].id, id) != 0) a++;
    if (a == sc->nanalyses) tsim_jerr(&L->c, "$.looks.information_from", "no analysis has the id \"%s\"", id);
    else k->info_analysis = a;
  }
  for (int q = 0; q < sc->nprocedures; q++)
    if (sc->procedures[q].method != TSIM_MULT_FIXED_SEQUENCE) {
      char pp[TSIM_JPATH_MAX];
      snprintf(pp, sizeof pp, "$.multiplicity[%d].method", q);
      tsim_jerr(&L->c, pp, "with interim looks only \"fixed_sequence\" is supported (each member "
                           "tested at the look where the one before it succeeded)");
    }
  if (tsim_diag_count(L->c.diag) != before || sc->nanalyses == 0) return;
  /* Every analysis's boundaries at the planned looks, so that a bad design (a futility bound
   * above an efficacy bound, a spending parameter the recursion rejects) is reported here. */
  /* Calendar looks: checked at equally spaced fractions (each trial's are its own). */
  double t[TSIM_MAX_LOOKS];
  for (int i = 0; i < k->n; i++)
    t[i] = k->kind == TSIM_LOOK_MONTHS ? (double)(i + 1) / k->n : (double)k->due[i] / (double)sc->sample_size;
  for (int a = 0; a < sc->nanalyses; a++) {
    int seen = 0; /* the boundaries depend on the analysis only through its alpha and sides */
    for (int e = 0; e < a && !seen; e++)
      seen = sc->analyses[e].alpha == sc->analyses[a].alpha && sc->analyses[e].sided == sc->analyses[a].sided;
    if (seen) continue;
    tsim_gs_bounds b;
    tsim_diag why;
    tsim_diag_init(&why);
    tsim_status st = tsim_scenario_look_bounds(sc, a, k->n, t, NULL, 0, &b, &why);
    if (st != TSIM_OK)
      tsim_jerr(&L->c, k->has_futility == 1 ? "$.looks.futility.z" : k->has_futility ? "$.looks.futility" : "$.looks.efficacy",
                "for analysis \"%s\" (alpha %s, %d-sided): %s", sc->analyses[a].id,
                TSIM_JNUM(sc->analyses[a].alpha), sc->analyses[a].sided, why.n ? why.msgs[0] : tsim_status_message(st));
    tsim_diag_clear(&why);
    if (st != TSIM_OK) return;
  }
}

tsim_status tsim_scenario_look_bounds(const tsim_scenario *sc, int a, int looks, const double *t,
                                      const int *which, int grid_r, tsim_gs_bounds *out, tsim_diag *d) {
  const tsim_gs_looks *lk = &sc->looks;
  tsim_gs_design des = lk->design;
  des.grid_r = grid_r;
  des.alpha = sc->analyses[a].alpha;
  des.sided = sc->analyses[a].sided;
  double fut[TSIM_MAX_LOOKS];
  for (int k = 0; k < looks; k++) fut[k] = lk->futility[which ? which[k] : k];
  if (lk->has_futility == 1 || looks < 2)
    return tsim_gs_bounds_compute(&des, looks, t, lk->has_futility == 1 ? fut : NULL, 1, out, d);
  if (lk->has_futility == 0) return tsim_gs_bounds_compute(&des, looks, t, NULL, 1, out, d);
  /* Conditional power: on the efficacy bounds alone, the z of each interim at which it equals
   * the target under the planned drift; then the bounds with those futility bounds (the
   * efficacy bounds stay the same: the rule is non-binding). */
  if (des.sided != 1) {
    if (d) tsim_diag_add(d, "futility by conditional power needs a one-sided analysis (\"sided\": 1)");
    return TSIM_INPUT;
  }
  tsim_gs_bounds e;
  tsim_status st = tsim_gs_bounds_compute(&des, looks, t, NULL, 1, &e, d);
  if (st != TSIM_OK) return st;
  double theta = gsl_cdf_ugaussian_Qinv(des.alpha) + gsl_cdf_ugaussian_Pinv(lk->planned_power);
  for (int k = 0; k + 1 < looks; k++) {
    st = tsim_gs_conditional_power_z(&e, k, lk->cp_target, theta, &fut[k], d);
    if (st != TSIM_OK) return st;
  }
  fut[looks - 1] = -INFINITY;
  return tsim_gs_bounds_compute(&des, looks, t, fut, 1, out, d);
}

/* Accrual expected to take more than TSIM_ACCRUAL_MONTHS_MAX is a mistake in the rates. */
static void check_duration(tsim__loader *L) {
  const tsim_scenario *sc = L->sc;
  const tsim_accrual *ac = &sc->accrual;
  double months = ac->mode == TSIM_ACCRUAL_RATE ? (double)sc->sample_size / ac->rate + ac->ramp
                : ac->mode == TSIM_ACCRUAL_SITES ? (double)sc->sample_size / (ac->site_rate * sc->nsites) + ac->open_hi
                : 0;
  if (months > TSIM_ACCRUAL_MONTHS_MAX)
    tsim_jerr(&L->c, ac->mode == TSIM_ACCRUAL_RATE ? "$.accrual.patients_per_month" : "$.accrual.per_site_per_month",
              "%lld patients at this rate take about %s months to enrol (the limit is 10^6)", sc->sample_size,
              TSIM_JNUM(tsim_jround(months, 3)));
}

void tsim__load_time(tsim__loader *L, const cJSON *root) {
  size_t before = tsim_diag_count(L->c.diag);
  load_accrual(L, root);
  if (tsim_diag_count(L->c.diag) == before) check_duration(L);
  load_looks(L, root);
  /* Patients with randomisation times are the patient-level model's. */
  if (L->sc->accrual.mode != TSIM_ACCRUAL_NONE) L->sc->latent = 1;
}
