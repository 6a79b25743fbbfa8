/* test_json.c - the JSON printer (sim/output/json.h): numbers as the shortest text that reads
 * back, the same doubles cJSON_Print writes, and strings escaped as RFC 8259 asks.
 *
 * Not statistical. Points: numbers users and the report write (0.05, 0.9, 1/3, 0.1 + 0.2, whole
 * numbers up to 2^53, tiny and huge ones, negative zero, NaN and infinity, which become null);
 * every byte 1 to 255 in a string and broken UTF-8; and the analyses of summary.json built by the
 * report's own builders from a run of the scenario given (argv[1], few trials): each number of
 * the printer's text, read back, is the double in the tree bit for bit and the double that
 * cJSON_Print's text reads back as.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "output/json.h"
#include "output/report_internal.h"

/* Walks a (tree as built) and b (a's text read back) together: same shape, same strings, every
 * number of a equal to b's bit for bit (a non-finite number or -0: b's null or 0) - or, with
 * lossy, b's within cJSON_Print's own tolerance, a relative DBL_EPSILON (cJSON writes 15 digits
 * when they read back to a double that close, not to the same one: 0.1 + 0.2 as 0.3); *lossy
 * counts those. Counts the numbers in *n; 0 when they match. */
static int same_tree(const cJSON *a, const cJSON *b, int *n, int *lossy, char *where, size_t wn) {
  if (cJSON_IsNumber(a)) {
    ++*n;
    double x = a->valuedouble;
    if (!isfinite(x)) return cJSON_IsNull(b) ? 0 : (snprintf(where, wn, "non-finite not null"), 1);
    if (!cJSON_IsNumber(b)) return snprintf(where, wn, "number became another type"), 1;
    double y = b->valuedouble;
    if (x == 0 ? y == 0 && !signbit(y) : memcmp(&x, &y, sizeof x) == 0) return 0;
    if (lossy && fabs(x - y) <= fmax(fabs(x), fabs(y)) * DBL_EPSILON) return ++*lossy, 0;
    snprintf(where, wn, "%.17g read back as %.17g", x, y);
    return 1;
  }
  if ((a->type & 0xff) != (b->type & 0xff))
    return snprintf(where, wn, "types differ at \"%s\"", a->string ? a->string : "?"), 1;
  if (cJSON_IsString(a) && strcmp(a->valuestring, b->valuestring) != 0)
    return snprintf(where, wn, "string \"%s\" read back as \"%s\"", a->valuestring, b->valuestring), 1;
  const cJSON *x = a->child, *y = b->child;
  for (; x && y; x = x->next, y = y->next) {
    if ((x->string || y->string) && (!x->string || !y->string || strcmp(x->string, y->string)))
      return snprintf(where, wn, "keys differ"), 1;
    if (same_tree(x, y, n, lossy, where, wn)) return 1;
  }
  return x || y ? (snprintf(where, wn, "lengths differ"), 1) : 0;
}

/* The printer's text of root, read back, holds root's values exactly; cJSON_Print's holds them
 * up to its tolerance (same_tree). */
static void check_round_trip(const cJSON *root, const char *what) {
  char *mine = tsim_json_print(root), *theirs = cJSON_Print(root);
  CHECK(mine && theirs, "%s: printed", what);
  if (!mine || !theirs) { free(mine); free(theirs); return; }
  cJSON *a = cJSON_Parse(mine), *b = cJSON_Parse(theirs);
  CHECK(a != NULL, "%s: the printer's text is JSON:\n%s", what, mine);
  char why[300] = "";
  int n1 = 0, n2 = 0, lossy = 0;
  if (a) CHECK(same_tree(root, a, &n1, NULL, why, sizeof why) == 0, "%s: printer: %s", what, why);
  if (a && b) CHECK(same_tree(a, b, &n2, &lossy, why, sizeof why) == 0, "%s: vs cJSON_Print: %s", what, why);
  printf("%s: %d numbers read back exactly; cJSON_Print's text reads back as another double "
         "(1 ulp or so away) for %d of them\n", what, n1, lossy);
  cJSON_Delete(a);
  cJSON_Delete(b);
  free(mine);
  free(theirs);
}

/* The text of one number as the printer writes it. */
static const char *num_text(double x) {
  static char out[64];
  cJSON *arr = cJSON_CreateArray();
  cJSON_AddItemToArray(arr, cJSON_CreateNumber(x));
  char *s = tsim_json_print(arr);
  snprintf(out, sizeof out, "%s", s ? s : "(null)");
  size_t len = strlen(out);
  if (len > 0 && out[len - 1] == '\n') out[len - 1] = '\0';
  free(s);
  cJSON_Delete(arr);
  return out;
}

static void numbers(void) {
  static const struct { double x; const char *text; } known[] = {
      {0.05, "[0.05]"}, {0.9, "[0.9]"}, {1.0 / 3, "[0.3333333333333333]"}, {0.1 + 0.2, "[0.30000000000000004]"},
      {40, "[40]"}, {1500, "[1500]"}, {-2.5, "[-2.5]"}, {9007199254740991.0, "[9007199254740991]"},
      {1e-7, "[1e-07]"}, {1e300, "[1e+300]"}, {0.0, "[0]"}, {-0.0, "[0]"}, {NAN, "[null]"},
      {INFINITY, "[null]"}, {-INFINITY, "[null]"}, {20221, "[20221]"}};
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
    CHECK(strcmp(num_text(known[i].x), known[i].text) == 0, "%.17g: want %s, got %s", known[i].x,
          known[i].text, num_text(known[i].x));
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(known[i].x));
  }
  /* Random doubles of every magnitude (bit patterns from splitmix64, non-finite ones skipped). */
  uint64_t s = 20261205;
  for (int i = 0; i < 20000; i++) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    double x;
    memcpy(&x, &z, sizeof x);
    if (isfinite(x)) cJSON_AddItemToArray(arr, cJSON_CreateNumber(x));
    cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)(z % 1000003) / 1000));
  }
  check_round_trip(arr, "numbers");
  cJSON_Delete(arr);
}

