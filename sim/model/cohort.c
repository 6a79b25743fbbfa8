/* cohort.c - one trial's virtual patients (model in cohort.h): the plan and workspace, the
 * per-patient sampler, and the dispatch to the cell sampler (cellsample.c) and the latent
 * model (latent.c); the stages all three share are in stages.c.
 *
 * Draw order inside each stream is fixed and never depends on a probability's value (a
 * uniform is drawn even when the probability is 0 or 1), so that neighbouring points of a
 * parameter sweep consume identical numbers. Sites, enrollment, randomisation and missingness
 * do not depend on the hypothesis, so they are drawn once per trial; each patient's outcome
 * uniform then decides the response under the alternative and under the null twin alike
 * (common random numbers within the trial).
 *
 * A Bernoulli(p) draw "uniform < p" is done on the integers: with k the top 53 bits of the
 * generator's output, k 2^-53 < p exactly when k < ceil(p 2^53), so the threshold is computed
 * once per probability and no draw is converted to floating point.
 */
#include "model/cohort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/numfmt.h"
#include "core/rng.h"
#include "model/accrual.h"
#include "model/cellsample.h"
#include "model/latent.h"
#include "model/stages.h"

/* A Bernoulli draw against a threshold (see the file comment). */
static inline int bernoulli(gsl_rng *r, uint64_t thr) { return (tsim_rng_next(r) >> 11) < thr; }

int tsim_cohort_cell_mode(const tsim_scenario *sc) { return tsim__cell_mode(sc); }

tsim_status tsim_cohort_plan_init(tsim_cohort_plan *plan, const tsim_scenario *sc) {
  memset(plan, 0, sizeof *plan);
  plan->sc = sc;
  for (int e = 0; e < sc->nendpoints; e++)
    for (int a = 0; a < sc->narms; a++) {
      plan->p[TSIM_HYP_ALT][e][a] = sc->endpoints[e].response[a];
      plan->p[TSIM_HYP_NULL][e][a] = tsim_scenario_null(sc, e, sc->endpoints[e].nvisits - 1, a);
      if (plan->p[TSIM_HYP_NULL][e][a] != sc->endpoints[e].response[sc->control] && !sc->single_arm)
        plan->null_moved[e][a] = 1, plan->any_null_moved = 1;
      for (int h = 0; h < 2; h++) {
        double p = plan->p[h][e][a];
        plan->inv_odds[h][e][a] = (p > 0 && p < 1) ? (1.0 - p) / p : 0.0;
      }
    }
  double total = 0;
  for (int a = 0; a < sc->narms; a++) {
    total += sc->arms[a].allocation;
    plan->drop_thr[a] = tsim__threshold(sc->arms[a].dropout);
    plan->dev_thr[a] = tsim__threshold(sc->arms[a].deviation);
  }
  long long assigned = 0;
  double cum = 0;
  for (int a = 0; a < sc->narms; a++) {
    plan->arm_count[a] = tsim_floor_share((double)sc->sample_size * sc->arms[a].allocation / total);
    assigned += plan->arm_count[a];
    cum += sc->arms[a].allocation / total;
    plan->arm_cum[a] = cum;
  }
  plan->arm_cum[sc->narms - 1] = 1.0; /* guard against rounding leaving a gap at the top */
  for (int a = 0; assigned < sc->sample_size; a = (a + 1) % sc->narms, assigned++)
    plan->arm_count[a]++; /* remainders to the first arms, one each */
  for (int a = 0; a < sc->narms; a++) plan->arm_prob[a] = sc->arms[a].allocation / total;
  if (sc->rand_method == TSIM_RAND_BLOCK) {
    plan->block = malloc((size_t)sc->block_size * sizeof *plan->block);
    if (!plan->block) return TSIM_NOMEM;
    int k = 0, reps = (int)((double)sc->block_size / total);
    for (int a = 0; a < sc->narms; a++) {
      plan->block_count[a] = (unsigned)(reps * (int)sc->arms[a].allocation);
      for (unsigned r = 0; r < plan->block_count[a]; r++) plan->block[k++] = a;
    }
  }
  if (sc->latent && !(plan->lat = tsim_latent_plan_new(sc))) {
    tsim_cohort_plan_free(plan);
    return TSIM_NOMEM;
  }
  if (tsim__stages_plan(plan) != 0) {
    tsim_cohort_plan_free(plan);
    return TSIM_NOMEM;
  }
  plan->cell_mode = tsim_cohort_cell_mode(sc);
  if (plan->cell_mode && tsim__cell_plan(plan) != 0) {
    tsim_cohort_plan_free(plan);
    return TSIM_NOMEM;
  }
  if (sc->nsites > 1 && sc->enrollment == TSIM_ENROLL_RANDOM) {
    plan->site_table = gsl_ran_discrete_preproc((size_t)sc->nsites, sc->site_weights);
    if (!plan->site_table) { tsim_cohort_plan_free(plan); return TSIM_NOMEM; }
  }
  return TSIM_OK;
}

