/* json_equal A.json B.json [IGNORED_KEY ...] - exit 0 when the two files hold equal JSON once
 * the named top-level keys are removed from both, 1 when they differ (the first differing
 * top-level key is printed), 2 on unreadable input. Used by the determinism test. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *load(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { fclose(f); free(buf); return NULL; }
  buf[n] = '\0';
  fclose(f);
  cJSON *j = cJSON_Parse(buf);
  free(buf);
  return j;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: json_equal A.json B.json [IGNORED_KEY ...]\n"); return 2; }
  cJSON *a = load(argv[1]), *b = load(argv[2]);
  if (!a || !b) { fprintf(stderr, "json_equal: cannot read or parse input\n"); return 2; }
  for (int i = 3; i < argc; i++) {
    cJSON_DeleteItemFromObjectCaseSensitive(a, argv[i]);
    cJSON_DeleteItemFromObjectCaseSensitive(b, argv[i]);
  }
  int eq = cJSON_Compare(a, b, 1);
  if (!eq)
    for (cJSON *x = a->child; x; x = x->next) {
      cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
      if (!y || !cJSON_Compare(x, y, 1)) { printf("differs at top-level key \"%s\"\n", x->string); break; }
    }
  cJSON_Delete(a);
  cJSON_Delete(b);
  return eq ? 0 : 1;
}
