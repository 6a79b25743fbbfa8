/* distributed.c - one run split across processes with MPI (see distributed.h). */
#include "distributed.h"

#include <limits.h>
#include <mpi.h>
#include <stdint.h>
#include <stdlib.h>

#include "scenario.h"

int tsim_mpi_init(int *argc, char ***argv) { return MPI_Init(argc, argv) == MPI_SUCCESS ? 0 : -1; }

void tsim_mpi_finalize(void) { MPI_Finalize(); }

int tsim_mpi_rank(void) {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int tsim_mpi_size(void) {
  int n = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

int tsim_mpi_local_size(void) {
  MPI_Comm local;
  int n = 1;
  if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local) != MPI_SUCCESS)
    return 1;
  MPI_Comm_size(local, &n);
  MPI_Comm_free(&local);
  return n > 0 ? n : 1;
}

int tsim_mpi_max(int v) {
  int m = v;
  MPI_Allreduce(&v, &m, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return m;
}

char *tsim_mpi_share_text(const char *file, size_t *len, tsim_diag *d) {
  char *text = NULL;
  /* The length, or -1 when process 0 could not read the file. A scenario is at most the
   * loader's limit (16 MiB), so one message carries it. */
  long long n = -1;
  if (tsim_mpi_rank() == 0) {
    text = tsim_scenario_read_text(file, len, d);
    if (text && *len <= (size_t)INT_MAX) n = (long long)*len;
  }
  MPI_Bcast(&n, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
  if (n < 0) {
    free(text);
    return NULL;
  }
  if (tsim_mpi_rank() != 0) text = malloc((size_t)n + 1);
  /* A process without room for the text says so before the broadcast, and all give up. */
  if (tsim_mpi_max(text == NULL) != 0) {
    free(text);
    if (tsim_mpi_rank() == 0) tsim_diag_add(d, "%s: out of memory sharing the file", file);
    return NULL;
  }
  MPI_Bcast(text, (int)n, MPI_CHAR, 0, MPI_COMM_WORLD);
  text[n] = '\0';
  *len = (size_t)n;
  return text;
}

void tsim_mpi_block(long long first_trial, long long trials, long long *first, long long *count) {
  long long size = tsim_mpi_size(), r = tsim_mpi_rank();
  long long base = trials / size, extra = trials % size;
  *count = base + (r < extra);
  *first = first_trial + r * base + (r < extra ? r : extra);
}

tsim_status tsim_mpi_reduce_tally(tsim_tally *t) {
  int size = tsim_mpi_size(), rank = tsim_mpi_rank();
  size_t n = tsim_tally_words(t);
  uint64_t *mine = malloc(n * sizeof *mine);
  uint64_t *all = rank == 0 ? malloc((size_t)size * n * sizeof *all) : NULL;
  int bad = !mine || (rank == 0 && !all) || n > (size_t)INT_MAX;
  if (tsim_mpi_max(bad) != 0) {
    free(mine);
    free(all);
    return TSIM_NOMEM;
  }
  tsim_tally_pack(t, mine);
  MPI_Gather(mine, (int)n, MPI_UINT64_T, all, (int)n, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  if (rank == 0)
    for (int r = 1; r < size; r++) tsim_tally_merge_words(t, all + (size_t)r * n);
  free(mine);
  free(all);
  return TSIM_OK;
}
