/* test_multiplicity.c - multiplicity procedures satisfy their exact identities.
 *
 * Every statement below holds trial by trial, so the tallies must satisfy it exactly (integer
 * equality, not a tolerance), under both hypotheses:
 *  - fixed sequence [a, b, c]: member a is significant exactly when a rejects; member b exactly
 *    when a and b both reject (the plan's joint table); "all" equals the last member; members
 *    never get more often significant further down; P(all) <= P(first);
 *  - Bonferroni over [a, b] at 0.05: member a is significant exactly when a rejects at 0.025
 *    (the same analysis with alpha 0.025 is in the plan as a2, likewise b2);
 *  - Holm over [a, b] at 0.05: "any" equals Bonferroni's "any" (both ask min p < alpha/2);
 *    each member is at least as often significant as under Bonferroni; "all" <= each member;
 *  - the tallies are the same with 1 and 2 threads.
 * And by direction (proc_fav: significant with the difference favouring the experimental arm):
 *  - every count favouring the experimental arm is at most the two-sided one; "all" at most,
 *    "any" at least, each member's;
 *  - fixed sequence [a, a2] (a2: a at alpha 0.025, the same p-value): member a favours exactly
 *    when a's own rejection does (its `favouring`), member a2, "all" as a2's, "any" as a's;
 *  - Holm over [a3, a] at 0.05, a3 being a at alpha 0.01: equal p-values, so both are
 *    significant exactly when p < 0.025 - a2's rejections, in both directions - though a3 does
 *    not reject at its own alpha in some of them (the direction comes from the difference);
 *  - a harmful end point (higher_is_better false; the experimental arm lowers it): fixed
 *    sequence [h, h2] as [a, a2], so "favouring" means a lower rate in the experimental arm;
 *  - three arms, one better and one worse than control: per arm, the sequence [a, a2] favours
 *    as that arm's comparisons do;
 *  - summary.json's multiplicity entries: power_favouring / type1_error_favouring and the
 *    all / any *_favouring are these counts, and with *_favouring_control add up to the
 *    two-sided count.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "exact.h"
#include "output/report.h"
#include "run/runner.h"

static const char *const json =
    "{\"name\": \"mult\", \"sample_size\": 60, \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e\"}],"
    " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": 0.35, \"e\": 0.6}},"
    "   {\"id\": \"harm\", \"type\": \"binary\", \"higher_is_better\": false, \"response\": {\"c\": 0.5, \"e\": 0.3}}],"
    " \"dropout\": {\"c\": 0.15, \"e\": 0.1},"
    " \"analyses\": [{\"id\": \"a\", \"endpoint\": \"y\", \"population\": \"itt\", \"test\": \"pearson\"},"
    "   {\"id\": \"b\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"pearson\"},"
    "   {\"id\": \"c\", \"endpoint\": \"y\", \"population\": \"itt\", \"test\": \"fisher\"},"
    "   {\"id\": \"a2\", \"endpoint\": \"y\", \"population\": \"itt\", \"test\": \"pearson\", \"alpha\": 0.025},"
    "   {\"id\": \"b2\", \"endpoint\": \"y\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"pearson\", \"alpha\": 0.025},"
    "   {\"id\": \"a3\", \"endpoint\": \"y\", \"population\": \"itt\", \"test\": \"pearson\", \"alpha\": 0.01},"
    "   {\"id\": \"h\", \"endpoint\": \"harm\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"pearson\"},"
    "   {\"id\": \"h2\", \"endpoint\": \"harm\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"pearson\", \"alpha\": 0.025}],"
    " \"multiplicity\": [{\"id\": \"seq\", \"method\": \"fixed_sequence\", \"analyses\": [\"a\", \"b\", \"c\"]},"
    "   {\"id\": \"bonf\", \"method\": \"bonferroni\", \"analyses\": [\"a\", \"b\"]},"
    "   {\"id\": \"holm\", \"method\": \"holm\", \"analyses\": [\"a\", \"b\"], \"alpha\": 0.05},"
    "   {\"id\": \"seq2\", \"method\": \"fixed_sequence\", \"analyses\": [\"a\", \"a2\"]},"
    "   {\"id\": \"holm2\", \"method\": \"holm\", \"analyses\": [\"a3\", \"a\"], \"alpha\": 0.05},"
    "   {\"id\": \"harmseq\", \"method\": \"fixed_sequence\", \"analyses\": [\"h\", \"h2\"]}]}";

/* Three arms: e1 better than control, e2 worse. */
static const char *const json3 =
    "{\"name\": \"mult3\", \"sample_size\": 90, \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e1\"},"
    "   {\"id\": \"e2\"}],"
    " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": 0.4, \"e1\": 0.7, \"e2\": 0.15}}],"
    " \"analyses\": [{\"id\": \"a\", \"population\": \"itt\", \"test\": \"pearson\"},"
    "   {\"id\": \"a2\", \"population\": \"itt\", \"test\": \"pearson\", \"alpha\": 0.025}],"
    " \"multiplicity\": [{\"id\": \"seq\", \"method\": \"fixed_sequence\", \"analyses\": [\"a\", \"a2\"]}]}";

