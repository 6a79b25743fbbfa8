/* main.c - the trialsim command: run, check, cohort.
 *
 * Exit status: 0 success, 2 bad input (scenario or command line), 1 internal failure.
 * Input is checked completely before anything is simulated or written.
 */
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "runner.h"
#include "scenario.h"

#define DEFAULT_SCENARIO "scenarios/lupil2.json"

static const char *const usage_main =
    "usage: trialsim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run [SCENARIO.json]      simulate trials; power and type I error of every analysis\n"
    "  check SCENARIO.json      validate a scenario file only\n"
    "  cohort SCENARIO.json     print one simulated trial's patients as CSV\n"
    "\n"
    "'trialsim <command> --help' describes each command. Exit status: 0 success, 2 bad input,\n"
    "1 internal failure.\n";

static const char *const usage_run =
    "usage: trialsim run [SCENARIO.json] [--trials N] [--seed S] [--threads T] [--out DIR]\n"
    "\n"
    "Simulates N trials under the scenario and under its null twin (every arm's end points set\n"
    "to the control arm's) and reports, for every analysis, power and type I error with Monte\n"
    "Carlo standard errors and 95% Wilson intervals, plus the joint decisions of every pair of\n"
    "analyses. Writes DIR/summary.json and DIR/analyses.csv and prints a table.\n"
    "\n"
    "  SCENARIO.json  default " DEFAULT_SCENARIO "\n"
    "  --trials N     number of simulated trials (default: the scenario's \"trials\")\n"
    "  --seed S       base seed, 0 to 2^53-1 (default: the scenario's \"seed\")\n"
    "  --threads T    OpenMP threads (default: all cores); results do not depend on it\n"
    "  --out DIR      output folder (default results/<scenario name>)\n"
    "  --quiet        no table on stdout\n";

static const char *const usage_check =
    "usage: trialsim check SCENARIO.json\n"
    "\n"
    "Validates the scenario and lists every problem with its JSON path. Exit 0 if valid, 2 if\n"
    "not. Nothing is written.\n";

static const char *const usage_cohort =
    "usage: trialsim cohort SCENARIO.json --trial K [--seed S] [--null]\n"
    "\n"
    "Prints trial K's patients (0-based K, as in a run with the same seed) as CSV on stdout:\n"
    "trial, hypothesis, patient, site, arm, dropout, deviation, and for each end point the\n"
    "response and the response probability that patient had. These are exactly the patients\n"
    "'trialsim run' analysed as trial K. --null gives the null twin's cohort instead.\n";

typedef struct cli {
  const char *scenario;
  const char *out;
  long long trials;   /* -1: scenario's */
  long long seed;     /* -1: scenario's */
  long long trial;    /* cohort: -1 = not given */
  int threads;        /* 0: default */
  int null_twin;
  int quiet;
} cli;

__attribute__((format(printf, 2, 3)))
static int bad_usage(const char *usage, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "trialsim: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n\n%s", usage);
  va_end(ap);
  return 2;
}

