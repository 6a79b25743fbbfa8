/* monreport.c - site monitoring's results (scenario "monitoring"; the tally's mon_* counts,
 * runner.h): summary.json's "monitoring", monitoring.csv (rule, hypothesis, site),
 * monitoring_checks.csv (rule, hypothesis, check), the printed table's part and the plot
 * monitoring.svg.
 *
 * Per trial (binomial over trials, with MCSE and Wilson interval): some anomalous site flagged
 * ("detection"), every anomalous site flagged, some honest site flagged ("any false alarm"),
 * each by the end of the trial and by each check. Per site: the share of the trials in which it
 * was anomalous that flagged it, the share of those in which it was honest that flagged it (its
 * false-alarm rate), and the mean patients randomised by its first flag. Pooled over sites (no
 * MCSE: a trial's sites are not independent): the share of anomalous and of honest (trial, site)
 * pairs flagged, by each check. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/monreport.h"

#include "core/numfmt.h"
#include "output/estimate.h"
#include "output/plot.h"

static const char *rule_reads(const tsim_scenario *sc, const tsim_monitor_rule *m, char *buf, size_t n) {
  if (m->arm < 0) snprintf(buf, n, "blinded (every arm)");
  else snprintf(buf, n, "unblinded (%s)", sc->arms[m->arm].id);
  return buf;
}

static uint64_t anomalous_site_trials(const tsim_tally *t) {
  uint64_t a = 0;
  for (int s = 0; s < t->mon_sites; s++) a += t->mon_anom[s];
  return a;
}

/* Cumulative counts of a [(r 2 + h) C + c] histogram up to check c (inclusive). */
static uint64_t cum(const uint64_t *hist, const tsim_tally *t, int r, int h, int c) {
  uint64_t s = 0;
  const uint64_t *q = hist + (size_t)(r * 2 + h) * (size_t)t->mon_checks;
  for (int i = 0; i <= c; i++) s += q[i];
  return s;
}

static double ratio(uint64_t k, uint64_t n) { return n ? (double)k / (double)n : NAN; }

typedef tsim__mon_numbers mon_numbers;

static mon_numbers numbers(const tsim_tally *t, int r, int h, int c) {
  mon_numbers m;
  uint64_t n = (uint64_t)t->trials, A = anomalous_site_trials(t), N = n * (uint64_t)t->mon_sites - A;
  m.detect = tsim_estimate_proportion(cum(t->mon_first_det, t, r, h, c), t->mon_anom_trials);
  m.all = tsim_estimate_proportion(cum(t->mon_all_det, t, r, h, c), t->mon_anom_trials);
  m.any_fa = tsim_estimate_proportion(cum(t->mon_first_fa, t, r, h, c), n);
  m.pooled_detect = ratio(cum(t->mon_first_anom, t, r, h, c), A);
  m.pooled_fa = ratio(cum(t->mon_first_norm, t, r, h, c), N);
  return m;
}

tsim__mon_numbers tsim__monitor_numbers(const tsim_tally *t, int r, int h) { return numbers(t, r, h, t->mon_checks - 1); }

/* numbers() at every check, in one pass over the histograms: [mon_checks] (malloc'ed; NULL
 * when out of memory). */
static mon_numbers *numbers_by_check(const tsim_tally *t, int r, int h) {
  int C = t->mon_checks;
  mon_numbers *v = malloc(((size_t)C + 1) * sizeof *v);
  if (!v) return NULL;
  uint64_t n = (uint64_t)t->trials, A = anomalous_site_trials(t), N = n * (uint64_t)t->mon_sites - A;
  uint64_t det = 0, all = 0, fa = 0, pa = 0, pn = 0;
  size_t o = (size_t)(r * 2 + h) * (size_t)C;
  for (int c = 0; c < C; c++) {
    det += t->mon_first_det[o + (size_t)c];
    all += t->mon_all_det[o + (size_t)c];
    fa += t->mon_first_fa[o + (size_t)c];
    pa += t->mon_first_anom[o + (size_t)c];
    pn += t->mon_first_norm[o + (size_t)c];
    v[c].detect = tsim_estimate_proportion(det, t->mon_anom_trials);
    v[c].all = tsim_estimate_proportion(all, t->mon_anom_trials);
    v[c].any_fa = tsim_estimate_proportion(fa, n);
    v[c].pooled_detect = ratio(pa, A);
    v[c].pooled_fa = ratio(pn, N);
  }
  return v;
}