static const uint64_t *proc(const tsim_tally *t, int h, int q) {
  return t->proc[h] + (size_t)q * (size_t)t->ncmp * (size_t)t->pstride;
}

/* The counts favouring the experimental arm, for procedure q and comparison j. */
static const uint64_t *pfav(const tsim_tally *t, int h, int q, int j) {
  return t->proc_fav[h] + ((size_t)q * (size_t)t->ncmp + (size_t)j) * (size_t)t->pstride;
}

/* For every procedure, comparison and hypothesis: favouring <= significant for every member
 * and all / any; "all" <= every member <= "any" favouring. */
static void check_bounds(const tsim_scenario *sc, const tsim_tally *T) {
  int S = T->pstride;
  for (int q = 0; q < T->nproc; q++)
    for (int j = 0; j < T->ncmp; j++)
      for (int h = 0; h < 2; h++) {
        const uint64_t *c = T->proc[h] + ((size_t)q * (size_t)T->ncmp + (size_t)j) * (size_t)S;
        const uint64_t *f = pfav(T, h, q, j);
        int m = sc->procedures[q].nmembers;
        for (int i = 0; i < m; i++) {
          CHECK(f[i] <= c[i], "%s/%d/%d member %d: favouring %llu > significant %llu", sc->name, q, j, i,
                (unsigned long long)f[i], (unsigned long long)c[i]);
          CHECK(f[S - 2] <= f[i] && f[i] <= f[S - 1], "%s/%d/%d member %d: all <= member <= any favouring",
                sc->name, q, j, i);
        }
        for (int w = S - 2; w < S; w++)
          CHECK(f[w] <= c[w], "%s/%d/%d %s: favouring %llu > significant %llu", sc->name, q, j,
                w == S - 2 ? "all" : "any", (unsigned long long)f[w], (unsigned long long)c[w]);
      }
}

/* An estimate's count: its share of n trials times n (exact enough to round). */
static long long count_of(const cJSON *e, double n) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "estimate");
  return cJSON_IsNumber(v) ? llround(v->valuedouble * n) : -1;
}

/* summary.json's multiplicity entries against the tally: the directional counts, and the two
 * directions adding up to the two-sided count. */
