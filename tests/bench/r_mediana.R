# r_mediana.R - Mediana (Clinical Scenario Evaluation) on the design of tests/bench/simple.json.
#
# One simulation = one hypothesis (the alternative: 0.40 vs 0.60), 50 + 50 patients, binary
# end point (BinomDist), 10% dropout through Mediana's Design (uniform dropout times over the
# follow-up with prop = 0.1, so each patient drops out with probability 0.1 and has a missing
# outcome). Two tests, as close to the engine's two Pearson analyses as Mediana allows:
#   PP  - Mediana's PropTest with yates = FALSE: prop.test without continuity correction, i.e.
#         the Pearson chi-square on the completers (the design has no deviations, so the
#         per-protocol set is the completers), one-sided as Mediana's tests are;
#   ITT - the same test after non-responder imputation (missing outcome = 0), as a user-defined
#         test function (Mediana calls tests by name), since Mediana has no imputation option.
# Marginal power at one-sided alpha 0.025 (two-sided 0.05 with the direction).
#
# Mediana always runs its simulations on a doParallel/doRNG cluster; proc.load = 1 makes it a
# single worker process, so this is one core. Starting that worker costs about a second per
# CSE() call, so the script times a small and a large run and reports the marginal rate
# (extra simulations / extra seconds) as the result and the plain large-run rate as INFO.
#
# Usage: Rscript r_mediana.R [SECONDS]   (default 8: the approximate length of the large run)
# Prints: RESULT r_mediana trials_per_second X

args <- commandArgs(TRUE)
target <- if (length(args) >= 1) as.numeric(args[1]) else 8
if (!suppressPackageStartupMessages(requireNamespace("Mediana", quietly = TRUE))) {
  cat("SKIP r_mediana R package Mediana not installed (Debian: r-cran-mediana)\n")
  quit(status = 0)
}
suppressPackageStartupMessages(library(Mediana))

ITTNRPropTest <- function(sample.list, parameter) {
  if (!is.na(parameter[[1]]) && parameter[[1]] == "Description")
    return(list("Test for proportions, dropouts as non-responders"))
  o1 <- sample.list[[1]][, "outcome"]
  o2 <- sample.list[[2]][, "outcome"]
  o1[is.na(o1)] <- 0
  o2[is.na(o2)] <- 0
  stats::prop.test(c(sum(o2), sum(o1)), n = c(length(o2), length(o1)),
                   alternative = "greater", correct = FALSE)$p.value
}

data.model <- DataModel() +
  OutcomeDist(outcome.dist = "BinomDist") +
  SampleSize(50) +
  Design(enroll.period = 1, study.duration = 2, enroll.dist = "UniformDist",
         dropout.dist = "UniformDist", dropout.dist.par = parameters(prop = 0.1)) +
  Sample(id = "Control", outcome.par = parameters(parameters(prop = 0.40))) +
  Sample(id = "Treatment", outcome.par = parameters(parameters(prop = 0.60)))
analysis.model <- AnalysisModel() +
  Test(id = "ITT", samples = samples("Control", "Treatment"), method = "ITTNRPropTest") +
  Test(id = "PP", samples = samples("Control", "Treatment"), method = "PropTest",
       par = parameters(yates = FALSE))
evaluation.model <- EvaluationModel() +
  Criterion(id = "Marginal power", method = "MarginalPower", tests = tests("ITT", "PP"),
            labels = c("ITT", "PP"), par = parameters(alpha = 0.025))

run <- function(n) {
  sp <- SimParameters(n.sims = n, proc.load = 1, seed = 42938001)
  t <- system.time(res <- CSE(data.model, analysis.model, evaluation.model, sp))
  list(seconds = t[["elapsed"]], power = res$simulation.results$result)
}

small <- run(100)
rate0 <- 100 / small$seconds                      # pessimistic: includes the worker start
n <- max(500, min(20000, round(target * 1.8 * rate0 / 100) * 100))
large <- run(n)
marginal <- (n - 100) / (large$seconds - small$seconds)
if (!is.finite(marginal) || marginal <= 0) marginal <- n / large$seconds
cat(sprintf("INFO r_mediana sims %d seconds %.3f plain_rate %.4g small_run_seconds %.3f power_itt %.4f power_pp %.4f\n",
            as.integer(n), large$seconds, n / large$seconds, small$seconds,
            large$power[1], large$power[2]))
cat(sprintf("RESULT r_mediana trials_per_second %.6g\n", marginal))
