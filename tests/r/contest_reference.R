#!/usr/bin/env Rscript
# contest_reference.R - reference values for tsim_welch_t and tsim_student_t (sim/stats/contest.c),
# computed with R's t.test on raw data.
#
# Usage: Rscript tests/r/contest_reference.R > tests/r/contest_reference.csv
#
# Each case draws raw samples and rescales them to exactly the target mean and SD
# (m + s * scale(z)); R's t.test then runs on the raw data, and the CSV records the summary
# statistics R itself computes from them (mean(), sd(), 17 significant digits), so that the C
# functions get the same inputs. One line per case, after a header:
#   mean0,sd0,n0,mean1,sd1,n1,conf,diff,welch_t,welch_df,welch_p,welch_lo,welch_hi,
#   student_t,student_df,student_p,student_lo,student_hi
# (arm 0 control, arm 1 experimental; diff = mean1 - mean0 = t.test(x1, x0)$estimate
# difference; Welch is t.test(x1, x0, var.equal = FALSE, conf.level = conf), Student the same
# with var.equal = TRUE).
# Undefined tests (an arm with n < 2; both SDs zero, where t.test stops with "data are
# essentially constant") have NaN in every result column, decided here, not by R (R's Student
# test would run with n = 1 in one arm; tsim does not, as an SD from one patient is no SD).
# tests/test_contest.c embeds this output; tests/r/check_stattest.sh regenerates and compares.

set.seed(20240601)
cases <- list(
  # mean0, sd0, n0, mean1, sd1, n1, conf
  # pSS 2022 VAS (JAMA Netw Open): published differences -18.33 (-28.46 to -8.21), -10.33
  # (-19.38 to -1.29), -11.67 (-20.65 to -2.68) with 30 per arm; read as -55/3, -31/3, -35/3
  # (means of 30 integer scores), the intervals imply SDs of 19.59, 17.50 and 17.38
  c(0, 19.59, 30, -55/3, 19.59, 30, 0.95), c(0, 17.50, 30, -31/3, 17.50, 30, 0.95),
  c(0, 17.38, 30, -35/3, 17.38, 30, 0.95), c(0, 20, 30, -18.33, 20, 30, 0.95),
  c(50, 20, 30, 31.67, 20, 30, 0.95),
  # ordinary, three confidence levels
  c(50, 8, 20, 56, 12, 25, 0.95), c(50, 8, 20, 56, 12, 25, 0.90), c(50, 8, 20, 56, 12, 25, 0.99),
  c(10.5, 3.2, 40, 9.1, 2.9, 38, 0.95), c(-2, 1, 15, -1.5, 1.5, 12, 0.80),
  # Welch and Student far apart: small noisy arm vs large precise arm
  c(100, 20, 5, 110, 3, 50, 0.95), c(100, 3, 50, 110, 20, 5, 0.95),
  # tiny arms (Welch df near 1)
  c(1, 1, 2, 3, 1, 2, 0.95), c(1, 2, 2, 3, 0.5, 3, 0.95), c(0, 10, 2, 5, 0.1, 100, 0.95),
  # one arm without spread
  c(5, 0, 10, 7, 2, 10, 0.95), c(5, 3, 10, 5, 0, 12, 0.95),
  # no difference, negative t
  c(20, 4, 25, 20, 5, 25, 0.95), c(30, 6, 25, 26, 6, 30, 0.95),
  # p just below 1 (t near 0: the tail is computed as 1 - P(|T| <= t)) and near 1/2
  c(0, 1, 30, 1e-7, 1, 30, 0.95), c(5, 2, 1000, 5.00001, 2, 1000, 0.95),
  c(0, 1, 40, 0.15, 1, 40, 0.95),
  # far tails
  c(0, 5, 30, 50, 5, 30, 0.95), c(0, 1, 100, 10, 1, 100, 0.95), c(0, 1, 2, 100, 1, 2, 0.95),
  c(0, 1, 1000, 1, 1, 1000, 0.95),
  # df > 30 and t^2 < 10 df, where gsl_cdf_tdist_Q's Cornish-Fisher approximation is off by
  # 1e-8 to 2e-7 relative: t = 20 with df 58, t = 12 with df 31
  c(0, 1, 30, 20 * sqrt(2/30), 1, 30, 0.95), c(0, 1, 17, 12 * sqrt(1/17 + 1/16), 1, 16, 0.95),
  # large samples (df about 2e5 and 2e6)
  c(0, 1, 100000, 0.01, 1.2, 100000, 0.95), c(0, 1, 1000000, 0.003, 1, 1000000, 0.95),
  # undefined: both SDs zero; an arm of one
  c(5, 0, 10, 7, 0, 10, 0.95), c(5, 1, 1, 7, 2, 10, 0.95), c(5, 1, 10, 7, 2, 1, 0.95)
)

# n values with mean m and SD s (a constant vector when s = 0 or n = 1)
sample_with <- function(m, s, n) {
  if (s == 0 || n < 2) return(rep(m, n))
  m + s * as.vector(scale(rnorm(n)))
}
fmt <- function(v) sprintf("%.17g", v)
cat("mean0,sd0,n0,mean1,sd1,n1,conf,diff,welch_t,welch_df,welch_p,welch_lo,welch_hi,",
    "student_t,student_df,student_p,student_lo,student_hi\n", sep = "")
for (cs in cases) {
  x0 <- sample_with(cs[1], cs[2], cs[3]); x1 <- sample_with(cs[4], cs[5], cs[6]); conf <- cs[7]
  s0 <- if (length(x0) > 1) sd(x0) else cs[2]
  s1 <- if (length(x1) > 1) sd(x1) else cs[5]
  if (length(x0) < 2 || length(x1) < 2 || (s0 == 0 && s1 == 0)) {
    v <- rep(NaN, 11)
  } else {
    w <- t.test(x1, x0, var.equal = FALSE, conf.level = conf)
    s <- t.test(x1, x0, var.equal = TRUE, conf.level = conf)
    v <- c(unname(w$estimate[1] - w$estimate[2]),
           unname(w$statistic), unname(w$parameter), w$p.value, w$conf.int,
           unname(s$statistic), unname(s$parameter), s$p.value, s$conf.int)
  }
  cat(paste(c(fmt(mean(x0)), fmt(s0), sprintf("%d", as.integer(cs[3])), fmt(mean(x1)), fmt(s1),
              sprintf("%d", as.integer(cs[6])), fmt(conf), fmt(v)), collapse = ","), "\n", sep = "")
}