void tsim_cohort_plan_free(tsim_cohort_plan *plan) {
  if (!plan) return;
  free(plan->block);
  free(plan->lat);
  plan->lat = NULL;
  free(plan->peff_flat);
  plan->peff_flat = NULL;
  if (plan->site_table) gsl_ran_discrete_free(plan->site_table);
  tsim__cell_plan_free(plan);
  plan->block = NULL;
  plan->site_table = NULL;
}

tsim_cohort *tsim_cohort_new(const tsim_cohort_plan *plan) {
  const tsim_scenario *sc = plan->sc;
  tsim_cohort *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  size_t n = (size_t)sc->sample_size, ns = (size_t)sc->nsites, na = (size_t)sc->narms;
  size_t ne = (size_t)sc->nendpoints, nscratch = n > ns ? n : ns;
  c->plan = plan;
  c->n = sc->sample_size;
  c->ncells = ne * ns * na;
  /* ROW_SLACK more: the latent cell sampler writes rows eight at a time (cellsample.c). */
  c->site = malloc((n + TSIM_ROW_SLACK) * sizeof *c->site);
  c->arm = malloc(n + TSIM_ROW_SLACK);
  /* Whole vectors, 0 past ns, and one more: the kernels' p_eff_flat reads the first sixteen. */
  c->site_effect = calloc((ns + 7) / 8 * 8 + 8, sizeof *c->site_effect);
  c->site_f = calloc((ns + 7) / 8 * 8, sizeof *c->site_f);
  c->draws = malloc(((ns * (na > 2 ? na : 2) + 7) / 8 * 8) * sizeof *c->draws);
  c->anomalous = malloc(((size_t)sc->nanomalies + 1) * ns);
  int ok = 1;
  for (int h = 0; h < 2 && !plan->lat; h++) { /* the cell table; the latent model keeps values */
    /* Room for the kernels' p_eff_rows' last vector to spill past the end. */
    c->p_eff[h] = calloc(tsim__ncells_padded(c->ncells) + 8, sizeof *c->p_eff[h]);
    c->thr[h] = calloc(tsim__ncells_padded(c->ncells) + 8, sizeof *c->thr[h]);
    c->resp_pp[h] = malloc(tsim__ncells_padded(c->ncells) * sizeof *c->resp_pp[h]);
    c->resp_dev[h] = malloc(tsim__ncells_padded(c->ncells) * sizeof *c->resp_dev[h]);
    ok = ok && c->p_eff[h] && c->thr[h] && c->resp_pp[h] && c->resp_dev[h];
  }
  if (!plan->lat) {
    c->cat = malloc(n * ne * sizeof *c->cat);
    for (int h = 0; h < 2 && !plan->cell_mode; h++) {
      c->cat8[h] = malloc(c->ncells * 8 * sizeof *c->cat8[h]);
      ok = ok && c->cat8[h];
    }
    ok = ok && c->cat;
  }
  if (!plan->lat || plan->cell_mode) {
    c->cell_drop = malloc(ns * na * sizeof *c->cell_drop);
    c->cell_dev = malloc(ns * na * sizeof *c->cell_dev);
    ok = ok && c->cell_drop && c->cell_dev;
  }
  c->scratch = malloc(nscratch * sizeof *c->scratch);
  c->site_start = malloc((ns + 1) * sizeof *c->site_start);
  if (sc->rand_method == TSIM_RAND_BLOCK && sc->block_size <= 8) {
    c->arm_grp = malloc(n + 8);
    ok = ok && c->arm_grp;
    if (sc->block_size <= 6) { /* 720 entries at most */
      size_t nf = 1;
      for (int i = 2; i <= sc->block_size; i++) nf *= (size_t)i;
      c->block_tab = malloc(nf * sizeof *c->block_tab);
      ok = ok && c->block_tab;
    }
  }
  c->site_n = malloc(ns * sizeof *c->site_n);
  c->cell_n = malloc(ns * na * sizeof *c->cell_n);
  if (plan->cell_mode) c->cell_ws = tsim__cell_ws_new(plan);
  ok = ok && c->site_n && c->cell_n && (!plan->cell_mode || c->cell_ws);
  if (plan->lat) {
    const struct tsim_latent_plan *lp = plan->lat;
    size_t nm = (size_t)lp->nmeas;
    c->pat.base = malloc((n * (size_t)lp->nbase + 1) * sizeof *c->pat.base);
    c->pat.dev = malloc(n + TSIM_ROW_SLACK);
    c->pat.sub = calloc(n + TSIM_ROW_SLACK, 1); /* the cell sampler leaves it 0 */
    ok = ok && c->pat.base && c->pat.dev && c->pat.sub;
    for (int h = 0; h < 2; h++) {
      c->pat.val[h] = malloc(n * nm * sizeof *c->pat.val[h]);
      c->pat.gone[h] = malloc(n + TSIM_ROW_SLACK);
      ok = ok && c->pat.val[h] && c->pat.gone[h];
      if (sc->nevents > 0) {
        c->pat.ev[h] = malloc(n * (size_t)sc->nevents);
        ok = ok && c->pat.ev[h];
      }
      if (sc->hyp_mask) {
        c->pat.hyp[h] = malloc(n * nm * sizeof *c->pat.hyp[h]);
        ok = ok && c->pat.hyp[h];
      }
    }
    c->latent = tsim__latent_ws_new(plan);
    ok = ok && c->latent;
  }
  if (sc->accrual.mode != TSIM_ACCRUAL_NONE) {
    c->t_rand = malloc(n * sizeof *c->t_rand);
    c->acc_sites = malloc(ns * sizeof *c->acc_sites);
    c->acc_cum = malloc((ns + 1) * sizeof *c->acc_cum);
    ok = ok && c->t_rand && c->acc_sites && c->acc_cum;
  }
  if (sc->monitoring.stop) {
    c->close_at = malloc(ns * sizeof *c->close_at);
    ok = ok && c->close_at;
    for (size_t s = 0; c->close_at && s < ns; s++) c->close_at[s] = INFINITY;
    if (sc->accrual.mode == TSIM_ACCRUAL_SITES) {
      c->acc_shut = malloc(ns * sizeof *c->acc_shut);
      c->acc_closed = malloc(ns);
      ok = ok && c->acc_shut && c->acc_closed;
    }
  }
  c->rng = tsim_rng_alloc();
  c->rng2 = tsim_rng_alloc();
  c->trial = -1;
  if (!ok || !c->site || !c->arm || !c->site_effect || !c->site_f || !c->draws || !c->anomalous ||
      !c->scratch || !c->site_start || !c->rng || !c->rng2) {
    tsim_cohort_free(c);
    return NULL;
  }
  return c;
}

