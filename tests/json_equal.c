/* json_equal A.json[#PATH] B.json[#PATH] [IGNORED_KEY ...] - exit 0 when the two documents (or
 * the parts at PATH, e.g. "points[2].analyses") hold equal JSON once the named top-level keys
 * are removed from both, 1 when they differ (the first differing top-level key is printed), 2
 * on unreadable input or a missing PATH. Used by the determinism and sweep tests. */
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

/* Follows "key", "key[3]", "a.b[1].c" from j; NULL if absent. */
static cJSON *follow(cJSON *j, const char *path) {
  char key[256];
  while (j && *path) {
    if (*path == '.') path++;
    if (*path == '[') {
      char *end;
      long i = strtol(path + 1, &end, 10);
      if (*end != ']') return NULL;
      j = cJSON_GetArrayItem(j, (int)i);
      path = end + 1;
      continue;
    }
    size_t len = strcspn(path, ".[");
    if (len >= sizeof key) return NULL;
    memcpy(key, path, len);
    key[len] = '\0';
    j = cJSON_GetObjectItemCaseSensitive(j, key);
    path += len;
  }
  return j;
}

/* Loads "FILE" or "FILE#PATH"; *doc gets what must be freed. */
static cJSON *load_part(const char *arg, cJSON **doc) {
  char file[4096];
  const char *hash = strchr(arg, '#');
  size_t len = hash ? (size_t)(hash - arg) : strlen(arg);
  if (len >= sizeof file) return NULL;
  memcpy(file, arg, len);
  file[len] = '\0';
  *doc = load(file);
  return hash ? follow(*doc, hash + 1) : *doc;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: json_equal A.json[#PATH] B.json[#PATH] [IGNORED_KEY ...]\n"); return 2; }
  cJSON *da = NULL, *db = NULL;
  cJSON *a = load_part(argv[1], &da), *b = load_part(argv[2], &db);
  if (!a || !b) { fprintf(stderr, "json_equal: cannot read, parse or find %s\n", a ? argv[2] : argv[1]); return 2; }
  for (int i = 3; i < argc; i++) {
    cJSON_DeleteItemFromObjectCaseSensitive(a, argv[i]);
    cJSON_DeleteItemFromObjectCaseSensitive(b, argv[i]);
  }
  int eq = cJSON_Compare(a, b, 1);
  if (!eq && cJSON_IsObject(a))
    for (cJSON *x = a->child; x; x = x->next) {
      cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
      if (!y || !cJSON_Compare(x, y, 1)) { printf("differs at top-level key \"%s\"\n", x->string); break; }
    }
  cJSON_Delete(da);
  cJSON_Delete(db);
  return eq ? 0 : 1;
}
