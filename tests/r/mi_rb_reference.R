# mi_rb_reference.R - reference values of the reference-based imputation of sim/stats/impute.c
# (no posterior draw: the point estimates) for tests/test_impute.c, on tests/impute/set1.csv
# (2 arms, baseline) and set2.csv (3 arms, no baseline), covariance common to the arms or per
# arm, methods MAR, J2R, CIR and CR, reference arm 0 (and 2 for set2).
#
# 1. The model's point estimates: for each group (every patient with a common covariance, else
#    each arm) and visit j, lm.fit of y_j on the design (arm indicators, or an intercept; then
#    base) and y_0 .. y_{j-1} among the patients observed at j; sigma_j^2 = RSS / (n_j - q_j).
#    They are turned into each arm's mean profile at a baseline x, mu_a(x) = m_a + s_a x, and
#    the covariance Sigma, and the script checks that the conditional regressions these imply
#    (Sigma_{j,<j} Sigma_{<j,<j}^-1, the conditional variance, the intercepts) give back the
#    fitted ones: the parameters mean what impute.h says.
# 2. For every patient with a missing value, the distribution it is imputed from, written from
#    Carpenter, Roger & Kenward (2013) as in impute.h: the joint mean mu~ and covariance Sigma~
#    of the method (for J2R and CIR: Sigma~_oo = Sigma_d,oo, Sigma~_mo = Sigma_r,mo
#    Sigma_r,oo^-1 Sigma_d,oo, Sigma~_mm = Sigma_r,mm - Sigma_r,mo Sigma_r,oo^-1 (Sigma_r,oo -
#    Sigma_d,oo) Sigma_r,oo^-1 Sigma_r,om; CR: mu_r, Sigma_r; MAR: mu_d, Sigma_d), then the normal
#    conditional mu~_m + Sigma~_mo Sigma~_oo^-1 (y_o - mu~_o), Sigma~_mm - Sigma~_mo Sigma~_oo^-1
#    Sigma~_om by solve(): none of the sequential form impute.c computes it with.
#
# Output (stdout): set,by_arm,method,ref,kind,row,index,value. kind m, s (row = arm, index =
# visit), sigma (row = arm, index = r V + c) with method PAR; k (index 0), mean (index = visit - k)
# and cov (index = r (V - k) + c) per patient row (0-based) with a missing value.
# Usage: Rscript tests/r/mi_rb_reference.R [SOURCE_DIR] > tests/r/mi_rb_reference.csv
args <- commandArgs(trailingOnly = TRUE)
src <- if (length(args) >= 1) args[1] else "."
num <- function(x) sprintf("%.17g", x)
cat("set,by_arm,method,ref,kind,row,index,value\n")

fit_params <- function(d, ycols, hb, by_arm) {
  V <- length(ycols); arms <- sort(unique(d$arm)); A <- length(arms)
  groups <- if (by_arm) as.list(arms) else list(arms)
  par <- list()
  for (gi in seq_along(groups)) {
    rows <- which(d$arm %in% groups[[gi]])
    G <- matrix(0, V, V); D <- numeric(V)
    alpha <- matrix(0, V, if (by_arm) 1 else A); slope <- numeric(V)
    for (j in seq_len(V)) {
      obs <- rows[!is.na(d[rows, ycols[j]])]
      X <- if (by_arm) matrix(1, length(obs), 1) else outer(d$arm[obs], arms, "==") * 1
      if (hb) X <- cbind(X, d$base[obs])
      X <- cbind(X, as.matrix(d[obs, ycols[seq_len(j - 1)], drop = FALSE]))
      f <- lm.fit(X, d[obs, ycols[j]])
      stopifnot(f$rank == ncol(X))
      th <- f$coefficients; p <- ncol(alpha) + hb
      D[j] <- sum(f$residuals^2) / (length(obs) - ncol(X))
      alpha[j, ] <- th[seq_len(ncol(alpha))]
      if (hb) slope[j] <- th[p]
      if (j > 1) G[j, seq_len(j - 1)] <- th[p + seq_len(j - 1)]
    }
    Tm <- solve(diag(V) - G)
    Sigma <- Tm %*% diag(D, V) %*% t(Tm)
    for (ai in seq_along(groups[[gi]])) {
      a <- groups[[gi]][ai]
      m <- as.vector(Tm %*% alpha[, if (by_arm) 1 else which(arms == a)])
      s <- as.vector(Tm %*% slope)
      par[[as.character(a)]] <- list(m = m, s = s, Sigma = Sigma,
                                     G = G, D = D, alpha = alpha[, if (by_arm) 1 else which(arms == a)], slope = slope)
    }
  }
  # self-check: the conditional regressions implied by (mu, Sigma) are the fitted ones
  for (pa in par) {
    S <- pa$Sigma
    for (j in seq_len(V)) {
      if (j == 1) { stopifnot(isTRUE(all.equal(S[1, 1], pa$D[1], tolerance = 1e-12))); next }
      o <- seq_len(j - 1)
      gam <- solve(S[o, o], S[o, j])
      stopifnot(isTRUE(all.equal(as.vector(gam), pa$G[j, o], tolerance = 1e-10)))
      stopifnot(isTRUE(all.equal(S[j, j] - sum(S[j, o] * gam), pa$D[j], tolerance = 1e-10)))
      stopifnot(isTRUE(all.equal(pa$m[j] - sum(gam * pa$m[o]), pa$alpha[j], tolerance = 1e-10)))
      stopifnot(isTRUE(all.equal(pa$s[j] - sum(gam * pa$s[o]), pa$slope[j], tolerance = 1e-10)))
    }
  }
  par
}