void tsim_cohort_free(tsim_cohort *c) {
  if (!c) return;
  free(c->site);
  free(c->t_rand);
  free(c->close_at);
  free(c->acc_sites);
  free(c->acc_cum);
  free(c->acc_shut);
  free(c->acc_closed);
  free(c->arm);
  free(c->cat);
  free(c->site_effect);
  free(c->site_f);
  free(c->draws);
  free(c->anomalous);
  for (int h = 0; h < 2; h++) {
    free(c->p_eff[h]);
    free(c->thr[h]);
    free(c->resp_pp[h]);
    free(c->resp_dev[h]);
    free(c->cat8[h]);
    free(c->pat.val[h]);
    free(c->pat.gone[h]);
    free(c->pat.ev[h]);
    free(c->pat.hyp[h]);
  }
  tsim__latent_ws_free(c->latent);
  free(c->pat.base);
  free(c->pat.dev);
  free(c->pat.sub);
  free(c->scratch);
  free(c->site_start);
  free(c->arm_grp);
  free(c->block_tab);
  free(c->site_n);
  free(c->cell_n);
  free(c->cell_drop);
  free(c->cell_dev);
  tsim__cell_ws_free(c->cell_ws);
  if (c->rng) gsl_rng_free(c->rng);
  if (c->rng2) gsl_rng_free(c->rng2);
  free(c);
}

