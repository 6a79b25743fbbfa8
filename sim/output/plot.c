/* plot.c - gnuplot scripts and data for power curves (see plot.h). */
#include "output/plot.h"

#include "core/numfmt.h"
#include "output/outset.h"

#include <errno.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void tsim_plot_axis_label(const char *path, char *out, size_t n) {
  if (strstr(path, "sample_size")) snprintf(out, n, "total sample size (patients)");
  else if (strstr(path, "heterogeneity_sd"))
    snprintf(out, n, "%s (SD of the site effect, logit scale)", path);
  else if (strstr(path, "allocation")) snprintf(out, n, "%s (allocation ratio)", path);
  else if (strstr(path, "count")) snprintf(out, n, "%s (sites)", path);
  else if (strstr(path, "min_patients")) snprintf(out, n, "%s (patients)", path);
  else if (strstr(path, "block_size")) snprintf(out, n, "%s (patients per block)", path);
  else if (strstr(path, "response") || strstr(path, "dropout") || strstr(path, "deviation") ||
           strstr(path, "probability") || strstr(path, "alpha"))
    snprintf(out, n, "%s (probability)", path);
  else snprintf(out, n, "%s", path);
}

/* gnuplot strings are double-quoted; escape what would end them. */
static void gp_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    if (*s == '_' || *s == '^' || *s == '{' || *s == '}' || *s == '@' || *s == '&' || *s == '~')
      fputc('\\', f), fputc('\\', f); /* no enhanced-text markup in names */
    fputc(*s, f);
  }
  fputc('"', f);
}

/* A number in a script or data file: the shortest text that reads back (numfmt.h); NaN as
 * gnuplot's missing value. */
static void gp_num(FILE *f, double x) {
  if (isfinite(x)) tsim_fput_num(f, x);
  else fputs("NaN", f);
}

/* Okabe & Ito's colour-blind-safe palette without its yellow (#F0E442, unreadable on white),
 * blue first; a wine red (Tol) takes yellow's place. The two blues differ in lightness. */
