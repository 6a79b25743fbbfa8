/* distributed.h - runs split across processes (MPI), for trialsim_mpi (built when CMake finds
 * MPI; the engine library and trialsim do not depend on it).
 *
 * tsim_mpi_install makes every process of the job work as one: process 0 reads each scenario
 * file and sends its text to every process, which parses that same text, so all hold the same
 * scenario and find the same problems in it, whether or not the file is visible on their
 * machines (tsim_scenario_set_reader); and every tsim_run - of `run`, of each point of a
 * sweep, of each size a search tries - has process r simulate its contiguous block of the
 * trials, with its own threads, after which every process adds up all the processes' tallies
 * (exact integer sums of their packed words, reduced in place, so each process holds one tally
 * whatever their number; tsim_run_set_split). Trial i depends only on (seed, i), so every
 * process then holds the tally one process would have made running every trial, and takes the
 * same next step; process 0 writes the results. Tested: 2 and 3 processes give one process's
 * output.
 */
#ifndef TSIM_DISTRIBUTED_H
#define TSIM_DISTRIBUTED_H

/* MPI_Init_thread (funneled: only the main thread calls MPI); 0 or -1. Then tsim_mpi_install,
 * and at the end tsim_mpi_finish with the exit status: MPI_Finalize after success, MPI_Abort
 * otherwise - a process that failed alone (out of memory, say) must not wait in MPI_Finalize
 * for processes waiting for it in the next collective operation; the abort ends the job, with
 * process 0's status when it failed too (bad input, which every process finds alike). */
int tsim_mpi_init(int *argc, char ***argv);
void tsim_mpi_finish(int status);
int tsim_mpi_rank(void);
int tsim_mpi_size(void);

/* Installs the scenario reader and the run split (above), and sets each process's default
 * thread count: OMP_NUM_THREADS when set; else the CPUs mpirun bound the process to, when it
 * did (Open MPI binds each process to a core by default when it starts at most two); else the
 * machine's CPUs divided among the job's processes on it (mpirun --bind-to none). */
void tsim_mpi_install(void);

#endif
