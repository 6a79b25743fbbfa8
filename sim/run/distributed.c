/* distributed.c - runs split across processes with MPI (see distributed.h). */
#define _GNU_SOURCE /* sched_getaffinity */
#include "run/distributed.h"

#include <limits.h>
#include <mpi.h>
#include <omp.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "input/scenario.h"
#include "run/runner.h"

/* The 128-bit sums travel as pairs of 64-bit words (low, high; runner.h), added with carry:
 * their type and operator, made by tsim_mpi_install. */
static MPI_Datatype pair_type = MPI_DATATYPE_NULL;
static MPI_Op pair_sum = MPI_OP_NULL;

int tsim_mpi_init(int *argc, char ***argv) {
  int provided = MPI_THREAD_SINGLE; /* OpenMP threads run, but only the main thread calls MPI */
  return MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) == MPI_SUCCESS ? 0 : -1;
}

void tsim_mpi_finish(int status) {
  if (status == 0) {
    if (pair_sum != MPI_OP_NULL) MPI_Op_free(&pair_sum);
    if (pair_type != MPI_DATATYPE_NULL) MPI_Type_free(&pair_type);
    MPI_Finalize();
    return;
  }
  /* Process 0 has the messages and the exit status mpirun reports: after a failure every
   * process found alike (bad input), its abort ends the others; one that failed alone ends the
   * job itself a moment later. */
  if (tsim_mpi_rank() != 0) sleep(2);
  MPI_Abort(MPI_COMM_WORLD, status);
}

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

/* The job's processes on this machine (sharing its memory). */
static int local_size(void) {
  MPI_Comm local;
  int n = 1;
  if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local) != MPI_SUCCESS)
    return 1;
  MPI_Comm_size(local, &n);
  MPI_Comm_free(&local);
  return n > 0 ? n : 1;
}

/* The largest of every process's v, on every process. */
static int max_all(int v) {
  int m = v;
  MPI_Allreduce(&v, &m, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return m;
}

/* The scenario reader: process 0's text of `file` on every process (the caller frees), or NULL
 * on every process when process 0 could not read it (process 0's d says why) or a process had
 * no room for it. */
static char *read_shared(const char *file, size_t *len, tsim_diag *d) {
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
    if (tsim_mpi_rank() != 0) tsim_diag_add(d, "%s: process 0 could not read it", file);
    return NULL;
  }
  if (tsim_mpi_rank() != 0) text = malloc((size_t)n + 1);
  /* A process without room for the text says so before the broadcast, and all give up. */
  if (max_all(text == NULL) != 0) {
    free(text);
    tsim_diag_add(d, "%s: out of memory sharing the file between processes", file);
    return NULL;
  }
  MPI_Bcast(text, (int)n, MPI_CHAR, 0, MPI_COMM_WORLD);
  text[n] = '\0';
  *len = (size_t)n;
  return text;
}

/* This process's block of `trials` trials from first_trial: contiguous blocks in process order,
 * the first trials % size of them one trial longer. */
static void block(long long first_trial, long long trials, long long *first, long long *count) {
  long long size = tsim_mpi_size(), r = tsim_mpi_rank();
  long long base = trials / size, extra = trials % size;
  *count = base + (r < extra);
  *first = first_trial + r * base + (r < extra ? r : extra);
}

__extension__ typedef unsigned __int128 u128;

static void add_pairs(void *in, void *inout, int *len, MPI_Datatype *type) {
  (void)type;
  const uint64_t *a = in;
  uint64_t *b = inout;
  for (int i = 0; i < *len; i++) {
    u128 x = ((u128)a[2 * i + 1] << 64 | a[2 * i]) + ((u128)b[2 * i + 1] << 64 | b[2 * i]);
    b[2 * i] = (uint64_t)x;
    b[2 * i + 1] = (uint64_t)(x >> 64);
  }
}

/* The status every process agrees on, and with TSIM_OK every process's tally summed into *t on
 * every process (the tallies have the same shape: the same scenario and options), in place:
 * each process holds one packed tally, whatever the number of processes. */
static tsim_status combine(tsim_status st, tsim_tally *t) {
  int agreed = max_all((int)st); /* TSIM_OK is 0 */
  if (agreed != (int)TSIM_OK) return (tsim_status)agreed;
  size_t n64 = 0, n128 = 0;
  tsim_tally_words(t, &n64, &n128);
  int fits = n64 <= (size_t)INT_MAX && n128 <= (size_t)INT_MAX;
  uint64_t *w64 = fits ? malloc(n64 * sizeof *w64) : NULL, *w128 = fits ? malloc(2 * n128 * sizeof *w128) : NULL;
  if (max_all(!w64 || !w128) != 0) {
    free(w64);
    free(w128);
    return TSIM_NOMEM;
  }
  tsim_tally_pack(t, w64, w128);
  MPI_Allreduce(MPI_IN_PLACE, w64, (int)n64, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, w128, (int)n128, pair_type, pair_sum, MPI_COMM_WORLD);
  tsim_tally_set_words(t, w64, w128);
  free(w64);
  free(w128);
  return TSIM_OK;
}

void tsim_mpi_install(void) {
  static const tsim_run_split split = {block, combine};
  MPI_Type_contiguous(2, MPI_UINT64_T, &pair_type);
  MPI_Type_commit(&pair_type);
  MPI_Op_create(add_pairs, 1, &pair_sum);
  tsim_scenario_set_reader(read_shared);
  tsim_run_set_split(&split);
  /* The default threads: OMP_NUM_THREADS when set; the CPUs mpirun bound the process to when
   * it bound it (to a core, a socket); otherwise the machine's CPUs divided among the job's
   * processes on it. */
  int local = local_size(); /* collective: every process asks */
  cpu_set_t set;
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  if (getenv("OMP_NUM_THREADS") || sched_getaffinity(0, sizeof set, &set) != 0 || online < 1) return;
  int mine = CPU_COUNT(&set), threads = mine < online ? mine : (int)(online / local);
  omp_set_num_threads(threads > 0 ? threads : 1);
}
