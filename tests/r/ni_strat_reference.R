#!/usr/bin/env Rscript
# ni_strat_reference.R - independent reference values for the stratified (site-stratified)
# Miettinen-Nurminen test and interval of sim/stats/nitest.h (tsim_ni_strat_p,
# tsim_ni_strat_ci), computed from the published formulas with base R only.
#
# Usage: Rscript tests/r/ni_strat_reference.R > tests/r/ni_strat_reference.csv
# (tests/r/check_ni_strat.sh regenerates the file and compares it with the committed one.) The
# script stops with an error, and prints no CSV, if any check below fails. About 4 s of one core.
#
# Conventions as tests/r/ni_reference.R: experimental arm x1 of n1, control x0 of n0, higher is
# better; theta is p1 - p0 (rd), p1 / p0 (rr) or the odds ratio (or). greater = 1: H0 theta <=
# theta0 against H1 theta > theta0, p = P(Z >= z); greater = 0: H0 theta >= theta0, p = P(Z <= z).
# lower, upper: the two-sided interval at level conf.
#
# The method. Miettinen & Nurminen (1985), Statistics in Medicine 4:213-226, stratified analysis:
# per stratum i (N_i = n1i + n0i, lambda_i = N_i / (N_i - 1), P1i, P0i the maximum likelihood
# estimates of the stratum's rates restricted to theta = theta0), z = U / sqrt(V) with
#   rd  U = sum w_i (x1i/n1i - x0i/n0i - theta0)
#       V = sum w_i^2 lambda_i (P1i (1 - P1i) / n1i + P0i (1 - P0i) / n0i)
#   rr  U = sum w_i (x1i/n1i - theta0 x0i/n0i)
#       V = sum w_i^2 lambda_i (P1i (1 - P1i) / n1i + theta0^2 P0i (1 - P0i) / n0i)
#   or  U = sum (x1i - n1i P1i)      (the score of the log odds ratio in each stratum)
#       V = sum lambda_i (1 / (n1i P1i (1 - P1i)) + 1 / (n0i P0i (1 - P0i)))^-1
# with the Mantel-Haenszel (Cochran) weights w_i = n1i n0i / N_i: the "CMH-weighted
# Miettinen-Nurminen" of Lu (2008, JSM Proceedings 3888-3893) and Klingenberg (2014, Statistics
# in Medicine 33:2968-2983), ratesci::scoreci(stratified = TRUE, skew = FALSE, weighting = "MH")
# for rd and rr ("INV" for or), and, per the ratesci-sas README, SAS Viya PROC FREQ
# COMMONRISKDIFF(CL=MNMH) for rd (CL=MN there uses MN's iterative weights instead). Strata
# with n1i = 0 or n0i = 0 are left out. At theta0 = 0 (rd) or 1 (rr, or) z^2 is the
# Cochran-Mantel-Haenszel statistic (mantelhaen.test(correct = FALSE)), checked below.
# z = 0/0 (NaN) when V = 0 and U = 0 (every stratum without information); U / 0 is +-Inf.
# The estimate: rd sum w_i (p1i - p0i) / sum w_i, rr sum(x1i n0i / N_i) / sum(x0i n1i / N_i)
# (the Mantel-Haenszel estimates, the roots of U), or the root of U (uniroot on log theta).
# The interval: {theta: -z_c <= z(theta) <= z_c}, its ends found with uniroot (rd: on theta to
# 1e-15; rr, or: on log theta to 1e-14); an end is the edge of the parameter space where the
# data give no limit (rd -1: every stratum 0/n1 vs n0/n0, 1: n1/n1 vs 0/n0; rr 0: no
# experimental responders, Inf: no control responders; or 0: every stratum x1 = 0 or x0 = n0,
# Inf: every stratum x1 = n1 or x0 = 0).
#
# The restricted estimates: by bisection on the sign of the derivative of the stratum's
# log-likelihood along the null (it is concave there; rd, rr in P0, or in logit P0) to adjacent
# doubles - the definition, not the closed forms (tests/r/ni_reference.R checks those).
#
# Output: CSV on stdout, header
#   case,measure,k,strata,theta0,greater,conf,p_value,z,est,lower,upper
# strata: the k tables as x1/n1:x0/n0 joined by '|'; numbers to 17 significant digits; NaN where
# the statistic is 0/0, Inf an open end.
#
# Validation (the script fails if one does not hold):
#  1. Published stratified MN intervals with these weights, to the digits printed (half a unit
#     of the last printed digit):
#     - Lu (2008), the paper's 3-stratum example, 95%: (0.1963, 0.5381), 4 decimals - as
#       transcribed in ratesci-sas tests/v_scoreci.sas, EXAMPLE 3a (the paper could not be read
#       here).
#     - Klingenberg (2014), the myeloma data (21 strata, with 0% and 100% cells) 95% MN interval,
#       3 decimals, and the adverse-event data (17 strata, rare events, most of them without
#       responders in an arm) (-0.27%, 0.38%), 2 decimals of percent - as transcribed with the
#       data in ratesci-sas tests/v_scoreci.sas, EXAMPLES 3b and 3c (the paper could not be
#       read here). The myeloma interval is transcribed as (-0.010, 0.206): the upper end
#       matches (0.20646), the lower end does not - we get -0.09968, i.e. -0.100, the printed
#       value with two digits swapped. -0.010 cannot be the lower end of these data: the
#       estimate is 0.0572, z falls in theta, and z(-0.010) = 0.85 < 1.96. The check holds the
#       lower end to -0.100; which of the transcription or the data is off we cannot tell.
#     - ratesci-sas (P. Laud), tests/v_scoreci.sas EXAMPLE 1 (4 strata), the %SCORECI macro's
#       output (SKEW=FALSE, WEIGHT=1, i.e. MH) as committed in that repository's
#       jenner-check/t001_scoreci_stratified_rd/expected/output.txt (run by a SAS-language
#       engine, not SAS itself): z at 0 1.9727559446, its square 3.8917660169 and two-sided p
#       0.0485233747 (the CMH test's, which PROC FREQ gives as 0.0485), to 1e-10; estimate
#       0.1142057102 and interval (0.0007231903, 0.2297652849), to 5e-10 (the macro bisects to
#       1e-10). Its one-sided PVALR 0.0242616181 is not half its PVAL_2SIDED; ours, 0.02426168735,
#       is (the 2-sided value / 2): not compared.
#     - Hartung & Knapp's cisapride data (13 strata), MN with MH weights (0.245286, 0.369981),
#       6 decimals, as computed by ratesci and Klingenberg's code (ratesci-sas v_scoreci.sas
#       EXAMPLE 2; software output, not a paper).
#     - metalite.ae (Merck) rate_compare()'s example as printed on its reference page
#       (merck.github.io/metalite.ae), which uses sample-size weights
#       w_i = N_i instead (checking the weighted statistic with other weights): estimate
#       0.3998397, z 5.712797, p 5.556727e-09 to the 7 digits printed, and its interval
#       (0.2684383, 0.5172779) to 1e-6 (its bisection's eps).
#     No worked example from Miettinen & Nurminen (1985) itself was found, nor a stratified rr or
#     or interval with these weights; rr and or rest on the CMH identity (2) and the internal
#     checks.
#  2. The Cochran-Mantel-Haenszel identity: at theta0 = 0 (rd) and 1 (rr, or), z^2 equals
#     mantelhaen.test(correct = FALSE)$statistic, to 1e-10 relative, on every case with two
#     strata and some information (12 cases, 36 case-measures).
#  3. One stratum: the statistic and interval equal the unstratified MN of
#     tests/r/ni_reference.csv (case newcombe_a_56of70v48of80, mn rd, rr, or) to 1e-12.
#  4. Internal: each free interval end has |z| = z_c (1e-9); p < (1 - conf) / 2 exactly when the
#     interval excludes theta0 on that side; strata with an empty arm change nothing; z falls in
#     theta on a grid (every case, all three measures).

