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
 */
#include <string.h>

#include "check.h"
#include "exact.h"
#include "run/runner.h"

static const char *const json =
    "{\"name\": \"mult\", \"sample_size\": 60, \"arms\": [{\"id\": \"c\", \"control\": true}, {\"id\": \"e\"}],"
    " \"endpoints\": [{\"id\": \"y\", \"type\": \"binary\", \"response\": {\"c\": 0.35, \"e\": 0.6}}],"
    " \"dropout\": {\"c\": 0.15, \"e\": 0.1},"
    " \"analyses\": [{\"id\": \"a\", \"population\": \"itt\", \"test\": \"pearson\"},"
    "   {\"id\": \"b\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"pearson\"},"
    "   {\"id\": \"c\", \"population\": \"itt\", \"test\": \"fisher\"},"
    "   {\"id\": \"a2\", \"population\": \"itt\", \"test\": \"pearson\", \"alpha\": 0.025},"
    "   {\"id\": \"b2\", \"population\": \"itt\", \"missing\": \"exclude\", \"test\": \"pearson\", \"alpha\": 0.025}],"
    " \"multiplicity\": [{\"id\": \"seq\", \"method\": \"fixed_sequence\", \"analyses\": [\"a\", \"b\", \"c\"]},"
    "   {\"id\": \"bonf\", \"method\": \"bonferroni\", \"analyses\": [\"a\", \"b\"]},"
    "   {\"id\": \"holm\", \"method\": \"holm\", \"analyses\": [\"a\", \"b\"], \"alpha\": 0.05}]}";

static const uint64_t *proc(const tsim_tally *t, int h, int q) {
  return t->proc[h] + (size_t)q * (size_t)t->ncmp * (size_t)t->pstride;
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
  size_t np = (size_t)T->nproc * (size_t)T->ncmp * (size_t)T->pstride;
  for (int h = 0; h < 2; h++)
    CHECK(memcmp(t[0]->proc[h], t[1]->proc[h], np * sizeof *T->proc[h]) == 0,
          "procedure tallies differ between 1 and 2 threads");
  printf("sequence power a %.4f, a+b %.4f, all %.4f; Holm any %.4f, all %.4f\n",
         (double)proc(T, 0, 0)[0] / 200000, (double)proc(T, 0, 0)[1] / 200000,
         (double)proc(T, 0, 0)[S - 2] / 200000, (double)proc(T, 0, 2)[S - 1] / 200000,
         (double)proc(T, 0, 2)[S - 2] / 200000);
  tsim_tally_free(t[0]);
  tsim_tally_free(t[1]);
  tsim_scenario_free(sc);
  return tsim_check_done();
}
