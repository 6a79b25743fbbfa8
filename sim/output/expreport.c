/* expreport.c - files, tables and plots of experiments: sweeps and sample-size searches. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "core/numfmt.h"
#include "output/expreport.h"
#include "output/monreport.h"
#include "output/plot.h"
#include "output/report_internal.h"

/* ---- sweep ------------------------------------------------------------------------------- */

static cJSON *sweep_json(const tsim_sweep *s, const tsim_run_info *ri) {
  const tsim_grid *g = s->grid;
  cJSON *root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "scenario", s->first->name);
  cJSON_AddNumberToObject(root, "seed", (double)ri->seed);
  cJSON_AddNumberToObject(root, "trials", (double)ri->trials);
  cJSON_AddBoolToObject(root, "zip", g->zip);
  cJSON *params = cJSON_AddArrayToObject(root, "parameters");
  for (int i = 0; i < g->nparams; i++) cJSON_AddItemToArray(params, cJSON_CreateString(g->params[i].path));
  cJSON *pts = cJSON_AddArrayToObject(root, "points");
  /* Each point's analyses as its own scenario has them: the first point's, with the point's
   * sample size, looks, alphas and sidedness (a shallow copy, read only). */
  tsim_scenario *sc = malloc(sizeof *sc);
  if (!sc) return root;
  for (int k = 0; k < s->npoints; k++) {
    const tsim_sweep_point *p = &s->points[k];
    *sc = *s->first;
    sc->sample_size = p->sample_size;
    sc->looks = p->looks;
    for (int a = 0; a < sc->nanalyses; a++) sc->analyses[a].alpha = p->alpha[a], sc->analyses[a].sided = p->sided[a];
    cJSON *pj = cJSON_CreateObject();
    cJSON *vals = cJSON_AddObjectToObject(pj, "values");
    for (int i = 0; i < g->nparams; i++) cJSON_AddNumberToObject(vals, p->ov[i].path, p->ov[i].value);
    cJSON_AddNumberToObject(pj, "seed", (double)p->seed);
    cJSON_AddNumberToObject(pj, "trials", (double)p->trials);
    cJSON_AddStringToObject(pj, "sampling", p->cell_mode ? "cell" : "patient");
    tsim_run_info pri = *ri;
    pri.max_trials = p->max_trials;
    cJSON_AddItemToObject(pj, "precision", tsim__report_precision_json(s->first, p->tally, &pri));
    cJSON *arr = cJSON_AddArrayToObject(pj, "analyses");
    int ncmp = tsim_scenario_ncomparisons(s->first);
    for (int c = 0; c < p->tally->ncomp; c++)
      cJSON_AddItemToArray(arr, tsim__report_analysis_json(sc, p->tally, c, p->nominal[c], p->alpha[c / ncmp]));
    /* Site monitoring: each rule's rates at this point (its settings are the point's values). */
    cJSON *mon = p->tally->mon_rules > 0 ? cJSON_AddArrayToObject(pj, "monitoring") : NULL;
    for (int r = 0; r < p->tally->mon_rules; r++) {
      cJSON *rj = cJSON_CreateObject();
      cJSON_AddStringToObject(rj, "id", s->first->monitoring.rules[r].id);
      for (int h = 0; h < 2; h++) {
        tsim__mon_numbers m = tsim__monitor_numbers(p->tally, r, h);
        cJSON *hj = cJSON_AddObjectToObject(rj, h ? "null" : "alternative");
        cJSON_AddItemToObject(hj, "detection", tsim__report_estimate_json(m.detect));
        cJSON_AddItemToObject(hj, "all_anomalous_flagged", tsim__report_estimate_json(m.all));
        cJSON_AddItemToObject(hj, "any_false_alarm", tsim__report_estimate_json(m.any_fa));
        cJSON_AddItemToObject(hj, "honest_site_flagged", tsim__report_num(m.pooled_fa));
      }
      cJSON_AddItemToArray(mon, rj);
    }
    cJSON_AddItemToArray(pts, pj);
  }
  free(sc);
  long long total = 0;
  for (int k = 0; k < s->npoints; k++) total += s->points[k].trials;
  cJSON_AddItemToObject(root, "run", tsim__report_run_json(ri, total));
  return root;
}

static void csv_row(FILE *f, const tsim_sweep *s, int k, int c, const char *q, tsim_estimate e) {
  const tsim_scenario *sc = s->first;
  int ncmp = tsim_scenario_ncomparisons(sc);
  char id[2 * TSIM_ID_MAX + 2];
  fprintf(f, "%d", k);
  for (int i = 0; i < s->grid->nparams; i++) {
    fputc(',', f);
    tsim_fput_num(f, s->points[k].ov[i].value);
  }
  fprintf(f, ",%s,%s,%s,%s", tsim_comparison_id(sc, c, id, sizeof id), sc->analyses[c / ncmp].id,
          sc->arms[tsim_comparison_arm(sc, c % ncmp)].id, q);
  double v[4] = {e.estimate, e.mcse, e.lo, e.hi};
  for (int i = 0; i < 4; i++) {
    fputc(',', f);
    if (isfinite(v[i])) tsim_fput_num(f, v[i]);
  }
  fputc('\n', f);
}

static void csv_estimate(FILE *f, const tsim_sweep *s, int k, int c, const char *q, uint64_t num,
                         long long trials) {
  csv_row(f, s, k, c, q, tsim_estimate_proportion(num, (uint64_t)trials));
}

/* A row of a value with no standard error or interval. */
static void csv_value(FILE *f, const tsim_sweep *s, int k, int c, const char *q, double v) {
  csv_row(f, s, k, c, q, (tsim_estimate){v, NAN, NAN, NAN});
}

/* A row of monitoring rule r at point k. */
static void rule_row(FILE *f, const tsim_sweep *s, int k, int r, const char *q, tsim_estimate e) {
  fprintf(f, "%d", k);
  for (int i = 0; i < s->grid->nparams; i++) {
    fputc(',', f);
    tsim_fput_num(f, s->points[k].ov[i].value);
  }
  fprintf(f, ",%s,,,%s", s->first->monitoring.rules[r].id, q);
  double v[4] = {e.estimate, e.mcse, e.lo, e.hi};
  for (int i = 0; i < 4; i++) {
    fputc(',', f);
    if (isfinite(v[i])) tsim_fput_num(f, v[i]);
  }
  fputc('\n', f);
}

static void sweep_csv(const tsim_sweep *s, FILE *f) {
  fprintf(f, "point");
  for (int i = 0; i < s->grid->nparams; i++) fprintf(f, ",%s", s->grid->params[i].path);
  fprintf(f, ",id,analysis,arm,quantity,estimate,mcse,ci_low,ci_high\n");
  for (int k = 0; k < s->npoints; k++) {
    const tsim_tally *t = s->points[k].tally;
    for (int c = 0; c < t->ncomp; c++) {
      const tsim_tally_cell *a = &t->cell[0][c], *z = tsim_tally_null(t, c);
      double n = (double)t->trials;
      csv_estimate(f, s, k, c, "power", a->reject, t->trials);
      csv_estimate(f, s, k, c, "type1_error", z->reject, t->trials);
      csv_estimate(f, s, k, c, "power_favouring", a->favouring, t->trials);
      csv_estimate(f, s, k, c, "type1_error_favouring", z->favouring, t->trials);
      csv_estimate(f, s, k, c, "power_favouring_control", tsim_favouring_control(a), t->trials);
      csv_estimate(f, s, k, c, "type1_error_favouring_control", tsim_favouring_control(z), t->trials);
      csv_value(f, s, k, c, "mean_n_alternative", (double)(a->n0_sum + a->n1_sum) / n);
      csv_value(f, s, k, c, "mean_n_null", (double)(z->n0_sum + z->n1_sum) / n);
      double m = a->defined ? (double)a->diff_sum / a->scale / (double)a->defined : NAN;
      csv_value(f, s, k, c, "mean_difference_alternative", m);
      csv_value(f, s, k, c, "nominal_difference", s->points[k].nominal[c]);
      /* With intercurrent events: the bias against the estimand's true value (nominal_difference
       * then) and the intervals' coverage of it, under both hypotheses. */
      for (int h = 0; h < 2 && s->points[k].events; h++) {
        const tsim_tally_cell *x = &t->cell[h][c];
        double mh = x->defined ? (double)x->diff_sum / x->scale / (double)x->defined : NAN;
        csv_value(f, s, k, c, h ? "bias_null" : "bias_alternative", mh - x->truth);
        csv_estimate(f, s, k, c, h ? "coverage_null" : "coverage_alternative", x->covered, (long long)x->interval);
      }
      if (t->timed)
        for (int h = 0; h < 2; h++) {
          tsim_timed tm;
          tsim_report_timed(t, h, c, &tm);
          csv_value(f, s, k, c, h ? "expected_n_null" : "expected_n_alternative", tm.n);
          csv_value(f, s, k, c, h ? "expected_months_null" : "expected_months_alternative", tm.months);
        }
    }
    /* Site monitoring: a rule's rows carry its id, with no analysis or arm. */
    for (int r = 0; r < t->mon_rules; r++)
      for (int h = 0; h < 2; h++) {
        tsim__mon_numbers m = tsim__monitor_numbers(t, r, h);
        const char *hy = h ? "null" : "alternative";
        char q[64];
        snprintf(q, sizeof q, "detection_%s", hy);
        rule_row(f, s, k, r, q, m.detect);
        snprintf(q, sizeof q, "all_anomalous_flagged_%s", hy);
        rule_row(f, s, k, r, q, m.all);
        snprintf(q, sizeof q, "any_false_alarm_%s", hy);
        rule_row(f, s, k, r, q, m.any_fa);
        snprintf(q, sizeof q, "honest_site_flagged_%s", hy);
        rule_row(f, s, k, r, q, (tsim_estimate){m.pooled_fa, NAN, NAN, NAN});
      }
  }
}

