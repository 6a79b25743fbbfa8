#!/usr/bin/env Rscript
# cmh_reference.R - reference values for tsim_cmh_p (sim/stats/stattest.c), computed with R.
#
# Usage: Rscript tests/r/cmh_reference.R > tests/r/cmh_reference.csv
#
# One CSV line per set of strata, after a header:
#   k,x0,n0,x1,n1,cmh_stat,cmh_p
# where x0, n0, x1, n1 list the k strata separated by ';' (stratum j: control x0 responders of
# n0, experimental x1 of n1), and the last two columns are mantelhaen.test(correct = FALSE)
# on the 2x2xk array (statistic, p-value), with 17 significant digits.
# R refuses a stratum with fewer than two patients ("sample size in each stratum must be > 1")
# and an array with fewer than two strata; such a stratum contributes nothing to the test
# (its variance term would be 0/0 and its observed count equals its expectation), so it is
# dropped before calling R, and a single remaining stratum is given a neutral partner (two
# control non-responders: empty experimental row, no variance, no deviation) so that R accepts
# the array. No stratum left, or no variance at all: NaN, decided here (R would give NaN too).
# tests/test_stattest.c embeds this output; tests/r/check_stattest.sh regenerates and compares.

sets <- list(
  # name = list(x0, n0, x1, n1)
  # ordinary
  two       = list(c(10, 5), c(20, 25), c(15, 12), c(20, 25)),
  three     = list(c(3, 8, 12), c(10, 20, 30), c(6, 11, 15), c(10, 20, 28)),
  unequal   = list(c(1, 4, 9, 2), c(7, 9, 15, 3), c(5, 6, 12, 3), c(6, 10, 14, 4)),
  # opposite directions: the deviations cancel exactly (statistic 0)
  cancel    = list(c(3, 2), c(5, 5), c(2, 3), c(5, 5)),
  # strata with 0 or 1 patient, one arm empty, no responders, all responders
  tiny      = list(c(0, 1, 0, 4, 2), c(0, 1, 0, 10, 8), c(0, 0, 0, 8, 5), c(0, 0, 1, 10, 9)),
  one_arm   = list(c(0, 3, 4), c(0, 6, 10), c(3, 5, 8), c(5, 9, 10)),
  no_resp   = list(c(0, 2, 6), c(5, 8, 12), c(0, 6, 9), c(5, 9, 12)),
  all_resp  = list(c(4, 3, 7), c(4, 9, 11), c(6, 8, 10), c(6, 9, 10)),
  # one stratum left after dropping those with < 2 patients: CMH = 'N-1' chi-square
  single    = list(c(29, 1, 0), c(50, 1, 0), c(34, 0, 1), c(50, 0, 1)),
  # every stratum without variance: NaN
  degen     = list(c(0, 3, 2, 1), c(0, 3, 4, 1), c(4, 0, 0, 0), c(4, 0, 0, 0)),
  degen2    = list(c(0, 5, 0), c(4, 5, 1), c(0, 6, 1), c(3, 6, 0)),
  # the LUPIL-2-like layout (scenarios/lupil2.json, illustrative counts): 12 sites, sites 1-2
  # larger and with every placebo patient responding; totals 29/50 vs 34/50
  lupil2_sites = list(c(7, 8, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1),
                      c(7, 8, 4, 3, 4, 4, 3, 4, 3, 4, 3, 3),
                      c(5, 4, 3, 3, 2, 2, 3, 3, 2, 3, 2, 2),
                      c(8, 7, 4, 3, 3, 4, 3, 4, 3, 4, 4, 3)),
  # LUPIL-2 reconstructed: the per-protocol set (15/29 vs 20/24) and the other 47 patients
  # (14/21 vs 14/26), totals 29/50 vs 34/50
  lupil2_pp_rest = list(c(15, 14), c(29, 21), c(20, 14), c(24, 26)),
  # large strata, far tails
  far       = list(c(5, 10, 20), c(500, 400, 600), c(100, 90, 150), c(500, 400, 600)),
  very_far  = list(c(0, 0), c(300, 200), c(300, 200), c(300, 200)),
  # many small strata (pairs-like: 40 strata of 4)
  many      = list(rep(c(0, 1, 1, 2), 10), rep(2, 40), rep(c(1, 2, 2, 1), 10), rep(2, 40))
)

fmt <- function(v) sprintf("%.17g", v)
cat("k,x0,n0,x1,n1,cmh_stat,cmh_p\n")
for (s in sets) {
  x0 <- s[[1]]; n0 <- s[[2]]; x1 <- s[[3]]; n1 <- s[[4]]
  keep <- (n0 + n1) >= 2
  k <- sum(keep)
  if (k == 0) {
    v <- c(NaN, NaN)
  } else {
    a0 <- x0[keep]; b0 <- n0[keep]; a1 <- x1[keep]; b1 <- n1[keep]
    if (k == 1) { a0 <- c(a0, 0); b0 <- c(b0, 2); a1 <- c(a1, 0); b1 <- c(b1, 0) }
    # x[arm, response, stratum]; arm 1 experimental, 2 control; response 1 yes, 2 no
    arr <- array(rbind(a1, a0, b1 - a1, b0 - a0), c(2, 2, length(a0)))
    mh <- suppressWarnings(mantelhaen.test(arr, correct = FALSE))
    v <- c(unname(mh$statistic), mh$p.value)
  }
  cat(paste(c(length(x0), paste(x0, collapse = ";"), paste(n0, collapse = ";"),
              paste(x1, collapse = ";"), paste(n1, collapse = ";"), fmt(v)), collapse = ","),
      "\n", sep = "")
}
