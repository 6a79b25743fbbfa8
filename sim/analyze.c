/* analyze.c - tests on observed tables (see analyze.h). */
#include "analyze.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contest.h"
#include "jcheck.h"
#include "report.h"
#include "stattest.h"

#define AN_MAX_TABLES 1000
#define AN_MAX_STRATA 10000
#define AN_MAX_RESULTS 8
#define AN_ID 64
#define AN_CONF 0.95
/* Patients per arm, also after collapsing strata: exact tests take time proportional to n
 * (~10 ms at 10^7), and 2x2 cross products stay exact in 64 bits. */
#define AN_MAX_N 10000000LL

typedef enum { AN_BINARY, AN_STRATIFIED, AN_CONTINUOUS, AN_SINGLE } an_kind;
static const char *const kind_names[] = {"two_arm_binary", "stratified_binary",
                                         "two_arm_continuous", "single_arm_binary"};

typedef struct an_arm {
  char id[AN_ID];
  long long x, n;    /* binary: responders of n */
  double mean, sd;   /* continuous: mean and SD of n */
} an_arm;

typedef struct an_result {
  const char *test;  /* a scenario test name: "pearson", "fisher", "welch_t", ... */
  double stat, df, p;
  int reproduces;    /* rounds to the published p at its number of decimals */
} an_result;

typedef struct an_table {
  char id[AN_ID];
  char *source;                 /* owned, may be empty */
  an_kind kind;
  an_arm arm[2];                /* [0] control (or the single arm), [1] experimental */
  int narms;
  long long *sx, *sn;           /* stratified: [2 * nstrata] x and n, control then experimental */
  int nstrata;
  double p0;                    /* single arm: the reference rate */
  int has_published;
  double published_p;
  int published_decimals;       /* decimals the publication gave */
  an_result res[AN_MAX_RESULTS];
  int nres;
} an_table;

struct tsim_analyze {
  char *file;
  an_table *tables;
  int ntables;
};

/* ---- loading ------------------------------------------------------------------------------ */

/* Number of decimals of the shortest decimal form of x (0.052 -> 3). */
static int decimals_of(double x) {
  for (int d = 0; d <= 15; d++) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", d, x);
    if (strtod(buf, NULL) == x) return d;
  }
  return 15;
}

/* One arm object; `kind` is set by the first arm of a table and checked for the others. */
static int load_arm(tsim_jctx *c, const cJSON *v, const char *p, an_arm *arm, int *is_binary) {
  static const char *const keys[] = {"responders", "n", "mean", "sd", NULL};
  if (!tsim_jobject(c, v, p)) return -1;
  tsim_jkeys(c, v, p, keys);
  snprintf(arm->id, sizeof arm->id, "%s", v->string ? v->string : "");
  int binary = tsim_jget(v, "responders") != NULL, continuous = tsim_jget(v, "mean") || tsim_jget(v, "sd");
  if (binary == continuous) {
    tsim_jerr(c, p, "expected either \"responders\" and \"n\" (binary) or \"mean\", \"sd\" and "
                    "\"n\" (continuous)");
    return -1;
  }
  if (*is_binary >= 0 && *is_binary != binary) {
    tsim_jerr(c, p, "expected a %s arm like the others of this table", *is_binary ? "binary" : "continuous");
    return -1;
  }
  *is_binary = binary;
  int ok = tsim_jint(c, v, p, "n", 1, 1, AN_MAX_N, &arm->n) == 1;
  if (binary) {
    ok = tsim_jint(c, v, p, "responders", 1, 0, AN_MAX_N, &arm->x) == 1 && ok;
    if (ok && arm->x > arm->n) {
      char rp[TSIM_JPATH_MAX];
      tsim_jpath_key(rp, p, "responders");
      tsim_jerr(c, rp, "expected at most n = %lld responders, got %lld", arm->n, arm->x);
      ok = 0;
    }
  } else {
    ok = tsim_jnumber(c, v, p, "mean", 1, -1e300, 1e300, &arm->mean) == 1 && ok;
    ok = tsim_jnumber(c, v, p, "sd", 1, 0, 1e300, &arm->sd) == 1 && ok;
  }
  return ok ? 0 : -1;
}