/* Appends printf-formatted text to buf[n] holding *used bytes; never writes past buf[n-1]. */
__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t n, size_t *used, const char *fmt, ...) {
  if (*used >= n - 1) return;
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(buf + *used, n - *used, fmt, ap);
  va_end(ap);
  if (w > 0) *used = *used + (size_t)w < n - 1 ? *used + (size_t)w : n - 1;
}

/* The nominal rate per direction of analysis i at point k: alpha/2 for a two-sided test (each
 * direction spends half of it), alpha for a one-sided one. */
static double direction_level(const tsim_sweep *s, int k, int i) {
  return s->first->analyses[i].sided == 2 ? s->points[k].alpha[i] / 2 : s->points[k].alpha[i];
}

/* A swept path as an axis shows it, with the analysis's or end point's id after its index:
 * "analyses[3] (pp_posthoc).exclude_sites_where.min_patients". */
static void path_shown(const tsim_scenario *sc, const char *path, char *out, size_t n) {
  static const char *const heads[] = {"analyses[", "endpoints["};
  for (int h = 0; h < 2; h++) {
    size_t hl = strlen(heads[h]);
    if (strncmp(path, heads[h], hl) != 0) continue;
    char *end;
    long k = strtol(path + hl, &end, 10);
    int count = h ? sc->nendpoints : sc->nanalyses;
    if (end == path + hl || *end != ']' || k < 0 || k >= count) break;
    const char *id = h ? sc->endpoints[k].id : sc->analyses[k].id;
    snprintf(out, n, "%.*s (%s)%s", (int)(end + 1 - path), path, id, end + 1);
    return;
  }
  snprintf(out, n, "%s", path);
}

/* The x axis label of a swept path: its unit read from the path alone (an id could hold a word
 * that names a unit: "essdai_response"), the path shown with its ids. */
static void axis_label(const tsim_scenario *sc, const char *path, char *out, size_t n) {
  char unit[400], shown[TSIM_OVERRIDE_PATH_MAX + TSIM_ID_MAX + 8];
  tsim_plot_axis_label(path, unit, sizeof unit);
  path_shown(sc, path, shown, sizeof shown);
  size_t pl = strlen(path);
  /* tsim_plot_axis_label gives the path itself, the path and " (unit)", or a label of its own */
  if (strncmp(unit, path, pl) == 0) snprintf(out, n, "%s%s", shown, unit + pl);
  else snprintf(out, n, "%s", unit);
}

/* The x axis of a sweep plot over parameter x: a switch's two states as such; a whole-number
 * setting over a short range with a tic at each whole number (gnuplot's own would put some
 * between them: 2.5 patients). */
static void x_axis_of(tsim_plot *p, const tsim_param *x) {
  p->xboolean = x->boolean;
  double vmin = INFINITY, vmax = -INFINITY;
  int whole = x->nvalues > 0;
  for (int i = 0; i < x->nvalues; i++) {
    double v = x->values[i];
    whole &= v == floor(v) && fabs(v) < 1e9;
    vmin = v < vmin ? v : vmin, vmax = v > vmax ? v : vmax;
  }
  if (!p->xboolean && whole && vmax > vmin && vmax - vmin <= 12) p->xint[0] = vmin, p->xint[1] = vmax;
}

/* Series of a sweep plot: one per comparison and combination of the other parameters, in each
 * panel. */
typedef struct curve_buf {
  double *x, *y, *lo, *hi; /* [nseries * nx] */
} curve_buf;

/* Power (favouring the experimental arm, one panel, a line at the target power) or the null
 * twin's rejections in each direction (two panels, lines at the nominal rate per direction).
 * Colour: the comparison; dash and marker: the values of the other parameters (a full grid). */