static void check_summary(const tsim_scenario *sc, const tsim_tally *T) {
  char dir[] = "/tmp/tsim_multiplicity_XXXXXX", path[4200];
  CHECK(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
  tsim_run_info ri = {99, T->trials, 1, 0.0, 1, 0, 0, 0, 0};
  tsim_diag d;
  tsim_diag_init(&d);
  CHECK(tsim_report_write(sc, T, &ri, dir, &d) == TSIM_OK, "tsim_report_write into %s", dir);
  tsim_diag_clear(&d);
  snprintf(path, sizeof path, "%s/summary.json", dir);
  cJSON *doc = check_load_json(path);
  CHECK(doc != NULL, "cannot read %s", path);
  const cJSON *mult = cJSON_GetObjectItemCaseSensitive(doc, "multiplicity");
  CHECK(cJSON_GetArraySize(mult) == T->nproc * T->ncmp, "%s: %d multiplicity entries", sc->name,
        cJSON_GetArraySize(mult));
  double n = (double)T->trials;
  int S = T->pstride, e = 0;
  for (const cJSON *pj = mult ? mult->child : NULL; pj; pj = pj->next, e++) {
    int q = e / T->ncmp, j = e % T->ncmp, m = sc->procedures[q].nmembers;
    const cJSON *mem = cJSON_GetObjectItemCaseSensitive(pj, "analyses");
    for (int i = 0; i < m; i++) {
      const cJSON *mi = cJSON_GetArrayItem(mem, i);
      static const char *const keys[2][3] = {{"power", "power_favouring", "power_favouring_control"},
                                             {"type1_error", "type1_error_favouring",
                                              "type1_error_favouring_control"}};
      for (int h = 0; h < 2; h++) {
        long long two = count_of(cJSON_GetObjectItemCaseSensitive(mi, keys[h][0]), n);
        long long fav = count_of(cJSON_GetObjectItemCaseSensitive(mi, keys[h][1]), n);
        long long ctl = count_of(cJSON_GetObjectItemCaseSensitive(mi, keys[h][2]), n);
        CHECK(fav == (long long)pfav(T, h, q, j)[i] && fav >= 0 && ctl >= 0 && fav + ctl == two,
              "%s entry %d member %d: %s %lld + %s %lld vs %s %lld (tally %llu)", sc->name, e, i, keys[h][1],
              fav, keys[h][2], ctl, keys[h][0], two, (unsigned long long)pfav(T, h, q, j)[i]);
      }
    }
    static const char *const wn[2] = {"all_significant", "any_significant"};
    static const char *const hn[2][3] = {{"alternative", "alternative_favouring", "alternative_favouring_control"},
                                         {"null", "null_favouring", "null_favouring_control"}};
    for (int w = 0; w < 2; w++) {
      const cJSON *x = cJSON_GetObjectItemCaseSensitive(pj, wn[w]);
      for (int h = 0; h < 2; h++) {
        long long two = count_of(cJSON_GetObjectItemCaseSensitive(x, hn[h][0]), n);
        long long fav = count_of(cJSON_GetObjectItemCaseSensitive(x, hn[h][1]), n);
        long long ctl = count_of(cJSON_GetObjectItemCaseSensitive(x, hn[h][2]), n);
        CHECK(fav == (long long)pfav(T, h, q, j)[S - 2 + w] && fav >= 0 && ctl >= 0 && fav + ctl == two,
              "%s entry %d %s: %s %lld + %s %lld vs %lld", sc->name, e, wn[w], hn[h][1], fav, hn[h][2], ctl, two);
      }
    }
  }
  cJSON_Delete(doc);
  const char *files[] = {"summary.json", "analyses.csv"};
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    remove(path);
  }
  rmdir(dir);
}

/* Three arms, e1 better and e2 worse than control: per arm, sequence [a, a2] by direction. */
static void check_three_arms(void) {
  tsim_scenario *sc = load_text(json3);
  CHECK(sc != NULL, "three-arm scenario did not load");
  if (!sc) return;
  tsim_tally *T = NULL;
  tsim_run_opts o = {7, 0, 20000, 2, NULL, NULL, 0, 0};
  CHECK(tsim_run(sc, &o, &T) == TSIM_OK, "three-arm run");
  if (!T) { tsim_scenario_free(sc); return; }
  int S = T->pstride, nc = T->ncmp;
  CHECK(nc == 2, "two comparisons, got %d", nc);
  for (int j = 0; j < nc; j++)
    for (int h = 0; h < 2; h++) {
      const uint64_t *f = pfav(T, h, 0, j);
      CHECK(f[0] == T->cell[h][0 * nc + j].favouring && f[1] == T->cell[h][1 * nc + j].favouring &&
                f[S - 2] == f[1] && f[S - 1] == f[0],
            "arm %d, %s: sequence [a, a2] favouring %llu, %llu vs the comparisons' %llu, %llu", j + 1,
            h ? "null" : "alternative", (unsigned long long)f[0], (unsigned long long)f[1],
            (unsigned long long)T->cell[h][j].favouring, (unsigned long long)T->cell[h][nc + j].favouring);
    }
  /* Not vacuous: e1 is significant mostly favouring, e2 mostly not. */
  const uint64_t *c = T->proc[0];
  CHECK(pfav(T, 0, 0, 0)[0] > c[0] / 2 && pfav(T, 0, 0, 1)[0] < c[S] / 2 && c[S] > 1000,
        "arm e1 should be significant favouring it, e2 favouring control");
  check_bounds(sc, T);
  check_summary(sc, T);
  tsim_tally_free(T);
  tsim_scenario_free(sc);
}

