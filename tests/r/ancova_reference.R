#!/usr/bin/env Rscript
# ancova_reference.R - reference values for tsim_ancova (sim/stats/ancova.c), computed with R's lm on
# the raw data.
#
# Usage: Rscript tests/r/ancova_reference.R > tests/r/ancova_reference.csv
#
# One CSV line per data set, after a header:
#   name,n0,n1,conf,y0,b0,y1,b1,diff,se,t,df,p,lo,hi,slope
# y0, b0 (control end point and baseline) and y1, b1 (experimental) list the values separated
# by ';', each in the shortest of %.15g, %.16g, %.17g that reads back as the same double, so
# that the C test gets R's exact inputs. With group = 0 (control) or 1 (experimental) and
# fit <- lm(y ~ group + baseline): diff, se, t, p are summary(fit)$coefficients["group", ],
# df = fit$df.residual, [lo, hi] = confint(fit, "group", level = conf), slope = coef(fit)[3];
# 17 significant digits.
# Undefined, NaN in every result column: fewer than 4 patients or an empty arm (decided here:
# R fits n = 3 with df = 0 and NaN standard errors); a baseline coefficient that lm reports as
# NA (aliased: constant baseline, baseline collinear with the arm, or within-arm variation below
# lm's pivoting tolerance 1e-7 of its norm); summary.lm's warning "essentially perfect fit".
# tests/test_ancova.c embeds this output; tests/r/check_stattest.sh EXE SRC ancova regenerates
# it and runs the test on it.

set.seed(20250118)
# n0 + n1 patients, baseline ~ N(bm, bs), y = a + effect g + slope baseline + N(0, es), rounded
# to `digits` decimals (short exact inputs).
trial <- function(n0, n1, bm, bs, a, effect, slope, es, digits = 3) {
  b0 <- round(rnorm(n0, bm, bs), digits); b1 <- round(rnorm(n1, bm, bs), digits)
  list(round(a + slope * b0 + rnorm(n0, 0, es), digits), b0,
       round(a + effect + slope * b1 + rnorm(n1, 0, es), digits), b1)
}
vas <- trial(30, 30, 50, 12, 5, -8, 0.7, 10)
cases <- list(
  # name = list(y0, b0, y1, b1, conf)
  # ordinary: VAS-like scores, baseline explains part of the outcome; three confidence levels
  vas_30_30 = c(vas, 0.95), vas_30_30_90 = c(vas, 0.90), vas_30_30_99 = c(vas, 0.99),
  # unbalanced, the baseline unrelated to the outcome
  unbalanced_5_40 = c(trial(5, 40, 20, 4, 1, 2, 0, 3), 0.95),
  # the smallest designs: 4 patients (df = 1), one of them alone in its arm
  four_2_2 = list(c(1, 3), c(0, 2), c(4, 7), c(1, 2.5), 0.95),
  four_1_3 = list(5, 2, c(6, 9, 7.5), c(1, 4, 2), 0.95),
  one_vs_six = list(10, 3, c(4, 6, 5, 9, 8, 7), c(1, 3, 2, 6, 5, 3), 0.95),
  # integer scores with ties in both y and baseline
  scores_ties = list(c(3, 4, 4, 5, 3, 2, 4, 5, 3, 4), c(2, 3, 3, 4, 2, 2, 3, 4, 3, 3),
                     c(5, 6, 5, 7, 6, 5, 6, 4, 6, 7, 5), c(3, 3, 2, 4, 3, 3, 4, 2, 3, 4, 3), 0.95),
  # negative values over a huge range (well conditioned: spread comparable to the level)
  huge_negative = list(c(-4.1e9, -2.5e9, -3.3e9, -6.0e9, -1.2e9, -3.9e9),
                       c(-2.0e12, -1.1e12, -1.9e12, -3.2e12, -0.4e12, -2.1e12),
                       c(-1.0e9, -0.3e9, 0.8e9, -2.2e9, -1.7e9),
                       c(-1.5e12, -0.9e12, -0.2e12, -2.6e12, -2.0e12), 0.95),
  # tiny and huge scales: 1e-150 and 1e150 (the sums of squares would under/overflow unscaled)
  tiny_scale = list(c(1.3, 2.2, 0.7, 1.9, 1.1) * 1e-150, c(2, 3, 1, 3.5, 2.5) * 1e-150,
                    c(2.9, 3.1, 1.8, 3.6) * 1e-150, c(2.5, 3, 1.5, 3.2) * 1e-150, 0.95),
  huge_scale = list(c(1.3, 2.2, 0.7, 1.9, 1.1) * 1e150, c(2, 3, 1, 3.5, 2.5) * 1e150,
                    c(2.9, 3.1, 1.8, 3.6) * 1e150, c(2.5, 3, 1.5, 3.2) * 1e150, 0.95),
  mixed_scale = list(c(1.3, 2.2, 0.7, 1.9, 1.1) * 1e-100, c(2, 3, 1, 3.5, 2.5) * 1e100,
                     c(2.9, 3.1, 1.8, 3.6) * 1e-100, c(2.5, 3, 1.5, 3.2) * 1e100, 0.95),
  # baseline far from 0 with a small spread (conditioning: ratio 1e-5, above lm's 1e-7)
  offset_baseline = c(trial(15, 15, 1e6, 10, 0, 1, 0.5, 2, digits = 2), 0.95),
  # far tail (p about 1e-60) and p near 1
  far_tail = c(trial(100, 100, 0, 1, 0, 5, 1, 1), 0.95),
  null_effect = list(c(1, 2, 3, 4, 5, 6), c(1, 3, 2, 5, 4, 6), c(1, 2, 3, 4, 5, 6), c(1, 3, 2, 5, 4, 6), 0.95),
  # large: 1000 patients
  large_500_500 = c(trial(500, 500, 30, 8, 2, 0.8, 0.9, 6, digits = 2), 0.95),
  # undefined: 3 patients; empty arm; baseline constant; constant within arms (collinear with
  # group); within-arm variation 1e-10 of the baseline's norm (aliased by lm); perfect fit;
  # constant outcome
  three = list(c(1, 2), c(1, 2), 3, 5, 0.95),
  empty_control = list(numeric(0), numeric(0), c(1, 2, 3, 4, 5), c(2, 1, 3, 5, 4), 0.95),
  constant_baseline = list(c(1, 4, 2, 5), rep(7, 4), c(3, 6, 5, 8), rep(7, 4), 0.95),
  collinear_baseline = list(c(1, 4, 2, 5), rep(10, 4), c(3, 6, 5, 8), rep(15, 4), 0.95),
  nearly_constant_baseline = list(c(1, 4, 2, 5), 1e8 + c(0, 1e-2, 2e-2, 0), c(3, 6, 5, 8),
                                  1e8 + c(1e-2, 0, 0, 2e-2), 0.95),
  perfect_fit = list(1 + 3 * c(1, 2, 3, 5), c(1, 2, 3, 5), 3 + 3 * c(2, 4, 1, 6), c(2, 4, 1, 6), 0.95),
  constant_outcome = list(rep(4, 5), c(1, 2, 3, 4, 5), rep(4, 5), c(2, 3, 1, 5, 4), 0.95)
)

