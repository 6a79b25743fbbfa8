# mi_pool_reference.R - reference values of Rubin's rules for tests/test_impute.c, from mice
# (>= 3.15): mice::pool.scalar for qbar, ubar, b, t, df, r and fmi (the arithmetic of
# mice::pool), and mice's own summary() and confint() of a pooled object (class "mipo") for the
# t statistic, the two-sided p-value and the interval. One-sided p against a margin theta0 is
# pt((qbar - theta0) / sqrt(t), df, lower.tail = FALSE) ("greater") and its complement ("less").
#
# Output (stdout), a long CSV: case,kind,index,value - the inputs (q and u by index m, dfcom,
# conf, theta0) and the outputs (index 0), numbers as %.17g, Inf and NaN (for R's NA) spelled so.
# Usage: Rscript tests/r/mi_pool_reference.R > tests/r/mi_pool_reference.csv
suppressPackageStartupMessages(library(mice))
num <- function(x) ifelse(is.na(x), "NaN", ifelse(is.infinite(x), ifelse(x > 0, "Inf", "-Inf"),
                                                 sprintf("%.17g", x)))
set.seed(20240611)
cases <- list(
  list(q = rnorm(5, 1, 0.3), u = rchisq(5, 30) / 300, dfcom = Inf, conf = 0.95, theta0 = 0.2),
  list(q = rnorm(5, 1, 0.3), u = rchisq(5, 30) / 300, dfcom = 98, conf = 0.95, theta0 = -0.5),
  list(q = rnorm(20, -2, 0.5), u = rchisq(20, 50) / 100, dfcom = 298, conf = 0.9, theta0 = -1),
  list(q = rep(0.7, 3), u = c(0.1, 0.12, 0.11), dfcom = Inf, conf = 0.95, theta0 = 0),
  list(q = rep(0.7, 3), u = c(0.1, 0.12, 0.11), dfcom = 10, conf = 0.95, theta0 = 0),
  list(q = c(1.5, 2.5), u = c(0.4, 0.5), dfcom = 5, conf = 0.95, theta0 = 1),
  list(q = rnorm(10, 3, 2), u = rep(0.05, 10), dfcom = 30, conf = 0.99, theta0 = 2.5),
  list(q = 1 + rnorm(50, 0, 1e-4), u = rchisq(50, 10) / 10, dfcom = Inf, conf = 0.95, theta0 = 0.9),
  list(q = rnorm(100, 0.1, 0.05), u = rchisq(100, 80) / 8000, dfcom = 1000, conf = 0.95, theta0 = 0),
  list(q = rnorm(8, -2e6, 3e4), u = rchisq(8, 40) * 2e7, dfcom = 200, conf = 0.95, theta0 = -1.9e6),
  list(q = rnorm(4, 5, 1), u = rchisq(4, 3) / 3, dfcom = 3, conf = 0.8, theta0 = 4),
  list(q = rnorm(30, 0, 1), u = rchisq(30, 20) / 20, dfcom = Inf, conf = 0.95, theta0 = 0)
)
cat("case,kind,index,value\n")
for (ci in seq_along(cases)) {
  cs <- cases[[ci]]
  m <- length(cs$q)
  out <- function(kind, index, value) cat(sprintf("%d,%s,%d,%s\n", ci, kind, index, num(value)))
  for (i in seq_len(m)) out("q", i - 1, cs$q[i])
  for (i in seq_len(m)) out("u", i - 1, cs$u[i])
  out("dfcom", 0, cs$dfcom)
  out("conf", 0, cs$conf)
  out("theta0", 0, cs$theta0)
  # pool.scalar(Q, U, n, k): dfcom = n - k
  ps <- pool.scalar(cs$q, cs$u, n = cs$dfcom + 1, k = 1)
  lambda <- (1 + 1 / m) * ps$b / ps$t
  pooled <- data.frame(term = "theta", m = m, estimate = ps$qbar, ubar = ps$ubar, b = ps$b,
                       t = ps$t, dfcom = cs$dfcom, df = ps$df, riv = ps$r, lambda = lambda,
                       fmi = ps$fmi)
  mipo <- structure(list(call = NULL, m = m, pooled = pooled), class = c("mipo", "data.frame"))
  sm <- summary(mipo, type = "all", conf.int = TRUE, conf.level = cs$conf)
  ci_names <- grep("%", names(sm), value = TRUE)
  stat <- ps$qbar / sqrt(ps$t)
  tm <- (ps$qbar - cs$theta0) / sqrt(ps$t)
  out("qbar", 0, ps$qbar); out("ubar", 0, ps$ubar); out("b", 0, ps$b); out("t", 0, ps$t)
  out("df", 0, ps$df); out("r", 0, ps$r); out("lambda", 0, lambda); out("fmi", 0, ps$fmi)
  out("se", 0, sm$std.error); out("stat", 0, sm$statistic); out("p", 0, sm$p.value)
  out("lo", 0, sm[[ci_names[1]]]); out("hi", 0, sm[[ci_names[2]]])
  out("p_greater", 0, pt(tm, ps$df, lower.tail = FALSE))
  out("p_less", 0, pt(tm, ps$df, lower.tail = TRUE))
  stopifnot(isTRUE(all.equal(sm$statistic, stat)))
}
