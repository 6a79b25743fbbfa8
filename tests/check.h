/* check.h - the few assertions the unit tests share. Each failed check prints where, what was
 * expected and what was observed, and the run goes on; tsim_check_done() prints the closing
 * "N passed, N failed" line and returns the exit status. */
#ifndef TSIM_CHECK_H
#define TSIM_CHECK_H

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                              \
  do {                                                                \
    if (cond) {                                                       \
      check_passed++;                                                 \
    } else {                                                          \
      check_failed++;                                                 \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                   \
      fputc('\n', stderr);                                            \
    }                                                                 \
  } while (0)

/* |observed - expected| <= k standard errors; prints the three on failure. */
#define CHECK_SE(observed, expected, se, k, what)                                            \
  CHECK(fabs((observed) - (expected)) <= (k) * (se),                                        \
        "%s: observed %.6g vs expected %.6g (%.2f standard errors of %.3g; tolerance %g)", \
        what, (double)(observed), (double)(expected),                                      \
        ((observed) - (expected)) / (se), (double)(se), (double)(k))

/* The text of the file `path` (up to 1 MiB) in a buffer the next call overwrites, or NULL. */
static inline char *check_slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  static char buf[1 << 20];
  size_t len = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[len] = '\0';
  return buf;
}

/* The JSON document in `path` (up to 1 MiB), or NULL; caller frees with cJSON_Delete. */
static inline cJSON *check_load_json(const char *path) {
  const char *text = check_slurp(path);
  return text ? cJSON_Parse(text) : NULL;
}

static inline int tsim_check_done(void) {
  printf("%d passed, %d failed\n", check_passed, check_failed);
  return check_failed ? 1 : 0;
}

#endif
