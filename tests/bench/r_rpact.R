# r_rpact.R - rpact's getSimulationRates on a fixed two-arm design like tests/bench/simple.json.
#
# What rpact simulates: one stage (a fixed design, kMax = 1), two groups, 100 subjects 1:1,
# 0.60 vs 0.40, the normal-approximation test of two rates (pooled variance: the square root of
# Pearson's chi-square) one-sided at alpha 0.025. rpact has no dropout or second analysis
# population, so this is one analysis on complete data - less work per trial than the engine's
# design; the row is there as the fastest established simulator of this kind.
# One iteration = one trial under one hypothesis.
#
# Usage: Rscript r_rpact.R [SECONDS]   (default 2)
# Prints: RESULT r_rpact trials_per_second X

args <- commandArgs(TRUE)
target <- if (length(args) >= 1) as.numeric(args[1]) else 2
if (!suppressPackageStartupMessages(requireNamespace("rpact", quietly = TRUE))) {
  cat("SKIP r_rpact R package rpact not installed (Debian: r-cran-rpact)\n")
  quit(status = 0)
}
suppressPackageStartupMessages(library(rpact))

design <- getDesignGroupSequential(kMax = 1, alpha = 0.025, sided = 1)
run <- function(n) {
  t <- system.time(sim <- getSimulationRates(design, groups = 2, pi1 = 0.60, pi2 = 0.40,
                                              plannedSubjects = 100,
                                              maxNumberOfIterations = n, seed = 1))
  list(seconds = t[["elapsed"]], power = sim$overallReject[1])
}

# Grow the run until it lasts at least 70% of the target (a small run is dominated by setup).
n <- 10000
repeat {
  r <- run(n)
  if (r$seconds >= 0.7 * target || n >= 1e7) break
  n <- min(1e7, round(n * 1.2 * target / max(r$seconds, 0.01) / 1000) * 1000)
}
cat(sprintf("INFO r_rpact iterations %d seconds %.3f power %.4f\n", as.integer(n), r$seconds,
            r$power))
cat(sprintf("RESULT r_rpact trials_per_second %.6g\n", n / r$seconds))
