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

#include "core/status.h"
#include "input/grid.h"
#include "stats/catalogue.h"
#include "stats/gsbound.h"

#define TSIM_ID_MAX 64              /* longest id, including the NUL */
#define TSIM_MAX_ARMS 32            /* arms per trial */
#define TSIM_MAX_ENDPOINTS 16       /* end points per patient */
#define TSIM_MAX_ANALYSES 64        /* analyses per plan */
#define TSIM_MAX_SITES 10000        /* sites per trial */
#define TSIM_MAX_ANOMALIES 64       /* anomaly rules */
#define TSIM_MAX_PROCEDURES 16      /* multiplicity procedures */
#define TSIM_MAX_BLOCK 10000        /* permuted-block length */
#define TSIM_MAX_VISITS 16          /* assessment visits of a trial */
#define TSIM_MAX_SUBGROUPS 8        /* patient subgroups (one bit each) */
/* Latent dimensions per patient (end point x visit measures plus baselines) in the patient-
 * level model; the Cholesky product costs d^2/2 per patient. */
#define TSIM_MAX_LATENT 64
/* Patients per trial. Each thread keeps a few bytes per patient and per end point; 10 million
 * patients is ~200 MB per thread, the most we let a scenario ask for without a clear error. */
#define TSIM_MAX_SAMPLE 10000000LL
#define TSIM_MAX_CELLS (1 << 21)     /* sites x arms x end points: ~128 MiB of counts per thread
                                        sampled per cell, ~224 MiB per patient */
#define TSIM_MAX_TRIALS 1000000000000LL /* 10^12: counts stay exact in 64 bits */
#define TSIM_MAX_SEED 9007199254740991LL /* 2^53 - 1: a seed survives a JSON round trip */

typedef enum { TSIM_RAND_FIXED, TSIM_RAND_SIMPLE, TSIM_RAND_BLOCK } tsim_rand_method;
typedef enum { TSIM_ENROLL_RANDOM, TSIM_ENROLL_BALANCED } tsim_enrollment;
typedef enum { TSIM_POP_ITT, TSIM_POP_PER_PROTOCOL } tsim_population;
typedef enum { TSIM_MISSING_NON_RESPONDER, TSIM_MISSING_EXCLUDE, TSIM_MISSING_LOCF, TSIM_MISSING_MI } tsim_missing;
/* How multiple imputation fills a continuous end point's missing values (stats/impute.h's
 * tsim_mi_method, in its order): under MAR within the patient's arm, or by reference: jump to
 * reference, copy increments in reference, copy reference. */
typedef enum { TSIM_IMP_MAR, TSIM_IMP_J2R, TSIM_IMP_CIR, TSIM_IMP_CR } tsim_imputation;
typedef enum { TSIM_EP_BINARY, TSIM_EP_CONTINUOUS } tsim_ep_type;
typedef enum { TSIM_MULT_FIXED_SEQUENCE, TSIM_MULT_BONFERRONI, TSIM_MULT_HOLM } tsim_mult_method;
typedef enum { TSIM_SAMPLING_AUTO, TSIM_SAMPLING_PATIENT, TSIM_SAMPLING_CELL } tsim_sampling;
typedef enum { TSIM_ANOM_LISTED, TSIM_ANOM_RANDOM_COUNT, TSIM_ANOM_RANDOM_PROB } tsim_anom_mode;
typedef enum { TSIM_ACCRUAL_NONE, TSIM_ACCRUAL_RATE, TSIM_ACCRUAL_SITES } tsim_accrual_mode;
typedef enum { TSIM_LOOK_INFORMATION, TSIM_LOOK_PATIENTS, TSIM_LOOK_MONTHS } tsim_look_kind;
/* An analysis's hypothesis: superiority (H0: no difference), non-inferiority (H0: the
 * experimental arm is worse than control by the margin or more) or equivalence (two one-sided
 * tests, one at each margin). */
typedef enum { TSIM_HYPO_SUPERIORITY, TSIM_HYPO_NONINFERIORITY, TSIM_HYPO_EQUIVALENCE } tsim_hypo;
/* The effect measure a margin is on (experimental vs control); the first three are the binary
 * measures of stats/nitest.h in its order. */
