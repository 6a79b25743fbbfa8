/* multiplicity.h - multiplicity procedures over the analyses of one trial.
 *
 * A procedure (scenario.h: fixed_sequence, bonferroni, holm) turns the members' own decisions
 * or p-values into "significant within the procedure", separately for each experimental arm's
 * comparisons. The decision rule at every level is the tie rule of stattest.h.
 */
#ifndef TSIM_MULTIPLICITY_H
#define TSIM_MULTIPLICITY_H

#include "analysis/analysis.h"
#include "input/scenario.h"

/* The per-member significance of procedure q for comparison j, given the trial's outcomes
 * under one hypothesis (out[ncomp], analysis-major): sig[i] for member i. Bonferroni and Holm
 * read the members' p-values, so the analysis workspace must have computed them (need_p). */
void tsim_procedure_apply(const tsim_scenario *sc, int q, int j, const tsim_outcome *out,
                          unsigned char *sig);

#endif
