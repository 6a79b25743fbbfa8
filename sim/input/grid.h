/* grid.h - the grid of scenario variants an experiment runs over.
 *
 * A parameter is a JSON path into the scenario with a list of values, written on the command
 * line as PATH=GRID where GRID is a list "40,60,80" or an inclusive range "40:200:20"
 * (start:stop:step, step > 0, or < 0 counting down). Two or more parameters form the full
 * (Cartesian) grid, the first varying slowest, or with `zip` are paired element by element.
 * A list may hold true and false, which are 1 and 0: a switch (an anomaly's "enabled") takes
 * either, and a value written into a boolean of the file becomes true or false (jpath.h).
 */
#ifndef TSIM_GRID_H
#define TSIM_GRID_H

#include <stddef.h>

#define TSIM_OVERRIDE_PATH_MAX 200

/* One scenario value replaced: the number at `path` becomes `value`. */
typedef struct tsim_override {
  char path[TSIM_OVERRIDE_PATH_MAX]; /* JSON path as the user wrote it, without "$." */
  double value;
  int boolean;                       /* given as true or false: only a switch takes it */
} tsim_override;

#define TSIM_GRID_MAX_PARAMS 8
#define TSIM_GRID_MAX_VALUES 10000
#define TSIM_GRID_MAX_POINTS 10000

typedef struct tsim_param {
  char path[TSIM_OVERRIDE_PATH_MAX]; /* JSON path, without "$." */
  double *values;                    /* owned */
  int nvalues;
  int boolean;                       /* some value was written true or false (a switch) */
} tsim_param;

typedef struct tsim_grid {
  tsim_param params[TSIM_GRID_MAX_PARAMS];
  int nparams;
  int zip;     /* 1: pair values element by element; 0: full grid */
  int npoints; /* set by tsim_grid_finish */
} tsim_grid;

/* Parses the text of a GRID ("1,2,3" or "a:b:step") into p->values. 0, or -1 with why. */
int tsim_grid_parse_values(const char *text, tsim_param *p, char *why, size_t n);
/* Parses "PATH=GRID" and appends it to g. 0, or -1 with why. */
int tsim_grid_add_set(tsim_grid *g, const char *arg, char *why, size_t n);
/* Parses "PATH=VALUE" with one value (--set of run, check, cohort and size): a number, or true
 * or false (1 and 0). 0, or -1 with why: the path and the value, or what is wrong with the path. */
int tsim_grid_parse_one(const char *arg, tsim_override *ov, char *why, size_t n);
/* ov as "PATH=VALUE" into buf (n >= TSIM_OVERRIDE_TEXT_MAX): the value as the shortest number
 * that reads back the same (numfmt.h), or true / false where it was given so. Returns buf. */
#define TSIM_OVERRIDE_TEXT_MAX (TSIM_OVERRIDE_PATH_MAX + 40)
char *tsim_override_text(const tsim_override *ov, char *buf, size_t n);
/* Appends a parameter from a path and explicit values (copied); boolean: some value was given
 * as true or false. 0, or -1 with why. */
int tsim_grid_add_values(tsim_grid *g, const char *path, const double *v, int nv, int boolean,
                         char *why, size_t n);
/* Checks the grid as a whole (zip lengths, point count) and sets npoints. 0 or -1 with why. */
int tsim_grid_finish(tsim_grid *g, char *why, size_t n);
/* The overrides of point k (0 <= k < npoints): ov[0 .. nparams-1]. */
void tsim_grid_point(const tsim_grid *g, int k, tsim_override *ov);
void tsim_grid_free(tsim_grid *g);

#endif