/* An "arms" object of one or two arms; orders them control first (when `control` is given;
 * a control that is not one of the arms is reported at control_path). *narms is set even when
 * an arm has problems. */
static int load_arms(tsim_jctx *c, const cJSON *t, const char *p, const char *control,
                     const char *control_path, an_arm *arm, int *narms, int *is_binary) {
  char ap[TSIM_JPATH_MAX];
  tsim_jpath_key(ap, p, "arms");
  const cJSON *arms = tsim_jget(t, "arms");
  if (!arms) { tsim_jerr(c, ap, "required key is missing"); return -1; }
  if (!tsim_jobject(c, arms, ap)) return -1;
  int n = cJSON_GetArraySize(arms);
  *narms = n;
  if (n < 1 || n > 2) {
    tsim_jerr(c, ap, "expected one arm (single-arm design) or two, got %d", n);
    return -1;
  }
  int ok = 1, i = 0;
  for (const cJSON *v = arms->child; v; v = v->next, i++) {
    char vp[TSIM_JPATH_MAX];
    tsim_jpath_key(vp, ap, v->string);
    if (v != arms->child && strcmp(v->string, arms->child->string) == 0) {
      tsim_jerr(c, vp, "duplicate key");
      ok = 0;
      continue;
    }
    ok = load_arm(c, v, vp, &arm[i], is_binary) == 0 && ok;
  }
  if (n == 2 && ok && control[0]) {
    int ci = strcmp(arm[0].id, control) == 0 ? 0 : strcmp(arm[1].id, control) == 0 ? 1 : -1;
    if (ci < 0) {
      tsim_jerr(c, control_path, "expected one of the arms (\"%s\", \"%s\"), got \"%s\"",
                arm[0].id, arm[1].id, control);
      return -1;
    }
    if (ci == 1) { an_arm tmp = arm[0]; arm[0] = arm[1]; arm[1] = tmp; }
  }
  return ok ? 0 : -1;
}

