# looks_reference.R - rpact's stopping probabilities for the group-sequential test designs of
# tests/looks/*.json (the reference of tests/looks.sh). Prints CSV on stdout:
#   scenario,hypothesis,look,stop_efficacy,stop_futility,power
# per look under the alternative (the scenario's effect) and the null (effect 0), from rpact's
# getPowerMeans (normal approximation) and getPowerRates (its normal approximation with the
# pooled variance under H0, the z of Pearson's chi-square): the distribution of the z statistics
# that trialsim's t and chi-square tests approach at these sample sizes.
# Run: Rscript tests/r/looks_reference.R > tests/r/looks_reference.csv (rpact 3.3.4 made it).
suppressMessages(library(rpact))

out <- function(name, hyp, p) {
  k <- length(p$rejectPerStage)
  fut <- if (is.null(p$futilityPerStage) || length(p$futilityPerStage) == 0) rep(0, k - 1) else p$futilityPerStage
  for (i in seq_len(k)) {
    f <- if (i < k) fut[i] else 0
    cat(sprintf("%s,%s,%d,%.10f,%.10f,%.10f\n", name, hyp, i, p$rejectPerStage[i], f, p$overallReject))
  }
}

cat("scenario,hypothesis,look,stop_efficacy,stop_futility,power\n")

# means_obf: 6000 patients, looks at 0.3, 0.6, 1, asOF, one-sided 0.025, effect 0.0790569 SD.
d <- getDesignGroupSequential(kMax = 3, alpha = 0.025, sided = 1, informationRates = c(0.3, 0.6, 1),
                              typeOfDesign = "asOF")
for (h in c("alternative", "null")) {
  p <- getPowerMeans(d, groups = 2, alternative = if (h == "null") 0 else 0.0790569, stDev = 1,
                     maxNumberOfSubjects = 6000, normalApproximation = TRUE)
  out("means_obf", h, p)
}

# means_hsd_futility: 4000 patients, interim at 0.5, asHSD gamma -2, non-binding futility z 0.
d <- getDesignGroupSequential(kMax = 2, alpha = 0.025, sided = 1, informationRates = c(0.5, 1),
                              typeOfDesign = "asHSD", gammaA = -2, futilityBounds = 0,
                              bindingFutility = FALSE)
for (h in c("alternative", "null")) {
  p <- getPowerMeans(d, groups = 2, alternative = if (h == "null") 0 else 0.0948683, stDev = 1,
                     maxNumberOfSubjects = 4000, normalApproximation = TRUE)
  out("means_hsd_futility", h, p)
}

# rates_pocock: 800 patients, 0.30 vs 0.40, interim at 0.5, asP, one-sided 0.025.
d <- getDesignGroupSequential(kMax = 2, alpha = 0.025, sided = 1, informationRates = c(0.5, 1),
                              typeOfDesign = "asP")
for (h in c("alternative", "null")) {
  p <- getPowerRates(d, groups = 2, pi1 = if (h == "null") 0.3 else 0.4, pi2 = 0.3,
                     maxNumberOfSubjects = 800)
  out("rates_pocock", h, p)
}

# gs_three_looks (scenarios/gs_three_looks.json): 2742 patients, three equal looks, asOF,
# one-sided 0.025, difference 1.5 mmHg, SD 12.
d <- getDesignGroupSequential(kMax = 3, alpha = 0.025, sided = 1, typeOfDesign = "asOF")
for (h in c("alternative", "null")) {
  p <- getPowerMeans(d, groups = 2, alternative = if (h == "null") 0 else 1.5, stDev = 12,
                     maxNumberOfSubjects = 2742, normalApproximation = TRUE)
  out("gs_three_looks", h, p)
}

# means_cp_futility: 4000 patients, interim at 0.4, asOF, one-sided 0.025, effect 0.08 SD; the
# futility bound is the z at which the conditional power under the planned drift
# theta = qnorm(0.975) + qnorm(0.9) is 0.2, from the closed form with one look left:
#   CP(z) = 1 - pnorm((c2 sqrt(t2) - z sqrt(t1) - theta (t2 - t1)) / sqrt(t2 - t1)),
# solved for z (rpact itself offers no conditional-power futility bound in a design).
d0 <- getDesignGroupSequential(kMax = 2, alpha = 0.025, sided = 1, informationRates = c(0.4, 1),
                               typeOfDesign = "asOF")
theta <- qnorm(0.975) + qnorm(0.9)
t1 <- 0.4
c2 <- d0$criticalValues[2]
zf <- (c2 - theta * (1 - t1) - qnorm(1 - 0.2) * sqrt(1 - t1)) / sqrt(t1)
d <- getDesignGroupSequential(kMax = 2, alpha = 0.025, sided = 1, informationRates = c(0.4, 1),
                              typeOfDesign = "asOF", futilityBounds = zf, bindingFutility = FALSE)
for (h in c("alternative", "null")) {
  p <- getPowerMeans(d, groups = 2, alternative = if (h == "null") 0 else 0.08, stDev = 1,
                     maxNumberOfSubjects = 4000, normalApproximation = TRUE)
  out("means_cp_futility", h, p)
}
