/* html.c - report.html (see html.h). */
#include "output/html.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tsim_revision.h> /* TSIM_REVISION, written at build time (sim/revision.cmake) */

#include "core/numfmt.h"
#include "core/sha256.h"
#include "input/jcheck.h"
#include "output/report_internal.h"

#define JSON_MAX_BYTES (256u << 20) /* a result set of the largest sweeps is a few MB */
#define SVG_MAX_BYTES (16u << 20)

/* ---- a growing text buffer ----------------------------------------------------------------- */

typedef struct sbuf {
  char *s;
  size_t len, cap;
  int failed; /* out of memory: everything after is dropped, the page is not written */
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
  if (b->failed) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 1 << 16;
    while (b->len + n + 1 > cap) cap *= 2;
    char *p = realloc(b->s, cap);
    if (!p) { b->failed = 1; return; }
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

__attribute__((format(printf, 2, 3)))
static void sb_printf(sbuf *b, const char *fmt, ...) {
  char small[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof small) { sb_put(b, small, (size_t)n); return; }
  char *big = malloc((size_t)n + 1);
  if (!big) { b->failed = 1; return; }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  sb_put(b, big, (size_t)n);
  free(big);
}

/* n bytes of s as HTML text or attribute value: & < > " ' escaped. */
static void sb_escn(sbuf *b, const char *s, size_t n) {
  size_t from = 0;
  for (size_t i = 0; i < n; i++) {
    const char *rep = NULL;
    switch (s[i]) {
      case '&': rep = "&amp;"; break;
      case '<': rep = "&lt;"; break;
      case '>': rep = "&gt;"; break;
      case '"': rep = "&quot;"; break;
      case '\'': rep = "&#39;"; break;
      default: break;
    }
    if (!rep) continue;
    sb_put(b, s + from, i - from);
    sb_puts(b, rep);
    from = i + 1;
  }
  sb_put(b, s + from, n - from);
}

static void sb_esc(sbuf *b, const char *s) { sb_escn(b, s ? s : "", s ? strlen(s) : 0); }

/* A number from the scenario, as the shortest text that reads back to it. */
static void sb_num(sbuf *b, double x) {
  char t[TSIM_NUM_CHARS];
  sb_puts(b, tsim_num(t, x));
}

/* ---- the record ------------------------------------------------------------------------------ */

size_t tsim_shell_quote(char *out, size_t n, const char *s) {
  static const char safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-";
  size_t need = 0;
  int plain = *s != '\0' && strspn(s, safe) == strlen(s);
#define PUT(c) do { if (need + 1 < n) out[need] = (c); need++; } while (0)
  if (plain) {
    for (const char *p = s; *p; p++) PUT(*p);
  } else {
    PUT('\'');
    for (const char *p = s; *p; p++) {
      if (*p == '\'') { PUT('\''); PUT('\\'); PUT('\''); PUT('\''); }
      else PUT(*p);
    }
    PUT('\'');
  }
#undef PUT
  if (n) out[need < n ? need : n - 1] = '\0';
  return need;
}

/* The SHA-256 of the file's bytes, or "" when it cannot be read. */
static void file_sha256(const char *file, char out[65]) {
  out[0] = '\0';
  FILE *f = file ? fopen(file, "rb") : NULL;
  if (!f) return;
  tsim_sha256 s;
  tsim_sha256_init(&s);
  unsigned char buf[1 << 14];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0) tsim_sha256_update(&s, buf, got);
  int bad = ferror(f);
  fclose(f);
  if (bad) return;
  unsigned char dg[32];
  tsim_sha256_final(&s, dg);
  for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", dg[i]);
}

