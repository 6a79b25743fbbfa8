/* grid.c - parsing and enumerating experiment grids (see grid.h). */
#include "input/grid.h"

#include "input/jpath.h"
#include "core/numfmt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_double(const char *s, const char *end, double *out) {
  char buf[64];
  size_t len = (size_t)(end - s);
  if (len == 0 || len >= sizeof buf) return -1;
  memcpy(buf, s, len);
  buf[len] = '\0';
  /* A decimal number: [-] digits [. digits] [e [+-] digits] (a leading or trailing point allowed),
   * as the README writes numbers - no space (strtod would skip one before: " 40" was taken, "40 "
   * not), no '+', and none of strtod's hexadecimal ("0x10" was 16), inf or nan. */
  const char *q = buf;
  if (*q == '-') q++;
  size_t digits = strspn(q, "0123456789");
  q += digits;
  if (*q == '.') {
    size_t frac = strspn(q + 1, "0123456789");
    digits += frac;
    q += 1 + frac;
  }
  if (digits == 0) return -1;
  if (*q == 'e' || *q == 'E') {
    q++;
    if (*q == '+' || *q == '-') q++;
    size_t ed = strspn(q, "0123456789");
    if (ed == 0) return -1;
    q += ed;
  }
  if (*q) return -1;
  char *e;
  errno = 0;
  double v = strtod(buf, &e);
  if (errno || *e || !isfinite(v)) return -1;
  *out = v;
  return 0;
}

/* A list element: a number, or true / false, which stand for 1 and 0 (a switch such as an
 * anomaly's "enabled"; tsim_jpath_set writes them into a boolean as true and false). */
static int parse_element(const char *s, const char *end, double *out, int *boolean) {
  size_t len = (size_t)(end - s);
  if (len == 4 && strncmp(s, "true", 4) == 0) { *out = 1; *boolean = 1; return 0; }
  if (len == 5 && strncmp(s, "false", 5) == 0) { *out = 0; *boolean = 1; return 0; }
  return parse_double(s, end, out);
}

/* start + i*step carries binary rounding (0.1 + 2 * 0.1 = 0.30000000000000004); the grid
 * value is the nearest 12-significant-digit number, which is what the user meant. */
static double tidy(double v) {
  char buf[40];
  snprintf(buf, sizeof buf, "%.12g", v);
  return strtod(buf, NULL);
}

