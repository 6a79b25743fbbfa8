/* refcheck.h - comparing the library with R's reference values, shared by the tests that do
 * (test_stattest, test_contest, test_ranktest, test_ancova, test_logistic): reading the .csv
 * files of tests/r or the reference lines embedded in a test, checks that count passes and
 * failures and print "observed vs expected", and the summary line. Header-only: everything is
 * static. */
#ifndef TSIM_TEST_REFCHECK_H
#define TSIM_TEST_REFCHECK_H

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int n_pass, n_fail;

/* obs agrees with exp to an absolute abs_tol when that is > 0, else to a relative rel_tol;
 * a NaN is matched only by a NaN. */
static inline int ref_close(double obs, double exp, double rel_tol, double abs_tol) {
  if (isnan(exp) || isnan(obs)) return isnan(exp) && isnan(obs);
  if (obs == exp) return 1;
  return abs_tol > 0 ? fabs(obs - exp) <= abs_tol : fabs(obs - exp) <= rel_tol * fabs(exp);
}

/* One comparison; `ctx` names the table or case. abs_tol > 0 selects an absolute tolerance. */
static inline void check_num(const char *what, const char *ctx, double obs, double exp,
                             double rel_tol, double abs_tol) {
  if (ref_close(obs, exp, rel_tol, abs_tol)) {
    n_pass++;
    return;
  }
  n_fail++;
  double err = (!isnan(obs) && !isnan(exp)) ? fabs(obs - exp) : NAN;
  if (abs_tol <= 0 && exp != 0.0) err /= fabs(exp);
  printf("FAIL %s on %s: observed %.17g vs expected %.17g (%s err %.3g, tol %g)\n", what, ctx,
         obs, exp, abs_tol > 0 ? "abs" : "rel", err, abs_tol > 0 ? abs_tol : rel_tol);
}

static inline void check_true(int ok, const char *what) {
  if (ok) {
    n_pass++;
  } else {
    n_fail++;
    printf("FAIL %s\n", what);
  }
}

/* A whole number filling the field; 1 on success. */
static inline int parse_ll(const char *s, long long *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end != '\0') return 0;
  *out = v;
  return 1;
}

/* A number filling the field, or R's NA (no value) as NaN; 1 on success. Underflow to a tiny
 * value is accepted (R prints p-values far below DBL_MIN's neighbourhood). */
static inline int parse_double(const char *s, double *out) {
  if (strcmp(s, "NA") == 0) {
    *out = NAN;
    return 1;
  }
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end != '\0' || (errno && !isnan(v) && fabs(v) > 1.0)) return 0;
  *out = v;
  return 1;
}

/* obs against exp to tol of max(|exp|, floor): relative to exp, or absolute where floor is the
 * larger scale (a value near 0 compared on the scale of its standard error, say). *worst tracks
 * the largest such error between finite values. */
static inline void refcheck_against(const char *what, const char *ctx, double obs, double exp,
                                    double floor, double tol, double *worst) {
  double scale = fmax(fabs(exp), floor);
  if (isfinite(obs) && isfinite(exp) && scale > 0 && fabs(obs - exp) / scale > *worst)
    *worst = fabs(obs - exp) / scale;
  if (isfinite(exp) && scale > fabs(exp))
    check_num(what, ctx, obs, exp, 0, tol * scale);
  else
    check_num(what, ctx, obs, exp, tol, 0);
}

/* --- Reading reference lines ------------------------------------------------------------- */

/* Splits s in place at every `sep` into f; returns the number of fields, or max + 1 if there
 * are more. */
static inline int refcheck_split(char *s, char sep, char **f, int max) {
  int k = 0;
  for (char *p = s;;) {
    if (k == max) return max + 1;
    f[k++] = p;
    char *c = strchr(p, sep);
    if (!c) return k;
    *c = '\0';
    p = c + 1;
  }
}

/* The fields of a list of exactly n (>= 1) items separated by ';', split in place, in a new
 * array (free it); NULL if there are more or fewer. */