/* 1 when the stratum's "arms" has exactly the ids of the first stratum's. */
static int same_arm_ids(const cJSON *s, const cJSON *first) {
  const cJSON *a = tsim_jget(s, "arms"), *b = tsim_jget(first, "arms");
  if (!cJSON_IsObject(a) || !cJSON_IsObject(b) || cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
    return 0;
  for (const cJSON *v = a->child; v; v = v->next)
    if (!tsim_jget(b, v->string)) return 0;
  return 1;
}

static int load_strata(tsim_jctx *c, const cJSON *t, const char *p, const char *control, an_table *tb) {
  char sp[TSIM_JPATH_MAX];
  tsim_jpath_key(sp, p, "strata");
  const cJSON *st = tsim_jget(t, "strata");
  int n = cJSON_IsArray(st) ? cJSON_GetArraySize(st) : -1;
  if (n < 1 || n > AN_MAX_STRATA) {
    char got[64];
    tsim_jdescribe(st, got, sizeof got);
    tsim_jerr(c, sp, "expected an array of 1 to %d strata, got %s", AN_MAX_STRATA, got);
    return -1;
  }
  tb->sx = calloc(2 * (size_t)n, sizeof *tb->sx);
  tb->sn = calloc(2 * (size_t)n, sizeof *tb->sn);
  if (!tb->sx || !tb->sn) { tsim_jerr(c, sp, "out of memory"); return -1; }
  tb->nstrata = n;
  int ok = 1, i = 0;
  for (const cJSON *s = st->child; s; s = s->next, i++) {
    static const char *const keys[] = {"id", "arms", NULL};
    char ep[TSIM_JPATH_MAX];
    tsim_jpath_index(ep, sp, i);
    if (!tsim_jobject(c, s, ep)) { ok = 0; continue; }
    tsim_jkeys(c, s, ep, keys);
    an_arm arm[2];
    int narms = 0, binary = 1;
    if (i > 0 && cJSON_IsObject(st->child) && !same_arm_ids(s, st->child)) {
      const cJSON *fa = tsim_jget(st->child, "arms");
      tsim_jerr(c, ep, "expected the arms of the first stratum (\"%s\", \"%s\")",
                fa && fa->child ? fa->child->string : "?",
                fa && fa->child && fa->child->next ? fa->child->next->string : "?");
      ok = 0;
      continue;
    }
    char cp[TSIM_JPATH_MAX];
    tsim_jpath_key(cp, p, "control");
    if (load_arms(c, s, ep, control, cp, arm, &narms, &binary) != 0) { ok = 0; continue; }
    if (narms != 2) { tsim_jerr(c, ep, "expected two arms in every stratum"); ok = 0; continue; }
    if (i == 0) { tb->arm[0] = arm[0]; tb->arm[1] = arm[1]; }
    tb->sx[2 * i] = arm[0].x; tb->sn[2 * i] = arm[0].n;
    tb->sx[2 * i + 1] = arm[1].x; tb->sn[2 * i + 1] = arm[1].n;
  }
  /* The collapsed table, for the unstratified tests. */
  tb->arm[0].x = tb->arm[0].n = tb->arm[1].x = tb->arm[1].n = 0;
  for (i = 0; i < n; i++) {
    tb->arm[0].x += tb->sx[2 * i]; tb->arm[0].n += tb->sn[2 * i];
    tb->arm[1].x += tb->sx[2 * i + 1]; tb->arm[1].n += tb->sn[2 * i + 1];
  }
  tb->narms = 2;
  if (ok && (tb->arm[0].n > AN_MAX_N || tb->arm[1].n > AN_MAX_N)) {
    tsim_jerr(c, sp, "expected at most %lld patients per arm over all strata, got %lld and %lld",
              AN_MAX_N, tb->arm[0].n, tb->arm[1].n);
    ok = 0;
  }
  return ok ? 0 : -1;
}

/* "published_p": a number (0.052) or, to keep trailing zeros, a string ("0.050"); strictly
 * between 0 and 1 and with at least one decimal, or "reproduces" would mean nothing. */
static void load_published(tsim_jctx *c, const cJSON *t, const char *p, an_table *tb) {
  char pp[TSIM_JPATH_MAX];
  tsim_jpath_key(pp, p, "published_p");
  const cJSON *v = tsim_jget(t, "published_p");
  if (!v) return;
  double x = NAN;
  int dec = 0;
  if (cJSON_IsNumber(v)) {
    x = v->valuedouble;
    dec = decimals_of(x);
  } else if (cJSON_IsString(v)) {
    char *end;
    x = strtod(v->valuestring, &end);
    const char *dot = strchr(v->valuestring, '.');
    dec = dot ? (int)strspn(dot + 1, "0123456789") : 0;
    if (end == v->valuestring || *end || !dot || dot[1 + dec] != '\0') x = NAN;
  }
  if (!(x > 0 && x < 1) || dec < 1 || dec > 15) {
    char got[64];
    tsim_jdescribe(v, got, sizeof got);
    tsim_jerr(c, pp, "expected a p-value strictly between 0 and 1 written with its decimals "
                     "(0.052, or \"0.050\" to keep a trailing zero), got %s", got);
    return;
  }
  tb->has_published = 1;
  tb->published_p = x;
  tb->published_decimals = dec;
}

static void load_table(tsim_jctx *c, const cJSON *t, const char *p, an_table *tb) {
  static const char *const keys[] = {"id", "source", "arms", "strata", "control", "p0",
                                     "published_p", NULL};
  if (!tsim_jobject(c, t, p)) return;
  tsim_jkeys(c, t, p, keys);
  tsim_jstring(c, t, p, "id", 1, tb->id, sizeof tb->id);
  const cJSON *src = tsim_jget(t, "source");
  char sp[TSIM_JPATH_MAX];
  tsim_jpath_key(sp, p, "source");
  if (src && !cJSON_IsString(src)) tsim_jerr(c, sp, "expected a string");
  tb->source = strdup(src && cJSON_IsString(src) ? src->valuestring : "");
  load_published(c, t, p, tb);
  char control[AN_ID] = "";
  int has_control = tsim_jstring(c, t, p, "control", 0, control, sizeof control) == 1;
  int has_arms = tsim_jget(t, "arms") != NULL, has_strata = tsim_jget(t, "strata") != NULL;
  if (has_arms == has_strata) {
    tsim_jerr(c, p, "expected exactly one of \"arms\" and \"strata\"");
    return;
  }
  if (has_strata) {
    tb->kind = AN_STRATIFIED;
    if (!has_control) {
      char cp[TSIM_JPATH_MAX];
      tsim_jpath_key(cp, p, "control");
      tsim_jerr(c, cp, "required key is missing (two arms)");
      return;
    }
    load_strata(c, t, p, control, tb);
    return;
  }
  int binary = -1;
  char cp[TSIM_JPATH_MAX];
  tsim_jpath_key(cp, p, "control");
  int arms_ok = load_arms(c, t, p, control, cp, tb->arm, &tb->narms, &binary) == 0;
  if (tb->narms == 2 && !has_control) tsim_jerr(c, cp, "required key is missing (two arms)");
  if (tb->narms == 1 && has_control) tsim_jerr(c, cp, "only meaningful with two arms");
  int has_p0 = tsim_jprob(c, t, p, "p0", tb->narms == 1, &tb->p0) == 1;
  if (tb->narms == 1) {
    tb->kind = AN_SINGLE;
    if (arms_ok && !binary) tsim_jerr(c, p, "a single arm needs a binary arm (responders of n)");
    if (has_p0 && (tb->p0 <= 0 || tb->p0 >= 1)) {
      tsim_jpath_key(cp, p, "p0");
      tsim_jerr(c, cp, "expected a reference rate strictly between 0 and 1, got %g", tb->p0);
    }
  } else {
    tb->kind = binary ? AN_BINARY : AN_CONTINUOUS;
    if (has_p0) { tsim_jpath_key(cp, p, "p0"); tsim_jerr(c, cp, "only meaningful for a single arm"); }
  }
}

#define DATA_MAX_BYTES (64u << 20)

tsim_status tsim_analyze_load(const char *file, tsim_analyze **out, tsim_diag *d) {
  static const char *const keys[] = {"description", "tables", NULL};
  *out = NULL;
  size_t before = tsim_diag_count(d);
  cJSON *root = tsim_json_load(file, DATA_MAX_BYTES, d);
  if (!root) return TSIM_INPUT;
  tsim_analyze *a = calloc(1, sizeof *a);
  tsim_jctx c = {file, d};
  if (!a || !(a->file = strdup(file))) {
    free(a);
    cJSON_Delete(root);
    return TSIM_NOMEM;
  }
  if (tsim_jobject(&c, root, "$")) {
    tsim_jkeys(&c, root, "$", keys);
    const cJSON *desc = tsim_jget(root, "description");
    if (desc && !cJSON_IsString(desc)) tsim_jerr(&c, "$.description", "expected a string");
    const cJSON *tables = tsim_jget(root, "tables");
    int n = cJSON_IsArray(tables) ? cJSON_GetArraySize(tables) : -1;
    if (n < 1 || n > AN_MAX_TABLES) {
      char got[64];
      tsim_jdescribe(tables, got, sizeof got);
      tsim_jerr(&c, "$.tables", "expected an array of 1 to %d tables, got %s", AN_MAX_TABLES, got);
    } else if ((a->tables = calloc((size_t)n, sizeof *a->tables))) {
      int i = 0;
      for (const cJSON *t = tables->child; t; t = t->next, i++) {
        char p[TSIM_JPATH_MAX];
        tsim_jpath_index(p, "$.tables", i);
        a->ntables = i + 1;
        load_table(&c, t, p, &a->tables[i]);
        for (int j = 0; j < i && a->tables[i].id[0]; j++)
          if (strcmp(a->tables[j].id, a->tables[i].id) == 0) {
            char ip[TSIM_JPATH_MAX];
            tsim_jpath_key(ip, p, "id");
            tsim_jerr(&c, ip, "duplicate table id \"%s\"", a->tables[i].id);
          }
      }
    }
  }
  cJSON_Delete(root);
  if (tsim_diag_count(d) != before || !a->tables) {
    if (tsim_diag_count(d) == before) tsim_diag_add(d, "%s: out of memory", file);
    tsim_analyze_free(a);
    return TSIM_INPUT;
  }
  *out = a;
  return TSIM_OK;
}

void tsim_analyze_free(tsim_analyze *a) {
  if (!a) return;
  for (int i = 0; i < a->ntables; i++) {
    free(a->tables[i].source);
    free(a->tables[i].sx);
    free(a->tables[i].sn);
  }
  free(a->tables);
  free(a->file);
  free(a);
}

/* ---- computing ---------------------------------------------------------------------------- */

static void add_result(an_table *t, const char *test, double stat, double df, double p) {
  if (t->nres == AN_MAX_RESULTS) return;
  an_result *r = &t->res[t->nres++];
  r->test = test;
  r->stat = stat;
  r->df = df;
  r->p = p;
  r->reproduces = 0;
  if (t->has_published && isfinite(p)) {
    char a[64], b[64];
    snprintf(a, sizeof a, "%.*f", t->published_decimals, p);
    snprintf(b, sizeof b, "%.*f", t->published_decimals, t->published_p);
    r->reproduces = strcmp(a, b) == 0;
  }
}

/* Pearson, 'N-1', Yates and Fisher on the (collapsed) two-arm table. */
static void two_by_two_tests(an_table *t) {
  const an_arm *c = &t->arm[0], *e = &t->arm[1];
  double stat;
  double p = tsim_pearson_p(c->x, c->n, e->x, e->n, &stat);
  add_result(t, "pearson", stat, 1, p);
  p = tsim_n1_chisq_p(c->x, c->n, e->x, e->n, &stat);
  add_result(t, "n1_chisq", stat, 1, p);
  p = tsim_yates_p(c->x, c->n, e->x, e->n, &stat);
  add_result(t, "yates", stat, 1, p);
  add_result(t, "fisher", NAN, NAN, tsim_fisher_p(c->x, c->n, e->x, e->n));
}

static void cmh_test(an_table *t) {
  int k = t->nstrata;
  long long *v = malloc(4 * (size_t)k * sizeof *v);
  if (!v) return;
  long long *x0 = v, *n0 = v + k, *x1 = v + 2 * k, *n1 = v + 3 * k;
  for (int i = 0; i < k; i++) {
    x0[i] = t->sx[2 * i];
    n0[i] = t->sn[2 * i];
    x1[i] = t->sx[2 * i + 1];
    n1[i] = t->sn[2 * i + 1];
  }
  double stat, p = tsim_cmh_p(x0, n0, x1, n1, k, &stat);
  add_result(t, "cmh", stat, 1, p);
  free(v);
}

static void compute_table(an_table *t) {
  const an_arm *c = &t->arm[0], *e = &t->arm[1];
  double stat, df, diff, lo, hi, p;
  t->nres = 0;
  switch (t->kind) {
    case AN_STRATIFIED:
      cmh_test(t);
      two_by_two_tests(t); /* on the table collapsed over strata */
      break;
    case AN_BINARY:
      two_by_two_tests(t);
      break;
    case AN_CONTINUOUS:
      p = tsim_welch_t(c->mean, c->sd, c->n, e->mean, e->sd, e->n, AN_CONF, &stat, &df, &diff, &lo, &hi);
      add_result(t, "welch_t", stat, df, p);
      p = tsim_student_t(c->mean, c->sd, c->n, e->mean, e->sd, e->n, AN_CONF, &stat, &df, &diff, &lo, &hi);
      add_result(t, "student_t", stat, df, p);
      break;
    case AN_SINGLE:
      add_result(t, "binomial_exact", NAN, NAN, tsim_binomial_exact_p(c->x, c->n, t->p0));
      break;
  }
}

void tsim_analyze_compute(tsim_analyze *a) {
  for (int i = 0; i < a->ntables; i++) compute_table(&a->tables[i]);
}

/* ---- output ------------------------------------------------------------------------------- */

static cJSON *num(double x) { return isfinite(x) ? cJSON_CreateNumber(x) : cJSON_CreateNull(); }

static cJSON *interval(double est, double lo, double hi) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddItemToObject(o, "estimate", num(est));
  cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
  cJSON_AddItemToArray(ci, num(lo));
  cJSON_AddItemToArray(ci, num(hi));
  return o;
}

