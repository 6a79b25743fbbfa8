/* jcheck.c - checked JSON getters with paths (see jcheck.h). */
#include "input/jcheck.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

char *tsim_json_read(const char *file, size_t max_bytes, size_t *len, tsim_diag *d) {
  size_t before = tsim_diag_count(d);
  FILE *f = fopen(file, "rb");
  if (!f) {
    tsim_diag_add(d, "%s: cannot open: %s", file, strerror(errno));
    return NULL;
  }
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (n > max_bytes) {
      tsim_diag_add(d, "%s: file too large (more than %zu bytes)", file, max_bytes);
      free(buf);
      buf = NULL;
      break;
    }
    if (got == 0) break;
    if (n == cap) {
      char *nb = realloc(buf, 2 * cap + 1);
      if (!nb) { free(buf); buf = NULL; break; }
      buf = nb;
      cap *= 2;
    }
  }
  if (buf && ferror(f)) {
    tsim_diag_add(d, "%s: cannot read: %s", file, strerror(errno));
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if (buf) { buf[n] = '\0'; *len = n; }
  else if (tsim_diag_count(d) == before) tsim_diag_add(d, "%s: out of memory reading file", file);
  return buf;
}

/* The syntactic state at `end` of a JSON text that cJSON accepted up to there. */
typedef struct json_state {
  int depth;      /* arrays and objects open */
  char inner;     /* '{' or '[' of the innermost one, 0 at top level */
  char last;      /* last character outside strings and whitespace, 0 if none */
  int in_string;
} json_state;

static json_state scan_json(const char *text, const char *end) {
  json_state st = {0, 0, 0, 0};
  char open[CJSON_NESTING_LIMIT + 1];
  for (const char *p = text; p < end && *p; p++) {
    if (st.in_string) {
      if (*p == '\\' && p + 1 < end) p++;
      else if (*p == '"') st.in_string = 0;
      continue;
    }
    if (*p == '"') {
      st.in_string = 1;
    } else if (*p == '[' || *p == '{') {
      if (st.depth < (int)sizeof open) open[st.depth] = *p;
      st.depth++;
    } else if ((*p == ']' || *p == '}') && st.depth > 0) {
      st.depth--;
    }
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') st.last = *p;
  }
  if (st.depth > 0 && st.depth <= (int)sizeof open) st.inner = open[st.depth - 1];
  return st;
}

/* Where the error really is. cJSON points one past the offending character when it expected
 * an object key (as in {"a": 1,} or {'a': 1}); step back onto it, so that the line, column and
 * context show it rather than what follows. */
static const char *json_error_at(const char *text, const char *at) {
  if (at <= text || at[-1] == '"' || at[-1] == ' ' || at[-1] == '\t' ||
      at[-1] == '\n' || at[-1] == '\r')
    return at;
  json_state st = scan_json(text, at - 1);
  int key_expected = !st.in_string && st.inner == '{' && (st.last == '{' || st.last == ',') &&
                     !(st.last == '{' && at[-1] == '}'); /* {} is complete, not a bad key */
  return key_expected ? at - 1 : at;
}

cJSON *tsim_json_load(const char *file, size_t max_bytes, tsim_diag *d) {
  size_t len = 0;
  char *text = tsim_json_read(file, max_bytes, &len, d);
  if (!text) return NULL;
  cJSON *root = tsim_json_parse(file, text, len, d);
  free(text);
  return root;
}

/* At most this many problems of each kind below are reported per file; the rest are counted. */
#define JSON_TEXT_ERRORS 5

/* Line and column (1-based) of `at` in text. */
static void line_col(const char *text, const char *at, int *line, int *col) {
  *line = 1;
  *col = 1;
  for (const char *p = text; p < at && *p; p++) {
    if (*p == '\n') { (*line)++; *col = 1; } else (*col)++;
  }
}