typedef enum {
  TSIM_MEAS_RISK_DIFF, TSIM_MEAS_RISK_RATIO, TSIM_MEAS_ODDS_RATIO, TSIM_MEAS_MEAN_DIFF, TSIM_MEAS_MEAN_RATIO,
  TSIM_NMEASURES
} tsim_measure;
#define TSIM_MAX_NULLS 8 /* distinct null twins (passes) of a scenario */
#define TSIM_MAX_EVENTS 8 /* intercurrent events of a scenario */
/* What a patient's values are after an intercurrent event (tsim_event.after): the arm's own
 * (kept), the control arm's from the next visit on (control), or moving linearly from the
 * arm's own to the control's over wane_weeks (wane). */
typedef enum { TSIM_OFF_KEPT, TSIM_OFF_CONTROL, TSIM_OFF_WANE } tsim_off_treatment;
/* How an analysis handles an intercurrent event (ICH E9(R1) strategies): the values observed
 * after it (treatment policy), the event as a failure (composite: a non-responder), the value
 * the patient would have had without it (hypothetical: the analysis sets post-event values
 * aside as missing), or the last value before it (while on treatment). */
typedef enum {
  TSIM_STRAT_TREATMENT_POLICY, TSIM_STRAT_COMPOSITE, TSIM_STRAT_HYPOTHETICAL, TSIM_STRAT_WHILE_ON_TREATMENT,
  TSIM_NSTRATEGIES
} tsim_strategy;

/* Names as they appear in scenario files and output, indexed by the enums above. */
extern const char *const tsim_rand_names[];
extern const char *const tsim_enroll_names[];
extern const char *const tsim_population_names[];
extern const char *const tsim_missing_names[];
extern const char *const tsim_sampling_names[];
extern const char *const tsim_mult_names[];
extern const char *const tsim_ep_type_names[];
extern const char *const tsim_hypo_names[];
extern const char *const tsim_measure_names[];
extern const char *const tsim_off_treatment_names[];
extern const char *const tsim_strategy_names[];
extern const char *const tsim_imputation_names[];

typedef struct tsim_arm {
  char id[TSIM_ID_MAX];
  double allocation; /* relative allocation weight, > 0 */
  int is_control;    /* 1 for the single control arm */
  double dropout;    /* probability of dropping out before the (last) assessment */
  double deviation;  /* probability of a major protocol deviation (assessed, but not PP) */
  int deviators_as;  /* -1, or the arm whose response probabilities (at the same site, under the
                        same hypothesis) this arm's deviating patients have: e.g. patients of the
                        experimental arm who did not take it respond as control patients
                        ("deviators_respond_as"; the per-patient binary sampler only) */
  double dropout_by[TSIM_MAX_VISITS]; /* cumulative: dropped out before visit v (monotone);
                                         dropout_by[nvisits - 1] == dropout */
} tsim_arm;

typedef struct tsim_anomaly {
  tsim_anom_mode mode;
  int *sites;              /* LISTED: the anomalous sites (owned), nsites of them */
  int nsites;
  int random_count;        /* RANDOM_COUNT: sites drawn without replacement per trial */
  double site_probability; /* RANDOM_PROB: each site anomalous independently, per trial */
  int arm;                 /* arm whose response is forced */
  int endpoint;            /* end point affected, or -1 for every end point */
  double response;         /* the forced response probability (binary end points), or NaN */
  double mean;             /* the forced mean (continuous end points), or NaN */
  int enabled;             /* 0: "enabled": false - the rule still picks its sites (the same
                              draws), but response and mean are NaN: it forces nothing */
} tsim_anomaly;

/* An end point is binary (a response probability per arm and visit), continuous (a mean per
 * arm and visit and an SD per arm), or binary derived from a continuous one by a threshold
 * (source >= 0). It is assessed at the visits listed (indices into the scenario's visits; a
 * scenario without visits has one, index 0). */
