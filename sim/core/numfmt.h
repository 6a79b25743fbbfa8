/* numfmt.h - numbers as text: the shortest decimal that reads back to the same double.
 *
 * Every number trialsim writes for a reader or a program (CSV, cohort output, JSON, messages)
 * goes through here, so 0.05 is written "0.05", not "0.050000000000000003", and a number read
 * back with strtod is the double that was written, bit for bit.
 */
#ifndef TSIM_NUMFMT_H
#define TSIM_NUMFMT_H

#include <stddef.h>
#include <stdio.h>

/* Enough for any double in %.17g form, with sign, exponent and the terminating zero. */
#define TSIM_NUM_CHARS 32

/* Writes the shortest %g text (1 to 17 significant digits) that strtod reads back as x, into
 * buf (TSIM_NUM_CHARS bytes), and returns buf. Not finite: "nan", "inf" or "-inf". */
char *tsim_num(char buf[TSIM_NUM_CHARS], double x);

/* fputs(tsim_num(x)); the result of fputs. */
int tsim_fput_num(FILE *f, double x);

#endif
