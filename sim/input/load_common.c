/* load_common.c - what both halves of the scenario loader (scenario_load.c, scenario_model.c) use:
 * ids and references to arms and end points, and arrays of a bounded length
 * (scenario_internal.h). */
#include <string.h>

#include "input/jpath.h"
#include "input/scenario_internal.h"

typedef tsim__loader loader;

int tsim__find_arm(const tsim_scenario *sc, const char *id) {
  for (int i = 0; i < sc->narms; i++)
    if (strcmp(sc->arms[i].id, id) == 0) return i;
  return -1;
}

int tsim__find_endpoint(const tsim_scenario *sc, const char *id) {
  for (int i = 0; i < sc->nendpoints; i++)
    if (strcmp(sc->endpoints[i].id, id) == 0) return i;
  return -1;
}

void tsim__unknown_arm(loader *L, const char *path, const char *id) {
  char arms[TSIM_MAX_ARMS * (TSIM_ID_MAX + 2) + 1] = "";
  size_t used = 0;
  for (int a = 0; a < L->sc->narms && used < sizeof arms; a++) {
    int w = snprintf(arms + used, sizeof arms - used, "%s%s", a ? ", " : "", L->sc->arms[a].id);
    if (w > 0) used += (size_t)w;
  }
  tsim_jerr(&L->c, path, "unknown arm \"%s\" (the arms: %s)", id, arms);
}

/* An arm id given as a string value at obj[key]; returns the index or -1 (reported). When
 * the arms failed, only the form of the value is checked. */
int tsim__arm_ref(loader *L, const cJSON *obj, const char *path, const char *key) {
  char id[TSIM_ID_MAX];
  if (tsim_jstring(&L->c, obj, path, key, 1, id, sizeof id) != 1 || !L->arms_ok) return -1;
  int a = tsim__find_arm(L->sc, id);
  if (a < 0) {
    char p[TSIM_JPATH_MAX];
    tsim_jpath_key(p, path, key);
    tsim__unknown_arm(L, p, id);
  }
  return a;
}

int tsim__endpoint_ref(loader *L, const cJSON *obj, const char *path, const char *key,
                       int required) {
  char id[TSIM_ID_MAX];
  if (tsim_jstring(&L->c, obj, path, key, required, id, sizeof id) != 1) return -1;
  int e = tsim__find_endpoint(L->sc, id);
  if (e < 0) {
    char p[TSIM_JPATH_MAX];
    tsim_jpath_key(p, path, key);
    tsim_jerr(&L->c, p, "unknown end point \"%s\"", id);
  }
  return e;
}

/* [A-Za-z0-9_.-]+ other than "." and "..", which name a folder that already exists. */

int tsim__valid_name(const char *s) {
  if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0) return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '_' || *s == '-' || *s == '.'))
      return 0;
  return 1;
}

/* An id: 1..63 characters from [A-Za-z0-9_.-], so it is safe in file names and CSV cells. */
int tsim__get_id(loader *L, const cJSON *obj, const char *path, char *out) {
  int st = tsim_jstring(&L->c, obj, path, "id", 1, out, TSIM_ID_MAX);
  if (st == 1 && !tsim__valid_name(out)) {
    char p[TSIM_JPATH_MAX];
    tsim_jpath_key(p, path, "id");
    tsim_jerr(&L->c, p, "expected " NAME_RULE ", got \"%s\"", out);
    return -1;
  }
  return st;
}

const cJSON *tsim__get_array(loader *L, const cJSON *root, const char *path,
                             const char *key, int required, int min, int max, char *p) {
  tsim_jpath_key(p, path, key);
  const cJSON *v = tsim_jget(root, key);
  if (!v) {
    if (required) tsim_jerr(&L->c, p, "required key is missing");
    return NULL;
  }
  if (!cJSON_IsArray(v)) {
    char got[64];
    tsim_jdescribe(v, got, sizeof got);
    tsim_jerr(&L->c, p, "expected an array, got %s", got);
    return NULL;
  }
  int n = cJSON_GetArraySize(v);
  if (n < min || n > max) {
    tsim_jerr(&L->c, p, "expected %d to %d elements, got %d", min, max, n);
    return NULL;
  }
  return v;
}

