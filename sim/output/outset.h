/* outset.h - a command's result set, written whole or not at all, and the temporary files
 * of every writer of the output folder. */
#ifndef TSIM_OUTSET_H
#define TSIM_OUTSET_H

#include <stdio.h>

#include "core/status.h"

/* A command's result set (its JSON, CSV files, plots, report.html) is written into a private
 * folder inside the output folder DIR, the stage DIR/.trialsim-tmp-<pid>-<random>-<host>, by
 * the writers (report.h, expreport.h, html.h, plot.h) given the stage as their folder. tsim_outset_commit then moves it into DIR
 * under an exclusive lock on DIR/.trialsim.lock (flock; the file stays): first it removes what
 * interrupted writers left in DIR (stages and temporaries named for a process of this host that
 * is gone), then the files of an earlier set that this set does not replace (`stale`: e.g.
 * p_values.csv of an earlier --p-values run), then renames every file of the stage into DIR.
 * Two writers of one folder commit one after the other (the second waits for the lock: a commit
 * is a few renames), so DIR holds one set whole, never a mix of two.
 *
 * A signal handler may call tsim_outset_abort (async-signal-safe): it removes the stage, unless
 * the set is being committed - then it returns 1 and the caller should let the commit finish
 * (tsim_outset_commit returns) before acting on the signal. */
typedef struct tsim_outset {
  char dir[4096];
  char stage[4200];    /* "" when there is none */
  _Atomic int state;   /* 0 staging, 1 committing, 2 aborted, 3 committed */
} tsim_outset;

/* Creates DIR (and its parents) and the stage. TSIM_OK, or TSIM_IO with the reason in d. */
tsim_status tsim_outset_begin(tsim_outset *o, const char *dir, tsim_diag *d);
/* Commits the stage into DIR as described above; `stale` is a NULL-terminated list of names
 * (or NULL). TSIM_OK, or TSIM_IO with the reason in d: then DIR is as it was (a name in DIR that
 * is not a regular file where the set has a file is found before anything is renamed) and the
 * stage is removed. */
tsim_status tsim_outset_commit(tsim_outset *o, const char *const stale[], tsim_diag *d);
/* Removes the stage and everything in it; 0, or 1 (nothing done) while a commit runs.
 * Async-signal-safe. */
int tsim_outset_abort(tsim_outset *o);
/* Writes text to f with every mention of the stage replaced by DIR (messages of the writers
 * given the stage, said after the commit). */
void tsim_outset_print(const tsim_outset *o, const char *text, FILE *f);
/* The same rewriting in every message of d. */
void tsim_outset_unstage(const tsim_outset *o, tsim_diag *d);

/* mkdir -p; 0 on success. */
int tsim_mkdirs(const char *dir);

/* ---- temporary files (internal to the output layer: names with a double underscore) ------ */

/* A new temporary file in dir, open for writing, its path in path[n]: created exclusively
 * (O_CREAT|O_EXCL|O_NOFOLLOW, so a planted file or link is never written through) under an
 * unpredictable name, DIR/.trialsim-tmp-<pid>-<16 random hex digits>-<host>, that a later commit
 * recognises as litter once <pid> is gone from <host> (tsim_outset_commit). NULL with errno set
 * on failure. */
FILE *tsim__tmp_create(const char *dir, char *path, size_t n);
/* Writes text to a new temporary in dir (tsim__tmp_create), its path in path[n]; 0, or -1
 * with errno set and no temporary left. */
int tsim__tmp_write(const char *dir, const char *text, char *path, size_t n);
/* Closes f, a temporary written by csv writers or the like: 0, or -1 with errno set when any
 * write to it failed (ferror, fflush, fclose). */
int tsim__tmp_close(FILE *f);

#endif
