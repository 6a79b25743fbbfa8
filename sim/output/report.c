/* report.c - output files and table (see report.h). */
#include "output/report.h"

#include <cjson/cJSON.h>
#include <gsl/gsl_cdf.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "core/numfmt.h"
#include "kernels/kernels.h"
#include "output/json.h"
#include "output/monreport.h"
#include "output/plot.h"
#include "output/outset.h"
#include "output/report_internal.h"


/* Summary statistics of the observed difference in response rates. */
typedef struct diff_stats {
  double mean, sd, mcse;
} diff_stats;

static diff_stats diff_summary(const tsim_tally_cell *c) {
  diff_stats s = {NAN, NAN, NAN};
  if (c->defined == 0) return s;
  double n = (double)c->defined;
  double m1 = (double)c->diff_sum / c->scale / n;
  double m2 = (double)c->diff_sq_sum * (TSIM_FIXED_SCALE / c->scale) / c->scale / n;
  s.mean = m1;
  if (c->defined > 1) {
    double var = (m2 - m1 * m1) * n / (n - 1);
    s.sd = sqrt(var > 0 ? var : 0);
    s.mcse = s.sd / sqrt(n);
  }
  return s;
}

/* x in a console table's column of width w with prec decimals (and its sign where sign), or "-"
 * where it is NaN (the files' null). */
static void print_num(FILE *f, int sign, int w, int prec, double x) {
  if (isnan(x)) fprintf(f, "%*s", w, "-");
  else if (sign) fprintf(f, "%+*.*f", w, prec, x);
  else fprintf(f, "%*.*f", w, prec, x);
}

/* ---- JSON ------------------------------------------------------------------------------ */

/* cJSON has no NaN: an undefined number is written as null. */
static cJSON *hypothesis_json(const tsim_tally_cell *c, long long trials, double nominal) {
  cJSON *o = cJSON_CreateObject();
  double n = (double)trials;
  cJSON_AddItemToObject(o, "reject", tsim__report_estimate_json(tsim_estimate_proportion(c->reject, (uint64_t)trials)));
  cJSON_AddItemToObject(o, "reject_favouring",
                        tsim__report_estimate_json(tsim_estimate_proportion(c->favouring, (uint64_t)trials)));
  cJSON_AddItemToObject(o, "reject_favouring_control",
                        tsim__report_estimate_json(tsim_estimate_proportion(tsim_favouring_control(c), (uint64_t)trials)));
  cJSON_AddItemToObject(o, "mean_n", tsim__report_num((double)(c->n0_sum + c->n1_sum) / n));
  cJSON_AddItemToObject(o, "mean_n_control", tsim__report_num((double)c->n0_sum / n));
  cJSON_AddItemToObject(o, "mean_n_arm", tsim__report_num((double)c->n1_sum / n));
  cJSON_AddItemToObject(o, "mean_sites_dropped", tsim__report_num((double)c->sites_dropped / n));
  diff_stats ds = diff_summary(c);
  cJSON *d = cJSON_AddObjectToObject(o, "difference");
  cJSON_AddItemToObject(d, "nominal", tsim__report_num(nominal));
  cJSON_AddItemToObject(d, "mean", tsim__report_num(ds.mean));
  cJSON_AddItemToObject(d, "bias", tsim__report_num(ds.mean - nominal));
  cJSON_AddItemToObject(d, "sd", tsim__report_num(ds.sd));
  cJSON_AddItemToObject(d, "mcse", tsim__report_num(ds.mcse));
  cJSON_AddNumberToObject(d, "trials_defined", (double)c->defined);
  return o;
}

/* ---- calendar time ----------------------------------------------------------------------- */

/* The boundaries of analysis a at its planned looks; b->looks 0 without interim looks, and
 * with looks at calendar months, whose boundaries each trial computes at its own fractions. */
static void planned_bounds(const tsim_scenario *sc, int a, tsim_gs_bounds *b) {
  b->looks = 0;
  const tsim_gs_looks *lk = &sc->looks;
  if (lk->n < 2 || lk->kind == TSIM_LOOK_MONTHS) return;
  double t[TSIM_MAX_LOOKS];
  for (int k = 0; k < lk->n; k++) t[k] = (double)lk->due[k] / (double)sc->sample_size;
  if (tsim_scenario_look_bounds(sc, a, lk->n, t, NULL, 0, b, NULL) != TSIM_OK)
    b->looks = 0; /* the loader has computed the same design */
}

/* Look l's boundary of b as numbers (NaN where the look has none planned). */
static void look_numbers(const tsim_gs_bounds *b, int l, double *eff, double *fut, double *nominal, double *spent) {
  *eff = *fut = *nominal = *spent = NAN;
  if (l >= b->looks) return;
  *eff = b->efficacy[l];
  *fut = b->futility[l];
  *nominal = isinf(*eff) ? 0 : b->sided * gsl_cdf_ugaussian_Q(*eff);
  *spent = b->alpha_spent[l];
}

/* The mean information fraction at look l over the trials that held it (NaN: none did). */
static double mean_information(const tsim_scenario *sc, const tsim_tally *t, int l) {
  return t->look_held[l] ? (double)t->look_due[l] / (double)t->look_held[l] / (double)sc->sample_size : NAN;
}

/* The trials of comparison k under hypothesis h that stopped at look l: for efficacy or
 * futility at an interim, and at the final look every trial still going. */
static uint64_t look_stop(const tsim_tally *t, int h, int k, int l) {
  size_t q0 = (size_t)k * (size_t)t->nlooks;
  if (l < t->nlooks - 1) return t->stop_eff[h][q0 + (size_t)l] + t->stop_fut[h][q0 + (size_t)l];
  uint64_t going = (uint64_t)t->trials;
  for (int j = 0; j < l; j++) going -= t->stop_eff[h][q0 + (size_t)j] + t->stop_fut[h][q0 + (size_t)j];
  return going;
}

/* Mean and its standard error of a fixed-point sum s and sum of squares q (q in units
 * scale^2 / scale) over n trials, scaled back by `scale`. */
static void mean_se(tsim_i128 s, tsim_i128 q, uint64_t n, double scale, double *mean, double *se) {
  *mean = *se = NAN;
  if (n == 0) return;
  double dn = (double)n, m1 = (double)s / scale / dn, m2 = (double)q / scale / dn;
  *mean = m1;
  if (n > 1) {
    double var = (m2 - m1 * m1) * dn / (dn - 1);
    *se = sqrt((var > 0 ? var : 0) / dn);
  }
}

void tsim_report_timed(const tsim_tally *t, int h, int k, tsim_timed *out) {
  uint64_t n = (uint64_t)t->trials;
  mean_se((tsim_i128)t->rand_sum[h][k], t->rand_sq[h][k], n, 1.0, &out->n, &out->n_se);
  mean_se(t->months_sum[h][k], t->months_sq[h][k], n, TSIM_MONTHS_SCALE, &out->months, &out->months_se);
}

static cJSON *mean_json(double m, double se) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddItemToObject(o, "estimate", tsim__report_num(m));
  cJSON_AddItemToObject(o, "mcse", tsim__report_num(se));
  return o;
}

/* The timed keys of comparison k under hypothesis h, into its hypothesis object o. */
static void timed_json(const tsim_scenario *sc, const tsim_tally *t, int h, int k, cJSON *o) {
  tsim_timed tm;
  tsim_report_timed(t, h, k, &tm);
  cJSON_AddItemToObject(o, "expected_n", mean_json(tm.n, tm.n_se));
  cJSON_AddItemToObject(o, "expected_months", mean_json(tm.months, tm.months_se));
  if (t->nlooks < 2) return;
  cJSON *arr = cJSON_AddArrayToObject(o, "looks");
  uint64_t n = (uint64_t)t->trials, before = 0;
  for (int l = 0; l < t->nlooks; l++) {
    size_t q = (size_t)k * (size_t)t->nlooks + (size_t)l;
    uint64_t e = t->stop_eff[h][q], u = t->stop_fut[h][q], stop = look_stop(t, h, k, l);
    before += stop;
    cJSON *lo = cJSON_CreateObject();
    cJSON_AddNumberToObject(lo, "look", l + 1);
    cJSON_AddItemToObject(lo, "stop_efficacy", tsim__report_estimate_json(tsim_estimate_proportion(e, n)));
    cJSON_AddItemToObject(lo, "stop_efficacy_favouring",
                          tsim__report_estimate_json(tsim_estimate_proportion(t->stop_fav[h][q], n)));
    cJSON_AddItemToObject(lo, "stop_futility", tsim__report_estimate_json(tsim_estimate_proportion(u, n)));
    cJSON_AddItemToObject(lo, "stop", tsim__report_estimate_json(tsim_estimate_proportion(stop, n)));
    cJSON_AddItemToObject(lo, "stopped_by_now", tsim__report_estimate_json(tsim_estimate_proportion(before, n)));
    cJSON_AddItemToObject(lo, "mean_information", tsim__report_num(mean_information(sc, t, l)));
    cJSON_AddNumberToObject(lo, "held", (double)t->look_held[l] / (double)n);
    cJSON_AddItemToArray(arr, lo);
  }
}

/* The planned looks of analysis a: summary.json's "looks" beside "power". */
static cJSON *looks_json(const tsim_scenario *sc, int a) {
  tsim_gs_bounds b;
  planned_bounds(sc, a, &b);
  const tsim_gs_looks *lk = &sc->looks;
  int months = lk->kind == TSIM_LOOK_MONTHS;
  cJSON *arr = cJSON_CreateArray();
  for (int l = 0; l < lk->n; l++) {
    cJSON *lo = cJSON_CreateObject();
    cJSON_AddNumberToObject(lo, "look", l + 1);
    cJSON_AddItemToObject(lo, "month", tsim__report_num(months ? lk->at[l] : NAN));
    cJSON_AddItemToObject(lo, "information", tsim__report_num(months ? NAN : (double)lk->due[l] / (double)sc->sample_size));
    cJSON_AddItemToObject(lo, "patients_assessed", tsim__report_num(months ? NAN : (double)lk->due[l]));
    double eff, fut, nominal, spent;
    look_numbers(&b, l, &eff, &fut, &nominal, &spent);
    cJSON_AddItemToObject(lo, "efficacy_z", tsim__report_num(eff));
    cJSON_AddItemToObject(lo, "futility_z", tsim__report_num(fut));
    cJSON_AddItemToObject(lo, "nominal_alpha", tsim__report_num(nominal));
    cJSON_AddItemToObject(lo, "alpha_spent", tsim__report_num(spent));
    cJSON_AddItemToArray(arr, lo);
  }
  return arr;
}