tsim_status tsim_html_record_init(tsim_html_record *r, int argc, char *const argv[],
                                  const char *scenario_file, const char *const sets[], int nsets) {
  memset(r, 0, sizeof *r);
  size_t len = 1;
  for (int i = 0; i < argc; i++) len += tsim_shell_quote(NULL, 0, argv[i]) + 1;
  r->command_line = malloc(len);
  if (!r->command_line) return TSIM_NOMEM;
  size_t at = 0;
  r->command_line[0] = '\0';
  for (int i = 0; i < argc; i++) {
    if (i) r->command_line[at++] = ' ';
    at += tsim_shell_quote(r->command_line + at, len - at, argv[i]);
  }
  r->scenario_file = scenario_file;
  file_sha256(scenario_file, r->scenario_sha256);
  for (int i = 0; i < nsets && r->nsets < TSIM_HTML_MAX_SETS; i++) r->sets[r->nsets++] = sets[i];
  time_t now = time(NULL);
  struct tm tm;
  if (gmtime_r(&now, &tm)) strftime(r->date, sizeof r->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return TSIM_OK;
}

void tsim_html_record_free(tsim_html_record *r) {
  if (!r) return;
  free(r->command_line);
  r->command_line = NULL;
}

/* ---- numbers from the result set --------------------------------------------------------------- */

/* The value at JSON pointer ptr (RFC 6901: "/analyses/3/power/estimate"; ~0 is ~, ~1 is /). */
static const cJSON *jptr(const cJSON *root, const char *ptr) {
  const cJSON *v = root;
  const char *p = ptr;
  while (v && *p == '/') {
    char tok[512];
    size_t k = 0;
    for (p++; *p && *p != '/' && k + 1 < sizeof tok; p++) {
      if (*p == '~' && (p[1] == '0' || p[1] == '1')) tok[k++] = p[1] == '0' ? '~' : '/', p++;
      else tok[k++] = *p;
    }
    tok[k] = '\0';
    if (cJSON_IsArray(v)) {
      char *end;
      long i = strtol(tok, &end, 10);
      v = (*tok && !*end && i >= 0) ? cJSON_GetArrayItem(v, (int)i) : NULL;
    } else if (cJSON_IsObject(v)) {
      v = cJSON_GetObjectItemCaseSensitive(v, tok);
    } else {
      v = NULL;
    }
  }
  return *p ? NULL : v;
}

/* A key as a JSON pointer token (~ and / escaped), appended to out. */
static void ptr_token(char *out, size_t n, const char *key) {
  size_t at = strlen(out);
  for (const char *k = key; *k && at + 3 < n; k++) {
    if (*k == '~') { out[at++] = '~'; out[at++] = '0'; }
    else if (*k == '/') { out[at++] = '~'; out[at++] = '1'; }
    else out[at++] = *k;
  }
  out[at] = '\0';
}

typedef struct page {
  sbuf b;
  const cJSON *root;
} page;

/* How a number is shown: decimals after the point, with a sign, or as a whole number. */
enum { SIGNED = 0x100 };

/* The number at JSON pointer `ptr` in a span that names it: data-json is the pointer,
 * data-value the JSON number exactly (tsim_num), the text the number rounded to `fmt`'s decimals
 * (fmt & 0xff; | SIGNED for a leading +). A JSON null shows as a dash; an absent key as a dash
 * without a pointer (a result set of an older trialsim). */
static void num_at(page *pg, const char *ptr, int fmt) {
  const cJSON *v = jptr(pg->root, ptr);
  sbuf *b = &pg->b;
  if (!v) { sb_puts(b, "<span class=\"na\">&#8211;</span>"); return; }
  sb_puts(b, "<span class=\"n\" data-json=\"");
  sb_esc(b, ptr);
  if (!cJSON_IsNumber(v)) {
    sb_puts(b, "\" data-value=\"null\">&#8211;</span>");
    return;
  }
  char t[TSIM_NUM_CHARS];
  sb_printf(b, "\" data-value=\"%s\">", tsim_num(t, v->valuedouble));
  sb_printf(b, fmt & SIGNED ? "%+.*f" : "%.*f", fmt & 0xff, v->valuedouble);
  sb_puts(b, "</span>");
}

__attribute__((format(printf, 3, 4)))
static void num(page *pg, int fmt, const char *ptrfmt, ...) {
  char ptr[1024];
  va_list ap;
  va_start(ap, ptrfmt);
  vsnprintf(ptr, sizeof ptr, ptrfmt, ap);
  va_end(ap);
  num_at(pg, ptr, fmt);
}

/* a - b of two numbers of the result set, naming both (data-json, data-json-minus): the
 * control-direction rejections where the result set has only all and experimental-direction
 * ones. */
static void num_minus(page *pg, int fmt, const char *a, const char *bp) {
  const cJSON *x = jptr(pg->root, a), *y = jptr(pg->root, bp);
  sbuf *b = &pg->b;
  if (!cJSON_IsNumber(x) || !cJSON_IsNumber(y)) { sb_puts(b, "<span class=\"na\">&#8211;</span>"); return; }
  double v = x->valuedouble - y->valuedouble;
  char t[TSIM_NUM_CHARS];
  sb_puts(b, "<span class=\"n\" data-json=\"");
  sb_esc(b, a);
  sb_puts(b, "\" data-json-minus=\"");
  sb_esc(b, bp);
  sb_printf(b, "\" data-value=\"%s\">%.*f</span>", tsim_num(t, v), fmt & 0xff, v);
}

/* An estimate object at ptr ({"estimate", "mcse", "ci95"}): "0.1519 [0.1496, 0.1541]", with the
 * MCSE in its own cell when mcse_cell. */
static void estimate_cells(page *pg, const char *ptr, int mcse_cell) {
  sbuf *b = &pg->b;
  sb_puts(b, "<td class=\"num\">");
  num(pg, 4, "%s/estimate", ptr);
  sb_puts(b, " <span class=\"ci\">[");
  num(pg, 4, "%s/ci95/0", ptr);
  sb_puts(b, ", ");
  num(pg, 4, "%s/ci95/1", ptr);
  sb_puts(b, "]</span></td>");
  if (mcse_cell) {
    sb_puts(b, "<td class=\"num\">");
    num(pg, 5, "%s/mcse", ptr);
    sb_puts(b, "</td>");
  }
}

static int has(const page *pg, const char *ptr) { return jptr(pg->root, ptr) != NULL; }

static const char *jstr(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- the page's frame ------------------------------------------------------------------------ */

static const char *const css =
    "body{font:15px/1.45 'DejaVu Sans',Helvetica,Arial,sans-serif;color:#1b1b1b;margin:0 auto;"
    "max-width:1200px;padding:12px 24px 48px}"
    "h1{font-size:26px;margin:18px 0 2px}h2{font-size:20px;border-bottom:2px solid #3a5a80;"
    "padding-bottom:3px;margin-top:34px}h3{font-size:16px;margin:22px 0 6px}"
    ".sub{color:#555;margin:0 0 10px}"
    "table{border-collapse:collapse;margin:6px 0 12px;font-size:14px}"
    "th,td{border:1px solid #c8ccd2;padding:3px 7px;vertical-align:top;text-align:left}"
    "th{background:#eef1f5;font-weight:600}"
    "td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}.nw{white-space:nowrap}"
    "tr.grp td{background:#f6f7f9;font-weight:600}tr.first td{border-top:2px solid #7d8da3}"
    ".ci{color:#555;font-size:12.5px}.na{color:#999}"
    ".desc{background:#f8f8f4;border-left:4px solid #b9b27a;padding:6px 14px;margin:8px 0}"
    ".desc p{margin:6px 0}"
    "code,.mono{font-family:'DejaVu Sans Mono',monospace;font-size:13px}"
    "pre{background:#f4f4f4;padding:8px;white-space:pre-wrap;overflow-wrap:anywhere;overflow-x:auto;font-size:13px}"
    ".note{color:#444;font-size:13.5px;max-width:980px}"
    ".plot{margin:10px 0 20px}.plot svg{width:100%;max-width:960px;height:auto;border:1px solid #ddd}"
    ".missing{border:1px dashed #b55;padding:8px;color:#822;max-width:940px}"
    "nav a{margin-right:14px}"
    "@media print{nav{display:none}h2{break-after:avoid}table,.plot{break-inside:avoid}}";

static void page_head(page *pg, const char *title) {
  sbuf *b = &pg->b;
  sb_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
  sb_esc(b, title);
  sb_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
}

/* The description, with a paragraph at every sentence that starts with a label such as
 * "Published:", "Assumptions (not published):" (the label in bold), as the shipped scenarios
 * write them. The text is the file's own, escaped; nothing is added. */
static void description(sbuf *b, const char *d) {
  if (!d || !*d) {
    sb_puts(b, "<p class=\"note\">The scenario file has no description: it does not say where its "
               "numbers come from.</p>\n");
    return;
  }
  sb_puts(b, "<div class=\"desc\"><p>");
  size_t n = strlen(d), from = 0;
  for (size_t i = 0; i <= n; i++) {
    int start = i == 0 || (i >= 2 && d[i - 1] == ' ' && d[i - 2] == '.');
    if (!start || i == n || !isupper((unsigned char)d[i])) continue;
    size_t j = i;
    while (j < n && j - i < 80 && d[j] != '.' && d[j] != ':') j++;
    if (j >= n || d[j] != ':' || (j + 1 < n && d[j + 1] != ' ')) continue;
    if (i > 0) {
      sb_escn(b, d + from, i - from);
      sb_puts(b, "</p>\n<p>");
    }
    sb_puts(b, "<b>");
    sb_escn(b, d + i, j + 1 - i);
    sb_puts(b, "</b>");
    from = j + 1;
    i = j;
  }
  sb_escn(b, d + from, n - from);
  sb_puts(b, "</p></div>\n");
}

/* ---- the scenario in readable form ------------------------------------------------------------ */

static double allocation_total(const tsim_scenario *sc) {
  double t = 0;
  for (int a = 0; a < sc->narms; a++) t += sc->arms[a].allocation;
  return t;
}

static void design_arms(sbuf *b, const tsim_scenario *sc) {
  sb_printf(b, "<p><b>Sample size</b> %lld patients per trial. <b>Randomisation</b> %s",
            sc->sample_size, tsim_rand_names[sc->rand_method]);
  if (sc->rand_method == TSIM_RAND_BLOCK)
    sb_printf(b, " (permuted blocks of %d%s)", sc->block_size,
              sc->stratify_by_site ? ", stratified by site" : "");
  if (sc->single_arm) sb_puts(b, "; a single-arm design, each end point judged against its p0");
  sb_puts(b, ".</p>\n<table><tr><th>arm</th><th>role</th><th>allocation</th><th>share</th>"
             "<th>dropout");
  if (sc->nvisits > 1) sb_puts(b, " (cumulative by visit)");
  sb_puts(b, "</th><th>major protocol deviation</th></tr>\n");
  double tot = allocation_total(sc);
  for (int a = 0; a < sc->narms; a++) {
    const tsim_arm *arm = &sc->arms[a];
    sb_puts(b, "<tr><td>");
    sb_esc(b, arm->id);
    sb_printf(b, "</td><td>%s</td><td class=\"num\">", sc->single_arm ? "single arm" : arm->is_control ? "control" : "experimental");
    sb_num(b, arm->allocation);
    sb_printf(b, "</td><td class=\"num\">%.1f%%</td><td class=\"num\">", 100 * arm->allocation / tot);
    for (int v = 0; v < sc->nvisits; v++) {
      if (v) sb_puts(b, ", ");
      /* Cumulative dropout is computed from the scenario's (a rate spread over the visits
       * adds up to 0.10000000000000002): ten significant digits. */
      if (sc->nvisits > 1) sb_printf(b, "%.10g", arm->dropout_by[v]);
      else sb_num(b, arm->dropout);
    }
    sb_puts(b, "</td><td class=\"num\">");
    sb_num(b, arm->deviation);
    sb_puts(b, "</td></tr>\n");
  }
  sb_puts(b, "</table>\n");
  for (int a = 0; a < sc->narms; a++) {
    if (sc->arms[a].deviators_as < 0) continue;
    sb_puts(b, "<p>Patients of <code>");
    sb_esc(b, sc->arms[a].id);
    sb_puts(b, "</code> with a major protocol deviation respond as <code>");
    sb_esc(b, sc->arms[sc->arms[a].deviators_as].id);
    sb_puts(b, "</code> patients at the same site would (<code>deviators_respond_as</code>).</p>\n");
  }
  if (sc->mnar_endpoint >= 0) {
    sb_puts(b, "<p>Dropout depends on the outcome: non-responders on <code>");
    sb_esc(b, sc->endpoints[sc->mnar_endpoint].id);
    sb_puts(b, "</code> drop out with ");
    sb_num(b, sc->mnar_ratio);
    sb_puts(b, " times the hazard of responders.</p>\n");
  }
  if (sc->nvisits > 1 || sc->visit_week[0] > 0) {
    sb_puts(b, "<p><b>Visits</b> (weeks): ");
    for (int v = 0; v < sc->nvisits; v++) {
      if (v) sb_puts(b, ", ");
      sb_num(b, sc->visit_week[v]);
    }
    if (sc->nvisits > 1) {
      sb_puts(b, "; latent correlation between consecutive visits ");
      sb_num(b, sc->visit_corr);
    }
    sb_puts(b, ".</p>\n");
  }
  const tsim_accrual *ac = &sc->accrual;
  if (ac->mode == TSIM_ACCRUAL_RATE) {
    sb_puts(b, "<p><b>Accrual</b>: Poisson arrivals at ");
    sb_num(b, ac->rate);
    sb_puts(b, " patients per month");
    if (ac->ramp > 0) {
      sb_puts(b, ", rising linearly from 0 over the first ");
      sb_num(b, ac->ramp);
      sb_puts(b, " months");
    }
    sb_puts(b, ".</p>\n");
  } else if (ac->mode == TSIM_ACCRUAL_SITES) {
    sb_puts(b, "<p><b>Accrual</b>: each open site enrols Poisson arrivals at ");
    sb_num(b, ac->site_rate);
    sb_puts(b, " patients per month times the number of sites times its enrollment weight; sites open ");
    if (ac->open) {
      sb_puts(b, "at months ");
      for (int s = 0; s < sc->nsites; s++) {
        if (s) sb_puts(b, ", ");
        sb_num(b, ac->open[s]);
      }
    } else {
      sb_puts(b, "at months drawn uniformly between ");
      sb_num(b, ac->open_lo);
      sb_puts(b, " and ");
      sb_num(b, ac->open_hi);
    }
    sb_puts(b, ".</p>\n");
  }
  const tsim_gs_looks *lk = &sc->looks;
  if (lk->n > 1) {
    static const char *const fam[] = {"O'Brien-Fleming-type", "Pocock-type", "Hwang-Shih-DeCani",
                                      "Haybittle-Peto", "Wang-Tsiatis"};
    sb_printf(b, "<p><b>Looks</b>: %d, the last the final analysis, at ", lk->n);
    sb_puts(b, lk->kind == TSIM_LOOK_MONTHS ? "months " : lk->kind == TSIM_LOOK_PATIENTS ? "assessed patients "
                                                                                      : "information ");
    for (int k = 0; k < lk->n; k++) {
      if (k) sb_puts(b, ", ");
      if (lk->kind == TSIM_LOOK_MONTHS && k == lk->n - 1) sb_puts(b, "the end");
      else sb_num(b, lk->at[k]);
    }
    sb_printf(b, "; %s efficacy boundaries", fam[lk->design.family]);
    if (lk->has_futility == 1) sb_puts(b, lk->design.binding ? ", binding futility bounds on z" : ", non-binding futility bounds on z");
    if (lk->has_futility == 2) {
      sb_puts(b, ", non-binding futility when the conditional power is below ");
      sb_num(b, lk->cp_target);
    }
    sb_puts(b, ".</p>\n");
  }
  const tsim_monitoring *mo = &sc->monitoring;
  if (mo->nrules > 0) {
    sb_puts(b, "<p><b>Site monitoring</b>: checked ");
    if (mo->at_looks) sb_puts(b, "at every interim look");
    else sb_printf(b, "every %lld patients randomised", mo->every);
    sb_puts(b, "; rules ");
    for (int r = 0; r < mo->nrules; r++) {
      const tsim_monitor_rule *m = &mo->rules[r];
      sb_puts(b, r ? "; <code>" : "<code>");
      sb_esc(b, m->id);
      sb_puts(b, "</code>: ");
      if (m->arm >= 0) {
        sb_esc(b, sc->arms[m->arm].id);
        sb_puts(b, "&#8217;s ");
      } else {
        sb_puts(b, "blinded ");
      }
      sb_esc(b, tsim_mon_measure_names[m->measure]);
      if (m->test == TSIM_MON_BINOMIAL) {
        sb_printf(b, " against the other sites (exact binomial, %s, level %.4g)", tsim_mon_direction_names[m->direction],
                  m->level);
      } else {
        sb_puts(b, " rate at least ");
        sb_num(b, m->rate);
      }
      sb_printf(b, " among at least %d patients%s", m->min_n, m->stop_enrolling ? ", <b>stops enrolling</b> there" : "");
    }
    sb_puts(b, ".</p>\n");
  }
}

static void endpoint_arm_value(sbuf *b, const tsim_scenario *sc, const tsim_endpoint *ep, int a) {
  for (int v = 0; v < ep->nvisits; v++) {
    if (v) sb_puts(b, ", ");
    if (ep->type == TSIM_EP_BINARY && ep->source < 0) sb_num(b, ep->resp_v[v][a]);
    else if (ep->type == TSIM_EP_BINARY) sb_printf(b, "%.4f", ep->resp_v[v][a]); /* implied at each visit */
    else sb_num(b, ep->mean_v[v][a]);
  }
  if (ep->type == TSIM_EP_CONTINUOUS) {
    sb_puts(b, " (SD ");
    sb_num(b, ep->sd[a]);
    sb_puts(b, ")");
  }
  (void)sc;
}

static void design_endpoints(sbuf *b, const tsim_scenario *sc) {
  sb_puts(b, "<table><tr><th>end point</th><th>type</th>");
  for (int a = 0; a < sc->narms; a++) {
    sb_puts(b, "<th>");
    sb_esc(b, sc->arms[a].id);
    sb_puts(b, "</th>");
  }
  if (sc->single_arm) sb_puts(b, "<th>p0</th>");
  sb_puts(b, "<th>better</th><th>visits (weeks)</th></tr>\n");
  for (int e = 0; e < sc->nendpoints; e++) {
    const tsim_endpoint *ep = &sc->endpoints[e];
    sb_puts(b, "<tr><td><code>");
    sb_esc(b, ep->id);
    sb_puts(b, "</code></td><td>");
    if (ep->source >= 0) {
      sb_puts(b, "responder: <code>");
      sb_esc(b, sc->endpoints[ep->source].id);
      sb_puts(b, ep->at_least ? "</code> &#8805; " : "</code> &#8804; ");
      sb_num(b, ep->threshold);
      sb_puts(b, " (rates implied)");
    } else {
      sb_puts(b, ep->type == TSIM_EP_BINARY ? "binary: response probability" : "continuous: mean (SD)");
    }
    if (ep->has_baseline) {
      sb_puts(b, "; baseline mean ");
      sb_num(b, ep->base_mean);
      sb_puts(b, ", SD ");
      sb_num(b, ep->base_sd);
      sb_puts(b, ", correlation ");
      sb_num(b, ep->base_corr);
    }
    sb_puts(b, "</td>");
    for (int a = 0; a < sc->narms; a++) {
      sb_puts(b, "<td class=\"num\">");
      endpoint_arm_value(b, sc, ep, a);
      sb_puts(b, "</td>");
    }
    if (sc->single_arm) {
      sb_puts(b, "<td class=\"num\">");
      if (isfinite(ep->p0)) sb_num(b, ep->p0);
      sb_puts(b, "</td>");
    }
    sb_printf(b, "<td>%s</td><td>", ep->higher_is_better ? "higher" : "lower");
    for (int v = 0; v < ep->nvisits; v++) {
      if (v) sb_puts(b, ", ");
      if (sc->visit_week[0] > 0) sb_num(b, sc->visit_week[ep->visits[v]]);
      else sb_puts(b, "one assessment");
    }
    sb_puts(b, "</td></tr>\n");
  }
  sb_puts(b, "</table>\n");
  int any = 0;
  for (int i = 0; i < sc->nendpoints; i++)
    for (int j = i + 1; j < sc->nendpoints; j++) {
      if (sc->corr[i][j] == 0) continue;
      sb_puts(b, any++ ? ", " : "<p><b>Latent correlations</b> within a patient: ");
      sb_esc(b, sc->endpoints[i].id);
      sb_puts(b, " &#8211; ");
      sb_esc(b, sc->endpoints[j].id);
      sb_puts(b, " ");
      sb_num(b, sc->corr[i][j]);
    }
  if (any) sb_puts(b, ".</p>\n");
  for (int g = 0; g < sc->nsubgroups; g++) {
    sb_puts(b, g ? ", " : "<p><b>Subgroups</b> (drawn independently of arm and outcomes): ");
    sb_esc(b, sc->subgroups[g].id);
    sb_puts(b, " prevalence ");
    sb_num(b, sc->subgroups[g].prevalence);
    if (g == sc->nsubgroups - 1) sb_puts(b, ".</p>\n");
  }
}

static void anomaly_sites(sbuf *b, const tsim_anomaly *an) {
  if (an->mode == TSIM_ANOM_LISTED) {
    sb_puts(b, an->nsites == 1 ? "site " : "sites ");
    for (int i = 0; i < an->nsites; i++) sb_printf(b, "%s%d", i ? ", " : "", an->sites[i]);
  } else if (an->mode == TSIM_ANOM_RANDOM_COUNT) {
    sb_printf(b, "%d site%s drawn at random in each trial", an->random_count, an->random_count == 1 ? "" : "s");
  } else {
    sb_puts(b, "each site with probability ");
    sb_num(b, an->site_probability);
    sb_puts(b, " in each trial");
  }
}

static void design_sites(sbuf *b, const tsim_scenario *sc) {
  if (sc->nsites <= 1 && sc->nanomalies == 0) {
    sb_puts(b, "<p>One centre: no sites, no site effects.</p>\n");
    return;
  }
  sb_printf(b, "<p>%d sites, enrollment %s, random site effect with SD ", sc->nsites,
            tsim_enroll_names[sc->enrollment]);
  sb_num(b, sc->heterogeneity_sd);
  sb_puts(b, " on the logit scale (a normal scale for continuous end points). ");
  int equal = 1;
  for (int s = 1; s < sc->nsites; s++) equal &= sc->site_weights[s] == sc->site_weights[0];
  sb_puts(b, equal ? "Every site enrolls with the same weight" : "Enrollment weights: ");
  for (int s = 0; s < sc->nsites && s < 200 && !equal; s++) {
    if (s) sb_puts(b, ", ");
    sb_printf(b, "%d: %.4g", s, sc->site_weights[s]);
  }
  if (sc->nsites > 200 && !equal) sb_printf(b, ", ... (%d sites)", sc->nsites);
  sb_puts(b, ".</p>\n");
  if (sc->nanomalies == 0) return;
  sb_puts(b, "<h3>Anomalous sites</h3>\n<table><tr><th>rule</th><th>where</th><th>arm</th>"
             "<th>end point</th><th>forced value</th></tr>\n");
  for (int i = 0; i < sc->nanomalies; i++) {
    const tsim_anomaly *an = &sc->anomalies[i];
    sb_printf(b, "<tr><td class=\"num\">%d</td><td>", i + 1);
    anomaly_sites(b, an);
    sb_puts(b, "</td><td>");
    sb_esc(b, sc->arms[an->arm].id);
    sb_puts(b, "</td><td>");
    if (an->endpoint >= 0) sb_esc(b, sc->endpoints[an->endpoint].id);
    else if (!an->enabled) sb_puts(b, "&#8212;"); /* its forced values are dropped when loaded */
    else if (!isfinite(an->mean)) sb_puts(b, "every binary end point");
    else if (!isfinite(an->response)) sb_puts(b, "every continuous end point");
    else sb_puts(b, "every end point");
    sb_puts(b, "</td><td>");
    /* A rule turned off: ordinary sites (its sites are still drawn, the same random numbers). */
    if (!an->enabled) sb_puts(b, "none: turned off (<code>\"enabled\": false</code>), ordinary sites");
    if (isfinite(an->response)) { sb_puts(b, "response "); sb_num(b, an->response); }
    if (isfinite(an->response) && isfinite(an->mean)) sb_puts(b, "; ");
    if (isfinite(an->mean)) { sb_puts(b, "mean "); sb_num(b, an->mean); }
    sb_puts(b, "</td></tr>\n");
  }
  sb_puts(b, "</table>\n");
}

/* The intercurrent events: per arm, the probability by the last visit (and by visit), what they
 * depend on, and what follows them. */
static void design_events(sbuf *b, const tsim_scenario *sc) {
  if (sc->nevents == 0) return;
  sb_puts(b, "<h3>Intercurrent events</h3>\n<table><tr><th>event</th><th>probability by the last visit</th>"
             "<th>depends on</th><th>after it</th><th>shift</th></tr>\n");
  for (int k = 0; k < sc->nevents; k++) {
    const tsim_event *ev = &sc->events[k];
    sb_puts(b, "<tr><td><code>");
    sb_esc(b, ev->id);
    sb_puts(b, "</code></td><td>");
    for (int a = 0; a < sc->narms; a++) {
      sb_puts(b, a ? "; " : "");
      sb_esc(b, sc->arms[a].id);
      sb_puts(b, " ");
      sb_printf(b, "%.4g", ev->by[sc->nvisits - 1][a]);
    }
    sb_puts(b, "</td><td>");
    if (ev->dep_endpoint >= 0) {
      sb_printf(b, "%.4g&#215; as likely for non-responders on ", ev->dep_ratio);
      sb_esc(b, sc->endpoints[ev->dep_endpoint].id);
    } else {
      sb_puts(b, "nothing (independent of the outcomes)");
    }
    sb_puts(b, "</td><td>");
    if (ev->after == TSIM_OFF_CONTROL) sb_puts(b, "the control arm&#8217;s values from the next visit");
    else if (ev->after == TSIM_OFF_WANE) sb_printf(b, "the effect wanes to control&#8217;s over %.4g weeks", ev->wane_weeks);
    else sb_puts(b, "its arm&#8217;s values, kept");
    sb_puts(b, "</td><td>");
    int any = 0;
    for (int e = 0; e < sc->nendpoints; e++)
      if (ev->shift[e] != 0) {
        sb_puts(b, any++ ? "; " : "");
        sb_esc(b, sc->endpoints[e].id);
        sb_printf(b, " %+.4g%s", ev->shift[e], sc->endpoints[e].type == TSIM_EP_BINARY ? " latent SD" : "");
      }
    if (!any) sb_puts(b, "none");
    sb_puts(b, "</td></tr>\n");
  }
  sb_puts(b, "</table>\n<p class=\"note\">Patients keep being assessed after an event (unlike a dropout). Under the "
             "null twin every arm has the control arm&#8217;s event probabilities. Each analysis&#8217;s strategy per "
             "event is in the analysis plan; the estimands table below says what each estimates.</p>\n");
}

static void analysis_population(sbuf *b, const tsim_scenario *sc, const tsim_analysis *an) {
  sb_puts(b, an->population == TSIM_POP_ITT ? "ITT" : "per protocol");
  static const char *const imp[] = {"under MAR (by arm)", "by jump to reference", "by copy increments in reference",
                                    "by copy reference"};
  if (an->test == TSIM_TEST_MMRM) {
    sb_puts(b, ", every observed value up to the visit (MMRM)");
  } else if (an->population == TSIM_POP_ITT && an->missing == TSIM_MISSING_MI) {
    sb_printf(b, ", missing values imputed %s, %d imputations pooled by Rubin&#8217;s rules", imp[an->imp_method],
              an->imp_m);
    if (an->imp_method != TSIM_IMP_MAR) {
      sb_puts(b, " (reference ");
      sb_esc(b, sc->arms[an->imp_ref].id);
      sb_puts(b, ")");
    }
    if (an->imp_delta != 0) {
      sb_puts(b, ", delta ");
      sb_num(b, an->imp_delta);
      sb_puts(b, " added to the experimental arms&#8217; imputed values");
    }
  } else if (an->population == TSIM_POP_ITT) {
    sb_puts(b, an->missing == TSIM_MISSING_NON_RESPONDER ? ", dropouts as non-responders"
               : an->missing == TSIM_MISSING_EXCLUDE   ? ", complete cases"
                                                        : ", last observation carried forward");
  }
  if (sc->nevents > 0) {
    sb_puts(b, "; intercurrent events: ");
    for (int e = 0; e < sc->nevents; e++) {
      sb_puts(b, e ? ", " : "");
      sb_esc(b, sc->events[e].id);
      sb_puts(b, " ");
      sb_puts(b, tsim_strategy_names[an->strategy[e]]);
    }
  }
  if (an->exclude) {
    int nx = 0;
    for (int s = 0; s < sc->nsites; s++) nx += an->exclude[s] != 0;
    sb_puts(b, nx == 1 ? "; without site " : "; without sites ");
    for (int s = 0, k = 0; s < sc->nsites; s++)
      if (an->exclude[s]) sb_printf(b, "%s%d", k++ ? ", " : "", s);
    sb_puts(b, " (prespecified)");
  }
  if (an->has_where) {
    sb_puts(b, "; without every site where ");
    sb_esc(b, sc->arms[an->where_arm].id);
    sb_puts(b, "&#8217;s observed response is at least ");
    sb_num(b, an->where_rate);
    sb_printf(b, " with at least %d patients (after unblinding)", an->where_min);
  }
  if (an->exclude_flagged) {
    sb_puts(b, "; without the sites flagged by ");
    for (int r = 0, k = 0; r < sc->monitoring.nrules; r++)
      if ((an->exclude_flagged >> r) & 1u) {
        sb_puts(b, k++ ? ", " : "");
        sb_esc(b, sc->monitoring.rules[r].id);
      }
    sb_puts(b, " by its look (site monitoring)");
  }
  if (an->subgroup >= 0) {
    sb_puts(b, "; subgroup ");
    sb_esc(b, sc->subgroups[an->subgroup].id);
  }
}

static void design_analyses(sbuf *b, const tsim_scenario *sc) {
  sb_puts(b, "<table><tr><th>analysis</th><th>end point</th><th>population</th><th>test</th>"
             "<th>alpha</th><th>sided (or hypothesis)</th></tr>\n");
  for (int i = 0; i < sc->nanalyses; i++) {
    const tsim_analysis *an = &sc->analyses[i];
    const tsim_endpoint *ep = &sc->endpoints[an->endpoint];
    sb_puts(b, "<tr><td><code>");
    sb_esc(b, an->id);
    sb_puts(b, "</code></td><td>");
    sb_esc(b, ep->id);
    if (sc->visit_week[0] > 0) {
      sb_puts(b, " at week ");
      sb_num(b, sc->visit_week[ep->visits[an->visit]]);
    }
    sb_puts(b, "</td><td>");
    analysis_population(b, sc, an);
    sb_printf(b, "</td><td>%s</td><td class=\"num\">", tsim_test_names[an->test]);
    sb_num(b, an->alpha);
    if (an->hypothesis == TSIM_HYPO_SUPERIORITY) {
      sb_printf(b, "</td><td class=\"nw\">%s</td></tr>\n", an->sided == 1 ? "one-sided" : "two-sided");
      continue;
    }
    /* A margin: what H1 claims, each one-sided test's level. */
    int hb = ep->higher_is_better, eq = an->hypothesis == TSIM_HYPO_EQUIVALENCE;
    sb_printf(b, "</td><td>%s: %s ", eq ? "equivalence" : "non-inferiority", tsim_measure_names[an->measure]);
    if (eq) {
      sb_puts(b, "in (");
      sb_num(b, an->margin[0]);
      sb_puts(b, ", ");
      sb_num(b, an->margin[1]);
      sb_puts(b, ")");
    } else {
      sb_puts(b, hb ? "&gt; " : "&lt; ");
      sb_num(b, an->margin[0]);
    }
    sb_puts(b, ", one-sided level ");
    sb_num(b, an->level);
    sb_puts(b, eq ? " each side</td></tr>\n" : "</td></tr>\n");
  }
  sb_puts(b, "</table>\n");
  int margins = 0;
  for (int i = 0; i < sc->nanalyses; i++) margins |= sc->analyses[i].hypothesis != TSIM_HYPO_SUPERIORITY;
  if (margins)
    sb_puts(b, "<p class=\"note\">Analyses against a margin test, one-sided, the claim shown (experimental "
               "arm against control) against its negation; equivalence tests both sides. Their null twin puts "
               "the experimental arm at the margin.</p>\n");
  if (sc->nprocedures == 0) return;
  sb_puts(b, "<h3>Multiplicity procedures</h3>\n<table><tr><th>procedure</th><th>method</th>"
             "<th>analyses, in order</th><th>family alpha</th></tr>\n");
  for (int q = 0; q < sc->nprocedures; q++) {
    const tsim_procedure *pr = &sc->procedures[q];
    sb_puts(b, "<tr><td><code>");
    sb_esc(b, pr->id);
    sb_printf(b, "</code></td><td>%s</td><td>", tsim_mult_names[pr->method]);
    for (int i = 0; i < pr->nmembers; i++) {
      if (i) sb_puts(b, pr->method == TSIM_MULT_FIXED_SEQUENCE ? " &#8594; " : ", ");
      sb_esc(b, sc->analyses[pr->members[i]].id);
    }
    sb_puts(b, "</td><td class=\"num\">");
    if (pr->method == TSIM_MULT_FIXED_SEQUENCE) sb_puts(b, "each member at its own alpha");
    else sb_num(b, pr->alpha);
    sb_puts(b, "</td></tr>\n");
  }
  sb_puts(b, "</table>\n");
}

/* sets_applied: the record's --set values are in sc (run, size), not a sweep's grid. */
static void scenario_section(sbuf *b, const tsim_scenario *sc, const tsim_html_record *r,
                             int sets_applied, const char *null_twin) {
  sb_puts(b, "<h2 id=\"design\">What was simulated</h2>\n<p>Scenario <b>");
  sb_esc(b, sc->name);
  sb_puts(b, "</b> from <code>");
  sb_esc(b, sc->file);
  sb_puts(b, "</code>. Where its numbers come from, as the scenario file&#8217;s own description "
             "says (quoted in full; for the scenarios shipped with trialsim, "
             "<code>scenarios/PROVENANCE.md</code> in its sources says the same at length):</p>\n");
  description(b, sc->description);
  for (int i = 0; i < r->nsets && sets_applied; i++) {
    sb_puts(b, i ? "</code>, <code>" : "<p><b>Changed on the command line</b> (<code>--set</code>, "
                                       "before validation; the tables below include it): <code>");
    sb_esc(b, r->sets[i]);
    if (i == r->nsets - 1) sb_puts(b, "</code>.</p>\n");
  }
  sb_puts(b, "<h3>Design</h3>\n");
  design_arms(b, sc);
  sb_puts(b, "<h3>End points</h3>\n<p class=\"note\">Response probabilities and means of patients "
             "who are assessed, outside anomalous sites, before site effects; one value per visit.</p>\n");
  design_endpoints(b, sc);
  sb_puts(b, "<h3>Sites</h3>\n");
  design_sites(b, sc);
  design_events(b, sc);
  sb_puts(b, "<h3>Analysis plan</h3>\n");
  design_analyses(b, sc);
  if (null_twin) {
    sb_puts(b, "<p class=\"note\"><b>Null twin</b> (where type I error is estimated): ");
    sb_esc(b, null_twin);
    sb_puts(b, ".</p>\n");
  }
}

/* ---- operating characteristics ------------------------------------------------------------- */

/* The rejections favouring control under hypothesis object h ("/analyses/0/null"): the result
 * set's own key when it has one, else reject - reject_favouring. Returns 1 when it was computed. */
static int control_direction(page *pg, const char *h, int with_ci) {
  char ptr[1024];
  snprintf(ptr, sizeof ptr, "%.900s/reject_favouring_control", h);
  if (has(pg, ptr)) {
    if (with_ci) {
      estimate_cells(pg, ptr, 0);
    } else {
      sb_puts(&pg->b, "<td class=\"num\">");
      num(pg, 4, "%s/estimate", ptr);
      sb_puts(&pg->b, "</td>");
    }
    return 0;
  }
  char a[1024], f[1024];
  snprintf(a, sizeof a, "%.900s/reject/estimate", h);
  snprintf(f, sizeof f, "%.900s/reject_favouring/estimate", h);
  sb_puts(&pg->b, "<td class=\"num\">");
  num_minus(pg, 4, a, f);
  sb_puts(&pg->b, "</td>");
  return 1;
}

/* The same as text inside a cell: the estimate only. */
static int control_direction_text(page *pg, const char *h) {
  char ptr[1024], f[1024];
  snprintf(ptr, sizeof ptr, "%s/reject_favouring_control/estimate", h);
  if (has(pg, ptr)) {
    num_at(pg, ptr, 4);
    return 0;
  }
  snprintf(ptr, sizeof ptr, "%s/reject/estimate", h);
  snprintf(f, sizeof f, "%s/reject_favouring/estimate", h);
  num_minus(pg, 4, ptr, f);
  return 1;
}

/* A row label: the comparison's id. */
static void id_cell(page *pg, const char *an) {
  const cJSON *o = jptr(pg->root, an);
  sb_puts(&pg->b, "<td><code>");
  sb_esc(&pg->b, jstr(o, "id"));
  sb_puts(&pg->b, "</code></td>");
}

static int array_size(const page *pg, const char *ptr) {
  const cJSON *a = jptr(pg->root, ptr);
  return cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
}

/* The trials in which analysis `an` (a pointer) gave no result, of `trials`, under each
 * hypothesis (its difference's trials_defined): 1 when some did. */
static int no_result(const page *pg, const char *an, double trials, long long miss[2]) {
  for (int h = 0; h < 2; h++) {
    char key[1100];
    snprintf(key, sizeof key, "%s/%s/difference/trials_defined", an, h ? "null" : "alternative");
    const cJSON *v = jptr(pg->root, key);
    miss[h] = cJSON_IsNumber(v) ? (long long)(trials - v->valuedouble) : 0;
  }
  return miss[0] > 0 || miss[1] > 0;
}

/* The end of a "No result" note: " for <id> in ... not significant.", the paragraph closed. */
static void no_result_tail(page *pg, const char *an, double trials, const long long miss[2]) {
  sbuf *b = &pg->b;
  sb_puts(b, " for <code>");
  sb_esc(b, jstr(jptr(pg->root, an), "id"));
  sb_printf(b, "</code> in %lld of %.0f trials under the scenario and %lld under the null twin (an arm "
               "without analysed patients, or a model that could not be fitted): they count as not "
               "significant.</p>\n", miss[0], trials, miss[1]);
}

/* The three tables of a run's analyses (arr: the pointer of the "analyses" array). */
/* Analyses against a margin: the null twin's difference, the type I error at each equivalence
 * margin, and the intervals' coverage of the true value under both hypotheses. */
static void margins_table(page *pg, const char *arr, int n) {
  sbuf *b = &pg->b;
  char an[1024];
  int any = 0;
  for (int k = 0; k < n && !any; k++) {
    snprintf(an, sizeof an, "%s/%d/hypothesis", arr, k);
    any = has(pg, an);
  }
  if (!any) return;
  sb_puts(b, "<h3>Non-inferiority and equivalence</h3>\n<table><tr><th>analysis</th><th>null twin: "
             "difference</th><th>type I error at the lower / upper margin</th><th>true value</th>"
             "<th>coverage under the scenario [95% CI]</th><th>null twin: true value</th>"
             "<th>coverage under the null twin [95% CI]</th></tr>\n");
  for (int k = 0; k < n; k++) {
    snprintf(an, sizeof an, "%s/%d", arr, k);
    char hp[1100];
    snprintf(hp, sizeof hp, "%s/hypothesis", an);
    if (!has(pg, hp)) continue;
    sb_puts(b, "<tr>");
    id_cell(pg, an);
    sb_puts(b, "<td class=\"num\">");
    num(pg, 4 | SIGNED, "%s/null/difference/nominal", an);
    sb_puts(b, "</td><td class=\"num\">");
    snprintf(hp, sizeof hp, "%s/type1_error_lower_margin", an);
    if (has(pg, hp)) {
      num(pg, 4, "%s/type1_error_lower_margin/estimate", an);
      sb_puts(b, " / ");
      num(pg, 4, "%s/type1_error_upper_margin/estimate", an);
    } else {
      sb_puts(b, "<span class=\"na\">&#8211;</span>");
    }
    sb_puts(b, "</td>");
    for (int h = 0; h < 2; h++) {
      const char *hy = h ? "null" : "alternative";
      sb_puts(b, "<td class=\"num\">");
      num(pg, 4, "%s/%s/interval/true_value", an, hy);
      sb_puts(b, "</td>");
      snprintf(hp, sizeof hp, "%s/%s/interval/coverage", an, hy);
      if (cJSON_IsObject(jptr(pg->root, hp))) estimate_cells(pg, hp, 0);
      else sb_puts(b, "<td><span class=\"na\">no interval</span></td>");
    }
    sb_puts(b, "</tr>\n");
  }
  sb_puts(b, "</table>\n<p class=\"note\">The null twin puts the experimental arm at the margin; its "
             "difference from control is shown (for equivalence, at the margin whose null rejects more "
             "often, the type I error reported). Coverage: the share of trials whose two-sided "
             "1 &#8722; 2&#215;level interval held the measure&#8217;s true value (the arms&#8217; "
             "values; an ITT analysis with non-responder imputation estimates another quantity, and "
             "falls short by design). Farrington&#8211;Manning has no interval.</p>\n");
}

/* Intercurrent events: what each analysis estimates - its strategies, the estimand's true value,
 * the bias of its mean estimate, and its interval's coverage under both hypotheses. */
static void estimands_table(page *pg, const char *arr, int n) {
  sbuf *b = &pg->b;
  char an[1024], hp[1100];
  snprintf(hp, sizeof hp, "%s/0/estimand", arr);
  if (n == 0 || !has(pg, hp)) return;
  sb_puts(b, "<h3>Estimands</h3>\n<table><tr><th>analysis</th><th>strategy per intercurrent event</th>"
             "<th>true value</th><th>its SE</th><th>mean estimate</th><th>bias</th><th>its MCSE</th><th>bias / SD</th>"
             "<th>coverage under the scenario [95% CI]</th><th>coverage under the null twin [95% CI]</th></tr>\n");
  for (int k = 0; k < n; k++) {
    snprintf(an, sizeof an, "%s/%d", arr, k);
    sb_puts(b, "<tr>");
    id_cell(pg, an);
    sb_puts(b, "<td>");
    snprintf(hp, sizeof hp, "%s/estimand/strategy", an);
    const cJSON *st = jptr(pg->root, hp);
    for (const cJSON *e = st ? st->child : NULL; e; e = e->next) {
      sb_esc(b, e->string);
      sb_puts(b, ": ");
      sb_esc(b, cJSON_IsString(e) ? e->valuestring : "");
      if (e->next) sb_puts(b, "<br>");
    }
    sb_puts(b, "</td><td class=\"num\">");
    num(pg, 4 | SIGNED, "%s/estimand/alternative/true_value", an);
    sb_puts(b, "</td><td class=\"num\">");
    num(pg, 4, "%s/estimand/alternative/true_value_se", an);
    sb_puts(b, "</td><td class=\"num\">");
    num(pg, 4 | SIGNED, "%s/estimand/alternative/mean_estimate", an);
    sb_puts(b, "</td><td class=\"num\">");
    num(pg, 4 | SIGNED, "%s/estimand/alternative/bias", an);
    sb_puts(b, "</td><td class=\"num\">");
    num(pg, 4, "%s/estimand/alternative/bias_se", an);
    sb_puts(b, "</td><td class=\"num\">");
    num(pg, 2 | SIGNED, "%s/estimand/alternative/standardised_bias", an);
    sb_puts(b, "</td>");
    for (int h = 0; h < 2; h++) {
      snprintf(hp, sizeof hp, "%s/estimand/%s/coverage", an, h ? "null" : "alternative");
      if (cJSON_IsObject(jptr(pg->root, hp))) estimate_cells(pg, hp, 0);
      else sb_puts(b, "<td><span class=\"na\">no interval</span></td>");
    }
    sb_puts(b, "</tr>\n");
  }
  sb_puts(b, "</table>\n<p class=\"note\">ICH E9(R1) estimands. True value: the difference (experimental "
             "&#8722; control) in the variable the analysis&#8217;s strategies define, over every randomised "
             "patient with every intercurrent event and no missing value - exact from the model where it "
             "has a closed form (SE 0), else from a large simulated population (its SE). Bias: mean estimate "
             "&#8722; true value, with its Monte Carlo SE (the mean estimate&#8217;s and the true "
             "value&#8217;s; bias over its MCSE grows with the trials: it says whether a bias is real, not "
             "whether it matters). Bias / SD: the bias over the SD of the estimates across trials "
             "(standardised bias; within &#177;0.1 small beside the estimate&#8217;s own error, beyond "
             "&#177;0.4 large). Coverage: the share of trials whose interval of the "
             "difference (1 &#8722; alpha, one-sided 1 &#8722; 2&#215;alpha; Newcombe&#8217;s for rates, the "
             "analysis&#8217;s own for means) "
             "held the true value (under the null twin, its own true value: 0 unless anomalies keep the arms apart). An analysis whose bias is many "
             "MCSEs from 0 does not estimate the estimand its strategies name.</p>\n");
}

static void oc_tables(page *pg, const char *arr) {
  sbuf *b = &pg->b;
  int n = array_size(pg, arr), computed = 0;
  char an[1024];
  sb_puts(b, "<h3>Power and type I error</h3>\n<table><tr><th>analysis</th>"
             "<th>power [95% CI]</th><th>MCSE</th><th>type I error [95% CI]</th><th>MCSE</th></tr>\n");
  for (int k = 0; k < n; k++) {
    snprintf(an, sizeof an, "%s/%d", arr, k);
    sb_puts(b, "<tr>");
    id_cell(pg, an);
    snprintf(an, sizeof an, "%s/%d/power", arr, k);
    estimate_cells(pg, an, 1);
    snprintf(an, sizeof an, "%s/%d/type1_error", arr, k);
    estimate_cells(pg, an, 1);
    sb_puts(b, "</tr>\n");
  }
  sb_puts(b, "</table>\n<p class=\"note\">Rejection rates (p &lt; alpha; two-sided unless the plan "
             "says one-sided) under the scenario (power) and under its null twin (type I error). "
             "MCSE: Monte Carlo standard error; the intervals are 95% Wilson intervals of the Monte "
             "Carlo error.</p>\n");
  /* A single arm is judged against p0: its rejections favour the arm, or go against it. */
  int single = cJSON_IsNull(jptr(pg->root, "/analyses/0/control"));
  const char *fav = single ? "favouring the arm" : "favouring experimental";
  const char *ctl = single ? "against the arm (p0 better)" : "favouring control";
  sb_printf(b, "<h3>Direction of the rejections</h3>\n<table><tr><th rowspan=\"2\">analysis</th>"
               "<th colspan=\"2\">scenario (power)</th><th colspan=\"2\">null twin (type I error)</th></tr>\n"
               "<tr><th>%s</th><th>%s</th><th>%s [95%% CI]</th><th>%s</th></tr>\n", fav, ctl, fav, ctl);
  for (int k = 0; k < n; k++) {
    snprintf(an, sizeof an, "%s/%d", arr, k);
    sb_puts(b, "<tr>");
    id_cell(pg, an);
    sb_puts(b, "<td class=\"num\">");
    num(pg, 4, "%s/%d/alternative/reject_favouring/estimate", arr, k);
    sb_puts(b, "</td>");
    snprintf(an, sizeof an, "%s/%d/alternative", arr, k);
    computed |= control_direction(pg, an, 0);
    snprintf(an, sizeof an, "%s/%d/null/reject_favouring", arr, k);
    estimate_cells(pg, an, 0);
    snprintf(an, sizeof an, "%s/%d/null", arr, k);
    computed |= control_direction(pg, an, 1);
    sb_puts(b, "</tr>\n");
  }
  sb_puts(b, "</table>\n<p class=\"note\">Favouring: significant with the difference in the "
             "end point&#8217;s better direction (higher_is_better). A type I error that favours "
             "control is not a false claim for the experimental arm: with anomalous sites most of "
             "an ITT analysis&#8217;s null rejections can be of this kind. A prespecified one-sided "
             "test at 0.025 would spend at most 0.025 favouring the experimental arm.");
  if (computed)
    sb_printf(b, " <i>%s</i> is all rejections minus those %s (the result set has no key of its "
                 "own for it).", ctl, fav);
  sb_puts(b, "</p>\n");
  sb_puts(b, "<h3>Patients analysed and estimated difference</h3>\n<table><tr><th>analysis</th>"
             "<th>mean N</th><th>mean N control</th><th>mean N arm</th><th>sites dropped</th>"
             "<th>mean difference</th><th>MCSE</th><th>SD</th><th>nominal</th><th>mean &#8722; nominal</th>"
             "<th>null twin: mean difference</th></tr>\n");
  for (int k = 0; k < n; k++) {
    snprintf(an, sizeof an, "%s/%d", arr, k);
    sb_puts(b, "<tr>");
    id_cell(pg, an);
    static const char *const keys[] = {"mean_n", "mean_n_control", "mean_n_arm", "mean_sites_dropped"};
    for (int i = 0; i < 4; i++) {
      sb_puts(b, "<td class=\"num\">");
      num(pg, i == 3 ? 2 : 1, "%s/alternative/%s", an, keys[i]);
      sb_puts(b, "</td>");
    }
    static const char *const dk[] = {"mean", "mcse", "sd", "nominal", "bias"};
    for (int i = 0; i < 5; i++) {
      sb_puts(b, "<td class=\"num\">");
      num(pg, i == 1 ? 5 : (4 | (i == 0 || i == 4 ? SIGNED : 0)), "%s/alternative/difference/%s", an, dk[i]);
      sb_puts(b, "</td>");
    }
    sb_puts(b, "<td class=\"num\">");
    num(pg, 4 | SIGNED, "%s/null/difference/mean", an);
    sb_puts(b, "</td></tr>\n");
  }
  sb_puts(b, "</table>\n<p class=\"note\">Means over the simulated trials under the scenario. "
             "Difference: experimental &#8722; control, in response rates, or in means for a "
             "continuous end point (ANCOVA: adjusted); a single arm&#8217;s is its rate &#8722; p0. "
             "Nominal: the difference the scenario states for patients outside anomalous sites, before "
             "dropout (with intercurrent events: the estimand&#8217;s true value); mean &#8722; nominal "
             "(<code>bias</code> in summary.json): how far the analysis&#8217;s population, its handling of "
             "missing values and the sites&#8217; anomalies move the estimate from it - an estimand&#8217;s "
             "bias only with intercurrent events.</p>\n");
  /* Trials in which an analysis gave no result count as not significant: say so, as the console. */
  const cJSON *tr = jptr(pg->root, "/trials");
  for (int k = 0; k < n && cJSON_IsNumber(tr); k++) {
    long long miss[2];
    snprintf(an, sizeof an, "%s/%d", arr, k);
    if (!no_result(pg, an, tr->valuedouble, miss)) continue;
    sb_puts(b, "<p class=\"note\"><b>No result</b>");
    no_result_tail(pg, an, tr->valuedouble, miss);
  }
  margins_table(pg, arr, n);
  estimands_table(pg, arr, n);
}

static int plot(page *pg, const char *dir, const char *name, const char *caption, int index);

/* Calendar time: with interim looks, per analysis its looks (boundaries, stopping shares under
 * both hypotheses); with accrual, the expected patients randomised and months. */
static void looks_tables(page *pg, const char *dir) {
  sbuf *b = &pg->b;
  int n = array_size(pg, "/analyses");
  char an[1024];
  if (n == 0 || !has(pg, "/analyses/0/alternative/expected_n")) return;
  int looks = has(pg, "/analyses/0/looks");
  sb_puts(b, looks ? "<h2 id=\"looks\">Interim looks and calendar time</h2>\n"
                   : "<h2 id=\"looks\">Calendar time</h2>\n");
  if (looks) {
    plot(pg, dir, "looks", "Share of trials stopped by each look, for efficacy and for any reason", 2);
    int months = cJSON_IsNumber(jptr(pg->root, "/analyses/0/looks/0/month"));
    sb_printf(b, "<table><tr><th rowspan=\"2\">analysis</th><th rowspan=\"2\">look</th>"
               "<th rowspan=\"2\">information</th>%s<th rowspan=\"2\">efficacy z</th><th rowspan=\"2\">futility z</th>",
              months ? "<th rowspan=\"2\">held</th>" : "");
    sb_puts(b, ""
               "<th colspan=\"3\">scenario: stopped there</th><th colspan=\"3\">null twin: stopped there</th></tr>\n"
               "<tr><th>efficacy</th><th>futility</th><th>all</th><th>efficacy</th><th>futility</th><th>all</th></tr>\n");
    for (int k = 0; k < n; k++) {
      snprintf(an, sizeof an, "/analyses/%d", k);
      int nl = array_size(pg, "/analyses/0/looks");
      for (int l = 0; l < nl; l++) {
        sb_puts(b, "<tr>");
        if (l == 0) id_cell(pg, an);
        else sb_puts(b, "<td></td>");
        sb_printf(b, "<td class=\"num\">%d</td><td class=\"num\">", l + 1);
        num(pg, 4, "%s/alternative/looks/%d/mean_information", an, l);
        if (months) {
          sb_puts(b, "</td><td class=\"num\">");
          num(pg, 4, "%s/alternative/looks/%d/held", an, l);
        }
        sb_puts(b, "</td><td class=\"num\">");
        num(pg, 4, "%s/looks/%d/efficacy_z", an, l);
        sb_puts(b, "</td><td class=\"num\">");
        num(pg, 4, "%s/looks/%d/futility_z", an, l);
        sb_puts(b, "</td>");
        for (int h = 0; h < 2; h++) {
          static const char *const keys[] = {"stop_efficacy", "stop_futility", "stop"};
          for (int i = 0; i < 3; i++) {
            sb_puts(b, "<td class=\"num\">");
            num(pg, 4, "%s/%s/looks/%d/%s/estimate", an, h ? "null" : "alternative", l, keys[i]);
            sb_puts(b, "</td>");
          }
        }
        sb_puts(b, "</tr>\n");
      }
    }
    sb_puts(b, "</table>\n<p class=\"note\">Each analysis is decided as a group-sequential test of its "
               "own: it stops at the first look where it crosses its efficacy boundary (H0 rejected) "
               "or, at an interim, its futility bound. Information: the share of the sample size "
               "assessed at the look (mean over the trials that held it); held: the share of trials "
               "holding a look by month (none is held where no more patients are assessed than at "
               "the look before, or all already are). A dash: no bound (or, for looks by month, "
               "boundaries computed per trial at the information it reached).</p>\n");
  }
  sb_puts(b, "<table><tr><th>analysis</th><th>scenario: patients randomised</th><th>months</th>"
             "<th>null twin: patients randomised</th><th>months</th></tr>\n");
  for (int k = 0; k < n; k++) {
    snprintf(an, sizeof an, "/analyses/%d", k);
    sb_puts(b, "<tr>");
    id_cell(pg, an);
    for (int h = 0; h < 2; h++) {
      sb_puts(b, "<td class=\"num\">");
      num(pg, 1, "%s/%s/expected_n/estimate", an, h ? "null" : "alternative");
      sb_puts(b, "</td><td class=\"num\">");
      num(pg, 1, "%s/%s/expected_months/estimate", an, h ? "null" : "alternative");
      sb_puts(b, "</td>");
    }
    sb_puts(b, "</tr>\n");
  }
  sb_puts(b, "</table>\n<p class=\"note\">Means over the simulated trials: the patients randomised "
             "when the analysis&#8217;s trial ended, and the months from the first randomisation to "
             "its decision.</p>\n");
}

/* Site monitoring: per rule, detection and false alarms under both hypotheses, then per site. */
static void monitoring_tables(page *pg, const char *dir) {
  sbuf *b = &pg->b;
  int nr = array_size(pg, "/monitoring/rules");
  if (nr == 0) return;
  char r[256];
  int at_looks = has(pg, "/monitoring/schedule/at_looks"), nc = array_size(pg, "/monitoring/checks");
  sb_puts(b, "<h2 id=\"monitoring\">Site monitoring</h2>\n<p>Checked ");
  if (at_looks) {
    sb_puts(b, "at every interim look");
  } else {
    sb_puts(b, "every ");
    num(pg, 0, "/monitoring/schedule/every_patients");
    sb_puts(b, " patients randomised");
  }
  sb_printf(b, " (%d checks; the last at ", nc);
  num(pg, 1, "/monitoring/checks/%d/mean_patients", nc - 1);
  sb_puts(b, " patients and month ");
  num(pg, 1, "/monitoring/checks/%d/mean_month", nc - 1);
  sb_puts(b, " on average). Trials with an anomalous site: ");
  num(pg, 0, "/monitoring/trials_with_anomalous_site");
  sb_puts(b, ".</p>\n");
  plot(pg, dir, "monitoring", "Share of trials in which each rule has flagged an anomalous site, and an honest one, by each check", 3);
  sb_puts(b, "<table><tr><th rowspan=\"2\">rule</th><th rowspan=\"2\">reads</th><th rowspan=\"2\">test</th>"
             "<th colspan=\"4\">scenario</th><th colspan=\"4\">null twin</th></tr>\n<tr>");
  for (int h = 0; h < 2; h++)
    sb_puts(b, "<th>detection</th><th>all anomalous flagged</th><th>any false alarm</th><th>honest site flagged</th>");
  sb_puts(b, "</tr>\n");
  for (int i = 0; i < nr; i++) {
    snprintf(r, sizeof r, "/monitoring/rules/%d", i);
    const cJSON *o = jptr(pg->root, r);
    sb_puts(b, "<tr>");
    id_cell(pg, r);
    sb_puts(b, "<td>");
    sb_esc(b, jstr(o, "reads"));
    sb_puts(b, " ");
    sb_esc(b, jstr(o, "measure"));
    sb_puts(b, "</td><td>");
    if (jstr(o, "direction")) {
      sb_puts(b, "binomial, ");
      sb_esc(b, jstr(o, "direction"));
      sb_puts(b, ", level ");
      num(pg, 6, "%s/level", r);
    } else {
      sb_puts(b, "rate &#8805; ");
      num(pg, 4, "%s/rate_at_least", r);
    }
    sb_puts(b, ", at least ");
    num(pg, 0, "%s/min_patients", r);
    if (cJSON_IsTrue(jptr(pg->root, r) ? cJSON_GetObjectItemCaseSensitive(jptr(pg->root, r), "stop_enrolling") : NULL))
      sb_puts(b, "; <b>stops enrolling</b> at the sites it flags");
    sb_puts(b, "</td>");
    for (int h = 0; h < 2; h++) {
      static const char *const keys[] = {"detection/estimate", "all_anomalous_flagged/estimate",
                                         "any_false_alarm/estimate", "honest_site_flagged"};
      for (int q = 0; q < 4; q++) {
        sb_puts(b, "<td class=\"num\">");
        num(pg, 4, "%s/%s/%s", r, h ? "null" : "alternative", keys[q]);
        sb_puts(b, "</td>");
      }
    }
    sb_puts(b, "</tr>\n");
  }
  sb_puts(b, "</table>\n<p class=\"note\">Detection: the share of trials with an anomalous site in which "
             "the rule flagged one (all anomalous flagged: every one). Any false alarm: the share of trials "
             "in which it flagged a site with no anomaly; honest site flagged: the share of (trial, site) "
             "pairs of such sites flagged. A dash: no trial had an anomalous site.</p>\n");
  if (nc <= 40) {
    sb_puts(b, "<table><tr><th rowspan=\"2\">rule</th><th rowspan=\"2\">check</th><th rowspan=\"2\">mean patients</th>"
               "<th rowspan=\"2\">mean month</th><th colspan=\"3\">scenario, by then</th><th colspan=\"3\">null twin, by then</th></tr>\n<tr>");
    for (int h = 0; h < 2; h++) sb_puts(b, "<th>detection</th><th>all anomalous flagged</th><th>any false alarm</th>");
    sb_puts(b, "</tr>\n");
    for (int i = 0; i < nr; i++)
      for (int c = 0; c < nc; c++) {
        snprintf(r, sizeof r, "/monitoring/rules/%d", i);
        sb_puts(b, "<tr>");
        if (c == 0) id_cell(pg, r);
        else sb_puts(b, "<td></td>");
        sb_printf(b, "<td class=\"num\">%d</td><td class=\"num\">", c + 1);
        num(pg, 1, "/monitoring/checks/%d/mean_patients", c);
        sb_puts(b, "</td><td class=\"num\">");
        num(pg, 1, "/monitoring/checks/%d/mean_month", c);
        sb_puts(b, "</td>");
        for (int h = 0; h < 2; h++) {
          static const char *const keys[] = {"detection", "all_anomalous_flagged", "any_false_alarm"};
          for (int q = 0; q < 3; q++) {
            sb_puts(b, "<td class=\"num\">");
            num(pg, 4, "%s/%s/by_check/%d/%s", r, h ? "null" : "alternative", c, keys[q]);
            sb_puts(b, "</td>");
          }
        }
        sb_puts(b, "</tr>\n");
      }
    sb_puts(b, "</table>\n<p class=\"note\">By each check: the same shares counting only the flags raised by "
               "then (cumulative); mean patients randomised and months from the first randomisation at the check.</p>\n");
  }
  int ns = array_size(pg, "/monitoring/rules/0/alternative/sites");
  if (ns > 50) {
    sb_printf(b, "<p>Per site (%d sites): <code>monitoring.csv</code>.</p>\n", ns);
    return;
  }
  sb_puts(b, "<table><tr><th rowspan=\"2\">rule</th><th rowspan=\"2\">site</th>"
             "<th rowspan=\"2\">trials anomalous</th><th colspan=\"4\">scenario</th>"
             "<th colspan=\"4\">null twin</th></tr>\n<tr>");
  for (int h = 0; h < 2; h++)
    sb_puts(b, "<th>flagged when anomalous</th><th>false alarm</th><th>mean patients at flag</th><th>trials flagged</th>");
  sb_puts(b, "</tr>\n");
  for (int i = 0; i < nr; i++)
    for (int st = 0; st < ns; st++) {
      snprintf(r, sizeof r, "/monitoring/rules/%d", i);
      sb_puts(b, "<tr>");
      if (st == 0) id_cell(pg, r);
      else sb_puts(b, "<td></td>");
      sb_printf(b, "<td class=\"num\">%d</td><td class=\"num\">", st);
      num(pg, 0, "%s/alternative/sites/%d/anomalous_trials", r, st);
      sb_puts(b, "</td>");
      for (int h = 0; h < 2; h++) {
        const char *hy = h ? "null" : "alternative";
        sb_puts(b, "<td class=\"num\">");
        num(pg, 4, "%s/%s/sites/%d/flagged_when_anomalous/estimate", r, hy, st);
        sb_puts(b, "</td><td class=\"num\">");
        num(pg, 4, "%s/%s/sites/%d/false_alarm/estimate", r, hy, st);
        sb_puts(b, "</td><td class=\"num\">");
        num(pg, 1, "%s/%s/sites/%d/mean_patients_at_flag", r, hy, st);
        sb_puts(b, "</td><td class=\"num\">");
        num(pg, 0, "%s/%s/sites/%d/flagged_trials", r, hy, st);
        sb_puts(b, "</td>");
      }
      sb_puts(b, "</tr>\n");
    }
  sb_puts(b, "</table>\n<p class=\"note\">Per site: the share of the trials in which it was anomalous that "
             "flagged it, the share of the others that did (its false-alarm rate), the mean patients "
             "randomised in the trial by the check that first flagged it, and over how many trials that "
             "mean is.</p>\n");
}

static void joint_table(page *pg) {
  sbuf *b = &pg->b;
  int n = array_size(pg, "/joint");
  if (n == 0) return;
  static const char *const cols[] = {"both", "only_first", "only_second", "neither"};
  sb_puts(b, "<h3 id=\"joint\">Joint decisions of pairs of analyses</h3>\n<table><tr><th rowspan=\"2\">"
             "first</th><th rowspan=\"2\">second</th><th colspan=\"4\">scenario</th>"
             "<th colspan=\"4\">null twin</th></tr>\n<tr>");
  for (int h = 0; h < 2; h++)
    sb_puts(b, "<th>both</th><th>only first</th><th>only second</th><th>neither</th>");
  sb_puts(b, "</tr>\n");
  for (int p = 0; p < n; p++) {
    const cJSON *o = cJSON_GetArrayItem(jptr(pg->root, "/joint"), p);
    sb_puts(b, "<tr><td><code>");
    sb_esc(b, jstr(o, "first"));
    sb_puts(b, "</code></td><td><code>");
    sb_esc(b, jstr(o, "second"));
    sb_puts(b, "</code></td>");
    for (int h = 0; h < 2; h++)
      for (int c = 0; c < 4; c++) {
        sb_puts(b, "<td class=\"num\">");
        num(pg, 4, "/joint/%d/%s/%s/estimate", p, h ? "null" : "alternative", cols[c]);
        sb_puts(b, "</td>");
      }
    sb_puts(b, "</tr>\n");
  }
  const cJSON *trials = jptr(pg->root, "/trials");
  sb_printf(b, "</table>\n<p class=\"note\">Share of trials in which both analyses, only the "
               "first, only the second, or neither rejected. Each share&#8217;s MCSE is at most "
               "&#8730;(0.25 / trials) = %.4f (summary.json has every MCSE and 95%% interval). "
               "&#8220;Only second&#8221; for ITT / per-protocol is &#8220;ITT failed, per-protocol "
               "succeeded&#8221;.</p>\n",
            cJSON_IsNumber(trials) && trials->valuedouble > 0 ? sqrt(0.25 / trials->valuedouble) : NAN);
}

/* A cell with the estimate at pointer ptr + "/estimate", or a dash when the result set lacks it
 * (a summary.json of a version without direction). */
static void estimate_only_cell(page *pg, const char *ptr) {
  char e[320];
  snprintf(e, sizeof e, "%.300s/estimate", ptr);
  sb_puts(&pg->b, "<td class=\"num\">");
  if (has(pg, e)) num(pg, 4, "%s", e);
  else sb_puts(&pg->b, "&#8212;");
  sb_puts(&pg->b, "</td>");
}

static void multiplicity_tables(page *pg) {
  sbuf *b = &pg->b;
  int n = array_size(pg, "/multiplicity");
  if (n == 0) return;
  sb_puts(b, "<h3 id=\"mult\">Multiplicity procedures</h3>\n");
  for (int q = 0; q < n; q++) {
    const cJSON *o = cJSON_GetArrayItem(jptr(pg->root, "/multiplicity"), q);
    sb_puts(b, "<p><b>");
    sb_esc(b, jstr(o, "id"));
    sb_puts(b, "</b> (");
    sb_esc(b, jstr(o, "method"));
    if (jstr(o, "arm")) {
      sb_puts(b, ", arm ");
      sb_esc(b, jstr(o, "arm"));
    }
    sb_puts(b, "): the share of trials in which each analysis was significant within the "
               "procedure, and how often it was significant with its observed difference favouring "
               "the experimental arm (fav. exp) or control (fav. ctl).</p>\n<table><tr><th>analysis"
               "</th><th>power [95% CI]</th><th>fav. exp</th><th>type I error [95% CI]</th>"
               "<th>fav. exp</th><th>fav. ctl</th></tr>\n");
    char ptr[256];
    int m = array_size(pg, (snprintf(ptr, sizeof ptr, "/multiplicity/%d/analyses", q), ptr));
    for (int i = 0; i < m; i++) {
      snprintf(ptr, sizeof ptr, "/multiplicity/%d/analyses/%d", q, i);
      sb_puts(b, "<tr>");
      id_cell(pg, ptr);
      static const char *const keys[5] = {"power", "power_favouring", "type1_error",
                                          "type1_error_favouring", "type1_error_favouring_control"};
      for (int k = 0; k < 5; k++) {
        snprintf(ptr, sizeof ptr, "/multiplicity/%d/analyses/%d/%s", q, i, keys[k]);
        if (k == 0 || k == 2) estimate_cells(pg, ptr, 0);
        else estimate_only_cell(pg, ptr);
      }
      sb_puts(b, "</tr>\n");
    }
    static const char *const rows[2][2] = {{"all_significant", "all of them"}, {"any_significant", "any of them"}};
    for (int r = 0; r < 2; r++) {
      snprintf(ptr, sizeof ptr, "/multiplicity/%d/%s", q, rows[r][0]);
      if (!has(pg, ptr)) continue;
      sb_printf(b, "<tr class=\"grp\"><td>%s</td>", rows[r][1]);
      static const char *const keys[5] = {"alternative", "alternative_favouring", "null",
                                          "null_favouring", "null_favouring_control"};
      for (int k = 0; k < 5; k++) {
        snprintf(ptr, sizeof ptr, "/multiplicity/%d/%s/%s", q, rows[r][0], keys[k]);
        if (k == 0 || k == 2) estimate_cells(pg, ptr, 0);
        else estimate_only_cell(pg, ptr);
      }
      sb_puts(b, "</tr>\n");
    }
    sb_puts(b, "</table>\n");
  }
}

/* ---- plots ------------------------------------------------------------------------------------ */

static char *slurp(const char *path, size_t max, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *s = malloc(max + 1);
  size_t n = s ? fread(s, 1, max + 1, f) : 0;
  int bad = !s || ferror(f) || n > max;
  fclose(f);
  if (bad) { free(s); return NULL; }
  s[n] = '\0';
  *len = n;
  return s;
}

static int id_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == ':'; }

/* The ids an SVG defines (id='x' or id="x"), each once, and how often each was written out. */
typedef struct idset {
  char **name;
  int *written;
  int n, cap;
} idset;

/* The index of the id p[0..len), or -1. */
static int idset_find(const idset *s, const char *p, size_t len) {
  for (int i = 0; i < s->n; i++)
    if (strlen(s->name[i]) == len && memcmp(s->name[i], p, len) == 0) return i;
  return -1;
}

static int idset_collect(idset *s, const char *svg) {
  for (const char *p = svg; (p = strstr(p, "id=")) != NULL; p += 3) {
    if (p == svg || !isspace((unsigned char)p[-1]) || (p[3] != '\'' && p[3] != '"')) continue;
    const char *q = strchr(p + 4, p[3]);
    if (!q) break;
    size_t len = (size_t)(q - p - 4);
    if (idset_find(s, p + 4, len) >= 0) continue;
    if (s->n == s->cap) {
      int cap = s->cap ? 2 * s->cap : 64;
      char **nn = realloc(s->name, (size_t)cap * sizeof *nn);
      if (!nn) return -1;
      s->name = nn;
      int *nw = realloc(s->written, (size_t)cap * sizeof *nw);
      if (!nw) return -1;
      s->written = nw;
      s->cap = cap;
    }
    s->written[s->n] = 0;
    if (!(s->name[s->n] = malloc(len + 1))) return -1;
    memcpy(s->name[s->n], p + 4, len);
    s->name[s->n++][len] = '\0';
  }
  return 0;
}

static void idset_free(idset *s) {
  for (int i = 0; i < s->n; i++) free(s->name[i]);
  free(s->name);
  free(s->written);
}

/* The SVG from its <svg> tag on, for inlining in a page that holds several: the XML prolog,
 * DOCTYPE and namespace declarations dropped (HTML gives <svg> its namespace), and every id it
 * defines, and every #reference to one, prefixed with pfx so that two gnuplot plots' gpPt0 do
 * not clash. gnuplot also writes some ids twice in one plot (gnuplot_plot_1 for a band and its
 * line); a repeat gets a suffix, -2, -3, ..., so that every id of the page is unique (#references
 * keep naming the first). 0, or -1 when it cannot be inlined (no <svg>, or a script inside). */
static int inline_svg(sbuf *b, const char *svg, const char *pfx) {
  const char *start = strstr(svg, "<svg");
  if (!start || strstr(svg, "<script") || strstr(svg, "<foreignObject")) return -1;
  idset ids = {0};
  if (idset_collect(&ids, start) != 0) { idset_free(&ids); return -1; }
  const char *tag_end = strchr(start, '>');
  for (const char *p = start; *p;) {
    if (p < tag_end && strncmp(p, "xmlns", 5) == 0 && isspace((unsigned char)p[-1])) {
      const char *q = strpbrk(p, "\"'"); /* skip xmlns[:x]="..." */
      const char *e = q ? strchr(q + 1, *q) : NULL;
      if (e) { p = e + 1; continue; }
    }
    if (strncmp(p, "id=", 3) == 0 && p > start && isspace((unsigned char)p[-1]) && (p[3] == '\'' || p[3] == '"')) {
      const char *q = strchr(p + 4, p[3]);
      int i = q ? idset_find(&ids, p + 4, (size_t)(q - p - 4)) : -1;
      if (i >= 0) {
        sb_put(b, p, 4);
        sb_puts(b, pfx);
        sb_put(b, p + 4, (size_t)(q - p - 4));
        if (ids.written[i]++) sb_printf(b, "-%d", ids.written[i]);
        p = q;
        continue;
      }
    }
    if (*p == '#') {
      size_t len = 0;
      while (id_char(p[1 + len])) len++;
      if (len && idset_find(&ids, p + 1, len) >= 0) {
        sb_puts(b, "#");
        sb_puts(b, pfx);
        sb_put(b, p + 1, len);
        p += 1 + len;
        continue;
      }
    }
    const char *next = p + 1;
    while (*next && *next != '#' && *next != 'i' && *next != 'x') next++;
    sb_put(b, p, (size_t)(next - p));
    p = next;
  }
  idset_free(&ids);
  return 0;
}

/* Plot NAME of DIR inline, or where it is missing a note naming its data and script. Returns 1
 * when anything was written (the plot or the note), 0 when the result set has no such plot. */
static int plot(page *pg, const char *dir, const char *name, const char *caption, int index) {
  char path[4200], pfx[32];
  size_t len = 0;
  snprintf(path, sizeof path, "%s/%s.svg", dir, name);
  char *svg = slurp(path, SVG_MAX_BYTES, &len);
  sbuf *b = &pg->b;
  snprintf(pfx, sizeof pfx, "p%d-", index);
  if (svg) {
    sb_printf(b, "<figure class=\"plot\" id=\"plot-%s\">\n", name);
    size_t mark = b->len;
    if (inline_svg(b, svg, pfx) == 0) {
      free(svg);
      sb_puts(b, "\n<figcaption class=\"note\">");
      sb_esc(b, caption);
      sb_printf(b, " (<code>%s.svg</code>; data <code>%s.dat</code>, script <code>%s.gp</code>)."
                   "</figcaption>\n</figure>\n", name, name, name);
      return 1;
    }
    b->len = mark; /* not inlined: say so instead */
    if (b->s) b->s[mark] = '\0';
    sb_puts(b, "</figure>\n");
    free(svg);
  }
  char dat[4200];
  snprintf(dat, sizeof dat, "%s/%s.dat", dir, name);
  FILE *f = fopen(dat, "r");
  if (!f && !svg) return 0;
  if (f) fclose(f);
  sb_puts(b, "<div class=\"missing\"><b>");
  sb_esc(b, caption);
  sb_printf(b, "</b>: no image. gnuplot was not found or did not draw it when the command ran; "
               "its data <code>%s.dat</code> and script <code>%s.gp</code> are in the same folder "
               "as this page (<code>gnuplot %s.gp</code> there draws <code>%s.svg</code>).</div>\n",
            name, name, name, name);
  return 1;
}

/* ---- header and record ------------------------------------------------------------------------ */

static void page_top(page *pg, const char *what, const tsim_scenario *sc, const tsim_html_record *r,
                     const char *extra_nav) {
  sbuf *b = &pg->b;
  sb_printf(b, "<h1>%s: ", what);
  sb_esc(b, sc->name);
  sb_puts(b, "</h1>\n<p class=\"sub\">trialsim ");
  sb_esc(b, jstr(jptr(pg->root, "/run"), "version"));
  sb_puts(b, " &#183; ");
  num(pg, 0, "/trials");
  sb_puts(b, " trials");
  if (jptr(pg->root, "/points")) sb_puts(b, has(pg, "/target_power") ? " per size" : " per point");
  sb_puts(b, " &#183; seed ");
  num(pg, 0, "/seed");
  sb_puts(b, " &#183; ");
  sb_esc(b, r->date);
  sb_puts(b, "</p>\n<nav><a href=\"#design\">What was simulated</a>");
  sb_puts(b, extra_nav);
  sb_puts(b, "<a href=\"#record\">Record</a></nav>\n");
}

static void record_row(sbuf *b, const char *key, const char *val, int mono) {
  sb_printf(b, "<tr><th>%s</th><td%s>", key, mono ? " class=\"mono\"" : "");
  sb_esc(b, val && *val ? val : "unknown");
  sb_puts(b, "</td></tr>\n");
}

static void record_section(page *pg, const tsim_html_record *r) {
  sbuf *b = &pg->b;
  const cJSON *run = jptr(pg->root, "/run");
  sb_puts(b, "<h2 id=\"record\">Record of the run</h2>\n<p class=\"note\">Everything in the "
             "result set outside <code>run</code> is a function of the scenario file, the seed and the "
             "number of trials alone: the command line below, run with the same scenario file "
             "(<code>sha256sum</code> prints its digest) and the same trialsim, gives the same numbers "
             "with any number of threads, processes or vector instructions.</p>\n<table>\n");
  record_row(b, "trialsim version", jstr(run, "version"), 0);
  record_row(b, "source revision", TSIM_REVISION, 1);
  record_row(b, "scenario file", r->scenario_file, 1);
  record_row(b, "scenario SHA-256", r->scenario_sha256, 1);
  sb_puts(b, "<tr><th>seed</th><td>");
  num(pg, 0, "/seed");
  sb_puts(b, "</td></tr>\n<tr><th>trials</th><td>");
  num(pg, 0, "/trials");
  sb_puts(b, "</td></tr>\n<tr><th>command line</th><td><pre>");
  /* Each argument unbroken (a narrow page wraps between them, not after a hyphen inside
   * --quiet): the words are tsim_shell_quote's, split at the spaces outside its quotes. */
  const char *cl = r->command_line;
  for (size_t i = 0, start = 0, quoted = 0;; i++) {
    if (cl[i] == '\'') quoted ^= 1;
    else if (cl[i] == '\\' && !quoted && cl[i + 1]) { i++; continue; }
    if ((cl[i] == ' ' && !quoted) || cl[i] == '\0') {
      sb_puts(b, start ? " <span class=\"nw\">" : "<span class=\"nw\">");
      sb_escn(b, cl + start, i - start);
      sb_puts(b, "</span>");
      if (cl[i] == '\0') break;
      start = i + 1;
    }
  }
  sb_puts(b, "</pre>");
  const cJSON *procs = jptr(pg->root, "/run/processes");
  if (cJSON_IsNumber(procs) && procs->valuedouble > 1)
    sb_puts(b, "<span class=\"note\">run by MPI across the processes below: start it with "
               "<code>mpirun -n</code> and that number (mpirun&#8217;s own options are not "
               "recorded)</span>");
  sb_puts(b, "</td></tr>\n<tr><th>--set</th><td class=\"mono\">");
  for (int i = 0; i < r->nsets; i++) {
    if (i) sb_puts(b, "<br>");
    sb_esc(b, r->sets[i]);
  }
  if (r->nsets == 0) sb_puts(b, "none");
  sb_puts(b, "</td></tr>\n<tr><th>threads per process</th><td>");
  num(pg, 0, "/run/threads");
  sb_puts(b, "</td></tr>\n<tr><th>processes</th><td>");
  num(pg, 0, "/run/processes");
  sb_puts(b, "</td></tr>\n");
  record_row(b, "vector target", jstr(run, "vector"), 0);
  sb_puts(b, "<tr><th>seconds</th><td>");
  num(pg, 2, "/run/seconds");
  sb_puts(b, "</td></tr>\n");
  record_row(b, "date (UTC)", r->date, 0);
  sb_puts(b, "</table>\n");
}

/* ---- the pages -------------------------------------------------------------------------------- */

/* Loads DIR/json_name into pg->root; TSIM_OK or TSIM_IO (reported). */
static tsim_status page_open(page *pg, const char *dir, const char *json_name, tsim_diag *d) {
  char path[4200];
  memset(pg, 0, sizeof *pg);
  snprintf(path, sizeof path, "%s/%s", dir, json_name);
  cJSON *root = tsim_json_load(path, JSON_MAX_BYTES, d);
  if (!root) {
    tsim_diag_add(d, "%s/report.html: not written: %s could not be read back", dir, path);
    return TSIM_IO;
  }
  pg->root = root;
  return TSIM_OK;
}

/* Loads the result set DIR/json_name and starts the page: its head, title "trialsim COMMAND:
 * NAME", and the top (what, the record, the navigation links nav). */
static tsim_status page_begin(page *pg, const char *dir, const char *json_name, const char *command,
                              const char *what, const tsim_scenario *sc, const tsim_html_record *r,
                              const char *nav, tsim_diag *d) {
  tsim_status st = page_open(pg, dir, json_name, d);
  if (st != TSIM_OK) return st;
  char title[200];
  snprintf(title, sizeof title, "trialsim %s: %s", command, sc->name);
  page_head(pg, title);
  page_top(pg, what, sc, r, nav);
  return TSIM_OK;
}

/* Writes the page through a temporary renamed into place, and frees it. */
static tsim_status page_close(page *pg, const char *dir, tsim_diag *d) {
  sb_puts(&pg->b, "</body>\n</html>\n");
  cJSON_Delete((cJSON *)pg->root);
  if (pg->b.failed) {
    free(pg->b.s);
    tsim_diag_add(d, "%s/report.html: out of memory", dir);
    return TSIM_NOMEM;
  }
  tsim_status st = tsim_report_write_text_file(dir, "report.html", pg->b.s, d);
  free(pg->b.s);
  return st;
}

tsim_status tsim_html_write_run(const char *dir, const tsim_scenario *sc,
                                const tsim_html_record *r, tsim_diag *d) {
  page pg;
  /* The joint table's link only when the result set has one: two analyses or more. */
  int joint = sc->nanalyses > 1;
  char links[400];
  snprintf(links, sizeof links, "<a href=\"#oc\">Operating characteristics</a>%s%s%s",
           sc->accrual.mode == TSIM_ACCRUAL_NONE ? "" : sc->looks.n > 1 ? "<a href=\"#looks\">Interim looks</a>"
                                                                        : "<a href=\"#looks\">Calendar time</a>",
           sc->monitoring.nrules > 0 ? "<a href=\"#monitoring\">Site monitoring</a>" : "",
           joint ? "<a href=\"#joint\">Joint decisions</a>" : "");
  tsim_status st = page_begin(&pg, dir, "summary.json", "run", "Simulation report", sc, r, links, d);
  if (st != TSIM_OK) return st;
  sbuf *b = &pg.b;
  scenario_section(b, sc, r, 1, jstr(pg.root, "null_twin"));
  sb_puts(b, "<h2 id=\"oc\">Operating characteristics</h2>\n<p>");
  num(&pg, 0, "/trials");
  sb_puts(b, " simulated trials under the scenario and as many under its null twin, seed ");
  num(&pg, 0, "/seed");
  sb_puts(b, " (the numbers of <code>summary.json</code> beside this page). The largest Monte Carlo "
             "SE of a rate it reports is ");
  num(&pg, 5, "/precision/worst_mcse");
  const char *worst = jstr(jptr(pg.root, "/precision"), "worst");
  if (worst) {
    sb_puts(b, " (");
    sb_esc(b, worst);
    sb_puts(b, ")");
  }
  if (has(&pg, "/precision/mcse_target")) {
    sb_puts(b, cJSON_IsTrue(jptr(pg.root, "/precision/reached")) ? "; the run stopped once every one was at most "
                                                                   : "; the target of at most ");
    num(&pg, 5, "/precision/mcse_target");
    sb_puts(b, cJSON_IsTrue(jptr(pg.root, "/precision/reached")) ? " (--mcse)" : " (--mcse) was <b>not reached</b> within ");
    if (!cJSON_IsTrue(jptr(pg.root, "/precision/reached"))) {
      num(&pg, 0, "/precision/max_trials");
      sb_puts(b, " trials");
    }
  }
  sb_puts(b, ".</p>\n");
  plot(&pg, dir, "oc", "Power and type I error of every analysis, by direction", 1);
  oc_tables(&pg, "/analyses");
  looks_tables(&pg, dir);
  monitoring_tables(&pg, dir);
  joint_table(&pg);
  multiplicity_tables(&pg);
  record_section(&pg, r);
  return page_close(&pg, dir, d);
}

/* The grid of a sweep: every point's values and the point's rows of the analyses. */
/* A sweep point's values of the swept parameters, a cell each. */
static void point_values(page *pg, const cJSON *params, int np, int k) {
  sbuf *b = &pg->b;
  char key[600];
  for (int i = 0; i < np; i++) {
    const cJSON *p = cJSON_GetArrayItem(params, i);
    snprintf(key, sizeof key, "/points/%d/values/", k);
    ptr_token(key, sizeof key, cJSON_IsString(p) ? p->valuestring : "");
    sb_puts(b, "<td class=\"num\">");
    const cJSON *v = jptr(pg->root, key);
    char t[TSIM_NUM_CHARS];
    if (cJSON_IsNumber(v)) {
      sb_puts(b, "<span class=\"n\" data-json=\"");
      sb_esc(b, key);
      sb_printf(b, "\" data-value=\"%s\">%s</span>", tsim_num(t, v->valuedouble), t);
    }
    sb_puts(b, "</td>");
  }
}

static void sweep_table(page *pg) {
  sbuf *b = &pg->b;
  const cJSON *params = jptr(pg->root, "/parameters");
  int np = cJSON_IsArray(params) ? cJSON_GetArraySize(params) : 0;
  int npts = array_size(pg, "/points");
  sb_puts(b, "<table><tr>");
  for (int i = 0; i < np; i++) {
    const cJSON *p = cJSON_GetArrayItem(params, i);
    sb_puts(b, "<th><code>");
    sb_esc(b, cJSON_IsString(p) ? p->valuestring : "");
    sb_puts(b, "</code></th>");
  }
  sb_puts(b, "<th>analysis</th><th>power, every rejection [95% CI]</th><th>MCSE</th>"
             "<th>power favouring exp. (the plot&#8217;s)</th><th>type I error [95% CI]</th>"
             "<th>type I error favouring exp. / control</th><th>mean N</th></tr>\n");
  int computed = 0;
  for (int k = 0; k < npts; k++) {
    char arr[128], an[256], key[600];
    snprintf(arr, sizeof arr, "/points/%d/analyses", k);
    int n = array_size(pg, arr);
    for (int c = 0; c < n; c++) {
      sb_printf(b, "<tr%s>", c == 0 ? " class=\"first\"" : "");
      point_values(pg, params, np, k);
      snprintf(an, sizeof an, "%s/%d", arr, c);
      id_cell(pg, an);
      snprintf(key, sizeof key, "%s/power", an);
      estimate_cells(pg, key, 1);
      sb_puts(b, "<td class=\"num\">");
      num(pg, 4, "%s/alternative/reject_favouring/estimate", an);
      sb_puts(b, "</td>");
      snprintf(key, sizeof key, "%s/type1_error", an);
      estimate_cells(pg, key, 0);
      sb_puts(b, "<td class=\"num\">");
      num(pg, 4, "%s/null/reject_favouring/estimate", an);
      sb_puts(b, " / ");
      snprintf(key, sizeof key, "%s/null", an);
      computed |= control_direction_text(pg, key);
      sb_puts(b, "</td>");
      sb_puts(b, "<td class=\"num\">");
      num(pg, 1, "%s/alternative/mean_n", an);
      sb_puts(b, "</td></tr>\n");
    }
  }
  sb_puts(b, "</table>\n<p class=\"note\">Power, every rejection: the two-sided rejection rate "
             "(a one-sided analysis rejects in its direction only); favouring exp.: the rejections whose "
             "observed difference favours the experimental arm, what the power plot draws - a rejection "
             "favouring control is no success. The swept values are shown exactly as sweep.json holds them. ");
  /* Common random numbers hold between points drawn the same way ("sampling": "auto" draws small
   * trials per patient and larger ones per cell). */
  int ncell = 0;
  for (int i = 0; i < npts; i++) {
    char key[64];
    snprintf(key, sizeof key, "/points/%d/sampling", i);
    const cJSON *v = jptr(pg->root, key);
    ncell += cJSON_IsString(v) && strcmp(v->valuestring, "cell") == 0;
  }
  if (ncell == 0 || ncell == npts)
    sb_puts(b, "Every point uses the same random numbers (common random numbers), so differences between "
               "points are not Monte Carlo noise alone.");
  else
    sb_printf(b, "<b>%d of the %d points were drawn per patient and the others per cell</b> (each point's "
                 "<code>sampling</code> in sweep.json; <code>\"sampling\": \"auto\"</code> turns to per-cell "
                 "draws for larger trials): "
                 "points drawn the same way use the same random numbers (common random numbers), but between "
                 "the two groups differences are Monte Carlo noise too. Set <code>\"sampling\"</code> in the "
                 "scenario to draw every point one way.", npts - ncell, npts);
  if (computed) sb_puts(b, " <i>Favouring control</i>: all rejections minus those favouring the experimental arm.");
  sb_puts(b, "</p>\n");
  /* Analyses without a result in some trials of a point count those as not significant (as run's page). */
  int said = 0;
  for (int k = 0; k < npts && said <= 10; k++) {
    char arr[128], key[700];
    snprintf(arr, sizeof arr, "/points/%d/analyses", k);
    snprintf(key, sizeof key, "/points/%d/trials", k);
    const cJSON *tr = jptr(pg->root, key);
    int n = array_size(pg, arr);
    for (int c = 0; c < n && cJSON_IsNumber(tr); c++) {
      long long miss[2];
      char an[300];
      snprintf(an, sizeof an, "%s/%d", arr, c);
      if (!no_result(pg, an, tr->valuedouble, miss)) continue;
      if (said++ == 10) {
        sb_puts(b, "<p class=\"note\">... and more: each analysis&#8217;s <code>trials_defined</code> in sweep.json.</p>\n");
        break;
      }
      sb_puts(b, "<p class=\"note\"><b>No result</b> at");
      for (int i = 0; i < np; i++) { /* the point's values */
        const cJSON *p = cJSON_GetArrayItem(params, i);
        snprintf(key, sizeof key, "/points/%d/values/", k);
        ptr_token(key, sizeof key, cJSON_IsString(p) ? p->valuestring : "");
        const cJSON *v = jptr(pg->root, key);
        char t[TSIM_NUM_CHARS];
        sb_puts(b, i ? ", <code>" : " <code>");
        sb_esc(b, cJSON_IsString(p) ? p->valuestring : "");
        sb_printf(b, "</code> = %s", cJSON_IsNumber(v) ? tsim_num(t, v->valuedouble) : "-");
      }
      no_result_tail(pg, an, tr->valuedouble, miss);
    }
  }
}

/* A sweep's site monitoring: each rule's rates at every point. */
static void sweep_monitoring(page *pg, const char *dir) {
  sbuf *b = &pg->b;
  if (!has(pg, "/points/0/monitoring")) return;
  const cJSON *params = jptr(pg->root, "/parameters");
  int np = cJSON_IsArray(params) ? cJSON_GetArraySize(params) : 0;
  int npts = array_size(pg, "/points"), nr = array_size(pg, "/points/0/monitoring");
  sb_puts(b, "<h2 id=\"monitoring\">Site monitoring</h2>\n");
  plot(pg, dir, "monitoring", "Each rule's detection and chance of a false alarm against the first swept parameter", 3);
  sb_puts(b, "<table><tr>");
  for (int i = 0; i < np; i++) {
    const cJSON *p = cJSON_GetArrayItem(params, i);
    sb_puts(b, "<th><code>");
    sb_esc(b, cJSON_IsString(p) ? p->valuestring : "");
    sb_puts(b, "</code></th>");
  }
  sb_puts(b, "<th>rule</th><th>scenario: detection</th><th>all anomalous flagged</th><th>any false alarm</th>"
             "<th>null twin: detection</th><th>all anomalous flagged</th><th>any false alarm</th></tr>\n");
  for (int k = 0; k < npts; k++)
    for (int r = 0; r < nr; r++) {
      char rr[128];
      sb_printf(b, "<tr%s>", r == 0 ? " class=\"first\"" : "");
      point_values(pg, params, np, k);
      snprintf(rr, sizeof rr, "/points/%d/monitoring/%d", k, r);
      id_cell(pg, rr);
      for (int h = 0; h < 2; h++) {
        static const char *const keys[] = {"detection", "all_anomalous_flagged", "any_false_alarm"};
        for (int q = 0; q < 3; q++) {
          sb_puts(b, "<td class=\"num\">");
          num(pg, 4, "%s/%s/%s/estimate", rr, h ? "null" : "alternative", keys[q]);
          sb_puts(b, "</td>");
        }
      }
      sb_puts(b, "</tr>\n");
    }
  sb_puts(b, "</table>\n<p class=\"note\">Detection: the share of trials with an anomalous site in which the "
             "rule flagged one (all anomalous flagged: every one); any false alarm: the share of trials in which "
             "it flagged a site with no anomaly. A dash: no trial had an anomalous site.</p>\n");
}

tsim_status tsim_html_write_sweep(const char *dir, const tsim_scenario *sc,
                                  const tsim_html_record *r, tsim_diag *d) {
  page pg;
  tsim_status st = page_begin(&pg, dir, "sweep.json", "sweep", "Sweep report", sc, r,
                              sc->monitoring.nrules > 0
                                  ? "<a href=\"#plots\">Power curves</a><a href=\"#oc\">Every point</a>"
                                    "<a href=\"#monitoring\">Site monitoring</a>"
                                  : "<a href=\"#plots\">Power curves</a><a href=\"#oc\">Every point</a>", d);
  if (st != TSIM_OK) return st;
  sbuf *b = &pg.b;
  scenario_section(b, sc, r, 0, NULL);
  sb_puts(b, "<p class=\"note\">The values above are the scenario file&#8217;s; the sweep replaces "
             "those of its grid at every point (below).</p>\n<h2 id=\"plots\">Power curves</h2>\n");
  const cJSON *zip = jptr(pg.root, "/zip");
  sb_printf(b, "<p>%d grid points%s. ", array_size(&pg, "/points"),
            cJSON_IsTrue(zip) ? ", the parameters varied together (--zip)" : "");
  if (has(&pg, "/points/0/precision/mcse_target")) {
    sb_puts(b, "Each point ran until every Monte Carlo SE it reports was at most ");
    num(&pg, 5, "/points/0/precision/mcse_target");
    sb_puts(b, " (--mcse), with at most ");
    num(&pg, 0, "/points/0/precision/max_trials");
    sb_puts(b, " trials (its own in <code>sweep.json</code>), under the scenario and its null twin.</p>\n");
  } else {
    num(&pg, 0, "/trials");
    sb_puts(b, " trials per point under the scenario and its null twin.</p>\n");
  }
  plot(&pg, dir, "power", "Power against the first swept parameter, with 95% bands", 1);
  plot(&pg, dir, "type1_error", "Type I error (null twin) against the first swept parameter", 2);
  sb_puts(b, "<h2 id=\"oc\">Every point</h2>\n");
  sweep_table(&pg);
  sweep_monitoring(&pg, dir);
  record_section(&pg, r);
  return page_close(&pg, dir, d);
}

/* One member of a size point: a number, a boolean or an estimate, with its pointer. */
static void size_value(page *pg, const char *ptr, const cJSON *v) {
  sbuf *b = &pg->b;
  if (cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "estimate")) {
    estimate_cells(pg, ptr, 0);
  } else if (cJSON_IsBool(v)) {
    sb_printf(b, "<td>%s</td>", cJSON_IsTrue(v) ? "yes" : "no");
  } else if (cJSON_IsNumber(v)) {
    sb_puts(b, "<td class=\"num\">");
    num_at(pg, ptr, v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15 ? 0 : 4);
    sb_puts(b, "</td>");
  } else if (cJSON_IsString(v)) {
    sb_puts(b, "<td>");
    sb_esc(b, v->valuestring);
    sb_puts(b, "</td>");
  } else {
    sb_puts(b, "<td></td>");
  }
}