static cJSON *estimates_json(const an_table *t) {
  cJSON *o = cJSON_CreateObject();
  const an_arm *c = &t->arm[0], *e = &t->arm[1];
  double est, lo, hi, stat, df;
  if (t->kind == AN_BINARY || t->kind == AN_STRATIFIED) {
    tsim_rd_wald(c->x, c->n, e->x, e->n, AN_CONF, &est, &lo, &hi);
    cJSON_AddItemToObject(o, "risk_difference_wald", interval(est, lo, hi));
    tsim_rd_newcombe(c->x, c->n, e->x, e->n, AN_CONF, &est, &lo, &hi);
    cJSON_AddItemToObject(o, "risk_difference_newcombe", interval(est, lo, hi));
  } else if (t->kind == AN_CONTINUOUS) {
    tsim_welch_t(c->mean, c->sd, c->n, e->mean, e->sd, e->n, AN_CONF, &stat, &df, &est, &lo, &hi);
    cJSON_AddItemToObject(o, "difference_in_means_welch", interval(est, lo, hi));
    tsim_student_t(c->mean, c->sd, c->n, e->mean, e->sd, e->n, AN_CONF, &stat, &df, &est, &lo, &hi);
    cJSON_AddItemToObject(o, "difference_in_means_student", interval(est, lo, hi));
  } else {
    tsim_estimate w = tsim_estimate_proportion((uint64_t)c->x, (uint64_t)c->n);
    cJSON_AddItemToObject(o, "proportion_wilson", interval(w.estimate, w.lo, w.hi));
  }
  return o;
}