/* Missingness and outcomes of every patient, counted into the cell table as they are drawn. The
 * MISSING and OUTCOME streams are read side by side from two generators, in the same order as
 * reading one after the other would. A dropout's deviation is drawn (so that the draws do not
 * depend on the outcome) but never counted: a dropout is not assessed. */
static void sample_patients(tsim_cohort *c, uint64_t seed, long long trial) {
  const tsim_cohort_plan *plan = c->plan;
  const tsim_scenario *sc = plan->sc;
  gsl_rng *rm = c->rng, *ro = c->rng2;
  int ne = sc->nendpoints, ns = sc->nsites;
  size_t per_ep = (size_t)ns * (size_t)sc->narms;
  /* Each patient is counted in its category (dropout, deviation, response bits) of its cell,
   * one increment per hypothesis and end point; the cell table is formed from the categories
   * at the end. */
  uint32_t *k0 = c->cat8[0], *k1 = c->cat8[1];
  memset(k0, 0, c->ncells * 8 * sizeof *k0);
  memset(k1, 0, c->ncells * 8 * sizeof *k1);
  tsim_rng_seed_stream(rm, seed, (uint64_t)trial, TSIM_STREAM_MISSING);
  tsim_rng_seed_stream(ro, seed, (uint64_t)trial, TSIM_STREAM_OUTCOME);
  const uint64_t *thr0 = c->thr[0], *thr1 = c->thr[1];
  uint8_t *cat = c->keep_patients ? c->cat : NULL; /* only `cohort` reads them */
  int any_as = 0; /* some arm's deviators respond as another arm's */
  for (int a = 0; a < sc->narms; a++) any_as |= sc->arms[a].deviators_as >= 0;
  for (long long j = 0; j < c->n; j++) {
    int a = c->arm[j];
    unsigned miss = bernoulli(rm, plan->drop_thr[a]) ? TSIM_CAT_DROP : 0u;
    miss |= bernoulli(rm, plan->dev_thr[a]) ? TSIM_CAT_DEV : 0u;
    size_t cell = (size_t)a * (size_t)ns + c->site[j];
    /* The thresholds: the cell's, or for a deviating patient of an arm whose deviators respond
     * as another arm's, that arm's at the same site. */
    size_t tcell = cell;
    if (__builtin_expect(any_as, 0) && (miss & TSIM_CAT_DEV) && sc->arms[a].deviators_as >= 0)
      tcell = (size_t)sc->arms[a].deviators_as * (size_t)ns + c->site[j];
    for (int e = 0; e < ne; e++, cell += per_ep, tcell += per_ep) {
      uint64_t k = tsim_rng_next(ro) >> 11;
      unsigned r0 = k < thr0[tcell], r1 = k < thr1[tcell];
      if (cat) *cat++ = (uint8_t)(miss | r0 | (r1 ? TSIM_PT_RESP_NULL : 0u));
      k0[cell * 8 + (miss | r0)]++;
      k1[cell * 8 + (miss | r1)]++;
    }
  }
  /* A dropout is never assessed: its categories count only as patients and dropouts. */
  for (size_t ec = 0; ec < c->ncells; ec++) {
    const uint32_t *q0 = k0 + ec * 8, *q1 = k1 + ec * 8;
    if (ec < per_ep) {
      c->cell_dev[ec] = q0[TSIM_CAT_DEV] + q0[TSIM_CAT_DEV | TSIM_CAT_RESP];
      c->cell_drop[ec] = q0[4] + q0[5] + q0[6] + q0[7];
      c->cell_n[ec] = q0[0] + q0[1] + c->cell_dev[ec] + c->cell_drop[ec];
    }
    c->resp_pp[0][ec] = q0[TSIM_CAT_RESP];
    c->resp_dev[0][ec] = q0[TSIM_CAT_DEV | TSIM_CAT_RESP];
    c->resp_pp[1][ec] = q1[TSIM_CAT_RESP];
    c->resp_dev[1][ec] = q1[TSIM_CAT_DEV | TSIM_CAT_RESP];
  }
}