options(warn = 2)

fmt <- function(v) sprintf("%.17g", v) # NA, NaN, Inf as written
zcrit <- function(conf) qnorm((1 + conf) / 2)

# ---- restricted maximum likelihood estimates of one stratum -------------------------------------
ratio0 <- function(x, p) if (x == 0) 0 else x / p # a zero count contributes nothing

# The maximiser over [lo, hi] of a log-likelihood with one maximum, from its derivative's sign:
# bisection until the two ends are adjacent doubles.
argmax_sign <- function(s, lo, hi) {
  if (lo >= hi) return(lo)
  slo <- s(lo)
  if (!is.nan(slo) && slo <= 0) return(lo)
  shi <- s(hi)
  if (!is.nan(shi) && shi >= 0) return(hi)
  repeat {
    mid <- lo + (hi - lo) / 2
    if (mid <= lo || mid >= hi) break
    sm <- s(mid)
    if (sm > 0) lo <- mid else if (sm < 0) hi <- mid else return(mid)
  }
  if (abs(s(lo)) <= abs(s(hi))) lo else hi
}

or_p1 <- function(p0, psi) if (p0 >= 1) 1 else psi * p0 / (1 + p0 * (psi - 1))

# c(P1, P0) restricted to theta.
mle <- function(measure, x1, n1, x0, n0, theta) {
  if (measure == "rd") {
    s <- function(p0) {
      p1 <- p0 + theta
      ratio0(x1, p1) - ratio0(n1 - x1, 1 - p1) + ratio0(x0, p0) - ratio0(n0 - x0, 1 - p0)
    }
    p0 <- argmax_sign(s, max(0, -theta), min(1, 1 - theta))
    return(c(p0 + theta, p0))
  }
  if (measure == "rr") {
    s <- function(p0) {
      ratio0(x1 + x0, p0) - theta * ratio0(n1 - x1, 1 - theta * p0) - ratio0(n0 - x0, 1 - p0)
    }
    p0 <- argmax_sign(s, 0, min(1, 1 / theta))
    return(c(theta * p0, p0))
  }
  m <- x1 + x0 # or: the score of logit p0, decreasing
  p0 <- argmax_sign(function(p0) m - n1 * or_p1(p0, theta) - n0 * p0, 0, 1)
  c(or_p1(p0, theta), p0)
}

