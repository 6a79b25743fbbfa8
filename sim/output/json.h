/* json.h - the text of every JSON file trialsim writes (summary.json, sweep.json, size.json,
 * analyze.json).
 *
 * cJSON_Print writes a number with 15 significant digits when they read back to within a
 * relative DBL_EPSILON, else 17: 1/3 as 0.33333333333333331, a digit more than it needs, and
 * 0.1 + 0.2 as 0.3, which is another double. This printer writes each number as the shortest
 * text that reads back to the same double (core/numfmt.h: 0.3333333333333333,
 * 0.30000000000000004), a whole number without a decimal point or exponent below 10^17 (40,
 * 9007199254740991), and zero as 0. A tree holds no NaN or infinity (output/ writes them as
 * null, report_internal.h); one that does anyway is written as null too, so the text is always
 * JSON. Strings are escaped as RFC 8259 asks: the quote, the backslash and the control
 * characters (\n, \t, ... or \u00XX); valid UTF-8 is written as it is, a byte that is not part
 * of valid UTF-8 as \ufffd. Objects take one member per line, indented by two spaces; an array
 * of numbers, strings, booleans and nulls stays on one line.
 */
#ifndef TSIM_JSON_H
#define TSIM_JSON_H

#include <cjson/cJSON.h>

/* The JSON text of `root` with a final newline, NUL-terminated (the caller frees), or NULL when
 * memory runs out. */
char *tsim_json_print(const cJSON *root);

#endif
