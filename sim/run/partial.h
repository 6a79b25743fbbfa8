/* partial.h - partial results: the exact tally of a range of a run's trials, in a file, with
 * what identifies the run. Shards (`run --trials-from A --trials-to B`, combined by `merge`)
 * and checkpoints (`run --checkpoint FILE`) are such files.
 *
 * Trial i depends only on (scenario, seed, i) and tallies add exactly (runner.h), so the tallies
 * of ranges that cover [0, trials) once each add up to one run's tally, bit for bit.
 *
 * The file is text (lines end with '\n'; byte strings are written as their length, a space and
 * the bytes, so they may hold any byte):
 *
 *   trialsim partial result 1
 *   version 0.1.0                      trialsim's version
 *   scenario_file 21 scenarios/lupil2.json     the path given (length-prefixed)
 *   scenario_sha256 <64 hex digits>    of the scenario file's bytes
 *   scenario_text 4711 <the bytes>     the scenario file itself (merge needs no other copy)
 *   sets 1                             the --set options, in order, as given:
 *   set 16 sample_size=120
 *   seed 20221
 *   trials 100000                      the whole run's trials
 *   p_values 0                         1: --p-values (the tally holds the p-value bins)
 *   trials_from 0                      the range this file was asked for: [from, to)
 *   trials_to 50000
 *   trials_done 25000                  trials [from, done) are in the tally (a finished
 *                                      shard: done = to)
 *   words64 N                          then N lines, each a 64-bit count in decimal
 *   words128 M                         then M lines "LOW HIGH": a 128-bit sum's words, decimal
 *   sha256 <64 hex digits>             of every byte before this line
 *
 * The words are the tally in the order of tsim_tally_pack (runner.h), the order MPI sends them.
 */
#ifndef TSIM_PARTIAL_H
#define TSIM_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "input/scenario.h"
#include "run/runner.h"

#define TSIM_PARTIAL_MAX_SET 64

/* What identifies a run and the range of it a file holds. Strings are owned (tsim_partial_free
 * frees them in a read one). */
typedef struct tsim_partial_id {
  char version[32];
  char *scenario_file;
  char *scenario_text;
  size_t scenario_len;
  char scenario_sha256[65];
  int nset;
  char *set[TSIM_PARTIAL_MAX_SET];
  uint64_t seed;
  long long trials;
  int p_values;
  long long from, to;
} tsim_partial_id;

typedef struct tsim_partial {
  tsim_partial_id id;
  long long done;   /* trials [id.from, done) are in the words */
  size_t n64, n128;
  uint64_t *w64, *w128; /* as tsim_tally_pack */
} tsim_partial;

/* Fills id's version (this trialsim's) and the scenario's digest from its text; the pointers
 * are the caller's (not copied). */
void tsim_partial_id_init(tsim_partial_id *id, const char *scenario_file, const char *text, size_t len,
                          const char *const *set, int nset, uint64_t seed, long long trials,
                          int p_values, long long from, long long to);

/* Writes t, the tally of trials [id->from, done), to `file` atomically: a new temporary file
 * beside it (created exclusively), flushed to disk, then renamed over `file`. TSIM_IO with the
 * reason in d (and no temporary file left) when it cannot. The temporary file is
 * FILE.tmp-XXXXXX (mkstemp). */
tsim_status tsim_partial_write(const char *file, const tsim_partial_id *id, const tsim_tally *t,
                               long long done, tsim_diag *d);

/* Removes the temporary files of earlier writes of `file` that were killed before their rename
 * (FILE.tmp-XXXXXX beside it). Call before writing `file` again; a process writing the same
 * file at the same time would lose its temporary file (one file, one writer). */
void tsim_partial_remove_stale(const char *file);

/* Reads `file` into p (tsim_partial_free it). TSIM_INPUT with "FILE: why" in d when it is not
 * a whole, intact partial result; TSIM_IO when it cannot be read; TSIM_NOMEM. */
tsim_status tsim_partial_read(const char *file, tsim_partial *p, tsim_diag *d);
void tsim_partial_free(tsim_partial *p);

/* NULL when a and b identify the same run (version, scenario digest, --set options, seed,
 * trials, --p-values; the ranges and file paths are not compared), else what differs,
 * e.g. "seed". */
const char *tsim_partial_differs(const tsim_partial_id *a, const tsim_partial_id *b);

/* t (shaped for the run's scenario and --p-values) made the partial's tally: TSIM_INPUT when the
 * partial's words do not have t's shape or its counts are impossible (tsim_tally_plausible: more
 * trials with an event than trials, which a file whose digest was recomputed after an edit can
 * hold), with *why (may be NULL) "shape" or "counts". */
tsim_status tsim_partial_tally(const tsim_partial *p, tsim_tally *t, const char **why);

#endif