# ---- the stratified statistic -------------------------------------------------------------------
# tab: list(x1, n1, x0, n0) of equal-length vectors. w: weights for rd and rr (default MH).
usable <- function(tab) tab$n1 >= 1 & tab$n0 >= 1
mh_weights <- function(tab) tab$n1 * tab$n0 / (tab$n1 + tab$n0)

score_uv <- function(measure, tab, theta, w = NULL) {
  if (is.null(w)) w <- mh_weights(tab)
  U <- 0; V <- 0
  for (i in which(usable(tab))) {
    x1 <- tab$x1[i]; n1 <- tab$n1[i]; x0 <- tab$x0[i]; n0 <- tab$n0[i]
    N <- n1 + n0
    lambda <- N / (N - 1)
    P <- mle(measure, x1, n1, x0, n0, theta)
    if (measure == "or") {
      U <- U + (x1 - n1 * P[1])
      V <- V + lambda / (1 / (n1 * P[1] * (1 - P[1])) + 1 / (n0 * P[2] * (1 - P[2])))
    } else {
      f <- if (measure == "rd") 1 else theta
      d <- if (measure == "rd") x1 / n1 - x0 / n0 - theta else x1 / n1 - theta * x0 / n0
      U <- U + w[i] * d
      V <- V + w[i]^2 * lambda * (P[1] * (1 - P[1]) / n1 + f^2 * P[2] * (1 - P[2]) / n0)
    }
  }
  c(U, V)
}

strat_z <- function(measure, tab, theta, w = NULL) {
  uv <- score_uv(measure, tab, theta, w)
  if (uv[2] > 0) return(uv[1] / sqrt(uv[2]))
  if (uv[1] == 0) NaN else sign(uv[1]) * Inf
}

strat_p <- function(measure, tab, theta0, greater, w = NULL) {
  z <- strat_z(measure, tab, theta0, w)
  c(p = pnorm(z, lower.tail = !greater), z = z)
}

edges <- function(measure, tab) {
  u <- usable(tab)
  x1 <- tab$x1[u]; n1 <- tab$n1[u]; x0 <- tab$x0[u]; n0 <- tab$n0[u]
  switch(measure,
    rd = c(all(x1 == 0 & x0 == n0), all(x1 == n1 & x0 == 0)),
    rr = c(all(x1 == 0), all(x0 == 0)),
    or = c(all(x1 == 0 | x0 == n0), all(x1 == n1 | x0 == 0)))
}

