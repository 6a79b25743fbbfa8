# mmrm_reference.R - reference values of the mixed model for repeated measures (MMRM) of
# sim/stats/mmrm.c, from R's nlme::gls, for the data sets in tests/mmrm/ (made once by
# tests/mmrm/make_data.R). Writes tests/r/mmrm_reference.csv to stdout:
#   Rscript tests/r/mmrm_reference.R > tests/r/mmrm_reference.csv
# (tests/r/check_stattest.sh EXE SRC mmrm runs it and hands the output to test_mmrm.)
#
# The model (sim/stats/mmrm.h): E[y_iv] = mu_v + delta_v g_i (+ gamma_v b_i), unstructured
# covariance of the visits, the same in both arms, by REML:
#   gls(y ~ 0 + visit + visit:arm (+ visit:base),
#       correlation = corSymm(form = ~ as.integer(visit) | id),
#       weights = varIdent(form = ~ 1 | visit), method = "REML", na.action = na.omit)
# With one visit there is no correlation to fit: gls(y ~ arm (+ base), method = "REML"), the
# same model. Per case the columns are: the REML log-likelihood (logLik), for every visit the
# difference delta_v (experimental minus control) and its model-based standard error (vcov),
# the Satterthwaite degrees of freedom of delta_v, and the fitted covariance matrix
# Sigma (sigma^2 times varIdent's ratios times corSymm's correlations), row-major. Lists are
# separated by ';'.
#
# Where the maximum is. gls maximises the profiled REML log-likelihood with nlminb at its
# default tolerances (rel.tol 1e-10 of |logLik|, with its own finite-difference gradient; gls
# does not pass tolerances on), which leaves its optimum a Newton decrement of about 1e-8 short
# of the maximum: Sigma off by about 1e-5 relative (printed to stderr for every case), more than
# the 1e-6 the comparison asks. So this script takes gls's own fit, completes the maximisation
# with Newton's method on the REML log-likelihood written out below (finite differences, until
# the decrement is below 1e-16), and fits gls again with the correlations and variance ratios
# of that maximum held fixed (corSymm(fixed = TRUE), varIdent(fixed = )): every number written
# - logLik, coefficients, vcov, sigma - is nlme's, at the maximum. The script stops when the two
# fits' log-likelihoods differ by more than 1e-9 relative, or the written-out likelihood differs
# from nlme's logLik, coefficients or vcov at the maximum by more than 1e-9 relative.
#
# Satterthwaite's df (no mmrm or lmerTest package here) are computed from that fit with
# numerical derivatives: with theta the covariance parameters and l_R(theta) the REML
# log-likelihood,
#   df_v = 2 (c' Phi c)^2 / (g' A g),  Phi = (X' Sigma^-1 X)^-1, c picks delta_v,
#   g = d(c' Phi(theta) c) / d theta,  A = (-d2 l_R / d theta2)^-1,
# the observed information (as SAS's DDFM=SATTERTH, lmerTest and mmrm use). At a maximum df does
# not depend on how Sigma is parameterised (the C code uses a Cholesky factor); here theta is
# the log SD of each visit and the atanh of each correlation, where the derivatives are central
# differences with Richardson extrapolation (from steps 5e-4 and 2.5e-4 for the gradient, 5e-3 and
# 2.5e-3 for the Hessian).
# The df from twice those steps differ from them by about 15 times their error: that estimate is
# printed (at most 3e-7 relative here) and the script stops when it exceeds 1e-6.
suppressPackageStartupMessages(library(nlme))

here <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else "tests/r"
})
datadir <- file.path(here, "..", "mmrm")

