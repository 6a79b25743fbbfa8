#!/usr/bin/env Rscript
# contest_margin_reference.R - reference values for the t-tests against a margin in
# sim/stats/contest.c: tsim_t_margin_p (difference of means), tsim_t_ratio_p (ratio of means,
# with Fieller's interval) and tsim_t_shifted_p on an ANCOVA fit. Base R only.
#
# Usage: Rscript tests/r/contest_margin_reference.R > tests/r/contest_margin_reference.csv
#
# One CSV line per test, after a header:
#   kind,welch,greater,mean0,sd0,n0,mean1,sd1,n1,theta0,conf,t,df,p,est,se,lo,hi
# arm 0 control, arm 1 experimental; welch 1 (Welch) or 0 (Student); greater 1 tests
# H0 theta <= theta0 against theta > theta0, greater 0 H0 theta >= theta0 against theta < theta0.
#   diff:   theta = mu1 - mu0. R's t.test(x1, x0, mu = theta0, alternative = "greater"/"less",
#           var.equal = !welch): t, df, p, se = $stderr; est = mean(x1) - mean(x0) and
#           [lo, hi] the two-sided conf interval of t.test(x1, x0, var.equal = !welch,
#           conf.level = conf).
#   ratio:  theta = mu1 / mu0. The ratio t-test computed here from its formulas on the raw data
#           (below; the formulas of Hauschke, Kieser & Hothorn 1999 and, for Welch, Tamhane &
#           Logan 2004, as R package mratios' ttestratio computes them): t, df, p, se = the t's
#           denominator, est = mean(x1) / mean(x0), [lo, hi] Fieller's two-sided conf interval
#           (-Inf, Inf when unbounded).
#   ancova: theta = the arm coefficient of lm(y ~ g + baseline). est, se and df from that fit
#           (mean0..sd1 are NaN; n0, n1 the arm sizes), t and p from the fit of
#           lm(I(y - theta0 * g) ~ g + baseline), p = pt(t, df, lower.tail = !greater); the
#           script stops unless t = (est - theta0) / se to 1e-12 relative.
# Each case draws raw samples rescaled to exactly the target mean and SD (m + s * scale(z)); the
# CSV holds mean() and sd() of the data (17 significant digits), the inputs of the C functions.
# Undefined tests have NaN in t..hi, decided here: an arm with n < 2, both SDs zero (R's "data
# are essentially constant"), and for the ratio a control mean <= 0.
#
# Checks that stop the script when they fail:
#   - published: the printed output of mratios' t.test.ratio(a1, a2) (Welch, rho = 1, two-sided)
#     on set.seed(12345); a1 <- rnorm(5, 1, 1); a2 <- rnorm(5, 2, 1), shown at
#     mikuhatsune.hatenadiary.com/entry/20121212/1355320912 (2012): t = -0.4263, df = 6.363,
#     p = 0.684, 95% interval 0.4056763 to 2.6170008, x/y = 0.8643849 - to the digits printed.
#     It fixes the df of Welch's Fieller interval: Satterthwaite's at the estimate (6.938 here;
#     at rho = 1, 6.363, the interval would be 0.3994 to 2.7117).
#   - the ratio test at theta0 = 1 is t.test's at mu = 0 (p to 1e-12).
#   - when package mratios is installed, ttestratio on every ratio case (t, df, p, bounds to
#     1e-10 relative). It is not on Debian; mratios 1.4.4's ttestratio, run from its CRAN
#     source, gave the values of this file to 1e-12 relative.
# The data sets ASAT (Hauschke et al. 1999's toxicology example: ASAT of female Wistar rats, 19
# controls, 15 treated, H0 mu1/mu0 >= 1.25) and rat.weight (body weights, equivalence 0.8 to
# 1.25) are the ones shipped with mratios, its help pages' examples.
# tests/test_contest_margin.c reads this output; tests/r/check_stattest.sh EXE SRC
# contest_margin regenerates it and runs the test on it.

