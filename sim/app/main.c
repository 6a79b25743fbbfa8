/* main.c - the trialsim command: run, check, cohort, sweep, size, analyze.
 *
 * Exit status: 0 success, 2 bad input (scenario or command line), 1 internal failure.
 * Input is checked completely before anything is simulated or written.
 *
 * Compiled a second time with TSIM_MPI for trialsim_mpi (when CMake finds MPI): the same run,
 * sweep and size, their trials split across the processes mpirun starts (distributed.h); the
 * other commands stay with trialsim.
 */
#include <ctype.h>
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "app/analyze.h"
#include "core/numfmt.h"
#include "core/sha256.h"
#include "input/grid.h"
#include "output/expreport.h"
#include "output/html.h"
#include "output/report.h"
#include "run/partial.h"
#include "run/runner.h"
#include "run/sequential.h"
#include "input/scenario.h"
#include "run/size.h"
#include "run/sweep.h"
#ifdef TSIM_MPI
#include "run/distributed.h"
#endif

#define DEFAULT_SCENARIO "scenarios/lupil2.json"
/* The installed data relative to the installed executable's folder (sim/CMakeLists.txt). */
#ifndef TSIM_DATA_FROM_BIN
#define TSIM_DATA_FROM_BIN "../share/trialsim"
#endif

/* In trialsim_mpi, how many processes run (run.processes) and whether this one writes the
 * results (process 0 only). */
static int processes = 1, writer = 1;
/* The whole command line, for report.html's record (--report). */
static int main_argc;
static char **main_argv;

static const char *const usage_main =
    "usage: trialsim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run [SCENARIO.json]      simulate trials; power and type I error of every analysis\n"
    "  check SCENARIO.json      validate a scenario file only\n"
    "  cohort SCENARIO.json     print one simulated trial's patients as CSV\n"
    "  sweep SCENARIO.json      power curves over a grid of scenario values\n"
    "  size SCENARIO.json       smallest sample size reaching a target power\n"
    "  analyze DATA.json        the tests on observed tables (published results)\n"
    "  merge SHARD...           one run's result set from its shards (run --trials-from)\n"
    "\n"
    "'trialsim <command> --help' describes each command. Exit status: 0 success, 2 bad input,\n"
    "1 internal failure (every failed write too: a result file, a plot, standard output). An\n"
    "--out folder that cannot be written is bad input, found before anything is simulated.\n"
    "A command's files appear in its folder whole or not at all, moved in together under a lock\n"
    "on DIR/.trialsim.lock; two commands writing into one folder at once end with the later\n"
    "one's result set, never a mix.\n";

static const char *const usage_run =
    "usage: trialsim run [SCENARIO.json] [--trials N] [--seed S] [--threads T] [--out DIR]\n"
    "                    [--set PATH=VALUE ...] [--p-values] [--report] [--quiet] [--mcse X]\n"
    "                    [--trials-from A] [--trials-to B] [--checkpoint FILE]\n"
    "                    [--checkpoint-every SECONDS]\n"
    "\n"
    "Simulates N trials under the scenario and under its null twin (every arm's end points set\n"
    "to the control arm's; for an analysis with a non-inferiority or equivalence margin, the\n"
    "experimental arm at the margin) and reports, for every analysis, power and type I error\n"
    "with Monte Carlo standard errors and 95% Wilson intervals, plus the joint decisions of\n"
    "every pair of analyses. Writes DIR/summary.json and DIR/analyses.csv, prints a table,\n"
    "and draws the operating characteristics (power favouring the experimental arm, the null\n"
    "twin's rejections favouring each arm, with 95% intervals) in DIR/oc.{svg,png} with\n"
    "gnuplot (DIR/oc.dat and DIR/oc.gp, its data and script, are written even without\n"
    "gnuplot). Analyses with a margin add a table of their hypotheses, null twins and interval\n"
    "coverage. With interim looks (the scenario's \"looks\") each analysis is a\n"
    "group-sequential test: the table and summary.json add each look's boundaries and\n"
    "stopping shares, DIR/looks.csv has them, and\n"
    "DIR/looks.{svg,png} draws the share of trials stopped by each look; with \"accrual\" they\n"
    "add the expected patients randomised and months. With site monitoring (\"monitoring\")\n"
    "the table and summary.json add each rule's detection and false-alarm rates,\n"
    "DIR/monitoring.csv has them per site, DIR/monitoring_checks.csv by check, and\n"
    "DIR/monitoring.{svg,png} draws them by check.\n"
    "\n"
    "  SCENARIO.json  default " DEFAULT_SCENARIO " in the current folder, else the one\n"
    "                 installed with trialsim (" TSIM_DATA_FROM_BIN " beside its folder)\n"
    "  --trials N     number of simulated trials (default: the scenario's \"trials\")\n"
    "  --seed S       base seed, 0 to 2^53-1 (default: the scenario's \"seed\")\n"
    "  --threads T    OpenMP threads, 1 to 1024 (default: OMP_NUM_THREADS, else all\n"
    "                 cores; at most 1024 either way); results do not depend on it\n"
    "  --out DIR      output folder (default results/<scenario name>)\n"
    "  --set PATH=V   replace one value of the scenario before validation, e.g.\n"
    "                 --set sample_size=120 --set 'endpoints[0].response.il2=0.7';\n"
    "                 true or false for a switch: --set 'sites.anomalies[0].enabled=false'\n"
    "  --p-values     also the distribution of every analysis's p-value under both\n"
    "                 hypotheses: DIR/p_values.csv (1000 bins of 0.001) and \"p_values\" in\n"
    "                 summary.json; slower, as every p-value is computed exactly (with\n"
    "                 interim looks: the p-value of the look where the analysis stopped)\n"
    "  --report       also DIR/report.html: one self-contained page to file with a report\n"
    "                 (the scenario and its sources, the tables with Monte Carlo errors, the\n"
    "                 plots, and a record to reproduce the run: version, revision, the\n"
    "                 scenario's SHA-256, seed, trials, command line, date)\n"
    "  --quiet        no table on stdout; where the results went is said on stderr\n"
    "  --mcse X       run to a stated precision: trials in looks (1000, then as many as the\n"
    "                 least precise rate needs at its present value, in multiples of 1000) until\n"
    "                 every power, type I error (each also by direction), multiplicity share and\n"
    "                 joint share reported has a Monte Carlo SE of at most X (0 < X <= 0.5, e.g.\n"
    "                 0.002). --trials (or the scenario's \"trials\") is then the most it may take.\n"
    "                 The stopping reads the exact counts only (SEs from (k+1)/(n+2), never below\n"
    "                 the reported ones): the same trials and numbers for any thread count, and\n"
    "                 those of a plain run of as many trials. summary.json's \"precision\" and the\n"
    "                 table's third line say whether X was reached, after how many trials, and\n"
    "                 the largest MCSE. Not with --trials-from, --trials-to or --checkpoint\n"
    "\n"
    "Long runs (RUNNING.md):\n"
    "  --trials-from A, --trials-to B\n"
    "                 simulate only trials A to B-1 (0-based; defaults 0 and N) of the run of N\n"
    "                 trials, and write only a shard: DIR/shard_A_B.tsim (DIR default\n"
    "                 results/<scenario name>/shards) holding their exact tallies and what\n"
    "                 identifies the run; 'trialsim merge' makes the result set from shards that\n"
    "                 cover trials 0 to N-1 once each, identical to one run's\n"
    "  --checkpoint FILE\n"
    "                 save the exact tallies and the next trial to FILE now and then (written\n"
    "                 to a temporary file and renamed); when FILE exists, carry on from it\n"
    "                 instead of starting again. The results are identical to a run never\n"
    "                 interrupted. FILE must come from the same scenario file, --set, seed,\n"
    "                 trials, range, --p-values and trialsim version (else exit 2); it is\n"
    "                 removed when the run has written its results\n"
    "  --checkpoint-every SECONDS\n"
    "                 how often (default 60; decimals allowed)\n";

#ifndef TSIM_MPI
static const char *const usage_merge =
    "usage: trialsim merge SHARD... [--out DIR] [--quiet]\n"
    "\n"
    "Combines shards written by 'trialsim run --trials-from A --trials-to B' (or checkpoints:\n"
    "they hold trials A up to where they stopped) into the run's result set: DIR/summary.json,\n"
    "DIR/analyses.csv (and DIR/p_values.csv with --p-values), the oc plot and the table, the\n"
    "same as one 'trialsim run' of all the trials, except summary.json's \"run\". The shards\n"
    "must be of the same run - scenario file (by SHA-256; each shard holds a copy, so the file\n"
    "itself is not needed), --set options, seed, trials, --p-values and trialsim version - and\n"
    "cover every trial exactly once; otherwise nothing is written and the exit status is 2,\n"
    "naming the shards and trials at fault.\n"
    "\n"
    "  --out DIR      output folder (default results/<scenario name>)\n"
    "  --quiet        no table on stdout\n";
#endif

static const char *const usage_check =
    "usage: trialsim check SCENARIO.json [--set PATH=VALUE ...]\n"
    "\n"
    "Validates the scenario and lists every problem with its JSON path. Exit 0 if valid, 2 if\n"
    "not. Nothing is written. --set PATH=VALUE as in 'trialsim run --help'.\n";

static const char *const usage_cohort =
    "usage: trialsim cohort SCENARIO.json --trial K [--seed S] [--null] [--set PATH=VALUE ...]\n"
    "\n"
    "Prints trial K (0-based, as in a run with the same seed and --set values) as CSV on\n"
    "stdout, one row per patient: the patients 'trialsim run' analysed as trial K (--null: the\n"
    "null twin's - with analyses against margins, the first null twin (pass 0; scenarios/\n"
    "STATISTICS.md, 'Several nulls'); with site monitoring that stops enrolment, each\n"
    "hypothesis's trial with the sites its checks stopped). Each row starts trial, hypothesis\n"
    "(alternative or null), patient (from 0), site, arm; then, by how the scenario is sampled\n"
    "(summary.json's \"sampling\"):\n"
    "\n"
    "binary end points only, sampled per patient or per cell:\n"
    "  dropout              1: dropped out, not assessed; 0: assessed\n"
    "  deviation            1: major protocol deviation (not per protocol); 0: none; blank for\n"
    "                       a dropout\n"
    "  response_ID          per end point ID: 1 responder, 0 not; blank for a dropout\n"
    "  p_ID                 the patient's response probability (arm, site effect, anomalies)\n"
    "  Per patient, rows are in enrollment order. Per cell (\"sampling\": \"cell\", chosen\n"
    "  for larger binary trials) a trial is drawn as counts per site and arm, and the rows are\n"
    "  patients with exactly those counts: grouped by site and arm, per-protocol patients\n"
    "  first, then deviations, then dropouts, responders first in each group; their order\n"
    "  within a cell carries no information.\n"
    "\n"
    "the patient-level model (continuous, repeated or derived end points, correlations,\n"
    "subgroups, dropout_mnar, a single arm, accrual, intercurrent events), rows in\n"
    "enrollment order, or per cell (\"sampling\": \"cell\", chosen for larger trials with one\n"
    "visit, two or more arms and none of subgroups, dropout_mnar, events, accrual) grouped by\n"
    "site and arm: per-protocol patients, then deviations, then dropouts, each patient with\n"
    "its own values:\n"
    "  dropout_before_week  the week of the first assessment missed (0 when the scenario\n"
    "                       lists no \"visits\"); blank: never dropped out\n"
    "  deviation            1: major protocol deviation; 0: none (per cell: 0 for a dropout)\n"
    "  randomised_month     with \"accrual\": the month the patient was randomised\n"
    "  subgroup_ID          per subgroup ID: 1 in it, 0 not\n"
    "  ID_baseline          end point ID's baseline value, for end points with a baseline\n"
    "  EVENT_before_week    per intercurrent event EVENT: the week of the first assessment\n"
    "                       after it (0 without \"visits\"); blank: none by the last visit\n"
    "  ID or ID_wWEEK       end point ID's value (at week WEEK, with visits): a number, or\n"
    "                       1/0 for a binary one, with the events' effects; blank once the\n"
    "                       patient dropped out\n"
    "  ID_wWEEK_hypothetical  when an analysis treats events hypothetically: the value\n"
    "                       without those events (never observed; shown for everyone)\n";

static void append_set_dir(const tsim_scenario *sc, char *out, size_t n);
#define CLI_MAX_SET TSIM_GRID_MAX_PARAMS

