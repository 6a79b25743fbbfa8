# make_data.R - writes the fixed data sets of tests/test_mmrm.c (tests/mmrm/*.csv), once:
#   Rscript tests/mmrm/make_data.R tests/mmrm
# Each file is one patient a row: arm (0 control, 1 experimental), base (the baseline value),
# y1..yV (the visits; NA = missing). Values are rounded to 4 decimals so that R and C read the
# same doubles from the text. The reference values (nlme::gls) are computed from these files by
# tests/r/mmrm_reference.R. Fixed seeds: running this again writes the same files.
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "."

# n0 + n1 patients, visits with SDs sd and correlation rho^|v - w| (AR(1)-like, so every pair
# of visits is correlated: the fit still estimates the unstructured matrix), baseline slope
# gam per visit, treatment effect delta per visit.
simulate <- function(seed, n0, n1, mu, delta, sd, rho, gam = 0.5 * sd, bsd = 1, bmean = 0) {
  set.seed(seed)
  V <- length(mu); n <- n0 + n1
  S <- outer(seq_len(V), seq_len(V), function(a, b) rho^abs(a - b)) * outer(sd, sd)
  arm <- rep(0:1, c(n0, n1))
  base <- bmean + bsd * rnorm(n)
  e <- matrix(rnorm(n * V), n) %*% chol(S)
  y <- matrix(mu, n, V, byrow = TRUE) + outer(arm, delta) + outer(base - bmean, gam) + e
  list(arm = arm, base = base, y = y)
}

# Monotone dropout at random (MAR): after each visit a patient leaves with a probability that
# rises with the value just observed.
monotone <- function(d, p0 = 0.1, slope = 1) {
  for (i in seq_len(nrow(d$y))) for (v in 2:ncol(d$y)) {
    prev <- d$y[i, v - 1]
    if (is.na(prev)) { d$y[i, v] <- NA; next }
    z <- (prev - mean(d$y[, v - 1], na.rm = TRUE)) / sd(d$y[, v - 1], na.rm = TRUE)
    if (runif(1) < plogis(qlogis(p0) + slope * z)) d$y[i, v:ncol(d$y)] <- NA
  }
  d
}

write_set <- function(d, name) {
  V <- ncol(d$y)
  w <- data.frame(arm = d$arm, base = round(d$base, 4), round(d$y, 4))
  names(w)[-(1:2)] <- paste0("y", seq_len(V))
  write.csv(w, file.path(out, paste0(name, ".csv")), row.names = FALSE, na = "NA", quote = FALSE)
}

# Complete data, 4 visits, 30 per arm.
d <- simulate(101, 30, 30, mu = c(10, 11, 12, 13), delta = c(0, 0.5, 1, 1.5), sd = c(2, 2.2, 2.5, 3), rho = 0.6)
write_set(d, "complete4")

# Monotone dropout (MAR), 4 visits, unequal arms 45 / 35.
d <- simulate(202, 45, 35, mu = c(20, 19, 18, 17), delta = c(-0.5, -1, -1.5, -2), sd = c(3, 3.5, 4, 4.5), rho = 0.7)
set.seed(203); d <- monotone(d, p0 = 0.12, slope = 0.8)
write_set(d, "monotone4")

# Intermittent missingness: each value missing with probability 0.15 independently, any
# pattern; two patients have no value at all (they contribute nothing).
d <- simulate(303, 35, 35, mu = c(5, 5.5, 6, 6.5), delta = c(0.2, 0.4, 0.6, 0.8), sd = c(1, 1.1, 1.2, 1.3), rho = 0.5)
set.seed(304); d$y[matrix(runif(length(d$y)) < 0.15, nrow(d$y))] <- NA
d$y[c(7, 50), ] <- NA
write_set(d, "intermittent4")

# One visit (V = 1): 12 and 13 patients, two missing.
d <- simulate(404, 12, 13, mu = 3, delta = 1.2, sd = 1.5, rho = 0, gam = 0.8)
d$y[c(3, 20), 1] <- NA
write_set(d, "single1")

# Two visits, unequal arms 10 / 20, some values missing at either visit.
d <- simulate(505, 10, 20, mu = c(0, 1), delta = c(0.3, 0.9), sd = c(1, 1.4), rho = 0.8)
set.seed(506); d$y[matrix(runif(length(d$y)) < 0.12, nrow(d$y))] <- NA
write_set(d, "two2")

# Very unequal variances across visits (SD 0.5 to 80) with monotone dropout.
d <- simulate(606, 32, 28, mu = c(1, 10, 100, 1000), delta = c(0.1, 2, 10, 60), sd = c(0.5, 3, 15, 80), rho = 0.6)
set.seed(607); d <- monotone(d, p0 = 0.1, slope = 0.5)
write_set(d, "unequalvar4")

# Few patients: 3 visits, 7 and 6 patients, a few values missing.
d <- simulate(707, 7, 6, mu = c(2, 2, 2), delta = c(0, 1, 2), sd = c(1, 1, 1), rho = 0.4)
d$y[c(2, 9), 3] <- NA; d$y[5, 2] <- NA
write_set(d, "small3")

# Large offsets: values near 1e4 with SD near 1, baseline near 500 (the sums must not lose
# the digits that matter).
d <- simulate(808, 25, 25, mu = c(10000, 10001, 10002), delta = c(0.5, 1, 1.5), sd = c(1, 1, 1.2), rho = 0.5,
              gam = c(0.3, 0.3, 0.3), bsd = 2, bmean = 500)
set.seed(809); d <- monotone(d, p0 = 0.1, slope = 0.5)
write_set(d, "offset3")
