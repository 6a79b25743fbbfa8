#!/usr/bin/env Rscript
# binomial_reference.R - reference values for tsim_binomial_exact_p (sim/stats/stattest.c), computed
# with R.
#
# Usage: Rscript tests/r/binomial_reference.R > tests/r/binomial_reference.csv
#
# One CSV line per test, after a header:
#   x,n,p0,binom_p
# binom_p is binom.test(x, n, p0)$p.value (two-sided), 17 significant digits; p0 is printed
# with 17 significant digits so that C reads back the same double.
# tests/test_stattest.c embeds this output; tests/r/check_stattest.sh regenerates and compares.

cases <- list(
  # x, n, p0
  # NCT02084238: 36/40 SRI responders, single arm; no null rate was published
  c(36, 40, 0.5), c(36, 40, 0.6), c(36, 40, 0.7), c(36, 40, 0.75), c(36, 40, 0.8),
  c(36, 40, 0.85), c(36, 40, 0.9), c(36, 40, 0.95),
  # ordinary, both sides of n p0
  c(7, 20, 0.5), c(13, 20, 0.5), c(3, 25, 0.3), c(12, 25, 0.3), c(15, 60, 0.4), c(31, 60, 0.4),
  c(2, 9, 0.37), c(8, 9, 0.37), c(45, 100, 0.52),
  # x = n p0 exactly: p = 1
  c(5, 10, 0.5), c(6, 20, 0.3), c(27, 30, 0.9),
  # symmetric p0 = 0.5: exact ties between the two tails
  c(3, 10, 0.5), c(7, 10, 0.5), c(0, 1, 0.5), c(1, 1, 0.5), c(10, 30, 0.5),
  # ties up to rounding: p0 = 1/3 and 2/3 give equal probabilities in the two tails
  c(1, 9, 1/3), c(5, 9, 1/3), c(2, 12, 1/3), c(6, 12, 1/3), c(4, 9, 2/3), c(8, 9, 2/3),
  # x = 0 and x = n
  c(0, 10, 0.2), c(10, 10, 0.2), c(0, 40, 0.5), c(40, 40, 0.5), c(0, 1, 0.9), c(1, 1, 0.1),
  c(0, 30, 0.05), c(30, 30, 0.95),
  # p0 near 0 or 1
  c(0, 50, 1e-6), c(1, 50, 1e-6), c(2, 50, 1e-6), c(50, 50, 1 - 1e-6), c(49, 50, 1 - 1e-6),
  c(0, 1000, 1e-4), c(1, 1000, 1e-4), c(3, 1000, 1e-4), c(1, 20, 0.001), c(19, 20, 0.999),
  # p0 = 0 or 1: 1 if x is the only possible outcome, else 0
  c(0, 10, 0), c(1, 10, 0), c(10, 10, 1), c(9, 10, 1),
  # large n, far tails
  c(4800, 10000, 0.5), c(5200, 10000, 0.5), c(0, 500, 0.5), c(100, 1000, 0.5),
  c(900, 1000, 0.5), c(1, 300, 0.6)
)

fmt <- function(v) sprintf("%.17g", v)
cat("x,n,p0,binom_p\n")
for (cs in cases) {
  x <- cs[1]; n <- cs[2]; p0 <- cs[3]
  cat(sprintf("%d,%d,%s,%s\n", as.integer(x), as.integer(n), fmt(p0),
              fmt(binom.test(x, n, p0)$p.value)))
}
