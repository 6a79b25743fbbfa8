/* expreport.h - the result sets of experiments: a sweep's power curves and a sample-size search
 * (expreport.c), written and printed as a run's are (report.h). */
#ifndef TSIM_EXPREPORT_H
#define TSIM_EXPREPORT_H

#include <stdio.h>

#include "output/report.h"
#include "run/size.h"
#include "run/sweep.h"

/* Writes DIR/sweep.json, DIR/sweep.csv (tidy: one row per point x comparison x quantity) and
 * the curves of power favouring the experimental arm, with a line at target_power
 * (DIR/power.*), and of the null twin's rejections in each direction (DIR/type1_error.*: data,
 * gnuplot script, SVG, PNG). A missing gnuplot is a notice on `notice`, not an error. TSIM_OK,
 * or TSIM_IO with the reason in d (a file, or a plot's data or script, not written). TSIM_OK with
 * messages in d: everything but the images was written, gnuplot having failed on them - a
 * failure for the caller to report (trialsim exits 1). */
tsim_status tsim_report_write_sweep(const tsim_sweep *s, const tsim_run_info *ri, double target_power,
                                    const char *dir, tsim_diag *d, FILE *notice);
void tsim_report_print_sweep(const tsim_sweep *s, const tsim_run_info *ri, FILE *f);

/* Writes DIR/size.json ("sample_size" is the answer), DIR/size.csv and the curve of power
 * against sample size (DIR/size_power.*). Returns as tsim_report_write_sweep. */
tsim_status tsim_report_write_size(const char *file, const tsim_scenario *sc,
                                   const tsim_size_opts *o, const tsim_size_result *r,
                                   const tsim_run_info *ri, const char *dir, tsim_diag *d,
                                   FILE *notice);
void tsim_report_print_size(const tsim_scenario *sc, const tsim_size_opts *o,
                            const tsim_size_result *r, const tsim_run_info *ri, FILE *f);

#endif