static const char *const usage_sweep =
    "usage: trialsim sweep SCENARIO.json --set PATH=GRID [--set PATH=GRID ...] [--zip]\n"
    "                      [--power P] [--trials N] [--seed S] [--threads T] [--out DIR]\n"
    "                      [--report] [--quiet] [--mcse X]\n"
    "                      [--checkpoint CKDIR [--checkpoint-every S]]\n"
    "\n"
    "Runs the scenario at every point of a grid of values and draws power and type I error\n"
    "curves. PATH is a JSON path to a number in the scenario (sample_size,\n"
    "endpoints[0].response.il2, sites.anomalies[0].response, dropout.placebo); GRID is a list\n"
    "(40,60,80) or an inclusive range (40:200:20); a switch takes true,false\n"
    "('sites.anomalies[0].enabled=true,false': the anomaly on and off). Several --set form the\n"
    "full grid (the first varying slowest); --zip pairs their values instead. Without --set,\n"
    "the scenario's \"sweep\" block is used. A swept \"seed\" or \"trials\" is each point's (not\n"
    "with --seed or --trials, which give every point the same). Every point is validated before\n"
    "anything runs, and every point uses the same trial streams (common random numbers), so each\n"
    "point equals 'trialsim run' of that variant. Writes DIR/sweep.json, DIR/sweep.csv (tidy) and\n"
    "DIR/power.{svg,png}, DIR/type1_error.{svg,png} with the gnuplot scripts and data.\n"
    "The power plot shows rejections favouring the experimental arm, with a line at the target\n"
    "power P (--power, default 0.8); the type I error plot has a panel for the null twin's\n"
    "rejections favouring each arm, with a line at each direction's nominal rate (alpha/2 for a\n"
    "two-sided test, alpha for a one-sided one). Colour: the analysis; dash and marker: the\n"
    "values of the other --set parameters. With site monitoring (\"monitoring\") sweep.csv and\n"
    "sweep.json add each rule's detection and false alarms per point, and for one swept\n"
    "parameter DIR/monitoring.{svg,png} draws them against it.\n"
    "--mcse X: each point runs as 'trialsim run --mcse X' does, until every rate it reports has a\n"
    "Monte Carlo SE of at most X, --trials (or the point's \"trials\") being its most: points\n"
    "with power near 0 or 1 stop early, points near 1/2 take the most. Each point's trials and\n"
    "\"precision\" are in sweep.json; its numbers are still those of 'trialsim run --trials' of\n"
    "as many trials.\n"
    "Default DIR: results/<name>/sweep/<the swept paths joined by '+'>[_zip], e.g.\n"
    "results/lupil2/sweep/sample_size, so sweeps of other parameters keep their own; another\n"
    "sweep of the same ones replaces it: give it --out to keep both.\n"
    "Progress goes to stderr: on a terminal a status line (grid point, elapsed, estimated time\n"
    "left: the mean time of a point so far times the points left); otherwise a line per point.\n"
    "--quiet: no table and no progress lines (the terminal's status line, which is erased, stays);\n"
    "where it wrote is then said on stderr.\n"
    "--report also writes DIR/report.html: the scenario, every point's table and the plots on one\n"
    "self-contained page, with a record to reproduce the sweep (as 'trialsim run --help' says).\n"
    "--checkpoint CKDIR [--checkpoint-every SECONDS]: keep every grid point's exact tallies in the\n"
    "folder CKDIR (CKDIR/run_<i>.tsim; saved every SECONDS, default 60, and when the point is\n"
    "done); the same sweep started again carries on from them with identical results (another\n"
    "sweep's are refused, exit 2). CKDIR is removed when the results are written.\n";

static const char *const usage_size =
    "usage: trialsim size SCENARIO.json --analysis ID[,ID...] --power P [--alpha A] [--step K]\n"
    "                     [--max N] [--window W] [--z Z] [--mcse X] [--full] [--set PATH=VALUE ...]\n"
    "                     [--trials N] [--seed S] [--threads T] [--out DIR] [--report] [--quiet]\n"
    "                     [--checkpoint CKDIR [--checkpoint-every S]]\n"
    "\n"
    "Finds the smallest total sample size whose power for analysis ID reaches P - power being\n"
    "the share of trials that reject in favour of the experimental arm (a rejection favouring\n"
    "control is no success; the two-sided rate is reported beside it). It starts from a\n"
    "normal approximation (two proportions, two means, or one rate against p0), brackets the\n"
    "answer, bisects on multiples of K (default: the allocation total, e.g. 2 for 1:1), then\n"
    "scans the sizes near the answer, since estimated power need not rise with N (Monte Carlo\n"
    "error; the saw-tooth of exact tests).\n"
    "\n"
    "Trials are spent where they decide something. Each size is simulated in looks of 1000,\n"
    "2000, 4000, ... trials up to --trials (default: the scenario's \"trials\") and stops at the\n"
    "first look where its power is told apart from P: its Wilson bound at z = Z (--z, default\n"
    "3, from 1 to 10) lies wholly above P (for every named analysis), or below it (for one).\n"
    "With L looks before the maximum a size\n"
    "stopped early lies on the wrong side of P with probability at most L (1 - Phi(Z)): 0.0094\n"
    "for the 7 looks up to 100,000 trials at Z = 3. Sizes far from the answer cost a few\n"
    "thousand trials; sizes within about Z Monte Carlo SEs of P run to --trials. The scan then\n"
    "goes down from the answer until two sizes in a row are told apart below P (at most W steps,\n"
    "--window, default 10): every smaller size that could still reach P is simulated; and up\n"
    "until a size reaches P. --mcse X also stops a size once its power's Monte Carlo SE is at\n"
    "most X (a coarser answer, sooner). A look's numbers are those of a run of as many trials,\n"
    "and the stopping reads exact counts: the same for any thread count. --full: every size gets\n"
    "all --trials and every size within W steps on both sides is simulated (the search without\n"
    "looks). The table gives each size's trials and why it stopped (told apart, maximum, mcse);\n"
    "after the answer, its precision: the power and MCSE at N and at N - step, whether they are\n"
    "told apart, and the trials simulated in all (size.json: \"precision\").\n"
    "\n"
    "Reports the smallest size reaching P and the smallest size from which every evaluated\n"
    "size reaches P, with power and type I error at every size evaluated, the type I error\n"
    "split by direction (rejections favouring the experimental arm, fav exp, and control,\n"
    "fav ctl; they add up to the two-sided rate). --alpha sets the analyses' level; --max\n"
    "bounds the search, and so does a scenario that refuses larger trials (Barnard's test, at\n"
    "about 1,000 patients an arm): the largest size it allows is then the bound, and a target\n"
    "beyond it is not reached, with the reason; --set PATH=VALUE as in 'trialsim run --help'.\n"
    "\n"
    "Several analyses (--analysis itt,pp, or --analysis repeated; up to 8): a size reaches P\n"
    "when every named analysis's power does, all evaluated on the same simulated trials; the\n"
    "answer is the smallest evaluated size at which all reach P (\"ITT and per-protocol both at\n"
    "80%\"). The table also gives, per size, the share of trials in which all of them were\n"
    "significant together. The search starts from the largest of the analyses' formula sizes.\n"
    "\n"
    "Writes DIR/size.json (\"sample_size\" is the answer), DIR/size.csv (a row per size and\n"
    "analysis, and with several a row 'all' per size) and the plots DIR/size_power.{svg,png}\n"
    "(power of each analysis, target line, chosen N) and DIR/size_type1_error.{svg,png}\n"
    "(type I error by direction). Default DIR: results/<name>/size/<IDs joined by\n"
    "'+'>_power<P>[_alpha<A>], e.g. results/lupil2/size/itt_power0.8, so searches for other\n"
    "analyses or targets keep their own; one for the same ones (another --max, --trials or\n"
    "--seed) replaces it: give it --out to keep both.\n"
    "\n"
    "Progress goes to stderr: on a terminal a status line (the size being simulated, the\n"
    "bracket so far, sizes done, elapsed time and an estimate of what remains: unknown while\n"
    "bracketing, then the bisection steps and window sizes left at the time per patient of the\n"
    "sizes done); otherwise a line per evaluated size (N, power, bracket, elapsed). --quiet: no\n"
    "table and no progress lines (the terminal's status line, which is erased, stays); where\n"
    "it wrote is then said on stderr.\n"
    "--report also writes DIR/report.html: the scenario, every size evaluated, the answer and the\n"
    "plots on one self-contained page, with a record to reproduce the search.\n"
    "--checkpoint CKDIR [--checkpoint-every SECONDS]: keep every evaluated size's exact tallies in\n"
    "the folder CKDIR, as 'trialsim sweep --help' says: the same search started again carries on\n"
    "from them with identical results. CKDIR is removed when the results are written.\n";

/* The tests of each kind of table follow (tsim_analyze_tests_text), then usage_analyze_end. */
static const char *const usage_analyze =
    "usage: trialsim analyze DATA.json [--out DIR] [--quiet]\n"
    "\n"
    "Runs every applicable test on each table of DATA.json, with the estimates and 95%\n"
    "intervals (risk differences: Wald and Newcombe; odds ratios: logistic; differences in\n"
    "means: Welch, Student, ANCOVA), and shows beside each table's published_p which tests\n"
    "reproduce it to the published number of decimals, or that none does. The tests, by kind\n"
    "of table:\n";
static const char *const usage_analyze_end =
    "\nChi-square statistics are shown with their df (1), t statistics with theirs. Writes\n"
    "DIR/analyze.json (default results/<file name>/). The format is in scenarios/README.md;\n"
    "published tables are in scenarios/published/ (the trials behind the scenarios, and three\n"
    "non-inferiority trials, establish1_tedizolid.json and establish2_tedizolid.json on a risk\n"
    "difference, supreme_airq_2019.json on a mean difference).\n"
    "\n"
    "Non-inferiority and equivalence: a two-arm table with \"hypothesis\": {\"type\":\n"
    "\"non_inferiority\", \"measure\": \"risk_difference\", \"margin\": -0.10} (or \"equivalence\"\n"
    "with \"margin\": [lower, upper]; measures risk_difference, risk_ratio, odds_ratio for\n"
    "binary tables (two arms, or strata), mean_difference and mean_ratio (control mean > 0) for\n"
    "continuous ones; the table's \"higher_is_better\", default true, says which side a margin is\n"
    "on) also gets the margin tests above: z (t-tests and ANCOVA: t on its df) and the one-sided\n"
    "p at the margin (equivalence: the larger of the two), the two-sided interval at the table's\n"
    "\"conf\" (default 0.95; ratio of means: Fieller's) and the conclusion at the one-sided\n"
    "level (1 - conf) / 2: by the p-value, or newcombe's by its interval, as a simulated trial\n"
    "decides. \"published_ci\": [lo, hi] names the tests whose interval rounds to it at the\n"
    "published number of decimals.\n";

typedef struct cli {
  const char *command;     /* "run", "check", ... (for messages) */
  const char *scenario;
  const char *out;
  long long trials;        /* -1: scenario's */
  long long seed;          /* -1: scenario's */
  long long trial;         /* cohort: -1 = not given */
  int threads;             /* 0: default */
  int null_twin;
  int quiet;
  int zip;
  int p_values;            /* run: tally the p-value distribution */
  int report;              /* run, sweep, size: also DIR/report.html */
  const char *set[CLI_MAX_SET]; /* --set PATH=VALUE(S), as given */
  int nset;
  const char *analysis[CLI_MAX_SET]; /* size: --analysis values, as given (ID or ID,ID,...) */
  int nanalysis;
  double power;            /* size: target, 0 = not given */
  double alpha;            /* size: -1 = the analysis's own */
  long long step, max, window; /* size: -1 = default */
  long long trials_from, trials_to; /* run: a shard's range, -1 = not given */
  const char *checkpoint;  /* run: --checkpoint FILE */
  double checkpoint_every; /* run: seconds, 0 = not given */
  double mcse;             /* run, sweep, size: the Monte Carlo SE to stop at, 0 = not given */
  double z;                /* size: the bounds' z, 0 = default */
  int full;                /* size: every size all trials, the whole window */
} cli;

static void cli_init(cli *c, const char *command) {
  memset(c, 0, sizeof *c);
  c->command = command;
  c->trials = c->seed = c->trial = -1;
  c->alpha = -1;
  c->step = c->max = c->window = -1;
  c->trials_from = c->trials_to = -1;
}

/* prefix, the message and end on stderr, the message's control characters shown as \u00XX (as
 * tsim_diag's): a file, folder or argument named with them must not reach the terminal as it is. */
__attribute__((format(printf, 3, 0))) static void vprint_escaped(const char *prefix, const char *end,
                                                                 const char *fmt, va_list ap) {
  char msg[16384];
  vsnprintf(msg, sizeof msg, fmt, ap);
  char *shown = tsim_escape_controls(msg);
  fprintf(stderr, "%s%s%s", prefix, shown ? shown : msg, end);
  free(shown);
}

/* "trialsim: error: " and the message on stderr, a line (escaped: vprint_escaped). */
__attribute__((format(printf, 1, 2))) static void cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprint_escaped("trialsim: error: ", "\n", fmt, ap);
  va_end(ap);
}

/* s with its control characters shown as \u00XX, for a line that names it (a path the user
 * chose, which the terminal must not obey): a copy in buf (n bytes), or s itself when out of
 * memory. */
static const char *shown(const char *s, char *buf, size_t n) {
  char *e = tsim_escape_controls(s);
  if (!e) return s;
  snprintf(buf, n, "%s", e);
  free(e);
  return buf;
}

__attribute__((format(printf, 2, 3))) static int bad_usage(const char *usage, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprint_escaped("trialsim: ", "", fmt, ap);
  va_end(ap);
  /* Only the synopsis (up to the first blank line) and where the rest is: the whole help after
   * the message pushed the message off a terminal's screen. */
  const char *end = strstr(usage, "\n\n"), *cmd = usage + strlen("usage: trialsim ");
  if (!end || strncmp(usage, "usage: trialsim ", strlen("usage: trialsim ")) != 0) {
    fprintf(stderr, "\n\n%s", usage);
    return 2;
  }
  fprintf(stderr, "\n\n%.*s\n\n'trialsim %.*s --help' says more.\n", (int)(end - usage), usage,
          (int)strcspn(cmd, " \n"), cmd);
  return 2;
}

/* Whole numbers on the command line are digits, with a '-' at most (for its message): no
 * leading space or '+', which strtoll would skip (" 5" was a seed, "5 " not). */
static int parse_ll(const char *s, long long lo, long long hi, long long *out) {
  char *end;
  if (!(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1])))) return -1;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

static int parse_prob(const char *s, double *out) {
  char *end;
  if (isspace((unsigned char)s[0])) return -1; /* as parse_ll: no space before a number */
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || !(v > 0 && v < 1)) return -1;
  *out = v;
  return 0;
}

static int in_list(const char *name, const char *const list[]) {
  for (int i = 0; list[i]; i++)
    if (strcmp(name, list[i]) == 0) return 1;
  return 0;
}

