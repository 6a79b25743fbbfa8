/* accrual.c - randomisation times of a trial's patients (see accrual.h). */
#include "model/accrual.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "kernels/kernels.h"

/* by_site's words from its stream, in order, 64 at a time with each word's Exp(1) deviate made
 * beforehand by the kernel (exp1: 4 or 8 logs at a time). by_site uses a word either as a gap or
 * to pick a site, in an order decided as it goes, so its site words' deviates are wasted, which
 * costs less than one log at a time. The stream ends where the words taken end: the last
 * block's state, stepped past the words taken from it. */
enum { ACC_WORDS = 64 };
typedef struct acc_words {
  tsim_rng_state *s, at; /* the stream, and its state when the block was drawn */
  uint64_t w[ACC_WORDS];
  double e[ACC_WORDS];
  int pos, len;
  void (*gaps)(const uint64_t *, size_t, double *);
} acc_words;

static int next_word(acc_words *b) {
  if (b->pos == b->len) {
    b->at = *b->s;
    for (int i = 0; i < ACC_WORDS; i++) b->w[i] = tsim_rng_step(b->s) >> 11;
    b->gaps(b->w, ACC_WORDS, b->e);
    b->pos = 0, b->len = ACC_WORDS;
  }
  return b->pos++;
}

static void words_done(acc_words *b) {
  if (b->len == 0) return;
  *b->s = b->at;
  for (int i = 0; i < b->pos; i++) tsim_rng_step(b->s);
}

/* Poisson arrivals at rate r rising linearly from 0 over the first `ramp` months: the
 * cumulative intensity is L(t) = r t^2 / (2 ramp) up to the ramp's end and r ramp / 2 +
 * r (t - ramp) after it; the j-th arrival is L^-1 of the sum of j Exp(1) deviates. */
static void by_rate(tsim_cohort *c, tsim_rng_state *s) {
  const tsim_accrual *ac = &c->plan->sc->accrual;
  double r = ac->rate, ramp = ac->ramp, g = 0, knee = r * ramp / 2;
  /* Every word is a gap: B patients' words, their deviates (the kernel), then their times - a
   * loop the processor overlaps, where acc_words's word at a time costs 12% of gs_three_looks. */
  enum { B = 256 };
  uint64_t w[B];
  double e[B];
  void (*gaps)(const uint64_t *, size_t, double *) = tsim_kernels()->exp1;
  for (long long j0 = 0; j0 < c->n; j0 += B) {
    int cnt = c->n - j0 < B ? (int)(c->n - j0) : B;
    for (int q = 0; q < cnt; q++) w[q] = tsim_rng_step(s) >> 11;
    gaps(w, (size_t)cnt, e);
    for (int q = 0; q < cnt; q++) {
      g += e[q];
      c->t_rand[j0 + q] = g <= knee ? sqrt(2 * ramp * g / r) : ramp + (g - knee) / r;
    }
  }
}

/* Sites opening at their months, each then enrolling Poisson arrivals at its rate: the
 * superposed process has a rate that steps up at each opening, so it is drawn as one process
 * between openings (an exponential gap that would pass the next opening is dropped and drawn
 * again from there, which memorylessness allows), each arrival going to an open site with
 * probability proportional to the site's rate. Sites are taken in order of opening (ties by
 * index), so the open ones are a prefix of that order and a prefix sum of rates picks one.
 * Patients arriving at a site after it stopped enrolling (close_at) are not randomised
 * (thinning): the patients before the first stop are those of the trial without it, and the
 * sites still enrolling keep theirs. After ACC_MISSES_MAX arrivals in a row at stopped sites
 * (the sites left have a tiny share of the rate: 1e-12 took 10^12 draws a patient) the rest
 * are drawn from the sites still enrolling alone (by_site_left): the same law, since the
 * arrivals after a time fixed by the past are a Poisson process of those sites whatever came
 * before, but no longer the other sites' own arrivals. */
enum { ACC_MISSES_MAX = 1024 };
/* Order of opening: by month, ties by site index (a total order, so any sort gives it). */
static int by_opening(const void *x, const void *y) {
  const struct tsim_site_open *a = x, *b = y;
  return a->open < b->open ? -1 : a->open > b->open ? 1 : (a->site > b->site) - (a->site < b->site);
}

/* cum[i + 1] = cum[i] + the rate of the site in place i of the order of opening, from place
 * `from` on; 0 for a site stopped (closed[i], when closed is given). */
static void sum_rates(const tsim_cohort *c, int from, const unsigned char *closed) {
  const tsim_scenario *sc = c->plan->sc;
  const int ns = sc->nsites;
  const double r = sc->accrual.site_rate * ns;
  for (int i = from; i < ns; i++)
    c->acc_cum[i + 1] = c->acc_cum[i] + (closed && closed[i] ? 0 : r * sc->site_weights[c->acc_sites[i].site]);
}

/* Patients j .. n - 1 from month t on, drawn from the sites still enrolling alone (by_site, after
 * its misses): a process whose rate steps up at each opening and down at each stop, drawn as
 * by_site draws openings (a gap past the next step is dropped and drawn again from there). cum
 * becomes the cumulative rates of the sites enrolling, in order of opening. */