/* summary.json's "p_values" of comparison k under hypothesis h: the rejection rate at the
 * usual levels (the bins up to alpha; p_values.csv has every level on the grid) and the
 * trials without a p-value. */
static cJSON *p_values_json(const tsim_tally *t, int h, int k) {
  static const int at[] = {1, 5, 10, 25, 50, 100, 200, 500}; /* alpha x TSIM_PBINS */
  const uint64_t *bin = t->pdist[h] + (size_t)k * (TSIM_PBINS + 1);
  uint64_t n = (uint64_t)t->trials, cum = 0;
  cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "reject_at");
  for (size_t j = 0, next = 0; next < sizeof at / sizeof *at; j++) {
    cum += bin[j];
    if ((int)j + 1 != at[next]) continue;
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "alpha", (double)at[next++] / TSIM_PBINS);
    cJSON_AddItemToObject(e, "rate", tsim__report_estimate_json(tsim_estimate_proportion(cum, n)));
    cJSON_AddItemToArray(arr, e);
  }
  cJSON_AddNumberToObject(o, "no_test", (double)bin[TSIM_PBINS]);
  return o;
}

/* 1 when some analysis tests against a margin. */
static int any_margin(const tsim_scenario *sc) {
  for (int i = 0; i < sc->nanalyses; i++)
    if (sc->analyses[i].hypothesis != TSIM_HYPO_SUPERIORITY) return 1;
  return 0;
}

/* The difference the null twin of comparison k states: 0, or where the analysis has a margin the
 * null twin's at it (equivalence: at the margin whose null its size is read from). */
static double tsim_analysis_nominal_null(const tsim_scenario *sc, const tsim_tally *t, int k) {
  int ncmp = tsim_scenario_ncomparisons(sc);
  const tsim_analysis *an = &sc->analyses[k / ncmp];
  if (an->hypothesis == TSIM_HYPO_SUPERIORITY) return 0.0;
  int upper = tsim_tally_null(t, k) != &t->cell[1][k];
  /* A difference margin is the null twin's difference itself (not p0 + theta - p0 in doubles). */
  if (an->measure == TSIM_MEAS_RISK_DIFF || an->measure == TSIM_MEAS_MEAN_DIFF) return an->margin[upper];
  int pass = an->null_pass[upper], arm = tsim_comparison_arm(sc, k % ncmp);
  return tsim_scenario_null_at(sc, pass, an->endpoint, an->visit, arm) -
         tsim_scenario_null_at(sc, pass, an->endpoint, an->visit, sc->control);
}

/* The strategies of analysis an, as "event: strategy, ..." (every event). */
static void strategies_text(const tsim_scenario *sc, const tsim_analysis *an, char *buf, size_t n) {
  size_t used = 0;
  buf[0] = 0;
  int same = 1;
  for (int e = 1; e < sc->nevents; e++) same &= an->strategy[e] == an->strategy[0];
  if (same && sc->nevents > 1) { /* one strategy for every event */
    snprintf(buf, n, "%s (every event)", tsim_strategy_names[an->strategy[0]]);
    return;
  }
  for (int e = 0; e < sc->nevents && used < n; e++)
    used += (size_t)snprintf(buf + used, n - used, "%s%s: %s", e ? ", " : "", sc->events[e].id,
                             tsim_strategy_names[an->strategy[e]]);
}

/* Intercurrent events: what analysis k's comparison estimates (model/estimand.h) - its
 * strategies, the estimand's true value and its error, the bias of the mean estimate against
 * it, and the coverage of the analysis's interval under both hypotheses. */
static cJSON *estimand_json(const tsim_scenario *sc, const tsim_tally *t, int k) {
  int ncmp = tsim_scenario_ncomparisons(sc);
  const tsim_analysis *an = &sc->analyses[k / ncmp];
  cJSON *o = cJSON_CreateObject(), *st = cJSON_AddObjectToObject(o, "strategy");
  for (int e = 0; e < sc->nevents; e++) cJSON_AddStringToObject(st, sc->events[e].id, tsim_strategy_names[an->strategy[e]]);
  cJSON_AddStringToObject(o, "measure", sc->endpoints[an->endpoint].type == TSIM_EP_CONTINUOUS ? "mean_difference"
                                                                                              : "risk_difference");
  cJSON_AddNumberToObject(o, "population_patients", (double)t->truth_patients);
  cJSON_AddItemToObject(o, "interval_level",
                        tsim__report_num(an->sided == 1 ? 1 - 2 * an->alpha : 1 - an->alpha));
  for (int h = 0; h < 2; h++) {
    const tsim_tally_cell *c = &t->cell[h][k];
    diff_stats ds = diff_summary(c);
    cJSON *x = cJSON_AddObjectToObject(o, h ? "null" : "alternative");
    cJSON_AddItemToObject(x, "true_value", tsim__report_num(c->truth));
    cJSON_AddItemToObject(x, "true_value_se", tsim__report_num(c->truth_se));
    cJSON_AddItemToObject(x, "mean_estimate", tsim__report_num(ds.mean));
    cJSON_AddItemToObject(x, "bias", tsim__report_num(ds.mean - c->truth));
    cJSON_AddItemToObject(x, "bias_se", tsim__report_num(sqrt(ds.mcse * ds.mcse + c->truth_se * c->truth_se)));
    /* The spread of the estimates across trials, and the bias in its units (Collins, Schafer & Kam
     * 2001's standardised bias): how large the bias is beside the estimate's own error, which
     * bias_se (shrinking as trials grow) does not say. */
    cJSON_AddItemToObject(x, "estimate_sd", tsim__report_num(ds.sd));
    cJSON_AddItemToObject(x, "standardised_bias", tsim__report_num(ds.sd > 0 ? (ds.mean - c->truth) / ds.sd : NAN));
    if (c->interval) cJSON_AddItemToObject(x, "coverage", tsim__report_estimate_json(tsim_estimate_proportion(c->covered, c->interval)));
    else cJSON_AddNullToObject(x, "coverage");
    cJSON_AddNumberToObject(x, "trials_with_interval", (double)c->interval);
  }
  return o;
}

cJSON *tsim__report_analysis_json(const tsim_scenario *sc, const tsim_tally *t, int k,
                                  double nominal, double alpha) {
  int ncmp = tsim_scenario_ncomparisons(sc);
  const tsim_analysis *an = &sc->analyses[k / ncmp];
  int arm = tsim_comparison_arm(sc, k % ncmp);
  const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
  char id[2 * TSIM_ID_MAX];
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "id", tsim_comparison_id(sc, k, id, sizeof id));
  cJSON_AddStringToObject(o, "analysis", an->id);
  cJSON_AddStringToObject(o, "arm", sc->arms[arm].id);
  if (sc->single_arm) {
    cJSON_AddNullToObject(o, "control");
    cJSON_AddItemToObject(o, "p0", tsim__report_num(ep->p0));
  } else {
    cJSON_AddStringToObject(o, "control", sc->arms[sc->control].id);
  }
  cJSON_AddStringToObject(o, "endpoint", ep->id);
  cJSON_AddStringToObject(o, "population", tsim_population_names[an->population]);
  if (an->population == TSIM_POP_ITT)
    cJSON_AddStringToObject(o, "missing", tsim_missing_names[an->missing]);
  if (an->population == TSIM_POP_ITT && an->missing == TSIM_MISSING_MI) {
    cJSON *im = cJSON_AddObjectToObject(o, "imputation");
    cJSON_AddStringToObject(im, "method", tsim_imputation_names[an->imp_method]);
    cJSON_AddNumberToObject(im, "imputations", an->imp_m);
    cJSON_AddStringToObject(im, "reference", sc->arms[an->imp_ref].id);
    cJSON_AddItemToObject(im, "delta", tsim__report_num(an->imp_delta));
  }
  cJSON_AddStringToObject(o, "test", tsim_test_names[an->test]);
  cJSON_AddNumberToObject(o, "alpha", alpha);
  cJSON_AddNumberToObject(o, "sided", an->sided);
  if (sc->visit_week[0] > 0) cJSON_AddNumberToObject(o, "visit_week", sc->visit_week[ep->visits[an->visit]]);
  else cJSON_AddNullToObject(o, "visit_week");
  if (an->subgroup >= 0) cJSON_AddStringToObject(o, "subgroup", sc->subgroups[an->subgroup].id);
  else cJSON_AddNullToObject(o, "subgroup");
  uint64_t n = (uint64_t)t->trials;
  cJSON_AddItemToObject(o, "power", tsim__report_estimate_json(tsim_estimate_proportion(t->cell[0][k].reject, n)));
  cJSON_AddItemToObject(o, "type1_error",
                        tsim__report_estimate_json(tsim_estimate_proportion(tsim_tally_null(t, k)->reject, n)));
  if (an->hypothesis != TSIM_HYPO_SUPERIORITY) {
    cJSON *h = cJSON_AddObjectToObject(o, "hypothesis");
    cJSON_AddStringToObject(h, "type", tsim_hypo_names[an->hypothesis]);
    cJSON_AddStringToObject(h, "measure", tsim_measure_names[an->measure]);
    if (an->hypothesis == TSIM_HYPO_EQUIVALENCE) {
      cJSON *m = cJSON_AddArrayToObject(h, "margin");
      for (int i = 0; i < 2; i++) cJSON_AddItemToArray(m, tsim__report_num(an->margin[i]));
      cJSON_AddItemToObject(o, "type1_error_lower_margin",
                            tsim__report_estimate_json(tsim_estimate_proportion(t->cell[1][k].reject, n)));
      cJSON_AddItemToObject(o, "type1_error_upper_margin",
                            tsim__report_estimate_json(tsim_estimate_proportion(t->cell_up[k].reject, n)));
    } else {
      cJSON_AddItemToObject(h, "margin", tsim__report_num(an->margin[0]));
    }
    cJSON_AddItemToObject(h, "level", tsim__report_num(an->level));
  }
  if (sc->nevents > 0) {
    nominal = t->cell[0][k].truth; /* what the analysis is meant to estimate */
    cJSON_AddItemToObject(o, "estimand", estimand_json(sc, t, k));
  }
  cJSON_AddItemToObject(o, "alternative", hypothesis_json(&t->cell[0][k], t->trials, nominal));
  cJSON_AddItemToObject(o, "null", hypothesis_json(tsim_tally_null(t, k), t->trials, tsim_analysis_nominal_null(sc, t, k)));
  for (int h = 0; h < 2 && an->hypothesis != TSIM_HYPO_SUPERIORITY; h++) {
    const tsim_tally_cell *c = h ? tsim_tally_null(t, k) : &t->cell[0][k];
    cJSON *ho = cJSON_GetObjectItemCaseSensitive(o, h ? "null" : "alternative"), *cv = cJSON_AddObjectToObject(ho, "interval");
    cJSON_AddItemToObject(cv, "true_value", tsim__report_num(c->truth));
    cJSON_AddItemToObject(cv, "level", tsim__report_num(1 - 2 * an->level));
    if (c->interval) cJSON_AddItemToObject(cv, "coverage", tsim__report_estimate_json(tsim_estimate_proportion(c->covered, c->interval)));
    else cJSON_AddNullToObject(cv, "coverage");
    cJSON_AddNumberToObject(cv, "trials_with_interval", (double)c->interval);
  }
  if (t->pdist[0])
    for (int h = 0; h < 2; h++)
      cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(o, h ? "null" : "alternative"), "p_values",
                            p_values_json(t, h, k));
  if (t->nlooks > 1) cJSON_AddItemToObject(o, "looks", looks_json(sc, k / ncmp));
  if (t->nlooks > 1 && sc->looks.kind == TSIM_LOOK_MONTHS)
    cJSON_AddNumberToObject(o, "trials_without_boundaries", (double)t->looks_failed);
  for (int h = 0; h < 2 && t->timed; h++)
    timed_json(sc, t, h, k, cJSON_GetObjectItemCaseSensitive(o, h ? "null" : "alternative"));
  return o;
}