/* --threads' bound, and the default's: OMP_NUM_THREADS=100000 made libgomp crash (SIGSEGV)
 * starting the threads, so the environment is held to what the option allows. */
#define MAX_THREADS 1024
static int default_threads(void) {
  int t = omp_get_max_threads();
  return t < 1 ? 1 : t > MAX_THREADS ? MAX_THREADS : t;
}

static const char *const value_options[] = {"--trials", "--seed", "--threads", "--trial", "--out",
                                            "--set", "--analysis", "--power", "--alpha", "--step",
                                            "--max", "--window", "--trials-from", "--trials-to",
                                            "--checkpoint", "--checkpoint-every", "--mcse", "--z",
                                            NULL};
static const char *const flag_options[] = {"--null", "--quiet", "--zip", "--p-values", "--report",
                                           "--full", NULL};

static int set_flag(cli *c, const char *name) {
  if (strcmp(name, "--null") == 0) c->null_twin = 1;
  else if (strcmp(name, "--quiet") == 0) c->quiet = 1;
  else if (strcmp(name, "--p-values") == 0) c->p_values = 1;
  else if (strcmp(name, "--report") == 0) c->report = 1;
  else if (strcmp(name, "--full") == 0) c->full = 1;
  else c->zip = 1;
  return 0;
}

/* Stores the value of option `name`; returns 0 or an exit status. */
static int set_value(cli *c, const char *usage, const char *name, const char *val) {
  long long v;
  if (strcmp(name, "--trials") == 0) {
    if (parse_ll(val, 1, TSIM_MAX_TRIALS, &v)) return bad_usage(usage, "--trials: expected a whole number from 1 to 10^12, got '%s'", val);
    c->trials = v;
  } else if (strcmp(name, "--seed") == 0) {
    if (parse_ll(val, 0, TSIM_MAX_SEED, &v)) return bad_usage(usage, "--seed: expected a whole number from 0 to 2^53-1, got '%s'", val);
    c->seed = v;
  } else if (strcmp(name, "--threads") == 0) {
    if (parse_ll(val, 1, MAX_THREADS, &v)) return bad_usage(usage, "--threads: expected a whole number from 1 to 1024, got '%s'", val);
    c->threads = (int)v;
  } else if (strcmp(name, "--trial") == 0) {
    if (parse_ll(val, 0, TSIM_MAX_TRIALS - 1, &v)) return bad_usage(usage, "--trial: expected a whole number from 0 to 10^12-1, got '%s'", val);
    c->trial = v;
  } else if (strcmp(name, "--out") == 0) {
    if (!*val) return bad_usage(usage, "--out: expected a folder name, got '%s'", val);
    c->out = val;
  } else if (strcmp(name, "--set") == 0) {
    if (c->nset == CLI_MAX_SET) return bad_usage(usage, "--set: at most %d of them (one per path)", CLI_MAX_SET);
    c->set[c->nset++] = val;
  } else if (strcmp(name, "--analysis") == 0) {
    if (!*val) return bad_usage(usage, "--analysis: expected an analysis id, got '%s'", val);
    if (c->nanalysis == CLI_MAX_SET) return bad_usage(usage, "--analysis: at most %d analyses", CLI_MAX_SET);
    c->analysis[c->nanalysis++] = val;
  } else if (strcmp(name, "--power") == 0) {
    if (parse_prob(val, &c->power)) return bad_usage(usage, "--power: expected a target power strictly between 0 and 1, got '%s'", val);
  } else if (strcmp(name, "--alpha") == 0) {
    if (parse_prob(val, &c->alpha)) return bad_usage(usage, "--alpha: expected a level strictly between 0 and 1, got '%s'", val);
  } else if (strcmp(name, "--step") == 0) {
    if (parse_ll(val, 1, TSIM_MAX_SAMPLE, &c->step)) return bad_usage(usage, "--step: expected a whole number from 1 to %lld, got '%s'", TSIM_MAX_SAMPLE, val);
  } else if (strcmp(name, "--max") == 0) {
    if (parse_ll(val, 1, TSIM_MAX_SAMPLE, &c->max)) return bad_usage(usage, "--max: expected a whole number from 1 to %lld, got '%s'", TSIM_MAX_SAMPLE, val);
  } else if (strcmp(name, "--trials-from") == 0 || strcmp(name, "--trials-to") == 0) {
    int from = strcmp(name, "--trials-from") == 0;
    if (parse_ll(val, from ? 0 : 1, TSIM_MAX_TRIALS, &v))
      return bad_usage(usage, "%s: expected a whole number from %d to 10^12, got '%s'", name, from ? 0 : 1, val);
    if (from) c->trials_from = v;
    else c->trials_to = v;
  } else if (strcmp(name, "--checkpoint") == 0) {
    if (!*val) return bad_usage(usage, "--checkpoint: expected a file name, got '%s'", val);
    c->checkpoint = val;
  } else if (strcmp(name, "--checkpoint-every") == 0) {
    char *end;
    errno = 0;
    double secs = strtod(val, &end);
    if (errno || end == val || *end || !(secs >= 0.001 && secs <= 1e9))
      return bad_usage(usage, "--checkpoint-every: expected seconds from 0.001 to 10^9, got '%s'", val);
    c->checkpoint_every = secs;
  } else if (strcmp(name, "--mcse") == 0 || strcmp(name, "--z") == 0) {
    int mcse = strcmp(name, "--mcse") == 0;
    char *end;
    errno = 0;
    double x = isspace((unsigned char)val[0]) ? NAN : strtod(val, &end);
    if (isnan(x) || errno || end == val || *end || (mcse ? !(x > 0 && x <= 0.5) : !(x >= 1 && x <= 10)))
      return bad_usage(usage, mcse ? "--mcse: expected a Monte Carlo standard error above 0 and at most 0.5 (e.g. 0.002), got '%s'"
                                   : "--z: expected a normal quantile from 1 to 10 (e.g. 3), got '%s'", val);
    if (mcse) c->mcse = x;
    else c->z = x;
  } else if (strcmp(name, "--window") == 0) {
    if (parse_ll(val, 0, 1000, &c->window)) return bad_usage(usage, "--window: expected a whole number from 0 to 1000, got '%s'", val);
  }
  return 0;
}

/* Parses options after the command name; `allowed` lists the options this command takes.
 * Returns 0, -1 after --help, or an exit status to stop with. */
static int parse_cli(int argc, char **argv, const char *usage, const char *const allowed[], cli *c) {
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    char name[32] = "";
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(usage, stdout);
      return -1;
    }
    if (strncmp(a, "--", 2) != 0) {
      if (c->scenario) return bad_usage(usage, "unexpected argument '%s'", a);
      c->scenario = a;
      continue;
    }
    const char *eq = strchr(a, '=');
    size_t len = eq ? (size_t)(eq - a) : strlen(a);
    if (len >= sizeof name) return bad_usage(usage, "unknown option '%s'", a);
    memcpy(name, a, len);
    name[len] = '\0';
    int flag = in_list(name, flag_options);
    /* Checked before taking a value, so that "--bogus FILE" does not swallow FILE. */
    if (!flag && !in_list(name, value_options)) return bad_usage(usage, "unknown option '%s'", name);
    if (!in_list(name, allowed))
      return bad_usage(usage, "option '%s' does not apply to '%s'", name, c->command);
    if (flag) {
      if (eq) return bad_usage(usage, "option '%s' takes no value", name);
      set_flag(c, name);
      continue;
    }
    const char *val;
    if (eq) val = eq + 1;
    else if (i + 1 < argc) val = argv[++i];
    else return bad_usage(usage, "option '%s' needs a value", name);
    int st = set_value(c, usage, name, val);
    if (st) return st;
  }
  return 0;
}

/* --set PATH=VALUE (one value each) as overrides; 0 or an exit status. */
static int fixed_overrides(const cli *c, const char *usage, tsim_override *ov) {
  for (int i = 0; i < c->nset; i++) {
    char why[300];
    if (tsim_grid_parse_one(c->set[i], &ov[i], why, sizeof why)) return bad_usage(usage, "--set: %s", why);
    for (int j = 0; j < i; j++) /* as a sweep's grid: one value per path, not the last of several */
      if (strcmp(ov[j].path, ov[i].path) == 0) return bad_usage(usage, "--set: \"%s\" is set twice", ov[i].path);
  }
  return 0;
}

/* The scenario `run` takes when given none: DEFAULT_SCENARIO in the current folder (from the
 * repository's root, as the README's quick start runs it); else beside the executable itself
 * (/proc/self/exe): TSIM_DATA_FROM_BIN/DEFAULT_SCENARIO for an installed copy
 * (<bindir>/../share/trialsim/scenarios/lupil2.json), then share/trialsim/DEFAULT_SCENARIO for
 * the build folder, which CMake links to the source's scenarios. NULL, with every place looked
 * at said on stderr, when there is none. */
static const char *default_scenario(void) {
  static char found[8192];
  if (access(DEFAULT_SCENARIO, R_OK) == 0) return DEFAULT_SCENARIO;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  char tried[2][sizeof found];
  int ntried = 0;
  if (n > 0 && (size_t)n < sizeof exe - 1) { /* n == sizeof exe - 1: perhaps cut short */
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    static const char *const from_bin[] = {TSIM_DATA_FROM_BIN, "share/trialsim"};
    for (int i = 0; i < 2; i++) {
      snprintf(tried[i], sizeof tried[i], "%s/%s/%s", exe, from_bin[i], DEFAULT_SCENARIO);
      ntried++;
      if (access(tried[i], R_OK) == 0) {
        snprintf(found, sizeof found, "%s", tried[i]);
        return found;
      }
    }
  }
  char where[2 * sizeof found + 128] = "";
  if (ntried == 0) snprintf(where, sizeof where, "; the executable's own folder is unknown (/proc/self/exe)");
  for (int i = 0; i < ntried; i++) snprintf(where + strlen(where), sizeof where - strlen(where), ", %s", tried[i]);
  cli_error("no scenario given, and the default %s was not found: looked in the current folder (./%s)%s",
            DEFAULT_SCENARIO, DEFAULT_SCENARIO, where);
  return NULL;
}

static tsim_scenario *load(const char *file, const tsim_override *ov, int nov, int *status) {
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  tsim_status st = tsim_scenario_load_variant(file, ov, nov, &sc, &d);
  if (st != TSIM_OK) {
    tsim_diag_print(&d, "trialsim: error: ", stderr);
    if (d.n == 0) cli_error("%s: %s", file, tsim_status_message(st));
    *status = tsim_status_exit_code(st);
  }
  tsim_diag_clear(&d);
  return sc;
}

/* Can results be written into dir? Checked before anything is simulated, so that an unwritable
 * --out is bad input found at once, not after the simulation. The folder, or when it does not
 * exist yet the first of its ancestors that does, must be a folder in which this process can
 * create an entry: probed by creating one (a file in the folder itself, a folder in an
 * ancestor) and removing it at once, since access() lets root through read-only permissions
 * and immutable folders. Nothing is left behind. 0, or -1 with the reason in why[n]. */
/* The longest --out: room is left below PATH_MAX (4096) for the files written in it, the
 * longest of which is a temporary "/.size_type1_error.svg.<pid>.tmp"; a longer name was
 * refused only when writing, after the folders had been made. */
#define OUT_MAX 3968
/* The longest name of one folder in it (NAME_MAX on Linux's file systems). */
#define OUT_NAME_MAX 255

static int outdir_writable(const char *dir, char *why, size_t n) {
  char path[4096];
  size_t len = strlen(dir);
  if (len > OUT_MAX) {
    snprintf(why, n, "the name is longer than %d bytes", OUT_MAX);
    return -1;
  }
  for (const char *c = dir; *c;) {
    size_t part = strcspn(c, "/");
    if (part > OUT_NAME_MAX) {
      snprintf(why, n, "a folder name in it is longer than %d bytes", OUT_NAME_MAX);
      return -1;
    }
    c += part;
    c += *c == '/';
  }
  memcpy(path, dir, len + 1);
  while (len > 1 && path[len - 1] == '/') path[--len] = '\0';
  int itself = 1; /* path is dir itself, not an ancestor */
  for (;;) {
    struct stat st;
    if (stat(path, &st) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        if (itself) snprintf(why, n, "it exists and is not a folder");
        else snprintf(why, n, "%s is not a folder", path);
        return -1;
      }
      break;
    }
    if (errno != ENOENT && errno != ENOTDIR) {
      snprintf(why, n, "%s: %s", path, strerror(errno));
      return -1;
    }
    char *slash = strrchr(path, '/');
    if (!slash) snprintf(path, sizeof path, ".");
    else if (slash == path) path[1] = '\0';
    else *slash = '\0';
    itself = 0;
  }
  char probe[4200];
  snprintf(probe, sizeof probe, "%s/.trialsim-probe-XXXXXX", path);
  int ok;
  if (itself) {
    int fd = mkstemp(probe);
    ok = fd >= 0;
    if (ok) { close(fd); unlink(probe); }
  } else {
    ok = mkdtemp(probe) != NULL;
    if (ok) rmdir(probe);
  }
  if (!ok) {
    int e = errno;
    if (itself) snprintf(why, n, "cannot create a file in it: %s", strerror(e));
    else snprintf(why, n, "cannot create a folder in %s: %s", path, strerror(e));
    return -1;
  }
  return 0;
}

/* The check above as a command's error: exit status 2 with the folder and the reason; 0 when
 * the folder can be written. Only the writing process checks (trialsim_mpi: process 0; its
 * failure ends the job, tsim_mpi_finish). */