static int sweep_plot(const tsim_sweep *s, int null_twin, double target, const char *dir, FILE *notice) {
  const tsim_grid *g = s->grid;
  const tsim_scenario *sc = s->first;
  int ncomp = s->points[0].tally->ncomp, npanels = null_twin ? 2 : 1;
  int nx = g->params[0].nvalues, ncombo = g->zip ? 1 : s->npoints / nx;
  int ncurves = ncomp * ncombo;
  if (ncurves * npanels > TSIM_PLOT_MAX_SERIES) ncurves = TSIM_PLOT_MAX_SERIES / npanels;
  if (ncombo > TSIM_PLOT_MAX_KEYS) ncombo = TSIM_PLOT_MAX_KEYS;
  size_t cells = (size_t)ncurves * (size_t)npanels * (size_t)nx;
  curve_buf b = {malloc(cells * sizeof(double)), malloc(cells * sizeof(double)),
                 malloc(cells * sizeof(double)), malloc(cells * sizeof(double))};
  tsim_plot *p = calloc(1, sizeof *p);
  char xlabel[300], title[300];
  axis_label(sc, g->params[0].path, xlabel, sizeof xlabel);
  long long most = 0;
  for (int k = 0; k < s->npoints; k++) most = s->points[k].trials > most ? s->points[k].trials : most;
  snprintf(title, sizeof title, "%s: %s%s, %s%lld trials per point", sc->name,
           null_twin ? "type I error (null twin) by direction of the rejection"
                     : "power (rejections favouring the experimental arm)",
           g->zip && g->nparams > 1 ? " (parameters varied together)" : "",
           s->points[0].max_trials > s->points[0].trials || most != s->points[0].trials ? "up to " : "", most);
  int ok = b.x && b.y && b.lo && b.hi && p;
  if (!ok) goto done;
  p->title = title;
  p->xlabel = xlabel;
  x_axis_of(p, &g->params[0]);
  p->npanels = npanels;
  p->panel_title[0] = "favouring the experimental arm";
  p->panel_title[1] = "favouring control";
  p->ylabel = null_twin ? "share of null-twin trials rejecting (95% band)" : "power (95% band)";
  p->probability_axis = null_twin ? 2 : 1;
  if (!null_twin) {
    p->yline[0] = target;
    char num[TSIM_NUM_CHARS];
    snprintf(p->yline_title[0], sizeof p->yline_title[0], "target power %s", tsim_num(num, target));
    p->nylines = 1;
  } else {
    int sides[TSIM_PLOT_MAX_LINES] = {0}; /* bit 0: a one-sided analysis, bit 1: two-sided, bit 2: a margin test */
    for (int k = 0; k < s->npoints; k++)
      for (int i = 0; i < sc->nanalyses; i++) {
        double v = direction_level(s, k, i);
        int j = 0;
        while (j < p->nylines && p->yline[j] != v) j++;
        if (j == TSIM_PLOT_MAX_LINES) continue;
        if (j == p->nylines) p->yline[p->nylines++] = v;
        sides[j] |= sc->analyses[i].hypothesis != TSIM_HYPO_SUPERIORITY ? 4 : sc->analyses[i].sided == 2 ? 2 : 1;
      }
    for (int j = 0; j < p->nylines; j++) {
      char num[TSIM_NUM_CHARS];
      /* a margin test's is its one-sided level (alpha, or alpha/2 of a two-sided analysis) */
      snprintf(p->yline_title[j], sizeof p->yline_title[0], "%s%s",
               sides[j] == 2   ? "nominal rate per direction: alpha/2 = "
               : sides[j] == 1 ? "nominal rate: alpha = "
               : sides[j] == 4 ? "nominal rate: one-sided level = "
                               : "nominal rate per direction: ",
               tsim_num(num, p->yline[j]));
    }
  }
  for (int c = 0; c < ncomp && c < TSIM_PLOT_MAX_KEYS; c++, p->ncolours++) {
    char id[2 * TSIM_ID_MAX + 2];
    snprintf(p->colour_title[c], sizeof p->colour_title[c], "%s", tsim_comparison_id(sc, c, id, sizeof id));
  }
  if (!g->zip && g->nparams > 1)
    for (int combo = 0; combo < ncombo; combo++, p->nstyles++) {
      size_t used = 0;
      char num[TSIM_NUM_CHARS];
      for (int i = 1; i < g->nparams; i++)
        append(p->style_title[combo], sizeof p->style_title[combo], &used, "%s%s=%s", i == 1 ? "" : ", ",
               g->params[i].path, tsim_num(num, s->points[combo].ov[i].value));
    }
  for (int panel = 0; panel < npanels; panel++)
    for (int sidx = 0; sidx < ncurves; sidx++) {
      int c = sidx % ncomp, combo = sidx / ncomp;
      if (combo >= ncombo) continue;
      tsim_series *se = &p->series[p->nseries];
      size_t off = (size_t)p->nseries * (size_t)nx;
      p->nseries++;
      se->colour = c;
      se->style = p->nstyles > 1 ? combo : 0;
      se->panel = panel;
      char id[2 * TSIM_ID_MAX + 2];
      size_t used = 0;
      append(se->title, sizeof se->title, &used, "%s", tsim_comparison_id(sc, c, id, sizeof id));
      if (p->nstyles > 1) append(se->title, sizeof se->title, &used, " (%s)", p->style_title[combo]);
      if (null_twin) append(se->title, sizeof se->title, &used, ", favouring %s", panel ? "control" : "the experimental arm");
      for (int xi = 0; xi < nx; xi++) {
        int k = g->zip ? xi : xi * ncombo + combo;
        const tsim_tally *t = s->points[k].tally;
        const tsim_tally_cell *cell = (null_twin ? tsim_tally_null(t, c) : &t->cell[0][c]);
        uint64_t count = panel ? tsim_favouring_control(cell) : cell->favouring;
        tsim_estimate e = tsim_estimate_proportion(count, (uint64_t)t->trials);
        b.x[off + (size_t)xi] = s->points[k].ov[0].value;
        b.y[off + (size_t)xi] = e.estimate;
        b.lo[off + (size_t)xi] = e.lo;
        b.hi[off + (size_t)xi] = e.hi;
      }
      se->x = b.x + off; se->y = b.y + off; se->lo = b.lo + off; se->hi = b.hi + off;
      se->n = nx;
    }
done:;
  int r = ok ? tsim_plot_write(p, dir, null_twin ? "type1_error" : "power", notice) : -1;
  free(p);
  free(b.x); free(b.y); free(b.lo); free(b.hi);
  return r;
}

/* DIR/monitoring.*: each monitoring rule's detection and chance of a false alarm against the
 * swept value, under both hypotheses - the trade-off of a rule's threshold. Drawn for a grid of
 * one parameter (or --zip); other grids have the numbers in sweep.csv only. Returns as
 * tsim_plot_write, or 1 when there is nothing to draw. */
static int monitoring_sweep_plot(const tsim_sweep *s, const char *dir, FILE *notice) {
  const tsim_scenario *sc = s->first;
  const tsim_grid *g = s->grid;
  int R = sc->monitoring.nrules, nx = s->npoints;
  if (R == 0 || (g->nparams > 1 && !g->zip)) return 1;
  char title[300];
  snprintf(title, sizeof title, "%s: site monitoring against %s", sc->name, g->params[0].path);
  char xlabel[600];
  axis_label(sc, g->params[0].path, xlabel, sizeof xlabel);
  tsim_plot *p = tsim_plot_new_hypotheses(title, xlabel, "share of trials");
  if (p) x_axis_of(p, &g->params[0]);
  double *v = malloc((size_t)R * 2 * 2 * 4 * (size_t)nx * sizeof *v);
  if (!p || !v) {
    free(p);
    free(v);
    return -1;
  }
  snprintf(p->style_title[0], sizeof p->style_title[0], "an anomalous site flagged (among trials with one)");
  snprintf(p->style_title[1], sizeof p->style_title[1], "an honest site flagged (false alarm)");
  p->nstyles = 2;
  for (int r = 0; r < R && p->nseries + 4 <= TSIM_PLOT_MAX_SERIES; r++) {
    if (p->ncolours < TSIM_PLOT_MAX_KEYS) snprintf(p->colour_title[p->ncolours++], sizeof p->colour_title[0], "%s", sc->monitoring.rules[r].id);
    for (int h = 0; h < 2; h++)
      for (int st = 0; st < 2; st++) {
        double *base = v + (size_t)p->nseries * 4 * (size_t)nx, *x = base, *y = base + nx, *lo = base + 2 * nx, *hi = base + 3 * nx;
        for (int k = 0; k < nx; k++) {
          tsim__mon_numbers m = tsim__monitor_numbers(s->points[k].tally, r, h);
          tsim_estimate e = st ? m.any_fa : m.detect;
          x[k] = s->points[k].ov[0].value;
          y[k] = e.estimate, lo[k] = e.lo, hi[k] = e.hi;
        }
        tsim_series *se = &p->series[p->nseries++];
        *se = (tsim_series){.x = x, .y = y, .lo = lo, .hi = hi, .n = nx, .colour = p->ncolours - 1, .style = st, .panel = h};
        snprintf(se->title, sizeof se->title, "%.60s, %s, %s", sc->monitoring.rules[r].id, h ? "null twin" : "alternative",
                 st ? "honest site flagged" : "anomalous site flagged");
      }
  }
  int rc = tsim_plot_write(p, dir, "monitoring", notice);
  free(p);
  free(v);
  return rc;
}

static void sweep_csv_writer(FILE *f, const void *ctx) { sweep_csv(ctx, f); }

/* A plot's outcome (tsim_plot_write) as its result set's: its data or script not written (-1)
 * fails the set; gnuplot failing (-2) is said in d, the rest of the set being good to keep. */
static tsim_status plot_status(int r, const char *dir, const char *name, tsim_diag *d) {
  if (r == -1) {
    tsim_diag_add(d, "%s/%s.dat, %s.gp: cannot write: %s", dir, name, name, strerror(errno));
    return TSIM_IO;
  }
  if (r == -2) tsim_diag_add(d, "%s/%s.svg, %s.png: not drawn: gnuplot failed (see %s/%s.log)", dir, name, name, dir, name);
  return TSIM_OK;
}

tsim_status tsim_report_write_sweep(const tsim_sweep *s, const tsim_run_info *ri, double target_power,
                                    const char *dir, tsim_diag *d, FILE *notice) {
  cJSON *root = sweep_json(s, ri);
  tsim_status st = tsim__report_write_pair(dir, "sweep.json", root, "sweep.csv", sweep_csv_writer, s, d);
  cJSON_Delete(root);
  if (st != TSIM_OK) return st;
  st = plot_status(sweep_plot(s, 0, target_power, dir, notice), dir, "power", d);
  if (st == TSIM_OK) st = plot_status(sweep_plot(s, 1, target_power, dir, NULL), dir, "type1_error", d);
  if (st == TSIM_OK) {
    int r = monitoring_sweep_plot(s, dir, NULL);
    if (r != 1) st = plot_status(r, dir, "monitoring", d);
  }
  return st;
}

