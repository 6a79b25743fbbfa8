/* exact.h - exact enumeration of two-arm trial outcomes, shared by the tests that check the
 * Monte Carlo engine against it (test_exact.c, test_size.c). Header-only: every function is
 * static. An arm's possible results are listed with their probabilities; the exact rejection
 * probability of a test is the sum over pairs of results that it rejects. */
#ifndef TSIM_TEST_EXACT_H
#define TSIM_TEST_EXACT_H

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input/scenario.h"
#include "stats/stattest.h"

#define MAXD 40000 /* points per arm: (n+1)(n+2)/2 for an arm of n, so n <= 280 */

/* One possible result of one arm: x responders of n analysed, with probability prob. */
typedef struct dpoint { double prob; int x, n; } dpoint;
typedef struct dist { dpoint pt[MAXD]; int k; } dist;

enum { POP_NRI, POP_ANALYSED }; /* ITT with non-responder imputation, or "analysed only" */

/* n randomised; each analysed with probability q (1 - dropout, times 1 - deviation for PP);
 * each analysed responds with p; `offset` sure responders are added (an anomalous site). */
static inline void arm_dist(dist *d, int n, double p, double q, int mode, int offset) {
  d->k = 0;
  if ((n + 1) * (n + 2) / 2 > MAXD) {
    fprintf(stderr, "exact.h: an arm of %d patients is too large to enumerate\n", n);
    exit(2);
  }
  if (mode == POP_NRI) { /* everyone counted; a responder must respond and be assessed */
    for (int x = 0; x <= n; x++)
      d->pt[d->k++] = (dpoint){gsl_ran_binomial_pdf((unsigned)x, p * q, (unsigned)n), x + offset, n + offset};
    return;
  }
  for (int m = 0; m <= n; m++)
    for (int x = 0; x <= m; x++)
      d->pt[d->k++] = (dpoint){gsl_ran_binomial_pdf((unsigned)m, q, (unsigned)n) *
                                   gsl_ran_binomial_pdf((unsigned)x, p, (unsigned)m),
                               x + offset, m + offset};
}

typedef struct exact { double reject, favour, mean_n, p_defined, diff_mean, diff_sd; } exact;

/* The p-value of a one-sided (sided == 1, experimental arm higher) or two-sided test, written
 * from R's definitions: Fisher's one-sided tail; any other 2x2 test is a signed z, so its
 * one-sided p is half the two-sided one in the observed direction. */
static inline double exact_p(tsim_test test, int sided, long long x0, long long n0, long long x1,
                             long long n1) {
  if (sided != 1) return tsim_test_p(test, x0, n0, x1, n1, NULL);
  const tsim_test_info *ti = tsim_test_info_of(test); /* the catalogue's one-sided rule */
  if (ti->one == TSIM_ONE_TAIL) return ti->tail(x0, n0, x1, n1, 1);
  double p2 = tsim_test_p(test, x0, n0, x1, n1, NULL);
  double diff = (double)x1 / (double)n1 - (double)x0 / (double)n0;
  return diff > 0 ? p2 / 2 : 1 - p2 / 2;
}

/* Accumulates the exact outcome of control d0 vs experimental d1, weighted by w. */
static inline void exact_add_sided(exact *e, const dist *d0, const dist *d1, tsim_test test,
                                   int sided, double alpha, double w, double *diff_m2) {
  for (int i = 0; i < d0->k; i++)
    for (int j = 0; j < d1->k; j++) {
      const dpoint *a = &d0->pt[i], *b = &d1->pt[j];
      double pr = w * a->prob * b->prob;
      double p = exact_p(test, sided, a->x, a->n, b->x, b->n);
      int rej = tsim_reject(p, alpha);
      e->mean_n += pr * (a->n + b->n);
      if (a->n > 0 && b->n > 0) {
        double diff = (double)b->x / b->n - (double)a->x / a->n;
        e->p_defined += pr;
        e->diff_mean += pr * diff;
        *diff_m2 += pr * diff * diff;
        e->favour += rej && diff > 0 ? pr : 0;
      }
      e->reject += rej ? pr : 0;
    }
}

static inline void exact_add(exact *e, const dist *d0, const dist *d1, tsim_test test, double alpha,
                             double w, double *diff_m2) {
  exact_add_sided(e, d0, d1, test, 2, alpha, w, diff_m2);
}

static inline void exact_finish(exact *e, double diff_m2) {
  e->diff_mean /= e->p_defined;
  e->diff_sd = sqrt(diff_m2 / e->p_defined - e->diff_mean * e->diff_mean);
}

static inline tsim_scenario *load_text(const char *json) {
  char path[] = "/tmp/tsim_exact_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return NULL;
  size_t len = strlen(json);
  ssize_t w = write(fd, json, len);
  close(fd);
  tsim_diag d;
  tsim_diag_init(&d);
  tsim_scenario *sc = NULL;
  if (w == (ssize_t)len && tsim_scenario_load(path, &sc, &d) != TSIM_OK)
    tsim_diag_print(&d, "scenario: ", stderr);
  tsim_diag_clear(&d);
  unlink(path);
  return sc;
}

/* Standard error of a proportion estimated from n trials (never NaN for p a hair above 1). */
static inline double prop_se(double p, double n) { return sqrt(fmax(p * (1 - p), 0.0) / n) + 1e-12; }

#endif