static int check_outdir(const char *dir) {
  char why[4400];
  if (!writer || outdir_writable(dir, why, sizeof why) == 0) return 0;
  cli_error("%s: cannot write results there: %s", dir, why);
  return 2;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* --report: the record of this command, taken before it simulates (the scenario file's digest,
 * the date); 0, or 1 when memory runs out. */
static int report_begin(const cli *c, tsim_html_record *rec) {
  memset(rec, 0, sizeof *rec);
  if (!c->report || !writer) return 0;
  if (tsim_html_record_init(rec, main_argc, main_argv, c->scenario, c->set, c->nset) == TSIM_OK) return 0;
  cli_error("out of memory");
  return 1;
}

/* --report: DIR/report.html from the result set just written into the stage (kind 'r' run,
 * 'w' sweep, 's' size; sc NULL: the scenario file with the overrides ov), into the stage too
 * (without --report an earlier page is among the set's stale files). Returns 0 or an exit
 * status (the reason in d, or said by load). */
static int report_write(const cli *c, int kind, const char *stage, const tsim_scenario *sc,
                        const tsim_override *ov, int nov, const tsim_html_record *rec, tsim_diag *d) {
  if (!c->report || !writer) return 0;
  int status = 0;
  tsim_scenario *own = NULL;
  if (!sc && !(sc = own = load(c->scenario, ov, nov, &status))) return status;
  tsim_status st = kind == 'r' ? tsim_html_write_run(stage, sc, rec, d)
                   : kind == 'w' ? tsim_html_write_sweep(stage, sc, rec, d)
                                 : tsim_html_write_size(stage, sc, rec, d);
  tsim_scenario_free(own);
  return tsim_status_exit_code(st);
}

/* Where --report wrote, once the set is in DIR. */
static void report_said(const cli *c, const char *dir) {
  if (!c->report || !writer) return;
  char eb[16384];
  dir = shown(dir, eb, sizeof eb);
  if (!c->quiet) printf("report: %s/report.html\n", dir);
  else fprintf(stderr, "trialsim: written: %s/report.html\n", dir); /* --quiet: where it wrote, on stderr */
}

/* ---- result sets (output/outset.h) ------------------------------------------------------- */

/* The result set being written, for the signal handlers: SIGINT, SIGTERM or SIGHUP while a
 * command writes removes its stage (nothing of it is left), except during its commit (a few
 * renames), which is finished first; the signal then takes its usual effect. */
static tsim_outset *current_set;
static volatile sig_atomic_t pending_signal;

static void on_signal(int sig) {
  tsim_outset *o = current_set;
  if (o && tsim_outset_abort(o) == 1) {
    pending_signal = sig;
    return;
  }
  signal(sig, SIG_DFL);
  raise(sig); /* delivered once this handler returns: the usual death by sig */
}

static void install_signal_handlers(void) {
  static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
    struct sigaction old, sa;
    if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue; /* nohup */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(sigs[i], &sa, NULL);
  }
}

/* A command's writing: the set, and the notices of its writers (collected, since they name
 * the stage, and said after the commit with DIR's name). */
typedef struct out_set {
  tsim_outset os;
  char *notes;
  size_t notes_len;
  FILE *nf;              /* the writers' notice stream */
} out_set;

/* Starts the set in dir. TSIM_OK, or the reason in d. */
static tsim_status set_begin(out_set *s, const char *dir, tsim_diag *d) {
  memset(s, 0, sizeof *s);
  s->nf = open_memstream(&s->notes, &s->notes_len);
  if (!s->nf) s->nf = stderr;
  tsim_status st = tsim_outset_begin(&s->os, dir, d);
  if (st == TSIM_OK) current_set = &s->os;
  return st;
}

/* Ends the set: committed when st is TSIM_OK (stale: the names of an earlier set's files this
 * one may lack), else removed. Says the writers' notices, rewrites d's messages to name DIR, and
 * returns the set's status. A signal that came during the commit takes effect here. */
static tsim_status set_end(out_set *s, tsim_status st, const char *const stale[], tsim_diag *d) {
  if (st == TSIM_OK) st = tsim_outset_commit(&s->os, stale, d);
  else tsim_outset_abort(&s->os);
  current_set = NULL;
  if (pending_signal) raise(pending_signal); /* the handler is still installed: it ends us */
  if (s->nf != stderr) {
    fclose(s->nf);
    if (s->notes) tsim_outset_print(&s->os, s->notes, stderr);
    free(s->notes);
  }
  tsim_outset_unstage(&s->os, d);
  return st;
}

static const char *const stale_run[] = {"p_values.csv", "looks.csv", "looks.svg", "looks.png", "looks.log",
                                        "looks.dat", "looks.gp", "monitoring.csv", "monitoring_checks.csv",
                                        "monitoring.svg", "monitoring.png", "monitoring.log", "monitoring.dat",
                                        "monitoring.gp", "report.html", "oc.svg", "oc.png", "oc.log", NULL};

/* A run's result set (summary.json, analyses.csv, p_values.csv, the oc plot and, with c's
 * --report, report.html) committed whole into outdir. A missing gnuplot is a notice; a failed
 * gnuplot a message in d with the rest committed. *status: report_write's exit status. */
static tsim_status write_run_set(const tsim_scenario *sc, const tsim_tally *t, const tsim_run_info *ri,
                                 const char *outdir, const cli *c, const tsim_html_record *rec,
                                 tsim_diag *d, int *status) {
  out_set set;
  tsim_status ws = set_begin(&set, outdir, d);
  if (ws == TSIM_OK) ws = tsim_report_write(sc, t, ri, set.os.stage, d);
  int plot = ws == TSIM_OK ? tsim_report_write_run_plot(sc, t, set.os.stage, set.nf) : 0;
  if (plot == -1) {
    tsim_diag_add(d, "%s/oc.dat, oc.gp: cannot write: %s", set.os.stage, strerror(errno));
    ws = TSIM_IO;
  } else if (plot == -2) {
    tsim_diag_add(d, "%s/oc.svg, oc.png: not drawn: gnuplot failed (see %s/oc.log)", set.os.stage, set.os.stage);
  }
  if (ws == TSIM_OK && c && (*status = report_write(c, 'r', set.os.stage, sc, NULL, 0, rec, d))) ws = TSIM_IO;
  return set_end(&set, ws, stale_run, d);
}
static const char *const stale_sweep[] = {"report.html", "power.svg", "power.png", "power.log",
                                          "type1_error.svg", "type1_error.png", "type1_error.log",
                                          "monitoring.svg", "monitoring.png", "monitoring.log",
                                          "monitoring.dat", "monitoring.gp", NULL};
static const char *const stale_size[] = {"report.html", "size_power.svg", "size_power.png", "size_power.log",
                                         "size_type1_error.svg", "size_type1_error.png",
                                         "size_type1_error.log", NULL};

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

static void print_plot_files(FILE *f, const char *dir, const char *dir_shown, const char *name);
static void print_run_written(FILE *f, const char *prefix, const char *dir, const tsim_scenario *sc, int p_values);

/* Long runs (run --trials-from/--trials-to, --checkpoint; merge). The scenario file's text is
 * read once: the run loads it (pinned_reader) and its shard or checkpoint keeps it, so both
 * are the same bytes even if the file changes meanwhile. */
static char *pinned_text;
static size_t pinned_len;

static char *pinned_reader(const char *file, size_t *len, tsim_diag *d) {
  char *s = malloc(pinned_len + 1);
  if (!s) {
    tsim_diag_add(d, "%s: out of memory", file);
    return NULL;
  }
  memcpy(s, pinned_text, pinned_len);
  s[pinned_len] = '\0';
  *len = pinned_len;
  return s;
}

/* Pins the text of `file` (or the given text) for the loader; 0, or an exit status after saying
 * why. */
static int pin_scenario(const char *file) {
  tsim_diag d;
  tsim_diag_init(&d);
  pinned_text = tsim_scenario_read_text(file, &pinned_len, &d);
  if (!pinned_text) {
    tsim_diag_print(&d, "trialsim: error: ", stderr);
    if (d.n == 0) cli_error("%s: cannot read it", file);
    tsim_diag_clear(&d);
    return 2;
  }
  tsim_diag_clear(&d);
  tsim_scenario_set_reader(pinned_reader);
  return 0;
}

/* --checkpoint-every needs --checkpoint; neither is trialsim_mpi's. 0 or an exit status. */
static int checkpoint_options(const cli *c, const char *usage) {
#ifdef TSIM_MPI
  if (c->checkpoint || c->checkpoint_every > 0)
    return bad_usage(usage, "%s", "--checkpoint is trialsim's, not trialsim_mpi's");
#endif
  if (c->checkpoint_every > 0 && !c->checkpoint) return bad_usage(usage, "%s", "--checkpoint-every needs --checkpoint");
  return 0;
}

static void unpin_scenario(void) {
  if (!pinned_text) return;
  tsim_scenario_set_reader(NULL);
  free(pinned_text);
  pinned_text = NULL;
}

typedef struct checkpoint_ctx {
  const char *file;
  const tsim_partial_id *id;
} checkpoint_ctx;

static int save_checkpoint(void *ctx, const tsim_tally *t, long long next) {
  const checkpoint_ctx *k = ctx;
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_status st = tsim_partial_write(k->file, k->id, t, next, &d);
  if (st != TSIM_OK) tsim_diag_print(&d, "trialsim: error: checkpoint: ", stderr);
  tsim_diag_clear(&d);
  return st != TSIM_OK;
}

/* run --checkpoint FILE: the simulation of o, carried on from FILE when it exists and is this
 * run's (refused with exit status 2 when it is another's), saving into FILE every
 * --checkpoint-every seconds. Returns 0 with *rs the simulation's status, or an exit status
 * before anything was simulated. */
static int run_checkpointed(const cli *c, const tsim_scenario *sc, const tsim_run_opts *o,
                            const tsim_partial_id *id, tsim_tally **t, tsim_status *rs, long long *resumed) {
  *t = NULL;
  *resumed = 0;
  tsim_checkpoint_opts cp = {c->checkpoint_every > 0 ? c->checkpoint_every : 60, save_checkpoint, NULL, NULL, 0};
  checkpoint_ctx k = {c->checkpoint, id};
  cp.ctx = &k;
  tsim_partial p;
  tsim_tally *start = NULL;
  struct stat sb;
  tsim_partial_remove_stale(c->checkpoint); /* of a run killed while saving */
  if (stat(c->checkpoint, &sb) == 0) {
    tsim_diag d;
    tsim_diag_init(&d);
    tsim_status st = tsim_partial_read(c->checkpoint, &p, &d);
    if (st != TSIM_OK) {
      tsim_diag_print(&d, "trialsim: error: --checkpoint ", stderr);
      tsim_diag_clear(&d);
      return tsim_status_exit_code(st);
    }
    tsim_diag_clear(&d);
    const char *what = tsim_partial_differs(&p.id, id);
    if (!what && (p.id.from != id->from || p.id.to != id->to)) what = "trial range (--trials-from, --trials-to)";
    if (!what && !(start = tsim_tally_new(sc, o->p_values))) {
      tsim_partial_free(&p);
      cli_error("out of memory");
      return 1;
    }
    const char *bad = NULL;
    if (!what && tsim_partial_tally(&p, start, &bad) != TSIM_OK) {
      if (strcmp(bad, "counts") == 0) {
        cli_error("--checkpoint %s: its tally counts more trials with an event than "
                        "trials (damaged or edited); remove it, or give another file", c->checkpoint);
        tsim_partial_free(&p);
        tsim_tally_free(start);
        return 2;
      }
      what = "tally (its shape is another scenario's)";
    }
    if (what) {
      cli_error("--checkpoint %s: a checkpoint of another run: its %s differs "
                      "from this one's; remove it, or give another file", c->checkpoint, what);
      tsim_partial_free(&p);
      tsim_tally_free(start);
      return 2;
    }
    cp.start = start;
    cp.start_next = p.done;
    *resumed = p.done - id->from; /* simulated before, not by this process */
    if (!c->quiet) {
      char eb[16384];
      fprintf(stderr, "trialsim: resuming from %s: %lld of %lld trials done\n", shown(c->checkpoint, eb, sizeof eb),
              p.done - id->from, id->to - id->from);
    }
    tsim_partial_free(&p);
  } else if (errno != ENOENT) {
    cli_error("--checkpoint %s: %s", c->checkpoint, strerror(errno));
    return 2;
  } else {
    /* A first save into a folder that is missing or not writable would fail only after the
     * first interval: checked now, by saving the empty start. */
    tsim_tally *empty = tsim_tally_new(sc, o->p_values);
    if (!empty) { cli_error("out of memory"); return 1; }
    tsim_diag d;
    tsim_diag_init(&d);
    tsim_status st = tsim_partial_write(c->checkpoint, id, empty, id->from, &d);
    tsim_tally_free(empty);
    if (st != TSIM_OK) {
      tsim_diag_print(&d, "trialsim: error: --checkpoint ", stderr);
      tsim_diag_clear(&d);
      return 2;
    }
    tsim_diag_clear(&d);
  }
  *rs = tsim_run_checkpointed(sc, o, &cp, t);
  tsim_tally_free(start);
  return 0;
}

/* sweep and size --checkpoint DIR: every run the command asks for (a grid point, a size tried)
 * is kept in DIR/run_<i>.tsim, the i-th run in the order asked for (tsim_run_set_keeper),
 * saved every --checkpoint-every seconds and when finished; started again with the same
 * arguments the command finds its finished runs there, carries on with the one it was in, and
 * ends with the same results. The command's identity is the scenario file's text and its
 * arguments but those that do not change the numbers (--threads, --out, --quiet, --report,
 * --checkpoint, --checkpoint-every). */
typedef struct keeper_ctx {
  const char *dir;
  const char *args[256];
  int nargs;
  tsim_run_opts cur;    /* the run being kept (load comes before its saves) */
  int refused;
} keeper_ctx;