# Steps t = s, s -/+ 1, 2, 4, ... until g changes sign, then uniroot; g falls in t. Returns the
# root, or -Inf / Inf when |t| passes 700 first.
root_out <- function(g, s, gs, up, tol) {
  a <- s; ga <- gs; step <- 1
  repeat {
    t <- if (up) s + step else s - step
    if (abs(t) > 700) return(if (up) Inf else -Inf)
    gt <- g(t)
    if (if (up) gt <= 0 else gt > 0) break
    a <- t; ga <- gt; step <- 2 * step
  }
  lo <- if (up) c(a, ga) else c(t, gt)
  hi <- if (up) c(t, gt) else c(a, ga)
  uniroot(g, c(lo[1], hi[1]), f.lower = lo[2], f.upper = hi[2], tol = tol, maxiter = 10000)$root
}

strat_est <- function(measure, tab, w = NULL) {
  u <- usable(tab)
  x1 <- tab$x1[u]; n1 <- tab$n1[u]; x0 <- tab$x0[u]; n0 <- tab$n0[u]; N <- n1 + n0
  if (measure == "rd") {
    w <- if (is.null(w)) n1 * n0 / N else w[u]
    return(sum(w * (x1 / n1 - x0 / n0)) / sum(w))
  }
  if (measure == "rr") return(sum(x1 * n0 / N) / sum(x0 * n1 / N)) # 0/0 = NaN, a/0 = Inf
  e <- edges("or", tab)
  if (e[1] && e[2]) return(NaN)
  if (e[1]) return(0)
  if (e[2]) return(Inf)
  g <- function(t) score_uv("or", tab, exp(t))[1]
  g0 <- g(0)
  if (g0 == 0) return(1)
  exp(root_out(g, 0, g0, g0 > 0, 1e-14))
}

clampz <- function(z) if (is.nan(z)) 0 else max(-1e3, min(1e3, z))

strat_ci <- function(measure, tab, conf, w = NULL) {
  zc <- zcrit(conf)
  est <- strat_est(measure, tab, w)
  e <- edges(measure, tab)
  zf <- function(theta) clampz(strat_z(measure, tab, theta, w))
  if (measure == "rd") {
    lo <- if (e[1]) -1 else
      uniroot(function(t) zf(t) - zc, c(-1, est), f.lower = zf(-1) - zc, f.upper = -zc,
              tol = 1e-15, maxiter = 10000)$root
    hi <- if (e[2]) 1 else
      uniroot(function(t) zf(t) + zc, c(est, 1), f.lower = zc, f.upper = zf(1) + zc,
              tol = 1e-15, maxiter = 10000)$root
    return(c(est = est, lower = lo, upper = hi))
  }
  # rr, or on t = log(theta): from log(est) where finite (z = 0 there), else from t = 0
  s <- if (is.finite(log(est))) log(est) else 0
  g_lo <- function(t) zf(exp(t)) - zc
  g_hi <- function(t) zf(exp(t)) + zc
  lo <- if (e[1]) 0 else {
    gs <- if (is.finite(log(est))) -zc else g_lo(s)
    exp(root_out(g_lo, s, gs, gs > 0, 1e-14))
  }
  hi <- if (e[2]) Inf else {
    gs <- if (is.finite(log(est))) zc else g_hi(s)
    exp(root_out(g_hi, s, gs, gs > 0, 1e-14))
  }
  c(est = est, lower = lo, upper = hi)
}

# "x1/n1:x0/n0|..." <-> tab
tab_of <- function(s) {
  st <- strsplit(strsplit(s, "|", fixed = TRUE)[[1]], "[/:]")
  v <- matrix(as.numeric(unlist(st)), nrow = 4)
  list(x1 = v[1, ], n1 = v[2, ], x0 = v[3, ], n0 = v[4, ])
}
text_of <- function(tab) {
  paste(sprintf("%d/%d:%d/%d", as.integer(tab$x1), as.integer(tab$n1), as.integer(tab$x0),
                as.integer(tab$n0)), collapse = "|")
}