/* " path=value, path=value" of sweep point k, for the notes under the table. */
static void print_point_values(FILE *f, const tsim_sweep *s, int k) {
  char num[TSIM_NUM_CHARS];
  for (int i = 0; i < s->grid->nparams; i++)
    fprintf(f, "%s%s=%s", i ? ", " : " ", s->grid->params[i].path, tsim_num(num, s->points[k].ov[i].value));
}

void tsim_report_print_sweep(const tsim_sweep *s, const tsim_run_info *ri, FILE *f) {
  const tsim_grid *g = s->grid;
  const tsim_scenario *sc = s->first;
  fprintf(f, "trialsim %s  ", TSIM_VERSION);
  char what[400];
  char x[TSIM_NUM_CHARS];
  if (ri->mcse_target > 0)
    snprintf(what, sizeof what, "sweep of %s: %d point%s, each until every MCSE <= %s (at most %lld trials)",
             sc->name, s->npoints, s->npoints == 1 ? "" : "s", tsim_num(x, ri->mcse_target), ri->max_trials);
  else
    snprintf(what, sizeof what, "sweep of %s: %d point%s x %lld trials", sc->name, s->npoints,
             s->npoints == 1 ? "" : "s", ri->trials);
  tsim_report_print_header(what, ri->trials, ri, f);
  fputc('\n', f);
  /* Each column as wide as its longest entry: paths and analysis ids are never cut. */
  int wv[TSIM_GRID_MAX_PARAMS], wid = 8, lead = 0;
  char num[TSIM_NUM_CHARS];
  for (int i = 0; i < g->nparams; i++) {
    wv[i] = (int)strlen(g->params[i].path);
    for (int k = 0; k < s->npoints; k++) {
      int l = (int)strlen(tsim_num(num, s->points[k].ov[i].value));
      wv[i] = l > wv[i] ? l : wv[i];
    }
    lead += wv[i] + 1;
  }
  for (int c = 0; c < s->points[0].tally->ncomp; c++) {
    char id[2 * TSIM_ID_MAX + 2];
    int l = (int)strlen(tsim_comparison_id(sc, c, id, sizeof id));
    wid = l > wid ? l : wid;
  }
  /* Groups as in the run's table: the scenario (power) and its null twin (type I error). */
  fprintf(f, "%*s  ", lead + wid, "");
  tsim__report_centred(f, "alternative", 23, '-');
  fputs("  ", f);
  tsim__report_centred(f, "null twin", 23, '-');
  fputc('\n', f);
  for (int i = 0; i < g->nparams; i++) fprintf(f, "%-*s ", wv[i], g->params[i].path);
  fprintf(f, "%-*s  %7s %7s %7s  %7s %7s %7s  %7s%s\n", wid, "analysis", "power", "mcse", "fav exp",
          "type I", "fav exp", "fav ctl", "mean N", ri->mcse_target > 0 ? "    trials" : "");
  for (int k = 0; k < s->npoints; k++) {
    const tsim_tally *t = s->points[k].tally;
    for (int c = 0; c < t->ncomp; c++) {
      char id[2 * TSIM_ID_MAX + 2];
      for (int i = 0; i < g->nparams; i++) fprintf(f, "%-*s ", wv[i], tsim_num(num, s->points[k].ov[i].value));
      const tsim_tally_cell *a = &t->cell[0][c], *z = tsim_tally_null(t, c);
      tsim_estimate e = tsim_estimate_proportion(a->reject, (uint64_t)t->trials);
      double n = (double)t->trials;
      fprintf(f, "%-*s  %7.4f %7.4f %7.4f  %7.4f %7.4f %7.4f  %7.1f", wid,
              tsim_comparison_id(sc, c, id, sizeof id), e.estimate, e.mcse, (double)a->favouring / n,
              (double)z->reject / n, (double)z->favouring / n, (double)tsim_favouring_control(z) / n,
              (double)(a->n0_sum + a->n1_sum) / n);
      if (ri->mcse_target > 0) fprintf(f, "  %8lld", t->trials);
      fputc('\n', f);
    }
  }
  /* Site monitoring: each rule's rates at each point. */
  int R = sc->monitoring.nrules, wr = 4;
  for (int r = 0; r < R; r++) wr = (int)strlen(sc->monitoring.rules[r].id) > wr ? (int)strlen(sc->monitoring.rules[r].id) : wr;
  if (R > 0) {
    fprintf(f, "\n%*s  ", lead + wr, "");
    tsim__report_centred(f, "alternative", 22, '-');
    fputs("  ", f);
    tsim__report_centred(f, "null twin", 22, '-');
    fputc('\n', f);
    for (int i = 0; i < g->nparams; i++) fprintf(f, "%-*s ", wv[i], g->params[i].path);
    fprintf(f, "%-*s  %6s %6s %8s  %6s %6s %8s\n", wr, "rule", "detect", "all", "false+", "detect", "all", "false+");
    for (int k = 0; k < s->npoints; k++)
      for (int r = 0; r < R; r++) {
        for (int i = 0; i < g->nparams; i++) fprintf(f, "%-*s ", wv[i], tsim_num(num, s->points[k].ov[i].value));
        fprintf(f, "%-*s", wr, sc->monitoring.rules[r].id);
        for (int h = 0; h < 2; h++) {
          tsim__mon_numbers m = tsim__monitor_numbers(s->points[k].tally, r, h);
          fprintf(f, "  %6.4f %6.4f %8.4f", m.detect.estimate, m.all.estimate, m.any_fa.estimate);
        }
        fputc('\n', f);
      }
  }
  fprintf(f, "\nfav exp / fav ctl: rejections whose observed difference favours the experimental arm / "
             "does not (favours\ncontrol, or is zero); they add up to the two-sided power and type I "
             "error. Each direction's nominal\ntype I error is alpha/2 for a two-sided test.\n");
  /* Analyses without a result in some trials of a point (counted as not significant), as the run
   * says them: the first ten. */
  int said = 0;
  for (int k = 0; k < s->npoints; k++) {
    const tsim_tally *t = s->points[k].tally;
    for (int c = 0; c < t->ncomp; c++) {
      const tsim_tally_cell *a = &t->cell[0][c], *z = tsim_tally_null(t, c);
      if (a->defined == (uint64_t)t->trials && z->defined == (uint64_t)t->trials) continue;
      if (said++ == 10) {
        fputs("note: ... and more (sweep.json's trials_defined has them all)\n", f);
        break;
      }
      char id[2 * TSIM_ID_MAX + 2];
      fputs(said == 1 ? "\nnote: at" : "note: at", f);
      print_point_values(f, s, k);
      fprintf(f, ", %s gave no result in %llu of %lld trials under the alternative and %llu under the null twin "
                 "(counted as not significant)\n", tsim_comparison_id(sc, c, id, sizeof id),
              (unsigned long long)((uint64_t)t->trials - a->defined), t->trials,
              (unsigned long long)((uint64_t)t->trials - z->defined));
    }
    if (said > 10) break;
  }
  /* Points drawn per patient and per cell ("sampling": "auto" turning at some sample size) do not
   * share random numbers: say which were drawn per patient. */
  int ncell = 0;
  for (int k = 0; k < s->npoints; k++) ncell += s->points[k].cell_mode != 0;
  if (ncell > 0 && ncell < s->npoints) {
    fputs("sampling: drawn per patient at", f);
    int shown = 0;
    for (int k = 0; k < s->npoints; k++) {
      if (s->points[k].cell_mode) continue;
      if (shown++ == 8) {
        fputs(" ...", f);
        break;
      }
      fputs(shown > 1 ? ";" : "", f);
      print_point_values(f, s, k);
    }
    fputs(", per cell at the other points\n(\"sampling\": \"auto\"): the two groups do not share random "
          "numbers, so differences between them\nare Monte Carlo noise too; \"sampling\" set in the scenario "
          "draws every point one way.\n", f);
  }
  if (R > 0)
    fprintf(f, "detect: trials in which a rule flagged some anomalous site, among those with one (nan: none had one);\n"
               "all: every anomalous site; false+: some honest site.\n");
}