static cJSON *arm_json(const an_table *t, const an_arm *a) {
  cJSON *o = cJSON_CreateObject();
  if (t->kind == AN_CONTINUOUS) {
    cJSON_AddNumberToObject(o, "mean", a->mean);
    cJSON_AddNumberToObject(o, "sd", a->sd);
  } else {
    cJSON_AddNumberToObject(o, "responders", (double)a->x);
  }
  cJSON_AddNumberToObject(o, "n", (double)a->n);
  return o;
}

static cJSON *table_json(const an_table *t) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "id", t->id);
  cJSON_AddStringToObject(o, "source", t->source);
  cJSON_AddStringToObject(o, "kind", kind_names[t->kind]);
  cJSON *arms = cJSON_AddObjectToObject(o, t->kind == AN_STRATIFIED ? "collapsed" : "arms");
  for (int i = 0; i < t->narms; i++) cJSON_AddItemToObject(arms, t->arm[i].id, arm_json(t, &t->arm[i]));
  if (t->narms == 2) cJSON_AddStringToObject(o, "control", t->arm[0].id);
  if (t->kind == AN_STRATIFIED) cJSON_AddNumberToObject(o, "strata", t->nstrata);
  if (t->kind == AN_SINGLE) cJSON_AddNumberToObject(o, "p0", t->p0);
  cJSON *tests = cJSON_AddObjectToObject(o, "tests");
  for (int i = 0; i < t->nres; i++) {
    cJSON *r = cJSON_AddObjectToObject(tests, t->res[i].test);
    if (isfinite(t->res[i].stat)) cJSON_AddNumberToObject(r, "statistic", t->res[i].stat);
    if (isfinite(t->res[i].df)) cJSON_AddNumberToObject(r, "df", t->res[i].df);
    cJSON_AddItemToObject(r, "p", num(t->res[i].p));
  }
  cJSON_AddItemToObject(o, "estimates", estimates_json(t));
  if (t->has_published) {
    cJSON_AddNumberToObject(o, "published_p", t->published_p);
    cJSON_AddNumberToObject(o, "published_decimals", t->published_decimals);
    cJSON *by = cJSON_AddArrayToObject(o, "reproduced_by");
    for (int i = 0; i < t->nres; i++)
      if (t->res[i].reproduces) cJSON_AddItemToArray(by, cJSON_CreateString(t->res[i].test));
  }
  return o;
}