# ---- the cases ------------------------------------------------------------------------------------
cases <- list(
  lu2008 = "3/5:1/15|4/10:3/10|18/35:2/25",
  laud_example1 = "25/33:4/17|34/50:17/25|28/50:15/25|52/67:22/33",
  klingenberg_myeloma = paste0("3/4:1/3|3/4:8/11|2/2:2/3|2/2:2/2|2/2:0/3|1/3:2/3|2/2:2/3|",
                               "1/5:4/4|2/2:2/3|0/2:2/3|3/3:3/3|2/2:0/2|1/4:1/5|2/3:2/4|",
                               "2/4:4/6|4/12:3/9|1/2:2/3|3/3:1/4|1/4:2/3|0/3:0/2|2/4:1/5"),
  klingenberg_ae = paste0("0/432:0/142|1/375:0/125|0/80:0/40|0/248:1/84|0/50:0/24|",
                          "2/251:0/85|5/605:1/209|1/466:2/231|4/525:0/175|1/80:0/40|",
                          "1/375:0/124|0/189:0/59|0/55:0/27|0/110:0/56|0/85:0/85|0/170:0/85|",
                          "4/1030:1/350"),
  cisapride = paste0("15/16:9/16|12/16:1/16|29/34:18/34|42/56:31/56|14/22:6/22|44/54:17/55|",
                     "14/17:7/15|29/58:23/58|10/14:3/15|17/26:6/27|38/44:12/45|19/29:22/30|",
                     "21/38:19/38"),
  two_sites = "80/100:82/100|45/60:50/60",
  five_sites_2to1 = "40/50:21/25|33/40:17/20|70/90:38/45|12/16:7/8|55/60:27/30",
  six_sites_large = paste0("170/200:172/200|88/100:86/100|260/300:265/300|130/150:128/150|",
                           "45/50:46/50|350/400:356/400"),
  sparse_12 = paste0("2/3:1/2|0/2:1/3|3/3:2/2|1/4:0/3|2/2:0/1|0/1:0/2|4/5:3/4|1/1:1/1|",
                     "3/6:2/5|0/3:1/1|2/4:2/3|5/6:4/4"),
  empty_arms = "2/3:0/0|3/5:1/2|2/5:1/2|5/6:2/3|0/0:3/4",
  no_exp_responders = "0/20:3/20|0/15:1/15|0/30:0/30",
  all_exp_responders = "20/20:20/20|15/15:14/15|30/30:29/30",
  no_information = "0/10:0/12|0/8:0/9|2/5:0/0",
  one_stratum = "56/70:48/80"
)
conf_of <- c(two_sites = 0.90, six_sites_large = 0.90) # equivalence-style; the rest 0.95
# measure, theta0, greater: the non-inferiority side at two margins and the upper side of
# equivalence for rd, both sides for rr, one for or
tests <- data.frame(measure = c("rd", "rd", "rd", "rr", "rr", "or"),
                    theta0 = c(-0.1, -0.2, 0.05, 0.8, 1.25, 0.7),
                    greater = c(1, 1, 0, 1, 0, 1), stringsAsFactors = FALSE)

near <- function(got, printed, digits) all(abs(got - printed) <= 0.5 * 10^-digits + 1e-12)
check_pub <- function(what, got, printed, tol) {
  if (!all(abs(got - printed) <= tol)) {
    stop(sprintf("%s: got %s, printed %s", what, paste(sprintf("%.10f", got), collapse = " "),
                 paste(printed, collapse = " ")))
  }
}
half_unit <- function(digits) 0.5 * 10^-digits + 1e-12

# ---- 1. published examples ----------------------------------------------------------------------
check_pub("Lu 2008 rd 95%", strat_ci("rd", tab_of(cases$lu2008), 0.95)[2:3], c(0.1963, 0.5381),
          half_unit(4))
# (transcribed as (-0.010, 0.206): the lower end is -0.100, see the header)
check_pub("Klingenberg 2014 myeloma rd 95%",
          strat_ci("rd", tab_of(cases$klingenberg_myeloma), 0.95)[2:3], c(-0.100, 0.206),
          half_unit(3))