typedef struct tsim_endpoint {
  char id[TSIM_ID_MAX];
  tsim_ep_type type;
  double response[TSIM_MAX_ARMS]; /* binary: response probability per arm at the last visit
                                     (derived: implied by the source's normal distribution) */
  int higher_is_better;           /* 1: a response / higher value is good; 0: bad (safety) */
  int nvisits;                    /* visits at which it is assessed (>= 1) */
  int visits[TSIM_MAX_VISITS];    /* their indices into tsim_scenario.visit_week, increasing */
  double resp_v[TSIM_MAX_VISITS][TSIM_MAX_ARMS]; /* binary: probability per (own) visit, arm */
  double mean_v[TSIM_MAX_VISITS][TSIM_MAX_ARMS]; /* continuous: mean per (own) visit, arm */
  double sd[TSIM_MAX_ARMS];       /* continuous: SD per arm (> 0) */
  int source;                     /* derived: index of the continuous end point, else -1 */
  double threshold;               /* derived: a response is source <= threshold ... */
  int at_least;                   /* ... or, when 1, source >= threshold */
  int has_baseline;               /* continuous: a baseline value is generated (ANCOVA) */
  double base_mean, base_sd;      /* its distribution (the same in every arm) */
  double base_corr;               /* its correlation with the value at the last visit */
  double p0;                      /* single-arm designs: the rate the arm is judged against
                                     (the null twin's response probability); NaN otherwise */
  /* The null twins its analyses' margins make (tsim_scenario_null): null j of the end point
   * puts every experimental arm at null_theta[j] on null_measure[j] from the control arm, or at
   * the control arm itself when null_measure[j] is -1 (superiority); nnull 0: no margin, the
   * control's only. Which null each pass uses: tsim_scenario.pass_null. */
  int nnull;
  int null_measure[TSIM_MAX_NULLS];
  double null_theta[TSIM_MAX_NULLS];
} tsim_endpoint;

/* An intercurrent event (ICH E9(R1)): something that happens to a patient after randomisation
 * and changes what its later values mean - treatment discontinued, rescue medication taken.
 * Unlike a dropout, the patient's values keep being observed after it. Patient j of arm a has
 * it before visit v with the cumulative probability by[v][a] (never decreasing), from a
 * uniform of its own (model/latent.h), more often when it does not respond on treatment
 * (dep_endpoint, dep_ratio: as dropout_mnar). From the first visit after it, its values follow
 * `after`, plus shift[e] on end point e (rescue medication's effect). */
typedef struct tsim_event {
  char id[TSIM_ID_MAX];
  double by[TSIM_MAX_VISITS][TSIM_MAX_ARMS];
  int dep_endpoint;             /* binary end point, or -1: independent of the outcomes */
  double dep_ratio;             /* non-responders' hazard / responders' (1 without) */
  tsim_off_treatment after;
  double wane_weeks;            /* WANE: weeks from the event to the control arm's values */
  double shift[TSIM_MAX_ENDPOINTS]; /* after it: added to a continuous end point's values, or to a
                                       binary one's latent normal value (in SDs: a response
                                       probability p becomes Phi(Phi^-1(p) + shift)) */
} tsim_event;

typedef struct tsim_analysis {
  char id[TSIM_ID_MAX];
  int endpoint;               /* index into endpoints */
  tsim_population population;
  tsim_missing missing;       /* ITT only: how dropouts count */
  tsim_test test;
  double alpha;               /* significance level (one-sided when sided == 1) */
  unsigned char *exclude;     /* per site: 1 = excluded before unblinding (owned; NULL = none) */
  int has_where;              /* 1 when the data-driven site rule is on */
  int where_arm;              /* rule: arm whose observed response is examined */
  double where_rate;          /* rule: drop the site if that arm's rate >= this */
  int where_min;              /* rule: ... and it has at least this many analysed patients */
  int visit;                  /* index into the end point's own visits (default: its last) */
  int subgroup;               /* only patients of this subgroup, or -1 for everyone */
  int sided;                  /* 2 (default): two-sided; 1: one-sided, the alternative being
                                 the favourable direction (higher_is_better) */
  uint32_t exclude_flagged;   /* bit r: sites that monitoring rule r has flagged by the look are
                                 removed (tsim_monitoring; 0: none) */
  tsim_hypo hypothesis;       /* SUPERIORITY unless the file gives a "hypothesis" */
  tsim_measure measure;       /* the margin's measure (non-inferiority, equivalence) */
  double margin[2];           /* the boundaries theta0 on the measure: non-inferiority's in
                                 margin[0] (below the no-effect value when higher is better,
                                 above it when lower is better); equivalence's lower and upper */
  double level;               /* the one-sided level of each margin test: alpha when sided is 1,
                                 alpha / 2 otherwise */
  int null_pass[2];           /* the passes whose null twin is at this analysis's null: its only
                                 one (superiority, non-inferiority: both equal), or equivalence's
                                 lower and upper margins */
  unsigned char strategy[TSIM_MAX_EVENTS]; /* how it handles each intercurrent event
                                 (tsim_strategy; treatment policy unless the file says) */
  /* missing MI ("multiple_imputation"): the method, the number of imputations, the reference
   * arm (reference-based methods; the control by default) and delta, added to the experimental
   * arms' imputed values at the analysis's visit (a tipping-point analysis) */
  tsim_imputation imp_method;
  int imp_m;
  int imp_ref;
  double imp_delta;
} tsim_analysis;