static int parse_range(const char *text, tsim_param *p, char *why, size_t n) {
  const char *c1 = strchr(text, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  double a, b, step;
  if (!c2 || strchr(c2 + 1, ':') || parse_double(text, c1, &a) ||
      parse_double(c1 + 1, c2, &b) || parse_double(c2 + 1, c2 + 1 + strlen(c2 + 1), &step)) {
    snprintf(why, n, "expected a range START:STOP:STEP of numbers, got \"%s\"", text);
    return -1;
  }
  if (step == 0 || (b - a) / step < 0) {
    snprintf(why, n, "the step of \"%s\" never reaches the stop value", text);
    return -1;
  }
  double count = floor((b - a) / step + 1e-9) + 1;
  if (count > TSIM_GRID_MAX_VALUES) {
    snprintf(why, n, "\"%s\" has %.0f values; the limit is %d", text, count, TSIM_GRID_MAX_VALUES);
    return -1;
  }
  p->nvalues = (int)count;
  p->values = malloc((size_t)p->nvalues * sizeof *p->values);
  if (!p->values) { snprintf(why, n, "out of memory"); return -1; }
  for (int i = 0; i < p->nvalues; i++) p->values[i] = tidy(a + i * step);
  return 0;
}

int tsim_grid_parse_values(const char *text, tsim_param *p, char *why, size_t n) {
  p->values = NULL;
  p->nvalues = 0;
  p->boolean = 0;
  if (strchr(text, ':')) return parse_range(text, p, why, n);
  int count = 1;
  for (const char *c = text; *c; c++) count += *c == ',';
  if (count > TSIM_GRID_MAX_VALUES) {
    snprintf(why, n, "%d values; the limit is %d", count, TSIM_GRID_MAX_VALUES);
    return -1;
  }
  p->values = malloc((size_t)count * sizeof *p->values);
  if (!p->values) { snprintf(why, n, "out of memory"); return -1; }
  const char *s = text;
  for (int i = 0; i < count; i++) {
    const char *e = strchr(s, ',');
    if (!e) e = s + strlen(s);
    if (parse_element(s, e, &p->values[i], &p->boolean)) {
      snprintf(why, n, "expected a list of numbers like 40,60,80 (or true,false) or a range like "
                       "40:200:20, got \"%s\"", text);
      free(p->values);
      p->values = NULL;
      return -1;
    }
    s = e + 1;
  }
  p->nvalues = count;
  return 0;
}

static int add_path(tsim_grid *g, const char *path, size_t len, char *why, size_t n) {
  if (g->nparams >= TSIM_GRID_MAX_PARAMS) {
    snprintf(why, n, "at most %d parameters can be swept at once", TSIM_GRID_MAX_PARAMS);
    return -1;
  }
  if (len >= TSIM_OVERRIDE_PATH_MAX) {
    snprintf(why, n, "a path of %zu characters: at most %d", len, TSIM_OVERRIDE_PATH_MAX - 1);
    return -1;
  }
  if (len == 0) {
    snprintf(why, n, "expected PATH=VALUES with a JSON path such as sample_size");
    return -1;
  }
  tsim_param *p = &g->params[g->nparams];
  /* One spelling per path, so "$.sample_size" and "sample_size" are the same parameter. */
  if (len >= 2 && strncmp(path, "$.", 2) == 0) { path += 2; len -= 2; }
  else if (len >= 1 && path[0] == '$') { path += 1; len -= 1; }
  if (len == 0) {
    snprintf(why, n, "expected PATH=VALUES with a JSON path such as sample_size");
    return -1;
  }
  memcpy(p->path, path, len);
  p->path[len] = '\0';
  /* ... and "arms[00]" and "arms[0]": an index without its leading zeros. */
  for (char *b = strchr(p->path, '['); b; b = strchr(b + 1, '[')) {
    char *d = b + 1;
    size_t zeros = 0;
    while (d[zeros] == '0' && d[zeros + 1] >= '0' && d[zeros + 1] <= '9') zeros++;
    if (zeros) memmove(d, d + zeros, strlen(d + zeros) + 1);
  }
  char r[160];
  if (tsim_jpath_check(p->path, r, sizeof r) != 0) {
    snprintf(why, n, "bad path \"%s\": %s", p->path, r);
    return -1;
  }
  for (int i = 0; i < g->nparams; i++)
    if (strcmp(g->params[i].path, p->path) == 0) {
      snprintf(why, n, "\"%s\" is set twice", p->path);
      return -1;
    }
  return 0;
}

int tsim_grid_add_set(tsim_grid *g, const char *arg, char *why, size_t n) {
  const char *eq = strchr(arg, '=');
  if (!eq) {
    snprintf(why, n, "expected PATH=VALUES (e.g. sample_size=40:200:20), got \"%s\"", arg);
    return -1;
  }
  if (add_path(g, arg, (size_t)(eq - arg), why, n)) return -1;
  tsim_param *p = &g->params[g->nparams];
  char r[200];
  if (tsim_grid_parse_values(eq + 1, p, r, sizeof r)) {
    snprintf(why, n, "%s: %s", p->path, r);
    return -1;
  }
  g->nparams++;
  return 0;
}

int tsim_grid_parse_one(const char *arg, tsim_override *ov, char *why, size_t n) {
  const char *eq = strchr(arg, '=');
  if (!eq) {
    snprintf(why, n, "expected PATH=VALUE (e.g. sample_size=120), got \"%s\"", arg);
    return -1;
  }
  tsim_grid g;
  memset(&g, 0, sizeof g);
  if (add_path(&g, arg, (size_t)(eq - arg), why, n)) return -1;
  const char *path = g.params[0].path, *v = eq + 1;
  double x;
  if (strchr(v, ',') || strchr(v, ':')) {
    snprintf(why, n, "%s: one value expected here ('trialsim sweep' takes lists and ranges), got "
                     "\"%s\"", path, v);
    return -1;
  }
  int boolean = 0;
  if (parse_element(v, v + strlen(v), &x, &boolean)) {
    snprintf(why, n, "%s: expected one number (or true or false for a switch), got \"%s\"", path, v);
    return -1;
  }
  memcpy(ov->path, path, sizeof ov->path);
  ov->value = x;
  ov->boolean = boolean;
  return 0;
}

int tsim_grid_add_values(tsim_grid *g, const char *path, const double *v, int nv, int boolean,
                         char *why, size_t n) {
  if (add_path(g, path, strlen(path), why, n)) return -1;
  tsim_param *p = &g->params[g->nparams];
  if (nv < 1 || nv > TSIM_GRID_MAX_VALUES) {
    snprintf(why, n, "%s: expected 1 to %d values, got %d", path, TSIM_GRID_MAX_VALUES, nv);
    return -1;
  }
  p->values = malloc((size_t)nv * sizeof *v);
  if (!p->values) { snprintf(why, n, "out of memory"); return -1; }
  memcpy(p->values, v, (size_t)nv * sizeof *v);
  p->nvalues = nv;
  p->boolean = boolean;
  g->nparams++;
  return 0;
}

int tsim_grid_finish(tsim_grid *g, char *why, size_t n) {
  if (g->nparams == 0) {
    snprintf(why, n, "nothing to sweep: give --set PATH=VALUES or a \"sweep\" block");
    return -1;
  }
  double points = g->zip ? g->params[0].nvalues : 1;
  for (int i = 0; i < g->nparams; i++) {
    if (g->zip && g->params[i].nvalues != g->params[0].nvalues) {
      snprintf(why, n, "zip needs lists of equal length: %s has %d values, %s has %d",
               g->params[0].path, g->params[0].nvalues, g->params[i].path, g->params[i].nvalues);
      return -1;
    }
    if (!g->zip) points *= g->params[i].nvalues;
  }
  if (points > TSIM_GRID_MAX_POINTS) {
    snprintf(why, n, "the grid has %.0f points; the limit is %d", points, TSIM_GRID_MAX_POINTS);
    return -1;
  }
  g->npoints = (int)points;
  return 0;
}

void tsim_grid_point(const tsim_grid *g, int k, tsim_override *ov) {
  int rest = k;
  for (int i = g->nparams - 1; i >= 0; i--) {
    const tsim_param *p = &g->params[i];
    int idx = g->zip ? k : rest % p->nvalues;
    if (!g->zip) rest /= p->nvalues;
    memcpy(ov[i].path, p->path, sizeof ov[i].path);
    ov[i].value = p->values[idx];
    ov[i].boolean = p->boolean;
  }
}

void tsim_grid_free(tsim_grid *g) {
  if (!g) return;
  for (int i = 0; i < g->nparams; i++) free(g->params[i].values);
  g->nparams = 0;
}

char *tsim_override_text(const tsim_override *ov, char *buf, size_t n) {
  char num[TSIM_NUM_CHARS];
  const char *v = ov->boolean ? (ov->value != 0 ? "true" : "false") : tsim_num(num, ov->value);
  snprintf(buf, n, "%s=%s", ov->path, v);
  return buf;
}
