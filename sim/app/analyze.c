/* analyze.c - tests on observed tables (see analyze.h).
 *
 * Besides the shapes analyze.h lists, two continuous arms may be given patient by patient:
 * {"values": [...]} per arm, optionally with {"baseline": [...]} of the same length (both arms
 * or neither). Such a table gets Welch's and Student's t (from the mean and SD of the values),
 * the Wilcoxon rank-sum test and, with baselines, ANCOVA; binary tables (two arms, or strata)
 * also get logistic regression (a fixed effect per stratum), "not estimable" when separated. */
#include "app/analyze.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/numfmt.h"
#include "stats/ancova.h"
#include "stats/contest.h"
#include "input/jcheck.h"
#include "stats/logistic.h"
#include "stats/ranktest.h"
#include "output/json.h"
#include "output/report.h"
#include "stats/catalogue.h"
#include "stats/nitest.h"
#include "stats/stattest.h"
#include "input/scenario.h"

#define AN_MAX_TABLES 1000
#define AN_MAX_STRATA 10000
#define AN_MAX_RESULTS 12
#define AN_MAX_GAPS 4       /* the stratified MN's rejected stretches inside its interval kept */
/* Barnard's test enumerates every table of the arms' sizes, (n0 + 1)(n1 + 1) of them, and
 * costs about 1 s at this many; beyond it the test is reported not estimable. */
#define AN_BARNARD_MAX_TABLES 100000.0
#define AN_ID 64
#define AN_CONF 0.95
/* Patients per arm, also after collapsing strata: exact tests take time proportional to n
 * (~10 ms at 10^7), and 2x2 cross products stay exact in 64 bits. */
#define AN_MAX_N 10000000LL
/* Patient-level values per arm. The file may hold 64 MiB, but each number costs cJSON ~64
 * bytes and the tests a few arrays of 8: 10^6 per arm keeps a file's worst case near 1 GB. */
#define AN_MAX_VALUES 1000000
/* Their magnitude, as the summaries': the tests scale values by a power of two before summing
 * or squaring them (tsim_mean_sd, tsim_ancova), so any finite value would do; one range for
 * all the continuous input keeps the rule simple and leaves room for sums of 10^6 of them. */
#define AN_VALUE_MAX 1e300
/* Bad numbers reported one by one per array; the rest are counted. */
#define AN_MAX_VALUE_ERRORS 5

typedef enum { AN_BINARY, AN_STRATIFIED, AN_CONTINUOUS, AN_SINGLE, AN_PATIENTS } an_kind;
static const char *const kind_names[] = {"two_arm_binary", "stratified_binary",
                                         "two_arm_continuous", "single_arm_binary",
                                         "two_arm_continuous_patients"};

/* The form of an arm, set by a table's first arm and required of the others. */
enum { ARM_UNKNOWN = -1, ARM_SUMMARY = 0, ARM_BINARY = 1, ARM_VALUES = 2 };
static const char *const form_names[] = {"continuous", "binary", "patient-level"};

typedef struct an_arm {
  char id[AN_ID];
  long long x, n;    /* binary: responders of n */
  double mean, sd;   /* continuous: mean and SD of n (patient-level: of the values) */
  double *values;    /* patient-level: n values (owned), or NULL */
  double *baseline;  /* patient-level: n baseline values (owned), or NULL */
  double base_mean, base_sd;
} an_arm;

typedef struct an_result {
  const char *test;  /* its name in analyze.json: a scenario test's ("pearson", "welch_t", ...),
                      * or margin_name's for a test also run for superiority ("welch_t_margin") */
  tsim_test id;      /* the catalogue's test it is */
  double stat, df, p;
  int reproduces;    /* rounds to the published p at its number of decimals */
  const char *not_estimable; /* logistic: why there is no estimate (NULL: there is one) */
  /* Margin tests (kind MARGIN) only: */
  int margin;        /* 1 for a margin test */
  double p_side[2];  /* equivalence: the one-sided p at the lower and at the upper margin */
  double lo, hi;     /* the two-sided `conf` interval of the measure (NaN: the method has none) */
  int reject;        /* H0 rejected at the table's level: non-inferior, or equivalent */
  int ci_reproduces; /* both bounds round to the published interval's */
  int interval_only; /* the method has no test, only an interval (Newcombe) */
  /* The stratified MN's values inside [lo, hi] that its test rejects (sparse strata, where the
   * values it does not reject are not one interval: tsim_ni_strat_set): ngap of them, the first
   * AN_MAX_GAPS kept. */
  int ngap;
  double gap[AN_MAX_GAPS][2];
} an_result;

/* A two-arm table's non-inferiority or equivalence hypothesis (type 0: none): binary tables
 * (and strata) on a binary measure, continuous ones on mean_difference or mean_ratio. */
typedef struct an_hypo {
  tsim_hypo type;
  tsim_measure measure;  /* the binary ones are nitest.h's (scenario_hypo.c asserts it) */
  double margin[2];      /* non-inferiority: margin[0] (= margin[1]); equivalence: lower, upper */
  int higher_is_better;
  double conf;           /* the intervals' two-sided level; the tests' one-sided level is */
  double level;          /* (1 - conf) / 2, as a scenario's alpha 0.05 two-sided or 0.025 one-sided */
  double estimate;       /* the measure's estimate (experimental vs control; strata: collapsed;
                          * continuous: mean1 - mean0 or mean1 / mean0, unadjusted) */
  double estimate_strat; /* strata: the stratified MN's (Mantel-Haenszel for rd and rr) */
} an_hypo;

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
  an_hypo hypo;                 /* two arms: the margin tests' hypothesis, if any */
  int has_published_ci;
  double published_ci[2];       /* the publication's interval of the hypothesis's measure */
  int published_ci_decimals;    /* the more decimals of its two bounds */
  an_result res[AN_MAX_RESULTS];
  int nres;
  int has_ancova, has_logit;
  tsim_ancova_fit ancova;       /* patient-level with baselines */
  tsim_logit_fit logit;         /* binary and stratified */
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
  return 16; /* not a decimal of at most 15 places (1e-92 read as 0.000000000000000 matched any p near 0) */
}

/* obj[key]: an array of 1 to AN_MAX_VALUES finite numbers of magnitude at most AN_VALUE_MAX,
 * into a new array of *n; NULL after reporting a problem (the first few bad numbers each with
 * its path, the others counted). */
static double *load_numbers(tsim_jctx *c, const cJSON *obj, const char *p, const char *key,
                            long long *n) {
  char kp[TSIM_JPATH_MAX];
  tsim_jpath_key(kp, p, key);
  const cJSON *a = tsim_jget(obj, key);
  int size = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : -1;
  if (size < 1 || size > AN_MAX_VALUES) {
    char got[64];
    if (size < 0) tsim_jdescribe(a, got, sizeof got);
    else snprintf(got, sizeof got, size ? "%d numbers" : "an empty array", size);
    tsim_jerr(c, kp, "expected an array of 1 to %d numbers (one per patient), got %s",
              AN_MAX_VALUES, got);
    return NULL;
  }
  double *x = malloc((size_t)size * sizeof *x);
  if (!x) { tsim_jerr(c, kp, "out of memory"); return NULL; }
  int i = 0, bad = 0;
  for (const cJSON *e = a->child; e; e = e->next, i++) {
    if (cJSON_IsNumber(e) && fabs(e->valuedouble) <= AN_VALUE_MAX) {
      x[i] = e->valuedouble;
    } else if (bad++ < AN_MAX_VALUE_ERRORS) {
      char ep[TSIM_JPATH_MAX];
      tsim_jpath_index(ep, kp, i);
      tsim_jvalue_number(c, e, ep, -AN_VALUE_MAX, AN_VALUE_MAX, &x[i]);
    }
  }
  if (bad > AN_MAX_VALUE_ERRORS)
    tsim_jerr(c, kp, "expected finite numbers in [%s, %s], got %d more that are not",
              TSIM_JNUM(-AN_VALUE_MAX), TSIM_JNUM(AN_VALUE_MAX), bad - AN_MAX_VALUE_ERRORS);
  if (bad) { free(x); return NULL; }
  *n = size;
  return x;
}

/* A patient-level arm: "values" and optionally "baseline", of the same length. */
static int load_patients(tsim_jctx *c, const cJSON *v, const char *p, an_arm *arm) {
  int ok = 1;
  if (tsim_jget(v, "n")) {
    char np[TSIM_JPATH_MAX];
    tsim_jpath_key(np, p, "n");
    tsim_jerr(c, np, "not allowed with \"values\" (n is the number of values)");
    ok = 0;
  }
  long long n = 0, nb = 0;
  arm->values = load_numbers(c, v, p, "values", &n);
  if (tsim_jget(v, "baseline")) {
    arm->baseline = load_numbers(c, v, p, "baseline", &nb);
    if (arm->values && arm->baseline && nb != n) {
      char bp[TSIM_JPATH_MAX];
      tsim_jpath_key(bp, p, "baseline");
      tsim_jerr(c, bp, "expected as many numbers as \"values\" (%lld, one per patient), got %lld",
                n, nb);
      ok = 0;
    }
  }
  if (!arm->values || (tsim_jget(v, "baseline") && !arm->baseline) || !ok) return -1;
  arm->n = n;
  tsim_mean_sd(arm->values, n, &arm->mean, &arm->sd);
  if (arm->baseline) tsim_mean_sd(arm->baseline, n, &arm->base_mean, &arm->base_sd);
  return 0;
}