static cJSON *estimate_or_null(tsim_estimate e, uint64_t n) {
  return n ? tsim__report_estimate_json(e) : cJSON_CreateNull();
}

static double check_patients(const tsim_tally *t, int c) {
  return ratio(t->mon_check_rand[c], t->mon_check_held[c]);
}
static double check_month(const tsim_tally *t, int c) {
  return t->mon_check_held[c] ? (double)t->mon_check_months[c] / TSIM_MONTHS_SCALE / (double)t->mon_check_held[c] : NAN;
}

static cJSON *hypothesis_json(const tsim_tally *t, int r, int h) {
  cJSON *o = cJSON_CreateObject();
  int C = t->mon_checks, S = t->mon_sites;
  uint64_t n = (uint64_t)t->trials;
  mon_numbers m = numbers(t, r, h, C - 1);
  cJSON_AddItemToObject(o, "detection", estimate_or_null(m.detect, t->mon_anom_trials));
  cJSON_AddItemToObject(o, "all_anomalous_flagged", estimate_or_null(m.all, t->mon_anom_trials));
  cJSON_AddItemToObject(o, "any_false_alarm", tsim__report_estimate_json(m.any_fa));
  cJSON_AddItemToObject(o, "anomalous_site_flagged", tsim__report_num(m.pooled_detect));
  cJSON_AddItemToObject(o, "honest_site_flagged", tsim__report_num(m.pooled_fa));
  cJSON *arr = cJSON_AddArrayToObject(o, "by_check");
  mon_numbers *all = numbers_by_check(t, r, h);
  for (int c = 0; c < C && all; c++) {
    mon_numbers b = all[c];
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "check", c + 1);
    cJSON_AddItemToObject(e, "detection", t->mon_anom_trials ? tsim__report_num(b.detect.estimate) : cJSON_CreateNull());
    cJSON_AddItemToObject(e, "all_anomalous_flagged", t->mon_anom_trials ? tsim__report_num(b.all.estimate) : cJSON_CreateNull());
    cJSON_AddItemToObject(e, "any_false_alarm", tsim__report_num(b.any_fa.estimate));
    cJSON_AddItemToObject(e, "anomalous_site_flagged", tsim__report_num(b.pooled_detect));
    cJSON_AddItemToObject(e, "honest_site_flagged", tsim__report_num(b.pooled_fa));
    cJSON_AddItemToArray(arr, e);
  }
  free(all);
  cJSON *sites = cJSON_AddArrayToObject(o, "sites");
  size_t o_s = (size_t)(r * 2 + h) * (size_t)S;
  for (int s = 0; s < S; s++) {
    uint64_t A = t->mon_anom[s], fa = t->mon_flag_anom[o_s + (size_t)s], fn = t->mon_flag_norm[o_s + (size_t)s];
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "site", s);
    cJSON_AddNumberToObject(e, "anomalous_trials", (double)A);
    cJSON_AddItemToObject(e, "flagged_when_anomalous", estimate_or_null(tsim_estimate_proportion(fa, A), A));
    cJSON_AddItemToObject(e, "false_alarm", estimate_or_null(tsim_estimate_proportion(fn, n - A), n - A));
    cJSON_AddNumberToObject(e, "flagged_trials", (double)(fa + fn));
    cJSON_AddItemToObject(e, "mean_patients_at_flag", tsim__report_num(ratio(t->mon_flag_rand[o_s + (size_t)s], fa + fn)));
    cJSON_AddItemToArray(sites, e);
  }
  return o;
}

