/* accrual.h - calendar time: when each patient of a trial is randomised (scenario.h,
 * tsim_accrual), and when its visits fall due.
 *
 * Time is in months from the start of the trial (the first site opening, or the start of
 * accrual); a month is 365.25 / 12 days, so a visit at week w falls w x TSIM_MONTHS_PER_WEEK
 * months after the patient's randomisation. The patients of a cohort are in the order they
 * were randomised: t_rand is non-decreasing in the patient index, so the patients whose visit
 * has fallen due by a date are a prefix of the cohort (what interim looks rely on). */
#ifndef TSIM_ACCRUAL_H
#define TSIM_ACCRUAL_H

#include <stdint.h>

#include "model/trial.h"

#define TSIM_MONTHS_PER_WEEK (7.0 / 30.4375)

/* Fills c->t_rand[0 .. n) and, for accrual by site, c->site[0 .. n), from the accrual stream
 * of (seed, trial) (no other stream is touched). Only when the scenario has accrual. */
void tsim__accrual_sample(tsim_cohort *c, uint64_t seed, long long trial);

/* The number of patients j (a prefix) with t_rand[j] + lag <= t: randomised by t - lag. */
long long tsim_accrual_count_by(const double *t_rand, long long n, double t, double lag);

#endif