/* A patient subgroup: membership drawn per patient with this prevalence, independently of
 * arm, site and outcomes (e.g. lupus nephritis among SLE patients). */
typedef struct tsim_subgroup {
  char id[TSIM_ID_MAX];
  double prevalence;
} tsim_subgroup;

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

/* Calendar time (months; a month is 365.25 / 12 days, so a visit at week w is w 7 / 30.4375
 * months after randomisation). NONE: every patient is randomised at once, at time 0 (the
 * default, and the fixed design). RATE: Poisson arrivals at `rate` patients per month, rising
 * linearly from 0 over the first `ramp` months; sites are drawn as without accrual. SITES:
 * site s opens at open[s] (or, when `open` is NULL, at a time drawn per trial uniformly in
 * [open_lo, open_hi]) and then enrols Poisson arrivals at site_rate nsites w_s patients per
 * month, w_s its enrollment weight (site_rate each when the weights are equal); a patient's
 * site is the site it arrived at. Enrollment stops at sample_size patients. */
typedef struct tsim_accrual {
  tsim_accrual_mode mode;
  double rate, ramp;        /* RATE */
  double site_rate;         /* SITES */
  double *open;             /* SITES: [nsites] opening months (owned), or NULL: drawn */
  double open_lo, open_hi;  /* SITES: the window the opening months are drawn from */
} tsim_accrual;

#define TSIM_MAX_LOOKS TSIM_GS_MAX_LOOKS

/* Interim looks (n 0: a fixed design). An interim look happens when due[k] patients have
 * reached the visit of analysis `info_analysis` (their assessment done, or their dropout
 * known by then), or (MONTHS) at month at[k] of the trial, with however many have; the last
 * look is the final analysis, after every patient's last visit. The information fraction of a
 * look is the share of the sample size assessed at it. Every analysis is a group-sequential
 * test of its own, with boundaries of the `design` family at its own alpha and sidedness
 * (tsim_scenario_look_bounds). */
typedef struct tsim_gs_looks {
  int n;                               /* looks, the final included; 0: none */
  tsim_look_kind kind;                 /* how the file gave them */
  double at[TSIM_MAX_LOOKS];           /* as given: fractions, patients or months (interims) */
  long long due[TSIM_MAX_LOOKS];       /* assessed patients at each look (not MONTHS) */
  tsim_gs_design design;               /* family and parameters (alpha and sided per analysis) */
  int has_futility;                    /* 1: z bounds (futility), 2: conditional power */
  double futility[TSIM_MAX_LOOKS];     /* z bound per interim (-INFINITY: none) */
  double cp_target;                    /* 2: stop when the conditional power is below this */
  double planned_power;                /* 2: ... under the drift at which the fixed design has
                                          this power, Phi^-1(1 - alpha) + Phi^-1(power) */
  int info_analysis;                   /* whose visit counts the assessed patients */
} tsim_gs_looks;