const char *const tsim_plot_palette[TSIM_PLOT_NCOLOURS] = {
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#882255"};

const char *tsim_plot_colour(int colour) { return tsim_plot_palette[colour % TSIM_PLOT_NCOLOURS]; }

static const char *const dashes[] = {"1", "(10,5)", "(3,4)", "(14,4,3,4)", "(14,4,3,4,3,4)",
                                     "(24,6)", "(3,3,12,3)", "(6,3)"};
#define NDASHES (int)(sizeof dashes / sizeof *dashes)

void tsim_plot_dash(int style, char *out, size_t n) {
  if (style < NDASHES) snprintf(out, n, "%s", dashes[style]);
  else snprintf(out, n, "(%d,4,%d,4)", 4 + 4 * (style % 5), 2 + style / 5); /* more, all distinct */
}

/* Filled circle, square, triangle, diamond, inverted triangle, then the open ones. */
static const int markers[] = {7, 5, 9, 13, 11, 6, 4, 8, 12, 10};
#define NMARKERS (int)(sizeof markers / sizeof *markers)

int tsim_plot_marker(int colour, int style, int nstyles) {
  int cycle = colour / TSIM_PLOT_NCOLOURS; /* colours repeat: change the marker */
  return markers[(style + cycle * (nstyles > 1 ? nstyles : 1)) % NMARKERS];
}

static void data_row(FILE *f, double x, double y, double lo, double hi) {
  gp_num(f, x);
  fputc(' ', f);
  gp_num(f, y);
  fputc(' ', f);
  gp_num(f, lo);
  fputc(' ', f);
  gp_num(f, hi);
  fputc('\n', f);
}

static int write_data(const tsim_plot *p, FILE *f) {
  fprintf(f, "# x y lo hi - one block per series, separated by two blank lines%s\n",
          p->steps ? "; step functions: each point after the first is preceded by the stair's corner, x with "
                     "the previous point's y (rows 1, 3, 5, ... are the points)" : "");
  for (int s = 0; s < p->nseries; s++) {
    const tsim_series *se = &p->series[s];
    fprintf(f, "# series %d: %s\n", s, se->title);
    for (int i = 0; i < se->n; i++) {
      if (p->steps && i > 0) data_row(f, se->x[i], se->y[i - 1], se->lo[i - 1], se->hi[i - 1]);
      data_row(f, se->x[i], se->y[i], se->lo[i], se->hi[i]);
    }
    fprintf(f, "\n\n");
  }
  return 0;
}

/* Sizes in pixels of the 960-pixel-wide canvas, measured in gnuplot's SVG (its font is larger
 * than the PNG's): a legend column is 14 characters wider than its longest title at 7.8 pixels
 * a character (the sample line and gaps; each entry's sample before its title, left-justified,
 * so that a sample never sits against the next column's title), a legend row 21.5 pixels high
 * (19 in the PNG).
 * gnuplot silently drops the legend entries that do not fit and lets columns run off the
 * right edge, so the legend is laid out for the SVG. */
#define CANVAS_W 960
#define CHAR_W 7.8
#define ROW_H 22
/* Reference lines (target power, nominal rates): mid grey, wide, long dashes - unlike any curve
 * (each curve has a colour; the palette's black one is solid) and unlike the legend's entries of
 * the other parameters' values (dark grey, thin, with markers); drawn last and opaque, visible over
 * the bands and curves that sit on them (a nominal type I error among the null twin's curves). */
#define REFERENCE_STYLE "lc rgb '#8c8c8c' lw 3 dt (12,6)"

/* The legend's layout: columns, rows, and blank entries that start the styles on a new row. */
typedef struct legend_layout {
  int cols, rows, pad;
} legend_layout;

static legend_layout legend(const tsim_plot *p) {
  legend_layout l = {1, 0, 0};
  int nstyles = (p->nstyles > 1 ? p->nstyles : 0) + p->nylines, n = p->ncolours + nstyles;
  if (n == 0) return l;
  size_t w = 0;
  for (int i = 0; i < p->ncolours; i++) w = strlen(p->colour_title[i]) > w ? strlen(p->colour_title[i]) : w;
  for (int i = 0; i < (p->nstyles > 1 ? p->nstyles : 0); i++)
    w = strlen(p->style_title[i]) > w ? strlen(p->style_title[i]) : w;
  for (int i = 0; i < p->nylines; i++) w = strlen(p->yline_title[i]) > w ? strlen(p->yline_title[i]) : w;
  double entry = ((double)w + 14) * CHAR_W; /* the sample line, the text and the gaps */
  int fit = (int)((CANVAS_W - 40) / entry);
  if (fit < 2) fit = 2;
  /* Filled a column at a time: the fewest rows for which the colours' columns and then the
   * styles' columns (a group of their own) fit across. */
  for (l.rows = 1;; l.rows++) {
    int cc = (p->ncolours + l.rows - 1) / l.rows, cs = (nstyles + l.rows - 1) / l.rows;
    if (cc + cs <= fit || l.rows >= n) {
      l.cols = cc + cs;
      l.pad = nstyles ? cc * l.rows - p->ncolours : 0;
      break;
    }
  }
  return l;
}

static double panel_ymax(const tsim_plot *p) {
  double m = 0;
  for (int s = 0; s < p->nseries; s++)
    for (int i = 0; i < p->series[s].n; i++) {
      double v = isfinite(p->series[s].hi[i]) ? p->series[s].hi[i] : p->series[s].y[i];
      if (isfinite(v) && v > m) m = v;
    }
  for (int i = 0; i < p->nylines; i++)
    if (isfinite(p->yline[i]) && p->yline[i] > m) m = p->yline[i];
  return m > 0 ? m * 1.12 : 0.05;
}

/* One panel's plot command: the bands, the curves, the reference lines. */
static void write_panel(const tsim_plot *p, FILE *f, const char *name, int panel) {
  fprintf(f, "plot \\\n");
  const char *sep = "";
  for (int s = 0; s < p->nseries; s++) {
    const tsim_series *se = &p->series[s];
    if (se->panel != panel) continue;
    fprintf(f, "%s    '%s.dat' index %d using 1:3:4 with filledcurves lc rgb '%s' notitle", sep, name, s,
            tsim_plot_colour(se->colour));
    sep = ", \\\n";
  }
  for (int s = 0; s < p->nseries; s++) {
    const tsim_series *se = &p->series[s];
    if (se->panel != panel) continue;
    char dt[40];
    tsim_plot_dash(se->style, dt, sizeof dt);
    if (p->steps) /* the stairs, then markers at the points (every other row) */
      fprintf(f, "%s    '%s.dat' index %d using 1:2 with lines lc rgb '%s' dt %s lw 2 notitle, \\\n"
                 "    '%s.dat' index %d every 2 using 1:2 with points lc rgb '%s' pt %d ps 0.8 notitle",
              sep, name, s, tsim_plot_colour(se->colour), dt, name, s, tsim_plot_colour(se->colour),
              tsim_plot_marker(se->colour, se->style, p->nstyles));
    else
      fprintf(f, "%s    '%s.dat' index %d using 1:2 with linespoints lc rgb '%s' dt %s pt %d ps 0.8 "
                 "lw 2 notitle",
              sep, name, s, tsim_plot_colour(se->colour), dt, tsim_plot_marker(se->colour, se->style, p->nstyles));
    sep = ", \\\n";
  }
  for (int i = 0; i < p->nylines; i++, sep = ", \\\n") {
    fprintf(f, "%s    ", sep);
    gp_num(f, p->yline[i]);
    fprintf(f, " with lines " REFERENCE_STYLE " notitle");
  }
  fputc('\n', f);
}

/* Starts the script's loop over the two image types: `do for [type in "svg png"] {`, the
 * terminal and the output file. Everything a plot sets is set again inside the loop, so the
 * second image is drawn as the first. The canvas is width x height pixels. */
static void begin_images(FILE *f, const char *name, int width, int height) {
  fprintf(f, "\ndo for [type in \"svg png\"] {\n"
             "  if (type eq \"svg\") {\n"
             "    set terminal svg size %d,%d dynamic enhanced font 'Helvetica,13' background 'white'\n"
             "  } else {\n"
             "    set terminal pngcairo size %d,%d enhanced font 'Helvetica,11' background 'white'\n"
             "  }\n"
             "  set output '%s.'.type\n",
          width, height, width, height, name);
}

/* The legend as a plot of its own across the whole width, below the panels (key_h pixels
 * high): the entries written by `entries` after "plot NaN notitle". */
static void legend_block(FILE *f, int height, int key_h, int rows, void (*entries)(FILE *, const void *),
                         const void *ctx) {
  fprintf(f, "  # the legend: a plot of its own below the panels, across the whole width\n"
             "  set lmargin at screen 0.02\n  set rmargin at screen 0.98\n"
             "  set tmargin at screen %.4f\n  set bmargin at screen 0.005\n"
             "  unset border\n  unset xtics\n  unset ytics\n  unset grid\n  unset title\n"
             "  unset xlabel\n  unset ylabel\n  unset label\n  set xrange [0:1]\n  set yrange [0:1]\n"
             "  set key inside center center vertical maxrows %d samplen 3 spacing 1.1 width -1 Left reverse\n"
             "  plot NaN notitle",
          (double)key_h / height, rows);
  entries(f, ctx);
  fprintf(f, "\n");
}

static void sweep_legend_entries(FILE *f, const void *ctx) {
  const tsim_plot *p = ctx;
  legend_layout l = legend(p);
  for (int i = 0; i < p->ncolours; i++) {
    fprintf(f, ", \\\n    keyentry with lines lc rgb '%s' lw 4 title ", tsim_plot_colour(i));
    gp_string(f, p->colour_title[i]);
  }
  for (int i = 0; i < l.pad; i++) fprintf(f, ", \\\n    keyentry with lines lc rgb 'white' title ' '");
  if (p->nstyles > 1) {
    for (int i = 0; i < p->nstyles; i++) {
      char dt[40];
      tsim_plot_dash(i, dt, sizeof dt);
      fprintf(f, ", \\\n    keyentry with linespoints lc rgb '#333333' dt %s pt %d ps 0.8 lw 2 title ", dt,
              tsim_plot_marker(0, i, p->nstyles));
      gp_string(f, p->style_title[i]);
    }
  }
  for (int i = 0; i < p->nylines; i++) {
    fprintf(f, ", \\\n    keyentry with lines " REFERENCE_STYLE " title ");
    gp_string(f, p->yline_title[i]);
  }
}

static int write_script(const tsim_plot *p, FILE *f, const char *name) {
  legend_layout l = legend(p);
  int two = p->npanels == 2, key_h = l.rows * ROW_H + 12;
  int height = 540 + key_h, top = two ? 64 : 44, bottom = 62 + key_h;
  fprintf(f, "# Written by trialsim. Restyle freely and rerun in this folder: gnuplot %s.gp\n"
             "# Data: %s.dat, one block per series (x, estimate, 95%% band low, high); each block's\n"
             "# comment says what it is. Colour: the analysis; dash and marker: the other values.\n",
          name, name);
  begin_images(f, name, CANVAS_W, height);
  fprintf(f, "  set xlabel ");
  gp_string(f, p->xlabel);
  fprintf(f, "\n  set ylabel ");
  gp_string(f, p->ylabel);
  fprintf(f, "\n  set grid xtics ytics lt 1 lw 1 lc rgb '#dddddd'\n  set border 31 lc rgb '#444444'\n  set xtics\n  set ytics\n"
             "  set format y '%% h'\n  set xrange [*:*]\n  set autoscale xfix\n  set key off\n"
             "  set style fill transparent solid 0.28 noborder\n");
  /* Stairs keep off the side borders: the last step is a rise at the last x. */
  fprintf(f, "  set offsets %s\n", p->steps ? "graph 0.04, graph 0.04, 0, 0" : "0, 0, 0, 0");
  if (p->xboolean) {
    fprintf(f, "  set xtics (\"false\" 0, \"true\" 1)\n  set xrange [-0.25:1.25]\n");
  } else if (p->xint[1] > p->xint[0]) {
    fprintf(f, "  set xtics ");
    gp_num(f, p->xint[0]);
    fprintf(f, ",1,");
    gp_num(f, p->xint[1]);
    fprintf(f, "\n  set mxtics 1\n");
  }
  if (p->probability_axis == 1) fprintf(f, "  set yrange [0:1]\n  set ytics 0.1\n");
  else {
    fprintf(f, "  set yrange [0:");
    gp_num(f, panel_ymax(p));
    fprintf(f, "]\n");
  }
  fprintf(f, "  set tmargin at screen %.4f\n  set bmargin at screen %.4f\n", 1 - (double)top / height,
          (double)bottom / height);
  fprintf(f, "  set multiplot title ");
  gp_string(f, p->title);
  fputc('\n', f);
  /* The left margin leaves room for tick labels of five characters (0.005) and the y label. */
  double l0 = 0.1, r1 = 0.975, mid = (l0 + r1) / 2;
  for (int panel = 0; panel < (two ? 2 : 1); panel++) {
    fprintf(f, "  set lmargin at screen %.4f\n  set rmargin at screen %.4f\n",
            two ? (panel ? mid + 0.02 : l0) : l0, two ? (panel ? r1 : mid - 0.02) : r1);
    if (two) {
      fprintf(f, "  set title ");
      gp_string(f, p->panel_title[panel]);
      fputc('\n', f);
    }
    if (panel == 1) fprintf(f, "  set ylabel ''\n  set format y ''\n");
    fprintf(f, "  ");
    write_panel(p, f, name, panel);
  }
  legend_block(f, height, key_h, l.rows, sweep_legend_entries, p);
  fprintf(f, "  unset multiplot\n}\nset output\n");
  return 0;
}

static int have_gnuplot(void) {
  const char *path = getenv("PATH");
  if (!path) return 0;
  char buf[4096];
  for (const char *s = path; *s;) {
    size_t len = strcspn(s, ":");
    snprintf(buf, sizeof buf, "%.*s/gnuplot", (int)len, s);
    if (access(buf, X_OK) == 0) return 1;
    s += len;
    if (*s == ':') s++;
  }
  return 0;
}

/* Runs `gnuplot NAME.gp` inside dir, without a shell (no quoting pitfalls). */
static int run_gnuplot(const char *dir, const char *name) {
  char script[512], log[512];
  snprintf(script, sizeof script, "%s.gp", name);
  snprintf(log, sizeof log, "%s.log", name);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (chdir(dir) != 0) _exit(127);
    /* gnuplot's warnings go to NAME.log beside the script, not onto our stderr. */
    unlink(log); /* a new file, never written through a planted link */
    int fd = open(log, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0666);
    if (fd >= 0) { dup2(fd, STDERR_FILENO); close(fd); }
    execlp("gnuplot", "gnuplot", script, (char *)NULL);
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Does the image at path end as a complete one of its type ends ("</svg>" then white space; a
 * PNG's IEND chunk)? gnuplot can exit 0 having written a truncated image to a full disk. */
static int image_complete(const char *path, int png) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char tail[64];
  off_t size = lseek(fd, 0, SEEK_END);
  ssize_t want = size < (off_t)sizeof tail ? (ssize_t)size : (ssize_t)sizeof tail, got = -1;
  if (size > 0 && lseek(fd, size - want, SEEK_SET) >= 0) got = read(fd, tail, (size_t)want);
  close(fd);
  if (got != want || got <= 0) return 0;
  if (png) {
    static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    return got >= 12 && memcmp(tail + got - 12, iend, 12) == 0;
  }
  while (got > 0 && (tail[got - 1] == '\n' || tail[got - 1] == '\r' || tail[got - 1] == ' ')) got--;
  return got >= 6 && memcmp(tail + got - 6, "</svg>", 6) == 0;
}

/* Removes an earlier run's images, then draws DIR/NAME.gp when gnuplot is installed. 0 drawn,
 * 1 no gnuplot, -2 gnuplot failed or its images are incomplete (said on notice). */
static int draw(const char *dir, const char *name, FILE *notice) {
  char dat[4200], gp[4200], img[2][4200];
  snprintf(dat, sizeof dat, "%s/%s.dat", dir, name);
  snprintf(gp, sizeof gp, "%s/%s.gp", dir, name);
  /* Images of an earlier run must not survive beside new data if this drawing fails. */
  snprintf(img[0], sizeof img[0], "%s/%s.svg", dir, name);
  snprintf(img[1], sizeof img[1], "%s/%s.png", dir, name);
  unlink(img[0]);
  unlink(img[1]);
  if (!have_gnuplot()) {
    if (notice)
      fprintf(notice, "trialsim: gnuplot not found: wrote %s and %s but no images "
                      "(apt-get install gnuplot-nox, then run gnuplot %s.gp there)\n",
              dat, gp, name);
    return 1;
  }
  int drawn = run_gnuplot(dir, name);
  char logpath[4200];
  snprintf(logpath, sizeof logpath, "%s/%s.log", dir, name);
  struct stat st;
  if (drawn == 0 && (!image_complete(img[0], 0) || !image_complete(img[1], 1))) {
    drawn = -1;
    FILE *log = fopen(logpath, "a");
    if (log) {
      fprintf(log, "trialsim: gnuplot exited 0 but %s.svg or %s.png is missing or incomplete "
                   "(a full disk?)\n", name, name);
      fclose(log);
    }
  }
  if (stat(logpath, &st) == 0 && st.st_size == 0) unlink(logpath); /* nothing to say */
  if (drawn != 0) {
    unlink(img[0]); /* no half image beside the data */
    unlink(img[1]);
    if (notice)
      fprintf(notice, "trialsim: gnuplot failed on %s (see %s/%s.log); the data and script are kept\n",
              gp, dir, name);
    return -2;
  }
  return 0;
}

/* A new temporary for DIR/NAME.EXT (report_internal.h); NULL with errno set. */
static FILE *plot_file_begin(const char *dir, char tmp[4200]) {
  return tsim__tmp_create(dir, tmp, 4200);
}

/* Closes the temporary and renames it to DIR/NAME.EXT: 0, or -1 with errno set and the
 * temporary removed. `failed`: the writing failed already. */
static int plot_file_end(FILE *f, int failed, const char tmp[4200], const char *dir, const char *name,
                         const char *ext) {
  char dst[4200];
  snprintf(dst, sizeof dst, "%s/%s.%s", dir, name, ext);
  int r = tsim__tmp_close(f);
  if (failed || r != 0 || rename(tmp, dst) != 0) {
    int e = errno;
    unlink(tmp);
    errno = e ? e : EIO;
    return -1;
  }
  return 0;
}

int tsim_plot_write(const tsim_plot *p, const char *dir, const char *name, FILE *notice) {
  char tmp[4200];
  FILE *f = plot_file_begin(dir, tmp);
  if (!f || plot_file_end(f, write_data(p, f) != 0, tmp, dir, name, "dat") != 0) return -1;
  if (!(f = plot_file_begin(dir, tmp)) || plot_file_end(f, write_script(p, f, name) != 0, tmp, dir, name, "gp") != 0)
    return -1;
  return draw(dir, name, notice);
}

/* ---- operating characteristics of a run ------------------------------------------------ */

static void dat_triple(FILE *f, const double v[3]) {
  for (int i = 0; i < 3; i++) {
    fputc(' ', f);
    gp_num(f, v[i]);
  }
}

static int write_oc_data(const tsim_oc_row *r, int n, FILE *f) {
  fprintf(f, "# One row per analysis. Columns: 1 row, 2 id, 3 nominal rate per direction (alpha/2\n"
             "# two-sided, alpha one-sided); then estimate, 95%% low, 95%% high of: 4-6 power favouring\n"
             "# the experimental arm, 7-9 power (two-sided), 10-12 type I error favouring the\n"
             "# experimental arm, 13-15 type I error favouring control, 16-18 type I error (two-sided)\n");
  for (int i = 0; i < n; i++) {
    fprintf(f, "%d \"", i);
    for (const char *c = r[i].id; *c; c++)
      if (*c != '"') fputc(*c, f);
    fputs("\" ", f);
    gp_num(f, r[i].level);
    dat_triple(f, r[i].power_exp);
    dat_triple(f, r[i].power);
    dat_triple(f, r[i].type1_exp);
    dat_triple(f, r[i].type1_ctl);
    dat_triple(f, r[i].type1);
    fputc('\n', f);
  }
  return 0;
}

static void oc_legend_entries(FILE *f, const void *ctx) {
  fprintf(f, ", \\\n    keyentry with xerrorbars ls 1 title 'favouring the experimental arm'"
             ", \\\n    keyentry with xerrorbars ls 2 title 'favouring control'"
             ", \\\n    keyentry with vectors nohead ls 3 title ");
  gp_string(f, ctx);
}

static int write_oc_script(const char *title, const char *level_title, const tsim_oc_row *r, int n,
                           FILE *f, const char *name) {
  size_t idw = 4;
  double xmax = 0;
  for (int i = 0; i < n; i++) {
    idw = strlen(r[i].id) > idw ? strlen(r[i].id) : idw;
    double v[3] = {r[i].type1_exp[2], r[i].type1_ctl[2], r[i].level};
    for (int j = 0; j < 3; j++)
      if (isfinite(v[j]) && v[j] > xmax) xmax = v[j];
  }
  xmax = xmax > 0 ? xmax * 1.15 : 0.05;
  int key_h = 2 * ROW_H + 12, height = 130 + key_h + 34 * (n > 3 ? n : 3);
  /* The analysis ids on the left, as wide as the longest; the canvas wider than 960 pixels when
   * they take more than 40% of it, so that ids of up to 63 characters show whole (a fixed 40% cut
   * ids of about 48 characters and more on the left) and the two panels keep their width. */
  double label = 16 + (double)idw * 8.4; /* tic labels: 8.4 px a character */
  int width = label > 0.4 * CANVAS_W ? (int)ceil(label / 0.4) : CANVAS_W;
  double left = label / width, right = 0.975;
  if (left < 0.08) left = 0.08;
  double split = left + (right - left) * 0.47;
  fprintf(f, "# Written by trialsim. Restyle freely and rerun in this folder: gnuplot %s.gp\n"
             "# Data: %s.dat (its header names the columns). A dot is the Monte Carlo estimate, a bar\n"
             "# its 95%% Wilson interval; the grey dashes mark each analysis's nominal rate per\n"
             "# direction (alpha/2 for a two-sided test: each direction spends half of alpha; alpha for\n"
             "# a one-sided test).\n",
          name, name);
  begin_images(f, name, width, height);
  fprintf(f, "  set yrange [%g:-0.6]\n  set ytics 1 scale 0 noenhanced\n  set xtics\n"
             "  set grid xtics mxtics noytics lt 1 lw 1 lc rgb '#cccccc', lt 1 lw 1 lc rgb '#e4e4e4'\n  set border 31 lc rgb '#444444'\n  set key off\n"
             "  set tmargin at screen %.4f\n  set bmargin at screen %.4f\n"
             "  set style line 1 lc rgb '%s' pt 7 ps 1.1 lw 1.6\n"
             "  set style line 2 lc rgb '%s' pt 5 ps 1.0 lw 1.6\n"
             "  set style line 3 lc rgb '#555555' dt (6,4) lw 1.5\n"
             "  set multiplot title ",
          n - 0.4, 1 - 68.0 / height, (double)(key_h + 56) / height, tsim_plot_palette[0],
          tsim_plot_palette[1]);
  gp_string(f, title);
  fprintf(f, "\n  set lmargin at screen %.4f\n  set rmargin at screen %.4f\n"
             "  set title 'power favouring the experimental arm'\n"
             "  set xlabel 'rejection rate under the scenario'\n"
             "  set xrange [-0.015:1.015]\n  set xtics 0,0.2,1\n  set mxtics 2\n  set format y '%%g'\n"
             "  plot '%s.dat' using 4:1:5:6:ytic(2) with xerrorbars ls 1 notitle\n",
          left, split - 0.03, name);
  fprintf(f, "  set lmargin at screen %.4f\n  set rmargin at screen %.4f\n"
             "  set title 'type I error (null twin), by direction'\n"
             "  set xlabel 'rejection rate under the null twin'\n"
             "  set xrange [",
          split + 0.03, right);
  gp_num(f, -0.015 * xmax); /* a dot at 0 is drawn whole */
  fputc(':', f);
  gp_num(f, xmax);
  fprintf(f, "]\n  set xtics autofreq\n  set mxtics default\n  set format y ''\n"
             "  plot '%s.dat' using 10:($1-0.15):11:12 with xerrorbars ls 1 notitle, \\\n"
             "    '' using 13:($1+0.15):14:15 with xerrorbars ls 2 notitle, \\\n"
             "    '' using 3:($1-0.38):(0):(0.76) with vectors nohead ls 3 notitle\n",
          name);
  legend_block(f, height, key_h, 2, oc_legend_entries, level_title);
  fprintf(f, "  unset multiplot\n}\nset output\n");
  return 0;
}

int tsim_plot_write_oc(const char *title, const char *level_title, const tsim_oc_row *rows, int n,
                       const char *dir, const char *name, FILE *notice) {
  char tmp[4200];
  FILE *f = plot_file_begin(dir, tmp);
  if (!f || plot_file_end(f, write_oc_data(rows, n, f) != 0, tmp, dir, name, "dat") != 0) return -1;
  if (!(f = plot_file_begin(dir, tmp)) ||
      plot_file_end(f, write_oc_script(title, level_title, rows, n, f, name) != 0, tmp, dir, name, "gp") != 0)
    return -1;
  return draw(dir, name, notice);
}

tsim_plot *tsim_plot_new_hypotheses(const char *title, const char *xlabel, const char *ylabel) {
  tsim_plot *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->title = title;
  p->xlabel = xlabel;
  p->ylabel = ylabel;
  p->npanels = 2;
  p->panel_title[0] = "alternative";
  p->panel_title[1] = "null twin";
  p->probability_axis = 1;
  return p;
}
