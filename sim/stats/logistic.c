/* logistic.c - stratified logistic regression by Newton's method on the profile likelihood
 * of the arm effect, on grouped data (see logistic.h).
 *
 * Cell (k, g): n trials, x responders, linear predictor eta = a_k + b g, p = 1/(1 + e^-eta),
 * weight w = n p (1 - p); 1 - p is computed as the expit of -eta, never as 1 - p. The score of
 * a_k is U_k = m_k - n0 p0 - n1 p1 and that of b is V = sum_k (x1 - n1 p1); the information
 * is an arrow: I(a_k, a_k) = D_k = w0 + w1, I(a_k, b) = w1, I(b, b) = sum w1. Eliminating the
 * a_k (the Schur complement) leaves
 *   S = sum_k (w1 - w1^2 / D_k) = sum_k w0 w1 / (w0 + w1),
 * the information about b, and var(b) = 1/S at the MLE (R's vcov entry).
 *
 * The iteration: for a given b, each a_k solves its own equation U_k = 0 (profile_a: Newton
 * safeguarded by bisection inside a bracket known in advance), and then V(b) is the
 * derivative of the profile log-likelihood of b and -S its second derivative, so
 *   b <- b + V / S
 * is Newton's method on a concave function of one variable - the joint Newton step with the
 * a_k eliminated through the Schur complement, taken from the best a_k for b. It is kept in a
 * bracket [lo, hi] with V(lo) > 0 > V(hi) (bisection when a step leaves it) and moves b by at
 * most LOGIT_MAX_STEP at a time, so it converges for every table with a finite MLE; plain
 * joint Newton can throw an a_k into the flat tail of the logistic curve (|eta| ~ 700) from
 * which no step halving brings it back. It stops when a step moves b by at most
 * LOGIT_STEP_TOL (1 + |b|): convergence being quadratic, the estimate is then as accurate as
 * the rounding of V allows (R's deviance test at counts of 1e7 cannot get below its own
 * rounding noise, ~1e-9 relative). Cost: O(K) per step, a few solves of each a_k.
 */
#include "stats/logistic.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

#define LOGIT_MAX_STEP 8.0     /* at most this change of b per step (an odds ratio of e^8) */
#define LOGIT_STEP_TOL 1e-11   /* a step of b this small (relative) ends the iteration */
#define LOGIT_A_TOL 1e-14      /* the same for the a_k */
#define LOGIT_A_MAXIT 200      /* a_k: Newton and bisection steps (bisection alone: ~60) */

typedef struct stratum {
  double x0, n0, x1, n1; /* counts of an informative stratum */
  double a;              /* its intercept a_k for the current b */
} stratum;

struct tsim_logit_ws {
  int kmax;
  stratum *s;
};

tsim_logit_ws *tsim_logit_ws_new(int kmax) {
  if (kmax < 1) return NULL;
  tsim_logit_ws *ws = malloc(sizeof *ws);
  if (!ws) return NULL;
  ws->kmax = kmax;
  ws->s = malloc((size_t)kmax * sizeof *ws->s);
  if (!ws->s) {
    free(ws);
    return NULL;
  }
  return ws;
}

void tsim_logit_ws_free(tsim_logit_ws *ws) {
  if (!ws) return;
  free(ws->s);
  free(ws);
}

const char *tsim_logit_status_name(tsim_logit_status s) {
  switch (s) {
    case TSIM_LOGIT_OK: return "ok";
    case TSIM_LOGIT_SEPARATED: return "separated";
    case TSIM_LOGIT_NO_INFORMATION: return "no informative stratum";
    case TSIM_LOGIT_NO_CONVERGENCE: return "not converged";
    case TSIM_LOGIT_BAD_ARGS: break;
  }
  return "bad arguments";
}

/* p = expit(eta) and q = 1 - p = expit(-eta), each to full relative accuracy. */
static void expit2(double eta, double *p, double *q) {
  double e = exp(-fabs(eta)), big = 1.0 / (1.0 + e), small = e / (1.0 + e);
  *p = eta >= 0 ? big : small;
  *q = eta >= 0 ? small : big;
}