/* A column header for a member of a size point: the result set's key in words. */
static void size_header(sbuf *b, const char *key) {
  static const char *const known[][2] = {
      {"sample_size", "sample size"}, {"power", "power"}, {"type1_error", "type I error"},
      {"power_favouring", "power favouring experimental"},
      {"type1_error_favouring", "type I error favouring experimental"},
      {"type1_error_favouring_control", "type I error favouring control"},
      {"power_favouring_control", "power favouring control"}, {"reaches_target", "reaches target"},
      {"side", "side of the target"}};
  for (size_t i = 0; i < sizeof known / sizeof *known; i++)
    if (key && strcmp(key, known[i][0]) == 0) { sb_puts(b, known[i][1]); return; }
  for (const char *s = key; s && *s; s++) {
    if (*s == '_') sb_puts(b, " ");
    else sb_escn(b, s, 1);
  }
}

/* Whether v belongs in a table's cell: a number, boolean or string, or an estimate. */
static int size_leaf(const cJSON *v) {
  return cJSON_IsNumber(v) || cJSON_IsBool(v) || cJSON_IsString(v) ||
         (cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "estimate"));
}

/* One table of a size search: a row per size evaluated (the answer highlighted), a column per
 * member of the first point's object at `sub` ("" for the point itself, "/analyses/1",
 * "/all_significant") that fits in a cell - whatever the result set holds - after the size.
 * Without a key of its own, the null twin's rejections favouring control are computed as
 * type1_error - type1_error_favouring, in a last column - not for all named analyses together,
 * whose either-direction share less the share with every one favouring the experimental arm is
 * not a share favouring control. */
