/* jpath.h - setting a numeric value in a parsed JSON document by path, for scenario variants.
 *
 * A path is written as in the scenario schema, with or without the leading "$.":
 *   sample_size   endpoints[0].response.il2   sites.anomalies[0].response   dropout.placebo
 * Overrides are applied to the parsed tree before validation, so a variant is validated
 * exactly like a file (`trialsim sweep --set`, `trialsim run --set`). The path must lead
 * through existing objects and arrays; the last key may be new in an existing object (e.g.
 * `dropout.il2` when the file gives dropout only for placebo) - whether it is a valid key is
 * then the validator's call, and its message names the path.
 */
#ifndef TSIM_JPATH_H
#define TSIM_JPATH_H

#include <cjson/cJSON.h>
#include <stddef.h>


/* Checks a path's syntax; returns 0 if valid, otherwise -1 with a reason in why[n]. */
int tsim_jpath_check(const char *path, char *why, size_t n);

/* Sets the number at `path` in `root` to `value`; a boolean there becomes true for 1 and false
 * for 0 (any other value is an error). Returns 0, or -1 with a reason in why[n]
 * ("no key \"x\" at $.a", "$.arms is an array, not an object", ...). */
int tsim_jpath_set(cJSON *root, const char *path, double value, char *why, size_t n);

#endif