/* Solves n0 expit(a) + n1 expit(a + b) = m (U_k = 0) for the stratum's a, from its previous
 * value. With c = logit(m / N), N = n0 + n1, the left side lies between N expit(a + min(b, 0))
 * and N expit(a + max(b, 0)), so the root is in [c - max(b, 0), c - min(b, 0)]: Newton steps
 * inside that bracket, bisection when one would leave it. */
static void profile_a(stratum *s, double b) {
  double m = s->x0 + s->x1, n = s->n0 + s->n1, c = log(m / (n - m));
  double lo = c - fmax(b, 0.0), hi = c - fmin(b, 0.0), a = s->a;
  if (!(a > lo && a < hi)) a = c - b * s->n1 / n;
  for (int it = 0; it < LOGIT_A_MAXIT && lo < hi; it++) {
    double p0, q0, p1, q1;
    expit2(a, &p0, &q0);
    expit2(a + b, &p1, &q1);
    double g = (s->n0 * p0 - s->x0) + (s->n1 * p1 - s->x1); /* increasing in a */
    if (g < 0) lo = a;
    else if (g > 0) hi = a;
    else break;
    double next = a - g / (s->n0 * p0 * q0 + s->n1 * p1 * q1);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    int done = fabs(next - a) <= LOGIT_A_TOL * (1.0 + fabs(a));
    a = next;
    if (done) break;
  }
  s->a = a;
}

/* Profiles every a_k for b; returns V(b) and sets *info = S(b). */
static double profile_score(stratum *s, int k, double b, double *info) {
  double v = 0.0, sc = 0.0;
  for (int i = 0; i < k; i++) {
    profile_a(&s[i], b);
    double p0, q0, p1, q1;
    expit2(s[i].a, &p0, &q0);
    expit2(s[i].a + b, &p1, &q1);
    double w0 = s[i].n0 * p0 * q0, w1 = s[i].n1 * p1 * q1;
    v += s[i].x1 - s[i].n1 * p1;
    sc += w0 * w1 / (w0 + w1);
  }
  *info = sc;
  return v;
}

/* Compacts the informative strata into ws; returns their number (0 for none) or -1 on bad
 * arguments. *sep is set when T is at an end of its conditional range (sums of at most
 * INT_MAX counts below 2^31: no overflow). */
static int informative(tsim_logit_ws *ws, const long long *x0, const long long *n0,
                       const long long *x1, const long long *n1, int k, int *sep) {
  long long t = 0, tmin = 0, tmax = 0;
  int used = 0;
  for (int i = 0; i < k; i++) {
    if (x0[i] < 0 || x1[i] < 0 || x0[i] > n0[i] || x1[i] > n1[i] || n0[i] > TSIM_LOGIT_NMAX ||
        n1[i] > TSIM_LOGIT_NMAX)
      return -1;
    long long m = x0[i] + x1[i];
    if (n0[i] == 0 || n1[i] == 0 || m == 0 || m == n0[i] + n1[i]) continue;
    t += x1[i];
    tmin += m > n0[i] ? m - n0[i] : 0;
    tmax += m < n1[i] ? m : n1[i];
    stratum *s = &ws->s[used++];
    s->x0 = (double)x0[i];
    s->n0 = (double)n0[i];
    s->x1 = (double)x1[i];
    s->n1 = (double)n1[i];
  }
  *sep = used > 0 && (t <= tmin || t >= tmax);
  return used;
}

/* Starting values: b the Mantel-Haenszel log odds ratio (finite when T is inside its range:
 * its numerator is 0 only when T = T_min, its denominator only when T = T_max), a_k the value
 * profile_a starts from when it has none. */