static inline char **refcheck_list_fields(char *s, long long n) {
  char **f = malloc((size_t)(n + 1) * sizeof *f);
  if (f && refcheck_split(s, ';', f, (int)n) != (int)n) {
    free(f);
    f = NULL;
  }
  return f;
}

/* n numbers (or NA) separated by ';' into a new array (free it); NULL on a malformed list. An
 * empty field is the list of 0 numbers. */
static inline double *refcheck_parse_list(char *s, long long n) {
  double *v = malloc((size_t)(n > 0 ? n : 1) * sizeof *v);
  if (!v) return NULL;
  if (n == 0) return *s == '\0' ? v : (free(v), NULL);
  char **f = refcheck_list_fields(s, n);
  int ok = f != NULL;
  for (long long i = 0; ok && i < n; i++) ok = parse_double(f[i], &v[i]);
  free(f);
  if (!ok) {
    free(v);
    return NULL;
  }
  return v;
}

/* n (>= 1) whole numbers separated by ';' into v; 1 on success. */
static inline int refcheck_parse_counts(char *s, long long n, long long *v) {
  char **f = refcheck_list_fields(s, n);
  int ok = f != NULL;
  for (long long i = 0; ok && i < n; i++) ok = parse_ll(f[i], &v[i]);
  free(f);
  return ok;
}

/* Checks one reference line (without its line end; the function may modify it); `where` names
 * it in messages ("file:line", or "REF"). Returns the number of cases it checked (0 or 1),
 * having counted and printed any failure itself; a negative value stops reading the file. */
typedef int (*refcheck_line_fn)(char *line, const char *where);

/* Checks every line of a reference CSV but comments (#), empty lines and a header line
 * starting with header_prefix (none if NULL); returns the number of cases checked. A file
 * that cannot be read or holds no case is a failure. */
static inline int refcheck_csv(const char *path, const char *header_prefix,
                               refcheck_line_fn check_line) {
  FILE *fp = fopen(path, "r");
  if (!fp) {
    printf("FAIL cannot open reference file %s\n", path);
    n_fail++;
    return 0;
  }
  char *line = NULL, where[4200];
  size_t cap = 0;
  int lineno = 0, rows = 0;
  while (getline(&line, &cap, fp) > 0) {
    lineno++;
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '#' || line[0] == '\0' ||
        (header_prefix && strncmp(line, header_prefix, strlen(header_prefix)) == 0))
      continue;
    snprintf(where, sizeof where, "%s:%d", path, lineno);
    int k = check_line(line, where);
    if (k < 0) break;
    rows += k;
  }
  free(line);
  fclose(fp);
  if (rows == 0) {
    printf("FAIL %s holds no cases\n", path);
    n_fail++;
  }
  return rows;
}

/* The reference cases of a test that takes at most one argument: the CSV at `path` if it is
 * not NULL, else the n lines `ref` embedded in the test (each copied, then checked). Prints how
 * many cases were checked, and returns that count. */
static inline int refcheck_reference(const char *path, const char *header_prefix,
                                     refcheck_line_fn check_line, const char *const *ref,
                                     size_t n) {
  int rows = 0;
  if (path) {
    rows = refcheck_csv(path, header_prefix, check_line);
    printf("reference: %d cases from %s\n", rows, path);
    return rows;
  }
  for (size_t i = 0; i < n; i++) {
    char *line = strdup(ref[i]);
    if (line) {
      rows += check_line(line, "REF") > 0;
    } else {
      printf("FAIL REF: out of memory\n");
      n_fail++;
    }
    free(line);
  }
  printf("reference: %d cases (embedded)\n", rows);
  return rows;
}

/* main's arguments for a test that reads at most one reference CSV: 1 if they fit, else 0
 * with the usage printed. */
static inline int refcheck_args_ok(int argc, char **argv) {
  if (argc <= 2) return 1;
  fprintf(stderr, "usage: %s [REFERENCE.csv]\n", argv[0]);
  return 0;
}

/* The last line of every test; returns the exit status (1 if any check failed). */
static inline int refcheck_summary(void) {
  printf("%d passed, %d failed\n", n_pass, n_fail);
  return n_fail ? 1 : 0;
}

#endif