static void size_table(page *pg, const char *sub) {
  sbuf *b = &pg->b;
  const cJSON *pts = jptr(pg->root, "/points");
  char ptr[512];
  snprintf(ptr, sizeof ptr, "/points/0%s", sub);
  const cJSON *tpl = jptr(pg->root, ptr);
  if (!cJSON_IsObject(tpl)) return;
  int minus = cJSON_GetObjectItemCaseSensitive(tpl, "type1_error_favouring") &&
              !cJSON_GetObjectItemCaseSensitive(tpl, "type1_error_favouring_control") &&
              strcmp(sub, "/all_significant") != 0;
  sb_puts(b, "<table><tr>");
  if (*sub) sb_puts(b, "<th>sample size</th>");
  for (const cJSON *m = tpl->child; m; m = m->next) {
    if (!size_leaf(m) || (cJSON_IsString(m) && strcmp(m->string, "analysis") == 0)) continue;
    sb_puts(b, "<th>");
    size_header(b, m->string);
    if (cJSON_IsObject(m)) sb_puts(b, " [95% CI]");
    sb_puts(b, "</th>");
  }
  if (minus) sb_puts(b, "<th>type I error favouring control</th>");
  sb_puts(b, "</tr>\n");
  const cJSON *n_at = jptr(pg->root, "/sample_size");
  for (int i = 0; i < cJSON_GetArraySize(pts); i++) {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(pts, i), "sample_size");
    int chosen = cJSON_IsNumber(n) && cJSON_IsNumber(n_at) && n->valuedouble == n_at->valuedouble;
    sb_puts(b, chosen ? "<tr class=\"grp\">" : "<tr>");
    if (*sub) {
      snprintf(ptr, sizeof ptr, "/points/%d/sample_size", i);
      size_value(pg, ptr, jptr(pg->root, ptr));
    }
    for (const cJSON *m = tpl->child; m; m = m->next) {
      if (!size_leaf(m) || (cJSON_IsString(m) && strcmp(m->string, "analysis") == 0)) continue;
      snprintf(ptr, sizeof ptr, "/points/%d%s/", i, sub);
      ptr_token(ptr, sizeof ptr, m->string);
      size_value(pg, ptr, jptr(pg->root, ptr));
    }
    if (minus) {
      char a[600], f[600];
      snprintf(a, sizeof a, "/points/%d%s/type1_error/estimate", i, sub);
      snprintf(f, sizeof f, "/points/%d%s/type1_error_favouring/estimate", i, sub);
      sb_puts(b, "<td class=\"num\">");
      num_minus(pg, 4, a, f);
      sb_puts(b, "</td>");
    }
    sb_puts(b, "</tr>\n");
  }
  sb_puts(b, "</table>\n");
}