/* Site monitoring during the trial (ICH E6(R3) central monitoring): rules checked on the data
 * due at each check - every `every` randomised patients, or at every interim look - that flag
 * sites; a flagged site stays flagged. A rule reads, at the visit of its end point, each site's
 * patients of `arm` (or of every arm pooled: blinded, arm -1):
 *   RESPONSE   responders among the assessed (binary end points);
 *   DROPOUT    dropouts among the patients whose visit has fallen due;
 *   DEVIATION  major protocol deviations among the assessed;
 * and flags the site when it has at least min_n such patients and
 *   BINOMIAL   the exact binomial test of its x of n against the other sites' pooled rate has
 *              p < level (direction: HIGHER, LOWER, or EITHER as R's binom.test), level = alpha
 *              / (nsites: adjust SITES; nsites nchecks: SITES_CHECKS; 1: NONE);
 *   THRESHOLD  its rate x / n >= rate (tsim_site_rule_where's comparison).
 * Analyses act on flags through tsim_analysis.exclude_flagged. */
#define TSIM_MAX_MONITOR_RULES 16
#define TSIM_MAX_CHECKS 10000
typedef enum { TSIM_MON_RESPONSE = 0, TSIM_MON_DROPOUT, TSIM_MON_DEVIATION } tsim_mon_measure;
typedef enum { TSIM_MON_BINOMIAL = 0, TSIM_MON_THRESHOLD } tsim_mon_test;
typedef enum { TSIM_MON_HIGHER = 0, TSIM_MON_LOWER, TSIM_MON_EITHER } tsim_mon_direction;
typedef enum { TSIM_MON_ADJ_NONE = 0, TSIM_MON_ADJ_SITES, TSIM_MON_ADJ_SITES_CHECKS } tsim_mon_adjust;
extern const char *const tsim_mon_measure_names[], *const tsim_mon_test_names[],
    *const tsim_mon_direction_names[], *const tsim_mon_adjust_names[];

typedef struct tsim_monitor_rule {
  char id[TSIM_ID_MAX];
  int arm;                      /* the arm read, or -1: every arm pooled (blinded) */
  tsim_mon_measure measure;
  int endpoint;                 /* the end point at whose visit patients are read */
  int visit;                    /* index into its visits (default: its last) */
  tsim_mon_test test;
  double alpha;                 /* BINOMIAL: as given */
  tsim_mon_adjust adjust;
  double level;                 /* BINOMIAL: the per-site, per-check level alpha / adjustment */
  tsim_mon_direction direction;
  double rate;                  /* THRESHOLD */
  int min_n;                    /* patients read at the site, at least (>= 1) */
  int stop_enrolling;           /* 1: a site it flags enrols no one randomised after the check
                                   (the last site still enrolling is never closed) */
} tsim_monitor_rule;

typedef struct tsim_monitoring {
  int nrules;                   /* 0: no monitoring */
  tsim_monitor_rule rules[TSIM_MAX_MONITOR_RULES];
  int at_looks;                 /* 1: a check at every interim look held */
  long long every;              /* else: a check when every `every`-th patient is randomised */
  int nchecks;                  /* planned checks: sample_size / every, or the interim looks */
  int stop;                     /* some rule stops enrolling at the sites it flags */
} tsim_monitoring;