static uint64_t both(const tsim_tally *t, int h, int a, int b) {
  for (int p = 0; p < t->npairs; p++)
    if (t->pairs[p].first == a && t->pairs[p].second == b) return t->both[h][p];
  return UINT64_MAX;
}

int main(void) {
  gsl_set_error_handler_off();
  tsim_scenario *sc = load_text(json);
  CHECK(sc != NULL, "scenario did not load");
  if (!sc) return tsim_check_done();
  tsim_tally *t[2] = {NULL, NULL};
  for (int i = 0; i < 2; i++) {
    tsim_run_opts o = {99, 0, 200000, i + 1, NULL, NULL, 0, 0};
    CHECK(tsim_run(sc, &o, &t[i]) == TSIM_OK, "run with %d threads", i + 1);
  }
  if (!t[0] || !t[1]) return tsim_check_done();
  const tsim_tally *T = t[0];
  int S = T->pstride;
  for (int h = 0; h < 2; h++) {
    const char *hy = h ? "null" : "alternative";
    const uint64_t *seq = proc(T, h, 0), *bonf = proc(T, h, 1), *hlm = proc(T, h, 2);
    CHECK(seq[0] == T->cell[h][0].reject, "%s: sequence member a %llu vs a rejects %llu", hy,
          (unsigned long long)seq[0], (unsigned long long)T->cell[h][0].reject);
    CHECK(seq[1] == both(T, h, 0, 1), "%s: sequence member b %llu vs a and b reject %llu", hy,
          (unsigned long long)seq[1], (unsigned long long)both(T, h, 0, 1));
    CHECK(seq[S - 2] == seq[2], "%s: sequence 'all' %llu vs last member %llu", hy,
          (unsigned long long)seq[S - 2], (unsigned long long)seq[2]);
    CHECK(seq[0] >= seq[1] && seq[1] >= seq[2], "%s: sequence members must not increase", hy);
    CHECK(seq[S - 2] <= seq[0], "%s: P(all) <= P(first)", hy);
    CHECK(seq[S - 1] == seq[0], "%s: in a sequence 'any' is the first member", hy);
    CHECK(bonf[0] == T->cell[h][3].reject && bonf[1] == T->cell[h][4].reject,
          "%s: Bonferroni members %llu, %llu vs alpha/2 rejections %llu, %llu", hy,
          (unsigned long long)bonf[0], (unsigned long long)bonf[1],
          (unsigned long long)T->cell[h][3].reject, (unsigned long long)T->cell[h][4].reject);
    CHECK(hlm[S - 1] == bonf[S - 1], "%s: Holm 'any' %llu vs Bonferroni 'any' %llu", hy,
          (unsigned long long)hlm[S - 1], (unsigned long long)bonf[S - 1]);
    CHECK(hlm[0] >= bonf[0] && hlm[1] >= bonf[1], "%s: Holm rejects at least what Bonferroni does", hy);
    CHECK(hlm[S - 2] <= hlm[0] && hlm[S - 2] <= hlm[1], "%s: Holm 'all' <= each member", hy);
    CHECK(hlm[0] > bonf[0] || hlm[1] > bonf[1] || h == 1,
          "%s: Holm should gain over Bonferroni somewhere at this power (the checks would be vacuous)", hy);
  }
  /* By direction. Comparisons: a 0, a2 3, a3 5, h 6, h2 7; procedures seq2 3, holm2 4, harmseq 5. */
  for (int h = 0; h < 2; h++) {
    const char *hy = h ? "null" : "alternative";
    const tsim_tally_cell *a = &T->cell[h][0], *a2 = &T->cell[h][3], *a3 = &T->cell[h][5];
    const tsim_tally_cell *hc = &T->cell[h][6], *h2 = &T->cell[h][7];
    const uint64_t *sq = pfav(T, h, 3, 0), *hm = pfav(T, h, 4, 0), *hs = pfav(T, h, 5, 0);
    CHECK(sq[0] == a->favouring && sq[1] == a2->favouring && sq[S - 2] == a2->favouring &&
              sq[S - 1] == a->favouring,
          "%s: sequence [a, a2] favouring %llu, %llu, all %llu, any %llu vs a %llu, a2 %llu", hy,
          (unsigned long long)sq[0], (unsigned long long)sq[1], (unsigned long long)sq[S - 2],
          (unsigned long long)sq[S - 1], (unsigned long long)a->favouring, (unsigned long long)a2->favouring);
    CHECK(proc(T, h, 4)[0] == a2->reject && proc(T, h, 4)[1] == a2->reject,
          "%s: Holm [a3, a] members significant exactly when p < 0.025", hy);
    CHECK(hm[0] == a2->favouring && hm[1] == a2->favouring && hm[S - 2] == a2->favouring &&
              hm[S - 1] == a2->favouring,
          "%s: Holm [a3, a] favouring %llu, %llu vs a2's %llu (a3's own %llu)", hy, (unsigned long long)hm[0],
          (unsigned long long)hm[1], (unsigned long long)a2->favouring, (unsigned long long)a3->favouring);
    CHECK(hs[0] == hc->favouring && hs[1] == h2->favouring && hs[S - 2] == h2->favouring &&
              hs[S - 1] == hc->favouring,
          "%s: harmful sequence [h, h2] favouring %llu, %llu vs h %llu, h2 %llu", hy, (unsigned long long)hs[0],
          (unsigned long long)hs[1], (unsigned long long)hc->favouring, (unsigned long long)h2->favouring);
  }
  /* Not vacuous: a3 rejects less often than a2 in favour of e (so a member significant only
   * within Holm must still count its direction), and a lower harm rate favours e. */
  CHECK(T->cell[0][5].favouring < T->cell[0][3].favouring, "a3 should favour less often than a2");
  CHECK(pfav(T, 0, 5, 0)[0] > T->proc[0][5 * (size_t)S] / 2, "harm: significant mostly favouring e");
  check_bounds(sc, T);
  check_summary(sc, T);
  size_t np = (size_t)T->nproc * (size_t)T->ncmp * (size_t)T->pstride;
  for (int h = 0; h < 2; h++)
    CHECK(memcmp(t[0]->proc[h], t[1]->proc[h], np * sizeof *T->proc[h]) == 0 &&
              memcmp(t[0]->proc_fav[h], t[1]->proc_fav[h], np * sizeof *T->proc_fav[h]) == 0,
          "procedure tallies differ between 1 and 2 threads");
  check_three_arms();
  printf("sequence power a %.4f, a+b %.4f, all %.4f; Holm any %.4f, all %.4f\n",
         (double)proc(T, 0, 0)[0] / 200000, (double)proc(T, 0, 0)[1] / 200000,
         (double)proc(T, 0, 0)[S - 2] / 200000, (double)proc(T, 0, 2)[S - 1] / 200000,
         (double)proc(T, 0, 2)[S - 2] / 200000);
  tsim_tally_free(t[0]);
  tsim_tally_free(t[1]);
  tsim_scenario_free(sc);
  return tsim_check_done();
}
