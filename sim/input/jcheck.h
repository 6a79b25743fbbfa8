/* jcheck.h - checked getters over a cJSON tree that report problems with their JSON path.
 *
 * Every message has the shape "FILE: $.json.path: expected ..., got ..." (where, what was
 * expected, what was found - as Lua's luaL_argerror). Getters come in required/optional pairs
 * selected by a flag and return
 *    1  the value is present and valid (written to *out),
 *    0  the key is absent and optional (*out untouched, so callers preset the default),
 *   -1  a problem was reported to the context's diag.
 * "Absent" and "malformed" are kept apart: an explicit null is malformed, not absent.
 * Only the scenario loader (and other file loaders) include this header; the cJSON tree never
 * leaves them.
 */
#ifndef TSIM_JCHECK_H
#define TSIM_JCHECK_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/numfmt.h"
#include "core/status.h"

#define TSIM_JPATH_MAX 256
/* Keys one object may have. Scenario objects have a few dozen at most; the cap keeps the
 * duplicate-key check (quadratic) from turning a hostile file into a long hang. */
#define TSIM_JKEYS_MAX 1000

typedef struct tsim_jctx {
  const char *file; /* file name as the user gave it, first in every message */
  tsim_diag *diag;  /* where problems go (caller-owned) */
} tsim_jctx;

/* Reads and parses a JSON file of at most `max_bytes`. On failure returns NULL and reports the
 * reason (unreadable, too large, or malformed with line and column). Caller frees with
 * cJSON_Delete. */
cJSON *tsim_json_load(const char *file, size_t max_bytes, tsim_diag *d);
/* tsim_json_load's two halves. The file's bytes, NUL-terminated (len of them, the NUL not
 * counted; the caller frees), or NULL when it cannot be read, is too large or memory runs out
 * (reported). */
char *tsim_json_read(const char *file, size_t max_bytes, size_t *len, tsim_diag *d);
/* The JSON text of len bytes read from `file` (named in messages) parsed, or NULL (reported:
 * a NUL byte, or malformed with line and column). The caller frees with cJSON_Delete. */
cJSON *tsim_json_parse(const char *file, const char *text, size_t len, tsim_diag *d);

/* A number in a message, as the shortest text that reads back (40, 0.05, 1000000; never 4e+01):
 * tsim_num into a buffer that lives until the end of the enclosing statement's block, so it can
 * be an argument of tsim_jerr ("got %s", TSIM_JNUM(x)). */
#define TSIM_JNUM(x) tsim_num((char[TSIM_NUM_CHARS]){0}, (x))
/* x rounded to `digits` significant digits (an estimate in a message: 2240, not 2235.17431). */
double tsim_jround(double x, int digits);

void tsim_jerr(tsim_jctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Child paths: "$.a" + "b" -> "$.a.b"; "$.a" + 3 -> "$.a[3]". Truncates safely. */
void tsim_jpath_key(char *out, const char *parent, const char *key);
void tsim_jpath_index(char *out, const char *parent, int index);

/* A short description of what a JSON value is, for "got ..." ("a string \"x\"", "1.3"). */
void tsim_jdescribe(const cJSON *v, char *out, size_t n);

/* Reports an error unless `v` is an object; returns 1 if it is. */
int tsim_jobject(tsim_jctx *c, const cJSON *v, const char *path);
/* Reports every key of `obj` not in the NULL-terminated `allowed`, and every duplicate key;
 * an object with more than TSIM_JKEYS_MAX keys is reported as such instead. */
void tsim_jkeys(tsim_jctx *c, const cJSON *obj, const char *path, const char *const allowed[]);
/* The member named exactly `key` (case-sensitive), or NULL. */
const cJSON *tsim_jget(const cJSON *obj, const char *key);

int tsim_jnumber(tsim_jctx *c, const cJSON *obj, const char *path, const char *key, int required,
                 double lo, double hi, double *out);
int tsim_jprob(tsim_jctx *c, const cJSON *obj, const char *path, const char *key, int required,
               double *out);
int tsim_jint(tsim_jctx *c, const cJSON *obj, const char *path, const char *key, int required,
              long long lo, long long hi, long long *out);
int tsim_jbool(tsim_jctx *c, const cJSON *obj, const char *path, const char *key, int required,
               int *out);
/* A switch: true or false, or the numbers 1 and 0, which is what --set and sweeps write into a
 * key the file does not have (grid.h). */
int tsim_jswitch(tsim_jctx *c, const cJSON *obj, const char *path, const char *key, int required,
                 int *out);
/* A string of 1..n-1 bytes copied into out[n]. */
int tsim_jstring(tsim_jctx *c, const cJSON *obj, const char *path, const char *key, int required,
                 char *out, size_t n);
/* One of the NULL-terminated `names`; *out is its index. */
int tsim_jenum(tsim_jctx *c, const cJSON *obj, const char *path, const char *key, int required,
               const char *const names[], int *out);

/* Value-level checks, for array elements (path is the element's own path). */
int tsim_jvalue_number(tsim_jctx *c, const cJSON *v, const char *path, double lo, double hi,
                       double *out);
int tsim_jvalue_int(tsim_jctx *c, const cJSON *v, const char *path, long long lo, long long hi,
                    long long *out);
/* A probability in [0, 1], reported as tsim_jprob reports one. */
int tsim_jvalue_prob(tsim_jctx *c, const cJSON *v, const char *path, double *out);
/* 1 if `v` is a string; otherwise reports "expected <expected>, got ..." and returns -1. */
int tsim_jvalue_string(tsim_jctx *c, const cJSON *v, const char *path, const char *expected);

#endif