static cJSON *joint_json(const tsim_scenario *sc, const tsim_tally *t, int p) {
  char a[2 * TSIM_ID_MAX], b[2 * TSIM_ID_MAX];
  const tsim_pair *pr = &t->pairs[p];
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "first", tsim_comparison_id(sc, pr->first, a, sizeof a));
  cJSON_AddStringToObject(o, "second", tsim_comparison_id(sc, pr->second, b, sizeof b));
  for (int h = 0; h < 2; h++) {
    uint64_t both = t->both[h][p], r1 = t->cell[h][pr->first].reject;
    uint64_t r2 = t->cell[h][pr->second].reject, n = (uint64_t)t->trials;
    uint64_t counts[4] = {both, r1 - both, r2 - both, n - r1 - r2 + both};
    static const char *const names[4] = {"both", "only_first", "only_second", "neither"};
    cJSON *hj = cJSON_AddObjectToObject(o, tsim_hypothesis_names[h]);
    for (int i = 0; i < 4; i++)
      cJSON_AddItemToObject(hj, names[i], tsim__report_estimate_json(tsim_estimate_proportion(counts[i], n)));
  }
  return o;
}

/* One procedure for one experimental arm: each member's power and type I error within the
 * procedure, and the rates at which all, or any, members are significant - each also by
 * direction (significant with the difference favouring the experimental arm; the rest favour
 * control), as the analyses' reject_favouring / reject_favouring_control. */
static cJSON *procedure_json(const tsim_scenario *sc, const tsim_tally *t, int q, int j) {
  const tsim_procedure *pr = &sc->procedures[q];
  uint64_t n = (uint64_t)t->trials;
  const uint64_t *c[2], *cf[2];
  size_t off = ((size_t)q * (size_t)t->ncmp + (size_t)j) * (size_t)t->pstride;
  for (int h = 0; h < 2; h++) {
    c[h] = t->proc[h] + off;
    cf[h] = t->proc_fav[h] + off;
  }
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "id", pr->id);
  cJSON_AddStringToObject(o, "method", tsim_mult_names[pr->method]);
  if (pr->method != TSIM_MULT_FIXED_SEQUENCE) cJSON_AddNumberToObject(o, "alpha", pr->alpha);
  cJSON_AddStringToObject(o, "arm", sc->arms[tsim_comparison_arm(sc, j)].id);
  cJSON *members = cJSON_AddArrayToObject(o, "analyses");
  for (int i = 0; i < pr->nmembers; i++) {
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "id", sc->analyses[pr->members[i]].id);
    cJSON_AddItemToObject(m, "power", tsim__report_estimate_json(tsim_estimate_proportion(c[0][i], n)));
    cJSON_AddItemToObject(m, "type1_error", tsim__report_estimate_json(tsim_estimate_proportion(c[1][i], n)));
    cJSON_AddItemToObject(m, "power_favouring", tsim__report_estimate_json(tsim_estimate_proportion(cf[0][i], n)));
    cJSON_AddItemToObject(m, "power_favouring_control",
                          tsim__report_estimate_json(tsim_estimate_proportion(c[0][i] - cf[0][i], n)));
    cJSON_AddItemToObject(m, "type1_error_favouring",
                          tsim__report_estimate_json(tsim_estimate_proportion(cf[1][i], n)));
    cJSON_AddItemToObject(m, "type1_error_favouring_control",
                          tsim__report_estimate_json(tsim_estimate_proportion(c[1][i] - cf[1][i], n)));
    cJSON_AddItemToArray(members, m);
  }
  /* all_significant / any_significant: {alternative, null} as before, then by direction
   * (all: every member significant and favouring the experimental arm; any: some member so). */
  static const char *const names[2] = {"all_significant", "any_significant"};
  static const char *const dir[2][2] = {{"alternative_favouring", "null_favouring"},
                                        {"alternative_favouring_control", "null_favouring_control"}};
  for (int w = 0; w < 2; w++) {
    cJSON *x = cJSON_AddObjectToObject(o, names[w]);
    size_t s = (size_t)t->pstride - 2 + (size_t)w;
    for (int h = 0; h < 2; h++)
      cJSON_AddItemToObject(x, tsim_hypothesis_names[h],
                            tsim__report_estimate_json(tsim_estimate_proportion(c[h][s], n)));
    for (int h = 0; h < 2; h++) {
      cJSON_AddItemToObject(x, dir[0][h], tsim__report_estimate_json(tsim_estimate_proportion(cf[h][s], n)));
      cJSON_AddItemToObject(x, dir[1][h],
                            tsim__report_estimate_json(tsim_estimate_proportion(c[h][s] - cf[h][s], n)));
    }
  }
  return o;
}

void tsim__report_precision_text(const tsim_scenario *sc, const tsim_precision *w, char *buf, size_t n) {
  static const char *const dir[3] = {"", " favouring the experimental arm", " favouring control"};
  const char *what = w->h ? "type I error" : "power";
  char id[2 * TSIM_ID_MAX + 2];
  if (w->comparison >= 0) {
    snprintf(buf, n, "%s: %s%s", tsim_comparison_id(sc, w->comparison, id, sizeof id), what, dir[w->direction]);
    return;
  }
  if (w->comparison == -2) {
    static const char *const cell[4] = {"both", "only the first", "only the second", "neither"};
    char id2[2 * TSIM_ID_MAX + 2];
    snprintf(buf, n, "joint %s / %s: %s significant, %s", tsim_comparison_id(sc, w->arm, id, sizeof id),
             tsim_comparison_id(sc, w->member, id2, sizeof id2), cell[w->direction], tsim_hypothesis_names[w->h]);
    return;
  }
  const tsim_procedure *pr = &sc->procedures[w->procedure];
  char member[TSIM_ID_MAX + 32];
  if (w->member < pr->nmembers) snprintf(member, sizeof member, "%s", sc->analyses[pr->members[w->member]].id);
  else snprintf(member, sizeof member, "%s", w->member == pr->nmembers ? "all significant" : "any significant");
  char arm[TSIM_ID_MAX + 16] = "";
  if (tsim_scenario_ncomparisons(sc) > 1)
    snprintf(arm, sizeof arm, " (%s)", sc->arms[tsim_comparison_arm(sc, w->arm)].id);
  snprintf(buf, n, "%s%s, %s: %s%s", pr->id, arm, member, what, dir[w->direction]);
}

cJSON *tsim__report_precision_json(const tsim_scenario *sc, const tsim_tally *t, const tsim_run_info *ri) {
  cJSON *o = cJSON_CreateObject();
  tsim_precision w;
  tsim_tally_precision(sc, t, 0, &w);
  char text[4 * TSIM_ID_MAX + 128];
  tsim__report_precision_text(sc, &w, text, sizeof text);
  cJSON_AddItemToObject(o, "worst_mcse", tsim__report_num(w.mcse));
  cJSON_AddStringToObject(o, "worst", text);
  if (ri && ri->mcse_target > 0) {
    tsim_precision b;
    tsim_tally_precision(sc, t, 1, &b);
    cJSON_AddItemToObject(o, "mcse_target", tsim__report_num(ri->mcse_target));
    cJSON_AddNumberToObject(o, "max_trials", (double)ri->max_trials);
    cJSON_AddBoolToObject(o, "reached", b.mcse <= ri->mcse_target);
  }
  return o;
}

