/* test_scenario.c - loader rules that are arithmetic rather than messages.
 *
 * Allocation shares are computed in binary floating point, where 9 x 0.1 / 0.3 is
 * 2.9999999999999996: the loader's "every arm expects at least one patient" rule and the fixed
 * randomisation's arm sizes (floor of each share, remainders to the first arms) must still
 * treat such shares as the whole numbers they are.
 */
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "model/cohort.h"
#include "exact.h"

#define FMT                                                                              \
  "{\"name\": \"s\", \"sample_size\": %d, \"arms\": [{\"id\": \"c\", \"control\": true, " \
  "\"allocation\": %s}, {\"id\": \"a\", \"allocation\": %s}%s], \"endpoints\": [{\"id\": " \
  "\"y\", \"type\": \"binary\", \"response\": {\"c\": 0.3, \"a\": 0.5%s}}], \"analyses\": " \
  "[{\"id\": \"i\", \"population\": \"itt\", \"test\": \"pearson\"}]}"

static tsim_scenario *make(int n, const char *w0, const char *w1, const char *w2) {
  char json[1024], third[128] = "", resp[64] = "";
  if (w2) {
    snprintf(third, sizeof third, ", {\"id\": \"b\", \"allocation\": %s}", w2);
    snprintf(resp, sizeof resp, ", \"b\": 0.5");
  }
  snprintf(json, sizeof json, FMT, n, w0, w1, third, resp);
  return load_text(json);
}

static void arm_sizes(int n, const char *w0, const char *w1, const char *w2, const long long *want) {
  tsim_scenario *sc = make(n, w0, w1, w2);
  CHECK(sc != NULL, "%d patients at %s:%s%s%s must load", n, w0, w1, w2 ? ":" : "", w2 ? w2 : "");
  if (!sc) return;
  tsim_cohort_plan plan;
  CHECK(tsim_cohort_plan_init(&plan, sc) == TSIM_OK, "plan");
  for (int a = 0; a < sc->narms; a++)
    CHECK(plan.arm_count[a] == want[a], "%d patients at %s:%s: arm %d gets %lld, expected %lld", n,
          w0, w1, a, plan.arm_count[a], want[a]);
  tsim_cohort_plan_free(&plan);
  tsim_scenario_free(sc);
}

int main(void) {
  arm_sizes(4, "0.1", "0.3", NULL, (const long long[]){1, 3});
  arm_sizes(90, "0.1", "0.2", "0.7", (const long long[]){9, 18, 63});
  arm_sizes(7, "1.5", "1", NULL, (const long long[]){5, 2}); /* floor 4.2, 2.8 -> 4, 2; +1 first */
  arm_sizes(100, "1", "1", NULL, (const long long[]){50, 50});
  /* 6 x 0.02 / 0.12 = 1 exactly in decimals: one patient for the small arm is enough. */
  tsim_scenario *sc = make(6, "0.02", "0.1", NULL);
  CHECK(sc != NULL, "6 patients at 0.02:0.1 give the small arm one patient and must load");
  tsim_scenario_free(sc);
  sc = make(5, "0.02", "0.1", NULL);
  CHECK(sc == NULL, "5 patients at 0.02:0.1 leave the small arm below one patient and must not load");
  tsim_scenario_free(sc);
  CHECK(tsim_floor_share(2.9999999999999996) == 3 && tsim_floor_share(2.5) == 2 &&
            tsim_floor_share(3.0) == 3 && tsim_floor_share(0.9999999) == 0,
        "tsim_floor_share");
  return tsim_check_done();
}