/* ---- sample size ------------------------------------------------------------------------- */

/* Rejections favouring control: those whose observed difference does not favour the
 * experimental arm (so the two directions add up to the two-sided rate exactly). */
static uint64_t favouring_control(const tsim_size_point *p, int c, int h) {
  return p->reject[c][h] - p->favouring[c][h];
}

static tsim_estimate prop(uint64_t k, const tsim_size_point *p) {
  return tsim_estimate_proportion(k, (uint64_t)p->trials);
}

static int ncomp_of(const tsim_size_opts *o) { return o->ncomparisons > 0 ? o->ncomparisons : 1; }

static const char *side_name(int side) { return side > 0 ? "above" : side < 0 ? "below" : "undecided"; }
static const char *stop_name(int stop) {
  return stop == TSIM_SIZE_STOP_SIDE ? "told apart" : stop == TSIM_SIZE_STOP_MCSE ? "mcse" : "maximum";
}
static double z_of(const tsim_size_opts *o) { return o->z > 0 ? o->z : TSIM_SIZE_Z; }
static long long first_look_of(const tsim_size_opts *o) {
  return o->first_look > 0 ? o->first_look : TSIM_SIZE_FIRST_LOOK;
}
/* The bound on the chance that a size stopped early lies on the wrong side of the target: the
 * interim looks times the one-sided tail beyond z. */
static double wrong_side_bound(const tsim_size_opts *o, long long trials) {
  return tsim_size_looks(first_look_of(o), trials) * 0.5 * erfc(z_of(o) / sqrt(2.0));
}

/* Comparison c's numbers at one size: power, type I error, and each by direction. */
static void size_comparison_json(cJSON *o, const tsim_size_point *p, int c, double target) {
  cJSON_AddItemToObject(o, "power", tsim__report_estimate_json(prop(p->reject[c][0], p)));
  cJSON_AddItemToObject(o, "type1_error", tsim__report_estimate_json(prop(p->reject[c][1], p)));
  cJSON_AddItemToObject(o, "power_favouring", tsim__report_estimate_json(prop(p->favouring[c][0], p)));
  cJSON_AddItemToObject(o, "type1_error_favouring", tsim__report_estimate_json(prop(p->favouring[c][1], p)));
  cJSON_AddItemToObject(o, "type1_error_favouring_control",
                        tsim__report_estimate_json(prop(favouring_control(p, c, 1), p)));
  cJSON_AddBoolToObject(o, "reaches_target", (double)p->favouring[c][0] >= target * (double)p->trials);
  if (isnan(p->expected_n[c][0])) return;
  cJSON *en = cJSON_AddObjectToObject(o, "expected_n"), *em = cJSON_AddObjectToObject(o, "expected_months");
  for (int h = 0; h < 2; h++) {
    cJSON_AddItemToObject(en, h ? "null" : "alternative", tsim__report_num(p->expected_n[c][h]));
    cJSON_AddItemToObject(em, h ? "null" : "alternative", tsim__report_num(p->expected_months[c][h]));
  }
}

/* One evaluated size. With one comparison its numbers are the point's own keys (as they always
 * were); with several they are under "analyses", and "all_significant" holds the share of
 * trials in which every named comparison rejected, in either direction and with every
 * rejection favouring the experimental arm (when tallied). */
static cJSON *size_point_json(const tsim_size_point *p, const tsim_size_opts *o, int has_all) {
  cJSON *j = cJSON_CreateObject();
  int nc = ncomp_of(o);
  cJSON_AddNumberToObject(j, "sample_size", (double)p->n);
  cJSON_AddNumberToObject(j, "trials", (double)p->trials);
  cJSON_AddStringToObject(j, "stopped", stop_name(p->stopped));
  cJSON_AddStringToObject(j, "side", side_name(p->side));
  cJSON_AddStringToObject(j, "sampling", p->cell_mode ? "cell" : "patient");
  if (nc == 1) {
    size_comparison_json(j, p, 0, o->target);
    return j;
  }
  cJSON *arr = cJSON_AddArrayToObject(j, "analyses");
  for (int c = 0; c < nc; c++) {
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "analysis", o->comparison[c]);
    size_comparison_json(a, p, c, o->target);
    cJSON_AddItemToArray(arr, a);
  }
  if (has_all) {
    cJSON *all = cJSON_AddObjectToObject(j, "all_significant");
    cJSON_AddItemToObject(all, "power", tsim__report_estimate_json(prop(p->all[0], p)));
    cJSON_AddItemToObject(all, "type1_error", tsim__report_estimate_json(prop(p->all[1], p)));
    cJSON_AddItemToObject(all, "power_favouring", tsim__report_estimate_json(prop(p->all_favouring[0], p)));
    cJSON_AddItemToObject(all, "type1_error_favouring", tsim__report_estimate_json(prop(p->all_favouring[1], p)));
  } else {
    cJSON_AddNullToObject(j, "all_significant");
  }
  cJSON_AddBoolToObject(j, "reaches_target", tsim_size_point_reaches(p, nc, o->target));
  return j;
}

static const tsim_size_point *point_at(const tsim_size_result *r, long long n) {
  for (int i = 0; i < r->npoints; i++)
    if (r->points[i].n == n) return &r->points[i];
  return NULL;
}

/* The named comparisons joined by `sep` ("itt,pp"). */
static void joined_ids(const tsim_size_opts *o, const char *sep, char *out, size_t n) {
  size_t used = 0;
  out[0] = '\0';
  for (int c = 0; c < ncomp_of(o); c++)
    append(out, n, &used, "%s%s", c ? sep : "", o->comparison[c]);
}

/* The answer's size (and the one a step below) as the precision block shows them. */
static cJSON *size_precision_point(const tsim_size_point *p, const tsim_size_opts *o) {
  if (!p) return cJSON_CreateNull();
  cJSON *j = cJSON_CreateObject();
  cJSON_AddNumberToObject(j, "sample_size", (double)p->n);
  cJSON_AddNumberToObject(j, "trials", (double)p->trials);
  cJSON *pw = cJSON_AddArrayToObject(j, "power_favouring");
  for (int c = 0; c < ncomp_of(o); c++) cJSON_AddItemToArray(pw, tsim__report_estimate_json(prop(p->favouring[c][0], p)));
  cJSON_AddStringToObject(j, "side", side_name(p->side));
  cJSON_AddStringToObject(j, "stopped", stop_name(p->stopped));
  return j;
}

/* How precise the search was: the rule it stopped sizes by, the answer's size and the one a step
 * below with their powers and sides, whether they are told apart, and what was simulated. */
static cJSON *size_precision_json(const tsim_size_opts *o, const tsim_size_result *r, const tsim_run_info *ri) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddBoolToObject(j, "sequential", o->sequential);
  cJSON_AddNumberToObject(j, "z", z_of(o));
  cJSON_AddNumberToObject(j, "max_trials", (double)ri->trials);
  if (o->sequential) {
    cJSON_AddNumberToObject(j, "first_look", (double)first_look_of(o));
    cJSON_AddNumberToObject(j, "interim_looks", tsim_size_looks(first_look_of(o), ri->trials));
    cJSON_AddItemToObject(j, "wrong_side_bound", tsim__report_num(wrong_side_bound(o, ri->trials)));
    cJSON_AddItemToObject(j, "mcse_target", o->mcse > 0 ? tsim__report_num(o->mcse) : cJSON_CreateNull());
    cJSON_AddNumberToObject(j, "window_run", TSIM_SIZE_WINDOW_RUN);
  }
  const tsim_size_point *at = r->reached ? point_at(r, r->sample_size) : NULL;
  const tsim_size_point *below = at ? point_at(r, r->sample_size - r->step) : NULL;
  cJSON_AddItemToObject(j, "answer", size_precision_point(at, o));
  cJSON_AddItemToObject(j, "below", size_precision_point(below, o));
  cJSON_AddBoolToObject(j, "told_apart", at && below && at->side > 0 && below->side < 0);
  cJSON_AddNumberToObject(j, "trials_total", (double)r->trials_total);
  cJSON_AddNumberToObject(j, "patient_trials_total", r->patients_total);
  return j;
}