static void keeper_file(const keeper_ctx *k, long long index, char *out, size_t n) {
  snprintf(out, n, "%s/run_%lld.tsim", k->dir, index);
}

static void keeper_id(const keeper_ctx *k, tsim_partial_id *id) {
  tsim_partial_id_init(id, "", pinned_text, pinned_len, k->args, k->nargs, k->cur.seed,
                       k->cur.first_trial + k->cur.trials, k->cur.p_values, k->cur.first_trial,
                       k->cur.first_trial + k->cur.trials);
}

/* Set when keeper_load refused a checkpoint and said why: the search's own "failed" that follows
 * would only repeat it, misleadingly ("bad input" of the scenario). */
static int keeper_refused;

static int keeper_load(void *ctx, long long index, const tsim_run_opts *o, tsim_tally *t, long long *next) {
  keeper_ctx *k = ctx;
  k->cur = *o;
  char file[4200];
  keeper_file(k, index, file, sizeof file);
  tsim_partial_remove_stale(file);
  struct stat sb;
  if (stat(file, &sb) != 0) return 0;
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_partial p;
  tsim_status st = tsim_partial_read(file, &p, &d);
  if (st != TSIM_OK) {
    tsim_diag_print(&d, "trialsim: error: --checkpoint ", stderr);
    tsim_diag_clear(&d);
    k->refused = keeper_refused = 1;
    return -1;
  }
  tsim_diag_clear(&d);
  tsim_partial_id id;
  keeper_id(k, &id);
  const char *what = tsim_partial_differs(&p.id, &id);
  if (!what && (p.id.from != id.from || p.id.to != id.to)) what = "trials";
  const char *bad = NULL;
  if (!what && tsim_partial_tally(&p, t, &bad) != TSIM_OK) what = strcmp(bad, "counts") == 0 ? "" : "tally's shape";
  if (what && strcmp(what, "--set options") == 0) what = "arguments";
  if (what && !*what) {
    cli_error("--checkpoint %s: %s counts more trials with an event than trials "
                    "(damaged or edited); remove the folder, or give another", k->dir, file);
    k->refused = keeper_refused = 1;
  } else if (what) {
    cli_error("--checkpoint %s: a checkpoint of another command: they differ in "
                    "%s; remove the folder, or give another", k->dir, what);
    k->refused = keeper_refused = 1;
  } else {
    *next = p.done;
  }
  tsim_partial_free(&p);
  return what ? -1 : 1;
}

static int keeper_save(void *ctx, long long index, const tsim_tally *t, long long next) {
  keeper_ctx *k = ctx;
  char file[4200];
  keeper_file(k, index, file, sizeof file);
  tsim_partial_id id;
  keeper_id(k, &id);
  checkpoint_ctx ck = {file, &id};
  return save_checkpoint(&ck, t, next);
}

/* Starts keeping the runs of a sweep or size with --checkpoint DIR (pins the scenario text);
 * 0 or an exit status. */
static int keeper_begin(const cli *c, int argc, char **argv, keeper_ctx *k, tsim_run_keeper *rk) {
  memset(k, 0, sizeof *k);
  k->dir = c->checkpoint;
  static const char *const skip_value[] = {"--threads", "--out", "--checkpoint", "--checkpoint-every", NULL};
  static const char *const skip_flag[] = {"--quiet", "--report", NULL};
  for (int i = 0; i < argc && k->nargs < TSIM_PARTIAL_MAX_SET; i++) {
    char name[32];
    const char *eq = strchr(argv[i], '=');
    size_t len = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
    snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), argv[i]);
    if (in_list(name, skip_flag)) continue;
    if (in_list(name, skip_value)) { if (!eq) i++; continue; }
    k->args[k->nargs++] = argv[i];
  }
  if (k->nargs == TSIM_PARTIAL_MAX_SET) {
    cli_error("--checkpoint: at most %d arguments", TSIM_PARTIAL_MAX_SET);
    return 2;
  }
  char why[4400] = "";
  if (outdir_writable(k->dir, why, sizeof why) != 0 || tsim_mkdirs(k->dir) != 0) {
    cli_error("--checkpoint %s: cannot keep checkpoints there: %s", k->dir,
            why[0] ? why : strerror(errno));
    return 2;
  }
  int st = pin_scenario(c->scenario);
  if (st) return st;
  *rk = (tsim_run_keeper){c->checkpoint_every > 0 ? c->checkpoint_every : 60, keeper_load, keeper_save, k};
  tsim_run_set_keeper(rk);
  return 0;
}

/* Stops keeping; after success the folder's checkpoints are removed (and the folder, when
 * empty). */
static void keeper_end(keeper_ctx *k, int success) {
  tsim_run_set_keeper(NULL);
  unpin_scenario();
  if (!success) return;
  char file[4200];
  for (long long i = 0;; i++) {
    keeper_file(k, i, file, sizeof file);
    tsim_partial_remove_stale(file);
    if (remove(file) != 0) break;
  }
  rmdir(k->dir);
}

static int cmd_run(int argc, char **argv) {
  static const char *const allowed[] = {"--trials", "--seed", "--threads", "--out", "--quiet",
                                        "--set", "--p-values", "--report", "--trials-from",
                                        "--trials-to", "--checkpoint", "--checkpoint-every", "--mcse",
                                        NULL};
  cli c;
  cli_init(&c, "run");
  int st = parse_cli(argc, argv, usage_run, allowed, &c);
  if (st) return st < 0 ? 0 : st;
  tsim_override ov[CLI_MAX_SET];
  if ((st = fixed_overrides(&c, usage_run, ov))) return st;
  int shard = c.trials_from >= 0 || c.trials_to >= 0, long_run = shard || c.checkpoint;
#ifdef TSIM_MPI
  if (long_run || c.checkpoint_every > 0)
    return bad_usage(usage_run, "%s", "--trials-from, --trials-to and --checkpoint are trialsim's, not trialsim_mpi's");
#endif
  if (c.checkpoint_every > 0 && !c.checkpoint) return bad_usage(usage_run, "%s", "--checkpoint-every needs --checkpoint FILE");
  if (shard && c.report) return bad_usage(usage_run, "%s", "--report does not apply to a shard (--trials-from, --trials-to): the merged result set is the run's");
  if (c.mcse > 0 && long_run)
    return bad_usage(usage_run, "%s", "--mcse does not combine with --trials-from, --trials-to or --checkpoint: a shard's or a checkpoint's trials are fixed beforehand");
  if (!c.scenario && !(c.scenario = default_scenario())) return 2;
  if (long_run && (st = pin_scenario(c.scenario))) return st;
  int status = 0;
  tsim_scenario *sc = load(c.scenario, ov, c.nset, &status);
  if (!sc) { unpin_scenario(); return status; }
  long long total_trials = c.trials > 0 ? c.trials : sc->trials;
  long long from = c.trials_from >= 0 ? c.trials_from : 0, to = c.trials_to >= 0 ? c.trials_to : total_trials;
  if (from >= to || to > total_trials) {
    tsim_scenario_free(sc);
    unpin_scenario();
    return bad_usage(usage_run, "--trials-from %lld, --trials-to %lld: expected 0 <= A < B <= the run's trials (%lld)",
                     from, to, total_trials);
  }
  tsim_html_record rec;
  if (report_begin(&c, &rec)) { tsim_scenario_free(sc); return 1; }
  char outdir[4096];
  if (c.out) snprintf(outdir, sizeof outdir, "%s", c.out);
  else {
    snprintf(outdir, sizeof outdir, "results/%s", sc->name);
    append_set_dir(sc, outdir, sizeof outdir);
    if (shard) snprintf(outdir + strlen(outdir), sizeof outdir - strlen(outdir), "/shards");
  }
  if ((status = check_outdir(outdir))) { tsim_scenario_free(sc); unpin_scenario(); return status; }
  tsim_run_opts o = {c.seed >= 0 ? (uint64_t)c.seed : sc->seed, from, to - from,
                     c.threads > 0 ? c.threads : default_threads(), NULL, NULL, c.p_values, 0};
  progress pr = {now_seconds(), 0, 0};
  if (isatty(STDERR_FILENO)) { o.progress = show_progress; o.progress_ctx = &pr; }
  tsim_tally *t = NULL;
  tsim_partial_id pid;
  if (long_run)
    tsim_partial_id_init(&pid, c.scenario, pinned_text, pinned_len, c.set, c.nset, o.seed, total_trials,
                         c.p_values, from, to);
  double t0 = now_seconds();
  tsim_status rs = TSIM_OK;
  long long resumed = 0; /* trials a checkpoint held: not this process's, nor in its seconds */
  tsim_mcse_rule rule = {sc, c.mcse, TSIM_MCSE_BLOCK};
  tsim_looks looks = {TSIM_MCSE_BLOCK, tsim_mcse_next, &rule};
  if (c.mcse > 0) rs = tsim_run_looks(sc, &o, NULL, 0, &looks, &t);
  else if (!c.checkpoint) rs = tsim_run(sc, &o, &t);
  else if ((status = run_checkpointed(&c, sc, &o, &pid, &t, &rs, &resumed))) {
    tsim_html_record_free(&rec);
    tsim_scenario_free(sc);
    unpin_scenario();
    return status;
  }
  double secs = now_seconds() - t0;
  if (pr.shown) fprintf(stderr, "\r%70s\r", "");
  if (rs != TSIM_OK) {
    cli_error("%s: simulation failed: %s", c.scenario, tsim_status_message(rs));
    tsim_html_record_free(&rec);
    tsim_scenario_free(sc);
    unpin_scenario();
    return tsim_status_exit_code(rs);
  }
  if (shard) { /* the shard file only */
    char file[4200];
    snprintf(file, sizeof file, "%s/shard_%lld_%lld.tsim", outdir, from, to);
    tsim_diag d;
    tsim_diag_init(&d);
    tsim_status ws = TSIM_IO;
    if (tsim_mkdirs(outdir) != 0) cli_error("%s: cannot create it: %s", outdir, strerror(errno));
    else if ((tsim_partial_remove_stale(file), ws = tsim_partial_write(file, &pid, t, to, &d)) != TSIM_OK) tsim_diag_print(&d, "trialsim: error: ", stderr);
    else {
      char eb[16384];
      if (!c.quiet)
        printf("shard: trials %lld to %lld of %lld (%.1f s)\nwritten: %s\n", from, to - 1, total_trials, secs,
               shown(file, eb, sizeof eb));
      else fprintf(stderr, "trialsim: written: %s\n", shown(file, eb, sizeof eb)); /* as run --quiet says it */
    }
    if (ws == TSIM_OK && c.checkpoint) remove(c.checkpoint);
    tsim_diag_clear(&d);
    tsim_html_record_free(&rec);
    tsim_tally_free(t);
    tsim_scenario_free(sc);
    unpin_scenario();
    return ws == TSIM_OK ? 0 : tsim_status_exit_code(ws);
  }
  tsim_run_info ri = {o.seed, t->trials, o.threads, secs, processes, c.mcse, c.mcse > 0 ? o.trials : 0, 0, resumed};
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_status ws = TSIM_OK;
  if (writer) ws = write_run_set(sc, t, &ri, outdir, &c, &rec, &d, &status);
  tsim_diag_print(&d, "trialsim: error: ", stderr);
  if (ws != TSIM_OK) {
    if (!status) status = tsim_status_exit_code(ws);
  } else {
    status = d.n > 0; /* written, but gnuplot failed */
    /* --quiet: no table, and where the results went on stderr, as sweep and size say it. */
    FILE *f = c.quiet ? stderr : stdout;
    if (!c.quiet) tsim_report_print(sc, t, &ri, stdout);
    print_run_written(f, c.quiet ? "trialsim: " : "\n", outdir, sc, c.p_values);
    report_said(&c, outdir);
  }
  tsim_html_record_free(&rec);
  if (status == 0 && c.checkpoint) remove(c.checkpoint); /* the results hold it all now */
  tsim_diag_clear(&d);
  tsim_tally_free(t);
  tsim_scenario_free(sc);
  unpin_scenario();
  return status;
}

static int cmd_check(int argc, char **argv) {
  static const char *const allowed[] = {"--set", NULL};
  cli c;
  cli_init(&c, "check");
  int st = parse_cli(argc, argv, usage_check, allowed, &c);
  if (st) return st < 0 ? 0 : st;
  if (!c.scenario) return bad_usage(usage_check, "%s", "check needs a scenario file");
  tsim_override ov[CLI_MAX_SET];
  if ((st = fixed_overrides(&c, usage_check, ov))) return st;
  int status = 0;
  tsim_scenario *sc = load(c.scenario, ov, c.nset, &status);
  if (!sc) return status;
  printf("%s: ok: scenario \"%s\", %d arm%s, %lld patients, %d site%s, %d end point%s, "
         "%d analys%s\n",
         c.scenario, sc->name, sc->narms, sc->narms == 1 ? " (single-arm)" : "s", sc->sample_size,
         sc->nsites, sc->nsites == 1 ? "" : "s",
         sc->nendpoints, sc->nendpoints == 1 ? "" : "s", sc->nanalyses,
         sc->nanalyses == 1 ? "is" : "es");
  tsim_scenario_free(sc);
  return 0;
}

