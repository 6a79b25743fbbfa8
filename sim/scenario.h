/* scenario.h - the validated, immutable description of one simulated trial design.
 *
 * A scenario is loaded from JSON once (tsim_scenario_load), checked strictly - unknown keys,
 * wrong types, out-of-range values and dangling references are all reported with their JSON
 * path - and never changes afterwards. Samplers and tests read it through a const pointer and
 * may assume every value is valid: validation is the single gate.
 *
 * Indices: arms, endpoints, analyses and sites are 0-based, in the order of the file.
 */
#ifndef TSIM_SCENARIO_H
#define TSIM_SCENARIO_H

#include <stdint.h>

#include "grid.h"
#include "status.h"

#define TSIM_ID_MAX 64              /* longest id, including the NUL */
#define TSIM_MAX_ARMS 32            /* arms per trial */
#define TSIM_MAX_ENDPOINTS 16       /* end points per patient */
#define TSIM_MAX_ANALYSES 64        /* analyses per plan */
#define TSIM_MAX_SITES 10000        /* sites per trial */
#define TSIM_MAX_ANOMALIES 64       /* anomaly rules */
#define TSIM_MAX_PROCEDURES 16      /* multiplicity procedures */
#define TSIM_MAX_BLOCK 10000        /* permuted-block length */
/* Patients per trial. Each thread keeps a few bytes per patient and per end point; 10 million
 * patients is ~200 MB per thread, the most we let a scenario ask for without a clear error. */
#define TSIM_MAX_SAMPLE 10000000LL
#define TSIM_MAX_CELLS (1 << 21)     /* sites x arms x end points: 64 MiB of counts per thread */
#define TSIM_MAX_TRIALS 1000000000000LL /* 10^12: counts stay exact in 64 bits */
#define TSIM_MAX_SEED 9007199254740991LL /* 2^53 - 1: a seed survives a JSON round trip */

typedef enum { TSIM_RAND_FIXED, TSIM_RAND_SIMPLE, TSIM_RAND_BLOCK } tsim_rand_method;
typedef enum { TSIM_ENROLL_RANDOM, TSIM_ENROLL_BALANCED } tsim_enrollment;
typedef enum { TSIM_POP_ITT, TSIM_POP_PER_PROTOCOL } tsim_population;
typedef enum { TSIM_MISSING_NON_RESPONDER, TSIM_MISSING_EXCLUDE } tsim_missing;
typedef enum {
  TSIM_TEST_PEARSON, TSIM_TEST_N1_CHISQ, TSIM_TEST_FISHER, TSIM_TEST_YATES, TSIM_TEST_CMH
} tsim_test;
typedef enum { TSIM_MULT_FIXED_SEQUENCE, TSIM_MULT_BONFERRONI, TSIM_MULT_HOLM } tsim_mult_method;
typedef enum { TSIM_SAMPLING_AUTO, TSIM_SAMPLING_PATIENT, TSIM_SAMPLING_CELL } tsim_sampling;
typedef enum { TSIM_ANOM_LISTED, TSIM_ANOM_RANDOM_COUNT, TSIM_ANOM_RANDOM_PROB } tsim_anom_mode;

/* Names as they appear in scenario files and output, indexed by the enums above. */
extern const char *const tsim_rand_names[];
extern const char *const tsim_enroll_names[];
extern const char *const tsim_population_names[];
extern const char *const tsim_missing_names[];
extern const char *const tsim_test_names[];
extern const char *const tsim_sampling_names[];
extern const char *const tsim_mult_names[];

typedef struct tsim_arm {
  char id[TSIM_ID_MAX];
  double allocation; /* relative allocation weight, > 0 */
  int is_control;    /* 1 for the single control arm */
  double dropout;    /* probability of dropping out before the assessment */
  double deviation;  /* probability of a major protocol deviation (assessed, but not PP) */
} tsim_arm;

typedef struct tsim_anomaly {
  tsim_anom_mode mode;
  int *sites;              /* LISTED: the anomalous sites (owned), nsites of them */
  int nsites;
  int random_count;        /* RANDOM_COUNT: sites drawn without replacement per trial */
  double site_probability; /* RANDOM_PROB: each site anomalous independently, per trial */
  int arm;                 /* arm whose response is forced */
  int endpoint;            /* end point affected, or -1 for every end point */
  double response;         /* the forced response probability */
} tsim_anomaly;

typedef struct tsim_endpoint {
  char id[TSIM_ID_MAX];
  double response[TSIM_MAX_ARMS]; /* response probability per arm, by the assessment */
  int higher_is_better;           /* 1: a response is good (efficacy); 0: bad (safety) */
} tsim_endpoint;

typedef struct tsim_analysis {
  char id[TSIM_ID_MAX];
  int endpoint;               /* index into endpoints */
  tsim_population population;
  tsim_missing missing;       /* ITT only: how dropouts count */
  tsim_test test;
  double alpha;               /* two-sided significance level */
  unsigned char *exclude;     /* per site: 1 = excluded before unblinding (owned; NULL = none) */
  int has_where;              /* 1 when the data-driven site rule is on */
  int where_arm;              /* rule: arm whose observed response is examined */
  double where_rate;          /* rule: drop the site if that arm's rate >= this */
  int where_min;              /* rule: ... and it has at least this many analysed patients */
} tsim_analysis;

