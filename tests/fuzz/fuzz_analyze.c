/* fuzz_analyze.c - libFuzzer harness of `trialsim analyze`'s loader and computation.
 *
 * The input is a data file's bytes, written to a file in a private temporary folder (the loader
 * reads a file: tsim_analyze_load), loaded, and when accepted computed (every test of every
 * table), printed to /dev/null and written as analyze.json into the same folder - the path of
 * `trialsim analyze FILE`. Build: cmake -DCMAKE_C_COMPILER=clang -DTSIM_FUZZ=ON.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/analyze.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[4096], file[4200], out[4200], json[4300];

static void remove_dir(void) {
  remove(json);
  rmdir(out);
  remove(file);
  rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  tsim_fuzz_init();
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/tsim_fuzz_analyze.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) { perror(dir); abort(); }
  snprintf(file, sizeof file, "%s/data.json", dir);
  snprintf(out, sizeof out, "%s/out", dir);
  snprintf(json, sizeof json, "%s/analyze.json", out);
  atexit(remove_dir);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *f = fopen(file, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) { perror(file); abort(); }
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_analyze *a = NULL;
  tsim_status st = tsim_analyze_load(file, &a, &d);
  if (st == TSIM_OK) {
    if (!a || tsim_diag_count(&d) != 0) abort();
    tsim_analyze_compute(a);
    tsim_analyze_print(a, tsim_fuzz_null());
    if (tsim_analyze_write(a, out, &d) != TSIM_OK) {
      tsim_diag_print(&d, "fuzz: analyze.json not written: ", stderr);
      abort();
    }
  } else if (a || (tsim_diag_count(&d) == 0 && !d.oom)) {
    abort(); /* refused without saying why, or refused and returned a result anyway */
  }
  tsim_analyze_free(a);
  tsim_diag_clear(&d);
  return 0;
}
