#!/usr/bin/env Rscript
# logistic_reference.R - reference values for tsim_logistic (sim/stats/logistic.c), computed with R's
# glm on the grouped binomial data.
#
# Usage: Rscript tests/r/logistic_reference.R > tests/r/logistic_reference.csv
#
# One CSV line per set of strata, after a header:
#   name,k,x0,n0,x1,n1,conf,status,est,se,z,p,lo,hi,full_est,full_se,full_flag
# x0, n0, x1, n1 list the k strata separated by ';' (stratum j: control x0 responders of n0,
# experimental x1 of n1). The model is
#   glm(cbind(x, n - x) ~ arm + factor(stratum), family = binomial,
#       control = glm.control(epsilon = 1e-12, maxit = 100))
# (without factor(stratum) when one stratum is left), one row per stratum and arm with n > 0.
# epsilon = 1e-12 (R's default is 1e-8) is as tight as R's deviance allows: at 1e-14 a
# saturated fit (one table), whose deviance is rounding noise around 0, never "converges";
# Newton's quadratic convergence leaves the last iterate far more accurate than 1e-12.
# est, se, z, p are the "arm" row of summary(fit)$coefficients and [lo, hi] is
# confint.default(fit, "arm", level = conf), 17 significant digits, where fit is refitted once
# from its own estimate (summary's standard errors then use the weights at the estimate, not
# those of the iteration before, which differ by up to 1e-8 relative), all from the fit on the
# informative strata - those with both arms and with responders and non-responders (0 < x0 +
# x1 < n0 + n1): the others carry no information about the arm, and sim/stats/logistic.c drops them.
# status is
#   ok         that fit converged without warnings;
#   separated  it warned ("fitted probabilities numerically 0 or 1 occurred") or did not
#              converge, or se > 1000: the MLE of the arm effect is infinite;
#   none       no informative stratum (no fit);
# and the script stops unless R's verdict equals the rule of sim/stats/logistic.h (finite iff
# T_min < T < T_max, T = sum of x1 over the informative strata) on every case.
# full_est, full_se: the same fit on every stratum with patients, as a user would run it;
# full_flag "clean" (converged, no warning) or "warned" (R drifted: a stratum's intercept went
# to -/+ infinity), NaN and "none" when there is no fit at all.
# tests/test_logistic.c embeds this output; tests/r/check_stattest.sh EXE SRC logistic
# regenerates it and runs the test on it.

set.seed(20250119)
rand_strata <- function(k, nmax, p0, p1) {
  n0 <- sample(1:nmax, k, replace = TRUE); n1 <- sample(1:nmax, k, replace = TRUE)
  a <- rnorm(k, 0, 0.5)
  list(rbinom(k, n0, plogis(qlogis(p0) + a)), n0, rbinom(k, n1, plogis(qlogis(p1) + a)), n1)
}
sets <- list(
  # name = list(x0, n0, x1, n1, conf)
  # one table: LUPIL-2 ITT and per-protocol counts (scenarios/published/lupil2.json)
  lupil2_itt = list(29, 50, 34, 50, 0.95), lupil2_pp = list(15, 29, 20, 24, 0.95),
  single_90 = list(12, 40, 20, 38, 0.90),
  # ordinary strata
  three = list(c(3, 8, 12), c(10, 20, 30), c(6, 11, 15), c(10, 20, 28), 0.95),
  opposite = list(c(3, 2), c(5, 5), c(2, 3), c(5, 5), 0.95),
  # the LUPIL-2-like layout of tests/r/cmh_reference.R: sites 1-2 with every placebo patient
  # responding (informative: the IL-2 arm there has non-responders)
  lupil2_sites = list(c(7, 8, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1), c(7, 8, 4, 3, 4, 4, 3, 4, 3, 4, 3, 3),
                      c(4, 5, 3, 3, 3, 2, 3, 3, 2, 3, 2, 1), c(7, 8, 4, 3, 4, 3, 4, 3, 4, 3, 4, 3), 0.95),
  # strata with all responders / no responders / one patient / an empty arm: dropped
  all_resp_stratum = list(c(4, 3, 7), c(4, 9, 11), c(6, 8, 10), c(6, 9, 10), 0.95),
  no_resp_stratum = list(c(0, 2, 6), c(5, 8, 12), c(0, 6, 9), c(5, 9, 12), 0.95),
  tiny = list(c(0, 1, 0, 4, 2), c(0, 1, 0, 10, 8), c(0, 0, 0, 8, 5), c(0, 0, 1, 10, 9), 0.95),
  one_arm = list(c(0, 3, 4), c(0, 6, 10), c(3, 5, 8), c(5, 9, 10), 0.95),
  two_per_stratum = list(c(1, 0, 1, 1, 0, 1), c(1, 1, 1, 1, 1, 1), c(1, 1, 0, 1, 1, 0),
                         c(1, 1, 1, 1, 1, 1), 0.95),
  # separation: every responder on one side, in one table and across strata; one zero cell
  separated_1 = list(0, 10, 5, 10, 0.95), separated_zero_cell = list(3, 10, 10, 10, 0.95),
  separated_strata = list(c(0, 0, 1), c(5, 4, 6), c(3, 4, 6), c(5, 4, 6), 0.95),
  # quasi-separation at the lower end: T = T_min (experimental never better)
  separated_low = list(c(5, 3, 4), c(5, 6, 4), c(2, 0, 0), c(5, 6, 4), 0.95),
  # nothing informative
  nothing = list(c(0, 5), c(4, 5), c(0, 3), c(6, 3), 0.95),
  # one stratum separated on its own but not overall
  stratum_separated = list(c(0, 4, 6), c(6, 10, 12), c(5, 6, 7), c(6, 10, 12), 0.95),
  # rare events and a large effect
  rare = list(1, 1000, 30, 1000, 0.95), big_effect = list(2, 2000, 1990, 2000, 0.95),
  # very large counts (1e7 per arm) with a small effect
  huge_counts = list(5000000, 10000000, 5003000, 10000000, 0.95),
  huge_strata = list(c(1000000, 2500000, 7000000), c(2000000, 5000000, 10000000),
                     c(1001000, 2499000, 7003000), c(2000000, 5000000, 10000000), 0.95),
  # many strata
  many_40 = c(rand_strata(40, 12, 0.4, 0.6), 0.95),
  many_200 = c(rand_strata(200, 6, 0.3, 0.5), 0.95)
)