# case, data set (tests/mmrm/DATA.csv), baseline used
cases <- read.table(header = TRUE, stringsAsFactors = FALSE, text = "
case                   data           baseline
complete4_base         complete4      1
complete4              complete4      0
monotone4_base         monotone4      1
monotone4              monotone4      0
intermittent4_base     intermittent4  1
intermittent4          intermittent4  0
single1_base           single1        1
single1                single1        0
two2_base              two2           1
two2                   two2           0
unequalvar4_base       unequalvar4    1
unequalvar4            unequalvar4    0
small3                 small3         0
offset3_base           offset3        1
")

# The patients grouped by the set of visits observed (a patient with none is dropped). Each
# visit's values are centred on their mean, and the baseline on its mean: the log-likelihood,
# the differences delta_v and their covariance do not change (the shifts lie in the span of
# the design, and centring the baseline is a change of the intercepts with determinant 1),
# while the finite differences below lose fewer digits (offset3 has values near 1e4).
patterns <- function(w, V, useb) {
  Y <- as.matrix(w[paste0("y", seq_len(V))])
  Y <- sweep(Y, 2, colMeans(Y, na.rm = TRUE))
  key <- apply(!is.na(Y), 1, function(o) paste(as.integer(o), collapse = ""))
  keep <- rowSums(!is.na(Y)) > 0
  Z <- cbind(1, w$arm, if (useb) w$base - mean(w$base))
  lapply(unique(key[keep]), function(k) {
    i <- which(key == k & keep)
    O <- which(!is.na(Y[i[1], ]))
    list(O = O, Y = Y[i, O, drop = FALSE], Z = Z[i, , drop = FALSE])
  })
}

# The REML log-likelihood at Sigma, with the GLS estimate: -(N - p)/2 log(2 pi)
# - 1/2 sum_i log|Sigma_i| - 1/2 log|X' Sigma^-1 X| - 1/2 r' Sigma^-1 r (nlme's definition:
# no + 1/2 log|X'X| term). beta is ordered visit-major: (mu_v, delta_v [, gamma_v]) for v = 1..V.
reml <- function(S, pd, V, k) {
  p <- V * k
  M <- matrix(0, p, p); rhs <- numeric(p); ldet <- 0; N <- 0
  for (P in pd) {
    SO <- S[P$O, P$O, drop = FALSE]
    W <- solve(SO)
    E <- diag(V)[P$O, , drop = FALSE]
    ldet <- ldet + nrow(P$Y) * as.numeric(determinant(SO)$modulus)
    M <- M + kronecker(t(E) %*% W %*% E, crossprod(P$Z))
    rhs <- rhs + as.vector(crossprod(P$Z, P$Y) %*% W %*% E)
    N <- N + length(P$Y)
  }
  Phi <- solve(M)
  beta <- as.vector(Phi %*% rhs)
  B <- matrix(beta, k, V)
  quad <- 0
  for (P in pd) {
    R <- P$Y - P$Z %*% B[, P$O, drop = FALSE]
    quad <- quad + sum((R %*% solve(S[P$O, P$O, drop = FALSE])) * R)
  }
  list(l = -(N - p) / 2 * log(2 * pi) - ldet / 2 - as.numeric(determinant(M)$modulus) / 2 - quad / 2,
       beta = beta, Phi = Phi)
}

# Sigma from theta = (log SD of each visit, atanh of each correlation (lower triangle,
# column-major)), and back. In these coordinates the log-likelihood's higher derivatives stay
# of the size of its second (in Sigma's entries they grow like k! / Sigma^k), so the finite
# differences below can take steps of 1e-2 and lose little to rounding.
sig_from <- function(th, V) {
  sd <- exp(th[seq_len(V)])
  R <- diag(V); R[lower.tri(R)] <- tanh(th[-seq_len(V)]); R <- R + t(R) - diag(V)
  R * outer(sd, sd)
}
theta_of <- function(S) {
  sd <- sqrt(diag(S))
  c(log(sd), atanh((S / outer(sd, sd))[lower.tri(S)]))
}

# Central differences of f (a scalar function of theta, steps h) with Richardson
# extrapolation: the gradient g from steps h/20 and h/40, the Hessian H from steps h/2 and h/4
# (when hessian), and the same from twice those steps (gc, Hc). The extrapolated error is
# O(step^4), so the coarse ones are about 16 times as far off as the fine: |fine - coarse| / 15
# estimates the error left in the fine ones.
derivs <- function(f, th, h, hessian) {
  q <- length(th); g <- gc <- numeric(q); H <- Hc <- matrix(0, q, q)
  e <- function(j, s) { x <- numeric(q); x[j] <- s; x }
  rich <- function(d, s) { a <- d(s); b <- d(s / 2); c <- d(s / 4); c((4 * b - a) / 3, (4 * c - b) / 3) }
  f0 <- f(th)
  for (j in seq_len(q)) {
    r <- rich(function(s) (f(th + e(j, s)) - f(th - e(j, s))) / (2 * s), h[j] / 10)
    gc[j] <- r[1]; g[j] <- r[2]
  }
  if (hessian) {
    for (j in seq_len(q)) for (m in j:q) {
      r <- rich(function(s) {
        if (j == m) return((f(th + e(j, s * h[j])) - 2 * f0 + f(th - e(j, s * h[j]))) / (s * h[j])^2)
        (f(th + e(j, s * h[j]) + e(m, s * h[m])) - f(th + e(j, s * h[j]) - e(m, s * h[m])) -
           f(th - e(j, s * h[j]) + e(m, s * h[m])) + f(th - e(j, s * h[j]) - e(m, s * h[m]))) /
          (4 * s^2 * h[j] * h[m])
      }, 1)
      Hc[j, m] <- Hc[m, j] <- r[1]; H[j, m] <- H[m, j] <- r[2]
    }
  }
  list(g = g, gc = gc, H = H, Hc = Hc)
}

# Sigma of a gls fit: sigma^2 times varIdent's ratios times corSymm's correlations.
sigma_of <- function(fit, V) {
  R <- diag(V); R[lower.tri(R)] <- coef(fit$modelStruct$corStruct, unconstrained = FALSE)
  R <- R + t(R) - diag(V)
  ratio <- coef(fit$modelStruct$varStruct, unconstrained = FALSE, allCoef = TRUE)[as.character(seq_len(V))]
  fit$sigma^2 * outer(ratio, ratio) * R
}

fmt <- function(x) paste(formatC(x, digits = 17, format = "g"), collapse = ";")

cat("case,data,baseline,visits,patients,observations,loglik,delta,se,df,sigma\n")
for (r in seq_len(nrow(cases))) {
  cs <- cases[r, ]
  useb <- cs$baseline == 1
  w <- read.csv(file.path(datadir, paste0(cs$data, ".csv")))
  V <- sum(grepl("^y[0-9]+$", names(w))); n <- nrow(w); k <- if (useb) 3 else 2
  long <- data.frame(id = rep(seq_len(n), each = V), visit = factor(rep(seq_len(V), n)),
                     arm = rep(w$arm, each = V), base = rep(w$base, each = V),
                     y = as.vector(t(as.matrix(w[paste0("y", seq_len(V))]))))
  long <- long[!is.na(long$y), ]
  pd <- patterns(w, V, useb)
  ic <- (seq_len(V) - 1) * k + 2
  lr <- function(t) reml(sig_from(t, V), pd, V, k)$l
  if (V == 1) {
    fit <- gls(if (useb) y ~ arm + base else y ~ arm, data = long, method = "REML")
    S <- matrix(fit$sigma^2)
    dname <- "arm"
    gap <- c(0, 0)
  } else {
    form <- if (useb) y ~ 0 + visit + visit:arm + visit:base else y ~ 0 + visit + visit:arm
    fit0 <- gls(form, data = long, correlation = corSymm(form = ~ as.integer(visit) | id),
                weights = varIdent(form = ~ 1 | visit), method = "REML", na.action = na.omit,
                control = glsControl(msMaxIter = 1000, maxIter = 200))
    S0 <- sigma_of(fit0, V)
    th <- theta_of(S0)
    h <- rep(1e-2, length(th))
    for (it in 1:10) {
      d <- derivs(lr, th, h, TRUE)
      step <- solve(-d$H, d$g)
      if (it == 1) dec0 <- sum(d$g * step)
      th <- th + step
      if (sum(d$g * step) < 1e-16) break
    }
    if (it == 10) stop(cs$case, ": Newton's iterations from nlme's optimum did not converge")
    S1 <- sig_from(th, V)
    sd1 <- sqrt(diag(S1))
    cor1 <- (S1 / outer(sd1, sd1))[lower.tri(S1)]
    fit <- gls(form, data = long,
               correlation = corSymm(cor1, form = ~ as.integer(visit) | id, fixed = TRUE),
               weights = varIdent(form = ~ 1 | visit, fixed = setNames(sd1[-1] / sd1[1], 2:V)),
               method = "REML", na.action = na.omit)
    S <- sigma_of(fit, V)
    stopifnot(max(abs(S - S1) / sqrt(outer(diag(S1), diag(S1)))) < 1e-8,
              abs(logLik(fit) - logLik(fit0)) < 1e-9 * abs(logLik(fit)))
    dname <- paste0("visit", seq_len(V), ":arm")
    gap <- c(dec0, max(abs(S - S0) / sqrt(outer(diag(S), diag(S)))))
  }
  delta <- unname(coef(fit)[dname]); se <- unname(sqrt(diag(vcov(fit)))[dname])

  # The likelihood written out must be nlme's at the optimum.
  at <- reml(S, pd, V, k)
  stopifnot(abs(at$l - as.numeric(logLik(fit))) < 1e-9 * abs(at$l),
            max(abs(at$beta[ic] - delta)) < 1e-9 * max(abs(delta)),
            max(abs(sqrt(diag(at$Phi))[ic] - se)) < 1e-9 * max(se))

  th <- theta_of(S)
  h <- rep(1e-2, length(th))
  dl <- derivs(lr, th, h, TRUE)
  A <- solve(-dl$H); Ac <- solve(-dl$Hc)
  df <- dfc <- numeric(V)
  for (v in seq_len(V)) {
    dv <- derivs(function(t) reml(sig_from(t, V), pd, V, k)$Phi[ic[v], ic[v]], th, h, FALSE)
    df[v] <- 2 * at$Phi[ic[v], ic[v]]^2 / sum(dv$g * (A %*% dv$g))
    dfc[v] <- 2 * at$Phi[ic[v], ic[v]]^2 / sum(dv$gc * (Ac %*% dv$gc))
  }
  dferr <- max(abs(df - dfc) / 15 / df)
  if (dferr > 1e-6) stop(cs$case, ": the finite-difference df are not accurate: ", dferr)
  message(sprintf(paste("%-18s logLik %.10g  nlme's own fit: decrement %.1g, Sigma off by %.1g;",
                        "decrement now %.1g; df error %.1g; df %s"),
                  cs$case, at$l, gap[1], gap[2], sum(dl$g * (A %*% dl$g)), dferr,
                  paste(signif(df, 10), collapse = " ")))
  cat(cs$case, cs$data, cs$baseline, V, length(unique(long$id)), nrow(long),
      fmt(as.numeric(logLik(fit))), fmt(delta), fmt(se), fmt(df), fmt(t(S)), sep = ",")
  cat("\n")
}
