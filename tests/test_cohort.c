/* test_cohort.c TRIALSIM SCENARIO - `trialsim cohort --trial K` shows exactly the patients
 * `trialsim run` analysed as trial K.
 *
 * Runs `trialsim run SCENARIO --trials T --seed S`, then for every K < T and both hypotheses
 * `trialsim cohort SCENARIO --trial K --seed S [--null]`, and recomputes every analysis from
 * the patient rows with code written independently of the engine's cell tables (populations,
 * prespecified and data-driven site exclusion). The counts of rejections, the analysed N and
 * the mean difference in the run's summary.json must then equal the recomputed ones exactly
 * (to rounding of the printed numbers), for every analysis. Any drift between the streams the
 * run uses and those the cohort command uses - a different seed derivation, trial offset or
 * draw order - breaks the equality. Run on a scenario sampled per patient and on one sampled
 * per cell (whose patient rows are rebuilt from the counts).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "runner.h"
#include "stattest.h"

#define T 40
#define SEED 99
#define MAXP 100000

typedef struct row { int site, arm, drop, dev, resp[TSIM_MAX_ENDPOINTS]; } row;
static row rows[MAXP];

static int arm_index(const tsim_scenario *sc, const char *id) {
  for (int a = 0; a < sc->narms; a++)
    if (strcmp(sc->arms[a].id, id) == 0) return a;
  return -1;
}

/* Reads the CSV of one cohort; returns the number of patients or -1. */
static int read_cohort(const tsim_scenario *sc, const char *exe, int k, int null_twin) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' cohort '%s' --trial %d --seed %d %s", exe, sc->file, k, SEED,
           null_twin ? "--null" : "");
  FILE *f = popen(cmd, "r");
  if (!f) return -1;
  char line[4096];
  int n = 0;
  if (!fgets(line, sizeof line, f)) { pclose(f); return -1; }
  while (fgets(line, sizeof line, f) && n < MAXP) {
    /* trial,hypothesis,patient,site,arm,dropout,deviation,(response_e,p_e)*; a dropout's
     * deviation and responses are blank (not observed), so fields are split by hand. */
    row *r = &rows[n];
    memset(r, 0, sizeof *r);
    char *field = line;
    for (int col = 0; field; col++) {
      char *comma = strchr(field, ',');
      if (comma) *comma = '\0';
      field[strcspn(field, "\n")] = '\0';
      if (col == 0 && atoi(field) != k) { pclose(f); return -1; }
      if (col == 3) r->site = atoi(field);
      if (col == 4) r->arm = arm_index(sc, field);
      if (col == 5) r->drop = atoi(field);
      if (col == 6) r->dev = atoi(field);
      if (col >= 7 && (col - 7) % 2 == 0) r->resp[(col - 7) / 2] = atoi(field);
      if (r->drop && (col == 6 || (col >= 7 && (col - 7) % 2 == 0)) && *field) {
        fprintf(stderr, "cohort --trial %d: a dropout has a non-blank column %d\n", k, col);
        pclose(f);
        return -1;
      }
      field = comma ? comma + 1 : NULL;
    }
    n++;
  }
  return pclose(f) == 0 ? n : -1;
}

/* Does patient r belong to analysis an's population, and is it a responder there? */
static int in_population(const tsim_analysis *an, const row *r, int *responder) {
  *responder = !r->drop && r->resp[an->endpoint];
  if (an->population == TSIM_POP_PER_PROTOCOL) return !r->drop && !r->dev;
  if (an->missing == TSIM_MISSING_EXCLUDE) return !r->drop;
  return 1;
}

typedef struct sums { long long reject, n; double diff; long long defined; } sums;

