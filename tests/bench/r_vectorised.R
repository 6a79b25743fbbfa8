# r_vectorised.R - the hand-vectorised base-R baseline for tests/bench/simple.json.
#
# One simulated trial = one hypothesis (the alternative: 0.40 vs 0.60), 50 + 50 patients by
# fixed randomisation, 10% dropout, ITT (dropouts as non-responders) and per-protocol (the
# completers; the design has no deviations), both Pearson chi-square without continuity
# correction, two-sided alpha 0.05. Vectorised over trials the way an R user would write it:
# per arm, the number of dropouts and the responders among the completers are binomial counts
# (sufficient statistics, so no per-patient draw), and the chi-square p-values come from one
# pchisq() call on vectors.
#
# Usage: Rscript r_vectorised.R [SECONDS]   (default 2: keeps simulating blocks until then)
# Prints: RESULT r_vectorised trials_per_second X  (and an INFO line with the powers found)

args <- commandArgs(TRUE)
target <- if (length(args) >= 1) as.numeric(args[1]) else 2
set.seed(20221)

n0 <- 50L; n1 <- 50L; p0 <- 0.40; p1 <- 0.60; dropout <- 0.10; alpha <- 0.05
block <- 200000L

pearson_reject <- function(x0, n0, x1, n1) {
  N <- n0 + n1; m <- x0 + x1
  d <- as.double(x0) * (n1 - x1) - as.double(x1) * (n0 - x0)
  x2 <- N * d * d / (as.double(n0) * n1 * m * (N - m))  # NaN for an empty row or column
  p <- pchisq(x2, df = 1, lower.tail = FALSE)
  !is.na(p) & p < alpha                                   # no test = not rejected
}

sim_block <- function(B) {
  c0 <- n0 - rbinom(B, n0, dropout)     # completers per arm
  c1 <- n1 - rbinom(B, n1, dropout)
  x0 <- rbinom(B, c0, p0)               # responders among the completers
  x1 <- rbinom(B, c1, p1)
  c(sum(pearson_reject(x0, n0, x1, n1)),  # ITT, non-responder imputation
    sum(pearson_reject(x0, c0, x1, c1)))  # per-protocol = completers here
}

invisible(sim_block(1000L))  # warm-up
trials <- 0; rejects <- c(0, 0)
t0 <- proc.time()
repeat {
  rejects <- rejects + sim_block(block)
  trials <- trials + block
  el <- (proc.time() - t0)[["elapsed"]]
  if (el >= target) break
}
cat(sprintf("INFO r_vectorised trials %d seconds %.3f power_itt %.4f power_pp %.4f\n",
            as.integer(trials), el, rejects[1] / trials, rejects[2] / trials))
cat(sprintf("RESULT r_vectorised trials_per_second %.6g\n", trials / el))