check_pub("Klingenberg 2014 adverse events rd 95%",
          100 * strat_ci("rd", tab_of(cases$klingenberg_ae), 0.95)[2:3], c(-0.27, 0.38),
          half_unit(2))
ex1 <- tab_of(cases$laud_example1)
z0 <- strat_z("rd", ex1, 0)
check_pub("ratesci-sas example 1 z, z^2, p", c(z0, z0^2, 2 * pnorm(-abs(z0))),
          c(1.9727559446, 3.8917660169, 0.0485233747), 1e-10)
check_pub("ratesci-sas example 1 estimate and interval", strat_ci("rd", ex1, 0.95),
          c(0.1142057102, 0.0007231903, 0.2297652849), 5e-10)
check_pub("cisapride MN (MH weights) rd 95%", strat_ci("rd", tab_of(cases$cisapride), 0.95)[2:3],
          c(0.245286, 0.369981), half_unit(6))
# metalite.ae rate_compare() example, rebuilt from its code; control "pbo" is arm 0
treatment <- c(rep("pbo", 100), rep("exp", 100))
response <- c(rep(0, 80), rep(1, 20), rep(0, 40), rep(1, 60))
stratum <- c(rep(1:4, 12), 1, 3, 3, 1, rep(1:4, 12), rep(1:4, 25))
cnt <- function(arm, f) as.numeric(tapply(response[treatment == arm], stratum[treatment == arm], f))
mtab <- list(x1 = cnt("exp", sum), n1 = cnt("exp", length), x0 = cnt("pbo", sum),
             n0 = cnt("pbo", length))
mw <- mtab$n1 + mtab$n0
mp <- strat_p("rd", mtab, 0, TRUE, mw)
mci <- strat_ci("rd", mtab, 0.95, mw)
check_pub("metalite.ae example estimate, z", signif(c(mci[["est"]], mp[["z"]]), 7),
          c(0.3998397, 5.712797), 0)
check_pub("metalite.ae example p", signif(mp[["p"]], 7), 5.556727e-09, 0)
check_pub("metalite.ae example interval", mci[2:3], c(0.2684383, 0.5172779), 1e-6)

# ---- the reference rows -------------------------------------------------------------------------
rows <- list()
ci_cache <- list()
for (cs in names(cases)) {
  tab <- tab_of(cases[[cs]])
  stopifnot(text_of(tab) == cases[[cs]])
  conf <- if (cs %in% names(conf_of)) conf_of[[cs]] else 0.95
  for (j in seq_len(nrow(tests))) {
    m <- tests$measure[j]
    key <- paste(cs, m)
    if (is.null(ci_cache[[key]])) ci_cache[[key]] <- strat_ci(m, tab, conf)
    ci <- ci_cache[[key]]
    pz <- strat_p(m, tab, tests$theta0[j], tests$greater[j] == 1)
    rows[[length(rows) + 1]] <- list(case = cs, measure = m, k = length(tab$x1), strata = cases[[cs]],
                                     theta0 = tests$theta0[j], greater = tests$greater[j],
                                     conf = conf, p = pz[["p"]], z = pz[["z"]], est = ci[["est"]],
                                     lower = ci[["lower"]], upper = ci[["upper"]])
  }
}

# ---- 2. the Cochran-Mantel-Haenszel identity --------------------------------------------------------
cmh_checked <- 0
for (cs in names(cases)) {
  tab <- tab_of(cases[[cs]])
  keep <- tab$n1 + tab$n0 >= 2 # mantelhaen.test needs 2 per stratum; the rest add nothing
  k <- sum(keep)
  m <- tab$x1 + tab$x0
  if (k < 2 || !any(usable(tab) & m > 0 & m < tab$n1 + tab$n0)) next # no information: 0/0
  arr <- array(0, dim = c(2, 2, k))
  for (h in seq_len(k)) {
    i <- which(keep)[h]
    arr[, , h] <- matrix(c(tab$x1[i], tab$x0[i], tab$n1[i] - tab$x1[i], tab$n0[i] - tab$x0[i]), 2)
  }
  chi2 <- unname(mantelhaen.test(arr, correct = FALSE)$statistic)
  for (m in c("rd", "rr", "or")) {
    z <- strat_z(m, tab, if (m == "rd") 0 else 1)
    if (abs(z^2 - chi2) > 1e-10 * chi2) {
      stop(sprintf("CMH identity %s %s: z^2 %.17g, mantelhaen.test %.17g", cs, m, z^2, chi2))
    }
    cmh_checked <- cmh_checked + 1
  }
}
stopifnot(cmh_checked >= 30)

