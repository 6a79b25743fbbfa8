/* fuzz_common.c - see fuzz_common.h. */
#include "fuzz_common.h"

#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/estimand.h"
#include "output/report.h"
#include "run/runner.h"

static FILE *devnull;
static const uint8_t *served;
static size_t served_size;
static long long nran, nlarge;

/* At exit: how many scenarios ran, and how many were too large to (smoke.sh shows it). */
static void say_counts(void) {
  if (nran + nlarge == 0) return; /* a harness that runs no scenario (analyze) */
  fprintf(stderr, "fuzz: scenarios run for %d trials: %lld; loaded but too large to run: %lld\n",
          TSIM_FUZZ_TRIALS, nran, nlarge);
}

void tsim_fuzz_init(void) {
  gsl_set_error_handler_off();
  /* A scenario with intercurrent events simulates a population for its estimands' true values: a
   * few thousand patients here (10^6 by default would take seconds an input under the sanitizers). */
  tsim_estimand_set_population(2000);
  devnull = fopen("/dev/null", "w");
  if (!devnull) abort();
  atexit(say_counts);
}

FILE *tsim_fuzz_null(void) { return devnull; }

int tsim_fuzz_small(const tsim_scenario *sc) {
  long long measures = sc->sample_size * sc->nendpoints * sc->nvisits;
  long long cells = (long long)sc->nsites * sc->narms * sc->nendpoints;
  return measures <= TSIM_FUZZ_PATIENT_MEASURES && cells <= TSIM_FUZZ_CELLS;
}

int tsim_fuzz_run(const tsim_scenario *sc, int p_values) {
  if (!tsim_fuzz_small(sc)) { nlarge++; return 0; }
  tsim_run_opts o = {sc->seed, 0, TSIM_FUZZ_TRIALS, 1, NULL, NULL, p_values, 0};
  tsim_tally *t = NULL;
  tsim_status st = tsim_run(sc, &o, &t);
  if (st == TSIM_NOMEM) return 0;
  if (st != TSIM_OK || !t) {
    fprintf(stderr, "fuzz: a scenario that loaded failed to run: %s\n", tsim_status_message(st));
    abort();
  }
  tsim_run_info ri = {o.seed, o.trials, 1, 0.0, 1, 0, 0, 0, 0};
  tsim_report_print(sc, t, &ri, devnull);
  tsim_tally_free(t);
  nran++;
  return 1;
}

void tsim_fuzz_serve(const uint8_t *data, size_t size) {
  served = data;
  served_size = size;
}

char *tsim_fuzz_reader(const char *file, size_t *len, tsim_diag *d) {
  char *text = malloc(served_size + 1);
  if (!text) {
    tsim_diag_add(d, "%s: out of memory", file);
    return NULL;
  }
  if (served_size) memcpy(text, served, served_size);
  text[served_size] = '\0';
  *len = served_size;
  return text;
}