/* Strings that hold \u0000. cJSON keeps strings as C strings, so the escape would silently cut
 * the key or value short ("sample_size\u0000junk" read as "sample_size"): found in the text,
 * where the escape still is, by walking the strings escape by escape (so the text \\u0000, a
 * backslash then "u0000", is not one). Returns the number found (the first few reported). */
static int nul_escapes(const char *file, const char *text, tsim_diag *d) {
  int found = 0, in_string = 0;
  for (const char *p = text; *p; p++) {
    if (!in_string) {
      in_string = *p == '"';
      continue;
    }
    if (*p == '"') { in_string = 0; continue; }
    if (*p != '\\' || !p[1]) continue;
    p++;
    if (*p == 'u' && strncmp(p + 1, "0000", 4) == 0 && found++ < JSON_TEXT_ERRORS) {
      int line, col;
      line_col(text, p - 1, &line, &col);
      tsim_diag_add(d, "%s:%d:%d: a string holds \\u0000 (the NUL character), which would cut it "
                       "short: not allowed in a key or a value", file, line, col);
    }
  }
  if (found > JSON_TEXT_ERRORS)
    tsim_diag_add(d, "%s: %d more strings hold \\u0000", file, found - JSON_TEXT_ERRORS);
  return found;
}

/* 1 when s .. s + n is a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?. */
static int json_number(const char *s, size_t n) {
  size_t i = 0;
  if (i < n && s[i] == '-') i++;
  if (i < n && s[i] == '0') i++;
  else if (i < n && s[i] >= '1' && s[i] <= '9') while (i < n && s[i] >= '0' && s[i] <= '9') i++;
  else return 0;
  if (i < n && s[i] == '.') {
    size_t d = ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == d) return 0;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == d) return 0;
  }
  return i == n;
}

/* Numbers cJSON reads but JSON does not allow (it refuses a value that starts with '+' or '.'
 * itself): a leading zero ("sample_size": 040 read as 40), a point without digits after it (5.,
 * 1.e-1). Found in the text, outside the strings (a number's characters as cJSON collects them:
 * digits, + - . e E). Returns the number found. */
