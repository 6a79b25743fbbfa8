/* test_numfmt.c - tsim_num (sim/core/numfmt.h): the text reads back to the same double, and no
 * shorter %g text does.
 *
 * Not statistical. Points: the numbers users write (0.05, 0.9, 0.1 + 0.2, 1/3), integers up to
 * 2^53 (written without an exponent up to 17 digits' worth), the extremes (smallest subnormal,
 * largest double, negative zero), non-finite values, and 3 x 10^5 doubles with random bit patterns
 * from a fixed seed (splitmix64), each read back with strtod and compared bit for bit.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/numfmt.h"

static uint64_t state = 20261205;
static uint64_t splitmix64(void) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* The text reads back bit for bit, and with one significant digit fewer it would not. */
static int round_trips_and_is_shortest(double x, char *why, size_t n) {
  char buf[TSIM_NUM_CHARS], shorter[400];
  tsim_num(buf, x);
  double back = strtod(buf, NULL);
  if (memcmp(&back, &x, sizeof x) != 0) {
    snprintf(why, n, "%.17g written as '%s' reads back as %.17g", x, buf, back);
    return 0;
  }
  int digits = 0, last = 0; /* significant digits of buf, trailing zeros not counted */
  for (const char *p = buf; *p && *p != 'e'; p++)
    if (*p >= '0' && *p <= '9' && (digits || *p != '0')) {
      digits++;
      if (*p != '0') last = digits;
    }
  digits = last > 0 ? last : 1;
  if (digits > 1) {
    snprintf(shorter, sizeof shorter, "%.*g", digits - 1, x);
    if (strtod(shorter, NULL) == x) {
      snprintf(why, n, "%.17g written as '%s', but '%s' reads back too", x, buf, shorter);
      return 0;
    }
  }
  return 1;
}

int main(void) {
  char buf[TSIM_NUM_CHARS], why[1000];
  static const struct { double x; const char *text; } known[] = {
      {0.05, "0.05"}, {0.9, "0.9"}, {0.1 + 0.2, "0.30000000000000004"},
      {1.0 / 3.0, "0.3333333333333333"}, {40, "40"}, {100000, "100000"}, {-2.5, "-2.5"},
      {0, "0"}, {1e-300, "1e-300"}, {9007199254740992.0, "9007199254740992"},
      {DBL_MAX, "1.7976931348623157e+308"}, {4.9406564584124654e-324, "5e-324"}, {1500, "1500"},
      {0.00012, "0.00012"}, {1.5e-6, "1.5e-06"}, {1e17, "1e+17"}, {123456789012, "123456789012"}};
  for (size_t i = 0; i < sizeof known / sizeof *known; i++)
    CHECK(strcmp(tsim_num(buf, known[i].x), known[i].text) == 0, "%.17g: got '%s', want '%s'",
          known[i].x, buf, known[i].text);
  CHECK(strcmp(tsim_num(buf, -0.0), "-0") == 0, "negative zero: got '%s'", buf);
  CHECK(strcmp(tsim_num(buf, NAN), "nan") == 0, "NaN: got '%s'", buf);
  CHECK(strcmp(tsim_num(buf, INFINITY), "inf") == 0, "inf: got '%s'", buf);
  CHECK(strcmp(tsim_num(buf, -INFINITY), "-inf") == 0, "-inf: got '%s'", buf);

  long bad = 0;
  for (long i = 0; i < 300000; i++) {
    uint64_t bits = splitmix64();
    double x;
    memcpy(&x, &bits, sizeof x);
    if (!isfinite(x)) continue;
    if (!round_trips_and_is_shortest(x, why, sizeof why) && bad++ < 5) CHECK(0, "%s", why);
  }
  for (long i = 0; i < 100000; i++) { /* probabilities as a simulation writes them: k / n */
    double x = (double)(splitmix64() % 100001) / 100000.0;
    if (!round_trips_and_is_shortest(x, why, sizeof why) && bad++ < 10) CHECK(0, "%s", why);
  }
  CHECK(bad == 0, "%ld numbers did not round-trip or were not the shortest", bad);
  return tsim_check_done();
}