static double start(stratum *s, int k) {
  double num = 0.0, den = 0.0;
  for (int i = 0; i < k; i++) {
    double n = s[i].n0 + s[i].n1;
    num += s[i].x1 * (s[i].n0 - s[i].x0) / n;
    den += s[i].x0 * (s[i].n1 - s[i].x1) / n;
  }
  double b = num > 0 && den > 0 ? log(num / den) : 0.0;
  for (int i = 0; i < k; i++) s[i].a = NAN;
  return b;
}

/* Newton's method on the profile log-likelihood of b, kept in a bracket; returns the status,
 * *b and *info = S at the MLE. */
static tsim_logit_status newton(stratum *s, int k, double *b, double *info, int *iterations) {
  double lo = -INFINITY, hi = INFINITY;
  for (int it = 1; it <= TSIM_LOGIT_MAXIT; it++) {
    *iterations = it;
    double v = profile_score(s, k, *b, info);
    if (!isfinite(v) || !(*info > 0)) return TSIM_LOGIT_NO_CONVERGENCE;
    if (v > 0) lo = *b;
    else if (v < 0) hi = *b;
    else return TSIM_LOGIT_OK;
    double step = fmax(-LOGIT_MAX_STEP, fmin(LOGIT_MAX_STEP, v / *info)), next = *b + step;
    /* converged: a step below tolerance, or a bracket narrower than it - where V is rounding
     * noise (counts of 1e7 determine a_k only to an ulp, V to ~w1 ulp(a_k)), Newton alternates
     * around the root and the bisections close the bracket */
    int done = fabs(step) <= LOGIT_STEP_TOL * (1.0 + fabs(*b)) ||
               hi - lo <= LOGIT_STEP_TOL * (1.0 + fabs(*b));
    if (!(next > lo && next < hi)) next = done ? *b : 0.5 * (lo + hi); /* lo, hi both finite */
    *b = next;
    if (done) {
      profile_score(s, k, *b, info); /* S at the final b */
      return isfinite(*b) && *info > 0 ? TSIM_LOGIT_OK : TSIM_LOGIT_NO_CONVERGENCE;
    }
  }
  return TSIM_LOGIT_NO_CONVERGENCE;
}

static double logit_finish(tsim_logit_fit *out, tsim_logit_status st, int used, int iterations,
                           double b, double se, double conf) {
  double z = b / se, p = st == TSIM_LOGIT_OK ? 2.0 * gsl_cdf_ugaussian_Q(fabs(z)) : NAN;
  if (out) {
    double q = st == TSIM_LOGIT_OK ? gsl_cdf_ugaussian_Qinv((1.0 - conf) / 2.0) : NAN;
    int ok = st == TSIM_LOGIT_OK;
    out->status = st;
    out->est = ok ? b : NAN;
    out->se = ok ? se : NAN;
    out->z = ok ? z : NAN;
    out->p = p;
    out->lo = ok ? b - q * se : NAN;
    out->hi = ok ? b + q * se : NAN;
    out->strata = used;
    out->iterations = iterations;
  }
  return p;
}

double tsim_logistic(tsim_logit_ws *ws, const long long *x0, const long long *n0,
                     const long long *x1, const long long *n1, int k, double conf,
                     tsim_logit_fit *out) {
  if (!ws || k < 1 || k > ws->kmax || !(conf > 0.0 && conf < 1.0))
    return logit_finish(out, TSIM_LOGIT_BAD_ARGS, 0, 0, NAN, NAN, conf);
  int sep = 0, used = informative(ws, x0, n0, x1, n1, k, &sep);
  if (used < 0) return logit_finish(out, TSIM_LOGIT_BAD_ARGS, 0, 0, NAN, NAN, conf);
  if (used == 0) return logit_finish(out, TSIM_LOGIT_NO_INFORMATION, 0, 0, NAN, NAN, conf);
  if (sep) return logit_finish(out, TSIM_LOGIT_SEPARATED, used, 0, NAN, NAN, conf);
  double b = start(ws->s, used), info = NAN;
  int iterations = 0;
  tsim_logit_status st = newton(ws->s, used, &b, &info, &iterations);
  return logit_finish(out, st, used, iterations, b, 1.0 / sqrt(info), conf);
}
