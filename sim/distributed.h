/* distributed.h - one run split across processes (MPI), for trialsim_mpi (built when CMake
 * finds MPI; the engine library does not depend on it).
 *
 * Process 0 reads the scenario file and sends its text to every process, and every process
 * parses that same text, so all of them hold the same scenario and find the same problems in
 * it, whether or not the file is visible on their machines. Process r simulates the contiguous
 * block of trials tsim_mpi_block gives it, with its own threads; process 0 then adds every
 * process's tally to its own through their packed words (exact integer sums) and writes the
 * results. Trial i depends only on (seed, i), so the results are those of one process running
 * every trial (tested): only summary.json's "run" differs.
 */
#ifndef TSIM_DISTRIBUTED_H
#define TSIM_DISTRIBUTED_H

#include <stddef.h>

#include "runner.h"

/* MPI_Init / MPI_Finalize; 0 or -1. */
int tsim_mpi_init(int *argc, char ***argv);
void tsim_mpi_finalize(void);
int tsim_mpi_rank(void);
int tsim_mpi_size(void);
/* Processes on this machine (sharing its memory), so that their threads can share its cores. */
int tsim_mpi_local_size(void);

/* Process 0's text of `file` (tsim_scenario_read_text) on every process: the text (the caller
 * frees; *len bytes), or NULL on every process when process 0 could not read it - process 0
 * then has the reason in d. */
char *tsim_mpi_share_text(const char *file, size_t *len, tsim_diag *d);

/* This process's block [*first, *first + *count) of `trials` trials starting at `first_trial`:
 * contiguous blocks in process order, the first trials % size of them one trial longer. */
void tsim_mpi_block(long long first_trial, long long trials, long long *first, long long *count);

/* The largest of every process's v, on every process (to agree on an exit status). */
int tsim_mpi_max(int v);

/* Adds every other process's tally to process 0's *t (the tallies have the same shape). On the
 * other processes *t is left as it is. TSIM_OK on every process, or TSIM_NOMEM on every process
 * when one of them ran out of memory. */
tsim_status tsim_mpi_reduce_tally(tsim_tally *t);

#endif
