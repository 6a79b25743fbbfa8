/* scenario_text.h - a scenario the unit tests write as JSON text: loaded through a temporary
 * file, as the program loads one, its problems printed. */
#ifndef TSIM_SCENARIO_TEXT_H
#define TSIM_SCENARIO_TEXT_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "input/scenario.h"

/* The scenario in `json`, or NULL (its problems on stderr). */
static inline tsim_scenario *tsim_test_scenario_text(const char *json) {
  char path[] = "/tmp/tsim_test_scenario.XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return NULL;
  FILE *f = fdopen(fd, "w");
  if (!f) {
    close(fd);
    remove(path);
    return NULL;
  }
  fputs(json, f);
  fclose(f);
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  tsim_status st = tsim_scenario_load(path, &sc, &d);
  remove(path);
  if (st != TSIM_OK) tsim_diag_print(&d, "", stderr);
  tsim_diag_clear(&d);
  return st == TSIM_OK ? sc : NULL;
}

#endif