static int loose_numbers(const char *file, const char *text, tsim_diag *d) {
  int found = 0, in_string = 0;
  for (const char *p = text; *p; p++) {
    if (in_string) {
      if (*p == '\\' && p[1]) p++;
      else if (*p == '"') in_string = 0;
      continue;
    }
    if (*p == '"') { in_string = 1; continue; }
    if (!((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == '.')) continue;
    size_t n = strspn(p, "0123456789+-.eE");
    if (!json_number(p, n) && found++ < JSON_TEXT_ERRORS) {
      int line, col;
      line_col(text, p, &line, &col);
      tsim_diag_add(d, "%s:%d:%d: the number %.*s is not JSON (no leading zeros, digits on both sides of a "
                       "point: 40, 5.0, 1.0e-1)", file, line, col, (int)(n < 40 ? n : 40), p);
    }
    p += n - 1;
  }
  if (found > JSON_TEXT_ERRORS) tsim_diag_add(d, "%s: %d more numbers are not JSON", file, found - JSON_TEXT_ERRORS);
  return found;
}

/* Keys and string values that are not UTF-8 (JSON text is UTF-8, and what is read is copied
 * into results that must be valid JSON): reported with the JSON path of the value, or of the
 * object whose key it is, and the offset of the first bad byte. Returns the number found. */
static void bad_utf8(const char *file, const cJSON *v, const char *path, int *found,
                     tsim_diag *d) {
  if (cJSON_IsString(v) && v->valuestring) {
    long at = tsim_utf8_invalid_at(v->valuestring);
    if (at >= 0 && (*found)++ < JSON_TEXT_ERRORS)
      tsim_diag_add(d, "%s: %s: expected text in UTF-8, got a string whose byte %ld (0x%02X) is "
                       "not", file, path, at + 1, (unsigned char)v->valuestring[at]);
    return;
  }
  int i = 0;
  for (const cJSON *e = v->child; e; e = e->next, i++) {
    char p[TSIM_JPATH_MAX];
    if (cJSON_IsObject(v)) {
      long at = e->string ? tsim_utf8_invalid_at(e->string) : -1;
      if (at >= 0) {
        if ((*found)++ < JSON_TEXT_ERRORS)
          tsim_diag_add(d, "%s: %s: expected keys in UTF-8, got one whose byte %ld (0x%02X) is not",
                        file, path, at + 1, (unsigned char)e->string[at]);
        continue; /* its path would carry the bad bytes */
      }
      tsim_jpath_key(p, path, e->string ? e->string : "");
    } else {
      tsim_jpath_index(p, path, i);
    }
    bad_utf8(file, e, p, found, d);
  }
}

cJSON *tsim_json_parse(const char *file, const char *text, size_t len, tsim_diag *d) {
  if (strlen(text) != len) {
    tsim_diag_add(d, "%s: malformed JSON: the file contains a NUL byte", file);
    return NULL;
  }
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
  if (root) {
    /* What cJSON accepts but would read wrongly or pass on as invalid JSON. */
    int found = nul_escapes(file, text, d) + loose_numbers(file, text, d);
    int bad = 0;
    bad_utf8(file, root, "$", &bad, d);
    if (bad > JSON_TEXT_ERRORS)
      tsim_diag_add(d, "%s: %d more keys or strings are not UTF-8", file, bad - JSON_TEXT_ERRORS);
    if (found || bad) {
      cJSON_Delete(root);
      return NULL;
    }
  }
  if (!root) {
    /* cJSON reports only where it stopped; turn that into line and column (1-based). */
    const char *at = json_error_at(text, end ? end : text);
    int line = 1, col = 1;
    for (const char *p = text; p < at && *p; p++) {
      if (*p == '\n') { line++; col = 1; } else col++;
    }
    char near[24];
    size_t k = 0;
    for (const char *p = at; *p && *p != '\n' && k < 16; p++) near[k++] = *p;
    near[k] = '\0';
    if (*at == '\0')
      tsim_diag_add(d, "%s:%d:%d: malformed JSON: unexpected end of file", file, line, col);
    else if ((*at == '[' || *at == '{') && scan_json(text, at).depth >= CJSON_NESTING_LIMIT)
      tsim_diag_add(d, "%s:%d:%d: unsupported JSON: arrays and objects nested more than %d deep",
                    file, line, col, CJSON_NESTING_LIMIT);
    else
      tsim_diag_add(d, "%s:%d:%d: malformed JSON near '%s'", file, line, col, near);
  }
  return root;
}

void tsim_jerr(tsim_jctx *c, const char *path, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  tsim_diag_add(c->diag, "%s: %s: %s", c->file, path, msg);
}

void tsim_jpath_key(char *out, const char *parent, const char *key) {
  snprintf(out, TSIM_JPATH_MAX, "%s.%s", parent, key);
}

void tsim_jpath_index(char *out, const char *parent, int index) {
  snprintf(out, TSIM_JPATH_MAX, "%s[%d]", parent, index);
}

double tsim_jround(double x, int digits) {
  char buf[40];
  snprintf(buf, sizeof buf, "%.*e", digits - 1, x);
  return strtod(buf, NULL);
}

void tsim_jdescribe(const cJSON *v, char *out, size_t n) {
  if (!v) snprintf(out, n, "nothing");
  else if (cJSON_IsNull(v)) snprintf(out, n, "null");
  else if (cJSON_IsBool(v)) snprintf(out, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
  else if (cJSON_IsNumber(v) && !isfinite(v->valuedouble))
    snprintf(out, n, "a number too large in magnitude to represent");
  else if (cJSON_IsNumber(v)) snprintf(out, n, "%s", TSIM_JNUM(v->valuedouble)); /* 40, not 4e+01 */
  else if (cJSON_IsString(v)) snprintf(out, n, "a string \"%.40s\"", v->valuestring);
  else if (cJSON_IsArray(v)) snprintf(out, n, "an array");
  else if (cJSON_IsObject(v)) snprintf(out, n, "an object");
  else snprintf(out, n, "an invalid value");
}

int tsim_jobject(tsim_jctx *c, const cJSON *v, const char *path) {
  if (cJSON_IsObject(v)) return 1;
  char got[64];
  tsim_jdescribe(v, got, sizeof got);
  tsim_jerr(c, path, "expected an object, got %s", got);
  return 0;
}

const cJSON *tsim_jget(const cJSON *obj, const char *key) {
  if (!cJSON_IsObject(obj)) return NULL;
  for (const cJSON *ch = obj->child; ch; ch = ch->next)
    if (ch->string && strcmp(ch->string, key) == 0) return ch;
  return NULL;
}

void tsim_jkeys(tsim_jctx *c, const cJSON *obj, const char *path, const char *const allowed[]) {
  int count = 0;
  for (const cJSON *ch = obj->child; ch; ch = ch->next) count++;
  if (count > TSIM_JKEYS_MAX) {
    tsim_jerr(c, path, "expected at most %d keys, got %d", TSIM_JKEYS_MAX, count);
    return;
  }
  for (const cJSON *ch = obj->child; ch; ch = ch->next) {
    int known = 0;
    for (int i = 0; allowed[i]; i++)
      if (strcmp(ch->string, allowed[i]) == 0) { known = 1; break; }
    char p[TSIM_JPATH_MAX];
    tsim_jpath_key(p, path, ch->string);
    if (!known) {
      char list[512] = "";
      size_t used = 0;
      for (int i = 0; allowed[i] && used < sizeof list - 64; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", allowed[i]);
      tsim_jerr(c, p, "unknown key (expected one of: %s)", list);
    }
    for (const cJSON *prev = obj->child; prev != ch; prev = prev->next)
      if (strcmp(prev->string, ch->string) == 0) {
        tsim_jerr(c, p, "duplicate key");
        break;
      }
  }
}

/* Shared front half of every getter: look the key up, handle absent/required. */
static const cJSON *lookup(tsim_jctx *c, const cJSON *obj, const char *path, const char *key,
                           int required, char *p, int *status) {
  tsim_jpath_key(p, path, key);
  const cJSON *v = tsim_jget(obj, key);
  *status = 1;
  if (!v) {
    if (required) {
      tsim_jerr(c, p, "required key is missing");
      *status = -1;
    } else {
      *status = 0;
    }
  }
  return v;
}

static int wrong_type(tsim_jctx *c, const char *p, const char *expected, const cJSON *v) {
  char got[64];
  tsim_jdescribe(v, got, sizeof got);
  tsim_jerr(c, p, "expected %s, got %s", expected, got);
  return -1;
}

int tsim_jvalue_number(tsim_jctx *c, const cJSON *v, const char *p, double lo, double hi,
                       double *out) {
  if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
    return wrong_type(c, p, "a finite number", v);
  double x = v->valuedouble;
  if (x < lo || x > hi) {
    char got[64];
    tsim_jdescribe(v, got, sizeof got);
    tsim_jerr(c, p, "expected a number in [%s, %s], got %s", TSIM_JNUM(lo), TSIM_JNUM(hi), got);
    return -1;
  }
  *out = x;
  return 1;
}

int tsim_jvalue_int(tsim_jctx *c, const cJSON *v, const char *p, long long lo, long long hi,
                    long long *out) {
  if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble))
    return wrong_type(c, p, "a whole number", v);
  double x = v->valuedouble;
  if (x < (double)lo || x > (double)hi) {
    char got[64];
    tsim_jdescribe(v, got, sizeof got);
    tsim_jerr(c, p, "expected a whole number in [%lld, %lld], got %s", lo, hi, got);
    return -1;
  }
  *out = (long long)x;
  return 1;
}

int tsim_jnumber(tsim_jctx *c, const cJSON *obj, const char *path, const char *key, int required,
                 double lo, double hi, double *out) {
  char p[TSIM_JPATH_MAX];
  int st;
  const cJSON *v = lookup(c, obj, path, key, required, p, &st);
  return st == 1 ? tsim_jvalue_number(c, v, p, lo, hi, out) : st;
}

int tsim_jvalue_string(tsim_jctx *c, const cJSON *v, const char *p, const char *expected) {
  return cJSON_IsString(v) ? 1 : wrong_type(c, p, expected, v);
}

int tsim_jvalue_prob(tsim_jctx *c, const cJSON *v, const char *p, double *out) {
  if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
      v->valuedouble > 1)
    return wrong_type(c, p, "a probability in [0,1]", v);
  *out = v->valuedouble;
  return 1;
}

