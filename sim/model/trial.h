/* trial.h - the types of one simulated trial: the plan every thread shares and one thread's
 * workspace (the patients and the cell table of the trial it holds), and the hypotheses. The
 * model they follow is in cohort.h; the samplers that fill them are cohort.c (per patient),
 * cellsample.c (per cell) and latent.c (the patient-level model), on the stages of stages.c. */
#ifndef TSIM_TRIAL_H
#define TSIM_TRIAL_H

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

#include "input/scenario.h"
#include "kernels/kernels.h"

typedef enum { TSIM_HYP_ALT = 0, TSIM_HYP_NULL = 1 } tsim_hypothesis;
extern const char *const tsim_hypothesis_names[]; /* "alternative", "null" */

/* A patient's category byte (tsim_cohort.cat, kept for `trialsim cohort`): bit 2 dropout,
 * bit 1 deviation, bit 0 response, bit 3 the response under the null twin. */
#define TSIM_CAT_RESP 1u
#define TSIM_CAT_DEV 2u
#define TSIM_CAT_DROP 4u
#define TSIM_PT_RESP_NULL 8u

struct tsim_cohort;

/* What every thread shares: the scenario and what is derived from it once. Read-only. */
typedef struct tsim_cohort_plan {
  const tsim_scenario *sc;
  double p[2][TSIM_MAX_ENDPOINTS][TSIM_MAX_ARMS];     /* base response by hypothesis */
  double inv_odds[2][TSIM_MAX_ENDPOINTS][TSIM_MAX_ARMS]; /* (1 - p) / p = exp(-logit p) (unused at 0 and 1) */
  uint64_t drop_thr[TSIM_MAX_ARMS]; /* dropout happens when (uniform bits >> 11) < this */
  uint64_t dev_thr[TSIM_MAX_ARMS];  /* likewise for a protocol deviation */
  long long arm_count[TSIM_MAX_ARMS]; /* FIXED: exact arm sizes (remainders to first arms) */
  double arm_cum[TSIM_MAX_ARMS];      /* SIMPLE: cumulative allocation probabilities */
  double arm_prob[TSIM_MAX_ARMS];     /* allocation fractions */
  unsigned block_count[TSIM_MAX_ARMS];/* BLOCK: patients of each arm in one block */
  int *block;                         /* BLOCK: one unshuffled block of arm indices (owned) */
  int cell_mode;                      /* 1: counts per cell (cellsample.c); 0: per patient */
  double arm_cond[TSIM_MAX_ARMS];     /* cell mode: P(arm a | not arms 0..a-1), simple */
  uint64_t arm_cond_thr[TSIM_MAX_ARMS]; /* their Bernoulli thresholds, ceil(p 2^53) */
  gsl_ran_discrete_t *site_table;     /* RANDOM enrollment: Walker alias table (owned) */
  struct tsim_cell_tables *cells;     /* cell mode: inversion tables of per-cell draws (owned) */
  struct tsim_latent_plan *lat;       /* the latent model (latent.h) when sc->latent (owned) */
  double ep_sign[TSIM_MAX_ENDPOINTS]; /* -1 where end point e's higher values are better, else +1 */
  struct tsim_peff_flat *peff_flat;   /* tables of the kernels' p_eff_flat in the cell table's
                                         order (stages.c), or NULL (owned) */
  uint8_t null_moved[TSIM_MAX_ENDPOINTS][TSIM_MAX_ARMS]; /* 1: the arm's null-twin probability is not
                                         the control's (a margin; scenario.h), so its row is not
                                         the control's copy (stages.c) */
  int any_null_moved;
} tsim_cohort_plan;

/* Elements allocated past the last patient in the per-patient arrays site, arm, pat.dev,
 * pat.sub and pat.gone: room for whole eight-patient stores past the end. */
#define TSIM_ROW_SLACK 16

/* The patients of a latent-model trial, per patient j and measure m (see latent.h). */
typedef struct tsim_patients {
  double *val[2];          /* [n * nmeas] values by hypothesis (binary: 0 or 1) */
  double *base;            /* [n * nbase] baselines (the same under both hypotheses) */
  uint8_t *gone[2];        /* [n] first visit missed (nvisits: none), by hypothesis */
  uint8_t *dev;            /* [n] 1 = major protocol deviation */
  uint8_t *sub;            /* [n] subgroup membership, bit g for subgroup g */
  /* Intercurrent events (sc->nevents > 0; NULL otherwise): patient j had event k before visit
   * ev[h][j nevents + k] (nvisits: not by the last visit), by hypothesis; val holds the values
   * the patient has with its events (what is observed), hyp (sc->hyp_mask != 0; else NULL)
   * the values it would have had without the events of hyp_mask. */
  uint8_t *ev[2];
  double *hyp[2];          /* [n * nmeas] */
} tsim_patients;

/* One thread's workspace: the current trial's patients and everything sampling needs. The
 * patients are shared by both hypotheses; only their responses differ. */
