/* report_internal.h - JSON builders shared by the output modules (report.c, expreport.c).
 * Internal: not part of the engine's interface; names carry a double underscore. */
#ifndef TSIM_REPORT_INTERNAL_H
#define TSIM_REPORT_INTERNAL_H

#include <cjson/cJSON.h>

#include "output/report.h"

/* The summary.json object of comparison k (nominal: the scenario's difference in response;
 * alpha: the analysis's level). */
cJSON *tsim__report_analysis_json(const tsim_scenario *sc, const tsim_tally *t, int k,
                                  double nominal, double alpha);
/* The "run" object: threads, seconds, trials per second (of trials_run), the vector target,
 * the peak memory and the version. */
cJSON *tsim__report_run_json(const tsim_run_info *ri, long long trials_run);
/* Adds to a "run" object the scenario file and, when values of it were replaced (--set), "set":
 * ["PATH=VALUE", ...] (tsim_override_text). */
void tsim__report_run_source(cJSON *run, const tsim_scenario *sc, const char *file);
/* ", --set PATH=VALUE --set ..." for a printed header (empty without --set), into buf. */
const char *tsim__report_set_text(const tsim_scenario *sc, char *buf, size_t n);
/* The tally's "precision": its largest reported Monte Carlo SE and where (tsim_tally_precision),
 * and with ri's mcse_target that target, the cap and whether it was reached. */
cJSON *tsim__report_precision_json(const tsim_scenario *sc, const tsim_tally *t, const tsim_run_info *ri);
/* "itt: type I error favouring control" for the worst of tsim_tally_precision. */
void tsim__report_precision_text(const tsim_scenario *sc, const tsim_precision *w, char *buf, size_t n);
/* text centred in a field of w characters, padded with c on both sides (group headers of the
 * printed tables). */
void tsim__report_centred(FILE *f, const char *text, int w, char c);

/* Writes a result set: DIR/json_name from `root` (not consumed) and DIR/csv_name by calling
 * csv(f, ctx), both through temporaries committed together (tsim__report_commit). Creates DIR. */
typedef void (*tsim__csv_writer)(FILE *f, const void *ctx);
tsim_status tsim__report_write_pair(const char *dir, const char *json_name, const cJSON *root,
                                    const char *csv_name, tsim__csv_writer csv, const void *ctx,
                                    tsim_diag *d);
/* The same with ncsv (<= TSIM_REPORT_MAX_CSV) CSV files, csv[i] writing csv_name[i]. */
#define TSIM_REPORT_MAX_CSV 5
tsim_status tsim__report_write_set(const char *dir, const char *json_name, const cJSON *root, int ncsv,
                                   const char *const csv_name[], const tsim__csv_writer csv[],
                                   const void *ctx, tsim_diag *d);

/* Renames the n written temporaries tmp[i] to dir/name[i], having first checked that every
 * target can be replaced (absent or a regular file), so a set of results is either all new or
 * all old. On failure the temporaries are removed and the reason is reported to d. */
tsim_status tsim__report_commit(const char *dir, const char *const name[], char tmp[][4200],
                                int n, tsim_diag *d);

#endif