set.seed(20250601)
fmt <- function(v) sprintf("%.17g", v)
sample_with <- function(m, s, n) {
  if (s == 0 || n < 2) return(rep(m, n))
  m + s * as.vector(scale(rnorm(n)))
}
rows <- character(0)
emit <- function(kind, welch, greater, x0, x1, n0, n1, theta0, conf, v) {
  m0 <- if (is.null(x0)) NaN else mean(x0); m1 <- if (is.null(x1)) NaN else mean(x1)
  s0 <- if (is.null(x0)) NaN else if (length(x0) > 1) sd(x0) else 0
  s1 <- if (is.null(x1)) NaN else if (length(x1) > 1) sd(x1) else 0
  rows <<- c(rows, paste(c(kind, welch, greater, fmt(m0), fmt(s0), n0, fmt(m1), fmt(s1), n1,
                           fmt(theta0), fmt(conf), fmt(v)), collapse = ","))
}
alt <- function(greater) if (greater) "greater" else "less"
undefined <- function(x0, x1) length(x0) < 2 || length(x1) < 2 || (sd(x0) == 0 && sd(x1) == 0)

# --- the difference: R's t.test --------------------------------------------------------------
diff_rows <- function(x0, x1, theta0, conf) {
  for (welch in 0:1) for (greater in 1:0) {
    if (undefined(x0, x1)) {
      v <- rep(NaN, 7)
    } else {
      tt <- t.test(x1, x0, mu = theta0, alternative = alt(greater), var.equal = !welch)
      ci <- t.test(x1, x0, var.equal = !welch, conf.level = conf)$conf.int
      v <- c(unname(tt$statistic), unname(tt$parameter), tt$p.value, mean(x1) - mean(x0),
             tt$stderr, ci)
    }
    emit("diff", welch, greater, x0, x1, length(x0), length(x1), theta0, conf, v)
  }
}

# --- the ratio: formulas -----------------------------------------------------------------------
# x1 / x0 against rho; conf the two-sided level of Fieller's interval. The interval solves
# (m1 - r m0)^2 = q^2 (v1 + r^2 v0) for r as mratios writes it (tA r^2 + tB r + tC = 0).
ratio_test <- function(x0, x1, rho, greater, welch, conf) {
  m0 <- mean(x0); m1 <- mean(x1); n0 <- length(x0); n1 <- length(x1); a0 <- var(x0); a1 <- var(x1)
  if (welch) {
    sdf <- function(r) (a1 / n1 + r^2 * a0 / n0)^2 /
      ((a1 / n1)^2 / (n1 - 1) + r^4 * (a0 / n0)^2 / (n0 - 1))
    se <- sqrt(a1 / n1 + rho^2 * a0 / n0); df <- sdf(rho); dfci <- sdf(m1 / m0)
    v0 <- a0 / n0; v1 <- a1 / n1
  } else {
    df <- dfci <- n0 + n1 - 2
    s2 <- ((n0 - 1) * a0 + (n1 - 1) * a1) / df
    se <- sqrt(s2 * (1 / n1 + rho^2 / n0)); v0 <- s2 / n0; v1 <- s2 / n1
  }
  t <- (m1 - rho * m0) / se
  p <- pt(t, df, lower.tail = !greater)
  q <- qt((1 + conf) / 2, dfci)
  tA <- v0 * q^2 - m0^2; tB <- 2 * m1 * m0; tC <- v1 * q^2 - m1^2
  if (tA >= 0) {
    ci <- c(-Inf, Inf)
  } else {
    ci <- sort(c(tB / (-2 * tA) - sqrt((tB / 2)^2 - tA * tC) / tA,
                 tB / (-2 * tA) + sqrt((tB / 2)^2 - tA * tC) / tA))
  }
  c(t, df, p, m1 / m0, se, ci)
}
# mratios' ttestratio, when installed (or already defined, e.g. sourced from its source file
# before this script): the same t, df, p and interval to 1e-10 relative. It refuses an arm whose
# SD is below 10 DBL_EPSILON |mean| (tsim and this script take one arm without spread): skipped.
ttr <- if (exists("ttestratio", mode = "function")) ttestratio else
  if (requireNamespace("mratios", quietly = TRUE)) mratios::ttestratio else NULL