/* The points of a size search: one table for one analysis; for several, the sizes with the
 * criterion, the share with all of them significant, and a table per analysis. */
static void size_points(page *pg) {
  sbuf *b = &pg->b;
  size_table(pg, "");
  const cJSON *all = jptr(pg->root, "/points/0/all_significant");
  if (cJSON_IsObject(all)) {
    sb_puts(b, "<h3>All named analyses significant in the same trial</h3>\n<p>Power and type I error: every "
               "named analysis significant, in either direction; favouring experimental: every one of them "
               "with its observed difference favouring the experimental arm.</p>\n");
    size_table(pg, "/all_significant");
  }
  int n = array_size(pg, "/points/0/analyses");
  for (int c = 0; c < n; c++) {
    char sub[64];
    snprintf(sub, sizeof sub, "/analyses/%d", c);
    char ptr[128];
    snprintf(ptr, sizeof ptr, "/points/0/analyses/%d", c);
    const char *id = jstr(jptr(pg->root, ptr), "analysis");
    sb_puts(b, "<h3>Analysis <code>");
    sb_esc(b, id ? id : "?");
    sb_puts(b, "</code></h3>\n");
    size_table(pg, sub);
  }
}

tsim_status tsim_html_write_size(const char *dir, const tsim_scenario *sc,
                                 const tsim_html_record *r, tsim_diag *d) {
  page pg;
  tsim_status st = page_begin(&pg, dir, "size.json", "size", "Sample-size report", sc, r,
                              "<a href=\"#size\">Sample size</a>", d);
  if (st != TSIM_OK) return st;
  sbuf *b = &pg.b;
  scenario_section(b, sc, r, 1, NULL);
  sb_puts(b, "<p class=\"note\">The search replaces the sample size above with every size it "
             "evaluates (below); a level given with --alpha is in the analysis plan.</p>\n"
             "<h2 id=\"size\">Sample size</h2>\n<p>");
  const cJSON *an = jptr(pg.root, "/analysis");
  sb_puts(b, "Target power ");
  num(&pg, 2, "/target_power");
  sb_puts(b, " for <code>");
  if (cJSON_IsString(an)) sb_esc(b, an->valuestring);
  else sb_puts(b, "?");
  sb_puts(b, "</code>: ");
  if (cJSON_IsTrue(jptr(pg.root, "/reached"))) {
    sb_puts(b, "<b>N = ");
    num(&pg, 0, "/sample_size");
    sb_puts(b, "</b> patients in total");
    if (has(&pg, "/at_sample_size/power")) {
      sb_puts(b, ", power ");
      num(&pg, 4, "/at_sample_size/power/estimate");
      sb_puts(b, " (MCSE ");
      num(&pg, 5, "/at_sample_size/power/mcse");
      sb_puts(b, ", 95% CI ");
      num(&pg, 4, "/at_sample_size/power/ci95/0");
      sb_puts(b, " to ");
      num(&pg, 4, "/at_sample_size/power/ci95/1");
      sb_puts(b, ")");
    }
    sb_puts(b, ". ");
    if (cJSON_IsNumber(jptr(pg.root, "/stable_sample_size"))) {
      sb_puts(b, "Every size evaluated from ");
      num(&pg, 0, "/stable_sample_size");
      sb_puts(b, " up reaches the target (estimated power need not rise steadily with N: tests on counts are "
                 "discrete, and each size's estimate has its own Monte Carlo error).");
    } else {
      sb_puts(b, "The largest size evaluated misses the target: no size is stable within the range.");
    }
  } else {
    sb_puts(b, "<b>not reached</b> within the sizes evaluated.");
    if (cJSON_IsNumber(jptr(pg.root, "/limit/sample_size"))) {
      sb_puts(b, " N = ");
      num(&pg, 0, "/limit/sample_size");
      sb_puts(b, " is the largest sample size the scenario allows; at ");
      num(&pg, 0, "/limit/refused");
      sb_puts(b, ": ");
      const char *lr = jstr(jptr(pg.root, "/limit"), "reason");
      sb_esc(b, lr ? lr : "");
    }
  }
  sb_puts(b, " Step ");
  num(&pg, 0, "/step");
  sb_puts(b, "; the search started at N = ");
  num(&pg, 0, "/start/sample_size");
  const char *why = jstr(jptr(pg.root, "/start"), "reason");
  if (why) {
    sb_puts(b, " (");
    sb_esc(b, why);
    sb_puts(b, ")");
  }
  sb_puts(b, ".</p>\n");
  plot(&pg, dir, "size_power", "Power and type I error against the total sample size", 1);
  plot(&pg, dir, "size_type1_error", "Type I error by direction against the total sample size", 2);
  sb_puts(b, "<h3>Every size evaluated</h3>\n");
  size_points(&pg);
  if (cJSON_IsTrue(jptr(pg.root, "/precision/sequential"))) {
    sb_puts(b, "<p class=\"note\">The highlighted row is the answer. Every size uses the same seed. A "
               "size is simulated in looks (");
    num(&pg, 0, "/precision/first_look");
    sb_puts(b, " trials, then twice as many each time, up to ");
    num(&pg, 0, "/precision/max_trials");
    sb_puts(b, ") and stops once its power's Wilson bound at z = ");
    num(&pg, 2, "/precision/z");
    sb_puts(b, " lies above or below the target (<i>told apart</i>; wrong side with probability at most ");
    num(&pg, 4, "/precision/wrong_side_bound");
    sb_puts(b, " per size), else at the maximum. N and N &#8722; step ");
    sb_puts(b, cJSON_IsTrue(jptr(pg.root, "/precision/told_apart")) ? "are told apart"
                                                                       : "are not told apart: the answer holds up to its Monte Carlo error");
    sb_puts(b, ". ");
    num(&pg, 0, "/precision/trials_total");
    sb_puts(b, " trials were simulated in all.</p>\n");
  } else {
    sb_puts(b, "<p class=\"note\">The highlighted row is the answer. Each size is simulated with the "
               "same number of trials and seed.</p>\n");
  }
  record_section(&pg, r);
  return page_close(&pg, dir, d);
}
