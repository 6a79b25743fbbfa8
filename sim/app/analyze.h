/* analyze.h - the plan's tests on observed data: published tables, no simulation.
 *
 * A data file lists tables; each is one of
 *   two arms, binary      "arms": {"placebo": {"responders": 29, "n": 50}, "il2": {...}}
 *   stratified, binary    "strata": [{"arms": {...}}, ...]  (e.g. by site)
 *   two arms, continuous  "arms": {"placebo": {"mean": -5, "sd": 20, "n": 30}, "il2": {...}}
 *   single arm, binary    "arms": {"il2": {"responders": 36, "n": 40}}, "p0": 0.5
 * with "control" naming the control arm of two, and optionally a non-inferiority or equivalence
 * "hypothesis" on a two-arm table (binary measures for binary tables and strata, mean_difference
 * or mean_ratio for continuous ones) adding the margin tests. Every applicable test is run -
 * the same names a scenario's "test" uses (a margin test also run for superiority is TEST_margin)
 * - with the estimates and their intervals, and when the table has a "published_p", the tests
 * whose p-value rounds to it at the published number of decimals are named. A tool that reproduces results must say which test it ran; it never forces agreement.
 */
#ifndef TSIM_ANALYZE_H
#define TSIM_ANALYZE_H

#include <stdio.h>

#include "core/status.h"

typedef struct tsim_analyze tsim_analyze;

/* Loads and validates a data file; on any problem every problem goes to d (file and JSON path),
 * *out is NULL and TSIM_INPUT is returned. */
tsim_status tsim_analyze_load(const char *file, tsim_analyze **out, tsim_diag *d);
void tsim_analyze_free(tsim_analyze *a);

/* Runs every test of every table (no output yet). */
void tsim_analyze_compute(tsim_analyze *a);

/* Writes DIR/analyze.json (creating DIR); TSIM_IO with the reason in d on failure. */
tsim_status tsim_analyze_write(const tsim_analyze *a, const char *dir, tsim_diag *d);
/* The readable table. */
void tsim_analyze_print(const tsim_analyze *a, FILE *f);
/* The tests run on each kind of table, one line per kind ("  two arms, binary ...  pearson,
 * n1_chisq, ..."), found by running them on a small table of each kind: `analyze --help`
 * lists them, and the list cannot drift from what is run. */
void tsim_analyze_tests_text(char *out, size_t n);
/* The default output folder name: the file's base name without ".json". */
void tsim_analyze_default_name(const char *file, char *out, size_t n);

#endif