fmt <- function(v) sprintf("%.17g", v)
fit_strata <- function(x0, n0, x1, n1) {
  k <- length(x0)
  d <- data.frame(x = c(x0, x1), n = c(n0, n1), arm = rep(c(0, 1), each = k), stratum = rep(seq_len(k), 2))
  d <- d[d$n > 0, ]
  if (nrow(d) == 0) return(NULL)
  f <- if (length(unique(d$stratum)) > 1) cbind(x, n - x) ~ arm + factor(stratum) else cbind(x, n - x) ~ arm
  warned <- FALSE
  fit <- withCallingHandlers(
    glm(f, family = binomial, data = d, control = glm.control(epsilon = 1e-12, maxit = 100)),
    warning = function(w) { warned <<- TRUE; invokeRestart("muffleWarning") })
  warned <- warned || !fit$converged
  # summary.glm's standard errors come from the weights of the iteration before the last one,
  # up to 1e-8 relative away from those at the estimate: one more iteration (maxit = 1, whose
  # "did not converge" is expected) from R's own estimate puts them at the MLE. Skipped when
  # the fit drifted - its estimate is no MLE.
  if (!warned) {
    fit <- withCallingHandlers(
      glm(f, family = binomial, data = d, start = coef(fit), control = glm.control(maxit = 1)),
      warning = function(w) {
        if (!grepl("did not converge", conditionMessage(w))) warned <<- TRUE
        invokeRestart("muffleWarning")
      })
  }
  list(fit = fit, warned = warned)
}
arm_row <- function(r, conf) {
  c(summary(r$fit)$coefficients["arm", ], confint.default(r$fit, "arm", level = conf))
}

cat("name,k,x0,n0,x1,n1,conf,status,est,se,z,p,lo,hi,full_est,full_se,full_flag\n")
for (name in names(sets)) {
  s <- sets[[name]]
  x0 <- s[[1]]; n0 <- s[[2]]; x1 <- s[[3]]; n1 <- s[[4]]; conf <- s[[5]]
  m <- x0 + x1
  inf <- n0 > 0 & n1 > 0 & m > 0 & m < n0 + n1
  # the rule of sim/stats/logistic.h
  t <- sum(x1[inf]); tmin <- sum(pmax(0, m - n0)[inf]); tmax <- sum(pmin(n1, m)[inf])
  rule <- if (!any(inf)) "none" else if (t > tmin && t < tmax) "ok" else "separated"
  v <- rep(NaN, 6)
  status <- "none"
  if (any(inf)) {
    r <- fit_strata(x0[inf], n0[inf], x1[inf], n1[inf])
    a <- arm_row(r, conf)
    status <- if (r$warned || !is.finite(a[2]) || a[2] > 1000) "separated" else "ok"
    if (status == "ok") v <- a
  }
  if (status != rule) stop(name, ": R says ", status, ", the rule of sim/stats/logistic.h says ", rule)
  full <- fit_strata(x0, n0, x1, n1)
  fv <- c(NaN, NaN); flag <- "none"
  if (!is.null(full)) {
    fv <- summary(full$fit)$coefficients["arm", 1:2]
    flag <- if (full$warned) "warned" else "clean"
  }
  counts <- function(v) paste(sprintf("%.0f", v), collapse = ";")
  cat(paste(c(name, length(x0), counts(x0), counts(n0), counts(x1), counts(n1), fmt(conf), status,
              fmt(unname(v)), fmt(unname(fv)), flag), collapse = ","), "\n", sep = "")
}