static cJSON *summary_json(const tsim_scenario *sc, const tsim_tally *t, const tsim_run_info *ri) {
  cJSON *root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "scenario", sc->name);
  cJSON_AddNumberToObject(root, "seed", (double)ri->seed);
  cJSON_AddNumberToObject(root, "trials", (double)t->trials);
  cJSON_AddStringToObject(root, "sampling", tsim_cohort_cell_mode(sc) ? "cell" : "patient");
  cJSON_AddStringToObject(root, "null_twin",
                          sc->single_arm
                              ? "the arm's response set to each end point's p0; sites, heterogeneity, "
                                "anomalies, dropout and deviations unchanged; same random streams"
                              : any_margin(sc)
                              ? "each analysis's own null: every arm's end points set to the control arm's, or for an "
                                "analysis with a margin the experimental arm at the margin; sites, heterogeneity, "
                                "anomalies, dropout and deviations unchanged; same random streams"
                              : sc->nevents > 0
                              ? "every arm's end points and intercurrent events' probabilities set to the control "
                                "arm's; sites, heterogeneity, anomalies, dropout and deviations unchanged; same random "
                                "streams"
                              : "every arm's end points set to the control arm's; sites, heterogeneity, "
                                "anomalies, dropout and deviations unchanged; same random streams");
  cJSON *arr = cJSON_AddArrayToObject(root, "analyses");
  int ncmp = tsim_scenario_ncomparisons(sc);
  for (int k = 0; k < t->ncomp; k++) {
    double nominal = tsim_analysis_nominal(sc, k / ncmp, k % ncmp);
    cJSON_AddItemToArray(arr, tsim__report_analysis_json(sc, t, k, nominal, sc->analyses[k / ncmp].alpha));
  }
  cJSON *joint = cJSON_AddArrayToObject(root, "joint");
  for (int p = 0; p < t->npairs; p++) cJSON_AddItemToArray(joint, joint_json(sc, t, p));
  if (t->nproc > 0) {
    cJSON *mult = cJSON_AddArrayToObject(root, "multiplicity");
    for (int q = 0; q < t->nproc; q++)
      for (int j = 0; j < t->ncmp; j++) cJSON_AddItemToArray(mult, procedure_json(sc, t, q, j));
  }
  if (t->mon_rules > 0) cJSON_AddItemToObject(root, "monitoring", tsim__monitor_json(sc, t));
  cJSON_AddItemToObject(root, "precision", tsim__report_precision_json(sc, t, ri));
  cJSON *run = tsim__report_run_json(ri, t->trials);
  cJSON_AddItemToObject(root, "run", run);
  tsim__report_run_source(run, sc, sc->file);
  return root;
}

void tsim__report_run_source(cJSON *run, const tsim_scenario *sc, const char *file) {
  cJSON_AddStringToObject(run, "scenario_file", file);
  if (sc->nset == 0) return;
  cJSON *set = cJSON_AddArrayToObject(run, "set");
  char text[TSIM_OVERRIDE_TEXT_MAX];
  for (int i = 0; i < sc->nset; i++) cJSON_AddItemToArray(set, cJSON_CreateString(tsim_override_text(&sc->set[i], text, sizeof text)));
}

const char *tsim__report_set_text(const tsim_scenario *sc, char *buf, size_t n) {
  size_t used = 0;
  buf[0] = '\0';
  char text[TSIM_OVERRIDE_TEXT_MAX];
  for (int i = 0; i < sc->nset && used < n; i++) {
    int w = snprintf(buf + used, n - used, "%s--set %s", i ? " " : ", ", tsim_override_text(&sc->set[i], text, sizeof text));
    used += w > 0 ? (size_t)w : 0;
  }
  return buf;
}

cJSON *tsim__report_run_json(const tsim_run_info *ri, long long trials_run) {
  cJSON *run = cJSON_CreateObject();
  cJSON_AddNumberToObject(run, "processes", ri->processes > 1 ? ri->processes : 1);
  cJSON_AddNumberToObject(run, "threads", ri->threads);
  cJSON_AddNumberToObject(run, "seconds", ri->seconds);
  cJSON_AddNumberToObject(run, "trials_per_second",
                          ri->seconds > 0 ? (double)(trials_run - ri->resumed) / ri->seconds : 0);
  if (ri->resumed > 0) cJSON_AddNumberToObject(run, "resumed_trials", (double)ri->resumed);
  cJSON_AddStringToObject(run, "vector", tsim_isa_name(tsim_kernels()->isa));
  /* The process's peak resident memory so far (Linux: ru_maxrss in KiB), so that a reader can
   * see it does not grow with the number of trials. */
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) == 0) cJSON_AddNumberToObject(run, "peak_memory_mib", (double)ru.ru_maxrss / 1024.0);
  cJSON_AddStringToObject(run, "version", TSIM_VERSION);
  if (ri->shards > 0) cJSON_AddNumberToObject(run, "merged_shards", ri->shards); /* threads, seconds: the merge's */
  return run;
}

/* ---- CSV ------------------------------------------------------------------------------- */

/* ",x" for each number, through tsim_num (the shortest text that reads back); blank when not
 * finite. */
static void csv_nums(FILE *f, int n, const double *v) {
  for (int i = 0; i < n; i++) {
    fputc(',', f);
    if (isfinite(v[i])) tsim_fput_num(f, v[i]);
  }
}

static void csv_estimate(FILE *f, tsim_estimate e) {
  csv_nums(f, 4, (const double[]){e.estimate, e.mcse, e.lo, e.hi});
}

static void write_csv(const tsim_scenario *sc, const tsim_tally *t, FILE *f) {
  /* New columns go at the end: readers that count columns keep working. */
  fprintf(f, "id,analysis,arm,control,endpoint,population,missing,test,alpha,"
             "power,power_mcse,power_lo,power_hi,type1_error,type1_error_mcse,type1_error_lo,"
             "type1_error_hi,power_favouring,type1_error_favouring,mean_n_alternative,"
             "mean_n_null,mean_difference_alternative,mean_difference_null,nominal_difference,"
             "mean_sites_dropped_alternative,mean_sites_dropped_null,sided,visit_week,subgroup,"
             "power_favouring_lo,power_favouring_hi,power_favouring_control,"
             "type1_error_favouring_lo,type1_error_favouring_hi,type1_error_favouring_control,"
             "type1_error_favouring_control_lo,type1_error_favouring_control_hi,"
             "expected_n_alternative,expected_n_null,expected_months_alternative,expected_months_null,"
             "hypothesis,measure,margin_lower,margin_upper,level,coverage_alternative,coverage_null,strategy,"
             "true_value_se,true_value_null,true_value_null_se,bias_alternative,bias_se_alternative,bias_null,"
             "bias_se_null,imputation,imputations,imputation_reference,imputation_delta\n");
  int ncmp = tsim_scenario_ncomparisons(sc);
  uint64_t n = (uint64_t)t->trials;
  for (int k = 0; k < t->ncomp; k++) {
    const tsim_analysis *an = &sc->analyses[k / ncmp];
    int arm = tsim_comparison_arm(sc, k % ncmp);
    const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
    const tsim_tally_cell *a = &t->cell[0][k], *z = tsim_tally_null(t, k);
    char id[2 * TSIM_ID_MAX], control[TSIM_ID_MAX + 32], num[TSIM_NUM_CHARS];
    if (sc->single_arm) snprintf(control, sizeof control, "p0=%s", tsim_num(num, ep->p0));
    else snprintf(control, sizeof control, "%s", sc->arms[sc->control].id);
    fprintf(f, "%s,%s,%s,%s,%s,%s,%s,%s,%s", tsim_comparison_id(sc, k, id, sizeof id), an->id,
            sc->arms[arm].id, control, ep->id, tsim_population_names[an->population],
            an->population == TSIM_POP_ITT ? tsim_missing_names[an->missing] : "",
            tsim_test_names[an->test], tsim_num(num, an->alpha));
    csv_estimate(f, tsim_estimate_proportion(a->reject, n));
    csv_estimate(f, tsim_estimate_proportion(z->reject, n));
    double dn = (double)n;
    diff_stats da = diff_summary(a), dz = diff_summary(z);
    csv_nums(f, 9, (const double[]){(double)a->favouring / dn, (double)z->favouring / dn,
                                    (double)(a->n0_sum + a->n1_sum) / dn, (double)(z->n0_sum + z->n1_sum) / dn,
                                    da.mean, dz.mean,
                                    sc->nevents > 0 ? a->truth : tsim_analysis_nominal(sc, k / ncmp, k % ncmp),
                                    (double)a->sites_dropped / dn, (double)z->sites_dropped / dn});
    fprintf(f, ",%d,", an->sided);
    if (sc->visit_week[0] > 0) tsim_fput_num(f, sc->visit_week[ep->visits[an->visit]]);
    fprintf(f, ",%s", an->subgroup >= 0 ? sc->subgroups[an->subgroup].id : "");
    tsim_estimate pf = tsim_estimate_proportion(a->favouring, n);
    tsim_estimate zf = tsim_estimate_proportion(z->favouring, n);
    tsim_estimate zc = tsim_estimate_proportion(tsim_favouring_control(z), n);
    csv_nums(f, 8, (const double[]){pf.lo, pf.hi, (double)tsim_favouring_control(a) / dn, zf.lo, zf.hi,
                                    zc.estimate, zc.lo, zc.hi});
    tsim_timed ta = {NAN, NAN, NAN, NAN}, tz = ta;
    if (t->timed) {
      tsim_report_timed(t, 0, k, &ta);
      tsim_report_timed(t, 1, k, &tz);
    }
    csv_nums(f, 4, (const double[]){ta.n, tz.n, ta.months, tz.months});
    /* Margins (empty for superiority): the boundaries, the one-sided level, and the intervals'
     * coverage of the true value (empty without an interval). */
    int margin = an->hypothesis != TSIM_HYPO_SUPERIORITY, events = sc->nevents > 0;
    fprintf(f, ",%s,%s", tsim_hypo_names[an->hypothesis], margin ? tsim_measure_names[an->measure] : "");
    double cov[2] = {NAN, NAN};
    for (int h = 0; h < 2 && (margin || events); h++) {
      const tsim_tally_cell *c = h ? z : a;
      if (c->interval) cov[h] = (double)c->covered / (double)c->interval;
    }
    csv_nums(f, 5, (const double[]){margin ? an->margin[0] : NAN,
                                    margin ? an->margin[an->hypothesis == TSIM_HYPO_EQUIVALENCE] : NAN,
                                    margin ? an->level : NAN, cov[0], cov[1]});
    /* Intercurrent events: the strategies ("event:strategy" joined by ';') and the standard
     * error of nominal_difference, the estimand's true value (0: exact); empty otherwise. */
    fputc(',', f);
    for (int e = 0; e < sc->nevents; e++)
      fprintf(f, "%s%s:%s", e ? ";" : "", sc->events[e].id, tsim_strategy_names[an->strategy[e]]);
    csv_nums(f, 1, (const double[]){events ? a->truth_se : NAN});
    /* ... and the null twin's true value, and the bias of the mean estimate against each (with
     * its SE, as summary.json's estimand); empty without events. */
    csv_nums(f, 6, (const double[]){events ? z->truth : NAN, events ? z->truth_se : NAN,
                                    events ? da.mean - a->truth : NAN,
                                    events ? sqrt(da.mcse * da.mcse + a->truth_se * a->truth_se) : NAN,
                                    events ? dz.mean - z->truth : NAN,
                                    events ? sqrt(dz.mcse * dz.mcse + z->truth_se * z->truth_se) : NAN});
    /* Multiple imputation: its method, imputations, reference arm and delta; empty otherwise. */
    if (an->population == TSIM_POP_ITT && an->missing == TSIM_MISSING_MI) {
      fprintf(f, ",%s,%d,%s", tsim_imputation_names[an->imp_method], an->imp_m, sc->arms[an->imp_ref].id);
      csv_nums(f, 1, (const double[]){an->imp_delta});
    } else {
      fputs(",,,,", f);
    }
    fputc('\n', f);
  }
}