static void strings(void) {
  char all[256];
  for (int i = 1; i < 256; i++) all[i - 1] = (char)i;
  all[255] = '\0';
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "ascii", "tab\there \"quoted\" back\\slash\nline\x01\x1f\x7f");
  cJSON_AddStringToObject(o, "utf8", "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80");
  cJSON_AddStringToObject(o, "key with \"quote\"\n", "v");
  char *text = tsim_json_print(o);
  if (!text) { CHECK(0, "%s", "out of memory"); return; }
  CHECK(strstr(text, "\"tab\\there \\\"quoted\\\" back\\\\slash\\nline\\u0001\\u001f\x7f\""),
        "escapes: %s", text);
  CHECK(strstr(text, "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80"), "UTF-8 kept: %s", text);
  for (const char *p = text; *p; p++)
    CHECK((unsigned char)*p >= 0x20 || *p == '\n', "a raw control character 0x%02x in the text", *p);
  check_round_trip(o, "strings");
  free(text);
  /* Broken UTF-8 (a stray continuation byte, a lead byte cut short, an overlong '/', a
   * surrogate, 0xff): each bad byte becomes U+FFFD and the text stays JSON. */
  cJSON *b = cJSON_CreateObject();
  cJSON_AddStringToObject(b, "bad", "a\x80" "b\xc3" "c\xc0\xaf" "d\xed\xa0\x80" "e\xff");
  cJSON_AddStringToObject(b, "all", all);
  text = tsim_json_print(b);
  if (!text) { CHECK(0, "%s", "out of memory"); return; }
  CHECK(strstr(text, "\"a\\ufffdb\\ufffdc\\ufffd\\ufffdd\\ufffd\\ufffd\\ufffde\\ufffd\""),
        "broken UTF-8: %s", text);
  cJSON *back = text ? cJSON_Parse(text) : NULL;
  CHECK(back != NULL, "the text with every byte is JSON: %s", text);
  cJSON_Delete(back);
  free(text);
  cJSON_Delete(b);
  cJSON_Delete(o);
}

static void layout(void) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "n", 1);
  cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
  cJSON_AddItemToArray(ci, cJSON_CreateNumber(0.25));
  cJSON_AddItemToArray(ci, cJSON_CreateNull());
  cJSON_AddArrayToObject(o, "empty");
  cJSON_AddObjectToObject(o, "none");
  cJSON *list = cJSON_AddArrayToObject(o, "list");
  cJSON_AddItemToArray(list, cJSON_CreateObject());
  cJSON_AddNumberToObject(list->child, "x", 0.5);
  char *text = tsim_json_print(o);
  const char *want = "{\n  \"n\": 1,\n  \"ci95\": [0.25, null],\n  \"empty\": [],\n  \"none\": {},\n"
                     "  \"list\": [\n    {\n      \"x\": 0.5\n    }\n  ]\n}\n";
  CHECK(text && strcmp(text, want) == 0, "layout: want\n%sgot\n%s", want, text);
  free(text);
  cJSON_Delete(o);
}

/* summary.json's analyses as the report builds them, from a short run of `file`. */
static void summary(const char *file) {
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  CHECK(tsim_scenario_load(file, &sc, &d) == TSIM_OK, "%s: loads", file);
  tsim_diag_clear(&d);
  if (!sc) return;
  tsim_run_opts o = {7, 0, 600, 2, NULL, NULL, 1, 0};
  tsim_tally *t = NULL;
  CHECK(tsim_run(sc, &o, &t) == TSIM_OK, "%s: runs", file);
  if (t) {
    cJSON *arr = cJSON_CreateArray();
    int ncmp = tsim_scenario_ncomparisons(sc);
    for (int k = 0; k < t->ncomp; k++)
      cJSON_AddItemToArray(arr, tsim__report_analysis_json(sc, t, k, 0.1 + 0.2 * k, sc->analyses[k / ncmp].alpha));
    tsim_run_info ri = {7, 600, 2, 1.0 / 3, 1, 0, 0, 0, 0};
    cJSON_AddItemToArray(arr, tsim__report_run_json(&ri, 600));
    check_round_trip(arr, file);
    int n = 0;
    char why[300] = "", *text = tsim_json_print(arr);
    cJSON *back = text ? cJSON_Parse(text) : NULL;
    CHECK(back && same_tree(arr, back, &n, NULL, why, sizeof why) == 0 && n > 100,
          "%s: %d numbers: %s", file, n, why);
    cJSON_Delete(back);
    free(text);
    cJSON_Delete(arr);
  }
  tsim_tally_free(t);
  tsim_scenario_free(sc);
}

int main(int argc, char **argv) {
  numbers();
  strings();
  layout();
  for (int i = 1; i < argc; i++) summary(argv[i]);
  return tsim_check_done();
}
