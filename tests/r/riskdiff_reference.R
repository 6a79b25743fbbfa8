#!/usr/bin/env Rscript
# riskdiff_reference.R - reference values for tsim_rd_wald and tsim_rd_newcombe
# (sim/stats/stattest.c), computed with R.
#
# Usage: Rscript tests/r/riskdiff_reference.R > tests/r/riskdiff_reference.csv
#
# One CSV line per table and confidence level, after a header:
#   x0,n0,x1,n1,conf,est,wald_lo,wald_hi,newcombe_lo,newcombe_hi
# (control x0 of n0, experimental x1 of n1; est = x1/n1 - x0/n0), 17 significant digits.
# Wald: est -/+ qnorm((1 + conf)/2) sqrt(p0 (1-p0)/n0 + p1 (1-p1)/n1), not clipped.
# Newcombe: the hybrid score interval, method 10 of R. G. Newcombe, "Interval estimation for
# the difference between independent proportions: comparison of eleven methods", Statistics
# in Medicine 17 (1998) 873-890, eq. (10): with [l_i, u_i] the Wilson score interval of p_i,
#   lower = est - sqrt((p1 - l1)^2 + (u0 - p0)^2),  upper = est + sqrt((u1 - p1)^2 + (p0 - l0)^2).
# The Wilson intervals are R's own: prop.test(x, n, correct = FALSE)$conf.int.
# n0 or n1 = 0: no difference (prop.test refuses n = 0); NaN, decided here.
# tests/test_stattest.c embeds this output; tests/r/check_stattest.sh regenerates and compares.

tables <- list(
  # x0, n0, x1, n1, conf
  # ordinary
  c(10, 20, 15, 20, 0.95), c(5, 25, 12, 25, 0.95), c(12, 40, 18, 35, 0.95),
  c(45, 90, 30, 85, 0.95), c(3, 8, 6, 9, 0.95),
  # other confidence levels
  c(10, 20, 15, 20, 0.90), c(10, 20, 15, 20, 0.99), c(12, 40, 18, 35, 0.80),
  # Newcombe (1998), Table II examples, written control first: (a) 56/70 - 48/80,
  # (b) 9/10 - 3/10, (c) 6/7 - 2/7, (d) 5/56 - 0/29, (e) 0/10 - 0/20, (f) 0/10 - 0/10,
  # (g) 10/10 - 0/20, (h) 10/10 - 0/10
  c(48, 80, 56, 70, 0.95), c(3, 10, 9, 10, 0.95), c(2, 7, 6, 7, 0.95), c(0, 29, 5, 56, 0.95),
  c(0, 20, 0, 10, 0.95), c(0, 10, 0, 10, 0.95), c(0, 20, 10, 10, 0.95), c(0, 10, 10, 10, 0.95),
  # published tables (scenarios/PROVENANCE.md)
  c(29, 50, 34, 50, 0.95), c(15, 29, 20, 24, 0.95), c(9, 30, 16, 29, 0.95),
  c(11, 30, 19, 29, 0.95), c(2, 12, 7, 13, 0.95), c(8, 30, 20, 30, 0.95), c(9, 30, 1, 30, 0.95),
  # zeros and all responders
  c(0, 10, 5, 10, 0.95), c(5, 10, 0, 10, 0.95), c(10, 10, 5, 10, 0.95), c(10, 10, 10, 10, 0.95),
  c(1, 1, 0, 1, 0.95), c(0, 1, 1, 1, 0.95),
  # very unbalanced, large
  c(1, 200, 10, 12, 0.95), c(400, 1000, 460, 1000, 0.95), c(4000, 10000, 4100, 10000, 0.95),
  # undefined: an empty arm
  c(0, 0, 3, 10, 0.95), c(3, 10, 0, 0, 0.95), c(0, 0, 0, 0, 0.95)
)

wilson <- function(x, n, conf) suppressWarnings(prop.test(x, n, correct = FALSE,
                                                          conf.level = conf)$conf.int)
fmt <- function(v) sprintf("%.17g", v)
cat("x0,n0,x1,n1,conf,est,wald_lo,wald_hi,newcombe_lo,newcombe_hi\n")
for (t in tables) {
  x0 <- t[1]; n0 <- t[2]; x1 <- t[3]; n1 <- t[4]; conf <- t[5]
  if (n0 <= 0 || n1 <= 0) {
    v <- rep(NaN, 5)
  } else {
    p0 <- x0 / n0; p1 <- x1 / n1; est <- p1 - p0
    z <- qnorm((1 + conf) / 2)
    se <- sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1)
    w0 <- wilson(x0, n0, conf); w1 <- wilson(x1, n1, conf)
    v <- c(est, est - z * se, est + z * se,
           est - sqrt((p1 - w1[1])^2 + (w0[2] - p0)^2),
           est + sqrt((w1[2] - p1)^2 + (p0 - w0[1])^2))
  }
  cat(paste(c(sprintf("%d", as.integer(t[1:4])), fmt(conf), fmt(v)), collapse = ","), "\n",
      sep = "")
}
