/* fuzz_common.h - what the libFuzzer harnesses of tests/fuzz/ share: a short, bounded run of a
 * scenario that loaded, and a scenario reader that serves the fuzzer's bytes from memory. */
#ifndef TSIM_FUZZ_COMMON_H
#define TSIM_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/status.h"
#include "input/scenario.h"

/* Turns GSL's abort-on-error handler off, as trialsim's main does, and opens /dev/null for the
 * printed tables. Call once (LLVMFuzzerInitialize). */
void tsim_fuzz_init(void);
/* /dev/null, open for writing. */
FILE *tsim_fuzz_null(void);

/* Runs a few trials of sc on one thread (p-values computed exactly when p_values is 1) and
 * prints the tables to /dev/null - when the scenario is small enough for that to take
 * milliseconds (tsim_fuzz_small); otherwise nothing. Returns 1 when it ran. A run that fails
 * other than by running out of memory aborts (a finding). */
int tsim_fuzz_run(const tsim_scenario *sc, int p_values);

/* 1 when a trial of sc is cheap: at most TSIM_FUZZ_PATIENT_MEASURES patient x end point x visit
 * values and TSIM_FUZZ_CELLS site x arm x end point cells. The fuzzer finds "sample_size":
 * 10000000 at once, and a trial of it takes seconds under the sanitizers; the limits keep every
 * execution short, and the loader's own limits are what the load itself is fuzzed against. */
#define TSIM_FUZZ_PATIENT_MEASURES 20000LL
#define TSIM_FUZZ_CELLS 20000LL
#define TSIM_FUZZ_TRIALS 3
int tsim_fuzz_small(const tsim_scenario *sc);

/* The scenario reader (tsim_scenario_set_reader) returns a copy of these bytes, whatever the
 * file name: the loader's own read-and-parse path, without a file. */
void tsim_fuzz_serve(const uint8_t *data, size_t size);
char *tsim_fuzz_reader(const char *file, size_t *len, tsim_diag *d);

#endif