static cJSON *size_json(const char *file, const tsim_scenario *sc, const tsim_size_opts *o,
                        const tsim_size_result *r, const tsim_run_info *ri) {
  cJSON *root = cJSON_CreateObject();
  char ids[TSIM_SIZE_MAX_COMPARISONS * (2 * TSIM_ID_MAX + 3)];
  joined_ids(o, ",", ids, sizeof ids);
  cJSON_AddStringToObject(root, "scenario", sc->name);
  cJSON_AddStringToObject(root, "analysis", ids);
  cJSON *names = cJSON_AddArrayToObject(root, "analyses");
  for (int c = 0; c < ncomp_of(o); c++) cJSON_AddItemToArray(names, cJSON_CreateString(o->comparison[c]));
  cJSON_AddStringToObject(root, "criterion", ncomp_of(o) == 1
                          ? "the estimated power favouring the experimental arm (power_favouring) reaches the target"
                          : "every named analysis's estimated power favouring the experimental arm (power_favouring) reaches the target");
  cJSON_AddNumberToObject(root, "target_power", o->target);
  cJSON_AddNumberToObject(root, "seed", (double)ri->seed);
  cJSON_AddNumberToObject(root, "trials", (double)ri->trials);
  cJSON_AddBoolToObject(root, "reached", r->reached);
  cJSON_AddItemToObject(root, "sample_size", r->reached ? cJSON_CreateNumber((double)r->sample_size) : cJSON_CreateNull());
  cJSON_AddItemToObject(root, "stable_sample_size",
                        r->reached && r->stable_sample_size ? cJSON_CreateNumber((double)r->stable_sample_size) : cJSON_CreateNull());
  cJSON_AddNumberToObject(root, "step", (double)r->step);
  cJSON *start = cJSON_AddObjectToObject(root, "start");
  cJSON_AddNumberToObject(start, "sample_size", (double)r->start);
  cJSON_AddStringToObject(start, "reason", r->start_reason);
  if (r->limit > 0) { /* the largest size the scenario allows, below the search's maximum */
    cJSON *lim = cJSON_AddObjectToObject(root, "limit");
    cJSON_AddNumberToObject(lim, "sample_size", (double)r->limit);
    cJSON_AddNumberToObject(lim, "refused", (double)(r->limit + r->step));
    cJSON_AddStringToObject(lim, "reason", r->limit_reason);
  }
  const tsim_size_point *at = r->reached ? point_at(r, r->sample_size) : NULL;
  if (at) cJSON_AddItemToObject(root, "at_sample_size", size_point_json(at, o, r->has_all));
  cJSON_AddItemToObject(root, "precision", size_precision_json(o, r, ri));
  cJSON *pts = cJSON_AddArrayToObject(root, "points");
  for (int i = 0; i < r->npoints; i++) cJSON_AddItemToArray(pts, size_point_json(&r->points[i], o, r->has_all));
  cJSON *run = tsim__report_run_json(ri, r->trials_total);
  tsim__report_run_source(run, sc, file);
  cJSON_AddItemToObject(root, "run", run);
  return root;
}

static long long max_trials(const tsim_size_result *r) {
  long long m = 0;
  for (int i = 0; i < r->npoints; i++) m = r->points[i].trials > m ? r->points[i].trials : m;
  return m;
}

/* A series of the size plot from one count per point (k(p)), with its 95% band. */
typedef uint64_t (*size_count)(const tsim_size_point *p, int c, int h);
static uint64_t count_favouring(const tsim_size_point *p, int c, int h) { return p->favouring[c][h]; }
static uint64_t count_control(const tsim_size_point *p, int c, int h) { return favouring_control(p, c, h); }
static uint64_t count_all(const tsim_size_point *p, int c, int h) { (void)c; return p->all_favouring[h]; }

static void size_series(tsim_plot *pl, double *buf, const tsim_size_result *r, size_count k, int c,
                        int h, const char *title, int colour, int style) {
  int n = r->npoints;
  tsim_series *se = &pl->series[pl->nseries++];
  double *x = buf, *y = buf + n, *lo = buf + 2 * n, *hi = buf + 3 * n;
  for (int i = 0; i < n; i++) {
    const tsim_size_point *p = &r->points[i];
    tsim_estimate e = prop(k(p, c, h), p);
    x[i] = (double)p->n; y[i] = e.estimate; lo[i] = e.lo; hi[i] = e.hi;
  }
  snprintf(se->title, sizeof se->title, "%.150s", title);
  se->x = x; se->y = y; se->lo = lo; se->hi = hi; se->n = n;
  se->colour = colour;
  se->style = style;
}

#define ALL_TITLE "all significant together"

/* The size plots' legend: a colour per named comparison (and one for all of them together);
 * on the type I error plot (type1 = 1) a style per direction: favouring the experimental arm
 * (solid), favouring control (dashed). */
static void set_size_legend(tsim_plot *p, const tsim_size_opts *o, const tsim_size_result *r, int type1) {
  int nc = ncomp_of(o);
  p->ncolours = 0;
  for (int c = 0; c < nc; c++)
    snprintf(p->colour_title[p->ncolours++], sizeof p->colour_title[0], "%s", o->comparison[c]);
  if (nc > 1 && r->has_all) /* favouring the experimental arm, as the analyses' curves */
    snprintf(p->colour_title[p->ncolours++], sizeof p->colour_title[0], ALL_TITLE);
  static const char *const styles[2] = {"favouring the experimental arm", "favouring control"};
  p->nstyles = type1 ? 2 : 0;
  for (int i = 0; i < p->nstyles; i++) snprintf(p->style_title[i], sizeof p->style_title[0], "%s", styles[i]);
}

/* Type I error favouring each arm, per named comparison. */
static void size_type1_series(tsim_plot *p, double *buf, size_t stride, const tsim_size_opts *o,
                              const tsim_size_result *r) {
  int nc = ncomp_of(o);
  char t[200];
  for (int c = 0; c < nc; c++) {
    snprintf(t, sizeof t, "%s: type I, favouring experimental", o->comparison[c]);
    size_series(p, buf + stride * (size_t)p->nseries, r, count_favouring, c, 1, t, c, 0);
    snprintf(t, sizeof t, "%s: type I, favouring control", o->comparison[c]);
    size_series(p, buf + stride * (size_t)p->nseries, r, count_control, c, 1, t, c, 1);
  }
}

/* The type I error by direction on its own axis (from 0 up to the data), with the level each
 * direction of the named analyses has: alpha/2 two-sided, alpha one-sided (when they agree). */
static int size_type1_plot(const tsim_scenario *sc, const tsim_size_opts *o, const tsim_size_result *r,
                           const char *dir) {
  int n = r->npoints, nc = ncomp_of(o);
  size_t stride = (size_t)(n > 2 ? n : 2) * 4;
  double *buf = malloc(stride * (size_t)(2 * nc) * sizeof *buf);
  if (!buf) return -1;
  tsim_plot p;
  memset(&p, 0, sizeof p);
  /* The title holds every id whole: cut short, it could end inside a UTF-8 character. */
  char ids[TSIM_SIZE_MAX_COMPARISONS * (2 * TSIM_ID_MAX + 3)], title[sizeof ids + 300], tline[96];
  joined_ids(o, " and ", ids, sizeof ids);
  snprintf(title, sizeof title, "%s: type I error of %s by direction (null twin, %s%lld trials per point)",
           sc->name, ids, o->sequential ? "up to " : "", max_trials(r));
  int ncmp = tsim_scenario_ncomparisons(sc);
  double level = NAN;
  for (int c = 0; c < nc; c++) {
    const tsim_analysis *an = &sc->analyses[r->comparison[c] / ncmp];
    double l = an->alpha / (an->sided == 1 ? 1 : 2);
    level = c == 0 || l == level ? l : NAN;
  }
  char num[TSIM_NUM_CHARS];
  snprintf(tline, sizeof tline, "level per direction %s", tsim_num(num, level));
  p.title = title;
  p.xlabel = "total sample size (patients)";
  p.ylabel = "type I error (rejection rate under the null)";
  p.probability_axis = 2;
  p.npanels = 1;
  p.yline[0] = level;
  snprintf(p.yline_title[0], sizeof p.yline_title[0], "%.70s", tline);
  p.nylines = 1;
  size_type1_series(&p, buf, stride, o, r);
  set_size_legend(&p, o, r, 1);
  if (p.ncolours > nc) p.ncolours = nc; /* no curve of all together here */
  int res = tsim_plot_write(&p, dir, "size_type1_error", NULL);
  free(buf);
  return res;
}