cJSON *tsim__monitor_json(const tsim_scenario *sc, const tsim_tally *t) {
  const tsim_monitoring *mo = &sc->monitoring;
  cJSON *o = cJSON_CreateObject();
  cJSON *sch = cJSON_AddObjectToObject(o, "schedule");
  if (mo->at_looks) cJSON_AddTrueToObject(sch, "at_looks");
  else cJSON_AddNumberToObject(sch, "every_patients", (double)mo->every);
  cJSON_AddNumberToObject(o, "trials_with_anomalous_site", (double)t->mon_anom_trials);
  cJSON *checks = cJSON_AddArrayToObject(o, "checks");
  for (int c = 0; c < t->mon_checks; c++) {
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "check", c + 1);
    cJSON_AddItemToObject(e, "held", tsim__report_num(ratio(t->mon_check_held[c], (uint64_t)t->trials)));
    cJSON_AddItemToObject(e, "mean_patients", tsim__report_num(check_patients(t, c)));
    cJSON_AddItemToObject(e, "mean_month", tsim__report_num(check_month(t, c)));
    cJSON_AddItemToArray(checks, e);
  }
  cJSON *rules = cJSON_AddArrayToObject(o, "rules");
  for (int r = 0; r < mo->nrules; r++) {
    const tsim_monitor_rule *m = &mo->rules[r];
    cJSON *e = cJSON_CreateObject();
    char buf[TSIM_ID_MAX + 32];
    cJSON_AddStringToObject(e, "id", m->id);
    cJSON_AddStringToObject(e, "reads", rule_reads(sc, m, buf, sizeof buf));
    cJSON_AddStringToObject(e, "measure", tsim_mon_measure_names[m->measure]);
    cJSON_AddStringToObject(e, "endpoint", sc->endpoints[m->endpoint].id);
    cJSON_AddNumberToObject(e, "visit_week", sc->visit_week[sc->endpoints[m->endpoint].visits[m->visit]]);
    cJSON_AddStringToObject(e, "test", tsim_mon_test_names[m->test]);
    if (m->test == TSIM_MON_BINOMIAL) {
      cJSON_AddNumberToObject(e, "alpha", m->alpha);
      cJSON_AddStringToObject(e, "adjust", tsim_mon_adjust_names[m->adjust]);
      cJSON_AddNumberToObject(e, "level", m->level);
      cJSON_AddStringToObject(e, "direction", tsim_mon_direction_names[m->direction]);
    } else {
      cJSON_AddNumberToObject(e, "rate_at_least", m->rate);
    }
    cJSON_AddNumberToObject(e, "min_patients", m->min_n);
    cJSON_AddBoolToObject(e, "stop_enrolling", m->stop_enrolling);
    cJSON_AddItemToObject(e, "alternative", hypothesis_json(t, r, 0));
    cJSON_AddItemToObject(e, "null", hypothesis_json(t, r, 1));
    cJSON_AddItemToArray(rules, e);
  }
  return o;
}

/* ",x" for each number (blank when not finite). */
static void nums(FILE *f, int n, const double *v) {
  for (int i = 0; i < n; i++) {
    fputc(',', f);
    if (isfinite(v[i])) tsim_fput_num(f, v[i]);
  }
}

void tsim__monitor_sites_csv(FILE *f, const void *ctx) {
  const tsim__mon_ctx *x = ctx;
  const tsim_scenario *sc = x->sc;
  const tsim_tally *t = x->t;
  uint64_t n = (uint64_t)t->trials;
  fprintf(f, "rule,hypothesis,site,anomalous_trials,flagged_when_anomalous,flagged_when_anomalous_mcse,"
             "honest_trials,false_alarm,false_alarm_mcse,mean_patients_at_flag,flagged_trials\n");
  for (int r = 0; r < t->mon_rules; r++)
    for (int h = 0; h < 2; h++)
      for (int s = 0; s < t->mon_sites; s++) {
        size_t q = (size_t)(r * 2 + h) * (size_t)t->mon_sites + (size_t)s;
        uint64_t A = t->mon_anom[s], fa = t->mon_flag_anom[q], fn = t->mon_flag_norm[q];
        tsim_estimate d = tsim_estimate_proportion(fa, A), e = tsim_estimate_proportion(fn, n - A);
        fprintf(f, "%s,%s,%d", sc->monitoring.rules[r].id, tsim_hypothesis_names[h], s);
        nums(f, 8, (const double[]){(double)A, A ? d.estimate : NAN, A ? d.mcse : NAN, (double)(n - A),
                                    n - A ? e.estimate : NAN, n - A ? e.mcse : NAN, ratio(t->mon_flag_rand[q], fa + fn),
                                    (double)(fa + fn)});
        fputc('\n', f);
      }
}