static int cmd_cohort(int argc, char **argv) {
  static const char *const allowed[] = {"--trial", "--seed", "--null", "--set", NULL};
  cli c;
  cli_init(&c, "cohort");
  int st = parse_cli(argc, argv, usage_cohort, allowed, &c);
  if (st) return st < 0 ? 0 : st;
  if (!c.scenario) return bad_usage(usage_cohort, "%s", "cohort needs a scenario file");
  if (c.trial < 0) return bad_usage(usage_cohort, "%s", "cohort needs --trial K");
  tsim_override ov[CLI_MAX_SET];
  if ((st = fixed_overrides(&c, usage_cohort, ov))) return st;
  int status = 0;
  tsim_scenario *sc = load(c.scenario, ov, c.nset, &status);
  if (!sc) return status;
  tsim_cohort_plan plan;
  tsim_cohort *co = NULL;
  if (tsim_cohort_plan_init(&plan, sc) == TSIM_OK && (co = tsim_cohort_new(&plan))) {
    co->keep_patients = 1;
    /* With site monitoring that stops enrolment the hypotheses' trials can differ: each as the
     * run analysed it. */
    int h = c.null_twin ? TSIM_HYP_NULL : TSIM_HYP_ALT;
    tsim_status ss = tsim_seq_sample_as_run(sc, co, c.seed >= 0 ? (uint64_t)c.seed : sc->seed, c.trial, h);
    if (ss != TSIM_OK) {
      cli_error("%s: %s", c.scenario, tsim_status_message(ss));
      status = 1;
    } else if (tsim_cohort_write_csv(co, (tsim_hypothesis)h, stdout) != 0 || fflush(stdout) != 0) {
      cli_error("writing the cohort failed");
      status = 1;
    }
  } else {
    cli_error("out of memory");
    status = 1;
  }
  tsim_cohort_free(co);
  tsim_cohort_plan_free(&plan);
  tsim_scenario_free(sc);
  return status;
}

/* Appends s to out[n] (holding *used bytes) as a file name: letters, digits, '.', '-', '_' and
 * '+' kept, "[k]" written "_k" (analyses[0].alpha -> analyses_0.alpha), ':' as '-', anything else
 * '_'. Long names are cut at n - 1. */
static void append_file_name(char *out, size_t n, size_t *used, const char *s) {
  for (; *s && *used + 1 < n; s++) {
    char ch = *s;
    if (ch == ']') continue;
    if (ch == '[') ch = '_';
    else if (ch == ':') ch = '-';
    else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '.' || ch == '-' || ch == '_' || ch == '+'))
      ch = '_';
    out[(*used)++] = ch;
  }
  out[*used] = '\0';
}

static int by_text(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

/* The default folder's part for a scenario read with --set values: "/set/" and the values as
 * PATH=VALUE in byte order (the same variant, whatever the order given) joined by '+' (file-name
 * characters as append_file_name makes them), so that a variant does not replace the plain
 * scenario's results; a name over 200 bytes keeps its first 183, a '_' and the first 16 hex
 * digits of the SHA-256 of the values' text. Nothing without --set. */
static void append_set_dir(const tsim_scenario *sc, char *out, size_t n) {
  if (sc->nset == 0) return;
  char name[TSIM_GRID_MAX_PARAMS * (TSIM_OVERRIDE_TEXT_MAX + 1) + 1] = "", full[sizeof name] = "";
  char texts[TSIM_GRID_MAX_PARAMS][TSIM_OVERRIDE_TEXT_MAX];
  for (int i = 0; i < sc->nset; i++) tsim_override_text(&sc->set[i], texts[i], sizeof texts[i]);
  qsort(texts, (size_t)sc->nset, sizeof texts[0], by_text);
  size_t used = 0, fu = 0;
  for (int i = 0; i < sc->nset; i++) {
    char text[TSIM_OVERRIDE_TEXT_MAX], *eq;
    memcpy(text, texts[i], sizeof text);
    int w = snprintf(full + fu, sizeof full - fu, "%s%s", i ? "+" : "", text);
    fu += w > 0 && (size_t)w < sizeof full - fu ? (size_t)w : 0;
    if (i) append_file_name(name, sizeof name, &used, "+");
    if ((eq = strrchr(text, '='))) *eq = '\0';
    append_file_name(name, sizeof name, &used, text);
    if (eq && used + 1 < sizeof name) name[used++] = '=', name[used] = '\0';
    if (eq) append_file_name(name, sizeof name, &used, eq + 1);
  }
  if (used > 200) {
    char hex[65];
    tsim_sha256_hex(full, fu, hex);
    snprintf(name + 183, sizeof name - 183, "_%.16s", hex);
  }
  size_t len = strlen(out);
  snprintf(out + len, len < n ? n - len : 0, "/set/%s", name);
}

/* A duration for people: "42 s", "3 min 20 s", "1 h 05 min". */
static const char *duration(double secs, char *buf, size_t n) {
  long long s = (long long)(secs + 0.5);
  if (secs < 60) snprintf(buf, n, "%.1f s", secs);
  else if (s < 3600) snprintf(buf, n, "%lld min %02lld s", s / 60, s % 60);
  else snprintf(buf, n, "%lld h %02lld min", s / 3600, s / 60 % 60);
  return buf;
}

/* Progress of a long command on stderr: on a terminal one status line, redrawn in place and
 * erased at the end; otherwise (a log file, a pipe) one line per step, unless --quiet. */
typedef struct status_line {
  int tty, quiet;
  double start, last, step_start;
  int len;            /* characters of the status line shown, 0 = none */
} status_line;

static void status_show(status_line *sl, const char *text) {
  int len = (int)strlen(text);
  fprintf(stderr, "\r%s%*s", text, sl->len > len ? sl->len - len : 0, "");
  if (sl->len > len) fprintf(stderr, "\r%s", text);
  sl->len = len;
  fflush(stderr);
}

static void status_clear(status_line *sl) {
  if (sl->len) fprintf(stderr, "\r%*s\r", sl->len, "");
  sl->len = 0;
}

/* After each grid point: on a terminal the status line, else a line (unless --quiet). The
 * estimate of what remains is the mean time of a point so far times the points left. */
static void sweep_progress(void *ctx, int done, int total) {
  status_line *sl = ctx;
  double t = now_seconds(), el = t - sl->start;
  char line[256], b1[32], b2[32];
  if (done == 0)
    snprintf(line, sizeof line, "grid point 1 / %d running, ETA after it", total);
  else
    snprintf(line, sizeof line, "grid point %d / %d done, %s, ETA %s", done, total,
             duration(el, b1, sizeof b1), duration(el / done * (total - done), b2, sizeof b2));
  if (sl->tty) {
    char shown[300];
    snprintf(shown, sizeof shown, "  %s", line);
    status_show(sl, shown);
  } else if (!sl->quiet) {
    fprintf(stderr, "sweep: %s\n", line);
  }
}

/* The default folder of a sweep: results/<name>/sweep/<swept paths joined by '+'>[_zip], so
 * that sweeps of other parameters keep their own. */
static void sweep_default_dir(const tsim_scenario *sc, const tsim_grid *g, char *out, size_t n) {
  int w = snprintf(out, n, "results/%s/sweep/", sc->name);
  size_t used = w > 0 && (size_t)w < n ? (size_t)w : n - 1;
  for (int i = 0; i < g->nparams; i++) {
    if (i) append_file_name(out, n, &used, "+");
    append_file_name(out, n, &used, g->params[i].path);
  }
  if (g->zip && g->nparams > 1) append_file_name(out, n, &used, "_zip");
}

/* The grid: --set options, or else the scenario's "sweep" block. */
static int sweep_grid(const cli *c, const tsim_scenario *sc, tsim_grid *g) {
  char why[400];
  memset(g, 0, sizeof *g);
  if (c->nset == 0) {
    if (sc->sweep.nparams == 0)
      return bad_usage(usage_sweep, "%s", "nothing to sweep: give --set PATH=GRID or a \"sweep\" block in the scenario");
    for (int i = 0; i < sc->sweep.nparams; i++)
      if (tsim_grid_add_values(g, sc->sweep.params[i].path, sc->sweep.params[i].values,
                               sc->sweep.params[i].nvalues, sc->sweep.params[i].boolean, why,
                               sizeof why)) break;
    g->zip = sc->sweep.zip || c->zip;
  } else {
    for (int i = 0; i < c->nset; i++)
      if (tsim_grid_add_set(g, c->set[i], why, sizeof why)) {
        tsim_grid_free(g);
        return bad_usage(usage_sweep, "--set: %s", why);
      }
    g->zip = c->zip;
  }
  if (tsim_grid_finish(g, why, sizeof why)) {
    tsim_grid_free(g);
    return bad_usage(usage_sweep, "%s", why);
  }
  /* A swept trials or seed is each point's, but --trials and --seed give every point theirs: the
   * points would be labelled with values they did not run. */
  for (int i = 0; i < g->nparams; i++) {
    const char *path = g->params[i].path;
    int trials = strcmp(path, "trials") == 0, seed = strcmp(path, "seed") == 0;
    if ((trials && c->trials > 0) || (seed && c->seed >= 0)) {
      tsim_grid_free(g);
      return bad_usage(usage_sweep, "\"%s\" is swept, and --%s gives every point the same: leave one out",
                       trials ? "trials" : "seed", trials ? "trials" : "seed");
    }
  }
  return 0;
}


/* The files of plot NAME in DIR that exist: its image (.svg and .png) when gnuplot drew it, its
 * data and script (.dat, .gp) always; named with DIR as dir_shown shows it (control characters
 * escaped), looked for at DIR itself. */
static void print_plot_files(FILE *f, const char *dir, const char *dir_shown, const char *name) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s.svg", dir, name);
  if (access(path, F_OK) == 0) fprintf(f, ", %s/%s.svg (and .png)", dir_shown, name);
  else fprintf(f, ", %s/%s.dat and .gp (no image)", dir_shown, name);
}

/* Where run and merge wrote (after prefix, a line on f): DIR/summary.json, DIR/analyses.csv and
 * with them p_values.csv, looks.csv and the monitoring files where the run has them, then the
 * plots. */
static void print_run_written(FILE *f, const char *prefix, const char *dir, const tsim_scenario *sc, int p_values) {
  char eb[16384];
  const char *ds = shown(dir, eb, sizeof eb);
  fprintf(f, "%swritten: %s/summary.json, %s/analyses.csv", prefix, ds, ds);
  if (p_values) fprintf(f, ", %s/p_values.csv", ds);
  if (sc->looks.n > 1) fprintf(f, ", %s/looks.csv", ds);
  if (sc->monitoring.nrules > 0) fprintf(f, ", %s/monitoring.csv, %s/monitoring_checks.csv", ds, ds);
  print_plot_files(f, dir, ds, "oc");
  if (sc->looks.n > 1) print_plot_files(f, dir, ds, "looks");
  if (sc->monitoring.nrules > 0) print_plot_files(f, dir, ds, "monitoring");
  fputc('\n', f);
}

/* Where a sweep or size search wrote: DIR/NAME.json, DIR/NAME.csv and its two plots; after the
 * table on stdout, or with --quiet on stderr. */
static void print_written(int quiet, const char *dir, const char *name, const char *plot1,
                          const char *plot2, const char *plot3) {
  FILE *f = quiet ? stderr : stdout;
  char eb[16384];
  const char *ds = shown(dir, eb, sizeof eb);
  fprintf(f, "%swritten: %s/%s.json, %s/%s.csv", quiet ? "trialsim: " : "\n", ds, name, ds, name);
  print_plot_files(f, dir, ds, plot1);
  print_plot_files(f, dir, ds, plot2);
  if (plot3) print_plot_files(f, dir, ds, plot3);
  fputc('\n', f);
}

static int sweep_body(const cli *cp);

static int cmd_sweep(int argc, char **argv) {
  static const char *const allowed[] = {"--set", "--zip", "--trials", "--seed", "--threads",
                                        "--out", "--quiet", "--power", "--report", "--checkpoint",
                                        "--checkpoint-every", "--mcse", NULL};
  cli c;
  cli_init(&c, "sweep");
  int st = parse_cli(argc, argv, usage_sweep, allowed, &c);
  if (st) return st < 0 ? 0 : st;
  if (!c.scenario) return bad_usage(usage_sweep, "%s", "sweep needs a scenario file");
  keeper_ctx kc;
  tsim_run_keeper rk;
  if ((st = checkpoint_options(&c, usage_sweep))) return st;
  if (c.checkpoint && (st = keeper_begin(&c, argc, argv, &kc, &rk))) return st;
  int status = sweep_body(&c);
  if (c.checkpoint) keeper_end(&kc, status == 0);
  return status;
}

static int sweep_body(const cli *cp) {
  cli c = *cp;
  int st, status = 0;
  tsim_scenario *sc = load(c.scenario, NULL, 0, &status);
  if (!sc) return status;
  tsim_grid g;
  if ((st = sweep_grid(&c, sc, &g))) { tsim_scenario_free(sc); return st; }
  char outdir[4096];
  if (c.out) snprintf(outdir, sizeof outdir, "%s", c.out);
  else sweep_default_dir(sc, &g, outdir, sizeof outdir);
  if ((status = check_outdir(outdir))) { tsim_grid_free(&g); tsim_scenario_free(sc); return status; }
  tsim_sweep_opts so = {c.threads > 0 ? c.threads : default_threads(), c.seed, c.trials, c.mcse, 0};
  tsim_scenario_free(sc);
  tsim_html_record rec;
  if (report_begin(&c, &rec)) { tsim_grid_free(&g); return 1; }
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_sweep sw;
  double t0 = now_seconds();
  status_line sl = {isatty(STDERR_FILENO), c.quiet, t0, 0, t0, 0};
  if (sl.tty) sweep_progress(&sl, 0, g.npoints);
  tsim_status rs = tsim_sweep_run(c.scenario, &g, &so, &sw, &d, sweep_progress, &sl);
  status_clear(&sl);
  tsim_run_info ri = {sw.npoints && sw.points[0].tally ? sw.points[0].seed : 0,
                      sw.npoints && sw.points[0].tally ? sw.points[0].trials : 0, so.threads,
                      now_seconds() - t0, processes, c.mcse, c.mcse > 0 ? so.trials_cap : 0, 0, 0};
  if (rs == TSIM_OK && writer) {
    out_set set;
    rs = set_begin(&set, outdir, &d);
    if (rs == TSIM_OK) rs = tsim_report_write_sweep(&sw, &ri, c.power > 0 ? c.power : 0.8, set.os.stage, &d, set.nf);
    if (rs == TSIM_OK && (status = report_write(&c, 'w', set.os.stage, NULL, NULL, 0, &rec, &d))) rs = TSIM_IO;
    rs = set_end(&set, rs, stale_sweep, &d);
  }
  if (keeper_refused) tsim_diag_clear(&d); /* the refusal was said; the rest repeats it */
  tsim_diag_print(&d, "trialsim: error: ", stderr);
  if (rs != TSIM_OK) {
    if (d.n == 0 && !status && !keeper_refused) cli_error("%s: %s", c.scenario, tsim_status_message(rs));
    if (!status) status = tsim_status_exit_code(rs);
  } else {
    status = d.n > 0; /* written, but gnuplot failed */
    if (!c.quiet) tsim_report_print_sweep(&sw, &ri, stdout);
    /* A monitoring plot is drawn for one swept parameter (or --zip). */
    int mon = sw.first->monitoring.nrules > 0 && (sw.grid->nparams == 1 || sw.grid->zip);
    print_written(c.quiet, outdir, "sweep", "power", "type1_error", mon ? "monitoring" : NULL);
    report_said(&c, outdir);
  }
  tsim_html_record_free(&rec);
  tsim_diag_clear(&d);
  tsim_sweep_free(&sw);
  tsim_grid_free(&g);
  return status;
}

