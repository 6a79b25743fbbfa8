/* numfmt.c - shortest round-trip decimal text of a double (see numfmt.h). */
#include "core/numfmt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Whether x written with prec significant digits reads back as x. */
static int reads_back(double x, int prec) {
  char buf[TSIM_NUM_CHARS];
  snprintf(buf, sizeof buf, "%.*e", prec - 1, x);
  return strtod(buf, NULL) == x;
}

char *tsim_num(char buf[TSIM_NUM_CHARS], double x) {
  if (!isfinite(x)) {
    snprintf(buf, TSIM_NUM_CHARS, "%s", isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
    return buf;
  }
  /* 17 significant digits always read back (IEEE 754 binary64), and if p digits do, p + 1 do:
   * bisect for the fewest. */
  int lo = 1, hi = 17;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (reads_back(x, mid)) hi = mid;
    else lo = mid + 1;
  }
  /* Positional notation where it is readable (40, 1500, 0.05, 0.00012), else an exponent. */
  snprintf(buf, TSIM_NUM_CHARS, "%.*e", lo - 1, x);
  int exp10 = atoi(strchr(buf, 'e') + 1);
  if (x != 0 && (exp10 < -5 || exp10 >= 17)) return buf;
  int decimals = lo - 1 - exp10;
  if (decimals >= 0) {
    snprintf(buf, TSIM_NUM_CHARS, "%.*f", decimals, x);
    return buf;
  }
  /* A whole number with fewer significant digits than places (1500, 5.709619864766081e16):
   * its digits then zeros; %.0f would write the double's exact value, digits that are not
   * needed to read it back. */
  char digits[TSIM_NUM_CHARS], *o = digits;
  if (x < 0) *o++ = '-';
  for (const char *p = buf; *p != 'e'; p++)
    if (*p >= '0' && *p <= '9') *o++ = *p;
  for (int z = 0; z < -decimals; z++) *o++ = '0'; /* exp10 < 17: at most 18 characters */
  *o = '\0';
  memcpy(buf, digits, (size_t)(o - digits) + 1);
  return buf;
}

int tsim_fput_num(FILE *f, double x) {
  char buf[TSIM_NUM_CHARS];
  return fputs(tsim_num(buf, x), f);
}