void tsim__monitor_checks_csv(FILE *f, const void *ctx) {
  const tsim__mon_ctx *x = ctx;
  const tsim_scenario *sc = x->sc;
  const tsim_tally *t = x->t;
  fprintf(f, "rule,hypothesis,check,held,mean_patients,mean_month,detection,detection_mcse,"
             "all_anomalous_flagged,all_anomalous_flagged_mcse,any_false_alarm,any_false_alarm_mcse,"
             "anomalous_site_flagged,honest_site_flagged\n");
  for (int r = 0; r < t->mon_rules; r++)
    for (int h = 0; h < 2; h++) {
      mon_numbers *all = numbers_by_check(t, r, h);
      for (int c = 0; c < t->mon_checks && all; c++) {
        mon_numbers m = all[c];
        int an = t->mon_anom_trials > 0;
        fprintf(f, "%s,%s,%d", sc->monitoring.rules[r].id, tsim_hypothesis_names[h], c + 1);
        nums(f, 11, (const double[]){ratio(t->mon_check_held[c], (uint64_t)t->trials), check_patients(t, c),
                                     check_month(t, c), an ? m.detect.estimate : NAN, an ? m.detect.mcse : NAN,
                                     an ? m.all.estimate : NAN, an ? m.all.mcse : NAN, m.any_fa.estimate,
                                     m.any_fa.mcse, m.pooled_detect, m.pooled_fa});
        fputc('\n', f);
      }
      free(all);
    }
}

void tsim__monitor_print(const tsim_scenario *sc, const tsim_tally *t, FILE *f) {
  const tsim_monitoring *mo = &sc->monitoring;
  int C = t->mon_checks, wid = 12;
  for (int r = 0; r < mo->nrules; r++) {
    int l = (int)strlen(mo->rules[r].id);
    wid = l > wid ? l : wid;
  }
  char num[TSIM_NUM_CHARS];
  if (mo->at_looks) fprintf(f, "\nsite monitoring, checked at each interim look");
  else fprintf(f, "\nsite monitoring, checked every %lld patients randomised", mo->every);
  /* The last check some trial held (a check at a look by month can be held by none). */
  int last = C - 1;
  while (last > 0 && t->mon_check_held[last] == 0) last--;
  if (C > 0 && t->mon_check_held[last] > 0)
    fprintf(f, " (%d check%s; the last held at %s patients, month %.1f on average)", C, C == 1 ? "" : "s",
            tsim_num(num, round(check_patients(t, last) * 10) / 10), check_month(t, last));
  else
    fprintf(f, " (%d check%s, none held)", C, C == 1 ? "" : "s");
  fprintf(f, "; %.4f of trials have an anomalous site\n", ratio(t->mon_anom_trials, (uint64_t)t->trials));
  fprintf(f, "%-*s %-33s  %-33s  %-33s\n", wid, "rule", "reads",
          "alternative: detect  all    false+", "null twin:   detect  all    false+");
  for (int r = 0; r < mo->nrules; r++) {
    const tsim_monitor_rule *m = &mo->rules[r];
    char buf[TSIM_ID_MAX + 32], reads[TSIM_ID_MAX + 80];
    snprintf(reads, sizeof reads, "%s %s%s", rule_reads(sc, m, buf, sizeof buf), tsim_mon_measure_names[m->measure],
             m->stop_enrolling ? ", stops" : "");
    fprintf(f, "%-*s %-33s", wid, m->id, reads);
    for (int h = 0; h < 2; h++) {
      mon_numbers x = numbers(t, r, h, C - 1);
      if (t->mon_anom_trials) fprintf(f, "  %12s %6.4f %6.4f", "", x.detect.estimate, x.all.estimate);
      else fprintf(f, "  %12s %6s %6s", "", "-", "-");
      fprintf(f, " %6.4f", x.any_fa.estimate);
    }
    fputc('\n', f);
  }
  /* With a few checks, the alternative's detection and false alarms by each (cumulative). */
  if (C <= 12) {
    fprintf(f, "by check, alternative (patients randomised:");
    for (int c = 0; c < C; c++) fprintf(f, " %.0f", check_patients(t, c));
    fprintf(f, "):\n");
    for (int r = 0; r < mo->nrules; r++) {
      mon_numbers *all = numbers_by_check(t, r, 0);
      if (!all) continue;
      fprintf(f, "%-*s ", wid, mo->rules[r].id);
      if (t->mon_anom_trials) {
        fprintf(f, "detect");
        for (int c = 0; c < C; c++) fprintf(f, " %.4f", all[c].detect.estimate);
        fprintf(f, "; ");
      }
      fprintf(f, "false+");
      for (int c = 0; c < C; c++) fprintf(f, " %.4f", all[c].any_fa.estimate);
      fputc('\n', f);
      free(all);
    }
  }
  fprintf(f, "detect: trials in which some anomalous site was flagged, among those with one; all: every anomalous site\n"
             "flagged; false+: some honest site flagged; stops: the rule stops enrolling at the sites it flags. Per site\n"
             "and per check: monitoring.csv, monitoring_checks.csv.\n");
}