/* --alpha becomes an override of each named analysis's own alpha; 0 or an exit status. */
static int size_alpha(const cli *c, const tsim_scenario *sc, const tsim_size_opts *so,
                      tsim_override *ov, int *nov) {
  if (c->alpha < 0) return 0;
  int ncmp = tsim_scenario_ncomparisons(sc), first = *nov;
  for (int i = 0; i < so->ncomparisons; i++) {
    int k = tsim_comparison_find(sc, so->comparison[i]);
    if (k < 0) continue; /* reported by the search */
    char path[sizeof ov[0].path];
    snprintf(path, sizeof path, "analyses[%d].alpha", k / ncmp);
    int have = 0;
    for (int j = first; j < *nov; j++) have |= strcmp(ov[j].path, path) == 0;
    if (have) continue;
    memcpy(ov[*nov].path, path, sizeof path);
    ov[*nov].boolean = 0;
    ov[(*nov)++].value = c->alpha;
  }
  return 0;
}

/* --analysis ID[,ID...] (repeatable) into so->comparison; 0 or an exit status. */
static int size_analyses(const cli *c, tsim_size_opts *so) {
  so->ncomparisons = 0;
  for (int i = 0; i < c->nanalysis; i++) {
    for (const char *t = c->analysis[i];;) {
      size_t len = strcspn(t, ",");
      if (len == 0)
        return bad_usage(usage_size, "--analysis: an empty analysis id in '%s'", c->analysis[i]);
      if (so->ncomparisons == TSIM_SIZE_MAX_COMPARISONS)
        return bad_usage(usage_size, "--analysis: at most %d analyses in one search", TSIM_SIZE_MAX_COMPARISONS);
      if (len >= sizeof so->comparison[0])
        return bad_usage(usage_size, "--analysis: '%.*s' is longer than any analysis id", (int)len, t);
      snprintf(so->comparison[so->ncomparisons++], sizeof so->comparison[0], "%.*s", (int)len, t);
      if (!t[len]) break;
      t += len + 1;
    }
  }
  return 0;
}

/* The default folder of a size search: results/<name>/size/<analyses>_power<P>[_alpha<A>],
 * the analyses joined by '+', so that searches for other analyses or targets keep their own. */
static void size_default_dir(const tsim_scenario *sc, const tsim_size_opts *so, double alpha,
                             char *out, size_t n) {
  char num[TSIM_NUM_CHARS];
  int w = snprintf(out, n, "results/%s/size/", sc->name);
  size_t used = w > 0 && (size_t)w < n ? (size_t)w : n - 1;
  for (int i = 0; i < so->ncomparisons; i++) {
    if (i) append_file_name(out, n, &used, "+");
    append_file_name(out, n, &used, so->comparison[i]);
  }
  append_file_name(out, n, &used, "_power");
  append_file_name(out, n, &used, tsim_num(num, so->target));
  if (alpha > 0) {
    append_file_name(out, n, &used, "_alpha");
    append_file_name(out, n, &used, tsim_num(num, alpha));
  }
}

typedef struct size_progress {
  status_line sl;
  const tsim_size_opts *so;
  double done_seconds;   /* time spent on finished sizes */
  double done_patients;  /* their trials times sample size (a size may stop before its maximum) */
} size_progress;

static void show_size_progress(void *ctx, const tsim_size_progress *p) {
  size_progress *sp = ctx;
  status_line *sl = &sp->sl;
  double t = now_seconds();
  char line[512], b1[32], b2[32], lo[32], hi[32];
  if (!p->point && p->trials_done == 0) sl->step_start = t;
  char where[96];
  snprintf(lo, sizeof lo, p->lo > 0 ? "%lld" : "-", p->lo);
  snprintf(hi, sizeof hi, p->hi > 0 ? "%lld" : "-", p->hi);
  if (p->phase == TSIM_SIZE_WINDOW)
    snprintf(where, sizeof where, "window around %lld", p->centre);
  else
    snprintf(where, sizeof where, "bracket [%s, %s]", lo, hi);
  if (p->point) {
    sp->done_seconds += t - sl->step_start;
    sp->done_patients += (double)p->n * (double)p->point->trials;
  }
  if (p->point && !sl->tty) {
    if (sl->quiet) return;
    int nc = sp->so->ncomparisons;
    fprintf(stderr, "size: N = %lld  power", p->n);
    for (int c = 0; c < nc; c++) {
      fprintf(stderr, "%s ", c ? "," : "");
      if (nc > 1) fprintf(stderr, "%s ", sp->so->comparison[c]);
      fprintf(stderr, "%.4f", (double)p->point->favouring[c][0] / (double)p->point->trials);
    }
    fprintf(stderr, "%s  %s  %d size%s, %s; %lld trials%s\n",
            tsim_size_point_reaches(p->point, nc, sp->so->target) ? " (reaches)" : " (misses)",
            where, p->evaluated, p->evaluated == 1 ? "" : "s", duration(t - sl->start, b1, sizeof b1),
            p->point->trials, p->point->stopped == TSIM_SIZE_STOP_SIDE ? ", told apart"
                              : p->point->stopped == TSIM_SIZE_STOP_MCSE ? ", mcse reached" : "");
    return;
  }
  if (!sl->tty || (p->trials_done > 0 && !p->point && t - sl->last < 0.25)) return;
  sl->last = t;
  /* What remains of this size, by its own pace so far, and after it: the patients still to
   * simulate at the pace of the finished sizes (time per patient, trials being fixed). */
  double frac = p->point ? 1 : p->trials > 0 ? (double)p->trials_done / (double)p->trials : 0;
  /* seconds per trial-patient; what remains is counted at the maximum trials (an upper bound
   * when sizes stop early) */
  double cap = p->trials > 0 ? (double)p->trials : 1;
  double per_patient = sp->done_patients > 0 ? sp->done_seconds / sp->done_patients
                       : frac > 0 ? (t - sl->step_start) / frac / (double)p->n / cap : 0;
  double this_left = p->point ? 0 : frac > 0 ? (t - sl->step_start) * (1 - frac) / frac
                                             : per_patient * (double)p->n * cap;
  char eta[96];
  if (p->remaining < 0)
    snprintf(eta, sizeof eta, "bracketing, ETA unknown");
  else if (per_patient > 0)
    snprintf(eta, sizeof eta, "ETA %s (%d more size%s%s)",
             duration(this_left + per_patient * (double)p->remaining_patients * cap, b2, sizeof b2),
             p->remaining, p->remaining == 1 ? "" : "s", p->phase == TSIM_SIZE_WINDOW && !sp->so->sequential ? "" : " at most");
  else
    snprintf(eta, sizeof eta, "%d more size%s%s", p->remaining, p->remaining == 1 ? "" : "s",
             p->phase == TSIM_SIZE_WINDOW && !sp->so->sequential ? "" : " at most");
  snprintf(line, sizeof line, "  N = %lld %s %3.0f%%  %s  %d done  %s  %s",
           p->n, p->point ? "done" : "simulating", 100 * frac, where, p->evaluated,
           duration(t - sl->start, b1, sizeof b1), eta);
  status_show(sl, line);
}

static int size_body(const cli *cp);

static int cmd_size(int argc, char **argv) {
  static const char *const allowed[] = {"--analysis", "--power", "--alpha", "--step", "--max",
                                        "--window", "--set", "--trials", "--seed", "--threads",
                                        "--out", "--quiet", "--report", "--checkpoint",
                                        "--checkpoint-every", "--mcse", "--z", "--full", NULL};
  cli c;
  cli_init(&c, "size");
  int st = parse_cli(argc, argv, usage_size, allowed, &c);
  if (st) return st < 0 ? 0 : st;
  if (!c.scenario) return bad_usage(usage_size, "%s", "size needs a scenario file");
  if (!c.nanalysis) return bad_usage(usage_size, "%s", "size needs --analysis ID");
  if (c.power <= 0) return bad_usage(usage_size, "%s", "size needs --power P (e.g. 0.8)");
  if (c.full && (c.mcse > 0 || c.z > 0))
    return bad_usage(usage_size, "%s", "--full gives every size all its trials: it does not combine with --mcse or --z");
  keeper_ctx kc;
  tsim_run_keeper rk;
  if ((st = checkpoint_options(&c, usage_size))) return st;
  if (c.checkpoint && (st = keeper_begin(&c, argc, argv, &kc, &rk))) return st;
  int status = size_body(&c);
  if (c.checkpoint) keeper_end(&kc, status == 0);
  return status;
}

static int size_body(const cli *cp) {
  cli c = *cp;
  int st;
  tsim_size_opts so;
  memset(&so, 0, sizeof so);
  if ((st = size_analyses(&c, &so))) return st;
  tsim_override ov[CLI_MAX_SET + TSIM_SIZE_MAX_COMPARISONS];
  if ((st = fixed_overrides(&c, usage_size, ov))) return st;
  int status = 0, nov = c.nset;
  tsim_scenario *sc = load(c.scenario, ov, nov, &status);
  if (!sc) return status;
  size_alpha(&c, sc, &so, ov, &nov);
  if (nov > c.nset) { /* the scenario as searched, with its --alpha, for the reports */
    tsim_scenario_free(sc);
    if (!(sc = load(c.scenario, ov, nov, &status))) return status;
  }
  tsim_html_record rec;
  if (report_begin(&c, &rec)) { tsim_scenario_free(sc); return 1; }
  so.target = c.power;
  so.step = c.step > 0 ? c.step : 0;
  so.n_max = c.max > 0 ? c.max : 0;
  so.window = c.window >= 0 ? (int)c.window : 10;
  so.sequential = !c.full;
  so.z = c.z > 0 ? c.z : TSIM_SIZE_Z;
  so.mcse = c.mcse;
  tsim_run_opts o = {c.seed >= 0 ? (uint64_t)c.seed : sc->seed, 0,
                     c.trials > 0 ? c.trials : sc->trials,
                     c.threads > 0 ? c.threads : default_threads(), NULL, NULL, 0, 0};
  char outdir[4096];
  if (c.out) snprintf(outdir, sizeof outdir, "%s", c.out);
  else size_default_dir(sc, &so, c.alpha, outdir, sizeof outdir), append_set_dir(sc, outdir, sizeof outdir);
  if ((status = check_outdir(outdir))) { tsim_scenario_free(sc); return status; }
  size_progress sp;
  memset(&sp, 0, sizeof sp);
  sp.sl.tty = isatty(STDERR_FILENO);
  sp.sl.quiet = c.quiet;
  sp.sl.start = now_seconds();
  sp.so = &so;
  so.progress = show_size_progress;
  so.progress_ctx = &sp;
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_size_result r;
  double t0 = now_seconds();
  tsim_status rs = tsim_size_search(c.scenario, ov, nov, &so, &o, &r, &d);
  status_clear(&sp.sl);
  tsim_run_info ri = {o.seed, o.trials, o.threads, now_seconds() - t0, processes, 0, 0, 0, 0};
  if (rs == TSIM_OK && writer) {
    out_set set;
    rs = set_begin(&set, outdir, &d);
    if (rs == TSIM_OK) rs = tsim_report_write_size(c.scenario, sc, &so, &r, &ri, set.os.stage, &d, set.nf);
    if (rs == TSIM_OK && (status = report_write(&c, 's', set.os.stage, sc, NULL, 0, &rec, &d))) rs = TSIM_IO;
    rs = set_end(&set, rs, stale_size, &d);
  }
  if (keeper_refused) tsim_diag_clear(&d); /* the refusal was said; the rest repeats it */
  tsim_diag_print(&d, "trialsim: error: ", stderr);
  if (rs != TSIM_OK) {
    if (d.n == 0 && !status && !keeper_refused) cli_error("%s: %s", c.scenario, tsim_status_message(rs));
    if (!status) status = tsim_status_exit_code(rs);
  } else {
    status = d.n > 0; /* written, but gnuplot failed */
    if (!c.quiet) tsim_report_print_size(sc, &so, &r, &ri, stdout);
    else { /* the answer without the table: found, or not reached */
      char tg[TSIM_NUM_CHARS];
      tsim_num(tg, so.target);
      if (r.reached) fprintf(stderr, "trialsim: sample size %lld (target power %s)\n", r.sample_size, tg);
      else
        fprintf(stderr, "trialsim: the target power %s was not reached%s up to N = %lld\n", tg,
                r.ncomparisons > 1 ? " by every analysis" : "", r.npoints ? r.points[r.npoints - 1].n : 0);
    }
    print_written(c.quiet, outdir, "size", "size_power", "size_type1_error", NULL);
    report_said(&c, outdir);
  }
  tsim_html_record_free(&rec);
  tsim_diag_clear(&d);
  tsim_size_result_free(&r);
  tsim_scenario_free(sc);
  return status;
}