n_mratios <- 0
check_mratios <- function(x0, x1, theta0, greater, welch, conf, v) {
  if (is.null(ttr) || sd(x0) == 0 || sd(x1) == 0) return()
  a <- suppressWarnings(ttr(x1, x0, alternative = alt(greater), rho = theta0, var.equal = !welch))
  b <- suppressWarnings(ttr(x1, x0, rho = theta0, var.equal = !welch, conf.level = conf))
  ci <- b$conf.int; ci[is.na(ci)] <- c(-Inf, Inf)[is.na(ci)]
  m <- c(unname(a$statistic), unname(a$parameter), a$p.value, unname(a$estimate[3]), ci)
  w <- v[c(1, 2, 3, 4, 6, 7)]
  close <- m == w | abs(m - w) <= 1e-10 * abs(w)
  if (!all(close)) stop("mratios::ttestratio differs: ", paste(m, collapse = " "), " vs ",
                        paste(w, collapse = " "))
  n_mratios <<- n_mratios + 1
}
ratio_rows <- function(x0, x1, theta0, conf) {
  for (welch in 0:1) for (greater in 1:0) {
    v <- if (undefined(x0, x1) || mean(x0) <= 0) rep(NaN, 7) else
      ratio_test(x0, x1, theta0, greater, welch, conf)
    if (!is.nan(v[1])) check_mratios(x0, x1, theta0, greater, welch, conf, v)
    emit("ratio", welch, greater, x0, x1, length(x0), length(x1), theta0, conf, v)
  }
}

# --- ANCOVA: lm, and lm with the offset theta0 g ---------------------------------------------
ancova_rows <- function(n0, n1, effect, theta0s) {
  b <- rnorm(n0 + n1, 50, 10); g <- rep(0:1, c(n0, n1))
  y <- 5 + effect * g + 0.6 * b + rnorm(n0 + n1, 0, 8)
  fit <- lm(y ~ g + b)
  est <- coef(summary(fit))["g", "Estimate"]; se <- coef(summary(fit))["g", "Std. Error"]
  df <- fit$df.residual
  for (theta0 in theta0s) for (greater in 1:0) {
    shifted <- lm(I(y - theta0 * g) ~ g + b)
    t <- coef(summary(shifted))["g", "t value"]
    if (abs(t - (est - theta0) / se) > 1e-12 * max(1, abs(t)))
      stop("ANCOVA: the shifted fit's t is not (est - theta0) / se")
    v <- c(t, df, pt(t, df, lower.tail = !greater), est, se, NaN, NaN)
    emit("ancova", 0, greater, NULL, NULL, n0, n1, theta0, NaN, v)
  }
}

# --- cases ---------------------------------------------------------------------------------------
diff_cases <- list(
  # mean0, sd0, n0, mean1, sd1, n1, theta0, conf
  # non-inferiority, higher is better (theta0 = -margin) and lower is better (theta0 = +margin)
  c(50, 8, 20, 48, 12, 25, -5, 0.90), c(50, 8, 20, 53, 12, 25, 5, 0.90),
  c(10.5, 3.2, 40, 9.1, 2.9, 38, -2, 0.95), c(-2, 1, 15, -1.5, 1.5, 12, 0.25, 0.80),
  # Welch and Student far apart
  c(100, 20, 5, 104, 3, 50, -10, 0.90), c(100, 3, 50, 96, 20, 5, -10, 0.90),
  # theta0 = 0 (the superiority test made one-sided), and a difference exactly at theta0 (t = 0)
  c(20, 4, 25, 22, 5, 25, 0, 0.95), c(20, 4, 25, 21.5, 5, 25, 1.5, 0.95),
  # tiny arms, one arm without spread
  c(1, 1, 2, 3, 1, 2, 1, 0.95), c(5, 0, 10, 7, 2, 10, 0.5, 0.95), c(5, 3, 10, 5, 0, 12, -1, 0.95),
  # far tails both ways: t near +-30
  c(0, 1, 100, 2, 1, 100, -2, 0.95), c(0, 1, 100, -2, 1, 100, 2, 0.95),
  # large samples
  c(0, 1, 100000, 0.01, 1.2, 100000, -0.005, 0.95),
  # undefined: both SDs zero; an arm of one
  c(5, 0, 10, 7, 0, 10, 1, 0.95), c(5, 1, 1, 7, 2, 10, 1, 0.95)
)
ratio_cases <- list(
  # mean0, sd0, n0, mean1, sd1, n1, theta0, conf
  c(10, 2, 20, 9.5, 2.5, 25, 0.8, 0.90), c(10, 2, 20, 9.5, 2.5, 25, 1.25, 0.95),
  c(10, 2, 20, 10.5, 2.5, 25, 1, 0.95),
  # Welch and Student far apart
  c(100, 20, 5, 90, 3, 50, 0.8, 0.90), c(100, 3, 50, 90, 20, 5, 0.8, 0.90),
  # control mean not significantly above 0: Fieller's set unbounded (the test is still defined)
  c(1, 5, 5, 2, 1, 10, 0.8, 0.95), c(2, 3, 4, 1, 1, 4, 0.5, 0.99),
  # negative and zero experimental means (the interval's other branch)
  c(5, 2, 10, -1, 2, 10, 0.5, 0.95), c(5, 1, 10, 0, 1, 10, 0.5, 0.95),
  # one arm without spread, tiny arms
  c(5, 0, 10, 6, 2, 10, 0.8, 0.95), c(5, 2, 10, 6, 0, 12, 1.25, 0.95), c(3, 1, 2, 4, 1, 2, 0.8, 0.95),
  # far tail, large samples, a large margin
  c(10, 1, 100, 20, 1, 100, 0.8, 0.95), c(50, 10, 100000, 49, 10, 100000, 0.95, 0.95),
  c(1, 0.1, 30, 30, 3, 30, 20, 0.95),
  # undefined: control mean 0 or negative; both SDs zero; an arm of one
  c(0, 1, 10, 1, 1, 10, 0.8, 0.95), c(-1, 1, 10, 1, 1, 10, 0.8, 0.95),
  c(5, 0, 10, 7, 0, 10, 0.8, 0.95), c(5, 1, 1, 7, 2, 10, 0.8, 0.95)
)
for (cs in diff_cases)
  diff_rows(sample_with(cs[1], cs[2], cs[3]), sample_with(cs[4], cs[5], cs[6]), cs[7], cs[8])