int tsim_jprob(tsim_jctx *c, const cJSON *obj, const char *path, const char *key, int required,
               double *out) {
  char p[TSIM_JPATH_MAX];
  int st;
  const cJSON *v = lookup(c, obj, path, key, required, p, &st);
  return st == 1 ? tsim_jvalue_prob(c, v, p, out) : st;
}

int tsim_jint(tsim_jctx *c, const cJSON *obj, const char *path, const char *key, int required,
              long long lo, long long hi, long long *out) {
  char p[TSIM_JPATH_MAX];
  int st;
  const cJSON *v = lookup(c, obj, path, key, required, p, &st);
  return st == 1 ? tsim_jvalue_int(c, v, p, lo, hi, out) : st;
}

int tsim_jbool(tsim_jctx *c, const cJSON *obj, const char *path, const char *key, int required,
               int *out) {
  char p[TSIM_JPATH_MAX];
  int st;
  const cJSON *v = lookup(c, obj, path, key, required, p, &st);
  if (st != 1) return st;
  if (!cJSON_IsBool(v)) return wrong_type(c, p, "true or false", v);
  *out = cJSON_IsTrue(v) ? 1 : 0;
  return 1;
}

int tsim_jswitch(tsim_jctx *c, const cJSON *obj, const char *path, const char *key, int required,
                 int *out) {
  char p[TSIM_JPATH_MAX];
  int st;
  const cJSON *v = lookup(c, obj, path, key, required, p, &st);
  if (st != 1) return st;
  if (cJSON_IsBool(v)) *out = cJSON_IsTrue(v) ? 1 : 0;
  else if (cJSON_IsNumber(v) && (v->valuedouble == 0 || v->valuedouble == 1)) *out = v->valuedouble == 1;
  else return wrong_type(c, p, "true or false (or 1 or 0)", v);
  return 1;
}