static int parse_ll(const char *s, long long lo, long long hi, long long *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

/* 1 if `name` is an option that takes a value. */
static int takes_value(const char *name) {
  static const char *const names[] = {"--trials", "--seed", "--threads", "--trial", "--out", NULL};
  for (int i = 0; names[i]; i++)
    if (strcmp(name, names[i]) == 0) return 1;
  return 0;
}

/* Parses options after the command name. Returns 0, or an exit status to stop with. */
static int parse_cli(int argc, char **argv, const char *usage, cli *c) {
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    const char *val = NULL;
    char name[32] = "";
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(usage, stdout);
      return -1;
    }
    if (strncmp(a, "--", 2) == 0) {
      const char *eq = strchr(a, '=');
      size_t len = eq ? (size_t)(eq - a) : strlen(a);
      if (len >= sizeof name) return bad_usage(usage, "unknown option '%s'", a);
      memcpy(name, a, len);
      name[len] = '\0';
      int flag = strcmp(name, "--null") == 0 || strcmp(name, "--quiet") == 0;
      if (flag) {
        if (eq) return bad_usage(usage, "option '%s' takes no value", name);
        if (strcmp(name, "--null") == 0) c->null_twin = 1; else c->quiet = 1;
        continue;
      }
      /* Before taking a value, so that "--bogus FILE" does not swallow FILE. */
      if (!takes_value(name)) return bad_usage(usage, "unknown option '%s'", name);
      if (eq) val = eq + 1;
      else if (i + 1 < argc) val = argv[++i];
      else return bad_usage(usage, "option '%s' needs a value", name);
    } else {
      if (c->scenario) return bad_usage(usage, "unexpected argument '%s'", a);
      c->scenario = a;
      continue;
    }
    long long v;
    if (strcmp(name, "--trials") == 0) {
      if (parse_ll(val, 1, TSIM_MAX_TRIALS, &v)) return bad_usage(usage, "--trials: expected a whole number from 1 to 10^12, got '%s'", val);
      c->trials = v;
    } else if (strcmp(name, "--seed") == 0) {
      if (parse_ll(val, 0, TSIM_MAX_SEED, &v)) return bad_usage(usage, "--seed: expected a whole number from 0 to 2^53-1, got '%s'", val);
      c->seed = v;
    } else if (strcmp(name, "--threads") == 0) {
      if (parse_ll(val, 1, 1024, &v)) return bad_usage(usage, "--threads: expected a whole number from 1 to 1024, got '%s'", val);
      c->threads = (int)v;
    } else if (strcmp(name, "--trial") == 0) {
      if (parse_ll(val, 0, TSIM_MAX_TRIALS - 1, &v)) return bad_usage(usage, "--trial: expected a whole number from 0 to 10^12-1, got '%s'", val);
      c->trial = v;
    } else if (strcmp(name, "--out") == 0) {
      if (!*val) return bad_usage(usage, "--out: expected a folder name, got '%s'", val);
      c->out = val;
    } else {
      return bad_usage(usage, "unknown option '%s'", name);
    }
  }
  return 0;
}

static const char *default_scenario(void) {
  if (access(DEFAULT_SCENARIO, R_OK) == 0) return DEFAULT_SCENARIO;
  return TSIM_SOURCE_DIR "/" DEFAULT_SCENARIO;
}