for (cs in ratio_cases) {
  x0 <- sample_with(cs[1], cs[2], cs[3]); x1 <- sample_with(cs[4], cs[5], cs[6])
  ratio_rows(x0, x1, cs[7], cs[8])
  # theta0 = 1 is t.test at mu = 0
  if (!undefined(x0, x1) && mean(x0) > 0) for (welch in 0:1) for (greater in 0:1) {
    a <- ratio_test(x0, x1, 1, greater, welch, 0.95)[3]
    b <- t.test(x1, x0, mu = 0, alternative = alt(greater), var.equal = !welch)$p.value
    if (abs(a - b) > 1e-12 * b) stop("the ratio test at rho = 1 is not t.test at mu = 0")
  }
}

# the data sets of mratios' examples (Hauschke 1999): ASAT, H0 TREAT/KON >= 1.25; rat.weight,
# equivalence of Dosis to Kon within 0.8 to 1.25; one-sided 95% bounds (two-sided 90%)
asat_kon <- c(1.33, 1.78, 1.53, 1.95, 1.83, 1.47, 1.87, 1.55, 2.58, 2.17, 1.97, 1.62, 2.25, 3.53,
              2.92, 1.78, 2.22, 2.55, 2.75)
asat_treat <- c(1.53, 1.75, 2.12, 2.83, 2.58, 2.37, 2.92, 2.08, 3.01, 2.67, 2.06, 2.25, 3.08,
                2.01, 1.58)
rat_kon <- c(519.8, 535.7, 491.7, 508.7, 565.5, 485.8, 520.7, 507.5, 428.9, 466.0)
rat_dosis <- c(465.0, 492.2, 466.3, 555.5, 528.1, 483.8, 502.8, 468.1, 519.2, 500.2)
ratio_rows(asat_kon, asat_treat, 1.25, 0.90)
ratio_rows(rat_kon, rat_dosis, 1.25, 0.90)
ratio_rows(rat_kon, rat_dosis, 0.8, 0.90)

# published: the printed t.test.ratio output (see the top)
local({
  set.seed(12345)
  a1 <- rnorm(5, 1, 1); a2 <- rnorm(5, 2, 1)
  r <- ratio_test(a2, a1, 1, 1, 1, 0.95)
  p2 <- 2 * min(r[3], 1 - r[3])
  ok <- round(r[1], 4) == -0.4263 && round(r[2], 3) == 6.363 && round(p2, 3) == 0.684 &&
    round(r[4], 7) == 0.8643849 && round(r[6], 7) == 0.4056763 && round(r[7], 7) == 2.6170008
  if (!ok) stop("the published t.test.ratio example is not reproduced: ", paste(r, collapse = " "))
  ratio_rows(a2, a1, 1, 0.95)
})

for (k in 1:3) ancova_rows(c(20, 12, 40)[k], c(20, 30, 35)[k], c(1, -3, 0.5)[k], c(-2, 0, 1.5))

if (!is.null(ttr)) message("contest_margin_reference.R: ", n_mratios, " ratio tests agree with ttestratio")

cat("kind,welch,greater,mean0,sd0,n0,mean1,sd1,n1,theta0,conf,t,df,p,est,se,lo,hi\n")
cat(rows, sep = "\n")
cat("\n")
