# mi_norm_reference.R - reference values of the MAR imputation of sim/stats/impute.c (mice's
# `norm` method, by arm, visit by visit) for tests/test_impute.c, computed by mice itself (>= 3.15)
# on the data sets tests/impute/set*.csv.
#
# For each data set, arm a = 0, 1, .. and visit j = 0 .. V-1 where arm a has a missing value (the
# order of impute.h): the regression of y_j on (base, y_0 .. y_{j-1}) among the arm's patients
# observed at j, as mice:::estimice gives it (coefficients with the intercept first, the residual
# sum of squares, df, and t(chol(mice:::sym(v))), the factor .norm.draw uses; "ridge" 1 where
# solve(crossprod(R)) fails and estimice applies its ridge), then the draws - one chi-square, q
# normals, one normal per missing patient, from set.seed(1000 + set) - and the imputed values
# mice.impute.norm gives with exactly those draws: a copy of mice.impute.norm and .norm.draw whose
# enclosing environment serves rchisq and rnorm from the drawn values, so the imputation itself is
# mice's code (estimice's ridge message, which needs a running mice(), left out). Later visits use the values imputed earlier, as mice with a monotone visit
# sequence does.
#
# Output (stdout): set,kind,arm,visit,index,value; kinds n, q, df, rss, ridge (index 0), coef
# (index = column), chol (index = r q + c, lower triangle included), chisq and z (index = the
# order of use within the set), imp (index = the row in the data set, 0-based).
# Usage: Rscript tests/r/mi_norm_reference.R [SOURCE_DIR] > tests/r/mi_norm_reference.csv
suppressPackageStartupMessages(library(mice))
args <- commandArgs(trailingOnly = TRUE)
src <- if (length(args) >= 1) args[1] else "."
num <- function(x) ifelse(is.na(x), "NaN", sprintf("%.17g", x))
cat("set,kind,arm,visit,index,value\n")
for (s in 1:3) {
  d <- read.csv(file.path(src, "tests", "impute", sprintf("set%d.csv", s)))
  ycols <- grep("^y", names(d))
  V <- length(ycols)
  hb <- "base" %in% names(d)
  set.seed(1000 + s)
  feed <- new.env()
  feed$chisq <- numeric(0); feed$z <- numeric(0)
  fake <- new.env(parent = asNamespace("mice"))
  fake$rchisq <- function(n, df) { v <- feed$chisq[seq_len(n)]; feed$chisq <- feed$chisq[-seq_len(n)]; v }
  fake$rnorm <- function(n) { v <- feed$z[seq_len(n)]; feed$z <- feed$z[-seq_len(n)]; v }
  # estimice's ridge branch logs through updateLog(), which needs the state of a running mice();
  # outside one it is a no-op here (the arithmetic is estimice's own)
  fake$updateLog <- function(...) invisible(NULL)
  fake$get.printFlag <- function(...) FALSE
  est <- mice:::estimice; environment(est) <- fake; assign("estimice", est, envir = fake)
  nd <- mice:::.norm.draw; environment(nd) <- fake; assign(".norm.draw", nd, envir = fake)
  imp_norm <- mice::mice.impute.norm; environment(imp_norm) <- fake
  ic <- 0; iz <- 0
  out <- function(kind, a, j, index, value)
    cat(sprintf("%d,%s,%d,%d,%d,%s\n", s, kind, a, j, index, num(value)))
  yimp <- as.matrix(d[, ycols])
  for (a in sort(unique(d$arm))) {
    rows <- which(d$arm == a)
    for (j in seq_len(V)) {
      ry <- !is.na(d[rows, ycols[j]])
      if (all(ry)) next
      x <- cbind(if (hb) d$base[rows] else NULL, yimp[rows, seq_len(j - 1), drop = FALSE])
      x <- matrix(as.numeric(x), nrow = length(rows))
      X <- cbind(1, x)
      y <- yimp[rows, j]
      p <- est(X[ry, , drop = FALSE], y[ry])
      q <- ncol(X)
      fit <- lm.fit(X[ry, , drop = FALSE], y[ry])
      ridge <- inherits(try(solve(as.matrix(crossprod(qr.R(fit$qr)))), silent = TRUE), "try-error")
      L <- t(chol(mice:::sym(p$v)))
      out("n", a, j - 1, 0, sum(ry)); out("q", a, j - 1, 0, q); out("df", a, j - 1, 0, p$df)
      out("rss", a, j - 1, 0, sum(p$r^2)); out("ridge", a, j - 1, 0, as.numeric(ridge))
      for (c in seq_len(q)) out("coef", a, j - 1, c - 1, p$c[c])
      for (r in seq_len(q)) for (c in seq_len(q)) out("chol", a, j - 1, (r - 1) * q + c - 1, L[r, c])
      # the draws, in mice's order of use: rchisq(1, df), rnorm(q), rnorm(number missing)
      ch <- rchisq(1, p$df); z <- rnorm(q + sum(!ry))
      out("chisq", a, j - 1, ic, ch); ic <- ic + 1
      for (v in z) { out("z", a, j - 1, iz, v); iz <- iz + 1 }
      feed$chisq <- ch; feed$z <- z
      yimp[rows[!ry], j] <- imp_norm(y, ry, x)
      stopifnot(length(feed$z) == 0, length(feed$chisq) == 0)
      for (i in rows[!ry]) out("imp", a, j - 1, i - 1, yimp[i, j])
    }
  }
}