/* Power of every named comparison (and of all together), type I error by direction, the
 * target line and the chosen size as a vertical line. */
static int size_plot(const tsim_scenario *sc, const tsim_size_opts *o, const tsim_size_result *r,
                     const char *dir, FILE *notice) {
  int n = r->npoints, nc = ncomp_of(o);
  int maxseries = 3 * nc + 2;
  double *buf = malloc((size_t)(n > 2 ? n : 2) * 4 * (size_t)maxseries * sizeof *buf);
  if (!buf) return -1;
  tsim_plot p;
  memset(&p, 0, sizeof p);
  char ids[TSIM_SIZE_MAX_COMPARISONS * (2 * TSIM_ID_MAX + 3)];
  joined_ids(o, " and ", ids, sizeof ids);
  char title[sizeof ids + 300], tline[64]; /* every id whole, as in size_type1_plot */
  snprintf(title, sizeof title, "%s: power of %s against sample size (%s%lld trials per point)",
           sc->name, ids, o->sequential ? "up to " : "", max_trials(r));
  char num[TSIM_NUM_CHARS];
  snprintf(tline, sizeof tline, "target power %s", tsim_num(num, o->target));
  p.title = title;
  p.xlabel = "total sample size (patients)";
  p.ylabel = "power favouring the experimental arm"; /* every curve's, the joint one's too */
  p.probability_axis = 1;
  p.npanels = 1;
  p.yline[0] = o->target;
  snprintf(p.yline_title[0], sizeof p.yline_title[0], "%s", tline);
  p.nylines = 1;
  size_t stride = (size_t)(n > 2 ? n : 2) * 4;
  for (int c = 0; c < nc; c++)
    size_series(&p, buf + stride * (size_t)p.nseries, r, count_favouring, c, 0, o->comparison[c], c, 0);
  if (nc > 1 && r->has_all)
    size_series(&p, buf + stride * (size_t)p.nseries, r, count_all, 0, 0, ALL_TITLE, nc, 0);
  set_size_legend(&p, o, r, 0);
  if (r->reached) {
    /* The chosen size: a vertical line from 0 to 1 at N, in a colour of its own. */
    tsim_series *se = &p.series[p.nseries];
    double *b = buf + stride * (size_t)p.nseries++;
    b[0] = b[1] = (double)r->sample_size;
    b[2] = b[4] = b[6] = 0;
    b[3] = b[5] = b[7] = 1;
    snprintf(se->title, sizeof se->title, "chosen N = %lld", r->sample_size);
    se->x = b; se->y = b + 2; se->lo = b + 4; se->hi = b + 6; se->n = 2;
    se->colour = p.ncolours;
    snprintf(p.colour_title[p.ncolours++], sizeof p.colour_title[0], "chosen N = %lld", r->sample_size);
  }
  int res = tsim_plot_write(&p, dir, "size_power", notice);
  free(buf);
  return res;
}

typedef struct size_csv_ctx {
  const tsim_size_opts *o;
  const tsim_size_result *r;
} size_csv_ctx;

static void csv_num(FILE *f, double x) {
  fputc(',', f);
  if (isfinite(x)) tsim_fput_num(f, x);
}

static void csv_estimate4(FILE *f, tsim_estimate e) {
  csv_num(f, e.estimate); csv_num(f, e.mcse); csv_num(f, e.lo); csv_num(f, e.hi);
}

/* One row per size and named comparison; with several, also a row "all" per size: the share of
 * trials in which every named comparison rejected (and favouring the experimental arm, in the
 * _favouring columns), and whether the size reaches the target. */
static void size_csv(FILE *f, const void *ctx) {
  const size_csv_ctx *c = ctx;
  const tsim_size_opts *o = c->o;
  int nc = ncomp_of(o);
  fprintf(f, "sample_size,analysis,power,power_mcse,power_lo,power_hi,power_favouring,"
             "type1_error,type1_error_mcse,type1_error_lo,type1_error_hi,"
             "type1_error_favouring,type1_error_favouring_control,reaches_target,trials,stopped,side,"
             "expected_n_alternative,expected_n_null\n");
  for (int i = 0; i < c->r->npoints; i++) {
    const tsim_size_point *p = &c->r->points[i];
    for (int k = 0; k < nc; k++) {
      fprintf(f, "%lld,%s", p->n, o->comparison[k]);
      csv_estimate4(f, prop(p->reject[k][0], p));
      csv_num(f, prop(p->favouring[k][0], p).estimate);
      csv_estimate4(f, prop(p->reject[k][1], p));
      csv_num(f, prop(p->favouring[k][1], p).estimate);
      csv_num(f, prop(favouring_control(p, k, 1), p).estimate);
      fprintf(f, ",%d,%lld,%s,%s", (double)p->reject[k][0] >= o->target * (double)p->trials, p->trials,
              stop_name(p->stopped), side_name(p->side));
      csv_num(f, p->expected_n[k][0]);
      csv_num(f, p->expected_n[k][1]);
      fputc('\n', f);
    }
    if (nc > 1) {
      fprintf(f, "%lld,all", p->n);
      if (c->r->has_all) {
        csv_estimate4(f, prop(p->all[0], p));
        csv_num(f, prop(p->all_favouring[0], p).estimate);
        csv_estimate4(f, prop(p->all[1], p));
        csv_num(f, prop(p->all_favouring[1], p).estimate);
      } else {
        fputs(",,,,,,,,,,", f);
      }
      fprintf(f, ",,%d,%lld,%s,%s,,\n", tsim_size_point_reaches(p, nc, o->target), p->trials,
              stop_name(p->stopped), side_name(p->side));
    }
  }
}

tsim_status tsim_report_write_size(const char *file, const tsim_scenario *sc,
                                   const tsim_size_opts *o, const tsim_size_result *r,
                                   const tsim_run_info *ri, const char *dir, tsim_diag *d,
                                   FILE *notice) {
  cJSON *root = size_json(file, sc, o, r, ri);
  size_csv_ctx ctx = {o, r};
  tsim_status st = tsim__report_write_pair(dir, "size.json", root, "size.csv", size_csv, &ctx, d);
  cJSON_Delete(root);
  if (st == TSIM_OK) st = plot_status(size_plot(sc, o, r, dir, notice), dir, "size_power", d);
  if (st == TSIM_OK) st = plot_status(size_type1_plot(sc, o, r, dir), dir, "size_type1_error", d);
  return st;
}

/* "0.8012 [0.7834, 0.8179]" (23 characters) */
static void print_ci(FILE *f, tsim_estimate e) {
  fprintf(f, "%.4f [%.4f, %.4f]", e.estimate, e.lo, e.hi);
}

/* The size table's columns after the analysis, then the marker (or none) */
#define SIZE_COLS "%-23s  %-7s  %-23s  %-7s  %-7s"