tsim_status tsim_analyze_write(const tsim_analyze *a, const char *dir, tsim_diag *d) {
  if (tsim_mkdirs(dir) != 0) {
    tsim_diag_add(d, "%s: cannot create output directory: %s", dir, strerror(errno));
    return TSIM_IO;
  }
  cJSON *root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "file", a->file);
  cJSON_AddStringToObject(root, "reproduces",
                          "a test reproduces a published p-value when its p rounds to it at the "
                          "number of decimals published");
  cJSON *arr = cJSON_AddArrayToObject(root, "tables");
  for (int i = 0; i < a->ntables; i++) cJSON_AddItemToArray(arr, table_json(&a->tables[i]));
  char *text = cJSON_Print(root);
  cJSON_Delete(root);
  char tmp[4200], dst[4200];
  snprintf(tmp, sizeof tmp, "%s/.analyze.json.%ld.tmp", dir, (long)getpid());
  snprintf(dst, sizeof dst, "%s/analyze.json", dir);
  FILE *f = text ? fopen(tmp, "w") : NULL;
  int ok = f && fputs(text, f) >= 0;
  if (f) ok = fclose(f) == 0 && ok;
  free(text);
  if (!ok || rename(tmp, dst) != 0) {
    tsim_diag_add(d, "%s: cannot write results: %s", dst, strerror(errno));
    remove(tmp);
    return TSIM_IO;
  }
  return TSIM_OK;
}