/* A multiplicity procedure over analyses of the plan, applied separately to each experimental
 * arm's comparisons:
 *   fixed_sequence  members in order; one counts as significant only when it and every member
 *                   before it reject at their own alpha (LUPIL-2's hierarchy);
 *   bonferroni      a member is significant when p < alpha / m;
 *   holm            Holm's step-down: the ordered p-values p(1) <= ... are significant while
 *                   p(i) < alpha / (m - i + 1), stopping at the first that is not. */
typedef struct tsim_procedure {
  char id[TSIM_ID_MAX];
  tsim_mult_method method;
  int members[TSIM_MAX_ANALYSES]; /* analysis indices, in the order given */
  int nmembers;
  double alpha;                   /* family-wise level (bonferroni, holm) */
} tsim_procedure;

typedef struct tsim_scenario {
  char name[TSIM_ID_MAX];   /* [A-Za-z0-9_.-]+ but not "." or "..": the results folder name */
  char *description;        /* free text (owned, may be empty) */
  char *file;               /* the file it was loaded from (owned) */

  tsim_arm arms[TSIM_MAX_ARMS];
  int narms;
  int control;              /* index of the control arm */
  long long sample_size;    /* patients randomised per trial */

  tsim_rand_method rand_method;
  int block_size;           /* BLOCK: patients per permuted block */
  int stratify_by_site;     /* BLOCK: separate block sequence in each site */

  int nsites;               /* 1 when the scenario has no "sites" */
  double *site_weights;     /* nsites enrollment weights, normalised to sum 1 (owned) */
  tsim_enrollment enrollment;
  double heterogeneity_sd;  /* SD of the per-trial site effect on the logit scale */
  tsim_anomaly anomalies[TSIM_MAX_ANOMALIES];
  int nanomalies;

  tsim_endpoint endpoints[TSIM_MAX_ENDPOINTS];
  int nendpoints;

  tsim_analysis analyses[TSIM_MAX_ANALYSES];
  int nanalyses;

  tsim_grid sweep;          /* the file's "sweep" block (nparams 0 when absent; owned) */
  tsim_sampling sampling;   /* per patient, per cell, or chosen automatically */
  tsim_procedure procedures[TSIM_MAX_PROCEDURES];
  int nprocedures;

  double alpha;             /* default two-sided alpha of the analyses */
  long long trials;         /* default number of simulated trials */
  uint64_t seed;            /* default seed */
} tsim_scenario;

/* Loads and validates `file`. On success *out owns a new scenario and TSIM_OK is returned. On
 * any problem every problem found is appended to `d`, *out is NULL, nothing needs freeing, and
 * TSIM_INPUT (or TSIM_NOMEM) is returned. */
tsim_status tsim_scenario_load(const char *file, tsim_scenario **out, tsim_diag *d);

/* The same for a variant: every override's number is replaced in the parsed file before
 * validation, so the variant is checked exactly as a file would be. A bad override is reported
 * as "FILE: --set PATH: why". */
tsim_status tsim_scenario_load_variant(const char *file, const tsim_override *ov, int nov,
                                       tsim_scenario **out, tsim_diag *d);

/* A scenario file read and parsed once, from which any number of variants are made (sweeps,
 * sample-size searches): every variant comes from the same text even if the file changes on
 * disk meanwhile. Opaque; the parsed tree never leaves the loader. */
typedef struct tsim_scenario_source tsim_scenario_source;
/* Reads and parses `file`; NULL on failure (reported to d). */
tsim_scenario_source *tsim_scenario_source_open(const char *file, tsim_diag *d);
/* A validated variant of the source, as tsim_scenario_load_variant. */
tsim_status tsim_scenario_from_source(const tsim_scenario_source *src, const tsim_override *ov,
                                      int nov, tsim_scenario **out, tsim_diag *d);
/* NULL is a no-op. */
void tsim_scenario_source_close(tsim_scenario_source *src);

/* Frees a scenario; NULL is a no-op. */
void tsim_scenario_free(tsim_scenario *sc);

/* floor(x) for a computed share such as sample_size x allocation / total: allocations like
 * 0.1 : 0.3 make 9 x 0.1 / 0.3 = 2.9999999999999996 in binary, which must count as 3. The
 * loader, the fixed randomisation and the sample-size search all round with this. */
static inline long long tsim_floor_share(double x) {
  double tol = 1e-9 * (x > 1 ? x : 1);
  long long f = (long long)x;
  if ((double)f > x) f--;                   /* floor for negatives, without libm */
  return (double)(f + 1) <= x + tol ? f + 1 : f;
}

/* The number of experimental-vs-control comparisons each analysis makes (narms - 1). */
static inline int tsim_scenario_ncomparisons(const tsim_scenario *sc) { return sc->narms - 1; }

#endif