void tsim_cohort_sample(tsim_cohort *c, uint64_t seed, long long trial) {
  tsim__cohort_sites(c, seed, trial);
  c->trial = trial;
  c->seed = seed;
  if (c->plan->lat) {
    if (c->t_rand) tsim__accrual_sample(c, seed, trial);
    tsim__cohort_sample_latent(c, seed, trial);
    return;
  }
  if (c->plan->cell_mode) { /* it computes the probabilities where they overlap other work best */
    tsim__cohort_sample_cells(c, seed, trial);
    return;
  }
  tsim__cohort_p_eff(c);
  tsim_rng_seed_stream(c->rng, seed, (uint64_t)trial, TSIM_STREAM_ENROLL);
  tsim__cohort_enroll(c);
  sample_patients(c, seed, trial);
  c->trial = trial;
}

int tsim_cohort_write_csv(const tsim_cohort *c, tsim_hypothesis h, FILE *f) {
  const tsim_scenario *sc = c->plan->sc;
  if (c->plan->lat) return tsim__latent_write_csv(c, h, f);
  int ne = sc->nendpoints, ns = sc->nsites, na = sc->narms;
  fprintf(f, "trial,hypothesis,patient,site,arm,dropout,deviation");
  for (int e = 0; e < ne; e++) fprintf(f, ",response_%s,p_%s", sc->endpoints[e].id, sc->endpoints[e].id);
  fputc('\n', f);
  for (long long j = 0; j < c->n; j++) {
    unsigned cat0 = c->cat[(size_t)j * (size_t)ne];
    int dropped = !!(cat0 & TSIM_CAT_DROP);
    /* A dropout was never assessed: its deviation and response are not observed (blank). */
    fprintf(f, "%lld,%s,%lld,%d,%s,%d,%s", c->trial, tsim_hypothesis_names[h], j, c->site[j],
            sc->arms[c->arm[j]].id, dropped, dropped ? "" : (cat0 & TSIM_CAT_DEV) ? "1" : "0");
    for (int e = 0; e < ne; e++) {
      int as = sc->arms[c->arm[j]].deviators_as, arm = (cat0 & TSIM_CAT_DEV) && as >= 0 ? as : c->arm[j];
      size_t ec = (size_t)e * (size_t)ns * (size_t)na + tsim_cohort_cell(sc, c->site[j], arm);
      unsigned bit = h == TSIM_HYP_NULL ? TSIM_PT_RESP_NULL : TSIM_CAT_RESP;
      const char *resp = dropped ? "" : (c->cat[(size_t)j * (size_t)ne + (size_t)e] & bit) ? "1" : "0";
      fprintf(f, ",%s,", resp);
      tsim_fput_num(f, c->p_eff[h][ec]);
    }
    fputc('\n', f);
  }
  return ferror(f) ? -1 : 0;
}
