/* html.h - report.html: one self-contained page a statistician can file with a simulation
 * report, for a run, a sweep or a sample-size search (`--report`).
 *
 * The page is a view of the result set that was just written: its numbers are read back from
 * DIR/summary.json (sweep.json, size.json), never recomputed, and every number cell names the
 * JSON value it shows (data-json="/analyses/3/power/estimate", data-value = that value written
 * with tsim_num; the cell's text is it rounded for display). Beside the numbers: the scenario in
 * readable form with its own description (where each number comes from, as the file says), the
 * plots the result set drew (inline SVG), and a record to reproduce the run (version, source
 * revision, the scenario file's SHA-256, seed, trials, command line, threads, processes, vector
 * target, date).
 *
 * Self-contained: no scripts, no external stylesheet, fonts or images, no network; CSS inline.
 * Every string from the scenario or the command line is escaped for HTML.
 */
#ifndef TSIM_HTML_H
#define TSIM_HTML_H

#include "core/status.h"
#include "input/scenario.h"

#define TSIM_HTML_MAX_SETS 16

/* What the result set's JSON does not hold: how the command was given, and when. */
typedef struct tsim_html_record {
  char *command_line;       /* argv shell-quoted, ready to paste (owned) */
  const char *scenario_file; /* as given (borrowed) */
  char scenario_sha256[65]; /* of the file's bytes when the command started; "" if unreadable */
  const char *sets[TSIM_HTML_MAX_SETS]; /* --set PATH=VALUE(S) as given (borrowed) */
  int nsets;
  char date[32];            /* UTC, ISO 8601: when the command started */
} tsim_html_record;

/* Fills r: quotes argv[0..argc-1] for a POSIX shell, hashes scenario_file now (call it before
 * simulating, so the digest is of the file that was read) and takes the date. Returns TSIM_OK or
 * TSIM_NOMEM (then nothing to free). */
tsim_status tsim_html_record_init(tsim_html_record *r, int argc, char *const argv[],
                                  const char *scenario_file, const char *const sets[], int nsets);
/* NULL and a record whose init failed are fine. */
void tsim_html_record_free(tsim_html_record *r);

/* Writes DIR/report.html from DIR/summary.json (run), DIR/sweep.json (sweep; sc is the scenario
 * before the grid's values) or DIR/size.json (size; sc is the variant searched), and the plots
 * drawn in DIR, through a temporary file renamed into place. Call after the result set and its
 * plots are written. TSIM_OK, or TSIM_IO / TSIM_NOMEM with the reason in d (no report.html of
 * this command left behind). */
tsim_status tsim_html_write_run(const char *dir, const tsim_scenario *sc,
                                const tsim_html_record *r, tsim_diag *d);
tsim_status tsim_html_write_sweep(const char *dir, const tsim_scenario *sc,
                                  const tsim_html_record *r, tsim_diag *d);
tsim_status tsim_html_write_size(const char *dir, const tsim_scenario *sc,
                                 const tsim_html_record *r, tsim_diag *d);

/* Writes s into out (n bytes) quoted for a POSIX shell: unchanged when it has only characters
 * no shell treats specially, else in single quotes (a quote inside as '\''). Returns the length
 * the quoted text needs (as snprintf). */
size_t tsim_shell_quote(char *out, size_t n, const char *s);

#endif