static int cmd_analyze(int argc, char **argv) {
  static const char *const allowed[] = {"--out", "--quiet", NULL};
  char usage[4096], tests[2048];
  tsim_analyze_tests_text(tests, sizeof tests);
  snprintf(usage, sizeof usage, "%s%s%s", usage_analyze, tests, usage_analyze_end);
  cli c;
  cli_init(&c, "analyze");
  int st = parse_cli(argc, argv, usage, allowed, &c);
  if (st) return st < 0 ? 0 : st;
  if (!c.scenario) return bad_usage(usage, "%s", "analyze needs a data file");
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_analyze *a = NULL;
  tsim_status rs = tsim_analyze_load(c.scenario, &a, &d);
  char outdir[4096], name[256];
  int status = 0;
  if (rs == TSIM_OK) {
    tsim_analyze_compute(a);
    tsim_analyze_default_name(c.scenario, name, sizeof name);
    if (c.out) snprintf(outdir, sizeof outdir, "%s", c.out);
    else snprintf(outdir, sizeof outdir, "results/%s", name);
    if ((status = check_outdir(outdir))) {
      tsim_diag_clear(&d);
      tsim_analyze_free(a);
      return status;
    }
    out_set set;
    rs = set_begin(&set, outdir, &d);
    if (rs == TSIM_OK) rs = tsim_analyze_write(a, set.os.stage, &d);
    rs = set_end(&set, rs, NULL, &d);
  }
  if (rs != TSIM_OK) {
    tsim_diag_print(&d, "trialsim: error: ", stderr);
    status = tsim_status_exit_code(rs);
  } else if (!c.quiet) {
    tsim_analyze_print(a, stdout);
    char eb[16384];
    printf("\nwritten: %s/analyze.json\n", shown(outdir, eb, sizeof eb));
  }
  tsim_diag_clear(&d);
  tsim_analyze_free(a);
  return status;
}


#ifndef TSIM_MPI /* merge is trialsim's */
/* The shards of merge, by their first trial. */
typedef struct merge_shard {
  const char *file;
  tsim_partial p;
} merge_shard;

static int by_first_trial(const void *a, const void *b) {
  const merge_shard *x = a, *y = b;
  return x->p.id.from < y->p.id.from ? -1 : x->p.id.from > y->p.id.from ? 1 : strcmp(x->file, y->file);
}

/* Checks that the shards (sorted) are of one run and cover its trials once each; 0 or exit
 * status 2 after saying why. */
static int merge_check(const merge_shard *m, int n) {
  const tsim_partial_id *a = &m[0].p.id;
  for (int i = 1; i < n; i++) {
    const tsim_partial_id *b = &m[i].p.id;
    const char *what = tsim_partial_differs(a, b);
    if (!what) continue;
    char both[128] = "";
    if (strcmp(what, "seed") == 0) snprintf(both, sizeof both, " (%llu, %llu)", (unsigned long long)a->seed, (unsigned long long)b->seed);
    else if (strcmp(what, "trials") == 0) snprintf(both, sizeof both, " (%lld, %lld)", a->trials, b->trials);
    else if (strcmp(what, "trialsim version") == 0) snprintf(both, sizeof both, " (%.40s, %.40s)", a->version, b->version);
    else if (strcmp(what, "--p-values") == 0) snprintf(both, sizeof both, " (%s, %s)", a->p_values ? "on" : "off", b->p_values ? "on" : "off");
    cli_error("%s and %s are shards of different runs: they differ in %s%s", m[0].file, m[i].file, what, both);
    return 2;
  }
  long long next = 0; /* trials [0, next) are covered */
  const char *last = NULL;
  for (int i = 0; i < n; i++) {
    const tsim_partial *p = &m[i].p;
    if (p->done == p->id.from) continue; /* a checkpoint before its first save holds no trial */
    if (p->id.from > next) {
      cli_error("no shard holds trials %lld to %lld (of %lld)", next, p->id.from - 1, a->trials);
      return 2;
    }
    if (p->id.from < next) {
      cli_error("%s and %s both hold trials %lld to %lld", last, m[i].file, p->id.from,
              (p->done < next ? p->done : next) - 1);
      return 2;
    }
    next = p->done;
    last = m[i].file;
  }
  if (next < a->trials) {
    cli_error("no shard holds trials %lld to %lld (of %lld)", next, a->trials - 1, a->trials);
    return 2;
  }
  return 0;
}

static int cmd_merge(int argc, char **argv) {
  const char *out = NULL;
  int quiet = 0, n = 0;
  merge_shard *m = calloc((size_t)argc + 1, sizeof *m);
  if (!m) { cli_error("out of memory"); return 1; }
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { fputs(usage_merge, stdout); free(m); return 0; }
    if (strcmp(a, "--quiet") == 0) quiet = 1;
    else if (strcmp(a, "--out") == 0 || strncmp(a, "--out=", 6) == 0) {
      out = a[5] == '=' ? a + 6 : i + 1 < argc ? argv[++i] : NULL;
      if (!out || !*out) { free(m); return bad_usage(usage_merge, "%s", "--out: expected a folder name"); }
    } else if (strncmp(a, "--", 2) == 0) {
      free(m);
      return bad_usage(usage_merge, "unknown option '%s'", a);
    } else {
      m[n++].file = a;
    }
  }
  if (n == 0) { free(m); return bad_usage(usage_merge, "%s", "merge needs the shard files"); }
  int status = 0;
  for (int i = 0; i < n && !status; i++) {
    tsim_diag d;
    tsim_diag_init(&d);
    tsim_status st = tsim_partial_read(m[i].file, &m[i].p, &d);
    if (st != TSIM_OK) {
      tsim_diag_print(&d, "trialsim: error: ", stderr);
      status = st == TSIM_IO ? 2 : tsim_status_exit_code(st); /* a shard that cannot be read is bad input */
    }
    tsim_diag_clear(&d);
  }
  if (!status) {
    qsort(m, (size_t)n, sizeof *m, by_first_trial);
    status = merge_check(m, n);
  }
  tsim_scenario *sc = NULL;
  tsim_tally *t = NULL;
  const tsim_partial_id *id = &m[0].p.id;
  if (!status) { /* the run's scenario from the copy the shards hold, with its --set options */
    tsim_override ov[TSIM_PARTIAL_MAX_SET];
    for (int i = 0; i < id->nset && !status; i++) {
      char why[300];
      if (tsim_grid_parse_one(id->set[i], &ov[i], why, sizeof why)) {
        cli_error("%s: --set: %s", m[0].file, why);
        status = 2;
      }
    }
    pinned_text = id->scenario_text;
    pinned_len = id->scenario_len;
    tsim_scenario_set_reader(pinned_reader);
    if (!status) sc = load(id->scenario_file, ov, id->nset, &status);
    tsim_scenario_set_reader(NULL);
    pinned_text = NULL;
  }
  if (sc && !(t = tsim_tally_new(sc, id->p_values))) { cli_error("out of memory"); status = 1; }
  for (int i = 0; i < n && t && !status; i++) {
    tsim_tally *one = tsim_tally_new(sc, id->p_values);
    if (!one) { cli_error("out of memory"); status = 1; break; }
    const char *bad = NULL;
    if (tsim_partial_tally(&m[i].p, one, &bad) != TSIM_OK) {
      if (strcmp(bad, "counts") == 0)
        cli_error("%s: its tally counts more trials with an event than trials (damaged or "
                        "edited after it was written)", m[i].file);
      else
        cli_error("%s: its tally does not have its scenario's shape (not written by this trialsim?)", m[i].file);
      status = 2;
    } else {
      tsim_tally_merge(t, one);
    }
    tsim_tally_free(one);
  }
  char outdir[4096];
  if (!status) {
    if (out) snprintf(outdir, sizeof outdir, "%s", out);
    else snprintf(outdir, sizeof outdir, "results/%s", sc->name), append_set_dir(sc, outdir, sizeof outdir);
    status = check_outdir(outdir);
  }
  if (!status) {
    tsim_run_info ri = {id->seed, id->trials, 1, 0, 1, 0, 0, n, 0}; /* merging simulates nothing */
    tsim_diag d;
    tsim_diag_init(&d);
    tsim_status ws = write_run_set(sc, t, &ri, outdir, NULL, NULL, &d, &status);
    tsim_diag_print(&d, "trialsim: error: ", stderr);
    if (ws != TSIM_OK) {
      status = tsim_status_exit_code(ws);
    } else {
      status = d.n > 0; /* written, but gnuplot failed */
      if (!quiet) {
        tsim_report_print(sc, t, &ri, stdout);
        char merged[64];
        snprintf(merged, sizeof merged, "\nmerged %d shard%s\n", n, n == 1 ? "" : "s");
        print_run_written(stdout, merged, outdir, sc, id->p_values);
      }
    }
    tsim_diag_clear(&d);
  }
  tsim_tally_free(t);
  tsim_scenario_free(sc);
  for (int i = 0; i < n; i++) tsim_partial_free(&m[i].p);
  free(m);
  return status;
}
#endif

/* Every failed write is a failure, stdout's too (a full disk, a closed pipe): what was printed
 * is flushed and closed here, and a failure turns an exit status of 0 into 1, said on stderr. */
static int stdout_checked(int status) {
  errno = 0;
  int bad = fflush(stdout) != 0 || ferror(stdout);
  int e = errno;
  if (fclose(stdout) != 0 && !bad) {
    bad = 1;
    e = errno;
  }
  if (!bad) return status;
  if (e) cli_error("writing to standard output failed: %s", strerror(e));
  else cli_error("writing to standard output failed");
  return status ? status : 1;
}

#ifdef TSIM_MPI
static const char *const usage_mpi =
    "usage: mpirun [-n P] trialsim_mpi run|sweep|size [arguments of trialsim's command]\n"
    "\n"
    "trialsim's run, sweep and size, with every run's trials split into contiguous blocks, one\n"
    "per process, each run with its own threads, and the tallies added up exactly: the same\n"
    "results as one process, which process 0 writes. Process 0 reads the scenario file and\n"
    "sends it to the others. --threads counts each process's threads; by default\n"
    "OMP_NUM_THREADS, else the CPUs mpirun bound the process to (one core each, by default,\n"
    "for up to two processes), else with 'mpirun --bind-to none' the machine's CPUs divided\n"
    "among its processes. A failure stops every process (bad input: status 2).\n"
    "The other commands are trialsim's.\n";

/* trialsim_mpi: run, sweep and size across the processes mpirun starts (distributed.h). */
int main(int argc, char **argv) {
  gsl_set_error_handler_off();
  if (tsim_mpi_init(&argc, &argv) != 0) {
    fprintf(stderr, "trialsim_mpi: error: MPI_Init failed\n");
    return 1;
  }
  processes = tsim_mpi_size();
  writer = tsim_mpi_rank() == 0;
  main_argc = argc;
  main_argv = argv;
  /* Messages once: the other processes' output (usage, problems in the scenario, which every
   * process finds alike, the tables) goes nowhere. */
  if (!writer && (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))) {
    tsim_mpi_finish(1);
    return 1;
  }
  tsim_mpi_install();
  install_signal_handlers();
  const char *cmd = argc >= 2 ? argv[1] : "";
  int status, help = strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0;
  if (strcmp(cmd, "run") == 0) status = cmd_run(argc - 2, argv + 2);
  else if (strcmp(cmd, "sweep") == 0) status = cmd_sweep(argc - 2, argv + 2);
  else if (strcmp(cmd, "size") == 0) status = cmd_size(argc - 2, argv + 2);
  else if (strcmp(cmd, "--version") == 0) {
    printf("trialsim_mpi %s\n", TSIM_VERSION);
    status = 0;
  } else {
    char eb[16384];
    if (!help) fprintf(stderr, "trialsim_mpi: '%s' is not one of run, sweep, size\n\n", shown(cmd, eb, sizeof eb));
    fputs(usage_mpi, help ? stdout : stderr);
    status = help ? 0 : 2;
  }
  if (writer) status = stdout_checked(status);
  fflush(stderr);
  tsim_mpi_finish(status);
  return status;
}
#else
static int dispatch(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage_main, stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
  if (strcmp(cmd, "check") == 0) return cmd_check(argc - 2, argv + 2);
  if (strcmp(cmd, "cohort") == 0) return cmd_cohort(argc - 2, argv + 2);
  if (strcmp(cmd, "sweep") == 0) return cmd_sweep(argc - 2, argv + 2);
  if (strcmp(cmd, "size") == 0) return cmd_size(argc - 2, argv + 2);
  if (strcmp(cmd, "analyze") == 0) return cmd_analyze(argc - 2, argv + 2);
  if (strcmp(cmd, "merge") == 0) return cmd_merge(argc - 2, argv + 2);
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage_main, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0) {
    printf("trialsim %s\n", TSIM_VERSION);
    return 0;
  }
  char eb[16384];
  fprintf(stderr, "trialsim: unknown command '%s'\n\n%s", shown(cmd, eb, sizeof eb), usage_main);
  return 2;
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off(); /* library code reports statuses; GSL must never abort */
  main_argc = argc;
  main_argv = argv;
  install_signal_handlers();
  return stdout_checked(dispatch(argc, argv));
}
#endif