typedef struct tsim_scenario {
  char name[TSIM_ID_MAX];   /* [A-Za-z0-9_.-]+ but not "." or "..": the results folder name */
  char *description;        /* free text (owned, may be empty) */
  char *file;               /* the file it was loaded from (owned) */
  /* The values replaced in the file before it was read (--set PATH=VALUE, a sweep's point), in
   * their order: what the results record beside the file. The first TSIM_GRID_MAX_PARAMS. */
  tsim_override set[TSIM_GRID_MAX_PARAMS];
  int nset;

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

  int nvisits;              /* assessment visits (1 when the scenario lists none) */
  double visit_week[TSIM_MAX_VISITS]; /* their times (weeks), increasing; 0 when not listed */
  double visit_corr;        /* AR(1) correlation of one end point's latent values at
                               consecutive visits */
  double corr[TSIM_MAX_ENDPOINTS][TSIM_MAX_ENDPOINTS]; /* latent correlation of end points at
                                                          one visit (identity by default) */
  tsim_subgroup subgroups[TSIM_MAX_SUBGROUPS];
  int nsubgroups;
  int mnar_endpoint;        /* dropout depends on this binary end point, or -1 */
  double mnar_ratio;        /* non-responders' dropout hazard / responders' */
  int single_arm;           /* 1: one arm, judged against each end point's p0 */
  int latent;               /* 1: patients are drawn from the latent multivariate normal model
                               (continuous, correlated, repeated or derived end points,
                               subgroups, outcome-dependent dropout, single arm, accrual) */
  tsim_accrual accrual;     /* calendar time (mode NONE: everyone at once) */
  tsim_gs_looks looks;      /* interim looks (n 0: none) */
  tsim_monitoring monitoring; /* site monitoring (nrules 0: none) */
  tsim_event events[TSIM_MAX_EVENTS]; /* intercurrent events (latent model) */
  int nevents;
  unsigned hyp_mask;        /* bit k: event k is left out of the patients' hypothetical values
                               (tsim_patients.hyp), the events some analysis treats
                               hypothetically; 0: none is kept */

  /* Null twins: the analyses' nulls differ when some analysis has a margin; npasses distinct
   * ones are simulated, each trial once per pass (runner.c), and a comparison's null-twin
   * numbers are those of its own pass. null_pass: the pass this copy of the scenario samples
   * (0 as loaded; the runner makes the others). */
  int npasses;
  int null_pass;
  signed char pass_null[TSIM_MAX_NULLS][TSIM_MAX_ENDPOINTS]; /* pass k's null of end point e: an
                            index into its null list, or -1 the control's (scenario_hypo.c) */

  /* With intercurrent events: the estimands' true values (model/estimand.h), derived from the
   * scenario once, by the first tally that needs them (run/runner.c, under a lock), and kept
   * here: [4 ncomparisons nanalyses] values under the scenario and its null twin, then their
   * standard errors (owned; NULL until then). */
  double *truth_cache;
  long long truth_patients;

  double alpha;             /* default two-sided alpha of the analyses */
  long long trials;         /* default number of simulated trials */
  uint64_t seed;            /* default seed */
} tsim_scenario;

/* The boundaries of analysis a at `looks` looks with information fractions t[] (the last the
 * final analysis), which[k] the scenario's look each is (NULL: 0, 1, ...; MONTHS looks that a
 * trial skips leave gaps): the design's efficacy bounds at the analysis's alpha and sidedness,
 * and the futility bounds of the interims - the z bounds given, or the z below which the
 * conditional power under the planned effect is below cp_target (computed on the efficacy
 * bounds, as non-binding), on J&T's grid with grid_r (0: the default, gsbound.h). TSIM_INPUT (reported to d, which may be NULL) when they cannot be
 * computed. */
tsim_status tsim_scenario_look_bounds(const tsim_scenario *sc, int a, int looks, const double *t,
                                      const int *which, int grid_r, tsim_gs_bounds *out, tsim_diag *d);

/* The null twin's parameter of arm a on end point e at its own visit v, in the pass the
 * scenario samples (null_pass): the control arm's response probability (binary) or mean
 * (continuous) moved to the margin's boundary - rd: p0 + theta; rr: p0 theta; or: the
 * probability with odds p0 / (1 - p0) theta; mean difference: m0 + theta; ratio: m0 theta -
 * or the control's own (superiority), or p0 (single arm). The control arm keeps its own. */
double tsim_scenario_null(const tsim_scenario *sc, int e, int v, int a);
/* The same in pass `pass` (tsim_scenario.npasses) whatever the scenario's null_pass. */
double tsim_scenario_null_at(const tsim_scenario *sc, int pass, int e, int v, int a);

/* Whether margin (margin[0]; equivalence: margin[0], margin[1]) suits a hypothesis of `type` on
 * measure m of an end point better when higher (higher_is_better): NULL, or why not, written to
 * buf[n] and returned. Ratios > 0, a risk difference strictly between -1 and 1, a
 * non-inferiority margin on the worse side of no effect (0, or 1 for ratios), equivalence's
 * lower < no effect < upper. `subject` opens the direction's message ("\"sri4\" is better
 * when higher"). The scenario loader and `trialsim analyze` read margins with it. */