typedef struct tsim_cohort {
  const tsim_cohort_plan *plan;
  long long n;             /* patients (sample_size) */
  size_t ncells;           /* nendpoints * nsites * narms */
  uint16_t *site;          /* [n] site of each patient, in enrollment order */
  uint8_t *arm;            /* [n] arm index */
  /* cat, p_eff, thr and the cell table belong to the binary samplers (NULL in the latent
   * model). The cell table counts the patients of each (site, arm) cell - index
   * tsim_cohort_cell(), arm-major so that an arm's sites are contiguous - and, per end point
   * and hypothesis, the responders among them. A dropout is never assessed; an assessed
   * patient is per protocol or has a major deviation. Every analysis population is a sum of
   * these counts (analysis.c). The control arm's responders are the same under both hypotheses:
   * the null twin gives every arm the control's probabilities and keeps the uniforms, so the
   * control's own cells do not change (the analyses rely on it; tested). */
  uint8_t *cat;            /* [n * nendpoints] category bits (with TSIM_PT_RESP_NULL) */
  double *site_effect;     /* [nsites, rounded up to 8; the rest 0] this trial's logit-scale site
                              effect */
  double *site_f;          /* [likewise] exp(-+ site effect) of the end point being computed */
  int site_big;            /* some |site effect| >= 700, beyond tsim_exp8 (fastexp.h) */
  unsigned char *anomalous;/* [nanomalies * nsites] 1 = rule k applies to site s this trial */
  int anomalous_fixed;     /* 1: every rule lists its sites, so `anomalous` is the same in every
                              trial and has been filled */
  uint64_t *draws;         /* [max(2, narms) nsites, rounded up to 8] a stage's counter-based
                              draws (rng.h) */
  double *p_eff[2];        /* [ncells; allocated as thr] response probability this trial, by
                              hypothesis */
  uint64_t *thr[2];        /* [ncells; allocated rounded up to a multiple of 8, + 8] the same as
                              a threshold on 53 uniform bits */
  uint32_t *cell_n;        /* [nsites * narms] patients randomised */
  uint32_t *cell_drop;     /* [nsites * narms] of them dropouts */
  uint32_t *cell_dev;      /* [nsites * narms] assessed patients with a major protocol deviation */
  uint32_t *resp_pp[2];    /* [ncells; allocated rounded up as thr] responders among the per-protocol patients (assessed,
                              no deviation) of end point e: index e nsites narms + cell */
  uint32_t *resp_dev[2];   /* [ncells] responders among the deviating assessed patients */
  uint32_t *cat8[2];       /* per-patient sampler: [ncells * 8] patients of each category (the
                              cat bits without bit 3) of each cell, by hypothesis */
  int *scratch;            /* [max(n, nsites)] shuffles, grouping patients by site, the sites the
                              ziggurat's fast path leaves, random anomalies' sites */
  long long *site_start;   /* [nsites + 1] offsets of each site in the grouped order */
  int site_counted;        /* this trial's patients per site are already in site_start[s + 1]
                              (counted while enrolling; stages.c) */
  uint8_t *arm_grp;        /* [n + 8] permuted blocks of at most 8: the arms in the grouped order
                              (stages.c; whole 8-byte stores may spill 8 past n) */
  uint64_t *block_tab;     /* [block_size!] permuted blocks of at most 6: every block a shuffle
                              can give, by its draws (stages.c; filled at the first trial) */
  int block_tab_ready;
  unsigned *site_n;        /* [nsites] cell mode: patients per site */
  struct tsim_cell_ws *cell_ws; /* cell mode: the cell sampler's workspace (cellsample.c; owned) */
  gsl_rng *rng;            /* this thread's generator, reseeded per stream */
  gsl_rng *rng2;           /* a second one, so two streams can be read in one pass */
  /* The latent model (sc->latent; see latent.h): every patient's own values, which the
   * analyses of patients read, and the sampler's own part (latent.c). */
  tsim_patients pat;
  /* Calendar time (accrual.h), when the scenario has accrual; NULL otherwise. */
  double *t_rand;          /* [n] randomisation month of each patient, non-decreasing */
  struct tsim_site_open { double open; int site; } *acc_sites; /* [nsites] accrual by site: the
                              sites and their opening months, in order of opening */
  double *acc_cum;         /* [nsites + 1] their cumulative rates in that order */
  struct tsim_site_open *acc_shut; /* [nsites] accrual by site with stops: the sites that stop,
                              by month (open: the month; site: its place in order of opening) */
  unsigned char *acc_closed; /* [nsites] by place in order of opening: 1 once it has stopped */
  double *close_at;        /* [nsites] site monitoring that stops enrolling (scenario.h,
                              monitoring.stop): the month after which the site randomises no
                              one (INFINITY: it never stops), set before sampling; NULL when the
                              scenario has no such rule (accrual.c, stages.c) */
  struct tsim_latent_ws *latent; /* owned */
  tsim_peff_rows peff_rows; /* the kernels' p_eff_rows job on this workspace (stages.c) */
  int peff_rows_ready;      /* peff_rows has been built */
  long long trial;         /* trial index of the cohort currently held */
  uint64_t seed;           /* ... and its seed */
  int keep_patients;       /* 1: fill `cat` (for tsim_cohort_write_csv); runs leave it 0 */
} tsim_cohort;

/* The index of cell (site s, arm a) in the cell table (arm-major). */
static inline size_t tsim_cohort_cell(const tsim_scenario *sc, int s, int a) {
  return (size_t)a * (size_t)sc->nsites + (size_t)s;
}

#endif