# ---- 3. one stratum against tests/r/ni_reference.csv ------------------------------------------------
here <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
unstrat <- file.path(dirname(here), "ni_reference.csv")
if (length(here) == 1 && file.exists(unstrat)) {
  ref <- read.csv(unstrat, stringsAsFactors = FALSE)
  ref <- ref[ref$case == "newcombe_a_56of70v48of80" & ref$method == "mn", ]
  stopifnot(nrow(ref) == 3)
  one <- tab_of(cases$one_stratum)
  for (j in seq_len(nrow(ref))) {
    r <- ref[j, ]
    got <- c(strat_p(r$measure, one, r$theta0, TRUE)[["p"]], strat_ci(r$measure, one, r$conf)[2:3])
    want <- c(r$p_value, r$lower, r$upper)
    if (any(abs(got - want) > 1e-12 * abs(want))) {
      stop(sprintf("one stratum vs ni_reference.csv %s: %s vs %s", r$measure,
                   paste(fmt(got), collapse = " "), paste(fmt(want), collapse = " ")))
    }
  }
} else {
  stop("ni_strat_reference.R: tests/r/ni_reference.csv not found beside the script")
}

# ---- 4. internal checks ---------------------------------------------------------------------------
for (r in rows) {
  tab <- tab_of(r$strata)
  zc <- zcrit(r$conf)
  edge_lo <- if (r$measure == "rd") -1 else 0
  edge_hi <- if (r$measure == "rd") 1 else Inf
  if (r$lower > edge_lo) stopifnot(abs(strat_z(r$measure, tab, r$lower) - zc) < 1e-9)
  if (r$upper < edge_hi) stopifnot(abs(strat_z(r$measure, tab, r$upper) + zc) < 1e-9)
  if (!is.nan(r$p)) {
    alpha <- (1 - r$conf) / 2
    outside <- if (r$greater == 1) r$lower > r$theta0 else r$upper < r$theta0
    if ((r$p < alpha) != outside) {
      stop(sprintf("p and interval disagree: %s %s theta0 %g", r$case, r$measure, r$theta0))
    }
  }
}
# strata with an empty arm add nothing
ea <- tab_of(cases$empty_arms)
ea_u <- lapply(ea, function(v) v[usable(ea)])
for (m in c("rd", "rr", "or")) {
  stopifnot(identical(strat_ci(m, ea, 0.95), strat_ci(m, ea_u, 0.95)),
            identical(strat_z(m, ea, if (m == "rd") -0.1 else 0.8),
                      strat_z(m, ea_u, if (m == "rd") -0.1 else 0.8)))
}
# z falls in theta (so the interval is the one range where |z| <= z_c)
for (cs in names(cases)) {
  tab <- tab_of(cases[[cs]])
  for (m in c("rd", "rr", "or")) {
    grid <- if (m == "rd") seq(-0.98, 0.98, length.out = 40) else exp(seq(-4, 4, length.out = 40))
    z <- sapply(grid, function(t) strat_z(m, tab, t))
    z <- z[!is.nan(z)]
    k <- length(z)
    if (!all(z[-1] <= z[-k] + 1e-12 * pmax(1, abs(z[-1])))) stop(paste("z not falling:", cs, m))
  }
}
message(sprintf(paste0("ni_strat_reference.R: published examples reproduced; CMH identity on %d ",
                       "case-measures; %d rows"), cmh_checked, length(rows)))

# ---- output ---------------------------------------------------------------------------------------
cat("case,measure,k,strata,theta0,greater,conf,p_value,z,est,lower,upper\n")
for (r in rows) {
  cat(paste(c(r$case, r$measure, r$k, r$strata, fmt(r$theta0), r$greater,
              fmt(c(r$conf, r$p, r$z, r$est, r$lower, r$upper))), collapse = ","), "\n", sep = "")
}