void tsim_report_print_size(const tsim_scenario *sc, const tsim_size_opts *o,
                            const tsim_size_result *r, const tsim_run_info *ri, FILE *f) {
  int nc = ncomp_of(o);
  char ids[TSIM_SIZE_MAX_COMPARISONS * (2 * TSIM_ID_MAX + 3)];
  joined_ids(o, nc == 2 ? " and " : ", ", ids, sizeof ids);
  char target[TSIM_NUM_CHARS];
  tsim_num(target, o->target);
  /* The seed, processes (with trialsim_mpi), threads and time as every command's header. */
  char set[TSIM_GRID_MAX_PARAMS * (TSIM_OVERRIDE_TEXT_MAX + 8) + 4];
  char what[TSIM_SIZE_MAX_COMPARISONS * (2 * TSIM_ID_MAX + 3) + sizeof set + 256];
  snprintf(what, sizeof what, "trialsim %s  sample size for %s in %s%s: target power %s%s, %s%lld trials per point",
           TSIM_VERSION, ids, sc->name, tsim__report_set_text(sc, set, sizeof set), target,
           nc > 1 ? " for every analysis" : "", o->sequential ? "up to " : "", ri->trials);
  tsim_report_print_header(what, ri->trials, ri, f);
  fprintf(f, "start: N = %lld (%s)", r->start, r->start_reason);
  /* The search moves on the lattice of sizes (multiples of the step): it starts at the first
   * size on it at or above N. */
  if (r->step > 1 && r->start % r->step != 0)
    fprintf(f, "; on the lattice of step %lld the search starts at %lld", r->step,
            (r->start / r->step + 1) * r->step);
  fputs("\n\n", f);
  /* The analysis column only with several; as wide as the longest id. */
  int w = 0;
  if (nc > 1) {
    w = (int)strlen("all significant");
    for (int c = 0; c < nc; c++) if ((int)strlen(o->comparison[c]) > w) w = (int)strlen(o->comparison[c]);
  }
  fprintf(f, "%11s  ", "sample size");
  if (nc > 1) fprintf(f, "%-*s  ", w, "analysis");
  fprintf(f, SIZE_COLS "  %8s  %-10s\n", "power [95% CI]", "fav exp", "type I [95% CI]", "fav exp", "fav ctl",
          "trials", "stopped");
  for (int i = 0; i < r->npoints; i++) {
    const tsim_size_point *p = &r->points[i];
    for (int c = 0; c < nc; c++) {
      if (c == 0) fprintf(f, "%11lld  ", p->n);
      else fprintf(f, "%11s  ", "");
      if (nc > 1) fprintf(f, "%-*s  ", w, o->comparison[c]);
      print_ci(f, prop(p->reject[c][0], p));
      fprintf(f, "  %7.4f  ", prop(p->favouring[c][0], p).estimate);
      print_ci(f, prop(p->reject[c][1], p));
      fprintf(f, "  %7.4f  %7.4f", prop(p->favouring[c][1], p).estimate,
              prop(favouring_control(p, c, 1), p).estimate);
      if (c == 0) fprintf(f, "  %8lld  %-10s", p->trials, stop_name(p->stopped));
      else fprintf(f, "  %8s  %-10s", "", "");
      int reach = (double)p->favouring[c][0] >= o->target * (double)p->trials;
      fprintf(f, "%s\n", reach ? "  reaches" : "");
    }
    if (nc > 1) {
      fprintf(f, "%11s  %-*s  ", "", w, "all significant");
      if (r->has_all) {
        print_ci(f, prop(p->all[0], p));
        fprintf(f, "  %7.4f  ", prop(p->all_favouring[0], p).estimate);
        print_ci(f, prop(p->all[1], p));
        fprintf(f, "  %7.4f", prop(p->all_favouring[1], p).estimate);
      } else {
        fprintf(f, "%-23s  %-7s  %-23s  %-7s", "(not tallied)", "", "", "");
      }
      /* The marker in the column of the analyses' "reaches", past fav ctl, trials and stopped. */
      if (tsim_size_point_reaches(p, nc, o->target)) fprintf(f, "  %7s  %8s  %-10s  all reach", "", "", "");
      fputc('\n', f);
    }
  }
  fprintf(f, "\nfav exp, fav ctl: rejections with the observed difference favouring the experimental "
             "arm, or control (they add up to the two-sided rate).\nreaches: the power favouring the "
             "experimental arm (fav exp) is at least the target; a rejection favouring control is no "
             "success.%s\n",
          nc > 1 ? "\nall significant: every analysis rejects in the same trial (power, type I: in either direction; "
                   "fav exp: every one favouring the experimental arm)" : "");
  char zs[TSIM_NUM_CHARS];
  tsim_num(zs, z_of(o));
  if (o->sequential)
    fprintf(f, "trials, stopped: a size is simulated in looks of %lld, %lld, %lld, ... trials up to %lld and stops once "
               "told apart\n(its power's %s-SE Wilson bound above or below the target; at most %d interim looks: "
               "wrong side with probability <= %.4f)%s, else at the maximum.\n",
            first_look_of(o), 2 * first_look_of(o), 4 * first_look_of(o), ri->trials, zs,
            tsim_size_looks(first_look_of(o), ri->trials), wrong_side_bound(o, ri->trials),
            o->mcse > 0 ? " or once its MCSE is at most --mcse" : "");
  if (!r->reached) {
    fprintf(f, "\nthe target power %s was not reached%s up to N = %lld\n", target,
            nc > 1 ? " by every analysis" : "", r->npoints ? r->points[r->npoints - 1].n : 0);
    if (r->limit > 0)
      fprintf(f, "N = %lld is the largest sample size the scenario allows; at %lld: %s\n", r->limit,
              r->limit + r->step, r->limit_reason);
    return;
  }
  const tsim_size_point *at = point_at(r, r->sample_size);
  if (nc == 1) {
    tsim_estimate e = prop(at->favouring[0][0], at);
    fprintf(f, "\nsample size: %lld (power favouring the experimental arm %.4f, MCSE %.4f, 95%% CI "
               "[%.4f, %.4f])\n", r->sample_size,
            e.estimate, e.mcse, e.lo, e.hi);
  } else {
    fprintf(f, "\nsample size: %lld (the smallest evaluated N at which every analysis reaches %s:",
            r->sample_size, target);
    for (int c = 0; c < nc; c++) {
      tsim_estimate e = prop(at->favouring[c][0], at);
      fprintf(f, "%s %s power %.4f, MCSE %.4f", c ? ";" : "", o->comparison[c], e.estimate, e.mcse);
    }
    if (r->has_all) {
      tsim_estimate e = prop(at->all_favouring[0], at);
      fprintf(f, "; all significant together, favouring the experimental arm, %.4f, MCSE %.4f", e.estimate, e.mcse);
    }
    fprintf(f, ")\n");
  }
  for (int c = 0; c < nc && !isnan(at->expected_n[c][0]); c++)
    fprintf(f, "%s%s: expected patients randomised when its trial ends %.1f (alternative), %.1f (null); "
               "months %.1f, %.1f\n", nc > 1 ? "  " : "", o->comparison[c], at->expected_n[c][0], at->expected_n[c][1],
            at->expected_months[c][0], at->expected_months[c][1]);
  /* The precision of the answer: its power and the size a step below, each against the target in
   * its own MCSE, and whether the two are told apart at z. */
  const tsim_size_point *below = point_at(r, r->sample_size - r->step);
  fprintf(f, "precision: N = %lld (%lld trials) %s the target", at->n, at->trials,
          at->side > 0 ? "told apart above" : "within Monte Carlo error of");
  if (below) {
    fprintf(f, "; N - step = %lld (%lld trials):", below->n, below->trials);
    for (int c = 0; c < nc; c++) {
      tsim_estimate e = prop(below->favouring[c][0], below);
      fprintf(f, "%s%s%s power %.4f, MCSE %.4f,", c ? "" : "", nc > 1 ? " " : "", nc > 1 ? o->comparison[c] : "",
              e.estimate, e.mcse);
    }
    fprintf(f, " %s the target\n  %s at z = %s%s\n", below->side < 0 ? "told apart below" : "within Monte Carlo error of",
            at->side > 0 && below->side < 0 ? "N and N - step told apart" : "N and N - step not told apart", zs,
            at->side > 0 && below->side < 0 ? "" : ": the answer holds up to its Monte Carlo error");
  } else {
    fprintf(f, " (z = %s)\n", zs);
  }
  fprintf(f, "simulated: %lld trials over %d sizes, %.4g trial-patients\n", r->trials_total, r->npoints,
          r->patients_total);
  if (r->stable_sample_size > 0)
    fprintf(f, "every evaluated size from %lld up reaches the target (estimated power need not rise "
               "with N: Monte Carlo error, and the saw-tooth of exact tests)\n", r->stable_sample_size);
  else
    fprintf(f, "the largest size evaluated misses the target: no size is stable within the "
               "evaluated range (raise --max or --trials)\n");
}
