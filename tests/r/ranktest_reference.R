#!/usr/bin/env Rscript
# ranktest_reference.R - reference values for tsim_wilcoxon (sim/stats/ranktest.c), computed with R's
# wilcox.test on the raw samples.
#
# Usage: Rscript tests/r/ranktest_reference.R > tests/r/ranktest_reference.csv
#
# One CSV line per pair of samples, after a header:
#   name,n0,n1,x0,x1,w,p_correct,p_plain
# x0 (control) and x1 (experimental) list the values separated by ';', each in the shortest of
# %.15g, %.16g, %.17g that reads back as the same double, so that the C test gets R's exact
# inputs. w is wilcox.test(x1, x0, exact = FALSE)$statistic (the rank sum of x1 minus
# n1 (n1 + 1) / 2), p_correct its p-value with correct = TRUE and p_plain with correct = FALSE,
# 17 significant digits.
# Undefined (an empty arm, where wilcox.test stops with "not enough (non-missing) 'x'
# observations"): NaN in the three result columns, decided here. Every value tied: R itself
# returns W = n0 n1 / 2 and p = NaN (z = 0/0).
# tests/test_ranktest.c embeds this output; tests/r/check_stattest.sh EXE SRC ranktest
# regenerates it and runs the test on it.

set.seed(20250117)
ints <- function(n, lo, hi) sample(lo:hi, n, replace = TRUE)
cases <- list(
  # name = list(x0, x1)
  # ordinary: no ties, a shift of about one SD
  normal_10_12 = list(round(rnorm(10, 50, 10), 3), round(rnorm(12, 60, 10), 3)),
  # integer scores (a 0-10 scale): ties everywhere
  likert_30_30 = list(ints(30, 0, 10), ints(30, 2, 10)),
  # binary values: two groups of ties only
  binary_25_20 = list(c(rep(0, 15), rep(1, 10)), c(rep(0, 6), rep(1, 14))),
  # one patient per arm, different and equal
  one_each = list(2, 1), one_each_rev = list(1, 2), one_each_tied = list(3, 3),
  # one patient against many
  one_vs_50 = list(7.5, round(rnorm(50, 5, 2), 2)), fifty_vs_one = list(round(rnorm(50, 5, 2), 2), 7.5),
  # one arm all equal, the other spread; the other way round; both constant but apart
  control_constant = list(rep(5, 12), c(1, 3, 5, 5, 7, 9, 11, 5, 6, 2)),
  experimental_constant = list(c(4, 4, 6, 8, 2, 5, 5, 9), rep(5, 9)),
  both_constant_apart = list(rep(1, 8), rep(2, 6)),
  # every value tied (NaN)
  all_tied = list(rep(0, 5), rep(0, 7)),
  # zeros: many exact zeros, -0 and +0 (ranked equal), negative values
  zeros = list(c(0, 0, -0, 0, 1.5, -2, 0, 3), c(-0, 0, 0, 2, 2, -1, 4, 0, 0)),
  negative = list(-c(3.25, 1, 7, 7, 2.5, 9, 0.125), -c(1, 2, 2, 0.5, 0.25, 4)),
  # a huge range: the sort must order 1e300, -1e300, subnormals and their neighbours
  huge_range = list(c(1e300, -1e300, 4.9e-324, -4.9e-324, 1, 2.2250738585072014e-308, 0),
                    c(1.7976931348623157e308, -1.7976931348623157e308, 1e-310, 3, 0, -1, 1e300)),
  # ties at several levels, unbalanced
  ties_unbalanced = list(ints(7, 1, 4), ints(40, 1, 5)),
  # no difference at all in distribution: the same values in both arms
  mirror = list(c(1, 2, 3, 4, 5, 6), c(6, 5, 4, 3, 2, 1)),
  # W half a step from its mean (n0 n1 odd): the correction lands exactly on 0, p = 1
  half_step = list(2, c(1, 2.5, 3)),
  # large samples: integer scores 0-100 (radix passes over few digits), moderate shift
  scores_800_700 = list(ints(800, 0, 100), ints(700, 5, 100)),
  # large continuous samples with a small shift (p near 0.5)
  normal_1000 = list(round(rnorm(1000), 6), round(rnorm(1000, 0.03), 6)),
  # complete separation, 600 per arm: z about -30, p about 1e-197
  separated_600 = list(round(runif(600, 10, 20), 4), round(runif(600, 0, 9.99), 4)),
  # no difference at all: p exactly 1
  identical_samples = list(c(1, 2, 2, 3, 5), c(1, 2, 2, 3, 5)),
  # empty arms (NaN, decided here)
  empty_control = list(numeric(0), c(1, 2, 3)), empty_experimental = list(c(1, 2, 3), numeric(0))
)

# Shortest of %.15g, %.16g, %.17g that reads back as the same double.
fmt_exact <- function(v) {
  vapply(v, function(x) {
    for (d in 15:17) { s <- sprintf("%.*g", d, x); if (as.numeric(s) == x) return(s) }
    sprintf("%.17g", x)
  }, "")
}
fmt <- function(v) sprintf("%.17g", v)
cat("name,n0,n1,x0,x1,w,p_correct,p_plain\n")
for (name in names(cases)) {
  x0 <- cases[[name]][[1]]; x1 <- cases[[name]][[2]]
  if (length(x0) == 0 || length(x1) == 0) {
    v <- rep(NaN, 3)
  } else {
    a <- wilcox.test(x1, x0, exact = FALSE, correct = TRUE)
    b <- wilcox.test(x1, x0, exact = FALSE, correct = FALSE)
    stopifnot(a$statistic == b$statistic)
    v <- c(unname(a$statistic), a$p.value, b$p.value)
  }
  cat(paste(c(name, length(x0), length(x1), paste(fmt_exact(x0), collapse = ";"),
              paste(fmt_exact(x1), collapse = ";"), fmt(v)), collapse = ","), "\n", sep = "")
}
