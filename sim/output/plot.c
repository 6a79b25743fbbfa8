/* plot.c - gnuplot scripts and data for power curves (see plot.h). */
#include "output/plot.h"

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
    if (*s == '_') fputc('\\', f), fputc('\\', f); /* no subscripts in enhanced text */
    fputc(*s, f);
  }
  fputc('"', f);
}

static int write_data(const tsim_plot *p, const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  fprintf(f, "# x y lo hi - one block per series, separated by two blank lines\n");
  for (int s = 0; s < p->nseries; s++) {
    const tsim_series *se = &p->series[s];
    fprintf(f, "# series %d: %s\n", s, se->title);
    for (int i = 0; i < se->n; i++)
      fprintf(f, "%.10g %.10g %.10g %.10g\n", se->x[i], se->y[i], se->lo[i], se->hi[i]);
    fprintf(f, "\n\n");
  }
  return fclose(f) == 0 ? 0 : -1;
}

static void write_plot_command(const tsim_plot *p, FILE *f, const char *name) {
  fprintf(f, "plot \\\n");
  for (int s = 0; s < p->nseries; s++)
    fprintf(f, "  '%s.dat' index %d using 1:3:4 with filledcurves lc %d notitle, \\\n", name, s,
            s + 1);
  for (int s = 0; s < p->nseries; s++) {
    fprintf(f, "  '%s.dat' index %d using 1:2 with linespoints lc %d pt 7 ps 0.6 lw 2 title ",
            name, s, s + 1);
    gp_string(f, p->series[s].title);
    fprintf(f, "%s", s + 1 < p->nseries || isfinite(p->yline) ? ", \\\n" : "\n");
  }
  if (isfinite(p->yline)) {
    fprintf(f, "  %.10g with lines dt 2 lc rgb 'black' lw 1.5 title ", p->yline);
    gp_string(f, p->yline_title ? p->yline_title : "");
    fputc('\n', f);
  }
}

static int write_script(const tsim_plot *p, const char *path, const char *name) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  fprintf(f, "# Written by trialsim. Restyle freely and rerun in this folder: gnuplot %s.gp\n"
             "# Data: %s.dat, one block per series (x, estimate, 95%% band low, high).\n",
          name, name);
  fprintf(f, "set title ");
  gp_string(f, p->title);
  fprintf(f, "\nset xlabel ");
  gp_string(f, p->xlabel);
  fprintf(f, "\nset ylabel ");
  gp_string(f, p->ylabel);
  fprintf(f, "\nset grid\nset key outside right top box opaque\n"
             "set style fill transparent solid 0.18 noborder\n");
  if (p->probability_axis == 1) fprintf(f, "set yrange [0:1]\nset ytics 0.1\n");
  else if (p->probability_axis == 2) fprintf(f, "set yrange [0:*]\n");
  fprintf(f, "\nset terminal svg size 960,560 dynamic enhanced font 'Helvetica,13' background 'white'\n"
             "set output '%s.svg'\n", name);
  write_plot_command(p, f, name);
  fprintf(f, "\nset terminal pngcairo size 960,560 enhanced font 'Helvetica,11' background 'white'\n"
             "set output '%s.png'\n", name);
  write_plot_command(p, f, name);
  fprintf(f, "set output\n");
  return fclose(f) == 0 ? 0 : -1;
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
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd >= 0) { dup2(fd, STDERR_FILENO); close(fd); }
    execlp("gnuplot", "gnuplot", script, (char *)NULL);
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int tsim_plot_write(const tsim_plot *p, const char *dir, const char *name, FILE *notice) {
  char dat[4200], gp[4200];
  snprintf(dat, sizeof dat, "%s/%s.dat", dir, name);
  snprintf(gp, sizeof gp, "%s/%s.gp", dir, name);
  if (write_data(p, dat) != 0 || write_script(p, gp, name) != 0) return -1;
  /* Images of an earlier run must not survive beside new data if this drawing fails. */
  char img[4200];
  snprintf(img, sizeof img, "%s/%s.svg", dir, name);
  remove(img);
  snprintf(img, sizeof img, "%s/%s.png", dir, name);
  remove(img);
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
  if (stat(logpath, &st) == 0 && st.st_size == 0) remove(logpath); /* nothing to say */
  if (drawn != 0) {
    if (notice)
      fprintf(notice, "trialsim: gnuplot failed on %s (see %s/%s.log); the data and script are kept\n",
              gp, dir, name);
    return -1;
  }
  return 0;
}
