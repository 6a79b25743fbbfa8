/* ptanalysis.h - analyses of a latent-model cohort, on its patients (ptanalysis.c). Internal to
 * the analysis layer. */
#ifndef TSIM_PTANALYSIS_H
#define TSIM_PTANALYSIS_H

#include "analysis/workspace.h"

/* Internal (ptanalysis.c): analysis k on the patients of a latent-model cohort. */
void tsim__ptanalysis_eval(tsim_analysis_ws *w, int k, tsim_hypothesis h, tsim_outcome *out);
int tsim__ptanalysis_ws_init(tsim_analysis_ws *w);
void tsim__ptanalysis_ws_free(tsim_analysis_ws *w);

#endif