/* DIR/monitoring.*: by check (at the mean patients randomised by then), the share of trials in
 * which each rule has flagged an anomalous site, and an honest one, under both hypotheses. */
int tsim__monitor_plot(const tsim_scenario *sc, const tsim_tally *t, const char *dir, FILE *notice) {
  const tsim_monitoring *mo = &sc->monitoring;
  int C = t->mon_checks, R = mo->nrules;
  char title[300];
  snprintf(title, sizeof title, "%s: sites flagged by each check, %lld trials", sc->name, t->trials);
  tsim_plot *p = tsim_plot_new_hypotheses(title, "patients randomised (mean at the check)", "share of trials flagged by then");
  double *v = malloc((size_t)R * 4 * 4 * (size_t)C * sizeof *v);
  if (!p || !v) {
    free(p);
    free(v);
    return -1;
  }
  p->steps = 1; /* a flag stays: the shares change only at the checks */
  int styles = 0;
  if (t->mon_anom_trials)
    snprintf(p->style_title[styles++], sizeof p->style_title[0], "an anomalous site flagged (among trials with one)");
  snprintf(p->style_title[styles++], sizeof p->style_title[0], "an honest site flagged (false alarm)");
  p->nstyles = styles;
  for (int r = 0; r < R && p->nseries + 2 * styles <= TSIM_PLOT_MAX_SERIES; r++) {
    if (p->ncolours < TSIM_PLOT_MAX_KEYS) snprintf(p->colour_title[p->ncolours++], sizeof p->colour_title[0], "%s", mo->rules[r].id);
    for (int h = 0; h < 2; h++)
      for (int s = 0; s < styles; s++) {
        double *base = v + (size_t)p->nseries * 4 * (size_t)C, *x = base, *y = base + C, *lo = base + 2 * C, *hi = base + 3 * C;
        int fa = s == styles - 1;
        mon_numbers *all = numbers_by_check(t, r, h);
        for (int c = 0; c < C && all; c++) {
          mon_numbers m = all[c];
          tsim_estimate e = fa ? m.any_fa : m.detect;
          x[c] = check_patients(t, c);
          y[c] = e.estimate, lo[c] = e.lo, hi[c] = e.hi;
        }
        free(all);
        tsim_series *se = &p->series[p->nseries++];
        *se = (tsim_series){.x = x, .y = y, .lo = lo, .hi = hi, .n = C, .colour = p->ncolours - 1, .style = s, .panel = h};
        snprintf(se->title, sizeof se->title, "%.60s, %s, %s", mo->rules[r].id, h ? "null twin" : "alternative",
                 fa ? "honest site flagged" : "anomalous site flagged");
      }
  }
  int r = tsim_plot_write(p, dir, "monitoring", notice);
  free(p);
  free(v);
  return r;
}