/* One arm object; `form` is set by the first arm of a table and checked for the others. */
static int load_arm(tsim_jctx *c, const cJSON *v, const char *p, an_arm *arm, int *form) {
  static const char *const keys[] = {"responders", "n", "mean", "sd", "values", "baseline", NULL};
  if (!tsim_jobject(c, v, p)) return -1;
  tsim_jkeys(c, v, p, keys);
  snprintf(arm->id, sizeof arm->id, "%s", v->string ? v->string : "");
  int binary = tsim_jget(v, "responders") != NULL, continuous = tsim_jget(v, "mean") || tsim_jget(v, "sd");
  int values = tsim_jget(v, "values") != NULL;
  if (binary + continuous + values != 1) {
    tsim_jerr(c, p, "expected either \"responders\" and \"n\" (binary), \"mean\", \"sd\" and "
                    "\"n\" (continuous) or \"values\" with an optional \"baseline\" "
                    "(continuous, one number per patient)");
    return -1;
  }
  int f = binary ? ARM_BINARY : values ? ARM_VALUES : ARM_SUMMARY;
  if (*form != ARM_UNKNOWN && *form != f) {
    tsim_jerr(c, p, "expected a %s arm like the others of this table", form_names[*form]);
    return -1;
  }
  *form = f;
  if (tsim_jget(v, "baseline") && !values) {
    char bp[TSIM_JPATH_MAX];
    tsim_jpath_key(bp, p, "baseline");
    tsim_jerr(c, bp, "only meaningful with \"values\" (one number per patient)");
    return -1;
  }
  if (values) return load_patients(c, v, p, arm);
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
/* An id printed in the table: no control characters (a terminal would obey them). 1 when none. */
static int id_printable(tsim_jctx *c, const char *path, const char *s) {
  for (const unsigned char *q = (const unsigned char *)s; q && *q; q++)
    if (*q < 0x20 || *q == 0x7f) {
      tsim_jerr(c, path, "an id has no control characters (U+%04X here)", (unsigned)*q);
      return 0;
    }
  return 1;
}

static int load_arms(tsim_jctx *c, const cJSON *t, const char *p, const char *control,
                     const char *control_path, an_arm *arm, int *narms, int *form) {
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
    if (!id_printable(c, vp, v->string)) {
      ok = 0;
      continue;
    }
    ok = load_arm(c, v, vp, &arm[i], form) == 0 && ok;
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

/* A stratum's id and place, for finding ids given twice (sorted by id, then place). */
typedef struct stratum_id { const char *id; int at; } stratum_id;
static int by_stratum_id(const void *x, const void *y) {
  const stratum_id *a = x, *b = y;
  int r = strcmp(a->id, b->id);
  return r ? r : (a->at > b->at) - (a->at < b->at);
}

/* Strata ids given twice: an error at the later one's "id" (the ids are optional). 1 when none. */
static int strata_ids_unique(tsim_jctx *c, const cJSON *st, const char *sp, int n) {
  stratum_id *ids = malloc(((size_t)n + 1) * sizeof *ids);
  if (!ids) { tsim_jerr(c, sp, "out of memory"); return 0; }
  int m = 0, i = 0, ok = 1;
  for (const cJSON *s = st->child; s; s = s->next, i++) {
    const cJSON *id = cJSON_IsObject(s) ? tsim_jget(s, "id") : NULL;
    if (cJSON_IsString(id)) ids[m++] = (stratum_id){id->valuestring, i};
  }
  qsort(ids, (size_t)m, sizeof *ids, by_stratum_id);
  for (int k = 1; k < m; k++)
    if (strcmp(ids[k].id, ids[k - 1].id) == 0) {
      char ep[TSIM_JPATH_MAX], ip[TSIM_JPATH_MAX];
      tsim_jpath_index(ep, sp, ids[k].at);
      tsim_jpath_key(ip, ep, "id");
      tsim_jerr(c, ip, "the stratum id \"%s\" is given twice (strata[%d] has it)", ids[k].id, ids[k - 1].at);
      ok = 0;
    }
  free(ids);
  return ok;
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
  int ok = strata_ids_unique(c, st, sp, n), i = 0;
  for (const cJSON *s = st->child; s; s = s->next, i++) {
    static const char *const keys[] = {"id", "arms", NULL};
    char ep[TSIM_JPATH_MAX];
    tsim_jpath_index(ep, sp, i);
    if (!tsim_jobject(c, s, ep)) { ok = 0; continue; }
    tsim_jkeys(c, s, ep, keys);
    an_arm arm[2];
    memset(arm, 0, sizeof arm); /* no values: copied into tb->arm, which owns its pointers */
    int narms = 0, form = ARM_BINARY; /* strata are binary */
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
    if (load_arms(c, s, ep, control, cp, arm, &narms, &form) != 0) { ok = 0; continue; }
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

/* A published number as written: a JSON number (its shortest decimal form gives the decimals)
 * or a string holding a plain decimal ("0.050", "-3.0": trailing zeros kept). 0 with *x and
 * *dec, or -1. */
static int published_number(const cJSON *v, double *x, int *dec) {
  *x = NAN;
  *dec = 0;
  if (cJSON_IsNumber(v)) {
    *x = v->valuedouble;
    *dec = decimals_of(*x);
  } else if (cJSON_IsString(v)) {
    const char *q = v->valuestring + (v->valuestring[0] == '-' || v->valuestring[0] == '+');
    size_t whole = strspn(q, "0123456789"), frac = 0;
    q += whole;
    if (*q == '.') frac = strspn(++q, "0123456789");
    q += frac;
    if (*q || whole + frac == 0) return -1;
    *x = strtod(v->valuestring, NULL);
    *dec = (int)frac;
  }
  return isfinite(*x) && *dec <= 15 ? 0 : -1;
}

/* "published_p": a number (0.052) or, to keep trailing zeros, a string ("0.050"); strictly
 * between 0 and 1 and with at least one decimal, or "reproduces" would mean nothing. */
static void load_published(tsim_jctx *c, const cJSON *t, const char *p, an_table *tb) {
  char pp[TSIM_JPATH_MAX];
  tsim_jpath_key(pp, p, "published_p");
  const cJSON *v = tsim_jget(t, "published_p");
  if (!v) return;
  double x;
  int dec;
  if (published_number(v, &x, &dec) != 0 || !(x > 0 && x < 1) || dec < 1) {
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

/* The ratio measures (no effect at 1; the differences' at 0). */
static int is_ratio(tsim_measure m) { return m != TSIM_MEAS_RISK_DIFF && m != TSIM_MEAS_MEAN_DIFF; }

/* "hypothesis" of a two-arm table, as an analysis's in a scenario (input/scenario_hypo.c checks
 * the same): {"type": "non_inferiority" | "equivalence", "measure": ..., "margin": theta0 |
 * [lower, upper]}, the measure risk_difference, risk_ratio or odds_ratio for a binary table (two
 * arms, or strata), mean_difference or mean_ratio (a positive control mean) for a continuous one;
 * the table's "higher_is_better" (default true) gives a non-inferiority margin's side, and
 * "conf" (default 0.95) the intervals' level. Sets tb->hypo (type stays superiority on any
 * problem). When the table's kind is unknown (its arms have problems, reported), the hypothesis
 * is not checked; arms_ok says the two arms loaded (the control's mean is then known). */
static void load_hypothesis(tsim_jctx *c, const cJSON *t, const char *p, an_table *tb, int kind_known,
                            int arms_ok) {
  static const char *const keys[] = {"type", "measure", "margin", NULL};
  char hp[TSIM_JPATH_MAX], kp[TSIM_JPATH_MAX];
  tsim_jpath_key(hp, p, "hypothesis");
  const cJSON *h = tsim_jget(t, "hypothesis");
  int hib = 1, has_hib = tsim_jbool(c, t, p, "higher_is_better", 0, &hib);
  double conf = 0.95;
  int has_conf = tsim_jnumber(c, t, p, "conf", 0, -1e300, 1e300, &conf);
  if (has_conf == 1 && !(conf > 0 && conf < 1)) {
    tsim_jpath_key(kp, p, "conf");
    tsim_jerr(c, kp, "expected the intervals' two-sided level strictly between 0 and 1 (0.95: "
                     "one-sided tests at 0.025), got %s", TSIM_JNUM(conf));
  }
  if (!h) {
    static const char *const need[] = {"higher_is_better", "conf", "published_ci"};
    for (int i = 0; i < 3; i++)
      if (tsim_jget(t, need[i])) {
        tsim_jpath_key(kp, p, need[i]);
        tsim_jerr(c, kp, "only meaningful with a \"hypothesis\" (non-inferiority or equivalence)");
      }
    return;
  }
  if (!kind_known) return;
  if (tb->kind == AN_SINGLE) {
    tsim_jerr(c, hp, "margins compare two arms (binary, or continuous); this table is a single arm "
                     "(judged against p0)");
    return;
  }
  int binary = tb->kind == AN_BINARY || tb->kind == AN_STRATIFIED;
  if (!tsim_jobject(c, h, hp)) return;
  tsim_jkeys(c, h, hp, keys);
  int type = 0, meas = 0;
  if (tsim_jenum(c, h, hp, "type", 1, tsim_hypo_names, &type) != 1) return;
  if (type == TSIM_HYPO_SUPERIORITY) {
    tsim_jpath_key(kp, hp, "type");
    tsim_jerr(c, kp, "every table is tested for superiority without a hypothesis; a table's "
                     "hypothesis is non_inferiority or equivalence");
    return;
  }
  if (tsim_jenum(c, h, hp, "measure", 1, tsim_measure_names, &meas) != 1) return;
  tsim_jpath_key(kp, hp, "measure");
  if (binary != (meas <= TSIM_MEAS_ODDS_RATIO)) {
    if (binary)
      tsim_jerr(c, kp, "\"%s\" is a measure of continuous end points; a binary table's are "
                       "risk_difference, risk_ratio and odds_ratio", tsim_measure_names[meas]);
    else
      tsim_jerr(c, kp, "\"%s\" is a measure of binary end points; a continuous table's are "
                       "mean_difference and mean_ratio", tsim_measure_names[meas]);
    return;
  }
  tsim_measure m = (tsim_measure)meas;
  if (m == TSIM_MEAS_MEAN_RATIO && arms_ok && !(tb->arm[0].mean > 0)) {
    tsim_jerr(c, kp, "a ratio of means needs a positive control mean; control \"%s\" has mean %s "
                     "(use mean_difference)", tb->arm[0].id, TSIM_JNUM(tb->arm[0].mean));
    return;
  }
  double mg[2] = {NAN, NAN};
  tsim_jpath_key(kp, hp, "margin");
  const cJSON *mv = tsim_jget(h, "margin");
  if (!mv) {
    tsim_jerr(c, kp, "missing (the boundary on %s that the experimental arm must %s)",
              tsim_measure_names[meas], type == TSIM_HYPO_EQUIVALENCE ? "lie within" : "beat");
    return;
  }
  if (type == TSIM_HYPO_NONINFERIORITY) {
    if (tsim_jnumber(c, h, hp, "margin", 1, -1e300, 1e300, &mg[0]) != 1) return;
    mg[1] = mg[0];
  } else {
    if (!cJSON_IsArray(mv) || cJSON_GetArraySize(mv) != 2) {
      char got[64];
      tsim_jdescribe(mv, got, sizeof got);
      tsim_jerr(c, kp, "an equivalence margin is [lower, upper], got %s", got);
      return;
    }
    for (int i = 0; i < 2; i++) {
      char ip[TSIM_JPATH_MAX];
      tsim_jpath_index(ip, kp, i);
      if (tsim_jvalue_number(c, cJSON_GetArrayItem(mv, i), ip, -1e300, 1e300, &mg[i]) != 1) return;
    }
  }
  /* The scenario loader's rule (input/scenario_hypo.c), with this table's direction. */
  char subject[96], why[400];
  snprintf(subject, sizeof subject, "%s is better in this table (\"higher_is_better\": %s%s)",
           hib ? "higher" : "lower", hib ? "true" : "false", has_hib == 1 ? "" : " unless given");
  if (tsim_margin_problem((tsim_hypo)type, m, mg, hib, subject, why, sizeof why)) {
    tsim_jerr(c, kp, "%s", why);
    return;
  }
  if (has_conf < 0 || !(conf > 0 && conf < 1)) return;
  /* The level to 15 significant digits: 0.95 gives 0.025, not (1 - 0.95) / 2's 0.025000000000000022. */
  tb->hypo = (an_hypo){(tsim_hypo)type, m, {mg[0], mg[1]}, hib, conf, tsim_jround((1 - conf) / 2, 15), NAN, NAN};
}

/* "published_ci": [lo, hi], the publication's two-sided interval of the hypothesis's measure at
 * the table's "conf", each bound a number or a string as published_p (both are compared at the
 * more decimals of the two: a JSON number drops trailing zeros, -0.030 reads as -0.03). */
static void load_published_ci(tsim_jctx *c, const cJSON *t, const char *p, an_table *tb) {
  const cJSON *v = tsim_jget(t, "published_ci");
  if (!v || tb->hypo.type == TSIM_HYPO_SUPERIORITY) return; /* without a hypothesis: reported */
  char cp[TSIM_JPATH_MAX];
  tsim_jpath_key(cp, p, "published_ci");
  if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2) {
    char got[64];
    tsim_jdescribe(v, got, sizeof got);
    tsim_jerr(c, cp, "expected [lower, upper], the published interval of %s, got %s",
              tsim_measure_names[tb->hypo.measure], got);
    return;
  }
  double x[2];
  int dec[2], ok = 1;
  for (int i = 0; i < 2; i++) {
    const cJSON *b = cJSON_GetArrayItem(v, i);
    if (published_number(b, &x[i], &dec[i]) != 0) {
      char ip[TSIM_JPATH_MAX], got[64];
      tsim_jpath_index(ip, cp, i);
      tsim_jdescribe(b, got, sizeof got);
      tsim_jerr(c, ip, "expected a bound written with its decimals (-0.03, or \"-0.030\" to keep a "
                       "trailing zero), got %s", got);
      ok = 0;
    }
  }
  if (!ok) return;
  if (!(x[0] <= x[1])) {
    tsim_jerr(c, cp, "expected lower <= upper, got [%s, %s]", TSIM_JNUM(x[0]), TSIM_JNUM(x[1]));
    return;
  }
  tb->has_published_ci = 1;
  tb->published_ci[0] = x[0];
  tb->published_ci[1] = x[1];
  tb->published_ci_decimals = dec[0] > dec[1] ? dec[0] : dec[1];
}

/* Patient-level arms: baselines in both arms or in neither. */
static void check_baselines(tsim_jctx *c, const char *p, const an_table *tb) {
  const an_arm *a = &tb->arm[0], *b = &tb->arm[1];
  if (!a->baseline == !b->baseline) return;
  const an_arm *with = a->baseline ? a : b, *without = a->baseline ? b : a;
  char ap[TSIM_JPATH_MAX], wp[TSIM_JPATH_MAX];
  tsim_jpath_key(ap, p, "arms");
  tsim_jpath_key(wp, ap, without->id);
  tsim_jerr(c, wp, "expected \"baseline\" as arm \"%s\" has one (both arms or neither)", with->id);
}

static void load_table(tsim_jctx *c, const cJSON *t, const char *p, an_table *tb) {
  static const char *const keys[] = {"id", "source", "arms", "strata", "control", "p0",
                                     "published_p", "hypothesis", "higher_is_better", "conf",
                                     "published_ci", NULL};
  if (!tsim_jobject(c, t, p)) return;
  tsim_jkeys(c, t, p, keys);
  char ip[TSIM_JPATH_MAX];
  tsim_jpath_key(ip, p, "id");
  if (tsim_jstring(c, t, p, "id", 1, tb->id, sizeof tb->id) == 1) id_printable(c, ip, tb->id);
  const cJSON *src = tsim_jget(t, "source");
  char sp[TSIM_JPATH_MAX];
  tsim_jpath_key(sp, p, "source");
  if (src && !cJSON_IsString(src)) tsim_jerr(c, sp, "expected a string");
  tb->source = strdup(src && cJSON_IsString(src) ? src->valuestring : "");
  load_published(c, t, p, tb);
  char control[AN_ID] = "";
  int has_control = tsim_jstring(c, t, p, "control", 0, control, sizeof control) == 1;
  char cpath[TSIM_JPATH_MAX];
  tsim_jpath_key(cpath, p, "control");
  if (has_control && !id_printable(c, cpath, control)) control[0] = '\0';
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
    load_hypothesis(c, t, p, tb, 1, 0);
    load_published_ci(c, t, p, tb);
    return;
  }
  int form = ARM_UNKNOWN;
  char cp[TSIM_JPATH_MAX];
  tsim_jpath_key(cp, p, "control");
  int arms_ok = load_arms(c, t, p, control, cp, tb->arm, &tb->narms, &form) == 0;
  if (tb->narms == 2 && !has_control) tsim_jerr(c, cp, "required key is missing (two arms)");
  if (tb->narms == 1 && has_control) tsim_jerr(c, cp, "only meaningful with two arms");
  int has_p0 = tsim_jprob(c, t, p, "p0", tb->narms == 1, &tb->p0) == 1;
  if (tb->narms == 1) {
    tb->kind = AN_SINGLE;
    if (arms_ok && form != ARM_BINARY)
      tsim_jerr(c, p, "a single arm needs a binary arm (responders of n)");
    if (has_p0 && (tb->p0 <= 0 || tb->p0 >= 1)) {
      tsim_jpath_key(cp, p, "p0");
      tsim_jerr(c, cp, "expected a reference rate strictly between 0 and 1, got %s", TSIM_JNUM(tb->p0));
    }
  } else {
    tb->kind = form == ARM_BINARY ? AN_BINARY : form == ARM_VALUES ? AN_PATIENTS : AN_CONTINUOUS;
    if (has_p0) { tsim_jpath_key(cp, p, "p0"); tsim_jerr(c, cp, "only meaningful for a single arm"); }
    if (tb->kind == AN_PATIENTS && arms_ok) check_baselines(c, p, tb);
  }
  load_hypothesis(c, t, p, tb, tb->narms == 1 || form != ARM_UNKNOWN,
                  arms_ok && tb->narms == 2 && has_control);
  load_published_ci(c, t, p, tb);
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
  int scenario = tsim_jget(root, "arms") && tsim_jget(root, "analyses") && !tsim_jget(root, "tables");
  if (scenario) /* a scenario, not observed tables: one line saying so, not a line per key */
    tsim_jerr(&c, "$", "this is a scenario (it has \"arms\" and \"analyses\" and no \"tables\"): 'trialsim analyze' "
                       "reads observed tables; 'trialsim run' simulates a scenario");
  else if (tsim_jobject(&c, root, "$")) {
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
    for (int j = 0; j < 2; j++) {
      free(a->tables[i].arm[j].values);
      free(a->tables[i].arm[j].baseline);
    }
  }
  free(a->tables);
  free(a->file);
  free(a);
}

/* ---- computing ---------------------------------------------------------------------------- */

/* Appends a result; NULL beyond AN_MAX_RESULTS (no kind of table has that many tests). */
static an_result *add_result(an_table *t, tsim_test test, double stat, double df, double p) {
  if (t->nres == AN_MAX_RESULTS) return NULL;
  an_result *r = &t->res[t->nres++];
  r->test = tsim_test_names[test];
  r->id = test;
  r->stat = stat;
  r->df = df;
  r->p = p;
  r->reproduces = 0;
  r->not_estimable = NULL;
  r->margin = r->reject = r->ci_reproduces = r->interval_only = 0;
  r->p_side[0] = r->p_side[1] = r->lo = r->hi = NAN;
  r->ngap = 0;
  if (t->has_published && isfinite(p)) {
    char a[64], b[64];
    snprintf(a, sizeof a, "%.*f", t->published_decimals, p);
    snprintf(b, sizeof b, "%.*f", t->published_decimals, t->published_p);
    r->reproduces = strcmp(a, b) == 0;
  }
  return r;
}

/* Every test of the catalogue on one 2x2 table (kind TABLE: Pearson, 'N-1', Fisher, Yates,
 * Barnard) on the (collapsed) two-arm table; the chi-squares have 1 df. */
static void two_by_two_tests(an_table *t) {
  const an_arm *c = &t->arm[0], *e = &t->arm[1];
  for (int i = 0; i < TSIM_NTESTS; i++) {
    const tsim_test_info *ti = tsim_test_info_of((tsim_test)i);
    if (ti->kind != TSIM_KIND_TABLE) continue;
    int chisq = ti->decide == TSIM_DECIDE_CHISQ || ti->decide == TSIM_DECIDE_PVALUE;
    if (i == TSIM_TEST_BARNARD && (double)(c->n + 1) * (double)(e->n + 1) > AN_BARNARD_MAX_TABLES) {
      an_result *r = add_result(t, (tsim_test)i, NAN, NAN, NAN);
      if (r) r->not_estimable = "more than 100000 possible tables: too large to enumerate";
      continue;
    }
    double stat, p = ti->p(c->x, c->n, e->x, e->n, &stat);
    add_result(t, (tsim_test)i, stat, chisq ? 1 : NAN, p);
  }
}

/* Logistic regression on k strata (Wald z as the statistic); not estimable when separated or
 * without an informative stratum. */
static void logistic_test(an_table *t, const long long *x0, const long long *n0,
                          const long long *x1, const long long *n1, int k) {
  tsim_logit_ws *ws = tsim_logit_ws_new(k);
  double p = tsim_logistic(ws, x0, n0, x1, n1, k, AN_CONF, &t->logit);
  tsim_logit_ws_free(ws);
  t->has_logit = 1;
  an_result *r = add_result(t, TSIM_TEST_LOGISTIC, t->logit.z, NAN, p);
  if (r && t->logit.status != TSIM_LOGIT_OK)
    r->not_estimable = tsim_logit_status_name(t->logit.status);
}

/* x and the published y written at dec decimals are the same text ("-0.000" as "0.000"). */
static int rounds_to(double x, double y, int dec) {
  char a[64], b[64];
  snprintf(a, sizeof a, "%.*f", dec, x);
  snprintf(b, sizeof b, "%.*f", dec, y);
  const char *pa = a + (a[0] == '-' && !strpbrk(a, "123456789"));
  const char *pb = b + (b[0] == '-' && !strpbrk(b, "123456789"));
  return isfinite(x) && strcmp(pa, pb) == 0;
}

/* The name in analyze.json of a margin test that also runs for superiority on the same table
 * (the t-tests and ANCOVA: a JSON object has one entry per name); the others keep the
 * catalogue's. */
static const char *margin_name(tsim_test test) {
  switch (test) {
  case TSIM_TEST_WELCH_T: return "welch_t_margin";
  case TSIM_TEST_STUDENT_T: return "student_t_margin";
  case TSIM_TEST_ANCOVA: return "ancova_margin";
  default: return tsim_test_names[test];
  }
}

/* Records margin test `test`: z (or t, on df), p (equivalence: the larger of side[0], side[1]), the `conf`
 * interval [lo, hi], and the decision as nitest.h states it and a simulated trial makes it
 * (analysis/compare.c): the p-value at the one-sided level (a NaN p never rejects), or, for a
 * method without a test (has_test 0: Newcombe), the interval's bound(s) against the margin(s);
 * and whether the interval reproduces the published one. Returns the result (NULL: no room). */
static an_result *margin_result(an_table *t, tsim_test test, int has_test, double z, double df, double p,
                                const double side[2], double lo, double hi) {
  const an_hypo *h = &t->hypo;
  an_result *r = add_result(t, test, z, df, p);
  if (!r) return NULL;
  r->test = margin_name(test);
  r->margin = 1;
  r->interval_only = !has_test;
  r->p_side[0] = side[0];
  r->p_side[1] = side[1];
  r->lo = lo;
  r->hi = hi;
  if (!has_test) /* NaN bounds never reject: no interval, no rejection */
    r->reject = tsim_ni_interval_rejects(h->type == TSIM_HYPO_EQUIVALENCE, h->higher_is_better, h->margin[0],
                                         h->margin[1], lo, hi);
  else
    r->reject = tsim_reject(p, h->level);
  r->ci_reproduces = t->has_published_ci && rounds_to(lo, t->published_ci[0], t->published_ci_decimals) &&
                     rounds_to(hi, t->published_ci[1], t->published_ci_decimals);
  return r;
}

/* Every margin test of the catalogue (kind MARGIN) that has the hypothesis's measure, on the
 * two-arm (or collapsed) table: the one-sided p at the margin (equivalence: the larger of the
 * two, each side's kept) and the two-sided `conf` interval. */
static void margin_tests(an_table *t) {
  const an_arm *c = &t->arm[0], *e = &t->arm[1];
  an_hypo *h = &t->hypo;
  tsim_ni_measure nm = (tsim_ni_measure)h->measure;
  tsim_ni_ci(TSIM_NI_MN, nm, c->x, c->n, e->x, e->n, h->conf, &h->estimate, NULL, NULL);
  for (int i = 0; i < TSIM_NTESTS; i++) {
    int mi = tsim_test_ni_method((tsim_test)i);
    if (mi < 0) continue;
    tsim_ni_method m = (tsim_ni_method)mi;
    if (!tsim_ni_has_test(m, nm) && !tsim_ni_has_interval(m, nm)) continue;
    double z = NAN, p = NAN, side[2] = {NAN, NAN}, lo = NAN, hi = NAN;
    if (tsim_ni_has_test(m, nm)) {
      if (h->type == TSIM_HYPO_EQUIVALENCE) {
        double z0, z1;
        side[0] = tsim_ni_p(m, nm, c->x, c->n, e->x, e->n, h->margin[0], 1, &z0);
        side[1] = tsim_ni_p(m, nm, c->x, c->n, e->x, e->n, h->margin[1], 0, &z1);
        p = tsim_ni_tost_p(side[0], side[1]);
        z = tsim_ni_tost_side(side[0], side[1]) == 0 ? z0 : z1;
      } else {
        p = tsim_ni_p(m, nm, c->x, c->n, e->x, e->n, h->margin[0], h->higher_is_better, &z);
      }
    }
    if (tsim_ni_has_interval(m, nm))
      tsim_ni_ci(m, nm, c->x, c->n, e->x, e->n, h->conf, NULL, &lo, &hi);
    margin_result(t, (tsim_test)i, tsim_ni_has_test(m, nm), z, NAN, p, side, lo, hi);
  }
}

/* The site-stratified Miettinen-Nurminen test (kind MARGIN_STRATIFIED, every measure) on the
 * strata's counts, as margin_tests; its estimate (Mantel-Haenszel for rd and rr) is kept. */
static void strat_margin_tests(an_table *t, const long long *x0, const long long *n0, const long long *x1,
                               const long long *n1, int k) {
  an_hypo *h = &t->hypo;
  tsim_ni_measure nm = (tsim_ni_measure)h->measure;
  double z = NAN, p, side[2] = {NAN, NAN}, lo = NAN, hi = NAN, gap[AN_MAX_GAPS][2];
  int ngap = 0;
  if (h->type == TSIM_HYPO_EQUIVALENCE) {
    double z0, z1;
    side[0] = tsim_ni_strat_p(nm, x0, n0, x1, n1, k, h->margin[0], 1, &z0);
    side[1] = tsim_ni_strat_p(nm, x0, n0, x1, n1, k, h->margin[1], 0, &z1);
    p = tsim_ni_tost_p(side[0], side[1]);
    z = tsim_ni_tost_side(side[0], side[1]) == 0 ? z0 : z1;
  } else {
    p = tsim_ni_strat_p(nm, x0, n0, x1, n1, k, h->margin[0], h->higher_is_better, &z);
  }
  /* The estimate; and the hull of the values the test does not reject, with the stretches
   * inside it that it rejects (sparse strata; tsim_ni_strat_set). */
  tsim_ni_strat_set(nm, x0, n0, x1, n1, k, h->conf, &h->estimate_strat, &lo, &hi, gap, AN_MAX_GAPS, &ngap);
  for (int i = 0; i < TSIM_NTESTS; i++) {
    if (tsim_test_info_of((tsim_test)i)->kind != TSIM_KIND_MARGIN_STRATIFIED) continue;
    an_result *r = margin_result(t, (tsim_test)i, 1, z, NAN, p, side, lo, hi);
    if (!r) continue;
    r->ngap = ngap;
    memcpy(r->gap, gap, sizeof gap);
  }
}

/* CMH and logistic regression by stratum, and with a hypothesis the stratified margin test. */
static void stratified_tests(an_table *t) {
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
  add_result(t, TSIM_TEST_CMH, stat, 1, p);
  logistic_test(t, x0, n0, x1, n1, k);
  if (t->hypo.type != TSIM_HYPO_SUPERIORITY) strat_margin_tests(t, x0, n0, x1, n1, k);
  free(v);
}

/* An arm's mean, SD and size, as the t-tests take them. */
static tsim_arm_summary summary_of(const an_arm *a) {
  return (tsim_arm_summary){a->mean, a->sd, a->n};
}

/* Welch's and Student's t from the arms' means and SDs. */
static void t_tests(an_table *t) {
  tsim_arm_summary c = summary_of(&t->arm[0]), e = summary_of(&t->arm[1]);
  tsim_t_fit r;
  double p = tsim_welch_t(c, e, AN_CONF, &r);
  add_result(t, TSIM_TEST_WELCH_T, r.stat, r.df, p);
  p = tsim_student_t(c, e, AN_CONF, &r);
  add_result(t, TSIM_TEST_STUDENT_T, r.stat, r.df, p);
}

/* Patient-level: the t-tests, Wilcoxon's rank-sum test (W as R reports it) and, with
 * baselines, ANCOVA (its t). */
static void patient_tests(an_table *t) {
  const an_arm *c = &t->arm[0], *e = &t->arm[1];
  size_t n0 = (size_t)c->n, n1 = (size_t)e->n;
  t_tests(t);
  tsim_rank_ws *rw = tsim_rank_ws_new(n0 + n1);
  double w = NAN, p = rw ? tsim_wilcoxon(rw, c->values, n0, e->values, n1, 1, &w, NULL) : NAN;
  tsim_rank_ws_free(rw);
  add_result(t, TSIM_TEST_WILCOXON, w, NAN, p);
  if (!c->baseline || !e->baseline) return;
  tsim_ancova_ws *aw = tsim_ancova_ws_new(n0 + n1 < 4 ? 4 : n0 + n1);
  p = tsim_ancova(aw, (tsim_ancova_arm){c->values, c->baseline, n0},
                  (tsim_ancova_arm){e->values, e->baseline, n1}, AN_CONF, &t->ancova);
  tsim_ancova_ws_free(aw);
  t->has_ancova = 1;
  add_result(t, TSIM_TEST_ANCOVA, t->ancova.t, t->ancova.df, p);
}

/* Records continuous margin test `test` from its one-sided p, t and df at each margin (nside:
 * 2 for equivalence, whose p is the larger, with that side's t and df, as margin_tests picks
 * them) and its `conf` interval. */
static void margin_sides(an_table *t, tsim_test test, int nside, const double ps[2], const double ts[2],
                         const double dfs[2], double lo, double hi) {
  double side[2] = {NAN, NAN}, p = ps[0];
  int j = 0;
  if (nside == 2) {
    side[0] = ps[0];
    side[1] = ps[1];
    p = tsim_ni_tost_p(ps[0], ps[1]);
    j = tsim_ni_tost_side(ps[0], ps[1]);
  }
  margin_result(t, test, 1, ts[j], dfs[j], p, side, lo, hi);
}

/* The continuous margin tests, as a simulated trial runs them (analysis/ptanalysis.c,
 * margin_continuous): Welch's and Student's t of the difference less the margin
 * (tsim_t_margin_p) or of the ratio of means (tsim_t_ratio_p, Fieller's interval), from the
 * arms' means and SDs; and, on patients' values with baselines and for the difference, ANCOVA's
 * adjusted difference less the margin (tsim_t_shifted_p on its fit at `conf`). Each at every
 * margin of the hypothesis (equivalence: the lower with H1 above it, the upper with H1 below).
 * Wilcoxon's rank-sum test has no margin version. */
static void continuous_margin_tests(an_table *t) {
  const an_arm *c = &t->arm[0], *e = &t->arm[1];
  an_hypo *h = &t->hypo;
  int nside = h->type == TSIM_HYPO_EQUIVALENCE ? 2 : 1, ratio = h->measure == TSIM_MEAS_MEAN_RATIO;
  tsim_arm_summary s0 = summary_of(c), s1 = summary_of(e);
  h->estimate = ratio ? e->mean / c->mean : e->mean - c->mean;
  static const tsim_test ttests[2] = {TSIM_TEST_WELCH_T, TSIM_TEST_STUDENT_T};
  for (int k = 0; k < 2; k++) {
    int welch = ttests[k] == TSIM_TEST_WELCH_T;
    double ps[2] = {NAN, NAN}, ts[2] = {NAN, NAN}, dfs[2] = {NAN, NAN}, lo = NAN, hi = NAN;
    for (int i = 0; i < nside; i++) {
      int greater = nside == 2 ? i == 0 : h->higher_is_better;
      tsim_t_fit f;
      ps[i] = ratio ? tsim_t_ratio_p(welch, s0, s1, h->margin[i], greater, h->conf, &f)
                    : tsim_t_margin_p(welch, s0, s1, h->margin[i], greater, h->conf, &f);
      ts[i] = f.stat;
      dfs[i] = f.df;
      if (i == 0) lo = f.lo, hi = f.hi; /* the interval does not depend on the margin */
    }
    margin_sides(t, ttests[k], nside, ps, ts, dfs, lo, hi);
  }
  if (ratio || !c->baseline || !e->baseline) return;
  size_t n = (size_t)c->n + (size_t)e->n;
  tsim_ancova_ws *aw = tsim_ancova_ws_new(n < 4 ? 4 : n);
  tsim_ancova_fit r;
  tsim_ancova(aw, (tsim_ancova_arm){c->values, c->baseline, (size_t)c->n},
              (tsim_ancova_arm){e->values, e->baseline, (size_t)e->n}, h->conf, &r);
  tsim_ancova_ws_free(aw);
  double ps[2] = {NAN, NAN}, ts[2] = {NAN, NAN}, dfs[2] = {r.df, r.df};
  for (int i = 0; i < nside; i++) {
    ps[i] = tsim_t_shifted_p(r.diff, r.se, r.df, h->margin[i], nside == 2 ? i == 0 : h->higher_is_better);
    ts[i] = (r.diff - h->margin[i]) / r.se;
  }
  margin_sides(t, TSIM_TEST_ANCOVA, nside, ps, ts, dfs, r.lo, r.hi);
}

static void compute_table(an_table *t) {
  const an_arm *c = &t->arm[0], *e = &t->arm[1];
  t->nres = 0;
  switch (t->kind) {
    case AN_STRATIFIED:
      stratified_tests(t);
      two_by_two_tests(t); /* on the table collapsed over strata */
      if (t->hypo.type != TSIM_HYPO_SUPERIORITY) margin_tests(t);
      break;
    case AN_BINARY:
      two_by_two_tests(t);
      logistic_test(t, &c->x, &c->n, &e->x, &e->n, 1);
      if (t->hypo.type != TSIM_HYPO_SUPERIORITY) margin_tests(t);
      break;
    case AN_CONTINUOUS:
      t_tests(t);
      if (t->hypo.type != TSIM_HYPO_SUPERIORITY) continuous_margin_tests(t);
      break;
    case AN_PATIENTS:
      patient_tests(t);
      if (t->hypo.type != TSIM_HYPO_SUPERIORITY) continuous_margin_tests(t);
      break;
    case AN_SINGLE:
      add_result(t, TSIM_TEST_BINOMIAL_EXACT, NAN, NAN, tsim_binomial_exact_p(c->x, c->n, t->p0));
      break;
  }
}

void tsim_analyze_compute(tsim_analyze *a) {
  for (int i = 0; i < a->ntables; i++) compute_table(&a->tables[i]);
}

/* The number of names in a list of tests_run's. */
static int count_names(const char *list) {
  int n = list[0] != '\0';
  for (const char *c = list; *c; c++) n += *c == ',';
  return n;
}

/* The names of the tests compute_table runs on a small table of kind k (with baselines or
 * not; with a non-inferiority hypothesis on the measure `hypo` (a tsim_measure) or, when
 * hypo < 0, none),
 * results from .. to-1 (to < 0: to the last), comma-separated into out[n]. */
static void tests_run(an_kind k, int baselines, int hypo, int from, int to, char *out, size_t n) {
  static double v0[] = {1, 2, 4, 3}, v1[] = {3, 5, 4, 6}, b0[] = {2, 1, 3, 2}, b1[] = {1, 2, 2, 3};
  static long long sx[] = {3, 6, 4, 7}, sn[] = {10, 10, 10, 10};
  an_table t;
  memset(&t, 0, sizeof t);
  t.kind = k;
  t.narms = k == AN_SINGLE ? 1 : 2;
  t.arm[0] = (an_arm){"c", 3, 10, 1, 1, NULL, NULL, 0, 0};
  t.arm[1] = (an_arm){"e", 6, 10, 2, 1, NULL, NULL, 0, 0};
  if (k == AN_PATIENTS) {
    t.arm[0].values = v0, t.arm[1].values = v1, t.arm[0].n = t.arm[1].n = 4;
    if (baselines) t.arm[0].baseline = b0, t.arm[1].baseline = b1;
  }
  if (k == AN_STRATIFIED) t.sx = sx, t.sn = sn, t.nstrata = 2;
  if (hypo >= 0) {
    double margin = is_ratio((tsim_measure)hypo) ? 0.8 : -0.1;
    t.hypo = (an_hypo){TSIM_HYPO_NONINFERIORITY, (tsim_measure)hypo, {margin, margin}, 1, 0.95, 0.025, NAN, NAN};
  }
  t.p0 = 0.5;
  compute_table(&t);
  size_t used = 0;
  out[0] = '\0';
  for (int i = from; i < (to < 0 ? t.nres : to) && used < n; i++)
    used += (size_t)snprintf(out + used, n - used, "%s%s", i > from ? ", " : "", t.res[i].test);
}

void tsim_analyze_tests_text(char *out, size_t n) {
  char bin[200], strat[100], coll[200], cont[100], pat[200], anc[100], one[100];
  char margin[TSIM_NI_NMEASURES][200], smargin[TSIM_NI_NMEASURES][100], cmargin[2][100], amargin[2][100];
  /* A stratified table gets the catalogue's STRATIFIED tests first, then those of the table
   * collapsed over strata; patients' values with baselines get tests beyond those without; a
   * binary table with a hypothesis, the margin tests that have its measure after its own (and
   * strata the stratified margin tests after theirs). */
  int nstrat = 0, nmstrat = 0, npat = 0, nbin = 1;
  for (int i = 0; i < TSIM_NTESTS; i++) {
    nstrat += tsim_test_info_of((tsim_test)i)->kind == TSIM_KIND_STRATIFIED;
    nmstrat += tsim_test_info_of((tsim_test)i)->kind == TSIM_KIND_MARGIN_STRATIFIED;
  }
  tests_run(AN_BINARY, 0, -1, 0, -1, bin, sizeof bin);
  for (const char *c = bin; *c; c++) nbin += *c == ',';
  for (int m = 0; m < TSIM_NI_NMEASURES; m++) tests_run(AN_BINARY, 0, m, nbin, -1, margin[m], sizeof margin[m]);
  tests_run(AN_STRATIFIED, 0, -1, 0, nstrat, strat, sizeof strat);
  for (int m = 0; m < TSIM_NI_NMEASURES; m++)
    tests_run(AN_STRATIFIED, 0, m, nstrat, nstrat + nmstrat, smargin[m], sizeof smargin[m]);
  tests_run(AN_STRATIFIED, 0, -1, nstrat, -1, coll, sizeof coll);
  tests_run(AN_CONTINUOUS, 0, -1, 0, -1, cont, sizeof cont);
  tests_run(AN_PATIENTS, 0, -1, 0, -1, pat, sizeof pat);
  for (const char *c = pat; *c; c++) npat += *c == ',';
  tests_run(AN_PATIENTS, 1, -1, npat + 1, -1, anc, sizeof anc);
  /* Continuous tables with a hypothesis: the margin tests after the table's own, on summaries
   * and patients' values alike; with baselines, those beyond them. */
  char cm[2][600];
  for (int j = 0; j < 2; j++) {
    int m = j ? TSIM_MEAS_MEAN_RATIO : TSIM_MEAS_MEAN_DIFF;
    tests_run(AN_CONTINUOUS, 0, m, count_names(cont), -1, cmargin[j], sizeof cmargin[j]);
    tests_run(AN_PATIENTS, 1, m, npat + 1 + count_names(anc) + count_names(cmargin[j]), -1, amargin[j],
              sizeof amargin[j]);
    snprintf(cm[j], sizeof cm[j], "%s%s%s%s", cmargin[j],
             amargin[j][0] ? "\n                                       (patients' values with baselines also " : "",
             amargin[j], amargin[j][0] ? ")" : "");
  }
  tests_run(AN_SINGLE, 0, -1, 0, -1, one, sizeof one);
  snprintf(out, n,
           "  two arms, binary (responders of n)  %s\n"
           "    and with a \"hypothesis\" (non-inferiority or equivalence) the margin tests that\n"
           "    have its measure: risk_difference  %s\n"
           "                      risk_ratio       %s\n"
           "                      odds_ratio       %s\n"
           "  stratified, binary                  %s (by stratum); on the table collapsed\n"
           "                                      over strata: %s\n"
           "    and with a \"hypothesis\" by stratum: risk_difference  %s\n"
           "                                        risk_ratio       %s\n"
           "                                        odds_ratio       %s\n"
           "    and on the collapsed table the margin tests of two arms\n"
           "  two arms, continuous (mean, SD, n)  %s\n"
           "  two arms, patients' values          %s%s%s\n"
           "    and with a \"hypothesis\" the margin tests that have its measure, named TEST_margin\n"
           "    beside the superiority tests (wilcoxon has none):\n"
           "                      mean_difference  %s\n"
           "                      mean_ratio       %s\n"
           "  single arm, binary (against p0)     %s\n"
           "Not here: mmrm (a mixed model of values at several visits) analyses simulated trials\n"
           "only (a scenario's \"test\": \"mmrm\").\n",
           bin, margin[TSIM_NI_RD], margin[TSIM_NI_RR], margin[TSIM_NI_OR], strat, coll, smargin[TSIM_NI_RD],
           smargin[TSIM_NI_RR], smargin[TSIM_NI_OR], cont, pat,
           anc[0] ? "; with baselines also " : "", anc, cm[0], cm[1], one);
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
  double est, lo, hi;
  if (t->kind == AN_BINARY || t->kind == AN_STRATIFIED) {
    tsim_rd_wald(c->x, c->n, e->x, e->n, AN_CONF, &est, &lo, &hi);
    cJSON_AddItemToObject(o, "risk_difference_wald", interval(est, lo, hi));
    tsim_rd_newcombe(c->x, c->n, e->x, e->n, AN_CONF, &est, &lo, &hi);
    cJSON_AddItemToObject(o, "risk_difference_newcombe", interval(est, lo, hi));
    if (t->has_logit) {
      const tsim_logit_fit *l = &t->logit;
      cJSON_AddItemToObject(o, "log_odds_ratio_logistic", interval(l->est, l->lo, l->hi));
      cJSON_AddItemToObject(o, "odds_ratio_logistic",
                            interval(exp(l->est), exp(l->lo), exp(l->hi)));
    }
  } else if (t->kind == AN_CONTINUOUS || t->kind == AN_PATIENTS) {
    tsim_t_fit r;
    tsim_welch_t(summary_of(c), summary_of(e), AN_CONF, &r);
    cJSON_AddItemToObject(o, "difference_in_means_welch", interval(r.diff, r.lo, r.hi));
    tsim_student_t(summary_of(c), summary_of(e), AN_CONF, &r);
    cJSON_AddItemToObject(o, "difference_in_means_student", interval(r.diff, r.lo, r.hi));
    if (t->has_ancova)
      cJSON_AddItemToObject(o, "difference_in_means_ancova",
                            interval(t->ancova.diff, t->ancova.lo, t->ancova.hi));
  } else {
    tsim_estimate w = tsim_estimate_proportion((uint64_t)c->x, (uint64_t)c->n);
    cJSON_AddItemToObject(o, "proportion_wilson", interval(w.estimate, w.lo, w.hi));
  }
  return o;
}

/* What a conclusion is called: the hypothesis the experimental arm is shown to meet. */
static const char *conclusion(const an_hypo *h, int reject) {
  if (!reject) return "not shown";
  return h->type == TSIM_HYPO_EQUIVALENCE ? "equivalent" : "non-inferior";
}

/* The hypothesis; `estimate` is the (collapsed) table's, and strata add the stratified one. */
static cJSON *hypothesis_json(const an_hypo *h, int stratified) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "type", tsim_hypo_names[h->type]);
  cJSON_AddStringToObject(o, "measure", tsim_measure_names[h->measure]);
  if (h->type == TSIM_HYPO_EQUIVALENCE) {
    cJSON *m = cJSON_AddArrayToObject(o, "margin");
    for (int i = 0; i < 2; i++) cJSON_AddItemToArray(m, cJSON_CreateNumber(h->margin[i]));
  } else {
    cJSON_AddNumberToObject(o, "margin", h->margin[0]);
  }
  cJSON_AddBoolToObject(o, "higher_is_better", h->higher_is_better);
  cJSON_AddNumberToObject(o, "conf", h->conf);
  cJSON_AddNumberToObject(o, "level", h->level);
  cJSON_AddItemToObject(o, "estimate", num(h->estimate));
  if (stratified) cJSON_AddItemToObject(o, "estimate_stratified", num(h->estimate_strat));
  return o;
}

/* A margin test's entry beyond statistic and p (the one-sided p at the margin; equivalence: the
 * larger of the two, each also given): its interval, decision and how it decided. */
static void margin_json(const an_table *t, const an_result *r, cJSON *o) {
  if (strcmp(r->test, tsim_test_names[r->id]) != 0) /* welch_t_margin: the scenario test welch_t */
    cJSON_AddStringToObject(o, "test", tsim_test_names[r->id]);
  if (t->hypo.type == TSIM_HYPO_EQUIVALENCE) {
    cJSON_AddItemToObject(o, "p_lower_margin", num(r->p_side[0]));
    cJSON_AddItemToObject(o, "p_upper_margin", num(r->p_side[1]));
  }
  if (!isnan(r->lo) || !isnan(r->hi)) {
    cJSON *ci = cJSON_AddArrayToObject(o, "ci");
    cJSON_AddItemToArray(ci, num(r->lo));
    cJSON_AddItemToArray(ci, num(r->hi));
  }
  if (r->ngap > 0) { /* the interval is the hull of a set with gaps */
    cJSON *g = cJSON_AddArrayToObject(o, "rejected_inside_ci");
    for (int i = 0; i < r->ngap && i < AN_MAX_GAPS; i++) {
      cJSON *pair = cJSON_CreateArray();
      cJSON_AddItemToArray(pair, num(r->gap[i][0]));
      cJSON_AddItemToArray(pair, num(r->gap[i][1]));
      cJSON_AddItemToArray(g, pair);
    }
    cJSON_AddNumberToObject(o, "rejected_inside_ci_count", r->ngap);
  }
  cJSON_AddStringToObject(o, "decided_by", r->interval_only ? "interval" : "p");
  cJSON_AddBoolToObject(o, "reject", r->reject);
  cJSON_AddStringToObject(o, "conclusion", conclusion(&t->hypo, r->reject));
}

static cJSON *arm_json(const an_table *t, const an_arm *a) {
  cJSON *o = cJSON_CreateObject();
  if (t->kind == AN_CONTINUOUS || t->kind == AN_PATIENTS) {
    cJSON_AddNumberToObject(o, "mean", a->mean);
    cJSON_AddNumberToObject(o, "sd", a->sd);
    if (a->baseline) {
      cJSON_AddNumberToObject(o, "baseline_mean", a->base_mean);
      cJSON_AddNumberToObject(o, "baseline_sd", a->base_sd);
    }
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
    if (t->res[i].not_estimable) {
      cJSON_AddTrueToObject(r, "not_estimable");
      cJSON_AddStringToObject(r, "reason", t->res[i].not_estimable);
    }
    if (t->res[i].margin) margin_json(t, &t->res[i], r);
  }
  if (t->hypo.type != TSIM_HYPO_SUPERIORITY) cJSON_AddItemToObject(o, "hypothesis", hypothesis_json(&t->hypo, t->kind == AN_STRATIFIED));
  cJSON_AddItemToObject(o, "estimates", estimates_json(t));
  if (t->has_published) {
    cJSON_AddNumberToObject(o, "published_p", t->published_p);
    cJSON_AddNumberToObject(o, "published_decimals", t->published_decimals);
    cJSON *by = cJSON_AddArrayToObject(o, "reproduced_by");
    for (int i = 0; i < t->nres; i++)
      if (t->res[i].reproduces) cJSON_AddItemToArray(by, cJSON_CreateString(t->res[i].test));
  }
  if (t->has_published_ci) {
    cJSON *ci = cJSON_AddArrayToObject(o, "published_ci");
    for (int i = 0; i < 2; i++) cJSON_AddItemToArray(ci, cJSON_CreateNumber(t->published_ci[i]));
    cJSON_AddNumberToObject(o, "published_ci_decimals", t->published_ci_decimals);
    cJSON *by = cJSON_AddArrayToObject(o, "ci_reproduced_by");
    for (int i = 0; i < t->nres; i++)
      if (t->res[i].ci_reproduces) cJSON_AddItemToArray(by, cJSON_CreateString(t->res[i].test));
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
  cJSON_AddStringToObject(root, "ci_reproduces",
                          "a margin test reproduces a published interval when both its bounds "
                          "round to the published ones at the number of decimals published");
  cJSON *arr = cJSON_AddArrayToObject(root, "tables");
  for (int i = 0; i < a->ntables; i++) cJSON_AddItemToArray(arr, table_json(&a->tables[i]));
  char *text = tsim_json_print(root);
  cJSON_Delete(root);
  if (!text) {
    tsim_diag_add(d, "%s/analyze.json: out of memory", dir);
    return TSIM_NOMEM;
  }
  tsim_status st = tsim_report_write_text_file(dir, "analyze.json", text, d);
  free(text);
  return st;
}

/* The width of the table column: at least 26, wider for long table ids (up to 63). */
static int id_width;

static void print_estimate(FILE *f, const char *what, double est, double lo, double hi,
                           const char *how) {
  if (isfinite(est) && isfinite(lo) && isfinite(hi))
    fprintf(f, "%-*s   %s %.4g (95%% CI %.4g to %.4g), %s\n", id_width, "", what, est, lo, hi, how);
  else
    fprintf(f, "%-*s   %s: undefined, %s\n", id_width, "", what, how);
}

/* The estimates of the patient-level and logistic analyses, under the table's tests. */
static void print_estimates(const an_table *t, FILE *f) {
  const an_arm *c = &t->arm[0], *e = &t->arm[1];
  if (t->kind == AN_BINARY || t->kind == AN_STRATIFIED) {
    const char *of = t->kind == AN_STRATIFIED ? " (collapsed table)" : "";
    double est, lo, hi;
    char how[64];
    tsim_rd_wald(c->x, c->n, e->x, e->n, AN_CONF, &est, &lo, &hi);
    snprintf(how, sizeof how, "Wald%s", of);
    print_estimate(f, "risk difference", est, lo, hi, how);
    tsim_rd_newcombe(c->x, c->n, e->x, e->n, AN_CONF, &est, &lo, &hi);
    snprintf(how, sizeof how, "Newcombe%s", of);
    print_estimate(f, "risk difference", est, lo, hi, how);
  }
  if (t->kind == AN_SINGLE) {
    tsim_estimate w = tsim_estimate_proportion((uint64_t)c->x, (uint64_t)c->n);
    print_estimate(f, "response rate", w.estimate, w.lo, w.hi, "Wilson");
  }
  if (t->kind == AN_PATIENTS || t->kind == AN_CONTINUOUS) {
    tsim_t_fit r;
    tsim_welch_t(summary_of(c), summary_of(e), AN_CONF, &r);
    print_estimate(f, "difference in means", r.diff, r.lo, r.hi, "Welch");
    tsim_student_t(summary_of(c), summary_of(e), AN_CONF, &r);
    print_estimate(f, "difference in means", r.diff, r.lo, r.hi, "Student");
  }
  if (t->has_ancova)
    print_estimate(f, "difference adjusted for baseline", t->ancova.diff, t->ancova.lo,
                   t->ancova.hi, "ANCOVA");
  if (t->has_logit && t->logit.status == TSIM_LOGIT_OK)
    print_estimate(f, "odds ratio", exp(t->logit.est), exp(t->logit.lo), exp(t->logit.hi),
                   t->kind == AN_STRATIFIED ? "logistic by stratum" : "logistic");
}

/* A table's hypothesis and, per margin test, its interval and conclusion; the published
 * interval and the tests that reproduce it. */
static void print_margins(const an_table *t, FILE *f) {
  const an_hypo *h = &t->hypo;
  char m0[TSIM_NUM_CHARS], m1[TSIM_NUM_CHARS];
  const char *meas = tsim_measure_names[h->measure];
  tsim_num(m0, h->margin[0]);
  tsim_num(m1, h->margin[1]);
  char est_text[96];
  char e[2][32];
  for (int i = 0; i < 2; i++) {
    double x = i ? h->estimate : h->estimate_strat;
    if (isnan(x)) snprintf(e[i], sizeof e[i], "undefined");
    else snprintf(e[i], sizeof e[i], "%.4g", x);
  }
  if (t->kind == AN_STRATIFIED) snprintf(est_text, sizeof est_text, "%s, collapsed %s", e[0], e[1]);
  else snprintf(est_text, sizeof est_text, "%s", e[1]);
  if (h->type == TSIM_HYPO_EQUIVALENCE)
    fprintf(f, "%-*s   equivalence, H1: %s < %s < %s (estimate %s), one-sided level %g at each margin:\n",
            id_width, "", m0, meas, m1, est_text, h->level);
  else
    fprintf(f, "%-*s   non-inferiority, H1: %s %s %s (estimate %s), one-sided level %g:\n", id_width, "", meas,
            h->higher_is_better ? ">" : "<", m0, est_text, h->level);
  int reproduced = 0, wn = 0; /* the test names' column: as wide as the longest */
  for (int j = 0; j < t->nres; j++)
    if (t->res[j].margin && (int)strlen(t->res[j].test) > wn) wn = (int)strlen(t->res[j].test);
  for (int j = 0; j < t->nres; j++) {
    const an_result *r = &t->res[j];
    if (!r->margin) continue;
    char ci[96];
    if (isnan(r->lo) && isnan(r->hi)) snprintf(ci, sizeof ci, "no interval");
    else snprintf(ci, sizeof ci, "%g%% CI %.4g to %.4g", 100 * h->conf, r->lo, r->hi);
    fprintf(f, "%-*s   %-*s  %-32s %-12s%s\n", id_width, "", wn, r->test, ci, conclusion(h, r->reject),
            r->ci_reproduces ? "  reproduces the published CI" : "");
    for (int i = 0; i < r->ngap && i < AN_MAX_GAPS; i++)
      fprintf(f, "%-*s   %-*s  (but the test rejects %.4g to %.4g, inside it: sparse strata)\n", id_width, "", wn, "",
              r->gap[i][0], r->gap[i][1]);
    if (r->ngap > AN_MAX_GAPS)
      fprintf(f, "%-*s   %-*s  (and %d more such stretches: analyze.json lists the first %d)\n", id_width, "", wn, "",
              r->ngap - AN_MAX_GAPS, AN_MAX_GAPS);
    reproduced |= r->ci_reproduces;
  }
  if (t->has_published_ci)
    fprintf(f, "%-*s   (%s the published %g%% CI %.*f to %.*f)\n", id_width, "",
            reproduced ? "the tests marked reproduce" : "no margin test reproduces", 100 * h->conf,
            t->published_ci_decimals, t->published_ci[0], t->published_ci_decimals, t->published_ci[1]);
}

void tsim_analyze_print(const tsim_analyze *a, FILE *f) {
  fprintf(f, "trialsim %s  analyze %s\n\n", TSIM_VERSION, a->file);
  id_width = 26;
  int wt = 15; /* the test column: wider when a table has a margin test's long name */
  for (int i = 0; i < a->ntables; i++) {
    int l = (int)strlen(a->tables[i].id);
    id_width = l > id_width ? l : id_width;
    for (int j = 0; j < a->tables[i].nres; j++) {
      l = (int)strlen(a->tables[i].res[j].test);
      wt = l > wt ? l : wt;
    }
  }
  fprintf(f, "%-*s %-*s %11s %8s %12s %10s  %s\n", id_width, "table", wt, "test", "statistic", "df", "p",
          "published", "reproduces");
  for (int i = 0; i < a->ntables; i++) {
    const an_table *t = &a->tables[i];
    for (int j = 0; j < t->nres; j++) {
      const an_result *r = &t->res[j];
      char pub[32] = "";
      if (j == 0 && t->has_published) snprintf(pub, sizeof pub, "%.*f", t->published_decimals, t->published_p);
      fprintf(f, "%-*s %-*s", id_width, j == 0 ? t->id : "", wt, r->test);
      if (!isfinite(r->stat)) fprintf(f, " %11s", "");
      else if (fabs(r->stat) < 1e6) fprintf(f, " %11.4f", r->stat);
      else fprintf(f, " %11.6g", r->stat); /* Wilcoxon's W grows as n0 n1 */
      if (isfinite(r->df) &&
          (r->id == TSIM_TEST_WELCH_T || r->id == TSIM_TEST_STUDENT_T || r->id == TSIM_TEST_ANCOVA))
        fprintf(f, " %8.2f", r->df); /* t distributions: Welch's df is not whole */
      else if (isfinite(r->df)) fprintf(f, " %8.0f", r->df); /* chi-square: 1 */
      else fprintf(f, " %8s", "");
      if (r->not_estimable)
        fprintf(f, " %12s %10s  not estimable (%s)\n", "-", pub, r->not_estimable);
      else if (r->margin && isnan(r->p))
        fprintf(f, " %12s %10s  %s\n", "-", pub,
                isnan(r->lo)     ? "undefined"
                : r->interval_only ? "(no p: decided by its interval)"
                                   : "undefined (no information on the measure)");
      else if (isnan(r->p)) /* as analyze.json's null: no variation (every value alike), too few */
        fprintf(f, " %12s %10s  undefined\n", "-", pub);
      else
        fprintf(f, " %12.6g %10s  %s\n", r->p, pub, r->reproduces ? "yes" : "");
    }
    int reproduced = 0;
    for (int j = 0; j < t->nres; j++) reproduced |= t->res[j].reproduces;
    if (t->has_published && !reproduced)
      fprintf(f, "%-*s (no test reproduces the published p = %.*f)\n", id_width, "", t->published_decimals,
              t->published_p);
    print_estimates(t, f);
    if (t->hypo.type != TSIM_HYPO_SUPERIORITY) print_margins(t, f);
    if (t->kind == AN_STRATIFIED)
      fprintf(f, "%-*s (%s by stratum; the others on the collapsed table)\n", id_width, "",
              t->hypo.type != TSIM_HYPO_SUPERIORITY ? "cmh, logistic and miettinen_nurminen_stratified"
                                                    : "cmh and logistic");
  }
  int margins = 0;
  for (int i = 0; i < a->ntables; i++) margins |= a->tables[i].hypo.type != TSIM_HYPO_SUPERIORITY;
  fprintf(f, "\nA test reproduces a published p-value when its p rounds to it at the published number "
             "of decimals.\nDifferences are experimental - control. analyze.json has every "
             "statistic, the estimates and their 95%% intervals.\n");
  if (margins)
    fprintf(f, "Margin tests: z (the t-tests and ANCOVA: t) and the one-sided p at the margin (equivalence: the\n"
               "larger of the two sides'); a test reproduces a published CI when both bounds round to it at its\n"
               "number of decimals.\n");
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
