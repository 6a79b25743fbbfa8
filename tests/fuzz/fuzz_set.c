/* fuzz_set.c - libFuzzer harness of --set: its parsing (tsim_grid_parse_one for run, check,
 * cohort and size; tsim_grid_add_set and the grid for sweep) and its application to a scenario.
 *
 * The input is text, one --set argument per line (at most TSIM_GRID_MAX_PARAMS of them); a
 * first line "@NAME" picks the shipped scenario they apply to (scenarios/NAME, default
 * lupil2.json; the folder is compiled in as TSIM_FUZZ_SCENARIOS). Each line is parsed both ways;
 * the lines parse_one accepts are applied together to the scenario (as `run --set A --set B`),
 * and the grid of the lines add_set accepts is checked, every point taken, and its first and
 * last points applied (as `sweep`). A variant that loads is run for a few trials when small
 * (fuzz_common.h). Build: cmake -DCMAKE_C_COMPILER=clang -DTSIM_FUZZ=ON.
 */
#include <dirent.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "input/grid.h"
#include "input/scenario.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BASES 32
static tsim_scenario_source *bases[MAX_BASES];
static char base_names[MAX_BASES][256];
static int nbases, default_base;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  tsim_fuzz_init();
  DIR *dir = opendir(TSIM_FUZZ_SCENARIOS);
  if (!dir) { perror(TSIM_FUZZ_SCENARIOS); abort(); }
  struct dirent *e;
  while ((e = readdir(dir)) && nbases < MAX_BASES) {
    size_t n = strlen(e->d_name);
    if (n < 6 || n >= sizeof base_names[0] || strcmp(e->d_name + n - 5, ".json") != 0) continue;
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", TSIM_FUZZ_SCENARIOS, e->d_name);
    tsim_diag d;
    tsim_diag_init(&d);
    tsim_scenario_source *src = tsim_scenario_source_open(path, &d);
    if (!src) { tsim_diag_print(&d, "fuzz: ", stderr); abort(); }
    tsim_diag_clear(&d);
    if (strcmp(e->d_name, "lupil2.json") == 0) default_base = nbases;
    snprintf(base_names[nbases], sizeof base_names[0], "%s", e->d_name);
    bases[nbases++] = src;
  }
  closedir(dir);
  if (nbases == 0) { fprintf(stderr, "fuzz: no scenario in %s\n", TSIM_FUZZ_SCENARIOS); abort(); }
  return 0;
}

/* The variant of base b with these overrides, run briefly when it loads. */
static void apply(int b, const tsim_override *ov, int nov) {
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  tsim_status st = tsim_scenario_from_source(bases[b], ov, nov, &sc, &d);
  if (st == TSIM_OK) {
    if (tsim_diag_count(&d) != 0) abort();
    tsim_fuzz_run(sc, 0);
  } else if (tsim_diag_count(&d) == 0 && !d.oom) {
    abort(); /* refused without saying why */
  }
  tsim_scenario_free(sc);
  tsim_diag_clear(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  if (size) memcpy(text, data, size);
  text[size] = '\0';
  char *lines[TSIM_GRID_MAX_PARAMS + 1];
  int nlines = 0;
  for (char *s = text; nlines < TSIM_GRID_MAX_PARAMS + 1;) {
    lines[nlines++] = s;
    char *nl = strchr(s, '\n');
    if (!nl) break;
    *nl = '\0';
    s = nl + 1;
  }
  int b = default_base, first = 0;
  if (nlines > 0 && lines[0][0] == '@') {
    for (int i = 0; i < nbases; i++)
      if (strcmp(lines[0] + 1, base_names[i]) == 0) b = i;
    first = 1;
  }

  tsim_override ov[TSIM_GRID_MAX_PARAMS + 1];
  int nov = 0;
  tsim_grid g;
  memset(&g, 0, sizeof g);
  int grid_ok = 1;
  for (int i = first; i < nlines; i++) {
    char why[300];
    why[0] = '\0';
    if (tsim_grid_parse_one(lines[i], &ov[nov], why, sizeof why) == 0) {
      if (!isfinite(ov[nov].value)) abort(); /* --set took a value that is not a number */
      nov++;
    } else if (!why[0]) {
      abort(); /* refused without saying why */
    }
    why[0] = '\0';
    if (grid_ok && tsim_grid_add_set(&g, lines[i], why, sizeof why) != 0) {
      if (!why[0]) abort();
      grid_ok = 0;
    }
  }
  if (nov > 0) apply(b, ov, nov);

  char why[300];
  if (grid_ok && g.nparams > 0 && tsim_grid_finish(&g, why, sizeof why) == 0) {
    if (g.npoints < 1 || g.npoints > TSIM_GRID_MAX_POINTS) abort();
    tsim_override pt[TSIM_GRID_MAX_PARAMS];
    for (int k = 0; k < g.npoints; k++) {
      tsim_grid_point(&g, k, pt);
      for (int i = 0; i < g.nparams; i++)
        if (!isfinite(pt[i].value)) abort();
    }
    tsim_grid_point(&g, 0, pt);
    apply(b, pt, g.nparams);
    if (g.npoints > 1) {
      tsim_grid_point(&g, g.npoints - 1, pt);
      apply(b, pt, g.nparams);
    }
  }
  tsim_grid_free(&g);
  free(text);
  return 0;
}
