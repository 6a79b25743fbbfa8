/* test_analyze.c TRIALSIM PUBLISHED_DIR - `trialsim analyze` on the published tables.
 *
 * Runs the command on every shipped file of scenarios/published/ and checks analyze.json:
 *  - the p-values TRIALS.md says a simple test reproduces are reproduced by that test, to the
 *    published number of decimals (He 2019 week 12 by the 'N-1' chi-square and not by plain
 *    Pearson; week 24 and the pSS infections by Pearson; the pSS primary by Fisher; the pSS VAS
 *    scores by Welch's t from the reconstructed SDs);
 *  - LUPIL-2's published p-values are reproduced by no plain 2x2 test (TRIALS.md: they come
 *    from an analysis the abstract does not name) - the tool must not claim otherwise;
 *  - every p-value equals the library's function on the same table, and the Welch intervals of
 *    the VAS differences match the published ones within one unit of their last digit (0.01:
 *    the published difference is itself rounded - dryness's interval is centred on -18.335).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "contest.h"
#include "stattest.h"

static cJSON *analyze(const char *exe, const char *dir, const char *name) {
  char cmd[16384], path[4096];
  snprintf(path, sizeof path, "/tmp/tsim_analyze_%d_%s", (int)getpid(), name);
  snprintf(cmd, sizeof cmd, "'%s' analyze '%s/%s.json' --out '%s' --quiet", exe, dir, name, path);
  if (system(cmd) != 0) return NULL;
  snprintf(cmd, sizeof cmd, "%s/analyze.json", path);
  return check_load_json(cmd);
}

static const cJSON *table(const cJSON *doc, const char *id) {
  const cJSON *t;
  cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(doc, "tables")) {
    const cJSON *tid = cJSON_GetObjectItemCaseSensitive(t, "id");
    if (cJSON_IsString(tid) && strcmp(tid->valuestring, id) == 0) return t;
  }
  return NULL;
}

static int reproduced_by(const cJSON *t, const char *test) {
  const cJSON *v;
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(t, "reproduced_by"))
    if (cJSON_IsString(v) && strcmp(v->valuestring, test) == 0) return 1;
  return 0;
}

static double p_of(const cJSON *t, const char *test) {
  const cJSON *r = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "tests"), test);
  const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "p");
  return cJSON_IsNumber(p) ? p->valuedouble : NAN;
}

static void expect(const cJSON *doc, const char *id, const char *test, int reproduces) {
  const cJSON *t = table(doc, id);
  CHECK(t != NULL, "table %s missing", id);
  if (t)
    CHECK(reproduced_by(t, test) == reproduces, "%s: %s %s the published p (its p = %.6g)", id, test,
          reproduces ? "should reproduce" : "should not reproduce", p_of(t, test));
}

static void same_p(const cJSON *doc, const char *id, const char *test, double want) {
  const cJSON *t = table(doc, id);
  double got = t ? p_of(t, test) : NAN;
  CHECK(fabs(got - want) <= 1e-12 * fabs(want), "%s %s: analyze.json p %.17g, library %.17g", id,
        test, got, want);
}

static void vas_interval(const cJSON *doc, const char *id, double lo, double hi) {
  const cJSON *t = table(doc, id);
  const cJSON *ci = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "estimates"),
                                       "difference_in_means_welch"), "ci95");
  double a = cJSON_IsArray(ci) ? cJSON_GetArrayItem(ci, 0)->valuedouble : NAN;
  double b = cJSON_IsArray(ci) ? cJSON_GetArrayItem(ci, 1)->valuedouble : NAN;
  CHECK(fabs(a - lo) <= 0.01 + 1e-9 && fabs(b - hi) <= 0.01 + 1e-9,
        "%s: Welch 95%% CI [%.4f, %.4f], published [%.2f, %.2f]", id, a, b, lo, hi);
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: test_analyze TRIALSIM PUBLISHED_DIR\n"); return 2; }
  cJSON *he = analyze(argv[1], argv[2], "he2019_sle"), *pss = analyze(argv[1], argv[2], "pss2022");
  cJSON *lu = analyze(argv[1], argv[2], "lupil2"), *nct = analyze(argv[1], argv[2], "nct02084238");
  CHECK(he && pss && lu && nct, "analyze failed on a shipped file");
  if (!(he && pss && lu && nct)) return tsim_check_done();
  expect(he, "he2019_sri4_w12", "n1_chisq", 1);
  expect(he, "he2019_sri4_w12", "pearson", 0);
  expect(he, "he2019_sri4_w24", "pearson", 1);
  expect(pss, "pss_essdai", "fisher", 1);
  expect(pss, "pss_infection", "pearson", 1);
  expect(pss, "pss_vas_dryness", "welch_t", 1);
  expect(pss, "pss_vas_pain", "welch_t", 1);
  expect(pss, "pss_vas_fatigue", "welch_t", 1);
  static const char *const plain[] = {"pearson", "n1_chisq", "yates", "fisher"};
  for (int i = 0; i < 4; i++) {
    expect(lu, "lupil2_itt", plain[i], 0);
    expect(lu, "lupil2_pp", plain[i], 0);
  }
  same_p(he, "he2019_sri4_w12", "n1_chisq", tsim_n1_chisq_p(9, 30, 16, 29, NULL));
  same_p(he, "he2019_ln_remission", "fisher", tsim_fisher_p(2, 12, 7, 13));
  same_p(pss, "pss_infection", "yates", tsim_yates_p(9, 30, 1, 30, NULL));
  same_p(nct, "nct02084238_sri_w6", "binomial_exact", tsim_binomial_exact_p(36, 40, 0.5));
  double s, df, d, lo, hi;
  same_p(pss, "pss_vas_pain", "student_t",
         tsim_student_t(0, 17.50, 30, -10.33, 17.50, 30, 0.95, &s, &df, &d, &lo, &hi));
  vas_interval(pss, "pss_vas_dryness", -28.46, -8.21);
  vas_interval(pss, "pss_vas_pain", -19.38, -1.29);
  vas_interval(pss, "pss_vas_fatigue", -20.65, -2.68);
  cJSON_Delete(he);
  cJSON_Delete(pss);
  cJSON_Delete(lu);
  cJSON_Delete(nct);
  return tsim_check_done();
}
