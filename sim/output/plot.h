/* plot.h - plots drawn by gnuplot from a script written beside the data.
 *
 * The tool writes DIR/NAME.dat and DIR/NAME.gp (a plain gnuplot script a user can restyle and
 * rerun with `gnuplot NAME.gp`), then runs gnuplot to produce DIR/NAME.svg and DIR/NAME.png. If
 * gnuplot is not installed the data and script are still written and a one-line notice says so.
 *
 * Two kinds: curves against a swept value (tsim_plot: one or two panels side by side sharing
 * the y axis, each curve with its 95% band), and a dot-and-whisker chart of a run's operating
 * characteristics, analyses down the page (tsim_plot_write_oc).
 *
 * Colours come from a colour-blind-safe palette (Okabe-Ito without its yellow, plus a wine red):
 * the colour says which analysis, the dash pattern and marker which value of the other swept
 * parameters. The legend sits below the plot, in as many columns as fit: one entry per colour,
 * then one per style. Reference lines (target power, nominal alpha) are grey, labelled on the
 * plot itself.
 */
#ifndef TSIM_PLOT_H
#define TSIM_PLOT_H

#include <stdio.h>

#define TSIM_PLOT_MAX_SERIES 128
#define TSIM_PLOT_MAX_KEYS 64  /* legend entries of each kind (colours, styles) */
#define TSIM_PLOT_MAX_LINES 4  /* horizontal reference lines */
#define TSIM_PLOT_NCOLOURS 8

/* The palette, "#rrggbb", in order of use. */
extern const char *const tsim_plot_palette[TSIM_PLOT_NCOLOURS];

/* One line with its 95% band: y[i] at x[i], band [lo[i], hi[i]]. Arrays are borrowed. */
typedef struct tsim_series {
  char title[160];  /* what the series is (the .dat block's comment) */
  const double *x, *y, *lo, *hi;
  int n;
  int colour;       /* legend colour entry: the analysis */
  int style;        /* legend style entry: dash pattern and marker (0: solid, filled circle) */
  int panel;        /* 0, or 1 for the second panel */
} tsim_series;

typedef struct tsim_plot {
  const char *title;       /* plot title */
  const char *xlabel;      /* x axis label with unit */
  int xboolean;            /* x is a switch (0 false, 1 true): two labelled tics, no scale between */
  int steps;               /* the curves are step functions, constant from each x to the next (the
                              share of trials stopped by a look): drawn as stairs, the bands too,
                              with markers at the points themselves */
  double xint[2];          /* x takes whole numbers from xint[0] to xint[1], at most 12 apart: a tic
                              at each (none between); xint[1] <= xint[0]: gnuplot's own tics */
  const char *ylabel;      /* y axis label with unit */
  int npanels;             /* 1 or 2 (side by side, the same y range) */
  const char *panel_title[2];
  double yline[TSIM_PLOT_MAX_LINES];      /* horizontal reference lines, in every panel */
  char yline_title[TSIM_PLOT_MAX_LINES][80];
  int nylines;
  int probability_axis;    /* 1: y from 0 to 1; 2: from 0 up to the data */
  char colour_title[TSIM_PLOT_MAX_KEYS][144]; /* legend: what each colour is (an id "analysis:arm" whole) */
  int ncolours;
  char style_title[TSIM_PLOT_MAX_KEYS][160];  /* legend: what each style is (none when < 2) */
  int nstyles;
  tsim_series series[TSIM_PLOT_MAX_SERIES];
  int nseries;
} tsim_plot;

/* The colour (rgb text), gnuplot dash type and point type of series `colour`, `style`. Beyond
 * the palette's 8 colours the colours repeat with other markers, so every (colour, style) pair
 * still looks different. */
const char *tsim_plot_colour(int colour);
void tsim_plot_dash(int style, char *out, size_t n);
int tsim_plot_marker(int colour, int style, int nstyles);

/* A new plot of shares with a panel per hypothesis ("alternative", "null twin") and y from 0 to
 * 1: zeroed but for those, the title and axis labels (borrowed); NULL when out of memory. */
tsim_plot *tsim_plot_new_hypotheses(const char *title, const char *xlabel, const char *ylabel);

/* Writes DIR/NAME.dat and DIR/NAME.gp (each through an exclusively created temporary renamed
 * into place) and runs gnuplot. Returns 0 when the images were drawn, 1 when gnuplot is missing
 * (notice printed to `notice`), -1 when the data or script could not be written (errno says
 * why), -2 when gnuplot failed or left an incomplete image (none is kept; notice says so, and
 * DIR/NAME.log has gnuplot's messages). */
int tsim_plot_write(const tsim_plot *p, const char *dir, const char *name, FILE *notice);

/* One row of an operating-characteristics chart: an analysis (comparison). Each rate is
 * {estimate, 95% low, 95% high}. */
typedef struct tsim_oc_row {
  char id[160];
  double level;          /* the nominal rate of each direction: alpha/2 two-sided, alpha one-sided */
  double power[3];       /* two-sided power (in the data only) */
  double power_exp[3];   /* power favouring the experimental arm */
  double type1[3];       /* two-sided type I error (in the data only) */
  double type1_exp[3];   /* the null twin's rejections favouring the experimental arm */
  double type1_ctl[3];   /* ... favouring control */
} tsim_oc_row;

/* DIR/NAME.{dat,gp,svg,png}: two panels, power favouring the experimental arm (left) and the
 * type I error in each direction (right), a dot and its 95% interval per analysis, with the
 * nominal level of each direction (its legend entry: level_title). Returns as tsim_plot_write. */
int tsim_plot_write_oc(const char *title, const char *level_title, const tsim_oc_row *rows, int n,
                       const char *dir, const char *name, FILE *notice);

/* A label for a swept JSON path, with its unit ("sample_size" -> "total sample size (patients)"). */
void tsim_plot_axis_label(const char *path, char *out, size_t n);

#endif