__attribute__((noinline)) static void by_site_left(tsim_cohort *c, acc_words *b, double t, long long j) {
  const int ns = c->plan->sc->nsites;
  const struct tsim_site_open *site = c->acc_sites;
  struct tsim_site_open *shut = c->acc_shut; /* the stops still to come, by month */
  unsigned char *closed = c->acc_closed;
  double *cum = c->acc_cum;
  int nshut = 0, z = 0, q = 0;
  for (int i = 0; i < ns; i++) {
    double at = c->close_at[site[i].site];
    closed[i] = at <= t;
    if (at > t && at < INFINITY) shut[nshut++] = (struct tsim_site_open){at, i};
  }
  qsort(shut, (size_t)nshut, sizeof *shut, by_opening);
  sum_rates(c, 0, closed);
  while (j < c->n) {
    while (q < ns && site[q].open <= t) q++;
    if (z < nshut && shut[z].open <= t) { /* stops: their rates leave the sums from their places on */
      int from = ns;
      for (; z < nshut && shut[z].open <= t; z++) {
        closed[shut[z].site] = 1;
        from = shut[z].site < from ? shut[z].site : from;
      }
      sum_rates(c, from, closed);
    }
    double next = q < ns ? site[q].open : INFINITY;
    if (z < nshut && shut[z].open < next) next = shut[z].open;
    if (!(cum[q] > 0) && next == INFINITY) {
      /* No site enrolling and none to come: cannot happen, as the run never stops the last site
       * with a weight (run/sequential.c); should it, the stops are dropped, not the loop spun. */
      memset(closed, 0, (size_t)ns);
      sum_rates(c, 0, NULL);
      nshut = z = 0;
      continue;
    }
    if (!(cum[q] > 0)) { /* none enrolling: on to the next opening (a gap 0 / 0 would be NaN) */
      t = next;
      continue;
    }
    double gap = b->e[next_word(b)] / cum[q];
    if (t + gap > next) { t = next; continue; }
    t += gap;
    /* the first enrolling site i < q with cum[i + 1] > u (a stopped one adds nothing to cum) */
    double u = (double)b->w[next_word(b)] * 0x1.0p-53 * cum[q];
    int lo = 0, hi = q - 1;
    while (lo < hi) {
      int mid = (lo + hi) / 2;
      if (cum[mid + 1] > u) hi = mid;
      else lo = mid + 1;
    }
    while (lo > 0 && closed[lo]) lo--; /* u at the top of cum[q] after rounding: the last enrolling */
    c->site[j] = (uint16_t)site[lo].site;
    c->t_rand[j++] = t;
  }
}

static void by_site(tsim_cohort *c, tsim_rng_state *s) {
  const tsim_scenario *sc = c->plan->sc;
  const tsim_accrual *ac = &sc->accrual;
  int ns = sc->nsites;
  struct tsim_site_open *site = c->acc_sites;
  double *cum = c->acc_cum;
  for (int i = 0; i < ns; i++) {
    double u = (double)(tsim_rng_step(s) >> 11) * 0x1.0p-53;
    site[i].open = ac->open ? ac->open[i] : ac->open_lo + (ac->open_hi - ac->open_lo) * u;
    site[i].site = i;
  }
  qsort(site, (size_t)ns, sizeof *site, by_opening); /* O(ns log ns): up to 10,000 sites a trial */
  cum[0] = 0;
  sum_rates(c, 0, NULL);
  int q = 0, missed = 0;
  double t = site[0].open;
  acc_words b = {.s = s, .gaps = tsim_kernels()->exp1};
  long long j = 0;
  while (j < c->n) {
    while (q < ns && site[q].open <= t) q++;
    double next = q < ns ? site[q].open : INFINITY, gap = b.e[next_word(&b)] / cum[q];
    /* Past the next opening: on from there. Written so that a NaN gap (no rate yet - the first
     * sites to open have weight 0 - and a deviate of 0: 0 / 0) goes there too, not into t. */
    if (!(t + gap <= next)) { t = next; continue; }
    t += gap;
    /* the site: the first i < q - 1 with cum[i + 1] > u cum[q], else q - 1. cum does not
     * decrease, so the sites before it are those with cum[i + 1] <= u: with few sites open they
     * are counted, without the branches of a search, which a random u makes unpredictable. */
    double u = (double)b.w[next_word(&b)] * 0x1.0p-53 * cum[q];
    int lo = 0, hi = q - 1;
    if (q <= 32) {
      for (int i = 0; i < q - 1; i++) lo += cum[i + 1] <= u;
    } else {
      while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cum[mid + 1] > u) hi = mid;
        else lo = mid + 1;
      }
    }
    /* A site that has stopped enrolling (site monitoring) takes no one after its month: the
     * arrival is lost, and the others' keep coming (thinning). */
    if (c->close_at && t > c->close_at[site[lo].site]) {
      if (++missed == ACC_MISSES_MAX) break; /* acc_shut is there with close_at (cohort.c) */
      continue;
    }
    missed = 0;
    c->site[j] = (uint16_t)site[lo].site;
    c->t_rand[j++] = t;
  }
  if (j < c->n) by_site_left(c, &b, t, j);
  words_done(&b);
}

void tsim__accrual_sample(tsim_cohort *c, uint64_t seed, long long trial) {
  tsim_rng_seed_stream(c->rng, seed, (uint64_t)trial, TSIM_STREAM_ACCRUAL);
  tsim_rng_state s = *tsim_rng_state_of(c->rng);
  if (c->plan->sc->accrual.mode == TSIM_ACCRUAL_SITES) by_site(c, &s);
  else by_rate(c, &s);
  *tsim_rng_state_of(c->rng) = s;
}

long long tsim_accrual_count_by(const double *t_rand, long long n, double t, double lag) {
  long long lo = 0, hi = n; /* the first j with t_rand[j] + lag > t */
  while (lo < hi) {
    long long mid = lo + (hi - lo) / 2;
    if (t_rand[mid] + lag <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
