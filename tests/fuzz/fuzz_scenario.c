/* fuzz_scenario.c - libFuzzer harness of the scenario loader, and of a short run of every
 * scenario it accepts.
 *
 * The input is a scenario file's bytes, served to the loader through its reader
 * (tsim_scenario_set_reader), so the loader reads and parses them exactly as a file. A scenario
 * that loads is run for a few trials on one thread (tsim_fuzz_run: skipped when a trial would be
 * large; fuzz_common.h) - with exact p-values when the input's length is odd - and, when it has a
 * "sweep" block, its first and last grid points are made as variants of the same source and run
 * the same way. Build: cmake -DCMAKE_C_COMPILER=clang -DTSIM_FUZZ=ON (tests/README.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "input/scenario.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  tsim_fuzz_init();
  tsim_scenario_set_reader(tsim_fuzz_reader);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tsim_fuzz_serve(data, size);
  int p_values = (int)(size & 1);
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario_source *src = tsim_scenario_source_open("fuzz.json", &d);
  tsim_scenario *sc = NULL;
  if (src && tsim_scenario_from_source(src, NULL, 0, &sc, &d) == TSIM_OK) {
    if (tsim_diag_count(&d) != 0) abort(); /* loaded, yet a problem was reported */
    tsim_fuzz_run(sc, p_values);
    const tsim_grid *g = &sc->sweep;
    for (int k = 0; g->nparams > 0 && k < 2; k++) {
      tsim_override ov[TSIM_GRID_MAX_PARAMS];
      tsim_grid_point(g, k == 0 ? 0 : g->npoints - 1, ov);
      tsim_scenario *v = NULL;
      tsim_diag_clear(&d);
      if (tsim_scenario_from_source(src, ov, g->nparams, &v, &d) == TSIM_OK) tsim_fuzz_run(v, p_values);
      tsim_scenario_free(v);
      if (g->npoints == 1) break;
    }
  } else if (tsim_diag_count(&d) == 0 && !d.oom) {
    abort(); /* refused without saying why */
  }
  tsim_scenario_free(sc);
  tsim_scenario_source_close(src);
  tsim_diag_clear(&d);
  return 0;
}
