# gsbound_reference.R - reference boundaries and exit probabilities from rpact for
# tests/test_gsbound.c (sim/stats/gsbound.c). Writes CSV to stdout:
#   Rscript tests/r/gsbound_reference.R > tests/r/gsbound_reference.csv
# One row per design and drift. Vectors are space-separated, one entry per look.
#   id        design number
#   type      rpact typeOfDesign: asOF, asP, asHSD, HP, asUser (the spending of an
#             over- or under-running final look, see below), or the classic designs P, OF
#             and WT (Wang-Tsiatis)
#   alpha, sided, gamma (asHSD's gammaA, WT's deltaWT, else 0), binding (1/0)
#   t         information fractions the C side uses (an asUser row: the actual fractions,
#             the last one above or below 1; rpact gets t / t_K, the same correlations)
#   spend     asUser rows: the cumulative alpha given to rpact (asOF at min(t, 1), alpha at
#             the final look); else empty
#   futility  z bounds at the interims (one-sided designs), empty for none
#   critical  rpact's criticalValues
#   theta     drift: E Z at t = 1 (rpact's theta with nMax = 1)
#   reject    rpact's rejectPerStage at theta (two-sided: either side)
#   futstop   rpact's futilityPerStage at theta (interims), empty without futility
#   asn       rpact's averageSampleNumber at theta with nMax = 1: the expected information
#             fraction at stopping (asUser rows: multiply by t_K)
# Requires R and rpact (Debian: r-cran-rpact); tested with rpact 3.3.4.
suppressMessages(library(rpact))
num <- function(x) if (length(x) == 0 || all(is.na(x))) "" else
  paste(sprintf("%.15g", x), collapse = " ")
cat("id,type,alpha,sided,gamma,binding,t,spend,futility,critical,theta,reject,futstop,asn\n")
id <- 0
emit <- function(type, alpha, sided, gamma, binding, t, fut, spend = NULL) {
  K <- length(t)
  args <- list(kMax = K, alpha = alpha, sided = sided, typeOfDesign = type,
               informationRates = t / t[K])
  if (type == "asHSD") args$gammaA <- gamma
  if (type == "WT") args$deltaWT <- gamma
  if (type == "asUser") args$userAlphaSpending <- spend
  if (length(fut)) {
    args$futilityBounds <- fut
    args$bindingFutility <- binding == 1
  }
  d <- do.call(getDesignGroupSequential, args)
  # The drift for about 80% power of the fixed design at this alpha, and H0.
  for (theta in c(0, qnorm(1 - alpha / sided) + qnorm(0.8))) {
    p <- getPowerAndAverageSampleNumber(d, theta = theta, nMax = 1)
    id <<- id + 1
    fs <- if (length(fut)) p$futilityPerStage[, 1] else NULL
    cat(id, type, num(alpha), sided, num(gamma), binding, num(t), num(spend), num(fut),
        num(d$criticalValues), num(theta), num(p$rejectPerStage[, 1]), num(fs),
        num(p$averageSampleNumber[1]), sep = ",")
    cat("\n")
  }
}
fractions <- list(
  list(c(0.5, 1), c(1 / 3, 2 / 3, 1), c(0.25, 0.5, 0.75, 1), c(0.2, 0.4, 0.6, 0.8, 1)),
  list(c(0.4, 1), c(0.25, 0.6, 1), c(0.2, 0.45, 0.7, 1), c(0.15, 0.3, 0.5, 0.8, 1)))
futility <- c(-0.5, 0, 0.5, 1)
families <- list(list("asOF", 0), list("asP", 0), list("asHSD", -4), list("asHSD", -2),
                 list("asHSD", 1), list("HP", 0))
for (fam in families) for (sp in fractions) for (t in sp) {
  K <- length(t)
  for (level in list(c(0.025, 1), c(0.05, 1), c(0.05, 2)))
    emit(fam[[1]], level[1], level[2], fam[[2]], 0, t, NULL)
  for (alpha in c(0.025, 0.05)) for (binding in c(0, 1))
    emit(fam[[1]], alpha, 1, fam[[2]], binding, t, futility[1:(K - 1)])
}
# The classic designs (Wang-Tsiatis family): every spacing and level, and futility at 0.025.
for (fam in list(list("P", 0), list("OF", 0), list("WT", 0.25))) for (sp in fractions)
  for (t in sp) {
    K <- length(t)
    for (level in list(c(0.025, 1), c(0.05, 1), c(0.05, 2)))
      emit(fam[[1]], level[1], level[2], fam[[2]], 0, t, NULL)
    for (binding in c(0, 1))
      emit(fam[[1]], 0.025, 1, fam[[2]], binding, t, futility[1:(K - 1)])
  }
# Observed information: the final look over- or under-runs (t_K = 1.2, 0.9). The spending is
# OF-type at min(t, 1) at the interims and alpha at the final look: rpact's asUser with the
# fractions rescaled to end at 1 (the joint distribution depends only on ratios of t).
of <- function(t, alpha) 2 * (1 - pnorm(qnorm(1 - alpha / 2) / sqrt(pmin(t, 1))))
for (t in list(c(0.3, 0.6, 1.2), c(0.35, 0.7, 0.9), c(0.5, 1.15), c(0.2, 0.5, 0.8, 0.95)))
  for (alpha in c(0.025, 0.05)) {
    K <- length(t)
    emit("asUser", alpha, 1, 0, 0, t, NULL, c(of(t[-K], alpha), alpha))
  }
