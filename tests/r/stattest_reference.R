#!/usr/bin/env Rscript
# stattest_reference.R - reference values for sim/stats/stattest.c, computed with R.
#
# Usage: Rscript tests/r/stattest_reference.R > tests/r/stattest_reference.csv
#
# Table convention (as in sim/stats/stattest.h): control x0 responders of n0, experimental x1 of n1.
# One CSV line per table, after a header:
#   x0,n0,x1,n1,pearson_stat,pearson_p,n1_stat,n1_p,fisher_p,yates_stat,yates_p
# with 17 significant digits. Pearson is chisq.test(correct = FALSE); the 'N-1' chi-square is
# X2 (N-1)/N referred to chi-square(1); Fisher is fisher.test()$p.value (two-sided); Yates is
# chisq.test(correct = TRUE). R forms Yates' statistic as sum((|O - E| - min(0.5, |O - E|))^2
# / E) in floating point, so where the correction cancels the deviation (|d| <= N/2, d the
# cross-product difference) it prints rounding noise of order 1e-30 for an exact 0.
# A table with an empty row or column (n0 == 0, n1 == 0, no responders, or all responders)
# has no test: every column is NaN. (R itself would give NaN from chisq.test but p = 1 from
# fisher.test there, so such tables are decided here, not by R.)
# tests/test_stattest.c embeds this output; tests/r/check_stattest.sh regenerates and compares.

tables <- list(
  # x0, n0, x1, n1
  # ordinary
  c(10, 20, 15, 20), c(5, 25, 12, 25), c(30, 60, 40, 60), c(12, 40, 18, 35),
  c(7, 15, 9, 16), c(20, 50, 20, 50), c(3, 8, 6, 9), c(45, 90, 30, 85),
  # published
  c(29, 50, 34, 50),   # LUPIL-2 ITT: Pearson p 0.300
  c(15, 29, 20, 24),   # LUPIL-2 per protocol: Pearson p 0.0156
  c(9, 30, 16, 29),    # He 2019 week 12: N-1 chi-square p ~ 0.052
  c(11, 30, 19, 29),   # He 2019 week 24: Pearson p 0.027
  c(2, 12, 7, 13),     # lupus nephritis
  c(8, 30, 20, 30),    # pSS ESSDAI: Fisher p 0.004
  c(9, 30, 1, 30),     # infections, placebo (control) 9/30 vs 1/30: Pearson p 0.006
  # zeros in a cell, all responders in one arm
  c(0, 10, 5, 10), c(5, 10, 0, 10), c(10, 10, 5, 10), c(3, 10, 10, 10),
  # tiny tables; Fisher tail masses that are simple fractions
  c(1, 1, 0, 19),      # Fisher p = 1/20
  c(0, 19, 1, 1),      # the same, rows swapped
  c(1, 1, 0, 9),       # 1/10
  c(2, 2, 0, 3),       # 1/C(5,2) = 1/10
  c(1, 1, 0, 39),      # 1/40
  c(1, 1, 0, 99),      # 1/100
  c(1, 1, 0, 1), c(1, 2, 1, 2),
  # very unbalanced
  c(1, 200, 10, 12), c(10, 12, 1, 200),
  # large N
  c(400, 1000, 460, 1000), c(4000, 10000, 4100, 10000),
  # far tails
  c(0, 40, 40, 40),    # Fisher 2/C(80,40)
  c(0, 60, 60, 60),    # Fisher 2/C(120,60)
  c(5, 500, 100, 500), c(100, 1000, 500, 1000),
  c(0, 300, 300, 300), # Fisher 2/C(600,300) ~ 1e-179
  # symmetric tables: exact ties in Fisher's ordering
  c(5, 10, 5, 10), c(3, 10, 7, 10), c(4, 8, 4, 8), c(2, 9, 7, 9),
  # Yates: |d| = N/2 exactly (statistic 0), |d| < N/2 (correction capped at |O - E|), just above
  c(5, 10, 6, 10), c(5, 10, 5, 11), c(4, 10, 6, 10), c(0, 1, 1, 2), c(10, 25, 13, 25),
  # degenerate: empty row or column
  c(0, 10, 0, 10), c(10, 10, 10, 10), c(0, 0, 3, 10), c(3, 10, 0, 0), c(0, 0, 0, 0)
)

fmt <- function(v) sprintf("%.17g", v)
cat("x0,n0,x1,n1,pearson_stat,pearson_p,n1_stat,n1_p,fisher_p,yates_stat,yates_p\n")
for (t in tables) {
  x0 <- t[1]; n0 <- t[2]; x1 <- t[3]; n1 <- t[4]
  N <- n0 + n1; m <- x0 + x1
  if (n0 <= 0 || n1 <= 0 || m <= 0 || m >= N) {
    v <- rep(NaN, 7)
  } else {
    tab <- matrix(c(x1, n1 - x1, x0, n0 - x0), 2)
    ct <- suppressWarnings(chisq.test(tab, correct = FALSE))
    x2 <- unname(ct$statistic)
    x2n1 <- x2 * (N - 1) / N
    yt <- suppressWarnings(chisq.test(tab, correct = TRUE))
    v <- c(x2, ct$p.value, x2n1, pchisq(x2n1, 1, lower.tail = FALSE), fisher.test(tab)$p.value,
           unname(yt$statistic), yt$p.value)
  }
  cat(paste(c(sprintf("%d", as.integer(t)), fmt(v)), collapse = ","), "\n", sep = "")
}