static tsim_scenario *load(const char *file, int *status) {
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  tsim_status st = tsim_scenario_load(file, &sc, &d);
  if (st != TSIM_OK) {
    tsim_diag_print(&d, "trialsim: error: ", stderr);
    if (d.n == 0) fprintf(stderr, "trialsim: error: %s: %s\n", file, tsim_status_message(st));
    *status = tsim_status_exit_code(st);
  }
  tsim_diag_clear(&d);
  return sc;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct progress {
  double start, last;
  int shown;
} progress;

static void show_progress(void *ctx, long long done, long long total) {
  progress *p = ctx;
  double t = now_seconds();
  if (t - p->last < 0.25 || t - p->start < 0.5) return;
  p->last = t;
  p->shown = 1;
  double rate = (double)done / (t - p->start);
  fprintf(stderr, "\r  %5.1f%%  %lld / %lld trials  %.0f trials/s  ETA %.0f s   ",
          100.0 * (double)done / (double)total, done, total, rate,
          rate > 0 ? (double)(total - done) / rate : 0.0);
}

static int cmd_run(int argc, char **argv) {
  cli c = {NULL, NULL, -1, -1, -1, 0, 0, 0};
  int st = parse_cli(argc, argv, usage_run, &c);
  if (st) return st < 0 ? 0 : st;
  if (c.trial >= 0 || c.null_twin) return bad_usage(usage_run, "%s", "--trial and --null belong to 'cohort'");
  if (!c.scenario) c.scenario = default_scenario();
  int status = 0;
  tsim_scenario *sc = load(c.scenario, &status);
  if (!sc) return status;
  char outdir[4096];
  if (c.out) snprintf(outdir, sizeof outdir, "%s", c.out);
  else snprintf(outdir, sizeof outdir, "results/%s", sc->name);
  tsim_run_opts o = {c.seed >= 0 ? (uint64_t)c.seed : sc->seed, 0,
                     c.trials > 0 ? c.trials : sc->trials,
                     c.threads > 0 ? c.threads : omp_get_max_threads(), NULL, NULL};
  progress pr = {now_seconds(), 0, 0};
  if (isatty(STDERR_FILENO)) { o.progress = show_progress; o.progress_ctx = &pr; }
  tsim_tally *t = NULL;
  double t0 = now_seconds();
  tsim_status rs = tsim_run(sc, &o, &t);
  double secs = now_seconds() - t0;
  if (pr.shown) fprintf(stderr, "\r%70s\r", "");
  if (rs != TSIM_OK) {
    fprintf(stderr, "trialsim: error: %s: simulation failed: %s\n", c.scenario, tsim_status_message(rs));
    tsim_scenario_free(sc);
    return tsim_status_exit_code(rs);
  }
  tsim_run_info ri = {o.seed, o.trials, o.threads, secs};
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_status ws = tsim_report_write(sc, t, &ri, outdir, &d);
  if (ws != TSIM_OK) {
    tsim_diag_print(&d, "trialsim: error: ", stderr);
    status = tsim_status_exit_code(ws);
  } else {
    if (!c.quiet) tsim_report_print(sc, t, &ri, stdout);
    if (!c.quiet) printf("\nwritten: %s/summary.json, %s/analyses.csv\n", outdir, outdir);
  }
  tsim_diag_clear(&d);
  tsim_tally_free(t);
  tsim_scenario_free(sc);
  return status;
}

static int cmd_check(int argc, char **argv) {
  cli c = {NULL, NULL, -1, -1, -1, 0, 0, 0};
  int st = parse_cli(argc, argv, usage_check, &c);
  if (st) return st < 0 ? 0 : st;
  if (!c.scenario) return bad_usage(usage_check, "%s", "check needs a scenario file");
  int status = 0;
  tsim_scenario *sc = load(c.scenario, &status);
  if (!sc) return status;
  printf("%s: ok: scenario \"%s\", %d arms, %lld patients, %d site%s, %d end point%s, "
         "%d analys%s\n",
         c.scenario, sc->name, sc->narms, sc->sample_size, sc->nsites, sc->nsites == 1 ? "" : "s",
         sc->nendpoints, sc->nendpoints == 1 ? "" : "s", sc->nanalyses,
         sc->nanalyses == 1 ? "is" : "es");
  tsim_scenario_free(sc);
  return 0;
}

static int cmd_cohort(int argc, char **argv) {
  cli c = {NULL, NULL, -1, -1, -1, 0, 0, 0};
  int st = parse_cli(argc, argv, usage_cohort, &c);
  if (st) return st < 0 ? 0 : st;
  if (!c.scenario) return bad_usage(usage_cohort, "%s", "cohort needs a scenario file");
  if (c.trial < 0) return bad_usage(usage_cohort, "%s", "cohort needs --trial K");
  if (c.trials > 0 || c.threads > 0 || c.out) return bad_usage(usage_cohort, "%s", "cohort takes only --trial, --seed and --null");
  int status = 0;
  tsim_scenario *sc = load(c.scenario, &status);
  if (!sc) return status;
  tsim_cohort_plan plan;
  tsim_cohort *co = NULL;
  if (tsim_cohort_plan_init(&plan, sc) == TSIM_OK && (co = tsim_cohort_new(&plan))) {
    tsim_cohort_sample(co, c.seed >= 0 ? (uint64_t)c.seed : sc->seed, c.trial,
                       c.null_twin ? TSIM_HYP_NULL : TSIM_HYP_ALT);
    if (tsim_cohort_write_csv(co, stdout) != 0 || fflush(stdout) != 0) {
      fprintf(stderr, "trialsim: error: writing the cohort failed\n");
      status = 1;
    }
  } else {
    fprintf(stderr, "trialsim: error: out of memory\n");
    status = 1;
  }
  tsim_cohort_free(co);
  tsim_cohort_plan_free(&plan);
  tsim_scenario_free(sc);
  return status;
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off(); /* library code reports statuses; GSL must never abort */
  if (argc < 2) {
    fputs(usage_main, stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
  if (strcmp(cmd, "check") == 0) return cmd_check(argc - 2, argv + 2);
  if (strcmp(cmd, "cohort") == 0) return cmd_cohort(argc - 2, argv + 2);
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage_main, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0) {
    printf("trialsim %s\n", TSIM_VERSION);
    return 0;
  }
  fprintf(stderr, "trialsim: unknown command '%s'\n\n%s", cmd, usage_main);
  return 2;
}