/* The p-value distribution of comparison k (t->pdist, present): one row per bin and
 * hypothesis - its trials, the trials up to it, and the rejection rate at alpha = the bin's
 * upper end, which is what a run at that alpha reports - then a row without bounds for the
 * trials with no p-value. */
static void write_p_values_csv(const tsim_scenario *sc, const tsim_tally *t, FILE *f) {
  fprintf(f, "id,hypothesis,p_from,p_to,trials,cumulative_trials,reject_rate_at_p_to\n");
  for (int k = 0; k < t->ncomp; k++) {
    char id[2 * TSIM_ID_MAX];
    tsim_comparison_id(sc, k, id, sizeof id);
    for (int h = 0; h < 2; h++) {
      const uint64_t *bin = t->pdist[h] + (size_t)k * (TSIM_PBINS + 1);
      uint64_t cum = 0;
      for (int j = 0; j < TSIM_PBINS; j++) {
        cum += bin[j];
        char from[TSIM_NUM_CHARS], to[TSIM_NUM_CHARS], rate[TSIM_NUM_CHARS];
        fprintf(f, "%s,%s,%s,%s,%llu,%llu,%s\n", id, tsim_hypothesis_names[h],
                tsim_num(from, (double)j / TSIM_PBINS), tsim_num(to, (double)(j + 1) / TSIM_PBINS),
                (unsigned long long)bin[j], (unsigned long long)cum,
                tsim_num(rate, (double)cum / (double)t->trials));
      }
      fprintf(f, "%s,%s,,,%llu,,\n", id, tsim_hypothesis_names[h], (unsigned long long)bin[TSIM_PBINS]);
    }
  }
}

/* ---- files ----------------------------------------------------------------------------- */


tsim_status tsim_report_write_text_file(const char *dir, const char *name, const char *text, tsim_diag *d) {
  char tmp[1][4200];
  if (tsim__tmp_write(dir, text, tmp[0], sizeof tmp[0]) != 0) {
    tsim_diag_add(d, "%s/%s: cannot write: %s", dir, name, strerror(errno));
    return TSIM_IO;
  }
  return tsim__report_commit(dir, &name, tmp, 1, d);
}

tsim_status tsim__report_commit(const char *dir, const char *const name[], char tmp[][4200],
                                int n, tsim_diag *d) {
  char dst[4200];
  int ok = 1;
  for (int i = 0; i < n && ok; i++) {
    struct stat st;
    snprintf(dst, sizeof dst, "%s/%s", dir, name[i]);
    if (lstat(dst, &st) == 0 && !S_ISREG(st.st_mode)) {
      tsim_diag_add(d, "%s: cannot write results: exists and is not a regular file", dst);
      ok = 0;
    }
  }
  for (int i = 0; i < n && ok; i++) {
    snprintf(dst, sizeof dst, "%s/%s", dir, name[i]);
    if (rename(tmp[i], dst) != 0) {
      tsim_diag_add(d, "%s: cannot write results: %s", dst, strerror(errno));
      ok = 0;
    }
  }
  for (int i = 0; i < n; i++) unlink(tmp[i]); /* no-ops after a successful rename */
  return ok ? TSIM_OK : TSIM_IO;
}

tsim_status tsim__report_write_set(const char *dir, const char *json_name, const cJSON *root, int ncsv,
                                   const char *const csv_name[], const tsim__csv_writer csv[],
                                   const void *ctx, tsim_diag *d) {
  if (tsim_mkdirs(dir) != 0) {
    tsim_diag_add(d, "%s: cannot create output directory: %s", dir, strerror(errno));
    return TSIM_IO;
  }
  const char *names[1 + TSIM_REPORT_MAX_CSV] = {json_name};
  char tmp[1 + TSIM_REPORT_MAX_CSV][4200];
  int n = 1 + (ncsv < TSIM_REPORT_MAX_CSV ? ncsv : TSIM_REPORT_MAX_CSV), made = 0;
  for (int i = 1; i < n; i++) names[i] = csv_name[i - 1];
  char *text = root ? tsim_json_print(root) : NULL;
  if (!text) errno = ENOMEM;
  int ok = text && tsim__tmp_write(dir, text, tmp[0], sizeof tmp[0]) == 0, failed = 0;
  made = ok;
  free(text);
  for (int i = 1; i < n && ok; i++) {
    FILE *f = tsim__tmp_create(dir, tmp[i], sizeof tmp[i]);
    if (!f) { ok = 0; failed = i; break; }
    made++;
    csv[i - 1](f, ctx);
    if (tsim__tmp_close(f) != 0) { ok = 0; failed = i; }
  }
  if (!ok) {
    tsim_diag_add(d, "%s/%s: cannot write results: %s", dir, names[failed], strerror(errno));
    for (int i = 0; i < made; i++) unlink(tmp[i]);
    return TSIM_IO;
  }
  return tsim__report_commit(dir, names, tmp, n, d);
}

tsim_status tsim__report_write_pair(const char *dir, const char *json_name, const cJSON *root,
                                    const char *csv_name, tsim__csv_writer csv, const void *ctx,
                                    tsim_diag *d) {
  return tsim__report_write_set(dir, json_name, root, 1, &csv_name, &csv, ctx, d);
}

typedef tsim__mon_ctx run_csv_ctx;

static void run_csv(FILE *f, const void *ctx) {
  const run_csv_ctx *c = ctx;
  write_csv(c->sc, c->t, f);
}

/* looks.csv: one row per comparison, hypothesis and look - the planned boundary and where the
 * comparison's trials stopped. */
static void looks_csv(FILE *f, const void *ctx) {
  const run_csv_ctx *c = ctx;
  const tsim_scenario *sc = c->sc;
  const tsim_tally *t = c->t;
  int ncmp = tsim_scenario_ncomparisons(sc);
  uint64_t n = (uint64_t)t->trials;
  fprintf(f, "id,analysis,arm,hypothesis,look,information,patients_assessed,efficacy_z,futility_z,"
             "nominal_alpha,stop_efficacy,stop_efficacy_mcse,stop_efficacy_favouring,stop_futility,"
             "stop_futility_mcse,stop,stopped_by_now,month,mean_information,held\n");
  for (int k = 0; k < t->ncomp; k++) {
    tsim_gs_bounds b;
    planned_bounds(sc, k / ncmp, &b);
    char id[2 * TSIM_ID_MAX];
    tsim_comparison_id(sc, k, id, sizeof id);
    for (int h = 0; h < 2; h++) {
      uint64_t before = 0;
      for (int l = 0; l < t->nlooks; l++) {
        size_t q = (size_t)k * (size_t)t->nlooks + (size_t)l;
        uint64_t e = t->stop_eff[h][q], u = t->stop_fut[h][q], stop = look_stop(t, h, k, l);
        before += stop;
        tsim_estimate ee = tsim_estimate_proportion(e, n), uu = tsim_estimate_proportion(u, n);
        fprintf(f, "%s,%s,%s,%s,%d", id, sc->analyses[k / ncmp].id, sc->arms[tsim_comparison_arm(sc, k % ncmp)].id,
                tsim_hypothesis_names[h], l + 1);
        double eff, fut, nominal, spent;
        look_numbers(&b, l, &eff, &fut, &nominal, &spent);
        int months = sc->looks.kind == TSIM_LOOK_MONTHS;
        csv_nums(f, 15, (const double[]){months ? NAN : (double)sc->looks.due[l] / (double)sc->sample_size,
                                         months ? NAN : (double)sc->looks.due[l], eff, fut, nominal, ee.estimate,
                                         ee.mcse, (double)t->stop_fav[h][q] / (double)n, uu.estimate, uu.mcse,
                                         (double)stop / (double)n, (double)before / (double)n,
                                         months ? sc->looks.at[l] : NAN, mean_information(sc, t, l),
                                         (double)t->look_held[l] / (double)n});
        fputc('\n', f);
      }
    }
  }
}

static void p_values_csv(FILE *f, const void *ctx) {
  const run_csv_ctx *c = ctx;
  write_p_values_csv(c->sc, c->t, f);
}

tsim_status tsim_report_write(const tsim_scenario *sc, const tsim_tally *t,
                              const tsim_run_info *ri, const char *dir, tsim_diag *d) {
  cJSON *root = summary_json(sc, t, ri);
  run_csv_ctx ctx = {sc, t};
  const char *names[TSIM_REPORT_MAX_CSV] = {"analyses.csv"};
  tsim__csv_writer writers[TSIM_REPORT_MAX_CSV] = {run_csv};
  int nfiles = 1, has_p = t->pdist[0] != NULL, has_looks = t->nlooks > 1, has_mon = t->mon_rules > 0;
  if (has_p) names[nfiles] = "p_values.csv", writers[nfiles++] = p_values_csv;
  if (has_looks) names[nfiles] = "looks.csv", writers[nfiles++] = looks_csv;
  if (has_mon) {
    names[nfiles] = "monitoring.csv", writers[nfiles++] = tsim__monitor_sites_csv;
    names[nfiles] = "monitoring_checks.csv", writers[nfiles++] = tsim__monitor_checks_csv;
  }
  tsim_status st = tsim__report_write_set(dir, "summary.json", root, nfiles, names, writers, &ctx, d);
  cJSON_Delete(root);
  /* An earlier run's optional files are not this run's. */
  static const char *const optional[] = {"p_values.csv", "looks.csv", "monitoring.csv", "monitoring_checks.csv"};
  int has[] = {has_p, has_looks, has_mon, has_mon};
  for (int i = 0; st == TSIM_OK && i < 4; i++) {
    if (has[i]) continue;
    char stale[4200];
    snprintf(stale, sizeof stale, "%s/%s", dir, optional[i]);
    struct stat sb;
    if (stat(stale, &sb) == 0 && S_ISREG(sb.st_mode)) remove(stale);
  }
  return st;
}

