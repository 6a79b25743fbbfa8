/* plot.h - power curves drawn by gnuplot from a script written beside the data.
 *
 * The tool writes DIR/NAME.dat (one block per line of the plot) and DIR/NAME.gp (a plain
 * gnuplot script a user can restyle and rerun with `gnuplot NAME.gp`), then runs gnuplot to
 * produce DIR/NAME.svg and DIR/NAME.png. If gnuplot is not installed the data and script are
 * still written and a one-line notice says so.
 */
#ifndef TSIM_PLOT_H
#define TSIM_PLOT_H

#include <stdio.h>

#define TSIM_PLOT_MAX_SERIES 64

/* One line with its 95% band: y[i] at x[i], band [lo[i], hi[i]]. Arrays are borrowed. */
typedef struct tsim_series {
  char title[160];
  const double *x, *y, *lo, *hi;
  int n;
} tsim_series;

typedef struct tsim_plot {
  const char *title;       /* plot title */
  const char *xlabel;      /* x axis label with unit */
  const char *ylabel;      /* y axis label with unit */
  double yline;            /* a horizontal reference line (target power, alpha), NaN = none */
  const char *yline_title; /* its legend entry */
  int probability_axis;    /* 1: y from 0 to 1; 2: from 0 up to the data */
  tsim_series series[TSIM_PLOT_MAX_SERIES];
  int nseries;
} tsim_plot;

/* Writes DIR/NAME.dat and DIR/NAME.gp and runs gnuplot. Returns 0 when the images were drawn,
 * 1 when gnuplot is missing (notice printed to `notice`), -1 on a write error. */
int tsim_plot_write(const tsim_plot *p, const char *dir, const char *name, FILE *notice);

/* A label for a swept JSON path, with its unit ("sample_size" -> "sample size (patients)"). */
void tsim_plot_axis_label(const char *path, char *out, size_t n);

#endif