fmt_exact <- function(v) {
  vapply(v, function(x) {
    for (d in 15:17) { s <- sprintf("%.*g", d, x); if (as.numeric(s) == x) return(s) }
    sprintf("%.17g", x)
  }, "")
}
fmt <- function(v) sprintf("%.17g", v)
ancova <- function(y0, b0, y1, b1, conf) {
  if (length(y0) == 0 || length(y1) == 0 || length(y0) + length(y1) < 4) return(rep(NaN, 8))
  d <- data.frame(y = c(y0, y1), group = rep(c(0, 1), c(length(y0), length(y1))),
                  baseline = c(b0, b1))
  fit <- lm(y ~ group + baseline, data = d)
  if (any(is.na(coef(fit)))) return(rep(NaN, 8))
  perfect <- FALSE
  s <- withCallingHandlers(summary(fit), warning = function(w) {
    if (grepl("essentially perfect fit", conditionMessage(w))) perfect <<- TRUE
    invokeRestart("muffleWarning")
  })
  if (perfect) return(rep(NaN, 8))
  g <- s$coefficients["group", ]
  c(g[1], g[2], g[3], fit$df.residual, g[4], confint(fit, "group", level = conf), coef(fit)[3])
}
cat("name,n0,n1,conf,y0,b0,y1,b1,diff,se,t,df,p,lo,hi,slope\n")
for (name in names(cases)) {
  cs <- cases[[name]]
  v <- ancova(cs[[1]], cs[[2]], cs[[3]], cs[[4]], cs[[5]])
  lists <- vapply(1:4, function(i) paste(fmt_exact(cs[[i]]), collapse = ";"), "")
  cat(paste(c(name, length(cs[[1]]), length(cs[[3]]), fmt(cs[[5]]), lists, fmt(unname(v))),
            collapse = ","), "\n", sep = "")
}