# Carpenter, Roger & Kenward (2013): the joint (mu~, Sigma~) of a patient of arm d with k observed
# visits, reference arm r.
joint <- function(method, pd, pr, x, k, V) {
  mud <- pd$m + pd$s * x; mur <- pr$m + pr$s * x
  Sd <- pd$Sigma; Sr <- pr$Sigma
  if (method == "MAR") return(list(mu = mud, S = Sd))
  if (method == "CR" || k == 0) return(list(mu = mur, S = Sr))
  o <- seq_len(k); m <- if (k < V) (k + 1):V else integer(0)
  mu <- mud
  if (method == "J2R") mu[m] <- mur[m]
  if (method == "CIR") mu[m] <- mud[k] + (mur[m] - mur[k])
  Rinv <- solve(Sr[o, o])
  S <- matrix(0, V, V)
  S[o, o] <- Sd[o, o]
  S[m, o] <- Sr[m, o] %*% Rinv %*% Sd[o, o]
  S[o, m] <- t(S[m, o])
  S[m, m] <- Sr[m, m] - Sr[m, o] %*% Rinv %*% (Sr[o, o] - Sd[o, o]) %*% Rinv %*% Sr[o, m]
  list(mu = mu, S = S)
}

cases <- list(list(set = 1, refs = 0), list(set = 2, refs = c(0, 2)))
for (cs in cases) {
  d <- read.csv(file.path(src, "tests", "impute", sprintf("set%d.csv", cs$set)))
  ycols <- grep("^y", names(d)); V <- length(ycols); hb <- "base" %in% names(d)
  for (by_arm in 0:1) {
    par <- fit_params(d, ycols, hb, by_arm == 1)
    out <- function(method, ref, kind, row, index, value)
      cat(sprintf("%d,%d,%s,%d,%s,%d,%d,%s\n", cs$set, by_arm, method, ref, kind, row, index, num(value)))
    for (a in names(par)) {
      for (j in seq_len(V)) { out("PAR", 0, "m", as.integer(a), j - 1, par[[a]]$m[j])
                              out("PAR", 0, "s", as.integer(a), j - 1, par[[a]]$s[j]) }
      for (r in seq_len(V)) for (c in seq_len(V))
        out("PAR", 0, "sigma", as.integer(a), (r - 1) * V + c - 1, par[[a]]$Sigma[r, c])
    }
    for (ref in cs$refs) for (method in c("MAR", "J2R", "CIR", "CR")) {
      for (i in seq_len(nrow(d))) {
        y <- as.numeric(d[i, ycols]); k <- sum(!is.na(y))
        if (k == V) next
        pd <- par[[as.character(d$arm[i])]]; pr <- par[[as.character(ref)]]
        jt <- joint(if (d$arm[i] == ref) "MAR" else method, pd, pr, if (hb) d$base[i] else 0, k, V)
        o <- seq_len(k); m <- (k + 1):V
        if (k == 0) {
          cm <- jt$mu; cv <- jt$S
        } else {
          B <- jt$S[m, o, drop = FALSE] %*% solve(jt$S[o, o, drop = FALSE])
          cm <- as.vector(jt$mu[m] + B %*% (y[o] - jt$mu[o]))
          cv <- jt$S[m, m, drop = FALSE] - B %*% jt$S[o, m, drop = FALSE]
        }
        nm <- V - k
        out(method, ref, "k", i - 1, 0, k)
        for (r in seq_len(nm)) out(method, ref, "mean", i - 1, r - 1, cm[r])
        for (r in seq_len(nm)) for (c in seq_len(nm)) out(method, ref, "cov", i - 1, (r - 1) * nm + c - 1, cv[r, c])
      }
    }
  }
}