const char *tsim_margin_problem(tsim_hypo type, tsim_measure m, const double margin[2], int higher_is_better,
                                const char *subject, char *buf, size_t n);

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
/* Every scenario file's text is read through a reader: tsim_scenario_read_text (the file's
 * bytes, at most the loader's limit, NUL-terminated, *len of them; the caller frees; NULL when
 * it cannot, reported), unless tsim_scenario_set_reader gives another (NULL: back to it) - in a
 * run across processes (distributed.h) process 0 reads the file and every process gets its
 * text. */
char *tsim_scenario_read_text(const char *file, size_t *len, tsim_diag *d);
void tsim_scenario_set_reader(char *(*read)(const char *file, size_t *len, tsim_diag *d));
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

/* The number of comparisons each analysis makes: one per experimental arm against the control
 * (narms - 1), or one (the arm against p0) in a single-arm design. */
static inline int tsim_scenario_ncomparisons(const tsim_scenario *sc) {
  return sc->single_arm ? 1 : sc->narms - 1;
}

/* Why a trial of sc cannot be drawn as counts per (site, arm) cell ("sampling": "cell"): up to
 * `max` phrases, each to follow "this scenario has", into why[]; returns how many there are (0:
 * it can). With latent_only, only the patient-level model's own reasons (the loader words the
 * other two its own way). It can when patients are exchangeable within site and arm, so that the analyses
 * depend on the trial only through what each cell holds and the patients' order does not
 * matter. The latent model qualifies with one visit and without subgroups, outcome-dependent
 * dropout, intercurrent events, calendar time (accrual, interim looks, site monitoring) and a
 * single arm; either model not with deviators who respond as another arm, nor with permuted
 * blocks across several sites that are not stratified by site (which assign arms in
 * enrollment order). */
static inline int tsim_scenario_cell_blockers(const tsim_scenario *sc, int latent_only, const char **why,
                                              int max) {
  int n = 0, dev_as = 0;
#define TSIM_CELL_BLOCK(cond, text)                                                                \
  do {                                                                                             \
    if (cond) {                                                                                    \
      if (n < max) why[n] = text;                                                                  \
      n++;                                                                                         \
    }                                                                                              \
  } while (0)
  for (int a = 0; a < sc->narms; a++) dev_as |= sc->arms[a].deviators_as >= 0;
  TSIM_CELL_BLOCK(!latent_only && dev_as, "deviators who respond as another arm (deviators_respond_as)");
  TSIM_CELL_BLOCK(!latent_only && sc->rand_method == TSIM_RAND_BLOCK && !sc->stratify_by_site && sc->nsites > 1,
                  "permuted blocks across sites, not stratified by site (they assign arms in enrollment order)");
  if (sc->latent) {
    TSIM_CELL_BLOCK(sc->single_arm, "a single arm");
    TSIM_CELL_BLOCK(sc->nvisits > 1, "several visits");
    TSIM_CELL_BLOCK(sc->nsubgroups > 0, "subgroups");
    TSIM_CELL_BLOCK(sc->mnar_endpoint >= 0, "outcome-dependent dropout (dropout_mnar)");
    TSIM_CELL_BLOCK(sc->nevents > 0, "intercurrent events");
    TSIM_CELL_BLOCK(sc->accrual.mode != TSIM_ACCRUAL_NONE || sc->looks.n > 0 || sc->monitoring.nrules > 0,
                    "calendar time (accrual, interim looks or site monitoring)");
  }
#undef TSIM_CELL_BLOCK
  return n;
}

/* The first of tsim_scenario_cell_blockers' phrases, or NULL when sc can be drawn per cell. */
static inline const char *tsim_scenario_cell_blocker(const tsim_scenario *sc) {
  const char *why = NULL;
  return tsim_scenario_cell_blockers(sc, 0, &why, 1) ? why : NULL;
}

/* The experimental arm of comparison j: the j-th arm other than the control (the arm itself in
 * a single-arm design). */
static inline int tsim_scenario_comparison_arm(const tsim_scenario *sc, int j) {
  return sc->single_arm ? 0 : j < sc->control ? j : j + 1;
}

#endif