void tsim_analyze_print(const tsim_analyze *a, FILE *f) {
  fprintf(f, "trialsim %s  analyze %s\n\n", TSIM_VERSION, a->file);
  fprintf(f, "%-26s %-15s %11s %8s %12s %10s  %s\n", "table", "test", "statistic", "df", "p",
          "published", "reproduces");
  for (int i = 0; i < a->ntables; i++) {
    const an_table *t = &a->tables[i];
    for (int j = 0; j < t->nres; j++) {
      const an_result *r = &t->res[j];
      char pub[32] = "";
      if (j == 0 && t->has_published) snprintf(pub, sizeof pub, "%.*f", t->published_decimals, t->published_p);
      fprintf(f, "%-26s %-15s", j == 0 ? t->id : "", r->test);
      if (isfinite(r->stat)) fprintf(f, " %11.4f", r->stat); else fprintf(f, " %11s", "");
      if (isfinite(r->df) && strstr(r->test, "_t")) /* t-tests: Welch's df is not whole */
        fprintf(f, " %8.2f", r->df);
      else fprintf(f, " %8s", "");
      fprintf(f, " %12.6g %10s  %s\n", r->p, pub, r->reproduces ? "yes" : "");
    }
    if (t->kind == AN_STRATIFIED) fprintf(f, "%-26s (tests after cmh: strata collapsed)\n", "");
  }
  fprintf(f, "\nA test reproduces a published p-value when its p rounds to it at the published number "
             "of decimals.\nanalyze.json has every statistic, the estimates and their 95%% "
             "intervals.\n");
}

void tsim_analyze_default_name(const char *file, char *out, size_t n) {
  const char *base = strrchr(file, '/');
  base = base ? base + 1 : file;
  size_t len = strlen(base);
  if (len > 5 && strcmp(base + len - 5, ".json") == 0) len -= 5;
  if (len == 0 || len >= n) len = n - 1 < len ? n - 1 : len;
  snprintf(out, n, "%.*s", (int)len, base);
  if (!out[0] || strcmp(out, ".") == 0 || strcmp(out, "..") == 0) snprintf(out, n, "analyze");
}