/* ---- plot ------------------------------------------------------------------------------ */

static void triple(double v[3], tsim_estimate e) {
  v[0] = e.estimate;
  v[1] = e.lo;
  v[2] = e.hi;
}

/* DIR/looks.*: per analysis, the cumulative share of trials stopped for efficacy, and stopped
 * at all, by look (at the mean information reached), under the alternative and the null twin. */
static int write_looks_plot(const tsim_scenario *sc, const tsim_tally *t, const char *dir, FILE *notice) {
  int K = t->nlooks, ns = 2 * 2 * t->ncomp;
  if (ns > TSIM_PLOT_MAX_SERIES) ns = TSIM_PLOT_MAX_SERIES & ~3;
  char title[300];
  snprintf(title, sizeof title, "%s: trials stopped by each look, %lld trials", sc->name, t->trials);
  tsim_plot *p = tsim_plot_new_hypotheses(title, "information fraction (share assessed)", "share of trials stopped by then");
  double *v = malloc((size_t)ns * 4 * (size_t)K * sizeof *v);
  if (!p || !v) {
    free(p);
    free(v);
    return -1;
  }
  p->steps = 1; /* a share stopped "by then" changes only at the looks */
  snprintf(p->style_title[0], sizeof p->style_title[0], "stopped for efficacy (H0 rejected)");
  snprintf(p->style_title[1], sizeof p->style_title[1], "stopped for any reason");
  p->nstyles = 2;
  uint64_t n = (uint64_t)t->trials;
  for (int k = 0; k < t->ncomp && p->nseries + 4 <= ns; k++) {
    char id[2 * TSIM_ID_MAX];
    if (p->ncolours < TSIM_PLOT_MAX_KEYS)
      snprintf(p->colour_title[p->ncolours++], sizeof p->colour_title[0], "%s", tsim_comparison_id(sc, k, id, sizeof id));
    for (int h = 0; h < 2; h++) {
      uint64_t eff = 0, all = 0;
      double *x[2], *y[2], *lo[2], *hi[2];
      for (int s = 0; s < 2; s++) {
        double *base = v + (size_t)(p->nseries + s) * 4 * (size_t)K;
        x[s] = base, y[s] = base + K, lo[s] = base + 2 * K, hi[s] = base + 3 * K;
      }
      for (int l = 0; l < K; l++) {
        size_t q = (size_t)k * (size_t)K + (size_t)l;
        eff += t->stop_eff[h][q];
        all += look_stop(t, h, k, l);
        tsim_estimate e[2] = {tsim_estimate_proportion(eff, n), tsim_estimate_proportion(all, n)};
        for (int s = 0; s < 2; s++) {
          x[s][l] = mean_information(sc, t, l);
          y[s][l] = e[s].estimate, lo[s][l] = e[s].lo, hi[s][l] = e[s].hi;
        }
      }
      for (int s = 0; s < 2; s++) {
        tsim_series *se = &p->series[p->nseries++];
        *se = (tsim_series){.x = x[s], .y = y[s], .lo = lo[s], .hi = hi[s], .n = K, .colour = p->ncolours - 1,
                            .style = s, .panel = h};
        snprintf(se->title, sizeof se->title, "%.100s, %s, %s", id, h ? "null twin" : "alternative",
                 s ? "stopped" : "stopped for efficacy");
      }
    }
  }
  int r = tsim_plot_write(p, dir, "looks", notice);
  free(p);
  free(v);
  return r;
}

int tsim_report_write_run_plot(const tsim_scenario *sc, const tsim_tally *t, const char *dir, FILE *notice) {
  tsim_oc_row *rows = calloc((size_t)t->ncomp, sizeof *rows);
  if (!rows) return -1;
  int ncmp = tsim_scenario_ncomparisons(sc);
  uint64_t n = (uint64_t)t->trials;
  for (int k = 0; k < t->ncomp; k++) {
    const tsim_analysis *an = &sc->analyses[k / ncmp];
    const tsim_tally_cell *a = &t->cell[0][k], *z = tsim_tally_null(t, k);
    tsim_comparison_id(sc, k, rows[k].id, sizeof rows[k].id);
    rows[k].level = an->hypothesis != TSIM_HYPO_SUPERIORITY ? an->level : an->sided == 2 ? an->alpha / 2 : an->alpha;
    triple(rows[k].power, tsim_estimate_proportion(a->reject, n));
    triple(rows[k].power_exp, tsim_estimate_proportion(a->favouring, n));
    triple(rows[k].type1, tsim_estimate_proportion(z->reject, n));
    triple(rows[k].type1_exp, tsim_estimate_proportion(z->favouring, n));
    triple(rows[k].type1_ctl, tsim_estimate_proportion(tsim_favouring_control(z), n));
  }
  char title[300];
  snprintf(title, sizeof title, "%s: operating characteristics, %lld trials", sc->name, t->trials);
  /* The legend names the nominal rate when every analysis has the same. */
  char level[80] = "nominal rate per direction", num[TSIM_NUM_CHARS];
  /* kind: 0 a two-sided test, 1 one-sided, 2 against a margin (one-sided at its level) */
#define OC_KIND(an) ((an)->hypothesis != TSIM_HYPO_SUPERIORITY ? 2 : (an)->sided == 2 ? 0 : 1)
  int same = 1, kind = OC_KIND(&sc->analyses[0]);
  for (int k = 1; k < t->ncomp; k++)
    same &= rows[k].level == rows[0].level && OC_KIND(&sc->analyses[k / ncmp]) == kind;
#undef OC_KIND
  if (same)
    snprintf(level, sizeof level, "%s%s",
             kind == 0 ? "nominal rate per direction: alpha/2 = " : kind == 1 ? "nominal rate: alpha = "
                                                                            : "nominal rate: one-sided level = ",
             tsim_num(num, rows[0].level));
  int r = tsim_plot_write_oc(title, level, rows, t->ncomp, dir, "oc", notice);
  free(rows);
  if (r >= 0 && t->nlooks > 1) {
    int q = write_looks_plot(sc, t, dir, r == 1 ? NULL : notice); /* one gnuplot notice is enough */
    if (q < 0) r = q;
  }
  if (r >= 0 && t->mon_rules > 0) {
    int q = tsim__monitor_plot(sc, t, dir, r == 1 ? NULL : notice);
    if (q < 0) r = q;
  }
  return r;
}

/* ---- table ----------------------------------------------------------------------------- */

/* "0.1519 [0.1496, 0.1541]": TSIM_CI_CHARS characters for any proportion. */
#define TSIM_CI_CHARS 23
static void print_ci(FILE *f, tsim_estimate e) {
  fprintf(f, "  %.4f [%.4f, %.4f]", e.estimate, e.lo, e.hi);
}

/* A cell's intervals' coverage and its Wilson interval, or that there was none. */
static void print_coverage(FILE *f, const tsim_tally_cell *c) {
  if (c->interval) {
    tsim_estimate e = tsim_estimate_proportion(c->covered, c->interval);
    fprintf(f, "  %.4f [%.4f, %.4f]", e.estimate, e.lo, e.hi);
  } else {
    fprintf(f, "  %-24s", "- (no interval)");
  }
}

/* The analyses with a margin: hypothesis, measure, margin, one-sided level, the null twin's
 * difference, and their intervals' coverage of the true value under both hypotheses. */
static void print_margins(const tsim_scenario *sc, const tsim_tally *t, int wid, FILE *f) {
  int ncmp = tsim_scenario_ncomparisons(sc), any = 0;
  for (int k = 0; k < t->ncomp; k++) any |= sc->analyses[k / ncmp].hypothesis != TSIM_HYPO_SUPERIORITY;
  if (!any) return;
  fprintf(f, "\n%-*s %-16s %-15s %-14s %6s %9s  %-24s %-24s\n", wid, "margins", "hypothesis", "measure", "margin",
          "level", "null diff", "coverage alternative", "coverage null twin");
  for (int k = 0; k < t->ncomp; k++) {
    const tsim_analysis *an = &sc->analyses[k / ncmp];
    if (an->hypothesis == TSIM_HYPO_SUPERIORITY) continue;
    char id[2 * TSIM_ID_MAX], m[64], x[TSIM_NUM_CHARS], y[TSIM_NUM_CHARS];
    if (an->hypothesis == TSIM_HYPO_EQUIVALENCE)
      snprintf(m, sizeof m, "[%s, %s]", tsim_num(x, an->margin[0]), tsim_num(y, an->margin[1]));
    else
      snprintf(m, sizeof m, "%s", tsim_num(x, an->margin[0]));
    fprintf(f, "%-*s %-16s %-15s %-14s %6.4g %+9.4f", wid, tsim_comparison_id(sc, k, id, sizeof id),
            tsim_hypo_names[an->hypothesis], tsim_measure_names[an->measure], m, an->level,
            tsim_analysis_nominal_null(sc, t, k));
    for (int h = 0; h < 2; h++) print_coverage(f, h ? tsim_tally_null(t, k) : &t->cell[0][k]);
    fputc('\n', f);
  }
  fprintf(f, "Non-inferiority and equivalence (ni, eq): one-sided tests at `level` against the margin on the\n"
             "measure; their type I error is under their own null twin, the experimental arm at the margin (null\n"
             "diff: its difference from control; equivalence: the margin whose null rejects more often).\n"
             "Coverage: the share of trials whose two-sided 1 - 2 level interval holds the measure's true value.\n");
}

/* Intercurrent events: each analysis's strategies, its estimand's true value, the bias of its
 * mean estimate and its interval's coverage under both hypotheses. */