int tsim_jstring(tsim_jctx *c, const cJSON *obj, const char *path, const char *key, int required,
                 char *out, size_t n) {
  char p[TSIM_JPATH_MAX];
  int st;
  const cJSON *v = lookup(c, obj, path, key, required, p, &st);
  if (st != 1) return st;
  if (!cJSON_IsString(v)) return wrong_type(c, p, "a string", v);
  size_t len = strlen(v->valuestring);
  if (len == 0 || len >= n) {
    tsim_jerr(c, p, "expected a string of 1 to %zu bytes, got %zu bytes", n - 1, len);
    return -1;
  }
  memcpy(out, v->valuestring, len + 1);
  return 1;
}

int tsim_jenum(tsim_jctx *c, const cJSON *obj, const char *path, const char *key, int required,
               const char *const names[], int *out) {
  char p[TSIM_JPATH_MAX];
  int st;
  const cJSON *v = lookup(c, obj, path, key, required, p, &st);
  if (st != 1) return st;
  if (cJSON_IsString(v))
    for (int i = 0; names[i]; i++)
      if (strcmp(v->valuestring, names[i]) == 0) { *out = i; return 1; }
  char list[256] = "";
  size_t used = 0;
  for (int i = 0; names[i] && used < sizeof list - 40; i++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s\"%s\"", i ? ", " : "", names[i]);
  char expected[300];
  snprintf(expected, sizeof expected, "one of %s", list);
  return wrong_type(c, p, expected, v);
}