static void analyse(const tsim_scenario *sc, int npat, sums *acc) {
  for (int k = 0; k < sc->nanalyses; k++) {
    const tsim_analysis *an = &sc->analyses[k];
    long long sx[TSIM_MAX_SITES] = {0}, sn[TSIM_MAX_SITES] = {0};
    int resp;
    for (int j = 0; j < npat; j++)
      if (rows[j].arm == an->where_arm && in_population(an, &rows[j], &resp)) {
        sn[rows[j].site]++;
        sx[rows[j].site] += resp;
      }
    long long x[2] = {0, 0}, n[2] = {0, 0};
    for (int j = 0; j < npat; j++) {
      int s = rows[j].site;
      if (an->exclude && an->exclude[s]) continue;
      if (an->has_where && sn[s] >= an->where_min && sx[s] >= an->where_rate * (double)sn[s]) continue;
      if (!in_population(an, &rows[j], &resp)) continue;
      int g = rows[j].arm == sc->control ? 0 : 1;
      n[g]++;
      x[g] += resp;
    }
    double p = tsim_test_p(an->test, x[0], n[0], x[1], n[1], NULL);
    acc[k].reject += tsim_reject(p, an->alpha);
    acc[k].n += n[0] + n[1];
    if (n[0] > 0 && n[1] > 0) {
      acc[k].diff += (double)x[1] / (double)n[1] - (double)x[0] / (double)n[0];
      acc[k].defined++;
    }
  }
}

static double get_num(const cJSON *o, const char *a, const char *b, const char *c) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
  if (b) v = cJSON_GetObjectItemCaseSensitive(v, b);
  if (c) v = cJSON_GetObjectItemCaseSensitive(v, c);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static cJSON *run_summary(const tsim_scenario *sc, const char *exe) {
  char cmd[4096];
  char dir[64];
  snprintf(dir, sizeof dir, "/tmp/tsim_test_cohort_%d", (int)getpid());
  snprintf(cmd, sizeof cmd, "'%s' run '%s' --trials %d --seed %d --out %s --quiet", exe, sc->file,
           T, SEED, dir);
  if (system(cmd) != 0) return NULL;
  snprintf(cmd, sizeof cmd, "%s/summary.json", dir);
  return check_load_json(cmd);
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: test_cohort TRIALSIM SCENARIO\n"); return 2; }
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  if (tsim_scenario_load(argv[2], &sc, &d) != TSIM_OK) {
    tsim_diag_print(&d, "", stderr);
    return 2;
  }
  CHECK(sc->narms == 2, "this test expects a two-arm scenario, got %d arms", sc->narms);
  printf("%s: sampled per %s\n", argv[2], tsim_cohort_cell_mode(sc) ? "cell" : "patient");
  cJSON *summary = run_summary(sc, argv[1]);
  CHECK(summary != NULL, "trialsim run failed or wrote no readable summary.json");
  static sums acc[2][TSIM_MAX_ANALYSES];
  for (int h = 0; h < 2 && summary; h++)
    for (int k = 0; k < T; k++) {
      int npat = read_cohort(sc, argv[1], k, h);
      CHECK(npat == sc->sample_size, "cohort --trial %d: read %d patients", k, npat);
      if (npat > 0) analyse(sc, npat, acc[h]);
    }
  const cJSON *arr = cJSON_GetObjectItemCaseSensitive(summary, "analyses");
  for (int k = 0; summary && k < sc->nanalyses; k++) {
    const cJSON *a = cJSON_GetArrayItem(arr, k);
    for (int h = 0; h < 2; h++) {
      const char *hyp = h ? "null" : "alternative";
      const char *rate = h ? "type1_error" : "power";
      double got = get_num(a, rate, "estimate", NULL) * T;
      CHECK(fabs(got - (double)acc[h][k].reject) < 1e-9, "%s %s: run rejected %g times, cohorts %lld",
            sc->analyses[k].id, hyp, got, acc[h][k].reject);
      double mn = get_num(a, hyp, "mean_n", NULL);
      CHECK(fabs(mn - (double)acc[h][k].n / T) < 1e-9, "%s %s: run mean N %.12g, cohorts %.12g",
            sc->analyses[k].id, hyp, mn, (double)acc[h][k].n / T);
      double md = get_num(a, hyp, "difference", "mean");
      double want = acc[h][k].diff / (double)acc[h][k].defined;
      CHECK(fabs(md - want) < 1e-9, "%s %s: run mean difference %.12g, cohorts %.12g",
            sc->analyses[k].id, hyp, md, want);
    }
  }
  cJSON_Delete(summary);
  tsim_scenario_free(sc);
  return tsim_check_done();
}