static void print_estimands(const tsim_scenario *sc, const tsim_tally *t, int wid, FILE *f) {
  if (sc->nevents == 0) return;
  int ncmp = tsim_scenario_ncomparisons(sc), ws = 8;
  typedef char strategies[TSIM_MAX_EVENTS * (TSIM_ID_MAX + 24)];
  strategies *st = malloc((size_t)t->ncomp * sizeof *st);
  if (!st) return;
  for (int k = 0; k < t->ncomp; k++) {
    strategies_text(sc, &sc->analyses[k / ncmp], st[k], sizeof st[k]);
    int l = (int)strlen(st[k]);
    ws = l > ws ? l : ws;
  }
  fprintf(f, "\n%-*s %-*s  %10s %9s %9s %9s %8s %7s  %-24s %-24s\n", wid, "estimands", ws, "strategy", "true value",
          "(SE)", "mean est", "bias", "(MCSE)", "bias/SD", "coverage alternative", "coverage null twin");
  for (int k = 0; k < t->ncomp; k++) {
    const tsim_tally_cell *a = &t->cell[0][k];
    diff_stats ds = diff_summary(a);
    double se = sqrt(ds.mcse * ds.mcse + a->truth_se * a->truth_se);
    char id[2 * TSIM_ID_MAX];
    char tse[16];
    if (a->truth_se > 0) snprintf(tse, sizeof tse, "%9.4f", a->truth_se);
    else snprintf(tse, sizeof tse, "%9s", "exact");
    fprintf(f, "%-*s %-*s  ", wid, tsim_comparison_id(sc, k, id, sizeof id), ws, st[k]);
    print_num(f, 1, 10, 4, a->truth);
    fprintf(f, " %s ", tse);
    print_num(f, 1, 9, 4, ds.mean);
    fputc(' ', f);
    print_num(f, 1, 9, 4, ds.mean - a->truth);
    fputc(' ', f);
    print_num(f, 0, 8, 4, se);
    fputc(' ', f);
    print_num(f, 1, 7, 2, ds.sd > 0 ? (ds.mean - a->truth) / ds.sd : NAN);
    for (int h = 0; h < 2; h++) print_coverage(f, &t->cell[h][k]);
    fputc('\n', f);
  }
  free(st);
  char pop[96] = "";
  if (t->truth_patients > 0)
    snprintf(pop, sizeof pop, ", or from a simulated population of %lld patients (SE: its error)", t->truth_patients);
  fprintf(f, "Estimands (ICH E9(R1)): true value = the difference (experimental - control) in the variable the\n"
             "analysis's strategies define, over every randomised patient with every event and no missing value:\n"
             "exact from the model (exact)%s.\nbias: mean estimate - true value, with its Monte Carlo SE "
             "(MCSE: the mean estimate's and the true value's;\nbias / MCSE grows with the trials: it says "
             "whether a bias is real, not whether it matters). bias/SD: the\nbias over the SD of the "
             "estimates across trials (standardised bias: within +-0.1 small beside the estimate's\nown "
             "error, beyond +-0.4 large). Coverage: the share of trials whose interval of the difference "
             "(1 - alpha,\none-sided 1 - 2 alpha; Newcombe's for rates, the analysis's own for means) holds "
             "the true value, under the\nscenario and under its null twin.\n",
          pop);
}

void tsim__report_centred(FILE *f, const char *text, int w, char c) {
  int l = (int)strlen(text), left = (w - l - 2) / 2, right = w - l - 2 - left;
  if (left < 0) left = right = 0;
  for (int i = 0; i < left; i++) fputc(c, f);
  fprintf(f, "%s%s%s", left ? " " : "", text, right ? " " : "");
  for (int i = 0; i < right; i++) fputc(c, f);
}

void tsim_report_print_header(const char *what, long long trials, const tsim_run_info *ri, FILE *f) {
  if (ri->shards > 0) { /* merge: the shards' trials, simulated elsewhere */
    fprintf(f, "%s, seed %llu, merged from %d shard%s\n", what, (unsigned long long)ri->seed, ri->shards,
            ri->shards == 1 ? "" : "s");
    return;
  }
  fprintf(f, "%s, seed %llu, ", what, (unsigned long long)ri->seed);
  if (ri->processes > 1) fprintf(f, "%d processes x ", ri->processes);
  fprintf(f, "%d thread%s, %.2f s\n", ri->threads, ri->threads == 1 ? "" : "s", ri->seconds);
  (void)trials;
}

/* A procedure's table, grouped as the run table: the alternative (power, and its part favouring
 * the experimental arm) and the null twin (type I error, and its parts favouring each arm). */
static void print_procedures(const tsim_scenario *sc, const tsim_tally *t, FILE *f) {
  uint64_t n = (uint64_t)t->trials;
  double dn = (double)n;
  for (int q = 0; q < t->nproc; q++)
    for (int j = 0; j < t->ncmp; j++) {
      const tsim_procedure *pr = &sc->procedures[q];
      size_t off = ((size_t)q * (size_t)t->ncmp + (size_t)j) * (size_t)t->pstride;
      const uint64_t *a = t->proc[0] + off, *z = t->proc[1] + off;
      const uint64_t *af = t->proc_fav[0] + off, *zf = t->proc_fav[1] + off;
      fprintf(f, "\n%s (%s", pr->id, tsim_mult_names[pr->method]);
      char num[TSIM_NUM_CHARS];
      if (pr->method != TSIM_MULT_FIXED_SEQUENCE) fprintf(f, ", family alpha %s", tsim_num(num, pr->alpha));
      if (t->ncmp > 1) fprintf(f, ", arm %s", sc->arms[tsim_comparison_arm(sc, j)].id);
      fprintf(f, "): significant within the procedure, share of trials\n");
      int w = 22; /* wider for long analysis ids */
      for (int i = 0; i < pr->nmembers; i++) {
        int l = (int)strlen(sc->analyses[pr->members[i]].id);
        w = l > w ? l : w;
      }
      fprintf(f, "  %*s  ", w, "");
      tsim__report_centred(f, "alternative", 17, '-');
      fputs("  ", f);
      tsim__report_centred(f, "null twin", 26, '-');
      fputc('\n', f);
      fprintf(f, "  %-*s  %8s %8s  %8s %8s %8s\n", w, "analysis", "power", "fav exp", "type I", "fav exp",
              "fav ctl");
      for (int r = 0; r < pr->nmembers + 2; r++) {
        /* The members, then all of them and any of them (the last two slots). */
        size_t s = r < pr->nmembers ? (size_t)r : (size_t)t->pstride - 2 + (size_t)(r - pr->nmembers);
        const char *name = r < pr->nmembers ? sc->analyses[pr->members[r]].id
                                            : r == pr->nmembers ? "all of them" : "any of them";
        fprintf(f, "  %-*s  %8.4f %8.4f  %8.4f %8.4f %8.4f\n", w, name, (double)a[s] / dn, (double)af[s] / dn,
                (double)z[s] / dn, (double)zf[s] / dn, (double)(z[s] - zf[s]) / dn);
      }
    }
  if (t->nproc > 0)
    fprintf(f, "\nfav exp: significant within the procedure with the observed difference favouring the "
               "experimental arm;\nall of them: every member so, any of them: some member so; fav ctl: the "
               "rest (type I - fav exp).\n");
}

static const char *const family_names[] = {"O'Brien-Fleming-type spending", "Pocock-type spending",
                                           "Hwang-Shih-DeCani spending", "Haybittle-Peto",
                                           "Wang-Tsiatis"};

/* Calendar time: for each comparison its looks (boundaries, where its trials stopped under
 * both hypotheses) and the expected patients randomised and months when it ended. */
static void print_timed(const tsim_scenario *sc, const tsim_tally *t, int wid, FILE *f) {
  int ncmp = tsim_scenario_ncomparisons(sc);
  double n = (double)t->trials;
  char num[TSIM_NUM_CHARS];
  if (t->nlooks > 1) {
    fprintf(f, "\nlooks (%s%s), where each analysis's trials stopped:\n",
            family_names[sc->looks.design.family],
            sc->looks.has_futility ? (sc->looks.design.binding ? ", binding futility" : ", non-binding futility") : "");
    if (sc->looks.kind == TSIM_LOOK_MONTHS) {
      fprintf(f, "interims at month");
      for (int l = 0; l + 1 < t->nlooks; l++)
        fprintf(f, "%s %s (held in %.1f%% of trials)", l ? "," : "", tsim_num(num, sc->looks.at[l]),
                100.0 * (double)t->look_held[l] / n);
      fprintf(f, "; info is the mean information reached, and the boundaries are each trial's own\n");
      if (t->looks_failed)
        fprintf(f, "WARNING: in %llu trials the boundaries at the information reached could not be computed "
                   "(a futility bound above an efficacy bound): those trials were decided at the final analysis alone\n",
                (unsigned long long)t->looks_failed);
    }
    fprintf(f, "%-*s %4s %6s %8s %8s  %-26s  %-26s\n", wid, "analysis", "look", "info", "eff z", "fut z",
            "alt: efficacy futility all", "null: efficacy futility all");
  } else {
    fprintf(f, "\n");
  }
  for (int k = 0; k < t->ncomp; k++) {
    char id[2 * TSIM_ID_MAX];
    tsim_comparison_id(sc, k, id, sizeof id);
    if (t->nlooks > 1) {
      tsim_gs_bounds b;
      planned_bounds(sc, k / ncmp, &b);
      uint64_t before[2] = {0, 0};
      for (int l = 0; l < t->nlooks; l++) {
        double eff, fut, nominal, spent, info = mean_information(sc, t, l);
        look_numbers(&b, l, &eff, &fut, &nominal, &spent);
        fprintf(f, "%-*s %4d %6s", wid, l == 0 ? id : "", l + 1, isfinite(info) ? tsim_num(num, round(info * 1e4) / 1e4) : "-");
        if (isfinite(eff)) fprintf(f, " %8.4f", eff);
        else fprintf(f, " %8s", "-");
        if (isfinite(fut)) fprintf(f, " %8.4f ", fut);
        else fprintf(f, " %8s ", "-");
        for (int h = 0; h < 2; h++) {
          size_t q = (size_t)k * (size_t)t->nlooks + (size_t)l;
          uint64_t e = t->stop_eff[h][q], u = t->stop_fut[h][q], stop = look_stop(t, h, k, l);
          before[h] += stop;
          fprintf(f, " %*s%8.4f %8.4f %6.4f ", h ? 5 : 4, "", (double)e / n, (double)u / n, (double)stop / n);
        }
        fputc('\n', f);
      }
    }
    tsim_timed a, z;
    tsim_report_timed(t, 0, k, &a);
    tsim_report_timed(t, 1, k, &z);
    fprintf(f, "%-*s expected patients randomised %.1f (alternative), %.1f (null); months from first "
               "patient to decision %.1f, %.1f\n", wid, t->nlooks > 1 ? "" : id, a.n, z.n, a.months, z.months);
  }
}

