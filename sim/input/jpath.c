/* jpath.c - numeric overrides by JSON path (see jpath.h). */
#include "input/jpath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/grid.h"

/* One step of a path: a key (".name") or an index ("[3]"). */
typedef struct step {
  char key[TSIM_OVERRIDE_PATH_MAX];
  long index; /* >= 0 for an index step, -1 for a key step */
} step;

/* Reads the step at *p and advances; returns 0, 1 at the end, -1 on a syntax error. */
static int next_step(const char **p, step *s, int first, char *why, size_t n) {
  const char *c = *p;
  if (*c == '\0') return 1;
  if (*c == '[') {
    char *end;
    /* digits only: strtol would also take leading spaces and a sign ("[ +0]") */
    long v = c[1] >= '0' && c[1] <= '9' ? strtol(c + 1, &end, 10) : -1;
    if (v < 0) end = (char *)c + 1;
    if (end == c + 1 || *end != ']' || v < 0 || v > 1000000) {
      snprintf(why, n, "expected [INDEX] with a whole number from 0 to 1000000 at \"%s\"", c);
      return -1;
    }
    s->index = v;
    *p = end + 1;
    return 0;
  }
  if (!first) {
    if (*c != '.') {
      snprintf(why, n, "expected '.' or '[' at \"%s\"", c);
      return -1;
    }
    c++;
  }
  size_t len = strcspn(c, ".[");
  if (len == 0 || len >= sizeof s->key) {
    snprintf(why, n, "expected a key name at \"%s\"", c);
    return -1;
  }
  memcpy(s->key, c, len);
  s->key[len] = '\0';
  s->index = -1;
  *p = c + len;
  return 0;
}

static const char *strip(const char *path) {
  if (strncmp(path, "$.", 2) == 0) return path + 2;
  if (path[0] == '$') return path + 1;
  return path;
}

int tsim_jpath_check(const char *path, char *why, size_t n) {
  const char *p = strip(path);
  step s;
  int first = 1, r;
  if (*p == '\0') {
    snprintf(why, n, "empty path");
    return -1;
  }
  while ((r = next_step(&p, &s, first, why, n)) == 0) first = 0;
  return r < 0 ? -1 : 0;
}

int tsim_jpath_set(cJSON *root, const char *path, double value, int boolean, char *why, size_t n) {
  if (tsim_jpath_check(path, why, n) != 0) return -1;
  const char *p = strip(path);
  char where[TSIM_OVERRIDE_PATH_MAX + 8] = "$";
  cJSON *node = root;
  step s;
  int first = 1;
  while (next_step(&p, &s, first, why, n) == 0) {
    first = 0;
    if (s.index >= 0) {
      if (!cJSON_IsArray(node)) {
        snprintf(why, n, "%s is not an array", where);
        return -1;
      }
      node = cJSON_GetArrayItem(node, (int)s.index);
      if (!node) {
        snprintf(why, n, "%s has no element [%ld]", where, s.index);
        return -1;
      }
      size_t len = strlen(where);
      snprintf(where + len, sizeof where - len, "[%ld]", s.index);
      continue;
    }
    if (!cJSON_IsObject(node)) {
      snprintf(why, n, "%s is not an object", where);
      return -1;
    }
    cJSON *child = cJSON_GetObjectItemCaseSensitive(node, s.key);
    size_t len = strlen(where);
    snprintf(where + len, sizeof where - len, ".%s", s.key);
    if (!child) {
      if (*p != '\0') {
        snprintf(why, n, "%s does not exist", where);
        return -1;
      }
      /* A new last key in an existing object: the validator decides whether it is allowed. */
      if (boolean ? !cJSON_AddBoolToObject(node, s.key, value == 1)
                  : !cJSON_AddNumberToObject(node, s.key, value)) {
        snprintf(why, n, "out of memory");
        return -1;
      }
      return 0;
    }
    node = child;
  }
  if (cJSON_IsBool(node)) { /* a switch: --set and sweeps write true and false as 1 and 0 */
    if (value != 0 && value != 1) {
      snprintf(why, n, "%s is true or false: give true, false, 1 or 0", where);
      return -1;
    }
    node->type = (node->type & ~0xff) | (value == 1 ? cJSON_True : cJSON_False); /* no cJSON_SetBoolValue before 1.7.16 */
    return 0;
  }
  if (!cJSON_IsNumber(node)) {
    snprintf(why, n, "%s is not a number", where);
    return -1;
  }
  if (boolean) { /* true and false stand for 1 and 0 only where the scenario has a switch */
    snprintf(why, n, "%s is a number: true and false are for switches such as an anomaly's "
                     "\"enabled\"", where);
    return -1;
  }
  cJSON_SetNumberValue(node, value);
  return 0;
}
