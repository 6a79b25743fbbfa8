/* json.c - JSON text with shortest round-trip numbers (see json.h). */
#include "output/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/numfmt.h"
#include "core/utf8.h"

/* A growing text; ok turns 0 for good when memory runs out. */
typedef struct text {
  char *s;
  size_t len, cap;
  int ok;
} text;

static void put(text *t, const char *s, size_t n) {
  if (!t->ok) return;
  if (t->len + n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 4096;
    while (t->len + n + 1 > cap) cap *= 2;
    char *s2 = realloc(t->s, cap);
    if (!s2) { t->ok = 0; return; }
    t->s = s2;
    t->cap = cap;
  }
  memcpy(t->s + t->len, s, n);
  t->len += n;
  t->s[t->len] = '\0';
}

static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }

static void indent(text *t, int depth) {
  for (int i = 0; i < depth; i++) put(t, "  ", 2);
}

static void number(text *t, double x) {
  char buf[TSIM_NUM_CHARS];
  if (!isfinite(x)) puts_(t, "null"); /* JSON has no NaN or infinity */
  else if (x == 0) puts_(t, "0");     /* not "-0" */
  else puts_(t, tsim_num(buf, x));
}

static void string(text *t, const char *s) {
  put(t, "\"", 1);
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  while (*p) {
    unsigned char c = *p;
    char esc[8];
    if (c == '"') puts_(t, "\\\"");
    else if (c == '\\') puts_(t, "\\\\");
    else if (c == '\n') puts_(t, "\\n");
    else if (c == '\t') puts_(t, "\\t");
    else if (c == '\r') puts_(t, "\\r");
    else if (c == '\b') puts_(t, "\\b");
    else if (c == '\f') puts_(t, "\\f");
    else if (c < 0x20) {
      snprintf(esc, sizeof esc, "\\u%04x", c);
      puts_(t, esc);
    } else if (c < 0x80) {
      put(t, (const char *)p, 1);
    } else {
      int n = tsim_utf8_len(p);
      if (n == 0) { puts_(t, "\\ufffd"); p++; continue; }
      put(t, (const char *)p, (size_t)n);
      p += n;
      continue;
    }
    p++;
  }
  put(t, "\"", 1);
}

static int is_scalar(const cJSON *v) { return !cJSON_IsArray(v) && !cJSON_IsObject(v); }

static void value(text *t, const cJSON *v, int depth) {
  if (cJSON_IsNumber(v)) number(t, v->valuedouble);
  else if (cJSON_IsString(v)) string(t, v->valuestring);
  else if (cJSON_IsTrue(v)) puts_(t, "true");
  else if (cJSON_IsFalse(v)) puts_(t, "false");
  else if (cJSON_IsRaw(v)) puts_(t, v->valuestring ? v->valuestring : "null");
  else if (cJSON_IsArray(v)) {
    int flat = 1;
    for (const cJSON *e = v->child; e; e = e->next) flat &= is_scalar(e);
    if (!v->child) { puts_(t, "[]"); return; }
    puts_(t, flat ? "[" : "[\n");
    for (const cJSON *e = v->child; e; e = e->next) {
      if (!flat) indent(t, depth + 1);
      value(t, e, depth + 1);
      if (e->next) puts_(t, flat ? ", " : ",");
      if (!flat) puts_(t, "\n");
    }
    if (!flat) indent(t, depth);
    puts_(t, "]");
  } else if (cJSON_IsObject(v)) {
    if (!v->child) { puts_(t, "{}"); return; }
    puts_(t, "{\n");
    for (const cJSON *e = v->child; e; e = e->next) {
      indent(t, depth + 1);
      string(t, e->string);
      puts_(t, ": ");
      value(t, e, depth + 1);
      puts_(t, e->next ? ",\n" : "\n");
    }
    indent(t, depth);
    puts_(t, "}");
  } else {
    puts_(t, "null"); /* cJSON_NULL, and anything invalid */
  }
}

char *tsim_json_print(const cJSON *root) {
  text t = {NULL, 0, 0, 1};
  value(&t, root, 0);
  puts_(&t, "\n");
  if (!t.ok) {
    free(t.s);
    return NULL;
  }
  return t.s;
}