void tsim_report_print(const tsim_scenario *sc, const tsim_tally *t, const tsim_run_info *ri,
                       FILE *f) {
  uint64_t n = (uint64_t)t->trials;
  char set[TSIM_GRID_MAX_PARAMS * (TSIM_OVERRIDE_TEXT_MAX + 8) + 4];
  fprintf(f, "trialsim %s  scenario %s (%s%s)\n", TSIM_VERSION, sc->name, sc->file, tsim__report_set_text(sc, set, sizeof set));
  char what[128];
  snprintf(what, sizeof what, "%lld trials under the alternative and under the null twin", t->trials);
  tsim_report_print_header(what, t->trials, ri, f);
  if (ri && ri->mcse_target > 0) {
    /* run --mcse: the precision reached, and where it is worst. */
    tsim_precision w, b;
    tsim_tally_precision(sc, t, 0, &w);
    tsim_tally_precision(sc, t, 1, &b);
    char text[4 * TSIM_ID_MAX + 128], x[TSIM_NUM_CHARS];
    tsim__report_precision_text(sc, &w, text, sizeof text);
    fprintf(f, "--mcse %s: %s after %lld trials (at most %lld); largest MCSE %.5f (%s)\n",
            tsim_num(x, ri->mcse_target), b.mcse <= ri->mcse_target ? "reached" : "NOT reached",
            t->trials, ri->max_trials, w.mcse, text);
  }
  fputc('\n', f);
  /* Column widths: at least the classic ones, wider for long ids, tests and populations. */
  int wid = 18, wt = 9, wp = 20;
  for (int k = 0; k < t->ncomp; k++) {
    char id[2 * TSIM_ID_MAX];
    int l = (int)strlen(tsim_comparison_id(sc, k, id, sizeof id));
    const tsim_analysis *an = &sc->analyses[k / tsim_scenario_ncomparisons(sc)];
    int lt = (int)strlen(tsim_test_names[an->test]) + (an->sided == 1 || an->hypothesis != TSIM_HYPO_SUPERIORITY ? 3 : 0);
    int lp = 28 + (an->subgroup >= 0 ? (int)strlen(sc->subgroups[an->subgroup].id) + 1 : 0);
    wid = l > wid ? l : wid;
    wt = lt > wt ? lt : wt;
    if (an->subgroup >= 0 || sc->visit_week[0] > 0) wp = lp > wp ? lp : wp;
  }
  /* Two groups of columns: the scenario (power) and its null twin (type I error), each with the
   * two-sided rate and the rejections by direction (fav exp: favouring the experimental arm,
   * fav ctl: favouring control). */
  fprintf(f, "%*s  ", wid + wt + wp + 2, "");
  tsim__report_centred(f, "alternative", TSIM_CI_CHARS + 9, '-');
  fputs("  ", f);
  tsim__report_centred(f, "null twin", TSIM_CI_CHARS + 17, '-');
  fputc('\n', f);
  fprintf(f, "%-*s %-*s %-*s  %-*s  %7s  %-*s  %7s %7s  %7s %7s\n", wid, "analysis", wt, "test", wp,
          "population", TSIM_CI_CHARS, "power [95% CI]", "fav exp", TSIM_CI_CHARS, "type I error [95% CI]",
          "fav exp", "fav ctl", "mean N", "diff");
  int ncmp = tsim_scenario_ncomparisons(sc);
  for (int k = 0; k < t->ncomp; k++) {
    const tsim_analysis *an = &sc->analyses[k / ncmp];
    const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
    char id[2 * TSIM_ID_MAX], pop[64 + TSIM_ID_MAX], when[32] = "";
    char num[TSIM_NUM_CHARS];
    if (sc->visit_week[0] > 0) snprintf(when, sizeof when, " wk%s", tsim_num(num, sc->visit_week[ep->visits[an->visit]]));
    int cc = an->population == TSIM_POP_ITT && an->missing == TSIM_MISSING_EXCLUDE && an->test != TSIM_TEST_MMRM;
    int locf = an->population == TSIM_POP_ITT && an->missing == TSIM_MISSING_LOCF;
    int mi = an->population == TSIM_POP_ITT && an->missing == TSIM_MISSING_MI;
    static const char *const mi_short[] = {" (MI mar)", " (MI j2r)", " (MI cir)", " (MI cr)"};
    snprintf(pop, sizeof pop, "%s%s%s%s%s%s%s", tsim_population_names[an->population],
             cc ? " (completers)" : locf ? " (locf)" : mi ? mi_short[an->imp_method]
             : an->test == TSIM_TEST_MMRM ? " (observed)" : "", an->exclude || an->has_where ? " -sites" : "",
             an->exclude_flagged ? " -flagged" : "", an->subgroup >= 0 ? " " : "", an->subgroup >= 0 ? sc->subgroups[an->subgroup].id : "", when);
    const tsim_tally_cell *a = &t->cell[0][k], *z = tsim_tally_null(t, k);
    char test[TSIM_ID_MAX];
    snprintf(test, sizeof test, "%s%s", tsim_test_names[an->test],
             an->hypothesis == TSIM_HYPO_NONINFERIORITY ? " ni" : an->hypothesis == TSIM_HYPO_EQUIVALENCE ? " eq"
             : an->sided == 1 ? " 1s" : "");
    fprintf(f, "%-*s %-*s %-*s", wid, tsim_comparison_id(sc, k, id, sizeof id), wt, test, wp, pop);
    double dn = (double)n;
    print_ci(f, tsim_estimate_proportion(a->reject, n));
    fprintf(f, "  %7.4f", (double)a->favouring / dn);
    print_ci(f, tsim_estimate_proportion(z->reject, n));
    double md = diff_summary(a).mean; /* NaN: no trial had a difference (files: null) */
    fprintf(f, "  %7.4f %7.4f  %7.1f ", (double)z->favouring / dn, (double)tsim_favouring_control(z) / dn,
            (double)(a->n0_sum + a->n1_sum) / dn);
    print_num(f, 1, 7, 3, md);
    fputc('\n', f);
  }
  /* Trials in which an analysis gave no result (an arm without analysed patients, or a model
   * that could not be fitted): counted as not significant, which the rates above do not show. */
  for (int k = 0, said = 0; k < t->ncomp; k++) {
    const tsim_tally_cell *a = &t->cell[0][k], *z = tsim_tally_null(t, k);
    if (a->defined == n && z->defined == n) continue;
    char id[2 * TSIM_ID_MAX];
    if (!said++) fputc('\n', f);
    fprintf(f, "note: %s gave no result in %llu of %llu trials under the alternative and %llu under the null twin "
               "(an arm without analysed patients, or a model that could not be fitted); they count as not "
               "significant\n", tsim_comparison_id(sc, k, id, sizeof id), (unsigned long long)(n - a->defined),
            (unsigned long long)n, (unsigned long long)(n - z->defined));
  }
  print_margins(sc, t, wid, f);
  print_estimands(sc, t, wid, f);
  if (t->timed) print_timed(sc, t, wid, f);
  if (t->mon_rules > 0) tsim__monitor_print(sc, t, f);
  print_procedures(sc, t, f);
  if (t->npairs == 0) return;
  int wpair = 38; /* wider when the ids are long */
  for (int p = 0; p < t->npairs; p++) {
    char a[2 * TSIM_ID_MAX], b[2 * TSIM_ID_MAX];
    int l = (int)(strlen(tsim_comparison_id(sc, t->pairs[p].first, a, sizeof a)) +
                  strlen(tsim_comparison_id(sc, t->pairs[p].second, b, sizeof b))) + 4;
    wpair = l > wpair ? l : wpair;
  }
  fprintf(f, "\n%-*s %-31s | %s\n", wpair, "joint decisions, share of trials", "alternative",
          "null twin");
  fprintf(f, "%-*s %7s %7s %7s %7s | %7s %7s %7s %7s\n", wpair, "first / second", "both", "1st",
          "2nd", "neither", "both", "1st", "2nd", "neither");
  for (int p = 0; p < t->npairs; p++) {
    char a[2 * TSIM_ID_MAX], b[2 * TSIM_ID_MAX], pair[4 * TSIM_ID_MAX + 8];
    snprintf(pair, sizeof pair, "%s / %s", tsim_comparison_id(sc, t->pairs[p].first, a, sizeof a),
             tsim_comparison_id(sc, t->pairs[p].second, b, sizeof b));
    fprintf(f, "%-*s", wpair, pair);
    for (int h = 0; h < 2; h++) {
      uint64_t both = t->both[h][p], r1 = t->cell[h][t->pairs[p].first].reject;
      uint64_t r2 = t->cell[h][t->pairs[p].second].reject;
      double dn = (double)n;
      fprintf(f, "%s %7.4f %7.4f %7.4f %7.4f", h ? " |" : "", (double)both / dn,
              (double)(r1 - both) / dn, (double)(r2 - both) / dn, (double)(n - r1 - r2 + both) / dn);
    }
    fputc('\n', f);
  }
  fprintf(f, "\nPower and type I error are rejection rates (p < alpha; two-sided unless the analysis "
             "is one-sided, 1s,\nor against a margin, ni or eq: one-sided at its level) under the "
             "scenario and its null twin\n(%s; sites, anomalies and "
             "dropout kept).\nfav exp / fav ctl: the rejections whose observed difference favours "
             "the experimental arm / does not\n(favours control, or is zero); they add up to the "
             "two-sided rate. Under the null twin each direction's\nnominal rate is alpha/2 "
             "(two-sided) or alpha (one-sided, fav exp only). mean N: patients analysed;\ndiff: mean "
             "observed difference (experimental - control) in response rates, or in means for a "
             "continuous\nend point (ANCOVA: adjusted); a single arm's is its rate - p0, and its "
             "'control' is p0. 1st / 2nd: only\nthe first / second significant.\n",
          sc->single_arm ? "the arm's response set to p0"
          : any_margin(sc) ? "every arm's end points set to the control's, or at an analysis's margin (below)"
          : sc->nevents > 0 ? "every arm's end points and event probabilities set to the control's"
                            : "every arm's end points set to the control's");
}
